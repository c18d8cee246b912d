//! The assignments table, the registry's writes and reads of units, and the
//! reads a resolver is built from (units, assignments, versions' describe()).

use std::collections::HashMap;

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Result, Store, Tx, read};

/// An assignment: a post type in a unit subtree, to a plugin and requirement,
/// from a period.
#[derive(Clone, Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Assignment {
    /// Its id.
    pub id: i64,
    /// A position code or an agency type.
    pub post_type: String,
    /// `position` or `agency-type`.
    pub post_kind: String,
    /// The root of the subtree it applies to.
    pub unit: String,
    /// `namespace/name`.
    pub plugin: String,
    /// The semver requirement.
    pub requirement: String,
    /// The first month it applies (`YYYY-MM`).
    pub effective_from: String,
    /// Who made it.
    pub assigned_by: String,
    /// When.
    pub assigned_at: i64,
}

/// An assignment to insert.
pub struct NewAssignment<'a> {
    /// A position code or an agency type.
    pub post_type: &'a str,
    /// `position` or `agency-type`.
    pub post_kind: &'a str,
    /// The root of the subtree it applies to.
    pub unit: &'a str,
    /// `namespace/name`.
    pub plugin: &'a str,
    /// The semver requirement.
    pub requirement: &'a str,
    /// The first month it applies (`YYYY-MM`).
    pub effective_from: &'a str,
    /// Who makes it.
    pub assigned_by: &'a str,
    /// When, in milliseconds since the epoch.
    pub assigned_at: i64,
}

/// One published version's describe() JSON text.
#[derive(Clone, Debug)]
pub struct VersionDescribe {
    /// `namespace/name`.
    pub plugin: String,
    /// The semver version.
    pub version: String,
    /// Its describe() as published (JSON text).
    pub describe: String,
}

const ASSIGNMENT_COLUMNS: &str =
    "id, post_type, post_kind, unit, plugin, requirement, effective_from, assigned_by, assigned_at";

fn assignment(row: &AnyRow) -> Result<Assignment, sqlx::Error> {
    Ok(Assignment {
        id: row.try_get("id")?,
        post_type: row.try_get("post_type")?,
        post_kind: row.try_get("post_kind")?,
        unit: row.try_get("unit")?,
        plugin: row.try_get("plugin")?,
        requirement: row.try_get("requirement")?,
        effective_from: row.try_get("effective_from")?,
        assigned_by: row.try_get("assigned_by")?,
        assigned_at: row.try_get("assigned_at")?,
    })
}

impl Tx {
    /// The assignment for this post type, kind, unit and first month, if any.
    pub async fn assignment_at(
        &mut self,
        post_type: &str,
        post_kind: &str,
        unit: &str,
        effective_from: &str,
    ) -> Result<Option<Assignment>> {
        let row = sqlx::query(&format!(
            "SELECT {ASSIGNMENT_COLUMNS} FROM assignments WHERE post_type = $1 AND post_kind = $2 AND unit = $3 AND effective_from = $4"
        ))
        .bind(post_type.to_string())
        .bind(post_kind.to_string())
        .bind(unit.to_string())
        .bind(effective_from.to_string())
        .fetch_optional(self.conn())
        .await?;
        Ok(row.as_ref().map(assignment).transpose()?)
    }

    /// Inserts an assignment; a unique violation when one for the same post
    /// type, kind, unit and first month exists.
    pub async fn insert_assignment(&mut self, a: &NewAssignment<'_>) -> Result<()> {
        sqlx::query(
            "INSERT INTO assignments (post_type, post_kind, unit, plugin, requirement, effective_from, assigned_by, assigned_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(a.post_type.to_string())
        .bind(a.post_kind.to_string())
        .bind(a.unit.to_string())
        .bind(a.plugin.to_string())
        .bind(a.requirement.to_string())
        .bind(a.effective_from.to_string())
        .bind(a.assigned_by.to_string())
        .bind(a.assigned_at)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Adds a unit, or updates its name, kind and parent.
    pub async fn upsert_unit(
        &mut self,
        code: &str,
        name: &str,
        kind: &str,
        parent: Option<&str>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO units (code, name, kind, parent) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, parent = excluded.parent",
        )
        .bind(code.to_string())
        .bind(name.to_string())
        .bind(kind.to_string())
        .bind(parent.map(str::to_string))
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

impl Store {
    /// Every assignment ever made, oldest first.
    pub async fn assignments(&self) -> Result<Vec<Assignment>> {
        let rows = sqlx::query(&format!(
            "SELECT {ASSIGNMENT_COLUMNS} FROM assignments ORDER BY id"
        ))
        .fetch_all(self.pool())
        .await?;
        read(&rows, assignment)
    }

    /// The assignments effective from `start` or earlier, oldest first.
    pub async fn assignments_by(&self, start: &str) -> Result<Vec<Assignment>> {
        let rows = sqlx::query(&format!(
            "SELECT {ASSIGNMENT_COLUMNS} FROM assignments WHERE effective_from <= $1 ORDER BY id"
        ))
        .bind(start.to_string())
        .fetch_all(self.pool())
        .await?;
        read(&rows, assignment)
    }

    /// Every unit's kind and parent, by code.
    pub async fn unit_links(&self) -> Result<HashMap<String, (String, Option<String>)>> {
        let rows = sqlx::query("SELECT code, kind, parent FROM units")
            .fetch_all(self.pool())
            .await?;
        read(&rows, |r| {
            Ok((
                r.try_get("code")?,
                (r.try_get("kind")?, r.try_get("parent")?),
            ))
        })
    }

    /// Every published version's describe() text.
    pub async fn version_describes(&self) -> Result<Vec<VersionDescribe>> {
        let rows = sqlx::query("SELECT namespace, name, version, describe FROM plugin_versions")
            .fetch_all(self.pool())
            .await?;
        read(&rows, |r| {
            Ok(VersionDescribe {
                plugin: format!(
                    "{}/{}",
                    r.try_get::<String, _>("namespace")?,
                    r.try_get::<String, _>("name")?
                ),
                version: r.try_get("version")?,
                describe: r.try_get("describe")?,
            })
        })
    }

    /// A unit's kind, if the unit exists.
    pub async fn unit_kind(&self, code: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT kind FROM units WHERE code = $1")
            .bind(code.to_string())
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get("kind")).transpose()?)
    }
}
