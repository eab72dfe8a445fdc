//! Face detection (YuNet), alignment, embedding (SFace) and sample quality.

pub mod align;
pub mod detector;
pub mod embedder;
pub mod image_io;
pub mod light;
pub mod quality;

pub use detector::{Detection, FaceDetector};
pub use embedder::{EMBEDDING_DIM, Embedding, FaceEmbedder};

/// An axis-aligned box in image pixels.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BoundingBox {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

impl BoundingBox {
    pub fn area(&self) -> f32 {
        self.width.max(0.0) * self.height.max(0.0)
    }

    pub fn center(&self) -> [f32; 2] {
        [self.x + self.width / 2.0, self.y + self.height / 2.0]
    }

    /// Intersection over union, 0 for disjoint boxes.
    pub fn iou(&self, other: &BoundingBox) -> f32 {
        let left = self.x.max(other.x);
        let top = self.y.max(other.y);
        let right = (self.x + self.width).min(other.x + other.width);
        let bottom = (self.y + self.height).min(other.y + other.height);
        let intersection = (right - left).max(0.0) * (bottom - top).max(0.0);
        let union = self.area() + other.area() - intersection;
        if union <= 0.0 {
            0.0
        } else {
            intersection / union
        }
    }

    /// The shorter side: how big the face is for recognition purposes.
    pub fn min_side(&self) -> f32 {
        self.width.min(self.height)
    }
}

/// Resizes an RGB image with a bilinear convolution (SIMD through fast_image_resize, about ten
/// times faster than `image`'s resize, which mattered for the detector's coarse pass).
pub fn resize_rgb(image: &image::RgbImage, width: u32, height: u32) -> image::RgbImage {
    use fast_image_resize::images::{Image, ImageRef};
    use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
    let (width, height) = (width.max(1), height.max(1));
    let resized = ImageRef::new(
        image.width(),
        image.height(),
        image.as_raw(),
        PixelType::U8x3,
    )
    .map_err(|e| e.to_string())
    .and_then(|source| {
        let mut target = Image::new(width, height, PixelType::U8x3);
        let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear));
        Resizer::new()
            .resize(&source, &mut target, &options)
            .map_err(|e| e.to_string())?;
        image::RgbImage::from_raw(width, height, target.into_vec())
            .ok_or_else(|| "buffer size".to_owned())
    });
    resized.unwrap_or_else(|e| {
        tracing::debug!(error = %e, "fast resize unavailable; using the portable one");
        image::imageops::resize(image, width, height, image::imageops::FilterType::Triangle)
    })
}

#[derive(Debug, thiserror::Error)]
pub enum VisionError {
    #[error(transparent)]
    Runtime(#[from] crate::runtime::RuntimeError),
    #[error(transparent)]
    Model(#[from] crate::models::ModelError),
    #[error("cannot load the {role} model {path}: {message}")]
    Session {
        role: &'static str,
        path: std::path::PathBuf,
        message: String,
    },
    #[error("{role} inference failed: {message}")]
    Inference { role: &'static str, message: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iou_of_identical_disjoint_and_half_overlapping_boxes() {
        let a = BoundingBox {
            x: 0.0,
            y: 0.0,
            width: 10.0,
            height: 10.0,
        };
        let b = BoundingBox {
            x: 20.0,
            y: 0.0,
            width: 10.0,
            height: 10.0,
        };
        let c = BoundingBox {
            x: 5.0,
            y: 0.0,
            width: 10.0,
            height: 10.0,
        };
        assert_eq!(a.iou(&a), 1.0);
        assert_eq!(a.iou(&b), 0.0);
        assert!((a.iou(&c) - 50.0 / 150.0).abs() < 1e-6);
    }
}
