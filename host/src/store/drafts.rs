//! The policy sandbox's tables: drafts (`sandbox_drafts`), and the reads a
//! what-if makes of a period's official results.

use std::collections::{BTreeMap, HashMap};

use futures_util::TryStreamExt;
use sqlx::Row;

use super::bulk::Cell;
use super::runs::indicators_from_text;
use super::{Error, Result, Store};
use crate::scoring::{GradeCode, IndicatorScore, Outcome};

const COLUMNS: &str = "id, name, version, sha256, uploaded_by, uploaded_at";

/// A draft as the sandbox keeps it (without its bytes and describe()).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct DraftRecord {
    /// Its id in the sandbox.
    pub id: i64,
    /// `namespace/name`, as its describe() says.
    pub name: String,
    /// Its version, as its describe() says.
    pub version: String,
    /// The SHA-256 of its bytes.
    pub sha256: String,
    /// Who uploaded it.
    pub uploaded_by: String,
    /// When (ms since the epoch).
    pub uploaded_at: i64,
}

/// A draft to keep.
#[derive(Clone, Debug)]
pub struct NewDraft<'a> {
    /// `namespace/name`, as its describe() says.
    pub name: &'a str,
    /// Its version, as its describe() says.
    pub version: &'a str,
    /// The SHA-256 of its bytes.
    pub sha256: &'a str,
    /// Its describe(), as JSON.
    pub describe: &'a str,
    /// The component.
    pub bytes: Vec<u8>,
    /// Who uploads it.
    pub uploaded_by: &'a str,
    /// When (ms since the epoch).
    pub uploaded_at: i64,
}

/// What a what-if reads of an official result: less than a stored result
/// (no facts), since a national what-if holds a quarter of a million.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WhatIfOfficialRow {
    /// The scorecard that scored it.
    pub plugin: String,
    /// That scorecard's version.
    pub version: String,
    /// How scoring ended.
    pub outcome: Outcome,
    /// The total, raw fixed-point.
    pub total: Option<i64>,
    /// The grade before cohort rules.
    pub computed_grade: Option<GradeCode>,
    /// The grade after cohort rules.
    pub grade: Option<GradeCode>,
    /// The indicators, by position.
    pub indicators: Vec<IndicatorScore>,
}

fn draft(r: &sqlx::any::AnyRow) -> Result<DraftRecord, sqlx::Error> {
    Ok(DraftRecord {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        version: r.try_get("version")?,
        sha256: r.try_get("sha256")?,
        uploaded_by: r.try_get("uploaded_by")?,
        uploaded_at: r.try_get("uploaded_at")?,
    })
}

impl Store {
    /// Keeps a draft; returns it as stored, with its new id.
    pub async fn insert_draft(&self, new: NewDraft<'_>) -> Result<DraftRecord> {
        let row = sqlx::query(&format!(
            "INSERT INTO sandbox_drafts (name, version, sha256, describe, bytes, uploaded_by, uploaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
        ))
        .bind(new.name.to_string())
        .bind(new.version.to_string())
        .bind(new.sha256.to_string())
        .bind(new.describe.to_string())
        .bind(new.bytes)
        .bind(new.uploaded_by.to_string())
        .bind(new.uploaded_at)
        .fetch_one(self.pool())
        .await?;
        Ok(draft(&row)?)
    }

