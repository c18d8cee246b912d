//! Working days on a Vietnamese calendar: Monday to Friday, except the
//! public holidays (and the days off substituted for them) the admins
//! record, plus the weekend days worked in exchange. And when each step
//! of an assessment is due: `+N` working days after the period's last day,
//! `-N` working days before it, or `DD`, that day of the period's last
//! month — a due date that is not a working day moves back to the last
//! working day before it, since the step must be done by then.
//!
//! ```
//! use thuocdo_host::assessment::calendar::{Day, Due, WorkCalendar};
//!
//! // 30 April and 1 May 2025 are holidays; 2 May was given off, and
//! // Saturday 26 April worked in exchange.
//! let mut cal = WorkCalendar::default();
//! for d in ["2025-04-30", "2025-05-01", "2025-05-02"] {
//!     cal.holiday(Day::parse(d).unwrap());
//! }
//! cal.working(Day::parse("2025-04-26").unwrap());
//! let end = Day::parse("2025-04-29").unwrap();
//! assert_eq!(cal.add_working_days(end, 1).to_string(), "2025-05-05");
//! assert_eq!(Due::parse("+1").unwrap().to_string(), "+1");
//! ```

use std::collections::BTreeSet;
use std::fmt;

/// A civil date, as days since 1970-01-01.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(i64);

/// Vietnam's offset from UTC, in milliseconds: due dates end at midnight there.
const VIETNAM: i64 = 7 * 3_600_000;

impl Day {
    /// The day of `year-month-day`, if it exists.
    pub fn ymd(year: i64, month: u32, day: u32) -> Option<Day> {
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
            return None;
        }
        // Howard Hinnant's days_from_civil.
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = month as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(Day(era * 146_097 + doe - 719_468))
    }

    /// `YYYY-MM-DD`, if it is a real day.
    pub fn parse(text: &str) -> Option<Day> {
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |s: &str| {
            s.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| s.parse().ok())?
        };
        Day::ymd(
            num(&text[..4])?,
            num(&text[5..7])? as u32,
            num(&text[8..])? as u32,
        )
    }

    /// The day in Vietnam at `millis` since the epoch.
    pub fn at_millis(millis: i64) -> Day {
        Day((millis + VIETNAM).div_euclid(86_400_000))
    }

    /// The first moment after this day ends in Vietnam, in milliseconds
    /// since the epoch: a step recorded from then on is late.
    pub fn end_millis(self) -> i64 {
        (self.0 + 1) * 86_400_000 - VIETNAM
    }

    /// Year, month and day.
    pub fn civil(self) -> (i64, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = yoe + era * 400 + i64::from(m <= 2);
        (y, m, d)
    }

    /// Monday 0 to Sunday 6.
    pub fn weekday(self) -> u32 {
        // 1970-01-01 was a Thursday.
        (self.0 + 3).rem_euclid(7) as u32
    }

    /// The day after (`n` > 0) or before.
    pub fn plus(self, n: i64) -> Day {
        Day(self.0 + n)
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.civil();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The last day of `YYYY-MM`.
pub fn last_day_of(month: &str) -> Option<Day> {
    let year: i64 = month.get(..4)?.parse().ok()?;
    let m: u32 = month.get(5..7)?.parse().ok()?;
    Day::ymd(year, m, days_in_month(year, m))
}

/// The days that break the week's rule.
#[derive(Clone, Debug, Default)]
pub struct WorkCalendar {
    holidays: BTreeSet<Day>,
    working: BTreeSet<Day>,
}

impl WorkCalendar {
    /// Marks a day off: a public holiday, or a day given off for one.
    pub fn holiday(&mut self, day: Day) {
        self.working.remove(&day);
        self.holidays.insert(day);
    }

    /// Marks a weekend day worked in exchange for one given off.
    pub fn working(&mut self, day: Day) {
        self.holidays.remove(&day);
        self.working.insert(day);
    }

    /// Whether people work on `day`.
    pub fn is_working(&self, day: Day) -> bool {
        self.working.contains(&day) || (day.weekday() < 5 && !self.holidays.contains(&day))
    }

    /// The `n`th working day after `day` (`n` > 0), the `-n`th before it
    /// (`n` < 0), or `day` itself when it is a working day and the last
    /// working day before it otherwise (`n` = 0).
    pub fn add_working_days(&self, day: Day, n: i64) -> Day {
        let mut at = day;
        if n == 0 {
            while !self.is_working(at) {
                at = at.plus(-1);
            }
            return at;
        }
        let step = n.signum();
        let mut left = n.abs();
        while left > 0 {
            at = at.plus(step);
            if self.is_working(at) {
                left -= 1;
            }
        }
        at
    }
}

/// When a step is due, relative to the period it assesses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Due {
    /// This many working days after the period's last day (before it when
    /// negative; the last working day of the period when zero).
    WorkingDays(i64),
    /// This day of the period's last month.
    DayOfLastMonth(u32),
}

/// The most working days a due date may lie from the period's end: a year.
pub const MAX_WORKING_DAYS: i64 = 260;

