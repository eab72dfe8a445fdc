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
mod i18n;
mod import;
mod live;
mod logo;
mod people;
mod public_view;
mod roll_call;
mod settings;
mod shortcuts;
mod staff;
mod theme;
mod visits;
mod worker_text;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::camera::{CaptureStatus, SourceSpec};
use crate::config::Config;
use crate::gallery::GalleryChanges;
use crate::host::{Announce, AnnouncerStatus, Host, HostOptions, SharedWake};
use crate::recognizer::{FrameReport, News, RecognizerEvent, TrackLabel, WorkerCommand};
use crate::staff_service::StaffService;

pub use enroll::{EnrollForm, FormAction, FormContext, enroll_form_ui};
pub use greeting::{FADE, FaceInView, FaceKind, Greeting, GreetingTracker, Scene};
pub use i18n::{Language, Texts};
pub use people::PeopleScreen;
pub use public_view::{PublicCommand, PublicView};
pub use roll_call::RollCallScreen;
pub use shortcuts::capture_pressed;
pub use theme::Theme;

/// How long a notice ("Saved", "Could not save") stays.
const NOTICE_DURATION: Duration = Duration::from_secs(5);
/// Poll interval for camera status, fades and notices when nothing else wakes the UI.
const IDLE_REPAINT: Duration = Duration::from_millis(100);
/// The same on the attract screen, which shows no camera picture and changes only when a face
/// arrives (which wakes the UI at once) or a banner does.
const ATTRACT_REPAINT: Duration = Duration::from_secs(1);

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

pub struct KioskApp {
    options: KioskOptions,
    /// The camera, recognition worker, integrations, fleet and backups behind the window.
    host: Host,
    /// Recognition cannot run; shown instead of the live view's guidance.
    fatal: Option<String>,
    latest: Option<Box<FrameReport>>,
    texture: Option<egui::TextureHandle>,
    shown_sequence: Option<u64>,
    greetings: GreetingTracker,
    /// What the public view shows, decided in `logic` from the latest frame.
    scene: Scene,
    /// Whether the camera picture is on screen, so that a frame without faces is news (read by
    /// the worker's wake-up, which skips the repaint otherwise).
    picture_on_screen: Arc<AtomicBool>,
    texts: Texts,
    theme: Theme,
    logo: logo::Logo,
    enroll: Option<EnrollForm>,
    /// The face the operator clicked, to capture instead of the largest.
    selected_track: Option<u64>,
    notice: Option<Notice>,
    camera_status: CaptureStatus,
    source_ended: bool,
    /// The last detection's and embedding's time, for the status line: the detector skips most
    /// frames of an unchanging scene.
    last_detect_ms: Option<f32>,
    last_embed_ms: Option<f32>,
    staff: staff::StaffState,
    /// Answers the staff screens on a thread of its own (`None`: it could not start, said in the
    /// banner).
    staff_service: Option<StaffService>,
    /// Kiosk mode: a close request waits for the staff PIN, then closes.
    close_after_unlock: bool,
    /// Staff mode was unlocked on the previous pass (locking restores kiosk full screen).
    was_unlocked: bool,
    /// `kiosk.capture_needs_pin`: Capture was pressed and waits for the staff PIN.
    capture_after_unlock: bool,
    /// The fleet's latest status (`fleet.url` set).
    fleet_status: Option<crate::fleet::FleetStatus>,
    /// How the scheduled backups are doing.
    backup_health: crate::backup::schedule::BackupHealth,
    /// The integrations' failure to start was shown.
    announcer_failure_shown: bool,
}

