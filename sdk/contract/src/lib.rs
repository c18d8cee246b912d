//! thuocdo-contract: the scorecard contract's one algorithm, shared by the
//! SDK (inside every scorecard, and in its authors' tests) and the host
//! (which checks every answer a plugin gives before it stores it).
//!
//! Numbers are exact: signed 64-bit integers in ten-thousandths. Each side
//! converts its own generated types into the plain ones here, so neither
//! depends on the other, and the answer check is one function.
//!
//! ```
//! use thuocdo_contract::*;
//!
//! // One indicator, 10 points at most, weight 1, green from 95 %, red below 80 %.
//! let spec = Spec {
//!     indicators: vec![IndicatorSpec {
//!         id: "on-time".into(),
//!         group: Group::Progress,
//!         direction: Direction::HigherIsBetter,
//!         green: 950_000,
//!         red: 800_000,
//!         max_score: 100_000,
//!         weight: 10_000,
//!     }],
//!     step: 2_500,
//!     rounding: Rounding::HalfAwayFromZero,
//!     bands: vec![(Grade::A, 90_000), (Grade::B, 70_000), (Grade::C, 50_000)],
//!     caps: vec![],
//! };
//! let scores = [IndicatorAnswer { raw: Some(935_000), score: 90_000, light: Light::Yellow }];
//! let subtotals = subtotals(&spec, scores.iter().map(|s| s.score));
//! let answer = Answer { indicators: &scores, subtotals, total: 90_000, grade: Grade::A, caps: &[] };
//! assert_eq!(check(&spec, &answer), Vec::<Problem>::new());
//! ```

#![no_std]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::fmt;

/// Ten-thousandths in one: every number crossing the contract is scaled by it.
pub const SCALE: i64 = 10_000;

/// A grade, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Grade {
    /// Excellent.
    A,
    /// Good.
    B,
    /// Completed.
    C,
    /// Not completed.
    D,
    /// Not graded (e.g. too little time worked).
    NotGraded,
}

impl Grade {
    /// How good a grade is: 0 for A to 3 for D; not graded ranks below all.
    #[inline]
    pub const fn rank(self) -> u8 {
        match self {
            Grade::A => 0,
            Grade::B => 1,
            Grade::C => 2,
            Grade::D => 3,
            Grade::NotGraded => 4,
        }
    }

    /// The worse of two grades: how a cap bounds a grade.
    #[inline]
    pub const fn worse(self, other: Grade) -> Grade {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }
}

/// An indicator's light against its thresholds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Light {
    /// At or better than green.
    Green,
    /// Between.
    Yellow,
    /// At or worse than red.
    Red,
    /// No value to judge.
    NoData,
}

/// The five groups an indicator falls in, in the order subtotals list them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Group {
    /// Volume.
    Volume,
    /// Progress.
    Progress,
    /// Quality.
    Quality,
    /// Efficiency.
    Efficiency,
    /// Conduct: the qualitative criteria.
    Conduct,
}

impl Group {
    /// Every group, in the order subtotals list them.
    pub const ALL: [Group; 5] = [
        Group::Volume,
        Group::Progress,
        Group::Quality,
        Group::Efficiency,
        Group::Conduct,
    ];

    /// The group's position in [`Group::ALL`].
    #[inline]
    pub const fn index(self) -> usize {
        match self {
            Group::Volume => 0,
            Group::Progress => 1,
            Group::Quality => 2,
            Group::Efficiency => 3,
            Group::Conduct => 4,
        }
    }
}

/// Which way an indicator is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// More is better.
    HigherIsBetter,
    /// Less is better.
    LowerIsBetter,
    /// Neither (not allowed for a scored indicator).
    Neutral,
}

/// How a value is rounded to a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rounding {
    /// Halves away from zero.
    HalfAwayFromZero,
    /// Halves to the even step.
    HalfToEven,
    /// Toward zero.
    TowardZero,
}

