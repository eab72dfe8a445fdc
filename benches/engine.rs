//! Engine benchmarks: detection, embedding, whole-image identification, start-up and search, with
//! the raw ONNX Runtime time of the same models in the same process as the baseline.
//!
//! Run with `cargo bench --bench engine`; medians are in target/criterion/*/new/estimates.json.
// A benchmark that cannot set up has nothing to measure: it may unwrap and panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Duration;

use common::{load, raw_session, webcam_frame};
use criterion::{Criterion, criterion_group, criterion_main};
use frontdesk::config::Config;
use frontdesk::engine::FaceEngine;
use frontdesk::gallery::{FaceCode, FaceIndex, Gallery};
use frontdesk::resources;
use frontdesk::vision::detector::network_input;
use frontdesk::vision::{EMBEDDING_DIM, Embedding};
use ort::value::TensorRef;

/// Baseline: the same YuNet passes `detect` makes on a webcam frame with an ordinary face (full size
/// and the 160-px probe; the coarse 320 pass runs only for a frame-filling face) on the same tensors,
/// without any of the Rust pre- or post-processing.
fn detection(c: &mut Criterion) {
    let config = Config::defaults().unwrap();
    let mut engine = FaceEngine::load(&config).unwrap_or_else(|e| panic!("{e}"));
    let frame = webcam_frame();
    let mut raw = raw_session(&config, &resources::locate(&config.models.detector));
    let passes = [network_input(&frame, 640), network_input(&frame, 160)];
    let mut group = c.benchmark_group("detection_640x480");
    group.bench_function("onnxruntime_only", |b| {
        b.iter(|| {
            for pass in &passes {
                let tensor =
                    TensorRef::from_array_view((pass.shape, pass.tensor.as_slice())).unwrap();
                black_box(raw.run(ort::inputs!["input" => tensor]).unwrap().len());
            }
        })
    });
    group.bench_function("frontdesk_detect", |b| {
        b.iter(|| black_box(engine.detect(&frame).unwrap().len()))
    });
    group.finish();
}

/// Baseline: SFace on the same aligned face's tensor.
fn embedding(c: &mut Criterion) {
    let config = Config::defaults().unwrap();
    let mut engine = FaceEngine::load(&config).unwrap_or_else(|e| panic!("{e}"));
    let frame = webcam_frame();
    let face = engine.detect(&frame).unwrap()[0];
    let aligned = engine.analyze_face(&frame, &face).unwrap().unwrap().aligned;
    let input = frontdesk::vision::embedder::network_input(&aligned);
    let mut raw = raw_session(&config, &resources::locate(&config.models.embedder));
    let mut group = c.benchmark_group("embedding_per_face");
    group.bench_function("onnxruntime_only", |b| {
        b.iter(|| {
            let tensor =
                TensorRef::from_array_view(([1usize, 3, 112, 112], input.as_slice())).unwrap();
            black_box(raw.run(ort::inputs!["data" => tensor]).unwrap().len())
        })
    });
    group.bench_function("frontdesk_align_embed_quality", |b| {
        b.iter(|| black_box(engine.analyze_face(&frame, &face).unwrap().is_some()))
    });
    group.finish();
}

fn identify(c: &mut Criterion) {
    let config = Config::defaults().unwrap();
    let mut engine = FaceEngine::load(&config).unwrap_or_else(|e| panic!("{e}"));
    let mut gallery = Gallery::open_in_memory(engine.model_id()).unwrap();
    let enrolled = engine
        .analyze(&load("faces/barack_obama/fr_obama.jpg"))
        .unwrap();
    let person = frontdesk::gallery::NewPerson {
        name: "Barack Obama".into(),
        consent: true,
        ..Default::default()
    };
    gallery
        .enroll(
            &person,
            &[frontdesk::enrollment::new_face(
                &enrolled[0],
                engine.model_id(),
            )],
        )
        .unwrap();
    let policy = config.recognition.match_policy();
    let mut group = c.benchmark_group("identify_image");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(15));
    for (name, image) in [
        ("webcam_640x480_1_face", webcam_frame()),
        ("photo_1000x667_5_faces", load("group/feat_multi_face.jpg")),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let faces = engine.analyze(&image).unwrap();
                let decisions: Vec<_> = faces
                    .iter()
                    .map(|f| gallery.identify(&f.embedding, &policy))
                    .collect();
                black_box(decisions)
            })
        });
    }
    group.finish();
}

fn startup(c: &mut Criterion) {
    let config = Config::defaults().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    let mut group = c.benchmark_group("startup");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("models_checked_and_loaded_plus_gallery", |b| {
        b.iter(|| {
            let engine = FaceEngine::load(&config).unwrap();
            let gallery = Gallery::open(&db, engine.model_id()).unwrap();
            black_box((engine.model_id(), gallery.index().len()))
        })
    });
    group.finish();
}

/// Deterministic pseudo-random unit embeddings: the index, and the float embeddings a gallery
/// keeps beside it for the exact re-scoring.
fn synthetic_index(faces: usize, people: usize) -> (FaceIndex, HashMap<i64, Embedding>) {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut index = FaceIndex::default();
    let mut floats = HashMap::new();
    for face in 0..faces {
        let raw: Vec<f32> = (0..EMBEDDING_DIM)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 40) as f32 / (1u64 << 24) as f32 - 0.5
            })
            .collect();
        let embedding = Embedding::from_raw(&raw).unwrap();
        index.insert(
            face as i64,
            (face % people) as i64,
            &FaceCode::of(&embedding),
        );
        floats.insert(face as i64, embedding);
    }
    (index, floats)
}

fn search(c: &mut Criterion) {
    let mut group = c.benchmark_group("search_top2");
    for faces in [10_000usize, 100_000] {
        let (index, floats) = synthetic_index(faces, faces / 5);
        let mut raw = [0f32; EMBEDDING_DIM];
        raw[3] = 1.0;
        let query = Embedding::from_raw(&raw).unwrap();
        group.bench_function(format!("{faces}_faces"), |b| {
            b.iter(|| {
                black_box(index.search(&query, 2, |ids| {
                    ids.iter()
                        .filter_map(|id| Some((*id, floats.get(id)?.clone())))
                        .collect()
                }))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, detection, embedding, identify, startup, search);
criterion_main!(benches);
