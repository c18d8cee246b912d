//! Cohort rules, applied by the host across subjects after each was scored
//! alone: the Decree 335 quota — excellent at most 20 % of those graded good,
//! within one agency and one group of similar tasks.

use std::collections::BTreeMap;

use crate::runtime::{Grade, QuotaCounting, QuotaRule, Rounding};

/// A scored subject as a quota sees it.
#[derive(Clone, Debug)]
pub struct CohortMember {
    /// The subject's id: the stated tie-break.
    pub subject: String,
    /// The cohort it counts in (its agency and task group, as the rule's scope says).
    pub cohort: String,
    /// Its total.
    pub total: i64,
    /// Its grade after caps, before any cohort rule.
    pub grade: Grade,
}

/// `count × share` (share in ten-thousandths) as a whole number of subjects,
/// rounded as the rule declares.
fn allowance(count: usize, share: i64, rounding: Rounding) -> usize {
    let n = count as i128 * share.max(0) as i128;
    let (q, r) = (n / 10_000, n % 10_000);
    let up = match rounding {
        Rounding::TowardZero => false,
        Rounding::HalfAwayFromZero => r * 2 >= 10_000,
        Rounding::HalfToEven => r * 2 > 10_000 || (r * 2 == 10_000 && q % 2 == 1),
    };
    (q + i128::from(up)) as usize
}

/// How many of `limited` holders a cohort keeps: with `base` holders of the
/// `relative-to` grade before any demotion, the allowance of that count; on
/// final counts, the most `k` such that `k` is within the allowance of the
/// final count, those demoted to `relative-to` counted too.
fn kept(rule: &QuotaRule, base: usize, limited: usize) -> usize {
    match rule.counting {
        QuotaCounting::BeforeDemotion => allowance(base, rule.share, rule.allowance_rounding),
        QuotaCounting::FinalCounts => (0..=limited)
            .rev()
            .find(|&k| {
                let demoted = limited - k;
                let counted = if rule.demote_to == rule.relative_to {
                    base + demoted
                } else {
                    base
                };
                k <= allowance(counted, rule.share, rule.allowance_rounding)
            })
            .unwrap_or(0),
    }
}

