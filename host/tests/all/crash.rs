//! The host killed (SIGKILL) at random points in the middle of a facts
//! import, an organisation import, a run, a publish or unlock, a draft upload
//! and a what-if, on SQLite and PostgreSQL: after each kill every table holds
//! what the rules allow — an import wholly in or wholly out, no results of a
//! run that did not complete, at most one official run per period and scope,
//! nothing written by a what-if — and the next command works.
//!
//! Each operation is killed `THUOCDO_CRASH_ROUNDS` times (20 by default; set
//! it higher to search longer), at a moment drawn uniformly over how long the
//! operation takes when left alone.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::Row;
use thuocdo_host::bundled::BUNDLED;
use thuocdo_host::store::{Database, Store};

/// One database the binary and this test both open.
struct Target {
    dir: PathBuf,
    url: Option<String>,
}

impl Target {
    fn thuocdo(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_thuocdo"));
        command
            .arg("--data-dir")
            .arg(&self.dir)
            .args(args)
            .env("THUOCDO_LOG", "warn")
            // Every round uploads a draft.
            .env("THUOCDO_DRAFTS_PER_ANALYST", "100000")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some(url) = &self.url {
            command.arg("--database-url").arg(url);
        }
        command
    }

    /// Runs a command to its end; how long it took.
    fn complete(&self, args: &[&str]) -> Duration {
        let started = Instant::now();
        let out = self.thuocdo(args).output().unwrap();
        assert!(
            out.status.success(),
            "thuocdo {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        started.elapsed()
    }

    /// Starts a command, kills it after `after`, and waits until the
    /// database is done with it.
    async fn kill_after(&self, store: &Store, args: &[&str], after: Duration) {
        let mut child = self.thuocdo(args).spawn().unwrap();
        std::thread::sleep(after);
        // SIGKILL: no destructor, no rollback, no goodbye to the database.
        let _ = child.kill();
        let _ = child.wait();
        if self.url.is_some() {
            // PostgreSQL may still be finishing a COMMIT the process sent
            // before it died; what is checked next must see the outcome.
            for _ in 0..200 {
                let busy = count(
                    store,
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
                     AND pid <> pg_backend_pid() AND state IS NOT NULL AND state <> 'idle'",
                )
                .await;
                if busy == 0 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
        }
    }

    async fn store(&self) -> Store {
        let db = match &self.url {
            Some(url) => Database::Postgres(url.clone()),
            None => Database::Sqlite(self.dir.join("thuocdo.db")),
        };
        Store::open(&db).await.unwrap()
    }
}

/// A small deterministic generator: the kill points of a failing round can
/// be found again from the seed it prints.
struct Draw {
    state: u64,
    /// How long the binary takes to start and open the database: kills
    /// before that prove nothing, so they are drawn after most of it.
    startup: Duration,
}

impl Draw {
    /// A moment within an operation that takes `took` left alone.
    fn below(&mut self, took: Duration) -> Duration {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        let from = self.startup.mul_f64(0.8).min(took);
        from + (took - from).mul_f64((self.state % 10_000) as f64 / 10_000.0)
    }
}

async fn count(store: &Store, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get::<i64, _>(0)
        .unwrap()
}

async fn sheets(store: &Store, period: &str) -> BTreeMap<String, String> {
    sqlx::query("SELECT subject, facts FROM fact_sheets WHERE period = $1")
        .bind(period.to_string())
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get("subject"), r.get("facts")))
        .collect()
}

/// The same facts file with each fact's values passed on to the next
/// subject's row: every value still in its fact's range, most changed.
fn rotated(csv: &str) -> String {
    let mut lines: Vec<Vec<String>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    let mut by_fact: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, l) in lines.iter().enumerate() {
        by_fact.entry(l[2].clone()).or_default().push(i);
    }
    for rows in by_fact.values() {
        let values: Vec<String> = rows.iter().map(|&i| lines[i][3].clone()).collect();
        for (k, &i) in rows.iter().enumerate() {
            lines[i][3] = values[(k + 1) % values.len()].clone();
        }
    }
    let mut out = String::from("subject_id,period,fact,value,source\n");
    for l in lines {
        out.push_str(&l.join(","));
        out.push('\n');
    }
    out
}

