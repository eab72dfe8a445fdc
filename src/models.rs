//! The model files Frontdesk ships, and the check that a file on disk is the one expected.

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// A shipped model file: what it is and how to recognise it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelSpec {
    /// Stored beside every embedding, so that a change of model is noticed instead of mixing spaces.
    pub id: &'static str,
    pub role: &'static str,
    pub size: u64,
    pub sha256: &'static str,
}

pub const DETECTOR: ModelSpec = ModelSpec {
    id: "yunet-2023mar-dynamic-hw",
    role: "face detector (YuNet)",
    size: 229_663,
    sha256: "98473ed6405ca821d9e513d320351cbdf258313f443060ed5840f0159f9566d8",
};

/// SFace with its PRelu nodes split into operators ONNX Runtime keeps in its fast blocked layout
/// (models/tools/split_prelu.py): the same embeddings (cosine 0.9999999 on real faces) at about half
/// the CPU time, so the id stays that of the model, and galleries enrolled before keep matching.
pub const EMBEDDER: ModelSpec = ModelSpec {
    id: "sface-2021dec-fp32",
    role: "face embedder (SFace)",
    size: 39_028_655,
    sha256: "8d82147bef9d66191494869eae0aeb776308226f9db7bda0924fe9fde499453e",
};

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error(
        "{role} model not found at {path}; reinstall Frontdesk or set the path in the [models] config section"
    )]
    Missing { role: &'static str, path: PathBuf },
    #[error("cannot read {role} model {path}: {source}")]
    Unreadable {
        role: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{role} model {path} is not the expected file ({found}; expected {expected}); it may be \
         truncated or a different model: restore it from the Frontdesk package or repository"
    )]
    Mismatch {
        role: &'static str,
        path: PathBuf,
        found: String,
        expected: String,
    },
}

/// Checks size and SHA-256 of `path` against `spec`.
pub fn verify(path: &Path, spec: &ModelSpec) -> Result<(), ModelError> {
    let unreadable = |source| ModelError::Unreadable {
        role: spec.role,
        path: path.to_path_buf(),
        source,
    };
    let metadata = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ModelError::Missing {
                role: spec.role,
                path: path.to_path_buf(),
            });
        }
        Err(e) => return Err(unreadable(e)),
    };
    let mismatch = |found: String, expected: String| ModelError::Mismatch {
        role: spec.role,
        path: path.to_path_buf(),
        found,
        expected,
    };
    if metadata.len() != spec.size {
        return Err(mismatch(
            format!("{} bytes", metadata.len()),
            format!("{} bytes", spec.size),
        ));
    }
    let mut file = std::fs::File::open(path).map_err(unreadable)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buffer).map_err(unreadable)?;
        if n == 0 {
            break;
        }
        hasher.update(buffer.get(..n).unwrap_or_default());
    }
    let digest: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if digest != spec.sha256 {
        return Err(mismatch(
            format!("sha256 {digest}"),
            format!("sha256 {}", spec.sha256),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncated_file_is_named_as_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.onnx");
        std::fs::write(&path, b"not a model").unwrap();
        let message = verify(&path, &DETECTOR).unwrap_err().to_string();
        assert!(message.contains("face detector"), "{message}");
        assert!(message.contains("11 bytes"), "{message}");
    }

    #[test]
    fn same_size_other_content_fails_on_checksum() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.onnx");
        std::fs::write(&path, vec![0u8; DETECTOR.size as usize]).unwrap();
        let message = verify(&path, &DETECTOR).unwrap_err().to_string();
        assert!(message.contains("sha256"), "{message}");
    }

    #[test]
    fn missing_file_says_where_it_looked() {
        let err = verify(Path::new("/nonexistent/yunet.onnx"), &DETECTOR).unwrap_err();
        assert!(matches!(err, ModelError::Missing { .. }));
        assert!(err.to_string().contains("/nonexistent/yunet.onnx"));
    }
}
