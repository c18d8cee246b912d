//! Reading a run's results a page at a time: what a reader may see is the
//! query's own condition ([`ResultScope`], given by the access module), and
//! so are the filters, the order and the page, so a request reads the rows
//! it returns and an aggregate's count, never the run.
//!
//! Rows come in two groups. The first holds those whose total the reader
//! sees, best total first; the second those without a total to show
//! (refused, faulted, not evaluated, or a total the reader may not see
//! because a cap bounded it or the unit publishes grades only), by unit and
//! subject: a withheld total's place in a ranking by total would tell it
//! again.

use std::sync::atomic::Ordering as AtomicOrdering;

use sqlx::Row;
use sqlx::any::AnyRow;

use super::runs::{RESULT_COLUMNS_OF, stored_result};
use super::{Backend, Result, Store};
use crate::scoring::StoredResult;

/// Whose results a reader may see, as the store is to select them.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ResultScope {
    /// Everyone's, everything (an admin).
    All,
    /// The people of units that publish them, and besides: everything of
    /// `personal`'s subtree, the people of `people`'s subtree.
    Bounded {
        /// The subtree whose personal details the reader sees.
        personal: Option<String>,
        /// The subtree whose people the reader sees.
        people: Option<String>,
        /// The one subject whose personal details the reader sees: their
        /// own; and whose colleagues' results they see where a unit holding
        /// them publishes inside the agency.
        own: Option<String>,
    },
}

/// Which of a run's results: each filter that is given narrows them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ResultFilter {
    /// The subjects of one unit.
    pub unit: Option<String>,
    /// The subjects of a unit and every unit below it.
    pub subtree: Option<String>,
    /// Those who served in a unit for part of the period and are in
    /// another at its end (the run's parts).
    pub served: Option<String>,
    /// One subject.
    pub subject: Option<String>,
    /// Holding one post.
    pub post: Option<String>,
    /// With this final grade (its code).
    pub grade: Option<String>,
    /// With this outcome (its code).
    pub outcome: Option<String>,
}

/// The order of a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultOrder {
    /// Best total first (the totals the reader may see), then the rest by unit and subject.
    Total,
    /// By name as Vietnamese lists order them; `true` from the end.
    Name(bool),
}

/// A result as read for a reader, with what the reader may see of its unit.
#[derive(Clone, Debug)]
pub struct ScopedResult {
    /// The result; its facts are read only where the reader sees them.
    pub result: StoredResult,
    /// Whether the reader sees the subject's personal details.
    pub personal: bool,
    /// Whether the reader sees the unit's people (published or not).
    pub people: bool,
    /// Whether the unit publishes its people's results: `Some(true)` for
    /// their grades only.
    pub published: Option<bool>,
}

/// Where a streamed read goes on from: after the last row it returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResultCursor {
    /// From the first row.
    Start,
    /// After this row of the ranked group.
    Ranked {
        /// Its total.
        total: i64,
        /// Its subject.
        subject: String,
    },
    /// After this row of the rest.
    Rest {
        /// Its unit.
        unit: String,
        /// Its subject.
        subject: String,
    },
}

impl ResultCursor {
    /// As a reader carries it between pages: `t,TOTAL,SUBJECT` after a
    /// ranked row, `r,UNIT,SUBJECT` after one of the rest (codes and ids
    /// hold no commas).
    pub fn to_text(&self) -> Option<String> {
        match self {
            ResultCursor::Start => None,
            ResultCursor::Ranked { total, subject } => Some(format!("t,{total},{subject}")),
            ResultCursor::Rest { unit, subject } => Some(format!("r,{unit},{subject}")),
        }
    }

    /// Reads [`ResultCursor::to_text`]'s form; `None` if it is not one.
    pub fn from_text(text: &str) -> Option<ResultCursor> {
        let mut parts = text.splitn(3, ',');
        let (kind, key, subject) = (parts.next()?, parts.next()?, parts.next()?);
        if key.is_empty() || subject.is_empty() || subject.contains(',') {
            return None;
        }
        match kind {
            "t" => Some(ResultCursor::Ranked {
                total: key.parse().ok()?,
                subject: subject.to_string(),
            }),
            "r" => Some(ResultCursor::Rest {
                unit: key.to_string(),
                subject: subject.to_string(),
            }),
            _ => None,
        }
    }
}

/// How long a count of a complete run's results is kept.
pub const COUNTS_KEPT_FOR: std::time::Duration = std::time::Duration::from_secs(10);
/// How many counts are kept at most.
const COUNTS_KEPT: usize = 4_096;

