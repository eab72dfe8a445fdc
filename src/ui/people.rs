//! The people screen: search, photos and details, edit, add photos, merge, export, delete.

use std::collections::{BTreeSet, HashMap};

use crate::gallery::{Group, GroupId, NewPerson, Person, PersonId};
use crate::staff_service::{PersonDetail, StaffRequest};
use crate::ui::i18n::Texts;
use crate::ui::theme;

/// An editable copy of a person's name, details and consent.
#[derive(Debug, Clone, Default, PartialEq)]
struct Draft {
    name: String,
    details: Vec<(String, String)>,
    consent: bool,
}

impl Draft {
    fn of(person: &Person) -> Self {
        Self {
            name: person.name.clone(),
            details: person
                .details
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            consent: person.consent_at.is_some(),
        }
    }

    fn to_new_person(&self) -> NewPerson {
        NewPerson {
            name: self.name.trim().to_owned(),
            details: self
                .details
                .iter()
                .filter(|(k, v)| !k.trim().is_empty() && !v.trim().is_empty())
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                .collect(),
            consent: self.consent,
        }
    }
}

#[derive(Default)]
pub struct PeopleScreen {
    people: Vec<Person>,
    search: String,
    detail: Option<PersonDetail>,
    draft: Draft,
    photo_path: String,
    export_folder: String,
    merge_into: Option<PersonId>,
    confirm_delete: bool,
    /// Every group, by name, to add the person shown to or remove them from.
    groups: Vec<(GroupId, String)>,
    /// Photo textures by face id (never reused), with the person they show.
    thumbnails: HashMap<i64, (PersonId, egui::TextureHandle)>,
}

impl PeopleScreen {
    pub fn set_people(&mut self, people: Vec<Person>) {
        if let Some(detail) = &self.detail
            && !people.iter().any(|p| p.id == detail.person.id)
        {
            self.detail = None;
        }
        self.people = people;
    }

    pub fn set_groups(&mut self, groups: &[Group]) {
        self.groups = groups.iter().map(|g| (g.id, g.name.clone())).collect();
    }

    /// Forgets everything shown of people who were erased or merged away: their record, their
    /// line in the list and their photos' textures.
    pub fn forget(&mut self, removed: &BTreeSet<PersonId>) {
        if removed.is_empty() {
            return;
        }
        if self.selected_id().is_some_and(|id| removed.contains(&id)) {
            self.detail = None;
            self.draft = Draft::default();
            self.confirm_delete = false;
            self.merge_into = None;
        }
        self.people.retain(|p| !removed.contains(&p.id));
        self.thumbnails
            .retain(|_, (person_id, _)| !removed.contains(person_id));
    }

    /// Shows a person's record. A refresh of the person already shown (after a change elsewhere)
    /// keeps the operator's unsaved edits and an open delete confirmation.
    pub fn set_detail(&mut self, detail: PersonDetail) {
        let same_person = self.selected_id() == Some(detail.person.id);
        let editing = same_person
            && self
                .detail
                .as_ref()
                .is_some_and(|shown| self.draft != Draft::of(&shown.person));
        if !editing {
            self.draft = Draft::of(&detail.person);
        }
        if !same_person {
            self.confirm_delete = false;
            self.merge_into = None;
        }
        self.detail = Some(detail);
    }

    pub fn selected_id(&self) -> Option<PersonId> {
        self.detail.as_ref().map(|d| d.person.id)
    }

    pub fn people_ui(&mut self, ui: &mut egui::Ui, outbox: &mut Vec<StaffRequest>, texts: &Texts) {
        egui::Panel::left("people_list")
            .min_size(260.0)
            .show(ui, |ui| {
                let label = ui.label(texts.get("people-search"));
                ui.add(
                    egui::TextEdit::singleline(&mut self.search)
                        .hint_text(texts.get("people-search-hint")),
                )
                .labelled_by(label.id);
                ui.separator();
                let needle = self.search.trim().to_lowercase();
                egui::ScrollArea::vertical().show(ui, |ui| {
                    for person in self
                        .people
                        .iter()
                        .filter(|p| p.name.to_lowercase().contains(&needle))
                    {
                        let selected = self.selected_id() == Some(person.id);
                        let text = texts.with(
                            "people-list-entry",
                            &[
                                ("name", person.name.as_str().into()),
                                ("photos", person.face_count.into()),
                                ("visits", person.visit_count.into()),
                            ],
                        );
                        if ui.selectable_label(selected, text).clicked() {
                            outbox.push(StaffRequest::LoadPerson(person.id));
                        }
                    }
                    if self.people.is_empty() {
                        ui.weak(texts.get("people-none"));
                    }
                });
            });
        egui::CentralPanel::default().show(ui, |ui| match self.detail.take() {
            Some(detail) => {
                egui::ScrollArea::vertical()
                    .show(ui, |ui| self.detail_ui(ui, &detail, outbox, texts));
                self.detail = Some(detail);
            }
            None => {
                ui.weak(texts.get("people-choose"));
            }
        });
    }

