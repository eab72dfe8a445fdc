//! What the recognition worker reports (failures, staff changes done) in the window's language. The
//! underlying error's own text (`detail`: a database or file message) is shown as it is.

use fluent_bundle::FluentValue;

use super::i18n::Texts;
use crate::enrollment::Rejection;
use crate::recognizer::Problem;
use crate::staff_service::{StaffDone, StaffError};

pub fn problem_text(texts: &Texts, problem: &Problem) -> String {
    let with_detail = |id: &str, detail: &str| texts.with(id, &[("detail", detail.into())]);
    match problem {
        Problem::OldVisitsNotDeleted { detail } => with_detail("problem-old-visits", detail),
        Problem::GalleryNotFollowed { detail } => {
            with_detail("problem-gallery-not-followed", detail)
        }
        Problem::DetectionFailed { detail } => with_detail("problem-detection", detail),
        Problem::EmbeddingFailed { detail } => with_detail("problem-embedding", detail),
        Problem::VisitNotLogged { detail } => with_detail("problem-visit-not-logged", detail),
        Problem::ConsentSettingNotApplied { detail } => {
            with_detail("problem-consent-setting", detail)
        }
        Problem::SampleRejected { name, rejection } => {
            let reason = rejection_text(texts, rejection);
            match name {
                Some(name) => texts.with(
                    "problem-sample-rejected-save",
                    &[("name", name.as_str().into()), ("reason", reason.into())],
                ),
                None => texts.with("problem-sample-rejected-add", &[("reason", reason.into())]),
            }
        }
        Problem::NotSaved { name, detail } => texts.with(
            "problem-not-saved",
            &[
                ("name", name.as_str().into()),
                ("detail", detail.as_str().into()),
            ],
        ),
        Problem::PhotoNotAdded { detail } => with_detail("problem-photo-not-added", detail),
    }
}

/// Why a staff request failed, in the window's language, with the underlying error's own words.
pub fn staff_error_text(texts: &Texts, error: &StaffError) -> String {
    let detail = error.detail();
    let with_detail = |id: &str| texts.with(id, &[("detail", detail.as_str().into())]);
    let shown = |path: &std::path::Path| FluentValue::from(path.display().to_string());
    match error {
        StaffError::AlreadyDeleted => texts.get("staff-error-already-deleted"),
        StaffError::GroupGone => texts.get("staff-error-group-gone"),
        StaffError::FirstPinOnTheComputer => texts.get("staff-error-first-pin"),
        StaffError::PinAlreadySet => texts.get("staff-error-pin-already-set"),
        StaffError::FolderExists(path) => {
            texts.with("staff-error-folder-exists", &[("path", shown(path))])
        }
        StaffError::PhotoRejected { path, rejection } => texts.with(
            "staff-error-photo-rejected",
            &[
                ("path", shown(path)),
                ("reason", rejection_text(texts, rejection).into()),
            ],
        ),
        StaffError::PhotoUnreadable { path, .. } | StaffError::PhotoNotAnalysed { path, .. } => {
            texts.with(
                "staff-error-photo-unreadable",
                &[("path", shown(path)), ("detail", detail.as_str().into())],
            )
        }
        StaffError::Engine(_) => with_detail("staff-error-engine"),
        StaffError::GalleryUnavailable(_) => with_detail("staff-error-gallery-unavailable"),
        StaffError::Gallery(_) => with_detail("staff-error-gallery"),
        StaffError::Export(_) => with_detail("staff-error-export"),
        StaffError::Attendance(_) => with_detail("staff-error-attendance"),
        StaffError::Settings(_) => with_detail("staff-error-settings"),
    }
}

