//! The official forms, printable and as XLSX: each person's assessment and
//! classification form (the self-assessment, the collective's comments, the
//! manager's assessment, the result, the decision, the signature block),
//! and a unit's classification report (counts per grade in the articles'
//! words, its people and their grades). Each shows what its reader may see
//! and no more: a person's form is theirs and their admins' (it holds
//! personal data), a unit's report lists the people the reader may see.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::error::WebError;
use super::locale::Lang;
use super::session::{Chrome, Visit};
use crate::app::{AppState, HttpError};
use crate::assessment::{self, AssessmentView};
use crate::explain;
use crate::scoring::{self, GradeCode, StoredResult};
use crate::store::decisions::DecisionRow;

fn fixed(raw: i64) -> String {
    thuocdo_sdk::Fixed::from_raw(raw).to_string()
}

fn grade_words(code: &str, lang: Lang) -> &'static str {
    scoring::grade_from_code(code).map_or("", |g| explain::grade(g, lang))
}

/// One row of a form's indicators.
struct FormIndicator {
    title: String,
    score: String,
    points: String,
}

/// Everything a person's form shows.
struct PersonForm {
    run: i64,
    period: String,
    subject: String,
    name: String,
    post: String,
    unit: String,
    card: String,
    total: String,
    max_total: String,
    computed_grade: String,
    grade: String,
    grade_words: &'static str,
    caps: Vec<String>,
    indicators: Vec<FormIndicator>,
    assessment: Option<AssessmentView>,
    decision: Option<DecisionRow>,
}

async fn person_form(
    state: &AppState,
    visit: &Visit,
    run: i64,
    subject: &str,
) -> Result<PersonForm, WebError> {
    let record = scoring::run_head(&state.registry, run)
        .await
        .map_err(|e| visit.error(e))?;
    let via = format!("the form of {subject} in run {run}");
    let r: StoredResult = crate::access::visible_run_results(
        &state.registry,
        &visit.caller,
        &via,
        run,
        scoring::Only::Subject(subject),
    )
    .await
    .map_err(|e| visit.error(e))?
    .pop()
    // The form holds personal data: only its person and their admins
    // (those the store reads the facts for) may have it.
    .filter(|r| r.facts.is_some())
    .ok_or_else(|| {
        visit.error(WebError::not_found(format!(
            "run {run} holds no form of `{subject}` that you may read: a form is its person's and their admins'"
        )))
    })?;
    let lang = visit.lang;
    let info = super::card(state, &r.plugin, &r.version)
        .await
        .map_err(|e| visit.error(e))?;
    let store = state.registry.store();
    let name = store
        .subject_name(subject)
        .await
        .map_err(|e| visit.error(e))?
        .unwrap_or_default();
    let post = store
        .post_title(&r.post)
        .await
        .map_err(|e| visit.error(e))?
        .unwrap_or_else(|| r.post.clone());
    let unit = store
        .unit_names_of(&[r.unit.as_str()])
        .await
        .map_err(|e| visit.error(e))?
        .remove(&r.unit)
        .unwrap_or_else(|| r.unit.clone());
    let assessment = match visit.caller.0.as_ref() {
        Some(actor) => assessment::view(&state.registry, actor, subject, &record.period)
            .await
            .ok()
            .filter(|v| !v.facts.is_empty()),
        None => None,
    };
    let decision = store
        .decision(run, subject)
        .await
        .map_err(|e| visit.error(e))?;
    let indicators = info
        .indicators
        .iter()
        .zip(&r.indicators)
        .map(|(spec, s)| FormIndicator {
            title: lang.pick(&spec.title).to_string(),
            score: fixed(s.score),
            points: fixed(spec.max_score),
        })
        .collect();
    let caps = r
        .caps
        .iter()
        .map(|code| {
            info.caps
                .iter()
                .find(|c| &c.code == code)
                .map_or(code.clone(), |c| lang.pick(&c.reason).to_string())
        })
        .collect();
    let grade = r.grade.map(GradeCode::code).unwrap_or_default().to_string();
    Ok(PersonForm {
        run,
        period: lang.period(&record.period),
        subject: subject.to_string(),
        name,
        post,
        unit,
        card: format!("{}@{}", r.plugin, r.version),
        total: r.total.map(fixed).unwrap_or_default(),
        max_total: fixed(info.scale.max_total),
        computed_grade: r
            .computed_grade
            .map(GradeCode::code)
            .unwrap_or_default()
            .to_string(),
        grade_words: grade_words(&grade, lang),
        grade,
        caps,
        indicators,
        assessment,
        decision,
    })
}

