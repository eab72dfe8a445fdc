//! `serve` (the recognition loop and the HTTP API, without a window) and `api-token`.

use std::process::ExitCode;

use clap::Subcommand;
use frontdesk::camera::SourceSpec;
use frontdesk::gallery::format_timestamp;
use frontdesk::host::{Announce, AnnouncerStatus};
use serde_json::json;

use super::output::date_time;
use super::watch::{SourceEnd, recognition_loop, start_host};
use super::{Context, Output};

/// Where `serve` listens when neither `--listen` nor `api.listen` says.
const DEFAULT_LISTEN: &str = "127.0.0.1:8765";

pub fn serve(
    context: &Context,
    source: Option<&str>,
    listen: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let spec: SourceSpec = source.unwrap_or(&context.config.kiosk.source).parse()?;
    let listen = listen
        .or(Some(context.config.api.listen.trim()).filter(|l| !l.is_empty()))
        .unwrap_or(DEFAULT_LISTEN)
        .to_owned();
    let mut host = start_host(context, spec, "serve", Announce::WithApi { listen });
    match host.wait_announcer_started() {
        Some(AnnouncerStatus::Running { api: Some(address) }) => {
            eprintln!("frontdesk: API at http://{address}/api/v1");
        }
        Some(AnnouncerStatus::Failed(message)) => {
            anyhow::bail!("cannot start the HTTP API: {message}")
        }
        status => anyhow::bail!("cannot start the HTTP API ({status:?})"),
    }
    recognition_loop(host, &mut |_| {}, SourceEnd::KeepServing)
}

#[derive(Debug, Subcommand)]
pub enum TokenAction {
    /// Create a token for an integration; it is shown this once
    Create {
        name: String,
        #[command(flatten)]
        output: Output,
    },
    /// List tokens (names and dates, never the tokens)
    List {
        #[command(flatten)]
        output: Output,
    },
    /// Revoke a token by name
    Revoke {
        name: String,
        #[command(flatten)]
        output: Output,
    },
}

pub fn api_token(context: &Context, action: TokenAction) -> anyhow::Result<ExitCode> {
    let mut gallery = context.gallery()?;
    match action {
        TokenAction::Create { name, output } => {
            let token = gallery.create_api_token(&name)?;
            output.print(
                &format!(
                    "The token for {} (shown this once; it is stored hashed):\n{token}",
                    name.trim()
                ),
                &json!({"name": name.trim(), "token": token}),
            );
        }
        TokenAction::List { output } => {
            let mut list = output.list(&["NAME", "CREATED", "LAST USED"]);
            for token in gallery.api_tokens()? {
                list.push(
                    vec![
                        token.name.clone(),
                        date_time(token.created_at),
                        token
                            .last_used_at
                            .map_or_else(|| "never".to_owned(), date_time),
                    ],
                    &json!({
                        "name": token.name,
                        "created_at": format_timestamp(token.created_at),
                        "last_used_at": token.last_used_at.map(format_timestamp),
                    }),
                );
            }
            list.finish("No token yet; `frontdesk api-token create NAME` makes one.");
        }
        TokenAction::Revoke { name, output } => {
            anyhow::ensure!(
                gallery.revoke_api_token(&name)?,
                "no token called {name}; `frontdesk api-token list` shows them"
            );
            output.print(
                &format!("Revoked the token {}.", name.trim()),
                &json!({"revoked": name.trim()}),
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
