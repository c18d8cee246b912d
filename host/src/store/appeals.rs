//! The appeals' tables: `appeals` (one per notice at most),
//! `appeal_evidence` (the files that back one) and `appeal_windows` (the
//! working days to appeal and to answer, per category of post).

use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::{Result, Store, Tx, read};

/// An appeal as stored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppealRow {
    /// Its id.
    pub id: i64,
    /// The notice appealed.
    pub notice_id: i64,
    /// The official run decided from.
    pub run_id: i64,
    /// The person appealing.
    pub subject: String,
    /// Their unit when they appealed.
    pub unit: String,
    /// The period.
    pub period: String,
    /// The indicators or facts contested, as JSON (a list of names).
    pub contested: String,
    /// What the person says.
    pub text: String,
    /// Who filed it.
    pub filed_by: String,
    /// When.
    pub filed_at: i64,
    /// The last day it is to be answered, `YYYY-MM-DD`.
    pub answer_due: String,
    /// `filed`, `rejected` or `upheld`.
    pub state: String,
    /// The answer's reason.
    pub answer: Option<String>,
    /// An upheld appeal's corrected facts, as JSON (name → ten-thousandths).
    pub corrected_facts: Option<String>,
    /// Who answered.
    pub answered_by: Option<String>,
    /// When.
    pub answered_at: Option<i64>,
    /// Whether after the answer's due day.
    pub answered_late: Option<bool>,
}

const COLUMNS: &str = "id, notice_id, run_id, subject, unit, period, contested, text, filed_by, \
    filed_at, answer_due, state, answer, corrected_facts, answered_by, answered_at, answered_late";

fn appeal_row(r: &sqlx::any::AnyRow) -> std::result::Result<AppealRow, sqlx::Error> {
    Ok(AppealRow {
        id: r.try_get("id")?,
        notice_id: r.try_get("notice_id")?,
        run_id: r.try_get("run_id")?,
        subject: r.try_get("subject")?,
        unit: r.try_get("unit")?,
        period: r.try_get("period")?,
        contested: r.try_get("contested")?,
        text: r.try_get("text")?,
        filed_by: r.try_get("filed_by")?,
        filed_at: r.try_get("filed_at")?,
        answer_due: r.try_get("answer_due")?,
        state: r.try_get("state")?,
        answer: r.try_get("answer")?,
        corrected_facts: r.try_get("corrected_facts")?,
        answered_by: r.try_get("answered_by")?,
        answered_at: r.try_get("answered_at")?,
        answered_late: r
            .try_get::<Option<i64>, _>("answered_late")?
            .map(|v| v != 0),
    })
}

/// A piece of evidence, without its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvidenceRow {
    /// Its name within the appeal.
    pub name: String,
    /// Its type.
    pub content_type: String,
    /// Its size in bytes.
    pub size: i64,
    /// When it was added.
    pub added_at: i64,
}

