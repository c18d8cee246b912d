//! Corrections on every database: an upheld appeal corrects the official
//! run in place — the person's result, a colleague the quota now demotes,
//! each told in a new notice — the run's revision rises, `verify` finds no
//! difference, and the audit log holds every step.

use std::collections::BTreeMap;

use thuocdo_host::access::{Actor, tokens};
use thuocdo_host::assessment::signin::{self, IssueCodes};
use thuocdo_host::assessment::{self, Error, Points};
use thuocdo_host::bundled::BUNDLED;
use thuocdo_host::org::Organisation;
use thuocdo_host::registry::Registry;
use thuocdo_host::scoring::{self, GradeCode, RunOptions};

use crate::db::on_every_database;

fn admin() -> Actor {
    Actor::admin("admin@thuocdo")
}

/// Facts or points by name, as typed.
pub fn points(pairs: &[(&str, &str)]) -> BTreeMap<String, Points> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), Points::Text(v.to_string())))
        .collect()
}

/// The admin decides from official run `run` the grades of `unit`'s people
/// or of `subjects`.
pub async fn decide(
    registry: &Registry,
    run: i64,
    unit: Option<&str>,
    subjects: &[&str],
) -> assessment::decide::Decided {
    assessment::decide::decide(
        registry,
        &admin(),
        run,
        &assessment::decide::Decide {
            unit: unit.map(str::to_string),
            subjects: subjects.iter().map(|s| s.to_string()).collect(),
        },
    )
    .await
    .unwrap()
}

/// Signs `subject` in with a fresh code: the person they become.
pub async fn signed_in(registry: &Registry, subject: &str) -> Actor {
    let codes = signin::issue(
        registry,
        &admin(),
        &IssueCodes {
            subjects: vec![subject.into()],
            unit: None,
        },
    )
    .await
    .unwrap();
    let signed = signin::sign_in(registry, &codes[0].code)
        .await
        .unwrap()
        .unwrap();
    assert!(
        signin::sign_in(registry, &codes[0].code)
            .await
            .unwrap()
            .is_none(),
        "a code works once"
    );
    tokens::authenticate(registry.store(), &signed.token)
        .await
        .unwrap()
        .unwrap()
}

/// The dashboard's answer to `method path` with `form` (URL-encoded), in
/// process, signed in with `token`: its status and body.
pub async fn dashboard(
    registry: &Registry,
    token: &str,
    method: &str,
    path: &str,
    form: &str,
) -> (u16, String) {
    let shared = std::sync::Arc::new(Registry::new(
        registry.store().clone(),
        registry.runtime_arc(),
    ));
    let router = thuocdo_host::app::router(thuocdo_host::app::AppState::new(shared));
    let request = axum::http::Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        // A form is taken only from this site: the host it is posted to.
        .header("host", "localhost")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(form.to_string()))
        .unwrap();
    let response = tower::ServiceExt::oneshot(router, request).await.unwrap();
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), 10 << 20)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// Eleven civil servants of one department on the Decree 335 card: cs-01
/// at 92 (excellent), cs-05 at 87 with two delays, nine at 89 (good).
/// Ten good allow two excellent: cs-01 keeps A.
async fn setup(registry: &Registry) {
    let card = BUNDLED
        .iter()
        .find(|b| b.crate_name == "civil-servant-decree-335")
        .unwrap();
    registry
        .publish(&admin(), card.wasm.to_vec())
        .await
        .unwrap();
    let subjects: Vec<serde_json::Value> = (1..=11)
        .map(|i| {
            serde_json::json!({"id": format!("cs-{i:02}"), "name": format!("Công chức {i}"),
                "unit": "phong", "post": "civil-servant"})
        })
        .collect();
    let org: Organisation = serde_json::from_value(serde_json::json!({
        "units": [{"code": "phong", "name": "Phòng Tổng hợp", "kind": "department"}],
        "posts": [{"code": "civil-servant", "title": "Chuyên viên", "task_group": "staff"}],
        "subjects": subjects,
        "assignments": [
            {"post_type": "civil-servant", "plugin": "moha/civil-servant-decree-335@^1", "unit": "phong", "from": "2025-01"}
        ]
    }))
    .unwrap();
    thuocdo_host::org::import(registry, &admin(), &org)
        .await
        .unwrap();
    let mut csv = String::from("subject_id,period,fact,value,source\n");
    for i in 1..=11 {
        let (criteria, delays) = match i {
            1 => (9, 1),
            5 => (9, 2),
            _ => (8, 1),
        };
        let s = format!("cs-{i:02}");
        for (fact, value) in [
            ("politics-ethics", criteria),
            ("working-style", criteria),
            ("discipline-responsibility", criteria),
            ("tasks-assigned", 40),
            ("tasks-completed", 40),
            ("major-errors", 0),
            ("delays", delays),
            ("disciplined", 0),
            ("degradation", 0),
            ("leader", 0),
            ("corruption-in-unit", 0),
            ("months-worked", 12),
            ("months-absent", 0),
            ("maternity-leave", 0),
        ] {
            csv.push_str(&format!("{s},2025,{fact},{value},test\n"));
        }
    }
    thuocdo_host::facts::import(registry, &admin(), "facts.csv", csv.as_bytes())
        .await
        .unwrap();
}

