//! `thuocdo org import`, `facts import | freeze | reopen`, `run`, `runs`,
//! `results`, `publish`, `unlock`, `verify` and `gen-data` on the local data
//! directory, acting as its administrator.

use std::path::Path;
use std::sync::Arc;

use serde_json::json;

use super::Error;
use super::client::{Remote, path_segment};
use super::progress;
use super::registry::{local_actor, print_json, with_registry};
use crate::api::types::{ResultsPage, RunStatus, Started};
use crate::config::Config;
use crate::explain::Lang;
use crate::gendata;
use crate::org::exemptions::{self, NewExemption};
use crate::scoring::{self, OfficialRun, Progress, RunOptions, RunRecord, StoredResult, Summary};
use crate::store::exemptions::ExemptionRow;

/// Refuses `--server` for a command the API does not offer.
pub(super) fn local_only(config: &Config, what: &str) -> Result<(), Error> {
    match &config.server {
        Some(server) => Err(Error::BadInput(format!(
            "`{what}` works on the data directory only (the API has no route for it); \
             run it without --server {server}, where the database is"
        ))),
        None => Ok(()),
    }
}

impl From<scoring::Error> for Error {
    fn from(e: scoring::Error) -> Error {
        match e {
            scoring::Error::Registry(r) => r.into(),
            scoring::Error::Runtime(r) => Error::Plugin(r),
            scoring::Error::RunFailed { .. } => Error::Failed(e.to_string()),
            scoring::Error::Store(s) => Error::Failed(s.to_string()),
            scoring::Error::Internal(why) | scoring::Error::Busy(why) => Error::Failed(why),
            other => Error::BadInput(other.to_string()),
        }
    }
}

fn read(file: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(file).map_err(|e| Error::BadInput(format!("reading {}: {e}", file.display())))
}

pub(super) fn org_import(config: &Config, file: &Path, json: bool) -> Result<(), Error> {
    let done: crate::org::OrgImported = match Remote::from_config(config)? {
        Some(remote) => remote.post_bytes("/organisation", "application/json", read(file)?)?,
        None => {
            // Read as it is imported: the people are never held whole.
            let source = std::fs::File::open(file)
                .map_err(|e| Error::BadInput(format!("reading {}: {e}", file.display())))?;
            with_registry(config, |r| async move {
                Ok(crate::org::import_from(&r, &local_actor(), source).await?)
            })?
        }
    };
    if json {
        print_json(&done);
    } else {
        println!(
            "{} units, {} posts, {} subjects written; {} assignments made",
            done.units, done.posts, done.subjects, done.assignments
        );
    }
    Ok(())
}

/// Sends a data file to the server's `route`, or, with no server, streams
/// it into `local` from the file itself (never held whole).
fn upload<T, F, Fut>(config: &Config, file: &Path, route: &str, local: F) -> Result<T, Error>
where
    T: serde::de::DeserializeOwned,
    F: FnOnce(crate::registry::Registry, String, std::fs::File) -> Fut,
    Fut: std::future::Future<Output = Result<T, Error>>,
{
    let name = file.display().to_string();
    match Remote::from_config(config)? {
        Some(remote) => {
            let bytes = read(file)?;
            let content_type = if name.ends_with(".json") {
                "application/json"
            } else {
                "text/csv"
            };
            let file_name = file
                .file_name()
                .map(|f| f.to_string_lossy().to_string())
                .unwrap_or(name);
            remote.post_bytes(
                &format!("{route}?file={}", path_segment(&file_name)),
                content_type,
                bytes,
            )
        }
        None => {
            let source = std::fs::File::open(file)
                .map_err(|e| Error::BadInput(format!("reading {}: {e}", file.display())))?;
            with_registry(config, |r| local(r, name, source))
        }
    }
}

pub(super) fn facts_import(config: &Config, file: &Path, json: bool) -> Result<(), Error> {
    let done: crate::facts::Imported =
        upload(config, file, "/facts", |r, name, source| async move {
            Ok(crate::facts::import_from(&r, &local_actor(), &name, source, None).await?)
        })?;
    if json {
        print_json(&done);
    } else if done.values_changed == 0 {
        println!("{}: {} rows, nothing new", done.file, done.rows);
    } else {
        println!(
            "{}: {} rows, {} values new or changed in {} subject sheets (import {})",
            done.file,
            done.rows,
            done.values_changed,
            done.sheets_changed,
            done.import_id.unwrap_or_default()
        );
    }
    Ok(())
}

