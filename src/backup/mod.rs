//! Backups of the gallery and their restore.
//!
//! A backup is a consistent snapshot taken with SQLite's online backup API while the kiosk keeps
//! writing, either as a plain SQLite file or encrypted with a passphrase in the standard age format
//! (`age -d` decrypts it without Frontdesk). Backup files are readable by their owner only. A
//! restore checks the backup, keeps the current gallery aside, installs the backup and erases again
//! everyone in the erasure ledger (see [`crate::gallery::ledger`]).

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
    fn new(dir: &Path, label: &str) -> Result<Self, BackupError> {
        use std::os::unix::fs::OpenOptionsExt;
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let path = dir.join(format!(
            ".frontdesk-{label}.{}.{}.db",
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
}
