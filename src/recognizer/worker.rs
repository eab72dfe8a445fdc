//! The recognition worker thread: owns the ONNX sessions and the gallery, takes the newest frame,
//! tracks, embeds new or unsure faces, votes, logs visits, and reports to the UI or `watch`.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TryRecvError, TrySendError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::identity::{SURE_ABOVE_THRESHOLD, Verdict, Vote};
use super::learning;
use super::naming::{decide, decide_track};
use super::schedule::{Attention, DetectionSchedule};
use super::tracker::{Sample, Track, Tracker};
use super::{
    Announcement, EventKind, EventSender, News, Problem, RecognizerEvent, TrackEvent, TrackLabel,
    TrackView, Wake, WorkerCommand, WorkerSettings,
};
use crate::camera::{Frame, FrameSlot, SlotTake};
use crate::config::Config;
use crate::engine::{AnalyzedFace, FaceEngine};
use crate::enrollment;
use crate::gallery::{Gallery, GalleryError, MatchDecision, Person, PersonId, now_ms};

/// A decided track is embedded again this often, to catch a wrong or changed identity and to keep a
/// fresh enrolment sample.
const RECHECK_INTERVAL: Duration = Duration::from_millis(700);
/// How long a face too small to recognise counts as someone walking up to the desk.
const APPROACH_TIME: Duration = Duration::from_secs(3);
/// How long the worker waits for a frame before looking at its commands again.
const FRAME_WAIT: Duration = Duration::from_millis(50);
/// How often old visits are purged while the kiosk runs.
const RETENTION_INTERVAL: Duration = Duration::from_secs(3600);
/// Commands not yet taken by the worker. The UI sends one per click, and never waits for room.
const COMMAND_QUEUE: usize = 64;

/// Everything the worker needs, moved onto its thread.
pub struct Worker {
    engine: FaceEngine,
    gallery: Gallery,
    settings: WorkerSettings,
    tracker: Tracker,
    started: Instant,
    /// Media time of the newest frame, so events from recordings carry their position in the clip.
    last_time_ms: u64,
    last_retention: Option<Instant>,
    /// The last failure to follow the gallery's change feed, so it is reported once, not per frame.
    follow_error: Option<Problem>,
    /// When this run logged each person's last visit, on the monotonic clock (see `is_new_visit`).
    visits_logged: std::collections::HashMap<PersonId, Instant>,
    /// Which frames the detector looks at.
    schedule: DetectionSchedule,
    /// Where track events and erasures go besides the reader of `events` (the host's announcer).
    announcements: Option<SyncSender<Announcement>>,
}

/// The running worker.
pub struct WorkerHandle {
    /// `None` once dropping: the worker stops when its command channel closes.
    commands: Option<SyncSender<WorkerCommand>>,
    thread: Option<JoinHandle<()>>,
}

impl WorkerHandle {
    pub fn send(&self, command: WorkerCommand) {
        let Some(commands) = &self.commands else {
            return;
        };
        match commands.try_send(command) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                tracing::error!("the recognition worker is behind; command dropped");
            }
            Err(TrySendError::Disconnected(_)) => {
                tracing::error!("the recognition worker has stopped; command dropped");
            }
        }
    }
}

impl Drop for WorkerHandle {
    fn drop(&mut self) {
        drop(self.commands.take());
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the recognition worker panicked");
        }
    }
}

fn spawn_thread(
    body: impl FnOnce(&Receiver<WorkerCommand>) + Send + 'static,
) -> std::io::Result<WorkerHandle> {
    let (commands, command_rx) = std::sync::mpsc::sync_channel(COMMAND_QUEUE);
    let thread = std::thread::Builder::new()
        .name("recognizer".into())
        .spawn(move || body(&command_rx))?;
    Ok(WorkerHandle {
        commands: Some(commands),
        thread: Some(thread),
    })
}

impl Worker {
    pub fn new(engine: FaceEngine, gallery: Gallery, settings: WorkerSettings) -> Self {
        Self {
            engine,
            gallery,
            tracker: Tracker::new(settings.votes_needed),
            settings,
            started: Instant::now(),
            last_time_ms: 0,
            last_retention: None,
            follow_error: None,
            visits_logged: std::collections::HashMap::new(),
            schedule: DetectionSchedule::default(),
            announcements: None,
        }
    }

