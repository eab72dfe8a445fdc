//! Backups that run themselves: every `every_hours` a new backup in `[backup] dir`, this kiosk's
//! oldest beyond `keep` deleted, and the outcome in a status file that the staff screen and `doctor`
//! read.
//!
//! Each kiosk names its backups after itself (`frontdesk-<kiosk>-<UTC time>.db[.age]`), keeps its
//! own status file (`frontdesk-backups-<kiosk>.json`) and rotates only its own backups: kiosks may
//! share a folder, and one kiosk's backup never postpones another's. They are ranked by their files' modification times, not
//! by the time in their names, and the backup just made is always kept, so a clock set back does
//! not make the newest backup look like the oldest.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::SyncSender;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{BackupError, BackupSummary, create_backup};
use crate::config::BackupConfig;
use crate::gallery::now_ms;

const NAME_PREFIX: &str = "frontdesk-";
/// How often the scheduler looks whether a backup is due.
const CHECK_EVERY: Duration = Duration::from_secs(60);
/// How often a sleeping scheduler looks whether it should stop.
const STOP_POLL: Duration = Duration::from_millis(200);
/// How far ahead of this kiosk's clock a backup's time may be and still count as the present
/// (a network share's own clock may run a little ahead).
const CLOCK_SLACK: Duration = Duration::from_secs(3600);

/// The last scheduled backup's outcome, as kept in the kiosk's [`status_file`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupStatus {
    pub last_success_at: Option<i64>,
    pub last_file: Option<String>,
    pub last_attempt_at: Option<i64>,
    /// Set when the last attempt failed; cleared by the next success.
    pub last_error: Option<String>,
}

/// How the scheduled backups are doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackupHealth {
    /// `[backup] dir` is empty.
    Off,
    Never,
    Recent {
        age_ms: i64,
    },
    /// The last success is older than two periods.
    TooOld {
        age_ms: i64,
    },
    Failed {
        message: String,
    },
}

impl BackupHealth {
    pub fn of(config: &BackupConfig, status: Option<&BackupStatus>, now: i64) -> Self {
        if !config.enabled() {
            return Self::Off;
        }
        let Some(status) = status else {
            return Self::Never;
        };
        if let Some(message) = &status.last_error {
            return Self::Failed {
                message: message.clone(),
            };
        }
        match status.last_success_at {
            None => Self::Never,
            Some(at) if now - at > 2 * period_ms(config) => Self::TooOld { age_ms: now - at },
            Some(at) => Self::Recent { age_ms: now - at },
        }
    }

    pub fn is_ok(&self) -> bool {
        matches!(self, Self::Off | Self::Recent { .. })
    }

    /// One line for the staff screen and `doctor`.
    pub fn describe(&self) -> String {
        match self {
            Self::Off => "automatic backups are off ([backup] dir is empty)".into(),
            Self::Never => "no automatic backup yet".into(),
            Self::Recent { age_ms } => format!("last backup {} ago", human_age(*age_ms)),
            Self::TooOld { age_ms } => format!(
                "last backup {} ago: too old, check the backup folder and the log",
                human_age(*age_ms)
            ),
            Self::Failed { message } => format!("the last backup FAILED: {message}"),
        }
    }
}

fn period_ms(config: &BackupConfig) -> i64 {
    i64::from(config.every_hours) * 3_600_000
}

/// An age rounded down to the unit people read it in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Age {
    Minutes(i64),
    Hours(i64),
    Days(i64),
}

impl Age {
    /// Minutes under an hour, hours under two days, then days.
    pub fn of(ms: i64) -> Self {
        let minutes = ms.max(0) / 60_000;
        match minutes {
            0..60 => Self::Minutes(minutes),
            60..2880 => Self::Hours(minutes / 60),
            _ => Self::Days(minutes / 1440),
        }
    }
}

/// "3 h", "12 min", "2 days".
pub fn human_age(ms: i64) -> String {
    match Age::of(ms) {
        Age::Minutes(minutes) => format!("{minutes} min"),
        Age::Hours(hours) => format!("{hours} h"),
        Age::Days(days) => format!("{days} days"),
    }
}

/// The name of the kiosk `kiosk`'s status file in the backup folder.
pub fn status_file(kiosk: &str) -> String {
    format!("{NAME_PREFIX}backups-{}.json", file_tag(kiosk))
}

/// The kiosk `kiosk`'s status in `dir`, if it ever ran a scheduled backup there. An unreadable
/// status counts as none.
pub fn read_status(dir: &Path, kiosk: &str) -> Option<BackupStatus> {
    let text = std::fs::read_to_string(dir.join(status_file(kiosk))).ok()?;
    serde_json::from_str(&text)
        .inspect_err(|e| tracing::warn!(error = %e, "the backup status file is damaged"))
        .ok()
}

