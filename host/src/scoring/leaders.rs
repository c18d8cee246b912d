//! Leaders after their people: who leads whom, the order a run scores them
//! in, and the facts drawn from the final results of the people led.
//!
//! A subject leads the people of their unit when their post is one of the
//! unit's leader posts (other holders of leader posts excepted: leaders
//! among themselves go by their direct managers), and everyone whose direct
//! manager they are. A scorecard reading `from-led-results` facts is scored
//! after every person its subject leads has a final result (after cohort
//! rules): in waves, the people first, then the leaders of people only, then
//! the leaders of leaders. A cycle is an error that names it.

use std::collections::HashMap;

use super::GradeCode;
use super::Units;
use super::run::SubjectRow;
use crate::runtime::LedMeasure;

/// For each subject in `leaders` (indices into `subjects`), the indices of
/// the people they lead, ascending.
pub(crate) fn led_by(
    subjects: &[SubjectRow],
    units: &Units,
    leaders: &[usize],
) -> HashMap<usize, Vec<usize>> {
    // Most runs have no card reading led results: nothing to index then.
    if leaders.is_empty() {
        return HashMap::new();
    }
    let mut by_manager: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_unit: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, s) in subjects.iter().enumerate() {
        if let Some(m) = &s.manager {
            by_manager.entry(m.as_str()).or_default().push(i);
        }
        by_unit.entry(s.unit.as_str()).or_default().push(i);
    }
    let mut out = HashMap::with_capacity(leaders.len());
    for &l in leaders {
        let leader = &subjects[l];
        let mut led: Vec<usize> = by_manager
            .get(leader.id.as_str())
            .cloned()
            .unwrap_or_default();
        let posts = units
            .get(&leader.unit)
            .map(|u| u.leader_posts.as_slice())
            .unwrap_or_default();
        if posts.contains(&leader.post) {
            led.extend(
                by_unit
                    .get(leader.unit.as_str())
                    .into_iter()
                    .flatten()
                    .copied()
                    .filter(|&i| i != l && !posts.contains(&subjects[i].post)),
            );
        }
        led.sort_unstable();
        led.dedup();
        out.insert(l, led);
    }
    out
}

/// The waves leaders are scored in: each leader after every leader they
/// lead. `Err` names a cycle: "a → b → a".
pub(crate) fn waves(
    subjects: &[SubjectRow],
    leaders: &[usize],
    led: &HashMap<usize, Vec<usize>>,
) -> Result<Vec<Vec<usize>>, String> {
    let is_leader: HashMap<usize, ()> = leaders.iter().map(|&l| (l, ())).collect();
    // Each leader waits for the leaders among the people they lead.
    let waits: HashMap<usize, Vec<usize>> = leaders
        .iter()
        .map(|&l| {
            let deps = led[&l]
                .iter()
                .copied()
                .filter(|d| is_leader.contains_key(d))
                .collect();
            (l, deps)
        })
        .collect();
    let mut done: HashMap<usize, ()> = HashMap::new();
    let mut left: Vec<usize> = leaders.to_vec();
    left.sort_unstable();
    let mut out = Vec::new();
    while !left.is_empty() {
        let (ready, rest): (Vec<usize>, Vec<usize>) = left
            .iter()
            .partition(|l| waits[l].iter().all(|d| done.contains_key(d)));
        if ready.is_empty() {
            return Err(cycle(subjects, &rest, &waits, &done));
        }
        for &l in &ready {
            done.insert(l, ());
        }
        out.push(ready);
        left = rest;
    }
    Ok(out)
}

/// A cycle among `left` (every one of which waits for another of them),
/// named by subject ids.
fn cycle(
    subjects: &[SubjectRow],
    left: &[usize],
    waits: &HashMap<usize, Vec<usize>>,
    done: &HashMap<usize, ()>,
) -> String {
    let mut path = vec![left[0]];
    loop {
        let at = *path.last().expect("a path is never empty");
        let next = waits[&at]
            .iter()
            .copied()
            .find(|d| !done.contains_key(d))
            .expect("a leader left waits for another left");
        if let Some(start) = path.iter().position(|&p| p == next) {
            let mut names: Vec<&str> = path[start..]
                .iter()
                .map(|&i| subjects[i].id.as_str())
                .collect();
            names.push(subjects[next].id.as_str());
            return format!(
                "leadership runs in a cycle: {} (each leads the next, directly or through the unit they lead); fix the organisation's managers or leader posts",
                names.join(" → ")
            );
        }
        path.push(next);
    }
}

/// A summary of the final results of the people led: `(total, grade)` of
/// each; those not graded (refused, exempted, not graded) do not count.
pub(crate) fn measure(
    measure: LedMeasure,
    finals: impl Iterator<Item = (Option<i64>, Option<GradeCode>)>,
) -> Option<i64> {
    let graded: Vec<(i64, GradeCode)> = finals
        .filter_map(|(t, g)| match (t, g) {
            (Some(t), Some(g)) if g != GradeCode::NotGraded => Some((t, g)),
            _ => None,
        })
        .collect();
    let n = graded.len() as i64;
    let count = |f: fn(GradeCode) -> bool| graded.iter().filter(|(_, g)| f(*g)).count() as i64;
    match measure {
        LedMeasure::ShareCompleted => (n > 0).then(|| {
            count(|g| matches!(g, GradeCode::A | GradeCode::B | GradeCode::C)) * 10_000 / n
        }),
        LedMeasure::CountNotCompleted => Some(count(|g| g == GradeCode::D) * 10_000),
        LedMeasure::MeanTotal => super::mean(
            graded.iter().map(|(t, _)| i128::from(*t)).sum(),
            graded.len(),
        ),
        LedMeasure::CountGraded => Some(n * 10_000),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: &str, unit: &str, post: &str, manager: Option<&str>) -> SubjectRow {
        SubjectRow {
            id: id.into(),
            unit: unit.into(),
            post: post.into(),
            task_group: "g".into(),
            months_worked: None,
            months_absent: None,
            manager: manager.map(Into::into),
        }
    }

    #[test]
    fn a_cycle_of_managers_is_named() {
        let subjects = vec![
            person("a", "u", "p", Some("c")),
            person("b", "u", "p", Some("a")),
            person("c", "u", "p", Some("b")),
        ];
        let leaders = [0, 1, 2];
        let led = led_by(&subjects, &Units::default(), &leaders);
        let e = waves(&subjects, &leaders, &led).unwrap_err();
        assert!(e.contains("a → b → c → a"), "{e}");
    }

    #[test]
    fn shares_and_counts_leave_out_the_ungraded() {
        let finals = [
            (Some(90_000), Some(GradeCode::A)),
            (Some(40_000), Some(GradeCode::D)),
            (None, None),
            (Some(0), Some(GradeCode::NotGraded)),
        ];
        let m = |x| measure(x, finals.iter().copied());
        assert_eq!(m(LedMeasure::ShareCompleted), Some(5_000));
        assert_eq!(m(LedMeasure::CountNotCompleted), Some(10_000));
        assert_eq!(m(LedMeasure::MeanTotal), Some(65_000));
        assert_eq!(m(LedMeasure::CountGraded), Some(20_000));
        assert_eq!(
            measure(LedMeasure::ShareCompleted, std::iter::empty()),
            None
        );
    }
}
