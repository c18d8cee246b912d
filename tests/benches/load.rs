//! The API under load: wrk against ad-hoc evaluation over loopback, 64
//! connections, one subject per request, scored with the card assigned to
//! the subject's post. Then the same while a second wrk keeps sending
//! evaluations to a plugin that loops until its deadline, and again beside
//! one that sleeps (a millisecond at a time, forever): the bulkhead and the
//! sandbox's virtual clock must keep the good evaluations' p99 within 2x.
//!
//! `cargo bench -p thuocdo-tests --bench load` (needs `wrk`, Debian's package;
//! THUOCDO_LOAD_SECONDS changes the 30 s per phase). Figures in BENCHMARKS.md.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use thuocdo_host::access::tokens;
use thuocdo_host::access::{Actor, Role};
use thuocdo_host::api::BulkheadConfig;
use thuocdo_host::app::AppState;
use thuocdo_host::bundled::BUNDLED;
use thuocdo_host::gendata;
use thuocdo_host::registry::Registry;
use thuocdo_host::runtime::Runtime;
use thuocdo_host::store::{Database, Store};
use thuocdo_tests::hostile;

/// A commune chair of the demo province, scored with the assigned card.
const GOOD: &str = r#"{"subjects": [{"subject": {"id": "chair-1", "unit": "xa-an-lam", "position": "commune-chair"}, "period": "2025-09",
 "facts": {"tasks-assigned": 20, "tasks-completed": 20, "tasks-on-time": 19, "citizen-satisfaction": "96.5",
           "inspections-planned": 3, "inspections-done": 3, "discipline-breaches": 0, "disciplined": 0}}]}"#;

/// The hostile corpus' subject that loops forever.
const LOOP: &str = r#"{"plugin": "test/hostile@1.0.0", "subjects": [{"subject": {"id": "loop", "unit": "xa-an-lam", "position": "test"}, "period": "2025-09", "facts": {"rate": "50"}}]}"#;

/// The hostile corpus' subject that sleeps a day, then answers honestly:
/// with time virtual in the sandbox it answers at once.
const SLEEP: &str = r#"{"plugin": "test/hostile@1.0.0", "subjects": [{"subject": {"id": "sleep", "unit": "xa-an-lam", "position": "test"}, "period": "2025-09", "facts": {"rate": "50"}}]}"#;

/// The hostile corpus' subject that naps a millisecond at a time forever.
const NAPS: &str = r#"{"plugin": "test/hostile@1.0.0", "subjects": [{"subject": {"id": "naps", "unit": "xa-an-lam", "position": "test"}, "period": "2025-09", "facts": {"rate": "50"}}]}"#;

