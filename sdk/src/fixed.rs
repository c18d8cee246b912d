//! Exact numbers: [`Fixed`] crosses the boundary, [`Exact`] computes between.
//!
//! Grades turn on cut-offs (A at 9.00, excellent at 90) that binary floating point
//! gets wrong: 1.5 × 0.89 is 1.3349999… in `f64` and rounds to 1.33, while the
//! regulation means 1.335, which rounds to 1.34. Nothing here touches a float.

use core::cmp::Ordering;
use core::fmt;
use core::ops::{Add, Div, Mul, Neg, Sub};

use crate::Rounding;

/// How many units of [`Fixed`] make one: values carry four decimals.
pub const SCALE: i64 = 10_000;

/// An exact number in ten-thousandths, as every number crossing the contract is.
///
/// ```
/// use thuocdo_sdk::{fx, Fixed};
/// assert_eq!(fx!("99.1"), Fixed::from_raw(991_000));
/// assert_eq!(fx!("99.1").to_string(), "99.1");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Fixed(i64);

impl Fixed {
    /// Zero.
    pub const ZERO: Fixed = Fixed(0);
    /// One.
    pub const ONE: Fixed = Fixed(SCALE);

    /// From ten-thousandths: `from_raw(8900)` is 0.89.
    pub const fn from_raw(raw: i64) -> Fixed {
        Fixed(raw)
    }

    /// From a whole number.
    pub const fn from_int(n: i64) -> Fixed {
        Fixed(n * SCALE)
    }

    /// The value in ten-thousandths.
    pub const fn raw(self) -> i64 {
        self.0
    }

    /// Parses a decimal such as `"99.1"`, `"-0.25"` or `"100"`, with at most four
    /// decimals. In a `const` (as [`fx!`](crate::fx) uses it) a malformed literal is a
    /// compile error; at run time it panics, so use [`Fixed::parse`] for data.
    pub const fn lit(s: &str) -> Fixed {
        match Fixed::parse(s) {
            Some(f) => f,
            None => panic!("not a decimal with at most four decimals"),
        }
    }

    /// Parses a decimal with at most four decimals; `None` when it is not one or
    /// does not fit.
    pub const fn parse(s: &str) -> Option<Fixed> {
        let b = s.as_bytes();
        let mut i = 0;
        let negative = !b.is_empty() && b[0] == b'-';
        if negative {
            i = 1;
        }
        let mut whole: i64 = 0;
        let mut digits = 0;
        while i < b.len() && b[i] != b'.' {
            let d = b[i];
            if d < b'0' || d > b'9' {
                return None;
            }
            whole = match whole.checked_mul(10) {
                Some(w) => match w.checked_add((d - b'0') as i64) {
                    Some(w) => w,
                    None => return None,
                },
                None => return None,
            };
            digits += 1;
            i += 1;
        }
        let mut frac: i64 = 0;
        let mut places = 0;
        if i < b.len() {
            i += 1; // the point
            if i == b.len() {
                return None;
            }
            while i < b.len() {
                let d = b[i];
                if d < b'0' || d > b'9' || places == 4 {
                    return None;
                }
                frac = frac * 10 + (d - b'0') as i64;
                places += 1;
                i += 1;
            }
        }
        if digits == 0 && places == 0 {
            return None;
        }
        while places < 4 {
            frac *= 10;
            places += 1;
        }
        let magnitude = match whole.checked_mul(SCALE) {
            Some(w) => match w.checked_add(frac) {
                Some(m) => m,
                None => return None,
            },
            None => return None,
        };
        Some(Fixed(if negative { -magnitude } else { magnitude }))
    }

    /// The smaller of two values.
    pub const fn min(self, other: Fixed) -> Fixed {
        if self.0 <= other.0 { self } else { other }
    }

    /// The larger of two values.
    pub const fn max(self, other: Fixed) -> Fixed {
        if self.0 >= other.0 { self } else { other }
    }

    /// Exactly this value, for computing.
    pub const fn exact(self) -> Exact {
        Exact {
            num: self.0 as i128,
            den: SCALE as i128,
        }
    }
}

impl fmt::Display for Fixed {
    /// The shortest exact decimal: `99.1`, `9`, `-0.25`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let magnitude = self.0.unsigned_abs();
        let whole = magnitude / SCALE as u64;
        let mut frac = magnitude % SCALE as u64;
        if frac == 0 {
            return write!(f, "{sign}{whole}");
        }
        let mut width = 4;
        while frac.is_multiple_of(10) {
            frac /= 10;
            width -= 1;
        }
        write!(f, "{sign}{whole}.{frac:0width$}")
    }
}

