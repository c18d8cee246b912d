//! Corrections: an official run's results change only through one. A
//! correction gives a subject's corrected facts (the subject is scored
//! again with the card version and the other facts the run stored), or the
//! competent person's choice among subjects tied at a quota's boundary;
//! everyone whose result depends on it is derived again, in the order the
//! run scored them: the cohort rules of their wave are applied again (a quota may now
//! demote someone else), and the leaders of anyone whose final result
//! changed are scored again from the new results of the people they lead,
//! wave after wave. What comes out is every row that differs, as it was and
//! as it is now, and the run's summary again; the caller writes it (with
//! the run's revision raised) in the transaction that records why.
//!
//! Each result is derived as a run derives it, so `verify` of a corrected
//! run finds no difference.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::cohort::Tie;
use super::results::{results, run_record_by_id};
use super::run::{SubjectRow, answer, apply_cohort_rules, fact_record, fill};
use super::summary::{Summary, SummaryBuilder};
use super::{Error, FactValues, GradeCode, Outcome, Pool, Result, StoredResult, Units};
use crate::access::keyring::{FACTS, Keys};
use crate::registry::{Period, Registry};
use crate::runtime::{EvaluationInput, FactOrigin, Plugin, PluginInfo, ResultMeasure, Subject};

/// What a correction comes to, before it is written.
#[derive(Clone, Debug)]
pub struct Rescored {
    /// The run.
    pub run: i64,
    /// Its period.
    pub period: String,
    /// The run's revision it was derived from: written only if it still is.
    pub from_revision: i64,
    /// Every result that differs: as stored, and as derived now.
    pub changed: Vec<(StoredResult, StoredResult)>,
    /// The run's summary with the changes.
    pub summary: Summary,
    /// The ties at a quota's boundary still open after it.
    pub open_ties: Vec<Tie>,
}

/// What a correction changes.
#[derive(Clone, Copy, Debug)]
pub enum Change<'a> {
    /// A subject's facts: name → value in ten-thousandths, in place of
    /// those the run read.
    Facts {
        /// The subject.
        subject: &'a str,
        /// The corrected facts.
        facts: &'a BTreeMap<String, i64>,
    },
    /// Facts drawn from the official results of shorter periods, drawn
    /// again after one of those was corrected: subject → fact → value.
    Derived {
        /// The facts, by subject.
        facts: &'a BTreeMap<String, BTreeMap<String, Option<i64>>>,
    },
    /// The competent person's choice in an open tie: who of the tied keep
    /// the limited grade.
    Choice {
        /// The quota's code.
        rule: &'a str,
        /// The cohort, as the tie names it.
        cohort: &'a str,
        /// Those who keep it.
        keep: &'a [String],
    },
}

