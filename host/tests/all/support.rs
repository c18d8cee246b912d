//! What the tests share: the demo province behind the router (in-process, or
//! served for real) with a token per role, the bundled components, and saying what was not run where a machine
//! lacks what a test needs.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use thuocdo_host::access::tokens;
use thuocdo_host::access::{Actor, Role};
use thuocdo_host::bundled::BUNDLED;
use thuocdo_host::gendata;
use thuocdo_host::registry::Registry;
use thuocdo_host::runtime::Runtime;
use thuocdo_host::store::{Database, Store};
use tower::ServiceExt;

/// Says that `test` did not run because `what` is missing, and how to get
/// it — on standard error itself, which the test harness does not capture.
/// Where `THUOCDO_TEST_REQUIRE` names `what` (or is `all`), as `.ci/run`
/// sets it, a missing part is a failure instead.
pub(crate) fn unavailable(what: &str, test: &str, how: &str) {
    let required = std::env::var("THUOCDO_TEST_REQUIRE").unwrap_or_default();
    if required
        .split(',')
        .any(|r| r.trim() == what || r.trim() == "all")
    {
        panic!("{test} needs {how}; THUOCDO_TEST_REQUIRE={required} makes it required");
    }
    let _ = writeln!(
        std::io::stderr(),
        "not run: {test}, which needs {how} (bash .ci/run provides it)"
    );
}

/// The demo province behind the application's router: called in-process
/// ([`start`]) or served for real on an ephemeral port ([`serve`]).
pub(crate) struct Server {
    /// The served address; empty in-process.
    pub(crate) base: String,
    via: Via,
    pub(crate) tokens: HashMap<&'static str, String>,
    pub(crate) registry: Arc<Registry>,
    pub(crate) dir: std::path::PathBuf,
}

/// How requests reach the router.
enum Via {
    /// `tower::ServiceExt::oneshot` on the router itself.
    InProcess(axum::Router),
    /// A real HTTP client against the served router.
    Served {
        client: Client,
        stop: tokio::sync::oneshot::Sender<()>,
        served: tokio::task::JoinHandle<std::io::Result<()>>,
    },
}

pub(crate) fn wasm(crate_name: &str) -> Vec<u8> {
    BUNDLED
        .iter()
        .find(|b| b.crate_name == crate_name)
        .unwrap()
        .wasm
        .to_vec()
}

/// The demo province published and loaded, a token per role, the router
/// called in-process: what most tests of the routes need.
pub(crate) async fn start(name: &str) -> Server {
    let (registry, tokens, dir) = province(name).await;
    let router = thuocdo_host::app::router(thuocdo_host::app::AppState::new(registry.clone()));
    Server {
        base: String::new(),
        via: Via::InProcess(router),
        tokens,
        registry,
        dir,
    }
}

/// [`start`], but served for real on an ephemeral port, for the tests that
/// drive it with a browser, the command line or a raw HTTP client.
pub(crate) async fn serve(name: &str) -> Server {
    let (registry, tokens, dir) = province(name).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(thuocdo_host::app::serve(
        registry.clone(),
        listener,
        async {
            let _ = stopped.await;
        },
    ));
    Server {
        base,
        via: Via::Served {
            client: Client::new(),
            stop,
            served,
        },
        tokens,
        registry,
        dir,
    }
}

