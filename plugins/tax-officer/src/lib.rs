//! Tax officer, monthly: the Provincial Tax Department's public, performance-based
//! staff evaluation on an A, B, C scale plus attendance. Five indicators are each
//! scored 0 to 10 and weighted into a 10-point total (step 0.01): revenue collected
//! against the assigned target (0.3), arrears recovered against those assigned
//! (0.2), returns processed on time (0.2), taxpayer complaints (0.15) and
//! unexcused absence (0.15). Grades follow Decree 335/2025/ND-CP's bands scaled to
//! 10 points (A from 9, B from 7, C from 5); three or more days absent without
//! leave cap the month at C, discipline caps it at D.

// On wasm the scorecard links no std: no WASI imports, a cheaper instance.
#![cfg_attr(target_family = "wasm", no_std)]

use thuocdo_sdk::prelude::*;

/// The scorecard.
pub struct TaxOfficer;
thuocdo_sdk::scorecard!(TaxOfficer);

const DECREE_335: Basis = Basis::doc("Nghị định 335/2025/NĐ-CP");
const CIVIL_SERVANTS_LAW: Basis = Basis::doc("Luật Cán bộ, công chức 2025");
// The department's own monthly rule, named as the press reports it: it has no
// published number to cite.
const DEPARTMENT_RULE: Basis = Basis::doc(
    "Thuế tỉnh Tuyên Quang: đánh giá, xếp loại công chức hằng tháng theo thang A, B, C kết hợp chấm công",
);

