//! The `frontdesk` command line as a script would use it, on real photos.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::fixture;
use serde_json::Value;

/// A scratch home: its own gallery file and an empty config folder.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("gallery.db")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_frontdesk"));
        command
            .arg("--db")
            .arg(self.db())
            .args(args)
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env_remove("FRONTDESK_DB");
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }
}

fn lines(output: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON: {line}: {e}")))
        .collect()
}

/// What a person reads: the lines of a successful command's stdout, none of them JSON.
fn text(output: &Output) -> Vec<String> {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.lines()
            .all(|line| serde_json::from_str::<Value>(line).is_err()),
        "JSON where a person reads:\n{text}"
    );
    text.lines().map(str::to_owned).collect()
}

/// The cell of `row` under `column` of a table's `header`: the columns must line up.
fn cell<'a>(header: &str, row: &'a str, column: &str) -> &'a str {
    let start = header
        .find(column)
        .unwrap_or_else(|| panic!("no column {column} in {header}"));
    row.get(start..)
        .and_then(|rest| rest.split("  ").next())
        .unwrap_or_else(|| panic!("nothing under {column} in {row}\n{header}"))
        .trim_end()
}

fn path(relative: &str) -> String {
    fixture(relative).display().to_string()
}

fn person_of(face: &Value) -> Option<String> {
    face["person"]["name"].as_str().map(str::to_owned)
}

#[test]
fn enrol_then_identify_known_and_unknown_faces() {
    let scratch = Scratch::new();
    let enrolled = scratch.run(&[
        "enroll",
        "--json",
        "--name",
        "Barack Obama",
        "--detail",
        "coffee=black, no sugar",
        "--consent",
        &path("faces/barack_obama/fr_obama.jpg"),
        &path("faces/barack_obama/fr_obama2.jpg"),
    ]);
    assert!(
        enrolled.status.success(),
        "{}",
        String::from_utf8_lossy(&enrolled.stderr)
    );
    let result = &lines(&enrolled)[0];
    assert_eq!(result["faces_added"], 2);
    assert_eq!(result["name"], "Barack Obama");

    // Other photos of him are named; everyone else stays unknown.
    let known = scratch.run(&[
        "identify",
        "--json",
        &path("faces/barack_obama/fr_obama3.jpg"),
        &path("faces/barack_obama/clm_obama4_crop.jpg"),
    ]);
    assert!(known.status.success());
    let known = lines(&known);
    assert_eq!(known.len(), 2, "one line per photo: {known:?}");
    for line in known {
        assert_eq!(line["faces"].as_array().unwrap().len(), 1);
        assert_eq!(
            person_of(&line["faces"][0]).as_deref(),
            Some("Barack Obama"),
            "{line}"
        );
    }
    let strangers: Vec<String> = [
        "faces/single/fr_biden.jpg",
        "faces/single/mpl_grace_hopper.jpg",
        "group/insf_t1.jpg",
        "group/feat_multi_face.jpg",
    ]
    .iter()
    .map(|p| path(p))
    .collect();
    let args: Vec<&str> = ["identify", "--json"]
        .into_iter()
        .chain(strangers.iter().map(String::as_str))
        .collect();
    let unknown = scratch.run(&args);
    assert!(unknown.status.success());
    let faces: Vec<Value> = lines(&unknown)
        .iter()
        .flat_map(|l| l["faces"].as_array().unwrap().clone())
        .collect();
    assert!(faces.len() >= 13);
    assert!(faces.iter().all(|f| f["person"].is_null()), "{faces:?}");

    let people = lines(&scratch.run(&["people", "list", "--json"]));
    assert_eq!(people.len(), 1);
    assert_eq!(people[0]["details"]["coffee"], "black, no sugar");
    assert!(people[0]["consent_at"].is_string());
}

