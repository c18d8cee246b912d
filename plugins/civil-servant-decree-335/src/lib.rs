//! Civil servants, yearly, by the national method of Decree 335/2025/NĐ-CP:
//! up to 30 points of general criteria and 70 of task results. Task results
//! compare completed with assigned work in three parts — quantity, quality,
//! progress — each worth its points times the completion ratio; every major
//! content error takes 25 % of the quality points and every delay 25 % of the
//! progress points. Excellent from 90, good from 70, completed from 50.
//!
//! Whatever the points: discipline (reprimand or above) in the year, political
//! or moral degradation, or — for a leader — corruption or waste in the unit they
//! directly manage means "did not complete tasks"; under six months worked
//! (maternity leave excepted) is not graded, and three to under six months absent
//! is at most "completed" (Decree 90/2020 as amended by Decree 48/2023). The
//! quota — excellent at most 20 % of those graded good, within one agency and
//! one group of similar tasks — is declared for the host to apply across cohorts.

// On wasm the scorecard links no std: no WASI imports, a cheaper instance.
#![cfg_attr(target_family = "wasm", no_std)]

use thuocdo_sdk::prelude::*;

/// The scorecard.
pub struct CivilServantDecree335;
thuocdo_sdk::scorecard!(CivilServantDecree335);

const DECREE_335: Basis = Basis::doc("Nghị định 335/2025/NĐ-CP");
const DECREE_90_48: Basis =
    Basis::doc("Nghị định 90/2020/NĐ-CP, sửa đổi bởi Nghị định 48/2023/NĐ-CP");

/// General criteria, each assessed in points through the procedure Decree
/// 335 keeps from Decree 90: the servant assesses themself, the collective
/// comments, the direct manager assesses; the manager's points are scored
/// (1.1.0).
const fn criterion(name: &'static str, title: Text) -> Fact {
    Fact::new(name, title, units::POINTS)
        .range(fx!("0"), Some(fx!("10")))
        .assessed(&[
            AssessmentStep::SelfAssessment,
            AssessmentStep::DirectManager,
        ])
        .source(t(
            "Công chức tự đánh giá, thủ trưởng trực tiếp đánh giá",
            "Self-assessed, then assessed by the direct manager",
        ))
}

