//! Accuracy on degraded faces through the real enrol-then-identify path, with the default settings:
//! people enrolled from one clean photo, probed with other photos of them tilted, compressed, small,
//! blurred, dark or backlit, and strangers degraded the same way. `tests/it/degraded/mod.rs` builds
//! the set. Print the table with
//! `cargo test --test it accuracy:: -- --nocapture`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::common::fixture;
use crate::degraded::{Enrolment, GENUINE, KINDS, Kind, Probe, STRANGERS};
use frontdesk::config::Config;
use frontdesk::engine::{AnalyzedFace, Enhancements, FaceEngine};
use frontdesk::enrollment::new_face;
use frontdesk::gallery::{Gallery, MatchDecision, MatchPolicy, NewPerson, PersonId};
use frontdesk::vision::Embedding;
use frontdesk::vision::image_io::load_rgb;

/// The build the timings come from (they mean something in a release build only).
const BUILD: &str = if cfg!(debug_assertions) {
    "debug build"
} else {
    "release build"
};

#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    genuine: usize,
    named: usize,
    misnamed: usize,
    missed: usize,
    /// Stranger probes, those where the stranger's own face was found (at the place it was put),
    /// and every face found in them (a neighbour's half face in a group photo's crop included).
    strangers: usize,
    strangers_found: usize,
    stranger_faces: usize,
    false_accepts: usize,
}

struct Report {
    tallies: BTreeMap<Kind, Tally>,
    /// Cosine of each genuine probe to its own person's enrolled face.
    genuine_scores: Vec<f32>,
    /// Best cosine of each stranger's face, and of each genuine probe to someone else.
    impostor_scores: Vec<f32>,
    /// Cosine of every probe face to every enrolled person it is not: one impostor comparison each.
    impostor_pairs: Vec<f32>,
    failures: Vec<String>,
    analyze_time: Duration,
    faces_analyzed: usize,
}

impl Report {
    fn print(&self, title: &str) {
        println!("\n{title}");
        println!(
            "| degradation | named correctly | wrong name | no face | strangers named (probes, found, faces) |"
        );
        println!("|---|---|---|---|---|");
        let mut total = Tally::default();
        for (kind, t) in &self.tallies {
            println!(
                "| {kind} | {}/{} ({:.0}%) | {} | {} | {} ({}, {}, {}) |",
                t.named,
                t.genuine,
                100.0 * t.named as f32 / t.genuine as f32,
                t.misnamed,
                t.missed,
                t.false_accepts,
                t.strangers,
                t.strangers_found,
                t.stranger_faces,
            );
            if *kind != Kind::Clean {
                total.genuine += t.genuine;
                total.named += t.named;
                total.misnamed += t.misnamed;
                total.missed += t.missed;
                total.strangers += t.strangers;
                total.strangers_found += t.strangers_found;
                total.false_accepts += t.false_accepts;
                total.stranger_faces += t.stranger_faces;
            }
        }
        println!(
            "| all degraded | {}/{} ({:.1}%) | {} | {} | {} ({}, {}, {}) |",
            total.named,
            total.genuine,
            100.0 * total.named as f32 / total.genuine as f32,
            total.misnamed,
            total.missed,
            total.false_accepts,
            total.strangers,
            total.strangers_found,
            total.stranger_faces,
        );
        println!(
            "analyze: {:.1} ms per face ({BUILD}, {} faces)",
            self.analyze_time.as_secs_f64() * 1000.0 / self.faces_analyzed.max(1) as f64,
            self.faces_analyzed
        );
    }

