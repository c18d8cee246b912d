//! The organisation's units as the registry keeps them, and assignments of
//! post types within unit subtrees to a plugin and a semver requirement.

use semver::VersionReq;

use std::collections::{HashMap, HashSet};

use super::{Error, Period, Registry, Resolved, Result, parse_version, picks, split_name};
use crate::access::{Actor, Role};
use crate::store::assignments::{Assignment, NewAssignment};
use crate::store::org::UnitRow;
use crate::store::{Guarded, Tx, now_millis};

/// An assignment to make: a post type within a unit subtree, to a plugin and
/// requirement, from a period.
pub(crate) struct Placement<'a> {
    /// A position code or an agency type.
    pub post_type: &'a str,
    /// `namespace/name`.
    pub plugin: &'a str,
    /// The semver requirement, as written.
    pub requirement: &'a str,
    /// The root of the subtree.
    pub unit: &'a str,
    /// The first period it applies to.
    pub from: &'a Period,
}

/// What [`Registry::assign_within`] did.
pub(crate) enum Assigned {
    /// Made, as stored.
    New(Assignment),
    /// One for the same post type, unit and first month was there already.
    Same(Assignment),
}

/// The organisation's tree as a transaction sees it: each unit's parent, and
/// the unit kinds (an assignment to a kind is to an agency type).
pub(crate) struct Tree<'a> {
    /// Each unit's parent.
    pub parent_of: HashMap<&'a str, Option<&'a str>>,
    /// Every unit kind.
    pub kinds: HashSet<&'a str>,
}

