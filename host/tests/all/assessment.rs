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

pub(crate) const CENTRE: &str = "ttpvhcc-phuong-ha-giang-2";
pub(crate) const CLERK: &str = "mot-cua-ha-giang-2-01";
pub(crate) const COLLEAGUE: &str = "mot-cua-ha-giang-2-02";
pub(crate) const PERIOD: &str = "2025-Q4";

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

/// A few bytes a PNG starts with.
fn png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend([0; 8]);
    bytes
}

/// A dashboard page's answer to `token`, whatever its type.
async fn raw(s: &Server, path: &str, token: &str) -> axum::response::Response {
    let secret = s
        .tokens
        .get(token)
        .cloned()
        .unwrap_or_else(|| token.to_string());
    let router = thuocdo_host::app::router(thuocdo_host::app::AppState::new(s.registry.clone()));
    let request = axum::http::Request::builder()
        .uri(path)
        .header("authorization", format!("Bearer {secret}"))
        .body(axum::body::Body::empty())
        .unwrap();
    tower::ServiceExt::oneshot(router, request).await.unwrap()
}

/// A public, conditional read of `path`: its status and its validator.
async fn public_tag(s: &Server, path: &str, held: Option<&str>) -> (StatusCode, Option<String>) {
    let router = thuocdo_host::app::router(thuocdo_host::app::AppState::new(s.registry.clone()));
    let mut request = axum::http::Request::builder().uri(path);
    if let Some(tag) = held {
        request = request.header("if-none-match", tag);
    }
    let response =
        tower::ServiceExt::oneshot(router, request.body(axum::body::Body::empty()).unwrap())
            .await
            .unwrap();
    let tag = response
        .headers()
        .get("etag")
        .map(|v| v.to_str().unwrap().to_string());
    (response.status(), tag)
}

async fn page_status(s: &Server, path: &str, token: &str) -> u16 {
    raw(s, path, token).await.status().as_u16()
}

/// The first sheet's XML of the XLSX at `path`, read with `token`.
async fn xlsx_sheet(s: &Server, path: &str, token: &str) -> String {
    let response = raw(s, path, token).await;
    assert_eq!(response.status(), 200, "{path}");
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut sheet = String::new();
    std::io::Read::read_to_string(
        &mut archive.by_name("xl/worksheets/sheet1.xml").unwrap(),
        &mut sheet,
    )
    .unwrap();
    sheet
}

