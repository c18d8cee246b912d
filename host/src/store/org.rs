//! The organisation's tables: units, posts, subjects.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use sqlx::Row;

use super::bulk::{self, Cell};
use super::{Result, Store, Tx, read};

/// A unit as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnitRow {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its kind: `commune`, `tax-team`, …
    pub kind: String,
    /// The unit above it.
    pub parent: Option<String>,
    /// Whether it publishes per-person results.
    pub publishes_people: bool,
    /// Whether what it publishes of each person is their grade only.
    pub grades_only: bool,
    /// Whether it shows its people's results to the people signed in within it.
    pub within_agency: bool,
    /// The posts whose holders lead it.
    pub leader_posts: Vec<String>,
}

/// Posts as stored: codes joined by commas (codes never hold one).
pub fn join_posts(posts: &[String]) -> String {
    posts.join(",")
}

fn split_posts(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// A subject as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SubjectRow {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// `person` or `unit`.
    pub kind: String,
    /// The unit it is in.
    pub unit: String,
    /// Its post.
    pub post: String,
    /// Months worked in the year, if recorded.
    pub months_worked: Option<i64>,
    /// Months absent in the year, if recorded.
    pub months_absent: Option<i64>,
    /// Their direct manager's subject id, if recorded.
    pub manager: Option<String>,
}

/// A unit as a run sees it: its place in the tree, without its publishing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitNode {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its kind: `commune`, `tax-team`, …
    pub kind: String,
    /// The unit above it.
    pub parent: Option<String>,
}

impl Store {
    /// Whether a unit with this code exists.
    pub async fn unit_exists(&self, code: &str) -> Result<bool> {
        Ok(sqlx::query("SELECT code FROM units WHERE code = $1")
            .bind(code.to_string())
            .fetch_optional(self.pool())
            .await?
            .is_some())
    }

    /// Every unit, by code.
    pub async fn units(&self) -> Result<Vec<UnitRow>> {
        units_on(self.pool()).await
    }

    /// Every unit, each under the parent it had in the month `at`.
    pub async fn units_at(&self, at: &str) -> Result<Vec<UnitRow>> {
        let mut units = units_on(self.pool()).await?;
        let rows = sqlx::query(
            "SELECT h.unit, h.parent FROM unit_history h WHERE h.until_period = \
             (SELECT MIN(q.until_period) FROM unit_history q WHERE q.unit = h.unit AND q.until_period > $1)",
        )
        .bind(at.to_string())
        .fetch_all(self.pool())
        .await?;
        let before: HashMap<String, Option<String>> =
            read(&rows, |r| Ok((r.try_get("unit")?, r.try_get("parent")?)))?;
        for u in &mut units {
            if let Some(parent) = before.get(&u.code) {
                u.parent = parent.clone();
            }
        }
        Ok(units)
    }

    /// The units that publish per-person results: each one's code, and
    /// whether it publishes grades only.
    pub async fn publishing_units(&self) -> Result<HashMap<String, bool>> {
        let rows = sqlx::query("SELECT code, grades_only FROM units WHERE publishes_people <> 0")
            .fetch_all(self.pool())
            .await?;
        read(&rows, |r| {
            Ok((r.try_get("code")?, r.try_get::<i64, _>("grades_only")? != 0))
        })
    }

