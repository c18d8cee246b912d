//! The host never trusts a plugin's output: everything a result says is checked
//! against the plugin's own describe(), with the contract's one algorithm
//! (the `thuocdo-contract` crate, which the SDK's own checks use too).

use thuocdo_contract as contract;

use super::{
    CohortRule, CohortScope, Direction, Evaluation, EvaluationError, EvaluationInput, FactRef,
    Grade, Group, IndicatorResult, Light, PluginInfo, Rounding,
};

fn rounding(r: Rounding) -> contract::Rounding {
    match r {
        Rounding::HalfAwayFromZero => contract::Rounding::HalfAwayFromZero,
        Rounding::HalfToEven => contract::Rounding::HalfToEven,
        Rounding::TowardZero => contract::Rounding::TowardZero,
    }
}

/// A grade in the contract's terms.
pub(crate) fn grade(g: Grade) -> contract::Grade {
    match g {
        Grade::A => contract::Grade::A,
        Grade::B => contract::Grade::B,
        Grade::C => contract::Grade::C,
        Grade::D => contract::Grade::D,
        Grade::NotGraded => contract::Grade::NotGraded,
    }
}

/// How good a grade is: 0 for A to 3 for D, 4 for not graded (the contract's order).
pub fn grade_rank(g: Grade) -> u8 {
    grade(g).rank()
}

fn group(g: Group) -> contract::Group {
    match g {
        Group::Volume => contract::Group::Volume,
        Group::Progress => contract::Group::Progress,
        Group::Quality => contract::Group::Quality,
        Group::Efficiency => contract::Group::Efficiency,
        Group::Conduct => contract::Group::Conduct,
    }
}

fn direction(d: Direction) -> contract::Direction {
    match d {
        Direction::HigherIsBetter => contract::Direction::HigherIsBetter,
        Direction::LowerIsBetter => contract::Direction::LowerIsBetter,
        Direction::Neutral => contract::Direction::Neutral,
    }
}

fn light(l: Light) -> contract::Light {
    match l {
        Light::Green => contract::Light::Green,
        Light::Yellow => contract::Light::Yellow,
        Light::Red => contract::Light::Red,
        Light::NoData => contract::Light::NoData,
    }
}

impl contract::Scored for IndicatorResult {
    fn raw(&self) -> Option<i64> {
        self.raw
    }
    fn score(&self) -> i64 {
        self.score
    }
    fn light(&self) -> contract::Light {
        light(self.light)
    }
}

/// What the contract's check needs of a describe(); made once per plugin.
pub fn spec(info: &PluginInfo) -> contract::Spec {
    contract::Spec {
        indicators: info
            .indicators
            .iter()
            .map(|i| contract::IndicatorSpec {
                id: i.id.clone(),
                group: group(i.group),
                direction: direction(i.direction),
                green: i.green,
                red: i.red,
                max_score: i.max_score,
                weight: i.weight,
            })
            .collect(),
        step: info.scale.step,
        rounding: rounding(info.scale.rounding),
        bands: info
            .bands
            .iter()
            .map(|b| (grade(b.grade), b.min_total))
            .collect(),
        caps: info.caps.iter().map(|c| grade(c.max_grade)).collect(),
    }
}

/// Each group's points from the indicators' scores (by position): weight ×
/// score summed over the group, rounded to the scale's step — the contract's
/// one algorithm, which results are checked against and a person's scorecard
/// shows. In the order volume, progress, quality, efficiency, conduct.
pub fn subtotals(info: &PluginInfo, scores: impl IntoIterator<Item = i64>) -> [i64; 5] {
    contract::subtotals(&spec(info), scores)
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
    if info.bands.windows(2).any(|w| {
        w[0].min_total <= w[1].min_total || grade(w[0].grade).rank() >= grade(w[1].grade).rank()
    }) {
        return Err("grading bands must go from the best grade down, each starting lower".into());
    }
    for CohortRule::Quota(q) in &info.cohort_rules {
        if let Some(CohortScope::Level(kind)) = q
            .scope
            .iter()
            .find(|s| matches!(s, CohortScope::Level(k) if k.trim().is_empty()))
        {
            return Err(format!(
                "quota `{}` counts within a level with no unit type (`{kind}`)",
                q.code
            ));
        }
    }
    Ok(())
}

