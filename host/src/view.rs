//! One subject's scorecard as the API and the command line show it: the
//! numbers, the ids and codes beside them, and the host's sentences in both
//! languages.

use crate::explain::{self, Lang};
use crate::runtime::{Evaluation, Grade, PeriodKind, PluginInfo};

/// A fixed-point number as a decimal.
fn num(raw: i64) -> String {
    thuocdo_sdk::Fixed::from_raw(raw).to_string()
}

/// The grade's letter.
pub(crate) fn grade_letter(g: Grade) -> &'static str {
    match g {
        Grade::A => "A",
        Grade::B => "B",
        Grade::C => "C",
        Grade::D => "D",
        Grade::NotGraded => "not graded",
    }
}

/// The period's kind in words.
pub(crate) fn period_kind(p: PeriodKind) -> &'static str {
    match p {
        PeriodKind::Month => "monthly",
        PeriodKind::Quarter => "quarterly",
        PeriodKind::Year => "yearly",
    }
}

/// Both languages' words for one thing.
#[derive(serde::Serialize)]
pub struct Both<T> {
    vi: T,
    en: T,
}

fn both<T>(f: impl Fn(Lang) -> T) -> Both<T> {
    Both {
        vi: f(Lang::Vi),
        en: f(Lang::En),
    }
}

/// One indicator's answer, with its sentence.
#[derive(serde::Serialize)]
struct IndicatorView {
    id: String,
    group: &'static str,
    raw: Option<String>,
    score: String,
    max_score: String,
    light: &'static str,
    explanation: Both<String>,
}

/// The five groups' subtotals.
#[derive(serde::Serialize)]
struct SubtotalsView {
    volume: String,
    progress: String,
    quality: String,
    efficiency: String,
    conduct: String,
}

/// One subject's scorecard as JSON: the numbers, the ids and codes beside
/// them, and the sentences in both languages. Serialised straight from this
/// struct, with no JSON tree built in between (the API writes one per subject).
#[derive(serde::Serialize)]
pub struct EvaluationView {
    plugin: String,
    version: String,
    indicators: Vec<IndicatorView>,
    subtotals: SubtotalsView,
    total: String,
    grade: &'static str,
    summary: Both<String>,
    caps: Vec<String>,
    cap_reasons: Both<Vec<String>>,
    log: String,
}

impl EvaluationView {
    /// The view of `e`, scored by the card `info`, with what it printed.
    pub(crate) fn new(info: &PluginInfo, e: &Evaluation, log: &str) -> EvaluationView {
        EvaluationView {
            plugin: info.name.clone(),
            version: info.version.clone(),
            indicators: info
                .indicators
                .iter()
                .zip(&e.indicators)
                .map(|(spec, r)| IndicatorView {
                    id: spec.id.clone(),
                    group: explain::group(spec.group, Lang::En),
                    raw: r.raw.map(num),
                    score: num(r.score),
                    max_score: num(spec.max_score),
                    light: explain::light(r.light, Lang::En),
                    explanation: both(|l| explain::indicator(spec, r, l)),
                })
                .collect(),
            subtotals: SubtotalsView {
                volume: num(e.subtotals.volume),
                progress: num(e.subtotals.progress),
                quality: num(e.subtotals.quality),
                efficiency: num(e.subtotals.efficiency),
                conduct: num(e.subtotals.conduct),
            },
            total: num(e.total),
            grade: grade_letter(e.grade),
            summary: both(|l| explain::summary(info, e, l)),
            caps: e
                .caps
                .iter()
                .map(|&c| info.caps[c as usize].code.clone())
                .collect(),
            cap_reasons: both(|l| explain::caps(info, e, l)),
            log: log.to_string(),
        }
    }
}

/// One subject's scorecard as a JSON value (see [`EvaluationView`]).
pub(crate) fn evaluation_json(info: &PluginInfo, e: &Evaluation, log: &str) -> serde_json::Value {
    serde_json::to_value(EvaluationView::new(info, e, log)).expect("a view serialises")
}
