//! Runs scorecard components in a sandbox nothing can escape or crash.
//!
//! One wasmtime engine (component model, pooling allocator) is built once. A
//! component is validated on load (a component, of world
//! `thuocdo:scorecard/scorecard`, importing nothing but the WASI interfaces
//! that grant nothing) and its `describe()` checked. Every evaluation runs in its
//! own fresh instance under limits — fuel, a deadline, memory, stack, output
//! size — and its answer is checked against `describe()` before anyone sees it.
//! The same bytes and facts give the same result, bit for bit.

pub(crate) mod cache;
mod error;
mod imports;
mod limits;
mod published;
mod sandbox;
mod signature;
mod validate;

pub use error::{Error, Result};
pub use limits::Limits;
pub use published::{Contract, stored_info};
pub use validate::{grade_rank, subtotals};

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use sha2::{Digest, Sha256};
use wasmtime::component::{Component, ComponentExportIndex, InstancePre, Linker, TypedFunc};
use wasmtime::{
    Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store, Trap,
};

use cache::{CodeCache, hex};
use sandbox::Sandbox;

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

/// The engine these results were computed by: fuel counts, and in principle
/// results, are recorded against it.
pub const ENGINE_VERSION: &str = concat!("wasmtime ", env!("THUOCDO_WASMTIME_VERSION"));

/// The most of a panic's message a fault keeps: enough to read, never the
/// whole of what a plugin printed.
const PANIC_CHARS: usize = 500;

/// How often the deadline clock ticks.
const TICK: Duration = Duration::from_millis(2);

/// How the runtime is set up.
#[derive(Clone, Debug)]
pub struct RuntimeConfig {
    /// Limits per evaluation (memory and stack also bound the engine's pool).
    pub limits: Limits,
    /// Where compiled code is cached; `None` compiles every time.
    pub cache_dir: Option<PathBuf>,
    /// How many instances may live at once.
    pub max_instances: u32,
    /// What one component may hold: core instances, memories and tables. A
    /// component over them is refused at load (`over-limits`), so none can
    /// take a share of the pool that starves the others.
    pub per_component: PerComponent,
    /// Runs, verifications and what-ifs that may score at once; each takes
    /// lanes of instances on every core, so more would starve the API's
    /// evaluations. One more is refused with [`Runtime::take_job`]'s `None`.
    pub max_jobs: usize,
}

/// What one component may hold, checked when it is loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PerComponent {
    /// Core module instances (a Rust scorecard has 1-4, a Python one about 15).
    pub core_instances: u32,
    /// Linear memories.
    pub memories: u32,
    /// Tables.
    pub tables: u32,
}

impl Default for PerComponent {
    fn default() -> PerComponent {
        PerComponent {
            core_instances: 32,
            memories: 4,
            tables: 16,
        }
    }
}

impl Default for RuntimeConfig {
    fn default() -> RuntimeConfig {
        RuntimeConfig {
            limits: Limits::default(),
            cache_dir: None,
            max_instances: 256,
            per_component: PerComponent::default(),
            max_jobs: 2,
        }
    }
}

