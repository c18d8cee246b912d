//! Runs over HTTP: start one (202 with its id, then its progress), read its
//! results (per person only where the unit publishes them; facts and cap
//! reasons only to those entitled), its summary (public), publish it, unlock
//! a period.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::problems::{Conflict, Failed, JsonBody, Named, NotFound, Secured, Written};
use super::types::{Page, ResultsPage, RunProgress, RunStatus, StartRun, Started, Unlock};
use crate::access::{self, Allowed, Caller, RoleKind, StartRuns, UnlockPeriods};
use crate::app::AppState;
use crate::app::{Body, HttpError, Params, parse_run_id};
use crate::scoring::{self, OfficialRun, Progress, RunOptions, RunRecord, Summary};
use crate::store::results::{ResultCursor, ResultFilter, ResultOrder};

/// Starts a run; it goes on in the background.
#[utoipa::path(post, path = "/api/v1/runs", tag = "runs",
    request_body = StartRun,
    responses(
        (status = 202, description = "Started", body = Started),
        Secured, Written, JsonBody, NotFound, Failed,
    ),
    security(("bearer" = [])))]
pub async fn start(
    State(state): State<AppState>,
    caller: Allowed<StartRuns>,
    Body(body): Body<StartRun>,
) -> Result<(StatusCode, Json<Started>), HttpError> {
    let actor = caller.actor().clone();
    let request = body;
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
            Err(e) => return Err(HttpError::internal(format!("the run's task failed: {e}"))),
        },
    };
    state.runs.lock().unwrap().insert(id, progress);
    Ok((StatusCode::ACCEPTED, Json(Started { id })))
}

/// Every run, newest first.
#[utoipa::path(get, path = "/api/v1/runs", tag = "runs",
    responses((status = 200, description = "Runs, newest first", body = Vec<RunRecord>), Failed))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<RunRecord>>, HttpError> {
    let runs = scoring::runs(&state.registry).await?;
    Ok(Json(
        runs.into_iter()
            .map(|r| access::visible_run(&caller, r))
            .collect(),
    ))
}

/// One run's status.
#[utoipa::path(get, path = "/api/v1/runs/{id}", tag = "runs",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The run", body = RunStatus),
        Named, Failed,
    ))]
pub async fn status(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<RunStatus>, HttpError> {
    let id = parse_run_id(&id)?;
    let run = access::visible_run(&caller, scoring::run_record(&state.registry, id).await?);
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

/// A run's results, best total first (or by name): per person only where
/// the unit publishes them (or to its admins); facts, caps and refusals only
/// to admins and unit admins of the subject's unit. Filtered, ordered and
/// paged by the database: a request reads its page, not the run.
#[utoipa::path(get, path = "/api/v1/runs/{id}/results", tag = "runs",
    params(("id" = i64, Path), Page),
    responses(
        (status = 200, description = "A page of results (or all the filters leave, as CSV, with format=csv)", body = ResultsPage),
        Named, Secured, Conflict, Failed,
    ))]
pub async fn results(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Params(page): Params<Page>,
) -> Result<Response, HttpError> {
    let id = parse_run_id(&id)?;
    let per_page = page.per_page.unwrap_or(100);
    let number = page.page.unwrap_or(1);
    if !(1..=1000).contains(&per_page) {
        return Err(HttpError::bad_request("per_page must be 1 to 1000").field("per_page"));
    }
    if number == 0 {
        return Err(HttpError::bad_request("pages count from 1").field("page"));
    }
    let csv = match page.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(
                HttpError::bad_request(format!("format `{other}`: json or csv")).field("format"),
            );
        }
    };
    let order = match page.sort.as_deref() {
        None | Some("total") => ResultOrder::Total,
        Some("name") => ResultOrder::Name(false),
        Some(other) => {
            return Err(
                HttpError::bad_request(format!("sort `{other}`: total or name")).field("sort"),
            );
        }
    };
    let filter = filter(&state, &page).await?;
    let units = state.units.get(&state.registry).await?;
    if let Some(unit) = &filter.served
        && !access::sees_history_in(&caller, &units, unit)
    {
        return Err(HttpError::forbidden(format!(
            "who served in `{unit}` for part of a period is read by admins and the unit's admins"
        ))
        .field("served"));
    }
    let via = format!("GET /api/v1/runs/{id}/results");
    if csv {
        if order != ResultOrder::Total {
            return Err(HttpError::bad_request(
                "a CSV of results is ranked by total: leave sort out",
            )
            .field("sort"));
        }
        scoring::complete_check(&state.registry, id).await?;
        let body = crate::app::export::results_csv(&state.registry, &caller, via, id, filter);
        return Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response());
    }
    if let Some(after) = page.after.as_deref() {
        if page.page.is_some() {
            return Err(HttpError::bad_request("give `after` or `page`, not both").field("after"));
        }
        if order != ResultOrder::Total {
            return Err(HttpError::bad_request(
                "`after` reads in the order of totals: leave sort out",
            )
            .field("sort"));
        }
        let cursor = ResultCursor::from_text(after).ok_or_else(|| {
            HttpError::bad_request(format!(
                "after `{after}`: the `next` of a page before (t,TOTAL,SUBJECT or r,UNIT,SUBJECT)"
            ))
            .field("after")
        })?;
        return Ok(Json(
            after_page(
                &state, &caller, &units, &via, id, &filter, &cursor, per_page,
            )
            .await?,
        )
        .into_response());
    }
    // The first page by total is read as the cursor reads, so it can say
    // where the second starts.
    if number == 1 && order == ResultOrder::Total {
        let mut first = after_page(
            &state,
            &caller,
            &units,
            &via,
            id,
            &filter,
            &ResultCursor::Start,
            per_page,
        )
        .await?;
        first.page = 1;
        return Ok(Json(first).into_response());
    }
    let offset = (number - 1).saturating_mul(per_page);
    let page = access::visible_results_page(
        &state.registry,
        &caller,
        &via,
        id,
        &filter,
        order,
        offset,
        per_page,
    )
    .await?;
    let parts = access::visible_parts(
        &caller,
        &units,
        scoring::parts::parts_of_page(&state.registry, id, &page.results).await?,
    );
    Ok(Json(ResultsPage {
        run: id,
        page: number,
        per_page,
        total: page.total,
        next: None,
        results: page.results,
        parts,
    })
    .into_response())
}

