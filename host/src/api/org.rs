//! The organisation (units, posts, subjects in bulk), assignments, and facts.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};

use super::problems::{Conflict, Failed, FileBody, JsonBody, NotFound, Secured, Written};
use super::types::{FactsQuery, NewAssignment, Unit};
use crate::access::{Allowed, AssignScorecards, ChangeOrganisation, ImportFacts};
use crate::app::AppState;
use crate::app::{Body, HttpError, Params};
use crate::facts::{Format, Imported};
use crate::org::{OrgImported, Organisation};
use crate::products::ProductsImported;
use crate::registry::Assignment;
use crate::store::products::ProductTypeRow;

/// Loads units, posts, subjects and assignments in bulk, all or nothing.
#[utoipa::path(post, path = "/api/v1/organisation", tag = "organisation",
    request_body = Organisation,
    responses(
        (status = 200, description = "Written", body = OrgImported),
        Secured, Written, JsonBody, FileBody, Failed,
    ),
    security(("bearer" = [])))]
pub async fn import(
    State(state): State<AppState>,
    caller: Allowed<ChangeOrganisation>,
    headers: HeaderMap,
    upload: axum::body::Body,
) -> Result<Json<OrgImported>, HttpError> {
    let actor = caller.actor();
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json {
        return Err(HttpError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "send Content-Type: application/json",
        )
        .field("Content-Type"));
    }
    // Spooled and read an entry at a time, as a facts file is: a national
    // organisation costs the host the units, not the people.
    let file = crate::app::spool(upload, super::MAX_ORG_BYTES).await?;
    Ok(Json(
        crate::org::import_from(&state.registry, actor, file).await?,
    ))
}

/// Every unit.
#[utoipa::path(get, path = "/api/v1/units", tag = "organisation",
    responses((status = 200, description = "Every unit", body = Vec<Unit>), Failed))]
pub async fn units(State(state): State<AppState>) -> Result<Json<Vec<Unit>>, HttpError> {
    let units = state
        .registry
        .store()
        .units()
        .await?
        .into_iter()
        .map(|u| Unit {
            code: u.code,
            name: u.name,
            kind: u.kind,
            parent: u.parent,
            publishes_people: u.publishes_people,
            grades_only: u.grades_only,
            within_agency: u.within_agency,
            leader_posts: u.leader_posts,
        })
        .collect();
    Ok(Json(units))
}

/// Assigns a post type within a unit subtree to a plugin and requirement.
#[utoipa::path(post, path = "/api/v1/assignments", tag = "organisation",
    request_body = NewAssignment,
    responses(
        (status = 201, description = "Assigned", body = Assignment),
        Secured, Written, JsonBody, NotFound, Conflict, Failed,
    ),
    security(("bearer" = [])))]
pub async fn assign(
    State(state): State<AppState>,
    caller: Allowed<AssignScorecards>,
    Body(body): Body<NewAssignment>,
) -> Result<(StatusCode, Json<Assignment>), HttpError> {
    let actor = caller.actor();
    let a = body;
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
    responses((status = 200, description = "Oldest first", body = Vec<Assignment>), Failed))]
pub async fn assignments(
    State(state): State<AppState>,
) -> Result<Json<Vec<Assignment>>, HttpError> {
    Ok(Json(state.registry.assignments().await?))
}

/// Imports facts: CSV (`subject_id,period,fact,value,source`) or JSON, all or nothing.
#[utoipa::path(post, path = "/api/v1/facts", tag = "facts",
    params(FactsQuery),
    request_body(content = String, content_type = "text/csv", description = "CSV, or JSON with Content-Type application/json"),
    responses(
        (status = 200, description = "Imported (or nothing new)", body = Imported),
        Secured, Written, FileBody, Conflict, Failed,
    ),
    security(("bearer" = [])))]
pub async fn facts(
    State(state): State<AppState>,
    caller: Allowed<ImportFacts>,
    Params(q): Params<FactsQuery>,
    headers: HeaderMap,
    upload: axum::body::Body,
) -> Result<Json<Imported>, HttpError> {
    let actor = caller.actor();
    // Written to a temporary file as it arrives and read from there a row
    // at a time: a national year costs the host no more memory than a line.
    let file = crate::app::spool(upload, super::MAX_FACTS_BYTES).await?;
    let format = data_format(&headers);
    let name = q.file.unwrap_or_else(|| "upload".into());
    let imported =
        crate::facts::import_from(&state.registry, actor, &name, file, Some(format)).await?;
    Ok(Json(imported))
}

/// Imports work products: CSV (`subject_id,period,product_id,kind,assigned,accepted`
/// and optional columns) or JSON, all or nothing; each type's coefficient
/// comes from the catalogue of the subject's post.
#[utoipa::path(post, path = "/api/v1/products", tag = "facts",
    params(FactsQuery),
    request_body(content = String, content_type = "text/csv", description = "CSV, or JSON with Content-Type application/json"),
    responses(
        (status = 200, description = "Imported", body = ProductsImported),
        Secured, Written, FileBody, Conflict, Failed,
    ),
    security(("bearer" = [])))]
pub async fn products(
    State(state): State<AppState>,
    caller: Allowed<ImportFacts>,
    Params(q): Params<FactsQuery>,
    headers: HeaderMap,
    upload: axum::body::Body,
) -> Result<Json<ProductsImported>, HttpError> {
    let actor = caller.actor();
    // Spooled and read a row at a time, as facts are.
    let file = crate::app::spool(upload, super::MAX_FACTS_BYTES).await?;
    let format = data_format(&headers);
    let name = q.file.unwrap_or_else(|| "upload".into());
    Ok(Json(
        crate::products::import_from(&state.registry, actor, &name, file, Some(format)).await?,
    ))
}

/// A post's catalogue of work product types, with each one's coefficient:
/// public, as scorecards are.
#[utoipa::path(get, path = "/api/v1/posts/{post}/products", tag = "organisation",
    params(("post" = String, Path, description = "The post's code")),
    responses((status = 200, description = "By type", body = Vec<ProductTypeRow>), Failed))]
pub async fn product_types(
    State(state): State<AppState>,
    axum::extract::Path(post): axum::extract::Path<String>,
) -> Result<Json<Vec<ProductTypeRow>>, HttpError> {
    Ok(Json(state.registry.store().product_types(&post).await?))
}

/// A data file's format, as its Content-Type says: JSON, else CSV.
fn data_format(headers: &HeaderMap) -> Format {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if json { Format::Json } else { Format::Csv }
}
