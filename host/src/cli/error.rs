//! The command line's one error type, and its exit statuses.

use crate::runtime;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input was wrong: a missing file, malformed JSON, an unknown fact.
    #[error("{0}")]
    BadInput(String),
    /// A plugin is invalid or failed.
    #[error(transparent)]
    Plugin(#[from] runtime::Error),
}

impl Error {
    /// 2 for bad input, 1 for a plugin that failed.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::BadInput(_) => 2,
            Error::Plugin(_) => 1,
        }
    }
}
