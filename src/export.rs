//! Files that leave the kiosk: a person's data for an access request, visits and the audit log as
//! CSV. Every file is created readable by the owner only.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::attendance::Attendance;
use crate::gallery::{AuditEntry, PersonExport, Visit, format_timestamp};

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is a symbolic link; exports are never written through one")]
    Symlink { path: PathBuf },
    #[error("cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> ExportError + '_ {
    move |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Creates a new file `path` with mode 0600. An existing file or symlink there is an error
/// (`O_EXCL`): an export never overwrites, nor writes through a link planted in its place.
pub fn create_private(path: &Path) -> Result<File, ExportError> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io_error(path))
}

/// Writes the file `path` (mode 0600) whole or not at all, replacing an older export there. A
/// symlink at `path` is refused rather than replaced, so that nobody mistakes where the data went.
pub fn write_private_file(
    path: &Path,
    write: impl FnOnce(&mut File) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(ExportError::Symlink {
            path: path.to_path_buf(),
        });
    }
    let mut inner = None;
    let written = crate::atomic_file::write_atomic(path, 0o600, |file| {
        write(file).map_err(|e| {
            inner = Some(e);
            std::io::Error::other("export failed")
        })
    });
    match (inner, written) {
        (Some(e), _) => Err(e),
        (None, result) => result.map_err(io_error(path)),
    }
}

/// Writes `person.json` and one JPEG per stored face into a new folder `dir` (mode 0700). Returns
/// the files written.
pub fn write_person_export(export: &PersonExport, dir: &Path) -> Result<Vec<PathBuf>, ExportError> {
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(parent)
            .map_err(io_error(parent))?;
    }
    // Not recursive: the folder itself must be new, not an existing one or a symlink to one.
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(dir)
        .map_err(io_error(dir))?;
    let mut written = Vec::new();
    let mut photos = Vec::new();
    for face in &export.faces {
        let name = format!("face_{}.jpg", face.id);
        let path = dir.join(&name);
        write_new_file(&path, &face.thumbnail_jpeg)?;
        photos.push(json!({
            "file": name,
            "model": face.model_id,
            "quality": face.quality,
            "stored_at": format_timestamp(face.created_at),
        }));
        written.push(path);
    }
    let person = &export.person;
    let document = json!({
        "id": person.id,
        "name": person.name,
        "details": person.details,
        "consent_at": person.consent_at.map(format_timestamp),
        "created_at": format_timestamp(person.created_at),
        "updated_at": format_timestamp(person.updated_at),
        "photos": photos,
        "groups": export.groups,
        "visits": export.visits.iter().map(|v| json!({
            "at": format_timestamp(v.at),
            "similarity": v.similarity,
            "source": v.source,
        })).collect::<Vec<_>>(),
        "note": "Face embeddings (128 numbers computed from the photos) are stored too; they are derived from the photos above.",
    });
    let path = dir.join("person.json");
    let text = serde_json::to_string_pretty(&document).map_err(|e| io_error(&path)(e.into()))?;
    write_new_file(&path, text.as_bytes())?;
    written.push(path);
    // The folder's entries are data too: without this a crash could lose files reported as written.
    File::open(dir)
        .and_then(|folder| folder.sync_all())
        .map_err(io_error(dir))?;
    Ok(written)
}

/// A new file in a folder this export just created, on disk before it is reported as written.
fn write_new_file(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    let mut file = create_private(path)?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(io_error(path))
}

/// A text cell that a spreadsheet shows as text. Names and notes are typed by visitors and staff; a
/// cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return would be run as a formula
/// (OWASP "CSV injection"), so it gets a leading apostrophe, which spreadsheets hide.
fn spreadsheet_safe(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// Visits as CSV: time, person id, name, similarity, source.
pub fn write_visits_csv(visits: &[Visit], out: impl Write) -> Result<(), ExportError> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(["at", "person_id", "name", "similarity", "source"])?;
    for visit in visits {
        writer.write_record([
            format_timestamp(visit.at),
            visit.person_id.to_string(),
            spreadsheet_safe(&visit.person_name),
            format!("{:.4}", visit.similarity),
            spreadsheet_safe(&visit.source),
        ])?;
    }
    writer.flush().map_err(|e| ExportError::Csv(e.into()))?;
    Ok(())
}

