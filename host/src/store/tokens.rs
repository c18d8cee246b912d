//! The tokens table: each token's SHA-256 (never its secret), role and scope.

use sqlx::Row;

use super::{Result, Store, now_millis};

/// A token row as stored.
#[derive(Clone, Debug)]
pub struct TokenRow {
    /// Its id.
    pub id: i64,
    /// Who or what it is for.
    pub name: String,
    /// Its role's name.
    pub role: String,
    /// A unit admin's subtree.
    pub unit: Option<String>,
    /// A publisher's namespace.
    pub namespace: Option<String>,
}

/// A token to insert.
pub struct NewToken<'a> {
    /// The SHA-256 of its secret, in hex.
    pub sha256: &'a str,
    /// Who or what it is for.
    pub name: &'a str,
    /// Its role's name.
    pub role: &'a str,
    /// A unit admin's subtree.
    pub unit: Option<&'a str>,
    /// A publisher's namespace.
    pub namespace: Option<&'a str>,
    /// Who made it.
    pub created_by: &'a str,
}

impl Store {
    /// Inserts a token; its new id.
    pub async fn insert_token(&self, t: &NewToken<'_>) -> Result<i64> {
        Ok(sqlx::query(
            "INSERT INTO tokens (sha256, name, role, unit, namespace, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(t.sha256.to_string())
        .bind(t.name.to_string())
        .bind(t.role.to_string())
        .bind(t.unit.map(str::to_string))
        .bind(t.namespace.map(str::to_string))
        .bind(t.created_by.to_string())
        .bind(now_millis())
        .fetch_one(self.pool())
        .await?
        .try_get("id")?)
    }

    /// The live (not revoked) token with this SHA-256, if any.
    pub async fn live_token(&self, sha256: &str) -> Result<Option<TokenRow>> {
        let row = sqlx::query(
            "SELECT id, name, role, unit, namespace FROM tokens \
             WHERE sha256 = $1 AND revoked_at IS NULL",
        )
        .bind(sha256.to_string())
        .fetch_optional(self.pool())
        .await?;
        Ok(row
            .map(|row| {
                Ok::<_, sqlx::Error>(TokenRow {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    role: row.try_get("role")?,
                    unit: row.try_get("unit")?,
                    namespace: row.try_get("namespace")?,
                })
            })
            .transpose()?)
    }
}
