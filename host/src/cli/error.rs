//! The command line's one error type, and its exit statuses.

use crate::runtime;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input was wrong: a missing file, malformed JSON, an unknown fact.
    #[error("{0}")]
    BadInput(String),
    /// A plugin is invalid or failed; the message starts with the error's kind.
    #[error("{kind}: {0}", kind = .0.kind())]
    Plugin(#[from] runtime::Error),
    /// Some of many evaluations failed in a plugin.
    #[error("{0}")]
    PluginFailures(String),
    /// The host itself could not do it (the database, the file system).
    #[error("{0}")]
    Failed(String),
}

impl Error {
    /// 2 for bad input, 1 for a plugin that failed.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::BadInput(_) => 2,
            Error::Plugin(_) | Error::PluginFailures(_) | Error::Failed(_) => 1,
        }
    }
}
