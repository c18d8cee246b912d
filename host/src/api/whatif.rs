//! The policy sandbox over HTTP: analysts upload drafts, list and delete
//! them, and run what-ifs against a period's official run. Nothing here
//! reaches the registry, assignments, runs or published results.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};

use super::plugins::body;
use super::problems::{
    Busy, Failed, FileBody, JsonBody, Named, NotFound, Secured, WasmBody, Written,
};
use crate::access::{Allowed, Caller, SANDBOX_ROLES, UseSandbox};
use crate::app::AppState;
use crate::app::{Body, HttpError};
use crate::facts::Format;
use crate::whatif::{CompareOptions, Comparison, DraftRecord, TrialFacts};

fn draft_id(text: &str) -> Result<i64, HttpError> {
    text.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| HttpError::bad_request(format!("`{text}` is not a draft id")).field("id"))
}

/// Uploads a draft: any valid scorecard, kept apart from the registry.
#[utoipa::path(post, path = "/api/v1/sandbox/drafts", tag = "sandbox",
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The draft component (any content type; application/wasm is usual)"),
    responses(
        (status = 201, description = "Kept as a draft", body = DraftRecord),
        Secured, Written, WasmBody, Failed,
    ),
    security(("bearer" = [])))]
pub async fn upload(
    State(state): State<AppState>,
    caller: Allowed<UseSandbox>,
    bytes: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<DraftRecord>), HttpError> {
    let actor = caller.actor();
    let bytes = body(bytes, super::MAX_PLUGIN_BYTES)?;
    let draft = state.whatifs.upload(actor, bytes.to_vec()).await?;
    Ok((StatusCode::CREATED, Json(draft)))
}

/// Every draft, oldest first.
#[utoipa::path(get, path = "/api/v1/sandbox/drafts", tag = "sandbox",
    responses(
        (status = 200, description = "The drafts", body = Vec<DraftRecord>),
        Secured, Failed,
    ),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<DraftRecord>>, HttpError> {
    let actor = caller.with_role("use the sandbox", SANDBOX_ROLES)?;
    Ok(Json(state.whatifs.list(actor).await?))
}

/// Deletes a draft (its uploader or an admin).
#[utoipa::path(delete, path = "/api/v1/sandbox/drafts/{id}", tag = "sandbox",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "Deleted", body = DraftRecord),
        Secured, Written, Named, Failed,
    ),
    security(("bearer" = [])))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<DraftRecord>, HttpError> {
    let actor = caller.with_role("use the sandbox", SANDBOX_ROLES)?;
    let id = draft_id(&id)?;
    Ok(Json(state.whatifs.delete(actor, id).await?))
}

/// What-if: the draft on the stored facts of the periods asked, beside each
/// period's official run.
#[utoipa::path(post, path = "/api/v1/sandbox/drafts/{id}/compare", tag = "sandbox",
    params(("id" = i64, Path)),
    request_body = CompareOptions,
    responses(
        (status = 200, description = "The comparison", body = Comparison),
        Secured, JsonBody, NotFound, Busy, Failed,
    ),
    security(("bearer" = [])))]
pub async fn compare(
    State(state): State<AppState>,
    caller: Allowed<UseSandbox>,
    Path(id): Path<String>,
    Body(options): Body<CompareOptions>,
) -> Result<Json<Comparison>, HttpError> {
    let actor = caller.actor();
    let id = draft_id(&id)?;
    Ok(Json(state.whatifs.compare(actor, id, &options).await?))
}

/// Gives a draft trial facts: values for facts it declares (a fact the
/// stored data lacks, say), read by its own what-ifs only, never by an
/// import or a run. CSV (`subject_id,period,fact,value,source`) or JSON with
/// Content-Type application/json, as facts imports take them; they replace
/// the draft's earlier trial facts. Its uploader or an admin.
#[utoipa::path(post, path = "/api/v1/sandbox/drafts/{id}/facts", tag = "sandbox",
    params(("id" = i64, Path)),
    request_body(content = String, content_type = "text/csv", description = "CSV, or JSON with Content-Type application/json"),
    responses(
        (status = 200, description = "The draft's trial facts now", body = TrialFacts),
        Secured, Written, FileBody, NotFound, Failed,
    ),
    security(("bearer" = [])))]
pub async fn trial_facts(
    State(state): State<AppState>,
    caller: Allowed<UseSandbox>,
    Path(id): Path<String>,
    headers: HeaderMap,
    upload: axum::body::Body,
) -> Result<Json<TrialFacts>, HttpError> {
    let actor = caller.actor();
    let id = draft_id(&id)?;
    let file = crate::app::spool(upload, super::MAX_TRIAL_FACTS_BYTES).await?;
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let format = if json { Format::Json } else { Format::Csv };
    Ok(Json(
        state
            .whatifs
            .trial_facts(actor, id, "trial facts", file, Some(format))
            .await?,
    ))
}
