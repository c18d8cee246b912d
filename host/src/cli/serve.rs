//! `thuocdo serve` and `thuocdo token create`: the API on the data directory,
//! and tokens to reach it.

use std::sync::Arc;

use super::Error;
use super::registry::{local_actor, with_registry};
use crate::access::tokens;
use crate::app;
use crate::config::Config;
use crate::registry::Registry;

impl From<tokens::Error> for Error {
    fn from(e: tokens::Error) -> Error {
        match e {
            tokens::Error::BadRole(m) => Error::BadInput(m),
            e @ (tokens::Error::BadLifetime(_)
            | tokens::Error::NoToken(_)
            | tokens::Error::OwnToken(_)) => Error::BadInput(e.to_string()),
            other => Error::Failed(other.to_string()),
        }
    }
}

/// Serves the API on `listen` until Ctrl-C; requests in flight finish first.
pub(super) async fn serve_until_interrupted(
    config: &Config,
    registry: Registry,
    listen: &str,
) -> Result<(), Error> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| Error::Failed(format!("listening on {listen}: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Failed(format!("listening on {listen}: {e}")))?;
    println!("serving http://{addr}/api/v1 (OpenAPI at /api/v1/openapi.json); Ctrl-C stops");
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
        eprintln!("stopping: finishing requests in flight");
    };
    let bulkhead = config.bulkhead();
    eprintln!(
        "evaluations: {} workers, at most {} for any one plugin version",
        bulkhead.workers, bulkhead.share
    );
    let mail = config.mail().map_err(Error::BadInput)?;
    let (stop_mail, mail_stopped) = tokio::sync::oneshot::channel::<()>();
    let sender = mail.map(|m| {
        eprintln!("notices are mailed through {}:{}", m.host, m.port);
        tokio::spawn(crate::mail::run(
            registry.store().clone(),
            m,
            std::time::Duration::from_secs(5),
            async {
                let _ = mail_stopped.await;
            },
        ))
    });
    let state = app::AppState::with_config(Arc::new(registry), bulkhead, config.whatif())
        .with_http(config.http())
        .with_sessions(config.sessions());
    let served = app::serve_state(state, listener, shutdown)
        .await
        .map_err(|e| Error::Failed(format!("serving: {e}")));
    let _ = stop_mail.send(());
    if let Some(sender) = sender {
        let _ = sender.await;
    }
    served
}

pub(super) fn serve(config: &Config, listen: &str) -> Result<(), Error> {
    with_registry(config, |r| async move {
        serve_until_interrupted(config, r, listen).await
    })
}

pub(super) fn token_create(
    config: &Config,
    role: &str,
    unit: Option<&str>,
    namespace: Option<&str>,
    subject: Option<&str>,
    name: &str,
    days: u64,
) -> Result<(), Error> {
    let role = tokens::role(role, unit, namespace, subject)?;
    let lifetime = tokens::lifetime_days(days)?;
    let (secret, record) = with_registry(config, |r| async move {
        Ok(tokens::create_for(r.store(), &local_actor().name, name, &role, lifetime).await?)
    })?;
    eprintln!(
        "token {} for {} ({}{}), working for {days} days; shown once, keep it:",
        record.id,
        record.name,
        record.role,
        record
            .unit
            .or(record.namespace)
            .or(record.subject)
            .map(|s| format!(" of {s}"))
            .unwrap_or_default()
    );
    println!("{secret}");
    Ok(())
}

/// `thuocdo token list`: every token, whether it still works, and who made
/// and revoked it; from the server when one is named, else the data directory.
pub(super) fn token_list(config: &Config, json: bool) -> Result<(), Error> {
    let listed: Vec<tokens::TokenInfo> = match super::client::Remote::from_config(config)? {
        Some(remote) => remote.get("/tokens")?,
        None => with_registry(
            config,
            |r| async move { Ok(tokens::list(r.store()).await?) },
        )?,
    };
    if json {
        super::registry::print_json(&listed);
        return Ok(());
    }
    for t in &listed {
        let scope = t.unit.as_ref().or(t.namespace.as_ref());
        println!(
            "{:>5}  {:<8} {:<10} {:<24} {}{}",
            t.id,
            t.state,
            t.role,
            scope.map_or("-", String::as_str),
            t.name,
            t.expires_at
                .map(|at| format!("  (expires {})", crate::web::locale::Lang::En.datetime(at)))
                .unwrap_or_default()
        );
    }
    Ok(())
}

/// `thuocdo token revoke ID`: the token stops working, on the server when
/// one is named, else in the data directory.
pub(super) fn token_revoke(config: &Config, id: i64) -> Result<(), Error> {
    let was_live = match super::client::Remote::from_config(config)? {
        Some(remote) => {
            let t: tokens::TokenInfo =
                remote.post(&format!("/tokens/{id}/revoke"), &serde_json::json!({}))?;
            t.revoked_by.is_some()
        }
        None => with_registry(config, |r| async move {
            Ok(tokens::revoke(r.store(), &local_actor(), id, None).await?)
        })?,
    };
    if was_live {
        println!("token {id} revoked");
    } else {
        println!("token {id} was revoked already");
    }
    Ok(())
}

/// `thuocdo keys list`: the keyring's keys, never their secrets.
pub(super) fn keys_list(config: &Config, json: bool) -> Result<(), Error> {
    let keys = with_registry(config, |r| async move {
        Ok(crate::access::keyring::list(r.store())
            .await
            .map_err(crate::registry::Error::from)?)
    })?;
    if json {
        super::registry::print_json(&keys);
        return Ok(());
    }
    let when = |at: i64| crate::web::locale::Lang::En.datetime(at);
    for k in &keys {
        println!(
            "{:<12} {:<8} made {}{}",
            k.id,
            k.purpose,
            when(k.created_at),
            k.retired_at
                .map(|at| format!(", retired {}", when(at)))
                .unwrap_or_else(|| ", signing".to_string())
        );
    }
    Ok(())
}

/// `thuocdo keys rotate`: a new key signs from now on.
pub(super) fn keys_rotate(config: &Config, purpose: &str) -> Result<(), Error> {
    if purpose != crate::access::keyring::FACTS {
        return Err(Error::BadInput(format!(
            "`{purpose}` is not a purpose of the keyring: facts"
        )));
    }
    let id = with_registry(config, |r| async move {
        Ok(crate::access::keyring::rotate(r.store(), purpose)
            .await
            .map_err(crate::registry::Error::from)?)
    })?;
    println!("{id} signs from now on; the keys before it still verify what they signed");
    Ok(())
}
