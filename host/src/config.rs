//! The host's configuration, in one typed struct: every command takes it.

use std::path::PathBuf;

use clap::Args;

use crate::runtime::RuntimeConfig;
use crate::store::Database;

/// Where the data lives.
#[derive(Clone, Debug, Args)]
pub struct Config {
    /// The data directory: the embedded SQLite database and the compiled-code cache.
    #[arg(
        long,
        env = "THUOCDO_DATA_DIR",
        default_value = "thuocdo-data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// A database URL instead of the embedded SQLite one: postgres://…
    #[arg(long, env = "THUOCDO_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
}

impl Config {
    /// The database to open.
    pub fn database(&self) -> Result<Database, String> {
        Database::choose(self.database_url.as_deref(), &self.data_dir)
    }

    /// The runtime's configuration: default limits, code cached in the data directory.
    pub fn runtime(&self) -> RuntimeConfig {
        RuntimeConfig {
            cache_dir: Some(self.data_dir.join("cache")),
            ..RuntimeConfig::default()
        }
    }
}
