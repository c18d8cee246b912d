//! Ties left to the competent person: where a card's quota says that a tie
//! at its boundary is decided by the competent person (contract 1.1), a
//! run demotes every tied subject and records the tie as open; their
//! grades are not decided until the competent person — an admin, or the
//! unit admin of every tied subject's unit — chooses who of the tied keep
//! the grade, with a recorded reason. The choice corrects the official run
//! as an upheld appeal does (the run's revision rises, every result that
//! depends on it is derived again), and is made once.
//!
//! ```
//! use thuocdo_host::assessment::ties::Choose;
//! let body: Choose = serde_json::from_str(
//!     r#"{"rule": "excellent-quota", "cohort": "phong · staff", "keep": ["t-2"],
//!         "reason": "Sáng kiến được công nhận cấp tỉnh"}"#,
//! ).unwrap();
//! assert_eq!(body.keep, ["t-2"]);
//! ```

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::decide::NoticeCorrection;
use super::{Error, Result, invalid};
use crate::access::{Actor, Role, assessing};
use crate::registry::Registry;
use crate::scoring::{self, Only, Units};
use crate::store::corrections::{CorrectionRow, MAX_TIES, TieRow};
use crate::store::now_millis;

/// The longest reason kept, in characters.
const MAX_REASON: usize = 5_000;

/// The competent person's choice in an open tie.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Choose {
    /// The quota's code.
    pub rule: String,
    /// The cohort, as the tie names it.
    pub cohort: String,
    /// The tied subjects who keep the limited grade: as many as the tie
    /// has places.
    pub keep: Vec<String>,
    /// Why them.
    pub reason: String,
}

/// A choice made, and what it changed.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Chosen {
    /// The tie, as chosen.
    pub tie: TieRow,
    /// The run's revision the choice made.
    pub revision: i64,
    /// The subjects whose results it changed.
    pub changed: Vec<String>,
}

/// Whether `actor` is the competent person for `tie` of run `run`: an
/// admin, or the unit admin of every tied subject's unit (`units`, read
/// once by the caller).
async fn competent(
    registry: &Registry,
    actor: &Actor,
    units: &Units,
    run: i64,
    tie: &TieRow,
) -> Result<bool> {
    match actor.role {
        Role::Admin => Ok(true),
        Role::UnitAdmin { .. } => {
            for s in &tie.tie.tied {
                let found = scoring::results_of(registry, run, Only::Subject(s)).await?;
                match found.first() {
                    Some(r) if assessing::may_administer(actor, units, &r.unit) => {}
                    _ => return Ok(false),
                }
            }
            Ok(true)
        }
        _ => Ok(false),
    }
}

fn refused(actor: &Actor) -> Error {
    Error::Forbidden(format!(
        "{} may not see or choose among the tied: that takes the competent person, an admin or the unit admin of the tied people's unit",
        actor.name
    ))
}

/// Run `run`'s ties, open and chosen, that `actor` is the competent person
/// for.
pub async fn list(registry: &Registry, actor: &Actor, run: i64) -> Result<Vec<TieRow>> {
    if !matches!(actor.role, Role::Admin | Role::UnitAdmin { .. }) {
        return Err(refused(actor));
    }
    scoring::complete_check(registry, run).await?;
    let units = Units::load(registry).await?;
    let mut out = Vec::new();
    for t in registry.store().run_ties(run, Some(MAX_TIES)).await? {
        if competent(registry, actor, &units, run, &t).await? {
            out.push(t);
        }
    }
    Ok(out)
}

