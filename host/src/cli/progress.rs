//! The terminal's view of a run: an indicatif bar on standard error, redrawn
//! from the run's shared counters while the work goes on. Not a terminal
//! (a script, a pipe, CI): no bar, nothing printed.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::scoring::Progress;

/// Runs `f`, showing `progress` as a bar while it runs.
pub(super) fn show_while<T>(progress: &Arc<Progress>, f: impl FnOnce() -> T) -> T {
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    if bar.is_hidden() {
        return f();
    }
    bar.set_style(
        ProgressStyle::with_template("[{bar:30}] {pos}/{len} {msg:14} {elapsed}")
            .expect("a valid template")
            .progress_chars("#-"),
    );
    let stop = Arc::new(AtomicBool::new(false));
    let follower = {
        let (bar, progress, stop) = (bar.clone(), progress.clone(), stop.clone());
        thread::spawn(move || {
            loop {
                let (stage, done, total) = progress.get();
                bar.set_length(total as u64);
                bar.set_position(done as u64);
                bar.set_message(stage);
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                thread::sleep(Duration::from_millis(100));
            }
        })
    };
    let out = f();
    stop.store(true, Ordering::Relaxed);
    let _ = follower.join();
    bar.finish();
    // The bar stays with its last state; what the command prints next goes
    // on the line below it.
    eprintln!();
    out
}
