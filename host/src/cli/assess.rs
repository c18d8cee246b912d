//! `thuocdo assess …`: the assessment procedure from the command line. With
//! `--server` every step goes through the API with the caller's token (a
//! person's for their self-assessment); without, on the data directory as
//! the local administrator.

use std::collections::BTreeMap;

use clap::Subcommand;
use serde_json::json;

use super::Error;
use super::client::{Remote, path_segment};
use super::registry::{local_actor, print_json, with_registry};
use crate::assessment::decide::{self, Decide, Decided, Notice};
use crate::assessment::signin::{self, IssueCodes, IssuedCode};
use crate::assessment::{
    self, AssessmentView, CalendarDay, CalendarSetting, CollectiveComments, ManagerAssessment,
    Points, SelfAssessment, UnitAssessments,
};
use crate::config::Config;

impl From<assessment::Error> for Error {
    fn from(e: assessment::Error) -> Error {
        use assessment::Error as E;
        match e {
            E::Store(s) => Error::Failed(s.to_string()),
            E::Internal(why) => Error::Failed(why),
            E::Registry(r) => r.into(),
            other => Error::BadInput(other.to_string()),
        }
    }
}

/// The procedure's commands.
#[derive(Debug, Subcommand)]
pub(super) enum AssessCommand {
    /// Issues one-time sign-in codes (printed once, as CSV: subject, name,
    /// code, the dashboard's sign-in path, expiry): to the people named, or
    /// to every person of a unit.
    Codes {
        /// Every person of this unit.
        #[arg(long, conflicts_with = "subject")]
        unit: Option<String>,
        /// A subject (repeat for more).
        #[arg(long)]
        subject: Vec<String>,
    },
    /// Shows a subject's assessment for a period.
    Show {
        /// The subject's id.
        subject: String,
        /// 2025, 2025-Q3 or 2025-09.
        #[arg(long)]
        period: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Records the servant's self-assessment (with a person's token).
    #[command(name = "self")]
    SelfAssessment {
        /// The subject's id.
        subject: String,
        /// 2025, 2025-Q3 or 2025-09.
        #[arg(long)]
        period: String,
        /// `fact=value` (repeat for each fact the card has them assess).
        #[arg(long = "points")]
        points: Vec<String>,
        /// Their own review.
        #[arg(long)]
        review: String,
    },
    /// Records the collective's comments.
    Collective {
        /// The subject's id.
        subject: String,
        /// 2025, 2025-Q3 or 2025-09.
        #[arg(long)]
        period: String,
        /// The day it met, YYYY-MM-DD.
        #[arg(long)]
        date: String,
        /// Who attended (repeat for each).
        #[arg(long, required = true)]
        attended: Vec<String>,
        /// What it said.
        #[arg(long)]
        text: String,
        /// Votes for, when it voted.
        #[arg(long)]
        votes_for: Option<u32>,
        /// Votes against.
        #[arg(long)]
        votes_against: Option<u32>,
    },
    /// Records the direct manager's assessment: their points become the
    /// facts the run reads.
    Manager {
        /// The subject's id.
        subject: String,
        /// 2025, 2025-Q3 or 2025-09.
        #[arg(long)]
        period: String,
        /// `fact=value` (repeat for each fact the card has the manager assess).
        #[arg(long = "points")]
        points: Vec<String>,
        /// `fact=why`, where they differ from the servant (repeat).
        #[arg(long = "comment")]
        comments: Vec<String>,
    },
    /// Lists a unit's people and where each assessment stands: states,
    /// late and overdue steps, gaps.
    Unit {
        /// The unit's code.
        unit: String,
        /// 2025, 2025-Q3 or 2025-09.
        #[arg(long)]
        period: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Sets when each step is due for a unit's subtree and a period kind.
    Calendar {
        /// The unit's code.
        unit: String,
        /// month, quarter or year.
        #[arg(long)]
        kind: String,
        /// `step=due`: `self-assessment=+5`, `collective=+8`,
        /// `direct-manager=15` (working days after the period, or a day of
        /// its last month). Repeat for each step.
        #[arg(long = "step", required = true)]
        steps: Vec<String>,
    },
    /// Decides the grades of a unit's people (or of subjects named) from an
    /// official run: each the run's final grade, once, with a notice.
    Decide {
        /// The official run.
        #[arg(long)]
        run: i64,
        /// Every person of this unit in the run.
        #[arg(long, conflicts_with = "subject")]
        unit: Option<String>,
        /// A subject (repeat for more).
        #[arg(long)]
        subject: Vec<String>,
    },
    /// A person's notices of decisions, newest first.
    Notices {
        /// The subject's id.
        subject: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Replaces a year's holidays and substituted working days from a JSON
    /// file: `[{"day": "2026-01-01", "kind": "holiday", "name": "Tết Dương lịch"}]`.
    Holidays {
        /// The year.
        year: String,
        /// The file.
        file: std::path::PathBuf,
    },
}

fn pairs(what: &str, given: &[String]) -> Result<BTreeMap<String, String>, Error> {
    given
        .iter()
        .map(|p| {
            p.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .filter(|(k, _)| !k.is_empty())
                .ok_or_else(|| Error::BadInput(format!("--{what} `{p}`: write name=value")))
        })
        .collect()
}

fn points(given: &[String]) -> Result<BTreeMap<String, Points>, Error> {
    Ok(pairs("points", given)?
        .into_iter()
        .map(|(k, v)| (k, Points::Text(v)))
        .collect())
}

fn subject_path(subject: &str, period: &str) -> String {
    format!(
        "/subjects/{}/assessments/{}",
        path_segment(subject),
        path_segment(period)
    )
}

fn print_view(v: &AssessmentView) {
    println!(
        "{} ({}) · {} · {} · {}",
        v.name, v.subject, v.unit, v.period, v.card
    );
    println!(
        "state: {}{}",
        v.state,
        if v.ready { " (ready)" } else { "" }
    );
    for f in &v.facts {
        println!(
            "  {:<28} self {:>6}  manager {:>6}  gap {:>6}  {}",
            f.name,
            f.self_value.as_deref().unwrap_or("—"),
            f.manager_value.as_deref().unwrap_or("—"),
            f.gap.as_deref().unwrap_or("—"),
            f.comment.as_deref().unwrap_or("")
        );
    }
    for s in &v.steps {
        println!(
            "  {:<16} due {:<10} {}{}{}",
            s.step,
            s.due.as_deref().unwrap_or("—"),
            s.by.as_deref().unwrap_or(""),
            if s.late { " (late)" } else { "" },
            if s.overdue { " OVERDUE" } else { "" }
        );
    }
}

/// Runs one `thuocdo assess` command.
pub(super) fn run(config: &Config, command: AssessCommand) -> Result<(), Error> {
    let remote = Remote::from_config(config)?;
    match command {
        AssessCommand::Codes { unit, subject } => {
            let who = IssueCodes {
                subjects: subject,
                unit,
            };
            let codes: Vec<IssuedCode> = match remote {
                Some(r) => r.post(
                    "/sign-in-codes",
                    &json!({"subjects": who.subjects, "unit": who.unit}),
                )?,
                None => with_registry(config, |reg| async move {
                    Ok(signin::issue(&reg, &local_actor(), &who).await?)
                })?,
            };
            let mut out = csv::Writer::from_writer(std::io::stdout());
            let io = |e: csv::Error| Error::Failed(format!("writing the codes: {e}"));
            out.write_record(["subject_id", "name", "code", "link", "expires"])
                .map_err(io)?;
            for c in &codes {
                let expires = assessment::calendar::Day::at_millis(c.expires_at).to_string();
                let link = signin::link(&c.code);
                out.write_record([&c.subject, &c.name, &c.code, &link, &expires])
                    .map_err(io)?;
            }
            out.flush()
                .map_err(|e| Error::Failed(format!("writing the codes: {e}")))?;
            eprintln!(
                "{} codes, each working once until its expiry; sign in at /welcome?code=…",
                codes.len()
            );
            Ok(())
        }
        AssessCommand::Show {
            subject,
            period,
            json,
        } => {
            let v: AssessmentView = match remote {
                Some(r) => r.get(&subject_path(&subject, &period))?,
                None => with_registry(config, |reg| async move {
                    Ok(assessment::view(&reg, &local_actor(), &subject, &period).await?)
                })?,
            };
            if json {
                print_json(&v);
            } else {
                print_view(&v);
            }
            Ok(())
        }
        AssessCommand::SelfAssessment {
            subject,
            period,
            points: given,
            review,
        } => {
            let body = SelfAssessment {
                points: points(&given)?,
                review,
            };
            let v: AssessmentView = match remote {
                Some(r) => r.put(
                    &format!("{}/self-assessment", subject_path(&subject, &period)),
                    &json!({"points": body.points, "review": body.review}),
                )?,
                None => with_registry(config, |reg| async move {
                    Ok(
                        assessment::record_self(&reg, &local_actor(), &subject, &period, &body)
                            .await?,
                    )
                })?,
            };
            print_view(&v);
            Ok(())
        }
        AssessCommand::Collective {
            subject,
            period,
            date,
            attended,
            text,
            votes_for,
            votes_against,
        } => {
            let body = CollectiveComments {
                date,
                attended,
                text,
                votes_for,
                votes_against,
                points: BTreeMap::new(),
            };
            let v: AssessmentView = match remote {
                Some(r) => r.put(
                    &format!("{}/collective", subject_path(&subject, &period)),
                    &json!({"date": body.date, "attended": body.attended, "text": body.text,
                        "votes_for": body.votes_for, "votes_against": body.votes_against}),
                )?,
                None => with_registry(config, |reg| async move {
                    Ok(assessment::record_collective(
                        &reg,
                        &local_actor(),
                        &subject,
                        &period,
                        &body,
                    )
                    .await?)
                })?,
            };
            print_view(&v);
            Ok(())
        }
        AssessCommand::Manager {
            subject,
            period,
            points: given,
            comments,
        } => {
            let body = ManagerAssessment {
                points: points(&given)?,
                comments: pairs("comment", &comments)?,
            };
            let v: AssessmentView = match remote {
                Some(r) => r.put(
                    &format!("{}/direct-manager", subject_path(&subject, &period)),
                    &json!({"points": body.points, "comments": body.comments}),
                )?,
                None => with_registry(config, |reg| async move {
                    Ok(
                        assessment::record_manager(&reg, &local_actor(), &subject, &period, &body)
                            .await?,
                    )
                })?,
            };
            print_view(&v);
            Ok(())
        }
        AssessCommand::Unit { unit, period, json } => {
            let list: UnitAssessments = match remote {
                Some(r) => r.get(&format!(
                    "/units/{}/assessments?period={}&limit={}",
                    path_segment(&unit),
                    path_segment(&period),
                    assessment::MAX_LISTED
                ))?,
                None => with_registry(config, |reg| async move {
                    Ok(assessment::unit_list(
                        &reg,
                        &local_actor(),
                        &unit,
                        &period,
                        "",
                        assessment::MAX_LISTED,
                    )
                    .await?)
                })?,
            };
            if json {
                print_json(&list);
                return Ok(());
            }
            println!("{} · {}", list.unit, list.period);
            for v in &list.people {
                let overdue: Vec<&str> = v
                    .steps
                    .iter()
                    .filter(|s| s.overdue)
                    .map(|s| s.step.as_str())
                    .collect();
                let gaps: Vec<String> = v
                    .facts
                    .iter()
                    .filter_map(|f| f.gap.as_ref().map(|g| format!("{} {g}", f.name)))
                    .collect();
                println!(
                    "  {:<24} {:<20} {:<32} {}",
                    v.subject,
                    v.state,
                    gaps.join(", "),
                    if overdue.is_empty() {
                        String::new()
                    } else {
                        format!("overdue: {}", overdue.join(", "))
                    }
                );
            }
            if let Some(next) = &list.next {
                println!("… more after {next}");
            }
            Ok(())
        }
        AssessCommand::Calendar { unit, kind, steps } => {
            let body = CalendarSetting {
                steps: pairs("step", &steps)?,
            };
            let set: CalendarSetting = match remote {
                Some(r) => r.put(
                    &format!(
                        "/units/{}/assessment-calendar/{}",
                        path_segment(&unit),
                        path_segment(&kind)
                    ),
                    &json!({"steps": body.steps}),
                )?,
                None => with_registry(config, |reg| async move {
                    Ok(assessment::set_calendar(&reg, &local_actor(), &unit, &kind, &body).await?)
                })?,
            };
            for (step, due) in &set.steps {
                println!("{step}: {due}");
            }
            Ok(())
        }
        AssessCommand::Decide { run, unit, subject } => {
            let who = Decide {
                unit,
                subjects: subject,
            };
            let done: Decided = match remote {
                Some(r) => r.post(
                    &format!("/runs/{run}/decisions"),
                    &json!({"unit": who.unit, "subjects": who.subjects}),
                )?,
                None => with_registry(config, |reg| async move {
                    Ok(decide::decide(&reg, &local_actor(), run, &who).await?)
                })?,
            };
            for d in &done.decided {
                println!("{} {} decided", d.subject, d.grade);
            }
            for u in &done.undecided {
                println!("{} not decided: {}", u.subject, u.why);
            }
            Ok(())
        }
        AssessCommand::Notices { subject, json } => {
            let notices: Vec<Notice> = match remote {
                Some(r) => r.get(&format!("/subjects/{}/notices", path_segment(&subject)))?,
                None => with_registry(config, |reg| async move {
                    Ok(decide::notices(&reg, &local_actor(), &subject).await?)
                })?,
            };
            if json {
                print_json(&notices);
                return Ok(());
            }
            for n in &notices {
                println!(
                    "notice {} · {} · grade {} · {} · appeal by {}{}",
                    n.id,
                    n.period,
                    n.grade,
                    n.card,
                    n.appeal_until,
                    if n.read_at.is_some() { "" } else { " (unread)" }
                );
            }
            Ok(())
        }
        AssessCommand::Holidays { year, file } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| Error::BadInput(format!("{}: {e}", file.display())))?;
            let days: Vec<CalendarDay> = serde_json::from_str(&text)
                .map_err(|e| Error::BadInput(format!("{}: {e}", file.display())))?;
            let set: Vec<CalendarDay> = match remote {
                Some(r) => r.put(&format!("/calendar/{}", path_segment(&year)), &days)?,
                None => with_registry(config, |reg| async move {
                    Ok(assessment::set_days(&reg, &local_actor(), &year, &days).await?)
                })?,
            };
            for d in &set {
                println!("{} {:<8} {}", d.day, d.kind, d.name);
            }
            Ok(())
        }
    }
}
