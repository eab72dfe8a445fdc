//! The recognition loop: tracking, identity votes, visits, and the worker thread that runs them.

mod events;
pub mod fusion;
pub mod identity;
mod learning;
mod motion;
pub mod naming;
mod problem;
mod schedule;
pub mod tracker;
mod worker;

use std::sync::Arc;

pub use events::{Disconnected, EventReceiver, EventSender, News, Wake, event_channel};
pub use problem::Problem;
pub use worker::{Worker, WorkerHandle};

pub use crate::config::EventKind;
pub use crate::track_event::TrackEvent;

use crate::camera::Frame;
use crate::engine::AnalyzedFace;
use crate::gallery::{GalleryChanges, MatchPolicy, NewPerson, Person, PersonId};
use crate::vision::Detection;
use crate::vision::quality::Guidance;

/// Recognition settings the kiosk can change while running.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkerSettings {
    pub policy: MatchPolicy,
    pub votes_needed: usize,
    pub visit_cooldown_minutes: u32,
    /// Visits older than this are purged (0 keeps them).
    pub retention_days: u32,
    /// Stored with each visit, e.g. "kiosk:webcam:0".
    pub source_label: String,
    /// Only people with a recorded consent are matched.
    pub require_consent: bool,
    /// At most this many faces are embedded per frame, the largest first.
    pub max_faces_per_frame: usize,
    /// Detect faces in every frame instead of following `DetectionSchedule`.
    pub detect_every_frame: bool,
    /// Confident greetings add a look to the person's template (`learning`).
    pub learn_looks: bool,
    /// A window draws the camera picture, so every frame with someone in view is wanted. A loop
    /// without one (`watch`, `serve`) asks only for the frames the detector looks at.
    pub frames_drawn: bool,
}

impl WorkerSettings {
    pub fn from_config(config: &crate::config::Config, source_label: String) -> Self {
        Self {
            policy: config.recognition.match_policy(),
            votes_needed: config.kiosk.votes_needed as usize,
            visit_cooldown_minutes: config.kiosk.visit_cooldown_minutes,
            retention_days: config.kiosk.retention_days,
            source_label,
            require_consent: config.kiosk.require_consent,
            max_faces_per_frame: config.recognition.max_faces_per_frame as usize,
            detect_every_frame: config.recognition.detect_every_frame,
            learn_looks: config.recognition.learn_looks,
            frames_drawn: true,
        }
    }
}

/// What the UI asks of the worker.
pub enum WorkerCommand {
    /// Enrols a new person from `sample` and those of `further_looks` that are the same face.
    Enroll {
        person: NewPerson,
        sample: Arc<AnalyzedFace>,
        further_looks: Vec<Arc<AnalyzedFace>>,
    },
    AddSample {
        person_id: PersonId,
        sample: Arc<AnalyzedFace>,
        further_looks: Vec<Arc<AnalyzedFace>>,
    },
    /// Staff said the current name of this track is wrong.
    RejectMatch { track: u64 },
    /// Saved settings: the recognition settings in them take effect at once.
    ApplyConfig(Box<crate::config::Config>),
}

/// How a face on screen is labelled.
#[derive(Debug, Clone, PartialEq)]
pub enum TrackLabel {
    /// Not decided yet (too few votes).
    Pending,
    Known {
        person_id: PersonId,
        name: String,
    },
    Unknown,
}

/// A face as the UI draws it.
#[derive(Debug, Clone)]
pub struct TrackView {
    pub id: u64,
    pub detection: Detection,
    pub label: TrackLabel,
    /// Similarity of the latest embedding to its best match, for tuning the threshold.
    pub similarity: Option<f32>,
    /// The best recent enrolment sample of this face.
    pub best_sample: Option<Arc<AnalyzedFace>>,
    /// More recent looks Capture enrols with it: good enough on their own and varied.
    pub further_looks: Vec<Arc<AnalyzedFace>>,
    /// Whom that sample already matches, if anyone.
    pub sample_match: Option<(PersonId, String, f32)>,
    /// What would make that sample better.
    pub guidance: Option<Guidance>,
}

/// The result of one processed frame.
pub struct FrameReport {
    pub frame: Frame,
    pub tracks: Vec<TrackView>,
    /// Whether faces were detected in this frame (false: the scene had not changed, see
    /// `DetectionSchedule`), and how long that took.
    pub detected: bool,
    pub detect_ms: f32,
    /// Faces aligned and embedded in this frame, and the mean time for one (0 when none).
    pub faces_embedded: u32,
    pub embed_ms: f32,
    pub t_ms: u64,
}

/// What the worker tells other systems (the API's event stream, webhooks, MQTT), handed to the
/// host's announcer on a queue of its own so that nobody's drawing or reading delays them.
#[derive(Debug, Clone, PartialEq)]
pub enum Announcement {
    Track(TrackEvent),
    /// People erased or no longer to be recognised: copies that name them are taken back.
    PeopleRemoved(std::collections::BTreeSet<PersonId>),
}

/// Announcements the announcer has not taken yet. It only sends them on; reaching this means it has
/// stopped, and the worker drops rather than waits.
pub const ANNOUNCEMENT_QUEUE: usize = 256;

/// Everything the worker reports.
pub enum RecognizerEvent {
    Frame(Box<FrameReport>),
    Track(TrackEvent),
    /// A known visitor was recognised: greet them. `person.visit_count` includes this visit and
    /// `person.last_visit_at` is the visit before it.
    Greeting {
        track: u64,
        person: Box<Person>,
        similarity: f32,
        /// Sure enough to show their details; otherwise they are greeted by first name only.
        confident: bool,
        visit_logged: bool,
        /// Their groups' sessions happening now, and whether they are on time for each.
        check_ins: Vec<crate::attendance::CheckIn>,
    },
    /// The similarity bar the gallery sets and how often a stranger reaches it: at start, and
    /// whenever the people or the settings change.
    Outlook(crate::gallery::StrangerOutlook),
    Enrolled {
        person_id: PersonId,
        name: String,
    },
    SampleAdded {
        person_id: PersonId,
        name: String,
    },
    /// Something failed; recognition goes on.
    Error(Problem),
    /// The gallery changed (here or in another process) and the worker has applied it: people in
    /// `removed` must disappear from the screen (greeting, thumbnails, lists).
    GalleryChanged(GalleryChanges),
    /// Recognition cannot run at all (models or gallery unusable); the message says what to do.
    Fatal(String),
    /// The frame source ended (recordings) or failed for good.
    SourceEnded,
}
