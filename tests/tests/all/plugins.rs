//! Every scorecard under plugins/, checked at once so none can skip a check:
//! its card is consistent, its component is a valid `thuocdo:scorecard/scorecard`
//! of at most 250 KiB, its describe() is its card, and the component scores
//! every example exactly as the native code does.

use std::collections::BTreeSet;
use std::path::Path;

use thuocdo_host::bundled::{BUNDLED, Bundled};
use thuocdo_host::input::NamedInput;
use thuocdo_host::runtime::{self, EvaluationInput, Runtime};
use thuocdo_sdk::{Card, EvalError, Evaluation, Fixed, Scorecard, Subject, check};

/// A scorecard compiled natively into this test.
pub struct Native {
    pub crate_name: &'static str,
    pub card: &'static Card,
    pub evaluate: fn(&[Option<Fixed>]) -> Result<Evaluation, EvalError>,
}

macro_rules! natives {
    ($($krate:literal => $ty:ty),* $(,)?) => {
        &[$(Native {
            crate_name: $krate,
            card: <$ty as Scorecard>::CARD,
            evaluate: |facts| thuocdo_sdk::evaluate::<$ty>(facts, Subject::default()),
        }),*]
    };
}

/// Every plugin; a plugin missing here fails `every_plugin_is_tested`.
pub const NATIVES: &[Native] = natives! {
    "civil-servant-decree-335" => civil_servant_decree_335::CivilServantDecree335,
    "commune-official" => commune_official::CommuneOfficial,
    "culture-department" => culture_department::CultureDepartment,
    "provincial-leader-monthly" => provincial_leader_monthly::ProvincialLeaderMonthly,
    "service-centre-clerk" => service_centre_clerk::ServiceCentreClerk,
    "tax-officer" => tax_officer::TaxOfficer,
};

fn bundled(crate_name: &str) -> &'static Bundled {
    BUNDLED
        .iter()
        .find(|b| b.crate_name == crate_name)
        .unwrap_or_else(|| panic!("{crate_name} is not bundled into the host"))
}

fn load(runtime: &Runtime, crate_name: &str) -> runtime::Plugin {
    runtime
        .load(bundled(crate_name).wasm)
        .unwrap_or_else(|e| panic!("{crate_name}: {e}"))
}

#[test]
fn every_plugin_is_bundled_and_tested() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins");
    let on_disk: BTreeSet<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        // plugins/ holds one crate per scorecard, and their lock (bundled.lock).
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().into_string().unwrap())
        .collect();
    let tested: BTreeSet<String> = NATIVES.iter().map(|n| n.crate_name.to_string()).collect();
    let shipped: BTreeSet<String> = BUNDLED.iter().map(|b| b.crate_name.to_string()).collect();
    assert_eq!(
        on_disk, tested,
        "add every plugin to NATIVES in tests/tests/all/plugins.rs"
    );
    assert_eq!(on_disk, shipped);
    assert_eq!(on_disk.len(), 6);
}

#[test]
fn every_card_is_consistent() {
    for n in NATIVES {
        let problems = check::card(n.card);
        assert!(
            problems.is_empty(),
            "{}: {}",
            n.crate_name,
            problems.join("; ")
        );
    }
}

#[test]
fn every_component_is_small() {
    for b in BUNDLED {
        assert!(
            b.wasm.len() <= 250 * 1024,
            "{} is {} bytes",
            b.crate_name,
            b.wasm.len()
        );
    }
}

