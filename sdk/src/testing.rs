//! Helpers for a scorecard's native tests: plain `cargo test`, no wasm involved.
//!
//! ```
//! # use thuocdo_sdk::prelude::*;
//! # use thuocdo_sdk::testing::Case;
//! # struct Nothing;
//! # const CARD: Card = Card { name: "demo/nothing", version: "1.0.0",
//! #   title: t("x", "x"), description: t("x", "x"), applies_to: &["clerk"], period: PeriodKind::Month,
//! #   basis: &[], facts: &[], indicators: &[], scale: Scale::points(fx!("0")), bands: &[],
//! #   caps: &[], quotas: &[], reads_products: false };
//! # impl Scorecard for Nothing {
//! #   const CARD: &'static Card = &CARD;
//! #   fn score(_: &Facts, _: &mut Sheet) -> Result<(), EvalError> { Ok(()) }
//! # }
//! let eval = Case::<Nothing>::new().evaluate().unwrap();
//! assert_eq!(eval.total, fx!("0"));
//! ```

use core::marker::PhantomData;

use crate::evaluation::{EvalError, Evaluation, Subject};
use crate::fixed::Fixed;
use crate::{Grade, Scorecard, WhenMissing, check, wire};

/// Panics listing every inconsistency of the scorecard's card.
pub fn assert_card<S: Scorecard>() {
    let problems = check::card(S::CARD);
    assert!(
        problems.is_empty(),
        "{}: {}",
        S::CARD.name,
        problems.join("; ")
    );
}

/// One subject's facts for a test, built by name.
pub struct Case<S> {
    values: Vec<Option<Fixed>>,
    card: PhantomData<S>,
}

impl<S: Scorecard> Default for Case<S> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: Scorecard> Clone for Case<S> {
    fn clone(&self) -> Self {
        Case {
            values: self.values.clone(),
            card: PhantomData,
        }
    }
}

impl<S: Scorecard> Case<S> {
    /// Every fact missing.
    pub fn new() -> Self {
        Case {
            values: vec![None; S::CARD.facts.len()],
            card: PhantomData,
        }
    }

    fn position(name: &str) -> usize {
        S::CARD
            .facts
            .iter()
            .position(|f| f.name == name)
            .unwrap_or_else(|| panic!("{} declares no fact `{name}`", S::CARD.name))
    }

    /// Sets a fact from a decimal: `.set("on-time-rate", "99.1")`.
    pub fn set(mut self, name: &str, value: &str) -> Self {
        let v = Fixed::parse(value).unwrap_or_else(|| panic!("`{value}` is not a decimal"));
        self.values[Self::position(name)] = Some(v);
        self
    }

    /// Sets a fact to an exact value.
    pub fn set_fixed(mut self, name: &str, value: Fixed) -> Self {
        self.values[Self::position(name)] = Some(value);
        self
    }

    /// Removes a fact.
    pub fn unset(mut self, name: &str) -> Self {
        self.values[Self::position(name)] = None;
        self
    }

    /// The facts by position.
    pub fn values(&self) -> &[Option<Fixed>] {
        &self.values
    }

    /// Scores the case, and panics if the result contradicts the card (as the
    /// host would refuse it).
    pub fn evaluate(&self) -> Result<Evaluation, EvalError> {
        let eval = wire::evaluate::<S>(&self.values, Subject::default())?;
        let problems = check::evaluation(S::CARD, &eval);
        assert!(
            problems.is_empty(),
            "{}: {}",
            S::CARD.name,
            problems.join("; ")
        );
        Ok(eval)
    }

    /// The total and grade, for a case that must score.
    pub fn outcome(&self) -> (Fixed, Grade) {
        let e = self
            .evaluate()
            .unwrap_or_else(|e| panic!("{}: {e}", S::CARD.name));
        (e.total, e.grade)
    }

    /// The codes of the caps that applied.
    pub fn caps(&self) -> Vec<&'static str> {
        let e = self
            .evaluate()
            .unwrap_or_else(|e| panic!("{}: {e}", S::CARD.name));
        e.caps.iter().map(|&c| S::CARD.caps[c].code).collect()
    }
}

/// From a complete, valid case: every fact just outside its range is an
/// `invalid-fact` naming it and its range, every required fact left out is a
/// `missing-fact` naming it, and an optional one left out still scores.
pub fn assert_fact_errors<S: Scorecard>(valid: &Case<S>) {
    valid.evaluate().expect("the base case must score");
    let tick = Fixed::from_raw(1);
    for (position, fact) in S::CARD.facts.iter().enumerate() {
        let outside = [
            fact.min.map(|lo| Fixed::from_raw(lo.raw() - tick.raw())),
            fact.max.map(|hi| Fixed::from_raw(hi.raw() + tick.raw())),
        ];
        for value in outside.into_iter().flatten() {
            let case = valid.clone().set_fixed(fact.name, value);
            assert_eq!(
                case.evaluate(),
                Err(EvalError::InvalidFact {
                    position,
                    name: fact.name,
                    value,
                    min: fact.min,
                    max: fact.max,
                }),
                "{}: {} = {value}",
                S::CARD.name,
                fact.name
            );
        }
        let without = valid.clone().unset(fact.name);
        match fact.when_missing {
            WhenMissing::Required => assert_eq!(
                without.evaluate(),
                Err(EvalError::MissingFact {
                    position,
                    name: fact.name,
                }),
                "{}: {} missing",
                S::CARD.name,
                fact.name
            ),
            WhenMissing::NoData => {
                without.evaluate().unwrap_or_else(|e| {
                    panic!("{}: optional {} missing: {e}", S::CARD.name, fact.name)
                });
            }
        }
    }
    let mut short = valid.values.clone();
    short.pop();
    assert_eq!(
        wire::evaluate::<S>(&short, Subject::default()),
        Err(EvalError::WrongFactCount {
            expected: S::CARD.facts.len(),
            found: short.len(),
        })
    );
}
