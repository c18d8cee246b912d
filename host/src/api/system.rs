//! Liveness, readiness, metrics, the audit log, and the answer for a route
//! that does not exist.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::IntoResponse;

use super::problems::{BadRequest, Failed, Secured};
use super::types::LogPage;
use crate::access::{Caller, RoleKind};
use crate::app::AppState;
use crate::app::{HttpError, Params};
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
        format!(
            "{}# HELP thuocdo_result_rows_read_total Rows of run results read from the database.\n\
             # TYPE thuocdo_result_rows_read_total counter\n\
             thuocdo_result_rows_read_total {}\n",
            state.metrics.render(),
            state.registry.store().results_read()
        ),
    )
}

/// The audit log, a page at a time: every publish, yank, assignment,
/// import, run, publication and unlocking, with who and when; a unit admin
/// reads the entries within their subtree. The next page is `after` the
/// last id of this one; an empty page is the end.
#[utoipa::path(get, path = "/api/v1/audit", tag = "system",
    params(LogPage),
    responses(
        (status = 200, description = "Oldest first", body = Vec<AuditEntry>),
        Secured, BadRequest, Failed,
    ),
    security(("bearer" = [])))]
pub async fn audit(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<LogPage>,
) -> Result<Json<Vec<AuditEntry>>, HttpError> {
    caller.with_role(
        "read the audit log",
        &[RoleKind::Admin, RoleKind::UnitAdmin],
    )?;
    let (after, limit) = q.checked()?;
    let units = crate::scoring::Units::load(&state.registry).await?;
    let Some(scope) = crate::access::audit_scope(&caller, &units) else {
        return Err(HttpError::forbidden(
            "the audit log is for admins and unit admins",
        ));
    };
    Ok(Json(
        state
            .registry
            .store()
            .audit_page(after, limit, &scope)
            .await?,
    ))
}

/// Who read a subject's personal data (facts, caps and their reasons,
/// refusal or fault text), when, and through what; admins only, a page at
/// a time (`after` the last id of the page before). A subject nobody read,
/// or who does not exist, has an empty list.
#[utoipa::path(get, path = "/api/v1/subjects/{id}/reads", tag = "system",
    params(("id" = String, Path, description = "The subject's id"), LogPage),
    responses(
        (status = 200, description = "Oldest first", body = Vec<PersonalRead>),
        Secured, BadRequest, Failed,
    ),
    security(("bearer" = [])))]
pub async fn personal_reads(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Params(q): Params<LogPage>,
) -> Result<Json<Vec<PersonalRead>>, HttpError> {
    caller.with_role("read who read personal data", &[RoleKind::Admin])?;
    let (after, limit) = q.checked()?;
    Ok(Json(
        state
            .registry
            .store()
            .personal_reads_of(&id, after, limit)
            .await?,
    ))
}

/// 404 as a problem document.
pub async fn not_found(uri: Uri) -> HttpError {
    HttpError::not_found(format!("there is no route {}", uri.path()))
}