impl Store {
    /// One appeal.
    pub async fn appeal(&self, id: i64) -> Result<Option<AppealRow>> {
        let r = sqlx::query(&format!("SELECT {COLUMNS} FROM appeals WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(r.as_ref().map(appeal_row).transpose()?)
    }

    /// The appeal of a notice, if one was filed.
    pub async fn appeal_of_notice(&self, notice: i64) -> Result<Option<i64>> {
        let r = sqlx::query("SELECT id FROM appeals WHERE notice_id = $1")
            .bind(notice)
            .fetch_optional(self.pool())
            .await?;
        Ok(r.map(|r| r.try_get("id")).transpose()?)
    }

    /// An appeal's evidence, by name.
    pub async fn evidence_of(&self, appeal: i64) -> Result<Vec<EvidenceRow>> {
        let rows = sqlx::query(
            "SELECT name, content_type, size, added_at FROM appeal_evidence WHERE appeal_id = $1 ORDER BY name",
        )
        .bind(appeal)
        .fetch_all(self.pool())
        .await?;
        read(&rows, |r| {
            Ok(EvidenceRow {
                name: r.try_get("name")?,
                content_type: r.try_get("content_type")?,
                size: r.try_get("size")?,
                added_at: r.try_get("added_at")?,
            })
        })
    }

    /// One piece of evidence's type and bytes.
    pub async fn evidence(&self, appeal: i64, name: &str) -> Result<Option<(String, Vec<u8>)>> {
        let r = sqlx::query(
            "SELECT content_type, bytes FROM appeal_evidence WHERE appeal_id = $1 AND name = $2",
        )
        .bind(appeal)
        .bind(name.to_string())
        .fetch_optional(self.pool())
        .await?;
        Ok(
            r.map(|r| Ok::<_, sqlx::Error>((r.try_get("content_type")?, r.try_get("bytes")?)))
                .transpose()?,
        )
    }
}

impl Tx {
    /// Files an appeal unless its notice has one: its id, or `None`.
    pub async fn insert_appeal(&mut self, a: &AppealRow) -> Result<Option<i64>> {
        let r = sqlx::query(
            "INSERT INTO appeals (notice_id, run_id, subject, unit, period, contested, text, filed_by, \
             filed_at, answer_due, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'filed') \
             ON CONFLICT (notice_id) DO NOTHING RETURNING id",
        )
        .bind(a.notice_id)
        .bind(a.run_id)
        .bind(a.subject.clone())
        .bind(a.unit.clone())
        .bind(a.period.clone())
        .bind(a.contested.clone())
        .bind(a.text.clone())
        .bind(a.filed_by.clone())
        .bind(a.filed_at)
        .bind(a.answer_due.clone())
        .fetch_optional(self.conn())
        .await?;
        Ok(r.map(|r| r.try_get("id")).transpose()?)
    }

    /// Answers an appeal still filed: whether it was.
    pub async fn answer_appeal(&mut self, a: &AppealRow) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE appeals SET state = $1, answer = $2, corrected_facts = $3, answered_by = $4, \
             answered_at = $5, answered_late = $6 WHERE id = $7 AND state = 'filed'",
        )
        .bind(a.state.clone())
        .bind(a.answer.clone())
        .bind(a.corrected_facts.clone())
        .bind(a.answered_by.clone())
        .bind(a.answered_at)
        .bind(a.answered_late.map(i64::from))
        .bind(a.id)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// How many pieces of evidence an appeal holds.
    pub async fn evidence_count(&mut self, appeal: i64) -> Result<i64> {
        Ok(
            sqlx::query("SELECT COUNT(*) AS n FROM appeal_evidence WHERE appeal_id = $1")
                .bind(appeal)
                .fetch_one(self.conn())
                .await?
                .try_get("n")?,
        )
    }

    /// Adds (or replaces) a piece of evidence.
    pub async fn put_evidence(
        &mut self,
        appeal: i64,
        name: &str,
        content_type: &str,
        bytes: Vec<u8>,
        at: i64,
    ) -> Result<()> {
        sqlx::query("DELETE FROM appeal_evidence WHERE appeal_id = $1 AND name = $2")
            .bind(appeal)
            .bind(name.to_string())
            .execute(self.conn())
            .await?;
        let size = bytes.len() as i64;
        sqlx::query(
            "INSERT INTO appeal_evidence (appeal_id, name, content_type, bytes, size, added_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(appeal)
        .bind(name.to_string())
        .bind(content_type.to_string())
        .bind(bytes)
        .bind(size)
        .bind(at)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

/// An appeal window as stored: working days to appeal a notice and to
/// answer an appeal, for the posts of one category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AppealWindowRow {
    /// The category: `public-employee`, or `default` for every post whose
    /// category has none of its own.
    pub category: String,
    /// Working days from a notice in which an appeal may be filed.
    pub appeal_working_days: i64,
    /// Working days from an appeal in which it is to be answered.
    pub answer_working_days: i64,
    /// Who set it.
    pub set_by: String,
    /// When, in milliseconds since the epoch.
    pub set_at: i64,
}

impl Store {
    /// Every appeal window set, by category.
    pub async fn appeal_windows(&self) -> Result<Vec<AppealWindowRow>> {
        let rows = sqlx::query(
            "SELECT category, appeal_days, answer_days, set_by, set_at FROM appeal_windows ORDER BY category",
        )
        .fetch_all(self.pool())
        .await?;
        read(&rows, |r| {
            Ok(AppealWindowRow {
                category: r.try_get("category")?,
                appeal_working_days: r.try_get("appeal_days")?,
                answer_working_days: r.try_get("answer_days")?,
                set_by: r.try_get("set_by")?,
                set_at: r.try_get("set_at")?,
            })
        })
    }

    /// The category of the post `subject` holds, if it names one.
    pub async fn category_of(&self, subject: &str) -> Result<Option<String>> {
        Ok(sqlx::query(
            "SELECT p.category FROM subjects s JOIN posts p ON p.code = s.post WHERE s.id = $1",
        )
        .bind(subject.to_string())
        .fetch_optional(self.pool())
        .await?
        .map(|r| r.try_get::<Option<String>, _>("category"))
        .transpose()?
        .flatten())
    }
}

impl Tx {
    /// Sets a category's appeal window, replacing the one it had.
    pub async fn set_appeal_window(&mut self, w: &AppealWindowRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO appeal_windows (category, appeal_days, answer_days, set_by, set_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (category) DO UPDATE SET \
             appeal_days = excluded.appeal_days, answer_days = excluded.answer_days, \
             set_by = excluded.set_by, set_at = excluded.set_at",
        )
        .bind(w.category.clone())
        .bind(w.appeal_working_days)
        .bind(w.answer_working_days)
        .bind(w.set_by.clone())
        .bind(w.set_at)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// How many categories have a window.
    pub async fn appeal_window_count(&mut self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM appeal_windows")
            .fetch_one(self.conn())
            .await?
            .try_get("n")?)
    }
}
