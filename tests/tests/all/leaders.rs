//! Contract 1.1: a card reading work products and the final results of the
//! people its subject leads, scored by the host after them; a cycle of
//! leadership refused by name.

use thuocdo_host::access::Actor;
use thuocdo_host::org::Organisation;
use thuocdo_host::registry::Registry;
use thuocdo_host::runtime::{
    Contract, EvaluationInput, FaultKind, LedMeasure, ProductFault, Runtime, Subject, WorkProduct,
};
use thuocdo_host::scoring::{self, GradeCode, RunOptions};
use thuocdo_host::whatif::{CompareOptions, WhatIfConfig, WhatIfs};
use thuocdo_tests::fixtures;

use crate::db::on_every_database;

fn admin() -> Actor {
    Actor::admin("admin@thuocdo")
}

fn product(id: &str, coefficient: i64, faults: &[bool]) -> WorkProduct {
    WorkProduct {
        id: id.into(),
        kind: "report".into(),
        coefficient,
        assigned: 10_000,
        accepted: 10_000,
        deadline: Some("2025-09-20".into()),
        completed: Some("2025-09-18".into()),
        on_time: Some(true),
        faults: faults
            .iter()
            .map(|&objective_cause| ProductFault {
                kind: FaultKind::FailedCheck,
                objective_cause,
            })
            .collect(),
    }
}

#[test]
fn a_1_1_card_reads_products_and_led_results_and_says_its_world() {
    let runtime = Runtime::new().unwrap();
    let plugin = runtime
        .load(&std::fs::read(fixtures::LEADER_CARD).unwrap())
        .unwrap();
    assert_eq!(plugin.contract, Contract::V1_1);
    assert!(plugin.info.reads_products);
    let leave = plugin.info.facts.iter().find(|f| f.name == "leave-days");
    assert!(leave.is_some_and(|f| f.personal));
    let led = plugin
        .info
        .facts
        .iter()
        .find(|f| f.name == "led-not-completed")
        .unwrap();
    assert!(matches!(
        led.origin,
        thuocdo_host::runtime::FactOrigin::FromLedResults(LedMeasure::CountNotCompleted)
    ));
    // One product of coefficient 2 with one failed check of the servant's
    // own (75 % of its points) and one of coefficient 1 whose failed check
    // had an objective cause (all its points): (2 × 3 + 1 × 4) / (3 × 4) × 10.
    let input = EvaluationInput {
        subject: Subject {
            id: "head".into(),
            unit: "so".into(),
            position: "unit-head".into(),
        },
        period: "2025-09".into(),
        facts: vec![Some(90_000), Some(10_000), Some(30_000), None],
        products: vec![
            product("p-1", 20_000, &[false]),
            product("p-2", 10_000, &[true]),
        ],
    };
    let eval = runtime.evaluate(&plugin, &input).unwrap().answer.unwrap();
    let scores: Vec<i64> = eval.indicators.iter().map(|i| i.score).collect();
    // Own work 9; one of three led did not complete: half of 10; products 8.33.
    assert_eq!(scores, [90_000, 50_000, 83_300]);
    assert_eq!(eval.indicators[2].raw, Some(10_000));
    // Without products, the product indicator has no data, never zero by
    // silence.
    let bare = EvaluationInput {
        products: Vec::new(),
        ..input
    };
    let eval = runtime.evaluate(&plugin, &bare).unwrap().answer.unwrap();
    assert_eq!(
        eval.indicators[2].light,
        thuocdo_host::runtime::Light::NoData
    );
}

