//! The bulkhead between plugin versions: the API's evaluations run on a
//! bounded set of workers, and each plugin version may hold only a share of
//! them. A version that loops until its deadline then queues behind its own
//! share while every other version keeps the rest.
//!
//! A request first waits for a place in its version's lane and only then for
//! a worker, so a looping version's backlog never holds workers it is not
//! using.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Workers and each version's share of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BulkheadConfig {
    /// Evaluations running at once across every version.
    pub workers: usize,
    /// Evaluations one plugin version may run at once.
    pub share: usize,
}

impl Default for BulkheadConfig {
    /// A worker per core (evaluations are CPU-bound; more threads only
    /// contend), and half of them for any one version.
    fn default() -> BulkheadConfig {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let workers = cores.max(2);
        BulkheadConfig {
            workers,
            share: workers.div_ceil(2),
        }
    }
}

/// The workers and the lanes, one per plugin version seen.
pub struct Bulkhead {
    config: BulkheadConfig,
    workers: Arc<Semaphore>,
    lanes: Mutex<HashMap<String, Arc<Semaphore>>>,
}

/// A worker held for one version; dropping it frees both.
pub struct Permit {
    _lane: OwnedSemaphorePermit,
    _worker: OwnedSemaphorePermit,
}

impl Bulkhead {
    /// A bulkhead with `config`'s limits (each at least 1, the share at most
    /// the workers).
    pub fn new(config: BulkheadConfig) -> Bulkhead {
        let workers = config.workers.max(1);
        let config = BulkheadConfig {
            workers,
            share: config.share.clamp(1, workers),
        };
        Bulkhead {
            config,
            workers: Arc::new(Semaphore::new(workers)),
            lanes: Mutex::new(HashMap::new()),
        }
    }

    /// The limits in force.
    pub fn config(&self) -> BulkheadConfig {
        self.config
    }

    /// Waits for a place in `version`'s lane, then for a worker.
    pub async fn enter(&self, version: &str) -> Permit {
        let lane = {
            let mut lanes = self.lanes.lock().unwrap();
            lanes
                .entry(version.to_string())
                .or_insert_with(|| Arc::new(Semaphore::new(self.config.share)))
                .clone()
        };
        // Neither semaphore is ever closed, so acquiring cannot fail.
        let lane = lane.acquire_owned().await.expect("lanes are never closed");
        let worker = self
            .workers
            .clone()
            .acquire_owned()
            .await
            .expect("the workers are never closed");
        Permit {
            _lane: lane,
            _worker: worker,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_version_holds_only_its_share() {
        let b = Bulkhead::new(BulkheadConfig {
            workers: 3,
            share: 2,
        });
        let _a1 = b.enter("loop@1").await;
        let _a2 = b.enter("loop@1").await;
        // The looping version's third request waits on its lane...
        let third = tokio::time::timeout(Duration::from_millis(50), b.enter("loop@1")).await;
        assert!(third.is_err(), "a third evaluation of one version ran");
        // ...while another version still gets the last worker at once.
        let other = tokio::time::timeout(Duration::from_millis(50), b.enter("good@1")).await;
        assert!(other.is_ok(), "another version was starved");
    }

    #[test]
    fn limits_are_at_least_one_and_the_share_fits_the_workers() {
        let b = Bulkhead::new(BulkheadConfig {
            workers: 0,
            share: 9,
        });
        assert_eq!(
            b.config(),
            BulkheadConfig {
                workers: 1,
                share: 1
            }
        );
    }
}
