//! The assessment procedure on the API: sign-in codes and signing in,
//! each step of a subject's assessment, a unit's list, the calendars and
//! the working-day calendar (see [`crate::assessment`]).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::problems::{BadRequest, Conflict, Failed, JsonBody, Named, Secured, Written};
use crate::access::{
    Allowed, AnswerAppeals, AssessAsManager, AssessSelf, ChooseAmongTied, DecideGrades,
    FileAppeals, IssueSignInCodes, ListAssessments, ReadAssessments, ReadNotices, RecordCollective,
    SetAppealWindows, SetAssessmentCalendars, SetCalendarDays, SetContacts,
};
use crate::app::{AppState, Body, HttpError, Params};
use crate::assessment::appeal::{
    self, Answer, Appeal, FileAppeal, Preview, PreviewFacts, SetWindow,
};
use crate::assessment::decide::{self, Contact, Decide, Decided, Notice};
use crate::assessment::signin::{self, IssueCodes, IssuedCode, SignedIn};
use crate::assessment::ties::{self, Choose, Chosen};
use crate::assessment::{
    self, AssessmentView, CalendarDay, CalendarInForce, CalendarSetting, CollectiveComments,
    ManagerAssessment, SelfAssessment, UnitAssessments,
};
use crate::store::appeals::AppealWindowRow;
use crate::store::corrections::TieRow;

/// `format=csv` or JSON.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CodesFormat {
    /// `json` (the default) or `csv`: subject, name, code, the dashboard's sign-in path with the code, expiry day; to print and hand out.
    pub format: Option<String>,
}

/// Issues one-time sign-in codes to the people named, or to every person
/// of a unit: each works once, for 14 days, and opens a `person` token.
/// The codes are shown here once and kept as hashes only.
#[utoipa::path(post, path = "/api/v1/sign-in-codes", tag = "assessment",
    params(CodesFormat),
    request_body = IssueCodes,
    responses(
        (status = 200, description = "The codes, shown once (CSV with format=csv)", body = Vec<IssuedCode>),
        Secured, Written, JsonBody, Named, Failed,
    ),
    security(("bearer" = [])))]
pub async fn issue_codes(
    State(state): State<AppState>,
    caller: Allowed<IssueSignInCodes>,
    Params(format): Params<CodesFormat>,
    Body(body): Body<IssueCodes>,
) -> Result<Response, HttpError> {
    let csv = match format.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(
                HttpError::bad_request(format!("format `{other}`: json or csv")).field("format"),
            );
        }
    };
    let codes = signin::issue(&state.registry, caller.actor(), &body).await?;
    if !csv {
        return Ok(Json(codes).into_response());
    }
    let mut out = csv::Writer::from_writer(Vec::new());
    let write = |out: &mut csv::Writer<Vec<u8>>, row: [&str; 5]| {
        out.write_record(row)
            .map_err(|e| HttpError::internal(format!("writing the codes' CSV: {e}")))
    };
    write(&mut out, ["subject_id", "name", "code", "link", "expires"])?;
    for c in &codes {
        let expires = crate::assessment::calendar::Day::at_millis(c.expires_at).to_string();
        let link = signin::link(&c.code);
        write(&mut out, [&c.subject, &c.name, &c.code, &link, &expires])?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| HttpError::internal(format!("writing the codes' CSV: {e}")))?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], bytes).into_response())
}

/// A sign-in code, as typed.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Code {
    /// `K7QM-3XRT-9HPW` (case and dashes do not matter).
    pub code: String,
}

/// Exchanges a one-time sign-in code for a `person` token (30 days), once.
/// Rate-limited per client like every sign-in.
#[utoipa::path(post, path = "/api/v1/sign-in", tag = "assessment",
    request_body = Code,
    responses(
        (status = 200, description = "Signed in: the token, shown once", body = SignedIn),
        (status = 401, description = "Not a live code: unknown, used or expired", body = crate::app::Problem, content_type = "application/problem+json"),
        JsonBody, Written, Failed,
    ))]
pub async fn sign_in(
    State(state): State<AppState>,
    Body(body): Body<Code>,
) -> Result<Json<SignedIn>, HttpError> {
    match signin::sign_in(&state.registry, &body.code).await? {
        Some(signed) => Ok(Json(signed)),
        None => Err(HttpError::unauthorized(
            "the code is not a live sign-in code: unknown, used or expired; ask your unit's admin for a new one",
        )),
    }
}