/// `n / d` rounded to a whole number with `rule`; `d` is positive.
#[inline]
pub fn round_div(n: i128, d: i128, rule: Rounding) -> i128 {
    // 128-bit division is a library call (a long one on wasm32); the values of
    // a scorecard almost always fit in 64 bits, where division is one instruction.
    let (q, r) = match (i64::try_from(n), i64::try_from(d)) {
        (Ok(n), Ok(d)) => ((n / d) as i128, (n % d) as i128),
        _ => (n / d, n % d), // toward zero
    };
    if r == 0 {
        return q;
    }
    let away = if n < 0 { q - 1 } else { q + 1 };
    match rule {
        Rounding::TowardZero => q,
        Rounding::HalfAwayFromZero => {
            if 2 * r.abs() >= d {
                away
            } else {
                q
            }
        }
        Rounding::HalfToEven => match (2 * r.abs()).cmp(&d) {
            Ordering::Greater => away,
            Ordering::Less => q,
            Ordering::Equal => {
                if q % 2 == 0 {
                    q
                } else {
                    away
                }
            }
        },
    }
}

/// A sum of weight × score products (each in units of 1e-8) rounded to `step`
/// (in ten-thousandths) with `rule`: how a subtotal is formed.
#[inline]
pub fn round_points(sum: i128, step: i64, rule: Rounding) -> i64 {
    let steps = round_div(sum, SCALE as i128 * step as i128, rule);
    (steps * step as i128).clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

/// The light of `raw` against thresholds: green at or better than `green`,
/// red at or worse than `red`, yellow between.
#[inline]
pub fn light_of(direction: Direction, green: i64, red: i64, raw: i64) -> Light {
    let lower_better = direction == Direction::LowerIsBetter;
    let at_least = |a: i64, b: i64| if lower_better { a <= b } else { a >= b };
    if at_least(raw, green) {
        Light::Green
    } else if at_least(red, raw) {
        Light::Red
    } else {
        Light::Yellow
    }
}

/// What the check needs of one declared indicator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndicatorSpec {
    /// Its id, to name it in a problem.
    pub id: String,
    /// Its group.
    pub group: Group,
    /// Which way is better.
    pub direction: Direction,
    /// The green threshold.
    pub green: i64,
    /// The red threshold.
    pub red: i64,
    /// The highest score.
    pub max_score: i64,
    /// Its weight.
    pub weight: i64,
}

/// What the check needs of a scorecard's declaration (its describe()).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    /// The indicators, by position.
    pub indicators: Vec<IndicatorSpec>,
    /// The rounding step of scores and subtotals.
    pub step: i64,
    /// The rounding rule.
    pub rounding: Rounding,
    /// The bands, best first: each grade and the total it starts at.
    pub bands: Vec<(Grade, i64)>,
    /// Each declared cap's best grade, by position.
    pub caps: Vec<Grade>,
}

/// One indicator of an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndicatorAnswer {
    /// The raw value, when there was one.
    pub raw: Option<i64>,
    /// The score.
    pub score: i64,
    /// The light shown.
    pub light: Light,
}

/// An indicator result as each side holds it: the check reads it through
/// this, so neither side copies its answers to have them checked.
pub trait Scored {
    /// The raw value, when there was one.
    fn raw(&self) -> Option<i64>;
    /// The score.
    fn score(&self) -> i64;
    /// The light shown.
    fn light(&self) -> Light;
}

impl Scored for IndicatorAnswer {
    fn raw(&self) -> Option<i64> {
        self.raw
    }
    fn score(&self) -> i64 {
        self.score
    }
    fn light(&self) -> Light {
        self.light
    }
}

/// A scorecard's answer for one subject, as the check reads it.
#[derive(Clone, Copy, Debug)]
pub struct Answer<'a, S: Scored = IndicatorAnswer> {
    /// By position.
    pub indicators: &'a [S],
    /// Points per group, in [`Group::ALL`]'s order.
    pub subtotals: [i64; 5],
    /// The total.
    pub total: i64,
    /// The grade given.
    pub grade: Grade,
    /// Positions of the caps that applied, ascending.
    pub caps: &'a [usize],
}