#[derive(Template)]
#[template(path = "form.html")]
struct PersonFormPage {
    c: Chrome,
    f: PersonForm,
    en: bool,
}

/// `GET /runs/{id}/people/{subject}/form`: the printable form.
pub async fn person_page(
    State(state): State<AppState>,
    visit: Visit,
    Path((id, subject)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let run = super::run_id(&id).map_err(|e| visit.error(e))?;
    let f = person_form(&state, &visit, run, &subject).await?;
    let w = visit.w();
    visit.respond(PersonFormPage {
        c: visit.chrome(format!("{} — {}", w.form_title, f.name)),
        en: visit.lang == Lang::En,
        f,
    })
}

fn person_workbook(lang: Lang, f: &PersonForm) -> Result<Vec<u8>, XlsxError> {
    let en = lang == Lang::En;
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(if en { "Form" } else { "Phiếu" })?;
    let bold = Format::new().set_bold();
    let mut row = 0u32;
    let mut line = |sheet: &mut rust_xlsxwriter::Worksheet, label: &str, value: &str| {
        let at = row;
        row += 1;
        sheet
            .write_string_with_format(at, 0, label, &bold)
            .and_then(|s| s.write_string(at, 1, value))
            .map(|_| ())
    };
    line(
        sheet,
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    )?;
    line(
        sheet,
        if en {
            "Assessment and classification form"
        } else {
            "PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG"
        },
        &f.period,
    )?;
    line(sheet, if en { "Name" } else { "Họ và tên" }, &f.name)?;
    line(
        sheet,
        if en {
            "Post"
        } else {
            "Chức vụ, vị trí việc làm"
        },
        &f.post,
    )?;
    line(sheet, if en { "Unit" } else { "Đơn vị công tác" }, &f.unit)?;
    line(
        sheet,
        if en {
            "Scorecard"
        } else {
            "Phiếu đánh giá"
        },
        &f.card,
    )?;
    if let Some(a) = &f.assessment {
        line(
            sheet,
            if en { "Own review" } else { "Tự nhận xét" },
            a.review.as_deref().unwrap_or(""),
        )?;
        if let Some(m) = &a.collective {
            line(
                sheet,
                if en {
                    "The collective"
                } else {
                    "Ý kiến của tập thể"
                },
                &format!("{}: {}", m.date, m.text),
            )?;
        }
        for fact in &a.facts {
            line(
                sheet,
                if en { &fact.title_en } else { &fact.title_vi },
                &format!(
                    "{} / {}",
                    fact.self_value.as_deref().unwrap_or("—"),
                    fact.manager_value.as_deref().unwrap_or("—")
                ),
            )?;
        }
    }
    let header = row + 1;
    row += 2;
    sheet.write_string_with_format(header, 0, if en { "Indicator" } else { "Chỉ tiêu" }, &bold)?;
    sheet.write_string_with_format(header, 1, if en { "Score" } else { "Điểm" }, &bold)?;
    sheet.write_string_with_format(header, 2, if en { "Of" } else { "Tối đa" }, &bold)?;
    for i in &f.indicators {
        sheet.write_string(row, 0, &i.title)?;
        sheet.write_number(row, 1, i.score.parse::<f64>().unwrap_or(0.0))?;
        sheet.write_number(row, 2, i.points.parse::<f64>().unwrap_or(0.0))?;
        row += 1;
    }
    row += 1;
    sheet.write_string_with_format(row, 0, if en { "Total" } else { "Tổng điểm" }, &bold)?;
    if !f.total.is_empty() {
        sheet.write_number(row, 1, f.total.parse::<f64>().unwrap_or(0.0))?;
    }
    row += 1;
    sheet.write_string_with_format(row, 0, if en { "Grade" } else { "Xếp loại" }, &bold)?;
    sheet.write_string(row, 1, &f.grade)?;
    sheet.write_string(row, 2, f.grade_words)?;
    row += 1;
    for cap in &f.caps {
        sheet.write_string_with_format(
            row,
            0,
            if en {
                "Cap"
            } else {
                "Giới hạn xếp loại"
            },
            &bold,
        )?;
        sheet.write_string(row, 1, cap)?;
        row += 1;
    }
    if let Some(d) = &f.decision {
        sheet.write_string_with_format(
            row,
            0,
            if en {
                "Decided"
            } else {
                "Quyết định xếp loại"
            },
            &bold,
        )?;
        sheet.write_string(row, 1, &d.grade)?;
        sheet.write_string(row, 2, &d.decided_by)?;
        row += 1;
    }
    row += 1;
    for (col, who) in [
        if en {
            "The servant"
        } else {
            "NGƯỜI TỰ ĐÁNH GIÁ"
        },
        if en {
            "The direct manager"
        } else {
            "NGƯỜI QUẢN LÝ TRỰC TIẾP"
        },
        if en {
            "The head of the agency"
        } else {
            "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ"
        },
    ]
    .into_iter()
    .enumerate()
    {
        sheet.write_string_with_format(row, col as u16, who, &bold)?;
        sheet.write_string(
            row + 1,
            col as u16,
            if en {
                "(signature, full name)"
            } else {
                "(Ký, ghi rõ họ tên)"
            },
        )?;
    }
    sheet.set_column_width(0, 48)?;
    sheet.set_column_width(1, 36)?;
    sheet.set_column_width(2, 36)?;
    book.save_to_buffer()
}

fn xlsx_file(visit: &Visit, name: String, bytes: Vec<u8>) -> Response {
    super::downloads::file(
        visit,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        name,
        bytes,
    )
}

fn built(visit: &Visit, e: XlsxError) -> WebError {
    visit.error(WebError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("the XLSX form failed to build: {e}"),
    ))
}