fn result<'a>(results: &'a [scoring::StoredResult], who: &str) -> &'a scoring::StoredResult {
    results.iter().find(|r| r.subject == who).unwrap()
}

#[test]
fn an_upheld_appeal_corrects_the_run_and_the_quota_demotes_a_colleague_who_is_told() {
    on_every_database(|registry| async move {
        setup(&registry).await;
        let run = scoring::run(&registry, &admin(), &RunOptions::period("2025"))
            .await
            .unwrap()
            .run;
        let before = scoring::results(&registry, run).await.unwrap();
        assert_eq!(result(&before, "cs-01").grade, Some(GradeCode::A));
        assert_eq!(result(&before, "cs-05").total, Some(870_000));
        assert_eq!(result(&before, "cs-05").grade, Some(GradeCode::B));
        scoring::publish(&registry, &admin(), run).await.unwrap();
        let publication = registry.store().active_publication(run).await.unwrap();
        assert_eq!(publication.map(|p| p.1), Some(0));
        decide(&registry, run, Some("phong"), &[]).await;

        // cs-05 appeals their delays; the competent person upholds it:
        // none of the two delays was theirs.
        let person = signed_in(&registry, "cs-05").await;
        let notice = assessment::decide::notices(&registry, &person, "cs-05")
            .await
            .unwrap()
            .remove(0);
        assert!(notice.correction.is_none());
        let appeal = assessment::appeal::file(
            &registry,
            &person,
            notice.id,
            &assessment::appeal::FileAppeal {
                contested: vec!["delays".into()],
                text: "Hai lần chậm do đơn vị phối hợp.".into(),
            },
        )
        .await
        .unwrap();
        // A corrected fact outside its range, or not the card's, is named
        // and nothing is corrected.
        for (name, value, says) in [
            ("delays", "-1", "outside its range"),
            ("bonus", "1", "not a fact of the card"),
        ] {
            let e = assessment::appeal::answer(
                &registry,
                &admin(),
                appeal.id,
                &assessment::appeal::Answer {
                    outcome: "upheld".into(),
                    reason: "Có căn cứ.".into(),
                    facts: BTreeMap::from([(name.to_string(), Points::Text(value.into()))]),
                },
            )
            .await
            .unwrap_err();
            assert!(
                matches!(&e, Error::Invalid { field, why } if field == &format!("facts.{name}") && why.contains(says)),
                "{e}"
            );
        }
        assert_eq!(scoring::run_head(&registry, run).await.unwrap().revision, 0);

        // Before confirming, the competent person reads what it would
        // change: the appellant and the colleague the quota would demote.
        let preview = assessment::appeal::preview(
            &registry,
            &admin(),
            appeal.id,
            &assessment::appeal::PreviewFacts {
                facts: points(&[("delays", "0")]),
            },
        )
        .await
        .unwrap();
        let would: Vec<(&str, Option<&str>)> = preview
            .changed
            .iter()
            .map(|c| (c.subject.as_str(), c.grade.as_deref()))
            .collect();
        assert_eq!(would, [("cs-01", Some("B")), ("cs-05", Some("A"))]);
        assert_eq!(scoring::run_head(&registry, run).await.unwrap().revision, 0);
        assert!(
            assessment::appeal::preview(
                &registry,
                &person,
                appeal.id,
                &assessment::appeal::PreviewFacts {
                    facts: points(&[("delays", "0")]),
                },
            )
            .await
            .is_err(),
            "the person does not preview their own answer"
        );
        // A preview names a bad fact as the answer does.
        let e = assessment::appeal::preview(
            &registry,
            &admin(),
            appeal.id,
            &assessment::appeal::PreviewFacts {
                facts: points(&[("delays", "many")]),
            },
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&e, Error::Invalid { field, .. } if field == "facts.delays"),
            "{e}"
        );

        let answered = assessment::appeal::answer(
            &registry,
            &admin(),
            appeal.id,
            &assessment::appeal::Answer {
                outcome: "upheld".into(),
                reason: "Chậm tiến độ do đơn vị phối hợp.".into(),
                facts: points(&[("delays", "0")]),
            },
        )
        .await
        .unwrap();
        let correction = answered.correction.unwrap();
        assert_eq!(correction.revision, 1);
        assert_eq!(correction.changed_count, 2);
        let changed: Vec<(&str, Option<&str>, Option<&str>)> = correction
            .changed
            .iter()
            .map(|c| {
                (
                    c.subject.as_str(),
                    c.was_grade.as_deref(),
                    c.grade.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            changed,
            [
                ("cs-01", Some("A"), Some("B")),
                ("cs-05", Some("B"), Some("A"))
            ]
        );

        // In the run: cs-05 at 97, excellent; nine good now allow one
        // excellent, and cs-01 (92) is the one the quota demotes.
        let after = scoring::results(&registry, run).await.unwrap();
        assert_eq!(result(&after, "cs-05").total, Some(970_000));
        assert_eq!(result(&after, "cs-05").grade, Some(GradeCode::A));
        assert_eq!(result(&after, "cs-01").computed_grade, Some(GradeCode::A));
        assert_eq!(result(&after, "cs-01").grade, Some(GradeCode::B));
        assert_eq!(
            result(&after, "cs-01").cohort_rule.as_deref(),
            Some("excellent-quota")
        );
        for r in &after {
            if !["cs-01", "cs-05"].contains(&r.subject.as_str()) {
                assert_eq!(r, result(&before, &r.subject), "{} is as it was", r.subject);
            }
        }
        let record = scoring::run_record(&registry, run).await.unwrap();
        assert_eq!(record.revision, 1);
        let summary = record.summary.unwrap();
        assert_eq!(summary.grades.get("A"), Some(&1));
        assert_eq!(summary.grades.get("B"), Some(&10));
        assert_eq!(summary.demoted, 1);
        let publication = registry.store().active_publication(run).await.unwrap();
        assert_eq!(publication.map(|p| p.1), Some(1));

        // Re-derived from what is stored: no difference.
        let verified = scoring::verify(&registry, run, Default::default())
            .await
            .unwrap();
        assert_eq!(verified.differences, []);
        assert_eq!(verified.checked, 11);

        // The corrected fact is the person's fact now, with the appeal as
        // its source: a new run of the period scores it the same.
        let sheets = registry.store().period_fact_sheets("2025").await.unwrap();
        let sheet: BTreeMap<String, i64> = serde_json::from_str(&sheets["cs-05"]).unwrap();
        assert_eq!(sheet["delays"], 0);

        // Both decisions follow, and each person is told.
        let store = registry.store();
        let decision = |who: &'static str| async move {
            store.decision(run, who).await.unwrap().unwrap().grade
        };
        assert_eq!(decision("cs-01").await, "B");
        assert_eq!(decision("cs-05").await, "A");
        let colleague = signed_in(&registry, "cs-01").await;
        let told = assessment::decide::notices(&registry, &colleague, "cs-01")
            .await
            .unwrap();
        assert_eq!(told.len(), 2);
        let newest = told.iter().max_by_key(|n| n.id).unwrap();
        assert_eq!(newest.grade, "B");
        let why = newest.correction.as_ref().unwrap();
        assert_eq!(
            (why.revision, why.subject.as_str(), why.was_grade.as_str()),
            (1, "cs-05", "A")
        );
        assert_eq!(why.appeal, Some(appeal.id));
        // The demoted colleague may appeal their corrected result.
        let theirs = assessment::appeal::file(
            &registry,
            &colleague,
            newest.id,
            &assessment::appeal::FileAppeal {
                contested: vec!["delays".into()],
                text: "Xin xem lại.".into(),
            },
        )
        .await
        .unwrap();
        assert_eq!(theirs.state, "filed");

        // The person reads their own change, not their colleague's.
        let own = assessment::appeal::get(&registry, &person, appeal.id)
            .await
            .unwrap()
            .correction
            .unwrap();
        assert_eq!(own.changed_count, 2);
        let seen: Vec<&str> = own.changed.iter().map(|c| c.subject.as_str()).collect();
        assert_eq!(seen, ["cs-05"]);

        // The audit log holds the answer, the correction and each changed
        // result.
        let log = registry.store().audit_log().await.unwrap();
        let acts: Vec<(&str, &str)> = log
            .iter()
            .filter(|e| ["appeal-answer", "correct", "result-correct"].contains(&e.action.as_str()))
            .map(|e| (e.action.as_str(), e.subject.as_str()))
            .collect();
        assert_eq!(
            acts,
            [
                ("appeal-answer", "cs-05"),
                ("result-correct", "cs-01"),
                ("result-correct", "cs-05"),
                ("correct", "cs-05"),
            ]
        );

        // The official view shows the corrected result with what it was.
        let (token, _) = tokens::create(
            registry.store(),
            "test",
            "admin",
            &thuocdo_host::access::Role::Admin,
        )
        .await
        .unwrap();
        let (status, page) = dashboard(
            &registry,
            &token,
            "GET",
            &format!("/runs/{run}/people/cs-01"),
            "",
        )
        .await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("<li data-revision=\"1\">"), "{page}");
        assert!(page.contains(": Trước đây A, 92"), "{page}");
        // A dashboard upload that is no file form is refused saying so.
        let (status, body) = dashboard(
            &registry,
            &token,
            "POST",
            &format!("/notices/{}/evidence", notice.id),
            "file=letter.pdf",
        )
        .await;
        assert_eq!(status, 400, "{body}");
        assert!(body.contains("multipart/form-data"), "{body}");

        // Answered once: a second answer is refused and changes nothing.
        let again = assessment::appeal::answer(
            &registry,
            &admin(),
            appeal.id,
            &assessment::appeal::Answer {
                outcome: "upheld".into(),
                reason: "Lại.".into(),
                facts: points(&[("delays", "1")]),
            },
        )
        .await
        .unwrap_err();
        assert!(matches!(again, Error::OutOfOrder(_)), "{again}");
        assert_eq!(scoring::run_head(&registry, run).await.unwrap().revision, 1);
    });
}

