//! Storage through sqlx: SQLite as the embedded default (one file in the data
//! directory, no server to start) and PostgreSQL when a `postgres://` URL is
//! given. One schema, migrations for both (host/migrations/), run at start-up.
//! Queries use `$1`-style placeholders, which both databases accept.
//!
//! Every SQL statement of the host lives under this module, one file per
//! family of tables, each returning typed rows; nothing outside it sees the
//! driver (a test holds that). Statements that must commit together run on
//! a [`Tx`], which the domain code opens, fills with calls and commits.
//!
//! ```no_run
//! # async fn example() -> Result<(), thuocdo_host::store::Error> {
//! use thuocdo_host::store::{Database, Store};
//! let store = Store::open(&Database::Sqlite("thuocdo-data/thuocdo.db".into())).await?;
//! for unit in store.units().await? {
//!     println!("{} {}", unit.code, unit.name);
//! }
//! # Ok(())
//! # }
//! ```

pub mod appeals;
pub mod assessments;
pub mod assignments;
pub mod audit;
pub mod bulk;
pub mod corrections;
pub mod decisions;
pub mod drafts;
pub mod exemptions;
pub mod facts;
pub mod keyring;
pub mod mail;
pub mod org;
pub mod parts;
pub mod plugins;
pub mod products;
pub mod results;
pub mod runs;
pub mod sessions;
pub mod tokens;

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyPool, Executor, Transaction};

// Each dialect keeps its own migrations (types and defaults differ); of the
// five, only 20251230000000_web.sql (an index on run_results) is the same
// text in both, and a migration must be written for both either way.
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

/// Why the database could not do what was asked. The driver's text is
/// kept for the log; it never reaches a caller (the HTTP layer answers a
/// 5xx with a request id).
#[derive(Debug, thiserror::Error)]
#[error("database: {0}")]
pub struct Error(#[from] sqlx::Error);

impl Error {
    /// Whether this is a unique-constraint violation (two writers, one row).
    pub fn is_unique_violation(&self) -> bool {
        match &self.0 {
            sqlx::Error::Database(db) => {
                db.is_unique_violation() || db.message().contains("UNIQUE constraint failed")
            }
            _ => false,
        }
    }

    /// A transaction stopped on purpose before its commit (a test hook's
    /// crash point).
    pub fn interrupted(what: impl Into<String>) -> Error {
        Error(sqlx::Error::Protocol(what.into()))
    }

    /// A stored value that cannot be read as what it should be: a corrupt
    /// row, which is an error, never a default.
    pub fn corrupt(what: impl Into<String>) -> Error {
        Error(sqlx::Error::Decode(what.into().into()))
    }
}

/// The storage layer's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What a transaction may hold still (see [`Store::begin_guarding`]).
#[derive(Clone, Copy, Debug)]
pub enum Guarded {
    /// The official runs: who publishes or unlocks a period.
    OfficialRuns,
    /// The fact sheets, and what a facts import decides on beside them: the
    /// freezes, the official runs' locks and where each subject is.
    FactSheets,
    /// The organisation: units, posts, subjects and assignments.
    Organisation,
}

impl Guarded {
    /// PostgreSQL's locks, always taken in one order (organisation, facts,
    /// official runs) so two guarded transactions never wait on each other
    /// in a circle. SHARE ROW EXCLUSIVE keeps out every other writer and
    /// every other guard of the same table; SHARE keeps out writers only.
    fn postgres_locks(self) -> &'static [&'static str] {
        match self {
            Guarded::OfficialRuns => &["LOCK TABLE official_runs IN SHARE ROW EXCLUSIVE MODE"],
            Guarded::FactSheets => &[
                "LOCK TABLE units IN SHARE MODE",
                "LOCK TABLE subjects IN SHARE MODE",
                "LOCK TABLE fact_sheets IN SHARE ROW EXCLUSIVE MODE",
                "LOCK TABLE fact_freezes IN SHARE MODE",
                "LOCK TABLE official_runs IN SHARE MODE",
            ],
            Guarded::Organisation => &[
                "LOCK TABLE units IN SHARE ROW EXCLUSIVE MODE",
                "LOCK TABLE subjects IN SHARE ROW EXCLUSIVE MODE",
                "LOCK TABLE posts IN SHARE ROW EXCLUSIVE MODE",
                "LOCK TABLE assignments IN SHARE ROW EXCLUSIVE MODE",
            ],
        }
    }
}

/// Statements that commit together or not at all.
pub struct Tx {
    tx: Transaction<'static, Any>,
}

impl Tx {
    /// Makes every statement since [`Store::begin`] visible at once.
    pub async fn commit(self) -> Result<()> {
        Ok(self.tx.commit().await?)
    }

    /// Undoes every statement since [`Store::begin`].
    pub async fn rollback(self) -> Result<()> {
        Ok(self.tx.rollback().await?)
    }

    /// The connection the statements run on.
    fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }
}

/// The shared connection pool, with the schema migrated.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Rows of results read, for the read path's bound (see results.rs).
    results_read: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Counts of complete runs' results kept a while (see results.rs).
    counts: std::sync::Arc<std::sync::Mutex<results::KeptCounts>>,
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
        let store = Store {
            pool,
            backend,
            results_read: Default::default(),
            counts: Default::default(),
        };
        store.fill_name_keys().await?;
        Ok(store)
    }

    /// The pool.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Opens a transaction; dropped without [`Tx::commit`], it rolls back.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(Tx {
            tx: self.pool.begin().await?,
        })
    }

    /// Opens a transaction that holds `guarded` still until it ends: no
    /// other such transaction reads or writes it meanwhile, so what this one
    /// reads is what it decides on, through the transaction or the pool alike
    /// (nothing guarded can be committed by anyone else meanwhile). SQLite
    /// takes the write lock at the start (`BEGIN IMMEDIATE`); PostgreSQL locks
    /// the tables against other writers (readers go on).
    pub async fn begin_guarding(&self, guarded: Guarded) -> Result<Tx> {
        match self.backend {
            Backend::Sqlite => Ok(Tx {
                tx: self.pool.begin_with("BEGIN IMMEDIATE").await?,
            }),
            Backend::Postgres => {
                let mut tx = self.pool.begin().await?;
                for lock in guarded.postgres_locks() {
                    sqlx::query(lock).execute(&mut *tx).await?;
                }
                Ok(Tx { tx })
            }
        }
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
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

/// Reads every row with `f` into any collection; a row that does not read
/// as it should is an error, never a default.
fn read<T, C: FromIterator<T>>(
    rows: &[sqlx::any::AnyRow],
    f: impl Fn(&sqlx::any::AnyRow) -> Result<T, sqlx::Error>,
) -> Result<C> {
    Ok(rows.iter().map(f).collect::<Result<C, sqlx::Error>>()?)
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

/// `n` parameter markers from the `first`th, comma separated: anonymous
/// ones on SQLite, which looks each numbered one up among those before it
/// (see bulk.rs), numbered ones on PostgreSQL.
fn placeholders(conn: &sqlx::AnyConnection, first: usize, n: usize) -> String {
    let sqlite = conn.backend_name() == "SQLite";
    (first..first + n)
        .map(|k| {
            if sqlite {
                "?".to_string()
            } else {
                format!("${k}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}
