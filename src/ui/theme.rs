//! Design tokens: the kiosk's colours, text sizes and spacing in one place, for a dark or light
//! look, with a high-contrast variant and a font scale (`[display]` in the config).

use egui::Color32;

use crate::config::{ColourScheme, DisplayConfig};

/// Roll call: arrived on time.
pub const PRESENT: Color32 = Color32::from_rgb(80, 200, 120);
/// Roll call: arrived after the grace period.
pub const LATE: Color32 = Color32::from_rgb(255, 176, 60);
/// Roll call: not seen once the grace period was over.
pub const ABSENT: Color32 = Color32::from_rgb(255, 110, 100);
/// Roll call: not seen yet, or not recognisable (no consent).
pub const PENDING: Color32 = Color32::from_rgb(170, 170, 180);
/// A problem with what staff typed or asked for, and a deletion to confirm.
pub const PROBLEM: Color32 = Color32::from_rgb(255, 140, 120);
/// A staff change that went through.
pub const DONE: Color32 = Color32::from_rgb(150, 210, 255);
/// Visits chart: first-time visitors, and returning ones stacked on them.
pub const FIRST_VISIT: Color32 = Color32::from_rgb(80, 200, 120);
pub const RETURNING_VISIT: Color32 = Color32::from_rgb(120, 160, 255);
/// Backups: one failed or is too old; all is well.
pub const BACKUP_WARNING: Color32 = Color32::from_rgb(255, 190, 90);
pub const BACKUP_OK: Color32 = Color32::from_rgb(160, 200, 160);
/// Height of the visits-per-day chart.
pub const VISITS_CHART_HEIGHT: f32 = 220.0;

/// Height of the weekly attendance chart.
pub const CHART_HEIGHT: f32 = 200.0;
/// Width of a date field (YYYY-MM-DD).
pub const DATE_FIELD_WIDTH: f32 = 100.0;

/// Text sizes in points before the font scale. The public view's are read from two metres away
/// on a 1280×800 screen.
pub mod size {
    pub const ATTRACT_TITLE: f32 = 72.0;
    pub const ATTRACT_WELCOME: f32 = 32.0;
    pub const GREETING_HEADLINE: f32 = 56.0;
    pub const GREETING_FULL_NAME: f32 = 30.0;
    pub const GREETING_LINE: f32 = 26.0;
    pub const GREETING_DETAIL: f32 = 22.0;
    pub const CUE: f32 = 30.0;
    pub const OTHERS: f32 = 18.0;
    pub const DIAGNOSTIC: f32 = 14.0;
    pub const FACE_CAPTION: f32 = 20.0;
    pub const BANNER: f32 = 16.0;
    pub const FORM_WARNING: f32 = 17.0;
    /// The attract screen's logo, at most this high.
    pub const LOGO_HEIGHT: f32 = 180.0;
    /// The public panel beside the camera, as a share of the window's width.
    pub const PUBLIC_PANEL_SHARE: f32 = 0.42;
    pub const PUBLIC_PANEL_MIN: f32 = 360.0;
    pub const CAPTURE_BUTTON: [f32; 2] = [160.0, 36.0];
    pub const FORM_WIDTH: f32 = 460.0;
    pub const FORM_THUMBNAIL: f32 = 140.0;
    pub const FORM_FIELD_WIDTH: f32 = 300.0;
    /// The people screen's detail names ("phone", "coffee") beside their values.
    pub const DETAIL_KEY_WIDTH: f32 = 110.0;
}

/// Space between blocks, in points.
pub mod spacing {
    pub const SMALL: f32 = 6.0;
    pub const MEDIUM: f32 = 12.0;
    pub const LARGE: f32 = 24.0;
    pub const PANEL_MARGIN: f32 = 24.0;
    pub const WARNING_PADDING: f32 = 10.0;
}

/// The colours of one look.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Palette {
    /// Behind the camera picture and the attract screen.
    pub backdrop: Color32,
    pub text: Color32,
    pub weak_text: Color32,
    /// The greeting's headline and a known face's box.
    pub known: Color32,
    /// A face nobody knows yet.
    pub unknown: Color32,
    /// A face still being recognised.
    pub pending: Color32,
    /// Text on a face's coloured caption.
    pub caption_text: Color32,
    /// Background and text of a warning staff must not miss.
    pub warning_fill: Color32,
    pub warning_text: Color32,
    pub error: Color32,
    pub info: Color32,
    /// The calm "please look at the camera" cue.
    pub cue: Color32,
}

/// The window's look: palette and font scale, from `[display]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Theme {
    pub dark: bool,
    pub high_contrast: bool,
    pub font_scale: f32,
    pub palette: Palette,
}

impl Theme {
    pub fn from_config(display: &DisplayConfig) -> Self {
        let dark = display.theme == ColourScheme::Dark;
        Self {
            dark,
            high_contrast: display.high_contrast,
            font_scale: display.font_scale,
            palette: palette(dark, display.high_contrast),
        }
    }

