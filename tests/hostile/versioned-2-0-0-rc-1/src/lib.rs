//! test/versioned at 2.0.0-rc.1.

// On wasm the scorecard links no std: no WASI imports, a cheaper instance.
#![cfg_attr(target_family = "wasm", no_std)]

include!("../../versioned.rs");
