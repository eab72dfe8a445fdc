//! When the worker runs the face detector: every frame while a face is being decided, a few times a
//! second while every face in view is decided, and on an empty scene only when the picture changes
//! (or once a second whatever happens, so that someone who walked in during a glitch of the change
//! test, or who stands perfectly still, is still found).
//!
//! Detection is most of what the loop costs (docs/performance.md, "What the kiosk costs"), and most of a kiosk's
//! day is an empty, unchanging scene.

use std::time::{Duration, Instant};

use image::RgbImage;

/// On an empty scene, the detector runs at least this often.
const EMPTY_SCENE_INTERVAL: Duration = Duration::from_secs(1);
/// On an empty, unchanging scene, frames are wanted this often (about one in three of a 30 fps
/// camera: the wish is checked before a frame arrives): the others are not even decoded. Someone
/// walking in is seen at most two frames later, and from then on every frame is looked at. (At
/// 100 ms the time to greet grew by 18 ms, median; at 50 ms it stays within the 128 ms.)
const QUIET_FRAME_INTERVAL: Duration = Duration::from_millis(50);
/// With every face in view decided, the detector runs this often: often enough that a face keeps
/// overlapping its track between two looks (the tracker matches by overlap) and that a newcomer
/// is noticed within a blink.
const SETTLED_INTERVAL: Duration = Duration::from_millis(150);
/// With every face in view decided and no window drawing the frames, frames are wanted this
/// often: the wish is checked before a frame arrives, so asking a little under `SETTLED_INTERVAL`
/// brings the first frame the detector is due for at 15–60 fps, and no frame in between.
const UNDRAWN_SETTLED_FRAME_INTERVAL: Duration = Duration::from_millis(120);
/// The scene is compared on a grid of this many cells across and down.
const GRID: (u32, u32) = (32, 24);
/// A cell has changed when its mean grey level moved by more than this (0-255). Sensor noise of
/// a few grey levels averages out over the hundred pixels sampled per cell; a person does not.
const CELL_CHANGE: f32 = 6.0;
/// The scene has changed when at least this many cells did (a face at 640x480 covers dozens).
const CHANGED_CELLS: usize = 3;

/// What the worker is looking at, as far as scheduling goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attention {
    /// No face in view.
    EmptyScene,
    /// Faces in view, each decided (greeted or known to be unknown).
    Settled,
    /// A face is new, or its votes are still being collected.
    Deciding,
}

/// The mean grey level of each cell of a coarse grid over a frame.
#[derive(Debug, Clone, PartialEq)]
pub struct SceneSketch {
    cells: Vec<f32>,
}

impl SceneSketch {
    /// Samples every other pixel of every other row: about 0.1 ms for a 640x480 frame.
    pub fn of(image: &RgbImage) -> Self {
        let (width, height) = image.dimensions();
        let (columns, rows) = GRID;
        let mut sums = vec![0u32; (columns * rows) as usize];
        let mut counts = vec![0u32; sums.len()];
        for y in (0..height).step_by(2) {
            let row = (y * rows / height.max(1)).min(rows - 1);
            for x in (0..width).step_by(2) {
                let column = (x * columns / width.max(1)).min(columns - 1);
                let [r, g, b] = image.get_pixel(x, y).0;
                let cell = (row * columns + column) as usize;
                if let (Some(sum), Some(count)) = (sums.get_mut(cell), counts.get_mut(cell)) {
                    *sum += u32::from(r) + u32::from(g) + u32::from(b);
                    *count += 3;
                }
            }
        }
        let cells = sums
            .iter()
            .zip(&counts)
            .map(|(&sum, &count)| sum as f32 / count.max(1) as f32)
            .collect();
        Self { cells }
    }

    /// Whether enough cells differ from `earlier` for something to have moved.
    pub fn differs_from(&self, earlier: &SceneSketch) -> bool {
        if self.cells.len() != earlier.cells.len() {
            return true;
        }
        let changed = self
            .cells
            .iter()
            .zip(&earlier.cells)
            .filter(|(now, then)| (*now - *then).abs() > CELL_CHANGE)
            .count();
        changed >= CHANGED_CELLS
    }
}

/// Decides, frame by frame, whether the detector runs.
#[derive(Debug, Default)]
pub struct DetectionSchedule {
    /// The scene and the time of the last detection.
    last: Option<(SceneSketch, Instant)>,
    /// The last frame showed an empty scene, unchanged since the last detection.
    quiet: bool,
    /// Every face in view was decided at the last frame.
    settled: bool,
}

impl DetectionSchedule {
    /// Whether to detect faces in `image`, taken at `now`. When it says yes, the frame counts as
    /// the new reference for the change test.
    pub fn due(&mut self, image: &RgbImage, now: Instant, attention: Attention) -> bool {
        let since_last = |at: Instant| now.saturating_duration_since(at);
        // Sketched only when compared or kept: most frames of a settled scene need neither.
        let mut sketch = None;
        self.quiet = false;
        self.settled = attention == Attention::Settled;
        let due = match (&self.last, attention) {
            (None, _) | (_, Attention::Deciding) => true,
            (Some((_, at)), Attention::Settled) => since_last(*at) >= SETTLED_INTERVAL,
            (Some((reference, at)), Attention::EmptyScene) => {
                let current = sketch.insert(SceneSketch::of(image));
                self.quiet = !current.differs_from(reference);
                !self.quiet || since_last(*at) >= EMPTY_SCENE_INTERVAL
            }
        };
        if due {
            let sketch = sketch.unwrap_or_else(|| SceneSketch::of(image));
            self.last = Some((sketch, now));
        }
        due
    }

