//! The HTTP API, served for real on an ephemeral port and called with a real
//! HTTP client: every route's success path and its error codes, and the
//! boundary of every role.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use thuocdo_host::access::{Actor, Role, tokens};
use thuocdo_host::bundled::BUNDLED;

use crate::support::{complete_run, other_bytes, runtime, start, wasm};

#[test]
fn plugins_publish_list_describe_yank_with_every_error() {
    runtime().block_on(async {
        let s = start("plugins").await;
        let tax = wasm("tax-officer");
        let path = "/api/v1/plugins";
        assert_eq!(
            s.post_bytes(path, None, "application/wasm", tax.clone())
                .await
                .0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            s.post_bytes(path, Some("not-a-token"), "application/wasm", tax.clone())
                .await
                .0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            s.post_bytes(path, Some("viewer"), "application/wasm", tax.clone())
                .await
                .0,
            StatusCode::FORBIDDEN
        );
        // The same bytes again: 200; other bytes under the version: 409.
        let (status, body) = s
            .post_bytes(path, Some("publisher"), "application/wasm", tax.clone())
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["created"], false);
        let (status, body) = s
            .post_bytes(
                path,
                Some("publisher"),
                "application/wasm",
                other_bytes(&tax),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::CONFLICT, Some("conflict")),
            "{body}"
        );
        // Another namespace's plugin: 403 for this publisher.
        let (status, body) = s
            .post_bytes(
                path,
                Some("publisher"),
                "application/wasm",
                other_bytes(&wasm("commune-official")),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(
            s.post_bytes(path, Some("admin"), "application/wasm", Vec::new())
                .await
                .0,
            StatusCode::BAD_REQUEST
        );
        let (status, body) = s
            .post_bytes(
                path,
                Some("admin"),
                "application/wasm",
                b"not a component".to_vec(),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("not-a-component")),
            "{body}"
        );
        let huge = vec![0u8; thuocdo_host::api::MAX_PLUGIN_BYTES + 1];
        let (status, body) = s
            .post_bytes(path, Some("admin"), "application/wasm", huge)
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::PAYLOAD_TOO_LARGE, Some("too-large")),
            "{body}"
        );

        let (status, list) = s.get(path, None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(list.as_array().unwrap().len(), BUNDLED.len());
        let (status, versions) = s
            .get("/api/v1/plugins/tuyenquang-tax/tax-officer", None)
            .await;
        assert_eq!(
            (status, versions[0]["version"].as_str()),
            (StatusCode::OK, Some("1.0.2"))
        );
        assert_eq!(
            s.get("/api/v1/plugins/Bad%20Name/x", None).await.0,
            StatusCode::BAD_REQUEST
        );
        let (status, described) = s
            .get("/api/v1/plugins/tuyenquang-tax/tax-officer/1.0.2", None)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(described["describe"]["name"], "tuyenquang-tax/tax-officer");
        assert!(
            described["describe"]["indicators"]
                .as_array()
                .unwrap()
                .len()
                >= 3
        );
        assert_eq!(
            s.get("/api/v1/plugins/tuyenquang-tax/tax-officer/9.9.9", None)
                .await
                .0,
            StatusCode::NOT_FOUND
        );

        let yank = "/api/v1/plugins/moha/civil-servant-decree-335/1.1.0/yank";
        assert_eq!(
            s.post_json(yank, Some("publisher"), json!({})).await.0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            s.post_json(yank, Some("analyst"), json!({})).await.0,
            StatusCode::FORBIDDEN
        );
        let (status, body) = s
            .post_json(
                "/api/v1/plugins/tuyenquang-tax/tax-officer/1.0.2/yank",
                Some("publisher"),
                json!({}),
            )
            .await;
        assert_eq!(
            (status, body["yanked"].as_bool()),
            (StatusCode::OK, Some(true)),
            "{body}"
        );
        assert_eq!(
            s.post_json(
                "/api/v1/plugins/tuyenquang-tax/tax-officer/2.0.0/yank",
                Some("publisher"),
                json!({})
            )
            .await
            .0,
            StatusCode::NOT_FOUND
        );
        s.stop().await;
    });
}

