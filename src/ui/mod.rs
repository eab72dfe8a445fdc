//! The kiosk window: live picture with names, greeting panel and one-button enrolment.
//!
//! The UI thread only draws and polls channels; the camera and the recognition worker run on their
//! own threads and wake the UI when they have news.

mod audit;
mod backups;
mod enroll;
mod fleet;
mod greeting;
mod group_settings;
mod import;
mod live;
mod people;
mod roll_call;
mod settings;
mod staff;
mod theme;
mod visits;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::camera::{CameraSettings, CaptureHandle, CaptureStatus, SourceSpec};
use crate::config::Config;
use crate::gallery::GalleryChanges;
use crate::recognizer::{
    EventReceiver, FrameReport, RecognizerEvent, TrackLabel, Worker, WorkerCommand, WorkerHandle,
    WorkerSettings,
};

pub use enroll::EnrollForm;
pub use greeting::Greeting;
pub use roll_call::RollCallScreen;

/// How long a greeting stays on screen after the visitor left.
const GREETING_LINGER: Duration = Duration::from_secs(8);
/// How long a notice ("Saved", "Could not save") stays.
const NOTICE_DURATION: Duration = Duration::from_secs(5);
/// Poll interval for camera status when nothing else wakes the UI.
const IDLE_REPAINT: Duration = Duration::from_millis(100);

/// The banner when the recognition thread died without a word (a bug): the kiosk cannot recover
/// by itself, and the service manager restarts it when it exits.
const WORKER_DIED: &str =
    "Recognition stopped: the recognition thread ended unexpectedly. Restart the kiosk.";

/// What the kiosk needs to start.
#[derive(Debug, Clone)]
pub struct KioskOptions {
    pub config: Config,
    /// Where the settings screen saves.
    pub config_path: PathBuf,
    pub db_path: PathBuf,
    pub source: SourceSpec,
}

/// A short message at the top of the window.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub text: String,
    pub is_error: bool,
    pub shown_at: Instant,
}

/// The camera and recognition threads behind the window.
struct Pipeline {
    capture: CaptureHandle,
    worker: WorkerHandle,
    events: EventReceiver,
}

pub struct KioskApp {
    options: KioskOptions,
    pipeline: Option<Pipeline>,
    /// Recognition cannot run; shown instead of the live view's guidance.
    fatal: Option<String>,
    latest: Option<Box<FrameReport>>,
    texture: Option<egui::TextureHandle>,
    shown_sequence: Option<u64>,
    greeting: Option<Greeting>,
    enroll: Option<EnrollForm>,
    /// The face the operator clicked, to capture instead of the largest.
    selected_track: Option<u64>,
    notice: Option<Notice>,
    camera_status: CaptureStatus,
    source_ended: bool,
    /// The latest per-face embedding time (most frames embed nobody: faces are tracked).
    last_embed_ms: Option<f32>,
    staff: staff::StaffState,
    /// Kiosk mode: a close request waits for the staff PIN, then closes.
    close_after_unlock: bool,
    /// Staff mode was unlocked on the previous pass (locking restores kiosk full screen).
    was_unlocked: bool,
    /// `kiosk.capture_needs_pin`: Capture was pressed and waits for the staff PIN.
    capture_after_unlock: bool,
    /// The HTTP API and webhooks (`api.listen` set), once started in the background.
    integrations: Integrations,
    /// The fleet's sync thread (`fleet.url` set) and its latest status.
    fleet: Option<crate::fleet::FleetFollower>,
    fleet_status: Option<crate::fleet::FleetStatus>,
    /// Scheduled backups (`[backup] dir` set) and how they are doing.
    backups: backups::BackupMonitor,
}

/// Events kept while the API starts, so that webhooks and the stream miss nothing from the start.
const EVENTS_KEPT_WHILE_STARTING: usize = 256;

/// The window's API and webhooks: off, starting on a thread of their own (loading an engine takes a
/// moment the UI must not wait), or running.
enum Integrations {
    Off,
    Starting {
        started: std::sync::mpsc::Receiver<Result<crate::integrations::Integrations, String>>,
        waiting: Vec<crate::recognizer::TrackEvent>,
    },
    Running(Box<crate::integrations::Integrations>),
}