impl fmt::Debug for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// An exact fraction for the arithmetic between facts and a rounded score.
///
/// Scorecards compute with it and round once, with the card's rule, when a score
/// is recorded; nothing is lost in between.
///
/// ```
/// use thuocdo_sdk::{fx, Rounding};
/// let points = fx!("1.5").exact() * fx!("0.89").exact();
/// assert_eq!(points.round(fx!("0.01"), Rounding::HalfAwayFromZero), fx!("1.34"));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Exact {
    num: i128,
    den: i128,
}

const fn gcd(mut a: i128, mut b: i128) -> i128 {
    if a < 0 {
        a = -a;
    }
    if b < 0 {
        b = -b;
    }
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

impl Exact {
    /// Zero.
    pub const ZERO: Exact = Exact { num: 0, den: 1 };

    /// A whole number.
    pub const fn int(n: i64) -> Exact {
        Exact {
            num: n as i128,
            den: 1,
        }
    }

    /// `num / den`; `None` when `den` is zero.
    pub const fn ratio(num: i64, den: i64) -> Option<Exact> {
        if den == 0 {
            None
        } else {
            Some(Exact::reduced(num as i128, den as i128))
        }
    }

    const fn reduced(num: i128, den: i128) -> Exact {
        let (num, den) = if den < 0 { (-num, -den) } else { (num, den) };
        // A gcd costs dozens of 128-bit divisions (library calls on wasm32), so
        // fractions are reduced only when they grow large enough that the next
        // product could overflow; values from facts and thresholds rarely do.
        const LARGE: u128 = 1 << 62;
        if num.unsigned_abs() < LARGE && (den as u128) < LARGE {
            return Exact { num, den };
        }
        let g = gcd(num, den);
        if g > 1 {
            Exact {
                num: num / g,
                den: den / g,
            }
        } else {
            Exact { num, den }
        }
    }

    /// `self / other`; `None` when `other` is zero.
    pub fn checked_div(self, other: Exact) -> Option<Exact> {
        if other.num == 0 {
            None
        } else if self.den == other.den {
            // Both in the same unit (ten-thousandths, usually): the unit cancels.
            Some(Exact::reduced(self.num, other.num))
        } else {
            Some(Exact::reduced(
                mul(self.num, other.den),
                mul(self.den, other.num),
            ))
        }
    }

    /// The smaller of two values.
    pub fn min(self, other: Exact) -> Exact {
        if self <= other { self } else { other }
    }

    /// The larger of two values.
    pub fn max(self, other: Exact) -> Exact {
        if self >= other { self } else { other }
    }

    /// Bounded to `lo ..= hi`.
    pub fn clamp(self, lo: Exact, hi: Exact) -> Exact {
        self.max(lo).min(hi)
    }

    /// Rounded to a multiple of `step` (itself a positive [`Fixed`]) with `rule`;
    /// saturates at the largest or smallest fixed.
    pub fn round(self, step: Fixed, rule: Rounding) -> Fixed {
        // value / step as a fraction of whole steps: num·SCALE / (den·step).
        let n = mul(self.num, SCALE as i128);
        let d = mul(self.den, step.raw() as i128);
        let steps = round_div(n, d, rule);
        // Beyond the range of a fixed (a percentage of an absurd fact) saturates:
        // scores are bounded by their indicator anyway, and nothing may panic.
        let raw = steps.saturating_mul(step.raw() as i128);
        Fixed(raw.clamp(i64::MIN as i128, i64::MAX as i128) as i64)
    }
}

fn mul(a: i128, b: i128) -> i128 {
    // Two values that fit in 64 bits cannot overflow 128: one widening multiply,
    // where a checked 128-bit multiply is a slow library call.
    if let (Ok(a), Ok(b)) = (i64::try_from(a), i64::try_from(b)) {
        return a as i128 * b as i128;
    }
    a.checked_mul(b)
        .expect("thuocdo-sdk: exact arithmetic overflowed; keep facts within their declared ranges")
}

/// `n / d` rounded to a whole number with `rule`; `d` is positive: the
/// contract's one rounding, in the SDK's terms.
#[inline]
pub(crate) fn round_div(n: i128, d: i128, rule: Rounding) -> i128 {
    thuocdo_contract::round_div(n, d, crate::contract::rounding(rule))
}

impl PartialEq for Exact {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Exact {}

impl PartialOrd for Exact {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Exact {
    fn cmp(&self, other: &Self) -> Ordering {
        mul(self.num, other.den).cmp(&mul(other.num, self.den))
    }
}

impl Add for Exact {
    type Output = Exact;
    fn add(self, o: Exact) -> Exact {
        if self.den == o.den {
            // Facts and thresholds share one unit; keep it rather than squaring it.
            let num = self
                .num
                .checked_add(o.num)
                .expect("thuocdo-sdk: exact arithmetic overflowed");
            return Exact::reduced(num, self.den);
        }
        Exact::reduced(
            mul(self.num, o.den)
                .checked_add(mul(o.num, self.den))
                .expect("thuocdo-sdk: exact arithmetic overflowed"),
            mul(self.den, o.den),
        )
    }
}

impl Sub for Exact {
    type Output = Exact;
    fn sub(self, o: Exact) -> Exact {
        self + (-o)
    }
}

impl Neg for Exact {
    type Output = Exact;
    fn neg(self) -> Exact {
        Exact {
            num: -self.num,
            den: self.den,
        }
    }
}

impl Mul for Exact {
    type Output = Exact;
    fn mul(self, o: Exact) -> Exact {
        Exact::reduced(mul(self.num, o.num), mul(self.den, o.den))
    }
}

impl Div for Exact {
    type Output = Exact;
    /// Panics on division by zero; use [`Exact::checked_div`] where the divisor is data.
    fn div(self, o: Exact) -> Exact {
        self.checked_div(o)
            .expect("thuocdo-sdk: division by zero; use checked_div for data")
    }
}

impl From<Fixed> for Exact {
    fn from(f: Fixed) -> Exact {
        f.exact()
    }
}

impl From<i64> for Exact {
    fn from(n: i64) -> Exact {
        Exact::int(n)
    }
}

/// A [`Fixed`] literal, checked at compile time: `fx!("99.1")`.
#[macro_export]
macro_rules! fx {
    ($lit:literal) => {{
        const VALUE: $crate::Fixed = $crate::Fixed::lit($lit);
        VALUE
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_regulation_means_decimal_arithmetic() {
        // 1.5 × 0.89 is 1.335: half away from zero gives 1.34; f64 says 1.3349999…
        let exact = fx!("1.5").exact() * fx!("0.89").exact();
        assert_eq!(
            exact.round(fx!("0.01"), Rounding::HalfAwayFromZero),
            fx!("1.34")
        );
        // The binary product is 1.33499999…, which rounds (correctly, for binary) to 1.33.
        assert_eq!(format!("{:.2}", 1.5f64 * 0.89f64), "1.33");
    }

    #[test]
    fn rounding_beyond_a_fixed_saturates() {
        let huge = Fixed::from_raw(i64::MAX).exact() * Exact::int(100);
        assert_eq!(
            huge.round(Fixed::from_raw(1), Rounding::HalfAwayFromZero),
            Fixed::from_raw(i64::MAX)
        );
        assert_eq!(
            (-huge).round(Fixed::from_raw(1), Rounding::TowardZero),
            Fixed::from_raw(i64::MIN)
        );
    }

    #[test]
    fn parses_and_prints() {
        assert_eq!(fx!("9").raw(), 90_000);
        assert_eq!(fx!("-0.25").raw(), -2_500);
        assert_eq!(fx!(".5").raw(), 5_000);
        assert_eq!(Fixed::parse("1.23456"), None);
        assert_eq!(Fixed::parse("1."), None);
        assert_eq!(Fixed::parse(""), None);
        assert_eq!(Fixed::parse("-"), None);
        assert_eq!(Fixed::parse("1e3"), None);
        assert_eq!(Fixed::parse("99999999999999999999"), None);
        for s in ["99.1", "9", "-0.25", "0.0001", "1234567.89"] {
            assert_eq!(Fixed::parse(s).unwrap().to_string(), s);
        }
    }

    #[test]
    fn rounding_rules() {
        let step = fx!("0.01");
        let r = |s: &str, rule| Fixed::lit(s).exact().round(step, rule);
        use Rounding::*;
        assert_eq!(r("0.125", HalfToEven), fx!("0.12"));
        assert_eq!(r("0.135", HalfToEven), fx!("0.14"));
        assert_eq!(r("0.1251", HalfToEven), fx!("0.13"));
        assert_eq!(r("0.125", HalfAwayFromZero), fx!("0.13"));
        assert_eq!(r("0.1249", HalfAwayFromZero), fx!("0.12"));
        assert_eq!(r("-0.125", HalfAwayFromZero), fx!("-0.13"));
        assert_eq!(r("0.1299", TowardZero), fx!("0.12"));
        assert_eq!(r("-0.1299", TowardZero), fx!("-0.12"));
        let third = Exact::ratio(1, 3).unwrap();
        assert_eq!(
            third.round(fx!("0.0001"), Rounding::HalfAwayFromZero),
            fx!("0.3333")
        );
        assert_eq!(Exact::ratio(1, 0), None);
    }
}
