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

impl Store {
    /// The audit log, oldest first.
    pub async fn audit_log(&self) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT id, at, actor, action, subject, detail, unit FROM audit_log ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        let entries: Vec<(AuditEntry, String)> = read(&rows, |r| {
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

    /// Every read of `subject`'s personal data, oldest first.
    pub async fn personal_reads_of(&self, subject: &str) -> Result<Vec<PersonalRead>> {
        let rows = sqlx::query(
            "SELECT id, at, actor, subject, via FROM personal_reads WHERE subject = $1 ORDER BY id",
        )
        .bind(subject.to_string())
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
