//! The decisions' tables: `decisions` (a subject's grade confirmed from an
//! official run, once) and `notices` (what the person is told of it).

use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::{Result, Store, Tx, read};

/// A decided grade.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DecisionRow {
    /// The official run it was decided from.
    pub run_id: i64,
    /// The subject.
    pub subject: String,
    /// Their unit in the run.
    pub unit: String,
    /// The period.
    pub period: String,
    /// The grade decided: the run's final grade.
    pub grade: String,
    /// The total, in ten-thousandths, where there is one.
    pub total: Option<i64>,
    /// Who decided.
    pub decided_by: String,
    /// When, in milliseconds since the epoch.
    pub decided_at: i64,
}

/// A notice as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoticeRow {
    /// Its id.
    pub id: i64,
    /// The run decided from.
    pub run_id: i64,
    /// The person told.
    pub subject: String,
    /// The period.
    pub period: String,
    /// When it was written, in milliseconds since the epoch.
    pub written_at: i64,
    /// The last day an appeal may be filed, `YYYY-MM-DD`.
    pub appeal_until: String,
    /// What it says, as JSON.
    pub body: String,
    /// When the person first read it.
    pub read_at: Option<i64>,
}

fn notice_row(r: &sqlx::any::AnyRow) -> std::result::Result<NoticeRow, sqlx::Error> {
    Ok(NoticeRow {
        id: r.try_get("id")?,
        run_id: r.try_get("run_id")?,
        subject: r.try_get("subject")?,
        period: r.try_get("period")?,
        written_at: r.try_get("written_at")?,
        appeal_until: r.try_get("appeal_until")?,
        body: r.try_get("body")?,
        read_at: r.try_get("read_at")?,
    })
}

fn decision_row(r: &sqlx::any::AnyRow) -> std::result::Result<DecisionRow, sqlx::Error> {
    Ok(DecisionRow {
        run_id: r.try_get("run_id")?,
        subject: r.try_get("subject")?,
        unit: r.try_get("unit")?,
        period: r.try_get("period")?,
        grade: r.try_get("grade")?,
        total: r.try_get("total")?,
        decided_by: r.try_get("decided_by")?,
        decided_at: r.try_get("decided_at")?,
    })
}

const NOTICE_COLUMNS: &str = "id, run_id, subject, period, written_at, appeal_until, body, read_at";

impl Store {
    /// One subject's notices, newest first; at most `limit`.
    pub async fn notices_of(&self, subject: &str, limit: i64) -> Result<Vec<NoticeRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {NOTICE_COLUMNS} FROM notices WHERE subject = $1 ORDER BY written_at DESC, id DESC LIMIT $2"
        ))
        .bind(subject.to_string())
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        read(&rows, notice_row)
    }

    /// One notice.
    pub async fn notice(&self, id: i64) -> Result<Option<NoticeRow>> {
        let r = sqlx::query(&format!(
            "SELECT {NOTICE_COLUMNS} FROM notices WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(r.as_ref().map(notice_row).transpose()?)
    }

    /// Marks a notice read, the first time only.
    pub async fn mark_notice_read(&self, id: i64, at: i64) -> Result<()> {
        sqlx::query("UPDATE notices SET read_at = $1 WHERE id = $2 AND read_at IS NULL")
            .bind(at)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The decision on one subject from a run, if any.
    pub async fn decision(&self, run: i64, subject: &str) -> Result<Option<DecisionRow>> {
        let r = sqlx::query(
            "SELECT run_id, subject, unit, period, grade, total, decided_by, decided_at \
             FROM decisions WHERE run_id = $1 AND subject = $2",
        )
        .bind(run)
        .bind(subject.to_string())
        .fetch_optional(self.pool())
        .await?;
        Ok(r.as_ref().map(decision_row).transpose()?)
    }

    /// The decisions of a run's unit (its own people), in subject order.
    pub async fn unit_decisions(&self, run: i64, unit: &str) -> Result<Vec<DecisionRow>> {
        let rows = sqlx::query(
            "SELECT run_id, subject, unit, period, grade, total, decided_by, decided_at \
             FROM decisions WHERE run_id = $1 AND unit = $2 ORDER BY subject",
        )
        .bind(run)
        .bind(unit.to_string())
        .fetch_all(self.pool())
        .await?;
        read(&rows, decision_row)
    }
}

impl Tx {
    /// Records a decision unless one is there for the run and subject:
    /// whether it was recorded.
    pub async fn insert_decision(&mut self, d: &DecisionRow) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO decisions (run_id, subject, unit, period, grade, total, decided_by, decided_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (run_id, subject) DO NOTHING",
        )
        .bind(d.run_id)
        .bind(d.subject.clone())
        .bind(d.unit.clone())
        .bind(d.period.clone())
        .bind(d.grade.clone())
        .bind(d.total)
        .bind(d.decided_by.clone())
        .bind(d.decided_at)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Sets a decided grade anew, after a correction changed the result it
    /// was decided from: whether there was a decision to change.
    pub async fn redecide(
        &mut self,
        run: i64,
        subject: &str,
        grade: &str,
        total: Option<i64>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE decisions SET grade = $1, total = $2 WHERE run_id = $3 AND subject = $4",
        )
        .bind(grade.to_string())
        .bind(total)
        .bind(run)
        .bind(subject.to_string())
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Writes a notice; its id.
    pub async fn insert_notice(&mut self, n: &NoticeRow) -> Result<i64> {
        Ok(sqlx::query(
            "INSERT INTO notices (run_id, subject, period, written_at, appeal_until, body) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(n.run_id)
        .bind(n.subject.clone())
        .bind(n.period.clone())
        .bind(n.written_at)
        .bind(n.appeal_until.clone())
        .bind(n.body.clone())
        .fetch_one(self.conn())
        .await?
        .try_get("id")?)
    }
}
