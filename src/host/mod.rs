//! The kiosk host: everything behind a recognition loop, started the same way for the window,
//! `watch` and `serve`: the camera thread and recognition worker, the announcer (API, webhooks,
//! MQTT), the fleet's sync thread and the backup scheduler. The config is read for them here, once.
//!
//! The window only draws and polls; what the worker announces reaches the integrations on the
//! host's side, typed, without passing through the thread that draws.

mod announcer;

use std::path::PathBuf;
use std::sync::Arc;

pub use announcer::{Announcer, AnnouncerStatus};

use crate::backup::schedule::{BackupHealth, BackupScheduler};
use crate::camera::{CameraSettings, CaptureHandle, CaptureStats, CaptureStatus, SourceSpec};
use crate::config::Config;
use crate::fleet::{FleetFollower, FleetSettings, FleetStatus};
use crate::recognizer::{EventReceiver, News, Worker, WorkerCommand, WorkerHandle, WorkerSettings};

/// Which integrations the host runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Announce {
    /// None (`watch`, which prints its events).
    Nothing,
    /// Those the config asks for: the API when `api.listen` is set, webhooks when any are
    /// configured, MQTT when `mqtt.url` is set (the window).
    AsConfigured,
    /// As configured, and the API in any case, on this address (`serve`).
    WithApi { listen: String },
}

/// What a host needs to start.
#[derive(Debug, Clone)]
pub struct HostOptions {
    pub config: Config,
    pub db_path: PathBuf,
    pub source: SourceSpec,
    /// Who runs the loop ("kiosk", "watch", "serve"): with the source, the label stored with each
    /// visit.
    pub role: &'static str,
    /// A window draws the camera picture (see [`WorkerSettings::frames_drawn`]).
    pub frames_drawn: bool,
    pub announce: Announce,
}

impl HostOptions {
    /// Where the API listens, when it runs.
    fn api_listen(&self) -> Option<String> {
        match &self.announce {
            Announce::Nothing => None,
            Announce::AsConfigured => {
                let listen = self.config.api.listen.trim();
                (!listen.is_empty()).then(|| listen.to_owned())
            }
            Announce::WithApi { listen } => Some(listen.clone()),
        }
    }

    /// Whether anything is to be announced at all.
    fn announces(&self) -> bool {
        self.announce != Announce::Nothing
            && (self.api_listen().is_some()
                || !self.config.webhook.is_empty()
                || !self.config.mqtt.url.trim().is_empty())
    }
}

/// Called by the worker after each message it sends (a window repaints).
pub type SharedWake = Arc<dyn Fn(News) + Send + Sync>;

/// The camera thread and the worker reading it, restarted together when the camera changes.
struct Recognition {
    capture: CaptureHandle,
    worker: WorkerHandle,
    events: EventReceiver,
}

/// The running host.
pub struct Host {
    // Fields drop in order: the worker (which holds a sender of the announcer's queue) stops
    // before the announcer waits for its queue to close.
    recognition: Option<Recognition>,
    announcer: Option<Announcer>,
    fleet: Option<FleetFollower>,
    backups: BackupScheduler,
    options: HostOptions,
    wake: SharedWake,
}

impl Host {
    /// Starts the announcer, the fleet's sync thread and the backup scheduler as the config asks;
    /// recognition starts with [`Host::start_recognition`]. A part that cannot start is logged and
    /// left out: the kiosk goes on without it.
    pub fn new(options: HostOptions, wake: SharedWake) -> Self {
        let announcer = if options.announces() {
            Announcer::start(
                options.config.clone(),
                options.db_path.clone(),
                options.api_listen(),
            )
            .inspect_err(|error| tracing::error!(%error, "cannot start the announcer's thread"))
            .ok()
        } else {
            None
        };
        Self {
            recognition: None,
            announcer,
            fleet: start_fleet(&options),
            backups: BackupScheduler::start(
                options.config.backup.clone(),
                options.config.fleet.kiosk_name(),
                options.db_path.clone(),
            ),
            options,
            wake,
        }
    }

    /// (Re)starts the camera thread and the worker with the current options. The worker loads its
    /// models and opens the gallery on its own thread and reports a failure as an event.
    pub fn start_recognition(&mut self) -> std::io::Result<()> {
        self.recognition = None;
        let config = &self.options.config;
        let capture = CaptureHandle::start(
            self.options.source.clone(),
            CameraSettings::from_config(&config.kiosk),
        )?;
        let (sender, events) = crate::recognizer::event_channel();
        let label = format!("{}:{}", self.options.role, self.options.source);
        let settings = WorkerSettings {
            frames_drawn: self.options.frames_drawn,
            ..WorkerSettings::from_config(config, label)
        };
        let wake = Arc::clone(&self.wake);
        let worker = Worker::spawn_loading(
            config.clone(),
            self.options.db_path.clone(),
            settings,
            self.announcer.as_ref().and_then(Announcer::sender),
            capture.slot(),
            sender,
            Box::new(move |news| wake(news)),
        )?;
        self.recognition = Some(Recognition {
            capture,
            worker,
            events,
        });
        Ok(())
    }

    /// Stops recognition (the camera thread and the worker), leaving the rest running.
    pub fn stop_recognition(&mut self) {
        self.recognition = None;
    }

    /// New settings: recognition settings take effect at once; a new camera with the next
    /// [`Host::start_recognition`].
    pub fn apply_config(&mut self, config: Config, source: SourceSpec) {
        self.send(WorkerCommand::ApplyConfig(Box::new(config.clone())));
        self.options.config = config;
        self.options.source = source;
    }

    /// What the worker reports, while recognition runs.
    pub fn events(&self) -> Option<&EventReceiver> {
        self.recognition.as_ref().map(|r| &r.events)
    }

    pub fn send(&self, command: WorkerCommand) {
        if let Some(recognition) = &self.recognition {
            recognition.worker.send(command);
        }
    }

    pub fn capture_status(&self) -> CaptureStatus {
        self.recognition
            .as_ref()
            .map_or(CaptureStatus::Starting, |r| r.capture.status())
    }

    pub fn capture_stats(&self) -> CaptureStats {
        self.recognition
            .as_ref()
            .map(|r| r.capture.stats())
            .unwrap_or_default()
    }

    /// The announcer's state, when the config asks for integrations; never waits.
    pub fn announcer_status(&mut self) -> Option<&AnnouncerStatus> {
        self.announcer.as_mut().map(Announcer::status)
    }

    /// The same, waiting until the start is known.
    pub fn wait_announcer_started(&mut self) -> Option<&AnnouncerStatus> {
        self.announcer.as_mut().map(Announcer::wait_started)
    }

    pub fn fleet_status(&self) -> Option<FleetStatus> {
        self.fleet.as_ref().map(FleetFollower::status)
    }

    /// How the scheduled backups are doing, with the scheduler's latest news taken in.
    pub fn backup_health(&mut self) -> BackupHealth {
        self.backups.poll();
        self.backups.health()
    }
}

/// The fleet's sync thread, when the kiosk belongs to a fleet. Without it the kiosk still works on
/// its own gallery, so a failure is logged, not fatal.
fn start_fleet(options: &HostOptions) -> Option<FleetFollower> {
    let settings = FleetSettings::from_config(&options.config.fleet)?;
    tracing::info!(
        fleet = %settings.display_url(),
        kiosk = %settings.kiosk,
        "following the fleet"
    );
    FleetFollower::start(settings, &options.db_path)
        .inspect_err(|error| tracing::error!(%error, "the fleet cannot be followed"))
        .ok()
}
