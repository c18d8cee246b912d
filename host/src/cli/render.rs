//! How results read in a terminal and in JSON: numbers from the plugin, words
//! from its describe().

use std::fmt::Write as _;

use serde_json::json;
use thuocdo_sdk::Fixed;

use crate::explain::{self, Lang};
use crate::runtime::{Evaluation, EvaluationInput, Grade, PeriodKind, PluginInfo};

/// A fixed-point number as a decimal.
pub(crate) fn num(raw: i64) -> String {
    Fixed::from_raw(raw).to_string()
}

/// The grade's letter.
pub(super) fn grade(g: Grade) -> &'static str {
    match g {
        Grade::A => "A",
        Grade::B => "B",
        Grade::C => "C",
        Grade::D => "D",
        Grade::NotGraded => "not graded",
    }
}

/// The period's kind in words.
pub(super) fn period(p: PeriodKind) -> &'static str {
    match p {
        PeriodKind::Month => "monthly",
        PeriodKind::Quarter => "quarterly",
        PeriodKind::Year => "yearly",
    }
}

pub(super) use crate::explain::evaluation_error;

/// One subject's scorecard as a table, with the host's sentences.
pub(super) fn evaluation_table(
    info: &PluginInfo,
    input: &EvaluationInput,
    e: &Evaluation,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} — {} ({})",
        info.name, info.version, info.title.en, input.subject.id
    );
    for (spec, r) in info.indicators.iter().zip(&e.indicators) {
        let _ = writeln!(
            out,
            "  [{:<10}] {}",
            explain::group(spec.group, Lang::En),
            explain::indicator(spec, r, Lang::En)
        );
    }
    let _ = writeln!(out, "  total {}", explain::summary(info, e, Lang::En));
    for line in explain::caps(info, e, Lang::En) {
        let _ = writeln!(out, "  cap: {line}");
    }
    out
}

/// One subject's scorecard as JSON: the numbers, the ids and codes beside them,
/// and the sentences in both languages.
pub(crate) fn evaluation_json(info: &PluginInfo, e: &Evaluation, log: &str) -> serde_json::Value {
    json!({
        "plugin": info.name,
        "version": info.version,
        "indicators": info.indicators.iter().zip(&e.indicators).map(|(spec, r)| json!({
            "id": spec.id,
            "group": explain::group(spec.group, Lang::En),
            "raw": r.raw.map(num),
            "score": num(r.score),
            "max_score": num(spec.max_score),
            "light": explain::light(r.light, Lang::En),
            "explanation": {"vi": explain::indicator(spec, r, Lang::Vi), "en": explain::indicator(spec, r, Lang::En)},
        })).collect::<Vec<_>>(),
        "subtotals": {
            "volume": num(e.subtotals.volume),
            "progress": num(e.subtotals.progress),
            "quality": num(e.subtotals.quality),
            "efficiency": num(e.subtotals.efficiency),
            "conduct": num(e.subtotals.conduct),
        },
        "total": num(e.total),
        "grade": grade(e.grade),
        "summary": {"vi": explain::summary(info, e, Lang::Vi), "en": explain::summary(info, e, Lang::En)},
        "caps": e.caps.iter().map(|&c| info.caps[c as usize].code.clone()).collect::<Vec<_>>(),
        "cap_reasons": {"vi": explain::caps(info, e, Lang::Vi), "en": explain::caps(info, e, Lang::En)},
        "log": log,
    })
}
