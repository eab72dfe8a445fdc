//! Loads the ONNX Runtime shared library once per process.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The ONNX Runtime release this build is tested with (from the pinned PyPI wheel).
pub const ONNXRUNTIME_VERSION: &str = "1.32.0";
const LIBRARY_NAME: &str = "libonnxruntime.so";

#[derive(Debug, Clone, thiserror::Error)]
pub enum RuntimeError {
    #[error(
        "ONNX Runtime library ({LIBRARY_NAME}) not found; looked in: {searched}. \
         Run packaging/setup-dev.sh in a source checkout, reinstall the frontdesk package, \
         or set runtime.onnxruntime in the config to the library's path"
    )]
    NotFound { searched: String },
    #[error(
        "ONNX Runtime library at {path} cannot be used: {reason}. Frontdesk needs ONNX Runtime \
         {ONNXRUNTIME_VERSION} (1.31 or newer); run packaging/setup-dev.sh or reinstall the package"
    )]
    Unusable { path: PathBuf, reason: String },
}

/// The loaded library's path and its environment, kept alive for the whole process.
static LOADED: OnceLock<Result<(PathBuf, ort::environment::Environment), RuntimeError>> =
    OnceLock::new();

/// Places the library is looked for when the config does not name one.
pub fn candidate_paths() -> Vec<PathBuf> {
    let mut paths = Vec::new();
    if let Some(explicit) = std::env::var_os("ORT_DYLIB_PATH") {
        paths.push(PathBuf::from(explicit));
    }
    if let Ok(exe) = std::env::current_exe() {
        for ancestor in exe.ancestors().skip(1).take(4) {
            paths.push(ancestor.join(LIBRARY_NAME));
            paths.push(ancestor.join("onnxruntime").join(LIBRARY_NAME));
            paths.push(ancestor.join("lib/frontdesk").join(LIBRARY_NAME));
        }
    }
    paths
}

/// Loads ONNX Runtime from `configured` (when not empty) or from the first candidate that exists,
/// and returns the library's path. The first call decides; later calls return its outcome.
pub fn ensure_loaded(configured: &Path) -> Result<PathBuf, RuntimeError> {
    loaded(configured).map(|(path, _)| path.clone())
}

/// The first two entries of ONNX Runtime's `OrtApiBase` (a stable C ABI across releases).
#[repr(C)]
struct OrtApiBase {
    get_api: unsafe extern "C" fn(u32) -> *const std::ffi::c_void,
    get_version_string: unsafe extern "C" fn() -> *const std::ffi::c_char,
}

/// The version the library at `path` reports about itself (`OrtGetApiBase()->GetVersionString()`).
pub fn library_version(path: &Path) -> Option<String> {
    // SAFETY: the library is ONNX Runtime (ort already loaded it from this path and checked that it
    // exports OrtGetApiBase); the function takes no arguments and returns a pointer to a static
    // struct whose second member returns a static NUL-terminated string.
    unsafe {
        let library = libloading::Library::new(path).ok()?;
        let api_base: libloading::Symbol<'_, unsafe extern "C" fn() -> *const OrtApiBase> =
            library.get(b"OrtGetApiBase").ok()?;
        let base = api_base();
        if base.is_null() {
            return None;
        }
        let version = ((*base).get_version_string)();
        if version.is_null() {
            return None;
        }
        Some(
            std::ffi::CStr::from_ptr(version)
                .to_string_lossy()
                .into_owned(),
        )
    }
}

/// The process-wide ONNX Runtime environment that sessions are built in.
pub fn environment(configured: &Path) -> Result<ort::environment::Environment, RuntimeError> {
    loaded(configured).map(|(_, environment)| environment.clone())
}

fn loaded(
    configured: &Path,
) -> Result<&'static (PathBuf, ort::environment::Environment), RuntimeError> {
    LOADED
        .get_or_init(|| {
            let path = if configured.as_os_str().is_empty() {
                let candidates = candidate_paths();
                candidates
                    .iter()
                    .find(|p| p.is_file())
                    .cloned()
                    .ok_or_else(|| RuntimeError::NotFound {
                        searched: candidates
                            .iter()
                            .map(|p| p.display().to_string())
                            .collect::<Vec<_>>()
                            .join(", "),
                    })?
            } else if configured.is_file() {
                configured.to_path_buf()
            } else {
                return Err(RuntimeError::NotFound {
                    searched: configured.display().to_string(),
                });
            };
            let environment = load(&path)?;
            Ok((path, environment))
        })
        .as_ref()
        .map_err(Clone::clone)
}

fn load(path: &Path) -> Result<ort::environment::Environment, RuntimeError> {
    let unusable = |reason: String| RuntimeError::Unusable {
        path: path.to_path_buf(),
        reason,
    };
    let builder = ort::init_from(path).map_err(|e| unusable(e.to_string()))?;
    let environment = builder
        .with_name("frontdesk")
        .build()
        .map_err(|e| unusable(e.to_string()))?;
    tracing::info!(path = %path.display(), "ONNX Runtime loaded");
    Ok(environment)
}