    /// Also hands every track event and erasure to `announcements`.
    #[must_use]
    pub fn announcing_to(mut self, announcements: Option<SyncSender<Announcement>>) -> Self {
        self.announcements = announcements;
        self
    }

    /// Starts the worker on its own thread. `events` receives everything it has to say; `wake` is
    /// called after each message, with what kind of news it is, so that a UI can repaint.
    pub fn spawn(
        self,
        slot: Arc<FrameSlot>,
        events: EventSender,
        wake: Wake,
    ) -> std::io::Result<WorkerHandle> {
        spawn_thread(move |commands| self.run(&slot, commands, &events, wake.as_ref()))
    }

    /// Like [`Worker::spawn`], but loads the models and opens the gallery on the worker thread, so
    /// that a window can show itself at once. A failure is reported as [`RecognizerEvent::Fatal`].
    pub fn spawn_loading(
        config: Config,
        db_path: PathBuf,
        settings: WorkerSettings,
        announcements: Option<SyncSender<Announcement>>,
        slot: Arc<FrameSlot>,
        events: EventSender,
        wake: Wake,
    ) -> std::io::Result<WorkerHandle> {
        spawn_thread(move |commands| {
            let loaded = FaceEngine::load(&config)
                .map_err(|e| format!("the recognition engine cannot start: {e}"))
                .and_then(|engine| {
                    Gallery::open_for_matching(&db_path, settings.require_consent)
                        .map(|gallery| (engine, gallery))
                        .map_err(|e| e.to_string())
                });
            match loaded {
                Ok((engine, gallery)) => {
                    Worker::new(engine, gallery, settings)
                        .announcing_to(announcements)
                        .run(&slot, commands, &events, wake.as_ref());
                }
                Err(message) => {
                    tracing::error!(%message, "recognition unavailable");
                    if events.send(RecognizerEvent::Fatal(message)).is_ok() {
                        wake(News::Change);
                    }
                }
            }
        })
    }

    fn run(
        mut self,
        slot: &FrameSlot,
        commands: &Receiver<WorkerCommand>,
        events: &EventSender,
        wake: &dyn Fn(News),
    ) {
        let announcements = self.announcements.take();
        let emit = |event: RecognizerEvent| {
            announce(announcements.as_ref(), &event);
            let news = News::of(&event);
            let sent = events.send(event).is_ok();
            wake(news);
            sent
        };
        emit(self.outlook());
        loop {
            if let Some(message) = self.apply_retention() {
                emit(RecognizerEvent::Error(message));
            }
            for event in self.follow_gallery() {
                emit(event);
            }
            loop {
                match commands.try_recv() {
                    Ok(command) => {
                        for event in self.handle_command(command) {
                            emit(event);
                        }
                    }
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => return,
                }
            }
            match slot.take(FRAME_WAIT) {
                SlotTake::Frame(frame) => {
                    for event in self.process_frame(&frame) {
                        if !emit(event) {
                            return;
                        }
                    }
                    slot.ask_for_frames_every(if self.settings.detect_every_frame {
                        Duration::ZERO
                    } else {
                        self.schedule.frame_interval(self.settings.frames_drawn)
                    });
                }
                SlotTake::Empty => {}
                SlotTake::Closed => {
                    for event in self.finish() {
                        emit(event);
                    }
                    emit(RecognizerEvent::SourceEnded);
                    // Stay for commands (an enrolment in progress, the staff screens) and keep
                    // following the gallery until the owner hangs up.
                    loop {
                        match commands.recv_timeout(FRAME_WAIT) {
                            Ok(command) => {
                                for event in self.handle_command(command) {
                                    emit(event);
                                }
                            }
                            Err(RecvTimeoutError::Timeout) => {}
                            Err(RecvTimeoutError::Disconnected) => return,
                        }
                        for event in self.follow_gallery() {
                            emit(event);
                        }
                    }
                }
            }
        }
    }

