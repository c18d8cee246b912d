//! The assessment procedure up to the manager's assessment, as Decree 90
//! (amended) and Decree 335 set it: the servant assesses themself, the
//! collective where they work comments, the direct manager assesses. Each
//! subject's assessment for a period moves through those steps in order:
//!
//! ```text
//! open → self-assessed → collective-recorded → manager-assessed (ready)
//! ```
//!
//! A step may be recorded again (replacing its record) until the next step
//! is; a step out of order is refused, naming the state. The scorecard
//! assigned to the subject's post says which facts each step records
//! (`assessed([...])` in the contract): the servant's points stay beside
//! the manager's, and the gap between them is shown. When the manager
//! assesses, the value of the last step recorded for each assessed fact is
//! written into the subject's facts for the period, as an import would,
//! with the assessment as its source — a run reads it there, and refuses a
//! subject whose assessed facts are missing (`not yet assessed`). While an
//! official run locks the period, or its facts are frozen, no step is
//! taken: unlock first, with a reason, as for any fact.
//!
//! Every step is in the audit log (who, when, what it recorded) and marked
//! late when recorded after its due date (see [`calendar`]).
//!
//! ```
//! use thuocdo_host::assessment::State;
//! use thuocdo_host::access::assessing::Step;
//!
//! assert_eq!(State::Open.next_step(), Some(Step::SelfAssessment));
//! assert!(State::SelfAssessed.may_record(Step::SelfAssessment).is_ok());
//! let refused = State::Open.may_record(Step::DirectManager).unwrap_err();
//! assert_eq!(
//!     refused,
//!     "the direct manager's assessment comes after the collective's comments; this assessment is open (next: the self-assessment)"
//! );
//! ```

pub mod appeal;
pub mod calendar;
pub mod decide;
pub mod signin;
pub mod ties;

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::json;
use thuocdo_sdk::Fixed;

use crate::access::assessing::{self, Standing, Step};
use crate::access::{Actor, Role};
use crate::registry::{Period, Registry};
use crate::runtime::{AssessmentStep, FactOrigin, FactSpec, Plugin};
use crate::scoring::Units;
use crate::store::assessments::AssessmentRow;
use crate::store::bulk::Cell;
use crate::store::facts::NewFactImport;
use crate::store::org::SubjectRow;
use crate::store::{Guarded, now_millis};
use calendar::{Day, Due, WorkCalendar};

/// The longest text kept (a review, the collective's minutes, a comment),
/// in characters.
pub const MAX_TEXT_CHARS: usize = 5_000;
/// The most people recorded as attending the collective's meeting.
pub const MAX_ATTENDED: usize = 500;
/// The most people one list of a unit's assessments holds.
pub const MAX_LISTED: usize = 500;

/// Why a step could not be taken or read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The period is not `2025`, `2025-Q3` or `2025-09`.
    #[error("{0}")]
    BadPeriod(String),
    /// A path or query value cannot be read: which, and why.
    #[error("{field}: {why}")]
    Malformed {
        /// The parameter.
        field: String,
        /// What is wrong.
        why: String,
    },
    /// A field of the request is wrong: which, and why.
    #[error("{field}: {why}")]
    Invalid {
        /// The field, as the request names it.
        field: String,
        /// What is wrong.
        why: String,
    },
    /// No such subject or unit, or not within the caller's reach.
    #[error("{0}")]
    NotFound(String),
    /// The caller has no part in this.
    #[error("{0}")]
    Forbidden(String),
    /// The step is out of the procedure's order.
    #[error("{0}")]
    OutOfOrder(String),
    /// The period is locked or its facts frozen.
    #[error("{0}")]
    Locked(String),
    /// The subject's post has no scorecard for the period, or it assesses
    /// nothing.
    #[error("{0}")]
    NothingToAssess(String),
    /// The host is scoring all it takes at once (a correction rescores in
    /// the sandbox): try again shortly.
    #[error("{0}")]
    Busy(String),
    /// The registry failed (resolving the card).
    #[error(transparent)]
    Registry(#[from] crate::registry::Error),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] crate::store::Error),
    /// Something that should not happen did.
    #[error("{0}")]
    Internal(String),
}

/// The result of an assessment step.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Whom a request names: a unit's people, or subjects by id — one or the
/// other. The unit, when it is a unit's.
fn unit_or_subjects<'a>(unit: &'a Option<String>, subjects: &[String]) -> Result<Option<&'a str>> {
    match (unit, subjects.is_empty()) {
        (Some(_), false) => Err(invalid(
            "body",
            "name either `subjects` or a `unit`, not both",
        )),
        (None, true) => Err(invalid("body", "name `subjects` or a `unit`")),
        (unit, _) => Ok(unit.as_deref()),
    }
}

fn invalid(field: &str, why: impl Into<String>) -> Error {
    Error::Invalid {
        field: field.to_string(),
        why: why.into(),
    }
}

impl From<crate::scoring::Error> for Error {
    fn from(e: crate::scoring::Error) -> Error {
        use crate::scoring::Error as E;
        match e {
            E::Locked(why) => Error::Locked(why),
            E::NotFound(why) => Error::NotFound(why),
            E::Forbidden(why) => Error::Forbidden(why),
            E::Store(s) => Error::Store(s),
            E::Registry(r) => Error::Registry(r),
            E::NoRun(_) => Error::NotFound(e.to_string()),
            E::Refused(why) => Error::OutOfOrder(why),
            E::Busy(why) => Error::Busy(why),
            other => Error::Internal(other.to_string()),
        }
    }
}

/// Where an assessment stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Nothing recorded.
    Open,
    /// The servant has assessed themself.
    SelfAssessed,
    /// The collective's comments are recorded.
    CollectiveRecorded,
    /// The direct manager has assessed: ready for the run and the decision.
    ManagerAssessed,
}

