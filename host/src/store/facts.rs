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
    /// The `describe` JSON of every published version: what the fact
    /// dictionary is built from. Drafts are not in it: what a draft declares
    /// must never widen what production imports accept.
    pub async fn fact_declarations(&self) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT describe FROM plugin_versions")
            .fetch_all(self.pool())
            .await?;
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

/// One sheet's values of a facts file being imported, as staged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StagedSheet {
    /// The period, as written.
    pub period: String,
    /// The subject's id.
    pub subject: String,
    /// Its values, by fact, each fact's in file order.
    pub values: Vec<StagedValue>,
}

/// One value of a facts file being imported, as staged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StagedValue {
    /// The fact's name.
    pub fact: String,
    /// Ten-thousandths.
    pub raw: i64,
    /// The value's text, as written.
    pub text: String,
    /// Who entered it, from what record.
    pub source: String,
}

/// A row of a facts file that gives a fact another value than an earlier
/// row of the same file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StagedConflict {
    /// Where the later row is: `line 12` or `entry 3`.
    pub at: String,
    /// The subject's id.
    pub subject: String,
    /// The period, as written.
    pub period: String,
    /// The fact's name.
    pub fact: String,
    /// The later row's value, as written.
    pub value: String,
    /// Where the first row is.
    pub first_at: String,
    /// The first row's value, in ten-thousandths.
    pub first_raw: i64,
}

/// The part shared by the conflict queries: the first row of every fact
/// given more than once, and each later row that disagrees with it.
const CONFLICTS: &str = "WITH firsts AS (SELECT period, subject, fact, MIN(seq) AS seq FROM staged_facts \
     GROUP BY period, subject, fact HAVING COUNT(*) > 1) \
     FROM firsts f JOIN staged_facts a ON a.seq = f.seq \
     JOIN staged_facts b ON b.period = f.period AND b.subject = f.subject AND b.fact = f.fact AND b.raw <> a.raw";

impl Tx {
    /// Makes this transaction's staging table for a facts import: the
    /// file's checked rows (seq, at, subject, period, fact, raw, text,
    /// source) go there as they are read, so the import's memory does not
    /// grow with the file. Gone when the transaction ends (dropped on
    /// PostgreSQL at commit; on SQLite by [`Tx::drop_staged_facts`], and
    /// with a rollback, as any statement).
    pub async fn stage_facts(&mut self) -> Result<()> {
        let sql = if self.conn().backend_name() == "PostgreSQL" {
            "CREATE TEMP TABLE staged_facts (seq BIGINT PRIMARY KEY, at TEXT NOT NULL, subject TEXT NOT NULL, \
             period TEXT NOT NULL, fact TEXT NOT NULL, raw BIGINT NOT NULL, text TEXT NOT NULL, source TEXT NOT NULL) \
             ON COMMIT DROP"
        } else {
            "CREATE TEMP TABLE staged_facts (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, subject TEXT NOT NULL, \
             period TEXT NOT NULL, fact TEXT NOT NULL, raw BIGINT NOT NULL, text TEXT NOT NULL, source TEXT NOT NULL)"
        };
        sqlx::query(sql).execute(self.conn()).await?;
        Ok(())
    }

    /// Stages rows (seq, at, subject, period, fact, raw, text, source).
    pub async fn insert_staged_facts(
        &mut self,
        rows: impl IntoIterator<Item = Vec<Cell>>,
    ) -> Result<u64> {
        Ok(bulk::insert(
            self.conn(),
            "INSERT INTO staged_facts (seq, at, subject, period, fact, raw, text, source)",
            "",
            rows,
        )
        .await?)
    }

