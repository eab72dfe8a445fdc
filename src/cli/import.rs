//! `import DIR`: many people at once, with a progress bar on a terminal or JSON lines.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use frontdesk::import::{self, Outcome, PersonReport};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value, json};

use super::{Context, Output};

pub struct ImportOptions {
    pub consent: bool,
    pub dry_run: bool,
    pub output: Output,
}

pub fn run(context: &Context, dir: &Path, options: &ImportOptions) -> anyhow::Result<ExitCode> {
    let plan = import::plan(dir, options.consent)?;
    let mut gallery = context.gallery()?;
    let mut engine = context.engine()?;
    let policy = context.policy();
    let mut existing = import::names_in(&gallery)?;
    let output = options.output;
    let bar = progress_bar(plan.photo_count(), output.is_json());
    let mut tally: BTreeMap<&'static str, usize> = BTreeMap::new();
    for person in &plan.people {
        bar.set_message(person.name.clone());
        let report = import::import_person(
            &mut engine,
            &mut gallery,
            &policy,
            person,
            &mut existing,
            options.dry_run,
            &mut |_| bar.inc(1),
        )?;
        *tally.entry(report.outcome.code()).or_default() += 1;
        bar.suspend(|| output.print(&report_text(&report), &report_json(&report)));
    }
    bar.finish_and_clear();
    let refused = tally.get("refused").copied().unwrap_or(0);
    let summary = json!({
        "summary": {
            "dry_run": options.dry_run,
            "imported": tally.get("imported").copied().unwrap_or(0),
            "would_import": tally.get("would_import").copied().unwrap_or(0),
            "already_there": tally.get("already_there").copied().unwrap_or(0),
            "refused": refused,
            "in_csv_without_photos": plan.without_photos,
        }
    });
    output.print(&summary_text(&summary["summary"]), &summary);
    Ok(if refused == 0 && plan.without_photos.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// A bar on stderr when it is a terminal (indicatif draws nothing otherwise); none with `--json`.
fn progress_bar(photos: usize, json: bool) -> ProgressBar {
    if json {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(u64::try_from(photos).unwrap_or(u64::MAX));
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} photos  {elapsed_precise}  {msg}")
    {
        bar.set_style(style);
    }
    bar
}

fn report_json(report: &PersonReport) -> Value {
    let mut value = json!({
        "name": report.name,
        "status": report.outcome.code(),
        "rejected": report.refused_photos.iter()
            .map(|r| json!({"image": r.photo, "reason": r.code, "message": r.message}))
            .collect::<Vec<_>>(),
    });
    match &report.outcome {
        Outcome::Imported { person_id, faces } => {
            value["person_id"] = json!(person_id);
            value["faces_added"] = json!(faces);
        }
        Outcome::WouldImport { faces } => value["faces_usable"] = json!(faces),
        Outcome::AlreadyThere { person_id } => value["person_id"] = json!(person_id),
        Outcome::Refused { code, message } => {
            value["reason"] = json!(code);
            value["message"] = json!(message);
        }
    }
    value
}

fn report_text(report: &PersonReport) -> String {
    let what = match &report.outcome {
        Outcome::Imported { person_id, faces } => {
            format!("imported as #{person_id} with {faces} photo(s)")
        }
        Outcome::WouldImport { faces } => format!("would be imported with {faces} photo(s)"),
        Outcome::AlreadyThere { person_id } => {
            format!("already enrolled as #{person_id}, left as is")
        }
        Outcome::Refused { message, .. } => format!("NOT imported: {message}"),
    };
    let mut text = format!("{}: {what}", report.name);
    for refused in &report.refused_photos {
        text.push_str(&format!("\n    {}: {}", refused.photo, refused.message));
    }
    text
}

fn summary_text(summary: &Value) -> String {
    let mut text = format!(
        "{} imported, {} already there, {} refused",
        summary["imported"], summary["already_there"], summary["refused"]
    );
    if summary["dry_run"] == json!(true) {
        text = format!(
            "dry run, nothing saved: {} would be imported, {} already there, {} refused",
            summary["would_import"], summary["already_there"], summary["refused"]
        );
    }
    if let Some(names) = summary["in_csv_without_photos"]
        .as_array()
        .filter(|n| !n.is_empty())
    {
        let names: Vec<&str> = names.iter().filter_map(Value::as_str).collect();
        text.push_str(&format!(
            "; in people.csv without a photo folder: {}",
            names.join(", ")
        ));
    }
    text
}
