//! The `orch` binary: parse, run, map to an exit code. Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = orch::cli::Cli::parse();
    let out = orch::output::Output::from_global(&cli.global);
    match orch::commands::run(cli, &out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => ExitCode::from(out.report_error(&err)),
    }
}
