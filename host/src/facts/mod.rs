//! Facts in: CSV (`subject_id,period,fact,value,source`) or JSON, checked row
//! by row against the subjects and the fact dictionary, refused whole when any
//! row is bad, and written so that a re-import changes nothing, a newer value
//! is kept beside the older one, and a run reads a period in one pass.
//! Decimals are exact: JSON numbers keep their text and never pass through f64.
//! The fact dictionary (every fact a published scorecard reads) and
//! freezing and reopening a period's facts live here too.
//!
//! ```no_run
//! # async fn example(registry: &thuocdo_host::registry::Registry) -> Result<(), thuocdo_host::scoring::Error> {
//! let admin = thuocdo_host::access::Actor::admin("admin@local");
//! let csv = b"subject_id,period,fact,value,source\nchair-1,2025-09,tasks-assigned,20,office\n";
//! let imported = thuocdo_host::facts::import(registry, &admin, "facts.csv", csv).await?;
//! println!("{} values changed", imported.values_changed);
//! # Ok(())
//! # }
//! ```

pub mod dictionary;
pub(crate) mod read;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::access::{Actor, Role};
use crate::registry::{Period, Registry};
use crate::scoring::{Error, Result, RowError, RowErrors, Units};
use crate::store::bulk::Cell;
use crate::store::facts::NewFactImport;
use dictionary::Dictionary;

/// One fact value as a file gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FactRow {
    /// Where in the file: `line 12` or `entry 3`.
    pub at: String,
    /// The subject's id.
    pub subject: String,
    /// The period, as written.
    pub period: String,
    /// The fact's name.
    pub fact: String,
    /// The value's text, exactly as written.
    pub value: String,
    /// Who entered it, from what record.
    pub source: String,
}

/// What an import did.
#[derive(Clone, Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Imported {
    /// The file, as named.
    pub file: String,
    /// Rows read.
    pub rows: usize,
    /// Values that were new or differed from those in force.
    pub values_changed: usize,
    /// Subject-period sheets that changed.
    pub sheets_changed: usize,
    /// The import's id, when anything changed.
    pub import_id: Option<i64>,
}

/// The CSV columns, in any order.
const COLUMNS: [&str; 5] = ["subject_id", "period", "fact", "value", "source"];

/// The two formats facts come in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `subject_id,period,fact,value,source`.
    Csv,
    /// Entries of one value or one subject's sheet.
    Json,
}

/// The facts in force for one subject and period: name → ten-thousandths.
pub type Sheet = BTreeMap<String, i64>;

/// Reads every row of a facts file (CSV or JSON, as `format` or the file's
/// name says) into memory: at most `max` rows, else the file is refused. The
/// rows, and those that could not be read. For small files only (a draft's
/// trial facts); an import streams instead.
pub(crate) fn read_rows(
    file: &str,
    source: impl std::io::Read,
    format: Option<Format>,
    max: usize,
) -> Result<(Vec<FactRow>, RowErrors)> {
    let mut rows = Vec::new();
    let mut bad = RowErrors::default();
    let mut over = false;
    read::read(file, source, format, &mut |item| {
        match item {
            read::Read1::Row(row) => rows.push(row),
            read::Read1::Bad(e) => bad.push(e),
        }
        over = rows.len() > max;
        !over
    })?;
    if over {
        return Err(Error::BadFile(format!(
            "{file} holds more than {max} rows, the most it may"
        )));
    }
    Ok((rows, bad))
}

/// Rows handed from the reading thread at a time.
const READ_BATCH: usize = 2048;
/// Staged rows written in one go.
const STAGE_BATCH: usize = 8192;
/// Sheets merged into those in force at a time.
const MERGE_PAGE: i64 = 2_000;

/// Runs `read` on a blocking thread of its own, handing what it reads on in
/// batches of `batch` through a channel of a few batches, so a reader that
/// outpaces the database waits instead of filling memory. The receiver, and
/// the reading's own result; the reading stops early when the receiver is
/// dropped (its sink answers `false`).
pub(crate) fn read_on_a_thread<T, R>(
    batch: usize,
    read: impl FnOnce(&mut dyn FnMut(T) -> bool) -> Result<R> + Send + 'static,
) -> (
    tokio::sync::mpsc::Receiver<Vec<T>>,
    tokio::task::JoinHandle<Result<R>>,
)
where
    T: Send + 'static,
    R: Send + 'static,
{
    let (send, receive) = tokio::sync::mpsc::channel::<Vec<T>>(4);
    let reading = tokio::task::spawn_blocking(move || {
        let mut pending = Vec::with_capacity(batch);
        let done = read(&mut |item| {
            pending.push(item);
            if pending.len() < batch {
                return true;
            }
            send.blocking_send(std::mem::replace(&mut pending, Vec::with_capacity(batch)))
                .is_ok()
        })?;
        if !pending.is_empty() {
            let _ = send.blocking_send(pending);
        }
        Ok(done)
    });
    (receive, reading)
}

