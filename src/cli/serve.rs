//! `serve` (the recognition loop and the HTTP API, without a window) and `api-token`.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use clap::Subcommand;
use frontdesk::api::{ApiContext, ApiServer, EventHub};
use frontdesk::camera::SourceSpec;
use frontdesk::gallery::format_timestamp;
use frontdesk::recognizer::TrackEvent;
use frontdesk::webhooks::{WebhookQueue, WebhookSender};
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
    let mut api_config = context.config.api.clone();
    if let Some(listen) = listen {
        api_config.listen = listen.to_owned();
    }
    let address = api_config
        .listen_address(DEFAULT_LISTEN)
        .map_err(anyhow::Error::msg)?;
    let events = Arc::new(EventHub::new());
    let api_context = ApiContext::new(
        &context.config,
        context.engine()?,
        context.gallery()?,
        Arc::clone(&events),
    );
    let max_body = usize::try_from(api_config.max_body_mb)
        .unwrap_or(16)
        .saturating_mul(1024 * 1024);
    let server =
        ApiServer::start(address, api_context, max_body).context("cannot start the HTTP API")?;
    eprintln!("frontdesk: API at http://{}/api/v1", server.address());
    let hooks = context.config.webhook.clone();
    let mut queue = match hooks.is_empty() {
        true => None,
        false => Some(WebhookQueue::open(&context.db_path, hooks.clone())?),
    };
    let _sender = match hooks.is_empty() {
        true => None,
        false => Some(WebhookSender::start(&context.db_path, hooks)?),
    };
    let mut publish = |track_event: &TrackEvent| {
        let event = track_event.to_json();
        let id = events.publish(&event);
        if let Some(queue) = &mut queue
            && let Err(e) = queue.enqueue(id, &event)
        {
            eprintln!("frontdesk: cannot queue an event for the webhooks: {e}");
        }
    };
    let outcome = recognition_loop(
        context,
        spec.clone(),
        format!("serve:{spec}"),
        &mut publish,
        SourceEnd::KeepServing,
    );
    drop(server);
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