impl Integrations {
    fn publish(&mut self, event: crate::recognizer::TrackEvent) {
        match self {
            Self::Off => {}
            Self::Starting { waiting, .. } => {
                if waiting.len() < EVENTS_KEPT_WHILE_STARTING {
                    waiting.push(event);
                }
            }
            Self::Running(integrations) => integrations.publish(&event),
        }
    }

    fn start(options: &KioskOptions) -> Self {
        if options.config.api.listen.trim().is_empty() {
            return Self::Off;
        }
        let (sender, started) = std::sync::mpsc::sync_channel(1);
        let config = options.config.clone();
        let db_path = options.db_path.clone();
        let spawned = std::thread::Builder::new()
            .name("integrations-start".into())
            .spawn(move || {
                let outcome =
                    crate::integrations::Integrations::start(&config, &db_path, &config.api.listen)
                        .map_err(|e| format!("the HTTP API cannot start: {e}"));
                let _ = sender.send(outcome);
            });
        match spawned {
            Ok(_) => Self::Starting {
                started,
                waiting: Vec::new(),
            },
            Err(e) => {
                tracing::error!(error = %e, "cannot start the HTTP API's thread");
                Self::Off
            }
        }
    }
}

impl KioskApp {
    /// Starts the camera and recognition threads; they wake `ctx` whenever they have news.
    pub fn new(ctx: &egui::Context, options: KioskOptions) -> Self {
        let settings =
            settings::SettingsScreen::new(options.config.clone(), options.config_path.clone());
        let backups =
            backups::BackupMonitor::start(options.config.backup.clone(), options.db_path.clone());
        let mut app = Self {
            backups,
            staff: staff::StaffState::new(
                settings,
                import::ImportScreen::new(options.config.clone(), options.db_path.clone()),
            ),
            options,
            pipeline: None,
            fatal: None,
            latest: None,
            texture: None,
            shown_sequence: None,
            greeting: None,
            enroll: None,
            selected_track: None,
            notice: None,
            camera_status: CaptureStatus::Starting,
            last_embed_ms: None,
            source_ended: false,
            close_after_unlock: false,
            was_unlocked: false,
            capture_after_unlock: false,
            integrations: Integrations::Off,
            fleet: None,
            fleet_status: None,
        };
        app.integrations = Integrations::start(&app.options);
        app.fleet = start_fleet(&app.options);
        app.restart_pipeline(ctx);
        app
    }

    /// (Re)starts the camera and worker with the current options.
    fn restart_pipeline(&mut self, ctx: &egui::Context) {
        self.pipeline = None;
        self.latest = None;
        self.fatal = None;
        self.source_ended = false;
        match self.start_pipeline(ctx) {
            Ok(pipeline) => self.pipeline = Some(pipeline),
            Err(e) => {
                self.fatal = Some(format!(
                    "cannot start the camera and recognition threads: {e}"
                ))
            }
        }
    }

    /// Puts saved settings in force: recognition settings at once, a new camera by restarting.
    fn apply_settings(&mut self, ctx: &egui::Context, config: Config) {
        let camera_changed =
            settings::SettingsScreen::camera_changed(&self.options.config, &config);
        self.staff.import.set_config(config.clone());
        self.options.config = config;
        if camera_changed {
            match self.options.config.kiosk.source.parse() {
                Ok(source) => {
                    self.options.source = source;
                    self.restart_pipeline(ctx);
                }
                Err(e) => self.notify(format!("{e}"), true),
            }
        }
    }

    fn start_pipeline(&self, ctx: &egui::Context) -> std::io::Result<Pipeline> {
        let config = &self.options.config;
        let capture = CaptureHandle::start(
            self.options.source.clone(),
            CameraSettings::from_config(&config.kiosk),
        )?;
        let (sender, events) = crate::recognizer::event_channel();
        let repaint = ctx.clone();
        let settings =
            WorkerSettings::from_config(config, format!("kiosk:{}", self.options.source));
        let worker = Worker::spawn_loading(
            config.clone(),
            self.options.db_path.clone(),
            settings,
            capture.slot(),
            sender,
            Box::new(move || repaint.request_repaint()),
        )?;
        Ok(Pipeline {
            capture,
            worker,
            events,
        })
    }

    fn send(&self, command: WorkerCommand) {
        if let Some(pipeline) = &self.pipeline {
            pipeline.worker.send(command);
        }
    }

