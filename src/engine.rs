//! The recognition engine: detect, align, embed, measure quality, for every face in an image.

use image::RgbImage;

use crate::config::Config;
use crate::models;
use crate::resources;
use crate::runtime;
use crate::vision::align::align_face;
use crate::vision::detector::DetectorOptions;
use crate::vision::light;
use crate::vision::quality::FaceQuality;
use crate::vision::{Detection, Embedding, FaceDetector, FaceEmbedder, VisionError};

/// A face found, aligned and embedded.
#[derive(Debug, Clone)]
pub struct AnalyzedFace {
    pub detection: Detection,
    /// The 112x112 crop the embedding was computed from; kept as the gallery thumbnail.
    pub aligned: RgbImage,
    pub embedding: Embedding,
    pub quality: FaceQuality,
}

/// An image that arrived as bytes (an upload), with every face in it.
#[derive(Debug, Clone)]
pub struct AnalyzedImage {
    pub width: u32,
    pub height: u32,
    pub faces: Vec<AnalyzedFace>,
}

/// Why bytes could not be analysed: the sender's fault (not an image) or the engine's.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error(transparent)]
    Unreadable(#[from] crate::vision::image_io::ImageLoadError),
    #[error(transparent)]
    Analysis(#[from] VisionError),
}

/// Steps beyond OpenCV's reference pipeline that rescue degraded faces. An upright, well-lit face
/// comes out as the reference pipeline gives it (tests/it/engine.rs). All are on by default; turning
/// them off measures what they bring (tests/it/accuracy.rs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Enhancements {
    /// Landmarks of a tilted head re-detected on an upright copy of it, for the faces embedded.
    pub upright: bool,
    /// Dark frames brightened for the detector, dark faces for the embedder.
    pub relight: bool,
}

impl Default for Enhancements {
    fn default() -> Self {
        Self {
            upright: true,
            relight: true,
        }
    }
}

/// Owns the two ONNX sessions. Not shared between threads: each worker loads its own.
pub struct FaceEngine {
    detector: FaceDetector,
    embedder: FaceEmbedder,
    min_face_px: f32,
    enhancements: Enhancements,
}

impl FaceEngine {
    /// Loads ONNX Runtime and both models named by `config`, checking each model file first.
    pub fn load(config: &Config) -> Result<Self, VisionError> {
        Self::load_with_threads(config, config.inference_threads())
    }

    /// Like [`FaceEngine::load`], with `threads` threads in each model's session.
    pub fn load_with_threads(config: &Config, threads: usize) -> Result<Self, VisionError> {
        let environment = runtime::environment(&config.runtime.onnxruntime)?;
        let detector = FaceDetector::load(
            &environment,
            &resources::locate(&config.models.detector),
            threads,
            DetectorOptions {
                score_threshold: config.recognition.detection_score,
                max_side: config.recognition.max_detect_side,
            },
        )?;
        let embedder = FaceEmbedder::load(
            &environment,
            &resources::locate(&config.models.embedder),
            threads,
        )?;
        Ok(Self {
            detector,
            embedder,
            min_face_px: config.recognition.min_face_px as f32,
            enhancements: Enhancements::default(),
        })
    }

    /// The id stored beside every embedding this engine produces.
    pub fn model_id(&self) -> &'static str {
        models::EMBEDDER.id
    }

    pub fn min_face_px(&self) -> f32 {
        self.min_face_px
    }

    pub fn set_enhancements(&mut self, enhancements: Enhancements) {
        self.enhancements = enhancements;
    }

    /// Decodes `bytes` (named `label` in messages) and analyses every face in the image.
    pub fn analyze_bytes(
        &mut self,
        bytes: &[u8],
        label: &str,
    ) -> Result<AnalyzedImage, UploadError> {
        let image = crate::vision::image_io::decode_rgb(bytes, std::path::Path::new(label))?;
        let faces = self.analyze(&image)?;
        Ok(AnalyzedImage {
            width: image.width(),
            height: image.height(),
            faces,
        })
    }

    /// Faces in `image`, best score first.
    pub fn detect(&mut self, image: &RgbImage) -> Result<Vec<Detection>, VisionError> {
        let brightened = self.brightened(image);
        // Landmarks found on the brightened copy are in the same place on the original.
        self.detector.detect(brightened.as_ref().unwrap_or(image))
    }

    /// `image` brightened when it is dark and relighting is on.
    fn brightened(&self, image: &RgbImage) -> Option<RgbImage> {
        self.enhancements
            .relight
            .then(|| light::brightened(image))
            .flatten()
    }

    /// Aligns, embeds and measures one detected face. `None` when its landmarks are degenerate.
    pub fn analyze_face(
        &mut self,
        image: &RgbImage,
        detection: &Detection,
    ) -> Result<Option<AnalyzedFace>, VisionError> {
        // Here rather than in `detect`, so that only the faces embedded pay for it: the kiosk
        // detects every frame but embeds only new or unsure faces.
        let detection = if self.enhancements.upright {
            // On the frame `detect` saw, so that a dark face is found in its view too.
            let brightened = self.brightened(image);
            let frame = brightened.as_ref().unwrap_or(image);
            &self.detector.upright(frame, detection)?
        } else {
            detection
        };
        let Some(aligned) = align_face(image, &detection.landmarks) else {
            return Ok(None);
        };
        // Quality is that of the face as the camera saw it, so that the operator is still told
        // when it is too dark; the embedding is of the brightened face.
        let quality = FaceQuality::measure(detection, &aligned);
        let aligned = if self.enhancements.relight {
            light::brightened_from(&aligned, quality.brightness).unwrap_or(aligned)
        } else {
            aligned
        };
        let embedding = self.embedder.embed(&aligned)?;
        Ok(Some(AnalyzedFace {
            detection: *detection,
            aligned,
            embedding,
            quality,
        }))
    }

    /// Detects and embeds every face in `image`.
    pub fn analyze(&mut self, image: &RgbImage) -> Result<Vec<AnalyzedFace>, VisionError> {
        let detections = self.detect(image)?;
        let mut faces = Vec::with_capacity(detections.len());
        for detection in &detections {
            if let Some(face) = self.analyze_face(image, detection)? {
                faces.push(face);
            }
        }
        Ok(faces)
    }
}
