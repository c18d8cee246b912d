//! The assessment procedure through the API: a clerk signs in with the
//! code their unit's admin issued and assesses themself; the collective's
//! comments are recorded; the director assesses with a difference; the
//! period's run scores the director's points and refuses a colleague not
//! yet assessed; steps out of order, outside one's reach, after their due
//! date and in a locked period are each answered as the procedure says.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use thuocdo_host::access::{Role, tokens};

use crate::support::{Server, complete_run_of, runtime, start};

const CENTRE: &str = "ttpvhcc-phuong-ha-giang-2";
const CLERK: &str = "mot-cua-ha-giang-2-01";
const COLLEAGUE: &str = "mot-cua-ha-giang-2-02";
const PERIOD: &str = "2025-Q4";

async fn put(s: &Server, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    let (status, _, v) = s
        .call(
            Method::PUT,
            path,
            Some(token),
            Some(("application/json", body.to_string().into_bytes())),
        )
        .await;
    (status, v)
}

fn step(view: &Value, name: &str) -> Value {
    view["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == name)
        .cloned()
        .unwrap()
}

/// The clerks' data facts for the period, copied from the third quarter's
/// (everything but what people assess).
async fn import_data_facts(s: &Server, subjects: &[&str]) {
    let mut csv = String::from("subject_id,period,fact,value,source\n");
    for subject in subjects {
        let row =
            sqlx::query("SELECT facts FROM fact_sheets WHERE subject = $1 AND period = '2025-Q3'")
                .bind(subject.to_string())
                .fetch_one(s.registry.store().pool())
                .await
                .unwrap();
        let facts: std::collections::BTreeMap<String, i64> =
            serde_json::from_str(&sqlx::Row::try_get::<String, _>(&row, "facts").unwrap()).unwrap();
        for (name, raw) in facts {
            if name == "public-service-culture" || name == "regulation-compliance" {
                continue;
            }
            csv.push_str(&format!(
                "{subject},{PERIOD},{name},{},the one-stop system\n",
                thuocdo_sdk::Fixed::from_raw(raw)
            ));
        }
    }
    let (status, body) = s
        .post_bytes("/api/v1/facts", Some("admin"), "text/csv", csv.into_bytes())
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[test]
fn a_clerk_is_assessed_step_by_step_and_the_run_scores_the_directors_points() {
    runtime().block_on(async {
        let s = start("assessment").await;
        let base = format!("/api/v1/subjects/{CLERK}/assessments/{PERIOD}");

        // The calendar: Tết Dương lịch 2026 is a holiday; each step is due
        // a few working days after the quarter (long past today).
        let (status, body) = put(
            &s,
            "/api/v1/calendar/2026",
            "admin",
            json!([{"day": "2026-01-01", "kind": "holiday", "name": "Tết Dương lịch"}]),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = put(
            &s,
            &format!("/api/v1/units/{CENTRE}/assessment-calendar/quarter"),
            "admin",
            json!({"steps": {"self-assessment": "+1", "collective": "+3", "direct-manager": "+5"}}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = put(
            &s,
            &format!("/api/v1/units/{CENTRE}/assessment-calendar/quarter"),
            "admin",
            json!({"steps": {"self-assessment": "+1.5"}}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["field"], "steps.self-assessment", "{body}");

        // The admin issues codes for the centre; the clerk signs in once.
        let (status, codes) = s
            .post_json("/api/v1/sign-in-codes", Some("admin"), json!({"unit": CENTRE}))
            .await;
        assert_eq!(status, StatusCode::OK, "{codes}");
        assert_eq!(codes.as_array().unwrap().len(), 12, "{codes}");
        let code = codes
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["subject"] == CLERK)
            .unwrap()["code"]
            .as_str()
            .unwrap()
            .to_lowercase();
        // The unit admin of another subtree issues none here.
        let (status, body) = s
            .post_json("/api/v1/sign-in-codes", Some("unit-admin"), json!({"unit": CENTRE}))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let (status, signed) = s
            .post_json("/api/v1/sign-in", None, json!({"code": code}))
            .await;
        assert_eq!(status, StatusCode::OK, "{signed}");
        assert_eq!(signed["subject"], CLERK);
        let clerk = signed["token"].as_str().unwrap().to_string();
        let (status, body) = s
            .post_json("/api/v1/sign-in", None, json!({"code": code}))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "a code works once: {body}");

        // The centre's assessor (the director's office), and another
        // subtree's.
        let (assessor, _) = tokens::create(
            s.registry.store(),
            "test",
            "director",
            &Role::Assessor {
                unit: CENTRE.into(),
            },
        )
        .await
        .unwrap();
        let (elsewhere, _) = tokens::create(
            s.registry.store(),
            "test",
            "tax assessor",
            &Role::Assessor {
                unit: "thue-tuyen-quang".into(),
            },
        )
        .await
        .unwrap();

        // The clerk reads their own assessment: open, two facts to assess,
        // each step due after the holiday and overdue by now.
        let (status, view) = s.get(&base, Some(&clerk)).await;
        assert_eq!(status, StatusCode::OK, "{view}");
        assert_eq!(view["state"], "open");
        assert_eq!(view["card"], "hagiang-ward2-pasc/service-centre-clerk@1.1.0");
        let facts: Vec<&str> = view["facts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        assert_eq!(facts, ["public-service-culture", "regulation-compliance"]);
        // 31 December 2025 is a Wednesday; 1 January a holiday.
        assert_eq!(step(&view, "self-assessment")["due"], "2026-01-02");
        assert_eq!(step(&view, "collective")["due"], "2026-01-06");
        assert_eq!(step(&view, "self-assessment")["overdue"], true);
        // Nobody else's.
        let (status, body) = s
            .get(&format!("/api/v1/subjects/{COLLEAGUE}/assessments/{PERIOD}"), Some(&clerk))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let (status, body) = s.get(&base, Some("viewer")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (status, body) = s.get(&base, Some(&elsewhere)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

        // Out of order: the manager before the servant.
        let (status, body) = put(
            &s,
            &format!("{base}/direct-manager"),
            &assessor,
            json!({"points": {"public-service-culture": "12", "regulation-compliance": "14"}}),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["code"], "out-of-order");
        assert!(
            body["detail"].as_str().unwrap().contains("comes after the collective's comments; this assessment is open"),
            "{body}"
        );
        // Only the clerk self-assesses; and only what the card asks, in range.
        let own = json!({"points": {"public-service-culture": 14, "regulation-compliance": "15"},
            "review": "Tiếp nhận và trả kết quả đúng hạn; chưa để xảy ra phản ánh."});
        let (status, body) = put(&s, &format!("{base}/self-assessment"), &assessor, own.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        for (bad, field) in [
            (json!({"points": {"public-service-culture": 14}, "review": "x"}), "points.regulation-compliance"),
            (json!({"points": {"public-service-culture": 16, "regulation-compliance": 1}, "review": "x"}), "points.public-service-culture"),
            (json!({"points": {"public-service-culture": 1, "regulation-compliance": 1, "complaints": 0}, "review": "x"}), "points.complaints"),
            (json!({"points": {"public-service-culture": 1, "regulation-compliance": 1}, "review": " "}), "review"),
        ] {
            let (status, body) = put(&s, &format!("{base}/self-assessment"), &clerk, bad).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(body["field"], field, "{body}");
        }
        let (status, view) = put(&s, &format!("{base}/self-assessment"), &clerk, own).await;
        assert_eq!(status, StatusCode::OK, "{view}");
        assert_eq!(view["state"], "self-assessed");
        assert_eq!(step(&view, "self-assessment")["late"], true, "{view}");

        // The collective: not by the clerk, not from another subtree.
        let minutes = json!({"date": "2026-01-05", "attended": ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"],
            "text": "Tập thể thống nhất với bản tự đánh giá.", "votes_for": 3, "votes_against": 0});
        let (status, body) = put(&s, &format!("{base}/collective"), &clerk, minutes.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (status, body) = put(&s, &format!("{base}/collective"), &elsewhere, minutes.clone()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let mut too_many = minutes.clone();
        too_many["votes_for"] = json!(4);
        let (status, body) = put(&s, &format!("{base}/collective"), &assessor, too_many).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (status, view) = put(&s, &format!("{base}/collective"), &assessor, minutes).await;
        assert_eq!(status, StatusCode::OK, "{view}");
        assert_eq!(view["state"], "collective-recorded");
        assert_eq!(view["collective"]["attended"].as_array().unwrap().len(), 3);
        // The self-assessment is closed now.
        let (status, body) = put(
            &s,
            &format!("{base}/self-assessment"),
            &clerk,
            json!({"points": {"public-service-culture": 15, "regulation-compliance": 15}, "review": "again"}),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(body["detail"].as_str().unwrap().contains("can no longer change"), "{body}");

        // The director differs on culture: without a word it is refused.
        let (status, body) = put(
            &s,
            &format!("{base}/direct-manager"),
            &assessor,
            json!({"points": {"public-service-culture": "12.5", "regulation-compliance": "15"}}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["field"], "comments.public-service-culture", "{body}");
        let (status, view) = put(
            &s,
            &format!("{base}/direct-manager"),
            &assessor,
            json!({"points": {"public-service-culture": "12.5", "regulation-compliance": "15"},
                   "comments": {"public-service-culture": "Hai lần chậm trả lời tin nhắn của người dân."}}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{view}");
        assert_eq!(view["state"], "manager-assessed");
        assert_eq!(view["ready"], true);
        let culture = &view["facts"][0];
        assert_eq!(culture["self_value"], "14");
        assert_eq!(culture["manager_value"], "12.5");
        assert_eq!(culture["gap"], "-1.5");

        // The centre's list: the clerk assessed, the colleague overdue.
        let (status, list) = s
            .get(
                &format!("/api/v1/units/{CENTRE}/assessments?period={PERIOD}&limit=2"),
                Some(&assessor),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{list}");
        let people = list["people"].as_array().unwrap();
        assert_eq!(people.len(), 2);
        assert_eq!(people[0]["subject"], CLERK);
        assert_eq!(people[0]["facts"][0]["gap"], "-1.5");
        assert_eq!(people[1]["subject"], COLLEAGUE);
        assert_eq!(people[1]["state"], "open");
        assert_eq!(step(&people[1], "self-assessment")["overdue"], true);
        assert_eq!(list["next"], COLLEAGUE);
        let (status, _) = s
            .get(&format!("/api/v1/units/{CENTRE}/assessments?period={PERIOD}"), Some(&clerk))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // Every step is in the audit log.
        let (_, audit) = s.get("/api/v1/audit?limit=1000", Some("admin")).await;
        let actions: Vec<&str> = audit
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["subject"] == CLERK)
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        for action in ["sign-in", "assess-self-assessment", "assess-collective", "assess-direct-manager"] {
            assert!(actions.contains(&action), "{action} in {actions:?}");
        }

        // The run reads the director's points; the colleague, not yet
        // assessed, is refused and says so.
        import_data_facts(&s, &[CLERK, COLLEAGUE]).await;
        let run = complete_run_of(&s, PERIOD).await;
        let (status, page) = s
            .get(&format!("/api/v1/runs/{run}/results?unit={CENTRE}&per_page=20"), Some("admin"))
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let results = page["results"].as_array().unwrap();
        let clerk_result = results.iter().find(|r| r["subject"] == CLERK).unwrap();
        assert_eq!(clerk_result["outcome"], "scored", "{clerk_result}");
        // Facts are in ten-thousandths.
        assert_eq!(clerk_result["facts"]["public-service-culture"], 125_000, "{clerk_result}");
        assert_eq!(clerk_result["facts"]["regulation-compliance"], 150_000, "{clerk_result}");
        let colleague = results.iter().find(|r| r["subject"] == COLLEAGUE).unwrap();
        assert_eq!(colleague["outcome"], "refused", "{colleague}");
        assert!(
            colleague["error"].as_str().unwrap().contains("(not yet assessed)"),
            "{colleague}"
        );

        // Published, the period is locked: the director's assessment stays.
        let (status, body) = s
            .post_json(&format!("/api/v1/runs/{run}/publish"), Some("admin"), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = put(
            &s,
            &format!("{base}/direct-manager"),
            &assessor,
            json!({"points": {"public-service-culture": "15", "regulation-compliance": "15"}}),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["code"], "locked", "{body}");
        s.stop().await;
    });
}
