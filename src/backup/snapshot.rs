//! Making a backup: an online snapshot of the gallery, checked, then written whole (plain or
//! encrypted) to an owner-only file.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use age::secrecy::SecretString;
use rusqlite::{Connection, OpenFlags};

use super::{BackupError, Staging, copy_database, folder_of};

/// What a backup holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    pub path: PathBuf,
    pub bytes: u64,
    pub encrypted: bool,
    pub schema_version: i64,
    pub people: i64,
    pub visits: i64,
}

/// Backs up the gallery at `gallery` into the new file `out` (refused if it exists), encrypted
/// with `passphrase` when given. The kiosk may keep running and writing meanwhile.
///
/// The snapshot is first made in a scratch file in the gallery's own folder and checked with
/// SQLite's integrity check; `out` then appears whole (written through a temporary file, fsynced
/// and renamed) or not at all.
pub fn create_backup(
    gallery: &Path,
    out: &Path,
    passphrase: Option<&SecretString>,
) -> Result<BackupSummary, BackupError> {
    if !gallery.is_file() {
        return Err(BackupError::NoGallery(gallery.to_path_buf()));
    }
    if out.exists() {
        return Err(BackupError::Exists(out.to_path_buf()));
    }
    let staging = Staging::new(folder_of(gallery), "backup")?;
    let (schema_version, people, visits) = snapshot(gallery, &staging.path)?;
    let plain = std::fs::File::open(&staging.path).map_err(BackupError::io(&staging.path))?;
    crate::atomic_file::write_atomic(out, 0o600, |file| match passphrase {
        None => std::io::copy(&mut &plain, file).map(drop),
        Some(passphrase) => encrypt(&plain, file, passphrase),
    })
    .map_err(BackupError::io(out))?;
    audit_backup(gallery, out);
    let bytes = std::fs::metadata(out).map_err(BackupError::io(out))?.len();
    tracing::info!(path = %out.display(), bytes, encrypted = passphrase.is_some(), "backup written");
    Ok(BackupSummary {
        path: out.to_path_buf(),
        bytes,
        encrypted: passphrase.is_some(),
        schema_version,
        people,
        visits,
    })
}

/// Copies the gallery into `staging` and checks the copy; returns its schema version and how many
/// people and visits it holds.
fn snapshot(gallery: &Path, staging: &Path) -> Result<(i64, i64, i64), BackupError> {
    // Read-write (no create): a read-only connection could not join the gallery's WAL index.
    let source = Connection::open_with_flags(
        gallery,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(BackupError::sql("gallery"))?;
    source
        .busy_timeout(std::time::Duration::from_secs(5))
        .map_err(BackupError::sql("gallery"))?;
    let version: i64 = source
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(BackupError::sql("gallery"))?;
    if version == 0 {
        return Err(BackupError::NoGallery(gallery.to_path_buf()));
    }
    let mut copy = Connection::open(staging).map_err(BackupError::sql("backup copy"))?;
    copy_database(&source, &mut copy)?;
    drop(source);
    super::restore::check_database(&copy, staging)?;
    let counts = copy
        .query_row(
            "SELECT (SELECT count(*) FROM people), (SELECT count(*) FROM visits)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(BackupError::sql("backup copy"))?;
    // One self-contained file: no write-ahead log beside it.
    copy.query_row("PRAGMA journal_mode = DELETE", [], |r| {
        r.get::<_, String>(0)
    })
    .map_err(BackupError::sql("backup copy"))?;
    copy.close()
        .map_err(|(_, e)| BackupError::sql("backup copy")(e))?;
    Ok((version, counts.0, counts.1))
}

/// Records in the staff audit log that everyone's data left the gallery for `out`. The backup
/// is made either way: a failure here is logged, not turned into a failed backup.
fn audit_backup(gallery: &Path, out: &Path) {
    let recorded =
        crate::gallery::Gallery::open(gallery, crate::models::EMBEDDER.id).and_then(|mut g| {
            g.record_audit("backup", &format!("the whole gallery to {}", out.display()))
        });
    if let Err(e) = recorded {
        tracing::warn!(error = %e, "the backup was made but could not be recorded in the audit log");
    }
}

/// Encrypts `plain` into `out` in the age format, to the passphrase (scrypt).
fn encrypt(
    mut plain: &std::fs::File,
    out: &mut std::fs::File,
    passphrase: &SecretString,
) -> std::io::Result<()> {
    let encryptor = age::Encryptor::with_user_passphrase(passphrase.clone());
    let mut writer = encryptor.wrap_output(std::io::BufWriter::new(out))?;
    std::io::copy(&mut plain, &mut writer)?;
    writer.finish()?.flush()
}
