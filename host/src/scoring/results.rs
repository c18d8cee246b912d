//! Runs and their results as stored, and how they are read back.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::summary::Summary;
use super::{Error, Result};
use crate::registry::Registry;
use crate::store::now_millis;

/// How long a run may go without a heartbeat before it counts as abandoned.
pub(super) const ABANDONED_AFTER_MS: i64 = 60_000;

/// One subject's stored result in a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StoredResult {
    /// The subject's id.
    pub subject: String,
    /// Their unit.
    pub unit: String,
    /// Their post.
    pub post: String,
    /// Their post's group of similar tasks at the time: the cohort a quota counted them in.
    pub task_group: String,
    /// The scorecard, `namespace/name`.
    pub plugin: String,
    /// Its exact version.
    pub version: String,
    /// Its bytes' hash.
    pub sha256: String,
    /// `scored`, `refused` (the scorecard named a missing or invalid fact) or
    /// `fault` (the plugin failed in the sandbox).
    pub outcome: String,
    /// The total, when scored.
    pub total: Option<i64>,
    /// The grade the scorecard gave (after its caps).
    pub computed_grade: Option<String>,
    /// The final grade, after cohort rules.
    pub grade: Option<String>,
    /// The cohort rule that changed the grade, if one did.
    pub cohort_rule: Option<String>,
    /// The codes of the caps that applied.
    pub caps: Vec<String>,
    /// Each indicator's `[raw, score, light]`, by position, as JSON text.
    pub indicators: String,
    /// The fact values read, by name (null for missing), as JSON text.
    pub facts: String,
    /// The SHA-256 of `facts`.
    pub facts_sha256: String,
    /// Fuel used.
    pub fuel: i64,
    /// The scorecard's refusal or the plugin's fault, in words.
    pub error: Option<String>,
}

/// A run as recorded.
#[derive(Clone, Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct RunRecord {
    /// Its id.
    pub id: i64,
    /// The period.
    pub period: String,
    /// The unit subtree it was restricted to.
    pub unit: Option<String>,
    /// `running`, `complete` or `failed` (an abandoned run counts as failed).
    pub status: String,
    /// Who started it.
    pub started_by: String,
    /// When (ms since the epoch).
    pub started_at: i64,
    /// When it finished.
    pub finished_at: Option<i64>,
    /// The engine that scored it.
    pub engine: String,
    /// Why it failed.
    pub error: Option<String>,
    /// Its summary, once complete.
    pub summary: Option<Summary>,
}

const RUN_COLUMNS: &str = "id, period, unit, status, started_by, started_at, heartbeat_at, finished_at, engine, error, summary";

fn record_from_row(row: &sqlx::any::AnyRow, with_summary: bool) -> Result<RunRecord> {
    let mut status: String = row.try_get("status")?;
    let mut error: Option<String> = row.try_get("error")?;
    let heartbeat: i64 = row.try_get("heartbeat_at")?;
    if status == "running" && now_millis() - heartbeat > ABANDONED_AFTER_MS {
        status = "failed".into();
        error = Some("abandoned: the host running it stopped before it finished".into());
    }
    let summary = if with_summary {
        row.try_get::<Option<String>, _>("summary")?
            .map(|s| serde_json::from_str(&s))
            .transpose()
            .map_err(|e| Error::Refused(format!("a stored summary is unreadable: {e}")))?
    } else {
        None
    };
    Ok(RunRecord {
        id: row.try_get("id")?,
        period: row.try_get("period")?,
        unit: row.try_get("unit")?,
        status,
        started_by: row.try_get("started_by")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
        engine: row.try_get("engine")?,
        error,
        summary,
    })
}

/// Every run, newest first, without summaries.
pub async fn runs(registry: &Registry) -> Result<Vec<RunRecord>> {
    sqlx::query(&format!("SELECT {RUN_COLUMNS} FROM runs ORDER BY id DESC"))
        .fetch_all(registry.store().pool())
        .await?
        .iter()
        .map(|r| record_from_row(r, false))
        .collect()
}

