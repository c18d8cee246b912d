//! The organisation through time: moves and merges take effect from a
//! month, and a run of an earlier month counts people where they were then.

use std::collections::BTreeMap;

use thuocdo_host::access::Actor;
use thuocdo_host::org::Organisation;
use thuocdo_host::registry::Registry;
use thuocdo_host::scoring::{self, RunOptions};
use thuocdo_host::store::results::{ResultFilter, ResultOrder};
use thuocdo_tests::fixtures;

use crate::db::on_every_database;

fn admin() -> Actor {
    Actor::admin("admin@thuocdo")
}

fn org(value: serde_json::Value) -> Organisation {
    serde_json::from_value(value).unwrap()
}

fn person(id: &str, unit: &str) -> serde_json::Value {
    serde_json::json!({"id": id, "name": id, "unit": unit, "post": "commune-chair"})
}

/// Each subject's unit in a run of `period`.
async fn units_in(registry: &Registry, period: &str) -> BTreeMap<String, String> {
    let run = scoring::run(registry, &admin(), &RunOptions::period(period))
        .await
        .unwrap();
    scoring::results(registry, run.run)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.subject, r.unit))
        .collect()
}

fn placed(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(s, u)| (s.to_string(), u.to_string()))
        .collect()
}

#[test]
fn a_move_in_march_and_a_merger_in_july_count_people_where_they_were() {
    on_every_database(|registry| async move {
        registry
            .publish(&admin(), std::fs::read(fixtures::VERSIONED_1_0_0).unwrap())
            .await
            .unwrap();
        let first = org(serde_json::json!({
            "units": [
                {"code": "so", "name": "Tỉnh", "kind": "province"},
                {"code": "xa-a", "name": "Xã A", "kind": "commune", "parent": "so"},
                {"code": "xa-b", "name": "Xã B", "kind": "commune", "parent": "so"}
            ],
            "posts": [{"code": "commune-chair", "title": "Công chức", "task_group": "x"}],
            "subjects": [person("a-1", "xa-a"), person("p", "xa-a"), person("b-1", "xa-b")],
            "assignments": [{"post_type": "commune-chair", "plugin": "test/versioned@^1", "unit": "so", "from": "2025-01"}]
        }));
        thuocdo_host::org::import(&registry, &admin(), &first)
            .await
            .unwrap();
        let mut csv = String::from("subject_id,period,fact,value,source\n");
        for month in ["02", "03", "06", "07"] {
            for s in ["a-1", "p", "b-1"] {
                csv.push_str(&format!("{s},2025-{month},rate,95,test\n"));
            }
        }
        thuocdo_host::facts::import(&registry, &admin(), "f.csv", csv.as_bytes())
            .await
            .unwrap();

        // p moves to xa-b from March.
        let moved = thuocdo_host::org::import(
            &registry,
            &admin(),
            &org(serde_json::json!({"from": "2025-03", "subjects": [person("p", "xa-b")]})),
        )
        .await
        .unwrap();
        assert_eq!(moved.moved, 1);
        let february = scoring::run(&registry, &admin(), &RunOptions::period("2025-02"))
            .await
            .unwrap();
        let in_february: BTreeMap<String, String> = scoring::results(&registry, february.run)
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.subject, r.unit))
            .collect();
        assert_eq!(
            in_february,
            placed(&[("a-1", "xa-a"), ("b-1", "xa-b"), ("p", "xa-a")])
        );
        assert_eq!(
            units_in(&registry, "2025-03").await,
            placed(&[("a-1", "xa-a"), ("b-1", "xa-b"), ("p", "xa-b")])
        );

        // The communes merge into xa-moi from July: June is as it was.
        let merger = org(serde_json::json!({
            "from": "2025-07",
            "units": [{"code": "xa-moi", "name": "Xã Mới", "kind": "commune", "parent": "so"}],
            "subjects": [person("a-1", "xa-moi"), person("p", "xa-moi"), person("b-1", "xa-moi")]
        }));
        let merged = thuocdo_host::org::import(&registry, &admin(), &merger)
            .await
            .unwrap();
        assert_eq!(merged.moved, 3);
        assert_eq!(
            units_in(&registry, "2025-06").await,
            placed(&[("a-1", "xa-a"), ("b-1", "xa-b"), ("p", "xa-b")])
        );
        assert_eq!(
            units_in(&registry, "2025-07").await,
            placed(&[("a-1", "xa-moi"), ("b-1", "xa-moi"), ("p", "xa-moi")])
        );
        // February, scored before the moves were recorded, still verifies.
        let verified = scoring::verify(&registry, february.run, Default::default())
            .await
            .unwrap();
        assert_eq!(verified.differences, []);

        // Moves are recorded in order: one from May, after July's, is refused.
        let late = thuocdo_host::org::import(
            &registry,
            &admin(),
            &org(serde_json::json!({"from": "2025-05", "subjects": [person("a-1", "xa-a")]})),
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(
            late.contains("a move of `a-1` is recorded from a month after 2025-05"),
            "{late}"
        );
        let bad_month = thuocdo_host::org::import(
            &registry,
            &admin(),
            &org(serde_json::json!({"from": "2025-Q3", "subjects": []})),
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(
            bad_month.contains("`2025-Q3` is not a month"),
            "{bad_month}"
        );

        // A unit moved under another parent from July stands under its old
        // one for June.
        thuocdo_host::org::import(
            &registry,
            &admin(),
            &org(serde_json::json!({
                "from": "2025-08",
                "units": [
                    {"code": "so-2", "name": "Tỉnh 2", "kind": "province"},
                    {"code": "xa-b", "name": "Xã B", "kind": "commune", "parent": "so-2"}
                ]
            })),
        )
        .await
        .unwrap();
        let parent = |units: Vec<thuocdo_host::store::org::UnitRow>| {
            units.into_iter().find(|u| u.code == "xa-b").unwrap().parent
        };
        let store = registry.store();
        assert_eq!(
            parent(store.units_at("2025-07").await.unwrap()).as_deref(),
            Some("so")
        );
        assert_eq!(
            parent(store.units_at("2025-08").await.unwrap()).as_deref(),
            Some("so-2")
        );

        // The year: graded where each person is at its end (the merged
        // commune), each half-year counted in the commune it belonged to.
        let year = the_year_after_the_merger(&registry).await;
        let parts: Vec<(String, String, String, String)> = store
            .run_parts(year, None)
            .await
            .unwrap()
            .into_iter()
            .map(|(s, p)| (s, p.first_month, p.last_month, p.unit))
            .collect();
        let part = |s: &str, a: &str, b: &str, u: &str| {
            (s.to_string(), a.to_string(), b.to_string(), u.to_string())
        };
        assert_eq!(
            parts,
            [
                part("a-1", "2025-01", "2025-06", "xa-a"),
                part("a-1", "2025-07", "2025-12", "xa-moi"),
                part("b-1", "2025-01", "2025-06", "xa-b"),
                part("b-1", "2025-07", "2025-12", "xa-moi"),
                part("p", "2025-01", "2025-02", "xa-a"),
                part("p", "2025-03", "2025-06", "xa-b"),
                part("p", "2025-07", "2025-12", "xa-moi"),
            ]
        );
        assert_eq!(served_in(&registry, year, "xa-a").await, ["a-1", "p"]);
        assert_eq!(served_in(&registry, year, "xa-b").await, ["b-1", "p"]);
        // Those who end in a unit are its people, not "served for part".
        assert!(served_in(&registry, year, "xa-moi").await.is_empty());
        // The old commune's page lists them with their months there; the
        // person's page says where they served.
        let (token, _) = thuocdo_host::access::tokens::create(
            registry.store(),
            "test",
            "admin",
            &thuocdo_host::access::Role::Admin,
        )
        .await
        .unwrap();
        let (status, page) = crate::corrections::dashboard(
            &registry,
            &token,
            "GET",
            &format!("/runs/{year}/units/xa-a?lang=en"),
            "",
        )
        .await;
        assert_eq!(status, 200, "{page}");
        let served = &page[page.find("id=\"served\"").expect("a served section")..];
        for who in [
            "data-subject=\"a-1\"",
            "data-subject=\"p\"",
            "6 months",
            "2 months",
        ] {
            assert!(served.contains(who), "{who}: {served}");
        }
        assert!(!served.contains("data-subject=\"b-1\""), "{served}");
        let (status, page) = crate::corrections::dashboard(
            &registry,
            &token,
            "GET",
            &format!("/runs/{year}/people/p"),
            "",
        )
        .await;
        assert_eq!(status, 200, "{page}");
        for unit in ["xa-a", "xa-b", "xa-moi"] {
            assert!(
                page.contains(&format!("data-unit=\"{unit}\"")),
                "{unit}: {page}"
            );
        }
        // Through the API: the page carries the parts to an admin, not to a
        // viewer, who may not ask who served in a unit either.
        let (viewer, _) = thuocdo_host::access::tokens::create(
            registry.store(),
            "test",
            "viewer",
            &thuocdo_host::access::Role::Viewer,
        )
        .await
        .unwrap();
        let served_path = format!("/api/v1/runs/{year}/results?served=xa-a");
        let (status, body) =
            crate::corrections::dashboard(&registry, &token, "GET", &served_path, "").await;
        assert_eq!(status, 200, "{body}");
        let page: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(page["total"], 2, "{page}");
        assert_eq!(page["parts"]["p"].as_array().unwrap().len(), 3, "{page}");
        let (status, body) =
            crate::corrections::dashboard(&registry, &viewer, "GET", &served_path, "").await;
        assert_eq!(status, 403, "{body}");
        let (status, body) = crate::corrections::dashboard(
            &registry,
            &token,
            "GET",
            &format!("/api/v1/runs/{year}/results?served=xa-nowhere"),
            "",
        )
        .await;
        assert_eq!(status, 404, "{body}");
        assert!(
            body.contains("xa-nowhere") && body.contains("served"),
            "{body}"
        );
        assert!(body.contains("served"), "{body}");
        let all = format!("/api/v1/runs/{year}/results?per_page=2");
        let (_, body) = crate::corrections::dashboard(&registry, &viewer, "GET", &all, "").await;
        let page: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert!(page.get("parts").is_none(), "{page}");
        // Read on with `after` from the first page's `next`: the third row,
        // and no `next` after the last.
        let (_, body) = crate::corrections::dashboard(&registry, &token, "GET", &all, "").await;
        let first: serde_json::Value = serde_json::from_str(&body).unwrap();
        let next = first["next"].as_str().expect("a next on a full first page");
        let (status, body) = crate::corrections::dashboard(
            &registry,
            &token,
            "GET",
            &format!("{all}&after={next}"),
            "",
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let second: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(second["results"].as_array().unwrap().len(), 1, "{second}");
        assert!(second.get("next").is_none(), "{second}");
        let mut seen: Vec<String> = first["results"]
            .as_array()
            .unwrap()
            .iter()
            .chain(second["results"].as_array().unwrap())
            .map(|r| r["subject"].as_str().unwrap().to_string())
            .collect();
        seen.sort();
        assert_eq!(seen, ["a-1", "b-1", "p"]);
        for (query, field) in [
            ("after=nonsense", "after"),
            ("after=t,x,a-1", "after"),
            ("after=t,1,a-1&page=2", "after"),
            ("after=t,1,a-1&sort=name", "sort"),
        ] {
            let (status, body) = crate::corrections::dashboard(
                &registry,
                &token,
                "GET",
                &format!("/api/v1/runs/{year}/results?{query}"),
                "",
            )
            .await;
            assert_eq!(status, 400, "{query}: {body}");
            assert!(body.contains(field), "{query}: {body}");
        }
        let verified = scoring::verify(&registry, year, Default::default())
            .await
            .unwrap();
        assert_eq!(verified.differences, []);
        // A move recorded since, inside the year, is named by verify.
        thuocdo_host::org::import(
            &registry,
            &admin(),
            &org(serde_json::json!({"from": "2025-10", "subjects": [person("b-1", "xa-a")]})),
        )
        .await
        .unwrap();
        let verified = scoring::verify(&registry, year, Default::default())
            .await
            .unwrap();
        let fields: Vec<(&str, &str)> = verified
            .differences
            .iter()
            .map(|d| (d.subject.as_str(), d.field.as_str()))
            .collect();
        assert_eq!(fields, [("b-1", "parts")], "{:?}", verified.differences);
    });
}

/// June and July published, a yearly card drawing on the months, and the
/// year run: its id.
async fn the_year_after_the_merger(registry: &Registry) -> i64 {
    for month in ["2025-06", "2025-07"] {
        let run = scoring::run(registry, &admin(), &RunOptions::period(month))
            .await
            .unwrap()
            .run;
        scoring::publish(registry, &admin(), run).await.unwrap();
    }
    registry
        .publish(
            &admin(),
            std::fs::read(fixtures::ANNUAL_FROM_MONTHS).unwrap(),
        )
        .await
        .unwrap();
    registry
        .assign(
            &admin(),
            "commune-chair",
            "test/annual-from-months",
            "^1",
            "so",
            // Not the monthly card's start: two assignments may not tie.
            "2024",
        )
        .await
        .unwrap();
    let year = scoring::run(registry, &admin(), &RunOptions::period("2025"))
        .await
        .unwrap();
    assert_eq!(year.summary.scored, 3, "{:?}", year.summary.problems);
    let results = scoring::results(registry, year.run).await.unwrap();
    for r in &results {
        assert_eq!(r.unit, "xa-moi", "{}", r.subject);
    }
    year.run
}

/// Who served in `unit` for part of run `run`'s period and ended elsewhere,
/// as an admin reads them through the results' `served` filter.
async fn served_in(registry: &Registry, run: i64, unit: &str) -> Vec<String> {
    let filter = ResultFilter {
        served: Some(unit.to_string()),
        ..Default::default()
    };
    let page = thuocdo_host::access::visible_results_page(
        registry,
        &thuocdo_host::access::Caller(Some(admin())),
        "a test",
        run,
        &filter,
        ResultOrder::Total,
        0,
        10,
    )
    .await
    .unwrap();
    let mut who: Vec<String> = page.results.into_iter().map(|r| r.subject).collect();
    who.sort();
    assert_eq!(page.total as usize, who.len());
    who
}
