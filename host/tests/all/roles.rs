//! Every role's boundary, route by route: what each token may not do is
//! refused with 403, and a refusal writes nothing — the audit log, the
//! versions, the assignments and the official runs are as they were.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Server, complete_run, other_bytes, runtime, start, wasm};

/// A write the test tries with a token.
struct Write {
    what: &'static str,
    path: String,
    body: Body,
}

enum Body {
    Json(Value),
    Bytes(&'static str, Vec<u8>),
}

async fn attempt(s: &Server, token: &str, w: &Write) -> (StatusCode, Value) {
    match &w.body {
        Body::Json(v) => s.post_json(&w.path, Some(token), v.clone()).await,
        Body::Bytes(content_type, bytes) => {
            s.post_bytes(&w.path, Some(token), content_type, bytes.clone())
                .await
        }
    }
}

/// Everything a refusal must leave untouched.
async fn state(s: &Server) -> Value {
    let mut seen = serde_json::Map::new();
    for path in [
        "/api/v1/audit",
        "/api/v1/assignments",
        "/api/v1/plugins/tuyenquang/commune-official",
        "/api/v1/plugins/tuyenquang-tax/tax-officer",
        "/api/v1/runs",
        "/api/v1/units",
    ] {
        let (status, body) = s.get(path, Some("admin")).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        seen.insert(path.into(), body);
    }
    Value::Object(seen)
}

#[test]
fn each_role_is_refused_what_it_may_not_do_and_nothing_is_written() {
    runtime().block_on(async {
        let s = start("roles").await;
        let run = complete_run(&s).await;
        let commune = wasm("commune-official");
        let writes = [
            Write {
                what: "publish in namespace tuyenquang",
                path: "/api/v1/plugins".into(),
                body: Body::Bytes("application/wasm", other_bytes(&commune)),
            },
            Write {
                what: "yank in namespace tuyenquang",
                path: "/api/v1/plugins/tuyenquang/commune-official/1.0.1/yank".into(),
                body: Body::Json(json!({})),
            },
            Write {
                what: "yank in namespace tuyenquang-tax",
                path: "/api/v1/plugins/tuyenquang-tax/tax-officer/1.0.1/yank".into(),
                body: Body::Json(json!({})),
            },
            Write {
                what: "assign the tax card in the tax office",
                path: "/api/v1/assignments".into(),
                body: Body::Json(json!({"post_type": "tax-officer", "plugin": "tuyenquang-tax/tax-officer",
                    "requirement": "^1", "unit": "thue-tuyen-quang", "from": "2026-01"})),
            },
            Write {
                what: "assign across the province",
                path: "/api/v1/assignments".into(),
                body: Body::Json(json!({"post_type": "commune-chair", "plugin": "tuyenquang/commune-official",
                    "requirement": "^1", "unit": "tuyen-quang", "from": "2026-01"})),
            },
            Write {
                what: "import the organisation",
                path: "/api/v1/organisation".into(),
                body: Body::Json(json!({"units": [{"code": "xa-moi", "name": "Xã Mới", "kind": "commune", "parent": "tuyen-quang"}]})),
            },
            Write {
                what: "import facts",
                path: "/api/v1/facts".into(),
                body: Body::Bytes(
                    "text/csv",
                    b"subject_id,period,fact,value,source\ncan-bo-thue-001,2025-10,revenue-target,5000,t\n".to_vec(),
                ),
            },
            Write {
                what: "start a run",
                path: "/api/v1/runs".into(),
                body: Body::Json(json!({"period": "2025-09"})),
            },
            Write {
                what: "publish the province's run",
                path: format!("/api/v1/runs/{run}/publish"),
                body: Body::Json(json!({})),
            },
            Write {
                what: "unlock the province's period",
                path: "/api/v1/periods/2025-09/unlock".into(),
                body: Body::Json(json!({"reason": "a test"})),
            },
        ];
        // Which writes each role may not make (by `what`); the unit admin of
        // so-noi-vu reaches neither the tax office, the province nor plugins.
        let refused: [(&str, &[&str]); 4] = [
            (
                "publisher",
                &[
                    "publish in namespace tuyenquang",
                    "yank in namespace tuyenquang",
                    "assign the tax card in the tax office",
                    "assign across the province",
                    "import the organisation",
                    "import facts",
                    "start a run",
                    "publish the province's run",
                    "unlock the province's period",
                ],
            ),
            ("analyst", &[]),
            ("viewer", &[]),
            (
                "unit-admin",
                &[
                    "publish in namespace tuyenquang",
                    "yank in namespace tuyenquang",
                    "yank in namespace tuyenquang-tax",
                    "assign the tax card in the tax office",
                    "assign across the province",
                    "start a run",
                    "publish the province's run",
                ],
            ),
        ];
        let before = state(&s).await;
        for (role, list) in refused {
            for w in &writes {
                // The analyst and the viewer may write none of these.
                if !list.is_empty() && !list.contains(&w.what) {
                    continue;
                }
                let (status, body) = attempt(&s, role, w).await;
                assert_eq!(status, StatusCode::FORBIDDEN, "{role} may not {}: {body}", w.what);
                assert_eq!(body["code"], "forbidden", "{body}");
            }
        }
        assert_eq!(state(&s).await, before, "a refused write changed something");

        // The viewer and the analyst read only what is public or theirs.
        assert_eq!(s.get("/api/v1/audit", Some("viewer")).await.0, StatusCode::FORBIDDEN);
        assert_eq!(s.get("/api/v1/audit", Some("analyst")).await.0, StatusCode::FORBIDDEN);
        assert_eq!(s.get("/api/v1/audit", Some("publisher")).await.0, StatusCode::FORBIDDEN);

        // The sandbox is the analysts' (and admins'): nobody else uploads or lists.
        for role in ["viewer", "publisher", "unit-admin", "tax-admin"] {
            let (status, body) = s
                .post_bytes("/api/v1/sandbox/drafts", Some(role), "application/wasm", commune.clone())
                .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{role}: {body}");
            assert_eq!(s.get("/api/v1/sandbox/drafts", Some(role)).await.0, StatusCode::FORBIDDEN);
        }
        assert_eq!(s.get("/api/v1/sandbox/drafts", None).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(state(&s).await, before, "a refused write changed something");

        // What each may do still works: the boundary is not a wall.
        let (status, body) = s
            .post_json(
                "/api/v1/plugins/tuyenquang-tax/tax-officer/1.0.1/yank",
                Some("publisher"),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = s
            .post_json(&format!("/api/v1/runs/{run}/publish"), Some("admin"), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        for role in ["analyst", "viewer", "publisher", "tax-admin"] {
            let (status, body) = s
                .post_json(
                    "/api/v1/periods/2025-09/unlock",
                    Some(role),
                    json!({"reason": "a test"}),
                )
                .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{role}: {body}");
        }
        let (_, runs) = s.get("/api/v1/runs", None).await;
        assert_eq!(runs.as_array().unwrap().len(), 1);
        s.stop().await;
    });
}
