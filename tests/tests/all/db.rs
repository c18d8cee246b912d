//! A fresh registry on every database available: SQLite always, PostgreSQL
//! too when THUOCDO_TEST_POSTGRES holds a URL (.ci/run sets it). Each test
//! makes its own database file or schema and leaves nothing behind.

use std::future::Future;
use std::sync::Arc;

use sqlx::{Connection, Executor, Row};
use thuocdo_host::registry::Registry;
use thuocdo_host::runtime::Runtime;
use thuocdo_host::store::{Database, Store};

static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// Runs `test` against a fresh registry on every database available.
pub fn on_every_database<F, Fut>(test: F)
where
    F: Fn(Registry) -> Fut,
    Fut: Future<Output = ()>,
{
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let runtime = Arc::new(Runtime::new().unwrap());
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("thuocdo-registry-{}-{n}", std::process::id()));
        let store = Store::open(&Database::Sqlite(dir.join("thuocdo.db")))
            .await
            .unwrap();
        test(Registry::new(store.clone(), runtime.clone())).await;
        store.close().await;
        std::fs::remove_dir_all(&dir).unwrap();

        let url = std::env::var("THUOCDO_TEST_POSTGRES").ok();
        if url.is_none() {
            crate::support::unavailable(
                "postgres",
                &format!(
                    "the PostgreSQL half of {}",
                    std::thread::current().name().unwrap_or("a test")
                ),
                "PostgreSQL: THUOCDO_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test",
            );
        }
        if let Some(url) = url {
            let schema = format!("thuocdo_test_{}_{n}", std::process::id());
            let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
            admin
                .execute(format!("CREATE SCHEMA {schema}").as_str())
                .await
                .unwrap();
            let sep = if url.contains('?') { '&' } else { '?' };
            let scoped = format!("{url}{sep}options=-c%20search_path%3D{schema}");
            let store = Store::open(&Database::Postgres(scoped)).await.unwrap();
            test(Registry::new(store.clone(), runtime)).await;
            store.close().await;
            admin
                .execute(format!("DROP SCHEMA {schema} CASCADE").as_str())
                .await
                .unwrap();
        }
    });
}

pub async fn count(registry: &Registry, table: &str) -> i64 {
    sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
        .fetch_one(registry.store().pool())
        .await
        .unwrap()
        .try_get("n")
        .unwrap()
}