    fn print_distributions(&self) {
        let quantiles = |scores: &[f32]| {
            let mut sorted = scores.to_vec();
            sorted.sort_by(f32::total_cmp);
            [0.0, 0.01, 0.05, 0.1, 0.5, 0.9, 0.95, 0.99, 1.0]
                .map(|q| sorted[((sorted.len() - 1) as f32 * q).round() as usize])
        };
        println!(
            "genuine  n={} quantiles 0/1/5/10/50/90/95/99/100%: {:.3?}",
            self.genuine_scores.len(),
            quantiles(&self.genuine_scores)
        );
        println!(
            "impostor n={} quantiles 0/1/5/10/50/90/95/99/100%: {:.3?}",
            self.impostor_scores.len(),
            quantiles(&self.impostor_scores)
        );
        let n = self.impostor_pairs.len() as f32;
        let mean = self.impostor_pairs.iter().sum::<f32>() / n;
        let sd = (self
            .impostor_pairs
            .iter()
            .map(|s| (s - mean).powi(2))
            .sum::<f32>()
            / n)
            .sqrt();
        println!("impostor comparisons n={n}: mean {mean:.3}, sd {sd:.3}");
        println!(
            "| threshold | genuine >= | impostor comparisons >= (seen) | Gaussian-tail FAR per comparison |"
        );
        println!("|---|---|---|---|");
        for step in 0..=10 {
            let t = 0.30 + 0.02 * step as f32;
            let genuine = self.genuine_scores.iter().filter(|s| **s >= t).count();
            let seen = self.impostor_pairs.iter().filter(|s| **s >= t).count();
            println!(
                "| {t:.2} | {:.1}% | {seen} | {:.1e} |",
                100.0 * genuine as f32 / self.genuine_scores.len() as f32,
                upper_tail((t - mean) / sd)
            );
        }
        for failure in &self.failures {
            println!("  {failure}");
        }
    }
}

/// P(Z >= z) for a standard normal Z (Abramowitz and Stegun 7.1.26, error below 1.5e-7).
fn upper_tail(z: f32) -> f64 {
    let x = f64::from(z) / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x.abs());
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erfc = poly * (-x * x).exp();
    if x >= 0.0 {
        erfc / 2.0
    } else {
        1.0 - erfc / 2.0
    }
}

/// The default policy, as the kiosk and the command line use it.
fn default_policy() -> MatchPolicy {
    let config = Config::defaults().unwrap();
    config.recognition.match_policy()
}

fn evaluate(engine: &mut FaceEngine, policy: &MatchPolicy) -> Report {
    let (enrolments, sources) = crate::degraded::sources();
    let mut evaluation = Evaluation::enrol(engine, &enrolments, policy);
    for probe in crate::degraded::probes(&sources) {
        let source = &sources[probe.source];
        let started = Instant::now();
        let faces = engine.analyze(&probe.image).unwrap();
        evaluation.report.analyze_time += started.elapsed();
        evaluation.report.faces_analyzed += faces.len();
        let label = format!("{} {} {}", probe.kind, probe.detail, source.label);
        match &source.person {
            Some(person) => evaluation.genuine(&probe, &faces, person, &label),
            None => evaluation.stranger(&probe, &faces, &label),
        }
    }
    evaluation.report
}

/// The gallery of the set's people, and what the probes against it came to.
struct Evaluation<'a> {
    gallery: Gallery,
    policy: &'a MatchPolicy,
    ids: BTreeMap<String, PersonId>,
    enrolled: Vec<(PersonId, Embedding)>,
    report: Report,
}

impl<'a> Evaluation<'a> {
    /// Enrols each person from the largest face of their photo.
    fn enrol(engine: &mut FaceEngine, enrolments: &[Enrolment], policy: &'a MatchPolicy) -> Self {
        let mut gallery = Gallery::open_in_memory(engine.model_id()).unwrap();
        gallery.set_consent_required(true).unwrap();
        let mut ids: BTreeMap<String, PersonId> = BTreeMap::new();
        let mut enrolled: Vec<(PersonId, Embedding)> = Vec::new();
        for enrolment in enrolments {
            let photo = load_rgb(&fixture(&enrolment.photo)).unwrap();
            let mut faces = engine.analyze(&photo).unwrap();
            faces.sort_by(|a, b| b.detection.bbox.area().total_cmp(&a.detection.bbox.area()));
            let face = faces
                .first()
                .unwrap_or_else(|| panic!("no face to enrol in {}", enrolment.photo));
            let person = NewPerson {
                name: enrolment.name.clone(),
                consent: true,
                ..NewPerson::default()
            };
            let id = gallery
                .enroll(&person, &[new_face(face, engine.model_id())])
                .unwrap();
            ids.insert(enrolment.name.clone(), id);
            enrolled.push((id, face.embedding.clone()));
        }
        let report = Report {
            tallies: BTreeMap::new(),
            genuine_scores: Vec::new(),
            impostor_scores: Vec::new(),
            impostor_pairs: Vec::new(),
            failures: Vec::new(),
            analyze_time: Duration::ZERO,
            faces_analyzed: 0,
        };
        Self {
            gallery,
            policy,
            ids,
            enrolled,
            report,
        }
    }

