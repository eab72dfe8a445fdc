//! The capture thread: reads a source, paces recordings at their own frame rate, and overwrites a
//! single latest-frame slot so that a busy consumer drops stale frames instead of queueing them.
#![allow(
    clippy::disallowed_types,
    reason = "the newest-frame slot and the capture status: small values with a Condvar, held only to swap"
)]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use image::RgbImage;

use super::{CameraSettings, SourceSpec, open_source};

/// Wait between attempts to reopen a failed live source.
const RETRY_INTERVAL: Duration = Duration::from_secs(2);

/// A captured frame.
#[derive(Clone)]
pub struct Frame {
    pub image: Arc<RgbImage>,
    /// Counts every frame the source produced, including dropped ones.
    pub sequence: u64,
    pub captured_at: Instant,
    /// Position in a recording; `None` for live cameras.
    pub media_time: Option<Duration>,
}

#[derive(Default)]
struct SlotState {
    frame: Option<Frame>,
    dropped: u64,
    closed: bool,
}

/// Holds at most one frame: the newest.
#[derive(Default)]
pub struct FrameSlot {
    state: Mutex<SlotState>,
    ready: Condvar,
    /// The consumer wants frames no closer together than this many milliseconds; the capture
    /// thread skips converting the ones in between (see `FrameSource::skip_frame`).
    wanted_interval_ms: AtomicU64,
}

/// What waiting on the slot gave.
pub enum SlotTake {
    Frame(Frame),
    /// Nothing new within the timeout.
    Empty,
    /// The source ended or failed for good.
    Closed,
}

impl FrameSlot {
    fn lock(&self) -> MutexGuard<'_, SlotState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Stores `frame`, dropping the previous one if nobody took it.
    pub fn put(&self, frame: Frame) {
        let mut state = self.lock();
        if state.frame.replace(frame).is_some() {
            state.dropped += 1;
        }
        self.ready.notify_all();
    }

    pub fn close(&self) {
        self.lock().closed = true;
        self.ready.notify_all();
    }

    /// Takes the newest frame, waiting up to `timeout` for one.
    pub fn take(&self, timeout: Duration) -> SlotTake {
        let state = self.lock();
        let (mut state, _) = self
            .ready
            .wait_timeout_while(state, timeout, |s| s.frame.is_none() && !s.closed)
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match state.frame.take() {
            Some(frame) => SlotTake::Frame(frame),
            None if state.closed => SlotTake::Closed,
            None => SlotTake::Empty,
        }
    }

    /// Frames overwritten before anyone took them.
    pub fn dropped(&self) -> u64 {
        self.lock().dropped
    }

    /// Asks the capture thread for frames no closer together than `interval` (zero: every frame).
    pub fn ask_for_frames_every(&self, interval: Duration) {
        let millis = u64::try_from(interval.as_millis()).unwrap_or(u64::MAX);
        self.wanted_interval_ms.store(millis, Ordering::Relaxed);
    }

    fn wanted_interval(&self) -> Duration {
        Duration::from_millis(self.wanted_interval_ms.load(Ordering::Relaxed))
    }
}

/// What the camera is doing, for the banner and status line.
#[derive(Debug, Clone, PartialEq)]
pub enum CaptureStatus {
    Starting,
    Live {
        source: String,
    },
    /// A live source failed; it is being reopened in the background.
    Retrying {
        message: String,
    },
    /// A recording played to its end.
    Ended,
    /// A recording could not be opened or read.
    Failed {
        message: String,
    },
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CaptureStats {
    pub frames: u64,
    pub dropped: u64,
    pub fps: f32,
}

struct Shared {
    status: Mutex<(CaptureStatus, CaptureStats)>,
    stop: AtomicBool,
}

impl Shared {
    fn set_status(&self, status: CaptureStatus) {
        let mut guard = self
            .status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        guard.0 = status;
    }

    fn update_stats(&self, update: impl FnOnce(&mut CaptureStats)) {
        let mut guard = self
            .status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        update(&mut guard.1);
    }