/// One subject's assessment for a period: each assessed fact with the
/// servant's and the manager's values and the gap, the collective's record,
/// each step's due date and whether it was late. For the person, their
/// direct manager, and the assessors and admins of their subtree.
#[utoipa::path(get, path = "/api/v1/subjects/{id}/assessments/{period}", tag = "assessment",
    params(("id" = String, Path, description = "The subject's id"),
           ("period" = String, Path, description = "2025, 2025-Q3 or 2025-09")),
    responses(
        (status = 200, description = "The assessment", body = AssessmentView),
        Secured, Named, Failed,
    ),
    security(("bearer" = [])))]
pub async fn view(
    State(state): State<AppState>,
    caller: Allowed<ReadAssessments>,
    Path((id, period)): Path<(String, String)>,
) -> Result<Json<AssessmentView>, HttpError> {
    Ok(Json(
        assessment::view(&state.registry, caller.actor(), &id, &period).await?,
    ))
}

/// The servant's self-assessment: their points for each fact their card
/// has them assess, and their review. Only the person themself; again, to
/// correct it, until the collective's comments are recorded.
#[utoipa::path(put, path = "/api/v1/subjects/{id}/assessments/{period}/self-assessment", tag = "assessment",
    params(("id" = String, Path, description = "The subject's id"),
           ("period" = String, Path, description = "2025, 2025-Q3 or 2025-09")),
    request_body = SelfAssessment,
    responses(
        (status = 200, description = "Recorded", body = AssessmentView),
        Secured, Written, JsonBody, Named, Conflict, Failed,
    ),
    security(("bearer" = [])))]
pub async fn self_assessment(
    State(state): State<AppState>,
    caller: Allowed<AssessSelf>,
    Path((id, period)): Path<(String, String)>,
    Body(body): Body<SelfAssessment>,
) -> Result<Json<AssessmentView>, HttpError> {
    Ok(Json(
        assessment::record_self(&state.registry, caller.actor(), &id, &period, &body).await?,
    ))
}

/// The collective's comments: the day it met, who attended, what it said,
/// and its vote if it took one. After the self-assessment.
#[utoipa::path(put, path = "/api/v1/subjects/{id}/assessments/{period}/collective", tag = "assessment",
    params(("id" = String, Path, description = "The subject's id"),
           ("period" = String, Path, description = "2025, 2025-Q3 or 2025-09")),
    request_body = CollectiveComments,
    responses(
        (status = 200, description = "Recorded", body = AssessmentView),
        Secured, Written, JsonBody, Named, Conflict, Failed,
    ),
    security(("bearer" = [])))]
pub async fn collective(
    State(state): State<AppState>,
    caller: Allowed<RecordCollective>,
    Path((id, period)): Path<(String, String)>,
    Body(body): Body<CollectiveComments>,
) -> Result<Json<AssessmentView>, HttpError> {
    Ok(Json(
        assessment::record_collective(&state.registry, caller.actor(), &id, &period, &body).await?,
    ))
}

/// The direct manager's assessment: their points (which become the facts
/// the period's run reads, with this assessment as their source) and a
/// comment wherever they differ from the servant's. After the collective.
#[utoipa::path(put, path = "/api/v1/subjects/{id}/assessments/{period}/direct-manager", tag = "assessment",
    params(("id" = String, Path, description = "The subject's id"),
           ("period" = String, Path, description = "2025, 2025-Q3 or 2025-09")),
    request_body = ManagerAssessment,
    responses(
        (status = 200, description = "Recorded", body = AssessmentView),
        Secured, Written, JsonBody, Named, Conflict, Failed,
    ),
    security(("bearer" = [])))]
pub async fn direct_manager(
    State(state): State<AppState>,
    caller: Allowed<AssessAsManager>,
    Path((id, period)): Path<(String, String)>,
    Body(body): Body<ManagerAssessment>,
) -> Result<Json<AssessmentView>, HttpError> {
    Ok(Json(
        assessment::record_manager(&state.registry, caller.actor(), &id, &period, &body).await?,
    ))
}

