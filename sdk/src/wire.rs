//! Between the card and the contract's types: `describe()` and `evaluate()` as
//! the host calls them. Compiled natively too, so the conversion is tested.

use alloc::string::ToString;
use alloc::vec::Vec;

use crate::Scorecard;
use crate::bindings::thuocdo::scorecard::types as w;
use crate::card::{Basis, Card, Origin, Scope, Text};
use crate::evaluation::{EvalError, Evaluation, Facts, Sheet, Subject};
use crate::fixed::Fixed;

fn text(t: Text) -> w::Text {
    w::Text {
        vi: t.vi.to_string(),
        en: t.en.to_string(),
    }
}

fn basis(b: Basis) -> w::LegalBasis {
    w::LegalBasis {
        document: b.document.to_string(),
        article: b.article.map(str::to_string),
    }
}

fn raw(f: Option<Fixed>) -> Option<i64> {
    f.map(Fixed::raw)
}

/// The card as `describe()` returns it.
pub fn describe(card: &Card) -> w::PluginInfo {
    let position = |name: &str| {
        card.facts
            .iter()
            .position(|f| f.name == name)
            .unwrap_or_else(|| panic!("scorecard bug: an indicator reads undeclared fact `{name}`"))
            as u32
    };
    w::PluginInfo {
        name: card.name.to_string(),
        version: card.version.to_string(),
        title: text(card.title),
        description: text(card.description),
        applies_to: card.applies_to.iter().map(|s| s.to_string()).collect(),
        period_kind: card.period,
        basis: card.basis.iter().copied().map(basis).collect(),
        facts: card
            .facts
            .iter()
            .map(|f| w::FactSpec {
                name: f.name.to_string(),
                title: text(f.title),
                unit: text(f.unit),
                min: raw(f.min),
                max: raw(f.max),
                direction: f.direction,
                when_missing: f.when_missing,
                origin: match f.origin {
                    Origin::Imported => w::FactOrigin::Imported,
                    Origin::FromResults(kind, measure) => {
                        w::FactOrigin::FromResults((kind, measure))
                    }
                    Origin::FromLedResults(measure) => w::FactOrigin::FromLedResults(measure),
                    Origin::Assessed(steps) => w::FactOrigin::Assessed(steps.to_vec()),
                },
                source: text(f.source),
                personal: f.personal,
            })
            .collect(),
        indicators: card
            .indicators
            .iter()
            .map(|i| w::IndicatorSpec {
                id: i.id.to_string(),
                title: text(i.title),
                group: i.group,
                unit: text(i.unit),
                direction: i.direction,
                green: i.green.raw(),
                red: i.red.raw(),
                max_score: i.max_score.raw(),
                weight: i.weight.raw(),
                no_data_score: i.no_data_score.raw(),
                facts: i.facts.iter().map(|n| position(n)).collect(),
                formula: text(i.formula),
                basis: i.basis.map(basis),
            })
            .collect(),
        scale: w::Scale {
            max_total: card.scale.max_total.raw(),
            step: card.scale.step.raw(),
            rounding: card.scale.rounding,
        },
        bands: card
            .bands
            .iter()
            .map(|b| w::GradeBand {
                grade: b.grade,
                min_total: b.min_total.raw(),
            })
            .collect(),
        caps: card
            .caps
            .iter()
            .map(|c| w::CapSpec {
                code: c.code.to_string(),
                max_grade: c.max_grade,
                reason: text(c.reason),
                basis: c.basis.map(basis),
            })
            .collect(),
        cohort_rules: card
            .quotas
            .iter()
            .map(|q| {
                w::CohortRule::Quota(w::QuotaRule {
                    code: q.code.to_string(),
                    limited: q.limited,
                    relative_to: q.relative_to,
                    share: q.share.raw(),
                    allowance_rounding: q.allowance_rounding,
                    demote_to: q.demote_to,
                    scope: q
                        .scope
                        .iter()
                        .map(|s| match s {
                            Scope::Agency => w::CohortScope::Agency,
                            Scope::TaskGroup => w::CohortScope::TaskGroup,
                            Scope::Level(kind) => w::CohortScope::Level(kind.to_string()),
                        })
                        .collect(),
                    tie_break: q.tie_break,
                    counting: q.counting,
                    title: text(q.title),
                    basis: q.basis.map(basis),
                })
            })
            .collect(),
        reads_products: card.reads_products,
    }
}

