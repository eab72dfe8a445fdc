//! Whom a face is: the one decision the live loop and photos (`identify`, the API) share, on top of
//! the gallery's match under the policy.

use std::time::Instant;

use super::fusion::{FusedLook, LOOKS_FUSED};
use super::tracker::Track;
use crate::engine::AnalyzedFace;
use crate::gallery::{Candidate, Gallery, MatchDecision, MatchPolicy, PersonId};

/// The gallery's decision for `face` under `policy`, except that a person staff said this face is
/// not (`rejected`) is never the answer: the face is then unknown, their score kept as the best.
pub fn decide(
    gallery: &Gallery,
    policy: &MatchPolicy,
    face: &AnalyzedFace,
    rejected: Option<PersonId>,
) -> MatchDecision {
    unless_rejected(gallery.identify(&face.embedding, policy), rejected)
}

/// [`decide`] for several looks fused into one, whose similarities count lower by the look's
/// penalty ([`FusedLook::penalty`]), so that a fused look is held to a higher bar than one look.
pub fn decide_fused(
    gallery: &Gallery,
    policy: &MatchPolicy,
    look: &FusedLook,
    rejected: Option<PersonId>,
) -> MatchDecision {
    let penalty = look.penalty();
    let top: Vec<Candidate> = gallery
        .search(&look.embedding, 2)
        .into_iter()
        .map(|c| Candidate {
            similarity: c.similarity - penalty,
            ..c
        })
        .collect();
    let decision = gallery
        .policy_for(policy, top.first().map(|c| c.person_id))
        .decide(&top);
    unless_rejected(decision, rejected)
}

/// The vote of a track's newest look: its newest looks decided as one when they are varied enough
/// to fuse ([`FusedLook::of`]), otherwise `newest` (the newest look's own decision).
pub fn decide_track(
    gallery: &Gallery,
    policy: &MatchPolicy,
    track: &Track,
    newest: MatchDecision,
    now: Instant,
) -> MatchDecision {
    FusedLook::of(&track.newest_looks(now, LOOKS_FUSED)).map_or(newest, |look| {
        decide_fused(gallery, policy, &look, track.rejected_person)
    })
}

fn unless_rejected(decision: MatchDecision, rejected: Option<PersonId>) -> MatchDecision {
    match decision {
        MatchDecision::Known {
            person_id,
            similarity,
        } if rejected == Some(person_id) => MatchDecision::Unknown {
            best: Some(Candidate {
                person_id,
                similarity,
            }),
        },
        decision => decision,
    }
}

