//! Scoring runs' tables: runs (one row a run, with its heartbeat and summary),
//! run_results (one row a subject scored in a run) and official_runs (each
//! publication of a run as a period's official run, and its unlocking); and
//! the reads a run makes of the organisation and its facts.

use std::collections::HashMap;

use futures_util::TryStreamExt;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::bulk::{Cell, insert};
use super::{Backend, Error, Result, Store, Tx, now_millis, read};
use crate::scoring::{FactValues, GradeCode, IndicatorScore, LightCode, Outcome, StoredResult};

const RUN_COLUMNS: &str = "id, period, unit, status, started_by, started_at, heartbeat_at, finished_at, engine, error, revision, summary";

/// A run as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunRow {
    /// Its id.
    pub id: i64,
    /// The period.
    pub period: String,
    /// The unit subtree it was restricted to.
    pub unit: Option<String>,
    /// `running`, `complete` or `failed`, as stored (an abandoned run may
    /// still read `running`).
    pub status: String,
    /// Who started it.
    pub started_by: String,
    /// When (ms since the epoch).
    pub started_at: i64,
    /// Its last sign of life.
    pub heartbeat_at: i64,
    /// When it finished.
    pub finished_at: Option<i64>,
    /// The engine that scored it.
    pub engine: String,
    /// Why it failed.
    pub error: Option<String>,
    /// How many corrections it has had.
    pub revision: i64,
    /// Its summary as JSON, once complete.
    pub summary: Option<String>,
}

fn run_row(r: &AnyRow) -> Result<RunRow, sqlx::Error> {
    Ok(RunRow {
        id: r.try_get("id")?,
        period: r.try_get("period")?,
        unit: r.try_get("unit")?,
        status: r.try_get("status")?,
        started_by: r.try_get("started_by")?,
        started_at: r.try_get("started_at")?,
        heartbeat_at: r.try_get("heartbeat_at")?,
        finished_at: r.try_get("finished_at")?,
        engine: r.try_get("engine")?,
        error: r.try_get("error")?,
        revision: r.try_get("revision")?,
        summary: r.try_get("summary")?,
    })
}

/// A run to start.
#[derive(Clone, Copy, Debug)]
pub struct NewRun<'a> {
    /// The period.
    pub period: &'a str,
    /// The unit subtree it is restricted to.
    pub unit: Option<&'a str>,
    /// Who starts it.
    pub started_by: &'a str,
    /// When (ms since the epoch); also its first heartbeat.
    pub at: i64,
    /// The engine that scores it.
    pub engine: &'a str,
}

/// The one column list a result is read with.
const RESULT_COLUMNS: &str = "subject, unit, post, task_group, plugin, version, sha256, outcome, total, computed_grade, grade, \
     cohort_rule, caps, indicators, facts, facts_sha256, fuel, error";

/// [`RESULT_COLUMNS`] but the facts, of `run_results rr`, for a query that
/// reads the facts only where its reader sees them.
pub(super) const RESULT_COLUMNS_OF: &str = "rr.subject, rr.unit, rr.post, rr.task_group, rr.plugin, rr.version, \
     rr.sha256, rr.outcome, rr.total, rr.computed_grade, rr.grade, rr.cohort_rule, rr.caps, rr.indicators, \
     rr.facts_sha256, rr.fuel, rr.error";

/// The columns a result is stored in, for the bulk insert.
const INSERT_RESULTS: &str = "INSERT INTO run_results (run_id, subject, unit, post, task_group, plugin, version, sha256, \
     outcome, total, computed_grade, grade, cohort_rule, caps, indicators, facts, facts_sha256, fuel, error)";

