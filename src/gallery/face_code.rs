//! A face's embedding as 128 8-bit codes with a proven error: what the index scans. Each face's
//! code is computed once, when the face is written (by the `face_code` SQL function the schema's
//! trigger calls, whatever path the face came by), and kept in `face_codes`, so that start-up reads
//! about a quarter of the bytes the float embeddings take and quantises nothing.

use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;

use crate::vision::{EMBEDDING_DIM, Embedding};

/// An embedding as 8-bit codes: `e ≈ scale * codes`, with `error = |e - scale * codes|`.
#[derive(Debug, Clone, PartialEq)]
pub struct FaceCode {
    pub(super) codes: [i8; EMBEDDING_DIM],
    pub(super) scale: f32,
    pub(super) error: f32,
}

/// The stored form: the codes, then `scale` and `error` as little-endian f32.
const STORED_BYTES: usize = EMBEDDING_DIM + 8;

/// The largest code: symmetric, so that no code is -128 (the AVX2 scan negates codes).
const LARGEST_CODE: f32 = 127.0;

impl FaceCode {
    pub fn of(embedding: &Embedding) -> Self {
        let largest = embedding.0.iter().fold(0f32, |m, v| m.max(v.abs()));
        let scale = if largest > 0.0 {
            largest / LARGEST_CODE
        } else {
            1.0
        };
        let mut codes = [0i8; EMBEDDING_DIM];
        let mut missed = 0f32;
        for (code, value) in codes.iter_mut().zip(&embedding.0) {
            // In range by construction of `scale`; the clamp only guards rounding at the extremes.
            let rounded = (value / scale).round().clamp(-LARGEST_CODE, LARGEST_CODE);
            *code = rounded as i8;
            missed += (value - scale * rounded).powi(2);
        }
        Self {
            codes,
            scale,
            error: missed.sqrt(),
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(STORED_BYTES);
        bytes.extend(self.codes.iter().copied().map(i8::cast_unsigned));
        bytes.extend(self.scale.to_le_bytes());
        bytes.extend(self.error.to_le_bytes());
        bytes
    }

    /// `None` for bytes no [`FaceCode::to_bytes`] wrote (a damaged row).
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let (codes, numbers) = bytes.split_first_chunk::<EMBEDDING_DIM>()?;
        let &[s0, s1, s2, s3, e0, e1, e2, e3] = numbers else {
            return None;
        };
        let scale = f32::from_le_bytes([s0, s1, s2, s3]);
        let error = f32::from_le_bytes([e0, e1, e2, e3]);
        let codes = codes.map(u8::cast_signed);
        let plausible = scale.is_finite()
            && scale > 0.0
            && error.is_finite()
            && error >= 0.0
            && !codes.contains(&i8::MIN);
        plausible.then_some(Self {
            codes,
            scale,
            error,
        })
    }
}

/// Adds `face_code(embedding)` to `conn`: the stored code of a stored embedding, NULL for a damaged
/// one. The gallery's trigger calls it for every face written, so every connection that writes faces
/// needs it ([`super::Gallery`] adds it to its own).
pub fn add_face_code_function(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "face_code",
        1,
        FunctionFlags::SQLITE_UTF8
            | FunctionFlags::SQLITE_DETERMINISTIC
            | FunctionFlags::SQLITE_INNOCUOUS,
        |context| {
            let embedding = context.get_raw(0).as_blob_or_null()?;
            Ok(embedding
                .and_then(Embedding::from_bytes)
                .map(|embedding| FaceCode::of(&embedding).to_bytes()))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn embedding(seed: u64) -> Embedding {
        let mut state = seed;
        let raw: Vec<f32> = (0..EMBEDDING_DIM)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((state >> 33) as f32 / (1u64 << 31) as f32) - 0.5
            })
            .collect();
        Embedding::from_raw(&raw).unwrap()
    }

    #[test]
    fn a_code_reads_back_as_written_and_its_error_is_what_it_misses() {
        let embedding = embedding(4);
        let code = FaceCode::of(&embedding);
        assert_eq!(FaceCode::from_bytes(&code.to_bytes()), Some(code.clone()));
        let missed: f32 = embedding
            .0
            .iter()
            .zip(&code.codes)
            .map(|(value, c)| (value - code.scale * f32::from(*c)).powi(2))
            .sum::<f32>()
            .sqrt();
        assert!((missed - code.error).abs() < 1e-6);
        assert!(code.error < 0.01, "8 bits keep a unit vector within 1 %");
    }

    #[test]
    fn damaged_codes_are_refused() {
        let bytes = FaceCode::of(&embedding(5)).to_bytes();
        assert_eq!(FaceCode::from_bytes(&bytes[..STORED_BYTES - 1]), None);
        let mut minimum = bytes.clone();
        minimum[0] = 0x80;
        assert_eq!(FaceCode::from_bytes(&minimum), None);
        let mut no_scale = bytes;
        no_scale[EMBEDDING_DIM..EMBEDDING_DIM + 4].copy_from_slice(&f32::NAN.to_le_bytes());
        assert_eq!(FaceCode::from_bytes(&no_scale), None);
    }

    #[test]
    fn the_sql_function_codes_stored_embeddings() {
        let conn = Connection::open_in_memory().unwrap();
        add_face_code_function(&conn).unwrap();
        let embedding = embedding(6);
        let stored: Option<Vec<u8>> = conn
            .query_row("SELECT face_code(?1)", [embedding.to_bytes()], |r| r.get(0))
            .unwrap();
        // The code of the embedding as stored (read back, it is normalised again).
        let read_back = Embedding::from_bytes(&embedding.to_bytes()).unwrap();
        assert_eq!(stored, Some(FaceCode::of(&read_back).to_bytes()));
        let damaged: Option<Vec<u8>> = conn
            .query_row("SELECT face_code(x'0102')", [], |r| r.get(0))
            .unwrap();
        assert_eq!(damaged, None);
    }
}
