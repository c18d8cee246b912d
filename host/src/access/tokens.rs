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

use serde::Serialize;

use super::{Actor, Role};
use crate::runtime::sha256_hex;
use crate::store::Store;
use crate::store::tokens::NewToken;

/// Why a token could not be made or checked.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A role that is not one of the five, or lacks its scope.
    #[error("{0}")]
    BadRole(String),
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
    /// Its role: admin, unit-admin, publisher, analyst or viewer.
    pub role: String,
    /// A unit admin's subtree.
    pub unit: Option<String>,
    /// A publisher's namespace.
    pub namespace: Option<String>,
}

/// A role from its name and scope, as the command line gives them.
pub fn role(name: &str, unit: Option<&str>, namespace: Option<&str>) -> Result<Role, Error> {
    Role::from_parts(name, unit, namespace).map_err(Error::BadRole)
}

/// Makes a token: the secret (shown once) and its record.
pub async fn create(
    store: &Store,
    by: &str,
    name: &str,
    role: &Role,
) -> Result<(String, TokenRecord), Error> {
    // 192 bits from the operating system's generator.
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(Error::Random)?;
    let secret = format!(
        "thd_{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    let (kind, unit, namespace) = role.parts();
    if let Some(u) = unit
        && !store.unit_exists(u).await?
    {
        return Err(Error::BadRole(format!("no unit with code `{u}`")));
    }
    let id = store
        .insert_token(&NewToken {
            sha256: &sha256_hex(secret.as_bytes()),
            name,
            role: kind.name(),
            unit,
            namespace,
            created_by: by,
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
        },
    ))
}

/// The actor a secret stands for, if it is a live token.
pub async fn authenticate(store: &Store, secret: &str) -> Result<Option<Actor>, Error> {
    let Some(row) = store.live_token(&sha256_hex(secret.as_bytes())).await? else {
        return Ok(None);
    };
    let role = Role::from_parts(&row.role, row.unit.as_deref(), row.namespace.as_deref())
        .map_err(|why| Error::Corrupt { id: row.id, why })?;
    Ok(Some(Actor {
        name: format!("{} (token {})", row.name, row.id),
        role,
    }))
}
