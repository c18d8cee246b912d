//! Scoring runs over the generated demo province, on SQLite and PostgreSQL:
//! the grades a run stores are those the facts imply, computed here
//! independently with each scorecard's native code and the quota as Decree 335
//! words it; a failed run leaves nothing; bad facts are refused whole, each
//! with its line; cut-offs, official runs and re-derivation hold.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use sqlx::Row;
use thuocdo_host::access::Actor;
use thuocdo_host::bundled::BUNDLED;
use thuocdo_host::gendata::{self, DataSet};
use thuocdo_host::registry::Registry;
use thuocdo_host::scoring::{self, Error, GradeCode, RunOptions};
use thuocdo_sdk::{Fixed, Grade};

use crate::db::{count, on_every_database};
use crate::plugins::NATIVES;

const SEED: u64 = 7;

fn admin() -> Actor {
    Actor::admin("admin@thuocdo")
}

static DIRS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// Publishes the bundled scorecards, generates the demo province into a
/// fresh directory and loads it all; the data set and its directory.
async fn load_province(registry: &Registry) -> (DataSet, PathBuf) {
    for b in BUNDLED {
        registry.publish(&admin(), b.wasm.to_vec()).await.unwrap();
    }
    load_data(registry).await
}

/// Generates the demo province into a fresh directory and loads its
/// organisation and facts (the scorecards are the caller's to publish).
pub(crate) async fn load_data(registry: &Registry) -> (DataSet, PathBuf) {
    let data = gendata::province(SEED).unwrap();
    let n = DIRS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("thuocdo-province-{}-{n}", std::process::id()));
    let files = data.write(&dir, false).unwrap();
    thuocdo_host::org::import(registry, &admin(), &data.organisation)
        .await
        .unwrap();
    for f in files.iter().filter(|f| f.starts_with("facts-")) {
        let bytes = std::fs::read(dir.join(f)).unwrap();
        thuocdo_host::facts::import(registry, &admin(), f, &bytes)
            .await
            .unwrap();
    }
    (data, dir)
}

fn letter(g: Grade) -> &'static str {
    match g {
        Grade::A => "A",
        Grade::B => "B",
        Grade::C => "C",
        Grade::D => "D",
        Grade::NotGraded => "not-graded",
    }
}

/// Each subject's final grade for `period`, computed from the generated facts
/// with the native scorecards, and Decree 335's quota applied by hand: within
/// one unit and one task group, excellent at most 20 % of those graded good
/// (rounded down), the best totals keeping it, ties to the lower id.
fn expected(data: &DataSet, period: &str) -> BTreeMap<String, &'static str> {
    let org = &data.organisation;
    let card_of_post: HashMap<&str, &str> = org
        .assignments
        .iter()
        .map(|a| (a.post_type.as_str(), a.plugin.split('@').next().unwrap()))
        .collect();
    let group_of_post: HashMap<&str, &str> = org
        .posts
        .iter()
        .map(|p| (p.code.as_str(), p.task_group.as_str()))
        .collect();
    let mut graded = Vec::new();
    for (id, facts) in &data.facts[period] {
        let s = org.subjects.iter().find(|s| &s.id == id).unwrap();
        let native = NATIVES
            .iter()
            .find(|n| n.card.name == card_of_post[s.post.as_str()])
            .unwrap();
        let values: Vec<Option<Fixed>> = native
            .card
            .facts
            .iter()
            .map(|f| {
                facts
                    .iter()
                    .find(|(n, _)| *n == f.name)
                    .map(|(_, v)| Fixed::parse(v).unwrap())
            })
            .collect();
        let eval = (native.evaluate)(&values).unwrap();
        let quota = !native.card.quotas.is_empty();
        graded.push((
            id.clone(),
            s.unit.clone(),
            group_of_post[s.post.as_str()],
            eval.total.raw(),
            eval.grade,
            quota,
        ));
    }
    let mut cohorts: BTreeMap<(String, &str), Vec<usize>> = BTreeMap::new();
    for (i, g) in graded.iter().enumerate() {
        if g.5 {
            cohorts.entry((g.1.clone(), g.2)).or_default().push(i);
        }
    }
    let mut grades: Vec<&'static str> = graded.iter().map(|g| letter(g.4)).collect();
    for members in cohorts.values() {
        let good = members.iter().filter(|&&i| graded[i].4 == Grade::B).count();
        let allowed = good * 20 / 100;
        let mut excellent: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| graded[i].4 == Grade::A)
            .collect();
        excellent.sort_by(|&a, &b| {
            graded[b]
                .3
                .cmp(&graded[a].3)
                .then(graded[a].0.cmp(&graded[b].0))
        });
        for &i in excellent.iter().skip(allowed) {
            grades[i] = "B";
        }
    }
    graded.iter().map(|g| g.0.clone()).zip(grades).collect()
}

async fn stored_grades(registry: &Registry, run: i64) -> BTreeMap<String, &'static str> {
    scoring::results(registry, run)
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            let g = match r.grade.map(|g| g.code()) {
                Some("A") => "A",
                Some("B") => "B",
                Some("C") => "C",
                Some("D") => "D",
                other => panic!("{}: {other:?} ({:?})", r.subject, r.error),
            };
            (r.subject, g)
        })
        .collect()
}

#[test]
fn runs_give_the_grades_the_generated_facts_imply() {
    on_every_database(|registry| async move {
        let (data, dir) = load_province(&registry).await;
        for period in ["2025-09", "2025-Q3", "2025"] {
            let report = scoring::run(&registry, &admin(), &RunOptions::period(period))
                .await
                .unwrap();
            let want = expected(&data, period);
            assert_eq!(stored_grades(&registry, report.run).await, want, "{period}");
            let s = &report.summary;
            assert_eq!(s.scored, want.len(), "{period}");
            assert_eq!(s.subjects, data.organisation.subjects.len());
            assert_eq!(
                s.refused + s.faults + s.unassigned,
                0,
                "{period}: {:?}",
                s.problems
            );
            let mut by_grade: BTreeMap<String, usize> = BTreeMap::new();
            for g in want.values() {
                *by_grade.entry(g.to_string()).or_default() += 1;
            }
            assert_eq!(s.grades, by_grade, "{period}");
        }
        // September, per unit type, as the articles count it: the calibration
        // aimed at 4/15/5 agency heads and 10/88/26 commune chairs.
        let runs = scoring::runs(&registry).await.unwrap();
        let september = runs.iter().find(|r| r.period == "2025-09").unwrap().id;
        let summary = scoring::run_record(&registry, september)
            .await
            .unwrap()
            .summary
            .unwrap();
        let counts = |kind: &str| {
            scoring::Summary::in_words(&summary.by_unit_type[kind], thuocdo_host::explain::Lang::En)
        };
        assert_eq!(counts("agency"), "4 excellent, 15 good, 5 completed");
        assert_eq!(counts("commune"), "10 excellent, 88 good, 26 completed");
        // The year: the quota lowered some excellent civil servants, who keep
        // their computed grade beside the final one.
        let year = runs.iter().find(|r| r.period == "2025").unwrap().id;
        let lowered: Vec<_> = scoring::results(&registry, year)
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.cohort_rule.is_some())
            .collect();
        assert!(!lowered.is_empty());
        for r in &lowered {
            assert_eq!(
                (r.computed_grade, r.grade),
                (Some(GradeCode::A), Some(GradeCode::B))
            );
            assert_eq!(r.cohort_rule.as_deref(), Some("excellent-quota"));
        }
        std::fs::remove_dir_all(dir).unwrap();
    });
}

