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
    let size = texture.size_vec2();
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