/// A page of results after `cursor` in the order of totals, with where the
/// next one starts when this one is full.
#[allow(clippy::too_many_arguments)]
async fn after_page(
    state: &AppState,
    caller: &Caller,
    units: &scoring::Units,
    via: &str,
    run: i64,
    filter: &ResultFilter,
    cursor: &ResultCursor,
    per_page: u64,
) -> Result<ResultsPage, HttpError> {
    let (page, next) =
        access::visible_results_from(&state.registry, caller, via, run, filter, cursor, per_page)
            .await?;
    let parts = access::visible_parts(
        caller,
        units,
        scoring::parts::parts_of_page(&state.registry, run, &page.results).await?,
    );
    let full = page.results.len() as u64 == per_page;
    Ok(ResultsPage {
        run,
        page: 0,
        per_page,
        total: page.total,
        next: if full { next.to_text() } else { None },
        results: page.results,
        parts,
    })
}

/// The filter a results request asks for, each value checked: a unit that
/// does not exist is named, not answered with nothing.
async fn filter(state: &AppState, page: &Page) -> Result<ResultFilter, HttpError> {
    for (field, unit) in [
        ("unit", &page.unit),
        ("subtree", &page.subtree),
        ("served", &page.served),
    ] {
        if let Some(code) = unit
            && !state.registry.store().unit_exists(code).await?
        {
            return Err(HttpError::not_found(format!("there is no unit `{code}`")).field(field));
        }
    }
    if let Some(g) = &page.grade
        && scoring::GradeCode::from_code(g).is_none()
    {
        return Err(
            HttpError::bad_request(format!("grade `{g}`: A, B, C, D or not-graded")).field("grade"),
        );
    }
    if let Some(o) = &page.outcome
        && scoring::Outcome::from_code(o).is_none()
    {
        return Err(HttpError::bad_request(format!(
            "outcome `{o}`: scored, refused, fault or not-evaluated"
        ))
        .field("outcome"));
    }
    Ok(ResultFilter {
        unit: page.unit.clone(),
        subtree: page.subtree.clone(),
        served: page.served.clone(),
        subject: None,
        post: page.post.clone(),
        grade: page.grade.clone(),
        outcome: page.outcome.clone(),
    })
}

/// A run's summary: distributions per unit and unit type, units ranked, red
/// and yellow indicators per unit. Aggregates are public.
#[utoipa::path(get, path = "/api/v1/runs/{id}/summary", tag = "runs",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The summary", body = Summary),
        Named, Conflict, Failed,
    ))]
pub async fn summary(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Summary>, HttpError> {
    let id = parse_run_id(&id)?;
    let (record, summary) = state.summaries.run(&state.registry, id).await?;
    let summary = summary.map(|s| access::visible_summary(&caller, (*s).clone()));
    summary.map(Json).ok_or_else(|| {
        HttpError::new(
            StatusCode::CONFLICT,
            "not-complete",
            format!(
                "run {id} is {}: only a complete run has a summary",
                record.status
            ),
        )
    })
}

/// Makes a complete run the official run of its period for its subtree.
#[utoipa::path(post, path = "/api/v1/runs/{id}/publish", tag = "runs",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "Published; the period is locked there", body = OfficialRun),
        Secured, Written, Named, Conflict, Failed,
    ),
    security(("bearer" = [])))]
pub async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<OfficialRun>, HttpError> {
    let actor = caller.with_role("publish runs", &[RoleKind::Admin, RoleKind::UnitAdmin])?;
    let id = parse_run_id(&id)?;
    Ok(Json(scoring::publish(&state.registry, actor, id).await?))
}

/// Unlocks a period: its official run stays on record, another may be published.
#[utoipa::path(post, path = "/api/v1/periods/{period}/unlock", tag = "runs",
    params(("period" = String, Path)),
    request_body = Unlock,
    responses(
        (status = 200, description = "Unlocked", body = OfficialRun),
        Secured, Written, JsonBody, NotFound, Conflict, Failed,
    ),
    security(("bearer" = [])))]
pub async fn unlock(
    State(state): State<AppState>,
    caller: Allowed<UnlockPeriods>,
    Path(period): Path<String>,
    Body(body): Body<Unlock>,
) -> Result<Json<OfficialRun>, HttpError> {
    let actor = caller.actor();
    let u = body;
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
