//! The assessment procedure on every database: codes that sign people in
//! once, the steps in order (the direct manager signed in as themself),
//! the manager's points written as the subject's facts, calendars set on a
//! unit holding for the units below it, and a year's holidays.

use std::collections::BTreeMap;

use sqlx::Row;
use thuocdo_host::access::Actor;
use thuocdo_host::access::assessing::Step;
use thuocdo_host::assessment::{
    self, CalendarDay, CalendarSetting, CollectiveComments, Error, ManagerAssessment,
    SelfAssessment, State,
};
use thuocdo_host::bundled::BUNDLED;
use thuocdo_host::org::Organisation;
use thuocdo_host::registry::Registry;

use crate::corrections::{points, signed_in};
use crate::db::on_every_database;

fn admin() -> Actor {
    Actor::admin("admin@thuocdo")
}

async fn setup(registry: &Registry) {
    let clerk = BUNDLED
        .iter()
        .find(|b| b.crate_name == "service-centre-clerk")
        .unwrap();
    registry
        .publish(&admin(), clerk.wasm.to_vec())
        .await
        .unwrap();
    let org: Organisation = serde_json::from_value(serde_json::json!({
        "units": [
            {"code": "phuong", "name": "Phường 2", "kind": "ward"},
            {"code": "trung-tam", "name": "Trung tâm", "kind": "centre", "parent": "phuong", "within_agency": true}
        ],
        "posts": [
            {"code": "one-stop-clerk", "title": "Công chức một cửa", "task_group": "one-stop"},
            {"code": "director", "title": "Giám đốc", "task_group": "leaders"}
        ],
        "subjects": [
            {"id": "dir", "name": "Giám đốc", "unit": "trung-tam", "post": "director"},
            {"id": "c-1", "name": "Một", "unit": "trung-tam", "post": "one-stop-clerk", "manager": "dir"},
            {"id": "c-2", "name": "Hai", "unit": "trung-tam", "post": "one-stop-clerk", "manager": "dir"}
        ],
        "assignments": [
            {"post_type": "one-stop-clerk", "plugin": "hagiang-ward2-pasc/service-centre-clerk@^1", "unit": "phuong", "from": "2025-01"}
        ]
    }))
    .unwrap();
    thuocdo_host::org::import(registry, &admin(), &org)
        .await
        .unwrap();
}

