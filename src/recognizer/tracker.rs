//! Follows faces from frame to frame by box overlap, so that each visitor is embedded when new or
//! unsure instead of on every frame.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::identity::{Verdict, VoteBox};
use super::motion::Motion;
use crate::engine::AnalyzedFace;
use crate::enrollment;
use crate::gallery::{GalleryChanges, MatchDecision, PersonId};
use crate::vision::{Detection, Embedding};

/// Minimum overlap for a detection to continue a track.
const MATCH_IOU: f32 = 0.3;
/// A track not seen for this long has left.
const LOST_AFTER: Duration = Duration::from_millis(1000);
/// Enrolment samples older than this are forgotten: Capture takes a *recent* good sample.
const SAMPLE_MAX_AGE: Duration = Duration::from_secs(3);
const SAMPLES_KEPT: usize = 12;
/// Looks Capture enrols besides the best one.
const FURTHER_LOOKS: usize = 4;
/// Two looks this similar are the same picture twice (a visitor standing still): the second adds
/// nothing to a template.
const NEAR_COPY: f32 = 0.97;
/// Frames a track must be seen in before it counts as someone having arrived.
const CONFIRM_FRAMES: u64 = 2;

/// An embedded look at a track's face, kept as an enrolment candidate.
#[derive(Debug, Clone)]
pub struct Sample {
    pub face: Arc<AnalyzedFace>,
    pub decision: MatchDecision,
    pub at: Instant,
}

#[derive(Debug, Clone)]
pub struct Track {
    pub id: u64,
    pub detection: Detection,
    pub votes: VoteBox,
    pub verdict: Verdict,
    pub frames_seen: u64,
    pub first_seen: Instant,
    pub last_seen: Instant,
    pub last_embedded: Option<Instant>,
    pub samples: VecDeque<Sample>,
    /// Set by staff with "Not <name>": this person is never voted for on this track again.
    pub rejected_person: Option<PersonId>,
    /// Whether "arrived" was reported.
    pub announced: bool,
    /// How the face has been moving, for the frames between the detector's looks.
    pub motion: Motion,
}

impl Track {
    /// Clears the votes and verdict, so the face is decided again from its next looks.
    pub fn forget_verdict(&mut self) {
        self.votes.clear();
        self.verdict = Verdict::Undecided;
        self.last_embedded = None;
    }

    /// Where the face is at `now`, from where it was last seen and how it has been moving.
    pub fn detection_at(&self, now: Instant) -> Detection {
        self.motion.predict(
            &self.detection,
            now.saturating_duration_since(self.last_seen),
        )
    }

    pub fn is_confirmed(&self) -> bool {
        self.frames_seen >= CONFIRM_FRAMES
    }

    pub fn add_sample(&mut self, sample: Sample) {
        self.samples.push_back(sample);
        while self.samples.len() > SAMPLES_KEPT {
            self.samples.pop_front();
        }
    }

    /// The best recent sample by quality (size, sharpness, pose, light).
    pub fn best_sample(&self, now: Instant) -> Option<&Sample> {
        self.recent_samples(now)
            .max_by(|a, b| a.face.quality.score().total_cmp(&b.face.quality.score()))
    }

    /// Up to [`FURTHER_LOOKS`] more recent samples to enrol beside `best`: each good enough to
    /// enrol on its own, best quality first, none a near copy of a look already taken. A template
    /// of several looks names its person more surely than one look, and strangers no more often
    /// (docs/recognition.md).
    pub fn further_looks(&self, best: &Sample, now: Instant, min_face_px: f32) -> Vec<&Sample> {
        let mut candidates: Vec<&Sample> = self
            .recent_samples(now)
            .filter(|s| !Arc::ptr_eq(&s.face, &best.face))
            .filter(|s| enrollment::check_sample(&s.face, min_face_px).is_ok())
            .collect();
        candidates.sort_by(|a, b| b.face.quality.score().total_cmp(&a.face.quality.score()));
        let mut taken: Vec<&Sample> = Vec::new();
        for candidate in candidates {
            let varied = std::iter::once(best)
                .chain(taken.iter().copied())
                .all(|look| look.face.embedding.cosine(&candidate.face.embedding) < NEAR_COPY);
            if varied && taken.len() < FURTHER_LOOKS {
                taken.push(candidate);
            }
        }
        taken
    }

