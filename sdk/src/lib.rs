//! thuocdo-sdk: everything an agency's developer needs to write a scorecard.
//!
//! A scorecard is a plain Rust type implementing [`Scorecard`]: a `const` [`Card`]
//! that says what the post is measured on (facts, indicators with their thresholds
//! and weights, grading bands, caps, quotas, legal basis, in Vietnamese and
//! English), and a `score` function that turns one subject's facts into indicator
//! scores and caps. The SDK does the rest exactly as the contract prescribes:
//! range checks, rounding, subtotals, totals, grades. [`scorecard!`] exports the
//! type as a WebAssembly component of world `thuocdo:scorecard/scorecard@1.1.0`; built
//! natively, the same code is tested with plain `cargo test`.
//!
//! ```
//! use thuocdo_sdk::prelude::*;
//!
//! pub struct Clerk;
//!
//! const CARD: Card = Card {
//!     name: "ward2-pasc/clerk",
//!     version: "1.0.0",
//!     title: t("Công chức một cửa", "One-stop clerk"),
//!     description: t("Tỷ lệ hồ sơ đúng hạn", "On-time applications"),
//!     applies_to: &["one-stop-clerk"],
//!     period: PeriodKind::Quarter,
//!     basis: &[],
//!     facts: &[Fact::percent("on-time-rate", t("Tỷ lệ đúng hạn", "On-time rate"))],
//!     indicators: &[Indicator::new("on-time", Group::Progress, t("Đúng hạn", "On time"), units::PERCENT)
//!         .thresholds(fx!("95"), fx!("80"))
//!         .points(fx!("10"))
//!         .reads(&["on-time-rate"])
//!         .formula(t("Tuyến tính từ 80% đến 95%", "Linear from 80% to 95%"))],
//!     scale: Scale::points(fx!("10")),
//!     bands: &bands(fx!("9"), fx!("7"), fx!("5")),
//!     caps: &[],
//!     quotas: &[],
//!     reads_products: false,
//! };
//!
//! impl Scorecard for Clerk {
//!     const CARD: &'static Card = &CARD;
//!     fn score(facts: &Facts, sheet: &mut Sheet) -> Result<(), EvalError> {
//!         sheet.linear("on-time", Some(facts.get("on-time-rate")?));
//!         Ok(())
//!     }
//! }
//! thuocdo_sdk::scorecard!(Clerk);
//!
//! let (total, grade) = thuocdo_sdk::testing::Case::<Clerk>::new().set("on-time-rate", "93.5").outcome();
//! assert_eq!((total, grade), (fx!("9"), Grade::A));
//! ```

// On wasm a scorecard links no std: no WASI imports, so a fresh instance costs
// about half as much (BENCHMARKS.md). Natively the SDK is ordinary std Rust.
#![cfg_attr(target_family = "wasm", no_std)]

extern crate alloc;

pub mod card;
#[cfg(not(target_family = "wasm"))]
pub mod check;
pub mod contract;
pub mod evaluation;
pub mod fixed;
pub mod grading;
#[cfg(not(target_family = "wasm"))]
pub mod testing;
pub mod wire;

#[cfg(all(target_family = "wasm", feature = "bump-allocator"))]
mod bump;

// Without std, memcmp, memcpy and friends come from wasi-libc's string
// functions, which import nothing.
#[cfg(target_family = "wasm")]
#[link(name = "c")]
unsafe extern "C" {}

#[cfg(all(target_family = "wasm", feature = "bump-allocator"))]
#[global_allocator]
static ALLOCATOR: bump::BumpAllocator = bump::BumpAllocator;

/// The contract's guest bindings, generated from `wit/`.
#[doc(hidden)]
#[allow(clippy::too_many_arguments)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../wit",
        world: "thuocdo:scorecard/scorecard",
        pub_export_macro: true,
        export_macro_name: "export_scorecard_world",
        default_bindings_module: "thuocdo_sdk::bindings",
    });
}

pub use bindings::thuocdo::scorecard::types::{
    AssessmentStep, Direction, FaultKind, Grade, Group, LedMeasure, Light, PeriodKind,
    ProductFault, QuotaCounting, ResultMeasure, Rounding, TieBreak, WhenMissing, WorkProduct,
};
pub use card::{
    Band, Basis, Cap, CapId, Card, Fact, FactId, Indicator, IndicatorId, Origin, Quota, Scale,
    Scope, Text, bands, t, units,
};
pub use evaluation::{
    EvalError, Evaluation, Facts, IndicatorResult, Sheet, Subject, Subtotals, percent,
};
pub use fixed::{Exact, Fixed};
pub use wire::evaluate;

/// A scorecard: its card, and how one subject's facts become scores and caps.
pub trait Scorecard {
    /// Everything `describe()` reports; the SDK checks facts against it and
    /// computes totals and grades from it.
    const CARD: &'static Card;

    /// Scores every indicator of the card (with [`Sheet::linear`],
    /// [`Sheet::score`] or [`Sheet::no_data`]) and applies caps. Facts have been
    /// checked against their ranges and required facts are present.
    fn score(facts: &Facts, sheet: &mut Sheet) -> Result<(), EvalError>;
}

/// Exports a [`Scorecard`] type as the component's `describe` and `evaluate`,
/// and on wasm provides the panic handler of a `no_std` scorecard crate (start
/// the crate with `#![cfg_attr(target_family = "wasm", no_std)]`). On native
/// targets it exports nothing, so tests link as usual.
#[macro_export]
macro_rules! scorecard {
    ($ty:ty) => {
        #[cfg(target_family = "wasm")]
        const _: () = {
            struct ThuocdoExport;
            impl $crate::bindings::Guest for ThuocdoExport {
                fn describe() -> $crate::bindings::thuocdo::scorecard::types::PluginInfo {
                    $crate::wire::describe(<$ty as $crate::Scorecard>::CARD)
                }
                fn evaluate(
                    input: $crate::bindings::thuocdo::scorecard::types::EvaluationInput,
                ) -> ::core::result::Result<
                    $crate::bindings::thuocdo::scorecard::types::Evaluation,
                    $crate::bindings::thuocdo::scorecard::types::EvaluationError,
                > {
                    $crate::wire::evaluate_wire::<$ty>(input)
                }
            }
    $crate::bindings::export_scorecard_world!(ThuocdoExport with_types_in $crate::bindings);
        };

        // A scorecard crate is no_std on wasm (`#![cfg_attr(target_family =
        // "wasm", no_std)]`): a panic, a scorecard bug, ends the evaluation as a
        // trap the host reports.
        #[cfg(target_family = "wasm")]
        #[panic_handler]
        fn thuocdo_scorecard_panic(_: &::core::panic::PanicInfo) -> ! {
            ::core::arch::wasm32::unreachable()
        }
    };
}

/// What a scorecard module imports: `use thuocdo_sdk::prelude::*;`.
pub mod prelude {
    pub use crate::card::{
        Band, Basis, Cap, CapId, Card, Fact, FactId, Indicator, IndicatorId, Quota, Scale, Scope,
        Text, bands, t, units,
    };
    pub use crate::evaluation::{EvalError, Facts, Sheet, Subject, percent};
    pub use crate::fixed::{Exact, Fixed};
    pub use crate::fx;
    pub use crate::{
        AssessmentStep, Direction, FaultKind, Grade, Group, LedMeasure, Light, PeriodKind,
        QuotaCounting, ResultMeasure, Rounding, Scorecard, TieBreak, WhenMissing, WorkProduct,
    };
}
