//! The scoring boundary's one error type; every variant names what is wrong.

use crate::{registry, runtime};

/// One bad row of a data file, by line (CSV) or entry (JSON).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct RowError {
    /// Where: `line 12` or `entry 3`.
    pub at: String,
    /// Why, for people.
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.at, self.reason)
    }
}

/// Why a scoring operation was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A data file with bad rows: nothing of it was loaded.
    #[error("{file}: {} bad {}, nothing loaded:\n{}", .rows.len(), if .rows.len() == 1 { "row" } else { "rows" }, list(.rows))]
    BadRows {
        /// The file, as named.
        file: String,
        /// Every bad row.
        rows: Vec<RowError>,
    },
    /// A file that cannot be read as the format it claims.
    #[error("{0}")]
    BadFile(String),
    /// A period whose facts are frozen or whose official run is locked.
    #[error("{0}")]
    Locked(String),
    /// A run, unit or period that does not exist.
    #[error("{0}")]
    NotFound(String),
    /// No run has this id.
    #[error("there is no run {0}")]
    NoRun(i64),
    /// The actor's role does not allow it.
    #[error("{0}")]
    Forbidden(String),
    /// The request is well formed but cannot be done as asked.
    #[error("{0}")]
    Refused(String),
    /// The host itself failed: its scoring threads, or a stored row it
    /// cannot read. Not the caller's doing.
    #[error("{0}")]
    Internal(String),
    /// Resolution or loading through the registry failed.
    #[error(transparent)]
    Registry(#[from] registry::Error),
    /// The runtime failed outside any one evaluation.
    #[error(transparent)]
    Runtime(#[from] runtime::Error),
    /// A run stopped before its results were in: nothing of it is visible.
    #[error("run {run} failed, nothing of it is visible: {reason}")]
    RunFailed {
        /// The run's id.
        run: i64,
        /// Why.
        reason: String,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] crate::store::Error),
}

fn list(rows: &[RowError]) -> String {
    const SHOWN: usize = 50;
    let mut out: Vec<String> = rows.iter().take(SHOWN).map(|r| format!("  {r}")).collect();
    if rows.len() > SHOWN {
        out.push(format!("  … and {} more", rows.len() - SHOWN));
    }
    out.join("\n")
}

/// The scoring boundary's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;
