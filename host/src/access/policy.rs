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

use super::{Caller, Role, RoleKind};
use crate::registry::Registry;
use crate::scoring::{self, StoredResult, Units};
use crate::store::results::{ResultCursor, ResultFilter, ResultOrder, ResultScope, ScopedResult};

/// For each scorecard version (`namespace/name`, version) in use, whether
/// each of its indicators reads a personal fact.
pub type PersonalIndicators = HashMap<(String, String), Vec<bool>>;

/// The units that publish per-person results, by code: each one's `true`
/// when it publishes their grades only.
pub type Publishing = HashMap<String, bool>;

/// Whose results `caller` may see, as the store is to select them: an
/// admin everyone's; a unit admin the personal details of their subtree; a
/// bound analyst the people of theirs; a person their own, in full;
/// everyone the people of units that
/// publish them (as [`Caller::sees_personal`] and [`Caller::sees_people`]
/// decide for one unit).
pub fn result_scope(caller: &Caller) -> ResultScope {
    match caller.0.as_ref().map(|a| &a.role) {
        Some(Role::Admin) => ResultScope::All,
        Some(Role::UnitAdmin { unit }) => ResultScope::Bounded {
            personal: Some(unit.clone()),
            people: Some(unit.clone()),
            own: None,
        },
        Some(Role::Analyst { unit: Some(root) }) => ResultScope::Bounded {
            personal: None,
            people: Some(root.clone()),
            own: None,
        },
        // A person sees everything of their own results, as their admins do.
        Some(Role::Person { subject }) => ResultScope::Bounded {
            personal: None,
            people: None,
            own: Some(subject.clone()),
        },
        _ => ResultScope::Bounded {
            personal: None,
            people: None,
            own: None,
        },
    }
}

