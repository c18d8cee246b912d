//! How results read in a terminal and in JSON: numbers from the plugin, words
//! from its describe().

use std::fmt::Write as _;

use thuocdo_sdk::Fixed;

use crate::explain::{self, Lang};
use crate::runtime::{Evaluation, EvaluationInput, PluginInfo};

/// A fixed-point number as a decimal.
pub(crate) fn num(raw: i64) -> String {
    Fixed::from_raw(raw).to_string()
}

pub(super) use crate::view::grade_letter as grade;

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
