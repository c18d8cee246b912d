//! What a run comes to: grade distributions per unit and per unit type (the
//! articles' "4 excellent, 16 good, 5 completed"), units ranked by mean total,
//! and each unit's indicators in red and yellow.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::Units;
use super::{GradeCode, Outcome, StoredResult, mean};
use crate::explain::Lang;
use crate::runtime::Light;

/// A run's summary, stored with it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Summary {
    /// The period.
    pub period: String,
    /// Subjects in the run's scope.
    pub subjects: usize,
    /// Scored.
    pub scored: usize,
    /// Refused by their scorecard (a missing or invalid fact).
    pub refused: usize,
    /// Failed in the sandbox.
    pub faults: usize,
    /// Exempted for the period: not evaluated, outside every cohort.
    #[serde(default)]
    pub not_evaluated: usize,
    /// Whose scorecard is for another kind of period (a monthly card in a yearly run).
    pub other_period: usize,
    /// With no scorecard assigned.
    pub unassigned: usize,
    /// Whose grade a cohort rule lowered.
    pub demoted: usize,
    /// Final grades.
    pub grades: BTreeMap<String, usize>,
    /// Grades before cohort rules.
    pub computed_grades: BTreeMap<String, usize>,
    /// Final grades per unit type.
    pub by_unit_type: BTreeMap<String, BTreeMap<String, usize>>,
    /// Units, best mean total first.
    pub units: Vec<UnitSummary>,
    /// The scorecard versions used.
    pub plugins: Vec<PluginUse>,
    /// The first refusals, faults and unassigned subjects, in words.
    pub problems: Vec<String>,
}

/// One unit's results.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UnitSummary {
    /// Its code.
    pub unit: String,
    /// Its name.
    pub name: String,
    /// Its type.
    pub kind: String,
    /// Its subjects scored.
    pub scored: usize,
    /// Final grades.
    pub grades: BTreeMap<String, usize>,
    /// Mean total, in ten-thousandths (rounded half away from zero).
    pub mean_total: Option<i64>,
    /// Indicator id → how many of its subjects were red on it.
    pub red: BTreeMap<String, usize>,
    /// Indicator id → how many were yellow.
    pub yellow: BTreeMap<String, usize>,
}

/// A scorecard version and how many it scored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PluginUse {
    /// `namespace/name`.
    pub plugin: String,
    /// The version.
    pub version: String,
    /// Its bytes' hash.
    pub sha256: String,
    /// Subjects it scored (or tried to).
    pub subjects: usize,
}

/// How many problems a summary lists by name.
const PROBLEMS_LISTED: usize = 20;

impl Summary {
    /// Grade counts as the articles write them: "4 excellent, 16 good, 5 completed".
    pub fn in_words(grades: &BTreeMap<String, usize>, lang: Lang) -> String {
        let words: &[(&str, &str, &str)] = &[
            ("A", "xuất sắc", "excellent"),
            ("B", "tốt", "good"),
            ("C", "hoàn thành", "completed"),
            ("D", "không hoàn thành", "not completed"),
            ("not-graded", "không xếp loại", "not graded"),
        ];
        let parts: Vec<String> = words
            .iter()
            .filter_map(|(code, vi, en)| {
                let n = *grades.get(*code)?;
                (n > 0).then(|| format!("{n} {}", if lang == Lang::Vi { vi } else { en }))
            })
            .collect();
        if parts.is_empty() {
            "none graded".into()
        } else {
            parts.join(", ")
        }
    }
}

/// Builds a summary one result at a time.
pub(super) struct SummaryBuilder<'a> {
    units: &'a Units,
    summary: Summary,
    per_unit: BTreeMap<String, (UnitSummary, i128)>,
    plugins: HashMap<(String, String), PluginUse>,
}

