//! `people list|show|edit|merge|export|delete` and `audit`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use frontdesk::gallery::{Gallery, NewPerson, Person, PersonId, format_timestamp};
use serde_json::json;

use super::output::{Table, count, date_time};
use super::{Context, Output};
use frontdesk::report::person_json;

#[derive(Debug, Subcommand)]
pub enum PeopleAction {
    /// Everyone enrolled
    List {
        #[command(flatten)]
        output: Output,
    },
    /// One person with details, faces and recent visits
    Show {
        id: PersonId,
        #[command(flatten)]
        output: Output,
    },
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
        #[command(flatten)]
        output: Output,
    },
    /// Merge FROM into INTO (the same person enrolled twice); FROM is removed
    Merge {
        from: PersonId,
        into: PersonId,
        #[command(flatten)]
        output: Output,
    },
    /// Write everything stored about a person (JSON and photos) into a new folder
    Export {
        id: PersonId,
        /// Folder to create
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        output: Output,
    },
    /// Delete a person with all their faces, details and visits, erasing them from the database file
    Delete {
        id: PersonId,
        #[command(flatten)]
        output: Output,
    },
}

/// A person's new name, details and consent, as `people edit` was given them.
struct Changes {
    name: Option<String>,
    details: Vec<(String, String)>,
    remove: Vec<String>,
    consent: bool,
    withdraw_consent: bool,
}

fn require(gallery: &Gallery, id: PersonId) -> anyhow::Result<Person> {
    gallery.person(id)?.ok_or_else(|| {
        anyhow::anyhow!("no person with id {id}; `frontdesk people list` shows who is enrolled")
    })
}

