//! Work products in: each subject's converted products ("sản phẩm đã quy
//! đổi", Decree 335) per period, from the agency's records — CSV or JSON,
//! read a row at a time, checked against the subjects, the caller's subtree,
//! the catalogue of the subject's post (which gives each type's coefficient)
//! and the period's locks, refused whole when any row is bad (the first
//! 1,000 named, all counted), written in one transaction otherwise, each
//! product with the import it came from. A run hands them to the scorecards
//! that read products, a chunk of subjects at a time; `verify` reads them
//! again.
//!
//! CSV: `subject_id,period,product_id,kind,assigned,accepted`, and may name
//! `deadline,completed,on_time,failed_checks,failed_checks_objective,
//! reworks,reworks_objective,source`. JSON: a list (or `{"products": [...]}`)
//! of objects with the same names, `faults` a list of `{"kind":
//! "failed-check" | "rework", "objective_cause": bool}` in place of the counts.
//!
//! ```no_run
//! # async fn example(registry: &thuocdo_host::registry::Registry) -> Result<(), thuocdo_host::scoring::Error> {
//! let admin = thuocdo_host::access::Actor::admin("admin@local");
//! let csv = b"subject_id,period,product_id,kind,assigned,accepted,failed_checks\n\
//!             cc-1,2026-03,HS-12,appraisal-report,1,1,1\n";
//! let imported = thuocdo_host::products::import(registry, &admin, "products.csv", csv).await?;
//! println!("{} products written", imported.written);
//! # Ok(())
//! # }
//! ```

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

use crate::access::{Actor, Role};
use crate::facts::Format;
use crate::facts::read::{self, Read1, Rows};
use crate::registry::{Period, Registry};
use crate::runtime::{FaultKind, ProductFault, WorkProduct};
use crate::scoring::{Error, Result, RowError, RowErrors, Units};
use crate::store::bulk::Cell;
use thuocdo_sdk::Fixed;

/// Rows handed from the reading thread at once.
const READ_BATCH: usize = 2048;
/// Rows staged per statement.
const STAGE_BATCH: usize = 4096;
/// The most failed checks or reworks one product may record.
pub const MAX_FAULTS: usize = 1000;
/// The longest product id kept.
pub const MAX_ID_CHARS: usize = 100;

/// One product as a file gives it.
#[derive(Clone, Debug)]
pub struct ProductLine {
    /// Where in the file.
    pub at: String,
    /// The subject's id.
    pub subject: String,
    /// The period, as written.
    pub period: String,
    /// Its id in the agency's records.
    pub id: String,
    /// Its type, from the post's catalogue.
    pub kind: String,
    /// The quantity assigned, as written.
    pub assigned: String,
    /// The quantity accepted, as written.
    pub accepted: String,
    /// "YYYY-MM-DD" or empty.
    pub deadline: String,
    /// "YYYY-MM-DD" or empty.
    pub completed: String,
    /// "1"/"0"/"yes"/"no"/"true"/"false" or empty.
    pub on_time: String,
    /// Its failed checks and reworks, in order.
    pub faults: Vec<ProductFault>,
    /// Who entered it, from what record.
    pub source: String,
}

const COUNTS: [(&str, FaultKind, bool); 4] = [
    ("failed_checks", FaultKind::FailedCheck, false),
    ("failed_checks_objective", FaultKind::FailedCheck, true),
    ("reworks", FaultKind::Rework, false),
    ("reworks_objective", FaultKind::Rework, true),
];

impl Rows for ProductLine {
    const REQUIRED: &'static [&'static str] = &[
        "subject_id",
        "period",
        "product_id",
        "kind",
        "assigned",
        "accepted",
    ];
    const OPTIONAL: &'static [&'static str] = &[
        "deadline",
        "completed",
        "on_time",
        "failed_checks",
        "failed_checks_objective",
        "reworks",
        "reworks_objective",
        "source",
    ];
    const LIST: &'static str = "products";

    fn from_csv(at: String, f: &[&str]) -> std::result::Result<ProductLine, String> {
        let mut faults = Vec::new();
        for (k, (column, kind, objective_cause)) in COUNTS.iter().enumerate() {
            let text = f[9 + k];
            let n: usize = if text.is_empty() {
                0
            } else {
                text.parse()
                    .map_err(|_| format!("{column} `{text}` is not a whole number"))?
            };
            if n > MAX_FAULTS {
                return Err(format!("{column} is {n}: at most {MAX_FAULTS} are kept"));
            }
            faults.extend((0..n).map(|_| ProductFault {
                kind: *kind,
                objective_cause: *objective_cause,
            }));
        }
        Ok(ProductLine {
            at,
            subject: f[0].into(),
            period: f[1].into(),
            id: f[2].into(),
            kind: f[3].into(),
            assigned: f[4].into(),
            accepted: f[5].into(),
            deadline: f[6].into(),
            completed: f[7].into(),
            on_time: f[8].into(),
            faults,
            source: f[13].into(),
        })
    }

    fn from_json(at: &str, entry: Value) -> Vec<Read1<ProductLine>> {
        vec![match json_line(at, entry) {
            Ok(line) => Read1::Row(line),
            Err(reason) => Read1::Bad(RowError {
                at: at.to_string(),
                reason,
            }),
        }]
    }
}

