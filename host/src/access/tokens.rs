//! Bearer tokens: made once, shown once, stored as their SHA-256 only. Each
//! carries one role and its scope — a unit subtree for a unit admin, a
//! namespace for a publisher.
//!
//! ```no_run
//! # async fn example(store: &thuocdo_host::store::Store) -> Result<(), thuocdo_host::access::tokens::Error> {
//! use thuocdo_host::access::{Role, tokens};
//! let (secret, _) = tokens::create(store, "admin@local", "demo", &Role::Admin).await?;
//! assert!(tokens::authenticate(store, &secret).await?.is_some());
//! # Ok(())
//! # }
//! ```

use std::time::Duration;

use serde::Serialize;

use super::{Actor, Role, RoleParts};
use crate::runtime::sha256_hex;
use crate::store::tokens::{NewToken, TokenListing};
use crate::store::{Store, now_millis};

/// How long a token works unless it is made for longer or shorter.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(90 * 86_400);
/// The longest a token may work: ten years.
pub const MAX_LIFETIME: Duration = Duration::from_secs(3_650 * 86_400);

/// Why a token could not be made or checked.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A role that is not one of the seven, or lacks its scope.
    #[error("{0}")]
    BadRole(String),
    /// A lifetime of nothing, or past [`MAX_LIFETIME`].
    #[error("a token works for 1 to 3650 days, not {0}")]
    BadLifetime(String),
    /// No token has this id.
    #[error("there is no token {0}")]
    NoToken(i64),
    /// The token asked to revoke is the one asking.
    #[error("token {0} is the one this request is made with: revoke it with another admin token")]
    OwnToken(i64),
    /// The operating system gave no randomness.
    #[error("reading randomness for a token: {0}")]
    Random(getrandom::Error),
    /// A stored token names a role that does not exist: the row is corrupt.
    #[error("token {id} is stored with an unreadable role: {why}")]
    Corrupt {
        /// The token's id.
        id: i64,
        /// What is wrong with it.
        why: String,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] crate::store::Error),
}

/// A token as stored (never the secret).
#[derive(Clone, Debug, Serialize)]
pub struct TokenRecord {
    /// Its id.
    pub id: i64,
    /// Who or what it is for.
    pub name: String,
    /// Its role: admin, unit-admin, publisher, analyst, viewer, person or assessor.
    pub role: String,
    /// A unit admin's subtree.
    pub unit: Option<String>,
    /// A publisher's namespace.
    pub namespace: Option<String>,
    /// A person's subject.
    pub subject: Option<String>,
    /// When it stops working, in milliseconds since the epoch.
    pub expires_at: Option<i64>,
}

/// A token as an admin lists it: who it is for, its role, and whether it
/// still works (never its secret or hash).
#[derive(Clone, Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct TokenInfo {
    /// Its id.
    pub id: i64,
    /// Who or what it is for.
    pub name: String,
    /// Its role: admin, unit-admin, publisher, analyst, viewer, person or assessor.
    pub role: String,
    /// A unit admin's subtree.
    pub unit: Option<String>,
    /// A publisher's namespace.
    pub namespace: Option<String>,
    /// A person's subject.
    pub subject: Option<String>,
    /// Who made it.
    pub created_by: String,
    /// When, in milliseconds since the epoch.
    pub created_at: i64,
    /// When it stops working, in milliseconds since the epoch (none: a
    /// token that never expires, which only the database can make).
    pub expires_at: Option<i64>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<i64>,
    /// Who revoked it.
    pub revoked_by: Option<String>,
    /// `live`, `expired` or `revoked`.
    pub state: String,
}

impl TokenInfo {
    fn of(t: TokenListing, now: i64) -> TokenInfo {
        let state = if t.revoked_at.is_some() {
            "revoked"
        } else if t.expires_at.is_some_and(|at| at <= now) {
            "expired"
        } else {
            "live"
        };
        TokenInfo {
            id: t.token.id,
            name: t.token.name,
            role: t.token.role,
            unit: t.token.unit,
            namespace: t.token.namespace,
            subject: t.token.subject,
            created_by: t.created_by,
            created_at: t.created_at,
            expires_at: t.expires_at,
            revoked_at: t.revoked_at,
            revoked_by: t.revoked_by,
            state: state.to_string(),
        }
    }
}

/// A role from its name and scope, as the command line gives them.
pub fn role(
    name: &str,
    unit: Option<&str>,
    namespace: Option<&str>,
    subject: Option<&str>,
) -> Result<Role, Error> {
    let kind = name.parse().map_err(Error::BadRole)?;
    Role::from_parts(&RoleParts {
        kind,
        unit,
        namespace,
        subject,
    })
    .map_err(Error::BadRole)
}