#[test]
fn appeal_windows_follow_the_category_of_the_post() {
    use thuocdo_host::assessment::appeal::{SetWindow, set_window, windows};
    use thuocdo_host::assessment::calendar::{Day, WorkCalendar};
    on_every_database(|registry| async move {
        setup(&registry).await;
        // The department's posts are public employees'; a second post names
        // no category.
        let org: Organisation = serde_json::from_value(serde_json::json!({
            "posts": [
                {"code": "civil-servant", "title": "Chuyên viên", "task_group": "staff", "category": "public-employee"},
                {"code": "driver", "title": "Lái xe", "task_group": "support"}
            ],
            "subjects": [{"id": "lx-01", "name": "Lái xe", "unit": "phong", "post": "driver"}]
        }))
        .unwrap();
        thuocdo_host::org::import(&registry, &admin(), &org)
            .await
            .unwrap();
        // A category that is no code is named, and nothing is imported.
        let bad: Organisation = serde_json::from_value(serde_json::json!({
            "posts": [{"code": "clerk", "title": "Văn thư", "task_group": "support", "category": "Viên chức"}]
        }))
        .unwrap();
        let e = thuocdo_host::org::import(&registry, &admin(), &bad)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("posts[0] (clerk): category `Viên chức` is not a code"),
            "{e}"
        );

        let set = |category: &'static str, appeal: i64, answer: i64| {
            let registry = &registry;
            async move {
                set_window(
                    registry,
                    &admin(),
                    category,
                    &SetWindow {
                        appeal_working_days: appeal,
                        answer_working_days: answer,
                    },
                )
                .await
            }
        };
        set("public-employee", 3, 7).await.unwrap();
        set("default", 8, 12).await.unwrap();
        // Bad windows are named; only an admin sets one.
        for (category, appeal, answer, field) in [
            ("Bad Category", 3, 7, "category"),
            ("default", 0, 7, "appeal_working_days"),
            ("default", 5, 91, "answer_working_days"),
        ] {
            match set(category, appeal, answer).await {
                Err(Error::Malformed { field: f, .. } | Error::Invalid { field: f, .. }) => {
                    assert_eq!(f, field)
                }
                other => panic!("{category} {appeal} {answer}: {other:?}"),
            }
        }
        let unit_admin = Actor {
            name: "so".into(),
            role: thuocdo_host::access::Role::UnitAdmin {
                unit: "phong".into(),
            },
        };
        assert!(matches!(
            set_window(
                &registry,
                &unit_admin,
                "default",
                &SetWindow {
                    appeal_working_days: 1,
                    answer_working_days: 1
                }
            )
            .await,
            Err(Error::Forbidden(_))
        ));
        let listed: Vec<(String, i64, i64)> = windows(&registry)
            .await
            .unwrap()
            .into_iter()
            .map(|w| (w.category, w.appeal_working_days, w.answer_working_days))
            .collect();
        assert_eq!(
            listed,
            [
                ("default".to_string(), 8, 12),
                ("public-employee".to_string(), 3, 7)
            ]
        );

        let run = scoring::run(&registry, &admin(), &RunOptions::period("2025"))
            .await
            .unwrap()
            .run;
        scoring::publish(&registry, &admin(), run).await.unwrap();
        decide(&registry, run, None, &["cs-02"]).await;
        let today = Day::at_millis(thuocdo_host::store::now_millis());
        let calendar = WorkCalendar::default();
        let person = signed_in(&registry, "cs-02").await;
        let notice = assessment::decide::notices(&registry, &person, "cs-02")
            .await
            .unwrap()
            .remove(0);
        assert_eq!(
            notice.appeal_until,
            calendar.add_working_days(today, 3).to_string()
        );
        let appeal = assessment::appeal::file(
            &registry,
            &person,
            notice.id,
            &assessment::appeal::FileAppeal {
                contested: vec!["delays".into()],
                text: "Xin xem lại.".into(),
            },
        )
        .await
        .unwrap();
        assert_eq!(
            appeal.answer_due,
            calendar.add_working_days(today, 7).to_string()
        );
        let windows_of = |who: &'static str| {
            let registry = &registry;
            async move {
                thuocdo_host::assessment::appeal::window_of(registry, who)
                    .await
                    .unwrap()
            }
        };
        // The driver's post names no category: the default window.
        assert_eq!(windows_of("lx-01").await.appeal, 8);
        assert_eq!(windows_of("lx-01").await.answer, 12);
    });
}

