//! Scoring runs: the organisation and its facts in, every subject scored with
//! the scorecard version assigned to their post — each in its own sandboxed
//! instance, on all cores — cohort rules applied across them, and the results
//! stored so that a run is seen whole or not at all; then published as a
//! period's official run, summarised, and re-derived on demand.
//!
//! ```no_run
//! # async fn example(registry: &thuocdo_host::registry::Registry) -> thuocdo_host::scoring::Result<()> {
//! use thuocdo_host::access::Actor;
//! use thuocdo_host::scoring::{self, RunOptions};
//!
//! let admin = Actor::admin("admin@tuyenquang");
//! thuocdo_host::facts::import(registry, &admin, "facts.csv", b"subject_id,period,fact,value,source\n").await?;
//! let report = scoring::run(registry, &admin, &RunOptions::period("2025-09")).await?;
//! scoring::publish(registry, &admin, report.run).await?;
//! # Ok(())
//! # }
//! ```

mod cohort;
mod correct;
mod error;
mod leaders;
mod official;
pub mod parts;
mod pool;
mod progress;
mod results;
mod run;
mod summary;
mod verify;

pub(crate) use self::mean as mean_of;
pub use cohort::{Choices, CohortMember, QuotaOutcome, Tie, apply_quota};
pub use correct::{Change, Rescored, dependents, rescore};
pub use error::{Error, Result, RowError, RowErrors};
pub use official::{OfficialRun, official_runs, publish, unlock};
pub use pool::LANE_CAPACITY;
pub(crate) use pool::Pool;
pub use progress::Progress;
pub use results::{
    Only, RunRecord, complete_check, results, results_csv, results_csv_part, results_of, run_head,
    run_record_by_id as run_record, run_summary, runs,
};
#[cfg(feature = "test-hooks")]
pub use run::run_interrupted;
pub(crate) use run::{
    Answer, SubjectRow, apply_cohort_rules, derived_facts, derived_value, fact_sheets, fill,
    light_code, read_facts,
};
pub use run::{RunOptions, RunReport, Timings, run};
pub use summary::{Summary, UnitSummary};
pub use verify::{Difference, Verified, verify};

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::registry::Registry;
use crate::runtime::{Grade, Light};

/// How scoring one subject ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// The scorecard answered with an evaluation.
    Scored,
    /// The scorecard named a missing or invalid fact.
    Refused,
    /// The plugin failed in the sandbox.
    Fault,
    /// Exempted for the period (long leave, newly recruited): not scored and
    /// outside every cohort's counts.
    NotEvaluated,
}

impl Outcome {
    /// As stored and printed: `scored`, `refused` or `fault`.
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Scored => "scored",
            Outcome::Refused => "refused",
            Outcome::Fault => "fault",
            Outcome::NotEvaluated => "not-evaluated",
        }
    }

    /// The outcome a stored code names.
    pub fn from_code(code: &str) -> Option<Outcome> {
        [
            Outcome::Scored,
            Outcome::Refused,
            Outcome::Fault,
            Outcome::NotEvaluated,
        ]
        .into_iter()
        .find(|o| o.code() == code)
    }
}

/// A grade as results record it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum GradeCode {
    /// Excellent.
    A,
    /// Good.
    B,
    /// Completed.
    C,
    /// Not completed.
    D,
    /// Not graded.
    #[serde(rename = "not-graded")]
    NotGraded,
}

impl GradeCode {
    /// As stored and printed: A, B, C, D or not-graded.
    pub fn code(self) -> &'static str {
        grade_code(self.grade())
    }

    /// The grade a stored code names.
    pub fn from_code(code: &str) -> Option<GradeCode> {
        grade_from_code(code).map(GradeCode::from)
    }

    /// The contract's grade.
    pub fn grade(self) -> Grade {
        match self {
            GradeCode::A => Grade::A,
            GradeCode::B => Grade::B,
            GradeCode::C => Grade::C,
            GradeCode::D => Grade::D,
            GradeCode::NotGraded => Grade::NotGraded,
        }
    }
}

impl std::fmt::Display for GradeCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl From<Grade> for GradeCode {
    fn from(g: Grade) -> GradeCode {
        match g {
            Grade::A => GradeCode::A,
            Grade::B => GradeCode::B,
            Grade::C => GradeCode::C,
            Grade::D => GradeCode::D,
            Grade::NotGraded => GradeCode::NotGraded,
        }
    }
}

/// An indicator's light as results record it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum LightCode {
    /// At or better than green.
    Green,
    /// Between.
    Yellow,
    /// At or worse than red.
    Red,
    /// No value to judge.
    NoData,
}

impl LightCode {
    /// As stored: green, yellow, red or no-data.
    pub fn code(self) -> &'static str {
        light_code(self.light())
    }

    /// The light a stored code names.
    pub fn from_code(code: &str) -> Option<LightCode> {
        [
            LightCode::Green,
            LightCode::Yellow,
            LightCode::Red,
            LightCode::NoData,
        ]
        .into_iter()
        .find(|l| l.code() == code)
    }

    /// The contract's light.
    pub fn light(self) -> Light {
        match self {
            LightCode::Green => Light::Green,
            LightCode::Yellow => Light::Yellow,
            LightCode::Red => Light::Red,
            LightCode::NoData => Light::NoData,
        }
    }
}

