//! The assessment procedure on the dashboard, as forms without JavaScript:
//! a person signs in with the code their unit's admin gave them (a link
//! carries it), sees their own assessments and records their
//! self-assessment; the assessors record the collective's comments and the
//! direct manager's points; a unit's page lists its people with the gaps
//! and the overdue steps. Forms are posted to this site only (their
//! `Origin` is checked, the session cookie is same-site strict), and every
//! rule is the domain's (see [`crate::assessment`]): a refusal shows the
//! form again with what was wrong.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Form;
use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::error::WebError;
use super::locale::Words;
use super::session::{
    Chrome, Visit, encode, from_this_site, other_site, see_other, session_cookie,
};
use crate::access::{Actor, sessions};
use crate::app::{AppState, HttpError};
use crate::assessment::signin;
use crate::assessment::{
    self, AssessmentView, CollectiveComments, ManagerAssessment, Points, SelfAssessment,
};

pub(super) fn state_word(w: &Words, state: &str) -> &'static str {
    match state {
        "self-assessed" => w.state_self_assessed,
        "collective-recorded" => w.state_collective_recorded,
        "manager-assessed" => w.state_manager_assessed,
        _ => w.state_open,
    }
}

fn step_word(w: &Words, step: &str) -> &'static str {
    match step {
        "self-assessment" => w.step_self,
        "collective" => w.step_collective,
        _ => w.step_manager,
    }
}

fn signed_in(visit: &Visit) -> Result<&Actor, WebError> {
    visit.caller.actor().map_err(|e| visit.error(e))
}

#[derive(Template)]
#[template(path = "welcome.html")]
struct WelcomePage {
    c: Chrome,
    code: String,
    problem: Option<String>,
}

/// The code a link carries.
#[derive(Deserialize)]
pub struct CodeQuery {
    code: Option<String>,
}

/// `GET /welcome?code=…`: the sign-in form, the code filled in from the
/// link (the link alone signs nobody in: a mail scanner following it must
/// not use the code up).
pub async fn welcome(visit: Visit, Query(q): Query<CodeQuery>) -> Result<Response, WebError> {
    let code: String = q.code.unwrap_or_default().chars().take(64).collect();
    visit.respond(WelcomePage {
        c: visit.chrome(visit.w().welcome),
        code,
        problem: None,
    })
}

/// What the code form sends.
#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
}

/// `POST /welcome`: a live code opens a session as its person, who goes to
/// their own assessments; any other code gets the form again.
pub async fn welcome_post(
    State(state): State<AppState>,
    visit: Visit,
    headers: HeaderMap,
    form: Result<Form<CodeForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    if !from_this_site(&headers) {
        return Err(other_site(&visit));
    }
    let Form(form) = form.map_err(|e| visit.error(WebError::bad_request(e.body_text())))?;
    let signed = signin::sign_in(&state.registry, &form.code)
        .await
        .map_err(|e| visit.error(HttpError::from(e)))?;
    let Some(signed) = signed else {
        let mut response = visit.respond(WelcomePage {
            c: visit.chrome(visit.w().welcome),
            code: form.code.chars().take(64).collect(),
            problem: Some(
                "the code is not a live sign-in code: unknown, used or expired; ask your unit's admin for a new one".into(),
            ),
        })?;
        *response.status_mut() = StatusCode::UNAUTHORIZED;
        return Ok(response);
    };
    let id = sessions::open(state.registry.store(), &signed.token, &state.sessions)
        .await
        .map_err(|e| visit.error(e))?
        .ok_or_else(|| {
            visit.error(WebError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "a token made a moment ago is not live",
            ))
        })?;
    let mut response = see_other("/me");
    response
        .headers_mut()
        .insert(SET_COOKIE, session_cookie(&id, state.sessions.secure));
    Ok(response)
}