/// A department head leading the people of their unit and, as their direct
/// manager, one person of another unit; staff scored by test/versioned.
fn organisation(cycle: bool) -> Organisation {
    let head_manager = if cycle { Some("deputy") } else { None };
    serde_json::from_value(serde_json::json!({
        "units": [
            {"code": "so", "name": "Sở", "kind": "agency", "leader_posts": ["unit-head"]},
            {"code": "phong-b", "name": "Phòng B", "kind": "department", "parent": "so"}
        ],
        "posts": [
            {"code": "unit-head", "title": "Trưởng", "task_group": "heads", "products": [
                {"kind": "report", "title": "Báo cáo", "unit": "báo cáo", "coefficient": "2", "basis": "Decree 335/2025/ND-CP"},
                {"kind": "note", "title": "Tờ trình", "unit": "tờ trình", "coefficient": "1"}
            ]},
            {"code": "commune-chair", "title": "Nhân viên", "task_group": "staff"}
        ],
        "subjects": [
            {"id": "head", "name": "Trưởng", "unit": "so", "post": "unit-head", "manager": head_manager},
            {"id": "deputy", "name": "Phó", "unit": "so", "post": "unit-head", "manager": "head"},
            {"id": "s-1", "name": "Một", "unit": "so", "post": "commune-chair"},
            {"id": "s-2", "name": "Hai", "unit": "so", "post": "commune-chair"},
            {"id": "b-1", "name": "Ba", "unit": "phong-b", "post": "commune-chair", "manager": "head"},
            {"id": "b-2", "name": "Bốn", "unit": "phong-b", "post": "commune-chair"}
        ],
        "assignments": [
            {"post_type": "commune-chair", "plugin": "test/versioned@^1", "unit": "so", "from": "2025-01"},
            {"post_type": "unit-head", "plugin": "test/leader-card@^1", "unit": "so", "from": "2025-01"}
        ]
    }))
    .unwrap()
}

async fn facts(registry: &Registry, b1_rate: &str) {
    let csv = format!(
        "subject_id,period,fact,value,source\n\
         head,2025-09,own-work,9,test\ndeputy,2025-09,own-work,8,test\n\
         s-1,2025-09,rate,95,test\ns-2,2025-09,rate,80,test\n\
         b-1,2025-09,rate,{b1_rate},test\nb-2,2025-09,rate,10,test\n"
    );
    thuocdo_host::facts::import(registry, &admin(), "facts.csv", csv.as_bytes())
        .await
        .unwrap();
}

async fn setup(registry: &Registry, cycle: bool) {
    for path in [fixtures::VERSIONED_1_0_0, fixtures::LEADER_CARD] {
        registry
            .publish(&admin(), std::fs::read(path).unwrap())
            .await
            .unwrap();
    }
    thuocdo_host::org::import(registry, &admin(), &organisation(cycle))
        .await
        .unwrap();
}

/// `(unit-results score, led-not-completed, led-graded)` of a leader.
fn unit_results(results: &[scoring::StoredResult], who: &str) -> (i64, Option<i64>, Option<i64>) {
    let r = results.iter().find(|r| r.subject == who).unwrap();
    let facts = r.facts.as_ref().unwrap();
    (
        r.indicators[1].score,
        facts.get("led-not-completed").flatten(),
        facts.get("led-graded").flatten(),
    )
}

#[test]
fn a_leader_is_scored_after_the_people_they_lead_across_two_units() {
    on_every_database(|registry| async move {
        setup(&registry, false).await;
        // b-1, led through their manager in another unit, did not complete.
        facts(&registry, "40").await;
        let run = scoring::run(&registry, &admin(), &RunOptions::period("2025-09"))
            .await
            .unwrap();
        let results = scoring::results(&registry, run.run).await.unwrap();
        let grade = |who: &str| results.iter().find(|r| r.subject == who).unwrap().grade;
        assert_eq!(grade("b-1"), Some(GradeCode::D));
        // The deputy holds a leader post of the unit too: they lead its
        // people (not its other leaders), who all completed: full points.
        assert_eq!(
            unit_results(&results, "deputy"),
            (100_000, Some(0), Some(20_000))
        );
        // 8 + 10 + no products: 18 of 30, completed.
        assert_eq!(grade("deputy"), Some(GradeCode::C));
        // The head leads s-1 and s-2 (the unit), b-1 and the deputy (as
        // their manager) and is scored after the deputy: one of four did
        // not complete, so half the points.
        assert_eq!(
            unit_results(&results, "head"),
            (50_000, Some(10_000), Some(40_000))
        );
        // b-2 is nobody's: not counted.
        let verified = scoring::verify(&registry, run.run, Default::default())
            .await
            .unwrap();
        assert_eq!(verified.differences, []);

        // Now everyone the head leads completed: full points.
        facts(&registry, "95").await;
        let run = scoring::run(&registry, &admin(), &RunOptions::period("2025-09"))
            .await
            .unwrap();
        let results = scoring::results(&registry, run.run).await.unwrap();
        assert_eq!(
            unit_results(&results, "head"),
            (100_000, Some(0), Some(40_000))
        );
        // The fact the card marks personal is personal by default, though
        // its name says nothing of discipline.
        let personal = registry
            .personal_facts("test/leader-card", "1.1.0")
            .await
            .unwrap();
        assert_eq!(personal.facts, ["leave-days"]);
    });
}

