//! The command line: what people and scripts run.

mod demo;
mod error;
mod plugin;
mod render;

pub use error::Error;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// thuocdo — the yardstick: scores public servants by what they deliver, with
/// each post's own scorecard, the same way for all.
#[derive(Debug, Parser)]
#[command(name = "thuocdo", version)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Loads the bundled scorecards in the sandbox, prints what each measures and
    /// scores its example subjects.
    Demo {
        /// Stop after the summary (the host does not serve yet, so this is the
        /// only mode for now).
        #[arg(long)]
        no_serve: bool,
        /// Print JSON instead of tables.
        #[arg(long)]
        json: bool,
    },
    /// Work with a scorecard plugin file.
    Plugin {
        #[command(subcommand)]
        command: PluginCommand,
    },
}

#[derive(Debug, Subcommand)]
enum PluginCommand {
    /// Validates a component and prints its describe() as JSON.
    Inspect {
        /// The scorecard component.
        file: PathBuf,
    },
    /// Scores one subject from a JSON file in the sandbox.
    ///
    /// The input: {"subject": {"id", "unit", "position"}, "period": "2025-09",
    /// "facts": {"fact-name": "99.1", ...}}; values are decimals as strings or
    /// numbers, and a fact left out is missing.
    Eval {
        /// The scorecard component.
        file: PathBuf,
        /// The subject's facts.
        #[arg(long)]
        input: PathBuf,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// Runs one command.
pub fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Demo { no_serve: _, json } => demo::run(json),
        Command::Plugin { command } => match command {
            PluginCommand::Inspect { file } => plugin::inspect(&file),
            PluginCommand::Eval { file, input, json } => plugin::eval(&file, &input, json),
        },
    }
}
