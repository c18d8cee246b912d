//! The national run: 3,321 communes and 254,757 civil servants scored for 2025
//! under Decree 335, from facts in the database to results in the database.
//!
//! `cargo bench -p thuocdo-host --bench national` prepares the data set once
//! (generated, published, imported: timed, and kept under
//! target/national-bench for later runs), then runs the period in a fresh
//! process — so its peak memory is the run's own — and prints each stage's
//! time: resolve, load, evaluate, cohort rules, store. With
//! THUOCDO_BENCH_POSTGRES=postgres://… it does the same on PostgreSQL (in a
//! schema of its own, dropped afterwards).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use sqlx::{Connection, Executor, Row};
use thuocdo_host::access::Actor;
use thuocdo_host::bundled::BUNDLED;
use thuocdo_host::registry::Registry;
use thuocdo_host::runtime::Runtime;
use thuocdo_host::scoring::{self, RunOptions};
use thuocdo_host::store::{Database, Store};
use thuocdo_host::whatif::{CompareOptions, WhatIfConfig, WhatIfs};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--run-only") {
        return run_only(&args[i + 1]);
    }
    if args.iter().any(|a| a == "--list" || a == "--test") {
        // `cargo test --benches` and listing: nothing to do.
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/national-bench");
    std::fs::create_dir_all(&dir).unwrap();
    let sqlite = format!("sqlite://{}", dir.join("thuocdo.db").display());
    bench(&dir, &sqlite, "SQLite");
    if let Ok(url) = std::env::var("THUOCDO_BENCH_POSTGRES") {
        let schema = "thuocdo_national_bench";
        let rt = runtime();
        rt.block_on(async {
            let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
            admin
                .execute(format!("DROP SCHEMA IF EXISTS {schema} CASCADE").as_str())
                .await
                .unwrap();
            admin
                .execute(format!("CREATE SCHEMA {schema}").as_str())
                .await
                .unwrap();
        });
        let sep = if url.contains('?') { '&' } else { '?' };
        bench(
            &dir,
            &format!("{url}{sep}options=-c%20search_path%3D{schema}"),
            "PostgreSQL",
        );
        rt.block_on(async {
            let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
            admin
                .execute(format!("DROP SCHEMA {schema} CASCADE").as_str())
                .await
                .unwrap();
        });
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn open(url: &str) -> Registry {
    let db = Database::choose(Some(url), Path::new(".")).unwrap();
    let store = Store::open(&db).await.unwrap();
    Registry::new(store, Arc::new(Runtime::new().unwrap()))
}

fn bench(dir: &Path, url: &str, name: &str) {
    let rt = runtime();
    let admin = Actor::admin("bench@thuocdo");
    rt.block_on(async {
        let registry = open(url).await;
        let have: i64 = sqlx::query("SELECT COUNT(*) AS n FROM fact_sheets WHERE period = '2025'")
            .fetch_one(registry.store().pool())
            .await
            .unwrap()
            .try_get("n")
            .unwrap();
        if have > 0 {
            println!("{name}: reusing the prepared data set ({have} fact sheets)");
            return;
        }
        let data_dir: PathBuf = dir.join("data");
        let files = if data_dir.join("facts-2025.json").exists() {
            println!(
                "{name}: reusing the generated files in {}",
                data_dir.display()
            );
            vec![
                "organisation.json".to_string(),
                "facts-2025.json".to_string(),
            ]
        } else {
            let t = Instant::now();
            let data = thuocdo_host::gendata::national(2025).unwrap();
            let files = data.write(&data_dir, true).unwrap();
            println!("gen-data --national: {:.1} s", t.elapsed().as_secs_f64());
            files
        };
        let decree = BUNDLED
            .iter()
            .find(|b| b.crate_name == "civil-servant-decree-335")
            .unwrap();
        registry
            .publish(&admin, decree.wasm.to_vec())
            .await
            .unwrap();
        let t = Instant::now();
        let org: thuocdo_host::org::Organisation =
            serde_json::from_slice(&std::fs::read(data_dir.join(&files[0])).unwrap()).unwrap();
        thuocdo_host::org::import(&registry, &admin, &org)
            .await
            .unwrap();
        println!(
            "{name}: org import ({} units, {} subjects): {:.1} s",
            org.units.len(),
            org.subjects.len(),
            t.elapsed().as_secs_f64()
        );
        let t = Instant::now();
        let bytes = std::fs::read(data_dir.join(&files[1])).unwrap();
        let done = thuocdo_host::facts::import(&registry, &admin, &files[1], &bytes)
            .await
            .unwrap();
        println!(
            "{name}: facts import ({} values, {} MB): {:.1} s",
            done.rows,
            bytes.len() / 1_000_000,
            t.elapsed().as_secs_f64()
        );
        registry.store().close().await;
    });
    // The run itself, in a process of its own.
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--run-only", url])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    print!("{name}: {}", String::from_utf8_lossy(&out.stdout));
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn run_only(url: &str) {
    let rt = runtime();
    rt.block_on(async {
        let registry = open(url).await;
        let t = Instant::now();
        let report = scoring::run(&registry, &Actor::admin("bench@thuocdo"), &RunOptions::period("2025"))
            .await
            .unwrap();
        let total = t.elapsed();
        let s = &report.summary;
        let tm = &report.timings;
        println!(
            "run {} of {} subjects: {:.2} s end to end (resolve {:.2}, load {:.2}, evaluate {:.2}, cohort {:.2}, store {:.2}); peak RSS {:.0} MiB",
            report.run,
            s.scored,
            total.as_secs_f64(),
            tm.resolve.as_secs_f64(),
            tm.load.as_secs_f64(),
            tm.evaluate.as_secs_f64(),
            tm.cohort.as_secs_f64(),
            tm.store.as_secs_f64(),
            peak_rss_mib()
        );
        println!(
            "  before the quota: {}; after: {} ({} lowered)",
            scoring::Summary::in_words(&s.computed_grades, thuocdo_host::explain::Lang::En),
            scoring::Summary::in_words(&s.grades, thuocdo_host::explain::Lang::En),
            s.demoted
        );
        // The what-if beside it: the national card itself as a draft, over
        // every servant, against the period's official run (this run, or
        // the one a previous bench published).
        let admin = Actor::admin("bench@thuocdo");
        match scoring::publish(&registry, &admin, report.run).await {
            Ok(_) | Err(scoring::Error::Locked(_)) => {}
            Err(e) => panic!("publishing the run: {e}"),
        }
        let registry = Arc::new(registry);
        let sandbox = WhatIfs::new(registry.clone(), WhatIfConfig::default());
        let decree = BUNDLED
            .iter()
            .find(|b| b.crate_name == "civil-servant-decree-335")
            .unwrap();
        let draft = sandbox.upload(&admin, decree.wasm.to_vec()).await.unwrap();
        let t = Instant::now();
        let what_if = sandbox
            .compare(&admin, draft.id, &CompareOptions::period("2025"))
            .await
            .unwrap();
        let took = t.elapsed();
        let p = &what_if.periods[0];
        println!(
            "what-if of {} subjects ({} compared, {} move): {:.2} s, {:.2}x the run; peak RSS {:.0} MiB",
            p.subjects,
            p.compared,
            p.movers.len(),
            took.as_secs_f64(),
            took.as_secs_f64() / total.as_secs_f64(),
            peak_rss_mib()
        );
        sandbox.delete(&admin, draft.id).await.unwrap();
        registry.store().close().await;
    });
}
