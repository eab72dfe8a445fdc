//! Exact in-memory cosine search over every enrolled face, and the match decision by threshold and
//! margin (the bar a gallery's size sets is `open_set`'s).

use std::collections::HashMap;
use std::ops::Range;

use crate::vision::{EMBEDDING_DIM, Embedding};

use super::PersonId;
use super::face_code::FaceCode;
use super::scan;

/// Threshold and margin that turn similarities into "this is X" or "unknown".
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatchPolicy {
    /// The lowest similarity that names anyone, however small the gallery.
    pub threshold: f32,
    pub margin: f32,
    /// The share of strangers the gallery may name as somebody (`recognition.max_strangers_named`):
    /// a gallery the size of which would name more at `threshold` raises its bar
    /// ([`MatchPolicy::for_gallery`]). None: `threshold` alone decides.
    pub max_strangers_named: Option<f64>,
    /// In a gallery shared by a fleet, people seen at this kiosk within this many days are held to
    /// a bar of their own (`recognition.regular_days`, see [`super::Side`]); 0: one bar for all.
    pub regular_days: u32,
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

/// Every face of the current model, as one contiguous matrix of 8-bit codes for a scan that reads
/// a quarter of the memory a float matrix would (1 000 000 faces: about 150 MB). The scan only
/// narrows the search: each code's worst-case error is known, so the faces that could still be a
/// top match are re-scored exactly from the stored float embeddings, and the result is the one an
/// exact float search gives (see `search`).
#[derive(Debug, Default, Clone)]
pub struct FaceIndex {
    face_ids: Vec<i64>,
    person_ids: Vec<PersonId>,
    codes: Vec<i8>,
    /// Per face: the code's scale, and the norm of what the code misses (`|e - scale * code|`).
    scales: Vec<f32>,
    errors: Vec<f32>,
    names: HashMap<PersonId, String>,
}

/// Galleries this large are scanned on two threads.
const PARALLEL_SCAN_FACES: usize = 50_000;
/// Slack for float rounding in the scores themselves (far above it, far below any decision margin).
const ROUNDING_SLACK: f32 = 1e-4;
/// Faces scored per call of the scan kernel (their dot products stay on the stack).
const SCAN_BATCH: usize = 256;

/// A face the scan could not rule out, with the most it can score.
#[derive(Debug, Clone, Copy)]
struct Reach {
    face: usize,
    upper: f32,
}

/// What scanning some faces found: the best persons by proven lower bound, and every face whose
/// upper bound reached the k-th of those bounds when it was scanned (a superset of those that
/// reach the final one).
struct Scanned {
    lower: TopPersons,
    reached: Vec<Reach>,
}

impl Scanned {
    fn merge(mut self, other: Scanned) -> Scanned {
        for candidate in other.lower.into_candidates() {
            self.lower.offer(candidate.person_id, candidate.similarity);
        }
        self.reached.extend(other.reached);
        self
    }
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

    /// Whether `person_id` may be matched (their name is known to the index).
    pub fn has_person(&self, person_id: PersonId) -> bool {
        self.names.contains_key(&person_id)
    }

    /// Bytes the index holds (vectors, ids and names), for the scale benchmark.
    pub fn memory_bytes(&self) -> usize {
        self.codes.capacity()
            + 8 * (self.face_ids.capacity() + self.person_ids.capacity())
            + 4 * (self.scales.capacity() + self.errors.capacity())
            + self
                .names
                .values()
                .map(|name| name.capacity() + 8 + std::mem::size_of::<String>())
                .sum::<usize>()
    }

    pub fn reserve(&mut self, faces: usize) {
        self.face_ids.reserve(faces);
        self.person_ids.reserve(faces);
        self.codes.reserve(faces * EMBEDDING_DIM);
        self.scales.reserve(faces);
        self.errors.reserve(faces);
    }

    /// Gives back what [`FaceIndex::reserve`] asked for beyond the faces inserted.
    pub fn shrink_to_fit(&mut self) {
        self.face_ids.shrink_to_fit();
        self.person_ids.shrink_to_fit();
        self.codes.shrink_to_fit();
        self.scales.shrink_to_fit();
        self.errors.shrink_to_fit();
    }

    /// The person each row belongs to, in row order.
    pub(super) fn row_owners(&self) -> &[PersonId] {
        &self.person_ids
    }

    /// The 8-bit code of one row.
    pub(super) fn code_row(&self, row: usize) -> Option<&[i8]> {
        self.codes
            .get(row * EMBEDDING_DIM..(row + 1) * EMBEDDING_DIM)
    }

    /// The scale of one row's code.
    pub(super) fn code_scale(&self, row: usize) -> Option<f32> {
        self.scales.get(row).copied()
    }

    pub fn insert(&mut self, face_id: i64, person_id: PersonId, code: &FaceCode) {
        self.face_ids.push(face_id);
        self.person_ids.push(person_id);
        self.codes.extend_from_slice(&code.codes);
        self.scales.push(code.scale);
        self.errors.push(code.error);
    }

    /// Drops a person and all their faces.
    pub fn remove_person(&mut self, person_id: PersonId) {
        self.names.remove(&person_id);
        // Each of their rows takes the last row's place: removing a person costs a pass over the
        // person ids, not a rewrite of every code (a million faces' codes are 128 MB). The search
        // does not depend on the rows' order.
        let mut row = 0;
        while let Some(owner) = self.person_ids.get(row) {
            if *owner == person_id {
                self.swap_remove_row(row);
            } else {
                row += 1;
            }
        }
    }

    fn swap_remove_row(&mut self, row: usize) {
        let Some(last) = self.person_ids.len().checked_sub(1) else {
            return;
        };
        self.face_ids.swap_remove(row);
        self.person_ids.swap_remove(row);
        self.scales.swap_remove(row);
        self.errors.swap_remove(row);
        if row != last {
            self.codes.copy_within(
                last * EMBEDDING_DIM..(last + 1) * EMBEDDING_DIM,
                row * EMBEDDING_DIM,
            );
        }
        self.codes.truncate(last * EMBEDDING_DIM);
    }

    /// Puts a person's current name and faces in place of what the index held for them.
    pub fn replace_person(&mut self, person_id: PersonId, name: &str, faces: &[(i64, FaceCode)]) {
        self.remove_person(person_id);
        self.set_name(person_id, name);
        for (face_id, code) in faces {
            self.insert(*face_id, person_id, code);
        }
    }

    /// The `k` most similar distinct persons, best first; a person's similarity is that of their
    /// closest face, exactly as a float search over every face would find them.
    ///
    /// The scan scores every face from the codes, within a known bound `ε` of its true score
    /// (`|e·q - approx| <= err_e + (1 + err_e)·err_q`). Let `L` be the k-th best person by
    /// lower bound (`approx - ε`): every true top-k person scores at least `L`, so only faces whose
    /// upper bound (`approx + ε`) reaches `L` can be a top-k person's best face. Those few are
    /// scored exactly with the float embeddings `exact` returns for their face ids.
    pub fn search(
        &self,
        query: &Embedding,
        k: usize,
        exact: impl FnOnce(&[i64]) -> Vec<(i64, Embedding)>,
    ) -> Vec<Candidate> {
        if k == 0 || self.is_empty() {
            return Vec::new();
        }
        let scanned = self.scan(&FaceCode::of(query), k);
        let floor = scanned.lower.floor();
        let owner: HashMap<i64, PersonId> = scanned
            .reached
            .iter()
            .filter(|reach| reach.upper >= floor)
            .filter_map(|reach| {
                Some((
                    *self.face_ids.get(reach.face)?,
                    *self.person_ids.get(reach.face)?,
                ))
            })
            .collect();
        let candidates: Vec<i64> = owner.keys().copied().collect();
        let mut top = TopPersons::new(k);
        for (face_id, embedding) in exact(&candidates) {
            if let Some(person_id) = owner.get(&face_id) {
                top.offer(*person_id, embedding.cosine(query));
            }
        }
        top.into_candidates()
    }

    /// Scans every face, on two threads for a large gallery (each scans half the rows).
    fn scan(&self, query: &FaceCode, k: usize) -> Scanned {
        let faces = self.len();
        if faces < PARALLEL_SCAN_FACES {
            return self.scan_rows(query, k, 0..faces);
        }
        let half = faces / 2;
        std::thread::scope(|scope| {
            let second = std::thread::Builder::new()
                .name("index-scan".into())
                .spawn_scoped(scope, || self.scan_rows(query, k, half..faces));
            let first = self.scan_rows(query, k, 0..half);
            let second = match second.map(std::thread::ScopedJoinHandle::join) {
                Ok(Ok(second)) => second,
                _ => self.scan_rows(query, k, half..faces),
            };
            first.merge(second)
        })
    }

    /// Scores the faces in `rows` from their codes, keeping the best persons by lower bound and
    /// the faces whose upper bound reaches the k-th of those so far (that bound only rises, so no
    /// face reaching the final one is missed).
    fn scan_rows(&self, query: &FaceCode, k: usize, rows: Range<usize>) -> Scanned {
        let mut scanned = Scanned {
            lower: TopPersons::new(k),
            reached: Vec::new(),
        };
        let mut floor = f32::NEG_INFINITY;
        let mut dots = [0i32; SCAN_BATCH];
        for start in rows.clone().step_by(SCAN_BATCH) {
            let end = (start + SCAN_BATCH).min(rows.end);
            let (Some(codes), Some(scales), Some(errors), Some(people), Some(dots)) = (
                self.codes.get(start * EMBEDDING_DIM..end * EMBEDDING_DIM),
                self.scales.get(start..end),
                self.errors.get(start..end),
                self.person_ids.get(start..end),
                dots.get_mut(..end - start),
            ) else {
                break;
            };
            scan::code_dots(codes, &query.codes, dots);
            let faces = dots.iter().zip(scales).zip(errors).zip(people);
            for (face, (((dot, scale), error), person_id)) in (start..).zip(faces) {
                let approx = scale * query.scale * *dot as f32;
                let bound = error + (1.0 + error) * query.error + ROUNDING_SLACK;
                if approx + bound < floor {
                    continue;
                }
                scanned.reached.push(Reach {
                    face,
                    upper: approx + bound,
                });
                if approx - bound > floor {
                    scanned.lower.offer(*person_id, approx - bound);
                    floor = scanned.lower.floor();
                }
            }
        }
        scanned
    }
}

/// The best `k` distinct persons seen so far, by score.
struct TopPersons {
    k: usize,
    top: Vec<Candidate>,
}

impl TopPersons {
    fn new(k: usize) -> Self {
        Self {
            k,
            top: Vec::with_capacity(k + 1),
        }
    }

    /// The k-th best score, or minus infinity while fewer than k persons were seen.
    fn floor(&self) -> f32 {
        if self.top.len() == self.k {
            self.top.last().map_or(f32::NEG_INFINITY, |c| c.similarity)
        } else {
            f32::NEG_INFINITY
        }
    }

    fn offer(&mut self, person_id: PersonId, similarity: f32) {
        if self.top.len() == self.k && similarity <= self.floor() {
            return;
        }
        if let Some(existing) = self.top.iter_mut().find(|c| c.person_id == person_id) {
            existing.similarity = existing.similarity.max(similarity);
        } else {
            self.top.push(Candidate {
                person_id,
                similarity,
            });
        }
        self.top
            .sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
        self.top.truncate(self.k);
    }

    fn into_candidates(self) -> Vec<Candidate> {
        self.top
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An index with the float embeddings a gallery would keep beside it.
    #[derive(Default)]
    struct Stored {
        index: FaceIndex,
        floats: HashMap<i64, Embedding>,
    }

    impl Stored {
        fn insert(&mut self, face_id: i64, person_id: PersonId, embedding: &Embedding) {
            self.index
                .insert(face_id, person_id, &FaceCode::of(embedding));
            self.floats.insert(face_id, embedding.clone());
        }

        fn search(&self, query: &Embedding, k: usize) -> Vec<Candidate> {
            self.index.search(query, k, |ids| {
                ids.iter()
                    .filter_map(|id| Some((*id, self.floats.get(id)?.clone())))
                    .collect()
            })
        }
    }

    /// A seeded stream of values in [-0.5, 0.5) and of random unit embeddings made from them.
    pub(crate) struct Random(pub(crate) u64);

    impl Random {
        fn value(&mut self) -> f32 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((self.0 >> 33) as f32 / (1u64 << 31) as f32) - 0.5
        }

        pub(crate) fn embedding(&mut self) -> Embedding {
            let raw: Vec<f32> = (0..EMBEDDING_DIM).map(|_| self.value()).collect();
            Embedding::from_raw(&raw).unwrap()
        }
    }

    /// Every person's best similarity to `query` over `faces`, best first: the exact float search.
    fn exact_ranking(faces: &[(PersonId, Embedding)], query: &Embedding) -> Vec<(PersonId, f32)> {
        let mut best: HashMap<PersonId, f32> = HashMap::new();
        for (person, e) in faces {
            let s = e.cosine(query);
            let slot = best.entry(*person).or_insert(f32::NEG_INFINITY);
            *slot = slot.max(s);
        }
        let mut ranking: Vec<(PersonId, f32)> = best.into_iter().collect();
        ranking.sort_by(|a, b| b.1.total_cmp(&a.1));
        ranking
    }

    fn unit(direction: usize, tilt: f32) -> Embedding {
        let mut raw = [0f32; EMBEDDING_DIM];
        raw[direction] = 1.0;
        raw[(direction + 1) % EMBEDDING_DIM] = tilt;
        Embedding::from_raw(&raw).unwrap()
    }

    #[test]
    fn search_returns_distinct_persons_by_their_best_face() {
        let mut index = Stored::default();
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
        let mut random = Random(12345);
        let mut index = Stored::default();
        let mut all = Vec::new();
        for face in 0..500 {
            let e = random.embedding();
            let person = face % 37;
            index.insert(face, person, &e);
            all.push((person, e));
        }
        let query = all[123].1.clone();
        let expected = exact_ranking(&all, &query);
        let got = index.search(&query, 5);
        for (g, e) in got.iter().zip(&expected) {
            assert_eq!(g.person_id, e.0);
            assert!((g.similarity - e.1).abs() < 1e-5);
        }
    }

    /// The 8-bit scan narrows, the floats decide: over a gallery large enough to be scanned on two
    /// threads, the top two persons and their similarities are those of an exact float search, for
    /// returning visitors (noisy copies of enrolled faces) and strangers alike.
    #[test]
    fn the_8_bit_scan_never_changes_a_result_of_the_exact_search() {
        let mut random = Random(99);
        let faces = PARALLEL_SCAN_FACES + 10_000;
        let mut index = Stored::default();
        let mut all = Vec::with_capacity(faces);
        for face in 0..faces {
            let e = random.embedding();
            let person = (face / 5) as i64;
            index.insert(face as i64, person, &e);
            all.push((person, e));
        }
        for query_number in 0..40 {
            let query = if query_number % 2 == 0 {
                let enrolled = &all[(query_number * 1_543) % faces].1;
                let noisy: Vec<f32> = enrolled
                    .0
                    .iter()
                    .map(|v| v + 0.08 * random.value())
                    .collect();
                Embedding::from_raw(&noisy).unwrap()
            } else {
                random.embedding()
            };
            let expected = exact_ranking(&all, &query);
            let got: Vec<(i64, f32)> = index
                .search(&query, 2)
                .iter()
                .map(|c| (c.person_id, c.similarity))
                .collect();
            assert_eq!(got, expected[..2], "query {query_number}");
        }
    }

    #[test]
    fn remove_and_replace_person_keep_rows_consistent() {
        let mut index = Stored::default();
        index.insert(1, 10, &unit(0, 0.0));
        index.insert(2, 20, &unit(1, 0.0));
        index.insert(3, 30, &unit(2, 0.0));
        index.index.remove_person(20);
        assert_eq!(index.index.len(), 2);
        assert_eq!(index.search(&unit(2, 0.0), 1)[0].person_id, 30);
        let faces = [(4, unit(2, 0.0)), (5, unit(3, 0.0))];
        let codes: Vec<(i64, FaceCode)> =
            faces.iter().map(|(id, e)| (*id, FaceCode::of(e))).collect();
        index.index.replace_person(10, "Ten", &codes);
        index.floats.extend(faces.iter().cloned());
        assert_eq!(index.index.len(), 3);
        assert_eq!(index.index.name(10), Some("Ten"));
        assert!((index.search(&unit(2, 0.0), 2)[1].similarity - 1.0).abs() < 1e-6);
        assert!(index.search(&unit(0, 0.0), 1)[0].similarity < 0.5);
    }

    /// Removing people moves other rows around: every face left is still found as its own
    /// person's, exactly, and the removed people's faces are gone.
    #[test]
    fn removing_people_leaves_every_other_face_where_search_finds_it() {
        let mut random = Random(7);
        let mut index = Stored::default();
        let mut all = Vec::new();
        for face in 0..600 {
            let e = random.embedding();
            let person = face % 40;
            index.insert(face, person, &e);
            all.push((face, person, e));
        }
        let removed = |person: i64| person % 3 == 0 || person == 39;
        for person in (0..40).filter(|p| removed(*p)) {
            index.index.remove_person(person);
        }
        let left: Vec<_> = all.iter().filter(|(_, p, _)| !removed(*p)).collect();
        assert_eq!(index.index.len(), left.len());
        for (face, person, e) in left {
            let top = index.search(e, 1);
            assert_eq!(top[0].person_id, *person, "face {face}");
            assert!((top[0].similarity - 1.0).abs() < 1e-5, "face {face}");
        }
        for (_, _, e) in all.iter().filter(|(_, p, _)| removed(*p)) {
            assert!(!removed(index.search(e, 1)[0].person_id));
        }
    }

    #[test]
    fn policy_needs_threshold_and_margin() {
        let policy = MatchPolicy {
            threshold: 0.45,
            margin: 0.05,
            max_strangers_named: None,
            regular_days: 0,
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