#[test]
fn every_component_describes_its_card() {
    let runtime = Runtime::new().unwrap();
    for n in NATIVES {
        let info = load(&runtime, n.crate_name).info;
        let card = n.card;
        assert_eq!(
            (info.name.as_str(), info.version.as_str()),
            (card.name, card.version)
        );
        assert_eq!(info.title.vi, card.title.vi);
        let facts: Vec<(&str, Option<i64>, Option<i64>)> = info
            .facts
            .iter()
            .map(|f| (f.name.as_str(), f.min, f.max))
            .collect();
        let declared: Vec<(&str, Option<i64>, Option<i64>)> = card
            .facts
            .iter()
            .map(|f| (f.name, f.min.map(Fixed::raw), f.max.map(Fixed::raw)))
            .collect();
        assert_eq!(facts, declared, "{}", card.name);
        let indicators: Vec<(&str, i64, i64, i64, i64)> = info
            .indicators
            .iter()
            .map(|i| (i.id.as_str(), i.weight, i.max_score, i.green, i.red))
            .collect();
        let declared: Vec<(&str, i64, i64, i64, i64)> = card
            .indicators
            .iter()
            .map(|i| {
                (
                    i.id,
                    i.weight.raw(),
                    i.max_score.raw(),
                    i.green.raw(),
                    i.red.raw(),
                )
            })
            .collect();
        assert_eq!(indicators, declared, "{}", card.name);
        // Every fact an indicator reads is declared, by position.
        for (spec, ind) in info.indicators.iter().zip(card.indicators) {
            let names: Vec<&str> = spec
                .facts
                .iter()
                .map(|&p| info.facts[p as usize].name.as_str())
                .collect();
            assert_eq!(names, ind.facts, "{} {}", card.name, ind.id);
        }
        let bands: Vec<i64> = info.bands.iter().map(|b| b.min_total).collect();
        assert_eq!(
            bands,
            card.bands
                .iter()
                .map(|b| b.min_total.raw())
                .collect::<Vec<_>>()
        );
        let caps: Vec<&str> = info.caps.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(caps, card.caps.iter().map(|c| c.code).collect::<Vec<_>>());
        assert_eq!(info.cohort_rules.len(), card.quotas.len());
        assert_eq!(info.scale.max_total, card.scale.max_total.raw());
    }
}

/// The example subjects of a plugin, as inputs by position.
fn examples(runtime: &Runtime, n: &Native) -> (runtime::Plugin, Vec<EvaluationInput>) {
    let plugin = load(runtime, n.crate_name);
    let raw: Vec<serde_json::Value> = serde_json::from_str(bundled(n.crate_name).examples).unwrap();
    assert!(
        !raw.is_empty(),
        "plugins/{}/examples.json has no example",
        n.crate_name
    );
    let inputs = raw
        .iter()
        .map(|example| {
            let named: NamedInput = serde_json::from_value(example.clone()).unwrap();
            named.to_input(&plugin.info).unwrap()
        })
        .collect();
    (plugin, inputs)
}

#[test]
fn every_component_scores_as_its_native_code() {
    let runtime = Runtime::new().unwrap();
    for n in NATIVES {
        let (plugin, inputs) = examples(&runtime, n);
        for input in &inputs {
            let facts: Vec<Option<Fixed>> =
                input.facts.iter().map(|v| v.map(Fixed::from_raw)).collect();
            let native = (n.evaluate)(&facts)
                .unwrap_or_else(|e| panic!("{} {}: {e}", n.crate_name, input.subject.id));
            let problems = check::evaluation(n.card, &native);
            assert!(
                problems.is_empty(),
                "{}: {}",
                n.crate_name,
                problems.join("; ")
            );
            let wasm = runtime
                .evaluate(&plugin, input)
                .unwrap()
                .answer
                .unwrap_or_else(|e| panic!("{} {}: {e:?}", n.crate_name, input.subject.id));
            let scores = |e: &Evaluation| {
                e.indicators
                    .iter()
                    .map(|r| (r.raw.map(Fixed::raw), r.score.raw()))
                    .collect::<Vec<_>>()
            };
            let wasm_scores: Vec<(Option<i64>, i64)> =
                wasm.indicators.iter().map(|r| (r.raw, r.score)).collect();
            assert_eq!(
                wasm_scores,
                scores(&native),
                "{} {}",
                n.crate_name,
                input.subject.id
            );
            let subtotals = [
                wasm.subtotals.volume,
                wasm.subtotals.progress,
                wasm.subtotals.quality,
                wasm.subtotals.efficiency,
                wasm.subtotals.conduct,
            ];
            assert_eq!(
                subtotals.to_vec(),
                native
                    .subtotals
                    .0
                    .iter()
                    .map(|f| f.raw())
                    .collect::<Vec<_>>()
            );
            assert_eq!(wasm.total, native.total.raw());
            assert_eq!(format!("{:?}", wasm.grade), format!("{:?}", native.grade));
            assert_eq!(
                wasm.caps,
                native.caps.iter().map(|&c| c as u32).collect::<Vec<_>>()
            );
        }
    }
}

