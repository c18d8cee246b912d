//! Runs and their results as stored, and how they are read back.

use serde::Serialize;

use super::summary::Summary;
use super::{Error, Result, StoredResult};
use crate::registry::Registry;
use crate::store::now_millis;
use crate::store::runs::{ResultsOf, RunRow};

/// How long a run may go without a heartbeat before it counts as abandoned.
pub(super) const ABANDONED_AFTER_MS: i64 = 60_000;

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
    /// How many corrections it has had (an official run's results change
    /// only through one).
    #[serde(default)]
    pub revision: i64,
    /// Its summary, once complete.
    pub summary: Option<Summary>,
}

fn record_from_row(row: RunRow, with_summary: bool) -> Result<RunRecord> {
    let RunRow {
        id,
        period,
        unit,
        mut status,
        started_by,
        started_at,
        heartbeat_at,
        finished_at,
        engine,
        mut error,
        revision,
        summary,
    } = row;
    if status == "running" && now_millis() - heartbeat_at > ABANDONED_AFTER_MS {
        status = "failed".into();
        error = Some("abandoned: the host running it stopped before it finished".into());
    }
    let summary = if with_summary {
        summary
            .map(|s| serde_json::from_str(&s))
            .transpose()
            .map_err(|e| Error::Refused(format!("a stored summary is unreadable: {e}")))?
    } else {
        None
    };
    Ok(RunRecord {
        id,
        period,
        unit,
        status,
        started_by,
        started_at,
        finished_at,
        engine,
        error,
        revision,
        summary,
    })
}

/// Every run, newest first, without summaries.
pub async fn runs(registry: &Registry) -> Result<Vec<RunRecord>> {
    registry
        .store()
        .runs()
        .await?
        .into_iter()
        .map(|r| record_from_row(r, false))
        .collect()
}

/// One run, with its summary.
pub async fn run_record_by_id(registry: &Registry, id: i64) -> Result<RunRecord> {
    let row = registry.store().run(id).await?.ok_or(Error::NoRun(id))?;
    record_from_row(row, true)
}

/// One run's record without its summary.
pub async fn run_head(registry: &Registry, id: i64) -> Result<RunRecord> {
    let row = registry
        .store()
        .run_head(id)
        .await?
        .ok_or(Error::NoRun(id))?;
    record_from_row(row, false)
}

/// A run's summary, once it has one.
pub async fn run_summary(registry: &Registry, id: i64) -> Result<Option<Summary>> {
    registry
        .store()
        .run_summary(id)
        .await?
        .map(|s| serde_json::from_str(&s))
        .transpose()
        .map_err(|e| Error::Refused(format!("a stored summary is unreadable: {e}")))
}

/// A complete run's results, ranked: by total, best first, then by subject.
pub async fn results(registry: &Registry, run: i64) -> Result<Vec<StoredResult>> {
    complete_results(registry, run, ResultsOf::All).await
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
    let which = match only {
        Only::Unit(u) => ResultsOf::Unit(u),
        Only::Subject(s) => ResultsOf::Subject(s),
    };
    complete_results(registry, run, which).await
}

/// That run `run` exists and is complete, as a read of its results needs:
/// one indexed read of its status, not of its summary.
pub async fn complete_check(registry: &Registry, run: i64) -> Result<()> {
    match registry.store().run_status(run).await? {
        None => Err(Error::NoRun(run)),
        Some(status) if status != "complete" => Err(Error::Refused(format!(
            "run {run} is {status}: only a complete run has results"
        ))),
        Some(_) => Ok(()),
    }
}

/// The results of a run that must be complete.
async fn complete_results(
    registry: &Registry,
    run: i64,
    which: ResultsOf<'_>,
) -> Result<Vec<StoredResult>> {
    let record = run_record_by_id(registry, run).await?;
    if record.status != "complete" {
        return Err(Error::Refused(format!(
            "run {run} is {}: only a complete run has results",
            record.status
        )));
    }
    Ok(registry.store().run_results(run, which).await?)
}

/// Results as CSV, ranked as given: the same columns for the command line and the API.
/// Written by the `csv` crate, so a field holding a comma, a quote or a line
/// break is quoted; a text field a spreadsheet would take for a formula is
/// made plain text (see [`spreadsheet_text`]).
pub fn results_csv(rows: &[StoredResult]) -> String {
    results_csv_part(rows, 1, true)
}

/// Part of [`results_csv`]: `rows` ranked from `first`, after the header
/// when `header`; the parts of a stream written one after another make the
/// same file.
pub fn results_csv_part(rows: &[StoredResult], first: u64, header: bool) -> String {
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let columns = [
        "rank",
        "subject",
        "unit",
        "post",
        "plugin",
        "version",
        "outcome",
        "total",
        "computed_grade",
        "grade",
        "cohort_rule",
        "caps",
    ];
    if header {
        out.write_record(columns).expect("writes to memory");
    }
    for (r, rank) in rows.iter().zip(first..) {
        let total = r.total.map(|t| thuocdo_sdk::Fixed::from_raw(t).to_string());
        let rank = rank.to_string();
        let caps = r.caps.join(" ");
        let record: [&str; 12] = [
            &rank,
            &spreadsheet_text(&r.subject),
            &spreadsheet_text(&r.unit),
            &spreadsheet_text(&r.post),
            &spreadsheet_text(&r.plugin),
            &spreadsheet_text(&r.version),
            r.outcome.code(),
            total.as_deref().unwrap_or_default(),
            r.computed_grade.map(|g| g.code()).unwrap_or_default(),
            r.grade.map(|g| g.code()).unwrap_or_default(),
            &spreadsheet_text(r.cohort_rule.as_deref().unwrap_or_default()),
            &spreadsheet_text(&caps),
        ];
        out.write_record(record).expect("writes to memory");
    }
    String::from_utf8(out.into_inner().expect("writes to memory")).expect("UTF-8 in, UTF-8 out")
}

/// Text a spreadsheet would read as a formula (starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return) with a `'` in front, as OWASP advises
/// for CSV meant for spreadsheets: the cell then shows the text as it is.
pub fn spreadsheet_text(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

#[cfg(test)]
mod tests {
    use super::super::run::SubjectRow;
    use super::*;

    fn result(subject: &str, unit: &str) -> StoredResult {
        let s = SubjectRow {
            id: subject.into(),
            unit: unit.into(),
            post: "p".into(),
            task_group: "g".into(),
            months_worked: None,
            months_absent: None,
            manager: None,
        };
        StoredResult::blank(&s, "ns/card", "1.0.0", "")
    }

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        let rows = [
            result("=HYPERLINK(\"http://x\")", "@unit"),
            result("a,b", "-1"),
            result("plain", "x\"y"),
        ];
        let csv = results_csv(&rows);
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let read: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        assert_eq!(read.len(), 3);
        assert_eq!(read[0][1], "'=HYPERLINK(\"http://x\")");
        assert_eq!(read[0][2], "'@unit");
        assert_eq!(read[1][1], "a,b");
        assert_eq!(read[1][2], "'-1");
        assert_eq!(read[2][2], "x\"y");
        assert!(read.iter().all(|r| r.len() == 12));
    }
}
