//! A run's results to download, as CSV (the API's own columns, for scripts)
//! and as XLSX (headed in the reader's language, totals as numbers), for the
//! whole run or one unit. Both hold exactly what the pages show the same
//! reader: per person only where it is published or the reader is entitled.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde::Deserialize;

use super::error::WebError;
use super::locale::Lang;
use super::session::Visit;
use crate::access;
use crate::app::AppState;
use crate::scoring::{self, StoredResult};
use crate::store::results::{ResultFilter, ResultOrder};

/// Which results.
#[derive(Deserialize)]
pub struct Scope {
    unit: Option<String>,
}

/// The most rows a workbook is built with: it is made in memory, so a
/// bigger one is a CSV (streamed) or a unit's.
const XLSX_ROWS: u64 = 50_000;

fn filter(scope: &Scope) -> ResultFilter {
    ResultFilter {
        unit: scope.unit.clone(),
        ..ResultFilter::default()
    }
}

pub(super) fn file(
    visit: &Visit,
    content_type: &'static str,
    name: String,
    body: impl Into<axum::body::Body>,
) -> Response {
    let mut response = ([(CONTENT_TYPE, content_type)], body.into()).into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(CONTENT_DISPOSITION, v);
    }
    if visit.caller.0.is_some() {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    }
    response
}

fn file_name(id: i64, scope: &Scope, ext: &str) -> String {
    match scope.unit.as_deref() {
        // Unit codes are slugs; anything else is dropped from the file name.
        Some(u) => format!(
            "thuocdo-run-{id}-{}.{ext}",
            u.chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect::<String>()
        ),
        None => format!("thuocdo-run-{id}.{ext}"),
    }
}

/// `/runs/{id}/results.csv[?unit=CODE]`, streamed.
pub async fn csv(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Query(scope): Query<Scope>,
) -> Result<Response, WebError> {
    let id = super::run_id(&id).map_err(|e| visit.error(e))?;
    scoring::complete_check(&state.registry, id)
        .await
        .map_err(|e| visit.error(e))?;
    let via = format!("the results download of run {id}");
    let body =
        crate::app::export::results_csv(&state.registry, &visit.caller, via, id, filter(&scope));
    Ok(file(
        &visit,
        "text/csv; charset=utf-8",
        file_name(id, &scope, "csv"),
        body,
    ))
}

/// `/runs/{id}/results.xlsx[?unit=CODE]`: up to [`XLSX_ROWS`] rows.
pub async fn xlsx(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Query(scope): Query<Scope>,
) -> Result<Response, WebError> {
    let id = super::run_id(&id).map_err(|e| visit.error(e))?;
    let via = format!("the results download of run {id}");
    let page = access::visible_results_page(
        &state.registry,
        &visit.caller,
        &via,
        id,
        &filter(&scope),
        ResultOrder::Total,
        0,
        XLSX_ROWS,
    )
    .await
    .map_err(|e| visit.error(e))?;
    if page.total > XLSX_ROWS {
        return Err(visit.error(WebError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "a workbook holds at most {XLSX_ROWS} results and these are {}: \
                 download one unit's, or the CSV of them all",
                page.total
            ),
        )));
    }
    let rows = page.results;
    let store = state.registry.store();
    let ids: Vec<&str> = rows.iter().map(|r| r.subject.as_str()).collect();
    let names = store
        .subject_names_of(&ids)
        .await
        .map_err(|e| visit.error(e))?;
    let mut codes: Vec<&str> = rows.iter().map(|r| r.unit.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    let unit_names = store
        .unit_names_of(&codes)
        .await
        .map_err(|e| visit.error(e))?;
    let unit_name = |code: &str| unit_names.get(code).cloned().unwrap_or_default();
    let bytes = workbook(visit.lang, &rows, &names, &unit_name).map_err(|e| {
        visit.error(WebError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the XLSX file failed to build: {e}"),
        ))
    })?;
    Ok(file(
        &visit,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        file_name(id, &scope, "xlsx"),
        bytes,
    ))
}

