//! Scheduled backups behind the kiosk window, and their line on the staff screens.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Receiver;

use crate::backup::schedule::{self, BackupHealth, BackupStatus};
use crate::config::BackupConfig;

/// Status updates the scheduler may queue before the window takes them.
const STATUS_QUEUE: usize = 4;

/// A warning colour for a backup that failed or is too old; the calm one otherwise.
const BACKUP_WARNING: egui::Color32 = egui::Color32::from_rgb(255, 190, 90);
const BACKUP_OK: egui::Color32 = egui::Color32::from_rgb(160, 200, 160);

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
    pub fn line_ui(&self, ui: &mut egui::Ui) {
        let health = self.health();
        let color = if health.is_ok() {
            BACKUP_OK
        } else {
            BACKUP_WARNING
        };
        ui.colored_label(color, format!("Backups: {}", health.describe()));
    }
}

impl Drop for BackupMonitor {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