pub fn run(context: &Context, action: PeopleAction) -> anyhow::Result<ExitCode> {
    let mut gallery = context.gallery()?;
    match action {
        PeopleAction::List { output } => list(&gallery, output)?,
        PeopleAction::Show { id, output } => show(&gallery, id, output)?,
        PeopleAction::Edit {
            id,
            name,
            details,
            remove,
            consent,
            withdraw_consent,
            output,
        } => {
            let changes = Changes {
                name,
                details,
                remove,
                consent,
                withdraw_consent,
            };
            let person = edit(&mut gallery, id, changes)?;
            output.print(
                &format!(
                    "Saved #{id} {}:\n{}",
                    person.name,
                    person_card(&person).render()
                ),
                &person_json(&person),
            );
        }
        PeopleAction::Merge { from, into, output } => {
            let merged = require(&gallery, from)?;
            require(&gallery, into)?;
            gallery.merge_people(from, into)?;
            let person = require(&gallery, into)?;
            output.print(
                &format!(
                    "Merged #{from} {} into #{into} {}:\n{}",
                    merged.name,
                    person.name,
                    person_card(&person).render()
                ),
                &person_json(&person),
            );
        }
        PeopleAction::Export { id, out, output } => {
            let person = require(&gallery, id)?;
            anyhow::ensure!(
                !out.exists(),
                "{} already exists; choose a new folder",
                out.display()
            );
            let export = gallery.export_person(id)?;
            let files = frontdesk::export::write_person_export(&export, &out)?;
            output.print(
                &format!(
                    "Wrote everything stored about #{id} {} to {}: {}.",
                    person.name,
                    out.display(),
                    count(files.len(), "file", "files")
                ),
                &json!({
                    "exported": id,
                    "folder": out.display().to_string(),
                    "files": files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
                }),
            );
        }
        PeopleAction::Delete { id, output } => {
            let person = require(&gallery, id)?;
            gallery.delete_person(id)?;
            output.print(
                &format!(
                    "Deleted #{id} {} with all their faces, details and visits.",
                    person.name
                ),
                &json!({"deleted": id, "name": person.name}),
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn list(gallery: &Gallery, output: Output) -> anyhow::Result<()> {
    let mut list = output.list(&[
        "ID",
        "NAME",
        "FACES",
        "VISITS",
        "LAST VISIT",
        "CONSENT",
        "DETAILS",
    ]);
    for person in gallery.people()? {
        list.push(
            vec![
                person.id.to_string(),
                person.name.clone(),
                person.face_count.to_string(),
                person.visit_count.to_string(),
                person.last_visit_at.map(date_time).unwrap_or_default(),
                consent(&person).to_owned(),
                details(&person),
            ],
            &person_json(&person),
        );
    }
    list.finish("Nobody is enrolled yet; `frontdesk enroll` or `frontdesk import` adds people.");
    Ok(())
}

fn show(gallery: &Gallery, id: PersonId, output: Output) -> anyhow::Result<()> {
    let person = require(gallery, id)?;
    let visits: Vec<_> = gallery
        .visits(Some(id), None, None)?
        .into_iter()
        .take(20)
        .collect();
    let groups = gallery.groups_of(id)?;
    let mut card = person_card(&person);
    if !groups.is_empty() {
        let names: Vec<String> = groups
            .iter()
            .map(|(group_id, name)| format!("{name} (#{group_id})"))
            .collect();
        card.push(vec!["groups".into(), names.join(", ")]);
    }
    let mut text = format!("#{id} {}\n{}", person.name, card.render());
    if !visits.is_empty() {
        let mut recent = Table::new(&["WHEN", "SIMILARITY", "SOURCE"]);
        for visit in &visits {
            recent.push(vec![
                date_time(visit.at),
                format!("{:.2}", visit.similarity),
                visit.source.clone(),
            ]);
        }
        text.push_str(&format!("\n\nRecent visits:\n{}", recent.render()));
    }
    let mut value = person_json(&person);
    value["recent_visits"] = json!(
        visits
            .iter()
            .map(|v| json!({"at": format_timestamp(v.at), "similarity": v.similarity, "source": v.source}))
            .collect::<Vec<_>>()
    );
    value["groups"] = json!(
        groups
            .iter()
            .map(|(group_id, name)| json!({"id": group_id, "name": name}))
            .collect::<Vec<_>>()
    );
    output.print(&text, &value);
    Ok(())
}

fn edit(gallery: &mut Gallery, id: PersonId, changes: Changes) -> anyhow::Result<Person> {
    let person = require(gallery, id)?;
    let mut updated = NewPerson {
        name: changes.name.unwrap_or(person.name),
        details: person.details,
        consent: (person.consent_at.is_some() || changes.consent) && !changes.withdraw_consent,
    };
    updated.details.extend(changes.details);
    for key in &changes.remove {
        updated.details.remove(key.trim());
    }
    gallery.update_person(id, &updated)?;
    if changes.withdraw_consent {
        gallery.withdraw_consent(id)?;
    }
    require(gallery, id)
}

/// A person for people to read, under their name: consent, faces, visits and details, one per
/// line.
fn person_card(person: &Person) -> Table {
    let mut card = Table::new(&[]);
    let consent = match (person.consent_withdrawn_at, person.consent_at) {
        (Some(at), _) => format!("withdrawn {}", date_time(at)),
        (None, Some(at)) => format!("given {}", date_time(at)),
        (None, None) => "not recorded".into(),
    };
    card.push(vec!["consent".into(), consent]);
    card.push(vec!["enrolled".into(), date_time(person.created_at)]);
    card.push(vec!["faces".into(), person.face_count.to_string()]);
    let visits = match person.last_visit_at {
        Some(at) => format!("{}, the last {}", person.visit_count, date_time(at)),
        None => "none".into(),
    };
    card.push(vec!["visits".into(), visits]);
    for (key, value) in &person.details {
        card.push(vec![key.clone(), value.clone()]);
    }
    card
}

/// The consent column of `people list`.
fn consent(person: &Person) -> &'static str {
    match (person.consent_withdrawn_at, person.consent_at) {
        (Some(_), _) => "withdrawn",
        (None, Some(_)) => "yes",
        (None, None) => "no",
    }
}

fn details(person: &Person) -> String {
    person
        .details
        .iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn audit(context: &Context, output: Output, csv_output: bool) -> anyhow::Result<ExitCode> {
    let mut gallery = context.gallery()?;
    let entries = gallery.audit_log()?;
    if csv_output {
        gallery.record_audit("export", "audit log as CSV")?;
        frontdesk::export::write_audit_csv(&entries, super::StdoutSink)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut list = output.list(&["WHEN", "ACTION", "DETAIL"]);
    for entry in entries {
        list.push(
            vec![date_time(entry.at), entry.action.clone(), entry.detail.clone()],
            &json!({"at": format_timestamp(entry.at), "action": entry.action, "detail": entry.detail}),
        );
    }
    list.finish("The audit log is empty.");
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
