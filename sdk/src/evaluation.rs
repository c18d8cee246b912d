//! Scoring one subject: the facts in, the sheet the scorecard fills, the result out.

use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use crate::card::{CapId, Card, FactId, Indicator, IndicatorId};
use crate::fixed::{Exact, Fixed, round_div};
use crate::grading;
pub use crate::grading::Subtotals;
use crate::{Direction, Grade, Light, WhenMissing};

/// Why a subject could not be scored. It is an answer to the host, never a trap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EvalError {
    /// A required fact is missing.
    MissingFact {
        /// Its position in the card.
        position: usize,
        /// Its name.
        name: &'static str,
    },
    /// A fact lies outside its declared range.
    InvalidFact {
        /// Its position in the card.
        position: usize,
        /// Its name.
        name: &'static str,
        /// The value given.
        value: Fixed,
        /// The smallest allowed.
        min: Option<Fixed>,
        /// The largest allowed.
        max: Option<Fixed>,
    },
    /// More or fewer facts than the card declares.
    WrongFactCount {
        /// What the card declares.
        expected: usize,
        /// What was given.
        found: usize,
    },
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::MissingFact { position, name } => {
                write!(f, "fact {position} `{name}` is missing")
            }
            EvalError::InvalidFact {
                position,
                name,
                value,
                min,
                max,
            } => {
                write!(f, "fact {position} `{name}` is {value}, outside ")?;
                match (min, max) {
                    (Some(lo), Some(hi)) => write!(f, "{lo} ..= {hi}"),
                    (Some(lo), None) => write!(f, ">= {lo}"),
                    (None, Some(hi)) => write!(f, "<= {hi}"),
                    (None, None) => write!(f, "any range"),
                }
            }
            EvalError::WrongFactCount { expected, found } => {
                write!(f, "expected {expected} facts, found {found}")
            }
        }
    }
}

impl core::error::Error for EvalError {}

/// Who is being scored, and for which period.
#[derive(Clone, Copy, Debug, Default)]
pub struct Subject<'a> {
    /// The person's or unit's id.
    pub id: &'a str,
    /// Their unit's code.
    pub unit: &'a str,
    /// Their post's code.
    pub position: &'a str,
    /// The period: "2025-09", "2025-Q3", "2025".
    pub period: &'a str,
    /// Their work products in the period, when the card reads them.
    pub products: &'a [crate::WorkProduct],
}

/// The facts of one subject, checked against the card before the scorecard sees them.
pub struct Facts<'a> {
    card: &'static Card,
    values: &'a [Option<Fixed>],
    subject: Subject<'a>,
}

impl<'a> Facts<'a> {
    /// Checks the count, every present value's range and every required fact's
    /// presence, in position order; the first failure is the answer.
    pub fn check(
        card: &'static Card,
        values: &'a [Option<Fixed>],
        subject: Subject<'a>,
    ) -> Result<Facts<'a>, EvalError> {
        if values.len() != card.facts.len() {
            return Err(EvalError::WrongFactCount {
                expected: card.facts.len(),
                found: values.len(),
            });
        }
        for (position, (fact, value)) in card.facts.iter().zip(values).enumerate() {
            match value {
                Some(v) => {
                    let below = fact.min.is_some_and(|lo| *v < lo);
                    let above = fact.max.is_some_and(|hi| *v > hi);
                    if below || above {
                        return Err(EvalError::InvalidFact {
                            position,
                            name: fact.name,
                            value: *v,
                            min: fact.min,
                            max: fact.max,
                        });
                    }
                }
                None if fact.when_missing == WhenMissing::Required => {
                    return Err(EvalError::MissingFact {
                        position,
                        name: fact.name,
                    });
                }
                None => {}
            }
        }
        Ok(Facts {
            card,
            values,
            subject,
        })
    }

    fn position(&self, name: &str) -> usize {
        self.card.find_fact(name).0
    }

    /// The value of the fact named `name`; `MissingFact` when it is absent.
    pub fn get(&self, name: &str) -> Result<Fixed, EvalError> {
        let p = self.position(name);
        self.values[p].ok_or(EvalError::MissingFact {
            position: p,
            name: self.card.facts[p].name,
        })
    }

    /// The value of the fact named `name`, `None` when there is no data.
    pub fn optional(&self, name: &str) -> Option<Fixed> {
        self.values[self.position(name)]
    }

    /// A yes/no fact (1 is yes); a missing optional flag reads as no.
    pub fn flag(&self, name: &str) -> Result<bool, EvalError> {
        let p = self.position(name);
        match self.values[p] {
            Some(v) => Ok(v == Fixed::ONE),
            None if self.card.facts[p].when_missing == WhenMissing::NoData => Ok(false),
            None => self.get(name).map(|_| false),
        }
    }

    /// A fact's value by position, for scorecards that resolve names once with
    /// [`Card::fact`] in a `const`.
    pub fn at(&self, id: FactId) -> Option<Fixed> {
        self.values[id.0]
    }

    /// Who is being scored.
    pub fn subject(&self) -> Subject<'a> {
        self.subject
    }

    /// The subject's work products in the period (empty unless the card
    /// sets `reads_products`).
    pub fn products(&self) -> &'a [crate::WorkProduct] {
        self.subject.products
    }
}

