//! The enrolment form: the captured face, guidance, a duplicate warning and a short form.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::i18n::Texts;
use super::theme::{Theme, size, spacing};
use crate::engine::AnalyzedFace;
use crate::gallery::{NewPerson, PersonId};
use crate::vision::quality::Guidance;

/// State of the open form.
pub struct EnrollForm {
    pub sample: Arc<AnalyzedFace>,
    /// More looks of the same visitor, enrolled with `sample` where they are the same face.
    pub further_looks: Vec<Arc<AnalyzedFace>>,
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
    /// The name field takes the keyboard on the form's first frame.
    focus_name: bool,
    thumbnail: Option<egui::TextureHandle>,
}

/// What the operator did in the form this frame.
#[derive(Debug)]
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
            further_looks: Vec::new(),
            guidance,
            existing,
            name: String::new(),
            phone: String::new(),
            email: String::new(),
            notes: String::new(),
            consent: false,
            saving: false,
            focus_name: true,
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

    /// Why Save is not possible yet (a message id), if it is not.
    fn missing(&self, require_consent: bool) -> Option<&'static str> {
        if self.name.trim().is_empty() {
            Some("enroll-name-missing")
        } else if require_consent && !self.consent {
            Some("enroll-consent-missing")
        } else {
            None
        }
    }
}

/// Plain data the form is drawn with.
pub struct FormContext<'a> {
    pub texts: &'a Texts,
    pub theme: &'a Theme,
    pub require_consent: bool,
}

/// Draws the form as a modal dialog. Esc or Cancel closes it without saving; Enter saves when the
/// form is complete.
pub fn enroll_form_ui(
    ctx: &egui::Context,
    form: &mut EnrollForm,
    with: &FormContext<'_>,
) -> FormAction {
    let mut action = FormAction::None;
    let texts = with.texts;
    let modal = egui::Modal::new(egui::Id::unique("enroll_form")).show(ctx, |ui| {
        ui.set_width(size::FORM_WIDTH);
        ui.heading(texts.get("enroll-title"));
        ui.add_space(spacing::SMALL);
        sample_ui(ui, form, with);
        if let Some(add_to) = duplicate_ui(ui, form, with) {
            action = add_to;
        }
        ui.add_space(spacing::SMALL);
        fields_ui(ui, form, texts);
        ui.checkbox(&mut form.consent, texts.get("enroll-consent"));
        ui.add_space(spacing::MEDIUM);
        let missing = form.missing(with.require_consent);
        match missing {
            Some(missing) => ui.colored_label(with.theme.palette.error, texts.get(missing)),
            None => ui.weak(texts.get("enroll-keys-hint")),
        };
        let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
        ui.horizontal(|ui| {
            let save_label = texts.get(if form.saving {
                "enroll-saving"
            } else {
                "enroll-save"
            });
            let ready = missing.is_none() && !form.saving;
            let clicked = ui
                .add_enabled(ready, egui::Button::new(save_label))
                .clicked();
            if ready && (clicked || (enter && matches!(action, FormAction::None))) {
                action = FormAction::Save(form.person());
            }
            if ui.button(texts.get("cancel")).clicked() {
                action = FormAction::Cancel;
            }
        });
    });
    if modal.should_close() && matches!(action, FormAction::None) {
        action = FormAction::Cancel;
    }
    action
}

