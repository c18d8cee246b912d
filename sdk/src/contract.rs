//! The SDK's types in the terms of `thuocdo-contract`, the algorithm the SDK
//! and the host share.

use thuocdo_contract as c;

use crate::card::Card;
use crate::{Direction, Grade, Group, Light, Rounding};

/// A grade in the contract's terms.
pub fn grade(g: Grade) -> c::Grade {
    match g {
        Grade::A => c::Grade::A,
        Grade::B => c::Grade::B,
        Grade::C => c::Grade::C,
        Grade::D => c::Grade::D,
        Grade::NotGraded => c::Grade::NotGraded,
    }
}

/// A grade from the contract's terms.
pub fn from_grade(g: c::Grade) -> Grade {
    match g {
        c::Grade::A => Grade::A,
        c::Grade::B => Grade::B,
        c::Grade::C => Grade::C,
        c::Grade::D => Grade::D,
        c::Grade::NotGraded => Grade::NotGraded,
    }
}

/// A light from the contract's terms.
pub fn from_light(l: c::Light) -> Light {
    match l {
        c::Light::Green => Light::Green,
        c::Light::Yellow => Light::Yellow,
        c::Light::Red => Light::Red,
        c::Light::NoData => Light::NoData,
    }
}

/// A light in the contract's terms.
pub fn light(l: Light) -> c::Light {
    match l {
        Light::Green => c::Light::Green,
        Light::Yellow => c::Light::Yellow,
        Light::Red => c::Light::Red,
        Light::NoData => c::Light::NoData,
    }
}

/// A group in the contract's terms.
pub fn group(g: Group) -> c::Group {
    match g {
        Group::Volume => c::Group::Volume,
        Group::Progress => c::Group::Progress,
        Group::Quality => c::Group::Quality,
        Group::Efficiency => c::Group::Efficiency,
        Group::Conduct => c::Group::Conduct,
    }
}

/// A direction in the contract's terms.
pub fn direction(d: Direction) -> c::Direction {
    match d {
        Direction::HigherIsBetter => c::Direction::HigherIsBetter,
        Direction::LowerIsBetter => c::Direction::LowerIsBetter,
        Direction::Neutral => c::Direction::Neutral,
    }
}

/// A rounding rule in the contract's terms.
pub fn rounding(r: Rounding) -> c::Rounding {
    match r {
        Rounding::HalfAwayFromZero => c::Rounding::HalfAwayFromZero,
        Rounding::HalfToEven => c::Rounding::HalfToEven,
        Rounding::TowardZero => c::Rounding::TowardZero,
    }
}

/// What the contract's answer check reads of a card.
pub fn spec(card: &Card) -> c::Spec {
    c::Spec {
        indicators: card
            .indicators
            .iter()
            .map(|i| c::IndicatorSpec {
                id: i.id.into(),
                group: group(i.group),
                direction: direction(i.direction),
                green: i.green.raw(),
                red: i.red.raw(),
                max_score: i.max_score.raw(),
                weight: i.weight.raw(),
            })
            .collect(),
        step: card.scale.step.raw(),
        rounding: rounding(card.scale.rounding),
        bands: card
            .bands
            .iter()
            .map(|b| (grade(b.grade), b.min_total.raw()))
            .collect(),
        caps: card.caps.iter().map(|cap| grade(cap.max_grade)).collect(),
    }
}
