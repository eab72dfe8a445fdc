//! What staff read and take away: visits, the audit log, and the files written from them (a
//! person's export, visits, audit log and roll calls as CSV). Every file written is audited.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{AttendanceQuery, Desk, StaffDone, StaffError, StaffReply, VisitFilter};
use crate::export::{self, ExportError};
use crate::gallery::PersonId;

pub(super) fn visits(desk: &mut Desk, filter: VisitFilter) -> Result<StaffReply, StaffError> {
    let gallery = desk.gallery()?;
    let visits = gallery.visits(filter.person, filter.since, filter.until)?;
    let first_visit: HashMap<PersonId, i64> = gallery.first_visits()?;
    Ok(StaffReply::Visits {
        visits,
        first_visit,
    })
}

pub(super) fn audit_log(desk: &mut Desk) -> Result<StaffReply, StaffError> {
    Ok(StaffReply::Audit(desk.gallery()?.audit_log()?))
}

/// A person's record, photos and visits into a new folder (a subject access request).
pub(super) fn person(
    desk: &mut Desk,
    person_id: PersonId,
    folder: PathBuf,
) -> Result<StaffDone, StaffError> {
    if folder.exists() {
        return Err(StaffError::FolderExists(folder));
    }
    let export = desk.gallery()?.export_person(person_id)?;
    let files = export::write_person_export(&export, &folder)?;
    Ok(StaffDone::PersonExported {
        files: files.len(),
        folder,
    })
}

pub(super) fn visits_csv(
    desk: &mut Desk,
    filter: VisitFilter,
    path: PathBuf,
) -> Result<StaffDone, StaffError> {
    let visits = desk
        .gallery()?
        .visits(filter.person, filter.since, filter.until)?;
    write_csv(&path, |file| export::write_visits_csv(&visits, file))?;
    desk.audit_logged("export", &format!("{} visit(s) as CSV", visits.len()));
    Ok(StaffDone::VisitsWritten {
        visits: visits.len(),
        path,
    })
}

pub(super) fn audit_csv(desk: &mut Desk, path: PathBuf) -> Result<StaffDone, StaffError> {
    let entries = desk.gallery()?.audit_log()?;
    write_csv(&path, |file| export::write_audit_csv(&entries, file))?;
    desk.audit_logged("export", "audit log as CSV");
    Ok(StaffDone::AuditLogWritten { path })
}

pub(super) fn attendance_csv(
    desk: &mut Desk,
    query: AttendanceQuery,
    path: PathBuf,
) -> Result<StaffDone, StaffError> {
    let (attendance, _) = super::groups::attendance(desk, query)?;
    write_csv(&path, |file| {
        export::write_attendance_csv(&attendance, file)
    })?;
    desk.audit_logged(
        "export",
        &format!("attendance of group #{} as CSV", query.group),
    );
    Ok(StaffDone::RollCallsWritten { path })
}

fn write_csv(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    export::write_private_file(path, write)
}
