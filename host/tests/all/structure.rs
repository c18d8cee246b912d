//! The host's structure, held by tests rather than by a reviewer's grep:
//! SQL only in store/, no import between the API and the dashboard, and no
//! import cycle between modules that were once tangled.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every source file under `host/src` but those under `store/`, with its
/// path relative to `src/`.
fn outside_store() -> Vec<(String, String)> {
    let mut files = Vec::new();
    sources(&src(), &mut files);
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(src()).unwrap().display().to_string();
            (rel, std::fs::read_to_string(&p).unwrap())
        })
        .filter(|(rel, _)| !rel.starts_with("store/"))
        .collect()
}

/// Which of `needles` a line of code (not a comment) holds.
fn offences(files: &[(String, String)], needles: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for (rel, text) in files {
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            for needle in needles {
                if code.contains(needle) {
                    found.push(format!("{rel}:{}: `{needle}` in {}", n + 1, code.trim()));
                }
            }
        }
    }
    found
}

#[test]
fn no_sql_and_no_driver_outside_the_store() {
    let needles = [
        "sqlx::",
        "sqlx;",
        ".pool()",
        "\"SELECT ",
        "\"INSERT INTO",
        "\"UPDATE ",
        "\"DELETE FROM",
        "\"CREATE TABLE",
        "\"WITH ",
        " FROM runs",
        " FROM run_results",
    ];
    let found = offences(&outside_store(), &needles);
    assert!(
        found.is_empty(),
        "SQL and the driver belong in host/src/store/; found {} outside it:\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn the_check_catches_what_it_looks_for() {
    let planted = vec![(
        "scoring/planted.rs".to_string(),
        "let r = sqlx::query(\"SELECT 1\").fetch_one(store.pool());\n// sqlx:: in a comment is fine\n".to_string(),
    )];
    let found = offences(&planted, &["sqlx::", ".pool()", "\"SELECT "]);
    assert_eq!(found.len(), 3, "{found:?}");
}

/// The modules a file imports by `crate::name`.
fn imports(text: &str, module: &str) -> bool {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .any(|l| {
            l.contains(&format!("crate::{module}::"))
                || l.contains(&format!("crate::{module};"))
                || l.contains(&format!("crate::{{{module}"))
        })
}

#[test]
fn the_api_and_the_dashboard_do_not_import_each_other() {
    let files = outside_store();
    let mut found = Vec::new();
    for (rel, text) in &files {
        if rel.starts_with("api/") && imports(text, "web") {
            found.push(format!("{rel} imports web"));
        }
        if rel.starts_with("web/") && imports(text, "api") {
            found.push(format!("{rel} imports api"));
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn scoring_results_and_summaries_do_not_import_each_other() {
    let read = |f: &str| std::fs::read_to_string(src().join(f)).unwrap();
    let results = read("scoring/results.rs");
    let summary = read("scoring/summary.rs");
    let uses = |text: &str, module: &str| {
        text.lines()
            .filter(|l| l.trim_start().starts_with("use "))
            .any(|l| {
                l.contains(&format!("super::{module}")) || l.contains(&format!("scoring::{module}"))
            })
    };
    assert!(
        !(uses(&results, "summary") && uses(&summary, "results")),
        "scoring/results.rs and scoring/summary.rs import each other"
    );
}

#[test]
fn the_sdks_grading_does_not_import_its_evaluation() {
    let sdk = src().join("../../sdk/src");
    let grading = std::fs::read_to_string(sdk.join("grading.rs")).unwrap();
    // The evaluation builds on grading; grading works on plain scores.
    assert!(
        !imports(&grading, "evaluation"),
        "sdk/src/grading.rs imports the evaluation"
    );
    let evaluation = std::fs::read_to_string(sdk.join("evaluation.rs")).unwrap();
    assert!(
        imports(&evaluation, "grading"),
        "the check looks at the right files"
    );
}
