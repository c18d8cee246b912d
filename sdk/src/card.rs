//! The scorecard's declaration: everything `describe()` says, as `const` data.
//!
//! A card is static, so the evaluation path reads thresholds and weights without
//! building a single string; the words are turned into the contract's types only
//! when the host asks `describe()`, once per plugin.

use crate::fixed::Fixed;
use crate::{
    AssessmentStep, Direction, Grade, Group, LedMeasure, PeriodKind, QuotaCounting, ResultMeasure,
    Rounding, TieBreak, WhenMissing,
};

/// A text in Vietnamese and English.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Text {
    /// Vietnamese, with full diacritics.
    pub vi: &'static str,
    /// English.
    pub en: &'static str,
}

/// A text in Vietnamese and English: `t("Nhiệm vụ", "Tasks")`.
pub const fn t(vi: &'static str, en: &'static str) -> Text {
    Text { vi, en }
}

/// A rule's source: document and, when it has one, article.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Basis {
    /// "Decree 335/2025/ND-CP".
    pub document: &'static str,
    /// "Art. 20(1)".
    pub article: Option<&'static str>,
}

impl Basis {
    /// A whole document.
    pub const fn doc(document: &'static str) -> Basis {
        Basis {
            document,
            article: None,
        }
    }

    /// The same document, one article of it.
    pub const fn art(self, article: &'static str) -> Basis {
        Basis {
            document: self.document,
            article: Some(article),
        }
    }
}

/// Where a fact's value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// An agency's data, imported by the host.
    Imported,
    /// A summary of the subject's official results for shorter periods.
    FromResults(PeriodKind, ResultMeasure),
    /// A summary of the final results of the people the subject leads, in the
    /// same run (contract 1.1).
    FromLedResults(LedMeasure),
    /// Recorded by people in the assessment procedure, by these steps in
    /// order; the last step's value counts (contract 1.1).
    Assessed(&'static [AssessmentStep]),
}

/// One fact the scorecard reads.
#[derive(Clone, Copy, Debug)]
pub struct Fact {
    /// Its name in data files.
    pub name: &'static str,
    /// What it is.
    pub title: Text,
    /// Its unit.
    pub unit: Text,
    /// The smallest allowed value.
    pub min: Option<Fixed>,
    /// The largest allowed value.
    pub max: Option<Fixed>,
    /// Which way is better.
    pub direction: Direction,
    /// What a missing value means.
    pub when_missing: WhenMissing,
    /// Where its value comes from.
    pub origin: Origin,
    /// Who enters it, from what record.
    pub source: Text,
    /// Whether it is personal data: others see the scores of indicators
    /// reading it, never its value.
    pub personal: bool,
}

/// Common units.
pub mod units {
    use super::{Text, t};
    /// Percent.
    pub const PERCENT: Text = t("%", "%");
    /// A yes/no flag: 1 yes, 0 no.
    pub const FLAG: Text = t("có = 1 / không = 0", "yes = 1 / no = 0");
    /// Points.
    pub const POINTS: Text = t("điểm", "points");
    /// Months.
    pub const MONTHS: Text = t("tháng", "months");
    /// Tasks.
    pub const TASKS: Text = t("nhiệm vụ", "tasks");
    /// Cases or occurrences.
    pub const CASES: Text = t("lượt", "cases");
    /// Millions of dong.
    pub const VND_MILLION: Text = t("triệu đồng", "VND million");
}

impl Fact {
    /// A required fact with no range, higher is better, imported.
    pub const fn new(name: &'static str, title: Text, unit: Text) -> Fact {
        Fact {
            name,
            title,
            unit,
            min: None,
            max: None,
            direction: Direction::HigherIsBetter,
            when_missing: WhenMissing::Required,
            origin: Origin::Imported,
            source: t("", ""),
            personal: false,
        }
    }

    /// A count: whole things, never negative.
    pub const fn count(name: &'static str, title: Text, unit: Text) -> Fact {
        Fact::new(name, title, unit).range(Fixed::ZERO, None)
    }

    /// A percentage between 0 and 100.
    pub const fn percent(name: &'static str, title: Text) -> Fact {
        Fact::new(name, title, units::PERCENT).range(Fixed::ZERO, Some(Fixed::from_int(100)))
    }

    /// A yes/no flag, 0 or 1, that qualifies the grade rather than scoring.
    pub const fn flag(name: &'static str, title: Text) -> Fact {
        Fact::new(name, title, units::FLAG)
            .range(Fixed::ZERO, Some(Fixed::ONE))
            .neutral()
    }

