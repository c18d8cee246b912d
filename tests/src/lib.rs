//! Workspace-level tests of thuocdo: every scorecard under plugins/, natively
//! and as a real component in the host's sandbox. The tests live in
//! `tests/all/`; this library is empty.
//!
//! ```text
//! cargo test -p thuocdo-tests
//! ```

/// Paths of the hostile guests (tests/hostile/): components that misbehave
/// on purpose, built by tests/build.rs.
pub mod hostile {
    include!(concat!(env!("OUT_DIR"), "/hostile.rs"));
}

/// Paths of the ordinary test scorecards (tests/fixtures/): one card under
/// several versions, a draft regulation, a yearly card, a scorecard without
/// the SDK; built by tests/build.rs.
pub mod fixtures {
    include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));
}
