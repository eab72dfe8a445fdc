//! The roll call screen: a group's members as present, late or absent for each session of a period,
//! each member's attendance rate, the weekly chart, "start roll call now" and the CSV export.

use egui_plot::{Bar, BarChart, Plot};

use super::group_settings::GroupSettings;
use super::i18n::Texts;
use super::theme;
use crate::attendance::{Attendance, MemberStatus, RollCall, Status};
use crate::gallery::{Group, GroupId};
use crate::staff_service::{AttendanceQuery, StaffRequest};

#[derive(Default)]
pub struct RollCallScreen {
    groups: Vec<Group>,
    group: Option<GroupId>,
    since: String,
    until: String,
    attendance: Option<Attendance>,
    /// When the roll calls shown were made (Unix ms).
    made_at: i64,
    /// When new ones were last asked for because a grace period ended.
    refresh_asked_at: i64,
    new_group: String,
    settings: GroupSettings,
    csv_path: String,
    /// A date field's text that is not a date.
    problem: Option<String>,
}

/// A date typed by staff, or none for an empty field; the error is the trimmed text.
fn parse_day(text: &str) -> Result<Option<jiff::civil::Date>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse().map(Some).map_err(|_| text.to_owned())
}

impl RollCallScreen {
    /// The roll calls to ask for: the chosen group over the typed days (today by default).
    pub fn query(&self) -> Option<AttendanceQuery> {
        let group = self.group?;
        Some(AttendanceQuery {
            group,
            first_day: parse_day(&self.since).ok().flatten(),
            last_day: parse_day(&self.until).ok().flatten(),
        })
    }

    /// The groups to choose from; the first is chosen when none is (or the chosen one is gone).
    pub fn set_groups(&mut self, groups: Vec<Group>) {
        if !self
            .group
            .is_some_and(|id| groups.iter().any(|g| g.id == id))
        {
            self.group = groups.first().map(|g| g.id);
            self.attendance = None;
        }
        self.groups = groups;
    }

    /// Whether a grace period ended since the roll calls were made: those not seen by then are
    /// absent now, though nothing was logged.
    pub fn outdated(&self, now: i64) -> bool {
        self.attendance.as_ref().is_some_and(|attendance| {
            let since = self.made_at.max(self.refresh_asked_at);
            attendance
                .roll_calls
                .iter()
                .any(|r| (since..now).contains(&r.session.on_time_until) && r.totals().expected > 0)
        })
    }

    /// New roll calls were asked for at `now`.
    pub fn refresh_asked(&mut self, now: i64) {
        self.refresh_asked_at = now;
    }

    pub fn set_attendance(&mut self, attendance: Attendance, made_at: i64) {
        if Some(attendance.group.id) == self.group {
            self.attendance = Some(attendance);
            self.made_at = made_at;
        }
    }

    pub fn roll_call_ui(
        &mut self,
        ui: &mut egui::Ui,
        outbox: &mut Vec<StaffRequest>,
        texts: &Texts,
    ) {
        self.controls_ui(ui, outbox, texts);
        if let Some(problem) = &self.problem {
            let text = texts.with("bad-date", &[("text", problem.as_str().into())]);
            ui.colored_label(theme::PROBLEM, text);
        }
        if let Some(group) = self
            .group
            .and_then(|id| self.groups.iter().find(|g| g.id == id))
        {
            self.settings.group_settings_ui(ui, group, outbox, texts);
        }
        ui.separator();
        let Some(attendance) = &self.attendance else {
            ui.weak(texts.get(if self.groups.is_empty() {
                "roll-call-no-group"
            } else {
                "roll-call-choose"
            }));
            return;
        };
        let query = self.query();
        let csv_path = &mut self.csv_path;
        egui::ScrollArea::vertical().show(ui, |ui| {
            sessions_ui(ui, attendance, texts);
            ui.separator();
            rates_ui(ui, attendance, texts);
            weekly_chart_ui(ui, attendance, self.made_at, texts);
            if let Some(query) = query
                && let Some(path) = super::path_action_ui(
                    ui,
                    &texts.get("csv-file"),
                    "/media/usb/roll-call.csv",
                    csv_path,
                    &texts.get("export-csv"),
                )
            {
                outbox.push(StaffRequest::ExportAttendanceCsv { query, path });
            }
        });
    }

