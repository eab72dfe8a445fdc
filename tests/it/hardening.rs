//! Hostile conditions for the command line: outputs that cannot be written, files that are not
//! what they seem, inputs a mischievous visitor would try.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::common::fixture;

/// `frontdesk` with its own gallery, config folder and the given stdout.
fn frontdesk(home: &Path, args: &[&str], stdout: Stdio) -> Output {
    Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .arg("--db")
        .arg(home.join("gallery.db"))
        .args(args)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env_remove("FRONTDESK_DB")
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

fn dev_full() -> Stdio {
    std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap()
        .into()
}

fn photo(relative: &str) -> String {
    fixture(relative).display().to_string()
}

#[test]
fn enrolling_into_a_full_stdout_says_so_and_exits_74_without_panicking() {
    let home = tempfile::tempdir().unwrap();
    let output = frontdesk(
        home.path(),
        &[
            "enroll",
            "--name",
            "Barack Obama",
            "--consent",
            &photo("faces/barack_obama/fr_obama.jpg"),
        ],
        dev_full(),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(74), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("standard output"), "{stderr}");
    // The person was saved before the result line failed: the message must not hide that.
    let listed = frontdesk(home.path(), &["people", "list"], Stdio::piped());
    assert!(String::from_utf8_lossy(&listed.stdout).contains("Barack Obama"));
}

#[test]
fn csv_into_a_full_stdout_exits_74() {
    let home = tempfile::tempdir().unwrap();
    let output = frontdesk(home.path(), &["audit", "--csv"], dev_full());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(74), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_crowd_is_processed_but_only_the_largest_faces_are_embedded() {
    use frontdesk::camera::Frame;
    use frontdesk::recognizer::RecognizerEvent;
    let home = tempfile::tempdir().unwrap();
    let config = frontdesk::config::Config::defaults().unwrap();
    assert_eq!(
        config.recognition.max_faces_per_frame, 8,
        "the documented default"
    );
    let mut worker =
        crate::common::worker(home.path(), |settings| settings.max_faces_per_frame = 3);
    let image = frontdesk::vision::image_io::load_rgb(&fixture("group/insf_t1.jpg")).unwrap();
    let frame = Frame {
        image: std::sync::Arc::new(image),
        sequence: 0,
        captured_at: std::time::Instant::now(),
        media_time: None,
    };
    let report = worker
        .process_frame(&frame)
        .into_iter()
        .find_map(|event| match event {
            RecognizerEvent::Frame(report) => Some(report),
            _ => None,
        })
        .unwrap();
    assert!(report.tracks.len() > 3, "{} faces", report.tracks.len());
    // An embedded face keeps an enrolment sample; one that was not has none.
    let embedded: Vec<_> = report
        .tracks
        .iter()
        .filter(|t| t.best_sample.is_some())
        .collect();
    assert_eq!(embedded.len(), 3);
    let smallest_embedded = embedded
        .iter()
        .map(|t| t.detection.bbox.area())
        .fold(f32::INFINITY, f32::min);
    let largest_skipped = report
        .tracks
        .iter()
        .filter(|t| t.best_sample.is_none())
        .map(|t| t.detection.bbox.area())
        .fold(0.0, f32::max);
    assert!(smallest_embedded >= largest_skipped);
}
