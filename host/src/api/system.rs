//! Liveness, readiness, metrics, the audit log, and the answer for a route
//! that does not exist.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::IntoResponse;

use super::problems::{Failed, Secured};
use crate::access::{Caller, RoleKind};
use crate::app::AppState;
use crate::app::HttpError;
use crate::registry::AuditEntry;
use crate::store::audit::PersonalRead;

/// The process answers.
pub async fn healthz() -> &'static str {
    "ok\n"
}

/// The database answers too.
pub async fn readyz(State(state): State<AppState>) -> Result<&'static str, HttpError> {
    state.registry.store().ping().await.map_err(|e| {
        HttpError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not-ready",
            format!("the database does not answer: {e}"),
        )
    })?;
    Ok("ready\n")
}

/// Prometheus text.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}

/// The audit log: every publish, yank, assignment, import, run, publication
/// and unlocking, with who and when; a unit admin reads the entries within
/// their subtree.
#[utoipa::path(get, path = "/api/v1/audit", tag = "system",
    responses(
        (status = 200, description = "Oldest first", body = Vec<AuditEntry>),
        Secured, Failed,
    ),
    security(("bearer" = [])))]
pub async fn audit(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<AuditEntry>>, HttpError> {
    caller.with_role(
        "read the audit log",
        &[RoleKind::Admin, RoleKind::UnitAdmin],
    )?;
    let units = crate::scoring::Units::load(&state.registry).await?;
    let entries = state.registry.audit_log().await?;
    Ok(Json(crate::access::visible_audit(&caller, &units, entries)))
}

/// Who read a subject's personal data (facts, caps and their reasons,
/// refusal or fault text), when, and through what; admins only. A subject
/// nobody read, or who does not exist, has an empty list.
#[utoipa::path(get, path = "/api/v1/subjects/{id}/reads", tag = "system",
    params(("id" = String, Path, description = "The subject's id")),
    responses(
        (status = 200, description = "Oldest first", body = Vec<PersonalRead>),
        Secured, Failed,
    ),
    security(("bearer" = [])))]
pub async fn personal_reads(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<PersonalRead>>, HttpError> {
    caller.with_role("read who read personal data", &[RoleKind::Admin])?;
    Ok(Json(state.registry.store().personal_reads_of(&id).await?))
}

/// 404 as a problem document.
pub async fn not_found(uri: Uri) -> HttpError {
    HttpError::not_found(format!("there is no route {}", uri.path()))
}
