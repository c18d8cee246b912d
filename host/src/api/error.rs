//! Every error the API returns, mapped in one place to an HTTP status and an
//! RFC 9457 problem document: a stable code, a message a person understands,
//! and the offending field where there is one.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{registry, runtime, sandbox, scoring, tokens};

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
    /// Each bad row of a data file, when the request carried one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<scoring::RowError>,
}

/// An error on its way to becoming a response.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    detail: String,
    field: Option<String>,
    errors: Vec<scoring::RowError>,
}

impl ApiError {
    /// An error with a status, a stable code and a message.
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            detail: detail.into(),
            field: None,
            errors: Vec::new(),
        }
    }

    /// Names the field at fault.
    pub fn field(mut self, field: impl Into<String>) -> ApiError {
        self.field = Some(field.into());
        self
    }

    /// 400: the request is malformed.
    pub fn bad_request(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad-request", detail)
    }

    /// 401: no token, or not a live one.
    pub fn unauthorized(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", detail)
    }

    /// 403: the token's role or scope does not allow it.
    pub fn forbidden(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    /// 404.
    pub fn not_found(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not-found", detail)
    }

    /// 500: the host itself failed; the detail says where.
    pub fn internal(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", detail)
    }

    /// Its HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// What happened, for a person.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The problem document.
    pub fn problem(&self) -> Problem {
        Problem {
            kind: format!("urn:thuocdo:problem:{}", self.code),
            title: self
                .status
                .canonical_reason()
                .unwrap_or("error")
                .to_string(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code.to_string(),
            field: self.field.clone(),
            errors: self.errors.clone(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.problem()).expect("a problem serialises");
        (
            self.status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response()
    }
}

impl From<registry::Error> for ApiError {
    fn from(e: registry::Error) -> ApiError {
        use registry::Error as E;
        let detail = e.to_string();
        match e {
            E::Invalid(r) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, r.kind(), detail).field("body")
            }
            E::BadName(_) => {
                ApiError::new(StatusCode::BAD_REQUEST, "bad-name", detail).field("plugin")
            }
            E::BadVersion { .. } => {
                ApiError::new(StatusCode::BAD_REQUEST, "bad-version", detail).field("version")
            }
            E::BadRequirement { .. } => {
                ApiError::new(StatusCode::BAD_REQUEST, "bad-requirement", detail)
                    .field("requirement")
            }
            E::BadPeriod(_) => {
                ApiError::new(StatusCode::BAD_REQUEST, "bad-period", detail).field("period")
            }
            E::Forbidden(_) => ApiError::forbidden(detail),
            E::Conflict { .. } => ApiError::new(StatusCode::CONFLICT, "conflict", detail),
            E::NotFound(_) => ApiError::not_found(detail),
            E::Unsatisfiable { .. } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "unsatisfiable", detail)
                    .field("requirement")
            }
            E::Tie { .. } => ApiError::new(StatusCode::CONFLICT, "assignment-exists", detail),
            E::Store(_) => ApiError::internal(detail),
        }
    }
}

impl From<scoring::Error> for ApiError {
    fn from(e: scoring::Error) -> ApiError {
        use scoring::Error as E;
        let detail = e.to_string();
        match e {
            E::BadRows { rows, .. } => ApiError {
                errors: rows,
                ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "bad-rows", detail).field("body")
            },
            E::BadFile(_) => ApiError::bad_request(detail).field("body"),
            E::Locked(_) => ApiError::new(StatusCode::CONFLICT, "locked", detail),
            E::NotFound(_) => ApiError::not_found(detail),
            E::Forbidden(_) => ApiError::forbidden(detail),
            E::Refused(_) => ApiError::new(StatusCode::CONFLICT, "refused", detail),
            E::Registry(r) => r.into(),
            E::Runtime(r) => r.into(),
            E::RunFailed { .. } => {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "run-failed", detail)
            }
            E::Store(_) => ApiError::internal(detail),
        }
    }
}

impl From<sandbox::Error> for ApiError {
    fn from(e: sandbox::Error) -> ApiError {
        use sandbox::Error as E;
        let detail = e.to_string();
        match e {
            E::BadInput(_) => ApiError::bad_request(detail),
            E::Forbidden(_) => ApiError::forbidden(detail),
            E::NotFound(_) => ApiError::not_found(detail),
            E::Busy(_) => ApiError::new(StatusCode::TOO_MANY_REQUESTS, "busy", detail),
            E::Invalid(r) => r.into(),
            E::DraftFailed { kind, .. } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, kind, detail)
            }
            E::Scoring(s) => s.into(),
            E::Store(_) => ApiError::internal(detail),
        }
    }
}

impl From<runtime::Error> for ApiError {
    fn from(e: runtime::Error) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.kind(), e.to_string())
    }
}

impl From<tokens::Error> for ApiError {
    fn from(e: tokens::Error) -> ApiError {
        match e {
            tokens::Error::BadRole(m) => ApiError::bad_request(m).field("role"),
            other => ApiError::internal(other.to_string()),
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> ApiError {
        ApiError::internal(format!("database: {e}"))
    }
}
