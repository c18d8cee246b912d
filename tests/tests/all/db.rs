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

/// A PostgreSQL cluster of the test's own (`initdb` and `pg_ctl` on a
/// temporary directory and port), to stop and start at will; never the
/// machine's shared server. Removed when dropped.
pub struct Cluster {
    bin: std::path::PathBuf,
    dir: std::path::PathBuf,
    port: u16,
}

impl Cluster {
    /// Makes and starts a cluster; `None` (saying what was not run) where
    /// PostgreSQL's server programs are not installed.
    pub fn start(name: &str) -> Option<Cluster> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .and_then(|versions| {
                let mut bins: Vec<_> = versions
                    .filter_map(|v| Some(v.ok()?.path().join("bin")))
                    .filter(|b| b.join("initdb").exists())
                    .collect();
                bins.sort();
                bins.pop()
            });
        let Some(bin) = bin else {
            crate::support::unavailable(
                "postgres",
                &format!("{name}, which starts and stops a PostgreSQL cluster of its own"),
                "PostgreSQL's server programs (initdb, pg_ctl) under /usr/lib/postgresql",
            );
            return None;
        };
        let dir =
            std::env::temp_dir().join(format!("thuocdo-cluster-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // A port of the test's own: ask the kernel for a free one.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let cluster = Cluster { bin, dir, port };
        // PostgreSQL refuses to run as root: there, the postgres user runs it.
        if unsafe { libc_geteuid() } == 0 {
            let status = std::process::Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&cluster.dir)
                .status()
                .unwrap();
            assert!(status.success());
        }
        cluster.pg(&[
            "initdb",
            "-D",
            cluster.data().to_str().unwrap(),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
        ]);
        cluster.start_again();
        Some(cluster)
    }

    fn data(&self) -> std::path::PathBuf {
        self.dir.join("data")
    }

    /// Runs one of PostgreSQL's programs (as the postgres user under root).
    fn pg(&self, args: &[&str]) {
        let program = self.bin.join(args[0]);
        let mut command = if unsafe { libc_geteuid() } == 0 {
            let mut c = std::process::Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            std::process::Command::new(&program)
        };
        let out = command.args(&args[1..]).output().unwrap();
        assert!(
            out.status.success(),
            "{}: {}{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Starts the cluster and waits until it takes connections.
    pub fn start_again(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("log");
        self.pg(&[
            "pg_ctl",
            "-D",
            self.data().to_str().unwrap(),
            "-o",
            &options,
            "-l",
            log.to_str().unwrap(),
            "-w",
            "start",
        ]);
    }

    /// Stops the server at once, as a crash or a pulled cable would: the
    /// postmaster gets SIGQUIT and every connection is cut.
    pub fn stop_now(&self) {
        let pid = std::fs::read_to_string(self.data().join("postmaster.pid")).unwrap();
        let pid = pid.lines().next().unwrap().trim().to_string();
        let status = std::process::Command::new("kill")
            .args(["-QUIT", &pid])
            .status()
            .unwrap();
        assert!(status.success());
        // The postmaster is gone when its pid file is.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while self.data().join("postmaster.pid").exists() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// The URL of its `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.data().join("postmaster.pid").exists() {
            let _ = std::process::Command::new("kill")
                .args(["-QUIT"])
                .arg(
                    std::fs::read_to_string(self.data().join("postmaster.pid"))
                        .unwrap_or_default()
                        .lines()
                        .next()
                        .unwrap_or("0")
                        .trim(),
                )
                .status();
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

// The effective user id, without a dependency for one call.
unsafe extern "C" {
    #[link_name = "geteuid"]
    fn libc_geteuid() -> u32;
}
