//! `thuocdo plugin inspect | eval` and `thuocdo demo`: output, errors, exit status.

use std::path::PathBuf;
use std::process::{Command, Output};

use thuocdo_host::bundled::BUNDLED;

fn thuocdo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_thuocdo"))
        .args(args)
        .output()
        .unwrap()
}

/// A scratch directory for one test, removed when the test ends.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(name: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("thuocdo-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
}

fn write(dir: &Scratch, file: &str, bytes: &[u8]) -> String {
    let path = dir.0.join(file);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

fn plugin_file(dir: &Scratch, crate_name: &str) -> String {
    let b = BUNDLED.iter().find(|b| b.crate_name == crate_name).unwrap();
    write(dir, &format!("{crate_name}.wasm"), b.wasm)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn inspect_prints_describe_as_json() {
    let dir = scratch("inspect");
    let file = plugin_file(&dir, "commune-official");
    let out = thuocdo(&["plugin", "inspect", &file]);
    assert!(out.status.success(), "{}", stderr(&out));
    let info: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(info["name"], "tuyenquang/commune-official");
    assert_eq!(info["indicators"].as_array().unwrap().len(), 6);
    assert_eq!(info["contract"], "1.1.0");
}

#[test]
fn eval_scores_one_input_or_a_list_with_sentences() {
    let dir = scratch("eval");
    let file = plugin_file(&dir, "provincial-leader-monthly");
    let one = r#"{"subject": {"id": "chair-a"}, "period": "2025-09", "facts": {"tasks-assigned": 20, "tasks-completed": 20,
        "tasks-on-time": 20, "citizen-satisfaction": "74.85", "inspections-planned": 4, "inspections-done": 4,
        "discipline-breaches": 0, "disciplined": 0}}"#;
    let input = write(&dir, "one.json", one.as_bytes());
    let out = thuocdo(&["plugin", "eval", &file, "--input", &input, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let e: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        (e["total"].as_str(), e["grade"].as_str()),
        (Some("8.99"), Some("B"))
    );
    assert_eq!(
        e["indicators"][2]["explanation"]["en"],
        "Citizen satisfaction 74.85 %: yellow (green from 90 %, red at 60 % or less); 0.99 of 2 points"
    );
    assert_eq!(
        e["summary"]["vi"],
        "8,99 / 10 điểm: Hoàn thành tốt nhiệm vụ"
    );

    let list = write(&dir, "list.json", format!("[{one}, {one}]").as_bytes());
    let out = thuocdo(&["plugin", "eval", &file, "--input", &list, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let all: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(all.as_array().unwrap().len(), 2);

    let table = thuocdo(&["plugin", "eval", &file, "--input", &input]);
    assert!(
        stdout(&table).contains("total 8.99 of 10 points: completed tasks well"),
        "{}",
        stdout(&table)
    );
}

#[test]
fn bad_input_is_exit_2_naming_what_is_wrong() {
    let dir = scratch("bad");
    let file = plugin_file(&dir, "provincial-leader-monthly");
    let cases = [
        (
            r#"{"subject": {"id": "x"}, "facts": {"nope": 1}}"#,
            "fact `nope` is not one tuyenquang/provincial-leader-monthly reads",
        ),
        (
            r#"{"subject": {"id": "x"}, "facts": {"tasks-assigned": "1.23456"}}"#,
            "fact `tasks-assigned` is `1.23456`, not a decimal with at most four decimals",
        ),
        (
            r#"{"subject": {"id": "x"}, "facts": {"tasks-assigned": true}}"#,
            "fact `tasks-assigned` is true, not a decimal",
        ),
        (
            r#"{"subject": {"id": "x"}, "facts": {"tasks-assigned": 20}}"#,
            "fact 1 `tasks-completed` is missing",
        ),
        (
            r#"{"subject": {"id": "x"}, "facts": {"tasks-assigned": -1}}"#,
            "fact 0 `tasks-assigned` is -1, outside its range 0 ..= unbounded",
        ),
        (
            r#"{"subject": {"id": "x"}, "facts": {}, "extra": 1}"#,
            "unknown field `extra`",
        ),
        ("not json", "expected ident"),
    ];
    for (text, says) in cases {
        let input = write(&dir, "bad.json", text.as_bytes());
        let out = thuocdo(&["plugin", "eval", &file, "--input", &input]);
        assert_eq!(out.status.code(), Some(2), "{text}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{text}: {}", stderr(&out));
    }
    let out = thuocdo(&[
        "plugin",
        "eval",
        &file,
        "--input",
        "/nonexistent/input.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("reading /nonexistent/input.json"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_file_that_is_not_a_scorecard_is_exit_1_with_its_kind() {
    let dir = scratch("notplugin");
    let file = write(&dir, "random.wasm", b"definitely not wasm");
    let out = thuocdo(&["plugin", "inspect", &file]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("not-a-component: not a WebAssembly component"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn demo_publishes_and_scores_every_bundled_scorecard_and_reuses_what_is_there() {
    let dir = scratch("demo");
    let data = dir.0.join("data").display().to_string();
    let first = thuocdo(&["--data-dir", &data, "demo", "--no-serve"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(
        stdout(&first).matches("published now").count(),
        BUNDLED.len()
    );
    // The province's September, as the articles count it.
    assert!(
        stdout(&first).contains("agency           4 excellent, 15 good, 5 completed"),
        "{}",
        stdout(&first)
    );
    assert!(
        stdout(&first).contains("commune          10 excellent, 88 good, 26 completed"),
        "{}",
        stdout(&first)
    );
    // The year's assessments: one agency complete, another under way.
    assert!(
        stdout(&first).contains("assessments 2025: so-noi-vu complete (6 assessed by their director); so-tai-chinh in progress (3 under way, 3 not started)"),
        "{}",
        stdout(&first)
    );
    let list = thuocdo(&[
        "--data-dir",
        &data,
        "assess",
        "unit",
        "so-tai-chinh",
        "--period",
        "2025",
    ]);
    assert!(list.status.success(), "{}", stderr(&list));
    assert!(
        stdout(&list).contains("cong-chuc-so-tai-chinh-4 open"),
        "{}",
        stdout(&list)
    );
    assert!(
        stdout(&list).contains("overdue: self-assessment"),
        "{}",
        stdout(&list)
    );
    let out = thuocdo(&["--data-dir", &data, "demo", "--no-serve", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["run"]["reused"], true);
    assert_eq!(report["run"]["summary"]["scored"], 178);
    // The run's results from the data directory, read a batch at a time
    // along the index and printed as read: every one, best first.
    let run = report["run"]["run"].as_i64().unwrap().to_string();
    let json = thuocdo(&[
        "--data-dir",
        &data,
        "results",
        "--run",
        &run,
        "--format",
        "json",
    ]);
    assert!(json.status.success(), "{}", stderr(&json));
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(rows.len(), 178, "every result the run holds");
    let totals: Vec<i64> = rows.iter().filter_map(|r| r["total"].as_i64()).collect();
    assert!(totals.windows(2).all(|w| w[0] >= w[1]), "best first");
    let csv = thuocdo(&[
        "--data-dir",
        &data,
        "results",
        "--run",
        &run,
        "--format",
        "csv",
    ]);
    assert_eq!(
        stdout(&csv).lines().count(),
        179,
        "a header and every result"
    );
    let table = thuocdo(&["--data-dir", &data, "results", "--run", &run]);
    assert!(
        stdout(&table)
            .lines()
            .last()
            .unwrap()
            .trim_start()
            .starts_with("178 "),
        "{}",
        stdout(&table)
    );
    let plugins = report["catalogue"].as_array().unwrap();
    assert_eq!(plugins.len(), BUNDLED.len());
    for p in plugins {
        let results = p["results"].as_array().unwrap();
        assert!(!results.is_empty(), "{}", p["plugin"]);
        assert!(
            results.iter().all(|r| r.get("evaluation").is_some()),
            "{}",
            p["plugin"]
        );
    }
}

#[test]
fn tokens_are_made_for_a_time_listed_and_revoked_on_the_command_line() {
    let dir = scratch("tokens");
    let data = dir.0.join("data").display().to_string();
    let made = thuocdo(&[
        "--data-dir",
        &data,
        "token",
        "create",
        "--role",
        "viewer",
        "--name",
        "reader",
        "--expires-in-days",
        "5",
    ]);
    assert!(made.status.success(), "{}", stderr(&made));
    assert!(stdout(&made).trim().starts_with("thd_"));
    assert!(
        stderr(&made).contains("working for 5 days"),
        "{}",
        stderr(&made)
    );
    let listed = thuocdo(&["--data-dir", &data, "token", "list", "--json"]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    let rows: serde_json::Value = serde_json::from_str(&stdout(&listed)).unwrap();
    let row = &rows[0];
    assert_eq!(
        (row["name"].as_str(), row["state"].as_str()),
        (Some("reader"), Some("live"))
    );
    let lifetime = row["expires_at"].as_i64().unwrap() - row["created_at"].as_i64().unwrap();
    assert!((lifetime - 5 * 86_400_000).abs() < 60_000, "{row}");
    assert!(
        !stdout(&listed).contains(stdout(&made).trim()),
        "the secret is listed"
    );

    let revoked = thuocdo(&["--data-dir", &data, "token", "revoke", "1"]);
    assert!(revoked.status.success(), "{}", stderr(&revoked));
    assert_eq!(stdout(&revoked).trim(), "token 1 revoked");
    let listed = thuocdo(&["--data-dir", &data, "token", "list"]);
    assert!(stdout(&listed).contains("revoked"), "{}", stdout(&listed));
    let again = thuocdo(&["--data-dir", &data, "token", "revoke", "1"]);
    assert_eq!(stdout(&again).trim(), "token 1 was revoked already");

    for (args, says) in [
        (vec!["token", "revoke", "99"], "there is no token 99"),
        (
            vec![
                "token",
                "create",
                "--role",
                "viewer",
                "--expires-in-days",
                "0",
            ],
            "a token works for 1 to 3650 days",
        ),
    ] {
        let mut all = vec!["--data-dir", data.as_str()];
        all.extend(args);
        let out = thuocdo(&all);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains(says), "{}", stderr(&out));
    }
}

#[test]
fn the_keyring_is_listed_without_secrets_and_rotated_on_the_command_line() {
    let dir = scratch("keys");
    let data = dir.0.join("data").display().to_string();
    for expected in ["facts-1 signs from now on", "facts-2 signs from now on"] {
        let out = thuocdo(&["--data-dir", &data, "keys", "rotate"]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).starts_with(expected), "{}", stdout(&out));
    }
    let out = thuocdo(&["--data-dir", &data, "keys", "list", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let keys: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let keys = keys.as_array().unwrap();
    assert_eq!(keys.len(), 2);
    assert!(keys[0]["retired_at"].is_i64() && keys[1]["retired_at"].is_null());
    assert!(keys.iter().all(|k| k.get("secret").is_none()), "{keys:?}");
    let out = thuocdo(&[
        "--data-dir",
        &data,
        "keys",
        "rotate",
        "--purpose",
        "ratings",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("not a purpose of the keyring"));
    let out = thuocdo(&["--server", "http://127.0.0.1:9", "keys", "list"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}