#[test]
fn components_answer_missing_and_invalid_facts_by_name() {
    let runtime = Runtime::new().unwrap();
    for n in NATIVES {
        let (plugin, inputs) = examples(&runtime, n);
        let complete = inputs
            .iter()
            .find(|i| i.facts.iter().all(Option::is_some))
            .unwrap_or_else(|| panic!("{} needs an example with every fact", n.crate_name));
        // The first required fact, left out.
        let (position, fact) = plugin
            .info
            .facts
            .iter()
            .enumerate()
            .find(|(_, f)| f.when_missing == runtime::WhenMissing::Required)
            .unwrap();
        let mut missing = complete.clone();
        missing.facts[position] = None;
        match runtime.evaluate(&plugin, &missing).unwrap().answer {
            Err(runtime::EvaluationError::MissingFact(f)) => {
                assert_eq!(
                    (f.position as usize, f.name.as_str()),
                    (position, fact.name.as_str())
                )
            }
            other => panic!("{}: {other:?}", n.crate_name),
        }
        // A fact below its minimum.
        let (position, fact) = plugin
            .info
            .facts
            .iter()
            .enumerate()
            .find(|(_, f)| f.min.is_some())
            .unwrap();
        let mut invalid = complete.clone();
        invalid.facts[position] = Some(fact.min.unwrap() - 1);
        match runtime.evaluate(&plugin, &invalid).unwrap().answer {
            Err(runtime::EvaluationError::InvalidFact(i)) => {
                assert_eq!(i.fact.name, fact.name);
                assert_eq!(
                    (i.value, i.min, i.max),
                    (fact.min.unwrap() - 1, fact.min, fact.max)
                );
            }
            other => panic!("{}: {other:?}", n.crate_name),
        }
        // One fact too few.
        let mut short = complete.clone();
        short.facts.pop();
        match runtime.evaluate(&plugin, &short).unwrap().answer {
            Err(runtime::EvaluationError::WrongFactCount(c)) => {
                assert_eq!(
                    (c.expected as usize, c.found as usize),
                    (plugin.info.facts.len(), plugin.info.facts.len() - 1)
                )
            }
            other => panic!("{}: {other:?}", n.crate_name),
        }
    }
}

/// Values that probe a fact: its bounds, just past them, zero, the extremes of
/// the type, and missing.
fn probes(min: Option<Fixed>, max: Option<Fixed>) -> Vec<Option<Fixed>> {
    let mut v = vec![
        None,
        Some(Fixed::ZERO),
        Some(Fixed::from_raw(i64::MAX)),
        Some(Fixed::from_raw(i64::MIN)),
    ];
    for b in [min, max].into_iter().flatten() {
        v.extend([
            Some(b),
            Some(Fixed::from_raw(b.raw().saturating_sub(1))),
            Some(Fixed::from_raw(b.raw().saturating_add(1))),
        ]);
    }
    v
}

#[test]
fn no_input_makes_a_scorecard_panic() {
    let runtime = Runtime::new().unwrap();
    for n in NATIVES {
        let (_, inputs) = examples(&runtime, n);
        for input in &inputs {
            let base: Vec<Option<Fixed>> =
                input.facts.iter().map(|v| v.map(Fixed::from_raw)).collect();
            // Each fact alone at every probe, and every fact at once at its largest.
            let mut cases = Vec::new();
            for (p, fact) in n.card.facts.iter().enumerate() {
                for probe in probes(fact.min, fact.max) {
                    let mut facts = base.clone();
                    facts[p] = probe;
                    cases.push(facts);
                }
            }
            cases.push(
                n.card
                    .facts
                    .iter()
                    .map(|f| Some(f.max.unwrap_or(Fixed::from_raw(i64::MAX))))
                    .collect(),
            );
            cases.push(
                n.card
                    .facts
                    .iter()
                    .map(|f| f.min.or(Some(Fixed::from_raw(i64::MIN))))
                    .collect(),
            );
            for facts in cases {
                let outcome = std::panic::catch_unwind(|| (n.evaluate)(&facts));
                let result =
                    outcome.unwrap_or_else(|_| panic!("{} panicked on {facts:?}", n.crate_name));
                if let Ok(eval) = result {
                    let problems = check::evaluation(n.card, &eval);
                    assert!(
                        problems.is_empty(),
                        "{} on {facts:?}: {}",
                        n.crate_name,
                        problems.join("; ")
                    );
                }
            }
        }
    }
}