/// A group's roll calls as CSV, one row per member and session: day, session start, whether it was
/// scheduled, group, person id, name, status and first arrival.
pub fn write_attendance_csv(attendance: &Attendance, out: impl Write) -> Result<(), ExportError> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record([
        "day",
        "session_start",
        "scheduled",
        "group",
        "person_id",
        "name",
        "status",
        "first_seen",
    ])?;
    for roll_call in &attendance.roll_calls {
        let session = &roll_call.session;
        for member in &roll_call.members {
            writer.write_record([
                session.day.to_string(),
                format_timestamp(session.starts_at),
                session.scheduled.to_string(),
                spreadsheet_safe(&attendance.group.name),
                member.person_id.to_string(),
                spreadsheet_safe(&member.name),
                member.status.as_str().to_owned(),
                member.first_seen.map(format_timestamp).unwrap_or_default(),
            ])?;
        }
    }
    writer.flush().map_err(|e| ExportError::Csv(e.into()))?;
    Ok(())
}

/// The audit log as CSV: time, action, detail.
pub fn write_audit_csv(entries: &[AuditEntry], out: impl Write) -> Result<(), ExportError> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(["at", "action", "detail"])?;
    for entry in entries {
        writer.write_record([
            format_timestamp(entry.at),
            spreadsheet_safe(&entry.action),
            spreadsheet_safe(&entry.detail),
        ])?;
    }
    writer.flush().map_err(|e| ExportError::Csv(e.into()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visits_csv_quotes_names_with_commas() {
        let visits = vec![Visit {
            id: 1,
            person_id: 7,
            person_name: "Hopper, Grace".into(),
            at: 0,
            similarity: 0.71234,
            source: "kiosk:demo".into(),
            kiosk: None,
        }];
        let mut out = Vec::new();
        write_visits_csv(&visits, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "at,person_id,name,similarity,source\n1970-01-01T00:00:00Z,7,\"Hopper, Grace\",0.7123,kiosk:demo\n"
        );
    }

    #[test]
    fn formulas_in_names_and_details_are_neutralised() {
        let visit = |name: &str| Visit {
            id: 1,
            person_id: 7,
            person_name: name.into(),
            at: 0,
            similarity: 0.5,
            source: "kiosk:demo".into(),
            kiosk: None,
        };
        let hostile = [
            "=HYPERLINK(\"http://x\")",
            "+1",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ];
        let visits: Vec<Visit> = hostile.iter().map(|name| visit(name)).collect();
        let mut out = Vec::new();
        write_visits_csv(&visits, &mut out).unwrap();
        let mut reader = csv::Reader::from_reader(out.as_slice());
        let names: Vec<String> = reader
            .records()
            .map(|record| record.unwrap()[2].to_owned())
            .collect();
        let expected: Vec<String> = hostile.iter().map(|name| format!("'{name}")).collect();
        assert_eq!(names, expected);

        let entries = vec![AuditEntry {
            at: 0,
            action: "edit".into(),
            detail: "=cmd|' /C calc'!A0".into(),
        }];
        let mut out = Vec::new();
        write_audit_csv(&entries, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains(",'=cmd|"), "{text}");
        // Ordinary text is left alone.
        assert_eq!(spreadsheet_safe("Grace Hopper"), "Grace Hopper");
    }

    #[test]
    fn a_symlink_at_the_csv_target_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let path = dir.path().join("visits.csv");
        std::os::unix::fs::symlink(&victim, &path).unwrap();
        let refused = write_private_file(&path, |file| write_visits_csv(&[], file));
        assert!(
            matches!(refused, Err(ExportError::Symlink { .. })),
            "{refused:?}"
        );
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    }

    #[test]
    fn a_csv_export_is_written_whole_and_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.csv");
        std::fs::write(&path, "an older export").unwrap();
        write_private_file(&path, |file| write_audit_csv(&[], file)).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "at,action,detail\n"
        );
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    #[test]
    fn a_person_export_never_goes_into_an_existing_or_linked_folder() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        let link = dir.path().join("export");
        std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
        let export = PersonExport {
            person: crate::gallery::Person {
                id: 1,
                uid: "0123456789abcdef0123456789abcdef".into(),
                name: "Grace".into(),
                details: std::collections::BTreeMap::new(),
                consent_at: None,
                consent_withdrawn_at: None,
                created_at: 0,
                updated_at: 0,
                face_count: 0,
                visit_count: 0,
                last_visit_at: None,
            },
            faces: Vec::new(),
            visits: Vec::new(),
            groups: Vec::new(),
        };
        assert!(write_person_export(&export, &link).is_err());
        assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
    }

    #[test]
    fn private_files_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        create_private(&path).unwrap();
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}