    /// Indexes the staged rows by sheet, once they are all in.
    pub async fn index_staged_facts(&mut self) -> Result<()> {
        sqlx::query("CREATE INDEX staged_facts_sheet ON staged_facts (period, subject, fact, seq)")
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// The first `limit` staged rows that give a fact another value than its
    /// first row, in file order, and how many there are in all.
    pub async fn staged_conflicts(&mut self, limit: i64) -> Result<(Vec<StagedConflict>, i64)> {
        let rows = sqlx::query(&format!(
            "{} ORDER BY b.seq LIMIT $1",
            CONFLICTS.replacen(
                "FROM firsts f",
                "SELECT b.at, b.subject, b.period, b.fact, b.text, a.at AS first_at, a.raw AS first_raw FROM firsts f",
                1
            )
        ))
        .bind(limit)
        .fetch_all(self.conn())
        .await?;
        let conflicts: Vec<StagedConflict> = read(&rows, |r| {
            Ok(StagedConflict {
                at: r.try_get("at")?,
                subject: r.try_get("subject")?,
                period: r.try_get("period")?,
                fact: r.try_get("fact")?,
                value: r.try_get("text")?,
                first_at: r.try_get("first_at")?,
                first_raw: r.try_get("first_raw")?,
            })
        })?;
        let total: i64 = if (conflicts.len() as i64) < limit {
            conflicts.len() as i64
        } else {
            sqlx::query(&CONFLICTS.replacen(
                "FROM firsts f",
                "SELECT COUNT(*) AS n FROM firsts f",
                1,
            ))
            .fetch_one(self.conn())
            .await?
            .try_get("n")?
        };
        Ok((conflicts, total))
    }

    /// The periods the staged rows give values for.
    pub async fn staged_periods(&mut self) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT DISTINCT period FROM staged_facts ORDER BY period")
            .fetch_all(self.conn())
            .await?;
        read(&rows, |r| r.try_get("period"))
    }

    /// Up to `limit` sheets' staged rows, the sheets after (`period`,
    /// `subject`) in order, each sheet's rows by fact and in file order. The
    /// database gathers each sheet's rows into one JSON array, so a sheet is
    /// one row to read however many facts it has.
    pub async fn staged_sheets(
        &mut self,
        after: (&str, &str),
        limit: i64,
    ) -> Result<Vec<StagedSheet>> {
        let gather = if self.conn().backend_name() == "PostgreSQL" {
            "json_agg(json_build_array(fact, raw, text, source) ORDER BY fact, seq)::text"
        } else {
            "json_group_array(json_array(fact, raw, text, source) ORDER BY fact, seq)"
        };
        let rows = sqlx::query(&format!(
            "SELECT period, subject, {gather} AS \"values\" FROM staged_facts \
             WHERE (period, subject) > ($1, $2) \
             GROUP BY period, subject ORDER BY period, subject LIMIT $3"
        ))
        .bind(after.0.to_string())
        .bind(after.1.to_string())
        .bind(limit)
        .fetch_all(self.conn())
        .await?;
        let sheets: Vec<(String, String, String)> = read(&rows, |r| {
            Ok((
                r.try_get("period")?,
                r.try_get("subject")?,
                r.try_get("values")?,
            ))
        })?;
        sheets
            .into_iter()
            .map(|(period, subject, values)| {
                let values: Vec<(String, i64, String, String)> = serde_json::from_str(&values)
                    .map_err(|e| {
                        super::Error::corrupt(format!(
                            "the staged rows of {subject} for {period} do not read back: {e}"
                        ))
                    })?;
                Ok(StagedSheet {
                    period,
                    subject,
                    values: values
                        .into_iter()
                        .map(|(fact, raw, text, source)| StagedValue {
                            fact,
                            raw,
                            text,
                            source,
                        })
                        .collect(),
                })
            })
            .collect()
    }

    /// The sheets in force for `period` of `subjects` (a page's: at most a
    /// few thousand, so one statement's parameters hold them).
    pub async fn sheets_of(
        &mut self,
        period: &str,
        subjects: &[&str],
    ) -> Result<Vec<StoredSheetRow>> {
        if subjects.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT subject, facts, revision FROM fact_sheets WHERE period = {} AND subject IN ({})",
            super::placeholders(self.conn(), 1, 1),
            super::placeholders(self.conn(), 2, subjects.len())
        );
        let mut query = sqlx::query(&sql).bind(period.to_string());
        for subject in subjects {
            query = query.bind(subject.to_string());
        }
        let rows = query.fetch_all(self.conn()).await?;
        read(&rows, |r| {
            Ok(StoredSheetRow {
                subject: r.try_get("subject")?,
                facts: r.try_get("facts")?,
                revision: r.try_get("revision")?,
            })
        })
    }

    /// Records how many rows an import read and how many values it changed.
    pub async fn finish_fact_import(
        &mut self,
        id: i64,
        rows_read: i64,
        values_changed: i64,
    ) -> Result<()> {
        sqlx::query("UPDATE fact_imports SET rows_read = $1, values_changed = $2 WHERE id = $3")
            .bind(rows_read)
            .bind(values_changed)
            .bind(id)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Drops the staging table before a commit (PostgreSQL drops it itself).
    pub async fn drop_staged_facts(&mut self) -> Result<()> {
        sqlx::query("DROP TABLE IF EXISTS staged_facts")
            .execute(self.conn())
            .await?;
        Ok(())
    }
}