    fn controls_ui(&mut self, ui: &mut egui::Ui, outbox: &mut Vec<StaffRequest>, texts: &Texts) {
        ui.horizontal(|ui| {
            let chosen = self
                .group
                .and_then(|id| self.groups.iter().find(|g| g.id == id))
                .map_or_else(|| texts.get("choose"), |g| g.name.clone());
            let before = self.group;
            egui::ComboBox::from_label(texts.get("roll-call-group"))
                .selected_text(chosen)
                .show_ui(ui, |ui| {
                    for group in &self.groups {
                        ui.selectable_value(&mut self.group, Some(group.id), &group.name);
                    }
                });
            let label = ui.label(texts.get("date-from"));
            ui.add(
                egui::TextEdit::singleline(&mut self.since)
                    .hint_text(texts.get("date-today"))
                    .desired_width(theme::DATE_FIELD_WIDTH),
            )
            .labelled_by(label.id);
            let label = ui.label(texts.get("date-to"));
            ui.add(
                egui::TextEdit::singleline(&mut self.until)
                    .hint_text(texts.get("date-today"))
                    .desired_width(theme::DATE_FIELD_WIDTH),
            )
            .labelled_by(label.id);
            if ui.button(texts.get("show")).clicked() || self.group != before {
                self.problem = parse_day(&self.since).and(parse_day(&self.until)).err();
                if let Some(query) = self.query().filter(|_| self.problem.is_none()) {
                    outbox.push(StaffRequest::Attendance(query));
                }
            }
            if let Some(group) = self.group
                && ui.button(texts.get("roll-call-start")).clicked()
            {
                outbox.push(StaffRequest::StartRollCall(group));
            }
        });
        ui.horizontal(|ui| {
            let label = ui.label(texts.get("roll-call-new-group"));
            ui.add(
                egui::TextEdit::singleline(&mut self.new_group)
                    .hint_text(texts.get("roll-call-new-group-hint"))
                    .desired_width(200.0),
            )
            .labelled_by(label.id);
            let named = !self.new_group.trim().is_empty();
            if ui
                .add_enabled(named, egui::Button::new(texts.get("roll-call-create")))
                .clicked()
            {
                outbox.push(StaffRequest::CreateGroup(self.new_group.trim().to_owned()));
                self.new_group.clear();
            }
        });
    }
}

/// Each session of the period, the newest first and open.
fn sessions_ui(ui: &mut egui::Ui, attendance: &Attendance, texts: &Texts) {
    if attendance.roll_calls.is_empty() {
        ui.weak(texts.with(
            "roll-call-no-session",
            &[
                ("group", attendance.group.name.as_str().into()),
                ("from", texts.date(attendance.first_day).into()),
                ("to", texts.date(attendance.last_day).into()),
            ],
        ));
    }
    for (index, roll_call) in attendance.roll_calls.iter().rev().enumerate() {
        let session = &roll_call.session;
        let totals = roll_call.totals();
        let how = texts.get(if session.scheduled {
            "roll-call-scheduled"
        } else {
            "roll-call-by-hand"
        });
        let title = texts.with(
            "roll-call-session",
            &[
                ("when", texts.date_time(session.starts_at).into()),
                ("how", how.into()),
                ("present", totals.present.into()),
                ("late", totals.late.into()),
                ("absent", totals.absent.into()),
            ],
        );
        egui::CollapsingHeader::new(title)
            .id_salt(("roll_call", session.starts_at))
            .default_open(index == 0)
            .show(ui, |ui| members_ui(ui, roll_call, texts));
    }
    if attendance.days_past_retention > 0 {
        ui.weak(texts.with(
            "roll-call-past-retention",
            &[("days", attendance.days_past_retention.into())],
        ));
    }
}

