//! The host's configuration, in one typed struct: every command takes it.

use std::path::PathBuf;

use clap::Args;

use crate::api::BulkheadConfig;
use crate::runtime::{PerComponent, RuntimeConfig};
use crate::store::Database;
use crate::whatif::WhatIfConfig;

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
    /// Act on a running host instead of the data directory: http://host:8080,
    /// or https://… through TLS.
    #[arg(long, env = "THUOCDO_SERVER", global = true)]
    pub server: Option<String>,
    /// PEM certificates to trust for an https --server besides the system's
    /// roots: a deployment's own certificate authority.
    #[arg(long, env = "THUOCDO_CA_CERT", global = true)]
    pub ca_cert: Option<std::path::PathBuf>,
    /// The bearer token for --server.
    #[arg(long, env = "THUOCDO_TOKEN", global = true, hide_env_values = true)]
    pub token: Option<String>,
    /// The API's evaluation workers (default: one per core, at least 2).
    #[arg(long, env = "THUOCDO_EVAL_WORKERS", global = true)]
    pub eval_workers: Option<usize>,
    /// How many of them one plugin version may hold at once (default: half).
    #[arg(long, env = "THUOCDO_EVAL_SHARE", global = true)]
    pub eval_share: Option<usize>,
    /// A draft's fuel per evaluation in the sandbox (default: 50 million).
    #[arg(long, env = "THUOCDO_DRAFT_FUEL", global = true)]
    pub draft_fuel: Option<u64>,
    /// A draft's deadline per evaluation, in milliseconds (default: 50).
    #[arg(long, env = "THUOCDO_DRAFT_DEADLINE_MS", global = true)]
    pub draft_deadline_ms: Option<u64>,
    /// A draft's memory per evaluation, in MiB (default: 32).
    #[arg(long, env = "THUOCDO_DRAFT_MEMORY_MIB", global = true)]
    pub draft_memory_mib: Option<usize>,
    /// The longest an HTTP request may take, body and answer included, in
    /// seconds (default: 300; a national facts file takes tens of seconds).
    #[arg(long, env = "THUOCDO_REQUEST_TIMEOUT_SECS", global = true)]
    pub request_timeout_secs: Option<u64>,
    /// The longest a request body may pause between two pieces, in seconds
    /// (default: 30); then 408.
    #[arg(long, env = "THUOCDO_BODY_IDLE_TIMEOUT_SECS", global = true)]
    pub body_idle_timeout_secs: Option<u64>,
    /// The longest a client may take to send a request's headers, in
    /// seconds (default: 10); then its connection is closed.
    #[arg(long, env = "THUOCDO_HEADER_TIMEOUT_SECS", global = true)]
    pub header_timeout_secs: Option<u64>,
    /// Connections served at once; more wait to be accepted (default: 1024).
    #[arg(long, env = "THUOCDO_MAX_CONNECTIONS", global = true)]
    pub max_connections: Option<usize>,
    /// Sign-ins a minute from one client address (default: 10); more get
    /// 429 with Retry-After.
    #[arg(long, env = "THUOCDO_SIGN_INS_PER_MINUTE", global = true)]
    pub sign_ins_per_minute: Option<u32>,
    /// Writes a minute from one client address (default: 3000).
    #[arg(long, env = "THUOCDO_WRITES_PER_MINUTE_PER_ADDRESS", global = true)]
    pub writes_per_minute_per_address: Option<u32>,
    /// Writes a minute with one token (default: 1200).
    #[arg(long, env = "THUOCDO_WRITES_PER_MINUTE_PER_TOKEN", global = true)]
    pub writes_per_minute_per_token: Option<u32>,
    /// An SMTP relay notices are mailed through: smtp://host:port (none:
    /// notices are read on the dashboard and the API only).
    #[arg(long, env = "THUOCDO_SMTP", global = true)]
    pub smtp: Option<String>,
    /// The sender of those mails.
    #[arg(
        long,
        env = "THUOCDO_MAIL_FROM",
        default_value = "thuocdo <no-reply@thuocdo.invalid>",
        global = true
    )]
    pub mail_from: String,
    /// Reverse proxies in front of the host, by address, comma-separated:
    /// for requests from them the client is the nearest address in
    /// X-Forwarded-For that is not one of them (default: none; the peer is
    /// the client).
    #[arg(
        long,
        env = "THUOCDO_TRUSTED_PROXIES",
        value_delimiter = ',',
        global = true
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The address readers reach the dashboard at, as they type it:
    /// `https://thuocdo.example.gov.vn`. When it is https, the sign-in
    /// cookie is sent over HTTPS only (`Secure`).
    #[arg(long, env = "THUOCDO_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// Hours a dashboard session lasts from sign-in (default: 12).
    #[arg(long, env = "THUOCDO_SESSION_HOURS", global = true)]
    pub session_hours: Option<u64>,
    /// Minutes without a request after which a dashboard session ends
    /// (default: 30).
    #[arg(long, env = "THUOCDO_SESSION_IDLE_MINUTES", global = true)]
    pub session_idle_minutes: Option<u64>,
    /// HTTP requests answered at once; more get 503 with Retry-After
    /// (default: 1024).
    #[arg(long, env = "THUOCDO_MAX_IN_FLIGHT", global = true)]
    pub max_in_flight: Option<usize>,
    /// Core module instances one scorecard component may hold (default: 32).
    #[arg(long, env = "THUOCDO_PLUGIN_CORE_INSTANCES", global = true)]
    pub plugin_core_instances: Option<u32>,
    /// Linear memories one scorecard component may hold (default: 4).
    #[arg(long, env = "THUOCDO_PLUGIN_MEMORIES", global = true)]
    pub plugin_memories: Option<u32>,
    /// Tables one scorecard component may hold (default: 16).
    #[arg(long, env = "THUOCDO_PLUGIN_TABLES", global = true)]
    pub plugin_tables: Option<u32>,
    /// Runs, verifications and what-ifs the host scores at once; one more
    /// is answered 429 with Retry-After (default: 2).
    #[arg(long, env = "THUOCDO_MAX_SCORING_JOBS", global = true)]
    pub max_scoring_jobs: Option<usize>,
    /// Drafts one analyst may keep (default: 20).
    #[arg(long, env = "THUOCDO_DRAFTS_PER_ANALYST", global = true)]
    pub drafts_per_analyst: Option<i64>,
    /// MiB of draft components one analyst may keep in all (default: 64).
    #[arg(long, env = "THUOCDO_DRAFT_MIB_PER_ANALYST", global = true)]
    pub draft_mib_per_analyst: Option<i64>,
    /// What-ifs one analyst may run at once (default: 2).
    #[arg(long, env = "THUOCDO_WHAT_IFS_PER_ANALYST", global = true)]
    pub what_ifs_per_analyst: Option<usize>,
    /// What the log records, on standard error: a level (error, warn, info,
    /// debug, trace), optionally per module: `info,thuocdo_host::scoring=debug`.
    #[arg(long, env = "THUOCDO_LOG", default_value = "info", global = true)]
    pub log: String,
    /// How the log is written: `text` for people, `json` for collectors.
    #[arg(long, env = "THUOCDO_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One readable line per event.
    Text,
    /// One JSON object per event.
    Json,
}

