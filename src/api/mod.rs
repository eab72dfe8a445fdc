//! The local HTTP API: REST under `/api/v1` with bearer tokens, a Server-Sent Events stream of what
//! the camera sees, and a CompreFace-compatible recognition endpoint.
//!
//! The server runs on its own named thread with a single-threaded tokio runtime; everything that
//! touches the engine or the gallery runs on tokio's blocking pool, behind one lock each, so the
//! event loop stays free for the event stream and health checks. The API has its own engine and
//! gallery connection: the gallery's change feed keeps it in step with the recognition loop and
//! every other process.
#![allow(
    clippy::disallowed_types,
    reason = "the API's one engine and gallery connection, used by one request at a time on a blocking thread"
)]

mod auth;
mod error;
pub mod events;
mod groups;
mod people;
mod recognition;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};

pub use error::ApiError;
pub use events::EventHub;

use crate::config::Config;
use crate::engine::FaceEngine;
use crate::gallery::{Gallery, MatchPolicy};

/// What every request needs.
pub struct ApiContext {
    engine: Mutex<FaceEngine>,
    gallery: Mutex<Gallery>,
    policy: MatchPolicy,
    min_face_px: f32,
    require_consent: bool,
    /// `kiosk.retention_days`: roll calls are not made for days whose visits were deleted.
    retention_days: u32,
    events: Arc<EventHub>,
    started: Instant,
}

impl ApiContext {
    pub fn new(
        config: &Config,
        engine: FaceEngine,
        gallery: Gallery,
        events: Arc<EventHub>,
    ) -> Self {
        Self {
            engine: Mutex::new(engine),
            gallery: Mutex::new(gallery),
            policy: config.recognition.match_policy(),
            min_face_px: config.recognition.min_face_px as f32,
            require_consent: config.kiosk.require_consent,
            retention_days: config.kiosk.retention_days,
            events,
            started: Instant::now(),
        }
    }

    /// Runs `work` with the gallery, brought up to date with every other process first.
    fn with_gallery<T>(
        &self,
        work: impl FnOnce(&mut Gallery) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut gallery = self.gallery.lock().map_err(|_| ApiError::Poisoned)?;
        gallery.refresh()?;
        work(&mut gallery)
    }

    fn with_engine<T>(
        &self,
        work: impl FnOnce(&mut FaceEngine) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut engine = self.engine.lock().map_err(|_| ApiError::Poisoned)?;
        work(&mut engine)
    }
}

/// Runs blocking work (inference, SQLite) off the event loop.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::Internal(format!("a request's worker failed: {e}")))?
}

fn router(context: Arc<ApiContext>, max_body_bytes: usize) -> Router {
    let protected = Router::new()
        .route("/identify", post(recognition::identify))
        .route(
            "/recognition/recognize",
            post(recognition::compreface_recognize),
        )
        .route("/people", get(people::list).post(people::create))
        .route(
            "/people/{id}",
            get(people::show)
                .patch(people::update)
                .delete(people::erase),
        )
        .route("/visits", get(people::visits))
        .route("/groups", get(groups::list).post(groups::create))
        .route(
            "/groups/{id}",
            get(groups::show)
                .patch(groups::update)
                .delete(groups::delete),
        )
        .route(
            "/groups/{id}/members/{person}",
            put(groups::add_member).delete(groups::remove_member),
        )
        .route("/groups/{id}/sessions", post(groups::start_session))
        .route("/groups/{id}/attendance", get(groups::attendance))
        .route("/events", get(events::stream))
        .route_layer(axum::middleware::from_fn_with_state(
            Arc::clone(&context),
            auth::require_token,
        ));
    let v1 = Router::new()
        .route("/health", get(health))
        .merge(protected)
        .fallback(error::not_found);
    Router::new()
        .nest("/api/v1", v1)
        .fallback(error::not_found)
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .with_state(context)
}

/// Status only: no personal data, no token needed (for monitoring and load balancers).
async fn health(
    axum::extract::State(context): axum::extract::State<Arc<ApiContext>>,
) -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "uptime_s": context.started.elapsed().as_secs(),
    }))
}

/// The running server; dropping it stops the server and waits for its thread.
pub struct ApiServer {
    address: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl ApiServer {
    /// Binds `address` (so that a port in use is reported at once) and serves on a thread of its own.
    pub fn start(
        address: SocketAddr,
        context: ApiContext,
        max_body_bytes: usize,
    ) -> Result<Self, ApiError> {
        let listener = std::net::TcpListener::bind(address)
            .map_err(|source| ApiError::Bind { address, source })?;
        let address = listener
            .local_addr()
            .map_err(|source| ApiError::Bind { address, source })?;
        listener
            .set_nonblocking(true)
            .map_err(|source| ApiError::Bind { address, source })?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .thread_name("api-blocking")
            .max_blocking_threads(8)
            .build()
            .map_err(|source| ApiError::Bind { address, source })?;
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        let app = router(Arc::new(context), max_body_bytes);
        let thread = std::thread::Builder::new()
            .name("api".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = match tokio::net::TcpListener::from_std(listener) {
                        Ok(listener) => listener,
                        Err(e) => {
                            tracing::error!(error = %e, "the API cannot listen");
                            return;
                        }
                    };
                    let served = axum::serve(listener, app)
                        .with_graceful_shutdown(async {
                            let _ = stop.await;
                        })
                        .await;
                    if let Err(e) = served {
                        tracing::error!(error = %e, "the API server stopped");
                    }
                });
            })
            .map_err(|source| ApiError::Bind { address, source })?;
        tracing::info!(%address, "HTTP API listening");
        Ok(Self {
            address,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn address(&self) -> SocketAddr {
        self.address
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the API server thread panicked");
        }
    }
}