    /// A text size scaled by the font scale.
    pub fn text(&self, points: f32) -> f32 {
        points * self.font_scale
    }

    /// Puts the look in force for every widget of `ctx`.
    pub fn apply(&self, ctx: &egui::Context) {
        let theme = if self.dark {
            egui::Theme::Dark
        } else {
            egui::Theme::Light
        };
        let mut style = egui::Style {
            visuals: theme.default_visuals(),
            ..Default::default()
        };
        for font in style.text_styles.values_mut() {
            font.size *= self.font_scale;
        }
        if self.high_contrast {
            let visuals = &mut style.visuals;
            visuals.override_text_color = Some(self.palette.text);
            visuals.panel_fill = self.palette.backdrop;
            visuals.window_fill = self.palette.backdrop;
            visuals.extreme_bg_color = self.palette.backdrop;
            for widget in [
                &mut visuals.widgets.noninteractive,
                &mut visuals.widgets.inactive,
                &mut visuals.widgets.hovered,
                &mut visuals.widgets.active,
            ] {
                widget.bg_stroke = egui::Stroke::new(2.0, self.palette.text);
                widget.fg_stroke.color = self.palette.text;
            }
        }
        ctx.set_theme(theme);
        ctx.set_style_of(theme, style);
    }
}

fn palette(dark: bool, high_contrast: bool) -> Palette {
    match (dark, high_contrast) {
        (true, false) => Palette {
            backdrop: Color32::from_gray(16),
            text: Color32::from_gray(235),
            weak_text: Color32::from_gray(160),
            known: Color32::from_rgb(80, 200, 120),
            unknown: Color32::from_rgb(255, 176, 60),
            pending: Color32::from_gray(190),
            caption_text: Color32::BLACK,
            warning_fill: Color32::from_rgb(110, 60, 0),
            warning_text: Color32::from_rgb(255, 220, 160),
            error: Color32::from_rgb(255, 140, 120),
            info: Color32::from_rgb(150, 210, 255),
            cue: Color32::from_rgb(170, 200, 230),
        },
        (true, true) => Palette {
            backdrop: Color32::BLACK,
            text: Color32::WHITE,
            weak_text: Color32::WHITE,
            known: Color32::from_rgb(0, 255, 120),
            unknown: Color32::from_rgb(255, 210, 0),
            pending: Color32::WHITE,
            caption_text: Color32::BLACK,
            warning_fill: Color32::from_rgb(255, 210, 0),
            warning_text: Color32::BLACK,
            error: Color32::from_rgb(255, 120, 120),
            info: Color32::from_rgb(120, 220, 255),
            cue: Color32::WHITE,
        },
        (false, false) => Palette {
            backdrop: Color32::from_gray(245),
            text: Color32::from_gray(20),
            weak_text: Color32::from_gray(90),
            known: Color32::from_rgb(20, 120, 60),
            unknown: Color32::from_rgb(190, 100, 0),
            pending: Color32::from_gray(110),
            caption_text: Color32::WHITE,
            warning_fill: Color32::from_rgb(255, 236, 200),
            warning_text: Color32::from_rgb(110, 50, 0),
            error: Color32::from_rgb(180, 30, 20),
            info: Color32::from_rgb(20, 80, 160),
            cue: Color32::from_rgb(40, 70, 110),
        },
        (false, true) => Palette {
            backdrop: Color32::WHITE,
            text: Color32::BLACK,
            weak_text: Color32::BLACK,
            known: Color32::from_rgb(0, 100, 0),
            unknown: Color32::from_rgb(150, 60, 0),
            pending: Color32::BLACK,
            caption_text: Color32::WHITE,
            warning_fill: Color32::BLACK,
            warning_text: Color32::from_rgb(255, 230, 0),
            error: Color32::from_rgb(170, 0, 0),
            info: Color32::from_rgb(0, 50, 150),
            cue: Color32::BLACK,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// WCAG's contrast ratio of two colours.
    fn contrast(a: Color32, b: Color32) -> f32 {
        let luminance = |c: Color32| {
            let linear = |v: u8| {
                let v = f32::from(v) / 255.0;
                if v <= 0.039_28 {
                    v / 12.92
                } else {
                    ((v + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * linear(c.r()) + 0.7152 * linear(c.g()) + 0.0722 * linear(c.b())
        };
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    #[test]
    fn text_is_readable_on_every_look_and_high_contrast_reaches_seven_to_one() {
        for dark in [true, false] {
            for high in [false, true] {
                let p = palette(dark, high);
                let needed = if high { 7.0 } else { 4.5 };
                for (what, fg, bg) in [
                    ("text", p.text, p.backdrop),
                    ("greeting", p.known, p.backdrop),
                    ("warning", p.warning_text, p.warning_fill),
                    ("cue", p.cue, p.backdrop),
                ] {
                    let ratio = contrast(fg, bg);
                    assert!(
                        ratio >= needed,
                        "{what} dark={dark} high={high}: {ratio:.1}"
                    );
                }
            }
        }
    }
}