#[test]
fn a_corrected_result_rescores_the_leader_of_its_person_who_is_told() {
    on_every_database(|registry| async move {
        use thuocdo_host::assessment;
        setup(&registry, false).await;
        facts(&registry, "40").await;
        let run = scoring::run(&registry, &admin(), &RunOptions::period("2025-09"))
            .await
            .unwrap()
            .run;
        scoring::publish(&registry, &admin(), run).await.unwrap();
        let before = scoring::results(&registry, run).await.unwrap();
        assert_eq!(
            unit_results(&before, "head"),
            (50_000, Some(10_000), Some(40_000))
        );
        crate::corrections::decide(&registry, run, None, &["b-1", "head", "deputy"]).await;
        let person = crate::corrections::signed_in(&registry, "b-1").await;
        let notice = assessment::decide::notices(&registry, &person, "b-1")
            .await
            .unwrap()
            .remove(0);
        assert_eq!(notice.grade, "D");
        let appeal = assessment::appeal::file(
            &registry,
            &person,
            notice.id,
            &assessment::appeal::FileAppeal {
                contested: vec!["rate".into()],
                text: "Tỷ lệ bị nhập sai.".into(),
            },
        )
        .await
        .unwrap();
        let answered = assessment::appeal::answer(
            &registry,
            &admin(),
            appeal.id,
            &assessment::appeal::Answer {
                outcome: "upheld".into(),
                reason: "Nhập sai: 95.".into(),
                facts: crate::corrections::points(&[("rate", "95")]),
            },
        )
        .await
        .unwrap();
        let correction = answered.correction.unwrap();
        let changed: Vec<&str> = correction
            .changed
            .iter()
            .map(|c| c.subject.as_str())
            .collect();
        // b-1, and the head who leads them (as their direct manager); not
        // the deputy, who does not.
        assert_eq!(changed, ["b-1", "head"]);
        let after = scoring::results(&registry, run).await.unwrap();
        assert_ne!(
            after.iter().find(|r| r.subject == "b-1").unwrap().grade,
            Some(GradeCode::D)
        );
        // Everyone the head leads completed now: full points.
        assert_eq!(
            unit_results(&after, "head"),
            (100_000, Some(0), Some(40_000))
        );
        let deputy = |rs: &[scoring::StoredResult]| {
            rs.iter().find(|r| r.subject == "deputy").unwrap().clone()
        };
        assert_eq!(deputy(&after), deputy(&before));
        let head = assessment::decide::notices(
            &registry,
            &crate::corrections::signed_in(&registry, "head").await,
            "head",
        )
        .await
        .unwrap();
        let newest = head.iter().max_by_key(|n| n.id).unwrap();
        let why = newest.correction.as_ref().unwrap();
        assert_eq!((why.revision, why.subject.as_str()), (1, "b-1"));
        assert_eq!(
            newest
                .indicators
                .iter()
                .find(|i| i.id == "unit-results")
                .unwrap()
                .score,
            "10"
        );
        let verified = scoring::verify(&registry, run, Default::default())
            .await
            .unwrap();
        assert_eq!(verified.differences, []);
    });
}