    /// The embeddings of the newest `count` recent samples, for deciding them as one.
    pub fn newest_looks(&self, now: Instant, count: usize) -> Vec<&Embedding> {
        let mut looks: Vec<&Embedding> = self
            .recent_samples(now)
            .map(|s| &s.face.embedding)
            .collect();
        looks.drain(..looks.len().saturating_sub(count));
        looks
    }

    fn recent_samples(&self, now: Instant) -> impl Iterator<Item = &Sample> {
        self.samples
            .iter()
            .filter(move |s| now.saturating_duration_since(s.at) <= SAMPLE_MAX_AGE)
    }
}

/// What changed in one update.
#[derive(Debug, Default)]
pub struct TrackChanges {
    /// Ids of tracks seen in this frame (matched or new), by detection order.
    pub seen: Vec<u64>,
    pub lost: Vec<Track>,
}

#[derive(Debug, Default)]
pub struct Tracker {
    tracks: Vec<Track>,
    next_id: u64,
    votes_needed: usize,
}

impl Tracker {
    pub fn new(votes_needed: usize) -> Self {
        Self {
            tracks: Vec::new(),
            next_id: 1,
            votes_needed,
        }
    }

    pub fn tracks(&self) -> &[Track] {
        &self.tracks
    }

    pub fn tracks_mut(&mut self) -> &mut [Track] {
        &mut self.tracks
    }

    pub fn get_mut(&mut self, id: u64) -> Option<&mut Track> {
        self.tracks.iter_mut().find(|t| t.id == id)
    }

    pub fn get(&self, id: u64) -> Option<&Track> {
        self.tracks.iter().find(|t| t.id == id)
    }

    /// Forgets every verdict, e.g. after the recognition settings changed.
    pub fn reset_votes(&mut self) {
        for track in &mut self.tracks {
            track.forget_verdict();
        }
    }

    /// Brings every track's verdict in line with a gallery change. A face named as someone who is
    /// now removed (erased, merged away, consent withdrawn) loses that name at once, and no
    /// "Not <name>" still points at them. Every other face is looked at again from the next frame
    /// (an unknown face may just have been enrolled), keeping its verdict until the new votes
    /// decide, so that nobody is announced twice. Returns the greeted faces whose person changed,
    /// to show their new details: (track, person, similarity).
    pub fn reconsider(&mut self, changes: &GalleryChanges) -> Vec<(u64, PersonId, f32)> {
        let removed = |person_id: &PersonId| changes.removed.contains(person_id);
        let mut regreet = Vec::new();
        for track in &mut self.tracks {
            if track.rejected_person.as_ref().is_some_and(removed) {
                track.rejected_person = None;
            }
            match track.verdict {
                Verdict::Known { person_id, .. } if removed(&person_id) => track.forget_verdict(),
                Verdict::Known {
                    person_id,
                    similarity,
                } if changes.changed.contains(&person_id) => {
                    regreet.push((track.id, person_id, similarity));
                }
                _ => {
                    track.votes.clear();
                    track.last_embedded = None;
                }
            }
        }
        regreet
    }

    /// Matches `detections` to tracks greedily by overlap, starts tracks for the rest and drops
    /// tracks unseen for too long.
    pub fn update(&mut self, detections: &[Detection], now: Instant) -> TrackChanges {
        let mut pairs: Vec<(f32, usize, usize)> = Vec::new();
        for (t, track) in self.tracks.iter().enumerate() {
            let predicted = track.detection_at(now).bbox;
            for (d, detection) in detections.iter().enumerate() {
                let overlap = predicted.iou(&detection.bbox);
                if overlap >= MATCH_IOU {
                    pairs.push((overlap, t, d));
                }
            }
        }
        pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut track_of_detection: Vec<Option<usize>> = vec![None; detections.len()];
        let mut track_taken = vec![false; self.tracks.len()];
        for (_, t, d) in pairs {
            if track_taken.get(t).copied().unwrap_or(true)
                || track_of_detection.get(d).copied().flatten().is_some()
            {
                continue;
            }
            if let (Some(taken), Some(slot)) =
                (track_taken.get_mut(t), track_of_detection.get_mut(d))
            {
                *taken = true;
                *slot = Some(t);
            }
        }
        let mut changes = TrackChanges::default();
        for (detection, assigned) in detections.iter().zip(&track_of_detection) {
            let id = match assigned.and_then(|t| self.tracks.get_mut(t)) {
                Some(track) => {
                    let elapsed = now.saturating_duration_since(track.last_seen);
                    track.motion =
                        track
                            .motion
                            .updated(&track.detection.bbox, &detection.bbox, elapsed);
                    track.detection = *detection;
                    track.frames_seen += 1;
                    track.last_seen = now;
                    track.id
                }
                None => {
                    let id = self.next_id;
                    self.next_id += 1;
                    self.tracks.push(Track {
                        id,
                        detection: *detection,
                        votes: VoteBox::new(self.votes_needed),
                        verdict: Verdict::Undecided,
                        frames_seen: 1,
                        first_seen: now,
                        last_seen: now,
                        last_embedded: None,
                        samples: VecDeque::new(),
                        rejected_person: None,
                        announced: false,
                        motion: Motion::default(),
                    });
                    id
                }
            };
            changes.seen.push(id);
        }
        let (kept, lost): (Vec<Track>, Vec<Track>) = std::mem::take(&mut self.tracks)
            .into_iter()
            .partition(|t| now.saturating_duration_since(t.last_seen) <= LOST_AFTER);
        self.tracks = kept;
        changes.lost = lost;
        changes
    }