fn write_status(dir: &Path, kiosk: &str, status: &BackupStatus) -> Result<(), BackupError> {
    let path = dir.join(status_file(kiosk));
    let text = serde_json::to_string_pretty(status).unwrap_or_default();
    crate::atomic_file::write_atomic(&path, 0o600, |file| {
        std::io::Write::write_all(file, text.as_bytes())
    })
    .map_err(BackupError::io(&path))
}

/// Whether a backup is due at `now`: a period after the last one, or an hour (at most a period)
/// after a failed attempt, so a full disk is not hammered every minute. A last time in the future
/// (the clock was set back) makes one due at once.
pub fn is_due(config: &BackupConfig, status: Option<&BackupStatus>, now: i64) -> bool {
    if !config.enabled() {
        return false;
    }
    let Some(status) = status else { return true };
    let (last, wait) = if status.last_error.is_some() {
        (
            status.last_attempt_at,
            period_ms(config).min(RETRY_AFTER_FAILURE_MS),
        )
    } else {
        (status.last_success_at, period_ms(config))
    };
    last.is_none_or(|at| now - at >= wait || at > now)
}

/// How long after a failed backup the next is tried.
const RETRY_AFTER_FAILURE_MS: i64 = 3_600_000;

/// Makes a backup now into the backup folder as the kiosk `kiosk`, deletes that kiosk's oldest
/// beyond `keep`, and records the outcome in the status file (a failure too, so that `doctor` and
/// the staff screen show it).
pub fn backup_now(
    config: &BackupConfig,
    kiosk: &str,
    gallery: &Path,
    now: i64,
) -> Result<BackupSummary, BackupError> {
    let dir = &config.dir;
    create_private_dir(dir)?;
    let mut status = read_status(dir, kiosk).unwrap_or_default();
    status.last_attempt_at = Some(now);
    let outcome = make_and_rotate(config, &file_tag(kiosk), gallery, now);
    match &outcome {
        Ok(summary) => {
            status.last_success_at = Some(now);
            status.last_file = Some(summary.path.display().to_string());
            status.last_error = None;
        }
        Err(error) => {
            tracing::error!(%error, "scheduled backup failed");
            status.last_error = Some(error.to_string());
        }
    }
    write_status(dir, kiosk, &status)?;
    outcome
}

fn make_and_rotate(
    config: &BackupConfig,
    tag: &str,
    gallery: &Path,
    now: i64,
) -> Result<BackupSummary, BackupError> {
    let passphrase = config.passphrase().map_err(|source| BackupError::Io {
        path: config.passphrase_file.clone(),
        source,
    })?;
    let stamp = jiff::Timestamp::from_millisecond(now)
        .unwrap_or_default()
        .strftime(STAMP);
    let extension = if passphrase.is_some() { "db.age" } else { "db" };
    let out = config
        .dir
        .join(format!("{NAME_PREFIX}{tag}-{stamp}.{extension}"));
    // Only this kiosk's (`.<backup name>.<pid>.<n>.tmp`): another kiosk's half-written backup in a
    // shared folder is alive, though its process is not on this computer.
    super::remove_abandoned_staging(&config.dir, |name| {
        name.strip_prefix('.')
            .and_then(|n| n.strip_suffix(".tmp"))
            .and_then(|n| n.rsplitn(3, '.').nth(2))
            .is_some_and(|backup| is_backup_of(backup, tag))
    });
    let summary = create_backup(gallery, &out, passphrase.as_ref())?;
    rotate(&config.dir, tag, config.keep, &out, now)?;
    Ok(summary)
}

/// A kiosk's name as it appears in its backups' names: letters, digits, `.`, `_` and `-`.
fn file_tag(kiosk: &str) -> String {
    let tag: String = kiosk
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if tag.is_empty() { "kiosk".into() } else { tag }
}

/// Whether `name` is a scheduled backup of the kiosk whose tag is `tag`:
/// `frontdesk-<tag>-<UTC time>.db` or `.db.age`.
fn is_backup_of(name: &str, tag: &str) -> bool {
    name.strip_prefix(NAME_PREFIX)
        .and_then(|rest| rest.strip_prefix(tag))
        .and_then(|rest| rest.strip_prefix('-'))
        .and_then(|rest| {
            rest.strip_suffix(".db.age")
                .or_else(|| rest.strip_suffix(".db"))
        })
        .is_some_and(|stamp| jiff::fmt::strtime::parse(STAMP, stamp).is_ok())
}

/// The UTC time in a backup's name.
const STAMP: &str = "%Y%m%dT%H%M%SZ";

