//! The gallery: people, their faces and visits in SQLite (the source of truth), mirrored by an
//! in-memory index for matching.

mod admin;
mod face_code;
mod feed;
mod groups;
pub mod index;
pub mod ledger;
mod migrations;
pub mod open_set;
mod regulars;
mod replica;
mod scan;
mod store;
mod tokens;

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use admin::{
    AuditEntry, PIN_ATTEMPTS, PIN_DIGITS, PIN_LOCK_MS, PersonExport, PinCheck, PinGate, pin_lock_ms,
};
pub use face_code::{FaceCode, add_face_code_function};
pub use feed::{CHANGE_LOG_KEEP_MS, GalleryChanges};
pub use groups::{DEFAULT_GRACE, Group, GroupId, GroupMember, Schedule, Weekdays};
pub use index::{Candidate, FaceIndex, MatchDecision, MatchPolicy};
pub use open_set::{RegularsOutlook, Side, StrangerOutlook, StrangerScores};
pub use replica::{
    Applied, Entity, FaceState, FleetState, Outbox, PersonState, RowBatch, Tombstone, VisitState,
};
pub use store::{Gallery, create_schema};
pub use tokens::ApiToken;

pub type PersonId = i64;

#[derive(Debug, thiserror::Error)]
pub enum GalleryError {
    #[error(
        "the gallery {path} cannot be opened: {message}. The file was left untouched; if it is \
         damaged, move it aside (or restore a backup) and start again"
    )]
    Open { path: PathBuf, message: String },
    #[error(
        "the gallery {path} was written by a newer Frontdesk (schema {found}, this one knows {known}); upgrade Frontdesk"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error(
        "{path} is not a Frontdesk gallery (it holds other tables); it was left untouched. \
         Pass --db with a new file name or the gallery's own file"
    )]
    Foreign { path: PathBuf },
    #[error("gallery database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("no person with id {0}")]
    NoSuchPerson(PersonId),
    #[error("person #{0} was erased or has not consented to be recognised")]
    NotMatchable(PersonId),
    #[error(
        "the visitor's consent is required (kiosk.require_consent); record it (--consent) or turn the setting off"
    )]
    ConsentRequired,
    #[error(
        "the erasure is committed, but another program reading the gallery kept {pages_left} \
         page(s) of old data in its write-ahead log; close other Frontdesk windows or commands \
         and run the deletion again (`frontdesk people delete ID`) to finish it"
    )]
    NotScrubbed { pages_left: i64 },
    #[error(
        "the erasure ledger {path} cannot be read or written ({source}); nothing was erased or \
         restored. Check the folder's permissions and free space; if the file was damaged, restore \
         it from where you keep a copy"
    )]
    Ledger {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(String),
}

/// What the kiosk knows about a person.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Person {
    pub id: PersonId,
    /// Random and unique across kiosks; never reused.
    pub uid: String,
    pub name: String,
    /// Phone, email, notes, preferences... as free key/value pairs.
    pub details: BTreeMap<String, String>,
    /// When the person agreed to be recognised (Unix milliseconds), if recorded.
    pub consent_at: Option<i64>,
    /// When the person withdrew their consent (Unix milliseconds): never matched since.
    pub consent_withdrawn_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub face_count: i64,
    pub visit_count: i64,
    pub last_visit_at: Option<i64>,
}

/// A person to create.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewPerson {
    pub name: String,
    pub details: BTreeMap<String, String>,
    pub consent: bool,
}

/// A face sample to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewFace {
    pub embedding: crate::vision::Embedding,
    pub model_id: String,
    pub quality: f32,
    /// JPEG of the aligned 112x112 crop.
    pub thumbnail_jpeg: Vec<u8>,
}

/// A stored face sample (without its embedding).
#[derive(Debug, Clone, PartialEq)]
pub struct FaceRecord {
    pub id: i64,
    pub person_id: PersonId,
    pub model_id: String,
    pub quality: f32,
    pub thumbnail_jpeg: Vec<u8>,
    pub created_at: i64,
}

/// One logged visit.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Visit {
    pub id: i64,
    pub person_id: PersonId,
    pub person_name: String,
    pub at: i64,
    pub similarity: f32,
    pub source: String,
    /// The kiosk of the fleet that logged it; `None`: this one.
    pub kiosk: Option<String>,
}

/// The newest schema version this Frontdesk knows: a gallery or backup above it is refused.
pub fn known_schema_version() -> i64 {
    i64::try_from(migrations::MIGRATIONS.len()).unwrap_or(i64::MAX)
}

/// RFC 3339 UTC text of Unix milliseconds, as shown in JSON output and exports.
pub fn format_timestamp(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map_or_else(|_| ms.to_string(), |t| t.to_string())
}

/// Unix time in milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Small unit embeddings and people for the gallery's unit tests.
#[cfg(test)]
pub(crate) mod test_support {
    use super::{NewFace, NewPerson};
    use crate::vision::{EMBEDDING_DIM, Embedding};

    /// A face whose embedding points along axis `direction` (orthogonal faces are strangers).
    pub fn face(direction: usize) -> NewFace {
        let mut raw = [0f32; EMBEDDING_DIM];
        raw[direction] = 1.0;
        NewFace {
            embedding: Embedding::from_raw(&raw).unwrap(),
            model_id: "m1".into(),
            quality: 0.8,
            thumbnail_jpeg: vec![1, 2, 3],
        }
    }

    pub fn person(name: &str, details: &[(&str, &str)], consent: bool) -> NewPerson {
        NewPerson {
            name: name.into(),
            details: details
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            consent,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_format_as_utc() {
        assert_eq!(format_timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_timestamp(1_795_833_045_000), "2026-11-28T02:30:45Z");
    }
}
