//! What every scorecard must satisfy, checked from its card and its results.
//!
//! A plugin's own tests call [`card`] and, for every evaluation they make,
//! [`evaluation`] (the [`testing`](crate::testing) helpers do it for them), and the
//! workspace's test runs both over every plugin at once, so no scorecard can skip
//! them. The host applies the same rules to what a plugin returns.

use std::collections::HashSet;

use crate::card::Card;
use crate::contract;
use crate::evaluation::Evaluation;
use crate::fixed::Fixed;
use crate::{Direction, Grade};

/// Whether `s` is lowercase words joined by hyphens: the contract's rule for
/// namespaces, names, fact names, indicator ids and cap codes.
pub fn kebab(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn semver(v: &str) -> bool {
    let core = v.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Every inconsistency in a card, in words; empty when there is none.
pub fn card(card: &Card) -> Vec<String> {
    let mut problems = Vec::new();
    let mut bad = |p: String| problems.push(p);

    match card.name.split_once('/') {
        Some((ns, name)) if kebab(ns) && kebab(name) => {}
        _ => bad(format!(
            "name `{}` is not namespace/name in lowercase words",
            card.name
        )),
    }
    if !semver(card.version) {
        bad(format!("version `{}` is not semver", card.version));
    }
    for (what, t) in [("title", card.title), ("description", card.description)] {
        if t.vi.is_empty() || t.en.is_empty() {
            bad(format!(
                "the card's {what} needs both Vietnamese and English"
            ));
        }
    }
    if card.applies_to.is_empty() {
        bad("the card applies to no post or agency type".into());
    }

    let mut names = HashSet::new();
    for f in card.facts {
        if !kebab(f.name) {
            bad(format!(
                "fact `{}`: name must be lowercase words joined by hyphens",
                f.name
            ));
        }
        if !names.insert(f.name) {
            bad(format!("fact `{}` is declared twice", f.name));
        }
        if let (Some(lo), Some(hi)) = (f.min, f.max)
            && lo > hi
        {
            bad(format!("fact `{}`: min {lo} is above max {hi}", f.name));
        }
        if f.title.vi.is_empty() || f.title.en.is_empty() || f.unit.en.is_empty() {
            bad(format!(
                "fact `{}` needs a title in both languages and a unit",
                f.name
            ));
        }
    }

    let mut read = HashSet::new();
    let mut ids = HashSet::new();
    let mut max_points = Fixed::ZERO.exact();
    for i in card.indicators {
        if !kebab(i.id) {
            bad(format!(
                "indicator `{}`: id must be lowercase words joined by hyphens",
                i.id
            ));
        }
        if !ids.insert(i.id) {
            bad(format!("indicator `{}` is declared twice", i.id));
        }
        if i.direction == Direction::Neutral {
            bad(format!("indicator `{}` must say which way is better", i.id));
        }
        let ordered = match i.direction {
            Direction::HigherIsBetter => i.green >= i.red,
            Direction::LowerIsBetter => i.green <= i.red,
            Direction::Neutral => true,
        };
        if !ordered {
            bad(format!(
                "indicator `{}`: green {} and red {} contradict its direction",
                i.id, i.green, i.red
            ));
        }
        if i.max_score <= Fixed::ZERO || i.weight <= Fixed::ZERO {
            bad(format!(
                "indicator `{}` needs a positive score range and weight",
                i.id
            ));
        }
        if i.no_data_score < Fixed::ZERO || i.no_data_score > i.max_score {
            bad(format!(
                "indicator `{}`: no-data score outside 0 ..= {}",
                i.id, i.max_score
            ));
        }
        if i.facts.is_empty() {
            bad(format!("indicator `{}` reads no fact", i.id));
        }
        for f in i.facts {
            if !names.contains(f) {
                bad(format!("indicator `{}` reads undeclared fact `{f}`", i.id));
            }
            read.insert(*f);
        }
        if i.formula.vi.is_empty() || i.formula.en.is_empty() || i.title.en.is_empty() {
            bad(format!(
                "indicator `{}` needs a title and a formula in both languages",
                i.id
            ));
        }
        max_points = max_points + i.weight.exact() * i.max_score.exact();
    }
    if max_points != card.scale.max_total.exact() {
        bad(format!(
            "weights × max scores add up to {}, not the scale's {}",
            max_points.round(Fixed::from_raw(1), crate::Rounding::HalfAwayFromZero),
            card.scale.max_total
        ));
    }

    let step = card.scale.step;
    if step <= Fixed::ZERO || card.scale.max_total.raw() % step.raw().max(1) != 0 {
        bad(format!(
            "step {step} must be positive and divide the scale's maximum"
        ));
    }
    let expected = [Grade::A, Grade::B, Grade::C];
    let mut previous: Option<Fixed> = None;
    for (k, b) in card.bands.iter().enumerate() {
        if expected.get(k) != Some(&b.grade) {
            bad("bands must be A, B, C in that order (D lies below the last)".into());
        }
        if b.min_total < Fixed::ZERO || b.min_total > card.scale.max_total {
            bad(format!("band {:?} starts outside the scale", b.grade));
        }
        if previous.is_some_and(|p| b.min_total >= p) {
            bad(format!(
                "band {:?} must start below the band before it",
                b.grade
            ));
        }
        previous = Some(b.min_total);
    }

    let mut codes = HashSet::new();
    for c in card.caps {
        if !kebab(c.code) || !codes.insert(c.code) {
            bad(format!(
                "cap `{}`: codes must be unique lowercase words",
                c.code
            ));
        }
        if c.max_grade == Grade::A {
            bad(format!(
                "cap `{}` caps nothing (A is the best grade)",
                c.code
            ));
        }
        if c.reason.vi.is_empty() || c.reason.en.is_empty() || c.basis.is_none() {
            bad(format!(
                "cap `{}` needs a reason in both languages and a legal basis",
                c.code
            ));
        }
    }
    for q in card.quotas {
        if q.share <= Fixed::ZERO || q.share > Fixed::ONE || q.scope.is_empty() {
            bad(format!(
                "quota `{}`: share must lie in (0, 1] and scope be named",
                q.code
            ));
        }
    }
    problems
}

/// Every way `eval` contradicts `card`; empty when it is consistent. These are the
/// checks the host makes before it stores a result: one function,
/// [`thuocdo_contract::check`], on both sides.
pub fn evaluation(card: &Card, eval: &Evaluation) -> Vec<String> {
    let spec = contract::spec(card);
    let answers: Vec<thuocdo_contract::IndicatorAnswer> = eval
        .indicators
        .iter()
        .map(|r| thuocdo_contract::IndicatorAnswer {
            raw: r.raw.map(Fixed::raw),
            score: r.score.raw(),
            light: contract::light(r.light),
        })
        .collect();
    let answer = thuocdo_contract::Answer {
        indicators: &answers,
        subtotals: eval.subtotals.0.map(Fixed::raw),
        total: eval.total.raw(),
        grade: contract::grade(eval.grade),
        caps: &eval.caps,
    };
    thuocdo_contract::check(&spec, &answer)
        .iter()
        .map(ToString::to_string)
        .collect()
}
