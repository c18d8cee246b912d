//! The policy sandbox on SQLite and PostgreSQL: a draft that moves one
//! threshold moves exactly the subjects whose facts lie between the old and
//! the new one (computed here from the facts); sandbox activity changes
//! nothing published; the hostile corpus as drafts fails each what-if with its
//! own error while a good what-if beside them finishes.

use std::sync::Arc;

use sqlx::Row;
use thuocdo_host::access::{Actor, Role};
use thuocdo_host::registry::Registry;
use thuocdo_host::scoring::{self, RunOptions};
use thuocdo_host::whatif::{CompareOptions, Error, WhatIfConfig, WhatIfs};
use thuocdo_tests::{fixtures, hostile};

use crate::db::on_every_database;

fn admin() -> Actor {
    Actor::admin("admin@thuocdo")
}

fn analyst(name: &str) -> Actor {
    Actor {
        name: name.into(),
        role: Role::Analyst { unit: None },
    }
}

fn corpus(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

/// Commune chairs with rates 80.0, 80.5, … 100.0 (score = rate / 10), one
/// chair with no facts, and one subject per hostile mode; test/versioned
/// 1.0.0 assigned to both posts; September 2025 run and published. Returns
/// each chair's rate in tenths of a percent.
async fn province(registry: &Registry) -> Vec<(String, i64)> {
    registry
        .publish(&admin(), corpus(fixtures::VERSIONED_1_0_0))
        .await
        .unwrap();
    let modes = [
        "loop",
        "slow",
        "alloc",
        "recursion",
        "panic",
        "unreachable",
        "huge-output",
        "big-output",
        "out-of-scale",
        "extra-indicator",
        "wrong-grade",
        "bad-subtotal",
    ];
    let chairs: Vec<(String, i64)> = (0..=40)
        .map(|i| (format!("chair-{i:02}"), 800 + 5 * i))
        .collect();
    let mut units = vec![
        serde_json::json!({"code": "tinh", "name": "Tỉnh", "kind": "province"}),
        // Xã Một publishes its people's results; Xã Hai does not.
        serde_json::json!({"code": "xa-mot", "name": "Xã Một", "kind": "commune", "parent": "tinh", "publishes_people": true}),
        serde_json::json!({"code": "xa-hai", "name": "Xã Hai", "kind": "commune", "parent": "tinh"}),
    ];
    let mut subjects: Vec<serde_json::Value> = chairs
        .iter()
        .enumerate()
        .map(|(i, (id, _))| {
            let unit = if i % 2 == 0 { "xa-mot" } else { "xa-hai" };
            serde_json::json!({"id": id, "name": id, "unit": unit, "post": "commune-chair"})
        })
        .collect();
    subjects.push(serde_json::json!({"id": "chair-no-facts", "name": "x", "unit": "xa-mot", "post": "commune-chair"}));
    for m in modes {
        units.push(serde_json::json!({"code": format!("h-{m}"), "name": m, "kind": "test-unit", "parent": "tinh"}));
        subjects.push(
            serde_json::json!({"id": m, "name": m, "unit": format!("h-{m}"), "post": "test"}),
        );
    }
    let org = serde_json::json!({
        "units": units,
        "posts": [
            {"code": "commune-chair", "title": "Chủ tịch xã", "task_group": "leaders"},
            {"code": "test", "title": "Thử", "task_group": "test"},
        ],
        "subjects": subjects,
        "assignments": [
            {"post_type": "commune-chair", "plugin": "test/versioned@^1", "unit": "tinh", "from": "2025-01"},
            {"post_type": "test", "plugin": "test/versioned@^1", "unit": "tinh", "from": "2025-01"},
        ],
    });
    let org: thuocdo_host::org::Organisation = serde_json::from_value(org).unwrap();
    thuocdo_host::org::import(registry, &admin(), &org)
        .await
        .unwrap();
    let mut csv = String::from("subject_id,period,fact,value,source\n");
    for (id, tenths) in &chairs {
        csv.push_str(&format!(
            "{id},2025-09,rate,{}.{},test\n",
            tenths / 10,
            tenths % 10
        ));
    }
    for m in modes {
        csv.push_str(&format!("{m},2025-09,rate,50,test\n"));
    }
    thuocdo_host::facts::import(registry, &admin(), "september.csv", csv.as_bytes())
        .await
        .unwrap();
    let report = scoring::run(registry, &admin(), &RunOptions::period("2025-09"))
        .await
        .unwrap();
    scoring::publish(registry, &admin(), report.run)
        .await
        .unwrap();
    chairs
}

/// Every row of what the sandbox must never touch, as text.
async fn published(registry: &Registry) -> Vec<String> {
    let mut out = Vec::new();
    for (table, order) in [
        ("run_results", "run_id, subject"),
        ("runs", "id"),
        ("official_runs", "id"),
        ("assignments", "id"),
        ("audit_log", "id"),
        ("plugin_versions", "namespace, name, version"),
        ("plugin_blobs", "sha256"),
        ("fact_sheets", "subject, period"),
    ] {
        let rows = sqlx::query(&format!("SELECT * FROM {table} ORDER BY {order}"))
            .fetch_all(registry.store().pool())
            .await
            .unwrap();
        for r in rows {
            let cells: Vec<String> = (0..r.len())
                .map(|i| {
                    r.try_get::<Option<String>, _>(i)
                        .map(|v| v.unwrap_or_default())
                        .or_else(|_| r.try_get::<Option<i64>, _>(i).map(|v| format!("{v:?}")))
                        .or_else(|_| {
                            r.try_get::<Option<Vec<u8>>, _>(i)
                                .map(|v| format!("{} bytes", v.map_or(0, |b| b.len())))
                        })
                        .unwrap()
                })
                .collect();
            out.push(format!("{table}: {}", cells.join(" | ")));
        }
    }
    out
}

#[test]
fn a_moved_threshold_moves_exactly_the_subjects_between_and_nothing_published_changes() {
    on_every_database(|registry| async move {
        let chairs = province(&registry).await;
        let before = published(&registry).await;
        let registry = Arc::new(registry);
        let sandbox = WhatIfs::new(registry.clone(), WhatIfConfig::default());
        let policy = analyst("policy-team");
        let draft = sandbox
            .upload(&policy, corpus(fixtures::DRAFT_STRICTER_EXCELLENT))
            .await
            .unwrap();
        // The draft has the published version's very name and version.
        assert_eq!(
            (draft.name.as_str(), draft.version.as_str()),
            ("test/versioned", "1.0.0")
        );
        // An admin sees every mover; the analyst those of Xã Một, which
        // publishes its people's results, and a count of the others.
        let what_if = sandbox
            .compare(&admin(), draft.id, &CompareOptions::period("2025-09"))
            .await
            .unwrap();
        let p = &what_if.periods[0];
        assert_eq!(p.movers_withheld, 0);
        let seen = sandbox
            .compare(&policy, draft.id, &CompareOptions::period("2025-09"))
            .await
            .unwrap();
        let seen = &seen.periods[0];
        let in_mot: Vec<&str> = p
            .movers
            .iter()
            .filter(|m| m.unit == "xa-mot")
            .map(|m| m.subject.as_str())
            .collect();
        let seen_ids: Vec<&str> = seen.movers.iter().map(|m| m.subject.as_str()).collect();
        assert_eq!(seen_ids, in_mot);
        assert!(!in_mot.is_empty() && in_mot.len() < p.movers.len());
        assert_eq!(seen.movers_withheld, p.movers.len() - in_mot.len());
        assert_eq!(
            (&seen.transitions, &seen.deltas, seen.units.len()),
            (&p.transitions, &p.deltas, p.units.len()),
            "the aggregates are the same for both"
        );

        // Computed here from the facts: excellent from 9 became excellent
        // from 9.5, so a rate in [90, 95) goes from A to B; nobody else moves.
        let between: Vec<&str> = chairs
            .iter()
            .filter(|(_, tenths)| (900..950).contains(tenths))
            .map(|(id, _)| id.as_str())
            .collect();
        assert_eq!(between.len(), 10);
        let moved: Vec<&str> = p.movers.iter().map(|m| m.subject.as_str()).collect();
        let mut sorted = moved.clone();
        sorted.sort();
        assert_eq!(sorted, between, "{p:#?}");
        assert!(p.movers.iter().all(|m| m.before == "A" && m.after == "B"));
        // Scores do not change, only the grade: no indicator moved.
        assert!(
            p.movers
                .iter()
                .all(|m| m.indicators.is_empty() && m.before_total == m.after_total)
        );
        assert_eq!(p.deltas.max_abs.as_deref(), Some("0"));
        let a_kept = chairs.iter().filter(|(_, t)| *t >= 950).count();
        assert_eq!(p.transitions["A"]["A"], a_kept);
        assert_eq!(p.transitions["A"]["B"], 10);
        assert_eq!(p.transitions["A"].len(), 2);
        assert_eq!(
            p.transitions_computed, p.transitions,
            "the card has no quota"
        );
        // By default the draft replaces test/versioned wherever it scored:
        // 41 chairs, the one without facts, and the 12 subjects of the other
        // post (rate 50: C either way).
        assert_eq!(p.subjects, 54);
        assert_eq!(p.compared, 53);
        // The chairs' rates are 80 and up (B or A); only the 12 are C.
        assert_eq!(
            p.transitions["C"],
            [("C".to_string(), 12)].into_iter().collect()
        );
        assert_eq!(
            p.not_compared.values().sum::<usize>(),
            1,
            "{:?}",
            p.not_compared
        );
        assert_eq!(p.coverage.len(), 1);
        assert_eq!(
            (
                p.coverage[0].fact.as_str(),
                p.coverage[0].missing,
                p.coverage[0].of
            ),
            ("rate", 1, 54)
        );
        // Each unit before and after, and the units asked for only.
        let units: Vec<&str> = p.units.iter().map(|u| u.unit.as_str()).collect();
        assert_eq!(units.len(), 14, "{units:?}");
        let chairs_only = sandbox
            .compare(
                &policy,
                draft.id,
                &CompareOptions {
                    post_type: Some("commune-chair".into()),
                    ..CompareOptions::period("2025-09")
                },
            )
            .await
            .unwrap();
        assert_eq!(chairs_only.periods[0].subjects, 42);
        assert_eq!(
            chairs_only.periods[0].movers.len() + chairs_only.periods[0].movers_withheld,
            10
        );
        let one = sandbox
            .compare(
                &policy,
                draft.id,
                &CompareOptions {
                    units: vec!["xa-mot".into()],
                    ..CompareOptions::period("2025-09")
                },
            )
            .await
            .unwrap();
        let one = &one.periods[0];
        assert_eq!(one.movers_withheld, 0);
        assert!(one.movers.iter().all(|m| m.unit == "xa-mot"));
        assert_eq!(
            one.movers.len(),
            p.movers.iter().filter(|m| m.unit == "xa-mot").count()
        );
        // An analyst bound to Xã Hai, which does not publish its people's
        // results, compares there by default and sees who moves there; a
        // unit outside is refused.
        let bound = Actor::analyst("policy-hai", Some("xa-hai"));
        let hai = sandbox
            .compare(&bound, draft.id, &CompareOptions::period("2025-09"))
            .await
            .unwrap();
        let hai = &hai.periods[0];
        let in_hai: Vec<&str> = p
            .movers
            .iter()
            .filter(|m| m.unit == "xa-hai")
            .map(|m| m.subject.as_str())
            .collect();
        assert!(!in_hai.is_empty());
        assert_eq!(
            hai.movers
                .iter()
                .map(|m| m.subject.as_str())
                .collect::<Vec<_>>(),
            in_hai
        );
        assert_eq!(hai.movers_withheld, 0);
        assert!(hai.subjects < p.subjects);
        let outside = sandbox
            .compare(
                &bound,
                draft.id,
                &CompareOptions {
                    units: vec!["xa-mot".into()],
                    ..CompareOptions::period("2025-09")
                },
            )
            .await;
        assert!(
            matches!(&outside, Err(Error::Forbidden(m)) if m.contains("outside the subtree `xa-hai`")),
            "{:?}",
            outside.map(|c| c.periods.len())
        );

        // Bad requests name what is wrong.
        let err = sandbox
            .compare(&policy, draft.id, &CompareOptions::period("2025-10"))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::NotFound(_)), "{err}");
        assert!(err.to_string().contains("no official run"), "{err}");
        let err = sandbox
            .compare(&policy, 999, &CompareOptions::period("2025-09"))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::NotFound(_)), "{err}");
        let err = sandbox
            .compare(&policy, draft.id, &CompareOptions::default())
            .await
            .unwrap_err();
        assert!(matches!(err, Error::BadInput(_)), "{err}");
        let err = sandbox
            .compare(&policy, draft.id, &CompareOptions::period("2025-13"))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::BadInput(_)), "{err}");
        let err = sandbox
            .compare(
                &policy,
                draft.id,
                &CompareOptions {
                    units: vec!["nowhere".into()],
                    ..CompareOptions::period("2025-09")
                },
            )
            .await
            .unwrap_err();
        assert!(err.to_string().contains("nowhere"), "{err}");

        // Only analysts and admins work here; others' drafts are theirs.
        let publisher = Actor::publisher("pub", "test");
        assert!(matches!(
            sandbox
                .upload(&publisher, corpus(fixtures::DRAFT_STRICTER_EXCELLENT))
                .await,
            Err(Error::Forbidden(_))
        ));
        assert!(matches!(
            sandbox.delete(&analyst("someone-else"), draft.id).await,
            Err(Error::Forbidden(_))
        ));
        assert_eq!(sandbox.list(&policy).await.unwrap().len(), 1);
        sandbox.delete(&policy, draft.id).await.unwrap();
        assert!(sandbox.list(&policy).await.unwrap().is_empty());

        assert_eq!(
            published(&registry).await,
            before,
            "the sandbox changed published data"
        );
    });
}