#[test]
fn a_run_that_fails_before_commit_leaves_nothing_and_shows_failed() {
    on_every_database(|registry| async move {
        let (_, dir) = load_province(&registry).await;
        let failed =
            scoring::run_interrupted(&registry, &admin(), &RunOptions::period("2025-09")).await;
        let Err(Error::RunFailed { run, reason }) = failed else {
            panic!("{failed:?}")
        };
        assert!(reason.contains("interrupted"), "{reason}");
        let record = scoring::run_record(&registry, run).await.unwrap();
        assert_eq!(record.status, "failed");
        assert_eq!(count(&registry, "run_results").await, 0);
        assert!(scoring::results(&registry, run).await.is_err());
        let again = scoring::run(&registry, &admin(), &RunOptions::period("2025-09"))
            .await
            .unwrap();
        assert_eq!(
            count(&registry, "run_results").await,
            again.summary.scored as i64
        );
        assert_eq!(
            scoring::run_record(&registry, again.run)
                .await
                .unwrap()
                .status,
            "complete"
        );
        std::fs::remove_dir_all(dir).unwrap();
    });
}

#[test]
fn a_file_with_bad_rows_is_refused_whole_each_row_named() {
    on_every_database(|registry| async move {
        let (_, dir) = load_province(&registry).await;
        let before = (
            count(&registry, "fact_sheets").await,
            count(&registry, "fact_changes").await,
        );
        let csv = "subject_id,period,fact,value,source\n\
                   chu-tich-xa-an-lam,2025-10,tasks-assigned,20,ok row\n\
                   nobody,2025-10,tasks-assigned,20,unknown subject\n\
                   chu-tich-xa-an-lam,2025-10,tasks-asigned,20,unknown fact\n\
                   chu-tich-xa-an-lam,2025-10,citizen-satisfaction,101,out of range\n\
                   chu-tich-xa-an-lam,2025-10,tasks-completed,1O,malformed number\n\
                   chu-tich-xa-an-lam,2025-13,tasks-completed,10,malformed period\n\
                   chu-tich-xa-an-lam,2025-10,tasks-assigned,21,the same fact again\n\
                   chu-tich-xa-an-lam,2025-10,tasks-on-time,0.00001,too precise\n";
        let refused =
            thuocdo_host::facts::import(&registry, &admin(), "bad.csv", csv.as_bytes()).await;
        let Err(Error::BadRows { file, rows, .. }) = refused else {
            panic!("{refused:?}")
        };
        assert_eq!(file, "bad.csv");
        let at: Vec<&str> = rows.iter().map(|r| r.at.as_str()).collect();
        assert_eq!(
            at,
            [
                "line 3", "line 4", "line 5", "line 6", "line 7", "line 8", "line 9"
            ]
        );
        for (row, words) in rows.iter().zip([
            "subject `nobody`",
            "did you mean `tasks-assigned`",
            "outside its range 0 to 100",
            "`1O` of `tasks-completed` is not a decimal",
            "`2025-13` is not a period",
            "is 21 here and 20 at line 2",
            "at most four decimals",
        ]) {
            assert!(row.reason.contains(words), "{}: {}", row.at, row.reason);
        }
        let after = (
            count(&registry, "fact_sheets").await,
            count(&registry, "fact_changes").await,
        );
        assert_eq!(before, after);
        // A JSON file is checked the same way, by entry.
        let json = r#"[{"subject_id": "chu-tich-xa-an-lam", "period": "2025-10", "facts": {"tasks-assigned": 20.123456}}]"#;
        let refused =
            thuocdo_host::facts::import(&registry, &admin(), "bad.json", json.as_bytes()).await;
        assert!(
            matches!(&refused, Err(Error::BadRows { rows, .. }) if rows[0].at == "entry 1"),
            "{refused:?}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    });
}

#[test]
fn reimports_change_nothing_and_newer_values_sit_beside_older() {
    on_every_database(|registry| async move {
        let (_, dir) = load_province(&registry).await;
        let bytes = std::fs::read(dir.join("facts-2025-09.csv")).unwrap();
        let again = thuocdo_host::facts::import(&registry, &admin(), "facts-2025-09.csv", &bytes)
            .await
            .unwrap();
        assert_eq!((again.values_changed, again.import_id), (0, None));
        let newer = "subject_id,period,fact,value,source\nchu-tich-xa-an-lam,2025-09,citizen-satisfaction,99.95,\"Khảo sát, đợt 2\"\n";
        let done = thuocdo_host::facts::import(&registry, &admin(), "fix.csv", newer.as_bytes())
            .await
            .unwrap();
        assert_eq!((done.values_changed, done.sheets_changed), (1, 1));
        let history = sqlx::query("SELECT revision, facts FROM fact_changes WHERE subject = $1 AND period = $2 ORDER BY revision")
            .bind("chu-tich-xa-an-lam")
            .bind("2025-09")
            .fetch_all(registry.store().pool())
            .await
            .unwrap();
        assert_eq!(history.len(), 2);
        let latest: String = history[1].try_get("facts").unwrap();
        assert_eq!(
            latest,
            r#"{"citizen-satisfaction":["99.95","Khảo sát, đợt 2"]}"#
        );
        let earlier: String = history[0].try_get("facts").unwrap();
        assert!(earlier.contains("citizen-satisfaction"), "{earlier}");
        // The run records exactly the value it read.
        let report = scoring::run(&registry, &admin(), &RunOptions::period("2025-09"))
            .await
            .unwrap();
        let result = scoring::results(&registry, report.run)
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.subject == "chu-tich-xa-an-lam")
            .unwrap();
        let facts = result.facts.unwrap();
        assert_eq!(
            facts.get("citizen-satisfaction"),
            Some(Some(999_500)),
            "{facts:?}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    });
}

#[test]
fn cut_offs_and_official_runs_lock_a_period_until_reopened_with_a_reason() {
    on_every_database(|registry| async move {
        let (_, dir) = load_province(&registry).await;
        let row = "subject_id,period,fact,value,source\nchu-tich-xa-an-lam,2025-09,inspections-done,2,late\n";
        thuocdo_host::facts::freeze(&registry, &admin(), "2025-09")
            .await
            .unwrap();
        let refused =
            thuocdo_host::facts::import(&registry, &admin(), "late.csv", row.as_bytes()).await;
        assert!(
            matches!(&refused, Err(Error::Locked(m)) if m.contains("frozen")),
            "{refused:?}"
        );
        assert!(
            thuocdo_host::facts::reopen(&registry, &admin(), "2025-09", " ")
                .await
                .is_err()
        );
        thuocdo_host::facts::reopen(&registry, &admin(), "2025-09", "late survey results")
            .await
            .unwrap();
        thuocdo_host::facts::import(&registry, &admin(), "late.csv", row.as_bytes())
            .await
            .unwrap();

        let first = scoring::run(&registry, &admin(), &RunOptions::period("2025-09"))
            .await
            .unwrap()
            .run;
        let second = scoring::run(&registry, &admin(), &RunOptions::period("2025-09"))
            .await
            .unwrap()
            .run;
        scoring::publish(&registry, &admin(), first).await.unwrap();
        let refused = scoring::publish(&registry, &admin(), second).await;
        assert!(
            matches!(&refused, Err(Error::Locked(m)) if m.contains(&format!("official run {first}"))),
            "{refused:?}"
        );
        let refused = thuocdo_host::facts::import(
            &registry,
            &admin(),
            "late.csv",
            row.replace(",2,", ",3,").as_bytes(),
        )
        .await;
        assert!(
            matches!(&refused, Err(Error::Locked(m)) if m.contains("locked")),
            "{refused:?}"
        );
        // A unit admin elsewhere may not unlock the whole organisation.
        let outsider = Actor::unit_admin("ua@xa-an-lam", "xa-an-lam");
        assert!(matches!(
            scoring::unlock(&registry, &outsider, "2025-09", None, "x").await,
            Err(Error::Forbidden(_))
        ));
        scoring::unlock(&registry, &admin(), "2025-09", None, "a corrected survey")
            .await
            .unwrap();
        scoring::publish(&registry, &admin(), second).await.unwrap();
        let official = scoring::official_runs(&registry, true).await.unwrap();
        assert_eq!(official.iter().map(|o| o.run).collect::<Vec<_>>(), [second]);
        let actions: Vec<String> = registry
            .audit_log()
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        for a in [
            "facts-freeze",
            "facts-reopen",
            "publish-run",
            "unlock",
            "run-start",
            "run",
        ] {
            assert!(
                actions.iter().any(|x| x == a),
                "{a} missing from {actions:?}"
            );
        }
        let reopen = registry
            .audit_log()
            .await
            .unwrap()
            .into_iter()
            .find(|e| e.action == "unlock")
            .unwrap();
        assert_eq!(reopen.detail["reason"], "a corrected survey");
        std::fs::remove_dir_all(dir).unwrap();
    });
}

#[test]
fn verify_reproduces_an_honest_run_and_names_each_tampered_value() {
    on_every_database(|registry| async move {
        let (_, dir) = load_province(&registry).await;
        let run = scoring::run(&registry, &admin(), &RunOptions::period("2025"))
            .await
            .unwrap()
            .run;
        let progress = std::sync::Arc::new(scoring::Progress::default());
        let honest = scoring::verify(&registry, run, progress.clone())
            .await
            .unwrap();
        assert_eq!(honest.checked, 90);
        assert!(honest.fuel_compared);
        assert_eq!(honest.differences, []);
        sqlx::query("UPDATE run_results SET total = total + 1 WHERE run_id = $1 AND subject = $2")
            .bind(run)
            .bind("cong-chuc-xa-an-lam")
            .execute(registry.store().pool())
            .await
            .unwrap();
        sqlx::query("UPDATE run_results SET grade = 'A', cohort_rule = NULL WHERE run_id = $1 AND cohort_rule IS NOT NULL")
            .bind(run)
            .execute(registry.store().pool())
            .await
            .unwrap();
        let tampered = scoring::verify(&registry, run, progress).await.unwrap();
        let fields: Vec<(&str, &str)> = tampered
            .differences
            .iter()
            .map(|d| (d.subject.as_str(), d.field.as_str()))
            .collect();
        assert!(
            fields.contains(&("cong-chuc-xa-an-lam", "total")),
            "{fields:?}"
        );
        assert!(fields.iter().any(|(_, f)| *f == "grade"), "{fields:?}");
        assert!(
            fields.iter().any(|(_, f)| *f == "cohort_rule"),
            "{fields:?}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    });
}

#[test]
fn a_unit_admin_runs_within_their_subtree_and_cohorts_stay_whole() {
    on_every_database(|registry| async move {
        let (data, dir) = load_province(&registry).await;
        let ua = Actor::unit_admin("ua@so-noi-vu", "so-noi-vu");
        let everyone = scoring::run(&registry, &ua, &RunOptions::period("2025")).await;
        assert!(matches!(everyone, Err(Error::Forbidden(_))), "{everyone:?}");
        let own = RunOptions {
            unit: Some("so-noi-vu".into()),
            ..RunOptions::period("2025")
        };
        let report = scoring::run(&registry, &ua, &own).await.unwrap();
        let mine = stored_grades(&registry, report.run).await;
        let want: BTreeMap<String, &str> = expected(&data, "2025")
            .into_iter()
            .filter(|(id, _)| id.starts_with("cong-chuc-so-noi-vu"))
            .collect();
        assert_eq!(mine, want);
        let elsewhere = RunOptions {
            unit: Some("so-tai-chinh".into()),
            ..RunOptions::period("2025")
        };
        assert!(matches!(
            scoring::run(&registry, &ua, &elsewhere).await,
            Err(Error::Forbidden(_))
        ));
        std::fs::remove_dir_all(dir).unwrap();
    });
}

#[test]
fn a_yearly_card_reads_the_official_monthly_results() {
    on_every_database(|registry| async move {
        let (_, dir) = load_province(&registry).await;
        let september = scoring::run(&registry, &admin(), &RunOptions::period("2025-09"))
            .await
            .unwrap()
            .run;
        scoring::publish(&registry, &admin(), september)
            .await
            .unwrap();
        let monthly: HashMap<String, scoring::StoredResult> =
            scoring::results(&registry, september)
                .await
                .unwrap()
                .into_iter()
                .map(|r| (r.subject.clone(), r))
                .collect();
        let card = std::fs::read(thuocdo_tests::fixtures::ANNUAL_FROM_MONTHS).unwrap();
        registry.publish(&admin(), card).await.unwrap();
        // Chairs keep their monthly card and gain a yearly one: each run picks
        // the card for its kind of period.
        registry
            .assign(
                &admin(),
                "commune-chair",
                "test/annual-from-months",
                "^1",
                "tuyen-quang",
                "2024",
            )
            .await
            .unwrap();
        let year = scoring::run(&registry, &admin(), &RunOptions::period("2025"))
            .await
            .unwrap();
        let chairs: Vec<_> = scoring::results(&registry, year.run)
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.plugin == "test/annual-from-months")
            .collect();
        assert_eq!(chairs.len(), 124);
        for r in &chairs {
            let m = &monthly[&r.subject];
            let a = if m.grade == Some(GradeCode::A) {
                10_000
            } else {
                0
            };
            let want = scoring::FactValues::from(std::collections::BTreeMap::from([
                ("monthly-mean".to_string(), m.total),
                ("months-a".to_string(), Some(a)),
                ("months-graded".to_string(), Some(10_000)),
            ]));
            assert_eq!(r.facts, Some(want), "{}", r.subject);
            assert_eq!(r.total, m.total, "{}", r.subject);
        }
        // Once September is unlocked it is no longer official: nothing to draw.
        scoring::unlock(
            &registry,
            &admin(),
            "2025-09",
            None,
            "re-checking September",
        )
        .await
        .unwrap();
        let again = scoring::run(&registry, &admin(), &RunOptions::period("2025"))
            .await
            .unwrap();
        assert_eq!(again.summary.refused, 124, "{:?}", again.summary.problems);
        assert!(
            again.summary.problems[0].contains("monthly-mean"),
            "{:?}",
            again.summary.problems
        );
        std::fs::remove_dir_all(dir).unwrap();
    });
}

#[test]
fn a_bad_organisation_or_facts_file_names_each_fault_and_changes_nothing() {
    on_every_database(|registry| async move {
        let (_, dir) = load_province(&registry).await;
        let before = count(&registry, "units").await;
        let org: thuocdo_host::org::Organisation = serde_json::from_value(serde_json::json!({
            "units": [
                {"code": "xa-a", "name": "Xã A", "kind": "commune", "parent": "nowhere"},
                {"code": "xa-a", "name": "Xã A again", "kind": "commune", "parent": "tuyen-quang"},
                {"code": "has space", "name": "x", "kind": "commune"}
            ],
            "subjects": [
                {"id": "p1", "name": "P", "unit": "xa-missing", "post": "commune-chair"},
                {"id": "p2", "name": "P", "unit": "tuyen-quang", "post": "astronaut", "months_worked": 13}
            ],
            "assignments": [{"post_type": "commune-chair", "plugin": "tuyenquang/commune-official", "unit": "tuyen-quang", "from": "2025"}]
        }))
        .unwrap();
        let refused = thuocdo_host::org::import(&registry, &admin(), &org).await;
        let Err(Error::BadRows { rows, .. }) = refused else {
            panic!("{refused:?}")
        };
        let text: Vec<String> = rows.iter().map(ToString::to_string).collect();
        for words in [
            "units[0] (xa-a): parent `nowhere` is neither in the file nor known",
            "units[1] (xa-a): the same unit code appears twice",
            "units[2] (has space): a unit code must be non-empty",
            "subjects[0] (p1): unit `xa-missing` is neither in the file nor known",
            "subjects[1] (p2): post `astronaut` is neither in the file nor known",
            "subjects[1] (p2): months_worked must be 0 to 12",
            "assignments[0] (commune-chair): plugin `tuyenquang/commune-official` must be written namespace/name@requirement",
        ] {
            assert!(
                text.iter().any(|t| t.starts_with(words)),
                "{words} not in {text:#?}"
            );
        }
        assert_eq!(count(&registry, "units").await, before);

        let header = thuocdo_host::facts::import(
            &registry,
            &admin(),
            "h.csv",
            b"subject,period,fact,value\n",
        )
        .await;
        assert!(
            matches!(&header, Err(Error::BadFile(m)) if m.contains("subject_id,period,fact,value,source")),
            "{header:?}"
        );
        let json =
            thuocdo_host::facts::import(&registry, &admin(), "f.json", b"{\"rows\": 1}").await;
        assert!(
            matches!(&json, Err(Error::BadFile(m)) if m.contains("list of entries")),
            "{json:?}"
        );
        thuocdo_host::facts::freeze(&registry, &admin(), "2025-10")
            .await
            .unwrap();
        let twice = thuocdo_host::facts::freeze(&registry, &admin(), "2025-10").await;
        assert!(
            matches!(&twice, Err(Error::Refused(m)) if m.contains("already frozen")),
            "{twice:?}"
        );
        let open = thuocdo_host::facts::reopen(&registry, &admin(), "2025-11", "why").await;
        assert!(
            matches!(&open, Err(Error::Refused(m)) if m.contains("not frozen")),
            "{open:?}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    });
}

#[test]
fn two_publishes_or_unlocks_at_once_leave_at_most_one_official_run() {
    on_every_database(|registry| async move {
        let (_, dir) = load_province(&registry).await;
        let run = scoring::run(&registry, &admin(), &RunOptions::period("2025-09"))
            .await
            .unwrap()
            .run;
        let (one, other) = (admin(), Actor::admin("second@thuocdo"));
        for round in 0..100 {
            let (a, b) = tokio::join!(
                scoring::publish(&registry, &one, run),
                scoring::publish(&registry, &other, run),
            );
            let refused = [&a, &b]
                .iter()
                .filter(|r| matches!(r, Err(Error::Locked(_))))
                .count();
            assert!(
                a.is_ok() != b.is_ok() && refused == 1,
                "round {round}: {a:?} / {b:?}"
            );
            let (a, b) = tokio::join!(
                scoring::unlock(&registry, &one, "2025-09", None, "round"),
                scoring::unlock(&registry, &other, "2025-09", None, "round"),
            );
            let gone = [&a, &b]
                .iter()
                .filter(|r| matches!(r, Err(Error::NotFound(_))))
                .count();
            assert!(
                a.is_ok() != b.is_ok() && gone == 1,
                "round {round}: {a:?} / {b:?}"
            );
        }
        let publications = scoring::official_runs(&registry, false).await.unwrap();
        assert_eq!(
            publications
                .iter()
                .filter(|o| o.period == "2025-09")
                .count(),
            100
        );
        assert!(publications.iter().all(|o| o.unlocked.is_some()));
        std::fs::remove_dir_all(dir).unwrap();
    });
}

/// The sheet in force for a subject and period: name → ten-thousandths.
async fn sheet_of(registry: &Registry, subject: &str, period: &str) -> BTreeMap<String, i64> {
    let text: String =
        sqlx::query("SELECT facts FROM fact_sheets WHERE subject = $1 AND period = $2")
            .bind(subject.to_string())
            .bind(period.to_string())
            .fetch_one(registry.store().pool())
            .await
            .unwrap()
            .try_get("facts")
            .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The newest audit entry's id with this action.
async fn last_audit(registry: &Registry, action: &str) -> i64 {
    sqlx::query("SELECT MAX(id) AS id FROM audit_log WHERE action = $1")
        .bind(action.to_string())
        .fetch_one(registry.store().pool())
        .await
        .unwrap()
        .try_get("id")
        .unwrap()
}

/// A subject of September 2025 with two facts that are not zero: who, and
/// the two facts with their values.
fn two_facts(data: &DataSet) -> (String, [(&'static str, String); 2]) {
    let (subject, facts) = data.facts["2025-09"]
        .iter()
        .find(|(_, f)| f.iter().filter(|(_, v)| v != "0").count() >= 2)
        .unwrap();
    let mut named = facts.iter().filter(|(_, v)| v != "0").cloned();
    (
        subject.clone(),
        [named.next().unwrap(), named.next().unwrap()],
    )
}

fn one_value(subject: &str, fact: &str, value: &str) -> Vec<u8> {
    format!("subject_id,period,fact,value,source\n{subject},2025-09,{fact},{value},race\n")
        .into_bytes()
}

#[test]
fn two_imports_of_one_sheet_at_once_lose_no_value() {
    on_every_database(|registry| async move {
        let (data, dir) = load_province(&registry).await;
        let (subject, [(f1, v1), (f2, v2)]) = two_facts(&data);
        for round in 0..100 {
            // Each round changes both facts, one per import, so a lost
            // update leaves last round's value behind.
            let (a1, a2) = if round % 2 == 0 {
                ("0", "0")
            } else {
                (v1.as_str(), v2.as_str())
            };
            let (x, y) = (one_value(&subject, f1, a1), one_value(&subject, f2, a2));
            let me = admin();
            let (a, b) = tokio::join!(
                thuocdo_host::facts::import(&registry, &me, "a.csv", &x),
                thuocdo_host::facts::import(&registry, &me, "b.csv", &y),
            );
            assert_eq!(a.unwrap().values_changed, 1, "round {round}");
            assert_eq!(b.unwrap().values_changed, 1, "round {round}");
            let sheet = sheet_of(&registry, &subject, "2025-09").await;
            assert_eq!(
                (sheet[f1], sheet[f2]),
                (
                    Fixed::parse(a1).unwrap().raw(),
                    Fixed::parse(a2).unwrap().raw()
                ),
                "round {round}: a value was lost"
            );
        }
        std::fs::remove_dir_all(dir).unwrap();
    });
}

#[test]
fn an_import_beside_a_publish_lands_before_it_or_is_refused() {
    on_every_database(|registry| async move {
        let (data, dir) = load_province(&registry).await;
        let (subject, [(fact, value), _]) = two_facts(&data);
        let run = scoring::run(&registry, &admin(), &RunOptions::period("2025-09"))
            .await
            .unwrap()
            .run;
        let mut refused = 0;
        for round in 0..100 {
            let v = if round % 2 == 0 { "0" } else { value.as_str() };
            let file = one_value(&subject, fact, v);
            let me = admin();
            let (published, imported) = tokio::join!(
                scoring::publish(&registry, &me, run),
                thuocdo_host::facts::import(&registry, &me, "late.csv", &file),
            );
            published.unwrap();
            match imported {
                // Landed: then before the publish, never after it.
                Ok(i) => {
                    assert_eq!(i.values_changed, 1, "round {round}");
                    assert!(
                        last_audit(&registry, "facts-import").await
                            < last_audit(&registry, "publish-run").await,
                        "round {round}: an import landed after the period was locked"
                    );
                }
                Err(Error::Locked(m)) => {
                    assert!(m.contains("locked"), "{m}");
                    refused += 1;
                    // Put the value in place for the next round's change.
                    scoring::unlock(&registry, &admin(), "2025-09", None, "race")
                        .await
                        .unwrap();
                    thuocdo_host::facts::import(&registry, &admin(), "late.csv", &file)
                        .await
                        .unwrap();
                    continue;
                }
                Err(e) => panic!("round {round}: {e:?}"),
            }
            scoring::unlock(&registry, &admin(), "2025-09", None, "race")
                .await
                .unwrap();
        }
        eprintln!("{refused} of 100 imports came after the publish and were refused");
        std::fs::remove_dir_all(dir).unwrap();
    });
}

#[test]
fn a_unit_admin_changes_only_what_is_inside_their_subtree_now() {
    use thuocdo_host::org::{Organisation, UnitRecord};
    on_every_database(|registry| async move {
        let (data, dir) = load_province(&registry).await;
        let org = &data.organisation;
        let ua = Actor::unit_admin("ua@so-noi-vu", "so-noi-vu");
        let outside = org
            .units
            .iter()
            .find(|u| u.code == "so-tai-chinh")
            .unwrap()
            .clone();
        let before = count(&registry, "audit_log").await;
        let refused = |r: &Result<_, Error>, words: &str| matches!(r, Err(Error::BadRows { rows, .. }) if rows.iter().any(|row| row.reason.contains(words)));

        // Taking a unit over: placed inside, but outside now.
        let take = Organisation {
            units: vec![UnitRecord {
                parent: Some("so-noi-vu".into()),
                ..outside.clone()
            }],
            ..Default::default()
        };
        let r = thuocdo_host::org::import(&registry, &ua, &take).await;
        assert!(refused(&r, "outside ua@so-noi-vu's subtree"), "{r:?}");
        // Moving someone in from elsewhere.
        let mut stranger = org
            .subjects
            .iter()
            .find(|s| s.unit == "so-tai-chinh")
            .unwrap()
            .clone();
        stranger.unit = "so-noi-vu".into();
        let moved = Organisation {
            subjects: vec![stranger],
            ..Default::default()
        };
        let r = thuocdo_host::org::import(&registry, &ua, &moved).await;
        assert!(refused(&r, "takes an admin"), "{r:?}");
        let said = format!("{r:?}").replace(&moved.subjects[0].id, "X");
        assert!(!said.contains("so-tai-chinh"), "where they are: {said}");
        // Facts of someone outside the subtree are refused in the very words
        // used for someone who does not exist.
        let csv = format!(
            "subject_id,period,fact,value,source\n{},2025-10,disciplined,0,t\nno-such-person,2025-10,disciplined,0,t\n",
            moved.subjects[0].id
        );
        let r = thuocdo_host::facts::import(&registry, &ua, "f.csv", csv.as_bytes()).await;
        let Err(Error::BadRows { rows, .. }) = &r else {
            panic!("{r:?}")
        };
        let said: Vec<String> = rows
            .iter()
            .map(|row| {
                row.reason
                    .replace(&moved.subjects[0].id, "X")
                    .replace("no-such-person", "X")
            })
            .collect();
        assert_eq!(said.len(), 2, "{said:?}");
        assert_eq!(said[0], said[1]);
        assert!(
            said[0].contains("is not in ua@so-noi-vu's subtree"),
            "{said:?}"
        );
        // Choosing what the public sees.
        let new = UnitRecord {
            code: "so-noi-vu-to-1".into(),
            name: "Tổ 1".into(),
            kind: "team".into(),
            parent: Some("so-noi-vu".into()),
            publishes_people: false,
            grades_only: false,
            within_agency: false,
            leader_posts: Vec::new(),
        };
        let r = thuocdo_host::org::import(
            &registry,
            &ua,
            &Organisation {
                units: vec![new.clone()],
                ..Default::default()
            },
        )
        .await;
        assert!(refused(&r, "publishes_people must stay true"), "{r:?}");
        assert_eq!(count(&registry, "audit_log").await, before);

        // Inside, as the parent publishes: written, and a rename is audited
        // with its before and after.
        let inside = UnitRecord {
            publishes_people: true,
            grades_only: false,
            ..new
        };
        for name in ["Tổ 1", "Tổ Một"] {
            let doc = Organisation {
                units: vec![UnitRecord {
                    name: name.into(),
                    ..inside.clone()
                }],
                ..Default::default()
            };
            thuocdo_host::org::import(&registry, &ua, &doc)
                .await
                .unwrap();
        }
        let detail: String = sqlx::query(
            "SELECT detail FROM audit_log WHERE action = 'organisation' ORDER BY id DESC LIMIT 1",
        )
        .fetch_one(registry.store().pool())
        .await
        .unwrap()
        .try_get("detail")
        .unwrap();
        let detail: serde_json::Value = serde_json::from_str(&detail).unwrap();
        assert_eq!(detail["changed"]["units"][0]["before"]["name"], "Tổ 1");
        assert_eq!(detail["changed"]["units"][0]["after"]["name"], "Tổ Một");
        assert_eq!(detail["changed"]["units_added"], 0);

        // An assignment that cannot be made takes the whole document back.
        let taken = &org.assignments[0];
        let other = org
            .assignments
            .iter()
            .find(|a| a.plugin != taken.plugin)
            .unwrap();
        let units = count(&registry, "units").await;
        let clash = Organisation {
            units: vec![UnitRecord {
                code: "so-noi-vu-to-2".into(),
                ..inside
            }],
            assignments: vec![thuocdo_host::org::AssignmentRecord {
                plugin: other.plugin.clone(),
                ..taken.clone()
            }],
            ..Default::default()
        };
        let r = thuocdo_host::org::import(&registry, &admin(), &clash).await;
        assert!(refused(&r, "is assigned already"), "{r:?}");
        assert_eq!(count(&registry, "units").await, units);
        std::fs::remove_dir_all(dir).unwrap();
    });
}

#[test]
fn a_run_without_a_place_or_an_instance_fails_whole_as_the_hosts_doing() {
    use thuocdo_host::runtime::{EvaluationInput, Runtime, RuntimeConfig, Subject};
    use thuocdo_host::store::{Database, Store};
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let runtime = Arc::new(
            Runtime::with_config(RuntimeConfig {
                max_instances: 4,
                ..RuntimeConfig::default()
            })
            .unwrap(),
        );
        let n = DIRS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("thuocdo-busy-{}-{n}", std::process::id()));
        let store = Store::open(&Database::Sqlite(dir.join("thuocdo.db")))
            .await
            .unwrap();
        let registry = Registry::new(store.clone(), runtime.clone());
        let (_, data_dir) = load_province(&registry).await;
        let period = RunOptions::period("2025-09");

        // Every place taken: refused before anything is written.
        let runs = count(&registry, "runs").await;
        let places: Vec<_> = std::iter::from_fn(|| runtime.take_job()).collect();
        assert_eq!(places.len(), runtime.max_jobs());
        let busy = scoring::run(&registry, &admin(), &period).await;
        assert!(
            matches!(&busy, Err(Error::Busy(m)) if m.contains("the most it takes at once")),
            "{busy:?}"
        );
        assert_eq!(count(&registry, "runs").await, runs);
        drop(places);

        // Every instance held elsewhere: the run fails whole, its subjects
        // are not blamed on their scorecards, and nothing of it is visible.
        let plugin = runtime.load(BUNDLED[0].wasm).unwrap();
        let input = EvaluationInput {
            subject: Subject {
                id: "holder".into(),
                unit: "unit".into(),
                position: "test".into(),
            },
            period: "2025-09".into(),
            facts: vec![None; plugin.info.facts.len()],
            products: Vec::new(),
        };
        let mut lane = runtime.lane(4);
        for _ in 0..4 {
            lane.evaluate(&plugin, &input).unwrap();
        }
        let starved = scoring::run(&registry, &admin(), &period).await;
        let Err(Error::RunFailed { run, reason }) = &starved else {
            panic!("{starved:?}")
        };
        assert!(reason.contains("out of plugin instances"), "{reason}");
        assert_eq!(
            scoring::run_record(&registry, *run).await.unwrap().status,
            "failed"
        );
        assert_eq!(count(&registry, "run_results").await, 0);

        // Instances back: the same run completes.
        drop(lane);
        scoring::run(&registry, &admin(), &period).await.unwrap();
        store.close().await;
        std::fs::remove_dir_all(dir).unwrap();
        std::fs::remove_dir_all(data_dir).unwrap();
    });
}

#[test]
fn a_file_of_many_bad_rows_names_the_first_thousand_and_counts_them_all() {
    on_every_database(|registry| async move {
        let mut csv = String::from("subject_id,period,fact,value,source\n");
        for i in 0..5000 {
            csv.push_str(&format!("nobody-{i},2025-09,tasks-assigned,1,s\n"));
        }
        let refused =
            thuocdo_host::facts::import(&registry, &admin(), "bad.csv", csv.as_bytes()).await;
        let Err(e @ Error::BadRows { .. }) = refused else {
            panic!("{refused:?}")
        };
        assert!(
            e.to_string()
                .starts_with("bad.csv: 5000 bad rows, nothing loaded"),
            "{e}"
        );
        let Error::BadRows { rows, total, .. } = e else {
            unreachable!()
        };
        assert_eq!((rows.len(), total), (1000, 5000));
        assert_eq!(rows[999].at, "line 1001");
        assert_eq!(count(&registry, "fact_sheets").await, 0);
    });
}

#[test]
fn a_run_whose_database_stops_is_marked_failed_and_the_next_one_completes() {
    use thuocdo_host::runtime::Runtime;
    use thuocdo_host::scoring::Progress;
    use thuocdo_host::store::{Database, Store};
    let Some(cluster) = crate::db::Cluster::start("stopped") else {
        return;
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = Store::open(&Database::Postgres(cluster.url()))
            .await
            .unwrap();
        let registry = Arc::new(Registry::new(
            store.clone(),
            Arc::new(Runtime::new().unwrap()),
        ));
        let (_, dir) = load_province(&registry).await;
        let progress = Arc::new(Progress::default());
        let options = RunOptions {
            progress: progress.clone(),
            ..RunOptions::period("2025-09")
        };
        let running = tokio::spawn({
            let registry = registry.clone();
            async move { scoring::run(&registry, &admin(), &options).await }
        });
        let run = progress.run_id().await;
        cluster.stop_now();
        // Down for longer than the pool waits for a connection (30 s), so the
        // run cannot just carry on once the server is back.
        tokio::time::sleep(std::time::Duration::from_secs(35)).await;
        cluster.start_again();
        let outcome = running.await.unwrap();
        assert!(
            matches!(&outcome, Err(Error::RunFailed { run: r, .. }) if *r == run),
            "{outcome:?}"
        );
        let record = scoring::run_record(&registry, run).await.unwrap();
        assert_eq!(record.status, "failed");
        let results: i64 = sqlx::query("SELECT COUNT(*) AS n FROM run_results WHERE run_id = $1")
            .bind(run)
            .fetch_one(registry.store().pool())
            .await
            .unwrap()
            .try_get("n")
            .unwrap();
        assert_eq!(results, 0, "a failed run's results are visible");
        let next = scoring::run(&registry, &admin(), &RunOptions::period("2025-09"))
            .await
            .unwrap();
        assert_eq!(
            scoring::run_record(&registry, next.run)
                .await
                .unwrap()
                .status,
            "complete"
        );
        store.close().await;
        std::fs::remove_dir_all(dir).unwrap();
    });
    drop(cluster);
}

#[test]
fn an_organisation_document_is_read_an_entry_at_a_time_in_any_order() {
    on_every_database(|registry| async move {
        let (_, dir) = load_province(&registry).await;
        let subjects_before = count(&registry, "subjects").await;
        // Subjects first, units and posts after them; bad entries of each
        // kind named by their place, and nothing written.
        let doc = serde_json::json!({
            "subjects": [
                {"id": "s-1", "name": "A", "unit": "xa-stream", "post": "stream-post"},
                {"id": "s-2", "name": "B", "post": "stream-post"},
                {"id": "s-3", "name": "C", "unit": "xa-stream", "post": "stream-post", "months_worked": "many"},
                {"id": "s-1", "name": "A again", "unit": "xa-stream", "post": "stream-post"}
            ],
            "units": [{"code": "xa-stream", "name": "Xã Dòng", "kind": "commune", "parent": "tuyen-quang"}],
            "posts": [{"code": "stream-post", "title": "Công chức", "task_group": "office"},
                      {"code": "other-post", "title": "Khác", "task_group": "office", "grade": 3}]
        });
        let refused = thuocdo_host::org::import_from(
            &registry,
            &admin(),
            std::io::Cursor::new(serde_json::to_vec(&doc).unwrap()),
        )
        .await;
        let Err(Error::BadRows { rows, total, .. }) = refused else {
            panic!("{refused:?}")
        };
        let text: Vec<String> = rows.iter().map(ToString::to_string).collect();
        for words in [
            "subjects[1] (s-2): missing field `unit`",
            "subjects[2] (s-3): invalid type: string \"many\"",
            "subjects[3] (s-1): the same subject id appears twice",
            "posts[1] (other-post): unknown field `grade`",
        ] {
            assert!(
                text.iter().any(|t| t.starts_with(words)),
                "{words} not in {text:#?}"
            );
        }
        assert_eq!(total, 4, "{text:#?}");
        assert_eq!(count(&registry, "subjects").await, subjects_before);
        assert!(!registry.store().unit_exists("xa-stream").await.unwrap());

        // 2,500 people before their unit and post: all written.
        let people = |name: &str| -> Vec<serde_json::Value> {
            (0..2500)
                .map(|n| serde_json::json!({"id": format!("stream-{n:04}"), "name": format!("{name} {n}"),
                    "unit": "xa-stream", "post": "stream-post"}))
                .collect()
        };
        let doc = |name: &str| {
            serde_json::to_vec(&serde_json::json!({
                "subjects": people(name),
                "units": [{"code": "xa-stream", "name": "Xã Dòng", "kind": "commune", "parent": "tuyen-quang"}],
                "posts": [{"code": "stream-post", "title": "Công chức", "task_group": "office"}]
            }))
            .unwrap()
        };
        let done =
            thuocdo_host::org::import_from(&registry, &admin(), std::io::Cursor::new(doc("Người")))
                .await
                .unwrap();
        assert_eq!((done.units, done.posts, done.subjects), (1, 1, 2500));
        assert_eq!(count(&registry, "subjects").await, subjects_before + 2500);
        // Renamed, all of them: the audit lists every before and after, a
        // thousand to an entry, and the import's own entry counts them.
        let first = last_audit(&registry, "organisation").await;
        thuocdo_host::org::import_from(&registry, &admin(), std::io::Cursor::new(doc("Cán bộ")))
            .await
            .unwrap();
        let log: Vec<_> = registry
            .audit_log()
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.id > first && e.action == "organisation")
            .collect();
        let listed: Vec<usize> = log
            .iter()
            .filter(|e| e.subject == "import: subjects changed")
            .map(|e| e.detail["subjects"].as_array().unwrap().len())
            .collect();
        assert_eq!(listed, [1000, 1000, 500]);
        let main = log.iter().find(|e| e.subject == "import").unwrap();
        assert_eq!(main.detail["subjects_changed"], 2500, "{}", main.detail);
        assert_eq!(main.detail["subject_change_entries"], 3);
        let one = &log[0].detail["subjects"][0];
        assert_eq!(one["before"]["name"], "Người 0", "{one}");
        assert_eq!(one["after"]["name"], "Cán bộ 0", "{one}");
        std::fs::remove_dir_all(dir).unwrap();
    });
}

#[test]
fn facts_are_committed_under_the_deployments_key_and_survive_its_rotation() {
    use thuocdo_host::access::keyring::{self, FACTS, Keys};
    on_every_database(|registry| async move {
        let (_, dir) = load_province(&registry).await;
        let first = scoring::run(&registry, &admin(), &RunOptions::period("2025-09"))
            .await
            .unwrap()
            .run;
        let stored = scoring::results(&registry, first).await.unwrap();
        let keys = Keys::open(registry.store(), FACTS).await.unwrap();
        assert_eq!(keys.current(), "facts-1");
        let scored: Vec<_> = stored.iter().filter(|r| r.facts.is_some()).collect();
        assert!(!scored.is_empty());
        for r in &scored {
            let facts = r.facts.as_ref().unwrap().to_json();
            // Keyed: not the plain hash anyone could test guesses against.
            assert!(
                r.facts_sha256.starts_with("hmac-sha256:facts-1:"),
                "{}",
                r.facts_sha256
            );
            assert_ne!(
                r.facts_sha256,
                thuocdo_host::runtime::sha256_hex(facts.as_bytes())
            );
            assert_eq!(keys.check(&r.facts_sha256, facts.as_bytes()), Some(true));
        }

        // A new key signs from now on; the old run still verifies.
        let second_key = keyring::rotate(registry.store(), FACTS).await.unwrap();
        assert_eq!(second_key, "facts-2");
        let second = scoring::run(&registry, &admin(), &RunOptions::period("2025-09"))
            .await
            .unwrap()
            .run;
        let again = scoring::results(&registry, second).await.unwrap();
        assert!(
            again
                .iter()
                .filter(|r| r.facts.is_some())
                .all(|r| r.facts_sha256.starts_with("hmac-sha256:facts-2:"))
        );
        let progress = std::sync::Arc::new(scoring::Progress::default());
        for run in [first, second] {
            let verified = scoring::verify(&registry, run, progress.clone())
                .await
                .unwrap();
            assert_eq!(verified.differences, [], "run {run}");
        }
        let listed = keyring::list(registry.store()).await.unwrap();
        let ids: Vec<(&str, bool)> = listed
            .iter()
            .map(|k| (k.id.as_str(), k.retired_at.is_some()))
            .collect();
        assert_eq!(ids, [("facts-1", true), ("facts-2", false)]);

        // Facts changed behind the run's back are named by verify.
        let subject = &scored[0].subject;
        sqlx::query("UPDATE run_results SET facts = $1 WHERE run_id = $2 AND subject = $3")
            .bind("{}")
            .bind(first)
            .bind(subject.clone())
            .execute(registry.store().pool())
            .await
            .unwrap();
        let tampered = scoring::verify(&registry, first, progress).await.unwrap();
        assert!(
            tampered
                .differences
                .iter()
                .any(|d| &d.subject == subject && d.field == "facts_sha256"),
            "{:?}",
            tampered.differences
        );
        std::fs::remove_dir_all(dir).unwrap();
    });
}

/// The cohorts of the 2025 run: (unit, task group) → the results in it.
fn cohorts(
    results: &[scoring::StoredResult],
) -> BTreeMap<(String, String), Vec<&scoring::StoredResult>> {
    let mut out: BTreeMap<(String, String), Vec<&scoring::StoredResult>> = BTreeMap::new();
    for r in results
        .iter()
        .filter(|r| r.cohort_rule.is_some() || r.computed_grade.is_some())
    {
        out.entry((r.unit.clone(), r.task_group.clone()))
            .or_default()
            .push(r);
    }
    out
}

#[test]
fn an_exempted_subject_is_not_evaluated_left_out_of_the_quota_and_verify_agrees() {
    on_every_database(|registry| async move {
        let (_, dir) = load_province(&registry).await;
        let before = scoring::run(&registry, &admin(), &RunOptions::period("2025"))
            .await
            .unwrap();
        let results = scoring::results(&registry, before.run).await.unwrap();
        // A cohort where the quota lowered someone, and one of its good.
        let (key, members) = cohorts(&results)
            .into_iter()
            .find(|(_, m)| m.iter().any(|r| r.cohort_rule.is_some()))
            .expect("the quota lowers someone in 2025");
        let good = members
            .iter()
            .find(|r| r.computed_grade == Some(GradeCode::B))
            .map(|r| r.subject.clone())
            .expect("the cohort has a good one");
        let new = thuocdo_host::org::exemptions::NewExemption {
            reason: "maternity leave from March".into(),
            basis: Some("Decree 335/2025/ND-CP".into()),
        };
        use thuocdo_host::org::exemptions::{exempt, lift};
        // A unit admin elsewhere hears what they would of a subject that
        // does not exist.
        let units = scoring::Units::load(&registry).await.unwrap();
        let elsewhere = ["xa-an-lam", "so-noi-vu"]
            .into_iter()
            .find(|u| !units.within(&key.0, u))
            .unwrap();
        let outsider = Actor::unit_admin("outsider@thuocdo", elsewhere);
        let hidden = exempt(&registry, &outsider, &good, "2025", &new)
            .await
            .unwrap_err()
            .to_string();
        let missing = exempt(&registry, &outsider, "nobody", "2025", &new)
            .await
            .unwrap_err()
            .to_string();
        assert_eq!(hidden.replace(&good, "X"), missing.replace("nobody", "X"));
        let blank = thuocdo_host::org::exemptions::NewExemption {
            reason: " ".into(),
            basis: None,
        };
        let refused = exempt(&registry, &admin(), &good, "2025", &blank)
            .await
            .unwrap_err();
        assert!(refused.to_string().contains("needs a reason"), "{refused}");
        let long = thuocdo_host::org::exemptions::NewExemption {
            reason: "x".repeat(501),
            basis: None,
        };
        let refused = exempt(&registry, &admin(), &good, "2025", &long)
            .await
            .unwrap_err();
        assert!(
            refused.to_string().contains("longer than 500 characters"),
            "{refused}"
        );
        let none = lift(&registry, &admin(), &good, "2025").await.unwrap_err();
        assert!(
            none.to_string().contains("has no exemption for 2025"),
            "{none}"
        );
        exempt(&registry, &admin(), &good, "2025", &new)
            .await
            .unwrap();
        assert!(last_audit(&registry, "exempt").await > 0);

        let after = scoring::run(&registry, &admin(), &RunOptions::period("2025"))
            .await
            .unwrap();
        assert_eq!(after.summary.not_evaluated, 1);
        assert_eq!(after.summary.scored, before.summary.scored - 1);
        let results = scoring::results(&registry, after.run).await.unwrap();
        let row = results.iter().find(|r| r.subject == good).unwrap();
        assert_eq!(row.outcome, scoring::Outcome::NotEvaluated);
        assert_eq!((row.total, row.grade), (None, None));
        assert_eq!(
            row.error.as_deref(),
            Some("not evaluated for 2025: maternity leave from March (Decree 335/2025/ND-CP)")
        );
        // The cohort keeps as many excellent as 20 % of its good, counted
        // without the exempted one (rounded down, before demotion).
        let cohort = &cohorts(&results)[&key];
        assert!(cohort.iter().all(|r| r.subject != good));
        let good_count = cohort
            .iter()
            .filter(|r| r.computed_grade == Some(GradeCode::B))
            .count();
        let kept_a = cohort
            .iter()
            .filter(|r| r.grade == Some(GradeCode::A))
            .count();
        let computed_a = cohort
            .iter()
            .filter(|r| r.computed_grade == Some(GradeCode::A))
            .count();
        assert_eq!(kept_a, computed_a.min(good_count / 5), "{key:?}");

        let progress = Arc::new(scoring::Progress::default());
        let verified = scoring::verify(&registry, after.run, progress.clone())
            .await
            .unwrap();
        assert_eq!(verified.differences, []);
        // Lifted after the run, the run no longer stands, and verify says so.
        lift(&registry, &admin(), &good, "2025").await.unwrap();
        let lifted = scoring::verify(&registry, after.run, progress)
            .await
            .unwrap();
        assert!(
            lifted
                .differences
                .iter()
                .any(|d| d.subject == good && d.field == "error"),
            "{:?}",
            lifted.differences
        );
        // And an official run locks the period's exemptions as it locks facts.
        scoring::publish(&registry, &admin(), after.run)
            .await
            .unwrap();
        let locked = exempt(&registry, &admin(), &good, "2025", &new)
            .await
            .unwrap_err();
        assert!(matches!(locked, Error::Locked(_)), "{locked}");
        std::fs::remove_dir_all(dir).unwrap();
    });
}
