//! One scoring run: resolve every subject's scorecard for the period, load the
//! facts in force, score each subject in its own sandboxed instance on all
//! cores, apply cohort rules, and store it all in one transaction — a run is
//! seen whole or not at all, and one that fails or is killed shows as failed.

use crate::access::keyring::{FACTS, Keys};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::json;

use super::cohort::{Choices, CohortMember, Tie, apply_quota};
use super::progress::Progress;
use super::results::ABANDONED_AFTER_MS;
use super::summary::{Summary, SummaryBuilder};
use super::{Error, FactValues, IndicatorScore, Outcome, Pool, Result, StoredResult, Units, mean};
use crate::access::{Actor, Role};
use crate::explain;
use crate::registry::{Period, Registry};
use crate::runtime::{
    CohortRule, CohortScope, ENGINE_VERSION, Evaluation, EvaluationInput, FactOrigin, Lane, Light,
    Plugin, PluginInfo, ResultMeasure, Subject,
};
use crate::store::now_millis;
use crate::store::runs::NewRun;

/// What to run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// The period: 2025-09, 2025-Q3 or 2025.
    pub period: String,
    /// Restrict the run to a unit's subtree (cohorts stay whole: they lie within units).
    pub unit: Option<String>,
    /// Threads scoring at once; 0 for every core.
    pub workers: usize,
    /// Where the run reports how far it has got.
    pub progress: Arc<Progress>,
}

impl RunOptions {
    /// Every subject, for a period, on every core.
    pub fn period(period: &str) -> RunOptions {
        RunOptions {
            period: period.to_string(),
            unit: None,
            workers: 0,
            progress: Arc::new(Progress::default()),
        }
    }
}

/// How long each stage took.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Timings {
    /// Reading subjects and resolving their scorecards.
    pub resolve: Duration,
    /// Reading the facts in force.
    pub load: Duration,
    /// Scoring every subject (reading their work products included).
    pub evaluate: Duration,
    /// Of which reading work products, a chunk of subjects at a time.
    pub products: Duration,
    /// Cohort rules and the summary.
    pub cohort: Duration,
    /// Writing the results.
    pub store: Duration,
}

/// A finished run.
#[derive(Clone, Debug, Serialize)]
pub struct RunReport {
    /// Its id.
    pub run: i64,
    /// What it came to.
    pub summary: Summary,
    /// How long each stage took.
    pub timings: Timings,
}

/// Runs a period: see the module's description.
pub async fn run(registry: &Registry, actor: &Actor, options: &RunOptions) -> Result<RunReport> {
    run_inner(registry, actor, options, false).await
}

/// Runs but fails just before the results are committed, as a killed host
/// would: for tests that nothing partial is ever visible (feature `test-hooks`).
#[cfg(feature = "test-hooks")]
pub async fn run_interrupted(
    registry: &Registry,
    actor: &Actor,
    options: &RunOptions,
) -> Result<RunReport> {
    run_inner(registry, actor, options, true).await
}

async fn run_inner(
    registry: &Registry,
    actor: &Actor,
    options: &RunOptions,
    interrupt: bool,
) -> Result<RunReport> {
    let period = Period::parse(&options.period)?;
    // The organisation as it was at the period's end.
    let units = Units::load_at(registry, &period.end()).await?;
    if let Some(unit) = &options.unit
        && units.get(unit).is_none()
    {
        return Err(Error::NotFound(format!("no unit with code `{unit}`")));
    }
    match (&actor.role, &options.unit) {
        (Role::Admin, _) => {}
        (Role::UnitAdmin { unit: root }, Some(unit)) if units.within(unit, root) => {}
        (Role::UnitAdmin { unit: root }, _) => {
            return Err(Error::Forbidden(format!(
                "{} runs only within `{root}`: give --unit {root} or a unit below it",
                actor.name
            )));
        }
        _ => {
            return Err(Error::Forbidden(format!(
                "{} may not start runs: that takes an admin or a unit admin",
                actor.name
            )));
        }
    }
    // Held to the end: the run's lanes are counted in the runtime's share.
    let _job = registry
        .runtime()
        .take_job()
        .ok_or_else(|| Error::no_job(registry.runtime()))?;
    let store = registry.store();
    let now = now_millis();
    store
        .fail_abandoned_runs(now, now - ABANDONED_AFTER_MS)
        .await?;
    let mut tx = store.begin().await?;
    let id = tx
        .insert_run(&NewRun {
            period: &period.text,
            unit: options.unit.as_deref(),
            started_by: &actor.name,
            at: now,
            engine: ENGINE_VERSION,
        })
        .await?;
    let detail = json!({"run": id, "period": period.text, "unit": options.unit});
    Registry::audit(&mut tx, actor, "run-start", &period.text, detail).await?;
    tx.commit().await?;
    options.progress.started(id);

    // The heartbeat tells others the run is alive; without it, it is abandoned.
    let heartbeat = {
        let store = store.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(5)).await;
                let _ = store.run_heartbeat(id).await;
            }
        })
    };
    let outcome = score(registry, actor, options, &period, &units, id, interrupt).await;
    heartbeat.abort();
    match outcome {
        Ok(report) => Ok(report),
        Err(e) => {
            let reason = e.to_string();
            mark_failed(store, id, &reason).await;
            Err(Error::RunFailed { run: id, reason })
        }
    }
}

