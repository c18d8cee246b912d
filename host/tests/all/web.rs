//! The dashboard against the real server with the demo province: in real
//! headless Chromium (every page loads with a clean console, the distribution
//! shown is the database's, a person's page shows every indicator of their
//! scorecard, the language switch works, signing in shows what the role may
//! see), and over HTTP as the public and as each role, with every bad address.

use std::collections::BTreeMap;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::json;
use sqlx::Row;

use crate::browser::Browser;
use crate::support::{Server, complete_run, runtime, serve, wasm};

/// A page fetched with a bearer token (or as the public).
async fn page(s: &Server, path: &str, token: Option<&str>) -> (StatusCode, HeaderMap, String) {
    let mut request = reqwest::Client::new().get(format!("{}{path}", s.base));
    if let Some(t) = token {
        request = request.bearer_auth(s.tokens[t].clone());
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

/// The database's count of final grades per unit type in a run.
async fn distribution(s: &Server, run: i64) -> BTreeMap<(String, String), usize> {
    sqlx::query(
        "SELECT u.kind AS kind, r.grade AS grade, COUNT(*) AS n FROM run_results r \
         JOIN units u ON u.code = r.unit WHERE r.run_id = $1 AND r.outcome = 'scored' \
         GROUP BY u.kind, r.grade",
    )
    .bind(run)
    .fetch_all(s.registry.store().pool())
    .await
    .unwrap()
    .iter()
    .map(|r| {
        (
            (r.get::<String, _>("kind"), r.get::<String, _>("grade")),
            r.get::<i64, _>("n") as usize,
        )
    })
    .collect()
}

/// A subject of the run in a unit of `kind`, with its unit.
async fn subject_in(s: &Server, run: i64, kind: &str) -> (String, String) {
    let row = sqlx::query(
        "SELECT r.subject AS subject, r.unit AS unit FROM run_results r JOIN units u ON u.code = r.unit \
         WHERE r.run_id = $1 AND u.kind = $2 AND r.outcome = 'scored' ORDER BY r.subject LIMIT 1",
    )
    .bind(run)
    .bind(kind.to_string())
    .fetch_one(s.registry.store().pool())
    .await
    .unwrap();
    (row.get("subject"), row.get("unit"))
}

/// The indicator ids of the scorecard that scored `subject`, in order.
async fn indicator_ids(s: &Server, run: i64, subject: &str) -> Vec<String> {
    let row = sqlx::query(
        "SELECT v.describe AS describe FROM run_results r JOIN plugin_versions v \
         ON v.namespace || '/' || v.name = r.plugin AND v.version = r.version \
         WHERE r.run_id = $1 AND r.subject = $2",
    )
    .bind(run)
    .bind(subject.to_string())
    .fetch_one(s.registry.store().pool())
    .await
    .unwrap();
    let describe: serde_json::Value =
        serde_json::from_str(&row.get::<String, _>("describe")).unwrap();
    describe["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

/// A decimal as the page writes it (87,25 or 87.25), in ten-thousandths.
fn ten_thousandths(text: &str) -> i64 {
    let text = text.trim().replace(',', ".");
    let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
    let frac = format!("{frac:0<4}");
    whole.parse::<i64>().unwrap() * 10_000 + frac.parse::<i64>().unwrap()
}

#[test]
fn the_dashboard_in_a_real_browser() {
    runtime().block_on(async {
        let Some(b) = Browser::start("the_dashboard_in_a_real_browser").await else {
            return;
        };
        let s = serve("web-browser").await;
        let run = complete_run(&s).await;
        let base = s.base.clone();

        // The start page, in Vietnamese by default.
        b.visit_clean(&format!("{base}/"), "home-vi").await;
        assert_eq!(b.lang().await, "vi");
        assert!(b.one(&format!("#run-{run}")).await.is_some());

        // The overview: the distribution shown is the database's.
        b.visit_clean(&format!("{base}/runs/{run}"), "overview-vi")
            .await;
        let mut shown = BTreeMap::new();
        for row in b.all("#distribution tbody tr").await {
            let kind = b.attr(&row, "data-kind").await.unwrap();
            for cell in b.within(&row, "td[data-grade]").await {
                let grade = b.attr(&cell, "data-grade").await.unwrap();
                let n: usize = b.attr(&cell, "data-count").await.unwrap().parse().unwrap();
                if n > 0 {
                    shown.insert((kind.clone(), grade), n);
                }
            }
        }
        let stored = distribution(&s, run).await;
        assert!(!stored.is_empty());
        assert_eq!(shown, stored, "the page's distribution is the database's");
        assert!(
            b.one("figure svg.chart").await.is_some(),
            "the chart is drawn"
        );
        let headline = b.text_of("#headline").await;
        assert!(headline.contains("tốt"), "{headline}");

        // The switch to English, remembered on the next page, and back.
        b.click("#lang-en").await;
        b.wait_for("html[lang=en]").await;
        assert!(b.url().await.ends_with(&format!("/runs/{run}")));
        let headline = b.text_of("#headline").await;
        assert!(headline.contains("good"), "{headline}");
        assert!(b.text_of("h1").await.starts_with("Period overview"));
        assert!(b.console_errors().await.is_empty());
        b.screenshot("overview-en").await;
        b.goto(&format!("{base}/catalogue")).await;
        assert_eq!(b.lang().await, "en", "the choice is remembered");
        b.click("#lang-vi").await;
        b.wait_for("html[lang=vi]").await;
        assert!(b.text_of("h1").await.starts_with("Danh mục"));

        // A commune chair's whole scorecard.
        let (subject, _) = subject_in(&s, run, "commune").await;
        b.visit_clean(
            &format!("{base}/runs/{run}/people/{subject}"),
            "person-commune",
        )
        .await;
        let mut ids = Vec::new();
        for row in b.all("#indicators tr.indicator").await {
            ids.push(b.attr(&row, "data-indicator").await.unwrap());
            assert!(
                !b.text(&row).await.trim().is_empty(),
                "every indicator row says something"
            );
        }
        assert_eq!(ids, indicator_ids(&s, run, &subject).await);
        // Points per factor add up to the total, exactly.
        let mut sum = 0;
        for cell in b.all("#points tbody td.num").await {
            sum += ten_thousandths(&b.text(&cell).await);
        }
        assert_eq!(sum, ten_thousandths(&b.text_of("#points-total").await));
        assert!(sum > 0);
        assert!(
            b.one("#caps-hidden").await.is_some(),
            "the public sees no cap reasons"
        );
        assert!(b.one("#facts").await.is_none(), "nor the facts");
        assert!(b.one("#sha256").await.is_some());

        // The catalogue and one scorecard: public.
        b.visit_clean(&format!("{base}/catalogue"), "catalogue")
            .await;
        let sections = b.all("section.plugin").await;
        let published: i64 = sqlx::query(
            "SELECT COUNT(DISTINCT namespace || '/' || name) AS n FROM plugin_versions",
        )
        .fetch_one(s.registry.store().pool())
        .await
        .unwrap()
        .get("n");
        assert_eq!(sections.len() as i64, published);
        b.click("section.plugin td a").await;
        b.wait_for("#card-indicators").await;
        assert!(b.console_errors().await.is_empty());
        assert!(!b.all("#card-indicators tbody tr").await.is_empty());
        assert!(!b.all("#bands tbody tr").await.is_empty());
        b.screenshot("scorecard").await;

        // A tax officer: not published; signing in as the tax office's admin
        // shows the scorecard with its facts and caps.
        let (tax, team) = subject_in(&s, run, "tax-team").await;
        let person = format!("{base}/runs/{run}/people/{tax}");
        b.goto(&person).await;
        let problem = b.text_of("#problem").await;
        assert!(
            problem.contains("that you may see") || problem.contains("mà bạn được xem"),
            "{problem}"
        );
        let _ = b.console_errors().await; // the 404 itself is logged
        b.goto(&format!("{base}/login?back=/runs/{run}/people/{tax}"))
            .await;
        b.type_into("#token", "not-a-token").await;
        b.click("#submit").await;
        b.wait_for("#problem").await;
        assert!(b.text_of("#problem").await.contains("not a live"));
        let _ = b.console_errors().await; // the 401 itself is logged
        b.type_into("#token", &s.tokens["tax-admin"]).await;
        b.click("#submit").await;
        b.wait_for("#signed-in").await;
        assert!(b.url().await.ends_with(&format!("/people/{tax}")));
        assert!(b.console_errors().await.is_empty());
        assert!(b.text_of("#signed-in").await.contains("unit-admin"));
        assert!(b.one("#facts").await.is_some(), "the facts, to their admin");
        assert!(
            b.one("#caps-none").await.is_some() || b.one("#caps-applied").await.is_some(),
            "the caps, to their admin"
        );
        assert_eq!(
            b.all("#indicators tr.indicator").await.len(),
            indicator_ids(&s, run, &tax).await.len()
        );
        b.screenshot("person-tax-admin").await;
        // The tax team, to its admin: its people, sortable by any column.
        b.visit_clean(&format!("{base}/runs/{run}/units/{team}"), "unit-tax-team")
            .await;
        let in_db: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM run_results WHERE run_id = $1 AND unit = $2")
                .bind(run)
                .bind(team.clone())
                .fetch_one(s.registry.store().pool())
                .await
                .unwrap()
                .get("n");
        assert!(in_db > 1);
        assert_eq!(b.all("#people tbody tr").await.len() as i64, in_db);
        let mut totals = Vec::new();
        for cell in b.all("#people tbody td.total").await {
            totals.push(
                b.text(&cell)
                    .await
                    .replace(',', ".")
                    .parse::<f64>()
                    .unwrap(),
            );
        }
        assert!(
            totals.windows(2).all(|w| w[0] >= w[1]),
            "best total first: {totals:?}"
        );
        b.click("#people thead a[href*='sort=name']").await;
        b.wait_url("sort=name&dir=asc").await;
        let mut names = Vec::new();
        for cell in b.all("#people tbody td:nth-child(2)").await {
            names.push(b.text(&cell).await);
        }
        assert_eq!(names.len() as i64, in_db);
        let mut sorted = names.clone();
        sorted.sort_by(|a, b| thuocdo_host::web::locale::name_order(a, b));
        assert_eq!(names, sorted, "by given name, as Vietnamese lists are");

        b.screenshot("unit-tax-team-by-name").await;

        b.click("#sign-out").await;
        b.wait_for("#sign-in").await;

        // The sandbox, as an analyst: a draft's what-if.
        let (status, draft) = s
            .post_bytes(
                "/api/v1/sandbox/drafts",
                Some("analyst"),
                "application/wasm",
                wasm("provincial-leader-monthly"),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{draft}");
        let (status, body) = s
            .post_json(
                &format!("/api/v1/runs/{run}/publish"),
                Some("admin"),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        b.goto(&format!("{base}/login?back=/sandbox")).await;
        b.type_into("#token", &s.tokens["analyst"]).await;
        b.click("#submit").await;
        b.wait_for("#drafts").await;
        assert!(b.console_errors().await.is_empty());
        b.screenshot("sandbox").await;
        b.click(&format!("#compare-{}", draft["id"])).await;
        b.wait_for("table.matrix").await;
        assert!(b.console_errors().await.is_empty());
        assert!(b.url().await.contains("period=2025-09"));
        assert_eq!(b.all("table.matrix").await.len(), 2);
        assert!(b.text_of("#compared").await.parse::<usize>().unwrap() > 0);
        b.screenshot("what-if").await;

        // A run still going: its progress, refreshing itself.
        sqlx::query(
            "INSERT INTO runs (period, unit, status, started_by, started_at, heartbeat_at, engine) \
             VALUES ('2025-10', NULL, 'running', 'test', $1, $1, 'wasmtime')",
        )
        .bind(thuocdo_host::store::now_millis())
        .execute(s.registry.store().pool())
        .await
        .unwrap();
        b.visit_clean(&format!("{base}/runs/{}", run + 1), "progress")
            .await;
        assert!(b.one("#progress").await.is_some());
        assert!(b.one("meta[http-equiv=refresh]").await.is_some());

        b.quit().await;
        s.stop().await;
    });
}

/// The demo province served for `name` with September 2025's run complete:
/// the server, the run, a commune person, a tax officer and their team, and
/// a person of the department of home affairs.
async fn readers(name: &str) -> (Server, i64, String, String, String, String) {
    let s = serve(name).await;
    let run = complete_run(&s).await;
    let (commune_person, _) = subject_in(&s, run, "commune").await;
    let (tax_person, tax_team) = subject_in(&s, run, "tax-team").await;
    let so_noi_vu: String = sqlx::query(
        "SELECT subject FROM run_results WHERE run_id = $1 AND unit = 'so-noi-vu' LIMIT 1",
    )
    .bind(run)
    .fetch_one(s.registry.store().pool())
    .await
    .unwrap()
    .get("subject");

    (s, run, commune_person, tax_person, tax_team, so_noi_vu)
}

#[test]
fn aggregates_and_scorecards_are_for_every_reader() {
    runtime().block_on(async {
        let (s, run, _, _, tax_team, _) = readers("web-aggregates").await;
        // Aggregates and scorecards: everyone.
        for who in [
            None,
            Some("admin"),
            Some("unit-admin"),
            Some("tax-admin"),
            Some("publisher"),
            Some("analyst"),
            Some("viewer"),
        ] {
            for path in [
                "/".to_string(),
                format!("/runs/{run}"),
                "/catalogue".to_string(),
                "/catalogue/tuyenquang/provincial-leader-monthly/1.0.2".to_string(),
                format!("/runs/{run}/units/{tax_team}"),
            ] {
                let (status, headers, body) = page(&s, &path, who).await;
                assert_eq!(status, StatusCode::OK, "{who:?} {path}: {body}");
                assert!(
                    headers["content-security-policy"]
                        .to_str()
                        .unwrap()
                        .contains("default-src 'none'")
                );
                if who.is_some() {
                    assert_eq!(headers["cache-control"], "private, no-store", "{path}");
                }
            }
        }

        s.stop().await;
    });
}

#[test]
fn each_reader_sees_only_the_people_and_facts_theirs_to_see() {
    runtime().block_on(async {
        let (s, run, commune_person, tax_person, tax_team, so_noi_vu) = readers("web-people").await;
        // Who sees which person, and what of them.
        struct Sees {
            who: Option<&'static str>,
            commune: bool,
            tax: bool,
            tax_facts: bool,
            so_noi_vu_facts: bool,
            sandbox: StatusCode,
        }
        let table = [
            Sees {
                who: None,
                commune: true,
                tax: false,
                tax_facts: false,
                so_noi_vu_facts: false,
                sandbox: StatusCode::UNAUTHORIZED,
            },
            Sees {
                who: Some("admin"),
                commune: true,
                tax: true,
                tax_facts: true,
                so_noi_vu_facts: true,
                sandbox: StatusCode::OK,
            },
            Sees {
                who: Some("unit-admin"),
                commune: true,
                tax: false,
                tax_facts: false,
                so_noi_vu_facts: true,
                sandbox: StatusCode::FORBIDDEN,
            },
            Sees {
                who: Some("tax-admin"),
                commune: true,
                tax: true,
                tax_facts: true,
                so_noi_vu_facts: false,
                sandbox: StatusCode::FORBIDDEN,
            },
            Sees {
                who: Some("publisher"),
                commune: true,
                tax: false,
                tax_facts: false,
                so_noi_vu_facts: false,
                sandbox: StatusCode::FORBIDDEN,
            },
            Sees {
                who: Some("analyst"),
                commune: true,
                tax: false,
                tax_facts: false,
                so_noi_vu_facts: false,
                sandbox: StatusCode::OK,
            },
            Sees {
                who: Some("viewer"),
                commune: true,
                tax: false,
                tax_facts: false,
                so_noi_vu_facts: false,
                sandbox: StatusCode::FORBIDDEN,
            },
        ];
        for t in &table {
            let who = t.who;
            let (status, _, body) =
                page(&s, &format!("/runs/{run}/people/{commune_person}"), who).await;
            assert_eq!(
                status == StatusCode::OK,
                t.commune,
                "{who:?} commune person: {body}"
            );
            assert!(body.contains("class=\"indicator\""));
            let (status, _, body) =
                page(&s, &format!("/runs/{run}/people/{tax_person}"), who).await;
            if t.tax {
                assert_eq!(status, StatusCode::OK, "{who:?}: {body}");
                assert_eq!(
                    body.contains("id=\"facts\""),
                    t.tax_facts,
                    "{who:?} tax facts"
                );
                assert_eq!(
                    !body.contains("id=\"caps-hidden\""),
                    t.tax_facts,
                    "{who:?} tax caps"
                );
            } else {
                // Answered as a subject that does not exist.
                assert_eq!(status, StatusCode::NOT_FOUND, "{who:?}: {body}");
                assert!(body.contains("mà bạn được xem"), "{body}");
                assert!(!body.contains("class=\"indicator\""));
            }
            // The tax team's people: listed only to those entitled.
            let (_, _, body) = page(&s, &format!("/runs/{run}/units/{tax_team}"), who).await;
            assert_eq!(
                body.contains("id=\"not-published\""),
                !t.tax,
                "{who:?} tax team"
            );
            assert_eq!(
                body.contains(&format!("data-subject=\"{tax_person}\"")),
                t.tax
            );
            // A published agency: everyone sees the person, facts only to the entitled.
            let (status, _, body) = page(&s, &format!("/runs/{run}/people/{so_noi_vu}"), who).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(
                body.contains("id=\"facts\""),
                t.so_noi_vu_facts,
                "{who:?} so-noi-vu facts"
            );
            assert_eq!(body.contains("id=\"caps-hidden\""), !t.so_noi_vu_facts);
            // The sandbox: analysts and admins.
            let (status, _, body) = page(&s, "/sandbox", who).await;
            assert_eq!(status, t.sandbox, "{who:?} sandbox: {body}");
            assert_eq!(
                body.contains("id=\"nav-sandbox\""),
                t.sandbox == StatusCode::OK
            );
            // The downloads hold what the pages show.
            let (status, _, csv) = page(&s, &format!("/runs/{run}/results.csv"), who).await;
            assert_eq!(status, StatusCode::OK);
            assert!(csv.contains(&format!(",{commune_person},")));
            assert_eq!(
                csv.contains(&format!(",{tax_person},")),
                t.tax,
                "{who:?} csv"
            );
        }

        s.stop().await;
    });
}

#[test]
fn a_stale_cookie_reads_as_the_public_and_a_bad_bearer_token_is_refused() {
    runtime().block_on(async {
        let (s, run, _, _, _, _) = readers("web-cookie").await;
        // A stale cookie: read as the public, told so, the cookie cleared.
        let response = reqwest::Client::new()
            .get(format!("{}/runs/{run}", s.base))
            .header("cookie", "thuocdo_session=0123456789abcdef")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response.headers()["set-cookie"]
                .to_str()
                .unwrap()
                .contains("Max-Age=0")
        );
        assert!(response.text().await.unwrap().contains("id=\"notice\""));
        // A bad bearer token is refused outright, as by the API.
        let response = reqwest::Client::new()
            .get(format!("{}/runs/{run}", s.base))
            .bearer_auth("thd_revoked")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        s.stop().await;
    });
}

/// The numbers in an XLSX sheet's column (by letter), from the second row on.
fn xlsx_column(bytes: &[u8], column: &str) -> Vec<String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut sheet = String::new();
    std::io::Read::read_to_string(
        &mut archive.by_name("xl/worksheets/sheet1.xml").unwrap(),
        &mut sheet,
    )
    .unwrap();
    let mut out = Vec::new();
    for cell in sheet.split("<c r=\"").skip(1) {
        let (reference, rest) = cell.split_once('"').unwrap();
        let letters: String = reference
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        let row: usize = reference[letters.len()..].parse().unwrap();
        if letters != column || row < 2 {
            continue;
        }
        if let Some(v) = rest.split("<v>").nth(1) {
            out.push(v.split("</v>").next().unwrap().to_string());
        }
    }
    out
}

#[test]
fn downloads_hold_the_pages_numbers_and_bad_addresses_are_named() {
    runtime().block_on(async {
        let s = serve("web-downloads").await;
        let run = complete_run(&s).await;
        let (_, unit) = subject_in(&s, run, "commune").await;

        // The unit page's totals (best first), the CSV's and the XLSX's agree.
        let (_, _, html) = page(&s, &format!("/runs/{run}/units/{unit}?lang=en"), None).await;
        let shown: Vec<String> = html
            .split("<td class=\"num total\">")
            .skip(1)
            .map(|t| t.split('<').next().unwrap().to_string())
            .collect();
        assert!(!shown.is_empty());
        let (status, headers, csv) =
            page(&s, &format!("/runs/{run}/results.csv?unit={unit}"), None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            headers["content-disposition"]
                .to_str()
                .unwrap()
                .contains(&format!("thuocdo-run-{run}-{unit}.csv"))
        );
        let from_csv: Vec<String> = csv
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(7).unwrap().to_string())
            .collect();
        assert_eq!(from_csv, shown);
        let bytes = reqwest::get(format!(
            "{}/runs/{run}/results.xlsx?unit={unit}&lang=en",
            s.base
        ))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
        assert_eq!(&bytes[..2], b"PK", "an XLSX file is a zip");
        assert_eq!(xlsx_column(&bytes, "J"), shown);

        // Vietnamese writes the decimal comma.
        let (_, _, vi) = page(&s, &format!("/runs/{run}/units/{unit}"), None).await;
        let first_vi = vi
            .split("<td class=\"num total\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap();
        assert_eq!(first_vi, shown[0].replace('.', ","));

        // Every bad address is named, in the reader's language where the
        // error says what it says as data.
        for (path, status, vi, en) in [
            (
                "/runs/abc".to_string(),
                StatusCode::BAD_REQUEST,
                "`abc` không phải số hiệu lượt chấm",
                "`abc` is not a run id",
            ),
            (
                "/runs/99999".to_string(),
                StatusCode::NOT_FOUND,
                "Không có lượt chấm số 99999",
                "there is no run 99999",
            ),
            (
                format!("/runs/{run}/units/nowhere"),
                StatusCode::NOT_FOUND,
                "Không có đơn vị `nowhere`",
                "there is no unit `nowhere`",
            ),
            (
                format!("/runs/{run}/people/nobody"),
                StatusCode::NOT_FOUND,
                "Lượt chấm này không có kết quả của `nobody`",
                "this run holds no result for `nobody`",
            ),
        ] {
            let (got, _, body) = page(&s, &path, None).await;
            assert_eq!(got, status, "{path}: {body}");
            assert!(body.contains(vi), "{path}: {body}");
            let (got, _, body) = page(&s, &format!("{path}?lang=en"), None).await;
            assert_eq!(got, status, "{path}?lang=en: {body}");
            assert!(body.contains(en), "{path}?lang=en: {body}");
        }
        // An error not said as data keeps the API's English sentence, under
        // a headline in the reader's language that its status words.
        for (path, status, says, headline) in [
            (
                format!("/runs/{run}?lang=fr"),
                StatusCode::BAD_REQUEST,
                "lang `fr`: vi or en",
                "Địa chỉ hoặc biểu mẫu này không đọc được",
            ),
            (
                format!("/runs/{run}/units/{unit}?sort=age"),
                StatusCode::BAD_REQUEST,
                "sort `age`",
                "Địa chỉ hoặc biểu mẫu này không đọc được",
            ),
            (
                format!("/runs/{run}/units/{unit}?dir=up"),
                StatusCode::BAD_REQUEST,
                "dir `up`",
                "Địa chỉ hoặc biểu mẫu này không đọc được",
            ),
            (
                "/catalogue/tuyenquang/nothing/1.0.0".to_string(),
                StatusCode::NOT_FOUND,
                "no plugin named tuyenquang/nothing",
                "Không có nội dung mang tên hoặc số hiệu này",
            ),
            (
                "/sandbox/drafts/1".to_string(),
                StatusCode::UNAUTHORIZED,
                "bearer token",
                "Chưa có mã truy cập, hoặc mã đã hết hiệu lực",
            ),
        ] {
            let (got, headers, body) = page(&s, &path, None).await;
            assert_eq!(got, status, "{path}: {body}");
            assert!(
                headers["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("text/html")
            );
            assert!(body.contains(says), "{path}: {body}");
            assert!(body.contains(headline), "{path}: {body}");
            assert!(body.contains("Chi tiết (bằng tiếng Anh)"), "{path}: {body}");
        }
        let (status, _, body) = page(&s, "/sandbox/drafts/1", Some("analyst")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body.contains("name the period"));

        // The language switch goes back only to this site.
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let r = client
            .get(format!("{}/lang/en?back=//elsewhere.example/x", s.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()["location"], "/");
        assert!(
            r.headers()["set-cookie"]
                .to_str()
                .unwrap()
                .starts_with("thuocdo_lang=en")
        );
        let r = client
            .get(format!("{}/lang/en?back=/runs/{run}", s.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["location"], format!("/runs/{run}").as_str());
        // A token that is not one: the form again, with why.
        let r = client
            .post(format!("{}/login", s.base))
            .form(&[("token", "x;y"), ("back", "/")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(r.text().await.unwrap().contains("a token holds only"));
        let r = client
            .post(format!("{}/login", s.base))
            .form(&[
                ("token", s.tokens["viewer"].as_str()),
                ("back", "/catalogue"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()["location"], "/catalogue");
        let cookie = r.headers()["set-cookie"].to_str().unwrap();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
        // The cookie holds a session's id, never the token.
        assert!(cookie.starts_with("thuocdo_session="), "{cookie}");
        assert!(!cookie.contains(s.tokens["viewer"].as_str()), "{cookie}");

        // A running run shows its progress and refreshes itself.
        sqlx::query(
            "INSERT INTO runs (period, unit, status, started_by, started_at, heartbeat_at, engine) \
             VALUES ('2025-10', NULL, 'running', 'test', $1, $1, 'wasmtime')",
        )
        .bind(thuocdo_host::store::now_millis())
        .execute(s.registry.store().pool())
        .await
        .unwrap();
        let running: i64 = sqlx::query("SELECT MAX(id) AS id FROM runs")
            .fetch_one(s.registry.store().pool())
            .await
            .unwrap()
            .get("id");
        let (status, _, body) = page(&s, &format!("/runs/{running}"), None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            body.contains("id=\"progress\"") && body.contains("http-equiv=\"refresh\""),
            "{body}"
        );
        assert!(body.contains("đang chạy"));
        s.stop().await;
    });
}

/// Signs in with `token` through the form; the cookie's `name=value`.
async fn sign_in(client: &reqwest::Client, base: &str, token: &str) -> String {
    let r = client
        .post(format!("{base}/login"))
        .form(&[("token", token), ("back", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    cookie.split(';').next().unwrap().to_string()
}

/// Whether the page at `path`, read with `cookie`, is read as someone signed in.
async fn signed_in(client: &reqwest::Client, base: &str, cookie: &str) -> bool {
    let body = client
        .get(format!("{base}/catalogue"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    body.contains("action=\"/logout\"")
}

#[test]
fn sessions_end_at_logout_when_idle_and_with_their_token_and_other_sites_cannot_sign_in() {
    runtime().block_on(async {
        let (s, _, _, _, _, _) = readers("web-sessions").await;
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let base = s.base.clone();
        // Signed in, then out: the same cookie no longer signs anyone in.
        let cookie = sign_in(&client, &base, &s.tokens["viewer"]).await;
        assert!(signed_in(&client, &base, &cookie).await);
        let r = client
            .post(format!("{base}/logout"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert!(
            !signed_in(&client, &base, &cookie).await,
            "a session outlived its logout"
        );
        let store = s.registry.store();
        let stored: Vec<String> = sqlx::query("SELECT sha256 FROM sessions")
            .fetch_all(store.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| r.get("sha256"))
            .collect();
        let id = cookie.split_once('=').unwrap().1;
        assert!(
            !stored.iter().any(|h| h == id),
            "a session id is stored as it is"
        );

        // Idle past its spell, a session ends.
        let cookie = sign_in(&client, &base, &s.tokens["viewer"]).await;
        sqlx::query("UPDATE sessions SET last_seen = $1 WHERE ended_at IS NULL")
            .bind(thuocdo_host::store::now_millis() - 31 * 60_000)
            .execute(store.pool())
            .await
            .unwrap();
        assert!(
            !signed_in(&client, &base, &cookie).await,
            "an idle session lived on"
        );
        // Past its expiry too.
        let cookie = sign_in(&client, &base, &s.tokens["analyst"]).await;
        assert!(signed_in(&client, &base, &cookie).await);
        sqlx::query(
            "UPDATE sessions SET expires_at = $1 WHERE ended_at IS NULL AND last_seen > $2",
        )
        .bind(thuocdo_host::store::now_millis() - 1)
        .bind(thuocdo_host::store::now_millis() - 60_000)
        .execute(store.pool())
        .await
        .unwrap();
        assert!(
            !signed_in(&client, &base, &cookie).await,
            "an expired session lived on"
        );

        // Revoking the token ends its sessions.
        let (secret, made) = thuocdo_host::access::tokens::create(
            store,
            "test",
            "short",
            &thuocdo_host::access::Role::Viewer,
        )
        .await
        .unwrap();
        let cookie = sign_in(&client, &base, &secret).await;
        assert!(signed_in(&client, &base, &cookie).await);
        thuocdo_host::access::tokens::revoke(
            store,
            &thuocdo_host::access::Actor::admin("test"),
            made.id,
            None,
        )
        .await
        .unwrap();
        assert!(
            !signed_in(&client, &base, &cookie).await,
            "a session outlived its token"
        );

        // A sign-in posted from another site is refused, and opens nothing.
        let host = base.trim_start_matches("http://").to_string();
        for (header, value) in [
            ("origin", "https://evil.example".to_string()),
            ("origin", "null".to_string()),
            ("referer", "https://evil.example/page".to_string()),
        ] {
            let r = client
                .post(format!("{base}/login"))
                .header(header, &value)
                .form(&[("token", s.tokens["viewer"].as_str()), ("back", "/")])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{header}: {value}");
            assert!(r.headers().get("set-cookie").is_none());
        }
        let r = client
            .post(format!("{base}/login"))
            .header("origin", format!("http://{host}"))
            .form(&[("token", s.tokens["viewer"].as_str()), ("back", "/")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "this site's own form");
        s.stop().await;
    });
}

/// The dashboard's route patterns, as its router names them: every
/// `.route("…"` in host/src/web/mod.rs.
fn dashboard_routes() -> Vec<String> {
    let source = include_str!("../../src/web/mod.rs");
    source
        .split(".route(")
        .skip(1)
        .filter_map(|rest| {
            let rest = rest.trim_start();
            let rest = rest.strip_prefix('"')?;
            Some(rest[..rest.find('"')?].to_string())
        })
        .collect()
}

#[test]
fn every_page_has_a_row_in_the_access_matrix_and_keeps_it() {
    runtime().block_on(async {
        let (s, run, commune_person, tax_person, tax_team, _) = readers("web-matrix").await;
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        // Callers: the public, a viewer, an analyst, a publisher, the unit
        // admin of so-noi-vu, the tax office's admin, an admin. Statuses: O
        // 2xx, R 3xx, B 400, U 401, F 403, N 404. `facts` also says whether
        // the page shows the subject's facts and their hash (Y/n), per caller.
        // Then a person (a clerk of the ward 2 centre) and an assessor of
        // so-noi-vu. C is 409, J 422.
        const CALLERS: [Option<&str>; 9] = [
            None,
            Some("viewer"),
            Some("analyst"),
            Some("publisher"),
            Some("unit-admin"),
            Some("tax-admin"),
            Some("admin"),
            Some("person"),
            Some("assessor"),
        ];
        struct Page {
            route: &'static str,
            path: String,
            post: bool,
            /// A form to post, URL-encoded.
            form: Option<&'static str>,
            expect: &'static str,
            facts: Option<&'static str>,
        }
        let page = |route, path: String, expect, facts| Page {
            route,
            path,
            post: false,
            form: None,
            expect,
            facts,
        };
        let post = |route, path: String, form, expect| Page {
            route,
            path,
            post: true,
            form: Some(form),
            expect,
            facts: None,
        };
        let clerk = "mot-cua-ha-giang-2-01";
        let pages = vec![
            page("/", "/".into(), "OOOOOOOOO", None),
            page("/runs/{id}", format!("/runs/{run}"), "OOOOOOOOO", None),
            page("/search", "/search?q=xa+an+lam".into(), "OOOOOOOOO", None),
            page(
                "/runs/{id}/units/{code}",
                format!("/runs/{run}/units/{tax_team}"),
                "OOOOOOOOO",
                None,
            ),
            page(
                "/runs/{id}/people/{subject}",
                format!("/runs/{run}/people/{commune_person}"),
                "OOOOOOOOO",
                Some("nnnnnnYnn"),
            ),
            page(
                "/runs/{id}/people/{subject}",
                format!("/runs/{run}/people/{tax_person}"),
                "NNNNNOONN",
                Some("-----YY--"),
            ),
            page(
                "/runs/{id}/results.csv",
                format!("/runs/{run}/results.csv"),
                "OOOOOOOOO",
                None,
            ),
            page(
                "/runs/{id}/results.xlsx",
                format!("/runs/{run}/results.xlsx"),
                "OOOOOOOOO",
                None,
            ),
            page("/catalogue", "/catalogue".into(), "OOOOOOOOO", None),
            page(
                "/catalogue/{namespace}/{name}/{version}",
                "/catalogue/tuyenquang-tax/tax-officer/1.0.2".into(),
                "OOOOOOOOO",
                None,
            ),
            page("/sandbox", "/sandbox".into(), "UFOFFFOFF", None),
            page(
                "/sandbox/drafts/{id}",
                "/sandbox/drafts/1".into(),
                "UFBFFFBFF",
                None,
            ),
            page("/login", "/login".into(), "OOOOOOOOO", None),
            Page {
                route: "/logout",
                path: "/logout".into(),
                post: true,
                form: None,
                expect: "RRRRRRRRR",
                facts: None,
            },
            page("/lang/{code}", "/lang/en".into(), "RRRRRRRRR", None),
            page(
                "/assets/site.css",
                "/assets/site.css".into(),
                "OOOOOOOOO",
                None,
            ),
            page("/favicon.svg", "/favicon.svg".into(), "OOOOOOOOO", None),
            page("/favicon.ico", "/favicon.ico".into(), "OOOOOOOOO", None),
            // The assessment procedure: the clerk's own assessment, which no
            // write here can take a step in (each stops at its form or its
            // order), and so-noi-vu's list.
            page("/welcome", "/welcome?code=AAAA".into(), "OOOOOOOOO", None),
            post("/welcome", "/welcome".into(), "code=AAAA-BBBB-CCCC", "UUUUUUUUU"),
            page("/me", "/me".into(), "UFFFFFFOF", None),
            page("/me/open", "/me/open?period=2025-Q4".into(), "UFFFFFFRF", None),
            page(
                "/assessments/{subject}/{period}",
                format!("/assessments/{clerk}/2025-Q4"),
                "UFFFNNOON",
                None,
            ),
            post(
                "/assessments/{subject}/{period}/self-assessment",
                format!("/assessments/{clerk}/2025-Q4/self-assessment"),
                "review=x",
                "UFFFNNFJN",
            ),
            post(
                "/assessments/{subject}/{period}/collective",
                format!("/assessments/{clerk}/2025-Q4/collective"),
                "text=x",
                "UFFFNNCFN",
            ),
            post(
                "/assessments/{subject}/{period}/direct-manager",
                format!("/assessments/{clerk}/2025-Q4/direct-manager"),
                "points.public-service-culture=x",
                "UFFFNNCFN",
            ),
            page("/notices/{id}", "/notices/999999".into(), "UNNNNNNNN", None),
            post("/notices/{id}/appeal", "/notices/999999/appeal".into(), "contested=x&text=x", "UNNNNNNNN"),
            post("/notices/{id}/answer", "/notices/999999/answer".into(), "outcome=rejected&reason=x", "UNNNNNNNN"),
            post("/notices/{id}/evidence", "/notices/999999/evidence".into(), "file=x", "UNNNNNNNN"),
            // The matrix's run is not official: nobody decides from it.
            post(
                "/runs/{id}/units/{code}/decide",
                format!("/runs/{run}/units/{tax_team}/decide"),
                "",
                "UFFFCCCFF",
            ),
            post(
                "/runs/{id}/units/{code}/ties",
                format!("/runs/{run}/units/{tax_team}/ties"),
                "rule=excellent-quota&cohort=x&keep=a&reason=x",
                "UFFFCCCFF",
            ),
            post(
                "/runs/{id}/units/{code}/ties",
                format!("/runs/{run}/units/so-noi-vu/ties"),
                "rule=excellent-quota&cohort=x&keep=a&reason=x",
                "UFFFCCCFF",
            ),
            // The forms hold personal data: a person's, to their admins
            // (and the person); a unit's report lists whom the reader sees.
            page(
                "/runs/{id}/people/{subject}/form",
                format!("/runs/{run}/people/{commune_person}/form"),
                "NNNNNNONN",
                None,
            ),
            page(
                "/runs/{id}/people/{subject}/form.xlsx",
                format!("/runs/{run}/people/{tax_person}/form.xlsx"),
                "NNNNNOONN",
                None,
            ),
            page(
                "/runs/{id}/units/{code}/report",
                format!("/runs/{run}/units/{tax_team}/report"),
                "OOOOOOOOO",
                None,
            ),
            page(
                "/runs/{id}/units/{code}/report.xlsx",
                format!("/runs/{run}/units/{tax_team}/report.xlsx"),
                "OOOOOOOOO",
                None,
            ),
            page(
                "/assessments/{subject}/{period}",
                format!("/assessments/{tax_person}/2025-Q4"),
                "UFFFNOONN",
                None,
            ),
            page(
                "/units/{code}/assessments",
                format!("/units/{tax_team}/assessments?period=2025-Q4"),
                "UFFFNOOFN",
                None,
            ),
            page(
                "/units/{code}/assessments",
                "/units/so-noi-vu/assessments?period=2025-Q4".into(),
                "UFFFONOFO",
                None,
            ),
        ];
        for route in dashboard_routes() {
            assert!(
                pages.iter().any(|p| p.route == route),
                "the page {route} has no row in the access matrix"
            );
        }
        let code = |status: StatusCode| match status.as_u16() {
            200..=299 => 'O',
            300..=399 => 'R',
            400 => 'B',
            401 => 'U',
            403 => 'F',
            404 => 'N',
            409 => 'C',
            422 => 'J',
            _ => '?',
        };
        let mut wrong = Vec::new();
        for p in &pages {
            let mut got = String::new();
            let mut shown = String::new();
            for (k, caller) in CALLERS.iter().enumerate() {
                let url = format!("{}{}", s.base, p.path);
                let mut request = if p.post {
                    client.post(&url)
                } else {
                    client.get(&url)
                };
                if let Some(form) = p.form {
                    request = request
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(form);
                }
                if let Some(t) = caller {
                    request = request.bearer_auth(s.tokens[t].clone());
                }
                let response = request.send().await.unwrap();
                got.push(code(response.status()));
                let body = response.text().await.unwrap_or_default();
                if let Some(facts) = p.facts {
                    let expected = facts.as_bytes()[k];
                    if expected != b'-' {
                        let facts = body.contains("id=\"facts\"");
                        // The facts' hash goes with the facts.
                        let hash = body.contains("SHA-256 của các dữ kiện");
                        shown.push(match (facts, hash) {
                            (true, true) => 'Y',
                            (false, false) => 'n',
                            _ => '!',
                        });
                    } else {
                        shown.push('-');
                    }
                }
            }
            if got != p.expect {
                wrong.push(format!(
                    "{} {}: expected {} got {got}",
                    if p.post { "POST" } else { "GET" },
                    p.path,
                    p.expect
                ));
            }
            if let Some(facts) = p.facts
                && shown != facts
            {
                wrong.push(format!(
                    "{}: facts shown expected {facts} got {shown}",
                    p.path
                ));
            }
        }
        assert!(
            wrong.is_empty(),
            "callers: public viewer analyst publisher unit-admin tax-admin admin person assessor\n{}",
            wrong.join("\n")
        );
        s.stop().await;
    });
}

/// Elements that run past the right edge of the screen outside anything
/// that scrolls them, and the chart text drawn smaller than the body's.
const PHONE_CHECK: &str = r#"
const vw = document.documentElement.clientWidth;
const overflow = [];
for (const el of document.querySelectorAll('body *')) {
  const r = el.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) continue;
  if (r.right <= vw + 1 && r.left >= -1) continue;
  let p = el.parentElement, held = false;
  while (p) {
    const o = getComputedStyle(p).overflowX;
    if (o === 'auto' || o === 'scroll' || o === 'hidden') { held = true; break; }
    p = p.parentElement;
  }
  if (!held) overflow.push(el.tagName + (el.id ? '#' + el.id : '') + ' right=' + Math.round(r.right));
}
const body = parseFloat(getComputedStyle(document.body).fontSize);
const small = [];
let charts = 0;
for (const svg of document.querySelectorAll('svg.chart')) {
  const box = svg.getBoundingClientRect();
  if (box.width === 0) continue;
  charts += 1;
  const scale = box.width / svg.viewBox.baseVal.width;
  for (const t of svg.querySelectorAll('text')) {
    const size = parseFloat(t.getAttribute('font-size')) * scale;
    if (size < body - 0.01) small.push(t.textContent + ' at ' + size.toFixed(1) + 'px');
  }
}
return { vw, scroll: document.documentElement.scrollWidth, overflow: overflow.slice(0, 10), body, small: small.slice(0, 10), charts };
"#;

#[test]
fn every_public_page_reads_on_a_phone() {
    runtime().block_on(async {
        let Some(b) = Browser::start_phone("every_public_page_reads_on_a_phone").await else {
            return;
        };
        let s = serve("web-phone").await;
        let run = complete_run(&s).await;
        let (published, _) = s
            .post_json(
                &format!("/api/v1/runs/{run}/publish"),
                Some("admin"),
                json!({}),
            )
            .await;
        assert!(published.is_success());
        let (_, results) = s
            .get(&format!("/api/v1/runs/{run}/results?per_page=1"), None)
            .await;
        let first = &results["results"][0];
        let (person, unit) = (
            first["subject"].as_str().unwrap().to_string(),
            first["unit"].as_str().unwrap().to_string(),
        );
        let base = s.base.clone();
        for (path, shot, chart) in [
            ("/".to_string(), "phone-home", false),
            (format!("/runs/{run}"), "phone-overview", true),
            (format!("/runs/{run}/units/{unit}"), "phone-unit", false),
            (
                format!("/runs/{run}/people/{person}"),
                "phone-person",
                false,
            ),
            ("/catalogue".to_string(), "phone-catalogue", false),
        ] {
            b.visit_clean(&format!("{base}{path}"), shot).await;
            let seen = b.execute(PHONE_CHECK).await;
            assert_eq!(seen["vw"], 390, "{path}: read at 390 px: {seen}");
            assert!(
                seen["overflow"].as_array().unwrap().is_empty() && seen["scroll"] == seen["vw"],
                "{path}: something runs off the screen: {seen}"
            );
            assert!(
                seen["small"].as_array().unwrap().is_empty(),
                "{path}: chart text below the body's size: {seen}"
            );
            if chart {
                assert_eq!(
                    seen["charts"], 1,
                    "{path}: one chart shown, the narrow one: {seen}"
                );
            }
        }
        b.quit().await;
        s.stop().await;
    });
}

#[test]
fn a_citizen_finds_a_unit_and_follows_it_across_official_periods() {
    runtime().block_on(async {
        let s = serve("web-citizen").await;
        // August as September was, so the monthly people have two months.
        let september = std::fs::read_to_string(s.dir.join("data/facts-2025-09.csv")).unwrap();
        let august = september.replace(",2025-09,", ",2025-08,");
        assert_ne!(august, september);
        let (status, body) = s
            .post_bytes("/api/v1/facts?file=august.csv", Some("admin"), "text/csv", august.into_bytes())
            .await;
        assert!(status.is_success(), "{body}");
        let earlier = crate::support::complete_run_of(&s, "2025-08").await;
        let monthly = crate::support::complete_run_of(&s, "2025-09").await;
        let yearly = crate::support::complete_run_of(&s, "2025").await;
        for run in [earlier, monthly, yearly] {
            let (status, body) = s
                .post_json(&format!("/api/v1/runs/{run}/publish"), Some("admin"), json!({}))
                .await;
            assert!(status.is_success(), "{body}");
        }

        // The home page leads with the latest official period.
        let (status, _, home) = page(&s, "/", None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(home.contains("id=\"latest\""), "{home}");
        assert!(home.contains(&format!("href=\"/runs/{yearly}\"")));
        assert!(home.contains("năm 2025"), "the latest is the year's");
        assert!(home.contains("class=\"chart-narrow\""));

        // A search without diacritics finds the commune, linked in the
        // latest official run; with them, too; one letter is too short.
        for q in ["xa an lam", "Xã An Lâm", "an lam", "XA  AN-LAM"] {
            let (status, _, found) = page(&s, &format!("/search?q={}", urlencode(q)), None).await;
            assert_eq!(status, StatusCode::OK);
            assert!(
                found.contains(&format!("href=\"/runs/{yearly}/units/xa-an-lam\">Xã An Lâm</a>")),
                "{q}: {found}"
            );
        }
        let (_, _, short) = page(&s, "/search?q=x", None).await;
        assert!(!short.contains("found-units"));
        let (status, _, long) = page(&s, &format!("/search?q={}", "a".repeat(101)), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{long}");
        let (_, _, none) = page(&s, "/search?q=zzzz", None).await;
        assert!(none.contains("id=\"nothing\""));

        // People are found only where their unit publishes them.
        let people = sqlx::query(
            "SELECT s.id, s.name, u.publishes_people FROM subjects s JOIN units u ON u.code = s.unit ORDER BY s.id",
        )
        .fetch_all(s.registry.store().pool())
        .await
        .unwrap();
        let mut checked = (0, 0);
        for row in people.iter().step_by(37) {
            let (id, name): (String, String) = (row.get("id"), row.get("name"));
            let publishes: i64 = row.get("publishes_people");
            let folded = thuocdo_host::org::names::fold(&name);
            let (_, _, found) = page(&s, &format!("/search?q={}", urlencode(&folded)), None).await;
            let link = format!("/people/{id}\"");
            if publishes != 0 {
                checked.0 += 1;
                // Twenty at most are shown; a common name may push this one out.
                if !found.contains(&link) {
                    assert_eq!(found.matches("/people/").count(), 20, "{name}: {found}");
                }
            } else {
                checked.1 += 1;
                assert!(!found.contains(&link), "{name} is not published: {found}");
            }
        }
        assert!(checked.0 > 0 && checked.1 > 0, "{checked:?}");

        // A unit scored in both periods shows its trend; a person scored in
        // both, their history (to an admin, who sees everyone).
        let unit: String = sqlx::query(
            "SELECT a.unit FROM run_results a WHERE a.run_id = $1 AND a.outcome = 'scored' \
             AND EXISTS (SELECT 1 FROM run_results b WHERE b.run_id = $2 AND b.unit = a.unit AND b.outcome = 'scored') \
             ORDER BY a.unit LIMIT 1",
        )
        .bind(earlier)
        .bind(monthly)
        .fetch_one(s.registry.store().pool())
        .await
        .unwrap()
        .get("unit");
        let subject: String = sqlx::query(
            "SELECT a.subject FROM run_results a JOIN run_results b ON b.subject = a.subject AND b.run_id = $2 \
             WHERE a.run_id = $1 ORDER BY a.subject LIMIT 1",
        )
        .bind(earlier)
        .bind(monthly)
        .fetch_one(s.registry.store().pool())
        .await
        .unwrap()
        .get("subject");
        let (_, _, unit_page) = page(&s, &format!("/runs/{monthly}/units/{unit}"), None).await;
        assert!(unit_page.contains("id=\"trend\""), "{unit_page}");
        assert!(unit_page.contains("tháng 8/2025") && unit_page.contains("tháng 9/2025"));
        for run in [earlier, monthly] {
            let (_, _, that) = page(&s, &format!("/runs/{run}/units/{unit}"), None).await;
            let words = that
                .split("id=\"unit-grades\">")
                .nth(1)
                .unwrap()
                .split('<')
                .next()
                .unwrap()
                .to_string();
            let trend = unit_page.split("id=\"trend-table\"").nth(1).unwrap();
            assert!(trend.contains(&words), "the trend's {run} row is the run's own: {words}");
        }
        let (_, _, person) = page(&s, &format!("/runs/{monthly}/people/{subject}"), Some("admin")).await;
        assert!(person.contains("id=\"history\""), "{person}");
        assert!(person.contains(&format!("href=\"/runs/{earlier}/people/{subject}\"")));
        s.stop().await;
    });
}

/// `text` as a query value.
fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            b' ' => "+".to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}
