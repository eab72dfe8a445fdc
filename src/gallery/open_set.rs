//! How high the similarity bar must stand for a stranger to be named as somebody at most as often as
//! the operator allows, estimated from the gallery itself.
//!
//! A stranger is named when their best similarity to anyone enrolled clears the bar, and that best
//! similarity grows with every person enrolled: a fixed bar names more strangers the larger the
//! gallery. The enrolled people themselves are strangers to everyone else, so each sampled person's
//! best similarity to the *other* people is a sample of what a stranger scores against this very
//! gallery. Those maxima follow an extreme-value (Gumbel) law; fitted on their middle (robust to
//! the odd duplicate or twin at the very top), it gives the bar for any rate of strangers named,
//! and the rate expected at any similarity.

use std::collections::BTreeMap;

use super::PersonId;
use super::index::{FaceIndex, MatchPolicy};
use super::scan;
use crate::vision::EMBEDDING_DIM;

/// Below this many people there are too few strangers to estimate from, and the configured
/// threshold alone decides.
pub const MIN_PEOPLE: usize = 30;
/// People whose best match against the others is measured (evenly spread over the gallery).
const QUERY_PEOPLE: usize = 1000;
/// People they are compared with; a larger gallery's maxima are extrapolated from these (a
/// maximum over `k` times as many people is Gumbel with the same scale, shifted by `scale * ln k`),
/// so the estimate costs the same at a thousand people as at a million.
const REFERENCE_PEOPLE: usize = 4000;
/// Quantiles of the maxima the law is fitted to: the middle of the distribution, away from the
/// few pairs at the very top that are the same person enrolled twice.
const FIT_QUANTILES: (f64, f64) = (0.5, 0.95);

/// The law of a stranger's best similarity to the gallery: Gumbel with `location` and `scale`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StrangerScores {
    /// People in the gallery when it was estimated.
    pub people: usize,
    location: f64,
    scale: f64,
}

impl StrangerScores {
    /// Estimates the law from the gallery's own people, or None when it has fewer than
    /// [`MIN_PEOPLE`] people.
    pub fn estimate(index: &FaceIndex) -> Option<Self> {
        let people = rows_by_person(index);
        if people.len() < MIN_PEOPLE {
            return None;
        }
        let references = Reference::every_nth(index, &people);
        let query_step = people.len().div_ceil(QUERY_PEOPLE);
        let mut maxima: Vec<f64> = people
            .iter()
            .step_by(query_step)
            .filter_map(|(person_id, rows)| {
                let first = *rows.first()?;
                references.best_other(index.code_row(first)?, index.code_scale(first)?, *person_id)
            })
            .map(f64::from)
            .collect();
        maxima.sort_by(f64::total_cmp);
        let (low, high) = FIT_QUANTILES;
        let (q_low, q_high) = (quantile(&maxima, low)?, quantile(&maxima, high)?);
        let scale = ((q_high - q_low) / (gumbel_z(high) - gumbel_z(low))).max(1e-4);
        let location = q_low - scale * gumbel_z(low);
        // Each sample was a maximum over the reference people but one; the gallery has more.
        let compared = (references.people - 1).max(1) as f64;
        let shift = scale * ((people.len() - 1) as f64 / compared).max(1.0).ln();
        Some(Self {
            people: people.len(),
            location: location + shift,
            scale,
        })
    }

    /// The similarity a stranger's best match reaches with probability `max_strangers_named`.
    pub fn bar(&self, max_strangers_named: f64) -> f32 {
        let rate = max_strangers_named.clamp(1e-9, 0.5);
        (self.location + self.scale * gumbel_z(1.0 - rate)) as f32
    }

    /// The share of strangers whose best match reaches `similarity`.
    pub fn strangers_named_at(&self, similarity: f32) -> f64 {
        let z = (f64::from(similarity) - self.location) / self.scale;
        -(-(-z).exp()).exp_m1()
    }

