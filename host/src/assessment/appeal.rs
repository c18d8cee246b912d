//! Appeals: within the window its notice gives (working days from the
//! decision), a person contests their decided result, naming the
//! indicators or facts contested, with text and evidence files (PDF, PNG
//! or JPEG, at most five of 5 MiB each). The competent person answers
//! within the answer window — rejected with a reason, or upheld with the
//! corrected facts — and an answer past it is marked late. A file's type is
//! what its first bytes say, and must be what it is declared as. An upheld
//! appeal corrects the official run at once (`scoring::rescore`): the
//! person's corrected facts written with the appeal as their source, their
//! result and every result that depends on it (their cohort's quota, the
//! leaders of the people changed) scored again and rewritten in place, the
//! run's revision raised, each changed decided grade decided anew and its
//! person sent a notice.
//!
//! ```
//! use thuocdo_host::assessment::appeal::{ANSWER_WORKING_DAYS, evidence_type};
//! // An answer within 10 working days (the 2025 law on public employees).
//! assert_eq!(ANSWER_WORKING_DAYS, 10);
//! assert!(evidence_type("application/pdf").is_ok());
//! assert!(evidence_type("text/html").is_err());
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::json;
use thuocdo_sdk::Fixed;

use super::calendar::Day;
use super::{Error, Points, Result, invalid, work_calendar_around};
use crate::access::{Actor, Role, assessing};
use crate::registry::Registry;
use crate::scoring::Units;
use crate::store::appeals::{AppealRow, AppealWindowRow};
use crate::store::corrections::CorrectionRow;
use crate::store::now_millis;

/// Working days from filing in which an appeal is to be answered, unless
/// the person's category of post has a window of its own (the 2025 law on
/// public employees).
pub const ANSWER_WORKING_DAYS: i64 = 10;
/// The category whose window holds for posts whose category has none.
pub const DEFAULT_CATEGORY: &str = "default";
/// The most categories with a window of their own.
pub const MAX_CATEGORIES: i64 = 100;
/// The longest window, either way, in working days.
pub const MAX_WINDOW_DAYS: i64 = 90;
/// The most evidence files one appeal holds.
pub const MAX_EVIDENCE: i64 = 5;
/// The largest evidence file.
pub const MAX_EVIDENCE_BYTES: usize = 5 * 1024 * 1024;
/// The longest text kept.
const MAX_TEXT: usize = 5_000;

/// The type of an evidence file, from its first bytes: PDF, PNG or JPEG.
fn sniffed(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF") {
        Some("application/pdf")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

/// Whether evidence declared as `content_type` is taken: a PDF, PNG or
/// JPEG file (or `application/octet-stream`, the file then being what its
/// first bytes say); which types are, when not.
pub fn evidence_type(content_type: &str) -> Result<&'static str> {
    let base = content_type.split(';').next().unwrap_or("").trim();
    [
        "application/pdf",
        "image/png",
        "image/jpeg",
        "application/octet-stream",
    ]
    .into_iter()
    .find(|t| t.eq_ignore_ascii_case(base))
    .ok_or_else(|| {
        invalid(
            "content-type",
            format!("evidence is a PDF, PNG or JPEG file, not `{base}`"),
        )
    })
}

/// The type an evidence file is kept as: what its first bytes say, which
/// must be what it was declared as (unless declared only as bytes).
fn checked_type(declared: &str, bytes: &[u8]) -> Result<&'static str> {
    let declared = evidence_type(declared)?;
    let found = sniffed(bytes).ok_or_else(|| {
        invalid(
            "body",
            "the file is neither a PDF, a PNG nor a JPEG by its first bytes",
        )
    })?;
    if declared != "application/octet-stream" && declared != found {
        return Err(invalid(
            "content-type",
            format!("the file is declared {declared} but is {found} by its first bytes"),
        ));
    }
    Ok(found)
}

/// Whether `code` names a category: 1 to 50 lower-case letters, digits
/// and `-`.
pub fn category_ok(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 50
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Working days to appeal a notice and to answer an appeal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// From a notice to the last day an appeal may be filed.
    pub appeal: i64,
    /// From an appeal to the last day it is to be answered.
    pub answer: i64,
}

/// The window of `subject`'s category of post: its own, else the
/// `default` category's, else the law's (5 and 10 working days).
pub async fn window_of(registry: &Registry, subject: &str) -> Result<Window> {
    let category = registry.store().category_of(subject).await?;
    let windows = registry.store().appeal_windows().await?;
    let find = |c: &str| windows.iter().find(|w| w.category == c);
    Ok(category
        .as_deref()
        .and_then(find)
        .or_else(|| find(DEFAULT_CATEGORY))
        .map_or(
            Window {
                appeal: super::decide::APPEAL_WORKING_DAYS,
                answer: ANSWER_WORKING_DAYS,
            },
            |w| Window {
                appeal: w.appeal_working_days,
                answer: w.answer_working_days,
            },
        ))
}