/// The scheduled backups in `dir`, of every kiosk, sorted by name.
pub fn backups_in(dir: &Path) -> Result<Vec<PathBuf>, BackupError> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(BackupError::io(dir))? {
        let path = entry.map_err(BackupError::io(dir))?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if name.starts_with(NAME_PREFIX) && (name.ends_with(".db") || name.ends_with(".db.age")) {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Deletes the backups of the kiosk `tag` beyond the newest `keep`, `fresh` (the one just made)
/// always kept. Newest means the latest modification time up to `now`; a backup whose time is
/// ahead of `now` was made while the clock was wrong and comes after all others, so that it is not
/// kept forever once the clock is right.
fn rotate(dir: &Path, tag: &str, keep: u32, fresh: &Path, now: i64) -> Result<(), BackupError> {
    let now = std::time::UNIX_EPOCH + Duration::from_millis(u64::try_from(now).unwrap_or(0));
    let mut others = Vec::new();
    for path in backups_in(dir)? {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if path == fresh || !is_backup_of(&name, tag) {
            continue;
        }
        // A file gone meanwhile has nothing to rotate.
        if let Ok(modified) = std::fs::metadata(&path).and_then(|m| m.modified()) {
            others.push((modified <= now + CLOCK_SLACK, modified, path));
        }
    }
    others.sort_by(|a, b| b.cmp(a));
    for (_, _, old) in others.iter().skip(keep.max(1) as usize - 1) {
        std::fs::remove_file(old).map_err(BackupError::io(old))?;
        tracing::info!(path = %old.display(), "old backup deleted");
    }
    Ok(())
}

fn create_private_dir(dir: &Path) -> Result<(), BackupError> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(BackupError::io(dir))
}

/// Status updates the scheduler may queue before its owner takes them.
const STATUS_QUEUE: usize = 4;

/// The backup scheduler's thread (when `[backup] dir` is set) and the last status it reported;
/// dropping it stops the thread.
pub struct BackupScheduler {
    config: BackupConfig,
    status: Option<BackupStatus>,
    updates: Option<std::sync::mpsc::Receiver<BackupStatus>>,
    stop: Arc<AtomicBool>,
}

impl BackupScheduler {
    /// Starts backing up the gallery at `db_path` as the kiosk named `kiosk`, if `config` asks.
    pub fn start(config: BackupConfig, kiosk: String, db_path: PathBuf) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let mut scheduler = Self {
            status: config
                .enabled()
                .then(|| read_status(&config.dir, &kiosk))
                .flatten(),
            config: config.clone(),
            updates: None,
            stop: Arc::clone(&stop),
        };
        if config.enabled() {
            let (sender, updates) = std::sync::mpsc::sync_channel(STATUS_QUEUE);
            match spawn_scheduler(config, kiosk, db_path, sender, stop) {
                Ok(_) => scheduler.updates = Some(updates),
                Err(e) => tracing::error!(error = %e, "cannot start the backup scheduler"),
            }
        }
        scheduler
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
        BackupHealth::of(&self.config, self.status.as_ref(), now_ms())
    }
}

