//! Synthetic, deterministic data sets in the formats `org import`, `facts
//! import` and the API take: a demo province modelled on Tuyen Quang, and with
//! `national`, 3,321 communes and 254,757 civil servants for a year.
//!
//! Facts are calibrated with the real scorecards: each subject is given the
//! grade the source figures imply (the articles' September counts; the Ministry
//! of Home Affairs' 2023 national classification), a quality to aim for it,
//! and facts are drawn until the bundled scorecard, run in the sandbox, gives
//! that grade. The same seed gives the same files, byte for byte.

mod national;
mod province;
mod samplers;

pub use national::{national, national_of, write_products as national_products};
pub use province::province;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::json;

use crate::bundled::BUNDLED;
use crate::org::Organisation;
use crate::runtime::{self, EvaluationInput, Grade, Plugin, Runtime, Subject};
use samplers::Facts;

/// splitmix64: small, fast and the same everywhere, so a seed names a data set.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15)
    }

    /// The generator for item `index` of a stream: independent of how work is split.
    pub fn for_item(seed: u64, stream: u64, index: u64) -> Rng {
        let mut r = Rng::new(seed ^ stream.wrapping_mul(0xbf58_476d_1ce4_e5b9));
        r.0 ^= index.wrapping_mul(0x94d0_49bb_1331_11eb);
        r.next_u64();
        r
    }

    /// The next 64 bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `lo..hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo).max(1)
    }

    /// Shuffles in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

/// A generated data set.
#[derive(Debug, Default)]
pub struct DataSet {
    /// Units, posts, subjects and assignments.
    pub organisation: Organisation,
    /// Per period, each subject's facts.
    pub facts: BTreeMap<String, Vec<(String, Facts)>>,
    /// The grades the facts were calibrated to, before any cohort rule:
    /// period → grade → count.
    pub intended: BTreeMap<String, BTreeMap<String, usize>>,
}

impl DataSet {
    /// Writes `organisation.json` and one facts file per period: CSV, or for
    /// large sets JSON with one entry per subject.
    pub fn write(&self, dir: &Path, json_facts: bool) -> std::io::Result<Vec<String>> {
        std::fs::create_dir_all(dir)?;
        let mut written = Vec::new();
        let org = serde_json::to_string_pretty(&self.organisation).expect("serialises");
        std::fs::write(dir.join("organisation.json"), org)?;
        written.push("organisation.json".to_string());
        for (period, sheets) in &self.facts {
            let source = "thuocdo gen-data";
            let name = if json_facts {
                let entries: Vec<serde_json::Value> = sheets
                    .iter()
                    .map(|(subject, facts)| {
                        let facts: serde_json::Map<String, serde_json::Value> = facts
                            .iter()
                            .map(|(k, v)| (k.to_string(), json!(v)))
                            .collect();
                        json!({"subject_id": subject, "period": period, "source": source, "facts": facts})
                    })
                    .collect();
                let name = format!("facts-{period}.json");
                let mut text = String::from("[\n");
                for (i, e) in entries.iter().enumerate() {
                    text.push_str(&e.to_string());
                    text.push_str(if i + 1 < entries.len() { ",\n" } else { "\n" });
                }
                text.push_str("]\n");
                std::fs::write(dir.join(&name), text)?;
                name
            } else {
                let mut text = String::from("subject_id,period,fact,value,source\n");
                for (subject, facts) in sheets {
                    for (fact, value) in facts {
                        text.push_str(&format!("{subject},{period},{fact},{value},{source}\n"));
                    }
                }
                let name = format!("facts-{period}.csv");
                std::fs::write(dir.join(&name), text)?;
                name
            };
            written.push(name);
        }
        Ok(written)
    }
}

/// Draws facts with the real scorecards until they give the grade aimed for.
pub(crate) struct Calibrator {
    runtime: Runtime,
    plugins: BTreeMap<&'static str, Plugin>,
}

/// A sampler: facts at a quality in [0, 1].
pub(crate) type Sampler = fn(f64, &mut Rng) -> Facts;

