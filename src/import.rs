//! Bulk import: a folder with one subfolder of photos per person (the subfolder's name is the
//! person's name) and, optionally, a `people.csv` beside them with a `name` column, a `consent`
//! column and any other columns as details.
//!
//! Each photo gets the checks `enroll` makes ([`enrollment::choose_faces`]); a person none of whose
//! photos passes is reported and not created. A person whose name is already in the gallery is
//! left as they are, so running the same import again changes nothing.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::engine::FaceEngine;
use crate::enrollment::{self, RefusedPhoto};
use crate::gallery::{Gallery, GalleryError, MatchPolicy, NewFace, NewPerson, PersonId};
use crate::vision::image_io::load_rgb;

/// The optional file of names, consent and details.
pub const PEOPLE_CSV: &str = "people.csv";

/// File name endings taken as photos; other files in a person's folder are ignored.
const PHOTO_EXTENSIONS: [&str; 8] = ["jpg", "jpeg", "png", "bmp", "webp", "pnm", "ppm", "pgm"];

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read the import folder {path}: {source}")]
    Folder {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {problem}; fix the file and run the import again (nothing was imported)")]
    Csv { path: PathBuf, problem: String },
}

/// One person to import.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedPerson {
    pub name: String,
    pub details: BTreeMap<String, String>,
    pub consent: bool,
    pub photos: Vec<PathBuf>,
}

/// What an import folder holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportPlan {
    pub people: Vec<PlannedPerson>,
    /// Names in `people.csv` without a folder of photos.
    pub without_photos: Vec<String>,
}

impl ImportPlan {
    pub fn photo_count(&self) -> usize {
        self.people.iter().map(|p| p.photos.len()).sum()
    }
}

/// What became of one person.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Imported {
        person_id: PersonId,
        faces: usize,
    },
    /// `--dry-run`: would be imported with this many faces.
    WouldImport {
        faces: usize,
    },
    /// Someone of this name is in the gallery already: left as they are.
    AlreadyThere {
        person_id: PersonId,
    },
    /// Not created: no consent where it is required, or no photo passed the checks.
    Refused {
        code: &'static str,
        message: String,
    },
}

impl Outcome {
    pub fn code(&self) -> &'static str {
        match self {
            Outcome::Imported { .. } => "imported",
            Outcome::WouldImport { .. } => "would_import",
            Outcome::AlreadyThere { .. } => "already_there",
            Outcome::Refused { .. } => "refused",
        }
    }
}

/// The outcome for one person, with the photos that were refused and why.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonReport {
    pub name: String,
    pub outcome: Outcome,
    pub refused_photos: Vec<RefusedPhoto>,
}

/// Reads the import folder: each subfolder a person (in name order), `people.csv` if present.
/// `consent_for_all` (`--consent`) records consent for everyone whose row does not say: an
/// explicit `no` in the CSV always stays a no.
pub fn plan(dir: &Path, consent_for_all: bool) -> Result<ImportPlan, ImportError> {
    let folder_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ImportError::Folder { path, source }
    };
    let mut rows = read_people_csv(&dir.join(PEOPLE_CSV))?;
    let mut people = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(folder_error(dir))? {
        let entry = entry.map_err(folder_error(dir))?;
        let name = entry.file_name().to_string_lossy().trim().to_owned();
        if name.is_empty() || name.starts_with('.') || !entry.path().is_dir() {
            continue;
        }
        let row = rows.remove(&name.to_lowercase());
        let (details, consent) = row.map_or_else(Default::default, |r| (r.details, r.consent));
        people.push(PlannedPerson {
            photos: photos_in(&entry.path()).map_err(folder_error(&entry.path()))?,
            name,
            details,
            consent: consent.unwrap_or(consent_for_all),
        });
    }
    people.sort_by(|a, b| a.name.cmp(&b.name));
    let mut without_photos: Vec<String> = rows.into_values().map(|r| r.name).collect();
    without_photos.sort();
    Ok(ImportPlan {
        people,
        without_photos,
    })
}

