//! Video files (MP4/H.264, MOV and whatever else the system's FFmpeg decodes).

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ffmpeg::{Packet, Rational, Rescale, codec, decoder, format, frame, media, software::scaling};
use ffmpeg_next as ffmpeg;
use image::RgbImage;

use super::{CameraError, FrameSource, SkippedFrame, SourceFrame};

/// Frames are scaled down to fit in this box: bigger frames only cost time, not accuracy, at a desk.
const MAX_WIDTH: u32 = 1280;
const MAX_HEIGHT: u32 = 720;

pub struct VideoSource {
    path: PathBuf,
    input: format::context::Input,
    decoder: decoder::Video,
    stream_index: usize,
    time_base: Rational,
    start_pts: Option<i64>,
    /// Created on the first frame: the scaler is not `Send`, and the source lives on one thread.
    scaler: Option<(scaling::Context, u32, u32)>,
    /// Decoded frames not yet converted to RGB (a skipped frame never is), with their media time.
    decoded: VecDeque<(frame::Video, Duration)>,
    frames_seen: u64,
    frame_rate: f64,
    finished: bool,
}

impl VideoSource {
    pub fn open(path: &Path) -> Result<Self, CameraError> {
        let error = |message: String| CameraError::Video {
            path: path.to_path_buf(),
            message,
        };
        if !path.is_file() {
            return Err(error("no such file".into()));
        }
        if path.to_str().is_none() {
            return Err(error(
                "the file name is not valid UTF-8; rename the file".into(),
            ));
        }
        ffmpeg::init().map_err(|e| error(e.to_string()))?;
        ffmpeg::log::set_level(ffmpeg::log::Level::Fatal);
        let input =
            format::input(path).map_err(|e| error(format!("not a playable video ({e})")))?;
        let (stream_index, time_base, rate, parameters) = {
            let stream = input
                .streams()
                .best(media::Type::Video)
                .ok_or_else(|| error("it has no video track".into()))?;
            (
                stream.index(),
                stream.time_base(),
                stream.avg_frame_rate(),
                stream.parameters(),
            )
        };
        let mut context = codec::context::Context::from_parameters(parameters)
            .map_err(|e| error(e.to_string()))?;
        context.set_threading(codec::threading::Config {
            kind: codec::threading::Type::Frame,
            count: 2,
            ..Default::default()
        });
        let decoder = context
            .decoder()
            .video()
            .map_err(|e| error(format!("no decoder for its video codec ({e})")))?;
        let frame_rate = if rate.numerator() > 0 && rate.denominator() > 0 {
            f64::from(rate)
        } else {
            25.0
        };
        Ok(Self {
            path: path.to_path_buf(),
            input,
            decoder,
            stream_index,
            time_base,
            start_pts: None,
            scaler: None,
            decoded: VecDeque::new(),
            frames_seen: 0,
            frame_rate,
            finished: false,
        })
    }

    fn error(&self, message: String) -> CameraError {
        CameraError::Video {
            path: self.path.clone(),
            message,
        }
    }

    /// Moves every frame the decoder has ready into `decoded`.
    fn drain_decoder(&mut self) -> Result<(), CameraError> {
        loop {
            let mut raw = frame::Video::empty();
            match self.decoder.receive_frame(&mut raw) {
                Ok(()) => {}
                Err(ffmpeg::Error::Eof) => return Ok(()),
                Err(ffmpeg::Error::Other { errno }) if errno == ffmpeg::error::EAGAIN => {
                    return Ok(());
                }
                Err(e) => return Err(self.error(e.to_string())),
            }
            let pts = raw.timestamp().or(raw.pts());
            let media_time = match pts {
                Some(pts) => {
                    let start = *self.start_pts.get_or_insert(pts);
                    let ms = (pts - start).rescale(self.time_base, Rational(1, 1000));
                    Duration::from_millis(u64::try_from(ms).unwrap_or(0))
                }
                None => Duration::from_secs_f64(self.frames_seen as f64 / self.frame_rate),
            };
            self.frames_seen += 1;
            self.decoded.push_back((raw, media_time));
        }
    }