#[test]
fn a_tie_at_the_quotas_boundary_waits_for_the_competent_persons_choice() {
    use thuocdo_host::assessment::ties::{self, Choose};
    on_every_database(|registry| async move {
        registry
            .publish(
                &admin(),
                std::fs::read(thuocdo_tests::fixtures::TIED_QUOTA).unwrap(),
            )
            .await
            .unwrap();
        let mut subjects = vec![
            serde_json::json!({"id": "t-1", "name": "Một", "unit": "so", "post": "officer"}),
            serde_json::json!({"id": "t-2", "name": "Hai", "unit": "so", "post": "officer"}),
        ];
        let mut csv = String::from(
            "subject_id,period,fact,value,source\nt-1,2025,rate,95,test\nt-2,2025,rate,95,test\n",
        );
        for i in 1..=5 {
            subjects.push(
                serde_json::json!({"id": format!("b-{i}"), "name": format!("Người {i}"),
                "unit": "so", "post": "officer"}),
            );
            csv.push_str(&format!("b-{i},2025,rate,80,test\n"));
        }
        let org: Organisation = serde_json::from_value(serde_json::json!({
            "units": [{"code": "so", "name": "Sở", "kind": "agency"}],
            "posts": [{"code": "officer", "title": "Chuyên viên", "task_group": "staff"}],
            "subjects": subjects,
            "assignments": [
                {"post_type": "officer", "plugin": "test/tied-quota@^1", "unit": "so", "from": "2025-01"}
            ]
        }))
        .unwrap();
        thuocdo_host::org::import(&registry, &admin(), &org)
            .await
            .unwrap();
        thuocdo_host::facts::import(&registry, &admin(), "facts.csv", csv.as_bytes())
            .await
            .unwrap();
        let run = scoring::run(&registry, &admin(), &RunOptions::period("2025"))
            .await
            .unwrap()
            .run;
        // Five good allow one excellent; t-1 and t-2 tie at 9.5 for it:
        // both wait, demoted, until the competent person chooses.
        let before = scoring::results(&registry, run).await.unwrap();
        for who in ["t-1", "t-2"] {
            let r = result(&before, who);
            assert_eq!(
                (r.computed_grade, r.grade),
                (Some(GradeCode::A), Some(GradeCode::B))
            );
        }
        assert!(matches!(
            ties::list(&registry, &admin(), 999_999).await,
            Err(Error::NotFound(_))
        ));
        let open = ties::list(&registry, &admin(), run).await.unwrap();
        assert_eq!(open.len(), 1);
        let tie = &open[0];
        assert_eq!(
            (
                tie.tie.rule.as_str(),
                tie.tie.cohort.as_str(),
                tie.tie.slots,
                tie.tie.total
            ),
            ("excellent-quota", "so · staff", 1, 95_000)
        );
        assert_eq!(tie.tie.tied, ["t-1", "t-2"]);
        assert!(tie.kept.is_none());
        scoring::publish(&registry, &admin(), run).await.unwrap();
        let decided = decide(&registry, run, Some("so"), &[]).await;
        assert_eq!(decided.decided.len(), 5);
        let waiting: Vec<&str> = decided
            .undecided
            .iter()
            .map(|u| u.subject.as_str())
            .collect();
        assert_eq!(waiting, ["t-1", "t-2"]);
        assert!(
            decided.undecided[0]
                .why
                .contains("tied at a quota's boundary")
        );

        let choose = |keep: &[&str], reason: &str| Choose {
            rule: "excellent-quota".into(),
            cohort: "so · staff".into(),
            keep: keep.iter().map(|k| k.to_string()).collect(),
            reason: reason.into(),
        };
        for (body, field) in [
            (choose(&["t-1", "t-2"], "Cả hai"), "keep"),
            (choose(&["b-1"], "Không bằng điểm"), "keep[0]"),
            (choose(&["t-2"], " "), "reason"),
        ] {
            match ties::choose(&registry, &admin(), run, &body).await {
                Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{field}: {other:?}"),
            }
        }
        let mut unknown = choose(&["t-2"], "x");
        unknown.cohort = "so · other".into();
        assert!(matches!(
            ties::choose(&registry, &admin(), run, &unknown).await,
            Err(Error::NotFound(_))
        ));
        let viewer = Actor {
            name: "viewer".into(),
            role: thuocdo_host::access::Role::Viewer,
        };
        assert!(matches!(
            ties::choose(&registry, &viewer, run, &choose(&["t-2"], "x")).await,
            Err(Error::Forbidden(_))
        ));
        assert_eq!(scoring::run_head(&registry, run).await.unwrap().revision, 0);

        // The competent person chooses on the unit's report: the tie is
        // offered there, with the tied and the places.
        let (token, _) = tokens::create(
            registry.store(),
            "test",
            "admin",
            &thuocdo_host::access::Role::Admin,
        )
        .await
        .unwrap();
        let report_path = format!("/runs/{run}/units/so/report");
        let (status, report) = dashboard(&registry, &token, "GET", &report_path, "").await;
        assert_eq!(status, 200, "{report}");
        assert!(report.contains("data-cohort=\"so · staff\""), "{report}");
        assert!(report.contains("name=\"keep\" value=\"t-2\""), "{report}");
        let form = "rule=excellent-quota&cohort=so%20%C2%B7%20staff&keep=t-2&reason=S%C3%A1ng%20ki%E1%BA%BFn%20%C4%91%C6%B0%E1%BB%A3c%20c%C3%B4ng%20nh%E1%BA%ADn%20c%E1%BA%A5p%20t%E1%BB%89nh";
        let (status, _) = dashboard(
            &registry,
            &token,
            "POST",
            &format!("/runs/{run}/units/so/ties"),
            form,
        )
        .await;
        assert_eq!(status, 303);
        let (_, report) = dashboard(&registry, &token, "GET", &report_path, "").await;
        assert!(
            !report.contains("data-cohort="),
            "chosen, the tie is no longer offered"
        );
        assert_eq!(scoring::run_head(&registry, run).await.unwrap().revision, 1);
        let after = scoring::results(&registry, run).await.unwrap();
        assert_eq!(result(&after, "t-2").grade, Some(GradeCode::A));
        assert_eq!(result(&after, "t-2").cohort_rule, None);
        assert_eq!(result(&after, "t-1").grade, Some(GradeCode::B));
        assert_eq!(
            result(&after, "t-1").cohort_rule.as_deref(),
            Some("excellent-quota")
        );
        let listed = ties::list(&registry, &admin(), run).await.unwrap();
        assert_eq!(listed[0].kept.as_deref(), Some(&["t-2".to_string()][..]));
        assert_eq!(
            listed[0].reason.as_deref(),
            Some("Sáng kiến được công nhận cấp tỉnh")
        );
        // Made once.
        assert!(matches!(
            ties::choose(&registry, &admin(), run, &choose(&["t-1"], "Đổi ý")).await,
            Err(Error::OutOfOrder(_))
        ));
        // Re-derived with the choice as recorded: no difference.
        let verified = scoring::verify(&registry, run, Default::default())
            .await
            .unwrap();
        assert_eq!(verified.differences, []);
        // Now the tied are decided, each with their grade.
        let decided = decide(&registry, run, None, &["t-1", "t-2"]).await;
        let grades: Vec<(&str, &str)> = decided
            .decided
            .iter()
            .map(|d| (d.subject.as_str(), d.grade.as_str()))
            .collect();
        assert_eq!(grades, [("t-1", "B"), ("t-2", "A")]);
        let log = registry.store().audit_log().await.unwrap();
        let choice = log.iter().find(|e| e.action == "tie-choose").unwrap();
        assert_eq!(choice.detail["keep"], serde_json::json!(["t-2"]));
    });
}