pub(super) fn products_import(config: &Config, file: &Path, json: bool) -> Result<(), Error> {
    let done: crate::products::ProductsImported =
        upload(config, file, "/products", |r, name, source| async move {
            Ok(crate::products::import_from(&r, &local_actor(), &name, source, None).await?)
        })?;
    if json {
        print_json(&done);
    } else {
        println!(
            "{}: {} rows, {} products written (import {})",
            done.file, done.rows, done.written, done.import_id
        );
    }
    Ok(())
}

pub(super) fn facts_freeze(config: &Config, period: &str) -> Result<(), Error> {
    local_only(config, "facts freeze")?;
    let p = period.to_string();
    with_registry(config, |r| async move {
        Ok(crate::facts::freeze(&r, &local_actor(), &p).await?)
    })?;
    println!("the facts of {period} are frozen");
    Ok(())
}

pub(super) fn facts_reopen(config: &Config, period: &str, reason: &str) -> Result<(), Error> {
    local_only(config, "facts reopen")?;
    let (p, why) = (period.to_string(), reason.to_string());
    with_registry(config, |r| async move {
        Ok(crate::facts::reopen(&r, &local_actor(), &p, &why).await?)
    })?;
    println!("the facts of {period} are open again");
    Ok(())
}

/// Prints a run's summary as a table.
pub(super) fn print_summary(run: i64, s: &Summary) {
    println!(
        "run {run}, {}: {} subjects, {} scored, {} refused, {} faults, {} with a card for another period, {} unassigned",
        s.period, s.subjects, s.scored, s.refused, s.faults, s.other_period, s.unassigned
    );
    println!("  all: {}", Summary::in_words(&s.grades, Lang::En));
    if s.demoted > 0 {
        println!(
            "  before cohort rules: {}; {} lowered by a quota",
            Summary::in_words(&s.computed_grades, Lang::En),
            s.demoted
        );
    }
    for (kind, grades) in &s.by_unit_type {
        println!(
            "  {kind:<16} {}  ({})",
            Summary::in_words(grades, Lang::En),
            Summary::in_words(grades, Lang::Vi)
        );
    }
    for p in &s.plugins {
        println!(
            "  {}@{} scored {} (sha256 {})",
            p.plugin,
            p.version,
            p.subjects,
            &p.sha256[..12]
        );
    }
    for problem in &s.problems {
        println!("  ! {problem}");
    }
}

pub(super) fn run(
    config: &Config,
    period: &str,
    unit: Option<&str>,
    workers: usize,
    json: bool,
) -> Result<(), Error> {
    if let Some(remote) = Remote::from_config(config)? {
        return run_remote(&remote, period, unit, json);
    }
    let progress = Arc::new(Progress::default());
    let options = RunOptions {
        period: period.to_string(),
        unit: unit.map(str::to_string),
        workers,
        progress: progress.clone(),
    };
    let report = progress::show_while(&progress, || {
        with_registry(config, |r| async move {
            Ok(scoring::run(&r, &local_actor(), &options).await?)
        })
    })?;
    if json {
        print_json(&report);
    } else {
        print_summary(report.run, &report.summary);
        let t = &report.timings;
        println!(
            "  timings: resolve {:.2} s, load {:.2} s, evaluate {:.2} s, cohort {:.2} s, store {:.2} s",
            t.resolve.as_secs_f64(),
            t.load.as_secs_f64(),
            t.evaluate.as_secs_f64(),
            t.cohort.as_secs_f64(),
            t.store.as_secs_f64()
        );
    }
    if report.summary.faults > 0 {
        return Err(Error::PluginFailures(format!(
            "run {}: {} evaluations failed in the sandbox",
            report.run, report.summary.faults
        )));
    }
    Ok(())
}

