//! Open-set recognition at scale: how often a stranger is named as someone else, and how often an
//! enrolled person is named right, as the gallery grows.
//!
//! cargo bench --bench open_set -- DATASET [--sizes 100,300,1000,max] [--looks 1,3] [--seed N]
//!     [--half development|held-out|all] [--regulars N] [--fill-to N] [--more-strangers DIR]
//!
//! DATASET is a folder with one subfolder of photos per person (the layout `frontdesk import`
//! takes, and Labeled Faces in the Wild's). Every photo goes through Frontdesk's engine once
//! (detection, alignment, SFace). People are drawn in a seeded random order; for each gallery size
//! and number of enrolment looks, a fresh gallery enrols that many people through the kiosk's own
//! checks (`enrollment::choose_faces`, then `Gallery::enroll`) from their first one or three
//! photos; their other photos are the probes, and every photo of a person the set has only one
//! photo of is a stranger. Each probe and stranger is the largest face of its photo, decided by
//! `Gallery::identify` under the policy the kiosk uses with the default config, beside the fixed
//! threshold alone and a looser share of strangers, and by a sweep of fixed bars for the whole
//! curve (on stderr, with the share of strangers the gallery's estimate predicts at each bar, and
//! every stranger the kiosk's policy named).
//!
//! With `--fill-to N` a one-look gallery smaller than N (a half of the set has fewer people with
//! two photos) is filled up to N people with people the set has one photo of, who then count as
//! enrolled, not as strangers. `--more-strangers DIR` adds the first photo of each person of
//! another set as strangers.
//!
//! With `--regulars N` each gallery stands for a fleet's instead: its first N people enrolled have a
//! visit logged at this kiosk (its regulars), the rest came from other kiosks, and a second table
//! gives named right among the regulars' probes and the rest's, and strangers named, with one bar
//! for the whole fleet (`recognition.regular_days = 0`) beside the regulars' own bar (the default).
//!
//! OPEN_SET_LEVERS=1 also prints, for other rules (a mean template of the looks instead of the best
//! face, test normalisation, a local cohort), the share named right at the bar that would name
//! 0.1, 0.3 and 1 % of these very strangers: an upper bound of what each lever could bring; a
//! per-person normalisation (each person's scores against the mean and spread of their similarity
//! to their 50 nearest other people: a bar raised where a person has close neighbours); and, under
//! the kiosk's policy, `k` looks of a person decided by the first alone, by votes (all `k` agree)
//! or fused (their mean embedding decided once), for enrolled people's probes and for people with
//! several photos who are not enrolled (strangers).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use frontdesk::batch::analyze_photos;
use frontdesk::config::Config;
use frontdesk::engine::AnalyzedFace;
use frontdesk::enrollment::{choose_faces, new_face};
use frontdesk::gallery::{Candidate, Gallery, MatchDecision, MatchPolicy, NewPerson, PersonId};
use frontdesk::recognizer::fusion::{FusedLook, mean_of};
use frontdesk::recognizer::naming::decide_fused;
use frontdesk::vision::Embedding;

/// A second setting of `recognition.max_strangers_named` the table shows beside the default.
const LOOSER_SHARE: f64 = 0.003;
const PHOTO_EXTENSIONS: [&str; 4] = ["jpg", "jpeg", "png", "bmp"];
const SWEEP: [f32; 17] = [
    0.40, 0.42, 0.44, 0.46, 0.48, 0.50, 0.52, 0.54, 0.56, 0.58, 0.60, 0.65, 0.70, 0.75, 0.80, 0.85,
    0.90,
];

struct Options {
    dataset: PathBuf,
    sizes: Vec<Option<usize>>,
    looks: Vec<usize>,
    seed: u64,
    half: Half,
    regulars: Option<usize>,
    fill_to: Option<usize>,
    more_strangers: Option<PathBuf>,
}

/// Which people of the set take part: the development half the rule was chosen on, the held-out
/// half it was not, or everyone.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Half {
    Development,
    HeldOut,
    All,
}

impl Half {
    /// People alternate between the halves in name order.
    fn keeps(self, position_by_name: usize) -> bool {
        match self {
            Half::Development => position_by_name.is_multiple_of(2),
            Half::HeldOut => !position_by_name.is_multiple_of(2),
            Half::All => true,
        }
    }
}

