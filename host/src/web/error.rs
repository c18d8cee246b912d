//! Every error a page can meet, mapped in one place to an HTTP status and a
//! page that says, in the reader's language, what went wrong: the API's own
//! mapping decides the status and the message, so a page and the route
//! beside it never disagree.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::locale::{Lang, Words};
use crate::access::{self, tokens};
use crate::app::{HttpError, Wording};
use crate::{registry, scoring, whatif};

/// An error on its way to becoming a page.
#[derive(Debug)]
pub struct WebError {
    status: StatusCode,
    detail: String,
    lang: Lang,
    wording: Option<Wording>,
}

impl WebError {
    /// An error with a status and a message.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> WebError {
        WebError {
            status,
            detail: detail.into(),
            lang: Lang::Vi,
            wording: None,
        }
    }

    /// Says what the error says as data, so the page words it in the reader's language.
    pub fn worded(mut self, wording: Wording) -> WebError {
        self.wording = Some(wording);
        self
    }

    /// 404.
    pub fn not_found(detail: impl Into<String>) -> WebError {
        WebError::new(StatusCode::NOT_FOUND, detail)
    }

    /// 403: the caller may not see this.
    pub fn forbidden(detail: impl Into<String>) -> WebError {
        WebError::new(StatusCode::FORBIDDEN, detail)
    }

    /// 400: the address is malformed.
    pub fn bad_request(detail: impl Into<String>) -> WebError {
        WebError::new(StatusCode::BAD_REQUEST, detail)
    }

    /// The same error, shown in `lang`.
    pub fn in_lang(mut self, lang: Lang) -> WebError {
        self.lang = lang;
        self
    }

    /// Its status.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    lang: &'static str,
    w: &'static Words,
    status: u16,
    reason: &'a str,
    /// What the status means, in the reader's language, where the detail
    /// is the API's English sentence rather than a worded one.
    summary: Option<&'a str>,
    detail: &'a str,
}

/// What a refusal's status means, in the reader's language: every refusal
/// the pages meet has a stable code and a status, and the status is what
/// tells the reader what to do next.
fn summary(w: &'static Words, status: StatusCode) -> Option<&'static str> {
    Some(match status.as_u16() {
        400 => w.err_bad_request,
        401 => w.err_unauthorized,
        403 => w.err_forbidden,
        404 => w.err_not_found,
        409 => w.err_conflict,
        413 | 415 | 422 => w.err_refused,
        429 => w.err_busy,
        _ => return None,
    })
}

impl IntoResponse for WebError {
    fn into_response(mut self) -> Response {
        let w = self.lang.words();
        let mut summary = None;
        if self.status.is_server_error() {
            // The cause is the host's own: logged, never shown.
            let fault = HttpError::new(self.status, "internal", std::mem::take(&mut self.detail));
            fault.log();
            self.detail = crate::app::request_id().map_or_else(
                || fault.public_detail(),
                |id| w.err_internal.replace("{}", &id),
            );
        } else if let Some(wording) = &self.wording {
            self.detail = match wording {
                Wording::NotARunId(text) => w.err_not_a_run_id.replace("{}", text),
                Wording::NoRun(id) => w.err_no_run.replace("{}", &id.to_string()),
                Wording::NoUnit(code) => w.err_no_unit.replace("{}", code),
                Wording::NoResult(subject) => w.err_no_result.replace("{}", subject),
                Wording::NotPublished(unit) => w.err_not_published.replace("{}", unit),
            };
        } else {
            summary = self::summary(w, self.status);
        }
        let page = ErrorPage {
            lang: self.lang.code(),
            w: self.lang.words(),
            status: self.status.as_u16(),
            reason: self.status.canonical_reason().unwrap_or("error"),
            summary,
            detail: &self.detail,
        };
        match page.render() {
            Ok(html) => (
                self.status,
                [(
                    axum::http::header::CONTENT_SECURITY_POLICY,
                    super::session::POLICY,
                )],
                Html(html),
            )
                .into_response(),
            Err(e) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!(
                    "{}: {} (and the error page failed: {e})",
                    self.status, self.detail
                ),
            )
                .into_response(),
        }
    }
}

impl From<HttpError> for WebError {
    fn from(e: HttpError) -> WebError {
        let wording = e.wording().cloned();
        WebError {
            wording,
            ..WebError::new(e.status(), e.detail())
        }
    }
}

impl From<scoring::Error> for WebError {
    fn from(e: scoring::Error) -> WebError {
        HttpError::from(e).into()
    }
}

impl From<registry::Error> for WebError {
    fn from(e: registry::Error) -> WebError {
        HttpError::from(e).into()
    }
}

impl From<whatif::Error> for WebError {
    fn from(e: whatif::Error) -> WebError {
        HttpError::from(e).into()
    }
}

impl From<access::Denied> for WebError {
    fn from(e: access::Denied) -> WebError {
        HttpError::from(e).into()
    }
}

impl From<tokens::Error> for WebError {
    fn from(e: tokens::Error) -> WebError {
        HttpError::from(e).into()
    }
}

impl From<crate::store::Error> for WebError {
    fn from(e: crate::store::Error) -> WebError {
        HttpError::from(e).into()
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> WebError {
        WebError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("a page failed to render: {e}"),
        )
    }
}
