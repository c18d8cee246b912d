//! `thuocdo plugin publish | list | yank`, `assign`, `audit` on the data
//! directory's registry. On the local data directory the command line acts as
//! an administrator named after the machine's user.

use std::future::Future;
use std::path::Path;
use std::sync::Arc;

use serde_json::json;

use super::Error;
use super::client::{Remote, path_segment};
use crate::access::Actor;
use crate::config::Config;
use crate::registry::{self, AuditEntry, Registry, VersionRecord};
use crate::runtime::Runtime;
use crate::store::Store;

impl From<registry::Error> for Error {
    fn from(e: registry::Error) -> Error {
        match e {
            registry::Error::Invalid(r) => Error::Plugin(r),
            registry::Error::Store(s) => Error::Failed(s.to_string()),
            other => Error::BadInput(other.to_string()),
        }
    }
}

/// The local actor: an administrator named after the user.
pub(super) fn local_actor() -> Actor {
    Actor::admin(&format!(
        "{}@local",
        std::env::var("USER").unwrap_or_else(|_| "thuocdo".into())
    ))
}

/// Opens the registry and runs `f` on it.
pub(super) fn with_registry<T, F, Fut>(config: &Config, f: F) -> Result<T, Error>
where
    F: FnOnce(Registry) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let database = config.database().map_err(Error::BadInput)?;
    let runtime = Arc::new(Runtime::with_config(config.runtime())?);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Failed(format!("starting the async runtime: {e}")))?;
    rt.block_on(async {
        let store = Store::open(&database)
            .await
            .map_err(|e| Error::Failed(format!("opening the database: {e}")))?;
        let result = f(Registry::new(store.clone(), runtime)).await;
        store.close().await;
        result
    })
}

pub(super) fn print_json(value: &impl serde::Serialize) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("serialises")
    );
}

pub(super) fn publish(config: &Config, file: &Path, json: bool) -> Result<(), Error> {
    let bytes = std::fs::read(file)
        .map_err(|e| Error::BadInput(format!("reading {}: {e}", file.display())))?;
    let published: registry::Published = match Remote::from_config(config)? {
        Some(remote) => remote.post_bytes("/plugins", "application/wasm", bytes)?,
        None => with_registry(config, |r| async move {
            Ok(r.publish(&local_actor(), bytes).await?)
        })?,
    };
    if json {
        print_json(&published);
    } else {
        let what = if published.created {
            "published"
        } else {
            "already published"
        };
        println!(
            "{what} {}@{} sha256 {}",
            published.record.name, published.record.version, published.record.sha256
        );
    }
    Ok(())
}

/// `namespace/name` as two escaped path segments.
fn plugin_path(name: &str) -> Result<String, Error> {
    let (namespace, name) = registry::split_name(name)?;
    Ok(format!(
        "{}/{}",
        path_segment(namespace),
        path_segment(name)
    ))
}

pub(super) fn list(config: &Config, name: Option<&str>, json: bool) -> Result<(), Error> {
    let remote = Remote::from_config(config)?;
    match name {
        None => {
            let plugins: Vec<String> = match &remote {
                Some(remote) => remote.get("/plugins")?,
                None => with_registry(config, |r| async move { Ok(r.plugins().await?) })?,
            };
            if json {
                print_json(&plugins);
            } else {
                plugins.iter().for_each(|p| println!("{p}"));
            }
        }
        Some(name) => {
            let versions: Vec<VersionRecord> = match &remote {
                Some(remote) => remote.get(&format!("/plugins/{}", plugin_path(name)?))?,
                None => {
                    let name = name.to_string();
                    with_registry(config, |r| async move { Ok(r.versions(&name).await?) })?
                }
            };
            if json {
                print_json(&versions);
            } else {
                for v in versions {
                    let flags = [(v.yanked, " yanked"), (v.prerelease, " pre-release")]
                        .iter()
                        .filter(|(on, _)| *on)
                        .map(|(_, f)| *f)
                        .collect::<String>();
                    println!(
                        "{}@{} sha256 {} by {}{flags}",
                        v.name, v.version, v.sha256, v.published_by
                    );
                }
            }
        }
    }
    Ok(())
}

/// Splits `name@rest`.
fn at(text: &str, what: &str) -> Result<(String, String), Error> {
    text.split_once('@')
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .ok_or_else(|| Error::BadInput(format!("`{text}` is not {what}")))
}

pub(super) fn yank(config: &Config, version: &str) -> Result<(), Error> {
    let (name, version) = at(version, "namespace/name@version")?;
    let record: VersionRecord = match Remote::from_config(config)? {
        Some(remote) => remote.post(
            &format!(
                "/plugins/{}/{}/yank",
                plugin_path(&name)?,
                path_segment(&version)
            ),
            &json!({}),
        )?,
        None => with_registry(config, |r| async move {
            Ok(r.yank(&local_actor(), &name, &version).await?)
        })?,
    };
    println!("yanked {}@{}", record.name, record.version);
    Ok(())
}

pub(super) fn assign(
    config: &Config,
    post_type: &str,
    plugin: &str,
    unit: &str,
    from: &str,
    json: bool,
) -> Result<(), Error> {
    let (name, requirement) = at(plugin, "namespace/name@requirement")?;
    let (post_type, unit, from) = (post_type.to_string(), unit.to_string(), from.to_string());
    let a: registry::Assignment = match Remote::from_config(config)? {
        Some(remote) => remote.post(
            "/assignments",
            &json!({"post_type": post_type, "plugin": name, "requirement": requirement,
                    "unit": unit, "from": from}),
        )?,
        None => with_registry(config, |r| async move {
            Ok(r.assign(
                &local_actor(),
                &post_type,
                &name,
                &requirement,
                &unit,
                &from,
            )
            .await?)
        })?,
    };
    if json {
        print_json(&a);
    } else {
        println!(
            "assigned {} ({}) in {} to {}@{} from {}",
            a.post_type, a.post_kind, a.unit, a.plugin, a.requirement, a.effective_from
        );
    }
    Ok(())
}

pub(super) fn audit(config: &Config, json: bool) -> Result<(), Error> {
    let entries: Vec<AuditEntry> = match Remote::from_config(config)? {
        Some(remote) => {
            // A page at a time, each after the last id of the one before.
            let mut all = Vec::new();
            loop {
                let after = all.last().map_or(0, |e: &AuditEntry| e.id);
                let page: Vec<AuditEntry> =
                    remote.get(&format!("/audit?after={after}&limit=1000"))?;
                if page.is_empty() {
                    break all;
                }
                all.extend(page);
            }
        }
        None => with_registry(config, |r| async move { Ok(r.audit_log().await?) })?,
    };
    if json {
        print_json(&entries);
    } else {
        for e in entries {
            println!(
                "{:>6} {} {} {} {} {}",
                e.id, e.at, e.actor, e.action, e.subject, e.detail
            );
        }
    }
    Ok(())
}
