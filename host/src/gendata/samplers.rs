//! Plausible facts for each bundled scorecard at a given quality: 0 is the
//! worst performer, 1 the best. The generator picks a quality per subject and
//! keeps the facts only when the real scorecard gives the grade it aimed for.

use super::Rng;

/// A subject's facts by name, as decimal text.
pub type Facts = Vec<(&'static str, String)>;

fn int(v: f64) -> String {
    format!("{}", v.round().max(0.0) as i64)
}

fn dec1(v: f64) -> String {
    format!("{:.1}", (v * 10.0).round() / 10.0)
}

fn clamp(v: f64, lo: f64, hi: f64) -> f64 {
    v.max(lo).min(hi)
}

/// Tuyen Quang's monthly card for agency heads and commune chairs (Decision 623).
pub fn provincial_leader_monthly(q: f64, rng: &mut Rng) -> Facts {
    let assigned = rng.range(15, 31) as f64;
    let completed = (assigned - (assigned * (1.0 - q) * 0.35 * rng.unit()).round()).max(0.0);
    let on_time = (completed - (completed * (1.0 - q) * 0.4 * rng.unit()).round()).max(0.0);
    let planned = rng.range(2, 7) as f64;
    let done = if q < 0.5 && rng.unit() < 0.6 {
        planned - 1.0
    } else {
        planned
    };
    vec![
        ("tasks-assigned", int(assigned)),
        ("tasks-completed", int(completed)),
        ("tasks-on-time", int(on_time)),
        (
            "citizen-satisfaction",
            dec1(clamp(
                70.0 + 30.0 * q + 4.0 * (rng.unit() - 0.5),
                0.0,
                100.0,
            )),
        ),
        ("inspections-planned", int(planned)),
        ("inspections-done", int(done)),
        (
            "discipline-breaches",
            int(if q < 0.3 && rng.unit() < 0.5 {
                1.0
            } else {
                0.0
            }),
        ),
        ("disciplined", "0".into()),
    ]
}

/// The provincial tax department's monthly card.
pub fn tax_officer(q: f64, rng: &mut Rng) -> Facts {
    let target = rng.range(3000, 6001) as f64;
    let arrears = rng.range(100, 401) as f64;
    vec![
        (
            "revenue-collected",
            dec1(target * (0.8 + 0.3 * q + 0.04 * (rng.unit() - 0.5))),
        ),
        ("revenue-target", int(target)),
        (
            "arrears-recovered",
            dec1(arrears * clamp(0.45 + 0.6 * q, 0.0, 1.0)),
        ),
        ("arrears-assigned", int(arrears)),
        (
            "returns-on-time-rate",
            dec1(clamp(
                88.0 + 12.0 * q + 2.0 * (rng.unit() - 0.5),
                0.0,
                100.0,
            )),
        ),
        (
            "complaints",
            int(if q < 0.45 {
                rng.range(0, 3) as f64
            } else {
                0.0
            }),
        ),
        (
            "unexcused-absence-days",
            int(if q < 0.3 { rng.range(0, 3) as f64 } else { 0.0 }),
        ),
        ("disciplined", "0".into()),
    ]
}

/// The national yearly card of Decree 335 (100 points).
pub fn civil_servant_decree_335(q: f64, rng: &mut Rng) -> Facts {
    let criterion = |rng: &mut Rng| {
        let v = 3.0 + 7.0 * q + (rng.unit() - 0.5);
        format!("{:.1}", clamp((v * 2.0).round() / 2.0, 0.0, 10.0))
    };
    let assigned = rng.range(20, 61) as f64;
    let completed = (assigned - (assigned * (1.0 - q) * 0.6 * rng.unit()).round()).max(0.0);
    let slips = |rng: &mut Rng| int(((1.0 - q) * 4.0 * rng.unit()).floor());
    // A sliver of the weakest were disciplined in the year.
    let disciplined = q < 0.2 && rng.unit() < 0.5;
    vec![
        ("politics-ethics", criterion(rng)),
        ("working-style", criterion(rng)),
        ("discipline-responsibility", criterion(rng)),
        ("tasks-assigned", int(assigned)),
        ("tasks-completed", int(completed)),
        ("major-errors", slips(rng)),
        ("delays", slips(rng)),
        ("disciplined", int(f64::from(u8::from(disciplined)))),
        ("degradation", "0".into()),
        ("leader", "0".into()),
        ("corruption-in-unit", "0".into()),
        ("months-worked", "12".into()),
        ("months-absent", "0".into()),
        ("maternity-leave", "0".into()),
    ]
}

/// Tuyen Quang's yearly card for commune officials.
pub fn commune_official(q: f64, rng: &mut Rng) -> Facts {
    let estimate = rng.range(5000, 20001) as f64;
    let poverty = rng.range(10, 51) as f64;
    let houses = rng.range(5, 21) as f64;
    vec![
        ("budget-revenue", dec1(estimate * (0.75 + 0.35 * q))),
        ("budget-estimate", int(estimate)),
        ("poverty-exit-target", int(poverty)),
        ("poverty-exits", int(poverty * (0.6 + 0.5 * q))),
        ("temporary-houses-planned", int(houses)),
        (
            "temporary-houses-removed",
            int(houses * clamp(0.5 + 0.55 * q, 0.0, 1.0)),
        ),
        (
            "digital-transformation-score",
            dec1(clamp(55.0 + 45.0 * q, 0.0, 100.0)),
        ),
        (
            "administrative-reform-score",
            dec1(clamp(55.0 + 45.0 * q, 0.0, 100.0)),
        ),
        (
            "public-service-index",
            dec1(clamp(65.0 + 35.0 * q, 0.0, 100.0)),
        ),
        ("disciplined", "0".into()),
    ]
}

/// The public-service centre's quarterly card for its clerks.
pub fn service_centre_clerk(q: f64, rng: &mut Rng) -> Facts {
    let assigned = rng.range(500, 801) as f64;
    let resolved = (assigned * clamp(0.93 + 0.07 * q, 0.0, 1.0)).floor();
    let on_time = (resolved * clamp(0.9 + 0.1 * q, 0.0, 1.0)).floor();
    vec![
        ("applications-assigned", int(assigned)),
        ("applications-resolved", int(resolved)),
        ("applications-on-time", int(on_time)),
        ("working-days", int(rng.range(58, 65) as f64)),
        (
            "citizen-satisfaction",
            dec1(clamp(78.0 + 22.0 * q, 0.0, 100.0)),
        ),
        (
            "complaints",
            int(if q < 0.4 { rng.range(0, 3) as f64 } else { 0.0 }),
        ),
        (
            "public-service-culture",
            dec1(clamp(9.0 + 6.0 * q, 0.0, 15.0)),
        ),
        (
            "regulation-compliance",
            dec1(clamp(9.0 + 6.0 * q, 0.0, 15.0)),
        ),
        ("disciplined", "0".into()),
        ("degraded", "0".into()),
    ]
}

/// The culture department's quarterly "6 clear" card.
pub fn culture_department(q: f64, rng: &mut Rng) -> Facts {
    let plan = rng.range(30_000, 60_001) as f64;
    let events = rng.range(10, 17) as f64;
    let villages = rng.range(3, 7) as f64;
    vec![
        ("investment-plan", int(plan)),
        ("investment-disbursed", int(plan * (0.55 + 0.5 * q))),
        ("events-planned", int(events)),
        ("events-held", int(events * (0.75 + 0.35 * q))),
        ("villages-target", int(villages)),
        ("villages-developed", int(villages * (0.4 + 0.7 * q))),
        ("visitor-growth", dec1(-5.0 + 20.0 * q)),
        ("clear-targets-assigned", "6".into()),
        ("clear-targets-met", int((6.0 * (0.4 + 0.6 * q)).min(6.0))),
        ("head-disciplined", "0".into()),
        ("unit-violation", "0".into()),
    ]
}
