//! The one worker pool that runs, verification and what-ifs score on: every
//! core (or as many threads as asked), each thread scoring in its own lane of
//! fresh instances, subjects handed out in chunks, answers back in order.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::Progress;
use crate::runtime::{Lane, Runtime};

/// How many fresh instances share one store in a scoring thread's lane: the
/// store's bookkeeping is paid once per this many subjects, and each thread
/// holds at most this many of the runtime's instances.
pub const LANE_CAPACITY: u32 = 16;

/// A lane for one of `workers` scoring threads. The lanes of all the jobs
/// the runtime takes at once fit in half its pool, leaving as many instances
/// again for the API's evaluations.
pub(crate) fn thread_lane(runtime: &Runtime, workers: usize) -> Lane<'_> {
    let share = runtime.max_instances() / (2 * workers * runtime.max_jobs()).max(1) as u32;
    runtime.lane(LANE_CAPACITY.min(share))
}

/// How a pool hands out work.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pool<'a> {
    /// Threads; 0 is one per core.
    pub workers: usize,
    /// Subjects a thread takes at a time: large for throughput, small where
    /// a failure should stop the rest soon.
    pub chunk: usize,
    /// Counts subjects done, when someone watches.
    pub progress: Option<&'a Progress>,
}

impl Pool<'_> {
    /// `f(lane, 0) … f(lane, count - 1)`, in order. The first error stops
    /// the other threads at their next subject and is returned.
    pub(crate) fn try_map<T: Send, E: Send>(
        &self,
        runtime: &Runtime,
        count: usize,
        f: impl Fn(&mut Lane, usize) -> Result<T, E> + Sync,
    ) -> Result<Vec<T>, E> {
        let workers = if self.workers == 0 {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            self.workers
        };
        let chunk = self.chunk.max(1);
        let next = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let parts: Vec<Result<Vec<(usize, T)>, E>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    scope.spawn(|| {
                        let mut done = Vec::new();
                        let mut lane = thread_lane(runtime, workers);
                        loop {
                            let from = next.fetch_add(chunk, Ordering::Relaxed);
                            if from >= count || stop.load(Ordering::Relaxed) {
                                return Ok(done);
                            }
                            let to = (from + chunk).min(count);
                            for k in from..to {
                                if stop.load(Ordering::Relaxed) {
                                    return Ok(done);
                                }
                                match f(&mut lane, k) {
                                    Ok(t) => done.push((k, t)),
                                    Err(e) => {
                                        stop.store(true, Ordering::Relaxed);
                                        return Err(e);
                                    }
                                }
                            }
                            if let Some(p) = self.progress {
                                p.advance(to - from);
                            }
                        }
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a scoring thread panicked"))
                .collect()
        });
        let mut slots: Vec<Option<T>> = (0..count).map(|_| None).collect();
        for part in parts {
            for (k, t) in part? {
                slots[k] = Some(t);
            }
        }
        Ok(slots
            .into_iter()
            .map(|t| t.expect("every subject done"))
            .collect())
    }
}