#[test]
fn a_corrected_month_corrects_the_year_drawn_from_it() {
    on_every_database(|registry| async move {
        for path in [
            thuocdo_tests::fixtures::VERSIONED_1_0_0,
            thuocdo_tests::fixtures::ANNUAL_FROM_MONTHS,
        ] {
            registry
                .publish(&admin(), std::fs::read(path).unwrap())
                .await
                .unwrap();
        }
        let org: Organisation = serde_json::from_value(serde_json::json!({
            "units": [{"code": "xa", "name": "Xã An Lâm", "kind": "commune"}],
            "posts": [{"code": "commune-chair", "title": "Chủ tịch", "task_group": "chairs"}],
            "subjects": [
                {"id": "c-1", "name": "Một", "unit": "xa", "post": "commune-chair"},
                {"id": "c-2", "name": "Hai", "unit": "xa", "post": "commune-chair"}
            ],
            "assignments": [
                {"post_type": "commune-chair", "plugin": "test/versioned@^1", "unit": "xa", "from": "2025-01"}
            ]
        }))
        .unwrap();
        thuocdo_host::org::import(&registry, &admin(), &org)
            .await
            .unwrap();
        // The year is the mean of the months: September alone here.
        registry
            .assign(
                &admin(),
                "commune-chair",
                "test/annual-from-months",
                "^1",
                "xa",
                "2024",
            )
            .await
            .unwrap();
        let csv = "subject_id,period,fact,value,source\nc-1,2025-09,rate,40,test\nc-2,2025-09,rate,95,test\n";
        thuocdo_host::facts::import(&registry, &admin(), "facts.csv", csv.as_bytes())
            .await
            .unwrap();
        let month = scoring::run(&registry, &admin(), &RunOptions::period("2025-09"))
            .await
            .unwrap()
            .run;
        scoring::publish(&registry, &admin(), month).await.unwrap();
        let year = scoring::run(&registry, &admin(), &RunOptions::period("2025"))
            .await
            .unwrap()
            .run;
        scoring::publish(&registry, &admin(), year).await.unwrap();
        let yearly = scoring::results(&registry, year).await.unwrap();
        assert_eq!(result(&yearly, "c-1").total, Some(40_000));
        let c2_before = result(&yearly, "c-2").clone();
        decide(&registry, year, None, &["c-1"]).await;
        decide(&registry, month, None, &["c-1"]).await;

        // c-1 appeals September's rate: 95, not 40.
        let person = signed_in(&registry, "c-1").await;
        let notices = assessment::decide::notices(&registry, &person, "c-1")
            .await
            .unwrap();
        let september = notices.iter().find(|n| n.period == "2025-09").unwrap();
        let appeal = assessment::appeal::file(
            &registry,
            &person,
            september.id,
            &assessment::appeal::FileAppeal {
                contested: vec!["rate".into()],
                text: "Nhập sai tỷ lệ.".into(),
            },
        )
        .await
        .unwrap();
        let facts = points(&[("rate", "95")]);
        // The preview lists the year too.
        let preview = assessment::appeal::preview(
            &registry,
            &admin(),
            appeal.id,
            &assessment::appeal::PreviewFacts {
                facts: facts.clone(),
            },
        )
        .await
        .unwrap();
        assert_eq!(preview.dependents.len(), 1);
        assert_eq!(
            (
                preview.dependents[0].run,
                preview.dependents[0].period.as_str()
            ),
            (year, "2025")
        );
        let would: Vec<(&str, Option<&str>)> = preview.dependents[0]
            .changed
            .iter()
            .map(|c| (c.subject.as_str(), c.grade.as_deref()))
            .collect();
        assert_eq!(would, [("c-1", Some("A"))]);
        assessment::appeal::answer(
            &registry,
            &admin(),
            appeal.id,
            &assessment::appeal::Answer {
                outcome: "upheld".into(),
                reason: "Nhập sai.".into(),
                facts,
            },
        )
        .await
        .unwrap();
        // The year follows: c-1's monthly mean is 9.5 now, in both runs'
        // revision 1, each re-derived without a difference.
        let yearly = scoring::results(&registry, year).await.unwrap();
        let c1 = result(&yearly, "c-1");
        assert_eq!(c1.total, Some(95_000));
        assert_eq!(
            c1.facts.as_ref().unwrap().get("monthly-mean").flatten(),
            Some(95_000)
        );
        assert_eq!(
            result(&yearly, "c-2"),
            &c2_before,
            "c-2's year is as it was"
        );
        for run in [month, year] {
            assert_eq!(scoring::run_head(&registry, run).await.unwrap().revision, 1);
            let verified = scoring::verify(&registry, run, Default::default())
                .await
                .unwrap();
            assert_eq!(verified.differences, [], "run {run}");
        }
        // c-1's yearly decision follows, and they are told of it.
        assert_eq!(
            registry
                .store()
                .decision(year, "c-1")
                .await
                .unwrap()
                .unwrap()
                .grade,
            "A"
        );
        let told = assessment::decide::notices(&registry, &person, "c-1")
            .await
            .unwrap();
        let newest_year = told
            .iter()
            .filter(|n| n.period == "2025")
            .max_by_key(|n| n.id)
            .unwrap();
        assert_eq!(newest_year.grade, "A");
        assert_eq!(
            newest_year
                .correction
                .as_ref()
                .map(|c| (c.revision, c.appeal)),
            Some((1, Some(appeal.id)))
        );
        // A fact drawn from other results is never typed in: the month it
        // comes from is what is corrected.
        let on_year = assessment::appeal::file(
            &registry,
            &person,
            newest_year.id,
            &assessment::appeal::FileAppeal {
                contested: vec!["monthly-mean".into()],
                text: "Xin xem lại.".into(),
            },
        )
        .await
        .unwrap();
        let e = assessment::appeal::answer(
            &registry,
            &admin(),
            on_year.id,
            &assessment::appeal::Answer {
                outcome: "upheld".into(),
                reason: "x".into(),
                facts: points(&[("monthly-mean", "10")]),
            },
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&e, Error::Invalid { field, why } if field == "facts.monthly-mean" && why.contains("drawn from other results")),
            "{e}"
        );
    });
}
