//! A folder of still frames played in file-name order at a fixed rate.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{CameraError, FrameSource, SkippedFrame, SourceFrame};
use crate::vision::image_io::load_rgb;

const IMAGE_EXTENSIONS: [&str; 7] = ["jpg", "jpeg", "png", "ppm", "pgm", "bmp", "webp"];

pub struct ImageFolderSource {
    folder: PathBuf,
    files: Vec<PathBuf>,
    next: usize,
    interval: Duration,
}

impl ImageFolderSource {
    pub fn open(folder: &Path, fps: f32) -> Result<Self, CameraError> {
        let error = |message: String| CameraError::Images {
            path: folder.to_path_buf(),
            message,
        };
        let entries = std::fs::read_dir(folder).map_err(|e| error(e.to_string()))?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| {
                path.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
            })
            .collect();
        if files.is_empty() {
            return Err(error(
                "it holds no JPEG, PNG, PNM, BMP or WebP files".into(),
            ));
        }
        files.sort();
        Ok(Self {
            folder: folder.to_path_buf(),
            files,
            next: 0,
            interval: Duration::from_secs_f32(1.0 / fps.max(0.01)),
        })
    }
}

impl FrameSource for ImageFolderSource {
    fn describe(&self) -> String {
        format!(
            "images {} ({} frames)",
            self.folder.display(),
            self.files.len()
        )
    }

    fn next_frame(&mut self) -> Result<Option<SourceFrame>, CameraError> {
        while let Some(path) = self.files.get(self.next) {
            let index = self.next;
            self.next += 1;
            match load_rgb(path) {
                Ok(image) => {
                    return Ok(Some(SourceFrame {
                        image,
                        media_time: Some(self.interval * u32::try_from(index).unwrap_or(u32::MAX)),
                    }));
                }
                // One bad frame in a folder is skipped, as a camera drops a frame.
                Err(e) => tracing::warn!(error = %e, "skipping an unreadable frame"),
            }
        }
        Ok(None)
    }

    fn skip_frame(&mut self) -> Result<Option<SkippedFrame>, CameraError> {
        if self.next >= self.files.len() {
            return Ok(None);
        }
        let index = self.next;
        self.next += 1;
        Ok(Some(SkippedFrame {
            media_time: Some(self.interval * u32::try_from(index).unwrap_or(u32::MAX)),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plays_images_in_name_order_and_skips_broken_ones() {
        let dir = tempfile::tempdir().unwrap();
        for (name, shade) in [("002.png", 20u8), ("001.png", 10), ("003.png", 30)] {
            image::RgbImage::from_pixel(4, 4, image::Rgb([shade; 3]))
                .save(dir.path().join(name))
                .unwrap();
        }
        std::fs::write(dir.path().join("0025.png"), b"broken").unwrap();
        std::fs::write(dir.path().join("notes.txt"), b"ignored").unwrap();
        let mut source = ImageFolderSource::open(dir.path(), 10.0).unwrap();
        let mut shades = Vec::new();
        let mut times = Vec::new();
        while let Some(frame) = source.next_frame().unwrap() {
            shades.push(frame.image.get_pixel(0, 0).0[0]);
            times.push(frame.media_time.unwrap().as_millis());
        }
        assert_eq!(shades, vec![10, 20, 30]);
        assert_eq!(times, vec![0, 100, 300]);
    }

    #[test]
    fn empty_or_missing_folder_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let message = ImageFolderSource::open(dir.path(), 10.0)
            .err()
            .unwrap()
            .to_string();
        assert!(message.contains("no JPEG"), "{message}");
        assert!(ImageFolderSource::open(&dir.path().join("missing"), 10.0).is_err());
    }
}
