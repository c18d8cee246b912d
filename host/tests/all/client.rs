//! The command line against a running host (`--server`, `--token`): the
//! real binary talking to the real server over HTTP, for every command that
//! has a route, with the server's refusals turned into exit status 2 and the
//! problem's words.

use std::process::{Command, Output};

use serde_json::Value;

use crate::support::{runtime, serve, wasm};

/// Runs `thuocdo --server BASE [--token T] ARGS…` off the async threads.
async fn thuocdo(base: &str, token: Option<&str>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_thuocdo"));
    command
        .arg("--server")
        .arg(base)
        .args(args)
        .env_remove("THUOCDO_TOKEN");
    if let Some(t) = token {
        command.arg("--token").arg(t);
    }
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn refused(o: &Output, words: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert!(err.contains(words), "expected `{words}` in: {err}");
}

#[test]
fn every_command_with_a_route_works_against_a_server() {
    runtime().block_on(async {
        let s = serve("client").await;
        let base = s.base.clone();
        let token = |role: &str| s.tokens[role].clone();
        let dir = std::env::temp_dir().join(format!("thuocdo-client-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = |name: &str, bytes: &[u8]| {
            let path = dir.join(name);
            std::fs::write(&path, bytes).unwrap();
            path.display().to_string()
        };

        // Reading the registry needs no token.
        let out = ok(&thuocdo(&base, None, &["plugin", "list", "--json"]).await);
        let list: Vec<String> = serde_json::from_str(&out).unwrap();
        assert!(list.contains(&"tuyenquang/commune-official".to_string()));
        let out = ok(&thuocdo(&base, None, &["plugin", "list", "tuyenquang-tax/tax-officer"]).await);
        assert!(out.starts_with("tuyenquang-tax/tax-officer@1.0.2 sha256 "), "{out}");

        // Publishing: the same bytes again; another namespace refused.
        let tax = file("tax.wasm", &wasm("tax-officer"));
        let publisher = token("publisher");
        let out = ok(&thuocdo(&base, Some(&publisher), &["plugin", "publish", &tax]).await);
        assert!(out.starts_with("already published tuyenquang-tax/tax-officer@1.0.2"), "{out}");
        let commune = file("commune.wasm", &wasm("commune-official"));
        refused(
            &thuocdo(&base, Some(&publisher), &["plugin", "publish", &commune]).await,
            "HTTP 403 forbidden",
        );
        refused(
            &thuocdo(&base, Some("thd_wrong"), &["plugin", "yank", "tuyenquang-tax/tax-officer@1.0.2"]).await,
            "HTTP 401 unauthorized",
        );
        refused(
            &thuocdo(&base, None, &["plugin", "yank", "tuyenquang-tax/tax-officer@1.0.2"]).await,
            "HTTP 401 unauthorized",
        );

        // Assignments, facts, a run followed to its summary, results,
        // publishing and unlocking, the audit log.
        let admin = token("admin");
        let out = ok(&thuocdo(
            &base,
            Some(&admin),
            &["assign", "commune-chair", "tuyenquang/commune-official@^1", "--unit", "tuyen-quang", "--from", "2026-01", "--json"],
        )
        .await);
        let assigned: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(assigned["effective_from"], "2026-01", "{assigned}");
        refused(
            &thuocdo(
                &base,
                Some(&admin),
                &["assign", "commune-chair", "tuyenquang/commune-official@^1", "--unit", "nowhere", "--from", "2026-01"],
            )
            .await,
            "HTTP 404 not-found",
        );
        let csv = file(
            "october.csv",
            b"subject_id,period,fact,value,source\ncan-bo-thue-001,2025-10,revenue-target,5000,cli\n",
        );
        let out = ok(&thuocdo(&base, Some(&token("tax-admin")), &["facts", "import", &csv]).await);
        assert!(out.starts_with("october.csv: 1 rows, 1 values new or changed"), "{out}");
        let bad = file(
            "bad.csv",
            b"subject_id,period,fact,value,source\nnobody,2025-10,revenue-target,x,cli\n",
        );
        refused(
            &thuocdo(&base, Some(&admin), &["facts", "import", &bad]).await,
            "line 2",
        );

        let out = ok(&thuocdo(&base, Some(&admin), &["run", "--period", "2025-09"]).await);
        let first = out.lines().next().unwrap();
        assert!(first.contains(", 2025-09: 281 subjects, 178 scored, 0 refused, 0 faults"), "{out}");
        let run: i64 = first
            .strip_prefix("run ")
            .and_then(|r| r.split(',').next())
            .unwrap()
            .parse()
            .unwrap();
        let out = ok(&thuocdo(&base, Some(&admin), &["results", "--run", &run.to_string(), "--format", "csv"]).await);
        assert_eq!(out.lines().count(), 179, "a header and 178 results");
        let out = ok(&thuocdo(&base, Some(&admin), &["results", "--run", &run.to_string(), "--format", "json"]).await);
        let rows: Vec<Value> = serde_json::from_str(&out).unwrap();
        assert_eq!(rows.len(), 178);
        // The public sees only the units that publish people (see the API tests).
        let out = ok(&thuocdo(&base, None, &["results", "--run", &run.to_string(), "--format", "json"]).await);
        let public: Vec<Value> = serde_json::from_str(&out).unwrap();
        assert_eq!(public.len(), 148);
        let out = ok(&thuocdo(&base, None, &["summary", "--run", &run.to_string(), "--json"]).await);
        let summary: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(summary["scored"], 178);
        let out = ok(&thuocdo(&base, None, &["runs"]).await);
        assert!(out.contains("2025-09") && out.contains("complete"), "{out}");
        refused(
            &thuocdo(&base, Some(&token("viewer")), &["publish", "--run", &run.to_string()]).await,
            "HTTP 403 forbidden",
        );
        let out = ok(&thuocdo(&base, Some(&admin), &["publish", "--run", &run.to_string()]).await);
        assert!(out.contains("is the official run of 2025-09"), "{out}");
        // The sandbox beside the official run: the published card itself as a
        // draft moves nobody.
        let analyst = token("analyst");
        let draft_file = file("draft.wasm", &wasm("provincial-leader-monthly"));
        refused(
            &thuocdo(&base, Some(&token("viewer")), &["sandbox", "upload", &draft_file]).await,
            "HTTP 403 forbidden",
        );
        let out = ok(&thuocdo(&base, Some(&analyst), &["sandbox", "upload", &draft_file, "--json"]).await);
        let draft: Value = serde_json::from_str(&out).unwrap();
        let id = draft["id"].as_i64().unwrap().to_string();
        // Trial facts for the draft: a fact it declares is kept; one it
        // does not is refused, named.
        let trial = file(
            "trial.csv",
            b"subject_id,period,fact,value,source\ncan-bo-thue-001,2025-09,tasks-assigned,12,trial\n",
        );
        let out = ok(&thuocdo(&base, Some(&analyst), &["sandbox", "facts", &id, &trial]).await);
        assert!(out.contains("1 trial values for 1 subjects in 2025-09"), "{out}");
        let wrong = file(
            "wrong.csv",
            b"subject_id,period,fact,value,source\ncan-bo-thue-001,2025-09,revenue-target,1,trial\n",
        );
        refused(
            &thuocdo(&base, Some(&analyst), &["sandbox", "facts", &id, &wrong]).await,
            "is not one the draft",
        );
        let out = ok(&thuocdo(&base, Some(&analyst), &["sandbox", "list"]).await);
        assert!(out.contains("tuyenquang/provincial-leader-monthly@1.0.2"), "{out}");
        let out = ok(&thuocdo(&base, Some(&analyst), &["sandbox", "compare", &id, "--period", "2025-09", "--json"]).await);
        let what_if: Value = serde_json::from_str(&out).unwrap();
        let p = &what_if["periods"][0];
        assert_eq!(p["compared"], 148, "{p}");
        assert_eq!(p["movers"].as_array().unwrap().len(), 0, "{p}");
        assert_eq!(p["deltas"]["max_abs"], "0");
        let out = ok(&thuocdo(&base, Some(&analyst), &["sandbox", "compare", &id, "--period", "2025-09"]).await);
        assert!(out.contains("0 subjects change grade"), "{out}");
        assert!(out.contains("grades after cohort rules (official → draft)"), "{out}");
        refused(
            &thuocdo(&base, Some(&analyst), &["sandbox", "compare", &id, "--period", "2025-10"]).await,
            "HTTP 404 not-found",
        );
        let out = ok(&thuocdo(&base, Some(&analyst), &["sandbox", "delete", &id]).await);
        assert!(out.starts_with(&format!("deleted draft {id}")), "{out}");
        refused(
            &thuocdo(&base, Some(&analyst), &["sandbox", "delete", &id]).await,
            "HTTP 404 not-found",
        );

        let out = ok(&thuocdo(&base, Some(&admin), &["unlock", "--period", "2025-09", "--reason", "re-scored"]).await);
        assert!(out.starts_with("2025-09 unlocked"), "{out}");
        let out = ok(&thuocdo(&base, Some(&admin), &["audit", "--json"]).await);
        let audit: Vec<Value> = serde_json::from_str(&out).unwrap();
        assert!(audit.iter().any(|e| e["action"] == "unlock"), "{out}");

        // Ad-hoc evaluation with the assigned card.
        let subject = file(
            "chair.json",
            br#"{"subject": {"id": "chair-1", "unit": "xa-an-lam", "position": "commune-chair"}, "period": "2025-09",
                 "facts": {"tasks-assigned": 20, "tasks-completed": 20, "tasks-on-time": 19, "citizen-satisfaction": "96.5",
                           "inspections-planned": 3, "inspections-done": 3, "discipline-breaches": 0, "disciplined": 0}}"#,
        );
        let out = ok(&thuocdo(&base, Some(&admin), &["evaluate", "--input", &subject]).await);
        assert!(out.starts_with("chair-1 tuyenquang/provincial-leader-monthly@1.0.2"), "{out}");
        assert!(out.trim_end().ends_with("total 9.58 grade A"), "{out}");

        // What the API does not offer is refused, naming why; so is a bad URL.
        refused(
            &thuocdo(&base, Some(&admin), &["verify", "--run", &run.to_string()]).await,
            "works on the data directory only",
        );
        refused(
            &thuocdo("localhost:8080", None, &["plugin", "list"]).await,
            "expected a URL",
        );
        let _ = std::fs::remove_dir_all(&dir);
        s.stop().await;
    });
}

/// A TLS endpoint in front of `plain` (`host:port`), as a reverse proxy
/// is, with the test certificate for localhost and 127.0.0.1; its port.
async fn tls_endpoint(plain: String) -> u16 {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(format!("{data}/tls-cert.pem"))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
    let key = PrivateKeyDer::from_pem_file(format!("{data}/tls-key.pem")).unwrap();
    let config = tokio_rustls::rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (acceptor, plain) = (acceptor.clone(), plain.clone());
            tokio::spawn(async move {
                // A client that does not trust the certificate ends here.
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let mut upstream = tokio::net::TcpStream::connect(plain).await.unwrap();
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut upstream).await;
            });
        }
    });
    port
}

