//! The contract's published versions, and how the host serves each.
//!
//! Published components are immutable, so every contract version the host ever
//! accepted stays served. The host's own types are the newest contract's
//! (generated from `wit/scorecard.wit`); a component of an older version is
//! called through the records that version had (`wit/published/`) and its
//! answers read into the newest types, each addition taking the value that
//! means what the older version said. Records that did not change are shared:
//! the component model checks types by structure, not by name.
//!
//! ```
//! use thuocdo_host::runtime::Contract;
//! assert_eq!(Contract::V1_0.version(), "1.0.0");
//! assert_eq!(Contract::from_import("thuocdo:scorecard/types@1.1.0"), Some(Contract::V1_1));
//! ```

use wasmtime::component::{ComponentType, Lift, Lower};

use super::{
    CapSpec, CohortRule, CohortScope, Direction, FactOrigin, FactSpec, GradeBand, IndicatorSpec,
    LegalBasis, PeriodKind, PluginInfo, QuotaCounting, QuotaRule, ResultMeasure, Rounding, Scale,
    Subject, Text, TieBreak, WhenMissing,
};

/// A version of the scorecard contract a component targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Contract {
    /// `thuocdo:scorecard@1.0.0`: the first, flat facts only.
    V1_0,
    /// `thuocdo:scorecard@1.1.0`: work products, facts from the people led,
    /// personal and assessed facts, the quota's counting and levels.
    V1_1,
}

impl Contract {
    /// Every version served, oldest first.
    pub const ALL: [Contract; 2] = [Contract::V1_0, Contract::V1_1];

    /// Its semver, as the WIT package says it.
    pub fn version(self) -> &'static str {
        match self {
            Contract::V1_0 => "1.0.0",
            Contract::V1_1 => "1.1.0",
        }
    }

    /// The version a component's import of the contract's types names.
    pub fn from_import(name: &str) -> Option<Contract> {
        let version = name.strip_prefix("thuocdo:scorecard/types@")?;
        Contract::ALL
            .into_iter()
            .find(|c| semver_compatible(c.version(), version))
    }

    /// The version named "1.0.0" or "1.1.0".
    pub fn parse(version: &str) -> Option<Contract> {
        Contract::ALL.into_iter().find(|c| c.version() == version)
    }
}

/// Whether an import's version names this exact minor version (a patch
/// release of the contract changes no type).
fn semver_compatible(ours: &str, theirs: &str) -> bool {
    let minor = |v: &str| {
        let mut parts = v.split('.');
        (
            parts.next().map(str::to_string),
            parts.next().map(str::to_string),
        )
    };
    minor(ours) == minor(theirs)
}

impl std::fmt::Display for Contract {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.version())
    }
}

/// 1.0.0's records that 1.1.0 extended, as 1.0.0 declared them.
pub(crate) mod v1_0 {
    use super::*;

    #[derive(ComponentType, Lift, Clone, Debug, serde::Deserialize)]
    #[component(variant)]
    pub enum FactOrigin {
        #[component(name = "imported")]
        Imported,
        #[component(name = "from-results")]
        FromResults((PeriodKind, ResultMeasure)),
    }

    #[derive(ComponentType, Lift, Clone, Debug, serde::Deserialize)]
    #[component(record)]
    pub struct FactSpec {
        pub name: String,
        pub title: Text,
        pub unit: Text,
        pub min: Option<i64>,
        pub max: Option<i64>,
        pub direction: Direction,
        #[component(name = "when-missing")]
        pub when_missing: WhenMissing,
        pub origin: FactOrigin,
        pub source: Text,
    }

    #[derive(ComponentType, Lift, Clone, Copy, Debug, serde::Deserialize)]
    #[component(enum)]
    #[repr(u8)]
    pub enum CohortScope {
        #[component(name = "agency")]
        Agency,
        #[component(name = "task-group")]
        TaskGroup,
    }

    #[derive(ComponentType, Lift, Clone, Copy, Debug, serde::Deserialize)]
    #[component(enum)]
    #[repr(u8)]
    pub enum TieBreak {
        #[component(name = "subject-id-ascending")]
        SubjectIdAscending,
    }

    #[derive(ComponentType, Lift, Clone, Debug, serde::Deserialize)]
    #[component(record)]
    pub struct QuotaRule {
        pub code: String,
        pub limited: super::super::Grade,
        #[component(name = "relative-to")]
        pub relative_to: super::super::Grade,
        pub share: i64,
        #[component(name = "allowance-rounding")]
        pub allowance_rounding: Rounding,
        #[component(name = "demote-to")]
        pub demote_to: super::super::Grade,
        pub scope: Vec<CohortScope>,
        #[component(name = "tie-break")]
        pub tie_break: TieBreak,
        pub title: Text,
        pub basis: Option<LegalBasis>,
    }

