//! A what-if: a draft scored on the stored facts of a period, for the
//! subjects in scope, beside the period's official run — grade transitions
//! before and after cohort rules, score deltas overall and per unit, each
//! unit's distribution before and after, every subject whose grade changes
//! with the indicators that moved most, and the facts the draft needs that
//! the stored data lacks.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Error, Result, WhatIfs, may_use};
use crate::access::{self, Actor, Caller};
use crate::explain;
use crate::registry::Period;
use crate::runtime::{Evaluation, EvaluationInput, Lane, Plugin, PluginInfo, Runtime, Subject};
use crate::scoring::{
    self, Answer, GradeCode, Outcome, Pool, StoredResult, SubjectRow, Units, apply_cohort_rules,
    fill,
};
use crate::store::drafts::WhatIfOfficialRow;

/// What to compare.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompareOptions {
    /// The periods whose stored facts and official runs to use.
    pub periods: Vec<String>,
    /// Only subjects of this post type (a position code or an agency type);
    /// by default those the draft says it applies to.
    #[serde(default)]
    pub post_type: Option<String>,
    /// Only subjects in these units' subtrees.
    #[serde(default)]
    pub units: Vec<String>,
}

impl CompareOptions {
    /// One period, the draft's own post types, everywhere.
    pub fn period(period: &str) -> CompareOptions {
        CompareOptions {
            periods: vec![period.to_string()],
            ..CompareOptions::default()
        }
    }
}

/// The what-if for every period asked.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Comparison {
    /// The draft's id.
    pub draft: i64,
    /// `namespace/name@version` of the draft.
    pub plugin: String,
    /// The draft's SHA-256.
    pub sha256: String,
    /// One comparison per period, in the order asked.
    pub periods: Vec<PeriodComparison>,
}

/// The what-if for one period.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PeriodComparison {
    /// The period.
    pub period: String,
    /// The official runs compared against.
    pub official_runs: Vec<i64>,
    /// Subjects in scope with an official result.
    pub subjects: usize,
    /// Subjects both the official run and the draft scored: what the
    /// transitions, deltas and distributions count.
    pub compared: usize,
    /// Subjects the draft refused (a fact it needs is missing or out of its
    /// range), by reason: left out of the comparison.
    pub not_compared: BTreeMap<String, usize>,
    /// Official grade → draft grade, before cohort rules (the quota).
    pub transitions_computed: BTreeMap<String, BTreeMap<String, usize>>,
    /// Official grade → draft grade, after cohort rules.
    pub transitions: BTreeMap<String, BTreeMap<String, usize>>,
    /// Draft total minus official total.
    pub deltas: Deltas,
    /// Per unit, best mean change first.
    pub units: Vec<UnitComparison>,
    /// Every subject whose final grade changes, by unit then id, where the
    /// caller may see per-person results (a unit that publishes them, or
    /// one the caller administers).
    pub movers: Vec<Mover>,
    /// Subjects whose final grade changes in units where the caller may not
    /// see per-person results: counted here, and in the aggregates.
    #[serde(default)]
    pub movers_withheld: usize,
    /// Facts the draft reads that the stored data lacks for some subjects.
    pub coverage: Vec<FactCoverage>,
}

/// How totals move: mean and median signed, p95 and max of the size of the
/// change; decimals as text, exactly.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Deltas {
    /// Subjects counted.
    pub subjects: usize,
    /// Mean change.
    pub mean: Option<String>,
    /// Median change.
    pub median: Option<String>,
    /// 95th percentile of the size of the change.
    pub p95_abs: Option<String>,
    /// Largest size of a change.
    pub max_abs: Option<String>,
}

/// One unit's subjects, before and after.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct UnitComparison {
    /// The unit's code.
    pub unit: String,
    /// Its type.
    pub kind: String,
    /// Official final grades.
    pub before: BTreeMap<String, usize>,
    /// The draft's final grades.
    pub after: BTreeMap<String, usize>,
    /// Changes of total.
    pub deltas: Deltas,
}

/// A subject whose grade changes.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Mover {
    /// The subject.
    pub subject: String,
    /// Its unit.
    pub unit: String,
    /// The official final grade.
    pub before: String,
    /// The draft's final grade.
    pub after: String,
    /// The official total.
    pub before_total: String,
    /// The draft's total.
    pub after_total: String,
    /// The draft's cohort rule, when it lowered the grade.
    pub cohort_rule: Option<String>,
    /// The indicators whose score moved most (at most three).
    pub indicators: Vec<IndicatorMove>,
}

