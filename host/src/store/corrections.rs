//! Corrections' tables: `corrections` (one a correction of a run: whose
//! facts, which, why, by whom, the revision it made) and
//! `corrected_results` (every result a correction replaced, as it was and
//! became) and `run_ties` (ties at a quota's boundary left to the
//! competent person, open or chosen); and the rewriting of a run's rows,
//! counts and summary in place.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::bulk::{Cell, insert};
use super::runs::indicators_text;
use super::{Error, Result, Store, Tx, read};
use crate::scoring::{Choices, FactValues, StoredResult, Tie};

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

    /// The corrections of run `run` that replaced `subject`'s result, in
    /// order: each one's revision, when, and the result as it was (at most
    /// [`MAX_LISTED`]).
    pub async fn corrections_of_subject(
        &self,
        run: i64,
        subject: &str,
    ) -> Result<Vec<(i64, i64, StoredResult)>> {
        let rows = sqlx::query(
            "SELECT c.revision, c.corrected_at, r.was FROM corrections c \
             JOIN corrected_results r ON r.correction_id = c.id \
             WHERE c.run_id = $1 AND r.subject = $2 ORDER BY c.revision LIMIT $3",
        )
        .bind(run)
        .bind(subject.to_string())
        .bind(MAX_LISTED)
        .fetch_all(self.pool())
        .await?;
        let raw: Vec<(i64, i64, String)> = read(&rows, |r| {
            Ok((
                r.try_get("revision")?,
                r.try_get("corrected_at")?,
                r.try_get("was")?,
            ))
        })?;
        raw.into_iter()
            .map(|(revision, at, was)| {
                let was = serde_json::from_str::<StoredResult>(&was).map_err(|e| {
                    Error::corrupt(format!(
                        "a corrected result of {subject} (run {run}, revision {revision}) is unreadable: {e}"
                    ))
                })?;
                Ok((revision, at, was))
            })
            .collect()
    }

    /// The correction an appeal made, if one.
    pub async fn correction_of_appeal(&self, appeal: i64) -> Result<Option<CorrectionRow>> {
        let rows = sqlx::query(
            "SELECT id, run_id, revision, subject, appeal_id, facts, reason, corrected_by, corrected_at \
             FROM corrections WHERE appeal_id = $1 ORDER BY id",
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

    /// Holds run `run` at revision `at` until the transaction ends, so a
    /// correction cannot be written in between: whether it is still at
    /// `at` (what was read of the run at `at` is then what is written on).
    pub async fn hold_revision(&mut self, run: i64, at: i64) -> Result<bool> {
        let done =
            sqlx::query("UPDATE runs SET revision = revision WHERE id = $1 AND revision = $2")
                .bind(run)
                .bind(at)
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

/// A tie at a quota's boundary as stored: open, or chosen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TieRow {
    /// The tie.
    #[serde(flatten)]
    pub tie: Tie,
    /// The tied subjects who keep the limited grade, once chosen.
    pub kept: Option<Vec<String>>,
    /// Why, as the competent person recorded it.
    pub reason: Option<String>,
    /// Who chose.
    pub chosen_by: Option<String>,
    /// When, in milliseconds since the epoch.
    pub chosen_at: Option<i64>,
}

/// The most ties of one run listed at once.
pub const MAX_TIES: i64 = 5_000;

fn tie_row(
    r: &sqlx::any::AnyRow,
) -> std::result::Result<(TieRow, String, Option<String>), sqlx::Error> {
    Ok((
        TieRow {
            tie: Tie {
                rule: r.try_get("rule")?,
                cohort: r.try_get("cohort")?,
                tied: Vec::new(),
                slots: r.try_get::<i64, _>("slots")? as usize,
                total: r.try_get("total")?,
            },
            kept: None,
            reason: r.try_get("reason")?,
            chosen_by: r.try_get("chosen_by")?,
            chosen_at: r.try_get("chosen_at")?,
        },
        r.try_get("tied")?,
        r.try_get("kept")?,
    ))
}

impl Store {
    /// A run's ties, open and chosen, by quota and cohort: at most `limit`
    /// to list them; all of them (one per cohort at most) where the run
    /// is derived with them.
    pub async fn run_ties(&self, run: i64, limit: Option<i64>) -> Result<Vec<TieRow>> {
        let rows = sqlx::query(
            "SELECT rule, cohort, tied, slots, total, kept, reason, chosen_by, chosen_at \
             FROM run_ties WHERE run_id = $1 ORDER BY rule, cohort LIMIT $2",
        )
        .bind(run)
        .bind(limit.unwrap_or(i64::MAX))
        .fetch_all(self.pool())
        .await?;
        let raw: Vec<(TieRow, String, Option<String>)> = read(&rows, tie_row)?;
        raw.into_iter()
            .map(|(mut row, tied, kept)| {
                let list = |t: &str| {
                    serde_json::from_str::<Vec<String>>(t).map_err(|e| {
                        Error::corrupt(format!(
                            "the tie of run {run} in {} is unreadable: {e}",
                            row.tie.cohort
                        ))
                    })
                };
                row.tie.tied = list(&tied)?;
                row.kept = kept.as_deref().map(list).transpose()?;
                Ok(row)
            })
            .collect()
    }

    /// The competent person's choices in a run's ties.
    pub async fn run_choices(&self, run: i64) -> Result<Choices> {
        Ok(self
            .run_ties(run, None)
            .await?
            .into_iter()
            .filter_map(|t| t.kept.map(|kept| ((t.tie.rule, t.tie.cohort), kept)))
            .collect())
    }
}

impl Tx {
    /// Records a run's ties still open: those written before and not chosen
    /// are replaced, and a chosen one that is open again (a correction
    /// changed it) loses its choice.
    pub async fn reopen_ties(&mut self, run: i64, open: &[Tie]) -> Result<()> {
        sqlx::query("DELETE FROM run_ties WHERE run_id = $1 AND kept IS NULL")
            .bind(run)
            .execute(self.conn())
            .await?;
        for t in open {
            sqlx::query(
                "INSERT INTO run_ties (run_id, rule, cohort, tied, slots, total) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (run_id, rule, cohort) DO UPDATE SET tied = excluded.tied, slots = excluded.slots, \
                 total = excluded.total, kept = NULL, reason = NULL, chosen_by = NULL, chosen_at = NULL",
            )
            .bind(run)
            .bind(t.rule.clone())
            .bind(t.cohort.clone())
            .bind(serde_json::to_string(&t.tied).expect("serialises"))
            .bind(t.slots as i64)
            .bind(t.total)
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }

    /// Records the choice in an open tie (`chosen`: its rule and cohort,
    /// who keeps the grade, why, by whom, when): whether it was open.
    pub async fn choose_tie(&mut self, run: i64, chosen: &TieRow) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE run_ties SET kept = $1, reason = $2, chosen_by = $3, chosen_at = $4 \
             WHERE run_id = $5 AND rule = $6 AND cohort = $7 AND kept IS NULL",
        )
        .bind(serde_json::to_string(&chosen.kept).expect("serialises"))
        .bind(chosen.reason.clone())
        .bind(chosen.chosen_by.clone())
        .bind(chosen.chosen_at)
        .bind(run)
        .bind(chosen.tie.rule.clone())
        .bind(chosen.tie.cohort.clone())
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
