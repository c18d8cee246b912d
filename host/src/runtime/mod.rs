//! Runs scorecard components: one engine, components loaded once, every
//! evaluation in a fresh instance that is granted nothing.

mod error;

pub use error::{Error, Result};

use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

/// The contract's types and the host side of the world, generated from `wit/`.
mod bindings {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "thuocdo:scorecard/scorecard",
        additional_derives: [serde::Serialize, serde::Deserialize],
    });
}

use bindings::ScorecardPre;
pub use bindings::thuocdo::scorecard::types::*;

/// What a plugin's instance may reach: a WASI context that grants nothing.
struct Sandbox {
    wasi: WasiCtx,
    table: ResourceTable,
}

impl WasiView for Sandbox {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// A loaded scorecard: its compiled code and what it says of itself.
pub struct Plugin {
    pre: ScorecardPre<Sandbox>,
    /// Its `describe()`.
    pub info: PluginInfo,
}

/// The engine and the interfaces a plugin may import.
pub struct Runtime {
    engine: Engine,
    linker: Linker<Sandbox>,
}

impl Runtime {
    /// The engine, with the WASI interfaces linked but nothing granted.
    pub fn new() -> Result<Runtime> {
        let mut config = Config::new();
        config.wasm_component_model(true);
        // Scores must be re-derivable bit for bit on any machine.
        config.cranelift_nan_canonicalization(true);
        config.relaxed_simd_deterministic(true);
        let engine = Engine::new(&config).map_err(Error::engine)?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(Error::engine)?;
        Ok(Runtime { engine, linker })
    }

    /// Compiles a component, checks it against the contract and asks `describe()`.
    pub fn load(&self, bytes: &[u8]) -> Result<Plugin> {
        let component = Component::new(&self.engine, bytes).map_err(Error::invalid)?;
        let pre = self
            .linker
            .instantiate_pre(&component)
            .map_err(Error::invalid)?;
        let pre = ScorecardPre::new(pre).map_err(Error::invalid)?;
        let mut store = self.store();
        let instance = pre.instantiate(&mut store).map_err(Error::fault)?;
        let info = instance.call_describe(&mut store).map_err(Error::fault)?;
        Ok(Plugin { pre, info })
    }

    /// Scores one subject in a fresh instance.
    pub fn evaluate(
        &self,
        plugin: &Plugin,
        input: &EvaluationInput,
    ) -> Result<std::result::Result<Evaluation, EvaluationError>> {
        let mut store = self.store();
        let instance = plugin.pre.instantiate(&mut store).map_err(Error::fault)?;
        instance
            .call_evaluate(&mut store, input)
            .map_err(Error::fault)
    }

    fn store(&self) -> Store<Sandbox> {
        Store::new(
            &self.engine,
            Sandbox {
                wasi: WasiCtxBuilder::new().build(),
                table: ResourceTable::new(),
            },
        )
    }
}