#[test]
fn the_command_line_reaches_a_host_over_https_trusting_what_it_is_told_to() {
    runtime().block_on(async {
        let s = serve("client-tls").await;
        let port = tls_endpoint(s.base.trim_start_matches("http://").to_string()).await;
        let cert = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/tls-cert.pem");
        for host in ["localhost", "127.0.0.1"] {
            let base = format!("https://{host}:{port}");
            // The certificate is trusted because it is named, not otherwise.
            let out = ok(&thuocdo(
                &base,
                None,
                &["--ca-cert", cert, "plugin", "list", "--json"],
            )
            .await);
            let listed: Value = serde_json::from_str(&out).unwrap();
            assert!(!listed.as_array().unwrap().is_empty(), "{out}");
            let untrusted = thuocdo(&base, None, &["plugin", "list"]).await;
            assert_eq!(untrusted.status.code(), Some(1));
            let err = String::from_utf8_lossy(&untrusted.stderr);
            assert!(err.to_lowercase().contains("certificate"), "{err}");
        }
        // A write with a token, through TLS.
        let out = ok(&thuocdo(
            &format!("https://localhost:{port}"),
            Some(&s.tokens["admin"]),
            &["--ca-cert", cert, "token", "list", "--json"],
        )
        .await);
        assert!(
            out.contains("\"state\": \"live\"") || out.contains("\"state\":\"live\""),
            "{out}"
        );
        // A file that is not a certificate is named.
        let not_pem = thuocdo(
            &format!("https://localhost:{port}"),
            None,
            &[
                "--ca-cert",
                concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"),
                "plugin",
                "list",
            ],
        )
        .await;
        refused(&not_pem, "--ca-cert");
        s.stop().await;
    });
}

