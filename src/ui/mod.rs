//! The kiosk window: live picture with names, greeting panel and one-button enrolment.
//!
//! The UI thread only draws and polls channels; the camera and the recognition worker run on their
//! own threads and wake the UI when they have news.

mod enroll;
mod greeting;
mod live;

use std::path::PathBuf;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use crate::camera::{CameraSettings, CaptureHandle, CaptureStatus, SourceSpec};
use crate::config::Config;
use crate::recognizer::{
    FrameReport, RecognizerEvent, TrackLabel, Worker, WorkerCommand, WorkerHandle, WorkerSettings,
};

pub use enroll::EnrollForm;
pub use greeting::Greeting;

/// How long a greeting stays on screen after the visitor left.
const GREETING_LINGER: Duration = Duration::from_secs(8);
/// How long a notice ("Saved", "Could not save") stays.
const NOTICE_DURATION: Duration = Duration::from_secs(5);
/// Poll interval for camera status when nothing else wakes the UI.
const IDLE_REPAINT: Duration = Duration::from_millis(100);

/// What the kiosk needs to start.
#[derive(Debug, Clone)]
pub struct KioskOptions {
    pub config: Config,
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
    events: Receiver<RecognizerEvent>,
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
}

impl KioskApp {
    /// Starts the camera and recognition threads; they wake `ctx` whenever they have news.
    pub fn new(ctx: &egui::Context, options: KioskOptions) -> Self {
        let mut app = Self {
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
            source_ended: false,
        };
        match app.start_pipeline(ctx) {
            Ok(pipeline) => app.pipeline = Some(pipeline),
            Err(e) => {
                app.fatal = Some(format!(
                    "cannot start the camera and recognition threads: {e}"
                ))
            }
        }
        app
    }

    fn start_pipeline(&self, ctx: &egui::Context) -> std::io::Result<Pipeline> {
        let config = &self.options.config;
        let capture = CaptureHandle::start(
            self.options.source.clone(),
            CameraSettings::from_config(&config.kiosk),
        )?;
        let (sender, events) = std::sync::mpsc::channel();
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
        for event in events {
            match event {
                RecognizerEvent::Frame(report) => self.latest = Some(report),
                RecognizerEvent::Greeting {
                    track,
                    person,
                    similarity,
                    ..
                } => {
                    self.greeting = Some(Greeting::new(track, *person, similarity));
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
                RecognizerEvent::Track(_) => {}
            }
        }
    }

    /// Uploads the newest processed frame to the GPU once.
    fn update_texture(&mut self, ctx: &egui::Context) {
        let Some(report) = &self.latest else { return };
        if self.shown_sequence == Some(report.frame.sequence) {
            return;
        }
        let image = &report.frame.image;
        let color = egui::ColorImage::from_rgb(
            [image.width() as usize, image.height() as usize],
            image.as_raw(),
        );
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

    /// Opens the enrolment form on the selected face, or the largest one.
    fn capture(&mut self) {
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

    /// Text for the banner about the camera, if it needs one.
    fn camera_banner(&self) -> Option<(String, bool)> {
        match &self.camera_status {
            CaptureStatus::Retrying { message } => Some((
                format!("Camera unavailable: {message}. Retrying in the background; check the cable or pick another camera in the config."),
                true,
            )),
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
                ui.label(live::status_text(self.latest.as_deref(), &stats));
            });
        });
        if capture_clicked {
            self.capture();
        }
    }
}

impl eframe::App for KioskApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.drain_events();
        self.update_texture(ui.ctx());
        self.expire_greeting();

        let typing = ui.ctx().egui_wants_keyboard_input();
        if self.enroll.is_none()
            && !typing
            && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Space))
        {
            self.capture();
        }

        self.banners_ui(ui);
        self.bottom_bar_ui(ui);
        egui::Panel::right("greeting")
            .min_size(320.0)
            .show(ui, |ui| {
                greeting::greeting_ui(ui, self.greeting.as_ref(), self.latest.as_deref());
            });
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