/// Which of a run's results to read.
#[derive(Clone, Copy, Debug)]
pub enum ResultsOf<'a> {
    /// Every one.
    All,
    /// The subjects of one unit.
    Unit(&'a str),
    /// One subject.
    Subject(&'a str),
}

/// The one reader of a `run_results` row, in [`RESULT_COLUMNS`]: a value
/// that does not read as what it records is an error naming the subject.
pub(super) fn stored_result(r: &AnyRow) -> Result<StoredResult> {
    let subject: String = r.try_get("subject")?;
    let corrupt = |what: &str, e: &dyn std::fmt::Display| {
        Error::corrupt(format!(
            "a stored result is unreadable: {subject}'s {what}: {e}"
        ))
    };
    let caps: String = r.try_get("caps")?;
    let caps = serde_json::from_str(&caps)
        .map_err(|e| corrupt("caps are not a JSON list of codes", &e))?;
    let outcome: String = r.try_get("outcome")?;
    let outcome = Outcome::from_code(&outcome).ok_or_else(|| {
        corrupt(
            "outcome",
            &format!("`{outcome}` is not scored, refused or fault"),
        )
    })?;
    let grade = |column: &str| -> Result<Option<GradeCode>> {
        let code: Option<String> = r.try_get(column)?;
        code.map(|c| {
            GradeCode::from_code(&c)
                .ok_or_else(|| corrupt(column, &format!("`{c}` is not a grade")))
        })
        .transpose()
    };
    let indicators: String = r.try_get("indicators")?;
    let indicators = indicators_from_text(&indicators).map_err(|e| corrupt("indicators", &e))?;
    let facts: String = r.try_get("facts")?;
    let facts: FactValues = if facts.is_empty() {
        FactValues::default()
    } else {
        serde_json::from_str(&facts).map_err(|e| corrupt("facts", &e))?
    };
    Ok(StoredResult {
        unit: r.try_get("unit")?,
        post: r.try_get("post")?,
        task_group: r.try_get("task_group")?,
        plugin: r.try_get("plugin")?,
        version: r.try_get("version")?,
        sha256: r.try_get("sha256")?,
        outcome,
        total: r.try_get("total")?,
        computed_grade: grade("computed_grade")?,
        grade: grade("grade")?,
        cohort_rule: r.try_get("cohort_rule")?,
        caps,
        indicators,
        facts: Some(facts),
        facts_sha256: r.try_get("facts_sha256")?,
        fuel: r.try_get("fuel")?,
        error: r.try_get("error")?,
        subject,
    })
}

/// Indicators as stored: `[[raw, score, "light"], …]`, compact, by position.
pub fn indicators_text(indicators: &[IndicatorScore]) -> String {
    // Formed for every result of a run on one thread: itoa, not fmt.
    let mut digits = itoa::Buffer::new();
    let mut out = String::with_capacity(28 * indicators.len() + 2);
    out.push('[');
    for (k, i) in indicators.iter().enumerate() {
        out.push_str(if k == 0 { "[" } else { ",[" });
        match i.raw {
            Some(raw) => out.push_str(digits.format(raw)),
            None => out.push_str("null"),
        }
        out.push(',');
        out.push_str(digits.format(i.score));
        out.push_str(",\"");
        out.push_str(i.light.code());
        out.push_str("\"]");
    }
    out.push(']');
    out
}

/// Indicators from their stored text.
pub fn indicators_from_text(text: &str) -> std::result::Result<Vec<IndicatorScore>, String> {
    let rows: Vec<(Option<i64>, i64, String)> =
        serde_json::from_str(text).map_err(|e| e.to_string())?;
    rows.into_iter()
        .map(|(raw, score, light)| {
            Ok(IndicatorScore {
                raw,
                score,
                light: LightCode::from_code(&light)
                    .ok_or_else(|| format!("`{light}` is not a light"))?,
            })
        })
        .collect()
}

/// A result's cells, in [`INSERT_RESULTS`] order.
fn result_cells(run: i64, r: StoredResult) -> Vec<Cell> {
    vec![
        Cell::Int(run),
        r.subject.into(),
        r.unit.into(),
        r.post.into(),
        r.task_group.into(),
        r.plugin.into(),
        r.version.into(),
        r.sha256.into(),
        Cell::Code(r.outcome.code()),
        r.total.into(),
        r.computed_grade
            .map_or(Cell::NullText, |g| Cell::Code(g.code())),
        r.grade.map_or(Cell::NullText, |g| Cell::Code(g.code())),
        r.cohort_rule.into(),
        serde_json::to_string(&r.caps).expect("serialises").into(),
        indicators_text(&r.indicators).into(),
        r.facts
            .as_ref()
            .map(FactValues::to_json)
            .unwrap_or_default()
            .into(),
        r.facts_sha256.into(),
        Cell::Int(r.fuel),
        r.error.into(),
    ]
}

const OFFICIAL_COLUMNS: &str =
    "id, period, unit, run_id, published_by, published_at, unlocked_by, unlocked_at, unlock_reason";

/// A publication of a run as a period's official run, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfficialRow {
    /// The publication's id.
    pub id: i64,
    /// The period.
    pub period: String,
    /// The subtree it is official for; `None` for the whole organisation.
    pub unit: Option<String>,
    /// The run.
    pub run_id: i64,
    /// Who published it.
    pub published_by: String,
    /// When.
    pub published_at: i64,
    /// Who unlocked it.
    pub unlocked_by: Option<String>,
    /// When.
    pub unlocked_at: Option<i64>,
    /// Why.
    pub unlock_reason: Option<String>,
}

