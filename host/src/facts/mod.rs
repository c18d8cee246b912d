//! Facts in: CSV (`subject_id,period,fact,value,source`) or JSON, checked row
//! by row against the subjects and the fact dictionary, refused whole when any
//! row is bad, and written so that a re-import changes nothing, a newer value
//! is kept beside the older one, and a run reads a period in one pass.
//! Decimals are exact: JSON numbers keep their text and never pass through f64.
//! The fact dictionary (every fact a published or draft scorecard reads) and
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

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use serde_json::Value;

use crate::access::{Actor, Role};
use crate::registry::{Period, Registry};
use crate::runtime::sha256_hex;
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

/// Reads a file as `format`, or when none is given as CSV or JSON by its
/// extension, else by its first character.
pub fn parse(file: &str, bytes: &[u8], format: Option<Format>) -> Result<Vec<FactRow>> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| Error::BadFile(format!("{file} is not UTF-8 text: {e}")))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let json = if let Some(f) = format {
        f == Format::Json
    } else if file.ends_with(".json") {
        true
    } else if file.ends_with(".csv") {
        false
    } else {
        matches!(text.trim_start().chars().next(), Some('[' | '{'))
    };
    if json {
        parse_json(file, text)
    } else {
        parse_csv(file, text)
    }
}

/// Reads CSV with a header naming the five columns.
pub fn parse_csv(file: &str, text: &str) -> Result<Vec<FactRow>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| Error::BadFile(format!("{file}: the header cannot be read: {e}")))?
        .clone();
    let mut index = [0usize; 5];
    for (k, column) in COLUMNS.iter().enumerate() {
        index[k] = headers.iter().position(|h| h == *column).ok_or_else(|| {
            Error::BadFile(format!(
                "{file}: the header must name the columns {}; it has: {}",
                COLUMNS.join(","),
                headers.iter().collect::<Vec<_>>().join(",")
            ))
        })?;
    }
    // The reader skips blank lines in its own count; lines in a file are
    // counted from byte offsets instead, as an editor shows them.
    let newlines: Vec<usize> = text.match_indices('\n').map(|(i, _)| i).collect();
    let line_at = |byte: u64| {
        // A record's position may sit on the blank lines before it.
        let start = text.as_bytes()[(byte as usize).min(text.len())..]
            .iter()
            .position(|b| !matches!(b, b'\n' | b'\r'))
            .map_or(text.len(), |skip| byte as usize + skip);
        newlines.partition_point(|&n| n < start) + 1
    };
    let mut rows = Vec::new();
    let mut bad = RowErrors::default();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| line_at(p.byte()));
                bad.push(RowError {
                    at: format!("line {line}"),
                    reason: format!("cannot be read as CSV: {e}"),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| line_at(p.byte()));
        if record.len() != headers.len() {
            bad.push(RowError {
                at: format!("line {line}"),
                reason: format!(
                    "has {} fields; the header has {}",
                    record.len(),
                    headers.len()
                ),
            });
            continue;
        }
        let field = |k: usize| record.get(index[k]).unwrap_or_default().to_string();
        rows.push(FactRow {
            at: format!("line {line}"),
            subject: field(0),
            period: field(1),
            fact: field(2),
            value: field(3),
            source: field(4),
        });
    }
    bad.check(file)?;
    Ok(rows)
}