/// Which period, and which page, of a unit's assessments.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitPage {
    /// 2025, 2025-Q3 or 2025-09.
    pub period: String,
    /// The last id of the previous page.
    pub after: Option<String>,
    /// At most this many people (1 to 500; 100 by default).
    pub limit: Option<usize>,
}

/// A unit's own people (not those of the units below) and their
/// assessments for a period, in id order: states, due dates, late and
/// overdue steps, gaps. For the assessors and admins of its subtree.
#[utoipa::path(get, path = "/api/v1/units/{unit}/assessments", tag = "assessment",
    params(("unit" = String, Path, description = "The unit's code"), UnitPage),
    responses(
        (status = 200, description = "A page of the unit's people", body = UnitAssessments),
        Secured, Named, Failed,
    ),
    security(("bearer" = [])))]
pub async fn unit_list(
    State(state): State<AppState>,
    caller: Allowed<ListAssessments>,
    Path(unit): Path<String>,
    Params(page): Params<UnitPage>,
) -> Result<Json<UnitAssessments>, HttpError> {
    Ok(Json(
        assessment::unit_list(
            &state.registry,
            caller.actor(),
            &unit,
            &page.period,
            page.after.as_deref().unwrap_or(""),
            page.limit.unwrap_or(100),
        )
        .await?,
    ))
}

/// When each step is due for a unit's people and a period kind, as in
/// force there (set on the unit or the nearest unit above).
#[utoipa::path(get, path = "/api/v1/units/{unit}/assessment-calendar/{kind}", tag = "assessment",
    params(("unit" = String, Path, description = "The unit's code"),
           ("kind" = String, Path, description = "month, quarter or year")),
    responses(
        (status = 200, description = "The calendar in force", body = CalendarInForce),
        Named, Failed,
    ))]
pub async fn calendar(
    State(state): State<AppState>,
    Path((unit, kind)): Path<(String, String)>,
) -> Result<Json<CalendarInForce>, HttpError> {
    Ok(Json(
        assessment::calendar_in_force(&state.registry, &unit, &kind).await?,
    ))
}

/// Sets when each step is due for a unit's subtree and a period kind:
/// `+N` working days after the period's last day, `-N` before it, or `DD`,
/// that day of its last month. Replaces what was set on that unit.
#[utoipa::path(put, path = "/api/v1/units/{unit}/assessment-calendar/{kind}", tag = "assessment",
    params(("unit" = String, Path, description = "The unit's code"),
           ("kind" = String, Path, description = "month, quarter or year")),
    request_body = CalendarSetting,
    responses(
        (status = 200, description = "Set", body = CalendarSetting),
        Secured, Written, JsonBody, Named, Failed,
    ),
    security(("bearer" = [])))]
pub async fn set_calendar(
    State(state): State<AppState>,
    caller: Allowed<SetAssessmentCalendars>,
    Path((unit, kind)): Path<(String, String)>,
    Body(body): Body<CalendarSetting>,
) -> Result<Json<CalendarSetting>, HttpError> {
    Ok(Json(
        assessment::set_calendar(&state.registry, caller.actor(), &unit, &kind, &body).await?,
    ))
}

/// A year's public holidays, days given off for them, and weekend days
/// worked in exchange: what working days are counted on.
#[utoipa::path(get, path = "/api/v1/calendar/{year}", tag = "assessment",
    params(("year" = String, Path, description = "2026")),
    responses(
        (status = 200, description = "In order", body = Vec<CalendarDay>),
        BadRequest, Failed,
    ))]
pub async fn days(
    State(state): State<AppState>,
    Path(year): Path<String>,
) -> Result<Json<Vec<CalendarDay>>, HttpError> {
    Ok(Json(assessment::days(&state.registry, &year).await?))
}

/// Replaces a year's holidays and substituted working days. Admins only.
#[utoipa::path(put, path = "/api/v1/calendar/{year}", tag = "assessment",
    params(("year" = String, Path, description = "2026")),
    request_body = Vec<CalendarDay>,
    responses(
        (status = 200, description = "The year as set", body = Vec<CalendarDay>),
        Secured, Written, JsonBody, Failed,
    ),
    security(("bearer" = [])))]
