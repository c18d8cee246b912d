//! The organisation's units as the registry keeps them, and assignments of
//! post types within unit subtrees to a plugin and a semver requirement.

use semver::VersionReq;

use super::{Error, Period, Registry, Resolved, Result, parse_version, picks, split_name};
use crate::access::{Actor, Role};
use crate::store::assignments::{Assignment, NewAssignment};
use crate::store::now_millis;

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
        let mut tx = self.store.begin().await?;
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

    /// The unit and its ancestors, nearest first.
    async fn ancestry(&self, code: &str) -> Result<Vec<String>> {
        self.unit_kind(code).await?;
        let mut chain = vec![code.to_string()];
        loop {
            match self.store.unit_parent(chain.last().unwrap()).await? {
                // A cycle in the data must not hang the host.
                Some(p) if !chain.contains(&p) => chain.push(p),
                _ => return Ok(chain),
            }
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
        let ancestry = self.ancestry(unit).await?;
        match &actor.role {
            Role::Admin => {}
            Role::UnitAdmin { unit: root } if ancestry.contains(root) => {}
            _ => {
                return Err(Error::Forbidden(format!(
                    "{} may not assign in `{unit}`: that takes an admin or a unit admin of a subtree holding it",
                    actor.name
                )));
            }
        }
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
        let is_agency_type = self.store.is_agency_type(post_type).await?;
        let post_kind = if is_agency_type {
            "agency-type"
        } else {
            "position"
        };
        let mut tx = self.store.begin().await?;
        let inserted = tx
            .insert_assignment(&NewAssignment {
                post_type,
                post_kind,
                unit,
                plugin,
                requirement,
                effective_from: &from.start,
                assigned_by: &actor.name,
                assigned_at: now_millis(),
            })
            .await;
        if let Err(e) = inserted {
            drop(tx);
            if e.is_unique_violation() {
                let first = self
                    .store
                    .assignment_at(post_type, post_kind, unit, &from.start)
                    .await?;
                return Err(Error::Tie {
                    post_type: post_type.to_string(),
                    unit: unit.to_string(),
                    from: from.start,
                    first: format!(
                        "#{} {} {} by {}",
                        first.id, first.plugin, first.requirement, first.assigned_by
                    ),
                });
            }
            return Err(e.into());
        }
        let detail = serde_json::json!({
            "post_type": post_type, "post_kind": post_kind, "unit": unit,
            "plugin": plugin, "requirement": requirement, "from": from.start,
        });
        Self::audit(&mut tx, actor, "assign", post_type, detail).await?;
        tx.commit().await?;
        self.changed();
        Ok(self
            .store
            .assignment_at(post_type, post_kind, unit, &from.start)
            .await?)
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
