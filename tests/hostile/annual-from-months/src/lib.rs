//! test/annual-from-months: a yearly card on the 10-point scale that reads
//! only what the host draws from the subject's official monthly results
//! (Decision 623: monthly grades are the basis of the annual classification).

// On wasm the scorecard links no std: no WASI imports, a cheaper instance.
#![cfg_attr(target_family = "wasm", no_std)]

use thuocdo_sdk::prelude::*;

/// The scorecard.
pub struct AnnualFromMonths;
thuocdo_sdk::scorecard!(AnnualFromMonths);

/// The mean monthly total is the year's total; the months graded A and
/// graded at all are read too, so the host's counts show in the record.
pub const CARD: Card = Card {
    name: "test/annual-from-months",
    version: env!("CARGO_PKG_VERSION"),
    title: t("Xếp loại năm từ kết quả tháng", "The year from the months"),
    description: t("Dùng cho kiểm thử", "For the host's tests"),
    applies_to: &["commune-chair"],
    period: PeriodKind::Year,
    basis: &[],
    facts: &[
        Fact::new(
            "monthly-mean",
            t("Điểm bình quân các tháng", "Mean monthly total"),
            units::POINTS,
        )
        .range(fx!("0"), Some(fx!("10")))
        .from_results(PeriodKind::Month, ResultMeasure::MeanTotal),
        Fact::count(
            "months-a",
            t("Số tháng xếp loại A", "Months graded A"),
            t("tháng", "months"),
        )
        .neutral()
        .optional()
        .from_results(PeriodKind::Month, ResultMeasure::CountA),
        Fact::count(
            "months-graded",
            t("Số tháng được xếp loại", "Months graded"),
            t("tháng", "months"),
        )
        .neutral()
        .optional()
        .from_results(PeriodKind::Month, ResultMeasure::CountGraded),
    ],
    indicators: &[Indicator::new(
        "monthly-mean",
        Group::Volume,
        t("Điểm bình quân tháng", "Mean monthly total"),
        units::POINTS,
    )
    .thresholds(fx!("9"), fx!("5"))
    .points(fx!("10"))
    .reads(&["monthly-mean"])
    .formula(t(
        "Bình quân tổng điểm các tháng",
        "The mean of the months' totals",
    ))],
    scale: Scale::points(fx!("10")),
    bands: &bands(fx!("9"), fx!("7"), fx!("5")),
    caps: &[],
    quotas: &[],
};

impl Scorecard for AnnualFromMonths {
    const CARD: &'static Card = &CARD;
    fn score(f: &Facts, s: &mut Sheet) -> Result<(), EvalError> {
        let mean = f.get("monthly-mean")?;
        s.score("monthly-mean", mean, mean.exact());
        Ok(())
    }
}
