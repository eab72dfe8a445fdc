//! Several kiosks, one gallery: a PostgreSQL server is the fleet's shared store and each kiosk's
//! SQLite gallery is a replica of it that keeps working offline.
//!
//! An exchange (one "round") pushes this kiosk's outbox (see `gallery::replica`), then pulls the
//! server's numbered change log from where this kiosk left off. Every write to the server's log
//! holds one advisory lock, so its numbers are handed out in commit order and a kiosk that reads
//! "everything after N" can never skip a change that commits later with a smaller number.
//! NOTIFY only wakes kiosks up early; the periodic round would find the same changes.
//!
//! Conflict rules (docs/fleet.md, "Conflict rules"): a person's record is last-writer-wins by its
//! `updated_at` (then kiosk name); an erasure wins over any edit, for ever (tombstones); faces and
//! visits are never edited, only added, moved by a merge or deleted; two kiosks that enrol the same
//! visitor at once create two people, which staff merge like any duplicate.

mod follower;
mod schema;
mod server;

use std::path::PathBuf;
use std::time::Duration;

pub use follower::{FleetFollower, FleetStatus};

use crate::config::FleetConfig;
use crate::gallery::{Applied, Gallery, GalleryError};
use crate::secrets::redact_url;

/// How many feed entries or rows travel in one request.
const BATCH: usize = 500;

#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    #[error(
        "cannot reach the fleet server {url}: {source}. The kiosk keeps working on its own \
         gallery and sends its changes when the server is back; check the address, the network \
         and the password (fleet.url, fleet.password)"
    )]
    Connect {
        url: String,
        #[source]
        source: postgres::Error,
    },
    #[error("the fleet server failed during an exchange: {0}. Nothing was lost; it is tried again")]
    Server(#[from] postgres::Error),
    #[error("fleet.url is not a PostgreSQL address: {0}")]
    Url(String),
    #[error("cannot read the certificate authority file {path}: {message}")]
    CaFile { path: PathBuf, message: String },
    #[error(
        "the fleet server's schema is version {found}, newer than this Frontdesk knows ({known}); \
         upgrade Frontdesk on this kiosk"
    )]
    ServerTooNew { found: i32, known: i32 },
    #[error("this kiosk is not set up for a fleet: set fleet.url (or FRONTDESK_FLEET_URL)")]
    NotConfigured,
    #[error(transparent)]
    Gallery(#[from] GalleryError),
}

/// Everything needed to reach the fleet, resolved from the config and the environment.
#[derive(Clone)]
pub struct FleetSettings {
    pub url: String,
    pub password: Option<String>,
    pub kiosk: String,
    pub ca_file: Option<PathBuf>,
    pub sync_every: Duration,
}

impl std::fmt::Debug for FleetSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FleetSettings")
            .field("url", &redact_url(&self.url))
            .field("kiosk", &self.kiosk)
            .field("ca_file", &self.ca_file)
            .field("sync_every", &self.sync_every)
            .finish_non_exhaustive()
    }
}

impl FleetSettings {
    /// The fleet this kiosk belongs to: `FRONTDESK_FLEET_URL` or `fleet.url`; `None` when neither
    /// is set (a stand-alone kiosk).
    pub fn from_config(config: &FleetConfig) -> Option<Self> {
        let url = std::env::var("FRONTDESK_FLEET_URL")
            .ok()
            .filter(|url| !url.trim().is_empty())
            .unwrap_or_else(|| config.url.clone());
        if url.trim().is_empty() {
            return None;
        }
        let password = std::env::var("FRONTDESK_FLEET_PASSWORD")
            .ok()
            .or_else(|| Some(config.password.clone()))
            .filter(|password| !password.is_empty());
        let kiosk = config.kiosk_name();
        Some(Self {
            url: url.trim().to_owned(),
            password,
            kiosk,
            ca_file: Some(config.ca_file.clone()).filter(|path| !path.as_os_str().is_empty()),
            sync_every: Duration::from_secs(u64::from(config.sync_seconds.max(1))),
        })
    }