/// Reads JSON: a list (or `{"facts": [...]}`) of entries, each either one
/// value — `{"subject_id", "period", "fact", "value", "source"}` — or one
/// subject's sheet — `{"subject_id", "period", "source", "facts": {name: value}}`.
/// Values are decimals as strings or numbers; numbers keep their text.
pub fn parse_json(file: &str, text: &str) -> Result<Vec<FactRow>> {
    let doc: Value = serde_json::from_str(text)
        .map_err(|e| Error::BadFile(format!("{file} is not valid JSON: {e}")))?;
    let entries = match doc {
        Value::Array(a) => a,
        Value::Object(mut o) => match o.remove("facts") {
            Some(Value::Array(a)) => a,
            _ => {
                return Err(Error::BadFile(format!(
                    "{file}: expected a list of entries, or an object whose `facts` is one"
                )));
            }
        },
        _ => {
            return Err(Error::BadFile(format!(
                "{file}: expected a list of entries"
            )));
        }
    };
    let mut rows = Vec::new();
    let mut bad = RowErrors::default();
    for (i, entry) in entries.into_iter().enumerate() {
        let at = format!("entry {}", i + 1);
        let Value::Object(mut o) = entry else {
            bad.push(RowError {
                at,
                reason: "is not an object".into(),
            });
            continue;
        };
        let mut text = |key: &str, required: bool| -> std::result::Result<String, String> {
            match o.remove(key) {
                Some(Value::String(s)) => Ok(s),
                None | Some(Value::Null) if !required => Ok(String::new()),
                None => Err(format!("has no `{key}`")),
                Some(other) => Err(format!("`{key}` is {other}, not a string")),
            }
        };
        let head = (|| {
            Ok::<_, String>((
                text("subject_id", true)?,
                text("period", true)?,
                text("source", false)?,
            ))
        })();
        let (subject, period, source) = match head {
            Ok(h) => h,
            Err(reason) => {
                bad.push(RowError { at, reason });
                continue;
            }
        };
        let values: Vec<(String, Value)> =
            match (o.remove("facts"), o.remove("fact"), o.remove("value")) {
                (Some(Value::Object(facts)), None, None) => facts.into_iter().collect(),
                (None, Some(Value::String(fact)), Some(value)) => vec![(fact, value)],
                _ => {
                    bad.push(RowError {
                        at,
                        reason: "needs either `fact` and `value`, or a `facts` object".into(),
                    });
                    continue;
                }
            };
        if let Some(key) = o.keys().next() {
            bad.push(RowError {
                at,
                reason: format!("has an unknown field `{key}`"),
            });
            continue;
        }
        for (fact, value) in values {
            let value = match value {
                Value::String(s) => s,
                // Arbitrary precision keeps the number's text: no f64 on the way.
                Value::Number(n) => n.to_string(),
                other => {
                    bad.push(RowError {
                        at: at.clone(),
                        reason: format!("value of `{fact}` is {other}, not a decimal"),
                    });
                    continue;
                }
            };
            rows.push(FactRow {
                at: at.clone(),
                subject: subject.clone(),
                period: period.clone(),
                fact,
                value,
                source: source.clone(),
            });
        }
    }
    bad.check(file)?;
    Ok(rows)
}

/// A value arriving for a sheet: ten-thousandths, its text, its source.
type Incoming<'a> = (i64, &'a str, &'a str);

/// A checked value, ready to write.
struct Checked<'a> {
    row: &'a FactRow,
    raw: i64,
}

/// Checks every row against the subjects, the periods and the dictionary;
/// every bad row is reported, none is written.
fn check<'a>(
    file: &str,
    rows: &'a [FactRow],
    subjects: &HashMap<String, String>,
    dictionary: &Dictionary,
) -> Result<Vec<Checked<'a>>> {
    let mut bad = RowErrors::default();
    let mut good = Vec::with_capacity(rows.len());
    let mut first: HashMap<(&str, &str, &str), (&str, i64)> = HashMap::new();
    for row in rows {
        let mut reasons = Vec::new();
        if !subjects.contains_key(&row.subject) {
            reasons.push(format!(
                "subject `{}` is not in the organisation",
                row.subject
            ));
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
        if let Some(raw) = raw {
            let key = (row.subject.as_str(), row.period.as_str(), row.fact.as_str());
            match first.get(&key) {
                Some((at, earlier)) if *earlier != raw => reasons.push(format!(
                    "`{}` of {} for {} is {} here and {} at {at}",
                    row.fact,
                    row.subject,
                    row.period,
                    row.value.trim(),
                    thuocdo_sdk::Fixed::from_raw(*earlier)
                )),
                Some(_) => {}
                None => {
                    first.insert(key, (row.at.as_str(), raw));
                }
            }
            if reasons.is_empty() {
                good.push(Checked { row, raw });
            }
        }
        if !reasons.is_empty() {
            bad.push(RowError {
                at: row.at.clone(),
                reason: reasons.join("; "),
            });
        }
    }
    bad.check(file)?;
    Ok(good)
}

