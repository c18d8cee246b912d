//! The scorecards under plugins/, built by host/build.rs and shipped inside the
//! binary so the demo needs nothing built by hand.

/// One bundled scorecard.
#[derive(Clone, Copy, Debug)]
pub struct Bundled {
    /// Its crate's name under plugins/.
    pub crate_name: &'static str,
    /// The component.
    pub wasm: &'static [u8],
    /// Its example subjects (plugins/NAME/examples.json), as JSON.
    pub examples: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/bundled.rs"));