/// Marks a run failed. A run often fails because the database went away,
/// so this tries again for about half a minute; a run it still cannot mark
/// shows as failed anyway once its heartbeat is a minute old.
async fn mark_failed(store: &crate::store::Store, id: i64, reason: &str) {
    let mut wait = Duration::from_millis(250);
    for attempt in 1..=6 {
        match store.fail_run(id, reason).await {
            Ok(()) => return,
            Err(e) => {
                tracing::warn!(run = id, attempt, error = %e, "marking a failed run failed");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(8));
            }
        }
    }
}

/// A subject as a run reads it.
pub(crate) struct SubjectRow {
    pub(crate) id: String,
    pub(crate) unit: String,
    pub(crate) post: String,
    pub(crate) task_group: String,
    pub(crate) months_worked: Option<i64>,
    pub(crate) months_absent: Option<i64>,
    pub(crate) manager: Option<String>,
}

impl SubjectRow {
    /// Every subject with its post's task group, by id, where they were in
    /// the month `at` ("2025-03").
    pub(crate) async fn load_all(registry: &Registry, at: &str) -> Result<Vec<SubjectRow>> {
        let rows = registry.store().run_subjects(at).await?;
        Ok(rows
            .into_iter()
            .map(|r| SubjectRow {
                id: r.id,
                unit: r.unit,
                post: r.post,
                task_group: r.task_group,
                months_worked: r.months_worked,
                months_absent: r.months_absent,
                manager: r.manager,
            })
            .collect())
    }
}

impl StoredResult {
    /// A subject's result before its scorecard answered: who, and with which
    /// card; [`fill`] records the answer.
    pub(crate) fn blank(s: &SubjectRow, plugin: &str, version: &str, sha256: &str) -> StoredResult {
        StoredResult {
            subject: s.id.clone(),
            unit: s.unit.clone(),
            post: s.post.clone(),
            task_group: s.task_group.clone(),
            plugin: plugin.to_string(),
            version: version.to_string(),
            sha256: sha256.to_string(),
            outcome: Outcome::Fault,
            total: None,
            computed_grade: None,
            grade: None,
            cohort_rule: None,
            caps: Vec::new(),
            indicators: Vec::new(),
            facts: None,
            facts_sha256: String::new(),
            fuel: 0,
            error: None,
        }
    }
}

/// Every subject's facts sheet for a period, as stored: subject → JSON.
pub(crate) async fn fact_sheets(
    registry: &Registry,
    period: &Period,
) -> Result<HashMap<String, String>> {
    Ok(registry.store().period_fact_sheets(&period.text).await?)
}

/// A read running on another task ahead of its use: stopped if the run
/// stops before waiting for it (an error, a refusal), so nothing reads on
/// for a run that is over.
struct Ahead<T>(tokio::task::JoinHandle<T>);

impl<T> Ahead<T> {
    /// Its answer; `what` names it if its task failed.
    async fn wait(mut self, what: &str) -> Result<T> {
        (&mut self.0)
            .await
            .map_err(|e| Error::Internal(format!("reading {what} failed: {e}")))
    }
}

impl<T> Drop for Ahead<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// One subject to score with one plugin.
#[derive(Clone, Copy)]
struct Job {
    subject: usize,
    plugin: usize,
}

