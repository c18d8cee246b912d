//! The host never trusts a plugin's output: everything a result says is checked
//! against the plugin's own describe(), with the contract's one algorithm.

use thuocdo_sdk::grading::round_points;

use super::{Direction, Evaluation, Grade, Group, Light, PluginInfo, Rounding};

fn rounding(r: Rounding) -> thuocdo_sdk::Rounding {
    match r {
        Rounding::HalfAwayFromZero => thuocdo_sdk::Rounding::HalfAwayFromZero,
        Rounding::HalfToEven => thuocdo_sdk::Rounding::HalfToEven,
        Rounding::TowardZero => thuocdo_sdk::Rounding::TowardZero,
    }
}

fn rank(g: Grade) -> u8 {
    match g {
        Grade::A => 0,
        Grade::B => 1,
        Grade::C => 2,
        Grade::D => 3,
        Grade::NotGraded => 4,
    }
}

fn group_index(g: Group) -> usize {
    match g {
        Group::Volume => 0,
        Group::Progress => 1,
        Group::Quality => 2,
        Group::Efficiency => 3,
        Group::Conduct => 4,
    }
}

/// Each group's points from the indicators' scores (by position): weight ×
/// score summed over the group, rounded to the scale's step — the contract's
/// one algorithm, which results are checked against and a person's scorecard
/// shows. In the order volume, progress, quality, efficiency, conduct.
pub fn subtotals(info: &PluginInfo, scores: impl IntoIterator<Item = i64>) -> [i64; 5] {
    let mut sums = [0i128; 5];
    for (spec, score) in info.indicators.iter().zip(scores) {
        sums[group_index(spec.group)] += spec.weight as i128 * score as i128;
    }
    let rule = rounding(info.scale.rounding);
    sums.map(|s| round_points(s, info.scale.step, rule))
}

/// Whether describe() itself is usable: the numbers the host will check
/// results against must make sense.
pub(crate) fn describe(info: &PluginInfo) -> Result<(), String> {
    if info.scale.step <= 0 {
        return Err(format!("scale step {} is not positive", info.scale.step));
    }
    let mut points: i128 = 0;
    for ind in &info.indicators {
        if let Some(&p) = ind.facts.iter().find(|&&p| p as usize >= info.facts.len()) {
            return Err(format!(
                "indicator `{}` reads fact {p}, but only {} are declared",
                ind.id,
                info.facts.len()
            ));
        }
        if ind.max_score <= 0 || ind.weight <= 0 {
            return Err(format!(
                "indicator `{}` needs a positive score range and weight",
                ind.id
            ));
        }
        points += ind.weight as i128 * ind.max_score as i128;
    }
    if points != info.scale.max_total as i128 * 10_000 {
        return Err(format!(
            "weights × max scores add up to {}, not the scale's {}",
            points as f64 / 1e8,
            info.scale.max_total as f64 / 1e4
        ));
    }
    if info
        .bands
        .windows(2)
        .any(|w| w[0].min_total <= w[1].min_total || rank(w[0].grade) >= rank(w[1].grade))
    {
        return Err("grading bands must go from the best grade down, each starting lower".into());
    }
    Ok(())
}

/// The first way `eval` contradicts `info`, in words.
pub(crate) fn evaluation(info: &PluginInfo, eval: &Evaluation) -> Result<(), String> {
    if eval.indicators.len() != info.indicators.len() {
        return Err(format!(
            "{} indicator results for {} declared indicators",
            eval.indicators.len(),
            info.indicators.len()
        ));
    }
    for (spec, r) in info.indicators.iter().zip(&eval.indicators) {
        if r.score < 0 || r.score > spec.max_score {
            return Err(format!(
                "`{}` scored {} outside 0 ..= {}",
                spec.id, r.score, spec.max_score
            ));
        }
        if r.score % info.scale.step != 0 {
            return Err(format!(
                "`{}` scored {}, not a multiple of the step {}",
                spec.id, r.score, info.scale.step
            ));
        }
        let light = match r.raw {
            None => Light::NoData,
            Some(raw) => {
                let better = |a: i64, b: i64| {
                    if spec.direction == Direction::LowerIsBetter {
                        a <= b
                    } else {
                        a >= b
                    }
                };
                if better(raw, spec.green) {
                    Light::Green
                } else if better(spec.red, raw) {
                    Light::Red
                } else {
                    Light::Yellow
                }
            }
        };
        if light != r.light {
            return Err(format!(
                "`{}` shows {:?}, its thresholds give {light:?}",
                spec.id, r.light
            ));
        }
    }
    let expected = subtotals(info, eval.indicators.iter().map(|r| r.score));
    let s = &eval.subtotals;
    let given = [s.volume, s.progress, s.quality, s.efficiency, s.conduct];
    if given[..] != expected[..] {
        return Err(format!("subtotals {given:?} should be {expected:?}"));
    }
    let total: i64 = expected.iter().sum();
    if eval.total != total {
        return Err(format!("total {} should be {total}", eval.total));
    }
    if eval.caps.iter().any(|&c| c as usize >= info.caps.len())
        || !eval.caps.is_sorted_by(|a, b| a < b)
    {
        return Err(format!(
            "caps {:?} are not ascending positions of declared caps",
            eval.caps
        ));
    }
    let band = info
        .bands
        .iter()
        .find(|b| total >= b.min_total)
        .map_or(Grade::D, |b| b.grade);
    let grade = eval
        .caps
        .iter()
        .map(|&c| info.caps[c as usize].max_grade)
        .fold(band, |g, cap| if rank(cap) > rank(g) { cap } else { g });
    if grade != eval.grade {
        return Err(format!(
            "grade {:?} contradicts its bands and caps, which give {grade:?}",
            eval.grade
        ));
    }
    Ok(())
}
