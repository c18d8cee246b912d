//! A run's results as CSV, streamed: the API's `format=csv` and the
//! dashboard's download write the same file a batch at a time, each batch
//! read from an index where the last stopped, so an export of the whole
//! country holds one batch in memory, never the run.

use std::sync::Arc;

use axum::body::Bytes;

use crate::access::{self, Caller};
use crate::registry::Registry;
use crate::scoring;
use crate::store::results::{ResultCursor, ResultFilter};

/// Rows read and written at a time.
const BATCH: u64 = 1_000;

/// What is left of an export: where to go on from, and the next rank.
struct Export {
    registry: Arc<Registry>,
    caller: Caller,
    via: String,
    run: i64,
    filter: ResultFilter,
    cursor: ResultCursor,
    rank: u64,
    done: bool,
}

/// The CSV of what `caller` may see of run `run`'s results through
/// `filter`, best total first, as a body streamed batch by batch. The run
/// must already be known complete. A batch that cannot be read ends the
/// stream early, logged, so the client sees a cut-off download rather
/// than a short file that looks whole.
pub fn results_csv(
    registry: &Arc<Registry>,
    caller: &Caller,
    via: String,
    run: i64,
    filter: ResultFilter,
) -> axum::body::Body {
    let start = Export {
        registry: registry.clone(),
        caller: caller.clone(),
        via,
        run,
        filter,
        cursor: ResultCursor::Start,
        rank: 1,
        done: false,
    };
    let stream = futures_util::stream::unfold(start, |mut e| async move {
        if e.done {
            return None;
        }
        let read = access::visible_results_after(
            &e.registry,
            &e.caller,
            &e.via,
            e.run,
            &e.filter,
            &e.cursor,
            BATCH,
        )
        .await;
        match read {
            Ok((rows, next)) => {
                let header = e.rank == 1;
                let text = scoring::results_csv_part(&rows, e.rank, header);
                e.rank += rows.len() as u64;
                // A cursor that did not move has read the last row.
                e.done = next == e.cursor;
                e.cursor = next;
                Some((Ok::<Bytes, std::io::Error>(Bytes::from(text)), e))
            }
            Err(err) => {
                tracing::error!(run = e.run, error = %err, "a results export stopped");
                e.done = true;
                Some((Err(std::io::Error::other(err.to_string())), e))
            }
        }
    });
    axum::body::Body::from_stream(stream)
}
