//! The application: the state every route shares and the one router that
//! merges the API's routes and the dashboard's, so neither imports the other.
//! Every request gets an id (`x-request-id`, kept when a proxy sent one), a
//! trace span that carries it, and compression where the client accepts it.
//!
//! ```no_run
//! # async fn example(registry: std::sync::Arc<thuocdo_host::registry::Registry>) -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! thuocdo_host::app::serve(registry, listener, std::future::pending()).await
//! # }
//! ```

pub mod cache;
mod error;
pub mod export;
mod extract;
pub mod rate;

pub use error::{HttpError, Problem, Wording};
pub use extract::{Body, Params, parse_run_id, spool, unreadable_body};

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::IntoResponse;
use axum::response::Response;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower::load_shed::LoadShedLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};
use tower_http::trace::TraceLayer;

use crate::access::TokenCache;
use crate::api::{Bulkhead, BulkheadConfig, Metrics};
use crate::registry::Registry;
use crate::scoring::{Progress, Summary};
use crate::whatif::{WhatIfConfig, WhatIfs};

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
    pub tokens: Arc<TokenCache>,
    /// Drafts and what-ifs.
    pub whatifs: Arc<WhatIfs>,
    /// How long a request and its body may take, and how many at once.
    pub http: HttpLimits,
    /// How long dashboard sessions last.
    pub sessions: crate::access::sessions::SessionConfig,
    /// Complete runs' summaries, parsed, the most recently read first.
    pub summaries: Arc<Summaries>,
    /// The unit tree as the pages read it.
    pub units: Arc<UnitTree>,
}

/// The unit tree, read once and kept for the pages: read again when the
/// organisation changes through this host, or after [`UnitTree::TTL`]
/// (another host's change), so a page does not read 3,000 units each time.
#[derive(Default)]
pub struct UnitTree {
    kept: Mutex<Option<(std::time::Instant, u64, Arc<crate::scoring::Units>)>>,
}

impl UnitTree {
    /// The longest a tree is kept.
    pub const TTL: std::time::Duration = std::time::Duration::from_secs(10);

    /// The units as stored now (at most [`UnitTree::TTL`] old).
    pub async fn get(
        &self,
        registry: &Registry,
    ) -> crate::scoring::Result<Arc<crate::scoring::Units>> {
        let generation = registry.generation();
        if let Some((at, g, units)) = self.kept.lock().unwrap().as_ref()
            && *g == generation
            && at.elapsed() < Self::TTL
        {
            return Ok(units.clone());
        }
        let units = Arc::new(crate::scoring::Units::load(registry).await?);
        *self.kept.lock().unwrap() = Some((std::time::Instant::now(), generation, units.clone()));
        Ok(units)
    }
}

/// The summaries of the last few complete runs read, parsed once: a
/// complete run's summary changes only with its revision (a correction),
/// and a national one is megabytes of JSON that every overview and unit
/// page would otherwise parse.
#[derive(Default)]
pub struct Summaries {
    kept: Mutex<std::collections::VecDeque<(RunRevision, Arc<Summary>)>>,
}

/// A run and its revision: what a kept summary is of.
type RunRevision = (i64, i64);

impl Summaries {
    /// How many are kept.
    const KEPT: usize = 8;

    /// Run `id`'s record (its summary left out) and, once it is complete,
    /// its summary.
    pub async fn run(
        &self,
        registry: &Registry,
        id: i64,
    ) -> crate::scoring::Result<(crate::scoring::RunRecord, Option<Arc<Summary>>)> {
        let record = crate::scoring::run_head(registry, id).await?;
        if record.status != "complete" {
            let summary = crate::scoring::run_summary(registry, id).await?;
            return Ok((record, summary.map(Arc::new)));
        }
        let key = (id, record.revision);
        if let Some(hit) = self.get(key) {
            return Ok((record, Some(hit)));
        }
        let summary = crate::scoring::run_summary(registry, id)
            .await?
            .map(Arc::new);
        if let Some(s) = &summary {
            let mut kept = self.kept.lock().unwrap();
            kept.retain(|(k, _)| k.0 != id);
            kept.push_front((key, s.clone()));
            kept.truncate(Self::KEPT);
        }
        Ok((record, summary))
    }

    fn get(&self, key: RunRevision) -> Option<Arc<Summary>> {
        let mut kept = self.kept.lock().unwrap();
        let at = kept.iter().position(|(k, _)| *k == key)?;
        let hit = kept.remove(at)?;
        let summary = hit.1.clone();
        kept.push_front(hit);
        Some(summary)
    }
}

/// What HTTP costs the host at most: a client that does not finish sending
/// its headers is cut off, connections past the cap wait to be accepted, a
/// request that takes too long is answered 408, a body that stops arriving
/// 408; past the requests in flight the host answers 503 with Retry-After at
/// once rather than queue; sign-ins and writes past their rate get 429.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpLimits {
    /// The longest a client may take to send a request's headers, from
    /// connecting or from its last answer; then the connection is closed.
    pub header_timeout: std::time::Duration,
    /// Connections served at once; more wait in the listen queue.
    pub max_connections: usize,
    /// The longest a request may take, body and answer included.
    pub request_timeout: std::time::Duration,
    /// The longest a body may pause between two pieces.
    pub body_idle_timeout: std::time::Duration,
    /// Requests answered at once; more are refused with 503.
    pub max_in_flight: usize,
    /// Sign-ins per client address.
    pub sign_ins: rate::Quota,
    /// Writes per client address.
    pub writes_per_address: rate::Quota,
    /// Writes per bearer token.
    pub writes_per_token: rate::Quota,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Arc<[std::net::IpAddr]>,
}

