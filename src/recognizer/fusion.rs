//! Several looks of one visitor decided as one: the mean of their embeddings.
//!
//! Each look's embedding carries its own noise (pose, light, blur); their mean lies nearer the
//! person's identity, and the right person scores higher than on any one look. It lies nearer a
//! look-alike's too, so a fused look's similarity counts lower by a penalty that grows with how
//! varied the looks are: nothing for a visitor standing still (the looks are the same picture), the
//! whole [`PENALTY_OF_VARIED_LOOKS`] for looks as varied as different photos of a person. Measured
//! on photos with the open-set bench (docs/recognition.md).

use crate::vision::{EMBEDDING_DIM, Embedding};

/// Looks fused at most: the newest of a track's recent looks.
pub const LOOKS_FUSED: usize = 3;
/// How much lower a fused look of varied looks counts: the bar fused looks needed above a single
/// look's for the same share of strangers named, on the development half of the open-set bench.
pub const PENALTY_OF_VARIED_LOOKS: f32 = 0.03;
/// The variety (one minus the mean cosine between looks) of different photos of one person, on
/// the development half of the open-set bench: the whole penalty applies from here.
pub const VARIETY_OF_PHOTOS: f32 = 0.35;
/// Looks less varied than this are the same picture: no fusion, the newest look decides.
pub const LEAST_VARIETY: f32 = 0.03;

/// The mean of a few looks and how varied they were.
#[derive(Debug, Clone, PartialEq)]
pub struct FusedLook {
    pub embedding: Embedding,
    /// One minus the mean cosine between the looks.
    pub variety: f32,
}

impl FusedLook {
    /// The looks `looks` fused, or None for fewer than two, or looks too alike to gain anything.
    pub fn of(looks: &[&Embedding]) -> Option<Self> {
        if looks.len() < 2 {
            return None;
        }
        let mut pairs = 0usize;
        let mut cosines = 0f32;
        for (i, a) in looks.iter().enumerate() {
            for b in &looks[i + 1..] {
                cosines += a.cosine(b);
                pairs += 1;
            }
        }
        let variety = 1.0 - cosines / pairs as f32;
        if variety < LEAST_VARIETY {
            return None;
        }
        Some(Self {
            embedding: mean_of(looks)?,
            variety,
        })
    }

    /// How much lower this fused look's similarities count.
    pub fn penalty(&self) -> f32 {
        PENALTY_OF_VARIED_LOOKS * (self.variety / VARIETY_OF_PHOTOS).min(1.0)
    }
}

/// The mean of `looks`, of unit length (None: no looks, or looks that cancel out).
pub fn mean_of(looks: &[&Embedding]) -> Option<Embedding> {
    let mut sum = [0f32; EMBEDDING_DIM];
    for look in looks {
        for (s, x) in sum.iter_mut().zip(look.0.iter()) {
            *s += x;
        }
    }
    Embedding::from_raw(&sum)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gallery::index::tests::Random;

    #[test]
    fn a_visitor_standing_still_is_not_fused() {
        let look = Random(1).embedding();
        assert_eq!(FusedLook::of(&[&look, &look, &look]), None);
        assert_eq!(FusedLook::of(&[&look]), None);
    }

    #[test]
    fn varied_looks_fuse_nearer_their_person_and_count_lower_the_more_varied_they_are() {
        let mut random = Random(2);
        let person = random.embedding();
        // Each look: the person plus noise of its own.
        let look = |random: &mut Random, noise: f32| {
            let n = random.embedding();
            let raw: Vec<f32> = person
                .0
                .iter()
                .zip(n.0.iter())
                .map(|(p, e)| p + noise * e)
                .collect();
            Embedding::from_raw(&raw).unwrap()
        };
        let looks: Vec<Embedding> = (0..3).map(|_| look(&mut random, 1.0)).collect();
        let fused = FusedLook::of(&looks.iter().collect::<Vec<_>>()).unwrap();
        let best_single = looks
            .iter()
            .map(|l| l.cosine(&person))
            .fold(f32::MIN, f32::max);
        assert!(fused.embedding.cosine(&person) > best_single + 0.05);
        assert!(fused.variety > 0.3, "{}", fused.variety);

        let alike: Vec<Embedding> = (0..3).map(|_| look(&mut random, 0.3)).collect();
        let alike = FusedLook::of(&alike.iter().collect::<Vec<_>>()).unwrap();
        assert!(alike.penalty() < fused.penalty());
        assert!(fused.penalty() <= PENALTY_OF_VARIED_LOOKS);
    }
}