fn photos_in(folder: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut photos = Vec::new();
    for entry in std::fs::read_dir(folder)? {
        let path = entry?.path();
        let is_photo = path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .is_some_and(|e| PHOTO_EXTENSIONS.contains(&e.as_str()));
        if is_photo && path.is_file() {
            photos.push(path);
        }
    }
    photos.sort();
    Ok(photos)
}

/// A row of `people.csv`.
struct CsvRow {
    name: String,
    details: BTreeMap<String, String>,
    /// None when the row does not say (no `consent` column, or an empty cell).
    consent: Option<bool>,
}

/// The rows of `people.csv` by lower-case name; none when there is no such file.
fn read_people_csv(path: &Path) -> Result<HashMap<String, CsvRow>, ImportError> {
    if !path.is_file() {
        return Ok(HashMap::new());
    }
    let csv_error = |problem: String| ImportError::Csv {
        path: path.to_path_buf(),
        problem,
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| csv_error(e.to_string()))?;
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| csv_error(e.to_string()))?
        .iter()
        .map(str::to_lowercase)
        .collect();
    let name_column = headers
        .iter()
        .position(|h| h == "name")
        .ok_or_else(|| csv_error("there is no `name` column".into()))?;
    let mut rows = HashMap::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let record = record.map_err(|e| csv_error(e.to_string()))?;
        let mut row = CsvRow {
            name: record.get(name_column).unwrap_or_default().to_owned(),
            details: BTreeMap::new(),
            consent: None,
        };
        if row.name.is_empty() {
            return Err(csv_error(format!("line {line} has no name")));
        }
        for (header, value) in headers.iter().zip(record.iter()) {
            match header.as_str() {
                "name" => {}
                "consent" => {
                    row.consent = parse_consent(value).ok_or_else(|| {
                        csv_error(format!(
                            "line {line}: consent `{value}` is not yes or no (or empty)"
                        ))
                    })?;
                }
                _ if value.is_empty() || header.is_empty() => {}
                _ => {
                    row.details.insert(header.clone(), value.to_owned());
                }
            }
        }
        if rows.insert(row.name.to_lowercase(), row).is_some() {
            return Err(csv_error(format!("line {line} repeats a name")));
        }
    }
    Ok(rows)
}

/// A consent cell: yes, no, or empty (the row does not say); anything else is an error (None).
fn parse_consent(value: &str) -> Option<Option<bool>> {
    match value.to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "x" => Some(Some(true)),
        "no" | "n" | "false" | "0" => Some(Some(false)),
        "" => Some(None),
        _ => None,
    }
}

/// Imports one person: checks consent, analyses their photos (calling `on_photo` after each) and
/// enrols them with the faces that pass, unless `dry_run`. `existing` maps the lower-case names in
/// the gallery to their ids and is kept up to date.
pub fn import_person(
    engine: &mut FaceEngine,
    gallery: &mut Gallery,
    policy: &MatchPolicy,
    person: &PlannedPerson,
    existing: &mut HashMap<String, PersonId>,
    dry_run: bool,
    on_photo: &mut dyn FnMut(&Path),
) -> Result<PersonReport, GalleryError> {
    let report = |outcome, refused_photos| PersonReport {
        name: person.name.clone(),
        outcome,
        refused_photos,
    };
    if let Some(person_id) = existing.get(&person.name.to_lowercase()) {
        person.photos.iter().for_each(|p| on_photo(p));
        return Ok(report(
            Outcome::AlreadyThere {
                person_id: *person_id,
            },
            Vec::new(),
        ));
    }
    if gallery.consent_required() && !person.consent {
        person.photos.iter().for_each(|p| on_photo(p));
        let refusal = Outcome::Refused {
            code: "consent_required",
            message: "no consent recorded (people.csv's consent column says no or nothing; \
                      --consent records it where it says nothing) and kiosk.require_consent is on"
                .into(),
        };
        return Ok(report(refusal, Vec::new()));
    }
    let photos = person
        .photos
        .iter()
        .map(|path| {
            let faces = load_rgb(path)
                .map_err(|e| e.to_string())
                .and_then(|image| engine.analyze(&image).map_err(|e| e.to_string()));
            on_photo(path);
            (path.display().to_string(), faces)
        })
        .collect();
    let min_face_px = engine.min_face_px();
    let (accepted, refused) = enrollment::choose_faces(gallery, policy, min_face_px, photos);
    if accepted.is_empty() {
        let refusal = Outcome::Refused {
            code: "no_usable_photo",
            message: format!(
                "none of the {} photo(s) passed the checks",
                person.photos.len()
            ),
        };
        return Ok(report(refusal, refused));
    }
    if dry_run {
        return Ok(report(
            Outcome::WouldImport {
                faces: accepted.len(),
            },
            refused,
        ));
    }
    let faces: Vec<NewFace> = accepted
        .iter()
        .map(|face| enrollment::new_face(face, engine.model_id()))
        .collect();
    let new_person = NewPerson {
        name: person.name.clone(),
        details: person.details.clone(),
        consent: person.consent,
    };
    let person_id = gallery.enroll(&new_person, &faces)?;
    existing.insert(person.name.to_lowercase(), person_id);
    Ok(report(
        Outcome::Imported {
            person_id,
            faces: faces.len(),
        },
        refused,
    ))
}