/// A plugin in use, and the version record it came from.
struct InUse {
    name: String,
    version: String,
    plugin: Arc<Plugin>,
}

/// What a scorecard answered for one subject.
pub(crate) enum Answer {
    Scored(Evaluation),
    Refused(String),
    Fault(String),
}

struct Scoring {
    facts: FactValues,
    facts_sha256: String,
    answer: Answer,
    fuel: u64,
}

#[allow(clippy::too_many_arguments)]
async fn score(
    registry: &Registry,
    actor: &Actor,
    options: &RunOptions,
    period: &Period,
    units: &Units,
    id: i64,
    interrupt: bool,
) -> Result<RunReport> {
    let progress = &options.progress;
    let mut timings = Timings::default();

    progress.stage(0);
    let started = Instant::now();
    // The period's fact sheets are read on another thread while the
    // subjects are read and resolved, which keep this one busy: a national
    // run spends more than a second on each.
    let sheets = {
        let store = registry.store().clone();
        let period = period.text.clone();
        Ahead(tokio::spawn(async move {
            store.period_fact_sheets(&period).await
        }))
    };
    let mut subjects = SubjectRow::load_all(registry, &period.end()).await?;
    // Where those who moved within the period were, read beside the
    // subjects so both see the same organisation.
    let moves = if period.kind() == crate::runtime::PeriodKind::Month {
        Vec::new()
    } else {
        registry
            .store()
            .moves_within(&period.start, &period.end())
            .await?
    };
    if let Some(root) = options.unit.as_deref() {
        subjects.retain(|row| units.within(&row.unit, root));
    }
    let mut summary = SummaryBuilder::new(&period.text, units);
    let exemptions: HashMap<String, String> = registry
        .store()
        .period_exemptions(&period.text)
        .await?
        .into_iter()
        .map(|e| (e.subject.clone(), exemption_words(&e)))
        .collect();
    let mut exempted: Vec<(Job, String)> = Vec::new();
    let mut resolver = registry.resolver(&period.text).await?;
    let mut in_use: Vec<InUse> = Vec::new();
    let mut by_version: HashMap<(String, String), usize> = HashMap::new();
    let mut jobs = Vec::with_capacity(subjects.len());
    for (i, s) in subjects.iter().enumerate() {
        let resolved = match resolver.resolve_kind(&s.post, &s.unit, Some(period.kind())) {
            Ok(Some(r)) => r,
            Ok(None) => {
                summary.skipped(&s.id, true, "");
                continue;
            }
            Err(e) => {
                summary.skipped(&s.id, false, &e.to_string());
                continue;
            }
        };
        let key = (resolved.assignment.plugin.clone(), resolved.version.clone());
        let plugin = match by_version.get(&key) {
            Some(&p) => p,
            None => {
                let plugin = registry.plugin(&key.0, &key.1).await?;
                in_use.push(InUse {
                    name: key.0.clone(),
                    version: key.1.clone(),
                    plugin,
                });
                by_version.insert(key, in_use.len() - 1);
                in_use.len() - 1
            }
        };
        // The describe() stored at publish is what resolution read; the
        // component's own must agree.
        if in_use[plugin].plugin.info.period_kind != period.kind() {
            summary.skipped(&s.id, true, "");
            continue;
        }
        // An exempted subject keeps the card they would have been scored
        // with, so their row says which, and is not scored.
        if let Some(words) = exemptions.get(&s.id) {
            exempted.push((Job { subject: i, plugin }, words.clone()));
            continue;
        }
        jobs.push(Job { subject: i, plugin });
    }
    timings.resolve = started.elapsed();

    progress.stage(1);
    let started = Instant::now();
    let sheets = sheets.wait("the fact sheets").await??;
    let infos: Vec<&PluginInfo> = in_use.iter().map(|u| &u.plugin.info).collect();
    let derived = derived_facts(registry, period, &infos).await?;
    timings.load = started.elapsed();

    // Leaders after their people: the jobs whose scorecard reads the final
    // results of the people their subject leads wait for them, in waves.
    let reads_led: Vec<bool> = in_use
        .iter()
        .map(|u| {
            u.plugin
                .info
                .facts
                .iter()
                .any(|f| matches!(f.origin, FactOrigin::FromLedResults(_)))
        })
        .collect();
    let (people, leader_jobs): (Vec<Job>, Vec<Job>) =
        jobs.into_iter().partition(|j| !reads_led[j.plugin]);
    let leaders: Vec<usize> = leader_jobs.iter().map(|j| j.subject).collect();
    let led = super::leaders::led_by(&subjects, units, &leaders);
    let leader_waves = super::leaders::waves(&subjects, &leaders, &led).map_err(Error::Refused)?;
    let job_of: HashMap<usize, Job> = leader_jobs.into_iter().map(|j| (j.subject, j)).collect();
    let mut job_of = job_of;
    let mut waves: Vec<Vec<Job>> = vec![people];
    for wave in leader_waves {
        waves.push(wave.into_iter().filter_map(|l| job_of.remove(&l)).collect());
    }

    progress.stage(2);
    progress.set_total(waves.iter().map(Vec::len).sum());
    // The facts each subject's answer rests on are committed under the
    // deployment's facts key (see access::keyring).
    let keys = Arc::new(Keys::open(registry.store(), FACTS).await?);
    let plugins: Arc<Vec<Arc<Plugin>>> =
        Arc::new(in_use.iter().map(|u| u.plugin.clone()).collect());
    let subjects = Arc::new(subjects);
    let sheets = Arc::new(sheets);
    let derived = Arc::new(derived);
    let infos: Vec<&PluginInfo> = in_use.iter().map(|u| &u.plugin.info).collect();
    let mut results: Vec<StoredResult> = Vec::new();
    let mut evaluations: Vec<Option<Evaluation>> = Vec::new();
    let mut plugin_of: Vec<usize> = Vec::new();
    let mut ties: Vec<Tie> = Vec::new();
    // Each subject's final (total, grade), once their wave is done.
    let mut finals: HashMap<usize, (Option<i64>, Option<super::GradeCode>)> = HashMap::new();
    for wave in waves {
        if wave.is_empty() {
            continue;
        }
        // The facts each leader of this wave draws from the people they lead.
        let mut led_facts: HashMap<usize, HashMap<String, i64>> = HashMap::new();
        for job in &wave {
            let Some(people) = led.get(&job.subject) else {
                continue;
            };
            let values = led_facts.entry(job.subject).or_default();
            for fact in &infos[job.plugin].facts {
                if let FactOrigin::FromLedResults(m) = fact.origin {
                    let finals = people
                        .iter()
                        .map(|p| finals.get(p).copied().unwrap_or((None, None)));
                    if let Some(v) = super::leaders::measure(m, finals) {
                        values.insert(fact.name.clone(), v);
                    }
                }
            }
        }
        let started = Instant::now();
        // Work products are read a chunk of subjects at a time (jobs are in
        // subject order), and only where a scorecard reads them.
        let chunks: Vec<Vec<Job>> = if wave
            .iter()
            .any(|j| in_use[j.plugin].plugin.info.reads_products)
        {
            wave.chunks(PRODUCT_CHUNK).map(<[Job]>::to_vec).collect()
        } else {
            vec![wave]
        };
        let led_facts = Arc::new(led_facts);
        let mut outcomes = Vec::new();
        let mut wave = Vec::new();
        // A chunk's products are read on another thread while the chunk
        // before it is scored.
        let read_products = |chunk: &[Job]| {
            let range = match (chunk.first(), chunk.last()) {
                (Some(first), Some(last))
                    if chunk
                        .iter()
                        .any(|j| in_use[j.plugin].plugin.info.reads_products) =>
                {
                    Some((
                        subjects[first.subject].id.clone(),
                        subjects[last.subject].id.clone(),
                    ))
                }
                _ => None,
            };
            let store = registry.store().clone();
            let period = period.text.clone();
            Ahead(tokio::spawn(async move {
                match range {
                    Some((first, last)) => store.products_between(&period, &first, &last).await,
                    None => Ok(HashMap::new()),
                }
            }))
        };
        let mut next = chunks.first().map(|c| read_products(c));
        for (k, chunk) in chunks.iter().enumerate() {
            let reading = Instant::now();
            let products = next
                .take()
                .expect("read before")
                .wait("work products")
                .await??;
            next = chunks.get(k + 1).map(|c| read_products(c));
            timings.products += reading.elapsed();
            let chunk = chunk.clone();
            let chunk = Arc::new(chunk);
            let scored = {
                let runtime = registry.runtime_arc();
                let (plugins, subjects, sheets, derived, keys, wave, led_facts) = (
                    plugins.clone(),
                    subjects.clone(),
                    sheets.clone(),
                    derived.clone(),
                    keys.clone(),
                    chunk.clone(),
                    led_facts.clone(),
                );
                let progress = progress.clone();
                let period = period.text.clone();
                let workers = options.workers;
                tokio::task::spawn_blocking(move || {
                    let pool = Pool {
                        workers,
                        chunk: 256,
                        progress: Some(&progress),
                    };
                    pool.try_map(&runtime, wave.len(), |lane, k| {
                        let job = &wave[k];
                        let subject = &subjects[job.subject];
                        let plugin = &plugins[job.plugin];
                        let products = match products.get(&subject.id) {
                            Some(packed) if plugin.info.reads_products => {
                                match crate::products::unpack(packed) {
                                    Ok(products) => products,
                                    Err(e) => {
                                        return Ok(Scoring {
                                            facts: FactValues::default(),
                                            facts_sha256: String::new(),
                                            answer: Answer::Fault(format!(
                                                "the stored work products are unreadable: {e}"
                                            )),
                                            fuel: 0,
                                        });
                                    }
                                }
                            }
                            _ => Vec::new(),
                        };
                        evaluate_one(
                            lane,
                            plugin,
                            subject,
                            &sheets,
                            &derived,
                            led_facts.get(&job.subject),
                            products,
                            &period,
                            &keys,
                        )
                    })
                })
                .await
                .map_err(|e| Error::Internal(format!("the scoring threads failed: {e}")))?
                .map_err(Error::Busy)?
            };
            outcomes.extend(scored);
            wave.extend(chunk.iter().copied());
        }
        timings.evaluate += started.elapsed();

        let started = Instant::now();
        let mut wave_results: Vec<StoredResult> = Vec::with_capacity(wave.len());
        let mut wave_evaluations: Vec<Option<Evaluation>> = Vec::with_capacity(wave.len());
        for (job, outcome) in wave.iter().zip(outcomes) {
            let s = &subjects[job.subject];
            let used = &in_use[job.plugin];
            let mut r = StoredResult::blank(s, &used.name, &used.version, &used.plugin.sha256);
            r.facts = Some(outcome.facts);
            r.facts_sha256 = outcome.facts_sha256;
            r.fuel = outcome.fuel as i64;
            wave_evaluations.push(fill(&mut r, outcome.answer, &used.plugin.info));
            wave_results.push(r);
        }
        // Cohort rules within the wave: a leader reads final grades.
        let wave_plugin_of: Vec<usize> = wave.iter().map(|j| j.plugin).collect();
        // A new run has no choices among the tied: its ties are open.
        ties.extend(apply_cohort_rules(
            units,
            &infos,
            &wave_plugin_of,
            &mut wave_results,
            &Choices::new(),
        ));
        for (job, r) in wave.iter().zip(&wave_results) {
            finals.insert(job.subject, (r.total, r.grade));
        }
        results.extend(wave_results);
        evaluations.extend(wave_evaluations);
        plugin_of.extend(wave_plugin_of);
        timings.cohort += started.elapsed();
    }

    progress.stage(3);
    let started = Instant::now();
    for (job, words) in &exempted {
        let used = &in_use[job.plugin];
        let mut r = StoredResult::blank(
            &subjects[job.subject],
            &used.name,
            &used.version,
            &used.plugin.sha256,
        );
        r.outcome = Outcome::NotEvaluated;
        r.error = Some(words.clone());
        r.facts = Some(FactValues::default());
        results.push(r);
        evaluations.push(None);
        plugin_of.push(job.plugin);
    }
    for ((r, eval), &p) in results.iter().zip(&evaluations).zip(&plugin_of) {
        let info = &in_use[p].plugin.info;
        let lights = eval.iter().flat_map(|e| {
            e.indicators
                .iter()
                .zip(&info.indicators)
                .map(|(r, spec)| (spec.id.as_str(), r.light))
        });
        summary.add(r, lights);
    }
    let summary = summary.finish();
    timings.cohort += started.elapsed();

    // Where those who moved within the period served, part by part.
    let parts = {
        let placed: std::collections::HashSet<&str> =
            results.iter().map(|r| r.subject.as_str()).collect();
        super::parts::parts_of(period, &moves, &placed)
    };

    progress.stage(4);
    let started = Instant::now();
    let mut tx = registry.store().begin().await?;
    tx.insert_run_parts(id, &parts).await?;
    tx.insert_run_results(id, results).await?;
    tx.reopen_ties(id, &ties).await?;
    if !tx
        .complete_run(id, &serde_json::to_string(&summary).expect("serialises"))
        .await?
    {
        tx.rollback().await?;
        return Err(Error::Refused(format!(
            "run {id} was marked failed while it was scored (its heartbeat was late); its results are not kept: start it again"
        )));
    }
    let detail = json!({
        "run": id, "period": period.text, "unit": options.unit, "scored": summary.scored,
        "refused": summary.refused, "faults": summary.faults, "grades": summary.grades,
    });
    Registry::audit(&mut tx, actor, "run", &period.text, detail).await?;
    if interrupt {
        tx.rollback().await?;
        return Err(Error::Refused(
            "the run was interrupted before its results were committed".into(),
        ));
    }
    tx.commit().await?;
    timings.store = started.elapsed();
    progress.stage(5);
    Ok(RunReport {
        run: id,
        summary,
        timings,
    })
}