impl Default for HttpLimits {
    fn default() -> HttpLimits {
        HttpLimits {
            header_timeout: std::time::Duration::from_secs(10),
            max_connections: 1024,
            // A national facts file takes tens of seconds to import.
            request_timeout: std::time::Duration::from_secs(300),
            body_idle_timeout: std::time::Duration::from_secs(30),
            max_in_flight: 1024,
            sign_ins: rate::Quota::per_minute(10),
            writes_per_address: rate::Quota::per_minute(3000),
            writes_per_token: rate::Quota::per_minute(1200),
            trusted_proxies: Arc::from([]),
        }
    }
}

impl AppState {
    /// State over a registry, with the default evaluation workers.
    pub fn new(registry: Arc<Registry>) -> AppState {
        AppState::with_config(registry, BulkheadConfig::default(), WhatIfConfig::default())
    }

    /// State over a registry, with `bulkhead`'s evaluation workers and
    /// `whatifs`' limits for drafts.
    pub fn with_config(
        registry: Arc<Registry>,
        bulkhead: BulkheadConfig,
        whatifs: WhatIfConfig,
    ) -> AppState {
        AppState {
            whatifs: Arc::new(WhatIfs::new(registry.clone(), whatifs)),
            registry,
            metrics: Arc::new(Metrics::default()),
            runs: Arc::new(Mutex::new(HashMap::new())),
            bulkhead: Arc::new(Bulkhead::new(bulkhead)),
            tokens: Arc::new(TokenCache::default()),
            http: HttpLimits::default(),
            sessions: crate::access::sessions::SessionConfig::default(),
            summaries: Arc::new(Summaries::default()),
            units: Arc::new(UnitTree::default()),
        }
    }

    /// The same state with `http`'s limits.
    pub fn with_http(self, http: HttpLimits) -> AppState {
        AppState { http, ..self }
    }

    /// The same state with `sessions`' lifetimes.
    pub fn with_sessions(self, sessions: crate::access::sessions::SessionConfig) -> AppState {
        AppState { sessions, ..self }
    }
}

/// Every route: the API's, the dashboard's, health and metrics.
pub fn router(state: AppState) -> Router {
    let layers = tower::ServiceBuilder::new()
        .layer(SetRequestIdLayer::x_request_id(NextRequestId::default()))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                let id = request
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!(
                    "request",
                    id,
                    method = %request.method(),
                    path = request.uri().path(),
                )
            }),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn_with_state(state.clone(), in_request))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            cache::official,
        ))
        // Past the requests in flight, 503 at once (load shedding), not a queue.
        .layer(HandleErrorLayer::new(overloaded))
        .layer(LoadShedLayer::new())
        // One semaphore for the whole router: axum gives each route its own
        // copy of a layer, and a per-route limit would not bound the host.
        .layer(GlobalConcurrencyLimitLayer::new(state.http.max_in_flight))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            state.http.request_timeout,
        ))
        .layer(RequestBodyTimeoutLayer::new(state.http.body_idle_timeout));
    Router::new()
        .merge(crate::api::routes(&state.http))
        .merge(crate::web::routes(&state.http))
        .fallback(crate::api::not_found)
        .layer(layers)
        .with_state(state)
}

/// Serves every route on `listener` until `shutdown` completes; requests in
/// flight then finish before this returns.
pub async fn serve(
    registry: Arc<Registry>,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_state(AppState::new(registry), listener, shutdown).await
}

/// Serves every route over `state` on `listener` until `shutdown` completes.
///
/// The accept loop is the host's own (hyper's HTTP/1 connections under a
/// semaphore) rather than `axum::serve`, which has neither a header timeout
/// nor a connection cap: a client that opens connections and sends nothing
/// is cut off after `header_timeout`, and past `max_connections` new ones
/// wait in the listen queue until a place frees. Each request carries its
/// peer's address (`ConnectInfo`) for the rate limits.
pub async fn serve_state(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::Service;

    let limits = state.http.clone();
    let app = router(state);
    let places = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    tokio::pin!(shutdown);
    loop {
        let place = tokio::select! {
            place = places.clone().acquire_owned() => place.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of descriptors, or a connection reset before it
                    // was accepted: wait a little rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(
            move |mut request: hyper::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                app.clone().call(request)
            },
        );
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, %peer, "a connection ended in error");
            }
            drop(place);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being answered, when called while answering one.
pub fn request_id() -> Option<String> {
    REQUEST_ID.try_with(String::clone).ok()
}

/// The answer when the host is answering all the requests it may at once.
async fn overloaded(error: tower::BoxError) -> Response {
    if error.is::<tower::load_shed::error::Overloaded>() {
        let mut response = HttpError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            "the host is answering all the requests it may at once; try again in a second",
        )
        .into_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
        response
    } else {
        HttpError::internal(format!("the request's layers failed: {error}")).into_response()
    }
}

/// Runs the rest of the request with its id at hand (a 5xx names it) and
/// counts the response's status for /metrics.
async fn in_request(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let id = request
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or("-")
        .to_string();
    let response = REQUEST_ID.scope(id, next.run(request)).await;
    state.metrics.response(response.status().as_u16());
    response
}

/// Request ids unique to this process's life: a random prefix chosen at
/// start and a counter, so ids from two replicas in one log do not collide.
#[derive(Clone)]
struct NextRequestId {
    prefix: Arc<str>,
    counter: Arc<AtomicU64>,
}

impl Default for NextRequestId {
    fn default() -> Self {
        let mut bytes = [0u8; 4];
        // Without randomness the ids are still unique within this process.
        let _ = getrandom::fill(&mut bytes);
        NextRequestId {
            prefix: bytes
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
                .into(),
            counter: Arc::new(AtomicU64::new(1)),
        }
    }
}

impl MakeRequestId for NextRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{}-{n}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}
