//! What the Rust pre- and post-processing adds to ONNX Runtime: the engine's calls and the bare
//! model runs on the same tensors, interleaved call by call so that both see the same machine state
//! (on a shared 2-core VM, separate criterion groups drift by more than the difference measured).
//!
//! Run with `cargo bench --bench overhead`.
// A benchmark that cannot set up has nothing to measure: it may unwrap and panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use common::{raw_session, webcam_frame};
use frontdesk::config::Config;
use frontdesk::engine::FaceEngine;
use frontdesk::resources;
use frontdesk::vision::detector::{PROBE_SIDE, network_input};
use ort::value::TensorRef;

const ROUNDS: usize = 300;

fn median(mut samples: Vec<Duration>) -> f64 {
    samples.sort();
    samples[samples.len() / 2].as_secs_f64() * 1000.0
}

/// Times `a` and `b` alternately and prints both medians and their ratio.
fn compare(name: &str, mut a: impl FnMut(), mut b: impl FnMut()) {
    for _ in 0..20 {
        a();
        b();
    }
    let (mut times_a, mut times_b) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let start = Instant::now();
        a();
        times_a.push(start.elapsed());
        let start = Instant::now();
        b();
        times_b.push(start.elapsed());
    }
    let (ma, mb) = (median(times_a), median(times_b));
    println!(
        "{name}: onnxruntime only {ma:.2} ms, frontdesk {mb:.2} ms, added {:+.1}% (medians of {ROUNDS} interleaved calls)",
        (mb / ma - 1.0) * 100.0
    );
}

fn main() {
    let config = Config::defaults().unwrap();
    let mut engine = FaceEngine::load(&config).unwrap_or_else(|e| panic!("{e}"));
    let frame = webcam_frame();

    let mut detector = raw_session(&config, &resources::locate(&config.models.detector));
    // The passes detection makes on a frame without a face that fills it: full size and the quick
    // look for such faces (the coarse pass runs only when that look sees one).
    let passes = [
        network_input(&frame, 640),
        network_input(&frame, PROBE_SIDE),
    ];
    let face = engine.detect(&frame).unwrap()[0];
    let aligned = engine.analyze_face(&frame, &face).unwrap().unwrap().aligned;
    let embedder_input = frontdesk::vision::embedder::network_input(&aligned);
    let mut embedder = raw_session(&config, &resources::locate(&config.models.embedder));

    let engine = std::cell::RefCell::new(engine);
    compare(
        "detection 640x480 (full-size pass and 160-px probe)",
        || {
            for pass in &passes {
                let tensor =
                    TensorRef::from_array_view((pass.shape, pass.tensor.as_slice())).unwrap();
                black_box(detector.run(ort::inputs!["input" => tensor]).unwrap().len());
            }
        },
        || {
            black_box(engine.borrow_mut().detect(&frame).unwrap());
        },
    );
    compare(
        "embedding one face (align, embed, quality)",
        || {
            let tensor =
                TensorRef::from_array_view(([1usize, 3, 112, 112], embedder_input.as_slice()))
                    .unwrap();
            black_box(embedder.run(ort::inputs!["data" => tensor]).unwrap().len());
        },
        || {
            black_box(engine.borrow_mut().analyze_face(&frame, &face).unwrap());
        },
    );
}