impl<'a> SummaryBuilder<'a> {
    pub(super) fn new(period: &str, units: &'a Units) -> SummaryBuilder<'a> {
        SummaryBuilder {
            units,
            summary: Summary {
                period: period.to_string(),
                ..Summary::default()
            },
            per_unit: BTreeMap::new(),
            plugins: HashMap::new(),
        }
    }

    /// A summary to be made again from a run's results (after a
    /// correction): what `old` counted of the subjects the run did not
    /// score (which no result records) is carried over, the first problems
    /// named being theirs as the run found them.
    pub(super) fn carrying(old: &Summary, units: &'a Units) -> SummaryBuilder<'a> {
        let mut b = SummaryBuilder::new(&old.period, units);
        b.summary.subjects = old.other_period + old.unassigned;
        b.summary.other_period = old.other_period;
        b.summary.unassigned = old.unassigned;
        b.summary.problems = old
            .problems
            .iter()
            .take(old.unassigned.min(PROBLEMS_LISTED))
            .cloned()
            .collect();
        b
    }

    /// A subject that was not scored in this run, and why.
    pub(super) fn skipped(&mut self, subject: &str, other_period: bool, reason: &str) {
        self.summary.subjects += 1;
        if other_period {
            self.summary.other_period += 1;
        } else {
            self.summary.unassigned += 1;
            self.problem(format!("{subject}: {reason}"));
        }
    }

    fn problem(&mut self, text: String) {
        if self.summary.problems.len() < PROBLEMS_LISTED {
            self.summary.problems.push(text);
        }
    }

    /// A stored result, with its indicators' ids and lights.
    pub(super) fn add<'b>(
        &mut self,
        r: &StoredResult,
        lights: impl Iterator<Item = (&'b str, Light)>,
    ) {
        let s = &mut self.summary;
        s.subjects += 1;
        self.plugins
            .entry((r.plugin.clone(), r.version.clone()))
            .or_insert_with(|| PluginUse {
                plugin: r.plugin.clone(),
                version: r.version.clone(),
                sha256: r.sha256.clone(),
                subjects: 0,
            })
            .subjects += 1;
        match r.outcome {
            Outcome::Scored => s.scored += 1,
            Outcome::Refused => s.refused += 1,
            Outcome::Fault => s.faults += 1,
            Outcome::NotEvaluated => {
                s.not_evaluated += 1;
                return;
            }
        }
        if r.outcome != Outcome::Scored {
            let why = r.error.clone().unwrap_or_default();
            self.problem(format!("{} ({}): {why}", r.subject, r.outcome));
            return;
        }
        if r.cohort_rule.is_some() {
            s.demoted += 1;
        }
        let code = |g: Option<GradeCode>| g.map(|g| g.code().to_string()).unwrap_or_default();
        let (grade, computed) = (code(r.grade), code(r.computed_grade));
        *s.grades.entry(grade.clone()).or_default() += 1;
        *s.computed_grades.entry(computed).or_default() += 1;
        let info = self.units.get(&r.unit);
        let kind = info.map_or_else(|| "unknown".to_string(), |u| u.kind.clone());
        *s.by_unit_type
            .entry(kind.clone())
            .or_default()
            .entry(grade.clone())
            .or_default() += 1;
        let (unit, sum) = self.per_unit.entry(r.unit.clone()).or_insert_with(|| {
            (
                UnitSummary {
                    unit: r.unit.clone(),
                    name: info.map(|u| u.name.clone()).unwrap_or_default(),
                    kind,
                    ..UnitSummary::default()
                },
                0,
            )
        });
        unit.scored += 1;
        *unit.grades.entry(grade).or_default() += 1;
        *sum += i128::from(r.total.unwrap_or(0));
        for (id, light) in lights {
            match light {
                Light::Red => *unit.red.entry(id.to_string()).or_default() += 1,
                Light::Yellow => *unit.yellow.entry(id.to_string()).or_default() += 1,
                _ => {}
            }
        }
    }

    pub(super) fn finish(mut self) -> Summary {
        let mut units: Vec<UnitSummary> = self
            .per_unit
            .into_values()
            .map(|(mut u, sum)| {
                u.mean_total = mean(sum, u.scored);
                u
            })
            .collect();
        units.sort_by(|a, b| {
            b.mean_total
                .cmp(&a.mean_total)
                .then_with(|| a.unit.cmp(&b.unit))
        });
        self.summary.units = units;
        let mut plugins: Vec<PluginUse> = self.plugins.into_values().collect();
        plugins.sort_by(|a, b| (&a.plugin, &a.version).cmp(&(&b.plugin, &b.version)));
        self.summary.plugins = plugins;
        self.summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_as_the_articles_write_them() {
        let grades: BTreeMap<String, usize> = [
            ("A".to_string(), 4),
            ("B".to_string(), 16),
            ("C".to_string(), 5),
            ("D".to_string(), 0),
        ]
        .into();
        assert_eq!(
            Summary::in_words(&grades, Lang::En),
            "4 excellent, 16 good, 5 completed"
        );
        assert_eq!(
            Summary::in_words(&grades, Lang::Vi),
            "4 xuất sắc, 16 tốt, 5 hoàn thành"
        );
    }
}