    fn detail_ui(
        &mut self,
        ui: &mut egui::Ui,
        detail: &PersonDetail,
        outbox: &mut Vec<StaffRequest>,
        texts: &Texts,
    ) {
        self.header_ui(ui, detail, texts);
        ui.separator();
        self.fields_ui(ui, &detail.person, outbox, texts);
        self.groups_ui(ui, detail, outbox, texts);
        ui.separator();
        self.files_ui(ui, detail.person.id, outbox, texts);
        self.merge_ui(ui, detail.person.id, outbox, texts);
        ui.separator();
        self.delete_ui(ui, &detail.person, outbox, texts);
        ui.separator();
        visits_ui(ui, detail, texts);
    }

    /// Name, enrolment, consent and the person's photos.
    fn header_ui(&mut self, ui: &mut egui::Ui, detail: &PersonDetail, texts: &Texts) {
        let person = &detail.person;
        ui.heading(&person.name);
        let consent = person.consent_at.map_or_else(
            || texts.get("people-consent-not-recorded"),
            |at| texts.date_time(at),
        );
        ui.label(texts.with(
            "people-summary",
            &[
                ("when", texts.date_time(person.created_at).into()),
                ("visits", person.visit_count.into()),
                ("consent", consent.into()),
            ],
        ));
        ui.horizontal_wrapped(|ui| {
            for face in &detail.faces {
                let (_, texture) = self.thumbnails.entry(face.id).or_insert_with(|| {
                    (
                        face.person_id,
                        thumbnail_texture(ui.ctx(), face.id, &face.thumbnail_jpeg),
                    )
                });
                ui.add(
                    egui::Image::new(&*texture)
                        .fit_to_exact_size(egui::vec2(96.0, 96.0))
                        .alt_text(texts.with("people-photo-alt", &[("id", face.id.into())])),
                );
            }
        });
    }

    /// The editable name, details and consent, with Save.
    fn fields_ui(
        &mut self,
        ui: &mut egui::Ui,
        person: &Person,
        outbox: &mut Vec<StaffRequest>,
        texts: &Texts,
    ) {
        egui::Grid::new("person_fields")
            .num_columns(3)
            .spacing([8.0, 6.0])
            .show(ui, |ui| {
                // Sized, not just a desired width: inside a grid a text field is otherwise
                // squeezed to the column's width of the previous frame ("Sam" for "Sam Carter").
                let height = ui.spacing().interact_size.y;
                let label = ui.label(texts.get("field-name"));
                ui.add_sized(
                    [theme::size::FORM_FIELD_WIDTH, height],
                    egui::TextEdit::singleline(&mut self.draft.name),
                )
                .labelled_by(label.id);
                ui.end_row();
                let mut remove = None;
                for (index, (key, value)) in self.draft.details.iter_mut().enumerate() {
                    ui.add_sized(
                        [theme::size::DETAIL_KEY_WIDTH, height],
                        egui::TextEdit::singleline(key).hint_text(texts.get("people-detail-hint")),
                    );
                    ui.add_sized(
                        [theme::size::FORM_FIELD_WIDTH, height],
                        egui::TextEdit::singleline(value).hint_text(texts.get("people-value-hint")),
                    );
                    if ui.button(texts.get("people-remove")).clicked() {
                        remove = Some(index);
                    }
                    ui.end_row();
                }
                if let Some(index) = remove {
                    self.draft.details.remove(index);
                }
            });
        ui.horizontal(|ui| {
            if ui.button(texts.get("people-add-detail")).clicked() {
                self.draft.details.push((String::new(), String::new()));
            }
            ui.checkbox(&mut self.draft.consent, texts.get("people-consent"));
        });
        let changed = self.draft != Draft::of(person);
        if ui
            .add_enabled(
                changed && !self.draft.name.trim().is_empty(),
                egui::Button::new(texts.get("people-save")),
            )
            .clicked()
        {
            outbox.push(StaffRequest::UpdatePerson(
                person.id,
                self.draft.to_new_person(),
            ));
        }
    }

