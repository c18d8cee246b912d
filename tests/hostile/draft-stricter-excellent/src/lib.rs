//! A draft regulation for the sandbox's tests: test/versioned at the very
//! version published (1.0.0), with one threshold moved — excellent from 9.5
//! points instead of 9. With score = rate / 10, exactly the subjects whose
//! rate lies in [90, 95) should move from excellent to good.

// On wasm the scorecard links no std: no WASI imports, a cheaper instance.
#![cfg_attr(target_family = "wasm", no_std)]

use thuocdo_sdk::prelude::*;

/// The draft.
pub struct Stricter;
thuocdo_sdk::scorecard!(Stricter);

/// test/versioned's card, but for the excellent band.
pub const CARD: Card = Card {
    name: "test/versioned",
    version: "1.0.0",
    title: t(
        "Bảng điểm dự thảo: xuất sắc từ 9,5",
        "Draft scorecard: excellent from 9.5",
    ),
    description: t("Dùng cho kiểm thử", "For the sandbox's tests"),
    applies_to: &["commune-chair"],
    period: PeriodKind::Month,
    basis: &[],
    facts: &[Fact::percent("rate", t("Tỷ lệ", "Rate"))],
    indicators: &[
        Indicator::new("rate", Group::Volume, t("Tỷ lệ", "Rate"), units::PERCENT)
            .thresholds(fx!("100"), fx!("0"))
            .points(fx!("10"))
            .reads(&["rate"])
            .formula(t("Tỷ lệ / 10", "Rate / 10")),
    ],
    scale: Scale::points(fx!("10")),
    bands: &bands(fx!("9.5"), fx!("7"), fx!("5")),
    caps: &[],
    quotas: &[],
};

impl Scorecard for Stricter {
    const CARD: &'static Card = &CARD;
    fn score(f: &Facts, s: &mut Sheet) -> Result<(), EvalError> {
        s.linear("rate", Some(f.get("rate")?));
        Ok(())
    }
}
