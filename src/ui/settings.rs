//! The settings screen: camera, recognition threshold (with the live similarity beside it), visit
//! cool-down, retention and consent, saved to the user's TOML config.

use std::path::PathBuf;

use crate::config::Config;
use crate::recognizer::StaffRequest;

pub struct SettingsScreen {
    /// The settings in force.
    pub saved: Config,
    draft: Config,
    /// Where Save writes (the user's config file).
    path: PathBuf,
    problem: Option<String>,
}

impl SettingsScreen {
    pub fn new(config: Config, path: PathBuf) -> Self {
        Self {
            draft: config.clone(),
            saved: config,
            path,
            problem: None,
        }
    }

    /// Whether a save changes the frame source, which needs the camera restarted.
    pub fn camera_changed(before: &Config, after: &Config) -> bool {
        let (a, b) = (&before.kiosk, &after.kiosk);
        (
            a.source.as_str(),
            a.camera_width,
            a.camera_height,
            a.camera_format.as_str(),
            a.images_fps,
        ) != (
            b.source.as_str(),
            b.camera_width,
            b.camera_height,
            b.camera_format.as_str(),
            b.images_fps,
        )
    }

    pub fn settings_ui(
        &mut self,
        ui: &mut egui::Ui,
        outbox: &mut Vec<StaffRequest>,
        live_similarity: Option<(String, f32)>,
    ) {
        let kiosk = &mut self.draft.kiosk;
        let recognition = &mut self.draft.recognition;
        egui::Grid::new("settings")
            .num_columns(2)
            .spacing([12.0, 8.0])
            .show(ui, |ui| {
                let label = ui.label("Camera");
                ui.add(
                    egui::TextEdit::singleline(&mut kiosk.source)
                        .hint_text("auto, demo, webcam:0, video:FILE, images:DIR"),
                )
                .labelled_by(label.id);
                ui.end_row();
                ui.label("Resolution");
                ui.horizontal(|ui| {
                    ui.add(
                        egui::DragValue::new(&mut kiosk.camera_width)
                            .range(160..=3840)
                            .suffix(" px wide"),
                    );
                    ui.add(
                        egui::DragValue::new(&mut kiosk.camera_height)
                            .range(120..=2160)
                            .suffix(" px high"),
                    );
                });
                ui.end_row();
                ui.label("Pixel format");
                egui::ComboBox::from_id_salt("camera_format")
                    .selected_text(kiosk.camera_format.clone())
                    .show_ui(ui, |ui| {
                        for format in ["any", "yuyv", "mjpeg"] {
                            ui.selectable_value(
                                &mut kiosk.camera_format,
                                format.to_owned(),
                                format,
                            );
                        }
                    });
                ui.end_row();
                ui.label("Recognition threshold");
                ui.vertical(|ui| {
                    ui.add(
                        egui::Slider::new(&mut recognition.threshold, 0.25..=0.85).step_by(0.01),
                    );
                    match &live_similarity {
                        Some((who, similarity)) => {
                            let verdict = if *similarity >= recognition.threshold {
                                "would be recognised"
                            } else {
                                "would stay unknown"
                            };
                            ui.weak(format!("Face in view: {similarity:.2} to {who}, {verdict}"));
                        }
                        None => {
                            ui.weak("Stand in front of the camera to see its similarity here.");
                        }
                    }
                });
                ui.end_row();
                ui.label("Margin over the next person");
                ui.add(egui::Slider::new(&mut recognition.margin, 0.0..=0.3).step_by(0.01));
                ui.end_row();
                ui.label("Visit cool-down");
                ui.add(
                    egui::DragValue::new(&mut kiosk.visit_cooldown_minutes)
                        .range(0..=1440)
                        .suffix(" minutes"),
                );
                ui.end_row();
                ui.label("Keep visits for");
                ui.add(
                    egui::DragValue::new(&mut kiosk.retention_days)
                        .range(0..=36_500)
                        .suffix(" days (0 = forever)"),
                );
                ui.end_row();
                ui.label("Consent");
                ui.checkbox(
                    &mut kiosk.require_consent,
                    "Enrolment requires the visitor's consent",
                );
                ui.end_row();
                ui.label("Greeting");
                ui.checkbox(
                    &mut kiosk.greeting_details,
                    "Show the visitor's details (turn off when the screen faces the public)",
                );
                ui.end_row();
                ui.label("Capture");
                ui.checkbox(
                    &mut kiosk.capture_needs_pin,
                    "Capture needs the staff PIN (visitors cannot enrol unattended)",
                );
                ui.end_row();
                ui.label("Start");
                ui.checkbox(&mut kiosk.fullscreen, "Full screen (kiosk mode)");
                ui.end_row();
            });
        if let Some(problem) = &self.problem {
            ui.colored_label(egui::Color32::from_rgb(255, 140, 120), problem);
        }
        ui.horizontal(|ui| {
            let changed = self.draft != self.saved;
            if ui
                .add_enabled(changed, egui::Button::new("Save settings"))
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
                .add_enabled(changed, egui::Button::new("Undo changes"))
                .clicked()
            {
                self.draft = self.saved.clone();
                self.problem = None;
            }
        });
        ui.weak(format!("Saved to {}", self.path.display()));
    }

    /// The draft that was just saved becomes the settings in force.
    pub fn take_saved(&mut self) -> Option<Config> {
        (self.draft != self.saved).then(|| {
            self.saved = self.draft.clone();
            self.saved.clone()
        })
    }
}
