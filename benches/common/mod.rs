//! What the benchmarks share: fixture frames and bare ONNX Runtime sessions as baselines.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use frontdesk::config::Config;
use frontdesk::runtime;
use frontdesk::vision::detector::session_builder;
use image::RgbImage;
use ort::session::Session;

/// A path inside the repository.
pub fn repo(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

pub fn fixture(relative: &str) -> PathBuf {
    repo("tests/fixtures").join(relative)
}

/// A gallery at `db` holding one consenting visitor, Sam Carter, enrolled from `face`.
pub fn gallery_with_sam(db: &Path, face: &frontdesk::engine::AnalyzedFace, model_id: &str) {
    let mut gallery = frontdesk::gallery::Gallery::open(db, model_id).unwrap();
    gallery
        .enroll(
            &frontdesk::gallery::NewPerson {
                name: "Sam Carter".into(),
                consent: true,
                ..Default::default()
            },
            &[frontdesk::enrollment::new_face(face, model_id)],
        )
        .unwrap();
}

pub fn load(relative: &str) -> RgbImage {
    frontdesk::vision::image_io::load_rgb(&fixture(relative)).unwrap_or_else(|e| panic!("{e}"))
}

/// A visitor at a webcam: a portrait on a 640x480 frame.
pub fn webcam_frame() -> RgbImage {
    let photo = load("faces/single/mpl_grace_hopper.jpg");
    let scaled = image::imageops::resize(&photo, 255, 300, image::imageops::FilterType::Triangle);
    let mut canvas = RgbImage::from_pixel(640, 480, image::Rgb([90, 90, 96]));
    image::imageops::overlay(&mut canvas, &scaled, 190, 90);
    canvas
}

/// A plain ONNX Runtime session on a model file, with the engine's session options.
pub fn raw_session(config: &Config, model: &Path) -> Session {
    let environment =
        runtime::environment(&config.runtime.onnxruntime).unwrap_or_else(|e| panic!("{e}"));
    session_builder(&environment, config.inference_threads())
        .and_then(|mut b| b.commit_from_file(model))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// CPU seconds (utime + stime) of one `/proc/.../stat` line, in the kernel's USER_HZ ticks (100
/// a second on Linux), with the thread's name.
pub fn cpu_of_stat(stat: &str) -> (String, f64) {
    let name = &stat[stat.find('(').unwrap() + 1..stat.rfind(')').unwrap()];
    let after_name = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    (name.to_string(), ticks as f64 / 100.0)
}

/// CPU seconds this process has used, all threads, living and ended.
pub fn process_cpu_seconds() -> f64 {
    cpu_of_stat(&std::fs::read_to_string("/proc/self/stat").unwrap()).1
}

/// The middle value (the upper one of an even count); 0 when there is none.
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(0.0)
}

/// All frames of a clip in the repository, as the video source decodes them.
pub fn clip_frames(relative: &str, config: &Config) -> Vec<RgbImage> {
    let settings = frontdesk::camera::CameraSettings::from_config(&config.kiosk);
    let spec = frontdesk::camera::SourceSpec::Video(repo(relative));
    let mut source = frontdesk::camera::open_source(&spec, &settings).unwrap();
    let mut frames = Vec::new();
    while let Some(frame) = source.next_frame().unwrap() {
        frames.push(frame.image);
    }
    frames
}
