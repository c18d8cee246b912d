//! Re-derivation: every stored result of a run scored again from the fact
//! values that run read and the stored plugin bytes, in fresh instances, with
//! the cohort rules applied again — and every difference reported.

use crate::access::keyring::{FACTS, Keys};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use serde::Serialize;

use super::progress::Progress;
use super::results::{results, run_record_by_id};
use super::run::{answer, apply_cohort_rules, fill};
use super::{Error, Outcome, Pool, Result, StoredResult};
use crate::registry::Registry;
use crate::runtime::{ENGINE_VERSION, EvaluationInput, Plugin, PluginInfo, Subject};
use crate::store::parts::Part;

/// One field of one result that re-derivation does not reproduce.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Difference {
    /// The subject.
    pub subject: String,
    /// The field: total, grade, caps, indicators, …
    pub field: String,
    /// As stored.
    pub stored: String,
    /// As derived again.
    pub derived: String,
}

/// What a verification found.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Verified {
    /// The run.
    pub run: i64,
    /// Results scored again.
    pub checked: usize,
    /// Whether fuel was compared too (only under the engine that scored the run).
    pub fuel_compared: bool,
    /// Every difference; none on an honest run.
    pub differences: Vec<Difference>,
}

/// Scores every result of a complete run again and compares.
pub async fn verify(registry: &Registry, run: i64, progress: Arc<Progress>) -> Result<Verified> {
    let record = run_record_by_id(registry, run).await?;
    let _job = registry
        .runtime()
        .take_job()
        .ok_or_else(|| Error::no_job(registry.runtime()))?;
    let stored = results(registry, run).await?;
    let (plugins, plugin_of) = plugins_used(registry, run, &stored).await?;
    progress.set_total(stored.len());
    progress.stage(2);
    // Every facts key, retired ones too: each result names the key its
    // commitment was made under.
    let keys = Keys::open(registry.store(), FACTS).await?;
    // A subject recorded as not evaluated must still be exempted, in the
    // same words; nothing of theirs is scored.
    let exemptions: HashMap<String, String> = registry
        .store()
        .period_exemptions(&record.period)
        .await?
        .iter()
        .map(|e| (e.subject.clone(), super::run::exemption_words(e)))
        .collect();
    // The work products the scorecards that read them were given, read
    // again from the store (a change since the run shows as a difference).
    let products = if plugins.iter().any(|p| p.info.reads_products) {
        registry
            .store()
            .products_between(&record.period, "", "\u{10ffff}")
            .await?
    } else {
        HashMap::new()
    };
    let runtime = registry.runtime_arc();
    let period = record.period.clone();
    let (stored, plugin_of, plugins, derived) = tokio::task::spawn_blocking(move || {
        let pool = Pool {
            workers: 0,
            chunk: 256,
            progress: Some(&progress),
        };
        let derived = pool.try_map(&runtime, stored.len(), |lane, k| {
            let s = &stored[k];
            if s.outcome == Outcome::NotEvaluated {
                let mut again = s.clone();
                again.error = Some(
                    exemptions
                        .get(&s.subject)
                        .cloned()
                        .unwrap_or_else(|| format!("no exemption for {period} any more")),
                );
                return Ok((again, None));
            }
            if let Some(words) = exemptions.get(&s.subject) {
                // Exempted since it was scored: the run no longer stands.
                let mut again = s.clone();
                again.outcome = Outcome::NotEvaluated;
                again.error = Some(words.clone());
                return Ok((again, None));
            }
            let plugin = &plugins[plugin_of[k]];
            // Unreadable products read as none: the result then differs,
            // and verify says so.
            let given = match products.get(&s.subject) {
                Some(packed) if plugin.info.reads_products => {
                    crate::products::unpack(packed).unwrap_or_default()
                }
                _ => Vec::new(),
            };
            rederive(lane, plugin, s, given, &period, &keys)
        });
        (stored, plugin_of, plugins, derived)
    })
    .await
    .map_err(|e| Error::Internal(format!("the scoring threads failed: {e}")))?;
    let derived = derived.map_err(Error::Busy)?;
    let mut again: Vec<StoredResult> = derived.into_iter().map(|(r, _)| r).collect();
    let infos: Vec<&PluginInfo> = plugins.iter().map(|p| &p.info).collect();
    // The organisation as the run read it: at the period's end.
    let period_end = crate::registry::Period::parse(&record.period)?.end();
    let units = super::Units::load_at(registry, &period_end).await?;
    // With the competent person's choices among the tied, as recorded.
    let choices = registry.store().run_choices(run).await?;
    apply_cohort_rules(&units, &infos, &plugin_of, &mut again, &choices);
    let fuel_compared = record.engine == ENGINE_VERSION;
    let mut differences = Vec::new();
    for (s, d) in stored.iter().zip(&again) {
        compare(s, d, fuel_compared, &mut differences);
    }
    // Where each mover served, from the organisation's history as it
    // stands: a move recorded since inside the period shows here. A run
    // from before parts were kept has none to compare.
    if registry.store().run_parts_recorded(run).await? {
        verify_parts(registry, run, &record.period, &stored, &mut differences).await?;
    }
    Ok(Verified {
        run,
        checked: stored.len(),
        fuel_compared,
        differences,
    })
}

