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
        "/api/v1/audit?limit=1000",
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
                path: "/api/v1/plugins/tuyenquang/commune-official/1.0.2/yank".into(),
                body: Body::Json(json!({})),
            },
            Write {
                what: "yank in namespace tuyenquang-tax",
                path: "/api/v1/plugins/tuyenquang-tax/tax-officer/1.0.2/yank".into(),
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
                what: "import work products",
                path: "/api/v1/products".into(),
                body: Body::Bytes(
                    "text/csv",
                    b"subject_id,period,product_id,kind,assigned,accepted\ncan-bo-thue-001,2025-10,p-1,report,1,1\n".to_vec(),
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
                "/api/v1/plugins/tuyenquang-tax/tax-officer/1.0.2/yank",
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

/// One route of the API and what each caller gets from it, in the order
/// of [`CALLERS`]: `O` 2xx, `U` 401, `F` 403, `N` 404, `B` 400, `C` 409,
/// `J` 422.
/// Writes carry a body or name a thing the route refuses after its role
/// check (nothing is written), so that a caller the role lets through is
/// seen to reach the route's own checks.
struct Row {
    method: &'static str,
    /// As the OpenAPI document writes it.
    route: &'static str,
    /// With its parameters filled in.
    path: String,
    body: Option<(&'static str, Vec<u8>)>,
    expect: &'static str,
}

/// The callers of the matrix: the public, then a token per role (the
/// person is a clerk of the ward 2 centre; the assessor's subtree is
/// so-noi-vu, as the unit admin's).
const CALLERS: [Option<&str>; 8] = [
    None,
    Some("viewer"),
    Some("analyst"),
    Some("publisher"),
    Some("unit-admin"),
    Some("admin"),
    Some("person"),
    Some("assessor"),
];

fn code(status: StatusCode) -> char {
    match status.as_u16() {
        200..=299 => 'O',
        401 => 'U',
        403 => 'F',
        404 => 'N',
        400 => 'B',
        409 => 'C',
        422 => 'J',
        _ => '?',
    }
}

#[test]
fn every_route_of_the_api_has_a_row_in_the_access_matrix_and_keeps_it() {
    runtime().block_on(async {
        let s = start("matrix").await;
        let run = complete_run(&s).await;
        let json = |v: Value| Some(("application/json", v.to_string().into_bytes()));
        let row = |method, route, path: &str, body, expect| Row {
            method,
            route,
            path: path.to_string(),
            body,
            expect,
        };
        let runs = format!("/api/v1/runs/{run}");
        // A subject of a unit that publishes its people, and one of a unit
        // that does not: the same answers for both.
        let subject_where = |publishes: i64| {
            let s = &s;
            async move {
                sqlx::query(
                    "SELECT r.subject FROM run_results r JOIN units u ON u.code = r.unit \
                     WHERE r.run_id = $1 AND u.publishes_people = $2 LIMIT 1",
                )
                .bind(run)
                .bind(publishes)
                .fetch_one(s.registry.store().pool())
                .await
                .map(|r| sqlx::Row::try_get::<String, &str>(&r, "subject"))
                .unwrap()
                .unwrap()
            }
        };
        let published = subject_where(1).await;
        let unpublished = subject_where(0).await;
        let inside: String =
            sqlx::query("SELECT id FROM subjects WHERE unit = 'so-noi-vu' LIMIT 1")
                .fetch_one(s.registry.store().pool())
                .await
                .map(|r| sqlx::Row::try_get(&r, "id"))
                .unwrap()
                .unwrap();
        let rows = vec![
            row(
                "get",
                "/api/v1/plugins",
                "/api/v1/plugins",
                None,
                "OOOOOOOO",
            ),
            // An empty component: refused for what it is, once the role allows.
            row(
                "post",
                "/api/v1/plugins",
                "/api/v1/plugins",
                Some(("application/wasm", Vec::new())),
                "UFFBFBFF",
            ),
            row(
                "get",
                "/api/v1/plugins/{namespace}/{name}",
                "/api/v1/plugins/tuyenquang-tax/tax-officer",
                None,
                "OOOOOOOO",
            ),
            row(
                "get",
                "/api/v1/plugins/{namespace}/{name}/{version}",
                "/api/v1/plugins/tuyenquang-tax/tax-officer/1.0.2",
                None,
                "OOOOOOOO",
            ),
            row(
                "post",
                "/api/v1/plugins/{namespace}/{name}/{version}/yank",
                "/api/v1/plugins/tuyenquang-tax/tax-officer/9.9.9/yank",
                json(json!({})),
                "UFFNFNFF",
            ),
            row(
                "get",
                "/api/v1/plugins/{namespace}/{name}/{version}/personal-facts",
                "/api/v1/plugins/tuyenquang-tax/tax-officer/1.0.2/personal-facts",
                None,
                "OOOOOOOO",
            ),
            row(
                "put",
                "/api/v1/plugins/{namespace}/{name}/{version}/personal-facts",
                "/api/v1/plugins/tuyenquang-tax/tax-officer/1.0.2/personal-facts",
                json(json!({"facts": ["no-such-fact"]})),
                "UFFFFJFF",
            ),
            row(
                "post",
                "/api/v1/organisation",
                "/api/v1/organisation",
                json(json!({"units": 3})),
                "UFFFJJFF",
            ),
            row("get", "/api/v1/units", "/api/v1/units", None, "OOOOOOOO"),
            row(
                "post",
                "/api/v1/assignments",
                "/api/v1/assignments",
                json(json!({})),
                "UFFFJJFF",
            ),
            row(
                "get",
                "/api/v1/assignments",
                "/api/v1/assignments",
                None,
                "OOOOOOOO",
            ),
            row(
                "post",
                "/api/v1/facts",
                "/api/v1/facts",
                Some(("text/csv", b"who,when\n".to_vec())),
                "UFFFBBFF",
            ),
            row(
                "post",
                "/api/v1/products",
                "/api/v1/products",
                Some(("text/csv", b"who,when\n".to_vec())),
                "UFFFBBFF",
            ),
            row(
                "get",
                "/api/v1/posts/{post}/products",
                "/api/v1/posts/tax-officer/products",
                None,
                "OOOOOOOO",
            ),
            row(
                "post",
                "/api/v1/evaluate",
                "/api/v1/evaluate",
                json(json!({})),
                "UJJJJJJJ",
            ),
            row(
                "post",
                "/api/v1/runs",
                "/api/v1/runs",
                json(json!({"period": "someday"})),
                "UFFFBBFF",
            ),
            row("get", "/api/v1/runs", "/api/v1/runs", None, "OOOOOOOO"),
            row("get", "/api/v1/runs/{id}", &runs, None, "OOOOOOOO"),
            row(
                "get",
                "/api/v1/runs/{id}/results",
                &format!("{runs}/results"),
                None,
                "OOOOOOOO",
            ),
            row(
                "get",
                "/api/v1/runs/{id}/summary",
                &format!("{runs}/summary"),
                None,
                "OOOOOOOO",
            ),
            row(
                "post",
                "/api/v1/runs/{id}/publish",
                "/api/v1/runs/999999/publish",
                json(json!({})),
                "UFFFNNFF",
            ),
            row(
                "post",
                "/api/v1/periods/{period}/unlock",
                "/api/v1/periods/someday/unlock",
                json(json!({"reason": "a test"})),
                "UFFFBBFF",
            ),
            row(
                "post",
                "/api/v1/sandbox/drafts",
                "/api/v1/sandbox/drafts",
                Some(("application/wasm", Vec::new())),
                "UFBFFBFF",
            ),
            row(
                "get",
                "/api/v1/sandbox/drafts",
                "/api/v1/sandbox/drafts",
                None,
                "UFOFFOFF",
            ),
            row(
                "delete",
                "/api/v1/sandbox/drafts/{id}",
                "/api/v1/sandbox/drafts/999999",
                None,
                "UFNFFNFF",
            ),
            row(
                "post",
                "/api/v1/sandbox/drafts/{id}/compare",
                "/api/v1/sandbox/drafts/999999/compare",
                json(json!({"periods": ["2025-09"]})),
                "UFNFFNFF",
            ),
            row(
                "post",
                "/api/v1/sandbox/drafts/{id}/facts",
                "/api/v1/sandbox/drafts/999999/facts",
                Some((
                    "text/csv",
                    b"subject_id,period,fact,value,source\n".to_vec(),
                )),
                "UFNFFNFF",
            ),
            row("get", "/api/v1/audit", "/api/v1/audit", None, "UFFFOOFF"),
            row(
                "get",
                "/api/v1/subjects/{id}/reads",
                "/api/v1/subjects/nobody/reads",
                None,
                "UFFFFOFF",
            ),
            row(
                "get",
                "/api/v1/subjects/{id}/reads",
                &format!("/api/v1/subjects/{published}/reads"),
                None,
                "UFFFFOFF",
            ),
            row(
                "get",
                "/api/v1/subjects/{id}/reads",
                &format!("/api/v1/subjects/{unpublished}/reads?limit=5"),
                None,
                "UFFFFOFF",
            ),
            row(
                "put",
                "/api/v1/subjects/{id}/exemptions/{period}",
                "/api/v1/subjects/nobody/exemptions/2025",
                json(json!({"reason": "long leave"})),
                "UFFFNNFF",
            ),
            row(
                "put",
                "/api/v1/subjects/{id}/exemptions/{period}",
                &format!("/api/v1/subjects/{published}/exemptions/2025-13"),
                json(json!({"reason": "long leave"})),
                "UFFFBBFF",
            ),
            row(
                "delete",
                "/api/v1/subjects/{id}/exemptions/{period}",
                "/api/v1/subjects/nobody/exemptions/2025",
                None,
                "UFFFNNFF",
            ),
            row(
                "put",
                "/api/v1/subjects/{id}/exemptions/{period}",
                &format!("/api/v1/subjects/{unpublished}/exemptions/2025-13"),
                json(json!({"reason": "long leave"})),
                "UFFFBBFF",
            ),
            // Found or not, a subject without an exemption has none to lift.
            row(
                "delete",
                "/api/v1/subjects/{id}/exemptions/{period}",
                &format!("/api/v1/subjects/{published}/exemptions/2025"),
                None,
                "UFFFNNFF",
            ),
            row(
                "delete",
                "/api/v1/subjects/{id}/exemptions/{period}",
                &format!("/api/v1/subjects/{unpublished}/exemptions/2025"),
                None,
                "UFFFNNFF",
            ),
            row(
                "get",
                "/api/v1/subjects/{id}/exemptions",
                &format!("/api/v1/subjects/{published}/exemptions"),
                None,
                "UFFFNOFF",
            ),
            // One of the unit admin's own people: theirs to see.
            row(
                "get",
                "/api/v1/subjects/{id}/exemptions",
                &format!("/api/v1/subjects/{inside}/exemptions"),
                None,
                "UFFFOOFF",
            ),
            row(
                "get",
                "/api/v1/subjects/{id}/exemptions",
                "/api/v1/subjects/nobody/exemptions",
                None,
                "UFFFNNFF",
            ),
            row(
                "get",
                "/api/v1/subjects/{id}/exemptions",
                &format!("/api/v1/subjects/{unpublished}/exemptions"),
                None,
                "UFFFNOFF",
            ),
            row("get", "/api/v1/tokens", "/api/v1/tokens", None, "UFFFFOFF"),
            row(
                "post",
                "/api/v1/tokens/{id}/revoke",
                "/api/v1/tokens/999999/revoke",
                json(json!({})),
                "UFFFFNFF",
            ),
            // The assessment procedure: nobody here is anybody's subject
            // (the person is a clerk elsewhere), so a write the role lets
            // through stops at the body or at the subject.
            row(
                "post",
                "/api/v1/sign-in-codes",
                "/api/v1/sign-in-codes",
                json(json!({"subjects": ["no-such-person"]})),
                "UFFFNNFF",
            ),
            row(
                "post",
                "/api/v1/sign-in",
                "/api/v1/sign-in",
                json(json!({"code": "AAAA-BBBB-CCCC"})),
                "UUUUUUUU",
            ),
            row(
                "get",
                "/api/v1/subjects/{id}/assessments/{period}",
                &format!("/api/v1/subjects/{inside}/assessments/2025-Q4"),
                None,
                "UFFFOONO",
            ),
            // The same for someone of a unit that does not publish its people.
            row(
                "get",
                "/api/v1/subjects/{id}/assessments/{period}",
                &format!("/api/v1/subjects/{unpublished}/assessments/2025-Q4"),
                None,
                "UFFFNONN",
            ),
            row(
                "put",
                "/api/v1/subjects/{id}/assessments/{period}/self-assessment",
                &format!("/api/v1/subjects/{unpublished}/assessments/2025-Q4/self-assessment"),
                json(json!({"points": {}, "review": "x"})),
                "UFFFFFNF",
            ),
            row(
                "put",
                "/api/v1/subjects/{id}/assessments/{period}/self-assessment",
                &format!("/api/v1/subjects/{inside}/assessments/2025-Q4/self-assessment"),
                json(json!({"points": {}, "review": "x"})),
                "UFFFFFNF",
            ),
            row(
                "put",
                "/api/v1/subjects/{id}/assessments/{period}/collective",
                &format!("/api/v1/subjects/{inside}/assessments/2025-Q4/collective"),
                json(json!({})),
                "UFFFJJFJ",
            ),
            row(
                "put",
                "/api/v1/subjects/{id}/assessments/{period}/direct-manager",
                &format!("/api/v1/subjects/{inside}/assessments/2025-Q4/direct-manager"),
                json(json!({"points": 3})),
                "UFFFJJJJ",
            ),
            row(
                "get",
                "/api/v1/units/{unit}/assessments",
                "/api/v1/units/thue-tuyen-quang-doi-1/assessments?period=2025-Q4",
                None,
                "UFFFNOFN",
            ),
            row(
                "put",
                "/api/v1/units/{unit}/assessment-calendar/{kind}",
                "/api/v1/units/thue-tuyen-quang-doi-1/assessment-calendar/year",
                json(json!({"steps": {"nobody": "15"}})),
                "UFFFNJFF",
            ),
            row(
                "get",
                "/api/v1/subjects/{id}/notices",
                &format!("/api/v1/subjects/{unpublished}/notices"),
                None,
                "UFFFNONF",
            ),
            row(
                "put",
                "/api/v1/subjects/{id}/email",
                &format!("/api/v1/subjects/{unpublished}/email"),
                json(json!({"email": "not an address"})),
                "UFFFNJNF",
            ),
            row(
                "get",
                "/api/v1/units/{unit}/assessments",
                "/api/v1/units/so-noi-vu/assessments?period=2025-Q4",
                None,
                "UFFFOOFO",
            ),
            row(
                "get",
                "/api/v1/units/{unit}/assessment-calendar/{kind}",
                "/api/v1/units/so-noi-vu/assessment-calendar/year",
                None,
                "OOOOOOOO",
            ),
            row(
                "put",
                "/api/v1/units/{unit}/assessment-calendar/{kind}",
                "/api/v1/units/so-noi-vu/assessment-calendar/year",
                json(json!({"steps": {"nobody": "15"}})),
                "UFFFJJFF",
            ),
            // Decisions come from an official run; the matrix's is not one.
            row(
                "post",
                "/api/v1/runs/{id}/decisions",
                &format!("{runs}/decisions"),
                json(json!({"subjects": ["no-such-person"]})),
                "UFFFCCFF",
            ),
            row(
                "get",
                "/api/v1/runs/{id}/ties",
                &format!("{runs}/ties"),
                None,
                "UFFFOOFF",
            ),
            row(
                "post",
                "/api/v1/runs/{id}/ties",
                &format!("{runs}/ties"),
                json(
                    json!({"rule": "excellent-quota", "cohort": "x", "keep": ["a"], "reason": "x"}),
                ),
                "UFFFCCFF",
            ),
            row(
                "get",
                "/api/v1/subjects/{id}/notices",
                &format!("/api/v1/subjects/{inside}/notices"),
                None,
                "UFFFOONF",
            ),
            row(
                "put",
                "/api/v1/subjects/{id}/email",
                &format!("/api/v1/subjects/{inside}/email"),
                json(json!({"email": "not an address"})),
                "UFFFJJNF",
            ),
            row(
                "get",
                "/api/v1/notices/{id}",
                "/api/v1/notices/999999",
                None,
                "UFFFNNNF",
            ),
            row(
                "post",
                "/api/v1/notices/{id}/appeal",
                "/api/v1/notices/999999/appeal",
                json(json!({"contested": ["x"], "text": "x"})),
                "UFFFFFNF",
            ),
            row(
                "get",
                "/api/v1/appeals/{id}",
                "/api/v1/appeals/999999",
                None,
                "UFFFNNNF",
            ),
            row(
                "put",
                "/api/v1/appeals/{id}/answer",
                "/api/v1/appeals/999999/answer",
                json(json!({"outcome": "rejected", "reason": "x"})),
                "UFFFNNFF",
            ),
            row(
                "post",
                "/api/v1/appeals/{id}/preview",
                "/api/v1/appeals/999999/preview",
                json(json!({"facts": {"rate": "1"}})),
                "UFFFNNFF",
            ),
            row(
                "put",
                "/api/v1/appeals/{id}/evidence/{name}",
                "/api/v1/appeals/999999/evidence/scan.pdf",
                Some(("application/pdf", b"%PDF-1.4".to_vec())),
                "UFFFFFNF",
            ),
            row(
                "get",
                "/api/v1/appeals/{id}/evidence/{name}",
                "/api/v1/appeals/999999/evidence/scan.pdf",
                None,
                "UFFFNNNF",
            ),
            row(
                "get",
                "/api/v1/calendar/{year}",
                "/api/v1/calendar/2026",
                None,
                "OOOOOOOO",
            ),
            row(
                "put",
                "/api/v1/calendar/{year}",
                "/api/v1/calendar/2026",
                json(json!([{"day": "2026-01-01"}])),
                "UFFFFJFF",
            ),
            row(
                "get",
                "/api/v1/appeal-windows",
                "/api/v1/appeal-windows",
                None,
                "OOOOOOOO",
            ),
            row(
                "put",
                "/api/v1/appeal-windows/{category}",
                "/api/v1/appeal-windows/public-employee",
                json(json!({"appeal_working_days": 0, "answer_working_days": 10})),
                "UFFFFJFF",
            ),
        ];

        // Every documented route has its row, and every row is documented.
        let (_, doc) = s.get("/api/v1/openapi.json", None).await;
        let mut documented: Vec<(String, String)> = Vec::new();
        for (route, methods) in doc["paths"].as_object().unwrap() {
            for method in methods.as_object().unwrap().keys() {
                documented.push((method.clone(), route.clone()));
            }
        }
        for (method, route) in &documented {
            assert!(
                rows.iter().any(|r| r.method == method && r.route == route),
                "{} {route} has no row in the access matrix",
                method.to_uppercase()
            );
        }
        for r in &rows {
            assert!(
                documented
                    .iter()
                    .any(|(m, p)| m == r.method && p == r.route),
                "{} {} is in the matrix but not in the API's document",
                r.method.to_uppercase(),
                r.route
            );
        }

        let before = state(&s).await;
        let mut wrong = Vec::new();
        for r in &rows {
            let mut got = String::new();
            for caller in CALLERS {
                let method =
                    reqwest::Method::from_bytes(r.method.to_uppercase().as_bytes()).unwrap();
                let (status, _, _) = s.call(method, &r.path, caller, r.body.clone()).await;
                got.push(code(status));
            }
            if got != r.expect {
                wrong.push(format!(
                    "{} {}: expected {} got {got}",
                    r.method, r.path, r.expect
                ));
            }
        }
        assert!(
            wrong.is_empty(),
            "callers: public viewer analyst publisher unit-admin admin person assessor\n{}",
            wrong.join("\n")
        );
        assert_eq!(
            state(&s).await,
            before,
            "a matrix request changed something"
        );
        s.stop().await;
    });
}

/// Publication inside the agency: the tax office shows its people's results
/// to its own people signed in, and to nobody else who is not entitled: a
/// tax officer reads their colleagues' results (never their facts), the
/// public, a viewer and a person of another agency read none.
#[test]
fn a_unit_publishing_inside_the_agency_shows_its_people_to_its_own_alone() {
    runtime().block_on(async {
        let s = start("within-agency").await;
        let run = complete_run(&s).await;
        let officer: String =
            sqlx::query("SELECT id FROM subjects WHERE post = 'tax-officer' ORDER BY id LIMIT 1")
                .fetch_one(s.registry.store().pool())
                .await
                .map(|r| sqlx::Row::try_get(&r, "id"))
                .unwrap()
                .unwrap();
        let (colleague_token, _) = thuocdo_host::access::tokens::create(
            s.registry.store(),
            "test",
            "officer",
            &thuocdo_host::access::Role::Person {
                subject: officer.clone(),
            },
        )
        .await
        .unwrap();
        let path = format!("/api/v1/runs/{run}/results?subtree=thue-tuyen-quang&per_page=100");
        let (status, seen) = s.get(&path, Some(&colleague_token)).await;
        assert_eq!(status, StatusCode::OK, "{seen}");
        let rows = seen["results"].as_array().unwrap();
        assert_eq!(rows.len(), 30, "every tax officer, to a colleague");
        assert_eq!(seen["total"], 30);
        for r in rows {
            assert_eq!(
                r["facts"].is_object(),
                r["subject"] == officer.as_str(),
                "{r}"
            );
        }
        for who in [None, Some("viewer"), Some("person"), Some("analyst")] {
            let (status, body) = s.get(&path, who).await;
            assert_eq!(status, StatusCode::OK, "{who:?}: {body}");
            assert_eq!(body["total"], 0, "{who:?}: {body}");
        }
        // On the dashboard too: a colleague's page (the public's 404 is the
        // API's, above).
        let colleague = rows
            .iter()
            .find(|r| r["subject"] != officer.as_str())
            .unwrap()["subject"]
            .as_str()
            .unwrap()
            .to_string();
        let page = format!("/runs/{run}/people/{colleague}");
        let (status, _, _) = s
            .call(reqwest::Method::GET, &page, Some(&colleague_token), None)
            .await;
        assert_eq!(status, StatusCode::OK);
        s.stop().await;
    });
}
