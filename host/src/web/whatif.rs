//! The policy sandbox, for analysts (and admins): their drafts, and a draft's
//! what-if against a period's official run — the transition matrix before
//! and after quotas, how totals move, and exactly who would change grade.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::error::WebError;
use super::locale::{GRADES, Lang};
use super::session::{Chrome, Visit};
use crate::access::{Actor, SANDBOX_ROLES};
use crate::app::AppState;
use crate::whatif::{CompareOptions, Deltas, PeriodComparison};

fn analyst(visit: &Visit) -> Result<&Actor, WebError> {
    visit
        .caller
        .with_role("use the sandbox", SANDBOX_ROLES)
        .map_err(|e| visit.error(e))
}

struct DraftRow {
    id: i64,
    name: String,
    version: String,
    sha256: String,
    uploaded: String,
    uploaded_by: String,
}

#[derive(Template)]
#[template(path = "sandbox.html")]
struct DraftsPage {
    c: Chrome,
    drafts: Vec<DraftRow>,
    period: String,
}

/// `/sandbox`: the analyst's drafts, each with a form to compare it.
pub async fn drafts(State(state): State<AppState>, visit: Visit) -> Result<Response, WebError> {
    let actor = analyst(&visit)?;
    let lang = visit.lang;
    let drafts = state
        .whatifs
        .list(actor)
        .await
        .map_err(|e| visit.error(e))?
        .into_iter()
        .map(|d| DraftRow {
            id: d.id,
            name: d.name,
            version: d.version,
            sha256: d.sha256,
            uploaded: lang.datetime(d.uploaded_at),
            uploaded_by: d.uploaded_by,
        })
        .collect();
    let period = crate::scoring::official_runs(&state.registry, true)
        .await
        .map_err(|e| visit.error(e))?
        .last()
        .map(|o| o.period.clone())
        .unwrap_or_default();
    visit.respond(DraftsPage {
        c: visit.chrome(visit.w().sandbox),
        drafts,
        period,
    })
}

/// What to compare, from the form.
#[derive(Deserialize)]
pub struct Ask {
    period: Option<String>,
    post_type: Option<String>,
}

/// One cell of a transition matrix: the count as written, the count, and
/// whether it lies off the diagonal (those subjects move).
type Cell = (String, usize, bool);

struct Matrix {
    title: &'static str,
    /// From-grade, its cells, its row total.
    rows: Vec<(String, Vec<Cell>, String)>,
}

struct MoverRow {
    subject: String,
    unit: String,
    before: String,
    after: String,
    before_total: String,
    after_total: String,
    quota: String,
    moved: String,
}

struct PeriodView {
    period: String,
    official_runs: String,
    subjects: String,
    compared: String,
    not_compared: Vec<(String, String)>,
    matrices: Vec<Matrix>,
    deltas: Vec<(&'static str, String)>,
    movers: Vec<MoverRow>,
    /// How many more move where the reader may not see who: empty for none.
    movers_withheld: String,
    coverage: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "whatif.html")]
struct WhatIfPage {
    c: Chrome,
    draft: i64,
    plugin: String,
    sha256: String,
    periods: Vec<PeriodView>,
}

/// `/sandbox/drafts/{id}?period=…[&post_type=…]`: the what-if.
pub async fn compare(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Query(ask): Query<Ask>,
) -> Result<Response, WebError> {
    let actor = analyst(&visit)?;
    let lang = visit.lang;
    let id =
        id.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
            visit.error(WebError::bad_request(format!("`{id}` is not a draft id")))
        })?;
    let period = ask.period.filter(|p| !p.trim().is_empty()).ok_or_else(|| {
        visit.error(WebError::bad_request(
            "name the period to compare against: ?period=2025-09",
        ))
    })?;
    let options = CompareOptions {
        periods: vec![period.trim().to_string()],
        post_type: ask.post_type.filter(|p| !p.trim().is_empty()),
        units: Vec::new(),
    };
    let comparison = state
        .whatifs
        .compare(actor, id, &options)
        .await
        .map_err(|e| visit.error(e))?;
    visit.respond(WhatIfPage {
        c: visit.chrome(format!("{} — {}", visit.w().what_if, comparison.plugin)),
        draft: comparison.draft,
        plugin: comparison.plugin,
        sha256: comparison.sha256,
        periods: comparison
            .periods
            .iter()
            .map(|p| period_view(lang, p))
            .collect(),
    })
}

fn matrix(
    lang: Lang,
    title: &'static str,
    m: &std::collections::BTreeMap<String, std::collections::BTreeMap<String, usize>>,
) -> Matrix {
    Matrix {
        title,
        rows: GRADES
            .iter()
            .filter(|from| m.contains_key(**from))
            .map(|from| {
                let row = &m[*from];
                (
                    from.to_string(),
                    GRADES
                        .iter()
                        .map(|to| {
                            let n = row.get(*to).copied().unwrap_or(0);
                            (lang.count(n), n, from != to)
                        })
                        .collect(),
                    lang.count(row.values().sum()),
                )
            })
            .collect(),
    }
}

fn deltas(lang: Lang, d: &Deltas) -> Vec<(&'static str, String)> {
    let w = lang.words();
    let n = |v: &Option<String>| {
        v.as_deref()
            .map(|s| match lang {
                Lang::Vi => s.replace('.', ","),
                Lang::En => s.to_string(),
            })
            .unwrap_or_default()
    };
    vec![
        (w.mean, n(&d.mean)),
        (w.median, n(&d.median)),
        (w.p95_abs, n(&d.p95_abs)),
        (w.max_abs, n(&d.max_abs)),
    ]
}

fn period_view(lang: Lang, p: &PeriodComparison) -> PeriodView {
    let w = lang.words();
    let dec = |s: &str| match lang {
        Lang::Vi => s.replace('.', ","),
        Lang::En => s.to_string(),
    };
    PeriodView {
        period: lang.period(&p.period),
        official_runs: p
            .official_runs
            .iter()
            .map(|r| r.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        subjects: lang.count(p.subjects),
        compared: lang.count(p.compared),
        not_compared: p
            .not_compared
            .iter()
            .map(|(why, n)| (why.clone(), lang.count(*n)))
            .collect(),
        matrices: vec![
            matrix(lang, w.transitions, &p.transitions),
            matrix(lang, w.transitions_computed, &p.transitions_computed),
        ],
        deltas: deltas(lang, &p.deltas),
        movers_withheld: if p.movers_withheld == 0 {
            String::new()
        } else {
            lang.count(p.movers_withheld)
        },
        movers: p
            .movers
            .iter()
            .map(|m| MoverRow {
                subject: m.subject.clone(),
                unit: m.unit.clone(),
                before: m.before.clone(),
                after: m.after.clone(),
                before_total: dec(&m.before_total),
                after_total: dec(&m.after_total),
                quota: m.cohort_rule.clone().unwrap_or_default(),
                moved: m
                    .indicators
                    .iter()
                    .map(|i| format!("{} {}", i.id, dec(&i.change)))
                    .collect::<Vec<_>>()
                    .join("; "),
            })
            .collect(),
        coverage: p
            .coverage
            .iter()
            .map(|c| (c.fact.clone(), lang.count(c.missing), lang.count(c.of)))
            .collect(),
    }
}
