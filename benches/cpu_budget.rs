//! What the recognition loop costs in CPU: cores used on an empty scene and with a visitor at the
//! desk, each a 20-second 640x480 clip at 30 fps, played as JPEG frames (as an MJPEG webcam delivers
//! them) through the real capture thread and recognition worker, with where the time goes.
//!
//! The clips are made from the fixtures on first use (target/cpu-budget/): the empty room at the end
//! of tests/fixtures/video/feat_face_noface.mov and the man of feat_single_face.mp4, both cropped to
//! 640x480, with Gaussian sensor noise (sigma 2.5 grey levels, fixed seed) on every frame, JPEG
//! quality 90. The same folders reproduce it as a whole process:
//! `/usr/bin/time -v frontdesk watch --source images:target/cpu-budget/idle` (kiosk.images_fps = 30).
//!
//! Each clip is played three times in this process: with the detector on every frame (the loop as
//! it was, `recognition.detect_every_frame = true`) as the baseline, with the detection schedule as
//! the kiosk window runs it (every frame with someone in view is decoded, to be drawn), and with
//! the schedule as `watch` and `serve` run it (no window: only the frames the detector looks at).
//!
//! Run with `cargo bench --bench cpu_budget`. Time to greet: `cargo bench --bench time_to_greet`.
// A benchmark that cannot set up has nothing to measure: it may unwrap and panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use common::{clip_frames, cpu_of_stat, median, process_cpu_seconds, repo};
use frontdesk::camera::{CameraSettings, CaptureHandle, SourceSpec};
use frontdesk::config::Config;
use frontdesk::engine::FaceEngine;
use frontdesk::gallery::Gallery;
use frontdesk::recognizer::{RecognizerEvent, Worker, WorkerSettings};
use frontdesk::vision::image_io::load_rgb;
use image::RgbImage;

const FPS: f32 = 30.0;
const SECONDS: usize = 20;
const NOISE_SIGMA: f32 = 2.5;
/// How often the threads' CPU figures are read while a clip plays.
const THREAD_SAMPLING: Duration = Duration::from_millis(250);

/// `image` scaled to cover 640x480 and cropped to it, centred.
fn webcam_sized(image: &RgbImage) -> RgbImage {
    let scale = (640.0 / image.width() as f32).max(480.0 / image.height() as f32);
    let (w, h) = (
        (image.width() as f32 * scale).round() as u32,
        (image.height() as f32 * scale).round() as u32,
    );
    let scaled = image::imageops::resize(image, w, h, image::imageops::FilterType::Triangle);
    image::imageops::crop_imm(&scaled, (w - 640) / 2, (h - 480) / 2, 640, 480).to_image()
}

/// A seeded normal noise source (xorshift + Box-Muller), so that every run sees the same clip.
struct Noise(u64);

impl Noise {
    fn uniform(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 40) as f32 + 0.5) / (1u64 << 24) as f32
    }

    fn add_to(&mut self, image: &mut RgbImage) {
        for value in image.iter_mut() {
            let (u, v) = (self.uniform(), self.uniform());
            let normal = (-2.0 * u.ln()).sqrt() * (std::f32::consts::TAU * v).cos();
            *value = (f32::from(*value) + NOISE_SIGMA * normal)
                .round()
                .clamp(0.0, 255.0) as u8;
        }
    }
}

/// Writes `SECONDS` of frames taken in turn from `scene` (forwards, then backwards, so that a short
/// clip loops without a jump), each with fresh noise.
fn write_clip(folder: &Path, scene: &[RgbImage]) {
    if folder.join("done").exists() {
        return;
    }
    std::fs::create_dir_all(folder).unwrap();
    let mut noise = Noise(0x9E37_79B9_7F4A_7C15);
    let cycle: Vec<&RgbImage> = scene.iter().chain(scene.iter().rev()).collect();
    for index in 0..SECONDS * FPS as usize {
        let mut frame = cycle[index % cycle.len()].clone();
        noise.add_to(&mut frame);
        let file = std::fs::File::create(folder.join(format!("{index:05}.jpg"))).unwrap();
        let mut writer = std::io::BufWriter::new(file);
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut writer, 90)
            .encode_image(&frame)
            .unwrap();
    }
    std::fs::write(folder.join("done"), b"").unwrap();
}