    /// The URL as it may be shown: without its password.
    pub fn display_url(&self) -> String {
        redact_url(&self.url)
    }
}

/// What one round moved, both ways.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct SyncReport {
    pub pushed: Moved,
    pub pulled: Applied,
    /// Whether this round copied the whole fleet (a new kiosk, or one away longer than the
    /// server keeps its change log).
    pub full_copy: bool,
    /// The server's latest change number, and the local changes still waiting after the round.
    pub server_seq: i64,
    pub waiting: i64,
}

/// Rows sent to the server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Moved {
    pub people: usize,
    pub faces: usize,
    pub visits: usize,
    pub erasures: usize,
}

impl Moved {
    fn add(&mut self, other: Moved) {
        self.people += other.people;
        self.faces += other.faces;
        self.visits += other.visits;
        self.erasures += other.erasures;
    }
}

/// A connection to the fleet's server, with the schema checked and this gallery joined.
pub struct FleetConnection {
    client: postgres::Client,
    settings: FleetSettings,
    fleet_id: String,
}

impl FleetConnection {
    /// Connects, creates or migrates the server's schema, and makes `gallery` a replica of the fleet.
    pub fn open(settings: &FleetSettings, gallery: &mut Gallery) -> Result<Self, FleetError> {
        let mut client = server::connect(settings)?;
        let fleet_id = schema::migrate(&mut client)?;
        if gallery.join_fleet(&fleet_id)? {
            tracing::info!(fleet = %fleet_id, kiosk = %settings.kiosk, "joined the fleet");
        }
        client.batch_execute(&format!("LISTEN {}", server::CHANNEL))?;
        Ok(Self {
            client,
            settings: settings.clone(),
            fleet_id,
        })
    }

    pub fn fleet_id(&self) -> &str {
        &self.fleet_id
    }

    /// One exchange: push everything waiting, then pull everything new.
    pub fn sync(&mut self, gallery: &mut Gallery) -> Result<SyncReport, FleetError> {
        let mut report = SyncReport::default();
        loop {
            let outbox = gallery.fleet_outbox(BATCH)?;
            if !outbox.rows.is_empty() {
                report.pushed.add(server::push(
                    &mut self.client,
                    &self.settings.kiosk,
                    &outbox.rows,
                )?);
            }
            gallery.fleet_outbox_sent(&outbox)?;
            if !outbox.more {
                break;
            }
        }
        let pulled = server::pull(&mut self.client, &self.settings.kiosk, gallery)?;
        report.pulled = pulled.applied;
        report.full_copy = pulled.full_copy;
        report.server_seq = pulled.server_seq;
        report.waiting = gallery.fleet_outbox_len()?;
        let position = gallery.fleet_state()?.map_or(0, |state| state.pulled_seq);
        server::record_kiosk(&mut self.client, &self.settings.kiosk, position)?;
        Ok(report)
    }

    /// Waits up to `timeout` for another kiosk's notification; true when one came.
    pub fn wait_for_news(&mut self, timeout: Duration) -> Result<bool, FleetError> {
        use postgres::fallible_iterator::FallibleIterator as _;

        let mut notifications = self.client.notifications();
        let mut news = notifications.timeout_iter(timeout).next()?.is_some();
        // Several notifications since the last look are one piece of news.
        while notifications.iter().next()?.is_some() {
            news = true;
        }
        Ok(news)
    }

    /// The server's latest change number.
    pub fn server_seq(&mut self) -> Result<i64, FleetError> {
        server::latest_seq(&mut self.client)
    }

    /// The kiosks the server has heard from.
    pub fn kiosks(&mut self) -> Result<Vec<KioskSeen>, FleetError> {
        server::kiosks(&mut self.client)
    }
}

/// A kiosk of the fleet as the server last saw it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KioskSeen {
    pub name: String,
    pub last_seen_at: i64,
    pub pulled_seq: i64,
}
