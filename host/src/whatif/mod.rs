//! What-ifs: draft scorecards tried on real past data before they change
//! anything (users know this as the policy sandbox: `thuocdo sandbox`,
//! `/api/v1/sandbox/…`, the `/sandbox` page; inside the code "sandbox" is the
//! wasm isolation only). Drafts live apart from the registry (the same name and
//! version may be both a draft and a published version), nothing published
//! can reach them, and a what-if only reads: it scores a draft on the stored
//! facts of a period, beside that period's official run, and reports who
//! would move.
//!
//! ```no_run
//! # async fn example(registry: std::sync::Arc<thuocdo_host::registry::Registry>, bytes: Vec<u8>) -> Result<(), thuocdo_host::whatif::Error> {
//! use thuocdo_host::access::{Actor, Role};
//! use thuocdo_host::whatif::{CompareOptions, WhatIfs, WhatIfConfig};
//! let whatifs = WhatIfs::new(registry, WhatIfConfig::default());
//! let analyst = Actor::analyst("policy team", None);
//! let draft = whatifs.upload(&analyst, bytes).await?;
//! let what_if = whatifs
//!     .compare(&analyst, draft.id, &CompareOptions::period("2025-09"))
//!     .await?;
//! println!("{} subjects change grade", what_if.periods[0].movers.len());
//! # Ok(())
//! # }
//! ```

mod compare;
mod error;

pub use compare::{
    CompareOptions, Comparison, Deltas, FactCoverage, IndicatorMove, Mover, PeriodComparison,
    UnitComparison,
};
pub use error::{Error, Result};

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::access::{Actor, Role};
use crate::registry::{Period, Registry};
use crate::runtime::{Limits, Plugin, sha256_hex};
use crate::store::bulk::Cell;
use crate::store::drafts::NewDraft;
use crate::store::now_millis;

/// How drafts run: tighter than published scorecards, and a bound on each
/// analyst's what-ifs at once.
#[derive(Clone, Debug)]
pub struct WhatIfConfig {
    /// Limits per evaluation of a draft.
    pub limits: Limits,
    /// What-ifs one analyst may have running at once.
    pub per_analyst: usize,
    /// Drafts one analyst may keep.
    pub drafts_per_analyst: i64,
    /// Bytes of components one analyst's drafts may hold in all.
    pub draft_bytes_per_analyst: i64,
}

impl Default for WhatIfConfig {
    fn default() -> WhatIfConfig {
        let published = Limits::default();
        WhatIfConfig {
            limits: Limits {
                // A quarter of a published scorecard's budget: a draft that
                // loops is stopped sooner, and a what-if over a province stays
                // short even when every subject hits the wall.
                fuel: published.fuel / 4,
                deadline: Duration::from_millis(50),
                memory: 32 << 20,
                output: 256 << 10,
                ..published
            },
            per_analyst: 2,
            drafts_per_analyst: 20,
            draft_bytes_per_analyst: 64 << 20,
        }
    }
}

pub use crate::store::drafts::DraftRecord;

/// Trial facts one draft may hold: a policy team's sample, not a country.
pub const MAX_TRIAL_ROWS: usize = 200_000;

/// What a draft's trial facts came to.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct TrialFacts {
    /// The draft.
    pub draft: i64,
    /// Values it holds now (each subject, period and fact once).
    pub values: usize,
    /// Subjects they are for.
    pub subjects: usize,
    /// Periods they are for.
    pub periods: Vec<String>,
}

/// Drafts and what-ifs over a registry's data.
pub struct WhatIfs {
    registry: Arc<Registry>,
    config: WhatIfConfig,
    loaded: Mutex<HashMap<i64, Arc<Plugin>>>,
    running: Mutex<HashMap<String, usize>>,
    // One upload at a time per host: the quota check and the insert are
    // then one step, and a component is compiled by one upload at a time.
    uploading: tokio::sync::Mutex<()>,
}

/// One what-if in flight for an analyst; dropping it frees the place.
struct Slot<'a> {
    sandbox: &'a WhatIfs,
    who: String,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut running = self.sandbox.running.lock().unwrap();
        if let Some(n) = running.get_mut(&self.who) {
            *n -= 1;
            if *n == 0 {
                running.remove(&self.who);
            }
        }
    }
}

/// Analysts work in the sandbox; admins may too.
fn may_use(actor: &Actor) -> Result<()> {
    match actor.role {
        Role::Admin | Role::Analyst { .. } => Ok(()),
        _ => Err(Error::Forbidden(format!(
            "{} may not use the sandbox: that takes an analyst or an admin",
            actor.name
        ))),
    }
}