fn official_row(r: &AnyRow) -> Result<OfficialRow, sqlx::Error> {
    Ok(OfficialRow {
        id: r.try_get("id")?,
        period: r.try_get("period")?,
        unit: r.try_get("unit")?,
        run_id: r.try_get("run_id")?,
        published_by: r.try_get("published_by")?,
        published_at: r.try_get("published_at")?,
        unlocked_by: r.try_get("unlocked_by")?,
        unlocked_at: r.try_get("unlocked_at")?,
        unlock_reason: r.try_get("unlock_reason")?,
    })
}

/// One scored result of an official run in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfficialResultRow {
    /// The subject.
    pub subject: String,
    /// The run's period.
    pub period: String,
    /// Their total.
    pub total: Option<i64>,
    /// Their final grade.
    pub grade: Option<String>,
    /// The publication that made the run official.
    pub publication: i64,
}

/// A subject as a run reads it: with their post's task group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunSubjectRow {
    /// Their id.
    pub id: String,
    /// Their unit.
    pub unit: String,
    /// Their post.
    pub post: String,
    /// Their post's group of similar tasks.
    pub task_group: String,
    /// Months worked in the period, if recorded.
    pub months_worked: Option<i64>,
    /// Months absent, if recorded.
    pub months_absent: Option<i64>,
    /// Their direct manager, if recorded.
    pub manager: Option<String>,
}

/// Subjects packed into one row of [`Store::run_subjects`]'s query.
const SUBJECTS_PACKED: usize = 4096;

/// One subject as [`Store::run_subjects`] packs them.
fn unpack_subject(packed: &str) -> Result<RunSubjectRow> {
    let bad = || Error::corrupt(format!("a subject's row reads `{packed}`"));
    let fields: Vec<&str> = packed.split('\u{1f}').collect();
    let [id, unit, post, worked, absent, manager, task_group] = fields[..] else {
        return Err(bad());
    };
    let months = |v: &str| -> Result<Option<i64>> {
        if v.is_empty() {
            Ok(None)
        } else {
            v.parse().map(Some).map_err(|_| bad())
        }
    };
    Ok(RunSubjectRow {
        id: id.to_string(),
        unit: unit.to_string(),
        post: post.to_string(),
        task_group: task_group.to_string(),
        months_worked: months(worked)?,
        months_absent: months(absent)?,
        manager: (!manager.is_empty()).then(|| manager.to_string()),
    })
}

impl Store {
    /// Marks failed every run still `running` whose heartbeat is older than
    /// `before`, finished at `now`; how many.
    pub async fn fail_abandoned_runs(&self, now: i64, before: i64) -> Result<u64> {
        Ok(sqlx::query(
            "UPDATE runs SET status = 'failed', finished_at = $1, \
             error = 'abandoned: the host running it stopped before it finished' \
             WHERE status = 'running' AND heartbeat_at < $2",
        )
        .bind(now)
        .bind(before)
        .execute(self.pool())
        .await?
        .rows_affected())
    }