    /// The law of a stranger's best similarity to `people` of this gallery's people: a maximum
    /// over fewer (or more) people follows the same law, shifted by `scale * ln(people / all)`.
    pub fn among(&self, people: usize) -> Self {
        let ratio = people.max(1) as f64 / self.people.max(1) as f64;
        Self {
            people,
            location: self.location + self.scale * ratio.ln(),
            scale: self.scale,
        }
    }
}

/// Whose bar a match is held to. A gallery shared by a fleet splits its people in two: those seen
/// at this kiosk lately (its regulars, a few hundred) and the rest of the fleet (possibly many
/// thousands). Each side may name half the share of strangers the operator allows, against the law
/// of its own number of people, so together they name no more than allowed, while a regular is
/// held to the bar of a small gallery instead of the whole fleet's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Not split: a gallery of one kiosk, or one whose kiosk has no regulars yet.
    Everyone,
    /// A match on one of the `people` seen at this kiosk lately.
    Regulars { people: usize },
    /// A match on one of the `people` of the rest of the fleet.
    Rest { people: usize },
}

/// A match at least this far above the bar is confident even where the gallery is too small to
/// estimate how strangers score.
pub const CONFIDENT_ABOVE_THRESHOLD: f32 = 0.05;

// The policy's gallery bar lives here, beside the estimate it reads, so that the index (which the
// estimate reads) does not depend on the estimate in turn.
impl MatchPolicy {
    /// This policy and the law strangers follow for a match on `side` of a gallery whose
    /// strangers score as `strangers` (see [`Side`]).
    pub fn on_side(
        &self,
        strangers: Option<&StrangerScores>,
        side: Side,
    ) -> (MatchPolicy, Option<StrangerScores>) {
        match side {
            Side::Everyone => (*self, strangers.copied()),
            Side::Regulars { people } | Side::Rest { people } => (
                MatchPolicy {
                    max_strangers_named: self.max_strangers_named.map(|share| share / 2.0),
                    ..*self
                },
                strangers.map(|s| s.among(people)),
            ),
        }
    }

    /// This policy for a gallery whose strangers score as `strangers` says: the bar rises above
    /// `threshold` to where at most `max_strangers_named` of them would be named.
    pub fn for_gallery(&self, strangers: Option<&StrangerScores>) -> MatchPolicy {
        MatchPolicy {
            threshold: self
                .gallery_bar(strangers)
                .map_or(self.threshold, |bar| self.threshold.max(bar)),
            ..*self
        }
    }

    /// The bar a gallery whose strangers score as `strangers` asks for at `max_strangers_named`,
    /// whether above or below `threshold` (None: no share set, or too few people to estimate).
    pub fn gallery_bar(&self, strangers: Option<&StrangerScores>) -> Option<f32> {
        Some(strangers?.bar(self.max_strangers_named?))
    }

    /// The similarity from which a match is sure enough to show the person's details: where ten
    /// times fewer strangers would reach than the bar lets through, and at least
    /// [`CONFIDENT_ABOVE_THRESHOLD`] above the threshold. Between the bar and this, a visitor is
    /// greeted by first name only.
    pub fn confident_bar(&self, strangers: Option<&StrangerScores>) -> f32 {
        let floor = self.for_gallery(strangers).threshold + CONFIDENT_ABOVE_THRESHOLD;
        match (self.max_strangers_named, strangers) {
            (Some(rate), Some(strangers)) => strangers.bar(rate / 10.0).max(floor),
            _ => floor,
        }
    }
}

/// What a gallery's size means for strangers, as `doctor` and the settings screen state it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StrangerOutlook {
    /// People who can be recognised.
    pub people: usize,
    /// The similarity a face must reach to be named here and now.
    pub bar: f32,
    /// The bar the gallery's size asks for at the configured share of strangers named (None: too
    /// few people, or no share configured); `bar` is this or the threshold, whichever is higher.
    pub raised_to: Option<f32>,
    /// The share of strangers' looks expected to be named (None: too few people to estimate).
    pub strangers_named: Option<f64>,
    /// In a fleet, this kiosk's regulars and their bar; `bar` is then the rest of the fleet's.
    pub regulars: Option<RegularsOutlook>,
}

