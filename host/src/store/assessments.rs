//! The assessment procedure's tables: `assessments` (one row per subject
//! and period, each step's record beside the state), `assessment_calendars`
//! (when each step is due), `calendar_days` (holidays and substituted
//! working days) and `sign_in_codes` (one-time codes for people).

use sqlx::Row;

use super::org::SubjectRow;
use super::{Result, Store, Tx, read};

/// One subject's assessment for one period, as stored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AssessmentRow {
    /// The subject.
    pub subject: String,
    /// The period, as written.
    pub period: String,
    /// The subject's unit when the assessment was last changed.
    pub unit: String,
    /// The scorecard (`namespace/name`) whose declared facts are assessed.
    pub plugin: String,
    /// Its version.
    pub version: String,
    /// `self-assessed`, `collective-recorded` or `manager-assessed`.
    pub state: String,
    /// The servant's points, as JSON (name → ten-thousandths).
    pub self_points: Option<String>,
    /// The servant's own review.
    pub self_review: Option<String>,
    /// Who recorded the self-assessment.
    pub self_by: Option<String>,
    /// When, in milliseconds since the epoch.
    pub self_at: Option<i64>,
    /// Whether after its due date.
    pub self_late: Option<bool>,
    /// The day the collective met, `YYYY-MM-DD`.
    pub collective_date: Option<String>,
    /// Who attended, as JSON (a list of names).
    pub collective_attended: Option<String>,
    /// What the collective said.
    pub collective_text: Option<String>,
    /// The collective's points, when the card has it assess any (JSON).
    pub collective_points: Option<String>,
    /// Votes for, when a vote was taken.
    pub votes_for: Option<i64>,
    /// Votes against.
    pub votes_against: Option<i64>,
    /// Who recorded the collective's comments.
    pub collective_by: Option<String>,
    /// When.
    pub collective_at: Option<i64>,
    /// Whether after its due date.
    pub collective_late: Option<bool>,
    /// The direct manager's points, as JSON (name → ten-thousandths).
    pub manager_points: Option<String>,
    /// The manager's comments where they differ, as JSON (name → text).
    pub manager_comments: Option<String>,
    /// Who recorded the manager's assessment.
    pub manager_by: Option<String>,
    /// When.
    pub manager_at: Option<i64>,
    /// Whether after its due date.
    pub manager_late: Option<bool>,
    /// How many times it has changed.
    pub revision: i64,
}

const COLUMNS: &str = "subject, period, unit, plugin, version, state, self_points, self_review, \
    self_by, self_at, self_late, collective_date, collective_attended, collective_text, collective_points, votes_for, \
    votes_against, collective_by, collective_at, collective_late, manager_points, manager_comments, \
    manager_by, manager_at, manager_late, revision";

fn flag(v: Option<i64>) -> Option<bool> {
    v.map(|v| v != 0)
}

fn assessment_row(r: &sqlx::any::AnyRow) -> std::result::Result<AssessmentRow, sqlx::Error> {
    Ok(AssessmentRow {
        subject: r.try_get("subject")?,
        period: r.try_get("period")?,
        unit: r.try_get("unit")?,
        plugin: r.try_get("plugin")?,
        version: r.try_get("version")?,
        state: r.try_get("state")?,
        self_points: r.try_get("self_points")?,
        self_review: r.try_get("self_review")?,
        self_by: r.try_get("self_by")?,
        self_at: r.try_get("self_at")?,
        self_late: flag(r.try_get("self_late")?),
        collective_date: r.try_get("collective_date")?,
        collective_attended: r.try_get("collective_attended")?,
        collective_text: r.try_get("collective_text")?,
        collective_points: r.try_get("collective_points")?,
        votes_for: r.try_get("votes_for")?,
        votes_against: r.try_get("votes_against")?,
        collective_by: r.try_get("collective_by")?,
        collective_at: r.try_get("collective_at")?,
        collective_late: flag(r.try_get("collective_late")?),
        manager_points: r.try_get("manager_points")?,
        manager_comments: r.try_get("manager_comments")?,
        manager_by: r.try_get("manager_by")?,
        manager_at: r.try_get("manager_at")?,
        manager_late: flag(r.try_get("manager_late")?),
        revision: r.try_get("revision")?,
    })
}

/// When a step is due for a unit and a period kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarStepRow {
    /// The unit it was set on (it holds for the subtree).
    pub unit: String,
    /// `month`, `quarter` or `year`.
    pub period_kind: String,
    /// `self-assessment`, `collective` or `direct-manager`.
    pub step: String,
    /// `+N`, `-N` or `DD`.
    pub due: String,
    /// Who set it.
    pub set_by: String,
    /// When.
    pub set_at: i64,
}