    /// Writes the sort key and folded names of every subject, and the folded
    /// name of every unit, stored before they were (see org/names.rs), a
    /// batch at a time; on a database that has them all, two reads that
    /// find none.
    pub(super) async fn fill_name_keys(&self) -> Result<(), sqlx::Error> {
        use crate::org::names::{fold, given_first, name_key};
        loop {
            let rows = sqlx::query(
                "SELECT id, name FROM subjects WHERE name_key IS NULL OR name_folded IS NULL LIMIT 5000",
            )
            .fetch_all(self.pool())
            .await?;
            if rows.is_empty() {
                break;
            }
            let mut tx = self.pool().begin().await?;
            for r in &rows {
                let id: String = r.try_get("id")?;
                let name: String = r.try_get("name")?;
                let folded = fold(&name);
                sqlx::query(
                    "UPDATE subjects SET name_key = $1, name_folded = $2, given_folded = $3 WHERE id = $4",
                )
                .bind(name_key(&name))
                .bind(given_first(&folded))
                .bind(folded)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        }
        let rows = sqlx::query("SELECT code, name FROM units WHERE name_folded IS NULL")
            .fetch_all(self.pool())
            .await?;
        let mut tx = self.pool().begin().await?;
        for r in &rows {
            let code: String = r.try_get("code")?;
            let name: String = r.try_get("name")?;
            sqlx::query("UPDATE units SET name_folded = $1 WHERE code = $2")
                .bind(fold(&name))
                .bind(code)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await
    }

    /// Subjects' names by id: of one unit, or of all.
    pub async fn subject_names(&self, unit: Option<&str>) -> Result<HashMap<String, String>> {
        let query = match unit {
            Some(u) => {
                sqlx::query("SELECT id, name FROM subjects WHERE unit = $1").bind(u.to_string())
            }
            None => sqlx::query("SELECT id, name FROM subjects"),
        };
        let rows = query.fetch_all(self.pool()).await?;
        read(&rows, |r| Ok((r.try_get("id")?, r.try_get("name")?)))
    }

    /// The names of the subjects `ids` (those that exist), by id.
    pub async fn subject_names_of(&self, ids: &[&str]) -> Result<HashMap<String, String>> {
        self.names_of("SELECT id AS code, name FROM subjects WHERE id IN", ids)
            .await
    }

    /// The names of the units `codes` (those that exist), by code.
    pub async fn unit_names_of(&self, codes: &[&str]) -> Result<HashMap<String, String>> {
        self.names_of("SELECT code, name FROM units WHERE code IN", codes)
            .await
    }

    /// `select` (`… WHERE key IN`) of `keys`, a bounded batch at a time.
    async fn names_of(&self, select: &str, keys: &[&str]) -> Result<HashMap<String, String>> {
        let mut names = HashMap::with_capacity(keys.len());
        let mut conn = self.pool().acquire().await?;
        for batch in keys.chunks(500) {
            let sql = format!("{select} ({})", super::placeholders(&conn, 1, batch.len()));
            let mut query = sqlx::query(&sql);
            for k in batch {
                query = query.bind(k.to_string());
            }
            for r in query.fetch_all(&mut *conn).await? {
                names.insert(r.try_get("code")?, r.try_get("name")?);
            }
        }
        Ok(names)
    }

    /// One subject's name, if they exist.
    pub async fn subject_name(&self, id: &str) -> Result<Option<String>> {
        Ok(sqlx::query("SELECT name FROM subjects WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?
            .map(|r| r.try_get("name"))
            .transpose()?)
    }

    /// Posts' titles by code.
    pub async fn post_titles(&self) -> Result<HashMap<String, String>> {
        let rows = sqlx::query("SELECT code, title FROM posts")
            .fetch_all(self.pool())
            .await?;
        read(&rows, |r| Ok((r.try_get("code")?, r.try_get("title")?)))
    }

    /// One post's title, if it exists.
    pub async fn post_title(&self, code: &str) -> Result<Option<String>> {
        Ok(sqlx::query("SELECT title FROM posts WHERE code = $1")
            .bind(code.to_string())
            .fetch_optional(self.pool())
            .await?
            .map(|r| r.try_get("title"))
            .transpose()?)
    }
}

impl Store {
    /// Every unit with its name, kind and parent, in no particular order.
    pub async fn unit_nodes(&self) -> Result<Vec<UnitNode>> {
        let rows = sqlx::query("SELECT code, name, kind, parent FROM units")
            .fetch_all(self.pool())
            .await?;
        read(&rows, |r| {
            Ok(UnitNode {
                code: r.try_get("code")?,
                name: r.try_get("name")?,
                kind: r.try_get("kind")?,
                parent: r.try_get("parent")?,
            })
        })
    }

    /// Every subject's unit, by subject id.
    pub async fn subject_units(&self) -> Result<HashMap<String, String>> {
        subject_units_on(self.pool()).await
    }
}

impl Tx {
    /// Every unit, by code, as this transaction sees them.
    pub async fn units(&mut self) -> Result<Vec<UnitRow>> {
        units_on(self.conn()).await
    }

    /// The codes of every post, as this transaction sees them.
    pub async fn post_codes(&mut self) -> Result<HashSet<String>> {
        let rows = sqlx::query("SELECT code FROM posts")
            .fetch_all(self.conn())
            .await?;
        read(&rows, |r| r.try_get("code"))
    }

    /// Every subject's unit, by subject id, as this transaction sees them.
    pub async fn subject_units(&mut self) -> Result<HashMap<String, String>> {
        subject_units_on(self.conn()).await
    }

    /// Writes units (code, name, name_folded, kind, parent,
    /// publishes_people, grades_only, within_agency, leader_posts), replacing
    /// those with the same code; rows must put parents first. How many rows.
    pub async fn upsert_units(&mut self, rows: impl IntoIterator<Item = Vec<Cell>>) -> Result<u64> {
        Ok(bulk::insert(
            self.conn(),
            "INSERT INTO units (code, name, name_folded, kind, parent, publishes_people, grades_only, within_agency, leader_posts)",
            "ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_folded = excluded.name_folded, kind = excluded.kind, parent = excluded.parent, \
             publishes_people = excluded.publishes_people, grades_only = excluded.grades_only, \
             within_agency = excluded.within_agency, \
             leader_posts = excluded.leader_posts",
            rows,
        )
        .await?)
    }

    /// Writes posts (code, title, task_group, category), replacing those
    /// with the same code. How many rows.
    pub async fn upsert_posts(&mut self, rows: impl IntoIterator<Item = Vec<Cell>>) -> Result<u64> {
        Ok(bulk::insert(
            self.conn(),
            "INSERT INTO posts (code, title, task_group, category)",
            "ON CONFLICT (code) DO UPDATE SET title = excluded.title, task_group = excluded.task_group, \
             category = excluded.category",
            rows,
        )
        .await?)
    }
}

async fn units_on<'e>(on: impl sqlx::Executor<'e, Database = sqlx::Any>) -> Result<Vec<UnitRow>> {
    let rows = sqlx::query(
        "SELECT code, name, kind, parent, publishes_people, grades_only, within_agency, leader_posts FROM units ORDER BY code",
    )
    .fetch_all(on)
    .await?;
    read(&rows, |r| {
        Ok(UnitRow {
            code: r.try_get("code")?,
            name: r.try_get("name")?,
            kind: r.try_get("kind")?,
            parent: r.try_get("parent")?,
            publishes_people: r.try_get::<i64, _>("publishes_people")? != 0,
            grades_only: r.try_get::<i64, _>("grades_only")? != 0,
            within_agency: r.try_get::<i64, _>("within_agency")? != 0,
            leader_posts: split_posts(&r.try_get::<String, _>("leader_posts")?),
        })
    })
}

async fn subject_units_on<'e>(
    on: impl sqlx::Executor<'e, Database = sqlx::Any>,
) -> Result<HashMap<String, String>> {
    let rows = sqlx::query("SELECT id, unit FROM subjects")
        .fetch_all(on)
        .await?;
    read(&rows, |r| Ok((r.try_get("id")?, r.try_get("unit")?)))
}

/// A subject of an organisation document being imported, as staged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StagedSubject {
    /// Its place in the document's subjects, from 0.
    pub seq: i64,
    /// Where it is in the document: `subjects[12] (id)`.
    pub at: String,
    /// The subject, as the document gives it.
    pub row: SubjectRow,
}

