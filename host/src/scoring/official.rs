//! Official runs: a unit admin (or admin) makes one complete run the official
//! run of a period for its subtree, which locks the period there; a later run
//! never overwrites it, and unlocking needs a reason, audited.

use serde::Serialize;
use serde_json::json;

use super::results::run_record_by_id;
use super::{Error, Result, Units};
use crate::access::{Actor, Role};
use crate::registry::Registry;
use crate::store::now_millis;
use crate::store::runs::OfficialRow;

/// A publication of a run as a period's official run.
#[derive(Clone, Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct OfficialRun {
    /// The publication's id.
    pub id: i64,
    /// The period.
    pub period: String,
    /// The subtree it is official for; `None` for the whole organisation.
    pub unit: Option<String>,
    /// The run.
    pub run: i64,
    /// Who published it.
    pub published_by: String,
    /// When.
    pub published_at: i64,
    /// Who unlocked it, when and why, if it has been.
    pub unlocked: Option<Unlocked>,
}

/// An unlocking of a period, on record.
#[derive(Clone, Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Unlocked {
    /// Who.
    pub by: String,
    /// When (ms since the epoch).
    pub at: i64,
    /// Why.
    pub reason: String,
}

fn official(r: OfficialRow) -> OfficialRun {
    OfficialRun {
        id: r.id,
        period: r.period,
        unit: r.unit,
        run: r.run_id,
        published_by: r.published_by,
        published_at: r.published_at,
        unlocked: match (r.unlocked_by, r.unlocked_at, r.unlock_reason) {
            (Some(by), Some(at), why) => Some(Unlocked {
                by,
                at,
                reason: why.unwrap_or_default(),
            }),
            _ => None,
        },
    }
}

/// Every publication, oldest first; only those in force when `active`.
pub async fn official_runs(registry: &Registry, active: bool) -> Result<Vec<OfficialRun>> {
    Ok(registry
        .store()
        .official_runs(active)
        .await?
        .into_iter()
        .map(official)
        .collect())
}

/// Whether two subtrees (`None`: everything) overlap.
fn overlap(units: &Units, a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => units.within(a, b) || units.within(b, a),
        _ => true,
    }
}

/// May `actor` act for the subtree `unit` (`None`: everything)?
fn may_act(actor: &Actor, units: &Units, unit: Option<&str>, what: &str) -> Result<()> {
    match (&actor.role, unit) {
        (Role::Admin, _) => Ok(()),
        (Role::UnitAdmin { unit: root }, Some(u)) if units.within(u, root) => Ok(()),
        _ => Err(Error::Forbidden(format!(
            "{} may not {what} for {}: that takes an admin or a unit admin of a subtree holding it",
            actor.name,
            unit.map_or("the whole organisation".to_string(), |u| format!("`{u}`"))
        ))),
    }
}

/// Makes a complete run the official run of its period for its subtree.
pub async fn publish(registry: &Registry, actor: &Actor, run: i64) -> Result<OfficialRun> {
    let record = run_record_by_id(registry, run).await?;
    let units = Units::load(registry).await?;
    may_act(actor, &units, record.unit.as_deref(), "publish a run")?;
    if record.status != "complete" {
        return Err(Error::Refused(format!(
            "run {run} is {}: only a complete run can be published",
            record.status
        )));
    }
    let mut tx = registry
        .store()
        .begin_guarding(crate::store::Guarded::OfficialRuns)
        .await?;
    let active = tx.active_official_runs(&record.period).await?;
    for o in active.into_iter().map(official) {
        if overlap(&units, o.unit.as_deref(), record.unit.as_deref()) {
            let scope = o
                .unit
                .as_deref()
                .map_or(String::new(), |u| format!(" --unit {u}"));
            return Err(Error::Locked(format!(
                "{} is locked{} by official run {} (published by {}); a later run never overwrites it: unlock it with a reason first (thuocdo unlock --period {}{scope} --reason …)",
                o.period,
                o.unit
                    .as_deref()
                    .map_or(String::new(), |u| format!(" for `{u}`")),
                o.run,
                o.published_by,
                o.period
            )));
        }
    }
    // Publishing is serialised above; the index on periods in force is the
    // database's own word on it, should another writer ever bypass the lock.
    let id = tx
        .insert_official_run(&record.period, record.unit.as_deref(), run, &actor.name)
        .await
        .map_err(|e| {
            if e.is_unique_violation() {
                Error::Locked(format!(
                    "{} was published meanwhile for this scope; unlock it with a reason first",
                    record.period
                ))
            } else {
                e.into()
            }
        })?;
    let detail = json!({"run": run, "unit": record.unit, "publication": id});
    Registry::audit(&mut tx, actor, "publish-run", &record.period, detail).await?;
    tx.commit().await?;
    Ok(official(registry.store().official_run(id).await?))
}

/// Unlocks a period for a subtree (`None`: the whole organisation), with a
/// reason: its official run stays in the record, and another may be published.
pub async fn unlock(
    registry: &Registry,
    actor: &Actor,
    period: &str,
    unit: Option<&str>,
    reason: &str,
) -> Result<OfficialRun> {
    let period = crate::registry::Period::parse(period)?;
    if reason.trim().is_empty() {
        return Err(Error::Refused("unlocking a period needs a reason".into()));
    }
    let units = Units::load(registry).await?;
    may_act(actor, &units, unit, "unlock a period")?;
    let row = registry
        .store()
        .locking_official_run(&period.text, unit)
        .await?;
    let Some(row) = row else {
        return Err(Error::NotFound(format!(
            "{} is not locked for {}",
            period.text,
            unit.map_or("the whole organisation".to_string(), |u| format!("`{u}`"))
        )));
    };
    let o = official(row);
    let mut tx = registry
        .store()
        .begin_guarding(crate::store::Guarded::OfficialRuns)
        .await?;
    if !tx.unlock_official_run(o.id, &actor.name, reason).await? {
        return Err(Error::NotFound(format!(
            "{} was unlocked meanwhile (publication {})",
            period.text, o.id
        )));
    }
    let detail = json!({"run": o.run, "unit": o.unit, "publication": o.id, "reason": reason});
    Registry::audit(&mut tx, actor, "unlock", &period.text, detail).await?;
    tx.commit().await?;
    Ok(OfficialRun {
        unlocked: Some(Unlocked {
            by: actor.name.clone(),
            at: now_millis(),
            reason: reason.to_string(),
        }),
        ..o
    })
}