impl From<Light> for LightCode {
    fn from(l: Light) -> LightCode {
        match l {
            Light::Green => LightCode::Green,
            Light::Yellow => LightCode::Yellow,
            Light::Red => LightCode::Red,
            Light::NoData => LightCode::NoData,
        }
    }
}

/// One indicator's result, as recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IndicatorScore {
    /// The raw value it was judged on, in ten-thousandths; none without data.
    pub raw: Option<i64>,
    /// Its score, in ten-thousandths.
    pub score: i64,
    /// Its light.
    pub light: LightCode,
}

/// The fact values a result was scored on, by name, in ten-thousandths
/// (none for a missing fact). The names are shared by every result of one
/// scorecard (a national run holds a quarter of a million of these), sorted,
/// so the record's JSON is the same text whatever order describe() used.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FactValues {
    names: Arc<[String]>,
    values: Vec<Option<i64>>,
}

impl FactValues {
    /// Values for `names` (sorted, unique), in that order.
    pub fn new(names: Arc<[String]>, values: Vec<Option<i64>>) -> FactValues {
        debug_assert_eq!(names.len(), values.len());
        debug_assert!(names.windows(2).all(|w| w[0] < w[1]));
        FactValues { names, values }
    }

    /// The value recorded for `name`: `None` when the name is not recorded,
    /// `Some(None)` when it was missing.
    pub fn get(&self, name: &str) -> Option<Option<i64>> {
        self.names
            .binary_search_by(|n| n.as_str().cmp(name))
            .ok()
            .map(|k| self.values[k])
    }

    /// Every name and value, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Option<i64>)> {
        self.names
            .iter()
            .map(String::as_str)
            .zip(self.values.iter().copied())
    }

    /// How many are recorded.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The record as JSON: `{"name":value,…}` by name, `null` for missing,
    /// with no spaces — the text its SHA-256 is taken of.
    pub fn to_json(&self) -> String {
        let mut digits = itoa::Buffer::new();
        let mut out = String::with_capacity(2 + 24 * self.values.len());
        out.push('{');
        for (k, (name, value)) in self.iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            if name.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
                out.push('"');
                out.push_str(name);
                out.push('"');
            } else {
                out.push_str(&serde_json::to_string(name).expect("a string serialises"));
            }
            out.push(':');
            match value {
                Some(v) => out.push_str(digits.format(v)),
                None => out.push_str("null"),
            }
        }
        out.push('}');
        out
    }
}

impl From<BTreeMap<String, Option<i64>>> for FactValues {
    fn from(map: BTreeMap<String, Option<i64>>) -> FactValues {
        let (names, values): (Vec<String>, Vec<Option<i64>>) = map.into_iter().unzip();
        FactValues {
            names: names.into(),
            values,
        }
    }
}

impl Serialize for FactValues {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (name, value) in self.iter() {
            map.serialize_entry(name, &value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for FactValues {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<FactValues, D::Error> {
        BTreeMap::<String, Option<i64>>::deserialize(d).map(FactValues::from)
    }
}

/// One subject's stored result in a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StoredResult {
    /// The subject's id.
    pub subject: String,
    /// Their unit.
    pub unit: String,
    /// Their post.
    pub post: String,
    /// Their post's group of similar tasks at the time: the cohort a quota counted them in.
    pub task_group: String,
    /// The scorecard, `namespace/name`.
    pub plugin: String,
    /// Its exact version.
    pub version: String,
    /// Its bytes' hash.
    pub sha256: String,
    /// How scoring them ended.
    pub outcome: Outcome,
    /// The total, when scored.
    pub total: Option<i64>,
    /// The grade the scorecard gave (after its caps).
    pub computed_grade: Option<GradeCode>,
    /// The final grade, after cohort rules.
    pub grade: Option<GradeCode>,
    /// The cohort rule that changed the grade, if one did.
    pub cohort_rule: Option<String>,
    /// The codes of the caps that applied.
    pub caps: Vec<String>,
    /// Each indicator's result, by position.
    pub indicators: Vec<IndicatorScore>,
    /// The fact values read, by name; absent where the reader may not see
    /// them (they are personal).
    #[schema(value_type = Option<BTreeMap<String, Option<i64>>>)]
    pub facts: Option<FactValues>,
    /// The SHA-256 of the facts' record (their JSON, keys in order);
    /// absent where the reader may not see the facts.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub facts_sha256: String,
    /// Fuel used.
    pub fuel: i64,
    /// The scorecard's refusal or the plugin's fault, in words.
    pub error: Option<String>,
}

/// `sum / n` rounded half away from zero, as totals are.
pub(crate) fn mean(sum: i128, n: usize) -> Option<i64> {
    let n = n as i128;
    (n > 0).then(|| ((sum * 2 + sum.signum() * n) / (2 * n)) as i64)
}

/// The organisation's units: each one's kind, name and parent.
#[derive(Clone, Debug, Default)]
pub struct Units {
    units: HashMap<String, UnitInfo>,
}

/// A unit as a run sees it.
#[derive(Clone, Debug)]
pub struct UnitInfo {
    /// Its name.
    pub name: String,
    /// Its type.
    pub kind: String,
    /// The enclosing unit.
    pub parent: Option<String>,
    /// The posts whose holders lead it.
    pub leader_posts: Vec<String>,
}

impl Units {
    /// Reads every unit.
    pub async fn load(registry: &Registry) -> Result<Units> {
        Ok(Units::from_rows(registry.store().units().await?))
    }

