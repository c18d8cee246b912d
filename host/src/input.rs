//! A subject's facts by name, as people and data files write them, turned into
//! the contract's input by position: every name must be one the scorecard
//! declares and every value an exact decimal (JSON numbers keep their text).

use serde::Deserialize;
use serde_json::Value;
use thuocdo_sdk::Fixed;

use crate::runtime::{EvaluationInput, PluginInfo, Subject};

/// A subject's facts by name, as people write them.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NamedInput {
    /// Who is scored.
    pub subject: NamedSubject,
    /// The period, as written.
    #[serde(default)]
    pub period: String,
    /// Each fact by name: an exact decimal as a string or number; absent or null is missing.
    #[schema(value_type = Object)]
    pub facts: serde_json::Map<String, Value>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
/// The subject of a named input.
pub struct NamedSubject {
    /// The person's or unit's id.
    pub id: String,
    /// Their unit's code.
    #[serde(default)]
    pub unit: String,
    /// Their post's code.
    #[serde(default)]
    pub position: String,
}

impl NamedInput {
    /// The facts by position, as the plugin declared them; every name must be
    /// declared and every value an exact decimal.
    pub fn to_input(&self, info: &PluginInfo) -> Result<EvaluationInput, String> {
        let mut facts = vec![None; info.facts.len()];
        for (name, value) in &self.facts {
            let position = info
                .facts
                .iter()
                .position(|f| &f.name == name)
                .ok_or_else(|| {
                    let known: Vec<&str> = info.facts.iter().map(|f| f.name.as_str()).collect();
                    format!(
                        "fact `{name}` is not one {} reads; it reads: {}",
                        info.name,
                        known.join(", ")
                    )
                })?;
            let text = match value {
                Value::String(s) => s.clone(),
                // Numbers keep their text (serde_json's arbitrary precision): no f64.
                Value::Number(n) => n.to_string(),
                Value::Null => continue,
                other => {
                    return Err(format!("fact `{name}` is {other}, not a decimal"));
                }
            };
            let fixed = Fixed::parse(&text).ok_or_else(|| {
                format!("fact `{name}` is `{text}`, not a decimal with at most four decimals")
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
            products: Vec::new(),
            facts,
        })
    }
}