    /// Records that a run is alive, now; nothing.
    pub async fn run_heartbeat(&self, run: i64) -> Result<()> {
        sqlx::query("UPDATE runs SET heartbeat_at = $1 WHERE id = $2")
            .bind(now_millis())
            .bind(run)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Marks a run failed, now, with why; nothing.
    pub async fn fail_run(&self, run: i64, reason: &str) -> Result<()> {
        sqlx::query(
            "UPDATE runs SET status = 'failed', finished_at = $1, error = $2 WHERE id = $3",
        )
        .bind(now_millis())
        .bind(reason.to_string())
        .bind(run)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Every run, newest first.
    pub async fn runs(&self) -> Result<Vec<RunRow>> {
        let rows = sqlx::query(&format!("SELECT {RUN_COLUMNS} FROM runs ORDER BY id DESC"))
            .fetch_all(self.pool())
            .await?;
        read(&rows, run_row)
    }

    /// One run, if it exists.
    pub async fn run(&self, id: i64) -> Result<Option<RunRow>> {
        Ok(
            sqlx::query(&format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = $1"))
                .bind(id)
                .fetch_optional(self.pool())
                .await?
                .map(|r| run_row(&r))
                .transpose()?,
        )
    }

    /// The publication that makes run `run` official now, if one does, and
    /// the run's revision (how many corrections it has had).
    pub async fn active_publication(&self, run: i64) -> Result<Option<(i64, i64)>> {
        let row = sqlx::query(
            "SELECT o.id, r.revision FROM official_runs o JOIN runs r ON r.id = o.run_id \
             WHERE o.run_id = $1 AND o.unlocked_at IS NULL ORDER BY o.id DESC LIMIT 1",
        )
        .bind(run)
        .fetch_optional(self.pool())
        .await?;
        Ok(match row {
            Some(r) => Some((r.try_get("id")?, r.try_get("revision")?)),
            None => None,
        })
    }

    /// One run without its summary (left unread: a national run's is
    /// megabytes), if it exists.
    pub async fn run_head(&self, id: i64) -> Result<Option<RunRow>> {
        let columns = RUN_COLUMNS.replace(", summary", ", CAST(NULL AS TEXT) AS summary");
        Ok(
            sqlx::query(&format!("SELECT {columns} FROM runs WHERE id = $1"))
                .bind(id)
                .fetch_optional(self.pool())
                .await?
                .map(|r| run_row(&r))
                .transpose()?,
        )
    }

    /// A run's summary as stored, if it has one.
    pub async fn run_summary(&self, id: i64) -> Result<Option<String>> {
        Ok(sqlx::query("SELECT summary FROM runs WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .map(|r| r.try_get::<Option<String>, _>("summary"))
            .transpose()?
            .flatten())
    }

    /// A run's status (`running`, `complete` or `failed`), if it exists.
    pub async fn run_status(&self, id: i64) -> Result<Option<String>> {
        Ok(sqlx::query("SELECT status FROM runs WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .map(|r| r.try_get("status"))
            .transpose()?)
    }

    /// A run's results (all, or a unit's or a subject's), ranked: by total,
    /// best first, then by subject.
    pub async fn run_results(&self, run: i64, which: ResultsOf<'_>) -> Result<Vec<StoredResult>> {
        self.run_results_in(run, which, None).await
    }

    /// [`Store::run_results`], of subjects in `units` only when it is given:
    /// a reader's scope becomes the query's own condition, so nothing the
    /// reader may not see is read.
    pub async fn run_results_in(
        &self,
        run: i64,
        which: ResultsOf<'_>,
        units: Option<&[String]>,
    ) -> Result<Vec<StoredResult>> {
        if units.is_some_and(<[String]>::is_empty) {
            return Ok(Vec::new());
        }
        let mut conn = self.pool().acquire().await?;
        let mut sql = format!(
            "SELECT {RESULT_COLUMNS} FROM run_results WHERE run_id = {}",
            super::placeholders(&conn, 1, 1)
        );
        let mut next = 2;
        let value = match which {
            ResultsOf::All => None,
            ResultsOf::Unit(u) => Some(("unit", u)),
            ResultsOf::Subject(s) => Some(("subject", s)),
        };
        if let Some((column, _)) = value {
            sql.push_str(&format!(
                " AND {column} = {}",
                super::placeholders(&conn, next, 1)
            ));
            next += 1;
        }
        if let Some(units) = units {
            sql.push_str(&format!(
                " AND unit IN ({})",
                super::placeholders(&conn, next, units.len())
            ));
        }
        sql.push_str(" ORDER BY total DESC, subject");
        let mut query = sqlx::query(&sql).bind(run);
        if let Some((_, v)) = value {
            query = query.bind(v.to_string());
        }
        for u in units.unwrap_or_default() {
            query = query.bind(u.clone());
        }
        let rows = query.fetch_all(&mut *conn).await?;
        self.count_read(rows.len());
        rows.iter().map(stored_result).collect()
    }

    /// Every scored result of the official runs in force whose run is for
    /// one of `periods`, in no particular order.
    pub async fn official_results(&self, periods: &[String]) -> Result<Vec<OfficialResultRow>> {
        let placeholders: Vec<String> = (1..=periods.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT rr.subject, ru.period, rr.total, rr.grade, o.id AS publication \
             FROM official_runs o JOIN runs ru ON ru.id = o.run_id JOIN run_results rr ON rr.run_id = o.run_id \
             WHERE o.unlocked_at IS NULL AND rr.outcome = 'scored' AND ru.period IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for p in periods {
            query = query.bind(p.clone());
        }
        let rows = query.fetch_all(self.pool()).await?;
        read(&rows, |r| {
            Ok(OfficialResultRow {
                subject: r.try_get("subject")?,
                period: r.try_get("period")?,
                total: r.try_get("total")?,
                grade: r.try_get("grade")?,
                publication: r.try_get("publication")?,
            })
        })
    }

    /// One subject's scored results in the official runs in force of
    /// `periods`.
    pub async fn official_results_of(
        &self,
        periods: &[String],
        subject: &str,
    ) -> Result<Vec<OfficialResultRow>> {
        let placeholders: Vec<String> = (2..=periods.len() + 1).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT rr.subject, ru.period, rr.total, rr.grade, o.id AS publication \
             FROM official_runs o JOIN runs ru ON ru.id = o.run_id JOIN run_results rr ON rr.run_id = o.run_id \
             WHERE o.unlocked_at IS NULL AND rr.outcome = 'scored' AND rr.subject = $1 AND ru.period IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(subject.to_string());
        for p in periods {
            query = query.bind(p.clone());
        }
        let rows = query.fetch_all(self.pool()).await?;
        read(&rows, |r| {
            Ok(OfficialResultRow {
                subject: r.try_get("subject")?,
                period: r.try_get("period")?,
                total: r.try_get("total")?,
                grade: r.try_get("grade")?,
                publication: r.try_get("publication")?,
            })
        })
    }

    /// Every publication, oldest first; only those in force when `active`.
    pub async fn official_runs(&self, active: bool) -> Result<Vec<OfficialRow>> {
        let filter = if active {
            "WHERE unlocked_at IS NULL"
        } else {
            ""
        };
        let rows = sqlx::query(&format!(
            "SELECT {OFFICIAL_COLUMNS} FROM official_runs {filter} ORDER BY id"
        ))
        .fetch_all(self.pool())
        .await?;
        read(&rows, official_row)
    }

    /// One publication (an error if there is none).
    pub async fn official_run(&self, id: i64) -> Result<OfficialRow> {
        let row = sqlx::query(&format!(
            "SELECT {OFFICIAL_COLUMNS} FROM official_runs WHERE id = $1"
        ))
        .bind(id)
        .fetch_one(self.pool())
        .await?;
        Ok(official_row(&row)?)
    }

    /// The publication in force for a period exactly for `unit` (`None`: for
    /// the whole organisation), if there is one.
    pub async fn locking_official_run(
        &self,
        period: &str,
        unit: Option<&str>,
    ) -> Result<Option<OfficialRow>> {
        let query = match unit {
            Some(_) => "SELECT {C} FROM official_runs WHERE period = $1 AND unlocked_at IS NULL AND unit = $2",
            None => "SELECT {C} FROM official_runs WHERE period = $1 AND unlocked_at IS NULL AND unit IS NULL",
        }
        .replace("{C}", OFFICIAL_COLUMNS);
        let mut query = sqlx::query(&query).bind(period.to_string());
        if let Some(u) = unit {
            query = query.bind(u.to_string());
        }
        Ok(query
            .fetch_optional(self.pool())
            .await?
            .map(|r| official_row(&r))
            .transpose()?)
    }

    /// Every subject with their post's task group, by id, where they were
    /// in the month `at` ("2025-03"): the place recorded before the first
    /// move after it, else where they are now.
    pub async fn run_subjects(&self, at: &str) -> Result<Vec<RunSubjectRow>> {
        // Packed a few thousand to a row (fields split by U+001F, subjects
        // by U+001E, which no code or id may hold): the driver's cost is per
        // row, several times what SQLite takes to find them.
        const PACKED: &str = "s.id || char(31) || COALESCE(h.unit, s.unit) || char(31) || \
             COALESCE(h.post, s.post) || char(31) || COALESCE(CAST(s.months_worked AS TEXT), '') || \
             char(31) || COALESCE(CAST(s.months_absent AS TEXT), '') || char(31) || \
             COALESCE(s.manager, '') || char(31) || p.task_group";
        const FROM: &str = "FROM subjects s \
             LEFT JOIN subject_history h ON h.subject = s.id AND h.until_period = \
               (SELECT MIN(q.until_period) FROM subject_history q WHERE q.subject = s.id AND q.until_period > $1) \
             JOIN posts p ON p.code = COALESCE(h.post, s.post)";
        let sql = match self.backend() {
            Backend::Postgres => format!(
                "SELECT string_agg(packed, chr(30) ORDER BY id) AS packed FROM \
                 (SELECT s.id AS id, {} AS packed, (ROW_NUMBER() OVER (ORDER BY s.id) - 1) / {SUBJECTS_PACKED} AS chunk {FROM}) t \
                 GROUP BY chunk ORDER BY chunk",
                PACKED.replace("char(31)", "chr(31)")
            ),
            Backend::Sqlite => format!(
                "SELECT group_concat(packed, char(30) ORDER BY id) AS packed FROM \
                 (SELECT s.id AS id, {PACKED} AS packed, (ROW_NUMBER() OVER (ORDER BY s.id) - 1) / {SUBJECTS_PACKED} AS chunk {FROM}) \
                 GROUP BY chunk ORDER BY chunk"
            ),
        };
        let mut subjects = Vec::new();
        let mut rows = sqlx::query(&sql).bind(at.to_string()).fetch(self.pool());
        while let Some(r) = rows.try_next().await? {
            let packed: String = r.try_get("packed")?;
            for one in packed.split('\u{1e}') {
                subjects.push(unpack_subject(one)?);
            }
        }
        // In the database's order of ids, within a row and across rows: a
        // run reads work products by ranges of ids in that order.
        Ok(subjects)
    }

    /// Every subject's facts sheet for a period, as stored: subject → JSON.
    pub async fn period_fact_sheets(&self, period: &str) -> Result<HashMap<String, String>> {
        let mut sheets = HashMap::new();
        let mut rows = sqlx::query("SELECT subject, facts FROM fact_sheets WHERE period = $1")
            .bind(period.to_string())
            .fetch(self.pool());
        while let Some(r) = rows.try_next().await? {
            sheets.insert(r.try_get("subject")?, r.try_get("facts")?);
        }
        Ok(sheets)
    }
}

impl Tx {
    /// Inserts a run as `running`; its new id.
    pub async fn insert_run(&mut self, run: &NewRun<'_>) -> Result<i64> {
        Ok(sqlx::query(
            "INSERT INTO runs (period, unit, status, started_by, started_at, heartbeat_at, engine, parts_recorded) \
             VALUES ($1, $2, 'running', $3, $4, $4, $5, 1) RETURNING id",
        )
        .bind(run.period.to_string())
        .bind(run.unit.map(str::to_string))
        .bind(run.started_by.to_string())
        .bind(run.at)
        .bind(run.engine.to_string())
        .fetch_one(self.conn())
        .await?
        .try_get("id")?)
    }

    /// Stores a run's results, in as few statements as fit; how many rows.
    pub async fn insert_run_results(
        &mut self,
        run: i64,
        results: impl IntoIterator<Item = StoredResult>,
    ) -> Result<u64> {
        // Counted first, for the read path's counts (results.rs).
        let results: Vec<StoredResult> = results.into_iter().collect();
        let mut counts: HashMap<(String, String, String, &'static str, bool, bool), i64> =
            HashMap::new();
        for r in &results {
            let key = (
                r.unit.clone(),
                r.post.clone(),
                r.grade.map(|g| g.code().to_string()).unwrap_or_default(),
                r.outcome.code(),
                r.total.is_some(),
                !r.caps.is_empty(),
            );
            *counts.entry(key).or_default() += 1;
        }
        let written = insert(
            self.conn(),
            INSERT_RESULTS,
            "",
            results.into_iter().map(|r| result_cells(run, r)),
        )
        .await?;
        let counts: Vec<Vec<Cell>> = counts
            .into_iter()
            .map(|((unit, post, grade, outcome, total, capped), n)| {
                vec![
                    Cell::Int(run),
                    Cell::Text(unit),
                    Cell::Text(post),
                    Cell::Text(grade),
                    Cell::Code(outcome),
                    Cell::Int(i64::from(total)),
                    Cell::Int(i64::from(capped)),
                    Cell::Int(n),
                ]
            })
            .collect();
        insert(
            self.conn(),
            "INSERT INTO run_unit_counts (run_id, unit, post, grade, outcome, has_total, capped, n)",
            "",
            counts,
        )
        .await?;
        Ok(written)
    }

    /// Marks a run complete, now, with its summary as JSON, if it is still
    /// running: whether it was (a run the reaper marked failed meanwhile
    /// stays failed).
    pub async fn complete_run(&mut self, run: i64, summary: &str) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE runs SET status = 'complete', finished_at = $1, heartbeat_at = $1, summary = $2 \
             WHERE id = $3 AND status = 'running'",
        )
        .bind(now_millis())
        .bind(summary.to_string())
        .bind(run)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The publications in force for a period, for any subtree.
    pub async fn active_official_runs(&mut self, period: &str) -> Result<Vec<OfficialRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {OFFICIAL_COLUMNS} FROM official_runs WHERE period = $1 AND unlocked_at IS NULL"
        ))
        .bind(period.to_string())
        .fetch_all(self.conn())
        .await?;
        read(&rows, official_row)
    }

    /// Publishes a run as its period's official run for `unit`, now; the
    /// publication's id.
    pub async fn insert_official_run(
        &mut self,
        period: &str,
        unit: Option<&str>,
        run: i64,
        published_by: &str,
    ) -> Result<i64> {
        Ok(sqlx::query(
            "INSERT INTO official_runs (period, unit, run_id, published_by, published_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(period.to_string())
        .bind(unit.map(str::to_string))
        .bind(run)
        .bind(published_by.to_string())
        .bind(now_millis())
        .fetch_one(self.conn())
        .await?
        .try_get("id")?)
    }

    /// Records a publication's unlocking, now, by whom and why; nothing.
    /// Whether it was still in force (another unlocking may have come first).
    pub async fn unlock_official_run(&mut self, id: i64, by: &str, reason: &str) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE official_runs SET unlocked_by = $1, unlocked_at = $2, unlock_reason = $3 \
             WHERE id = $4 AND unlocked_at IS NULL",
        )
        .bind(by.to_string())
        .bind(now_millis())
        .bind(reason.to_string())
        .bind(id)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indicators_are_stored_as_compact_triples_and_read_back() {
        let indicators = [
            IndicatorScore {
                raw: Some(975_000),
                score: 100_000,
                light: LightCode::Green,
            },
            IndicatorScore {
                raw: None,
                score: 0,
                light: LightCode::NoData,
            },
            IndicatorScore {
                raw: Some(-12_500),
                score: 2_500,
                light: LightCode::Red,
            },
        ];
        let text = indicators_text(&indicators);
        assert_eq!(
            text,
            r#"[[975000,100000,"green"],[null,0,"no-data"],[-12500,2500,"red"]]"#
        );
        assert_eq!(indicators_from_text(&text).unwrap(), indicators);
        assert_eq!(indicators_text(&[]), "[]");
        assert_eq!(
            indicators_from_text(r#"[[1,2,"purple"]]"#).unwrap_err(),
            "`purple` is not a light"
        );
    }
}
