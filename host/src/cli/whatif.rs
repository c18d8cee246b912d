//! `thuocdo sandbox upload | list | delete | facts | compare`: drafts, their
//! trial facts and what-ifs, on the data directory or a server.

use std::path::Path;
use std::sync::Arc;

use super::Error;
use super::client::Remote;
use super::registry::{local_actor, print_json, with_registry};
use crate::config::Config;
use crate::whatif::{self, CompareOptions, Comparison, DraftRecord, TrialFacts, WhatIfs};

impl From<whatif::Error> for Error {
    fn from(e: whatif::Error) -> Error {
        match e {
            whatif::Error::Invalid(r) => Error::Plugin(r),
            whatif::Error::DraftFailed { .. } => Error::PluginFailures(e.to_string()),
            whatif::Error::Scoring(s) => s.into(),
            whatif::Error::Store(s) => Error::Failed(s.to_string()),
            other => Error::BadInput(other.to_string()),
        }
    }
}

/// Runs `f` on the data directory's sandbox, as its administrator.
fn with_whatifs<T, F, Fut>(config: &Config, f: F) -> Result<T, Error>
where
    F: FnOnce(WhatIfs) -> Fut,
    Fut: std::future::Future<Output = Result<T, whatif::Error>>,
{
    let limits = config.whatif();
    with_registry(config, |r| async move {
        Ok(f(WhatIfs::new(Arc::new(r), limits)).await?)
    })
}

fn print_draft(d: &DraftRecord) {
    println!(
        "draft {:>4}  {}@{}  sha256 {}  by {}",
        d.id,
        d.name,
        d.version,
        &d.sha256[..12],
        d.uploaded_by
    );
}

pub(super) fn upload(config: &Config, file: &Path, json: bool) -> Result<(), Error> {
    let bytes = std::fs::read(file)
        .map_err(|e| Error::BadInput(format!("reading {}: {e}", file.display())))?;
    let draft: DraftRecord = match Remote::from_config(config)? {
        Some(remote) => remote.post_bytes("/sandbox/drafts", "application/wasm", bytes)?,
        None => with_whatifs(
            config,
            |s| async move { s.upload(&local_actor(), bytes).await },
        )?,
    };
    if json {
        print_json(&draft);
    } else {
        print_draft(&draft);
    }
    Ok(())
}

pub(super) fn list(config: &Config, json: bool) -> Result<(), Error> {
    let drafts: Vec<DraftRecord> = match Remote::from_config(config)? {
        Some(remote) => remote.get("/sandbox/drafts")?,
        None => with_whatifs(config, |s| async move { s.list(&local_actor()).await })?,
    };
    if json {
        print_json(&drafts);
    } else {
        drafts.iter().for_each(print_draft);
    }
    Ok(())
}

pub(super) fn delete(config: &Config, id: i64) -> Result<(), Error> {
    let draft: DraftRecord = match Remote::from_config(config)? {
        Some(remote) => remote.delete(&format!("/sandbox/drafts/{id}"))?,
        None => with_whatifs(
            config,
            |s| async move { s.delete(&local_actor(), id).await },
        )?,
    };
    println!(
        "deleted draft {} ({}@{})",
        draft.id, draft.name, draft.version
    );
    Ok(())
}

pub(super) fn trial_facts(config: &Config, id: i64, file: &Path, json: bool) -> Result<(), Error> {
    let name = file.display().to_string();
    let made: TrialFacts = match Remote::from_config(config)? {
        Some(remote) => {
            let bytes =
                std::fs::read(file).map_err(|e| Error::BadInput(format!("reading {name}: {e}")))?;
            let content_type = if name.ends_with(".json") {
                "application/json"
            } else {
                "text/csv"
            };
            remote.post_bytes(&format!("/sandbox/drafts/{id}/facts"), content_type, bytes)?
        }
        None => {
            let source = std::fs::File::open(file)
                .map_err(|e| Error::BadInput(format!("reading {name}: {e}")))?;
            with_whatifs(config, |s| async move {
                s.trial_facts(&local_actor(), id, &name, source, None).await
            })?
        }
    };
    if json {
        print_json(&made);
    } else {
        println!(
            "draft {}: {} trial values for {} subjects in {}",
            made.draft,
            made.values,
            made.subjects,
            made.periods.join(", ")
        );
    }
    Ok(())
}