    /// How many drafts `uploaded_by` keeps, and their components' bytes.
    pub async fn draft_usage(&self, uploaded_by: &str) -> Result<(i64, i64)> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, COALESCE(SUM(LENGTH(bytes)), 0) AS size FROM sandbox_drafts WHERE uploaded_by = $1",
        )
        .bind(uploaded_by.to_string())
        .fetch_one(self.pool())
        .await?;
        Ok((row.try_get("n")?, row.try_get("size")?))
    }

    /// Every draft, oldest first.
    pub async fn drafts(&self) -> Result<Vec<DraftRecord>> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM sandbox_drafts ORDER BY id"))
            .fetch_all(self.pool())
            .await?;
        super::read(&rows, draft)
    }

    /// One draft, if it exists.
    pub async fn draft(&self, id: i64) -> Result<Option<DraftRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM sandbox_drafts WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(draft).transpose()?)
    }

    /// A draft's component bytes; an error if there is no such draft.
    pub async fn draft_bytes(&self, id: i64) -> Result<Vec<u8>> {
        Ok(
            sqlx::query("SELECT bytes FROM sandbox_drafts WHERE id = $1")
                .bind(id)
                .fetch_one(self.pool())
                .await?
                .try_get("bytes")?,
        )
    }

    /// Deletes a draft and its trial facts (nothing if there is none).
    pub async fn delete_draft(&self, id: i64) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM sandbox_draft_facts WHERE draft_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sandbox_drafts WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces a draft's trial facts with `rows` (period, subject, fact,
    /// raw), in one transaction. How many rows.
    pub async fn replace_draft_facts(&self, id: i64, rows: Vec<Vec<Cell>>) -> Result<u64> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM sandbox_draft_facts WHERE draft_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let written = super::bulk::insert(
            &mut tx,
            "INSERT INTO sandbox_draft_facts (draft_id, period, subject, fact, raw)",
            "",
            rows.into_iter().map(|mut row| {
                row.insert(0, Cell::Int(id));
                row
            }),
        )
        .await?;
        tx.commit().await?;
        Ok(written)
    }

    /// A draft's trial facts for `period`: by subject, each fact's value in
    /// ten-thousandths.
    pub async fn draft_facts(
        &self,
        id: i64,
        period: &str,
    ) -> Result<HashMap<String, BTreeMap<String, i64>>> {
        let rows = sqlx::query(
            "SELECT subject, fact, raw FROM sandbox_draft_facts WHERE draft_id = $1 AND period = $2",
        )
        .bind(id)
        .bind(period.to_string())
        .fetch_all(self.pool())
        .await?;
        let mut out: HashMap<String, BTreeMap<String, i64>> = HashMap::new();
        for r in &rows {
            out.entry(r.try_get("subject")?)
                .or_default()
                .insert(r.try_get("fact")?, r.try_get("raw")?);
        }
        Ok(out)
    }

    /// The results of official `runs`, by subject, read a row at a time; a
    /// later run in `runs` wins where several cover a subject.
    pub async fn what_if_official_results(
        &self,
        runs: &[i64],
    ) -> Result<HashMap<String, WhatIfOfficialRow>> {
        let mut out = HashMap::new();
        for run in runs {
            let mut rows = sqlx::query(
                "SELECT subject, plugin, version, outcome, total, computed_grade, grade, indicators \
                 FROM run_results WHERE run_id = $1",
            )
            .bind(*run)
            .fetch(self.pool());
            while let Some(r) = rows.try_next().await? {
                let subject: String = r.try_get("subject")?;
                let corrupt = |what: &str, why: String| {
                    Error::corrupt(format!(
                        "official result of {subject} in run {run}: {what}: {why}"
                    ))
                };
                let outcome: String = r.try_get("outcome")?;
                let grade = |column: &str| -> Result<Option<GradeCode>> {
                    let code: Option<String> = r.try_get(column)?;
                    code.map(|c| {
                        GradeCode::from_code(&c)
                            .ok_or_else(|| corrupt(column, format!("`{c}` is not a grade")))
                    })
                    .transpose()
                };
                let row = WhatIfOfficialRow {
                    plugin: r.try_get("plugin")?,
                    version: r.try_get("version")?,
                    outcome: Outcome::from_code(&outcome)
                        .ok_or_else(|| corrupt("outcome", format!("`{outcome}`")))?,
                    total: r.try_get("total")?,
                    computed_grade: grade("computed_grade")?,
                    grade: grade("grade")?,
                    indicators: indicators_from_text(&r.try_get::<String, _>("indicators")?)
                        .map_err(|e| corrupt("indicators", e))?,
                };
                out.insert(subject, row);
            }
        }
        Ok(out)
    }
}