/// An exemption as a result records it: the reason, and its basis.
pub(crate) fn exemption_words(e: &crate::store::exemptions::ExemptionRow) -> String {
    match &e.basis {
        Some(basis) => format!("not evaluated for {}: {} ({basis})", e.period, e.reason),
        None => format!("not evaluated for {}: {}", e.period, e.reason),
    }
}

/// Subjects whose work products a run holds at once.
const PRODUCT_CHUNK: usize = 16_384;

/// A light as stored.
pub fn light_code(light: Light) -> &'static str {
    match light {
        Light::Green => "green",
        Light::Yellow => "yellow",
        Light::Red => "red",
        Light::NoData => "no-data",
    }
}

/// Applies every quota each scorecard declares to the results it scored
/// (`plugin_of[k]` indexes `infos`), counting cohorts by each result's unit,
/// task group and enclosing units of a type, as the rule's scope says, and
/// the competent person's `choices` among the tied; the ties still open. A
/// quota reads each result's total and computed grade (after caps, before
/// any cohort rule), so applying the rules again to results they were
/// applied to (a correction, a verification) gives the same grades.
pub(crate) fn apply_cohort_rules(
    units: &Units,
    infos: &[&PluginInfo],
    plugin_of: &[usize],
    results: &mut [StoredResult],
    choices: &Choices,
) -> Vec<Tie> {
    let mut open = Vec::new();
    for r in results.iter_mut() {
        if r.outcome == Outcome::Scored {
            r.grade = r.computed_grade;
            r.cohort_rule = None;
        }
    }
    for (p, info) in infos.iter().enumerate() {
        for CohortRule::Quota(rule) in &info.cohort_rules {
            let mut members = Vec::new();
            let mut index = Vec::new();
            for (k, r) in results.iter().enumerate() {
                let (Outcome::Scored, Some(total), Some(grade), true) =
                    (r.outcome, r.total, r.computed_grade, plugin_of[k] == p)
                else {
                    continue;
                };
                let cohort: Vec<&str> = rule
                    .scope
                    .iter()
                    .map(|scope| match scope {
                        CohortScope::Agency => r.unit.as_str(),
                        CohortScope::TaskGroup => r.task_group.as_str(),
                        // Those under no unit of the type count together.
                        CohortScope::Level(kind) => units.enclosing(&r.unit, kind).unwrap_or(""),
                    })
                    .collect();
                members.push(CohortMember {
                    subject: r.subject.clone(),
                    cohort: cohort.join(" · "),
                    total,
                    grade: grade.grade(),
                });
                index.push(k);
            }
            let outcome = apply_quota(rule, &members, choices);
            for m in outcome.demoted {
                let r = &mut results[index[m]];
                r.grade = Some(rule.demote_to.into());
                r.cohort_rule = Some(rule.code.clone());
            }
            open.extend(outcome.open);
        }
    }
    open
}

