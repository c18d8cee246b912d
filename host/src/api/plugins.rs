//! Publishing, listing, describing and yanking scorecards. Every published
//! scorecard's describe() is public: what a post is measured on is for anyone
//! to read.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::problems::{
    BadRequest, Conflict, Failed, JsonBody, Named, NotFound, Secured, WasmBody, Written,
};
use super::types::Described;
use crate::access::{Allowed, Caller, KeepPersonalFacts, PublishPlugins, RoleKind};
use crate::app::AppState;
use crate::app::{Body, HttpError, unreadable_body};
use crate::registry::personal::PersonalFacts;
use crate::registry::{Published, VersionRecord};

/// Reads a body, mapping a too-large one to 413 with a problem document.
pub(super) fn body(body: Result<Bytes, BytesRejection>, limit: usize) -> Result<Bytes, HttpError> {
    body.map_err(|e| unreadable_body(&e, Some(limit)))
}

/// Publishes a component: 201 when new, 200 when these bytes were published
/// before, 409 when other bytes hold that version.
#[utoipa::path(
    post, path = "/api/v1/plugins", tag = "plugins",
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The scorecard component (any content type; application/wasm is usual)"),
    responses(
        (status = 201, description = "Published", body = Published),
        (status = 200, description = "These bytes were already published", body = Published),
        Secured, Written, WasmBody, Conflict, Failed,
    ),
    security(("bearer" = []))
)]
pub async fn publish(
    State(state): State<AppState>,
    caller: Allowed<PublishPlugins>,
    bytes: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Published>), HttpError> {
    let actor = caller.actor();
    let bytes = body(bytes, super::MAX_PLUGIN_BYTES)?;
    if bytes.is_empty() {
        return Err(
            HttpError::bad_request("the body is empty: send the .wasm component").field("body"),
        );
    }
    let published = state.registry.publish(actor, bytes.to_vec()).await?;
    let status = if published.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(published)))
}

/// Every published plugin's name.
#[utoipa::path(get, path = "/api/v1/plugins", tag = "plugins",
    responses((status = 200, description = "namespace/name of each", body = Vec<String>), Failed))]
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<String>>, HttpError> {
    Ok(Json(state.registry.plugins().await?))
}

/// A plugin's versions, lowest first.
#[utoipa::path(get, path = "/api/v1/plugins/{namespace}/{name}", tag = "plugins",
    params(("namespace" = String, Path), ("name" = String, Path)),
    responses(
        (status = 200, description = "Its versions", body = Vec<VersionRecord>),
        BadRequest, Failed,
    ))]
pub async fn versions(
    State(state): State<AppState>,
    Path((namespace, name)): Path<(String, String)>,
) -> Result<Json<Vec<VersionRecord>>, HttpError> {
    Ok(Json(
        state
            .registry
            .versions(&format!("{namespace}/{name}"))
            .await?,
    ))
}

/// One version, with what it measures.
#[utoipa::path(get, path = "/api/v1/plugins/{namespace}/{name}/{version}", tag = "plugins",
    params(("namespace" = String, Path), ("name" = String, Path), ("version" = String, Path)),
    responses(
        (status = 200, description = "The version and its describe()", body = Described),
        Named, Failed,
    ))]
pub async fn describe(
    State(state): State<AppState>,
    Path((namespace, name, version)): Path<(String, String, String)>,
) -> Result<Json<Described>, HttpError> {
    let (record, describe) = state
        .registry
        .describe(&format!("{namespace}/{name}"), &version)
        .await?;
    let describe = serde_json::from_str(&describe)
        .map_err(|e| HttpError::internal(format!("a stored describe() is unreadable: {e}")))?;
    Ok(Json(Described { record, describe }))
}

/// Yanks a version: never picked again by an assignment, still evaluable.
#[utoipa::path(post, path = "/api/v1/plugins/{namespace}/{name}/{version}/yank", tag = "plugins",
    params(("namespace" = String, Path), ("name" = String, Path), ("version" = String, Path)),
    responses(
        (status = 200, description = "Yanked", body = VersionRecord),
        Secured, Written, Named, Failed,
    ),
    security(("bearer" = [])))]
pub async fn yank(
    State(state): State<AppState>,
    caller: Caller,
    Path((namespace, name, version)): Path<(String, String, String)>,
) -> Result<Json<VersionRecord>, HttpError> {
    let actor = caller.with_role("yank", &[RoleKind::Admin, RoleKind::Publisher])?;
    Ok(Json(
        state
            .registry
            .yank(actor, &format!("{namespace}/{name}"), &version)
            .await?,
    ))
}

/// Which facts of a version are personal: an indicator that reads one shows
/// readers who may not see the facts its score, never the value it read.
/// As an admin set them, or the host's default (facts about discipline or
/// degradation).
#[utoipa::path(get, path = "/api/v1/plugins/{namespace}/{name}/{version}/personal-facts", tag = "plugins",
    params(("namespace" = String, Path), ("name" = String, Path), ("version" = String, Path)),
    responses(
        (status = 200, description = "The personal facts", body = PersonalFacts),
        Named, Failed,
    ))]
pub async fn personal_facts(
    State(state): State<AppState>,
    Path((namespace, name, version)): Path<(String, String, String)>,
) -> Result<Json<PersonalFacts>, HttpError> {
    Ok(Json(
        state
            .registry
            .personal_facts(&format!("{namespace}/{name}"), &version)
            .await?,
    ))
}

/// Sets which facts of a version are personal (admins): each one a fact the
/// version declares; audited.
#[utoipa::path(put, path = "/api/v1/plugins/{namespace}/{name}/{version}/personal-facts", tag = "plugins",
    params(("namespace" = String, Path), ("name" = String, Path), ("version" = String, Path)),
    request_body = NewPersonalFacts,
    responses(
        (status = 200, description = "The personal facts now", body = PersonalFacts),
        Secured, Written, JsonBody, NotFound, Failed,
    ),
    security(("bearer" = [])))]
pub async fn set_personal_facts(
    State(state): State<AppState>,
    caller: Allowed<KeepPersonalFacts>,
    Path((namespace, name, version)): Path<(String, String, String)>,
    Body(body): Body<NewPersonalFacts>,
) -> Result<Json<PersonalFacts>, HttpError> {
    Ok(Json(
        state
            .registry
            .set_personal_facts(
                caller.actor(),
                &format!("{namespace}/{name}"),
                &version,
                &body.facts,
            )
            .await?,
    ))
}

/// The personal facts to set.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPersonalFacts {
    /// Fact names the version declares; an empty list makes none personal.
    pub facts: Vec<String>,
}