    fn notify(&mut self, text: impl Into<String>, is_error: bool) {
        self.notice = Some(Notice {
            text: text.into(),
            is_error,
            shown_at: Instant::now(),
        });
    }

    /// Takes everything the worker said since the last frame.
    fn drain_events(&mut self) {
        let Some(pipeline) = &self.pipeline else {
            return;
        };
        let events: Vec<RecognizerEvent> = pipeline.events.try_iter().collect();
        self.camera_status = pipeline.capture.status();
        if pipeline.events.is_disconnected() && self.fatal.is_none() {
            // The worker only hangs up on a fatal error (reported) or by dying: never stay frozen
            // on the last frame without saying so.
            self.fatal = Some(WORKER_DIED.into());
        }
        for event in events {
            match event {
                RecognizerEvent::Frame(report) => {
                    if report.embed_ms > 0.0 {
                        self.last_embed_ms = Some(report.embed_ms);
                    }
                    self.latest = Some(report);
                }
                RecognizerEvent::Greeting {
                    track,
                    person,
                    similarity,
                    visit_logged,
                    check_ins,
                } => {
                    self.greeting = Some(Greeting::new(track, *person, similarity, check_ins));
                    if visit_logged {
                        self.staff.visit_logged();
                    }
                }
                RecognizerEvent::Enrolled { name, .. } => {
                    self.enroll = None;
                    self.notify(format!("Saved {name}. Welcome!"), false);
                }
                RecognizerEvent::SampleAdded { name, .. } => {
                    self.enroll = None;
                    self.notify(format!("Added the photo to {name}."), false);
                }
                RecognizerEvent::Error(message) => {
                    if let Some(form) = &mut self.enroll {
                        form.saving = false;
                    }
                    self.notify(message, true);
                }
                RecognizerEvent::Fatal(message) => self.fatal = Some(message),
                RecognizerEvent::SourceEnded => self.source_ended = true,
                RecognizerEvent::Track(event) => self.integrations.publish(event),
                RecognizerEvent::Staff(reply) => self.staff.receive(reply),
                RecognizerEvent::GalleryChanged(changes) => self.gallery_changed(&changes),
            }
        }
    }

    /// Takes the API and webhooks once their thread has started them, or says why it could not.
    fn poll_integrations(&mut self) {
        let Integrations::Starting { started, waiting } = &mut self.integrations else {
            return;
        };
        match started.try_recv() {
            Ok(Ok(mut running)) => {
                tracing::info!(address = %running.api_address(), "HTTP API running");
                for event in waiting.drain(..) {
                    running.publish(&event);
                }
                self.integrations = Integrations::Running(Box::new(running));
            }
            Ok(Err(message)) => {
                self.notify(message, true);
                self.integrations = Integrations::Off;
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => {}
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                self.integrations = Integrations::Off;
            }
        }
    }

    /// Takes a change to the gallery (perhaps made by another process) into what is on screen: an
    /// erased person, or one who withdrew consent, leaves the greeting, the enrolment form's
    /// duplicate warning and the staff screens at once.
    fn gallery_changed(&mut self, changes: &GalleryChanges) {
        if self
            .greeting
            .as_ref()
            .is_some_and(|g| changes.removed.contains(&g.person.id))
        {
            self.greeting = None;
        }
        if let Some(form) = &mut self.enroll
            && form
                .existing
                .as_ref()
                .is_some_and(|(id, _, _)| changes.removed.contains(id))
        {
            form.existing = None;
        }
        self.staff.gallery_changed(changes);
    }

    /// In kiosk mode (`kiosk.fullscreen`), leaving needs the staff PIN: a close request (Alt+F4,
    /// the window manager) is cancelled and the PIN asked for; the window closes once it is given.
    /// With staff mode unlocked, closing is allowed.
    fn guard_close(&mut self, ctx: &egui::Context) {
        if !self.options.config.kiosk.fullscreen {
            return;
        }
        if self.close_after_unlock {
            if self.staff.unlocked {
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            } else if !self.staff.pin_dialog_open() {
                // The PIN prompt was cancelled: the kiosk stays.
                self.close_after_unlock = false;
            }
        }
        if ctx.input(|i| i.viewport().close_requested()) && !self.staff.unlocked {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.close_after_unlock = true;
            if !self.staff.pin_dialog_open() {
                self.staff.ask_pin();
            }
        }
    }