impl Tx {
    /// Makes this transaction's staging table for an organisation import's
    /// subjects (deferred, seq, at, id, name, kind, unit, post,
    /// months_worked, months_absent, manager; `deferred` 1 for those still to be
    /// checked against the tree): they go there as they are read, so the import's
    /// memory does not grow with the document. Gone when the transaction
    /// ends (dropped on PostgreSQL at commit; on SQLite by
    /// [`Tx::drop_staged_subjects`], and with a rollback).
    pub async fn stage_subjects(&mut self) -> Result<()> {
        let columns = "deferred BIGINT NOT NULL, at TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, name_key TEXT NOT NULL, name_folded TEXT NOT NULL, given_folded TEXT NOT NULL, kind TEXT NOT NULL, \
             unit TEXT NOT NULL, post TEXT NOT NULL, months_worked BIGINT, months_absent BIGINT, manager TEXT";
        let sql = if self.conn().backend_name() == "PostgreSQL" {
            format!(
                "CREATE TEMP TABLE staged_subjects (seq BIGINT PRIMARY KEY, {columns}) ON COMMIT DROP"
            )
        } else {
            format!("CREATE TEMP TABLE staged_subjects (seq INTEGER PRIMARY KEY, {columns})")
        };
        sqlx::query(&sql).execute(self.conn()).await?;
        Ok(())
    }

