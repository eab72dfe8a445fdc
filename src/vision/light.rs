//! Brightening of dark frames and faces. YuNet misses faces in frames lit at a tenth of normal, and
//! SFace's embedding of a dark face drifts from the same face well lit (tests/it/accuracy.rs); a
//! gain up to a normal exposure, and smoothing of the sensor noise a large gain amplifies, bring
//! both back.

use image::RgbImage;

/// Images with a mean grey level below this are brightened before detection or embedding. Normally
/// exposed frames and faces are well above it (the enrolment check calls faces below 50 too dark).
pub const DARK_MEAN: f32 = 60.0;
/// Mean grey level a dark image is brought up to.
const TARGET_MEAN: f32 = 110.0;
/// Largest gain: beyond it a frame is mostly sensor noise.
const MAX_GAIN: f32 = 8.0;
/// Gain from which the sensor noise it amplifies is smoothed away.
const NOISY_GAIN: f32 = 3.0;
/// Gaussian sigma of that smoothing, in pixels: enough for the noise, little for a face.
const DENOISE_SIGMA: f32 = 1.0;
/// Pixels sampled per row and column for the mean of a large image.
const SAMPLE_STEP: usize = 4;

/// Mean grey level (0..255) of every `SAMPLE_STEP`-th pixel of every `SAMPLE_STEP`-th row.
pub fn mean_grey(image: &RgbImage) -> f32 {
    let row_len = image.width() as usize * 3;
    let (mut sum, mut count) = (0f64, 0u64);
    for row in image
        .as_raw()
        .chunks_exact(row_len.max(1))
        .step_by(SAMPLE_STEP)
    {
        for pixel in row.chunks_exact(3).step_by(SAMPLE_STEP) {
            if let [r, g, b] = *pixel {
                sum += 0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b);
                count += 1;
            }
        }
    }
    if count == 0 {
        0.0
    } else {
        (sum / count as f64) as f32
    }
}

/// `image` brought up to a normal exposure when it is dark, `None` when it needs nothing.
pub fn brightened(image: &RgbImage) -> Option<RgbImage> {
    brightened_from(image, mean_grey(image))
}

/// Like [`brightened`] for an image whose relevant mean grey level is already known (an aligned
/// face's centre, without the black border a warp near the frame's edge leaves).
pub fn brightened_from(image: &RgbImage, mean: f32) -> Option<RgbImage> {
    if mean >= DARK_MEAN {
        return None;
    }
    let gain = (TARGET_MEAN / mean.max(1.0)).min(MAX_GAIN);
    let mut out = image.clone();
    for value in out.iter_mut() {
        *value = (f32::from(*value) * gain).round().min(255.0) as u8;
    }
    if gain >= NOISY_GAIN {
        return Some(image::imageops::blur(&out, DENOISE_SIGMA));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    #[test]
    fn dark_image_is_brought_to_a_normal_mean_and_bright_one_left_alone() {
        let dark = RgbImage::from_pixel(40, 30, Rgb([20, 20, 20]));
        let lit = brightened(&dark).unwrap();
        assert!(
            (mean_grey(&lit) - TARGET_MEAN).abs() < 1.0,
            "{}",
            mean_grey(&lit)
        );
        assert!(brightened(&RgbImage::from_pixel(40, 30, Rgb([90, 90, 90]))).is_none());
    }

    #[test]
    fn gain_is_bounded() {
        let nearly_black = RgbImage::from_pixel(8, 8, Rgb([1, 1, 1]));
        let lit = brightened(&nearly_black).unwrap();
        assert_eq!(lit.get_pixel(3, 3), &Rgb([8, 8, 8]));
    }

    #[test]
    fn a_moderate_gain_saturates_highlights_and_does_not_smooth() {
        let mut dim = RgbImage::from_pixel(8, 8, Rgb([40, 40, 40]));
        // Off the sampling grid, so the mean stays 40 and the gain 2.75.
        dim.put_pixel(1, 1, Rgb([120, 120, 120]));
        let lit = brightened(&dim).unwrap();
        assert_eq!(lit.get_pixel(2, 2), &Rgb([110, 110, 110]));
        assert_eq!(lit.get_pixel(1, 1), &Rgb([255, 255, 255]));
    }
}