fn options() -> Options {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let mut options = Options {
        dataset: PathBuf::new(),
        sizes: vec![Some(100), Some(300), Some(1000), None],
        looks: vec![1, 3],
        seed: 2026,
        half: Half::All,
        regulars: None,
        fill_to: None,
        more_strangers: None,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--sizes" => {
                let list = args.next().expect("--sizes needs a list, e.g. 100,300,max");
                options.sizes = list
                    .split(',')
                    .map(|s| (s != "max").then(|| s.parse().expect("a gallery size")))
                    .collect();
            }
            "--looks" => {
                let list = args.next().expect("--looks needs a list, e.g. 1,3");
                options.looks = list.split(',').map(|s| s.parse().unwrap()).collect();
            }
            "--seed" => options.seed = args.next().unwrap().parse().unwrap(),
            "--regulars" => options.regulars = Some(args.next().unwrap().parse().unwrap()),
            "--fill-to" => options.fill_to = Some(args.next().unwrap().parse().unwrap()),
            "--more-strangers" => options.more_strangers = args.next().map(PathBuf::from),
            "--half" => {
                options.half = match args.next().as_deref() {
                    Some("development") => Half::Development,
                    Some("held-out") => Half::HeldOut,
                    Some("all") => Half::All,
                    _ => panic!("--half takes development, held-out or all"),
                }
            }
            path => options.dataset = PathBuf::from(path),
        }
    }
    if options.dataset.as_os_str().is_empty() {
        eprintln!(
            "usage: cargo bench --bench open_set -- DATASET [--sizes 100,300,max] [--looks 1,3] \
             [--half development|held-out|all] [--seed N] [--regulars N] [--fill-to N] \
             [--more-strangers DIR]"
        );
        std::process::exit(2);
    }
    options
}

/// One person of the set and the main face of each of their photos (None: no face found).
struct Identity {
    name: String,
    faces: Vec<Option<AnalyzedFace>>,
}

/// The people with more than `looks` photos: enrolled from `looks`, probed with the rest.
fn with_more_photos_than(identities: &[Identity], looks: usize) -> Vec<&Identity> {
    identities
        .iter()
        .filter(|i| i.faces.len() > looks)
        .collect()
}

/// `people` and `fill` people the set has one photo of (the last strangers), who are enrolled
/// and so no longer strangers.
fn filled<'a>(
    people: &[&'a Identity],
    identities: &'a [Identity],
    strangers: &[Stranger],
    fill: usize,
) -> (Vec<&'a Identity>, Vec<Stranger>) {
    let mut enrolled = people.to_vec();
    let one_photo: Vec<&Identity> = identities
        .iter()
        .filter(|i| i.faces.len() == 1 && i.faces[0].is_some())
        .collect();
    let fillers = &one_photo[one_photo.len().saturating_sub(fill)..];
    enrolled.extend(fillers);
    let remaining = strangers
        .iter()
        .filter(|s| !fillers.iter().any(|f| f.name == s.name))
        .map(|s| Stranger {
            name: s.name.clone(),
            embedding: s.embedding.clone(),
        })
        .collect();
    (enrolled, remaining)
}

/// A person the set has one photo of.
struct Stranger {
    name: String,
    embedding: Embedding,
}

fn photos_by_person(dataset: &Path) -> BTreeMap<String, Vec<PathBuf>> {
    let mut people = BTreeMap::new();
    for entry in std::fs::read_dir(dataset).unwrap_or_else(|e| panic!("{}: {e}", dataset.display()))
    {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let mut photos: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| PHOTO_EXTENSIONS.contains(&e.to_lowercase().as_str()))
            })
            .collect();
        photos.sort();
        if !photos.is_empty() {
            let name = dir.file_name().unwrap().to_string_lossy().replace('_', " ");
            people.insert(name, photos);
        }
    }
    people
}

