//! `fleet sync` and `fleet status`: one exchange with the fleet's server, and where this kiosk stands.

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;
use frontdesk::fleet::{FleetConnection, FleetError, FleetSettings, KioskSeen, SyncReport};
use frontdesk::gallery::{Gallery, format_timestamp};
use serde_json::json;

use super::output::{Table, count, date_time};
use super::{Context, Output};

#[derive(Debug, Subcommand)]
pub enum FleetAction {
    /// Send this kiosk's changes and fetch the others', once; prints what moved
    Sync {
        #[command(flatten)]
        output: Output,
    },
    /// Whether the server can be reached, what waits to be sent and how far behind this kiosk is
    Status {
        #[command(flatten)]
        output: Output,
    },
}

pub fn run(context: &Context, action: FleetAction) -> anyhow::Result<ExitCode> {
    let settings =
        FleetSettings::from_config(&context.config.fleet).ok_or(FleetError::NotConfigured)?;
    let mut gallery = Gallery::open_unindexed(&context.db_path)
        .with_context(|| format!("cannot open the gallery {}", context.db_path.display()))?;
    match action {
        FleetAction::Sync { output } => sync(&settings, &mut gallery, output),
        FleetAction::Status { output } => status(&settings, &mut gallery, output),
    }
}

fn sync(
    settings: &FleetSettings,
    gallery: &mut Gallery,
    output: Output,
) -> anyhow::Result<ExitCode> {
    let outcome = FleetConnection::open(settings, gallery)
        .and_then(|mut connection| connection.sync(gallery));
    match outcome {
        Ok(report) => {
            output.print(&synced(&report), &serde_json::to_value(report)?);
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            let waiting = gallery.fleet_outbox_len().unwrap_or(0);
            Err(anyhow::Error::new(error).context(format!(
                "fleet sync failed; {waiting} local change(s) stay in this kiosk's outbox and are \
                 sent by the next sync"
            )))
        }
    }
}

/// `fleet sync` for people: what moved each way and what still waits.
fn synced(report: &SyncReport) -> String {
    let moved = |people, faces, visits, erasures| {
        format!(
            "{}, {}, {} and {}",
            count(people, "person", "people"),
            count(faces, "face", "faces"),
            count(visits, "visit", "visits"),
            count(erasures, "erasure", "erasures")
        )
    };
    let (sent, fetched) = (report.pushed, report.pulled);
    format!(
        "Sent {}; fetched {}{}. {} wait to be sent.",
        moved(sent.people, sent.faces, sent.visits, sent.erasures),
        moved(
            fetched.people,
            fetched.faces,
            fetched.visits,
            fetched.erased
        ),
        if report.full_copy {
            " (a full copy of the fleet)"
        } else {
            ""
        },
        count(report.waiting, "change", "changes")
    )
}

/// Where this kiosk stands, from its own gallery and, when it answers, from the server.
pub struct FleetReport {
    pub kiosk: String,
    pub url: String,
    pub waiting: i64,
    pub pulled_seq: i64,
    pub last_sync_at: Option<i64>,
    /// The server's answer: its latest change and the kiosks it has seen, or why it did not answer.
    pub server: Result<(i64, Vec<KioskSeen>), String>,
}

impl FleetReport {
    pub fn gather(settings: &FleetSettings, gallery: &mut Gallery) -> Self {
        let state = gallery.fleet_state().ok().flatten();
        let server = FleetConnection::open(settings, gallery)
            .and_then(|mut connection| Ok((connection.server_seq()?, connection.kiosks()?)))
            .map_err(|e| e.to_string());
        let state_now = gallery.fleet_state().ok().flatten().or(state);
        Self {
            kiosk: settings.kiosk.clone(),
            url: settings.display_url(),
            waiting: gallery.fleet_outbox_len().unwrap_or(0),
            pulled_seq: state_now.as_ref().map_or(0, |s| s.pulled_seq),
            last_sync_at: state_now.and_then(|s| s.last_sync_at),
            server,
        }
    }

    pub fn behind(&self) -> Option<i64> {
        self.server
            .as_ref()
            .ok()
            .map(|(seq, _)| (seq - self.pulled_seq).max(0))
    }

    /// One line for `doctor`.
    pub fn summary(&self) -> Result<String, String> {
        let last = self
            .last_sync_at
            .map_or("never".to_owned(), format_timestamp);
        match (&self.server, self.behind()) {
            (Ok(_), Some(behind)) => Ok(format!(
                "kiosk {} connected to {}; {} change(s) to send, {behind} to fetch; last exchange {last}",
                self.kiosk, self.url, self.waiting
            )),
            _ => Err(format!(
                "kiosk {}: {}; {} change(s) wait to be sent; last exchange {last}",
                self.kiosk,
                self.server.as_ref().err().map_or("", String::as_str),
                self.waiting,
            )),
        }
    }

    fn to_json(&self) -> serde_json::Value {
        json!({
            "kiosk": self.kiosk,
            "url": self.url,
            "connected": self.server.is_ok(),
            "error": self.server.as_ref().err(),
            "waiting": self.waiting,
            "behind": self.behind(),
            "last_sync_at": self.last_sync_at.map(format_timestamp),
            "kiosks": self.server.as_ref().ok().map(|(_, kiosks)| kiosks.iter().map(|k| json!({
                "name": k.name,
                "last_seen_at": format_timestamp(k.last_seen_at),
                "pulled_seq": k.pulled_seq,
            })).collect::<Vec<_>>()),
        })
    }
}

fn status(
    settings: &FleetSettings,
    gallery: &mut Gallery,
    output: Output,
) -> anyhow::Result<ExitCode> {
    let report = FleetReport::gather(settings, gallery);
    let (Ok(mut text) | Err(mut text)) = report.summary();
    if let Ok((_, kiosks)) = &report.server
        && !kiosks.is_empty()
    {
        let mut seen = Table::new(&["KIOSK", "LAST SEEN"]);
        for kiosk in kiosks {
            seen.push(vec![kiosk.name.clone(), date_time(kiosk.last_seen_at)]);
        }
        text.push_str(&format!("\n\n{}", seen.render()));
    }
    output.print(&text, &report.to_json());
    Ok(if report.server.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