impl Config {
    /// The SMTP relay and sender, when one is configured; why not, when
    /// they cannot be read.
    pub fn mail(&self) -> Result<Option<crate::mail::MailConfig>, String> {
        self.smtp
            .as_deref()
            .map(|url| crate::mail::MailConfig::parse(url, &self.mail_from))
            .transpose()
    }

    /// Starts the log as configured: events at or above the level, on
    /// standard error (standard output is for the commands' answers). Only
    /// the first call in a process takes effect.
    pub fn init_log(&self) -> Result<(), String> {
        use tracing_subscriber::layer::SubscriberExt;
        use tracing_subscriber::util::SubscriberInitExt;
        let filter: tracing_subscriber::filter::Targets = self.log.parse().map_err(|e| {
            format!(
                "--log `{}`: {e}; give a level (error, warn, info, debug, trace) or `info,module=debug`",
                self.log
            )
        })?;
        let registry = tracing_subscriber::registry().with(filter);
        let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
        // A second start (tests start many hosts in one process) keeps the first log.
        let _ = match self.log_format {
            LogFormat::Text => registry.with(fmt).try_init(),
            LogFormat::Json => registry.with(fmt.json()).try_init(),
        };
        Ok(())
    }

    /// The database to open.
    pub fn database(&self) -> Result<Database, String> {
        Database::choose(self.database_url.as_deref(), &self.data_dir)
    }

