//! Backups of the gallery and their restore.
//!
//! A backup is a consistent snapshot taken with SQLite's online backup API while the kiosk keeps
//! writing, either as a plain SQLite file or encrypted with a passphrase in the standard age format
//! (`age -d` decrypts it without Frontdesk). Backup files are readable by their owner only. A
//! restore checks the backup, builds a new gallery from its rows (never its schema), erases again
//! everyone in the erasure ledger (see [`crate::gallery::ledger`]) and installs it.

mod rebuild;
mod restore;
pub mod schedule;
mod snapshot;

use std::path::{Path, PathBuf};

pub use age::secrecy::SecretString;
pub use restore::{RestoreSummary, restore};
pub use snapshot::{BackupSummary, create_backup};

use crate::gallery::GalleryError;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "there is no gallery at {0} to back up; pass --db with the gallery's file (the kiosk's \
         `frontdesk doctor` shows where it is)"
    )]
    NoGallery(PathBuf),
    #[error("{0} already exists; choose a new file name, nothing was written")]
    Exists(PathBuf),
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("SQLite refused the {what}: {source}")]
    Sql {
        what: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "{path} is not a Frontdesk backup (neither a gallery database nor an age-encrypted file); \
         the current gallery was left untouched"
    )]
    NotABackup { path: PathBuf },
    #[error(
        "the backup {path} is damaged ({problem}); the current gallery was left untouched. Try \
         an older backup"
    )]
    Corrupt { path: PathBuf, problem: String },
    #[error(
        "the backup {path} was made by a newer Frontdesk (schema {found}, this one knows {known}); \
         the current gallery was left untouched. Upgrade Frontdesk, then restore again"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error(
        "the backup {0} is encrypted: give its passphrase (--passphrase-file); the current \
         gallery was left untouched"
    )]
    PassphraseNeeded(PathBuf),
    #[error(
        "the backup {0} is not encrypted, but a passphrase is set (--passphrase-file or [backup] \
         passphrase_file) and a plain file could have been put in place of an encrypted backup; \
         the current gallery was left untouched. Restore an encrypted backup (.db.age), or, if \
         you made this file yourself, restore it with --unencrypted"
    )]
    PlainRefused(PathBuf),
    #[error(
        "the passphrase does not open the backup {path} ({source}); the current gallery was left \
         untouched. Check the passphrase file"
    )]
    WrongPassphrase {
        path: PathBuf,
        #[source]
        source: age::DecryptError,
    },
    #[error(transparent)]
    Gallery(#[from] GalleryError),
}

impl BackupError {
    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Self + '_ {
        move |source| Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    fn sql(what: &'static str) -> impl FnOnce(rusqlite::Error) -> Self {
        move |source| Self::Sql { what, source }
    }
}

fn corrupt(backup: &Path, problem: &dyn std::fmt::Display) -> BackupError {
    BackupError::Corrupt {
        path: backup.to_path_buf(),
        problem: problem.to_string(),
    }
}

/// What a backup file holds, told by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BackupKind {
    Plain,
    Encrypted,
}

const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
const AGE_MAGIC: &[u8] = b"age-encryption.org/";

fn backup_kind(path: &Path) -> Result<BackupKind, BackupError> {
    use std::io::Read as _;
    let mut start = [0u8; 19];
    let mut file = std::fs::File::open(path).map_err(BackupError::io(path))?;
    let mut read = 0;
    while read < start.len() {
        match file
            .read(&mut start[read..])
            .map_err(BackupError::io(path))?
        {
            0 => break,
            n => read += n,
        }
    }
    let start = &start[..read];
    if start.starts_with(SQLITE_MAGIC) {
        Ok(BackupKind::Plain)
    } else if start.starts_with(AGE_MAGIC) {
        Ok(BackupKind::Encrypted)
    } else {
        Err(BackupError::NotABackup {
            path: path.to_path_buf(),
        })
    }
}

/// A scratch database file, owner-only, removed (with its journal files) when dropped.
struct Staging {
    path: PathBuf,
}

