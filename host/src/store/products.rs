//! The work products tables: `product_types` (the catalogue per post),
//! `product_imports` and `work_products` (each subject's products per period).

use std::collections::HashMap;

use futures_util::TryStreamExt;
use sqlx::Row;

use super::bulk::{self, Cell};
use super::{Result, Store, Tx, now_millis, read};

/// A product type of a post's catalogue, as stored.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ProductTypeRow {
    /// The post.
    pub post: String,
    /// The type's code.
    pub kind: String,
    /// Its title.
    pub title: String,
    /// Its unit: "báo cáo / reports".
    pub unit: String,
    /// Standard products one is worth, in ten-thousandths.
    pub coefficient: i64,
    /// The rule that sets the coefficient.
    pub basis: Option<String>,
}

impl Store {
    /// One post's product catalogue, by type.
    pub async fn product_types(&self, post: &str) -> Result<Vec<ProductTypeRow>> {
        let rows = sqlx::query(
            "SELECT post, kind, title, unit, coefficient, basis FROM product_types WHERE post = $1 ORDER BY kind",
        )
        .bind(post.to_string())
        .fetch_all(self.pool())
        .await?;
        read(&rows, type_row)
    }

    /// The products of the subjects whose ids lie in `first ..= last`, for
    /// one period: each subject's packed in one text, in id order (see
    /// [`Tx::pack_staged_products`]; `products::unpack` reads it). A run
    /// reads them a chunk of subjects at a time and unpacks them on its
    /// scoring threads.
    pub async fn products_between(
        &self,
        period: &str,
        first: &str,
        last: &str,
    ) -> Result<HashMap<String, String>> {
        let mut out = HashMap::new();
        let mut rows = sqlx::query(
            "SELECT subject, packed FROM product_sets WHERE period = $1 AND subject >= $2 AND subject <= $3",
        )
        .bind(period.to_string())
        .bind(first.to_string())
        .bind(last.to_string())
        .fetch(self.pool());
        while let Some(r) = rows.try_next().await? {
            out.insert(r.try_get("subject")?, r.try_get("packed")?);
        }
        Ok(out)
    }
}

fn type_row(r: &sqlx::any::AnyRow) -> Result<ProductTypeRow, sqlx::Error> {
    Ok(ProductTypeRow {
        post: r.try_get("post")?,
        kind: r.try_get("kind")?,
        title: r.try_get("title")?,
        unit: r.try_get("unit")?,
        coefficient: r.try_get("coefficient")?,
        basis: r.try_get("basis")?,
    })
}

impl Tx {
    /// Replaces the catalogues of `posts` with `rows` (post, kind, title,
    /// unit, coefficient, basis).
    pub async fn replace_product_types(
        &mut self,
        posts: &[&str],
        rows: impl IntoIterator<Item = Vec<Cell>>,
    ) -> Result<()> {
        for chunk in posts.chunks(500) {
            let sql = format!(
                "DELETE FROM product_types WHERE post IN ({})",
                super::placeholders(self.conn(), 1, chunk.len())
            );
            let mut q = sqlx::query(&sql);
            for p in chunk {
                q = q.bind(p.to_string());
            }
            q.execute(self.conn()).await?;
        }
        bulk::insert(
            self.conn(),
            "INSERT INTO product_types (post, kind, title, unit, coefficient, basis)",
            "",
            rows,
        )
        .await?;
        Ok(())
    }

    /// Every post's catalogue: (post, kind) → coefficient.
    pub async fn product_coefficients(&mut self) -> Result<HashMap<(String, String), i64>> {
        let rows = sqlx::query("SELECT post, kind, coefficient FROM product_types")
            .fetch_all(self.conn())
            .await?;
        read(&rows, |r| {
            Ok((
                (r.try_get("post")?, r.try_get("kind")?),
                r.try_get("coefficient")?,
            ))
        })
    }

    /// Every subject's unit and post, by id.
    pub async fn subject_places(&mut self) -> Result<HashMap<String, (String, String)>> {
        let rows = sqlx::query("SELECT id, unit, post FROM subjects")
            .fetch_all(self.conn())
            .await?;
        read(&rows, |r| {
            Ok((r.try_get("id")?, (r.try_get("unit")?, r.try_get("post")?)))
        })
    }

    /// Makes this transaction's staging table for a products import (seq,
    /// at, and the product's columns, import_id aside).
    pub async fn stage_products(&mut self) -> Result<()> {
        let columns = "at TEXT NOT NULL, period TEXT NOT NULL, subject TEXT NOT NULL, id TEXT NOT NULL, \
             kind TEXT NOT NULL, coefficient BIGINT NOT NULL, assigned BIGINT NOT NULL, accepted BIGINT NOT NULL, \
             deadline TEXT, completed TEXT, on_time BIGINT, faults TEXT NOT NULL, source TEXT NOT NULL";
        let sql = if self.conn().backend_name() == "PostgreSQL" {
            format!(
                "CREATE TEMP TABLE staged_products (seq BIGINT PRIMARY KEY, {columns}) ON COMMIT DROP"
            )
        } else {
            format!("CREATE TEMP TABLE staged_products (seq INTEGER PRIMARY KEY, {columns})")
        };
        sqlx::query(&sql).execute(self.conn()).await?;
        Ok(())
    }