/// The demo province published and loaded into a fresh store, and a token
/// per role.
async fn province(
    name: &str,
) -> (
    Arc<Registry>,
    HashMap<&'static str, String>,
    std::path::PathBuf,
) {
    let dir = std::env::temp_dir().join(format!("thuocdo-api-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = Store::open(&Database::Sqlite(dir.join("thuocdo.db")))
        .await
        .unwrap();
    let registry = Arc::new(Registry::new(store, Arc::new(Runtime::new().unwrap())));
    let admin = Actor::admin("setup@thuocdo");
    for b in BUNDLED {
        registry.publish(&admin, b.wasm.to_vec()).await.unwrap();
    }
    let data = gendata::province(11).unwrap();
    let files = data.write(&dir.join("data"), false).unwrap();
    thuocdo_host::org::import(&registry, &admin, &data.organisation)
        .await
        .unwrap();
    for f in files.iter().filter(|f| f.starts_with("facts-")) {
        let bytes = std::fs::read(dir.join("data").join(f)).unwrap();
        thuocdo_host::facts::import(&registry, &admin, f, &bytes)
            .await
            .unwrap();
    }
    let mut made = HashMap::new();
    for (key, role) in [
        ("admin", Role::Admin),
        (
            "unit-admin",
            Role::UnitAdmin {
                unit: "so-noi-vu".into(),
            },
        ),
        (
            "tax-admin",
            Role::UnitAdmin {
                unit: "thue-tuyen-quang".into(),
            },
        ),
        (
            "publisher",
            Role::Publisher {
                namespace: "tuyenquang-tax".into(),
            },
        ),
        ("analyst", Role::Analyst { unit: None }),
        ("viewer", Role::Viewer),
        (
            "person",
            Role::Person {
                subject: "mot-cua-ha-giang-2-01".into(),
            },
        ),
        (
            "assessor",
            Role::Assessor {
                unit: "so-noi-vu".into(),
            },
        ),
    ] {
        let (secret, _) = tokens::create(registry.store(), "test", key, &role)
            .await
            .unwrap();
        made.insert(key, secret);
    }
    (registry, made, dir)
}

impl Server {
    pub(crate) async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<(&str, Vec<u8>)>,
    ) -> (StatusCode, String, Value) {
        let secret = token.map(|t| self.tokens.get(t).cloned().unwrap_or_else(|| t.to_string()));
        let (status, content_type, text) = match &self.via {
            Via::InProcess(router) => {
                let mut request = axum::http::Request::builder().method(method).uri(path);
                if let Some(secret) = &secret {
                    request = request.header("authorization", format!("Bearer {secret}"));
                }
                let request = match body {
                    Some((content_type, bytes)) => request
                        .header("content-type", content_type)
                        .body(axum::body::Body::from(bytes)),
                    None => request.body(axum::body::Body::empty()),
                }
                .unwrap();
                let response = router.clone().oneshot(request).await.unwrap();
                let status = response.status();
                let content_type = header_text(response.headers());
                let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
                    .await
                    .unwrap();
                (
                    status,
                    content_type,
                    String::from_utf8(bytes.to_vec()).unwrap(),
                )
            }
            Via::Served { client, .. } => {
                let mut request = client.request(method, format!("{}{path}", self.base));
                if let Some(secret) = &secret {
                    request = request.bearer_auth(secret);
                }
                if let Some((content_type, bytes)) = body {
                    request = request.header("content-type", content_type).body(bytes);
                }
                let response = request.send().await.unwrap();
                let status = response.status();
                let content_type = header_text(response.headers());
                (status, content_type, response.text().await.unwrap())
            }
        };
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        if !status.is_success() {
            assert_eq!(content_type, "application/problem+json", "{path}: {value}");
            assert_eq!(value["status"], status.as_u16(), "{value}");
            assert!(!value["code"].as_str().unwrap().is_empty());
        }
        (status, content_type, value)
    }

    pub(crate) async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let (s, _, v) = self.call(Method::GET, path, token, None).await;
        (s, v)
    }

    pub(crate) async fn post_json(
        &self,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> (StatusCode, Value) {
        let (s, _, v) = self
            .call(
                Method::POST,
                path,
                token,
                Some(("application/json", body.to_string().into_bytes())),
            )
            .await;
        (s, v)
    }

    pub(crate) async fn post_bytes(
        &self,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        let (s, _, v) = self
            .call(Method::POST, path, token, Some((content_type, body)))
            .await;
        (s, v)
    }

    /// A PUT of raw bytes.
    pub(crate) async fn put_bytes(
        &self,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        let (s, _, v) = self
            .call(Method::PUT, path, token, Some((content_type, body)))
            .await;
        (s, v)
    }

    pub(crate) async fn stop(self) {
        if let Via::Served { stop, served, .. } = self.via {
            stop.send(()).unwrap();
            served.await.unwrap().unwrap();
        }
        self.registry.store().close().await;
        std::fs::remove_dir_all(&self.dir).unwrap();
    }
}

/// The content type a response named, or nothing.
fn header_text(headers: &reqwest::header::HeaderMap) -> String {
    headers
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// A complete run of September 2025 over the whole organisation.
pub(crate) async fn complete_run(s: &Server) -> i64 {
    complete_run_of(s, "2025-09").await
}

/// A complete run of `period` over the whole organisation.
pub(crate) async fn complete_run_of(s: &Server, period: &str) -> i64 {
    let (status, started) = s
        .post_json("/api/v1/runs", Some("admin"), json!({"period": period}))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{started}");
    let id = started["id"].as_i64().unwrap();
    for _ in 0..400 {
        let (_, body) = s.get(&format!("/api/v1/runs/{id}"), None).await;
        if body["run"]["status"] != "running" {
            assert_eq!(body["run"]["status"], "complete", "{body}");
            return id;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("run {id} did not finish");
}

pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// The same component with a custom section appended: other bytes, the same version.
pub(crate) fn other_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out.extend_from_slice(&[0, 6, 4, b't', b'e', b's', b't', 1]);
    out
}
