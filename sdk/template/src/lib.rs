//! My scorecard: say what post it measures, under which rule.
//!
//! Build: `cargo build --release --target wasm32-wasip2`
//! (`rustup target add wasm32-wasip2` once, if rustup says the target is missing).
//! Test: `cargo test`.

// On wasm the scorecard links no std: no WASI imports, a cheaper instance.
#![cfg_attr(target_family = "wasm", no_std)]

use thuocdo_sdk::prelude::*;

/// The scorecard.
pub struct MyScorecard;
thuocdo_sdk::scorecard!(MyScorecard);

const RULE: Basis = Basis::doc("Nghị định 335/2025/NĐ-CP");

/// What the post is measured on.
pub const CARD: Card = Card {
    name: "my-agency/my-scorecard",
    version: env!("CARGO_PKG_VERSION"),
    title: t("Tên bảng điểm", "Scorecard title"),
    description: t("Đo lường điều gì, cho vị trí nào", "What it measures, for which post"),
    applies_to: &["my-post"],
    period: PeriodKind::Month,
    basis: &[RULE],
    facts: &[
        Fact::count("tasks-assigned", t("Nhiệm vụ được giao", "Tasks assigned"), units::TASKS).neutral(),
        Fact::count("tasks-completed", t("Nhiệm vụ hoàn thành", "Tasks completed"), units::TASKS),
        Fact::flag("disciplined", t("Bị kỷ luật", "Disciplined")),
    ],
    indicators: &[
        Indicator::new("completion", Group::Volume, t("Hoàn thành nhiệm vụ", "Task completion"), units::PERCENT)
            .thresholds(fx!("100"), fx!("70"))
            .points(fx!("10"))
            .reads(&["tasks-completed", "tasks-assigned"])
            .formula(t("Hoàn thành / được giao × 100; đủ điểm từ 100%, 0 điểm từ 70%",
                       "Completed / assigned × 100; full points from 100 %, none at 70 %")),
    ],
    scale: Scale::points(fx!("10")),
    bands: &bands(fx!("9"), fx!("7"), fx!("5")),
    caps: &[Cap::new("disciplined", Grade::D, t("Bị kỷ luật", "Disciplined"), RULE)],
    quotas: &[],
    reads_products: false,
};

impl Scorecard for MyScorecard {
    const CARD: &'static Card = &CARD;

    fn score(f: &Facts, s: &mut Sheet) -> Result<(), EvalError> {
        let done = percent(f.get("tasks-completed")?, f.get("tasks-assigned")?);
        s.linear("completion", done.or(Some(fx!("100"))));
        s.cap_if(f.flag("disciplined")?, "disciplined");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use thuocdo_sdk::testing::{Case, assert_card, assert_fact_errors};

    fn all_done() -> Case<MyScorecard> {
        Case::new().set("tasks-assigned", "10").set("tasks-completed", "10").set("disciplined", "0")
    }

    #[test]
    fn card_is_consistent() {
        assert_card::<MyScorecard>();
    }

    #[test]
    fn grade_boundaries() {
        assert_eq!(all_done().outcome(), (fx!("10"), Grade::A));
        assert_eq!(all_done().set("tasks-completed", "9.7").outcome(), (fx!("9"), Grade::A));
        assert_eq!(all_done().set("tasks-completed", "9.697").outcome(), (fx!("8.99"), Grade::B));
    }

    #[test]
    fn every_missing_or_invalid_fact_is_named() {
        assert_fact_errors(&all_done());
    }
}
