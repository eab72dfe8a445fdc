//! The live picture with a box and a name over every face, and the status line.

use egui::{Align2, Color32, FontId, Rect, Sense, Stroke, StrokeKind, pos2, vec2};

use super::i18n::Texts;
use super::theme::{Theme, size};
use crate::camera::CaptureStats;
use crate::recognizer::{FrameReport, TrackLabel, TrackView};

/// How the live picture is labelled.
pub struct LiveLook<'a> {
    pub texts: &'a Texts,
    pub theme: &'a Theme,
    /// `display.diagnostic_overlay`: each face's similarity beside its name.
    pub diagnostic: bool,
}

impl LiveLook<'_> {
    fn label_of(&self, track: &TrackView) -> (String, Color32) {
        let palette = &self.theme.palette;
        match &track.label {
            TrackLabel::Known { name, .. } => (name.clone(), palette.known),
            TrackLabel::Unknown => (self.texts.get("face-unknown"), palette.unknown),
            TrackLabel::Pending => (self.texts.get("face-pending"), palette.pending),
        }
    }

    /// A face's caption: its name, and its similarity only on the staff's diagnostic overlay.
    fn caption(&self, track: &TrackView) -> (String, Color32) {
        let (name, color) = self.label_of(track);
        match track.similarity {
            Some(s) if self.diagnostic => (format!("{name}  {s:.2}"), color),
            _ => (name, color),
        }
    }
}

/// The widest texture any GPU is asked for: wgpu's default limit, which a frame from a large
/// camera or an `images:` folder can exceed (the renderer then aborts the whole window).
const MAX_TEXTURE_SIDE: usize = 8192;

/// The frame as a texture image, scaled down to fit the GPU's texture limit (`max_side`, as the
/// renderer reports it, at most [`MAX_TEXTURE_SIDE`]). Boxes stay in frame coordinates: the live
/// view scales them by the frame's size, not the texture's.
pub fn display_image(image: &image::RgbImage, max_side: usize) -> egui::ColorImage {
    let max_side = max_side.clamp(1, MAX_TEXTURE_SIDE);
    let (width, height) = (image.width() as usize, image.height() as usize);
    if width <= max_side && height <= max_side {
        return egui::ColorImage::from_rgb([width, height], image.as_raw());
    }
    let longest = width.max(height);
    let fit = |side: usize| u32::try_from((side * max_side / longest).max(1)).unwrap_or(1);
    let smaller = image::imageops::thumbnail(image, fit(width), fit(height));
    egui::ColorImage::from_rgb(
        [smaller.width() as usize, smaller.height() as usize],
        smaller.as_raw(),
    )
}