#[derive(Template)]
#[template(path = "me.html")]
struct MePage {
    c: Chrome,
    subject: String,
    periods: Vec<(String, &'static str)>,
    notices: Vec<assessment::decide::Notice>,
}

/// `GET /me`: a signed-in person's own assessments, and a way to open a
/// period's.
pub async fn me(State(state): State<AppState>, visit: Visit) -> Result<Response, WebError> {
    let actor = signed_in(&visit)?;
    let w = visit.w();
    let mine = assessment::mine(&state.registry, actor)
        .await
        .map_err(|e| visit.error(HttpError::from(e)))?;
    let subject = match &actor.role {
        crate::access::Role::Person { subject } => subject.clone(),
        _ => String::new(),
    };
    let notices = assessment::decide::notices(&state.registry, actor, &subject)
        .await
        .map_err(|e| visit.error(HttpError::from(e)))?;
    visit.respond(MePage {
        c: visit.chrome(w.my_assessments),
        notices,
        subject,
        periods: mine
            .into_iter()
            .map(|(p, s)| (p, state_word(w, &s)))
            .collect(),
    })
}

/// The period `/me` opens.
#[derive(Deserialize)]
pub struct PeriodQuery {
    period: String,
}

/// `GET /me/open?period=…`: to the person's assessment for that period.
pub async fn me_open(visit: Visit, Query(q): Query<PeriodQuery>) -> Result<Response, WebError> {
    let actor = signed_in(&visit)?;
    let crate::access::Role::Person { subject } = &actor.role else {
        return Err(visit.error(WebError::forbidden(
            "only a person has their own assessments",
        )));
    };
    crate::registry::Period::parse(q.period.trim())
        .map_err(|e| visit.error(WebError::bad_request(e.to_string())))?;
    Ok(see_other(&format!(
        "/assessments/{}/{}",
        encode(subject),
        encode(q.period.trim())
    )))
}

struct FactRow {
    name: String,
    title: String,
    self_value: String,
    collective_value: String,
    manager_value: String,
    gap: String,
    comment: String,
}

struct StepRow {
    step: String,
    word: &'static str,
    due: String,
    by: String,
    late: bool,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "assessment.html")]
struct AssessmentPage {
    c: Chrome,
    v: AssessmentView,
    state_word: &'static str,
    facts: Vec<FactRow>,
    steps: Vec<StepRow>,
    can_self: bool,
    can_collective: bool,
    can_manager: bool,
    problem: Option<String>,
    /// What the refused form held, to show it again.
    kept: HashMap<String, String>,
    action: String,
    unit_link: String,
}

fn page_of(
    visit: &Visit,
    v: AssessmentView,
    problem: Option<String>,
    kept: HashMap<String, String>,
    unit_link: String,
) -> AssessmentPage {
    let w = visit.w();
    let en = visit.lang.code() == "en";
    let facts = v
        .facts
        .iter()
        .map(|f| FactRow {
            name: f.name.clone(),
            title: if en {
                f.title_en.clone()
            } else {
                f.title_vi.clone()
            },
            self_value: f.self_value.clone().unwrap_or_default(),
            collective_value: f.collective_value.clone().unwrap_or_default(),
            manager_value: f.manager_value.clone().unwrap_or_default(),
            gap: f.gap.clone().unwrap_or_default(),
            comment: f.comment.clone().unwrap_or_default(),
        })
        .collect();
    let steps = v
        .steps
        .iter()
        .map(|s| StepRow {
            step: s.step.clone(),
            word: step_word(w, &s.step),
            due: s.due.clone().unwrap_or_default(),
            by: s.by.clone().unwrap_or_default(),
            late: s.late,
            overdue: s.overdue,
        })
        .collect();
    let may = |s: &str| v.you_may_record.iter().any(|m| m == s);
    AssessmentPage {
        c: visit.chrome(format!("{} — {} {}", w.assessment, v.name, v.period)),
        state_word: state_word(w, &v.state),
        facts,
        steps,
        can_self: may("self-assessment"),
        can_collective: may("collective"),
        can_manager: may("direct-manager"),
        action: format!("/assessments/{}/{}", encode(&v.subject), encode(&v.period)),
        v,
        problem,
        kept,
        unit_link,
    }
}

