//! The scorecard catalogue, public: every published scorecard and version,
//! and for each version what it measures — facts, indicators with their
//! factors, weights and thresholds, the grading bands, caps and cohort rules —
//! so anyone can read what a post is measured on.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;

use super::error::WebError;
use super::locale::Lang;
use super::person::direction;
use super::session::{Chrome, Visit};
use crate::app::AppState;
use crate::explain;
use crate::registry::VersionRecord;
use crate::runtime::{
    CohortRule, CohortScope, FactOrigin, LegalBasis, PeriodKind, PluginInfo, QuotaCounting,
    Rounding, WhenMissing,
};
use crate::scoring;

fn period_kind(p: PeriodKind, lang: Lang) -> &'static str {
    match (p, lang) {
        (PeriodKind::Month, Lang::Vi) => "hằng tháng",
        (PeriodKind::Quarter, Lang::Vi) => "hằng quý",
        (PeriodKind::Year, Lang::Vi) => "hằng năm",
        (PeriodKind::Month, Lang::En) => "monthly",
        (PeriodKind::Quarter, Lang::En) => "quarterly",
        (PeriodKind::Year, Lang::En) => "yearly",
    }
}

fn basis(b: &LegalBasis) -> String {
    match &b.article {
        Some(a) => format!("{}, {a}", b.document),
        None => b.document.clone(),
    }
}

struct VersionRow {
    version: String,
    link: String,
    title: String,
    applies_to: String,
    period: &'static str,
    indicators: usize,
    published: String,
    published_by: String,
    sha256: String,
    contract: String,
    yanked: bool,
    prerelease: bool,
}

struct PluginEntry {
    name: String,
    versions: Vec<VersionRow>,
}

#[derive(Template)]
#[template(path = "catalogue.html")]
struct CataloguePage {
    c: Chrome,
    plugins: Vec<PluginEntry>,
}

/// `/catalogue`: every published scorecard, every version.
pub async fn list(State(state): State<AppState>, visit: Visit) -> Result<Response, WebError> {
    let lang = visit.lang;
    let mut plugins = Vec::new();
    for name in state.registry.plugins().await.map_err(|e| visit.error(e))? {
        let mut versions = Vec::new();
        for v in state
            .registry
            .versions(&name)
            .await
            .map_err(|e| visit.error(e))?
            .into_iter()
            .rev()
        {
            let info = super::card(&state, &name, &v.version)
                .await
                .map_err(|e| visit.error(e))?;
            versions.push(version_row(lang, &name, v, &info));
        }
        plugins.push(PluginEntry { name, versions });
    }
    visit.respond(CataloguePage {
        c: visit.chrome(visit.w().catalogue),
        plugins,
    })
}

fn version_row(lang: Lang, name: &str, v: VersionRecord, info: &PluginInfo) -> VersionRow {
    VersionRow {
        link: format!("/catalogue/{name}/{}", v.version),
        version: v.version,
        title: lang.pick(&info.title).to_string(),
        applies_to: info.applies_to.join(", "),
        period: period_kind(info.period_kind, lang),
        indicators: info.indicators.len(),
        published: lang.datetime(v.published_at),
        published_by: v.published_by,
        sha256: v.sha256,
        contract: v.contract,
        yanked: v.yanked,
        prerelease: v.prerelease,
    }
}

struct FactView {
    name: String,
    title: String,
    unit: String,
    range: String,
    direction: &'static str,
    when_missing: String,
    source: String,
}

struct IndicatorView {
    id: String,
    title: String,
    factor: &'static str,
    weight: String,
    max: String,
    direction: &'static str,
    green: String,
    red: String,
    no_data: String,
    formula: String,
    basis: String,
}

struct BandView {
    grade: String,
    name: &'static str,
    min: String,
}

struct CapView {
    code: String,
    max_grade: String,
    reason: String,
    basis: String,
}

#[derive(Template)]
#[template(path = "scorecard.html")]
struct ScorecardPage {
    c: Chrome,
    name: String,
    version: String,
    description: String,
    applies_to: String,
    period: &'static str,
    basis: Vec<String>,
    published: String,
    published_by: String,
    sha256: String,
    contract: String,
    yanked: bool,
    scale: String,
    facts: Vec<FactView>,
    indicators: Vec<IndicatorView>,
    bands: Vec<BandView>,
    caps: Vec<CapView>,
    rules: Vec<String>,
}

