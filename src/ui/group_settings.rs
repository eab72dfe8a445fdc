//! A group's name, weekly schedule and grace period, and its deletion, on the roll call screen.

use super::theme;
use crate::gallery::{Group, GroupId, Schedule, Weekdays};
use crate::recognizer::StaffRequest;

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
    problem: Option<String>,
}

/// The schedule typed: none when both fields are empty.
fn parse_schedule(days: &str, start: &str) -> Result<Option<Schedule>, String> {
    if days.trim().is_empty() && start.trim().is_empty() {
        return Ok(None);
    }
    let weekdays: Weekdays = days.parse()?;
    let start = start
        .trim()
        .parse()
        .map_err(|_| format!("`{}` is not a time of day like 09:00", start.trim()))?;
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
    ) {
        self.follow(group);
        egui::CollapsingHeader::new("Group settings")
            .id_salt("group_settings")
            .show(ui, |ui| {
                egui::Grid::new("group_settings_fields")
                    .num_columns(2)
                    .spacing([8.0, 6.0])
                    .show(ui, |ui| self.fields_ui(ui, group.id, outbox));
                if let Some(problem) = &self.problem {
                    ui.colored_label(theme::PROBLEM, problem);
                }
                self.delete_ui(ui, group, outbox);
            });
    }

    fn fields_ui(&mut self, ui: &mut egui::Ui, group: GroupId, outbox: &mut Vec<StaffRequest>) {
        let label = ui.label("Name");
        ui.horizontal(|ui| {
            ui.add(egui::TextEdit::singleline(&mut self.name).desired_width(200.0))
                .labelled_by(label.id);
            if ui
                .add_enabled(!self.name.trim().is_empty(), egui::Button::new("Rename"))
                .clicked()
            {
                outbox.push(StaffRequest::RenameGroup {
                    group,
                    name: self.name.trim().to_owned(),
                });
            }
        });
        ui.end_row();
        let label = ui.label("Meets on");
        ui.add(
            egui::TextEdit::singleline(&mut self.days)
                .hint_text("mon-fri (empty: no schedule)")
                .desired_width(200.0),
        )
        .labelled_by(label.id);
        ui.end_row();
        let label = ui.label("Starts at");
        ui.add(
            egui::TextEdit::singleline(&mut self.start)
                .hint_text("09:00")
                .desired_width(theme::DATE_FIELD_WIDTH),
        )
        .labelled_by(label.id);
        ui.end_row();
        let label = ui.label("Late after (minutes)");
        ui.add(egui::DragValue::new(&mut self.grace_minutes).range(0..=240))
            .labelled_by(label.id);
        ui.end_row();
        ui.label("");
        if ui.button("Save schedule").clicked() {
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

    fn delete_ui(&mut self, ui: &mut egui::Ui, group: &Group, outbox: &mut Vec<StaffRequest>) {
        if !self.confirm_delete {
            self.confirm_delete = ui.button("Delete group").clicked();
            return;
        }
        ui.colored_label(
            theme::PROBLEM,
            format!(
                "Delete {} with its schedule and roll calls? Its members stay enrolled.",
                group.name
            ),
        );
        ui.horizontal(|ui| {
            if ui.button("Yes, delete the group").clicked() {
                outbox.push(StaffRequest::DeleteGroup(group.id));
                self.confirm_delete = false;
            }
            if ui.button("Keep").clicked() {
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
        assert!(parse_schedule("mon-fri", "").is_err());
        assert!(parse_schedule("", "09:00").is_err());
        assert!(parse_schedule("someday", "09:00").is_err());
    }
}