impl KioskApp {
    /// Starts the camera and recognition threads; they wake `ctx` whenever they have news.
    pub fn new(ctx: &egui::Context, options: KioskOptions) -> Self {
        let picture_on_screen = Arc::new(AtomicBool::new(true));
        let settings =
            settings::SettingsScreen::new(options.config.clone(), options.config_path.clone());
        let host = Host::new(
            host_options(&options),
            wake_on_news(ctx, &picture_on_screen),
        );
        let mut app = Self {
            host,
            backup_health: crate::backup::schedule::BackupHealth::Off,
            announcer_failure_shown: false,
            staff: staff::StaffState::new(
                settings,
                import::ImportScreen::new(options.config.clone(), options.db_path.clone()),
            ),
            fatal: None,
            latest: None,
            texture: None,
            shown_sequence: None,
            greetings: GreetingTracker::default(),
            scene: Scene::Attract,
            picture_on_screen,
            texts: Texts::new(Language::English),
            theme: Theme::from_config(&options.config.display),
            logo: logo::Logo::default(),
            enroll: None,
            selected_track: None,
            notice: None,
            camera_status: CaptureStatus::Starting,
            last_detect_ms: None,
            last_embed_ms: None,
            source_ended: false,
            close_after_unlock: false,
            was_unlocked: false,
            capture_after_unlock: false,
            staff_service: None,
            fleet_status: None,
            options,
        };
        app.apply_display(ctx);
        app.start_staff_service(ctx);
        app.restart_pipeline();
        app
    }

    fn start_staff_service(&mut self, ctx: &egui::Context) {
        let repaint = ctx.clone();
        let started = StaffService::start(
            self.options.config.clone(),
            self.options.db_path.clone(),
            Box::new(move || repaint.request_repaint()),
        );
        match started {
            Ok(service) => self.staff_service = Some(service),
            Err(e) => {
                let message = e.to_string();
                self.fatal = Some(
                    self.texts
                        .with("banner-threads-failed", &[("message", message.into())]),
                );
            }
        }
    }

    /// Hands the staff screens' requests to their service, and its answers to the screens.
    fn exchange_with_staff_service(&mut self) {
        let Some(service) = &self.staff_service else {
            self.staff.outbox.clear();
            return;
        };
        for request in std::mem::take(&mut self.staff.outbox) {
            service.send(request);
        }
        while let Ok(reply) = service.try_recv() {
            self.staff.receive(reply, &self.texts);
        }
    }

    /// (Re)starts the camera and worker with the current options.
    fn restart_pipeline(&mut self) {
        self.latest = None;
        self.fatal = None;
        self.source_ended = false;
        match self.host.start_recognition() {
            Ok(()) => {}
            Err(e) => {
                let message = e.to_string();
                self.fatal = Some(
                    self.texts
                        .with("banner-threads-failed", &[("message", message.into())]),
                );
            }
        }
    }

    /// Puts saved settings in force: recognition settings at once, a new camera by restarting.
    fn apply_settings(&mut self, ctx: &egui::Context, config: Config) {
        let camera_changed =
            settings::SettingsScreen::camera_changed(&self.options.config, &config);
        let display_changed = self.options.config.display != config.display;
        self.staff.import.set_config(config.clone());
        self.options.config = config;
        if display_changed {
            self.apply_display(ctx);
        }
        let mut restart = false;
        if camera_changed {
            match self.options.config.kiosk.source.parse() {
                Ok(source) => {
                    self.options.source = source;
                    restart = true;
                }
                Err(e) => self.notify(format!("{e}"), true),
            }
        }
        self.host
            .apply_config(self.options.config.clone(), self.options.source.clone());
        if restart {
            self.restart_pipeline();
        }
    }

    /// Puts `[display]` in force: language, look and the attract screen's logo.
    fn apply_display(&mut self, ctx: &egui::Context) {
        let display = &self.options.config.display;
        self.texts = Texts::new(display.language);
        self.theme = Theme::from_config(display);
        self.theme.apply(ctx);
        self.logo.load(ctx, &display.logo);
    }

