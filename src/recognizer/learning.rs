//! Looks a known visitor adds to their own template on later visits, under rules strict enough that
//! the template cannot drift towards somebody else: a template of several looks names its person
//! more surely than the one look Capture took (docs/recognition.md), and people change
//! (glasses, a beard, the seasons' light).

use super::tracker::Sample;
use crate::enrollment;
use crate::gallery::{Gallery, GalleryError, MatchDecision, MatchPolicy, PersonId};

/// A person's template holds at most this many looks; past it nothing is added.
pub const MAX_LOOKS: usize = 8;
/// At most one look a day is added to a person.
pub const SPACING_MS: i64 = 24 * 60 * 60 * 1000;
/// The look must beat every other enrolled person by this much, so that it is never the look of
/// someone who resembles them.
pub const CLEAR_LEAD: f32 = 0.10;

/// The look of this visit to add to `person_id`'s template, if any passes every rule: the match
/// is confident (never a borderline one), the look is good enough to enrol, far ahead of every
/// other person, the person has room for it and gained no look in the last day.
pub fn look_to_learn<'a>(
    gallery: &Gallery,
    policy: &MatchPolicy,
    person_id: PersonId,
    samples: impl IntoIterator<Item = &'a Sample>,
    min_face_px: f32,
    now_ms: i64,
) -> Result<Option<&'a Sample>, GalleryError> {
    let faces = gallery.faces(person_id)?;
    let newest = faces.iter().map(|f| f.created_at).max();
    if faces.len() >= MAX_LOOKS || newest.is_some_and(|at| now_ms - at < SPACING_MS) {
        return Ok(None);
    }
    let learnable = |sample: &&Sample| {
        let sure = matches!(sample.decision, MatchDecision::Known { person_id: p, similarity }
            if p == person_id && gallery.is_confident(policy, person_id, similarity));
        sure && enrollment::check_sample(&sample.face, min_face_px).is_ok()
            && clear_lead(gallery, sample, person_id)
    };
    Ok(samples
        .into_iter()
        .filter(learnable)
        .max_by(|a, b| a.face.quality.score().total_cmp(&b.face.quality.score())))
}

/// Whether `sample` names `person_id` first, at least [`CLEAR_LEAD`] ahead of the next person.
fn clear_lead(gallery: &Gallery, sample: &Sample, person_id: PersonId) -> bool {
    let top = gallery.search(&sample.face.embedding, 2);
    match (top.first(), top.get(1)) {
        (Some(best), next) => {
            best.person_id == person_id
                && next.is_none_or(|n| best.similarity - n.similarity >= CLEAR_LEAD)
        }
        (None, _) => false,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::gallery::{NewFace, NewPerson};
    use crate::recognizer::tracker;
    use crate::vision::{EMBEDDING_DIM, Embedding};

    const MODEL: &str = "test-model";

    fn embedding(axis: usize, lean: f32) -> Embedding {
        let mut raw = [0f32; EMBEDDING_DIM];
        raw[axis] = 1.0;
        raw[axis + 1] = lean;
        let norm = (1.0 + lean * lean).sqrt();
        raw.iter_mut().for_each(|x| *x /= norm);
        Embedding(raw)
    }

    fn sample(embedding: Embedding, decision: MatchDecision, sharpness: f32) -> Sample {
        tracker::tests::sample(embedding, decision, sharpness, 150.0, Instant::now())
    }

    fn enrol(gallery: &mut Gallery, name: &str, faces: &[Embedding]) -> PersonId {
        let faces: Vec<NewFace> = faces
            .iter()
            .map(|e| NewFace {
                embedding: e.clone(),
                model_id: MODEL.into(),
                quality: 1.0,
                thumbnail_jpeg: Vec::new(),
            })
            .collect();
        let person = NewPerson {
            name: name.into(),
            consent: true,
            ..Default::default()
        };
        gallery.enroll(&person, &faces).unwrap()
    }

    fn policy() -> MatchPolicy {
        MatchPolicy {
            threshold: 0.45,
            margin: 0.05,
            max_strangers_named: Some(0.001),
            regular_days: 0,
        }
    }

    /// Sam, enrolled a day and a minute ago, and Ann, who looks a little like him.
    fn sam_and_ann() -> (Gallery, PersonId, i64) {
        let mut gallery = Gallery::open_in_memory(MODEL).unwrap();
        let sam = enrol(&mut gallery, "Sam", &[embedding(0, 0.0)]);
        enrol(&mut gallery, "Ann", &[embedding(2, 0.0)]);
        let later = crate::gallery::now_ms() + SPACING_MS + 60_000;
        (gallery, sam, later)
    }

    fn known(person_id: PersonId, similarity: f32) -> MatchDecision {
        MatchDecision::Known {
            person_id,
            similarity,
        }
    }

    #[test]
    fn a_sure_clear_good_look_is_learned_a_day_later_and_not_sooner() {
        let (gallery, sam, later) = sam_and_ann();
        let look = sample(embedding(0, 0.3), known(sam, 0.96), 200.0);
        let looks = [look];
        let learned = look_to_learn(&gallery, &policy(), sam, &looks, 36.0, later).unwrap();
        assert!(learned.is_some());
        let too_soon = later - SPACING_MS;
        let learned = look_to_learn(&gallery, &policy(), sam, &looks, 36.0, too_soon).unwrap();
        assert!(learned.is_none(), "one look a day at most");
    }

    #[test]
    fn borderline_blurry_or_unclear_looks_are_never_learned() {
        let (gallery, sam, later) = sam_and_ann();
        let borderline = sample(embedding(0, 0.3), known(sam, 0.47), 200.0);
        let blurry = sample(embedding(0, 0.3), known(sam, 0.96), 5.0);
        // Between Sam and Ann: Sam's, but by a hair.
        let mut between = [0f32; EMBEDDING_DIM];
        (between[0], between[2]) = (0.75, 0.66);
        let between = Embedding::from_raw(&between).unwrap();
        let unclear = sample(between, known(sam, 0.75), 200.0);
        let anns = sample(embedding(2, 0.1), known(sam, 0.96), 200.0);
        for look in [borderline, blurry, unclear, anns] {
            let looks = [look];
            let learned = look_to_learn(&gallery, &policy(), sam, &looks, 36.0, later).unwrap();
            assert!(learned.is_none());
        }
    }

    #[test]
    fn a_full_template_learns_nothing() {
        let mut gallery = Gallery::open_in_memory(MODEL).unwrap();
        let looks: Vec<Embedding> = (0..MAX_LOOKS)
            .map(|n| embedding(0, n as f32 * 0.01))
            .collect();
        let sam = enrol(&mut gallery, "Sam", &looks);
        let later = crate::gallery::now_ms() + SPACING_MS + 60_000;
        let look = [sample(embedding(0, 0.3), known(sam, 0.96), 200.0)];
        let learned = look_to_learn(&gallery, &policy(), sam, &look, 36.0, later).unwrap();
        assert!(learned.is_none());
    }
}
