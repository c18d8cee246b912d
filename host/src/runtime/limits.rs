//! What one evaluation may use.

use std::time::Duration;

/// Limits per evaluation. Each breach is its own error kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Deterministic CPU budget: the same plugin and facts run out at the same
    /// instruction on any machine.
    pub fuel: u64,
    /// Wall-clock deadline, enforced by epoch interruption.
    pub deadline: Duration,
    /// Largest linear memory, in bytes.
    pub memory: usize,
    /// Largest WebAssembly call stack, in bytes.
    pub stack: usize,
    /// Largest result, in bytes.
    pub output: usize,
    /// Largest log (what the plugin prints), in bytes; the rest is dropped.
    pub log: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            // A scorecard evaluation takes tens of thousands of units, a Python
            // one millions. 200 million run out in about 20 ms of a tight loop
            // here, well inside the deadline, so a runaway plugin stops at the
            // same instruction on any machine and under any load; the deadline
            // stays the wall for what fuel does not count.
            fuel: 200_000_000,
            deadline: Duration::from_millis(100),
            memory: 64 << 20,
            stack: 512 << 10,
            output: 1 << 20,
            log: 64 << 10,
        }
    }
}
