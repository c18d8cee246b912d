//! The facts' tables: fact_imports, fact_sheets, fact_changes, fact_freezes;
//! and what a facts import reads beside them (the scorecards' declared facts,
//! the locked official runs).

use sqlx::Row;

use super::bulk::{self, Cell};
use super::{Result, Store, Tx, now_millis, read};

/// A period whose facts are frozen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FactFreezeRow {
    /// The period, as written.
    pub period: String,
    /// Who froze it.
    pub frozen_by: String,
}

/// An official run that still locks its period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfficialLockRow {
    /// The period, as written.
    pub period: String,
    /// The subtree it covers (`None`: the whole organisation).
    pub unit: Option<String>,
    /// The run's id.
    pub run_id: i64,
}

/// One subject's sheet in force for a period, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredSheetRow {
    /// The subject's id.
    pub subject: String,
    /// The sheet, as JSON text (name → ten-thousandths).
    pub facts: String,
    /// How many times it has changed.
    pub revision: i64,
}

/// An import to record.
pub struct NewFactImport<'a> {
    /// Who imported it.
    pub actor: &'a str,
    /// The file, as named.
    pub file: &'a str,
    /// The file's SHA-256, in hex.
    pub sha256: &'a str,
    /// Rows read.
    pub rows_read: i64,
    /// Values that were new or differed from those in force.
    pub values_changed: i64,
}

impl Store {
    /// The `describe` JSON of every published version, then of every draft:
    /// what the fact dictionary is built from.
    pub async fn fact_declarations(&self) -> Result<Vec<String>> {
        let mut rows = sqlx::query("SELECT describe FROM plugin_versions")
            .fetch_all(self.pool())
            .await?;
        rows.extend(
            sqlx::query("SELECT describe FROM sandbox_drafts")
                .fetch_all(self.pool())
                .await?,
        );
        read(&rows, |r| r.try_get("describe"))
    }
}

impl Tx {
    /// Every frozen period, with who froze it.
    pub async fn fact_freezes(&mut self) -> Result<Vec<FactFreezeRow>> {
        let rows = sqlx::query("SELECT period, frozen_by FROM fact_freezes")
            .fetch_all(self.conn())
            .await?;
        read(&rows, |r| {
            Ok(FactFreezeRow {
                period: r.try_get("period")?,
                frozen_by: r.try_get("frozen_by")?,
            })
        })
    }

    /// Every official run not unlocked: the periods (and subtrees) whose
    /// facts may not change.
    pub async fn official_locks(&mut self) -> Result<Vec<OfficialLockRow>> {
        let rows =
            sqlx::query("SELECT period, unit, run_id FROM official_runs WHERE unlocked_at IS NULL")
                .fetch_all(self.conn())
                .await?;
        read(&rows, |r| {
            Ok(OfficialLockRow {
                period: r.try_get("period")?,
                unit: r.try_get("unit")?,
                run_id: r.try_get("run_id")?,
            })
        })
    }

    /// The sheets in force for one period, one per subject.
    pub async fn sheets_in_force(&mut self, period: &str) -> Result<Vec<StoredSheetRow>> {
        let rows =
            sqlx::query("SELECT subject, facts, revision FROM fact_sheets WHERE period = $1")
                .bind(period.to_string())
                .fetch_all(self.conn())
                .await?;
        read(&rows, |r| {
            Ok(StoredSheetRow {
                subject: r.try_get("subject")?,
                facts: r.try_get("facts")?,
                revision: r.try_get("revision")?,
            })
        })
    }

    /// Records an import, now; its new id.
    pub async fn insert_fact_import(&mut self, import: &NewFactImport<'_>) -> Result<i64> {
        Ok(sqlx::query(
            "INSERT INTO fact_imports (at, actor, file, sha256, rows_read, values_changed) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(now_millis())
        .bind(import.actor.to_string())
        .bind(import.file.to_string())
        .bind(import.sha256.to_string())
        .bind(import.rows_read)
        .bind(import.values_changed)
        .fetch_one(self.conn())
        .await?
        .try_get("id")?)
    }

    /// Writes sheets (subject, period, facts, revision), replacing those of
    /// the same period and subject. How many rows.
    pub async fn upsert_fact_sheets(
        &mut self,
        rows: impl IntoIterator<Item = Vec<Cell>>,
    ) -> Result<u64> {
        Ok(bulk::insert(
            self.conn(),
            "INSERT INTO fact_sheets (subject, period, facts, revision)",
            "ON CONFLICT (period, subject) DO UPDATE SET facts = excluded.facts, revision = excluded.revision",
            rows,
        )
        .await?)
    }

    /// Appends changes (subject, period, import_id, revision, facts). How
    /// many rows.
    pub async fn insert_fact_changes(
        &mut self,
        rows: impl IntoIterator<Item = Vec<Cell>>,
    ) -> Result<u64> {
        Ok(bulk::insert(
            self.conn(),
            "INSERT INTO fact_changes (subject, period, import_id, revision, facts)",
            "",
            rows,
        )
        .await?)
    }

    /// Freezes a period's facts, now, by `frozen_by`; whether it was not
    /// frozen already.
    pub async fn freeze_facts(&mut self, period: &str, frozen_by: &str) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO fact_freezes (period, frozen_at, frozen_by) VALUES ($1, $2, $3) ON CONFLICT (period) DO NOTHING",
        )
        .bind(period.to_string())
        .bind(now_millis())
        .bind(frozen_by.to_string())
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Reopens a period's facts; whether they were frozen.
    pub async fn reopen_facts(&mut self, period: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM fact_freezes WHERE period = $1")
            .bind(period.to_string())
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected() > 0)
    }
}
