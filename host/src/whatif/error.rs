//! The sandbox boundary's one error type.

use crate::{runtime, scoring};

/// Why a sandbox operation was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request is malformed: an empty body, no period, a bad filter.
    #[error("{0}")]
    BadInput(String),
    /// Only analysts and admins work in the sandbox.
    #[error("{0}")]
    Forbidden(String),
    /// No such draft, period or official run.
    #[error("{0}")]
    NotFound(String),
    /// The analyst already has as many what-ifs running as they may.
    #[error("{0}")]
    Busy(String),
    /// The analyst keeps as many drafts, or as many bytes of them, as they may.
    #[error("{0}")]
    Quota(String),
    /// The component is not a valid scorecard.
    #[error(transparent)]
    Invalid(#[from] runtime::Error),
    /// The draft failed in the sandbox for a subject: the what-if stops there.
    #[error("the draft failed for subject {subject}: {kind}: {message}")]
    DraftFailed {
        /// The subject it was scoring.
        subject: String,
        /// The runtime's error kind: out-of-fuel, deadline, memory, trap, …
        kind: &'static str,
        /// In words.
        message: String,
    },
    /// The host itself failed (its threads), not the draft or the caller.
    #[error("{0}")]
    Internal(String),
    /// Reading the stored data failed.
    #[error(transparent)]
    Scoring(#[from] scoring::Error),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] crate::store::Error),
}

/// The sandbox boundary's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;
