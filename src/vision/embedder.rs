//! SFace face embedder: an aligned 112x112 RGB crop in, an L2-normalised 128-d vector out.

use std::path::Path;

use image::RgbImage;
use ort::environment::Environment;
use ort::session::Session;
use ort::value::TensorRef;

use super::VisionError;
use super::align::ALIGNED_SIZE;
use super::detector::load_session;
use crate::models;

pub const EMBEDDING_DIM: usize = 128;
const ROLE: &str = models::EMBEDDER.role;

/// A unit-length face embedding; the dot product of two is their cosine similarity.
#[derive(Debug, Clone, PartialEq)]
pub struct Embedding(pub [f32; EMBEDDING_DIM]);

impl Embedding {
    /// Normalises `raw` to unit length; `None` when it has the wrong length or no direction.
    pub fn from_raw(raw: &[f32]) -> Option<Self> {
        let values: [f32; EMBEDDING_DIM] = raw.try_into().ok()?;
        let norm = values.iter().map(|v| v * v).sum::<f32>().sqrt();
        if !norm.is_finite() || norm < 1e-12 {
            return None;
        }
        Some(Self(values.map(|v| v / norm)))
    }

    pub fn cosine(&self, other: &Embedding) -> f32 {
        self.0.iter().zip(other.0.iter()).map(|(a, b)| a * b).sum()
    }

    /// Little-endian f32 bytes, as stored in the gallery.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != EMBEDDING_DIM * 4 {
            return None;
        }
        let values: Vec<f32> = bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Self::from_raw(&values)
    }
}

pub struct FaceEmbedder {
    session: Session,
}

impl FaceEmbedder {
    pub fn load(
        environment: &Environment,
        path: &Path,
        threads: usize,
    ) -> Result<Self, VisionError> {
        let session = load_session(environment, path, &models::EMBEDDER, threads)?;
        let fits = session.inputs().iter().any(|i| i.name() == "data")
            && session.outputs().iter().any(|o| o.name() == "fc1");
        if !fits {
            return Err(VisionError::Session {
                role: ROLE,
                path: path.to_path_buf(),
                message: "the file has not SFace's `data` input and `fc1` output".into(),
            });
        }
        Ok(Self { session })
    }

    /// Embeds one aligned 112x112 RGB face crop.
    pub fn embed(&mut self, aligned: &RgbImage) -> Result<Embedding, VisionError> {
        let inference = |message: String| VisionError::Inference {
            role: ROLE,
            message,
        };
        if aligned.dimensions() != (ALIGNED_SIZE, ALIGNED_SIZE) {
            return Err(inference(format!(
                "expected a {ALIGNED_SIZE}x{ALIGNED_SIZE} crop, got {}x{}",
                aligned.width(),
                aligned.height()
            )));
        }
        let side = ALIGNED_SIZE as usize;
        let tensor = network_input(aligned);
        let input = TensorRef::from_array_view(([1usize, 3, side, side], tensor.as_slice()))
            .map_err(|e| inference(e.to_string()))?;
        let outputs = self
            .session
            .run(ort::inputs!["data" => input])
            .map_err(|e| inference(e.to_string()))?;
        let value = outputs
            .get("fc1")
            .ok_or_else(|| inference("model produced no `fc1` output".into()))?;
        let (_, raw) = value
            .try_extract_tensor::<f32>()
            .map_err(|e| inference(e.to_string()))?;
        Embedding::from_raw(raw)
            .ok_or_else(|| inference(format!("unusable embedding of {} values", raw.len())))
    }
}

/// SFace's input: the aligned crop as an RGB NCHW tensor of raw 0..255 values.
pub fn network_input(aligned: &RgbImage) -> Vec<f32> {
    let plane = (aligned.width() * aligned.height()) as usize;
    let mut tensor = vec![0f32; 3 * plane];
    for (index, pixel) in aligned.pixels().enumerate() {
        for (channel, value) in pixel.0.iter().enumerate() {
            if let Some(slot) = tensor.get_mut(channel * plane + index) {
                *slot = f32::from(*value);
            }
        }
    }
    tensor
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_and_round_trips_through_bytes() {
        let mut raw = [0f32; EMBEDDING_DIM];
        raw[0] = 3.0;
        raw[1] = 4.0;
        let e = Embedding::from_raw(&raw).unwrap();
        assert!((e.0[0] - 0.6).abs() < 1e-6 && (e.0[1] - 0.8).abs() < 1e-6);
        assert!((e.cosine(&e) - 1.0).abs() < 1e-6);
        assert_eq!(Embedding::from_bytes(&e.to_bytes()), Some(e));
    }

    #[test]
    fn rejects_wrong_length_and_zero_vectors() {
        assert!(Embedding::from_raw(&[1.0; 5]).is_none());
        assert!(Embedding::from_raw(&[0.0; EMBEDDING_DIM]).is_none());
        assert!(Embedding::from_bytes(&[0u8; 7]).is_none());
    }
}
