//! `thuocdo demo`: the bundled scorecards published into the data directory's
//! registry (again on a second run: publishing is idempotent), each loaded from
//! there in the sandbox and scoring its example subjects; then the generated
//! demo province loaded, September 2025 run and published as the official run,
//! and its grade distribution printed per unit type. Run again, it reuses the
//! official run already there.

use std::collections::BTreeMap;
use std::time::Instant;

use serde_json::json;

use super::registry::with_registry;
use super::{Error, render};
use crate::access::Actor;
use crate::bundled::BUNDLED;
use crate::config::Config;
use crate::gendata;
use crate::input::NamedInput;
use crate::registry::Registry;
use crate::scoring::{self, RunOptions};

/// The period the demo runs.
const PERIOD: &str = "2025-09";
/// The seed of the demo province.
const SEED: u64 = 2025;

/// Publishes, then prints the catalogue and every example's grade.
pub fn run(config: &Config, json: bool, serve: Option<&str>) -> Result<(), Error> {
    let demo = Actor::admin("demo@local");
    let report = with_registry(config, |registry| async move {
        if !json {
            println!(
                "data: {} ({})\nsandbox: {}\n",
                config.data_dir.display(),
                config.database_url.as_deref().unwrap_or("embedded SQLite"),
                registry.runtime().mode()
            );
        }
        let mut report = Vec::new();
        for bundled in BUNDLED {
            let published = registry.publish(&demo, bundled.wasm.to_vec()).await?;
            let record = &published.record;
            let started = Instant::now();
            let plugin = registry.plugin(&record.name, &record.version).await?;
            let loaded = started.elapsed();
            let examples: Vec<NamedInput> =
                serde_json::from_str(bundled.examples).map_err(|e| {
                    Error::BadInput(format!("plugins/{}/examples.json: {e}", bundled.crate_name))
                })?;
            let info = &plugin.info;
            if !json {
                println!(
                    "{} {} — {} / {}\n  {}, {} facts, {} indicators, {} KiB, {}, loaded in {} ms",
                    info.name,
                    info.version,
                    info.title.vi,
                    info.title.en,
                    crate::view::period_kind(info.period_kind),
                    info.facts.len(),
                    info.indicators.len(),
                    bundled.wasm.len() / 1024,
                    if published.created {
                        "published now"
                    } else {
                        "already published"
                    },
                    loaded.as_millis()
                );
            }
            let mut grades: BTreeMap<&str, usize> = BTreeMap::new();
            let mut scored = Vec::new();
            for example in &examples {
                let input = example.to_input(info).map_err(Error::BadInput)?;
                match registry.runtime().evaluate(&plugin, &input)?.answer {
                    Ok(eval) => {
                        *grades.entry(render::grade(eval.grade)).or_default() += 1;
                        if !json {
                            println!(
                                "  {:<24} {:>7} {}",
                                input.subject.id,
                                render::num(eval.total),
                                render::grade(eval.grade)
                            );
                        }
                        scored.push(json!({"subject": input.subject.id, "evaluation": crate::view::evaluation_json(info, &eval, "")}));
                    }
                    Err(e) => {
                        let message = render::evaluation_error(info, &e);
                        if !json {
                            println!("  {:<24} refused: {message}", input.subject.id);
                        }
                        scored.push(json!({"subject": input.subject.id, "error": message}));
                    }
                }
            }
            if !json {
                let summary: Vec<String> = grades.iter().map(|(g, n)| format!("{n} {g}")).collect();
                println!("  grades: {}\n", summary.join(", "));
            }
            report.push(json!({"plugin": info.name, "version": info.version, "sha256": record.sha256, "results": scored}));
        }
        let run = province(config, &registry, &demo, json).await?;
        let report = json!({"catalogue": report, "run": run});
        if let Some(listen) = serve {
            if json {
                println!("{report}");
            }
            let (secret, _) = crate::access::tokens::create(
                registry.store(),
                &demo.name,
                "demo",
                &crate::access::Role::Admin,
            )
            .await?;
            println!("\nadmin token (shown once): {secret}");
            println!("  curl -H 'Authorization: Bearer {secret}' http://{listen}/api/v1/runs");
            println!("dashboard: http://{listen}/ (sign in with the token to see personal facts)");
            super::serve::serve_until_interrupted(config, registry, listen).await?;
            return Ok(None);
        }
        Ok(Some(report))
    })?;
    if let (true, Some(report)) = (json, report) {
        println!("{report}");
    }
    Ok(())
}

