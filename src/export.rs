//! Files that leave the kiosk: a person's data for an access request, visits and the audit log as
//! CSV. Every file is created readable by the owner only.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::gallery::{AuditEntry, PersonExport, Visit, format_timestamp};

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
}

/// Creates `path` for writing with mode 0600 (replacing an existing file).
pub fn create_private(path: &Path) -> Result<File, ExportError> {
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|source| ExportError::Io {
            path: path.to_path_buf(),
            source,
        })
}

/// Writes `person.json` and one JPEG per stored face into a new folder `dir` (mode 0700). Returns
/// the files written.
pub fn write_person_export(export: &PersonExport, dir: &Path) -> Result<Vec<PathBuf>, ExportError> {
    let io = |path: &Path, source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    };
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| io(dir, e))?;
    let mut written = Vec::new();
    let mut photos = Vec::new();
    for face in &export.faces {
        let name = format!("face_{}.jpg", face.id);
        let path = dir.join(&name);
        create_private(&path)?
            .write_all(&face.thumbnail_jpeg)
            .map_err(|e| io(&path, e))?;
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
        "visits": export.visits.iter().map(|v| json!({
            "at": format_timestamp(v.at),
            "similarity": v.similarity,
            "source": v.source,
        })).collect::<Vec<_>>(),
        "note": "Face embeddings (128 numbers computed from the photos) are stored too; they are derived from the photos above.",
    });
    let path = dir.join("person.json");
    let text = serde_json::to_string_pretty(&document).map_err(|e| io(&path, e.into()))?;
    create_private(&path)?
        .write_all(text.as_bytes())
        .map_err(|e| io(&path, e))?;
    written.push(path);
    Ok(written)
}

/// Visits as CSV: time, person id, name, similarity, source.
pub fn write_visits_csv(visits: &[Visit], out: impl Write) -> Result<(), ExportError> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(["at", "person_id", "name", "similarity", "source"])?;
    for visit in visits {
        writer.write_record([
            format_timestamp(visit.at),
            visit.person_id.to_string(),
            visit.person_name.clone(),
            format!("{:.4}", visit.similarity),
            visit.source.clone(),
        ])?;
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
            entry.action.clone(),
            entry.detail.clone(),
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
