//! The application's router called in-process: request ids, compression,
//! the problem format of malformed requests, and a 5xx that logs its cause
//! and tells the caller only the request's id.

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use thuocdo_host::app::{AppState, router};
use thuocdo_host::registry::Registry;
use thuocdo_host::runtime::Runtime;
use thuocdo_host::store::{Database, Store};
use tower::ServiceExt;

/// A router over an empty store of its own, and the store.
async fn app(name: &str) -> (axum::Router, Store, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("thuocdo-app-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = Store::open(&Database::Sqlite(dir.join("thuocdo.db")))
        .await
        .unwrap();
    let registry = Arc::new(Registry::new(
        store.clone(),
        Arc::new(Runtime::new().unwrap()),
    ));
    (router(AppState::new(registry)), store, dir)
}

/// Sends one request; the status, the headers and the body as text.
async fn send(
    app: &axum::Router,
    request: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), 64 << 20)
        .await
        .unwrap();
    (status, headers, body.to_vec())
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

/// Log lines written while a test runs, to read back.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Runs `test` on one thread with the log captured.
fn with_log<F: Future<Output = ()>>(test: impl FnOnce(Captured) -> F) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(test(captured))
    });
}

#[test]
fn a_5xx_answers_with_the_request_id_and_logs_the_database_cause() {
    with_log(|log| async move {
        let (app, store, dir) = app("fault").await;
        // The runs table gone: every read of runs fails in the database.
        sqlx::query("DROP TABLE run_results")
            .execute(store.pool())
            .await
            .unwrap();
        sqlx::query("DROP TABLE official_runs")
            .execute(store.pool())
            .await
            .unwrap();
        sqlx::query("DROP TABLE runs")
            .execute(store.pool())
            .await
            .unwrap();

        let (status, headers, body) = send(&app, get("/api/v1/runs")).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        let id = headers["x-request-id"].to_str().unwrap().to_string();
        let problem: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(problem["code"], "internal");
        assert_eq!(problem["request_id"], id.as_str());
        let text = String::from_utf8_lossy(&body);
        assert!(!text.contains("no such table"), "{text}");
        assert!(!text.contains("database"), "{text}");
        assert!(text.contains(&id), "{text}");

        let logged = log.text();
        let line = logged
            .lines()
            .find(|l| l.contains("request failed") && l.contains(&id))
            .unwrap_or_else(|| panic!("no log line for request {id}:\n{logged}"));
        assert!(line.contains("no such table: runs"), "{line}");
        assert!(line.contains("ERROR"), "{line}");

        // The dashboard's page for the same fault: the same silence.
        let (status, headers, body) = send(&app, get("/")).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        let page_id = headers["x-request-id"].to_str().unwrap().to_string();
        let html = String::from_utf8_lossy(&body);
        assert!(!html.contains("no such table"), "{html}");
        assert!(html.contains(&page_id), "{html}");
        assert!(
            log.text()
                .lines()
                .any(|l| l.contains(&page_id) && l.contains("no such table: runs"))
        );
        store.close().await;
        let _ = std::fs::remove_dir_all(dir);
    });
}

#[test]
fn every_response_has_a_request_id_and_one_a_proxy_sent_is_kept() {
    with_log(|_| async move {
        let (app, store, dir) = app("ids").await;
        let (_, a, _) = send(&app, get("/healthz")).await;
        let (_, b, _) = send(&app, get("/healthz")).await;
        let (a, b) = (&a["x-request-id"], &b["x-request-id"]);
        assert_ne!(a, b, "two requests, two ids");
        let request = Request::get("/healthz")
            .header("x-request-id", "proxy-42")
            .body(Body::empty())
            .unwrap();
        let (_, kept, _) = send(&app, request).await;
        assert_eq!(kept["x-request-id"], "proxy-42");
        store.close().await;
        let _ = std::fs::remove_dir_all(dir);
    });
}

#[test]
fn responses_are_compressed_for_a_client_that_accepts_gzip() {
    with_log(|_| async move {
        let (app, store, dir) = app("gzip").await;
        let (_, plain_headers, plain) = send(&app, get("/api/v1/openapi.json")).await;
        assert!(!plain_headers.contains_key("content-encoding"));
        let request = Request::get("/api/v1/openapi.json")
            .header("accept-encoding", "gzip")
            .body(Body::empty())
            .unwrap();
        let (status, headers, gzipped) = send(&app, request).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-encoding"], "gzip");
        assert!(
            gzipped.len() * 3 < plain.len(),
            "{} bytes gzipped of {}",
            gzipped.len(),
            plain.len()
        );
        store.close().await;
        let _ = std::fs::remove_dir_all(dir);
    });
}