    /// The allowed range: `min ..= max` (no upper bound when `max` is `None`).
    pub const fn range(mut self, min: Fixed, max: Option<Fixed>) -> Fact {
        self.min = Some(min);
        self.max = max;
        self
    }

    /// No lower bound (a growth rate may be negative).
    pub const fn unbounded_below(mut self) -> Fact {
        self.min = None;
        self
    }

    /// Less is better.
    pub const fn lower_is_better(mut self) -> Fact {
        self.direction = Direction::LowerIsBetter;
        self
    }

    /// Neither more nor less is better.
    pub const fn neutral(mut self) -> Fact {
        self.direction = Direction::Neutral;
        self
    }

    /// Missing means no data for the indicators that read it, not an error.
    pub const fn optional(mut self) -> Fact {
        self.when_missing = WhenMissing::NoData;
        self
    }

    /// Drawn by the host from the final results of the people the subject
    /// leads (the units whose leading post they hold, and those they directly
    /// manage); the host scores them first.
    pub const fn from_led_results(mut self, measure: LedMeasure) -> Fact {
        self.origin = Origin::FromLedResults(measure);
        self
    }

    /// Recorded by people in the assessment procedure, by `steps` in order.
    pub const fn assessed(mut self, steps: &'static [AssessmentStep]) -> Fact {
        self.origin = Origin::Assessed(steps);
        self
    }

    /// Personal data (discipline, health, leave).
    pub const fn personal(mut self) -> Fact {
        self.personal = true;
        self
    }

    /// Drawn by the host from the subject's results for shorter periods.
    pub const fn from_results(mut self, kind: PeriodKind, measure: ResultMeasure) -> Fact {
        self.origin = Origin::FromResults(kind, measure);
        self
    }

    /// The data source.
    pub const fn source(mut self, source: Text) -> Fact {
        self.source = source;
        self
    }
}

/// One indicator: what it measures, its thresholds and its weight.
#[derive(Clone, Copy, Debug)]
pub struct Indicator {
    /// A stable id, unique within the card.
    pub id: &'static str,
    /// Its title.
    pub title: Text,
    /// The factor it measures.
    pub group: Group,
    /// The unit of its raw value.
    pub unit: Text,
    /// Which way is better for the raw value.
    pub direction: Direction,
    /// Green from here.
    pub green: Fixed,
    /// Red from here.
    pub red: Fixed,
    /// Scores lie in `0 ..= max_score`.
    pub max_score: Fixed,
    /// Points are weight × score.
    pub weight: Fixed,
    /// The score when its facts are missing.
    pub no_data_score: Fixed,
    /// Names of the facts it reads.
    pub facts: &'static [&'static str],
    /// The formula in words.
    pub formula: Text,
    /// The rule it implements.
    pub basis: Option<Basis>,
}

impl Indicator {
    /// An indicator worth one point until [`Indicator::points`] or
    /// [`Indicator::weighted`] says otherwise; set its thresholds, facts, formula
    /// and basis with the methods that follow.
    pub const fn new(id: &'static str, group: Group, title: Text, unit: Text) -> Indicator {
        Indicator {
            id,
            title,
            group,
            unit,
            direction: Direction::HigherIsBetter,
            green: Fixed::ZERO,
            red: Fixed::ZERO,
            max_score: Fixed::ONE,
            weight: Fixed::ONE,
            no_data_score: Fixed::ZERO,
            facts: &[],
            formula: t("", ""),
            basis: None,
        }
    }

    /// Green at or better than `green`, red at or worse than `red`; the direction
    /// follows from which is larger.
    pub const fn thresholds(mut self, green: Fixed, red: Fixed) -> Indicator {
        self.green = green;
        self.red = red;
        self.direction = if green.raw() >= red.raw() {
            Direction::HigherIsBetter
        } else {
            Direction::LowerIsBetter
        };
        self
    }

    /// Worth `points`: scored directly in points, 0 ..= `points`, weight 1, so
    /// the total keeps the step's precision.
    pub const fn points(mut self, points: Fixed) -> Indicator {
        self.max_score = points;
        self.weight = Fixed::ONE;
        self
    }

    /// Scored 0 ..= `max_score`, worth weight × score points: a weighted sum, as
    /// a regulation that weights scores on a common scale writes it.
    pub const fn weighted(mut self, max_score: Fixed, weight: Fixed) -> Indicator {
        self.max_score = max_score;
        self.weight = weight;
        self
    }

    /// The score when its facts are missing (light no-data).
    pub const fn no_data_score(mut self, score: Fixed) -> Indicator {
        self.no_data_score = score;
        self
    }