/// Records a scorecard's answer in a result; the evaluation, when scored.
pub(crate) fn fill(r: &mut StoredResult, answer: Answer, info: &PluginInfo) -> Option<Evaluation> {
    r.total = None;
    r.computed_grade = None;
    r.grade = None;
    r.cohort_rule = None;
    r.caps = Vec::new();
    r.indicators = Vec::new();
    r.error = None;
    match answer {
        Answer::Scored(eval) => {
            r.outcome = Outcome::Scored;
            r.total = Some(eval.total);
            r.computed_grade = Some(eval.grade.into());
            r.grade = r.computed_grade;
            r.caps = eval
                .caps
                .iter()
                .map(|&c| {
                    info.caps
                        .get(c as usize)
                        .map_or_else(|| c.to_string(), |cap| cap.code.clone())
                })
                .collect();
            r.indicators = eval
                .indicators
                .iter()
                .map(|i| IndicatorScore {
                    raw: i.raw,
                    score: i.score,
                    light: i.light.into(),
                })
                .collect();
            Some(eval)
        }
        Answer::Refused(why) => {
            r.outcome = Outcome::Refused;
            r.error = Some(why);
            None
        }
        Answer::Fault(why) => {
            r.outcome = Outcome::Fault;
            r.error = Some(why);
            None
        }
    }
}