/// `evaluate`, typed: its types are checked once, when the plugin is loaded.
type EvaluateFn<'a> =
    TypedFunc<(&'a EvaluationInput,), (std::result::Result<Evaluation, EvaluationError>,)>;

/// A 1.0.0 component's `evaluate`: its answer is the same record as 1.1.0's.
type EvaluateFn10<'a> = TypedFunc<
    (&'a published::v1_0::EvaluationInput,),
    (std::result::Result<Evaluation, EvaluationError>,),
>;

/// A loaded scorecard: its compiled code and what it says of itself.
pub struct Plugin {
    pre: InstancePre<Sandbox>,
    evaluate: ComponentExportIndex,
    /// Its `describe()`, checked (a 1.0.0 card's in 1.1.0's words).
    pub info: PluginInfo,
    /// The contract version the component targets.
    pub contract: Contract,
    /// What the contract's answer check reads of `info`.
    spec: thuocdo_contract::Spec,
    /// Its facts' names, sorted, and each one's position in `info.facts`.
    facts_by_name: (std::sync::Arc<[String]>, Vec<usize>),
    /// The SHA-256 of its bytes, lowercase hex.
    pub sha256: String,
}

impl Plugin {
    /// Its facts' names, sorted (shared, so every result can hold them for
    /// the price of a pointer), and each one's position in describe()'s list.
    pub fn facts_by_name(&self) -> (&std::sync::Arc<[String]>, &[usize]) {
        (&self.facts_by_name.0, &self.facts_by_name.1)
    }
}

fn facts_by_name(info: &PluginInfo) -> (std::sync::Arc<[String]>, Vec<usize>) {
    let mut order: Vec<usize> = (0..info.facts.len()).collect();
    order.sort_by(|&a, &b| info.facts[a].name.cmp(&info.facts[b].name));
    // describe() declares each name once (a duplicate would make two values
    // for one name); keep the first, as a map of the record would.
    order.dedup_by(|a, b| info.facts[*a].name == info.facts[*b].name);
    let names = order.iter().map(|&k| info.facts[k].name.clone()).collect();
    (names, order)
}

/// One evaluation's answer, with what it cost and what the plugin printed.
#[derive(Debug)]
pub struct Evaluated {
    /// The scorecard's answer: an evaluation, or an error naming a fact.
    pub answer: std::result::Result<Evaluation, EvaluationError>,
    /// Fuel used, deterministic for the same engine, plugin and facts.
    pub fuel: u64,
    /// What the plugin printed (at most the log limit).
    pub log: String,
    /// The engine that computed it ([`ENGINE_VERSION`]): fuel counts may differ
    /// between engine versions.
    pub engine: &'static str,
    /// The SHA-256 of the plugin's bytes.
    pub plugin_sha256: String,
}

/// The engine and the interfaces a plugin may import.
pub struct Runtime {
    engine: Engine,
    linker: Linker<Sandbox>,
    limits: Limits,
    cache: Option<CodeCache>,
    pagemap_scan: bool,
    max_instances: u32,
    ticker: Arc<AtomicBool>,
    jobs: Arc<AtomicUsize>,
    max_jobs: usize,
}

/// One of the runtime's places for a run, verification or what-if, held
/// until dropped (see [`Runtime::take_job`]).
#[derive(Debug)]
pub struct Job {
    jobs: Arc<AtomicUsize>,
}

impl Drop for Job {
    fn drop(&mut self) {
        self.jobs.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.ticker.store(true, Ordering::Relaxed);
    }
}

impl Runtime {
    /// A runtime with default limits and no code cache.
    pub fn new() -> Result<Runtime> {
        Runtime::with_config(RuntimeConfig::default())
    }

    /// A runtime as configured.
    pub fn with_config(cfg: RuntimeConfig) -> Result<Runtime> {
        let limits = cfg.limits;
        let pagemap_scan = PoolingAllocationConfig::is_pagemap_scan_available();
        let mut pool = PoolingAllocationConfig::default();
        pool.total_component_instances(cfg.max_instances)
            .total_core_instances(cfg.max_instances * 8)
            .total_memories(cfg.max_instances)
            .total_tables(cfg.max_instances * 4)
            .max_core_instances_per_component(cfg.per_component.core_instances)
            .max_memories_per_component(cfg.per_component.memories)
            .max_tables_per_component(cfg.per_component.tables)
            .max_memory_size(limits.memory)
            // Keeping the working set resident avoids page faults on reuse; it
            // pays only with pagemap_scan, which resets just the touched pages
            // (without it, keep-resident zero-fills everything on every reset).
            .linear_memory_keep_resident(if pagemap_scan { 4 << 20 } else { 0 })
            .table_keep_resident(if pagemap_scan { 64 << 10 } else { 0 })
            .pagemap_scan(if pagemap_scan {
                Enabled::Yes
            } else {
                Enabled::No
            });
        let mut config = Config::new();
        config
            .wasm_component_model(true)
            .consume_fuel(true)
            .epoch_interruption(true)
            .max_wasm_stack(limits.stack)
            // Scores must be re-derivable bit for bit on any machine.
            .cranelift_nan_canonicalization(true)
            .relaxed_simd_deterministic(true)
            .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        let engine = Engine::new(&config).map_err(Error::engine)?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(Error::engine)?;
        sandbox::link_virtual_clock(&mut linker).map_err(Error::engine)?;

        let ticker = Arc::new(AtomicBool::new(false));
        let (stop, clock) = (ticker.clone(), engine.clone());
        thread::Builder::new()
            .name("thuocdo-deadline".into())
            .spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    thread::sleep(TICK);
                    clock.increment_epoch();
                }
            })
            .map_err(Error::engine)?;
        let cache = cfg
            .cache_dir
            .as_deref()
            .map(|dir| CodeCache::new(&engine, dir));
        Ok(Runtime {
            engine,
            linker,
            limits,
            cache,
            pagemap_scan,
            max_instances: cfg.max_instances,
            ticker,
            jobs: Arc::new(AtomicUsize::new(0)),
            max_jobs: cfg.max_jobs.max(1),
        })
    }

    /// How instances are provided, for the log.
    pub fn mode(&self) -> &'static str {
        if self.pagemap_scan {
            "pooling allocator with pagemap_scan, 4 MiB kept resident"
        } else {
            "pooling allocator without pagemap_scan (Linux 6.7+ needed), nothing kept resident"
        }
    }

    /// How many instances may live at once (lanes hold some of them).
    pub fn max_instances(&self) -> u32 {
        self.max_instances
    }

    /// How many runs, verifications and what-ifs may score at once.
    pub fn max_jobs(&self) -> usize {
        self.max_jobs
    }

    /// A place for one more run, verification or what-if; `None` when
    /// [`RuntimeConfig::max_jobs`] of them are scoring already.
    pub fn take_job(&self) -> Option<Job> {
        self.jobs
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < self.max_jobs).then_some(n + 1)
            })
            .ok()
            .map(|_| Job {
                jobs: self.jobs.clone(),
            })
    }

    /// The limits evaluations run under by default.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Compiles (or takes from the cache) and validates a component, and asks
    /// its `describe()`.
    pub fn load(&self, bytes: &[u8]) -> Result<Plugin> {
        let sha256 = sha256_hex(bytes);
        let cached = self
            .cache
            .as_ref()
            .and_then(|c| c.get(&self.engine, &sha256));
        let from_cache = cached.is_some();
        let component = match cached {
            Some(component) => component,
            None => self.compile(bytes)?,
        };
        let forbidden = imports::forbidden(&self.engine, &component);
        if !forbidden.is_empty() {
            return Err(Error::ForbiddenImports(forbidden));
        }
        let wrong_world = |e: wasmtime::Error| {
            Error::WrongWorld(signature::mismatch(
                &self.engine,
                &component,
                &format!("{e:#}"),
            ))
        };
        let contract = imports::contract(&self.engine, &component);
        let limits = &self.limits;
        // Checks both exports' types against the contract version the
        // component names, once per plugin.
        let (pre, info) = match contract {
            Contract::V1_1 => {
                let checked = self
                    .linker
                    .instantiate_pre(&component)
                    .and_then(ScorecardPre::new)
                    .map_err(wrong_world)?;
                let (info, _) = self
                    .call(
                        &mut self.store(),
                        checked.instance_pre(),
                        limits,
                        |instance, store| {
                            bindings::Scorecard::new(&mut *store, instance)?.call_describe(store)
                        },
                    )
                    .map_err(Failed::error)?;
                (checked.instance_pre().clone(), info)
            }
            Contract::V1_0 => {
                let pre = self
                    .linker
                    .instantiate_pre(&component)
                    .map_err(wrong_world)?;
                // Types first, in an instance of their own, so a mismatch is
                // named as the wrong world it is, not as the plugin's fault.
                let (types, _) = self
                    .call(&mut self.store(), &pre, limits, |instance, store| {
                        Ok(instance
                            .get_typed_func::<(), (published::v1_0::PluginInfo,)>(
                                &mut *store,
                                "describe",
                            )
                            .and_then(|_| {
                                instance.get_typed_func::<(&published::v1_0::EvaluationInput,), (
                                    std::result::Result<Evaluation, EvaluationError>,
                                )>(
                                    &mut *store, "evaluate"
                                )
                            })
                            .map(drop))
                    })
                    .map_err(Failed::error)?;
                types.map_err(wrong_world)?;
                let (info, _) = self
                    .call(&mut self.store(), &pre, limits, |instance, store| {
                        let describe = instance
                            .get_typed_func::<(), (published::v1_0::PluginInfo,)>(
                                &mut *store,
                                "describe",
                            )?;
                        describe
                            .call(store, ())
                            .map(|(info,)| PluginInfo::from(info))
                    })
                    .map_err(Failed::error)?;
                (pre, info)
            }
        };
        let evaluate = component
            .get_export_index(None, "evaluate")
            .ok_or_else(|| Error::WrongWorld("export evaluate: missing".into()))?;
        let size = serde_json::to_vec(&info).map_or(usize::MAX, |v| v.len());
        if size > limits.output {
            return Err(Error::OutputTooLarge {
                size,
                limit: limits.output,
            });
        }
        validate::describe(&info).map_err(|e| Error::Fault(format!("describe(): {e}")))?;
        // Cached only now, when every check has passed: a refused upload
        // leaves nothing on disk.
        if let Some(cache) = self.cache.as_ref().filter(|_| !from_cache) {
            cache.put(&sha256, &component);
        }
        Ok(Plugin {
            pre,
            evaluate,
            contract,
            spec: validate::spec(&info),
            facts_by_name: facts_by_name(&info),
            info,
            sha256,
        })
    }

    fn compile(&self, bytes: &[u8]) -> Result<Component> {
        if wasmparser_kind(bytes) != Some(Kind::Component) {
            let what = match wasmparser_kind(bytes) {
                Some(Kind::Module) => {
                    "a core WebAssembly module; scorecards are components (build for wasm32-wasip2)"
                        .to_string()
                }
                _ if bytes.is_empty() => "the file is empty".to_string(),
                _ => "the bytes do not start with the WebAssembly component header".to_string(),
            };
            return Err(Error::NotAComponent(what));
        }
        Component::new(&self.engine, bytes).map_err(|e| {
            let message = format!("{e:#}");
            // The pooling allocator checks the per-component limits as the
            // component is compiled, and says so in these words.
            if message.starts_with("The component transitively contains") {
                Error::OverLimits(message)
            } else {
                Error::NotAComponent(message)
            }
        })
    }

    /// Creates a fresh instance of `plugin` and drops it: the price of isolation,
    /// which every evaluation pays.
    pub fn instantiate(&self, plugin: &Plugin) -> Result<()> {
        let mut store = self.store();
        store.set_fuel(self.limits.fuel).map_err(Error::engine)?;
        store.set_epoch_deadline(u64::MAX / 2);
        plugin
            .pre
            .instantiate(&mut store)
            .map(drop)
            .map_err(|e| Error::Trap {
                message: format!("{e:#}"),
                panic: None,
            })
    }

    /// Scores one subject in a fresh instance under the default limits.
    pub fn evaluate(&self, plugin: &Plugin, input: &EvaluationInput) -> Result<Evaluated> {
        self.evaluate_with(plugin, input, &self.limits)
    }

    /// Scores one subject in a fresh instance under `limits` (memory at most the
    /// runtime's; the stack is the runtime's).
    pub fn evaluate_with(
        &self,
        plugin: &Plugin,
        input: &EvaluationInput,
        limits: &Limits,
    ) -> Result<Evaluated> {
        self.lane(1).evaluate_with(plugin, input, limits)
    }

    /// A lane for scoring many subjects one after another on one thread, each
    /// in its own fresh instance; see [`Lane`].
    pub fn lane(&self, capacity: u32) -> Lane<'_> {
        Lane {
            runtime: self,
            store: None,
            held: 0,
            capacity: capacity.max(1),
        }
    }

    /// An empty store: the memory cap installed, deadlines trapping.
    fn store(&self) -> Store<Sandbox> {
        let mut store = Store::new(
            &self.engine,
            Sandbox::new(self.limits.memory, self.limits.log),
        );
        store.limiter(|s| &mut s.memory);
        store.epoch_deadline_trap();
        store
    }

    /// Instantiates afresh in `store` and calls `f` under `limits`; traps
    /// become errors. The store's state (WASI context, log, memory cap, fuel,
    /// deadline) is made new first, so nothing an earlier instance in the same
    /// store did can reach this one.
    fn call<R>(
        &self,
        store: &mut Store<Sandbox>,
        pre: &InstancePre<Sandbox>,
        limits: &Limits,
        f: impl FnOnce(&wasmtime::component::Instance, &mut Store<Sandbox>) -> wasmtime::Result<R>,
    ) -> std::result::Result<(R, (u64, String)), Failed> {
        *store.data_mut() = Sandbox::new(limits.memory.min(self.limits.memory), limits.log);
        store
            .set_fuel(limits.fuel)
            .map_err(|e| Failed::Call(Error::engine(e)))?;
        // Every string and list lifted from the plugin into the host — the
        // answer, `Ok` or `Err`, and anything it hands a host call — counts
        // against one byte budget, checked before the host allocates.
        store.set_hostcall_fuel(limits.output);
        store.set_epoch_deadline(limits.deadline.as_millis().div_ceil(TICK.as_millis()) as u64 + 1);
        let fail = |e, store: &Store<Sandbox>| {
            let (log, _) = store.data().log.take();
            classify(e, store, limits, &log)
        };
        let instance = pre
            .instantiate(&mut *store)
            .map_err(|e| Failed::Instantiate(fail(e, store)))?;
        let outcome = f(&instance, store);
        let fuel = limits.fuel - store.get_fuel().unwrap_or(0);
        match outcome {
            Ok(r) => Ok((r, (fuel, store.data().log.take().0))),
            Err(e) => Err(Failed::Call(fail(e, store))),
        }
    }

    /// Scores one subject in a fresh instance in `store`, and checks the answer.
    fn evaluate_in(
        &self,
        store: &mut Store<Sandbox>,
        plugin: &Plugin,
        input: &EvaluationInput,
        limits: &Limits,
    ) -> std::result::Result<Evaluated, Failed> {
        let (answer, (fuel, log)) = self.call(store, &plugin.pre, limits, |instance, store| {
            let func = instance
                .get_func(&mut *store, plugin.evaluate)
                .ok_or_else(|| wasmtime::format_err!("export evaluate is missing"))?;
            match plugin.contract {
                Contract::V1_1 => {
                    // SAFETY: load() checked this component's `evaluate` against
                    // these types (ScorecardPre::new); checking them again on
                    // every fresh instance is the cost this skips.
                    let typed = unsafe { EvaluateFn::new_unchecked(func) };
                    typed.call(store, (input,)).map(|(answer,)| answer)
                }
                Contract::V1_0 => {
                    let input = published::v1_0::EvaluationInput::from_current(input);
                    // SAFETY: load() checked `evaluate` against 1.0.0's types.
                    let typed = unsafe { EvaluateFn10::new_unchecked(func) };
                    typed.call(store, (&input,)).map(|(answer,)| answer)
                }
            }
        })?;
        if let Ok(eval) = &answer {
            let size = std::mem::size_of::<Evaluation>()
                + eval.indicators.len() * std::mem::size_of::<IndicatorResult>()
                + eval.caps.len() * 4;
            if size > limits.output {
                return Err(Failed::Call(Error::OutputTooLarge {
                    size,
                    limit: limits.output,
                }));
            }
            validate::evaluation(&plugin.spec, eval).map_err(|e| Failed::Call(Error::Fault(e)))?;
        }
        if let Err(refusal) = &answer {
            validate::refusal(&plugin.info, input, refusal)
                .map_err(|e| Failed::Call(Error::Fault(e)))?;
        }
        Ok(Evaluated {
            answer,
            fuel,
            log,
            engine: ENGINE_VERSION,
            plugin_sha256: plugin.sha256.clone(),
        })
    }
}

