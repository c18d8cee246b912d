//! A unit in a run: its aggregates (always public), the units within it, and
//! its people with their grades and totals — where the unit publishes
//! per-person results, or to those who may see them — sortable by any column
//! through plain links.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::error::WebError;
use super::locale::Lang;
use super::session::{Chrome, Visit};
use crate::access;
use crate::app::{AppState, Wording};
use crate::scoring::{GradeCode, Only, Outcome, StoredResult, Summary};

/// How the people are ordered.
#[derive(Deserialize)]
pub struct Sort {
    sort: Option<String>,
    dir: Option<String>,
}

/// A column the people can be ordered by.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Column {
    Total,
    Name,
    Post,
    Grade,
}

impl Column {
    fn parse(text: Option<&str>) -> Result<Column, WebError> {
        Ok(match text {
            None | Some("total") => Column::Total,
            Some("name") => Column::Name,
            Some("post") => Column::Post,
            Some("grade") => Column::Grade,
            Some(other) => {
                return Err(WebError::bad_request(format!(
                    "sort `{other}`: total, name, post or grade"
                )));
            }
        })
    }

    fn code(self) -> &'static str {
        match self {
            Column::Total => "total",
            Column::Name => "name",
            Column::Post => "post",
            Column::Grade => "grade",
        }
    }
}

struct Person {
    subject: String,
    name: String,
    post: String,
    grade: String,
    grade_word: &'static str,
    computed: String,
    total: String,
    quota: String,
    outcome: String,
}

/// A sortable column's header: its link and whether it is the current order.
struct Header {
    label: &'static str,
    link: String,
    mark: &'static str,
}

/// Someone who served in the unit for part of the period and ended in
/// another.
struct Served {
    subject: String,
    name: String,
    months: String,
    now_code: String,
    now_name: String,
}

struct Within {
    code: String,
    name: String,
    words: String,
}

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitPage {
    c: Chrome,
    run: i64,
    period: String,
    code: String,
    kind: String,
    parent: Option<(String, String)>,
    words: String,
    scored: String,
    mean: String,
    within: Vec<Within>,
    published: bool,
    headers: Vec<Header>,
    people: Vec<Person>,
    served: Vec<Served>,
    served_more: String,
    trend: Option<Trend>,
}

/// The most of those who served part of the period listed on the page; the
/// rest are counted (the API's `served` filter pages them all).
const SERVED_SHOWN: u64 = 200;

fn grade_rank(grade: Option<GradeCode>) -> u8 {
    // The contract's order; no grade (refused, fault) after all.
    grade.map_or(5, |g| crate::runtime::grade_rank(g.grade()))
}

/// Orders `people` by `column`, then by subject id so the order is stable.
fn sort(
    results: &mut [StoredResult],
    names: &HashMap<String, String>,
    posts: &HashMap<String, String>,
    column: Column,
    descending: bool,
) {
    results.sort_by(|a, b| {
        let by = match column {
            Column::Total => a.total.cmp(&b.total),
            Column::Name => super::locale::name_order(
                names.get(&a.subject).unwrap_or(&a.subject),
                names.get(&b.subject).unwrap_or(&b.subject),
            ),
            Column::Post => posts.get(&a.post).cmp(&posts.get(&b.post)),
            // Best grade first when ascending.
            Column::Grade => grade_rank(a.grade).cmp(&grade_rank(b.grade)),
        };
        let by = if descending { by.reverse() } else { by };
        by.then_with(|| a.subject.cmp(&b.subject))
    });
}