    /// The next decoded frame, reading and decoding packets until one is ready.
    fn next_decoded(&mut self) -> Result<Option<(frame::Video, Duration)>, CameraError> {
        loop {
            if let Some(decoded) = self.decoded.pop_front() {
                return Ok(Some(decoded));
            }
            if self.finished {
                return Ok(None);
            }
            let mut packet = Packet::empty();
            match packet.read(&mut self.input) {
                Ok(()) => {
                    if packet.stream() == self.stream_index {
                        match self.decoder.send_packet(&packet) {
                            Ok(()) | Err(ffmpeg::Error::InvalidData) => {}
                            Err(e) => return Err(self.error(e.to_string())),
                        }
                    }
                }
                Err(ffmpeg::Error::Eof) => {
                    self.finished = true;
                    // Flushing may fail on a truncated file; the frames decoded so far still count.
                    if let Err(e) = self.decoder.send_eof() {
                        tracing::debug!(error = %e, "video flush failed");
                    }
                }
                Err(ffmpeg::Error::Other { errno }) if errno == ffmpeg::error::EAGAIN => continue,
                Err(e) => {
                    tracing::warn!(path = %self.path.display(), error = %e, "video read error; treating as the end");
                    self.finished = true;
                    if let Err(e) = self.decoder.send_eof() {
                        tracing::debug!(error = %e, "video flush failed");
                    }
                }
            }
            self.drain_decoder()?;
        }
    }

    fn convert_to_rgb(&mut self, raw: &frame::Video) -> Result<RgbImage, CameraError> {
        let (width, height) = (raw.width(), raw.height());
        if width == 0 || height == 0 {
            return Err(self.error("a frame has no pixels".into()));
        }
        let scale = (f64::from(MAX_WIDTH) / f64::from(width))
            .min(f64::from(MAX_HEIGHT) / f64::from(height))
            .min(1.0);
        let out_w = ((f64::from(width) * scale).round() as u32).max(1);
        let out_h = ((f64::from(height) * scale).round() as u32).max(1);
        let reusable = self.scaler.as_ref().is_some_and(|(s, w, h)| {
            let input = s.input();
            (input.width, input.height, input.format, *w, *h)
                == (width, height, raw.format(), out_w, out_h)
        });
        if !reusable {
            let context = scaling::Context::get(
                raw.format(),
                width,
                height,
                format::Pixel::RGB24,
                out_w,
                out_h,
                scaling::Flags::BILINEAR,
            )
            .map_err(|e| self.error(format!("cannot convert its pixel format ({e})")))?;
            self.scaler = Some((context, out_w, out_h));
        }
        let mut rgb = frame::Video::empty();
        let Some((scaler, _, _)) = self.scaler.as_mut() else {
            return Err(self.error("no pixel converter".into()));
        };
        scaler.run(raw, &mut rgb).map_err(|e| CameraError::Video {
            path: self.path.clone(),
            message: e.to_string(),
        })?;
        let stride = rgb.stride(0);
        let row_bytes = out_w as usize * 3;
        let data = rgb.data(0);
        let mut pixels = Vec::with_capacity(row_bytes * out_h as usize);
        for row in data.chunks(stride).take(out_h as usize) {
            pixels.extend_from_slice(row.get(..row_bytes).unwrap_or(row));
        }
        RgbImage::from_raw(out_w, out_h, pixels)
            .ok_or_else(|| self.error("a frame is shorter than its size".into()))
    }
}

impl FrameSource for VideoSource {
    fn describe(&self) -> String {
        format!("video {}", self.path.display())
    }

    fn next_frame(&mut self) -> Result<Option<SourceFrame>, CameraError> {
        let Some((raw, media_time)) = self.next_decoded()? else {
            return Ok(None);
        };
        Ok(Some(SourceFrame {
            image: self.convert_to_rgb(&raw)?,
            media_time: Some(media_time),
        }))
    }

    fn skip_frame(&mut self) -> Result<Option<SkippedFrame>, CameraError> {
        Ok(self.next_decoded()?.map(|(_, media_time)| SkippedFrame {
            media_time: Some(media_time),
        }))
    }
}