    /// The facts it reads, by name.
    pub const fn reads(mut self, facts: &'static [&'static str]) -> Indicator {
        self.facts = facts;
        self
    }

    /// The formula in words.
    pub const fn formula(mut self, formula: Text) -> Indicator {
        self.formula = formula;
        self
    }

    /// The rule it implements.
    pub const fn basis(mut self, basis: Basis) -> Indicator {
        self.basis = Some(basis);
        self
    }
}

/// A grading band: `grade` from `min_total`.
#[derive(Clone, Copy, Debug)]
pub struct Band {
    /// The grade.
    pub grade: Grade,
    /// The lowest total that reaches it.
    pub min_total: Fixed,
}

/// The bands of a 10-point scale with A only at 9 (Decision 623 and its kind):
/// A from `a`, B from `b`, C from `c`, D below.
pub const fn bands(a: Fixed, b: Fixed, c: Fixed) -> [Band; 3] {
    [
        Band {
            grade: Grade::A,
            min_total: a,
        },
        Band {
            grade: Grade::B,
            min_total: b,
        },
        Band {
            grade: Grade::C,
            min_total: c,
        },
    ]
}

/// A rule that bounds the grade whatever the points.
#[derive(Clone, Copy, Debug)]
pub struct Cap {
    /// A stable code.
    pub code: &'static str,
    /// The best grade possible when it applies.
    pub max_grade: Grade,
    /// Why.
    pub reason: Text,
    /// The rule.
    pub basis: Option<Basis>,
}

impl Cap {
    /// A cap: at most `max_grade` (or not graded), for `reason`, under `basis`.
    pub const fn new(code: &'static str, max_grade: Grade, reason: Text, basis: Basis) -> Cap {
        Cap {
            code,
            max_grade,
            reason,
            basis: Some(basis),
        }
    }
}

/// What a cohort is counted within.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The subject's agency (unit).
    Agency,
    /// The group of similar tasks of the subject's post.
    TaskGroup,
    /// The nearest enclosing unit (the subject's own included) of this type:
    /// `Scope::Level("commune")` (contract 1.1).
    Level(&'static str),
}

/// A quota across a cohort, applied by the host.
#[derive(Clone, Copy, Debug)]
pub struct Quota {
    /// A stable code.
    pub code: &'static str,
    /// The limited grade.
    pub limited: Grade,
    /// The grade whose count sets the limit.
    pub relative_to: Grade,
    /// The share of that count, as a fraction of one (20 % is `fx!("0.2")`).
    pub share: Fixed,
    /// How the allowance is rounded to whole subjects.
    pub allowance_rounding: Rounding,
    /// The grade those beyond it receive.
    pub demote_to: Grade,
    /// What the cohort is counted within.
    pub scope: &'static [Scope],
    /// The order among equal totals at the allowance's boundary.
    pub tie_break: TieBreak,
    /// Which count of `relative_to` sets the allowance.
    pub counting: QuotaCounting,
    /// The rule in words.
    pub title: Text,
    /// Its source.
    pub basis: Option<Basis>,
}

impl Quota {
    /// Decree 335's quota: "excellent" at most `share` of those graded "good",
    /// counted within one agency and one group of similar tasks, the allowance
    /// rounded down, the rest demoted to good.
    pub const fn excellent_share_of_good(code: &'static str, share: Fixed, basis: Basis) -> Quota {
        Quota {
            code,
            limited: Grade::A,
            relative_to: Grade::B,
            share,
            allowance_rounding: Rounding::TowardZero,
            demote_to: Grade::B,
            scope: &[Scope::Agency, Scope::TaskGroup],
            tie_break: TieBreak::SubjectIdAscending,
            counting: QuotaCounting::BeforeDemotion,
            title: t(
                "Số xếp loại \"Hoàn thành xuất sắc\" không vượt quá 20% số được xếp loại \"Hoàn thành tốt\" trong cùng cơ quan, cùng nhóm nhiệm vụ tương đồng",
                "\"Excellent\" may not exceed 20% of those graded \"good\", within one agency and one group of similar tasks",
            ),
            basis: Some(basis),
        }
    }
}

impl Quota {
    /// The same quota, counted within `scope`.
    pub const fn within(mut self, scope: &'static [Scope]) -> Quota {
        self.scope = scope;
        self
    }

    /// The same quota, its allowance set by the final counts.
    pub const fn counting(mut self, counting: QuotaCounting) -> Quota {
        self.counting = counting;
        self
    }

    /// The same quota, ties at the boundary broken by `tie_break`.
    pub const fn ties(mut self, tie_break: TieBreak) -> Quota {
        self.tie_break = tie_break;
        self
    }

    /// The same quota, in other words.
    pub const fn titled(mut self, title: Text) -> Quota {
        self.title = title;
        self
    }
}