/// The organisation with every unit's and subject's name marked.
fn renamed(org: &serde_json::Value, mark: &str) -> serde_json::Value {
    let mut org = org.clone();
    for list in ["units", "subjects"] {
        for item in org[list].as_array_mut().unwrap() {
            let name = item["name"].as_str().unwrap().to_string();
            item["name"] = format!("{name}{mark}").into();
        }
    }
    org
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

async fn kill_everything_at_random_points(target: Target) {
    let rounds: usize = std::env::var("THUOCDO_CRASH_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20);
    let seed = std::process::id() as u64 | 1;
    eprintln!("crash rounds: {rounds}, seed {seed}");
    let files = target.dir.join("files");
    std::fs::create_dir_all(&files).unwrap();
    target.complete(&["gen-data", "--out", path(&files)]);
    let mut draw = Draw {
        state: seed,
        startup: target.complete(&["runs"]),
    };
    for b in BUNDLED {
        let file = files.join(format!("{}.wasm", b.crate_name));
        std::fs::write(&file, b.wasm).unwrap();
        target.complete(&["plugin", "publish", path(&file)]);
    }
    let org_file = files.join("organisation.json");
    let org: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&org_file).unwrap()).unwrap();
    let org_took = target.complete(&["org", "import", path(&org_file)]);
    for f in ["facts-2025-09.csv", "facts-2025-Q3.csv", "facts-2025.csv"] {
        target.complete(&["facts", "import", path(&files.join(f))]);
    }
    // Runs and publishes on September; imports on the year, which no
    // publish here ever locks.
    let (run_period, import_period) = ("2025-09", "2025");
    let original = files.join("facts-2025.csv");
    let other = files.join("facts-rotated.csv");
    std::fs::write(
        &other,
        rotated(&std::fs::read_to_string(&original).unwrap()),
    )
    .unwrap();
    let store = target.store().await;
    let state_a = sheets(&store, import_period).await;
    let import_took = target.complete(&["facts", "import", path(&other)]);
    let state_b = sheets(&store, import_period).await;
    assert_ne!(state_a, state_b);
    let marked = files.join("organisation-marked.json");
    std::fs::write(&marked, renamed(&org, " ·").to_string()).unwrap();
    let units = org["units"].as_array().unwrap().len() as i64;
    let subjects = org["subjects"].as_array().unwrap().len() as i64;
    let run_took = target.complete(&["run", "--period", run_period]);
    let complete_results = count(&store, "SELECT COUNT(*) FROM run_results").await;
    let first_run = count(&store, "SELECT MAX(id) FROM runs").await.to_string();
    let publish_took = target.complete(&["publish", "--run", &first_run]);
    // A what-if compares with the official run: timed while there is one.
    let draft = files.join("draft.wasm");
    let monthly = BUNDLED
        .iter()
        .find(|b| b.crate_name == "tax-officer")
        .unwrap();
    std::fs::write(&draft, monthly.wasm).unwrap();
    let upload_took = target.complete(&["sandbox", "upload", path(&draft)]);
    let draft_id = count(&store, "SELECT MAX(id) FROM sandbox_drafts")
        .await
        .to_string();
    let compare_took = target.complete(&["sandbox", "compare", &draft_id, "--period", run_period]);
    target.complete(&["unlock", "--period", run_period, "--reason", "crash test"]);

    for round in 0..rounds {
        // Facts: the other file's import is in whole or not at all.
        let before = sheets(&store, import_period).await;
        let next = if before == state_a { &other } else { &original };
        target
            .kill_after(
                &store,
                &["facts", "import", path(next)],
                draw.below(import_took),
            )
            .await;
        let after = sheets(&store, import_period).await;
        assert!(
            after == state_a || after == state_b,
            "round {round}: a facts import was left half done"
        );
        assert_eq!(
            count(
                &store,
                "SELECT COUNT(*) FROM fact_imports i WHERE NOT EXISTS \
                 (SELECT 1 FROM fact_changes c WHERE c.import_id = i.id)"
            )
            .await,
            0,
            "round {round}: an import is recorded without its changes"
        );

        // The organisation: every name marked, or none.
        let file = if round % 2 == 0 { &marked } else { &org_file };
        target
            .kill_after(&store, &["org", "import", path(file)], draw.below(org_took))
            .await;
        let unit_marks = count(&store, "SELECT COUNT(*) FROM units WHERE name LIKE '% ·'").await;
        let subject_marks = count(
            &store,
            "SELECT COUNT(*) FROM subjects WHERE name LIKE '% ·'",
        )
        .await;
        assert!(
            (unit_marks == 0 && subject_marks == 0)
                || (unit_marks == units && subject_marks == subjects),
            "round {round}: an organisation import was left half done ({unit_marks} units, {subject_marks} subjects)"
        );

        // A run: results only for runs that completed, and all of them.
        target
            .kill_after(
                &store,
                &["run", "--period", run_period],
                draw.below(run_took),
            )
            .await;
        assert_eq!(
            count(
                &store,
                "SELECT COUNT(*) FROM run_results r JOIN runs u ON u.id = r.run_id WHERE u.status <> 'complete'"
            )
            .await,
            0,
            "round {round}: a run that did not complete has results"
        );
        let complete = count(
            &store,
            "SELECT COUNT(*) FROM runs WHERE status = 'complete'",
        )
        .await;
        assert_eq!(
            count(&store, "SELECT COUNT(*) FROM run_results").await,
            complete * complete_results,
            "round {round}: a complete run lacks results"
        );

        // Publish or unlock: at most one official run in force per period.
        let locked = count(
            &store,
            "SELECT COUNT(*) FROM official_runs WHERE unlocked_at IS NULL",
        )
        .await;
        let act: Vec<&str> = if locked == 0 {
            vec!["publish", "--run", &first_run]
        } else {
            vec!["unlock", "--period", run_period, "--reason", "crash test"]
        };
        target
            .kill_after(&store, &act, draw.below(publish_took))
            .await;
        assert!(
            count(
                &store,
                "SELECT COUNT(*) FROM official_runs WHERE unlocked_at IS NULL"
            )
            .await
                <= 1,
            "round {round}: two official runs in force"
        );
        assert_eq!(
            count(
                &store,
                "SELECT COUNT(*) FROM official_runs o JOIN runs u ON u.id = o.run_id WHERE u.status <> 'complete'"
            )
            .await,
            0,
            "round {round}: an official run that is not complete"
        );

        // The sandbox: a draft whole or absent; a what-if writes nothing.
        target
            .kill_after(
                &store,
                &["sandbox", "upload", path(&draft)],
                draw.below(upload_took),
            )
            .await;
        assert_eq!(
            count(
                &store,
                "SELECT COUNT(*) FROM sandbox_drafts WHERE describe = '' OR sha256 = ''"
            )
            .await,
            0,
            "round {round}: a draft was kept half made"
        );
        let tables = [
            "runs",
            "run_results",
            "official_runs",
            "fact_sheets",
            "sandbox_drafts",
        ];
        let mut before = Vec::new();
        for t in tables {
            before.push(count(&store, &format!("SELECT COUNT(*) FROM {t}")).await);
        }
        target
            .kill_after(
                &store,
                &["sandbox", "compare", &draft_id, "--period", run_period],
                draw.below(compare_took),
            )
            .await;
        for (t, n) in tables.iter().zip(before) {
            assert_eq!(
                count(&store, &format!("SELECT COUNT(*) FROM {t}")).await,
                n,
                "round {round}: a what-if changed {t}"
            );
        }
    }
    let interrupted = count(&store, "SELECT COUNT(*) FROM runs WHERE status = 'running'").await;
    eprintln!(
        "{interrupted} of {rounds} runs were killed after they started and before they completed"
    );
    // After all that, the next run completes.
    target.complete(&["run", "--period", run_period]);
    store.close().await;
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("thuocdo-crash-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn killed_at_random_points_on_sqlite_nothing_is_left_partial() {
    let dir = scratch("sqlite");
    runtime().block_on(kill_everything_at_random_points(Target {
        dir: dir.clone(),
        url: None,
    }));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn killed_at_random_points_on_postgres_nothing_is_left_partial() {
    use sqlx::{Connection, Executor};
    let Ok(url) = std::env::var("THUOCDO_TEST_POSTGRES") else {
        crate::support::unavailable(
            "postgres",
            "killed_at_random_points_on_postgres_nothing_is_left_partial",
            "PostgreSQL: THUOCDO_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test",
        );
        return;
    };
    let dir = scratch("postgres");
    runtime().block_on(async {
        let schema = format!("thuocdo_crash_{}", std::process::id());
        let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
        admin
            .execute(
                format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}").as_str(),
            )
            .await
            .unwrap();
        let sep = if url.contains('?') { '&' } else { '?' };
        kill_everything_at_random_points(Target {
            dir: dir.clone(),
            url: Some(format!("{url}{sep}options=-c%20search_path%3D{schema}")),
        })
        .await;
        admin
            .execute(format!("DROP SCHEMA {schema} CASCADE").as_str())
            .await
            .unwrap();
    });
    let _ = std::fs::remove_dir_all(dir);
}
