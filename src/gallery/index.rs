//! Exact in-memory cosine search over every enrolled face, and the open-set match decision.

use std::collections::HashMap;

use crate::vision::{EMBEDDING_DIM, Embedding};

use super::PersonId;

/// Threshold and margin that turn similarities into "this is X" or "unknown".
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatchPolicy {
    pub threshold: f32,
    pub margin: f32,
}

/// The best person for a face, with how close the runner-up came.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    pub person_id: PersonId,
    pub similarity: f32,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MatchDecision {
    /// Similar enough to one person, and clearly more than to anyone else.
    Known {
        person_id: PersonId,
        similarity: f32,
    },
    /// Nobody close enough, or two people too close to tell apart; `best` is the top similarity.
    Unknown { best: Option<Candidate> },
}

impl MatchPolicy {
    /// Decides from the best two persons (best first).
    pub fn decide(&self, top: &[Candidate]) -> MatchDecision {
        let Some(best) = top.first().copied() else {
            return MatchDecision::Unknown { best: None };
        };
        let runner_up = top.get(1).map_or(f32::NEG_INFINITY, |c| c.similarity);
        if best.similarity >= self.threshold && best.similarity - runner_up >= self.margin {
            MatchDecision::Known {
                person_id: best.person_id,
                similarity: best.similarity,
            }
        } else {
            MatchDecision::Unknown { best: Some(best) }
        }
    }
}

/// Every face of the current model, as one contiguous matrix for a cache-friendly scan.
#[derive(Debug, Default, Clone)]
pub struct FaceIndex {
    face_ids: Vec<i64>,
    person_ids: Vec<PersonId>,
    vectors: Vec<f32>,
    names: HashMap<PersonId, String>,
}

impl FaceIndex {
    pub fn len(&self) -> usize {
        self.face_ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.face_ids.is_empty()
    }

    pub fn person_count(&self) -> usize {
        self.names.len()
    }

    pub fn name(&self, person_id: PersonId) -> Option<&str> {
        self.names.get(&person_id).map(String::as_str)
    }

    pub fn set_name(&mut self, person_id: PersonId, name: &str) {
        self.names.insert(person_id, name.to_owned());
    }

    pub fn insert(&mut self, face_id: i64, person_id: PersonId, embedding: &Embedding) {
        self.face_ids.push(face_id);
        self.person_ids.push(person_id);
        self.vectors.extend_from_slice(&embedding.0);
    }

    /// Drops a person and all their faces.
    pub fn remove_person(&mut self, person_id: PersonId) {
        self.names.remove(&person_id);
        let keep: Vec<bool> = self.person_ids.iter().map(|p| *p != person_id).collect();
        let mut row = 0;
        self.vectors.retain(|_| {
            let kept = keep.get(row / EMBEDDING_DIM).copied().unwrap_or(true);
            row += 1;
            kept
        });
        let mut flags = keep.iter();
        self.face_ids
            .retain(|_| flags.next().copied().unwrap_or(true));
        let mut flags = keep.iter();
        self.person_ids
            .retain(|_| flags.next().copied().unwrap_or(true));
    }

    /// Puts a person's current name and faces in place of what the index held for them.
    pub fn replace_person(&mut self, person_id: PersonId, name: &str, faces: &[(i64, Embedding)]) {
        self.remove_person(person_id);
        self.set_name(person_id, name);
        for (face_id, embedding) in faces {
            self.insert(*face_id, person_id, embedding);
        }
    }

    /// The `k` most similar distinct persons, best first; a person's similarity is that of their
    /// closest face.
    pub fn search(&self, query: &Embedding, k: usize) -> Vec<Candidate> {
        let mut top: Vec<Candidate> = Vec::with_capacity(k + 1);
        if k == 0 {
            return top;
        }
        let mut floor = f32::NEG_INFINITY;
        for (vector, person_id) in self
            .vectors
            .chunks_exact(EMBEDDING_DIM)
            .zip(&self.person_ids)
        {
            let similarity = dot(vector, &query.0);
            if top.len() == k && similarity <= floor {
                continue;
            }
            if let Some(existing) = top.iter_mut().find(|c| c.person_id == *person_id) {
                existing.similarity = existing.similarity.max(similarity);
            } else {
                top.push(Candidate {
                    person_id: *person_id,
                    similarity,
                });
            }
            top.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
            top.truncate(k);
            if top.len() == k {
                floor = top.last().map_or(f32::NEG_INFINITY, |c| c.similarity);
            }
        }
        top
    }
}