fn json_line(at: &str, entry: Value) -> std::result::Result<ProductLine, String> {
    let Value::Object(mut o) = entry else {
        return Err("is not an object".into());
    };
    // Text, or a number's own text (never through f64), or a flag's.
    let mut text = |key: &str, required: bool| -> std::result::Result<String, String> {
        match o.remove(key) {
            Some(Value::String(s)) => Ok(s),
            Some(Value::Number(n)) => Ok(n.to_string()),
            Some(Value::Bool(b)) => Ok(b.to_string()),
            None | Some(Value::Null) if !required => Ok(String::new()),
            None | Some(Value::Null) => Err(format!("has no `{key}`")),
            Some(other) => Err(format!("`{key}` is {other}, not a value")),
        }
    };
    let mut line = ProductLine {
        at: at.to_string(),
        subject: text("subject_id", true)?,
        period: text("period", true)?,
        id: text("product_id", true)?,
        kind: text("kind", true)?,
        assigned: text("assigned", true)?,
        accepted: text("accepted", true)?,
        deadline: text("deadline", false)?,
        completed: text("completed", false)?,
        on_time: text("on_time", false)?,
        faults: Vec::new(),
        source: text("source", false)?,
    };
    match o.remove("faults") {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) if list.len() <= MAX_FAULTS => {
            for (k, f) in list.into_iter().enumerate() {
                let fault = serde_json::from_value::<FaultRecord>(f)
                    .map_err(|e| format!("faults[{k}]: {e}"))?;
                line.faults.push(ProductFault {
                    kind: match fault.kind.as_str() {
                        "failed-check" => FaultKind::FailedCheck,
                        "rework" => FaultKind::Rework,
                        other => {
                            return Err(format!(
                                "faults[{k}]: kind `{other}` is neither failed-check nor rework"
                            ));
                        }
                    },
                    objective_cause: fault.objective_cause,
                });
            }
        }
        Some(Value::Array(_)) => return Err(format!("more than {MAX_FAULTS} faults")),
        Some(other) => return Err(format!("`faults` is {other}, not a list")),
    }
    if let Some(key) = o.keys().next() {
        return Err(format!("has an unknown field `{key}`"));
    }
    Ok(line)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultRecord {
    kind: String,
    #[serde(default)]
    objective_cause: bool,
}

/// What an import did.
#[derive(Clone, Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ProductsImported {
    /// The file, as named.
    pub file: String,
    /// Rows read.
    pub rows: usize,
    /// Products written (new or replacing one of the same id).
    pub written: usize,
    /// The import's id.
    pub import_id: i64,
}

/// A quantity: a decimal of at most four decimals, not negative.
fn quantity(what: &str, text: &str) -> std::result::Result<i64, String> {
    Fixed::parse(text.trim())
        .map(Fixed::raw)
        .filter(|&v| v >= 0)
        .ok_or_else(|| {
            format!("{what} `{text}` is not a decimal of at most four decimals, at least 0")
        })
}

/// A date as "YYYY-MM-DD", checked to exist.
fn date(what: &str, text: &str) -> std::result::Result<Option<String>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let bad = || format!("{what} `{text}` is not a date written YYYY-MM-DD");
    let parts: Vec<&str> = text.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    let num = |s: &str, len: usize| {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    let (Some(y), Some(m), Some(d)) = (num(y, 4), num(m, 2), num(d, 2)) else {
        return Err(bad());
    };
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if d == 0 || d > days {
        return Err(bad());
    }
    Ok(Some(text.to_string()))
}

fn flag(text: &str) -> std::result::Result<Option<bool>, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "1" | "yes" | "true" | "có" => Ok(Some(true)),
        "0" | "no" | "false" | "không" => Ok(Some(false)),
        other => Err(format!("on_time `{other}` is neither yes (1) nor no (0)")),
    }
}

/// The faults as stored: a letter each, upper case with an objective cause.
fn fault_letters(faults: &[ProductFault]) -> String {
    faults
        .iter()
        .map(|f| match (f.kind, f.objective_cause) {
            (FaultKind::FailedCheck, false) => 'c',
            (FaultKind::FailedCheck, true) => 'C',
            (FaultKind::Rework, false) => 'r',
            (FaultKind::Rework, true) => 'R',
        })
        .collect()
}

