//! The enrolment form: the captured face, guidance, a duplicate warning and a short form.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::engine::AnalyzedFace;
use crate::gallery::{NewPerson, PersonId};
use crate::vision::quality::Guidance;

/// State of the open form.
pub struct EnrollForm {
    pub sample: Arc<AnalyzedFace>,
    pub guidance: Option<Guidance>,
    /// Someone the sample already matches: offer to add the photo to them instead.
    pub existing: Option<(PersonId, String, f32)>,
    pub name: String,
    pub phone: String,
    pub email: String,
    pub notes: String,
    pub consent: bool,
    /// Waiting for the worker to confirm the save.
    pub saving: bool,
    thumbnail: Option<egui::TextureHandle>,
}

/// What the operator did in the form this frame.
pub enum FormAction {
    None,
    Cancel,
    Save(NewPerson),
    AddTo(PersonId),
}

impl EnrollForm {
    pub fn new(
        sample: Arc<AnalyzedFace>,
        guidance: Option<Guidance>,
        existing: Option<(PersonId, String, f32)>,
    ) -> Self {
        Self {
            sample,
            guidance,
            existing,
            name: String::new(),
            phone: String::new(),
            email: String::new(),
            notes: String::new(),
            consent: false,
            saving: false,
            thumbnail: None,
        }
    }

    fn person(&self) -> NewPerson {
        let details: BTreeMap<String, String> = [
            ("phone", &self.phone),
            ("email", &self.email),
            ("notes", &self.notes),
        ]
        .into_iter()
        .filter(|(_, value)| !value.trim().is_empty())
        .map(|(key, value)| (key.to_owned(), value.trim().to_owned()))
        .collect();
        NewPerson {
            name: self.name.trim().to_owned(),
            details,
            consent: self.consent,
        }
    }

    /// Why Save is not possible yet, if it is not.
    fn missing(&self, require_consent: bool) -> Option<&'static str> {
        if self.name.trim().is_empty() {
            Some("A name is required.")
        } else if require_consent && !self.consent {
            Some("The visitor's consent is required.")
        } else {
            None
        }
    }
}

/// Draws the form as a modal dialog. Esc or Cancel closes it without saving.
pub fn enroll_form_ui(
    ctx: &egui::Context,
    form: &mut EnrollForm,
    require_consent: bool,
) -> FormAction {
    let mut action = FormAction::None;
    let modal = egui::Modal::new(egui::Id::unique("enroll_form")).show(ctx, |ui| {
        ui.set_width(440.0);
        ui.heading("Enrol a new visitor");
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            let aligned = &form.sample.aligned;
            let texture = form.thumbnail.get_or_insert_with(|| {
                let image = egui::ColorImage::from_rgb(
                    [aligned.width() as usize, aligned.height() as usize],
                    aligned.as_raw(),
                );
                ctx.load_texture("enroll_sample", image, egui::TextureOptions::LINEAR)
            });
            ui.add(
                egui::Image::new(&*texture)
                    .fit_to_exact_size(egui::vec2(140.0, 140.0))
                    .alt_text("Captured face"),
            );
            ui.vertical(|ui| match form.guidance {
                Some(guidance) => {
                    ui.colored_label(egui::Color32::from_rgb(255, 176, 60), guidance.message());
                    ui.label("You can save anyway, or cancel and capture again.");
                }
                None => {
                    ui.label("Good picture.");
                }
            });
        });
        if let Some((person_id, name, similarity)) = form.existing.clone() {
            ui.add_space(6.0);
            ui.colored_label(
                egui::Color32::from_rgb(255, 176, 60),
                format!("This face already looks like {name} (similarity {similarity:.2})."),
            );
            if ui
                .add_enabled(
                    !form.saving,
                    egui::Button::new(format!("Add photo to {name}")),
                )
                .clicked()
            {
                action = FormAction::AddTo(person_id);
            }
        }
        ui.add_space(6.0);
        egui::Grid::new("enroll_fields")
            .num_columns(2)
            .spacing([10.0, 8.0])
            .show(ui, |ui| {
                for (label, value, hint) in [
                    ("Name", &mut form.name, "required"),
                    ("Phone", &mut form.phone, "optional"),
                    ("Email", &mut form.email, "optional"),
                    ("Notes", &mut form.notes, "preferences, allergies, …"),
                ] {
                    let label = ui.label(label);
                    let edit = ui.add(
                        egui::TextEdit::singleline(value)
                            .hint_text(hint)
                            .desired_width(300.0),
                    );
                    edit.labelled_by(label.id);
                    ui.end_row();
                }
            });
        ui.checkbox(
            &mut form.consent,
            "The visitor agrees to be recognised by this kiosk",
        );
        ui.add_space(8.0);
        let missing = form.missing(require_consent);
        if let Some(missing) = missing {
            ui.weak(missing);
        }
        ui.horizontal(|ui| {
            let save_label = if form.saving { "Saving…" } else { "Save" };
            if ui
                .add_enabled(
                    missing.is_none() && !form.saving,
                    egui::Button::new(save_label),
                )
                .clicked()
            {
                action = FormAction::Save(form.person());
            }
            if ui.button("Cancel").clicked() {
                action = FormAction::Cancel;
            }
        });
    });
    if modal.should_close() && matches!(action, FormAction::None) {
        action = FormAction::Cancel;
    }
    action
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vision::quality::FaceQuality;
    use crate::vision::{BoundingBox, Detection, Embedding};

    fn form() -> EnrollForm {
        let mut raw = [0f32; 128];
        raw[0] = 1.0;
        let detection = Detection {
            bbox: BoundingBox {
                x: 0.0,
                y: 0.0,
                width: 100.0,
                height: 100.0,
            },
            score: 0.9,
            landmarks: [[0.0; 2]; 5],
        };
        let aligned = image::RgbImage::new(112, 112);
        let quality = FaceQuality::measure(&detection, &aligned);
        EnrollForm::new(
            Arc::new(AnalyzedFace {
                detection,
                aligned,
                embedding: Embedding::from_raw(&raw).unwrap(),
                quality,
            }),
            None,
            None,
        )
    }

    #[test]
    fn name_and_consent_are_required_and_empty_details_dropped() {
        let mut form = form();
        assert_eq!(form.missing(true), Some("A name is required."));
        form.name = "  Ada  ".into();
        assert_eq!(
            form.missing(true),
            Some("The visitor's consent is required.")
        );
        assert_eq!(form.missing(false), None);
        form.consent = true;
        form.phone = "555".into();
        form.email = "  ".into();
        let person = form.person();
        assert_eq!(person.name, "Ada");
        assert_eq!(person.details.len(), 1);
        assert!(person.consent);
    }
}