/// A count kept: when it was made, and since when a reader has been
/// counting again after it expired.
#[derive(Clone, Copy, Debug)]
pub(super) struct Kept {
    at: std::time::Instant,
    count: ResultCount,
    recounting: Option<std::time::Instant>,
}

/// Counts kept, by run, reader and filter.
pub(super) type KeptCounts = std::collections::HashMap<(u64, i64, ResultScope, ResultFilter), Kept>;

/// How many results the reader may see, and how many of those are ranked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ResultCount {
    /// All of them.
    pub total: u64,
    /// Those in the ranked group (a total the reader sees).
    pub ranked: u64,
}

/// A statement being written: its text and its arguments, each placeholder
/// numbered in the order it first appears.
struct Sql {
    text: String,
    args: Vec<Arg>,
}

enum Arg {
    Text(String),
    Int(i64),
}

impl Sql {
    fn arg(&mut self, a: Arg) -> String {
        self.args.push(a);
        format!("${}", self.args.len())
    }

    fn text(&mut self, v: &str) -> String {
        self.arg(Arg::Text(v.to_string()))
    }

    fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
        let mut q = sqlx::query(&self.text);
        for a in &self.args {
            q = match a {
                Arg::Text(s) => q.bind(s.clone()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        q
    }
}

/// The pieces a results query is made of for one reader and one filter.
struct Parts {
    /// `WITH RECURSIVE …` or empty.
    with: String,
    /// The conditions every row must meet, joined by AND.
    wheres: Vec<String>,
    /// 1 where the reader sees the subject's personal details.
    personal: String,
    /// 1 where the reader sees the unit's people.
    people: String,
    /// Whether a row is in the ranked group.
    ranked: String,
}

/// How a query names what the conditions read: `run_results rr` itself, or
/// its per-unit counts `run_unit_counts c`.
struct Cols {
    /// The table's alias.
    of: &'static str,
    /// Whether the row has a total.
    has_total: &'static str,
    /// Whether no cap applied.
    uncapped: &'static str,
}

const RESULTS: Cols = Cols {
    of: "rr",
    has_total: "rr.total IS NOT NULL",
    uncapped: "rr.caps = '[]'",
};

const COUNTS: Cols = Cols {
    of: "c",
    has_total: "c.has_total = 1",
    uncapped: "c.capped = 0",
};

/// A unit's subtree as a recursive common table expression named `name`.
fn subtree(sql: &mut Sql, name: &str, root: &str) -> String {
    let root = sql.text(root);
    format!(
        "{name}(code) AS (SELECT code FROM units WHERE code = {root} \
         UNION ALL SELECT u.code FROM units u JOIN {name} t ON u.parent = t.code)"
    )
}

/// `own_personal`: whether the reader's own row is theirs in full (false
/// where the table has no subjects: the counts per unit).
fn parts(
    sql: &mut Sql,
    cols: &Cols,
    run: i64,
    scope: &ResultScope,
    filter: &ResultFilter,
    own_personal: bool,
) -> Parts {
    let of = cols.of;
    // Placeholders are numbered in the order they appear in the text (SQLite
    // numbers named parameters so): the common table expressions' first.
    let mut ctes = Vec::new();
    let mut wheres = Vec::new();
    let (personal, people) = match scope {
        // Conditions, not numbers: PostgreSQL wants a boolean in CASE WHEN.
        ResultScope::All => ("(1 = 1)".to_string(), "(1 = 1)".to_string()),
        ResultScope::Bounded {
            personal,
            people,
            own,
        } => {
            let mut personal = match personal {
                Some(root) => {
                    ctes.push(subtree(sql, "personal", root));
                    format!("({of}.unit IN (SELECT code FROM personal))")
                }
                None => "(1 = 0)".to_string(),
            };
            let mut colleagues = None;
            if let Some(subject) = own {
                // A table expression like the subtrees, so its placeholder
                // comes in the text where it is numbered.
                let p = sql.text(subject);
                ctes.push(format!("own(subject) AS (SELECT {p})"));
                if own_personal {
                    personal = format!("({personal} OR {of}.subject IN (SELECT subject FROM own))");
                }
                // The reader's unit and those above it; those of them that
                // publish inside the agency; and every unit below those: the
                // reader's colleagues are the people there.
                ctes.push(
                    "mine(code) AS (SELECT unit FROM subjects WHERE id IN (SELECT subject FROM own) \
                     UNION ALL SELECT u.parent FROM units u JOIN mine m ON u.code = m.code \
                     WHERE u.parent IS NOT NULL)"
                        .to_string(),
                );
                ctes.push(
                    "colleagues(code) AS (SELECT code FROM units \
                     WHERE within_agency <> 0 AND code IN (SELECT code FROM mine) \
                     UNION ALL SELECT u.code FROM units u JOIN colleagues c ON u.parent = c.code)"
                        .to_string(),
                );
                colleagues = Some(format!("({of}.unit IN (SELECT code FROM colleagues))"));
            }
            let mut people = match people {
                Some(root) => {
                    ctes.push(subtree(sql, "people", root));
                    format!("({of}.unit IN (SELECT code FROM people))")
                }
                None => "(1 = 0)".to_string(),
            };
            if let Some(colleagues) = colleagues {
                people = format!("({people} OR {colleagues})");
            }
            wheres.push(format!(
                "(COALESCE(un.publishes_people, 0) <> 0 OR {personal} OR {people})"
            ));
            (personal, people)
        }
    };
    let (has_total, uncapped) = (cols.has_total, cols.uncapped);
    let ranked = match scope {
        ResultScope::All => format!("({has_total})"),
        ResultScope::Bounded { .. } => format!(
            "({has_total} AND ({personal} OR ({uncapped} AND \
             (COALESCE(un.grades_only, 0) = 0 OR {people}))))"
        ),
    };
    if let Some(root) = &filter.subtree {
        ctes.push(subtree(sql, "within", root));
        wheres.push(format!("{of}.unit IN (SELECT code FROM within)"));
    }
    if let Some(unit) = &filter.served {
        // Only rows have subjects: the counts per unit are not read for it.
        let r = sql.arg(Arg::Int(run));
        let u = sql.text(unit);
        let u2 = sql.text(unit);
        wheres.push(format!(
            "{of}.subject IN (SELECT subject FROM run_parts WHERE run_id = {r} AND unit = {u}) \
             AND {of}.unit <> {u2}"
        ));
    }
    let run = sql.arg(Arg::Int(run));
    wheres.insert(0, format!("{of}.run_id = {run}"));
    for (column, value) in [
        ("unit", &filter.unit),
        ("subject", &filter.subject),
        ("post", &filter.post),
        ("grade", &filter.grade),
        ("outcome", &filter.outcome),
    ] {
        if let Some(v) = value {
            let p = sql.text(v);
            wheres.push(format!("{of}.{column} = {p}"));
        }
    }
    let with = if ctes.is_empty() {
        String::new()
    } else {
        format!("WITH RECURSIVE {} ", ctes.join(", "))
    };
    Parts {
        with,
        wheres,
        personal,
        people,
        ranked,
    }
}

/// As a query's integer column: 1 where `cond` holds.
fn flag(cond: &str) -> String {
    format!("CAST(CASE WHEN {cond} THEN 1 ELSE 0 END AS BIGINT)")
}

impl Store {
    /// Rows of results read so far by this store, for the read path's test
    /// and `/metrics`: a request should add what it returns, not the run.
    pub fn results_read(&self) -> u64 {
        self.results_read.load(AtomicOrdering::Relaxed)
    }

    pub(super) fn count_read(&self, n: usize) {
        self.results_read
            .fetch_add(n as u64, AtomicOrdering::Relaxed);
    }

    /// How many of complete run `run`'s results `scope` sees through
    /// `filter`, as [`Store::count_results`] counts them, kept for
    /// [`COUNTS_KEPT_FOR`]: a complete run's results never change, and what a
    /// reader may see of them changes only with the organisation, which a
    /// count then follows within that time (as a revoked token is refused
    /// within 10 s on another host).
    /// `generation` names the organisation as this host last changed it:
    /// a count made before a change is not used after it.
    pub async fn count_complete_results(
        &self,
        generation: u64,
        run: i64,
        scope: &ResultScope,
        filter: &ResultFilter,
    ) -> Result<ResultCount> {
        let key = (generation, run, scope.clone(), filter.clone());
        if let Some(k) = self.counts.lock().unwrap().get_mut(&key) {
            if k.at.elapsed() < COUNTS_KEPT_FOR {
                return Ok(k.count);
            }
            // Expired: one reader counts again while the others are given
            // the count as it was (a count takes tens of milliseconds on the
            // national run: sixty-four readers counting at once is seconds
            // of work). A recount abandoned (its request gone) is taken over.
            if k.recounting
                .is_some_and(|since| since.elapsed() < COUNTS_KEPT_FOR)
            {
                return Ok(k.count);
            }
            k.recounting = Some(std::time::Instant::now());
        }
        let count = self.count_results(run, scope, filter).await;
        let mut kept = self.counts.lock().unwrap();
        let count = match count {
            Ok(count) => count,
            Err(e) => {
                if let Some(k) = kept.get_mut(&key) {
                    k.recounting = None;
                }
                return Err(e);
            }
        };
        if kept.len() >= COUNTS_KEPT {
            kept.retain(|_, k| k.at.elapsed() < COUNTS_KEPT_FOR);
            if kept.len() >= COUNTS_KEPT {
                kept.clear();
            }
        }
        kept.insert(
            key,
            Kept {
                at: std::time::Instant::now(),
                count,
                recounting: None,
            },
        );
        Ok(count)
    }

    /// How many of run `run`'s results `scope` sees through `filter`: a sum
    /// of the run's per-unit counts (written with its results), or, for one
    /// subject or a run stored before the counts were, a count of the rows.
    pub async fn count_results(
        &self,
        run: i64,
        scope: &ResultScope,
        filter: &ResultFilter,
    ) -> Result<ResultCount> {
        let counted = filter.subject.is_none()
            && filter.served.is_none()
            && sqlx::query("SELECT 1 AS one FROM run_unit_counts WHERE run_id = $1 LIMIT 1")
                .bind(run)
                .fetch_optional(self.pool())
                .await?
                .is_some();
        let ResultScope::Bounded {
            own: Some(subject), ..
        } = scope
        else {
            return self.count_with(counted, true, run, scope, filter).await;
        };
        if !counted {
            return self.count_with(false, true, run, scope, filter).await;
        }
        // The counts per unit know nothing of one subject: count as if the
        // reader's own row were not theirs in full, then add what it changes
        // (read by its key).
        let base = self.count_with(true, false, run, scope, filter).await?;
        let only = ResultFilter {
            subject: Some(subject.clone()),
            ..filter.clone()
        };
        let with = self.count_with(false, true, run, scope, &only).await?;
        let without = self.count_with(false, false, run, scope, &only).await?;
        Ok(ResultCount {
            total: base.total + with.total - without.total,
            ranked: base.ranked + with.ranked - without.ranked,
        })
    }

    async fn count_with(
        &self,
        counted: bool,
        own_personal: bool,
        run: i64,
        scope: &ResultScope,
        filter: &ResultFilter,
    ) -> Result<ResultCount> {
        let mut sql = Sql {
            text: String::new(),
            args: Vec::new(),
        };
        let (cols, n, from) = if counted {
            (
                &COUNTS,
                "c.n",
                "run_unit_counts c LEFT JOIN units un ON un.code = c.unit",
            )
        } else {
            (
                &RESULTS,
                "1",
                "run_results rr LEFT JOIN units un ON un.code = rr.unit",
            )
        };
        let p = parts(&mut sql, cols, run, scope, filter, own_personal);
        sql.text = format!(
            "{}SELECT CAST(COALESCE(SUM({n}), 0) AS BIGINT) AS n, \
             CAST(COALESCE(SUM(CASE WHEN {} THEN {n} ELSE 0 END), 0) AS BIGINT) AS ranked \
             FROM {from} WHERE {}",
            p.with,
            p.ranked,
            p.wheres.join(" AND ")
        );
        let row = sql.query().fetch_one(self.pool()).await?;
        let n: i64 = row.try_get("n")?;
        let ranked: i64 = row.try_get("ranked")?;
        Ok(ResultCount {
            total: n as u64,
            ranked: ranked as u64,
        })
    }

    /// Up to `limit` of run `run`'s results that `scope` sees through
    /// `filter`, in `order`, from the `offset`th (`count` is what
    /// [`Store::count_results`] answered for the same reader and filter).
    #[allow(clippy::too_many_arguments)]
    pub async fn results_page(
        &self,
        run: i64,
        scope: &ResultScope,
        filter: &ResultFilter,
        order: ResultOrder,
        count: ResultCount,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<ScopedResult>> {
        if let ResultOrder::Name(backwards) = order {
            return self
                .select(run, scope, filter, Select::Name(backwards), offset, limit)
                .await;
        }
        let mut rows = Vec::new();
        if offset < count.ranked {
            rows = self
                .select(run, scope, filter, Select::Ranked(None), offset, limit)
                .await?;
        }
        let taken = rows.len() as u64;
        if taken < limit {
            let from = offset.saturating_sub(count.ranked);
            rows.extend(
                self.select(run, scope, filter, Select::Rest(None), from, limit - taken)
                    .await?,
            );
        }
        Ok(rows)
    }

    /// Up to `limit` results after `cursor`, best total first then the
    /// rest, for a reader streaming all they see: each call reads from an
    /// index where the last one stopped.
    pub async fn results_after(
        &self,
        run: i64,
        scope: &ResultScope,
        filter: &ResultFilter,
        cursor: &ResultCursor,
        limit: u64,
    ) -> Result<(Vec<ScopedResult>, ResultCursor)> {
        let mut rows = Vec::new();
        if let ResultCursor::Start | ResultCursor::Ranked { .. } = cursor {
            let after = match cursor {
                ResultCursor::Ranked { total, subject } => Some((*total, subject.as_str())),
                _ => None,
            };
            rows = self
                .select(run, scope, filter, Select::Ranked(after), 0, limit)
                .await?;
        }
        let taken = rows.len() as u64;
        if taken < limit {
            let after = match cursor {
                ResultCursor::Rest { unit, subject } => Some((unit.as_str(), subject.as_str())),
                _ => None,
            };
            rows.extend(
                self.select(run, scope, filter, Select::Rest(after), 0, limit - taken)
                    .await?,
            );
        }
        let next = match rows.last() {
            Some(last) if rows.len() as u64 > taken => ResultCursor::Rest {
                unit: last.result.unit.clone(),
                subject: last.result.subject.clone(),
            },
            Some(last) => ResultCursor::Ranked {
                total: last.result.total.unwrap_or_default(),
                subject: last.result.subject.clone(),
            },
            None => cursor.clone(),
        };
        Ok((rows, next))
    }

    #[allow(clippy::too_many_arguments)]
    async fn select(
        &self,
        run: i64,
        scope: &ResultScope,
        filter: &ResultFilter,
        which: Select<'_>,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<ScopedResult>> {
        let mut sql = Sql {
            text: String::new(),
            args: Vec::new(),
        };
        let mut p = parts(&mut sql, &RESULTS, run, scope, filter, true);
        let mut join = String::new();
        let order = match which {
            Select::Ranked(after) => {
                p.wheres.push(p.ranked.clone());
                if let Some((total, subject)) = after {
                    // The bound on its own as well: with parameters, SQLite
                    // finds no range in the OR and walks from the top.
                    let t0 = sql.arg(Arg::Int(total));
                    let t = sql.arg(Arg::Int(total));
                    let t2 = sql.arg(Arg::Int(total));
                    let s = sql.text(subject);
                    p.wheres.push(format!(
                        "rr.total <= {t0} AND (rr.total < {t} OR (rr.total = {t2} AND rr.subject > {s}))"
                    ));
                }
                // One unit or one subject is a handful of rows: read them by
                // that index and sort them, never walk the run by total.
                if filter.unit.is_some() || filter.subject.is_some() || filter.served.is_some() {
                    "rr.total + 0 DESC, rr.subject".to_string()
                } else {
                    "rr.total DESC, rr.subject".to_string()
                }
            }
            Select::Rest(after) => {
                p.wheres.push(format!("NOT {}", p.ranked));
                if let Some((unit, subject)) = after {
                    let u0 = sql.text(unit);
                    let u = sql.text(unit);
                    let u2 = sql.text(unit);
                    let s = sql.text(subject);
                    p.wheres.push(format!(
                        "rr.unit >= {u0} AND (rr.unit > {u} OR (rr.unit = {u2} AND rr.subject > {s}))"
                    ));
                }
                "rr.unit, rr.subject".to_string()
            }
            Select::Name(backwards) => {
                join = " LEFT JOIN subjects s ON s.id = rr.subject".into();
                // Keys are compared byte by byte on both databases.
                let collate = match self.backend() {
                    Backend::Postgres => " COLLATE \"C\"",
                    Backend::Sqlite => "",
                };
                let dir = if backwards { "DESC" } else { "ASC" };
                format!("COALESCE(s.name_key, ''){collate} {dir}, rr.subject {dir}")
            }
        };
        // One unit's rows are read by the unit's index: SQLite would
        // otherwise walk the whole run down the total index, which holds the
        // unit too, to find them.
        let table = match (self.backend(), &filter.unit) {
            (Backend::Sqlite, Some(_)) => "run_results rr INDEXED BY run_results_unit",
            _ => "run_results rr",
        };
        let limit = sql.arg(Arg::Int(limit.min(i64::MAX as u64) as i64));
        let offset = sql.arg(Arg::Int(offset.min(i64::MAX as u64) as i64));
        // Facts are personal: read only where the reader sees them.
        let facts = format!(
            "CASE WHEN {} THEN rr.facts ELSE '' END AS facts",
            p.personal
        );
        sql.text = format!(
            "{}SELECT {}, {facts}, {} AS sees_personal, {} AS sees_people, \
             un.publishes_people, un.grades_only \
             FROM {table} LEFT JOIN units un ON un.code = rr.unit{join} \
             WHERE {} ORDER BY {order} LIMIT {limit} OFFSET {offset}",
            p.with,
            RESULT_COLUMNS_OF,
            flag(&p.personal),
            flag(&p.people),
            p.wheres.join(" AND "),
        );
        let rows = sql.query().fetch_all(self.pool()).await?;
        self.count_read(rows.len());
        rows.iter().map(scoped).collect()
    }
}

/// Which rows a select reads, and after which.
#[derive(Clone, Copy)]
enum Select<'a> {
    Ranked(Option<(i64, &'a str)>),
    Rest(Option<(&'a str, &'a str)>),
    Name(bool),
}

fn scoped(r: &AnyRow) -> Result<ScopedResult> {
    let result = stored_result(r)?;
    let publishes: Option<i64> = r.try_get("publishes_people")?;
    let grades_only: Option<i64> = r.try_get("grades_only")?;
    Ok(ScopedResult {
        result,
        personal: r.try_get::<i64, _>("sees_personal")? != 0,
        people: r.try_get::<i64, _>("sees_people")? != 0,
        published: publishes
            .filter(|p| *p != 0)
            .map(|_| grades_only.unwrap_or(0) != 0),
    })
}

/// One official period of a unit: how many of its people got each grade.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitPeriod {
    /// The official run.
    pub run: i64,
    /// Its period.
    pub period: String,
    /// The final grade (its code; none for not graded).
    pub grade: Option<String>,
    /// How many got it.
    pub count: i64,
    /// The sum of their totals.
    pub total_sum: i64,
}

/// One official period of a subject: the run that scored them there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubjectPeriod {
    /// The official run.
    pub run: i64,
    /// Its period.
    pub period: String,
}

impl Store {
    /// The people of `unit` scored in each official run in force, by final
    /// grade: an aggregate of the unit's rows in each, read from the index
    /// of a run's units.
    pub async fn unit_trend(&self, unit: &str) -> Result<Vec<UnitPeriod>> {
        let rows = sqlx::query(
            "SELECT o.run_id, ru.period, rr.grade, COUNT(*) AS n, CAST(COALESCE(SUM(rr.total), 0) AS BIGINT) AS total_sum \
             FROM official_runs o JOIN runs ru ON ru.id = o.run_id \
             JOIN run_results rr ON rr.run_id = o.run_id AND rr.unit = $1 \
             WHERE o.unlocked_at IS NULL AND rr.outcome = 'scored' \
             GROUP BY o.run_id, ru.period, rr.grade ORDER BY ru.period, o.run_id",
        )
        .bind(unit.to_string())
        .fetch_all(self.pool())
        .await?;
        super::read(&rows, |r| {
            Ok(UnitPeriod {
                run: r.try_get("run_id")?,
                period: r.try_get("period")?,
                grade: r.try_get("grade")?,
                count: r.try_get("n")?,
                total_sum: r.try_get("total_sum")?,
            })
        })
    }

    /// The official runs in force that hold a result for `subject`, by
    /// period: one lookup of the key (run, subject) per official run.
    pub async fn subject_periods(&self, subject: &str) -> Result<Vec<SubjectPeriod>> {
        let rows = sqlx::query(
            "SELECT o.run_id, ru.period FROM official_runs o JOIN runs ru ON ru.id = o.run_id \
             JOIN run_results rr ON rr.run_id = o.run_id AND rr.subject = $1 \
             WHERE o.unlocked_at IS NULL ORDER BY ru.period, o.run_id",
        )
        .bind(subject.to_string())
        .fetch_all(self.pool())
        .await?;
        super::read(&rows, |r| {
            Ok(SubjectPeriod {
                run: r.try_get("run_id")?,
                period: r.try_get("period")?,
            })
        })
    }
}
