//! The recognition loop end to end through `frontdesk watch`, on real clips and frame folders.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::fixture;
use frontdesk::camera::{CameraSettings, SourceSpec, open_source};
use frontdesk::config::PixelFormat;
use serde_json::Value;

fn settings() -> CameraSettings {
    CameraSettings {
        width: 640,
        height: 480,
        format: PixelFormat::Any,
        images_fps: 10.0,
    }
}

/// Saves frame `index` of a clip as a PNG, for enrolling the person in it.
fn frame_of(clip: &str, index: usize, out: &Path) -> PathBuf {
    let mut source = open_source(&SourceSpec::Video(fixture(clip)), &settings()).unwrap();
    let mut frame = None;
    for _ in 0..=index {
        frame = source.next_frame().unwrap();
    }
    let path = out.join(format!("frame_{index}.png"));
    frame.unwrap().image.save(&path).unwrap();
    path
}

/// Runs the command line with `--json` on `db`: whether it succeeded, its lines and its stderr.
fn frontdesk(db: &Path, args: &[&str]) -> (bool, Vec<Value>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .arg("--db")
        .arg(db)
        .args(args)
        .arg("--json")
        .env("XDG_CONFIG_HOME", db.with_extension("config"))
        .output()
        .unwrap();
    let lines = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (
        output.status.success(),
        lines,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Enrols Barack Obama from one photo through the command line.
fn enroll_obama(db: &Path) {
    let photo = fixture("faces/barack_obama/fr_obama.jpg");
    let (ok, _, stderr) = frontdesk(
        db,
        &[
            "enroll",
            "--consent",
            "--name",
            "Barack Obama",
            photo.to_str().unwrap(),
        ],
    );
    assert!(ok, "{stderr}");
}

fn watch(db: &Path, source: &str) -> Vec<Value> {
    let (ok, events, stderr) = frontdesk(db, &["watch", "--source", source]);
    assert!(ok, "{stderr}");
    events
}

fn kinds(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_owned())
        .collect()
}

fn visits(db: &Path) -> Vec<Value> {
    frontdesk(db, &["visits"]).1
}

#[test]
fn known_visitor_arriving_is_recognised_and_logged_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    // Enrol the man from a frame of a different clip than the one watched.
    let photo = frame_of("video/feat_single_face.mp4", 20, dir.path());
    let (ok, _, stderr) = frontdesk(
        &db,
        &[
            "enroll",
            "--consent",
            "--name",
            "Sam Carter",
            photo.to_str().unwrap(),
        ],
    );
    assert!(ok, "{stderr}");

    let clip = format!("video:{}", fixture("video/feat_noface_face.mov").display());
    let events = watch(&db, &clip);
    assert_eq!(
        kinds(&events),
        vec!["arrived", "recognized", "left"],
        "{events:?}"
    );
    let recognized = &events[1];
    assert_eq!(recognized["person"]["name"], "Sam Carter");
    assert!(recognized["similarity"].as_f64().unwrap() > 0.45);
    // He walks in after an empty doorway: the clip's first seconds show nobody.
    assert!(events[0]["t_ms"].as_u64().unwrap() > 1000);
    assert!(recognized["t_ms"].as_u64() >= events[0]["t_ms"].as_u64());

    let logged = visits(&db);
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0]["person"]["name"], "Sam Carter");
    assert!(
        logged[0]["source"]
            .as_str()
            .unwrap()
            .starts_with("watch:video:")
    );

    // Seen again within the cool-down: greeted, but still one visit.
    let again = watch(&db, &clip);
    assert!(kinds(&again).contains(&"recognized".to_owned()));
    assert_eq!(visits(&db).len(), 1);
}

#[test]
fn stranger_stays_unknown_and_nothing_is_logged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    enroll_obama(&db);

    let events = watch(
        &db,
        &format!("video:{}", fixture("video/feat_single_face.mp4").display()),
    );
    assert!(kinds(&events).contains(&"unknown".to_owned()), "{events:?}");
    assert!(events.iter().all(|e| e["person"].is_null()), "{events:?}");
    assert!(visits(&db).is_empty());
}

