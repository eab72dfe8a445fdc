//! API errors: a status code and `{"error": "..."}` that says what to do.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::gallery::GalleryError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(
        "missing or wrong token: create one with `frontdesk api-token create NAME` and send it as `Authorization: Bearer TOKEN`"
    )]
    Unauthorized,
    #[error("{0}")]
    BadRequest(String),
    #[error("{message}")]
    Rejected {
        message: String,
        /// Why each photo was refused.
        details: serde_json::Value,
    },
    #[error("{0}")]
    NotFound(String),
    #[error("{message}")]
    FromRejection { status: StatusCode, message: String },
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Gallery(#[from] GalleryError),
    #[error("the recognition engine failed: {0}")]
    Engine(#[source] crate::vision::VisionError),
    #[error(
        "a previous request failed while holding the engine or the gallery; restart the server"
    )]
    Poisoned,
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Rejected { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::FromRejection { status, .. } => *status,
            ApiError::Gallery(GalleryError::NoSuchPerson(_) | GalleryError::NotMatchable(_)) => {
                StatusCode::NOT_FOUND
            }
            ApiError::Gallery(GalleryError::Invalid(_) | GalleryError::ConsentRequired) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::Bind { .. }
            | ApiError::Gallery(_)
            | ApiError::Engine(_)
            | ApiError::Poisoned
            | ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// From one of axum's extractor rejections (a body too large, a malformed form...).
    pub fn from_rejection(status: StatusCode, message: String) -> Self {
        ApiError::FromRejection { status, message }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "API request failed");
        }
        let mut body = serde_json::json!({ "error": self.to_string() });
        if let ApiError::Rejected { details, .. } = &self {
            body["rejected"] = details.clone();
        }
        (status, axum::Json(body)).into_response()
    }
}

pub async fn not_found() -> ApiError {
    ApiError::NotFound(
        "no such endpoint; the API lives under /api/v1 (see docs/integrations.md)".into(),
    )
}