    /// A probe of nobody enrolled: found, and none of its faces named.
    fn stranger(&mut self, probe: &Probe, faces: &[AnalyzedFace], label: &str) {
        let report = &mut self.report;
        let tally = report.tallies.entry(probe.kind).or_default();
        tally.strangers += 1;
        tally.stranger_faces += faces.len();
        if face_at(faces, probe.centre, probe.face_width).is_some() {
            tally.strangers_found += 1;
        } else {
            report.failures.push(format!("no face: {label}"));
        }
        for face in faces {
            let scores: Vec<f32> = self
                .enrolled
                .iter()
                .map(|(_, e)| e.cosine(&face.embedding))
                .collect();
            let best = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            report.impostor_pairs.extend(scores);
            report.impostor_scores.push(best);
            if let MatchDecision::Known { person_id, .. } =
                self.gallery.identify(&face.embedding, self.policy)
            {
                tally.false_accepts += 1;
                let name = self.ids.iter().find(|(_, id)| **id == person_id).unwrap().0;
                report
                    .failures
                    .push(format!("stranger named {name}: {label} ({best:.3})"));
            }
        }
    }

    /// A probe of `person`: their face found and named, nobody else's name given.
    fn genuine(&mut self, probe: &Probe, faces: &[AnalyzedFace], person: &str, label: &str) {
        let report = &mut self.report;
        let tally = report.tallies.entry(probe.kind).or_default();
        tally.genuine += 1;
        let expected = self.ids[person];
        let Some(face) = face_at(faces, probe.centre, probe.face_width) else {
            tally.missed += 1;
            report.failures.push(format!("no face: {label}"));
            return;
        };
        let own = self
            .enrolled
            .iter()
            .filter(|(id, _)| *id == expected)
            .map(|(_, e)| e.cosine(&face.embedding))
            .fold(f32::NEG_INFINITY, f32::max);
        let others: Vec<f32> = self
            .enrolled
            .iter()
            .filter(|(id, _)| *id != expected)
            .map(|(_, e)| e.cosine(&face.embedding))
            .collect();
        let other = others.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        report.impostor_pairs.extend(others);
        report.genuine_scores.push(own);
        report.impostor_scores.push(other);
        match self.gallery.identify(&face.embedding, self.policy) {
            MatchDecision::Known { person_id, .. } if person_id == expected => tally.named += 1,
            MatchDecision::Known { .. } => {
                tally.misnamed += 1;
                report.failures.push(format!(
                    "misnamed: {label} (own {own:.3}, other {other:.3})"
                ));
            }
            MatchDecision::Unknown { .. } => report
                .failures
                .push(format!("unknown: {label} (own {own:.3}, other {other:.3})")),
        }
    }
}

/// The probe's face: the one at the place it was put. Others (a neighbour's half face in a group
/// photo's crop) are not it.
fn face_at(faces: &[AnalyzedFace], centre: [f32; 2], face_width: f32) -> Option<&AnalyzedFace> {
    faces
        .iter()
        .map(|f| {
            let [x, y] = f.detection.bbox.center();
            ((x - centre[0]).hypot(y - centre[1]), f)
        })
        .filter(|(distance, _)| *distance < face_width * 0.5)
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, f)| f)
}

/// Probes of each kind named correctly (of 54), and stranger probes in which the stranger's face
/// was found (of 41), when this test was written, with the default pipeline and settings. The man
/// beside Einstein is not found in four kinds: a stranger nobody sees is never named, so that he
/// is seen in the others is what makes "no stranger named" mean something.
const AT_LEAST: [(Kind, usize, usize); 7] = [
    (Kind::Clean, 54, 40),
    (Kind::Roll, 51, 40),
    (Kind::Jpeg, 49, 40),
    (Kind::Small, 54, 41),
    (Kind::Blur, 49, 40),
    (Kind::Dark, 53, 41),
    (Kind::Backlight, 54, 41),
];

