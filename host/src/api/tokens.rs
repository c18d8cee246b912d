//! Tokens, for admins: every token with whether it still works, and
//! revoking one. Tokens are made on the command line (`thuocdo token
//! create`), where the secret is shown once.

use axum::Json;
use axum::extract::{Path, State};

use axum::http::{HeaderMap, header};

use super::problems::{Conflict, Failed, Named, Secured, Written};
use crate::access::tokens::{self, TokenInfo};
use crate::access::{Allowed, ManageTokens};
use crate::app::{AppState, HttpError};

/// Every token ever made, oldest first: its role and scope, who made it,
/// when it expires, and whether it is live, expired or revoked.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "system",
    responses(
        (status = 200, description = "Oldest first", body = Vec<TokenInfo>),
        Secured, Failed,
    ),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    _caller: Allowed<ManageTokens>,
) -> Result<Json<Vec<TokenInfo>>, HttpError> {
    Ok(Json(tokens::list(state.registry.store()).await?))
}

/// Revokes a token for good. This server refuses it at once; another
/// replica within 10 s (the time a checked token is trusted).
#[utoipa::path(post, path = "/api/v1/tokens/{id}/revoke", tag = "system",
    params(("id" = i64, Path, description = "The token's id")),
    responses(
        (status = 200, description = "Revoked (or revoked already)", body = TokenInfo),
        Secured, Written, Named, Conflict, Failed,
    ),
    security(("bearer" = [])))]
pub async fn revoke(
    State(state): State<AppState>,
    caller: Allowed<ManageTokens>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<TokenInfo>, HttpError> {
    let id =
        id.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
            HttpError::bad_request(format!("`{id}` is not a token id")).field("id")
        })?;
    let store = state.registry.store();
    let using = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    tokens::revoke(store, caller.actor(), id, using).await?;
    state.tokens.forget_all();
    let revoked = tokens::list(store)
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or(tokens::Error::NoToken(id))?;
    Ok(Json(revoked))
}