/// A subject's products as the store packs them (fields split by U+001F,
/// products by U+001E, in id order), as a scorecard receives them.
pub fn unpack(packed: &str) -> std::result::Result<Vec<WorkProduct>, String> {
    packed
        .split('\u{1e}')
        .map(|p| {
            let mut f = p.split('\u{1f}');
            let mut next = || f.next().ok_or_else(|| format!("`{p}` has too few fields"));
            let int = |s: &str| s.parse::<i64>().map_err(|e| format!("`{s}`: {e}"));
            let text = |s: &str| (!s.is_empty()).then(|| s.to_string());
            let (id, kind) = (next()?, next()?);
            let (coefficient, assigned, accepted) = (next()?, next()?, next()?);
            let (deadline, completed, on_time, faults) = (next()?, next()?, next()?, next()?);
            Ok(WorkProduct {
                id: id.to_string(),
                kind: kind.to_string(),
                coefficient: int(coefficient)?,
                assigned: int(assigned)?,
                accepted: int(accepted)?,
                deadline: text(deadline),
                completed: text(completed),
                on_time: match on_time {
                    "" => None,
                    v => Some(int(v)? != 0),
                },
                faults: faults
                    .chars()
                    .map(|c| ProductFault {
                        kind: if c.eq_ignore_ascii_case(&'c') {
                            FaultKind::FailedCheck
                        } else {
                            FaultKind::Rework
                        },
                        objective_cause: c.is_ascii_uppercase(),
                    })
                    .collect(),
            })
        })
        .collect()
}

/// Imports a file's products (see the module); the format follows the
/// file's name (or its first character).
pub async fn import(
    registry: &Registry,
    actor: &Actor,
    file: &str,
    bytes: &[u8],
) -> Result<ProductsImported> {
    import_from(
        registry,
        actor,
        file,
        std::io::Cursor::new(bytes.to_vec()),
        None,
    )
    .await
}

