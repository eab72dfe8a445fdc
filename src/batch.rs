//! Many photos through the engine at once: one engine per core, each on a thread of its own with
//! single-threaded ONNX Runtime sessions, the results handed back in the order the photos were given.
//!
//! Why not one engine with a session thread per core: the models' operators are small (SFace runs
//! on 112x112), so threads that split every operator wait for each other at every step, and a
//! photo's decoding, alignment and output run on one core while the other waits. Whole photos per
//! core keep both busy (docs/performance.md, "Against OpenCV's own pipeline": `benches/opencv/compare.py`). A single photo still
//! gets every core for its sessions, so one `identify` answers as fast as before.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

use crate::config::Config;
use crate::engine::{AnalyzedFace, FaceEngine};
use crate::vision::VisionError;
use crate::vision::image_io::{ImageLoadError, load_rgb};

/// What the engine found in one photo.
#[derive(Debug, Clone)]
pub struct PhotoFaces {
    pub width: u32,
    pub height: u32,
    pub faces: Vec<AnalyzedFace>,
}

/// Why one photo gave no result; the others go on.
#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    #[error(transparent)]
    Load(#[from] ImageLoadError),
    #[error(transparent)]
    Vision(#[from] VisionError),
}

/// How the cores are shared out: `engines` engines of `threads` session threads each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    pub engines: usize,
    pub threads: usize,
}

impl Split {
    /// One engine per core while there are photos for each, the cores left over as session threads.
    pub fn for_photos(photos: usize, cores: usize) -> Self {
        let cores = cores.max(1);
        let engines = photos.clamp(1, cores);
        Self {
            engines,
            threads: (cores / engines).max(1),
        }
    }
}

enum Message {
    EngineFailed(VisionError),
    Photo(usize, Result<PhotoFaces, PhotoError>),
}

/// Runs every photo in `paths` through the engine and calls `each` with its outcome, in the order
/// of `paths`. Fails only when an engine cannot be loaded (nothing is reported then).
pub fn analyze_photos(
    config: &Config,
    paths: &[PathBuf],
    mut each: impl FnMut(&Path, Result<PhotoFaces, PhotoError>),
) -> Result<(), VisionError> {
    let split = Split::for_photos(paths.len(), config.inference_threads());
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (sender, receiver) = mpsc::sync_channel(2 * split.engines);
    std::thread::scope(|scope| {
        for number in 0..split.engines {
            let sender = sender.clone();
            let (next, stop) = (&next, &stop);
            let spawned = std::thread::Builder::new()
                .name(format!("engine-{number}"))
                .spawn_scoped(scope, move || {
                    engine_worker(config, split.threads, paths, next, stop, &sender);
                });
            if let Err(e) = spawned {
                tracing::warn!(error = %e, "cannot start an engine thread; the others go on");
            }
        }
        drop(sender);
        deliver_in_order(paths, &receiver, &stop, &mut each)
    })
}

/// Takes the next photo not yet taken by any engine until none is left (or `stop`).
fn engine_worker(
    config: &Config,
    threads: usize,
    paths: &[PathBuf],
    next: &AtomicUsize,
    stop: &AtomicBool,
    results: &mpsc::SyncSender<Message>,
) {
    let mut engine = match FaceEngine::load_with_threads(config, threads) {
        Ok(engine) => engine,
        Err(e) => {
            // A send fails only when the receiver is gone, and then nobody waits for this.
            let _ = results.send(Message::EngineFailed(e));
            return;
        }
    };
    while !stop.load(Ordering::Relaxed) {
        let index = next.fetch_add(1, Ordering::Relaxed);
        let Some(path) = paths.get(index) else { return };
        let outcome = analyze_photo(&mut engine, path);
        if results.send(Message::Photo(index, outcome)).is_err() {
            return;
        }
    }
}

fn analyze_photo(engine: &mut FaceEngine, path: &Path) -> Result<PhotoFaces, PhotoError> {
    let image = load_rgb(path)?;
    let faces = engine.analyze(&image)?;
    Ok(PhotoFaces {
        width: image.width(),
        height: image.height(),
        faces,
    })
}

/// Hands results to `each` in the order of `paths`, holding back those that finish early.
fn deliver_in_order(
    paths: &[PathBuf],
    receiver: &mpsc::Receiver<Message>,
    stop: &AtomicBool,
    each: &mut impl FnMut(&Path, Result<PhotoFaces, PhotoError>),
) -> Result<(), VisionError> {
    let mut waiting = BTreeMap::new();
    let mut due = 0;
    for message in receiver {
        match message {
            Message::EngineFailed(e) => {
                stop.store(true, Ordering::Relaxed);
                return Err(e);
            }
            Message::Photo(index, outcome) => {
                waiting.insert(index, outcome);
            }
        }
        while let Some(outcome) = waiting.remove(&due) {
            if let Some(path) = paths.get(due) {
                each(path, outcome);
            }
            due += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photos_get_an_engine_per_core_and_a_single_photo_every_core() {
        assert_eq!(
            Split::for_photos(100, 2),
            Split {
                engines: 2,
                threads: 1
            }
        );
        assert_eq!(
            Split::for_photos(1, 4),
            Split {
                engines: 1,
                threads: 4
            }
        );
        assert_eq!(
            Split::for_photos(3, 8),
            Split {
                engines: 3,
                threads: 2
            }
        );
        assert_eq!(
            Split::for_photos(0, 0),
            Split {
                engines: 1,
                threads: 1
            }
        );
    }
}
