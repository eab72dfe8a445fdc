//! Which greeting belongs on screen: the one of the nearest face in view, fading out when that
//! visitor leaves and gone at once when someone else steps in front.

use std::time::{Duration, Instant};

use crate::attendance::CheckIn;
use crate::gallery::{Person, PersonId};
use crate::recognizer::{FrameReport, TrackLabel};

/// How long a greeting takes to fade once its visitor left the picture.
pub const FADE: Duration = Duration::from_millis(1500);
/// Nobody in view for this long before the attract screen: a face the detector misses for a frame
/// or two must not flash the attract screen in front of the visitor.
pub const ATTRACT_AFTER: Duration = Duration::from_millis(1000);
/// Greetings kept for faces in view (one per face; a crowd beyond this drops the oldest).
const GREETINGS_KEPT: usize = 16;

/// A recognised visitor to greet.
#[derive(Debug, Clone, PartialEq)]
pub struct Greeting {
    pub track: u64,
    /// With this visit counted; `last_visit_at` is the visit before it.
    pub person: Person,
    pub similarity: f32,
    /// A match sure enough to show more than the first name (`MatchPolicy::confident_bar`).
    pub confident: bool,
    /// Sessions of the person's groups happening now.
    pub check_ins: Vec<CheckIn>,
}

/// A face in the picture, as the public view needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct FaceInView {
    pub track: u64,
    /// Box area in pixels: the largest face is the nearest visitor.
    pub area: f32,
    pub kind: FaceKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FaceKind {
    Known {
        name: String,
    },
    Unknown,
    /// Not decided yet.
    Pending,
}

impl FaceInView {
    /// The faces of the latest processed frame.
    pub fn all(report: Option<&FrameReport>) -> Vec<FaceInView> {
        report.map_or_else(Vec::new, |report| {
            report
                .tracks
                .iter()
                .map(|track| FaceInView {
                    track: track.id,
                    area: track.detection.bbox.area(),
                    kind: match &track.label {
                        TrackLabel::Known { name, .. } => FaceKind::Known { name: name.clone() },
                        TrackLabel::Unknown => FaceKind::Unknown,
                        TrackLabel::Pending => FaceKind::Pending,
                    },
                })
                .collect()
        })
    }
}

/// What the public view shows now.
#[derive(Debug, Clone, PartialEq)]
pub enum Scene {
    /// Nobody in view: the shop's name and welcome.
    Attract,
    /// The nearest face is still being recognised: a calm cue.
    LookAtCamera,
    /// The nearest face is nobody the kiosk knows.
    NewVisitor,
    Greeting {
        greeting: Box<Greeting>,
        /// 1 while the visitor is in view, down to 0 as the greeting fades after they left.
        opacity: f32,
        /// Names of the other known faces in view, nearest first.
        others: Vec<String>,
    },
}

/// The greetings the worker sent, and which one is on screen.
#[derive(Debug, Default)]
pub struct GreetingTracker {
    greetings: Vec<Greeting>,
    /// The track greeted on screen, and since when it is out of view.
    shown: Option<(u64, Option<Instant>)>,
    /// The cue or prompt of the last face in view, and since when nobody is in view.
    last_cue: Option<(Scene, Option<Instant>)>,
}

impl GreetingTracker {
    /// A face was recognised; its greeting shows while it is the nearest face.
    pub fn greet(&mut self, greeting: Greeting) {
        self.greetings.retain(|g| g.track != greeting.track);
        if self.greetings.len() >= GREETINGS_KEPT {
            self.greetings.remove(0);
        }
        self.greetings.push(greeting);
    }

    /// Staff said the face is someone else: its greeting goes at once.
    pub fn forget_track(&mut self, track: u64) {
        self.greetings.retain(|g| g.track != track);
    }

    /// Someone erased or withdrawn leaves the screen at once.
    pub fn forget_person(&mut self, removed: impl Fn(PersonId) -> bool) {
        self.greetings.retain(|g| !removed(g.person.id));
    }

    /// The scene for the faces in view at `now`.
    pub fn scene(&mut self, faces: &[FaceInView], now: Instant) -> Scene {
        let mut by_distance: Vec<&FaceInView> = faces.iter().collect();
        by_distance.sort_by(|a, b| b.area.total_cmp(&a.area));
        let Some(nearest) = by_distance.first() else {
            return self.fading(now);
        };
        let greeting = match nearest.kind {
            FaceKind::Known { .. } => self.greetings.iter().find(|g| g.track == nearest.track),
            FaceKind::Unknown | FaceKind::Pending => None,
        };
        let Some(greeting) = greeting else {
            // Someone else is in front: the last greeting must not stay beside them.
            self.shown = None;
            let scene = match nearest.kind {
                FaceKind::Unknown => Scene::NewVisitor,
                FaceKind::Known { .. } | FaceKind::Pending => Scene::LookAtCamera,
            };
            self.last_cue = Some((scene.clone(), None));
            return scene;
        };
        self.shown = Some((greeting.track, None));
        self.last_cue = None;
        let others = by_distance[1..]
            .iter()
            .filter_map(|face| match &face.kind {
                FaceKind::Known { name } if *name != greeting.person.name => Some(name.clone()),
                _ => None,
            })
            .collect();
        Scene::Greeting {
            greeting: Box::new(greeting.clone()),
            opacity: 1.0,
            others,
        }
    }

