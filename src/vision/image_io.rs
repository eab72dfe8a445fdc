//! Reading photos from disk with limits, so that a hostile or broken file is an error, not a crash.

use std::path::{Path, PathBuf};

use image::{DynamicImage, ImageDecoder, ImageReader, RgbImage};

/// Files larger than this are refused before decoding.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Images with a side longer than this are refused (a 12k x 12k RGB image already needs 430 MB).
pub const MAX_SIDE: u32 = 12_000;

#[derive(Debug, thiserror::Error)]
pub enum ImageLoadError {
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
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
    let decode = |message: String| ImageLoadError::Decode {
        path: path.to_path_buf(),
        message,
    };
    let mut reader = ImageReader::open(path)
        .map_err(io)?
        .with_guessed_format()
        .map_err(io)?;
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
