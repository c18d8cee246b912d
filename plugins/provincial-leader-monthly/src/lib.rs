//! Heads of provincial agencies and commune chairs, monthly, under Tuyen Quang's
//! Decision 623: task performance, work progress, citizen satisfaction, field
//! inspections and public discipline on a 10-point scale, and "excellent" only
//! with 9 points or more. The monthly grades are the basis of the annual
//! classification.

// On wasm the scorecard links no std: no WASI imports, a cheaper instance.
#![cfg_attr(target_family = "wasm", no_std)]

use thuocdo_sdk::prelude::*;

/// The scorecard.
pub struct ProvincialLeaderMonthly;
thuocdo_sdk::scorecard!(ProvincialLeaderMonthly);

const DECISION_623: Basis = Basis::doc("Quyết định 623/QĐ-UBND tỉnh Tuyên Quang");
const DECREE_335: Basis = Basis::doc("Nghị định 335/2025/NĐ-CP");

/// What a provincial agency head or a commune chair is measured on each month.
pub const CARD: Card = Card {
    name: "tuyenquang/provincial-leader-monthly",
    version: env!("CARGO_PKG_VERSION"),
    title: t(
        "Người đứng đầu cơ quan cấp tỉnh và Chủ tịch UBND xã (tháng)",
        "Heads of provincial agencies and commune chairs (monthly)",
    ),
    description: t(
        "Đánh giá, xếp loại hằng tháng theo Quyết định 623: định lượng và định tính; chỉ xếp loại A khi đạt từ 9 điểm",
        "Monthly evaluation and classification under Decision 623, quantitative and qualitative; grade A only with 9 points or more",
    ),
    applies_to: &["provincial-agency-head", "commune-chair"],
    period: PeriodKind::Month,
    basis: &[DECISION_623],
    facts: &[
        Fact::count("tasks-assigned", t("Nhiệm vụ được giao trong tháng", "Tasks assigned in the month"), units::TASKS).neutral(),
        Fact::count("tasks-completed", t("Nhiệm vụ đã hoàn thành", "Tasks completed"), units::TASKS),
        Fact::count("tasks-on-time", t("Nhiệm vụ hoàn thành đúng hạn", "Tasks completed on time"), units::TASKS),
        Fact::percent("citizen-satisfaction", t("Tỷ lệ người dân hài lòng", "Citizens satisfied"))
            .source(t("Khảo sát hài lòng hằng tháng", "Monthly satisfaction survey")),
        Fact::count("inspections-planned", t("Đợt kiểm tra thực địa theo kế hoạch", "Field inspections planned"), t("đợt", "inspections")).neutral(),
        Fact::count("inspections-done", t("Đợt kiểm tra thực địa đã thực hiện", "Field inspections carried out"), t("đợt", "inspections")),
        Fact::count("discipline-breaches", t("Vi phạm kỷ luật, kỷ cương hành chính", "Breaches of public discipline"), units::CASES)
            .lower_is_better(),
        Fact::flag("disciplined", t("Bị xử lý kỷ luật trong tháng", "Formally disciplined in the month")),
    ],
    indicators: &[
        Indicator::new("task-performance", Group::Volume, t("Kết quả thực hiện nhiệm vụ", "Task performance"), units::PERCENT)
            .thresholds(fx!("100"), fx!("70"))
            .points(fx!("3"))
            .reads(&["tasks-completed", "tasks-assigned"])
            .formula(t("Hoàn thành / được giao × 100; đủ 3 điểm từ 100%, 0 điểm từ 70% trở xuống",
                       "Completed / assigned × 100; 3 points from 100 %, none at 70 % or less"))
            .basis(DECISION_623),
        Indicator::new("work-progress", Group::Progress, t("Tiến độ công việc", "Work progress"), units::PERCENT)
            .thresholds(fx!("100"), fx!("70"))
            .points(fx!("2.5"))
            .reads(&["tasks-on-time", "tasks-completed"])
            .formula(t("Đúng hạn / hoàn thành × 100; đủ 2,5 điểm từ 100%, 0 điểm từ 70% trở xuống",
                       "On time / completed × 100; 2.5 points from 100 %, none at 70 % or less"))
            .basis(DECISION_623),
        Indicator::new("citizen-satisfaction", Group::Quality, t("Sự hài lòng của người dân", "Citizen satisfaction"), units::PERCENT)
            .thresholds(fx!("90"), fx!("60"))
            .points(fx!("2"))
            .reads(&["citizen-satisfaction"])
            .formula(t("Đủ 2 điểm từ 90% hài lòng, 0 điểm từ 60% trở xuống",
                       "2 points from 90 % satisfied, none at 60 % or less"))
            .basis(DECISION_623),
        Indicator::new("field-inspections", Group::Efficiency, t("Kết quả kiểm tra thực địa", "Field inspections"), units::PERCENT)
            .thresholds(fx!("100"), fx!("50"))
            .points(fx!("1.5"))
            .reads(&["inspections-done", "inspections-planned"])
            .formula(t("Đã kiểm tra / kế hoạch × 100 (không có kế hoạch: đạt); đủ 1,5 điểm từ 100%, 0 điểm từ 50%",
                       "Carried out / planned × 100 (none planned: met); 1.5 points from 100 %, none at 50 %"))
            .basis(DECISION_623),
        Indicator::new("public-discipline", Group::Conduct, t("Chấp hành kỷ luật, kỷ cương hành chính", "Public discipline"), units::CASES)
            .thresholds(fx!("0"), fx!("2"))
            .points(fx!("1"))
            .reads(&["discipline-breaches"])
            .formula(t("Không vi phạm: 1 điểm; 1 vi phạm: 0,5 điểm; từ 2 vi phạm: 0 điểm",
                       "No breach: 1 point; one: 0.5; two or more: none"))
            .basis(DECISION_623),
    ],
    scale: Scale::points(fx!("10")),
    bands: &bands(fx!("9"), fx!("7"), fx!("5")),
    caps: &[Cap::new(
        "disciplined",
        Grade::D,
        t("Bị xử lý kỷ luật trong tháng: không hoàn thành nhiệm vụ", "Formally disciplined in the month: did not complete tasks"),
        DECREE_335,
    )],
    quotas: &[],
    reads_products: false,
};

