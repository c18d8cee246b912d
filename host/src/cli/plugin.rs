//! `thuocdo plugin inspect | eval`: one component file, in the sandbox.

use std::fs;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;
use thuocdo_sdk::Fixed;

use super::{Error, render};
use crate::runtime::{EvaluationInput, PluginInfo, Runtime, Subject};

/// A subject's facts by name, as people write them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NamedInput {
    pub subject: NamedSubject,
    #[serde(default)]
    pub period: String,
    pub facts: serde_json::Map<String, Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NamedSubject {
    pub id: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub position: String,
}

impl NamedInput {
    /// The facts by position, as the plugin declared them; every name must be
    /// declared and every value an exact decimal.
    pub fn to_input(&self, info: &PluginInfo) -> Result<EvaluationInput, Error> {
        let mut facts = vec![None; info.facts.len()];
        for (name, value) in &self.facts {
            let position = info
                .facts
                .iter()
                .position(|f| &f.name == name)
                .ok_or_else(|| {
                    let known: Vec<&str> = info.facts.iter().map(|f| f.name.as_str()).collect();
                    Error::BadInput(format!(
                        "fact `{name}` is not one {} reads; it reads: {}",
                        info.name,
                        known.join(", ")
                    ))
                })?;
            let text = match value {
                Value::String(s) => s.clone(),
                // Numbers keep their text (serde_json's arbitrary precision): no f64.
                Value::Number(n) => n.to_string(),
                Value::Null => continue,
                other => {
                    return Err(Error::BadInput(format!(
                        "fact `{name}` is {other}, not a decimal"
                    )));
                }
            };
            let fixed = Fixed::parse(&text).ok_or_else(|| {
                Error::BadInput(format!(
                    "fact `{name}` is `{text}`, not a decimal with at most four decimals"
                ))
            })?;
            facts[position] = Some(fixed.raw());
        }
        Ok(EvaluationInput {
            subject: Subject {
                id: self.subject.id.clone(),
                unit: self.subject.unit.clone(),
                position: self.subject.position.clone(),
            },
            period: self.period.clone(),
            facts,
        })
    }
}

fn read(path: &Path) -> Result<Vec<u8>, Error> {
    fs::read(path).map_err(|e| Error::BadInput(format!("reading {}: {e}", path.display())))
}

/// Validates the component and prints its describe() as JSON.
pub fn inspect(file: &Path) -> Result<(), Error> {
    let runtime = Runtime::new()?;
    let plugin = runtime.load(&read(file)?)?;
    println!(
        "{}",
        serde_json::to_string_pretty(&plugin.info).expect("describe() serialises")
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
                        outputs.push(render::evaluation_json(&plugin.info, eval, &evaluated.log));
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