impl Staging {
    /// A new empty file in `dir` (the gallery's own folder, which is as private as the gallery).
    /// Scratch files that a killed process left behind are removed first: they hold a whole
    /// gallery, perhaps with people erased since.
    fn new(dir: &Path, label: &str) -> Result<Self, BackupError> {
        use std::os::unix::fs::OpenOptionsExt;
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        remove_abandoned_staging(dir, |_| true);
        let path = dir.join(format!(
            "{STAGING_PREFIX}{label}.{}.{}.db",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(BackupError::io(&path))?;
        Ok(Self { path })
    }
}

/// Scratch files are named `.frontdesk-<label>.<pid>.<n>.db` (and SQLite's `-wal`, `-shm`,
/// `-journal` beside them).
const STAGING_PREFIX: &str = ".frontdesk-";

/// Removes the scratch files in `dir` that `ours` accepts by name and whose process is gone
/// (killed mid-backup, a power cut): scratch databases, and the temporary files of backups being
/// written (`.frontdesk-<kiosk>-<time>.db[.age].<pid>.<n>.tmp`, see [`crate::atomic_file`]).
fn remove_abandoned_staging(dir: &Path, ours: impl Fn(&str) -> bool) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for path in entries.flatten().map(|e| e.path()) {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let Some(rest) = name.strip_prefix(STAGING_PREFIX).filter(|_| ours(&name)) else {
            continue;
        };
        let parts: Vec<&str> = rest.split('.').collect();
        let pid_part = if rest.ends_with(".tmp") {
            parts.len().checked_sub(3).map(|i| parts[i])
        } else {
            parts.get(1).copied()
        };
        let pid = pid_part.and_then(|p| p.parse::<u32>().ok());
        let alive = pid.is_some_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
        if pid.is_some() && !alive {
            match std::fs::remove_file(&path) {
                Ok(()) => {
                    tracing::info!(path = %path.display(), "removed a scratch copy left by a stopped backup")
                }
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "cannot remove an abandoned scratch copy")
                }
            }
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut name = self.path.as_os_str().to_owned();
            name.push(suffix);
            match std::fs::remove_file(PathBuf::from(name)) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    tracing::warn!(path = %self.path.display(), error = %e, "cannot remove a scratch copy of the gallery")
                }
            }
        }
    }
}

/// The folder a file is in ("." for a bare name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Copies the whole database `from` into `to` with SQLite's online backup API, in one step: the
/// source is read inside one read transaction, so the copy is a consistent snapshot even while
/// another process writes (in WAL mode writers are not blocked meanwhile).
fn copy_database(
    from: &rusqlite::Connection,
    to: &mut rusqlite::Connection,
) -> Result<(), BackupError> {
    use rusqlite::backup::StepResult;
    let backup = rusqlite::backup::Backup::new(from, to).map_err(BackupError::sql("backup"))?;
    for _ in 0..COPY_ATTEMPTS {
        match backup.step(-1).map_err(BackupError::sql("backup"))? {
            StepResult::Done => return Ok(()),
            // -1 copies every page in one step; Busy or Locked means another connection holds a
            // lock for a moment (a checkpoint): wait and try again.
            _ => std::thread::sleep(COPY_RETRY),
        }
    }
    Err(BackupError::Sql {
        what: "backup",
        source: rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            Some("the gallery stayed locked by another program; try again".into()),
        ),
    })
}

/// How long a copy waits for a lock another connection holds: 200 × 50 ms.
const COPY_ATTEMPTS: u32 = 200;
const COPY_RETRY: std::time::Duration = std::time::Duration::from_millis(50);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backups_are_told_apart_by_their_first_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let cases: [(&[u8], Option<BackupKind>); 4] = [
            (b"SQLite format 3\0rest of page", Some(BackupKind::Plain)),
            (
                b"age-encryption.org/v1\n-> scrypt",
                Some(BackupKind::Encrypted),
            ),
            (b"name,phone\nAda,555\n", None),
            (b"", None),
        ];
        for (index, (bytes, kind)) in cases.into_iter().enumerate() {
            let path = dir.path().join(format!("file{index}"));
            std::fs::write(&path, bytes).unwrap();
            assert_eq!(backup_kind(&path).ok(), kind);
        }
    }

    #[test]
    fn a_staging_file_is_private_and_gone_when_dropped() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let staging = Staging::new(dir.path(), "test").unwrap();
        let mode = std::fs::metadata(&staging.path)
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
        drop(staging);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn scratch_copies_of_stopped_processes_are_removed_and_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        // No process has this id (above the kernel's pid_max).
        let abandoned = dir.path().join(".frontdesk-backup.4294967295.0.db");
        let abandoned_log = dir.path().join(".frontdesk-backup.4294967295.0.db-wal");
        let half_written = dir
            .path()
            .join(".frontdesk-20261129T023045Z.db.age.4294967295.3.tmp");
        let running = dir
            .path()
            .join(format!(".frontdesk-restore.{}.99.db", std::process::id()));
        for file in [&abandoned, &abandoned_log, &half_written, &running] {
            std::fs::write(file, b"a whole gallery").unwrap();
        }
        let gallery = dir.path().join("gallery.db");
        std::fs::write(&gallery, b"the gallery").unwrap();
        let staging = Staging::new(dir.path(), "backup").unwrap();
        assert!(!abandoned.exists() && !abandoned_log.exists() && !half_written.exists());
        assert!(running.exists() && gallery.exists() && staging.path.exists());
    }
}
