//! The HTTP API: JSON under /api/v1, bearer tokens with roles, errors as RFC
//! 9457 problem documents, the OpenAPI document generated from the handlers
//! themselves, health, readiness and Prometheus metrics.
//!
//! Handlers parse, ask the access module, call the domain modules and
//! answer; the request and response types live in [`types`].
//!
//! ```no_run
//! # async fn example(state: thuocdo_host::app::AppState) {
//! // The API's routes, merged with the dashboard's by the application.
//! let app = thuocdo_host::app::router(state);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await.unwrap();
//! axum::serve(listener, app).await.unwrap();
//! # }
//! ```

mod assessments;
mod bulkhead;
mod evaluate;
mod exemptions;
mod metrics;
mod openapi;
mod org;
mod plugins;
mod problems;
mod runs;
mod system;
mod tokens;
pub mod types;
mod whatif;

pub use bulkhead::{Bulkhead, BulkheadConfig};
pub use metrics::Metrics;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post, put};

use crate::app::AppState;

/// A plugin above this is refused with 413 (a Python scorecard is about 18 MB).
pub const MAX_PLUGIN_BYTES: usize = 32 * 1024 * 1024;
/// A facts file above this is refused with 413 (the national year is about 100 MB).
pub const MAX_FACTS_BYTES: usize = 512 * 1024 * 1024;
/// An organisation document above this is refused with 413 (the national
/// one is about 60 MB).
pub const MAX_ORG_BYTES: usize = 512 * 1024 * 1024;
/// A draft's trial facts above this are refused with 413.
pub const MAX_TRIAL_FACTS_BYTES: usize = 64 * 1024 * 1024;
/// Subjects one evaluation request may carry.
pub const MAX_SUBJECTS_PER_REQUEST: usize = 10_000;

/// The API's routes, to merge beside the dashboard's (see [`crate::app::router`]).
pub fn routes(limits: &crate::app::HttpLimits) -> Router<AppState> {
    let writes = Router::new()
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
        .route(
            "/plugins/{namespace}/{name}/{version}/personal-facts",
            get(plugins::personal_facts).put(plugins::set_personal_facts),
        )
        .route("/organisation", post(org::import))
        .route("/units", get(org::units))
        .route(
            "/products",
            post(org::products).layer(DefaultBodyLimit::max(MAX_FACTS_BYTES)),
        )
        .route("/posts/{post}/products", get(org::product_types))
        .route("/assignments", post(org::assign).get(org::assignments))
        .route(
            "/facts",
            post(org::facts).layer(DefaultBodyLimit::max(MAX_FACTS_BYTES)),
        )
        .route("/runs", post(runs::start).get(runs::list))
        .route("/runs/{id}", get(runs::status))
        .route("/runs/{id}/results", get(runs::results))
        .route("/runs/{id}/summary", get(runs::summary))
        .route("/runs/{id}/publish", post(runs::publish))
        .route("/periods/{period}/unlock", post(runs::unlock))
        .route("/sandbox/drafts", post(whatif::upload).get(whatif::list))
        .route("/sandbox/drafts/{id}", delete(whatif::delete))
        .route("/sandbox/drafts/{id}/compare", post(whatif::compare))
        .route("/sandbox/drafts/{id}/facts", post(whatif::trial_facts))
        .route("/audit", get(system::audit))
        .route("/subjects/{id}/reads", get(system::personal_reads))
        .route("/subjects/{id}/exemptions", get(exemptions::list))
        .route(
            "/subjects/{id}/exemptions/{period}",
            put(exemptions::put).delete(exemptions::delete),
        )
        .route("/sign-in-codes", post(assessments::issue_codes))
        .route(
            "/subjects/{id}/assessments/{period}",
            get(assessments::view),
        )
        .route(
            "/subjects/{id}/assessments/{period}/self-assessment",
            put(assessments::self_assessment),
        )
        .route(
            "/subjects/{id}/assessments/{period}/collective",
            put(assessments::collective),
        )
        .route(
            "/subjects/{id}/assessments/{period}/direct-manager",
            put(assessments::direct_manager),
        )
        .route("/units/{unit}/assessments", get(assessments::unit_list))
        .route(
            "/units/{unit}/assessment-calendar/{kind}",
            get(assessments::calendar).put(assessments::set_calendar),
        )
        .route(
            "/calendar/{year}",
            get(assessments::days).put(assessments::set_days),
        )
        .route("/appeal-windows", get(assessments::appeal_windows))
        .route(
            "/appeal-windows/{category}",
            put(assessments::set_appeal_window),
        )
        .route("/runs/{id}/decisions", post(assessments::decide))
        .route(
            "/runs/{id}/ties",
            get(assessments::ties).post(assessments::choose_tie),
        )
        .route("/subjects/{id}/notices", get(assessments::notices))
        .route("/subjects/{id}/email", put(assessments::set_email))
        .route("/notices/{id}", get(assessments::notice))
        .route("/notices/{id}/appeal", post(assessments::file_appeal))
        .route("/appeals/{id}", get(assessments::get_appeal))
        .route("/appeals/{id}/answer", put(assessments::answer_appeal))
        .route("/appeals/{id}/preview", post(assessments::preview_appeal))
        .route(
            "/appeals/{id}/evidence/{name}",
            put(assessments::add_evidence)
                .get(assessments::get_evidence)
                // An evidence file is at most 5 MiB; a little room for the
                // refusal to name its size rather than cut it off.
                .layer(DefaultBodyLimit::max(
                    crate::assessment::appeal::MAX_EVIDENCE_BYTES + 1024,
                )),
        )
        .route("/tokens", get(tokens::list))
        .route("/tokens/{id}/revoke", post(tokens::revoke))
        .route("/openapi.json", get(openapi::document));
    // Writes are rate limited; an evaluation changes nothing and is bounded
    // by the bulkhead instead, so the limits are on the routes above only.
    // Signing in with a code is counted as every sign-in is.
    let sign_in = crate::app::rate::limit_sign_in(
        Router::new().route("/sign-in", post(assessments::sign_in)),
        limits,
    );
    let api = crate::app::rate::limit_writes(writes, limits)
        .merge(sign_in)
        .route("/evaluate", post(evaluate::evaluate))
        .layer(DefaultBodyLimit::max(MAX_PLUGIN_BYTES));
    Router::new()
        .nest("/api/v1", api)
        .route("/healthz", get(system::healthz))
        .route("/readyz", get(system::readyz))
        .route("/metrics", get(system::metrics))
}

pub use system::not_found;