/// What a tax officer is measured on, month by month.
pub const CARD: Card = Card {
    name: "tuyenquang-tax/tax-officer",
    version: env!("CARGO_PKG_VERSION"),
    title: t("Công chức thuế (hằng tháng)", "Tax officer (monthly)"),
    description: t(
        "Đánh giá công chức Thuế tỉnh hằng tháng, công khai, dựa trên kết quả cá nhân và của đơn vị: \
         năm chỉ tiêu chấm theo thang 10 điểm rồi nhân trọng số (thu ngân sách 0,3; thu hồi nợ 0,2; \
         xử lý hồ sơ khai thuế đúng hạn 0,2; khiếu nại của người nộp thuế 0,15; chấp hành ngày công 0,15). \
         Thang xếp loại của Thuế tỉnh là A, B, C (A từ 9 điểm, B từ 7, C từ 5); loại D chỉ khi dưới 5 điểm \
         hoặc bị kỷ luật. Nghỉ không phép từ 3 ngày trong tháng: tối đa loại C.",
        "The Provincial Tax Department's monthly, public, performance-based staff evaluation, tied to \
         personal and unit results: five indicators scored on 10 points and weighted (revenue 0.3, \
         arrears recovery 0.2, returns processed on time 0.2, taxpayer complaints 0.15, attendance 0.15). \
         The department's scale is A, B, C (A from 9 points, B from 7, C from 5); D only below 5 points \
         or when disciplined. Three or more days absent without leave in the month: at most C.",
    ),
    applies_to: &["tax-officer"],
    period: PeriodKind::Month,
    basis: &[CIVIL_SERVANTS_LAW, DECREE_335, DEPARTMENT_RULE],
    facts: &[
        Fact::count("revenue-collected", t("Số thu ngân sách thực hiện trong tháng", "Revenue collected in the month"), units::VND_MILLION)
            .source(t("Ứng dụng quản lý thuế, đối chiếu với Kho bạc Nhà nước", "Tax administration application, reconciled with the State Treasury")),
        Fact::count("revenue-target", t("Chỉ tiêu thu được giao trong tháng", "Revenue target assigned for the month"), units::VND_MILLION)
            .range(fx!("1"), None)
            .neutral()
            .source(t("Kế hoạch giao chỉ tiêu thu của Thuế tỉnh", "The department's revenue-target plan")),
        Fact::count("arrears-recovered", t("Số nợ thuế thu hồi được", "Tax arrears recovered"), units::VND_MILLION)
            .source(t("Ứng dụng quản lý nợ thuế", "Tax-arrears management application")),
        Fact::count("arrears-assigned", t("Số nợ thuế được giao thu hồi trong tháng", "Tax arrears assigned for recovery in the month"), units::VND_MILLION)
            .neutral()
            .source(t("Kế hoạch thu hồi nợ của Thuế tỉnh", "The department's arrears-recovery plan")),
        Fact::percent("returns-on-time-rate", t("Tỷ lệ hồ sơ khai thuế xử lý đúng hạn", "Tax returns processed on time"))
            .optional()
            .source(t("Ứng dụng quản lý thuế: báo cáo hồ sơ theo công chức xử lý", "Tax administration application: returns by handling officer")),
        Fact::count("complaints", t("Khiếu nại của người nộp thuế có cơ sở về công chức", "Justified taxpayer complaints about the officer"), units::CASES)
            .lower_is_better()
            .source(t("Bộ phận tiếp nhận, giải quyết khiếu nại của Thuế tỉnh", "The department's complaint-handling office")),
        Fact::count("unexcused-absence-days", t("Số ngày nghỉ không phép trong tháng", "Days absent without leave in the month"), t("ngày", "days"))
            .range(fx!("0"), Some(fx!("31")))
            .lower_is_better()
            .source(t("Bảng chấm công của đơn vị", "The unit's attendance register")),
        Fact::flag("disciplined", t("Bị kỷ luật (khiển trách trở lên) trong năm", "Disciplined (reprimand or above) in the year")),
    ],
    indicators: &[
        Indicator::new("revenue", Group::Volume, t("Thu ngân sách so với chỉ tiêu", "Revenue against target"), units::PERCENT)
            .thresholds(fx!("100"), fx!("80"))
            .weighted(fx!("10"), fx!("0.3"))
            .reads(&["revenue-collected", "revenue-target"])
            .formula(t("Số thu / chỉ tiêu × 100; điểm = 10 × (tỷ lệ − 80) / 20: đủ 10 điểm từ 100%, 0 điểm từ 80% trở xuống; trọng số 0,3",
                       "Collected / target × 100; score = 10 × (rate − 80) / 20: full 10 from 100 %, 0 at 80 % or less; weight 0.3"))
            .basis(DECREE_335),
        Indicator::new("returns-on-time", Group::Progress, t("Xử lý hồ sơ khai thuế đúng hạn", "Tax returns processed on time"), units::PERCENT)
            .thresholds(fx!("100"), fx!("90"))
            .weighted(fx!("10"), fx!("0.2"))
            // A post without returns (audit, arrears teams) has no rate: it counts at
            // the B line, neither zeroed (missing is never zero) nor rewarded.
            .no_data_score(fx!("7"))
            .reads(&["returns-on-time-rate"])
            .formula(t("Điểm = 10 × (tỷ lệ đúng hạn − 90) / 10: mỗi 1% chậm trừ 1 điểm, 0 điểm từ 90% trở xuống; không có số liệu: đánh dấu, tính 7 điểm; trọng số 0,2",
                       "Score = 10 × (on-time rate − 90) / 10: each 1 % late costs a point, 0 at 90 % or less; no data: flagged, counted as 7; weight 0.2"))
            .basis(DECREE_335),
        Indicator::new("complaints", Group::Quality, t("Khiếu nại của người nộp thuế", "Taxpayer complaints"), units::CASES)
            .thresholds(fx!("0"), fx!("3"))
            .weighted(fx!("10"), fx!("0.15"))
            .reads(&["complaints"])
            .formula(t("Điểm = 10 × (3 − số khiếu nại có cơ sở) / 3: không có khiếu nại đủ 10 điểm, từ 3 khiếu nại 0 điểm; trọng số 0,15",
                       "Score = 10 × (3 − justified complaints) / 3: none scores 10, 3 or more score 0; weight 0.15"))
            .basis(DECREE_335),
        Indicator::new("arrears", Group::Efficiency, t("Thu hồi nợ thuế so với số được giao", "Arrears recovered against assignment"), units::PERCENT)
            .thresholds(fx!("100"), fx!("50"))
            .weighted(fx!("10"), fx!("0.2"))
            .reads(&["arrears-recovered", "arrears-assigned"])
            .formula(t("Nợ thu hồi / nợ được giao × 100 (không được giao: đạt); điểm = 10 × (tỷ lệ − 50) / 50: đủ 10 điểm từ 100%, 0 điểm từ 50% trở xuống; trọng số 0,2",
                       "Recovered / assigned × 100 (none assigned: met); score = 10 × (rate − 50) / 50: full 10 from 100 %, 0 at 50 % or less; weight 0.2"))
            .basis(DECREE_335),
        Indicator::new("attendance", Group::Conduct, t("Chấp hành ngày công", "Attendance"), t("ngày", "days"))
            .thresholds(fx!("0"), fx!("3"))
            .weighted(fx!("10"), fx!("0.15"))
            .reads(&["unexcused-absence-days"])
            .formula(t("Điểm = 10 × (3 − số ngày nghỉ không phép) / 3: đủ công 10 điểm, từ 3 ngày 0 điểm và tối đa loại C; trọng số 0,15",
                       "Score = 10 × (3 − days absent without leave) / 3: full attendance scores 10, 3 days or more score 0 and cap the grade at C; weight 0.15"))
            .basis(DEPARTMENT_RULE),
    ],
    scale: Scale::points(fx!("10")),
    // Decree 335's 90 / 70 / 50 on a 10-point scale; A only from 9, as the province grades.
    bands: &bands(fx!("9"), fx!("7"), fx!("5")),
    caps: &[
        Cap::new(
            "unexcused-absence",
            Grade::C,
            t("Nghỉ không phép từ 3 ngày trở lên trong tháng: xếp loại tối đa C (hoàn thành nhiệm vụ)",
              "Absent without leave 3 days or more in the month: at most C (completed tasks)"),
            DEPARTMENT_RULE,
        ),
        Cap::new(
            "disciplined",
            Grade::D,
            t("Bị kỷ luật từ khiển trách trở lên trong năm: không hoàn thành nhiệm vụ",
              "Disciplined (reprimand or above) in the year: did not complete tasks"),
            DECREE_335,
        ),
    ],
    quotas: &[],
    reads_products: false,
};