/// Starts a run on the server and follows it, with the bar, to its summary.
fn run_remote(remote: &Remote, period: &str, unit: Option<&str>, json: bool) -> Result<(), Error> {
    let started: Started = remote.post("/runs", &json!({"period": period, "unit": unit}))?;
    let progress = Arc::new(Progress::default());
    let record = progress::show_while(&progress, || -> Result<RunRecord, Error> {
        loop {
            let status: RunStatus = remote.get(&format!("/runs/{}", started.id))?;
            if let Some(p) = &status.progress {
                progress.mirror(&p.stage, p.done, p.total);
            }
            if status.run.status != "running" {
                return Ok(status.run);
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    })?;
    let Some(summary) = record.summary else {
        return Err(Error::Failed(format!(
            "run {} {}: {}",
            record.id,
            record.status,
            record.error.unwrap_or_default()
        )));
    };
    if json {
        print_json(&json!({"run": record.id, "summary": summary}));
    } else {
        print_summary(record.id, &summary);
    }
    if summary.faults > 0 {
        return Err(Error::PluginFailures(format!(
            "run {}: {} evaluations failed in the sandbox",
            record.id, summary.faults
        )));
    }
    Ok(())
}

pub(super) fn runs(config: &Config, json: bool) -> Result<(), Error> {
    let runs: Vec<RunRecord> = match Remote::from_config(config)? {
        Some(remote) => remote.get("/runs")?,
        None => with_registry(config, |r| async move { Ok(scoring::runs(&r).await?) })?,
    };
    if json {
        print_json(&runs);
    } else {
        for r in runs {
            println!(
                "{:>5} {:<8} {:<24} {:<9} by {}{}",
                r.id,
                r.period,
                r.unit.as_deref().unwrap_or("(all)"),
                r.status,
                r.started_by,
                r.error.map(|e| format!(" — {e}")).unwrap_or_default()
            );
        }
    }
    Ok(())
}

/// Prints a run's results a page at a time as they are read (from a host,
/// or from the data directory a batch at a time along the results' index):
/// the whole country is printed without being held.
pub(super) fn results(config: &Config, run: i64, format: &str) -> Result<(), Error> {
    if !matches!(format, "table" | "csv" | "json") {
        return Err(Error::BadInput(format!(
            "--format {format}: expected table, csv or json"
        )));
    }
    let remote = Remote::from_config(config)?;
    if let (Some(remote), "csv") = (&remote, format) {
        print!(
            "{}",
            remote.get_text(&format!("/runs/{run}/results?format=csv"))?
        );
        return Ok(());
    }
    let mut out = Printed::new(format);
    match remote {
        Some(remote) => {
            let mut seen = 0u64;
            for page in 1.. {
                let got: ResultsPage =
                    remote.get(&format!("/runs/{run}/results?page={page}&per_page=1000"))?;
                seen += got.results.len() as u64;
                let last = got.results.is_empty() || seen >= got.total;
                out.rows(&got.results);
                if last {
                    break;
                }
            }
        }
        None => with_registry(config, |r| {
            let out = &mut out;
            async move {
                scoring::complete_check(&r, run).await?;
                let caller = crate::access::Caller(Some(local_actor()));
                let filter = crate::store::results::ResultFilter::default();
                let mut cursor = crate::store::results::ResultCursor::Start;
                loop {
                    let (rows, next) = crate::access::visible_results_after(
                        &r,
                        &caller,
                        "the command line",
                        run,
                        &filter,
                        &cursor,
                        1_000,
                    )
                    .await?;
                    out.rows(&rows);
                    // A cursor that did not move has read the last row.
                    if next == cursor {
                        break;
                    }
                    cursor = next;
                }
                Ok(())
            }
        })?,
    }
    out.finish();
    Ok(())
}

/// Results printed as they come, numbered on.
struct Printed<'a> {
    format: &'a str,
    rank: u64,
}

impl<'a> Printed<'a> {
    fn new(format: &'a str) -> Printed<'a> {
        if format == "json" {
            print!("[");
        }
        Printed { format, rank: 1 }
    }

    fn rows(&mut self, rows: &[StoredResult]) {
        match self.format {
            "json" => {
                for r in rows {
                    let sep = if self.rank == 1 { "\n" } else { ",\n" };
                    print!("{sep}{}", serde_json::to_string(r).expect("serialises"));
                    self.rank += 1;
                }
            }
            "csv" => {
                print!(
                    "{}",
                    scoring::results_csv_part(rows, self.rank, self.rank == 1)
                );
                self.rank += rows.len() as u64;
            }
            _ => {
                for r in rows {
                    let grade = match (&r.computed_grade, &r.grade) {
                        (Some(c), Some(g)) if c != g => format!("{c} → {g}"),
                        (_, Some(g)) => g.to_string(),
                        _ => r.outcome.to_string(),
                    };
                    println!(
                        "{:>6} {:<28} {:<28} {:>9} {:<12} {}",
                        self.rank,
                        r.subject,
                        r.unit,
                        r.total.map(super::render::num).unwrap_or_default(),
                        grade,
                        r.error.as_deref().unwrap_or_default()
                    );
                    self.rank += 1;
                }
            }
        }
    }

    fn finish(self) {
        match (self.format, self.rank) {
            ("json", _) => println!("\n]"),
            // An empty run still prints its CSV header.
            ("csv", 1) => print!("{}", scoring::results_csv_part(&[], 1, true)),
            _ => {}
        }
    }
}

pub(super) fn publish(config: &Config, run: i64) -> Result<(), Error> {
    let o: OfficialRun = match Remote::from_config(config)? {
        Some(remote) => remote.post(&format!("/runs/{run}/publish"), &json!({}))?,
        None => with_registry(config, |r| async move {
            Ok(scoring::publish(&r, &local_actor(), run).await?)
        })?,
    };
    println!(
        "run {} is the official run of {} for {}; the period is locked there",
        o.run,
        o.period,
        o.unit.as_deref().unwrap_or("the whole organisation")
    );
    Ok(())
}

pub(super) fn exempt(
    config: &Config,
    subject: &str,
    period: &str,
    reason: Option<String>,
    basis: Option<String>,
    lift: bool,
) -> Result<(), Error> {
    let (s, p) = (subject.to_string(), period.to_string());
    let path = format!(
        "/subjects/{}/exemptions/{}",
        path_segment(&s),
        path_segment(&p)
    );
    let new = NewExemption {
        reason: reason.unwrap_or_default(),
        basis,
    };
    let row: ExemptionRow = match (Remote::from_config(config)?, lift) {
        (Some(remote), true) => remote.delete(&path)?,
        (Some(remote), false) => {
            remote.put(&path, &json!({"reason": new.reason, "basis": new.basis}))?
        }
        (None, true) => with_registry(config, |r| async move {
            Ok(exemptions::lift(&r, &local_actor(), &s, &p).await?)
        })?,
        (None, false) => with_registry(config, |r| async move {
            Ok(exemptions::exempt(&r, &local_actor(), &s, &p, &new).await?)
        })?,
    };
    if lift {
        println!(
            "{} is evaluated again for {} (exemption lifted: {})",
            row.subject, row.period, row.reason
        );
    } else {
        println!(
            "{} is not evaluated for {}: {}",
            row.subject, row.period, row.reason
        );
    }
    Ok(())
}

pub(super) fn unlock(
    config: &Config,
    period: &str,
    unit: Option<&str>,
    reason: &str,
) -> Result<(), Error> {
    let (p, u, why) = (
        period.to_string(),
        unit.map(str::to_string),
        reason.to_string(),
    );
    let o: OfficialRun = match Remote::from_config(config)? {
        Some(remote) => remote.post(
            &format!("/periods/{}/unlock", path_segment(&p)),
            &json!({"unit": u, "reason": why}),
        )?,
        None => with_registry(config, |r| async move {
            Ok(scoring::unlock(&r, &local_actor(), &p, u.as_deref(), &why).await?)
        })?,
    };
    println!(
        "{} unlocked (official run {} stays on record)",
        o.period, o.run
    );
    Ok(())
}

pub(super) fn verify(config: &Config, run: i64, json: bool) -> Result<(), Error> {
    local_only(config, "verify")?;
    let progress = Arc::new(Progress::default());
    let p = progress.clone();
    let verified = progress::show_while(&progress, || {
        with_registry(
            config,
            |r| async move { Ok(scoring::verify(&r, run, p).await?) },
        )
    })?;
    if json {
        print_json(&verified);
    } else {
        println!(
            "run {}: {} results scored again{}; {} differences",
            verified.run,
            verified.checked,
            if verified.fuel_compared {
                ", fuel included"
            } else {
                ""
            },
            verified.differences.len()
        );
        for d in verified.differences.iter().take(50) {
            println!(
                "  {} {}: stored {} derived {}",
                d.subject, d.field, d.stored, d.derived
            );
        }
    }
    if verified.differences.is_empty() {
        Ok(())
    } else {
        Err(Error::PluginFailures(format!(
            "run {run}: {} stored values are not reproduced",
            verified.differences.len()
        )))
    }
}

pub(super) fn gen_data(
    national: bool,
    seed: u64,
    out: &Path,
    products: usize,
) -> Result<(), Error> {
    let data = if national {
        gendata::national(seed)?
    } else {
        gendata::province(seed)?
    };
    let written = data
        .write(out, national)
        .map_err(|e| Error::Failed(format!("writing {}: {e}", out.display())))?;
    println!(
        "{} units, {} subjects; wrote {} in {}",
        data.organisation.units.len(),
        data.organisation.subjects.len(),
        written.join(", "),
        out.display()
    );
    for (period, grades) in &data.intended {
        let grades = grades.iter().map(|(g, n)| (g.clone(), *n)).collect();
        println!(
            "  {period}: calibrated to {}",
            Summary::in_words(&grades, Lang::En)
        );
    }
    if products > 0 {
        let path = out.join("products-2025.csv");
        let fail = |e: std::io::Error| Error::Failed(format!("writing {}: {e}", path.display()));
        let file = std::fs::File::create(&path).map_err(fail)?;
        let mut file = std::io::BufWriter::new(file);
        let rows = gendata::national_products(seed, "2025", products, &mut file).map_err(fail)?;
        std::io::Write::flush(&mut file).map_err(fail)?;
        println!("  {rows} work products in {}", path.display());
    }
    Ok(())
}

pub(super) fn summary(config: &Config, run: i64, json: bool) -> Result<(), Error> {
    let record: RunRecord = match Remote::from_config(config)? {
        Some(remote) => remote.get::<RunStatus>(&format!("/runs/{run}"))?.run,
        None => with_registry(config, |r| async move {
            Ok(scoring::run_record(&r, run).await?)
        })?,
    };
    let Some(s) = record.summary else {
        return Err(Error::BadInput(format!(
            "run {run} is {}: only a complete run has a summary",
            record.status
        )));
    };
    if json {
        print_json(&s);
        return Ok(());
    }
    print_summary(run, &s);
    println!("  units, best mean total first (indicators in red / yellow, most frequent first):");
    let top = |m: &std::collections::BTreeMap<String, usize>| {
        let mut v: Vec<(&String, &usize)> = m.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        v.iter()
            .take(3)
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (i, u) in s.units.iter().enumerate() {
        println!(
            "  {:>5} {:<32} {:<14} {:>9}  {}{}{}",
            i + 1,
            u.unit,
            u.kind,
            u.mean_total.map(super::render::num).unwrap_or_default(),
            Summary::in_words(&u.grades, Lang::En),
            if u.red.is_empty() {
                String::new()
            } else {
                format!("; red: {}", top(&u.red))
            },
            if u.yellow.is_empty() {
                String::new()
            } else {
                format!("; yellow: {}", top(&u.yellow))
            },
        );
    }
    Ok(())
}

/// `thuocdo evaluate`: the server's ad-hoc evaluation of one or many subjects.
pub(super) fn evaluate(
    config: &Config,
    input: &Path,
    plugin: Option<&str>,
    json: bool,
) -> Result<(), Error> {
    let remote = Remote::required(config, "`evaluate`")?;
    let text = read(input)?;
    let value: serde_json::Value = serde_json::from_slice(&text)
        .map_err(|e| Error::BadInput(format!("{}: {e}", input.display())))?;
    let subjects = match value {
        serde_json::Value::Array(list) => list,
        one => vec![one],
    };
    let answer: serde_json::Value = remote.post(
        "/evaluate",
        &json!({"plugin": plugin, "subjects": subjects}),
    )?;
    let evaluations = answer["evaluations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if json {
        print_json(&answer);
    } else {
        for e in &evaluations {
            let who = format!(
                "{} {}@{}",
                e["subject"].as_str().unwrap_or("?"),
                e["plugin"].as_str().unwrap_or("-"),
                e["version"].as_str().unwrap_or("-")
            );
            match (&e["evaluation"], &e["error"]) {
                (eval, _) if eval.is_object() => println!(
                    "{who:<60} total {} grade {}",
                    eval["total"].as_str().unwrap_or("-"),
                    eval["grade"].as_str().unwrap_or("-")
                ),
                (_, err) => println!(
                    "{who:<60} {}: {}",
                    err["kind"].as_str().unwrap_or("error"),
                    err["message"].as_str().unwrap_or("")
                ),
            }
        }
    }
    let faults = evaluations
        .iter()
        .filter(|e| {
            let kind = e["error"]["kind"].as_str().unwrap_or("");
            !kind.is_empty()
                && !matches!(
                    kind,
                    "missing-fact"
                        | "invalid-fact"
                        | "wrong-fact-count"
                        | "bad-input"
                        | "unassigned"
                )
        })
        .count();
    if faults > 0 {
        return Err(Error::PluginFailures(format!(
            "{faults} of {} evaluations failed in the sandbox",
            evaluations.len()
        )));
    }
    Ok(())
}