/// The first way `eval` contradicts its plugin's `spec`, in words.
pub(crate) fn evaluation(spec: &contract::Spec, eval: &Evaluation) -> Result<(), String> {
    let s = &eval.subtotals;
    let caps: Vec<usize> = eval.caps.iter().map(|&c| c as usize).collect();
    let answer = contract::Answer {
        indicators: &eval.indicators,
        subtotals: [s.volume, s.progress, s.quality, s.efficiency, s.conduct],
        total: eval.total,
        grade: grade(eval.grade),
        caps: &caps,
    };
    match contract::check(spec, &answer).into_iter().next() {
        None => Ok(()),
        Some(problem) => Err(problem.to_string()),
    }
}

/// `text` as a fault message quotes it: at most `chars` characters, so a
/// plugin cannot make the host store or answer its text at length.
pub(crate) fn clip(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((at, _)) => format!("{}… ({} bytes)", &text[..at], text.len()),
        None => text.to_string(),
    }
}

/// A refusal must say what describe() and the input already say: a declared
/// fact by its position and declared name, with its declared range and the
/// value it was given, or the counts that differ. So a refusal the host stores
/// or answers carries no text of the plugin's own choosing; anything else is
/// the plugin's fault.
pub(crate) fn refusal(
    info: &PluginInfo,
    input: &EvaluationInput,
    refusal: &EvaluationError,
) -> Result<(), String> {
    let declared = |fact: &FactRef| match info.facts.get(fact.position as usize) {
        Some(spec) if spec.name == fact.name => Ok(spec),
        // The name is not quoted: it is text of the plugin's choosing, and
        // could carry the subject's facts to whoever reads the fault.
        _ => Err(format!(
            "evaluate() refused naming fact {} by a name of {} bytes that describe() does not declare at that position",
            fact.position,
            fact.name.len()
        )),
    };
    match refusal {
        EvaluationError::MissingFact(fact) => declared(fact).map(drop),
        EvaluationError::InvalidFact(invalid) => {
            let spec = declared(&invalid.fact)?;
            if (invalid.min, invalid.max) != (spec.min, spec.max) {
                return Err(format!(
                    "evaluate() refused fact {} `{}` with a range describe() does not declare",
                    invalid.fact.position, spec.name
                ));
            }
            let given = input
                .facts
                .get(invalid.fact.position as usize)
                .copied()
                .flatten();
            if given != Some(invalid.value) {
                return Err(format!(
                    "evaluate() refused fact {} `{}` with a value the input does not hold",
                    invalid.fact.position, spec.name
                ));
            }
            Ok(())
        }
        EvaluationError::WrongFactCount(counts) => {
            let (expected, found) = (info.facts.len(), input.facts.len());
            if (counts.expected as usize, counts.found as usize) != (expected, found) {
                return Err(format!(
                    "evaluate() refused with {} facts expected and {} found, where describe() declares {expected} and the input holds {found}",
                    counts.expected, counts.found
                ));
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_left_to_the_competent_person_and_nameless_levels_are_refused() {
        let runtime = super::super::Runtime::new().unwrap();
        let card = crate::bundled::BUNDLED
            .iter()
            .find(|b| b.crate_name == "civil-servant-decree-335")
            .unwrap();
        let info = runtime.load(card.wasm).unwrap().info;
        assert_eq!(describe(&info), Ok(()));
        let with = |f: &dyn Fn(&mut crate::runtime::QuotaRule)| {
            let mut info = info.clone();
            let CohortRule::Quota(q) = &mut info.cohort_rules[0];
            f(q);
            describe(&info).unwrap_err()
        };
        // Ties left to the competent person are taken (assessment::ties).
        let mut tied = info.clone();
        let CohortRule::Quota(q) = &mut tied.cohort_rules[0];
        q.tie_break = crate::runtime::TieBreak::DecidedByCompetentPerson;
        assert_eq!(describe(&tied), Ok(()));
        let level = with(&|q| q.scope = vec![CohortScope::Level(" ".into())]);
        assert!(
            level.contains("counts within a level with no unit type"),
            "{level}"
        );
    }
}
