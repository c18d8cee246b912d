//! The command line: what people and scripts run.

mod demo;
mod error;
mod plugin;
mod registry;
mod render;

pub use error::Error;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// thuocdo — the yardstick: scores public servants by what they deliver, with
/// each post's own scorecard, the same way for all.
#[derive(Debug, Parser)]
#[command(name = "thuocdo", version)]
pub struct Cli {
    #[command(flatten)]
    config: crate::config::Config,
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
    /// Work with scorecard plugins: files, and the registry in the data directory.
    Plugin {
        #[command(subcommand)]
        command: PluginCommand,
    },
    /// Assigns a post type (a position code or an agency type) within a unit
    /// subtree to a plugin and a semver requirement, from a period.
    Assign {
        /// A position code (commune-chair) or an agency type (tax-office).
        post_type: String,
        /// The plugin and requirement: tuyenquang/commune-official@^1.2.
        plugin: String,
        /// The root of the unit subtree it applies to.
        #[arg(long)]
        unit: String,
        /// The period it takes effect: 2025-09, 2025-Q3 or 2025.
        #[arg(long)]
        from: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Prints the audit log.
    Audit {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum PluginCommand {
    /// Validates a component and publishes it in the registry.
    Publish {
        /// The scorecard component.
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Lists published plugins, or one plugin's versions.
    List {
        /// A plugin's name, for its versions.
        name: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Yanks a version: never picked again by an assignment, still evaluable.
    Yank {
        /// namespace/name@version.
        version: String,
    },
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
        Command::Demo { no_serve: _, json } => demo::run(&cli.config, json),
        Command::Plugin { command } => match command {
            PluginCommand::Inspect { file } => plugin::inspect(&file),
            PluginCommand::Eval { file, input, json } => plugin::eval(&file, &input, json),
            PluginCommand::Publish { file, json } => registry::publish(&cli.config, &file, json),
            PluginCommand::List { name, json } => {
                registry::list(&cli.config, name.as_deref(), json)
            }
            PluginCommand::Yank { version } => registry::yank(&cli.config, &version),
        },
        Command::Assign {
            post_type,
            plugin,
            unit,
            from,
            json,
        } => registry::assign(&cli.config, &post_type, &plugin, &unit, &from, json),
        Command::Audit { json } => registry::audit(&cli.config, json),
    }
}