/// One indicator's score, official and draft, by its id.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct IndicatorMove {
    /// The indicator's id.
    pub id: String,
    /// Its official score; none when the official card lacks it.
    pub before: Option<String>,
    /// Its draft score; none when the draft drops it.
    pub after: Option<String>,
    /// After minus before (a missing side counts as 0).
    pub change: String,
}

/// A fact the draft needs that some subjects' stored data lacks.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct FactCoverage {
    /// The fact's name.
    pub fact: String,
    /// Subjects in scope lacking it.
    pub missing: usize,
    /// Subjects in scope.
    pub of: usize,
}

/// What the comparison reads of an official result: less than a stored
/// result (no facts), since a national what-if holds a quarter of a million.
type Official = WhatIfOfficialRow;

/// One unit's official grades, draft grades and changes of total.
type UnitTally = (BTreeMap<String, usize>, BTreeMap<String, usize>, Vec<i64>);

fn num(raw: i64) -> String {
    thuocdo_sdk::Fixed::from_raw(raw).to_string()
}

/// A result's label in a transition: its grade, or why it has none.
fn label(
    computed_grade: &Option<GradeCode>,
    grade: &Option<GradeCode>,
    outcome: &Outcome,
    computed: bool,
) -> String {
    let grade = if computed { computed_grade } else { grade };
    grade.map_or_else(|| outcome.to_string(), |g| g.code().to_string())
}

/// Mean and median signed; p95 and max of the size.
fn deltas(changes: &[i64]) -> Deltas {
    if changes.is_empty() {
        return Deltas::default();
    }
    let mut signed = changes.to_vec();
    signed.sort_unstable();
    let mut sizes: Vec<i64> = changes.iter().map(|d| d.saturating_abs()).collect();
    sizes.sort_unstable();
    let n = changes.len();
    let sum: i128 = changes.iter().map(|&d| i128::from(d)).sum();
    // Nearest rank: the smallest value at or above 95 % of the subjects.
    let rank = (n * 95).div_ceil(100).max(1) - 1;
    Deltas {
        subjects: n,
        mean: scoring::mean_of(sum, n).map(num),
        median: Some(num(if n % 2 == 1 {
            signed[n / 2]
        } else {
            scoring::mean_of(i128::from(signed[n / 2 - 1]) + i128::from(signed[n / 2]), 2)
                .expect("two values")
        })),
        p95_abs: Some(num(sizes[rank])),
        max_abs: Some(num(sizes[n - 1])),
    }
}

/// Each indicator's stored score by id.
fn stored_scores(r: &Official, info: Option<&PluginInfo>) -> HashMap<String, i64> {
    let Some(info) = info else {
        return HashMap::new();
    };
    info.indicators
        .iter()
        .zip(&r.indicators)
        .map(|(spec, stored)| (spec.id.clone(), stored.score))
        .collect()
}

/// The three indicators whose scores moved most, largest first.
fn moved_most(
    before: &HashMap<String, i64>,
    after: &Evaluation,
    info: &PluginInfo,
) -> Vec<IndicatorMove> {
    let mut moves: Vec<(i64, IndicatorMove)> = Vec::new();
    let mut seen = Vec::new();
    for (spec, result) in info.indicators.iter().zip(&after.indicators) {
        let old = before.get(&spec.id).copied();
        let change = result.score - old.unwrap_or(0);
        seen.push(spec.id.as_str());
        moves.push((
            change.saturating_abs(),
            IndicatorMove {
                id: spec.id.clone(),
                before: old.map(num),
                after: Some(num(result.score)),
                change: num(change),
            },
        ));
    }
    for (id, &old) in before {
        if !seen.contains(&id.as_str()) {
            moves.push((
                old.saturating_abs(),
                IndicatorMove {
                    id: id.clone(),
                    before: Some(num(old)),
                    after: None,
                    change: num(-old),
                },
            ));
        }
    }
    moves.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
    moves
        .into_iter()
        .filter(|(size, _)| *size > 0)
        .take(3)
        .map(|(_, m)| m)
        .collect()
}