/// A day that breaks the week's rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarDayRow {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// `holiday` or `working`.
    pub kind: String,
    /// What it is: "Tết Nguyên đán", "làm bù cho 2/5".
    pub name: String,
    /// Who set it.
    pub set_by: String,
    /// When.
    pub set_at: i64,
}

/// A sign-in code to keep (its hash only).
pub struct NewSignInCode {
    /// The SHA-256 of the code, in hex.
    pub sha256: String,
    /// The subject it signs in.
    pub subject: String,
    /// Who issued it.
    pub created_by: String,
    /// When.
    pub created_at: i64,
    /// When it stops working.
    pub expires_at: i64,
}

/// `$first, …` for `n` parameters after a `$1`: numbered, so that both
/// SQLite and PostgreSQL bind them by number (an anonymous `?` after a
/// `$1` would be bound from the first argument again).
fn numbered(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|k| format!("${k}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// One subject's assessment for a period, if any step is recorded.
    pub async fn assessment(&self, subject: &str, period: &str) -> Result<Option<AssessmentRow>> {
        let r = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM assessments WHERE subject = $1 AND period = $2"
        ))
        .bind(subject.to_string())
        .bind(period.to_string())
        .fetch_optional(self.pool())
        .await?;
        Ok(r.as_ref().map(assessment_row).transpose()?)
    }

    /// One subject's assessments, newest period first; at most `limit`.
    pub async fn subject_assessments(
        &self,
        subject: &str,
        limit: i64,
    ) -> Result<Vec<AssessmentRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM assessments WHERE subject = $1 ORDER BY period DESC LIMIT $2"
        ))
        .bind(subject.to_string())
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        read(&rows, assessment_row)
    }

    /// The people of one unit (not those of the units below), in id order,
    /// after `after`; at most `limit`.
    pub async fn unit_people(
        &self,
        unit: &str,
        after: &str,
        limit: i64,
    ) -> Result<Vec<SubjectRow>> {
        let rows = sqlx::query(
            "SELECT id, name, kind, unit, post, months_worked, months_absent, manager FROM subjects \
             WHERE unit = $1 AND id > $2 ORDER BY id LIMIT $3",
        )
        .bind(unit.to_string())
        .bind(after.to_string())
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        read(&rows, super::org::subject_row)
    }

    /// The assessments for `period` of `subjects` (a page's).
    pub async fn assessments_of(
        &self,
        period: &str,
        subjects: &[&str],
    ) -> Result<Vec<AssessmentRow>> {
        if subjects.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {COLUMNS} FROM assessments WHERE period = $1 AND subject IN ({})",
            numbered(2, subjects.len())
        );
        let mut query = sqlx::query(&sql).bind(period.to_string());
        for s in subjects {
            query = query.bind(s.to_string());
        }
        let rows = query.fetch_all(self.pool()).await?;
        read(&rows, assessment_row)
    }

    /// The calendar steps set on any of `units` for a period kind.
    pub async fn calendar_steps(
        &self,
        units: &[&str],
        period_kind: &str,
    ) -> Result<Vec<CalendarStepRow>> {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT unit, period_kind, step, due, set_by, set_at FROM assessment_calendars \
             WHERE period_kind = $1 AND unit IN ({})",
            numbered(2, units.len())
        );
        let mut query = sqlx::query(&sql).bind(period_kind.to_string());
        for u in units {
            query = query.bind(u.to_string());
        }
        let rows = query.fetch_all(self.pool()).await?;
        read(&rows, |r| {
            Ok(CalendarStepRow {
                unit: r.try_get("unit")?,
                period_kind: r.try_get("period_kind")?,
                step: r.try_get("step")?,
                due: r.try_get("due")?,
                set_by: r.try_get("set_by")?,
                set_at: r.try_get("set_at")?,
            })
        })
    }

    /// The days from `from` to `to` (inclusive, `YYYY-MM-DD`) that break
    /// the week's rule, in order.
    pub async fn calendar_days(&self, from: &str, to: &str) -> Result<Vec<CalendarDayRow>> {
        let rows = sqlx::query(
            "SELECT day, kind, name, set_by, set_at FROM calendar_days \
             WHERE day >= $1 AND day <= $2 ORDER BY day",
        )
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(self.pool())
        .await?;
        read(&rows, |r| {
            Ok(CalendarDayRow {
                day: r.try_get("day")?,
                kind: r.try_get("kind")?,
                name: r.try_get("name")?,
                set_by: r.try_get("set_by")?,
                set_at: r.try_get("set_at")?,
            })
        })
    }

    /// Keeps sign-in codes.
    pub async fn insert_sign_in_codes(&self, codes: &[NewSignInCode]) -> Result<()> {
        let mut tx = self.begin().await?;
        for c in codes {
            sqlx::query(
                "INSERT INTO sign_in_codes (sha256, subject, created_by, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(c.sha256.clone())
            .bind(c.subject.clone())
            .bind(c.created_by.clone())
            .bind(c.created_at)
            .bind(c.expires_at)
            .execute(tx.conn())
            .await?;
        }
        tx.commit().await
    }

    /// Uses the code with this SHA-256 if it is unused and unexpired at
    /// `now`: the subject it signs in. A code is used once, whoever races.
    pub async fn take_sign_in_code(&self, sha256: &str, now: i64) -> Result<Option<String>> {
        let row = sqlx::query(
            "UPDATE sign_in_codes SET used_at = $1 \
             WHERE sha256 = $2 AND used_at IS NULL AND expires_at > $1 RETURNING subject",
        )
        .bind(now)
        .bind(sha256.to_string())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|r| r.try_get("subject")).transpose()?)
    }
}