/// Imports a file's facts (see [`import_from`]); the format follows the
/// file's name (or its first character).
pub async fn import(
    registry: &Registry,
    actor: &Actor,
    file: &str,
    bytes: &[u8],
) -> Result<Imported> {
    import_from(
        registry,
        actor,
        file,
        std::io::Cursor::new(bytes.to_vec()),
        None,
    )
    .await
}

/// Imports facts read from `source`, a row at a time: each row is checked as
/// it is read (the subject, the period, the fact dictionary, the caller's
/// subtree, freezes and official runs) and staged in the import's own
/// transaction; then rows that give one fact two values are looked for, and
/// the staged rows are merged into the sheets in force a page at a time.
/// Memory stays the same whatever the file's size; the file is refused
/// whole when any row is bad (the first 1,000 named, all counted), and all
/// of it is written in that one transaction otherwise.
pub async fn import_from(
    registry: &Registry,
    actor: &Actor,
    file: &str,
    source: impl std::io::Read + Send + 'static,
    format: Option<Format>,
) -> Result<Imported> {
    if !matches!(actor.role, Role::Admin | Role::UnitAdmin { .. }) {
        return Err(Error::Forbidden(format!(
            "{} may not import facts: that takes an admin or a unit admin",
            actor.name
        )));
    }
    let dictionary = Dictionary::load(registry).await?;
    // Everything the import decides on is read under the guard and written
    // in the same transaction: two imports of one sheet merge fact by fact,
    // and one that lands after a freeze, a publish or a move is refused.
    let mut tx = registry
        .store()
        .begin_guarding(crate::store::Guarded::FactSheets)
        .await?;
    let subjects = tx.subject_units().await?;
    let units = Units::from_rows(tx.units().await?);
    let frozen: HashMap<String, String> = tx
        .fact_freezes()
        .await?
        .into_iter()
        .map(|f| (f.period, f.frozen_by))
        .collect();
    let locks = tx.official_locks().await?;
    tx.stage_facts().await?;
    let started = std::time::Instant::now();

    let name = file.to_string();
    let (mut receive, reading) = read_on_a_thread(READ_BATCH, move |sink| {
        read::read::<FactRow>(&name, source, format, sink)
    });

    let mut bad = RowErrors::default();
    let mut locked: Option<Error> = None;
    let mut rows_read: i64 = 0;
    let mut staged: Vec<Vec<Cell>> = Vec::with_capacity(STAGE_BATCH);
    while let Some(batch) = receive.recv().await {
        for item in batch {
            let row = match item {
                read::Read1::Bad(e) => {
                    bad.push(e);
                    continue;
                }
                read::Read1::Row(row) => row,
            };
            rows_read += 1;
            let mut reasons = Vec::new();
            let unit = subjects.get(&row.subject);
            match (&actor.role, unit) {
                // A unit admin is told the same of a subject outside their
                // subtree as of one that does not exist: whether someone
                // exists elsewhere is not theirs to learn.
                (Role::UnitAdmin { unit: root }, unit)
                    if unit.is_none_or(|u| !units.within(u, root)) =>
                {
                    reasons.push(format!(
                        "subject `{}` is not in {}'s subtree `{root}`",
                        row.subject, actor.name
                    ))
                }
                (_, None) => reasons.push(format!(
                    "subject `{}` is not in the organisation",
                    row.subject
                )),
                _ => {}
            }
            if let Err(e) = Period::parse(&row.period) {
                reasons.push(e.to_string());
            }
            let raw = match dictionary.check(&row.fact, &row.value) {
                Ok(raw) => Some(raw),
                Err(reason) => {
                    reasons.push(reason);
                    None
                }
            };
            if !reasons.is_empty() {
                bad.push(RowError {
                    at: row.at,
                    reason: reasons.join("; "),
                });
                continue;
            }
            let (Some(raw), Some(unit)) = (raw, unit) else {
                continue;
            };
            if locked.is_none() {
                locked = lock_on(&row.period, &row.subject, unit, &frozen, &locks, &units);
            }
            staged.push(vec![
                Cell::Int(rows_read),
                Cell::Text(row.at),
                Cell::Text(row.subject),
                Cell::Text(row.period),
                Cell::Text(row.fact),
                Cell::Int(raw),
                Cell::Text(row.value.trim().to_string()),
                Cell::Text(row.source),
            ]);
        }
        if staged.len() >= STAGE_BATCH {
            tx.insert_staged_facts(staged.drain(..)).await?;
        }
    }
    let sha256 = reading
        .await
        .map_err(|e| Error::Internal(format!("reading the facts file failed: {e}")))??;
    tx.insert_staged_facts(staged.drain(..)).await?;
    let read_and_staged = started.elapsed();
    tx.index_staged_facts().await?;

    // One fact given two values by two rows of the file.
    let room = (RowErrors::KEPT.saturating_sub(bad.kept()) as i64).max(1);
    let (conflicts, total) = tx.staged_conflicts(room).await?;
    for c in conflicts {
        bad.push(RowError {
            at: c.at,
            reason: format!(
                "`{}` of {} for {} is {} here and {} at {}",
                c.fact,
                c.subject,
                c.period,
                c.value,
                thuocdo_sdk::Fixed::from_raw(c.first_raw),
                c.first_at
            ),
        });
    }
    bad.count_more((total as usize).saturating_sub(room as usize));
    bad.in_file_order();
    bad.check(file)?;
    if let Some(locked) = locked {
        return Err(locked);
    }
    let checked = started.elapsed();

    let import_id = tx
        .insert_fact_import(&NewFactImport {
            actor: &actor.name,
            file,
            sha256: &sha256,
            rows_read,
            values_changed: 0,
        })
        .await?;
    let (values_changed, sheets_changed) = merge(&mut tx, import_id).await?;
    tracing::info!(
        file,
        rows = rows_read,
        read_and_staged_ms = read_and_staged.as_millis() as u64,
        checked_ms = (checked - read_and_staged).as_millis() as u64,
        merged_ms = (started.elapsed() - checked).as_millis() as u64,
        "facts import"
    );
    let imported = Imported {
        file: file.to_string(),
        rows: rows_read as usize,
        values_changed,
        sheets_changed,
        import_id: None,
    };
    if values_changed == 0 {
        // Nothing new: no import is recorded.
        tx.rollback().await?;
        return Ok(imported);
    }
    tx.finish_fact_import(import_id, rows_read, values_changed as i64)
        .await?;
    let periods = tx.staged_periods().await?;
    let detail = serde_json::json!({
        "import": import_id, "sha256": sha256, "rows": rows_read,
        "values_changed": values_changed, "periods": periods,
    });
    Registry::audit(&mut tx, actor, "facts-import", file, detail).await?;
    tx.drop_staged_facts().await?;
    tx.commit().await?;
    Ok(Imported {
        import_id: Some(import_id),
        ..imported
    })
}

