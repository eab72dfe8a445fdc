//! Frame sources: webcams, video files, image folders and the built-in demo, behind one trait, and
//! the capture thread that keeps only the latest frame.

mod capture;
mod demo;
mod images;
mod video;
mod webcam;

use std::path::PathBuf;
use std::time::Duration;

use image::RgbImage;

use crate::config::PixelFormat;

pub use capture::{
    CAMERA_DIED, CaptureHandle, CaptureStats, CaptureStatus, Frame, FrameSlot, SlotTake,
};
pub use webcam::{WebcamInfo, list_webcams};

#[derive(Debug, Clone, thiserror::Error)]
pub enum CameraError {
    #[error("no webcam found")]
    NoWebcam,
    #[error("cannot open webcam {index}: {message}")]
    WebcamOpen { index: u32, message: String },
    #[error("webcam stopped delivering frames: {0}")]
    WebcamRead(String),
    #[error("cannot play video {path}: {message}")]
    Video { path: PathBuf, message: String },
    #[error("cannot read image folder {path}: {message}")]
    Images { path: PathBuf, message: String },
    #[error("the built-in demo camera cannot start: {0}")]
    Demo(String),
    #[error("`{0}` is not a frame source; use auto, demo, webcam[:N], video:FILE or images:DIR")]
    BadSpec(String),
}

/// Where frames come from, as written in the config or on the command line.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceSpec {
    /// The first webcam, or the demo when there is none.
    Auto,
    Webcam(u32),
    Video(PathBuf),
    Images(PathBuf),
    Demo,
}

impl std::str::FromStr for SourceSpec {
    type Err = CameraError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || CameraError::BadSpec(text.to_owned());
        let (kind, rest) = match text.split_once(':') {
            Some((kind, rest)) => (kind, Some(rest)),
            None => (text, None),
        };
        match (kind, rest) {
            ("auto", None) => Ok(SourceSpec::Auto),
            ("demo", None) => Ok(SourceSpec::Demo),
            ("webcam", None) => Ok(SourceSpec::Webcam(0)),
            ("webcam", Some(n)) => n.parse().map(SourceSpec::Webcam).map_err(|_| bad()),
            ("video", Some(path)) if !path.is_empty() => Ok(SourceSpec::Video(path.into())),
            ("images", Some(path)) if !path.is_empty() => Ok(SourceSpec::Images(path.into())),
            _ => Err(bad()),
        }
    }
}

impl std::fmt::Display for SourceSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SourceSpec::Auto => write!(f, "auto"),
            SourceSpec::Webcam(n) => write!(f, "webcam:{n}"),
            SourceSpec::Video(path) => write!(f, "video:{}", path.display()),
            SourceSpec::Images(path) => write!(f, "images:{}", path.display()),
            SourceSpec::Demo => write!(f, "demo"),
        }
    }
}

impl SourceSpec {
    /// Live sources are retried when they fail; recordings end.
    pub fn is_live(&self) -> bool {
        matches!(
            self,
            SourceSpec::Auto | SourceSpec::Webcam(_) | SourceSpec::Demo
        )
    }
}

/// Camera settings from the config.
#[derive(Debug, Clone, PartialEq)]
pub struct CameraSettings {
    pub width: u32,
    pub height: u32,
    pub format: PixelFormat,
    pub images_fps: f32,
}

impl CameraSettings {
    pub fn from_config(kiosk: &crate::config::KioskConfig) -> Self {
        Self {
            width: kiosk.camera_width,
            height: kiosk.camera_height,
            format: kiosk.camera_format,
            images_fps: kiosk.images_fps,
        }
    }
}

/// One decoded picture and where in its recording it belongs.
pub struct SourceFrame {
    pub image: RgbImage,
    /// Time since the start of the recording; `None` for live cameras, which are paced by the device.
    pub media_time: Option<Duration>,
}

/// A frame moved past without being converted to RGB.
pub struct SkippedFrame {
    pub media_time: Option<Duration>,
}

/// Something that produces frames. Opened and used on the capture thread only (webcam handles are
/// not `Send`).
pub trait FrameSource {
    /// A human-readable name for status lines.
    fn describe(&self) -> String;
    /// The next frame, blocking as a camera does; `Ok(None)` at the end of a recording.
    fn next_frame(&mut self) -> Result<Option<SourceFrame>, CameraError>;
    /// Moves past the next frame without decoding it to RGB, when nobody wants it (an idle kiosk
    /// looks at a few frames a second): decoding is most of what a frame costs the capture thread.
    /// Sources that cannot skip cheaply decode it and drop it.
    fn skip_frame(&mut self) -> Result<Option<SkippedFrame>, CameraError> {
        Ok(self.next_frame()?.map(|frame| SkippedFrame {
            media_time: frame.media_time,
        }))
    }
}

impl SourceSpec {
    /// `Auto` decided once: the first webcam, or the demo when there is none. A kiosk whose webcam
    /// is unplugged later must wait for it, not switch to the demo's visitors.
    pub fn resolve(&self) -> SourceSpec {
        match self {
            SourceSpec::Auto => match list_webcams().first() {
                Some(camera) => SourceSpec::Webcam(camera.index),
                None => {
                    tracing::info!("no webcam found: starting the built-in demo camera");
                    SourceSpec::Demo
                }
            },
            other => other.clone(),
        }
    }
}

/// Opens `spec` (`Auto` is resolved first).
pub fn open_source(
    spec: &SourceSpec,
    settings: &CameraSettings,
) -> Result<Box<dyn FrameSource>, CameraError> {
    match spec {
        SourceSpec::Auto => open_source(&spec.resolve(), settings),
        SourceSpec::Webcam(index) => Ok(Box::new(webcam::WebcamSource::open(*index, settings)?)),
        SourceSpec::Video(path) => Ok(Box::new(video::VideoSource::open(path)?)),
        SourceSpec::Images(path) => Ok(Box::new(images::ImageFolderSource::open(
            path,
            settings.images_fps,
        )?)),
        SourceSpec::Demo => Ok(Box::new(demo::DemoSource::open()?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_and_print_back() {
        for text in [
            "auto",
            "demo",
            "webcam:2",
            "video:/tmp/a.mp4",
            "images:frames",
        ] {
            let spec: SourceSpec = text.parse().unwrap();
            assert_eq!(spec.to_string(), text);
        }
        assert_eq!(
            "webcam".parse::<SourceSpec>().unwrap(),
            SourceSpec::Webcam(0)
        );
        for bad in ["", "webcam:x", "video:", "tv:1", "demo:1"] {
            assert!(bad.parse::<SourceSpec>().is_err(), "{bad}");
        }
    }
}