impl Due {
    /// `+N`, `-N` or `DD`; why not otherwise.
    pub fn parse(text: &str) -> Result<Due, String> {
        let t = text.trim();
        let bad = || {
            format!(
                "due `{t}` is neither `+N` or `-N` (working days after or before the period's last day, at most {MAX_WORKING_DAYS}) nor `DD` (a day of the period's last month, 1 to 31)"
            )
        };
        let digits =
            |s: &str| !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit());
        if let Some(n) = t.strip_prefix('+').or_else(|| t.strip_prefix('-')) {
            if !digits(n) {
                return Err(bad());
            }
            let n: i64 = n.parse().map_err(|_| bad())?;
            if n > MAX_WORKING_DAYS {
                return Err(bad());
            }
            return Ok(Due::WorkingDays(if t.starts_with('-') { -n } else { n }));
        }
        if !digits(t) {
            return Err(bad());
        }
        match t.parse::<u32>() {
            Ok(d) if (1..=31).contains(&d) => Ok(Due::DayOfLastMonth(d)),
            _ => Err(bad()),
        }
    }

    /// The day it falls on for a period whose last month is `last_month`
    /// (`YYYY-MM`): a day of the month past its end is its last day, and a
    /// day nobody works moves back to the last working day before it.
    pub fn date(self, last_month: &str, calendar: &WorkCalendar) -> Option<Day> {
        let end = last_day_of(last_month)?;
        Some(match self {
            Due::WorkingDays(n) => {
                let last_working = calendar.add_working_days(end, 0);
                if n == 0 {
                    last_working
                } else if n > 0 {
                    calendar.add_working_days(end, n)
                } else {
                    calendar.add_working_days(last_working, n)
                }
            }
            Due::DayOfLastMonth(d) => {
                let (y, m, last) = end.civil();
                let day = Day::ymd(y, m, d.min(last))?;
                calendar.add_working_days(day, 0)
            }
        })
    }
}

impl fmt::Display for Due {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Due::WorkingDays(n) if *n >= 0 => write!(f, "+{n}"),
            Due::WorkingDays(n) => write!(f, "{n}"),
            Due::DayOfLastMonth(d) => write!(f, "{d:02}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Day {
        Day::parse(s).unwrap()
    }

    #[test]
    fn days_round_trip_and_know_their_weekday() {
        for s in [
            "1970-01-01",
            "2000-02-29",
            "2025-12-31",
            "2026-01-01",
            "2100-03-01",
        ] {
            assert_eq!(day(s).to_string(), s);
        }
        assert_eq!(day("2025-12-05").weekday(), 4, "a Friday");
        assert_eq!(day("2026-12-05").weekday(), 5, "a Saturday");
        for bad in [
            "2025-02-29",
            "2025-13-01",
            "2025-1-01",
            "25-01-01",
            "2025-01-0x",
        ] {
            assert!(Day::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(
            Day::at_millis(day("2025-06-01").end_millis()),
            day("2025-06-02")
        );
        assert_eq!(
            Day::at_millis(day("2025-06-01").end_millis() - 1),
            day("2025-06-01")
        );
    }

    /// Tết 2026: 14 to 22 February off (Saturday 14 and Sunday 15 are a
    /// weekend anyway), and no Saturday worked in exchange.
    fn tet_2026() -> WorkCalendar {
        let mut cal = WorkCalendar::default();
        for d in 16..=20 {
            cal.holiday(Day::ymd(2026, 2, d).unwrap());
        }
        cal
    }

    #[test]
    fn working_days_skip_weekends_and_the_holidays_given() {
        let cal = tet_2026();
        // Friday 13 February, then five working days: Tết's week is off.
        let friday = day("2026-02-13");
        assert_eq!(cal.add_working_days(friday, 1), day("2026-02-23"));
        assert_eq!(cal.add_working_days(friday, 5), day("2026-02-27"));
        assert_eq!(cal.add_working_days(day("2026-02-23"), -1), friday);
        assert_eq!(cal.add_working_days(day("2026-02-18"), 0), friday);
        // Without the holidays, the same count lands in Tết's week.
        let plain = WorkCalendar::default();
        assert_eq!(plain.add_working_days(friday, 1), day("2026-02-16"));
    }

    #[test]
    fn a_substituted_saturday_is_worked() {
        let mut cal = WorkCalendar::default();
        cal.working(day("2025-04-26"));
        assert!(cal.is_working(day("2025-04-26")));
        assert_eq!(
            cal.add_working_days(day("2025-04-25"), 1),
            day("2025-04-26")
        );
    }

    #[test]
    fn due_dates_follow_the_period_and_the_calendar() {
        let cal = tet_2026();
        // January 2026 ends on a Saturday: +3 is Wednesday 4 February.
        assert_eq!(
            Due::parse("+3").unwrap().date("2026-01", &cal),
            Some(day("2026-02-04"))
        );
        // Its last working day is Friday 30 January; -2 is Wednesday 28.
        assert_eq!(
            Due::parse("+0").unwrap().date("2026-01", &cal),
            Some(day("2026-01-30"))
        );
        assert_eq!(
            Due::parse("-2").unwrap().date("2026-01", &cal),
            Some(day("2026-01-28"))
        );
        // The year's classification by 15 December 2025, a Monday.
        assert_eq!(
            Due::parse("15").unwrap().date("2025-12", &cal),
            Some(day("2025-12-15"))
        );
        // 31 in February is its last day, a Saturday: back to Friday 27.
        assert_eq!(
            Due::parse("31").unwrap().date("2026-02", &cal),
            Some(day("2026-02-27"))
        );
        // A due date in Tết moves back before it.
        let mut february = WorkCalendar::default();
        february.holiday(day("2026-02-16"));
        assert_eq!(
            Due::parse("16").unwrap().date("2026-02", &february),
            Some(day("2026-02-13"))
        );
        for bad in ["", "+", "0", "32", "+261", "1.5", "++1", "-x", "D15"] {
            assert!(Due::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Due::parse("-4").unwrap().to_string(), "-4");
        assert_eq!(Due::parse("7").unwrap().to_string(), "07");
    }
}
