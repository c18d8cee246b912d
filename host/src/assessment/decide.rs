//! Deciding, after the manager's assessment: the competent person (the
//! admin of the subject's unit) confirms each subject's grade from the
//! official run — the run's final grade, never a typed one: a grade that
//! should differ comes from a correction (an upheld appeal, see
//! [`super::appeal`]), which decides it anew and tells the person. A decision is made once. Deciding writes a notice the person reads
//! when they sign in: the result, its indicators, the caps and their
//! reasons, and the last day an appeal may be filed, counted in working
//! days from the decision.
//!
//! ```
//! use thuocdo_host::assessment::decide::APPEAL_WORKING_DAYS;
//! // A petition within 5 days (the 2025 law on public employees).
//! assert_eq!(APPEAL_WORKING_DAYS, 5);
//! ```

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::calendar::Day;
use super::{Error, Result, invalid, work_calendar_around};
use crate::access::{Actor, Caller, Role, assessing};
use crate::registry::Registry;
use crate::runtime::PluginInfo;
use crate::scoring::{self, Outcome, StoredResult, Units};
use crate::store::decisions::{DecisionRow, NoticeRow};
use crate::store::now_millis;

/// Working days from the decision in which an appeal may be filed, unless
/// the person's category of post has a window of its own
/// ([`super::appeal::window_of`]).
pub const APPEAL_WORKING_DAYS: i64 = 5;
/// The most subjects one request decides.
pub const MAX_DECIDED: usize = 2_000;
/// The most notices of one person listed at once.
pub const MAX_NOTICES: i64 = 100;

/// Whose grades to decide: a unit's people, or subjects by id.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decide {
    /// Every person of this unit in the run (not of the units below).
    #[serde(default)]
    pub unit: Option<String>,
    /// Subjects by id.
    #[serde(default)]
    pub subjects: Vec<String>,
}

/// A subject not decided, and why.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Undecided {
    /// The subject.
    pub subject: String,
    /// Why not.
    pub why: String,
}

/// What a request decided.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Decided {
    /// Decided now, each with its notice.
    pub decided: Vec<DecisionRow>,
    /// Not decided: decided already, or without a grade to confirm.
    pub undecided: Vec<Undecided>,
}

/// An indicator as a notice tells it.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NoticeIndicator {
    /// Its id.
    pub id: String,
    /// Its title in Vietnamese.
    pub title_vi: String,
    /// In English.
    pub title_en: String,
    /// Its score.
    pub score: String,
    /// Its light.
    pub light: String,
}

/// A cap as a notice tells it: the person may read its reason.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NoticeCap {
    /// Its code.
    pub code: String,
    /// Why, in Vietnamese.
    pub reason_vi: String,
    /// In English.
    pub reason_en: String,
}

/// What a notice says.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Notice {
    /// Its id.
    pub id: i64,
    /// The official run decided from.
    pub run: i64,
    /// The person.
    pub subject: String,
    /// The period.
    pub period: String,
    /// The scorecard, `namespace/name@version`.
    pub card: String,
    /// The grade decided.
    pub grade: String,
    /// The total, where there is one.
    pub total: Option<String>,
    /// The scale's most.
    pub max_total: String,
    /// Each indicator's score and light.
    pub indicators: Vec<NoticeIndicator>,
    /// The caps that applied, with their reasons.
    pub caps: Vec<NoticeCap>,
    /// Who decided.
    pub decided_by: String,
    /// When it was written, in milliseconds since the epoch.
    pub written_at: i64,
    /// The last day an appeal may be filed.
    pub appeal_until: String,
    /// When the person first read it.
    pub read_at: Option<i64>,
    /// Its e-mail's delivery, where one was queued: `queued`, `sent`,
    /// `failed` (with why).
    pub delivery: Option<String>,
    /// Where a correction changed the result decided: which, and what the
    /// result was before it.
    pub correction: Option<NoticeCorrection>,
}

