//! Restoring a backup: check it, erase again everyone in the erasure ledger, keep the current
//! gallery aside, install.

use std::io::BufReader;
use std::path::{Path, PathBuf};

use age::secrecy::SecretString;
use rusqlite::Connection;

use super::{BackupError, BackupKind, Staging, backup_kind, copy_database, folder_of};
use crate::gallery::{Gallery, known_schema_version, ledger};

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreSummary {
    /// The schema the backup was written with (the gallery is migrated to this Frontdesk's).
    pub backup_schema_version: i64,
    /// Where the gallery as it was before the restore was kept, if there was one.
    pub set_aside: Option<PathBuf>,
    pub people: usize,
    pub visits: usize,
    /// People in the backup whom the erasure ledger names: erased again, not restored.
    pub erased_again: usize,
}

/// Restores the backup `backup` (plain or encrypted with `passphrase`) into the gallery at
/// `gallery`. Nothing is changed unless the backup decrypts, passes SQLite's integrity check and
/// has a schema this Frontdesk knows. The people in the erasure ledger are erased from the copy
/// before it reaches the gallery's files, so their bytes never come back. The current gallery is
/// kept beside it as `<gallery>.before-restore-<time>`. Close the kiosk first: a running kiosk
/// would go on with the people it had in memory.
pub fn restore(
    backup: &Path,
    gallery: &Path,
    passphrase: Option<&SecretString>,
    model_id: &str,
) -> Result<RestoreSummary, BackupError> {
    let kind = backup_kind(backup)?;
    // Checked first: a gallery that cannot be opened (another program's file, a newer schema) is
    // not replaced, and an unreadable ledger stops the restore before anything changes.
    drop(Gallery::open(gallery, model_id)?);
    let erased = ledger::read(&ledger::ledger_path(gallery))?;
    let staging = Staging::new(folder_of(gallery), "restore")?;
    unpack(backup, kind, passphrase, &staging.path)?;
    let backup_schema_version = {
        let copy = Connection::open(&staging.path).map_err(|e| corrupt(backup, &e))?;
        check_database(&copy, backup)?
    };
    let erased_again = {
        let mut copy = Gallery::open(&staging.path, model_id)?;
        copy.apply_erasures(&erased)?
    };
    let set_aside = set_aside(gallery)?;
    install(&staging.path, gallery)?;
    let mut restored = Gallery::open(gallery, model_id)?;
    // Nobody named in the ledger is left in the copy; this only makes sure of it.
    restored.apply_erasures(&erased)?;
    restored.record_audit(
        "restore",
        &format!(
            "backup of schema {backup_schema_version}; {erased_again} erased person(s) erased again"
        ),
    )?;
    let summary = RestoreSummary {
        backup_schema_version,
        set_aside,
        people: restored.people()?.len(),
        visits: restored.visits(None, None, None)?.len(),
        erased_again,
    };
    tracing::info!(backup = %backup.display(), ?summary, "backup restored");
    Ok(summary)
}

/// Writes the backup's database into `staging`, decrypting it if need be.
fn unpack(
    backup: &Path,
    kind: BackupKind,
    passphrase: Option<&SecretString>,
    staging: &Path,
) -> Result<(), BackupError> {
    let input = std::fs::File::open(backup).map_err(BackupError::io(backup))?;
    let mut output = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(staging)
        .map_err(BackupError::io(staging))?;
    match kind {
        BackupKind::Plain => {
            std::io::copy(&mut BufReader::new(input), &mut output)
                .map_err(BackupError::io(backup))?;
        }
        BackupKind::Encrypted => {
            let passphrase =
                passphrase.ok_or_else(|| BackupError::PassphraseNeeded(backup.to_path_buf()))?;
            let decryptor = age::Decryptor::new_buffered(BufReader::new(input))
                .map_err(|e| corrupt(backup, &e))?;
            let identity = age::scrypt::Identity::new(passphrase.clone());
            let mut reader = decryptor
                .decrypt(std::iter::once(&identity as &dyn age::Identity))
                .map_err(|source| BackupError::WrongPassphrase {
                    path: backup.to_path_buf(),
                    source,
                })?;
            // A truncated or altered file fails its authentication here.
            std::io::copy(&mut reader, &mut output).map_err(|e| corrupt(backup, &e))?;
        }
    }
    output.sync_all().map_err(BackupError::io(staging))
}

