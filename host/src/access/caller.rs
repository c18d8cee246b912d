//! Who is calling: the bearer token, if any, checked against the stored
//! hashes. No token is the public, who may read what is public; a token that
//! is not a live one is refused outright.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::tokens;
use super::{Actor, Denied, Role, RoleKind};
use crate::runtime::sha256_hex;
use crate::store::Store;

/// How long a checked token is trusted without asking the database again:
/// a token revoked in the database stops working within this.
pub const TOKEN_TTL: Duration = Duration::from_secs(10);

/// Live tokens recently checked, by the SHA-256 of their secret (the secret
/// itself is not kept). Only live tokens are kept, so a flood of wrong ones
/// cannot fill it.
#[derive(Default)]
pub struct TokenCache {
    live: Mutex<HashMap<String, (Instant, Actor)>>,
}

impl TokenCache {
    /// The actor a secret stands for, if it is a live token.
    pub async fn authenticate(
        &self,
        store: &Store,
        secret: &str,
    ) -> Result<Option<Actor>, tokens::Error> {
        let key = sha256_hex(secret.as_bytes());
        if let Some((at, actor)) = self.live.lock().unwrap().get(&key)
            && at.elapsed() < TOKEN_TTL
        {
            return Ok(Some(actor.clone()));
        }
        let found = tokens::authenticate(store, secret).await?;
        let mut live = self.live.lock().unwrap();
        match &found {
            Some(actor) => {
                if live.len() >= 10_000 {
                    live.retain(|_, (at, _)| at.elapsed() < TOKEN_TTL);
                }
                live.insert(key, (Instant::now(), actor.clone()));
            }
            None => {
                live.remove(&key);
            }
        }
        Ok(found)
    }

    /// Forgets every token checked: the next request with each asks the
    /// database again (after a revocation on this server).
    pub fn forget_all(&self) {
        self.live.lock().unwrap().clear();
    }

    /// The caller a token's secret names, or `None` when it is not a live
    /// token (the dashboard reads it from a cookie, the API from a header).
    pub async fn caller(
        &self,
        store: &Store,
        secret: &str,
    ) -> Result<Option<Caller>, tokens::Error> {
        Ok(self
            .authenticate(store, secret)
            .await?
            .map(|actor| Caller(Some(actor))))
    }
}

/// The caller: an actor with a role, or the public.
#[derive(Clone, Debug)]
pub struct Caller(pub Option<Actor>);

impl Caller {
    /// The public: no token.
    pub const PUBLIC: Caller = Caller(None);

    /// The kind of the caller's role; `None` for the public.
    pub fn kind(&self) -> Option<RoleKind> {
        self.0.as_ref().map(|a| a.role.kind())
    }

    /// The role's name, as tokens are created with it; `None` for the public.
    pub fn role_name(&self) -> Option<&'static str> {
        self.kind().map(RoleKind::name)
    }

    /// The actor, or [`Denied::NoToken`] when the public calls what needs a token.
    pub fn actor(&self) -> Result<&Actor, Denied> {
        self.0.as_ref().ok_or(Denied::NoToken)
    }

    /// The actor if its role is one of `roles`; otherwise why not, naming
    /// what was attempted (`what`) and the roles that may.
    pub fn with_role(&self, what: &str, roles: &[RoleKind]) -> Result<&Actor, Denied> {
        let actor = self.actor()?;
        let kind = actor.role.kind();
        if roles.contains(&kind) {
            Ok(actor)
        } else {
            Err(Denied::Role {
                who: actor.name.clone(),
                role: kind,
                what: what.to_string(),
                needs: roles.to_vec(),
            })
        }
    }

    /// Whether the caller may see the per-person results of subjects in
    /// `unit` whatever the unit publishes (their facts and caps only as
    /// [`Caller::sees_personal`] says): admins, and unit admins and bound
    /// analysts of a subtree holding it.
    pub fn sees_people(&self, units: &crate::scoring::Units, unit: &str) -> bool {
        match self.0.as_ref().map(|a| &a.role) {
            Some(Role::Analyst { unit: Some(root) }) => units.within(unit, root),
            _ => self.sees_personal(units, unit),
        }
    }

    /// Whether the caller may see personal details of subjects in `unit`:
    /// admins, and unit admins of a subtree holding it.
    pub fn sees_personal(&self, units: &crate::scoring::Units, unit: &str) -> bool {
        match self.0.as_ref().map(|a| &a.role) {
            Some(Role::Admin) => true,
            Some(Role::UnitAdmin { unit: root }) => units.within(unit, root),
            _ => false,
        }
    }
}