#[test]
fn embed_reports_boxes_landmarks_and_unit_embeddings() {
    let scratch = Scratch::new();
    let output = scratch.run(&[
        "embed",
        "--json",
        &path("group/feat_multi_face.jpg"),
        &path("negatives/skl_flower.jpg"),
    ]);
    assert!(output.status.success());
    let results = lines(&output);
    assert_eq!(results[0]["width"], 1000);
    let faces = results[0]["faces"].as_array().unwrap();
    assert_eq!(faces.len(), 5);
    for face in faces {
        assert_eq!(face["box"].as_array().unwrap().len(), 4);
        assert_eq!(face["landmarks"].as_array().unwrap().len(), 5);
        let embedding: Vec<f64> = serde_json::from_value(face["embedding"].clone()).unwrap();
        assert_eq!(embedding.len(), 128);
        let norm: f64 = embedding.iter().map(|v| v * v).sum::<f64>().sqrt();
        assert!((norm - 1.0).abs() < 1e-3);
    }
    assert_eq!(results[1]["faces"].as_array().unwrap().len(), 0);
}

#[test]
fn enrol_refuses_bad_photos_with_reasons_and_changes_nothing() {
    let scratch = Scratch::new();
    assert!(
        scratch
            .run(&[
                "enroll",
                "--consent",
                "--name",
                "Grace",
                &path("faces/single/mpl_grace_hopper.jpg")
            ])
            .status
            .success()
    );
    let before = std::fs::read(scratch.db()).unwrap();

    let output = scratch.run(&[
        "enroll",
        "--json",
        "--consent",
        "--name",
        "Someone",
        &path("negatives/ski_coins.png"),
        &path("group/insf_t1.jpg"),
        &path("faces/single/mpl_grace_hopper.jpg"),
        "/nonexistent/photo.jpg",
    ]);
    assert!(!output.status.success());
    let result = &lines(&output)[0];
    assert_eq!(result["faces_added"], 0);
    let reasons: Vec<&str> = result["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        vec!["no_face", "several_faces", "already_enrolled", "unreadable"]
    );
    assert!(
        result["rejected"][2]["message"]
            .as_str()
            .unwrap()
            .contains("Grace")
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("nothing was saved"));
    assert_eq!(lines(&scratch.run(&["people", "list", "--json"])).len(), 1);
    assert_eq!(std::fs::read(scratch.db()).unwrap(), before);
}

#[test]
fn enrol_refuses_a_photo_of_someone_else_among_the_photos() {
    let scratch = Scratch::new();
    let output = scratch.run(&[
        "enroll",
        "--json",
        "--consent",
        "--name",
        "Barack Obama",
        &path("faces/barack_obama/fr_obama.jpg"),
        &path("faces/single/fr_biden.jpg"),
    ]);
    assert!(output.status.success());
    let result = &lines(&output)[0];
    assert_eq!(result["faces_added"], 1);
    assert_eq!(result["rejected"][0]["reason"], "not_the_same_person");
}

/// Broken files each get an error line; the good file in between is still processed.
#[test]
fn bad_inputs_get_an_error_line_each_and_a_failing_status() {
    let scratch = Scratch::new();
    let dir = scratch.dir.path();
    let empty = dir.join("empty.jpg");
    std::fs::write(&empty, b"").unwrap();
    let truncated = dir.join("truncated.jpg");
    let jpeg = std::fs::read(fixture("faces/single/mpl_grace_hopper.jpg")).unwrap();
    std::fs::write(&truncated, &jpeg[..jpeg.len() / 3]).unwrap();
    let text = dir.join("notes.png");
    std::fs::write(&text, b"this is not a picture").unwrap();
    let gigantic = dir.join("gigantic.png");
    write_png_header(&gigantic, 100_000, 100_000);
    let good = path("faces/single/ski_astronaut.png");
    let inputs = [
        empty.display().to_string(),
        truncated.display().to_string(),
        good.clone(),
        text.display().to_string(),
        gigantic.display().to_string(),
        "/nonexistent/x.jpg".to_owned(),
    ];
    for command in ["embed", "identify"] {
        let args: Vec<&str> = [command, "--json"]
            .into_iter()
            .chain(inputs.iter().map(String::as_str))
            .collect();
        let output = scratch.run(&args);
        assert!(!output.status.success(), "{command}");
        let results = lines(&output);
        assert_eq!(results.len(), inputs.len(), "{command}: {results:?}");
        for (result, input) in results.iter().zip(&inputs) {
            assert_eq!(result["image"], input.as_str());
            if *input == good {
                assert_eq!(result["faces"].as_array().unwrap().len(), 1);
            } else {
                assert!(
                    result["error"].as_str().is_some_and(|e| !e.is_empty()),
                    "{command}: {result}"
                );
            }
        }
        assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
    }
}