/// `/runs/{id}/units/{code}`.
pub async fn page(
    State(state): State<AppState>,
    visit: Visit,
    Path((id, code)): Path<(String, String)>,
    Query(order): Query<Sort>,
) -> Result<Response, WebError> {
    let lang = visit.lang;
    let w = visit.w();
    let id = super::run_id(&id).map_err(|e| visit.error(e))?;
    let column = Column::parse(order.sort.as_deref()).map_err(|e| visit.error(e))?;
    let descending = match order.dir.as_deref() {
        None => column == Column::Total,
        Some("desc") => true,
        Some("asc") => false,
        Some(other) => {
            return Err(visit.error(WebError::bad_request(format!("dir `{other}`: asc or desc"))));
        }
    };
    let (record, summary) = state
        .summaries
        .run(&state.registry, id)
        .await
        .map_err(|e| visit.error(e))?;
    let units = state
        .units
        .get(&state.registry)
        .await
        .map_err(|e| visit.error(e))?;
    let info = units.get(&code).ok_or_else(|| {
        visit.error(
            WebError::not_found(format!("there is no unit `{code}`"))
                .worded(Wording::NoUnit(code.clone())),
        )
    })?;
    let summary = summary.unwrap_or_default();
    let own = summary.units.iter().find(|u| u.unit == code);
    // The summary says whether anyone was scored here, without reading them.
    let scored_here = own.is_some();
    let via = format!("the page of unit {code} in run {id}");
    let mut people =
        access::visible_run_results(&state.registry, &visit.caller, &via, id, Only::Unit(&code))
            .await
            .map_err(|e| visit.error(e))?;
    let published = !people.is_empty() || !scored_here;
    let names = state
        .registry
        .store()
        .subject_names(Some(&code))
        .await
        .map_err(|e| visit.error(e))?;
    let posts = state
        .registry
        .store()
        .post_titles()
        .await
        .map_err(|e| visit.error(e))?;
    sort(&mut people, &names, &posts, column, descending);
    let headers = [
        (Column::Name, w.name),
        (Column::Post, w.post),
        (Column::Total, w.total),
        (Column::Grade, w.grade),
    ]
    .into_iter()
    .map(|(c, label)| {
        let current = c == column;
        // A second click turns the order round; totals start best first.
        let next = if (current && descending) || (!current && c != Column::Total) {
            "asc"
        } else {
            "desc"
        };
        Header {
            label,
            link: format!("/runs/{id}/units/{code}?sort={}&dir={next}", c.code()),
            mark: match (current, descending) {
                (false, _) => "",
                (true, true) => " ▼",
                (true, false) => " ▲",
            },
        }
    })
    .collect();
    let within = summary
        .units
        .iter()
        .filter(|u| units.get(&u.unit).and_then(|i| i.parent.as_deref()) == Some(code.as_str()))
        .map(|u| Within {
            code: u.unit.clone(),
            name: u.name.clone(),
            words: Summary::in_words(&u.grades, lang),
        })
        .collect();
    let people = people
        .into_iter()
        .map(|r| person(lang, &names, &posts, r))
        .collect();
    // Only a quarter or a year has parts; who served in the unit is read by
    // those who may read its people's history.
    let monthly = crate::registry::Period::parse(&record.period)
        .is_ok_and(|p| p.kind() == crate::runtime::PeriodKind::Month);
    let (served, served_total) =
        if !monthly && access::sees_history_in(&visit.caller, &units, &code) {
            served(&state, &visit, id, &code, &units)
                .await
                .map_err(|e| visit.error(e))?
        } else {
            (Vec::new(), 0)
        };
    let served_more = if served_total > served.len() as u64 {
        lang.count(served_total as usize)
    } else {
        String::new()
    };
    let trend = trend(&state, lang, &code)
        .await
        .map_err(|e| visit.error(e))?;
    visit.respond(UnitPage {
        c: visit.chrome(info.name.clone()),
        run: id,
        period: lang.period(&record.period),
        code: code.clone(),
        kind: lang.kind(&info.kind).to_string(),
        parent: info.parent.as_ref().map(|p| {
            (
                p.clone(),
                units.get(p).map_or_else(|| p.clone(), |u| u.name.clone()),
            )
        }),
        words: own.map_or_else(
            || w.none.to_string(),
            |u| Summary::in_words(&u.grades, lang),
        ),
        scored: lang.count(own.map_or(0, |u| u.scored)),
        mean: own
            .and_then(|u| u.mean_total)
            .map(|m| lang.number(m))
            .unwrap_or_default(),
        within,
        published,
        headers,
        people,
        served,
        served_more,
        trend,
    })
}

/// Those the visitor may see who served in `code` for part of run `run`'s
/// period and are in another unit at its end, with the months they served
/// here; and how many there are in all.
async fn served(
    state: &AppState,
    visit: &Visit,
    run: i64,
    code: &str,
    units: &crate::scoring::Units,
) -> Result<(Vec<Served>, u64), WebError> {
    let filter = crate::store::results::ResultFilter {
        served: Some(code.to_string()),
        ..Default::default()
    };
    let via = format!("the page of unit {code} in run {run}");
    let page = access::visible_results_page(
        &state.registry,
        &visit.caller,
        &via,
        run,
        &filter,
        crate::store::results::ResultOrder::Total,
        0,
        SERVED_SHOWN,
    )
    .await?;
    if page.results.is_empty() {
        return Ok((Vec::new(), page.total));
    }
    let parts = crate::scoring::parts::parts_of_page(&state.registry, run, &page.results).await?;
    let ids: Vec<&str> = page.results.iter().map(|r| r.subject.as_str()).collect();
    let names = state.registry.store().subject_names_of(&ids).await?;
    let lang = visit.lang;
    let served = page
        .results
        .iter()
        .map(|r| {
            let here: Vec<String> = parts
                .get(&r.subject)
                .into_iter()
                .flatten()
                .filter(|p| p.unit == code)
                .map(|p| span(lang, p))
                .collect();
            Served {
                subject: r.subject.clone(),
                name: names.get(&r.subject).cloned().unwrap_or_default(),
                months: here.join(", "),
                now_code: r.unit.clone(),
                now_name: units
                    .get(&r.unit)
                    .map_or_else(|| r.unit.clone(), |u| u.name.clone()),
            }
        })
        .collect();
    Ok((served, page.total))
}

