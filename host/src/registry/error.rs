//! The registry's one error type; every variant names what is wrong.

use crate::runtime;

/// Why a registry operation was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The plugin failed validation; the runtime's message is passed through.
    #[error("the plugin failed validation: {kind}: {0}", kind = .0.kind())]
    Invalid(runtime::Error),
    /// A name that is not `namespace/name` in lowercase words.
    #[error(
        "`{0}` is not a plugin name of the form namespace/name (lowercase words joined by hyphens)"
    )]
    BadName(String),
    /// A malformed semver version.
    #[error("`{version}` is not a semver version: {reason}")]
    BadVersion {
        /// The text given.
        version: String,
        /// The parser's reason.
        reason: String,
    },
    /// A malformed semver requirement.
    #[error("`{requirement}` is not a semver requirement: {reason}")]
    BadRequirement {
        /// The text given.
        requirement: String,
        /// The parser's reason.
        reason: String,
    },
    /// A malformed period.
    #[error("`{0}` is not a period (2025-09, 2025-Q3 or 2025)")]
    BadPeriod(String),
    /// The actor's role does not allow it.
    #[error("{0}")]
    Forbidden(String),
    /// Other bytes under a version that exists.
    #[error(
        "{name}@{version} is already published with sha256 {existing}; these bytes are sha256 {offered}. Published versions are immutable: publish a new version"
    )]
    Conflict {
        /// The plugin.
        name: String,
        /// The version.
        version: String,
        /// The published bytes' hash.
        existing: String,
        /// The refused bytes' hash.
        offered: String,
    },
    /// A plugin, version or unit that does not exist.
    #[error("{0}")]
    NotFound(String),
    /// A fact the version does not declare.
    #[error("{0}")]
    UnknownFact(String),
    /// No version satisfies a requirement.
    #[error(
        "no published, unyanked version of {plugin} satisfies `{requirement}` (published: {available})"
    )]
    Unsatisfiable {
        /// The plugin.
        plugin: String,
        /// The requirement.
        requirement: String,
        /// What there is.
        available: String,
    },
    /// An assignment that ties with one already made.
    #[error("an assignment for {post_type} in {unit} from {from} already exists: {first}")]
    Tie {
        /// The post type.
        post_type: String,
        /// The unit.
        unit: String,
        /// The period it takes effect.
        from: String,
        /// The existing assignment, in words.
        first: String,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] crate::store::Error),
}

/// The registry's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;
