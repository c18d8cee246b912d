//! The organisation (units, posts, subjects in bulk), assignments, and facts.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use super::auth::Caller;
use super::error::{ApiError, Problem};
use super::plugins::body;
use crate::registry::Assignment;
use crate::scoring::facts::{Format, Imported};
use crate::scoring::org::{OrgImported, Organisation};
use crate::scoring::{self};

/// A JSON body, or a problem naming what is wrong with it.
pub(super) fn json<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    body.map(|Json(t)| t).map_err(|e| match e {
        JsonRejection::JsonDataError(e) => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "bad-json", e.body_text()).field("body")
        }
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "send Content-Type: application/json",
        )
        .field("Content-Type"),
        other => ApiError::bad_request(other.body_text()).field("body"),
    })
}

/// Loads units, posts, subjects and assignments in bulk, all or nothing.
#[utoipa::path(post, path = "/api/v1/organisation", tag = "organisation",
    request_body = Organisation,
    responses(
        (status = 200, description = "Written", body = OrgImported),
        (status = 400, description = "Malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Outside the caller's subtree", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad entries, each listed", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    org: Result<Json<Organisation>, JsonRejection>,
) -> Result<Json<OrgImported>, ApiError> {
    let actor = caller.with_role("change the organisation", &["admin", "unit-admin"])?;
    let org = json(org)?;
    Ok(Json(
        scoring::org::import(&state.registry, actor, &org).await?,
    ))
}

/// A unit as the public sees it.
#[derive(Serialize, ToSchema)]
pub struct Unit {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its type.
    pub kind: String,
    /// The enclosing unit.
    pub parent: Option<String>,
    /// Whether it publishes per-person results.
    pub publishes_people: bool,
}

/// Every unit.
#[utoipa::path(get, path = "/api/v1/units", tag = "organisation",
    responses((status = 200, description = "Every unit", body = Vec<Unit>)))]
pub async fn units(State(state): State<AppState>) -> Result<Json<Vec<Unit>>, ApiError> {
    let rows =
        sqlx::query("SELECT code, name, kind, parent, publishes_people FROM units ORDER BY code")
            .fetch_all(state.registry.store().pool())
            .await?;
    let units = rows
        .iter()
        .map(|r| {
            Ok(Unit {
                code: r.try_get("code")?,
                name: r.try_get("name")?,
                kind: r.try_get("kind")?,
                parent: r.try_get("parent")?,
                publishes_people: r.try_get::<i64, _>("publishes_people")? != 0,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Json(units))
}

/// An assignment to make.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAssignment {
    /// A position code or an agency type.
    pub post_type: String,
    /// `namespace/name`.
    pub plugin: String,
    /// A semver requirement: `^1.2`.
    pub requirement: String,
    /// The root of the unit subtree.
    pub unit: String,
    /// The first period it applies to: 2025-09, 2025-Q3 or 2025.
    pub from: String,
}

/// Assigns a post type within a unit subtree to a plugin and requirement.
#[utoipa::path(post, path = "/api/v1/assignments", tag = "organisation",
    request_body = NewAssignment,
    responses(
        (status = 201, description = "Assigned", body = Assignment),
        (status = 400, description = "Malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Outside the caller's subtree", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such unit or plugin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The same assignment exists", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No version satisfies it", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn assign(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<NewAssignment>, JsonRejection>,
) -> Result<(StatusCode, Json<Assignment>), ApiError> {
    let actor = caller.with_role("assign scorecards", &["admin", "unit-admin"])?;
    let a = json(body)?;
    let made = state
        .registry
        .assign(
            actor,
            &a.post_type,
            &a.plugin,
            &a.requirement,
            &a.unit,
            &a.from,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// Every assignment ever made: what each post is measured with, from when.
#[utoipa::path(get, path = "/api/v1/assignments", tag = "organisation",
    responses((status = 200, description = "Oldest first", body = Vec<Assignment>)))]
pub async fn assignments(State(state): State<AppState>) -> Result<Json<Vec<Assignment>>, ApiError> {
    Ok(Json(state.registry.assignments().await?))
}

/// How the facts file is named in the record.
#[derive(Deserialize, IntoParams)]
pub struct FactsQuery {
    /// The file's name, for the import record (defaults to `upload`).
    pub file: Option<String>,
}

/// Imports facts: CSV (`subject_id,period,fact,value,source`) or JSON, all or nothing.
#[utoipa::path(post, path = "/api/v1/facts", tag = "facts",
    params(FactsQuery),
    request_body(content = String, content_type = "text/csv", description = "CSV, or JSON with Content-Type application/json"),
    responses(
        (status = 200, description = "Imported (or nothing new)", body = Imported),
        (status = 400, description = "Not CSV or JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The period is frozen or locked", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad rows, each listed with its line", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn facts(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<FactsQuery>,
    headers: HeaderMap,
    bytes: Result<Bytes, BytesRejection>,
) -> Result<Json<Imported>, ApiError> {
    let actor = caller.with_role("import facts", &["admin", "unit-admin"])?;
    let bytes = body(bytes, super::MAX_FACTS_BYTES)?;
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let format = if json { Format::Json } else { Format::Csv };
    let name = q.file.unwrap_or_else(|| "upload".into());
    let imported =
        scoring::facts::import_as(&state.registry, actor, &name, &bytes, Some(format)).await?;
    Ok(Json(imported))
}
