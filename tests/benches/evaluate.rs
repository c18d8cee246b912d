//! What one isolated evaluation costs, per bundled scorecard: natively (the
//! arithmetic alone), and in the sandbox with a fresh instance per subject (what
//! the host does for every subject).
//!
//! `cargo bench -p thuocdo-tests --bench evaluate` prints a table; figures are
//! recorded in BENCHMARKS.md.

use std::hint::black_box;
use std::time::{Duration, Instant};

use thuocdo_host::bundled::BUNDLED;
use thuocdo_host::runtime::{EvaluationInput, Runtime, Subject};
use thuocdo_sdk::{Fixed, Scorecard};

/// The median of `rounds` timings of `per_round` calls, per call.
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

fn facts_of(example: &serde_json::Value, names: &[String]) -> Vec<Option<i64>> {
    let facts = example["facts"].as_object().unwrap();
    names
        .iter()
        .map(|n| {
            facts.get(n).map(|v| {
                let text = v
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string());
                Fixed::parse(&text).unwrap().raw()
            })
        })
        .collect()
}

fn native<S: Scorecard>(facts: &[Option<i64>]) -> Duration {
    let values: Vec<Option<Fixed>> = facts.iter().map(|v| v.map(Fixed::from_raw)).collect();
    median_per_call(11, 100_000, || {
        black_box(thuocdo_sdk::evaluate::<S>(black_box(&values), Default::default()).ok());
    })
}

fn main() {
    let runtime = Runtime::new().unwrap();
    println!(
        "{:<28} {:>10} {:>16} {:>10}",
        "scorecard", "native", "fresh instance", "wasm KiB"
    );
    for bundled in BUNDLED {
        let plugin = runtime.load(bundled.wasm).unwrap();
        let names: Vec<String> = plugin.info.facts.iter().map(|f| f.name.clone()).collect();
        let examples: Vec<serde_json::Value> = serde_json::from_str(bundled.examples).unwrap();
        let facts = facts_of(&examples[0], &names);
        let input = EvaluationInput {
            subject: Subject {
                id: "bench".into(),
                unit: "bench".into(),
                position: "bench".into(),
            },
            period: "2025-09".into(),
            facts: facts.clone(),
        };
        let sandboxed = median_per_call(7, 2_000, || {
            black_box(runtime.evaluate(&plugin, black_box(&input)).unwrap());
        });
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
            "{:<28} {:>7.3} us {:>13.2} us {:>10}",
            bundled.crate_name,
            native.as_secs_f64() * 1e6,
            sandboxed.as_secs_f64() * 1e6,
            bundled.wasm.len() / 1024
        );
    }
}