    /// Purges visits past the retention period, at start and then hourly. Returns a message when
    /// that failed.
    fn apply_retention(&mut self) -> Option<Problem> {
        if self
            .last_retention
            .is_some_and(|t| t.elapsed() < RETENTION_INTERVAL)
        {
            return None;
        }
        self.last_retention = Some(Instant::now());
        if let Err(e) = self.gallery.prune_change_log() {
            tracing::warn!(error = %e, "cannot prune the gallery's change log");
        }
        let days = self.settings.retention_days;
        if days == 0 {
            return None;
        }
        let cutoff = now_ms() - i64::from(days) * 86_400_000;
        match self.gallery.purge_visits_before(cutoff) {
            Ok(0) => None,
            Ok(purged) => {
                tracing::info!(purged, days, "visits past the retention period deleted");
                None
            }
            Err(e) => Some(Problem::OldVisitsNotDeleted {
                detail: e.to_string(),
            }),
        }
    }

    /// Applies what changed in the gallery (here or in another process): erased people and people
    /// without consent are dropped from every face on screen at once, faces that were unknown are
    /// decided again (they may have just been enrolled), and a greeted person's new details are
    /// shown.
    fn follow_gallery(&mut self) -> Vec<RecognizerEvent> {
        if let Err(e) = self.gallery.refresh() {
            let problem = Problem::GalleryNotFollowed {
                detail: e.to_string(),
            };
            if self.follow_error.as_ref() != Some(&problem) {
                tracing::error!(%problem);
                self.follow_error = Some(problem.clone());
                return vec![RecognizerEvent::Error(problem)];
            }
            return Vec::new();
        }
        self.follow_error = None;
        let changes = self.gallery.take_changes();
        if !changes.affects_people() {
            // Visits logged by another process (a second kiosk, `frontdesk watch`) change no face
            // on screen, but open roll calls and visit lists show them.
            return if changes.visits {
                vec![RecognizerEvent::GalleryChanged(changes)]
            } else {
                Vec::new()
            };
        }
        let regreet = self.tracker.reconsider(&changes);
        // Capture's "already looks like …" reads the samples' decisions: make them current.
        let policy = self.settings.policy;
        for track in self.tracker.tracks_mut() {
            let rejected = track.rejected_person;
            for sample in &mut track.samples {
                sample.decision = decide(&self.gallery, &policy, &sample.face, rejected);
            }
        }
        let mut events = Vec::new();
        for (track, person_id, similarity) in regreet {
            match self.greeting_person(person_id) {
                Ok(person) => events.push(RecognizerEvent::Greeting {
                    track,
                    check_ins: self.check_ins(person_id),
                    person: Box::new(person),
                    similarity,
                    confident: self.gallery.is_confident(&policy, person_id, similarity),
                    visit_logged: false,
                }),
                Err(e) => tracing::warn!(error = %e, person_id, "cannot reload a greeted person"),
            }
        }
        events.push(RecognizerEvent::GalleryChanged(changes));
        events.push(self.outlook());
        events
    }

    /// The similarity bar this gallery sets now, and how often a stranger reaches it.
    fn outlook(&self) -> RecognizerEvent {
        RecognizerEvent::Outlook(self.gallery.stranger_outlook(&self.settings.policy))
    }

