//! How results read in a terminal and in JSON: numbers from the plugin, words
//! from its describe().

use std::fmt::Write as _;

use serde_json::json;
use thuocdo_sdk::Fixed;

use crate::runtime::{Evaluation, EvaluationError, EvaluationInput, Grade, PeriodKind, PluginInfo};

/// A fixed-point number as a decimal.
pub(super) fn num(raw: i64) -> String {
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

/// A contract error in words, naming the fact.
pub(super) fn evaluation_error(info: &PluginInfo, e: &EvaluationError) -> String {
    let bound = |b: Option<i64>| b.map_or("unbounded".to_string(), num);
    match e {
        EvaluationError::MissingFact(f) => {
            format!("{}: fact {} `{}` is missing", info.name, f.position, f.name)
        }
        EvaluationError::InvalidFact(i) => format!(
            "{}: fact {} `{}` is {}, outside its range {} ..= {}",
            info.name,
            i.fact.position,
            i.fact.name,
            num(i.value),
            bound(i.min),
            bound(i.max)
        ),
        EvaluationError::WrongFactCount(c) => format!(
            "{}: expected {} facts, found {}",
            info.name, c.expected, c.found
        ),
    }
}

/// One subject's scorecard as a table.
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
    let _ = writeln!(
        out,
        "  {:<28} {:<11} {:>12} {:>14}  light",
        "indicator", "factor", "raw", "score"
    );
    for (spec, r) in info.indicators.iter().zip(&e.indicators) {
        let _ = writeln!(
            out,
            "  {:<28} {:<11} {:>12} {:>14}  {:?}",
            spec.id,
            format!("{:?}", spec.group).to_lowercase(),
            r.raw.map_or("no data".into(), num),
            format!("{} / {}", num(r.score), num(spec.max_score)),
            r.light
        );
    }
    let _ = writeln!(
        out,
        "  total {} of {}: {}",
        num(e.total),
        num(info.scale.max_total),
        grade(e.grade)
    );
    for &c in &e.caps {
        let cap = &info.caps[c as usize];
        let _ = writeln!(out, "  cap {}: {}", cap.code, cap.reason.en);
    }
    out
}

/// One subject's scorecard as JSON, with ids and codes beside the numbers.
pub(super) fn evaluation_json(info: &PluginInfo, e: &Evaluation) -> serde_json::Value {
    json!({
        "plugin": info.name,
        "version": info.version,
        "indicators": info.indicators.iter().zip(&e.indicators).map(|(spec, r)| json!({
            "id": spec.id,
            "raw": r.raw.map(num),
            "score": num(r.score),
            "light": r.light,
        })).collect::<Vec<_>>(),
        "total": num(e.total),
        "grade": grade(e.grade),
        "caps": e.caps.iter().map(|&c| info.caps[c as usize].code.clone()).collect::<Vec<_>>(),
    })
}