/// How a call in a store failed: before the plugin ran (the instance could not
/// be made), or while or after it ran.
enum Failed {
    Instantiate(Error),
    Call(Error),
}

impl Failed {
    fn error(self) -> Error {
        match self {
            Failed::Instantiate(e) | Failed::Call(e) => e,
        }
    }
}

/// Scores subjects one after another, each in its own fresh instance, with up
/// to `capacity` of those instances sharing one wasmtime store.
///
/// The isolation is the instance's: every subject gets new linear memory,
/// tables and globals from the pool, and the store's own state (WASI context,
/// log, memory cap, fuel, deadline) is made new before each one. What sharing
/// the store saves is the store's bookkeeping — creating it, registering the
/// plugin's code with it, returning its instances to the pool — paid once per
/// `capacity` subjects instead of once per subject. The instances' pool slots
/// are held until the store is replaced, so a lane holds up to `capacity` of
/// the runtime's `max_instances`. After any failure the store is replaced, and
/// an instance that cannot be made in a store holding others is tried again in
/// a new one (the pool may only be full of this lane's own instances).
///
/// ```no_run
/// # fn demo(runtime: &thuocdo_host::runtime::Runtime, plugin: &thuocdo_host::runtime::Plugin,
/// #         inputs: &[thuocdo_host::runtime::EvaluationInput]) -> thuocdo_host::runtime::Result<()> {
/// let mut lane = runtime.lane(16);
/// for input in inputs {
///     let evaluated = lane.evaluate(plugin, input)?;
///     println!("{:?}", evaluated.answer.map(|e| e.total));
/// }
/// # Ok(()) }
/// ```
pub struct Lane<'r> {
    runtime: &'r Runtime,
    store: Option<Store<Sandbox>>,
    held: u32,
    capacity: u32,
}