/// The bar of the people seen at this kiosk lately, in a gallery shared by a fleet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RegularsOutlook {
    pub people: usize,
    /// A regular is seen here within this many days (`recognition.regular_days`).
    pub days: u32,
    pub bar: f32,
}

impl std::fmt::Display for StrangerOutlook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} people, similarity bar {:.3}", self.people, self.bar)?;
        if let Some(regulars) = &self.regulars {
            write!(
                f,
                " ({} seen here in the last {} days: {:.3})",
                regulars.people, regulars.days, regulars.bar
            )?;
        }
        match self.strangers_named {
            Some(rate) if rate > 0.0 => write!(
                f,
                "; about 1 stranger's look in {:.0} reaches it",
                (1.0 / rate).min(1e9)
            ),
            Some(_) => write!(f, "; no stranger's look is expected to reach it"),
            None => write!(
                f,
                "; under {MIN_PEOPLE} people, too few to estimate how often a stranger reaches it"
            ),
        }
    }
}

/// `z` with `P(X <= location + scale * z) = p` for a Gumbel variable X.
fn gumbel_z(p: f64) -> f64 {
    -(-p.ln()).ln()
}

/// Linear interpolation between the order statistics of `sorted`.
fn quantile(sorted: &[f64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let at = p * last as f64;
    let below = at.floor() as usize;
    let above = (below + 1).min(last);
    let (lo, hi) = (*sorted.get(below)?, *sorted.get(above)?);
    Some(lo + (hi - lo) * (at - below as f64))
}

/// Each person's rows of the index, in person order (so that samples are the same every time).
fn rows_by_person(index: &FaceIndex) -> BTreeMap<PersonId, Vec<usize>> {
    let mut people: BTreeMap<PersonId, Vec<usize>> = BTreeMap::new();
    for (row, person_id) in index.row_owners().iter().enumerate() {
        people.entry(*person_id).or_default().push(row);
    }
    people
}

/// The faces of the people every query is compared with, packed for the scan kernel.
struct Reference {
    people: usize,
    owners: Vec<PersonId>,
    codes: Vec<i8>,
    scales: Vec<f32>,
}

impl Reference {
    /// Every n-th person, n chosen so that at most [`REFERENCE_PEOPLE`] are taken.
    fn every_nth(index: &FaceIndex, people: &BTreeMap<PersonId, Vec<usize>>) -> Self {
        let step = people.len().div_ceil(REFERENCE_PEOPLE);
        let mut reference = Self {
            people: 0,
            owners: Vec::new(),
            codes: Vec::new(),
            scales: Vec::new(),
        };
        for (person_id, rows) in people.iter().step_by(step) {
            reference.people += 1;
            for &row in rows {
                if let (Some(code), Some(scale)) = (index.code_row(row), index.code_scale(row)) {
                    reference.owners.push(*person_id);
                    reference.codes.extend_from_slice(code);
                    reference.scales.push(scale);
                }
            }
        }
        reference
    }

    /// The best similarity of the face `code` (of `person_id`) to any other reference person.
    fn best_other(&self, code: &[i8], scale: f32, person_id: PersonId) -> Option<f32> {
        let query: &[i8; EMBEDDING_DIM] = code.try_into().ok()?;
        let mut dots = vec![0i32; self.owners.len()];
        scan::code_dots(&self.codes, query, &mut dots);
        dots.iter()
            .zip(&self.scales)
            .zip(&self.owners)
            .filter(|(_, owner)| **owner != person_id)
            .map(|((dot, other_scale), _)| scale * other_scale * *dot as f32)
            .max_by(f32::total_cmp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gallery::face_code::FaceCode;
    use crate::gallery::index::tests::Random;
    use crate::gallery::index::{MatchDecision, MatchPolicy};
    use crate::gallery::{Gallery, NewFace, NewPerson};
    use crate::vision::Embedding;

    fn random_embeddings(count: usize, seed: u64) -> Vec<Embedding> {
        let mut random = Random(seed);
        (0..count).map(|_| random.embedding()).collect()
    }

    fn index_of(embeddings: &[Embedding]) -> FaceIndex {
        let mut index = FaceIndex::default();
        for (n, embedding) in embeddings.iter().enumerate() {
            index.insert(n as i64, n as PersonId, &FaceCode::of(embedding));
        }
        index
    }

    /// Enrols "Person `n`" with the one look `embedding`.
    fn enroll_random(gallery: &mut Gallery, n: usize, embedding: Embedding) -> PersonId {
        let person = NewPerson {
            name: format!("Person {n}"),
            consent: true,
            ..Default::default()
        };
        let face = NewFace {
            embedding,
            model_id: "test-model".into(),
            quality: 1.0,
            thumbnail_jpeg: Vec::new(),
        };
        gallery.enroll(&person, &[face]).unwrap()
    }

    /// The share of `strangers` whose best similarity to `gallery` reaches `bar`.
    fn named(strangers: &[Embedding], gallery: &[Embedding], bar: f32) -> f64 {
        let named = strangers
            .iter()
            .filter(|s| gallery.iter().any(|g| g.cosine(s) >= bar))
            .count();
        named as f64 / strangers.len() as f64
    }

    #[test]
    fn a_small_gallery_leaves_the_bar_to_the_configured_threshold() {
        let gallery = random_embeddings(MIN_PEOPLE - 1, 1);
        assert_eq!(StrangerScores::estimate(&index_of(&gallery)), None);
    }

    #[test]
    fn the_bar_rises_with_the_gallery_and_holds_the_stranger_rate() {
        let strangers = random_embeddings(4000, 7);
        let mut bars = Vec::new();
        for people in [100, 1000, 6000] {
            let gallery = random_embeddings(people, 42 + people as u64);
            let scores = StrangerScores::estimate(&index_of(&gallery)).unwrap();
            let bar = scores.bar(0.01);
            let rate = named(&strangers, &gallery, bar);
            assert!(
                (0.002..=0.03).contains(&rate),
                "{people} people: bar {bar:.3} named {:.2} % of strangers, asked 1 %",
                rate * 100.0
            );
            let predicted = scores.strangers_named_at(bar);
            assert!((predicted - 0.01).abs() < 1e-6, "{predicted}");
            bars.push(bar);
        }
        assert!(bars[0] < bars[1] && bars[1] < bars[2], "{bars:?}");
    }

    /// The law of a part of the gallery, read off the whole's, names strangers at the rate a
    /// gallery of that part's size does.
    #[test]
    fn the_law_of_a_part_of_the_gallery_holds_its_stranger_rate() {
        let strangers = random_embeddings(4000, 7);
        let gallery = random_embeddings(3000, 5);
        let whole = StrangerScores::estimate(&index_of(&gallery)).unwrap();
        let part = whole.among(150);
        assert_eq!(part.people, 150);
        let bar = part.bar(0.01);
        assert!(bar < whole.bar(0.01));
        let rate = named(&strangers, &gallery[..150], bar);
        assert!(
            (0.002..=0.03).contains(&rate),
            "bar {bar:.3} for 150 of 3000 people named {:.2} % of strangers, asked 1 %",
            rate * 100.0
        );
    }

    /// In a fleet, a regular of this kiosk is named from a lower bar than the rest of the fleet,
    /// and the two halves of the share together keep strangers at the share asked.
    #[test]
    fn a_fleets_regulars_have_a_lower_bar_and_strangers_stay_at_the_share() {
        let mut gallery = Gallery::open_in_memory("test-model").unwrap();
        let enrolled: Vec<PersonId> = random_embeddings(600, 13)
            .into_iter()
            .enumerate()
            .map(|(n, embedding)| enroll_random(&mut gallery, n, embedding))
            .collect();
        let policy = MatchPolicy {
            threshold: 0.1,
            margin: 0.0,
            max_strangers_named: Some(0.01),
            regular_days: 30,
        };
        let alone = gallery.policy_for(&policy, Some(1)).threshold;
        gallery.join_fleet("fleet-1").unwrap();
        // Not split until someone was seen here.
        assert_eq!(gallery.policy_for(&policy, Some(1)).threshold, alone);
        let now = crate::gallery::now_ms();
        let regulars = &enrolled[..40];
        for &person_id in regulars {
            gallery.record_visit(person_id, now, 0.9, "test").unwrap();
        }
        let regular_bar = gallery.policy_for(&policy, Some(regulars[0])).threshold;
        let rest_bar = gallery.policy_for(&policy, None).threshold;
        assert!(
            regular_bar < alone && alone < rest_bar,
            "{regular_bar} {alone} {rest_bar}"
        );
        let outlook = gallery.stranger_outlook(&policy);
        assert_eq!(outlook.regulars.map(|r| r.people), Some(40));
        assert!(
            (outlook.strangers_named.unwrap() - 0.01).abs() < 1e-6,
            "{outlook:?}"
        );

        let strangers = random_embeddings(4000, 17);
        let named = strangers
            .iter()
            .filter(|s| matches!(gallery.identify(s, &policy), MatchDecision::Known { .. }))
            .count() as f64
            / strangers.len() as f64;
        assert!(
            (0.002..=0.03).contains(&named),
            "{:.2} % of strangers named, asked 1 %",
            named * 100.0
        );
        // With one bar for everyone the regulars are held to the whole fleet's.
        let one_bar = MatchPolicy {
            regular_days: 0,
            ..policy
        };
        assert_eq!(
            gallery.policy_for(&one_bar, Some(regulars[0])).threshold,
            alone
        );
    }

    #[test]
    fn a_lower_rate_asks_for_a_higher_bar() {
        let gallery = random_embeddings(500, 3);
        let scores = StrangerScores::estimate(&index_of(&gallery)).unwrap();
        assert!(scores.bar(0.001) > scores.bar(0.01));
        assert!(scores.strangers_named_at(0.9) < scores.strangers_named_at(0.3));
    }

    #[test]
    fn the_policy_takes_the_higher_of_the_threshold_and_the_galleries_bar() {
        let scores = StrangerScores::estimate(&index_of(&random_embeddings(1000, 5))).unwrap();
        let policy = MatchPolicy {
            threshold: 0.1,
            margin: 0.05,
            max_strangers_named: Some(0.001),
            regular_days: 0,
        };
        let raised = policy.for_gallery(Some(&scores));
        assert_eq!(raised.threshold, scores.bar(0.001));
        let strict = MatchPolicy {
            threshold: 0.9,
            ..policy
        };
        assert_eq!(strict.for_gallery(Some(&scores)).threshold, 0.9);
        let off = MatchPolicy {
            max_strangers_named: None,
            ..policy
        };
        assert_eq!(off.for_gallery(Some(&scores)).threshold, 0.1);
        assert!(policy.confident_bar(Some(&scores)) > raised.threshold);
    }

    #[test]
    fn the_gallery_raises_its_bar_as_people_are_enrolled() {
        let mut gallery = Gallery::open_in_memory("test-model").unwrap();
        let policy = MatchPolicy {
            threshold: 0.1,
            margin: 0.05,
            max_strangers_named: Some(0.001),
            regular_days: 0,
        };
        let mut bars = Vec::new();
        for (n, embedding) in random_embeddings(400, 11).into_iter().enumerate() {
            enroll_random(&mut gallery, n, embedding);
            if [MIN_PEOPLE - 1, 100, 400].contains(&(n + 1)) {
                let outlook = gallery.stranger_outlook(&policy);
                assert_eq!(outlook.people, n + 1);
                bars.push((outlook.bar, outlook.strangers_named));
            }
        }
        assert_eq!(bars[0], (0.1, None), "too few people: the threshold alone");
        let (bar_100, rate_100) = bars[1];
        let (bar_400, rate_400) = bars[2];
        assert!(bar_100 > 0.1 && bar_400 > bar_100, "{bars:?}");
        for rate in [rate_100, rate_400] {
            assert!((rate.unwrap() - 0.001).abs() < 1e-6, "{bars:?}");
        }
    }
}