impl State {
    /// As stored and shown.
    pub fn name(self) -> &'static str {
        match self {
            State::Open => "open",
            State::SelfAssessed => "self-assessed",
            State::CollectiveRecorded => "collective-recorded",
            State::ManagerAssessed => "manager-assessed",
        }
    }

    fn parse(name: &str) -> Result<State> {
        [
            State::Open,
            State::SelfAssessed,
            State::CollectiveRecorded,
            State::ManagerAssessed,
        ]
        .into_iter()
        .find(|s| s.name() == name)
        .ok_or_else(|| Error::Internal(format!("an assessment is stored in state `{name}`")))
    }

    /// How many steps are done.
    fn done(self) -> usize {
        match self {
            State::Open => 0,
            State::SelfAssessed => 1,
            State::CollectiveRecorded => 2,
            State::ManagerAssessed => 3,
        }
    }

    /// The step that comes next, if any.
    pub fn next_step(self) -> Option<Step> {
        Step::ALL.get(self.done()).copied()
    }

    /// The state after `step`.
    fn after(step: Step) -> State {
        match step {
            Step::SelfAssessment => State::SelfAssessed,
            Step::Collective => State::CollectiveRecorded,
            Step::DirectManager => State::ManagerAssessed,
        }
    }

    /// Whether `step` may be recorded now: the next one, or the last one
    /// done again (its record replaced) while the next is not.
    pub fn may_record(self, step: Step) -> Result<(), String> {
        let index = Step::ALL.iter().position(|s| *s == step).unwrap_or(0);
        let done = self.done();
        if index == done || index + 1 == done {
            return Ok(());
        }
        let next = self
            .next_step()
            .map_or("none: it is complete".to_string(), |s| {
                step_words(s).to_string()
            });
        if index > done {
            Err(format!(
                "{} comes after {}; this assessment is {} (next: {next})",
                step_words(step),
                step_words(Step::ALL[index - 1]),
                self.name()
            ))
        } else {
            Err(format!(
                "{} can no longer change: {} is recorded after it; this assessment is {}",
                step_words(step),
                step_words(Step::ALL[done - 1]),
                self.name()
            ))
        }
    }
}

fn step_words(step: Step) -> &'static str {
    match step {
        Step::SelfAssessment => "the self-assessment",
        Step::Collective => "the collective's comments",
        Step::DirectManager => "the direct manager's assessment",
    }
}

fn contract_step(step: AssessmentStep) -> Step {
    match step {
        AssessmentStep::SelfAssessment => Step::SelfAssessment,
        AssessmentStep::Collective => Step::Collective,
        AssessmentStep::DirectManager => Step::DirectManager,
    }
}

/// A value as a request gives it: a JSON number or a decimal string (the
/// OpenAPI document says strings, the exact form; numbers are read as
/// written, never through floating point).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Points {
    /// `13.5`.
    Number(serde_json::Number),
    /// `"13.5"`.
    Text(String),
}

impl Points {
    fn text(&self) -> String {
        match self {
            Points::Number(n) => n.to_string(),
            Points::Text(t) => t.trim().to_string(),
        }
    }
}

/// What the servant records.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfAssessment {
    /// Their points for each fact their card has them assess.
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, String>)]
    pub points: BTreeMap<String, Points>,
    /// Their own review of the period's work.
    pub review: String,
}

/// What the collective's meeting recorded.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CollectiveComments {
    /// The day it met, `YYYY-MM-DD`.
    pub date: String,
    /// Who attended.
    pub attended: Vec<String>,
    /// What it said.
    pub text: String,
    /// Votes for, when it voted.
    #[serde(default)]
    pub votes_for: Option<u32>,
    /// Votes against.
    #[serde(default)]
    pub votes_against: Option<u32>,
    /// Points for the facts the card has the collective assess, if any.
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, String>)]
    pub points: BTreeMap<String, Points>,
}

/// What the direct manager records.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ManagerAssessment {
    /// Their points for each fact the card has the manager assess.
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, String>)]
    pub points: BTreeMap<String, Points>,
    /// Why, for each fact where they differ from the servant.
    #[serde(default)]
    pub comments: BTreeMap<String, String>,
}

/// One assessed fact of an assessment, with each step's value.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AssessedFact {
    /// The fact's name.
    pub name: String,
    /// Its title in Vietnamese.
    pub title_vi: String,
    /// Its title in English.
    pub title_en: String,
    /// The steps that record it, in order.
    pub steps: Vec<String>,
    /// The servant's value.
    pub self_value: Option<String>,
    /// The collective's value.
    pub collective_value: Option<String>,
    /// The direct manager's value.
    pub manager_value: Option<String>,
    /// The manager's value less the servant's, when both are recorded.
    pub gap: Option<String>,
    /// The manager's comment on it.
    pub comment: Option<String>,
}

/// A step's record and calendar.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StepStatus {
    /// `self-assessment`, `collective` or `direct-manager`.
    pub step: String,
    /// When it is due, `YYYY-MM-DD`, when a calendar says.
    pub due: Option<String>,
    /// Who recorded it.
    pub by: Option<String>,
    /// When, in milliseconds since the epoch.
    pub at: Option<i64>,
    /// Recorded after its due date.
    pub late: bool,
    /// Not recorded, and its due date is past.
    pub overdue: bool,
}

/// The collective's record.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CollectiveRecord {
    /// The day it met.
    pub date: String,
    /// Who attended.
    pub attended: Vec<String>,
    /// What it said.
    pub text: String,
    /// Votes for.
    pub votes_for: Option<i64>,
    /// Votes against.
    pub votes_against: Option<i64>,
}

/// One subject's assessment for one period, as its parties read it.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AssessmentView {
    /// The subject.
    pub subject: String,
    /// Their name.
    pub name: String,
    /// Their unit.
    pub unit: String,
    /// The period.
    pub period: String,
    /// The scorecard, `namespace/name@version`.
    pub card: String,
    /// `open`, `self-assessed`, `collective-recorded` or `manager-assessed`.
    pub state: String,
    /// The step that comes next, if any.
    pub next_step: Option<String>,
    /// The manager has assessed: the run reads the assessed facts.
    pub ready: bool,
    /// The facts the card has people assess.
    pub facts: Vec<AssessedFact>,
    /// The servant's own review.
    pub review: Option<String>,
    /// The collective's record.
    pub collective: Option<CollectiveRecord>,
    /// Each step: due, done, late.
    pub steps: Vec<StepStatus>,
    /// How many times it has changed.
    pub revision: i64,
    /// The steps the reader may record now (their part, in the
    /// procedure's order).
    pub you_may_record: Vec<String>,
    /// Exempted from the period's evaluation: nothing to assess.
    pub exempt: bool,
}