#[test]
fn organisation_assignments_and_facts_with_every_error() {
    runtime().block_on(async {
        let s = start("org").await;
        let org = json!({"units": [{"code": "xa-moi", "name": "Xã Mới", "kind": "commune", "parent": "tuyen-quang"}]});
        assert_eq!(s.post_json("/api/v1/organisation", None, org.clone()).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(s.post_json("/api/v1/organisation", Some("analyst"), org.clone()).await.0, StatusCode::FORBIDDEN);
        // A unit admin of so-noi-vu may not add a unit under the province.
        let (status, body) = s.post_json("/api/v1/organisation", Some("unit-admin"), org.clone()).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("bad-rows")), "{body}");
        let (status, body) = s.post_json("/api/v1/organisation", Some("admin"), org).await;
        assert_eq!((status, body["units"].as_u64()), (StatusCode::OK, Some(1)), "{body}");
        let (status, body) = s.post_json("/api/v1/organisation", Some("admin"), json!({"units": 3})).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("bad-json")), "{body}");
        let (status, _, _) = s.call(Method::POST, "/api/v1/organisation", Some("admin"), Some(("text/plain", b"{}".to_vec()))).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let (status, units) = s.get("/api/v1/units", None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(units.as_array().unwrap().iter().any(|u| u["code"] == "xa-moi"));

        let assignment = json!({"post_type": "one-stop-clerk", "plugin": "hagiang-ward2-pasc/service-centre-clerk", "requirement": "^1", "unit": "xa-moi", "from": "2025-10"});
        assert_eq!(s.post_json("/api/v1/assignments", Some("analyst"), assignment.clone()).await.0, StatusCode::FORBIDDEN);
        assert_eq!(s.post_json("/api/v1/assignments", Some("publisher"), assignment.clone()).await.0, StatusCode::FORBIDDEN);
        assert_eq!(s.post_json("/api/v1/assignments", Some("unit-admin"), assignment.clone()).await.0, StatusCode::FORBIDDEN);
        let (status, made) = s.post_json("/api/v1/assignments", Some("admin"), assignment.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{made}");
        assert_eq!(s.post_json("/api/v1/assignments", Some("admin"), assignment.clone()).await.0, StatusCode::CONFLICT);
        let mut nowhere = assignment.clone();
        nowhere["unit"] = json!("no-such-unit");
        assert_eq!(s.post_json("/api/v1/assignments", Some("admin"), nowhere).await.0, StatusCode::NOT_FOUND);
        let mut unsatisfiable = assignment.clone();
        unsatisfiable["requirement"] = json!("^7");
        assert_eq!(s.post_json("/api/v1/assignments", Some("admin"), unsatisfiable).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        let mut bad_period = assignment;
        bad_period["from"] = json!("2025-13");
        assert_eq!(s.post_json("/api/v1/assignments", Some("admin"), bad_period).await.0, StatusCode::BAD_REQUEST);
        let (status, all) = s.get("/api/v1/assignments", None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(all.as_array().unwrap().len() >= 8);

        let csv = b"subject_id,period,fact,value,source\ncan-bo-thue-001,2025-10,revenue-target,5000,test\n".to_vec();
        assert_eq!(s.post_bytes("/api/v1/facts", Some("viewer"), "text/csv", csv.clone()).await.0, StatusCode::FORBIDDEN);
        // A unit admin of so-noi-vu may not import for the tax office.
        assert_eq!(s.post_bytes("/api/v1/facts", Some("unit-admin"), "text/csv", csv.clone()).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, done) = s.post_bytes("/api/v1/facts?file=october.csv", Some("tax-admin"), "text/csv", csv.clone()).await;
        assert_eq!((status, done["values_changed"].as_u64()), (StatusCode::OK, Some(1)), "{done}");
        assert_eq!(done["file"], "october.csv");
        let (status, again) = s.post_bytes("/api/v1/facts", Some("tax-admin"), "text/csv", csv).await;
        assert_eq!((status, again["values_changed"].as_u64()), (StatusCode::OK, Some(0)));
        let bad = b"subject_id,period,fact,value,source\nnobody,2025-10,revenue-target,x,test\n".to_vec();
        let (status, problem) = s.post_bytes("/api/v1/facts", Some("admin"), "text/csv", bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["errors"][0]["at"], "line 2", "{problem}");
        let json_facts = json!([{"subject_id": "can-bo-thue-002", "period": "2025-10", "facts": {"revenue-target": 4200.5}}]);
        let (status, done) = s.post_json("/api/v1/facts", Some("admin"), json_facts).await;
        assert_eq!((status, done["values_changed"].as_u64()), (StatusCode::OK, Some(1)), "{done}");
        thuocdo_host::facts::freeze(&s.registry, &Actor::admin("t"), "2025-10").await.unwrap();
        let late = b"subject_id,period,fact,value,source\ncan-bo-thue-001,2025-10,revenue-target,5100,late\n".to_vec();
        let (status, problem) = s.post_bytes("/api/v1/facts", Some("admin"), "text/csv", late).await;
        assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("locked")), "{problem}");
        s.stop().await;
    });
}

#[test]
fn evaluation_scores_each_subject_or_names_why_not() {
    runtime().block_on(async {
        let s = start("evaluate").await;
        let request = json!({"subjects": [
            {"subject": {"id": "chair-1", "unit": "xa-an-lam", "position": "commune-chair"}, "period": "2025-09",
             "facts": {"tasks-assigned": 20, "tasks-completed": 20, "tasks-on-time": 20, "citizen-satisfaction": "97.5",
                       "inspections-planned": 3, "inspections-done": 3, "discipline-breaches": 0, "disciplined": 0}},
            {"subject": {"id": "chair-2", "unit": "xa-an-lam", "position": "commune-chair"}, "period": "2025-09",
             "facts": {"tasks-assigned": 20}},
            {"subject": {"id": "nobody", "unit": "xa-an-lam", "position": "astronaut"}, "period": "2025-09", "facts": {}},
        ]});
        assert_eq!(s.post_json("/api/v1/evaluate", None, request.clone()).await.0, StatusCode::UNAUTHORIZED);
        let (status, body) = s.post_json("/api/v1/evaluate", Some("viewer"), request).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let e = body["evaluations"].as_array().unwrap();
        assert_eq!(e[0]["plugin"], "tuyenquang/provincial-leader-monthly");
        assert_eq!(e[0]["evaluation"]["grade"], "A", "{}", e[0]);
        assert_eq!(e[1]["error"]["kind"], "missing-fact", "{}", e[1]);
        assert_eq!(e[2]["error"]["kind"], "unassigned", "{}", e[2]);
        let named = json!({"plugin": "tuyenquang-tax/tax-officer@1.0.2", "subjects": [
            {"subject": {"id": "x"}, "facts": {"revenue-collected": "4820.5", "revenue-target": 4600, "arrears-recovered": 310,
              "arrears-assigned": 320, "returns-on-time-rate": "99.1", "complaints": 0, "unexcused-absence-days": 0, "disciplined": 0, "bogus": 1}}]});
        let (status, body) = s.post_json("/api/v1/evaluate", Some("analyst"), named).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["evaluations"][0]["error"]["kind"], "bad-input", "{body}");
        let (status, body) = s.post_json("/api/v1/evaluate", Some("admin"), json!({"plugin": "no/such@1.0.0", "subjects": []})).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let (status, body) = s.post_json("/api/v1/evaluate", Some("admin"), json!({"plugin": "nonsense", "subjects": []})).await;
        assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("plugin")));
        let (_, metrics) = s.get("/metrics", None).await;
        assert!(metrics.as_str().unwrap().contains("thuocdo_evaluations_total{plugin=\"tuyenquang/provincial-leader-monthly\",version=\"1.0.2\",outcome=\"scored\"} 1"), "{metrics}");
        s.stop().await;
    });
}