/// Derives complete run `run` again with `change`, and everyone whose
/// result depends on it.
pub async fn rescore(registry: &Registry, run: i64, change: &Change<'_>) -> Result<Rescored> {
    let record = run_record_by_id(registry, run).await?;
    if record.status != "complete" {
        return Err(Error::Refused(format!(
            "run {run} is {}: only a complete run's results are corrected",
            record.status
        )));
    }
    let period = Period::parse(&record.period)?;
    let _job = registry
        .runtime()
        .take_job()
        .ok_or_else(|| Error::no_job(registry.runtime()))?;
    let stored = results(registry, run).await?;
    let mut choices = registry.store().run_choices(run).await?;
    // Each subject whose facts are replaced, by position, and the facts.
    let mut overrides: HashMap<usize, BTreeMap<String, Option<i64>>> = HashMap::new();
    let (at, corrected) = match *change {
        Change::Facts { subject, facts } => {
            let Some(at) = stored.iter().position(|r| r.subject == subject) else {
                return Err(Error::NotFound(format!(
                    "run {run} holds no result of `{subject}`"
                )));
            };
            if stored[at].outcome == Outcome::NotEvaluated {
                return Err(Error::Refused(format!(
                    "`{subject}` is not evaluated in run {run} (exempted): there is no result to correct"
                )));
            }
            (Some(at), facts.clone())
        }
        Change::Derived { facts } => {
            for (subject, values) in facts {
                if let Some(k) = stored
                    .iter()
                    .position(|r| &r.subject == subject && r.outcome != Outcome::NotEvaluated)
                {
                    overrides.insert(k, values.clone());
                }
            }
            (None, BTreeMap::new())
        }
        Change::Choice { rule, cohort, keep } => {
            choices.insert((rule.to_string(), cohort.to_string()), keep.to_vec());
            (None, BTreeMap::new())
        }
    };
    if let Some(at) = at {
        overrides.insert(
            at,
            corrected
                .iter()
                .map(|(n, v)| (n.clone(), Some(*v)))
                .collect(),
        );
    }

    // The card versions the run used, as it used them.
    let (plugins, plugin_of) = super::verify::plugins_used(registry, run, &stored).await?;
    if let Some(at) = at {
        let info = &plugins[plugin_of[at]].info;
        for name in corrected.keys() {
            if !info.facts.iter().any(|f| &f.name == name) {
                return Err(Error::Refused(format!(
                    "`{name}` is not a fact of {}@{}",
                    info.name, info.version
                )));
            }
        }
    }

    // The waves the run scored in: the people, then the leaders.
    let units = Units::load_at(registry, &period.end()).await?;
    let reads_led: Vec<bool> = plugins
        .iter()
        .map(|p| {
            p.info
                .facts
                .iter()
                .any(|f| matches!(f.origin, FactOrigin::FromLedResults(_)))
        })
        .collect();
    let position: HashMap<&str, usize> = stored
        .iter()
        .enumerate()
        .map(|(k, r)| (r.subject.as_str(), k))
        .collect();
    let mut waves: Vec<Vec<usize>> = vec![Vec::new()];
    // For each leader (by position in `stored`), the people they lead (by id).
    let mut led: HashMap<usize, Vec<String>> = HashMap::new();
    if reads_led.iter().any(|&r| r) {
        let mut subjects = SubjectRow::load_all(registry, &period.end()).await?;
        if let Some(root) = record.unit.as_deref() {
            subjects.retain(|s| units.within(&s.unit, root));
        }
        let leaders: Vec<usize> = subjects
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                position.get(s.id.as_str()).is_some_and(|&k| {
                    reads_led[plugin_of[k]] && stored[k].outcome != Outcome::NotEvaluated
                })
            })
            .map(|(i, _)| i)
            .collect();
        let by_leader = super::leaders::led_by(&subjects, &units, &leaders);
        for wave in
            super::leaders::waves(&subjects, &leaders, &by_leader).map_err(Error::Refused)?
        {
            waves.push(
                wave.iter()
                    .map(|&l| position[subjects[l].id.as_str()])
                    .collect(),
            );
        }
        for (l, people) in &by_leader {
            led.insert(
                position[subjects[*l].id.as_str()],
                people.iter().map(|&p| subjects[p].id.clone()).collect(),
            );
        }
    }
    for (k, r) in stored.iter().enumerate() {
        if r.outcome != Outcome::NotEvaluated && !reads_led[plugin_of[k]] {
            waves[0].push(k);
        }
    }

    let keys = Arc::new(Keys::open(registry.store(), FACTS).await?);
    let mut now: Vec<StoredResult> = stored.clone();
    let infos: Vec<&PluginInfo> = plugins.iter().map(|p| &p.info).collect();
    let mut open_ties: Vec<Tie> = Vec::new();
    for wave in &waves {
        // Who in this wave is scored again, with which facts in place of
        // those stored.
        let mut again: Vec<(usize, BTreeMap<String, Option<i64>>)> = Vec::new();
        for &k in wave {
            let mut replaced: BTreeMap<String, Option<i64>> = BTreeMap::new();
            if let Some(values) = overrides.get(&k) {
                replaced.extend(values.iter().map(|(n, v)| (n.clone(), *v)));
            }
            if let Some(people) = led.get(&k) {
                let finals = people.iter().map(|p| match position.get(p.as_str()) {
                    Some(&i) if now[i].outcome != Outcome::NotEvaluated => {
                        (now[i].total, now[i].grade)
                    }
                    _ => (None, None),
                });
                let finals: Vec<(Option<i64>, Option<GradeCode>)> = finals.collect();
                for fact in &infos[plugin_of[k]].facts {
                    if let FactOrigin::FromLedResults(m) = fact.origin {
                        let value = super::leaders::measure(m, finals.iter().copied());
                        let was = now[k]
                            .facts
                            .as_ref()
                            .and_then(|f| f.get(&fact.name))
                            .flatten();
                        if value != was {
                            replaced.insert(fact.name.clone(), value);
                        }
                    }
                }
            }
            if !replaced.is_empty() {
                again.push((k, replaced));
            }
        }
        let scored =
            rescore_some(registry, &period, &plugins, &plugin_of, &now, &again, &keys).await?;
        for (k, r) in scored {
            now[k] = r;
        }
        // The wave's cohort rules, applied again to the whole wave.
        let mut members: Vec<StoredResult> = wave.iter().map(|&k| now[k].clone()).collect();
        let members_plugin: Vec<usize> = wave.iter().map(|&k| plugin_of[k]).collect();
        open_ties.extend(apply_cohort_rules(
            &units,
            &infos,
            &members_plugin,
            &mut members,
            &choices,
        ));
        for (&k, r) in wave.iter().zip(members) {
            now[k] = r;
        }
    }

    // Summed in the order the run added them: wave by wave, then those
    // not evaluated.
    let old = record.summary.clone().unwrap_or_default();
    let mut summary = SummaryBuilder::carrying(&old, &units);
    let mut order: Vec<usize> = Vec::with_capacity(now.len());
    for wave in &waves {
        let mut wave = wave.clone();
        wave.sort_by(|&a, &b| now[a].subject.cmp(&now[b].subject));
        order.extend(wave);
    }
    // Those not evaluated, and any stored result in no wave (a leader no
    // longer in the organisation as read now), after the waves.
    let in_waves: std::collections::HashSet<usize> = order.iter().copied().collect();
    let mut exempted: Vec<usize> = (0..now.len()).filter(|k| !in_waves.contains(k)).collect();
    exempted.sort_by(|&a, &b| now[a].subject.cmp(&now[b].subject));
    order.extend(exempted);
    for k in order {
        let r = &now[k];
        let ids = infos[plugin_of[k]].indicators.iter().map(|i| i.id.as_str());
        summary.add(r, ids.zip(r.indicators.iter().map(|i| i.light.light())));
    }
    let changed = stored
        .into_iter()
        .zip(now)
        .filter(|(a, b)| a != b)
        .collect();
    Ok(Rescored {
        run,
        period: record.period.clone(),
        from_revision: record.revision,
        changed,
        summary: summary.finish(),
        open_ties,
    })
}

