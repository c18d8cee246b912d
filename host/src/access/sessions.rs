//! Dashboard sessions: signing in with a token opens a session whose random
//! id, not the token, is what the browser's cookie holds. The database keeps
//! only the id's SHA-256; a session ends at logout, at its expiry, after an
//! idle spell, or when its token is revoked or expires.
//!
//! ```no_run
//! # async fn example(store: &thuocdo_host::store::Store, token: &str) -> Result<(), thuocdo_host::access::tokens::Error> {
//! use thuocdo_host::access::sessions::{self, SessionConfig};
//! let config = SessionConfig::default();
//! if let Some(id) = sessions::open(store, token, &config).await? {
//!     assert!(sessions::actor(store, &id, &config).await?.is_some());
//!     sessions::end(store, &id).await?;
//! }
//! # Ok(())
//! # }
//! ```

use std::time::Duration;

use super::Actor;
use super::tokens::{self, Error};
use crate::runtime::sha256_hex;
use crate::store::{Store, now_millis};

/// How long sessions last, and whether their cookie is for HTTPS only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionConfig {
    /// From sign-in to the end, however active.
    pub lifetime: Duration,
    /// Unused this long, a session ends.
    pub idle: Duration,
    /// The cookie carries `Secure`: the deployment is reached over HTTPS.
    pub secure: bool,
}

impl Default for SessionConfig {
    fn default() -> SessionConfig {
        SessionConfig {
            lifetime: Duration::from_secs(12 * 3600),
            idle: Duration::from_secs(30 * 60),
            secure: false,
        }
    }
}

/// Opens a session for `token` if it is a live token: the session's id,
/// to be kept in the cookie and nowhere else.
pub async fn open(
    store: &Store,
    token: &str,
    config: &SessionConfig,
) -> Result<Option<String>, Error> {
    if tokens::authenticate(store, token).await?.is_none() {
        return Ok(None);
    }
    // 256 bits from the operating system's generator.
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(Error::Random)?;
    let id = crate::runtime::cache::hex(&bytes);
    let expires_at = now_millis().saturating_add(config.lifetime.as_millis() as i64);
    store
        .insert_session(
            &sha256_hex(id.as_bytes()),
            &sha256_hex(token.as_bytes()),
            expires_at,
        )
        .await?;
    Ok(Some(id))
}

/// The actor of the live session with this id, if it is one.
pub async fn actor(
    store: &Store,
    id: &str,
    config: &SessionConfig,
) -> Result<Option<Actor>, Error> {
    let idle_since = now_millis().saturating_sub(config.idle.as_millis() as i64);
    match store
        .live_session(&sha256_hex(id.as_bytes()), idle_since)
        .await?
    {
        Some(row) => tokens::actor_of(row).map(Some),
        None => Ok(None),
    }
}

/// Ends the session with this id, whether or not it was live.
pub async fn end(store: &Store, id: &str) -> Result<(), Error> {
    Ok(store.end_session(&sha256_hex(id.as_bytes())).await?)
}