/// The gallery's people by lower-case name, for [`import_person`].
pub fn names_in(gallery: &Gallery) -> Result<HashMap<String, PersonId>, GalleryError> {
    Ok(gallery
        .people()?
        .into_iter()
        .map(|p| (p.name.to_lowercase(), p.id))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_joins_folders_and_csv_rows_by_name() {
        let dir = tempfile::tempdir().unwrap();
        for (person, files) in [
            ("Ada Lovelace", &["b.jpg", "a.PNG", "notes.txt"][..]),
            ("Bob", &["1.jpeg"][..]),
            ("Dan", &["d.jpg"][..]),
            (".hidden", &["x.jpg"][..]),
        ] {
            std::fs::create_dir(dir.path().join(person)).unwrap();
            for file in files {
                std::fs::write(dir.path().join(person).join(file), b"").unwrap();
            }
        }
        std::fs::write(
            dir.path().join(PEOPLE_CSV),
            "Name,Phone,Consent,Notes\nada lovelace, 555-0100 ,yes,\nCarol,555-0199,no,gone\n\
             Dan,,no,\n",
        )
        .unwrap();
        let plan = plan(dir.path(), false).unwrap();
        assert_eq!(plan.people.len(), 3);
        let ada = &plan.people[0];
        assert_eq!(ada.name, "Ada Lovelace");
        assert!(ada.consent);
        assert_eq!(
            ada.details,
            BTreeMap::from([("phone".into(), "555-0100".into())])
        );
        let files: Vec<_> = ada.photos.iter().map(|p| p.file_name().unwrap()).collect();
        assert_eq!(files, ["a.PNG", "b.jpg"]);
        assert!(!plan.people[1].consent);
        assert!(plan.people[1].details.is_empty());
        assert_eq!(plan.without_photos, vec!["Carol"]);
        assert_eq!(plan.photo_count(), 4);
        // --consent speaks for those the CSV says nothing about, never over an explicit no.
        let for_all = super::plan(dir.path(), true).unwrap();
        assert!(for_all.people[1].consent, "Bob has no row");
        assert!(!for_all.people[2].consent, "Dan said no");
    }

    #[test]
    fn a_bad_csv_is_reported_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join(PEOPLE_CSV);
        for (text, expected) in [
            ("phone\n555\n", "no `name` column"),
            ("name,consent\nAda,maybe\n", "line 2"),
            ("name\nAda\nada\n", "line 3 repeats"),
        ] {
            std::fs::write(&csv, text).unwrap();
            let message = plan(dir.path(), false).unwrap_err().to_string();
            assert!(message.contains(expected), "{message}");
        }
    }
}