    /// Sleeps up to `duration`, waking early when asked to stop. Returns false when stopping.
    fn sleep(&self, duration: Duration) -> bool {
        let deadline = Instant::now() + duration;
        while Instant::now() < deadline {
            if self.stop.load(Ordering::Relaxed) {
                return false;
            }
            std::thread::sleep((deadline - Instant::now()).min(Duration::from_millis(50)));
        }
        !self.stop.load(Ordering::Relaxed)
    }
}

/// The running capture thread. Dropping it stops the thread.
pub struct CaptureHandle {
    slot: Arc<FrameSlot>,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl CaptureHandle {
    pub fn start(spec: SourceSpec, settings: CameraSettings) -> std::io::Result<Self> {
        let slot = Arc::new(FrameSlot::default());
        let shared = Arc::new(Shared {
            status: Mutex::new((CaptureStatus::Starting, CaptureStats::default())),
            stop: AtomicBool::new(false),
        });
        let thread = std::thread::Builder::new().name("camera".into()).spawn({
            let slot = Arc::clone(&slot);
            let shared = Arc::clone(&shared);
            move || {
                let _closer = CloseOnExit {
                    slot: &slot,
                    shared: &shared,
                };
                capture_loop(&spec, &settings, &slot, &shared);
            }
        })?;
        Ok(Self {
            slot,
            shared,
            thread: Some(thread),
        })
    }

    pub fn slot(&self) -> Arc<FrameSlot> {
        Arc::clone(&self.slot)
    }

    pub fn status(&self) -> CaptureStatus {
        self.shared
            .status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .0
            .clone()
    }

    pub fn stats(&self) -> CaptureStats {
        let mut stats = self
            .shared
            .status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .1;
        stats.dropped = self.slot.dropped();
        stats
    }
}

impl Drop for CaptureHandle {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        self.slot.close();
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the camera thread panicked");
        }
    }
}

/// The longest a recording waits between two frames. A timestamp jump forward (a cut, a broken
/// muxer, a hostile file) would otherwise freeze the kiosk or `watch` for the length of the jump.
const MAX_FRAME_GAP: Duration = Duration::from_secs(1);

/// When each frame of a recording is due: the previous frame's due time plus the media time
/// between them, clamped to [`MAX_FRAME_GAP`] (and to zero when time goes backwards).
#[derive(Debug, Default)]
struct Pacer {
    previous: Option<(Instant, Duration)>,
}

impl Pacer {
    fn due(&mut self, media_time: Duration, now: Instant) -> Instant {
        let due = match self.previous {
            None => now,
            Some((previous_due, previous_media)) => {
                previous_due + media_time.saturating_sub(previous_media).min(MAX_FRAME_GAP)
            }
        };
        self.previous = Some((due, media_time));
        due
    }
}

/// Closes the slot when the camera thread ends, even by a panic (a bug in a decoder or driver
/// binding): the worker then sees the source end instead of waiting forever for the next frame,
/// and the status says why.
struct CloseOnExit<'a> {
    slot: &'a FrameSlot,
    shared: &'a Shared,
}

/// Status message when the camera thread panicked.
pub const CAMERA_DIED: &str = "the camera thread stopped unexpectedly. Restart the kiosk";

impl Drop for CloseOnExit<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.shared.set_status(CaptureStatus::Failed {
                message: CAMERA_DIED.into(),
            });
        }
        self.slot.close();
    }
}

fn capture_loop(spec: &SourceSpec, settings: &CameraSettings, slot: &FrameSlot, shared: &Shared) {
    let spec = &spec.resolve();
    let mut sequence = 0u64;
    while !shared.stop.load(Ordering::Relaxed) {
        let mut source = match open_source(spec, settings) {
            Ok(source) => source,
            Err(e) if spec.is_live() => {
                tracing::warn!(error = %e, "camera unavailable; retrying");
                shared.set_status(CaptureStatus::Retrying {
                    message: e.to_string(),
                });
                if !shared.sleep(RETRY_INTERVAL) {
                    return;
                }
                continue;
            }
            Err(e) => {
                shared.set_status(CaptureStatus::Failed {
                    message: e.to_string(),
                });
                return;
            }
        };
        shared.set_status(CaptureStatus::Live {
            source: source.describe(),
        });
        let mut pacer = Pacer::default();
        let mut last_frame: Option<Instant> = None;
        let mut last_put: Option<Instant> = None;
        loop {
            if shared.stop.load(Ordering::Relaxed) {
                return;
            }
            let skip = last_put.is_some_and(|at| at.elapsed() < slot.wanted_interval());
            match read(source.as_mut(), skip) {
                Ok(Some((frame, media_time))) => {
                    // Recordings play at their own pace, as a camera would deliver them.
                    if let Some(media_time) = media_time {
                        let now = Instant::now();
                        let due = pacer.due(media_time, now);
                        if due > now && !shared.sleep(due - now) {
                            return;
                        }
                    }
                    let now = Instant::now();
                    count_frame(shared, &mut last_frame, now);
                    if let Some(frame) = frame {
                        slot.put(Frame {
                            image: Arc::new(frame.image),
                            sequence,
                            captured_at: now,
                            media_time,
                        });
                        last_put = Some(now);
                    }
                    sequence += 1;
                }
                Ok(None) => {
                    shared.set_status(CaptureStatus::Ended);
                    return;
                }
                Err(e) if spec.is_live() => {
                    tracing::warn!(error = %e, "camera failed; reopening");
                    shared.set_status(CaptureStatus::Retrying {
                        message: e.to_string(),
                    });
                    if !shared.sleep(RETRY_INTERVAL) {
                        return;
                    }
                    break;
                }
                Err(e) => {
                    shared.set_status(CaptureStatus::Failed {
                        message: e.to_string(),
                    });
                    return;
                }
            }
        }
    }
}

