//! What the recognition worker could not do, as data: the window words it in its language, `watch`
//! and the log print the English of `Display`.

use crate::enrollment::Rejection;

/// A failure the worker reports. `detail` is the underlying error's own text (a path, a database
/// message), shown as it is.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    OldVisitsNotDeleted {
        detail: String,
    },
    GalleryNotFollowed {
        detail: String,
    },
    DetectionFailed {
        detail: String,
    },
    EmbeddingFailed {
        detail: String,
    },
    VisitNotLogged {
        detail: String,
    },
    ConsentSettingNotApplied {
        detail: String,
    },
    /// The captured face cannot be enrolled as `name` (or, with no name, added to a person).
    SampleRejected {
        name: Option<String>,
        rejection: Rejection,
    },
    NotSaved {
        name: String,
        detail: String,
    },
    PhotoNotAdded {
        detail: String,
    },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::OldVisitsNotDeleted { detail } => {
                write!(f, "cannot delete old visits: {detail}")
            }
            Problem::GalleryNotFollowed { detail } => {
                write!(f, "cannot follow changes to the gallery: {detail}")
            }
            Problem::DetectionFailed { detail } => write!(f, "face detection failed: {detail}"),
            Problem::EmbeddingFailed { detail } => write!(f, "face embedding failed: {detail}"),
            Problem::VisitNotLogged { detail } => write!(f, "cannot log the visit: {detail}"),
            Problem::ConsentSettingNotApplied { detail } => {
                write!(f, "cannot apply the consent setting: {detail}")
            }
            Problem::SampleRejected {
                name: Some(name),
                rejection,
            } => write!(f, "could not save {name}: {rejection}"),
            Problem::SampleRejected {
                name: None,
                rejection,
            } => write!(f, "could not add the photo: {rejection}"),
            Problem::NotSaved { name, detail } => write!(f, "could not save {name}: {detail}"),
            Problem::PhotoNotAdded { detail } => write!(f, "could not add the photo: {detail}"),
        }
    }
}