/// Facts a scorecard draws from the subject's own official results for the
/// shorter periods inside this one (Decision 623: monthly grades are the basis
/// of the annual classification): subject → fact → value.
pub(crate) async fn derived_facts(
    registry: &Registry,
    period: &Period,
    infos: &[&PluginInfo],
) -> Result<HashMap<String, HashMap<String, i64>>> {
    let mut wanted: Vec<(String, crate::runtime::PeriodKind, ResultMeasure)> = Vec::new();
    for info in infos {
        for fact in &info.facts {
            if let FactOrigin::FromResults((kind, measure)) = fact.origin {
                wanted.push((fact.name.clone(), kind, measure));
            }
        }
    }
    let mut out: HashMap<String, HashMap<String, i64>> = HashMap::new();
    let mut parts_cache: HashMap<String, HashMap<String, Vec<(i64, String)>>> = HashMap::new();
    for (fact, kind, measure) in wanted {
        let parts = period.parts(kind);
        if parts.is_empty() {
            continue;
        }
        let key = parts.join(",");
        if !parts_cache.contains_key(&key) {
            parts_cache.insert(key.clone(), official_parts(registry, &parts).await?);
        }
        for (subject, graded) in &parts_cache[&key] {
            let Some(value) = derived_value(measure, graded) else {
                continue;
            };
            out.entry(subject.clone())
                .or_default()
                .insert(fact.clone(), value);
        }
    }
    Ok(out)
}