/// A category's window, as set.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetWindow {
    /// Working days from a notice in which an appeal may be filed.
    pub appeal_working_days: i64,
    /// Working days from an appeal in which it is to be answered.
    pub answer_working_days: i64,
}

/// Every window set, by category (a category with none takes `default`'s,
/// and without that the law's).
pub async fn windows(registry: &Registry) -> Result<Vec<AppealWindowRow>> {
    Ok(registry.store().appeal_windows().await?)
}

/// Sets `category`'s window (`default` for every category without one):
/// admins only; audited. Notices and appeals already written keep theirs.
pub async fn set_window(
    registry: &Registry,
    actor: &Actor,
    category: &str,
    body: &SetWindow,
) -> Result<AppealWindowRow> {
    if !matches!(actor.role, Role::Admin) {
        return Err(Error::Forbidden(format!(
            "{} may not set appeal windows: that takes an admin",
            actor.name
        )));
    }
    if !category_ok(category) {
        return Err(Error::Malformed {
            field: "category".into(),
            why: format!(
                "`{category}` is not a code of 1 to 50 lower-case letters, digits and `-`"
            ),
        });
    }
    for (field, days) in [
        ("appeal_working_days", body.appeal_working_days),
        ("answer_working_days", body.answer_working_days),
    ] {
        if !(1..=MAX_WINDOW_DAYS).contains(&days) {
            return Err(invalid(
                field,
                format!("a window is 1 to {MAX_WINDOW_DAYS} working days, not {days}"),
            ));
        }
    }
    let row = AppealWindowRow {
        category: category.to_string(),
        appeal_working_days: body.appeal_working_days,
        answer_working_days: body.answer_working_days,
        set_by: actor.name.clone(),
        set_at: now_millis(),
    };
    let mut tx = registry.store().begin().await?;
    let known = registry
        .store()
        .appeal_windows()
        .await?
        .iter()
        .any(|w| w.category == category);
    if !known && tx.appeal_window_count().await? >= MAX_CATEGORIES {
        return Err(invalid(
            "category",
            format!("at most {MAX_CATEGORIES} categories have a window of their own"),
        ));
    }
    tx.set_appeal_window(&row).await?;
    let detail = json!({"category": category, "appeal_working_days": row.appeal_working_days,
        "answer_working_days": row.answer_working_days});
    tx.audit(&actor.name, "appeal-window", category, &detail, None)
        .await?;
    tx.commit().await?;
    Ok(row)
}

/// What a person files.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileAppeal {
    /// The indicators (by id) or facts (by name) contested.
    pub contested: Vec<String>,
    /// Why.
    pub text: String,
}

/// The competent person's answer.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// `rejected` or `upheld`.
    pub outcome: String,
    /// Why.
    pub reason: String,
    /// An upheld appeal's corrected facts (name → value).
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, String>)]
    pub facts: BTreeMap<String, Points>,
}

/// A piece of evidence, as listed.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Evidence {
    /// Its name.
    pub name: String,
    /// Its type.
    pub content_type: String,
    /// Its size in bytes.
    pub size: i64,
}

/// An appeal, as its parties read it.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Appeal {
    /// Its id.
    pub id: i64,
    /// The notice appealed.
    pub notice: i64,
    /// The official run decided from.
    pub run: i64,
    /// The person.
    pub subject: String,
    /// The period.
    pub period: String,
    /// The indicators or facts contested.
    pub contested: Vec<String>,
    /// What the person says.
    pub text: String,
    /// When it was filed.
    pub filed_at: i64,
    /// The last day it is to be answered.
    pub answer_due: String,
    /// `filed`, `rejected` or `upheld`.
    pub state: String,
    /// The answer's reason.
    pub answer: Option<String>,
    /// An upheld appeal's corrected facts.
    pub corrected_facts: BTreeMap<String, String>,
    /// Who answered.
    pub answered_by: Option<String>,
    /// When.
    pub answered_at: Option<i64>,
    /// Answered after its due day.
    pub answered_late: bool,
    /// The evidence.
    pub evidence: Vec<Evidence>,
    /// What an upheld appeal's correction changed.
    pub correction: Option<AppealCorrection>,
}

