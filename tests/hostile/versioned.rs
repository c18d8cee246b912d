// One scorecard published under several versions, for the registry's tests:
// each versioned-* crate includes this file, and its Cargo version is the
// version describe() reports.

use thuocdo_sdk::prelude::*;

/// The scorecard.
pub struct Versioned;
thuocdo_sdk::scorecard!(Versioned);

/// A one-indicator card whose version is its crate's.
pub const CARD: Card = Card {
    name: "test/versioned",
    version: env!("CARGO_PKG_VERSION"),
    title: t("Bảng điểm có nhiều phiên bản", "A scorecard with many versions"),
    description: t("Dùng cho kiểm thử", "For the registry's tests"),
    applies_to: &["commune-chair"],
    period: PeriodKind::Month,
    basis: &[],
    facts: &[Fact::percent("rate", t("Tỷ lệ", "Rate"))],
    indicators: &[Indicator::new("rate", Group::Volume, t("Tỷ lệ", "Rate"), units::PERCENT)
        .thresholds(fx!("100"), fx!("0"))
        .points(fx!("10"))
        .reads(&["rate"])
        .formula(t("Tỷ lệ / 10", "Rate / 10"))],
    scale: Scale::points(fx!("10")),
    bands: &bands(fx!("9"), fx!("7"), fx!("5")),
    caps: &[],
    quotas: &[],
};

impl Scorecard for Versioned {
    const CARD: &'static Card = &CARD;
    fn score(f: &Facts, s: &mut Sheet) -> Result<(), EvalError> {
        s.linear("rate", Some(f.get("rate")?));
        Ok(())
    }
}