/// CPU seconds of each living thread of this process, by thread id.
fn thread_cpu_seconds() -> HashMap<u32, (String, f64)> {
    let mut threads = HashMap::new();
    for entry in std::fs::read_dir("/proc/self/task").unwrap() {
        let entry = entry.unwrap();
        // A thread may end between listing and reading.
        if let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) {
            let tid = entry.file_name().to_string_lossy().parse().unwrap();
            threads.insert(tid, cpu_of_stat(&stat));
        }
    }
    threads
}

/// CPU seconds used between two snapshots by the threads named `camera` (reading and decoding
/// frames) and by all the others (the worker and ONNX Runtime's threads; the bench's own main
/// thread only waits).
fn camera_and_rest(
    before: &HashMap<u32, (String, f64)>,
    after: &HashMap<u32, (String, f64)>,
) -> (f64, f64) {
    let (mut camera, mut rest) = (0.0, 0.0);
    for (tid, (name, seconds)) in after {
        let used = seconds - before.get(tid).map_or(0.0, |(_, earlier)| *earlier);
        if name == "camera" {
            camera += used;
        } else {
            rest += used;
        }
    }
    (camera, rest)
}

/// How the worker is set up for a run.
#[derive(Clone, Copy)]
enum Loop {
    /// The detector on every frame, every frame decoded: the loop as it was.
    EveryFrame,
    /// The detection schedule, frames drawn by a window.
    Window,
    /// The detection schedule without a window (`watch`, `serve`).
    Headless,
}

impl Loop {
    fn name(self) -> &'static str {
        match self {
            Self::EveryFrame => "every frame",
            Self::Window => "scheduled, window",
            Self::Headless => "scheduled, no window",
        }
    }
}

struct Run {
    cores: f64,
    /// Cores used by the camera thread: reading and decoding frames.
    camera_cores: f64,
    /// Cores used by the recognition worker and ONNX Runtime's threads.
    recognition_cores: f64,
    frames: u64,
    detections: u64,
    embeddings: u64,
    greetings: u64,
    /// Wall time of one detector look and of one face's embedding, medians.
    detect_ms: f64,
    embed_ms: f64,
    wall: Duration,
}

