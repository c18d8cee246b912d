//! One-time sign-in codes: a unit admin issues one per person (or for a
//! whole unit at once, as a CSV to hand out); the person exchanges it,
//! once, for a `person` token bound to themself — on the dashboard, a
//! session. Codes are kept as their SHA-256 only and expire.
//!
//! A code is twelve letters and digits from an alphabet without look-alikes
//! (no 0/O, 1/I/L), in groups of four: `K7QM-3XRT-9HPW`, about 60 bits,
//! typed from paper without mistakes. The sign-in route is rate-limited
//! like every sign-in, so guessing one is out of reach.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Error, Result, invalid};
use crate::access::{Actor, Role, assessing, tokens};
use crate::registry::Registry;
use crate::runtime::sha256_hex;
use crate::scoring::Units;
use crate::store::assessments::NewSignInCode;
use crate::store::now_millis;

/// How long a code works: two weeks from issue.
pub const CODE_LIFETIME_MS: i64 = 14 * 86_400_000;
/// How long the token a code opens works: 30 days.
pub const PERSON_TOKEN_DAYS: u64 = 30;
/// The most codes issued at once.
pub const MAX_CODES: usize = 2_000;

const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// Whom to issue codes to: named subjects, or every person of a unit.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueCodes {
    /// Subjects by id.
    #[serde(default)]
    pub subjects: Vec<String>,
    /// Every person of this unit (not of the units below it).
    #[serde(default)]
    pub unit: Option<String>,
}

/// A code issued, shown once.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IssuedCode {
    /// The subject it signs in.
    pub subject: String,
    /// Their name.
    pub name: String,
    /// The code.
    pub code: String,
    /// When it stops working, in milliseconds since the epoch.
    pub expires_at: i64,
}

/// A person signed in: their token, shown once.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SignedIn {
    /// The subject.
    pub subject: String,
    /// The bearer token (`thd_…`).
    pub token: String,
    /// When it stops working, in milliseconds since the epoch.
    pub expires_at: Option<i64>,
}

/// The dashboard's path that signs in with `code` (the host's address goes
/// before it): opening it fills the code in, posting the form uses it.
pub fn link(code: &str) -> String {
    format!("/welcome?code={code}")
}

/// The code, normalised as people type it: case and dashes do not matter.
fn normalised(code: &str) -> String {
    code.chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn new_code() -> Result<String> {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(|e| Error::Internal(format!("reading randomness: {e}")))?;
    let chars: Vec<char> = bytes
        .iter()
        // 256 is not a multiple of 31: the bias of a byte mod 31 is under
        // 1 %, and the code is not a key.
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    Ok(chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-"))
}

/// Issues a code to each subject named, or each person of the unit: only
/// within the issuer's subtree, and audited (never the codes themselves).
pub async fn issue(
    registry: &Registry,
    actor: &Actor,
    who: &IssueCodes,
) -> Result<Vec<IssuedCode>> {
    if !matches!(actor.role, Role::Admin | Role::UnitAdmin { .. }) {
        return Err(Error::Forbidden(format!(
            "{} may not issue sign-in codes: that takes an admin or a unit admin",
            actor.name
        )));
    }
    let units = Units::load(registry).await?;
    let store = registry.store();
    let mut people = Vec::new();
    match super::unit_or_subjects(&who.unit, &who.subjects)? {
        Some(unit) => {
            if units.get(unit).is_none() || !assessing::may_administer(actor, &units, unit) {
                return Err(Error::NotFound(format!(
                    "no unit `{unit}` in {}'s subtree",
                    actor.name
                )));
            }
            let found = store.unit_people(unit, "", MAX_CODES as i64 + 1).await?;
            if found.len() > MAX_CODES {
                return Err(invalid(
                    "unit",
                    format!(
                        "`{unit}` has more than {MAX_CODES} people: issue by subjects, a page at a time"
                    ),
                ));
            }
            people.extend(found.into_iter().filter(|s| s.kind == "person"));
        }
        None => {
            if who.subjects.len() > MAX_CODES {
                return Err(invalid("subjects", format!("at most {MAX_CODES} at once")));
            }
            let ids: Vec<&str> = who.subjects.iter().map(String::as_str).collect();
            let mut tx = store.begin().await?;
            let found = tx.subjects_of(&ids).await?;
            tx.commit().await?;
            for id in &who.subjects {
                match found.iter().find(|s| s.id == *id) {
                    Some(s)
                        if assessing::may_administer(actor, &units, &s.unit)
                            && s.kind == "person" =>
                    {
                        people.push(s.clone())
                    }
                    _ => {
                        return Err(Error::NotFound(format!(
                            "no person `{id}` in {}'s subtree",
                            actor.name
                        )));
                    }
                }
            }
        }
    }
    let now = now_millis();
    let expires_at = now + CODE_LIFETIME_MS;
    let mut issued = Vec::with_capacity(people.len());
    let mut keep = Vec::with_capacity(people.len());
    for p in &people {
        let code = new_code()?;
        keep.push(NewSignInCode {
            sha256: sha256_hex(normalised(&code).as_bytes()),
            subject: p.id.clone(),
            created_by: actor.name.clone(),
            created_at: now,
            expires_at,
        });
        issued.push(IssuedCode {
            subject: p.id.clone(),
            name: p.name.clone(),
            code,
            expires_at,
        });
    }
    store.insert_sign_in_codes(&keep).await?;
    let mut tx = store.begin().await?;
    let subjects: Vec<&str> = people.iter().map(|p| p.id.as_str()).collect();
    let detail = json!({"subjects": subjects, "expires_at": expires_at});
    tx.audit(
        &actor.name,
        "sign-in-codes",
        who.unit.as_deref().unwrap_or("subjects"),
        &detail,
        who.unit.as_deref(),
    )
    .await?;
    tx.commit().await?;
    Ok(issued)
}

/// Exchanges a code for a person token, once; `None` when the code is not
/// a live one (unknown, used or expired — the same answer for each).
pub async fn sign_in(registry: &Registry, code: &str) -> Result<Option<SignedIn>> {
    let code = normalised(code);
    if code.is_empty() || code.len() > 64 {
        return Ok(None);
    }
    let store = registry.store();
    let Some(subject) = store
        .take_sign_in_code(&sha256_hex(code.as_bytes()), now_millis())
        .await?
    else {
        return Ok(None);
    };
    let name = store.subject_name(&subject).await?.unwrap_or_default();
    let role = Role::Person {
        subject: subject.clone(),
    };
    let lifetime =
        tokens::lifetime_days(PERSON_TOKEN_DAYS).map_err(|e| Error::Internal(e.to_string()))?;
    let (secret, record) = tokens::create_for(store, "sign-in code", &name, &role, lifetime)
        .await
        .map_err(|e| match e {
            tokens::Error::Store(s) => Error::Store(s),
            other => Error::Internal(other.to_string()),
        })?;
    let mut tx = store.begin().await?;
    let detail = json!({"token": record.id});
    tx.audit(
        &format!("{name} (token {})", record.id),
        "sign-in",
        &subject,
        &detail,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(Some(SignedIn {
        subject,
        token: secret,
        expires_at: record.expires_at,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_typed_back_whatever_the_case_and_dashes() {
        let code = new_code().unwrap();
        assert_eq!(code.len(), 14);
        assert!(code.split('-').all(|g| g.len() == 4));
        assert!(!code.contains(['0', 'O', '1', 'I', 'L']));
        let typed = code.to_lowercase().replace('-', " ");
        assert_eq!(normalised(&typed), normalised(&code));
        assert_ne!(new_code().unwrap(), code);
    }
}
