//! Department of Culture, Sports and Tourism, quarterly: the department as a unit
//! (or one of its division heads) on the 100-point scale of Decree 335/2025/NĐ-CP.
//! Task results (70 points) compare what was done with what was planned in the
//! quarter — public investment disbursed, events held, community-tourism villages
//! developed — and how many more visitors came than a year before; the general
//! criteria (30 points) are the department's "6 clear" targets (clear people, work,
//! authority, resources, results, responsibility) met out of those assigned.
//! A head disciplined, or corruption or waste found in the unit, means "did not
//! complete tasks" whatever the points.

// On wasm the scorecard links no std: no WASI imports, a cheaper instance.
#![cfg_attr(target_family = "wasm", no_std)]

use thuocdo_sdk::prelude::*;

/// The scorecard.
pub struct CultureDepartment;
thuocdo_sdk::scorecard!(CultureDepartment);

const DECREE_335: Basis = Basis::doc("Nghị định 335/2025/NĐ-CP");

/// What the department, or a division head, is measured on each quarter.
pub const CARD: Card = Card {
    name: "tuyenquang-culture/culture-department",
    version: env!("CARGO_PKG_VERSION"),
    title: t(
        "Sở Văn hóa, Thể thao và Du lịch (quý)",
        "Department of Culture, Sports and Tourism (quarterly)",
    ),
    description: t(
        "Kết quả thực hiện nhiệm vụ theo quý của Sở hoặc trưởng phòng, đơn vị thuộc Sở: giải ngân vốn đầu tư, sự kiện, làng du lịch cộng đồng, tăng trưởng khách du lịch và các chỉ tiêu \"6 rõ\" được giao",
        "Quarterly task results of the department or a division head: investment disbursed, events, community-tourism villages, visitor growth and the \"6 clear\" targets assigned",
    ),
    applies_to: &["culture-department", "culture-division-head"],
    period: PeriodKind::Quarter,
    basis: &[DECREE_335],
    facts: &[
        Fact::count("investment-plan", t("Kế hoạch giải ngân vốn đầu tư lũy kế đến hết quý", "Investment disbursement planned, cumulative to quarter end"), units::VND_MILLION)
            .neutral()
            .source(t("Kế hoạch vốn đầu tư công được giao cho Sở", "The public-investment capital plan assigned to the department")),
        Fact::count("investment-disbursed", t("Vốn đầu tư đã giải ngân lũy kế đến hết quý", "Investment disbursed, cumulative to quarter end"), units::VND_MILLION)
            .source(t("Số liệu giải ngân của Kho bạc Nhà nước", "State Treasury disbursement records")),
        Fact::count("events-planned", t("Số sự kiện văn hóa, thể thao, du lịch theo kế hoạch quý", "Cultural, sports and tourism events planned for the quarter"), t("sự kiện", "events"))
            .neutral()
            .source(t("Kế hoạch tổ chức sự kiện của Sở", "The department's event plan")),
        Fact::count("events-held", t("Số sự kiện đã tổ chức trong quý", "Events held in the quarter"), t("sự kiện", "events"))
            .source(t("Báo cáo quý của Sở", "The department's quarterly report")),
        Fact::count("villages-target", t("Chỉ tiêu làng du lịch cộng đồng phát triển trong quý", "Community-tourism villages to develop in the quarter: target"), t("làng", "villages"))
            .neutral()
            .source(t("Chỉ tiêu được giao cho Sở", "Targets assigned to the department")),
        Fact::count("villages-developed", t("Số làng du lịch cộng đồng đã phát triển trong quý", "Community-tourism villages developed in the quarter"), t("làng", "villages"))
            .source(t("Báo cáo quý của Sở", "The department's quarterly report")),
        // A visitor count can fall by at most all of itself, so −100 % is the floor.
        Fact::new("visitor-growth", t("Tăng trưởng lượt khách du lịch so với cùng kỳ năm trước", "Visitor growth year on year"), units::PERCENT)
            .range(fx!("-100"), None)
            .optional()
            .source(t("Số liệu thống kê được công bố chính thức", "Officially published statistics")),
        Fact::count("clear-targets-assigned", t("Số chỉ tiêu \"6 rõ\" được giao", "\"6 clear\" targets assigned"), t("chỉ tiêu", "targets"))
            // Under the "6 clear" motto every unit is assigned targets: none is a data error.
            .range(fx!("1"), None)
            .neutral()
            .source(t("Văn bản giao chỉ tiêu của Ban Giám đốc Sở", "The department board's assignment of targets")),
        Fact::count("clear-targets-met", t("Số chỉ tiêu \"6 rõ\" đạt", "\"6 clear\" targets met"), t("chỉ tiêu", "targets"))
            .source(t("Kết quả đánh giá của Ban Giám đốc Sở", "The department board's review")),
        Fact::flag("head-disciplined", t("Người đứng đầu bị kỷ luật trong năm", "The head disciplined in the year"))
            .source(t("Quyết định kỷ luật của cấp có thẩm quyền", "The competent authority's disciplinary decision")),
        Fact::flag("unit-violation", t("Phát hiện tham nhũng, lãng phí trong đơn vị", "Corruption or waste found in the unit"))
            .source(t("Kết luận thanh tra, kiểm tra", "Inspection conclusions")),
    ],
    indicators: &[
        Indicator::new("investment-disbursement", Group::Progress, t("Giải ngân vốn đầu tư so với kế hoạch", "Investment disbursed against plan"), units::PERCENT)
            .thresholds(fx!("100"), fx!("50"))
            .points(fx!("20"))
            .reads(&["investment-disbursed", "investment-plan"])
            .formula(t("Đã giải ngân / kế hoạch × 100 (không có kế hoạch: đạt); đủ điểm từ 100%, không điểm từ 50% trở xuống",
                       "Disbursed / plan × 100 (nothing planned: met); full points from 100 %, none at 50 % or less"))
            .basis(DECREE_335),
        Indicator::new("events-held", Group::Volume, t("Sự kiện tổ chức so với kế hoạch", "Events held against plan"), units::PERCENT)
            .thresholds(fx!("100"), fx!("50"))
            .points(fx!("20"))
            .reads(&["events-held", "events-planned"])
            .formula(t("Số sự kiện đã tổ chức / kế hoạch × 100 (không có kế hoạch: đạt); đủ điểm từ 100%, không điểm từ 50% trở xuống",
                       "Events held / planned × 100 (nothing planned: met); full points from 100 %, none at 50 % or less"))
            .basis(DECREE_335),
        Indicator::new("tourism-villages", Group::Volume, t("Làng du lịch cộng đồng so với chỉ tiêu", "Community-tourism villages against target"), units::PERCENT)
            .thresholds(fx!("100"), fx!("50"))
            .points(fx!("15"))
            .reads(&["villages-developed", "villages-target"])
            .formula(t("Số làng đã phát triển / chỉ tiêu × 100 (không có chỉ tiêu: đạt); đủ điểm từ 100%, không điểm từ 50% trở xuống",
                       "Villages developed / target × 100 (no target: met); full points from 100 %, none at 50 % or less"))
            .basis(DECREE_335),
        Indicator::new("visitor-growth", Group::Efficiency, t("Tăng trưởng khách du lịch so với cùng kỳ", "Visitor growth year on year"), units::PERCENT)
            .thresholds(fx!("10"), fx!("0"))
            .points(fx!("15"))
            .no_data_score(fx!("7.5"))
            .reads(&["visitor-growth"])
            .formula(t("Đủ điểm khi tăng từ 10%, không điểm khi không tăng hoặc giảm; số liệu thống kê chưa công bố: đánh dấu, tính một nửa số điểm (7,5) vì đơn vị không tự công bố số liệu này",
                       "Full points from 10 % growth, none with no growth or a fall; statistics not yet published: flagged, half the points (7.5), for the unit does not publish them itself")),
        Indicator::new("six-clear-targets", Group::Conduct, t("Chỉ tiêu \"6 rõ\" đạt so với được giao", "\"6 clear\" targets met out of those assigned"), units::PERCENT)
            .thresholds(fx!("100"), fx!("0"))
            .points(fx!("30"))
            .reads(&["clear-targets-met", "clear-targets-assigned"])
            .formula(t("30 × số chỉ tiêu đạt / số chỉ tiêu được giao (rõ người, rõ việc, rõ thẩm quyền, rõ nguồn lực, rõ kết quả, rõ trách nhiệm)",
                       "30 × targets met / targets assigned (clear people, work, authority, resources, results, responsibility)"))
            .basis(DECREE_335),
    ],
    scale: Scale::points(fx!("100")),
    bands: &bands(fx!("90"), fx!("70"), fx!("50")),
    caps: &[
        Cap::new(
            "head-disciplined",
            Grade::D,
            t("Người đứng đầu bị kỷ luật từ khiển trách trở lên trong năm: không hoàn thành nhiệm vụ",
              "The head disciplined (reprimand or above) in the year: did not complete tasks"),
            DECREE_335,
        ),
        Cap::new(
            "unit-violation",
            Grade::D,
            t("Để xảy ra tham nhũng, lãng phí trong đơn vị trực tiếp quản lý: không hoàn thành nhiệm vụ",
              "Corruption or waste in the unit directly managed: did not complete tasks"),
            DECREE_335,
        ),
    ],
    quotas: &[],
    reads_products: false,
};

