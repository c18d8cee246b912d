//! Corrections' tables: `corrections` (one a correction of a run: whose
//! facts, which, why, by whom, the revision it made) and
//! `corrected_results` (every result a correction replaced, as it was);
//! and the rewriting of a run's rows, counts and summary in place.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::bulk::{Cell, insert};
use super::runs::indicators_text;
use super::{Error, Result, Store, Tx, read};
use crate::scoring::{FactValues, StoredResult};

/// A correction as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CorrectionRow {
    /// Its id.
    pub id: i64,
    /// The run corrected.
    pub run_id: i64,
    /// The run's revision it made.
    pub revision: i64,
    /// Whose facts were corrected.
    pub subject: String,
    /// The upheld appeal it came from, if one.
    pub appeal_id: Option<i64>,
    /// The corrected facts, name → value in ten-thousandths, as JSON.
    pub facts: String,
    /// Why.
    pub reason: String,
    /// Who corrected.
    pub corrected_by: String,
    /// When, in milliseconds since the epoch.
    pub corrected_at: i64,
}

fn correction_row(r: &sqlx::any::AnyRow) -> std::result::Result<CorrectionRow, sqlx::Error> {
    Ok(CorrectionRow {
        id: r.try_get("id")?,
        run_id: r.try_get("run_id")?,
        revision: r.try_get("revision")?,
        subject: r.try_get("subject")?,
        appeal_id: r.try_get("appeal_id")?,
        facts: r.try_get("facts")?,
        reason: r.try_get("reason")?,
        corrected_by: r.try_get("corrected_by")?,
        corrected_at: r.try_get("corrected_at")?,
    })
}

/// The most corrections of one run listed at once.
pub const MAX_LISTED: i64 = 500;

impl Store {
    /// A run's corrections, in order, at most [`MAX_LISTED`].
    pub async fn corrections_of(&self, run: i64) -> Result<Vec<CorrectionRow>> {
        let rows = sqlx::query(
            "SELECT id, run_id, revision, subject, appeal_id, facts, reason, corrected_by, corrected_at \
             FROM corrections WHERE run_id = $1 ORDER BY revision LIMIT $2",
        )
        .bind(run)
        .bind(MAX_LISTED)
        .fetch_all(self.pool())
        .await?;
        read(&rows, correction_row)
    }

    /// The correction an appeal made, if one.
    pub async fn correction_of_appeal(&self, appeal: i64) -> Result<Option<CorrectionRow>> {
        let rows = sqlx::query(
            "SELECT id, run_id, revision, subject, appeal_id, facts, reason, corrected_by, corrected_at \
             FROM corrections WHERE appeal_id = $1",
        )
        .bind(appeal)
        .fetch_all(self.pool())
        .await?;
        let found: Vec<CorrectionRow> = read(&rows, correction_row)?;
        Ok(found.into_iter().next())
    }

    /// The results a correction replaced, by subject: each as it was and
    /// as it became.
    pub async fn corrected_results(
        &self,
        correction: i64,
    ) -> Result<Vec<(StoredResult, StoredResult)>> {
        let rows = sqlx::query(
            "SELECT subject, was, became FROM corrected_results WHERE correction_id = $1 ORDER BY subject",
        )
        .bind(correction)
        .fetch_all(self.pool())
        .await?;
        let texts: Vec<(String, String, String)> = read(&rows, |r| {
            Ok((
                r.try_get::<String, _>("subject")?,
                r.try_get::<String, _>("was")?,
                r.try_get::<String, _>("became")?,
            ))
        })?;
        texts
            .into_iter()
            .map(|(subject, was, became)| {
                let parse = |t: &str| {
                    serde_json::from_str::<StoredResult>(t).map_err(|e| {
                        Error::corrupt(format!(
                            "a corrected result of {subject} (correction {correction}) is unreadable: {e}"
                        ))
                    })
                };
                Ok((parse(&was)?, parse(&became)?))
            })
            .collect()
    }
}

