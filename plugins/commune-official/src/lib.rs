//! Commune official, yearly: the targets a commune's people's committee member is
//! judged on at year end — budget revenue, households out of poverty, temporary
//! houses removed, digital transformation, administrative reform — and the
//! commune's score on the National Public Service Portal (90 or more is green).

// On wasm the scorecard links no std: no WASI imports, a cheaper instance.
#![cfg_attr(target_family = "wasm", no_std)]

use thuocdo_sdk::prelude::*;

/// The scorecard.
pub struct CommuneOfficial;
thuocdo_sdk::scorecard!(CommuneOfficial);

const DECREE_335: Basis = Basis::doc("Nghị định 335/2025/NĐ-CP");
const DECISION_766: Basis = Basis::doc("Quyết định 766/QĐ-TTg");

/// What a commune official is measured on.
pub const CARD: Card = Card {
    name: "tuyenquang/commune-official",
    version: env!("CARGO_PKG_VERSION"),
    title: t("Cán bộ, công chức cấp xã (năm)", "Commune official (yearly)"),
    description: t(
        "Chỉ tiêu kinh tế - xã hội được giao cho từng thành viên UBND xã, đánh giá cuối năm",
        "Socio-economic targets assigned to each commune committee member, judged at year end",
    ),
    applies_to: &["commune-official", "commune-chair"],
    period: PeriodKind::Year,
    basis: &[DECREE_335, DECISION_766],
    facts: &[
        Fact::count("budget-revenue", t("Thu ngân sách thực hiện", "Budget revenue collected"), units::VND_MILLION),
        Fact::count("budget-estimate", t("Dự toán thu ngân sách được giao", "Budget revenue estimate assigned"), units::VND_MILLION)
            .range(fx!("1"), None).neutral(),
        Fact::count("poverty-exit-target", t("Số hộ thoát nghèo được giao", "Households out of poverty: target"), t("hộ", "households")).neutral(),
        Fact::count("poverty-exits", t("Số hộ thoát nghèo", "Households out of poverty"), t("hộ", "households")),
        Fact::count("temporary-houses-planned", t("Nhà tạm phải xóa", "Temporary houses to remove"), t("căn", "houses")).neutral(),
        Fact::count("temporary-houses-removed", t("Nhà tạm đã xóa", "Temporary houses removed"), t("căn", "houses")),
        Fact::new("digital-transformation-score", t("Điểm chuyển đổi số", "Digital-transformation score"), units::POINTS)
            .range(fx!("0"), Some(fx!("100"))),
        Fact::new("administrative-reform-score", t("Điểm cải cách hành chính", "Administrative-reform score"), units::POINTS)
            .range(fx!("0"), Some(fx!("100"))),
        Fact::new("public-service-index", t("Chỉ số phục vụ người dân, doanh nghiệp", "Public-service index"), units::POINTS)
            .range(fx!("0"), Some(fx!("100")))
            .optional()
            .source(t("Cổng Dịch vụ công quốc gia", "National Public Service Portal")),
        Fact::flag("disciplined", t("Bị kỷ luật trong năm", "Disciplined in the year")),
    ],
    indicators: &[
        Indicator::new("budget-revenue", Group::Volume, t("Thu ngân sách so với dự toán", "Budget revenue against estimate"), units::PERCENT)
            .thresholds(fx!("100"), fx!("80"))
            .points(fx!("20"))
            .reads(&["budget-revenue", "budget-estimate"])
            .formula(t("Thu / dự toán × 100; đủ điểm từ 100%, không điểm từ 80% trở xuống",
                       "Revenue / estimate × 100; full points from 100 %, none at 80 % or less")),
        Indicator::new("poverty-exits", Group::Volume, t("Hộ thoát nghèo so với chỉ tiêu", "Households out of poverty against target"), units::PERCENT)
            .thresholds(fx!("100"), fx!("50"))
            .points(fx!("15"))
            .reads(&["poverty-exits", "poverty-exit-target"])
            .formula(t("Số hộ thoát nghèo / chỉ tiêu × 100 (không có chỉ tiêu: đạt); đủ điểm từ 100%, không điểm từ 50%",
                       "Households out / target × 100 (no target: met); full points from 100 %, none at 50 %")),
        Indicator::new("temporary-houses", Group::Progress, t("Xóa nhà tạm đúng kế hoạch", "Temporary houses removed on plan"), units::PERCENT)
            .thresholds(fx!("100"), fx!("50"))
            .points(fx!("15"))
            .reads(&["temporary-houses-removed", "temporary-houses-planned"])
            .formula(t("Số căn đã xóa / kế hoạch × 100 (không có kế hoạch: đạt); đủ điểm từ 100%, không điểm từ 50%",
                       "Houses removed / plan × 100 (none planned: met); full points from 100 %, none at 50 %")),
        Indicator::new("public-service-index", Group::Quality, t("Chỉ số phục vụ của xã", "The commune's public-service index"), units::POINTS)
            .thresholds(fx!("90"), fx!("70"))
            .points(fx!("20"))
            .reads(&["public-service-index"])
            .formula(t("Đủ điểm từ 90, không điểm từ 70; chưa có số liệu: đánh dấu, 0 điểm",
                       "Full points from 90, none at 70; no data: flagged, 0 points"))
            .basis(DECISION_766),
        Indicator::new("digital-transformation", Group::Efficiency, t("Chuyển đổi số", "Digital transformation"), units::POINTS)
            .thresholds(fx!("80"), fx!("50"))
            .points(fx!("15"))
            .reads(&["digital-transformation-score"])
            .formula(t("Đủ điểm từ 80, không điểm từ 50", "Full points from 80, none at 50")),
        Indicator::new("administrative-reform", Group::Efficiency, t("Cải cách hành chính", "Administrative reform"), units::POINTS)
            .thresholds(fx!("80"), fx!("50"))
            .points(fx!("15"))
            .reads(&["administrative-reform-score"])
            .formula(t("Đủ điểm từ 80, không điểm từ 50", "Full points from 80, none at 50")),
    ],
    scale: Scale::points(fx!("100")),
    bands: &bands(fx!("90"), fx!("70"), fx!("50")),
    caps: &[Cap::new(
        "disciplined",
        Grade::D,
        t("Bị kỷ luật trong năm: không hoàn thành nhiệm vụ", "Disciplined in the year: did not complete tasks"),
        DECREE_335,
    )],
    quotas: &[],
    reads_products: false,
};