pub async fn set_days(
    State(state): State<AppState>,
    caller: Allowed<SetCalendarDays>,
    Path(year): Path<String>,
    Body(body): Body<Vec<CalendarDay>>,
) -> Result<Json<Vec<CalendarDay>>, HttpError> {
    Ok(Json(
        assessment::set_days(&state.registry, caller.actor(), &year, &body).await?,
    ))
}

/// A run's ties at a quota's boundary that its card leaves to the competent
/// person, open and chosen: those the caller is the competent person for.
#[utoipa::path(get, path = "/api/v1/runs/{id}/ties", tag = "assessment",
    params(("id" = i64, Path, description = "The run")),
    responses(
        (status = 200, description = "By quota and cohort", body = Vec<TieRow>),
        Secured, Named, Conflict, Failed,
    ),
    security(("bearer" = [])))]
pub async fn ties(
    State(state): State<AppState>,
    caller: Allowed<ChooseAmongTied>,
    Path(id): Path<String>,
) -> Result<Json<Vec<TieRow>>, HttpError> {
    let id = crate::app::parse_run_id(&id)?;
    Ok(Json(ties::list(&state.registry, caller.actor(), id).await?))
}

/// The competent person's choice among subjects tied at a quota's
/// boundary in an official run: who keep the grade, and why. Corrects the
/// run (its revision rises); made once.
#[utoipa::path(post, path = "/api/v1/runs/{id}/ties", tag = "assessment",
    params(("id" = i64, Path, description = "The official run")),
    request_body = Choose,
    responses(
        (status = 200, description = "Chosen, and what it changed", body = Chosen),
        Secured, Written, JsonBody, Named, Conflict, Failed,
    ),
    security(("bearer" = [])))]
pub async fn choose_tie(
    State(state): State<AppState>,
    caller: Allowed<ChooseAmongTied>,
    Path(id): Path<String>,
    Body(body): Body<Choose>,
) -> Result<Json<Chosen>, HttpError> {
    let id = crate::app::parse_run_id(&id)?;
    Ok(Json(
        ties::choose(&state.registry, caller.actor(), id, &body).await?,
    ))
}

/// The appeal windows set, by category of post: working days to appeal a
/// notice and to answer an appeal. A post's category with no window takes
/// `default`'s, and without that the law's (5 and 10).
#[utoipa::path(get, path = "/api/v1/appeal-windows", tag = "assessment",
    responses(
        (status = 200, description = "By category", body = Vec<AppealWindowRow>),
        Failed,
    ))]
pub async fn appeal_windows(
    State(state): State<AppState>,
) -> Result<Json<Vec<AppealWindowRow>>, HttpError> {
    Ok(Json(appeal::windows(&state.registry).await?))
}

/// Sets a category's appeal window (`default`: every category without one).
/// Admins only; notices and appeals already written keep theirs.
#[utoipa::path(put, path = "/api/v1/appeal-windows/{category}", tag = "assessment",
    params(("category" = String, Path, description = "public-employee, or default")),
    request_body = SetWindow,
    responses(
        (status = 200, description = "As set", body = AppealWindowRow),
        Secured, Written, JsonBody, Failed,
    ),
    security(("bearer" = [])))]
pub async fn set_appeal_window(
    State(state): State<AppState>,
    caller: Allowed<SetAppealWindows>,
    Path(category): Path<String>,
    Body(body): Body<SetWindow>,
) -> Result<Json<AppealWindowRow>, HttpError> {
    Ok(Json(
        appeal::set_window(&state.registry, caller.actor(), &category, &body).await?,
    ))
}

/// Decides the grades of a unit's people, or of subjects named, from an
/// official run in force: each the run's final grade, once; a notice is
/// written for each (the result, the indicators, the caps and their
/// reasons, the last day to appeal). Those without a grade to confirm, or
/// decided already, are listed with why.
#[utoipa::path(post, path = "/api/v1/runs/{id}/decisions", tag = "assessment",
    params(("id" = i64, Path, description = "The official run")),
    request_body = Decide,
    responses(
        (status = 200, description = "Decided, and what was not", body = Decided),
        Secured, Written, JsonBody, Named, Conflict, Failed,
    ),
    security(("bearer" = [])))]
