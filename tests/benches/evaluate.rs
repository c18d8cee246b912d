//! What one isolated evaluation costs: a fresh instance alone; an evaluation in
//! a fresh instance, for each bundled (SDK-built) scorecard and for a scorecard
//! built with the plain wasip2 toolchain; and native Rust running the same
//! scorecard code through the SDK, the physical limit.
//!
//! `cargo bench -p thuocdo-tests --bench evaluate`; figures in BENCHMARKS.md.

use std::hint::black_box;
use std::time::{Duration, Instant};

use thuocdo_host::bundled::BUNDLED;
use thuocdo_host::input::NamedInput;
use thuocdo_host::runtime::{EvaluationInput, Plugin, Runtime, Subject};
use thuocdo_sdk::{Fixed, Scorecard};

/// The median over `rounds` of the mean time per call of `per_round` calls.
fn median_per_call(rounds: usize, per_round: u32, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..per_round {
                f();
            }
            start.elapsed() / per_round
        })
        .collect();
    times.sort();
    times[rounds / 2]
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn input(facts: Vec<Option<i64>>) -> EvaluationInput {
    EvaluationInput {
        subject: Subject {
            id: "bench".into(),
            unit: "bench".into(),
            position: "bench".into(),
        },
        period: "2025-09".into(),
        products: Vec::new(),
        facts,
    }
}

fn facts_of(example: &serde_json::Value, plugin: &Plugin) -> Vec<Option<i64>> {
    let named: NamedInput = serde_json::from_value(example.clone()).unwrap();
    named.to_input(&plugin.info).unwrap().facts
}

fn native<S: Scorecard>(facts: &[Option<i64>]) -> Duration {
    let values: Vec<Option<Fixed>> = facts.iter().map(|v| v.map(Fixed::from_raw)).collect();
    median_per_call(11, 200_000, || {
        black_box(thuocdo_sdk::evaluate::<S>(black_box(&values), Default::default()).ok());
    })
}

/// How many fresh instances share a store in the lane rows: what a run uses.
const LANE: u32 = thuocdo_host::scoring::LANE_CAPACITY;

fn sandboxed(
    runtime: &Runtime,
    plugin: &Plugin,
    input: &EvaluationInput,
) -> (Duration, Duration, Duration) {
    let instantiate = median_per_call(11, 5_000, || runtime.instantiate(plugin).unwrap());
    let evaluate = median_per_call(11, 5_000, || {
        black_box(runtime.evaluate(plugin, black_box(input)).unwrap());
    });
    let mut lane = runtime.lane(LANE);
    let in_lane = median_per_call(11, 5_000, || {
        black_box(lane.evaluate(plugin, black_box(input)).unwrap());
    });
    (instantiate, evaluate, in_lane)
}

fn main() {
    let runtime = Runtime::new().unwrap();
    println!("runtime: {}", runtime.mode());
    println!(
        "{:<28} {:>6} {:>9} {:>14} {:>16} {:>16} {:>12}",
        "scorecard",
        "facts",
        "native",
        "instantiate",
        "isolated eval",
        format!("in lane of {LANE}"),
        "wasm KiB"
    );
    for bundled in BUNDLED {
        let plugin = runtime.load(bundled.wasm).unwrap();
        let examples: Vec<serde_json::Value> = serde_json::from_str(bundled.examples).unwrap();
        let facts = facts_of(&examples[0], &plugin);
        let (instantiate, evaluate, in_lane) = sandboxed(&runtime, &plugin, &input(facts.clone()));
        let native = match bundled.crate_name {
            "civil-servant-decree-335" => {
                native::<civil_servant_decree_335::CivilServantDecree335>(&facts)
            }
            "commune-official" => native::<commune_official::CommuneOfficial>(&facts),
            "culture-department" => native::<culture_department::CultureDepartment>(&facts),
            "provincial-leader-monthly" => {
                native::<provincial_leader_monthly::ProvincialLeaderMonthly>(&facts)
            }
            "service-centre-clerk" => native::<service_centre_clerk::ServiceCentreClerk>(&facts),
            "tax-officer" => native::<tax_officer::TaxOfficer>(&facts),
            other => panic!("{other} has no native entry in this benchmark"),
        };
        println!(
            "{:<28} {:>6} {:>6.3} us {:>11.2} us {:>13.2} us {:>13.2} us {:>12}",
            bundled.crate_name,
            facts.len(),
            us(native),
            us(instantiate),
            us(evaluate),
            us(in_lane),
            bundled.wasm.len() / 1024
        );
    }
    // The plain wasip2 scorecard, and any other 11-rate component named in
    // THUOCDO_BENCH_EXTRA (to compare a guest built another way).
    let mut others = vec![(
        "plain wasip2 (no SDK)".to_string(),
        thuocdo_tests::fixtures::PLAIN_WASIP2.to_string(),
    )];
    if let Ok(extra) = std::env::var("THUOCDO_BENCH_EXTRA") {
        others.push((extra.clone(), extra));
    }
    for (label, path) in others {
        let bytes = std::fs::read(&path).unwrap();
        let plugin = runtime.load(&bytes).unwrap();
        let facts: Vec<Option<i64>> = (0..11).map(|i| Some(900_000 + i * 1_000)).collect();
        let (instantiate, evaluate, in_lane) = sandboxed(&runtime, &plugin, &input(facts));
        println!(
            "{:<28} {:>6} {:>9} {:>11.2} us {:>13.2} us {:>13.2} us {:>12}",
            label,
            11,
            "-",
            us(instantiate),
            us(evaluate),
            us(in_lane),
            bytes.len() / 1024
        );
    }
}
