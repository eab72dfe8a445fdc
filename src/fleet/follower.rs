//! The background thread that keeps a running kiosk (or `watch`) in step with its fleet: it sends
//! local changes a moment after they are committed, pulls when another kiosk notifies or at least
//! every `sync_every`, and reconnects with back-off when the server is away.
#![allow(
    clippy::disallowed_types,
    reason = "the sync status: a small value the window copies out on every pass"
)]

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::{FleetConnection, FleetError, FleetSettings, SyncReport};
use crate::gallery::{Gallery, now_ms};

/// How often local commits are looked for (one `PRAGMA data_version`), and the longest wait for
/// a notification between looks.
const LOOK_EVERY: Duration = Duration::from_millis(200);
const RETRY_FIRST: Duration = Duration::from_secs(1);
const RETRY_MAX: Duration = Duration::from_secs(30);

/// What staff see about the fleet: connected or not, and how far behind.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FleetStatus {
    pub kiosk: String,
    pub connected: bool,
    /// Local changes not on the server yet.
    pub waiting: i64,
    /// Server changes not applied here yet, as of the last contact.
    pub behind: i64,
    /// Last successful exchange (Unix ms).
    pub last_sync_at: Option<i64>,
    pub last_error: Option<String>,
}

/// The running sync thread; stopped and joined on drop.
pub struct FleetFollower {
    status: Arc<Mutex<FleetStatus>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FleetFollower {
    /// Starts following the fleet for the gallery at `db_path`, with a connection of its own.
    pub fn start(settings: FleetSettings, db_path: &Path) -> Result<Self, FleetError> {
        let gallery = Gallery::open_unindexed(db_path)?;
        let status = Arc::new(Mutex::new(FleetStatus {
            kiosk: settings.kiosk.clone(),
            ..FleetStatus::default()
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::thread::Builder::new()
            .name("fleet".into())
            .spawn({
                let status = Arc::clone(&status);
                let stop = Arc::clone(&stop);
                move || follow(&settings, gallery, &status, &stop)
            })
            .map_err(|e| FleetError::Url(format!("cannot start the fleet thread: {e}")))?;
        Ok(Self {
            status,
            stop,
            thread: Some(thread),
        })
    }

    /// The latest status (a copy; the lock is held only to copy it).
    pub fn status(&self) -> FleetStatus {
        self.status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for FleetFollower {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the fleet thread panicked");
        }
    }
}

fn follow(
    settings: &FleetSettings,
    mut gallery: Gallery,
    status: &Mutex<FleetStatus>,
    stop: &AtomicBool,
) {
    let mut retry = RETRY_FIRST;
    while !stop.load(Ordering::Relaxed) {
        let outcome = FleetConnection::open(settings, &mut gallery).and_then(|connection| {
            exchange_while_connected(connection, &mut gallery, status, stop)
        });
        let Err(error) = outcome else {
            return;
        };
        tracing::warn!(%error, "fleet server unreachable; working offline");
        if status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .connected
        {
            retry = RETRY_FIRST;
        }
        let waiting = gallery.fleet_outbox_len().unwrap_or(0);
        update(status, |s| {
            s.connected = false;
            s.waiting = waiting;
            s.last_error = Some(error.to_string());
        });
        let until = Instant::now() + retry;
        while Instant::now() < until && !stop.load(Ordering::Relaxed) {
            std::thread::sleep(LOOK_EVERY);
        }
        retry = (retry * 2).min(RETRY_MAX);
    }
}

/// Exchanges whenever there is news, until stopped (`Ok`) or the connection fails (`Err`).
fn exchange_while_connected(
    mut connection: FleetConnection,
    gallery: &mut Gallery,
    status: &Mutex<FleetStatus>,
    stop: &AtomicBool,
) -> Result<(), FleetError> {
    let mut last_round: Option<Instant> = None;
    let mut news = true;
    while !stop.load(Ordering::Relaxed) {
        let before = gallery.feed_position();
        gallery.refresh()?;
        news |= gallery.feed_position() != before;
        news |= last_round.is_none_or(|at| at.elapsed() >= connection.settings.sync_every);
        if news {
            let report = connection.sync(gallery)?;
            log_round(&report);
            // The round already read the server's latest number: no second query for it.
            let behind =
                (report.server_seq - gallery.fleet_state()?.map_or(0, |s| s.pulled_seq)).max(0);
            update(status, |s| {
                s.connected = true;
                s.waiting = report.waiting;
                s.behind = behind;
                s.last_sync_at = Some(now_ms());
                s.last_error = None;
            });
            last_round = Some(Instant::now());
        }
        news = connection.wait_for_news(LOOK_EVERY)?;
    }
    Ok(())
}

fn log_round(report: &SyncReport) {
    let moved = report.pushed.people
        + report.pushed.faces
        + report.pushed.visits
        + report.pushed.erasures
        + report.pulled.people
        + report.pulled.faces
        + report.pulled.visits
        + report.pulled.erased;
    if moved > 0 {
        tracing::info!(?report, "fleet exchange");
    }
}

fn update(status: &Mutex<FleetStatus>, change: impl FnOnce(&mut FleetStatus)) {
    change(&mut status.lock().unwrap_or_else(PoisonError::into_inner));
}
