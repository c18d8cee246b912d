//! Public Administration Service Centre clerk, quarterly: the full-time staff of
//! the centre of ward 2, Ha Giang, are evaluated each quarter on the results
//! linked to their position — applications resolved against those assigned, the
//! share resolved on time or early (the centre's 99.1 % is green), citizen and
//! business satisfaction, justified complaints, applications resolved per working
//! day — plus public-service culture and compliance with regulations. Scored on
//! the 100-point scale of Decree 335/2025/NĐ-CP: task results 70 points, general
//! criteria 30; excellent from 90, good from 70, completed from 50; discipline or
//! officially found degradation means "did not complete tasks" whatever the points.
//! The two conduct criteria are assessed by people (the clerk, then the
//! director) through the host's assessment procedure.

// On wasm the scorecard links no std: no WASI imports, a cheaper instance.
#![cfg_attr(target_family = "wasm", no_std)]

use thuocdo_sdk::prelude::*;

/// The scorecard.
pub struct ServiceCentreClerk;
thuocdo_sdk::scorecard!(ServiceCentreClerk);

const DECREE_335: Basis = Basis::doc("Nghị định 335/2025/NĐ-CP");
const DECISION_766: Basis = Basis::doc("Quyết định 766/QĐ-TTg");
const CIVIL_SERVANTS_LAW: Basis = Basis::doc("Luật Cán bộ, công chức 2025");

const APPLICATIONS: Text = t("hồ sơ", "applications");
const ONE_STOP_SYSTEM: Text = t(
    "Hệ thống thông tin giải quyết thủ tục hành chính, theo tài khoản của công chức, chốt số liệu ngày cuối quý",
    "The administrative-procedure information system, by the clerk's account, cut off on the quarter's last day",
);
const DIRECTOR: Text = t(
    "Công chức tự chấm, Giám đốc Trung tâm chấm theo quy chế đánh giá của Trung tâm",
    "Self-assessed by the clerk, then assessed by the centre's director under the centre's evaluation rules",
);
/// The two conduct criteria go through the procedure of Decree 90 (kept by
/// Decree 335): the clerk assesses themself, the director (their direct
/// manager) assesses after the collective has commented; the director's
/// points are scored (1.1.0).
const ASSESSED: &[AssessmentStep] = &[
    AssessmentStep::SelfAssessment,
    AssessmentStep::DirectManager,
];

