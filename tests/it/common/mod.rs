//! Helpers shared by the integration tests: fixture paths and OpenCV's reference results.

pub mod kiosk;
pub mod postgres;
pub mod screens;

use std::path::{Path, PathBuf};

use frontdesk::config::Config;
use frontdesk::engine::FaceEngine;
use frontdesk::gallery::{Gallery, NewPerson};

pub fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative)
}

pub fn engine() -> FaceEngine {
    FaceEngine::load(&Config::defaults().unwrap()).unwrap()
}

/// A recognition worker driven frame by frame by the test, on a new gallery in `home`, with the
/// default settings as `configure` leaves them.
pub fn worker(
    home: &Path,
    configure: impl FnOnce(&mut frontdesk::recognizer::WorkerSettings),
) -> frontdesk::recognizer::Worker {
    let engine = engine();
    let gallery = Gallery::open(&home.join("gallery.db"), engine.model_id()).unwrap();
    let config = Config::defaults().unwrap();
    let mut settings = frontdesk::recognizer::WorkerSettings::from_config(&config, "test".into());
    configure(&mut settings);
    frontdesk::recognizer::Worker::new(engine, gallery, settings)
}

/// Barack Obama enrolled, with consent, in the gallery at `db` from one photo of him.
pub fn enroll_obama(db: &Path) -> i64 {
    let person = NewPerson {
        name: "Barack Obama".into(),
        consent: true,
        ..Default::default()
    };
    enroll_fixture(db, &person, "faces/barack_obama/fr_obama.jpg")
}

/// Barack Obama enrolled from one photo (in `dir`'s gallery.db), and frames of him standing at the
/// desk in another.
pub fn enrolled_obama_at_the_desk(dir: &Path) -> (PathBuf, PathBuf) {
    let frames = still_frames(dir, "faces/barack_obama/fr_obama2.jpg", 400);
    let db = dir.join("gallery.db");
    enroll_obama(&db);
    (frames, db)
}

/// Enrols `person` in the gallery at `db` from the largest face of a fixture photo, through the
/// library (no duplicate check, as when the gallery was filled earlier).
pub fn enroll_fixture(db: &Path, person: &NewPerson, photo: &str) -> i64 {
    let mut engine = engine();
    let mut gallery = Gallery::open(db, engine.model_id()).unwrap();
    let image = frontdesk::vision::image_io::load_rgb(&fixture(photo)).unwrap();
    let mut faces = engine.analyze(&image).unwrap();
    faces.sort_by(|a, b| b.detection.bbox.area().total_cmp(&a.detection.bbox.area()));
    gallery
        .enroll(
            person,
            &[frontdesk::enrollment::new_face(
                &faces[0],
                engine.model_id(),
            )],
        )
        .unwrap()
}

/// A frame folder that shows one photo on a 640x480 canvas, as a webcam would show a visitor
/// standing still.
pub fn still_frames(dir: &Path, photo: &str, frames: usize) -> PathBuf {
    still_frames_sized(dir, photo, 640, 480, frames)
}

/// [`still_frames`] on a `width`×`height` canvas.
pub fn still_frames_sized(
    dir: &Path,
    photo: &str,
    width: u32,
    height: u32,
    frames: usize,
) -> PathBuf {
    let folder = dir.join("frames");
    std::fs::create_dir_all(&folder).unwrap();
    let photo = image::open(fixture(photo)).unwrap().into_rgb8();
    let mut canvas = image::RgbImage::from_pixel(width, height, image::Rgb([90, 90, 96]));
    let scaled = image::imageops::resize(&photo, 340, 400, image::imageops::FilterType::Triangle);
    image::imageops::overlay(&mut canvas, &scaled, 150, 40);
    let first = folder.join("frame_0000.png");
    canvas.save(&first).unwrap();
    for index in 1..frames {
        std::fs::hard_link(&first, folder.join(format!("frame_{index:04}.png"))).unwrap();
    }
    folder
}

/// A fixed-offset time zone (for `TZ`) in which it is about noon now, so that no day boundary and
/// no morning schedule falls inside a test that runs at any hour of the day.
pub fn noon_zone() -> String {
    let utc_hour = i64::from(
        jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .hour(),
    );
    let offset = 12 - utc_hour;
    // POSIX sign convention: Etc/GMT-2 is two hours ahead of UTC.
    if offset >= 0 {
        format!("Etc/GMT-{offset}")
    } else {
        format!("Etc/GMT+{}", -offset)
    }
}

/// The `frontdesk` program on the gallery `db` with the settings in `config`.
pub fn frontdesk_cli(db: &Path, config: &Path) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_frontdesk"));
    command.arg("--db").arg(db).arg("--config").arg(config);
    command
}

/// Enrols Barack Obama (with consent) from one photo through the command line, on the gallery
/// `db` with the settings in `config`.
pub fn enroll_obama_cli(db: &Path, config: &Path) {
    let output = frontdesk_cli(db, config)
        .args(["enroll", "--consent", "--name", "Barack Obama"])
        .arg(fixture("faces/barack_obama/fr_obama.jpg"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[derive(Debug, serde::Deserialize)]
pub struct ReferenceImage {
    pub image: String,
    pub width: u32,
    pub height: u32,
    pub faces: Vec<ReferenceFace>,
}

#[derive(Debug, serde::Deserialize)]
pub struct ReferenceFace {
    #[serde(rename = "box")]
    pub bbox: [f32; 4],
    // Part of the reference file's format; no test compares them yet.
    #[allow(dead_code)]
    pub score: f32,
    #[allow(dead_code)]
    pub landmarks: [[f32; 2]; 5],
    pub embedding: Vec<f32>,
}

/// OpenCV's YuNet + SFace results on every fixture image.
pub fn reference() -> Vec<ReferenceImage> {
    let text = std::fs::read_to_string(fixture("reference.ndjson")).unwrap();
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

pub fn iou(a: [f32; 4], b: [f32; 4]) -> f32 {
    let left = a[0].max(b[0]);
    let top = a[1].max(b[1]);
    let right = (a[0] + a[2]).min(b[0] + b[2]);
    let bottom = (a[1] + a[3]).min(b[1] + b[3]);
    let inter = (right - left).max(0.0) * (bottom - top).max(0.0);
    inter / (a[2] * a[3] + b[2] * b[3] - inter)
}

/// Copies the first `count` photos of a fixture John into `<import>/<name>/` (an import folder).
pub fn person_folder(import: &Path, name: &str, john: &str, count: usize) -> PathBuf {
    let folder = import.join(name);
    std::fs::create_dir_all(&folder).unwrap();
    let mut photos: Vec<PathBuf> = std::fs::read_dir(fixture(&format!("johns/{john}")))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    photos.sort();
    for photo in photos.into_iter().take(count) {
        std::fs::copy(&photo, folder.join(photo.file_name().unwrap())).unwrap();
    }
    folder
}
