//! Restoring a backup: check it, build a new gallery from its rows, erase again everyone in the
//! erasure ledger, install.

use std::io::BufReader;
use std::path::{Path, PathBuf};

use age::secrecy::SecretString;
use rusqlite::{Connection, OpenFlags};

use super::{BackupError, BackupKind, Staging, backup_kind, copy_database, corrupt, folder_of};
use crate::gallery::{Gallery, known_schema_version, ledger};

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreSummary {
    /// The schema the backup was written with (the gallery is migrated to this Frontdesk's).
    pub backup_schema_version: i64,
    pub people: usize,
    pub visits: usize,
    /// People in the backup whom the erasure ledger names: erased again, not restored.
    pub erased_again: usize,
    /// Copies of the gallery that earlier versions kept beside it before a restore
    /// (`<gallery>.before-restore-<time>`), removed now: they may hold people erased since.
    pub removed_copies: Vec<PathBuf>,
    /// Whether the staff PIN and the API tokens are the replaced gallery's (it was in use), not
    /// the backup's.
    pub access_kept: bool,
}

/// Restores the backup `backup` into the gallery at `gallery`. With a `passphrase` only an
/// encrypted backup is accepted: a plain file could have been put in place of one. Nothing is
/// changed unless the backup decrypts, passes SQLite's integrity check and has a schema this
/// Frontdesk knows.
///
/// The backup is only read: a new gallery is made with this Frontdesk's own schema and the
/// backup's rows of the tables and columns it knows are copied into it, so nothing else the
/// backup's schema holds (a trigger, a view, a table) comes along. The people in the erasure ledger
/// are erased from that new gallery before it replaces the current one, in one transaction, so
/// their bytes never come back. No copy of the replaced gallery is kept: make a backup first to
/// keep one. Close the kiosk first: a running kiosk would go on with the people it had in memory.
///
/// Who may use the kiosk is not restored over a gallery in use: its staff PIN and API tokens stay,
/// so a token revoked or a PIN changed since the backup does not come back with it. Only a gallery
/// that holds nothing yet (a new computer after a disk loss) takes the backup's.
pub fn restore(
    backup: &Path,
    gallery: &Path,
    passphrase: Option<&SecretString>,
    model_id: &str,
) -> Result<RestoreSummary, BackupError> {
    let kind = backup_kind(backup)?;
    if kind == BackupKind::Plain && passphrase.is_some() {
        return Err(BackupError::PlainRefused(backup.to_path_buf()));
    }
    // Checked first: a gallery that cannot be opened (another program's file, a newer schema) is
    // not replaced, and an unreadable ledger stops the restore before anything changes.
    drop(Gallery::open(gallery, model_id)?);
    let erased = ledger::read(&ledger::ledger_path(gallery))?;
    let withdrawn = ledger::read(&ledger::withdrawals_path(gallery))?;
    let rebuilt = Staging::new(folder_of(gallery), "rebuilt")?;
    let backup_schema_version = {
        let unpacked = Staging::new(folder_of(gallery), "restore")?;
        unpack(backup, kind, passphrase, &unpacked.path)?;
        let copy = Connection::open_with_flags(
            &unpacked.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| corrupt(backup, &e))?;
        let version = check_database(&copy, backup)?;
        super::rebuild::rebuild(&copy, &rebuilt.path, version, backup)?;
        version
    };
    let erased_again = {
        // Migrated to this Frontdesk's schema on opening.
        let mut copy = Gallery::open(&rebuilt.path, model_id)?;
        let erased_again = copy.apply_erasures(&erased)?;
        copy.apply_withdrawals(&withdrawn)?;
        erased_again
    };
    let access_kept = keep_access(&rebuilt.path, gallery)?;
    compact(&rebuilt.path)?;
    install(&rebuilt.path, gallery)?;
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
        people: restored.people()?.len(),
        visits: restored.visits(None, None, None)?.len(),
        erased_again,
        removed_copies: remove_earlier_copies(gallery),
        access_kept,
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

/// Puts the staff PIN and the API tokens of `current` (the gallery being replaced) into `rebuilt`
/// in place of the backup's, when `current` is in use (it holds people, a PIN, tokens or an audit
/// trail). Returns whether it did. Both galleries have this Frontdesk's schema by now.
fn keep_access(rebuilt: &Path, current: &Path) -> Result<bool, BackupError> {
    let mut copy = Connection::open(rebuilt).map_err(BackupError::sql("restored copy"))?;
    copy.execute("ATTACH DATABASE ?1 AS current", [current.to_string_lossy()])
        .map_err(BackupError::sql("gallery"))?;
    let tx = copy
        .transaction()
        .map_err(BackupError::sql("restored copy"))?;
    let in_use: bool = tx
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM current.people) OR EXISTS (SELECT 1 FROM current.staff_pin)
                 OR EXISTS (SELECT 1 FROM current.api_tokens)
                 OR EXISTS (SELECT 1 FROM current.audit_log)",
            [],
            |r| r.get(0),
        )
        .map_err(BackupError::sql("gallery"))?;
    if !in_use {
        return Ok(false);
    }
    tx.execute_batch(
        "DELETE FROM main.staff_pin;
         INSERT INTO main.staff_pin (id, hash, failures, locked_until, lockouts)
             SELECT id, hash, failures, locked_until, lockouts FROM current.staff_pin;
         DELETE FROM main.api_tokens;
         INSERT INTO main.api_tokens (name, hash, created_at, last_used_at)
             SELECT name, hash, created_at, last_used_at FROM current.api_tokens;",
    )
    .map_err(BackupError::sql("restored copy"))?;
    tx.commit().map_err(BackupError::sql("restored copy"))?;
    Ok(true)
}