/// What a one-stop clerk of the centre is measured on.
pub const CARD: Card = Card {
    name: "hagiang-ward2-pasc/service-centre-clerk",
    version: env!("CARGO_PKG_VERSION"),
    title: t(
        "Công chức Trung tâm Phục vụ hành chính công (quý)",
        "Public Administration Service Centre clerk (quarterly)",
    ),
    description: t(
        "Đánh giá hằng quý công chức chuyên trách của Trung tâm Phục vụ hành chính công phường 2, Hà Giang: hồ sơ giải quyết, tỷ lệ đúng hạn, sự hài lòng của người dân và doanh nghiệp, phản ánh, năng suất, văn hóa công vụ và chấp hành quy chế",
        "Quarterly evaluation of the full-time staff of the Public Administration Service Centre of ward 2, Ha Giang: applications resolved, on-time rate, citizen and business satisfaction, complaints, throughput, public-service culture and compliance with regulations",
    ),
    applies_to: &["one-stop-clerk"],
    period: PeriodKind::Quarter,
    basis: &[CIVIL_SERVANTS_LAW, DECREE_335, DECISION_766],
    facts: &[
        Fact::count("applications-assigned", t("Hồ sơ được giao giải quyết trong quý (tiếp nhận mới và kỳ trước chuyển sang)", "Applications assigned in the quarter (newly received and carried over)"), APPLICATIONS)
            .neutral()
            .source(ONE_STOP_SYSTEM),
        Fact::count("applications-resolved", t("Hồ sơ đã giải quyết trong quý", "Applications resolved in the quarter"), APPLICATIONS)
            .source(ONE_STOP_SYSTEM),
        Fact::count("applications-on-time", t("Hồ sơ giải quyết trước hạn và đúng hạn", "Applications resolved early or on time"), APPLICATIONS)
            .source(ONE_STOP_SYSTEM),
        Fact::count("working-days", t("Số ngày làm việc của công chức trong quý", "Days the clerk worked in the quarter"), t("ngày làm việc", "working days"))
            .range(fx!("1"), Some(fx!("92")))
            .neutral()
            .source(t("Bảng chấm công của Trung tâm", "The centre's attendance sheet")),
        Fact::percent("citizen-satisfaction", t("Tỷ lệ người dân, doanh nghiệp hài lòng", "Citizens and businesses satisfied"))
            .optional()
            .source(t(
                "Đánh giá của người dân, doanh nghiệp tại thiết bị đánh giá ở quầy và trên Cổng Dịch vụ công quốc gia; không có lượt đánh giá nào trong quý thì để trống",
                "Ratings by citizens and businesses on the counter's rating device and the National Public Service Portal; left empty when nobody rated in the quarter",
            )),
        Fact::count("complaints", t("Phản ánh, khiếu nại có căn cứ về công chức", "Justified complaints about the clerk"), units::CASES)
            .lower_is_better()
            .source(t("Sổ theo dõi phản ánh, kiến nghị của Trung tâm", "The centre's register of complaints and feedback")),
        Fact::new("public-service-culture", t("Văn hóa công vụ", "Public-service culture"), units::POINTS)
            .range(fx!("0"), Some(fx!("15")))
            .assessed(ASSESSED)
            .source(DIRECTOR),
        Fact::new("regulation-compliance", t("Chấp hành quy chế, quy định", "Compliance with regulations"), units::POINTS)
            .range(fx!("0"), Some(fx!("15")))
            .assessed(ASSESSED)
            .source(DIRECTOR),
        Fact::flag("disciplined", t(
            "Bị kỷ luật từ khiển trách trở lên trong năm (tính đến hết quý) do vi phạm khi thi hành công vụ",
            "Disciplined (reprimand or above) in the year, up to the quarter's end, for a public-service violation",
        )),
        Fact::flag("degraded", t(
            "Bị cơ quan có thẩm quyền kết luận suy thoái về tư tưởng chính trị, đạo đức, lối sống",
            "Officially found to show political or moral degradation",
        )),
    ],
    indicators: &[
        Indicator::new("resolved-share", Group::Volume, t("Hồ sơ giải quyết so với được giao", "Applications resolved against assigned"), units::PERCENT)
            .thresholds(fx!("95"), fx!("80"))
            .points(fx!("15"))
            .reads(&["applications-resolved", "applications-assigned"])
            .formula(t(
                "Đã giải quyết / được giao × 100 (không được giao hồ sơ nào: đạt); mỗi điểm phần trăm trên 80% được 1 điểm, đủ 15 điểm từ 95% (hồ sơ nhận những ngày cuối quý còn trong hạn)",
                "Resolved / assigned × 100 (none assigned: met); one point per percentage point above 80 %, full 15 points from 95 % (applications received in the quarter's last days are still within their deadline)",
            ))
            .basis(DECREE_335),
        Indicator::new("on-time-rate", Group::Progress, t("Tỷ lệ hồ sơ giải quyết trước hạn và đúng hạn", "Applications resolved early or on time"), units::PERCENT)
            .thresholds(fx!("99"), fx!("90"))
            .points(fx!("20"))
            .reads(&["applications-on-time", "applications-resolved", "applications-assigned"])
            .formula(t(
                "Trước hạn và đúng hạn / đã giải quyết × 100 (chưa giải quyết hồ sơ nào: 0%, trừ khi không được giao hồ sơ nào); đủ 20 điểm từ 99%, không điểm từ 90% trở xuống, tuyến tính ở giữa",
                "Early or on time / resolved × 100 (none resolved: 0 %, unless none was assigned); full 20 points from 99 %, none at 90 % or less, linear between",
            ))
            .basis(DECREE_335),
        Indicator::new("satisfaction", Group::Quality, t("Sự hài lòng của người dân, doanh nghiệp", "Citizen and business satisfaction"), units::PERCENT)
            .thresholds(fx!("90"), fx!("70"))
            .points(fx!("10"))
            .no_data_score(fx!("5"))
            .reads(&["citizen-satisfaction"])
            .formula(t(
                "Tỷ lệ hài lòng; đủ 10 điểm từ 90%, không điểm từ 70% trở xuống, tuyến tính ở giữa; không có lượt đánh giá nào trong quý: đánh dấu không có số liệu, 5 điểm (bằng mức 80%, không thưởng không phạt)",
                "Share satisfied; full 10 points from 90 %, none at 70 % or less, linear between; nobody rated in the quarter: flagged as no data, 5 points (as at 80 %, neither reward nor penalty)",
            ))
            .basis(DECISION_766),
        Indicator::new("complaints", Group::Quality, t("Phản ánh, khiếu nại có căn cứ", "Justified complaints"), units::CASES)
            .thresholds(fx!("0"), fx!("4"))
            .points(fx!("10"))
            .reads(&["complaints"])
            .formula(t(
                "Không có phản ánh: đủ 10 điểm; mỗi phản ánh có căn cứ trừ 2,5 điểm (25% số điểm, như mỗi sai sót lớn theo Nghị định 335); từ 4 phản ánh: 0 điểm",
                "No complaint: full 10 points; each justified complaint costs 2.5 points (25 % of the item, as each major error under Decree 335); 4 or more: none",
            ))
            .basis(DECREE_335),
        Indicator::new("throughput", Group::Efficiency, t("Hồ sơ giải quyết mỗi ngày làm việc", "Applications resolved per working day"), t("hồ sơ / ngày làm việc", "applications / working day"))
            .thresholds(fx!("3"), fx!("1"))
            .points(fx!("15"))
            .reads(&["applications-resolved", "working-days"])
            .formula(t(
                "Đã giải quyết / số ngày làm việc; đủ 15 điểm từ 3 hồ sơ mỗi ngày, không điểm từ 1 hồ sơ mỗi ngày trở xuống, tuyến tính ở giữa",
                "Resolved / working days; full 15 points from 3 applications a day, none at 1 a day or less, linear between",
            )),
        Indicator::new("public-service-culture", Group::Conduct, t("Văn hóa công vụ", "Public-service culture"), units::POINTS)
            .thresholds(fx!("13.5"), fx!("7.5"))
            .points(fx!("15"))
            .reads(&["public-service-culture"])
            .formula(t(
                "Điểm Giám đốc Trung tâm chấm, 0 đến 15, tính thẳng; xanh từ 13,5 (90%), đỏ từ 7,5 (50%) trở xuống",
                "The director's assessment, 0 to 15, counted as it is; green from 13.5 (90 %), red at 7.5 (50 %) or less",
            ))
            .basis(DECREE_335),
        Indicator::new("regulation-compliance", Group::Conduct, t("Chấp hành quy chế, quy định", "Compliance with regulations"), units::POINTS)
            .thresholds(fx!("13.5"), fx!("7.5"))
            .points(fx!("15"))
            .reads(&["regulation-compliance"])
            .formula(t(
                "Điểm Giám đốc Trung tâm chấm, 0 đến 15, tính thẳng; xanh từ 13,5 (90%), đỏ từ 7,5 (50%) trở xuống",
                "The director's assessment, 0 to 15, counted as it is; green from 13.5 (90 %), red at 7.5 (50 %) or less",
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
                "Bị kỷ luật trong năm do vi phạm khi thi hành công vụ: không hoàn thành nhiệm vụ",
                "Disciplined in the year for a public-service violation: did not complete tasks",
            ),
            DECREE_335,
        ),
        Cap::new(
            "degraded",
            Grade::D,
            t(
                "Bị kết luận suy thoái về tư tưởng chính trị, đạo đức, lối sống: không hoàn thành nhiệm vụ",
                "Found to show political or moral degradation: did not complete tasks",
            ),
            DECREE_335,
        ),
    ],
    quotas: &[],
    reads_products: false,
};

