//! Cohort rules, applied by the host across subjects after each was scored
//! alone: the Decree 335 quota — excellent at most 20 % of those graded good,
//! within one agency and one group of similar tasks.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::runtime::{Grade, QuotaCounting, QuotaRule, Rounding, TieBreak};

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

/// A tie at a quota's boundary that the rule leaves to the competent person:
/// the cohort's allowance ends among subjects of equal total.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Tie {
    /// The quota's code.
    pub rule: String,
    /// The cohort, as the rule's scope names it: its unit, task group or
    /// enclosing unit, joined by ` · `.
    pub cohort: String,
    /// The tied subjects, by id.
    pub tied: Vec<String>,
    /// How many of them keep the limited grade.
    pub slots: usize,
    /// Their total, in ten-thousandths.
    pub total: i64,
}

/// The competent person's choices: (quota, cohort) → the tied subjects who
/// keep the limited grade.
pub type Choices = HashMap<(String, String), Vec<String>>;

/// What a quota came to: the members to demote, by index, and the ties
/// awaiting the competent person's choice.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QuotaOutcome {
    /// Demoted, by index into the members.
    pub demoted: Vec<usize>,
    /// Awaiting a choice: every subject of these is demoted until it is made.
    pub open: Vec<Tie>,
}

/// Applies a quota to every cohort among `members`: in each, the `relative-to`
/// grades are counted as the rule's `counting` says, the allowance rounded as
/// declared, the `limited` grades ranked by total (descending, ties by subject
/// id ascending) and those beyond the allowance returned, by index, to be
/// demoted to `demote-to`. Where the rule leaves a tie at the boundary to
/// the competent person, their choice in `choices` says who of the tied
/// keeps the grade; without one (or with one that no longer fits the tie),
/// every tied subject is demoted and the tie is returned as open.
pub fn apply_quota(rule: &QuotaRule, members: &[CohortMember], choices: &Choices) -> QuotaOutcome {
    let mut cohorts: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, m) in members.iter().enumerate() {
        cohorts.entry(m.cohort.as_str()).or_default().push(i);
    }
    let mut out = QuotaOutcome::default();
    for (cohort, indices) in &cohorts {
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
        let tied_at_boundary = rule.tie_break == TieBreak::DecidedByCompetentPerson
            && allowed > 0
            && allowed < limited.len()
            && members[limited[allowed - 1]].total == members[limited[allowed]].total;
        if !tied_at_boundary {
            out.demoted.extend(limited.into_iter().skip(allowed));
            continue;
        }
        let total = members[limited[allowed]].total;
        let above = limited
            .iter()
            .take_while(|&&i| members[i].total > total)
            .count();
        let tied: Vec<usize> = limited
            .iter()
            .copied()
            .filter(|&i| members[i].total == total)
            .collect();
        let slots = allowed - above;
        let ids: Vec<String> = tied.iter().map(|&i| members[i].subject.clone()).collect();
        let chosen = choices
            .get(&(rule.code.clone(), cohort.to_string()))
            .filter(|kept| {
                kept.len() == slots
                    && kept.iter().all(|k| ids.contains(k))
                    && kept.iter().collect::<std::collections::BTreeSet<_>>().len() == slots
            });
        for &i in limited.iter().skip(above) {
            let keeps = members[i].total == total
                && chosen.is_some_and(|kept| kept.contains(&members[i].subject));
            if !keeps {
                out.demoted.push(i);
            }
        }
        if chosen.is_none() {
            out.open.push(Tie {
                rule: rule.code.clone(),
                cohort: cohort.to_string(),
                tied: ids,
                slots,
                total,
            });
        }
    }
    out.demoted.sort_unstable();
    out
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
        let demoted: Vec<&str> = apply_quota(&rule(), &members, &Choices::new())
            .demoted
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
        let mut names: Vec<String> = apply_quota(rule, members, &Choices::new())
            .demoted
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

    /// Five good allow one excellent; two excellent tie at 95 for it.
    fn tied() -> (QuotaRule, Vec<CohortMember>) {
        let mut rule = rule();
        rule.tie_break = TieBreak::DecidedByCompetentPerson;
        let mut members: Vec<CohortMember> = (0..5)
            .map(|i| member(&format!("b{i}"), "x", 800_000, Grade::B))
            .collect();
        members.push(member("t-2", "x", 950_000, Grade::A));
        members.push(member("t-1", "x", 950_000, Grade::A));
        (rule, members)
    }

    #[test]
    fn a_tie_left_to_the_competent_person_is_open_until_they_choose() {
        let (rule, members) = tied();
        let open = apply_quota(&rule, &members, &Choices::new());
        // Both tied are demoted until the choice; the tie says who and how
        // many keep excellent.
        assert_eq!(open.demoted, [5, 6]);
        assert_eq!(
            open.open,
            [Tie {
                rule: "excellent-quota".into(),
                cohort: "x".into(),
                tied: vec!["t-1".into(), "t-2".into()],
                slots: 1,
                total: 950_000,
            }]
        );
        let choices: Choices =
            HashMap::from([(("excellent-quota".into(), "x".into()), vec!["t-2".into()])]);
        let chosen = apply_quota(&rule, &members, &choices);
        assert_eq!(chosen.demoted, [6]);
        assert!(chosen.open.is_empty());
        // A choice that no longer fits the tie (two kept for one place, or
        // someone not tied) leaves it open.
        for kept in [vec!["t-1", "t-2"], vec!["b0"]] {
            let stale: Choices = HashMap::from([(
                ("excellent-quota".into(), "x".into()),
                kept.iter().map(|k| k.to_string()).collect(),
            )]);
            assert_eq!(apply_quota(&rule, &members, &stale).open.len(), 1);
        }
        // Without a tie at the boundary the rule ranks as ever.
        let mut apart = members.clone();
        apart[5].total = 960_000;
        let ranked = apply_quota(&rule, &apart, &Choices::new());
        assert_eq!((ranked.demoted, ranked.open.len()), (vec![6], 0));
    }
}
