//! test/versioned at 1.0.0.

include!("../../versioned.rs");