    /// Stages subjects (deferred, seq, at, id, name, name_key, name_folded,
    /// given_folded, kind, unit, post, months_worked, months_absent, manager).
    pub async fn insert_staged_subjects(
        &mut self,
        rows: impl IntoIterator<Item = Vec<Cell>>,
    ) -> Result<u64> {
        Ok(bulk::insert(
            self.conn(),
            "INSERT INTO staged_subjects (deferred, seq, at, id, name, name_key, name_folded, given_folded, kind, unit, post, months_worked, months_absent, manager)",
            "",
            rows,
        )
        .await?)
    }

    /// Indexes the staged subjects by id, once they are all in.
    pub async fn index_staged_subjects(&mut self) -> Result<()> {
        sqlx::query("CREATE INDEX staged_subjects_id ON staged_subjects (id, seq)")
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Where the first `limit` staged subjects are whose id an earlier one
    /// has already, in document order, and how many there are in all.
    pub async fn staged_subject_repeats(&mut self, limit: i64) -> Result<(Vec<String>, i64)> {
        const REPEATS: &str = "WITH firsts AS (SELECT id, MIN(seq) AS seq FROM staged_subjects \
             GROUP BY id HAVING COUNT(*) > 1) \
             FROM firsts f JOIN staged_subjects b ON b.id = f.id AND b.seq > f.seq";
        let rows = sqlx::query(&format!(
            "{} ORDER BY b.seq LIMIT $1",
            REPEATS.replacen("FROM firsts f", "SELECT b.at FROM firsts f", 1)
        ))
        .bind(limit)
        .fetch_all(self.conn())
        .await?;
        let at: Vec<String> = read(&rows, |r| r.try_get("at"))?;
        let total = if (at.len() as i64) < limit {
            at.len() as i64
        } else {
            sqlx::query(&REPEATS.replacen("FROM firsts f", "SELECT COUNT(*) AS n FROM firsts f", 1))
                .fetch_one(self.conn())
                .await?
                .try_get("n")?
        };
        Ok((at, total))
    }

    /// Up to `limit` staged subjects still to be checked, after `after` (a
    /// seq), in document order.
    pub async fn deferred_subjects(
        &mut self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<StagedSubject>> {
        let rows = sqlx::query(
            "SELECT seq, at, id, name, kind, unit, post, months_worked, months_absent, manager \
             FROM staged_subjects WHERE deferred = 1 AND seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(self.conn())
        .await?;
        read(&rows, staged_subject)
    }

    /// How many staged subjects are stored already.
    pub async fn staged_subjects_stored(&mut self) -> Result<i64> {
        Ok(sqlx::query(
            "SELECT COUNT(*) AS n FROM staged_subjects st JOIN subjects s ON s.id = st.id",
        )
        .fetch_one(self.conn())
        .await?
        .try_get("n")?)
    }

    /// Up to `limit` staged subjects after `after` (a seq) that are stored
    /// already with other values, in document order, each with the stored
    /// subject.
    pub async fn staged_subject_changes(
        &mut self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<(StagedSubject, SubjectRow)>> {
        let rows = sqlx::query(
            "SELECT st.seq, st.at, st.id, st.name, st.kind, st.unit, st.post, st.months_worked, st.months_absent, st.manager, \
             s.name AS s_name, s.kind AS s_kind, s.unit AS s_unit, s.post AS s_post, \
             s.months_worked AS s_months_worked, s.months_absent AS s_months_absent, s.manager AS s_manager \
             FROM staged_subjects st JOIN subjects s ON s.id = st.id \
             WHERE st.seq > $1 AND (st.name <> s.name OR st.kind <> s.kind OR st.unit <> s.unit OR st.post <> s.post \
             OR COALESCE(st.months_worked, -1) <> COALESCE(s.months_worked, -1) \
             OR COALESCE(st.months_absent, -1) <> COALESCE(s.months_absent, -1) \
             OR COALESCE(st.manager, '') <> COALESCE(s.manager, '')) \
             ORDER BY st.seq LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(self.conn())
        .await?;
        read(&rows, |r| {
            let staged = staged_subject(r)?;
            let stored = SubjectRow {
                id: staged.row.id.clone(),
                name: r.try_get("s_name")?,
                kind: r.try_get("s_kind")?,
                unit: r.try_get("s_unit")?,
                post: r.try_get("s_post")?,
                months_worked: r.try_get("s_months_worked")?,
                months_absent: r.try_get("s_months_absent")?,
                manager: r.try_get("s_manager")?,
            };
            Ok((staged, stored))
        })
    }

    /// The stored subjects among `ids` (a page's: at most a few thousand,
    /// so one statement's parameters hold them).
    pub async fn subjects_of(&mut self, ids: &[&str]) -> Result<Vec<SubjectRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT id, name, kind, unit, post, months_worked, months_absent, manager FROM subjects WHERE id IN ({})",
            super::placeholders(self.conn(), 1, ids.len())
        );
        let mut query = sqlx::query(&sql);
        for id in ids {
            query = query.bind(id.to_string());
        }
        let rows = query.fetch_all(self.conn()).await?;
        read(&rows, subject_row)
    }

    /// Writes every staged subject into `subjects`, replacing those with the
    /// same id, in one statement. How many rows.
    pub async fn upsert_staged_subjects(&mut self) -> Result<u64> {
        // `WHERE true` keeps SQLite from reading ON CONFLICT as a join's ON.
        let done = sqlx::query(
            "INSERT INTO subjects (id, name, name_key, name_folded, given_folded, kind, unit, post, months_worked, months_absent, manager) \
             SELECT id, name, name_key, name_folded, given_folded, kind, unit, post, months_worked, months_absent, manager FROM staged_subjects \
             WHERE true ORDER BY seq \
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, name_key = excluded.name_key, \
             name_folded = excluded.name_folded, given_folded = excluded.given_folded, kind = excluded.kind, unit = excluded.unit, \
             post = excluded.post, months_worked = excluded.months_worked, months_absent = excluded.months_absent, \
             manager = excluded.manager",
        )
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected())
    }

    /// Records where each staged subject that moves (another unit or post)
    /// was before the month `from`; how many. Moves are recorded in order:
    /// the ids (up to `limit`) of subjects with a move recorded from `from`
    /// or later are the error instead.
    pub async fn record_subject_moves(
        &mut self,
        from: &str,
        by: &str,
        limit: i64,
    ) -> Result<std::result::Result<u64, Vec<String>>> {
        let later = sqlx::query(
            "SELECT DISTINCT st.id FROM staged_subjects st JOIN subjects s ON s.id = st.id \
             JOIN subject_history h ON h.subject = s.id \
             WHERE (st.unit <> s.unit OR st.post <> s.post) AND h.until_period > $1 ORDER BY st.id LIMIT $2",
        )
        .bind(from.to_string())
        .bind(limit)
        .fetch_all(self.conn())
        .await?;
        let later: Vec<String> = read(&later, |r| r.try_get("id"))?;
        if !later.is_empty() {
            return Ok(Err(later));
        }
        let done = sqlx::query(
            "INSERT INTO subject_history (subject, until_period, unit, post, recorded_by, recorded_at) \
             SELECT s.id, $1, s.unit, s.post, $2, $3 FROM staged_subjects st JOIN subjects s ON s.id = st.id \
             WHERE (st.unit <> s.unit OR st.post <> s.post) \
             ON CONFLICT (subject, until_period) DO NOTHING",
        )
        .bind(from.to_string())
        .bind(by.to_string())
        .bind(super::now_millis())
        .execute(self.conn())
        .await?;
        Ok(Ok(done.rows_affected()))
    }

    /// Records the parent each of `moved` (code, parent before) had before
    /// the month `from`.
    pub async fn record_unit_moves(
        &mut self,
        from: &str,
        by: &str,
        moved: &[(String, Option<String>)],
    ) -> Result<()> {
        let at = super::now_millis();
        let mut rows: Vec<Vec<Cell>> = Vec::with_capacity(moved.len());
        for (code, parent) in moved {
            rows.push(vec![
                Cell::Text(code.clone()),
                Cell::Text(from.to_string()),
                parent.clone().into(),
                Cell::Text(by.to_string()),
                Cell::Int(at),
            ]);
        }
        bulk::insert(
            self.conn(),
            "INSERT INTO unit_history (unit, until_period, parent, recorded_by, recorded_at)",
            "ON CONFLICT (unit, until_period) DO NOTHING",
            rows,
        )
        .await?;
        Ok(())
    }

    /// Where the first `limit` staged subjects are whose manager is
    /// themselves or no subject, staged or stored, with that manager.
    pub async fn staged_unknown_managers(&mut self, limit: i64) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT st.at, st.manager FROM staged_subjects st \
             WHERE st.manager IS NOT NULL AND (st.manager = st.id \
             OR (NOT EXISTS (SELECT 1 FROM staged_subjects m WHERE m.id = st.manager) \
             AND NOT EXISTS (SELECT 1 FROM subjects m WHERE m.id = st.manager))) \
             ORDER BY st.seq LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.conn())
        .await?;
        read(&rows, |r| Ok((r.try_get("at")?, r.try_get("manager")?)))
    }

