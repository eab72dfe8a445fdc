//! The fleet at scale: a gallery of 1 000 000 faces (200 000 people, 5 faces each, random unit
//! embeddings, 64-byte thumbnails). Measures, on the machine it runs on:
//! - a kiosk's start-up with that gallery (opening it and building the index) and the index's memory;
//! - search time (median and 90th percentile of 60 queries: noisy copies of enrolled faces and
//!   strangers), and that every result equals an exact float search over the same faces;
//! - with a throwaway PostgreSQL server: the first push of the whole gallery, and the first full
//!   sync of a new, empty kiosk.
//!
//! cargo bench --bench fleet_scale              (FLEET_SCALE_FACES=100000 for a quicker run;
//!                                               FLEET_SCALE_NO_SERVER=1 to skip the server parts)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

// The tests' throwaway server; the benchmark uses only part of it.
#[allow(dead_code)]
#[path = "../tests/it/common/postgres.rs"]
mod postgres;

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use frontdesk::fleet::{FleetConnection, FleetSettings};
use frontdesk::gallery::{Gallery, MatchPolicy, add_face_code_function};
use frontdesk::vision::{EMBEDDING_DIM, Embedding};

const FACES_PER_PERSON: usize = 5;
const QUERIES: usize = 60;
const MODEL: &str = "sface-bench";

struct Random(u64);

impl Random {
    fn next(&mut self) -> f32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as f32 / (1u64 << 31) as f32) - 0.5
    }

    fn embedding(&mut self) -> Embedding {
        let raw: Vec<f32> = (0..EMBEDDING_DIM).map(|_| self.next()).collect();
        Embedding::from_raw(&raw).unwrap()
    }
}

