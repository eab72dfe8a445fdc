//! The settings screen: camera, recognition threshold (with the live similarity beside it), visit
//! cool-down, retention and consent, saved to the user's TOML config.

use std::path::PathBuf;

use super::i18n::{Language, Texts};
use super::theme;
use crate::config::{
    ColourScheme, Config, DisplayConfig, GreetingDetails, KioskConfig, PixelFormat,
    RecognitionConfig,
};
use crate::gallery::StrangerOutlook;
use crate::staff_service::StaffRequest;

pub struct SettingsScreen {
    /// The settings in force.
    pub saved: Config,
    draft: Config,
    /// Where Save writes (the user's config file).
    path: PathBuf,
    problem: Option<String>,
    /// The bar the gallery sets now, from the recognition thread.
    pub outlook: Option<StrangerOutlook>,
}

impl SettingsScreen {
    pub fn new(config: Config, path: PathBuf) -> Self {
        Self {
            draft: config.clone(),
            saved: config,
            path,
            problem: None,
            outlook: None,
        }
    }

    /// Whether a save changes the frame source, which needs the camera restarted.
    pub fn camera_changed(before: &Config, after: &Config) -> bool {
        let (a, b) = (&before.kiosk, &after.kiosk);
        (
            a.source.as_str(),
            a.camera_width,
            a.camera_height,
            a.camera_format,
            a.images_fps,
        ) != (
            b.source.as_str(),
            b.camera_width,
            b.camera_height,
            b.camera_format,
            b.images_fps,
        )
    }

    pub fn settings_ui(
        &mut self,
        ui: &mut egui::Ui,
        outbox: &mut Vec<StaffRequest>,
        live_similarity: Option<(String, f32)>,
        texts: &Texts,
    ) {
        // Save and Undo stay in view above the settings, however far they scroll.
        self.save_row_ui(ui, outbox, texts);
        ui.separator();
        egui::ScrollArea::vertical().show(ui, |ui| {
            section_ui(
                ui,
                texts,
                "settings-section-camera",
                "settings_camera",
                |ui| {
                    camera_rows_ui(ui, &mut self.draft.kiosk, texts);
                },
            );
            section_ui(
                ui,
                texts,
                "settings-section-recognition",
                "settings_recognition",
                |ui| {
                    recognition_rows_ui(
                        ui,
                        &mut self.draft.recognition,
                        live_similarity,
                        self.outlook,
                        texts,
                    );
                },
            );
            section_ui(
                ui,
                texts,
                "settings-section-visits",
                "settings_visits",
                |ui| {
                    visit_rows_ui(ui, &mut self.draft.kiosk, texts);
                },
            );
            section_ui(
                ui,
                texts,
                "settings-section-display",
                "settings_display",
                |ui| {
                    display_rows_ui(ui, &mut self.draft.display, texts);
                },
            );
        });
    }

    /// Save and Undo, with what went wrong and where the settings go.
    fn save_row_ui(&mut self, ui: &mut egui::Ui, outbox: &mut Vec<StaffRequest>, texts: &Texts) {
        if let Some(problem) = &self.problem {
            ui.colored_label(theme::PROBLEM, problem);
        }
        ui.horizontal(|ui| {
            let changed = self.draft != self.saved;
            if ui
                .add_enabled(changed, egui::Button::new(texts.get("settings-save")))
                .clicked()
            {
                self.problem = self
                    .draft
                    .kiosk
                    .source
                    .parse::<crate::camera::SourceSpec>()
                    .err()
                    .map(|e| e.to_string());
                if self.problem.is_none() {
                    outbox.push(StaffRequest::SaveSettings {
                        config: Box::new(self.draft.clone()),
                        path: self.path.clone(),
                    });
                }
            }
            if ui
                .add_enabled(changed, egui::Button::new(texts.get("settings-undo")))
                .clicked()
            {
                self.draft = self.saved.clone();
                self.problem = None;
            }
        });
        let path = self.path.display().to_string();
        ui.weak(texts.with("settings-saved-to", &[("path", path.into())]));
    }

    /// `config` was just saved: it is the settings in force.
    pub fn mark_saved(&mut self, config: &Config) {
        self.saved = config.clone();
    }
}

/// A heading and a two-column grid of settings under it.
fn section_ui(
    ui: &mut egui::Ui,
    texts: &Texts,
    title: &str,
    grid_id: &str,
    rows: impl FnOnce(&mut egui::Ui),
) {
    ui.add_space(theme::spacing::MEDIUM);
    ui.strong(texts.get(title));
    egui::Grid::new(grid_id)
        .num_columns(2)
        .spacing([12.0, 8.0])
        .show(ui, rows);
}

