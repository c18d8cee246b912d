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

/// Scores one subject from a JSON file.
pub fn eval(file: &Path, input: &Path, json: bool) -> Result<(), Error> {
    let named: NamedInput = serde_json::from_slice(&read(input)?)
        .map_err(|e| Error::BadInput(format!("{}: {e}", input.display())))?;
    let runtime = Runtime::new()?;
    let plugin = runtime.load(&read(file)?)?;
    let input = named.to_input(&plugin.info)?;
    match runtime.evaluate(&plugin, &input)?.answer {
        Ok(eval) if json => println!("{}", render::evaluation_json(&plugin.info, &eval)),
        Ok(eval) => print!("{}", render::evaluation_table(&plugin.info, &input, &eval)),
        Err(e) => return Err(Error::BadInput(render::evaluation_error(&plugin.info, &e))),
    }
    Ok(())
}
