//! test/versioned at 2.0.0-rc.1.

include!("../../versioned.rs");