/// What one wrk run reported.
#[derive(Debug)]
struct Figures {
    requests: u64,
    errors: u64,
    non_2xx: u64,
    seconds: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

impl Figures {
    fn rate(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
}

fn script(dir: &Path, name: &str, body: &str, token: &str) -> PathBuf {
    let path = dir.join(format!("{name}.lua"));
    let lua = format!(
        r#"wrk.method = "POST"
wrk.body = [==[{body}]==]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("THUOCDO %d %d %d %d %f %f %f\n", summary.requests,
    e.connect + e.read + e.write + e.timeout, e.status, summary.duration,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"#
    );
    std::fs::write(&path, lua).unwrap();
    path
}

fn wrk(url: &str, script: &Path, threads: u32, connections: u32, seconds: u64) -> Child {
    Command::new("wrk")
        .args([
            format!("-t{threads}"),
            format!("-c{connections}"),
            format!("-d{seconds}s"),
            "--timeout".into(),
            "5s".into(),
            "-s".into(),
            script.display().to_string(),
            url.to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("wrk runs (apt-get install wrk)")
}

fn figures(child: Child) -> Figures {
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("THUOCDO "))
        .unwrap_or_else(|| panic!("wrk printed no figures:\n{text}"));
    let v: Vec<f64> = line.split(' ').map(|x| x.parse().unwrap()).collect();
    Figures {
        requests: v[0] as u64,
        errors: v[1] as u64,
        non_2xx: v[2] as u64,
        seconds: v[3] / 1e6,
        p50_ms: v[4] / 1e3,
        p99_ms: v[5] / 1e3,
        max_ms: v[6] / 1e3,
    }
}

fn print(label: &str, f: &Figures) {
    println!(
        "{label:<34} {:>9.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms  errors {}  non-2xx {}  ({} requests)",
        f.rate(),
        f.p50_ms,
        f.p99_ms,
        f.max_ms,
        f.errors,
        f.non_2xx,
        f.requests
    );
}

/// The demo province's organisation, the bundled cards and the hostile one
/// published, an admin token; the API served on an ephemeral port.
async fn serve(dir: &Path) -> (String, String) {
    let store = Store::open(&Database::Sqlite(dir.join("thuocdo.db")))
        .await
        .unwrap();
    let runtime = Runtime::new().unwrap();
    let registry = Arc::new(Registry::new(store, Arc::new(runtime)));
    let admin = Actor::admin("bench@thuocdo");
    for b in BUNDLED {
        registry.publish(&admin, b.wasm.to_vec()).await.unwrap();
    }
    let hostile = std::fs::read(hostile::HOSTILE).unwrap();
    registry.publish(&admin, hostile).await.unwrap();
    let data = gendata::province(11).unwrap();
    thuocdo_host::org::import(&registry, &admin, &data.organisation)
        .await
        .unwrap();
    let (token, _) = tokens::create(registry.store(), "bench", "load", &Role::Admin)
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/api/v1/evaluate", listener.local_addr().unwrap());
    let bulkhead = BulkheadConfig::default();
    println!(
        "evaluation workers {}, share per plugin version {}",
        bulkhead.workers, bulkhead.share
    );
    let state = AppState::with_config(registry, bulkhead, Default::default());
    tokio::spawn(thuocdo_host::app::serve_state(
        state,
        listener,
        std::future::pending(),
    ));
    (url, token)
}

/// One request by a real client: the answer must be a scored evaluation.
fn check(url: &str, token: &str, body: &str, expect_error: Option<&[&str]>) {
    let out = Command::new("curl")
        .args(["-sS", "-H", "content-type: application/json", "-H"])
        .arg(format!("Authorization: Bearer {token}"))
        .args(["-d", body, url])
        .output()
        .expect("curl runs");
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    let first = &answer["evaluations"][0];
    match expect_error {
        None => assert!(first["evaluation"]["grade"].is_string(), "{answer}"),
        Some(kinds) => assert!(
            kinds.contains(&first["error"]["kind"].as_str().unwrap_or("")),
            "{answer}"
        ),
    }
}

fn main() {
    let seconds: u64 = std::env::var("THUOCDO_LOAD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let dir = std::env::temp_dir().join(format!("thuocdo-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let (url, token) = rt.block_on(serve(&dir));
    check(&url, &token, GOOD, None);
    check(&url, &token, LOOP, Some(&["deadline", "out-of-fuel"]));
    check(&url, &token, SLEEP, None);
    check(&url, &token, NAPS, Some(&["deadline", "out-of-fuel"]));
    let good = script(&dir, "good", GOOD, &token);
    let looping = script(&dir, "loop", LOOP, &token);
    let napping = script(&dir, "naps", NAPS, &token);

    // Warm up: compiled code, caches, connections.
    figures(wrk(&url, &good, 1, 64, 3));

    let alone = figures(wrk(&url, &good, 1, 64, seconds));
    print("good evaluations alone", &alone);

    let bad = wrk(&url, &looping, 1, 8, seconds);
    let beside = figures(wrk(&url, &good, 1, 64, seconds));
    let bad = figures(bad);
    print("good, beside a looping plugin", &beside);
    print("the looping plugin (8 connections)", &bad);
    println!(
        "good p99 beside the loop / alone: {:.2}x",
        beside.p99_ms / alone.p99_ms
    );

    let sleeper = wrk(&url, &napping, 1, 8, seconds);
    let beside_sleeper = figures(wrk(&url, &good, 1, 64, seconds));
    let sleeper = figures(sleeper);
    print("good, beside a plugin that sleeps", &beside_sleeper);
    print("the sleeping plugin (8 connections)", &sleeper);
    println!(
        "good p99 beside the sleeper / alone: {:.2}x",
        beside_sleeper.p99_ms / alone.p99_ms
    );
    let _ = std::fs::remove_dir_all(&dir);
}