/// Why a subject's data of a period (facts, work products, an exemption)
/// may not change: the period's facts frozen, or locked by an official run
/// over the subject's unit.
pub(crate) fn lock_on(
    period: &str,
    subject: &str,
    unit: &str,
    frozen: &HashMap<String, String>,
    locks: &[crate::store::facts::OfficialLockRow],
    units: &Units,
) -> Option<Error> {
    if let Some(by) = frozen.get(period) {
        return Some(Error::Locked(format!(
            "the facts of {period} are frozen (cut off by {by}); a unit admin can reopen them with a reason: thuocdo facts reopen --period {period} --reason …"
        )));
    }
    let lock = locks
        .iter()
        .find(|l| l.period == period && l.unit.as_deref().is_none_or(|r| units.within(unit, r)))?;
    let scope = lock
        .unit
        .as_deref()
        .map_or(String::new(), |r| format!(" --unit {r}"));
    Some(Error::Locked(format!(
        "{period} is locked{} by its official run {} ({} is in it); unlock it with a reason first: thuocdo unlock --period {period}{scope} --reason …",
        lock.unit
            .as_deref()
            .map_or(String::new(), |r| format!(" for `{r}`")),
        lock.run_id,
        subject
    )))
}

/// Merges the staged rows into the sheets in force, a page of sheets at a
/// time: each sheet gets the facts whose values differ, and a change record
/// naming them with their text and source. Values and sheets changed.
async fn merge(tx: &mut crate::store::Tx, import_id: i64) -> Result<(usize, usize)> {
    let (mut values_changed, mut sheets_changed) = (0, 0);
    let mut after = (String::new(), String::new());
    loop {
        let page = tx.staged_sheets((&after.0, &after.1), MERGE_PAGE).await?;
        let Some(last) = page.last() else {
            return Ok((values_changed, sheets_changed));
        };
        let end = (last.period.clone(), last.subject.clone());
        let mut sheets = Vec::new();
        let mut changes = Vec::new();
        let mut start = 0;
        while start < page.len() {
            // One period's sheets in the page, and those in force for them.
            let period = page[start].period.as_str();
            let stop = start + page[start..].partition_point(|s| s.period == period);
            // Only this page's subjects: a range between its first and last
            // could hold every sheet of the period when the file is sparse.
            let subjects: Vec<&str> = page[start..stop]
                .iter()
                .map(|s| s.subject.as_str())
                .collect();
            let mut current: HashMap<String, (String, i64)> = tx
                .sheets_of(period, &subjects)
                .await?
                .into_iter()
                .map(|s| (s.subject, (s.facts, s.revision)))
                .collect();
            for staged in &page[start..stop] {
                let subject = staged.subject.as_str();
                let (mut sheet, revision) = match current.remove(subject) {
                    Some((text, revision)) => (
                        serde_json::from_str::<Sheet>(&text).map_err(|e| {
                            Error::Internal(format!(
                                "the stored fact sheet of {subject} for {period} is unreadable: {e}"
                            ))
                        })?,
                        revision,
                    ),
                    None => (Sheet::new(), 0),
                };
                let mut changed: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
                for v in &staged.values {
                    if sheet.get(&v.fact) != Some(&v.raw) {
                        sheet.insert(v.fact.clone(), v.raw);
                        changed.insert(&v.fact, (&v.text, &v.source));
                    } else if let Some(c) = changed.get_mut(v.fact.as_str()) {
                        // The same value again further down the file: its
                        // text and source are the ones kept.
                        *c = (&v.text, &v.source);
                    }
                }
                if changed.is_empty() {
                    continue;
                }
                values_changed += changed.len();
                sheets_changed += 1;
                sheets.push(vec![
                    Cell::from(subject),
                    Cell::from(period),
                    Cell::Text(serde_json::to_string(&sheet).expect("serialises")),
                    Cell::Int(revision + 1),
                ]);
                changes.push(vec![
                    Cell::from(subject),
                    Cell::from(period),
                    Cell::Int(import_id),
                    Cell::Int(revision + 1),
                    Cell::Text(serde_json::to_string(&changed).expect("serialises")),
                ]);
            }
            start = stop;
        }
        tx.upsert_fact_sheets(sheets).await?;
        tx.insert_fact_changes(changes).await?;
        after = end;
    }
}