impl Scorecard for TaxOfficer {
    const CARD: &'static Card = &CARD;

    fn score(f: &Facts, s: &mut Sheet) -> Result<(), EvalError> {
        let nothing_owed = Some(fx!("100")); // no arrears assigned, none to recover
        let revenue = percent(f.get("revenue-collected")?, f.get("revenue-target")?);
        let arrears =
            percent(f.get("arrears-recovered")?, f.get("arrears-assigned")?).or(nothing_owed);
        let absence = f.get("unexcused-absence-days")?;

        s.linear("revenue", revenue);
        s.linear("returns-on-time", f.optional("returns-on-time-rate"));
        s.linear("complaints", Some(f.get("complaints")?));
        s.linear("arrears", arrears);
        s.linear("attendance", Some(absence));
        s.cap_if(absence >= fx!("3"), "unexcused-absence");
        s.cap_if(f.flag("disciplined")?, "disciplined");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use thuocdo_sdk::testing::{Case, assert_card, assert_fact_errors};

    /// Target met, arrears recovered, every return on time, no complaint, full attendance.
    fn all_met() -> Case<TaxOfficer> {
        Case::new()
            .set("revenue-collected", "1000")
            .set("revenue-target", "1000")
            .set("arrears-recovered", "200")
            .set("arrears-assigned", "200")
            .set("returns-on-time-rate", "100")
            .set("complaints", "0")
            .set("unexcused-absence-days", "0")
            .set("disciplined", "0")
    }

    fn result(case: &Case<TaxOfficer>, id: &str) -> (Option<Fixed>, Fixed, Light) {
        let eval = case.evaluate().unwrap();
        let r = eval.indicators[CARD.find_indicator(id).0];
        (r.raw, r.score, r.light)
    }

    #[test]
    fn card_is_consistent() {
        assert_card::<TaxOfficer>();
    }

    #[test]
    fn all_met_is_excellent() {
        assert_eq!(all_met().outcome(), (fx!("10"), Grade::A));
        assert!(all_met().caps().is_empty());
    }

    #[test]
    fn excellent_from_nine_exactly() {
        // On-time rate 95 % scores 5, worth 1.00 of its 2.00; 94.95 % scores 4.95, worth 0.99.
        assert_eq!(
            all_met().set("returns-on-time-rate", "95").outcome(),
            (fx!("9"), Grade::A)
        );
        assert_eq!(
            all_met().set("returns-on-time-rate", "94.95").outcome(),
            (fx!("8.99"), Grade::B)
        );
    }

    #[test]
    fn good_from_seven_exactly() {
        // 90 % on time scores nothing; arrears 75 % scores 5 (1.00), 74.75 % scores 4.95 (0.99).
        let late = all_met().set("returns-on-time-rate", "90");
        assert_eq!(
            late.clone().set("arrears-recovered", "150").outcome(),
            (fx!("7"), Grade::B)
        );
        assert_eq!(
            late.set("arrears-recovered", "149.5").outcome(),
            (fx!("6.99"), Grade::C)
        );
    }

    #[test]
    fn completed_from_five_exactly() {
        // No progress or arrears points; one complaint and one day absent each score
        // 6.67, worth 1.0005, rounded to 1.00; revenue 99.94 % scores 9.97, worth 2.99.
        let weak = all_met()
            .set("returns-on-time-rate", "90")
            .set("arrears-recovered", "100")
            .set("complaints", "1")
            .set("unexcused-absence-days", "1");
        assert_eq!(weak.outcome(), (fx!("5"), Grade::C));
        assert_eq!(
            weak.set("revenue-collected", "999.4").outcome(),
            (fx!("4.99"), Grade::D)
        );
    }

    #[test]
    fn a_half_way_product_rounds_up_exactly() {
        // Revenue 97.9 % scores 8.95; 0.3 × 8.95 is 2.685, which rounds half away to 2.69.
        let case = all_met().set("revenue-collected", "979");
        let eval = case.evaluate().unwrap();
        assert_eq!(eval.indicators[0].score, fx!("8.95"));
        assert_eq!(eval.subtotals.get(Group::Volume), fx!("2.69"));
        assert_eq!((eval.total, eval.grade), (fx!("9.69"), Grade::A));
        // Binary floating point holds 2.68499999…, and would have taken a hundredth away.
        assert_eq!(format!("{:.2}", 0.3f64 * 8.95f64), "2.68");
    }

    #[test]
    fn three_days_absent_without_leave_caps_at_completed() {
        // 3 days zero the attendance score (8.50, band B) and cap the grade at C.
        let absent = all_met().set("unexcused-absence-days", "3");
        assert_eq!(absent.outcome(), (fx!("8.5"), Grade::C));
        assert_eq!(absent.caps(), ["unexcused-absence"]);
        // 2.5 days cost points (score 1.67, worth 0.25) but cap nothing.
        let almost = all_met().set("unexcused-absence-days", "2.5");
        assert_eq!(almost.outcome(), (fx!("8.75"), Grade::B));
        assert!(almost.caps().is_empty());
    }

    #[test]
    fn a_cap_never_lifts_a_grade() {
        let weak = all_met()
            .set("returns-on-time-rate", "90")
            .set("arrears-recovered", "100")
            .set("complaints", "3")
            .set("unexcused-absence-days", "3");
        assert_eq!(weak.outcome(), (fx!("3"), Grade::D));
        assert_eq!(weak.caps(), ["unexcused-absence"]);
    }

    #[test]
    fn discipline_caps_to_not_completed_whatever_the_points() {
        let case = all_met().set("disciplined", "1");
        assert_eq!(case.outcome(), (fx!("10"), Grade::D));
        assert_eq!(case.caps(), ["disciplined"]);
        let both = case.set("unexcused-absence-days", "4");
        assert_eq!(both.outcome(), (fx!("8.5"), Grade::D));
        assert_eq!(both.caps(), ["unexcused-absence", "disciplined"]);
    }

    #[test]
    fn a_missing_on_time_rate_is_flagged_and_counted_at_seven() {
        let case = all_met().unset("returns-on-time-rate");
        assert_eq!(
            result(&case, "returns-on-time"),
            (None, fx!("7"), Light::NoData)
        );
        // 2.00 of progress points become 0.2 × 7 = 1.40.
        assert_eq!(case.outcome(), (fx!("9.4"), Grade::A));
    }

    #[test]
    fn no_arrears_assigned_means_none_owed() {
        let case = all_met()
            .set("arrears-assigned", "0")
            .set("arrears-recovered", "0");
        assert_eq!(
            result(&case, "arrears"),
            (Some(fx!("100")), fx!("10"), Light::Green)
        );
        assert_eq!(case.outcome(), (fx!("10"), Grade::A));
    }

    #[test]
    fn a_zero_revenue_target_is_refused_not_divided_by() {
        let err = all_met().set("revenue-target", "0").evaluate().unwrap_err();
        assert!(matches!(
            err,
            EvalError::InvalidFact {
                name: "revenue-target",
                ..
            }
        ));
    }

    #[test]
    fn exceeding_a_target_is_capped_at_full_score() {
        let case = all_met()
            .set("revenue-collected", "1200")
            .set("arrears-recovered", "260");
        assert_eq!(
            result(&case, "revenue"),
            (Some(fx!("120")), fx!("10"), Light::Green)
        );
        assert_eq!(
            result(&case, "arrears"),
            (Some(fx!("130")), fx!("10"), Light::Green)
        );
        assert_eq!(case.outcome(), (fx!("10"), Grade::A));
    }

    #[test]
    fn fewer_complaints_and_absences_are_better() {
        let one = all_met()
            .set("complaints", "1")
            .set("unexcused-absence-days", "1");
        assert_eq!(
            result(&one, "complaints"),
            (Some(fx!("1")), fx!("6.67"), Light::Yellow)
        );
        assert_eq!(
            result(&one, "attendance"),
            (Some(fx!("1")), fx!("6.67"), Light::Yellow)
        );
        let many = all_met().set("complaints", "5");
        assert_eq!(
            result(&many, "complaints"),
            (Some(fx!("5")), fx!("0"), Light::Red)
        );
        assert_eq!(
            result(&all_met(), "complaints"),
            (Some(fx!("0")), fx!("10"), Light::Green)
        );
    }

    #[test]
    fn lights_follow_the_thresholds() {
        let case = all_met()
            .set("revenue-collected", "800")
            .set("returns-on-time-rate", "99.1");
        assert_eq!(
            result(&case, "revenue"),
            (Some(fx!("80")), fx!("0"), Light::Red)
        );
        assert_eq!(
            result(&case, "returns-on-time"),
            (Some(fx!("99.1")), fx!("9.1"), Light::Yellow)
        );
        assert_eq!(result(&case, "arrears").2, Light::Green);
    }

    #[test]
    fn every_missing_or_invalid_fact_is_named() {
        assert_fact_errors(&all_met());
    }
}
