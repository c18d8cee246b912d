//! Every error a route can meet, mapped in one place to an HTTP status and an
//! RFC 9457 problem document: a stable code, a message a person understands,
//! and the offending field where there is one. The API answers it as JSON,
//! the dashboard as a page in the reader's language.
//!
//! A 5xx is the host's own failure: its cause (a database's text, a thread
//! that died) is logged with the request's id and never sent; the caller gets
//! the id to quote.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::request_id;
use crate::access::{self, tokens};
use crate::{registry, runtime, scoring, whatif};

/// An RFC 9457 problem document.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:thuocdo:problem:<code>`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The kind, in words.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What happened, for a person.
    pub detail: String,
    /// A stable code for scripts: `conflict`, `not-found`, `bad-facts`, …
    pub code: String,
    /// The field or part of the request at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The bad rows of a data file, when the request carried one: the first
    /// 1,000 of them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<scoring::RowError>,
    /// How many rows of the file are bad in all (more than `errors` names
    /// when over 1,000).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors_total: Option<usize>,
    /// The request's id, as the host's log records it (also the
    /// `x-request-id` header); set on every 5xx.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// What an error says, as data rather than words, where a reader's page
/// words it in their language (the API's detail is the English sentence).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wording {
    /// The address names no run id: the text given.
    NotARunId(String),
    /// No run has this id.
    NoRun(i64),
    /// No unit has this code.
    NoUnit(String),
    /// The run holds no result for this subject.
    NoResult(String),
    /// This unit (by name) does not publish per-person results.
    NotPublished(String),
}

/// An error on its way to becoming a response.
#[derive(Debug)]
pub struct HttpError {
    status: StatusCode,
    code: &'static str,
    detail: String,
    field: Option<String>,
    // Boxed, these two: most errors have none, and every handler returns
    // this type.
    bad_rows: Option<Box<(Vec<scoring::RowError>, usize)>>,
    wording: Option<Box<Wording>>,
    /// Seconds a client should wait before trying again (a 503's header).
    retry_after: Option<u32>,
}

impl HttpError {
    /// An error with a status, a stable code and a message.
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> HttpError {
        HttpError {
            status,
            code,
            detail: detail.into(),
            field: None,
            bad_rows: None,
            wording: None,
            retry_after: None,
        }
    }

    /// The same error with a Retry-After header of `secs`.
    pub fn retry_after(self, secs: u32) -> HttpError {
        HttpError {
            retry_after: Some(secs),
            ..self
        }
    }

    /// 503: the host has all the work of this kind it takes at once; the
    /// detail (what is full) is the caller's to read, and Retry-After says
    /// when to come back.
    pub fn busy(detail: impl Into<String>, retry_after: u32) -> HttpError {
        HttpError {
            retry_after: Some(retry_after),
            ..HttpError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", detail)
        }
    }

    /// Says what the error says as data too, for pages in other languages.
    pub fn worded(mut self, wording: Wording) -> HttpError {
        self.wording = Some(Box::new(wording));
        self
    }

    /// What the error says, as data, when it says it so.
    pub fn wording(&self) -> Option<&Wording> {
        self.wording.as_deref()
    }

    /// Names the field at fault.
    pub fn field(mut self, field: impl Into<String>) -> HttpError {
        self.field = Some(field.into());
        self
    }

    /// 400: the request is malformed.
    pub fn bad_request(detail: impl Into<String>) -> HttpError {
        HttpError::new(StatusCode::BAD_REQUEST, "bad-request", detail)
    }

    /// 401: no token, or not a live one.
    pub fn unauthorized(detail: impl Into<String>) -> HttpError {
        HttpError::new(StatusCode::UNAUTHORIZED, "unauthorized", detail)
    }

