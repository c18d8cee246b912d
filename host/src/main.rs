//! The `thuocdo` command: parse the command line, hand it to the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Output piped into `head` ends quietly, as other command-line tools do,
    // rather than as a failed write.
    // SAFETY: restoring the default disposition of one signal before any
    // thread starts.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = thuocdo_host::cli::Cli::parse();
    match thuocdo_host::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("thuocdo: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
