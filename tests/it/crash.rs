//! Crash tests: the command line is killed (SIGKILL) at many moments during enrolment, merge,
//! erasure and export; the gallery must always open, pass SQLite's integrity check, hold no
//! half-made person, and keep every visit the recognition loop reported.

use std::io::BufRead;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use frontdesk::gallery::{Gallery, NewFace, NewPerson};
use frontdesk::vision::{EMBEDDING_DIM, Embedding};

const MODEL: &str = frontdesk::models::EMBEDDER.id;

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

/// What must hold after any crash.
fn check(db: &Path, round: usize) -> usize {
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
    drop(conn);
    let gallery = Gallery::open(db, MODEL).unwrap();
    gallery.people().unwrap().len()
}

#[test]
fn sigkill_at_any_moment_of_enrol_merge_erase_or_export_leaves_a_sound_gallery() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "").unwrap();
    seed(&db, 12);
    let photo = crate::common::fixture("faces/single/mpl_grace_hopper.jpg");
    let mut people = check(&db, 0);
    for round in 0..24 {
        let ids: Vec<i64> = Gallery::open(&db, MODEL)
            .unwrap()
            .people()
            .unwrap()
            .iter()
            .map(|p| p.id)
            .collect();
        let export = dir.path().join(format!("export-{round}"));
        let args: Vec<String> = match round % 4 {
            0 => vec![
                "enroll".into(),
                "--consent".into(),
                "--name".into(),
                format!("New {round}"),
                photo.display().to_string(),
            ],
            1 => vec![
                "people".into(),
                "merge".into(),
                ids[0].to_string(),
                ids[1].to_string(),
            ],
            2 => vec!["people".into(), "delete".into(), ids[2].to_string()],
            _ => vec!["people".into(), "export".into(), ids[3].to_string()],
        };
        // How long this command takes when left alone, timed on a copy of the gallery.
        let copy = dir.path().join("copy.db");
        std::fs::copy(&db, &copy).unwrap();
        let started = Instant::now();
        let _ = run(&copy, &config, &args, &export.with_extension("timing")).wait();
        let whole = started.elapsed();
        std::fs::remove_file(&copy).unwrap();
        let _ = std::fs::remove_dir_all(export.with_extension("timing"));
        let mut child = run(&db, &config, &args, &export);
        // Kill times spread over the whole run: start-up, the work, the commit.
        let fraction = f64::from(u32::try_from(round * 7 % 24).unwrap() + 1) / 25.0;
        std::thread::sleep(whole.mul_f64(fraction));
        let finished = child.try_wait().unwrap().is_some();
        let _ = child.kill();
        child.wait().unwrap();
        let now = check(&db, round);
        let expected = match round % 4 {
            0 => [people, people + 1],
            1 | 2 => [people, people - 1],
            _ => [people, people],
        };
        assert!(
            expected.contains(&now),
            "round {round} ({args:?}, finished: {finished}): {people} people became {now}"
        );
        people = now;
        if people < 6 {
            seed(&db, 6);
            people = check(&db, round);
        }
    }
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
