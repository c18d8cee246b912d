//! test/versioned at 1.3.0.

include!("../../versioned.rs");