/// Draws the camera picture scaled to fit, with overlays. Returns the id of a face the operator
/// clicked.
pub fn live_view_ui(
    ui: &mut egui::Ui,
    texture: Option<&egui::TextureHandle>,
    report: Option<&FrameReport>,
    selected: Option<u64>,
    look: &LiveLook<'_>,
) -> Option<u64> {
    let available = ui.available_rect_before_wrap();
    ui.allocate_rect(available, Sense::hover());
    let painter = ui.painter_at(available);
    painter.rect_filled(available, 0.0, look.theme.palette.backdrop);
    let Some(texture) = texture else {
        painter.text(
            available.center(),
            Align2::CENTER_CENTER,
            look.texts.get("camera-starting"),
            FontId::proportional(look.theme.text(size::CUE)),
            look.theme.palette.weak_text,
        );
        return None;
    };
    // The frame's own size: the texture may be a scaled-down copy (see `display_image`).
    let size = report.map_or_else(
        || texture.size_vec2(),
        |r| vec2(r.frame.image.width() as f32, r.frame.image.height() as f32),
    );
    let scale = (available.width() / size.x).min(available.height() / size.y);
    let picture = Rect::from_center_size(available.center(), size * scale);
    painter.image(
        texture.id(),
        picture,
        Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0)),
        Color32::WHITE,
    );
    let report = report?;

    let to_screen = |x: f32, y: f32| picture.min + vec2(x, y) * scale;
    let largest = report
        .tracks
        .iter()
        .max_by(|a, b| a.detection.bbox.area().total_cmp(&b.detection.bbox.area()))
        .map(|t| t.id);
    let mut clicked = None;
    for track in &report.tracks {
        let b = track.detection.bbox;
        let rect = Rect::from_min_max(
            to_screen(b.x, b.y),
            to_screen(b.x + b.width, b.y + b.height),
        )
        .intersect(available);
        let (caption, color) = look.caption(track);
        let chosen = selected
            .filter(|id| report.tracks.iter().any(|t| t.id == *id))
            .or(largest)
            == Some(track.id);
        let width = if chosen { 4.0 } else { 2.0 };
        painter.rect_stroke(rect, 6.0, Stroke::new(width, color), StrokeKind::Outside);
        let font = FontId::proportional(look.theme.text(size::FACE_CAPTION));
        let text_color = look.theme.palette.caption_text;
        let galley = painter.layout_no_wrap(caption, font, text_color);
        let text_pos = rect.left_top() - vec2(0.0, galley.size().y + 6.0);
        painter.rect_filled(
            Rect::from_min_size(text_pos, galley.size()).expand(4.0),
            4.0,
            color,
        );
        painter.galley(text_pos, galley, text_color);
        let response = ui.interact(rect, ui.scope_id().with(("face", track.id)), Sense::click());
        if response
            .on_hover_text(look.texts.get("face-choose-hint"))
            .clicked()
        {
            clicked = Some(track.id);
        }
    }
    clicked
}

/// "Camera 25.0 fps · detection 8 ms · embedding 31 ms/face · dropped 3 of 900 frames".
pub fn status_text(
    detect_ms: Option<f32>,
    embed_ms: Option<f32>,
    stats: &CaptureStats,
    texts: &Texts,
) -> String {
    let mut parts = vec![texts.with(
        "status-camera",
        &[("fps", format!("{:.1}", stats.fps).into())],
    )];
    if let Some(detect_ms) = detect_ms {
        let ms = format!("{detect_ms:.0}");
        parts.push(texts.with("status-detection", &[("ms", ms.into())]));
    }
    if let Some(embed_ms) = embed_ms {
        let ms = format!("{embed_ms:.0}");
        parts.push(texts.with("status-embedding", &[("ms", ms.into())]));
    }
    parts.push(texts.with(
        "status-dropped",
        &[
            ("dropped", stats.dropped.to_string().into()),
            ("frames", stats.frames.to_string().into()),
        ],
    ));
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vision::{BoundingBox, Detection};

    fn unknown_face() -> TrackView {
        TrackView {
            id: 1,
            detection: Detection {
                bbox: BoundingBox {
                    x: 0.0,
                    y: 0.0,
                    width: 80.0,
                    height: 80.0,
                },
                score: 0.9,
                landmarks: [[0.0; 2]; 5],
            },
            label: TrackLabel::Unknown,
            similarity: Some(-0.05),
            best_sample: None,
            further_looks: Vec::new(),
            sample_match: None,
            guidance: None,
        }
    }

    #[test]
    fn the_public_never_sees_a_score_unless_staff_turn_on_the_diagnostic_overlay() {
        let texts = Texts::new(super::super::i18n::Language::English);
        let theme = Theme::from_config(&crate::config::Config::defaults().unwrap().display);
        let mut look = LiveLook {
            texts: &texts,
            theme: &theme,
            diagnostic: false,
        };
        assert_eq!(look.caption(&unknown_face()).0, "Unknown");
        look.diagnostic = true;
        assert_eq!(look.caption(&unknown_face()).0, "Unknown  -0.05");
    }

    #[test]
    fn frames_beyond_the_texture_limit_are_scaled_to_fit() {
        let wide = image::RgbImage::new(10_000, 300);
        assert_eq!(display_image(&wide, 16_384).size, [MAX_TEXTURE_SIDE, 245]);
        assert_eq!(display_image(&wide, 2048).size, [2048, 61]);
        let small = image::RgbImage::new(640, 480);
        assert_eq!(display_image(&small, 2048).size, [640, 480]);
    }
}