impl WhatIfs {
    /// The sandbox over `registry`'s data.
    pub fn new(registry: Arc<Registry>, config: WhatIfConfig) -> WhatIfs {
        WhatIfs {
            registry,
            config,
            loaded: Mutex::new(HashMap::new()),
            running: Mutex::new(HashMap::new()),
            uploading: tokio::sync::Mutex::new(()),
        }
    }

    /// The limits drafts run under.
    pub fn config(&self) -> &WhatIfConfig {
        &self.config
    }

    /// Validates a component and keeps it as a draft. Any valid scorecard
    /// will do; it need not be, and never becomes, published.
    pub async fn upload(&self, actor: &Actor, bytes: Vec<u8>) -> Result<DraftRecord> {
        may_use(actor)?;
        if bytes.is_empty() {
            return Err(Error::BadInput(
                "the body is empty: send the draft's .wasm component".into(),
            ));
        }
        let _one = self.uploading.lock().await;
        let (kept, held) = self.registry.store().draft_usage(&actor.name).await?;
        let (count, limit) = (
            self.config.drafts_per_analyst,
            self.config.draft_bytes_per_analyst,
        );
        if kept >= count {
            return Err(Error::Quota(format!(
                "{} keeps {kept} drafts, the most one analyst may; delete one first",
                actor.name
            )));
        }
        if held + bytes.len() as i64 > limit {
            return Err(Error::Quota(format!(
                "{}'s drafts hold {held} bytes; this one's {} would pass the {limit} one analyst may keep: delete one first",
                actor.name,
                bytes.len()
            )));
        }
        let runtime = self.registry.runtime_arc();
        let (plugin, bytes) = tokio::task::spawn_blocking(move || {
            let loaded = runtime.load(&bytes);
            (loaded, bytes)
        })
        .await
        .map_err(|e| Error::BadInput(format!("validating the draft failed: {e}")))?;
        let plugin = plugin?;
        let describe = serde_json::to_string(&plugin.info).expect("describe serialises");
        let sha256 = sha256_hex(&bytes);
        let draft: DraftRecord = self
            .registry
            .store()
            .insert_draft(NewDraft {
                name: &plugin.info.name,
                version: &plugin.info.version,
                sha256: &sha256,
                describe: &describe,
                bytes,
                uploaded_by: &actor.name,
                uploaded_at: now_millis(),
            })
            .await?;
        self.loaded
            .lock()
            .unwrap()
            .insert(draft.id, Arc::new(plugin));
        Ok(draft)
    }

    /// Gives draft `id` trial facts: values, from a facts file (CSV or
    /// JSON, as imports take them), for facts the draft declares, read by
    /// this draft's what-ifs only and never by an import, a run or another
    /// draft. They replace the draft's earlier trial facts, if any; each
    /// row is checked against the organisation and the draft's own ranges,
    /// and the file is refused whole when any row is bad. Its uploader or
    /// an admin may.
    pub async fn trial_facts(
        &self,
        actor: &Actor,
        id: i64,
        file: &str,
        source: impl std::io::Read + Send + 'static,
        format: Option<crate::facts::Format>,
    ) -> Result<TrialFacts> {
        may_use(actor)?;
        let (draft, plugin) = self.plugin(id).await?;
        if actor.role != Role::Admin && draft.uploaded_by != actor.name {
            return Err(Error::Forbidden(format!(
                "draft {id} was uploaded by {}; only they or an admin may give it trial facts",
                draft.uploaded_by
            )));
        }
        let name = file.to_string();
        let (rows, mut bad) = tokio::task::spawn_blocking(move || {
            crate::facts::read_rows(&name, source, format, MAX_TRIAL_ROWS)
        })
        .await
        .map_err(|e| Error::Internal(format!("reading the trial facts failed: {e}")))??;
        let mut declared = crate::facts::dictionary::Dictionary::default();
        declared.add(&plugin.info);
        let subjects = self.registry.store().subject_units().await?;
        let mut values: BTreeMap<(String, String, String), (i64, String)> = BTreeMap::new();
        for row in rows {
            let mut reasons = Vec::new();
            if !subjects.contains_key(&row.subject) {
                reasons.push(format!(
                    "subject `{}` is not in the organisation",
                    row.subject
                ));
            }
            if let Err(e) = Period::parse(&row.period) {
                reasons.push(e.to_string());
            }
            let raw = if declared.get(&row.fact).is_none() {
                reasons.push(format!(
                    "fact `{}` is not one the draft {} declares",
                    row.fact, plugin.info.name
                ));
                None
            } else {
                declared
                    .check(&row.fact, &row.value)
                    .map_err(|e| reasons.push(e))
                    .ok()
            };
            let key = (row.period.clone(), row.subject.clone(), row.fact.clone());
            if let (Some(raw), Some((first, at))) = (raw, values.get(&key))
                && *first != raw
            {
                reasons.push(format!(
                    "`{}` of {} for {} is {} here and {} at {at}",
                    row.fact,
                    row.subject,
                    row.period,
                    row.value.trim(),
                    thuocdo_sdk::Fixed::from_raw(*first)
                ));
            }
            match raw {
                Some(raw) if reasons.is_empty() => {
                    values.entry(key).or_insert((raw, row.at));
                }
                _ => bad.push(crate::scoring::RowError {
                    at: row.at,
                    reason: reasons.join("; "),
                }),
            }
        }
        bad.in_file_order();
        bad.check(file)?;
        let subjects: std::collections::BTreeSet<&str> =
            values.keys().map(|(_, s, _)| s.as_str()).collect();
        let periods: std::collections::BTreeSet<&str> =
            values.keys().map(|(p, _, _)| p.as_str()).collect();
        let made = TrialFacts {
            draft: id,
            values: values.len(),
            subjects: subjects.len(),
            periods: periods.into_iter().map(str::to_string).collect(),
        };
        let rows = values
            .into_iter()
            .map(|((period, subject, fact), (raw, _))| {
                vec![
                    Cell::Text(period),
                    Cell::Text(subject),
                    Cell::Text(fact),
                    Cell::Int(raw),
                ]
            })
            .collect();
        self.registry.store().replace_draft_facts(id, rows).await?;
        Ok(made)
    }