/// The correction an upheld appeal made to the official run.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AppealCorrection {
    /// The run's revision it made.
    pub revision: i64,
    /// When.
    pub corrected_at: i64,
    /// The results it changed that the reader may see whose: the person
    /// reads their own; an admin those of their subtree.
    pub changed: Vec<ChangedResult>,
    /// How many results it changed in all.
    pub changed_count: usize,
}

/// One result a correction changed.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChangedResult {
    /// The subject.
    pub subject: String,
    /// Their grade before.
    pub was_grade: Option<String>,
    /// And now.
    pub grade: Option<String>,
    /// Their total before.
    pub was_total: Option<String>,
    /// And now.
    pub total: Option<String>,
    /// The cohort rule that lowers their grade now, if one does.
    pub cohort_rule: Option<String>,
}

/// What of an appeal's correction `actor` may read.
async fn correction_of(
    registry: &Registry,
    actor: &Actor,
    appeal: i64,
) -> Result<Option<AppealCorrection>> {
    let Some(c) = registry.store().correction_of_appeal(appeal).await? else {
        return Ok(None);
    };
    let all = registry.store().corrected_results(c.id).await?;
    let changed_count = all.len();
    let changed = visible_changes(registry, actor, &all).await?;
    Ok(Some(AppealCorrection {
        revision: c.revision,
        corrected_at: c.corrected_at,
        changed,
        changed_count,
    }))
}

async fn appeal_of(registry: &Registry, row: AppealRow) -> Result<Appeal> {
    let evidence = registry
        .store()
        .evidence_of(row.id)
        .await?
        .into_iter()
        .map(|e| Evidence {
            name: e.name,
            content_type: e.content_type,
            size: e.size,
        })
        .collect();
    let corrected: BTreeMap<String, i64> = match &row.corrected_facts {
        Some(t) => serde_json::from_str(t)
            .map_err(|e| Error::Internal(format!("appeal {} is unreadable: {e}", row.id)))?,
        None => BTreeMap::new(),
    };
    Ok(Appeal {
        id: row.id,
        notice: row.notice_id,
        run: row.run_id,
        subject: row.subject,
        period: row.period,
        contested: serde_json::from_str(&row.contested)
            .map_err(|e| Error::Internal(format!("appeal {} is unreadable: {e}", row.id)))?,
        text: row.text,
        filed_at: row.filed_at,
        answer_due: row.answer_due,
        state: row.state,
        answer: row.answer,
        corrected_facts: corrected
            .into_iter()
            .map(|(k, v)| (k, Fixed::from_raw(v).to_string()))
            .collect(),
        answered_by: row.answered_by,
        answered_at: row.answered_at,
        answered_late: row.answered_late.unwrap_or(false),
        evidence,
        correction: None,
    })
}

/// An appeal as `actor` reads it: with what its correction changed that
/// they may see.
async fn appeal_for(registry: &Registry, actor: &Actor, row: AppealRow) -> Result<Appeal> {
    let id = row.id;
    let mut appeal = appeal_of(registry, row).await?;
    if appeal.state == "upheld" {
        appeal.correction = correction_of(registry, actor, id).await?;
    }
    Ok(appeal)
}

fn checked_text(field: &str, text: &str) -> Result<String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(invalid(field, "it is empty"));
    }
    if t.chars().count() > MAX_TEXT {
        return Err(invalid(
            field,
            format!("it is longer than {MAX_TEXT} characters"),
        ));
    }
    Ok(t.to_string())
}

/// The card a notice was decided on.
async fn card_of_notice(
    registry: &Registry,
    card: &str,
) -> Result<std::sync::Arc<crate::runtime::Plugin>> {
    let (name, version) = card
        .split_once('@')
        .ok_or_else(|| Error::Internal(format!("a notice names the card `{card}`")))?;
    Ok(registry.plugin(name, version).await?)
}