impl Scorecard for ProvincialLeaderMonthly {
    const CARD: &'static Card = &CARD;

    fn score(f: &Facts, s: &mut Sheet) -> Result<(), EvalError> {
        let completed = f.get("tasks-completed")?;
        // A month with nothing assigned (or nothing finished) owes nothing.
        let met = Some(fx!("100"));
        s.linear(
            "task-performance",
            percent(completed, f.get("tasks-assigned")?).or(met),
        );
        s.linear(
            "work-progress",
            percent(f.get("tasks-on-time")?, completed).or(met),
        );
        s.linear("citizen-satisfaction", Some(f.get("citizen-satisfaction")?));
        s.linear(
            "field-inspections",
            percent(f.get("inspections-done")?, f.get("inspections-planned")?).or(met),
        );
        s.linear("public-discipline", Some(f.get("discipline-breaches")?));
        s.cap_if(f.flag("disciplined")?, "disciplined");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use thuocdo_sdk::testing::{Case, assert_card, assert_fact_errors};

    fn flawless() -> Case<ProvincialLeaderMonthly> {
        Case::new()
            .set("tasks-assigned", "20")
            .set("tasks-completed", "20")
            .set("tasks-on-time", "20")
            .set("citizen-satisfaction", "95")
            .set("inspections-planned", "4")
            .set("inspections-done", "4")
            .set("discipline-breaches", "0")
            .set("disciplined", "0")
    }

    #[test]
    fn card_is_consistent() {
        assert_card::<ProvincialLeaderMonthly>();
    }

    #[test]
    fn flawless_month_scores_ten() {
        assert_eq!(flawless().outcome(), (fx!("10"), Grade::A));
    }

    #[test]
    fn excellent_only_from_nine_points() {
        // Satisfaction earns 2 points over 60..90 %: 75 % gives 1.00, 74.85 % gives 0.99.
        assert_eq!(
            flawless().set("citizen-satisfaction", "75").outcome(),
            (fx!("9"), Grade::A)
        );
        assert_eq!(
            flawless().set("citizen-satisfaction", "74.85").outcome(),
            (fx!("8.99"), Grade::B)
        );
    }

    #[test]
    fn good_from_seven_and_completed_from_five() {
        // No satisfaction points (-2), one breach (-0.5), inspections at 50 % (-1.5): 6.
        let base = flawless()
            .set("citizen-satisfaction", "60")
            .set("discipline-breaches", "1")
            .set("inspections-done", "2");
        assert_eq!(base.outcome(), (fx!("6"), Grade::C));
        // Satisfaction back to 75 % (+1): 7 is good; 74.85 % (+0.99) is not.
        assert_eq!(
            base.clone().set("citizen-satisfaction", "75").outcome(),
            (fx!("7"), Grade::B)
        );
        assert_eq!(
            base.clone().set("citizen-satisfaction", "74.85").outcome(),
            (fx!("6.99"), Grade::C)
        );
        // 18 of 20 tasks on time is 90 %: progress 2.5 × 20/30 = 1.67 (from 2.5), total 5.17.
        let slow = base.set("tasks-on-time", "18");
        assert_eq!(slow.outcome(), (fx!("5.17"), Grade::C));
        // 17 of 20 tasks done (85 %): performance 1.5; 17 on time: progress 2.5. Total 5.
        let fewer = flawless()
            .set("citizen-satisfaction", "60")
            .set("discipline-breaches", "2")
            .set("tasks-completed", "17")
            .set("tasks-on-time", "17")
            .set("inspections-done", "3");
        // 3 of 4 inspections is 75 %: 0.75 points. 1.5 + 2.5 + 0 + 0.75 + 0 = 4.75.
        assert_eq!(fewer.outcome(), (fx!("4.75"), Grade::D));
        assert_eq!(
            fewer.clone().set("citizen-satisfaction", "63.75").outcome(),
            (fx!("5"), Grade::C)
        );
        assert_eq!(
            fewer.set("citizen-satisfaction", "63.6").outcome(),
            (fx!("4.99"), Grade::D)
        );
    }

    #[test]
    fn discipline_is_not_completed_whatever_the_points() {
        let case = flawless().set("disciplined", "1");
        assert_eq!(case.outcome(), (fx!("10"), Grade::D));
        assert_eq!(case.caps(), ["disciplined"]);
    }

    #[test]
    fn breaches_are_lower_is_better() {
        let lights = |n: &str| {
            let e = flawless().set("discipline-breaches", n).evaluate().unwrap();
            (e.indicators[4].score, e.indicators[4].light)
        };
        assert_eq!(lights("0"), (fx!("1"), Light::Green));
        assert_eq!(lights("1"), (fx!("0.5"), Light::Yellow));
        assert_eq!(lights("2"), (fx!("0"), Light::Red));
        assert_eq!(lights("9"), (fx!("0"), Light::Red));
    }

    #[test]
    fn nothing_planned_is_nothing_owed() {
        let case = flawless()
            .set("tasks-assigned", "0")
            .set("tasks-completed", "0")
            .set("tasks-on-time", "0")
            .set("inspections-planned", "0")
            .set("inspections-done", "0");
        assert_eq!(case.outcome(), (fx!("10"), Grade::A));
    }

    #[test]
    fn every_missing_or_invalid_fact_is_named() {
        assert_fact_errors(&flawless());
    }
}
