//! Periods as people write them — 2025-09, 2025-Q3, 2025 — and the month each
//! starts, which orders them.

use super::Error;

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
}

#[cfg(test)]
mod tests {
    use super::Period;

    #[test]
    fn periods_start_in_their_first_month() {
        assert_eq!(Period::parse("2025-09").unwrap().start, "2025-09");
        assert_eq!(Period::parse("2025-Q3").unwrap().start, "2025-07");
        assert_eq!(Period::parse("2025").unwrap().start, "2025-01");
        for bad in [
            "2025-13", "2025-Q5", "25", "2025-9", "2025-Q", "", "2025-00", "abcd",
        ] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
    }
}