    /// Nobody in view: the last greeting fades, or the last cue stays a moment, then the attract
    /// screen.
    fn fading(&mut self, now: Instant) -> Scene {
        if let Some((scene, gone_since)) = &mut self.last_cue {
            let gone_since = *gone_since.get_or_insert(now);
            if now.saturating_duration_since(gone_since) < ATTRACT_AFTER {
                return scene.clone();
            }
            self.last_cue = None;
        }
        let Some((track, left_at)) = &mut self.shown else {
            return Scene::Attract;
        };
        let left_at = *left_at.get_or_insert(now);
        let gone_for = now.saturating_duration_since(left_at);
        let greeting = self.greetings.iter().find(|g| g.track == *track);
        match greeting {
            Some(greeting) if gone_for < FADE => Scene::Greeting {
                greeting: Box::new(greeting.clone()),
                opacity: 1.0 - gone_for.as_secs_f32() / FADE.as_secs_f32(),
                others: Vec::new(),
            },
            _ => {
                self.shown = None;
                Scene::Attract
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: PersonId, name: &str) -> Person {
        Person {
            id,
            uid: format!("{id:032x}"),
            name: name.into(),
            details: Default::default(),
            consent_at: None,
            consent_withdrawn_at: None,
            created_at: 0,
            updated_at: 0,
            face_count: 1,
            visit_count: 2,
            last_visit_at: None,
        }
    }

    fn face(track: u64, area: f32, kind: FaceKind) -> FaceInView {
        FaceInView { track, area, kind }
    }

    fn known(name: &str) -> FaceKind {
        FaceKind::Known { name: name.into() }
    }

    fn tracker_greeting_sam() -> GreetingTracker {
        let mut tracker = GreetingTracker::default();
        tracker.greet(Greeting {
            track: 1,
            person: person(7, "Sam Carter"),
            similarity: 0.7,
            confident: true,
            check_ins: Vec::new(),
        });
        tracker
    }

    fn greeted(scene: &Scene) -> Option<(&str, f32)> {
        match scene {
            Scene::Greeting {
                greeting, opacity, ..
            } => Some((greeting.person.name.as_str(), *opacity)),
            _ => None,
        }
    }

    #[test]
    fn the_greeting_fades_after_the_visitor_leaves_then_the_attract_screen_shows() {
        let mut tracker = tracker_greeting_sam();
        let start = Instant::now();
        let sam = [face(1, 100.0, known("Sam Carter"))];
        assert_eq!(
            greeted(&tracker.scene(&sam, start)),
            Some(("Sam Carter", 1.0))
        );
        let left = start + Duration::from_secs(1);
        assert_eq!(
            greeted(&tracker.scene(&[], left)),
            Some(("Sam Carter", 1.0))
        );
        let (_, opacity) = greeted(&tracker.scene(&[], left + FADE / 2)).unwrap();
        assert!((opacity - 0.5).abs() < 0.01, "{opacity}");
        assert_eq!(tracker.scene(&[], left + FADE), Scene::Attract);
    }

    #[test]
    fn a_stranger_in_front_ends_the_greeting_at_once() {
        let mut tracker = tracker_greeting_sam();
        let now = Instant::now();
        tracker.scene(&[face(1, 100.0, known("Sam Carter"))], now);
        let stranger = [face(2, 100.0, FaceKind::Unknown)];
        assert_eq!(tracker.scene(&stranger, now), Scene::NewVisitor);
        // Nor does it come back as a fading greeting when the stranger leaves: the prompt stays a
        // moment (a face missed for a frame), then the attract screen.
        assert_eq!(tracker.scene(&[], now), Scene::NewVisitor);
        assert_eq!(tracker.scene(&[], now + ATTRACT_AFTER), Scene::Attract);
    }

    #[test]
    fn the_nearest_face_is_greeted_and_the_others_listed() {
        let mut tracker = tracker_greeting_sam();
        tracker.greet(Greeting {
            track: 2,
            person: person(8, "Ann Lee"),
            similarity: 0.6,
            confident: true,
            check_ins: Vec::new(),
        });
        let now = Instant::now();
        let faces = [
            face(1, 900.0, known("Sam Carter")),
            face(2, 4000.0, known("Ann Lee")),
            face(3, 100.0, FaceKind::Unknown),
        ];
        let scene = tracker.scene(&faces, now);
        assert_eq!(greeted(&scene), Some(("Ann Lee", 1.0)));
        let Scene::Greeting { others, .. } = scene else {
            unreachable!()
        };
        assert_eq!(others, ["Sam Carter"]);
        let pending = [face(4, 9000.0, FaceKind::Pending), faces[0].clone()];
        assert_eq!(tracker.scene(&pending, now), Scene::LookAtCamera);
    }

    #[test]
    fn a_rejected_or_erased_greeting_goes_at_once() {
        let mut tracker = tracker_greeting_sam();
        let now = Instant::now();
        let sam = [face(1, 100.0, known("Sam Carter"))];
        tracker.forget_person(|id| id == 7);
        assert_eq!(tracker.scene(&sam, now), Scene::LookAtCamera);
        let mut tracker = tracker_greeting_sam();
        tracker.forget_track(1);
        assert_eq!(tracker.scene(&sam, now), Scene::LookAtCamera);
    }
}
