//! Time to greet: from the first camera frame in which a known visitor's face is visible to the
//! greeting event reaching the UI thread, on a real clip of a man walking up to the camera, played
//! at its own frame rate through the real capture thread and recognition worker.
//!
//! Run with `cargo bench --bench time_to_greet`.
// A benchmark that cannot set up has nothing to measure: it may unwrap and panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::repo;
use frontdesk::camera::{CameraSettings, CaptureHandle, SourceSpec, open_source};
use frontdesk::config::Config;
use frontdesk::engine::FaceEngine;
use frontdesk::gallery::Gallery;
use frontdesk::recognizer::{RecognizerEvent, Worker, WorkerSettings};

const RUNS: usize = 7;
const CLIP: &str = "assets/demo/arrive.mov";

fn mode(every_frame: bool) -> &'static str {
    if every_frame {
        "detector on every frame"
    } else {
        "detection schedule"
    }
}

fn settings(config: &Config) -> CameraSettings {
    CameraSettings::from_config(&config.kiosk)
}

fn main() {
    let config = Config::defaults().unwrap();
    let mut engine = FaceEngine::load(&config).unwrap_or_else(|e| panic!("{e}"));
    let min_face = engine.min_face_px();

    // Enrol the man from another clip of him.
    let mut other = open_source(
        &SourceSpec::Video(repo("tests/fixtures/video/feat_single_face.mp4")),
        &settings(&config),
    )
    .unwrap();
    let mut photo = None;
    for _ in 0..20 {
        photo = other.next_frame().unwrap();
    }
    let photo = photo.unwrap().image;
    let face = engine.analyze(&photo).unwrap().remove(0);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    common::gallery_with_sam(&db, &face, engine.model_id());

    // The first frame in which his face is big enough to recognise.
    let mut clip = open_source(&SourceSpec::Video(repo(CLIP)), &settings(&config)).unwrap();
    let mut first_face = None;
    while let Some(frame) = clip.next_frame().unwrap() {
        let visible = engine
            .detect(&frame.image)
            .unwrap()
            .iter()
            .any(|d| d.bbox.min_side() >= min_face);
        if visible {
            first_face = frame.media_time;
            break;
        }
    }
    let first_face = first_face.expect("the clip shows a face");
    drop(engine);

    // Interleaved, so that both see the same machine: the detector on every frame (the baseline) and
    // on the detection schedule (the default).
    let mut results = [Vec::new(), Vec::new()];
    for run in 0..2 * RUNS {
        let every_frame = run % 2 == 0;
        let engine = FaceEngine::load(&config).unwrap();
        let gallery = Gallery::open(&db, engine.model_id()).unwrap();
        let mut worker_settings = WorkerSettings::from_config(&config, "bench".into());
        // Every run counts as a new visit, as a fresh visitor would.
        worker_settings.visit_cooldown_minutes = 0;
        worker_settings.detect_every_frame = every_frame;
        let capture =
            CaptureHandle::start(SourceSpec::Video(repo(CLIP)), settings(&config)).unwrap();
        let (sender, events) = frontdesk::recognizer::event_channel();
        let worker = Worker::new(engine, gallery, worker_settings)
            .spawn(capture.slot(), sender, Box::new(|_| {}))
            .unwrap();
        let mut clip_start: Option<Instant> = None;
        let mut greeted = None;
        while let Ok(event) = events.recv_timeout(Duration::from_secs(30)) {
            match event {
                RecognizerEvent::Frame(report) if clip_start.is_none() => {
                    clip_start = report
                        .frame
                        .media_time
                        .map(|t| report.frame.captured_at - t);
                }
                RecognizerEvent::Greeting { .. } => {
                    greeted = Some(Instant::now());
                    break;
                }
                RecognizerEvent::SourceEnded => break,
                _ => {}
            }
        }
        drop(worker);
        drop(capture);
        let (Some(start), Some(greeted)) = (clip_start, greeted) else {
            panic!("run {run}: no greeting");
        };
        let time_to_greet = greeted.duration_since(start + first_face);
        println!(
            "run {run} ({}): time to greet {:.0} ms",
            mode(every_frame),
            time_to_greet.as_secs_f64() * 1000.0
        );
        results[usize::from(!every_frame)].push(time_to_greet);
    }
    for (every_frame, mut results) in [true, false].into_iter().zip(results) {
        results.sort();
        let median = results[results.len() / 2];
        println!(
            "time_to_greet ({}): median {:.0} ms over {RUNS} runs (min {:.0}, max {:.0}); first face at {:.0} ms of {CLIP}",
            mode(every_frame),
            median.as_secs_f64() * 1000.0,
            results[0].as_secs_f64() * 1000.0,
            results[RUNS - 1].as_secs_f64() * 1000.0,
            first_face.as_secs_f64() * 1000.0
        );
    }
}