    /// Goes on with a Capture that waited for the PIN, on the live view; forgets it when the PIN
    /// prompt was cancelled.
    fn resume_capture(&mut self) {
        if !self.capture_after_unlock {
            return;
        }
        if self.staff.unlocked {
            self.capture_after_unlock = false;
            self.staff.screen = staff::Screen::Live;
            self.capture();
        } else if !self.staff.pin_dialog_open() {
            self.capture_after_unlock = false;
        }
    }

    /// Locking staff mode (the Lock button or the idle lock) puts a kiosk back in full screen, in
    /// case staff left it.
    fn restore_kiosk_fullscreen(&mut self, ctx: &egui::Context) {
        if self.was_unlocked && !self.staff.unlocked && self.options.config.kiosk.fullscreen {
            ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(true));
        }
        self.was_unlocked = self.staff.unlocked;
    }

    /// Uploads the newest processed frame to the GPU once.
    fn update_texture(&mut self, ctx: &egui::Context) {
        let Some(report) = &self.latest else { return };
        if self.shown_sequence == Some(report.frame.sequence) {
            return;
        }
        let max_side = ctx.input(|i| i.max_texture_side);
        let color = live::display_image(&report.frame.image, max_side);
        match &mut self.texture {
            Some(texture) => texture.set(color, egui::TextureOptions::LINEAR),
            None => {
                self.texture = Some(ctx.load_texture("camera", color, egui::TextureOptions::LINEAR))
            }
        }
        self.shown_sequence = Some(report.frame.sequence);
    }

    /// Drops a greeting whose visitor is gone for a while.
    fn expire_greeting(&mut self) {
        let visible = |track: u64| {
            self.latest.as_ref().is_some_and(|r| {
                r.tracks
                    .iter()
                    .any(|t| t.id == track && matches!(t.label, TrackLabel::Known { .. }))
            })
        };
        if let Some(greeting) = &mut self.greeting {
            if visible(greeting.track) {
                greeting.last_seen = Instant::now();
            } else if greeting.last_seen.elapsed() > GREETING_LINGER {
                self.greeting = None;
            }
        }
        if self
            .notice
            .as_ref()
            .is_some_and(|n| n.shown_at.elapsed() > NOTICE_DURATION)
        {
            self.notice = None;
        }
    }

    /// Opens the enrolment form on the selected face, or the largest one. With
    /// `kiosk.capture_needs_pin`, a visitor cannot enrol themselves: the staff PIN comes first.
    fn capture(&mut self) {
        if self.options.config.kiosk.capture_needs_pin && !self.staff.unlocked {
            self.capture_after_unlock = true;
            self.staff.ask_pin();
            return;
        }
        let Some(report) = &self.latest else {
            self.notify("No picture yet: wait for the camera.", true);
            return;
        };
        let selected = self
            .selected_track
            .and_then(|id| report.tracks.iter().find(|t| t.id == id));
        let largest = report
            .tracks
            .iter()
            .max_by(|a, b| a.detection.bbox.area().total_cmp(&b.detection.bbox.area()));
        let Some(track) = selected.or(largest) else {
            self.notify(
                "No face in view: ask the visitor to look at the camera.",
                true,
            );
            return;
        };
        match &track.best_sample {
            Some(sample) => {
                self.enroll = Some(EnrollForm::new(
                    std::sync::Arc::clone(sample),
                    track.guidance,
                    track.sample_match.clone(),
                ));
            }
            None => {
                let advice = track
                    .guidance
                    .map_or("Hold on: the face is still being analysed.", |g| {
                        g.message()
                    });
                self.notify(advice, true);
            }
        }
    }

    /// The largest face's latest similarity and to whom, for tuning the threshold.
    fn live_similarity(&self) -> Option<(String, f32)> {
        let report = self.latest.as_ref()?;
        let track = report
            .tracks
            .iter()
            .max_by(|a, b| a.detection.bbox.area().total_cmp(&b.detection.bbox.area()))?;
        let who = match &track.label {
            TrackLabel::Known { name, .. } => name.clone(),
            TrackLabel::Unknown | TrackLabel::Pending => "the closest enrolled person".into(),
        };
        Some((who, track.similarity?))
    }

    /// Text for the banner about the camera, if it needs one.
    fn camera_banner(&self) -> Option<(String, bool)> {
        match &self.camera_status {
            CaptureStatus::Retrying { message } => Some((
                format!("Camera unavailable: {message}. Retrying in the background; check the cable or pick another camera in the config."),
                true,
            )),
            CaptureStatus::Failed { message } if message == crate::camera::CAMERA_DIED => Some((format!("Recognition stopped: {message}."), true)),
            CaptureStatus::Failed { message } => Some((format!("Cannot play the source: {message}"), true)),
            CaptureStatus::Ended => Some(("The recording has ended.".into(), false)),
            CaptureStatus::Live { source } if self.options.source == SourceSpec::Auto && source.contains("demo") => Some((
                "No webcam found: showing the built-in demo camera. Plug in a webcam and restart to use it.".into(),
                false,
            )),
            CaptureStatus::Starting | CaptureStatus::Live { .. } => None,
        }
    }

    fn banners_ui(&mut self, ui: &mut egui::Ui) {
        let mut lines: Vec<(String, bool)> = Vec::new();
        if let Some(fatal) = &self.fatal {
            lines.push((fatal.clone(), true));
        }
        if let Some(banner) = self.camera_banner() {
            lines.push(banner);
        }
        if let Some(notice) = &self.notice {
            lines.push((notice.text.clone(), notice.is_error));
        }
        if lines.is_empty() {
            return;
        }
        egui::Panel::top("banners").show(ui, |ui| {
            for (text, is_error) in lines {
                let color = if is_error {
                    egui::Color32::from_rgb(255, 140, 120)
                } else {
                    egui::Color32::from_rgb(150, 210, 255)
                };
                ui.label(egui::RichText::new(text).color(color).size(16.0));
            }
        });
    }

    fn bottom_bar_ui(&mut self, ui: &mut egui::Ui) {
        let mut capture_clicked = false;
        egui::Panel::bottom("controls").show(ui, |ui| {
            ui.horizontal(|ui| {
                let has_face = self.latest.as_ref().is_some_and(|r| !r.tracks.is_empty());
                capture_clicked = ui
                    .add_enabled(
                        has_face && self.enroll.is_none(),
                        egui::Button::new("Capture (Space)").min_size(egui::vec2(160.0, 36.0)),
                    )
                    .on_hover_text("Enrol the selected face (or the largest one)")
                    .clicked();
                ui.separator();
                let stats = self
                    .pipeline
                    .as_ref()
                    .map(|p| p.capture.stats())
                    .unwrap_or_default();
                ui.label(live::status_text(
                    self.latest.as_deref(),
                    self.last_embed_ms,
                    &stats,
                ));
                if let Some(status) = &self.fleet_status {
                    ui.separator();
                    let (text, attention) = fleet::status_text(status);
                    let color = if attention {
                        egui::Color32::from_rgb(255, 170, 90)
                    } else {
                        ui.visuals().weak_text_color()
                    };
                    ui.label(egui::RichText::new(text).color(color));
                }
            });
        });
        if capture_clicked {
            self.capture();
        }
    }
}

