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
    /// A person's subject.
    pub subject: Option<String>,
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
    /// A person's subject.
    pub subject: Option<&'a str>,
    /// Who made it.
    pub created_by: &'a str,
    /// When it stops working, in milliseconds since the epoch.
    pub expires_at: i64,
}

/// A token as an admin lists it (never its hash).
#[derive(Clone, Debug)]
pub struct TokenListing {
    /// The token as it authenticates.
    pub token: TokenRow,
    /// Who made it.
    pub created_by: String,
    /// When, in milliseconds since the epoch.
    pub created_at: i64,
    /// When it stops working, if it ever does.
    pub expires_at: Option<i64>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<i64>,
    /// Who revoked it.
    pub revoked_by: Option<String>,
}

impl Store {
    /// Inserts a token; its new id.
    pub async fn insert_token(&self, t: &NewToken<'_>) -> Result<i64> {
        Ok(sqlx::query(
            "INSERT INTO tokens (sha256, name, role, unit, namespace, created_by, created_at, expires_at, subject) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(t.sha256.to_string())
        .bind(t.name.to_string())
        .bind(t.role.to_string())
        .bind(t.unit.map(str::to_string))
        .bind(t.namespace.map(str::to_string))
        .bind(t.created_by.to_string())
        .bind(now_millis())
        .bind(t.expires_at)
        .bind(t.subject.map(str::to_string))
        .fetch_one(self.pool())
        .await?
        .try_get("id")?)
    }

    /// The live (neither revoked nor expired) token with this SHA-256, if any.
    pub async fn live_token(&self, sha256: &str) -> Result<Option<TokenRow>> {
        let row = sqlx::query(
            "SELECT id, name, role, unit, namespace, subject FROM tokens \
             WHERE sha256 = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)",
        )
        .bind(sha256.to_string())
        .bind(now_millis())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(token_row).transpose()?)
    }

    /// Every token ever made, oldest first.
    pub async fn tokens(&self) -> Result<Vec<TokenListing>> {
        let rows = sqlx::query(
            "SELECT id, name, role, unit, namespace, subject, created_by, created_at, expires_at, revoked_at, revoked_by \
             FROM tokens ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        super::read(&rows, |r| {
            Ok(TokenListing {
                token: token_row(r)?,
                created_by: r.try_get("created_by")?,
                created_at: r.try_get("created_at")?,
                expires_at: r.try_get("expires_at")?,
                revoked_at: r.try_get("revoked_at")?,
                revoked_by: r.try_get("revoked_by")?,
            })
        })
    }
}

impl super::Tx {
    /// Revokes a token, now, by `by`; `None` when there is no such token,
    /// else whether it was live until now (a token revoked twice keeps its
    /// first revocation).
    pub async fn revoke_token(&mut self, id: i64, by: &str) -> Result<Option<bool>> {
        let done = sqlx::query(
            "UPDATE tokens SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL",
        )
        .bind(now_millis())
        .bind(by.to_string())
        .bind(id)
        .execute(self.conn())
        .await?;
        if done.rows_affected() > 0 {
            return Ok(Some(true));
        }
        let exists = sqlx::query("SELECT id FROM tokens WHERE id = $1")
            .bind(id)
            .fetch_optional(self.conn())
            .await?
            .is_some();
        Ok(exists.then_some(false))
    }
}

pub(super) fn token_row(row: &sqlx::any::AnyRow) -> std::result::Result<TokenRow, sqlx::Error> {
    Ok(TokenRow {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        role: row.try_get("role")?,
        unit: row.try_get("unit")?,
        namespace: row.try_get("namespace")?,
        subject: row.try_get("subject")?,
    })
}