/// What a notice written after a correction says of it.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NoticeCorrection {
    /// The run's revision the correction made.
    pub revision: i64,
    /// The upheld appeal it came from.
    pub appeal: Option<i64>,
    /// Whose facts were corrected (this person, or another whose result
    /// theirs depends on); empty for a choice among the tied.
    pub subject: String,
    /// The tie the competent person chose in (`quota · cohort`), where
    /// that was the correction.
    #[serde(default)]
    pub choice: Option<String>,
    /// The grade before.
    pub was_grade: String,
    /// The total before.
    pub was_total: Option<String>,
}

pub(super) fn fixed(raw: i64) -> String {
    thuocdo_sdk::Fixed::from_raw(raw).to_string()
}

/// Decides the grades `who` names from official run `run`.
pub async fn decide(registry: &Registry, actor: &Actor, run: i64, who: &Decide) -> Result<Decided> {
    if !matches!(actor.role, Role::Admin | Role::UnitAdmin { .. }) {
        return Err(Error::Forbidden(format!(
            "{} may not decide grades: that takes the competent person, an admin or the unit admin of the subject's unit",
            actor.name
        )));
    }
    let official = scoring::official_runs(registry, true)
        .await?
        .into_iter()
        .find(|o| o.run == run)
        .ok_or_else(|| {
            Error::NothingToAssess(format!(
                "run {run} is not an official run in force: grades are decided from the published run of their period"
            ))
        })?;
    // The revision the results are read at: a correction written meanwhile
    // refuses this decision rather than have it confirm a superseded grade.
    let revision = scoring::run_head(registry, run).await?.revision;
    let units = Units::load(registry).await?;
    let caller = Caller(Some(actor.clone()));
    let via = format!("deciding grades from run {run}");
    let results = match super::unit_or_subjects(&who.unit, &who.subjects)? {
        Some(unit) => {
            if units.get(unit).is_none() || !assessing::may_administer(actor, &units, unit) {
                return Err(Error::NotFound(format!(
                    "no unit `{unit}` in {}'s subtree",
                    actor.name
                )));
            }
            crate::access::visible_run_results(
                registry,
                &caller,
                &via,
                run,
                scoring::Only::Unit(unit),
            )
            .await?
        }
        None => {
            if who.subjects.len() > MAX_DECIDED {
                return Err(invalid(
                    "subjects",
                    format!("at most {MAX_DECIDED} at once"),
                ));
            }
            let mut out = Vec::new();
            for s in &who.subjects {
                let found = crate::access::visible_run_results(
                    registry,
                    &caller,
                    &via,
                    run,
                    scoring::Only::Subject(s),
                )
                .await?;
                match found.into_iter().next() {
                    Some(r) if assessing::may_administer(actor, &units, &r.unit) => out.push(r),
                    _ => {
                        return Err(Error::NotFound(format!(
                            "run {run} holds no result of `{s}` in {}'s subtree",
                            actor.name
                        )));
                    }
                }
            }
            out
        }
    };
    if results.len() > MAX_DECIDED {
        return Err(invalid(
            "unit",
            format!("more than {MAX_DECIDED} people: decide by subjects, a page at a time"),
        ));
    }
    let now = now_millis();
    let today = Day::at_millis(now);
    let calendar = work_calendar_around(registry, today.civil().0).await?;
    // Those tied at a quota's boundary wait for the competent person's
    // choice among them.
    let tied = super::ties::awaiting(registry, run).await?;
    let mut infos: HashMap<(String, String), crate::runtime::PluginInfo> = HashMap::new();
    let mut tx = registry.store().begin().await?;
    if !tx.hold_revision(run, revision).await? {
        return Err(Error::OutOfOrder(format!(
            "run {run} was corrected meanwhile: decide again"
        )));
    }
    let mut decided = Vec::new();
    let mut undecided = Vec::new();
    let mut until: std::collections::BTreeMap<String, String> = Default::default();
    for r in results {
        let grade = match (r.outcome, r.grade) {
            (Outcome::Scored, Some(g)) if g != scoring::GradeCode::NotGraded => g,
            _ => {
                undecided.push(Undecided {
                    subject: r.subject.clone(),
                    why: format!(
                        "no grade to confirm ({}): correct the facts or record an exemption, then run and publish again",
                        r.outcome.code()
                    ),
                });
                continue;
            }
        };
        if tied.contains(&r.subject) {
            undecided.push(Undecided {
                subject: r.subject.clone(),
                why: format!(
                    "tied at a quota's boundary: the competent person chooses among the tied first (POST /api/v1/runs/{run}/ties)"
                ),
            });
            continue;
        }
        let row = DecisionRow {
            run_id: run,
            subject: r.subject.clone(),
            unit: r.unit.clone(),
            period: official.period.clone(),
            grade: grade.code().to_string(),
            total: r.total,
            decided_by: actor.name.clone(),
            decided_at: now,
        };
        if !tx.insert_decision(&row).await? {
            undecided.push(Undecided {
                subject: r.subject.clone(),
                why: "decided already: a decided grade changes only through a correction".into(),
            });
            continue;
        }
        let window = super::appeal::window_of(registry, &r.subject).await?;
        let appeal_until = calendar.add_working_days(today, window.appeal).to_string();
        let key = (r.plugin.clone(), r.version.clone());
        if !infos.contains_key(&key) {
            let plugin = registry.plugin(&r.plugin, &r.version).await?;
            infos.insert(key.clone(), plugin.info.clone());
        }
        write_notice(
            &mut tx,
            &Told {
                run,
                period: &official.period,
                result: &r,
                info: &infos[&key],
                decided_by: &actor.name,
                appeal_until: &appeal_until,
                at: now,
                correction: None,
            },
        )
        .await?;
        until.insert(row.subject.clone(), appeal_until);
        decided.push(row);
    }
    if !decided.is_empty() {
        // Each person's last day to appeal, by the window of their category.
        let detail = json!({"run": run, "period": official.period, "appeal_until": until});
        tx.audit(
            &actor.name,
            "decide",
            &format!("run {run}"),
            &detail,
            who.unit.as_deref(),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Decided { decided, undecided })
}

/// What a notice tells a person, to be written.
pub(super) struct Told<'a> {
    /// The official run decided from.
    pub run: i64,
    /// Its period.
    pub period: &'a str,
    /// The person's result in it.
    pub result: &'a StoredResult,
    /// Its card.
    pub info: &'a PluginInfo,
    /// Who decided.
    pub decided_by: &'a str,
    /// The last day an appeal may be filed.
    pub appeal_until: &'a str,
    /// When.
    pub at: i64,
    /// The correction that changed the result decided, if one did.
    pub correction: Option<NoticeCorrection>,
}

