//! `attendance`: a group's roll calls and rates as tables, JSON lines or CSV.

use std::process::ExitCode;

use frontdesk::attendance::{Attendance, Calendar, Status};
use frontdesk::report::{attendance_summary_json, roll_call_json};
use jiff::civil::Date;

use super::output::{Table, print_text, time_of_day};
use super::{Context, Output, emit};

/// A day given on the command line (YYYY-MM-DD, the kiosk's time zone).
pub fn parse_day(text: &str) -> Result<Date, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a date like 2026-11-28"))
}

/// Which roll calls to show.
pub struct AttendanceQuery {
    pub group: String,
    pub day: Option<Date>,
    pub since: Option<Date>,
    pub until: Option<Date>,
}

pub fn attendance(
    context: &Context,
    query: &AttendanceQuery,
    output: Output,
    csv_output: bool,
) -> anyhow::Result<ExitCode> {
    let gallery = context.gallery()?;
    let group = super::groups::require(&gallery, &query.group)?;
    let calendar = Calendar::now(context.config.kiosk.retention_days);
    let today = calendar.today()?;
    let (first_day, last_day) = match (query.day, query.since, query.until) {
        (Some(day), _, _) => (day, day),
        (None, since, until) => {
            let last = until.unwrap_or(today);
            (since.unwrap_or(last), last)
        }
    };
    let attendance =
        frontdesk::attendance::attendance(&gallery, &group, first_day, last_day, &calendar)?;
    if attendance.days_past_retention > 0 {
        anyhow::ensure!(
            query.day.is_none(),
            "the visits of {first_day} were deleted after {} days (kiosk.retention_days), so \
             there is no roll call for that day",
            calendar.retention_days
        );
        eprintln!(
            "frontdesk: {} day(s) of the period have no roll call: their visits were deleted \
             after {} days (kiosk.retention_days)",
            attendance.days_past_retention, calendar.retention_days
        );
    }
    if csv_output {
        frontdesk::export::write_attendance_csv(&attendance, super::StdoutSink)?;
    } else if output.is_json() {
        // Two kinds of record, told apart by their "record" key.
        for roll_call in &attendance.roll_calls {
            emit(&roll_call_json(&group, roll_call));
        }
        emit(&attendance_summary_json(&attendance, calendar.now));
    } else {
        print_text(&tables(&attendance));
    }
    Ok(ExitCode::SUCCESS)
}

/// Each roll call as a table of members under a heading, then each member's rate.
fn tables(attendance: &Attendance) -> String {
    if attendance.roll_calls.is_empty() {
        return format!(
            "{} had no session from {} to {}",
            attendance.group.name, attendance.first_day, attendance.last_day
        );
    }
    let mut parts = Vec::new();
    for roll_call in &attendance.roll_calls {
        let session = &roll_call.session;
        let mut members = Table::new(&["STATUS", "ID", "NAME", "FIRST SEEN"]);
        for member in &roll_call.members {
            let status = match member.status {
                Status::NotTracked => "no consent",
                other => other.as_str(),
            };
            members.push(vec![
                status.to_owned(),
                member.person_id.to_string(),
                member.name.clone(),
                member.first_seen.map(time_of_day).unwrap_or_default(),
            ]);
        }
        let totals = roll_call.totals();
        parts.push(format!(
            "{} {} {} ({}): {} present, {} late, {} absent, {} expected\n{}",
            attendance.group.name,
            session.day,
            time_of_day(session.starts_at),
            if session.scheduled {
                "scheduled"
            } else {
                "started by hand"
            },
            totals.present,
            totals.late,
            totals.absent,
            totals.expected,
            members.render()
        ));
    }
    let mut rates = Table::new(&["ID", "NAME", "ATTENDED", "RATE", "LATE"]);
    for rate in &attendance.rates {
        rates.push(vec![
            rate.person_id.to_string(),
            rate.name.clone(),
            format!("{} of {}", rate.present + rate.late, rate.sessions),
            rate.rate()
                .map_or_else(|| "-".to_owned(), |share| format!("{:.0}%", share * 100.0)),
            rate.late.to_string(),
        ]);
    }
    parts.push(format!(
        "Attendance from {} to {}:\n{}",
        attendance.first_day,
        attendance.last_day,
        rates.render()
    ));
    parts.join("\n\n")
}