impl Lane<'_> {
    /// Scores one subject in a fresh instance under the runtime's limits.
    pub fn evaluate(&mut self, plugin: &Plugin, input: &EvaluationInput) -> Result<Evaluated> {
        let limits = self.runtime.limits.clone();
        self.evaluate_with(plugin, input, &limits)
    }

    /// Scores one subject in a fresh instance under `limits` (memory at most the
    /// runtime's; the stack is the runtime's).
    pub fn evaluate_with(
        &mut self,
        plugin: &Plugin,
        input: &EvaluationInput,
        limits: &Limits,
    ) -> Result<Evaluated> {
        if self.held >= self.capacity {
            self.store = None;
            self.held = 0;
        }
        let retry = self.store.is_some();
        match self.attempt(plugin, input, limits) {
            Err(Failed::Instantiate(_)) if retry => {
                self.attempt(plugin, input, limits).map_err(Failed::error)
            }
            outcome => outcome.map_err(Failed::error),
        }
    }

    fn attempt(
        &mut self,
        plugin: &Plugin,
        input: &EvaluationInput,
        limits: &Limits,
    ) -> std::result::Result<Evaluated, Failed> {
        let runtime = self.runtime;
        let store = self.store.get_or_insert_with(|| runtime.store());
        let outcome = runtime.evaluate_in(store, plugin, input, limits);
        self.held += 1;
        if outcome.is_err() {
            self.store = None;
        }
        if self.store.is_none() {
            self.held = 0;
        }
        outcome
    }
}

