//! The contract's one algorithm from rounded scores to a grade, in the SDK's
//! terms: every step is `thuocdo-contract`'s, which the host checks every
//! answer with, so a scorecard and the host cannot compute different totals.

use thuocdo_contract as c;

use crate::card::Card;
use crate::contract::{from_grade, grade, group, rounding};
use crate::fixed::Fixed;
use crate::{Grade, Group};

/// The groups, in the order subtotals list them.
pub const GROUPS: [Group; 5] = [
    Group::Volume,
    Group::Progress,
    Group::Quality,
    Group::Efficiency,
    Group::Conduct,
];

/// The position of `group` in [`GROUPS`].
pub fn group_index(g: Group) -> usize {
    group(g).index()
}

/// Points per group.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Subtotals(pub [Fixed; 5]);

impl Subtotals {
    /// The group's subtotal.
    pub fn get(&self, group: Group) -> Fixed {
        self.0[group_index(group)]
    }
}

/// Each group's weight × score summed over its indicators (by position),
/// rounded to the step.
pub fn subtotals(card: &Card, scores: impl IntoIterator<Item = Fixed>) -> Subtotals {
    let sums = c::weighted_subtotals(
        card.scale.step.raw(),
        rounding(card.scale.rounding),
        card.indicators
            .iter()
            .zip(scores)
            .map(|(ind, score)| (group(ind.group), ind.weight.raw(), score.raw())),
    );
    Subtotals(sums.map(Fixed::from_raw))
}

/// The total: the sum of the subtotals.
pub fn total(subtotals: &Subtotals) -> Fixed {
    Fixed::from_raw(subtotals.0.iter().map(|f| f.raw()).sum())
}

/// The grade the bands give `total`: the first band it reaches, else D.
pub fn band_grade(card: &Card, total: Fixed) -> Grade {
    from_grade(c::band_grade(
        card.bands
            .iter()
            .map(|b| (grade(b.grade), b.min_total.raw())),
        total.raw(),
    ))
}

/// The band grade bounded by every applied cap (positions into `card.caps`);
/// a cap to not-graded overrides everything.
pub fn final_grade(card: &Card, total: Fixed, caps: &[usize]) -> Grade {
    let band = grade(band_grade(card, total));
    from_grade(c::capped(
        band,
        caps.iter().map(|&i| grade(card.caps[i].max_grade)),
    ))
}