fn slug(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

/// `GET /runs/{id}/people/{subject}/form.xlsx`: the same form as XLSX.
pub async fn person_xlsx(
    State(state): State<AppState>,
    visit: Visit,
    Path((id, subject)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let run = super::run_id(&id).map_err(|e| visit.error(e))?;
    let f = person_form(&state, &visit, run, &subject).await?;
    let bytes = person_workbook(visit.lang, &f).map_err(|e| built(&visit, e))?;
    Ok(xlsx_file(
        &visit,
        format!("thuocdo-form-{run}-{}.xlsx", slug(&subject)),
        bytes,
    ))
}

/// One person on a unit's report.
struct ReportRow {
    subject: String,
    name: String,
    total: String,
    grade: String,
    grade_words: &'static str,
    /// The grade decided, once it is.
    decided: String,
}

/// A unit's classification report.
struct UnitReport {
    run: i64,
    period: String,
    code: String,
    unit: String,
    /// Each grade, in the articles' words, with its count and share.
    counts: Vec<(&'static str, usize, String)>,
    people: Vec<ReportRow>,
    /// The reader is the competent person and the run is official: the
    /// page offers to decide.
    can_decide: bool,
    /// Ties among the unit's people at a quota's boundary awaiting the
    /// reader's choice.
    ties: Vec<ReportTie>,
}

/// A tie the competent person is to choose in, on a unit's report.
struct ReportTie {
    rule: String,
    cohort: String,
    slots: usize,
    total: String,
    /// The tied: id and name.
    tied: Vec<(String, String)>,
}

async fn unit_report(
    state: &AppState,
    visit: &Visit,
    run: i64,
    code: &str,
) -> Result<UnitReport, WebError> {
    let record = scoring::run_head(&state.registry, run)
        .await
        .map_err(|e| visit.error(e))?;
    let store = state.registry.store();
    let unit = store
        .unit_names_of(&[code])
        .await
        .map_err(|e| visit.error(e))?
        .remove(code)
        .ok_or_else(|| visit.error(WebError::not_found(format!("there is no unit `{code}`"))))?;
    let via = format!("the classification report of {code} in run {run}");
    let rows = crate::access::visible_run_results(
        &state.registry,
        &visit.caller,
        &via,
        run,
        scoring::Only::Unit(code),
    )
    .await
    .map_err(|e| visit.error(e))?;
    let lang = visit.lang;
    let ids: Vec<&str> = rows.iter().map(|r| r.subject.as_str()).collect();
    let names = store
        .subject_names_of(&ids)
        .await
        .map_err(|e| visit.error(e))?;
    // The counts are the unit's aggregates, public like every summary:
    // whoever reads the report reads the same counts, whatever people
    // they may see listed below.
    let (_, summary) = state
        .summaries
        .run(&state.registry, run)
        .await
        .map_err(|e| visit.error(e))?;
    let grades = summary
        .as_ref()
        .and_then(|s| s.units.iter().find(|u| u.unit == code))
        .map(|u| u.grades.clone())
        .unwrap_or_default();
    let graded: usize = ["A", "B", "C", "D"]
        .iter()
        .map(|g| grades.get(*g).copied().unwrap_or(0))
        .sum();
    let counts = [GradeCode::A, GradeCode::B, GradeCode::C, GradeCode::D]
        .into_iter()
        .map(|g| {
            let n = grades.get(g.code()).copied().unwrap_or(0);
            // Whole per cent, rounded half up: the articles' way.
            let share = (n * 1000)
                .checked_div(graded)
                .map_or(0, |per_mille| (per_mille + 5) / 10)
                .to_string();
            (grade_words(g.code(), lang), n, share)
        })
        .collect();
    let decided: std::collections::HashMap<String, String> = store
        .unit_decisions(run, code)
        .await
        .map_err(|e| visit.error(e))?
        .into_iter()
        .map(|d| (d.subject, d.grade))
        .collect();
    let can_decide = match visit.caller.0.as_ref() {
        Some(actor) => {
            let units = state
                .units
                .get(&state.registry)
                .await
                .map_err(|e| visit.error(e))?;
            crate::access::assessing::may_administer(actor, &units, code)
                && scoring::official_runs(&state.registry, true)
                    .await
                    .map_err(|e| visit.error(e))?
                    .iter()
                    .any(|o| o.run == run)
        }
        None => false,
    };
    let mut ties = Vec::new();
    if let (true, Some(actor)) = (can_decide, visit.caller.0.as_ref()) {
        let open = assessment::ties::list(&state.registry, actor, run)
            .await
            .map_err(|e| visit.error(HttpError::from(e)))?;
        for t in open.into_iter().filter(|t| t.kept.is_none()) {
            if !t.tie.tied.iter().any(|s| ids.contains(&s.as_str())) {
                continue;
            }
            let tied_ids: Vec<&str> = t.tie.tied.iter().map(String::as_str).collect();
            let tied_names = store
                .subject_names_of(&tied_ids)
                .await
                .map_err(|e| visit.error(e))?;
            ties.push(ReportTie {
                tied: t
                    .tie
                    .tied
                    .iter()
                    .map(|s| (s.clone(), tied_names.get(s).cloned().unwrap_or_default()))
                    .collect(),
                rule: t.tie.rule,
                cohort: t.tie.cohort,
                slots: t.tie.slots,
                total: fixed(t.tie.total),
            });
        }
    }
    let people = rows
        .iter()
        .map(|r| {
            let grade = r.grade.map(GradeCode::code).unwrap_or_default().to_string();
            ReportRow {
                subject: r.subject.clone(),
                name: names.get(&r.subject).cloned().unwrap_or_default(),
                total: r.total.map(fixed).unwrap_or_default(),
                grade_words: grade_words(&grade, lang),
                grade,
                decided: decided.get(&r.subject).cloned().unwrap_or_default(),
            }
        })
        .collect();
    Ok(UnitReport {
        can_decide,
        ties,
        run,
        period: lang.period(&record.period),
        code: code.to_string(),
        unit,
        counts,
        people,
    })
}

#[derive(Template)]
#[template(path = "report.html")]
struct UnitReportPage {
    c: Chrome,
    r: UnitReport,
}

/// `GET /runs/{id}/units/{code}/report`: the unit's classification report.
pub async fn unit_page(
    State(state): State<AppState>,
    visit: Visit,
    Path((id, code)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let run = super::run_id(&id).map_err(|e| visit.error(e))?;
    let r = unit_report(&state, &visit, run, &code).await?;
    let w = visit.w();
    visit.respond(UnitReportPage {
        c: visit.chrome(format!("{} — {}", w.report_title, r.unit)),
        r,
    })
}

fn report_workbook(lang: Lang, r: &UnitReport) -> Result<Vec<u8>, XlsxError> {
    let en = lang == Lang::En;
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(if en { "Report" } else { "Báo cáo" })?;
    let bold = Format::new().set_bold();
    sheet.write_string_with_format(
        0,
        0,
        if en {
            "Classification report"
        } else {
            "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI"
        },
        &bold,
    )?;
    sheet.write_string(0, 1, &r.unit)?;
    sheet.write_string(0, 2, &r.period)?;
    let mut row = 2u32;
    for (words, n, share) in &r.counts {
        sheet.write_string(row, 0, *words)?;
        sheet.write_number(row, 1, *n as f64)?;
        sheet.write_string(row, 2, format!("{share}%"))?;
        row += 1;
    }
    row += 1;
    for (col, title) in [
        if en { "Subject" } else { "Mã" },
        if en { "Name" } else { "Họ và tên" },
        if en { "Total" } else { "Tổng điểm" },
        if en { "Grade" } else { "Xếp loại" },
    ]
    .into_iter()
    .enumerate()
    {
        sheet.write_string_with_format(row, col as u16, title, &bold)?;
    }
    row += 1;
    for p in &r.people {
        sheet.write_string(row, 0, &p.subject)?;
        sheet.write_string(row, 1, &p.name)?;
        if !p.total.is_empty() {
            sheet.write_number(row, 2, p.total.parse::<f64>().unwrap_or(0.0))?;
        }
        sheet.write_string(row, 3, &p.grade)?;
        row += 1;
    }
    sheet.set_column_width(0, 40)?;
    sheet.set_column_width(1, 30)?;
    book.save_to_buffer()
}

/// `GET /runs/{id}/units/{code}/report.xlsx`.
pub async fn unit_xlsx(
    State(state): State<AppState>,
    visit: Visit,
    Path((id, code)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let run = super::run_id(&id).map_err(|e| visit.error(e))?;
    let r = unit_report(&state, &visit, run, &code).await?;
    let bytes = report_workbook(visit.lang, &r).map_err(|e| built(&visit, e))?;
    Ok(xlsx_file(
        &visit,
        format!("thuocdo-report-{run}-{}.xlsx", slug(&code)),
        bytes,
    ))
}

/// `POST /runs/{id}/units/{code}/decide`: the competent person decides
/// the unit's grades from the official run, then sees the report again.
pub async fn decide(
    State(state): State<AppState>,
    visit: Visit,
    headers: axum::http::HeaderMap,
    Path((id, code)): Path<(String, String)>,
) -> Result<Response, WebError> {
    if !super::session::from_this_site(&headers) {
        return Err(super::session::other_site(&visit));
    }
    let run = super::run_id(&id).map_err(|e| visit.error(e))?;
    let actor = visit.caller.actor().map_err(|e| visit.error(e))?;
    assessment::decide::decide(
        &state.registry,
        actor,
        run,
        &assessment::decide::Decide {
            unit: Some(code.clone()),
            subjects: Vec::new(),
        },
    )
    .await
    .map_err(|e| visit.error(HttpError::from(e)))?;
    Ok(super::session::see_other(&format!(
        "/runs/{run}/units/{}/report",
        super::session::encode(&code)
    )))
}

/// `POST /runs/{id}/units/{code}/ties`: the competent person's choice
/// among the tied (`rule`, `cohort`, `keep` for each kept, `reason`), then
/// the report again.
pub async fn choose_tie(
    State(state): State<AppState>,
    visit: Visit,
    headers: axum::http::HeaderMap,
    Path((id, code)): Path<(String, String)>,
    form: Result<axum::Form<Vec<(String, String)>>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    if !super::session::from_this_site(&headers) {
        return Err(super::session::other_site(&visit));
    }
    let run = super::run_id(&id).map_err(|e| visit.error(e))?;
    let actor = visit.caller.actor().map_err(|e| visit.error(e))?;
    let axum::Form(form) = form.map_err(|e| visit.error(WebError::bad_request(e.body_text())))?;
    let one = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let body = assessment::ties::Choose {
        rule: one("rule"),
        cohort: one("cohort"),
        keep: form
            .iter()
            .filter(|(k, _)| k == "keep")
            .map(|(_, v)| v.clone())
            .collect(),
        reason: one("reason"),
    };
    assessment::ties::choose(&state.registry, actor, run, &body)
        .await
        .map_err(|e| visit.error(HttpError::from(e)))?;
    Ok(super::session::see_other(&format!(
        "/runs/{run}/units/{}/report",
        super::session::encode(&code)
    )))
}

impl From<assessment::Error> for WebError {
    fn from(e: assessment::Error) -> WebError {
        HttpError::from(e).into()
    }
}