#[test]
fn the_direct_manager_signed_in_as_themself_assesses_their_clerk() {
    on_every_database(|registry| async move {
        setup(&registry).await;
        let clerk = signed_in(&registry, "c-1").await;
        let director = signed_in(&registry, "dir").await;
        let period = "2025-Q4";

        let view = assessment::record_self(
            &registry,
            &clerk,
            "c-1",
            period,
            &SelfAssessment {
                points: points(&[
                    ("public-service-culture", "14"),
                    ("regulation-compliance", "13.25"),
                ]),
                review: "Đúng hạn cả quý.".into(),
            },
        )
        .await
        .unwrap();
        assert_eq!(view.state, State::SelfAssessed.name());
        // The director is not c-2's self, nor may a clerk assess a colleague.
        let refused = assessment::record_self(
            &registry,
            &director,
            "c-1",
            period,
            &SelfAssessment {
                points: points(&[]),
                review: "x".into(),
            },
        )
        .await
        .unwrap_err();
        assert!(matches!(refused, Error::Forbidden(_)), "{refused}");
        let minutes = CollectiveComments {
            date: "2026-01-05".into(),
            attended: vec!["Giám đốc".into(), "Một".into(), "Hai".into()],
            text: "Nhất trí.".into(),
            votes_for: None,
            votes_against: None,
            points: BTreeMap::new(),
        };
        // The clerk's card scores quarters: a month has nothing to assess.
        let month = assessment::record_self(
            &registry,
            &clerk,
            "c-1",
            "2025-10",
            &SelfAssessment {
                points: points(&[
                    ("public-service-culture", "14"),
                    ("regulation-compliance", "13"),
                ]),
                review: "x".into(),
            },
        )
        .await
        .unwrap_err();
        assert!(matches!(month, Error::NothingToAssess(_)), "{month}");
        // A person records no collective's comments, not even their manager.
        let refused = assessment::record_collective(&registry, &director, "c-1", period, &minutes)
            .await
            .unwrap_err();
        assert!(matches!(refused, Error::Forbidden(_)), "{refused}");
        assessment::record_collective(&registry, &admin(), "c-1", period, &minutes)
            .await
            .unwrap();
        let view = assessment::record_manager(
            &registry,
            &director,
            "c-1",
            period,
            &ManagerAssessment {
                points: points(&[
                    ("public-service-culture", "14"),
                    ("regulation-compliance", "12"),
                ]),
                comments: [(
                    "regulation-compliance".to_string(),
                    "Một lần đi muộn.".to_string(),
                )]
                .into(),
            },
        )
        .await
        .unwrap();
        assert!(view.ready);
        assert_eq!(view.facts[1].gap.as_deref(), Some("-1.25"));
        assert!(view.steps.iter().all(|s| s.due.is_none() && !s.late));

        // The director's points are the facts of c-1 for the quarter.
        let row =
            sqlx::query("SELECT facts FROM fact_sheets WHERE subject = 'c-1' AND period = $1")
                .bind(period)
                .fetch_one(registry.store().pool())
                .await
                .unwrap();
        let sheet: BTreeMap<String, i64> =
            serde_json::from_str(&row.try_get::<String, _>("facts").unwrap()).unwrap();
        assert_eq!(sheet["public-service-culture"], 140_000);
        assert_eq!(sheet["regulation-compliance"], 120_000);

        // The quarter's run reads them; the clerk sees their own result in
        // full and, the centre publishing inside the agency, c-2's without
        // its facts (on either database: the scope is in the query).
        let csv = "subject_id,period,fact,value,source\n\
            c-1,2025-Q4,applications-assigned,100,t\nc-1,2025-Q4,applications-resolved,98,t\n\
            c-1,2025-Q4,applications-on-time,97,t\nc-1,2025-Q4,working-days,60,t\n\
            c-1,2025-Q4,complaints,0,t\nc-1,2025-Q4,disciplined,0,t\nc-1,2025-Q4,degraded,0,t\n";
        thuocdo_host::facts::import(&registry, &admin(), "q4.csv", csv.as_bytes())
            .await
            .unwrap();
        let run = thuocdo_host::scoring::run(
            &registry,
            &admin(),
            &thuocdo_host::scoring::RunOptions::period(period),
        )
        .await
        .unwrap()
        .run;
        let page = thuocdo_host::access::visible_results_page(
            &registry,
            &thuocdo_host::access::Caller(Some(clerk.clone())),
            "a test",
            run,
            &Default::default(),
            thuocdo_host::store::results::ResultOrder::Total,
            0,
            10,
        )
        .await
        .unwrap();
        assert_eq!(page.total, 2);
        let own = page.results.iter().find(|r| r.subject == "c-1").unwrap();
        assert_eq!(
            own.outcome,
            thuocdo_host::scoring::Outcome::Scored,
            "{own:?}"
        );
        assert_eq!(
            own.facts.as_ref().unwrap().get("regulation-compliance"),
            Some(Some(120_000))
        );
        let other = page.results.iter().find(|r| r.subject == "c-2").unwrap();
        assert!(other.facts.is_none(), "{other:?}");
        let public = thuocdo_host::access::visible_results_page(
            &registry,
            &thuocdo_host::access::Caller::PUBLIC,
            "a test",
            run,
            &Default::default(),
            thuocdo_host::store::results::ResultOrder::Total,
            0,
            10,
        )
        .await
        .unwrap();
        assert_eq!(public.total, 0);

        // Published and decided, the clerk appeals with a file; the
        // admin upholds it (the evidence's bytes as given, on either
        // database).
        assessment::decide::set_contact(
            &registry,
            &clerk,
            "c-1",
            &assessment::decide::Contact {
                email: "mot@trung-tam.gov.vn".into(),
            },
        )
        .await
        .unwrap();
        thuocdo_host::scoring::publish(&registry, &admin(), run)
            .await
            .unwrap();
        let decided = assessment::decide::decide(
            &registry,
            &admin(),
            run,
            &assessment::decide::Decide {
                unit: None,
                subjects: vec!["c-1".into()],
            },
        )
        .await
        .unwrap();
        assert_eq!(decided.decided.len(), 1);
        let notice = assessment::decide::notices(&registry, &clerk, "c-1")
            .await
            .unwrap()
            .remove(0);
        // Its mail is queued; a relay that is down is tried five times, then
        // given up, each attempt recorded.
        assert_eq!(notice.delivery.as_deref(), Some("queued"));
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
        for attempt in 1..=thuocdo_host::mail::MAX_ATTEMPTS {
            sqlx::query("UPDATE mail_outbox SET next_at = 0 WHERE status = 'queued'")
                .execute(registry.store().pool())
                .await
                .unwrap();
            let sent = thuocdo_host::mail::deliver_due(registry.store(), &down)
                .await
                .unwrap();
            assert_eq!(sent, 0);
            let delivery = assessment::decide::notices(&registry, &clerk, "c-1")
                .await
                .unwrap()
                .remove(0)
                .delivery
                .unwrap();
            let expected = if attempt < thuocdo_host::mail::MAX_ATTEMPTS {
                "queued: "
            } else {
                "failed: "
            };
            assert!(delivery.starts_with(expected), "{attempt}: {delivery}");
        }
        let appeal = assessment::appeal::file(
            &registry,
            &clerk,
            notice.id,
            &assessment::appeal::FileAppeal {
                contested: vec!["regulation-compliance".into()],
                text: "Đi muộn có lý do.".into(),
            },
        )
        .await
        .unwrap();
        let letter = vec![0x25, 0x50, 0x44, 0x46, 0, 255, 7];
        assessment::appeal::add_evidence(
            &registry,
            &clerk,
            appeal.id,
            "letter.pdf",
            "application/pdf",
            letter.clone(),
        )
        .await
        .unwrap();
        let (kind, bytes) =
            assessment::appeal::evidence(&registry, &admin(), appeal.id, "letter.pdf")
                .await
                .unwrap();
        assert_eq!((kind.as_str(), bytes), ("application/pdf", letter));
        let answered = assessment::appeal::answer(
            &registry,
            &admin(),
            appeal.id,
            &assessment::appeal::Answer {
                outcome: "rejected".into(),
                reason: "Không có căn cứ.".into(),
                facts: BTreeMap::new(),
            },
        )
        .await
        .unwrap();
        assert_eq!(answered.state, "rejected");

        // The director reads c-2's assessment (theirs to make), and the
        // clerk does not.
        assert_eq!(
            assessment::view(&registry, &director, "c-2", period)
                .await
                .unwrap()
                .next_step
                .as_deref(),
            Some(Step::SelfAssessment.name())
        );
        assert!(matches!(
            assessment::view(&registry, &clerk, "c-2", period).await,
            Err(Error::NotFound(_))
        ));
    });
}

