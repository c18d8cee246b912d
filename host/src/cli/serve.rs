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
    let state = app::AppState::with_config(Arc::new(registry), bulkhead, config.whatif())
        .with_http(config.http());
    app::serve_state(state, listener, shutdown)
        .await
        .map_err(|e| Error::Failed(format!("serving: {e}")))
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
    name: &str,
) -> Result<(), Error> {
    let role = tokens::role(role, unit, namespace)?;
    let (secret, record) = with_registry(config, |r| async move {
        Ok(tokens::create(r.store(), &local_actor().name, name, &role).await?)
    })?;
    eprintln!(
        "token {} for {} ({}{}); shown once, keep it:",
        record.id,
        record.name,
        record.role,
        record
            .unit
            .or(record.namespace)
            .map(|s| format!(" of {s}"))
            .unwrap_or_default()
    );
    println!("{secret}");
    Ok(())
}
