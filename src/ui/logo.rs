//! The shop's logo for the attract screen (`display.logo`).

use std::path::Path;

/// Logos are shown at most this many pixels high; a bigger file is scaled down once.
const LOGO_MAX_SIDE: u32 = 512;

/// The logo as a texture, or none: no file configured, or one that cannot be read (logged with
/// what to do, since the attract screen simply shows no logo).
pub fn load_logo(ctx: &egui::Context, path: &Path) -> Option<egui::TextureHandle> {
    if path.as_os_str().is_empty() {
        return None;
    }
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
    let color = egui::ColorImage::from_rgba_unmultiplied(size, image.as_raw());
    Some(ctx.load_texture("shop_logo", color, egui::TextureOptions::LINEAR))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_broken_logo_is_no_logo_and_a_good_one_is_scaled_down() {
        let ctx = egui::Context::default();
        let dir = tempfile::tempdir().unwrap();
        assert!(load_logo(&ctx, Path::new("")).is_none());
        assert!(load_logo(&ctx, &dir.path().join("missing.png")).is_none());
        let broken = dir.path().join("broken.png");
        std::fs::write(&broken, b"not a png").unwrap();
        assert!(load_logo(&ctx, &broken).is_none());
        let good = dir.path().join("logo.png");
        image::RgbaImage::new(2000, 1000).save(&good).unwrap();
        let texture = load_logo(&ctx, &good).unwrap();
        assert_eq!(texture.size(), [512, 256]);
    }
}