#[test]
fn a_malformed_query_is_a_problem_naming_the_query() {
    with_log(|_| async move {
        let (app, store, dir) = app("query").await;
        let (status, headers, body) = send(&app, get("/api/v1/runs/1/results?per_page=many")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(headers["content-type"], "application/problem+json");
        let problem: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(problem["code"], "bad-query");
        assert_eq!(problem["field"], "query");
        assert!(
            problem["detail"].as_str().unwrap().contains("per_page"),
            "{problem}"
        );
        assert!(problem.get("request_id").is_none(), "only a 5xx names it");
        store.close().await;
        let _ = std::fs::remove_dir_all(dir);
    });
}

#[test]
fn a_corrupt_stored_result_is_an_error_naming_the_subject_not_a_default() {
    with_log(|log| async move {
        let (app, store, dir) = app("corrupt").await;
        sqlx::query(
            "INSERT INTO runs (period, unit, status, started_by, started_at, heartbeat_at, \
             finished_at, engine) VALUES ('2025-09', NULL, 'complete', 'test', 1, 1, 2, 'test')",
        )
        .execute(store.pool())
        .await
        .unwrap();
        // A unit that publishes its people, so the public reads the row.
        sqlx::query(
            "INSERT INTO units (code, name, kind, parent, publishes_people) \
             VALUES ('xa-an-lam', 'Xã An Lâm', 'commune', NULL, 1)",
        )
        .execute(store.pool())
        .await
        .unwrap();
        // A grade no scorecard gives, and a light no indicator shows.
        sqlx::query(
            "INSERT INTO run_results (run_id, subject, unit, post, task_group, plugin, version, \
             sha256, outcome, total, computed_grade, grade, caps, indicators, facts, facts_sha256, \
             fuel) VALUES (1, 'chair-1', 'xa-an-lam', 'commune-chair', 'g', 'a/b', '1.0.0', 'x', \
             'scored', 90000, 'A', 'Z', '[]', '[[1,2,\"purple\"]]', '{}', 'y', 1)",
        )
        .execute(store.pool())
        .await
        .unwrap();
        let (status, headers, body) = send(&app, get("/api/v1/runs/1/results")).await;
        assert_eq!(
            status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{}",
            String::from_utf8_lossy(&body)
        );
        let id = headers["x-request-id"].to_str().unwrap().to_string();
        let logged = log.text();
        let line = logged
            .lines()
            .find(|l| l.contains(&id) && l.contains("request failed"))
            .unwrap_or_else(|| panic!("no log line for {id}:\n{logged}"));
        assert!(
            line.contains("a stored result is unreadable: chair-1's"),
            "{line}"
        );
        store.close().await;
        let _ = std::fs::remove_dir_all(dir);
    });
}

/// A request body of `total` bytes made as it is read, and how many bytes
/// the server has read of it.
fn counted_body(total: usize) -> (Body, Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::Ordering;
    let read = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = read.clone();
    let chunk = bytes::Bytes::from(vec![b'x'; 1 << 20]);
    let stream = futures_util::stream::unfold(0usize, move |sent| {
        let (chunk, counter) = (chunk.clone(), counter.clone());
        async move {
            (sent < total).then(|| {
                counter.fetch_add(chunk.len(), Ordering::Relaxed);
                (Ok::<_, std::io::Error>(chunk), sent + (1 << 20))
            })
        }
    });
    (Body::from_stream(stream), read)
}

#[test]
fn a_caller_without_the_role_is_refused_before_the_body_is_read() {
    with_log(|_| async move {
        let (app, store, dir) = app("unread").await;
        let (viewer, _) = thuocdo_host::access::tokens::create(
            &store,
            "test",
            "viewer",
            &thuocdo_host::access::Role::Viewer,
        )
        .await
        .unwrap();
        for (path, content_type) in [
            ("/api/v1/facts?format=csv", "text/csv"),
            ("/api/v1/plugins", "application/wasm"),
            ("/api/v1/organisation", "application/json"),
            ("/api/v1/assignments", "application/json"),
            ("/api/v1/runs", "application/json"),
            ("/api/v1/periods/2025-09/unlock", "application/json"),
            ("/api/v1/sandbox/drafts", "application/wasm"),
            ("/api/v1/sandbox/drafts/1/compare", "application/json"),
            ("/api/v1/evaluate", "application/json"),
        ] {
            for (token, status) in [
                (None, StatusCode::UNAUTHORIZED),
                (Some(viewer.as_str()), StatusCode::FORBIDDEN),
            ] {
                if path == "/api/v1/evaluate" && token.is_some() {
                    continue; // any token may evaluate
                }
                // 500 MiB, made only as far as the server reads it.
                let (body, read) = counted_body(500 << 20);
                let mut request = Request::post(path).header("content-type", content_type);
                if let Some(t) = token {
                    request = request.header("authorization", format!("Bearer {t}"));
                }
                let (got, _, text) = send(&app, request.body(body).unwrap()).await;
                assert_eq!(got, status, "{path}: {}", String::from_utf8_lossy(&text));
                let read = read.load(std::sync::atomic::Ordering::Relaxed);
                assert_eq!(read, 0, "{path}: {read} bytes of the body were read");
            }
        }
        store.close().await;
        let _ = std::fs::remove_dir_all(dir);
    });
}

/// A body that sends one piece and then never another.
fn stalled_body() -> Body {
    let first = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from_static(
        b"subject,period,",
    ))]);
    Body::from_stream(futures_util::StreamExt::chain(
        first,
        futures_util::stream::pending(),
    ))
}