/// The grade a notice tells: the final one, or `not-graded` where the
/// result has none.
pub(super) fn told_grade(r: &StoredResult) -> &'static str {
    r.grade.map_or("not-graded", |g| g.code())
}

/// Writes a notice of `told` and queues its mail where the person has an
/// address; the notice's id.
pub(super) async fn write_notice(tx: &mut crate::store::Tx, told: &Told<'_>) -> Result<i64> {
    let (r, info) = (told.result, told.info);
    let body = json!({
        "card": format!("{}@{}", r.plugin, r.version),
        "grade": told_grade(r),
        "total": r.total.map(fixed),
        "max_total": fixed(info.scale.max_total),
        "indicators": r.indicators.iter().zip(&info.indicators).map(|(s, spec)| NoticeIndicator {
            id: spec.id.clone(),
            title_vi: spec.title.vi.clone(),
            title_en: spec.title.en.clone(),
            score: fixed(s.score),
            light: s.light.code().to_string(),
        }).collect::<Vec<_>>(),
        "caps": r.caps.iter().map(|code| {
            let spec = info.caps.iter().find(|c| &c.code == code);
            NoticeCap {
                code: code.clone(),
                reason_vi: spec.map(|c| c.reason.vi.clone()).unwrap_or_default(),
                reason_en: spec.map(|c| c.reason.en.clone()).unwrap_or_default(),
            }
        }).collect::<Vec<_>>(),
        "decided_by": told.decided_by,
        "correction": told.correction,
    });
    let notice = tx
        .insert_notice(&NoticeRow {
            id: 0,
            run_id: told.run,
            subject: r.subject.clone(),
            period: told.period.to_string(),
            written_at: told.at,
            appeal_until: told.appeal_until.to_string(),
            body: body.to_string(),
            read_at: None,
        })
        .await?;
    if let Some(to) = tx.contact(&r.subject).await? {
        let (subject_line, text) = mail_text(told.period, told_grade(r), &body, told.appeal_until);
        tx.queue_mail(notice, &to, &subject_line, &text, told.at)
            .await?;
    }
    Ok(notice)
}

