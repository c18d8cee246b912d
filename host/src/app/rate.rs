//! Rate limits on sign-in and on writes (tower_governor's layers): who a
//! request counts against, and the 429 it gets past its quota.
//!
//! A request counts against its client's address: the peer's, or — when the
//! peer is one of the deployment's trusted reverse proxies — the nearest
//! address in `X-Forwarded-For` that is not a trusted proxy (a client can
//! write anything to the left of that, so nothing further left is believed).
//! Writes with a bearer token count against that token as well, so one
//! holder cannot spread a flood over many addresses; sending made-up tokens
//! does not escape the address's own limit.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use tower_governor::GovernorError;
use tower_governor::governor::GovernorConfigBuilder;
use tower_governor::key_extractor::KeyExtractor;

use super::{AppState, HttpError, HttpLimits};

/// A quota: so many requests at once, one more each `every`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    /// Requests a client may send at once after a quiet spell.
    pub burst: u32,
    /// How often one more is allowed.
    pub every: Duration,
}

impl Quota {
    /// `n` a minute, all of them at once if the client likes.
    pub fn per_minute(n: u32) -> Quota {
        let n = n.max(1);
        Quota {
            burst: n,
            every: Duration::from_secs(60) / n,
        }
    }
}

/// What a request is counted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum By {
    /// The client's address.
    Address,
    /// The bearer token's holder; without one, the address.
    Token,
}

/// Who a request counts against.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum ClientKey {
    /// A client's address.
    Address(IpAddr),
    /// A bearer token, by the first half of its SHA-256 (the token itself is
    /// never kept).
    Token([u8; 16]),
    /// Requests with no connection behind them (the router called in
    /// process, as tests do): one bucket for all of them.
    Uncounted,
}

/// tower_governor's key extractor for thuocdo's clients.
#[derive(Clone, Debug)]
pub struct Client {
    by: By,
    trusted_proxies: Arc<[IpAddr]>,
}

impl KeyExtractor for Client {
    type Key = ClientKey;

    fn extract<T>(&self, req: &Request<T>) -> Result<ClientKey, GovernorError> {
        if self.by == By::Token
            && let Some(token) = bearer(req)
        {
            let digest = Sha256::digest(token.as_bytes());
            let mut half = [0u8; 16];
            half.copy_from_slice(&digest[..16]);
            return Ok(ClientKey::Token(half));
        }
        // Without a token (a browser's session, or no sign-in at all), the
        // address is all there is.
        Ok(client_address(req, &self.trusted_proxies)
            .map_or(ClientKey::Uncounted, ClientKey::Address))
    }
}

fn bearer<T>(req: &Request<T>) -> Option<&str> {
    req.headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// The client's address: the peer's, unless the peer is a trusted proxy.
pub fn client_address<T>(req: &Request<T>, trusted_proxies: &[IpAddr]) -> Option<IpAddr> {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())?;
    if !trusted_proxies.contains(&peer) {
        return Some(peer);
    }
    // Each proxy appends the address it received from; walk from the right,
    // past our own proxies, to the first address they did not vouch for.
    let forwarded: Vec<IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map_while(|hop| hop.trim().parse().ok())
        .collect();
    Some(
        forwarded
            .into_iter()
            .rev()
            .find(|hop| !trusted_proxies.contains(hop))
            .unwrap_or(peer),
    )
}

/// The answer past a quota: 429 with Retry-After, as a problem document.
fn refused(error: GovernorError) -> Response {
    match error {
        GovernorError::TooManyRequests { wait_time, .. } => HttpError::new(
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
            format!("too many requests from this client; try again in {wait_time} s"),
        )
        .retry_after(wait_time.max(1) as u32)
        .into_response(),
        other => HttpError::internal(format!("the rate limit failed: {other}")).into_response(),
    }
}

/// Sign-in (`POST /login`) counted by client address under
/// `limits.sign_ins`.
pub fn limit_sign_in(router: Router<AppState>, limits: &HttpLimits) -> Router<AppState> {
    apply(router, By::Address, limits.sign_ins, limits)
}

/// Writes (POST, PUT, PATCH, DELETE) counted by client address under
/// `limits.writes_per_address`, and by bearer token under
/// `limits.writes_per_token`.
pub fn limit_writes(router: Router<AppState>, limits: &HttpLimits) -> Router<AppState> {
    let router = apply(router, By::Token, limits.writes_per_token, limits);
    apply(router, By::Address, limits.writes_per_address, limits)
}

fn apply(router: Router<AppState>, by: By, quota: Quota, limits: &HttpLimits) -> Router<AppState> {
    let config = GovernorConfigBuilder::default()
        .key_extractor(Client {
            by,
            trusted_proxies: limits.trusted_proxies.clone(),
        })
        .period(quota.every.max(Duration::from_millis(1)))
        .burst_size(quota.burst.max(1))
        .methods(vec![
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .finish()
        .expect("a period and a burst above zero");
    // Clients not heard from for a while are forgotten, so the table of
    // clients stays as large as the clients of the last minutes.
    let limiter = std::sync::Arc::downgrade(config.limiter());
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(60)).await;
                match limiter.upgrade() {
                    Some(l) => l.retain_recent(),
                    None => return,
                }
            }
        });
    }
    router.layer(tower_governor::GovernorLayer::new(config).error_handler(refused))
}
