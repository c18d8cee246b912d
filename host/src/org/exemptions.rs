//! Exemptions: a subject not evaluated for a period — on long leave, newly
//! recruited — with the reason, its legal basis, who recorded it and when.
//! A run records an exempted subject as `not-evaluated`, outside every
//! cohort's counts; `verify` checks the exemption still stands.
//!
//! Unit admins record them in their own subtree, admins anywhere; every
//! change is in the audit log, and none is taken while the period is locked
//! by an official run over the subject (unlock first, with a reason).

use serde::Deserialize;
use serde_json::json;

use crate::access::{Actor, Role};
use crate::registry::{Period, Registry};
use crate::scoring::{Error, Result, Units};
use crate::store::exemptions::ExemptionRow;
use crate::store::{Guarded, now_millis};

/// The longest reason kept, in characters: a sentence, not a file.
pub const MAX_REASON_CHARS: usize = 500;
/// The longest legal basis kept, in characters.
pub const MAX_BASIS_CHARS: usize = 200;
/// The most exemptions of one subject listed at once.
pub const MAX_LISTED: i64 = 200;

/// What an exemption says.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewExemption {
    /// Why the subject is not evaluated for the period.
    pub reason: String,
    /// The rule that leaves them out: "Decree 335/2025/ND-CP Art. 21(3)".
    #[serde(default)]
    pub basis: Option<String>,
}

/// The subject's unit, when `actor` may see and change it; the same words
/// for a subject that does not exist and one outside the actor's subtree.
async fn subject_unit(
    tx: &mut crate::store::Tx,
    actor: &Actor,
    units: &Units,
    subject: &str,
) -> Result<String> {
    let found = tx.subjects_of(&[subject]).await?.into_iter().next();
    let within = |unit: &str| match &actor.role {
        Role::Admin => true,
        Role::UnitAdmin { unit: root } => units.within(unit, root),
        _ => false,
    };
    match found {
        Some(s) if within(&s.unit) => Ok(s.unit),
        _ if matches!(actor.role, Role::Admin | Role::UnitAdmin { .. }) => Err(Error::NotFound(
            format!("no subject `{subject}` in {}'s subtree", actor.name),
        )),
        _ => Err(Error::Forbidden(format!(
            "{} may not exempt subjects: that takes an admin or a unit admin",
            actor.name
        ))),
    }
}

/// Refuses a change while an official run over the subject's unit locks
/// the period (a facts cut-off does not: an exemption is no fact).
async fn not_locked(
    tx: &mut crate::store::Tx,
    units: &Units,
    period: &str,
    subject: &str,
    unit: &str,
) -> Result<()> {
    let locks = tx.official_locks().await?;
    match crate::facts::lock_on(period, subject, unit, &Default::default(), &locks, units) {
        Some(locked) => Err(locked),
        None => Ok(()),
    }
}

fn checked(new: &NewExemption) -> Result<(String, Option<String>)> {
    let reason = new.reason.trim();
    if reason.is_empty() {
        return Err(Error::Refused(
            "an exemption needs a reason: why is the subject not evaluated?".into(),
        ));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(Error::Refused(format!(
            "the reason is longer than {MAX_REASON_CHARS} characters"
        )));
    }
    let basis = new
        .basis
        .as_deref()
        .map(str::trim)
        .filter(|b| !b.is_empty());
    if basis.is_some_and(|b| b.chars().count() > MAX_BASIS_CHARS) {
        return Err(Error::Refused(format!(
            "the basis is longer than {MAX_BASIS_CHARS} characters"
        )));
    }
    Ok((reason.to_string(), basis.map(str::to_string)))
}

/// Records that `subject` is not evaluated for `period` (replacing an
/// earlier exemption for the same period).
pub async fn exempt(
    registry: &Registry,
    actor: &Actor,
    subject: &str,
    period: &str,
    new: &NewExemption,
) -> Result<ExemptionRow> {
    let period = Period::parse(period)?;
    let (reason, basis) = checked(new)?;
    let units = Units::load(registry).await?;
    let mut tx = registry.store().begin_guarding(Guarded::FactSheets).await?;
    let unit = subject_unit(&mut tx, actor, &units, subject).await?;
    not_locked(&mut tx, &units, &period.text, subject, &unit).await?;
    let row = ExemptionRow {
        subject: subject.to_string(),
        period: period.text.clone(),
        reason,
        basis,
        recorded_by: actor.name.clone(),
        recorded_at: now_millis(),
    };
    let before = tx.put_exemption(&row).await?;
    let detail = json!({"period": row.period, "reason": row.reason, "basis": row.basis,
        "replaced": before.map(|b| json!({"reason": b.reason, "basis": b.basis, "by": b.recorded_by}))});
    Registry::audit(&mut tx, actor, "exempt", subject, detail).await?;
    tx.commit().await?;
    Ok(row)
}

/// Removes the exemption of `subject` for `period`: they are evaluated again.
pub async fn lift(
    registry: &Registry,
    actor: &Actor,
    subject: &str,
    period: &str,
) -> Result<ExemptionRow> {
    let period = Period::parse(period)?;
    let units = Units::load(registry).await?;
    let mut tx = registry.store().begin_guarding(Guarded::FactSheets).await?;
    let unit = subject_unit(&mut tx, actor, &units, subject).await?;
    not_locked(&mut tx, &units, &period.text, subject, &unit).await?;
    let Some(removed) = tx.delete_exemption(subject, &period.text).await? else {
        return Err(Error::NotFound(format!(
            "`{subject}` has no exemption for {}",
            period.text
        )));
    };
    let detail = json!({"period": removed.period, "reason": removed.reason});
    Registry::audit(&mut tx, actor, "exempt-lift", subject, detail).await?;
    tx.commit().await?;
    Ok(removed)
}

/// A subject's exemptions, newest period first, for those who may change
/// them (the reasons are personal data).
pub async fn list(registry: &Registry, actor: &Actor, subject: &str) -> Result<Vec<ExemptionRow>> {
    let units = Units::load(registry).await?;
    let mut tx = registry.store().begin().await?;
    subject_unit(&mut tx, actor, &units, subject).await?;
    tx.commit().await?;
    Ok(registry
        .store()
        .subject_exemptions(subject, MAX_LISTED)
        .await?)
}