impl Tx {
    /// Raises complete run `run`'s revision from `from` and sets its
    /// summary: whether it was still at `from` (another correction may
    /// have come first).
    pub async fn revise_run(&mut self, run: i64, from: i64, summary: &str) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE runs SET revision = revision + 1, summary = $1 \
             WHERE id = $2 AND revision = $3 AND status = 'complete'",
        )
        .bind(summary.to_string())
        .bind(run)
        .bind(from)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a correction; its id.
    pub async fn insert_correction(&mut self, c: &CorrectionRow) -> Result<i64> {
        Ok(sqlx::query(
            "INSERT INTO corrections (run_id, revision, subject, appeal_id, facts, reason, corrected_by, corrected_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(c.run_id)
        .bind(c.revision)
        .bind(c.subject.clone())
        .bind(c.appeal_id)
        .bind(c.facts.clone())
        .bind(c.reason.clone())
        .bind(c.corrected_by.clone())
        .bind(c.corrected_at)
        .fetch_one(self.conn())
        .await?
        .try_get("id")?)
    }

    /// Replaces results of run `run` (`changed`: each as it was and as it
    /// is now), keeping each as it was under correction `correction`, and
    /// counts the units they are in again.
    pub async fn replace_results(
        &mut self,
        run: i64,
        correction: i64,
        changed: &[(StoredResult, StoredResult)],
    ) -> Result<()> {
        // Formed before the insert: a borrowing iterator held across its
        // awaits would keep the future from being `Send` for every lifetime.
        let rows: Vec<Vec<Cell>> = changed
            .iter()
            .map(|(was, became)| {
                vec![
                    Cell::Int(correction),
                    Cell::from(was.subject.as_str()),
                    Cell::Text(serde_json::to_string(was).expect("serialises")),
                    Cell::Text(serde_json::to_string(became).expect("serialises")),
                ]
            })
            .collect();
        insert(
            self.conn(),
            "INSERT INTO corrected_results (correction_id, subject, was, became)",
            "",
            rows,
        )
        .await?;
        for (_, r) in changed {
            sqlx::query(
                "UPDATE run_results SET outcome = $1, total = $2, computed_grade = $3, grade = $4, \
                 cohort_rule = $5, caps = $6, indicators = $7, facts = $8, facts_sha256 = $9, \
                 fuel = $10, error = $11 WHERE run_id = $12 AND subject = $13",
            )
            .bind(r.outcome.code().to_string())
            .bind(r.total)
            .bind(r.computed_grade.map(|g| g.code().to_string()))
            .bind(r.grade.map(|g| g.code().to_string()))
            .bind(r.cohort_rule.clone())
            .bind(serde_json::to_string(&r.caps).expect("serialises"))
            .bind(indicators_text(&r.indicators))
            .bind(
                r.facts
                    .as_ref()
                    .map(FactValues::to_json)
                    .unwrap_or_default(),
            )
            .bind(r.facts_sha256.clone())
            .bind(r.fuel)
            .bind(r.error.clone())
            .bind(run)
            .bind(r.subject.clone())
            .execute(self.conn())
            .await?;
        }
        let mut units: Vec<&str> = changed.iter().map(|(_, r)| r.unit.as_str()).collect();
        units.sort_unstable();
        units.dedup();
        for unit in units {
            sqlx::query("DELETE FROM run_unit_counts WHERE run_id = $1 AND unit = $2")
                .bind(run)
                .bind(unit.to_string())
                .execute(self.conn())
                .await?;
            sqlx::query(
                "INSERT INTO run_unit_counts (run_id, unit, post, grade, outcome, has_total, capped, n) \
                 SELECT run_id, unit, post, COALESCE(grade, ''), outcome, \
                 CASE WHEN total IS NULL THEN 0 ELSE 1 END, CASE WHEN caps = '[]' THEN 0 ELSE 1 END, \
                 COUNT(*) FROM run_results WHERE run_id = $1 AND unit = $2 \
                 GROUP BY run_id, unit, post, COALESCE(grade, ''), outcome, \
                 CASE WHEN total IS NULL THEN 0 ELSE 1 END, CASE WHEN caps = '[]' THEN 0 ELSE 1 END",
            )
            .bind(run)
            .bind(unit.to_string())
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }
}