impl Tx {
    /// One subject's assessment for a period, read in the transaction.
    pub async fn assessment(
        &mut self,
        subject: &str,
        period: &str,
    ) -> Result<Option<AssessmentRow>> {
        let r = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM assessments WHERE subject = $1 AND period = $2"
        ))
        .bind(subject.to_string())
        .bind(period.to_string())
        .fetch_optional(self.conn())
        .await?;
        Ok(r.as_ref().map(assessment_row).transpose()?)
    }

    /// Writes an assessment, replacing the one for the same subject and period.
    pub async fn put_assessment(&mut self, a: &AssessmentRow) -> Result<()> {
        sqlx::query("DELETE FROM assessments WHERE subject = $1 AND period = $2")
            .bind(a.subject.clone())
            .bind(a.period.clone())
            .execute(self.conn())
            .await?;
        let late = |v: Option<bool>| v.map(i64::from);
        sqlx::query(&format!(
            "INSERT INTO assessments ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
             $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)"
        ))
        .bind(a.subject.clone())
        .bind(a.period.clone())
        .bind(a.unit.clone())
        .bind(a.plugin.clone())
        .bind(a.version.clone())
        .bind(a.state.clone())
        .bind(a.self_points.clone())
        .bind(a.self_review.clone())
        .bind(a.self_by.clone())
        .bind(a.self_at)
        .bind(late(a.self_late))
        .bind(a.collective_date.clone())
        .bind(a.collective_attended.clone())
        .bind(a.collective_text.clone())
        .bind(a.collective_points.clone())
        .bind(a.votes_for)
        .bind(a.votes_against)
        .bind(a.collective_by.clone())
        .bind(a.collective_at)
        .bind(late(a.collective_late))
        .bind(a.manager_points.clone())
        .bind(a.manager_comments.clone())
        .bind(a.manager_by.clone())
        .bind(a.manager_at)
        .bind(late(a.manager_late))
        .bind(a.revision)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Sets when each of `steps` (step, due) is due for a unit and period
    /// kind, replacing what was set there.
    pub async fn put_calendar(
        &mut self,
        unit: &str,
        period_kind: &str,
        steps: &[(String, String)],
        set_by: &str,
        set_at: i64,
    ) -> Result<()> {
        sqlx::query("DELETE FROM assessment_calendars WHERE unit = $1 AND period_kind = $2")
            .bind(unit.to_string())
            .bind(period_kind.to_string())
            .execute(self.conn())
            .await?;
        for (step, due) in steps {
            sqlx::query(
                "INSERT INTO assessment_calendars (unit, period_kind, step, due, set_by, set_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(unit.to_string())
            .bind(period_kind.to_string())
            .bind(step.clone())
            .bind(due.clone())
            .bind(set_by.to_string())
            .bind(set_at)
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }

    /// Replaces one year's calendar days with `days`.
    pub async fn put_calendar_days(&mut self, year: &str, days: &[CalendarDayRow]) -> Result<()> {
        sqlx::query("DELETE FROM calendar_days WHERE day >= $1 AND day <= $2")
            .bind(format!("{year}-01-01"))
            .bind(format!("{year}-12-31"))
            .execute(self.conn())
            .await?;
        for d in days {
            sqlx::query(
                "INSERT INTO calendar_days (day, kind, name, set_by, set_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(d.day.clone())
            .bind(d.kind.clone())
            .bind(d.name.clone())
            .bind(d.set_by.clone())
            .bind(d.set_at)
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }
}
