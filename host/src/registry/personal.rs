//! Which facts of a published version are personal: as an admin set them,
//! or by default those the card marks personal (contract 1.1) and those
//! about discipline or degradation (a sanction or a demotion is nobody's
//! business but the person's and their managers').
//! The access policy hides the raw value of every indicator that reads one
//! from readers who may not see the facts.

use serde::{Deserialize, Serialize};

use super::{Error, Registry, Result, split_name};
use crate::access::{Actor, Role};
use crate::runtime::PluginInfo;

/// A version's personal facts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PersonalFacts {
    /// `namespace/name`.
    pub plugin: String,
    /// The exact version.
    pub version: String,
    /// The facts, by name, in the order the version declares them.
    pub facts: Vec<String>,
    /// The admin who set them; none for the host's default.
    pub set_by: Option<String>,
}

/// The host's default: the facts the card marks personal, and those whose
/// name speaks of discipline or degradation (a 1.0.0 card marks none).
pub fn default_personal(info: &PluginInfo) -> Vec<String> {
    info.facts
        .iter()
        .filter(|f| f.personal || f.name.contains("disciplin") || f.name.contains("degradation"))
        .map(|f| f.name.clone())
        .collect()
}

impl Registry {
    /// The personal facts of `plugin`'s `version`.
    pub async fn personal_facts(&self, plugin: &str, version: &str) -> Result<PersonalFacts> {
        let (_, text) = self.describe(plugin, version).await?;
        let info = info_of(plugin, version, &text)?;
        self.personal_facts_of(plugin, version, &info).await
    }

    /// [`Registry::personal_facts`], the version's describe() read already.
    async fn personal_facts_of(
        &self,
        plugin: &str,
        version: &str,
        info: &PluginInfo,
    ) -> Result<PersonalFacts> {
        let (namespace, name) = split_name(plugin)?;
        let (facts, set_by) = match self
            .store()
            .personal_fact_list(namespace, name, version)
            .await?
        {
            Some((facts, by)) => (facts, Some(by)),
            None => (default_personal(info), None),
        };
        Ok(PersonalFacts {
            plugin: plugin.to_string(),
            version: version.to_string(),
            facts,
            set_by,
        })
    }

    /// Sets the personal facts of `plugin`'s `version`: each one a fact the
    /// version declares. An admin's act, audited with before and after.
    pub async fn set_personal_facts(
        &self,
        actor: &Actor,
        plugin: &str,
        version: &str,
        facts: &[String],
    ) -> Result<PersonalFacts> {
        if actor.role != Role::Admin {
            return Err(Error::Forbidden(format!(
                "{} may not set which facts are personal: that takes an admin",
                actor.name
            )));
        }
        let (_, text) = self.describe(plugin, version).await?;
        let info = info_of(plugin, version, &text)?;
        let before = self.personal_facts_of(plugin, version, &info).await?;
        let declared: Vec<&str> = info.facts.iter().map(|f| f.name.as_str()).collect();
        if let Some(unknown) = facts.iter().find(|f| !declared.contains(&f.as_str())) {
            return Err(Error::UnknownFact(format!(
                "`{unknown}` is not a fact {plugin}@{version} declares ({})",
                declared.join(", ")
            )));
        }
        // In the version's own order, each once.
        let kept: Vec<String> = declared
            .iter()
            .filter(|d| facts.iter().any(|f| f == *d))
            .map(|d| d.to_string())
            .collect();
        let (namespace, name) = split_name(plugin)?;
        let mut tx = self.store().begin().await?;
        tx.set_personal_fact_list(namespace, name, version, &kept, &actor.name)
            .await?;
        let detail = serde_json::json!({
            "version": version, "before": before.facts, "after": kept,
        });
        Registry::audit(&mut tx, actor, "personal-facts", plugin, detail).await?;
        tx.commit().await?;
        Ok(PersonalFacts {
            plugin: plugin.to_string(),
            version: version.to_string(),
            facts: kept,
            set_by: Some(actor.name.clone()),
        })
    }

    /// For each indicator of `plugin`'s `version`, whether it reads a
    /// personal fact.
    pub async fn personal_indicators(&self, plugin: &str, version: &str) -> Result<Vec<bool>> {
        let (_, text) = self.describe(plugin, version).await?;
        let info = info_of(plugin, version, &text)?;
        let personal = self.personal_facts_of(plugin, version, &info).await?.facts;
        Ok(info
            .indicators
            .iter()
            .map(|i| {
                i.facts.iter().any(|&k| {
                    info.facts
                        .get(k as usize)
                        .is_some_and(|f| personal.contains(&f.name))
                })
            })
            .collect())
    }
}

fn info_of(plugin: &str, version: &str, text: &str) -> Result<PluginInfo> {
    crate::runtime::stored_info(text).map_err(|e| {
        Error::Store(crate::store::Error::corrupt(format!(
            "the describe() of {plugin}@{version} does not read: {e}"
        )))
    })
}