/// A part's months in words: "2025-01 – 2025-06 (6 tháng)".
pub(super) fn span(lang: Lang, p: &crate::store::parts::Part) -> String {
    let months = crate::scoring::parts::months(p);
    if p.first_month == p.last_month {
        format!(
            "{} ({months} {})",
            lang.period(&p.first_month),
            lang.words().months_word
        )
    } else {
        format!(
            "{} – {} ({months} {})",
            lang.period(&p.first_month),
            lang.period(&p.last_month),
            lang.words().months_word
        )
    }
}

/// The unit across the official periods: its people's grades as a chart,
/// and each period's mean total.
struct Trend {
    chart: String,
    rows: Vec<(i64, String, String, String)>,
}

async fn trend(state: &AppState, lang: Lang, code: &str) -> Result<Option<Trend>, WebError> {
    let stored = state.registry.store().unit_trend(code).await?;
    // Per run, in period order: the grade counts, the scored and their totals.
    struct Period {
        run: i64,
        period: String,
        grades: BTreeMap<String, usize>,
        scored: i64,
        total_sum: i64,
    }
    let mut periods: Vec<Period> = Vec::new();
    for p in stored {
        if periods.last().is_none_or(|l| l.run != p.run) {
            periods.push(Period {
                run: p.run,
                period: p.period.clone(),
                grades: BTreeMap::new(),
                scored: 0,
                total_sum: 0,
            });
        }
        let last = periods.last_mut().expect("pushed");
        let grade = p.grade.unwrap_or_else(|| "not-graded".into());
        *last.grades.entry(grade).or_default() += usize::try_from(p.count).unwrap_or(0);
        last.scored += p.count;
        last.total_sum += p.total_sum;
    }
    if periods.len() < 2 {
        return Ok(None);
    }
    let w = lang.words();
    let rows: Vec<(String, &BTreeMap<String, usize>)> = periods
        .iter()
        .map(|p| (lang.period(&p.period), &p.grades))
        .collect();
    let chart = super::chart::grade_chart(lang, w.trend, &rows);
    Ok(Some(Trend {
        chart,
        rows: periods
            .iter()
            .map(|p| {
                let mean = if p.scored > 0 {
                    p.total_sum / p.scored
                } else {
                    0
                };
                (
                    p.run,
                    lang.period(&p.period),
                    Summary::in_words(&p.grades, lang),
                    lang.number(mean),
                )
            })
            .collect(),
    }))
}

fn person(
    lang: Lang,
    names: &HashMap<String, String>,
    posts: &HashMap<String, String>,
    r: StoredResult,
) -> Person {
    let w = lang.words();
    let grade = r.grade.map(|g| g.code().to_string()).unwrap_or_default();
    Person {
        name: names.get(&r.subject).cloned().unwrap_or_default(),
        post: posts
            .get(&r.post)
            .cloned()
            .unwrap_or_else(|| r.post.clone()),
        grade_word: if grade.is_empty() {
            ""
        } else {
            lang.grade_word(&grade)
        },
        computed: match (&r.computed_grade, &r.grade) {
            (Some(c), Some(g)) if c != g => c.code().to_string(),
            _ => String::new(),
        },
        total: r.total.map(|t| lang.number(t)).unwrap_or_default(),
        quota: r.cohort_rule.clone().unwrap_or_default(),
        outcome: match r.outcome {
            Outcome::Scored => String::new(),
            Outcome::Refused => w.outcome_refused.to_string(),
            Outcome::Fault => w.outcome_fault.to_string(),
            Outcome::NotEvaluated => w.outcome_not_evaluated.to_string(),
        },
        grade,
        subject: r.subject,
    }
}