/// A fact drawn from a subject's (total, grade) in the official runs of the
/// shorter periods: `measure` of those graded; none where there is no mean.
pub(crate) fn derived_value(measure: ResultMeasure, results: &[(i64, String)]) -> Option<i64> {
    let graded: Vec<&(i64, String)> = results.iter().filter(|(_, g)| g != "not-graded").collect();
    let count = |g: &str| graded.iter().filter(|(_, x)| x == g).count() as i64 * 10_000;
    Some(match measure {
        ResultMeasure::MeanTotal => {
            let sum = graded.iter().map(|(t, _)| i128::from(*t)).sum();
            mean(sum, graded.len())?
        }
        ResultMeasure::CountA => count("A"),
        ResultMeasure::CountB => count("B"),
        ResultMeasure::CountC => count("C"),
        ResultMeasure::CountD => count("D"),
        ResultMeasure::CountGraded => graded.len() as i64 * 10_000,
    })
}

/// Every subject's (total, grade) in the official runs of `parts`: the latest
/// publication in force for each part.
async fn official_parts(
    registry: &Registry,
    parts: &[String],
) -> Result<HashMap<String, Vec<(i64, String)>>> {
    let mut latest: BTreeMap<(String, String), (i64, i64, String)> = BTreeMap::new();
    for r in registry.store().official_results(parts).await? {
        let key = (r.subject, r.period);
        if latest.get(&key).is_none_or(|(p, _, _)| *p < r.publication) {
            latest.insert(
                key,
                (
                    r.publication,
                    r.total.unwrap_or(0),
                    r.grade.unwrap_or_default(),
                ),
            );
        }
    }
    let mut out: HashMap<String, Vec<(i64, String)>> = HashMap::new();
    for ((subject, _), (_, total, grade)) in latest {
        out.entry(subject).or_default().push((total, grade));
    }
    Ok(out)
}