    /// Reads every unit, each under the parent it had in the month `at`.
    pub async fn load_at(registry: &Registry, at: &str) -> Result<Units> {
        Ok(Units::from_rows(registry.store().units_at(at).await?))
    }

    /// The tree from the units as stored.
    pub fn from_rows(rows: Vec<crate::store::org::UnitRow>) -> Units {
        let mut units = HashMap::with_capacity(rows.len());
        for r in rows {
            units.insert(
                r.code,
                UnitInfo {
                    name: r.name,
                    kind: r.kind,
                    parent: r.parent,
                    leader_posts: r.leader_posts,
                },
            );
        }
        Units { units }
    }

    /// One unit.
    pub fn get(&self, code: &str) -> Option<&UnitInfo> {
        self.units.get(code)
    }

    /// The nearest unit of type `kind` enclosing `code`, itself included.
    pub fn enclosing<'a>(&'a self, code: &'a str, kind: &str) -> Option<&'a str> {
        let mut at = code;
        // The import refuses cycles; the bound keeps a corrupt table finite.
        for _ in 0..=self.units.len() {
            let (key, unit) = self.units.get_key_value(at)?;
            if unit.kind == kind {
                return Some(key.as_str());
            }
            at = unit.parent.as_deref()?;
        }
        None
    }

    /// Every unit's code.
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.units.keys().map(String::as_str)
    }

    /// The codes of `root` and every unit below it.
    pub fn subtree(&self, root: &str) -> Vec<String> {
        self.units
            .keys()
            .filter(|u| self.within(u, root))
            .cloned()
            .collect()
    }

    /// Whether `unit` is `root` or lies below it.
    pub fn within(&self, unit: &str, root: &str) -> bool {
        let mut cursor = Some(unit);
        for _ in 0..=self.units.len() {
            match cursor {
                Some(u) if u == root => return true,
                Some(u) => cursor = self.units.get(u).and_then(|i| i.parent.as_deref()),
                None => return false,
            }
        }
        false
    }
}

/// A grade as stored and printed: A, B, C, D or not-graded.
pub fn grade_code(g: Grade) -> &'static str {
    match g {
        Grade::A => "A",
        Grade::B => "B",
        Grade::C => "C",
        Grade::D => "D",
        Grade::NotGraded => "not-graded",
    }
}

/// The grade a stored code names.
pub fn grade_from_code(code: &str) -> Option<Grade> {
    Some(match code {
        "A" => Grade::A,
        "B" => Grade::B,
        "C" => Grade::C,
        "D" => Grade::D,
        "not-graded" => Grade::NotGraded,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fact_record_is_the_same_json_as_a_map_of_it() {
        let map = BTreeMap::from([
            ("b-rate".to_string(), Some(975_000)),
            ("a-count".to_string(), None),
            ("quote\"d\\name".to_string(), Some(-5)),
            ("đánh-giá".to_string(), Some(0)),
        ]);
        let record = FactValues::from(map.clone());
        assert_eq!(record.to_json(), serde_json::to_string(&map).unwrap());
        assert_eq!(serde_json::to_string(&record).unwrap(), record.to_json());
        let back: FactValues = serde_json::from_str(&record.to_json()).unwrap();
        assert_eq!(back, record);
        assert_eq!(record.get("b-rate"), Some(Some(975_000)));
        assert_eq!(record.get("a-count"), Some(None));
        assert_eq!(record.get("nothing"), None);
        assert_eq!(FactValues::default().to_json(), "{}");
    }

    #[test]
    fn a_level_is_the_nearest_enclosing_unit_of_its_type() {
        let unit = |code: &str, kind: &str, parent: Option<&str>| crate::store::org::UnitRow {
            code: code.into(),
            name: code.into(),
            kind: kind.into(),
            parent: parent.map(Into::into),
            publishes_people: false,
            grades_only: false,
            within_agency: false,
            leader_posts: Vec::new(),
        };
        let units = Units::from_rows(vec![
            unit("vn", "country", None),
            unit("tinh", "province", Some("vn")),
            unit("xa", "commune", Some("tinh")),
            unit("to", "team", Some("xa")),
        ]);
        assert_eq!(units.enclosing("to", "commune"), Some("xa"));
        assert_eq!(units.enclosing("xa", "commune"), Some("xa"));
        assert_eq!(units.enclosing("to", "province"), Some("tinh"));
        assert_eq!(units.enclosing("tinh", "commune"), None);
        assert_eq!(units.enclosing("nowhere", "commune"), None);
    }
}