/// The SHA-256 of a plugin's bytes, lowercase hex: how plugins are known.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Why a call failed, from the engine's error and what the sandbox saw.
fn classify(e: wasmtime::Error, store: &Store<Sandbox>, limits: &Limits, log: &str) -> Error {
    if e.downcast_ref::<wasmtime::PoolConcurrencyLimitError>()
        .is_some()
    {
        return Error::HostBusy(format!("{e:#}"));
    }
    // wasmtime's own type for this is private; its words are the contract.
    if format!("{e:#}").contains("fuel allocated for hostcalls has been exhausted") {
        return Error::AnswerTooLarge(limits.output);
    }
    if let Some(desired) = store.data().memory.denied {
        return Error::Memory {
            desired,
            limit: limits.memory,
        };
    }
    match e.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => Error::OutOfFuel(limits.fuel),
        Some(Trap::Interrupt) => Error::Deadline(limits.deadline.as_millis()),
        Some(Trap::StackOverflow) => Error::StackExhausted(limits.stack),
        Some(trap) => Error::Trap {
            message: trap.to_string(),
            panic: panic_message(log),
        },
        None => match e.downcast_ref::<wasmtime_wasi::I32Exit>() {
            Some(exit) => Error::Trap {
                message: format!("the plugin exited with status {}", exit.0),
                panic: panic_message(log),
            },
            None => Error::Trap {
                message: format!("{e:#}"),
                panic: panic_message(log),
            },
        },
    }
}

