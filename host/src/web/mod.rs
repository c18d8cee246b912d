//! The public dashboard: pages rendered by the host, readable without
//! JavaScript, in Vietnamese (the default) and English. A period's overview
//! with its grade distribution drawn as SVG, each unit's people, each
//! person's scorecard with the words of its indicators, the catalogue of
//! published scorecards, a run's progress, and — behind an analyst's token —
//! a sandbox what-if. Results download as CSV and XLSX. Every page shows what
//! the API would show the same reader, and no more.
//!
//! ```no_run
//! # async fn example(state: thuocdo_host::app::AppState) {
//! // The API and the dashboard are one router: /api/v1/... and the pages.
//! let app = thuocdo_host::app::router(state);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await.unwrap();
//! axum::serve(listener, app).await.unwrap();
//! // then open http://127.0.0.1:8080/ (or /?lang=en)
//! # }
//! ```

mod assess;
mod catalogue;
mod chart;
mod downloads;
mod error;
mod forms;
pub mod locale;
mod person;
mod runs;
mod search;
pub(crate) mod session;
mod unit;
mod whatif;

pub use error::WebError;

use axum::Router;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;
use axum::routing::get;

use crate::app::AppState;
use crate::runtime::PluginInfo;

/// The dashboard's routes, to merge beside the API's.
pub fn routes(limits: &crate::app::HttpLimits) -> Router<AppState> {
    let sign_in = Router::new()
        .route("/login", get(session::login_form).post(session::login))
        .route("/welcome", get(assess::welcome).post(assess::welcome_post));
    Router::new()
        .merge(crate::app::rate::limit_sign_in(sign_in, limits))
        .route("/", get(runs::home))
        .route("/runs/{id}", get(runs::overview))
        .route("/search", get(search::page))
        .route("/runs/{id}/units/{code}", get(unit::page))
        .route("/runs/{id}/people/{subject}", get(person::page))
        .route("/runs/{id}/people/{subject}/form", get(forms::person_page))
        .route(
            "/runs/{id}/people/{subject}/form.xlsx",
            get(forms::person_xlsx),
        )
        .route("/runs/{id}/units/{code}/report", get(forms::unit_page))
        .route(
            "/runs/{id}/units/{code}/decide",
            axum::routing::post(forms::decide),
        )
        .route("/runs/{id}/units/{code}/report.xlsx", get(forms::unit_xlsx))
        .route("/runs/{id}/results.csv", get(downloads::csv))
        .route("/runs/{id}/results.xlsx", get(downloads::xlsx))
        .route("/catalogue", get(catalogue::list))
        .route(
            "/catalogue/{namespace}/{name}/{version}",
            get(catalogue::scorecard),
        )
        .route("/me", get(assess::me))
        .route("/me/open", get(assess::me_open))
        .route("/assessments/{subject}/{period}", get(assess::page))
        .route(
            "/assessments/{subject}/{period}/self-assessment",
            axum::routing::post(assess::post_self),
        )
        .route(
            "/assessments/{subject}/{period}/collective",
            axum::routing::post(assess::post_collective),
        )
        .route(
            "/assessments/{subject}/{period}/direct-manager",
            axum::routing::post(assess::post_manager),
        )
        .route("/units/{code}/assessments", get(assess::unit_page))
        .route("/notices/{id}", get(assess::notice_page))
        .route(
            "/notices/{id}/appeal",
            axum::routing::post(assess::post_appeal),
        )
        .route(
            "/notices/{id}/answer",
            axum::routing::post(assess::post_answer),
        )
        .route(
            "/runs/{id}/units/{code}/ties",
            axum::routing::post(forms::choose_tie),
        )
        .route(
            "/notices/{id}/evidence",
            axum::routing::post(assess::post_evidence).layer(axum::extract::DefaultBodyLimit::max(
                crate::assessment::appeal::MAX_EVIDENCE_BYTES + 64 * 1024,
            )),
        )
        .route("/sandbox", get(whatif::drafts))
        .route("/sandbox/drafts/{id}", get(whatif::compare))
        .route("/logout", axum::routing::post(session::logout))
        .route("/lang/{code}", get(session::switch_lang))
        .route("/assets/site.css", get(stylesheet))
        .route("/favicon.svg", get(icon))
        .route("/favicon.ico", get(icon))
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../templates/site.css"),
    )
}

async fn icon() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "image/svg+xml"),
            (CACHE_CONTROL, "public, max-age=86400"),
        ],
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#0b5d1e"/><path d="M3 12h10M4 12V6M7 12V3M10 12V8M13 12V5" stroke="#fff" stroke-width="1.6"/></svg>"##,
    )
}

/// A published version's describe(), as published.
async fn card(state: &AppState, plugin: &str, version: &str) -> Result<PluginInfo, WebError> {
    let (_, text) = state.registry.describe(plugin, version).await?;
    serde_json::from_str(&text).map_err(|e| {
        WebError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            format!("the stored describe() of {plugin}@{version} is unreadable: {e}"),
        )
    })
}

/// A run id from the address.
fn run_id(text: &str) -> Result<i64, WebError> {
    Ok(crate::app::parse_run_id(text)?)
}