/// A checkbox row: the label on the left, the box and its sentence on the right.
fn check_row_ui(ui: &mut egui::Ui, texts: &Texts, label: &str, value: &mut bool, sentence: &str) {
    ui.label(texts.get(label));
    ui.checkbox(value, texts.get(sentence));
    ui.end_row();
}

/// All details or none; a list of names chosen in the config file is shown, and kept until the box
/// is changed.
fn greeting_details_row_ui(ui: &mut egui::Ui, texts: &Texts, details: &mut GreetingDetails) {
    ui.label(texts.get("settings-greeting"));
    ui.vertical(|ui| {
        let mut shown = details.shows_any();
        if ui
            .checkbox(&mut shown, texts.get("settings-greeting-details"))
            .changed()
        {
            *details = GreetingDetails::All(shown);
        }
        if let GreetingDetails::Named(names) = details
            && !names.is_empty()
        {
            ui.weak(texts.with(
                "settings-greeting-only",
                &[("names", names.join(", ").into())],
            ));
        }
    });
    ui.end_row();
}

fn camera_rows_ui(ui: &mut egui::Ui, kiosk: &mut KioskConfig, texts: &Texts) {
    let label = ui.label(texts.get("settings-camera"));
    ui.add(
        egui::TextEdit::singleline(&mut kiosk.source).hint_text(texts.get("settings-camera-hint")),
    )
    .labelled_by(label.id);
    ui.end_row();
    ui.label(texts.get("settings-resolution"));
    ui.horizontal(|ui| {
        ui.add(
            egui::DragValue::new(&mut kiosk.camera_width)
                .range(160..=3840)
                .suffix(texts.get("settings-px-wide")),
        );
        ui.add(
            egui::DragValue::new(&mut kiosk.camera_height)
                .range(120..=2160)
                .suffix(texts.get("settings-px-high")),
        );
    });
    ui.end_row();
    ui.label(texts.get("settings-pixel-format"));
    egui::ComboBox::from_id_salt("camera_format")
        .selected_text(kiosk.camera_format.as_str())
        .show_ui(ui, |ui| {
            for format in PixelFormat::ALL {
                ui.selectable_value(&mut kiosk.camera_format, format, format.as_str());
            }
        });
    ui.end_row();
}

fn recognition_rows_ui(
    ui: &mut egui::Ui,
    recognition: &mut RecognitionConfig,
    live_similarity: Option<(String, f32)>,
    outlook: Option<StrangerOutlook>,
    texts: &Texts,
) {
    ui.label(texts.get("settings-threshold"));
    // The gallery's size may raise the bar above the threshold being set.
    let bar = outlook
        .and_then(|o| o.raised_to)
        .map_or(recognition.threshold, |raised| {
            raised.max(recognition.threshold)
        });
    ui.vertical(|ui| {
        ui.add(egui::Slider::new(&mut recognition.threshold, 0.25..=0.85).step_by(0.01));
        match &live_similarity {
            Some((who, similarity)) => {
                let verdict = texts.get(if *similarity >= bar {
                    "settings-would-recognise"
                } else {
                    "settings-would-stay-unknown"
                });
                let who = if who.is_empty() {
                    texts.get("settings-closest-person")
                } else {
                    who.clone()
                };
                ui.weak(texts.with(
                    "settings-face-in-view",
                    &[
                        ("similarity", format!("{similarity:.2}").into()),
                        ("name", who.into()),
                        ("verdict", verdict.into()),
                    ],
                ));
            }
            None => {
                ui.weak(texts.get("settings-stand-in-front"));
            }
        }
    });
    ui.end_row();
    ui.label(texts.get("settings-margin"));
    ui.add(egui::Slider::new(&mut recognition.margin, 0.0..=0.3).step_by(0.01));
    ui.end_row();
    strangers_rows_ui(ui, recognition, outlook, texts);
}

/// Choices for `recognition.max_strangers_named` (0: the threshold alone).
const STRANGER_SHARES: [f64; 4] = [0.01, 0.001, 0.0001, 0.0];

fn share_text(share: f64, texts: &Texts) -> String {
    if share > 0.0 {
        let count = (1.0 / share).round() as u64;
        texts.with("settings-one-in", &[("count", count.into())])
    } else {
        texts.get("settings-max-strangers-off")
    }
}