/// The status line after a staff change.
pub fn done_text(texts: &Texts, done: &StaffDone) -> String {
    let path = |id: &str, path: &std::path::Path| {
        texts.with(id, &[("path", path.display().to_string().into())])
    };
    let name = |id: &str, name: &str| texts.with(id, &[("name", name.into())]);
    match done {
        StaffDone::PinSet => texts.get("done-pin-set"),
        StaffDone::PersonSaved { name: who } => name("done-person-saved", who),
        StaffDone::PersonDeleted => texts.get("done-person-deleted"),
        StaffDone::PeopleMerged => texts.get("done-people-merged"),
        StaffDone::PersonExported { files, folder } => texts.with(
            "done-person-exported",
            &[
                ("count", FluentValue::from(*files)),
                ("path", folder.display().to_string().into()),
            ],
        ),
        StaffDone::VisitsWritten { visits, path } => texts.with(
            "done-visits-written",
            &[
                ("count", FluentValue::from(*visits)),
                ("path", path.display().to_string().into()),
            ],
        ),
        StaffDone::AuditLogWritten { path: file } => path("done-audit-written", file),
        StaffDone::GroupCreated { name: group } => name("done-group-created", group),
        StaffDone::GroupRenamed { name: group } => name("done-group-renamed", group),
        StaffDone::ScheduleSaved => texts.get("done-schedule-saved"),
        StaffDone::GroupDeleted => texts.get("done-group-deleted"),
        StaffDone::MemberAdded => texts.get("done-member-added"),
        StaffDone::MemberRemoved => texts.get("done-member-removed"),
        StaffDone::RollCallStarted => texts.get("done-roll-call-started"),
        StaffDone::RollCallsWritten { path: file } => path("done-roll-calls-written", file),
        StaffDone::SettingsSaved { path: file, .. } => path("done-settings-saved", file),
        StaffDone::PhotoAdded { path: file } => path("done-photo-added", file),
    }
}

/// Why a captured face cannot be used, worded for the receptionist.
fn rejection_text(texts: &Texts, rejection: &Rejection) -> String {
    match rejection {
        Rejection::NoFace => texts.get("rejection-no-face"),
        Rejection::SeveralFaces { count } => texts.with(
            "rejection-several-faces",
            &[("count", FluentValue::from(*count))],
        ),
        Rejection::TooSmall { size_px, min_px } => texts.with(
            "rejection-too-small",
            &[
                ("size", FluentValue::from(size_px.round())),
                ("min", FluentValue::from(min_px.round())),
            ],
        ),
        Rejection::TooBlurry { .. } => texts.get("rejection-too-blurry"),
        Rejection::AlreadyEnrolled { name, .. } => texts.with(
            "rejection-already-enrolled",
            &[("name", name.as_str().into())],
        ),
        Rejection::NotTheSamePerson { .. } => texts.get("rejection-not-the-same-person"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::i18n::Language;

    /// A receptionist sees why a capture was refused in their language, with the visitor's name,
    /// and a database message is passed through unchanged.
    #[test]
    fn problems_are_worded_in_the_window_language() {
        let refused = Problem::SampleRejected {
            name: Some("Ana".into()),
            rejection: Rejection::AlreadyEnrolled {
                person_id: 3,
                name: "Sam".into(),
                similarity: 0.7,
            },
        };
        assert_eq!(
            problem_text(&Texts::new(Language::English), &refused),
            "Could not save Ana: already enrolled as Sam: add the photo to that person instead"
        );
        let german = problem_text(&Texts::new(Language::German), &refused);
        assert!(
            german.starts_with("Ana konnte nicht gespeichert werden"),
            "{german}"
        );
        assert!(german.contains("bereits als Sam erfasst"), "{german}");
        let small = Problem::SampleRejected {
            name: None,
            rejection: Rejection::TooSmall {
                size_px: 41.6,
                min_px: 60.0,
            },
        };
        let spanish = problem_text(&Texts::new(Language::Spanish), &small);
        assert!(spanish.contains("(42 px, se necesitan 60 px)"), "{spanish}");
        assert_eq!(
            done_text(
                &Texts::new(Language::German),
                &StaffDone::PersonSaved { name: "Ana".into() }
            ),
            "Ana gespeichert."
        );
        let locked = Problem::VisitNotLogged {
            detail: "database is locked".into(),
        };
        assert_eq!(
            problem_text(&Texts::new(Language::German), &locked),
            "Der Besuch kann nicht gespeichert werden: database is locked"
        );
    }
}