    /// The API's evaluation workers and each plugin version's share.
    pub fn bulkhead(&self) -> BulkheadConfig {
        let mut config = self
            .eval_workers
            .map_or_else(BulkheadConfig::default, BulkheadConfig::with_workers);
        if let Some(share) = self.eval_share {
            config.share = share;
        }
        config
    }

    /// How drafts run in the sandbox.
    pub fn whatif(&self) -> WhatIfConfig {
        let mut c = WhatIfConfig::default();
        if let Some(f) = self.draft_fuel {
            c.limits.fuel = f;
        }
        if let Some(ms) = self.draft_deadline_ms {
            c.limits.deadline = std::time::Duration::from_millis(ms);
        }
        if let Some(mib) = self.draft_memory_mib {
            c.limits.memory = mib << 20;
        }
        if let Some(n) = self.what_ifs_per_analyst {
            c.per_analyst = n.max(1);
        }
        if let Some(n) = self.drafts_per_analyst {
            c.drafts_per_analyst = n.max(1);
        }
        if let Some(mib) = self.draft_mib_per_analyst {
            c.draft_bytes_per_analyst = mib.max(1) << 20;
        }
        c
    }

    /// How dashboard sessions last, and whether their cookie is HTTPS-only.
    pub fn sessions(&self) -> crate::access::sessions::SessionConfig {
        let d = crate::access::sessions::SessionConfig::default();
        crate::access::sessions::SessionConfig {
            lifetime: self.session_hours.map_or(d.lifetime, |h| {
                std::time::Duration::from_secs(h.max(1) * 3600)
            }),
            idle: self
                .session_idle_minutes
                .map_or(d.idle, |m| std::time::Duration::from_secs(m.max(1) * 60)),
            secure: self
                .public_url
                .as_deref()
                .is_some_and(|u| u.to_ascii_lowercase().starts_with("https://")),
        }
    }

    /// What HTTP may cost the host.
    pub fn http(&self) -> crate::app::HttpLimits {
        let d = crate::app::HttpLimits::default();
        crate::app::HttpLimits {
            request_timeout: self
                .request_timeout_secs
                .map_or(d.request_timeout, std::time::Duration::from_secs),
            body_idle_timeout: self
                .body_idle_timeout_secs
                .map_or(d.body_idle_timeout, std::time::Duration::from_secs),
            max_in_flight: self.max_in_flight.unwrap_or(d.max_in_flight).max(1),
            header_timeout: self
                .header_timeout_secs
                .map_or(d.header_timeout, std::time::Duration::from_secs),
            max_connections: self.max_connections.unwrap_or(d.max_connections).max(1),
            sign_ins: self
                .sign_ins_per_minute
                .map_or(d.sign_ins, crate::app::rate::Quota::per_minute),
            writes_per_address: self
                .writes_per_minute_per_address
                .map_or(d.writes_per_address, crate::app::rate::Quota::per_minute),
            writes_per_token: self
                .writes_per_minute_per_token
                .map_or(d.writes_per_token, crate::app::rate::Quota::per_minute),
            trusted_proxies: self.trusted_proxies.clone().into(),
        }
    }

    /// The runtime's configuration: default limits, code cached in the data directory.
    pub fn runtime(&self) -> RuntimeConfig {
        let defaults = PerComponent::default();
        RuntimeConfig {
            cache_dir: Some(self.data_dir.join("cache")),
            per_component: PerComponent {
                core_instances: self
                    .plugin_core_instances
                    .unwrap_or(defaults.core_instances),
                memories: self.plugin_memories.unwrap_or(defaults.memories),
                tables: self.plugin_tables.unwrap_or(defaults.tables),
            },
            max_jobs: self
                .max_scoring_jobs
                .unwrap_or(RuntimeConfig::default().max_jobs),
            ..RuntimeConfig::default()
        }
    }
}
