//! Start-up of a host whose registry holds 200 published versions and whose
//! compiled-code cache is warm: open and migrate the database, list every
//! plugin and version, and load one plugin (from the cache). Compiling is lazy,
//! so start-up compiles nothing.
//!
//! `cargo bench -p thuocdo-tests --bench startup`; figures in BENCHMARKS.md.

use std::sync::Arc;
use std::time::{Duration, Instant};

use thuocdo_host::access::Actor;
use thuocdo_host::bundled::BUNDLED;
use thuocdo_host::registry::Registry;
use thuocdo_host::runtime::{Runtime, RuntimeConfig};
use thuocdo_host::store::{Database, Store};

const VERSIONS: usize = 200;

fn main() {
    let dir = std::env::temp_dir().join(format!("thuocdo-startup-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let db = Database::Sqlite(dir.join("thuocdo.db"));
    let config = RuntimeConfig {
        cache_dir: Some(dir.join("cache")),
        ..RuntimeConfig::default()
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        // Fill the registry: the bundled scorecards, published properly (which
        // also warms the cache), then copies of their rows under other versions
        // up to 200.
        let store = Store::open(&db).await.unwrap();
        let registry = Registry::new(store.clone(), Arc::new(Runtime::with_config(config.clone()).unwrap()));
        let admin = Actor::admin("bench");
        for b in BUNDLED {
            registry.publish(&admin, b.wasm.to_vec()).await.unwrap();
        }
        for i in BUNDLED.len()..VERSIONS {
            sqlx::query(
                "INSERT INTO plugin_versions (namespace, name, version, prerelease, sha256, describe, published_by, published_at) \
                 SELECT namespace, name, $1, 0, sha256, describe, published_by, published_at FROM plugin_versions \
                 WHERE version = '1.0.2' ORDER BY namespace, name LIMIT 1 OFFSET $2",
            )
            .bind(format!("1.{}.0", i))
            .bind((i % BUNDLED.len()) as i64)
            .execute(store.pool())
            .await
            .unwrap();
        }
        store.close().await;

        let mut times: Vec<Duration> = Vec::new();
        for _ in 0..11 {
            let start = Instant::now();
            let store = Store::open(&db).await.unwrap();
            let registry = Registry::new(store.clone(), Arc::new(Runtime::with_config(config.clone()).unwrap()));
            let mut versions = 0;
            for name in registry.plugins().await.unwrap() {
                versions += registry.versions(&name).await.unwrap().len();
            }
            assert_eq!(versions, VERSIONS);
            registry.plugin("tuyenquang/commune-official", "1.0.2").await.unwrap();
            times.push(start.elapsed());
            store.close().await;
        }
        times.sort();
        println!(
            "start-up with {VERSIONS} versions, warm cache (open, migrate, list all, load one plugin): median {:.1} ms, max {:.1} ms",
            times[5].as_secs_f64() * 1e3,
            times[10].as_secs_f64() * 1e3
        );
        let cold = Instant::now();
        Runtime::new().unwrap().load(BUNDLED[0].wasm).unwrap();
        println!("for comparison, compiling one plugin without the cache: {:.1} ms", cold.elapsed().as_secs_f64() * 1e3);
    });
    std::fs::remove_dir_all(&dir).unwrap();
}
