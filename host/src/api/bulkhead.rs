//! The bulkhead between plugin versions: the API's evaluations run on a
//! bounded set of workers, and each plugin version may hold only a share of
//! them. A version that loops until its deadline then queues behind its own
//! share while every other version keeps the rest.
//!
//! A request first waits for a place in its version's lane and only then for
//! a worker, so a looping version's backlog never holds workers it is not
//! using.
//!
//! A share of workers bounds how many evaluations a looping version holds,
//! not how much CPU they burn until their deadline: on two cores one spinning
//! worker is half the machine. So a version whose evaluations recently ran
//! out of fuel or time is *suspect*, and its evaluations run on threads of
//! their own at the lowest CPU priority: they still get every idle cycle, but
//! yield to everyone else's.

use std::collections::HashMap;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a version stays suspect after its last evaluation that ran out
/// of fuel or time.
pub const SUSPECT_FOR: Duration = Duration::from_secs(60);

type Job = Box<dyn FnOnce() + Send>;

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
        BulkheadConfig::with_workers(cores.max(2))
    }
}

impl BulkheadConfig {
    /// `workers` workers, half of them (rounded up) for any one version.
    pub fn with_workers(workers: usize) -> BulkheadConfig {
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
    /// Versions that recently ran out of fuel or time, and when they last did.
    suspects: Mutex<HashMap<String, Instant>>,
    /// The low-priority threads' queue, started on first use.
    quarantine: Mutex<Option<mpsc::Sender<Job>>>,
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
            suspects: Mutex::new(HashMap::new()),
            quarantine: Mutex::new(None),
        }
    }

    /// Records that an evaluation of `version` ran out of fuel or time.
    pub fn suspect(&self, version: &str) {
        tracing::warn!(
            version,
            "suspect: ran out of fuel or time; its evaluations now run at the lowest priority"
        );
        self.suspects
            .lock()
            .unwrap()
            .insert(version.to_string(), Instant::now());
    }

    /// Whether `version` ran out of fuel or time within [`SUSPECT_FOR`].
    pub fn is_suspect(&self, version: &str) -> bool {
        let mut suspects = self.suspects.lock().unwrap();
        match suspects.get(version) {
            Some(at) if at.elapsed() < SUSPECT_FOR => true,
            Some(_) => {
                suspects.remove(version);
                false
            }
            None => false,
        }
    }

    /// Runs `f` off the async threads: on the blocking pool, or for a
    /// suspect version on the low-priority threads.
    pub async fn run<T: Send + 'static>(
        &self,
        version: &str,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, String> {
        if !self.is_suspect(version) {
            return tokio::task::spawn_blocking(f)
                .await
                .map_err(|e| e.to_string());
        }
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(f());
        });
        self.quarantine_queue()
            .send(job)
            .map_err(|_| "the low-priority threads stopped".to_string())?;
        rx.await
            .map_err(|_| "a low-priority evaluation thread failed".to_string())
    }

    /// The low-priority threads (as many as a version's share, since only
    /// the lanes' permit holders send work), started on first use.
    fn quarantine_queue(&self) -> mpsc::Sender<Job> {
        let mut queue = self.quarantine.lock().unwrap();
        if let Some(tx) = queue.as_ref() {
            return tx.clone();
        }
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..self.config.share {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("thuocdo-suspect-{i}"))
                .spawn(move || {
                    lowest_priority();
                    loop {
                        let job = match rx.lock().unwrap().recv() {
                            Ok(job) => job,
                            Err(_) => return,
                        };
                        job();
                    }
                });
            if let Err(e) = spawned {
                tracing::warn!(error = %e, "starting a low-priority evaluation thread failed");
            }
        }
        *queue = Some(tx.clone());
        tx
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

/// Lowers the calling thread to the lowest CPU priority (nice 19). Where
/// the system refuses, the thread keeps its priority and the lanes still
/// bound it.
fn lowest_priority() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: gettid has no preconditions; setpriority on our own thread
        // id changes only this thread's nice value.
        let refused = unsafe {
            let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
            libc::setpriority(libc::PRIO_PROCESS, tid, 19) != 0
        };
        if refused {
            tracing::warn!(
                error = %std::io::Error::last_os_error(),
                "could not lower a suspect plugin's thread priority"
            );
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

    #[tokio::test]
    async fn a_version_that_ran_out_of_time_runs_at_the_lowest_priority() {
        let b = Bulkhead::new(BulkheadConfig {
            workers: 2,
            share: 1,
        });
        let nice = || {
            // SAFETY: reads the calling thread's nice value.
            unsafe {
                let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
                libc::getpriority(libc::PRIO_PROCESS, tid)
            }
        };
        assert!(!b.is_suspect("loop@1"));
        let normal = b.run("loop@1", nice).await.unwrap();
        b.suspect("loop@1");
        assert!(b.is_suspect("loop@1"));
        assert!(!b.is_suspect("good@1"));
        let suspect = b.run("loop@1", nice).await.unwrap();
        assert_eq!(
            suspect, 19,
            "the suspect's thread runs at nice 19 (was {normal})"
        );
        assert_eq!(b.run("good@1", nice).await.unwrap(), normal);
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