/// The notice as a mail: its subject line and text, in Vietnamese first
/// and English after.
fn mail_text(
    period: &str,
    grade_code: &str,
    body: &serde_json::Value,
    appeal_until: &str,
) -> (String, String) {
    let grade = scoring::grade_from_code(grade_code);
    let words = |lang| grade.map_or("", |g| crate::explain::grade(g, lang));
    let corrected = &body["correction"];
    let mut text = String::new();
    if corrected.is_object() {
        text.push_str(&format!(
            "Kết quả của bạn đã được điều chỉnh (lần {}): trước đây {} ({}). / Your result was corrected (revision {}): it was {} ({}).\n",
            corrected["revision"], corrected["was_grade"].as_str().unwrap_or(""),
            corrected["was_total"].as_str().unwrap_or("—"), corrected["revision"],
            corrected["was_grade"].as_str().unwrap_or(""), corrected["was_total"].as_str().unwrap_or("—"),
        ));
    }
    text.push_str(&format!(
        "Kết quả đánh giá, xếp loại kỳ {period}: {} ({}).\nTổng điểm: {} / {}.\n",
        words(crate::explain::Lang::Vi),
        grade_code,
        body["total"].as_str().unwrap_or("—"),
        body["max_total"].as_str().unwrap_or("")
    ));
    for i in body["indicators"].as_array().into_iter().flatten() {
        text.push_str(&format!(
            "- {}: {} ({})\n",
            i["title_vi"].as_str().unwrap_or(""),
            i["score"].as_str().unwrap_or(""),
            i["light"].as_str().unwrap_or("")
        ));
    }
    for c in body["caps"].as_array().into_iter().flatten() {
        text.push_str(&format!(
            "Giới hạn xếp loại: {}\n",
            c["reason_vi"].as_str().unwrap_or("")
        ));
    }
    text.push_str(&format!(
        "Hạn gửi kiến nghị: {appeal_until}.\n\nThe result of your assessment for {period}: {} ({}). You may appeal until {appeal_until}.\n",
        words(crate::explain::Lang::En),
        grade_code
    ));
    (
        format!(
            "Thông báo kết quả đánh giá, xếp loại {period} / Notice of your result for {period}"
        ),
        text,
    )
}

fn notice_of(row: NoticeRow) -> Result<Notice> {
    #[derive(Deserialize)]
    struct Body {
        card: String,
        grade: String,
        total: Option<String>,
        max_total: String,
        indicators: Vec<NoticeIndicator>,
        caps: Vec<NoticeCap>,
        decided_by: String,
        #[serde(default)]
        correction: Option<NoticeCorrection>,
    }
    let b: Body = serde_json::from_str(&row.body)
        .map_err(|e| Error::Internal(format!("notice {} is unreadable: {e}", row.id)))?;
    Ok(Notice {
        id: row.id,
        run: row.run_id,
        subject: row.subject,
        period: row.period,
        card: b.card,
        grade: b.grade,
        total: b.total,
        max_total: b.max_total,
        indicators: b.indicators,
        caps: b.caps,
        decided_by: b.decided_by,
        written_at: row.written_at,
        appeal_until: row.appeal_until,
        read_at: row.read_at,
        delivery: None,
        correction: b.correction,
    })
}

