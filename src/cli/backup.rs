//! `backup` and `restore`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use frontdesk::backup::{self, SecretString};
use serde_json::json;

use super::output::count;
use super::{Context, Output};

/// Reads a passphrase: the first line of `path`, or of standard input for `-`.
pub fn read_passphrase(path: &Path) -> anyhow::Result<SecretString> {
    let text = if path == Path::new("-") {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("cannot read the passphrase from standard input")?;
        line
    } else {
        std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the passphrase file {}", path.display()))?
    };
    let passphrase = text
        .lines()
        .next()
        .unwrap_or_default()
        .trim_end_matches('\r');
    anyhow::ensure!(
        !passphrase.is_empty(),
        "the passphrase in {} is empty; write it on the file's first line",
        path.display()
    );
    Ok(SecretString::from(passphrase.to_owned()))
}

pub fn backup(
    context: &Context,
    output: Output,
    out: &Path,
    passphrase_file: Option<&PathBuf>,
) -> anyhow::Result<ExitCode> {
    let passphrase = passphrase_file.map(|p| read_passphrase(p)).transpose()?;
    let summary = backup::create_backup(&context.db_path, out, passphrase.as_ref())?;
    output.print(
        &backed_up(&summary),
        &json!({
            "backup": summary.path.display().to_string(),
            "bytes": summary.bytes,
            "encrypted": summary.encrypted,
            "schema_version": summary.schema_version,
            "people": summary.people,
            "visits": summary.visits,
        }),
    );
    Ok(ExitCode::SUCCESS)
}

pub fn restore(
    context: &Context,
    output: Output,
    file: &Path,
    passphrase_file: Option<&PathBuf>,
    unencrypted: bool,
) -> anyhow::Result<ExitCode> {
    // The configured passphrase counts as given: a kiosk whose backups are encrypted then refuses
    // a plain file, which anyone with access to the backup folder could have put there.
    let passphrase = match passphrase_file {
        Some(file) => Some(read_passphrase(file)?),
        None if unencrypted => None,
        None => context.config.backup.passphrase().with_context(|| {
            format!(
                "cannot read the backup passphrase file {} (backup.passphrase_file)",
                context.config.backup.passphrase_file.display()
            )
        })?,
    };
    let summary = backup::restore(
        file,
        &context.db_path,
        passphrase.as_ref(),
        frontdesk::models::EMBEDDER.id,
    )?;
    output.print(
        &restored(file, &context.db_path, &summary),
        &json!({
            "restored": file.display().to_string(),
            "gallery": context.db_path.display().to_string(),
            "backup_schema_version": summary.backup_schema_version,
            "people": summary.people,
            "visits": summary.visits,
            "erased_again": summary.erased_again,
            "access_kept": summary.access_kept,
            "removed_copies": summary
                .removed_copies
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>(),
        }),
    );
    Ok(ExitCode::SUCCESS)
}

fn backed_up(summary: &backup::BackupSummary) -> String {
    format!(
        "Backed up {} and {} to {} ({} bytes{}).",
        count(summary.people, "person", "people"),
        count(summary.visits, "visit", "visits"),
        summary.path.display(),
        summary.bytes,
        if summary.encrypted {
            ", encrypted"
        } else {
            ", not encrypted: keep it as safe as the gallery"
        }
    )
}

fn restored(file: &Path, gallery: &Path, summary: &backup::RestoreSummary) -> String {
    let mut text = format!(
        "Restored {} into {}: {} and {}.",
        file.display(),
        gallery.display(),
        count(summary.people, "person", "people"),
        count(summary.visits, "visit", "visits"),
    );
    if summary.erased_again > 0 {
        text.push_str(&format!(
            " {} erased since the backup stayed erased.",
            count(summary.erased_again, "person", "people")
        ));
    }
    if summary.access_kept {
        text.push_str(" The staff PIN and the API tokens stay as they were, not the backup's.");
    }
    if !summary.removed_copies.is_empty() {
        text.push_str(&format!(
            " {} left from earlier restores removed.",
            count(
                summary.removed_copies.len(),
                "copy of the gallery",
                "copies of the gallery"
            )
        ));
    }
    text
}