/// Records the competent person's choice in an open tie of official run
/// `run`, and corrects the run with it.
pub async fn choose(registry: &Registry, actor: &Actor, run: i64, body: &Choose) -> Result<Chosen> {
    if !matches!(actor.role, Role::Admin | Role::UnitAdmin { .. }) {
        return Err(refused(actor));
    }
    let official = scoring::official_runs(registry, true)
        .await?
        .into_iter()
        .find(|o| o.run == run)
        .ok_or_else(|| {
            Error::NothingToAssess(format!(
                "run {run} is not an official run in force: ties are chosen in the published run of their period"
            ))
        })?;
    let ties = registry.store().run_ties(run, None).await?;
    let Some(tie) = ties
        .into_iter()
        .find(|t| t.tie.rule == body.rule && t.tie.cohort == body.cohort)
    else {
        return Err(Error::NotFound(format!(
            "run {run} has no tie of quota `{}` in cohort `{}`",
            body.rule, body.cohort
        )));
    };
    let units = Units::load(registry).await?;
    if !competent(registry, actor, &units, run, &tie).await? {
        return Err(Error::NotFound(format!(
            "run {run} has no tie of quota `{}` in cohort `{}` in {}'s subtree",
            body.rule, body.cohort, actor.name
        )));
    }
    if tie.kept.is_some() {
        return Err(Error::OutOfOrder(format!(
            "the tie of quota `{}` in cohort `{}` is chosen already: a choice is made once",
            body.rule, body.cohort
        )));
    }
    let mut keep = body.keep.clone();
    keep.sort();
    keep.dedup();
    if keep.len() != body.keep.len() || keep.len() != tie.tie.slots {
        return Err(invalid(
            "keep",
            format!(
                "name {} different subject(s) of the tied to keep the grade, not {}",
                tie.tie.slots,
                body.keep.len()
            ),
        ));
    }
    for (i, k) in body.keep.iter().enumerate() {
        if !tie.tie.tied.contains(k) {
            return Err(invalid(
                &format!("keep[{i}]"),
                format!("`{k}` is not among the tied ({})", tie.tie.tied.join(", ")),
            ));
        }
    }
    let reason = body.reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON {
        return Err(invalid(
            "reason",
            format!("say why, in 1 to {MAX_REASON} characters"),
        ));
    }
    let rescored = scoring::rescore(
        registry,
        run,
        &scoring::Change::Choice {
            rule: &body.rule,
            cohort: &body.cohort,
            keep: &keep,
        },
    )
    .await?;
    // The tie as it was read may have changed since (a correction came
    // first): then the choice no longer fits it.
    if rescored
        .open_ties
        .iter()
        .any(|t| t.rule == body.rule && t.cohort == body.cohort)
    {
        return Err(Error::OutOfOrder(format!(
            "the tie of quota `{}` in cohort `{}` changed meanwhile (the run was corrected): read it again and choose",
            body.rule, body.cohort
        )));
    }
    // And the official runs built from this one (a year from its months).
    let dependents = scoring::dependents(registry, &rescored).await?;
    let now = now_millis();
    let chosen = TieRow {
        kept: Some(keep.clone()),
        reason: Some(reason.to_string()),
        chosen_by: Some(actor.name.clone()),
        chosen_at: Some(now),
        ..tie
    };
    let mut tx = registry.store().begin().await?;
    if !tx.choose_tie(run, &chosen).await? {
        return Err(Error::OutOfOrder(format!(
            "the tie of quota `{}` in cohort `{}` was chosen meanwhile: a choice is made once",
            body.rule, body.cohort
        )));
    }
    let summary = serde_json::to_string(&rescored.summary).expect("serialises");
    if !tx.revise_run(run, rescored.from_revision, &summary).await? {
        return Err(Error::OutOfOrder(format!(
            "run {run} was corrected meanwhile: choose again"
        )));
    }
    let revision = rescored.from_revision + 1;
    let choice = json!({"choice": {"rule": body.rule, "cohort": body.cohort, "keep": keep}});
    let correction = tx
        .insert_correction(&CorrectionRow {
            id: 0,
            run_id: run,
            revision,
            subject: String::new(),
            appeal_id: None,
            facts: choice.to_string(),
            reason: reason.to_string(),
            corrected_by: actor.name.clone(),
            corrected_at: now,
        })
        .await?;
    tx.replace_results(run, correction, &rescored.changed)
        .await?;
    tx.reopen_ties(run, &rescored.open_ties).await?;
    let changed: Vec<String> = rescored
        .changed
        .iter()
        .map(|(_, r)| r.subject.clone())
        .collect();
    // The tied were not decided while the tie was open; anyone else whose
    // decided grade changed (a leader of the tied) is decided anew and told.
    let notified = super::appeal::decide_anew(
        registry,
        &mut tx,
        actor,
        &official.period,
        &rescored,
        &NoticeCorrection {
            revision,
            appeal: None,
            subject: String::new(),
            choice: Some(format!("{} · {}", body.rule, body.cohort)),
            was_grade: String::new(),
            was_total: None,
        },
    )
    .await?;
    super::appeal::write_dependents(
        registry,
        &mut tx,
        actor,
        &dependents,
        &json!({"run": run, "revision": revision, "tie": {"rule": body.rule, "cohort": body.cohort}}),
        reason,
        &NoticeCorrection {
            revision: 0,
            appeal: None,
            subject: String::new(),
            choice: Some(format!("{} · {}", body.rule, body.cohort)),
            was_grade: String::new(),
            was_total: None,
        },
    )
    .await?;
    let detail = json!({"run": run, "period": official.period, "revision": revision,
        "rule": body.rule, "cohort": body.cohort, "tied": chosen.tie.tied, "keep": keep,
        "reason": reason, "changed": changed, "notified": notified});
    tx.audit(
        &actor.name,
        "tie-choose",
        &format!("run {run}"),
        &detail,
        None,
    )
    .await?;
    tx.commit().await?;
    registry.changed();
    Ok(Chosen {
        tie: chosen,
        revision,
        changed,
    })
}

/// The subjects of run `run` in a tie still open: their grades wait for the
/// competent person's choice.
pub async fn awaiting(registry: &Registry, run: i64) -> Result<Vec<String>> {
    Ok(registry
        .store()
        .run_ties(run, None)
        .await?
        .into_iter()
        .filter(|t| t.kept.is_none())
        .flat_map(|t| t.tie.tied)
        .collect())
}
