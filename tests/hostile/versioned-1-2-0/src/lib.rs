//! test/versioned at 1.2.0.

// On wasm the scorecard links no std: no WASI imports, a cheaper instance.
#![cfg_attr(target_family = "wasm", no_std)]

include!("../../versioned.rs");
