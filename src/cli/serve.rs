//! `serve` (the recognition loop and the HTTP API, without a window) and `api-token`.

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;
use frontdesk::camera::SourceSpec;
use frontdesk::gallery::format_timestamp;
use frontdesk::integrations::Integrations;
use serde_json::json;

use super::watch::{SourceEnd, recognition_loop};
use super::{Context, emit};

/// Where `serve` listens when neither `--listen` nor `api.listen` says.
const DEFAULT_LISTEN: &str = "127.0.0.1:8765";

pub fn serve(
    context: &Context,
    source: Option<&str>,
    listen: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let spec: SourceSpec = source.unwrap_or(&context.config.kiosk.source).parse()?;
    let mut config = context.config.clone();
    if let Some(listen) = listen {
        config.api.listen = listen.to_owned();
    }
    let mut integrations = Integrations::start(&config, &context.db_path, DEFAULT_LISTEN)
        .context("cannot start the HTTP API")?;
    eprintln!(
        "frontdesk: API at http://{}/api/v1",
        integrations.api_address()
    );
    let stop_backups = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    if config.backup.enabled() {
        // Nobody here shows the status: the scheduler's status file is what `doctor` reads.
        let (updates, _) = std::sync::mpsc::sync_channel(1);
        frontdesk::backup::schedule::spawn_scheduler(
            config.backup.clone(),
            context.db_path.clone(),
            updates,
            std::sync::Arc::clone(&stop_backups),
        )
        .context("cannot start the backup scheduler")?;
    }
    let outcome = recognition_loop(
        context,
        spec.clone(),
        format!("serve:{spec}"),
        &mut integrations,
        SourceEnd::KeepServing,
    );
    drop(integrations);
    stop_backups.store(true, std::sync::atomic::Ordering::Relaxed);
    outcome
}

#[derive(Debug, Subcommand)]
pub enum TokenAction {
    /// Create a token for an integration; prints it once as {"name","token"}
    Create { name: String },
    /// List tokens (names and dates, never the tokens)
    List,
    /// Revoke a token by name
    Revoke { name: String },
}

pub fn api_token(context: &Context, action: TokenAction) -> anyhow::Result<ExitCode> {
    let mut gallery = context.gallery()?;
    match action {
        TokenAction::Create { name } => {
            let token = gallery.create_api_token(&name)?;
            emit(&json!({"name": name.trim(), "token": token}));
        }
        TokenAction::List => {
            for token in gallery.api_tokens()? {
                emit(&json!({
                    "name": token.name,
                    "created_at": format_timestamp(token.created_at),
                    "last_used_at": token.last_used_at.map(format_timestamp),
                }));
            }
        }
        TokenAction::Revoke { name } => {
            anyhow::ensure!(
                gallery.revoke_api_token(&name)?,
                "no token called {name}; `frontdesk api-token list` shows them"
            );
            emit(&json!({"revoked": name.trim()}));
        }
    }
    Ok(ExitCode::SUCCESS)
}