#[test]
fn a_cycle_of_leadership_fails_the_run_naming_it() {
    on_every_database(|registry| async move {
        setup(&registry, true).await;
        facts(&registry, "40").await;
        let e = scoring::run(&registry, &admin(), &RunOptions::period("2025-09"))
            .await
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("leadership runs in a cycle: deputy → head → deputy"),
            "{e}"
        );
    });
}

#[test]
fn unknown_managers_and_leader_posts_are_named_and_nothing_is_written() {
    on_every_database(|registry| async move {
        for path in [fixtures::VERSIONED_1_0_0, fixtures::LEADER_CARD] {
            registry
                .publish(&admin(), std::fs::read(path).unwrap())
                .await
                .unwrap();
        }
        let mut org = organisation(false);
        org.units[1].leader_posts = vec!["no-such-post".into()];
        org.subjects[2].manager = Some("nobody".into());
        org.subjects[3].manager = Some("s-2".into());
        let head_post = org.posts[0].products.as_mut().unwrap();
        head_post[1].coefficient = "0".into();
        head_post.push(head_post[0].clone());
        let e = thuocdo_host::org::import(&registry, &admin(), &org)
            .await
            .unwrap_err()
            .to_string();
        for says in [
            "units[1] (phong-b): leader post `no-such-post` is neither in the file nor known",
            "subjects[2] (s-1): manager `nobody` is no subject, in the file or known",
            "subjects[3] (s-2): a subject cannot be their own direct manager",
            "posts[0] (unit-head): product type `note`: coefficient `0` is not a positive decimal",
            "posts[0] (unit-head): product type `report` appears twice",
        ] {
            assert!(e.contains(says), "{says}\n{e}");
        }
        assert!(registry.store().units().await.unwrap().is_empty());
        // The relations are kept as the document gives them.
        thuocdo_host::org::import(&registry, &admin(), &organisation(false))
            .await
            .unwrap();
        let units = registry.store().units().await.unwrap();
        let so = units.iter().find(|u| u.code == "so").unwrap();
        assert_eq!(so.leader_posts, ["unit-head"]);
    });
}