impl WhatIfs {
    /// Scores draft `id` on the stored facts of each period asked, beside the
    /// period's official run. A draft that faults for any subject (loops,
    /// runs out of memory, traps, answers garbage) fails the what-if, naming
    /// the subject and the fault; nothing is written either way.
    pub async fn compare(
        &self,
        actor: &Actor,
        id: i64,
        options: &CompareOptions,
    ) -> Result<Comparison> {
        may_use(actor)?;
        if options.periods.is_empty() {
            return Err(Error::BadInput("name at least one period".into()));
        }
        let periods = options
            .periods
            .iter()
            .map(|p| Period::parse(p).map_err(|e| Error::BadInput(e.to_string())))
            .collect::<Result<Vec<_>>>()?;
        let _slot = self.slot(actor)?;
        let runtime = self.registry.runtime();
        let _job = runtime
            .take_job()
            .ok_or_else(|| Error::Scoring(crate::scoring::Error::no_job(runtime)))?;
        let (draft, plugin) = self.plugin(id).await?;
        let units = Units::load(&self.registry).await?;
        for u in &options.units {
            if units.get(u).is_none() {
                return Err(Error::NotFound(format!("no unit with code `{u}`")));
            }
        }
        let caller = Caller(Some(actor.clone()));
        let options = &CompareOptions {
            units: access::comparison_units(&caller, &units, &options.units)
                .map_err(Error::Forbidden)?,
            ..options.clone()
        };
        let mut out = Vec::with_capacity(periods.len());
        for period in &periods {
            // Each period with its people where they were then.
            let subjects = Arc::new(SubjectRow::load_all(&self.registry, &period.end()).await?);
            let compared = self
                .compare_period(draft.id, &plugin, period, options, &units, subjects.clone())
                .await;
            out.push(match compared {
                // The words of a fault are the draft's: what it read may be
                // in them.
                Err(Error::DraftFailed {
                    subject,
                    kind,
                    message,
                }) => {
                    return Err(Error::DraftFailed {
                        subject,
                        kind,
                        message: access::visible_fault(&caller, message),
                    });
                }
                other => other?,
            });
        }
        let publishing = self.registry.store().publishing_units().await?;
        Ok(access::visible_comparison(
            &caller,
            &units,
            &publishing,
            Comparison {
                draft: draft.id,
                plugin: format!("{}@{}", draft.name, draft.version),
                sha256: draft.sha256,
                periods: out,
            },
        ))
    }

