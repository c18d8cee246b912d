//! The mail tables: `contacts` (a person's address) and `mail_outbox`
//! (messages to send, each with its delivery).

use sqlx::Row;

use super::{Result, Store, Tx, read};

/// A message waiting to be sent (or sent, or given up).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailRow {
    /// Its id.
    pub id: i64,
    /// The notice it carries.
    pub notice_id: i64,
    /// To whom.
    pub recipient: String,
    /// Its subject line.
    pub subject_line: String,
    /// Its text.
    pub body: String,
    /// How many times sending was tried.
    pub attempts: i64,
}

impl Store {
    /// Sets a person's address.
    pub async fn set_contact(&self, subject: &str, email: &str, by: &str, at: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO contacts (subject, email, set_by, set_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (subject) DO UPDATE SET email = excluded.email, set_by = excluded.set_by, \
             set_at = excluded.set_at",
        )
        .bind(subject.to_string())
        .bind(email.to_string())
        .bind(by.to_string())
        .bind(at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Messages due to be sent at `now`, oldest first; at most `limit`.
    pub async fn due_mail(&self, now: i64, limit: i64) -> Result<Vec<MailRow>> {
        let rows = sqlx::query(
            "SELECT id, notice_id, recipient, subject_line, body, attempts FROM mail_outbox \
             WHERE status = 'queued' AND next_at <= $1 ORDER BY id LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        read(&rows, |r| {
            Ok(MailRow {
                id: r.try_get("id")?,
                notice_id: r.try_get("notice_id")?,
                recipient: r.try_get("recipient")?,
                subject_line: r.try_get("subject_line")?,
                body: r.try_get("body")?,
                attempts: r.try_get("attempts")?,
            })
        })
    }

    /// Records a message sent.
    pub async fn mail_sent(&self, id: i64, at: i64) -> Result<()> {
        sqlx::query(
            "UPDATE mail_outbox SET status = 'sent', attempts = attempts + 1, sent_at = $1, \
             last_error = NULL WHERE id = $2",
        )
        .bind(at)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Records a failed attempt: tried again from `next_at`, or given up
    /// (`next_at` none).
    pub async fn mail_failed(&self, id: i64, error: &str, next_at: Option<i64>) -> Result<()> {
        sqlx::query(
            "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $1, \
             status = CASE WHEN $2 < 0 THEN 'failed' ELSE 'queued' END, \
             next_at = CASE WHEN $2 < 0 THEN next_at ELSE $2 END WHERE id = $3",
        )
        .bind(error.to_string())
        .bind(next_at.unwrap_or(-1))
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// A notice's delivery by e-mail: its status and last error, if one was
    /// queued.
    pub async fn notice_delivery(&self, notice: i64) -> Result<Option<(String, Option<String>)>> {
        let r = sqlx::query(
            "SELECT status, last_error FROM mail_outbox WHERE notice_id = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(notice)
        .fetch_optional(self.pool())
        .await?;
        Ok(
            r.map(|r| Ok::<_, sqlx::Error>((r.try_get("status")?, r.try_get("last_error")?)))
                .transpose()?,
        )
    }
}

impl Tx {
    /// A person's address, if they gave one.
    pub async fn contact(&mut self, subject: &str) -> Result<Option<String>> {
        let r = sqlx::query("SELECT email FROM contacts WHERE subject = $1")
            .bind(subject.to_string())
            .fetch_optional(self.conn())
            .await?;
        Ok(r.map(|r| r.try_get("email")).transpose()?)
    }

    /// Queues a message, due now.
    pub async fn queue_mail(
        &mut self,
        notice: i64,
        recipient: &str,
        subject_line: &str,
        body: &str,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO mail_outbox (notice_id, recipient, subject_line, body, status, attempts, next_at) \
             VALUES ($1, $2, $3, $4, 'queued', 0, $5)",
        )
        .bind(notice)
        .bind(recipient.to_string())
        .bind(subject_line.to_string())
        .bind(body.to_string())
        .bind(now)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}
