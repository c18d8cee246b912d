//! The runtime's one error type.

/// What went wrong loading or running a plugin.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The engine could not be set up.
    #[error("setting up the WebAssembly engine: {0}")]
    Engine(String),
    /// The bytes are not a scorecard component.
    #[error("not a valid scorecard component: {0}")]
    Invalid(String),
    /// The plugin trapped or misbehaved.
    #[error("plugin fault: {0}")]
    Fault(String),
}

impl Error {
    pub(crate) fn engine(e: wasmtime::Error) -> Error {
        Error::Engine(format!("{e:#}"))
    }
    pub(crate) fn invalid(e: wasmtime::Error) -> Error {
        Error::Invalid(format!("{e:#}"))
    }
    pub(crate) fn fault(e: wasmtime::Error) -> Error {
        Error::Fault(format!("{e:#}"))
    }
}

/// The runtime's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;
