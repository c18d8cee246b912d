//! The sandbox's routes with every error a caller can make, each a problem
//! document with its status and code.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{complete_run, runtime, start, wasm};

#[test]
fn sandbox_routes_with_every_error() {
    runtime().block_on(async {
        let s = start("sandbox").await;
        let run = complete_run(&s).await;
        let (status, body) = s
            .post_json(
                &format!("/api/v1/runs/{run}/publish"),
                Some("admin"),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");

        let drafts = "/api/v1/sandbox/drafts";
        let (status, body) = s
            .post_bytes(drafts, Some("analyst"), "application/wasm", Vec::new())
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("bad-request")),
            "{body}"
        );
        let (status, body) = s
            .post_bytes(
                drafts,
                Some("analyst"),
                "application/wasm",
                b"not wasm".to_vec(),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("not-a-component")),
            "{body}"
        );
        let (status, draft) = s
            .post_bytes(
                drafts,
                Some("analyst"),
                "application/wasm",
                wasm("provincial-leader-monthly"),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{draft}");
        let id = draft["id"].as_i64().unwrap();
        let (status, list) = s.get(drafts, Some("analyst")).await;
        assert_eq!(
            (status, list.as_array().map(Vec::len)),
            (StatusCode::OK, Some(1))
        );

        let compare = format!("{drafts}/{id}/compare");
        let cases = [
            (
                format!("{drafts}/abc/compare"),
                json!({"periods": ["2025-09"]}),
                StatusCode::BAD_REQUEST,
                "bad-request",
            ),
            (
                format!("{drafts}/999/compare"),
                json!({"periods": ["2025-09"]}),
                StatusCode::NOT_FOUND,
                "not-found",
            ),
            (
                compare.clone(),
                json!({"periods": 3}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "bad-json",
            ),
            (
                compare.clone(),
                json!({"periods": ["2025-09"], "extra": 1}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "bad-json",
            ),
            (
                compare.clone(),
                json!({"periods": []}),
                StatusCode::BAD_REQUEST,
                "bad-request",
            ),
            (
                compare.clone(),
                json!({"periods": ["2025-13"]}),
                StatusCode::BAD_REQUEST,
                "bad-request",
            ),
            (
                compare.clone(),
                json!({"periods": ["2025-Q3"]}),
                StatusCode::BAD_REQUEST,
                "bad-request",
            ),
            (
                compare.clone(),
                json!({"periods": ["2025-10"]}),
                StatusCode::NOT_FOUND,
                "not-found",
            ),
            (
                compare.clone(),
                json!({"periods": ["2025-09"], "units": ["nowhere"]}),
                StatusCode::NOT_FOUND,
                "not-found",
            ),
        ];
        for (path, request, expected, code) in cases {
            let (status, body) = s.post_json(&path, Some("analyst"), request.clone()).await;
            assert_eq!(
                (status, body["code"].as_str()),
                (expected, Some(code)),
                "{path} {request}: {body}"
            );
        }
        // A quarter for a monthly card names both.
        let (_, body) = s
            .post_json(&compare, Some("analyst"), json!({"periods": ["2025-Q3"]}))
            .await;
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("monthly scorecard; 2025-Q3"),
            "{body}"
        );
        let (status, _, body) = s
            .call(
                Method::POST,
                &compare,
                Some("analyst"),
                Some(("text/plain", b"{}".to_vec())),
            )
            .await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
        let (status, what_if) = s
            .post_json(&compare, Some("analyst"), json!({"periods": ["2025-09"]}))
            .await;
        assert_eq!(status, StatusCode::OK, "{what_if}");
        assert_eq!(what_if["periods"][0]["compared"], 148);

        let (status, _, body) = s
            .call(
                Method::DELETE,
                &format!("{drafts}/999"),
                Some("analyst"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let (status, _, body) = s
            .call(
                Method::DELETE,
                &format!("{drafts}/x"),
                Some("analyst"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let (status, _, body) = s
            .call(
                Method::DELETE,
                &format!("{drafts}/{id}"),
                Some("analyst"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, _, _) = s
            .call(
                Method::DELETE,
                &format!("{drafts}/{id}"),
                Some("analyst"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        s.stop().await;
    });
}