/// Freezes a period's facts at a cut-off: later imports are refused until it
/// is reopened.
pub async fn freeze(registry: &Registry, actor: &Actor, period: &str) -> Result<()> {
    may_cut_off(actor)?;
    let period = Period::parse(period)?;
    let mut tx = registry.store().begin().await?;
    let frozen = tx.freeze_facts(&period.text, &actor.name).await?;
    if !frozen {
        return Err(Error::Refused(format!(
            "the facts of {} are already frozen",
            period.text
        )));
    }
    Registry::audit(
        &mut tx,
        actor,
        "facts-freeze",
        &period.text,
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Reopens a frozen period's facts, with a reason for the audit log.
pub async fn reopen(registry: &Registry, actor: &Actor, period: &str, reason: &str) -> Result<()> {
    may_cut_off(actor)?;
    let period = Period::parse(period)?;
    if reason.trim().is_empty() {
        return Err(Error::Refused(
            "reopening a period's facts needs a reason".into(),
        ));
    }
    let mut tx = registry.store().begin().await?;
    let reopened = tx.reopen_facts(&period.text).await?;
    if !reopened {
        return Err(Error::Refused(format!(
            "the facts of {} are not frozen",
            period.text
        )));
    }
    Registry::audit(
        &mut tx,
        actor,
        "facts-reopen",
        &period.text,
        serde_json::json!({"reason": reason}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn may_cut_off(actor: &Actor) -> Result<()> {
    match actor.role {
        Role::Admin | Role::UnitAdmin { .. } => Ok(()),
        _ => Err(Error::Forbidden(format!(
            "{} may not freeze or reopen facts: that takes an admin or a unit admin",
            actor.name
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_file_past_its_rows_is_refused_naming_the_most_it_may_hold() {
        let csv = "subject_id,period,fact,value,source\na,2025-09,x,1,t\nb,2025-09,x,1,t\nc,2025-09,x,1,t\n";
        let (rows, bad) = read_rows("ok.csv", csv.as_bytes(), None, 3).unwrap();
        assert_eq!((rows.len(), bad.is_empty()), (3, true));
        match read_rows("big.csv", csv.as_bytes(), None, 2) {
            Err(Error::BadFile(m)) => {
                assert_eq!(m, "big.csv holds more than 2 rows, the most it may")
            }
            other => panic!("{other:?}"),
        }
    }
}