/// What a reader may see of results the store selected for their
/// [`result_scope`], in the store's order.
pub fn visible_results(
    personal: &PersonalIndicators,
    rows: Vec<ScopedResult>,
) -> Vec<StoredResult> {
    rows.into_iter()
        .filter_map(|row| {
            let mut r = row.result;
            if row.personal {
                return Some(r);
            }
            if row.published.is_none() && !row.people {
                return None;
            }
            let grades_only = !row.people && row.published == Some(true);
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
        .collect()
}

/// A page of what a reader may see of a run's results.
#[derive(Debug)]
pub struct VisiblePage {
    /// How many results the reader may see through the filter in all.
    pub total: u64,
    /// This page's.
    pub results: Vec<StoredResult>,
}

/// What `caller` may see of run `run`'s results through `filter`: the
/// `limit` from the `offset`th in `order`, and how many there are. The
/// store selects only what the caller may see ([`result_scope`]) and reads
/// only the page; what they may not see of those rows is then taken out.
/// Every subject whose personal data (facts, caps, refusal or fault text)
/// is in what is returned is logged as read by the caller through `via`.
#[allow(clippy::too_many_arguments)]
pub async fn visible_results_page(
    registry: &Registry,
    caller: &Caller,
    via: &str,
    run: i64,
    filter: &ResultFilter,
    order: ResultOrder,
    offset: u64,
    limit: u64,
) -> scoring::Result<VisiblePage> {
    scoring::complete_check(registry, run).await?;
    let scope = result_scope(caller);
    let store = registry.store();
    let count = store
        .count_complete_results(registry.generation(), run, &scope, filter)
        .await?;
    let rows = if offset < count.total && limit > 0 {
        store
            .results_page(run, &scope, filter, order, count, offset, limit)
            .await?
    } else {
        Vec::new()
    };
    let results = seen(registry, caller, via, rows).await?;
    Ok(VisiblePage {
        total: count.total,
        results,
    })
}

/// What `caller` may see of the `limit` of run `run`'s results after
/// `cursor` in the order of totals, how many there are in all, and the
/// cursor after the last: a page that costs the same wherever it starts.
/// As [`visible_results_page`] checks, counts, selects, reads and logs.
pub async fn visible_results_from(
    registry: &Registry,
    caller: &Caller,
    via: &str,
    run: i64,
    filter: &ResultFilter,
    cursor: &ResultCursor,
    limit: u64,
) -> scoring::Result<(VisiblePage, ResultCursor)> {
    scoring::complete_check(registry, run).await?;
    let count = registry
        .store()
        .count_complete_results(registry.generation(), run, &result_scope(caller), filter)
        .await?;
    let (results, next) =
        visible_results_after(registry, caller, via, run, filter, cursor, limit).await?;
    Ok((
        VisiblePage {
            total: count.total,
            results,
        },
        next,
    ))
}

/// What `caller` may see of the next `limit` of run `run`'s results after
/// `cursor` (best total first, then the rest), for an export streamed a
/// batch at a time; the cursor to go on from. As [`visible_results_page`]
/// selects, reads and logs; the run is checked complete by the caller.
pub async fn visible_results_after(
    registry: &Registry,
    caller: &Caller,
    via: &str,
    run: i64,
    filter: &ResultFilter,
    cursor: &ResultCursor,
    limit: u64,
) -> scoring::Result<(Vec<StoredResult>, ResultCursor)> {
    let scope = result_scope(caller);
    let (rows, next) = registry
        .store()
        .results_after(run, &scope, filter, cursor, limit)
        .await?;
    Ok((seen(registry, caller, via, rows).await?, next))
}

/// What `caller` may see of the rows the store selected for them, with
/// each subject whose personal data is in it logged as read through `via`.
async fn seen(
    registry: &Registry,
    caller: &Caller,
    via: &str,
    rows: Vec<ScopedResult>,
) -> scoring::Result<Vec<StoredResult>> {
    let mut personal = PersonalIndicators::new();
    for r in &rows {
        let key = (r.result.plugin.clone(), r.result.version.clone());
        if let std::collections::hash_map::Entry::Vacant(slot) = personal.entry(key) {
            slot.insert(
                registry
                    .personal_indicators(&r.result.plugin, &r.result.version)
                    .await?,
            );
        }
    }
    let seen = visible_results(&personal, rows);
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

/// What `caller` may see of run `run`'s results of one unit or one
/// subject, all of them, best total first ([`visible_results_page`]).
pub async fn visible_run_results(
    registry: &Registry,
    caller: &Caller,
    via: &str,
    run: i64,
    only: scoring::Only<'_>,
) -> scoring::Result<Vec<StoredResult>> {
    let filter = match only {
        scoring::Only::Unit(u) => ResultFilter {
            unit: Some(u.to_string()),
            ..ResultFilter::default()
        },
        scoring::Only::Subject(s) => ResultFilter {
            subject: Some(s.to_string()),
            ..ResultFilter::default()
        },
    };
    let page = visible_results_page(
        registry,
        caller,
        via,
        run,
        &filter,
        ResultOrder::Total,
        0,
        u64::MAX,
    )
    .await?;
    Ok(page.results)
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
        Ok(Role::Admin) => Some(AuditScope::All),
        Ok(Role::UnitAdmin { unit: root }) => Some(AuditScope::Units(units.subtree(root))),
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

/// Whether `caller` may read where people served in `unit` over a period —
/// who moved out of it and when: the organisation's history of a person is
/// personal, read by admins and by unit admins within their subtree.
pub fn sees_history_in(caller: &Caller, units: &Units, unit: &str) -> bool {
    match caller.0.as_ref().map(|a| &a.role) {
        Some(Role::Admin) => true,
        Some(Role::UnitAdmin { unit: root }) => units.within(unit, root),
        _ => false,
    }
}

/// Of `parts` (subject → where they served), those `caller` may read: a
/// subject's whole history where the caller sees history in every unit of
/// it, and a person their own.
pub fn visible_parts(
    caller: &Caller,
    units: &Units,
    mut parts: std::collections::BTreeMap<String, Vec<crate::store::parts::Part>>,
) -> std::collections::BTreeMap<String, Vec<crate::store::parts::Part>> {
    parts.retain(|subject, served| {
        matches!(caller.0.as_ref().map(|a| &a.role), Some(Role::Person { subject: own }) if own == subject)
            || served.iter().all(|p| sees_history_in(caller, units, &p.unit))
    });
    parts
}