/// Each group's weight × score summed over its indicators (by position),
/// rounded to the step: the contract's one algorithm.
pub fn subtotals(spec: &Spec, scores: impl IntoIterator<Item = i64>) -> [i64; 5] {
    weighted_subtotals(
        spec.step,
        spec.rounding,
        spec.indicators
            .iter()
            .zip(scores)
            .map(|(ind, score)| (ind.group, ind.weight, score)),
    )
}

/// [`subtotals`] from each indicator's group, weight and score, for a side
/// that holds its declaration in its own types (the SDK's card) and should
/// not build a [`Spec`] per evaluation.
#[inline]
pub fn weighted_subtotals(
    step: i64,
    rounding: Rounding,
    scored: impl IntoIterator<Item = (Group, i64, i64)>,
) -> [i64; 5] {
    // Products of two ten-thousandths are in units of 1e-8; summed exactly in i128.
    let mut sums = [0i128; 5];
    for (group, weight, score) in scored {
        sums[group.index()] += weight as i128 * score as i128;
    }
    sums.map(|s| round_points(s, step, rounding))
}

/// The grade `bands` (best first) give `total`: the first reached, else D.
#[inline]
pub fn band_grade(bands: impl IntoIterator<Item = (Grade, i64)>, total: i64) -> Grade {
    bands
        .into_iter()
        .find(|(_, min)| total >= *min)
        .map_or(Grade::D, |(g, _)| g)
}

/// The band grade bounded by every applied cap's best grade.
#[inline]
pub fn capped(band: Grade, caps: impl IntoIterator<Item = Grade>) -> Grade {
    caps.into_iter().fold(band, Grade::worse)
}

/// A way an answer contradicts its scorecard's declaration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// More or fewer indicator results than declared.
    IndicatorCount {
        /// Results given.
        given: usize,
        /// Indicators declared.
        declared: usize,
    },
    /// A score outside 0 ..= the indicator's maximum.
    ScoreOutOfRange {
        /// The indicator.
        id: String,
        /// The score.
        score: i64,
        /// Its maximum.
        max: i64,
    },
    /// A score that is not a multiple of the step.
    OffStep {
        /// The indicator.
        id: String,
        /// The score.
        score: i64,
        /// The step.
        step: i64,
    },
    /// A light the thresholds do not give.
    WrongLight {
        /// The indicator.
        id: String,
        /// The light shown.
        shown: Light,
        /// The light the thresholds give.
        expected: Light,
    },
    /// Subtotals that are not the sums of their indicators.
    Subtotals {
        /// Given.
        given: [i64; 5],
        /// Computed.
        expected: [i64; 5],
    },
    /// A total that is not the sum of the subtotals.
    Total {
        /// Given.
        given: i64,
        /// Computed.
        expected: i64,
    },
    /// Cap positions that are not ascending positions of declared caps.
    Caps(Vec<usize>),
    /// A grade the bands and caps do not give.
    Grade {
        /// Given.
        given: Grade,
        /// Computed.
        expected: Grade,
    },
}

/// A number in ten-thousandths, written with its decimals.
struct Num(i64);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (sign, v) = if self.0 < 0 {
            ("-", self.0.unsigned_abs())
        } else {
            ("", self.0 as u64)
        };
        let (whole, frac) = (v / SCALE as u64, v % SCALE as u64);
        if frac == 0 {
            write!(f, "{sign}{whole}")
        } else {
            let digits = alloc::format!("{frac:04}");
            write!(f, "{sign}{whole}.{}", digits.trim_end_matches('0'))
        }
    }
}

struct Nums<'a>(&'a [i64]);

