//! The sentences a person reads, composed by the host from the words a
//! scorecard declares once in describe() and the numbers evaluate() returns,
//! in Vietnamese or English ("on-time rate 97.2 %: yellow, green from 99 %").

use thuocdo_sdk::Fixed;

use crate::runtime::{
    Direction, Evaluation, EvaluationError, Grade, Group, IndicatorResult, IndicatorSpec, Light,
    PluginInfo, Text,
};

/// The language of a sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// Tiếng Việt.
    Vi,
    /// English.
    En,
}

impl Lang {
    /// The text in this language.
    pub fn pick(self, t: &Text) -> &str {
        match self {
            Lang::Vi => &t.vi,
            Lang::En => &t.en,
        }
    }

    /// A number as this language writes it: 97,2 in Vietnamese, 97.2 in English.
    pub fn number(self, raw: i64) -> String {
        let s = Fixed::from_raw(raw).to_string();
        match self {
            Lang::Vi => s.replace('.', ","),
            Lang::En => s,
        }
    }
}

/// The official name of a grade.
pub fn grade(g: Grade, lang: Lang) -> &'static str {
    match (g, lang) {
        (Grade::A, Lang::Vi) => "Hoàn thành xuất sắc nhiệm vụ",
        (Grade::B, Lang::Vi) => "Hoàn thành tốt nhiệm vụ",
        (Grade::C, Lang::Vi) => "Hoàn thành nhiệm vụ",
        (Grade::D, Lang::Vi) => "Không hoàn thành nhiệm vụ",
        (Grade::NotGraded, Lang::Vi) => "Không đánh giá, xếp loại",
        (Grade::A, Lang::En) => "completed tasks excellently",
        (Grade::B, Lang::En) => "completed tasks well",
        (Grade::C, Lang::En) => "completed tasks",
        (Grade::D, Lang::En) => "did not complete tasks",
        (Grade::NotGraded, Lang::En) => "not graded",
    }
}

/// A factor's name.
pub fn group(g: Group, lang: Lang) -> &'static str {
    match (g, lang) {
        (Group::Volume, Lang::Vi) => "khối lượng",
        (Group::Progress, Lang::Vi) => "tiến độ",
        (Group::Quality, Lang::Vi) => "chất lượng",
        (Group::Efficiency, Lang::Vi) => "hiệu quả",
        (Group::Conduct, Lang::Vi) => "phẩm chất, tác phong",
        (Group::Volume, Lang::En) => "volume",
        (Group::Progress, Lang::En) => "progress",
        (Group::Quality, Lang::En) => "quality",
        (Group::Efficiency, Lang::En) => "efficiency",
        (Group::Conduct, Lang::En) => "conduct",
    }
}

/// A light's name.
pub fn light(l: Light, lang: Lang) -> &'static str {
    match (l, lang) {
        (Light::Green, Lang::Vi) => "xanh",
        (Light::Yellow, Lang::Vi) => "vàng",
        (Light::Red, Lang::Vi) => "đỏ",
        (Light::NoData, Lang::Vi) => "chưa có số liệu",
        (Light::Green, Lang::En) => "green",
        (Light::Yellow, Lang::En) => "yellow",
        (Light::Red, Lang::En) => "red",
        (Light::NoData, Lang::En) => "no data",
    }
}

/// One indicator in a sentence: its value, light and thresholds, and its score.
pub fn indicator(spec: &IndicatorSpec, r: &IndicatorResult, lang: Lang) -> String {
    let unit = lang.pick(&spec.unit);
    let n = |v: i64| format!("{} {unit}", lang.number(v));
    let lower = spec.direction == Direction::LowerIsBetter;
    let thresholds = match (lang, lower) {
        (Lang::Vi, false) => format!("xanh từ {}, đỏ từ {} trở xuống", n(spec.green), n(spec.red)),
        (Lang::Vi, true) => format!(
            "xanh khi không quá {}, đỏ từ {} trở lên",
            n(spec.green),
            n(spec.red)
        ),
        (Lang::En, false) => format!(
            "green from {}, red at {} or less",
            n(spec.green),
            n(spec.red)
        ),
        (Lang::En, true) => format!(
            "green at {} or less, red from {}",
            n(spec.green),
            n(spec.red)
        ),
    };
    let value = r
        .raw
        .map_or_else(|| light(Light::NoData, lang).to_string(), n);
    let points = match lang {
        Lang::Vi => format!(
            "{} / {} điểm",
            lang.number(r.score),
            lang.number(spec.max_score)
        ),
        Lang::En => format!(
            "{} of {} points",
            lang.number(r.score),
            lang.number(spec.max_score)
        ),
    };
    format!(
        "{} {value}: {} ({thresholds}); {points}",
        lang.pick(&spec.title),
        light(r.light, lang)
    )
}

/// Why the grade is capped: each applied cap's reason, as the scorecard words it.
pub fn caps(info: &PluginInfo, eval: &Evaluation, lang: Lang) -> Vec<String> {
    eval.caps
        .iter()
        .filter_map(|&c| info.caps.get(c as usize))
        .map(|cap| lang.pick(&cap.reason).to_string())
        .collect()
}

/// The whole result in one line: total, scale and grade.
pub fn summary(info: &PluginInfo, eval: &Evaluation, lang: Lang) -> String {
    match lang {
        Lang::Vi => format!(
            "{} / {} điểm: {}",
            lang.number(eval.total),
            lang.number(info.scale.max_total),
            grade(eval.grade, lang)
        ),
        Lang::En => format!(
            "{} of {} points: {}",
            lang.number(eval.total),
            lang.number(info.scale.max_total),
            grade(eval.grade, lang)
        ),
    }
}

fn fixed(raw: i64) -> String {
    Fixed::from_raw(raw).to_string()
}

/// A contract error in words, naming the fact.
pub fn evaluation_error(info: &PluginInfo, e: &EvaluationError) -> String {
    let bound = |b: Option<i64>| b.map_or("unbounded".to_string(), fixed);
    match e {
        EvaluationError::MissingFact(f) => {
            // An assessed fact is missing because the procedure has not
            // reached its step: the reader is told so, not just "missing".
            let assessed = info
                .facts
                .get(f.position as usize)
                .is_some_and(|spec| matches!(spec.origin, crate::runtime::FactOrigin::Assessed(_)));
            format!(
                "{}: fact {} `{}` is missing{}",
                info.name,
                f.position,
                f.name,
                if assessed { " (not yet assessed)" } else { "" }
            )
        }
        EvaluationError::InvalidFact(i) => format!(
            "{}: fact {} `{}` is {}, outside its range {} ..= {}",
            info.name,
            i.fact.position,
            i.fact.name,
            fixed(i.value),
            bound(i.min),
            bound(i.max)
        ),
        EvaluationError::WrongFactCount(c) => format!(
            "{}: expected {} facts, found {}",
            info.name, c.expected, c.found
        ),
    }
}