/// One indicator's result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndicatorResult {
    /// The raw value it was judged on.
    pub raw: Option<Fixed>,
    /// The score, rounded to the step.
    pub score: Fixed,
    /// Its light.
    pub light: Light,
}

/// One subject's scorecard in numbers and codes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    /// By position.
    pub indicators: Vec<IndicatorResult>,
    /// Points per group.
    pub subtotals: Subtotals,
    /// The sum of the subtotals.
    pub total: Fixed,
    /// The final grade after caps.
    pub grade: Grade,
    /// Positions of the caps that applied, ascending.
    pub caps: Vec<usize>,
}

/// What a scorecard fills in for one subject.
pub struct Sheet {
    card: &'static Card,
    results: Vec<Option<IndicatorResult>>,
    caps: Vec<bool>,
}

impl Sheet {
    /// An empty sheet for `card`.
    pub fn new(card: &'static Card) -> Sheet {
        Sheet {
            card,
            results: vec![None; card.indicators.len()],
            caps: vec![false; card.caps.len()],
        }
    }

    /// Scores `raw` linearly between the indicator's red threshold (0) and its
    /// green threshold (its full score), in either direction, capped at both ends.
    /// `None` is no data.
    pub fn linear(&mut self, indicator: &str, raw: Option<Fixed>) {
        self.linear_at(self.card.find_indicator(indicator), raw)
    }

    /// [`Sheet::linear`] by position.
    pub fn linear_at(&mut self, id: IndicatorId, raw: Option<Fixed>) {
        let Some(raw) = raw else {
            return self.no_data_at(id);
        };
        let ind = &self.card.indicators[id.0];
        if let Some(score) = linear_fast(ind, raw, self.card.scale.step, self.card.scale.rounding) {
            self.results[id.0] = Some(IndicatorResult {
                raw: Some(raw),
                score,
                light: light_of(ind.direction, ind.green, ind.red, raw),
            });
            return;
        }
        let fraction = if ind.green == ind.red {
            // A single threshold: full score at or beyond it, none short of it.
            if light_of(ind.direction, ind.green, ind.red, raw) == Light::Green {
                Exact::int(1)
            } else {
                Exact::ZERO
            }
        } else {
            ((raw.exact() - ind.red.exact()) / (ind.green.exact() - ind.red.exact()))
                .clamp(Exact::ZERO, Exact::int(1))
        };
        self.score_at(id, raw, fraction * ind.max_score.exact());
    }

    /// Records `score` (bounded to the indicator's range and rounded to the step)
    /// for the raw value `raw`, whose light follows the indicator's thresholds.
    pub fn score(&mut self, indicator: &str, raw: Fixed, score: Exact) {
        self.score_at(self.card.find_indicator(indicator), raw, score)
    }

    /// [`Sheet::score`] by position.
    pub fn score_at(&mut self, id: IndicatorId, raw: Fixed, score: Exact) {
        let ind = &self.card.indicators[id.0];
        let bounded = score.clamp(Exact::ZERO, ind.max_score.exact());
        self.results[id.0] = Some(IndicatorResult {
            raw: Some(raw),
            score: bounded.round(self.card.scale.step, self.card.scale.rounding),
            light: light_of(ind.direction, ind.green, ind.red, raw),
        });
    }

    /// The indicator has no data: light no-data, its declared no-data score.
    pub fn no_data(&mut self, indicator: &str) {
        self.no_data_at(self.card.find_indicator(indicator))
    }

    /// [`Sheet::no_data`] by position.
    pub fn no_data_at(&mut self, id: IndicatorId) {
        self.results[id.0] = Some(IndicatorResult {
            raw: None,
            score: self.card.indicators[id.0].no_data_score,
            light: Light::NoData,
        });
    }

    /// The cap with `code` applies.
    pub fn cap(&mut self, code: &str) {
        self.cap_at(self.card.find_cap(code));
    }

    /// The cap with `code` applies when `condition` holds.
    pub fn cap_if(&mut self, condition: bool, code: &str) {
        if condition {
            self.cap(code);
        }
    }

    /// [`Sheet::cap`] by position.
    pub fn cap_at(&mut self, id: CapId) {
        self.caps[id.0] = true;
    }

    /// Totals, grades and caps. Every indicator must have been scored: a
    /// scorecard that forgets one is a bug, and it panics naming the indicator.
    pub fn finish(self) -> Evaluation {
        let card = self.card;
        let indicators: Vec<IndicatorResult> = self
            .results
            .iter()
            .zip(card.indicators)
            .map(|(r, ind)| {
                r.unwrap_or_else(|| panic!("scorecard bug: indicator `{}` was not scored", ind.id))
            })
            .collect();
        let subtotals = grading::subtotals(card, indicators.iter().map(|r| r.score));
        let total = grading::total(&subtotals);
        let caps: Vec<usize> = (0..card.caps.len()).filter(|&i| self.caps[i]).collect();
        let grade = grading::final_grade(card, total, &caps);
        Evaluation {
            indicators,
            subtotals,
            total,
            grade,
            caps,
        }
    }
}

