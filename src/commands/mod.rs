//! What the binary does, one file per command: the dashboard, `snapshot`, the changes
//! (`toggle`, `rotate`, `rotation …`) and `audit`. Each starts what it needs
//! ([`crate::commands::startup`]) and returns the exit code; `main` prints the error, if any.

mod audit;
mod change;
pub mod cli;
mod dashboard;
mod installed;
mod replay;
pub(crate) mod report;
mod snapshot;
pub(crate) mod startup;

use std::process::ExitCode;

use clap::Parser;

use crate::commands::cli::{Args, Command};

/// The program: the options from the command line, the command they name, and its error
/// printed (escaped) on the way out.
pub fn main() -> ExitCode {
    let args = Args::parse();
    match start(args) {
        Ok(code) => code,
        Err(e) => {
            crate::errln!("edgetop: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Everything `main` does, with errors for it to print.
pub fn start(args: Args) -> anyhow::Result<ExitCode> {
    match &args.command {
        Some(Command::Snapshot { json, from, at }) => match from {
            Some(file) => snapshot::from_recording(*json, file, at.as_deref()),
            None => snapshot::run(&args, *json),
        },
        Some(Command::Replay { file }) => replay::run(&args, file),
        Some(Command::Audit { json, lines }) => audit::run(&args, *json, *lines),
        Some(Command::Completions { shell }) => installed::completions(*shell),
        Some(Command::Man) => installed::man(),
        Some(_) => change::run(&args),
        None => dashboard::run(args),
    }
}