    /// 403: the token's role or scope does not allow it.
    pub fn forbidden(detail: impl Into<String>) -> HttpError {
        HttpError::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    /// 404.
    pub fn not_found(detail: impl Into<String>) -> HttpError {
        HttpError::new(StatusCode::NOT_FOUND, "not-found", detail)
    }

    /// 500: the host itself failed. `cause` is logged, never answered.
    pub fn internal(cause: impl Into<String>) -> HttpError {
        HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", cause)
    }

    /// Its stable code: `conflict`, `not-found`, `bad-facts`, …
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// Its HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// What happened, for a person. For a 5xx, the cause: see [`HttpError::public_detail`].
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// What the caller is told: the detail, except for a 5xx, whose cause is
    /// logged under the request's id (see [`HttpError::log`]) and replaced
    /// by a sentence naming that id.
    pub fn public_detail(&self) -> String {
        if self.hides_cause() {
            match request_id() {
                Some(id) => format!(
                    "the host failed to answer this request; its log has the cause under request id {id}"
                ),
                None => "the host failed to answer this request; its log has the cause".to_string(),
            }
        } else {
            self.detail.clone()
        }
    }

    /// Logs a 5xx with its cause (refusals are logged by the trace layer
    /// with their status alone).
    pub fn log(&self) {
        if self.hides_cause() {
            // The id is in the request's span too; the event names it itself
            // so the line stands alone wherever the span is not recorded.
            tracing::error!(
                request_id = request_id().as_deref().unwrap_or("-"),
                status = self.status.as_u16(),
                code = self.code,
                cause = %self.detail,
                "request failed"
            );
        }
    }

    /// A failure of the host, whose cause is for its log: a 5xx, but for a
    /// 503 that says what is full and when to come back.
    fn hides_cause(&self) -> bool {
        self.status.is_server_error() && self.retry_after.is_none()
    }

    /// The problem document, as the caller sees it.
    pub fn problem(&self) -> Problem {
        let server = self.hides_cause();
        Problem {
            kind: format!("urn:thuocdo:problem:{}", self.code),
            title: self
                .status
                .canonical_reason()
                .unwrap_or("error")
                .to_string(),
            status: self.status.as_u16(),
            detail: self.public_detail(),
            code: self.code.to_string(),
            field: self.field.clone(),
            errors: self
                .bad_rows
                .as_ref()
                .map_or_else(Vec::new, |b| b.0.clone()),
            errors_total: self.bad_rows.as_ref().map(|b| b.1),
            request_id: if server { request_id() } else { None },
        }
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        self.log();
        let body = serde_json::to_vec(&self.problem()).expect("a problem serialises");
        let mut response = (
            self.status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response();
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
        }
        response
    }
}

impl From<registry::Error> for HttpError {
    fn from(e: registry::Error) -> HttpError {
        use registry::Error as E;
        let detail = e.to_string();
        match e {
            E::Invalid(r) => {
                HttpError::new(StatusCode::UNPROCESSABLE_ENTITY, r.kind(), detail).field("body")
            }
            E::BadName(_) => {
                HttpError::new(StatusCode::BAD_REQUEST, "bad-name", detail).field("plugin")
            }
            E::BadVersion { .. } => {
                HttpError::new(StatusCode::BAD_REQUEST, "bad-version", detail).field("version")
            }
            E::BadRequirement { .. } => {
                HttpError::new(StatusCode::BAD_REQUEST, "bad-requirement", detail)
                    .field("requirement")
            }
            E::BadPeriod(_) => {
                HttpError::new(StatusCode::BAD_REQUEST, "bad-period", detail).field("period")
            }
            E::Forbidden(_) => HttpError::forbidden(detail),
            E::Conflict { .. } => HttpError::new(StatusCode::CONFLICT, "conflict", detail),
            E::NotFound(_) => HttpError::not_found(detail),
            E::UnknownFact(_) => {
                HttpError::new(StatusCode::UNPROCESSABLE_ENTITY, "unknown-fact", detail)
                    .field("facts")
            }
            E::Unsatisfiable { .. } => {
                HttpError::new(StatusCode::UNPROCESSABLE_ENTITY, "unsatisfiable", detail)
                    .field("requirement")
            }
            E::Tie { .. } => HttpError::new(StatusCode::CONFLICT, "assignment-exists", detail),
            E::Store(_) => HttpError::internal(detail),
        }
    }
}

impl From<scoring::Error> for HttpError {
    fn from(e: scoring::Error) -> HttpError {
        use scoring::Error as E;
        let detail = e.to_string();
        match e {
            E::BadRows { rows, total, .. } => HttpError {
                bad_rows: Some(Box::new((rows, total))),
                ..HttpError::new(StatusCode::UNPROCESSABLE_ENTITY, "bad-rows", detail).field("body")
            },
            E::BadFile(_) => HttpError::bad_request(detail).field("body"),
            E::BadDocument(_) => {
                HttpError::new(StatusCode::UNPROCESSABLE_ENTITY, "bad-json", detail).field("body")
            }
            E::Locked(_) => HttpError::new(StatusCode::CONFLICT, "locked", detail),
            E::NotFound(_) => HttpError::not_found(detail),
            E::NoRun(id) => HttpError::not_found(detail).worded(Wording::NoRun(id)),
            E::Forbidden(_) => HttpError::forbidden(detail),
            E::Refused(_) => HttpError::new(StatusCode::CONFLICT, "refused", detail),
            // Too many runs and what-ifs at once: the caller is asked to
            // come back, as with any rate (429, not a failure of the host).
            E::Busy(_) => {
                HttpError::new(StatusCode::TOO_MANY_REQUESTS, "busy", detail).retry_after(30)
            }
            E::Internal(_) => HttpError::internal(detail),
            E::Registry(r) => r.into(),
            E::Runtime(r) => r.into(),
            E::RunFailed { .. } => {
                HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, "run-failed", detail)
            }
            E::Store(_) => HttpError::internal(detail),
        }
    }
}