/// The scale totals are counted on, and how numbers are rounded.
#[derive(Clone, Copy, Debug)]
pub struct Scale {
    /// The best possible total.
    pub max_total: Fixed,
    /// The rounding step.
    pub step: Fixed,
    /// The rounding rule.
    pub rounding: Rounding,
}

impl Scale {
    /// `max_total` points in steps of 0.01, rounded half away from zero.
    pub const fn points(max_total: Fixed) -> Scale {
        Scale {
            max_total,
            step: Fixed::from_raw(100),
            rounding: Rounding::HalfAwayFromZero,
        }
    }
}

/// A whole scorecard, as `describe()` reports it.
#[derive(Clone, Copy, Debug)]
pub struct Card {
    /// `namespace/name`: the publishing agency and the scorecard.
    pub name: &'static str,
    /// The semver version, usually `env!("CARGO_PKG_VERSION")`.
    pub version: &'static str,
    /// Its title.
    pub title: Text,
    /// What it is for and whom it measures.
    pub description: Text,
    /// Post codes or agency types it applies to.
    pub applies_to: &'static [&'static str],
    /// The period it evaluates.
    pub period: PeriodKind,
    /// The documents it implements.
    pub basis: &'static [Basis],
    /// Facts, in the order evaluation receives them.
    pub facts: &'static [Fact],
    /// Indicators, in the order evaluation reports them.
    pub indicators: &'static [Indicator],
    /// The scale.
    pub scale: Scale,
    /// Bands, best first; below the last, D.
    pub bands: &'static [Band],
    /// Caps.
    pub caps: &'static [Cap],
    /// Cohort rules.
    pub quotas: &'static [Quota],
    /// Whether it reads the subject's work products (contract 1.1).
    pub reads_products: bool,
}

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Where `name` is among `names`. A scorecard names its facts with the same
/// literals its card declares, which the compiler stores once, so comparing
/// addresses finds them without comparing text; text is the fallback.
fn position<'a>(names: impl Iterator<Item = &'a str> + Clone, name: &str) -> Option<usize> {
    names
        .clone()
        .position(|n| core::ptr::eq(n, name))
        .or_else(|| names.into_iter().position(|n| n == name))
}

/// A fact's position in a card, resolved at compile time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FactId(pub usize);

/// An indicator's position in a card, resolved at compile time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndicatorId(pub usize);

/// A cap's position in a card, resolved at compile time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CapId(pub usize);

impl Card {
    /// The position of the fact named `name`; in a `const`, a wrong name is a
    /// compile error.
    pub const fn fact(&self, name: &str) -> FactId {
        let mut i = 0;
        while i < self.facts.len() {
            if same(self.facts[i].name, name) {
                return FactId(i);
            }
            i += 1;
        }
        panic!("no fact of that name in this card")
    }

    /// The position of the indicator with `id`; in a `const`, a wrong id is a
    /// compile error.
    pub const fn indicator(&self, id: &str) -> IndicatorId {
        let mut i = 0;
        while i < self.indicators.len() {
            if same(self.indicators[i].id, id) {
                return IndicatorId(i);
            }
            i += 1;
        }
        panic!("no indicator with that id in this card")
    }

    /// The position of the cap with `code`; in a `const`, a wrong code is a
    /// compile error.
    pub const fn cap(&self, code: &str) -> CapId {
        let mut i = 0;
        while i < self.caps.len() {
            if same(self.caps[i].code, code) {
                return CapId(i);
            }
            i += 1;
        }
        panic!("no cap with that code in this card")
    }

    /// The fact named `name`; a scorecard that names an undeclared fact is a bug,
    /// and this panics naming it (the plugin's tests find it).
    pub fn find_fact(&self, name: &str) -> FactId {
        match position(self.facts.iter().map(|f| f.name), name) {
            Some(p) => FactId(p),
            None => panic!("scorecard bug: `{}` declares no fact `{name}`", self.name),
        }
    }

    /// The indicator with `id`; panics naming it when it is not declared.
    pub fn find_indicator(&self, id: &str) -> IndicatorId {
        match position(self.indicators.iter().map(|i| i.id), id) {
            Some(p) => IndicatorId(p),
            None => panic!(
                "scorecard bug: `{}` declares no indicator `{id}`",
                self.name
            ),
        }
    }

    /// The cap with `code`; panics naming it when it is not declared.
    pub fn find_cap(&self, code: &str) -> CapId {
        match position(self.caps.iter().map(|c| c.code), code) {
            Some(p) => CapId(p),
            None => panic!("scorecard bug: `{}` declares no cap `{code}`", self.name),
        }
    }
}
