//! test/versioned at 1.2.0.

include!("../../versioned.rs");
