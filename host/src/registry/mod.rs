//! The versioned plugin registry: publish (validate, hash, describe), immutable
//! semver versions, yank, assignments of post types within unit subtrees to a
//! plugin and a semver requirement from a period, resolution of the version in
//! force, and the append-only audit log of all of it.
//!
//! Plugin bytes live in the database, so any host sharing it serves any
//! version; compiling happens lazily (and off the async threads), so opening a
//! registry of hundreds of versions compiles nothing.

mod error;
mod period;
mod resolve;

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

use crate::runtime::{self, Plugin, Runtime};
pub use crate::store::assignments::Assignment;
use crate::store::assignments::NewAssignment;
pub use crate::store::audit::AuditEntry;
pub use crate::store::plugins::VersionRecord;
use crate::store::{Store, Tx, now_millis};

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
        Ok(tx.audit(&actor.name, action, subject, &detail).await?)
    }

    fn may_publish(actor: &Actor, namespace: &str) -> Result<()> {
        match &actor.role {
            Role::Admin => Ok(()),
            Role::Publisher { namespace: own } if own == namespace => Ok(()),
            Role::Publisher { namespace: own } => Err(Error::Forbidden(format!(
                "{} publishes in namespace `{own}` only, not `{namespace}`",
                actor.name
            ))),
            _ => Err(Error::Forbidden(format!(
                "{} may not publish or yank: that takes an admin or the publisher of `{namespace}`",
                actor.name
            ))),
        }
    }

    async fn existing_by_sha(&self, sha256: &str) -> Result<Option<VersionRecord>> {
        Ok(self.store.version_by_sha(sha256).await?)
    }

    async fn version(
        &self,
        namespace: &str,
        name: &str,
        version: &str,
    ) -> Result<Option<VersionRecord>> {
        Ok(self.store.plugin_version(namespace, name, version).await?)
    }

    /// Validates, hashes and publishes a component. The same bytes again return
    /// the existing record; other bytes under an existing version are a conflict
    /// naming both hashes. Compiling runs off the async threads.
    pub async fn publish(&self, actor: &Actor, bytes: Vec<u8>) -> Result<Published> {
        self.publish_inner(actor, bytes, false).await
    }

    /// Publishes but aborts just before committing, as a failure midway would:
    /// for tests that nothing is left half-written (feature `test-hooks`).
    #[cfg(feature = "test-hooks")]
    pub async fn publish_interrupted(&self, actor: &Actor, bytes: Vec<u8>) -> Result<Published> {
        self.publish_inner(actor, bytes, true).await
    }

    async fn publish_inner(
        &self,
        actor: &Actor,
        bytes: Vec<u8>,
        interrupt: bool,
    ) -> Result<Published> {
        let sha256 = runtime::sha256_hex(&bytes);
        if let Some(existing) = self.existing_by_sha(&sha256).await? {
            Self::may_publish(actor, split_name(&existing.name)?.0)?;
            return Ok(Published {
                record: existing,
                created: false,
            });
        }
        let runtime = self.runtime.clone();
        let (plugin, bytes) = tokio::task::spawn_blocking(move || (runtime.load(&bytes), bytes))
            .await
            .map_err(|e| Error::Invalid(runtime::Error::Engine(e.to_string())))?;
        let plugin = plugin.map_err(Error::Invalid)?;
        let full_name = plugin.info.name.clone();
        let (namespace, name) = split_name(&full_name)?;
        let version = parse_version(&plugin.info.version)?;
        Self::may_publish(actor, namespace)?;

        let describe = serde_json::to_string(&plugin.info).expect("describe() serialises");
        let record = VersionRecord {
            name: full_name.clone(),
            version: version.to_string(),
            sha256: sha256.clone(),
            published_by: actor.name.clone(),
            published_at: now_millis(),
            yanked: false,
            prerelease: !version.pre.is_empty(),
        };
        let mut tx = self.store.begin().await?;
        tx.insert_plugin_blob(&sha256, &bytes).await?;
        let inserted = tx
            .insert_plugin_version(namespace, name, &record, &describe)
            .await;
        if let Err(e) = inserted {
            drop(tx);
            if !e.is_unique_violation() {
                return Err(e.into());
            }
            return match self.version(namespace, name, &record.version).await? {
                Some(existing) if existing.sha256 == sha256 => Ok(Published {
                    record: existing,
                    created: false,
                }),
                Some(existing) => Err(Error::Conflict {
                    name: full_name,
                    version: record.version,
                    existing: existing.sha256,
                    offered: sha256,
                }),
                None => Err(e.into()),
            };
        }
        let detail =
            serde_json::json!({"version": record.version, "sha256": sha256, "size": bytes.len()});
        Self::audit(&mut tx, actor, "publish", &full_name, detail).await?;
        if interrupt {
            tx.rollback().await?;
            return Err(Error::Store(crate::store::Error::interrupted(
                "publish interrupted before commit",
            )));
        }
        tx.commit().await?;
        self.changed();
        self.loaded.lock().unwrap().insert(sha256, Arc::new(plugin));
        Ok(Published {
            record,
            created: true,
        })
    }

    /// Every published plugin's name.
    pub async fn plugins(&self) -> Result<Vec<String>> {
        Ok(self.store.plugin_names().await?)
    }

    /// Every version of a plugin, lowest first.
    pub async fn versions(&self, plugin: &str) -> Result<Vec<VersionRecord>> {
        let (namespace, name) = split_name(plugin)?;
        let mut versions: Vec<(Version, VersionRecord)> = self
            .store
            .plugin_versions(namespace, name)
            .await?
            .into_iter()
            .map(|rec| Ok((parse_version(&rec.version)?, rec)))
            .collect::<Result<_>>()?;
        versions.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(versions.into_iter().map(|(_, r)| r).collect())
    }

    async fn known_versions(&self, plugin: &str) -> Result<Vec<VersionRecord>> {
        let versions = self.versions(plugin).await?;
        if versions.is_empty() {
            let known = self.plugins().await?;
            return Err(Error::NotFound(format!(
                "no plugin named {plugin} is published (published: {})",
                if known.is_empty() {
                    "none".into()
                } else {
                    known.join(", ")
                }
            )));
        }
        Ok(versions)
    }

    /// Yanks a version: never picked by an assignment again, still evaluable.
    pub async fn yank(&self, actor: &Actor, plugin: &str, version: &str) -> Result<VersionRecord> {
        let (namespace, name) = split_name(plugin)?;
        let v = parse_version(version)?;
        Self::may_publish(actor, namespace)?;
        let versions = self.known_versions(plugin).await?;
        let Some(record) = versions
            .iter()
            .find(|r| r.version == v.to_string())
            .cloned()
        else {
            let listed: Vec<&str> = versions.iter().map(|r| r.version.as_str()).collect();
            return Err(Error::NotFound(format!(
                "{plugin} has no version {version} (published: {})",
                listed.join(", ")
            )));
        };
        let mut tx = self.store.begin().await?;
        tx.yank_plugin_version(namespace, name, &record.version, &actor.name, now_millis())
            .await?;
        Self::audit(
            &mut tx,
            actor,
            "yank",
            plugin,
            serde_json::json!({"version": record.version}),
        )
        .await?;
        tx.commit().await?;
        self.changed();
        Ok(VersionRecord {
            yanked: true,
            ..record
        })
    }

    /// A version's record and its describe() as published (JSON text).
    pub async fn describe(&self, plugin: &str, version: &str) -> Result<(VersionRecord, String)> {
        let (namespace, name) = split_name(plugin)?;
        let found = self.store.plugin_describe(namespace, name, version).await?;
        match found {
            Some(found) => Ok(found),
            None => {
                let versions = self.known_versions(plugin).await?;
                let listed: Vec<&str> = versions.iter().map(|r| r.version.as_str()).collect();
                Err(Error::NotFound(format!(
                    "{plugin} has no version {version} (published: {})",
                    listed.join(", ")
                )))
            }
        }
    }

    /// The compiled plugin for an exact version, compiled on first use (off the
    /// async threads) and kept.
    pub async fn plugin(&self, plugin: &str, version: &str) -> Result<Arc<Plugin>> {
        let key = format!("{plugin}@{version}");
        if let Some(p) = self.by_version.lock().unwrap().get(&key) {
            return Ok(p.clone());
        }
        let loaded = self.plugin_uncached(plugin, version).await?;
        self.by_version.lock().unwrap().insert(key, loaded.clone());
        Ok(loaded)
    }

    async fn plugin_uncached(&self, plugin: &str, version: &str) -> Result<Arc<Plugin>> {
        let (namespace, name) = split_name(plugin)?;
        let Some(record) = self.version(namespace, name, version).await? else {
            return Err(Error::NotFound(format!(
                "{plugin} has no version {version}"
            )));
        };
        if let Some(p) = self.loaded.lock().unwrap().get(&record.sha256) {
            return Ok(p.clone());
        }
        let bytes = self.store.plugin_blob(&record.sha256).await?;
        let runtime = self.runtime.clone();
        let loaded = tokio::task::spawn_blocking(move || runtime.load(&bytes))
            .await
            .map_err(|e| Error::Invalid(runtime::Error::Engine(e.to_string())))?
            .map_err(Error::Invalid)?;
        let loaded = Arc::new(loaded);
        self.loaded
            .lock()
            .unwrap()
            .insert(record.sha256, loaded.clone());
        Ok(loaded)
    }

    /// Adds or updates a unit of the organisation (admins only).
    pub async fn upsert_unit(
        &self,
        actor: &Actor,
        code: &str,
        name: &str,
        kind: &str,
        parent: Option<&str>,
    ) -> Result<()> {
        if actor.role != Role::Admin {
            return Err(Error::Forbidden(format!(
                "{} may not change units: that takes an admin",
                actor.name
            )));
        }
        if let Some(p) = parent {
            self.unit_kind(p).await?;
        }
        let mut tx = self.store.begin().await?;
        tx.upsert_unit(code, name, kind, parent).await?;
        let detail = serde_json::json!({"name": name, "kind": kind, "parent": parent});
        Self::audit(&mut tx, actor, "unit", code, detail).await?;
        tx.commit().await?;
        self.changed();
        Ok(())
    }

    async fn unit_kind(&self, code: &str) -> Result<String> {
        match self.store.unit_kind(code).await? {
            Some(kind) => Ok(kind),
            None => Err(Error::NotFound(format!("no unit with code `{code}`"))),
        }
    }

    /// The unit and its ancestors, nearest first.
    async fn ancestry(&self, code: &str) -> Result<Vec<String>> {
        self.unit_kind(code).await?;
        let mut chain = vec![code.to_string()];
        loop {
            match self.store.unit_parent(chain.last().unwrap()).await? {
                // A cycle in the data must not hang the host.
                Some(p) if !chain.contains(&p) => chain.push(p),
                _ => return Ok(chain),
            }
        }
    }

    /// Assigns a post type within a unit subtree to a plugin and requirement,
    /// from a period (admins, or unit admins of that subtree).
    pub async fn assign(
        &self,
        actor: &Actor,
        post_type: &str,
        plugin: &str,
        requirement: &str,
        unit: &str,
        from: &str,
    ) -> Result<Assignment> {
        let from = Period::parse(from)?;
        let ancestry = self.ancestry(unit).await?;
        match &actor.role {
            Role::Admin => {}
            Role::UnitAdmin { unit: root } if ancestry.contains(root) => {}
            _ => {
                return Err(Error::Forbidden(format!(
                    "{} may not assign in `{unit}`: that takes an admin or a unit admin of a subtree holding it",
                    actor.name
                )));
            }
        }
        split_name(plugin)?;
        let req = VersionReq::parse(requirement).map_err(|e| Error::BadRequirement {
            requirement: requirement.to_string(),
            reason: e.to_string(),
        })?;
        let versions = self.known_versions(plugin).await?;
        if !versions
            .iter()
            .any(|r| !r.yanked && parse_version(&r.version).is_ok_and(|v| picks(&req, &v)))
        {
            let listed: Vec<String> = versions
                .iter()
                .map(|r| format!("{}{}", r.version, if r.yanked { " (yanked)" } else { "" }))
                .collect();
            return Err(Error::Unsatisfiable {
                plugin: plugin.to_string(),
                requirement: requirement.to_string(),
                available: listed.join(", "),
            });
        }
        let is_agency_type = self.store.is_agency_type(post_type).await?;
        let post_kind = if is_agency_type {
            "agency-type"
        } else {
            "position"
        };
        let mut tx = self.store.begin().await?;
        let inserted = tx
            .insert_assignment(&NewAssignment {
                post_type,
                post_kind,
                unit,
                plugin,
                requirement,
                effective_from: &from.start,
                assigned_by: &actor.name,
                assigned_at: now_millis(),
            })
            .await;
        if let Err(e) = inserted {
            drop(tx);
            if e.is_unique_violation() {
                let first = self
                    .store
                    .assignment_at(post_type, post_kind, unit, &from.start)
                    .await?;
                return Err(Error::Tie {
                    post_type: post_type.to_string(),
                    unit: unit.to_string(),
                    from: from.start,
                    first: format!(
                        "#{} {} {} by {}",
                        first.id, first.plugin, first.requirement, first.assigned_by
                    ),
                });
            }
            return Err(e.into());
        }
        let detail = serde_json::json!({
            "post_type": post_type, "post_kind": post_kind, "unit": unit,
            "plugin": plugin, "requirement": requirement, "from": from.start,
        });
        Self::audit(&mut tx, actor, "assign", post_type, detail).await?;
        tx.commit().await?;
        self.changed();
        Ok(self
            .store
            .assignment_at(post_type, post_kind, unit, &from.start)
            .await?)
    }

    /// Every assignment ever made, oldest first: who assigned what, when.
    pub async fn assignments(&self) -> Result<Vec<Assignment>> {
        Ok(self.store.assignments().await?)
    }

    /// The assignment in force for a post in a unit during a period, and the
    /// exact version it picks (see [`Resolver::resolve`]).
    pub async fn resolve(&self, position: &str, unit: &str, period: &str) -> Result<Resolved> {
        self.resolver(period).await?.resolve(position, unit)
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
