//! Whom a face is: the one decision the live loop and photos (`identify`, the API) share, on top of
//! the gallery's match under the policy.

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
    match gallery.identify(&face.embedding, policy) {
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