/// People Labeled Faces in the Wild holds under two names, and one photo filed under the wrong
/// name (Carlos Ruckauf's shows Eduardo Duhalde), each seen photo by photo: the single photo is
/// no stranger to a gallery that enrolled the other name, and is left out of the strangers.
/// Twins, sisters and look-alikes stay in: a kiosk meets those too.
const ONE_PERSON_TWO_NAMES: [(&str, &str); 7] = [
    ("Sung Hong Choi", "Choi Sung-hong"),
    ("Wang Nan", "Nan Wang"),
    ("Mireya Elisa Moscoso Rodriguez", "Mireya Moscoso"),
    ("John Gruden", "Jon Gruden"),
    ("Hasan Wirayuda", "Hassan Wirajuda"),
    ("Yingfan Wang", "Wang Yingfan"),
    ("Carlos Ruckauf", "Eduardo Duhalde"),
];

/// The face nearest the middle of each photo: the set's subject (Labeled Faces in the Wild
/// centres each photo on its subject; another face beside them is often larger).
fn analyse(config: &Config, people: Vec<(String, Vec<PathBuf>)>) -> Vec<Identity> {
    let paths: Vec<PathBuf> = people.iter().flat_map(|(_, p)| p).cloned().collect();
    let started = Instant::now();
    let mut largest: Vec<Option<AnalyzedFace>> = Vec::with_capacity(paths.len());
    analyze_photos(config, &paths, |_, outcome| {
        let face = outcome.ok().and_then(|photo| {
            let (cx, cy) = (photo.width as f32 / 2.0, photo.height as f32 / 2.0);
            let off_centre = |face: &AnalyzedFace| {
                let b = &face.detection.bbox;
                (b.x + b.width / 2.0 - cx).hypot(b.y + b.height / 2.0 - cy)
            };
            photo
                .faces
                .into_iter()
                .min_by(|a, b| off_centre(a).total_cmp(&off_centre(b)))
        });
        largest.push(face);
        if largest.len().is_multiple_of(1000) {
            eprintln!(
                "open_set: {} of {} photos analysed",
                largest.len(),
                paths.len()
            );
        }
    })
    .unwrap();
    eprintln!(
        "open_set: {} photos analysed in {:.0} s",
        paths.len(),
        started.elapsed().as_secs_f64()
    );
    let mut faces = largest.into_iter();
    people
        .into_iter()
        .map(|(name, photos)| Identity {
            name,
            faces: faces.by_ref().take(photos.len()).collect(),
        })
        .collect()
}

