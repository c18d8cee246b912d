//! The read path on the national shape at 20,000 servants: every results
//! route and export reads its page (counted by the store), not the run;
//! paging, filters and orders come from the database and agree with the
//! whole; an official run's public answers are validated by an ETag.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use axum::http::{Request, StatusCode};
use serde_json::Value;
use thuocdo_host::access::tokens;
use thuocdo_host::access::{Actor, Role};
use thuocdo_host::bundled::BUNDLED;
use thuocdo_host::gendata;
use thuocdo_host::registry::Registry;
use thuocdo_host::runtime::Runtime;
use thuocdo_host::scoring::{self, RunOptions};
use thuocdo_host::store::{Database, Store};
use tower::ServiceExt;

use crate::support::runtime;

const SERVANTS: usize = 20_000;
const COMMUNES: usize = 260;

struct Read {
    router: axum::Router,
    registry: Arc<Registry>,
    tokens: HashMap<&'static str, String>,
    dir: std::path::PathBuf,
    run: i64,
}

/// What one request answered, and how many result rows it read.
struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
    read: u64,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

impl Read {
    async fn get(&self, path: &str, token: Option<&str>, headers: &[(&str, &str)]) -> Answer {
        let mut request = Request::builder().uri(path);
        if let Some(t) = token {
            request = request.header("authorization", format!("Bearer {}", self.tokens[t]));
        }
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let before = self.registry.store().results_read();
        let response = self
            .router
            .clone()
            .oneshot(request.body(axum::body::Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            read: self.registry.store().results_read() - before,
        }
    }
}

/// The national shape at 20,000 servants, scored for 2025 and published:
/// every fourth commune publishes its people, every eighth grades only.
async fn national() -> Read {
    let dir = std::env::temp_dir().join(format!("thuocdo-read-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = Store::open(&Database::Sqlite(dir.join("thuocdo.db")))
        .await
        .unwrap();
    let registry = Arc::new(Registry::new(store, Arc::new(Runtime::new().unwrap())));
    let admin = Actor::admin("setup@thuocdo");
    for b in BUNDLED {
        registry.publish(&admin, b.wasm.to_vec()).await.unwrap();
    }
    let mut data = gendata::national_of(5, COMMUNES, SERVANTS).unwrap();
    for (k, u) in data
        .organisation
        .units
        .iter_mut()
        .filter(|u| u.kind == "commune")
        .enumerate()
    {
        u.publishes_people = k % 4 == 0;
        u.grades_only = k % 8 == 0;
    }
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
    let report = scoring::run(&registry, &admin, &RunOptions::period("2025"))
        .await
        .unwrap();
    assert_eq!(report.summary.subjects, SERVANTS);
    scoring::publish(&registry, &admin, report.run)
        .await
        .unwrap();
    let mut made = HashMap::new();
    for (key, role) in [
        ("admin", Role::Admin),
        (
            "province-admin",
            Role::UnitAdmin {
                unit: "tinh-01".into(),
            },
        ),
        (
            "analyst",
            Role::Analyst {
                unit: Some("tinh-02".into()),
            },
        ),
        ("viewer", Role::Viewer),
    ] {
        let (secret, _) = tokens::create(registry.store(), "test", key, &role)
            .await
            .unwrap();
        made.insert(key, secret);
    }
    Read {
        router: thuocdo_host::app::router(thuocdo_host::app::AppState::new(registry.clone())),
        registry,
        tokens: made,
        dir,
        run: report.run,
    }
}

/// Every result `token` sees, a page of 1,000 at a time.
async fn all_pages(r: &Read, token: Option<&str>, query: &str) -> Vec<Value> {
    let mut all = Vec::new();
    for page in 1.. {
        let a = r
            .get(
                &format!(
                    "/api/v1/runs/{}/results?per_page=1000&page={page}{query}",
                    r.run
                ),
                token,
                &[],
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let body = a.json();
        let rows = body["results"].as_array().unwrap().clone();
        assert!(a.read <= 1000, "page {page} read {} rows", a.read);
        let done = rows.len() < 1000;
        all.extend(rows);
        if done {
            assert_eq!(all.len() as u64, body["total"].as_u64().unwrap());
            break;
        }
    }
    all
}

/// The ranked group first, best total first (ties by subject); then the
/// rows without a total to show, by unit and subject.
fn assert_ranked(rows: &[Value]) {
    let split = rows
        .iter()
        .position(|r| r["total"].is_null())
        .unwrap_or(rows.len());
    assert!(rows[split..].iter().all(|r| r["total"].is_null()));
    for w in rows[..split].windows(2) {
        let (a, b) = (w[0]["total"].as_i64(), w[1]["total"].as_i64());
        assert!(
            a > b || (a == b && w[0]["subject"].as_str() < w[1]["subject"].as_str()),
            "{} before {}",
            w[0],
            w[1]
        );
    }
    for w in rows[split..].windows(2) {
        let key = |v: &Value| {
            (
                v["unit"].as_str().unwrap().to_string(),
                v["subject"].as_str().unwrap().to_string(),
            )
        };
        assert!(key(&w[0]) < key(&w[1]), "{} before {}", w[0], w[1]);
    }
}

#[test]
fn every_results_route_reads_its_page_not_the_run() {
    runtime().block_on(async {
        let r = national().await;
        let id = r.run;
        let units = r.registry.store().units().await.unwrap();
        let publishing: HashSet<String> = units
            .iter()
            .filter(|u| u.publishes_people)
            .map(|u| u.code.clone())
            .collect();
        let grades_only: HashSet<String> = units
            .iter()
            .filter(|u| u.grades_only && u.publishes_people)
            .map(|u| u.code.clone())
            .collect();

        // The whole run, as an admin sees it: every row, in the order.
        let everyone = all_pages(&r, Some("admin"), "").await;
        assert_eq!(everyone.len(), SERVANTS);
        assert_ranked(&everyone);
        let subjects: HashSet<&str> = everyone
            .iter()
            .map(|v| v["subject"].as_str().unwrap())
            .collect();
        assert_eq!(subjects.len(), SERVANTS, "no row twice, none left out");

        // The public: the people of publishing units only, grades-only
        // units' totals withheld and ranked after every shown total.
        let public = all_pages(&r, None, "").await;
        let expected = everyone
            .iter()
            .filter(|v| publishing.contains(v["unit"].as_str().unwrap()))
            .count();
        assert_eq!(public.len(), expected);
        assert!(expected > 0 && expected < SERVANTS);
        assert_ranked(&public);
        for v in &public {
            assert!(v["facts"].is_null() && v["caps"].as_array().unwrap().is_empty());
            if grades_only.contains(v["unit"].as_str().unwrap()) {
                assert!(v["total"].is_null(), "{v}");
            }
        }

        // Every route and export, for every kind of reader: the rows read
        // stay within what the answer holds.
        let unit = "xa-0005";
        let people_here = everyone.iter().filter(|v| v["unit"] == unit).count() as u64;
        assert!(people_here > 50);
        let someone = everyone.iter().find(|v| v["unit"] == unit).unwrap()["subject"]
            .as_str()
            .unwrap()
            .to_string();
        for token in [None, Some("viewer"), Some("analyst"), Some("province-admin"), Some("admin")] {
            for (path, most) in [
                (format!("/api/v1/runs/{id}/results?per_page=50"), 50),
                (format!("/api/v1/runs/{id}/results?per_page=20&page=300"), 20),
                (format!("/api/v1/runs/{id}/results?per_page=50&sort=name"), 50),
                (format!("/api/v1/runs/{id}/results?per_page=50&subtree=tinh-01"), 50),
                (format!("/api/v1/runs/{id}/results?per_page=50&grade=B"), 50),
                (format!("/api/v1/runs/{id}/results?per_page=50&outcome=scored&post=cong-chuc-tu-phap-ho-tich"), 50),
                (format!("/api/v1/runs/{id}/results?unit={unit}&format=csv"), people_here),
                (format!("/api/v1/runs/{id}/summary"), 0),
                (format!("/runs/{id}"), 0),
                (format!("/runs/{id}?page=2"), 0),
                (format!("/runs/{id}/units/{unit}"), people_here),
                // The result, and its row again in the history (one official run).
                (format!("/runs/{id}/people/{someone}"), 2),
                ("/".to_string(), 0),
                ("/search?q=xa+phuong+0005".to_string(), 0),
                (format!("/runs/{id}/results.csv?unit={unit}"), people_here),
                (format!("/runs/{id}/results.xlsx?unit={unit}"), people_here),
            ] {
                let a = r.get(&path, token, &[]).await;
                assert!(
                    a.status == StatusCode::OK || a.status == StatusCode::NOT_FOUND,
                    "{path} as {token:?}: {} {}",
                    a.status,
                    a.body
                );
                assert!(
                    a.read <= most,
                    "{path} as {token:?} read {} rows; its page holds at most {most}",
                    a.read
                );
            }
            // The whole country's CSV reads exactly the rows it writes.
            let a = r
                .get(&format!("/api/v1/runs/{id}/results?format=csv"), token, &[])
                .await;
            assert_eq!(a.status, StatusCode::OK);
            let lines = a.body.lines().count() as u64 - 1;
            assert_eq!(a.read, lines, "as {token:?}");
            let seen = all_pages(&r, token, "").await;
            assert_eq!(seen.len() as u64, lines, "the CSV holds what the pages hold");
        }

        // Filters and orders agree with the whole.
        let tinh01 = all_pages(&r, Some("province-admin"), "&subtree=tinh-01").await;
        let under: HashSet<&str> = units
            .iter()
            .filter(|u| u.parent.as_deref() == Some("tinh-01") || u.code == "tinh-01")
            .map(|u| u.code.as_str())
            .collect();
        assert_eq!(
            tinh01.len(),
            everyone
                .iter()
                .filter(|v| under.contains(v["unit"].as_str().unwrap()))
                .count()
        );
        assert!(tinh01.iter().all(|v| !v["facts"].is_null()), "their own subtree's facts");
        let graded_b = all_pages(&r, Some("admin"), "&grade=B").await;
        assert_eq!(
            graded_b.len(),
            everyone.iter().filter(|v| v["grade"] == "B").count()
        );
        let by_name = r
            .get(
                &format!("/api/v1/runs/{id}/results?unit={unit}&sort=name&per_page=1000"),
                Some("admin"),
                &[],
            )
            .await
            .json();
        let names = r
            .registry
            .store()
            .subject_names(Some(unit))
            .await
            .unwrap();
        let order: Vec<&str> = by_name["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| names[v["subject"].as_str().unwrap()].as_str())
            .collect();
        let mut sorted = order.clone();
        sorted.sort_by(|a, b| thuocdo_host::org::names::name_order(a, b));
        assert_eq!(order, sorted, "names as Vietnamese lists order them");

        // Bad filters are named.
        for (query, field) in [
            ("unit=nowhere", "unit"),
            ("subtree=nowhere", "subtree"),
            ("grade=E", "grade"),
            ("outcome=won", "outcome"),
            ("sort=age", "sort"),
            ("format=csv&sort=name", "sort"),
            ("per_page=1001", "per_page"),
            ("page=0", "page"),
        ] {
            let a = r
                .get(&format!("/api/v1/runs/{id}/results?{query}"), None, &[])
                .await;
            assert!(a.status.is_client_error(), "{query}");
            assert_eq!(a.json()["field"], field, "{query}: {}", a.body);
        }

        // A search finds the commune without its diacritics, and people
        // only where their unit publishes them.
        let found = r.get("/search?q=xa+phuong+0005", None, &[]).await;
        assert!(
            found.body.contains(&format!("href=\"/runs/{id}/units/xa-0005\"")),
            "{}",
            found.body
        );
        let published = everyone
            .iter()
            .find(|v| publishing.contains(v["unit"].as_str().unwrap()))
            .unwrap();
        let hidden = everyone
            .iter()
            .find(|v| !publishing.contains(v["unit"].as_str().unwrap()))
            .unwrap();
        let all_names = r.registry.store().subject_names(None).await.unwrap();
        for (who, shown) in [(published, true), (hidden, false)] {
            let subject = who["subject"].as_str().unwrap();
            let q = thuocdo_host::org::names::fold(&all_names[subject]).replace(' ', "+");
            let a = r.get(&format!("/search?q={q}"), None, &[]).await;
            let link = format!("/people/{subject}\"");
            if shown {
                assert!(
                    a.body.contains(&link) || a.body.matches("/people/").count() == 20,
                    "{q}: {}",
                    a.body
                );
            } else {
                assert!(!a.body.contains(&link), "{q}: {}", a.body);
            }
        }

        // The read counter is in /metrics.
        let m = r.get("/metrics", None, &[]).await;
        assert!(m.body.contains("thuocdo_result_rows_read_total "));

        // An official run's public page is validated: the same request
        // with its tag is 304, reading nothing; a signed-in reader's is not
        // cached at all.
        for path in [
            format!("/runs/{id}"),
            format!("/runs/{id}/units/{unit}"),
            format!("/api/v1/runs/{id}/results?per_page=10"),
        ] {
            let first = r.get(&path, None, &[]).await;
            assert_eq!(first.status, StatusCode::OK);
            let tag = first.headers["etag"].to_str().unwrap().to_string();
            assert!(
                first.headers["cache-control"]
                    .to_str()
                    .unwrap()
                    .starts_with("public")
            );
            let again = r.get(&path, None, &[("if-none-match", &tag)]).await;
            assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{path}");
            assert_eq!(again.read, 0);
            assert!(again.body.is_empty());
            let english = r
                .get(&path, None, &[("if-none-match", &tag), ("accept-language", "en")])
                .await;
            assert_eq!(english.status, StatusCode::OK, "another language, another tag");
            let signed = r.get(&path, Some("viewer"), &[("if-none-match", &tag)]).await;
            assert_eq!(signed.status, StatusCode::OK);
            assert!(signed.headers.get("etag").is_none());
        }

        // The overview pages its units table.
        let second = r.get(&format!("/runs/{id}?page=2"), None, &[]).await;
        assert!(second.body.contains("rel=\"prev\""), "{}", second.body);
        let rows = second.body.matches("<tr data-unit=").count();
        assert_eq!(rows, 100);
        let beyond = r.get(&format!("/runs/{id}?page=99"), None, &[]).await;
        assert_eq!(beyond.status, StatusCode::NOT_FOUND);
        assert!(beyond.body.contains("the units table has 3 page(s), not 99"), "{}", beyond.body);
        for bad in ["0", "two"] {
            let a = r.get(&format!("/runs/{id}?page={bad}"), None, &[]).await;
            assert_eq!(a.status, StatusCode::BAD_REQUEST, "page={bad}");
            assert!(a.body.contains(&format!("page `{bad}`: pages count from 1")), "{}", a.body);
        }

        r.registry.store().close().await;
        std::fs::remove_dir_all(&r.dir).unwrap();
    });
}