/// A notice with its mail's delivery, where one was queued.
async fn with_delivery(registry: &Registry, mut n: Notice) -> Result<Notice> {
    n.delivery = registry
        .store()
        .notice_delivery(n.id)
        .await?
        .map(|(status, error)| match error {
            Some(e) if status != "sent" => format!("{status}: {e}"),
            _ => status,
        });
    Ok(n)
}

/// Whether `actor` may read `subject`'s notices (they hold the caps'
/// reasons): the person, and the admins of their subtree.
async fn may_read(registry: &Registry, actor: &Actor, subject: &str) -> Result<()> {
    let ok = match &actor.role {
        Role::Person { subject: me } => me == subject,
        Role::Admin => true,
        Role::UnitAdmin { .. } => {
            let units = Units::load(registry).await?;
            let mut tx = registry.store().begin().await?;
            let found = tx.subjects_of(&[subject]).await?.into_iter().next();
            tx.commit().await?;
            found.is_some_and(|s| assessing::may_administer(actor, &units, &s.unit))
        }
        _ => {
            return Err(Error::Forbidden(format!(
                "{} may not read notices: they are the person's and their admins'",
                actor.name
            )));
        }
    };
    if ok {
        Ok(())
    } else {
        Err(Error::NotFound(format!(
            "no notices of `{subject}` that {} may read",
            actor.name
        )))
    }
}

/// A person's notices, newest first: to the person and their admins.
pub async fn notices(registry: &Registry, actor: &Actor, subject: &str) -> Result<Vec<Notice>> {
    may_read(registry, actor, subject).await?;
    let mut out = Vec::new();
    for row in registry.store().notices_of(subject, MAX_NOTICES).await? {
        out.push(with_delivery(registry, notice_of(row)?).await?);
    }
    Ok(out)
}

/// One notice; the person reading it marks it read.
pub async fn notice(registry: &Registry, actor: &Actor, id: i64) -> Result<Notice> {
    let row = registry.store().notice(id).await?;
    let Some(row) = row else {
        return Err(Error::NotFound(format!("there is no notice {id}")));
    };
    may_read(registry, actor, &row.subject)
        .await
        .map_err(|e| match e {
            Error::NotFound(_) => Error::NotFound(format!("there is no notice {id}")),
            other => other,
        })?;
    let mut notice = with_delivery(registry, notice_of(row)?).await?;
    if matches!(actor.role, Role::Person { .. }) && notice.read_at.is_none() {
        let now = now_millis();
        registry.store().mark_notice_read(id, now).await?;
        notice.read_at = Some(now);
    }
    Ok(notice)
}

/// An address to write to.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// The e-mail address.
    pub email: String,
}

/// Sets where `subject`'s notices are mailed: by the person themself, or
/// an admin of their subtree.
pub async fn set_contact(
    registry: &Registry,
    actor: &Actor,
    subject: &str,
    contact: &Contact,
) -> Result<Contact> {
    may_read(registry, actor, subject).await?;
    let mut tx = registry.store().begin().await?;
    let exists = !tx.subjects_of(&[subject]).await?.is_empty();
    tx.commit().await?;
    if !exists {
        return Err(Error::NotFound(format!("there is no subject `{subject}`")));
    }
    let email = contact.email.trim();
    crate::mail::check_address(email).map_err(|why| invalid("email", why))?;
    registry
        .store()
        .set_contact(subject, email, &actor.name, now_millis())
        .await?;
    let mut tx = registry.store().begin().await?;
    tx.audit(
        &actor.name,
        "contact",
        subject,
        &json!({"email": email}),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(Contact {
        email: email.to_string(),
    })
}