/// Dot product with eight independent accumulators, so that the compiler vectorises it.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    for (ca, cb) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        for ((lane, x), y) in lanes.iter_mut().zip(ca).zip(cb) {
            *lane += x * y;
        }
    }
    lanes.iter().sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(direction: usize, tilt: f32) -> Embedding {
        let mut raw = [0f32; EMBEDDING_DIM];
        raw[direction] = 1.0;
        raw[(direction + 1) % EMBEDDING_DIM] = tilt;
        Embedding::from_raw(&raw).unwrap()
    }

    #[test]
    fn search_returns_distinct_persons_by_their_best_face() {
        let mut index = FaceIndex::default();
        index.insert(1, 10, &unit(0, 0.0));
        index.insert(2, 10, &unit(0, 0.5));
        index.insert(3, 20, &unit(0, 1.0));
        index.insert(4, 30, &unit(5, 0.0));
        let top = index.search(&unit(0, 0.0), 2);
        assert_eq!(top.len(), 2);
        assert_eq!(top[0].person_id, 10);
        assert!((top[0].similarity - 1.0).abs() < 1e-6);
        assert_eq!(top[1].person_id, 20);
        assert!((top[1].similarity - 0.70710677).abs() < 1e-5);
    }

    #[test]
    fn search_matches_brute_force_on_random_gallery() {
        let mut state = 12345u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) as f32 / (1u64 << 31) as f32) - 0.5
        };
        let mut index = FaceIndex::default();
        let mut all = Vec::new();
        for face in 0..500 {
            let raw: Vec<f32> = (0..EMBEDDING_DIM).map(|_| next()).collect();
            let e = Embedding::from_raw(&raw).unwrap();
            let person = face % 37;
            index.insert(face, person, &e);
            all.push((person, e));
        }
        let query = all[123].1.clone();
        let mut best: HashMap<i64, f32> = HashMap::new();
        for (person, e) in &all {
            let s = e.cosine(&query);
            let slot = best.entry(*person).or_insert(f32::NEG_INFINITY);
            *slot = slot.max(s);
        }
        let mut expected: Vec<(i64, f32)> = best.into_iter().collect();
        expected.sort_by(|a, b| b.1.total_cmp(&a.1));
        let got = index.search(&query, 5);
        for (g, e) in got.iter().zip(&expected) {
            assert_eq!(g.person_id, e.0);
            assert!((g.similarity - e.1).abs() < 1e-5);
        }
    }

    #[test]
    fn remove_and_replace_person_keep_rows_consistent() {
        let mut index = FaceIndex::default();
        index.insert(1, 10, &unit(0, 0.0));
        index.insert(2, 20, &unit(1, 0.0));
        index.insert(3, 30, &unit(2, 0.0));
        index.remove_person(20);
        assert_eq!(index.len(), 2);
        assert_eq!(index.search(&unit(2, 0.0), 1)[0].person_id, 30);
        index.replace_person(10, "Ten", &[(4, unit(2, 0.0)), (5, unit(3, 0.0))]);
        assert_eq!(index.len(), 3);
        assert_eq!(index.name(10), Some("Ten"));
        assert!((index.search(&unit(2, 0.0), 2)[1].similarity - 1.0).abs() < 1e-6);
        assert!(index.search(&unit(0, 0.0), 1)[0].similarity < 0.5);
    }

    #[test]
    fn policy_needs_threshold_and_margin() {
        let policy = MatchPolicy {
            threshold: 0.45,
            margin: 0.05,
        };
        let c = |person_id, similarity| Candidate {
            person_id,
            similarity,
        };
        assert!(matches!(
            policy.decide(&[c(1, 0.7), c(2, 0.3)]),
            MatchDecision::Known { person_id: 1, .. }
        ));
        assert!(matches!(
            policy.decide(&[c(1, 0.7)]),
            MatchDecision::Known { person_id: 1, .. }
        ));
        assert!(matches!(
            policy.decide(&[c(1, 0.40)]),
            MatchDecision::Unknown { .. }
        ));
        assert!(matches!(
            policy.decide(&[c(1, 0.70), c(2, 0.68)]),
            MatchDecision::Unknown { .. }
        ));
        assert!(matches!(
            policy.decide(&[]),
            MatchDecision::Unknown { best: None }
        ));
    }
}