impl eframe::App for KioskApp {
    /// Runs before every `ui` pass and also while the window is hidden or minimised (when `ui` is
    /// not called): the worker's events must be taken even when nobody looks, or greetings, staff
    /// replies and visits reported to the window would pile up.
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.poll_integrations();
        self.fleet_status = self.fleet.as_ref().map(crate::fleet::FleetFollower::status);
        self.backups.poll();
        self.staff.import.poll();
        self.drain_events();
        if let Some(config) = self.staff.applied_settings.take() {
            self.apply_settings(ctx, config);
        }
        self.expire_greeting();
        self.staff.lock_when_idle();
        self.staff.refresh_outdated_roll_call();
        self.guard_close(ctx);
        self.restore_kiosk_fullscreen(ctx);
        self.resume_capture();
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.update_texture(ui.ctx());
        self.staff.note_activity(ui.ctx());

        let live = self.staff.screen == staff::Screen::Live;
        let typing = ui.ctx().egui_wants_keyboard_input();
        if live
            && self.enroll.is_none()
            && !self.staff.pin_dialog_open()
            && !typing
            && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Space))
        {
            self.capture();
        }

        let mut toggle_fullscreen = false;
        egui::Panel::top("nav").show(ui, |ui| toggle_fullscreen = self.staff.nav_ui(ui));
        if toggle_fullscreen {
            let fullscreen = ui.input(|i| i.viewport().fullscreen.unwrap_or(false));
            ui.ctx()
                .send_viewport_cmd(egui::ViewportCommand::Fullscreen(!fullscreen));
        }
        self.banners_ui(ui);
        self.bottom_bar_ui(ui);
        if live {
            let mut not_them = None;
            egui::Panel::right("greeting")
                .min_size(320.0)
                .show(ui, |ui| {
                    not_them = greeting::greeting_ui(
                        ui,
                        self.greeting.as_ref(),
                        self.latest.as_deref(),
                        self.options.config.kiosk.greeting_details,
                    );
                });
            if let Some(track) = not_them {
                self.send(WorkerCommand::RejectMatch { track });
                self.greeting = None;
                self.notify(
                    "Noted: that face will not be greeted as that person again.",
                    false,
                );
            }
            egui::CentralPanel::default().show(ui, |ui| {
                if let Some(clicked) = live::live_view_ui(
                    ui,
                    self.texture.as_ref(),
                    self.latest.as_deref(),
                    self.selected_track,
                ) {
                    self.selected_track = Some(clicked);
                }
            });
        } else {
            let live_similarity = self.live_similarity();
            egui::CentralPanel::default().show(ui, |ui| {
                self.backups.line_ui(ui);
                self.staff.screen_ui(ui, live_similarity);
            });
        }
        self.staff.pin_dialog_ui(ui.ctx());
        for request in std::mem::take(&mut self.staff.outbox) {
            self.send(WorkerCommand::Staff(request));
        }

        if let Some(form) = &mut self.enroll {
            match enroll::enroll_form_ui(ui.ctx(), form, self.options.config.kiosk.require_consent)
            {
                enroll::FormAction::None => {}
                enroll::FormAction::Cancel => self.enroll = None,
                enroll::FormAction::Save(person) => {
                    form.saving = true;
                    let sample = std::sync::Arc::clone(&form.sample);
                    self.send(WorkerCommand::Enroll { person, sample });
                }
                enroll::FormAction::AddTo(person_id) => {
                    form.saving = true;
                    let sample = std::sync::Arc::clone(&form.sample);
                    self.send(WorkerCommand::AddSample { person_id, sample });
                }
            }
        }

        ui.ctx().request_repaint_after(IDLE_REPAINT);
    }
}

