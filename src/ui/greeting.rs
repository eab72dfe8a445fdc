//! The greeting panel: who is at the desk, their details and visit history.

use std::time::Instant;

use super::theme;
use crate::attendance::CheckIn;
use crate::gallery::Person;
use crate::recognizer::{FrameReport, TrackLabel};

/// A recognised visitor to greet.
#[derive(Debug, Clone)]
pub struct Greeting {
    pub track: u64,
    /// With this visit counted; `last_visit_at` is the visit before it.
    pub person: Person,
    pub similarity: f32,
    pub last_seen: Instant,
    /// Sessions of the person's groups happening now.
    pub check_ins: Vec<CheckIn>,
}

impl Greeting {
    pub fn new(track: u64, person: Person, similarity: f32, check_ins: Vec<CheckIn>) -> Self {
        Self {
            track,
            person,
            similarity,
            last_seen: Instant::now(),
            check_ins,
        }
    }
}

/// "Tue 24 Nov 2026, 14:05" in the kiosk's time zone.
pub fn local_time(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map_or_else(
        |_| "unknown".into(),
        |t| {
            t.to_zoned(jiff::tz::TimeZone::system())
                .strftime("%a %-d %b %Y, %H:%M")
                .to_string()
        },
    )
}

/// Draws the greeting; returns the track staff marked as "not this person".
pub fn greeting_ui(
    ui: &mut egui::Ui,
    greeting: Option<&Greeting>,
    report: Option<&FrameReport>,
    show_details: bool,
) -> Option<u64> {
    ui.add_space(12.0);
    let Some(greeting) = greeting else {
        idle_ui(ui, report);
        return None;
    };
    let person = &greeting.person;
    let first_name = person
        .name
        .split_whitespace()
        .next()
        .unwrap_or(&person.name);
    let headline = if greeting.person.visit_count <= 1 {
        format!("Welcome, {first_name}!")
    } else {
        format!("Welcome back, {first_name}!")
    };
    ui.heading(egui::RichText::new(headline).size(28.0));
    ui.label(egui::RichText::new(&person.name).size(18.0));
    ui.add_space(8.0);
    ui.label(format!("Visit number {}", greeting.person.visit_count));
    match person.last_visit_at {
        Some(last) => ui.label(format!("Last visit: {}", local_time(last))),
        None => ui.label("First visit"),
    };
    // Group membership is a personal detail: shown only where details are.
    if show_details {
        for check_in in &greeting.check_ins {
            let (text, color) = if check_in.on_time {
                (
                    format!("You're on time for {}.", check_in.group),
                    theme::PRESENT,
                )
            } else {
                (format!("Checked in for {}.", check_in.group), theme::LATE)
            };
            ui.label(egui::RichText::new(text).size(18.0).color(color));
        }
    }
    if show_details && !person.details.is_empty() {
        ui.add_space(8.0);
        ui.separator();
        egui::Grid::new("details")
            .num_columns(2)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                for (key, value) in &person.details {
                    ui.label(egui::RichText::new(capitalised(key)).strong());
                    ui.label(value);
                    ui.end_row();
                }
            });
    }
    ui.add_space(8.0);
    ui.weak(format!("similarity {:.2}", greeting.similarity));
    ui.add_space(16.0);
    let wrong = ui
        .button(format!("Not {first_name}"))
        .on_hover_text("This is someone else: stop greeting this face with this name");
    wrong.clicked().then_some(greeting.track)
}

fn idle_ui(ui: &mut egui::Ui, report: Option<&FrameReport>) {
    let unknown = report.is_some_and(|r| r.tracks.iter().any(|t| t.label == TrackLabel::Unknown));
    if unknown {
        ui.heading("New visitor");
        ui.label("Press Capture (Space) to enrol the face in view.");
    } else {
        ui.heading("Waiting for visitors…");
    }
}

fn capitalised(key: &str) -> String {
    let mut chars = key.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detail_keys_are_capitalised() {
        assert_eq!(capitalised("coffee"), "Coffee");
        assert_eq!(capitalised(""), "");
    }
}