/// The assessments of a unit's people for a period, a page at a time.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UnitAssessments {
    /// The unit.
    pub unit: String,
    /// The period.
    pub period: String,
    /// Each person, in id order.
    pub people: Vec<AssessmentView>,
    /// The id to ask `after=` for the next page, when there is one.
    pub next: Option<String>,
}

/// The card assigned to a subject's post for a period.
struct Card {
    plugin: std::sync::Arc<Plugin>,
    name: String,
    version: String,
}

impl Card {
    fn label(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }

    /// The assessed facts, with the steps that record each.
    fn assessed(&self) -> Vec<(&FactSpec, Vec<Step>)> {
        self.plugin
            .info
            .facts
            .iter()
            .filter_map(|f| match &f.origin {
                FactOrigin::Assessed(steps) => {
                    Some((f, steps.iter().map(|s| contract_step(*s)).collect()))
                }
                _ => None,
            })
            .collect()
    }
}

async fn card_of(registry: &Registry, subject: &SubjectRow, period: &Period) -> Result<Card> {
    // The card for this kind of period: a post may hold a monthly card and
    // a yearly one, and each period's facts are its own card's.
    let none = |why: String| {
        Error::NothingToAssess(format!(
            "{} has no scorecard to be assessed on for {}: {why}",
            subject.id, period.text
        ))
    };
    let resolved = registry
        .resolver(&period.text)
        .await
        .and_then(|mut r| r.resolve_kind(&subject.post, &subject.unit, Some(period.kind())))
        .map_err(|e| none(e.to_string()))?
        .ok_or_else(|| {
            none(format!(
                "its post's cards score other kinds of period than {}",
                period.text
            ))
        })?;
    let plugin = registry
        .plugin(&resolved.assignment.plugin, &resolved.version)
        .await?;
    Ok(Card {
        plugin,
        name: resolved.assignment.plugin,
        version: resolved.version,
    })
}

fn parse_period(period: &str) -> Result<Period> {
    Period::parse(period).map_err(|e| Error::BadPeriod(e.to_string()))
}

/// The subject, when `actor` is a party to their assessment.
async fn party(
    registry: &Registry,
    actor: &Actor,
    units: &Units,
    subject: &str,
) -> Result<SubjectRow> {
    let mut tx = registry.store().begin().await?;
    let found = tx.subjects_of(&[subject]).await?.into_iter().next();
    tx.commit().await?;
    let no_part = || {
        Error::Forbidden(format!(
            "{} has no part in assessments: that takes the person themself, their direct manager, an assessor or an admin",
            actor.name
        ))
    };
    match found {
        Some(s) => match assessing::standing(actor, units, &s) {
            Standing::Party => Ok(s),
            Standing::OutOfReach => Err(Error::NotFound(format!(
                "no subject `{subject}` whose assessment {} may see",
                actor.name
            ))),
            Standing::NoPart => Err(no_part()),
        },
        None if matches!(
            actor.role,
            Role::Viewer | Role::Analyst { .. } | Role::Publisher { .. }
        ) =>
        {
            Err(no_part())
        }
        None => Err(Error::NotFound(format!(
            "no subject `{subject}` whose assessment {} may see",
            actor.name
        ))),
    }
}

/// The calendar for a unit's steps of a period kind: the nearest setting
/// up the unit's ancestry for each step.
async fn due_dates(
    registry: &Registry,
    units: &Units,
    unit: &str,
    period: &Period,
) -> Result<HashMap<Step, Day>> {
    let chain = ancestry(units, unit);
    let kind = period_kind(period);
    let refs: Vec<&str> = chain.iter().map(String::as_str).collect();
    let rows = registry.store().calendar_steps(&refs, kind).await?;
    let work = work_calendar(registry, period).await?;
    let mut due = HashMap::new();
    for step in Step::ALL {
        // The nearest unit up the chain that sets this step.
        let set = chain
            .iter()
            .find_map(|u| rows.iter().find(|r| r.unit == *u && r.step == step.name()));
        if let Some(row) = set
            && let Ok(d) = Due::parse(&row.due)
            && let Some(day) = d.date(&period.end(), &work)
        {
            due.insert(step, day);
        }
    }
    Ok(due)
}

fn period_kind(period: &Period) -> &'static str {
    match period.kind() {
        crate::runtime::PeriodKind::Month => "month",
        crate::runtime::PeriodKind::Quarter => "quarter",
        crate::runtime::PeriodKind::Year => "year",
    }
}

/// The calendar days around a period's end: the year before its end to
/// the year after, enough for any due date a calendar may set.
async fn work_calendar(registry: &Registry, period: &Period) -> Result<WorkCalendar> {
    work_calendar_around(registry, period.year().parse().unwrap_or(2000)).await
}

/// The calendar days from the year before `year` to the year after.
async fn work_calendar_around(registry: &Registry, year: i64) -> Result<WorkCalendar> {
    let days = registry
        .store()
        .calendar_days(
            &format!("{}-01-01", year - 1),
            &format!("{}-12-31", year + 1),
        )
        .await?;
    let mut cal = WorkCalendar::default();
    for d in days {
        if let Some(day) = Day::parse(&d.day) {
            if d.kind == "working" {
                cal.working(day);
            } else {
                cal.holiday(day);
            }
        }
    }
    Ok(cal)
}

fn show(raw: i64) -> String {
    Fixed::from_raw(raw).to_string()
}

fn points_of(text: &Option<String>) -> Result<BTreeMap<String, i64>> {
    match text {
        Some(t) => serde_json::from_str(t)
            .map_err(|e| Error::Internal(format!("stored assessment points are unreadable: {e}"))),
        None => Ok(BTreeMap::new()),
    }
}

