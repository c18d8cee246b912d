//! An 11-fact scorecard written with wit-bindgen alone: no SDK, Rust's default
//! allocator and stack. The benchmark compares its fresh-instance cost with an
//! SDK-built scorecard's.

#[cfg(target_family = "wasm")]
mod component {
    wit_bindgen::generate!({
        path: "../../../wit",
        world: "thuocdo:scorecard/scorecard",
    });

    use thuocdo::scorecard::types as w;

    const FACTS: usize = 11;
    /// Points per indicator on a 100-point scale: ten worth 9, the last worth 10.
    fn points(i: usize) -> i64 {
        if i == FACTS - 1 { 100_000 } else { 90_000 }
    }

    fn text(s: &str) -> w::Text {
        w::Text {
            vi: s.to_string(),
            en: s.to_string(),
        }
    }

    struct Plain;

    impl Guest for Plain {
        fn describe() -> w::PluginInfo {
            w::PluginInfo {
                name: "test/plain-wasip2".into(),
                version: "1.0.0".into(),
                title: text("Plain wasip2 scorecard"),
                description: text("Eleven rates, each worth its points"),
                applies_to: vec!["test".into()],
                period_kind: w::PeriodKind::Month,
                basis: vec![],
                facts: (0..FACTS)
                    .map(|i| w::FactSpec {
                        name: format!("rate-{i}"),
                        title: text("Rate"),
                        unit: text("%"),
                        min: Some(0),
                        max: Some(1_000_000),
                        direction: w::Direction::HigherIsBetter,
                        when_missing: w::WhenMissing::Required,
                        origin: w::FactOrigin::Imported,
                        source: text("test"),
                    })
                    .collect(),
                indicators: (0..FACTS)
                    .map(|i| w::IndicatorSpec {
                        id: format!("rate-{i}"),
                        title: text("Rate"),
                        group: w::Group::Volume,
                        unit: text("%"),
                        direction: w::Direction::HigherIsBetter,
                        green: 1_000_000,
                        red: 0,
                        max_score: points(i),
                        weight: 10_000,
                        no_data_score: 0,
                        facts: vec![i as u32],
                        formula: text("points × rate / 100"),
                        basis: None,
                    })
                    .collect(),
                scale: w::Scale {
                    max_total: 1_000_000,
                    step: 100,
                    rounding: w::Rounding::HalfAwayFromZero,
                },
                bands: vec![
                    w::GradeBand {
                        grade: w::Grade::A,
                        min_total: 900_000,
                    },
                    w::GradeBand {
                        grade: w::Grade::B,
                        min_total: 700_000,
                    },
                    w::GradeBand {
                        grade: w::Grade::C,
                        min_total: 500_000,
                    },
                ],
                caps: vec![],
                cohort_rules: vec![],
            }
        }

        fn evaluate(input: w::EvaluationInput) -> Result<w::Evaluation, w::EvaluationError> {
            if input.facts.len() != FACTS {
                return Err(w::EvaluationError::WrongFactCount(w::CountMismatch {
                    expected: FACTS as u32,
                    found: input.facts.len() as u32,
                }));
            }
            let mut indicators = Vec::with_capacity(FACTS);
            let mut total = 0;
            for (i, fact) in input.facts.iter().enumerate() {
                let fact_ref = || w::FactRef {
                    position: i as u32,
                    name: format!("rate-{i}"),
                };
                let Some(rate) = *fact else {
                    return Err(w::EvaluationError::MissingFact(fact_ref()));
                };
                if !(0..=1_000_000).contains(&rate) {
                    return Err(w::EvaluationError::InvalidFact(w::InvalidFact {
                        fact: fact_ref(),
                        value: rate,
                        min: Some(0),
                        max: Some(1_000_000),
                    }));
                }
                // points × rate / 100 %, to 0.01 (units of 100), half away from zero.
                let exact = points(i) as i128 * rate as i128; // in 1e-4 × 1e-4 % units
                let steps = (exact + 500_000_000) / 1_000_000_000;
                let score = (steps * 100) as i64;
                total += score;
                let light = match rate {
                    1_000_000.. => w::Light::Green,
                    ..=0 => w::Light::Red,
                    _ => w::Light::Yellow,
                };
                indicators.push(w::IndicatorResult {
                    raw: Some(rate),
                    score,
                    light,
                });
            }
            let grade = match total {
                900_000.. => w::Grade::A,
                700_000.. => w::Grade::B,
                500_000.. => w::Grade::C,
                _ => w::Grade::D,
            };
            Ok(w::Evaluation {
                indicators,
                subtotals: w::Subtotals {
                    volume: total,
                    progress: 0,
                    quality: 0,
                    efficiency: 0,
                    conduct: 0,
                },
                total,
                grade,
                caps: vec![],
            })
        }
    }

    export!(Plain);
}
