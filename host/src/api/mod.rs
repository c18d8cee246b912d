//! The HTTP API: JSON under /api/v1, bearer tokens with roles, errors as RFC
//! 9457 problem documents, the OpenAPI document generated from the handlers
//! themselves, health, readiness and Prometheus metrics.
//!
//! ```no_run
//! # async fn example(registry: std::sync::Arc<thuocdo_host::registry::Registry>) -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! thuocdo_host::api::serve(registry, listener, std::future::pending()).await
//! # }
//! ```

pub(crate) mod auth;
mod bulkhead;
mod error;
mod evaluate;
mod metrics;
mod openapi;
mod org;
mod plugins;
pub(crate) mod runs;
pub(crate) mod sandbox;
mod system;

pub use bulkhead::{Bulkhead, BulkheadConfig};
pub use error::{ApiError, Problem};
pub use metrics::Metrics;

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post};

use crate::registry::Registry;
use crate::sandbox::{Sandbox, SandboxConfig};
use crate::scoring::Progress;

/// A plugin above this is refused with 413 (a Python scorecard is about 18 MB).
pub const MAX_PLUGIN_BYTES: usize = 32 * 1024 * 1024;
/// A facts file above this is refused with 413 (the national year is about 100 MB).
pub const MAX_FACTS_BYTES: usize = 512 * 1024 * 1024;
/// Subjects one evaluation request may carry.
pub const MAX_SUBJECTS_PER_REQUEST: usize = 10_000;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The registry, its store and runtime.
    pub registry: Arc<Registry>,
    /// Counters and latencies for /metrics.
    pub metrics: Arc<Metrics>,
    /// Runs started by this host, for their progress.
    pub runs: Arc<Mutex<HashMap<i64, Arc<Progress>>>>,
    /// Evaluation workers, shared out between plugin versions.
    pub bulkhead: Arc<Bulkhead>,
    /// Tokens recently checked.
    pub tokens: Arc<auth::TokenCache>,
    /// Drafts and what-ifs.
    pub sandbox: Arc<Sandbox>,
}

impl AppState {
    /// State over a registry, with the default evaluation workers.
    pub fn new(registry: Arc<Registry>) -> AppState {
        AppState::with_config(
            registry,
            BulkheadConfig::default(),
            SandboxConfig::default(),
        )
    }

    /// State over a registry, with `bulkhead`'s evaluation workers and
    /// `sandbox`'s limits for drafts.
    pub fn with_config(
        registry: Arc<Registry>,
        bulkhead: BulkheadConfig,
        sandbox: SandboxConfig,
    ) -> AppState {
        AppState {
            sandbox: Arc::new(Sandbox::new(registry.clone(), sandbox)),
            registry,
            metrics: Arc::new(Metrics::default()),
            runs: Arc::new(Mutex::new(HashMap::new())),
            bulkhead: Arc::new(Bulkhead::new(bulkhead)),
            tokens: Arc::new(auth::TokenCache::default()),
        }
    }
}

/// Every route.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/plugins", post(plugins::publish).get(plugins::list))
        .route("/plugins/{namespace}/{name}", get(plugins::versions))
        .route(
            "/plugins/{namespace}/{name}/{version}",
            get(plugins::describe),
        )
        .route(
            "/plugins/{namespace}/{name}/{version}/yank",
            post(plugins::yank),
        )
        .route("/organisation", post(org::import))
        .route("/units", get(org::units))
        .route("/assignments", post(org::assign).get(org::assignments))
        .route(
            "/facts",
            post(org::facts).layer(DefaultBodyLimit::max(MAX_FACTS_BYTES)),
        )
        .route("/evaluate", post(evaluate::evaluate))
        .route("/runs", post(runs::start).get(runs::list))
        .route("/runs/{id}", get(runs::status))
        .route("/runs/{id}/results", get(runs::results))
        .route("/runs/{id}/summary", get(runs::summary))
        .route("/runs/{id}/publish", post(runs::publish))
        .route("/periods/{period}/unlock", post(runs::unlock))
        .route("/sandbox/drafts", post(sandbox::upload).get(sandbox::list))
        .route("/sandbox/drafts/{id}", delete(sandbox::delete))
        .route("/sandbox/drafts/{id}/compare", post(sandbox::compare))
        .route("/audit", get(system::audit))
        .route("/openapi.json", get(openapi::document))
        .layer(DefaultBodyLimit::max(MAX_PLUGIN_BYTES));
    Router::new()
        .nest("/api/v1", api)
        .route("/healthz", get(system::healthz))
        .route("/readyz", get(system::readyz))
        .route("/metrics", get(system::metrics))
        .merge(crate::web::routes())
        .fallback(system::not_found)
        .with_state(state)
}

/// Serves the API on `listener` until `shutdown` completes; requests in
/// flight then finish before this returns.
pub async fn serve(
    registry: Arc<Registry>,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_state(AppState::new(registry), listener, shutdown).await
}

/// Serves the API over `state` on `listener` until `shutdown` completes.
pub async fn serve_state(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