/// Writes `faces` faces straight into a new gallery, in one transaction; returns the embeddings.
fn seed(db: &Path, faces: usize, random: &mut Random) -> Vec<(i64, Embedding)> {
    drop(Gallery::open(db, MODEL).unwrap());
    let mut connection = rusqlite::Connection::open(db).unwrap();
    // The gallery's trigger stores each face's code with this function.
    add_face_code_function(&connection).unwrap();
    let tx = connection.transaction().unwrap();
    let mut all = Vec::with_capacity(faces);
    {
        let mut person = tx
            .prepare(
                "INSERT INTO people (name, consent_at, created_at, updated_at)
                 VALUES (?1, 1, 1, 1)",
            )
            .unwrap();
        let mut face = tx
            .prepare(
                "INSERT INTO faces (person_id, embedding, model_id, quality, thumbnail, created_at)
                 VALUES (?1, ?2, ?3, 0.8, ?4, 1)",
            )
            .unwrap();
        let thumbnail = vec![0u8; 64];
        for number in 0..faces / FACES_PER_PERSON {
            person.execute([format!("Visitor {number:06}")]).unwrap();
            let person_id = tx.last_insert_rowid();
            for _ in 0..FACES_PER_PERSON {
                let embedding = random.embedding();
                face.execute(rusqlite::params![
                    person_id,
                    embedding.to_bytes(),
                    MODEL,
                    thumbnail
                ])
                .unwrap();
                all.push((person_id, embedding));
            }
        }
    }
    tx.commit().unwrap();
    all
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn main() {
    let faces: usize = std::env::var("FLEET_SCALE_FACES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let mut random = Random(2026);
    let seeding = Instant::now();
    let all = seed(&db, faces, &mut random);
    println!(
        "seeded {faces} faces in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );

    let mut opens = Vec::new();
    let mut gallery = None;
    for _ in 0..3 {
        let start = Instant::now();
        let opened = Gallery::open(&db, MODEL).unwrap();
        opens.push(start.elapsed());
        gallery = Some(opened);
    }
    let gallery = gallery.unwrap();
    println!(
        "start-up (open + index), median of 3: {:.0} ms; index: {} faces, {:.1} MB",
        ms(median(&mut opens)),
        gallery.index().len(),
        gallery.index().memory_bytes() as f64 / 1e6
    );

    time_searches(&gallery, &all, &mut random, faces);
    if std::env::var_os("FLEET_SCALE_NO_SERVER").is_some() {
        return;
    }
    time_fleet_syncs(&db, &dir.path().join("b.db"));
}

/// The index's search against an exact float search over every face: time, and any difference.
fn time_searches(gallery: &Gallery, all: &[(i64, Embedding)], random: &mut Random, faces: usize) {
    let policy = MatchPolicy {
        threshold: 0.363,
        margin: 0.05,
        max_strangers_named: None,
        regular_days: 0,
    };
    let mut times = Vec::new();
    let mut differing = 0;
    for query_number in 0..QUERIES {
        let query = if query_number % 2 == 0 {
            let enrolled = &all[(query_number * 7_919) % all.len()].1;
            let noisy: Vec<f32> = enrolled
                .0
                .iter()
                .map(|v| v + 0.08 * random.next())
                .collect();
            Embedding::from_raw(&noisy).unwrap()
        } else {
            random.embedding()
        };
        let start = Instant::now();
        let found = gallery.search(&query, 2);
        times.push(start.elapsed());
        let mut best: HashMap<i64, f32> = HashMap::new();
        for (person, embedding) in all {
            let similarity = embedding.cosine(&query);
            let slot = best.entry(*person).or_insert(f32::NEG_INFINITY);
            *slot = slot.max(similarity);
        }
        let mut exact: Vec<(i64, f32)> = best.into_iter().collect();
        exact.sort_by(|a, b| b.1.total_cmp(&a.1));
        let found_pairs: Vec<(i64, f32)> =
            found.iter().map(|c| (c.person_id, c.similarity)).collect();
        let exact_top: Vec<frontdesk::gallery::Candidate> = exact[..2]
            .iter()
            .map(|(person_id, similarity)| frontdesk::gallery::Candidate {
                person_id: *person_id,
                similarity: *similarity,
            })
            .collect();
        // Stored embeddings come back through their bytes: equal to rounding.
        let same_people = found_pairs.len() == 2
            && found_pairs
                .iter()
                .zip(&exact[..2])
                .all(|(f, e)| f.0 == e.0 && (f.1 - e.1).abs() < 1e-5);
        let same_decision = match (policy.decide(&found), policy.decide(&exact_top)) {
            (
                frontdesk::gallery::MatchDecision::Known { person_id: a, .. },
                frontdesk::gallery::MatchDecision::Known { person_id: b, .. },
            ) => a == b,
            (
                frontdesk::gallery::MatchDecision::Unknown { .. },
                frontdesk::gallery::MatchDecision::Unknown { .. },
            ) => true,
            _ => false,
        };
        if !same_people || !same_decision {
            differing += 1;
        }
    }
    let median_search = median(&mut times);
    println!(
        "search of {faces} faces, {QUERIES} queries: median {:.2} ms, p90 {:.2} ms; results differing from exact float search: {differing}",
        ms(median_search),
        ms(times[QUERIES * 9 / 10]),
    );
}

/// The first push of the whole gallery to a fresh fleet server, and a new kiosk's first full copy.
fn time_fleet_syncs(db: &Path, new_kiosk: &Path) {
    let server = postgres::PostgresServer::start();
    let settings = |kiosk: &str| FleetSettings {
        url: server.url(),
        password: None,
        kiosk: kiosk.to_owned(),
        ca_file: None,
        sync_every: Duration::from_secs(30),
    };
    let mut seeded = Gallery::open_unindexed(db).unwrap();
    let start = Instant::now();
    let report = FleetConnection::open(&settings("a"), &mut seeded)
        .unwrap()
        .sync(&mut seeded)
        .unwrap();
    println!(
        "first push of the whole gallery: {:.1} s ({} people, {} faces)",
        start.elapsed().as_secs_f64(),
        report.pushed.people,
        report.pushed.faces
    );

    let start = Instant::now();
    let mut empty = Gallery::open_unindexed(new_kiosk).unwrap();
    let report = FleetConnection::open(&settings("b"), &mut empty)
        .unwrap()
        .sync(&mut empty)
        .unwrap();
    println!(
        "first full sync of a new kiosk: {:.1} s ({} people, {} faces; full copy: {})",
        start.elapsed().as_secs_f64(),
        report.pulled.people,
        report.pulled.faces,
        report.full_copy
    );
}
