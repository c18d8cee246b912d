//! The runtime's one error type: why a plugin could not be loaded or why an
//! evaluation is a fault. A scorecard's own `missing-fact` or `invalid-fact` is
//! an answer, not one of these.

/// What went wrong loading or running a plugin.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The engine could not be set up.
    #[error("setting up the WebAssembly engine: {0}")]
    Engine(String),
    /// The bytes are not a component (a core module, random bytes, a truncated file).
    #[error("not a WebAssembly component: {0}")]
    NotAComponent(String),
    /// A component, but not of world thuocdo:scorecard/scorecard.
    #[error("not a scorecard: {0}")]
    WrongWorld(String),
    /// The component holds more core instances, memories or tables than
    /// one component may (see `RuntimeConfig::per_component`).
    #[error("the component is over the host's limits: {0}")]
    OverLimits(String),
    /// The component imports what the host never grants.
    #[error("imports the host does not provide: {}", .0.join(", "))]
    ForbiddenImports(Vec<String>),
    /// The evaluation used up its fuel.
    #[error("the evaluation used all its {0} units of fuel")]
    OutOfFuel(u64),
    /// The evaluation ran past its deadline.
    #[error("the evaluation ran past its {0} ms deadline")]
    Deadline(u128),
    /// The plugin wanted more memory than allowed.
    #[error("the plugin asked for {desired} bytes of linear memory; the limit is {limit}")]
    Memory {
        /// What it asked for.
        desired: usize,
        /// The cap.
        limit: usize,
    },
    /// The plugin exhausted its stack.
    #[error("the plugin overflowed its {0}-byte stack")]
    StackExhausted(usize),
    /// The result is larger than allowed.
    #[error("the result is {size} bytes; the limit is {limit}")]
    OutputTooLarge {
        /// Its size.
        size: usize,
        /// The cap.
        limit: usize,
    },
    /// The answer's strings and lists passed the byte budget for lifting
    /// them into the host (the limit's `output`), whatever the answer was.
    #[error(
        "the plugin's answer holds more than the {0} bytes of strings and lists the host lifts"
    )]
    AnswerTooLarge(usize),
    /// The plugin trapped; `panic` holds its panic message when it printed one.
    #[error("{message}{}", panic.as_ref().map(|p| format!(" (plugin panicked: {p})")).unwrap_or_default())]
    Trap {
        /// What the engine reported.
        message: String,
        /// The plugin's panic message.
        panic: Option<String>,
    },
    /// The host had no instance, memory or table left for the plugin: too
    /// much was scoring at once. The host's shortfall, never the plugin's:
    /// a run or what-if that meets it fails as a whole.
    #[error("the host is out of plugin instances, too much is scoring at once: {0}")]
    HostBusy(String),
    /// The plugin answered, but its answer contradicts its own describe().
    #[error("the plugin's answer contradicts its describe(): {0}")]
    Fault(String),
}

impl Error {
    /// A stable code for the kind of error, for logs, metrics and APIs.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Engine(_) => "engine",
            Error::NotAComponent(_) => "not-a-component",
            Error::WrongWorld(_) => "wrong-world",
            Error::OverLimits(_) => "over-limits",
            Error::ForbiddenImports(_) => "forbidden-imports",
            Error::OutOfFuel(_) => "out-of-fuel",
            Error::Deadline(_) => "deadline",
            Error::Memory { .. } => "memory",
            Error::StackExhausted(_) => "stack-exhausted",
            Error::OutputTooLarge { .. } | Error::AnswerTooLarge(_) => "output-too-large",
            Error::Trap { .. } => "trap",
            Error::HostBusy(_) => "host-busy",
            Error::Fault(_) => "fault",
        }
    }

    pub(crate) fn engine(e: impl std::fmt::Display) -> Error {
        Error::Engine(e.to_string())
    }
}

/// The runtime's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;
