//! `attendance`: a group's roll calls and rates as text, JSON lines or CSV.

use std::process::ExitCode;

use frontdesk::attendance::{Attendance, Calendar, Status};
use frontdesk::report::{attendance_summary_json, roll_call_json};
use jiff::civil::Date;

use super::{Context, emit, print_line};

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

/// The output format of `attendance`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Csv,
}

pub fn attendance(
    context: &Context,
    query: &AttendanceQuery,
    format: Format,
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
    match format {
        Format::Csv => frontdesk::export::write_attendance_csv(&attendance, super::StdoutSink)?,
        Format::Json => {
            for roll_call in &attendance.roll_calls {
                emit(&roll_call_json(&group, roll_call));
            }
            emit(&attendance_summary_json(&attendance, calendar.now));
        }
        Format::Text => print_text(&attendance),
    }
    Ok(ExitCode::SUCCESS)
}

fn print_text(attendance: &Attendance) {
    let clock = |ms: i64| {
        jiff::Timestamp::from_millisecond(ms).map_or_else(
            |_| ms.to_string(),
            |t| {
                t.to_zoned(jiff::tz::TimeZone::system())
                    .strftime("%H:%M")
                    .to_string()
            },
        )
    };
    for roll_call in &attendance.roll_calls {
        let session = &roll_call.session;
        print_line(format_args!(
            "{} {} {} ({})",
            attendance.group.name,
            session.day,
            clock(session.starts_at),
            if session.scheduled {
                "scheduled"
            } else {
                "started by hand"
            }
        ));
        for member in &roll_call.members {
            let seen = member
                .first_seen
                .map(|at| format!("first seen {}", clock(at)))
                .unwrap_or_default();
            let status = match member.status {
                Status::NotTracked => "no consent",
                other => other.as_str(),
            };
            print_line(format_args!("  {status:<11} {:<28} {seen}", member.name));
        }
        let totals = roll_call.totals();
        print_line(format_args!(
            "  {} present, {} late, {} absent, {} expected",
            totals.present, totals.late, totals.absent, totals.expected
        ));
    }
    if attendance.roll_calls.is_empty() {
        print_line(format_args!(
            "{} had no session from {} to {}",
            attendance.group.name, attendance.first_day, attendance.last_day
        ));
        return;
    }
    print_line(format_args!(
        "Attendance from {} to {}:",
        attendance.first_day, attendance.last_day
    ));
    for rate in &attendance.rates {
        match rate.rate() {
            Some(share) => print_line(format_args!(
                "  {:<28} {} of {} sessions ({:.0}%), {} late",
                rate.name,
                rate.present + rate.late,
                rate.sessions,
                share * 100.0,
                rate.late
            )),
            None => print_line(format_args!("  {:<28} no session to count", rate.name)),
        }
    }
}