fn members_ui(ui: &mut egui::Ui, roll_call: &RollCall, texts: &Texts) {
    egui::Grid::new(("roll_call_members", roll_call.session.starts_at))
        .striped(true)
        .num_columns(3)
        .show(ui, |ui| {
            for member in &roll_call.members {
                ui.label(&member.name);
                let (id, color) = status_text(member);
                ui.colored_label(color, texts.get(id));
                ui.label(
                    member
                        .first_seen
                        .map(|at| {
                            texts.with("roll-call-first-seen", &[("time", texts.clock(at).into())])
                        })
                        .unwrap_or_default(),
                );
                ui.end_row();
            }
        });
}

/// The status's message id and colour.
fn status_text(member: &MemberStatus) -> (&'static str, egui::Color32) {
    match member.status {
        Status::Present => ("status-present", theme::PRESENT),
        Status::Late => ("status-late", theme::LATE),
        Status::Absent => ("status-absent", theme::ABSENT),
        Status::Expected => ("status-expected", theme::PENDING),
        Status::NotTracked => ("status-not-tracked", theme::PENDING),
    }
}

fn rates_ui(ui: &mut egui::Ui, attendance: &Attendance, texts: &Texts) {
    let title = texts.with(
        "roll-call-attendance",
        &[
            ("from", texts.date(attendance.first_day).into()),
            ("to", texts.date(attendance.last_day).into()),
        ],
    );
    ui.label(egui::RichText::new(title).strong());
    egui::Grid::new("attendance_rates")
        .striped(true)
        .num_columns(3)
        .show(ui, |ui| {
            for rate in &attendance.rates {
                ui.label(&rate.name);
                match rate.rate() {
                    Some(share) => {
                        ui.label(texts.with(
                            "roll-call-rate",
                            &[
                                ("attended", (rate.present + rate.late).into()),
                                ("sessions", rate.sessions.into()),
                                ("percent", format!("{:.0}", share * 100.0).into()),
                            ],
                        ));
                        ui.label(texts.with("roll-call-late", &[("count", rate.late.into())]));
                    }
                    None => {
                        ui.weak(texts.get("roll-call-nothing-to-count"));
                        ui.label("");
                    }
                }
                ui.end_row();
            }
        });
}

/// The group's attendance (per cent of expected arrivals) week by week.
fn weekly_chart_ui(ui: &mut egui::Ui, attendance: &Attendance, now: i64, texts: &Texts) {
    let weeks = attendance.weekly(now);
    if weeks.is_empty() {
        return;
    }
    let bars: Vec<Bar> = weeks
        .iter()
        .enumerate()
        .map(|(index, week)| {
            Bar::new(index as f64, week.rate().unwrap_or(0.0) * 100.0).name(texts.with(
                "roll-call-week-of",
                &[("date", texts.date(week.monday).into())],
            ))
        })
        .collect();
    let labels: Vec<String> = weeks
        .iter()
        .map(|week| texts.day_month(week.monday))
        .collect();
    let chart = BarChart::new(texts.get("roll-call-chart"), bars)
        .color(theme::PRESENT)
        .width(0.6);
    Plot::new("attendance_per_week")
        .height(theme::CHART_HEIGHT)
        .allow_scroll(false)
        .include_y(0.0)
        .include_y(100.0)
        .x_axis_formatter(move |mark, _| {
            let index = mark.value.round();
            if (mark.value - index).abs() > 0.01 || index < 0.0 {
                return String::new();
            }
            labels.get(index as usize).cloned().unwrap_or_default()
        })
        .show(ui, |plot| plot.bar_chart(chart));
}