pub async fn decide(
    State(state): State<AppState>,
    caller: Allowed<DecideGrades>,
    Path(id): Path<String>,
    Body(body): Body<Decide>,
) -> Result<Json<Decided>, HttpError> {
    let id = crate::app::parse_run_id(&id)?;
    Ok(Json(
        decide::decide(&state.registry, caller.actor(), id, &body).await?,
    ))
}

/// A person's notices of decisions, newest first: to the person and the
/// admins of their subtree.
#[utoipa::path(get, path = "/api/v1/subjects/{id}/notices", tag = "assessment",
    params(("id" = String, Path, description = "The subject's id")),
    responses(
        (status = 200, description = "Newest first (at most 100)", body = Vec<Notice>),
        Secured, Named, Failed,
    ),
    security(("bearer" = [])))]
pub async fn notices(
    State(state): State<AppState>,
    caller: Allowed<ReadNotices>,
    Path(id): Path<String>,
) -> Result<Json<Vec<Notice>>, HttpError> {
    Ok(Json(
        decide::notices(&state.registry, caller.actor(), &id).await?,
    ))
}

/// One notice; read by its person, it is marked read.
#[utoipa::path(get, path = "/api/v1/notices/{id}", tag = "assessment",
    params(("id" = i64, Path, description = "The notice's id")),
    responses(
        (status = 200, description = "The notice", body = Notice),
        Secured, Named, Failed,
    ),
    security(("bearer" = [])))]
pub async fn notice(
    State(state): State<AppState>,
    caller: Allowed<ReadNotices>,
    Path(id): Path<String>,
) -> Result<Json<Notice>, HttpError> {
    let id =
        id.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
            HttpError::bad_request(format!("`{id}` is not a notice id")).field("id")
        })?;
    Ok(Json(
        decide::notice(&state.registry, caller.actor(), id).await?,
    ))
}

fn appeal_id(id: &str) -> Result<i64, HttpError> {
    id.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| HttpError::bad_request(format!("`{id}` is not an appeal id")).field("id"))
}

/// Appeals the result a notice told: the person's own, within the window
/// the notice gives (its last day, counted in working days from the
/// decision), naming the indicators or facts contested; once per notice.
#[utoipa::path(post, path = "/api/v1/notices/{id}/appeal", tag = "assessment",
    params(("id" = i64, Path, description = "The notice's id")),
    request_body = FileAppeal,
    responses(
        (status = 200, description = "Filed: the day it is to be answered by", body = Appeal),
        Secured, Written, JsonBody, Named, Conflict, Failed,
    ),
    security(("bearer" = [])))]
pub async fn file_appeal(
    State(state): State<AppState>,
    caller: Allowed<FileAppeals>,
    Path(id): Path<String>,
    Body(body): Body<FileAppeal>,
) -> Result<Json<Appeal>, HttpError> {
    let id =
        id.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
            HttpError::bad_request(format!("`{id}` is not a notice id")).field("id")
        })?;
    Ok(Json(
        appeal::file(&state.registry, caller.actor(), id, &body).await?,
    ))
}

/// One appeal with its evidence listed: to its person and their admins.
#[utoipa::path(get, path = "/api/v1/appeals/{id}", tag = "assessment",
    params(("id" = i64, Path, description = "The appeal's id")),
    responses(
        (status = 200, description = "The appeal", body = Appeal),
        Secured, Named, Failed,
    ),
    security(("bearer" = [])))]
pub async fn get_appeal(
    State(state): State<AppState>,
    caller: Allowed<ReadNotices>,
    Path(id): Path<String>,
) -> Result<Json<Appeal>, HttpError> {
    let id = appeal_id(&id)?;
    Ok(Json(
        appeal::get(&state.registry, caller.actor(), id).await?,
    ))
}

/// Adds (or replaces) an evidence file of the person's own appeal while it
/// is not answered: the body is the file (PDF, PNG or JPEG, at most 5 MiB;
/// at most five files).
#[utoipa::path(put, path = "/api/v1/appeals/{id}/evidence/{name}", tag = "assessment",
    params(("id" = i64, Path, description = "The appeal's id"),
           ("name" = String, Path, description = "The file's name: letters, digits, `-`, `_`, `.`")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file, with its own Content-Type (application/pdf, image/png, image/jpeg) or as application/octet-stream; its first bytes must say the same"),
    responses(
        (status = 200, description = "Added", body = Appeal),
        (status = 413, description = "Over 5 MiB", body = crate::app::Problem, content_type = "application/problem+json"),
        Secured, Written, JsonBody, Named, Conflict, Failed,
    ),
    security(("bearer" = [])))]