impl From<crate::assessment::Error> for HttpError {
    fn from(e: crate::assessment::Error) -> HttpError {
        use crate::assessment::Error as E;
        let detail = e.to_string();
        match e {
            E::BadPeriod(_) => HttpError::bad_request(detail).field("period"),
            E::Malformed { field, why } => HttpError::bad_request(why).field(field),
            E::Invalid { field, why } => {
                HttpError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", why).field(field)
            }
            E::NotFound(_) => HttpError::not_found(detail),
            E::Forbidden(_) => HttpError::forbidden(detail),
            E::OutOfOrder(_) => HttpError::new(StatusCode::CONFLICT, "out-of-order", detail),
            E::Locked(_) => HttpError::new(StatusCode::CONFLICT, "locked", detail),
            E::NothingToAssess(_) => {
                HttpError::new(StatusCode::CONFLICT, "nothing-to-assess", detail)
            }
            E::Busy(_) => {
                HttpError::new(StatusCode::TOO_MANY_REQUESTS, "busy", detail).retry_after(30)
            }
            E::Registry(r) => r.into(),
            E::Store(_) | E::Internal(_) => HttpError::internal(detail),
        }
    }
}

impl From<whatif::Error> for HttpError {
    fn from(e: whatif::Error) -> HttpError {
        use whatif::Error as E;
        let detail = e.to_string();
        match e {
            E::BadInput(_) => HttpError::bad_request(detail),
            E::Forbidden(_) => HttpError::forbidden(detail),
            E::NotFound(_) => HttpError::not_found(detail),
            E::Busy(_) => HttpError::new(StatusCode::TOO_MANY_REQUESTS, "busy", detail),
            E::Quota(_) => HttpError::new(StatusCode::CONFLICT, "over-quota", detail),
            E::Invalid(r) => r.into(),
            E::DraftFailed { kind, .. } => {
                HttpError::new(StatusCode::UNPROCESSABLE_ENTITY, kind, detail)
            }
            E::Scoring(s) => s.into(),
            E::Internal(_) | E::Store(_) => HttpError::internal(detail),
        }
    }
}

impl From<runtime::Error> for HttpError {
    fn from(e: runtime::Error) -> HttpError {
        if matches!(e, runtime::Error::HostBusy(_)) {
            return HttpError::busy(e.to_string(), 5);
        }
        HttpError::new(StatusCode::UNPROCESSABLE_ENTITY, e.kind(), e.to_string())
    }
}

impl From<access::Denied> for HttpError {
    fn from(e: access::Denied) -> HttpError {
        use access::Denied as D;
        let detail = e.to_string();
        match e {
            D::NoToken | D::BadHeader | D::NotLive => {
                HttpError::unauthorized(detail).field("Authorization")
            }
            D::Role { .. } => HttpError::forbidden(detail),
        }
    }
}

impl From<tokens::Error> for HttpError {
    fn from(e: tokens::Error) -> HttpError {
        match e {
            tokens::Error::BadRole(m) => HttpError::bad_request(m).field("role"),
            tokens::Error::BadLifetime(_) => {
                HttpError::bad_request(e.to_string()).field("expires_in_days")
            }
            tokens::Error::NoToken(_) => HttpError::not_found(e.to_string()).field("id"),
            tokens::Error::OwnToken(_) => {
                HttpError::new(StatusCode::CONFLICT, "own-token", e.to_string()).field("id")
            }
            other => HttpError::internal(other.to_string()),
        }
    }
}

impl From<crate::store::Error> for HttpError {
    fn from(e: crate::store::Error) -> HttpError {
        HttpError::internal(e.to_string())
    }
}
