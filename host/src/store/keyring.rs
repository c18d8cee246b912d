//! The keyring table: the deployment's secrets by purpose and id.

use sqlx::Row;

use super::{Result, Store, now_millis, read};

/// A key as stored.
#[derive(Clone, Debug)]
pub struct KeyRow {
    /// Its id, which what it signs carries: `facts-1`.
    pub id: String,
    /// What it is for: `facts`.
    pub purpose: String,
    /// The secret, in hex.
    pub secret: String,
    /// When it was made, in milliseconds since the epoch.
    pub created_at: i64,
    /// When it stopped signing, if it has.
    pub retired_at: Option<i64>,
}

impl Store {
    /// Every key, oldest first.
    pub async fn keys(&self) -> Result<Vec<KeyRow>> {
        let rows = sqlx::query(
            "SELECT id, purpose, secret, created_at, retired_at FROM keyring ORDER BY created_at, id",
        )
        .fetch_all(self.pool())
        .await?;
        read(&rows, |r| {
            Ok(KeyRow {
                id: r.try_get("id")?,
                purpose: r.try_get("purpose")?,
                secret: r.try_get("secret")?,
                created_at: r.try_get("created_at")?,
                retired_at: r.try_get("retired_at")?,
            })
        })
    }

    /// Adds a key; `false` when one with its id exists already (another
    /// host made it first).
    pub async fn insert_key(&self, id: &str, purpose: &str, secret: &str) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO keyring (id, purpose, secret, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING",
        )
        .bind(id.to_string())
        .bind(purpose.to_string())
        .bind(secret.to_string())
        .bind(now_millis())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Retires every live key of `purpose`, now.
    pub async fn retire_keys(&self, purpose: &str) -> Result<()> {
        sqlx::query("UPDATE keyring SET retired_at = $1 WHERE purpose = $2 AND retired_at IS NULL")
            .bind(now_millis())
            .bind(purpose.to_string())
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
