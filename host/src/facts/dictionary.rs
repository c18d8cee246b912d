//! The fact dictionary: every fact a published scorecard declares, with the
//! widest range any of them allows. Imports are checked against it. Drafts
//! are not in it: what an analyst's draft declares never widens what
//! production imports accept (a draft declaring `disciplined` unbounded
//! does not make `disciplined=7` importable).

use std::collections::{BTreeMap, BTreeSet};

use thuocdo_sdk::Fixed;

use crate::registry::Registry;
use crate::runtime::{FactOrigin, PluginInfo};
use crate::scoring::Result;

/// One fact as the dictionary knows it.
#[derive(Clone, Debug, Default)]
pub struct Entry {
    /// The smallest value any declaring scorecard allows (`None`: unbounded).
    pub min: Option<i64>,
    /// The largest value any declaring scorecard allows (`None`: unbounded).
    pub max: Option<i64>,
    /// Whether some scorecard imports it (rather than drawing it from results).
    pub imported: bool,
    /// The scorecards that declare it.
    pub declared_by: BTreeSet<String>,
}

/// Every known fact by name.
#[derive(Clone, Debug, Default)]
pub struct Dictionary {
    entries: BTreeMap<String, Entry>,
}

impl Dictionary {
    /// The facts of every published version.
    pub async fn load(registry: &Registry) -> Result<Dictionary> {
        let mut dictionary = Dictionary::default();
        // Published scorecards only: a draft (anyone with the analyst role
        // can upload one) must not widen what production imports accept.
        for text in registry.store().fact_declarations().await? {
            if let Ok(info) = crate::runtime::stored_info(&text) {
                dictionary.add(&info);
            }
        }
        Ok(dictionary)
    }

    /// Adds a scorecard's facts.
    pub fn add(&mut self, info: &PluginInfo) {
        for fact in &info.facts {
            let first = !self.entries.contains_key(&fact.name);
            let entry = self.entries.entry(fact.name.clone()).or_default();
            if first {
                entry.min = fact.min;
                entry.max = fact.max;
            } else {
                entry.min = entry.min.zip(fact.min).map(|(a, b)| a.min(b));
                entry.max = entry.max.zip(fact.max).map(|(a, b)| a.max(b));
            }
            // Assessed facts arrive by import until the assessment procedure
            // records them.
            entry.imported |= matches!(fact.origin, FactOrigin::Imported | FactOrigin::Assessed(_));
            entry.declared_by.insert(info.name.clone());
        }
    }

    /// The entry for a fact.
    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.entries.get(name)
    }

    /// How many facts it knows.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it knows none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Checks one imported value: a known, imported fact, an exact decimal
    /// with at most four decimals, within the range. The value in
    /// ten-thousandths, or why not.
    pub fn check(&self, fact: &str, value: &str) -> Result<i64, String> {
        let Some(entry) = self.entries.get(fact) else {
            return Err(if self.entries.is_empty() {
                format!("fact `{fact}` is unknown: no scorecard is published yet")
            } else {
                format!(
                    "fact `{fact}` is not declared by any published scorecard{}",
                    self.closest(fact)
                        .map(|c| format!(" (did you mean `{c}`?)"))
                        .unwrap_or_default()
                )
            });
        };
        if !entry.imported {
            return Err(format!(
                "fact `{fact}` is drawn by the host from stored results, not imported"
            ));
        }
        let value = value.trim();
        let fixed = Fixed::parse(value).ok_or_else(|| {
            format!("value `{value}` of `{fact}` is not a decimal with at most four decimals")
        })?;
        let raw = fixed.raw();
        let (lo, hi) = (entry.min, entry.max);
        if lo.is_some_and(|lo| raw < lo) || hi.is_some_and(|hi| raw > hi) {
            let show =
                |b: Option<i64>| b.map_or("…".to_string(), |v| Fixed::from_raw(v).to_string());
            return Err(format!(
                "value {value} of `{fact}` is outside its range {} to {}",
                show(lo),
                show(hi)
            ));
        }
        Ok(raw)
    }

    /// The known fact nearest in spelling, for a hint.
    fn closest(&self, name: &str) -> Option<&str> {
        self.entries
            .keys()
            .map(|k| (edit_distance(k, name), k))
            .filter(|(d, _)| *d <= 3)
            .min()
            .map(|(_, k)| k.as_str())
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::edit_distance;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("delays", "delay"), 1);
        assert_eq!(edit_distance("abc", "abc"), 0);
        assert_eq!(edit_distance("", "ab"), 2);
    }
}