/// A labelled path field with a button that acts on it; returns the path when the button is
/// clicked with a path filled in.
fn path_action_ui(
    ui: &mut egui::Ui,
    label: &str,
    hint: &str,
    path: &mut String,
    button: &str,
) -> Option<PathBuf> {
    ui.horizontal(|ui| {
        let label = ui.label(label);
        ui.add(
            egui::TextEdit::singleline(path)
                .hint_text(hint)
                .desired_width(260.0),
        )
        .labelled_by(label.id);
        let filled = !path.trim().is_empty();
        ui.add_enabled(filled, egui::Button::new(button))
            .clicked()
            .then(|| PathBuf::from(path.trim()))
    })
    .inner
}

/// Opens the kiosk window and runs until it is closed.
pub fn run_window(options: KioskOptions) -> Result<(), String> {
    let fullscreen = options.config.kiosk.fullscreen;
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Frontdesk")
            .with_app_id("frontdesk")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([800.0, 500.0])
            .with_fullscreen(fullscreen),
        ..Default::default()
    };
    eframe::run_native(
        "frontdesk",
        native,
        Box::new(move |cc| Ok(Box::new(KioskApp::new(&cc.egui_ctx, options)))),
    )
    .map_err(|e| e.to_string())
}

/// The fleet's sync thread, when the kiosk belongs to a fleet. Without it the kiosk still works on
/// its own gallery, so a failure is logged, not fatal.
fn start_fleet(options: &KioskOptions) -> Option<crate::fleet::FleetFollower> {
    let settings = crate::fleet::FleetSettings::from_config(&options.config.fleet)?;
    crate::fleet::FleetFollower::start(settings, &options.db_path)
        .inspect_err(|error| tracing::error!(%error, "the fleet cannot be followed"))
        .ok()
}
