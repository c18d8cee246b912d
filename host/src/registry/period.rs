//! Periods as people write them — 2025-09, 2025-Q3, 2025 — and the month each
//! starts, which orders them.

use super::Error;
use crate::runtime::PeriodKind;

/// A period and the month it starts in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    /// As written.
    pub text: String,
    /// `YYYY-MM` of its first month: sorts as text.
    pub start: String,
}

impl Period {
    /// Parses `2025-09`, `2025-Q3` or `2025`.
    pub fn parse(text: &str) -> Result<Period, Error> {
        let bad = || Error::BadPeriod(text.to_string());
        let year = |y: &str| {
            (y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
                .then(|| y.to_string())
                .ok_or_else(bad)
        };
        let start = match text.split_once('-') {
            None => format!("{}-01", year(text)?),
            Some((y, q)) if q.starts_with('Q') => {
                let n: u32 = q[1..].parse().map_err(|_| bad())?;
                if !(1..=4).contains(&n) {
                    return Err(bad());
                }
                format!("{}-{:02}", year(y)?, (n - 1) * 3 + 1)
            }
            Some((y, m)) => {
                let n: u32 = m.parse().map_err(|_| bad())?;
                if m.len() != 2 || !(1..=12).contains(&n) {
                    return Err(bad());
                }
                format!("{}-{m}", year(y)?)
            }
        };
        Ok(Period {
            text: text.to_string(),
            start,
        })
    }

    /// A month, a quarter or a year.
    pub fn kind(&self) -> PeriodKind {
        if self.text.len() == 4 {
            PeriodKind::Year
        } else if self.text.contains('Q') {
            PeriodKind::Quarter
        } else {
            PeriodKind::Month
        }
    }

    /// `YYYY-MM` of its last month: where the organisation is read for it.
    pub fn end(&self) -> String {
        let first: u32 = self.start[5..].parse().unwrap_or(1);
        let last = match self.kind() {
            PeriodKind::Year => 12,
            PeriodKind::Quarter => first + 2,
            PeriodKind::Month => first,
        };
        format!("{}-{last:02}", self.year())
    }

    /// The year it lies in.
    pub fn year(&self) -> &str {
        &self.text[..4]
    }

    /// The shorter periods of `kind` inside this one, in order: the months or
    /// quarters of a year, the months of a quarter; empty when none fit.
    pub fn parts(&self, kind: PeriodKind) -> Vec<String> {
        let year = self.year();
        let first: u32 = self.start[5..].parse().unwrap_or(1);
        let months = match self.kind() {
            PeriodKind::Year => 12,
            PeriodKind::Quarter => 3,
            PeriodKind::Month => 1,
        };
        match (self.kind(), kind) {
            (PeriodKind::Year | PeriodKind::Quarter, PeriodKind::Month) => (first..first + months)
                .map(|m| format!("{year}-{m:02}"))
                .collect(),
            (PeriodKind::Year, PeriodKind::Quarter) => {
                (1..=4).map(|q| format!("{year}-Q{q}")).collect()
            }
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Period;
    use crate::runtime::PeriodKind;

    #[test]
    fn periods_start_in_their_first_month() {
        assert_eq!(Period::parse("2025-09").unwrap().start, "2025-09");
        assert_eq!(Period::parse("2025-Q3").unwrap().start, "2025-07");
        assert_eq!(Period::parse("2025").unwrap().start, "2025-01");
        let q3 = Period::parse("2025-Q3").unwrap();
        assert_eq!(
            q3.parts(PeriodKind::Month),
            ["2025-07", "2025-08", "2025-09"]
        );
        assert_eq!(
            Period::parse("2025")
                .unwrap()
                .parts(PeriodKind::Quarter)
                .len(),
            4
        );
        assert!(q3.parts(PeriodKind::Year).is_empty());
        for bad in [
            "2025-13", "2025-Q5", "25", "2025-9", "2025-Q", "", "2025-00", "abcd",
        ] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
    }
}