/// `part` per `whole`, to four decimals as [`percent`] rounds; `None` when `whole` is zero.
fn per(part: Fixed, whole: Fixed) -> Option<Fixed> {
    let ratio = part.exact().checked_div(whole.exact())?;
    Some(ratio.round(Fixed::from_raw(1), Rounding::HalfAwayFromZero))
}

impl Scorecard for ServiceCentreClerk {
    const CARD: &'static Card = &CARD;

    fn score(f: &Facts, s: &mut Sheet) -> Result<(), EvalError> {
        let assigned = f.get("applications-assigned")?;
        let resolved = f.get("applications-resolved")?;
        // More on time than resolved is a slip in the data, not extra merit.
        let on_time = f.get("applications-on-time")?.min(resolved);
        let met = Some(fx!("100")); // nothing assigned, nothing owed
        // Resolving nothing must not read as "nothing late".
        let none_resolved = if assigned == Fixed::ZERO {
            met
        } else {
            Some(Fixed::ZERO)
        };
        let culture = f.get("public-service-culture")?;
        let compliance = f.get("regulation-compliance")?;

        s.linear("resolved-share", percent(resolved, assigned).or(met));
        s.linear("on-time-rate", percent(on_time, resolved).or(none_resolved));
        s.linear("satisfaction", f.optional("citizen-satisfaction"));
        s.linear("complaints", Some(f.get("complaints")?));
        s.linear("throughput", per(resolved, f.get("working-days")?));
        // The director's assessment is already in points.
        s.score("public-service-culture", culture, culture.exact());
        s.score("regulation-compliance", compliance, compliance.exact());
        s.cap_if(f.flag("disciplined")?, "disciplined");
        s.cap_if(f.flag("degraded")?, "degraded");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use thuocdo_sdk::testing::{Case, assert_card, assert_fact_errors};

    /// A clerk at the centre's own pace: 200 of 200 resolved, 199 on time,
    /// 3.125 a day over Q3 2025's 64 working days, 98 % satisfied, no complaint,
    /// full conduct points, no discipline.
    fn exemplary() -> Case<ServiceCentreClerk> {
        Case::new()
            .set("applications-assigned", "200")
            .set("applications-resolved", "200")
            .set("applications-on-time", "199")
            .set("working-days", "64")
            .set("citizen-satisfaction", "98")
            .set("complaints", "0")
            .set("public-service-culture", "15")
            .set("regulation-compliance", "15")
            .set("disciplined", "0")
            .set("degraded", "0")
    }

    fn indicator(case: &Case<ServiceCentreClerk>, id: &str) -> (Option<Fixed>, Fixed, Light) {
        let eval = case.evaluate().unwrap();
        let r = eval.indicators[CARD.find_indicator(id).0];
        (r.raw, r.score, r.light)
    }

    #[test]
    fn card_is_consistent() {
        assert_card::<ServiceCentreClerk>();
    }

    #[test]
    fn exemplary_is_excellent() {
        assert_eq!(exemplary().outcome(), (fx!("100"), Grade::A));
    }

    #[test]
    fn the_centres_own_rate_is_green() {
        // 2,774 applications, 99.1 % on time: 2,749 of them, 99.0988 %.
        let centre = exemplary()
            .set("applications-assigned", "2774")
            .set("applications-resolved", "2774")
            .set("applications-on-time", "2749");
        assert_eq!(
            indicator(&centre, "on-time-rate"),
            (Some(fx!("99.0988")), fx!("20"), Light::Green)
        );
    }

    #[test]
    fn excellent_from_ninety_exactly() {
        // Two complaints cost 5 points; 80 % satisfied scores 5 of 10, 79.98 % scores 4.99.
        let two_complaints = exemplary().set("complaints", "2");
        assert_eq!(
            two_complaints
                .clone()
                .set("citizen-satisfaction", "80")
                .outcome(),
            (fx!("90"), Grade::A)
        );
        assert_eq!(
            two_complaints
                .set("citizen-satisfaction", "79.98")
                .outcome(),
            (fx!("89.99"), Grade::B)
        );
    }

    #[test]
    fn good_from_seventy_exactly() {
        let no_conduct = exemplary()
            .set("public-service-culture", "0")
            .set("regulation-compliance", "0");
        assert_eq!(no_conduct.outcome(), (fx!("70"), Grade::B));
        // 89.98 % satisfied is 9.99 of 10.
        assert_eq!(
            no_conduct.set("citizen-satisfaction", "89.98").outcome(),
            (fx!("69.99"), Grade::C)
        );
    }

    #[test]
    fn completed_from_fifty_exactly() {
        let weak = exemplary()
            .set("applications-assigned", "10000")
            .set("applications-resolved", "10000")
            .set("applications-on-time", "10000")
            .set("public-service-culture", "0")
            .set("regulation-compliance", "0")
            .set("complaints", "4")
            .set("citizen-satisfaction", "70");
        assert_eq!(weak.outcome(), (fx!("50"), Grade::C));
        // 9,499 of 10,000 resolved is 94.99 %: 14.99 points.
        let short = weak
            .set("applications-resolved", "9499")
            .set("applications-on-time", "9499");
        assert_eq!(
            indicator(&short, "resolved-share"),
            (Some(fx!("94.99")), fx!("14.99"), Light::Yellow)
        );
        assert_eq!(short.outcome(), (fx!("49.99"), Grade::D));
    }

    #[test]
    fn discipline_caps_to_not_completed_whatever_the_points() {
        let case = exemplary().set("disciplined", "1");
        assert_eq!(case.outcome(), (fx!("100"), Grade::D));
        assert_eq!(case.caps(), ["disciplined"]);
        assert!(exemplary().caps().is_empty());
    }

    #[test]
    fn degradation_caps_to_not_completed_whatever_the_points() {
        let case = exemplary().set("degraded", "1");
        assert_eq!(case.outcome(), (fx!("100"), Grade::D));
        assert_eq!(case.caps(), ["degraded"]);
        assert_eq!(
            case.set("disciplined", "1").caps(),
            ["disciplined", "degraded"]
        );
    }

    #[test]
    fn nobody_rated_is_no_data_not_zero() {
        let unrated = exemplary().unset("citizen-satisfaction");
        assert_eq!(
            indicator(&unrated, "satisfaction"),
            (None, fx!("5"), Light::NoData)
        );
        assert_eq!(unrated.outcome(), (fx!("95"), Grade::A));
    }

    #[test]
    fn each_complaint_costs_a_quarter_of_the_item() {
        assert_eq!(
            indicator(&exemplary(), "complaints"),
            (Some(fx!("0")), fx!("10"), Light::Green)
        );
        let one = exemplary().set("complaints", "1");
        assert_eq!(
            indicator(&one, "complaints"),
            (Some(fx!("1")), fx!("7.5"), Light::Yellow)
        );
        assert_eq!(one.outcome(), (fx!("97.5"), Grade::A));
        let four = exemplary().set("complaints", "4");
        assert_eq!(
            indicator(&four, "complaints"),
            (Some(fx!("4")), fx!("0"), Light::Red)
        );
        let six = exemplary().set("complaints", "6");
        assert_eq!(
            indicator(&six, "complaints"),
            (Some(fx!("6")), fx!("0"), Light::Red)
        );
    }

    #[test]
    fn nothing_assigned_means_nothing_owed_but_no_throughput() {
        let idle = exemplary()
            .set("applications-assigned", "0")
            .set("applications-resolved", "0")
            .set("applications-on-time", "0");
        assert_eq!(
            indicator(&idle, "resolved-share"),
            (Some(fx!("100")), fx!("15"), Light::Green)
        );
        assert_eq!(
            indicator(&idle, "on-time-rate"),
            (Some(fx!("100")), fx!("20"), Light::Green)
        );
        assert_eq!(
            indicator(&idle, "throughput"),
            (Some(fx!("0")), fx!("0"), Light::Red)
        );
        assert_eq!(idle.outcome(), (fx!("85"), Grade::B));
    }

    #[test]
    fn resolving_nothing_is_not_on_time() {
        let stalled = exemplary()
            .set("applications-resolved", "0")
            .set("applications-on-time", "0")
            .unset("citizen-satisfaction");
        assert_eq!(
            indicator(&stalled, "on-time-rate"),
            (Some(fx!("0")), fx!("0"), Light::Red)
        );
        // Conduct 30, no complaint 10, unrated 5.
        assert_eq!(stalled.outcome(), (fx!("45"), Grade::D));
    }

    #[test]
    fn carried_over_work_beyond_the_assignment_is_capped_at_full_points() {
        let ahead = exemplary()
            .set("applications-resolved", "250")
            .set("applications-on-time", "250");
        assert_eq!(
            indicator(&ahead, "resolved-share"),
            (Some(fx!("125")), fx!("15"), Light::Green)
        );
        assert_eq!(ahead.outcome(), (fx!("100"), Grade::A));
    }

    #[test]
    fn more_on_time_than_resolved_counts_as_all_on_time() {
        let slip = exemplary().set("applications-on-time", "210");
        assert_eq!(
            indicator(&slip, "on-time-rate"),
            (Some(fx!("100")), fx!("20"), Light::Green)
        );
    }

    #[test]
    fn progress_and_throughput_score_between_their_thresholds() {
        // 189 of 200 on time is 94.5 %, half way from 90 to 99: 10 of 20 points.
        let late = exemplary().set("applications-on-time", "189");
        assert_eq!(
            indicator(&late, "on-time-rate"),
            (Some(fx!("94.5")), fx!("10"), Light::Yellow)
        );
        // 200 over 80 working days is 2.5 a day, three quarters of the way from 1 to 3.
        let slow = exemplary().set("working-days", "80");
        assert_eq!(
            indicator(&slow, "throughput"),
            (Some(fx!("2.5")), fx!("11.25"), Light::Yellow)
        );
        // Over 92 days, 2.1739 a day: 15 × 1.1739 / 2 = 8.80425, rounded to 8.8.
        let slower = exemplary().set("working-days", "92");
        assert_eq!(
            indicator(&slower, "throughput"),
            (Some(fx!("2.1739")), fx!("8.8"), Light::Yellow)
        );
    }

    #[test]
    fn conduct_points_are_counted_as_assessed() {
        let case = exemplary()
            .set("public-service-culture", "13.5")
            .set("regulation-compliance", "7.5");
        assert_eq!(
            indicator(&case, "public-service-culture"),
            (Some(fx!("13.5")), fx!("13.5"), Light::Green)
        );
        assert_eq!(
            indicator(&case, "regulation-compliance"),
            (Some(fx!("7.5")), fx!("7.5"), Light::Red)
        );
        assert_eq!(case.outcome(), (fx!("91"), Grade::A));
    }

    #[test]
    fn every_missing_or_invalid_fact_is_named() {
        assert_fact_errors(&exemplary());
    }
}