/// `/catalogue/{namespace}/{name}/{version}`: what one version measures.
pub async fn scorecard(
    State(state): State<AppState>,
    visit: Visit,
    Path((namespace, name, version)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let lang = visit.lang;
    let w = visit.w();
    let plugin = format!("{namespace}/{name}");
    let (record, _) = state
        .registry
        .describe(&plugin, &version)
        .await
        .map_err(|e| visit.error(e))?;
    let info = super::card(&state, &plugin, &version)
        .await
        .map_err(|e| visit.error(e))?;
    let n = |v: i64| lang.number(v);
    let rounding = match (info.scale.rounding, lang) {
        (Rounding::HalfAwayFromZero, Lang::Vi) => "làm tròn nửa lên",
        (Rounding::HalfToEven, Lang::Vi) => "làm tròn về số chẵn",
        (Rounding::TowardZero, Lang::Vi) => "cắt bỏ phần lẻ",
        (Rounding::HalfAwayFromZero, Lang::En) => "half away from zero",
        (Rounding::HalfToEven, Lang::En) => "half to even",
        (Rounding::TowardZero, Lang::En) => "toward zero",
    };
    let facts = info
        .facts
        .iter()
        .map(|f| FactView {
            name: f.name.clone(),
            title: lang.pick(&f.title).to_string(),
            unit: lang.pick(&f.unit).to_string(),
            range: format!(
                "{} … {}",
                f.min.map(n).unwrap_or_else(|| "−∞".into()),
                f.max.map(n).unwrap_or_else(|| "∞".into())
            ),
            direction: direction(f.direction, lang),
            when_missing: match (&f.origin, f.when_missing) {
                (FactOrigin::FromResults(_), _) => w.from_results.to_string(),
                (FactOrigin::FromLedResults(_), _) => w.from_led_results.to_string(),
                (FactOrigin::Assessed(_), _) => w.assessed.to_string(),
                (_, WhenMissing::Required) => w.required.to_string(),
                (_, WhenMissing::NoData) => w.no_data.to_string(),
            },
            source: lang.pick(&f.source).to_string(),
        })
        .collect();
    let indicators = info
        .indicators
        .iter()
        .map(|i| {
            let unit = lang.pick(&i.unit).to_string();
            IndicatorView {
                id: i.id.clone(),
                title: lang.pick(&i.title).to_string(),
                factor: explain::group(i.group, lang),
                weight: n(i.weight),
                max: n(i.max_score),
                direction: direction(i.direction, lang),
                green: format!("{} {unit}", n(i.green)),
                red: format!("{} {unit}", n(i.red)),
                no_data: n(i.no_data_score),
                formula: lang.pick(&i.formula).to_string(),
                basis: i.basis.as_ref().map(basis).unwrap_or_default(),
            }
        })
        .collect();
    let bands = info
        .bands
        .iter()
        .map(|b| {
            let code = scoring::grade_code(b.grade);
            BandView {
                grade: code.to_string(),
                name: explain::grade(b.grade, lang),
                min: n(b.min_total),
            }
        })
        .collect();
    let caps = info
        .caps
        .iter()
        .map(|c| CapView {
            code: c.code.clone(),
            max_grade: format!(
                "{} ({})",
                scoring::grade_code(c.max_grade),
                explain::grade(c.max_grade, lang)
            ),
            reason: lang.pick(&c.reason).to_string(),
            basis: c.basis.as_ref().map(basis).unwrap_or_default(),
        })
        .collect();
    let rules = info
        .cohort_rules
        .iter()
        .map(|rule| match rule {
            CohortRule::Quota(q) => {
                let scope: Vec<String> = q
                    .scope
                    .iter()
                    .map(|s| match (s, lang) {
                        (CohortScope::Agency, Lang::Vi) => "cơ quan".to_string(),
                        (CohortScope::Agency, Lang::En) => "agency".to_string(),
                        (CohortScope::TaskGroup, Lang::Vi) => "nhóm nhiệm vụ tương đồng".to_string(),
                        (CohortScope::TaskGroup, Lang::En) => "group of similar tasks".to_string(),
                        (CohortScope::Level(kind), Lang::Vi) => format!("đơn vị cấp {kind}"),
                        (CohortScope::Level(kind), Lang::En) => format!("{kind}-level unit"),
                    })
                    .collect();
                let counting = match (q.counting, lang) {
                    (QuotaCounting::BeforeDemotion, Lang::Vi) => "đếm trước khi hạ loại",
                    (QuotaCounting::BeforeDemotion, Lang::En) => "counted before demotion",
                    (QuotaCounting::FinalCounts, Lang::Vi) => "đếm theo kết quả cuối cùng",
                    (QuotaCounting::FinalCounts, Lang::En) => "counted on final grades",
                };
                let share = format!("{} %", lang.number(q.share * 100));
                match lang {
                    Lang::Vi => format!(
                        "{} ({}): số {} tối đa {share} số {} ({counting}), tính trong {}; vượt hạn mức thì hạ xuống {}",
                        lang.pick(&q.title),
                        q.code,
                        lang.grade_word(scoring::grade_code(q.limited)),
                        lang.grade_word(scoring::grade_code(q.relative_to)),
                        scope.join(" và "),
                        lang.grade_word(scoring::grade_code(q.demote_to)),
                    ),
                    Lang::En => format!(
                        "{} ({}): {} at most {share} of {} ({counting}), counted within each {}; those beyond are lowered to {}",
                        lang.pick(&q.title),
                        q.code,
                        lang.grade_word(scoring::grade_code(q.limited)),
                        lang.grade_word(scoring::grade_code(q.relative_to)),
                        scope.join(" and "),
                        lang.grade_word(scoring::grade_code(q.demote_to)),
                    ),
                }
            }
        })
        .collect();
    visit.respond(ScorecardPage {
        c: visit.chrome(format!("{plugin} {version} — {}", lang.pick(&info.title))),
        description: lang.pick(&info.description).to_string(),
        applies_to: info.applies_to.join(", "),
        period: period_kind(info.period_kind, lang),
        basis: info.basis.iter().map(basis).collect(),
        published: lang.datetime(record.published_at),
        published_by: record.published_by,
        sha256: record.sha256,
        contract: record.contract,
        yanked: record.yanked,
        scale: format!(
            "0 … {}; {} {}, {rounding}",
            n(info.scale.max_total),
            w.step,
            n(info.scale.step)
        ),
        facts,
        indicators,
        bands,
        caps,
        rules,
        name: plugin,
        version,
    })
}