/// The link to the unit's list, for those who may read it.
fn unit_link(visit: &Visit, v: &AssessmentView) -> String {
    match visit.caller.0.as_ref().map(|a| &a.role) {
        Some(crate::access::Role::Person { .. }) | None => String::new(),
        Some(_) => format!(
            "/units/{}/assessments?period={}",
            encode(&v.unit),
            encode(&v.period)
        ),
    }
}

/// `GET /assessments/{subject}/{period}`: the assessment, with the forms of
/// the steps the reader may record now.
pub async fn page(
    State(state): State<AppState>,
    visit: Visit,
    Path((subject, period)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let actor = signed_in(&visit)?;
    let v = assessment::view(&state.registry, actor, &subject, &period)
        .await
        .map_err(|e| visit.error(HttpError::from(e)))?;
    let link = unit_link(&visit, &v);
    visit.respond(page_of(&visit, v, None, HashMap::new(), link))
}

/// Takes one step from a posted form: back to the page when it is
/// recorded, the page again with why (and what was typed) when refused.
async fn post_step(
    state: &AppState,
    visit: &Visit,
    headers: &HeaderMap,
    subject: &str,
    period: &str,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
    take: impl AsyncFnOnce(&Actor, &BTreeMap<String, String>) -> assessment::Result<AssessmentView>,
) -> Result<Response, WebError> {
    if !from_this_site(headers) {
        return Err(other_site(visit));
    }
    let actor = signed_in(visit)?;
    let Form(form) = form.map_err(|e| visit.error(WebError::bad_request(e.body_text())))?;
    let fields: BTreeMap<String, String> = form.into_iter().collect();
    match take(actor, &fields).await {
        Ok(v) => Ok(see_other(&format!(
            "/assessments/{}/{}",
            encode(&v.subject),
            encode(&v.period)
        ))),
        Err(e) => {
            let http = HttpError::from(e);
            // Refusals the reader can act on are shown on the form; others
            // (not theirs to see, the host failing) as the error they are.
            if !matches!(
                http.status(),
                StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT
            ) {
                return Err(visit.error(http));
            }
            let v = assessment::view(&state.registry, actor, subject, period)
                .await
                .map_err(|e| visit.error(HttpError::from(e)))?;
            let link = unit_link(visit, &v);
            let mut response = visit.respond(page_of(
                visit,
                v,
                Some(http.detail().to_string()),
                fields.into_iter().collect(),
                link,
            ))?;
            *response.status_mut() = http.status();
            Ok(response)
        }
    }
}

/// The values typed as `points.<fact>`.
fn points(fields: &BTreeMap<String, String>) -> BTreeMap<String, Points> {
    fields
        .iter()
        .filter_map(|(k, v)| {
            let fact = k.strip_prefix("points.")?;
            Some((fact.to_string(), Points::Text(v.trim().to_string())))
        })
        .filter(|(_, v)| !matches!(v, Points::Text(t) if t.is_empty()))
        .collect()
}

fn field(fields: &BTreeMap<String, String>, name: &str) -> String {
    fields.get(name).cloned().unwrap_or_default()
}

/// `POST /assessments/{subject}/{period}/self-assessment`.
pub async fn post_self(
    State(state): State<AppState>,
    visit: Visit,
    headers: HeaderMap,
    Path((subject, period)): Path<(String, String)>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, WebError> {
    let registry = state.registry.clone();
    let (s, p) = (subject.clone(), period.clone());
    post_step(
        &state,
        &visit,
        &headers,
        &subject,
        &period,
        form,
        async move |actor, f| {
            let body = SelfAssessment {
                points: points(f),
                review: field(f, "review"),
            };
            assessment::record_self(&registry, actor, &s, &p, &body).await
        },
    )
    .await
}

/// `POST /assessments/{subject}/{period}/collective`.
pub async fn post_collective(
    State(state): State<AppState>,
    visit: Visit,
    headers: HeaderMap,
    Path((subject, period)): Path<(String, String)>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, WebError> {
    let registry = state.registry.clone();
    let (s, p) = (subject.clone(), period.clone());
    post_step(
        &state,
        &visit,
        &headers,
        &subject,
        &period,
        form,
        async move |actor, f| {
            let votes = |name: &str| -> assessment::Result<Option<u32>> {
                let text = field(f, name);
                let text = text.trim();
                if text.is_empty() {
                    return Ok(None);
                }
                text.parse()
                    .map(Some)
                    .map_err(|_| assessment::Error::Invalid {
                        field: name.into(),
                        why: format!("`{text}` is not a count of votes"),
                    })
            };
            let body = CollectiveComments {
                date: field(f, "date"),
                attended: field(f, "attended")
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect(),
                text: field(f, "text"),
                votes_for: votes("votes_for")?,
                votes_against: votes("votes_against")?,
                points: points(f),
            };
            assessment::record_collective(&registry, actor, &s, &p, &body).await
        },
    )
    .await
}

/// `POST /assessments/{subject}/{period}/direct-manager`.
pub async fn post_manager(
    State(state): State<AppState>,
    visit: Visit,
    headers: HeaderMap,
    Path((subject, period)): Path<(String, String)>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, WebError> {
    let registry = state.registry.clone();
    let (s, p) = (subject.clone(), period.clone());
    post_step(
        &state,
        &visit,
        &headers,
        &subject,
        &period,
        form,
        async move |actor, f| {
            let body = ManagerAssessment {
                points: points(f),
                comments: f
                    .iter()
                    .filter_map(|(k, v)| Some((k.strip_prefix("comment.")?.to_string(), v.clone())))
                    .filter(|(_, v)| !v.trim().is_empty())
                    .collect(),
            };
            assessment::record_manager(&registry, actor, &s, &p, &body).await
        },
    )
    .await
}

struct PersonRow {
    subject: String,
    name: String,
    state: String,
    state_word: &'static str,
    gaps: String,
    late: String,
    overdue: String,
}

#[derive(Template)]
#[template(path = "assessments.html")]
struct UnitPage {
    c: Chrome,
    unit: String,
    period: String,
    people: Vec<PersonRow>,
    next: Option<String>,
}

/// Which period and page of a unit's assessments.
#[derive(Deserialize)]
pub struct UnitQuery {
    period: String,
    after: Option<String>,
}

/// `GET /units/{code}/assessments?period=…`: the unit's people, where
/// each stands, the gaps between servant and manager, late and overdue
/// steps; 100 a page.
pub async fn unit_page(
    State(state): State<AppState>,
    visit: Visit,
    Path(code): Path<String>,
    Query(q): Query<UnitQuery>,
) -> Result<Response, WebError> {
    let actor = signed_in(&visit)?;
    let w = visit.w();
    let list = assessment::unit_list(
        &state.registry,
        actor,
        &code,
        &q.period,
        q.after.as_deref().unwrap_or(""),
        100,
    )
    .await
    .map_err(|e| visit.error(HttpError::from(e)))?;
    let marks = |v: &AssessmentView, pick: fn(&assessment::StepStatus) -> bool| {
        v.steps
            .iter()
            .filter(|s| pick(s))
            .map(|s| step_word(w, &s.step))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let people = list
        .people
        .iter()
        .map(|v| PersonRow {
            subject: v.subject.clone(),
            name: v.name.clone(),
            state: v.state.clone(),
            state_word: state_word(w, &v.state),
            gaps: v
                .facts
                .iter()
                .filter_map(|f| f.gap.as_ref().map(|g| format!("{}: {g}", f.name)))
                .collect::<Vec<_>>()
                .join("; "),
            late: marks(v, |s| s.late),
            overdue: marks(v, |s| s.overdue),
        })
        .collect();
    visit.respond(UnitPage {
        c: visit.chrome(format!("{} — {} {}", w.assessments, list.unit, list.period)),
        unit: list.unit,
        period: list.period,
        people,
        next: list.next,
    })
}

#[derive(Template)]
#[template(path = "notice.html")]
struct NoticePage {
    c: Chrome,
    n: assessment::decide::Notice,
    en: bool,
    appeal: Option<assessment::appeal::Appeal>,
    can_appeal: bool,
    can_add_evidence: bool,
    can_answer: bool,
    problem: Option<String>,
    /// What the answer being written would change, and what was typed.
    answering: Answering,
}

/// An answer being written: what upholding it would change (once
/// previewed), and the reason and facts typed so far.
#[derive(Default)]
struct Answering {
    preview: Option<assessment::appeal::Preview>,
    reason: String,
    facts: String,
}

async fn notice_response(
    state: &AppState,
    visit: &Visit,
    id: i64,
    problem: Option<(StatusCode, String)>,
    answering: Answering,
) -> Result<Response, WebError> {
    let actor = signed_in(visit)?;
    let n = assessment::decide::notice(&state.registry, actor, id)
        .await
        .map_err(|e| visit.error(HttpError::from(e)))?;
    let appeal = assessment::appeal::of_notice(&state.registry, actor, id)
        .await
        .map_err(|e| visit.error(HttpError::from(e)))?;
    let today = assessment::calendar::Day::at_millis(crate::store::now_millis()).to_string();
    let own =
        matches!(&actor.role, crate::access::Role::Person { subject } if *subject == n.subject);
    let can_appeal = own && appeal.is_none() && today <= n.appeal_until;
    let can_add_evidence = own && appeal.as_ref().is_some_and(|a| a.state == "filed");
    let can_answer = matches!(
        actor.role,
        crate::access::Role::Admin | crate::access::Role::UnitAdmin { .. }
    ) && appeal.as_ref().is_some_and(|a| a.state == "filed");
    let w = visit.w();
    let status = problem.as_ref().map(|(s, _)| *s);
    let mut response = visit.respond(NoticePage {
        c: visit.chrome(format!("{} — {} {}", w.notice, n.subject, n.period)),
        en: visit.lang.code() == "en",
        n,
        appeal,
        can_appeal,
        can_add_evidence,
        can_answer,
        problem: problem.map(|(_, p)| p),
        answering,
    })?;
    if let Some(status) = status {
        *response.status_mut() = status;
    }
    Ok(response)
}

fn notice_id(visit: &Visit, id: &str) -> Result<i64, WebError> {
    id.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| visit.error(WebError::bad_request(format!("`{id}` is not a notice id"))))
}

/// `GET /notices/{id}`: a notice of a decision, to its person (who marks
/// it read by reading it) and their admins; with its appeal, the form to
/// file one while the window is open, and the form to answer one.
pub async fn notice_page(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = notice_id(&visit, &id)?;
    notice_response(&state, &visit, id, None, Answering::default()).await
}

/// A refusal the reader can act on is shown on the page; others as errors.
async fn after_post(
    state: &AppState,
    visit: &Visit,
    id: i64,
    done: assessment::Result<assessment::appeal::Appeal>,
) -> Result<Response, WebError> {
    match done {
        Ok(_) => Ok(see_other(&format!("/notices/{id}"))),
        Err(e) => {
            let http = HttpError::from(e);
            if !matches!(
                http.status(),
                StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT
            ) {
                return Err(visit.error(http));
            }
            notice_response(
                state,
                visit,
                id,
                Some((http.status(), http.detail().to_string())),
                Answering::default(),
            )
            .await
        }
    }
}

/// `POST /notices/{id}/appeal`: the person's appeal, from the form.
pub async fn post_appeal(
    State(state): State<AppState>,
    visit: Visit,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, WebError> {
    if !from_this_site(&headers) {
        return Err(other_site(&visit));
    }
    let actor = signed_in(&visit)?;
    let id = notice_id(&visit, &id)?;
    let Form(form) = form.map_err(|e| visit.error(WebError::bad_request(e.body_text())))?;
    let body = assessment::appeal::FileAppeal {
        contested: form
            .iter()
            .filter(|(k, _)| k == "contested")
            .map(|(_, v)| v.clone())
            .collect(),
        text: form
            .iter()
            .find(|(k, _)| k == "text")
            .map(|(_, v)| v.clone())
            .unwrap_or_default(),
    };
    let done = assessment::appeal::file(&state.registry, actor, id, &body).await;
    after_post(&state, &visit, id, done).await
}

/// A browser's file name as evidence is named: letters, digits, `-`, `_`
/// and `.` kept, anything else `-`, the last 100 characters.
fn evidence_name(file_name: &str) -> String {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or("");
    let kept: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    let start = kept.len().saturating_sub(100);
    let kept = kept[start..].trim_start_matches('.').to_string();
    if kept.is_empty() {
        "evidence".into()
    } else {
        kept
    }
}

/// `POST /notices/{id}/evidence`: a file for the person's own appeal, from
/// the form (`multipart/form-data`, one `file`), checked as the API checks
/// it (PDF, PNG or JPEG by its first bytes; at most five of 5 MiB).
pub async fn post_evidence(
    State(state): State<AppState>,
    visit: Visit,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    if !from_this_site(&headers) {
        return Err(other_site(&visit));
    }
    let actor = signed_in(&visit)?;
    let id = notice_id(&visit, &id)?;
    let appeal = assessment::appeal::of_notice(&state.registry, actor, id)
        .await
        .map_err(|e| visit.error(HttpError::from(e)))?
        .ok_or_else(|| visit.error(WebError::not_found(format!("notice {id} has no appeal"))))?;
    let mut form = form.map_err(|e| visit.error(WebError::bad_request(e.body_text())))?;
    let unreadable = |e: MultipartError| {
        let status = e.status();
        let why = format!("file: the form cannot be read: {}", e.body_text());
        visit.error(if status == StatusCode::PAYLOAD_TOO_LARGE {
            WebError::from(HttpError::new(status, "too-large", why))
        } else {
            WebError::bad_request(why)
        })
    };
    let mut file = None;
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        if field.name() != Some("file") {
            continue;
        }
        let name = evidence_name(field.file_name().unwrap_or(""));
        let kind = field
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_string();
        let bytes = field.bytes().await.map_err(unreadable)?;
        file = Some((name, kind, bytes.to_vec()));
    }
    let Some((name, kind, bytes)) = file else {
        return Err(visit.error(WebError::bad_request("file: choose a file to add")));
    };
    let done =
        assessment::appeal::add_evidence(&state.registry, actor, appeal.id, &name, &kind, bytes)
            .await;
    after_post(&state, &visit, id, done).await
}

/// `POST /notices/{id}/answer`: the competent person's answer to its
/// appeal, from the form (corrected facts one `name=value` a line).
pub async fn post_answer(
    State(state): State<AppState>,
    visit: Visit,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, WebError> {
    if !from_this_site(&headers) {
        return Err(other_site(&visit));
    }
    let actor = signed_in(&visit)?;
    let id = notice_id(&visit, &id)?;
    let Form(form) = form.map_err(|e| visit.error(WebError::bad_request(e.body_text())))?;
    let f: BTreeMap<String, String> = form.into_iter().collect();
    let appeal = assessment::appeal::of_notice(&state.registry, actor, id)
        .await
        .map_err(|e| visit.error(HttpError::from(e)))?
        .ok_or_else(|| visit.error(WebError::not_found(format!("notice {id} has no appeal"))))?;
    let facts = field(&f, "facts")
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), Points::Text(v.trim().to_string())))
        .collect();
    // Upholding is previewed first: what it would change, the typed
    // answer kept to confirm.
    if f.contains_key("preview") {
        let typed = Answering {
            preview: None,
            reason: field(&f, "reason"),
            facts: field(&f, "facts"),
        };
        let preview = assessment::appeal::preview(
            &state.registry,
            actor,
            appeal.id,
            &assessment::appeal::PreviewFacts { facts },
        )
        .await;
        return match preview {
            Ok(p) => {
                let answering = Answering {
                    preview: Some(p),
                    ..typed
                };
                notice_response(&state, &visit, id, None, answering).await
            }
            Err(e) => {
                let http = HttpError::from(e);
                if !matches!(
                    http.status(),
                    StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT
                ) {
                    return Err(visit.error(http));
                }
                let problem = Some((http.status(), http.detail().to_string()));
                notice_response(&state, &visit, id, problem, typed).await
            }
        };
    }
    let body = assessment::appeal::Answer {
        outcome: field(&f, "outcome"),
        reason: field(&f, "reason"),
        facts,
    };
    let done = assessment::appeal::answer(&state.registry, actor, appeal.id, &body).await;
    after_post(&state, &visit, id, done).await
}