impl fmt::Display for Nums<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, n) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}", Num(*n))?;
        }
        f.write_str("]")
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::IndicatorCount { given, declared } => {
                write!(
                    f,
                    "{given} indicator results for {declared} declared indicators"
                )
            }
            Problem::ScoreOutOfRange { id, score, max } => {
                write!(
                    f,
                    "`{id}` scored {} outside 0 ..= {}",
                    Num(*score),
                    Num(*max)
                )
            }
            Problem::OffStep { id, score, step } => write!(
                f,
                "`{id}` scored {}, not a multiple of the step {}",
                Num(*score),
                Num(*step)
            ),
            Problem::WrongLight {
                id,
                shown,
                expected,
            } => {
                write!(
                    f,
                    "`{id}` shows {shown:?}, its thresholds give {expected:?}"
                )
            }
            Problem::Subtotals { given, expected } => {
                write!(f, "subtotals {} should be {}", Nums(given), Nums(expected))
            }
            Problem::Total { given, expected } => {
                write!(f, "total {} should be {}", Num(*given), Num(*expected))
            }
            Problem::Caps(caps) => {
                write!(
                    f,
                    "caps {caps:?} are not ascending positions of declared caps"
                )
            }
            Problem::Grade { given, expected } => write!(
                f,
                "grade {given:?} contradicts its bands and caps, which give {expected:?}"
            ),
        }
    }
}