/// The official runs in force built from `first`'s run (a year drawing
/// facts from its months), derived again with the facts its changes give,
/// and those built from them in turn (a month, its quarter, the year drawn
/// from quarters): each one that changes, in the order they are to be
/// written. A run reached twice is derived once, from the first.
pub async fn dependents(registry: &Registry, first: &Rescored) -> Result<Vec<Rescored>> {
    let mut out: Vec<Rescored> = Vec::new();
    let mut seen: std::collections::HashSet<i64> = std::collections::HashSet::from([first.run]);
    let mut next = 0;
    let mut from = first.clone();
    loop {
        for dep in direct_dependents(registry, &from).await? {
            if seen.insert(dep.run) {
                out.push(dep);
            }
        }
        let Some(dep) = out.get(next) else {
            return Ok(out);
        };
        from = dep.clone();
        next += 1;
    }
}

/// The official runs in force built directly from `first`'s run.
async fn direct_dependents(registry: &Registry, first: &Rescored) -> Result<Vec<Rescored>> {
    // The final (total, grade) each changed subject now has in the run.
    let finals: BTreeMap<&str, Option<(i64, String)>> = first
        .changed
        .iter()
        .filter(|(was, now)| (was.total, was.grade) != (now.total, now.grade))
        .map(|(_, now)| {
            let graded = (now.outcome == Outcome::Scored).then(|| {
                (
                    now.total.unwrap_or(0),
                    now.grade.map(|g| g.code().to_string()).unwrap_or_default(),
                )
            });
            (now.subject.as_str(), graded)
        })
        .collect();
    if finals.is_empty() {
        return Ok(Vec::new());
    }
    let period = Period::parse(&first.period)?;
    let kind = period.kind();
    let mut out = Vec::new();
    for o in super::official_runs(registry, true).await? {
        if o.run == first.run {
            continue;
        }
        let Ok(outer) = Period::parse(&o.period) else {
            continue;
        };
        let parts = outer.parts(kind);
        if !parts.contains(&period.text) {
            continue;
        }
        let mut derived: BTreeMap<String, BTreeMap<String, Option<i64>>> = BTreeMap::new();
        for (subject, graded) in &finals {
            let Some(r) = super::results_of(registry, o.run, super::Only::Subject(subject))
                .await?
                .into_iter()
                .next()
            else {
                continue;
            };
            let plugin = registry.plugin(&r.plugin, &r.version).await?;
            let wanted: Vec<(&str, ResultMeasure)> = plugin
                .info
                .facts
                .iter()
                .filter_map(|f| match f.origin {
                    FactOrigin::FromResults((k, m)) if k == kind => Some((f.name.as_str(), m)),
                    _ => None,
                })
                .collect();
            if wanted.is_empty() {
                continue;
            }
            // The subject's results in the official runs of the parts, the
            // latest publication of each, with the corrected one in place.
            let mut latest: BTreeMap<String, (i64, (i64, String))> = BTreeMap::new();
            for row in registry
                .store()
                .official_results_of(&parts, subject)
                .await?
            {
                let graded = (row.total.unwrap_or(0), row.grade.unwrap_or_default());
                if latest
                    .get(&row.period)
                    .is_none_or(|(p, _)| *p < row.publication)
                {
                    latest.insert(row.period.clone(), (row.publication, graded));
                }
            }
            let mut results: Vec<(i64, String)> = latest
                .into_iter()
                .filter(|(p, _)| *p != period.text)
                .map(|(_, (_, g))| g)
                .collect();
            results.extend(graded.clone());
            let facts = r.facts.clone().unwrap_or_default();
            let mut values = BTreeMap::new();
            for (name, measure) in wanted {
                // Without an official result in any part, nothing is drawn
                // (as a run draws nothing for them).
                let value = if results.is_empty() {
                    None
                } else {
                    super::derived_value(measure, &results)
                };
                if facts.get(name).flatten() != value {
                    values.insert(name.to_string(), value);
                }
            }
            if !values.is_empty() {
                derived.insert(subject.to_string(), values);
            }
        }
        if derived.is_empty() {
            continue;
        }
        let again = rescore(registry, o.run, &Change::Derived { facts: &derived }).await?;
        if !again.changed.is_empty() {
            out.push(again);
        }
    }
    Ok(out)
}

