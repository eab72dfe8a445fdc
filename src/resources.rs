//! Finds the files Frontdesk ships (models, the ONNX Runtime library) wherever it was installed.

use std::path::{Path, PathBuf};

/// Folders that may hold the shipped data, most specific first: `$FRONTDESK_HOME`, then each of the
/// executable's ancestors and their `share/frontdesk` folder. This covers a development build
/// (`target/release/frontdesk` -> the repository root), its test binaries (`target/release/deps/`) and
/// the Debian package (`/usr/bin/frontdesk` -> `/usr/share/frontdesk`).
pub fn data_roots() -> Vec<PathBuf> {
    let mut roots = Vec::new();
    if let Some(home) = std::env::var_os("FRONTDESK_HOME") {
        roots.push(PathBuf::from(home));
    }
    if let Ok(exe) = std::env::current_exe() {
        for ancestor in exe.ancestors().skip(1).take(4) {
            roots.push(ancestor.to_path_buf());
            roots.push(ancestor.join("share/frontdesk"));
        }
    }
    roots
}

/// Resolves a configured path: absolute paths are kept, relative ones are looked up in [`data_roots`].
/// When nothing exists, the first candidate is returned so that the error names a sensible place.
pub fn locate(relative: &Path) -> PathBuf {
    if relative.is_absolute() {
        return relative.to_path_buf();
    }
    let candidates: Vec<PathBuf> = data_roots()
        .iter()
        .map(|root| root.join(relative))
        .collect();
    candidates
        .iter()
        .find(|path| path.exists())
        .or(candidates.first())
        .cloned()
        .unwrap_or_else(|| relative.to_path_buf())
}
