//! Colours and sizes shared by the kiosk's screens.

use egui::Color32;

/// Roll call: arrived on time.
pub const PRESENT: Color32 = Color32::from_rgb(80, 200, 120);
/// Roll call: arrived after the grace period.
pub const LATE: Color32 = Color32::from_rgb(255, 176, 60);
/// Roll call: not seen once the grace period was over.
pub const ABSENT: Color32 = Color32::from_rgb(255, 110, 100);
/// Roll call: not seen yet, or not recognisable (no consent).
pub const PENDING: Color32 = Color32::from_rgb(170, 170, 180);
/// A problem with what staff typed.
pub const PROBLEM: Color32 = Color32::from_rgb(255, 140, 120);

/// Height of the weekly attendance chart.
pub const CHART_HEIGHT: f32 = 200.0;
/// Width of a date field (YYYY-MM-DD).
pub const DATE_FIELD_WIDTH: f32 = 100.0;