impl<'a> Tree<'a> {
    /// The tree of stored units.
    pub fn of(units: &'a [UnitRow]) -> Tree<'a> {
        Tree {
            parent_of: units
                .iter()
                .map(|u| (u.code.as_str(), u.parent.as_deref()))
                .collect(),
            kinds: units.iter().map(|u| u.kind.as_str()).collect(),
        }
    }

    /// The unit and its ancestors, nearest first; `None` for an unknown unit.
    pub fn ancestry(&self, code: &'a str) -> Option<Vec<&'a str>> {
        self.parent_of.get(code)?;
        let mut chain = vec![code];
        // A cycle in the data must not hang the host.
        while let Some(Some(p)) = self.parent_of.get(chain[chain.len() - 1]) {
            if chain.contains(p) {
                break;
            }
            chain.push(p);
        }
        Some(chain)
    }
}

impl Registry {
    /// Adds or updates a unit of the organisation (admins only).
    pub async fn upsert_unit(
        &self,
        actor: &Actor,
        code: &str,
        name: &str,
        kind: &str,
        parent: Option<&str>,
    ) -> Result<()> {
        if actor.role != Role::Admin {
            return Err(Error::Forbidden(format!(
                "{} may not change units: that takes an admin",
                actor.name
            )));
        }
        if let Some(p) = parent {
            self.unit_kind(p).await?;
        }
        let mut tx = self.store.begin_guarding(Guarded::Organisation).await?;
        tx.upsert_unit(code, name, kind, parent).await?;
        let detail = serde_json::json!({"name": name, "kind": kind, "parent": parent});
        Self::audit(&mut tx, actor, "unit", code, detail).await?;
        tx.commit().await?;
        self.changed();
        Ok(())
    }

    async fn unit_kind(&self, code: &str) -> Result<String> {
        match self.store.unit_kind(code).await? {
            Some(kind) => Ok(kind),
            None => Err(Error::NotFound(format!("no unit with code `{code}`"))),
        }
    }

    /// Assigns a post type within a unit subtree to a plugin and requirement,
    /// from a period (admins, or unit admins of that subtree).
    pub async fn assign(
        &self,
        actor: &Actor,
        post_type: &str,
        plugin: &str,
        requirement: &str,
        unit: &str,
        from: &str,
    ) -> Result<Assignment> {
        let from = Period::parse(from)?;
        self.check_requirement(plugin, requirement).await?;
        let mut tx = self.store.begin_guarding(Guarded::Organisation).await?;
        let units = tx.units().await?;
        let tree = Tree::of(&units);
        let placed = Placement {
            post_type,
            plugin,
            requirement,
            unit,
            from: &from,
        };
        match self.assign_within(&mut tx, actor, &placed, &tree).await? {
            Assigned::New(a) => {
                tx.commit().await?;
                self.changed();
                Ok(a)
            }
            Assigned::Same(first) => Err(Error::Tie {
                post_type: post_type.to_string(),
                unit: unit.to_string(),
                from: from.start,
                first: format!(
                    "#{} {} {} by {}",
                    first.id, first.plugin, first.requirement, first.assigned_by
                ),
            }),
        }
    }

    /// Checks that `plugin` is published and `requirement` picks one of its
    /// versions not yanked. Read outside any guard: a version never changes
    /// but by being yanked, and a yanked version is never picked.
    pub(crate) async fn check_requirement(&self, plugin: &str, requirement: &str) -> Result<()> {
        split_name(plugin)?;
        let req = VersionReq::parse(requirement).map_err(|e| Error::BadRequirement {
            requirement: requirement.to_string(),
            reason: e.to_string(),
        })?;
        let versions = self.known_versions(plugin).await?;
        if !versions
            .iter()
            .any(|r| !r.yanked && parse_version(&r.version).is_ok_and(|v| picks(&req, &v)))
        {
            let listed: Vec<String> = versions
                .iter()
                .map(|r| format!("{}{}", r.version, if r.yanked { " (yanked)" } else { "" }))
                .collect();
            return Err(Error::Unsatisfiable {
                plugin: plugin.to_string(),
                requirement: requirement.to_string(),
                available: listed.join(", "),
            });
        }
        Ok(())
    }

    /// Adds an assignment in a transaction guarding the organisation, given
    /// the tree as that transaction sees it (the requirement checked first by
    /// [`Registry::check_requirement`]). One with the same post type, unit
    /// and first month that exists already is answered as [`Assigned::Same`],
    /// whichever plugin it names.
    pub(crate) async fn assign_within(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        placed: &Placement<'_>,
        tree: &Tree<'_>,
    ) -> Result<Assigned> {
        let unit = placed.unit;
        let Some(ancestry) = tree.ancestry(unit) else {
            return Err(Error::NotFound(format!("no unit with code `{unit}`")));
        };
        match &actor.role {
            Role::Admin => {}
            Role::UnitAdmin { unit: root } if ancestry.contains(&root.as_str()) => {}
            _ => {
                return Err(Error::Forbidden(format!(
                    "{} may not assign in `{unit}`: that takes an admin or a unit admin of a subtree holding it",
                    actor.name
                )));
            }
        }
        let post_kind = if tree.kinds.contains(placed.post_type) {
            "agency-type"
        } else {
            "position"
        };
        let start = placed.from.start.as_str();
        if let Some(first) = tx
            .assignment_at(placed.post_type, post_kind, unit, start)
            .await?
        {
            return Ok(Assigned::Same(first));
        }
        tx.insert_assignment(&NewAssignment {
            post_type: placed.post_type,
            post_kind,
            unit,
            plugin: placed.plugin,
            requirement: placed.requirement,
            effective_from: start,
            assigned_by: &actor.name,
            assigned_at: now_millis(),
        })
        .await?;
        let detail = serde_json::json!({
            "post_type": placed.post_type, "post_kind": post_kind, "unit": unit,
            "plugin": placed.plugin, "requirement": placed.requirement, "from": start,
        });
        Self::audit(tx, actor, "assign", placed.post_type, detail).await?;
        let made = tx
            .assignment_at(placed.post_type, post_kind, unit, start)
            .await?
            .ok_or_else(|| crate::store::Error::corrupt("an assignment just made is not there"))?;
        Ok(Assigned::New(made))
    }

    /// Every assignment ever made, oldest first: who assigned what, when.
    pub async fn assignments(&self) -> Result<Vec<Assignment>> {
        Ok(self.store.assignments().await?)
    }

    /// The assignment in force for a post in a unit during a period, and the
    /// exact version it picks (see [`Resolver::resolve`]).
    pub async fn resolve(&self, position: &str, unit: &str, period: &str) -> Result<Resolved> {
        self.resolver(period).await?.resolve(position, unit)
    }
}