#[test]
fn empty_scene_reports_and_logs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    let events = watch(
        &db,
        &format!("video:{}", fixture("video/feat_no_face.mp4").display()),
    );
    assert!(events.is_empty(), "{events:?}");
    assert!(visits(&db).is_empty());
}

#[test]
fn frame_folder_plays_in_name_order_and_recognises_the_visitor() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    enroll_obama(&db);
    // Ten frames of an empty scene, then fifteen of him (another photo than the enrolled one).
    let frames = dir.path().join("frames");
    std::fs::create_dir(&frames).unwrap();
    let empty = fixture("negatives/skl_flower.jpg");
    let visitor = fixture("faces/barack_obama/clm_obama4_crop.jpg");
    for index in 0..25 {
        let source = if index < 10 { &empty } else { &visitor };
        std::fs::copy(source, frames.join(format!("{index:03}.jpg"))).unwrap();
    }
    let events = watch(&db, &format!("images:{}", frames.display()));
    assert_eq!(
        kinds(&events),
        vec!["arrived", "recognized", "left"],
        "{events:?}"
    );
    assert_eq!(events[1]["person"]["name"], "Barack Obama");
    assert!(
        events[0]["t_ms"].as_u64().unwrap() >= 1000,
        "arrives after the ten empty frames at 10 fps"
    );
    assert_eq!(visits(&db).len(), 1);
}

#[test]
fn unreadable_source_fails_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    let bogus = dir.path().join("clip.mp4");
    std::fs::write(&bogus, b"not a video at all").unwrap();
    let (ok, events, stderr) = frontdesk(
        &db,
        &["watch", "--source", &format!("video:{}", bogus.display())],
    );
    assert!(!ok);
    assert!(events.is_empty());
    assert!(
        stderr.contains("cannot play video") && stderr.contains("clip.mp4"),
        "{stderr}"
    );
    let (ok, _, stderr) = frontdesk(&db, &["watch", "--source", "tv:3"]);
    assert!(!ok);
    assert!(stderr.contains("not a frame source"), "{stderr}");
}

/// Once every face in view is decided, the detector skips most frames; those frames must still
/// show the faces (their boxes and names stay on screen, and Capture finds a face to enrol).
#[test]
fn frames_the_detector_skips_still_show_the_faces_in_view() {
    use frontdesk::camera::Frame;
    use frontdesk::recognizer::{FrameReport, RecognizerEvent, TrackLabel};
    use std::time::{Duration, Instant};

    let home = tempfile::tempdir().unwrap();
    let mut worker = crate::common::worker(home.path(), |_| {});
    let image = std::sync::Arc::new(
        frontdesk::vision::image_io::load_rgb(&fixture("faces/single/mpl_grace_hopper.jpg"))
            .unwrap(),
    );
    let start = Instant::now();
    let reports: Vec<Box<FrameReport>> = (0..30u32)
        .map(|index| Frame {
            image: std::sync::Arc::clone(&image),
            sequence: u64::from(index),
            captured_at: start + Duration::from_millis(33) * index,
            media_time: None,
        })
        .filter_map(|frame| {
            worker
                .process_frame(&frame)
                .into_iter()
                .find_map(|event| match event {
                    RecognizerEvent::Frame(report) => Some(report),
                    _ => None,
                })
        })
        .collect();
    let skipped: Vec<&FrameReport> = reports
        .iter()
        .map(|r| &**r)
        .filter(|r| !r.detected)
        .collect();
    assert!(
        !skipped.is_empty(),
        "a decided stranger at the desk needs no detection every frame"
    );
    for report in skipped {
        assert_eq!(report.tracks.len(), 1, "the face stays on screen");
        assert_eq!(report.tracks[0].label, TrackLabel::Unknown);
        assert!(
            report.tracks[0].best_sample.is_some(),
            "Capture has a face to enrol"
        );
    }
}
