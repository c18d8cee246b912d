//! The command line: what people and scripts run.

mod assess;
mod client;
mod demo;
mod error;
mod plugin;
mod progress;
mod registry;
pub(crate) mod render;
mod scoring;
mod serve;
mod whatif;

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
        /// Stop after the summary instead of serving the API.
        #[arg(long)]
        no_serve: bool,
        /// Where to serve.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Print JSON instead of tables.
        #[arg(long)]
        json: bool,
    },
    /// Serves the HTTP API until Ctrl-C.
    Serve {
        /// Where to listen.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
    },
    /// The assessment procedure: sign-in codes, each step of a subject's
    /// assessment, a unit's list, calendars and holidays.
    Assess {
        #[command(subcommand)]
        command: assess::AssessCommand,
    },
    /// Bearer tokens for the API.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// The deployment's keyring (the key facts are committed under), in the
    /// database: list the keys, or rotate one.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
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
    /// Scores subjects on a server with the version assigned to their post
    /// (or the one named); needs --server.
    ///
    /// The input: one subject or a list, each {"subject": {"id", "unit",
    /// "position"}, "period": "2025-09", "facts": {"fact-name": "99.1", ...}}.
    Evaluate {
        /// The subjects' facts.
        #[arg(long)]
        input: PathBuf,
        /// namespace/name@version instead of each post's assigned version.
        #[arg(long)]
        plugin: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// The policy sandbox: draft scorecards tried on past data beside the
    /// official results, never reaching them.
    Sandbox {
        #[command(subcommand)]
        command: SandboxCommand,
    },
    /// Prints the audit log.
    Audit {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// The organisation: units, posts, subjects and assignments.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Facts: import them, freeze a period at its cut-off, reopen it.
    Facts {
        #[command(subcommand)]
        command: FactsCommand,
    },
    /// Scores every subject for a period with the scorecard assigned to their
    /// post; prints the run id and its summary.
    Run {
        /// The period: 2025-09, 2025-Q3 or 2025.
        #[arg(long)]
        period: String,
        /// Only this unit's subtree.
        #[arg(long)]
        unit: Option<String>,
        /// Threads scoring at once (0: every core).
        #[arg(long, default_value_t = 0)]
        workers: usize,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Lists runs, newest first.
    Runs {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Prints a run's results, best total first.
    Results {
        /// The run's id.
        #[arg(long)]
        run: i64,
        /// table, csv or json.
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// Prints a run's summary: distributions per unit type, and units ranked
    /// with their indicators in red and yellow.
    Summary {
        /// The run's id.
        #[arg(long)]
        run: i64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Makes a run the official run of its period for its subtree, locking the period there.
    Publish {
        /// The run's id.
        #[arg(long)]
        run: i64,
    },
    /// Unlocks a period so another run can be published in its place.
    Unlock {
        /// The period.
        #[arg(long)]
        period: String,
        /// The subtree it was published for (none: the whole organisation).
        #[arg(long)]
        unit: Option<String>,
        /// Why, for the audit log.
        #[arg(long)]
        reason: String,
    },
    /// Records that a subject is not evaluated for a period (long leave,
    /// newly recruited), or with --lift removes that record.
    Exempt {
        /// The subject's id.
        subject: String,
        /// The period: 2025, 2025-Q3 or 2025-09.
        #[arg(long)]
        period: String,
        /// Why, shown with the result and kept in the audit log.
        #[arg(long, required_unless_present = "lift")]
        reason: Option<String>,
        /// The rule that leaves them out.
        #[arg(long)]
        basis: Option<String>,
        /// Remove the exemption instead: the next run scores them.
        #[arg(long, conflicts_with_all = ["reason", "basis"])]
        lift: bool,
    },
    /// Scores every stored result of a run again and reports each difference.
    Verify {
        /// The run's id.
        #[arg(long)]
        run: i64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Writes a synthetic, deterministic data set: the demo province, or with
    /// --national 3,321 communes and 254,757 civil servants.
    GenData {
        /// The national data set instead of the demo province.
        #[arg(long)]
        national: bool,
        /// The seed: the same seed gives the same files.
        #[arg(long, default_value_t = 2025)]
        seed: u64,
        /// The directory to write.
        #[arg(long)]
        out: PathBuf,
        /// With --national, also write this many work products per servant
        /// for 2025 (products-2025.csv).
        #[arg(long, default_value_t = 0, requires = "national")]
        products: usize,
    },
}

#[derive(Debug, Subcommand)]
enum SandboxCommand {
    /// Validates a component and keeps it as a draft.
    Upload {
        /// The draft component.
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Lists the drafts.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Deletes a draft.
    Delete {
        /// The draft's id.
        id: i64,
    },
    /// Gives a draft trial facts (CSV or JSON, as facts imports take them):
    /// values for facts it declares, read by its own what-ifs only.
    Facts {
        /// The draft's id.
        draft: i64,
        /// The facts file.
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Scores a draft on the stored facts of a period beside its official
    /// run: transitions, deltas, units before and after, who moves and why.
    Compare {
        /// The draft's id.
        draft: i64,
        /// A period (give it again for several).
        #[arg(long, required = true)]
        period: Vec<String>,
        /// Only this post type (a position code or an agency type); by
        /// default those the draft applies to.
        #[arg(long)]
        post_type: Option<String>,
        /// Only these units' subtrees (give it again for several).
        #[arg(long)]
        unit: Vec<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Lists every key: its id, purpose and dates, never its secret.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Retires the live key of a purpose and makes a new one, which signs
    /// from now on; what the old one signed still verifies.
    Rotate {
        /// What the key is for.
        #[arg(long, default_value = "facts")]
        purpose: String,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Makes a token and prints it once.
    Create {
        /// admin, unit-admin, publisher, analyst, viewer, person or assessor.
        #[arg(long)]
        role: String,
        /// A unit admin's or an assessor's subtree, or the one an analyst is bound to.
        #[arg(long)]
        unit: Option<String>,
        /// A publisher's namespace.
        #[arg(long)]
        namespace: Option<String>,
        /// A person's subject id.
        #[arg(long)]
        subject: Option<String>,
        /// Who or what it is for.
        #[arg(long, default_value = "cli")]
        name: String,
        /// How many days it works (1 to 3650).
        #[arg(long, default_value_t = 90)]
        expires_in_days: u64,
    },
    /// Lists every token: its role and scope, and whether it still works.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Revokes a token for good (a server may take 10 s to refuse it).
    Revoke {
        /// The token's id, as `token list` shows it.
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
enum OrgCommand {
    /// Loads units, posts, subjects and assignments from a JSON document.
    Import {
        /// The organisation document.
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum FactsCommand {
    /// Imports a CSV (subject_id,period,fact,value,source) or JSON file, all or nothing.
    Import {
        /// The facts file.
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Imports work products: CSV (subject_id,period,product_id,kind,
    /// assigned,accepted and optional columns) or JSON, all or nothing.
    Products {
        /// The products file.
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Freezes a period's facts at its cut-off.
    Freeze {
        /// The period.
        #[arg(long)]
        period: String,
    },
    /// Reopens a frozen period's facts.
    Reopen {
        /// The period.
        #[arg(long)]
        period: String,
        /// Why, for the audit log.
        #[arg(long)]
        reason: String,
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

impl Cli {
    /// Whether the command serves HTTP until stopped (`serve`, and `demo`
    /// unless told not to): such a process must outlive a client that
    /// hangs up mid-answer, so it keeps SIGPIPE ignored; every other command
    /// may end quietly when its output's reader goes away.
    pub fn serves(&self) -> bool {
        match &self.command {
            Command::Serve { .. } => true,
            Command::Demo { no_serve, .. } => !no_serve,
            _ => false,
        }
    }
}

/// Runs one command.
pub fn run(cli: Cli) -> Result<(), Error> {
    cli.config.init_log().map_err(Error::BadInput)?;
    match cli.command {
        Command::Demo {
            no_serve,
            listen,
            json,
        } => demo::run(&cli.config, json, (!no_serve).then_some(listen.as_str())),
        Command::Serve { listen } => serve::serve(&cli.config, &listen),
        Command::Keys { command } => {
            scoring::local_only(&cli.config, "keys").and_then(|()| match command {
                KeysCommand::List { json } => serve::keys_list(&cli.config, json),
                KeysCommand::Rotate { purpose } => serve::keys_rotate(&cli.config, &purpose),
            })
        }
        Command::Assess { command } => assess::run(&cli.config, command),
        Command::Token { command } => match command {
            TokenCommand::Create {
                role,
                unit,
                namespace,
                subject,
                name,
                expires_in_days,
            } => scoring::local_only(&cli.config, "token create").and_then(|()| {
                serve::token_create(
                    &cli.config,
                    &role,
                    unit.as_deref(),
                    namespace.as_deref(),
                    subject.as_deref(),
                    &name,
                    expires_in_days,
                )
            }),
            TokenCommand::List { json } => serve::token_list(&cli.config, json),
            TokenCommand::Revoke { id } => serve::token_revoke(&cli.config, id),
        },
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
        Command::Sandbox { command } => match command {
            SandboxCommand::Upload { file, json } => whatif::upload(&cli.config, &file, json),
            SandboxCommand::List { json } => whatif::list(&cli.config, json),
            SandboxCommand::Delete { id } => whatif::delete(&cli.config, id),
            SandboxCommand::Facts { draft, file, json } => {
                whatif::trial_facts(&cli.config, draft, &file, json)
            }
            SandboxCommand::Compare {
                draft,
                period,
                post_type,
                unit,
                json,
            } => whatif::compare(
                &cli.config,
                draft,
                crate::whatif::CompareOptions {
                    periods: period,
                    post_type,
                    units: unit,
                },
                json,
            ),
        },
        Command::Evaluate {
            input,
            plugin,
            json,
        } => scoring::evaluate(&cli.config, &input, plugin.as_deref(), json),
        Command::Org {
            command: OrgCommand::Import { file, json },
        } => scoring::org_import(&cli.config, &file, json),
        Command::Facts { command } => match command {
            FactsCommand::Import { file, json } => scoring::facts_import(&cli.config, &file, json),
            FactsCommand::Products { file, json } => {
                scoring::products_import(&cli.config, &file, json)
            }
            FactsCommand::Freeze { period } => scoring::facts_freeze(&cli.config, &period),
            FactsCommand::Reopen { period, reason } => {
                scoring::facts_reopen(&cli.config, &period, &reason)
            }
        },
        Command::Run {
            period,
            unit,
            workers,
            json,
        } => scoring::run(&cli.config, &period, unit.as_deref(), workers, json),
        Command::Runs { json } => scoring::runs(&cli.config, json),
        Command::Results { run, format } => scoring::results(&cli.config, run, &format),
        Command::Summary { run, json } => scoring::summary(&cli.config, run, json),
        Command::Publish { run } => scoring::publish(&cli.config, run),
        Command::Unlock {
            period,
            unit,
            reason,
        } => scoring::unlock(&cli.config, &period, unit.as_deref(), &reason),
        Command::Verify { run, json } => scoring::verify(&cli.config, run, json),
        Command::Exempt {
            subject,
            period,
            reason,
            basis,
            lift,
        } => scoring::exempt(&cli.config, &subject, &period, reason, basis, lift),
        Command::GenData {
            national,
            seed,
            out,
            products,
        } => scoring::gen_data(national, seed, &out, products),
    }
}
