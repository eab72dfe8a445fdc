//! Identify over HTTP under concurrency: a real API server (its own engine and gallery, as in
//! `frontdesk serve`) answering POST /api/v1/identify with a 626x1200 photo of one enrolled person,
//! from 1, 4 and 16 clients at once. Prints median and 90th-percentile latency and throughput.
//!
//! cargo bench --bench api_identify
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use frontdesk::config::Config;
use frontdesk::engine::FaceEngine;
use frontdesk::gallery::{Gallery, NewPerson};
use frontdesk::integrations::Integrations;

const REQUESTS: usize = 96;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    let mut config = Config::defaults().unwrap();
    config.api.listen = "127.0.0.1:0".into();
    {
        let mut engine = FaceEngine::load(&config).unwrap();
        let mut gallery = Gallery::open(&db, engine.model_id()).unwrap();
        let faces = engine
            .analyze(&common::load("faces/barack_obama/fr_obama.jpg"))
            .unwrap();
        let face = frontdesk::enrollment::new_face(&faces[0], engine.model_id());
        let person = NewPerson {
            name: "Barack Obama".into(),
            consent: true,
            ..Default::default()
        };
        gallery.enroll(&person, &[face]).unwrap();
    }
    let token = Gallery::open(&db, frontdesk::models::EMBEDDER.id)
        .unwrap()
        .create_api_token("bench")
        .unwrap();
    let integrations = Integrations::start(&config, &db, Some("127.0.0.1:0")).unwrap();
    let address = integrations.api_address().unwrap();
    let url = format!("http://{address}/api/v1/identify");
    let photo = std::fs::read(common::fixture("faces/barack_obama/fr_obama2.jpg")).unwrap();
    let auth = format!("Bearer {token}");
    let identify = || {
        let started = Instant::now();
        let response = ureq::post(&url)
            .header("Authorization", &auth)
            .send(&photo[..])
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        started.elapsed()
    };
    for _ in 0..4 {
        identify();
    }
    println!("identify over HTTP, {REQUESTS} requests, 626x1200 JPEG with one known face");
    println!("clients  median     p90        throughput");
    for clients in [1usize, 4, 16] {
        let started = Instant::now();
        let mut latencies: Vec<Duration> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..clients)
                .map(|_| {
                    scope.spawn(|| {
                        (0..REQUESTS / clients)
                            .map(|_| identify())
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
        let wall = started.elapsed();
        latencies.sort();
        println!(
            "{clients:>7}  {:>7.1} ms {:>7.1} ms {:>6.1} req/s",
            percentile(&latencies, 0.5).as_secs_f64() * 1e3,
            percentile(&latencies, 0.9).as_secs_f64() * 1e3,
            latencies.len() as f64 / wall.as_secs_f64()
        );
    }
}