/// One run, with its summary.
pub async fn run_record_by_id(registry: &Registry, id: i64) -> Result<RunRecord> {
    let row = sqlx::query(&format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = $1"))
        .bind(id)
        .fetch_optional(registry.store().pool())
        .await?
        .ok_or_else(|| Error::NotFound(format!("there is no run {id}")))?;
    record_from_row(&row, true)
}

const RESULT_COLUMNS: &str = "subject, unit, post, task_group, plugin, version, sha256, outcome, total, computed_grade, grade, \
     cohort_rule, caps, indicators, facts, facts_sha256, fuel, error";

/// A complete run's results, ranked: by total, best first, then by subject.
pub async fn results(registry: &Registry, run: i64) -> Result<Vec<StoredResult>> {
    let record = run_record_by_id(registry, run).await?;
    if record.status != "complete" {
        return Err(Error::Refused(format!(
            "run {run} is {}: only a complete run has results",
            record.status
        )));
    }
    let rows = sqlx::query(&format!(
        "SELECT {RESULT_COLUMNS} FROM run_results WHERE run_id = $1 ORDER BY total DESC, subject"
    ))
    .bind(run)
    .fetch_all(registry.store().pool())
    .await?;
    rows.iter().map(stored_result).collect()
}

/// Which results of a run to read.
#[derive(Clone, Copy, Debug)]
pub enum Only<'a> {
    /// The subjects of one unit.
    Unit(&'a str),
    /// One subject.
    Subject(&'a str),
}

/// Part of a complete run's results, ranked as [`results`] ranks them.
pub async fn results_of(
    registry: &Registry,
    run: i64,
    only: Only<'_>,
) -> Result<Vec<StoredResult>> {
    let record = run_record_by_id(registry, run).await?;
    if record.status != "complete" {
        return Err(Error::Refused(format!(
            "run {run} is {}: only a complete run has results",
            record.status
        )));
    }
    let (column, value) = match only {
        Only::Unit(u) => ("unit", u),
        Only::Subject(s) => ("subject", s),
    };
    let rows = sqlx::query(&format!(
        "SELECT {RESULT_COLUMNS} FROM run_results WHERE run_id = $1 AND {column} = $2 ORDER BY total DESC, subject"
    ))
    .bind(run)
    .bind(value.to_string())
    .fetch_all(registry.store().pool())
    .await?;
    rows.iter().map(stored_result).collect()
}

fn stored_result(r: &sqlx::any::AnyRow) -> Result<StoredResult> {
    fn json<T: serde::de::DeserializeOwned>(text: String) -> Result<T> {
        serde_json::from_str(&text)
            .map_err(|e| Error::Refused(format!("a stored result is unreadable: {e}")))
    }
    let caps: String = r.try_get("caps")?;
    let indicators: String = r.try_get("indicators")?;
    Ok(StoredResult {
        subject: r.try_get("subject")?,
        unit: r.try_get("unit")?,
        post: r.try_get("post")?,
        task_group: r.try_get("task_group")?,
        plugin: r.try_get("plugin")?,
        version: r.try_get("version")?,
        sha256: r.try_get("sha256")?,
        outcome: r.try_get("outcome")?,
        total: r.try_get("total")?,
        computed_grade: r.try_get("computed_grade")?,
        grade: r.try_get("grade")?,
        cohort_rule: r.try_get("cohort_rule")?,
        caps: json(caps)?,
        indicators,
        facts: r.try_get("facts")?,
        facts_sha256: r.try_get("facts_sha256")?,
        fuel: r.try_get("fuel")?,
        error: r.try_get("error")?,
    })
}

/// Results as CSV, ranked as given: the same columns for the command line and the API.
pub fn results_csv(rows: &[StoredResult]) -> String {
    let mut out = String::from(
        "rank,subject,unit,post,plugin,version,outcome,total,computed_grade,grade,cohort_rule,caps\n",
    );
    for (i, r) in rows.iter().enumerate() {
        let total = r.total.map(|t| thuocdo_sdk::Fixed::from_raw(t).to_string());
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{}\n",
            i + 1,
            r.subject,
            r.unit,
            r.post,
            r.plugin,
            r.version,
            r.outcome,
            total.unwrap_or_default(),
            r.computed_grade.as_deref().unwrap_or_default(),
            r.grade.as_deref().unwrap_or_default(),
            r.cohort_rule.as_deref().unwrap_or_default(),
            r.caps.join(" ")
        ));
    }
    out
}

/// `sum / n` rounded half away from zero, as totals are.
pub(crate) fn mean(sum: i128, n: usize) -> Option<i64> {
    let n = n as i128;
    (n > 0).then(|| ((sum * 2 + sum.signum() * n) / (2 * n)) as i64)
}

/// The columns a result is stored in, for the bulk insert.
pub(super) const INSERT_RESULTS: &str = "INSERT INTO run_results (run_id, subject, unit, post, task_group, plugin, version, sha256, \
     outcome, total, computed_grade, grade, cohort_rule, caps, indicators, facts, facts_sha256, fuel, error)";

impl StoredResult {
    /// The row's cells, in [`INSERT_RESULTS`] order.
    pub(super) fn cells(self, run: i64) -> Vec<crate::store::bulk::Cell> {
        use crate::store::bulk::Cell;
        vec![
            Cell::Int(run),
            self.subject.into(),
            self.unit.into(),
            self.post.into(),
            self.task_group.into(),
            self.plugin.into(),
            self.version.into(),
            self.sha256.into(),
            self.outcome.into(),
            self.total.into(),
            self.computed_grade.into(),
            self.grade.into(),
            self.cohort_rule.into(),
            serde_json::to_string(&self.caps)
                .expect("serialises")
                .into(),
            self.indicators.into(),
            self.facts.into(),
            self.facts_sha256.into(),
            Cell::Int(self.fuel),
            self.error.into(),
        ]
    }
}
