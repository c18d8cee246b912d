//! What a caller sees of stored results: per person only where the unit
//! publishes them, unless the caller may see the subject's personal details
//! (then everything); otherwise without the cap codes, the facts, the hash
//! of the facts (small facts could be found again from it) and the refusal
//! or fault text, which are personal. Where a cap applied, whose reason is
//! personal, such a row shows the final grade only: the total, the grade
//! before the cohort rules and the indicators that make up the total are
//! withheld, so that nobody reads from a high total beside a low grade that
//! a rule bounded it. A unit that publishes grades only shows its people's
//! final grades alone. An indicator that reads a personal fact (see
//! [`crate::registry::personal`]) shows such readers its score, never the
//! value it read.

use std::collections::HashMap;

use super::{Caller, RoleKind};
use crate::registry::Registry;
use crate::scoring::{self, StoredResult, Units};

/// For each scorecard version (`namespace/name`, version) in use, whether
/// each of its indicators reads a personal fact.
pub type PersonalIndicators = HashMap<(String, String), Vec<bool>>;

/// The units that publish per-person results, by code: each one's `true`
/// when it publishes their grades only.
pub type Publishing = HashMap<String, bool>;

/// What `caller` may see of `results`, in their order, except that rows
/// without a total (refused, faulted, or withheld) come last: a withheld
/// total's place in a ranking by total would tell it again.
pub fn visible_results(
    caller: &Caller,
    units: &Units,
    publishing: &Publishing,
    personal: &PersonalIndicators,
    results: Vec<StoredResult>,
) -> Vec<StoredResult> {
    let mut seen: Vec<StoredResult> = results
        .into_iter()
        .filter_map(|mut r| {
            if caller.sees_personal(units, &r.unit) {
                return Some(r);
            }
            let sees_people = caller.sees_people(units, &r.unit);
            let published = publishing.get(&r.unit);
            if published.is_none() && !sees_people {
                return None;
            }
            let grades_only = !sees_people && published == Some(&true);
            if !r.caps.is_empty() || grades_only {
                r.total = None;
                r.computed_grade = None;
                r.indicators.clear();
            }
            // An indicator that reads a personal fact shows its score, not
            // the value it read.
            if let Some(hidden) = personal.get(&(r.plugin.clone(), r.version.clone())) {
                for (i, indicator) in r.indicators.iter_mut().enumerate() {
                    if hidden.get(i).copied().unwrap_or(false) {
                        indicator.raw = None;
                    }
                }
            }
            r.caps.clear();
            r.facts = None;
            r.facts_sha256.clear();
            r.error = None;
            Some(r)
        })
        .collect();
    seen.sort_by_key(|r| r.total.is_none());
    seen
}

/// What `caller` may see of run `run`'s results (all, or `only`'s), with
/// the organisation as stored now. The store reads only the subjects of
/// units whose people the caller may see (a unit that publishes them, or
/// one the caller administers or is bound to), so a reader costs what they
/// may see; what they may not see of those rows is then taken out. Every
/// subject whose personal data (facts, caps, refusal or fault text) is in
/// what is returned is logged as read by the caller through `via`.
pub async fn visible_run_results(
    registry: &Registry,
    caller: &Caller,
    via: &str,
    run: i64,
    only: Option<scoring::Only<'_>>,
) -> scoring::Result<Vec<StoredResult>> {
    let units = Units::load(registry).await?;
    let publishing = registry.store().publishing_units().await?;
    let scope: Option<Vec<String>> = if caller.kind() == Some(RoleKind::Admin) {
        None
    } else {
        Some(
            units
                .codes()
                .filter(|u| publishing.contains_key(*u) || caller.sees_people(&units, u))
                .map(str::to_string)
                .collect(),
        )
    };
    let results = scoring::results_in(registry, run, only, scope.as_deref()).await?;
    let mut personal = PersonalIndicators::new();
    for r in &results {
        let key = (r.plugin.clone(), r.version.clone());
        if let std::collections::hash_map::Entry::Vacant(slot) = personal.entry(key) {
            slot.insert(registry.personal_indicators(&r.plugin, &r.version).await?);
        }
    }
    let seen = visible_results(caller, &units, &publishing, &personal, results);
    if let Some(actor) = &caller.0 {
        let read: Vec<&str> = seen
            .iter()
            .filter(|r| r.facts.is_some() || !r.caps.is_empty() || r.error.is_some())
            .map(|r| r.subject.as_str())
            .collect();
        if !read.is_empty() {
            registry
                .store()
                .log_personal_reads(&actor.name, via, &read)
                .await?;
        }
    }
    Ok(seen)
}