/// A what-if, tried again as a client would while the host is scoring all
/// the what-ifs it takes at once (the runtime's `max_jobs`).
async fn compare_when_free(
    sandbox: &WhatIfs,
    actor: &Actor,
    draft: i64,
    options: &CompareOptions,
) -> Result<thuocdo_host::whatif::Comparison, Error> {
    loop {
        match sandbox.compare(actor, draft, options).await {
            Err(Error::Scoring(scoring::Error::Busy(_))) => {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            other => return other,
        }
    }
}

#[test]
fn hostile_drafts_fail_their_own_what_ifs_while_a_good_one_finishes() {
    on_every_database(|registry| async move {
        let chairs = province(&registry).await;
        let before = published(&registry).await;
        let registry = Arc::new(registry);
        let sandbox = Arc::new(WhatIfs::new(
            registry.clone(),
            // The drafts' fuel, memory, stack and output limits as in
            // production; a generous deadline, so that on two busy cores each
            // mode meets its own deterministic limit rather than the clock
            // (the runtime's tests pin the deadline on its own).
            {
                let mut config = WhatIfConfig {
                    per_analyst: 64,
                    ..WhatIfConfig::default()
                };
                config.limits.deadline = std::time::Duration::from_secs(5);
                config
            },
        ));
        let policy = analyst("policy-team");
        let hostile = sandbox
            .upload(&policy, corpus(hostile::HOSTILE))
            .await
            .unwrap();
        let good = sandbox
            .upload(&policy, corpus(fixtures::DRAFT_STRICTER_EXCELLENT))
            .await
            .unwrap();
        let expected = [
            ("loop", &["out-of-fuel"][..]),
            ("slow", &["out-of-fuel"]),
            ("alloc", &["memory"]),
            ("recursion", &["stack-exhausted"]),
            ("panic", &["trap"]),
            ("unreachable", &["trap"]),
            ("huge-output", &["memory"]),
            ("big-output", &["output-too-large"]),
            ("out-of-scale", &["fault"]),
            ("extra-indicator", &["fault"]),
            ("wrong-grade", &["fault"]),
            ("bad-subtotal", &["fault"]),
        ];
        let mut tasks = Vec::new();
        for (mode, kinds) in expected {
            let (sandbox, policy) = (sandbox.clone(), policy.clone());
            tasks.push(tokio::spawn(async move {
                let options = CompareOptions {
                    post_type: Some("test".into()),
                    units: vec![format!("h-{mode}")],
                    ..CompareOptions::period("2025-09")
                };
                match compare_when_free(&sandbox, &policy, hostile.id, &options).await {
                    Err(Error::DraftFailed {
                        subject,
                        kind,
                        message,
                    }) => {
                        assert_eq!(subject, mode);
                        assert!(kinds.contains(&kind), "{mode}: {kind}");
                        // The draft's own words are for admins only.
                        assert_eq!(message, "its words are shown to admins only");
                    }
                    other => panic!("{mode}: {:?}", other.map(|c| c.periods[0].compared)),
                }
            }));
        }
        // The good what-if, beside them all.
        let what_if = compare_when_free(
            &sandbox,
            &policy,
            good.id,
            &CompareOptions::period("2025-09"),
        )
        .await
        .unwrap();
        for t in tasks {
            t.await.unwrap();
        }
        let between = chairs
            .iter()
            .filter(|(_, t)| (900..950).contains(t))
            .count();
        assert_eq!(
            what_if.periods[0].movers.len() + what_if.periods[0].movers_withheld,
            between
        );

        // The corpus' files are refused at upload, each with its kind.
        let mut truncated = corpus(hostile::HOSTILE);
        truncated.truncate(truncated.len() / 2);
        for (bytes, kind) in [
            (b"\0asm\x01\0\0\0".to_vec(), "not-a-component"),
            (b"random bytes, not wasm".to_vec(), "not-a-component"),
            (truncated, "not-a-component"),
            (corpus(hostile::OTHER_WORLD), "wrong-world"),
            (corpus(hostile::HOSTILE_HTTP), "forbidden-imports"),
        ] {
            match sandbox.upload(&policy, bytes).await {
                Err(Error::Invalid(e)) => assert_eq!(e.kind(), kind, "{e}"),
                other => panic!("{kind}: {:?}", other.map(|d| d.id)),
            }
        }
        assert!(matches!(
            sandbox.upload(&policy, Vec::new()).await,
            Err(Error::BadInput(_))
        ));
        assert_eq!(published(&registry).await, before);
    });
}

#[test]
fn each_analyst_keeps_a_bounded_number_and_size_of_drafts() {
    on_every_database(|registry| async move {
        let registry = Arc::new(registry);
        let draft = corpus(fixtures::DRAFT_STRICTER_EXCELLENT);
        let sandbox = WhatIfs::new(
            registry.clone(),
            WhatIfConfig {
                drafts_per_analyst: 2,
                draft_bytes_per_analyst: 3 * draft.len() as i64 - 1,
                ..WhatIfConfig::default()
            },
        );
        let (one, other) = (analyst("one"), analyst("other"));
        let first = sandbox.upload(&one, draft.clone()).await.unwrap();
        sandbox.upload(&one, draft.clone()).await.unwrap();
        let third = sandbox.upload(&one, draft.clone()).await;
        assert!(
            matches!(&third, Err(Error::Quota(m)) if m.contains("keeps 2 drafts")),
            "{third:?}"
        );
        // Another analyst's drafts are counted apart.
        sandbox.upload(&other, draft.clone()).await.unwrap();
        // Deleting one makes room; bytes are counted too.
        sandbox.delete(&one, first.id).await.unwrap();
        sandbox.upload(&one, draft.clone()).await.unwrap();
        let tight = WhatIfs::new(
            registry.clone(),
            WhatIfConfig {
                draft_bytes_per_analyst: 3 * draft.len() as i64 - 1,
                ..WhatIfConfig::default()
            },
        );
        tight.upload(&other, draft.clone()).await.unwrap();
        let big = tight.upload(&other, draft.clone()).await;
        assert!(
            matches!(&big, Err(Error::Quota(m)) if m.contains("bytes")),
            "{big:?}"
        );
        assert_eq!(sandbox.list(&one).await.unwrap().len(), 4);
    });
}

#[test]
fn a_draft_never_widens_what_production_imports_accept() {
    on_every_database(|registry| async move {
        let registry = Arc::new(registry);
        let sandbox = WhatIfs::new(registry.clone(), WhatIfConfig::default());
        // Only a draft declares `rate`: no published scorecard reads it.
        sandbox
            .upload(
                &analyst("policy"),
                corpus(fixtures::DRAFT_STRICTER_EXCELLENT),
            )
            .await
            .unwrap();
        let csv = "subject_id,period,fact,value,source\nchair-00,2025-09,rate,50,test\n";
        let refused =
            thuocdo_host::facts::import(&registry, &admin(), "rate.csv", csv.as_bytes()).await;
        let Err(scoring::Error::BadRows { rows, .. }) = &refused else {
            panic!("{refused:?}")
        };
        assert!(
            rows[0]
                .reason
                .contains("fact `rate` is unknown: no scorecard is published yet"),
            "{rows:?}"
        );
    });
}

#[test]
fn trial_facts_feed_their_own_drafts_what_ifs_and_nothing_else() {
    on_every_database(|registry| async move {
        province(&registry).await;
        let before = published(&registry).await;
        let registry = Arc::new(registry);
        let sandbox = WhatIfs::new(registry.clone(), WhatIfConfig::default());
        let policy = analyst("policy-team");
        let draft = sandbox
            .upload(&policy, corpus(fixtures::DRAFT_STRICTER_EXCELLENT))
            .await
            .unwrap();
        let plain = sandbox
            .compare(&admin(), draft.id, &CompareOptions::period("2025-09"))
            .await
            .unwrap();
        assert_eq!(
            plain.periods[0].compared, 53,
            "the chair without facts is not compared"
        );

        // The chair the data lacks a rate for gets one, for this draft only.
        let csv = "subject_id,period,fact,value,source\nchair-no-facts,2025-09,rate,96,trial\n";
        let made = sandbox
            .trial_facts(
                &policy,
                draft.id,
                "trial.csv",
                std::io::Cursor::new(csv.as_bytes().to_vec()),
                None,
            )
            .await
            .unwrap();
        assert_eq!(
            (made.values, made.subjects, made.periods.clone()),
            (1, 1, vec!["2025-09".to_string()])
        );
        let with = sandbox
            .compare(&admin(), draft.id, &CompareOptions::period("2025-09"))
            .await
            .unwrap();
        let p = &with.periods[0];
        assert_eq!(p.compared, 54, "{:?}", p.not_compared);
        assert!(p.not_compared.is_empty());
        assert!(
            p.coverage.iter().all(|c| c.missing == 0),
            "{:?}",
            p.coverage
        );
        // Nothing stored or published changed, and another draft of the
        // same card does not see them.
        assert_eq!(published(&registry).await, before);
        let other_team = analyst("other-team");
        let other = sandbox
            .upload(&other_team, corpus(fixtures::DRAFT_STRICTER_EXCELLENT))
            .await
            .unwrap();
        let theirs = sandbox
            .compare(&admin(), other.id, &CompareOptions::period("2025-09"))
            .await
            .unwrap();
        assert_eq!(theirs.periods[0].compared, 53);

        // Bad rows are each named, and the file refused whole: the draft
        // keeps the trial facts it had.
        let bad = "subject_id,period,fact,value,source\n\
                   chair-no-facts,2025-09,disciplined,1,t\n\
                   nobody,2025-09,rate,50,t\n\
                   chair-no-facts,2025-09,rate,500,t\n\
                   chair-no-facts,someday,rate,50,t\n";
        let refused = sandbox
            .trial_facts(
                &policy,
                draft.id,
                "bad.csv",
                std::io::Cursor::new(bad.as_bytes().to_vec()),
                None,
            )
            .await;
        let Err(Error::Scoring(scoring::Error::BadRows { rows, total, .. })) = refused else {
            panic!("{refused:?}")
        };
        assert_eq!(total, 4, "{rows:?}");
        let said: Vec<String> = rows.iter().map(ToString::to_string).collect();
        for words in [
            "line 2: fact `disciplined` is not one the draft test/versioned declares",
            "line 3: subject `nobody` is not in the organisation",
            "line 4: value 500 of `rate` is outside its range",
            "line 5:",
        ] {
            assert!(
                said.iter().any(|s| s.starts_with(words)),
                "{words} not in {said:#?}"
            );
        }
        let again = sandbox
            .compare(&admin(), draft.id, &CompareOptions::period("2025-09"))
            .await
            .unwrap();
        assert_eq!(again.periods[0].compared, 54);

        // Only the draft's uploader (or an admin) gives it trial facts.
        let theirs = sandbox
            .trial_facts(
                &other_team,
                draft.id,
                "t.csv",
                std::io::Cursor::new(csv.as_bytes().to_vec()),
                None,
            )
            .await;
        assert!(matches!(theirs, Err(Error::Forbidden(_))), "{theirs:?}");
        // Deleting the draft deletes its trial facts.
        sandbox.delete(&policy, draft.id).await.unwrap();
        let left: i64 = sqlx::query("SELECT COUNT(*) AS n FROM sandbox_draft_facts")
            .fetch_one(registry.store().pool())
            .await
            .unwrap()
            .get("n");
        assert_eq!(left, 0);
    });
}