/// Scores one subject natively: what `evaluate()` does, in the SDK's own types.
///
/// ```
/// # use thuocdo_sdk::prelude::*;
/// # struct Nothing;
/// # const CARD: Card = Card { name: "demo/nothing", version: "1.0.0",
/// #   title: t("x", "x"), description: t("x", "x"), applies_to: &[], period: PeriodKind::Month,
/// #   basis: &[], facts: &[], indicators: &[], scale: Scale::points(fx!("0")), bands: &[],
/// #   caps: &[], quotas: &[], reads_products: false };
/// # impl Scorecard for Nothing {
/// #   const CARD: &'static Card = &CARD;
/// #   fn score(_: &Facts, _: &mut Sheet) -> Result<(), EvalError> { Ok(()) }
/// # }
/// let eval = thuocdo_sdk::evaluate::<Nothing>(&[], Subject::default()).unwrap();
/// assert_eq!(eval.grade, Grade::D);
/// ```
pub fn evaluate<S: Scorecard>(
    values: &[Option<Fixed>],
    subject: Subject<'_>,
) -> Result<Evaluation, EvalError> {
    let card: &'static Card = S::CARD;
    let facts = Facts::check(card, values, subject)?;
    let mut sheet = Sheet::new(card);
    S::score(&facts, &mut sheet)?;
    Ok(sheet.finish())
}

/// `evaluate()` as the host calls it, in the contract's types.
pub fn evaluate_wire<S: Scorecard>(
    input: w::EvaluationInput,
) -> Result<w::Evaluation, w::EvaluationError> {
    let values: Vec<Option<Fixed>> = input.facts.iter().map(|v| v.map(Fixed::from_raw)).collect();
    let subject = Subject {
        id: &input.subject.id,
        unit: &input.subject.unit,
        position: &input.subject.position,
        period: &input.period,
        products: &input.products,
    };
    match evaluate::<S>(&values, subject) {
        Ok(e) => Ok(w::Evaluation {
            indicators: e
                .indicators
                .iter()
                .map(|r| w::IndicatorResult {
                    raw: raw(r.raw),
                    score: r.score.raw(),
                    light: r.light,
                })
                .collect(),
            subtotals: w::Subtotals {
                volume: e.subtotals.0[0].raw(),
                progress: e.subtotals.0[1].raw(),
                quality: e.subtotals.0[2].raw(),
                efficiency: e.subtotals.0[3].raw(),
                conduct: e.subtotals.0[4].raw(),
            },
            total: e.total.raw(),
            grade: e.grade,
            caps: e.caps.iter().map(|&c| c as u32).collect(),
        }),
        Err(err) => Err(error(err)),
    }
}

fn error(err: EvalError) -> w::EvaluationError {
    let fact = |position: usize, name: &str| w::FactRef {
        position: position as u32,
        name: name.to_string(),
    };
    match err {
        EvalError::MissingFact { position, name } => {
            w::EvaluationError::MissingFact(fact(position, name))
        }
        EvalError::InvalidFact {
            position,
            name,
            value,
            min,
            max,
        } => w::EvaluationError::InvalidFact(w::InvalidFact {
            fact: fact(position, name),
            value: value.raw(),
            min: raw(min),
            max: raw(max),
        }),
        EvalError::WrongFactCount { expected, found } => {
            w::EvaluationError::WrongFactCount(w::CountMismatch {
                expected: expected as u32,
                found: found as u32,
            })
        }
    }
}