/// The facts in force for one subject and period: name → ten-thousandths.
pub type Sheet = BTreeMap<String, i64>;

/// Imports a file's facts: checked whole, then written in one transaction.
/// The format follows the file's name (or its first character).
pub async fn import(
    registry: &Registry,
    actor: &Actor,
    file: &str,
    bytes: &[u8],
) -> Result<Imported> {
    import_as(registry, actor, file, bytes, None).await
}

/// As [`import`], in a given format (an upload's Content-Type).
pub async fn import_as(
    registry: &Registry,
    actor: &Actor,
    file: &str,
    bytes: &[u8],
    format: Option<Format>,
) -> Result<Imported> {
    if !matches!(actor.role, Role::Admin | Role::UnitAdmin { .. }) {
        return Err(Error::Forbidden(format!(
            "{} may not import facts: that takes an admin or a unit admin",
            actor.name
        )));
    }
    let rows = parse(file, bytes, format)?;
    let dictionary = Dictionary::load(registry).await?;
    // Everything the import decides on is read under the guard and written
    // in the same transaction: two imports of one sheet merge fact by fact,
    // and one that lands after a freeze, a publish or a move is refused.
    let mut tx = registry
        .store()
        .begin_guarding(crate::store::Guarded::FactSheets)
        .await?;
    let subjects = tx.subject_units().await?;
    let checked = check(file, &rows, &subjects, &dictionary)?;
    let units = Units::from_rows(tx.units().await?);
    if let Role::UnitAdmin { unit: root } = &actor.role {
        let mut outside = RowErrors::default();
        for c in checked
            .iter()
            .filter(|c| !units.within(&subjects[&c.row.subject], root))
        {
            outside.push(RowError {
                at: c.row.at.clone(),
                reason: format!(
                    "subject `{}` is outside {}'s subtree `{root}`",
                    c.row.subject, actor.name
                ),
            });
        }
        outside.check(file)?;
    }

    let periods: HashSet<&str> = checked.iter().map(|c| c.row.period.as_str()).collect();
    for freeze in tx.fact_freezes().await? {
        let period = freeze.period;
        if periods.contains(period.as_str()) {
            let by = freeze.frozen_by;
            return Err(Error::Locked(format!(
                "the facts of {period} are frozen (cut off by {by}); a unit admin can reopen them with a reason: thuocdo facts reopen --period {period} --reason …"
            )));
        }
    }
    for lock in tx.official_locks().await? {
        let period = lock.period;
        let root = lock.unit;
        let run = lock.run_id;
        let covers = |unit: &str| root.as_deref().is_none_or(|r| units.within(unit, r));
        if let Some(c) = checked
            .iter()
            .find(|c| c.row.period == period && covers(&subjects[&c.row.subject]))
        {
            let scope = root
                .as_deref()
                .map_or(String::new(), |r| format!(" --unit {r}"));
            return Err(Error::Locked(format!(
                "{period} is locked{} by its official run {run} ({} is in it); unlock it with a reason first: thuocdo unlock --period {period}{scope} --reason …",
                root.as_deref()
                    .map_or(String::new(), |r| format!(" for `{r}`")),
                c.row.subject
            )));
        }
    }

    // Group by sheet, then compare with what is in force.
    let mut incoming: BTreeMap<(&str, &str), BTreeMap<&str, Incoming>> = BTreeMap::new();
    for c in &checked {
        incoming
            .entry((c.row.period.as_str(), c.row.subject.as_str()))
            .or_default()
            .insert(
                c.row.fact.as_str(),
                (c.raw, c.row.value.trim(), c.row.source.as_str()),
            );
    }
    let mut current: HashMap<(String, String), (Sheet, i64)> = HashMap::new();
    for period in &periods {
        for row in tx.sheets_in_force(period).await? {
            let sheet: Sheet = serde_json::from_str(&row.facts)
                .map_err(|e| Error::Internal(format!("a stored fact sheet is unreadable: {e}")))?;
            current.insert((period.to_string(), row.subject), (sheet, row.revision));
        }
    }
    let mut sheets = Vec::new();
    let mut changes = Vec::new();
    let mut values_changed = 0;
    for ((period, subject), facts) in &incoming {
        let (mut sheet, revision) = current
            .remove(&(period.to_string(), subject.to_string()))
            .unwrap_or_default();
        let mut changed = BTreeMap::new();
        for (fact, (raw, text, source)) in facts {
            if sheet.get(*fact) != Some(raw) {
                sheet.insert(fact.to_string(), *raw);
                changed.insert(*fact, (*text, *source));
            }
        }
        if changed.is_empty() {
            continue;
        }
        values_changed += changed.len();
        let revision = revision + 1;
        sheets.push(vec![
            Cell::from(*subject),
            Cell::from(*period),
            Cell::Text(serde_json::to_string(&sheet).expect("serialises")),
            Cell::Int(revision),
        ]);
        changes.push((
            subject.to_string(),
            period.to_string(),
            revision,
            serde_json::to_string(&changed).expect("serialises"),
        ));
    }
    if sheets.is_empty() {
        return Ok(Imported {
            file: file.to_string(),
            rows: rows.len(),
            values_changed: 0,
            sheets_changed: 0,
            import_id: None,
        });
    }
    let sheets_changed = sheets.len();
    let import_id = tx
        .insert_fact_import(&NewFactImport {
            actor: &actor.name,
            file,
            sha256: &sha256_hex(bytes),
            rows_read: rows.len() as i64,
            values_changed: values_changed as i64,
        })
        .await?;
    tx.upsert_fact_sheets(sheets).await?;
    tx.insert_fact_changes(changes.into_iter().map(|(s, p, r, f)| {
        vec![
            s.into(),
            p.into(),
            Cell::Int(import_id),
            Cell::Int(r),
            f.into(),
        ]
    }))
    .await?;
    let detail = serde_json::json!({
        "import": import_id, "sha256": sha256_hex(bytes), "rows": rows.len(),
        "values_changed": values_changed, "periods": periods.iter().collect::<std::collections::BTreeSet<_>>(),
    });
    Registry::audit(&mut tx, actor, "facts-import", file, detail).await?;
    tx.commit().await?;
    Ok(Imported {
        file: file.to_string(),
        rows: rows.len(),
        values_changed,
        sheets_changed,
        import_id: Some(import_id),
    })
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
    fn csv_rows_keep_their_lines_and_text() {
        let rows = parse_csv(
            "f.csv",
            "subject_id,period,fact,value,source\na,2025-09,x,99.10,\"Sổ, hồ sơ\"\n\nb,2025,y,3,s\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].at, "line 2");
        assert_eq!(rows[0].value, "99.10");
        assert_eq!(rows[0].source, "Sổ, hồ sơ");
        assert_eq!(rows[1].at, "line 4");
    }

    #[test]
    fn json_numbers_keep_their_text() {
        let rows = parse_json(
            "f.json",
            r#"[{"subject_id":"a","period":"2025","facts":{"x":0.1000000000000000055511151231257827,"y":"2"}},
                {"subject_id":"b","period":"2025","fact":"x","value":12.5,"source":"s"}]"#,
        )
        .unwrap();
        assert_eq!(rows[0].value, "0.1000000000000000055511151231257827");
        assert_eq!(rows[2].value, "12.5");
        assert_eq!(rows[2].at, "entry 2");
        let bad = parse_json(
            "f.json",
            r#"[{"subject_id":"a","period":"2025","fact":"x","value":true}, 3]"#,
        );
        let Err(Error::BadRows { rows, .. }) = bad else {
            panic!("{bad:?}")
        };
        assert_eq!(rows.len(), 2);
    }
}