/// Plays `folder` through the capture thread and the worker, counting CPU from the first frame the
/// worker reports to the end of the clip.
fn play(folder: &Path, config: &Config, db: &Path, mode: Loop) -> Run {
    let engine = FaceEngine::load(config).unwrap();
    let gallery = Gallery::open(db, engine.model_id()).unwrap();
    let mut worker_settings = WorkerSettings::from_config(config, "bench".into());
    worker_settings.visit_cooldown_minutes = 0;
    worker_settings.detect_every_frame = matches!(mode, Loop::EveryFrame);
    worker_settings.frames_drawn = !matches!(mode, Loop::Headless);
    let mut camera = CameraSettings::from_config(&config.kiosk);
    camera.images_fps = FPS;
    let capture = CaptureHandle::start(SourceSpec::Images(folder.to_path_buf()), camera).unwrap();
    let (sender, events) = frontdesk::recognizer::event_channel();
    let worker = Worker::new(engine, gallery, worker_settings)
        .spawn(capture.slot(), sender, Box::new(|_| {}))
        .unwrap();
    let mut start = None;
    let (mut frames, mut greetings) = (0, 0);
    let (mut detect_ms, mut embed_ms) = (Vec::new(), Vec::new());
    // The camera thread ends with the clip, before the last event: threads are sampled as they
    // go, so that an ended thread keeps its last figure (at most a sampling period short).
    let mut threads_seen = HashMap::new();
    let mut sampled = Instant::now();
    while let Ok(event) = events.recv_timeout(Duration::from_secs(30)) {
        if start.is_some() && sampled.elapsed() >= THREAD_SAMPLING {
            threads_seen.extend(thread_cpu_seconds());
            sampled = Instant::now();
        }
        match event {
            RecognizerEvent::Frame(report) => {
                if start.is_none() {
                    start = Some((Instant::now(), process_cpu_seconds(), thread_cpu_seconds()));
                    continue;
                }
                frames += 1;
                if report.detected {
                    detect_ms.push(f64::from(report.detect_ms));
                }
                for _ in 0..report.faces_embedded {
                    embed_ms.push(f64::from(report.embed_ms));
                }
            }
            RecognizerEvent::Greeting { .. } => greetings += 1,
            RecognizerEvent::SourceEnded => break,
            _ => {}
        }
    }
    threads_seen.extend(thread_cpu_seconds());
    let (started, cpu_at_start, threads_at_start) = start.expect("the clip played");
    let wall = started.elapsed();
    let cpu = process_cpu_seconds() - cpu_at_start;
    drop(worker);
    drop(capture);
    let seconds = wall.as_secs_f64();
    let (camera_cpu, recognition_cpu) = camera_and_rest(&threads_at_start, &threads_seen);
    Run {
        cores: cpu / seconds,
        camera_cores: camera_cpu / seconds,
        recognition_cores: recognition_cpu / seconds,
        frames,
        detections: detect_ms.len() as u64,
        embeddings: embed_ms.len() as u64,
        greetings,
        detect_ms: median(&detect_ms),
        embed_ms: median(&embed_ms),
        wall,
    }
}

/// Mean time to decode one frame of `folder`, the capture thread's work per frame.
fn decode_ms(folder: &Path) -> f64 {
    let started = Instant::now();
    let count = 60;
    for index in 0..count {
        load_rgb(&folder.join(format!("{index:05}.jpg"))).unwrap();
    }
    started.elapsed().as_secs_f64() * 1000.0 / f64::from(count)
}

fn main() {
    let config = Config::defaults().unwrap();
    let root = repo("target/cpu-budget");
    let idle_clip = clip_frames("tests/fixtures/video/feat_face_noface.mov", &config);
    let empty_room = webcam_sized(idle_clip.last().unwrap());
    write_clip(&root.join("idle"), std::slice::from_ref(&empty_room));
    let visitor: Vec<RgbImage> = clip_frames("tests/fixtures/video/feat_single_face.mp4", &config)
        .iter()
        .map(webcam_sized)
        .collect();
    write_clip(&root.join("visitor"), &visitor);

    // The man is enrolled from a frame of the visitor clip, as staff would at the desk.
    let mut engine = FaceEngine::load(&config).unwrap();
    let face = engine.analyze(&visitor[20]).unwrap().remove(0);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    common::gallery_with_sam(&db, &face, engine.model_id());
    drop(engine);

    println!(
        "| clip | loop | cores | camera thread (read, decode) | worker + ONNX Runtime threads | frames decoded | detector looks | embeddings | greetings | decode ms/frame | detection ms/look | embedding ms/face |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for name in ["idle", "visitor"] {
        let folder = root.join(name);
        let decode = decode_ms(&folder);
        for mode in [Loop::EveryFrame, Loop::Window, Loop::Headless] {
            report(name, mode, &play(&folder, &config, &db, mode), decode);
        }
    }
}

/// One row of the table.
fn report(clip: &str, mode: Loop, run: &Run, decode_ms: f64) {
    println!(
        "| {clip} | {} | {:.3} | {:.3} | {:.3} | {} in {:.1} s | {} | {} | {} | {decode_ms:.2} | {:.1} | {:.1} |",
        mode.name(),
        run.cores,
        run.camera_cores,
        run.recognition_cores,
        run.frames,
        run.wall.as_secs_f64(),
        run.detections,
        run.embeddings,
        run.greetings,
        run.detect_ms,
        run.embed_ms,
    );
}