    fn time_ms(&self, frame: Option<&Frame>) -> u64 {
        match frame.and_then(|f| f.media_time) {
            Some(media) => u64::try_from(media.as_millis()).unwrap_or(u64::MAX),
            None => u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX),
        }
    }

    /// Detect, track, embed where needed, vote, and report.
    pub fn process_frame(&mut self, frame: &Frame) -> Vec<RecognizerEvent> {
        let mut events = Vec::new();
        let t_ms = self.time_ms(Some(frame));
        self.last_time_ms = t_ms;
        let now = frame.captured_at;
        if !self.settings.detect_every_frame
            && !self.schedule.due(&frame.image, now, self.attention(now))
        {
            return vec![self.undetected_frame(frame, now, t_ms)];
        }
        let detect_start = Instant::now();
        let detections = match self.engine.detect(&frame.image) {
            Ok(d) => d,
            Err(e) => {
                events.push(RecognizerEvent::Error(Problem::DetectionFailed {
                    detail: e.to_string(),
                }));
                return events;
            }
        };
        let detect_ms = detect_start.elapsed().as_secs_f32() * 1000.0;
        let changes = self.tracker.update(&detections, now);
        for lost in changes.lost {
            if lost.announced {
                events.push(track_event(EventKind::Left, &lost, t_ms, &self.gallery));
            }
        }
        let mut embed_ms = 0f32;
        let mut embedded = 0u32;
        // Embedding costs ~20 ms a face: a crowd must not stall the kiosk. The largest faces (the
        // ones at the desk) go first and at most `max_faces_per_frame` are embedded per frame; the
        // rest keep their boxes and wait for a frame with room.
        let mut seen = changes.seen;
        seen.sort_by(|a, b| {
            let area = |id| {
                self.tracker
                    .get(id)
                    .map_or(0.0, |t| t.detection.bbox.area())
            };
            area(*b).total_cmp(&area(*a))
        });
        let mut budget = self.settings.max_faces_per_frame;
        for id in seen {
            let Some(track) = self.tracker.get(id) else {
                continue;
            };
            let big_enough = track.detection.bbox.min_side() >= self.engine.min_face_px();
            // Undecided faces, and decided ones looked at again after a gallery change, are
            // embedded on every frame until their votes are in; settled ones now and then.
            let due = track.verdict == Verdict::Undecided
                || track.votes.is_collecting()
                || track
                    .last_embedded
                    .is_none_or(|t| now.saturating_duration_since(t) >= RECHECK_INTERVAL);
            let detection = track.detection;
            let announce = track.is_confirmed() && !track.announced;
            if announce && let Some(track) = self.tracker.get_mut(id) {
                track.announced = true;
                events.push(track_event(EventKind::Arrived, track, t_ms, &self.gallery));
            }
            if !(big_enough && due) || budget == 0 {
                continue;
            }
            budget -= 1;
            let embed_start = Instant::now();
            let face = match self.engine.analyze_face(&frame.image, &detection) {
                Ok(Some(face)) => face,
                Ok(None) => continue,
                Err(e) => {
                    events.push(RecognizerEvent::Error(Problem::EmbeddingFailed {
                        detail: e.to_string(),
                    }));
                    continue;
                }
            };
            embed_ms += embed_start.elapsed().as_secs_f32() * 1000.0;
            embedded += 1;
            events.extend(self.vote(id, face, now, t_ms));
        }
        events.push(RecognizerEvent::Frame(Box::new(super::FrameReport {
            frame: frame.clone(),
            tracks: self.views(now, now),
            detected: true,
            detect_ms,
            faces_embedded: embedded,
            embed_ms: if embedded > 0 {
                embed_ms / embedded as f32
            } else {
                0.0
            },
            t_ms,
        })));
        events
    }

    /// The report of a frame the detector did not look at: the picture, with the faces as the
    /// last detection saw them.
    fn undetected_frame(&self, frame: &Frame, now: Instant, t_ms: u64) -> RecognizerEvent {
        let last_detection = self.schedule.last_detection().unwrap_or(now);
        RecognizerEvent::Frame(Box::new(super::FrameReport {
            frame: frame.clone(),
            tracks: self.views(last_detection, now),
            detected: false,
            detect_ms: 0.0,
            faces_embedded: 0,
            embed_ms: 0.0,
            t_ms,
        }))
    }

    /// Whether a face in view is still to be decided. A face too small to embed is watched at
    /// every frame while it may be someone walking up (they are greeted as soon as their face is
    /// big enough), then only a few times a second (a face on a poster, someone sitting far behind
    /// the desk).
    fn attention(&self, now: Instant) -> Attention {
        let min_face = self.engine.min_face_px();
        let tracks = self.tracker.tracks();
        let deciding = tracks.iter().any(|track| {
            let big_enough = track.detection.bbox.min_side() >= min_face;
            let approaching = now.saturating_duration_since(track.first_seen) < APPROACH_TIME;
            !track.is_confirmed() || (track.votes.is_collecting() && (big_enough || approaching))
        });
        if deciding {
            Attention::Deciding
        } else if tracks.is_empty() {
            Attention::EmptyScene
        } else {
            Attention::Settled
        }
    }

    fn vote(
        &mut self,
        id: u64,
        face: AnalyzedFace,
        now: Instant,
        t_ms: u64,
    ) -> Vec<RecognizerEvent> {
        let mut events = Vec::new();
        let policy = self.settings.policy;
        let Some(track) = self.tracker.get_mut(id) else {
            return events;
        };
        let decision = decide(&self.gallery, &policy, &face, track.rejected_person);
        track.last_embedded = Some(now);
        track.add_sample(Sample {
            face: Arc::new(face),
            decision,
            at: now,
        });
        // The visit's newest looks, when varied, are decided as one (recognizer::fusion).
        let vote = decide_track(&self.gallery, &policy, track, decision, now);
        track.votes.push(Vote::from(vote));
        // The bar as this gallery's size (and in a fleet, the side of the person matched) raises
        // it: "sure" is measured from there.
        let matched = match vote {
            MatchDecision::Known { person_id, .. } => Some(person_id),
            MatchDecision::Unknown { .. } => None,
        };
        let bar = self.gallery.policy_for(&policy, matched).threshold;
        // A decided face keeps its verdict until its votes decide otherwise (after a gallery change
        // its votes start again, and the face must not be announced a second time meanwhile).
        // A clear look names a visitor at once only once they have arrived (seen in more than
        // one frame), so that "recognized" never comes before "arrived".
        let sure_similarity = if track.is_confirmed() {
            bar + SURE_ABOVE_THRESHOLD
        } else {
            f32::INFINITY
        };
        let verdict = match track.votes.verdict(sure_similarity) {
            Verdict::Undecided => track.verdict,
            decided => decided,
        };
        let previous = std::mem::replace(&mut track.verdict, verdict);
        let changed = match (previous, verdict) {
            (Verdict::Known { person_id: a, .. }, Verdict::Known { person_id: b, .. }) => a != b,
            (a, b) => std::mem::discriminant(&a) != std::mem::discriminant(&b),
        };
        if !changed {
            return events;
        }
        let track = track.clone();
        match verdict {
            Verdict::Known {
                person_id,
                similarity,
            } => {
                let source = self.settings.source_label.clone();
                match self.greet(person_id, similarity, &source) {
                    // Erased or consent withdrawn by another process, and this process has not
                    // followed the feed yet: no greeting, no visit; the feed decides the face again.
                    Err(GalleryError::NotMatchable(_)) => {
                        if let Some(track) = self.tracker.get_mut(id) {
                            track.forget_verdict();
                        }
                    }
                    Ok((person, visit_logged)) => {
                        if visit_logged && self.settings.learn_looks {
                            self.learn_look(&track, person_id);
                        }
                        events.push(track_event(
                            EventKind::Recognized,
                            &track,
                            t_ms,
                            &self.gallery,
                        ));
                        events.push(RecognizerEvent::Greeting {
                            check_ins: self.check_ins(person_id),
                            track: track.id,
                            person: Box::new(person),
                            similarity,
                            confident: self.gallery.is_confident(&policy, person_id, similarity),
                            visit_logged,
                        });
                    }
                    Err(e) => events.push(RecognizerEvent::Error(Problem::VisitNotLogged {
                        detail: e.to_string(),
                    })),
                }
            }
            Verdict::Unknown => {
                events.push(track_event(EventKind::Unknown, &track, t_ms, &self.gallery))
            }
            Verdict::Undecided => {}
        }
        events
    }

    /// Logs the visit unless one was logged within the cool-down (then this is the same visit), and
    /// loads the person for the greeting with this visit counted and the one before it as "last".
    fn greet(
        &mut self,
        person_id: PersonId,
        similarity: f32,
        source: &str,
    ) -> Result<(Person, bool), GalleryError> {
        let now = now_ms();
        let cooldown = Duration::from_secs(u64::from(self.settings.visit_cooldown_minutes) * 60);
        let last = self.gallery.last_visit_at(person_id)?;
        let logged = self.visits_logged.get(&person_id).copied();
        let new_visit = is_new_visit(logged, last, now, cooldown);
        if new_visit {
            self.gallery
                .record_visit(person_id, now, similarity, source)?;
            self.visits_logged.retain(|_, at| at.elapsed() < cooldown);
            self.visits_logged.insert(person_id, Instant::now());
        } else if self.gallery.index().name(person_id).is_none() {
            return Err(GalleryError::NotMatchable(person_id));
        }
        Ok((self.greeting_person(person_id)?, new_visit))
    }

    /// Adds this visit's best sure look to the person's template, when `learning`'s rules allow.
    /// A look not learned costs the greeting nothing, so failures are only logged.
    fn learn_look(&mut self, track: &Track, person_id: PersonId) {
        let learned = learning::look_to_learn(
            &self.gallery,
            &self.settings.policy,
            person_id,
            &track.samples,
            self.engine.min_face_px(),
            now_ms(),
        );
        let face = match learned {
            Ok(Some(sample)) => enrollment::new_face(&sample.face, self.engine.model_id()),
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, person_id, "cannot read the greeted person's looks");
                return;
            }
        };
        match self.gallery.add_faces(person_id, &[face]) {
            Ok(_) => tracing::info!(person_id, "learned a new look of a known visitor"),
            Err(e) => tracing::warn!(error = %e, person_id, "cannot store a learned look"),
        }
    }

    /// The greeted person's groups with a session now; nothing (logged) when they cannot be read,
    /// since the greeting matters more than this line of it.
    fn check_ins(&self, person_id: PersonId) -> Vec<crate::attendance::CheckIn> {
        let calendar = crate::attendance::Calendar::now(self.settings.retention_days);
        crate::attendance::check_ins(&self.gallery, person_id, &calendar).unwrap_or_else(|e| {
            tracing::warn!(error = %e, person_id, "cannot read the greeted person's roll calls");
            Vec::new()
        })
    }

    /// A person as a greeting shows them: with the visit before the latest one as "last visit".
    fn greeting_person(&self, person_id: PersonId) -> Result<Person, GalleryError> {
        let mut person = self
            .gallery
            .person(person_id)?
            .ok_or(GalleryError::NoSuchPerson(person_id))?;
        person.last_visit_at = self
            .gallery
            .recent_visit_times(person_id, 2)?
            .get(1)
            .copied();
        Ok(person)
    }

    /// The faces the detection at `seen_at` saw, with what is known of them at `now`.
    fn views(&self, seen_at: Instant, now: Instant) -> Vec<TrackView> {
        self.tracker
            .tracks()
            .iter()
            .filter(|t| t.last_seen == seen_at)
            .map(|track| {
                let best = track.best_sample(now);
                TrackView {
                    id: track.id,
                    // On a frame the detector skipped, where the face has moved to since.
                    detection: track.detection_at(now),
                    label: match track.verdict {
                        Verdict::Known { person_id, .. } => TrackLabel::Known {
                            person_id,
                            name: self
                                .gallery
                                .index()
                                .name(person_id)
                                .unwrap_or("?")
                                .to_owned(),
                        },
                        Verdict::Unknown => TrackLabel::Unknown,
                        Verdict::Undecided => TrackLabel::Pending,
                    },
                    similarity: track.votes.latest_similarity(),
                    best_sample: best.map(|s| Arc::clone(&s.face)),
                    further_looks: best.map_or_else(Vec::new, |best| {
                        track
                            .further_looks(best, now, self.engine.min_face_px())
                            .into_iter()
                            .map(|s| Arc::clone(&s.face))
                            .collect()
                    }),
                    sample_match: best.and_then(|s| match s.decision {
                        MatchDecision::Known {
                            person_id,
                            similarity,
                        } => Some((
                            person_id,
                            self.gallery
                                .index()
                                .name(person_id)
                                .unwrap_or("?")
                                .to_owned(),
                            similarity,
                        )),
                        MatchDecision::Unknown { .. } => None,
                    }),
                    guidance: best.and_then(|s| s.face.quality.guidance(self.engine.min_face_px())),
                }
            })
            .collect()
    }

    fn finish(&mut self) -> Vec<RecognizerEvent> {
        let t_ms = self.last_time_ms;
        self.schedule.reset();
        self.tracker
            .clear()
            .iter()
            .filter(|t| t.announced)
            .map(|t| track_event(EventKind::Left, t, t_ms, &self.gallery))
            .collect()
    }

    /// Takes the recognition settings of a saved config.
    fn apply_config(&mut self, config: &Config) -> Vec<RecognizerEvent> {
        let label = self.settings.source_label.clone();
        let frames_drawn = self.settings.frames_drawn;
        self.settings = WorkerSettings {
            frames_drawn,
            ..WorkerSettings::from_config(config, label)
        };
        self.tracker.reset_votes();
        self.apply_consent_setting()
    }

    fn apply_consent_setting(&mut self) -> Vec<RecognizerEvent> {
        match self
            .gallery
            .set_consent_required(self.settings.require_consent)
        {
            Ok(()) => Vec::new(),
            Err(e) => vec![RecognizerEvent::Error(Problem::ConsentSettingNotApplied {
                detail: e.to_string(),
            })],
        }
    }

    /// The faces to store for a capture: the sample the operator saw, then those further looks
    /// that are the same face and pass the same checks.
    fn template_faces(
        &self,
        sample: &AnalyzedFace,
        further_looks: &[Arc<AnalyzedFace>],
        enrolling: Option<PersonId>,
    ) -> Vec<crate::gallery::NewFace> {
        let further = enrollment::looks_like_first(
            &self.gallery,
            &self.settings.policy,
            self.engine.min_face_px(),
            sample,
            further_looks.iter().map(|look| &**look),
            enrolling,
        );
        std::iter::once(sample)
            .chain(further)
            .map(|face| enrollment::new_face(face, self.engine.model_id()))
            .collect()
    }

    /// A live-view sample passes the same size, sharpness and "not someone else" checks as a
    /// photo given to `frontdesk enroll`.
    fn check_sample(
        &self,
        sample: &AnalyzedFace,
        enrolling: Option<PersonId>,
    ) -> Result<(), enrollment::Rejection> {
        enrollment::check_sample(sample, self.engine.min_face_px())?;
        enrollment::check_not_someone_else(&self.gallery, sample, &self.settings.policy, enrolling)
    }

    fn handle_command(&mut self, command: WorkerCommand) -> Vec<RecognizerEvent> {
        match command {
            WorkerCommand::Enroll {
                person,
                sample,
                further_looks,
            } => {
                // The checks `frontdesk enroll` makes: a face that already matches X saved as a
                // new person would make X unrecognisable, and a poor sample greets nobody.
                if let Err(rejection) = self.check_sample(&sample, None) {
                    return vec![RecognizerEvent::Error(Problem::SampleRejected {
                        name: Some(person.name.trim().to_owned()),
                        rejection,
                    })];
                }
                let faces = self.template_faces(&sample, &further_looks, None);
                match self.gallery.enroll(&person, &faces) {
                    Ok(person_id) => {
                        vec![RecognizerEvent::Enrolled {
                            person_id,
                            name: person.name.trim().to_owned(),
                        }]
                    }
                    Err(e) => vec![RecognizerEvent::Error(Problem::NotSaved {
                        name: person.name.trim().to_owned(),
                        detail: e.to_string(),
                    })],
                }
            }
            WorkerCommand::AddSample {
                person_id,
                sample,
                further_looks,
            } => {
                if let Err(rejection) = self.check_sample(&sample, Some(person_id)) {
                    return vec![RecognizerEvent::Error(Problem::SampleRejected {
                        name: None,
                        rejection,
                    })];
                }
                let faces = self.template_faces(&sample, &further_looks, Some(person_id));
                match self.gallery.add_faces(person_id, &faces) {
                    Ok(_) => {
                        let name = self
                            .gallery
                            .index()
                            .name(person_id)
                            .unwrap_or("?")
                            .to_owned();
                        vec![RecognizerEvent::SampleAdded { person_id, name }]
                    }
                    Err(e) => vec![RecognizerEvent::Error(Problem::PhotoNotAdded {
                        detail: e.to_string(),
                    })],
                }
            }
            WorkerCommand::RejectMatch { track } => {
                if let Some(track) = self.tracker.get_mut(track) {
                    if let Verdict::Known { person_id, .. } = track.verdict {
                        track.rejected_person = Some(person_id);
                    }
                    track.forget_verdict();
                }
                Vec::new()
            }
            WorkerCommand::ApplyConfig(config) => {
                // A saved setting may have moved the bar.
                let mut events = self.apply_config(&config);
                events.push(self.outlook());
                events
            }
        }
    }
}