/// Every way `answer` contradicts `spec`, in the order the answer is read;
/// empty when it is consistent. The host refuses an answer with any, and a
/// scorecard's own tests fail on any.
pub fn check<S: Scored>(spec: &Spec, answer: &Answer<'_, S>) -> Vec<Problem> {
    let mut problems = Vec::new();
    if answer.indicators.len() != spec.indicators.len() {
        problems.push(Problem::IndicatorCount {
            given: answer.indicators.len(),
            declared: spec.indicators.len(),
        });
        return problems;
    }
    for (ind, r) in spec.indicators.iter().zip(answer.indicators) {
        let score = r.score();
        if score < 0 || score > ind.max_score {
            problems.push(Problem::ScoreOutOfRange {
                id: ind.id.clone(),
                score,
                max: ind.max_score,
            });
        }
        if spec.step <= 0 || score % spec.step != 0 {
            problems.push(Problem::OffStep {
                id: ind.id.clone(),
                score,
                step: spec.step,
            });
        }
        let expected = match r.raw() {
            Some(raw) => light_of(ind.direction, ind.green, ind.red, raw),
            None => Light::NoData,
        };
        if expected != r.light() {
            problems.push(Problem::WrongLight {
                id: ind.id.clone(),
                shown: r.light(),
                expected,
            });
        }
    }
    let expected = subtotals(spec, answer.indicators.iter().map(Scored::score));
    if expected != answer.subtotals {
        problems.push(Problem::Subtotals {
            given: answer.subtotals,
            expected,
        });
    }
    let total: i64 = expected.iter().sum();
    if total != answer.total {
        problems.push(Problem::Total {
            given: answer.total,
            expected: total,
        });
    }
    if answer.caps.iter().any(|&c| c >= spec.caps.len()) || !answer.caps.is_sorted_by(|a, b| a < b)
    {
        problems.push(Problem::Caps(answer.caps.to_vec()));
    } else {
        let band = band_grade(spec.bands.iter().copied(), total);
        let grade = capped(band, answer.caps.iter().map(|&c| spec.caps[c]));
        if grade != answer.grade {
            problems.push(Problem::Grade {
                given: answer.grade,
                expected: grade,
            });
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    fn spec() -> Spec {
        Spec {
            indicators: alloc::vec![
                IndicatorSpec {
                    id: "done".into(),
                    group: Group::Volume,
                    direction: Direction::HigherIsBetter,
                    green: 1_000_000,
                    red: 500_000,
                    max_score: 50_000,
                    weight: 10_000,
                },
                IndicatorSpec {
                    id: "late".into(),
                    group: Group::Progress,
                    direction: Direction::LowerIsBetter,
                    green: 0,
                    red: 30_000,
                    max_score: 50_000,
                    weight: 10_000,
                },
            ],
            step: 2_500,
            rounding: Rounding::HalfAwayFromZero,
            bands: alloc::vec![(Grade::A, 90_000), (Grade::B, 70_000), (Grade::C, 50_000)],
            caps: alloc::vec![Grade::C],
        }
    }

    const GOOD: [IndicatorAnswer; 2] = [
        IndicatorAnswer {
            raw: Some(1_000_000),
            score: 50_000,
            light: Light::Green,
        },
        IndicatorAnswer {
            raw: Some(10_000),
            score: 40_000,
            light: Light::Yellow,
        },
    ];

    fn answer<'a>(indicators: &'a [IndicatorAnswer], caps: &'a [usize]) -> Answer<'a> {
        Answer {
            indicators,
            subtotals: [50_000, 40_000, 0, 0, 0],
            total: 90_000,
            grade: Grade::A,
            caps,
        }
    }

    #[test]
    fn a_consistent_answer_has_no_problem() {
        assert_eq!(check(&spec(), &answer(&GOOD, &[])), Vec::new());
    }

    #[test]
    fn a_cap_bounds_the_grade_and_a_missing_cap_is_named() {
        let mut capped = answer(&GOOD, &[0]);
        capped.grade = Grade::C;
        assert_eq!(check(&spec(), &capped), Vec::new());
        capped.grade = Grade::A;
        let problems = check(&spec(), &capped);
        assert_eq!(
            problems,
            [Problem::Grade {
                given: Grade::A,
                expected: Grade::C
            }]
        );
        assert_eq!(
            problems[0].to_string(),
            "grade A contradicts its bands and caps, which give C"
        );
        assert_eq!(
            check(&spec(), &answer(&GOOD, &[1])),
            [Problem::Caps(alloc::vec![1])]
        );
    }

    #[test]
    fn every_kind_of_bad_indicator_is_named_with_its_numbers() {
        let bad = [
            IndicatorAnswer {
                raw: Some(400_000),
                score: 60_000,
                light: Light::Green,
            },
            IndicatorAnswer {
                raw: None,
                score: 40_001,
                light: Light::Yellow,
            },
        ];
        let text: Vec<String> = check(&spec(), &answer(&bad, &[]))
            .iter()
            .map(|p| alloc::format!("{p}"))
            .collect();
        assert_eq!(
            text,
            [
                "`done` scored 6 outside 0 ..= 5",
                "`done` shows Green, its thresholds give Red",
                "`late` scored 4.0001, not a multiple of the step 0.25",
                "`late` shows Yellow, its thresholds give NoData",
                "subtotals [5, 4, 0, 0, 0] should be [6, 4, 0, 0, 0]",
                "total 9 should be 10",
            ]
        );
        assert_eq!(
            check(&spec(), &answer(&GOOD[..1], &[])),
            [Problem::IndicatorCount {
                given: 1,
                declared: 2
            }]
        );
    }

    #[test]
    fn rounding_follows_each_rule_at_the_half() {
        assert_eq!(round_div(5, 2, Rounding::HalfAwayFromZero), 3);
        assert_eq!(round_div(-5, 2, Rounding::HalfAwayFromZero), -3);
        assert_eq!(round_div(5, 2, Rounding::HalfToEven), 2);
        assert_eq!(round_div(7, 2, Rounding::HalfToEven), 4);
        assert_eq!(round_div(7, 2, Rounding::TowardZero), 3);
        // 8.125 points at a step of 0.25: 8.25 half away, 8.0 to even.
        let sum = 81_250 * SCALE as i128;
        assert_eq!(round_points(sum, 2_500, Rounding::HalfAwayFromZero), 82_500);
        assert_eq!(round_points(sum, 2_500, Rounding::HalfToEven), 80_000);
    }
}