#[test]
fn a_calendar_set_on_a_unit_holds_below_it_and_counts_the_holidays() {
    on_every_database(|registry| async move {
        setup(&registry).await;
        assessment::set_days(
            &registry,
            &admin(),
            "2026",
            &[
                CalendarDay {
                    day: "2026-01-01".into(),
                    kind: "holiday".into(),
                    name: "Tết Dương lịch".into(),
                },
                CalendarDay {
                    day: "2026-01-03".into(),
                    kind: "working".into(),
                    name: "Làm bù".into(),
                },
            ],
        )
        .await
        .unwrap();
        let setting = CalendarSetting {
            steps: [
                ("self-assessment".to_string(), "+1".to_string()),
                ("direct-manager".to_string(), "+3".to_string()),
            ]
            .into(),
        };
        assessment::set_calendar(&registry, &admin(), "phuong", "quarter", &setting)
            .await
            .unwrap();
        let in_force = assessment::calendar_in_force(&registry, "trung-tam", "quarter")
            .await
            .unwrap();
        assert_eq!(in_force.steps.len(), 2);
        assert!(in_force.steps.iter().all(|s| s.set_on == "phuong"));
        let view = assessment::view(&registry, &admin(), "c-2", "2025-Q4")
            .await
            .unwrap();
        let due: Vec<Option<&str>> = view.steps.iter().map(|s| s.due.as_deref()).collect();
        // 1 January off, Friday 2, Saturday 3 worked, then Monday 5.
        assert_eq!(due, [Some("2026-01-02"), None, Some("2026-01-05")]);
        assert!(view.steps[0].overdue);
        // Exempted from the quarter, c-2 has nothing to assess and nothing
        // overdue.
        thuocdo_host::org::exemptions::exempt(
            &registry,
            &admin(),
            "c-2",
            "2025-Q4",
            &thuocdo_host::org::exemptions::NewExemption {
                reason: "nghỉ chế độ thai sản".into(),
                basis: None,
            },
        )
        .await
        .unwrap();
        let view = assessment::view(&registry, &admin(), "c-2", "2025-Q4")
            .await
            .unwrap();
        assert!(view.exempt && view.facts.is_empty() && view.next_step.is_none());
        assert!(view.steps.iter().all(|s| !s.overdue));
        let person = signed_in(&registry, "c-2").await;
        let refused = assessment::record_self(
            &registry,
            &person,
            "c-2",
            "2025-Q4",
            &SelfAssessment {
                points: points(&[
                    ("public-service-culture", "14"),
                    ("regulation-compliance", "14"),
                ]),
                review: "x".into(),
            },
        )
        .await
        .unwrap_err();
        assert!(matches!(refused, Error::NothingToAssess(_)), "{refused}");
        // The year again replaces it whole.
        let again = assessment::set_days(&registry, &admin(), "2026", &[])
            .await
            .unwrap();
        assert!(again.is_empty());
        let refused =
            assessment::set_days(&registry, &Actor::unit_admin("ua", "phuong"), "2026", &[])
                .await
                .unwrap_err();
        assert!(matches!(refused, Error::Forbidden(_)), "{refused}");
    });
}