/// The linear score in 64-bit integers, the same number [`Sheet::linear`]'s exact
/// fractions give, without them: `None` when a product could overflow (then
/// the exact path decides). This is the hot path of nearly every scorecard.
fn linear_fast(ind: &Indicator, raw: Fixed, step: Fixed, rule: crate::Rounding) -> Option<Fixed> {
    let (mut n, mut d) = (
        raw.raw().checked_sub(ind.red.raw())?,
        ind.green.raw().checked_sub(ind.red.raw())?,
    );
    if d == 0 {
        return None;
    }
    if d < 0 {
        (n, d) = (n.checked_neg()?, -d);
    }
    let max = ind.max_score.raw();
    if n <= 0 {
        return Some(Fixed::ZERO);
    }
    if n >= d {
        // The full score, rounded as the exact path would round it.
        return Some(Fixed::from_raw(
            round_div(max as i128, step.raw() as i128, rule) as i64 * step.raw(),
        ));
    }
    let num = max.checked_mul(n)?;
    let den = d.checked_mul(step.raw())?;
    Some(Fixed::from_raw(
        (round_div(num as i128, den as i128, rule) as i64).checked_mul(step.raw())?,
    ))
}

/// The light of `raw` against thresholds: green at or better than `green`, red at
/// or worse than `red`, yellow between.
pub fn light_of(direction: Direction, green: Fixed, red: Fixed, raw: Fixed) -> Light {
    use crate::contract as c;
    c::from_light(thuocdo_contract::light_of(
        c::direction(direction),
        green.raw(),
        red.raw(),
        raw.raw(),
    ))
}

/// `part` as a percentage of `whole`, to four decimals (half away from zero);
/// `None` when `whole` is zero, for there is nothing to compare against.
pub fn percent(part: Fixed, whole: Fixed) -> Option<Fixed> {
    if whole == Fixed::ZERO {
        return None;
    }
    // part / whole × 100, in ten-thousandths: part × 1,000,000 / whole.
    if let Some(num) = part.raw().checked_mul(1_000_000) {
        let (num, den) = if whole.raw() < 0 {
            (-(num as i128), -(whole.raw() as i128))
        } else {
            (num as i128, whole.raw() as i128)
        };
        let q = round_div(num, den, crate::Rounding::HalfAwayFromZero);
        return Some(Fixed::from_raw(
            q.clamp(i64::MIN as i128, i64::MAX as i128) as i64
        ));
    }
    let ratio = part.exact().checked_div(whole.exact())?;
    Some((ratio * Exact::int(100)).round(Fixed::from_raw(1), crate::Rounding::HalfAwayFromZero))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::Indicator;
    use crate::{Group, Rounding, t};

    /// The 64-bit fast path gives exactly the exact fractions' score.
    #[test]
    fn linear_fast_path_equals_exact_arithmetic() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |m: i64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % (2 * m as u64 + 1)) as i64 - m
        };
        for _ in 0..200_000 {
            let (green, red) = (next(2_000_000), next(2_000_000));
            if green == red {
                continue;
            }
            let max = next(1_000_000).abs().max(1);
            let raw = Fixed::from_raw(next(3_000_000));
            let step = Fixed::from_raw([1, 100, 2_500][(next(1) + 1) as usize]);
            let rule = [
                Rounding::HalfAwayFromZero,
                Rounding::HalfToEven,
                Rounding::TowardZero,
            ][(next(1) + 1) as usize];
            let ind = Indicator::new("x", Group::Volume, t("x", "x"), t("x", "x"))
                .thresholds(Fixed::from_raw(green), Fixed::from_raw(red))
                .weighted(Fixed::from_raw(max), Fixed::ONE);
            let exact = ((raw.exact() - ind.red.exact()) / (ind.green.exact() - ind.red.exact()))
                .clamp(Exact::ZERO, Exact::int(1))
                * ind.max_score.exact();
            assert_eq!(
                linear_fast(&ind, raw, step, rule),
                Some(exact.round(step, rule)),
                "raw {raw} green {green} red {red} max {max} step {step} {rule:?}"
            );
        }
    }

    #[test]
    fn percent_fast_path_equals_exact_arithmetic() {
        for (part, whole) in [
            (1, 3),
            (2, 3),
            (-7, 9),
            (7, -9),
            (99_910, 100_000),
            (1, 7),
            (123_456_789, 987),
        ] {
            let (p, w) = (Fixed::from_raw(part), Fixed::from_raw(whole));
            let exact = (p.exact() / w.exact() * Exact::int(100))
                .round(Fixed::from_raw(1), Rounding::HalfAwayFromZero);
            assert_eq!(percent(p, w), Some(exact), "{part} / {whole}");
        }
        assert_eq!(percent(Fixed::ONE, Fixed::ZERO), None);
    }
}