/// The facts a plugin reads for one subject, by position.
pub(crate) fn read_facts(
    plugin: &Plugin,
    subject: &SubjectRow,
    sheet: Option<&String>,
    derived: Option<&HashMap<String, i64>>,
    led: Option<&HashMap<String, i64>>,
) -> std::result::Result<Vec<Option<i64>>, String> {
    let sheet: BTreeMap<String, i64> = match sheet {
        Some(text) => serde_json::from_str(text)
            .map_err(|e| format!("the stored facts are unreadable: {e}"))?,
        None => BTreeMap::new(),
    };
    let mut values = Vec::with_capacity(plugin.info.facts.len());
    for fact in &plugin.info.facts {
        let value = match fact.origin {
            FactOrigin::FromResults(_) => derived.and_then(|d| d.get(&fact.name)).copied(),
            // Facts from the people led are filled once those are scored;
            // assessed facts are recorded as imported ones are, for now.
            FactOrigin::FromLedResults(_) => led.and_then(|d| d.get(&fact.name)).copied(),
            FactOrigin::Imported | FactOrigin::Assessed(_) => {
                sheet.get(&fact.name).copied().or_else(|| {
                    // Months worked and absent come from the subject's record when
                    // no import gave them.
                    match fact.name.as_str() {
                        "months-worked" => subject.months_worked.map(|m| m * 10_000),
                        "months-absent" => subject.months_absent.map(|m| m * 10_000),
                        _ => None,
                    }
                })
            }
        };
        values.push(value);
    }
    Ok(values)
}

/// The record of the facts a result was scored on: the values by name (none
/// for missing), and the SHA-256 of their JSON, keys in order.
/// The facts a subject's answer rests on, by name, and their commitment
/// under the current facts key.
pub(crate) fn fact_record(
    plugin: &Plugin,
    values: &[Option<i64>],
    keys: &Keys,
) -> (FactValues, String) {
    let (names, order) = plugin.facts_by_name();
    let record = FactValues::new(names.clone(), order.iter().map(|&k| values[k]).collect());
    let commitment = keys.commit(record.to_json().as_bytes());
    (record, commitment)
}

#[allow(clippy::too_many_arguments)]
fn evaluate_one(
    lane: &mut Lane,
    plugin: &Plugin,
    subject: &SubjectRow,
    sheets: &HashMap<String, String>,
    derived: &HashMap<String, HashMap<String, i64>>,
    led: Option<&HashMap<String, i64>>,
    products: Vec<crate::runtime::WorkProduct>,
    period: &str,
    keys: &Keys,
) -> std::result::Result<Scoring, String> {
    let values = match read_facts(
        plugin,
        subject,
        sheets.get(&subject.id),
        derived.get(&subject.id),
        led,
    ) {
        Ok(values) => values,
        Err(why) => {
            return Ok(Scoring {
                facts: FactValues::default(),
                facts_sha256: String::new(),
                answer: Answer::Fault(why),
                fuel: 0,
            });
        }
    };
    let (facts, facts_sha256) = fact_record(plugin, &values, keys);
    let input = EvaluationInput {
        subject: Subject {
            id: subject.id.clone(),
            unit: subject.unit.clone(),
            position: subject.post.clone(),
        },
        period: period.to_string(),
        products,
        facts: values,
    };
    let (answer, fuel) = answer(lane, plugin, &input)?;
    Ok(Scoring {
        facts,
        facts_sha256,
        answer,
        fuel,
    })
}

/// Scores one input in a fresh instance: the answer and the fuel it took.
/// One subject's answer and the fuel it took; `Err` when the host had no
/// instance to give it, which is no fact about the subject or its plugin:
/// the run or verification stops whole.
pub(super) fn answer(
    lane: &mut Lane,
    plugin: &Plugin,
    input: &EvaluationInput,
) -> std::result::Result<(Answer, u64), String> {
    Ok(match lane.evaluate(plugin, input) {
        Ok(evaluated) => (
            match evaluated.answer {
                Ok(eval) => Answer::Scored(eval),
                Err(e) => Answer::Refused(explain::evaluation_error(&plugin.info, &e)),
            },
            evaluated.fuel,
        ),
        Err(e @ crate::runtime::Error::HostBusy(_)) => return Err(e.to_string()),
        Err(e) => (Answer::Fault(format!("{}: {e}", e.kind())), 0),
    })
}