/// No stranger is ever named, nobody is given another's name, each kind of degraded probe is
/// named at least as often as measured when this test was written, and the strangers were there
/// to be named: all 41 of each kind (246 degraded), their faces found as often as measured.
#[test]
fn degraded_faces_are_named_and_strangers_stay_unknown() {
    let mut engine = crate::common::engine();
    let report = evaluate(&mut engine, &default_policy());
    report.print("Default pipeline and settings");
    report.print_distributions();
    let mut degraded_strangers = 0;
    for (kind, named, found) in AT_LEAST {
        let t = report.tallies[&kind];
        assert_eq!(t.false_accepts, 0, "{kind}: a stranger was named");
        assert_eq!(t.misnamed, 0, "{kind}: someone was given another's name");
        assert_eq!(t.genuine, GENUINE, "{kind}: probes");
        assert!(t.named >= named, "{kind}: {} named, was {named}", t.named);
        assert_eq!(t.strangers, STRANGERS, "{kind}: stranger probes");
        assert!(
            t.strangers_found >= found,
            "{kind}: the stranger's face found in {} probes, was {found}",
            t.strangers_found
        );
        assert!(
            t.stranger_faces >= t.strangers_found,
            "{kind}: stranger faces"
        );
        if kind != Kind::Clean {
            degraded_strangers += t.strangers;
        }
    }
    assert_eq!(degraded_strangers, 246, "degraded stranger probes");
    assert_eq!(KINDS.len(), AT_LEAST.len());
}

/// Before and after, one step at a time: OpenCV's reference pipeline with the settings Frontdesk
/// had before this set existed (threshold 0.45, margin 0.05), then each enhancement added in turn.
/// `cargo test --test it accuracy::enhancement_steps -- --ignored --nocapture`
#[test]
#[ignore]
fn enhancement_steps() {
    let before = MatchPolicy {
        threshold: 0.45,
        margin: 0.05,
        max_strangers_named: None,
        regular_days: 0,
    };
    let none = Enhancements {
        upright: false,
        relight: false,
    };
    let steps = [
        ("before: reference pipeline", none),
        (
            "+ upright re-detection of tilted heads",
            Enhancements {
                upright: true,
                ..none
            },
        ),
        (
            "+ relighting of dark frames and faces",
            Enhancements {
                upright: true,
                relight: true,
            },
        ),
    ];
    let mut engine = crate::common::engine();
    for (title, enhancements) in steps {
        engine.set_enhancements(enhancements);
        let report = evaluate(&mut engine, &before);
        report.print(&format!("{title} (threshold 0.45, margin 0.05)"));
        report.print_distributions();
    }
    // The lower threshold the distributions were weighed against (not taken: seven times the
    // false-accept rate per comparison).
    let lower = MatchPolicy {
        threshold: 0.40,
        ..before
    };
    evaluate(&mut engine, &lower).print("all enhancements, threshold 0.40 (not taken)");
}

/// What the enhancements cost per face: `analyze` on every probe with them on and off, and the
/// detector pass an upright view adds (YuNet on 256x256). Timings mean something in a release build:
/// `cargo test --release --test it accuracy::cost_of_enhancements -- --ignored --nocapture`
#[test]
#[ignore]
fn cost_of_enhancements() {
    let (_, sources) = crate::degraded::sources();
    let probes = crate::degraded::probes(&sources);
    let mut engine = crate::common::engine();
    let off = Enhancements {
        upright: false,
        relight: false,
    };
    for (title, enhancements) in [("off", off), ("on (default)", Enhancements::default())] {
        engine.set_enhancements(enhancements);
        let mut per_kind: BTreeMap<Kind, (Duration, usize)> = BTreeMap::new();
        for probe in &probes {
            let started = Instant::now();
            let faces = engine.analyze(&probe.image).unwrap();
            let slot = per_kind.entry(probe.kind).or_default();
            slot.0 += started.elapsed();
            slot.1 += faces.len();
        }
        let line: Vec<String> = per_kind
            .iter()
            .map(|(kind, (time, faces))| {
                let ms = time.as_secs_f64() * 1000.0 / (*faces).max(1) as f64;
                format!("{kind} {ms:.1}")
            })
            .collect();
        println!(
            "enhancements {title}: ms per face ({BUILD}) {}",
            line.join(", ")
        );
    }
    engine.set_enhancements(off);
    let view = image::RgbImage::from_pixel(256, 256, image::Rgb([120, 120, 120]));
    let started = Instant::now();
    for _ in 0..20 {
        engine.detect(&view).unwrap();
    }
    println!(
        "one 256x256 detector pass: {:.1} ms ({BUILD})",
        started.elapsed().as_secs_f64() * 1000.0 / 20.0
    );
}

/// Writes every probe of the set to `target/degraded-set/` to look at.
#[test]
#[ignore]
fn write_degraded_set() {
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/degraded-set");
    std::fs::create_dir_all(&out).unwrap();
    let (_, sources) = crate::degraded::sources();
    for probe in crate::degraded::probes(&sources) {
        let name = format!("{:03}_{:?}.png", probe.source, probe.kind);
        probe.image.save(out.join(name)).unwrap();
    }
}