/// `thuocdo assess …` against a server: codes issued and printed as CSV,
/// each step with the token of the one who takes it, the unit's list, a
/// calendar and the year's holidays; the server's refusals as exit 2.
#[test]
fn the_assessment_procedure_on_the_command_line() {
    runtime().block_on(async {
        let s = serve("client-assess").await;
        let base = s.base.clone();
        let admin = s.tokens["admin"].clone();
        let (clerk, period) = ("mot-cua-ha-giang-2-01", "2025-Q4");
        let centre = "ttpvhcc-phuong-ha-giang-2";

        let csv = ok(&thuocdo(&base, Some(&admin), &["assess", "codes", "--unit", centre]).await);
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some("subject_id,name,code,link,expires"));
        let code = lines
            .find(|l| l.starts_with(clerk))
            .unwrap()
            .split(',')
            .nth(2)
            .unwrap()
            .to_string();
        let client = reqwest::Client::new();
        let signed: Value = client
            .post(format!("{base}/api/v1/sign-in"))
            .json(&serde_json::json!({"code": code}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let person = signed["token"].as_str().unwrap().to_string();

        let dir =
            std::env::temp_dir().join(format!("thuocdo-client-assess-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let holidays = dir.join("2026.json");
        std::fs::write(
            &holidays,
            r#"[{"day": "2026-01-01", "kind": "holiday", "name": "Tết Dương lịch"}]"#,
        )
        .unwrap();
        let out = ok(&thuocdo(
            &base,
            Some(&admin),
            &["assess", "holidays", "2026", holidays.to_str().unwrap()],
        )
        .await);
        assert!(out.contains("2026-01-01 holiday"), "{out}");
        let out = ok(&thuocdo(
            &base,
            Some(&admin),
            &[
                "assess",
                "calendar",
                centre,
                "--kind",
                "quarter",
                "--step",
                "self-assessment=+1",
            ],
        )
        .await);
        assert_eq!(out.trim(), "self-assessment: +1");

        // The admin may not self-assess for the clerk; the clerk may.
        refused(
            &thuocdo(
                &base,
                Some(&admin),
                &[
                    "assess",
                    "self",
                    clerk,
                    "--period",
                    period,
                    "--points",
                    "public-service-culture=14",
                    "--points",
                    "regulation-compliance=15",
                    "--review",
                    "x",
                ],
            )
            .await,
            "record a self-assessment",
        );
        let out = ok(&thuocdo(
            &base,
            Some(&person),
            &[
                "assess",
                "self",
                clerk,
                "--period",
                period,
                "--points",
                "public-service-culture=14",
                "--points",
                "regulation-compliance=15",
                "--review",
                "Đúng hạn cả quý.",
            ],
        )
        .await);
        assert!(out.contains("state: self-assessed"), "{out}");
        assert!(out.contains("due 2026-01-02"), "{out}");
        refused(
            &thuocdo(
                &base,
                Some(&admin),
                &[
                    "assess",
                    "manager",
                    clerk,
                    "--period",
                    period,
                    "--points",
                    "public-service-culture=12",
                    "--points",
                    "regulation-compliance=15",
                ],
            )
            .await,
            "comes after the collective's comments",
        );
        ok(&thuocdo(
            &base,
            Some(&admin),
            &[
                "assess",
                "collective",
                clerk,
                "--period",
                period,
                "--date",
                "2026-01-05",
                "--attended",
                "An",
                "--attended",
                "Bình",
                "--text",
                "Nhất trí.",
            ],
        )
        .await);
        let out = ok(&thuocdo(
            &base,
            Some(&admin),
            &[
                "assess",
                "manager",
                clerk,
                "--period",
                period,
                "--points",
                "public-service-culture=12",
                "--points",
                "regulation-compliance=15",
                "--comment",
                "public-service-culture=Chậm trả lời.",
            ],
        )
        .await);
        assert!(out.contains("state: manager-assessed (ready)"), "{out}");

        let out = ok(&thuocdo(
            &base,
            Some(&admin),
            &["assess", "unit", centre, "--period", period],
        )
        .await);
        assert!(out.contains("public-service-culture -2"), "{out}");
        assert!(
            out.contains("overdue: self-assessment"),
            "a colleague's step: {out}"
        );
        let shown: Value = serde_json::from_str(&ok(&thuocdo(
            &base,
            Some(&person),
            &["assess", "show", clerk, "--period", period, "--json"],
        )
        .await))
        .unwrap();
        assert_eq!(shown["ready"], true);
        // Decided from the published run: the notice, to the person.
        crate::assessment::import_data_facts(&s, &[clerk]).await;
        let run = crate::support::complete_run_of(&s, period).await;
        ok(&thuocdo(&base, Some(&admin), &["publish", "--run", &run.to_string()]).await);
        let out = ok(&thuocdo(
            &base,
            Some(&admin),
            &[
                "assess",
                "decide",
                "--run",
                &run.to_string(),
                "--subject",
                clerk,
            ],
        )
        .await);
        assert!(
            out.contains(&format!("{clerk} ")) && out.contains(" decided"),
            "{out}"
        );
        assert!(!out.contains("not decided"), "{out}");
        let out = ok(&thuocdo(&base, Some(&person), &["assess", "notices", clerk]).await);
        assert!(out.contains("(unread)") && out.contains(period), "{out}");
        refused(
            &thuocdo(
                &base,
                Some(&person),
                &[
                    "assess",
                    "decide",
                    "--run",
                    &run.to_string(),
                    "--subject",
                    clerk,
                ],
            )
            .await,
            "decide grades",
        );
        let _ = std::fs::remove_dir_all(&dir);
        s.stop().await;
    });
}
