//! The versioned plugin registry: publish (validate, hash, describe), immutable
//! semver versions, yank, assignments of post types within unit subtrees to a
//! plugin and a semver requirement from a period, resolution of the version in
//! force, and the append-only audit log of all of it.
//!
//! Plugin bytes live in the database, so any host sharing it serves any
//! version; compiling happens lazily (and off the async threads), so opening a
//! registry of hundreds of versions compiles nothing.

pub(crate) mod assign;
mod error;
mod period;
pub mod personal;
mod resolve;
mod versions;

pub use error::{Error, Result};
pub use period::Period;
pub use resolve::Resolver;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use semver::{Version, VersionReq};
use serde::Serialize;

use thuocdo_sdk::check::kebab;

use crate::access::{Actor, Role};

use crate::runtime::{Plugin, Runtime};
pub use crate::store::assignments::Assignment;
pub use crate::store::audit::AuditEntry;
pub use crate::store::plugins::VersionRecord;
use crate::store::{Store, Tx};

/// What a publish did.
#[derive(Clone, Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Published {
    /// The version record.
    pub record: VersionRecord,
    /// `true` for a new version, `false` when the same bytes were published before.
    pub created: bool,
}

/// The version a subject's post resolves to for a period.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Resolved {
    /// The assignment in force.
    pub assignment: Assignment,
    /// The exact version picked.
    pub version: String,
    /// Its bytes' hash.
    pub sha256: String,
}

/// Splits `namespace/name`, refusing anything else.
pub fn split_name(name: &str) -> Result<(&str, &str)> {
    match name.split_once('/') {
        Some((ns, n)) if kebab(ns) && kebab(n) => Ok((ns, n)),
        _ => Err(Error::BadName(name.to_string())),
    }
}

fn parse_version(v: &str) -> Result<Version> {
    Version::parse(v).map_err(|e| Error::BadVersion {
        version: v.to_string(),
        reason: e.to_string(),
    })
}

/// Whether `req` picks `v`: pre-releases only when a comparator names that
/// exact pre-release.
fn picks(req: &VersionReq, v: &Version) -> bool {
    if !req.matches(v) {
        return false;
    }
    v.pre.is_empty()
        || req.comparators.iter().any(|c| {
            c.major == v.major
                && c.minor == Some(v.minor)
                && c.patch == Some(v.patch)
                && c.pre == v.pre
        })
}

/// How long a cached resolver is trusted. Changes made through this host are
/// seen at once (they bump [`Registry::changed`]); this bounds how long one
/// made by another host sharing the database can go unseen.
pub const RESOLVER_TTL: Duration = Duration::from_secs(5);

/// A resolver kept for a period, with the generation it was read at.
struct CachedResolver {
    generation: u64,
    read_at: Instant,
    resolver: Arc<Mutex<Resolver>>,
}

/// The registry over a store, validating through a runtime.
pub struct Registry {
    store: Store,
    runtime: Arc<Runtime>,
    /// Compiled plugins by the SHA-256 of their bytes.
    loaded: Mutex<HashMap<String, Arc<Plugin>>>,
    /// `namespace/name@version` → its compiled plugin. A published version's
    /// bytes never change, so an entry never goes stale.
    by_version: Mutex<HashMap<String, Arc<Plugin>>>,
    /// Bumped by every change to units, assignments or versions.
    generation: AtomicU64,
    resolvers: Mutex<HashMap<String, CachedResolver>>,
}

impl Registry {
    /// A registry on `store`; nothing is compiled until a plugin is needed.
    pub fn new(store: Store, runtime: Arc<Runtime>) -> Registry {
        Registry {
            store,
            runtime,
            loaded: Mutex::new(HashMap::new()),
            by_version: Mutex::new(HashMap::new()),
            generation: AtomicU64::new(0),
            resolvers: Mutex::new(HashMap::new()),
        }
    }

    /// How many times units, assignments or versions have changed through
    /// this registry: what a cache of them is read again after.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Marks the units, assignments or versions as changed, so cached
    /// resolvers are read again.
    pub(crate) fn changed(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// A resolver for `period`, shared between requests: read once, kept
    /// until something changes here or [`RESOLVER_TTL`] passes.
    pub async fn shared_resolver(&self, period: &str) -> Result<Arc<Mutex<Resolver>>> {
        let generation = self.generation.load(Ordering::SeqCst);
        if let Some(c) = self.resolvers.lock().unwrap().get(period)
            && c.generation == generation
            && c.read_at.elapsed() < RESOLVER_TTL
        {
            return Ok(c.resolver.clone());
        }
        let resolver = Arc::new(Mutex::new(self.resolver(period).await?));
        let mut cache = self.resolvers.lock().unwrap();
        // Periods are few, but a caller may name many: keep the map small.
        if cache.len() >= 64 {
            cache.clear();
        }
        cache.insert(
            period.to_string(),
            CachedResolver {
                generation,
                read_at: Instant::now(),
                resolver: resolver.clone(),
            },
        );
        Ok(resolver)
    }

    /// The store underneath.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The runtime plugins run in.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// The runtime, shared: for work that runs off the async threads.
    pub fn runtime_arc(&self) -> Arc<Runtime> {
        self.runtime.clone()
    }

    /// Appends to the audit log inside `tx`, so the entry lands with the change.
    pub(crate) async fn audit(
        tx: &mut Tx,
        actor: &Actor,
        action: &str,
        subject: &str,
        detail: serde_json::Value,
    ) -> Result<()> {
        // A unit admin acts within their subtree; an admin's act concerns
        // the unit it names, if any. Unit admins read the entries within
        // their subtree (see access::audit_scope).
        let unit = match &actor.role {
            Role::UnitAdmin { unit } => Some(unit.clone()),
            _ => detail
                .get("unit")
                .and_then(serde_json::Value::as_str)
                .map(str::to_string),
        };
        Ok(tx
            .audit(&actor.name, action, subject, &detail, unit.as_deref())
            .await?)
    }

    /// The audit log, oldest first.
    pub async fn audit_log(&self) -> Result<Vec<AuditEntry>> {
        Ok(self.store.audit_log().await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pre_releases_only_when_named() {
        let rc = Version::parse("2.0.0-rc.1").unwrap();
        assert!(!picks(&VersionReq::parse(">=1").unwrap(), &rc));
        assert!(!picks(&VersionReq::parse("^2.0.0-rc.0").unwrap(), &rc));
        assert!(picks(&VersionReq::parse("=2.0.0-rc.1").unwrap(), &rc));
        assert!(picks(&VersionReq::parse("2.0.0-rc.1").unwrap(), &rc));
        assert!(picks(
            &VersionReq::parse("^1.2").unwrap(),
            &Version::parse("1.9.0").unwrap()
        ));
    }

    #[test]
    fn names_are_namespace_slash_name() {
        assert_eq!(
            split_name("tuyenquang-tax/tax-officer").unwrap(),
            ("tuyenquang-tax", "tax-officer")
        );
        for bad in ["tax-officer", "a/b/c", "A/b", "a/", "/b", "a b/c", "-a/b"] {
            assert!(matches!(split_name(bad), Err(Error::BadName(_))), "{bad}");
        }
    }
}
