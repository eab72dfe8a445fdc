//! The erasure ledger: the uids of erased people, in a small file beside the gallery.
//!
//! A backup holds everyone who was enrolled when it was made. Restoring it must not bring back a
//! person who asked to be erased since, so every erasure is also written here, outside the gallery
//! file and so outside every backup, and a restore erases these people again. The ledger holds only
//! the random uid that identifies a person's row (never a name, a detail or a face): once the
//! person is erased, the uid says nothing about who they were.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::GalleryError;

/// The ledger's first line, which says what the file is to someone who finds it.
const HEADER: &str = "# Frontdesk erasure ledger: uids of erased people, erased again by every restore. Keep this file.";

/// The ledger of the gallery at `gallery`: `<gallery file>.erasures` beside it.
pub fn ledger_path(gallery: &Path) -> PathBuf {
    let mut name = gallery.as_os_str().to_owned();
    name.push(".erasures");
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
    let mut uids = read(path)?;
    if uids.iter().any(|known| known == uid) {
        return Ok(());
    }
    uids.push(uid.to_owned());
    crate::atomic_file::write_atomic(path, 0o600, |file| {
        writeln!(file, "{HEADER}")?;
        for uid in &uids {
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
    fn a_damaged_ledger_is_an_error_not_an_empty_list() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gallery.db.erasures");
        std::fs::write(&path, format!("{HEADER}\n{ADA}\nAda Lovelace\n")).unwrap();
        assert!(matches!(read(&path), Err(GalleryError::Ledger { .. })));
        assert!(append(&path, BOB).is_err());
    }
}
