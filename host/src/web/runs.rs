//! The start page (every run, official ones marked) and a run's page: its
//! progress while it goes, why it failed, or the period's overview — the
//! counts in the articles' words, the distribution per unit type as a chart
//! and a table, the units ranked with their red and yellow indicators.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;

use super::chart::grade_chart;
use super::error::WebError;
use super::locale::{GRADES, Lang};
use super::session::{Chrome, Visit};
use crate::app::AppState;
use crate::scoring::{self, RunRecord, Summary};

struct RunRow {
    id: i64,
    period: String,
    scope: String,
    status: &'static str,
    status_code: String,
    started: String,
    started_by: String,
    official: bool,
}

/// The latest official period, as the home page leads with it.
struct Latest {
    run: i64,
    title: String,
    words: String,
    chart: String,
    kinds: Vec<KindRow>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Chrome,
    latest: Option<Latest>,
    runs: Vec<RunRow>,
}

/// The official run a citizen most likely wants: the most recently
/// published for the whole organisation, or else the most recent of any.
pub(super) fn latest_official(official: &[scoring::OfficialRun]) -> Option<&scoring::OfficialRun> {
    official
        .iter()
        .filter(|o| o.unit.is_none())
        .max_by_key(|o| (o.published_at, o.id))
        .or_else(|| official.iter().max_by_key(|o| (o.published_at, o.id)))
}

/// `/`: the latest official period (its distribution per unit type in
/// words and as a chart), a search, then every run, newest first.
pub async fn home(State(state): State<AppState>, visit: Visit) -> Result<Response, WebError> {
    let lang = visit.lang;
    let w = visit.w();
    let runs = scoring::runs(&state.registry)
        .await
        .map_err(|e| visit.error(e))?;
    let official_runs = scoring::official_runs(&state.registry, true)
        .await
        .map_err(|e| visit.error(e))?;
    let official: Vec<i64> = official_runs.iter().map(|o| o.run).collect();
    let latest = match latest_official(&official_runs) {
        Some(o) => {
            let (_, summary) = state
                .summaries
                .run(&state.registry, o.run)
                .await
                .map_err(|e| visit.error(e))?;
            summary.map(|s| {
                let title = format!("{} — {}", w.official_results, lang.period(&s.period));
                let rows: Vec<(String, &BTreeMap<String, usize>)> = s
                    .by_unit_type
                    .iter()
                    .map(|(kind, grades)| (lang.kind(kind).to_string(), grades))
                    .collect();
                Latest {
                    run: o.run,
                    words: Summary::in_words(&s.grades, lang),
                    chart: grade_chart(lang, &title, &rows),
                    kinds: s
                        .by_unit_type
                        .iter()
                        .map(|(kind, grades)| {
                            kind_row(lang, kind, lang.kind(kind).to_string(), grades)
                        })
                        .collect(),
                    title,
                }
            })
        }
        None => None,
    };
    let rows = runs
        .into_iter()
        .map(|r| RunRow {
            id: r.id,
            period: lang.period(&r.period),
            scope: r.unit.unwrap_or_else(|| w.whole_organisation.into()),
            status: lang.status(&r.status),
            status_code: r.status,
            started: lang.datetime(r.started_at),
            started_by: r.started_by,
            official: official.contains(&r.id),
        })
        .collect();
    visit.respond(HomePage {
        c: visit.chrome(w.runs),
        latest,
        runs: rows,
    })
}

/// One line of counts: a label and its number.
struct Count {
    label: &'static str,
    n: String,
}

