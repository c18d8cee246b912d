//! The exemptions table: subjects not evaluated for a period.

use serde::Serialize;
use sqlx::Row;

use super::{Result, Store, Tx, read};

/// An exemption as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ExemptionRow {
    /// The subject.
    pub subject: String,
    /// The period, as written: "2025", "2025-Q3", "2025-09".
    pub period: String,
    /// Why: "maternity leave from 3 March", "recruited on 1 November".
    pub reason: String,
    /// The rule that leaves them out, when one is named.
    pub basis: Option<String>,
    /// Who recorded it.
    pub recorded_by: String,
    /// When, in milliseconds since the epoch.
    pub recorded_at: i64,
}

const COLUMNS: &str = "subject, period, reason, basis, recorded_by, recorded_at";

fn row(r: &sqlx::any::AnyRow) -> Result<ExemptionRow, sqlx::Error> {
    Ok(ExemptionRow {
        subject: r.try_get("subject")?,
        period: r.try_get("period")?,
        reason: r.try_get("reason")?,
        basis: r.try_get("basis")?,
        recorded_by: r.try_get("recorded_by")?,
        recorded_at: r.try_get("recorded_at")?,
    })
}

impl Store {
    /// Every exemption for one period: a run reads them all, as it reads
    /// every subject.
    pub async fn period_exemptions(&self, period: &str) -> Result<Vec<ExemptionRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM exemptions WHERE period = $1 ORDER BY subject"
        ))
        .bind(period.to_string())
        .fetch_all(self.pool())
        .await?;
        read(&rows, row)
    }

    /// Which of `subjects` (a page's) are exempted for `period`.
    pub async fn exempted_among(
        &self,
        period: &str,
        subjects: &[&str],
    ) -> Result<std::collections::HashSet<String>> {
        if subjects.is_empty() {
            return Ok(Default::default());
        }
        // Numbered, so that SQLite binds them by number after `$1`.
        let list = (2..2 + subjects.len())
            .map(|k| format!("${k}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql =
            format!("SELECT subject FROM exemptions WHERE period = $1 AND subject IN ({list})");
        let mut query = sqlx::query(&sql).bind(period.to_string());
        for s in subjects {
            query = query.bind(s.to_string());
        }
        let rows = query.fetch_all(self.pool()).await?;
        read(&rows, |r| r.try_get("subject"))
    }

    /// One subject's exemptions, newest period first; at most `limit`.
    pub async fn subject_exemptions(&self, subject: &str, limit: i64) -> Result<Vec<ExemptionRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM exemptions WHERE subject = $1 ORDER BY period DESC LIMIT $2"
        ))
        .bind(subject.to_string())
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        read(&rows, row)
    }
}

impl Tx {
    /// Records an exemption, replacing one for the same subject and period;
    /// the one replaced, if any.
    pub async fn put_exemption(&mut self, e: &ExemptionRow) -> Result<Option<ExemptionRow>> {
        let before = self.exemption(&e.subject, &e.period).await?;
        sqlx::query("DELETE FROM exemptions WHERE subject = $1 AND period = $2")
            .bind(e.subject.clone())
            .bind(e.period.clone())
            .execute(self.conn())
            .await?;
        sqlx::query(&format!(
            "INSERT INTO exemptions ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"
        ))
        .bind(e.subject.clone())
        .bind(e.period.clone())
        .bind(e.reason.clone())
        .bind(e.basis.clone())
        .bind(e.recorded_by.clone())
        .bind(e.recorded_at)
        .execute(self.conn())
        .await?;
        Ok(before)
    }

    /// Removes an exemption; the one removed, if there was one.
    pub async fn delete_exemption(
        &mut self,
        subject: &str,
        period: &str,
    ) -> Result<Option<ExemptionRow>> {
        let before = self.exemption(subject, period).await?;
        sqlx::query("DELETE FROM exemptions WHERE subject = $1 AND period = $2")
            .bind(subject.to_string())
            .bind(period.to_string())
            .execute(self.conn())
            .await?;
        Ok(before)
    }

    async fn exemption(&mut self, subject: &str, period: &str) -> Result<Option<ExemptionRow>> {
        let r = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM exemptions WHERE subject = $1 AND period = $2"
        ))
        .bind(subject.to_string())
        .bind(period.to_string())
        .fetch_optional(self.conn())
        .await?;
        Ok(r.as_ref().map(row).transpose()?)
    }
}
