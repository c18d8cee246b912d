//! Runs over HTTP: start one (202 with its id, then its progress), read its
//! results (per person only where the unit publishes them; facts and cap
//! reasons only to those entitled), its summary (public), publish it, unlock
//! a period.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use super::auth::Caller;
use super::error::{ApiError, Problem};
use super::org::json;
use crate::scoring::{
    self, OfficialRun, Progress, RunOptions, RunRecord, StoredResult, Summary, Units,
};

/// A run to start.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartRun {
    /// The period: 2025-09, 2025-Q3 or 2025.
    pub period: String,
    /// Only this unit's subtree.
    #[serde(default)]
    pub unit: Option<String>,
}

/// A started run.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct Started {
    /// Its id: follow it at /api/v1/runs/{id}.
    pub id: i64,
}

/// Starts a run; it goes on in the background.
#[utoipa::path(post, path = "/api/v1/runs", tag = "runs",
    request_body = StartRun,
    responses(
        (status = 202, description = "Started", body = Started),
        (status = 400, description = "Malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Outside the caller's subtree", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such unit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a run request", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn start(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<StartRun>, JsonRejection>,
) -> Result<(StatusCode, Json<Started>), ApiError> {
    let actor = caller
        .with_role("start runs", &["admin", "unit-admin"])?
        .clone();
    let request = json(body)?;
    let progress = Arc::new(Progress::default());
    let options = RunOptions {
        period: request.period,
        unit: request.unit,
        workers: 0,
        progress: progress.clone(),
    };
    let registry = state.registry.clone();
    let mut handle = tokio::spawn(async move { scoring::run(&registry, &actor, &options).await });
    let id = tokio::select! {
        id = progress.run_id() => id,
        done = &mut handle => match done {
            Ok(Ok(report)) => report.run,
            Ok(Err(e)) => return Err(e.into()),
            Err(e) => return Err(ApiError::internal(format!("the run's task failed: {e}"))),
        },
    };
    state.runs.lock().unwrap().insert(id, progress);
    Ok((StatusCode::ACCEPTED, Json(Started { id })))
}

/// Every run, newest first.
#[utoipa::path(get, path = "/api/v1/runs", tag = "runs",
    responses((status = 200, description = "Runs, newest first", body = Vec<RunRecord>)))]
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<RunRecord>>, ApiError> {
    Ok(Json(scoring::runs(&state.registry).await?))
}

/// How far a run started here has got.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct RunProgress {
    /// resolving, loading facts, scoring, cohort rules, storing, done.
    pub stage: String,
    /// Subjects scored.
    pub done: usize,
    /// Subjects to score.
    pub total: usize,
}

/// A run and, while it goes, its progress.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct RunStatus {
    /// The run as recorded.
    pub run: RunRecord,
    /// Its progress, when this host runs it.
    pub progress: Option<RunProgress>,
}

/// One run's status.
#[utoipa::path(get, path = "/api/v1/runs/{id}", tag = "runs",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The run", body = RunStatus),
        (status = 400, description = "Not a run id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such run", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn status(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<RunStatus>, ApiError> {
    let id = run_id(&id)?;
    let run = scoring::run_record(&state.registry, id).await?;
    let progress = state.runs.lock().unwrap().get(&id).map(|p| {
        let (stage, done, total) = p.get();
        RunProgress {
            stage: stage.into(),
            done,
            total,
        }
    });
    Ok(Json(RunStatus { run, progress }))
}

pub(crate) fn run_id(text: &str) -> Result<i64, ApiError> {
    text.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| ApiError::bad_request(format!("`{text}` is not a run id")).field("id"))
}

/// Which page of results, in which format.
#[derive(Deserialize, IntoParams)]
pub struct Page {
    /// From 1.
    pub page: Option<usize>,
    /// 1 to 1000; 100 by default.
    pub per_page: Option<usize>,
    /// json (the default) or csv.
    pub format: Option<String>,
}

/// A page of results.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ResultsPage {
    /// The run.
    pub run: i64,
    /// This page, from 1.
    pub page: usize,
    /// Results per page.
    pub per_page: usize,
    /// Results the caller may see in all.
    pub total: usize,
    /// Best total first.
    pub results: Vec<StoredResult>,
}

