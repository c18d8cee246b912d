//! Validators for official runs' public answers. An official run changes
//! only through a new publication or a correction (which raises its
//! revision), so what the public reads of it — its pages, its results, its
//! summary — carries an `ETag` made of the run, its publication, its
//! revision and what the answer depends on
//! (the address, the language asked for, the cookies sent), and a
//! `Cache-Control` a reverse proxy may keep it by. A request that names the
//! tag it holds is answered 304 from one indexed read, without the results.

use axum::extract::{Request, State};
use axum::http::header::{
    ACCEPT_LANGUAGE, AUTHORIZATION, CACHE_CONTROL, COOKIE, ETAG, IF_NONE_MATCH, SET_COOKIE, VARY,
};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::AppState;
use crate::web::session::SESSION_COOKIE;

/// How long a proxy or browser may reuse an answer without asking again.
const CACHE_CONTROL_PUBLIC: &str = "public, max-age=300";

/// The run a path reads, when it is one of a run's answers.
fn run_of(path: &str) -> Option<i64> {
    let rest = path
        .strip_prefix("/api/v1/runs/")
        .or_else(|| path.strip_prefix("/runs/"))?;
    rest.split('/').next()?.parse().ok()
}

/// Whether the request is the public's: no token, no session.
fn public(request: &Request) -> bool {
    let headers = request.headers();
    if headers.contains_key(AUTHORIZATION) {
        return false;
    }
    !headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|c| c.trim().starts_with(&format!("{SESSION_COOKIE}=")))
}

/// The tag of `request`'s answer from publication `publication` of `run`
/// at revision `revision`.
fn tag(request: &Request, run: i64, publication: i64, revision: i64) -> String {
    let mut h = Sha256::new();
    let headers = request.headers();
    h.update(request.uri().to_string().as_bytes());
    for name in [ACCEPT_LANGUAGE, COOKIE] {
        for v in headers.get_all(name) {
            h.update([0]);
            h.update(v.as_bytes());
        }
        h.update([1]);
    }
    let digest = h.finalize();
    let short: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("W/\"thuocdo-{run}-{publication}.{revision}-{short}\"")
}

fn validators(headers: &mut axum::http::HeaderMap, tag: &str) {
    if let Ok(v) = HeaderValue::from_str(tag) {
        headers.insert(ETAG, v);
    }
    headers.insert(
        CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL_PUBLIC),
    );
    headers.insert(VARY, HeaderValue::from_static("Accept-Language, Cookie"));
}

/// The layer: validators on the public's answers about an official run.
pub async fn official(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(run) = run_of(request.uri().path()) else {
        return next.run(request).await;
    };
    if request.method() != Method::GET || !public(&request) {
        return next.run(request).await;
    }
    let (publication, revision) = match state.registry.store().active_publication(run).await {
        Ok(Some(p)) => p,
        // Not official, or the database did not answer: the handler decides.
        _ => return next.run(request).await,
    };
    let tag = tag(&request, run, publication, revision);
    let held = request
        .headers()
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == tag || t.trim() == "*");
    if held {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        validators(response.headers_mut(), &tag);
        return response;
    }
    let mut response = next.run(request).await;
    let headers = response.headers();
    // Only a whole answer that says nothing of its own about caching, and
    // sets no cookie, is the public's to keep.
    if response.status() == StatusCode::OK
        && !headers.contains_key(CACHE_CONTROL)
        && !headers.contains_key(SET_COOKIE)
    {
        validators(response.headers_mut(), &tag);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::run_of;

    #[test]
    fn the_paths_of_a_runs_answers_name_the_run() {
        assert_eq!(run_of("/runs/7"), Some(7));
        assert_eq!(run_of("/runs/7/units/xa-01"), Some(7));
        assert_eq!(run_of("/runs/7/results.csv"), Some(7));
        assert_eq!(run_of("/api/v1/runs/12/results"), Some(12));
        assert_eq!(run_of("/api/v1/runs"), None);
        assert_eq!(run_of("/runs/x"), None);
        assert_eq!(run_of("/catalogue"), None);
    }
}
