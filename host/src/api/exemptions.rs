//! Exemptions: subjects not evaluated for a period, recorded by the admins
//! of their subtree.

use axum::Json;
use axum::extract::{Path, State};

use super::problems::{BadRequest, Conflict, Failed, JsonBody, NotFound, Secured, Written};
use crate::access::{Allowed, ExemptSubjects};
use crate::app::{AppState, Body, HttpError};
use crate::org::exemptions::{self, NewExemption};
use crate::store::exemptions::ExemptionRow;

/// Records that a subject is not evaluated for a period (replacing an
/// earlier exemption for it); refused while an official run locks the period.
#[utoipa::path(put, path = "/api/v1/subjects/{id}/exemptions/{period}", tag = "organisation",
    params(("id" = String, Path, description = "The subject's id"),
           ("period" = String, Path, description = "2025, 2025-Q3 or 2025-09")),
    request_body = NewExemption,
    responses(
        (status = 200, description = "Recorded", body = ExemptionRow),
        Secured, Written, JsonBody, NotFound, Conflict, Failed,
    ),
    security(("bearer" = [])))]
pub async fn put(
    State(state): State<AppState>,
    caller: Allowed<ExemptSubjects>,
    Path((id, period)): Path<(String, String)>,
    Body(body): Body<NewExemption>,
) -> Result<Json<ExemptionRow>, HttpError> {
    Ok(Json(
        exemptions::exempt(&state.registry, caller.actor(), &id, &period, &body).await?,
    ))
}

/// Lifts a subject's exemption for a period: the next run scores them.
#[utoipa::path(delete, path = "/api/v1/subjects/{id}/exemptions/{period}", tag = "organisation",
    params(("id" = String, Path, description = "The subject's id"),
           ("period" = String, Path, description = "2025, 2025-Q3 or 2025-09")),
    responses(
        (status = 200, description = "Lifted: the exemption that was", body = ExemptionRow),
        Secured, Written, BadRequest, NotFound, Conflict, Failed,
    ),
    security(("bearer" = [])))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Allowed<ExemptSubjects>,
    Path((id, period)): Path<(String, String)>,
) -> Result<Json<ExemptionRow>, HttpError> {
    Ok(Json(
        exemptions::lift(&state.registry, caller.actor(), &id, &period).await?,
    ))
}

/// A subject's exemptions, newest period first (at most 200): the reasons
/// are personal, so only the admins of the subject's subtree see them.
#[utoipa::path(get, path = "/api/v1/subjects/{id}/exemptions", tag = "organisation",
    params(("id" = String, Path, description = "The subject's id")),
    responses(
        (status = 200, description = "Newest period first", body = Vec<ExemptionRow>),
        Secured, NotFound, Failed,
    ),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Allowed<ExemptSubjects>,
    Path(id): Path<String>,
) -> Result<Json<Vec<ExemptionRow>>, HttpError> {
    Ok(Json(
        exemptions::list(&state.registry, caller.actor(), &id).await?,
    ))
}
