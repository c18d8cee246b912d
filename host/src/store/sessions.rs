//! The sessions table: each dashboard session's SHA-256 (never its id),
//! the token it was opened with, and when it was last seen and ends.

use sqlx::Row;

use super::tokens::TokenRow;
use super::{Result, Store, now_millis};

impl Store {
    /// Opens a session for the token whose SHA-256 is `token_sha256`, until
    /// `expires_at`; sessions long over are dropped on the way.
    pub async fn insert_session(
        &self,
        sha256: &str,
        token_sha256: &str,
        expires_at: i64,
    ) -> Result<()> {
        let now = now_millis();
        // A day past their end, sessions serve nobody: the table stays the
        // size of the live ones.
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(now - 86_400_000)
            .execute(self.pool())
            .await?;
        sqlx::query(
            "INSERT INTO sessions (sha256, token_sha256, created_at, last_seen, expires_at) VALUES ($1, $2, $3, $3, $4)",
        )
        .bind(sha256.to_string())
        .bind(token_sha256.to_string())
        .bind(now)
        .bind(expires_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The token of the live session with this SHA-256: not ended, not past
    /// its expiry, seen since `idle_since`, and its token live. The session
    /// is marked seen now when it was last seen over a minute ago.
    pub async fn live_session(&self, sha256: &str, idle_since: i64) -> Result<Option<TokenRow>> {
        let now = now_millis();
        let row = sqlx::query(
            "SELECT t.id, t.name, t.role, t.unit, t.namespace, t.subject, s.last_seen FROM sessions s \
             JOIN tokens t ON t.sha256 = s.token_sha256 \
             WHERE s.sha256 = $1 AND s.ended_at IS NULL AND s.expires_at > $2 AND s.last_seen > $3 \
             AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2)",
        )
        .bind(sha256.to_string())
        .bind(now)
        .bind(idle_since)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let last_seen: i64 = row.try_get("last_seen")?;
        if now - last_seen > 60_000 {
            sqlx::query("UPDATE sessions SET last_seen = $1 WHERE sha256 = $2")
                .bind(now)
                .bind(sha256.to_string())
                .execute(self.pool())
                .await?;
        }
        Ok(Some(super::tokens::token_row(&row)?))
    }

    /// Ends the session with this SHA-256, now.
    pub async fn end_session(&self, sha256: &str) -> Result<()> {
        sqlx::query("UPDATE sessions SET ended_at = $1 WHERE sha256 = $2 AND ended_at IS NULL")
            .bind(now_millis())
            .bind(sha256.to_string())
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
