//! A group's name, weekly schedule and grace period, and its deletion, on the roll call screen.

use super::i18n::Texts;
use super::theme;
use crate::gallery::{Group, GroupId, Schedule, Weekdays};
use crate::staff_service::StaffRequest;

/// The editable copy of the chosen group's settings.
#[derive(Default)]
pub struct GroupSettings {
    /// The group the fields were filled from.
    group: Option<GroupId>,
    name: String,
    days: String,
    start: String,
    grace_minutes: i64,
    confirm_delete: bool,
    problem: Option<ScheduleProblem>,
}

/// What is wrong with a typed schedule, drawn in the window's language.
#[derive(Debug, Clone, PartialEq)]
enum ScheduleProblem {
    NoDays,
    BadDays(String),
    BadTime(String),
}

impl ScheduleProblem {
    fn text(&self, texts: &Texts) -> String {
        match self {
            Self::NoDays => texts.get("schedule-no-days"),
            Self::BadDays(text) => {
                texts.with("schedule-bad-days", &[("text", text.as_str().into())])
            }
            Self::BadTime(text) => {
                texts.with("schedule-bad-time", &[("text", text.as_str().into())])
            }
        }
    }
}

/// The schedule typed: none when both fields are empty.
fn parse_schedule(days: &str, start: &str) -> Result<Option<Schedule>, ScheduleProblem> {
    let (days, start) = (days.trim(), start.trim());
    if days.is_empty() && start.is_empty() {
        return Ok(None);
    }
    if days.is_empty() {
        return Err(ScheduleProblem::NoDays);
    }
    // The library's reason is English: the window names the whole field instead.
    let weekdays: Weekdays = days
        .parse()
        .map_err(|_| ScheduleProblem::BadDays(days.to_owned()))?;
    let start = start
        .parse()
        .map_err(|_| ScheduleProblem::BadTime(start.to_owned()))?;
    Ok(Some(Schedule { weekdays, start }))
}

impl GroupSettings {
    /// Fills the fields from `group` when another group was chosen.
    fn follow(&mut self, group: &Group) {
        if self.group == Some(group.id) {
            return;
        }
        *self = Self {
            group: Some(group.id),
            name: group.name.clone(),
            days: group
                .schedule
                .map(|s| s.weekdays.to_string())
                .unwrap_or_default(),
            start: group
                .schedule
                .map(|s| s.start.strftime("%H:%M").to_string())
                .unwrap_or_default(),
            grace_minutes: group.grace.as_mins(),
            ..Self::default()
        };
    }

    pub fn group_settings_ui(
        &mut self,
        ui: &mut egui::Ui,
        group: &Group,
        outbox: &mut Vec<StaffRequest>,
        texts: &Texts,
    ) {
        self.follow(group);
        egui::CollapsingHeader::new(texts.get("group-settings"))
            .id_salt("group_settings")
            .show(ui, |ui| {
                egui::Grid::new("group_settings_fields")
                    .num_columns(2)
                    .spacing([8.0, 6.0])
                    .show(ui, |ui| self.fields_ui(ui, group.id, outbox, texts));
                if let Some(problem) = &self.problem {
                    ui.colored_label(theme::PROBLEM, problem.text(texts));
                }
                self.delete_ui(ui, group, outbox, texts);
            });
    }

    fn fields_ui(
        &mut self,
        ui: &mut egui::Ui,
        group: GroupId,
        outbox: &mut Vec<StaffRequest>,
        texts: &Texts,
    ) {
        let label = ui.label(texts.get("field-name"));
        ui.horizontal(|ui| {
            ui.add(egui::TextEdit::singleline(&mut self.name).desired_width(200.0))
                .labelled_by(label.id);
            if ui
                .add_enabled(
                    !self.name.trim().is_empty(),
                    egui::Button::new(texts.get("group-rename")),
                )
                .clicked()
            {
                outbox.push(StaffRequest::RenameGroup {
                    group,
                    name: self.name.trim().to_owned(),
                });
            }
        });
        ui.end_row();
        let label = ui.label(texts.get("group-meets-on"));
        ui.add(
            egui::TextEdit::singleline(&mut self.days)
                .hint_text(texts.get("group-meets-on-hint"))
                .desired_width(200.0),
        )
        .labelled_by(label.id);
        ui.end_row();
        let label = ui.label(texts.get("group-starts-at"));
        ui.add(
            egui::TextEdit::singleline(&mut self.start)
                .hint_text("09:00")
                .desired_width(theme::DATE_FIELD_WIDTH),
        )
        .labelled_by(label.id);
        ui.end_row();
        let label = ui.label(texts.get("group-late-after"));
        ui.add(egui::DragValue::new(&mut self.grace_minutes).range(0..=240))
            .labelled_by(label.id);
        ui.end_row();
        ui.label("");
        if ui.button(texts.get("group-save-schedule")).clicked() {
            match parse_schedule(&self.days, &self.start) {
                Ok(schedule) => {
                    self.problem = None;
                    outbox.push(StaffRequest::SetSchedule {
                        group,
                        schedule,
                        grace: jiff::SignedDuration::from_mins(self.grace_minutes),
                    });
                }
                Err(problem) => self.problem = Some(problem),
            }
        }
        ui.end_row();
    }

    fn delete_ui(
        &mut self,
        ui: &mut egui::Ui,
        group: &Group,
        outbox: &mut Vec<StaffRequest>,
        texts: &Texts,
    ) {
        if !self.confirm_delete {
            self.confirm_delete = ui.button(texts.get("group-delete")).clicked();
            return;
        }
        ui.colored_label(
            theme::PROBLEM,
            texts.with(
                "group-delete-confirm",
                &[("group", group.name.as_str().into())],
            ),
        );
        ui.horizontal(|ui| {
            if ui.button(texts.get("group-delete-yes")).clicked() {
                outbox.push(StaffRequest::DeleteGroup(group.id));
                self.confirm_delete = false;
            }
            if ui.button(texts.get("keep")).clicked() {
                self.confirm_delete = false;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schedule_needs_days_and_a_time_or_neither() {
        assert_eq!(parse_schedule(" ", ""), Ok(None));
        let schedule = parse_schedule("mon-fri", "08:30").unwrap().unwrap();
        assert_eq!(schedule.weekdays.to_string(), "mon,tue,wed,thu,fri");
        assert_eq!(schedule.start, jiff::civil::Time::constant(8, 30, 0, 0));
        assert_eq!(
            parse_schedule("mon-fri", ""),
            Err(ScheduleProblem::BadTime(String::new()))
        );
        assert_eq!(parse_schedule("", "09:00"), Err(ScheduleProblem::NoDays));
        assert_eq!(
            parse_schedule(" someday ", "09:00"),
            Err(ScheduleProblem::BadDays("someday".into()))
        );
    }
}