/// The year's assessments of the civil servants of two agencies: complete
/// for the first (each servant's self-assessment, the collective's
/// comments, the director's points, which are those the facts hold), in
/// progress for the second (three self-assessed, one of them commented on
/// by the collective, the rest not started and overdue by the province's
/// calendar). What it did, in a sentence.
async fn assessments(registry: &Registry, demo: &Actor) -> Result<String, Error> {
    use crate::assessment::{
        self, CalendarSetting, CollectiveComments, ManagerAssessment, Points, SelfAssessment,
    };
    const YEAR: &str = "2025";
    const CRITERIA: [&str; 3] = [
        "politics-ethics",
        "working-style",
        "discipline-responsibility",
    ];
    let failed = |e: assessment::Error| Error::Failed(format!("the demo's assessments: {e}"));
    let calendar = CalendarSetting {
        steps: [
            ("self-assessment", "05"),
            ("collective", "10"),
            ("direct-manager", "15"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
    };
    assessment::set_calendar(registry, demo, "tuyen-quang", "year", &calendar)
        .await
        .map_err(failed)?;
    let ids = |agency: &str| {
        (1..=6)
            .map(|i| format!("cong-chuc-{agency}-{i}"))
            .collect::<Vec<_>>()
    };
    let sheets = |ids: Vec<String>| async move {
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let mut tx = registry.store().begin().await?;
        let rows = tx.sheets_of(YEAR, &refs).await?;
        tx.commit().await?;
        Ok::<_, crate::store::Error>(rows)
    };
    let points = |sheet: &BTreeMap<String, i64>, raise: bool| -> BTreeMap<String, Points> {
        CRITERIA
            .iter()
            .enumerate()
            .filter_map(|(k, c)| {
                let raw = *sheet.get(*c)?;
                // Some servants think a little better of themselves.
                let raw = if raise && k == 0 {
                    (raw + 5_000).min(100_000)
                } else {
                    raw
                };
                Some((
                    c.to_string(),
                    Points::Text(thuocdo_sdk::Fixed::from_raw(raw).to_string()),
                ))
            })
            .collect()
    };
    let minutes = |date: &str| CollectiveComments {
        date: date.into(),
        attended: vec![
            "Giám đốc Sở".into(),
            "Phó Giám đốc Sở".into(),
            "Trưởng phòng".into(),
        ],
        text: "Tập thể nhất trí với bản tự đánh giá và đề nghị của người quản lý.".into(),
        votes_for: Some(3),
        votes_against: Some(0),
        points: BTreeMap::new(),
    };
    let mut done = (0, 0, 0);
    for (agency, complete) in [("so-noi-vu", true), ("so-tai-chinh", false)] {
        let rows = sheets(ids(agency))
            .await
            .map_err(|e| Error::Failed(e.to_string()))?;
        for (i, row) in rows.iter().enumerate() {
            let sheet: BTreeMap<String, i64> = serde_json::from_str(&row.facts)
                .map_err(|e| Error::Failed(format!("a demo fact sheet: {e}")))?;
            if !complete && i >= 3 {
                continue;
            }
            let person = Actor::person(&format!("demo: {}", row.subject), &row.subject);
            let own = SelfAssessment {
                points: points(&sheet, i % 2 == 0),
                review: "Hoàn thành các nhiệm vụ được giao đúng tiến độ; chủ động đề xuất cải tiến quy trình.".into(),
            };
            assessment::record_self(registry, &person, &row.subject, YEAR, &own)
                .await
                .map_err(failed)?;
            if !complete && i > 0 {
                done.1 += 1;
                continue;
            }
            assessment::record_collective(
                registry,
                demo,
                &row.subject,
                YEAR,
                &minutes("2025-12-09"),
            )
            .await
            .map_err(failed)?;
            if !complete {
                done.1 += 1;
                continue;
            }
            let manager = ManagerAssessment {
                points: points(&sheet, false),
                comments: if i % 2 == 0 {
                    [(
                        CRITERIA[0].to_string(),
                        "Đánh giá theo kết quả thực hiện nhiệm vụ cả năm.".to_string(),
                    )]
                    .into()
                } else {
                    BTreeMap::new()
                },
            };
            assessment::record_manager(registry, demo, &row.subject, YEAR, &manager)
                .await
                .map_err(failed)?;
            done.0 += 1;
        }
        if !complete {
            done.2 = 6 - done.1;
        }
    }
    Ok(format!(
        "assessments {YEAR}: so-noi-vu complete ({} assessed by their director); so-tai-chinh in progress ({} under way, {} not started)",
        done.0, done.1, done.2
    ))
}

/// Loads the demo province and runs September 2025, or reuses the official run
/// already there; prints the distribution per unit type.
async fn province(
    config: &Config,
    registry: &Registry,
    demo: &Actor,
    json: bool,
) -> Result<serde_json::Value, Error> {
    let official = scoring::official_runs(registry, true)
        .await?
        .into_iter()
        .find(|o| o.period == PERIOD && o.unit.is_none());
    let (run, reused) = match official {
        Some(o) => (o.run, true),
        None => {
            let dir = config.data_dir.join("demo-province");
            let data = tokio::task::spawn_blocking(move || gendata::province(SEED))
                .await
                .map_err(|e| Error::Failed(format!("generating the demo province: {e}")))??;
            let files = data
                .write(&dir, false)
                .map_err(|e| Error::Failed(format!("writing {}: {e}", dir.display())))?;
            crate::org::import(registry, demo, &data.organisation).await?;
            for file in files.iter().filter(|f| f.starts_with("facts-")) {
                let path = dir.join(file);
                let bytes = std::fs::read(&path)
                    .map_err(|e| Error::Failed(format!("reading {}: {e}", path.display())))?;
                crate::facts::import(registry, demo, &path.display().to_string(), &bytes).await?;
            }
            if !json {
                println!(
                    "demo province: {} units, {} subjects, facts in {}",
                    data.organisation.units.len(),
                    data.organisation.subjects.len(),
                    dir.display()
                );
            }
            let report = scoring::run(registry, demo, &RunOptions::period(PERIOD)).await?;
            scoring::publish(registry, demo, report.run).await?;
            let assessed = assessments(registry, demo).await?;
            if !json {
                println!("{assessed}");
            }
            (report.run, false)
        }
    };
    let record = scoring::run_record(registry, run).await?;
    let summary = record.summary.unwrap_or_default();
    if !json {
        if reused {
            println!("reusing run {run}, the official run of {PERIOD}");
        }
        super::scoring::print_summary(run, &summary);
    }
    Ok(json!({"run": run, "reused": reused, "summary": summary}))
}