    async fn compare_period(
        &self,
        draft: i64,
        plugin: &Arc<Plugin>,
        period: &Period,
        options: &CompareOptions,
        units: &Units,
        subjects: Arc<Vec<SubjectRow>>,
    ) -> Result<PeriodComparison> {
        let registry = &self.registry;
        let info = &plugin.info;
        if info.period_kind != period.kind() {
            return Err(Error::BadInput(format!(
                "the draft is a {} scorecard; {} is not a period it scores",
                crate::view::period_kind(info.period_kind),
                period.text
            )));
        }
        // The official results in force for the period, the latest
        // publication winning where several cover a subject.
        let official = scoring::official_runs(registry, true).await?;
        let official: Vec<i64> = official
            .iter()
            .filter(|o| o.period == period.text)
            .map(|o| o.run)
            .collect();
        if official.is_empty() {
            return Err(Error::NotFound(format!(
                "{} has no official run to compare with: publish one first",
                period.text
            )));
        }
        let before: HashMap<String, Official> =
            registry.store().what_if_official_results(&official).await?;

        // The subjects in scope: an official result; the post type asked,
        // or by default those the draft replaces (scored officially by a card
        // of its name) or says it applies to; inside the units asked.
        let in_scope = |s: &SubjectRow| {
            let Some(old) = before.get(&s.id) else {
                return false;
            };
            let kind = units.get(&s.unit).map(|u| u.kind.as_str()).unwrap_or("");
            let post_ok = match &options.post_type {
                Some(t) => s.post == *t || kind == t,
                None => {
                    old.plugin == info.name
                        || info
                            .applies_to
                            .iter()
                            .any(|a| *a == s.post || a.as_str() == kind)
                }
            };
            post_ok
                && (options.units.is_empty()
                    || options.units.iter().any(|u| units.within(&s.unit, u)))
        };
        let scope: Vec<usize> = (0..subjects.len())
            .filter(|&i| in_scope(&subjects[i]))
            .collect();

        let mut sheets = scoring::fact_sheets(registry, period).await?;
        // The draft's own trial facts, over the stored ones: for this
        // what-if only, never written anywhere else.
        for (subject, trial) in registry.store().draft_facts(draft, &period.text).await? {
            let mut sheet: BTreeMap<String, i64> = match sheets.get(&subject) {
                Some(text) => serde_json::from_str(text).map_err(|e| {
                    Error::Internal(format!("the stored facts of {subject} do not read: {e}"))
                })?,
                None => BTreeMap::new(),
            };
            sheet.extend(trial);
            sheets.insert(
                subject,
                serde_json::to_string(&sheet).expect("a map of numbers is JSON"),
            );
        }
        let derived = scoring::derived_facts(registry, period, &[info]).await?;
        // The period's work products, packed, for a draft that reads them.
        let products = if info.reads_products {
            registry
                .store()
                .products_between(&period.text, "", "\u{10ffff}")
                .await?
        } else {
            HashMap::new()
        };
        let sheets = Arc::new(sheets);
        let derived = Arc::new(derived);
        let products = Arc::new(products);

        // Score every subject in scope in its own instance under the
        // draft's limits, on every core, stopping at the first fault.
        let answers = {
            let runtime = registry.runtime_arc();
            let limits = self.config.limits.clone();
            let plugin = plugin.clone();
            let subjects = subjects.clone();
            let period = period.text.clone();
            let scope = scope.clone();
            tokio::task::spawn_blocking(move || {
                score_all(&runtime, &scope, |lane, i| {
                    let s = &subjects[i];
                    let values = match scoring::read_facts(
                        &plugin,
                        s,
                        sheets.get(&s.id),
                        derived.get(&s.id),
                        // A draft reads no leader facts yet: they stay missing.
                        None,
                    ) {
                        Ok(read) => read,
                        Err(why) => return Ok((Answer::Refused(why), Vec::new())),
                    };
                    // The facts this subject's stored data lacks, by position.
                    let missing: Vec<u16> = (0..values.len())
                        .filter(|&k| values[k].is_none())
                        .map(|k| k as u16)
                        .collect();
                    let input = EvaluationInput {
                        subject: Subject {
                            id: s.id.clone(),
                            unit: s.unit.clone(),
                            position: s.post.clone(),
                        },
                        period: period.clone(),
                        // Unreadable products read as none: the draft then
                        // shows no data for them.
                        products: products
                            .get(&s.id)
                            .and_then(|p| crate::products::unpack(p).ok())
                            .unwrap_or_default(),
                        facts: values,
                    };
                    match lane.evaluate_with(&plugin, &input, &limits) {
                        Ok(evaluated) => Ok((
                            match evaluated.answer {
                                Ok(eval) => Answer::Scored(eval),
                                Err(e) => {
                                    Answer::Refused(explain::evaluation_error(&plugin.info, &e))
                                }
                            },
                            missing,
                        )),
                        Err(e @ crate::runtime::Error::HostBusy(_)) => {
                            Err(Error::Scoring(crate::scoring::Error::Busy(e.to_string())))
                        }
                        Err(e) => Err(Error::DraftFailed {
                            subject: s.id.clone(),
                            kind: e.kind(),
                            message: e.to_string(),
                        }),
                    }
                })
            })
            .await
            .map_err(|e| Error::Internal(format!("the sandbox's threads failed: {e}")))??
        };

        // The draft's results, with its own cohort rules over the scope.
        let mut after: Vec<StoredResult> = Vec::with_capacity(scope.len());
        let mut evaluations: Vec<Option<Evaluation>> = Vec::with_capacity(scope.len());
        let mut lacking = vec![0usize; info.facts.len()];
        for (&i, (answer, missing)) in scope.iter().zip(answers) {
            for k in missing {
                lacking[usize::from(k)] += 1;
            }
            let s = &subjects[i];
            let mut r = StoredResult::blank(s, &info.name, &info.version, &plugin.sha256);
            evaluations.push(fill(&mut r, answer, info));
            after.push(r);
        }
        let coverage: Vec<FactCoverage> = info
            .facts
            .iter()
            .zip(&lacking)
            .filter(|(_, n)| **n > 0)
            .map(|(fact, &missing)| FactCoverage {
                fact: fact.name.clone(),
                missing,
                of: scope.len(),
            })
            .collect();
        let plugin_of = vec![0; after.len()];
        // A draft's ties left to the competent person stay open (all demoted).
        apply_cohort_rules(units, &[info], &plugin_of, &mut after, &Default::default());

        // The official cards, for their indicators' ids.
        let cards: std::collections::HashSet<(&str, &str)> = before
            .values()
            .map(|r| (r.plugin.as_str(), r.version.as_str()))
            .collect();
        let mut official_infos: HashMap<(String, String), Option<Arc<Plugin>>> = HashMap::new();
        for (name, version) in cards {
            let loaded = registry.plugin(name, version).await.ok();
            official_infos.insert((name.to_string(), version.to_string()), loaded);
        }

        let mut not_compared: BTreeMap<String, usize> = BTreeMap::new();
        let mut transitions_computed: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
        let mut transitions: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
        let mut changes = Vec::new();
        let mut per_unit: BTreeMap<String, UnitTally> = BTreeMap::new();
        let mut movers = Vec::new();
        for (r, eval) in after.iter().zip(&evaluations) {
            let Some(eval) = eval else {
                let reason = r.error.clone().unwrap_or_default();
                *not_compared.entry(reason).or_default() += 1;
                continue;
            };
            let old = &before[&r.subject];
            *transitions_computed
                .entry(label(&old.computed_grade, &old.grade, &old.outcome, true))
                .or_default()
                .entry(label(&r.computed_grade, &r.grade, &r.outcome, true))
                .or_default() += 1;
            let (from, to) = (
                label(&old.computed_grade, &old.grade, &old.outcome, false),
                label(&r.computed_grade, &r.grade, &r.outcome, false),
            );
            *transitions
                .entry(from.clone())
                .or_default()
                .entry(to.clone())
                .or_default() += 1;
            let unit = per_unit.entry(r.unit.clone()).or_default();
            *unit.0.entry(from.clone()).or_default() += 1;
            *unit.1.entry(to.clone()).or_default() += 1;
            if let Some(old_total) = old.total {
                let change = eval.total - old_total;
                changes.push(change);
                unit.2.push(change);
            }
            if from != to {
                let key = (old.plugin.clone(), old.version.clone());
                let old_info = official_infos
                    .get(&key)
                    .and_then(|p| p.as_ref())
                    .map(|p| &p.info);
                movers.push(Mover {
                    subject: r.subject.clone(),
                    unit: r.unit.clone(),
                    before: from,
                    after: to,
                    before_total: old.total.map(num).unwrap_or_default(),
                    after_total: num(eval.total),
                    cohort_rule: r.cohort_rule.clone(),
                    indicators: moved_most(&stored_scores(old, old_info), eval, info),
                });
            }
        }
        movers.sort_by(|a, b| a.unit.cmp(&b.unit).then_with(|| a.subject.cmp(&b.subject)));
        let mut unit_rows: Vec<UnitComparison> = per_unit
            .into_iter()
            .map(|(unit, (before, after, changes))| UnitComparison {
                kind: units.get(&unit).map(|u| u.kind.clone()).unwrap_or_default(),
                unit,
                before,
                after,
                deltas: deltas(&changes),
            })
            .collect();
        let mean_of = |u: &UnitComparison| {
            u.deltas
                .mean
                .as_deref()
                .and_then(thuocdo_sdk::Fixed::parse)
                .map(|f| f.raw())
        };
        unit_rows.sort_by(|a, b| {
            mean_of(b)
                .cmp(&mean_of(a))
                .then_with(|| a.unit.cmp(&b.unit))
        });
        Ok(PeriodComparison {
            period: period.text.clone(),
            official_runs: official,
            subjects: scope.len(),
            compared: after.len() - not_compared.values().sum::<usize>(),
            not_compared,
            transitions_computed,
            transitions,
            deltas: deltas(&changes),
            units: unit_rows,
            movers,
            movers_withheld: 0,
            coverage,
        })
    }
}

/// `f` over every index of `scope` on every core, in order; the first error
/// stops the others at their next subject and is returned. Small chunks, so a
/// failing draft stops the what-if soon.
fn score_all<T: Send>(
    runtime: &Runtime,
    scope: &[usize],
    f: impl Fn(&mut Lane, usize) -> Result<T> + Sync,
) -> Result<Vec<T>> {
    let pool = Pool {
        workers: 0,
        chunk: 64,
        progress: None,
    };
    pool.try_map(runtime, scope.len(), |lane, k| f(lane, scope[k]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deltas_are_exact_with_nearest_rank_percentiles() {
        // Changes of -1.00, 0.50, 0.50, 2.00 points.
        let d = deltas(&[-10_000, 5_000, 5_000, 20_000]);
        assert_eq!(d.subjects, 4);
        assert_eq!(d.mean.as_deref(), Some("0.5"));
        assert_eq!(d.median.as_deref(), Some("0.5"));
        assert_eq!(d.p95_abs.as_deref(), Some("2"));
        assert_eq!(d.max_abs.as_deref(), Some("2"));
        assert_eq!(deltas(&[]), Deltas::default());
    }
}