    /// Drops the staging table before a commit (PostgreSQL drops it itself).
    pub async fn drop_staged_subjects(&mut self) -> Result<()> {
        sqlx::query("DROP TABLE IF EXISTS staged_subjects")
            .execute(self.conn())
            .await?;
        Ok(())
    }
}

fn staged_subject(r: &sqlx::any::AnyRow) -> std::result::Result<StagedSubject, sqlx::Error> {
    Ok(StagedSubject {
        seq: r.try_get("seq")?,
        at: r.try_get("at")?,
        row: subject_row(r)?,
    })
}

pub(super) fn subject_row(r: &sqlx::any::AnyRow) -> std::result::Result<SubjectRow, sqlx::Error> {
    Ok(SubjectRow {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        kind: r.try_get("kind")?,
        unit: r.try_get("unit")?,
        post: r.try_get("post")?,
        months_worked: r.try_get("months_worked")?,
        months_absent: r.try_get("months_absent")?,
        manager: r.try_get("manager")?,
    })
}

/// A unit or a person a search found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The unit's code or the person's id.
    pub code: String,
    /// Their name.
    pub name: String,
    /// The unit's kind, or the person's unit.
    pub detail: String,
}

impl Store {
    /// Up to `limit` units with a word of their folded name starting
    /// `folded` (a folded phrase: letters, digits and single spaces), by name.
    pub async fn search_units(&self, folded: &str, limit: i64) -> Result<Vec<Found>> {
        let rows = sqlx::query(
            "SELECT code, name, kind FROM units WHERE (' ' || name_folded) LIKE $1 ORDER BY name_folded, code LIMIT $2",
        )
        .bind(format!("% {folded}%"))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        read(&rows, |r| {
            Ok(Found {
                code: r.try_get("code")?,
                name: r.try_get("name")?,
                detail: r.try_get("kind")?,
            })
        })
    }