/// The clerks' data facts for the period, copied from the third quarter's
/// (everything but what people assess).
pub(crate) async fn import_data_facts(s: &Server, subjects: &[&str]) {
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

        // The clerk sees their own result whole (facts and all), and no
        // colleague's facts.
        let (status, mine) = s
            .get(&format!("/api/v1/runs/{run}/results?unit={CENTRE}&per_page=20"), Some(&clerk))
            .await;
        assert_eq!(status, StatusCode::OK, "{mine}");
        for r in mine["results"].as_array().unwrap() {
            assert_eq!(r["facts"].is_object(), r["subject"] == CLERK, "{r}");
        }
        let (status, _, page) = s
            .call(Method::GET, &format!("/runs/{run}/people/{CLERK}"), Some(&clerk), None)
            .await;
        assert_eq!(status, StatusCode::OK);
        let page = page.as_str().unwrap();
        assert!(page.contains("id=\"facts\""), "their facts, to the person");
        // Their assessment beside the result, with the gap.
        assert!(page.contains(&format!("href=\"/assessments/{CLERK}/{PERIOD}\"")), "{page}");
        assert!(page.contains("id=\"assessment-gaps\"") && page.contains("-1.5"), "{page}");
        // Not to the public.
        let (_, _, public) = s
            .call(Method::GET, &format!("/runs/{run}/people/{CLERK}"), None, None)
            .await;
        assert!(!public.as_str().unwrap_or_default().contains("id=\"assessment\""));

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

        // The competent person decides the centre's grades from the
        // official run: the clerk's, once; the colleague, refused, has none.
        let decisions = format!("/api/v1/runs/{run}/decisions");
        let (status, body) = s.post_json(&decisions, Some(&clerk), json!({"unit": CENTRE})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (status, body) = s.post_json(&decisions, Some("unit-admin"), json!({"unit": CENTRE})).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let (status, decided) = s.post_json(&decisions, Some("admin"), json!({"unit": CENTRE})).await;
        assert_eq!(status, StatusCode::OK, "{decided}");
        let grade = clerk_result["grade"].clone();
        let mine = decided["decided"].as_array().unwrap().iter().find(|d| d["subject"] == CLERK).unwrap();
        assert_eq!(mine["grade"], grade);
        let colleague = decided["undecided"].as_array().unwrap().iter().find(|d| d["subject"] == COLLEAGUE).unwrap();
        assert!(colleague["why"].as_str().unwrap().contains("no grade to confirm (refused)"), "{colleague}");
        let (_, again) = s.post_json(&decisions, Some("admin"), json!({"subjects": [CLERK]})).await;
        assert!(again["decided"].as_array().unwrap().is_empty(), "{again}");
        assert!(again["undecided"][0]["why"].as_str().unwrap().contains("decided already"), "{again}");

        // The clerk reads the notice: the grade, the indicators, the last
        // day to appeal, five working days on; reading it marks it read.
        let (status, notices) = s.get(&format!("/api/v1/subjects/{CLERK}/notices"), Some(&clerk)).await;
        assert_eq!(status, StatusCode::OK, "{notices}");
        let notice = &notices[0];
        assert_eq!(notice["grade"], grade);
        assert_eq!(notice["indicators"].as_array().unwrap().len(), 7, "{notice}");
        assert!(notice["read_at"].is_null());
        let today = thuocdo_host::assessment::calendar::Day::at_millis(thuocdo_host::store::now_millis());
        let mut calendar = thuocdo_host::assessment::calendar::WorkCalendar::default();
        calendar.holiday(thuocdo_host::assessment::calendar::Day::parse("2026-01-01").unwrap());
        assert_eq!(notice["appeal_until"], calendar.add_working_days(today, 5).to_string());
        let (status, read) = s.get(&format!("/api/v1/notices/{}", notice["id"]), Some(&clerk)).await;
        assert_eq!(status, StatusCode::OK, "{read}");
        assert!(read["read_at"].is_i64(), "{read}");
        // The clerk appeals the culture indicator, with a scanned letter;
        // the director's office upholds it with the corrected fact, late.
        let appeal_path = format!("/api/v1/notices/{}/appeal", notice["id"]);
        let (status, body) = s
            .post_json(&appeal_path, Some(&clerk), json!({"contested": ["no-such"], "text": "x"}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["field"], "contested[0]");
        let (status, body) = s
            .post_json(&appeal_path, Some("admin"), json!({"contested": ["public-service-culture"], "text": "x"}))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "only the person appeals: {body}");
        let (status, filed) = s
            .post_json(
                &appeal_path,
                Some(&clerk),
                json!({"contested": ["public-service-culture"], "text": "Hai tin nhắn chậm là do mạng lỗi, có xác nhận của Trung tâm."}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{filed}");
        assert_eq!(filed["state"], "filed");
        let (status, body) = s
            .post_json(&appeal_path, Some(&clerk), json!({"contested": ["public-service-culture"], "text": "again"}))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "one appeal per notice: {body}");
        let appeal = filed["id"].as_i64().unwrap();
        let evidence = |name: &str| format!("/api/v1/appeals/{appeal}/evidence/{name}");
        let (status, body) = s
            .put_bytes(&evidence("page.html"), Some(&clerk), "text/html", b"<p>".to_vec())
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (status, body) = s
            .put_bytes(&evidence("fake.pdf"), Some(&clerk), "application/pdf", png())
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a PNG is not a PDF: {body}");
        let letter = b"%PDF-1.4 a letter from the centre".to_vec();
        let (status, body) = s
            .put_bytes(&evidence("letter.pdf"), Some(&clerk), "application/pdf", letter.clone())
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["evidence"][0]["size"], letter.len());
        for k in 2..=5 {
            // Declared as bytes only, a file is what its first bytes say.
            let declared = if k == 5 { "application/octet-stream" } else { "image/png" };
            let (status, body) = s
                .put_bytes(&evidence(&format!("p{k}.png")), Some(&clerk), declared, png())
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            if k == 5 {
                let kept = body["evidence"].as_array().unwrap().iter().find(|e| e["name"] == "p5.png").unwrap().clone();
                assert_eq!(kept["content_type"], "image/png", "{kept}");
            }
        }
        let (status, body) = s
            .put_bytes(&evidence("p6.png"), Some(&clerk), "image/png", png())
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "at most five files: {body}");
        let got = raw(&s, &evidence("letter.pdf"), "admin").await;
        assert_eq!(got.status(), 200);
        let bytes = axum::body::to_bytes(got.into_body(), usize::MAX).await.unwrap();
        assert_eq!(bytes.to_vec(), letter);
        // Its answer was due yesterday: it is answered late.
        sqlx::query("UPDATE appeals SET answer_due = '2026-01-02' WHERE id = $1")
            .bind(appeal)
            .execute(s.registry.store().pool())
            .await
            .unwrap();
        let answer = format!("/api/v1/appeals/{appeal}/answer");
        let (status, _, body) = s
            .call(
                Method::PUT,
                &answer,
                Some(&clerk),
                Some(("application/json", json!({"outcome": "upheld", "reason": "x"}).to_string().into_bytes())),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        for (bad, field) in [
            (json!({"outcome": "maybe", "reason": "x"}), "outcome"),
            (json!({"outcome": "upheld", "reason": "x"}), "facts"),
            (json!({"outcome": "rejected", "reason": "x", "facts": {"public-service-culture": "1"}}), "facts"),
            (json!({"outcome": "upheld", "reason": "x", "facts": {"public-service-culture": "99"}}), "facts.public-service-culture"),
            (json!({"outcome": "upheld", "reason": "x", "facts": {"no-such": "1"}}), "facts.no-such"),
            (json!({"outcome": "upheld", "reason": " ", "facts": {"public-service-culture": "1"}}), "reason"),
        ] {
            let (status, body) = put(&s, &answer, "admin", bad).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(body["field"], field, "{body}");
        }
        // The public's validator of the official run before the correction.
        let overview = format!("/runs/{run}");
        let (status, old_tag) = public_tag(&s, &overview, None).await;
        assert_eq!(status, StatusCode::OK);
        let old_tag = old_tag.expect("an official run's page carries a validator");
        assert_eq!(public_tag(&s, &overview, Some(&old_tag)).await.0, StatusCode::NOT_MODIFIED);
        let (status, answered) = put(
            &s,
            &answer,
            "admin",
            json!({"outcome": "upheld", "reason": "Xác nhận lỗi mạng của Trung tâm.",
                   "facts": {"public-service-culture": "14"}}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{answered}");
        assert_eq!(answered["state"], "upheld");
        // The run is corrected: the clerk's result, revision 1; the page's
        // old validator no longer holds, the new one does.
        assert_eq!(answered["correction"]["revision"], 1, "{answered}");
        assert_eq!(answered["correction"]["changed"][0]["subject"], CLERK, "{answered}");
        let (status, new_tag) = public_tag(&s, &overview, Some(&old_tag)).await;
        assert_eq!(status, StatusCode::OK);
        let new_tag = new_tag.unwrap();
        assert_ne!(new_tag, old_tag);
        assert_eq!(public_tag(&s, &overview, Some(&new_tag)).await.0, StatusCode::NOT_MODIFIED);
        let (_, head) = s.get(&format!("/api/v1/runs/{run}"), Some("admin")).await;
        assert_eq!(head["run"]["revision"], 1, "{head}");
        assert_eq!(answered["answered_late"], true);
        assert_eq!(answered["corrected_facts"]["public-service-culture"], "14");
        let (status, body) = put(&s, &answer, "admin", json!({"outcome": "rejected", "reason": "x"})).await;
        assert_eq!(status, StatusCode::CONFLICT, "answered once: {body}");
        let (status, body) = s
            .put_bytes(&evidence("late.pdf"), Some(&clerk), "application/pdf", b"%PDF".to_vec())
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        // Past its window, no appeal is filed.
        sqlx::query("UPDATE notices SET appeal_until = '2026-01-02' WHERE id = $1")
            .bind(notice["id"].as_i64().unwrap())
            .execute(s.registry.store().pool())
            .await
            .unwrap();
        let (status, body) = s
            .post_json(&appeal_path, Some(&clerk), json!({"contested": ["public-service-culture"], "text": "x"}))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(body["detail"].as_str().unwrap().contains("closed on 2026-01-02"), "{body}");
        let (_, audit) = s.get("/api/v1/audit?limit=1000", Some("admin")).await;
        let actions: Vec<&str> = audit.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        for a in ["decide", "appeal-file", "appeal-evidence", "appeal-answer", "correct", "result-correct"] {
            assert!(actions.contains(&a), "{a}");
        }

        // On the dashboard: listed on their page, read on its own.
        let (status, _, me) = s.call(Method::GET, "/me", Some(&clerk), None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(me.as_str().unwrap().contains(&format!("href=\"/notices/{}\"", notice["id"])));
        let (status, _, shown) = s
            .call(Method::GET, &format!("/notices/{}", notice["id"]), Some(&clerk), None)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(shown.as_str().unwrap().contains(&format!("data-grade=\"{}\"", grade.as_str().unwrap())));
        let (status, _) = s.get(&format!("/api/v1/subjects/{COLLEAGUE}/notices"), Some(&clerk)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = s.get(&format!("/api/v1/subjects/{CLERK}/notices"), Some("viewer")).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // The official forms: the clerk's own, printable and as XLSX, with
        // the stored numbers; the centre's report, to its admin.
        // (As the correction left them: the culture points at 14.)
        let (_, mine) = s
            .get(&format!("/api/v1/runs/{run}/results?unit={CENTRE}&per_page=20"), Some(&clerk))
            .await;
        let corrected = mine["results"].as_array().unwrap().iter().find(|r| r["subject"] == CLERK).unwrap();
        assert_eq!(corrected["facts"]["public-service-culture"], 140_000, "{corrected}");
        let grade = &corrected["grade"];
        let total = thuocdo_sdk::Fixed::from_raw(corrected["total"].as_i64().unwrap()).to_string();
        let (status, _, form) = s
            .call(Method::GET, &format!("/runs/{run}/people/{CLERK}/form"), Some(&clerk), None)
            .await;
        assert_eq!(status, StatusCode::OK);
        let form = form.as_str().unwrap();
        assert!(form.contains(&format!("<strong id=\"form-total\">{total}</strong>")), "{form}");
        assert!(form.contains(&format!("id=\"form-decision\" data-grade=\"{}\"", grade.as_str().unwrap())));
        assert!(form.contains("Hai lần chậm trả lời"), "the manager's comment is on the form");
        let sheet = xlsx_sheet(&s, &format!("/runs/{run}/people/{CLERK}/form.xlsx"), &clerk).await;
        assert!(sheet.contains(&format!("<v>{total}</v>")), "{sheet}");
        assert_eq!(
            page_status(&s, &format!("/runs/{run}/people/{COLLEAGUE}/form"), &clerk).await,
            404,
            "a colleague's form is not the clerk's"
        );
        let (status, _, report) = s
            .call(Method::GET, &format!("/runs/{run}/units/{CENTRE}/report"), Some("admin"), None)
            .await;
        assert_eq!(status, StatusCode::OK);
        let report = report.as_str().unwrap();
        assert!(report.contains("Hoàn thành tốt nhiệm vụ"));
        // The counts are the unit's aggregates, the same to every reader.
        let counts = |page: &str| {
            let from = page.find("id=\"report-counts\"").unwrap();
            page[from..from + page[from..].find("</table>").unwrap()].to_string()
        };
        let (_, _, public) = s
            .call(Method::GET, &format!("/runs/{run}/units/{CENTRE}/report"), None, None)
            .await;
        assert_eq!(counts(report), counts(public.as_str().unwrap()));
        let sheet = xlsx_sheet(&s, &format!("/runs/{run}/units/{CENTRE}/report.xlsx"), "admin").await;
        assert!(sheet.contains(&format!("<v>{total}</v>")), "{sheet}");

        // Only an official run in force is decided from.
        let draft_run = complete_run_of(&s, PERIOD).await;
        let (status, body) = s
            .post_json(&format!("/api/v1/runs/{draft_run}/decisions"), Some("admin"), json!({"unit": CENTRE}))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(body["detail"].as_str().unwrap().contains("not an official run in force"), "{body}");
        s.stop().await;
    });
}

/// The procedure in Chromium through the dashboard's forms: the clerk signs
/// in with their link and self-assesses; the director's office records the
/// collective's comments and assesses with a difference (refused until it
/// says why); the centre's page shows the gap and a colleague's overdue
/// step; the run then scores the director's points.
#[test]
fn the_procedure_through_the_dashboard_in_a_real_browser() {
    runtime().block_on(async {
        let Some(b) = crate::browser::Browser::start("the_procedure_through_the_dashboard").await
        else {
            return;
        };
        let s = crate::support::serve("web-assessment").await;
        let base = s.base.clone();
        let (status, body) = put(
            &s,
            &format!("/api/v1/units/{CENTRE}/assessment-calendar/quarter"),
            "admin",
            json!({"steps": {"self-assessment": "+5", "collective": "+8", "direct-manager": "+10"}}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, codes) = s
            .post_json("/api/v1/sign-in-codes", Some("admin"), json!({"subjects": [CLERK]}))
            .await;
        assert_eq!(status, StatusCode::OK, "{codes}");
        let code = codes[0]["code"].as_str().unwrap().to_string();
        let (director, _) = tokens::create(
            s.registry.store(),
            "test",
            "director",
            &Role::Assessor {
                unit: CENTRE.into(),
            },
        )
        .await
        .unwrap();

        // The clerk follows their link: the code is filled in; signing in
        // takes them to their own assessments.
        b.goto(&format!("{base}/welcome?code={code}")).await;
        let field = b.wait_for("#code").await;
        assert_eq!(b.attr(&field, "value").await.as_deref(), Some(code.as_str()));
        b.click("#submit").await;
        b.wait_url("/me").await;
        assert!(b.text_of("#signed-in").await.contains("person"));
        b.type_into("#period", PERIOD).await;
        b.click("#open-period").await;
        b.wait_for("#form-self").await;
        assert_eq!(b.attr(&b.one("#state").await.unwrap(), "data-state").await.as_deref(), Some("open"));
        assert!(b.one("#form-collective").await.is_none(), "not the clerk's step");
        b.type_into("#form-self input[name='points.public-service-culture']", "14").await;
        b.type_into("#form-self input[name='points.regulation-compliance']", "15").await;
        b.type_into("#form-self textarea[name='review']", "Trả kết quả đúng hạn cả quý.").await;
        b.click("#form-self button").await;
        b.wait_for("#state[data-state='self-assessed']").await;
        assert!(b.one("#form-self").await.is_some(), "still theirs to correct");
        b.screenshot("assessment-self").await;
        b.click("#sign-out").await;
        b.wait_for("#sign-in").await;

        // The director's office: the collective's comments, then the
        // director's points, which differ on culture.
        b.goto(&format!("{base}/login?back=/assessments/{CLERK}/{PERIOD}")).await;
        b.type_into("#token", &director).await;
        b.click("#submit").await;
        b.wait_for("#form-collective").await;
        b.type_into("#form-collective input[name='date']", "2026-01-05").await;
        b.type_into("#form-collective textarea[name='attended']", "Nguyễn Văn An\nTrần Thị Bình\nLê Văn Cường").await;
        b.type_into("#form-collective textarea[name='text']", "Tập thể thống nhất với bản tự đánh giá.").await;
        b.type_into("#form-collective input[name='votes_for']", "3").await;
        b.click("#form-collective button").await;
        b.wait_for("#state[data-state='collective-recorded']").await;
        assert!(b.text_of("#minutes").await.contains("2026-01-05"));
        let culture = "#form-manager input[name='points.public-service-culture']";
        b.clear(culture).await;
        b.type_into(culture, "12.5").await;
        b.click("#form-manager button").await;
        let problem = b.wait_for("#problem").await;
        assert!(b.text(&problem).await.contains("say why"), "{}", b.text(&problem).await);
        let _ = b.console_errors().await; // the 422 itself is logged
        // What was typed is kept.
        let kept = b.one(culture).await.unwrap();
        assert_eq!(b.attr(&kept, "value").await.as_deref(), Some("12.5"));
        b.type_into(
            "#form-manager input[name='comment.public-service-culture']",
            "Hai lần chậm trả lời tin nhắn của người dân.",
        )
        .await;
        b.click("#form-manager button").await;
        b.wait_for("#state[data-state='manager-assessed']").await;
        let row = b.one("#assessed-facts tr[data-fact='public-service-culture']").await.unwrap();
        let gap = b.within(&row, "td.gap").await;
        assert_eq!(b.text(&gap[0]).await, "-1.5");
        b.screenshot("assessment-manager").await;

        // The centre's page: the gap, and a colleague's overdue step.
        b.click("#unit-assessments").await;
        b.wait_for("table#unit-assessments").await;
        let clerk_row = b.one(&format!("tr[data-subject='{CLERK}']")).await.unwrap();
        assert_eq!(b.attr(&clerk_row, "data-state").await.as_deref(), Some("manager-assessed"));
        let gaps = b.within(&clerk_row, "td.gap").await;
        assert!(b.text(&gaps[0]).await.contains("-1.5"));
        let colleague_row = b.one(&format!("tr[data-subject='{COLLEAGUE}']")).await.unwrap();
        let overdue = b.within(&colleague_row, "td.overdue").await;
        let overdue = b.text(&overdue[0]).await;
        assert!(overdue.contains("tự đánh giá") || overdue.contains("Self-assessment"), "{overdue}");
        b.screenshot("assessment-unit").await;
        assert!(b.console_errors().await.is_empty());

        // The run scores what the director recorded.
        import_data_facts(&s, &[CLERK]).await;
        let run = complete_run_of(&s, PERIOD).await;
        let (_, page) = s
            .get(&format!("/api/v1/runs/{run}/results?unit={CENTRE}&per_page=20"), Some("admin"))
            .await;
        let scored = page["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["subject"] == CLERK)
            .unwrap()
            .clone();
        assert_eq!(scored["outcome"], "scored", "{scored}");
        assert_eq!(scored["facts"]["public-service-culture"], 125_000);
        let (status, body) = s
            .post_json(&format!("/api/v1/runs/{run}/publish"), Some("admin"), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");

        // The competent person decides from the centre's report.
        b.click("#sign-out").await;
        b.wait_for("#sign-in").await;
        let report = format!("/runs/{run}/units/{CENTRE}/report");
        b.goto(&format!("{base}/login?back={report}")).await;
        b.type_into("#token", &s.tokens["admin"]).await;
        b.click("#submit").await;
        b.wait_for("#form-decide").await;
        b.click("#form-decide button").await;
        // The page is posted and shown again at the same address: the cell
        // is read in one script each time, so no element goes stale.
        let grade = scored["grade"].as_str().unwrap().to_string();
        let script = format!(
            "var e = document.querySelector(\"tr[data-subject='{CLERK}'] td.decided\"); return e ? e.textContent : '';"
        );
        let mut shown = String::new();
        for _ in 0..200 {
            shown = b.execute(&script).await.as_str().unwrap_or_default().to_string();
            if !shown.is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(shown, grade);
        b.screenshot("assessment-report").await;
        b.click("#sign-out").await;
        b.wait_for("#sign-in").await;

        // The clerk, with a new code, reads the notice and appeals the
        // culture indicator.
        let (_, codes) = s
            .post_json("/api/v1/sign-in-codes", Some("admin"), json!({"subjects": [CLERK]}))
            .await;
        b.goto(&format!("{base}/welcome?code={}", codes[0]["code"].as_str().unwrap())).await;
        b.wait_for("#code").await;
        b.click("#submit").await;
        let link = b.wait_for("#my-notices a").await;
        b.click_element(&link).await;
        b.wait_for("#form-appeal").await;
        assert_eq!(b.attr(&b.one("#notice-grade").await.unwrap(), "data-grade").await.as_deref(), Some(grade.as_str()));
        b.click("#form-appeal input[value='public-service-culture']").await;
        b.type_into("#form-appeal textarea[name='text']", "Tin nhắn chậm do mạng lỗi.").await;
        b.click("#form-appeal button").await;
        b.wait_for("#appeal-state[data-state='filed']").await;
        // With a scanned letter, chosen in the form; a file that is no PDF,
        // PNG or JPEG is refused on the page, naming why.
        let dir = std::env::temp_dir().join(format!("thuocdo-evidence-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let letter = dir.join("letter.pdf");
        std::fs::write(&letter, b"%PDF-1.4\n% thuocdo test\n").unwrap();
        let fake = dir.join("notes.pdf");
        std::fs::write(&fake, b"<html>not a pdf</html>").unwrap();
        b.type_into("#form-evidence input[name='file']", fake.to_str().unwrap()).await;
        b.click("#form-evidence button").await;
        b.wait_for("#problem").await;
        assert!(b.text_of("#problem").await.contains("first bytes"));
        let _ = b.console_errors().await; // the 422 itself is logged
        b.type_into("#form-evidence input[name='file']", letter.to_str().unwrap()).await;
        b.click("#form-evidence button").await;
        b.wait_for("#appeal-evidence").await;
        assert!(b.text_of("#appeal-evidence").await.contains("letter.pdf (application/pdf"));
        std::fs::remove_dir_all(&dir).unwrap();
        let notice_url = b.url().await;
        b.click("#sign-out").await;
        b.wait_for("#sign-in").await;

        // The admin upholds it with the corrected fact.
        let path = notice_url.trim_start_matches(&base).to_string();
        b.goto(&format!("{base}/login?back={path}")).await;
        b.type_into("#token", &s.tokens["admin"]).await;
        b.click("#submit").await;
        b.wait_for("#form-answer").await;
        b.click("#form-answer input[value='upheld']").await;
        b.type_into("#form-answer textarea[name='reason']", "Có xác nhận lỗi mạng.").await;
        b.type_into("#form-answer textarea[name='facts']", "public-service-culture=14").await;
        // Previewed first: the clerk's result is what would change.
        b.click("#answer-preview-button").await;
        b.wait_for("#answer-preview[data-changed='1']").await;
        assert!(b.one(&format!("#preview-changed tr[data-subject='{CLERK}']")).await.is_some());
        assert_eq!(s.registry.store().run(run).await.unwrap().unwrap().revision, 0, "a preview writes nothing");
        b.click("#form-answer button:not([name])").await;
        b.wait_for("#appeal-state[data-state='upheld']").await;
        assert!(b.text_of("#appeal-facts").await.contains("public-service-culture = 14"));
        // Upheld, the run is corrected: the clerk's result changed, and a
        // new notice tells them so.
        b.wait_for("#appeal-correction[data-revision='1']").await;
        assert!(b.one(&format!("#appeal-changed tr[data-subject='{CLERK}']")).await.is_some());
        b.screenshot("assessment-appeal").await;
        let (_, notices) = s.get(&format!("/api/v1/subjects/{CLERK}/notices"), Some("admin")).await;
        let newest = notices.as_array().unwrap().iter().max_by_key(|n| n["id"].as_i64()).unwrap();
        assert_eq!(newest["correction"]["revision"], 1, "{newest}");
        b.goto(&format!("{base}/notices/{}", newest["id"])).await;
        b.wait_for("#notice-correction[data-revision='1']").await;
        b.screenshot("assessment-corrected-notice").await;
        // The corrected run re-derives without a difference, and the audit
        // log holds every step of the procedure.
        let verified = thuocdo_host::scoring::verify(&s.registry, run, Default::default()).await.unwrap();
        assert_eq!(verified.differences, []);
        let log = s.registry.store().audit_log().await.unwrap();
        for step in [
            "assess-self-assessment", "assess-collective", "assess-direct-manager", "decide", "appeal-file",
            "appeal-evidence", "appeal-answer", "result-correct", "correct",
        ] {
            assert!(log.iter().any(|e| e.action == step), "{step} is in the audit log");
        }
        assert!(b.console_errors().await.is_empty());
        b.quit().await;
        s.stop().await;
    });
}

/// A real SMTP server for one test: Debian's aiosmtpd writing what it
/// receives into a Maildir; stopped when dropped.
struct SmtpSink {
    child: std::process::Child,
    port: u16,
    dir: std::path::PathBuf,
}

impl SmtpSink {
    fn start(test: &str) -> Option<SmtpSink> {
        let python = "/usr/bin/python3";
        let ok = std::process::Command::new(python)
            .args(["-c", "import aiosmtpd"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !ok {
            crate::support::unavailable(
                "smtp",
                test,
                "an SMTP server: apt-get install python3-aiosmtpd",
            );
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = std::env::temp_dir().join(format!("thuocdo-smtp-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let child = std::process::Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(dir.join("box"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let sink = SmtpSink { child, port, dir };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(sink);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("aiosmtpd did not listen on {port}");
    }

    /// Every message received, as written.
    fn messages(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.dir.join("box").join("new")) else {
            return Vec::new();
        };
        entries
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A message's body, its transfer encoding undone.
fn mail_body(message: &str) -> String {
    let (head, body) = message.split_once("\n\n").unwrap_or((message, ""));
    if head.contains("Content-Transfer-Encoding: base64") {
        let joined: String = body.split_whitespace().collect();
        return String::from_utf8(crate::browser::base64_decode(&joined)).unwrap();
    }
    if !head.contains("Content-Transfer-Encoding: quoted-printable") {
        return body.to_string();
    }
    let soft = body.replace("=\r\n", "").replace("=\n", "");
    let bytes = soft.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// Deciding mails the notice to the address the person gave: a first try
/// against a relay that is down is recorded and retried; the message then
/// reaches a real SMTP server, which is read back.
#[test]
fn a_decided_notice_is_mailed_and_its_delivery_recorded() {
    runtime().block_on(async {
        let test = "a_decided_notice_is_mailed_and_its_delivery_recorded";
        let Some(sink) = SmtpSink::start(test) else {
            return;
        };
        let s = start("mail").await;
        let (clerk, _) = tokens::create(
            s.registry.store(),
            "test",
            "clerk",
            &Role::Person {
                subject: CLERK.into(),
            },
        )
        .await
        .unwrap();
        let (status, body) = put(
            &s,
            &format!("/api/v1/subjects/{CLERK}/email"),
            &clerk,
            json!({"email": "not an address"}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (status, body) = put(
            &s,
            &format!("/api/v1/subjects/{CLERK}/email"),
            &clerk,
            json!({"email": "an.tran@phuong2.hagiang.gov.vn"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // The clerk's whole quarter, the assessed facts imported as well.
        let mut csv = String::from("subject_id,period,fact,value,source\n");
        let row =
            sqlx::query("SELECT facts FROM fact_sheets WHERE subject = $1 AND period = '2025-Q3'")
                .bind(CLERK)
                .fetch_one(s.registry.store().pool())
                .await
                .unwrap();
        let facts: std::collections::BTreeMap<String, i64> =
            serde_json::from_str(&sqlx::Row::try_get::<String, _>(&row, "facts").unwrap()).unwrap();
        for (name, raw) in facts {
            csv.push_str(&format!(
                "{CLERK},{PERIOD},{name},{},paper\n",
                thuocdo_sdk::Fixed::from_raw(raw)
            ));
        }
        let (status, body) = s
            .post_bytes("/api/v1/facts", Some("admin"), "text/csv", csv.into_bytes())
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let run = complete_run_of(&s, PERIOD).await;
        s.post_json(
            &format!("/api/v1/runs/{run}/publish"),
            Some("admin"),
            json!({}),
        )
        .await;
        let (status, decided) = s
            .post_json(
                &format!("/api/v1/runs/{run}/decisions"),
                Some("admin"),
                json!({"subjects": [CLERK]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{decided}");
        let grade = decided["decided"][0]["grade"].as_str().unwrap().to_string();
        let (_, notices) = s
            .get(&format!("/api/v1/subjects/{CLERK}/notices"), Some(&clerk))
            .await;
        assert_eq!(notices[0]["delivery"], "queued");

        // The relay is down: the attempt is recorded, to be tried again.
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let down = thuocdo_host::mail::MailConfig::parse(
            &format!("smtp://127.0.0.1:{closed}"),
            "thuocdo <no-reply@thuocdo.local>",
        )
        .unwrap();
        let sent = thuocdo_host::mail::deliver_due(s.registry.store(), &down)
            .await
            .unwrap();
        assert_eq!(sent, 0);
        let (_, notices) = s
            .get(&format!("/api/v1/subjects/{CLERK}/notices"), Some(&clerk))
            .await;
        assert!(
            notices[0]["delivery"]
                .as_str()
                .unwrap()
                .starts_with("queued: "),
            "{}",
            notices[0]
        );
        // Not due again yet; once it is, it goes through.
        let up = thuocdo_host::mail::MailConfig::parse(
            &format!("smtp://127.0.0.1:{}", sink.port),
            "thuocdo <no-reply@thuocdo.local>",
        )
        .unwrap();
        assert_eq!(
            thuocdo_host::mail::deliver_due(s.registry.store(), &up)
                .await
                .unwrap(),
            0
        );
        sqlx::query("UPDATE mail_outbox SET next_at = 0")
            .execute(s.registry.store().pool())
            .await
            .unwrap();
        assert_eq!(
            thuocdo_host::mail::deliver_due(s.registry.store(), &up)
                .await
                .unwrap(),
            1
        );
        let (_, notices) = s
            .get(&format!("/api/v1/subjects/{CLERK}/notices"), Some(&clerk))
            .await;
        assert_eq!(notices[0]["delivery"], "sent");
        let messages = sink.messages();
        assert_eq!(messages.len(), 1);
        let message = &messages[0];
        assert!(
            message.contains("X-RcptTo: an.tran@phuong2.hagiang.gov.vn"),
            "{message}"
        );
        let body = mail_body(message);
        assert!(
            body.contains(&format!("Kết quả đánh giá, xếp loại kỳ {PERIOD}")),
            "{body}"
        );
        assert!(body.contains(&format!("({grade})")), "{body}");
        assert!(
            body.contains(&format!(
                "Hạn gửi kiến nghị: {}",
                notices[0]["appeal_until"].as_str().unwrap()
            )),
            "{body}"
        );
        // Sent once: nothing is due any more.
        assert_eq!(
            thuocdo_host::mail::deliver_due(s.registry.store(), &up)
                .await
                .unwrap(),
            0
        );
        s.stop().await;
    });
}

/// Every bad input of the procedure's routes is refused with the field at
/// fault, and nothing is written.
#[test]
fn bad_inputs_are_refused_naming_the_field() {
    runtime().block_on(async {
        let s = start("assessment-bad").await;
        let (_, audit_before) = s.get("/api/v1/audit?limit=1000", Some("admin")).await;
        for (bad, field) in [
            (json!([{"day": "2026-02-30", "kind": "holiday", "name": "x"}]), "[0].day"),
            (json!([{"day": "2025-01-01", "kind": "holiday", "name": "x"}]), "[0].day"),
            (json!([{"day": "2026-01-01", "kind": "holiday", "name": "x"}, {"day": "2026-01-01", "kind": "working", "name": "y"}]), "[1].day"),
            (json!([{"day": "2026-01-01", "kind": "break", "name": "x"}]), "[0].kind"),
            (json!([{"day": "2026-01-01", "kind": "holiday", "name": " "}]), "[0].name"),
        ] {
            let (status, body) = put(&s, "/api/v1/calendar/2026", "admin", bad).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(body["field"], field, "{body}");
        }
        let (status, body) = s.get("/api/v1/calendar/20x6", None).await;
        assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("year")), "{body}");
        let (status, body) = put(
            &s,
            &format!("/api/v1/units/{CENTRE}/assessment-calendar/week"),
            "admin",
            json!({"steps": {"self-assessment": "+1"}}),
        )
        .await;
        assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("kind")), "{body}");
        let (status, body) = put(
            &s,
            &format!("/api/v1/units/{CENTRE}/assessment-calendar/year"),
            "admin",
            json!({"steps": {"approval": "+1"}}),
        )
        .await;
        assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("steps.approval")), "{body}");
        for bad in [json!({"unit": CENTRE, "subjects": [CLERK]}), json!({})] {
            let (status, body) = s.post_json("/api/v1/sign-in-codes", Some("admin"), bad).await;
            assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("body")), "{body}");
        }
        let (status, body) = s
            .get(&format!("/api/v1/subjects/{CLERK}/assessments/2025-13"), Some("admin"))
            .await;
        assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("period")), "{body}");
        let (status, body) = s
            .get(&format!("/api/v1/units/{CENTRE}/assessments?period=2025-Q4&limit=501"), Some("admin"))
            .await;
        assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("limit")), "{body}");
        let (status, body) = s.get("/api/v1/notices/abc", Some("admin")).await;
        assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("id")), "{body}");
        let (status, body) = s.get("/api/v1/appeals/0", Some("admin")).await;
        assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("id")), "{body}");
        // A decision names a unit or subjects, one or the other.
        let run = complete_run_of(&s, "2025-09").await;
        s.post_json(&format!("/api/v1/runs/{run}/publish"), Some("admin"), json!({}))
            .await;
        let (_, audit_published) = s.get("/api/v1/audit?limit=1000", Some("admin")).await;
        for bad in [json!({"unit": CENTRE, "subjects": [CLERK]}), json!({})] {
            let (status, body) = s
                .post_json(&format!("/api/v1/runs/{run}/decisions"), Some("admin"), bad)
                .await;
            assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("body")), "{body}");
        }
        // Nothing was written but the run and its publication.
        let (_, audit_after) = s.get("/api/v1/audit?limit=1000", Some("admin")).await;
        assert_eq!(audit_after, audit_published);
        assert!(audit_published.as_array().unwrap().len() > audit_before.as_array().unwrap().len());
        let days: i64 = sqlx::Row::try_get(
            &sqlx::query("SELECT COUNT(*) AS n FROM calendar_days").fetch_one(s.registry.store().pool()).await.unwrap(),
            "n",
        )
        .unwrap();
        assert_eq!(days, 0);
        s.stop().await;
    });
}
