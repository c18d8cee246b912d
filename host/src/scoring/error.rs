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

/// The bad rows of a file as they are found: the first [`RowErrors::KEPT`]
/// kept, every one counted, so a file of a hundred million bad rows costs no
/// more to refuse than one of a thousand.
#[derive(Debug, Default)]
pub struct RowErrors {
    kept: Vec<RowError>,
    total: usize,
}

impl RowErrors {
    /// How many bad rows are kept to be named.
    pub const KEPT: usize = 1000;

    /// Counts a bad row, and keeps it if it is among the first.
    pub fn push(&mut self, error: RowError) {
        self.total += 1;
        if self.kept.len() < Self::KEPT {
            self.kept.push(error);
        }
    }

    /// How many are kept.
    pub fn kept(&self) -> usize {
        self.kept.len()
    }

    /// Counts `n` more bad rows without naming them.
    pub fn count_more(&mut self, n: usize) {
        self.total += n;
    }

    /// Puts the kept rows in file order (`line 12` before `line 100`), as
    /// they may be found in more than one pass.
    pub fn in_file_order(&mut self) {
        let number = |at: &str| {
            at.rsplit(' ')
                .next()
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(u64::MAX)
        };
        self.kept.sort_by_key(|e| number(&e.at));
    }

    /// No bad row so far.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// `Ok` when there was no bad row, else the refusal of `file`.
    pub fn check(self, file: &str) -> Result<()> {
        if self.is_empty() {
            return Ok(());
        }
        Err(Error::BadRows {
            file: file.to_string(),
            rows: self.kept,
            total: self.total,
        })
    }
}

/// Why a scoring operation was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A data file with bad rows: nothing of it was loaded.
    #[error("{file}: {total} bad {}, nothing loaded:\n{}", if *.total == 1 { "row" } else { "rows" }, list(.rows, *.total))]
    BadRows {
        /// The file, as named.
        file: String,
        /// The first bad rows, up to [`RowErrors::KEPT`].
        rows: Vec<RowError>,
        /// How many rows are bad in all.
        total: usize,
    },
    /// A file that cannot be read as the format it claims.
    #[error("{0}")]
    BadFile(String),
    /// A JSON document that is JSON but not of the shape asked for.
    #[error("{0}")]
    BadDocument(String),
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
    /// The host is scoring all the runs, verifications and what-ifs it
    /// takes at once, or ran out of plugin instances: try again shortly.
    #[error("{0}")]
    Busy(String),
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

fn list(rows: &[RowError], total: usize) -> String {
    const SHOWN: usize = 50;
    let mut out: Vec<String> = rows.iter().take(SHOWN).map(|r| format!("  {r}")).collect();
    if total > SHOWN {
        out.push(format!("  … and {} more", total - SHOWN.min(rows.len())));
    }
    out.join("\n")
}

/// The scoring boundary's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The host has all the scoring it takes at once.
    pub(crate) fn no_job(runtime: &crate::runtime::Runtime) -> Error {
        Error::Busy(format!(
            "the host is scoring {} runs, verifications and what-ifs already, the most it takes at once; try again shortly",
            runtime.max_jobs()
        ))
    }
}