/// Whom a face in a photo belongs to (none for a stranger, or for a face smaller than
/// `min_face_px`, too small to name safely) and its best similarity to anyone. A photo has no
/// votes over frames to steady a decision, so size is its guard.
pub fn name_in_photo(
    face: &AnalyzedFace,
    gallery: &Gallery,
    policy: &MatchPolicy,
    min_face_px: f32,
) -> (Option<PersonId>, Option<f32>) {
    match decide(gallery, policy, face, None) {
        MatchDecision::Known {
            person_id,
            similarity,
        } if face.quality.size_px >= min_face_px => (Some(person_id), Some(similarity)),
        MatchDecision::Known { similarity, .. } => (None, Some(similarity)),
        MatchDecision::Unknown { best } => (None, best.map(|c| c.similarity)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gallery::test_support::{face, person};
    use crate::recognizer::tracker::tests::sample;

    /// Ada and Grace enrolled, and a face that is Ada's look exactly, `size_px` wide.
    fn gallery_and_ada(size_px: f32) -> (Gallery, PersonId, AnalyzedFace) {
        let mut gallery = Gallery::open_in_memory("m1").unwrap();
        gallery.set_consent_required(false).unwrap();
        let ada = gallery
            .enroll(&person("Ada", &[], true), &[face(0)])
            .unwrap();
        gallery
            .enroll(&person("Grace", &[], true), &[face(1)])
            .unwrap();
        let unknown = MatchDecision::Unknown { best: None };
        let look = sample(
            face(0).embedding,
            unknown,
            100.0,
            size_px,
            std::time::Instant::now(),
        );
        (gallery, ada, (*look.face).clone())
    }

    const POLICY: MatchPolicy = MatchPolicy {
        threshold: 0.45,
        margin: 0.05,
        max_strangers_named: None,
        regular_days: 0,
    };

    #[test]
    fn staff_saying_not_them_makes_the_face_unknown_with_its_score_kept() {
        let (gallery, ada, look) = gallery_and_ada(120.0);
        assert!(matches!(
            decide(&gallery, &POLICY, &look, None),
            MatchDecision::Known { person_id, .. } if person_id == ada
        ));
        match decide(&gallery, &POLICY, &look, Some(ada)) {
            MatchDecision::Unknown { best: Some(best) } => {
                assert_eq!(best.person_id, ada);
                assert!(best.similarity > 0.99);
            }
            other => panic!("still named: {other:?}"),
        }
    }

    /// Three looks of Ada, each `similarity` from her enrolled look, in directions of their own.
    fn varied_looks_of(
        ada: &crate::vision::Embedding,
        similarity: f32,
    ) -> Vec<crate::vision::Embedding> {
        let mut random = crate::gallery::index::tests::Random(9);
        (0..3)
            .map(|_| {
                let noise = random.embedding();
                let along = noise.cosine(ada);
                let across: Vec<f32> = noise
                    .0
                    .iter()
                    .zip(ada.0.iter())
                    .map(|(n, a)| n - along * a)
                    .collect();
                let across = crate::vision::Embedding::from_raw(&across).unwrap();
                let off = (1.0 - similarity * similarity).sqrt();
                let raw: Vec<f32> = ada
                    .0
                    .iter()
                    .zip(across.0.iter())
                    .map(|(a, n)| similarity * a + off * n)
                    .collect();
                crate::vision::Embedding::from_raw(&raw).unwrap()
            })
            .collect()
    }

    #[test]
    fn varied_looks_each_below_the_bar_name_their_person_once_fused() {
        let (gallery, ada, _) = gallery_and_ada(120.0);
        let enrolled = face(0).embedding;
        let looks = varied_looks_of(&enrolled, 0.40);
        for look in &looks {
            assert!(matches!(
                gallery.identify(look, &POLICY),
                MatchDecision::Unknown { .. }
            ));
        }
        let fused = FusedLook::of(&looks.iter().collect::<Vec<_>>()).unwrap();
        assert!(matches!(
            decide_fused(&gallery, &POLICY, &fused, None),
            MatchDecision::Known { person_id, .. } if person_id == ada
        ));
        assert!(matches!(
            decide_fused(&gallery, &POLICY, &fused, Some(ada)),
            MatchDecision::Unknown { .. }
        ));
    }

    /// A track whose newest looks are `looks`, all seen `now`.
    fn track_with(looks: &[crate::vision::Embedding], now: std::time::Instant) -> Track {
        let unknown = MatchDecision::Unknown { best: None };
        let mut tracker = crate::recognizer::tracker::Tracker::new(3);
        let first = sample(looks[0].clone(), unknown, 100.0, 120.0, now);
        let id = tracker.update(&[first.face.detection], now).seen[0];
        let track = tracker.get_mut(id).unwrap();
        for look in looks {
            track.add_sample(sample(look.clone(), unknown, 100.0, 120.0, now));
        }
        track.clone()
    }

    #[test]
    fn a_track_of_varied_looks_votes_for_them_fused_and_one_standing_still_for_its_newest_look() {
        let (gallery, ada, _) = gallery_and_ada(120.0);
        let now = std::time::Instant::now();
        let looks = varied_looks_of(&face(0).embedding, 0.40);
        let newest = gallery.identify(&looks[2], &POLICY);
        assert!(matches!(newest, MatchDecision::Unknown { .. }));
        let moving = track_with(&looks, now);
        assert!(matches!(
            decide_track(&gallery, &POLICY, &moving, newest, now),
            MatchDecision::Known { person_id, .. } if person_id == ada
        ));
        let still = track_with(&[looks[2].clone(), looks[2].clone(), looks[2].clone()], now);
        assert_eq!(decide_track(&gallery, &POLICY, &still, newest, now), newest);
    }

    #[test]
    fn a_fused_look_is_held_to_a_bar_raised_by_its_penalty() {
        let (gallery, ada, _) = gallery_and_ada(120.0);
        let looks = varied_looks_of(&face(0).embedding, 0.40);
        let fused = FusedLook::of(&looks.iter().collect::<Vec<_>>()).unwrap();
        let raw = fused.embedding.cosine(&face(0).embedding);
        // A bar the fused look clears by less than its penalty.
        let policy = MatchPolicy {
            threshold: raw - fused.penalty() / 2.0,
            ..POLICY
        };
        assert!(matches!(
            gallery.identify(&fused.embedding, &policy),
            MatchDecision::Known { person_id, .. } if person_id == ada
        ));
        assert!(matches!(
            decide_fused(&gallery, &policy, &fused, None),
            MatchDecision::Unknown { .. }
        ));
    }

    #[test]
    fn a_face_in_a_photo_too_small_to_name_safely_is_nobody_with_its_score() {
        let (gallery, ada, look) = gallery_and_ada(120.0);
        assert_eq!(name_in_photo(&look, &gallery, &POLICY, 40.0).0, Some(ada));
        let (gallery, _, small) = gallery_and_ada(30.0);
        let (person, similarity) = name_in_photo(&small, &gallery, &POLICY, 40.0);
        assert_eq!(person, None);
        assert!(similarity.is_some_and(|s| s > 0.99));
    }
}