/// The router over `name`'s empty store with `limits`, and an admin token.
async fn limited(
    name: &str,
    limits: thuocdo_host::app::HttpLimits,
) -> (axum::Router, Store, std::path::PathBuf, String) {
    let (_, store, dir) = app(name).await;
    let registry = Arc::new(Registry::new(
        store.clone(),
        Arc::new(Runtime::new().unwrap()),
    ));
    let router = router(AppState::new(registry).with_http(limits));
    let (admin, _) = thuocdo_host::access::tokens::create(
        &store,
        "test",
        "admin",
        &thuocdo_host::access::Role::Admin,
    )
    .await
    .unwrap();
    (router, store, dir, admin)
}

fn stalled_facts(admin: &str) -> Request<Body> {
    Request::post("/api/v1/facts?format=csv")
        .header("content-type", "text/csv")
        .header("authorization", format!("Bearer {admin}"))
        .body(stalled_body())
        .unwrap()
}

#[test]
fn a_body_that_stops_arriving_or_a_request_that_takes_too_long_is_a_408() {
    with_log(|_| async move {
        use std::time::Duration;
        let limits = thuocdo_host::app::HttpLimits {
            body_idle_timeout: Duration::from_millis(200),
            ..Default::default()
        };
        let (app, store, dir, admin) = limited("stalled", limits).await;
        let (status, _, body) = send(&app, stalled_facts(&admin)).await;
        assert_eq!(status, StatusCode::REQUEST_TIMEOUT);
        let problem: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(problem["code"], "body-timeout", "{problem}");
        store.close().await;
        let _ = std::fs::remove_dir_all(&dir);

        let limits = thuocdo_host::app::HttpLimits {
            request_timeout: Duration::from_millis(300),
            ..Default::default()
        };
        let (app, store, dir, admin) = limited("slow", limits).await;
        let (status, _, _) = send(&app, stalled_facts(&admin)).await;
        assert_eq!(status, StatusCode::REQUEST_TIMEOUT);
        store.close().await;
        let _ = std::fs::remove_dir_all(dir);
    });
}

#[test]
fn past_the_requests_in_flight_the_host_answers_503_with_retry_after_at_once() {
    with_log(|_| async move {
        let limits = thuocdo_host::app::HttpLimits {
            max_in_flight: 1,
            ..Default::default()
        };
        let (app, store, dir, admin) = limited("busy", limits).await;
        // One request holds the only place, its body never complete.
        let held = tokio::spawn({
            let app = app.clone();
            let request = stalled_facts(&admin);
            async move { app.oneshot(request).await }
        });
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let (status, headers, body) = send(&app, get("/healthz")).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(headers["retry-after"], "1");
        let problem: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(problem["code"], "overloaded", "{problem}");
        // Once it is gone, the next is answered.
        held.abort();
        let _ = held.await;
        let (status, _, _) = send(&app, get("/healthz")).await;
        assert_eq!(status, StatusCode::OK);
        store.close().await;
        let _ = std::fs::remove_dir_all(dir);
    });
}

#[test]
fn a_json_body_over_the_limit_is_a_413_naming_the_body() {
    with_log(|_| async move {
        let (app, store, dir, admin) =
            limited("too-large", thuocdo_host::app::HttpLimits::default()).await;
        // Over the API's 32 MiB for a request that is not a data file.
        let (body, _) = counted_body(33 << 20);
        let request = Request::post("/api/v1/runs")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {admin}"))
            .body(body)
            .unwrap();
        let (status, _, body) = send(&app, request).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        let problem: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(problem["code"], "too-large", "{problem}");
        assert_eq!(problem["field"], "body");
        assert_eq!(
            problem["detail"], "the body is larger than this route accepts",
            "{problem}"
        );
        store.close().await;
        let _ = std::fs::remove_dir_all(dir);
    });
}
