//! The live picture with a box and a name over every face, and the status line.

use egui::{Align2, Color32, FontId, Rect, Sense, Stroke, StrokeKind, pos2, vec2};

use crate::camera::CaptureStats;
use crate::recognizer::{FrameReport, TrackLabel, TrackView};

const KNOWN: Color32 = Color32::from_rgb(80, 200, 120);
const UNKNOWN: Color32 = Color32::from_rgb(255, 176, 60);
const PENDING: Color32 = Color32::from_rgb(190, 190, 190);

fn label_of(track: &TrackView) -> (String, Color32) {
    match &track.label {
        TrackLabel::Known { name, .. } => (name.clone(), KNOWN),
        TrackLabel::Unknown => ("Unknown".into(), UNKNOWN),
        TrackLabel::Pending => ("…".into(), PENDING),
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
) -> Option<u64> {
    let available = ui.available_rect_before_wrap();
    ui.allocate_rect(available, Sense::hover());
    let painter = ui.painter_at(available);
    painter.rect_filled(available, 0.0, Color32::from_gray(16));
    let Some(texture) = texture else {
        painter.text(
            available.center(),
            Align2::CENTER_CENTER,
            "Starting the camera…",
            FontId::proportional(24.0),
            Color32::LIGHT_GRAY,
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
        let (name, color) = label_of(track);
        let chosen = selected
            .filter(|id| report.tracks.iter().any(|t| t.id == *id))
            .or(largest)
            == Some(track.id);
        let width = if chosen { 4.0 } else { 2.0 };
        painter.rect_stroke(rect, 6.0, Stroke::new(width, color), StrokeKind::Outside);
        let caption = match track.similarity {
            Some(s) => format!("{name}  {s:.2}"),
            None => name,
        };
        let galley = painter.layout_no_wrap(caption, FontId::proportional(20.0), Color32::BLACK);
        let text_pos = rect.left_top() - vec2(0.0, galley.size().y + 6.0);
        painter.rect_filled(
            Rect::from_min_size(text_pos, galley.size()).expand(4.0),
            4.0,
            color,
        );
        painter.galley(text_pos, galley, Color32::BLACK);
        let response = ui.interact(rect, ui.scope_id().with(("face", track.id)), Sense::click());
        if response
            .on_hover_text("Click to choose this face for Capture")
            .clicked()
        {
            clicked = Some(track.id);
        }
    }
    clicked
}

/// "Camera 25.0 fps · detection 8 ms · embedding 31 ms/face · dropped 3 of 900 frames".
pub fn status_text(
    report: Option<&FrameReport>,
    embed_ms: Option<f32>,
    stats: &CaptureStats,
) -> String {
    let mut text = format!("Camera {:.1} fps", stats.fps);
    if let Some(report) = report {
        text.push_str(&format!(" · detection {:.0} ms", report.detect_ms));
    }
    if let Some(embed_ms) = embed_ms {
        text.push_str(&format!(" · embedding {embed_ms:.0} ms/face"));
    }
    text.push_str(&format!(
        " · dropped {} of {} frames",
        stats.dropped, stats.frames
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_beyond_the_texture_limit_are_scaled_to_fit() {
        let wide = image::RgbImage::new(10_000, 300);
        assert_eq!(display_image(&wide, 16_384).size, [MAX_TEXTURE_SIDE, 245]);
        assert_eq!(display_image(&wide, 2048).size, [2048, 61]);
        let small = image::RgbImage::new(640, 480);
        assert_eq!(display_image(&small, 2048).size, [640, 480]);
    }
}
