//! The run_parts table: where a subject served over a run's period when
//! they moved within it, and the moves a run reads to find those stretches.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::bulk::{self, Cell};
use super::{Result, Store, Tx, read};

/// The `until` of a subject's place now: after every month.
pub const NOW: &str = "9999-12";

/// A place a subject held: the unit and post they had in the months before
/// `until` (the first month of the next place; [`NOW`] for where they are).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MoveRow {
    /// The subject.
    pub subject: String,
    /// `YYYY-MM`: the first month they were no longer here.
    pub until: String,
    /// The unit they were in.
    pub unit: String,
    /// The post they held.
    pub post: String,
}

/// A stretch of a run's period that a subject served in one unit and post.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Part {
    /// `YYYY-MM` of its first month.
    pub first_month: String,
    /// `YYYY-MM` of its last month.
    pub last_month: String,
    /// The unit.
    pub unit: String,
    /// The post.
    pub post: String,
}

fn part(r: &sqlx::any::AnyRow) -> Result<(String, Part), sqlx::Error> {
    Ok((
        r.try_get("subject")?,
        Part {
            first_month: r.try_get("first_month")?,
            last_month: r.try_get("last_month")?,
            unit: r.try_get("unit")?,
            post: r.try_get("post")?,
        },
    ))
}

impl Store {
    /// Every place held by the subjects who moved within the months
    /// `first`..=`last`, from the one they held in `first` on, by subject
    /// then month, each one's place now last (its `until` is [`NOW`]): as
    /// many rows as there were moves, not subjects.
    pub async fn moves_within(&self, first: &str, last: &str) -> Result<Vec<MoveRow>> {
        let rows = sqlx::query(
            "WITH movers AS (SELECT DISTINCT m.subject FROM subject_history m \
               WHERE m.until_period > $1 AND m.until_period <= $2) \
             SELECT h.subject, h.until_period, h.unit, h.post FROM subject_history h \
             WHERE h.until_period > $3 AND h.subject IN (SELECT subject FROM movers) \
             UNION ALL \
             SELECT s.id AS subject, $4 AS until_period, s.unit, s.post FROM subjects s \
             WHERE s.id IN (SELECT subject FROM movers) \
             ORDER BY subject, until_period",
        )
        .bind(first.to_string())
        .bind(last.to_string())
        .bind(first.to_string())
        .bind(NOW.to_string())
        .fetch_all(self.pool())
        .await?;
        read(&rows, |r| {
            Ok(MoveRow {
                subject: r.try_get("subject")?,
                until: r.try_get("until_period")?,
                unit: r.try_get("unit")?,
                post: r.try_get("post")?,
            })
        })
    }

    /// Whether run `run` wrote its parts (runs from before them did not).
    pub async fn run_parts_recorded(&self, run: i64) -> Result<bool> {
        let row = sqlx::query("SELECT parts_recorded FROM runs WHERE id = $1")
            .bind(run)
            .fetch_optional(self.pool())
            .await?;
        Ok(match row {
            Some(r) => r.try_get::<i64, _>("parts_recorded")? != 0,
            None => false,
        })
    }

    /// A run's parts, by subject then month: every mover's (verify reads
    /// them all, as it reads the run), or only those of `subjects`.
    pub async fn run_parts(
        &self,
        run: i64,
        subjects: Option<&[&str]>,
    ) -> Result<Vec<(String, Part)>> {
        let columns = "subject, first_month, last_month, unit, post";
        let rows = match subjects {
            None => sqlx::query(&format!(
                "SELECT {columns} FROM run_parts WHERE run_id = $1 ORDER BY subject, first_month"
            ))
            .bind(run)
            .fetch_all(self.pool())
            .await?,
            Some([]) => return Ok(Vec::new()),
            Some(ids) => {
                // Numbered placeholders: SQLite reads `$k` by its number.
                let marks: Vec<String> = (0..ids.len()).map(|k| format!("${}", k + 2)).collect();
                let sql = format!(
                    "SELECT {columns} FROM run_parts WHERE run_id = $1 AND subject IN ({}) \
                     ORDER BY subject, first_month",
                    marks.join(", ")
                );
                let mut query = sqlx::query(&sql).bind(run);
                for id in ids {
                    query = query.bind(id.to_string());
                }
                query.fetch_all(self.pool()).await?
            }
        };
        read(&rows, part)
    }
}

impl Tx {
    /// Stores a run's parts.
    pub async fn insert_run_parts(&mut self, run: i64, parts: &[(String, Part)]) -> Result<u64> {
        let rows = parts.iter().map(|(subject, p)| {
            vec![
                Cell::Int(run),
                Cell::Text(subject.clone()),
                Cell::Text(p.first_month.clone()),
                Cell::Text(p.last_month.clone()),
                Cell::Text(p.unit.clone()),
                Cell::Text(p.post.clone()),
            ]
        });
        let rows: Vec<Vec<Cell>> = rows.collect();
        Ok(bulk::insert(
            self.conn(),
            "INSERT INTO run_parts (run_id, subject, first_month, last_month, unit, post)",
            "",
            rows,
        )
        .await?)
    }
}
