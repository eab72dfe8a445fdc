//! `people list|show|delete`.

use std::process::ExitCode;

use clap::Subcommand;
use frontdesk::gallery::{Gallery, Person, PersonId, format_timestamp};
use serde_json::json;

use super::{Context, emit};

#[derive(Debug, Subcommand)]
pub enum PeopleAction {
    /// Everyone enrolled, one JSON line each
    List,
    /// One person with details, faces and recent visits
    Show { id: PersonId },
    /// Delete a person with all their faces, details and visits
    Delete { id: PersonId },
}

pub fn person_json(person: &Person) -> serde_json::Value {
    json!({
        "id": person.id,
        "name": person.name,
        "details": person.details,
        "consent_at": person.consent_at.map(format_timestamp),
        "created_at": format_timestamp(person.created_at),
        "faces": person.face_count,
        "visits": person.visit_count,
        "last_visit_at": person.last_visit_at.map(format_timestamp),
    })
}

fn require(gallery: &Gallery, id: PersonId) -> anyhow::Result<Person> {
    gallery.person(id)?.ok_or_else(|| {
        anyhow::anyhow!("no person with id {id}; `frontdesk people list` shows who is enrolled")
    })
}

pub fn run(context: &Context, action: PeopleAction) -> anyhow::Result<ExitCode> {
    let mut gallery = context.gallery()?;
    match action {
        PeopleAction::List => {
            for person in gallery.people()? {
                emit(&person_json(&person));
            }
        }
        PeopleAction::Show { id } => {
            let person = require(&gallery, id)?;
            let mut value = person_json(&person);
            let recent: Vec<_> = gallery
                .visits(Some(id), None, None)?
                .into_iter()
                .take(20)
                .map(|v| json!({"at": format_timestamp(v.at), "similarity": v.similarity, "source": v.source}))
                .collect();
            value["recent_visits"] = json!(recent);
            emit(&value);
        }
        PeopleAction::Delete { id } => {
            let person = require(&gallery, id)?;
            gallery.delete_person(id)?;
            emit(&json!({"deleted": id, "name": person.name}));
        }
    }
    Ok(ExitCode::SUCCESS)
}