/// The message of a Rust panic, from what the plugin printed.
fn panic_message(log: &str) -> Option<String> {
    let after = log.split_once("panicked at ")?.1;
    let (_, rest) = after.split_once('\n')?;
    let message: Vec<&str> = rest
        .lines()
        .take_while(|l| !l.starts_with("note:"))
        .collect();
    let message = validate::clip(message.join("\n").trim(), PANIC_CHARS);
    Some(message).filter(|m| !m.is_empty())
}

#[derive(PartialEq, Eq)]
enum Kind {
    Module,
    Component,
}

/// What the header says the bytes are: WebAssembly's magic and version/layer.
fn wasmparser_kind(bytes: &[u8]) -> Option<Kind> {
    match bytes.get(..8)? {
        [0, b'a', b's', b'm', 1, 0, 0, 0] => Some(Kind::Module),
        [0, b'a', b's', b'm', _, _, 1, 0] => Some(Kind::Component),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::panic_message;

    #[test]
    fn panic_messages_come_from_the_log() {
        let log = "thread '<unnamed>' panicked at src/lib.rs:10:5:\nthe sky fell\non two lines\nnote: run with `RUST_BACKTRACE=1`\n";
        assert_eq!(
            panic_message(log).as_deref(),
            Some("the sky fell\non two lines")
        );
        assert_eq!(panic_message("just printing"), None);
    }
}
