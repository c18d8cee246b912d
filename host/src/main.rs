//! The `thuocdo` command: parse the command line, hand it to the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = thuocdo_host::cli::Cli::parse();
    match thuocdo_host::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("thuocdo: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