/// Files an appeal against notice `notice`: the person's own, within its
/// window.
pub async fn file(
    registry: &Registry,
    actor: &Actor,
    notice: i64,
    body: &FileAppeal,
) -> Result<Appeal> {
    let n = super::decide::notice(registry, actor, notice).await?;
    if !matches!(&actor.role, Role::Person { subject } if *subject == n.subject) {
        return Err(Error::Forbidden(format!(
            "only {} themself appeals their result, signed in as a person",
            n.subject
        )));
    }
    let now = now_millis();
    let today = Day::at_millis(now);
    let closes = Day::parse(&n.appeal_until)
        .ok_or_else(|| Error::Internal(format!("notice {notice} has no appeal day")))?;
    if today > closes {
        return Err(Error::OutOfOrder(format!(
            "the appeal window of notice {notice} closed on {closes}; today is {today}"
        )));
    }
    if body.contested.is_empty() || body.contested.len() > 50 {
        return Err(invalid(
            "contested",
            "name the indicators or facts contested (1 to 50)",
        ));
    }
    let plugin = card_of_notice(registry, &n.card).await?;
    for (i, c) in body.contested.iter().enumerate() {
        let known = n.indicators.iter().any(|x| x.id == *c)
            || plugin.info.facts.iter().any(|f| f.name == *c);
        if !known {
            return Err(invalid(
                &format!("contested[{i}]"),
                format!("`{c}` is neither an indicator nor a fact of {}", n.card),
            ));
        }
    }
    let text = checked_text("text", &body.text)?;
    let calendar = work_calendar_around(registry, today.civil().0).await?;
    let window = window_of(registry, &n.subject).await?;
    let answer_due = calendar.add_working_days(today, window.answer).to_string();
    let mut tx = registry.store().begin().await?;
    let unit = tx
        .subjects_of(&[n.subject.as_str()])
        .await?
        .into_iter()
        .next()
        .map(|s| s.unit)
        .unwrap_or_default();
    let row = AppealRow {
        notice_id: notice,
        run_id: n.run,
        subject: n.subject.clone(),
        unit: unit.clone(),
        period: n.period.clone(),
        contested: serde_json::to_string(&body.contested).expect("serialises"),
        text,
        filed_by: actor.name.clone(),
        filed_at: now,
        answer_due: answer_due.clone(),
        state: "filed".into(),
        ..AppealRow::default()
    };
    let Some(id) = tx.insert_appeal(&row).await? else {
        return Err(Error::OutOfOrder(format!(
            "notice {notice} is appealed already: one appeal per notice"
        )));
    };
    let detail = json!({"appeal": id, "notice": notice, "contested": body.contested,
        "answer_due": answer_due});
    tx.audit(&actor.name, "appeal-file", &n.subject, &detail, Some(&unit))
        .await?;
    tx.commit().await?;
    appeal_of(registry, AppealRow { id, ..row }).await
}

/// How `actor` stands to an appeal: its person, or an admin of their unit.
async fn party(registry: &Registry, actor: &Actor, id: i64) -> Result<AppealRow> {
    let row = registry.store().appeal(id).await?;
    let not_found = || Error::NotFound(format!("there is no appeal {id}"));
    let Some(row) = row else {
        return Err(match actor.role {
            Role::Admin | Role::UnitAdmin { .. } | Role::Person { .. } => not_found(),
            _ => Error::Forbidden(format!(
                "{} may not read appeals: they are the person's and their admins'",
                actor.name
            )),
        });
    };
    let ok = match &actor.role {
        Role::Person { subject } => *subject == row.subject,
        Role::Admin => true,
        Role::UnitAdmin { .. } => {
            let units = Units::load(registry).await?;
            assessing::may_administer(actor, &units, &row.unit)
        }
        _ => {
            return Err(Error::Forbidden(format!(
                "{} may not read appeals: they are the person's and their admins'",
                actor.name
            )));
        }
    };
    if ok { Ok(row) } else { Err(not_found()) }
}

/// The appeal of a notice, if one was filed, to its parties.
pub async fn of_notice(registry: &Registry, actor: &Actor, notice: i64) -> Result<Option<Appeal>> {
    match registry.store().appeal_of_notice(notice).await? {
        Some(id) => get(registry, actor, id).await.map(Some),
        None => Ok(None),
    }
}

/// One appeal, to its parties.
pub async fn get(registry: &Registry, actor: &Actor, id: i64) -> Result<Appeal> {
    let row = party(registry, actor, id).await?;
    appeal_for(registry, actor, row).await
}

