//! `thuocdo demo`: the bundled scorecards, loaded in the sandbox, each scoring
//! its example subjects.

use std::collections::BTreeMap;
use std::time::Instant;

use serde_json::json;

use super::plugin::NamedInput;
use super::{Error, render};
use crate::bundled::BUNDLED;
use crate::runtime::Runtime;

/// Prints the catalogue and every example's grade.
pub fn run(json: bool) -> Result<(), Error> {
    let runtime = Runtime::new()?;
    let mut report = Vec::new();
    for bundled in BUNDLED {
        let started = Instant::now();
        let plugin = runtime.load(bundled.wasm)?;
        let loaded = started.elapsed();
        let examples: Vec<NamedInput> = serde_json::from_str(bundled.examples).map_err(|e| {
            Error::BadInput(format!("plugins/{}/examples.json: {e}", bundled.crate_name))
        })?;
        let info = &plugin.info;
        if !json {
            println!(
                "{} {} — {} / {}\n  {}, {} facts, {} indicators, {} KiB, loaded in {} ms",
                info.name,
                info.version,
                info.title.vi,
                info.title.en,
                render::period(info.period_kind),
                info.facts.len(),
                info.indicators.len(),
                bundled.wasm.len() / 1024,
                loaded.as_millis()
            );
        }
        let mut grades: BTreeMap<&str, usize> = BTreeMap::new();
        let mut scored = Vec::new();
        for example in &examples {
            let input = example.to_input(info)?;
            match runtime.evaluate(&plugin, &input)?.answer {
                Ok(eval) => {
                    *grades.entry(render::grade(eval.grade)).or_default() += 1;
                    if !json {
                        println!(
                            "  {:<24} {:>7} {}",
                            input.subject.id,
                            render::num(eval.total),
                            render::grade(eval.grade)
                        );
                    }
                    scored.push(json!({"subject": input.subject.id, "evaluation": render::evaluation_json(info, &eval, "")}));
                }
                Err(e) => {
                    let message = render::evaluation_error(info, &e);
                    if !json {
                        println!("  {:<24} refused: {message}", input.subject.id);
                    }
                    scored.push(json!({"subject": input.subject.id, "error": message}));
                }
            }
        }
        if !json {
            let summary: Vec<String> = grades.iter().map(|(g, n)| format!("{n} {g}")).collect();
            println!("  grades: {}\n", summary.join(", "));
        }
        report.push(json!({"plugin": info.name, "version": info.version, "results": scored}));
    }
    if json {
        println!("{}", serde_json::Value::Array(report));
    }
    Ok(())
}