/// A general criterion as an indicator: its points as assessed.
const fn general(id: &'static str, title: Text, fact: &'static [&'static str]) -> Indicator {
    Indicator::new(id, Group::Conduct, title, units::POINTS)
        .thresholds(fx!("8"), fx!("5"))
        .points(fx!("10"))
        .reads(fact)
        .formula(t(
            "Điểm do thủ trưởng đánh giá, tối đa 10",
            "Points as assessed by the manager, at most 10",
        ))
        .basis(DECREE_335)
}

/// The national method.
pub const CARD: Card = Card {
    name: "moha/civil-servant-decree-335",
    version: env!("CARGO_PKG_VERSION"),
    title: t(
        "Công chức (năm) — Nghị định 335/2025",
        "Civil servant (yearly) — Decree 335/2025",
    ),
    description: t(
        "Thang 100 điểm: tiêu chí chung 30 điểm, kết quả nhiệm vụ 70 điểm (số lượng, chất lượng, tiến độ)",
        "100-point scale: general criteria 30 points, task results 70 (quantity, quality, progress)",
    ),
    applies_to: &["civil-servant"],
    period: PeriodKind::Year,
    basis: &[DECREE_335, DECREE_90_48],
    facts: &[
        criterion(
            "politics-ethics",
            t(
                "Chính trị, tư tưởng, đạo đức, lối sống",
                "Politics, ethics and way of life",
            ),
        ),
        criterion(
            "working-style",
            t(
                "Tác phong, lề lối làm việc, văn hóa công vụ",
                "Working style and public-service culture",
            ),
        ),
        criterion(
            "discipline-responsibility",
            t(
                "Ý thức tổ chức kỷ luật, trách nhiệm",
                "Discipline and responsibility",
            ),
        ),
        Fact::count(
            "tasks-assigned",
            t("Nhiệm vụ được giao trong năm", "Tasks assigned in the year"),
            units::TASKS,
        )
        .range(fx!("1"), None)
        .neutral(),
        Fact::count(
            "tasks-completed",
            t("Nhiệm vụ đã hoàn thành", "Tasks completed"),
            units::TASKS,
        ),
        Fact::count(
            "major-errors",
            t("Sai sót lớn về nội dung", "Major content errors"),
            units::CASES,
        )
        .lower_is_better(),
        Fact::count("delays", t("Số lần chậm tiến độ", "Delays"), units::CASES).lower_is_better(),
        Fact::flag(
            "disciplined",
            t(
                "Bị kỷ luật từ khiển trách trở lên trong năm",
                "Disciplined (reprimand or above) in the year",
            ),
        ),
        Fact::flag(
            "degradation",
            t(
                "Có kết luận suy thoái chính trị, đạo đức",
                "Officially found to show political or moral degradation",
            ),
        ),
        Fact::flag(
            "leader",
            t("Là người đứng đầu, lãnh đạo", "Holds a leading post"),
        ),
        Fact::flag(
            "corruption-in-unit",
            t(
                "Để xảy ra tham nhũng, lãng phí ở đơn vị trực tiếp quản lý",
                "Corruption or waste in the unit directly managed",
            ),
        ),
        Fact::count(
            "months-worked",
            t("Số tháng công tác trong năm", "Months worked in the year"),
            units::MONTHS,
        )
        .range(fx!("0"), Some(fx!("12")))
        .neutral(),
        Fact::count(
            "months-absent",
            t("Số tháng nghỉ làm trong năm", "Months absent in the year"),
            units::MONTHS,
        )
        .range(fx!("0"), Some(fx!("12")))
        .lower_is_better(),
        Fact::flag(
            "maternity-leave",
            t("Nghỉ thai sản trong năm", "On maternity leave in the year"),
        ),
    ],
    indicators: &[
        general(
            "politics-ethics",
            t(
                "Chính trị, tư tưởng, đạo đức, lối sống",
                "Politics, ethics and way of life",
            ),
            &["politics-ethics"],
        ),
        general(
            "working-style",
            t(
                "Tác phong, lề lối làm việc, văn hóa công vụ",
                "Working style and public-service culture",
            ),
            &["working-style"],
        ),
        general(
            "discipline-responsibility",
            t(
                "Ý thức tổ chức kỷ luật, trách nhiệm",
                "Discipline and responsibility",
            ),
            &["discipline-responsibility"],
        ),
        Indicator::new(
            "task-quantity",
            Group::Volume,
            t(
                "Số lượng nhiệm vụ hoàn thành",
                "Quantity of tasks completed",
            ),
            units::PERCENT,
        )
        .thresholds(fx!("100"), fx!("80"))
        .points(fx!("30"))
        .reads(&["tasks-completed", "tasks-assigned"])
        .formula(t(
            "30 × hệ số hoàn thành (hoàn thành / được giao, tối đa 1)",
            "30 × completion coefficient (completed / assigned, at most 1)",
        ))
        .basis(DECREE_335),
        Indicator::new(
            "task-quality",
            Group::Quality,
            t("Chất lượng nhiệm vụ", "Quality of tasks"),
            units::CASES,
        )
        .thresholds(fx!("0"), fx!("4"))
        .points(fx!("20"))
        .reads(&["major-errors", "tasks-completed", "tasks-assigned"])
        .formula(t(
            "20 × hệ số hoàn thành, trừ 25% cho mỗi sai sót lớn về nội dung",
            "20 × completion coefficient, less 25 % per major content error",
        ))
        .basis(DECREE_335),
        Indicator::new(
            "task-progress",
            Group::Progress,
            t("Tiến độ nhiệm vụ", "Progress of tasks"),
            units::CASES,
        )
        .thresholds(fx!("0"), fx!("4"))
        .points(fx!("20"))
        .reads(&["delays", "tasks-completed", "tasks-assigned"])
        .formula(t(
            "20 × hệ số hoàn thành, trừ 25% cho mỗi lần chậm tiến độ",
            "20 × completion coefficient, less 25 % per delay",
        ))
        .basis(DECREE_335),
    ],
    scale: Scale::points(fx!("100")),
    bands: &bands(fx!("90"), fx!("70"), fx!("50")),
    caps: &[
        Cap::new(
            "disciplined",
            Grade::D,
            t(
                "Bị kỷ luật từ khiển trách trở lên trong năm do vi phạm trong thực thi công vụ",
                "Disciplined (reprimand or above) in the year for a public-service violation",
            ),
            DECREE_335,
        ),
        Cap::new(
            "degradation",
            Grade::D,
            t(
                "Có kết luận suy thoái về tư tưởng chính trị, đạo đức, lối sống",
                "Officially found to show political or moral degradation",
            ),
            DECREE_335,
        ),
        Cap::new(
            "leader-corruption-or-waste",
            Grade::D,
            t(
                "Người lãnh đạo để xảy ra tham nhũng, lãng phí ở đơn vị trực tiếp quản lý",
                "A leader with corruption or waste in the unit they directly manage",
            ),
            DECREE_335,
        ),
        Cap::new(
            "under-six-months",
            Grade::NotGraded,
            t(
                "Công tác dưới 6 tháng trong năm: không đánh giá, xếp loại",
                "Under six months worked in the year: not graded",
            ),
            DECREE_90_48,
        ),
        Cap::new(
            "absent-three-to-six-months",
            Grade::C,
            t(
                "Nghỉ từ 3 tháng đến dưới 6 tháng: tối đa hoàn thành nhiệm vụ",
                "Absent three to under six months: at most \"completed tasks\"",
            ),
            DECREE_90_48,
        ),
    ],
    quotas: &[Quota::excellent_share_of_good(
        "excellent-quota",
        fx!("0.2"),
        DECREE_335,
    )],
    reads_products: false,
};

impl Scorecard for CivilServantDecree335 {
    const CARD: &'static Card = &CARD;

    fn score(f: &Facts, s: &mut Sheet) -> Result<(), EvalError> {
        for criterion in [
            "politics-ethics",
            "working-style",
            "discipline-responsibility",
        ] {
            let points = f.get(criterion)?;
            s.score(criterion, points, points.exact());
        }

        let completed = f.get("tasks-completed")?;
        let assigned = f.get("tasks-assigned")?; // at least 1, by its range
        let coefficient = (completed.exact() / assigned.exact()).min(Exact::int(1));
        let less_quarter_per =
            |n: Fixed| (Exact::int(1) - n.exact() * Fixed::lit("0.25").exact()).max(Exact::ZERO);
        let (errors, delays) = (f.get("major-errors")?, f.get("delays")?);

        s.score(
            "task-quantity",
            percent(completed, assigned).unwrap_or_default(),
            coefficient * Exact::int(30),
        );
        s.score(
            "task-quality",
            errors,
            coefficient * Exact::int(20) * less_quarter_per(errors),
        );
        s.score(
            "task-progress",
            delays,
            coefficient * Exact::int(20) * less_quarter_per(delays),
        );

        s.cap_if(f.flag("disciplined")?, "disciplined");
        s.cap_if(f.flag("degradation")?, "degradation");
        s.cap_if(
            f.flag("leader")? && f.flag("corruption-in-unit")?,
            "leader-corruption-or-waste",
        );
        let (worked, absent) = (f.get("months-worked")?, f.get("months-absent")?);
        s.cap_if(
            worked < fx!("6") && !f.flag("maternity-leave")?,
            "under-six-months",
        );
        s.cap_if(
            absent >= fx!("3") && absent < fx!("6"),
            "absent-three-to-six-months",
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use thuocdo_sdk::testing::{Case, assert_card, assert_fact_errors};

    /// A full year, every task done on time without error, full general points.
    fn exemplary() -> Case<CivilServantDecree335> {
        Case::new()
            .set("politics-ethics", "10")
            .set("working-style", "10")
            .set("discipline-responsibility", "10")
            .set("tasks-assigned", "40")
            .set("tasks-completed", "40")
            .set("major-errors", "0")
            .set("delays", "0")
            .set("disciplined", "0")
            .set("degradation", "0")
            .set("leader", "0")
            .set("corruption-in-unit", "0")
            .set("months-worked", "12")
            .set("months-absent", "0")
            .set("maternity-leave", "0")
    }

    #[test]
    fn card_is_consistent() {
        assert_card::<CivilServantDecree335>();
    }

    #[test]
    fn exemplary_year_scores_a_hundred() {
        assert_eq!(exemplary().outcome(), (fx!("100"), Grade::A));
    }

    #[test]
    fn grade_boundaries_at_ninety_seventy_and_fifty() {
        let conduct = |pe: &str, ws: &str, dr: &str| {
            exemplary()
                .set("politics-ethics", pe)
                .set("working-style", ws)
                .set("discipline-responsibility", dr)
        };
        assert_eq!(conduct("10", "10", "0").outcome(), (fx!("90"), Grade::A));
        assert_eq!(
            conduct("10", "9.99", "0").outcome(),
            (fx!("89.99"), Grade::B)
        );
        // Four delays take the progress points (task results 50).
        assert_eq!(
            conduct("10", "10", "0").set("delays", "4").outcome(),
            (fx!("70"), Grade::B)
        );
        assert_eq!(
            conduct("9.99", "10", "0").set("delays", "4").outcome(),
            (fx!("69.99"), Grade::C)
        );
        assert_eq!(
            conduct("0", "0", "0").set("delays", "4").outcome(),
            (fx!("50"), Grade::C)
        );
        // Four major errors take the quality points (task results 50).
        // One major error leaves 15 of 20 quality points (task results 45).
        assert_eq!(
            conduct("5", "0", "0")
                .set("major-errors", "1")
                .set("delays", "4")
                .outcome(),
            (fx!("50"), Grade::C)
        );
        assert_eq!(
            conduct("4.99", "0", "0")
                .set("major-errors", "1")
                .set("delays", "4")
                .outcome(),
            (fx!("49.99"), Grade::D)
        );
    }

    #[test]
    fn each_error_or_delay_costs_a_quarter_of_its_item() {
        let item = |errors: &str, delays: &str| {
            let e = exemplary()
                .set("major-errors", errors)
                .set("delays", delays)
                .evaluate()
                .unwrap();
            (e.indicators[4].score, e.indicators[5].score)
        };
        assert_eq!(item("1", "0"), (fx!("15"), fx!("20")));
        assert_eq!(item("2", "3"), (fx!("10"), fx!("5")));
        assert_eq!(item("5", "9"), (fx!("0"), fx!("0")));
    }

    #[test]
    fn completion_ratio_is_the_coefficient() {
        // 37 of 40: coefficient 0.925. Quantity 27.75, quality 18.5, progress 18.5.
        let e = exemplary().set("tasks-completed", "37").evaluate().unwrap();
        let scores: Vec<Fixed> = e.indicators[3..].iter().map(|r| r.score).collect();
        assert_eq!(scores, [fx!("27.75"), fx!("18.5"), fx!("18.5")]);
        assert_eq!(e.indicators[3].raw, Some(fx!("92.5")));
        // 2 of 3 with one delay: 20 × 2/3 × 0.75 = 10 exactly; 30 × 2/3 = 20.
        let e = exemplary()
            .set("tasks-assigned", "3")
            .set("tasks-completed", "2")
            .set("delays", "1")
            .evaluate()
            .unwrap();
        assert_eq!(e.indicators[3].score, fx!("20"));
        assert_eq!(e.indicators[4].score, fx!("13.33"));
        assert_eq!(e.indicators[5].score, fx!("10"));
        // Doing more than assigned earns no more than doing it all.
        assert_eq!(
            exemplary().set("tasks-completed", "45").outcome(),
            (fx!("100"), Grade::A)
        );
    }

    #[test]
    fn discipline_degradation_and_leaders_corruption_cap_to_not_completed() {
        for (facts, code) in [
            (&[("disciplined", "1")][..], "disciplined"),
            (&[("degradation", "1")][..], "degradation"),
            (
                &[("leader", "1"), ("corruption-in-unit", "1")][..],
                "leader-corruption-or-waste",
            ),
        ] {
            let case = facts.iter().fold(exemplary(), |c, (k, v)| c.set(k, v));
            assert_eq!(case.outcome(), (fx!("100"), Grade::D), "{code}");
            assert_eq!(case.caps(), [code]);
        }
        // Corruption in the unit weighs on its leader only.
        assert_eq!(
            exemplary().set("corruption-in-unit", "1").outcome(),
            (fx!("100"), Grade::A)
        );
    }

    #[test]
    fn under_six_months_worked_is_not_graded_unless_on_maternity_leave() {
        let short = exemplary()
            .set("months-worked", "5.5")
            .set("months-absent", "6.5");
        assert_eq!(short.outcome().1, Grade::NotGraded);
        assert_eq!(short.caps(), ["under-six-months"]);
        assert_eq!(exemplary().set("months-worked", "6").outcome().1, Grade::A);
        let maternity = exemplary()
            .set("months-worked", "4")
            .set("maternity-leave", "1");
        assert_eq!(maternity.outcome(), (fx!("100"), Grade::A));
        // Not graded overrides any other cap.
        assert_eq!(short.set("disciplined", "1").outcome().1, Grade::NotGraded);
    }

    #[test]
    fn three_to_under_six_months_absent_is_at_most_completed() {
        let absent = |m: &str| {
            exemplary()
                .set("months-absent", m)
                .set("months-worked", "9")
        };
        assert_eq!(absent("2.9").outcome().1, Grade::A);
        assert_eq!(absent("3").outcome().1, Grade::C);
        assert_eq!(absent("3").caps(), ["absent-three-to-six-months"]);
        assert_eq!(absent("5.9").outcome().1, Grade::C);
        assert!(absent("6").caps().is_empty());
        // The cap bounds from above: a D stays D.
        assert_eq!(absent("4").set("disciplined", "1").outcome().1, Grade::D);
    }

    #[test]
    fn the_quota_is_declared_for_the_host() {
        let q = &CARD.quotas[0];
        assert_eq!(
            (q.limited, q.relative_to, q.demote_to),
            (Grade::A, Grade::B, Grade::B)
        );
        assert_eq!(
            (q.share, q.allowance_rounding),
            (fx!("0.2"), Rounding::TowardZero)
        );
        assert_eq!(q.scope, [Scope::Agency, Scope::TaskGroup]);
    }

    #[test]
    fn every_missing_or_invalid_fact_is_named() {
        assert_fact_errors(&exemplary());
    }
}
