//! What the public sees: the attract screen while nobody is in view, a large greeting for the
//! nearest visitor, a calm cue while a face is being recognised, and the new-visitor prompt.

use egui::{Align, Layout, RichText};

use super::greeting::{Greeting, Scene};
use super::i18n::Texts;
use super::theme::{Theme, size, spacing};
use crate::config::GreetingDetails;

/// Everything the public view shows, as plain data.
pub struct PublicView<'a> {
    pub scene: &'a Scene,
    pub texts: &'a Texts,
    pub theme: &'a Theme,
    /// `kiosk.greeting_details`: which details and whether the groups' check-ins go beside the
    /// name.
    pub details: &'a GreetingDetails,
    /// `display.diagnostic_overlay`: the similarity under the greeting.
    pub diagnostic: bool,
    pub shop_name: &'a str,
    /// Empty: the language's own welcome.
    pub welcome_text: &'a str,
    pub logo: Option<&'a egui::TextureHandle>,
}

/// What staff did on the public view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicCommand {
    /// "Not Sam": the greeted face is someone else.
    NotThem { track: u64 },
}

impl PublicView<'_> {
    /// The whole area: the shop's name, welcome and logo, centred.
    pub fn attract_ui(&self, ui: &mut egui::Ui) {
        let palette = &self.theme.palette;
        let area = ui.available_rect_before_wrap();
        ui.painter().rect_filled(area, 0.0, palette.backdrop);
        ui.with_layout(Layout::top_down(Align::Center), |ui| {
            ui.add_space((area.height() * 0.18).max(spacing::LARGE));
            if let Some(logo) = self.logo {
                ui.add(
                    egui::Image::new(logo)
                        .max_height(size::LOGO_HEIGHT)
                        .alt_text(self.texts.get("attract-logo")),
                );
                ui.add_space(spacing::LARGE);
            }
            ui.label(
                RichText::new(self.shop_name)
                    .size(self.theme.text(size::ATTRACT_TITLE))
                    .color(palette.text)
                    .strong(),
            );
            ui.add_space(spacing::MEDIUM);
            let welcome = if self.welcome_text.trim().is_empty() {
                self.texts.get("attract-welcome")
            } else {
                self.welcome_text.to_owned()
            };
            ui.label(
                RichText::new(welcome)
                    .size(self.theme.text(size::ATTRACT_WELCOME))
                    .color(palette.weak_text),
            );
        });
    }

    /// The panel beside the camera picture.
    pub fn panel_ui(&self, ui: &mut egui::Ui) -> Option<PublicCommand> {
        ui.add_space(spacing::LARGE);
        match self.scene {
            Scene::Attract => {
                self.cue_ui(ui, "public-waiting");
                None
            }
            Scene::LookAtCamera => {
                self.cue_ui(ui, "public-look-at-camera");
                None
            }
            Scene::NewVisitor => {
                self.new_visitor_ui(ui);
                None
            }
            Scene::Greeting {
                greeting,
                opacity,
                others,
            } => {
                ui.set_opacity(*opacity);
                let command = self.greeting_ui(ui, greeting);
                self.others_ui(ui, others);
                command
            }
        }
    }

    fn cue_ui(&self, ui: &mut egui::Ui, message: &str) {
        ui.label(
            RichText::new(self.texts.get(message))
                .size(self.theme.text(size::CUE))
                .color(self.theme.palette.cue),
        );
    }

    fn new_visitor_ui(&self, ui: &mut egui::Ui) {
        ui.label(
            RichText::new(self.texts.get("public-new-visitor"))
                .size(self.theme.text(size::GREETING_HEADLINE))
                .color(self.theme.palette.unknown)
                .strong(),
        );
        ui.add_space(spacing::MEDIUM);
        ui.label(
            RichText::new(self.texts.get("public-capture-hint"))
                .size(self.theme.text(size::GREETING_DETAIL))
                .color(self.theme.palette.weak_text),
        );
    }

    fn greeting_ui(&self, ui: &mut egui::Ui, greeting: &Greeting) -> Option<PublicCommand> {
        let (texts, palette) = (self.texts, &self.theme.palette);
        let person = &greeting.person;
        let first_name = person
            .name
            .split_whitespace()
            .next()
            .unwrap_or(&person.name);
        let headline_id = if person.visit_count <= 1 {
            "greeting-welcome"
        } else {
            "greeting-welcome-back"
        };
        let headline = texts.with(headline_id, &[("name", first_name.into())]);
        ui.label(
            RichText::new(headline)
                .size(self.theme.text(size::GREETING_HEADLINE))
                .color(palette.known)
                .strong(),
        );
        // A borderline match could be a stranger who looks alike: their first name, nothing else.
        if greeting.confident {
            self.person_lines_ui(ui, greeting);
        }
        if self.diagnostic {
            ui.add_space(spacing::SMALL);
            let similarity = format!("{:.2}", greeting.similarity);
            ui.label(
                RichText::new(texts.with(
                    "diagnostic-similarity",
                    &[("similarity", similarity.into())],
                ))
                .size(self.theme.text(size::DIAGNOSTIC))
                .color(palette.weak_text),
            );
        }
        ui.add_space(spacing::LARGE);
        let not_them = texts.with("greeting-not-them", &[("name", first_name.into())]);
        ui.small_button(not_them)
            .on_hover_text(texts.get("greeting-not-them-hint"))
            .clicked()
            .then_some(PublicCommand::NotThem {
                track: greeting.track,
            })
    }

    /// The full name, the visit history and (where the kiosk shows them) the details.
    fn person_lines_ui(&self, ui: &mut egui::Ui, greeting: &Greeting) {
        let texts = self.texts;
        self.line_ui(ui, greeting.person.name.clone(), size::GREETING_FULL_NAME);
        ui.add_space(spacing::MEDIUM);
        let visits = texts.with(
            "greeting-visit-number",
            &[("count", greeting.person.visit_count.into())],
        );
        self.line_ui(ui, visits, size::GREETING_LINE);
        let last = match greeting.person.last_visit_at {
            Some(last) => texts.with(
                "greeting-last-visit",
                &[("when", texts.date_time(last).into())],
            ),
            None => texts.get("greeting-first-visit"),
        };
        self.line_ui(ui, last, size::GREETING_LINE);
        // Group membership is a personal detail: shown only where the kiosk is set to.
        if self.details.shows_check_ins() {
            self.check_ins_ui(ui, greeting);
        }
        self.details_ui(ui, greeting);
    }

    fn line_ui(&self, ui: &mut egui::Ui, text: String, points: f32) {
        ui.label(
            RichText::new(text)
                .size(self.theme.text(points))
                .color(self.theme.palette.text),
        );
    }

    fn check_ins_ui(&self, ui: &mut egui::Ui, greeting: &Greeting) {
        for check_in in &greeting.check_ins {
            let (id, color) = if check_in.on_time {
                ("greeting-on-time", super::theme::PRESENT)
            } else {
                ("greeting-checked-in", super::theme::LATE)
            };
            let text = self
                .texts
                .with(id, &[("group", check_in.group.clone().into())]);
            ui.label(
                RichText::new(text)
                    .size(self.theme.text(size::GREETING_DETAIL))
                    .color(color),
            );
        }
    }

    fn details_ui(&self, ui: &mut egui::Ui, greeting: &Greeting) {
        let details: Vec<(&String, &String)> = greeting
            .person
            .details
            .iter()
            .filter(|(name, _)| self.details.shows(name))
            .collect();
        if details.is_empty() {
            return;
        }
        ui.add_space(spacing::MEDIUM);
        ui.separator();
        let points = self.theme.text(size::GREETING_DETAIL);
        egui::Grid::new("greeting_details")
            .num_columns(2)
            .spacing([spacing::MEDIUM, spacing::SMALL])
            .show(ui, |ui| {
                for (key, value) in details {
                    ui.label(RichText::new(capitalised(key)).size(points).strong());
                    ui.label(RichText::new(value).size(points));
                    ui.end_row();
                }
            });
    }

    fn others_ui(&self, ui: &mut egui::Ui, others: &[String]) {
        if others.is_empty() {
            return;
        }
        ui.add_space(spacing::LARGE);
        let names = others.join(", ");
        ui.label(
            RichText::new(
                self.texts
                    .with("public-also-here", &[("name", names.into())]),
            )
            .size(self.theme.text(size::OTHERS))
            .color(self.theme.palette.weak_text),
        );
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
