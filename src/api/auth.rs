//! Bearer tokens (or CompreFace's `x-api-key`) on every endpoint but `/health`.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{ApiContext, ApiError, blocking};

/// A wrong token waits this long before its 401: guessing at that pace is hopeless, and one wrong
/// client does not hold up anyone else (the wait does not block the server).
const WRONG_TOKEN_DELAY: Duration = Duration::from_millis(750);

/// The name of the token a request was made with, for the audit log.
#[derive(Debug, Clone)]
pub struct TokenName(pub String);

pub(super) fn presented_token(headers: &HeaderMap) -> Option<String> {
    let bearer = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let api_key = headers.get("x-api-key").and_then(|v| v.to_str().ok());
    bearer.or(api_key).map(|t| t.trim().to_owned())
}

pub async fn require_token(
    State(context): State<Arc<ApiContext>>,
    mut request: Request,
    next: Next,
) -> Response {
    let name = match presented_token(request.headers()) {
        Some(token) => {
            let context = Arc::clone(&context);
            blocking(move || context.with_gallery(|g| Ok(g.check_api_token(&token)?))).await
        }
        None => Ok(None),
    };
    match name {
        Ok(Some(name)) => {
            request.extensions_mut().insert(TokenName(name));
            next.run(request).await
        }
        Ok(None) => {
            tokio::time::sleep(WRONG_TOKEN_DELAY).await;
            ApiError::Unauthorized.into_response()
        }
        Err(e) => e.into_response(),
    }
}