/// Makes a token that works for [`DEFAULT_LIFETIME`]: the secret (shown
/// once) and its record.
pub async fn create(
    store: &Store,
    by: &str,
    name: &str,
    role: &Role,
) -> Result<(String, TokenRecord), Error> {
    create_for(store, by, name, role, DEFAULT_LIFETIME).await
}

/// A lifetime in whole days, as the command line gives it.
pub fn lifetime_days(days: u64) -> Result<Duration, Error> {
    let lifetime = Duration::from_secs(days.saturating_mul(86_400));
    if days == 0 || lifetime > MAX_LIFETIME {
        return Err(Error::BadLifetime(format!("{days} days")));
    }
    Ok(lifetime)
}

/// Makes a token that works for `lifetime` from now: the secret (shown
/// once) and its record.
pub async fn create_for(
    store: &Store,
    by: &str,
    name: &str,
    role: &Role,
    lifetime: Duration,
) -> Result<(String, TokenRecord), Error> {
    if lifetime.is_zero() || lifetime > MAX_LIFETIME {
        return Err(Error::BadLifetime(format!("{lifetime:?}")));
    }
    let expires_at = now_millis().saturating_add(lifetime.as_millis() as i64);
    // 192 bits from the operating system's generator.
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(Error::Random)?;
    let secret = format!(
        "thd_{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    let RoleParts {
        kind,
        unit,
        namespace,
        subject,
    } = role.parts();
    if let Some(u) = unit
        && !store.unit_exists(u).await?
    {
        return Err(Error::BadRole(format!("no unit with code `{u}`")));
    }
    if let Some(id) = subject
        && store.subject_name(id).await?.is_none()
    {
        return Err(Error::BadRole(format!("no subject with id `{id}`")));
    }
    let id = store
        .insert_token(&NewToken {
            sha256: &sha256_hex(secret.as_bytes()),
            name,
            role: kind.name(),
            unit,
            namespace,
            subject,
            created_by: by,
            expires_at,
        })
        .await?;
    Ok((
        secret,
        TokenRecord {
            id,
            name: name.to_string(),
            role: kind.name().to_string(),
            unit: unit.map(str::to_string),
            namespace: namespace.map(str::to_string),
            subject: subject.map(str::to_string),
            expires_at: Some(expires_at),
        },
    ))
}

/// Every token ever made, oldest first, with whether each still works.
pub async fn list(store: &Store) -> Result<Vec<TokenInfo>, Error> {
    let now = now_millis();
    Ok(store
        .tokens()
        .await?
        .into_iter()
        .map(|t| TokenInfo::of(t, now))
        .collect())
}

/// Revokes token `id` for good, audited as `actor`'s act; whether it still
/// worked until now. A server that checked it in the last
/// [`super::caller::TOKEN_TTL`] may take it that long to refuse it. A
/// request made with a token (`using`, its secret) may not revoke that very
/// token: an admin does not lock themselves out by a slip.
pub async fn revoke(
    store: &Store,
    actor: &Actor,
    id: i64,
    using: Option<&str>,
) -> Result<bool, Error> {
    if let Some(secret) = using
        && let Some(own) = store.live_token(&sha256_hex(secret.as_bytes())).await?
        && own.id == id
    {
        return Err(Error::OwnToken(id));
    }
    let mut tx = store.begin().await?;
    let Some(was_live) = tx.revoke_token(id, &actor.name).await? else {
        return Err(Error::NoToken(id));
    };
    if was_live {
        let detail = serde_json::json!({ "token": id });
        tx.audit(&actor.name, "token", "revoke", &detail, None)
            .await?;
    }
    tx.commit().await?;
    Ok(was_live)
}

/// The actor a secret stands for, if it is a live token.
pub async fn authenticate(store: &Store, secret: &str) -> Result<Option<Actor>, Error> {
    let Some(row) = store.live_token(&sha256_hex(secret.as_bytes())).await? else {
        return Ok(None);
    };
    actor_of(row).map(Some)
}

/// The actor a stored token stands for.
pub(crate) fn actor_of(row: crate::store::tokens::TokenRow) -> Result<Actor, Error> {
    let corrupt = |why| Error::Corrupt { id: row.id, why };
    let kind = row.role.parse().map_err(corrupt)?;
    let role = Role::from_parts(&RoleParts {
        kind,
        unit: row.unit.as_deref(),
        namespace: row.namespace.as_deref(),
        subject: row.subject.as_deref(),
    })
    .map_err(corrupt)?;
    Ok(Actor {
        name: format!("{} (token {})", row.name, row.id),
        role,
    })
}
