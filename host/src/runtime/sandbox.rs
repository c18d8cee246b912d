//! What a plugin's instance can reach: WASI interfaces that grant nothing, fixed
//! clocks and randomness, a bounded log, and a memory cap that remembers being hit.
//!
//! Time in the sandbox is virtual. The wall clock always shows the same instant;
//! the monotonic clock starts at zero in every instance and moves only when the
//! plugin sleeps: a sleep (a subscription to the monotonic clock, and a poll on
//! it) is over at once, with the clock advanced by its length. So no host call
//! a plugin makes waits on real time, the deadline interrupts only running
//! code, and a plugin that sleeps gets the same answer, bit for bit, every time.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use wasmtime::component::{Linker, Resource, ResourceTable};
use wasmtime::{ResourceLimiter, StoreContextMut};
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::clocks::{HostMonotonicClock, HostWallClock};
use wasmtime_wasi::p2::{DynPollable, OutputStream, Pollable, StreamResult, subscribe};
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

/// The instant every plugin's wall clock shows: 2025-01-01T00:00:00Z. A plugin
/// is a pure function of its facts; time must not change its answer.
const FIXED_WALL_CLOCK: Duration = Duration::from_secs(1_735_689_600);

struct FixedWallClock;

impl HostWallClock for FixedWallClock {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }
    fn now(&self) -> Duration {
        FIXED_WALL_CLOCK
    }
}

/// Randomness that is the same every time: a plugin is a pure function of its
/// facts. A counter, not a seeded generator, because it costs nothing to create
/// for every instance.
struct FixedRandom(u64);

impl rand::TryRng for FixedRandom {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        self.try_next_u64().map(|v| v as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        // splitmix64: well mixed, deterministic.
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Ok(z ^ (z >> 31))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in dst.chunks_mut(8) {
            let v = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        Ok(())
    }
}

struct FixedMonotonicClock;

impl HostMonotonicClock for FixedMonotonicClock {
    fn resolution(&self) -> u64 {
        1_000_000_000
    }
    fn now(&self) -> u64 {
        0
    }
}

/// What a plugin printed, up to a limit; past it, output is dropped (and the
/// plugin is not told, so printing never makes it fail).
#[derive(Clone)]
pub(crate) struct Log {
    inner: Arc<Mutex<(Vec<u8>, bool)>>,
    limit: usize,
}

impl Log {
    fn new(limit: usize) -> Log {
        Log {
            inner: Arc::new(Mutex::new((Vec::new(), false))),
            limit,
        }
    }

    fn push(&self, bytes: &[u8]) {
        let mut inner = self.inner.lock().unwrap();
        let room = self.limit.saturating_sub(inner.0.len());
        if bytes.len() > room {
            inner.1 = true;
        }
        inner.0.extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    /// The text printed, and whether some was dropped.
    pub(crate) fn take(&self) -> (String, bool) {
        let mut inner = self.inner.lock().unwrap();
        let text = String::from_utf8_lossy(&inner.0).into_owned();
        inner.0.clear();
        (text, inner.1)
    }
}

impl IsTerminal for Log {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for Log {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }
    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        // Only WASI 0.2 guests are run; this path is never taken.
        Box::new(tokio::io::sink())
    }
}

impl OutputStream for Log {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.push(&bytes);
        Ok(())
    }
    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }
    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(64 << 10)
    }
}

#[async_trait::async_trait]
impl Pollable for Log {
    async fn ready(&mut self) {}
}

/// The memory cap of one store; records the request that hit it.
pub(crate) struct MemoryCap {
    limit: usize,
    pub(crate) denied: Option<usize>,
}

impl ResourceLimiter for MemoryCap {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.limit {
            self.denied = Some(desired);
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 100_000)
    }
}

/// The state of one instance.
pub(crate) struct Sandbox {
    /// Built on the plugin's first WASI call. A scorecard built with the SDK
    /// makes none, and a context (its streams, clocks, generators and socket
    /// rules) would otherwise be built for every subject only to be dropped.
    wasi: Option<WasiCtx>,
    table: ResourceTable,
    pub(crate) memory: MemoryCap,
    pub(crate) log: Log,
    /// The virtual monotonic clock, in nanoseconds: zero at the start, moved
    /// only by the plugin's own sleeps.
    clock: u64,
}

impl Sandbox {
    /// A sandbox granting nothing: no directories, no network, no environment,
    /// no arguments, no stdin; fixed clocks and randomness; output to a log.
    pub(crate) fn new(memory_limit: usize, log_limit: usize) -> Sandbox {
        Sandbox {
            wasi: None,
            table: ResourceTable::new(),
            memory: MemoryCap {
                limit: memory_limit,
                denied: None,
            },
            log: Log::new(log_limit),
            clock: 0,
        }
    }

    /// Moves the virtual clock to `when` (never back) and returns a pollable
    /// that is ready at once: a sleep until `when`, over.
    fn slept_until(&mut self, when: u64) -> wasmtime::Result<(Resource<DynPollable>,)> {
        self.clock = self.clock.max(when);
        let over = self.table.push(Over)?;
        Ok((subscribe(&mut self.table, over)?,))
    }
}

/// A sleep that is over: ready whenever asked.
struct Over;

#[async_trait::async_trait]
impl Pollable for Over {
    async fn ready(&mut self) {}
}

/// The monotonic clock interface the runtime links in place of
/// wasmtime-wasi's, whose subscriptions wait on real time (a plugin's
/// `thread::sleep(1 day)` held a worker for the day). Guests importing any
/// 0.2.x version are served by it.
const MONOTONIC_CLOCK: &str = "wasi:clocks/monotonic-clock@0.2.12";

/// Replaces `wasi:clocks/monotonic-clock` in `linker` (which holds
/// wasmtime-wasi's) with the sandbox's virtual clock.
pub(crate) fn link_virtual_clock(linker: &mut Linker<Sandbox>) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    let mut clock = linker.instance(MONOTONIC_CLOCK)?;
    clock.func_wrap("now", |store: StoreContextMut<'_, Sandbox>, (): ()| {
        Ok((store.data().clock,))
    })?;
    clock.func_wrap("resolution", |_: StoreContextMut<'_, Sandbox>, (): ()| {
        Ok((1u64,))
    })?;
    clock.func_wrap(
        "subscribe-instant",
        |mut store: StoreContextMut<'_, Sandbox>, (when,): (u64,)| {
            store.data_mut().slept_until(when)
        },
    )?;
    clock.func_wrap(
        "subscribe-duration",
        |mut store: StoreContextMut<'_, Sandbox>, (duration,): (u64,)| {
            let sandbox = store.data_mut();
            let when = sandbox.clock.saturating_add(duration);
            sandbox.slept_until(when)
        },
    )?;
    linker.allow_shadowing(false);
    Ok(())
}

/// The WASI context of a sandbox: everything fixed, nothing granted.
fn granting_nothing(log: &Log) -> WasiCtx {
    let mut wasi = WasiCtxBuilder::new();
    wasi.stdout(log.clone())
        .stderr(log.clone())
        .wall_clock(FixedWallClock)
        .monotonic_clock(FixedMonotonicClock)
        .secure_random(FixedRandom(0))
        .insecure_random(FixedRandom(1))
        .insecure_random_seed(0)
        .allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false)
        .socket_addr_check(|_, _| Box::pin(async { false }));
    wasi.build()
}

impl WasiView for Sandbox {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        let log = &self.log;
        WasiCtxView {
            ctx: self.wasi.get_or_insert_with(|| granting_nothing(log)),
            table: &mut self.table,
        }
    }
}