/// Applies a quota to every cohort among `members`: in each, the `relative-to`
/// grades are counted as the rule's `counting` says, the allowance rounded as
/// declared, the `limited` grades ranked by total (descending, ties by subject
/// id ascending) and those beyond the allowance returned, by index, to be
/// demoted to `demote-to`.
pub fn apply_quota(rule: &QuotaRule, members: &[CohortMember]) -> Vec<usize> {
    let mut cohorts: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, m) in members.iter().enumerate() {
        cohorts.entry(m.cohort.as_str()).or_default().push(i);
    }
    let mut demoted = Vec::new();
    for indices in cohorts.values() {
        let base = indices
            .iter()
            .filter(|&&i| members[i].grade == rule.relative_to)
            .count();
        let mut limited: Vec<usize> = indices
            .iter()
            .copied()
            .filter(|&i| members[i].grade == rule.limited)
            .collect();
        let allowed = kept(rule, base, limited.len());
        limited.sort_by(|&a, &b| {
            members[b].total.cmp(&members[a].total).then_with(|| {
                members[a]
                    .subject
                    .as_bytes()
                    .cmp(members[b].subject.as_bytes())
            })
        });
        demoted.extend(limited.into_iter().skip(allowed));
    }
    demoted.sort_unstable();
    demoted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::{CohortScope, QuotaCounting, Text, TieBreak};

    fn rule() -> QuotaRule {
        QuotaRule {
            code: "excellent-quota".into(),
            limited: Grade::A,
            relative_to: Grade::B,
            share: 2000,
            allowance_rounding: Rounding::TowardZero,
            demote_to: Grade::B,
            scope: vec![CohortScope::Agency, CohortScope::TaskGroup],
            tie_break: TieBreak::SubjectIdAscending,
            counting: QuotaCounting::BeforeDemotion,
            title: Text {
                vi: String::new(),
                en: String::new(),
            },
            basis: None,
        }
    }

    fn member(subject: &str, cohort: &str, total: i64, grade: Grade) -> CohortMember {
        CohortMember {
            subject: subject.into(),
            cohort: cohort.into(),
            total,
            grade,
        }
    }

    #[test]
    fn allowances_round_as_declared() {
        assert_eq!(allowance(9, 2000, Rounding::TowardZero), 1);
        assert_eq!(allowance(10, 2000, Rounding::TowardZero), 2);
        assert_eq!(allowance(12, 2500, Rounding::HalfToEven), 3);
        assert_eq!(allowance(10, 2500, Rounding::HalfToEven), 2);
        assert_eq!(allowance(10, 2500, Rounding::HalfAwayFromZero), 3);
        assert_eq!(allowance(0, 2000, Rounding::HalfAwayFromZero), 0);
    }

    #[test]
    fn the_best_keep_excellent_and_ties_go_by_id() {
        // Ten good in cohort x: two excellent allowed among four.
        let mut members: Vec<CohortMember> = (0..10)
            .map(|i| member(&format!("b{i}"), "x", 800_000, Grade::B))
            .collect();
        members.push(member("a3", "x", 950_000, Grade::A));
        members.push(member("a1", "x", 930_000, Grade::A));
        members.push(member("a2", "x", 930_000, Grade::A));
        members.push(member("a0", "x", 910_000, Grade::A));
        // Cohort y has four good: no excellent allowed.
        members.extend((0..4).map(|i| member(&format!("y{i}"), "y", 800_000, Grade::B)));
        members.push(member("ya", "y", 990_000, Grade::A));
        let demoted: Vec<&str> = apply_quota(&rule(), &members)
            .into_iter()
            .map(|i| members[i].subject.as_str())
            .collect();
        assert_eq!(demoted, ["a2", "a0", "ya"]);
    }

    /// Three computed A and four B in one cohort, 20 % rounded down: before
    /// demotion 20 % of 4 is 0.8, so no A stays; on final counts one A leaves
    /// six B, and 20 % of 6 is 1.2, so one stays (two would leave five B,
    /// whose 20 % is 1).
    fn edge() -> Vec<CohortMember> {
        let mut members: Vec<CohortMember> = (0..4)
            .map(|i| member(&format!("b{i}"), "x", 800_000, Grade::B))
            .collect();
        members.push(member("a-low", "x", 910_000, Grade::A));
        members.push(member("a-top", "x", 970_000, Grade::A));
        members.push(member("a-mid", "x", 940_000, Grade::A));
        members
    }

    fn demoted(rule: &QuotaRule, members: &[CohortMember]) -> Vec<String> {
        let mut names: Vec<String> = apply_quota(rule, members)
            .into_iter()
            .map(|i| members[i].subject.clone())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn before_demotion_a_seven_person_cohort_at_the_edge_keeps_no_excellent() {
        assert_eq!(demoted(&rule(), &edge()), ["a-low", "a-mid", "a-top"]);
    }

    #[test]
    fn on_final_counts_the_same_cohort_keeps_its_best_excellent() {
        let rule = QuotaRule {
            counting: QuotaCounting::FinalCounts,
            ..rule()
        };
        assert_eq!(demoted(&rule, &edge()), ["a-low", "a-mid"]);
        // Demoted to C, the demoted do not count as good: the base stays 4.
        let to_c = QuotaRule {
            demote_to: Grade::C,
            ..rule
        };
        assert_eq!(demoted(&to_c, &edge()), ["a-low", "a-mid", "a-top"]);
    }

    #[test]
    fn on_final_counts_ties_at_the_boundary_go_by_subject_id() {
        let rule = QuotaRule {
            counting: QuotaCounting::FinalCounts,
            ..rule()
        };
        let mut members: Vec<CohortMember> = (0..4)
            .map(|i| member(&format!("b{i}"), "x", 800_000, Grade::B))
            .collect();
        for id in ["a-c", "a-a", "a-b"] {
            members.push(member(id, "x", 950_000, Grade::A));
        }
        assert_eq!(demoted(&rule, &members), ["a-b", "a-c"]);
    }
}
