//! The shop's logo for the attract screen (`display.logo`), read on its own thread: a large photo
//! chosen as a logo takes a noticeable time to decode, and the window must not stall for it.

use std::path::Path;
use std::sync::mpsc::{Receiver, TryRecvError};

/// Logos are shown at most this many pixels high; a bigger file is scaled down once.
const LOGO_MAX_SIDE: u32 = 512;

/// The logo the window shows, and one being read.
#[derive(Default)]
pub struct Logo {
    shown: Option<egui::TextureHandle>,
    reading: Option<Receiver<Option<egui::ColorImage>>>,
}

impl Logo {
    /// Starts reading `path` (empty: no logo); the current logo goes at once.
    pub fn load(&mut self, ctx: &egui::Context, path: &Path) {
        self.shown = None;
        self.reading = None;
        if path.as_os_str().is_empty() {
            return;
        }
        let (sender, receiver) = std::sync::mpsc::sync_channel(1);
        let path = path.to_path_buf();
        let repaint = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("logo".into())
            .spawn(move || {
                // A window closed meanwhile has dropped the receiver: nothing to do.
                let _ = sender.send(decode_logo(&path));
                repaint.request_repaint();
            });
        match spawned {
            Ok(_) => self.reading = Some(receiver),
            Err(error) => tracing::error!(%error, "cannot start reading the shop logo"),
        }
    }

    /// Puts a logo that has been read on screen (call once per pass).
    pub fn poll(&mut self, ctx: &egui::Context) {
        let Some(reading) = &self.reading else {
            return;
        };
        match reading.try_recv() {
            Ok(image) => {
                self.shown = image.map(|image| {
                    ctx.load_texture("shop_logo", image, egui::TextureOptions::LINEAR)
                });
                self.reading = None;
            }
            Err(TryRecvError::Empty) => {}
            Err(TryRecvError::Disconnected) => self.reading = None,
        }
    }

    pub fn texture(&self) -> Option<&egui::TextureHandle> {
        self.shown.as_ref()
    }
}

/// The logo's pixels, or none when the file cannot be read (logged with what to do, since the
/// attract screen simply shows no logo).
fn decode_logo(path: &Path) -> Option<egui::ColorImage> {
    let image = match image::open(path) {
        Ok(image) => image.thumbnail(LOGO_MAX_SIDE, LOGO_MAX_SIDE).into_rgba8(),
        Err(error) => {
            tracing::warn!(
                path = %path.display(),
                %error,
                "cannot show the shop logo: the attract screen has none; fix display.logo (a PNG or JPEG file) in the settings"
            );
            return None;
        }
    };
    let size = [image.width() as usize, image.height() as usize];
    Some(egui::ColorImage::from_rgba_unmultiplied(
        size,
        image.as_raw(),
    ))
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    /// Polls until the logo has been read (a few milliseconds; the deadline only stops a hang).
    fn read(path: &Path) -> Option<[usize; 2]> {
        let ctx = egui::Context::default();
        let mut logo = Logo::default();
        logo.load(&ctx, path);
        let deadline = Instant::now() + Duration::from_secs(30);
        while logo.reading.is_some() && Instant::now() < deadline {
            logo.poll(&ctx);
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(logo.reading.is_none(), "the logo was never read");
        logo.texture().map(egui::TextureHandle::size)
    }

    #[test]
    fn a_missing_or_broken_logo_is_no_logo_and_a_good_one_is_scaled_down() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(Path::new("")), None);
        assert_eq!(read(&dir.path().join("missing.png")), None);
        let broken = dir.path().join("broken.png");
        std::fs::write(&broken, b"not a png").unwrap();
        assert_eq!(read(&broken), None);
        let good = dir.path().join("logo.png");
        image::RgbaImage::new(2000, 1000).save(&good).unwrap();
        assert_eq!(read(&good), Some([512, 256]));
    }
}