/// A PNG whose header claims the given size, with no pixel data.
fn write_png_header(path: &Path, width: u32, height: u32) {
    let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(b"IHDR");
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    bytes.extend_from_slice(&13u32.to_be_bytes());
    bytes.extend_from_slice(&ihdr);
    bytes.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    std::fs::write(path, bytes).unwrap();
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for byte in data {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn people_show_and_delete() {
    let scratch = Scratch::new();
    let enrolled = lines(&scratch.run(&[
        "enroll",
        "--json",
        "--consent",
        "--name",
        "Grace Hopper",
        "--detail",
        "phone=555-0100",
        &path("faces/single/mpl_grace_hopper.jpg"),
    ]));
    let id = enrolled[0]["person_id"].as_i64().unwrap().to_string();
    let shown = lines(&scratch.run(&["people", "show", &id, "--json"]));
    assert_eq!(shown[0]["name"], "Grace Hopper");
    assert_eq!(shown[0]["details"]["phone"], "555-0100");
    assert_eq!(shown[0]["faces"], 1);

    let deleted = scratch.run(&["people", "delete", &id]);
    assert!(deleted.status.success());
    assert!(lines(&scratch.run(&["people", "list", "--json"])).is_empty());
    let identified = lines(&scratch.run(&[
        "identify",
        "--json",
        &path("faces/single/mpl_grace_hopper.jpg"),
    ]));
    assert!(identified[0]["faces"][0]["person"].is_null());

    let missing = scratch.run(&["people", "show", "999"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no person with id 999"));
}

#[test]
fn corrupt_database_is_reported_and_left_untouched() {
    let scratch = Scratch::new();
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(scratch.db(), &garbage).unwrap();
    let output = scratch.run(&["people", "list"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot be opened") && stderr.contains("left untouched"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(scratch.db()).unwrap(), garbage);
}

#[test]
fn gallery_survives_reopening_and_is_private() {
    let scratch = Scratch::new();
    assert!(
        scratch
            .run(&[
                "enroll",
                "--consent",
                "--name",
                "Grace",
                &path("faces/single/mpl_grace_hopper.jpg")
            ])
            .status
            .success()
    );
    let identified = lines(&scratch.run(&[
        "identify",
        "--json",
        &path("faces/single/mpl_grace_hopper.jpg"),
    ]));
    assert_eq!(
        person_of(&identified[0]["faces"][0]).as_deref(),
        Some("Grace")
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(scratch.db())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn bad_config_value_names_the_key() {
    let scratch = Scratch::new();
    let config = scratch.dir.path().join("frontdesk.toml");
    std::fs::write(&config, "[recognition]\nthreshold = 7\n").unwrap();
    let output = scratch.run(&["--config", config.to_str().unwrap(), "people", "list"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("recognition.threshold"));
}

#[test]
fn doctor_reports_each_part() {
    let scratch = Scratch::new();
    let output = scratch.run(&["doctor", "--json"]);
    let checks = lines(&output);
    let names: Vec<&str> = checks
        .iter()
        .map(|c| c["check"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec![
            "onnxruntime",
            "model.detector",
            "model.embedder",
            "database",
            "recognition",
            "backups",
            "fleet",
            "cameras",
            "display"
        ]
    );
    let fleet = checks.iter().find(|c| c["check"] == "fleet").unwrap();
    assert_eq!(fleet["detail"], "stand-alone kiosk (no fleet.url)");
    let recognition = checks.iter().find(|c| c["check"] == "recognition").unwrap();
    assert_eq!(
        recognition["detail"],
        "0 people, similarity bar 0.450; under 30 people, too few to estimate how often a \
         stranger reaches it"
    );
    assert!(
        checks
            .iter()
            .filter(|c| c["required"] == true)
            .all(|c| c["ok"] == true),
        "{checks:?}"
    );
    assert!(output.status.success());
}

#[test]
fn missing_or_wrong_onnxruntime_library_says_how_to_fix_it() {
    let scratch = Scratch::new();
    let photo = path("faces/single/ski_astronaut.png");
    for (library, expected) in [
        ("/nonexistent/libonnxruntime.so", "not found"),
        ("/etc/hostname", "cannot be used"),
    ] {
        let config = scratch.dir.path().join("frontdesk.toml");
        std::fs::write(&config, format!("[runtime]\nonnxruntime = \"{library}\"\n")).unwrap();
        let output = scratch.run(&["--config", config.to_str().unwrap(), "identify", &photo]);
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(expected) && stderr.contains("setup-dev.sh"),
            "{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn wrong_model_file_is_named() {
    let scratch = Scratch::new();
    let fake = scratch.dir.path().join("fake.onnx");
    std::fs::write(&fake, b"not a model").unwrap();
    let config = scratch.dir.path().join("frontdesk.toml");
    std::fs::write(
        &config,
        format!("[models]\nembedder = \"{}\"\n", fake.display()),
    )
    .unwrap();
    let output = scratch.run(&[
        "--config",
        config.to_str().unwrap(),
        "identify",
        &path("faces/single/ski_astronaut.png"),
    ]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("face embedder (SFace) model") && stderr.contains("fake.onnx"),
        "{stderr}"
    );
}

#[test]
fn people_list_is_a_table_for_people_and_json_lines_with_json() {
    let scratch = Scratch::new();
    assert_eq!(
        text(&scratch.run(&["people", "list"])),
        ["Nobody is enrolled yet; `frontdesk enroll` or `frontdesk import` adds people."]
    );
    assert!(scratch.run(&["people", "list", "--json"]).stdout.is_empty());
    let enrolled = text(&scratch.run(&[
        "enroll",
        "--consent",
        "--name",
        "Grace Hopper",
        "--detail",
        "phone=555-0100",
        &path("faces/single/mpl_grace_hopper.jpg"),
    ]));
    assert_eq!(enrolled, ["Enrolled Grace Hopper as #1 with 1 face."]);
    text(&scratch.run(&[
        "enroll",
        "--consent",
        "--name",
        "Barack Obama",
        &path("faces/barack_obama/fr_obama.jpg"),
    ]));

    let table = text(&scratch.run(&["people", "list"]));
    assert_eq!(table.len(), 3, "a header and one row each: {table:?}");
    let header = &table[0];
    let grace = table.iter().find(|l| l.contains("Grace Hopper")).unwrap();
    assert_eq!(cell(header, grace, "ID"), "1");
    assert_eq!(cell(header, grace, "NAME"), "Grace Hopper");
    assert_eq!(cell(header, grace, "FACES"), "1");
    assert_eq!(cell(header, grace, "CONSENT"), "yes");
    assert_eq!(cell(header, grace, "DETAILS"), "phone=555-0100");
    let obama = table.iter().find(|l| l.contains("Barack Obama")).unwrap();
    assert_eq!(cell(header, obama, "NAME"), "Barack Obama");

    let people = lines(&scratch.run(&["people", "list", "--json"]));
    let names: Vec<&str> = people.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Barack Obama", "Grace Hopper"]);

    let identified = text(&scratch.run(&["identify", &path("faces/single/mpl_grace_hopper.jpg")]));
    assert_eq!(identified.len(), 1, "{identified:?}");
    assert!(
        identified[0].ends_with("mpl_grace_hopper.jpg: Grace Hopper (#1, similarity 1.00)"),
        "{identified:?}"
    );
}

#[test]
fn audit_is_a_table_for_people_and_json_lines_with_json() {
    let scratch = Scratch::new();
    assert_eq!(text(&scratch.run(&["audit"])), ["The audit log is empty."]);
    text(&scratch.run(&[
        "enroll",
        "--consent",
        "--name",
        "Grace Hopper",
        &path("faces/single/mpl_grace_hopper.jpg"),
    ]));
    assert_eq!(
        text(&scratch.run(&["people", "delete", "1"])),
        ["Deleted #1 Grace Hopper with all their faces, details and visits."]
    );

    let table = text(&scratch.run(&["audit"]));
    assert_eq!(table.len(), 3, "{table:?}");
    let header = &table[0];
    assert!(header.starts_with("WHEN "), "{header}");
    assert_eq!(cell(header, &table[1], "ACTION"), "delete");
    assert_eq!(
        cell(header, &table[1], "DETAIL"),
        "person #1 with all photos, details and visits"
    );
    assert_eq!(cell(header, &table[2], "ACTION"), "enrol");

    let entries = lines(&scratch.run(&["audit", "--json"]));
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["delete", "enrol"]);
    assert!(entries[0]["at"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn doctor_says_ok_warn_or_fail_per_check_and_json_with_json() {
    let scratch = Scratch::new();
    let output = scratch
        .command(&["doctor"])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    let checks = text(&output);
    let words: Vec<Vec<&str>> = checks
        .iter()
        .map(|line| line.split_whitespace().collect())
        .collect();
    let names: Vec<&str> = words.iter().map(|w| w[1]).collect();
    assert_eq!(
        names,
        [
            "onnxruntime",
            "model.detector",
            "model.embedder",
            "database",
            "recognition",
            "backups",
            "fleet",
            "cameras",
            "display"
        ]
    );
    let status = |name: &str| words.iter().find(|w| w[1] == name).unwrap()[0];
    assert_eq!(status("database"), "ok");
    // Optional: the window cannot open, the command line works.
    assert_eq!(status("display"), "warn");
    let fleet = checks.iter().find(|l| l.contains(" fleet ")).unwrap();
    let detail = fleet.find("stand-alone kiosk (no fleet.url)").unwrap();
    let display = checks.iter().find(|l| l.contains(" display ")).unwrap();
    assert_eq!(
        display.find("no DISPLAY"),
        Some(detail),
        "details start in one column:\n{}",
        checks.join("\n")
    );

    // A required check that fails says so, and so does the exit status.
    let fake = scratch.dir.path().join("fake.onnx");
    std::fs::write(&fake, b"not a model").unwrap();
    let config = scratch.dir.path().join("frontdesk.toml");
    std::fs::write(
        &config,
        format!("[models]\nembedder = \"{}\"\n", fake.display()),
    )
    .unwrap();
    let broken = scratch.run(&["--config", config.to_str().unwrap(), "doctor"]);
    assert!(!broken.status.success());
    let stdout = String::from_utf8_lossy(&broken.stdout);
    let embedder = stdout
        .lines()
        .find(|l| l.contains("model.embedder"))
        .unwrap();
    assert!(embedder.starts_with("fail  model.embedder"), "{stdout}");
    let as_json = scratch.run(&["--config", config.to_str().unwrap(), "doctor", "--json"]);
    let embedder = lines(&as_json)
        .into_iter()
        .find(|c| c["check"] == "model.embedder")
        .unwrap();
    assert_eq!(embedder["ok"], false);
    assert_eq!(embedder["required"], true);
}

#[test]
fn watch_and_visits_speak_to_people_and_json_with_json() {
    let scratch = Scratch::new();
    text(&scratch.run(&[
        "enroll",
        "--consent",
        "--name",
        "Grace Hopper",
        &path("faces/single/mpl_grace_hopper.jpg"),
    ]));
    assert_eq!(text(&scratch.run(&["visits"])), ["No visits to show."]);
    let frames =
        crate::common::still_frames(scratch.dir.path(), "faces/single/mpl_grace_hopper.jpg", 20);
    let source = format!("images:{}", frames.display());
    let watched = text(&scratch.run(&["watch", "--source", &source]));
    assert!(
        watched
            .iter()
            .any(|l| l.contains(" recognized ") && l.ends_with(" Grace Hopper")),
        "{watched:?}"
    );

    let table = text(&scratch.run(&["visits"]));
    assert_eq!(table.len(), 2, "{table:?}");
    let header = &table[0];
    assert_eq!(cell(header, &table[1], "ID"), "1");
    assert_eq!(cell(header, &table[1], "NAME"), "Grace Hopper");
    assert!(cell(header, &table[1], "SOURCE").contains(&source));
    let similarity: f64 = cell(header, &table[1], "SIMILARITY").parse().unwrap();
    assert!(similarity > 0.5);

    let visits = lines(&scratch.run(&["visits", "--json"]));
    assert_eq!(visits.len(), 1);
    assert_eq!(visits[0]["person"]["name"], "Grace Hopper");
    let refused = scratch.run(&["visits", "--json", "--csv"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("cannot be used with"));
}