#[test]
fn starting_a_run_names_each_refusal() {
    runtime().block_on(async {
        let s = start("runs-refused").await;
        let run = json!({"period": "2025-09"});
        assert_eq!(
            s.post_json("/api/v1/runs", None, run.clone()).await.0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            s.post_json("/api/v1/runs", Some("analyst"), run.clone())
                .await
                .0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            s.post_json("/api/v1/runs", Some("unit-admin"), run.clone())
                .await
                .0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            s.post_json("/api/v1/runs", Some("admin"), json!({"period": "2025-13"}))
                .await
                .0,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            s.post_json(
                "/api/v1/runs",
                Some("admin"),
                json!({"period": "2025-09", "unit": "nowhere"})
            )
            .await
            .0,
            StatusCode::NOT_FOUND
        );
        s.stop().await;
    });
}

#[test]
fn a_run_reports_its_progress_until_complete_and_then_its_summary() {
    runtime().block_on(async {
        let s = start("runs-progress").await;
        let (status, started) = s
            .post_json("/api/v1/runs", Some("admin"), json!({"period": "2025-09"}))
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{started}");
        let id = started["id"].as_i64().unwrap();
        let mut record = Value::Null;
        for _ in 0..200 {
            let (status, body) = s.get(&format!("/api/v1/runs/{id}"), None).await;
            assert_eq!(status, StatusCode::OK);
            if body["run"]["status"] == "complete" {
                record = body;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(record["run"]["status"], "complete", "{record}");
        assert_eq!(record["progress"]["stage"], "done");
        assert_eq!(record["progress"]["done"], 178);
        assert_eq!(
            s.get("/api/v1/runs/abc", None).await.0,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            s.get("/api/v1/runs/999", None).await.0,
            StatusCode::NOT_FOUND
        );
        let (status, summary) = s.get(&format!("/api/v1/runs/{id}/summary"), None).await;
        assert_eq!(
            (status, summary["scored"].as_u64()),
            (StatusCode::OK, Some(178))
        );

        s.stop().await;
    });
}

#[test]
fn results_show_each_reader_only_what_they_may_see_in_pages_or_csv() {
    runtime().block_on(async {
        let s = start("runs-results").await;
        let id = complete_run(&s).await;
        // The public sees people only in units that publish them (agencies and
        // communes here, not the tax teams), and no facts or caps.
        let (status, public) = s
            .get(&format!("/api/v1/runs/{id}/results?per_page=1000"), None)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(public["total"], 148, "{}", public["total"]);
        assert!(public["results"].as_array().unwrap().iter().all(|r| {
            r["facts"].is_null()
                && r["caps"] == json!([])
                && r["unit"]
                    .as_str()
                    .unwrap()
                    .starts_with(['s', 'x', 'b', 'd', 'q', 't', 'v'])
        }));
        let (_, admin) = s
            .get(
                &format!("/api/v1/runs/{id}/results?per_page=1000"),
                Some("admin"),
            )
            .await;
        assert_eq!(admin["total"], 178);
        assert!(
            admin["results"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["facts"].is_object())
        );
        // Indicators and facts are JSON values, not JSON inside strings.
        let one = &admin["results"][0];
        assert!(one["indicators"][0]["score"].is_i64(), "{one}");
        assert!(
            ["green", "yellow", "red", "no-data"]
                .contains(&one["indicators"][0]["light"].as_str().unwrap()),
            "{one}"
        );
        assert!(
            one["facts"]
                .as_object()
                .unwrap()
                .values()
                .all(|v| v.is_i64() || v.is_null()),
            "{one}"
        );
        assert!(
            ["A", "B", "C", "D"].contains(&one["grade"].as_str().unwrap()),
            "{one}"
        );
        assert_eq!(one["outcome"], "scored");
        let (_, tax) = s
            .get(
                &format!("/api/v1/runs/{id}/results?per_page=1000"),
                Some("tax-admin"),
            )
            .await;
        assert_eq!(tax["total"], 178);
        let with_facts = tax["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["facts"].is_object())
            .count();
        assert_eq!(
            with_facts, 30,
            "the tax admin sees their own officers' facts only"
        );
        let (_, page2) = s
            .get(
                &format!("/api/v1/runs/{id}/results?page=2&per_page=50"),
                Some("admin"),
            )
            .await;
        assert_eq!(page2["results"].as_array().unwrap().len(), 50);
        assert_eq!(
            s.get(&format!("/api/v1/runs/{id}/results?per_page=0"), None)
                .await
                .0,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            s.get(&format!("/api/v1/runs/{id}/results?format=xml"), None)
                .await
                .0,
            StatusCode::BAD_REQUEST
        );
        let (status, content_type, csv) = s
            .call(
                Method::GET,
                &format!("/api/v1/runs/{id}/results?format=csv"),
                Some("admin"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(content_type.starts_with("text/csv"));
        assert_eq!(csv.as_str().unwrap().lines().count(), 179);

        s.stop().await;
    });
}

#[test]
fn publishing_locks_the_period_until_an_admin_unlocks_it_with_a_reason() {
    runtime().block_on(async {
        let s = start("runs-publish").await;
        let id = complete_run(&s).await;
        assert_eq!(
            s.post_json(
                &format!("/api/v1/runs/{id}/publish"),
                Some("viewer"),
                json!({})
            )
            .await
            .0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            s.post_json(
                &format!("/api/v1/runs/{id}/publish"),
                Some("tax-admin"),
                json!({})
            )
            .await
            .0,
            StatusCode::FORBIDDEN
        );
        let (status, official) = s
            .post_json(
                &format!("/api/v1/runs/{id}/publish"),
                Some("admin"),
                json!({}),
            )
            .await;
        assert_eq!(
            (status, official["run"].as_i64()),
            (StatusCode::OK, Some(id)),
            "{official}"
        );
        let second = complete_run(&s).await;
        let (status, body) = s
            .post_json(
                &format!("/api/v1/runs/{second}/publish"),
                Some("admin"),
                json!({}),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::CONFLICT, Some("locked")),
            "{body}"
        );
        let unlock = "/api/v1/periods/2025-09/unlock";
        assert_eq!(
            s.post_json(unlock, Some("analyst"), json!({"reason": "x"}))
                .await
                .0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            s.post_json(unlock, Some("admin"), json!({"reason": " "}))
                .await
                .0,
            StatusCode::CONFLICT
        );
        assert_eq!(
            s.post_json(unlock, Some("admin"), json!({"reason": "x", "extra": 1}))
                .await
                .0,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let (status, body) = s
            .post_json(
                unlock,
                Some("admin"),
                json!({"reason": "a corrected survey"}),
            )
            .await;
        assert_eq!(
            (status, body["unlocked"]["reason"].as_str()),
            (StatusCode::OK, Some("a corrected survey")),
            "{body}"
        );
        assert_eq!(
            s.post_json(unlock, Some("admin"), json!({"reason": "again"}))
                .await
                .0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            s.post_json(
                &format!("/api/v1/runs/{second}/publish"),
                Some("admin"),
                json!({})
            )
            .await
            .0,
            StatusCode::OK
        );

        assert_eq!(
            s.get("/api/v1/audit", None).await.0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            s.get("/api/v1/audit", Some("viewer")).await.0,
            StatusCode::FORBIDDEN
        );
        let (status, audit) = s.get("/api/v1/audit", Some("admin")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            audit
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["action"] == "unlock")
        );
        s.stop().await;
    });
}

#[test]
fn health_readiness_metrics_openapi_and_unknown_routes() {
    runtime().block_on(async {
        let s = start("system").await;
        assert_eq!(s.get("/healthz", None).await.0, StatusCode::OK);
        assert_eq!(s.get("/readyz", None).await.0, StatusCode::OK);
        let (status, _, metrics) = s.call(Method::GET, "/metrics", None, None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            metrics
                .as_str()
                .unwrap()
                .contains("# TYPE thuocdo_evaluation_seconds histogram")
        );
        let (status, doc) = s.get("/api/v1/openapi.json", None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        for path in [
            "/api/v1/plugins",
            "/api/v1/evaluate",
            "/api/v1/runs/{id}/results",
            "/api/v1/facts",
        ] {
            assert!(
                doc["paths"].get(path).is_some(),
                "{path} missing from the document"
            );
        }
        assert!(doc["components"]["securitySchemes"].get("bearer").is_some());
        let (status, problem) = s.get("/api/v1/nothing-here", None).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("not-found"))
        );
        s.stop().await;
    });
}

#[test]
fn a_summarys_problems_name_subjects_to_admins_only_and_are_counts_for_everyone_else() {
    runtime().block_on(async {
        let s = start("api-problems").await;
        // Someone on a post no scorecard is assigned to: unassigned, a
        // problem that names them and why.
        let (status, body) = s
            .post_json(
                "/api/v1/organisation",
                Some("admin"),
                json!({
                    "posts": [{"code": "lone-post", "title": "Alone", "task_group": "alone"}],
                    "subjects": [{"id": "lone-1", "name": "Lone", "unit": "xa-an-lam", "post": "lone-post"}],
                }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let run = complete_run(&s).await;
        let (_, admin) = s
            .get(&format!("/api/v1/runs/{run}/summary"), Some("admin"))
            .await;
        assert_eq!(admin["unassigned"], 1, "{admin}");
        let named = admin["problems"].as_array().unwrap();
        assert!(
            named.iter().any(|p| p.as_str().unwrap().starts_with("lone-1")),
            "{admin}"
        );
        for who in [None, Some("viewer"), Some("unit-admin"), Some("analyst")] {
            for path in [
                format!("/api/v1/runs/{run}/summary"),
                format!("/api/v1/runs/{run}"),
                "/api/v1/runs".to_string(),
            ] {
                let (status, body) = s.get(&path, who).await;
                assert_eq!(status, StatusCode::OK, "{path} as {who:?}: {body}");
                let text = body.to_string();
                assert!(!text.contains("lone-1"), "{path} as {who:?}: {text}");
                // The list carries no summaries; the run and its summary do.
                if path != "/api/v1/runs" {
                    assert!(text.contains("\"unassigned\":1"), "{path} as {who:?}: {text}");
                }
            }
        }
        s.stop().await;
    });
}

#[test]
fn a_unit_admin_reads_the_audit_entries_of_their_subtree_only() {
    runtime().block_on(async {
        let s = start("api-audit-scope").await;
        // One run by each unit admin, each in their own subtree, and one by
        // an admin over the whole organisation.
        for (who, unit) in [
            ("unit-admin", "so-noi-vu"),
            ("tax-admin", "thue-tuyen-quang"),
        ] {
            let (status, body) = s
                .post_json(
                    "/api/v1/runs",
                    Some(who),
                    json!({"period": "2025-09", "unit": unit}),
                )
                .await;
            assert_eq!(status, StatusCode::ACCEPTED, "{who}: {body}");
            // One at a time: the host scores at most two at once.
            let id = body["id"].as_i64().unwrap();
            for _ in 0..400 {
                let (_, run) = s.get(&format!("/api/v1/runs/{id}"), None).await;
                if run["run"]["status"] != "running" {
                    assert_eq!(run["run"]["status"], "complete", "{run}");
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        complete_run(&s).await;
        let (_, all) = s.get("/api/v1/audit?limit=1000", Some("admin")).await;
        let all = all.as_array().unwrap().clone();
        let (status, mine) = s.get("/api/v1/audit?limit=1000", Some("unit-admin")).await;
        assert_eq!(status, StatusCode::OK);
        let mine = mine.as_array().unwrap();
        // A page at a time, after the last id of the one before: the same
        // entries, for each reader.
        for (who, whole) in [("admin", &all), ("unit-admin", mine)] {
            let mut paged = Vec::new();
            let mut after = 0;
            loop {
                let (status, page) = s
                    .get(&format!("/api/v1/audit?after={after}&limit=2"), Some(who))
                    .await;
                assert_eq!(status, StatusCode::OK, "{page}");
                let page = page.as_array().unwrap().clone();
                assert!(page.len() <= 2);
                let Some(last) = page.last() else { break };
                after = last["id"].as_i64().unwrap();
                paged.extend(page);
            }
            assert_eq!(&paged, whole, "{who}");
        }
        for bad in ["limit=0", "limit=1001", "after=-1", "limit=x"] {
            let (status, body) = s.get(&format!("/api/v1/audit?{bad}"), Some("admin")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        }
        assert!(mine.len() < all.len(), "{} of {}", mine.len(), all.len());
        assert!(
            mine.iter()
                .any(|e| e["action"] == "run-start" && e["unit"] == "so-noi-vu"),
            "{mine:?}"
        );
        for e in mine {
            let unit = e["unit"].as_str().unwrap_or_default();
            assert!(
                unit == "so-noi-vu" || unit.starts_with("cong-chuc-so-noi-vu"),
                "a unit admin of so-noi-vu reads {e}"
            );
        }
        // The tax team's run and the admin's acts on the whole host are not
        // theirs to read.
        assert!(all.iter().any(|e| e["unit"] == "thue-tuyen-quang"));
        assert!(
            all.iter()
                .any(|e| e["action"] == "publish" && e["unit"].is_null())
        );
        s.stop().await;
    });
}

#[test]
fn tokens_expire_and_admins_alone_list_and_revoke_them() {
    runtime().block_on(async {
        let s = start("tokens").await;
        assert_eq!(
            s.get("/api/v1/tokens", None).await.0,
            StatusCode::UNAUTHORIZED
        );
        for role in [
            "unit-admin",
            "tax-admin",
            "publisher",
            "analyst",
            "viewer",
            "person",
            "assessor",
        ] {
            assert_eq!(
                s.get("/api/v1/tokens", Some(role)).await.0,
                StatusCode::FORBIDDEN,
                "{role}"
            );
            let (status, _) = s
                .post_json("/api/v1/tokens/1/revoke", Some(role), json!({}))
                .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{role}");
        }
        let (status, list) = s.get("/api/v1/tokens", Some("admin")).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        let rows = list.as_array().unwrap();
        assert_eq!(rows.len(), 8, "a token per role: {list}");
        let text = list.to_string();
        for secret in s.tokens.values() {
            assert!(!text.contains(secret.as_str()), "a secret is listed");
        }
        for row in rows {
            assert_eq!(row["state"], "live", "{row}");
            let lifetime =
                row["expires_at"].as_i64().unwrap() - row["created_at"].as_i64().unwrap();
            assert!((lifetime - 90 * 86_400_000).abs() < 60_000, "{row}");
            assert!(row.get("sha256").is_none(), "{row}");
        }
        let viewer = rows.iter().find(|r| r["name"] == "viewer").unwrap()["id"]
            .as_i64()
            .unwrap();
        // An admin does not lock themselves out: the token asking is not revoked.
        let admin = rows.iter().find(|r| r["name"] == "admin").unwrap()["id"]
            .as_i64()
            .unwrap();
        let (status, body) = s
            .post_json(
                &format!("/api/v1/tokens/{admin}/revoke"),
                Some("admin"),
                json!({}),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::CONFLICT, Some("own-token")),
            "{body}"
        );

        // Revoked: refused at once by this server, listed as revoked, audited.
        assert_eq!(
            s.get("/api/v1/runs", Some("viewer")).await.0,
            StatusCode::OK
        );
        let (status, t) = s
            .post_json(
                &format!("/api/v1/tokens/{viewer}/revoke"),
                Some("admin"),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{t}");
        assert_eq!(t["state"], "revoked", "{t}");
        assert!(
            t["revoked_by"].as_str().unwrap().starts_with("admin"),
            "{t}"
        );
        assert_eq!(
            s.get("/api/v1/runs", Some("viewer")).await.0,
            StatusCode::UNAUTHORIZED
        );
        let (status, again) = s
            .post_json(
                &format!("/api/v1/tokens/{viewer}/revoke"),
                Some("admin"),
                json!({}),
            )
            .await;
        assert_eq!(
            (status, &again["revoked_at"]),
            (StatusCode::OK, &t["revoked_at"])
        );
        let (status, body) = s
            .post_json("/api/v1/tokens/999999/revoke", Some("admin"), json!({}))
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("not-found")),
            "{body}"
        );
        let (status, body) = s
            .post_json("/api/v1/tokens/x/revoke", Some("admin"), json!({}))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let revocations: Vec<_> = s
            .registry
            .audit_log()
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "token" && e.subject == "revoke")
            .collect();
        assert_eq!(revocations.len(), 1);
        assert_eq!(revocations[0].detail["token"], viewer);

        // Past its moment a token is refused, and listed as expired.
        let store = s.registry.store();
        let (secret, made) = tokens::create(store, "test", "short-lived", &Role::Viewer)
            .await
            .unwrap();
        assert_eq!(s.get("/api/v1/runs", Some(&secret)).await.0, StatusCode::OK);
        sqlx::query("UPDATE tokens SET expires_at = $1 WHERE id = $2")
            .bind(thuocdo_host::store::now_millis() - 1)
            .bind(made.id)
            .execute(store.pool())
            .await
            .unwrap();
        let (secret2, made2) = tokens::create(store, "test", "expired-unused", &Role::Viewer)
            .await
            .unwrap();
        sqlx::query("UPDATE tokens SET expires_at = $1 WHERE id = $2")
            .bind(thuocdo_host::store::now_millis() - 1)
            .bind(made2.id)
            .execute(store.pool())
            .await
            .unwrap();
        assert_eq!(
            s.get("/api/v1/runs", Some(&secret2)).await.0,
            StatusCode::UNAUTHORIZED
        );
        let (_, list) = s.get("/api/v1/tokens", Some("admin")).await;
        let state = |id: i64| {
            list.as_array()
                .unwrap()
                .iter()
                .find(|r| r["id"] == id)
                .unwrap()["state"]
                .clone()
        };
        assert_eq!(state(made.id), "expired");
        assert_eq!(state(made2.id), "expired");

        assert!(tokens::lifetime_days(0).is_err());
        assert!(tokens::lifetime_days(3_651).is_err());
        assert_eq!(
            tokens::lifetime_days(30).unwrap(),
            Duration::from_secs(30 * 86_400)
        );
        s.stop().await;
    });
}

#[test]
fn a_public_row_tells_neither_a_cap_nor_the_facts_behind_it() {
    runtime().block_on(async {
        let s = start("public-caps").await;
        // The year: Decree 335 caps the disciplined.
        let run = crate::support::complete_run_of(&s, "2025").await;
        let path = format!("/api/v1/runs/{run}/results?per_page=1000");
        let (_, all) = s.get(&path, Some("admin")).await;
        let all = all["results"].as_array().unwrap().clone();
        let capped = all
            .iter()
            .find(|r| !r["caps"].as_array().unwrap().is_empty() && r["total"].is_i64())
            .expect("the demo province has a capped subject")
            .clone();
        // Their unit publishes its people's results from now on.
        let (_, units) = s.get("/api/v1/units", None).await;
        let mut unit = units
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["code"] == capped["unit"])
            .unwrap()
            .clone();
        unit["publishes_people"] = json!(true);
        let (status, body) = s
            .post_json(
                "/api/v1/organisation",
                Some("admin"),
                json!({"units": [unit]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let by_subject: std::collections::HashMap<&str, &Value> = all
            .iter()
            .map(|r| (r["subject"].as_str().unwrap(), r))
            .collect();
        for who in [None, Some("viewer"), Some("analyst")] {
            let (status, page) = s.get(&path, who).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            let rows = page["results"].as_array().unwrap();
            assert!(
                rows.iter().any(|r| r["subject"] == capped["subject"]),
                "{who:?}"
            );
            let mut totals_ended = false;
            for r in rows {
                let admin_row = by_subject[r["subject"].as_str().unwrap()];
                assert!(r.get("facts_sha256").is_none(), "{who:?}: {r}");
                assert!(r["facts"].is_null() && r["error"].is_null(), "{who:?}: {r}");
                assert!(r["caps"].as_array().unwrap().is_empty(), "{who:?}: {r}");
                if !admin_row["caps"].as_array().unwrap().is_empty() {
                    assert!(
                        r["total"].is_null(),
                        "{who:?}: a capped row shows its total: {r}"
                    );
                    assert!(r["computed_grade"].is_null(), "{who:?}: {r}");
                    assert!(
                        r["indicators"].as_array().unwrap().is_empty(),
                        "{who:?}: {r}"
                    );
                    assert_eq!(r["grade"], admin_row["grade"]);
                }
                // Rows without a total come after every ranked one.
                if r["total"].is_null() {
                    totals_ended = true;
                } else {
                    assert!(!totals_ended, "{who:?}: a total after the unranked rows");
                }
            }
        }
        let (status, _, csv) = s
            .call(
                Method::GET,
                &format!("/api/v1/runs/{run}/results?format=csv"),
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let csv = csv.as_str().unwrap_or_default().to_string();
        let line = csv
            .lines()
            .find(|l| l.split(',').nth(1) == capped["subject"].as_str())
            .unwrap_or_else(|| panic!("{csv}"));
        let admin_total =
            thuocdo_sdk::Fixed::from_raw(capped["total"].as_i64().unwrap()).to_string();
        assert!(!line.split(',').any(|cell| cell == admin_total), "{line}");
        s.stop().await;
    });
}

#[test]
fn every_read_of_personal_data_is_logged_and_admins_list_it_per_subject() {
    runtime().block_on(async {
        let s = start("reads").await;
        let run = complete_run(&s).await;
        let path = format!("/api/v1/runs/{run}/results?per_page=1000");
        // The public and a viewer see no personal data: nothing is logged.
        for who in [None, Some("viewer")] {
            assert_eq!(s.get(&path, who).await.0, StatusCode::OK);
        }
        let (_, all) = s.get(&path, Some("admin")).await;
        let rows = all["results"].as_array().unwrap();
        let (_, theirs) = s.get(&path, Some("tax-admin")).await;
        let with_facts: Vec<&str> = theirs["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| !r["facts"].is_null())
            .map(|r| r["subject"].as_str().unwrap())
            .collect();
        assert!(!with_facts.is_empty());
        let tax_officer = with_facts[0];
        let outsider = rows
            .iter()
            .map(|r| r["subject"].as_str().unwrap())
            .find(|id| !with_facts.contains(id))
            .unwrap();
        let reads = |id: &str| {
            let s = &s;
            let path = format!("/api/v1/subjects/{id}/reads");
            async move {
                let (status, body) = s.get(&path, Some("admin")).await;
                assert_eq!(status, StatusCode::OK, "{body}");
                body.as_array().unwrap().clone()
            }
        };
        let tax_reads = reads(tax_officer).await;
        let readers: Vec<&str> = tax_reads
            .iter()
            .map(|r| r["actor"].as_str().unwrap())
            .collect();
        assert_eq!(tax_reads.len(), 2, "{tax_reads:?}");
        assert!(
            readers[0].starts_with("admin") && readers[1].starts_with("tax-admin"),
            "{readers:?}"
        );
        assert_eq!(
            tax_reads[0]["via"],
            format!("GET /api/v1/runs/{run}/results")
        );
        assert!(tax_reads[0]["at"].as_i64().unwrap() > 0);
        // Someone outside the tax office: read by the admin only.
        let outside = reads(outsider).await;
        assert_eq!(outside.len(), 1, "{outside:?}");
        assert!(outside[0]["actor"].as_str().unwrap().starts_with("admin"));
        // The person page is a read too.
        let (status, _, _) = s
            .call(
                Method::GET,
                &format!("/runs/{run}/people/{tax_officer}"),
                Some("tax-admin"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let tax_reads = reads(tax_officer).await;
        assert_eq!(tax_reads.len(), 3);
        assert_eq!(
            tax_reads[2]["via"],
            format!("the page of {tax_officer} in run {run}")
        );
        // Only admins list them.
        for who in [None, Some("viewer"), Some("tax-admin"), Some("analyst")] {
            let (status, _) = s
                .get(&format!("/api/v1/subjects/{tax_officer}/reads"), who)
                .await;
            assert!(
                status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN,
                "{who:?}"
            );
        }
        assert!(reads("nobody-at-all").await.is_empty());
        // A page at a time.
        let (_, first) = s
            .get(
                &format!("/api/v1/subjects/{tax_officer}/reads?limit=2"),
                Some("admin"),
            )
            .await;
        let first = first.as_array().unwrap();
        assert_eq!(first.len(), 2);
        let after = first[1]["id"].as_i64().unwrap();
        let (_, rest) = s
            .get(
                &format!("/api/v1/subjects/{tax_officer}/reads?after={after}"),
                Some("admin"),
            )
            .await;
        assert_eq!(rest.as_array().unwrap().len(), 1, "{rest}");
        for bad in ["limit=0", "limit=5000", "after=-3"] {
            let (status, body) = s
                .get(
                    &format!("/api/v1/subjects/{tax_officer}/reads?{bad}"),
                    Some("admin"),
                )
                .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        }
        s.stop().await;
    });
}

#[test]
fn an_analyst_bound_to_a_subtree_sees_its_people_but_never_their_facts() {
    runtime().block_on(async {
        let s = start("bound-analyst").await;
        let run = complete_run(&s).await;
        let (secret, _) = tokens::create(
            s.registry.store(),
            "test",
            "tax-analyst",
            &Role::Analyst {
                unit: Some("thue-tuyen-quang".into()),
            },
        )
        .await
        .unwrap();
        let path = format!("/api/v1/runs/{run}/results?per_page=1000");
        let (_, theirs) = s.get(&path, Some("tax-admin")).await;
        let tax_people: std::collections::BTreeSet<String> = theirs["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| !r["facts"].is_null())
            .map(|r| r["subject"].as_str().unwrap().to_string())
            .collect();
        assert!(!tax_people.is_empty());
        let (_, public) = s.get(&path, None).await;
        let public: std::collections::BTreeSet<String> = public["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["subject"].as_str().unwrap().to_string())
            .collect();
        assert!(
            public.is_disjoint(&tax_people),
            "the tax office does not publish"
        );
        let (status, bound) = s.get(&path, Some(&secret)).await;
        assert_eq!(status, StatusCode::OK, "{bound}");
        let rows = bound["results"].as_array().unwrap();
        let seen: std::collections::BTreeSet<String> = rows
            .iter()
            .map(|r| r["subject"].as_str().unwrap().to_string())
            .collect();
        // The public's rows and the tax office's people, no one else.
        assert_eq!(seen, public.union(&tax_people).cloned().collect());
        for r in rows {
            assert!(r["facts"].is_null() && r["error"].is_null(), "{r}");
            assert!(r.get("facts_sha256").is_none(), "{r}");
            assert!(r["caps"].as_array().unwrap().is_empty(), "{r}");
        }
        // Their personal data was not read: nothing is logged for them.
        let one = tax_people.iter().next().unwrap();
        let (_, reads) = s
            .get(&format!("/api/v1/subjects/{one}/reads"), Some("admin"))
            .await;
        assert!(
            reads
                .as_array()
                .unwrap()
                .iter()
                .all(|r| !r["actor"].as_str().unwrap().starts_with("tax-analyst")),
            "{reads}"
        );
        // A bound analyst's token names its subtree, which must exist.
        let made = tokens::create(
            s.registry.store(),
            "test",
            "nowhere",
            &Role::Analyst {
                unit: Some("no-such-unit".into()),
            },
        )
        .await;
        assert!(made.is_err());
        s.stop().await;
    });
}

#[test]
fn a_unit_that_publishes_grades_only_shows_the_public_its_peoples_grades_alone() {
    runtime().block_on(async {
        let s = start("grades-only").await;
        let run = complete_run(&s).await;
        let path = format!("/api/v1/runs/{run}/results?per_page=1000");
        let (_, before) = s.get(&path, None).await;
        let person = before["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["total"].is_i64())
            .expect("a published person with a total")
            .clone();
        let (_, units) = s.get("/api/v1/units", None).await;
        let mut unit = units
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["code"] == person["unit"])
            .unwrap()
            .clone();
        assert_eq!(unit["grades_only"], false);
        unit["grades_only"] = json!(true);
        // Choosing what the public sees is an admin's act.
        let (status, body) = s
            .post_json(
                "/api/v1/organisation",
                Some("unit-admin"),
                json!({"units": [unit]}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (status, body) = s
            .post_json(
                "/api/v1/organisation",
                Some("admin"),
                json!({"units": [unit]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, units) = s.get("/api/v1/units", None).await;
        assert!(
            units
                .as_array()
                .unwrap()
                .iter()
                .any(|u| u["code"] == person["unit"] && u["grades_only"] == true)
        );
        for who in [None, Some("viewer"), Some("analyst")] {
            let (_, after) = s.get(&path, who).await;
            let rows: Vec<&Value> = after["results"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["unit"] == person["unit"])
                .collect();
            assert!(
                !rows.is_empty(),
                "{who:?}: the unit's people are still listed"
            );
            for r in rows {
                assert!(r["grade"].is_string() || r["outcome"] != "scored", "{r}");
                assert!(
                    r["total"].is_null() && r["computed_grade"].is_null(),
                    "{who:?}: {r}"
                );
                assert!(
                    r["indicators"].as_array().unwrap().is_empty(),
                    "{who:?}: {r}"
                );
            }
        }
        // Those who see the unit's people in full still do.
        let (_, admin) = s.get(&path, Some("admin")).await;
        let row = admin["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["subject"] == person["subject"])
            .unwrap();
        assert_eq!(row["total"], person["total"]);
        s.stop().await;
    });
}

#[test]
fn an_indicator_that_reads_a_personal_fact_shows_others_its_score_not_the_value() {
    runtime().block_on(async {
        let s = start("personal-facts").await;
        let run = complete_run(&s).await;
        let card = "/api/v1/plugins/tuyenquang/provincial-leader-monthly/1.0.2";
        let (_, described) = s.get(card, None).await;
        let facts: Vec<String> = described["describe"]["facts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap().to_string())
            .collect();
        // Which indicators read which facts, by position.
        let reads = |fact: &str| -> Vec<usize> {
            let k = facts.iter().position(|f| f == fact).unwrap() as u64;
            described["describe"]["indicators"]
                .as_array()
                .unwrap()
                .iter()
                .enumerate()
                .filter(|(_, i)| {
                    i["facts"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|p| p.as_u64() == Some(k))
                })
                .map(|(n, _)| n)
                .collect()
        };
        // By default, discipline is personal.
        let (status, personal) = s.get(&format!("{card}/personal-facts"), None).await;
        assert_eq!(status, StatusCode::OK, "{personal}");
        assert_eq!(
            personal["facts"],
            json!(["discipline-breaches", "disciplined"]),
            "{personal}"
        );
        assert!(personal["set_by"].is_null());
        let discipline = reads("discipline-breaches");
        assert!(!discipline.is_empty());

        let path = format!("/api/v1/runs/{run}/results?per_page=1000");
        let raws = |body: &Value, indicator: usize| -> Vec<Value> {
            body["results"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| {
                    r["plugin"] == "tuyenquang/provincial-leader-monthly"
                        && r["indicators"].as_array().is_some_and(|i| !i.is_empty())
                })
                .map(|r| r["indicators"][indicator]["raw"].clone())
                .collect()
        };
        let (_, public) = s.get(&path, None).await;
        let (_, admin) = s.get(&path, Some("admin")).await;
        let shown = raws(&public, discipline[0]);
        assert!(!shown.is_empty(), "the public sees the leaders' results");
        assert!(shown.iter().all(Value::is_null), "{shown:?}");
        assert!(raws(&admin, discipline[0]).iter().all(|v| !v.is_null()));
        // Scores stay: the public still sees how the indicator scored.
        assert!(
            public["results"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["plugin"] == "tuyenquang/provincial-leader-monthly"
                    && r["indicators"][discipline[0]]["score"].is_i64())
        );

        // An admin sets the list: another fact is personal, discipline not.
        let other = facts
            .iter()
            .find(|f| !f.contains("disciplin") && !reads(f).is_empty())
            .unwrap()
            .clone();
        let (status, _, body) = s
            .call(
                Method::PUT,
                &format!("{card}/personal-facts"),
                Some("unit-admin"),
                Some((
                    "application/json",
                    serde_json::to_vec(&json!({"facts": [other]})).unwrap(),
                )),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (status, _, body) = s
            .call(
                Method::PUT,
                &format!("{card}/personal-facts"),
                Some("admin"),
                Some((
                    "application/json",
                    serde_json::to_vec(&json!({"facts": [other]})).unwrap(),
                )),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["facts"], json!([other]));
        assert!(body["set_by"].as_str().unwrap().starts_with("admin"));
        let (_, public) = s.get(&path, None).await;
        assert!(raws(&public, reads(&other)[0]).iter().all(Value::is_null));
        assert!(
            raws(&public, discipline[0]).iter().any(|v| !v.is_null()),
            "discipline is no longer personal"
        );
        // A fact the version does not declare is named.
        let (status, _, body) = s
            .call(
                Method::PUT,
                &format!("{card}/personal-facts"),
                Some("admin"),
                Some(("application/json", br#"{"facts": ["shoe-size"]}"#.to_vec())),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown-fact")),
            "{body}"
        );
        assert!(body["detail"].as_str().unwrap().contains("`shoe-size`"));
        // Audited, with before and after.
        let (_, audit) = s.get("/api/v1/audit?limit=1000", Some("admin")).await;
        let set = audit
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == "personal-facts")
            .unwrap();
        assert_eq!(
            set["detail"]["before"],
            json!(["discipline-breaches", "disciplined"])
        );
        assert_eq!(set["detail"]["after"], json!([other]));
        s.stop().await;
    });
}