    /// Ends every track (the source ended).
    pub fn clear(&mut self) -> Vec<Track> {
        std::mem::take(&mut self.tracks)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::vision::BoundingBox;

    fn at(x: f32) -> Detection {
        Detection {
            bbox: BoundingBox {
                x,
                y: 10.0,
                width: 50.0,
                height: 60.0,
            },
            score: 0.9,
            landmarks: [[0.0; 2]; 5],
        }
    }

    /// A look at a face: `direction` picks its embedding, `sharpness` and `size_px` its quality.
    /// An embedded look at a frontal, well-lit face `size_px` wide with `sharpness`, seen `seen`.
    pub(in crate::recognizer) fn sample(
        embedding: crate::vision::Embedding,
        decision: MatchDecision,
        sharpness: f32,
        size_px: f32,
        seen: Instant,
    ) -> Sample {
        Sample {
            face: Arc::new(AnalyzedFace {
                detection: at(100.0),
                aligned: image::RgbImage::new(112, 112),
                embedding,
                quality: crate::vision::quality::FaceQuality {
                    size_px,
                    sharpness,
                    brightness: 128.0,
                    yaw: 0.0,
                    roll_degrees: 0.0,
                },
            }),
            decision,
            at: seen,
        }
    }

    /// A look whose embedding points along `direction` (axis, weight pairs).
    fn look(direction: &[(usize, f32)], sharpness: f32, size_px: f32, seen: Instant) -> Sample {
        let mut raw = [0f32; crate::vision::EMBEDDING_DIM];
        for (axis, value) in direction {
            raw[*axis] = *value;
        }
        let embedding = crate::vision::Embedding::from_raw(&raw).unwrap();
        let unknown = MatchDecision::Unknown { best: None };
        sample(embedding, unknown, sharpness, size_px, seen)
    }

    #[test]
    fn capture_takes_further_looks_that_are_good_varied_and_recent() {
        let mut tracker = Tracker::new(3);
        let t0 = Instant::now();
        let id = tracker.update(&[at(100.0)], t0).seen[0];
        let track = tracker.get_mut(id).unwrap();
        let now = t0 + Duration::from_secs(10);
        let recent = now - Duration::from_millis(500);
        // The best look; the same picture again; two varied looks; a blurry one, a tiny one, and
        // a varied one from before the capture's window.
        track.add_sample(look(&[(0, 1.0)], 300.0, 160.0, recent));
        track.add_sample(look(&[(0, 1.0), (1, 0.05)], 250.0, 150.0, recent));
        track.add_sample(look(&[(0, 1.0), (2, 0.4)], 200.0, 140.0, recent));
        track.add_sample(look(&[(0, 1.0), (3, 0.5)], 150.0, 130.0, recent));
        track.add_sample(look(&[(0, 1.0), (4, 0.5)], 5.0, 150.0, recent));
        track.add_sample(look(&[(0, 1.0), (5, 0.5)], 300.0, 20.0, recent));
        track.add_sample(look(&[(0, 1.0), (6, 0.5)], 300.0, 150.0, t0));
        let best = track.best_sample(now).unwrap().clone();
        assert_eq!(best.face.quality.sharpness, 300.0);
        let further = track.further_looks(&best, now, 36.0);
        let axes: Vec<usize> = further
            .iter()
            .map(|s| {
                (1..8)
                    .find(|axis| s.face.embedding.0[*axis] != 0.0)
                    .unwrap_or(0)
            })
            .collect();
        assert_eq!(
            axes,
            vec![2, 3],
            "best quality first; no copy, blur, tiny or old look"
        );
    }

    #[test]
    fn moving_face_keeps_its_track_and_a_second_face_gets_a_new_one() {
        let mut tracker = Tracker::new(3);
        let t0 = Instant::now();
        let first = tracker.update(&[at(100.0)], t0);
        let second = tracker.update(&[at(108.0), at(400.0)], t0 + Duration::from_millis(40));
        assert_eq!(second.seen[0], first.seen[0]);
        assert_ne!(second.seen[1], first.seen[0]);
        assert_eq!(tracker.tracks().len(), 2);
        assert!(tracker.get(first.seen[0]).unwrap().is_confirmed());
    }

    #[test]
    fn a_visitor_crossing_the_frame_between_sparse_looks_keeps_one_track() {
        // 560 px a second: looked at every frame while being decided, then every 150 ms, when
        // each look finds the 50-px face 84 px on, clear of where it was last seen.
        let mut tracker = Tracker::new(3);
        let t0 = Instant::now();
        let speed = 560.0;
        let mut times: Vec<u64> = (0..4).map(|frame| frame * 33).collect();
        times.extend((1..8).map(|look| 99 + look * 150));
        let mut ids = Vec::new();
        for ms in times {
            let x = 10.0 + speed * ms as f32 / 1000.0;
            let changes = tracker.update(&[at(x)], t0 + Duration::from_millis(ms));
            assert!(changes.lost.is_empty(), "lost at {ms} ms");
            ids.extend(changes.seen);
        }
        assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
        // Between two looks the box is drawn where the face has got to.
        let track = &tracker.tracks()[0];
        let halfway = track.detection_at(track.last_seen + Duration::from_millis(75));
        assert!((halfway.bbox.x - (track.detection.bbox.x + 42.0)).abs() < 1.0);
    }

    #[test]
    fn track_survives_a_missed_frame_and_is_lost_after_a_second() {
        let mut tracker = Tracker::new(3);
        let t0 = Instant::now();
        let id = tracker.update(&[at(100.0)], t0).seen[0];
        assert!(
            tracker
                .update(&[], t0 + Duration::from_millis(300))
                .lost
                .is_empty()
        );
        assert_eq!(
            tracker
                .update(&[at(102.0)], t0 + Duration::from_millis(400))
                .seen,
            vec![id]
        );
        let gone = tracker.update(&[], t0 + Duration::from_millis(1500));
        assert_eq!(gone.lost.len(), 1);
        assert_eq!(gone.lost[0].id, id);
    }

    #[test]
    fn a_gallery_change_drops_removed_names_and_looks_again_at_everyone_else() {
        use crate::recognizer::identity::Vote;
        let mut tracker = Tracker::new(3);
        let t0 = Instant::now();
        let ids = tracker
            .update(&[at(0.0), at(200.0), at(400.0), at(600.0)], t0)
            .seen;
        let verdicts = [
            Verdict::Known {
                person_id: 7,
                similarity: 0.8,
            },
            Verdict::Known {
                person_id: 8,
                similarity: 0.7,
            },
            Verdict::Known {
                person_id: 9,
                similarity: 0.6,
            },
            Verdict::Unknown,
        ];
        for (id, verdict) in ids.iter().zip(verdicts) {
            let track = tracker.get_mut(*id).unwrap();
            track.verdict = verdict;
            track.last_embedded = Some(t0);
            track.votes.push(Vote::Unknown {
                best_similarity: None,
            });
        }
        tracker.get_mut(ids[3]).unwrap().rejected_person = Some(7);
        let changes = GalleryChanges {
            changed: [8].into(),
            removed: [7].into(),
            ..GalleryChanges::default()
        };
        let regreet = tracker.reconsider(&changes);

        let erased = tracker.get(ids[0]).unwrap();
        assert_eq!(erased.verdict, Verdict::Undecided);
        assert!(erased.last_embedded.is_none());
        assert_eq!(
            regreet,
            vec![(ids[1], 8, 0.7)],
            "new details for the greeted"
        );
        let untouched = tracker.get(ids[2]).unwrap();
        assert!(matches!(
            untouched.verdict,
            Verdict::Known { person_id: 9, .. }
        ));
        assert!(untouched.last_embedded.is_none(), "looked at again");
        let stranger = tracker.get(ids[3]).unwrap();
        assert_eq!(stranger.verdict, Verdict::Unknown, "not announced again");
        assert!(stranger.last_embedded.is_none() && stranger.rejected_person.is_none());
    }
}
