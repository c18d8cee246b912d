//! `thuocdo plugin inspect | eval`: one component file, in the sandbox.

use std::fs;
use std::path::Path;

use serde_json::Value;

use super::{Error, render};
use crate::input::NamedInput;
use crate::runtime::Runtime;

fn read(path: &Path) -> Result<Vec<u8>, Error> {
    fs::read(path).map_err(|e| Error::BadInput(format!("reading {}: {e}", path.display())))
}

/// Validates the component and prints its describe() as JSON.
pub fn inspect(file: &Path) -> Result<(), Error> {
    let runtime = Runtime::new()?;
    let plugin = runtime.load(&read(file)?)?;
    // describe() as the host reads it (a 1.0.0 card's in 1.1.0's words), and
    // the contract version the component itself targets.
    let mut info = serde_json::to_value(&plugin.info).expect("describe() serialises");
    info["contract"] = serde_json::Value::String(plugin.contract.version().to_string());
    println!(
        "{}",
        serde_json::to_string_pretty(&info).expect("describe() serialises")
    );
    Ok(())
}

/// Scores one subject, or a list of them, from a JSON file. Inputs that name
/// undeclared facts or give non-decimals are refused before anything runs; a
/// scorecard's missing-fact or invalid-fact answer is bad input (exit 2); a
/// plugin fault is exit 1, with its kind.
pub fn eval(file: &Path, input: &Path, json: bool) -> Result<(), Error> {
    let text = read(input)?;
    let value: Value = serde_json::from_slice(&text)
        .map_err(|e| Error::BadInput(format!("{}: {e}", input.display())))?;
    let list = matches!(value, Value::Array(_));
    let items = match value {
        Value::Array(items) => items,
        single => vec![single],
    };
    let named: Vec<NamedInput> = items
        .into_iter()
        .enumerate()
        .map(|(i, v)| serde_json::from_value(v).map_err(|e| format!("input {i}: {e}")))
        .collect::<Result<_, _>>()
        .map_err(|e| Error::BadInput(format!("{}: {e}", input.display())))?;
    let runtime = Runtime::new()?;
    let plugin = runtime.load(&read(file)?)?;
    let mut problems = Vec::new();
    let inputs: Vec<_> = named
        .iter()
        .enumerate()
        .filter_map(|(i, n)| {
            n.to_input(&plugin.info)
                .map_err(|e| problems.push(format!("input {i}: {e}")))
                .ok()
        })
        .collect();
    if !problems.is_empty() {
        return Err(Error::BadInput(problems.join("\n")));
    }
    let mut outputs = Vec::new();
    let mut worst: Option<Error> = None;
    let mut failed = 0;
    for input in &inputs {
        match runtime.evaluate(&plugin, input) {
            Ok(evaluated) => match &evaluated.answer {
                Ok(eval) => {
                    if json {
                        outputs.push(crate::view::evaluation_json(
                            &plugin.info,
                            eval,
                            &evaluated.log,
                        ));
                    } else {
                        print!("{}", render::evaluation_table(&plugin.info, input, eval));
                    }
                }
                Err(e) => {
                    let message = render::evaluation_error(&plugin.info, e);
                    outputs.push(serde_json::json!({"subject": input.subject.id, "error": {"kind": "bad-input", "message": message}}));
                    if list && !json {
                        eprintln!("{}: {message}", input.subject.id);
                    }
                    failed += 1;
                    worst.get_or_insert(Error::BadInput(message));
                }
            },
            Err(e) => {
                outputs.push(serde_json::json!({"subject": input.subject.id, "error": {"kind": e.kind(), "message": e.to_string()}}));
                if list && !json {
                    eprintln!("{}: {}: {e}", input.subject.id, e.kind());
                }
                failed += 1;
                // A fault outranks bad input.
                if !matches!(worst, Some(Error::Plugin(_))) {
                    worst = Some(Error::Plugin(e));
                }
            }
        }
    }
    if json {
        let out = if list {
            Value::Array(outputs)
        } else {
            outputs.pop().unwrap_or(Value::Null)
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&out).expect("results serialise")
        );
    }
    match worst {
        None => Ok(()),
        // Each failure was told beside its subject; the status says the worst.
        Some(Error::Plugin(e)) if list => Err(Error::PluginFailures(format!(
            "{failed} of {} inputs were not scored; the worst: {}: {e}",
            inputs.len(),
            e.kind()
        ))),
        Some(_) if list => Err(Error::BadInput(format!(
            "{failed} of {} inputs were not scored",
            inputs.len()
        ))),
        Some(e) => Err(e),
    }
}