/// Hands a track event or an erasure to the announcer, never waiting: a full queue means it has
/// stopped, and recognition goes on.
fn announce(announcements: Option<&SyncSender<Announcement>>, event: &RecognizerEvent) {
    let Some(announcements) = announcements else {
        return;
    };
    let announcement = match event {
        RecognizerEvent::Track(track_event) => Announcement::Track(track_event.clone()),
        RecognizerEvent::GalleryChanged(changes) if !changes.removed.is_empty() => {
            Announcement::PeopleRemoved(changes.removed.clone())
        }
        _ => return,
    };
    if let Err(TrySendError::Full(_)) = announcements.try_send(announcement) {
        tracing::error!("the announcer is behind; an event was not announced");
    }
}

/// Whether a greeting starts a new visit: none logged within the cool-down. A visit logged by this
/// run is timed on the monotonic clock, so setting the wall clock back cannot swallow visits (nor
/// forward split one); an earlier run's visit can only be compared on the wall clock, and one that
/// lies in the future (the clock was set back) does not hide today's.
fn is_new_visit(
    logged_this_run: Option<Instant>,
    last_stored_ms: Option<i64>,
    now_ms: i64,
    cooldown: Duration,
) -> bool {
    match (logged_this_run, last_stored_ms) {
        (Some(at), _) => at.elapsed() >= cooldown,
        (None, None) => true,
        (None, Some(last)) => {
            let cooldown_ms = i64::try_from(cooldown.as_millis()).unwrap_or(i64::MAX);
            last > now_ms || now_ms - last >= cooldown_ms
        }
    }
}