/// The columns of the XLSX file, in each language.
fn headers(lang: Lang) -> [&'static str; 13] {
    match lang {
        Lang::Vi => [
            "Hạng",
            "Mã đối tượng",
            "Họ tên",
            "Mã đơn vị",
            "Đơn vị",
            "Vị trí",
            "Phiếu đánh giá",
            "Phiên bản",
            "Kết quả",
            "Tổng điểm",
            "Xếp loại theo điểm",
            "Xếp loại",
            "Hạn mức",
        ],
        Lang::En => [
            "Rank",
            "Subject",
            "Name",
            "Unit code",
            "Unit",
            "Post",
            "Scorecard",
            "Version",
            "Outcome",
            "Total",
            "Grade by points",
            "Grade",
            "Quota",
        ],
    }
}

/// The most characters an XLSX cell holds.
const CELL_CHARS: usize = 32_767;

/// A cell's text, clipped to what the format holds with a marker saying so:
/// one name over the limit must not break the download for everyone.
fn clip(text: &str) -> std::borrow::Cow<'_, str> {
    const MARK: &str = "… [clipped]";
    if text.chars().count() <= CELL_CHARS {
        return text.into();
    }
    let keep = CELL_CHARS - MARK.chars().count();
    let mut clipped: String = text.chars().take(keep).collect();
    clipped.push_str(MARK);
    clipped.into()
}

fn workbook(
    lang: Lang,
    rows: &[StoredResult],
    names: &HashMap<String, String>,
    unit_name: &dyn Fn(&str) -> String,
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(match lang {
        Lang::Vi => "Kết quả",
        Lang::En => "Results",
    })?;
    let bold = Format::new().set_bold();
    for (col, title) in headers(lang).iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *title, &bold)?;
    }
    for (k, r) in rows.iter().enumerate() {
        let row = k as u32 + 1;
        sheet.write_number(row, 0, (k + 1) as f64)?;
        sheet.write_string(row, 1, clip(&r.subject))?;
        sheet.write_string(
            row,
            2,
            clip(names.get(&r.subject).map_or("", String::as_str)),
        )?;
        sheet.write_string(row, 3, clip(&r.unit))?;
        sheet.write_string(row, 4, clip(&unit_name(&r.unit)))?;
        sheet.write_string(row, 5, clip(&r.post))?;
        sheet.write_string(row, 6, clip(&r.plugin))?;
        sheet.write_string(row, 7, clip(&r.version))?;
        sheet.write_string(row, 8, r.outcome.code())?;
        if let Some(total) = r.total {
            // Exact to the ten-thousandth: the same digits as the page.
            sheet.write_number(row, 9, total as f64 / 10_000.0)?;
        }
        sheet.write_string(
            row,
            10,
            r.computed_grade.map(|g| g.code()).unwrap_or_default(),
        )?;
        sheet.write_string(row, 11, r.grade.map(|g| g.code()).unwrap_or_default())?;
        sheet.write_string(row, 12, clip(r.cohort_rule.as_deref().unwrap_or_default()))?;
    }
    for (col, width) in [6, 22, 26, 24, 36, 24, 40, 10, 10, 10, 12, 10, 18]
        .into_iter()
        .enumerate()
    {
        sheet.set_column_width(col as u16, width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_over_the_cell_limit_is_clipped_and_the_workbook_is_made() {
        let long = "Nguyễn ".repeat(10_000);
        assert!(long.chars().count() > CELL_CHARS);
        let clipped = clip(&long);
        assert_eq!(clipped.chars().count(), CELL_CHARS);
        assert!(clipped.ends_with("… [clipped]"));
        assert_eq!(clip("short"), "short");
        let row = StoredResult {
            subject: "s".into(),
            unit: "u".into(),
            post: "p".into(),
            task_group: "g".into(),
            plugin: "ns/card".into(),
            version: "1.0.0".into(),
            sha256: String::new(),
            outcome: scoring::Outcome::Scored,
            total: Some(95_000),
            computed_grade: None,
            grade: None,
            cohort_rule: None,
            caps: Vec::new(),
            indicators: Vec::new(),
            facts: None,
            facts_sha256: String::new(),
            fuel: 0,
            error: None,
        };
        let names = HashMap::from([("s".to_string(), long.clone())]);
        let book = workbook(Lang::En, &[row], &names, &|_| long.clone());
        assert!(book.is_ok(), "{book:?}");
    }
}
