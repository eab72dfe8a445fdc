//! How good a face sample is for enrolment: size, sharpness, brightness and pose.

use image::RgbImage;

use super::Detection;

/// Aligned crops whose Laplacian variance is below this are too blurry to enrol.
pub const MIN_SHARPNESS: f32 = 20.0;
/// Mean brightness (0..255) of the aligned crop outside which the sample is too dark or too bright.
pub const BRIGHTNESS_RANGE: (f32, f32) = (50.0, 215.0);
/// |yaw| above this (nose offset from the eyes' midpoint, in eye distances) is not frontal.
pub const MAX_YAW: f32 = 0.35;
/// Eye-line tilt above this many degrees is not frontal.
pub const MAX_ROLL_DEGREES: f32 = 25.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaceQuality {
    /// Shorter side of the face box in pixels.
    pub size_px: f32,
    /// Variance of the Laplacian of the aligned grey crop.
    pub sharpness: f32,
    /// Mean grey level of the aligned crop's centre.
    pub brightness: f32,
    /// Horizontal head turn estimated from the landmarks: 0 frontal, about +-0.5 in profile.
    pub yaw: f32,
    /// Eye-line tilt in degrees.
    pub roll_degrees: f32,
}

/// What the operator should ask of the visitor to get a usable sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guidance {
    MoveCloser,
    TooDark,
    TooBright,
    LookAtCamera,
    HoldStill,
}

impl Guidance {
    pub fn message(self) -> &'static str {
        match self {
            Guidance::MoveCloser => "Move closer to the camera",
            Guidance::TooDark => "Too dark: add light in front of the face",
            Guidance::TooBright => "Too bright: avoid direct light on the face",
            Guidance::LookAtCamera => "Look straight at the camera",
            Guidance::HoldStill => "Hold still: the picture is blurry",
        }
    }
}

impl FaceQuality {
    pub fn measure(detection: &Detection, aligned: &RgbImage) -> Self {
        let (sharpness, brightness) = grey_statistics(aligned);
        Self {
            size_px: detection.bbox.min_side(),
            sharpness,
            brightness,
            yaw: detection.yaw(),
            roll_degrees: detection.roll_degrees(),
        }
    }

    /// The most pressing problem with this sample, if any.
    pub fn guidance(&self, min_face_px: f32) -> Option<Guidance> {
        if self.size_px < min_face_px {
            Some(Guidance::MoveCloser)
        } else if self.brightness < BRIGHTNESS_RANGE.0 {
            Some(Guidance::TooDark)
        } else if self.brightness > BRIGHTNESS_RANGE.1 {
            Some(Guidance::TooBright)
        } else if self.yaw.abs() > MAX_YAW || self.roll_degrees.abs() > MAX_ROLL_DEGREES {
            Some(Guidance::LookAtCamera)
        } else if self.sharpness < MIN_SHARPNESS {
            Some(Guidance::HoldStill)
        } else {
            None
        }
    }

    /// A 0..1 score to pick the best of several samples of one face: bigger, sharper, more frontal
    /// and well lit is better.
    pub fn score(&self) -> f32 {
        let size = (self.size_px / 160.0).min(1.0);
        let sharp = (self.sharpness / 200.0).min(1.0);
        let frontal = (1.0 - self.yaw.abs() / 0.5).clamp(0.0, 1.0)
            * (1.0 - self.roll_degrees.abs() / 45.0).clamp(0.0, 1.0);
        let light = 1.0 - ((self.brightness - 128.0).abs() / 128.0).min(1.0);
        0.3 * size + 0.25 * sharp + 0.3 * frontal + 0.15 * light
    }
}

/// Laplacian variance and mean grey level over the centre of the aligned crop (the face itself, not
/// the black border a warp near the image edge leaves).
fn grey_statistics(aligned: &RgbImage) -> (f32, f32) {
    let (width, height) = aligned.dimensions();
    let grey = |x: u32, y: u32| -> f32 {
        let p = aligned.get_pixel(x, y).0;
        0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2])
    };
    let (x0, x1, y0, y1) = (
        width / 8,
        width - width / 8,
        height / 8,
        height - height / 8,
    );
    let (mut sum, mut count) = (0f64, 0f64);
    let (mut lap_sum, mut lap_sq, mut lap_count) = (0f64, 0f64, 0f64);
    for y in y0.max(1)..y1.min(height.saturating_sub(1)) {
        for x in x0.max(1)..x1.min(width.saturating_sub(1)) {
            let centre = grey(x, y);
            sum += f64::from(centre);
            count += 1.0;
            let laplacian =
                grey(x - 1, y) + grey(x + 1, y) + grey(x, y - 1) + grey(x, y + 1) - 4.0 * centre;
            lap_sum += f64::from(laplacian);
            lap_sq += f64::from(laplacian * laplacian);
            lap_count += 1.0;
        }
    }
    if count == 0.0 {
        return (0.0, 0.0);
    }
    let lap_mean = lap_sum / lap_count;
    let variance = (lap_sq / lap_count - lap_mean * lap_mean).max(0.0);
    (variance as f32, (sum / count) as f32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vision::BoundingBox;
    use image::Rgb;

    fn frontal_detection(size: f32) -> Detection {
        Detection {
            bbox: BoundingBox {
                x: 0.0,
                y: 0.0,
                width: size,
                height: size,
            },
            score: 0.9,
            landmarks: [
                [30.0, 40.0],
                [70.0, 40.0],
                [50.0, 60.0],
                [35.0, 80.0],
                [65.0, 80.0],
            ],
        }
    }

    fn checkerboard(level_a: u8, level_b: u8) -> RgbImage {
        RgbImage::from_fn(112, 112, |x, y| {
            if (x / 2 + y / 2) % 2 == 0 {
                Rgb([level_a; 3])
            } else {
                Rgb([level_b; 3])
            }
        })
    }

    #[test]
    fn flat_image_is_blurry_and_textured_one_is_sharp() {
        let flat = FaceQuality::measure(
            &frontal_detection(120.0),
            &RgbImage::from_pixel(112, 112, Rgb([128; 3])),
        );
        assert_eq!(flat.guidance(36.0), Some(Guidance::HoldStill));
        let sharp = FaceQuality::measure(&frontal_detection(120.0), &checkerboard(80, 180));
        assert_eq!(sharp.guidance(36.0), None);
        assert!(sharp.score() > flat.score());
    }

    #[test]
    fn guidance_for_small_dark_and_turned_faces() {
        let dark = FaceQuality::measure(&frontal_detection(120.0), &checkerboard(5, 30));
        assert_eq!(dark.guidance(36.0), Some(Guidance::TooDark));
        let small = FaceQuality::measure(&frontal_detection(20.0), &checkerboard(80, 180));
        assert_eq!(small.guidance(36.0), Some(Guidance::MoveCloser));
        let mut turned = frontal_detection(120.0);
        turned.landmarks[2] = [68.0, 60.0];
        let turned = FaceQuality::measure(&turned, &checkerboard(80, 180));
        assert_eq!(turned.guidance(36.0), Some(Guidance::LookAtCamera));
    }
}
