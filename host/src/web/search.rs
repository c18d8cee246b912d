//! `/search?q=`: units by name, and people where their unit publishes them,
//! with or without diacritics ("xa an lam" finds "Xã An Lâm"), each linked
//! to its page in the latest official run. A plain GET form; two bounded
//! index reads, whatever the size of the country.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::error::WebError;
use super::session::{Chrome, Visit};
use crate::app::AppState;
use crate::org::names::fold;
use crate::scoring;

/// The most of each kind a search shows.
const SHOWN: i64 = 20;
/// The longest query read.
const LONGEST: usize = 100;

/// What was asked.
#[derive(Deserialize)]
pub struct Asked {
    q: Option<String>,
}

struct Hit {
    name: String,
    detail: String,
    link: Option<String>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    c: Chrome,
    q: String,
    asked: bool,
    too_short: bool,
    units: Vec<Hit>,
    people: Vec<Hit>,
}

/// `/search?q=NAME`.
pub async fn page(
    State(state): State<AppState>,
    visit: Visit,
    Query(asked): Query<Asked>,
) -> Result<Response, WebError> {
    let w = visit.w();
    let q = asked.q.unwrap_or_default();
    if q.chars().count() > LONGEST {
        return Err(visit.error(WebError::bad_request(format!(
            "q: a search is at most {LONGEST} characters; this one is {}",
            q.chars().count()
        ))));
    }
    let folded = fold(&q);
    let asked = !q.trim().is_empty();
    let too_short = asked && folded.chars().count() < 2;
    let (mut units, mut people) = (Vec::new(), Vec::new());
    if asked && !too_short {
        let store = state.registry.store();
        let official = scoring::official_runs(&state.registry, true)
            .await
            .map_err(|e| visit.error(e))?;
        let run = super::runs::latest_official(&official).map(|o| o.run);
        let lang = visit.lang;
        units = store
            .search_units(&folded, SHOWN)
            .await
            .map_err(|e| visit.error(e))?
            .into_iter()
            .map(|f| Hit {
                link: run.map(|r| format!("/runs/{r}/units/{}", f.code)),
                detail: lang.kind(&f.detail).to_string(),
                name: f.name,
            })
            .collect();
        people = store
            .search_people(&folded, SHOWN)
            .await
            .map_err(|e| visit.error(e))?
            .into_iter()
            .map(|f| Hit {
                link: run.map(|r| format!("/runs/{r}/people/{}", f.code)),
                detail: f.detail,
                name: f.name,
            })
            .collect();
    }
    visit.respond(SearchPage {
        c: visit.chrome(w.search_results),
        q,
        asked,
        too_short,
        units,
        people,
    })
}