    fn send(&self, command: WorkerCommand) {
        self.host.send(command);
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
        let Some(receiver) = self.host.events() else {
            return;
        };
        let events: Vec<RecognizerEvent> = receiver.try_iter().collect();
        let disconnected = receiver.is_disconnected();
        self.camera_status = self.host.capture_status();
        if disconnected && self.fatal.is_none() {
            // The worker only hangs up on a fatal error (reported) or by dying: never stay frozen
            // on the last frame without saying so.
            self.fatal = Some(self.texts.get("banner-worker-died"));
        }
        for event in events {
            match event {
                RecognizerEvent::Frame(report) => {
                    if report.detected {
                        self.last_detect_ms = Some(report.detect_ms);
                    }
                    if report.embed_ms > 0.0 {
                        self.last_embed_ms = Some(report.embed_ms);
                    }
                    self.latest = Some(report);
                }
                RecognizerEvent::Greeting {
                    track,
                    person,
                    similarity,
                    confident,
                    visit_logged,
                    check_ins,
                } => {
                    self.greetings.greet(Greeting {
                        track,
                        person: *person,
                        similarity,
                        confident,
                        check_ins,
                    });
                    if visit_logged {
                        self.staff.visit_logged();
                    }
                }
                RecognizerEvent::Enrolled { name, .. } => {
                    self.enroll = None;
                    let text = self.texts.with("notice-saved", &[("name", name.into())]);
                    self.notify(text, false);
                }
                RecognizerEvent::SampleAdded { name, .. } => {
                    self.enroll = None;
                    let text = self
                        .texts
                        .with("notice-photo-added", &[("name", name.into())]);
                    self.notify(text, false);
                }
                RecognizerEvent::Error(problem) => {
                    if let Some(form) = &mut self.enroll {
                        form.saving = false;
                    }
                    let text = worker_text::problem_text(&self.texts, &problem);
                    self.notify(text, true);
                }
                RecognizerEvent::Fatal(message) => self.fatal = Some(message),
                RecognizerEvent::SourceEnded => self.source_ended = true,
                // Announced by the worker itself, on the host's side.
                RecognizerEvent::Track(_) => {}
                RecognizerEvent::GalleryChanged(changes) => self.gallery_changed(&changes),
                RecognizerEvent::Outlook(outlook) => self.staff.settings.outlook = Some(outlook),
            }
        }
    }

    /// Says once when the integrations (API, webhooks, MQTT) could not start.
    fn report_announcer(&mut self) {
        if self.announcer_failure_shown {
            return;
        }
        if let Some(AnnouncerStatus::Failed(message)) = self.host.announcer_status() {
            let text = self
                .texts
                .with("notice-api-failed", &[("message", message.clone().into())]);
            self.announcer_failure_shown = true;
            self.notify(text, true);
        }
    }

    /// Takes a change to the gallery (perhaps made by another process) into what is on screen: an
    /// erased person, or one who withdrew consent, leaves the greeting, the enrolment form's
    /// duplicate warning and the staff screens at once.
    fn gallery_changed(&mut self, changes: &GalleryChanges) {
        self.greetings
            .forget_person(|id| changes.removed.contains(&id));
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

    /// Decides what the public view shows for the faces in view, and drops an old notice.
    fn update_scene(&mut self) {
        let faces = FaceInView::all(self.latest.as_deref());
        self.scene = self.greetings.scene(&faces, Instant::now());
        self.picture_on_screen
            .store(!self.attract_screen_only(), Ordering::Relaxed);
        if self
            .notice
            .as_ref()
            .is_some_and(|n| n.shown_at.elapsed() > NOTICE_DURATION)
        {
            self.notice = None;
        }
    }

    /// Whether the window shows the attract screen and nothing that moves: no camera picture, no
    /// form.
    fn attract_screen_only(&self) -> bool {
        self.scene == Scene::Attract
            && self.staff.screen == staff::Screen::Live
            && self.enroll.is_none()
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
            self.notify(self.texts.get("notice-no-picture"), true);
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
            self.notify(self.texts.get("notice-no-face"), true);
            return;
        };
        match &track.best_sample {
            Some(sample) => {
                let mut form = EnrollForm::new(
                    std::sync::Arc::clone(sample),
                    track.guidance,
                    track.sample_match.clone(),
                );
                form.further_looks.clone_from(&track.further_looks);
                self.enroll = Some(form);
            }
            None => {
                let advice = track.guidance.map_or_else(
                    || self.texts.get("notice-analysing"),
                    |g| enroll::guidance_text(&self.texts, g),
                );
                self.notify(advice, true);
            }
        }
    }