/// Scores `again` (positions in `now`, with the facts to put in place of
/// those stored) on the sandbox's threads: each one's new result.
async fn rescore_some(
    registry: &Registry,
    period: &Period,
    plugins: &[Arc<Plugin>],
    plugin_of: &[usize],
    now: &[StoredResult],
    again: &[(usize, BTreeMap<String, Option<i64>>)],
    keys: &Arc<Keys>,
) -> Result<Vec<(usize, StoredResult)>> {
    if again.is_empty() {
        return Ok(Vec::new());
    }
    let mut work = Vec::with_capacity(again.len());
    for (k, replaced) in again {
        let r = &now[*k];
        let plugin = plugins[plugin_of[*k]].clone();
        // The work products the run gave them, read again (a period an
        // official run locks keeps them as they were).
        let products = if plugin.info.reads_products {
            match registry
                .store()
                .products_between(&period.text, &r.subject, &r.subject)
                .await?
                .get(&r.subject)
            {
                Some(packed) => crate::products::unpack(packed).map_err(|e| {
                    Error::Internal(format!(
                        "the stored work products of {} are unreadable: {e}",
                        r.subject
                    ))
                })?,
                None => Vec::new(),
            }
        } else {
            Vec::new()
        };
        let facts = r.facts.clone().unwrap_or_default();
        let values: Vec<Option<i64>> = plugin
            .info
            .facts
            .iter()
            .map(|f| match replaced.get(&f.name) {
                Some(v) => *v,
                None => facts.get(&f.name).flatten(),
            })
            .collect();
        work.push((*k, r.clone(), plugin, values, products));
    }
    let runtime = registry.runtime_arc();
    let keys = keys.clone();
    let period = period.text.clone();
    tokio::task::spawn_blocking(move || {
        let pool = Pool {
            workers: 0,
            chunk: 16,
            progress: None,
        };
        pool.try_map(&runtime, work.len(), |lane, i| {
            let (k, was, plugin, values, products) = &work[i];
            let (facts, facts_sha256): (FactValues, String) = fact_record(plugin, values, &keys);
            let input = EvaluationInput {
                subject: Subject {
                    id: was.subject.clone(),
                    unit: was.unit.clone(),
                    position: was.post.clone(),
                },
                period: period.clone(),
                products: products.clone(),
                facts: values.clone(),
            };
            let (answer, fuel) = answer(lane, plugin, &input)?;
            let mut r = was.clone();
            r.facts = Some(facts);
            r.facts_sha256 = facts_sha256;
            r.fuel = fuel as i64;
            fill(&mut r, answer, &plugin.info);
            Ok((*k, r))
        })
    })
    .await
    .map_err(|e| Error::Internal(format!("the scoring threads failed: {e}")))?
    .map_err(Error::Busy)
}
