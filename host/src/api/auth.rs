//! Who is calling: the bearer token, if any, checked against the stored
//! hashes. No token is the public, who may read what is public; a token that
//! is not a live one is refused outright.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::AppState;
use super::error::ApiError;
use crate::registry::{Actor, Role};
use crate::runtime::sha256_hex;
use crate::tokens;

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
    async fn authenticate(
        &self,
        store: &crate::store::Store,
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
}

/// The caller: an actor with a role, or the public.
#[derive(Clone, Debug)]
pub struct Caller(pub Option<Actor>);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, ApiError> {
        let Some(value) = parts.headers.get(AUTHORIZATION) else {
            return Ok(Caller(None));
        };
        let secret = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| {
                ApiError::unauthorized("the Authorization header must be `Bearer <token>`")
                    .field("Authorization")
            })?;
        match Caller::from_secret(state, secret).await? {
            Some(caller) => Ok(caller),
            None => Err(
                ApiError::unauthorized("the token is not a live thuocdo token")
                    .field("Authorization"),
            ),
        }
    }
}

impl Caller {
    /// The caller a token's secret names, or `None` when it is not a live
    /// token (the dashboard reads it from a cookie, the API from a header).
    pub(crate) async fn from_secret(
        state: &AppState,
        secret: &str,
    ) -> Result<Option<Caller>, ApiError> {
        Ok(state
            .tokens
            .authenticate(state.registry.store(), secret)
            .await?
            .map(|actor| Caller(Some(actor))))
    }

    /// The role's name, as tokens are created with it; `None` for the public.
    pub fn role_name(&self) -> Option<&'static str> {
        self.0.as_ref().map(|a| match a.role {
            Role::Admin => "admin",
            Role::UnitAdmin { .. } => "unit-admin",
            Role::Publisher { .. } => "publisher",
            Role::Analyst => "analyst",
            Role::Viewer => "viewer",
        })
    }

    /// The actor, or 401 when the public calls what needs a token.
    pub fn actor(&self) -> Result<&Actor, ApiError> {
        self.0.as_ref().ok_or_else(|| {
            ApiError::unauthorized("this needs a bearer token").field("Authorization")
        })
    }

    /// The actor if its role is one of `roles` (by name), else 401 or 403.
    pub fn with_role(&self, what: &str, roles: &[&str]) -> Result<&Actor, ApiError> {
        let actor = self.actor()?;
        let name = self.role_name().unwrap_or_default();
        if roles.contains(&name) {
            Ok(actor)
        } else {
            Err(ApiError::forbidden(format!(
                "{} ({name}) may not {what}: that takes {}",
                actor.name,
                roles.join(" or ")
            )))
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