#[allow(clippy::too_many_arguments)]
fn view_of(
    subject: &SubjectRow,
    period: &Period,
    card: Option<&Card>,
    exempt: bool,
    row: Option<&AssessmentRow>,
    due: &HashMap<Step, Day>,
    now: i64,
) -> Result<AssessmentView> {
    let state = row.map_or(Ok(State::Open), |r| State::parse(&r.state))?;
    let (own, collective_points, manager, comments) = match row {
        Some(r) => (
            points_of(&r.self_points)?,
            points_of(&r.collective_points)?,
            points_of(&r.manager_points)?,
            match &r.manager_comments {
                Some(t) => serde_json::from_str::<BTreeMap<String, String>>(t).map_err(|e| {
                    Error::Internal(format!("stored assessment comments are unreadable: {e}"))
                })?,
                None => BTreeMap::new(),
            },
        ),
        None => Default::default(),
    };
    // An exempted subject is not evaluated for the period: nothing of
    // theirs is assessed, or overdue.
    let card = card.filter(|_| !exempt);
    let facts: Vec<AssessedFact> = card
        .map(|c| {
            c.assessed()
                .into_iter()
                .map(|(f, steps)| {
                    let s = own.get(&f.name).copied();
                    let m = manager.get(&f.name).copied();
                    AssessedFact {
                        name: f.name.clone(),
                        title_vi: f.title.vi.clone(),
                        title_en: f.title.en.clone(),
                        steps: steps.iter().map(|s| s.name().to_string()).collect(),
                        self_value: s.map(show),
                        collective_value: collective_points.get(&f.name).copied().map(show),
                        manager_value: m.map(show),
                        gap: s.zip(m).map(|(s, m)| show(m - s)),
                        comment: comments.get(&f.name).cloned(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let steps = Step::ALL
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let (by, at, late) = match (row, step) {
                (Some(r), Step::SelfAssessment) => (r.self_by.clone(), r.self_at, r.self_late),
                (Some(r), Step::Collective) => {
                    (r.collective_by.clone(), r.collective_at, r.collective_late)
                }
                (Some(r), Step::DirectManager) => {
                    (r.manager_by.clone(), r.manager_at, r.manager_late)
                }
                (None, _) => (None, None, None),
            };
            let done = i < state.done();
            let due_day = due.get(step);
            StepStatus {
                step: step.name().to_string(),
                due: due_day.map(Day::to_string),
                by: if done { by } else { None },
                at: if done { at } else { None },
                late: done && late.unwrap_or(false),
                // Nothing to assess is never overdue.
                overdue: !done
                    && !facts.is_empty()
                    && due_day.is_some_and(|d| now >= d.end_millis()),
            }
        })
        .collect();
    let collective = row.and_then(|r| {
        Some(CollectiveRecord {
            date: r.collective_date.clone()?,
            attended: r
                .collective_attended
                .as_deref()
                .and_then(|a| serde_json::from_str(a).ok())
                .unwrap_or_default(),
            text: r.collective_text.clone().unwrap_or_default(),
            votes_for: r.votes_for,
            votes_against: r.votes_against,
        })
    });
    Ok(AssessmentView {
        subject: subject.id.clone(),
        name: subject.name.clone(),
        unit: subject.unit.clone(),
        period: period.text.clone(),
        card: card.map(Card::label).unwrap_or_default(),
        state: state.name().to_string(),
        next_step: state
            .next_step()
            .filter(|_| !facts.is_empty())
            .map(|s| s.name().to_string()),
        ready: state == State::ManagerAssessed,
        facts,
        review: row.and_then(|r| r.self_review.clone()),
        collective,
        steps,
        revision: row.map_or(0, |r| r.revision),
        you_may_record: Vec::new(),
        exempt,
    })
}

/// The steps `actor` may record now on `subject`'s assessment in `view`.
fn may_record_now(actor: &Actor, units: &Units, subject: &SubjectRow, view: &mut AssessmentView) {
    let Ok(state) = State::parse(&view.state) else {
        return;
    };
    view.you_may_record = Step::ALL
        .into_iter()
        .filter(|step| {
            !view.facts.is_empty()
                && state.may_record(*step).is_ok()
                && assessing::may_record(actor, units, subject, *step).is_ok()
        })
        .map(|s| s.name().to_string())
        .collect();
}

/// A person's own assessments, newest period first (at most 40): the
/// periods and where each stands.
pub async fn mine(registry: &Registry, actor: &Actor) -> Result<Vec<(String, String)>> {
    let Role::Person { subject } = &actor.role else {
        return Err(Error::Forbidden(format!(
            "{} is not signed in as a person: their own assessments are a person's",
            actor.name
        )));
    };
    Ok(registry
        .store()
        .subject_assessments(subject, 40)
        .await?
        .into_iter()
        .map(|r| (r.period, r.state))
        .collect())
}

/// One subject's assessment for a period, for a party to it.
pub async fn view(
    registry: &Registry,
    actor: &Actor,
    subject: &str,
    period: &str,
) -> Result<AssessmentView> {
    let period = parse_period(period)?;
    let units = Units::load(registry).await?;
    let s = party(registry, actor, &units, subject).await?;
    let card = card_of(registry, &s, &period).await.ok();
    let row = registry.store().assessment(subject, &period.text).await?;
    let due = due_dates(registry, &units, &s.unit, &period).await?;
    let exempt = !registry
        .store()
        .exempted_among(&period.text, &[subject])
        .await?
        .is_empty();
    let mut view = view_of(
        &s,
        &period,
        card.as_ref(),
        exempt,
        row.as_ref(),
        &due,
        now_millis(),
    )?;
    may_record_now(actor, &units, &s, &mut view);
    Ok(view)
}

/// The assessments of `unit`'s own people (not those of the units below)
/// for a period, in id order after `after`, at most `limit` (up to
/// [`MAX_LISTED`]): their states, each step's due date and whether it is
/// overdue or was late, and the gaps between servant and manager.
pub async fn unit_list(
    registry: &Registry,
    actor: &Actor,
    unit: &str,
    period: &str,
    after: &str,
    limit: usize,
) -> Result<UnitAssessments> {
    let period = parse_period(period)?;
    let units = Units::load(registry).await?;
    if units.get(unit).is_none() || !assessing::may_list(actor, &units, unit) {
        return Err(
            if matches!(
                actor.role,
                Role::Admin | Role::UnitAdmin { .. } | Role::Assessor { .. }
            ) {
                Error::NotFound(format!("no unit `{unit}` in {}'s subtree", actor.name))
            } else {
                Error::Forbidden(format!(
                    "{} may not list a unit's assessments: that takes an assessor or an admin of its subtree",
                    actor.name
                ))
            },
        );
    }
    if limit == 0 || limit > MAX_LISTED {
        return Err(Error::Malformed {
            field: "limit".into(),
            why: format!("a page holds 1 to {MAX_LISTED} people, not {limit}"),
        });
    }
    let store = registry.store();
    let mut people = store.unit_people(unit, after, limit as i64 + 1).await?;
    let more = people.len() > limit;
    people.truncate(limit);
    let ids: Vec<&str> = people.iter().map(|p| p.id.as_str()).collect();
    let rows: HashMap<String, AssessmentRow> = store
        .assessments_of(&period.text, &ids)
        .await?
        .into_iter()
        .map(|r| (r.subject.clone(), r))
        .collect();
    let due = due_dates(registry, &units, unit, &period).await?;
    let exempted = store.exempted_among(&period.text, &ids).await?;
    let now = now_millis();
    // Posts share their card: resolved once per post.
    let mut cards: HashMap<String, Option<Card>> = HashMap::new();
    let mut out = Vec::with_capacity(people.len());
    for p in &people {
        if !cards.contains_key(&p.post) {
            let card = card_of(registry, p, &period).await.ok();
            cards.insert(p.post.clone(), card);
        }
        let card = cards.get(&p.post).and_then(Option::as_ref);
        let exempt = exempted.contains(&p.id);
        let mut view = view_of(p, &period, card, exempt, rows.get(&p.id), &due, now)?;
        may_record_now(actor, &units, p, &mut view);
        out.push(view);
    }
    Ok(UnitAssessments {
        unit: unit.to_string(),
        period: period.text.clone(),
        next: more.then(|| people.last().map(|p| p.id.clone())).flatten(),
        people: out,
    })
}

/// Checks a step's points against the facts the card has that step record:
/// each of them given, none other, each a decimal within its range.
fn checked_points(
    card: &Card,
    step: Step,
    given: &BTreeMap<String, Points>,
) -> Result<BTreeMap<String, i64>> {
    let assessed = card.assessed();
    let wanted: Vec<&FactSpec> = assessed
        .iter()
        .filter(|(_, steps)| steps.contains(&step))
        .map(|(f, _)| *f)
        .collect();
    for name in given.keys() {
        if !wanted.iter().any(|f| f.name == *name) {
            let known: Vec<&str> = wanted.iter().map(|f| f.name.as_str()).collect();
            return Err(invalid(
                &format!("points.{name}"),
                format!(
                    "{} does not have {} record `{name}`; it records {}",
                    card.label(),
                    step_words(step),
                    if known.is_empty() {
                        "no points".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            ));
        }
    }
    let mut out = BTreeMap::new();
    for f in wanted {
        let field = format!("points.{}", f.name);
        let Some(value) = given.get(&f.name) else {
            return Err(invalid(
                &field,
                format!(
                    "{} records `{}` ({}): it is missing",
                    step_words(step),
                    f.name,
                    f.title.en
                ),
            ));
        };
        let text = value.text();
        let fixed = Fixed::parse(&text).ok_or_else(|| {
            invalid(
                &field,
                format!("`{text}` is not a decimal with at most four decimals"),
            )
        })?;
        let raw = fixed.raw();
        if f.min.is_some_and(|lo| raw < lo) || f.max.is_some_and(|hi| raw > hi) {
            let bound = |b: Option<i64>| b.map_or("…".to_string(), show);
            return Err(invalid(
                &field,
                format!(
                    "{text} is outside its range {} to {}",
                    bound(f.min),
                    bound(f.max)
                ),
            ));
        }
        out.insert(f.name.clone(), raw);
    }
    Ok(out)
}

fn checked_text(field: &str, text: &str, required: bool) -> Result<String> {
    let t = text.trim();
    if required && t.is_empty() {
        return Err(invalid(field, "it is empty"));
    }
    if t.chars().count() > MAX_TEXT_CHARS {
        return Err(invalid(
            field,
            format!("it is longer than {MAX_TEXT_CHARS} characters"),
        ));
    }
    Ok(t.to_string())
}

/// What a step records, checked.
enum Record {
    Own(BTreeMap<String, i64>, String),
    Collective(CollectiveRecord, BTreeMap<String, i64>),
    Manager(BTreeMap<String, i64>, BTreeMap<String, String>),
}

async fn take_step(
    registry: &Registry,
    actor: &Actor,
    subject: &str,
    period: &str,
    step: Step,
    record: impl FnOnce(&Card, Option<&AssessmentRow>) -> Result<Record>,
) -> Result<AssessmentView> {
    let period = parse_period(period)?;
    let units = Units::load(registry).await?;
    let s = party(registry, actor, &units, subject).await?;
    assessing::may_record(actor, &units, &s, step).map_err(Error::Forbidden)?;
    let card = card_of(registry, &s, &period).await?;
    if card.assessed().is_empty() {
        return Err(Error::NothingToAssess(format!(
            "{} has people assess no fact: {subject} is scored on data alone for {}",
            card.label(),
            period.text
        )));
    }
    let due = due_dates(registry, &units, &s.unit, &period).await?;
    let now = now_millis();
    let late = due.get(&step).is_some_and(|d| now >= d.end_millis());

    // Read and written under the facts' guard: a step races neither an
    // import, an exemption nor a publish, and a locked period refuses it
    // whole.
    let mut tx = registry.store().begin_guarding(Guarded::FactSheets).await?;
    // Exemptions are written under the same guard: one recorded before it
    // was taken is seen here, and none can come between this and the write.
    if !registry
        .store()
        .exempted_among(&period.text, &[subject])
        .await?
        .is_empty()
    {
        return Err(Error::NothingToAssess(format!(
            "{subject} is exempted from the evaluation of {}: there is nothing to assess (lift the exemption first)",
            period.text
        )));
    }
    let frozen: HashMap<String, String> = tx
        .fact_freezes()
        .await?
        .into_iter()
        .map(|f| (f.period, f.frozen_by))
        .collect();
    let locks = tx.official_locks().await?;
    if let Some(locked) =
        crate::facts::lock_on(&period.text, subject, &s.unit, &frozen, &locks, &units)
    {
        return Err(Error::Locked(locked.to_string()));
    }
    let before = tx.assessment(subject, &period.text).await?;
    let state = before
        .as_ref()
        .map_or(Ok(State::Open), |r| State::parse(&r.state))?;
    state.may_record(step).map_err(Error::OutOfOrder)?;
    let checked = record(&card, before.as_ref())?;

    let mut row = before.clone().unwrap_or_default();
    row.subject = subject.to_string();
    row.period = period.text.clone();
    row.unit = s.unit.clone();
    row.plugin = card.name.clone();
    row.version = card.version.clone();
    row.state = State::after(step).name().to_string();
    row.revision += 1;
    let detail;
    match checked {
        Record::Own(points, review) => {
            detail = json!({"period": period.text, "step": step.name(), "late": late,
                "points": points.iter().map(|(k, v)| (k.clone(), show(*v))).collect::<BTreeMap<_, _>>(),
                "review": review});
            row.self_points = Some(serde_json::to_string(&points).expect("serialises"));
            row.self_review = Some(review);
            row.self_by = Some(actor.name.clone());
            row.self_at = Some(now);
            row.self_late = Some(late);
        }
        Record::Collective(c, points) => {
            detail = json!({"period": period.text, "step": step.name(), "late": late,
                "date": c.date, "attended": c.attended, "text": c.text,
                "votes_for": c.votes_for, "votes_against": c.votes_against});
            row.collective_date = Some(c.date);
            row.collective_attended = Some(serde_json::to_string(&c.attended).expect("serialises"));
            row.collective_text = Some(c.text);
            row.collective_points = Some(serde_json::to_string(&points).expect("serialises"));
            row.votes_for = c.votes_for;
            row.votes_against = c.votes_against;
            row.collective_by = Some(actor.name.clone());
            row.collective_at = Some(now);
            row.collective_late = Some(late);
        }
        Record::Manager(points, comments) => {
            detail = json!({"period": period.text, "step": step.name(), "late": late,
                "points": points.iter().map(|(k, v)| (k.clone(), show(*v))).collect::<BTreeMap<_, _>>(),
                "comments": comments});
            row.manager_points = Some(serde_json::to_string(&points).expect("serialises"));
            row.manager_comments = Some(serde_json::to_string(&comments).expect("serialises"));
            row.manager_by = Some(actor.name.clone());
            row.manager_at = Some(now);
            row.manager_late = Some(late);
            write_facts(&mut tx, actor, &card, &row, &points).await?;
        }
    }
    tx.put_assessment(&row).await?;
    tx.audit(
        &actor.name,
        &format!("assess-{}", step.name()),
        subject,
        &detail,
        Some(&s.unit),
    )
    .await?;
    tx.commit().await?;
    let mut view = view_of(&s, &period, Some(&card), false, Some(&row), &due, now)?;
    may_record_now(actor, &units, &s, &mut view);
    Ok(view)
}

/// Writes the assessed facts into the subject's sheet for the period: for
/// each, the value of the last step that records it (the manager's, unless
/// the card has the manager not assess it), as an import with the
/// assessment as its source.
async fn write_facts(
    tx: &mut crate::store::Tx,
    actor: &Actor,
    card: &Card,
    row: &AssessmentRow,
    manager: &BTreeMap<String, i64>,
) -> Result<()> {
    let own = points_of(&row.self_points)?;
    let collective = points_of(&row.collective_points)?;
    let mut values: BTreeMap<String, i64> = BTreeMap::new();
    for (f, steps) in card.assessed() {
        let v = match steps.last() {
            Some(Step::DirectManager) => manager.get(&f.name),
            Some(Step::Collective) => collective.get(&f.name),
            Some(Step::SelfAssessment) => own.get(&f.name),
            None => None,
        };
        if let Some(v) = v {
            values.insert(f.name.clone(), *v);
        }
    }
    let source = format!(
        "assessment of {} for {} (revision {}), by {}",
        row.subject, row.period, row.revision, actor.name
    );
    let file = format!("assessment:{}/{}", row.subject, row.period);
    write_sheet(
        tx,
        &actor.name,
        &row.subject,
        &row.period,
        &values,
        &source,
        &file,
    )
    .await?;
    Ok(())
}

/// Writes `values` into `subject`'s fact sheet for `period` as an import
/// of `file` from `source` would (recorded as an import, each changed value
/// with its source): whether any value changed.
pub(crate) async fn write_sheet(
    tx: &mut crate::store::Tx,
    actor: &str,
    subject: &str,
    period: &str,
    values: &BTreeMap<String, i64>,
    source: &str,
    file: &str,
) -> Result<bool> {
    let current = tx.sheets_of(period, &[subject]).await?.into_iter().next();
    let (mut sheet, revision): (BTreeMap<String, i64>, i64) = match current {
        Some(s) => (
            serde_json::from_str(&s.facts).map_err(|e| {
                Error::Internal(format!(
                    "the stored fact sheet of {subject} for {period} is unreadable: {e}"
                ))
            })?,
            s.revision,
        ),
        None => (BTreeMap::new(), 0),
    };
    let mut changed: BTreeMap<&str, (String, &str)> = BTreeMap::new();
    for (name, v) in values {
        if sheet.get(name) != Some(v) {
            sheet.insert(name.clone(), *v);
            changed.insert(name, (show(*v), source));
        }
    }
    if changed.is_empty() {
        return Ok(false);
    }
    let body = serde_json::to_string(values).expect("serialises");
    let import = tx
        .insert_fact_import(&NewFactImport {
            actor,
            file,
            sha256: &crate::runtime::sha256_hex(body.as_bytes()),
            rows_read: values.len() as i64,
            values_changed: changed.len() as i64,
        })
        .await?;
    tx.upsert_fact_sheets([vec![
        Cell::from(subject),
        Cell::from(period),
        Cell::Text(serde_json::to_string(&sheet).expect("serialises")),
        Cell::Int(revision + 1),
    ]])
    .await?;
    tx.insert_fact_changes([vec![
        Cell::from(subject),
        Cell::from(period),
        Cell::Int(import),
        Cell::Int(revision + 1),
        Cell::Text(serde_json::to_string(&changed).expect("serialises")),
    ]])
    .await?;
    Ok(true)
}

/// The servant's self-assessment of `subject` for `period`.
pub async fn record_self(
    registry: &Registry,
    actor: &Actor,
    subject: &str,
    period: &str,
    body: &SelfAssessment,
) -> Result<AssessmentView> {
    take_step(
        registry,
        actor,
        subject,
        period,
        Step::SelfAssessment,
        |card, _| {
            let points = checked_points(card, Step::SelfAssessment, &body.points)?;
            let review = checked_text("review", &body.review, true)?;
            Ok(Record::Own(points, review))
        },
    )
    .await
}

/// The collective's comments on `subject` for `period`.
pub async fn record_collective(
    registry: &Registry,
    actor: &Actor,
    subject: &str,
    period: &str,
    body: &CollectiveComments,
) -> Result<AssessmentView> {
    take_step(
        registry,
        actor,
        subject,
        period,
        Step::Collective,
        |card, _| {
            let day = Day::parse(body.date.trim()).ok_or_else(|| {
                invalid("date", format!("`{}` is not a day (YYYY-MM-DD)", body.date))
            })?;
            if day > Day::at_millis(now_millis()) {
                return Err(invalid("date", format!("{day} has not come yet")));
            }
            if body.attended.is_empty() {
                return Err(invalid("attended", "who attended the meeting is not given"));
            }
            if body.attended.len() > MAX_ATTENDED {
                return Err(invalid(
                    "attended",
                    format!("more than {MAX_ATTENDED} people"),
                ));
            }
            let mut attended = Vec::with_capacity(body.attended.len());
            for (i, name) in body.attended.iter().enumerate() {
                let name = name.trim();
                if name.is_empty() || name.chars().count() > 200 {
                    return Err(invalid(
                        &format!("attended[{i}]"),
                        "a name is 1 to 200 characters",
                    ));
                }
                attended.push(name.to_string());
            }
            let votes =
                body.votes_for.unwrap_or(0) as usize + body.votes_against.unwrap_or(0) as usize;
            if votes > attended.len() {
                return Err(invalid(
                    "votes_for",
                    format!("{votes} votes from {} people attending", attended.len()),
                ));
            }
            let text = checked_text("text", &body.text, true)?;
            let points = checked_points(card, Step::Collective, &body.points)?;
            Ok(Record::Collective(
                CollectiveRecord {
                    date: day.to_string(),
                    attended,
                    text,
                    votes_for: body.votes_for.map(i64::from),
                    votes_against: body.votes_against.map(i64::from),
                },
                points,
            ))
        },
    )
    .await
}

/// The direct manager's assessment of `subject` for `period`: their points
/// become the facts the run reads. Where they differ from the servant's,
/// a comment says why.
pub async fn record_manager(
    registry: &Registry,
    actor: &Actor,
    subject: &str,
    period: &str,
    body: &ManagerAssessment,
) -> Result<AssessmentView> {
    take_step(
        registry,
        actor,
        subject,
        period,
        Step::DirectManager,
        |card, before| {
            let points = checked_points(card, Step::DirectManager, &body.points)?;
            let own = points_of(&before.and_then(|b| b.self_points.clone()))?;
            let mut comments = BTreeMap::new();
            for (name, text) in &body.comments {
                if !points.contains_key(name) {
                    return Err(invalid(
                        &format!("comments.{name}"),
                        format!("`{name}` is not a fact the manager assesses here"),
                    ));
                }
                let text = checked_text(&format!("comments.{name}"), text, false)?;
                if !text.is_empty() {
                    comments.insert(name.clone(), text);
                }
            }
            for (name, v) in &points {
                if let Some(s) = own.get(name)
                    && s != v
                    && !comments.contains_key(name)
                {
                    return Err(invalid(
                        &format!("comments.{name}"),
                        format!(
                            "the manager gives {} where the servant gave {}: say why",
                            show(*v),
                            show(*s)
                        ),
                    ));
                }
            }
            Ok(Record::Manager(points, comments))
        },
    )
    .await
}

/// When each step is due, as set for a unit and a period kind.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarSetting {
    /// Step name → `+N`, `-N` or `DD` (see [`calendar`]).
    pub steps: BTreeMap<String, String>,
}

/// Sets when each step is due for `unit`'s subtree and a period kind
/// (`month`, `quarter` or `year`), replacing what was set on that unit.
pub async fn set_calendar(
    registry: &Registry,
    actor: &Actor,
    unit: &str,
    kind: &str,
    body: &CalendarSetting,
) -> Result<CalendarSetting> {
    let units = Units::load(registry).await?;
    if units.get(unit).is_none() || !assessing::may_administer(actor, &units, unit) {
        return Err(
            if matches!(actor.role, Role::Admin | Role::UnitAdmin { .. }) {
                Error::NotFound(format!("no unit `{unit}` in {}'s subtree", actor.name))
            } else {
                Error::Forbidden(format!(
                    "{} may not set assessment calendars: that takes an admin or a unit admin",
                    actor.name
                ))
            },
        );
    }
    if !["month", "quarter", "year"].contains(&kind) {
        return Err(Error::Malformed {
            field: "kind".into(),
            why: format!("`{kind}` is not month, quarter or year"),
        });
    }
    let mut steps = Vec::new();
    for (name, due) in &body.steps {
        let step = Step::parse(name).map_err(|why| invalid(&format!("steps.{name}"), why))?;
        let due = Due::parse(due).map_err(|why| invalid(&format!("steps.{name}"), why))?;
        steps.push((step.name().to_string(), due.to_string()));
    }
    let mut tx = registry.store().begin().await?;
    tx.put_calendar(unit, kind, &steps, &actor.name, now_millis())
        .await?;
    let detail = json!({"kind": kind, "steps": steps.iter().cloned().collect::<BTreeMap<_, _>>()});
    tx.audit(
        &actor.name,
        "assessment-calendar",
        unit,
        &detail,
        Some(unit),
    )
    .await?;
    tx.commit().await?;
    Ok(CalendarSetting {
        steps: steps.into_iter().collect(),
    })
}

/// A day that breaks the week's rule, as the API gives and shows it.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarDay {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// `holiday` (a day off) or `working` (a weekend day worked in exchange).
    pub kind: String,
    /// What it is.
    pub name: String,
}

/// A year's days that break the week's rule, in order.
pub async fn days(registry: &Registry, year: &str) -> Result<Vec<CalendarDay>> {
    let year = checked_year(year)?;
    Ok(registry
        .store()
        .calendar_days(&format!("{year}-01-01"), &format!("{year}-12-31"))
        .await?
        .into_iter()
        .map(|d| CalendarDay {
            day: d.day,
            kind: d.kind,
            name: d.name,
        })
        .collect())
}

fn checked_year(year: &str) -> Result<i64> {
    match year.parse::<i64>() {
        Ok(y) if year.len() == 4 && (2000..=2100).contains(&y) => Ok(y),
        _ => Err(Error::Malformed {
            field: "year".into(),
            why: format!("`{year}` is not a year from 2000 to 2100"),
        }),
    }
}

/// Replaces a year's holidays and substituted working days (admins only:
/// the calendar is the country's).
pub async fn set_days(
    registry: &Registry,
    actor: &Actor,
    year: &str,
    days: &[CalendarDay],
) -> Result<Vec<CalendarDay>> {
    if actor.role != Role::Admin {
        return Err(Error::Forbidden(format!(
            "{} may not set the calendar's holidays: that takes an admin",
            actor.name
        )));
    }
    let y = checked_year(year)?;
    if days.len() > 366 {
        return Err(invalid("body", "a year has at most 366 days"));
    }
    let now = now_millis();
    let mut rows = Vec::with_capacity(days.len());
    let mut seen = std::collections::HashSet::new();
    for (i, d) in days.iter().enumerate() {
        let field = |f: &str| format!("[{i}].{f}");
        let day = Day::parse(d.day.trim()).ok_or_else(|| {
            invalid(
                &field("day"),
                format!("`{}` is not a day (YYYY-MM-DD)", d.day),
            )
        })?;
        if day.civil().0 != y {
            return Err(invalid(&field("day"), format!("{day} is not in {y}")));
        }
        if !seen.insert(day) {
            return Err(invalid(&field("day"), format!("{day} is given twice")));
        }
        if d.kind != "holiday" && d.kind != "working" {
            return Err(invalid(
                &field("kind"),
                format!("`{}` is not holiday or working", d.kind),
            ));
        }
        let name = d.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(invalid(&field("name"), "a name is 1 to 200 characters"));
        }
        rows.push(crate::store::assessments::CalendarDayRow {
            day: day.to_string(),
            kind: d.kind.clone(),
            name: name.to_string(),
            set_by: actor.name.clone(),
            set_at: now,
        });
    }
    rows.sort_by(|a, b| a.day.cmp(&b.day));
    let mut tx = registry.store().begin().await?;
    tx.put_calendar_days(&y.to_string(), &rows).await?;
    let detail = json!({"days": rows.len()});
    tx.audit(&actor.name, "calendar-days", &y.to_string(), &detail, None)
        .await?;
    tx.commit().await?;
    self::days(registry, year).await
}

/// The calendar in force for a unit and a period kind: each step's due
/// rule and the unit it was set on (the unit itself or the nearest above).
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CalendarInForce {
    /// The unit asked about.
    pub unit: String,
    /// `month`, `quarter` or `year`.
    pub kind: String,
    /// Each step with a due rule.
    pub steps: Vec<CalendarStep>,
}

/// One step's due rule in force.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CalendarStep {
    /// The step.
    pub step: String,
    /// `+N`, `-N` or `DD`.
    pub due: String,
    /// The unit it was set on.
    pub set_on: String,
}

/// The calendar in force for `unit` and `kind` (anyone may read it: when
/// people are to be assessed is no secret).
pub async fn calendar_in_force(
    registry: &Registry,
    unit: &str,
    kind: &str,
) -> Result<CalendarInForce> {
    if !["month", "quarter", "year"].contains(&kind) {
        return Err(Error::Malformed {
            field: "kind".into(),
            why: format!("`{kind}` is not month, quarter or year"),
        });
    }
    let units = Units::load(registry).await?;
    if units.get(unit).is_none() {
        return Err(Error::NotFound(format!("no unit `{unit}`")));
    }
    let chain = ancestry(&units, unit);
    let refs: Vec<&str> = chain.iter().map(String::as_str).collect();
    let rows = registry.store().calendar_steps(&refs, kind).await?;
    let steps = Step::ALL
        .iter()
        .filter_map(|step| {
            chain.iter().find_map(|u| {
                rows.iter()
                    .find(|r| r.unit == *u && r.step == step.name())
                    .map(|r| CalendarStep {
                        step: r.step.clone(),
                        due: r.due.clone(),
                        set_on: r.unit.clone(),
                    })
            })
        })
        .collect();
    Ok(CalendarInForce {
        unit: unit.to_string(),
        kind: kind.to_string(),
        steps,
    })
}

/// `unit` and the units above it, nearest first.
fn ancestry(units: &Units, unit: &str) -> Vec<String> {
    let mut chain = vec![unit.to_string()];
    while let Some(parent) = units
        .get(chain.last().expect("not empty"))
        .and_then(|u| u.parent.clone())
    {
        // A cycle cannot be stored, but a walk never trusts that.
        if chain.contains(&parent) || chain.len() > 64 {
            break;
        }
        chain.push(parent);
    }
    chain
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATES: [State; 4] = [
        State::Open,
        State::SelfAssessed,
        State::CollectiveRecorded,
        State::ManagerAssessed,
    ];

    /// Every step from every state: the next one, or the last one again,
    /// and nothing else; each refusal names the state it met.
    #[test]
    fn only_the_next_step_or_the_last_again_is_taken() {
        for (i, state) in STATES.into_iter().enumerate() {
            for (k, step) in Step::ALL.into_iter().enumerate() {
                let allowed = k == i || k + 1 == i;
                match state.may_record(step) {
                    Ok(()) => assert!(allowed, "{step:?} from {state:?}"),
                    Err(why) => {
                        assert!(!allowed, "{step:?} from {state:?}: {why}");
                        assert!(why.contains(state.name()), "{why}");
                        if k > i {
                            assert!(why.contains("comes after"), "{why}");
                        } else {
                            assert!(why.contains("can no longer change"), "{why}");
                        }
                    }
                }
            }
        }
        assert_eq!(State::ManagerAssessed.next_step(), None);
        for state in STATES {
            assert_eq!(State::parse(state.name()).unwrap(), state);
        }
        assert!(State::parse("decided").is_err());
    }
}