    #[derive(ComponentType, Lift, Clone, Debug, serde::Deserialize)]
    #[component(variant)]
    pub enum CohortRule {
        #[component(name = "quota")]
        Quota(QuotaRule),
    }

    #[derive(ComponentType, Lift, Clone, Debug, serde::Deserialize)]
    #[component(record)]
    pub struct PluginInfo {
        pub name: String,
        pub version: String,
        pub title: Text,
        pub description: Text,
        #[component(name = "applies-to")]
        pub applies_to: Vec<String>,
        #[component(name = "period-kind")]
        pub period_kind: PeriodKind,
        pub basis: Vec<LegalBasis>,
        pub facts: Vec<FactSpec>,
        pub indicators: Vec<IndicatorSpec>,
        pub scale: Scale,
        pub bands: Vec<GradeBand>,
        pub caps: Vec<CapSpec>,
        #[component(name = "cohort-rules")]
        pub cohort_rules: Vec<CohortRule>,
    }

    #[derive(ComponentType, Lower, Clone, Debug)]
    #[component(record)]
    pub struct EvaluationInput {
        pub subject: Subject,
        pub period: String,
        pub facts: Vec<Option<i64>>,
    }
}

/// What a 1.0.0 card said, in 1.1.0's words: no fact is marked personal (the
/// host's own list for the version decides), no product is read, quotas count
/// before demotion and break ties by subject id, as 1.0.0 prescribed.
impl From<v1_0::PluginInfo> for PluginInfo {
    fn from(p: v1_0::PluginInfo) -> PluginInfo {
        PluginInfo {
            name: p.name,
            version: p.version,
            title: p.title,
            description: p.description,
            applies_to: p.applies_to,
            period_kind: p.period_kind,
            basis: p.basis,
            facts: p
                .facts
                .into_iter()
                .map(|f| FactSpec {
                    name: f.name,
                    title: f.title,
                    unit: f.unit,
                    min: f.min,
                    max: f.max,
                    direction: f.direction,
                    when_missing: f.when_missing,
                    origin: match f.origin {
                        v1_0::FactOrigin::Imported => FactOrigin::Imported,
                        v1_0::FactOrigin::FromResults(r) => FactOrigin::FromResults(r),
                    },
                    source: f.source,
                    personal: false,
                })
                .collect(),
            indicators: p.indicators,
            scale: p.scale,
            bands: p.bands,
            caps: p.caps,
            cohort_rules: p
                .cohort_rules
                .into_iter()
                .map(|v1_0::CohortRule::Quota(q)| {
                    CohortRule::Quota(QuotaRule {
                        code: q.code,
                        limited: q.limited,
                        relative_to: q.relative_to,
                        share: q.share,
                        allowance_rounding: q.allowance_rounding,
                        demote_to: q.demote_to,
                        scope: q
                            .scope
                            .into_iter()
                            .map(|s| match s {
                                v1_0::CohortScope::Agency => CohortScope::Agency,
                                v1_0::CohortScope::TaskGroup => CohortScope::TaskGroup,
                            })
                            .collect(),
                        tie_break: match q.tie_break {
                            v1_0::TieBreak::SubjectIdAscending => TieBreak::SubjectIdAscending,
                        },
                        counting: QuotaCounting::BeforeDemotion,
                        title: q.title,
                        basis: q.basis,
                    })
                })
                .collect(),
            reads_products: false,
        }
    }
}

impl v1_0::EvaluationInput {
    /// What a 1.0.0 component is given: the subject, the period and the
    /// facts; it declared no products, so none are lost.
    pub(crate) fn from_current(input: &super::EvaluationInput) -> v1_0::EvaluationInput {
        v1_0::EvaluationInput {
            subject: input.subject.clone(),
            period: input.period.clone(),
            facts: input.facts.clone(),
        }
    }
}

/// A describe() as the registry stored it at publish: in the newest
/// contract's words, or, for a version published before the newest contract
/// existed, in the words of the one it was published under.
pub fn stored_info(text: &str) -> Result<PluginInfo, serde_json::Error> {
    serde_json::from_str::<PluginInfo>(text).or_else(|newest| {
        serde_json::from_str::<v1_0::PluginInfo>(text)
            .map(PluginInfo::from)
            .map_err(|_| newest)
    })
}