    /// Adding a photo from a file, and exporting everything stored about the person.
    fn files_ui(
        &mut self,
        ui: &mut egui::Ui,
        person_id: PersonId,
        outbox: &mut Vec<StaffRequest>,
        texts: &Texts,
    ) {
        if let Some(path) = super::path_action_ui(
            ui,
            &texts.get("people-photo-file"),
            "/path/to/photo.jpg",
            &mut self.photo_path,
            &texts.get("people-add-photo"),
        ) {
            outbox.push(StaffRequest::AddPhotoFile { person_id, path });
            self.photo_path.clear();
        }
        if let Some(folder) = super::path_action_ui(
            ui,
            &texts.get("people-export-folder"),
            "/media/usb/request-17",
            &mut self.export_folder,
            &texts.get("people-export"),
        ) {
            outbox.push(StaffRequest::ExportPerson { person_id, folder });
        }
    }

    /// Merging the person into someone else (a duplicate).
    fn merge_ui(
        &mut self,
        ui: &mut egui::Ui,
        person_id: PersonId,
        outbox: &mut Vec<StaffRequest>,
        texts: &Texts,
    ) {
        ui.horizontal(|ui| {
            let others: Vec<&Person> = self.people.iter().filter(|p| p.id != person_id).collect();
            let chosen = self
                .merge_into
                .and_then(|id| others.iter().find(|p| p.id == id))
                .map_or_else(|| texts.get("choose"), |p| p.name.clone());
            let label = ui.label(texts.get("people-same-as"));
            egui::ComboBox::from_id_salt("merge_into")
                .selected_text(chosen)
                .show_ui(ui, |ui| {
                    for other in &others {
                        ui.selectable_value(&mut self.merge_into, Some(other.id), &other.name);
                    }
                })
                .response
                .labelled_by(label.id);
            if let Some(into) = self.merge_into
                && ui.button(texts.get("people-merge")).clicked()
            {
                outbox.push(StaffRequest::MergePeople {
                    from: person_id,
                    into,
                });
                self.detail = None;
            }
        });
    }

    /// Delete, behind a confirmation.
    fn delete_ui(
        &mut self,
        ui: &mut egui::Ui,
        person: &Person,
        outbox: &mut Vec<StaffRequest>,
        texts: &Texts,
    ) {
        if self.confirm_delete {
            ui.colored_label(
                super::theme::PROBLEM,
                texts.with(
                    "people-delete-confirm",
                    &[("name", person.name.as_str().into())],
                ),
            );
            ui.horizontal(|ui| {
                if ui.button(texts.get("people-delete-yes")).clicked() {
                    outbox.push(StaffRequest::DeletePerson(person.id));
                }
                if ui.button(texts.get("keep")).clicked() {
                    self.confirm_delete = false;
                }
            });
        } else if ui.button(texts.get("people-delete")).clicked() {
            self.confirm_delete = true;
        }
    }
}

/// The person's latest visits.
fn visits_ui(ui: &mut egui::Ui, detail: &PersonDetail, texts: &Texts) {
    ui.label(egui::RichText::new(texts.get("people-recent-visits")).strong());
    for visit in detail.visits.iter().take(20) {
        ui.label(texts.with(
            "people-visit",
            &[
                ("when", texts.date_time(visit.at).into()),
                ("similarity", format!("{:.2}", visit.similarity).into()),
                ("source", visit.source.as_str().into()),
            ],
        ));
    }
}

impl PeopleScreen {
    /// A box per group: ticked for the groups the person belongs to.
    fn groups_ui(
        &self,
        ui: &mut egui::Ui,
        detail: &PersonDetail,
        outbox: &mut Vec<StaffRequest>,
        texts: &Texts,
    ) {
        if self.groups.is_empty() {
            return;
        }
        ui.horizontal_wrapped(|ui| {
            ui.label(texts.get("people-groups"));
            for (group, name) in &self.groups {
                let was_member = detail.groups.iter().any(|(id, _)| id == group);
                let mut member = was_member;
                if ui.checkbox(&mut member, name).changed() {
                    let (group, person) = (*group, detail.person.id);
                    outbox.push(if member {
                        StaffRequest::AddMember { group, person }
                    } else {
                        StaffRequest::RemoveMember { group, person }
                    });
                }
            }
        });
    }
}

