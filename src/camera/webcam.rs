//! Webcams through nokhwa (V4L2 on Linux), in YUYV or MJPEG.

use nokhwa::Camera;
use nokhwa::pixel_format::RgbFormat;
use nokhwa::utils::{
    ApiBackend, CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType,
};

use super::{CameraError, CameraSettings, FrameSource, SkippedFrame, SourceFrame};
use crate::config::PixelFormat;

/// A webcam as listed by the system.
#[derive(Debug, Clone, PartialEq)]
pub struct WebcamInfo {
    pub index: u32,
    pub name: String,
}

/// Webcams that can be opened, by device number. Metadata nodes that share a camera's name but
/// deliver no video are filtered out by checking that a format can be negotiated.
pub fn list_webcams() -> Vec<WebcamInfo> {
    let cameras = match nokhwa::query(ApiBackend::Auto) {
        Ok(cameras) => cameras,
        Err(e) => {
            tracing::debug!(error = %e, "cannot list webcams");
            return Vec::new();
        }
    };
    let mut found: Vec<WebcamInfo> = cameras
        .iter()
        .filter_map(|info| match info.index() {
            CameraIndex::Index(index) => Some(WebcamInfo {
                index: *index,
                name: info.human_name(),
            }),
            CameraIndex::String(_) => None,
        })
        .filter(|info| {
            Camera::new(
                CameraIndex::Index(info.index),
                RequestedFormat::new::<RgbFormat>(RequestedFormatType::None),
            )
            .is_ok()
        })
        .collect();
    found.sort_by_key(|c| c.index);
    found
}

/// After this many undecodable frames in a row the camera is treated as failed and reopened.
const MAX_BAD_FRAMES_IN_A_ROW: u32 = 30;

pub struct WebcamSource {
    camera: Camera,
    index: u32,
    format: CameraFormat,
}

impl WebcamSource {
    pub fn open(index: u32, settings: &CameraSettings) -> Result<Self, CameraError> {
        let open_error = |e: nokhwa::NokhwaError| CameraError::WebcamOpen {
            index,
            message: e.to_string(),
        };
        let mut camera = Camera::new(
            CameraIndex::Index(index),
            RequestedFormat::new::<RgbFormat>(RequestedFormatType::None),
        )
        .map_err(open_error)?;
        let wanted: &[FrameFormat] = match settings.format {
            PixelFormat::Yuyv => &[FrameFormat::YUYV],
            PixelFormat::Mjpeg => &[FrameFormat::MJPEG],
            PixelFormat::Any => &[FrameFormat::MJPEG, FrameFormat::YUYV],
        };
        // nokhwa's own "closest" matching only works for exact resolutions, so choose here: the
        // wanted pixel format nearest in size to the configured resolution, at 15 fps or more.
        let chosen = camera
            .compatible_camera_formats()
            .map_err(open_error)?
            .into_iter()
            .filter(|f| wanted.contains(&f.format()) && f.frame_rate() >= 15)
            .min_by_key(|f| {
                let dx = i64::from(f.width()) - i64::from(settings.width);
                let dy = i64::from(f.height()) - i64::from(settings.height);
                let preference = wanted
                    .iter()
                    .position(|w| *w == f.format())
                    .unwrap_or(wanted.len());
                (dx * dx + dy * dy, preference, -i64::from(f.frame_rate()))
            });
        let Some(chosen) = chosen else {
            return Err(CameraError::WebcamOpen {
                index,
                message: format!(
                    "it offers no {} format at 15 fps or more",
                    wanted
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
            });
        };
        camera
            .set_camera_requset(RequestedFormat::new::<RgbFormat>(
                RequestedFormatType::Exact(chosen),
            ))
            .map_err(open_error)?;
        camera.open_stream().map_err(open_error)?;
        tracing::info!(index, format = %chosen, "webcam opened");
        Ok(Self {
            camera,
            index,
            format: chosen,
        })
    }
}

impl FrameSource for WebcamSource {
    fn describe(&self) -> String {
        format!("webcam {} ({})", self.index, self.format)
    }

    fn next_frame(&mut self) -> Result<Option<SourceFrame>, CameraError> {
        for _ in 0..MAX_BAD_FRAMES_IN_A_ROW {
            let buffer = self
                .camera
                .frame()
                .map_err(|e| CameraError::WebcamRead(e.to_string()))?;
            let (width, height) = (buffer.resolution().width(), buffer.resolution().height());
            // The MJPEG decoder reports a corrupt frame by unwinding; such a frame is skipped.
            let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                buffer.decode_image::<RgbFormat>()
            }));
            match decoded {
                Ok(Ok(image)) => {
                    let mut raw = image.into_raw();
                    raw.truncate(width as usize * height as usize * 3);
                    if let Some(image) = image::RgbImage::from_raw(width, height, raw) {
                        return Ok(Some(SourceFrame {
                            image,
                            media_time: None,
                        }));
                    }
                    tracing::debug!("webcam frame shorter than its resolution; skipped");
                }
                Ok(Err(e)) => tracing::debug!(error = %e, "undecodable webcam frame; skipped"),
                Err(_) => tracing::debug!("corrupt MJPEG frame; skipped"),
            }
        }
        Err(CameraError::WebcamRead(format!(
            "{MAX_BAD_FRAMES_IN_A_ROW} undecodable frames in a row; try another camera_format"
        )))
    }

    fn skip_frame(&mut self) -> Result<Option<SkippedFrame>, CameraError> {
        // The buffer is taken from the driver (so the camera keeps its pace) but not decoded.
        self.camera
            .frame()
            .map_err(|e| CameraError::WebcamRead(e.to_string()))?;
        Ok(Some(SkippedFrame { media_time: None }))
    }
}
