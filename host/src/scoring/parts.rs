//! Where each subject served over a period longer than a month. A move or a
//! merger inside a quarter or a year splits the period into parts, each a
//! stretch of months in one unit and post, kept with the run.
//!
//! The grade itself is the unit's at the period's end, as the organisation
//! stands then: Decree 90/2020 has the agency a servant moved to evaluate
//! and classify them (with the old one's comments where they worked there six
//! months or more), and the quota is counted where the grade is given. A
//! card that reads the months' official results (Decree 335's year is the
//! mean of its months) reads each month as scored in the unit it belonged
//! to; the parts say which units those were, and a unit's page lists who
//! served in it for part of the period and ended elsewhere.

use std::collections::{BTreeMap, HashSet};

use super::{Result, StoredResult};
use crate::registry::{Period, Registry};
use crate::runtime::PeriodKind;
use crate::store::parts::{MoveRow, Part};

/// The parts of each subject in `scored` who moved within `period`, from
/// `moves` (as [`crate::store::Store::moves_within`] reads them: by
/// subject, then month, their place now last), in subject order. Those who
/// did not move have none.
pub fn parts_of(period: &Period, moves: &[MoveRow], scored: &HashSet<&str>) -> Vec<(String, Part)> {
    let months = match period.kind() {
        PeriodKind::Month => return Vec::new(),
        _ => period.parts(PeriodKind::Month),
    };
    let mut out = Vec::new();
    for held in moves.chunk_by(|a, b| a.subject == b.subject) {
        let subject = held[0].subject.as_str();
        // Only those the run scored: the rest have no result to place.
        if !scored.contains(subject) {
            continue;
        }
        let mut parts: Vec<Part> = Vec::new();
        for month in &months {
            // A month's place is the one held before the first move after
            // it (their place now comes after every month).
            let Some(h) = held.iter().find(|h| h.until.as_str() > month.as_str()) else {
                continue;
            };
            let (unit, post) = (h.unit.as_str(), h.post.as_str());
            match parts.last_mut() {
                Some(p) if p.unit == unit && p.post == post => p.last_month = month.clone(),
                _ => parts.push(Part {
                    first_month: month.clone(),
                    last_month: month.clone(),
                    unit: unit.to_string(),
                    post: post.to_string(),
                }),
            }
        }
        if parts.len() > 1 {
            out.extend(parts.into_iter().map(|p| (subject.to_string(), p)));
        }
    }
    out
}

/// The parts of those of `results` (a page of run `run`'s) who moved
/// within its period, by subject: one query, the page's size.
pub async fn parts_of_page(
    registry: &Registry,
    run: i64,
    results: &[StoredResult],
) -> Result<BTreeMap<String, Vec<Part>>> {
    let ids: Vec<&str> = results.iter().map(|r| r.subject.as_str()).collect();
    let mut of: BTreeMap<String, Vec<Part>> = BTreeMap::new();
    for (subject, part) in registry.store().run_parts(run, Some(&ids)).await? {
        of.entry(subject).or_default().push(part);
    }
    Ok(of)
}

/// The months a part spans.
pub fn months(part: &Part) -> u32 {
    let month = |m: &str| -> u32 {
        let year: u32 = m[..4].parse().unwrap_or(0);
        let month: u32 = m[5..].parse().unwrap_or(1);
        year * 12 + month
    };
    month(&part.last_month) + 1 - month(&part.first_month)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::parts::NOW;

    fn moved(subject: &str, until: &str, unit: &str) -> MoveRow {
        MoveRow {
            subject: subject.into(),
            until: until.into(),
            unit: unit.into(),
            post: "chair".into(),
        }
    }

    fn spans(parts: &[(String, Part)], subject: &str) -> Vec<(String, String, String, u32)> {
        parts
            .iter()
            .filter(|(s, _)| s == subject)
            .map(|(_, p)| {
                (
                    p.first_month.clone(),
                    p.last_month.clone(),
                    p.unit.clone(),
                    months(p),
                )
            })
            .collect()
    }

    #[test]
    fn a_year_is_split_where_its_subjects_moved() {
        let year = Period::parse("2025").unwrap();
        let moves = vec![
            // Moved in March, then merged in July.
            moved("p", "2025-03", "xa-a"),
            moved("p", "2025-07", "xa-b"),
            // Merged in July.
            moved("q", "2025-07", "xa-a"),
            // Moved in 2026: the whole of 2025 in one place.
            moved("r", "2026-02", "xa-a"),
            // Not in this run.
            moved("s", "2025-07", "xa-a"),
            moved("s", NOW, "xa-moi"),
        ];
        let mut moves = moves;
        moves.insert(2, moved("p", NOW, "xa-moi"));
        moves.insert(4, moved("q", NOW, "xa-moi"));
        moves.insert(6, moved("r", NOW, "xa-b"));
        let placed: HashSet<&str> = ["p", "q", "r"].into();
        let parts = parts_of(&year, &moves, &placed);
        let s = |a: &str, b: &str, u: &str, n| (a.to_string(), b.to_string(), u.to_string(), n);
        assert_eq!(
            spans(&parts, "p"),
            [
                s("2025-01", "2025-02", "xa-a", 2),
                s("2025-03", "2025-06", "xa-b", 4),
                s("2025-07", "2025-12", "xa-moi", 6)
            ]
        );
        assert_eq!(
            spans(&parts, "q"),
            [
                s("2025-01", "2025-06", "xa-a", 6),
                s("2025-07", "2025-12", "xa-moi", 6)
            ]
        );
        assert!(spans(&parts, "r").is_empty());
        assert!(spans(&parts, "s").is_empty());
        // A quarter has the months of its own; a month has no parts.
        let q1 = Period::parse("2025-Q1").unwrap();
        assert_eq!(
            spans(&parts_of(&q1, &moves, &placed), "p"),
            [
                s("2025-01", "2025-02", "xa-a", 2),
                s("2025-03", "2025-03", "xa-b", 1)
            ]
        );
        assert!(parts_of(&Period::parse("2025-03").unwrap(), &moves, &placed).is_empty());
    }
}