/// Adds a file to the person's own appeal while it is not answered.
pub async fn add_evidence(
    registry: &Registry,
    actor: &Actor,
    id: i64,
    name: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> Result<Appeal> {
    let row = party(registry, actor, id).await?;
    if !matches!(&actor.role, Role::Person { subject } if *subject == row.subject) {
        return Err(Error::Forbidden(format!(
            "only {} themself adds evidence to their appeal",
            row.subject
        )));
    }
    if row.state != "filed" {
        return Err(Error::OutOfOrder(format!(
            "appeal {id} is {} already: its evidence is closed",
            row.state
        )));
    }
    if name.is_empty()
        || name.len() > 100
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    {
        return Err(Error::Malformed {
            field: "name".into(),
            why: format!(
                "`{name}` is not a file name of letters, digits, `-`, `_` and `.` (at most 100)"
            ),
        });
    }
    if bytes.is_empty() || bytes.len() > MAX_EVIDENCE_BYTES {
        return Err(invalid(
            "body",
            format!(
                "an evidence file holds 1 byte to {} MiB, not {} bytes",
                MAX_EVIDENCE_BYTES / (1024 * 1024),
                bytes.len()
            ),
        ));
    }
    let content_type = checked_type(content_type, &bytes)?;
    let sha256 = crate::runtime::sha256_hex(&bytes);
    let size = bytes.len();
    let mut tx = registry.store().begin().await?;
    let already = registry
        .store()
        .evidence_of(id)
        .await?
        .iter()
        .any(|e| e.name == name);
    if !already && tx.evidence_count(id).await? >= MAX_EVIDENCE {
        return Err(invalid(
            "name",
            format!("an appeal holds at most {MAX_EVIDENCE} evidence files"),
        ));
    }
    tx.put_evidence(id, name, content_type, bytes, now_millis())
        .await?;
    let detail = json!({"appeal": id, "name": name, "content_type": content_type,
        "size": size, "sha256": sha256});
    tx.audit(
        &actor.name,
        "appeal-evidence",
        &row.subject,
        &detail,
        Some(&row.unit),
    )
    .await?;
    tx.commit().await?;
    appeal_of(registry, row).await
}

/// One piece of evidence's type and bytes, to the appeal's parties.
pub async fn evidence(
    registry: &Registry,
    actor: &Actor,
    id: i64,
    name: &str,
) -> Result<(String, Vec<u8>)> {
    party(registry, actor, id).await?;
    registry
        .store()
        .evidence(id, name)
        .await?
        .ok_or_else(|| Error::NotFound(format!("appeal {id} holds no evidence `{name}`")))
}

/// The appeal `id`, to its competent person while it is not answered.
async fn to_answer(registry: &Registry, actor: &Actor, id: i64) -> Result<AppealRow> {
    let row = party(registry, actor, id).await?;
    if !matches!(actor.role, Role::Admin | Role::UnitAdmin { .. }) {
        return Err(Error::Forbidden(format!(
            "{} may not answer appeals: that takes the competent person, an admin or the unit admin of the person's unit",
            actor.name
        )));
    }
    if row.state != "filed" {
        return Err(Error::OutOfOrder(format!(
            "appeal {id} is {} already: an appeal is answered once",
            row.state
        )));
    }
    Ok(row)
}

/// An upheld appeal's corrected facts, checked against the card the notice
/// was decided on: name → value in ten-thousandths.
async fn checked_facts(
    registry: &Registry,
    row: &AppealRow,
    facts: &BTreeMap<String, Points>,
) -> Result<BTreeMap<String, i64>> {
    if facts.is_empty() {
        return Err(invalid(
            "facts",
            "an upheld appeal names the corrected facts",
        ));
    }
    let notice = registry
        .store()
        .notice(row.notice_id)
        .await?
        .ok_or_else(|| Error::Internal(format!("appeal {}'s notice is gone", row.id)))?;
    let card: serde_json::Value = serde_json::from_str(&notice.body)
        .map_err(|e| Error::Internal(format!("notice {} is unreadable: {e}", notice.id)))?;
    let plugin = card_of_notice(registry, card["card"].as_str().unwrap_or("")).await?;
    let mut corrected = BTreeMap::new();
    for (name, value) in facts {
        let field = format!("facts.{name}");
        let spec = plugin
            .info
            .facts
            .iter()
            .find(|f| f.name == *name)
            .ok_or_else(|| invalid(&field, format!("`{name}` is not a fact of the card")))?;
        // Facts drawn from other results are drawn again, never typed: a
        // correction of them is a correction of the results they come from.
        if !matches!(
            spec.origin,
            crate::runtime::FactOrigin::Imported | crate::runtime::FactOrigin::Assessed(_)
        ) {
            return Err(invalid(
                &field,
                format!("`{name}` is drawn from other results: correct those instead"),
            ));
        }
        let text = match value {
            Points::Number(n) => n.to_string(),
            Points::Text(t) => t.trim().to_string(),
        };
        let raw = Fixed::parse(&text)
            .ok_or_else(|| invalid(&field, format!("`{text}` is not a decimal")))?
            .raw();
        if spec.min.is_some_and(|lo| raw < lo) || spec.max.is_some_and(|hi| raw > hi) {
            return Err(invalid(&field, format!("{text} is outside its range")));
        }
        corrected.insert(name.clone(), raw);
    }
    Ok(corrected)
}

/// Facts an appeal would be upheld with, to preview.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewFacts {
    /// The corrected facts (name → value).
    #[schema(value_type = BTreeMap<String, String>)]
    pub facts: BTreeMap<String, Points>,
}