fn corrupt(backup: &Path, problem: &dyn std::fmt::Display) -> BackupError {
    BackupError::Corrupt {
        path: backup.to_path_buf(),
        problem: problem.to_string(),
    }
}

/// Checks that `copy` is a whole gallery this Frontdesk can open; returns its schema version.
/// `label` names the backup in messages.
pub(super) fn check_database(copy: &Connection, label: &Path) -> Result<i64, BackupError> {
    let version: i64 = copy
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| corrupt(label, &e))?;
    let known = known_schema_version();
    if version > known {
        return Err(BackupError::TooNew {
            path: label.to_path_buf(),
            found: version,
            known,
        });
    }
    let has_people: bool = copy
        .query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'people'",
            [],
            |r| r.get(0),
        )
        .map_err(|e| corrupt(label, &e))?;
    if version == 0 || !has_people {
        return Err(BackupError::NotABackup {
            path: label.to_path_buf(),
        });
    }
    let verdict: String = copy
        .query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))
        .map_err(|e| corrupt(label, &e))?;
    if verdict != "ok" {
        return Err(corrupt(label, &verdict));
    }
    Ok(version)
}

/// Copies the current gallery (a consistent snapshot) to `<gallery>.before-restore-<time>`.
fn set_aside(gallery: &Path) -> Result<Option<PathBuf>, BackupError> {
    let current = Connection::open(gallery).map_err(BackupError::sql("gallery"))?;
    let people: i64 = current
        .query_row("SELECT count(*) FROM people", [], |r| r.get(0))
        .map_err(BackupError::sql("gallery"))?;
    if people == 0 {
        return Ok(None);
    }
    let stamp = jiff::Timestamp::now()
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string();
    let mut name = gallery.as_os_str().to_owned();
    name.push(format!(".before-restore-{stamp}"));
    let aside = PathBuf::from(name);
    if aside.exists() {
        return Err(BackupError::Exists(aside));
    }
    let staging = Staging::new(folder_of(gallery), "aside")?;
    let mut copy = Connection::open(&staging.path).map_err(BackupError::sql("copy"))?;
    copy_database(&current, &mut copy)?;
    copy.query_row("PRAGMA journal_mode = DELETE", [], |r| {
        r.get::<_, String>(0)
    })
    .map_err(BackupError::sql("copy"))?;
    copy.close().map_err(|(_, e)| BackupError::sql("copy")(e))?;
    std::fs::rename(&staging.path, &aside).map_err(BackupError::io(&aside))?;
    Ok(Some(aside))
}

/// Replaces the gallery's content with `staging`'s through SQLite (one transaction), so the
/// gallery's own file, log and permissions stay consistent; then empties the log.
///
/// Ids are never handed out twice, also across a restore: the id counters continue above the
/// highest the gallery had reached, not from the backup's (a person enrolled and erased since the
/// backup keeps an id nobody else will get).
fn install(staging: &Path, gallery: &Path) -> Result<(), BackupError> {
    let copy = Connection::open(staging).map_err(BackupError::sql("restored copy"))?;
    let mut live = Connection::open(gallery).map_err(BackupError::sql("gallery"))?;
    live.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(BackupError::sql("gallery"))?;
    let counters = id_counters(&live)?;
    copy_database(&copy, &mut live)?;
    for (table, seq) in &counters {
        live.execute(
            "UPDATE sqlite_sequence SET seq = max(seq, ?2) WHERE name = ?1",
            rusqlite::params![table, seq],
        )
        .map_err(BackupError::sql("gallery"))?;
    }
    live.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(BackupError::sql("gallery"))?;
    Ok(())
}

/// The AUTOINCREMENT counters of a gallery: table name and the highest id handed out.
fn id_counters(gallery: &Connection) -> Result<Vec<(String, i64)>, BackupError> {
    let mut statement = gallery
        .prepare("SELECT name, seq FROM sqlite_sequence")
        .map_err(BackupError::sql("gallery"))?;
    statement
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .and_then(Iterator::collect)
        .map_err(BackupError::sql("gallery"))
}