/// Empties the free pages of the new gallery: rows deleted while it was built (erased people, the
/// tables an old schema's migration replaced) are not copied into the gallery with them.
fn compact(rebuilt: &Path) -> Result<(), BackupError> {
    let copy = Connection::open(rebuilt).map_err(BackupError::sql("restored copy"))?;
    copy.execute_batch("VACUUM")
        .map_err(BackupError::sql("restored copy"))
}

/// Removes the copies of the gallery that earlier versions kept before each restore
/// (`<gallery>.before-restore-<time>`); returns those removed.
fn remove_earlier_copies(gallery: &Path) -> Vec<PathBuf> {
    let Some(name) = gallery.file_name() else {
        return Vec::new();
    };
    let prefix = format!("{}.before-restore-", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(folder_of(gallery)) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for path in entries.flatten().map(|e| e.path()) {
        let file_name = path.file_name().unwrap_or_default().to_string_lossy();
        if !file_name.starts_with(&prefix) {
            continue;
        }
        match std::fs::remove_file(&path) {
            Ok(()) => removed.push(path),
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "cannot remove a copy an earlier restore kept")
            }
        }
    }
    removed
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gallery::create_schema;

    #[test]
    fn a_person_restored_from_an_old_schema_and_erased_afterwards_leaves_no_trace() {
        let dir = tempfile::tempdir().unwrap();
        let backup = dir.path().join("old-backup.db");
        let name = "Quintessa Marchbanks";
        let mut old = Connection::open(&backup).unwrap();
        // Schema 2: migrating it rebuilds the people table, which frees the pages of the old one.
        create_schema(&mut old, 2).unwrap();
        old.execute(
            "INSERT INTO people (id, name, consent_at, created_at, updated_at) \
             VALUES (7, ?1, 1, 1, 1)",
            [name],
        )
        .unwrap();
        drop(old);
        let gallery = dir.path().join("gallery.db");
        let summary = restore(&backup, &gallery, None, "m1").unwrap();
        assert_eq!((summary.backup_schema_version, summary.people), (2, 1));
        std::fs::remove_file(&backup).unwrap();

        let mut restored = Gallery::open(&gallery, "m1").unwrap();
        assert!(restored.delete_person(7).unwrap());
        drop(restored);
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes.windows(name.len()).any(|w| w == name.as_bytes()),
                "{} still holds the name",
                path.display()
            );
        }
    }
}