/// A run's results, best total first: per person only where the unit
/// publishes them (or to its admins); facts, caps and refusals only to admins
/// and unit admins of the subject's unit.
#[utoipa::path(get, path = "/api/v1/runs/{id}/results", tag = "runs",
    params(("id" = i64, Path), Page),
    responses(
        (status = 200, description = "A page of results (or all as CSV with format=csv)", body = ResultsPage),
        (status = 400, description = "Bad paging", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such run", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The run is not complete", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn results(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(page): Query<Page>,
) -> Result<Response, ApiError> {
    let id = run_id(&id)?;
    let per_page = page.per_page.unwrap_or(100);
    let number = page.page.unwrap_or(1);
    if !(1..=1000).contains(&per_page) {
        return Err(ApiError::bad_request("per_page must be 1 to 1000").field("per_page"));
    }
    if number == 0 {
        return Err(ApiError::bad_request("pages count from 1").field("page"));
    }
    let csv = match page.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(
                ApiError::bad_request(format!("format `{other}`: json or csv")).field("format"),
            );
        }
    };
    let visible = visible_results(
        &state,
        &caller,
        scoring::results(&state.registry, id).await?,
    )
    .await?;
    if csv {
        let out = scoring::results_csv(&visible);
        return Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], out).into_response());
    }
    let total = visible.len();
    let results = visible
        .into_iter()
        .skip((number - 1) * per_page)
        .take(per_page)
        .collect();
    Ok(Json(ResultsPage {
        run: id,
        page: number,
        per_page,
        total,
        results,
    })
    .into_response())
}

/// A run's summary: distributions per unit and unit type, units ranked, red
/// and yellow indicators per unit. Aggregates are public.
#[utoipa::path(get, path = "/api/v1/runs/{id}/summary", tag = "runs",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The summary", body = Summary),
        (status = 400, description = "Not a run id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such run", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The run is not complete", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn summary(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Summary>, ApiError> {
    let id = run_id(&id)?;
    let record = scoring::run_record(&state.registry, id).await?;
    record.summary.map(Json).ok_or_else(|| {
        ApiError::new(
            StatusCode::CONFLICT,
            "not-complete",
            format!(
                "run {id} is {}: only a complete run has a summary",
                record.status
            ),
        )
    })
}

/// What `caller` may see of `results`: per person only where the unit
/// publishes them, unless the caller may see the subject's personal details
/// (then everything); otherwise without the cap codes, the facts and the
/// refusal or fault text, which are personal.
pub(crate) async fn visible_results(
    state: &AppState,
    caller: &Caller,
    results: Vec<StoredResult>,
) -> Result<Vec<StoredResult>, ApiError> {
    let units = Units::load(&state.registry).await?;
    let publishing = publishing_units(state).await?;
    Ok(results
        .into_iter()
        .filter_map(|mut r| {
            if caller.sees_personal(&units, &r.unit) {
                return Some(r);
            }
            if !publishing.contains(&r.unit) {
                return None;
            }
            r.caps.clear();
            r.facts = String::new();
            r.error = None;
            Some(r)
        })
        .collect())
}

/// The units that publish per-person results.
pub(crate) async fn publishing_units(
    state: &AppState,
) -> Result<std::collections::HashSet<String>, ApiError> {
    Ok(
        sqlx::query("SELECT code FROM units WHERE publishes_people <> 0")
            .fetch_all(state.registry.store().pool())
            .await?
            .iter()
            .map(|r| r.try_get("code"))
            .collect::<Result<_, _>>()?,
    )
}

/// Makes a complete run the official run of its period for its subtree.
#[utoipa::path(post, path = "/api/v1/runs/{id}/publish", tag = "runs",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "Published; the period is locked there", body = OfficialRun),
        (status = 400, description = "Not a run id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such run", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Locked by another official run, or not complete", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<OfficialRun>, ApiError> {
    let actor = caller.with_role("publish runs", &["admin", "unit-admin"])?;
    let id = run_id(&id)?;
    Ok(Json(scoring::publish(&state.registry, actor, id).await?))
}

/// Why a period is unlocked, and where.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Unlock {
    /// The subtree it was published for; none for the whole organisation.
    #[serde(default)]
    pub unit: Option<String>,
    /// Why, for the audit log.
    pub reason: String,
}

/// Unlocks a period: its official run stays on record, another may be published.
#[utoipa::path(post, path = "/api/v1/periods/{period}/unlock", tag = "runs",
    params(("period" = String, Path)),
    request_body = Unlock,
    responses(
        (status = 200, description = "Unlocked", body = OfficialRun),
        (status = 400, description = "Malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not locked", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No reason given", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not an unlock request", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn unlock(
    State(state): State<AppState>,
    caller: Caller,
    Path(period): Path<String>,
    body: Result<Json<Unlock>, JsonRejection>,
) -> Result<Json<OfficialRun>, ApiError> {
    let actor = caller.with_role("unlock periods", &["admin", "unit-admin"])?;
    let u = json(body)?;
    Ok(Json(
        scoring::unlock(
            &state.registry,
            actor,
            &period,
            u.unit.as_deref(),
            &u.reason,
        )
        .await?,
    ))
}