impl Scorecard for CommuneOfficial {
    const CARD: &'static Card = &CARD;

    fn score(f: &Facts, s: &mut Sheet) -> Result<(), EvalError> {
        let met = Some(fx!("100")); // nothing was assigned, so nothing is owed
        let revenue = percent(f.get("budget-revenue")?, f.get("budget-estimate")?);
        let poverty = percent(f.get("poverty-exits")?, f.get("poverty-exit-target")?).or(met);
        let houses = percent(
            f.get("temporary-houses-removed")?,
            f.get("temporary-houses-planned")?,
        )
        .or(met);

        s.linear("budget-revenue", revenue);
        s.linear("poverty-exits", poverty);
        s.linear("temporary-houses", houses);
        s.linear("public-service-index", f.optional("public-service-index"));
        s.linear(
            "digital-transformation",
            Some(f.get("digital-transformation-score")?),
        );
        s.linear(
            "administrative-reform",
            Some(f.get("administrative-reform-score")?),
        );
        s.cap_if(f.flag("disciplined")?, "disciplined");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use thuocdo_sdk::testing::{Case, assert_card, assert_fact_errors};

    /// Every target met, index 100, not disciplined.
    fn all_met() -> Case<CommuneOfficial> {
        Case::new()
            .set("budget-revenue", "1000")
            .set("budget-estimate", "1000")
            .set("poverty-exit-target", "12")
            .set("poverty-exits", "12")
            .set("temporary-houses-planned", "5")
            .set("temporary-houses-removed", "5")
            .set("digital-transformation-score", "80")
            .set("administrative-reform-score", "80")
            .set("public-service-index", "100")
            .set("disciplined", "0")
    }

    #[test]
    fn card_is_consistent() {
        assert_card::<CommuneOfficial>();
    }

    #[test]
    fn all_met_is_excellent() {
        assert_eq!(all_met().outcome(), (fx!("100"), Grade::A));
    }

    #[test]
    fn excellent_from_ninety_exactly() {
        // The index scores its points above 70: 80 loses 10 points, 79.99 loses 10.01.
        assert_eq!(
            all_met().set("public-service-index", "80").outcome(),
            (fx!("90"), Grade::A)
        );
        assert_eq!(
            all_met().set("public-service-index", "79.99").outcome(),
            (fx!("89.99"), Grade::B)
        );
    }

    #[test]
    fn good_from_seventy_and_completed_from_fifty() {
        // Revenue at 80 % of the estimate scores nothing; the index then decides.
        let low = all_met().set("budget-revenue", "800");
        assert_eq!(
            low.clone().set("public-service-index", "80").outcome(),
            (fx!("70"), Grade::B)
        );
        assert_eq!(
            low.clone().set("public-service-index", "79.99").outcome(),
            (fx!("69.99"), Grade::C)
        );
        let lower = low.set("digital-transformation-score", "50");
        assert_eq!(
            lower.clone().set("public-service-index", "75").outcome(),
            (fx!("50"), Grade::C)
        );
        assert_eq!(
            lower.set("public-service-index", "74.99").outcome(),
            (fx!("49.99"), Grade::D)
        );
    }

    #[test]
    fn discipline_caps_to_not_completed_whatever_the_points() {
        let case = all_met().set("disciplined", "1");
        assert_eq!(case.outcome(), (fx!("100"), Grade::D));
        assert_eq!(case.caps(), ["disciplined"]);
        assert!(all_met().caps().is_empty());
    }

    #[test]
    fn a_missing_index_is_flagged_not_an_error() {
        let eval = all_met().unset("public-service-index").evaluate().unwrap();
        let psi = &eval.indicators[CARD.indicator("public-service-index").0];
        assert_eq!(
            (psi.raw, psi.score, psi.light),
            (None, fx!("0"), Light::NoData)
        );
        assert_eq!((eval.total, eval.grade), (fx!("80"), Grade::B));
    }

    #[test]
    fn nothing_assigned_means_nothing_owed() {
        let case = all_met()
            .set("poverty-exit-target", "0")
            .set("poverty-exits", "0")
            .set("temporary-houses-planned", "0")
            .set("temporary-houses-removed", "0");
        assert_eq!(case.outcome(), (fx!("100"), Grade::A));
    }

    #[test]
    fn exceeding_a_target_is_capped_at_full_points() {
        let eval = all_met().set("budget-revenue", "1500").evaluate().unwrap();
        let revenue = &eval.indicators[0];
        assert_eq!(
            (revenue.raw, revenue.score, revenue.light),
            (Some(fx!("150")), fx!("20"), Light::Green)
        );
        assert_eq!(eval.total, fx!("100"));
    }

    #[test]
    fn lights_follow_the_thresholds() {
        let eval = all_met()
            .set("public-service-index", "85")
            .set("budget-revenue", "800")
            .evaluate()
            .unwrap();
        assert_eq!(eval.indicators[0].light, Light::Red);
        assert_eq!(eval.indicators[3].light, Light::Yellow);
        assert_eq!(eval.indicators[4].light, Light::Green);
    }

    #[test]
    fn every_missing_or_invalid_fact_is_named() {
        assert_fact_errors(&all_met());
    }
}