fn track_event(kind: EventKind, track: &Track, t_ms: u64, gallery: &Gallery) -> RecognizerEvent {
    let (person, similarity) = match track.verdict {
        // Nothing is decided about a face that just arrived.
        _ if kind == EventKind::Arrived => (None, None),
        Verdict::Known {
            person_id,
            similarity,
        } => (
            Some((
                person_id,
                gallery.index().name(person_id).unwrap_or("?").to_owned(),
            )),
            Some(similarity),
        ),
        _ => (None, track.votes.latest_similarity()),
    };
    RecognizerEvent::Track(TrackEvent {
        t_ms,
        kind,
        track: track.id,
        person,
        similarity,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wall_clock_change_neither_loses_nor_splits_visits() {
        let half_hour = Duration::from_secs(1800);
        let now = 10_000_000_000;
        // Logged a moment ago by this run: the same visit whatever the wall clock says.
        let just_now = Some(Instant::now());
        assert!(!is_new_visit(
            just_now,
            Some(now),
            now + 86_400_000,
            half_hour
        ));
        assert!(!is_new_visit(
            just_now,
            Some(now),
            now - 86_400_000,
            half_hour
        ));
        // From an earlier run: compared on the wall clock.
        assert!(!is_new_visit(None, Some(now - 60_000), now, half_hour));
        assert!(is_new_visit(None, Some(now - 3_600_000), now, half_hour));
        // The clock was set back below the stored visit: a visit now is still logged.
        assert!(is_new_visit(None, Some(now + 3_600_000), now, half_hour));
        assert!(is_new_visit(None, None, now, half_hour));
    }
}
