//! Storage through sqlx: SQLite as the embedded default (one file in the data
//! directory, no server to start) and PostgreSQL when a `postgres://` URL is
//! given. One schema, migrations for both (host/migrations/), run at start-up.
//! Queries use `$1`-style placeholders, which both databases accept.

pub mod bulk;

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};

static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");

/// Which database a store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// The embedded default.
    Sqlite,
    /// For deployments with many hosts.
    Postgres,
}

/// Where the data lives.
#[derive(Clone, Debug)]
pub enum Database {
    /// A SQLite file.
    Sqlite(std::path::PathBuf),
    /// A PostgreSQL URL.
    Postgres(String),
}

impl Database {
    /// From `--database-url` if given, else `thuocdo.db` in the data directory.
    pub fn choose(url: Option<&str>, data_dir: &Path) -> Result<Database, String> {
        match url {
            Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
                Ok(Database::Postgres(u.to_string()))
            }
            Some(u) => match u.strip_prefix("sqlite://") {
                Some(path) => Ok(Database::Sqlite(path.into())),
                None => Err(format!(
                    "database URL `{u}` is neither postgres://… nor sqlite://…"
                )),
            },
            None => Ok(Database::Sqlite(data_dir.join("thuocdo.db"))),
        }
    }
}

/// The shared connection pool, with the schema migrated.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    /// Opens (creating a SQLite file if needed) and migrates.
    pub async fn open(db: &Database) -> Result<Store, sqlx::Error> {
        install_default_drivers();
        let (url, backend) = match db {
            Database::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
                }
                (
                    format!("sqlite://{}?mode=rwc", path.display()),
                    Backend::Sqlite,
                )
            }
            Database::Postgres(url) => (url.clone(), Backend::Postgres),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 16 })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // Writers wait for each other instead of failing at once.
                        conn.execute("PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL;")
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        match backend {
            Backend::Sqlite => SQLITE.run(&pool).await?,
            Backend::Postgres => POSTGRES.run(&pool).await?,
        }
        Ok(Store { pool, backend })
    }

    /// The pool.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Milliseconds since the Unix epoch: how times are stored.
pub fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Whether an error is a unique-constraint violation (two writers, one row).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => {
            db.is_unique_violation() || db.message().contains("UNIQUE constraint failed")
        }
        _ => false,
    }
}