/// The next frame of `source` and its media time: converted, or only moved past (`None`) when
/// `skip`. `Ok(None)` at the end of a recording.
#[allow(clippy::type_complexity)]
fn read(
    source: &mut dyn super::FrameSource,
    skip: bool,
) -> Result<Option<(Option<super::SourceFrame>, Option<Duration>)>, super::CameraError> {
    if skip {
        return Ok(source
            .skip_frame()?
            .map(|skipped| (None, skipped.media_time)));
    }
    Ok(source.next_frame()?.map(|frame| {
        let media_time = frame.media_time;
        (Some(frame), media_time)
    }))
}

/// Counts a frame the source delivered (converted or skipped) in the status line's figures.
fn count_frame(shared: &Shared, last_frame: &mut Option<Instant>, now: Instant) {
    if let Some(previous) = last_frame.replace(now) {
        let instant_fps = 1.0 / (now - previous).as_secs_f32().max(1e-3);
        shared.update_stats(|s| {
            s.fps = if s.fps == 0.0 {
                instant_fps
            } else {
                0.9 * s.fps + 0.1 * instant_fps
            }
        });
    }
    shared.update_stats(|s| s.frames += 1);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(sequence: u64) -> Frame {
        Frame {
            image: Arc::new(RgbImage::new(1, 1)),
            sequence,
            captured_at: Instant::now(),
            media_time: None,
        }
    }

    #[test]
    fn slot_keeps_only_the_newest_frame_and_counts_drops() {
        let slot = FrameSlot::default();
        slot.put(frame(1));
        slot.put(frame(2));
        slot.put(frame(3));
        match slot.take(Duration::ZERO) {
            SlotTake::Frame(f) => assert_eq!(f.sequence, 3),
            _ => panic!("expected a frame"),
        }
        assert_eq!(slot.dropped(), 2);
        assert!(matches!(
            slot.take(Duration::from_millis(5)),
            SlotTake::Empty
        ));
        slot.close();
        assert!(matches!(
            slot.take(Duration::from_secs(5)),
            SlotTake::Closed
        ));
    }

    #[test]
    fn recordings_are_paced_by_frame_deltas_with_jumps_clamped() {
        let start = Instant::now();
        let mut pacer = Pacer::default();
        let ms = Duration::from_millis;
        assert_eq!(
            pacer.due(ms(5_000), start),
            start,
            "the first frame is due at once"
        );
        assert_eq!(pacer.due(ms(5_040), start), start + ms(40));
        // An hour's jump forward costs one clamped gap, not an hour.
        assert_eq!(
            pacer.due(ms(3_605_040), start),
            start + ms(40) + MAX_FRAME_GAP
        );
        assert_eq!(
            pacer.due(ms(3_605_080), start),
            start + ms(80) + MAX_FRAME_GAP
        );
        // A jump backwards plays on without waiting, then at the normal pace again.
        assert_eq!(pacer.due(ms(0), start), start + ms(80) + MAX_FRAME_GAP);
        assert_eq!(pacer.due(ms(40), start), start + ms(120) + MAX_FRAME_GAP);
    }

    #[test]
    fn a_panicking_camera_thread_closes_the_slot_and_says_why() {
        let slot = Arc::new(FrameSlot::default());
        let shared = Arc::new(Shared {
            status: Mutex::new((CaptureStatus::Starting, CaptureStats::default())),
            stop: AtomicBool::new(false),
        });
        let thread = std::thread::Builder::new()
            .name("camera-test".into())
            .spawn({
                let (slot, shared) = (Arc::clone(&slot), Arc::clone(&shared));
                move || {
                    let _closer = CloseOnExit {
                        slot: &slot,
                        shared: &shared,
                    };
                    panic!("a bug in a decoder");
                }
            })
            .unwrap();
        assert!(thread.join().is_err());
        assert!(matches!(slot.take(Duration::ZERO), SlotTake::Closed));
        let status = shared.status.lock().unwrap().0.clone();
        assert_eq!(
            status,
            CaptureStatus::Failed {
                message: CAMERA_DIED.into()
            }
        );
    }

    #[test]
    fn missing_recording_fails_with_its_name() {
        let settings = CameraSettings {
            width: 640,
            height: 480,
            format: crate::config::PixelFormat::Any,
            images_fps: 10.0,
        };
        let handle =
            CaptureHandle::start(SourceSpec::Video("/nonexistent/clip.mp4".into()), settings)
                .unwrap();
        let slot = handle.slot();
        assert!(matches!(
            slot.take(Duration::from_secs(10)),
            SlotTake::Closed
        ));
        match handle.status() {
            CaptureStatus::Failed { message } => {
                assert!(message.contains("/nonexistent/clip.mp4"), "{message}")
            }
            other => panic!("unexpected status {other:?}"),
        }
    }
}
