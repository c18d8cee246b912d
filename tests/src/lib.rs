//! Workspace-level tests of thuocdo: every scorecard under plugins/, natively
//! and as a real component in the host's sandbox. The tests live in
//! `tests/all/`; this library is empty.
//!
//! ```text
//! cargo test -p thuocdo-tests
//! ```

/// Paths of the hostile test corpus (tests/hostile/), built by tests/build.rs.
pub mod hostile {
    include!(concat!(env!("OUT_DIR"), "/hostile.rs"));
}
