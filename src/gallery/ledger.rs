//! The erasure ledger: the uids of erased people, in a small file beside the gallery; and beside it
//! the withdrawals ledger: the uids of people whose consent is withdrawn.
//!
//! A backup holds everyone who was enrolled when it was made, with the consent they had then.
//! Restoring it must not bring back a person who asked to be erased since, nor the consent of one
//! who withdrew it since, so every erasure and every withdrawal is also written here, outside the
//! gallery file and so outside every backup, and a restore erases (or withdraws) again. A ledger
//! holds only the random uid that identifies a person's row (never a name, a detail or a face).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::GalleryError;

/// The ledger's first line, which says what the file is to someone who finds it.
const HEADER: &str = "# Frontdesk erasure ledger: uids of erased people, erased again by every restore. Keep this file.";

/// The withdrawals ledger's first line.
const WITHDRAWALS_HEADER: &str = "# Frontdesk withdrawals ledger: uids of people who withdrew their consent, withdrawn again by every restore. Keep this file.";

/// The ledger of the gallery at `gallery`: `<gallery file>.erasures` beside it.
pub fn ledger_path(gallery: &Path) -> PathBuf {
    beside(gallery, ".erasures")
}

/// The withdrawals ledger of the gallery at `gallery`: `<gallery file>.withdrawals` beside it.
pub fn withdrawals_path(gallery: &Path) -> PathBuf {
    beside(gallery, ".withdrawals")
}

fn beside(gallery: &Path, suffix: &str) -> PathBuf {
    let mut name = gallery.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The uids in the ledger at `path`, oldest first; none when there is no ledger yet. A line that is
/// not a uid means the file was damaged or replaced: that is an error, because trusting what is
/// left could let a restore bring back someone who was erased.
pub fn read(path: &Path) -> Result<Vec<String>, GalleryError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(GalleryError::Ledger {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let mut uids = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !is_uid(line) {
            return Err(GalleryError::Ledger {
                path: path.to_path_buf(),
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("line {} is not a person's uid", number + 1),
                ),
            });
        }
        uids.push(line.to_owned());
    }
    Ok(uids)
}

/// Adds `uid` to the ledger at `path` (made if missing, owner-only), durably: the whole file is
/// rewritten through a new file, fsynced and renamed, so a crash leaves the old ledger or the new
/// one, never a torn line. The caller holds the gallery's write lock, so two processes erasing at
/// once cannot lose each other's lines.
pub fn append(path: &Path, uid: &str) -> Result<(), GalleryError> {
    add(path, HEADER, uid)
}

/// Adds `uid` to the withdrawals ledger at `path`, as [`append`] does to the erasure ledger.
pub fn append_withdrawal(path: &Path, uid: &str) -> Result<(), GalleryError> {
    add(path, WITHDRAWALS_HEADER, uid)
}

/// Takes `uid` out of the withdrawals ledger at `path`: the person gave their consent again.
pub fn remove_withdrawal(path: &Path, uid: &str) -> Result<(), GalleryError> {
    let uids = read(path)?;
    if !uids.iter().any(|known| known == uid) {
        return Ok(());
    }
    let kept: Vec<String> = uids.into_iter().filter(|known| known != uid).collect();
    rewrite(path, WITHDRAWALS_HEADER, &kept)
}

fn add(path: &Path, header: &str, uid: &str) -> Result<(), GalleryError> {
    let mut uids = read(path)?;
    if uids.iter().any(|known| known == uid) {
        return Ok(());
    }
    uids.push(uid.to_owned());
    rewrite(path, header, &uids)
}

fn rewrite(path: &Path, header: &str, uids: &[String]) -> Result<(), GalleryError> {
    crate::atomic_file::write_atomic(path, 0o600, |file| {
        writeln!(file, "{header}")?;
        for uid in uids {
            writeln!(file, "{uid}")?;
        }
        Ok(())
    })
    .map_err(|source| GalleryError::Ledger {
        path: path.to_path_buf(),
        source,
    })
}

/// A person's uid: 32 lower-case hex digits (`lower(hex(randomblob(16)))`).
fn is_uid(text: &str) -> bool {
    text.len() == 32 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADA: &str = "0123456789abcdef0123456789abcdef";
    const BOB: &str = "fedcba9876543210fedcba9876543210";

    #[test]
    fn appends_once_each_and_reads_back_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = ledger_path(&dir.path().join("gallery.db"));
        assert!(read(&path).unwrap().is_empty());
        append(&path, ADA).unwrap();
        append(&path, BOB).unwrap();
        append(&path, ADA).unwrap();
        assert_eq!(read(&path).unwrap(), vec![ADA, BOB]);
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert!(path.to_string_lossy().ends_with("gallery.db.erasures"));
    }

    #[test]
    fn a_withdrawal_is_noted_once_and_taken_out_when_consent_is_given_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = withdrawals_path(&dir.path().join("gallery.db"));
        append_withdrawal(&path, ADA).unwrap();
        append_withdrawal(&path, BOB).unwrap();
        append_withdrawal(&path, ADA).unwrap();
        assert_eq!(read(&path).unwrap(), vec![ADA, BOB]);
        remove_withdrawal(&path, ADA).unwrap();
        assert_eq!(read(&path).unwrap(), vec![BOB]);
        assert!(path.to_string_lossy().ends_with("gallery.db.withdrawals"));
    }

    #[test]
    fn a_damaged_ledger_is_an_error_not_an_empty_list() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gallery.db.erasures");
        std::fs::write(&path, format!("{HEADER}\n{ADA}\nAda Lovelace\n")).unwrap();
        assert!(matches!(read(&path), Err(GalleryError::Ledger { .. })));
        assert!(append(&path, BOB).is_err());
    }
}
