//! A person's (or a unit's) scorecard in a run: every indicator with its
//! factor, its formula in words, raw value, score, light and the host's
//! sentence; the caps and the quota decision; the scorecard version and hash
//! that computed it. Shown to the public only where the unit publishes
//! per-person results; the facts and the cap reasons only to those entitled.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;

use super::error::WebError;
use super::locale::Lang;
use super::session::{Chrome, Visit};
use crate::app::{AppState, Wording};
use crate::explain;
use crate::runtime::{CohortRule, Direction, Group, IndicatorResult, Light, PluginInfo};
use crate::scoring::{self, Only, Outcome, StoredResult};

struct IndicatorRow {
    id: String,
    title: String,
    factor: &'static str,
    formula: String,
    weight: String,
    raw: String,
    score: String,
    max: String,
    light: &'static str,
    light_word: &'static str,
    explanation: String,
}

struct FactRow {
    name: String,
    title: String,
    value: String,
    unit: String,
    source: String,
}

/// What the reader may see of the caps.
enum Caps {
    /// Not for this reader.
    Hidden,
    /// Those that applied: code and reason.
    Applied(Vec<(String, String)>),
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    c: Chrome,
    run: i64,
    period: String,
    subject: String,
    name: String,
    unit: String,
    unit_name: String,
    post: String,
    scored: bool,
    outcome: String,
    why: Option<String>,
    total: String,
    max_total: String,
    grade: String,
    grade_name: &'static str,
    quota: Option<String>,
    indicators: Vec<IndicatorRow>,
    /// Each factor with indicators: its name and points.
    points: Vec<(&'static str, String)>,
    caps: Caps,
    facts: Option<Vec<FactRow>>,
    plugin: String,
    version: String,
    card_link: String,
    sha256: String,
    facts_sha256: String,
    engine: String,
    fuel: String,
    history: Vec<HistoryRow>,
    /// The corrections that changed this result: revision, day, and the
    /// grade and total before (to readers who see the total).
    corrected: Vec<(i64, String, String, String)>,
    /// Where they served, stretch by stretch, when they moved within the
    /// period: the unit's code and name, and the months.
    served: Vec<(String, String, String)>,
    /// The period's assessment, to its parties: where it stands, its link,
    /// and each assessed fact's gap between servant and manager.
    assessment: Option<AssessmentLink>,
}

/// A person's assessment for the page's period, as a party sees it.
struct AssessmentLink {
    link: String,
    state: &'static str,
    gaps: Vec<(String, String)>,
}

/// The person in one official period.
struct HistoryRow {
    run: i64,
    period: String,
    total: String,
    grade: String,
    current: bool,
}

/// `/runs/{id}/people/{subject}`.
pub async fn page(
    State(state): State<AppState>,
    visit: Visit,
    Path((id, subject)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let lang = visit.lang;
    let w = visit.w();
    let id = super::run_id(&id).map_err(|e| visit.error(e))?;
    let record = scoring::run_head(&state.registry, id)
        .await
        .map_err(|e| visit.error(e))?;
    let units = state
        .units
        .get(&state.registry)
        .await
        .map_err(|e| visit.error(e))?;
    // A result the reader may not see is answered as one that does not
    // exist, so the page tells nobody whether, or where, someone is.
    let via = format!("the page of {subject} in run {id}");
    let r = crate::access::visible_run_results(
        &state.registry,
        &visit.caller,
        &via,
        id,
        Only::Subject(&subject),
    )
    .await
    .map_err(|e| visit.error(e))?
    .pop()
    .ok_or_else(|| {
        visit.error(
            WebError::not_found(format!(
                "run {id} holds no result for `{subject}` that you may see: \
                     per-person results are public only where a unit publishes them"
            ))
            .worded(Wording::NoResult(subject.clone())),
        )
    })?;
    // The store reads the facts only for a reader entitled to them, by the
    // organisation as it is now: they are the entitlement, not the cached
    // tree the page names units from.
    let entitled = r.facts.is_some();
    let unit_name = units
        .get(&r.unit)
        .map_or_else(|| r.unit.clone(), |u| u.name.clone());
    let store = state.registry.store();
    let name = store
        .subject_name(&subject)
        .await
        .map_err(|e| visit.error(e))?
        .unwrap_or_default();
    let post = store
        .post_title(&r.post)
        .await
        .map_err(|e| visit.error(e))?
        .unwrap_or_else(|| r.post.clone());
    let info = super::card(&state, &r.plugin, &r.version)
        .await
        .map_err(|e| visit.error(e))?;
    let title = if name.is_empty() {
        subject.clone()
    } else {
        name.clone()
    };
    let grade = r.grade.map(|g| g.code().to_string()).unwrap_or_default();
    let history = history(&state, &visit, &subject, id).await?;
    // Only a party to the assessment (the person, their manager, the
    // assessors and admins of their subtree) is shown it; to anyone else
    // it is as if there were none.
    let assessment = match visit.caller.0.as_ref() {
        Some(actor) => crate::assessment::view(&state.registry, actor, &subject, &record.period)
            .await
            .ok()
            .filter(|v| !v.facts.is_empty())
            .map(|v| AssessmentLink {
                link: format!(
                    "/assessments/{}/{}",
                    super::session::encode(&v.subject),
                    super::session::encode(&v.period)
                ),
                state: super::assess::state_word(w, &v.state),
                gaps: v
                    .facts
                    .iter()
                    .filter_map(|f| {
                        let title = if lang.code() == "en" {
                            &f.title_en
                        } else {
                            &f.title_vi
                        };
                        Some((title.clone(), f.gap.clone()?))
                    })
                    .collect(),
            }),
        None => None,
    };
    // A corrected result shows what it was, where the reader sees totals.
    let corrected = if r.total.is_some() {
        state
            .registry
            .store()
            .corrections_of_subject(id, &subject)
            .await
            .map_err(|e| visit.error(e))?
            .into_iter()
            .map(|(revision, at, was)| {
                (
                    revision,
                    crate::assessment::calendar::Day::at_millis(at).to_string(),
                    was.grade.map(|g| g.code().to_string()).unwrap_or_default(),
                    was.total.map(|t| lang.number(t)).unwrap_or_default(),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let units = state
        .units
        .get(&state.registry)
        .await
        .map_err(|e| visit.error(e))?;
    let served = crate::access::visible_parts(
        &visit.caller,
        &units,
        crate::scoring::parts::parts_of_page(&state.registry, id, std::slice::from_ref(&r))
            .await
            .map_err(|e| visit.error(e))?,
    )
    .remove(&r.subject)
    .unwrap_or_default()
    .iter()
    .map(|p| {
        (
            p.unit.clone(),
            units
                .get(&p.unit)
                .map_or_else(|| p.unit.clone(), |u| u.name.clone()),
            super::unit::span(lang, p),
        )
    })
    .collect();
    visit.respond(PersonPage {
        corrected,
        served,
        c: visit.chrome(format!("{title} — {}", w.scorecard)),
        run: id,
        period: lang.period(&record.period),
        name,
        unit_name,
        post,
        scored: r.outcome == Outcome::Scored,
        outcome: match r.outcome {
            Outcome::Scored => String::new(),
            Outcome::Refused => w.outcome_refused.into(),
            Outcome::Fault => w.outcome_fault.into(),
            Outcome::NotEvaluated => w.outcome_not_evaluated.into(),
        },
        why: if entitled { r.error.clone() } else { None },
        total: r.total.map(|t| lang.number(t)).unwrap_or_default(),
        max_total: lang.number(info.scale.max_total),
        grade_name: grade_name(&grade, lang),
        quota: quota(&info, &r, lang),
        indicators: indicators(&info, &r, lang),
        points: points(&info, &r, lang),
        caps: if entitled {
            Caps::Applied(
                r.caps
                    .iter()
                    .map(|code| {
                        let reason = info
                            .caps
                            .iter()
                            .find(|c| &c.code == code)
                            .map(|c| lang.pick(&c.reason).to_string())
                            .unwrap_or_default();
                        (code.clone(), reason)
                    })
                    .collect(),
            )
        } else {
            Caps::Hidden
        },
        facts: entitled.then(|| facts(&info, &r, lang)),
        card_link: format!("/catalogue/{}/{}", r.plugin, r.version),
        plugin: r.plugin,
        version: r.version,
        sha256: r.sha256,
        facts_sha256: r.facts_sha256,
        engine: record.engine,
        fuel: lang.count(usize::try_from(r.fuel).unwrap_or(0)),
        history,
        assessment,
        unit: r.unit,
        subject: r.subject,
        grade,
    })
}

/// The person's results in every official period, each shown as the reader
/// may see it there (their unit may have been another, publishing or not):
/// one lookup of the person's row in each official run.
async fn history(
    state: &AppState,
    visit: &Visit,
    subject: &str,
    current: i64,
) -> Result<Vec<HistoryRow>, WebError> {
    let lang = visit.lang;
    let periods = state
        .registry
        .store()
        .subject_periods(subject)
        .await
        .map_err(|e| visit.error(e))?;
    let mut rows = Vec::with_capacity(periods.len());
    for p in periods {
        let via = format!("the history of {subject} on their page");
        let seen = crate::access::visible_run_results(
            &state.registry,
            &visit.caller,
            &via,
            p.run,
            Only::Subject(subject),
        )
        .await
        .map_err(|e| visit.error(e))?;
        if let Some(r) = seen.into_iter().next() {
            rows.push(HistoryRow {
                run: p.run,
                period: lang.period(&p.period),
                total: r.total.map(|t| lang.number(t)).unwrap_or_default(),
                grade: r.grade.map(|g| g.code().to_string()).unwrap_or_default(),
                current: p.run == current,
            });
        }
    }
    Ok(rows)
}

fn grade_name(code: &str, lang: Lang) -> &'static str {
    scoring::grade_from_code(code).map_or("", |g| explain::grade(g, lang))
}

fn indicators(info: &PluginInfo, r: &StoredResult, lang: Lang) -> Vec<IndicatorRow> {
    let stored = &r.indicators;
    info.indicators
        .iter()
        .enumerate()
        .map(|(k, spec)| {
            let (raw, score, light) = stored.get(k).map_or((None, 0, Light::NoData), |s| {
                (s.raw, s.score, s.light.light())
            });
            let result = IndicatorResult { raw, score, light };
            let unit = lang.pick(&spec.unit).to_string();
            IndicatorRow {
                id: spec.id.clone(),
                title: lang.pick(&spec.title).to_string(),
                factor: explain::group(spec.group, lang),
                formula: lang.pick(&spec.formula).to_string(),
                weight: lang.number(spec.weight),
                raw: raw.map_or_else(
                    || lang.words().no_data.to_string(),
                    |v| format!("{} {unit}", lang.number(v)),
                ),
                score: lang.number(score),
                max: lang.number(spec.max_score),
                light: crate::scoring::light_code(light),
                light_word: explain::light(light, lang),
                explanation: if stored.is_empty() {
                    String::new()
                } else {
                    explain::indicator(spec, &result, lang)
                },
            }
        })
        .collect()
}

/// Points per factor, as the contract's algorithm forms them from the stored
/// scores: they add up to the total.
fn points(info: &PluginInfo, r: &StoredResult, lang: Lang) -> Vec<(&'static str, String)> {
    let stored = &r.indicators;
    if stored.len() != info.indicators.len() {
        return Vec::new();
    }
    let sums = crate::runtime::subtotals(info, stored.iter().map(|s| s.score));
    [
        Group::Volume,
        Group::Progress,
        Group::Quality,
        Group::Efficiency,
        Group::Conduct,
    ]
    .into_iter()
    .zip(sums)
    .filter(|(g, _)| info.indicators.iter().any(|i| i.group == *g))
    .map(|(g, points)| (explain::group(g, lang), lang.number(points)))
    .collect()
}

/// The quota's decision in words, when a rule lowered the grade.
fn quota(info: &PluginInfo, r: &StoredResult, lang: Lang) -> Option<String> {
    let code = r.cohort_rule.as_ref()?;
    let w = lang.words();
    let title = info
        .cohort_rules
        .iter()
        .map(|rule| match rule {
            CohortRule::Quota(q) => q,
        })
        .find(|q| &q.code == code)
        .map_or_else(|| code.clone(), |q| lang.pick(&q.title).to_string());
    let from = r.computed_grade.map(|g| g.code()).unwrap_or_default();
    let to = r.grade.map(|g| g.code()).unwrap_or_default();
    Some(format!(
        "{title}: {} {from} ({}) {} {to} ({})",
        w.quota_lowered,
        lang.grade_word(from),
        w.quota_to,
        lang.grade_word(to)
    ))
}

fn facts(info: &PluginInfo, r: &StoredResult, lang: Lang) -> Vec<FactRow> {
    let empty = scoring::FactValues::default();
    let values = r.facts.as_ref().unwrap_or(&empty);
    let w = lang.words();
    info.facts
        .iter()
        .map(|f| {
            let value = values.get(&f.name).flatten();
            FactRow {
                name: f.name.clone(),
                title: lang.pick(&f.title).to_string(),
                // Stored as the contract carries them: ten-thousandths.
                value: value.map_or_else(|| w.missing.to_string(), |raw| lang.number(raw)),
                unit: lang.pick(&f.unit).to_string(),
                source: lang.pick(&f.source).to_string(),
            }
        })
        .collect()
}

/// Which way is better, in words.
pub(super) fn direction(d: Direction, lang: Lang) -> &'static str {
    let w = lang.words();
    match d {
        Direction::HigherIsBetter => w.higher,
        Direction::LowerIsBetter => w.lower,
        Direction::Neutral => w.neutral,
    }
}
