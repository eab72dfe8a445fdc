//! `people list|show|edit|merge|export|delete`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use frontdesk::gallery::{Gallery, NewPerson, Person, PersonId, format_timestamp};
use serde_json::json;

use super::{Context, emit};
use frontdesk::report::person_json;

#[derive(Debug, Subcommand)]
pub enum PeopleAction {
    /// Everyone enrolled, one JSON line each
    List,
    /// One person with details, faces and recent visits
    Show { id: PersonId },
    /// Change a person's name, details or consent
    Edit {
        id: PersonId,
        #[arg(long)]
        name: Option<String>,
        /// Set a detail (repeatable)
        #[arg(long = "detail", value_name = "KEY=VALUE", value_parser = super::parse_detail)]
        details: Vec<(String, String)>,
        /// Remove a detail (repeatable)
        #[arg(long = "remove-detail", value_name = "KEY")]
        remove: Vec<String>,
        /// Record that the person agreed to be recognised
        #[arg(long, conflicts_with = "withdraw_consent")]
        consent: bool,
        /// Record that the person withdrew their consent
        #[arg(long)]
        withdraw_consent: bool,
    },
    /// Merge FROM into INTO (the same person enrolled twice); FROM is removed
    Merge { from: PersonId, into: PersonId },
    /// Write everything stored about a person (JSON and photos) into a new folder
    Export {
        id: PersonId,
        /// Folder to create
        #[arg(long)]
        out: PathBuf,
    },
    /// Delete a person with all their faces, details and visits, erasing them from the database file
    Delete { id: PersonId },
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
            let groups: Vec<_> = gallery
                .groups_of(id)?
                .into_iter()
                .map(|(group_id, name)| json!({"id": group_id, "name": name}))
                .collect();
            value["groups"] = json!(groups);
            emit(&value);
        }
        PeopleAction::Edit {
            id,
            name,
            details,
            remove,
            consent,
            withdraw_consent,
        } => {
            let person = require(&gallery, id)?;
            let mut updated = NewPerson {
                name: name.unwrap_or(person.name),
                details: person.details,
                consent: (person.consent_at.is_some() || consent) && !withdraw_consent,
            };
            updated.details.extend(details);
            for key in &remove {
                updated.details.remove(key.trim());
            }
            gallery.update_person(id, &updated)?;
            if withdraw_consent {
                gallery.withdraw_consent(id)?;
            }
            emit(&person_json(&require(&gallery, id)?));
        }
        PeopleAction::Merge { from, into } => {
            require(&gallery, from)?;
            require(&gallery, into)?;
            gallery.merge_people(from, into)?;
            emit(&person_json(&require(&gallery, into)?));
        }
        PeopleAction::Export { id, out } => {
            require(&gallery, id)?;
            anyhow::ensure!(
                !out.exists(),
                "{} already exists; choose a new folder",
                out.display()
            );
            let export = gallery.export_person(id)?;
            let files = frontdesk::export::write_person_export(&export, &out)?;
            emit(&json!({
                "exported": id,
                "folder": out.display().to_string(),
                "files": files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
            }));
        }
        PeopleAction::Delete { id } => {
            let person = require(&gallery, id)?;
            gallery.delete_person(id)?;
            emit(&json!({"deleted": id, "name": person.name}));
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn audit(context: &Context, csv_output: bool) -> anyhow::Result<ExitCode> {
    let mut gallery = context.gallery()?;
    let entries = gallery.audit_log()?;
    if csv_output {
        gallery.record_audit("export", "audit log as CSV")?;
        frontdesk::export::write_audit_csv(&entries, super::StdoutSink)?;
    } else {
        for entry in entries {
            emit(
                &json!({"at": format_timestamp(entry.at), "action": entry.action, "detail": entry.detail}),
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn set_pin(context: &Context) -> anyhow::Result<ExitCode> {
    let mut gallery = context.gallery()?;
    eprintln!("frontdesk: type the new staff PIN (4 to 12 digits) and press Enter");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    gallery.set_pin(line.trim())?;
    eprintln!("frontdesk: staff PIN set");
    Ok(ExitCode::SUCCESS)
}
