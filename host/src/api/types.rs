//! The API's request and response types, apart from the handlers, so the
//! command line (a client of the same API) and the handlers share them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::input::NamedInput;
use crate::registry::VersionRecord;
use crate::scoring::{RunRecord, StoredResult};
use crate::view::EvaluationView;

/// Subjects to score.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluateRequest {
    /// `namespace/name@version` to score with; otherwise each subject's
    /// assigned version for its period.
    #[serde(default)]
    pub plugin: Option<String>,
    /// Each subject: who, the period, and the facts by name.
    pub subjects: Vec<NamedInput>,
}

/// Why one subject was not scored.
#[derive(Serialize, ToSchema)]
pub struct ScoreError {
    /// `missing-fact`, `invalid-fact`, `bad-input`, `unassigned`, or the
    /// sandbox's kind: `out-of-fuel`, `deadline`, `trap`, …
    pub kind: String,
    /// In words.
    pub message: String,
}

/// One subject's answer.
#[derive(Serialize, ToSchema)]
pub struct Scored {
    /// The subject's id.
    pub subject: String,
    /// The scorecard, when one was found.
    pub plugin: Option<String>,
    /// Its version.
    pub version: Option<String>,
    /// Its bytes' hash.
    pub sha256: Option<String>,
    /// The evaluation with the host's sentences, when scored.
    #[schema(value_type = Option<Object>)]
    pub evaluation: Option<EvaluationView>,
    /// Why not, otherwise.
    pub error: Option<ScoreError>,
}

/// The answers, in the order of the request.
#[derive(Serialize, ToSchema)]
pub struct Evaluations {
    /// One per subject.
    pub evaluations: Vec<Scored>,
}

/// A unit as the public sees it.
#[derive(Serialize, ToSchema)]
pub struct Unit {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its type.
    pub kind: String,
    /// The enclosing unit.
    pub parent: Option<String>,
    /// Whether it publishes per-person results.
    pub publishes_people: bool,
    /// Whether it publishes their grades only.
    pub grades_only: bool,
    /// Whether it shows its people's results to the people signed in within it.
    pub within_agency: bool,
    /// The posts whose holders lead it.
    pub leader_posts: Vec<String>,
}

/// An assignment to make.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAssignment {
    /// A position code or an agency type.
    pub post_type: String,
    /// `namespace/name`.
    pub plugin: String,
    /// A semver requirement: `^1.2`.
    pub requirement: String,
    /// The root of the unit subtree.
    pub unit: String,
    /// The first period it applies to: 2025-09, 2025-Q3 or 2025.
    pub from: String,
}

/// How the facts file is named in the record.
#[derive(Deserialize, IntoParams)]
pub struct FactsQuery {
    /// The file's name, for the import record (defaults to `upload`).
    pub file: Option<String>,
}

/// A version and its describe(): facts, indicators, weights, thresholds, bands.
#[derive(Serialize, ToSchema)]
pub struct Described {
    /// The version's record.
    pub record: VersionRecord,
    /// Its describe(), as published.
    #[schema(value_type = Object)]
    pub describe: serde_json::Value,
}

/// A run to start.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartRun {
    /// The period: 2025-09, 2025-Q3 or 2025.
    pub period: String,
    /// Only this unit's subtree.
    #[serde(default)]
    pub unit: Option<String>,
}

/// A started run.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct Started {
    /// Its id: follow it at /api/v1/runs/{id}.
    pub id: i64,
}

/// How far a run started here has got.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct RunProgress {
    /// resolving, loading facts, scoring, cohort rules, storing, done.
    pub stage: String,
    /// Subjects scored.
    pub done: usize,
    /// Subjects to score.
    pub total: usize,
}

/// A run and, while it goes, its progress.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct RunStatus {
    /// The run as recorded.
    pub run: RunRecord,
    /// Its progress, when this host runs it.
    pub progress: Option<RunProgress>,
}

/// Which page of results, in which format, of whom, in which order.
#[derive(Deserialize, IntoParams)]
pub struct Page {
    /// From 1.
    pub page: Option<u64>,
    /// 1 to 1000; 100 by default.
    pub per_page: Option<u64>,
    /// json (the default) or csv (every result the filters leave, streamed; no paging).
    pub format: Option<String>,
    /// Only the subjects of this unit.
    pub unit: Option<String>,
    /// Only the subjects of this unit and every unit below it.
    pub subtree: Option<String>,
    /// Only those who served in this unit for part of the period (a quarter
    /// or a year) and are in another unit at its end: those who moved out or
    /// were merged away. Its own people at the end are `unit`'s.
    pub served: Option<String>,
    /// Only those holding this post.
    pub post: Option<String>,
    /// Only those with this final grade: A, B, C, D or not-graded.
    pub grade: Option<String>,
    /// Only those with this outcome: scored, refused, fault or not-evaluated.
    pub outcome: Option<String>,
    /// Read on from this point (the `next` of the page before) instead of
    /// by page number: each page then costs the same wherever it is in the
    /// run. Ranked by total only; not with `page`.
    pub after: Option<String>,
    /// total (the default: best total first, then those whose total is not
    /// shown, by unit and subject) or name (as Vietnamese lists order names: given
    /// name first, in the Vietnamese alphabet).
    pub sort: Option<String>,
}

/// Which page of a log (the audit log, the reads of personal data): the
/// entries after an id.
#[derive(Deserialize, IntoParams)]
pub struct LogPage {
    /// The last id of the previous page; 0 (the default) from the start.
    pub after: Option<i64>,
    /// 1 to 1000; 100 by default.
    pub limit: Option<i64>,
}

/// A page of results.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ResultsPage {
    /// The run.
    pub run: i64,
    /// This page, from 1; 0 when read with `after`.
    pub page: u64,
    /// Results per page.
    pub per_page: u64,
    /// Results the caller may see through the filters in all.
    pub total: u64,
    /// Where the next page starts, for `after=`: given when read with
    /// `after` (or from the first page) and a full page was returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// Best total first.
    pub results: Vec<StoredResult>,
    /// Where each subject of this page who moved within the period served,
    /// stretch by stretch (their grade is their unit's at the period's end);
    /// those who did not move are not here.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parts: BTreeMap<String, Vec<crate::store::parts::Part>>,
}

/// Why a period is unlocked, and where.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Unlock {
    /// The subtree it was published for; none for the whole organisation.
    #[serde(default)]
    pub unit: Option<String>,
    /// Why, for the audit log.
    pub reason: String,
}

impl LogPage {
    /// The entries' `after` and `limit`, or which of them is out of range.
    pub fn checked(&self) -> Result<(i64, i64), crate::app::HttpError> {
        let limit = self.limit.unwrap_or(100);
        if !(1..=1000).contains(&limit) {
            return Err(
                crate::app::HttpError::bad_request("limit must be 1 to 1000").field("limit"),
            );
        }
        let after = self.after.unwrap_or(0);
        if after < 0 {
            return Err(
                crate::app::HttpError::bad_request("after is an entry's id, 0 or more")
                    .field("after"),
            );
        }
        Ok((after, limit))
    }
}