/// What upholding an appeal with some corrected facts would change, before
/// it is confirmed: every result that depends on the person's (their
/// cohort's quota, the leaders of the people changed).
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Preview {
    /// The results that would change, where the reader may see whose.
    pub changed: Vec<ChangedResult>,
    /// How many would change in all.
    pub changed_count: usize,
    /// Ties at a quota's boundary it would leave open, for the competent
    /// person to choose in.
    pub open_ties: usize,
    /// The official runs built from this one (a year from its months) it
    /// would change too, each with its changes.
    pub dependents: Vec<DependentPreview>,
}

/// What a correction would change in an official run built from the
/// corrected one.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DependentPreview {
    /// The run.
    pub run: i64,
    /// Its period.
    pub period: String,
    /// The results that would change, where the reader may see whose.
    pub changed: Vec<ChangedResult>,
    /// How many would change in all.
    pub changed_count: usize,
}

/// What `actor` may see of the changes `rescored` would make.
async fn visible_changes(
    registry: &Registry,
    actor: &Actor,
    changes: &[(crate::scoring::StoredResult, crate::scoring::StoredResult)],
) -> Result<Vec<ChangedResult>> {
    let units = match actor.role {
        Role::UnitAdmin { .. } => Some(Units::load(registry).await?),
        _ => None,
    };
    let show = |t: Option<i64>| t.map(|t| Fixed::from_raw(t).to_string());
    Ok(changes
        .iter()
        .filter(|(was, _)| match &actor.role {
            Role::Admin => true,
            Role::Person { subject } => *subject == was.subject,
            Role::UnitAdmin { .. } => units
                .as_ref()
                .is_some_and(|u| assessing::may_administer(actor, u, &was.unit)),
            _ => false,
        })
        .map(|(was, now)| ChangedResult {
            subject: now.subject.clone(),
            was_grade: was.grade.map(|g| g.code().to_string()),
            grade: now.grade.map(|g| g.code().to_string()),
            was_total: show(was.total),
            total: show(now.total),
            cohort_rule: now.cohort_rule.clone(),
        })
        .collect())
}

/// What upholding appeal `id` with `body`'s facts would change: the
/// competent person reads it before confirming. Nothing is written.
pub async fn preview(
    registry: &Registry,
    actor: &Actor,
    id: i64,
    body: &PreviewFacts,
) -> Result<Preview> {
    let row = to_answer(registry, actor, id).await?;
    let corrected = checked_facts(registry, &row, &body.facts).await?;
    let rescored = rescored_for(registry, &row, &corrected)
        .await?
        .ok_or_else(|| invalid("facts", "an upheld appeal names the corrected facts"))?;
    let mut dependents = Vec::new();
    for dep in crate::scoring::dependents(registry, &rescored).await? {
        dependents.push(DependentPreview {
            run: dep.run,
            period: dep.period.clone(),
            changed: visible_changes(registry, actor, &dep.changed).await?,
            changed_count: dep.changed.len(),
        });
    }
    Ok(Preview {
        changed: visible_changes(registry, actor, &rescored.changed).await?,
        changed_count: rescored.changed.len(),
        open_ties: rescored.open_ties.len(),
        dependents,
    })
}

