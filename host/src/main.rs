//! The `thuocdo` command: parse the command line, hand it to the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = thuocdo_host::cli::Cli::parse();
    // Output piped into `head` ends quietly, as other command-line tools do,
    // rather than as a failed write. Never for a server: with SIGPIPE at its
    // default, one client closing its connection while an answer was being
    // written would end the whole process.
    // SAFETY: restoring the default disposition of one signal before any
    // thread starts.
    #[cfg(unix)]
    if !cli.serves() {
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    match thuocdo_host::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("thuocdo: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