/// The captured face beside what the picture's quality asks for.
fn sample_ui(ui: &mut egui::Ui, form: &mut EnrollForm, with: &FormContext<'_>) {
    let texts = with.texts;
    ui.horizontal(|ui| {
        let aligned = &form.sample.aligned;
        let texture = form.thumbnail.get_or_insert_with(|| {
            let image = egui::ColorImage::from_rgb(
                [aligned.width() as usize, aligned.height() as usize],
                aligned.as_raw(),
            );
            ui.ctx()
                .load_texture("enroll_sample", image, egui::TextureOptions::LINEAR)
        });
        ui.add(
            egui::Image::new(&*texture)
                .fit_to_exact_size(egui::Vec2::splat(size::FORM_THUMBNAIL))
                .alt_text(texts.get("enroll-captured-face")),
        );
        ui.vertical(|ui| match form.guidance {
            Some(guidance) => {
                warning_ui(ui, with.theme, &texts.get(guidance_message(guidance)));
                ui.label(texts.get("enroll-save-anyway"));
            }
            None => {
                ui.label(
                    egui::RichText::new(texts.get("enroll-good-picture"))
                        .color(with.theme.palette.known),
                );
            }
        });
    });
}

/// The warning that the face already matches someone, with the button to add the photo to them.
fn duplicate_ui(
    ui: &mut egui::Ui,
    form: &EnrollForm,
    with: &FormContext<'_>,
) -> Option<FormAction> {
    let (person_id, name, similarity) = form.existing.clone()?;
    let texts = with.texts;
    ui.add_space(spacing::SMALL);
    let similarity = format!("{similarity:.2}");
    let warning = texts.with(
        "enroll-duplicate",
        &[
            ("name", name.clone().into()),
            ("similarity", similarity.into()),
        ],
    );
    warning_ui(
        ui,
        with.theme,
        &format!("{warning} {}", texts.get("enroll-duplicate-advice")),
    );
    let add = texts.with("enroll-add-to", &[("name", name.into())]);
    ui.add_enabled(!form.saving, egui::Button::new(add))
        .clicked()
        .then_some(FormAction::AddTo(person_id))
}

/// A boxed, filled warning that cannot be mistaken for ordinary text.
fn warning_ui(ui: &mut egui::Ui, theme: &Theme, text: &str) {
    egui::Frame::new()
        .fill(theme.palette.warning_fill)
        .inner_margin(spacing::WARNING_PADDING)
        .corner_radius(4.0)
        .show(ui, |ui| {
            ui.label(
                egui::RichText::new(text)
                    .color(theme.palette.warning_text)
                    .size(theme.text(size::FORM_WARNING))
                    .strong(),
            );
        });
}

fn fields_ui(ui: &mut egui::Ui, form: &mut EnrollForm, texts: &Texts) {
    let focus_name = std::mem::take(&mut form.focus_name);
    egui::Grid::new("enroll_fields")
        .num_columns(2)
        .spacing([10.0, 8.0])
        .show(ui, |ui| {
            for (label, value, hint) in [
                ("enroll-name", &mut form.name, "enroll-required"),
                ("enroll-phone", &mut form.phone, "enroll-optional"),
                ("enroll-email", &mut form.email, "enroll-optional"),
                ("enroll-notes", &mut form.notes, "enroll-notes-hint"),
            ] {
                let label_response = ui.label(texts.get(label));
                let edit = ui.add(
                    egui::TextEdit::singleline(value)
                        .hint_text(texts.get(hint))
                        .desired_width(size::FORM_FIELD_WIDTH),
                );
                // The receptionist types the name straight after Capture.
                if focus_name && label == "enroll-name" {
                    edit.request_focus();
                }
                edit.labelled_by(label_response.id);
                ui.end_row();
            }
        });
}

fn guidance_message(guidance: Guidance) -> &'static str {
    match guidance {
        Guidance::MoveCloser => "guidance-move-closer",
        Guidance::TooDark => "guidance-too-dark",
        Guidance::TooBright => "guidance-too-bright",
        Guidance::LookAtCamera => "guidance-look-at-camera",
        Guidance::HoldStill => "guidance-hold-still",
    }
}

/// The message id of a guidance, for notices outside the form.
pub fn guidance_text(texts: &Texts, guidance: Guidance) -> String {
    texts.get(guidance_message(guidance))
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
        assert_eq!(form.missing(true), Some("enroll-name-missing"));
        form.name = "  Ada  ".into();
        assert_eq!(form.missing(true), Some("enroll-consent-missing"));
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
