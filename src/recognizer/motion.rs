//! Where a tracked face is between two looks of the detector. The detection schedule looks at a
//! settled face only a few times a second, so the box drawn on the frames in between, and the
//! box the next look is matched against, follow the face's recent motion instead of standing
//! where the face was last seen.

use std::time::Duration;

use crate::vision::{BoundingBox, Detection};

/// Predictions go no further ahead than this; past it, a face stays where it would be then (it
/// may have stopped, and the next look is due long before).
const HORIZON: Duration = Duration::from_millis(250);
/// Two looks further apart than this say nothing about how the face moves now.
const LONGEST_GAP: Duration = Duration::from_millis(500);
/// Weight of the newest pair of looks in the estimate: the rest is the earlier estimate, so that
/// one look's jitter does not fling the box.
const NEWEST_WEIGHT: f32 = 0.5;
/// Slower than this (pixels a second, of the centre or of a side) is a visitor standing still:
/// what is left is the detector's jitter, and a box drawn drifting with it would wobble.
const STILL_SPEED: f32 = 40.0;
/// A box is never predicted smaller than this many pixels across.
const SMALLEST_SIDE: f32 = 4.0;

/// How a face's box moves, in pixels a second: its centre and its size.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Motion {
    centre_x: f32,
    centre_y: f32,
    width: f32,
    height: f32,
    /// Two looks close enough together have been seen (a new face has no motion yet).
    known: bool,
}

impl Motion {
    /// The estimate after the face moved from `before` to `after` in `elapsed`.
    pub fn updated(self, before: &BoundingBox, after: &BoundingBox, elapsed: Duration) -> Self {
        let seconds = elapsed.as_secs_f32();
        if elapsed > LONGEST_GAP || seconds <= 0.0 {
            return Self::default();
        }
        let ([x0, y0], [x1, y1]) = (before.center(), after.center());
        let newest = Self {
            centre_x: (x1 - x0) / seconds,
            centre_y: (y1 - y0) / seconds,
            width: (after.width - before.width) / seconds,
            height: (after.height - before.height) / seconds,
            known: true,
        };
        if !self.known {
            return newest;
        }
        let blend = |old: f32, new: f32| old + NEWEST_WEIGHT * (new - old);
        Self {
            centre_x: blend(self.centre_x, newest.centre_x),
            centre_y: blend(self.centre_y, newest.centre_y),
            width: blend(self.width, newest.width),
            height: blend(self.height, newest.height),
            known: true,
        }
    }

    /// `detection` moved on by `elapsed` of this motion: the box shifted and resized about its
    /// centre, the landmarks with it.
    pub fn predict(&self, detection: &Detection, elapsed: Duration) -> Detection {
        let seconds = elapsed.min(HORIZON).as_secs_f32();
        if seconds <= 0.0 || !self.known {
            return *detection;
        }
        let moving = |speed: f32| {
            if speed.abs() < STILL_SPEED {
                0.0
            } else {
                speed
            }
        };
        let (centre_x, centre_y) = if self.centre_x.hypot(self.centre_y) < STILL_SPEED {
            (0.0, 0.0)
        } else {
            (self.centre_x, self.centre_y)
        };
        let bbox = detection.bbox;
        let [x, y] = bbox.center();
        let (new_x, new_y) = (x + centre_x * seconds, y + centre_y * seconds);
        let width = (bbox.width + moving(self.width) * seconds).max(SMALLEST_SIDE);
        let height = (bbox.height + moving(self.height) * seconds).max(SMALLEST_SIDE);
        let (scale_x, scale_y) = (
            width / bbox.width.max(SMALLEST_SIDE),
            height / bbox.height.max(SMALLEST_SIDE),
        );
        Detection {
            bbox: BoundingBox {
                x: new_x - width / 2.0,
                y: new_y - height / 2.0,
                width,
                height,
            },
            landmarks: detection
                .landmarks
                .map(|[px, py]| [new_x + (px - x) * scale_x, new_y + (py - y) * scale_y]),
            ..*detection
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face_at(x: f32, y: f32, side: f32) -> Detection {
        Detection {
            bbox: BoundingBox {
                x,
                y,
                width: side,
                height: side,
            },
            score: 0.9,
            landmarks: [
                [x + 0.3 * side, y + 0.4 * side],
                [x + 0.7 * side, y + 0.4 * side],
                [x + 0.5 * side, y + 0.6 * side],
                [x + 0.35 * side, y + 0.8 * side],
                [x + 0.65 * side, y + 0.8 * side],
            ],
        }
    }

    const LOOK: Duration = Duration::from_millis(150);

    #[test]
    fn a_face_walking_across_is_drawn_where_it_is_between_looks() {
        // 400 px a second to the right, looked at every 150 ms.
        let mut motion = Motion::default();
        let mut last = face_at(100.0, 100.0, 120.0);
        for look in 1..4 {
            let next = face_at(100.0 + 60.0 * look as f32, 100.0, 120.0);
            motion = motion.updated(&last.bbox, &next.bbox, LOOK);
            last = next;
        }
        let halfway = motion.predict(&last, LOOK / 2);
        assert!(
            (halfway.bbox.x - (last.bbox.x + 30.0)).abs() < 0.5,
            "{halfway:?}"
        );
        assert_eq!(halfway.bbox.y, last.bbox.y);
        assert!((halfway.landmarks[2][0] - (last.landmarks[2][0] + 30.0)).abs() < 0.5);
        // Long after the look, the face is held at the horizon, not sent off the frame.
        let late = motion.predict(&last, Duration::from_secs(5));
        assert!(
            (late.bbox.x - (last.bbox.x + 100.0)).abs() < 0.5,
            "{late:?}"
        );
    }

    #[test]
    fn a_face_walking_up_grows_about_its_centre() {
        let before = face_at(200.0, 150.0, 100.0);
        let after = face_at(195.0, 145.0, 110.0);
        let motion = Motion::default().updated(&before.bbox, &after.bbox, LOOK);
        let next = motion.predict(&after, LOOK);
        assert!((next.bbox.width - 120.0).abs() < 0.5, "{next:?}");
        assert_eq!(next.bbox.center(), after.bbox.center());
        let eyes = |d: &Detection| d.landmarks[1][0] - d.landmarks[0][0];
        assert!((eyes(&next) / eyes(&after) - 120.0 / 110.0).abs() < 1e-3);
    }

    #[test]
    fn a_still_face_with_a_jittery_detector_keeps_its_box_still() {
        let still = face_at(300.0, 200.0, 120.0);
        let mut motion = Motion::default();
        for _ in 0..4 {
            motion = motion.updated(&still.bbox, &still.bbox, LOOK);
        }
        // Looked at every frame, the detector's box shakes by a pixel or two.
        let shaken = face_at(301.0, 200.0, 121.0);
        motion = motion.updated(&still.bbox, &shaken.bbox, Duration::from_millis(33));
        assert_eq!(motion.predict(&shaken, LOOK), shaken);
    }

    #[test]
    fn looks_far_apart_say_nothing_about_motion() {
        let motion = Motion::default().updated(
            &face_at(0.0, 0.0, 100.0).bbox,
            &face_at(200.0, 0.0, 100.0).bbox,
            Duration::from_secs(2),
        );
        let face = face_at(200.0, 0.0, 100.0);
        assert_eq!(motion.predict(&face, LOOK), face);
    }
}