/// Imports products read from `source`, a row at a time (see the module).
pub async fn import_from(
    registry: &Registry,
    actor: &Actor,
    file: &str,
    source: impl std::io::Read + Send + 'static,
    format: Option<Format>,
) -> Result<ProductsImported> {
    if !matches!(actor.role, Role::Admin | Role::UnitAdmin { .. }) {
        return Err(Error::Forbidden(format!(
            "{} may not import work products: that takes an admin or a unit admin",
            actor.name
        )));
    }
    // Read and written under the facts' guard: products are facts of a
    // period, locked and frozen with them.
    let mut tx = registry
        .store()
        .begin_guarding(crate::store::Guarded::FactSheets)
        .await?;
    let places = tx.subject_places().await?;
    let units = Units::from_rows(tx.units().await?);
    let catalogue = tx.product_coefficients().await?;
    let frozen: HashMap<String, String> = tx
        .fact_freezes()
        .await?
        .into_iter()
        .map(|f| (f.period, f.frozen_by))
        .collect();
    let locks = tx.official_locks().await?;
    tx.stage_products().await?;

    let name = file.to_string();
    let (mut receive, reading) = crate::facts::read_on_a_thread(READ_BATCH, move |sink| {
        read::read::<ProductLine>(&name, source, format, sink)
    });
    let mut bad = RowErrors::default();
    let mut locked: Option<Error> = None;
    let mut rows_read: i64 = 0;
    let mut staged: Vec<Vec<Cell>> = Vec::with_capacity(STAGE_BATCH);
    while let Some(batch) = receive.recv().await {
        for item in batch {
            let line = match item {
                Read1::Bad(e) => {
                    bad.push(e);
                    continue;
                }
                Read1::Row(line) => line,
            };
            rows_read += 1;
            let mut reasons = Vec::new();
            let place = places.get(&line.subject);
            match (&actor.role, place) {
                // The same words for a subject elsewhere as for none at all.
                (Role::UnitAdmin { unit: root }, place)
                    if place.is_none_or(|(u, _)| !units.within(u, root)) =>
                {
                    reasons.push(format!(
                        "subject `{}` is not in {}'s subtree `{root}`",
                        line.subject, actor.name
                    ))
                }
                (_, None) => reasons.push(format!(
                    "subject `{}` is not in the organisation",
                    line.subject
                )),
                _ => {}
            }
            if let Err(e) = Period::parse(&line.period) {
                reasons.push(e.to_string());
            }
            if line.id.is_empty() || line.id.chars().count() > MAX_ID_CHARS {
                reasons.push(format!("product_id must be 1 to {MAX_ID_CHARS} characters"));
            }
            // The store packs a subject's products with control characters.
            if line
                .id
                .chars()
                .chain(line.kind.chars())
                .any(char::is_control)
            {
                reasons.push("product_id and kind may hold no control characters".into());
            }
            let coefficient = place.and_then(|(_, post)| {
                let c = catalogue.get(&(post.clone(), line.kind.clone())).copied();
                if c.is_none() {
                    reasons.push(format!(
                        "kind `{}` is not in the product catalogue of post `{post}`",
                        line.kind
                    ));
                }
                c
            });
            let assigned = quantity("assigned", &line.assigned)
                .map_err(|e| reasons.push(e))
                .ok();
            let accepted = quantity("accepted", &line.accepted)
                .map_err(|e| reasons.push(e))
                .ok();
            let deadline = date("deadline", &line.deadline)
                .map_err(|e| reasons.push(e))
                .ok();
            let completed = date("completed", &line.completed)
                .map_err(|e| reasons.push(e))
                .ok();
            let marked = flag(&line.on_time).map_err(|e| reasons.push(e)).ok();
            if !reasons.is_empty() {
                bad.push(RowError {
                    at: line.at,
                    reason: reasons.join("; "),
                });
                continue;
            }
            let (Some(coefficient), Some(assigned), Some(accepted)) =
                (coefficient, assigned, accepted)
            else {
                continue;
            };
            let (deadline, completed) = (deadline.flatten(), completed.flatten());
            // The dates decide when both are known ("YYYY-MM-DD" orders as
            // text); the record's mark otherwise.
            let on_time = match (&deadline, &completed) {
                (Some(d), Some(c)) => Some(c <= d),
                _ => marked.flatten(),
            };
            if locked.is_none()
                && let Some((unit, _)) = place
            {
                locked = crate::facts::lock_on(
                    &line.period,
                    &line.subject,
                    unit,
                    &frozen,
                    &locks,
                    &units,
                );
            }
            staged.push(vec![
                Cell::Int(rows_read),
                Cell::Text(line.at),
                Cell::Text(line.period),
                Cell::Text(line.subject),
                Cell::Text(line.id),
                Cell::Text(line.kind),
                Cell::Int(coefficient),
                Cell::Int(assigned),
                Cell::Int(accepted),
                deadline.into(),
                completed.into(),
                on_time.map_or(Cell::NullInt, |b| Cell::Int(i64::from(b))),
                Cell::Text(fault_letters(&line.faults)),
                Cell::Text(line.source),
            ]);
        }
        if staged.len() >= STAGE_BATCH {
            tx.insert_staged_products(staged.drain(..)).await?;
        }
    }
    let sha256 = reading
        .await
        .map_err(|e| Error::Internal(format!("reading the products file failed: {e}")))??;
    tx.insert_staged_products(staged.drain(..)).await?;
    let room = (RowErrors::KEPT.saturating_sub(bad.kept()) as i64).max(1);
    let (repeats, total) = tx.staged_product_repeats(room).await?;
    for at in repeats {
        bad.push(RowError {
            at,
            reason: "the same product id appears twice for this subject and period".into(),
        });
    }
    bad.count_more((total as usize).saturating_sub(room as usize));
    bad.in_file_order();
    bad.check(file)?;
    if let Some(locked) = locked {
        return Err(locked);
    }
    let import_id = tx
        .insert_product_import(&actor.name, file, &sha256, rows_read)
        .await?;
    let written = tx.upsert_staged_products(import_id).await? as usize;
    tx.pack_staged_products().await?;
    let detail = serde_json::json!({
        "import": import_id, "sha256": sha256, "rows": rows_read, "written": written,
    });
    Registry::audit(&mut tx, actor, "products-import", file, detail).await?;
    tx.drop_staged_products().await?;
    tx.commit().await?;
    Ok(ProductsImported {
        file: file.to_string(),
        rows: rows_read as usize,
        written,
        import_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_must_exist() {
        assert_eq!(
            date("d", "2024-02-29").unwrap().as_deref(),
            Some("2024-02-29")
        );
        assert!(date("d", "2025-02-29").is_err());
        assert!(date("d", "2025-13-01").is_err());
        assert!(date("d", "25-01-01").is_err());
        assert_eq!(date("d", " ").unwrap(), None);
    }

    #[test]
    fn faults_keep_their_order_and_cause() {
        let faults = [
            ProductFault {
                kind: FaultKind::Rework,
                objective_cause: true,
            },
            ProductFault {
                kind: FaultKind::FailedCheck,
                objective_cause: false,
            },
        ];
        let letters = fault_letters(&faults);
        assert_eq!(letters, "Rc");
        let back = unpack(&format!(
            "p\u{1f}k\u{1f}10000\u{1f}10000\u{1f}10000\u{1f}\u{1f}2025-01-02\u{1f}1\u{1f}{letters}"
        ))
        .unwrap()
        .remove(0);
        assert_eq!(back.on_time, Some(true));
        assert_eq!(back.completed.as_deref(), Some("2025-01-02"));
        assert_eq!(back.deadline, None);
        assert_eq!(fault_letters(&back.faults), "Rc");
    }
}