/// A fixed-seed shuffle (splitmix64), so every run draws the same people.
fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    for i in (1..items.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

/// How one gallery did under one policy.
#[derive(Default)]
struct Tally {
    probes: usize,
    named_right: usize,
    named_wrong: usize,
    strangers: usize,
    strangers_named: usize,
}

fn percent(count: usize, of: usize) -> f64 {
    100.0 * count as f64 / of.max(1) as f64
}

/// A gallery enrolled through the kiosk's checks, and each enrolled person's probe embeddings.
struct Enrolled {
    gallery: Gallery,
    people: Vec<(PersonId, Vec<Embedding>)>,
    /// Each enrolled person's stored embeddings, for the levers measured beside the kiosk's rule.
    templates: Vec<(PersonId, Vec<Embedding>)>,
    refused: usize,
}

fn enrol_gallery(config: &Config, model_id: &str, people: &[&Identity], looks: usize) -> Enrolled {
    let mut gallery = Gallery::open_in_memory(model_id).unwrap();
    let policy = config.recognition.match_policy();
    let min_face_px = config.recognition.min_face_px as f32;
    let mut people_enrolled = Vec::new();
    let mut templates = Vec::new();
    let mut refused = 0;
    for identity in people {
        let photos = identity.faces[..looks]
            .iter()
            .enumerate()
            .map(|(n, face)| {
                let faces = face.iter().cloned().collect::<Vec<_>>();
                (format!("{} #{n}", identity.name), Ok(faces))
            })
            .collect();
        let (accepted, _) = choose_faces(&gallery, &policy, min_face_px, photos);
        if accepted.is_empty() {
            refused += 1;
            continue;
        }
        let faces: Vec<_> = accepted.iter().map(|f| new_face(f, model_id)).collect();
        let person = NewPerson {
            name: identity.name.clone(),
            consent: true,
            ..Default::default()
        };
        let person_id = gallery.enroll(&person, &faces).unwrap();
        templates.push((
            person_id,
            accepted.iter().map(|f| f.embedding.clone()).collect(),
        ));
        let probes = identity.faces[looks..]
            .iter()
            .flatten()
            .map(|f| f.embedding.clone())
            .collect();
        people_enrolled.push((person_id, probes));
    }
    Enrolled {
        gallery,
        people: people_enrolled,
        templates,
        refused,
    }
}

fn tally(decisions: impl Iterator<Item = (Option<PersonId>, MatchDecision)>) -> Tally {
    let mut tally = Tally::default();
    for (truth, decision) in decisions {
        match truth {
            Some(_) => tally.probes += 1,
            None => tally.strangers += 1,
        }
        match (truth, decision) {
            (Some(t), MatchDecision::Known { person_id, .. }) if t == person_id => {
                tally.named_right += 1;
            }
            (Some(_), MatchDecision::Known { .. }) => tally.named_wrong += 1,
            (None, MatchDecision::Known { .. }) => tally.strangers_named += 1,
            (_, MatchDecision::Unknown { .. }) => {}
        }
    }
    tally
}

fn run_gallery(
    config: &Config,
    model_id: &str,
    people: &[&Identity],
    others: &[&Identity],
    strangers: &[Stranger],
    looks: usize,
) {
    let Enrolled {
        gallery,
        people: enrolled,
        templates,
        refused,
    } = enrol_gallery(config, model_id, people, looks);
    if std::env::var_os("OPEN_SET_LEVERS").is_some() {
        levers(&templates, &enrolled, strangers);
        for k in [2, 3] {
            fusion_lever(
                &gallery,
                &config.recognition.match_policy(),
                &enrolled,
                others,
                k,
            );
        }
    }
    let probes: Vec<(PersonId, &Embedding, Vec<Candidate>)> = enrolled
        .iter()
        .flat_map(|(person_id, probes)| probes.iter().map(|e| (*person_id, e)))
        .map(|(person_id, e)| (person_id, e, gallery.search(e, 2)))
        .collect();
    let stranger_tops: Vec<Vec<Candidate>> = strangers
        .iter()
        .map(|s| gallery.search(&s.embedding, 2))
        .collect();
    let kiosk = config.recognition.match_policy();
    let fixed = MatchPolicy {
        max_strangers_named: None,
        ..kiosk
    };
    let looser = MatchPolicy {
        max_strangers_named: Some(LOOSER_SHARE),
        ..kiosk
    };
    let policies = [
        ("threshold alone", fixed),
        ("kiosk default", kiosk),
        ("max_strangers_named 0.003", looser),
    ];
    for (label, policy) in policies {
        let result = tally(
            probes
                .iter()
                .map(|(p, e, _)| (Some(*p), gallery.identify(e, &policy)))
                .chain(
                    strangers
                        .iter()
                        .map(|s| (None, gallery.identify(&s.embedding, &policy))),
                ),
        );
        let bar = gallery.policy_for(&policy, None).threshold;
        let predicted = gallery.stranger_scores().map_or(String::from("-"), |s| {
            format!("{:.3} %", 100.0 * s.strangers_named_at(bar))
        });
        println!(
            "| {looks} | {} ({refused} refused) | {label}: {bar:.3} (predicts {predicted}) | {} | {} | {:.1} % | {:.2} % | {:.3} % ({} of {}) |",
            enrolled.len(),
            result.probes,
            result.strangers,
            percent(result.named_right, result.probes),
            percent(result.named_wrong, result.probes),
            percent(result.strangers_named, result.strangers),
            result.strangers_named,
            result.strangers,
        );
    }
    report_named_strangers(&gallery, &kiosk, strangers, &stranger_tops);
    let mut curve = String::new();
    for threshold in SWEEP {
        let bar = MatchPolicy { threshold, ..fixed };
        let result = tally(
            probes
                .iter()
                .map(|(p, _, top)| (Some(*p), bar.decide(top)))
                .chain(stranger_tops.iter().map(|top| (None, bar.decide(top)))),
        );
        let predicted = gallery.stranger_scores().map_or(String::new(), |s| {
            format!(
                " (predicted {:.3} %)",
                100.0 * s.strangers_named_at(threshold)
            )
        });
        curve.push_str(&format!(
            "    bar {threshold:.2}: named right {:.1} %, named wrong {:.2} %, strangers named {:.3} %{predicted}\n",
            percent(result.named_right, result.probes),
            percent(result.named_wrong, result.probes),
            percent(result.strangers_named, result.strangers),
        ));
    }
    eprint!(
        "  curve for {} people, {looks} look(s):\n{curve}",
        enrolled.len()
    );
}

/// A score rule: from a query's similarity to each enrolled person (best face), the person it
/// names and how surely.
type Rule = fn(&[(PersonId, f32)]) -> (PersonId, f32);

fn raw_rule(scores: &[(PersonId, f32)]) -> (PersonId, f32) {
    let best = scores.iter().max_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
    *best
}

/// Test normalisation: how far the best stands above the query's scores to everyone.
fn t_norm_rule(scores: &[(PersonId, f32)]) -> (PersonId, f32) {
    let (best, top) = raw_rule(scores);
    let n = scores.len() as f32;
    let mean = scores.iter().map(|s| s.1).sum::<f32>() / n;
    let var = scores.iter().map(|s| (s.1 - mean).powi(2)).sum::<f32>() / n;
    (best, (top - mean) / var.sqrt())
}

/// The best minus the mean of the next ten (a local cohort).
fn cohort_rule(scores: &[(PersonId, f32)]) -> (PersonId, f32) {
    let mut sorted: Vec<f32> = scores.iter().map(|s| s.1).collect();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let (best, top) = raw_rule(scores);
    let next: f32 = sorted.iter().skip(1).take(10).sum::<f32>() / 10.0;
    (best, top - next)
}

/// Named right at the strictest bar that names at most `share` of strangers, for several rules.
fn levers(
    templates: &[(PersonId, Vec<Embedding>)],
    enrolled: &[(PersonId, Vec<Embedding>)],
    strangers: &[Stranger],
) {
    let scores_of = |query: &Embedding| -> Vec<(PersonId, f32)> {
        templates
            .iter()
            .map(|(p, faces)| {
                let best = faces
                    .iter()
                    .map(|f| f.cosine(query))
                    .fold(f32::MIN, f32::max);
                (*p, best)
            })
            .collect()
    };
    let mean_templates: Vec<(PersonId, Vec<Embedding>)> = templates
        .iter()
        .map(|(p, faces)| (*p, vec![fused(faces)]))
        .collect();
    let mean_scores_of = |query: &Embedding| -> Vec<(PersonId, f32)> {
        mean_templates
            .iter()
            .map(|(p, faces)| (*p, faces[0].cosine(query)))
            .collect()
    };
    let neighbours = neighbour_stats(&mean_templates);
    let z_scores_of = |query: &Embedding| -> Vec<(PersonId, f32)> {
        scores_of(query)
            .into_iter()
            .map(|(p, s)| {
                let (mean, spread) = neighbours[&p];
                (p, (s - mean) / spread)
            })
            .collect()
    };
    let rules: [(&str, Rule); 3] = [
        ("raw", raw_rule),
        ("t-norm", t_norm_rule),
        ("cohort-10", cohort_rule),
    ];
    for (template, score) in [
        (
            "best face",
            &scores_of as &dyn Fn(&Embedding) -> Vec<(PersonId, f32)>,
        ),
        ("mean template", &mean_scores_of),
        ("best face, per-person (50 nearest)", &z_scores_of),
    ] {
        let probe_scores: Vec<(PersonId, Vec<(PersonId, f32)>)> = enrolled
            .iter()
            .flat_map(|(p, probes)| probes.iter().map(|e| (*p, score(e))))
            .collect();
        let stranger_scores: Vec<Vec<(PersonId, f32)>> =
            strangers.iter().map(|s| score(&s.embedding)).collect();
        for (name, rule) in rules {
            let mut stranger_values: Vec<f32> = stranger_scores.iter().map(|s| rule(s).1).collect();
            stranger_values.sort_by(|a, b| b.total_cmp(a));
            let mut line = format!("  lever {template}, {name}:");
            for share in [0.001, 0.003, 0.01] {
                let allowed = (share * stranger_values.len() as f64).floor() as usize;
                let bar = stranger_values.get(allowed).copied().unwrap_or(f32::MIN);
                let right = probe_scores
                    .iter()
                    .filter(|(truth, s)| {
                        let (who, value) = rule(s);
                        who == *truth && value > bar
                    })
                    .count();
                line.push_str(&format!(
                    " at {:.1} % strangers {:.1} % named right;",
                    share * 100.0,
                    percent(right, probe_scores.len())
                ));
            }
            eprintln!("{line}");
        }
    }
}

/// Each person's mean and spread of similarity to their 50 nearest other people.
fn neighbour_stats(templates: &[(PersonId, Vec<Embedding>)]) -> BTreeMap<PersonId, (f32, f32)> {
    templates
        .iter()
        .map(|(p, faces)| {
            let mut similarities: Vec<f32> = templates
                .iter()
                .filter(|(other, _)| other != p)
                .map(|(_, other)| other[0].cosine(&faces[0]))
                .collect();
            similarities.sort_by(|a, b| b.total_cmp(a));
            similarities.truncate(50);
            let n = similarities.len().max(1) as f32;
            let mean = similarities.iter().sum::<f32>() / n;
            let var = similarities.iter().map(|s| (s - mean).powi(2)).sum::<f32>() / n;
            (*p, (mean, var.sqrt().max(1e-3)))
        })
        .collect()
}

/// The mean of `faces`, of unit length, as the kiosk fuses looks.
fn fused(faces: &[Embedding]) -> Embedding {
    mean_of(&faces.iter().collect::<Vec<_>>()).unwrap()
}

/// `k` looks of one person decided three ways under the kiosk's policy: the first alone, votes
/// (all `k` name the same person), fused (their mean decided once). One group of each enrolled
/// person with `k` probes, and of each person with `k` photos who is not enrolled (a stranger).
fn fusion_lever(
    gallery: &Gallery,
    policy: &MatchPolicy,
    enrolled: &[(PersonId, Vec<Embedding>)],
    others: &[&Identity],
    k: usize,
) {
    let groups: Vec<(Option<PersonId>, Vec<Embedding>)> = enrolled
        .iter()
        .filter(|(_, probes)| probes.len() >= k)
        .map(|(p, probes)| (Some(*p), probes[..k].to_vec()))
        .chain(others.iter().filter_map(|identity| {
            let faces: Vec<Embedding> = identity
                .faces
                .iter()
                .flatten()
                .take(k)
                .map(|f| f.embedding.clone())
                .collect();
            (faces.len() == k).then_some((None, faces))
        }))
        .collect();
    let first = tally(
        groups
            .iter()
            .map(|(truth, faces)| (*truth, gallery.identify(&faces[0], policy))),
    );
    let votes = tally(groups.iter().map(|(truth, faces)| {
        let decisions: Vec<MatchDecision> =
            faces.iter().map(|f| gallery.identify(f, policy)).collect();
        let agreed = match decisions[0] {
            MatchDecision::Known { person_id, .. } => decisions
                .iter()
                .all(|d| matches!(d, MatchDecision::Known { person_id: p, .. } if *p == person_id)),
            MatchDecision::Unknown { .. } => false,
        };
        let decision = if agreed {
            decisions[0]
        } else {
            MatchDecision::Unknown { best: None }
        };
        (*truth, decision)
    }));
    let fusion = tally(
        groups
            .iter()
            .map(|(truth, faces)| (*truth, gallery.identify(&fused(faces), policy))),
    );
    // The kiosk's rule: the fused look held to a bar raised by its penalty (the newest look alone
    // when the looks are too alike to fuse).
    let kiosk_rule = tally(groups.iter().map(|(truth, faces)| {
        let looks: Vec<&Embedding> = faces.iter().collect();
        let decision = match FusedLook::of(&looks) {
            Some(look) => decide_fused(gallery, policy, &look, None),
            None => gallery.identify(&faces[0], policy),
        };
        (*truth, decision)
    }));
    let varieties: Vec<f32> = groups
        .iter()
        .filter(|(truth, _)| truth.is_some())
        .filter_map(|(_, faces)| FusedLook::of(&faces.iter().collect::<Vec<_>>()))
        .map(|look| look.variety)
        .collect();
    eprintln!(
        "  lever {k} looks: mean variety of a person's looks {:.3}",
        varieties.iter().sum::<f32>() / varieties.len().max(1) as f32
    );
    at_equal_strangers(gallery, policy, &groups, k);
    for (label, result) in [
        ("first look", first),
        ("votes", votes),
        ("fused", fusion),
        ("fused, kiosk's rule", kiosk_rule),
    ] {
        eprintln!(
            "  lever {k} looks, {label}: named right {:.1} % of {} people, named wrong {:.2} %, strangers named {:.2} % ({} of {})",
            percent(result.named_right, result.probes),
            result.probes,
            percent(result.named_wrong, result.probes),
            percent(result.strangers_named, result.strangers),
            result.strangers_named,
            result.strangers,
        );
    }
}

/// For `k` looks decided by the first alone or fused: the bar that names a given share of the
/// strangers among `groups`, and the share of people named right there.
fn at_equal_strangers(
    gallery: &Gallery,
    policy: &MatchPolicy,
    groups: &[(Option<PersonId>, Vec<Embedding>)],
    k: usize,
) {
    let mut line = format!("  lever {k} looks at equal strangers named:");
    for (label, query) in [
        (
            "first look",
            &(|faces: &[Embedding]| faces[0].clone()) as &dyn Fn(&[Embedding]) -> Embedding,
        ),
        ("fused", &|faces: &[Embedding]| fused(faces)),
    ] {
        let tops: Vec<(Option<PersonId>, Vec<Candidate>)> = groups
            .iter()
            .map(|(truth, faces)| (*truth, gallery.search(&query(faces), 2)))
            .collect();
        let mut stranger_best: Vec<f32> = tops
            .iter()
            .filter(|(truth, _)| truth.is_none())
            .filter_map(|(_, top)| top.first().map(|c| c.similarity))
            .collect();
        stranger_best.sort_by(|a, b| b.total_cmp(a));
        for share in [0.003, 0.01] {
            let allowed = (share * stranger_best.len() as f64).floor() as usize;
            let bar = stranger_best.get(allowed).copied().unwrap_or(f32::MIN);
            let at_bar = MatchPolicy {
                threshold: bar + f32::EPSILON,
                max_strangers_named: None,
                ..*policy
            };
            let right = tally(tops.iter().map(|(truth, top)| (*truth, at_bar.decide(top))));
            line.push_str(&format!(
                " {label} at {:.1} %: bar {bar:.3}, {:.1} % named right;",
                share * 100.0,
                percent(right.named_right, right.probes)
            ));
        }
    }
    eprintln!("{line}");
}

/// Every stranger the kiosk's policy named, and as whom: in a news-photo set the highest are
/// often the same person under another name.
fn report_named_strangers(
    gallery: &Gallery,
    policy: &MatchPolicy,
    strangers: &[Stranger],
    tops: &[Vec<Candidate>],
) {
    for (stranger, top) in strangers.iter().zip(tops) {
        if let MatchDecision::Known {
            person_id,
            similarity,
        } = gallery
            .policy_for(policy, top.first().map(|c| c.person_id))
            .decide(top)
        {
            let runner_up = top.get(1).map_or(0.0, |c| c.similarity);
            eprintln!(
                "  stranger {} named {} at {similarity:.3} (next {runner_up:.3})",
                stranger.name,
                gallery.index().name(person_id).unwrap_or("?")
            );
        }
    }
}

fn main() {
    let options = options();
    let config = Config::defaults().unwrap();
    let model_id = frontdesk::models::EMBEDDER.id;
    let people = photos_by_person(&options.dataset)
        .into_iter()
        .enumerate()
        .filter(|(position, _)| options.half.keeps(*position))
        .map(|(_, person)| person)
        .collect();
    let mut identities = analyse(&config, people);
    shuffle(&mut identities, options.seed);
    let strangers: Vec<Stranger> = identities
        .iter()
        .filter(|i| i.faces.len() == 1)
        .filter(|i| {
            !ONE_PERSON_TWO_NAMES
                .iter()
                .any(|(alias, _)| *alias == i.name)
        })
        .filter_map(|i| {
            let face = i.faces.first()?.as_ref()?;
            Some(Stranger {
                name: i.name.clone(),
                embedding: face.embedding.clone(),
            })
        })
        .collect();
    let mut strangers = strangers;
    if let Some(dir) = &options.more_strangers {
        let more: Vec<Stranger> = analyse(&config, photos_by_person(dir).into_iter().collect())
            .into_iter()
            .filter_map(|i| {
                let face = i.faces.into_iter().flatten().next()?;
                Some(Stranger {
                    name: i.name,
                    embedding: face.embedding,
                })
            })
            .collect();
        println!("{} more strangers from {}", more.len(), dir.display());
        strangers.extend(more);
    }
    println!(
        "open set on {} ({:?} half): {} people, {} photos, {} strangers with a face (people with one photo)",
        options.dataset.display(),
        options.half,
        identities.len(),
        identities.iter().map(|i| i.faces.len()).sum::<usize>(),
        strangers.len()
    );
    println!(
        "kiosk policy: the default config (threshold {}, margin {}, max_strangers_named {})",
        config.recognition.threshold,
        config.recognition.margin,
        config.recognition.max_strangers_named
    );
    println!();
    println!(
        "| looks | people enrolled | bar | probes | strangers | named right | named wrong | strangers named |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for &looks in &options.looks {
        let candidates = with_more_photos_than(&identities, looks);
        for size in &options.sizes {
            let size = size.unwrap_or(candidates.len()).min(candidates.len());
            let (people, others) = candidates.split_at(size);
            let fill = match options.fill_to {
                Some(fill_to) if looks == 1 => fill_to.saturating_sub(size),
                _ => 0,
            };
            let (people, strangers) = filled(people, &identities, &strangers, fill);
            run_gallery(&config, model_id, &people, others, &strangers, looks);
        }
    }
    if let Some(regulars) = options.regulars {
        println!();
        println!(
            "| looks | people in the fleet | regulars | rule | bars (regulars / rest) | regulars named right | rest named right | named wrong | strangers named |"
        );
        println!("|---|---|---|---|---|---|---|---|---|");
        for &looks in &options.looks {
            let candidates = with_more_photos_than(&identities, looks);
            for size in &options.sizes {
                let size = size.unwrap_or(candidates.len()).min(candidates.len());
                let enrolled = enrol_gallery(&config, model_id, &candidates[..size], looks);
                fleet_split(&config, enrolled, &strangers, looks, regulars);
            }
        }
    }
}

/// The gallery `enrolled` as a fleet's: its first `regulars` people have a visit logged at this
/// kiosk. Prints a row for one bar for the whole fleet and one for the regulars' own bar.
fn fleet_split(
    config: &Config,
    enrolled: Enrolled,
    strangers: &[Stranger],
    looks: usize,
    regulars: usize,
) {
    let Enrolled {
        mut gallery,
        people,
        ..
    } = enrolled;
    let regulars = regulars.min(people.len());
    gallery.join_fleet("open-set bench").unwrap();
    let now = frontdesk::gallery::now_ms();
    for (person_id, _) in &people[..regulars] {
        gallery.record_visit(*person_id, now, 0.9, "bench").unwrap();
    }
    let own_bar = config.recognition.match_policy();
    let one_bar = MatchPolicy {
        regular_days: 0,
        ..own_bar
    };
    let probes_of = |people: &[(PersonId, Vec<Embedding>)], policy: &MatchPolicy| {
        tally(people.iter().flat_map(|(person_id, probes)| {
            probes
                .iter()
                .map(|e| (Some(*person_id), gallery.identify(e, policy)))
        }))
    };
    for (label, policy) in [("one bar", one_bar), ("regulars' own bar", own_bar)] {
        let of_regulars = probes_of(&people[..regulars], &policy);
        let of_rest = probes_of(&people[regulars..], &policy);
        let of_strangers = tally(
            strangers
                .iter()
                .map(|s| (None, gallery.identify(&s.embedding, &policy))),
        );
        let regular_bar = people.first().map_or(0.0, |(p, _)| {
            gallery.policy_for(&policy, Some(*p)).threshold
        });
        let rest_bar = gallery.policy_for(&policy, None).threshold;
        println!(
            "| {looks} | {} | {regulars} | {label} | {regular_bar:.3} / {rest_bar:.3} | {:.1} % | {:.1} % | {:.2} % | {:.3} % ({} of {}) |",
            people.len(),
            percent(of_regulars.named_right, of_regulars.probes),
            percent(of_rest.named_right, of_rest.probes),
            percent(
                of_regulars.named_wrong + of_rest.named_wrong,
                of_regulars.probes + of_rest.probes
            ),
            percent(of_strangers.strangers_named, of_strangers.strangers),
            of_strangers.strangers_named,
            of_strangers.strangers,
        );
    }
}
