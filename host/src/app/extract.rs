//! Extractors that reject in the project's own problem format: the caller
//! from the bearer token, a JSON body, a query string, a run id in the path.

use axum::Json;
use axum::extract::rejection::{BytesRejection, JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::{AppState, HttpError, Wording};
use crate::access::{Action, Allowed, Caller, Denied};

impl FromRequestParts<AppState> for Caller {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, HttpError> {
        let Some(value) = parts.headers.get(AUTHORIZATION) else {
            return Ok(Caller::PUBLIC);
        };
        let secret = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(Denied::BadHeader)?;
        match state.tokens.caller(state.registry.store(), secret).await? {
            Some(caller) => Ok(caller),
            None => Err(Denied::NotLive.into()),
        }
    }
}

/// A caller whose role may take the route's action, known from the headers
/// before the body is read: a caller without the role costs the host no
/// body (see [`crate::access::Allowed`]).
impl<A: Action + Send + Sync> FromRequestParts<AppState> for Allowed<A> {
    type Rejection = HttpError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Allowed<A>, HttpError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        Ok(Allowed::check(caller)?)
    }
}

/// Whether a body could not be read because it stopped arriving (the
/// router's idle timeout on request bodies).
fn stalled(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(e) = cause {
        if e.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        cause = e.source();
    }
    false
}

/// The error for a body that could not be read: 408 when it stopped
/// arriving, 413 when it was over the route's limit (`limit` bytes, where the
/// caller knows it), 400 otherwise.
pub fn unreadable_body(rejection: &BytesRejection, limit: Option<usize>) -> HttpError {
    if stalled(rejection) {
        HttpError::new(
            StatusCode::REQUEST_TIMEOUT,
            "body-timeout",
            "the body stopped arriving before it was complete",
        )
        .field("body")
    } else if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        HttpError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            match limit {
                Some(limit) => format!(
                    "the body is larger than this route accepts ({} MiB)",
                    limit / (1024 * 1024)
                ),
                None => "the body is larger than this route accepts".to_string(),
            },
        )
        .field("body")
    } else {
        HttpError::bad_request(format!("the body cannot be read: {rejection}")).field("body")
    }
}

/// A JSON body; a malformed one is a problem naming what is wrong with it.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = HttpError;

    async fn from_request(request: Request, state: &S) -> Result<Body<T>, HttpError> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(t)) => Ok(Body(t)),
            Err(JsonRejection::JsonDataError(e)) => {
                Err(
                    HttpError::new(StatusCode::UNPROCESSABLE_ENTITY, "bad-json", e.body_text())
                        .field("body"),
                )
            }
            Err(JsonRejection::MissingJsonContentType(_)) => Err(HttpError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "send Content-Type: application/json",
            )
            .field("Content-Type")),
            Err(JsonRejection::BytesRejection(e)) => Err(unreadable_body(&e, None)),
            Err(other) => Err(HttpError::bad_request(other.body_text()).field("body")),
        }
    }
}

/// A query string; a malformed one is a 400 naming what is wrong with it.
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Params<T>, HttpError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(t)) => Ok(Params(t)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => {
                Err(
                    HttpError::new(StatusCode::BAD_REQUEST, "bad-query", e.body_text())
                        .field("query"),
                )
            }
            Err(other) => Err(HttpError::bad_request(other.body_text()).field("query")),
        }
    }
}

/// A run id from the address: a positive integer.
pub fn parse_run_id(text: &str) -> Result<i64, HttpError> {
    text.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
        HttpError::bad_request(format!("`{text}` is not a run id"))
            .field("id")
            .worded(Wording::NotARunId(text.to_string()))
    })
}

/// A request body written to a temporary file as it arrives, at most `limit`
/// bytes, and that file opened at its start: an upload costs the host the
/// same memory whatever its size. The file is unlinked as soon as it is
/// made, so it is gone with the last handle, whatever happens to the host.
/// 413 past `limit`, 408 when the body stops arriving, 400 when it breaks.
pub async fn spool(body: axum::body::Body, limit: usize) -> Result<std::fs::File, HttpError> {
    use futures_util::StreamExt;
    use tokio::io::AsyncWriteExt;

    let failed = |what: &str, e: std::io::Error| {
        HttpError::internal(format!(
            "spooling the upload to a temporary file ({what}): {e}"
        ))
    };
    let mut name = [0u8; 8];
    let _ = getrandom::fill(&mut name);
    let path = std::env::temp_dir().join(format!(
        "thuocdo-upload-{}-{}",
        std::process::id(),
        super::super::runtime::cache::hex(&name)
    ));
    let mut file = tokio::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
        .await
        .map_err(|e| failed("creating it", e))?;
    tokio::fs::remove_file(&path)
        .await
        .map_err(|e| failed("unlinking it", e))?;
    let mut stream = body.into_data_stream();
    let mut written = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            if stalled(&e) {
                HttpError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    "body-timeout",
                    "the body stopped arriving before it was complete",
                )
                .field("body")
            } else {
                HttpError::bad_request(format!("the body cannot be read: {e}")).field("body")
            }
        })?;
        written += chunk.len();
        if written > limit {
            return Err(HttpError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                format!(
                    "the body is larger than this route accepts ({} MiB)",
                    limit / (1024 * 1024)
                ),
            )
            .field("body"));
        }
        file.write_all(&chunk)
            .await
            .map_err(|e| failed("writing it", e))?;
    }
    file.flush().await.map_err(|e| failed("writing it", e))?;
    let mut file = file.into_std().await;
    std::io::Seek::rewind(&mut file).map_err(|e| failed("rewinding it", e))?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[tokio::test]
    async fn a_spooled_body_reads_back_whole_and_leaves_no_file() {
        let body = axum::body::Body::from(vec![7u8; 100_000]);
        let mut file = spool(body, 1 << 20).await.unwrap();
        let mut back = Vec::new();
        file.read_to_end(&mut back).unwrap();
        assert_eq!(back, vec![7u8; 100_000]);
        let prefix = format!("thuocdo-upload-{}-", std::process::id());
        let left = std::fs::read_dir(std::env::temp_dir())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
            .count();
        assert_eq!(
            left, 0,
            "an upload's file was left in the temporary directory"
        );

        let over = spool(axum::body::Body::from(vec![0u8; 2 << 20]), 1 << 20).await;
        let e = over.unwrap_err();
        assert_eq!(e.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(e.code(), "too-large");
    }
}
