//! Where the time of one webcam frame goes, stage by stage: decoding the JPEG, converting it to the
//! detector's input, the whole detection (full-size pass, 160-px probe, the coarse pass when the
//! probe sees a frame-filling face, output decoding, NMS), the upright view for faces that need it,
//! alignment, quality and SFace. Medians over 100 real 640x360 frames with one face each (from the
//! fixture clips, JPEG quality 92, as `benches/opencv/compare.py` makes them), with sessions of one
//! thread (as `embed`, `identify` and `enroll` run one engine per core) and of two (the kiosk).
//!
//! Run with `cargo bench --bench stages`.
// A benchmark that cannot set up has nothing to measure: it may unwrap and panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::time::Instant;

use common::{clip_frames, median, process_cpu_seconds};
use frontdesk::config::Config;
use frontdesk::resources;
use frontdesk::runtime;
use frontdesk::vision::align::align_face;
use frontdesk::vision::detector::{DetectorOptions, network_input};
use frontdesk::vision::image_io::decode_rgb;
use frontdesk::vision::quality::FaceQuality;
use frontdesk::vision::{FaceDetector, FaceEmbedder};
use image::RgbImage;

const FRAMES: usize = 100;
const ROUNDS: usize = 3;
const CLIPS: [&str; 3] = [
    "tests/fixtures/video/feat_single_face.mp4",
    "tests/fixtures/video/feat_noface_face.mov",
    "tests/fixtures/video/feat_face_noface.mov",
];

/// The stages, in the order a frame goes through them.
const STAGES: [&str; 7] = [
    "decode JPEG",
    "detector input (640 + 160 px)",
    "detection, whole",
    "upright view",
    "alignment",
    "quality",
    "SFace",
];

/// JPEG files (in memory) of the first `FRAMES` 640x360 frames of the clips that show one face.
fn webcam_frames(config: &Config, detector: &mut FaceDetector) -> Vec<Vec<u8>> {
    let mut jpegs = Vec::new();
    for clip in CLIPS {
        for frame in clip_frames(clip, config) {
            if jpegs.len() == FRAMES {
                break;
            }
            let image: RgbImage =
                image::imageops::resize(&frame, 640, 360, image::imageops::FilterType::Triangle);
            if detector.detect(&image).unwrap().len() != 1 {
                continue;
            }
            let mut jpeg = Vec::new();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 92)
                .encode_image(&image)
                .unwrap();
            jpegs.push(jpeg);
        }
    }
    assert_eq!(
        jpegs.len(),
        FRAMES,
        "the clips hold {FRAMES} frames with one face"
    );
    jpegs
}

fn models(config: &Config, threads: usize) -> (FaceDetector, FaceEmbedder) {
    let environment = runtime::environment(&config.runtime.onnxruntime).unwrap();
    let options = DetectorOptions {
        score_threshold: config.recognition.detection_score,
        max_side: config.recognition.max_detect_side,
    };
    let detector = FaceDetector::load(
        &environment,
        &resources::locate(&config.models.detector),
        threads,
        options,
    )
    .unwrap();
    let embedder = FaceEmbedder::load(
        &environment,
        &resources::locate(&config.models.embedder),
        threads,
    )
    .unwrap();
    (detector, embedder)
}

/// Milliseconds `work` took.
fn timed<T>(work: impl FnOnce() -> T) -> (T, f64) {
    let started = Instant::now();
    let result = work();
    (result, started.elapsed().as_secs_f64() * 1000.0)
}

/// Each stage's time for each frame, `ROUNDS` times over.
fn measure(
    jpegs: &[Vec<u8>],
    detector: &mut FaceDetector,
    embedder: &mut FaceEmbedder,
) -> Vec<Vec<f64>> {
    let mut times = vec![Vec::new(); STAGES.len()];
    let label = Path::new("frame.jpg");
    for _ in 0..ROUNDS {
        for jpeg in jpegs {
            let (frame, decode) = timed(|| decode_rgb(jpeg, label).unwrap());
            let (_, input) = timed(|| (network_input(&frame, 640), network_input(&frame, 160)));
            let (found, detection) = timed(|| detector.detect(&frame).unwrap());
            let face = found[0];
            let (face, upright) = timed(|| detector.upright(&frame, &face).unwrap());
            let (aligned, alignment) = timed(|| align_face(&frame, &face.landmarks).unwrap());
            let (_, quality) = timed(|| FaceQuality::measure(&face, &aligned));
            let (_, sface) = timed(|| embedder.embed(&aligned).unwrap());
            for (stage, ms) in [decode, input, detection, upright, alignment, quality, sface]
                .into_iter()
                .enumerate()
            {
                times[stage].push(ms);
            }
        }
    }
    times
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

fn main() {
    let config = Config::defaults().unwrap();
    let jpegs = webcam_frames(&config, &mut models(&config, 1).0);
    let (mut columns, mut cpu_per_frame) = (Vec::new(), Vec::new());
    for threads in [1, 2] {
        let (mut detector, mut embedder) = models(&config, threads);
        let cpu_before = process_cpu_seconds();
        columns.push(measure(&jpegs, &mut detector, &mut embedder));
        let cpu = process_cpu_seconds() - cpu_before;
        cpu_per_frame.push(format!("{:.2}", cpu * 1000.0 / (FRAMES * ROUNDS) as f64));
    }
    println!(
        "{FRAMES} frames of 640x360 with one face, {ROUNDS} rounds; ms per frame, median (mean)"
    );
    println!("| stage | 1 thread | 2 threads |");
    println!("|---|---|---|");
    for (stage, name) in STAGES.iter().enumerate() {
        let cells: Vec<String> = columns
            .iter()
            .map(|times| {
                let ms = &times[stage];
                format!("{:.2} ({:.2})", median(ms), mean(ms))
            })
            .collect();
        println!("| {name} | {} |", cells.join(" | "));
    }
    // The detector input is part of the whole detection: it is not added again.
    let totals: Vec<String> = columns
        .iter()
        .map(|times| {
            let sum: f64 = times
                .iter()
                .enumerate()
                .filter(|(stage, _)| *stage != 1)
                .map(|(_, ms)| mean(ms))
                .sum();
            format!("({sum:.2})")
        })
        .collect();
    println!("| one frame, all stages | {} |", totals.join(" | "));
    println!(
        "| CPU time of one frame (all threads) | {} |",
        cpu_per_frame.join(" | ")
    );
}
