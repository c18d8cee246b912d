//! The append-only logs: the audit log (every publish, yank, assignment,
//! import, run, publication and unlocking, with who and when) and the log of
//! reads of personal data.

use serde::Serialize;
use sqlx::Row;

use super::bulk::Cell;
use super::{Error, Result, Store, Tx, now_millis, read};

/// One line of the audit log.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct AuditEntry {
    /// Its position in the log.
    pub id: i64,
    /// When, in milliseconds since the epoch.
    pub at: i64,
    /// Who.
    pub actor: String,
    /// `publish`, `yank`, `assign`, `unit`, …
    pub action: String,
    /// What it was done to.
    pub subject: String,
    /// What changed.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    /// The unit subtree the act concerns; none for the whole host.
    pub unit: Option<String>,
}

impl Tx {
    /// Appends to the audit log, so the entry lands with the change or not at all.
    pub async fn audit(
        &mut self,
        actor: &str,
        action: &str,
        subject: &str,
        detail: &serde_json::Value,
        unit: Option<&str>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit_log (at, actor, action, subject, detail, unit) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(now_millis())
        .bind(actor.to_string())
        .bind(action.to_string())
        .bind(subject.to_string())
        .bind(detail.to_string())
        .bind(unit.map(str::to_string))
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

/// Which entries of the audit log a reader is given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditScope {
    /// Every entry.
    All,
    /// The entries of acts concerning these units.
    Units(Vec<String>),
}

impl Store {
    /// Up to `limit` entries after id `after` within `scope`, oldest first:
    /// a page costs what it holds, however long the log.
    pub async fn audit_page(
        &self,
        after: i64,
        limit: i64,
        scope: &AuditScope,
    ) -> Result<Vec<AuditEntry>> {
        let rows = match scope {
            AuditScope::All => {
                sqlx::query(
                    "SELECT id, at, actor, action, subject, detail, unit FROM audit_log \
                     WHERE id > $1 ORDER BY id LIMIT $2",
                )
                .bind(after)
                .bind(limit)
                .fetch_all(self.pool())
                .await?
            }
            AuditScope::Units(units) if units.is_empty() => Vec::new(),
            AuditScope::Units(units) => {
                let mut conn = self.pool().acquire().await?;
                let sql = format!(
                    "SELECT id, at, actor, action, subject, detail, unit FROM audit_log \
                     WHERE id > {} AND unit IN ({}) ORDER BY id LIMIT {}",
                    super::placeholders(&conn, 1, 1),
                    super::placeholders(&conn, 2, units.len()),
                    super::placeholders(&conn, units.len() + 2, 1),
                );
                let mut query = sqlx::query(&sql).bind(after);
                for u in units {
                    query = query.bind(u.clone());
                }
                query.bind(limit).fetch_all(&mut *conn).await?
            }
        };
        entries_of(&rows)
    }

    /// The audit log, oldest first.
    pub async fn audit_log(&self) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT id, at, actor, action, subject, detail, unit FROM audit_log ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        entries_of(&rows)
    }
}

/// One read of a subject's personal data.
#[derive(Clone, Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct PersonalRead {
    /// Its position in the log.
    pub id: i64,
    /// When, in milliseconds since the epoch.
    pub at: i64,
    /// Who read it.
    pub actor: String,
    /// Whose it is.
    pub subject: String,
    /// Through what: `GET /api/v1/runs/3/results`, a page, a download.
    pub via: String,
}

impl Store {
    /// Records that `actor` read the personal data of `subjects`, now,
    /// through `via`.
    pub async fn log_personal_reads(
        &self,
        actor: &str,
        via: &str,
        subjects: &[&str],
    ) -> Result<()> {
        let at = now_millis();
        let rows: Vec<Vec<Cell>> = subjects
            .iter()
            .map(|s| {
                vec![
                    Cell::Int(at),
                    Cell::Text(actor.to_string()),
                    Cell::Text(s.to_string()),
                    Cell::Text(via.to_string()),
                ]
            })
            .collect();
        // One transaction: a read is logged for all its subjects or none.
        let mut tx = self.pool().begin().await?;
        super::bulk::insert(
            &mut tx,
            "INSERT INTO personal_reads (at, actor, subject, via)",
            "",
            rows,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Up to `limit` reads of `subject`'s personal data after id `after`,
    /// oldest first.
    pub async fn personal_reads_of(
        &self,
        subject: &str,
        after: i64,
        limit: i64,
    ) -> Result<Vec<PersonalRead>> {
        let rows = sqlx::query(
            "SELECT id, at, actor, subject, via FROM personal_reads WHERE subject = $1 AND id > $2 \
             ORDER BY id LIMIT $3",
        )
        .bind(subject.to_string())
        .bind(after)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        read(&rows, |r| {
            Ok(PersonalRead {
                id: r.try_get("id")?,
                at: r.try_get("at")?,
                actor: r.try_get("actor")?,
                subject: r.try_get("subject")?,
                via: r.try_get("via")?,
            })
        })
    }
}

/// Audit entries from their rows, each detail read back as JSON.
fn entries_of(rows: &[sqlx::any::AnyRow]) -> Result<Vec<AuditEntry>> {
    let entries: Vec<(AuditEntry, String)> = read(rows, |r| {
        Ok((
            AuditEntry {
                id: r.try_get("id")?,
                at: r.try_get("at")?,
                actor: r.try_get("actor")?,
                action: r.try_get("action")?,
                subject: r.try_get("subject")?,
                detail: serde_json::Value::Null,
                unit: r.try_get("unit")?,
            },
            r.try_get("detail")?,
        ))
    })?;
    entries
        .into_iter()
        .map(|(mut entry, detail)| {
            entry.detail = serde_json::from_str(&detail).map_err(|e| {
                Error::corrupt(format!(
                    "audit entry {}'s detail is not JSON: {e}",
                    entry.id
                ))
            })?;
            Ok(entry)
        })
        .collect()
}