impl Calibrator {
    pub(crate) fn new() -> runtime::Result<Calibrator> {
        let runtime = Runtime::new()?;
        let mut plugins = BTreeMap::new();
        for b in BUNDLED {
            plugins.insert(b.crate_name, runtime.load(b.wasm)?);
        }
        Ok(Calibrator { runtime, plugins })
    }

    /// Facts for `subject` that the bundled scorecard `card` grades `target`
    /// (drawing at most a few hundred times; the last draw otherwise).
    pub(crate) fn facts(&self, card: &str, sample: Sampler, target: Grade, rng: &mut Rng) -> Facts {
        let plugin = &self.plugins[card];
        let (lo, hi) = match target {
            Grade::A => (0.8, 1.0),
            Grade::B => (0.45, 0.9),
            Grade::C => (0.15, 0.6),
            Grade::D | Grade::NotGraded => (0.0, 0.3),
        };
        let mut last = Vec::new();
        for attempt in 0..400 {
            let (lo, hi) = if attempt < 100 { (lo, hi) } else { (0.0, 1.0) };
            let q = lo + (hi - lo) * rng.unit();
            let facts = sample(q, rng);
            if self.grade(plugin, &facts) == Some(target) {
                return facts;
            }
            last = facts;
        }
        last
    }

    fn grade(&self, plugin: &Plugin, facts: &Facts) -> Option<Grade> {
        let values = plugin
            .info
            .facts
            .iter()
            .map(|spec| {
                facts
                    .iter()
                    .find(|(name, _)| *name == spec.name)
                    .and_then(|(_, v)| thuocdo_sdk::Fixed::parse(v))
                    .map(|f| f.raw())
            })
            .collect();
        let input = EvaluationInput {
            subject: Subject {
                id: "calibration".into(),
                unit: String::new(),
                position: String::new(),
            },
            period: String::new(),
            products: Vec::new(),
            facts: values,
        };
        let evaluated = self.runtime.evaluate(plugin, &input).ok()?;
        evaluated.answer.ok().map(|e| e.grade)
    }
}

/// `counts` spread over `total` subjects by largest remainder, so the
/// proportions hold and the sum is exact.
pub(crate) fn apportion(counts: &[(Grade, u64)], total: u64) -> Vec<(Grade, u64)> {
    let sum: u64 = counts.iter().map(|(_, n)| n).sum();
    let mut out: Vec<(Grade, u64, u64)> = counts
        .iter()
        .map(|&(g, n)| (g, n * total / sum, n * total % sum))
        .collect();
    let mut left = total - out.iter().map(|(_, n, _)| n).sum::<u64>();
    let mut order: Vec<usize> = (0..out.len()).collect();
    order.sort_by(|&a, &b| out[b].2.cmp(&out[a].2).then(a.cmp(&b)));
    for i in order {
        if left == 0 {
            break;
        }
        out[i].1 += 1;
        left -= 1;
    }
    out.into_iter().map(|(g, n, _)| (g, n)).collect()
}

/// A list of `counts` grades, shuffled.
pub(crate) fn grades(counts: &[(Grade, u64)], rng: &mut Rng) -> Vec<Grade> {
    let mut out: Vec<Grade> = counts
        .iter()
        .flat_map(|&(g, n)| std::iter::repeat_n(g, n as usize))
        .collect();
    rng.shuffle(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportioned_counts_keep_the_sum() {
        // The ministry's 2023 counts add to 255,057 for 254,757 servants.
        let counts = [
            (Grade::A, 45_696),
            (Grade::B, 165_939),
            (Grade::C, 28_689),
            (Grade::D, 14_733),
        ];
        let spread = apportion(&counts, 254_757);
        assert_eq!(spread.iter().map(|(_, n)| n).sum::<u64>(), 254_757);
        assert_eq!(spread[0].1, 45_642);
    }

    #[test]
    fn a_seed_names_a_sequence() {
        let a: Vec<u64> = (0..4).map(|i| Rng::for_item(7, 1, i).next_u64()).collect();
        let b: Vec<u64> = (0..4).map(|i| Rng::for_item(7, 1, i).next_u64()).collect();
        assert_eq!(a, b);
        assert_ne!(a[0], a[1]);
    }
}