    /// Stages products (seq, at, period, subject, id, kind, coefficient,
    /// assigned, accepted, deadline, completed, on_time, faults, source).
    pub async fn insert_staged_products(
        &mut self,
        rows: impl IntoIterator<Item = Vec<Cell>>,
    ) -> Result<u64> {
        Ok(bulk::insert(
            self.conn(),
            "INSERT INTO staged_products (seq, at, period, subject, id, kind, coefficient, assigned, accepted, \
             deadline, completed, on_time, faults, source)",
            "",
            rows,
        )
        .await?)
    }

    /// Where the first `limit` staged products are that repeat an earlier
    /// one's period, subject and id, and how many there are in all.
    pub async fn staged_product_repeats(&mut self, limit: i64) -> Result<(Vec<String>, i64)> {
        sqlx::query(
            "CREATE INDEX staged_products_key ON staged_products (period, subject, id, seq)",
        )
        .execute(self.conn())
        .await?;
        const REPEATS: &str = "FROM staged_products b WHERE EXISTS (SELECT 1 FROM staged_products a \
             WHERE a.period = b.period AND a.subject = b.subject AND a.id = b.id AND a.seq < b.seq)";
        let rows = sqlx::query(&format!("SELECT b.at {REPEATS} ORDER BY b.seq LIMIT $1"))
            .bind(limit)
            .fetch_all(self.conn())
            .await?;
        let at: Vec<String> = read(&rows, |r| r.try_get("at"))?;
        let total = if (at.len() as i64) < limit {
            at.len() as i64
        } else {
            sqlx::query(&format!("SELECT COUNT(*) AS n {REPEATS}"))
                .fetch_one(self.conn())
                .await?
                .try_get("n")?
        };
        Ok((at, total))
    }

    /// Records an import; its id.
    pub async fn insert_product_import(
        &mut self,
        actor: &str,
        file: &str,
        sha256: &str,
        rows_read: i64,
    ) -> Result<i64> {
        Ok(sqlx::query(
            "INSERT INTO product_imports (at, actor, file, sha256, rows_read) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(now_millis())
        .bind(actor.to_string())
        .bind(file.to_string())
        .bind(sha256.to_string())
        .bind(rows_read)
        .fetch_one(self.conn())
        .await?
        .try_get("id")?)
    }

    /// Writes every staged product, replacing those of the same period,
    /// subject and id; how many.
    pub async fn upsert_staged_products(&mut self, import_id: i64) -> Result<u64> {
        let done = sqlx::query(
            "INSERT INTO work_products (period, subject, id, kind, coefficient, assigned, accepted, deadline, \
             completed, on_time, faults, source, import_id) \
             SELECT period, subject, id, kind, coefficient, assigned, accepted, deadline, completed, on_time, \
             faults, source, $1 FROM staged_products WHERE true ORDER BY seq \
             ON CONFLICT (period, subject, id) DO UPDATE SET kind = excluded.kind, \
             coefficient = excluded.coefficient, assigned = excluded.assigned, accepted = excluded.accepted, \
             deadline = excluded.deadline, completed = excluded.completed, on_time = excluded.on_time, \
             faults = excluded.faults, source = excluded.source, import_id = excluded.import_id",
        )
        .bind(import_id)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected())
    }

    /// Packs again, one row each, the products of every subject and period
    /// the staged products touch (fields split by U+001F, products by
    /// U+001E, which an import never lets in): a run then reads a row per
    /// subject through the driver, not twenty.
    pub async fn pack_staged_products(&mut self) -> Result<u64> {
        const PACKED: &str = "w.id || char(31) || w.kind || char(31) || CAST(w.coefficient AS TEXT) || char(31) || \
             CAST(w.assigned AS TEXT) || char(31) || CAST(w.accepted AS TEXT) || char(31) || COALESCE(w.deadline, '') || \
             char(31) || COALESCE(w.completed, '') || char(31) || COALESCE(CAST(w.on_time AS TEXT), '') || char(31) || w.faults";
        const TOUCHED: &str = "EXISTS (SELECT 1 FROM staged_products st WHERE st.period = w.period AND st.subject = w.subject)";
        let sql = if self.conn().backend_name() == "PostgreSQL" {
            format!(
                "INSERT INTO product_sets (period, subject, packed) \
                 SELECT w.period, w.subject, string_agg({}, chr(30) ORDER BY w.id) FROM work_products w \
                 WHERE {TOUCHED} GROUP BY w.period, w.subject \
                 ON CONFLICT (period, subject) DO UPDATE SET packed = excluded.packed",
                PACKED.replace("char(31)", "chr(31)")
            )
        } else {
            format!(
                "INSERT INTO product_sets (period, subject, packed) \
                 SELECT period, subject, group_concat(packed, char(30)) FROM \
                 (SELECT w.period, w.subject, {PACKED} AS packed FROM work_products w WHERE {TOUCHED} \
                  ORDER BY w.period, w.subject, w.id) \
                 WHERE true GROUP BY period, subject \
                 ON CONFLICT (period, subject) DO UPDATE SET packed = excluded.packed"
            )
        };
        let done = sqlx::query(&sql).execute(self.conn()).await?;
        Ok(done.rows_affected())
    }

    /// Drops the staging table before a commit (PostgreSQL drops it itself).
    pub async fn drop_staged_products(&mut self) -> Result<()> {
        sqlx::query("DROP TABLE IF EXISTS staged_products")
            .execute(self.conn())
            .await?;
        Ok(())
    }
}