struct KindRow {
    kind: String,
    label: String,
    cells: Vec<(&'static str, usize, String)>,
    total: String,
    words: String,
}

struct UnitRow {
    rank: usize,
    code: String,
    name: String,
    kind: String,
    scored: String,
    words: String,
    mean: String,
    red: String,
    yellow: String,
}

struct PluginRow {
    plugin: String,
    version: String,
    link: String,
    sha256: String,
    subjects: String,
}

/// Where a page of the units table stands among all of them.
struct Pager {
    from: String,
    to: String,
    of: String,
    earlier: Option<String>,
    later: Option<String>,
}

struct Overview {
    pager: Option<Pager>,
    words: String,
    counts: Vec<Count>,
    chart: String,
    kinds: Vec<KindRow>,
    grand: KindRow,
    units: Vec<UnitRow>,
    plugins: Vec<PluginRow>,
}

struct Progressing {
    stage: String,
    done: usize,
    total: usize,
    done_text: String,
    total_text: String,
}

#[derive(Template)]
#[template(path = "run.html")]
struct RunPage {
    c: Chrome,
    id: i64,
    period: String,
    scope: String,
    status: &'static str,
    status_code: String,
    started: String,
    finished: Option<String>,
    started_by: String,
    engine: String,
    error: Option<String>,
    progress: Option<Progressing>,
    overview: Option<Overview>,
}

/// Units in a page of the overview's table: a national run ranks thousands.
const UNITS_PER_PAGE: usize = 100;

/// Which page of the units table.
#[derive(serde::Deserialize)]
pub struct UnitsPage {
    page: Option<String>,
}

/// `/runs/{id}[?page=N]`: the run's progress, failure or overview, its
/// units table a page at a time.
pub async fn overview(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Query(units_page): Query<UnitsPage>,
) -> Result<Response, WebError> {
    let lang = visit.lang;
    let id = super::run_id(&id).map_err(|e| visit.error(e))?;
    let page = match units_page.page.as_deref() {
        None => 1,
        Some(p) => match p.parse::<usize>() {
            Ok(n) if n >= 1 => n,
            _ => {
                return Err(visit.error(WebError::bad_request(format!(
                    "page `{p}`: pages count from 1"
                ))));
            }
        },
    };
    let (record, summary) = state
        .summaries
        .run(&state.registry, id)
        .await
        .map_err(|e| visit.error(e))?;
    let progress = (record.status == "running")
        .then(|| state.runs.lock().unwrap().get(&id).map(|p| p.get()))
        .flatten()
        .map(|(stage, done, total)| Progressing {
            stage: stage.to_string(),
            done,
            total,
            done_text: lang.count(done),
            total_text: lang.count(total),
        });
    let overview = match summary.as_deref() {
        Some(summary) => Some(
            overview_of(&state, lang, summary, id, page)
                .await
                .map_err(|e| visit.error(e))?,
        ),
        None => None,
    };
    let RunRecord {
        period,
        unit,
        status,
        started_by,
        started_at,
        finished_at,
        engine,
        error,
        ..
    } = record;
    let w = visit.w();
    let title = format!(
        "{} — {} {}",
        w.overview,
        lang.period(&period),
        unit.as_deref().unwrap_or("")
    );
    visit.respond(RunPage {
        c: visit.chrome(title.trim_end()),
        id,
        period: lang.period(&period),
        scope: unit.unwrap_or_else(|| w.whole_organisation.into()),
        status: lang.status(&status),
        status_code: status,
        started: lang.datetime(started_at),
        finished: finished_at.map(|t| lang.datetime(t)),
        started_by,
        engine,
        error,
        progress,
        overview,
    })
}

/// Indicator id → its title, over the scorecards a run used.
async fn indicator_titles(
    state: &AppState,
    lang: Lang,
    summary: &Summary,
) -> Result<HashMap<String, String>, WebError> {
    let mut titles = HashMap::new();
    for p in &summary.plugins {
        let info = super::card(state, &p.plugin, &p.version).await?;
        for i in info.indicators {
            let title = match lang {
                Lang::Vi => i.title.vi,
                Lang::En => i.title.en,
            };
            titles.entry(i.id).or_insert(title);
        }
    }
    Ok(titles)
}

fn kind_row(lang: Lang, kind: &str, label: String, grades: &BTreeMap<String, usize>) -> KindRow {
    KindRow {
        kind: kind.to_string(),
        label,
        cells: GRADES
            .iter()
            .map(|g| {
                let n = grades.get(*g).copied().unwrap_or(0);
                (*g, n, lang.count(n))
            })
            .collect(),
        total: lang.count(grades.values().sum()),
        words: Summary::in_words(grades, lang),
    }
}

async fn overview_of(
    state: &AppState,
    lang: Lang,
    s: &Summary,
    id: i64,
    page: usize,
) -> Result<Overview, WebError> {
    let w = lang.words();
    let pages = s.units.len().div_ceil(UNITS_PER_PAGE).max(1);
    if page > pages {
        return Err(WebError::not_found(format!(
            "the units table has {pages} page(s), not {page}"
        )));
    }
    let first = (page - 1) * UNITS_PER_PAGE;
    let shown = s.units.iter().skip(first).take(UNITS_PER_PAGE);
    let pager = (pages > 1).then(|| Pager {
        from: lang.count(first + 1),
        to: lang.count((first + UNITS_PER_PAGE).min(s.units.len())),
        of: lang.count(s.units.len()),
        earlier: (page > 1).then(|| format!("/runs/{id}?page={}#units", page - 1)),
        later: (page < pages).then(|| format!("/runs/{id}?page={}#units", page + 1)),
    });
    let titles = indicator_titles(state, lang, s).await?;
    let listed = |m: &BTreeMap<String, usize>| -> String {
        if m.is_empty() {
            return w.none.to_string();
        }
        let mut by_count: Vec<(&String, &usize)> = m.iter().collect();
        by_count.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        by_count
            .into_iter()
            .map(|(id, n)| {
                format!(
                    "{} ({})",
                    titles.get(id).map_or(id.as_str(), String::as_str),
                    lang.count(*n)
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let kinds: Vec<KindRow> = s
        .by_unit_type
        .iter()
        .map(|(kind, grades)| kind_row(lang, kind, lang.kind(kind).to_string(), grades))
        .collect();
    let chart_rows: Vec<(String, &BTreeMap<String, usize>)> = s
        .by_unit_type
        .iter()
        .map(|(kind, grades)| (lang.kind(kind).to_string(), grades))
        .collect();
    let counts = vec![
        Count {
            label: w.subjects,
            n: lang.count(s.subjects),
        },
        Count {
            label: w.scored,
            n: lang.count(s.scored),
        },
        Count {
            label: w.refused,
            n: lang.count(s.refused),
        },
        Count {
            label: w.faults,
            n: lang.count(s.faults),
        },
        Count {
            label: w.unassigned,
            n: lang.count(s.unassigned),
        },
        Count {
            label: w.other_period,
            n: lang.count(s.other_period),
        },
        Count {
            label: w.demoted,
            n: lang.count(s.demoted),
        },
    ];
    Ok(Overview {
        words: Summary::in_words(&s.grades, lang),
        counts,
        chart: grade_chart(
            lang,
            &format!("{} — {}", w.distribution, lang.period(&s.period)),
            &chart_rows,
        ),
        kinds,
        grand: kind_row(lang, "all", w.total_row.to_string(), &s.grades),
        pager,
        units: shown
            .enumerate()
            .map(|(k, u)| UnitRow {
                rank: first + k + 1,
                code: u.unit.clone(),
                name: u.name.clone(),
                kind: lang.kind(&u.kind).to_string(),
                scored: lang.count(u.scored),
                words: Summary::in_words(&u.grades, lang),
                mean: u.mean_total.map(|m| lang.number(m)).unwrap_or_default(),
                red: listed(&u.red),
                yellow: listed(&u.yellow),
            })
            .collect(),
        plugins: s
            .plugins
            .iter()
            .map(|p| PluginRow {
                link: format!("/catalogue/{}/{}", p.plugin, p.version),
                plugin: p.plugin.clone(),
                version: p.version.clone(),
                sha256: p.sha256.clone(),
                subjects: lang.count(p.subjects),
            })
            .collect(),
    })
}
