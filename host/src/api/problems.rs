//! The refusals a route can answer, as reusable OpenAPI responses: each
//! route lists the sets it can meet (`responses((status = 200, …), Secured,
//! JsonBody, Failed)`) instead of writing every problem response out.
//!
//! Every refusal is the same problem document ([`crate::app::Problem`]);
//! its `code` says which refusal it is and its `field` what was at fault, so
//! one sentence per status is enough here.

use std::collections::BTreeMap;

use utoipa::IntoResponses;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};

/// What a status means on every route of the API.
fn meaning(status: u16) -> &'static str {
    match status {
        400 => "Malformed: a path id, query or body that cannot be read (`field` names it)",
        401 => "No token, or not a live one",
        403 => "The token's role or scope does not allow it",
        404 => "Nothing has that name or id",
        409 => {
            "Refused by the state of things: a locked period, other bytes under a version, an existing assignment, a run not complete"
        }
        413 => "The body is over the route's limit",
        415 => "The body is not JSON",
        422 => "Read, but refused: each fault named (`code`, `field`, and `errors` per row)",
        408 => "The request took too long, or its body stopped arriving",
        429 => {
            "Too many: runs and what-ifs at once on the host or for one analyst, or writes or sign-ins past the client's rate; Retry-After says when to try again"
        }
        503 => {
            "The host is answering all the requests it may at once, or has no plugin instance free; Retry-After says when to try again"
        }
        500 => "The host failed; `request_id` names the log line with the cause",
        _ => "Refused",
    }
}

fn problem(status: u16) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(meaning(status))
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build(),
    )
}

macro_rules! problem_sets {
    ($($(#[$doc:meta])* $name:ident => [$($status:literal),+];)*) => {$(
        $(#[$doc])*
        pub struct $name;

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                [$($status),+]
                    .into_iter()
                    .map(|status: u16| (status.to_string(), problem(status)))
                    .collect()
            }
        }
    )*};
}

problem_sets! {
    /// A route behind a bearer token: 401 without one, 403 outside its role.
    Secured => [401, 403];
    /// A route any token may use: 401 without one.
    Unauthenticated => [401];
    /// A JSON body: 400 unreadable, 415 not JSON, 422 not the request's shape.
    JsonBody => [400, 415, 422];
    /// A component in the body: 400 empty, 413 too large, 422 not a scorecard.
    WasmBody => [400, 413, 422];
    /// A data file in the body: 400 neither CSV nor JSON, 413 too large, 422 bad rows.
    FileBody => [400, 413, 422];
    /// A path or query naming something: 400 unreadable, 404 no such thing.
    Named => [400, 404];
    /// A path or query that cannot be read.
    BadRequest => [400];
    /// No such thing.
    NotFound => [404];
    /// Refused by the state of things.
    Conflict => [409];
    /// Too many at once.
    Busy => [429];
    /// A write: 429 past its client's rate (per address and per token).
    Written => [429];
    /// On every route: too slow a request (408), the host's own failure
    /// (500), or the host at its limit of requests in flight (503).
    Failed => [408, 500, 503];
}
