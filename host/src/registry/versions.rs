//! Publishing and reading versions: validate, hash and describe a component,
//! keep each version immutable, yank, and load the compiled plugin of a version.

use std::sync::Arc;

use semver::Version;

use super::{Error, Published, Registry, Result, parse_version, split_name};
use crate::access::{Actor, Role};
use crate::runtime::{self, Plugin};
use crate::store::now_millis;
use crate::store::plugins::VersionRecord;

impl Registry {
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
            contract: plugin.contract.version().to_string(),
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

    pub(super) async fn known_versions(&self, plugin: &str) -> Result<Vec<VersionRecord>> {
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
}