/// The competent person's answer: rejected with a reason, or upheld with
/// the corrected facts; late past the answer's due day.
pub async fn answer(registry: &Registry, actor: &Actor, id: i64, body: &Answer) -> Result<Appeal> {
    let row = to_answer(registry, actor, id).await?;
    let reason = checked_text("reason", &body.reason)?;
    let mut corrected = BTreeMap::new();
    match body.outcome.as_str() {
        "rejected" => {
            if !body.facts.is_empty() {
                return Err(invalid("facts", "a rejected appeal corrects no fact"));
            }
        }
        "upheld" => {
            corrected = checked_facts(registry, &row, &body.facts).await?;
        }
        other => {
            return Err(invalid(
                "outcome",
                format!("`{other}` is neither rejected nor upheld"),
            ));
        }
    }
    // An upheld appeal corrects the official run: the subject and everyone
    // whose result depends on theirs scored again, outside the
    // transaction (it takes the sandbox); written in it only if no other
    // correction came first.
    let rescored = rescored_for(registry, &row, &corrected).await?;
    // And the official runs built from it (a year from its months).
    let dependents = match &rescored {
        Some(r) => crate::scoring::dependents(registry, r).await?,
        None => Vec::new(),
    };
    let now = now_millis();
    let late = Day::parse(&row.answer_due).is_some_and(|d| now >= d.end_millis());
    let answered = AppealRow {
        state: body.outcome.clone(),
        answer: Some(reason),
        corrected_facts: (!corrected.is_empty())
            .then(|| serde_json::to_string(&corrected).expect("serialises")),
        answered_by: Some(actor.name.clone()),
        answered_at: Some(now),
        answered_late: Some(late),
        ..row
    };
    let mut tx = registry.store().begin().await?;
    if !tx.answer_appeal(&answered).await? {
        return Err(Error::OutOfOrder(format!(
            "appeal {id} was answered meanwhile: an appeal is answered once"
        )));
    }
    let detail = json!({"appeal": id, "outcome": answered.state, "late": late,
        "facts": corrected.iter().map(|(k, v)| (k.clone(), Fixed::from_raw(*v).to_string())).collect::<BTreeMap<_, _>>()});
    tx.audit(
        &actor.name,
        "appeal-answer",
        &answered.subject,
        &detail,
        Some(&answered.unit),
    )
    .await?;
    if let Some(rescored) = &rescored {
        let why = answered.answer.clone().unwrap_or_default();
        correct(
            registry, &mut tx, actor, &answered, rescored, &corrected, &why,
        )
        .await?;
        write_dependents(
            registry,
            &mut tx,
            actor,
            &dependents,
            &json!({"run": rescored.run, "revision": rescored.from_revision + 1, "appeal": answered.id}),
            &why,
            &super::decide::NoticeCorrection {
                revision: 0,
                appeal: Some(answered.id),
                subject: answered.subject.clone(),
                choice: None,
                was_grade: String::new(),
                was_total: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    if rescored.is_some() {
        // Counts and resolvers kept by this host are read again.
        registry.changed();
    }
    appeal_for(registry, actor, answered).await
}

/// The official run corrected with an upheld appeal's facts (none for a
/// rejected one), before it is written: see [`crate::scoring::rescore`].
async fn rescored_for(
    registry: &Registry,
    row: &AppealRow,
    corrected: &BTreeMap<String, i64>,
) -> Result<Option<crate::scoring::Rescored>> {
    if corrected.is_empty() {
        return Ok(None);
    }
    let official = crate::scoring::official_runs(registry, true).await?;
    if !official.iter().any(|o| o.run == row.run_id) {
        return Err(Error::OutOfOrder(format!(
            "run {} is no longer an official run in force: a result is corrected in the official run it was decided from",
            row.run_id
        )));
    }
    Ok(Some(
        crate::scoring::rescore(
            registry,
            row.run_id,
            &crate::scoring::Change::Facts {
                subject: &row.subject,
                facts: corrected,
            },
        )
        .await?,
    ))
}

/// After a correction (`why`: its revision and cause) of official run
/// `rescored.run`, in `tx`: each changed result audited, and each changed
/// decided grade decided anew with a notice (and its mail) to its person,
/// saying what it was, with a new appeal window by their category. Those
/// told.
pub(super) async fn decide_anew(
    registry: &Registry,
    tx: &mut crate::store::Tx,
    actor: &Actor,
    period: &str,
    rescored: &crate::scoring::Rescored,
    why: &super::decide::NoticeCorrection,
) -> Result<Vec<String>> {
    let run = rescored.run;
    let now = now_millis();
    let today = Day::at_millis(now);
    let calendar = work_calendar_around(registry, today.civil().0).await?;
    let show = |t: Option<i64>| t.map(|t| Fixed::from_raw(t).to_string());
    let mut notified = Vec::new();
    // Those tied at a quota's boundary wait for the competent person's
    // choice: their decisions are not changed meanwhile.
    let tied: Vec<&String> = rescored
        .open_ties
        .iter()
        .flat_map(|t| t.tied.iter())
        .collect();
    for (was, became) in &rescored.changed {
        let grade = super::decide::told_grade(became);
        let detail = json!({"run": run, "revision": why.revision, "appeal": why.appeal,
            "choice": why.choice,
            "was": {"grade": super::decide::told_grade(was), "total": show(was.total)},
            "now": {"grade": grade, "total": show(became.total), "cohort_rule": became.cohort_rule}});
        tx.audit(
            &actor.name,
            "result-correct",
            &became.subject,
            &detail,
            Some(&became.unit),
        )
        .await?;
        // A decision changes, and its person is told, only where the grade
        // or the total they were told changes.
        let told_same = super::decide::told_grade(was) == grade && was.total == became.total;
        if told_same || tied.contains(&&became.subject) {
            continue;
        }
        if !tx
            .redecide(run, &became.subject, grade, became.total)
            .await?
        {
            continue;
        }
        let plugin = registry.plugin(&became.plugin, &became.version).await?;
        let window = window_of(registry, &became.subject).await?;
        let appeal_until = calendar.add_working_days(today, window.appeal).to_string();
        super::decide::write_notice(
            tx,
            &super::decide::Told {
                run,
                period,
                result: became,
                info: &plugin.info,
                decided_by: &actor.name,
                appeal_until: &appeal_until,
                at: now,
                correction: Some(super::decide::NoticeCorrection {
                    was_grade: super::decide::told_grade(was).to_string(),
                    was_total: show(was.total),
                    ..why.clone()
                }),
            },
        )
        .await?;
        notified.push(became.subject.clone());
    }
    Ok(notified)
}

/// Writes in `tx` the corrections of the official runs built from a
/// corrected one (`dependents`, each derived again; `cause` names the
/// correction they follow, `why` what their notices say of it): each
/// run's revision raised, its changed rows rewritten, its changed decided
/// grades decided anew and told.
pub(super) async fn write_dependents(
    registry: &Registry,
    tx: &mut crate::store::Tx,
    actor: &Actor,
    dependents: &[crate::scoring::Rescored],
    cause: &serde_json::Value,
    reason: &str,
    why: &super::decide::NoticeCorrection,
) -> Result<()> {
    for dep in dependents {
        let summary = serde_json::to_string(&dep.summary).expect("serialises");
        if !tx.revise_run(dep.run, dep.from_revision, &summary).await? {
            return Err(Error::OutOfOrder(format!(
                "run {} (built from the corrected run) was corrected meanwhile: answer again",
                dep.run
            )));
        }
        let revision = dep.from_revision + 1;
        let correction = tx
            .insert_correction(&CorrectionRow {
                id: 0,
                run_id: dep.run,
                revision,
                subject: String::new(),
                appeal_id: None,
                facts: json!({"drawn_from": cause}).to_string(),
                reason: reason.to_string(),
                corrected_by: actor.name.clone(),
                corrected_at: now_millis(),
            })
            .await?;
        tx.replace_results(dep.run, correction, &dep.changed)
            .await?;
        tx.reopen_ties(dep.run, &dep.open_ties).await?;
        decide_anew(
            registry,
            tx,
            actor,
            &dep.period,
            dep,
            &super::decide::NoticeCorrection {
                revision,
                ..why.clone()
            },
        )
        .await?;
    }
    Ok(())
}

/// Writes an upheld appeal's correction in `tx`: the corrected facts into
/// the person's sheet (as an import whose source is the appeal), the
/// changed results in place with the run's revision raised, each decided
/// grade among them decided anew with a notice (and its mail) to its
/// person, and the audit log.
async fn correct(
    registry: &Registry,
    tx: &mut crate::store::Tx,
    actor: &Actor,
    appeal: &AppealRow,
    rescored: &crate::scoring::Rescored,
    corrected: &BTreeMap<String, i64>,
    reason: &str,
) -> Result<()> {
    let (run, id) = (appeal.run_id, appeal.id);
    super::write_sheet(
        tx,
        &actor.name,
        &appeal.subject,
        &appeal.period,
        corrected,
        &format!("appeal {id}, upheld by {}", actor.name),
        &format!("appeal:{id}"),
    )
    .await?;
    let summary = serde_json::to_string(&rescored.summary).expect("serialises");
    if !tx.revise_run(run, rescored.from_revision, &summary).await? {
        return Err(Error::OutOfOrder(format!(
            "run {run} was corrected meanwhile (another appeal): answer again"
        )));
    }
    let revision = rescored.from_revision + 1;
    let now = now_millis();
    let correction = tx
        .insert_correction(&CorrectionRow {
            id: 0,
            run_id: run,
            revision,
            subject: appeal.subject.clone(),
            appeal_id: Some(id),
            facts: serde_json::to_string(corrected).expect("serialises"),
            reason: reason.to_string(),
            corrected_by: actor.name.clone(),
            corrected_at: now,
        })
        .await?;
    tx.replace_results(run, correction, &rescored.changed)
        .await?;
    tx.reopen_ties(run, &rescored.open_ties).await?;
    let notified = decide_anew(
        registry,
        tx,
        actor,
        &appeal.period,
        rescored,
        &super::decide::NoticeCorrection {
            revision,
            appeal: Some(id),
            subject: appeal.subject.clone(),
            choice: None,
            was_grade: String::new(),
            was_total: None,
        },
    )
    .await?;
    let detail = json!({"run": run, "revision": revision, "appeal": id,
        "facts": corrected.iter().map(|(k, v)| (k.clone(), Fixed::from_raw(*v).to_string())).collect::<BTreeMap<_, _>>(),
        "changed": rescored.changed.len(), "notified": notified});
    tx.audit(
        &actor.name,
        "correct",
        &appeal.subject,
        &detail,
        Some(&appeal.unit),
    )
    .await?;
    Ok(())
}
