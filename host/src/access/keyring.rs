//! The deployment's keyring: secrets kept in the database, by purpose, each
//! with an id. What a key signs carries its id, so rotating the key (a new
//! one signs from then on, the old ones are retired but kept) breaks
//! nothing signed before. Every replica on the database shares them; they
//! are backed up with it.
//!
//! The one purpose today is `facts`: a run stores, for each subject, an
//! HMAC-SHA256 of the facts it read under the current facts key
//! (`hmac-sha256:facts-1:…`), a commitment that proves to those who may see
//! the facts what was read, and that nobody can test guesses of small facts
//! against without the key. Runs stored before keep their plain SHA-256.
//!
//! ```no_run
//! # async fn example(store: &thuocdo_host::store::Store) -> Result<(), thuocdo_host::store::Error> {
//! use thuocdo_host::access::keyring::{self, FACTS};
//! let keys = keyring::Keys::open(store, FACTS).await?;
//! let commitment = keys.commit(b"{\"rate\":950000}");
//! assert_eq!(keys.check(&commitment, b"{\"rate\":950000}"), Some(true));
//! # Ok(())
//! # }
//! ```

use std::collections::HashMap;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::runtime::sha256_hex;
use crate::store::{Error, Store};

/// The purpose of the facts commitment's keys.
pub const FACTS: &str = "facts";

const SCHEME: &str = "hmac-sha256";

/// The keys of one purpose: the one that signs, and every one that verifies.
#[derive(Clone, Debug)]
pub struct Keys {
    current: String,
    all: HashMap<String, [u8; 32]>,
}

/// A key as listed: never its secret.
#[derive(Clone, Debug, serde::Serialize)]
pub struct KeyInfo {
    /// Its id.
    pub id: String,
    /// What it is for.
    pub purpose: String,
    /// When it was made, in milliseconds since the epoch.
    pub created_at: i64,
    /// When it stopped signing, if it has.
    pub retired_at: Option<i64>,
}

impl Keys {
    /// The keys of `purpose`, making the first one if there is none live.
    pub async fn open(store: &Store, purpose: &str) -> Result<Keys, Error> {
        for _ in 0..3 {
            if let Some(keys) = Keys::read(store, purpose).await? {
                return Ok(keys);
            }
            make(store, purpose).await?;
        }
        Keys::read(store, purpose)
            .await?
            .ok_or_else(|| Error::corrupt(format!("no live `{purpose}` key could be made")))
    }

    async fn read(store: &Store, purpose: &str) -> Result<Option<Keys>, Error> {
        let rows: Vec<_> = store
            .keys()
            .await?
            .into_iter()
            .filter(|k| k.purpose == purpose)
            .collect();
        let mut all = HashMap::new();
        for k in &rows {
            all.insert(k.id.clone(), secret_of(&k.id, &k.secret)?);
        }
        // The newest live key signs.
        let current = rows.iter().rev().find(|k| k.retired_at.is_none());
        Ok(current.map(|k| Keys {
            current: k.id.clone(),
            all,
        }))
    }

    /// The id of the key that signs.
    pub fn current(&self) -> &str {
        &self.current
    }

    /// `bytes` committed under the current key: `hmac-sha256:ID:HEX`.
    pub fn commit(&self, bytes: &[u8]) -> String {
        let key = &self.all[&self.current];
        format!("{SCHEME}:{}:{}", self.current, tag(key, bytes))
    }

    /// `bytes` committed as `like` was: under the key it names, or as a
    /// plain SHA-256 for a commitment made before keys. `None` when `like`
    /// names a key this keyring does not hold.
    pub fn commit_like(&self, like: &str, bytes: &[u8]) -> Option<String> {
        match like.strip_prefix(SCHEME).and_then(|r| r.strip_prefix(':')) {
            None => Some(sha256_hex(bytes)),
            Some(rest) => {
                let (id, _) = rest.split_once(':')?;
                let key = self.all.get(id)?;
                Some(format!("{SCHEME}:{id}:{}", tag(key, bytes)))
            }
        }
    }

    /// Whether `commitment` commits to `bytes`; `None` when it names a key
    /// this keyring does not hold.
    pub fn check(&self, commitment: &str, bytes: &[u8]) -> Option<bool> {
        self.commit_like(commitment, bytes).map(|c| c == commitment)
    }
}

/// Retires the live keys of `purpose` and makes a new one, which signs from
/// now on; its id.
pub async fn rotate(store: &Store, purpose: &str) -> Result<String, Error> {
    store.retire_keys(purpose).await?;
    make(store, purpose).await
}

/// Every key, oldest first, without its secret.
pub async fn list(store: &Store) -> Result<Vec<KeyInfo>, Error> {
    Ok(store
        .keys()
        .await?
        .into_iter()
        .map(|k| KeyInfo {
            id: k.id,
            purpose: k.purpose,
            created_at: k.created_at,
            retired_at: k.retired_at,
        })
        .collect())
}

/// Makes the next key of `purpose` (`facts-1`, `facts-2`, …); its id.
async fn make(store: &Store, purpose: &str) -> Result<String, Error> {
    loop {
        let n = store
            .keys()
            .await?
            .iter()
            .filter(|k| k.purpose == purpose)
            .count();
        let id = format!("{purpose}-{}", n + 1);
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret)
            .map_err(|e| Error::corrupt(format!("no randomness for a key: {e}")))?;
        // Another host may make the same id at the same moment: then the
        // next number is tried.
        if store
            .insert_key(&id, purpose, &crate::runtime::cache::hex(&secret))
            .await?
        {
            return Ok(id);
        }
    }
}

fn secret_of(id: &str, hex: &str) -> Result<[u8; 32], Error> {
    let bad = || Error::corrupt(format!("key {id} is not 32 bytes of hex"));
    if hex.len() != 64 {
        return Err(bad());
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
    }
    Ok(out)
}

fn tag(key: &[u8; 32], bytes: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
    mac.update(bytes);
    crate::runtime::cache::hex(&mac.finalize().into_bytes())
}
