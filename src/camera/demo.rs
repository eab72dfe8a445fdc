//! The built-in demo camera: bundled clips of a man arriving, staying and leaving, then a photo of
//! another visitor, looped forever, so a new user without a webcam sees the whole product work.

use std::path::{Path, PathBuf};
use std::time::Duration;

use image::RgbImage;

use super::video::VideoSource;
use super::{CameraError, FrameSource, SourceFrame};
use crate::resources;
use crate::vision::image_io::load_rgb;

const CLIPS: [&str; 3] = [
    "assets/demo/arrive.mov",
    "assets/demo/stay.mp4",
    "assets/demo/leave.mov",
];
const VISITOR_PHOTO: &str = "assets/demo/visitor.jpg";
/// How long the still visitor photo stays in front of the camera, and at what frame rate.
const STILL_DURATION: Duration = Duration::from_secs(4);
const STILL_FPS: u32 = 10;
/// Frame size of the still segment, like a common webcam.
const CANVAS: (u32, u32) = (640, 480);

pub struct DemoSource {
    clips: Vec<PathBuf>,
    visitor: RgbImage,
    /// 0..clips.len() are the clips, clips.len() is the still photo.
    segment: usize,
    current: Option<VideoSource>,
    still_frames: u32,
    /// Media time at which the current segment started.
    offset: Duration,
    last_time: Duration,
}

impl DemoSource {
    pub fn open() -> Result<Self, CameraError> {
        let clips: Vec<PathBuf> = CLIPS
            .iter()
            .map(|c| resources::locate(Path::new(c)))
            .collect();
        if let Some(missing) = clips.iter().find(|c| !c.is_file()) {
            return Err(CameraError::Demo(format!(
                "{} is missing; reinstall Frontdesk or pick another source",
                missing.display()
            )));
        }
        let photo = load_rgb(&resources::locate(Path::new(VISITOR_PHOTO)))
            .map_err(|e| CameraError::Demo(e.to_string()))?;
        Ok(Self {
            clips,
            visitor: on_canvas(&photo),
            segment: 0,
            current: None,
            still_frames: 0,
            offset: Duration::ZERO,
            last_time: Duration::ZERO,
        })
    }

    fn next_segment(&mut self) {
        self.segment = (self.segment + 1) % (self.clips.len() + 1);
        self.current = None;
        self.still_frames = 0;
        self.offset = self.last_time + Duration::from_millis(40);
    }
}

/// The photo scaled to fit a webcam-sized grey frame, as if the person stood at the desk.
fn on_canvas(photo: &RgbImage) -> RgbImage {
    let (cw, ch) = CANVAS;
    let scale = (cw as f32 / photo.width() as f32).min(ch as f32 / photo.height() as f32);
    let (w, h) = (
        (photo.width() as f32 * scale) as u32,
        (photo.height() as f32 * scale) as u32,
    );
    let scaled = image::imageops::resize(
        photo,
        w.max(1),
        h.max(1),
        image::imageops::FilterType::Triangle,
    );
    let mut canvas = RgbImage::from_pixel(cw, ch, image::Rgb([90, 90, 96]));
    image::imageops::overlay(
        &mut canvas,
        &scaled,
        i64::from((cw - w.min(cw)) / 2),
        i64::from((ch - h.min(ch)) / 2),
    );
    canvas
}

impl FrameSource for DemoSource {
    fn describe(&self) -> String {
        "built-in demo camera".into()
    }

    fn next_frame(&mut self) -> Result<Option<SourceFrame>, CameraError> {
        // Bounded: every pass either returns a frame or moves to the next segment.
        for _ in 0..=(self.clips.len() + 1) {
            if let Some(clip) = self.clips.get(self.segment) {
                if self.current.is_none() {
                    self.current = Some(VideoSource::open(clip)?);
                }
                let frame = match self.current.as_mut() {
                    Some(source) => source.next_frame()?,
                    None => None,
                };
                match frame {
                    Some(frame) => {
                        let time = self.offset + frame.media_time.unwrap_or_default();
                        self.last_time = time;
                        return Ok(Some(SourceFrame {
                            image: frame.image,
                            media_time: Some(time),
                        }));
                    }
                    None => self.next_segment(),
                }
            } else if self.still_frames < STILL_DURATION.as_secs() as u32 * STILL_FPS {
                let time = self.offset
                    + Duration::from_millis(
                        u64::from(self.still_frames) * 1000 / u64::from(STILL_FPS),
                    );
                self.still_frames += 1;
                self.last_time = time;
                return Ok(Some(SourceFrame {
                    image: self.visitor.clone(),
                    media_time: Some(time),
                }));
            } else {
                self.next_segment();
            }
        }
        Err(CameraError::Demo("the demo clips hold no frames".into()))
    }
}
