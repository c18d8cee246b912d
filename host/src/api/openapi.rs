//! The OpenAPI 3 document, generated from the handlers' own annotations and
//! the types they take and return.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::app::Problem;

use super::{assessments, evaluate, exemptions, org, plugins, runs, system, tokens, whatif};

/// Adds the bearer scheme the secured routes name.
struct Bearer;

impl Modify for Bearer {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "thuocdo", description = "Scores public servants by what they deliver: versioned scorecard plugins, run in a sandbox, the same way for all."),
    paths(
        plugins::publish, plugins::list, plugins::versions, plugins::describe, plugins::yank,
        plugins::personal_facts, plugins::set_personal_facts,
        org::import, org::units, org::assign, org::assignments, org::facts,
        org::products, org::product_types,
        evaluate::evaluate,
        runs::start, runs::list, runs::status, runs::results, runs::summary, runs::publish, runs::unlock,
        whatif::upload, whatif::list, whatif::delete, whatif::compare, whatif::trial_facts,
        system::audit, system::personal_reads, tokens::list, tokens::revoke,
        exemptions::put, exemptions::delete, exemptions::list,
        assessments::issue_codes, assessments::sign_in, assessments::view,
        assessments::self_assessment, assessments::collective, assessments::direct_manager,
        assessments::unit_list, assessments::calendar, assessments::set_calendar,
        assessments::days, assessments::set_days, assessments::appeal_windows,
        assessments::set_appeal_window, assessments::ties, assessments::choose_tie,
        assessments::decide, assessments::notices,
        assessments::notice, assessments::file_appeal, assessments::get_appeal,
        assessments::add_evidence, assessments::get_evidence, assessments::answer_appeal,
        assessments::preview_appeal,
        assessments::set_email,
    ),
    // Problem is named by reference in every route's refusals (see problems.rs).
    components(schemas(Problem)),
    modifiers(&Bearer)
)]
struct Document;

/// The document.
pub fn document_value() -> utoipa::openapi::OpenApi {
    Document::openapi()
}

/// `GET /api/v1/openapi.json`.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(document_value())
}