    /// The largest face's latest similarity and to whom (empty: the closest enrolled person), for
    /// tuning the threshold.
    fn live_similarity(&self) -> Option<(String, f32)> {
        let report = self.latest.as_ref()?;
        let track = report
            .tracks
            .iter()
            .max_by(|a, b| a.detection.bbox.area().total_cmp(&b.detection.bbox.area()))?;
        let who = match &track.label {
            TrackLabel::Known { name, .. } => name.clone(),
            TrackLabel::Unknown | TrackLabel::Pending => String::new(),
        };
        Some((who, track.similarity?))
    }

    /// Text for the banner about the camera, if it needs one.
    fn camera_banner(&self) -> Option<(String, bool)> {
        let texts = &self.texts;
        let with_message =
            |id: &str, message: &str| texts.with(id, &[("message", message.to_owned().into())]);
        match &self.camera_status {
            CaptureStatus::Retrying { message } => {
                Some((with_message("banner-camera-unavailable", message), true))
            }
            CaptureStatus::Failed { message } if message == crate::camera::CAMERA_DIED => {
                Some((with_message("banner-camera-stopped", message), true))
            }
            CaptureStatus::Failed { message } => {
                Some((with_message("banner-source-failed", message), true))
            }
            CaptureStatus::Ended => Some((texts.get("banner-recording-ended"), false)),
            CaptureStatus::Live { source }
                if self.options.source == SourceSpec::Auto && source.contains("demo") =>
            {
                Some((texts.get("banner-demo-camera"), false))
            }
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
            let palette = &self.theme.palette;
            for (text, is_error) in lines {
                let color = if is_error {
                    palette.error
                } else {
                    palette.info
                };
                let size = self.theme.text(theme::size::BANNER);
                ui.label(egui::RichText::new(text).color(color).size(size));
            }
        });
    }

    /// The public view: the attract screen while nobody is in view, otherwise the camera picture
    /// with the greeting (or the cue) beside it.
    fn public_ui(&mut self, ui: &mut egui::Ui) {
        let display = &self.options.config.display;
        let view = PublicView {
            scene: &self.scene,
            texts: &self.texts,
            theme: &self.theme,
            details: &self.options.config.kiosk.greeting_details,
            diagnostic: display.diagnostic_overlay,
            shop_name: &display.shop_name,
            welcome_text: &display.welcome_text,
            logo: self.logo.texture(),
        };
        if self.scene == Scene::Attract {
            egui::CentralPanel::default().show(ui, |ui| view.attract_ui(ui));
            return;
        }
        let width = (ui.available_width() * theme::size::PUBLIC_PANEL_SHARE)
            .max(theme::size::PUBLIC_PANEL_MIN);
        let mut command = None;
        egui::Panel::right("public_view")
            .exact_size(width)
            .frame(
                egui::Frame::side_top_panel(ui.style()).inner_margin(theme::spacing::PANEL_MARGIN),
            )
            .show(ui, |ui| command = view.panel_ui(ui));
        let look = live::LiveLook {
            texts: &self.texts,
            theme: &self.theme,
            diagnostic: display.diagnostic_overlay,
        };
        let mut clicked = None;
        egui::CentralPanel::default().show(ui, |ui| {
            clicked = live::live_view_ui(
                ui,
                self.texture.as_ref(),
                self.latest.as_deref(),
                self.selected_track,
                &look,
            );
        });
        if let Some(clicked) = clicked {
            self.selected_track = Some(clicked);
        }
        if let Some(PublicCommand::NotThem { track }) = command {
            self.send(WorkerCommand::RejectMatch { track });
            self.greetings.forget_track(track);
            self.notify(self.texts.get("notice-not-them"), false);
        }
    }

    fn bottom_bar_ui(&mut self, ui: &mut egui::Ui) {
        let mut capture_clicked = false;
        egui::Panel::bottom("controls").show(ui, |ui| {
            ui.horizontal(|ui| {
                let has_face = self.latest.as_ref().is_some_and(|r| !r.tracks.is_empty());
                capture_clicked = ui
                    .add_enabled(
                        has_face && self.enroll.is_none(),
                        egui::Button::new(self.texts.get("capture-button"))
                            .min_size(theme::size::CAPTURE_BUTTON.into()),
                    )
                    .on_hover_text(self.texts.get("capture-button-hint"))
                    .clicked();
                // Frame rates and milliseconds are for staff, not for the visitors facing the
                // screen.
                if self.staff.unlocked || self.options.config.display.diagnostic_overlay {
                    ui.separator();
                    let stats = self.host.capture_stats();
                    ui.label(live::status_text(
                        self.last_detect_ms,
                        self.last_embed_ms,
                        &stats,
                        &self.texts,
                    ));
                }
                if let Some(status) = &self.fleet_status {
                    ui.separator();
                    let (text, attention) = fleet::status_text(status, &self.texts);
                    let color = if attention {
                        self.theme.palette.unknown
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
        self.report_announcer();
        self.fleet_status = self.host.fleet_status();
        self.backup_health = self.host.backup_health();
        self.staff.import.poll();
        self.exchange_with_staff_service();
        self.drain_events();
        self.logo.poll(ctx);
        if let Some(config) = self.staff.applied_settings.take() {
            self.apply_settings(ctx, config);
        }
        self.update_scene();
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
        if live
            && self.enroll.is_none()
            && !self.staff.pin_dialog_open()
            && capture_pressed(ui.ctx())
        {
            self.capture();
        }

        let mut toggle_fullscreen = false;
        egui::Panel::top("nav").show(ui, |ui| {
            toggle_fullscreen = self.staff.nav_ui(ui, &self.texts)
        });
        if toggle_fullscreen {
            let fullscreen = ui.input(|i| i.viewport().fullscreen.unwrap_or(false));
            ui.ctx()
                .send_viewport_cmd(egui::ViewportCommand::Fullscreen(!fullscreen));
        }
        self.banners_ui(ui);
        self.bottom_bar_ui(ui);
        if live {
            self.public_ui(ui);
        } else {
            let live_similarity = self.live_similarity();
            egui::CentralPanel::default().show(ui, |ui| {
                backups::backup_line_ui(ui, &self.backup_health, &self.texts);
                self.staff.screen_ui(ui, live_similarity, &self.texts);
            });
        }
        self.staff.pin_dialog_ui(ui.ctx(), &self.texts);
        self.exchange_with_staff_service();

        if let Some(form) = &mut self.enroll {
            let with = FormContext {
                texts: &self.texts,
                theme: &self.theme,
                require_consent: self.options.config.kiosk.require_consent,
            };
            match enroll_form_ui(ui.ctx(), form, &with) {
                enroll::FormAction::None => {}
                enroll::FormAction::Cancel => self.enroll = None,
                enroll::FormAction::Save(person) => {
                    form.saving = true;
                    let sample = std::sync::Arc::clone(&form.sample);
                    let further_looks = form.further_looks.clone();
                    self.send(WorkerCommand::Enroll {
                        person,
                        sample,
                        further_looks,
                    });
                }
                enroll::FormAction::AddTo(person_id) => {
                    form.saving = true;
                    let sample = std::sync::Arc::clone(&form.sample);
                    let further_looks = form.further_looks.clone();
                    self.send(WorkerCommand::AddSample {
                        person_id,
                        sample,
                        further_looks,
                    });
                }
            }
        }

        let poll = if self.attract_screen_only() {
            ATTRACT_REPAINT
        } else {
            IDLE_REPAINT
        };
        ui.ctx().request_repaint_after(poll);
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

/// The host behind the window: integrations as the config asks, every frame drawn.
fn host_options(options: &KioskOptions) -> HostOptions {
    HostOptions {
        config: options.config.clone(),
        db_path: options.db_path.clone(),
        source: options.source.clone(),
        role: "kiosk",
        frames_drawn: true,
        announce: Announce::AsConfigured,
    }
}

/// The worker's wake-up: a repaint for news, and for a frame without faces only while the camera
/// picture is on screen.
fn wake_on_news(ctx: &egui::Context, picture_on_screen: &Arc<AtomicBool>) -> SharedWake {
    let repaint = ctx.clone();
    let picture_on_screen = Arc::clone(picture_on_screen);
    Arc::new(move |news| {
        if news == News::Change || picture_on_screen.load(Ordering::Relaxed) {
            repaint.request_repaint();
        }
    })
}