    /// When the detector last looked at a frame.
    pub fn last_detection(&self) -> Option<Instant> {
        self.last.as_ref().map(|(_, at)| *at)
    }

    /// How often frames are wanted from the camera: every one unless the scene is empty and quiet
    /// or, when no window draws the frames (`watch`, `serve`), every face in view is decided: then
    /// only the frames the detector will look at are worth decoding.
    pub fn frame_interval(&self, frames_drawn: bool) -> Duration {
        if self.quiet {
            QUIET_FRAME_INTERVAL
        } else if self.settled && !frames_drawn {
            UNDRAWN_SETTLED_FRAME_INTERVAL
        } else {
            Duration::ZERO
        }
    }

    /// Forgets the reference, so the next frame is looked at whatever it shows (a new source).
    pub fn reset(&mut self) {
        self.last = None;
        self.quiet = false;
        self.settled = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scene(shade: u8) -> RgbImage {
        RgbImage::from_pixel(640, 480, image::Rgb([shade, shade, shade]))
    }

    /// `base` with seeded noise of about `amplitude` grey levels on every value.
    fn noisy(base: &RgbImage, amplitude: i32, seed: u64) -> RgbImage {
        let mut state = seed | 1;
        let mut image = base.clone();
        for value in image.iter_mut() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let offset = (state % (2 * amplitude as u64 + 1)) as i32 - amplitude;
            *value = (i32::from(*value) + offset).clamp(0, 255) as u8;
        }
        image
    }

    /// `base` with a face-sized block of another brightness at (x, y).
    fn with_visitor(base: &RgbImage, x: u32, y: u32) -> RgbImage {
        let mut image = base.clone();
        for py in y..y + 120 {
            for px in x..x + 100 {
                image.put_pixel(px, py, image::Rgb([200, 160, 140]));
            }
        }
        image
    }

    #[test]
    fn sensor_noise_is_no_change_and_a_visitor_is() {
        let room = scene(90);
        let reference = SceneSketch::of(&noisy(&room, 8, 1));
        assert!(!SceneSketch::of(&noisy(&room, 8, 2)).differs_from(&reference));
        assert!(
            SceneSketch::of(&with_visitor(&noisy(&room, 8, 3), 400, 200)).differs_from(&reference)
        );
        // A small face far away still covers a few cells.
        let mut far = noisy(&room, 8, 4);
        for py in 100..140 {
            for px in 300..340 {
                far.put_pixel(px, py, image::Rgb([210, 170, 150]));
            }
        }
        assert!(SceneSketch::of(&far).differs_from(&reference));
    }

    #[test]
    fn an_unchanged_empty_scene_is_looked_at_once_a_second() {
        let mut schedule = DetectionSchedule::default();
        let start = Instant::now();
        let room = scene(90);
        let frames: Vec<bool> = (0..31u32)
            .map(|i| {
                let at = start + Duration::from_millis(u64::from(i) * 1000 / 30);
                schedule.due(&noisy(&room, 6, u64::from(i)), at, Attention::EmptyScene)
            })
            .collect();
        let detections = frames.iter().filter(|due| **due).count();
        assert_eq!(detections, 2, "the first frame and one a second later");
        assert!(frames[0] && frames[30]);
        assert_eq!(schedule.frame_interval(true), QUIET_FRAME_INTERVAL);
    }

    #[test]
    fn someone_walking_in_is_looked_at_at_once() {
        let mut schedule = DetectionSchedule::default();
        let start = Instant::now();
        let room = scene(90);
        assert!(schedule.due(&room, start, Attention::EmptyScene));
        let step = Duration::from_millis(33);
        assert!(!schedule.due(&room, start + step, Attention::EmptyScene));
        assert_eq!(schedule.frame_interval(true), QUIET_FRAME_INTERVAL);
        assert!(schedule.due(
            &with_visitor(&room, 0, 0),
            start + 2 * step,
            Attention::EmptyScene
        ));
        assert_eq!(
            schedule.frame_interval(true),
            Duration::ZERO,
            "every frame again"
        );
    }

    #[test]
    fn faces_being_decided_are_looked_at_every_frame_and_settled_ones_a_few_times_a_second() {
        let mut schedule = DetectionSchedule::default();
        let start = Instant::now();
        let room = with_visitor(&scene(90), 300, 200);
        let step = Duration::from_millis(33);
        let deciding = (0..10u32)
            .filter(|i| schedule.due(&room, start + step * *i, Attention::Deciding))
            .count();
        assert_eq!(deciding, 10);
        assert_eq!(schedule.frame_interval(false), Duration::ZERO);
        let settled = (10..40u32)
            .filter(|i| schedule.due(&room, start + step * *i, Attention::Settled))
            .count();
        // 30 frames at 30 fps = 1 s, at one look per 150 ms.
        assert!((6..=7).contains(&settled), "{settled} looks in a second");
        assert_eq!(
            schedule.frame_interval(true),
            Duration::ZERO,
            "a window draws every frame of a visitor"
        );
        assert_eq!(
            schedule.frame_interval(false),
            UNDRAWN_SETTLED_FRAME_INTERVAL,
            "without a window, only the frames the detector looks at are decoded"
        );
    }
}