impl Drop for BackupScheduler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Runs scheduled backups on a named thread until `stop` is set, sending each new status on
/// `updates` (a full queue drops the update: the next one supersedes it).
fn spawn_scheduler(
    config: BackupConfig,
    kiosk: String,
    gallery: PathBuf,
    updates: SyncSender<BackupStatus>,
    stop: Arc<AtomicBool>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("backup-scheduler".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let now = now_ms();
                if is_due(&config, read_status(&config.dir, &kiosk).as_ref(), now) {
                    // The outcome is in the status file either way; the error was logged.
                    let _ = backup_now(&config, &kiosk, &gallery, now);
                    if let Some(status) = read_status(&config.dir, &kiosk) {
                        let _ = updates.try_send(status);
                    }
                }
                let mut slept = Duration::ZERO;
                while slept < CHECK_EVERY && !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(STOP_POLL);
                    slept += STOP_POLL;
                }
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gallery::Gallery;
    use crate::gallery::test_support::{face, person};

    fn config(dir: &Path, keep: u32) -> BackupConfig {
        BackupConfig {
            dir: dir.to_path_buf(),
            every_hours: 24,
            keep,
            passphrase_file: PathBuf::new(),
        }
    }

    const HOUR: i64 = 3_600_000;

    #[test]
    fn backups_run_when_due_and_the_oldest_beyond_keep_go() {
        let dir = tempfile::tempdir().unwrap();
        let gallery_path = dir.path().join("gallery.db");
        let mut gallery = Gallery::open(&gallery_path, "m1").unwrap();
        gallery
            .enroll(&person("Ada", &[], true), &[face(0)])
            .unwrap();
        let backups = dir.path().join("backups");
        let config = config(&backups, 2);
        let start = 1_795_833_045_000;
        assert!(is_due(&config, None, start));
        for day in 0..3 {
            let now = start + day * 24 * HOUR;
            assert!(is_due(
                &config,
                read_status(&backups, "north").as_ref(),
                now
            ));
            backup_now(&config, "north", &gallery_path, now).unwrap();
            assert!(!is_due(
                &config,
                read_status(&backups, "north").as_ref(),
                now + HOUR
            ));
        }
        let kept: Vec<String> = backups_in(&backups)
            .unwrap()
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            kept,
            vec![
                "frontdesk-north-20261129T023045Z.db",
                "frontdesk-north-20261130T023045Z.db"
            ]
        );
        let status = read_status(&backups, "north").unwrap();
        let health = BackupHealth::of(&config, Some(&status), start + 2 * 24 * HOUR + 3 * HOUR);
        assert_eq!(health.describe(), "last backup 3 h ago");
        assert!(health.is_ok());
        let later = BackupHealth::of(&config, Some(&status), start + 5 * 24 * HOUR);
        assert!(matches!(later, BackupHealth::TooOld { .. }), "{later:?}");
    }

    #[test]
    fn a_failed_backup_is_recorded_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        let backups = dir.path().join("backups");
        let config = config(&backups, 3);
        let missing = dir.path().join("no-gallery.db");
        assert!(backup_now(&config, "north", &missing, 1_000).is_err());
        let status = read_status(&backups, "north").unwrap();
        let health = BackupHealth::of(&config, Some(&status), 2_000);
        assert!(!health.is_ok());
        assert!(
            health.describe().contains("FAILED"),
            "{}",
            health.describe()
        );
        // A failure is tried again an hour later, not every minute.
        assert!(!is_due(&config, Some(&status), 2_000));
        assert!(is_due(&config, Some(&status), 1_000 + HOUR));
        let off = config_off();
        assert_eq!(BackupHealth::of(&off, None, 0), BackupHealth::Off);
    }

    fn config_off() -> BackupConfig {
        config(Path::new(""), 3)
    }

    #[test]
    fn a_kiosk_tells_its_own_backups_by_their_names() {
        let tag = file_tag("north");
        for (name, own) in [
            ("frontdesk-north-20261129T023045Z.db", true),
            ("frontdesk-north-20261129T023045Z.db.age", true),
            ("frontdesk-north-2-20261129T023045Z.db", false),
            ("frontdesk-south-20261129T023045Z.db", false),
            // An earlier version's name says nothing of the kiosk that wrote it.
            ("frontdesk-20261129T023045Z.db", false),
            ("frontdesk-north-20261129T023045Z.db.tmp", false),
            ("frontdesk-north-notes.db", false),
            ("frontdesk-backups-north.json", false),
        ] {
            assert_eq!(is_backup_of(name, &tag), own, "{name}");
        }
        assert_eq!(status_file("north"), "frontdesk-backups-north.json");
        assert_eq!(file_tag("Front desk/2"), "Front_desk_2");
        assert_eq!(file_tag(""), "kiosk");
    }

    #[test]
    fn a_backup_made_while_the_clock_ran_ahead_goes_first_once_the_clock_is_right() {
        let dir = tempfile::tempdir().unwrap();
        let now = std::time::SystemTime::now();
        let day = Duration::from_secs(86_400);
        let file = |name: &str, modified: std::time::SystemTime| {
            let path = dir.path().join(format!("frontdesk-north-{name}.db"));
            std::fs::write(&path, b"a backup").unwrap();
            std::fs::File::options()
                .write(true)
                .open(&path)
                .unwrap()
                .set_modified(modified)
                .unwrap();
            path
        };
        let older = file("20261201T000000Z", now - 2 * day);
        let old = file("20261202T000000Z", now - day);
        let ahead = file("20270101T000000Z", now + 30 * day);
        let fresh = file("20261203T000000Z", now);
        let now_ms = i64::try_from(
            now.duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis(),
        )
        .unwrap();
        rotate(dir.path(), "north", 3, &fresh, now_ms).unwrap();
        assert!(!ahead.exists());
        assert!(fresh.exists() && old.exists() && older.exists());
        rotate(dir.path(), "north", 2, &fresh, now_ms).unwrap();
        assert!(fresh.exists() && old.exists() && !older.exists());
    }

    #[test]
    fn ages_read_naturally() {
        assert_eq!(human_age(5 * 60_000), "5 min");
        assert_eq!(human_age(3 * HOUR + 59 * 60_000), "3 h");
        assert_eq!(human_age(3 * 24 * HOUR), "3 days");
    }
}