/// The share of strangers the kiosk may name, and what the gallery's size makes of it now.
fn strangers_rows_ui(
    ui: &mut egui::Ui,
    recognition: &mut RecognitionConfig,
    outlook: Option<StrangerOutlook>,
    texts: &Texts,
) {
    ui.label(texts.get("settings-max-strangers"));
    ui.vertical(|ui| {
        egui::ComboBox::from_id_salt("max_strangers_named")
            .selected_text(share_text(recognition.max_strangers_named, texts))
            .show_ui(ui, |ui| {
                for share in STRANGER_SHARES {
                    let text = share_text(share, texts);
                    ui.selectable_value(&mut recognition.max_strangers_named, share, text);
                }
            });
        if let Some(outlook) = outlook {
            let bar = format!("{:.2}", outlook.bar);
            let line = match outlook.strangers_named {
                Some(rate) => texts.with(
                    "settings-outlook",
                    &[
                        ("people", outlook.people.into()),
                        ("bar", bar.into()),
                        ("count", (1.0 / rate.max(1e-9)).round().into()),
                    ],
                ),
                None => texts.with(
                    "settings-outlook-too-few",
                    &[("people", outlook.people.into()), ("bar", bar.into())],
                ),
            };
            ui.weak(line);
            if let Some(regulars) = &outlook.regulars {
                ui.weak(texts.with(
                    "settings-outlook-regulars",
                    &[
                        ("people", regulars.people.into()),
                        ("days", regulars.days.into()),
                        ("bar", format!("{:.2}", regulars.bar).into()),
                    ],
                ));
            }
        }
    });
    ui.end_row();
}

fn visit_rows_ui(ui: &mut egui::Ui, kiosk: &mut KioskConfig, texts: &Texts) {
    ui.label(texts.get("settings-cooldown"));
    ui.add(
        egui::DragValue::new(&mut kiosk.visit_cooldown_minutes)
            .range(0..=1440)
            .suffix(texts.get("settings-minutes")),
    );
    ui.end_row();
    ui.label(texts.get("settings-keep-visits"));
    ui.add(
        egui::DragValue::new(&mut kiosk.retention_days)
            .range(0..=36_500)
            .suffix(texts.get("settings-days")),
    );
    ui.end_row();
    check_row_ui(
        ui,
        texts,
        "settings-consent",
        &mut kiosk.require_consent,
        "settings-consent-box",
    );
    greeting_details_row_ui(ui, texts, &mut kiosk.greeting_details);
    check_row_ui(
        ui,
        texts,
        "settings-capture",
        &mut kiosk.capture_needs_pin,
        "settings-capture-pin",
    );
    check_row_ui(
        ui,
        texts,
        "settings-start",
        &mut kiosk.fullscreen,
        "settings-fullscreen",
    );
}

fn display_rows_ui(ui: &mut egui::Ui, display: &mut DisplayConfig, texts: &Texts) {
    let label = ui.label(texts.get("settings-language"));
    egui::ComboBox::from_id_salt("language")
        .selected_text(display.language.native_name())
        .show_ui(ui, |ui| {
            for language in Language::ALL {
                ui.selectable_value(&mut display.language, language, language.native_name());
            }
        })
        .response
        .labelled_by(label.id);
    ui.end_row();
    ui.label(texts.get("settings-theme"));
    ui.horizontal(|ui| {
        for scheme in ColourScheme::ALL {
            let name = match scheme {
                ColourScheme::Dark => "theme-dark",
                ColourScheme::Light => "theme-light",
            };
            ui.radio_value(&mut display.theme, scheme, texts.get(name));
        }
        ui.checkbox(
            &mut display.high_contrast,
            texts.get("settings-high-contrast"),
        );
    });
    ui.end_row();
    ui.label(texts.get("settings-font-scale"));
    ui.add(egui::Slider::new(&mut display.font_scale, crate::config::FONT_SCALES).step_by(0.05));
    ui.end_row();
    for (label, value, hint) in [
        ("settings-shop-name", &mut display.shop_name, None),
        (
            "settings-welcome-text",
            &mut display.welcome_text,
            Some("settings-welcome-hint"),
        ),
    ] {
        let label = ui.label(texts.get(label));
        let mut edit = egui::TextEdit::singleline(value).desired_width(320.0);
        if let Some(hint) = hint {
            edit = edit.hint_text(texts.get(hint));
        }
        ui.add(edit).labelled_by(label.id);
        ui.end_row();
    }
    let label = ui.label(texts.get("settings-logo"));
    let mut logo = display.logo.to_string_lossy().into_owned();
    let edit = ui
        .add(
            egui::TextEdit::singleline(&mut logo)
                .hint_text(texts.get("settings-logo-hint"))
                .desired_width(320.0),
        )
        .labelled_by(label.id);
    if edit.changed() {
        display.logo = logo.into();
    }
    ui.end_row();
    check_row_ui(
        ui,
        texts,
        "settings-diagnostic",
        &mut display.diagnostic_overlay,
        "settings-diagnostic-box",
    );
}