pub async fn add_evidence(
    State(state): State<AppState>,
    caller: Allowed<FileAppeals>,
    Path((id, name)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
    bytes: axum::body::Bytes,
) -> Result<Json<Appeal>, HttpError> {
    let id = appeal_id(&id)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    Ok(Json(
        appeal::add_evidence(
            &state.registry,
            caller.actor(),
            id,
            &name,
            content_type,
            bytes.to_vec(),
        )
        .await?,
    ))
}

/// One evidence file, as it was given: to the appeal's parties.
#[utoipa::path(get, path = "/api/v1/appeals/{id}/evidence/{name}", tag = "assessment",
    params(("id" = i64, Path, description = "The appeal's id"),
           ("name" = String, Path, description = "The file's name")),
    responses(
        (status = 200, description = "The file", content_type = "application/octet-stream"),
        Secured, Named, Failed,
    ),
    security(("bearer" = [])))]
pub async fn get_evidence(
    State(state): State<AppState>,
    caller: Allowed<ReadNotices>,
    Path((id, name)): Path<(String, String)>,
) -> Result<Response, HttpError> {
    let id = appeal_id(&id)?;
    let (content_type, bytes) =
        appeal::evidence(&state.registry, caller.actor(), id, &name).await?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
            (header::CONTENT_DISPOSITION, "attachment".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// What upholding an appeal with these corrected facts would change, before
/// the competent person confirms it: every result that depends on the
/// person's (their cohort's quota, the leaders of the people changed).
/// Nothing is written.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/preview", tag = "assessment",
    params(("id" = i64, Path, description = "The appeal's id")),
    request_body = PreviewFacts,
    responses(
        (status = 200, description = "What would change", body = Preview),
        Secured, Written, JsonBody, Named, Conflict, Failed,
    ),
    security(("bearer" = [])))]
pub async fn preview_appeal(
    State(state): State<AppState>,
    caller: Allowed<AnswerAppeals>,
    Path(id): Path<String>,
    Body(body): Body<PreviewFacts>,
) -> Result<Json<Preview>, HttpError> {
    let id = appeal_id(&id)?;
    Ok(Json(
        appeal::preview(&state.registry, caller.actor(), id, &body).await?,
    ))
}

/// The competent person's answer to an appeal: `rejected` with a reason,
/// or `upheld` with the corrected facts; marked late past its due day;
/// once.
#[utoipa::path(put, path = "/api/v1/appeals/{id}/answer", tag = "assessment",
    params(("id" = i64, Path, description = "The appeal's id")),
    request_body = Answer,
    responses(
        (status = 200, description = "Answered", body = Appeal),
        Secured, Written, JsonBody, Named, Conflict, Failed,
    ),
    security(("bearer" = [])))]
pub async fn answer_appeal(
    State(state): State<AppState>,
    caller: Allowed<AnswerAppeals>,
    Path(id): Path<String>,
    Body(body): Body<Answer>,
) -> Result<Json<Appeal>, HttpError> {
    let id = appeal_id(&id)?;
    Ok(Json(
        appeal::answer(&state.registry, caller.actor(), id, &body).await?,
    ))
}

/// Sets the address a person's notices are mailed to (when the host has an
/// SMTP relay): the person's own, or by an admin of their subtree.
#[utoipa::path(put, path = "/api/v1/subjects/{id}/email", tag = "assessment",
    params(("id" = String, Path, description = "The subject's id")),
    request_body = Contact,
    responses(
        (status = 200, description = "Set", body = Contact),
        Secured, Written, JsonBody, Named, Failed,
    ),
    security(("bearer" = [])))]
pub async fn set_email(
    State(state): State<AppState>,
    caller: Allowed<SetContacts>,
    Path(id): Path<String>,
    Body(body): Body<Contact>,
) -> Result<Json<Contact>, HttpError> {
    Ok(Json(
        decide::set_contact(&state.registry, caller.actor(), &id, &body).await?,
    ))
}
