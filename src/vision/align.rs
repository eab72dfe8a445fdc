//! Five-point face alignment onto SFace's 112x112 template.

use image::{Rgb, RgbImage};

/// Side of the aligned face crop.
pub const ALIGNED_SIZE: u32 = 112;

/// Where the five landmarks sit in the 112x112 crop SFace was trained on (the ArcFace template).
pub const TEMPLATE: [[f32; 2]; 5] = [
    [38.2946, 51.6963],
    [73.5318, 51.5014],
    [56.0252, 71.7366],
    [41.5493, 92.3655],
    [70.7299, 92.2041],
];

/// A 2x3 affine matrix `[a, b, tx; c, d, ty]` mapping source pixels to destination pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Affine(pub [[f32; 3]; 2]);

impl Affine {
    pub fn apply(&self, [x, y]: [f32; 2]) -> [f32; 2] {
        let [[a, b, tx], [c, d, ty]] = self.0;
        [a * x + b * y + tx, c * x + d * y + ty]
    }

    /// The inverse transform, `None` for a degenerate (zero-scale) matrix.
    pub fn invert(&self) -> Option<Affine> {
        let [[a, b, tx], [c, d, ty]] = self.0;
        let det = a * d - b * c;
        if det.abs() < 1e-12 {
            return None;
        }
        let (ia, ib, ic, id) = (d / det, -b / det, -c / det, a / det);
        Some(Affine([
            [ia, ib, -(ia * tx + ib * ty)],
            [ic, id, -(ic * tx + id * ty)],
        ]))
    }
}

/// Least-squares similarity transform (rotation, uniform scale, translation; no reflection) taking
/// `from` onto `to`. This is the closed form of Umeyama's estimate in two dimensions.
pub fn similarity_transform(from: &[[f32; 2]; 5], to: &[[f32; 2]; 5]) -> Option<Affine> {
    let n = from.len() as f64;
    let mean = |points: &[[f32; 2]; 5]| {
        let (sx, sy) = points.iter().fold((0f64, 0f64), |(sx, sy), p| {
            (sx + f64::from(p[0]), sy + f64::from(p[1]))
        });
        (sx / n, sy / n)
    };
    let (fx, fy) = mean(from);
    let (tx, ty) = mean(to);
    let (mut dot, mut cross, mut norm) = (0f64, 0f64, 0f64);
    for (p, q) in from.iter().zip(to) {
        let (x, y) = (f64::from(p[0]) - fx, f64::from(p[1]) - fy);
        let (u, v) = (f64::from(q[0]) - tx, f64::from(q[1]) - ty);
        dot += x * u + y * v;
        cross += x * v - y * u;
        norm += x * x + y * y;
    }
    if norm < 1e-9 {
        return None;
    }
    let (a, b) = (dot / norm, cross / norm);
    let m = [
        [a, -b, tx - (a * fx - b * fy)],
        [b, a, ty - (b * fx + a * fy)],
    ];
    Some(Affine(m.map(|row| row.map(|v| v as f32))))
}

/// Warps `image` by `transform` (source -> destination) into a `size`x`size` crop with bilinear
/// sampling; pixels that fall outside the source are black, as with OpenCV's `warpAffine`.
pub fn warp_affine(image: &RgbImage, transform: &Affine, size: u32) -> Option<RgbImage> {
    let inverse = transform.invert()?;
    let (width, height) = (image.width() as i64, image.height() as i64);
    let sample = |x: i64, y: i64| -> [f32; 3] {
        if x < 0 || y < 0 || x >= width || y >= height {
            return [0.0; 3];
        }
        let Rgb(p) = *image.get_pixel(x as u32, y as u32);
        p.map(f32::from)
    };
    let mut out = RgbImage::new(size, size);
    for (u, v, pixel) in out.enumerate_pixels_mut() {
        let [sx, sy] = inverse.apply([u as f32, v as f32]);
        let (x0, y0) = (sx.floor(), sy.floor());
        let (wx, wy) = (sx - x0, sy - y0);
        let (x0, y0) = (x0 as i64, y0 as i64);
        let (p00, p10, p01, p11) = (
            sample(x0, y0),
            sample(x0 + 1, y0),
            sample(x0, y0 + 1),
            sample(x0 + 1, y0 + 1),
        );
        let mut rgb = [0u8; 3];
        for (channel, value) in rgb.iter_mut().enumerate() {
            let top = p00[channel] * (1.0 - wx) + p10[channel] * wx;
            let bottom = p01[channel] * (1.0 - wx) + p11[channel] * wx;
            *value = (top * (1.0 - wy) + bottom * wy).round().clamp(0.0, 255.0) as u8;
        }
        *pixel = Rgb(rgb);
    }
    Some(out)
}

/// The 112x112 aligned crop SFace expects, from a face's five landmarks.
pub fn align_face(image: &RgbImage, landmarks: &[[f32; 2]; 5]) -> Option<RgbImage> {
    let transform = similarity_transform(landmarks, &TEMPLATE)?;
    warp_affine(image, &transform, ALIGNED_SIZE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_a_known_similarity() {
        // Rotate 30 degrees, scale 1.7, shift (5, -3).
        let (s, c) = (
            30f32.to_radians().sin() * 1.7,
            30f32.to_radians().cos() * 1.7,
        );
        let truth = Affine([[c, -s, 5.0], [s, c, -3.0]]);
        let moved = TEMPLATE.map(|p| truth.apply(p));
        let estimate = similarity_transform(&TEMPLATE, &moved).unwrap();
        for (row_e, row_t) in estimate.0.iter().zip(truth.0.iter()) {
            for (e, t) in row_e.iter().zip(row_t) {
                assert!((e - t).abs() < 1e-4, "{estimate:?} vs {truth:?}");
            }
        }
    }

    #[test]
    fn identity_landmarks_give_identity_warp() {
        let transform = similarity_transform(&TEMPLATE, &TEMPLATE).unwrap();
        let mut image = RgbImage::new(112, 112);
        image.put_pixel(40, 60, Rgb([200, 100, 50]));
        let warped = warp_affine(&image, &transform, 112).unwrap();
        assert_eq!(warped.get_pixel(40, 60), &Rgb([200, 100, 50]));
        assert_eq!(warped.get_pixel(41, 60), &Rgb([0, 0, 0]));
    }

    #[test]
    fn half_pixel_shift_blends_neighbours() {
        let mut image = RgbImage::new(4, 1);
        image.put_pixel(1, 0, Rgb([100, 100, 100]));
        image.put_pixel(2, 0, Rgb([200, 200, 200]));
        let shift = Affine([[1.0, 0.0, -1.5], [0.0, 1.0, 0.0]]);
        let warped = warp_affine(&image, &shift, 1).unwrap();
        assert_eq!(warped.get_pixel(0, 0), &Rgb([150, 150, 150]));
    }

    #[test]
    fn degenerate_landmarks_are_refused() {
        assert!(similarity_transform(&[[3.0, 3.0]; 5], &TEMPLATE).is_none());
    }
}
