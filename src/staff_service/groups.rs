//! Groups, their members and schedules, and roll calls.

use super::{AttendanceQuery, Desk, StaffDone, StaffError, StaffReply};
use crate::attendance::{Attendance, AttendanceError, Calendar};
use crate::gallery::{GroupId, PersonId, Schedule, now_ms};

pub(super) fn list(desk: &mut Desk) -> Result<StaffReply, StaffError> {
    Ok(StaffReply::Groups(desk.gallery()?.groups()?))
}

pub(super) fn create(desk: &mut Desk, name: &str) -> Result<StaffDone, StaffError> {
    desk.gallery()?
        .create_group(name, None, crate::gallery::DEFAULT_GRACE)?;
    Ok(StaffDone::GroupCreated {
        name: name.trim().to_owned(),
    })
}

pub(super) fn rename(desk: &mut Desk, group: GroupId, name: &str) -> Result<StaffDone, StaffError> {
    desk.gallery()?.rename_group(group, name)?;
    Ok(StaffDone::GroupRenamed {
        name: name.trim().to_owned(),
    })
}

pub(super) fn set_schedule(
    desk: &mut Desk,
    group: GroupId,
    schedule: Option<Schedule>,
    grace: jiff::SignedDuration,
) -> Result<StaffDone, StaffError> {
    desk.gallery()?.set_group_schedule(group, schedule, grace)?;
    Ok(StaffDone::ScheduleSaved)
}

pub(super) fn delete(desk: &mut Desk, group: GroupId) -> Result<StaffDone, StaffError> {
    desk.gallery()?.delete_group(group)?;
    Ok(StaffDone::GroupDeleted)
}

pub(super) fn add_member(
    desk: &mut Desk,
    group: GroupId,
    person: PersonId,
) -> Result<StaffDone, StaffError> {
    desk.gallery()?.add_member(group, person)?;
    Ok(StaffDone::MemberAdded)
}

pub(super) fn remove_member(
    desk: &mut Desk,
    group: GroupId,
    person: PersonId,
) -> Result<StaffDone, StaffError> {
    desk.gallery()?.remove_member(group, person)?;
    Ok(StaffDone::MemberRemoved)
}

pub(super) fn start_roll_call(desk: &mut Desk, group: GroupId) -> Result<StaffDone, StaffError> {
    desk.gallery()?.start_session(group, now_ms())?;
    Ok(StaffDone::RollCallStarted)
}

pub(super) fn attendance_reply(
    desk: &mut Desk,
    query: AttendanceQuery,
) -> Result<StaffReply, StaffError> {
    let (attendance, now) = attendance(desk, query)?;
    Ok(StaffReply::Attendance {
        attendance: Box::new(attendance),
        now,
    })
}

/// The roll calls `query` asks for, made now.
pub(super) fn attendance(
    desk: &mut Desk,
    query: AttendanceQuery,
) -> Result<(Attendance, i64), StaffError> {
    let calendar = Calendar::now(desk.config.kiosk.retention_days);
    let gallery = desk.gallery()?;
    let group = gallery.group(query.group)?.ok_or(StaffError::GroupGone)?;
    let today = calendar.today().map_err(AttendanceError::from)?;
    let last_day = query.last_day.unwrap_or(today);
    let first_day = query.first_day.unwrap_or(last_day);
    let attendance =
        crate::attendance::attendance(gallery, &group, first_day, last_day, &calendar)?;
    Ok((attendance, calendar.now))
}