    /// Up to `limit` people of units that publish their people whose folded
    /// name, or folded name given name first, starts `folded`: two range
    /// reads of an index, each stopping at `limit`.
    pub async fn search_people(&self, folded: &str, limit: i64) -> Result<Vec<Found>> {
        let collate = match self.backend() {
            super::Backend::Postgres => " COLLATE \"C\"",
            super::Backend::Sqlite => "",
        };
        // Folded names hold letters, digits and spaces only, all below `~`.
        let end = format!("{folded}~");
        let mut found: Vec<Found> = Vec::new();
        for column in ["given_folded", "name_folded"] {
            let sql = format!(
                "SELECT s.id, s.name, u.name AS unit_name FROM subjects s JOIN units u ON u.code = s.unit \
                 WHERE s.{column}{collate} >= $1 AND s.{column}{collate} < $2 AND u.publishes_people <> 0 \
                 ORDER BY s.{column}{collate}, s.id LIMIT $3"
            );
            let rows = sqlx::query(&sql)
                .bind(folded.to_string())
                .bind(end.clone())
                .bind(limit)
                .fetch_all(self.pool())
                .await?;
            for r in &rows {
                let id: String = r.try_get("id")?;
                if found.iter().any(|f| f.code == id) {
                    continue;
                }
                found.push(Found {
                    code: id,
                    name: r.try_get("name")?,
                    detail: r.try_get("unit_name")?,
                });
            }
        }
        found.truncate(limit.max(0) as usize);
        Ok(found)
    }
}
