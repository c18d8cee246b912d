//! Bearer tokens: made once, shown once, stored as their SHA-256 only. Each
//! carries one role and its scope — a unit subtree for a unit admin, a
//! namespace for a publisher.
//!
//! ```no_run
//! # async fn example(store: &thuocdo_host::store::Store) -> Result<(), thuocdo_host::tokens::Error> {
//! use thuocdo_host::registry::Role;
//! let (secret, _) = thuocdo_host::tokens::create(store, "admin@local", "demo", &Role::Admin).await?;
//! assert!(thuocdo_host::tokens::authenticate(store, &secret).await?.is_some());
//! # Ok(())
//! # }
//! ```

use std::io::Read;

use serde::Serialize;
use sqlx::Row;

use crate::registry::{Actor, Role};
use crate::runtime::sha256_hex;
use crate::store::{Store, now_millis};

/// Why a token could not be made or checked.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A role that is not one of the five, or lacks its scope.
    #[error("{0}")]
    BadRole(String),
    /// The operating system gave no randomness.
    #[error("reading randomness for a token: {0}")]
    Random(std::io::Error),
    /// The database failed.
    #[error("database: {0}")]
    Store(#[from] sqlx::Error),
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

/// The role's name and scope as stored.
fn parts(role: &Role) -> (&'static str, Option<String>, Option<String>) {
    match role {
        Role::Admin => ("admin", None, None),
        Role::UnitAdmin { unit } => ("unit-admin", Some(unit.clone()), None),
        Role::Publisher { namespace } => ("publisher", None, Some(namespace.clone())),
        Role::Analyst => ("analyst", None, None),
        Role::Viewer => ("viewer", None, None),
    }
}

/// A role from its name and scope, as the command line gives them.
pub fn role(name: &str, unit: Option<&str>, namespace: Option<&str>) -> Result<Role, Error> {
    let need = |what: &str, v: Option<&str>| {
        v.map(str::to_string)
            .ok_or_else(|| Error::BadRole(format!("a {name} token needs --{what}")))
    };
    Ok(match name {
        "admin" => Role::Admin,
        "unit-admin" => Role::UnitAdmin {
            unit: need("unit", unit)?,
        },
        "publisher" => Role::Publisher {
            namespace: need("namespace", namespace)?,
        },
        "analyst" => Role::Analyst,
        "viewer" => Role::Viewer,
        other => {
            return Err(Error::BadRole(format!(
                "`{other}` is not a role: admin, unit-admin, publisher, analyst or viewer"
            )));
        }
    })
}

/// Makes a token: the secret (shown once) and its record.
pub async fn create(
    store: &Store,
    by: &str,
    name: &str,
    role: &Role,
) -> Result<(String, TokenRecord), Error> {
    let mut bytes = [0u8; 24];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(Error::Random)?;
    let secret = format!(
        "thd_{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    let (role_name, unit, namespace) = parts(role);
    if let Some(u) = &unit {
        let known = sqlx::query("SELECT code FROM units WHERE code = $1")
            .bind(u.clone())
            .fetch_optional(store.pool())
            .await?;
        if known.is_none() {
            return Err(Error::BadRole(format!("no unit with code `{u}`")));
        }
    }
    let id: i64 = sqlx::query(
        "INSERT INTO tokens (sha256, name, role, unit, namespace, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(sha256_hex(secret.as_bytes()))
    .bind(name.to_string())
    .bind(role_name.to_string())
    .bind(unit.clone())
    .bind(namespace.clone())
    .bind(by.to_string())
    .bind(now_millis())
    .fetch_one(store.pool())
    .await?
    .try_get("id")?;
    Ok((
        secret,
        TokenRecord {
            id,
            name: name.to_string(),
            role: role_name.to_string(),
            unit,
            namespace,
        },
    ))
}

/// The actor a secret stands for, if it is a live token.
pub async fn authenticate(store: &Store, secret: &str) -> Result<Option<Actor>, Error> {
    let row = sqlx::query("SELECT id, name, role, unit, namespace FROM tokens WHERE sha256 = $1 AND revoked_at IS NULL")
        .bind(sha256_hex(secret.as_bytes()))
        .fetch_optional(store.pool())
        .await?;
    let Some(row) = row else { return Ok(None) };
    let id: i64 = row.try_get("id")?;
    let name: String = row.try_get("name")?;
    let unit: Option<String> = row.try_get("unit")?;
    let namespace: Option<String> = row.try_get("namespace")?;
    let role_name: String = row.try_get("role")?;
    let role = role(&role_name, unit.as_deref(), namespace.as_deref())?;
    Ok(Some(Actor {
        name: format!("{name} (token {id})"),
        role,
    }))
}
