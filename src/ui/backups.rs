//! Scheduled backups behind the kiosk window, and their line on the staff screens.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Receiver;

use super::i18n::Texts;
use crate::backup::schedule::{self, BackupHealth, BackupStatus};
use crate::config::BackupConfig;

/// Status updates the scheduler may queue before the window takes them.
const STATUS_QUEUE: usize = 4;

use super::theme::{BACKUP_OK, BACKUP_WARNING};

/// The backup scheduler's thread (when `[backup] dir` is set) and the last status it reported.
pub struct BackupMonitor {
    config: BackupConfig,
    status: Option<BackupStatus>,
    updates: Option<Receiver<BackupStatus>>,
    stop: Arc<AtomicBool>,
}

impl BackupMonitor {
    pub fn start(config: BackupConfig, db_path: PathBuf) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let mut monitor = Self {
            status: config
                .enabled()
                .then(|| schedule::read_status(&config.dir))
                .flatten(),
            config: config.clone(),
            updates: None,
            stop: Arc::clone(&stop),
        };
        if config.enabled() {
            let (sender, updates) = std::sync::mpsc::sync_channel(STATUS_QUEUE);
            match schedule::spawn_scheduler(config, db_path, sender, stop) {
                Ok(_) => monitor.updates = Some(updates),
                Err(e) => tracing::error!(error = %e, "cannot start the backup scheduler"),
            }
        }
        monitor
    }

    /// Takes the scheduler's news; never blocks.
    pub fn poll(&mut self) {
        if let Some(updates) = &self.updates
            && let Some(status) = updates.try_iter().last()
        {
            self.status = Some(status);
        }
    }

    pub fn health(&self) -> BackupHealth {
        BackupHealth::of(&self.config, self.status.as_ref(), crate::gallery::now_ms())
    }

    /// "Backups: last backup 3 h ago", in a warning colour when it failed or is too old.
    pub fn line_ui(&self, ui: &mut egui::Ui, texts: &Texts) {
        let health = self.health();
        let color = if health.is_ok() {
            BACKUP_OK
        } else {
            BACKUP_WARNING
        };
        let text = health_text(&health, texts);
        ui.colored_label(
            color,
            texts.with("backups-line", &[("health", text.into())]),
        );
    }
}

/// The window's words for `BackupHealth::describe` (which the command line prints in English).
fn health_text(health: &BackupHealth, texts: &Texts) -> String {
    match health {
        BackupHealth::Off => texts.get("backups-off"),
        BackupHealth::Never => texts.get("backups-never"),
        BackupHealth::Recent { age_ms } => texts.with(
            "backups-recent",
            &[("age", age_text(*age_ms, texts).into())],
        ),
        BackupHealth::TooOld { age_ms } => texts.with(
            "backups-too-old",
            &[("age", age_text(*age_ms, texts).into())],
        ),
        BackupHealth::Failed { message } => {
            texts.with("backups-failed", &[("message", message.as_str().into())])
        }
    }
}

/// "3 h", "12 min", "2 days".
fn age_text(ms: i64, texts: &Texts) -> String {
    let (id, count) = match schedule::Age::of(ms) {
        schedule::Age::Minutes(count) => ("age-minutes", count),
        schedule::Age::Hours(count) => ("age-hours", count),
        schedule::Age::Days(count) => ("age-days", count),
    };
    texts.with(id, &[("count", count.into())])
}

impl Drop for BackupMonitor {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backup_line_speaks_the_language_and_rounds_ages_as_the_cli_does() {
        let german = Texts::new(crate::ui::Language::German);
        assert_eq!(age_text(5 * 60_000, &german), "5 Min.");
        assert_eq!(age_text(3 * 86_400_000, &german), "3 Tagen");
        let recent = BackupHealth::Recent {
            age_ms: 3 * 3_600_000,
        };
        assert_eq!(health_text(&recent, &german), "letzte Sicherung vor 3 Std.");
        let english = Texts::new(crate::ui::Language::English);
        assert_eq!(health_text(&recent, &english), recent.describe());
        let config = crate::config::Config::defaults().unwrap();
        let monitor = BackupMonitor::start(config.backup, PathBuf::new());
        let mut harness = egui_kittest::Harness::new_ui(move |ui| monitor.line_ui(ui, &german));
        harness.run();
        use egui_kittest::kittest::Queryable;
        assert!(
            harness
                .query_all_by_label_contains("Sicherungen: Automatische Sicherungen sind aus")
                .next()
                .is_some()
        );
    }
}