pub(super) fn compare(
    config: &Config,
    id: i64,
    options: CompareOptions,
    json: bool,
) -> Result<(), Error> {
    let comparison: Comparison = match Remote::from_config(config)? {
        Some(remote) => remote.post(&format!("/sandbox/drafts/{id}/compare"), &options)?,
        None => with_whatifs(config, |s| async move {
            s.compare(&local_actor(), id, &options).await
        })?,
    };
    if json {
        print_json(&comparison);
    } else {
        print_report(&comparison);
    }
    Ok(())
}

fn grades(m: &std::collections::BTreeMap<String, usize>) -> String {
    m.iter()
        .map(|(g, n)| format!("{g} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The what-if as a person reads it in a terminal.
fn print_report(c: &Comparison) {
    println!(
        "what-if: draft {} ({}, sha256 {})",
        c.draft,
        c.plugin,
        &c.sha256[..12]
    );
    for p in &c.periods {
        let runs: Vec<String> = p.official_runs.iter().map(|r| r.to_string()).collect();
        println!(
            "\n{}: {} subjects beside official run {}; {} compared",
            p.period,
            p.subjects,
            runs.join(", "),
            p.compared
        );
        for (why, n) in &p.not_compared {
            println!("  not compared ({n}): {why}");
        }
        for f in &p.coverage {
            println!(
                "  coverage: {} missing for {} of {} subjects",
                f.fact, f.missing, f.of
            );
        }
        for (title, matrix) in [
            ("grades before cohort rules", &p.transitions_computed),
            ("grades after cohort rules", &p.transitions),
        ] {
            println!("  {title} (official → draft):");
            let columns: std::collections::BTreeSet<&String> =
                matrix.values().flat_map(|row| row.keys()).collect();
            print!("    {:>12}", "");
            for col in &columns {
                print!(" {col:>10}");
            }
            println!();
            for (from, row) in matrix {
                print!("    {from:>12}");
                for col in &columns {
                    print!(" {:>10}", row.get(*col).copied().unwrap_or(0));
                }
                println!();
            }
        }
        let d = &p.deltas;
        println!(
            "  total change over {} subjects: mean {}, median {}, p95 |change| {}, max |change| {}",
            d.subjects,
            d.mean.as_deref().unwrap_or("-"),
            d.median.as_deref().unwrap_or("-"),
            d.p95_abs.as_deref().unwrap_or("-"),
            d.max_abs.as_deref().unwrap_or("-")
        );
        println!("  units (largest mean change first):");
        for u in &p.units {
            println!(
                "    {:<28} {:<12} mean {:>7}  before: {}  after: {}",
                u.unit,
                u.kind,
                u.deltas.mean.as_deref().unwrap_or("-"),
                grades(&u.before),
                grades(&u.after)
            );
        }
        println!(
            "  {} subjects change grade:",
            p.movers.len() + p.movers_withheld
        );
        if p.movers_withheld > 0 {
            println!(
                "    ({} of them in units that do not publish per-person results, not named here)",
                p.movers_withheld
            );
        }
        for m in &p.movers {
            let moved: Vec<String> = m
                .indicators
                .iter()
                .map(|i| format!("{} {}", i.id, i.change))
                .collect();
            println!(
                "    {:<24} {:<24} {} → {}  ({} → {}){}{}",
                m.subject,
                m.unit,
                m.before,
                m.after,
                m.before_total,
                m.after_total,
                m.cohort_rule
                    .as_deref()
                    .map(|r| format!(" by {r}"))
                    .unwrap_or_default(),
                if moved.is_empty() {
                    String::new()
                } else {
                    format!("; moved most: {}", moved.join(", "))
                }
            );
        }
    }
}