#[test]
fn work_products_reach_the_card_with_their_coefficients_and_verify_reads_them() {
    on_every_database(|registry| async move {
        setup(&registry, false).await;
        facts(&registry, "95").await;
        // Named, each bad row, and nothing written.
        let bad = "subject_id,period,product_id,kind,assigned,accepted,deadline,failed_checks\n\
                   head,2025-09,p-1,report,1,1,2025-02-30,0\n\
                   head,2025-09,p-2,speech,1,1,,0\n\
                   nobody,2025-09,p-3,report,1,1,,0\n\
                   head,2025-09,p-4,report,-1,1,,x\n\
                   head,2025-09,p-5,report,1,1,,0\n\
                   head,2025-09,p-5,report,1,1,,0\n";
        let e = thuocdo_host::products::import(&registry, &admin(), "bad.csv", bad.as_bytes())
            .await
            .unwrap_err()
            .to_string();
        let bad_json = r#"[
            {"subject_id": "head", "period": "2025-09", "product_id": "q-1", "kind": "report",
             "assigned": -1, "accepted": 1, "on_time": "maybe"},
            {"subject_id": "head", "period": "2025-09", "product_id": "q-2", "kind": "report",
             "assigned": 1, "accepted": 1, "faults": [{"kind": "typo"}]},
            {"subject_id": "head", "period": "2025-09", "product_id": "q-3", "kind": "report",
             "assigned": 1, "accepted": 1, "colour": "red"}
        ]"#;
        let e2 =
            thuocdo_host::products::import(&registry, &admin(), "bad.json", bad_json.as_bytes())
                .await
                .unwrap_err()
                .to_string();
        for says in [
            "entry 1: assigned `-1` is not a decimal of at most four decimals, at least 0; on_time `maybe` is neither yes (1) nor no (0)",
            "entry 2: faults[0]: kind `typo` is neither failed-check nor rework",
            "entry 3: has an unknown field `colour`",
        ] {
            assert!(e2.contains(says), "{says}\n{e2}");
        }
        for says in [
            "line 2: deadline `2025-02-30` is not a date written YYYY-MM-DD",
            "line 3: kind `speech` is not in the product catalogue of post `unit-head`",
            "line 4: subject `nobody` is not in the organisation",
            "line 5: failed_checks `x` is not a whole number",
            "line 7: the same product id appears twice for this subject and period",
        ] {
            assert!(e.contains(says), "{says}\n{e}");
        }
        // One report (coefficient 2) with a failed check of the head's own,
        // one note (1) whose failed check had an objective cause, as JSON.
        let good = r#"{"products": [
            {"subject_id": "head", "period": "2025-09", "product_id": "p-1", "kind": "report",
             "assigned": 1, "accepted": 1, "deadline": "2025-09-20", "completed": "2025-09-22",
             "faults": [{"kind": "failed-check", "objective_cause": false}]},
            {"subject_id": "head", "period": "2025-09", "product_id": "p-2", "kind": "note",
             "assigned": "1", "accepted": "1", "on_time": true,
             "faults": [{"kind": "failed-check", "objective_cause": true}]}
        ]}"#;
        let done = thuocdo_host::products::import(&registry, &admin(), "p.json", good.as_bytes())
            .await
            .unwrap();
        assert_eq!((done.rows, done.written), (2, 2));
        let run = scoring::run(&registry, &admin(), &RunOptions::period("2025-09"))
            .await
            .unwrap();
        let results = scoring::results(&registry, run.run).await.unwrap();
        let head = results.iter().find(|r| r.subject == "head").unwrap();
        // (2 × 3 + 1 × 4) / (3 × 4) × 10 points, rounded to the step.
        assert_eq!(head.indicators[2].score, 83_300);
        assert_eq!(head.indicators[2].raw, Some(10_000));
        let verified = scoring::verify(&registry, run.run, Default::default())
            .await
            .unwrap();
        assert_eq!(verified.differences, []);
        // A draft of the card, tried on the official run, is given the same
        // products: its product indicator does not move (its led results,
        // which drafts do not read, do).
        scoring::publish(&registry, &admin(), run.run)
            .await
            .unwrap();
        let registry = std::sync::Arc::new(registry);
        let sandbox = WhatIfs::new(registry.clone(), WhatIfConfig::default());
        let draft = sandbox
            .upload(&admin(), std::fs::read(fixtures::LEADER_CARD).unwrap())
            .await
            .unwrap();
        let what_if = sandbox
            .compare(
                &admin(),
                draft.id,
                &CompareOptions {
                    post_type: Some("unit-head".into()),
                    ..CompareOptions::period("2025-09")
                },
            )
            .await
            .unwrap();
        let head = what_if.periods[0]
            .movers
            .iter()
            .find(|m| m.subject == "head")
            .expect("the head moves: a draft reads no led results");
        let moved: Vec<&str> = head.indicators.iter().map(|i| i.id.as_str()).collect();
        assert!(moved.contains(&"unit-results"), "{moved:?}");
        assert!(!moved.contains(&"product-quality"), "{moved:?}");
        scoring::unlock(&registry, &admin(), "2025-09", None, "a product changed")
            .await
            .unwrap();
        // A product changed since: verify reads it again and says so.
        let changed = "subject_id,period,product_id,kind,assigned,accepted,failed_checks\n\
                       head,2025-09,p-2,note,1,1,1\n";
        thuocdo_host::products::import(&registry, &admin(), "c.csv", changed.as_bytes())
            .await
            .unwrap();
        let verified = scoring::verify(&registry, run.run, Default::default())
            .await
            .unwrap();
        assert!(
            verified
                .differences
                .iter()
                .any(|d| d.subject == "head" && d.field == "indicators"),
            "{:?}",
            verified.differences
        );
    });
}
