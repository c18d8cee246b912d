//! Which version is in force for a post in a unit during a period, decided in
//! memory from one read of the units, assignments and versions: a run resolves
//! hundreds of thousands of subjects with a handful of queries.

use std::collections::HashMap;

use semver::VersionReq;

use super::{
    Assignment, Error, Period, Registry, Resolved, Result, VersionRecord, parse_version, picks,
};
use crate::runtime::PeriodKind;

/// The organisation's units and the assignments and versions as they were read.
pub struct Resolver {
    period: Period,
    /// Code → (kind, parent).
    units: HashMap<String, (String, Option<String>)>,
    assignments: Vec<Assignment>,
    versions: HashMap<String, Vec<VersionRecord>>,
    /// (plugin, version) → the kind of period it scores.
    kinds: HashMap<(String, String), PeriodKind>,
    memo: HashMap<(String, String, Option<u8>), Option<Resolved>>,
}

impl Registry {
    /// A resolver for `period`, reading the units, the assignments in force by
    /// then and every version once.
    pub async fn resolver(&self, period: &str) -> Result<Resolver> {
        let period = Period::parse(period)?;
        let units = self.store.unit_links().await?;
        let assignments = self.store.assignments_by(&period.start).await?;
        let mut versions: HashMap<String, Vec<VersionRecord>> = HashMap::new();
        for a in &assignments {
            if !versions.contains_key(&a.plugin) {
                versions.insert(a.plugin.clone(), self.versions(&a.plugin).await?);
            }
        }
        let mut kinds = HashMap::new();
        for r in self.store.version_describes().await? {
            if !versions.contains_key(&r.plugin) {
                continue;
            }
            if let Ok(info) = crate::runtime::stored_info(&r.describe) {
                kinds.insert((r.plugin, r.version), info.period_kind);
            }
        }
        Ok(Resolver {
            period,
            units,
            assignments,
            versions,
            kinds,
            memo: HashMap::new(),
        })
    }
}

impl Resolver {
    /// The period resolved for.
    pub fn period(&self) -> &Period {
        &self.period
    }

    /// The unit and its ancestors, nearest first.
    pub fn ancestry(&self, unit: &str) -> Result<Vec<&str>> {
        let Some((code, _)) = self.units.get_key_value(unit) else {
            return Err(Error::NotFound(format!("no unit with code `{unit}`")));
        };
        let mut chain = vec![code.as_str()];
        while let Some((_, Some(parent))) = self.units.get(*chain.last().unwrap()) {
            // A cycle in the data must not hang the host.
            if chain.contains(&parent.as_str()) || !self.units.contains_key(parent) {
                break;
            }
            chain.push(parent);
        }
        Ok(chain)
    }

    /// The unit's kind (agency type).
    pub fn kind(&self, unit: &str) -> Option<&str> {
        self.units.get(unit).map(|(k, _)| k.as_str())
    }

    /// The assignment in force for a post in a unit and the exact version it
    /// picks: a position code over an agency type, the nearest enclosing unit
    /// over a wider one, the latest effective before the period starts; the
    /// highest matching version that is neither yanked nor an unnamed
    /// pre-release.
    pub fn resolve(&mut self, position: &str, unit: &str) -> Result<Resolved> {
        self.resolve_kind(position, unit, None)?
            .ok_or_else(|| unreachable_none(position, unit))
    }

    /// As [`Resolver::resolve`], among the assignments whose scorecard scores
    /// periods of `kind` (when given): a post may hold a monthly and a yearly
    /// card at once, the monthly grades feeding the yearly. `None` when the
    /// post has scorecards assigned, but only for other kinds of period.
    pub fn resolve_kind(
        &mut self,
        position: &str,
        unit: &str,
        kind: Option<PeriodKind>,
    ) -> Result<Option<Resolved>> {
        let key = (
            position.to_string(),
            unit.to_string(),
            kind.map(|k| k as u8),
        );
        if let Some(r) = self.memo.get(&key) {
            return Ok(r.clone());
        }
        let resolved = self.resolve_uncached(position, unit, kind)?;
        self.memo.insert(key, resolved.clone());
        Ok(resolved)
    }

    fn resolve_uncached(
        &self,
        position: &str,
        unit: &str,
        kind: Option<PeriodKind>,
    ) -> Result<Option<Resolved>> {
        let ancestry = self.ancestry(unit)?;
        let unit_kind = self.kind(unit).unwrap_or_default();
        let mut candidates: Vec<(&Assignment, usize)> = self
            .assignments
            .iter()
            .filter(|a| {
                (a.post_kind == "position" && a.post_type == position)
                    || (a.post_kind == "agency-type" && a.post_type == unit_kind)
            })
            .filter_map(|a| {
                ancestry
                    .iter()
                    .position(|u| *u == a.unit)
                    .map(|depth| (a, depth))
            })
            .collect();
        if candidates.is_empty() {
            return Err(Error::NotFound(format!(
                "no scorecard is assigned to post `{position}` or agency type `{unit_kind}` in `{unit}` or above for {}",
                self.period.text
            )));
        }
        candidates.sort_by(|(a, da), (b, db)| {
            (
                a.post_kind != "position",
                *da,
                std::cmp::Reverse(&a.effective_from),
            )
                .cmp(&(
                    b.post_kind != "position",
                    *db,
                    std::cmp::Reverse(&b.effective_from),
                ))
        });
        for (best, _) in candidates {
            let resolved = self.pick(best)?;
            let resolved_kind = self
                .kinds
                .get(&(best.plugin.clone(), resolved.version.clone()));
            if kind.is_none() || resolved_kind == kind.as_ref() {
                return Ok(Some(resolved));
            }
        }
        Ok(None)
    }

    /// The version an assignment picks.
    fn pick(&self, best: &Assignment) -> Result<Resolved> {
        let req = VersionReq::parse(&best.requirement).map_err(|e| Error::BadRequirement {
            requirement: best.requirement.clone(),
            reason: e.to_string(),
        })?;
        let picked = self
            .versions
            .get(&best.plugin)
            .into_iter()
            .flatten()
            .filter(|r| !r.yanked)
            .filter_map(|r| parse_version(&r.version).ok().map(|v| (v, r)))
            .filter(|(v, _)| picks(&req, v))
            .max_by(|a, b| a.0.cmp(&b.0));
        match picked {
            Some((_, r)) => Ok(Resolved {
                version: r.version.clone(),
                sha256: r.sha256.clone(),
                assignment: best.clone(),
            }),
            None => Err(Error::Unsatisfiable {
                plugin: best.plugin.clone(),
                requirement: best.requirement.clone(),
                available: "every matching version is yanked".into(),
            }),
        }
    }
}

/// Without a kind to match, the first candidate always answers.
fn unreachable_none(position: &str, unit: &str) -> Error {
    Error::NotFound(format!(
        "no scorecard resolves for `{position}` in `{unit}`"
    ))
}