/// Compares a run's parts as stored with the parts derived again.
async fn verify_parts(
    registry: &Registry,
    run: i64,
    period: &str,
    stored: &[StoredResult],
    differences: &mut Vec<Difference>,
) -> Result<()> {
    let period = crate::registry::Period::parse(period)?;
    let period_end = period.end();
    let moves = registry
        .store()
        .moves_within(&period.start, &period_end)
        .await?;
    let placed: std::collections::HashSet<&str> =
        stored.iter().map(|r| r.subject.as_str()).collect();
    compare_parts(
        registry.store().run_parts(run, None).await?,
        super::parts::parts_of(&period, &moves, &placed),
        differences,
    );
    Ok(())
}

/// The card versions a run's `stored` results were scored with, as it used
/// them (each one's bytes as the run recorded them), and which of them
/// each result's is, by position.
pub(super) async fn plugins_used(
    registry: &Registry,
    run: i64,
    stored: &[StoredResult],
) -> Result<(Vec<Arc<Plugin>>, Vec<usize>)> {
    let mut plugins: Vec<Arc<Plugin>> = Vec::new();
    let mut index: HashMap<(String, String), usize> = HashMap::new();
    let mut plugin_of = Vec::with_capacity(stored.len());
    for r in stored {
        let key = (r.plugin.clone(), r.version.clone());
        let p = match index.get(&key) {
            Some(&p) => p,
            None => {
                let plugin = registry.plugin(&r.plugin, &r.version).await?;
                if plugin.sha256 != r.sha256 {
                    return Err(Error::Refused(format!(
                        "{}@{} is stored with sha256 {}, but run {run} used {}",
                        r.plugin, r.version, plugin.sha256, r.sha256
                    )));
                }
                plugins.push(plugin);
                index.insert(key, plugins.len() - 1);
                plugins.len() - 1
            }
        };
        plugin_of.push(p);
    }
    Ok((plugins, plugin_of))
}

/// One result scored again from the facts it records.
fn rederive(
    lane: &mut crate::runtime::Lane,
    plugin: &Plugin,
    stored: &StoredResult,
    products: Vec<crate::runtime::WorkProduct>,
    period: &str,
    keys: &Keys,
) -> std::result::Result<(StoredResult, Option<crate::runtime::Evaluation>), String> {
    let mut again = stored.clone();
    let facts = stored.facts.clone().unwrap_or_default();
    // Committed again as the stored one was (its key, or a plain SHA-256
    // for a run from before keys); a key this database does not hold
    // cannot vouch for anything.
    again.facts_sha256 = keys
        .commit_like(&stored.facts_sha256, facts.to_json().as_bytes())
        .unwrap_or_else(|| "a key this database does not hold".to_string());
    let input = EvaluationInput {
        subject: Subject {
            id: stored.subject.clone(),
            unit: stored.unit.clone(),
            position: stored.post.clone(),
        },
        period: period.to_string(),
        products,
        facts: plugin
            .info
            .facts
            .iter()
            .map(|f| facts.get(&f.name).flatten())
            .collect(),
    };
    let (answer, fuel) = answer(lane, plugin, &input)?;
    again.fuel = fuel as i64;
    let eval = fill(&mut again, answer, &plugin.info);
    Ok((again, eval))
}

/// Each subject whose parts as stored and as derived again differ.
fn compare_parts(
    stored: Vec<(String, Part)>,
    derived: Vec<(String, Part)>,
    out: &mut Vec<Difference>,
) {
    let by_subject = |parts: Vec<(String, Part)>| {
        let mut of: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (subject, p) in parts {
            of.entry(subject).or_default().push(format!(
                "{}..{} {} {}",
                p.first_month, p.last_month, p.unit, p.post
            ));
        }
        of
    };
    let (mut stored, mut derived) = (by_subject(stored), by_subject(derived));
    let subjects: BTreeSet<String> = stored.keys().chain(derived.keys()).cloned().collect();
    for subject in subjects {
        let a = stored.remove(&subject).unwrap_or_default();
        let b = derived.remove(&subject).unwrap_or_default();
        if a != b {
            out.push(Difference {
                subject,
                field: "parts".into(),
                stored: a.join(", "),
                derived: b.join(", "),
            });
        }
    }
}

fn compare(s: &StoredResult, d: &StoredResult, fuel: bool, out: &mut Vec<Difference>) {
    let show = |v: &dyn std::fmt::Debug| format!("{v:?}");
    let mut field = |name: &str, a: String, b: String| {
        if a != b {
            out.push(Difference {
                subject: s.subject.clone(),
                field: name.to_string(),
                stored: a,
                derived: b,
            });
        }
    };
    field("outcome", s.outcome.to_string(), d.outcome.to_string());
    field("total", show(&s.total), show(&d.total));
    field(
        "computed_grade",
        show(&s.computed_grade),
        show(&d.computed_grade),
    );
    field("grade", show(&s.grade), show(&d.grade));
    field("cohort_rule", show(&s.cohort_rule), show(&d.cohort_rule));
    field("caps", show(&s.caps), show(&d.caps));
    field("indicators", show(&s.indicators), show(&d.indicators));
    field("error", show(&s.error), show(&d.error));
    field(
        "facts_sha256",
        s.facts_sha256.clone(),
        d.facts_sha256.clone(),
    );
    if fuel {
        field("fuel", s.fuel.to_string(), d.fuel.to_string());
    }
}
