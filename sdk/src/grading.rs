//! The contract's one algorithm from rounded scores to a grade, so the host and
//! every scorecard compute the same total.

use crate::card::Card;
use crate::evaluation::{IndicatorResult, Subtotals};
use crate::fixed::{Fixed, SCALE, round_div};
use crate::{Grade, Group, Rounding};

/// The groups, in the order subtotals list them.
pub const GROUPS: [Group; 5] = [
    Group::Volume,
    Group::Progress,
    Group::Quality,
    Group::Efficiency,
    Group::Conduct,
];

/// The position of `group` in [`GROUPS`].
pub const fn group_index(group: Group) -> usize {
    match group {
        Group::Volume => 0,
        Group::Progress => 1,
        Group::Quality => 2,
        Group::Efficiency => 3,
        Group::Conduct => 4,
    }
}

/// Each group's weight × score summed over its indicators, rounded to the step.
pub fn subtotals(card: &Card, results: &[IndicatorResult]) -> Subtotals {
    // Products of two ten-thousandths are in units of 1e-8; summed exactly in i128.
    let mut sums = [0i128; 5];
    for (ind, r) in card.indicators.iter().zip(results) {
        sums[group_index(ind.group)] += ind.weight.raw() as i128 * r.score.raw() as i128;
    }
    let step = card.scale.step.raw();
    Subtotals(sums.map(|sum| Fixed::from_raw(round_points(sum, step, card.scale.rounding))))
}

/// A sum of weight × score products (each in units of 1e-8) rounded to `step`
/// (in ten-thousandths) with `rule`: how a subtotal is formed. The host uses it
/// to recompute what a plugin reports.
pub fn round_points(sum: i128, step: i64, rule: Rounding) -> i64 {
    let steps = round_div(sum, SCALE as i128 * step as i128, rule);
    (steps * step as i128).clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

/// The total: the sum of the subtotals.
pub fn total(subtotals: &Subtotals) -> Fixed {
    Fixed::from_raw(subtotals.0.iter().map(|f| f.raw()).sum())
}

/// How good a grade is: 0 for A to 3 for D; not graded ranks below all.
pub const fn rank(grade: Grade) -> u8 {
    match grade {
        Grade::A => 0,
        Grade::B => 1,
        Grade::C => 2,
        Grade::D => 3,
        Grade::NotGraded => 4,
    }
}

/// The grade the bands give `total`: the first band it reaches, else D.
pub fn band_grade(card: &Card, total: Fixed) -> Grade {
    card.bands
        .iter()
        .find(|b| total >= b.min_total)
        .map_or(Grade::D, |b| b.grade)
}

/// The band grade bounded by every applied cap (positions into `card.caps`);
/// a cap to not-graded overrides everything.
pub fn final_grade(card: &Card, total: Fixed, caps: &[usize]) -> Grade {
    caps.iter()
        .map(|&c| card.caps[c].max_grade)
        .fold(band_grade(card, total), |g, cap| {
            if rank(cap) > rank(g) { cap } else { g }
        })
}
