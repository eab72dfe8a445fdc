//! Erasure, access, retention and staff tooling as staff and scripts meet them.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::common::fixture;
use serde_json::Value;

fn frontdesk(db: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("XDG_CONFIG_HOME", db.with_extension("config"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let (Some(text), Some(mut input)) = (stdin, child.stdin.take()) {
        use std::io::Write;
        input.write_all(text.as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn json_lines(output: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn enroll(db: &Path, name: &str, photo: &str, details: &[&str]) -> i64 {
    let photo = fixture(photo);
    let mut args = vec!["enroll", "--json", "--name", name, "--consent"];
    for detail in details {
        args.push("--detail");
        args.push(detail);
    }
    args.push(photo.to_str().unwrap());
    let output = frontdesk(db, &args, None);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    json_lines(&output)[0]["person_id"].as_i64().unwrap()
}

/// All bytes of the database and its WAL and shared-memory files.
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

#[test]
fn deleting_a_person_erases_every_trace_from_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    let name = "Zebulon Quartermaine";
    let id = enroll(
        &db,
        name,
        "faces/single/mpl_grace_hopper.jpg",
        &["email=zebulon@example.org", "notes=allergic to walnuts"],
    );
    let keeper = enroll(&db, "Barack Obama", "faces/barack_obama/fr_obama.jpg", &[]);
    let (embedding, thumbnail): (Vec<u8>, Vec<u8>) = {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let mut gallery_visits = conn.prepare("INSERT INTO visits (person_id, at, similarity, source) VALUES (?1, ?2, 0.8, 'test')").unwrap();
        for at in [1_000, 2_000] {
            gallery_visits.execute(rusqlite::params![id, at]).unwrap();
        }
        conn.query_row(
            "SELECT embedding, thumbnail FROM faces WHERE person_id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
    };
    let before = raw_files(&db);
    assert!(
        contains(&before, name.as_bytes()),
        "the name is stored before deletion"
    );
    assert!(contains(&before, &embedding[..64]));

    let deleted = frontdesk(&db, &["people", "delete", &id.to_string()], None);
    assert!(
        deleted.status.success(),
        "{}",
        String::from_utf8_lossy(&deleted.stderr)
    );

    let after = raw_files(&db);
    for (what, needle) in [
        ("name", name.as_bytes()),
        ("email", b"zebulon@example.org".as_slice()),
        ("notes", b"allergic to walnuts".as_slice()),
        ("embedding", &embedding[..64]),
        (
            "thumbnail",
            &thumbnail[thumbnail.len() / 2..thumbnail.len() / 2 + 64],
        ),
    ] {
        assert!(
            !contains(&after, needle),
            "the {what} is still in the database files"
        );
    }
    // The other person is untouched and still recognised.
    let identified = json_lines(&frontdesk(
        &db,
        &[
            "identify",
            "--json",
            fixture("faces/barack_obama/fr_obama3.jpg")
                .to_str()
                .unwrap(),
        ],
        None,
    ));
    assert_eq!(identified[0]["faces"][0]["person"]["id"], keeper);
    assert_eq!(
        json_lines(&frontdesk(&db, &["visits", "--json"], None)).len(),
        0
    );
}

#[test]
fn export_writes_the_persons_data_and_photos_privately() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    let id = enroll(
        &db,
        "Grace Hopper",
        "faces/single/mpl_grace_hopper.jpg",
        &["phone=555-0100"],
    );
    let out = dir.path().join("request-17");
    let output = frontdesk(
        &db,
        &[
            "people",
            "export",
            &id.to_string(),
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let document: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("person.json")).unwrap()).unwrap();
    assert_eq!(document["name"], "Grace Hopper");
    assert_eq!(document["details"]["phone"], "555-0100");
    let photo = document["photos"][0]["file"].as_str().unwrap();
    let jpeg = image::open(out.join(photo)).unwrap();
    assert_eq!((jpeg.width(), jpeg.height()), (112, 112));
    for entry in std::fs::read_dir(&out).unwrap() {
        let mode = entry.unwrap().metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    assert_eq!(
        std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
        0o700
    );
    // A second export never overwrites the first.
    let again = frontdesk(
        &db,
        &[
            "people",
            "export",
            &id.to_string(),
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert!(!again.status.success());
}

#[test]
fn edit_merge_and_audit_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    let first = enroll(
        &db,
        "Barack Obama",
        "faces/barack_obama/fr_obama.jpg",
        &["phone=1"],
    );
    // A second entry for the same man, made while the threshold was set so strict that the
    // duplicate check did not catch it.
    let strict = dir.path().join("strict.toml");
    std::fs::write(&strict, "[recognition]\nthreshold = 0.99\n").unwrap();
    let duplicate = {
        let photo = fixture("faces/barack_obama/clm_obama4_crop.jpg");
        let args = [
            "--config",
            strict.to_str().unwrap(),
            "enroll",
            "--json",
            "--consent",
            "--name",
            "B. Obama",
            photo.to_str().unwrap(),
        ];
        let output = frontdesk(&db, &args, None);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        json_lines(&output)[0]["person_id"].as_i64().unwrap()
    };
    let edited = frontdesk(
        &db,
        &[
            "people",
            "edit",
            "--json",
            &first.to_string(),
            "--name",
            "Barack H. Obama",
            "--detail",
            "coffee=black",
            "--remove-detail",
            "phone",
        ],
        None,
    );
    assert!(
        edited.status.success(),
        "{}",
        String::from_utf8_lossy(&edited.stderr)
    );
    let person = &json_lines(&edited)[0];
    assert_eq!(person["name"], "Barack H. Obama");
    assert_eq!(person["details"], serde_json::json!({"coffee": "black"}));

    let merged = frontdesk(
        &db,
        &[
            "people",
            "merge",
            "--json",
            &duplicate.to_string(),
            &first.to_string(),
        ],
        None,
    );
    assert!(
        merged.status.success(),
        "{}",
        String::from_utf8_lossy(&merged.stderr)
    );
    assert_eq!(json_lines(&merged)[0]["faces"], 2);
    assert_eq!(
        json_lines(&frontdesk(&db, &["people", "list", "--json"], None)).len(),
        1
    );

    let audit = json_lines(&frontdesk(&db, &["audit", "--json"], None));
    let actions: Vec<&str> = audit
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["merge", "edit", "enrol", "enrol"]);
    let csv = frontdesk(&db, &["audit", "--csv"], None);
    assert!(String::from_utf8_lossy(&csv.stdout).starts_with("at,action,detail\n"));
}

#[test]
fn visits_filter_by_date_and_export_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    let id = enroll(
        &db,
        "Grace Hopper",
        "faces/single/mpl_grace_hopper.jpg",
        &[],
    );
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        for at in [
            "2026-11-01T10:00:00Z",
            "2026-11-15T10:00:00Z",
            "2026-11-27T10:00:00Z",
        ] {
            let ms = at.parse::<jiff::Timestamp>().unwrap().as_millisecond();
            conn.execute("INSERT INTO visits (person_id, at, similarity, source) VALUES (?1, ?2, 0.7, 'test')", rusqlite::params![id, ms])
                .unwrap();
        }
    }
    let window = frontdesk(
        &db,
        &[
            "visits",
            "--json",
            "--since",
            "2026-11-10T00:00:00Z",
            "--until",
            "2026-11-20T00:00:00Z",
        ],
        None,
    );
    let rows = json_lines(&window);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["at"], "2026-11-15T10:00:00Z");
    let csv = String::from_utf8(frontdesk(&db, &["visits", "--csv"], None).stdout).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "at,person_id,name,similarity,source");
    assert_eq!(lines.len(), 4);
    assert!(lines[1].starts_with("2026-11-27T10:00:00Z,"));
}

#[test]
fn staff_pin_is_set_from_standard_input_and_stored_hashed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    let weak = frontdesk(&db, &["set-pin"], Some("12\n"));
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("4 to 12 digits"));
    let set = frontdesk(&db, &["set-pin"], Some("73915\n"));
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    assert!(!contains(&raw_files(&db), b"73915"));
}