    /// Every draft, oldest first.
    pub async fn list(&self, actor: &Actor) -> Result<Vec<DraftRecord>> {
        may_use(actor)?;
        Ok(self.registry.store().drafts().await?)
    }

    /// Deletes a draft: its uploader or an admin may.
    pub async fn delete(&self, actor: &Actor, id: i64) -> Result<DraftRecord> {
        may_use(actor)?;
        let draft = self.get(id).await?;
        if actor.role != Role::Admin && draft.uploaded_by != actor.name {
            return Err(Error::Forbidden(format!(
                "draft {id} was uploaded by {}; only they or an admin may delete it",
                draft.uploaded_by
            )));
        }
        self.registry.store().delete_draft(id).await?;
        self.loaded.lock().unwrap().remove(&id);
        Ok(draft)
    }

    async fn get(&self, id: i64) -> Result<DraftRecord> {
        match self.registry.store().draft(id).await? {
            Some(r) => Ok(r),
            None => Err(Error::NotFound(format!("no draft with id {id}"))),
        }
    }

    /// The draft compiled, compiled on first use and kept.
    async fn plugin(&self, id: i64) -> Result<(DraftRecord, Arc<Plugin>)> {
        let draft = self.get(id).await?;
        if let Some(p) = self.loaded.lock().unwrap().get(&id) {
            return Ok((draft, p.clone()));
        }
        let bytes = self.registry.store().draft_bytes(id).await?;
        let runtime = self.registry.runtime_arc();
        let plugin = tokio::task::spawn_blocking(move || runtime.load(&bytes))
            .await
            .map_err(|e| Error::BadInput(format!("loading the draft failed: {e}")))??;
        let plugin = Arc::new(plugin);
        self.loaded.lock().unwrap().insert(id, plugin.clone());
        Ok((draft, plugin))
    }

    /// Takes one of the analyst's places for a what-if, or says they are all taken.
    fn slot(&self, actor: &Actor) -> Result<Slot<'_>> {
        let mut running = self.running.lock().unwrap();
        let n = running.entry(actor.name.clone()).or_insert(0);
        if *n >= self.config.per_analyst {
            return Err(Error::Busy(format!(
                "{} has {} what-ifs running, the most one analyst may; try again when one ends",
                actor.name, n
            )));
        }
        *n += 1;
        Ok(Slot {
            sandbox: self,
            who: actor.name.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn each_analyst_has_a_bounded_number_of_what_ifs() {
        let store = crate::store::Store::open(&crate::store::Database::Sqlite(
            std::env::temp_dir().join(format!("thuocdo-slots-{}.db", std::process::id())),
        ))
        .await
        .unwrap();
        let runtime = Arc::new(crate::runtime::Runtime::new().unwrap());
        let sandbox = WhatIfs::new(
            Arc::new(Registry::new(store, runtime)),
            WhatIfConfig {
                per_analyst: 2,
                ..WhatIfConfig::default()
            },
        );
        let (a, b) = (
            Actor {
                name: "a".into(),
                role: Role::Analyst { unit: None },
            },
            Actor {
                name: "b".into(),
                role: Role::Analyst { unit: None },
            },
        );
        let first = sandbox.slot(&a).unwrap();
        let _second = sandbox.slot(&a).unwrap();
        assert!(matches!(sandbox.slot(&a), Err(Error::Busy(_))));
        // Another analyst is not held up by the first.
        let _other = sandbox.slot(&b).unwrap();
        drop(first);
        assert!(sandbox.slot(&a).is_ok());
    }
}