fn thumbnail_texture(ctx: &egui::Context, id: i64, jpeg: &[u8]) -> egui::TextureHandle {
    let image = image::load_from_memory(jpeg)
        .map(image::DynamicImage::into_rgb8)
        .unwrap_or_else(|e| {
            tracing::warn!(face = id, error = %e, "stored thumbnail is unreadable");
            image::RgbImage::new(1, 1)
        });
    let color = egui::ColorImage::from_rgb(
        [image.width() as usize, image.height() as usize],
        image.as_raw(),
    );
    ctx.load_texture(format!("face_{id}"), color, egui::TextureOptions::LINEAR)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(in crate::ui) fn detail(id: PersonId, name: &str) -> PersonDetail {
        PersonDetail {
            person: Person {
                id,
                uid: format!("{id:032x}"),
                name: name.into(),
                details: Default::default(),
                consent_at: None,
                consent_withdrawn_at: None,
                created_at: 0,
                updated_at: 0,
                face_count: 1,
                visit_count: 0,
                last_visit_at: None,
            },
            faces: Vec::new(),
            visits: Vec::new(),
            groups: Vec::new(),
        }
    }

    type Shown = (PeopleScreen, Vec<StaffRequest>);

    /// The screen showing Sam Carter's record, in `language`.
    fn sam_in(language: crate::ui::Language) -> egui_kittest::Harness<'static, Shown> {
        let mut screen = PeopleScreen::default();
        screen.set_people(vec![detail(1, "Sam Carter").person]);
        screen.set_detail(detail(1, "Sam Carter"));
        let texts = Texts::new(language);
        let mut harness = egui_kittest::Harness::builder()
            .with_size([1000.0, 600.0])
            .build_ui_state(
                move |ui, (screen, outbox): &mut Shown| screen.people_ui(ui, outbox, &texts),
                (screen, Vec::new()),
            );
        harness.run_steps(3);
        harness
    }

    #[test]
    fn the_name_field_is_wide_enough_for_a_whole_name() {
        let harness = sam_in(crate::ui::Language::English);
        use egui_kittest::kittest::Queryable;
        let width = harness.get_by_label("Name").rect().width();
        assert!(
            width >= theme::size::FORM_FIELD_WIDTH - 1.0,
            "{width} points"
        );
    }

    #[test]
    fn the_people_screen_speaks_german() {
        use egui_kittest::kittest::Queryable;
        let mut harness = sam_in(crate::ui::Language::German);
        assert!(
            harness
                .query_by_label("Sam Carter  (1 Foto, 0 Besuche)")
                .is_some()
        );
        assert!(harness.query_by_label("Änderungen speichern").is_some());
        assert!(harness.query_by_label("Save changes").is_none());
        harness.get_by_label("Person löschen").click();
        harness.run();
        let confirm = "Sam Carter mit allen Fotos, Angaben und Besuchen löschen?";
        assert!(
            harness
                .query_all_by_label_contains(confirm)
                .next()
                .is_some()
        );
    }

    #[test]
    fn a_refresh_keeps_edits_and_the_delete_confirmation_but_a_new_person_does_not() {
        let mut screen = PeopleScreen::default();
        screen.set_detail(detail(1, "Ada"));
        screen.draft.name = "Ada Lovelace".into();
        screen.confirm_delete = true;
        screen.set_detail(detail(1, "Ada"));
        assert_eq!(screen.draft.name, "Ada Lovelace");
        assert!(screen.confirm_delete);
        screen.set_detail(detail(2, "Bob"));
        assert_eq!(screen.draft.name, "Bob");
        assert!(!screen.confirm_delete);
    }

    #[test]
    fn someone_removed_elsewhere_leaves_the_record_the_list_and_the_photos() {
        let ctx = egui::Context::default();
        let mut screen = PeopleScreen::default();
        screen.set_people(vec![detail(1, "Ada").person, detail(2, "Bob").person]);
        screen.set_detail(detail(1, "Ada"));
        screen.confirm_delete = true;
        let texture = |name: &str| {
            ctx.load_texture(
                name,
                egui::ColorImage::example(),
                egui::TextureOptions::LINEAR,
            )
        };
        screen.thumbnails.insert(10, (1, texture("a")));
        screen.thumbnails.insert(20, (2, texture("b")));

        screen.forget(&[1].into());
        assert_eq!(screen.selected_id(), None);
        assert!(!screen.confirm_delete);
        assert_eq!(screen.draft, Draft::default());
        assert_eq!(
            screen.people.iter().map(|p| p.id).collect::<Vec<_>>(),
            vec![2]
        );
        assert_eq!(
            screen.thumbnails.keys().copied().collect::<Vec<_>>(),
            vec![20]
        );
    }
}