impl Scorecard for CultureDepartment {
    const CARD: &'static Card = &CARD;

    fn score(f: &Facts, s: &mut Sheet) -> Result<(), EvalError> {
        let met = Some(fx!("100")); // nothing was planned, so nothing is owed
        let disbursed = percent(f.get("investment-disbursed")?, f.get("investment-plan")?).or(met);
        let events = percent(f.get("events-held")?, f.get("events-planned")?).or(met);
        let villages = percent(f.get("villages-developed")?, f.get("villages-target")?).or(met);
        let clear = percent(
            f.get("clear-targets-met")?,
            f.get("clear-targets-assigned")?,
        );

        s.linear("investment-disbursement", disbursed);
        s.linear("events-held", events);
        s.linear("tourism-villages", villages);
        s.linear("visitor-growth", f.optional("visitor-growth"));
        s.linear("six-clear-targets", clear);
        s.cap_if(f.flag("head-disciplined")?, "head-disciplined");
        s.cap_if(f.flag("unit-violation")?, "unit-violation");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use thuocdo_sdk::testing::{Case, assert_card, assert_fact_errors};

    /// Every plan met, visitors up 12 %, all six "6 clear" targets met, no violation.
    fn all_met() -> Case<CultureDepartment> {
        Case::new()
            .set("investment-plan", "1000")
            .set("investment-disbursed", "1000")
            .set("events-planned", "12")
            .set("events-held", "12")
            .set("villages-target", "4")
            .set("villages-developed", "4")
            .set("visitor-growth", "12")
            .set("clear-targets-assigned", "6")
            .set("clear-targets-met", "6")
            .set("head-disciplined", "0")
            .set("unit-violation", "0")
    }

    fn indicator(case: &Case<CultureDepartment>, id: &str) -> (Option<Fixed>, Fixed, Light) {
        let eval = case.evaluate().unwrap();
        let r = &eval.indicators[CARD.find_indicator(id).0];
        (r.raw, r.score, r.light)
    }

    #[test]
    fn card_is_consistent() {
        assert_card::<CultureDepartment>();
    }

    #[test]
    fn all_met_is_excellent() {
        assert_eq!(all_met().outcome(), (fx!("100"), Grade::A));
        assert!(all_met().caps().is_empty());
    }

    #[test]
    fn excellent_from_ninety_exactly() {
        // Disbursement scores 0.4 points a percent above 50 %: 75 % loses 10 points,
        // 74.975 % loses 10.01.
        assert_eq!(
            all_met().set("investment-disbursed", "750").outcome(),
            (fx!("90"), Grade::A)
        );
        assert_eq!(
            all_met().set("investment-disbursed", "749.75").outcome(),
            (fx!("89.99"), Grade::B)
        );
    }

    #[test]
    fn good_from_seventy_exactly() {
        // Half the plan disbursed scores nothing (−20); 4 of 6 targets give 20 of 30 (−10).
        let good = all_met()
            .set("investment-disbursed", "500")
            .set("clear-targets-met", "4");
        assert_eq!(good.outcome(), (fx!("70"), Grade::B));
        // One event short of 4,000 is 99.975 %: 19.99 of 20.
        let short = good
            .set("events-planned", "4000")
            .set("events-held", "3999");
        assert_eq!(short.outcome(), (fx!("69.99"), Grade::C));
    }

    #[test]
    fn completed_from_fifty_exactly() {
        // No disbursement points (−20), half the villages (−15), 3 of 6 targets (−15).
        let completed = all_met()
            .set("investment-disbursed", "500")
            .set("villages-developed", "2")
            .set("clear-targets-met", "3");
        assert_eq!(completed.outcome(), (fx!("50"), Grade::C));
        let short = completed
            .set("events-planned", "4000")
            .set("events-held", "3999");
        assert_eq!(short.outcome(), (fx!("49.99"), Grade::D));
    }

    #[test]
    fn a_disciplined_head_caps_to_not_completed_whatever_the_points() {
        let case = all_met().set("head-disciplined", "1");
        assert_eq!(case.outcome(), (fx!("100"), Grade::D));
        assert_eq!(case.caps(), ["head-disciplined"]);
    }

    #[test]
    fn a_violation_in_the_unit_caps_to_not_completed_whatever_the_points() {
        let case = all_met().set("unit-violation", "1");
        assert_eq!(case.outcome(), (fx!("100"), Grade::D));
        assert_eq!(case.caps(), ["unit-violation"]);
        let both = case.set("head-disciplined", "1");
        assert_eq!(both.caps(), ["head-disciplined", "unit-violation"]);
        assert_eq!(both.outcome().1, Grade::D);
    }

    #[test]
    fn unpublished_visitor_statistics_are_flagged_at_half_points() {
        let case = all_met().unset("visitor-growth");
        assert_eq!(
            indicator(&case, "visitor-growth"),
            (None, fx!("7.5"), Light::NoData)
        );
        assert_eq!(case.outcome(), (fx!("92.5"), Grade::A));
    }

    #[test]
    fn fewer_visitors_score_nothing_but_are_no_error() {
        let case = all_met().set("visitor-growth", "-20");
        assert_eq!(
            indicator(&case, "visitor-growth"),
            (Some(fx!("-20")), fx!("0"), Light::Red)
        );
        assert_eq!(case.outcome(), (fx!("85"), Grade::B));
        let halfway = all_met().set("visitor-growth", "5");
        assert_eq!(
            indicator(&halfway, "visitor-growth"),
            (Some(fx!("5")), fx!("7.5"), Light::Yellow)
        );
        assert!(all_met().set("visitor-growth", "-100").evaluate().is_ok());
        assert!(
            all_met()
                .set("visitor-growth", "-100.0001")
                .evaluate()
                .is_err()
        );
    }

    #[test]
    fn nothing_planned_means_nothing_owed() {
        let case = all_met()
            .set("investment-plan", "0")
            .set("investment-disbursed", "0")
            .set("events-planned", "0")
            .set("events-held", "0")
            .set("villages-target", "0")
            .set("villages-developed", "0");
        assert_eq!(case.outcome(), (fx!("100"), Grade::A));
        assert_eq!(
            indicator(&case, "events-held"),
            (Some(fx!("100")), fx!("20"), Light::Green)
        );
        // Events held beyond an empty plan are still met, not a division by zero.
        let extra = case.set("events-held", "3");
        assert_eq!(
            indicator(&extra, "events-held"),
            (Some(fx!("100")), fx!("20"), Light::Green)
        );
    }

    #[test]
    fn exceeding_a_plan_is_capped_at_full_points() {
        let case = all_met()
            .set("events-held", "15")
            .set("villages-developed", "6");
        assert_eq!(
            indicator(&case, "events-held"),
            (Some(fx!("125")), fx!("20"), Light::Green)
        );
        assert_eq!(
            indicator(&case, "tourism-villages"),
            (Some(fx!("150")), fx!("15"), Light::Green)
        );
        assert_eq!(case.outcome(), (fx!("100"), Grade::A));
    }

    #[test]
    fn six_clear_targets_score_in_proportion() {
        let case = all_met().set("clear-targets-met", "5");
        // 5 / 6 is 83.3333 %: 24.99999 rounds to 25.00.
        assert_eq!(
            indicator(&case, "six-clear-targets"),
            (Some(fx!("83.3333")), fx!("25"), Light::Yellow)
        );
        let none = all_met().set("clear-targets-met", "0");
        assert_eq!(
            indicator(&none, "six-clear-targets"),
            (Some(fx!("0")), fx!("0"), Light::Red)
        );
        assert!(
            all_met()
                .set("clear-targets-assigned", "0")
                .evaluate()
                .is_err()
        );
    }

    #[test]
    fn lights_follow_the_thresholds() {
        let case = all_met()
            .set("investment-disbursed", "500")
            .set("events-held", "9");
        assert_eq!(indicator(&case, "investment-disbursement").2, Light::Red);
        assert_eq!(indicator(&case, "events-held").2, Light::Yellow);
        assert_eq!(indicator(&case, "tourism-villages").2, Light::Green);
    }

    #[test]
    fn every_missing_or_invalid_fact_is_named() {
        assert_fact_errors(&all_met());
    }
}
