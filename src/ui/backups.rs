//! The scheduled backups' line on the staff screens.

use super::i18n::Texts;
use super::theme::{BACKUP_OK, BACKUP_WARNING};
use crate::backup::schedule::{self, BackupHealth};

/// "Backups: last backup 3 h ago", in a warning colour when it failed or is too old.
pub fn backup_line_ui(ui: &mut egui::Ui, health: &BackupHealth, texts: &Texts) {
    let color = if health.is_ok() {
        BACKUP_OK
    } else {
        BACKUP_WARNING
    };
    let text = health_text(health, texts);
    ui.colored_label(
        color,
        texts.with("backups-line", &[("health", text.into())]),
    );
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backup::schedule::BackupScheduler;

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
        let scheduler =
            BackupScheduler::start(config.backup, "kiosk".into(), std::path::PathBuf::new());
        let health = scheduler.health();
        let mut harness =
            egui_kittest::Harness::new_ui(move |ui| backup_line_ui(ui, &health, &german));
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
