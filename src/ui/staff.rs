//! Staff mode: the PIN gate, the screen tabs, and routing of the staff service's answers to the
//! screens.

use std::time::{Duration, Instant};

use super::audit::AuditScreen;
use super::i18n::Texts;
use super::import::ImportScreen;
use super::people::PeopleScreen;
use super::roll_call::RollCallScreen;
use super::settings::SettingsScreen;
use super::visits::VisitsScreen;
use super::worker_text;
use crate::gallery::GalleryChanges;
use crate::gallery::PinCheck;
use crate::staff_service::{StaffDone, StaffReply, StaffRequest};

/// Staff mode locks itself after this long without input.
const IDLE_LOCK: Duration = Duration::from_secs(180);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Live,
    People,
    Visits,
    RollCall,
    Settings,
    Audit,
    Import,
}

impl Screen {
    const ALL: [Screen; 7] = [
        Screen::Live,
        Screen::People,
        Screen::Visits,
        Screen::Import,
        Screen::RollCall,
        Screen::Settings,
        Screen::Audit,
    ];

    /// The tab's message id.
    fn title(self) -> &'static str {
        match self {
            Screen::Live => "nav-live",
            Screen::People => "nav-people",
            Screen::Visits => "nav-visits",
            Screen::RollCall => "nav-roll-call",
            Screen::Settings => "nav-settings",
            Screen::Audit => "nav-audit",
            Screen::Import => "nav-import",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PinMode {
    Enter,
    /// No PIN exists yet: the first staff member chooses one.
    Create,
}

/// What the PIN prompt tells staff, drawn in the window's language.
#[derive(Debug, Clone, PartialEq)]
enum PinMessage {
    Wrong {
        tries_left: i64,
    },
    Locked {
        until: i64,
    },
    NotSet,
    Differ,
    /// Why saving a new PIN failed, already in the window's language.
    Failed(String),
}

impl PinMessage {
    fn text(&self, texts: &Texts) -> String {
        match self {
            PinMessage::Wrong { tries_left } => {
                texts.with("pin-wrong", &[("tries", (*tries_left).into())])
            }
            PinMessage::Locked { until } => {
                texts.with("pin-locked", &[("when", texts.date_time(*until).into())])
            }
            PinMessage::NotSet => texts.get("pin-not-set"),
            PinMessage::Differ => texts.get("pin-differ"),
            PinMessage::Failed(message) => message.clone(),
        }
    }
}

struct PinDialog {
    mode: PinMode,
    entry: String,
    confirm: String,
    message: Option<PinMessage>,
    waiting: bool,
}

/// Everything staff mode holds.
pub struct StaffState {
    pub unlocked: bool,
    pub screen: Screen,
    pin: Option<PinDialog>,
    last_activity: Instant,
    pub people: PeopleScreen,
    pub visits: VisitsScreen,
    pub roll_call: RollCallScreen,
    pub settings: SettingsScreen,
    pub audit: AuditScreen,
    /// Goes on while staff mode is locked: an import is not stopped halfway by the idle lock.
    pub import: ImportScreen,
    /// Requests for the staff service, sent by the app after drawing.
    pub outbox: Vec<StaffRequest>,
    /// The last change's outcome, shown on the staff screens.
    pub status: Option<(String, bool)>,
    /// Settings that were just saved, for the app to put in force.
    pub applied_settings: Option<crate::config::Config>,
}

impl StaffState {
    pub fn new(settings: SettingsScreen, import: ImportScreen) -> Self {
        Self {
            unlocked: false,
            screen: Screen::Live,
            pin: None,
            last_activity: Instant::now(),
            people: PeopleScreen::default(),
            visits: VisitsScreen::default(),
            roll_call: RollCallScreen::default(),
            settings,
            audit: AuditScreen::default(),
            import,
            outbox: Vec::new(),
            status: None,
            applied_settings: None,
        }
    }

    pub fn lock(&mut self) {
        self.unlocked = false;
        self.screen = Screen::Live;
        self.people = PeopleScreen::default();
        self.visits = VisitsScreen::default();
        self.roll_call = RollCallScreen::default();
        self.audit = AuditScreen::default();
        self.status = None;
    }

    /// Opens the PIN prompt (staff asked for the staff screens).
    pub fn ask_pin(&mut self) {
        self.pin = Some(PinDialog {
            mode: PinMode::Enter,
            entry: String::new(),
            confirm: String::new(),
            message: None,
            waiting: false,
        });
    }

    pub fn pin_dialog_open(&self) -> bool {
        self.pin.is_some()
    }

    fn open(&mut self, screen: Screen) {
        self.screen = screen;
        self.status = None;
        match screen {
            Screen::People => {
                self.outbox.push(StaffRequest::ListPeople);
                self.outbox.push(StaffRequest::Groups);
            }
            Screen::RollCall => self.outbox.push(StaffRequest::Groups),
            Screen::Visits => {
                self.outbox.push(StaffRequest::ListPeople);
                self.outbox.push(StaffRequest::Visits(self.visits.filter()));
            }
            Screen::Audit => self.outbox.push(StaffRequest::AuditLog),
            Screen::Live | Screen::Settings | Screen::Import => {}
        }
    }

    /// Notes input in a drawn pass (the window is shown).
    pub fn note_activity(&mut self, ctx: &egui::Context) {
        if ctx.input(|i| !i.events.is_empty()) {
            self.last_activity = Instant::now();
        }
    }

    /// Locks staff mode when nobody touched the kiosk for a while. Checked in `App::logic`, which
    /// also runs while the window is minimised, so that the input of restoring the window cannot
    /// count as activity that keeps the staff screens open.
    pub fn lock_when_idle(&mut self) {
        if self.unlocked && self.last_activity.elapsed() > IDLE_LOCK {
            self.lock();
        }
    }

    /// Routes the staff service's answer to whoever asked.
    pub fn receive(&mut self, reply: StaffReply, texts: &Texts) {
        match reply {
            StaffReply::Pin(check) => self.pin_checked(check),
            StaffReply::People(people) => {
                self.visits.set_people(&people);
                self.people.set_people(people);
            }
            StaffReply::Person(detail) => self.people.set_detail(*detail),
            StaffReply::PersonGone(person_id) => self.people.forget(&[person_id].into()),
            StaffReply::Visits {
                visits,
                first_visit,
            } => self.visits.set_visits(visits, first_visit),
            StaffReply::Audit(entries) => self.audit.entries = entries,
            StaffReply::Groups(groups) => {
                self.people.set_groups(&groups);
                self.roll_call.set_groups(groups);
                if self.screen == Screen::RollCall {
                    self.ask_attendance();
                }
            }
            StaffReply::Attendance { attendance, now } => {
                self.roll_call.set_attendance(*attendance, now);
            }
            StaffReply::Done(done) => {
                if let Some(dialog) = self.pin.take_if(|d| d.waiting && d.mode == PinMode::Create) {
                    drop(dialog);
                    self.unlock();
                }
                if let StaffDone::SettingsSaved { config, .. } = &done {
                    self.settings.mark_saved(config);
                    self.applied_settings = Some(config.as_ref().clone());
                }
                self.status = Some((worker_text::done_text(texts, &done), false));
                self.refresh();
            }
            StaffReply::Failed(error) => {
                let message = worker_text::staff_error_text(texts, &error);
                if let Some(dialog) = &mut self.pin {
                    dialog.waiting = false;
                    dialog.message = Some(PinMessage::Failed(message.clone()));
                }
                self.status = Some((message, true));
            }
        }
    }

    fn unlock(&mut self) {
        self.unlocked = true;
        self.last_activity = Instant::now();
        self.open(Screen::People);
    }

    fn pin_checked(&mut self, check: PinCheck) {
        let Some(dialog) = &mut self.pin else { return };
        dialog.waiting = false;
        dialog.entry.clear();
        match check {
            PinCheck::Accepted => {
                self.pin = None;
                self.unlock();
            }
            PinCheck::Wrong { tries_left } => {
                dialog.message = Some(PinMessage::Wrong { tries_left });
            }
            PinCheck::Locked { until } => {
                dialog.message = Some(PinMessage::Locked { until });
            }
            PinCheck::NotSet => {
                dialog.mode = PinMode::Create;
                dialog.message = Some(PinMessage::NotSet);
            }
        }
    }

    /// Drops people who were removed and asks again for what the open screen shows, after a change
    /// to the gallery made anywhere.
    pub fn gallery_changed(&mut self, changes: &GalleryChanges) {
        self.people.forget(&changes.removed);
        if self.unlocked {
            self.refresh();
        }
    }

    /// Asks again for an open roll call whose grace period just ended (checked in `App::logic`).
    pub fn refresh_outdated_roll_call(&mut self) {
        let now = crate::gallery::now_ms();
        if self.unlocked && self.screen == Screen::RollCall && self.roll_call.outdated(now) {
            self.roll_call.refresh_asked(now);
            self.ask_attendance();
        }
    }

    /// A visit was just logged here: an open roll call shows the arrival.
    pub fn visit_logged(&mut self) {
        if self.unlocked && self.screen == Screen::RollCall {
            self.ask_attendance();
        }
    }

    fn ask_attendance(&mut self) {
        if let Some(query) = self.roll_call.query() {
            self.outbox.push(StaffRequest::Attendance(query));
        }
    }

    /// Asks again for what the open screen shows, after a change.
    fn refresh(&mut self) {
        match self.screen {
            Screen::RollCall => self.outbox.push(StaffRequest::Groups),
            Screen::People => {
                self.outbox.push(StaffRequest::ListPeople);
                self.outbox.push(StaffRequest::Groups);
                if let Some(id) = self.people.selected_id() {
                    self.outbox.push(StaffRequest::LoadPerson(id));
                }
            }
            Screen::Visits => self.outbox.push(StaffRequest::Visits(self.visits.filter())),
            Screen::Audit => self.outbox.push(StaffRequest::AuditLog),
            Screen::Live | Screen::Settings | Screen::Import => {}
        }
    }

    /// The tab row of staff mode, or the Staff button of the public view. Returns true when staff
    /// asked to toggle full screen.
    pub fn nav_ui(&mut self, ui: &mut egui::Ui, texts: &Texts) -> bool {
        let mut toggle_fullscreen = false;
        ui.horizontal(|ui| {
            ui.heading("Frontdesk");
            ui.separator();
            if self.unlocked {
                for screen in Screen::ALL {
                    if ui
                        .selectable_label(self.screen == screen, texts.get(screen.title()))
                        .clicked()
                        && self.screen != screen
                    {
                        self.open(screen);
                    }
                }
                ui.separator();
                toggle_fullscreen = ui.button(texts.get("nav-fullscreen")).clicked();
                if ui.button(texts.get("nav-lock")).clicked() {
                    self.lock();
                }
            } else if ui
                .button(texts.get("nav-staff"))
                .on_hover_text(texts.get("nav-staff-hint"))
                .clicked()
            {
                self.ask_pin();
            }
        });
        toggle_fullscreen
    }

    /// The PIN prompt, when open.
    pub fn pin_dialog_ui(&mut self, ctx: &egui::Context, texts: &Texts) {
        let Some(dialog) = &mut self.pin else { return };
        let mut close = false;
        let mut request = None;
        let modal = egui::Modal::new(egui::Id::unique("pin_dialog")).show(ctx, |ui| {
            ui.set_width(320.0);
            let creating = dialog.mode == PinMode::Create;
            ui.heading(texts.get(if creating {
                "pin-choose-title"
            } else {
                "pin-title"
            }));
            let label = ui.label(texts.get("pin-label"));
            let entry = ui
                .add(
                    egui::TextEdit::singleline(&mut dialog.entry)
                        .password(true)
                        .desired_width(200.0),
                )
                .labelled_by(label.id);
            if !creating && !dialog.waiting {
                entry.request_focus();
            }
            if creating {
                let label = ui.label(texts.get("pin-repeat"));
                ui.add(
                    egui::TextEdit::singleline(&mut dialog.confirm)
                        .password(true)
                        .desired_width(200.0),
                )
                .labelled_by(label.id);
            }
            if let Some(message) = &dialog.message {
                ui.colored_label(super::theme::LATE, message.text(texts));
            }
            ui.horizontal(|ui| {
                let submit = ui
                    .add_enabled(!dialog.waiting, egui::Button::new(texts.get("pin-unlock")))
                    .clicked()
                    || (entry.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)));
                if submit {
                    if creating && dialog.entry != dialog.confirm {
                        dialog.message = Some(PinMessage::Differ);
                    } else if creating {
                        dialog.waiting = true;
                        request = Some(StaffRequest::SetPin(dialog.entry.clone()));
                    } else {
                        dialog.waiting = true;
                        request = Some(StaffRequest::CheckPin(dialog.entry.clone()));
                    }
                }
                if ui.button(texts.get("cancel")).clicked() {
                    close = true;
                }
            });
        });
        if modal.should_close() {
            close = true;
        }
        if let Some(request) = request {
            self.outbox.push(request);
        }
        if close {
            self.pin = None;
        }
    }