/// What `caller` may see of a run's summary: everything for an admin; for
/// anyone else the counts of refused, faulted and unassigned subjects but
/// not the list naming them and why, which is personal.
pub fn visible_summary(caller: &Caller, mut summary: scoring::Summary) -> scoring::Summary {
    if caller.kind() != Some(RoleKind::Admin) {
        summary.problems.clear();
    }
    summary
}

/// What `caller` may see of a run's record: its summary as
/// [`visible_summary`] shows it.
pub fn visible_run(caller: &Caller, mut run: scoring::RunRecord) -> scoring::RunRecord {
    run.summary = run.summary.map(|s| visible_summary(caller, s));
    run
}

/// Which of the audit log's entries `caller` may read, as the store is to
/// select them: all of them for an admin; for a unit admin the entries of
/// acts within their subtree; `None` for anyone else.
pub fn audit_scope(caller: &Caller, units: &Units) -> Option<crate::store::audit::AuditScope> {
    use crate::store::audit::AuditScope;
    match caller.actor().map(|a| &a.role) {
        Ok(super::Role::Admin) => Some(AuditScope::All),
        Ok(super::Role::UnitAdmin { unit: root }) => Some(AuditScope::Units(units.subtree(root))),
        _ => None,
    }
}

/// What `caller` may see of a what-if: every aggregate (transitions,
/// deltas, per-unit counts); the per-person movers only in units whose
/// per-person results they may see (a unit that publishes them, or one
/// they administer), the others counted in `movers_withheld`.
pub fn visible_comparison(
    caller: &Caller,
    units: &Units,
    publishing: &Publishing,
    mut comparison: crate::whatif::Comparison,
) -> crate::whatif::Comparison {
    for period in &mut comparison.periods {
        let before = period.movers.len();
        period.movers.retain(|m| {
            caller.sees_people(units, &m.unit) || publishing.get(&m.unit) == Some(&false)
        });
        period.movers_withheld += before - period.movers.len();
    }
    comparison
}

/// What `caller` may read of a fault's own words (a plugin's trap or
/// panic message, which may hold what it read): an admin all of them,
/// anyone else a note that they are withheld.
pub fn visible_fault(caller: &Caller, message: String) -> String {
    if caller.kind() == Some(RoleKind::Admin) {
        message
    } else {
        "its words are shown to admins only".to_string()
    }
}

/// The units a what-if by `caller` compares: those asked for, or by default
/// the whole organisation; a bound analyst's own subtree by default, and
/// never a unit outside it.
pub fn comparison_units(
    caller: &Caller,
    units: &Units,
    asked: &[String],
) -> Result<Vec<String>, String> {
    let Some(super::Role::Analyst { unit: Some(root) }) = caller.0.as_ref().map(|a| &a.role) else {
        return Ok(asked.to_vec());
    };
    if asked.is_empty() {
        return Ok(vec![root.clone()]);
    }
    match asked.iter().find(|u| !units.within(u, root)) {
        Some(outside) => Err(format!(
            "`{outside}` is outside the subtree `{root}` this analyst works in"
        )),
        None => Ok(asked.to_vec()),
    }
}
