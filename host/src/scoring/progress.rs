//! How far a run has got, shared between the run and whoever shows it: the
//! command line's progress bar (cli/progress.rs) and the API's run status.

use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::time::Instant;

/// A run's progress: the stage it is in and subjects scored of the total.
#[derive(Debug, Default)]
pub struct Progress {
    stage: AtomicUsize,
    done: AtomicUsize,
    total: AtomicUsize,
    run: AtomicI64,
    started: tokio::sync::Notify,
    /// When the current stage began, for the log's durations.
    entered: std::sync::Mutex<Option<Instant>>,
}

/// The stages a run goes through, in order.
pub const STAGES: [&str; 6] = [
    "resolving",
    "loading facts",
    "scoring",
    "cohort rules",
    "storing",
    "done",
];

impl Progress {
    /// Records the run's id once its row exists, and wakes whoever waits for it.
    pub fn started(&self, run: i64) {
        self.run.store(run, Ordering::Relaxed);
        self.started.notify_one();
    }

    /// Waits until the run has an id.
    pub async fn run_id(&self) -> i64 {
        loop {
            let id = self.run.load(Ordering::Relaxed);
            if id != 0 {
                return id;
            }
            self.started.notified().await;
        }
    }

    /// Enters a stage (an index into [`STAGES`]); the log records how long
    /// the one before took.
    pub fn stage(&self, stage: usize) {
        let stage = stage.min(STAGES.len() - 1);
        let before = self.stage.swap(stage, Ordering::Relaxed);
        let now = Instant::now();
        let mut entered = self.entered.lock().unwrap();
        if let Some(at) = entered.replace(now)
            && before != stage
        {
            tracing::info!(
                run = self.run.load(Ordering::Relaxed),
                stage = STAGES[before],
                ms = now.duration_since(at).as_millis() as u64,
                subjects = self.total.load(Ordering::Relaxed),
                "run stage finished"
            );
        }
    }

    /// Sets how many subjects there are to score.
    pub fn set_total(&self, total: usize) {
        self.total.store(total, Ordering::Relaxed);
    }

    /// Counts `n` more subjects scored.
    pub fn advance(&self, n: usize) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }

    /// Takes the stage and counts another host reported (the command line
    /// following a run on a server).
    pub fn mirror(&self, stage: &str, done: usize, total: usize) {
        if let Some(i) = STAGES.iter().position(|s| *s == stage) {
            self.stage.store(i, Ordering::Relaxed);
        }
        self.total.store(total, Ordering::Relaxed);
        self.done.store(done, Ordering::Relaxed);
    }

    /// (stage name, scored, total).
    pub fn get(&self) -> (&'static str, usize, usize) {
        (
            STAGES[self.stage.load(Ordering::Relaxed)],
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }
}