    /// The open staff screen.
    pub fn screen_ui(
        &mut self,
        ui: &mut egui::Ui,
        live_similarity: Option<(String, f32)>,
        texts: &Texts,
    ) {
        if let Some((message, is_error)) = &self.status {
            let color = if *is_error {
                super::theme::PROBLEM
            } else {
                super::theme::DONE
            };
            ui.colored_label(color, message);
            ui.separator();
        }
        match self.screen {
            Screen::Live => {}
            Screen::People => self.people.people_ui(ui, &mut self.outbox, texts),
            Screen::Visits => self.visits.visits_ui(ui, &mut self.outbox, texts),
            Screen::RollCall => self.roll_call.roll_call_ui(ui, &mut self.outbox, texts),
            Screen::Settings => {
                self.settings
                    .settings_ui(ui, &mut self.outbox, live_similarity, texts)
            }
            Screen::Audit => self.audit.audit_ui(ui, &mut self.outbox, texts),
            Screen::Import => self.import.import_ui(ui, texts),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::ui::Language;

    #[test]
    fn a_record_asked_for_again_after_its_erasure_goes_quietly() {
        let config = Config::defaults().unwrap();
        let settings = SettingsScreen::new(config.clone(), "config.toml".into());
        let mut staff = StaffState::new(settings, ImportScreen::new(config, "gallery.db".into()));
        let texts = Texts::new(Language::English);
        staff
            .people
            .set_detail(super::super::people::tests::detail(7, "Sam Carter"));
        staff.receive(StaffReply::Done(StaffDone::PersonDeleted), &texts);
        let deleted = staff.status.clone();
        assert!(
            deleted
                .as_ref()
                .is_some_and(|(text, failed)| text.starts_with("Deleted") && !failed)
        );
        // A reload asked for before the erasure's answer came back finds nobody.
        staff.receive(StaffReply::PersonGone(7), &texts);
        assert_eq!(staff.status, deleted, "the erasure's status stays");
        assert_eq!(
            staff.people.selected_id(),
            None,
            "the erased record is no longer shown"
        );
    }
}
