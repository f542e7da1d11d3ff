//! What the binary does, one file per command: the dashboard, `snapshot`, the changes
//! (`toggle`, `rotate`, `rotation …`) and `audit`. Each starts what it needs
//! ([`crate::commands::startup`]) and returns the exit code; `main` prints the error, if any.

mod audit;
mod change;
pub mod cli;
mod dashboard;
mod doctor;
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
    end_on_panic();
    let args = Args::parse();
    match start(args) {
        Ok(code) => code,
        Err(e) => {
            // A start refused by AWS, or by what is (not) set up on this machine: the one
            // command that checks all of it at once.
            let doctor = if e
                .downcast_ref::<crate::source::aws::connect::ConnectError>()
                .is_some()
            {
                "; `edgetop doctor` checks everything edgetop needs here, and names each fix"
            } else {
                ""
            };
            crate::errln!("edgetop: {e:#}{doctor}");
            ExitCode::from(2)
        }
    }
}

/// A panic anywhere (the engine's task included) ends the process, as `panic = "abort"` did:
/// the hooks set after this one run first (the log, the terminal restored), then the panic's
/// message, then the process aborts rather than go on with a half-working screen. Here rather
/// than in the release profile, because tests need panics to unwind: with the profile's
/// `abort`, a test build compiled every dependency twice (once for the tests, once for the
/// program), where now one build serves both.
fn end_on_panic() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        report(info);
        std::process::abort();
    }));
}

/// Everything `main` does, with errors for it to print. The command line and the config file
/// are resolved here, once, into the [`startup::Run`] every command takes; printing a
/// completion script, the manual or a recording reads neither the config nor an account.
pub fn start(args: Args) -> anyhow::Result<ExitCode> {
    match &args.command {
        Some(Command::Completions { shell }) => return installed::completions(*shell),
        Some(Command::Man) => return installed::man(),
        Some(Command::Snapshot {
            json,
            from: Some(file),
            at,
        }) => return snapshot::from_recording(*json, file, at.as_deref()),
        // The audit log's place does not hang on the config: it reads even when the file
        // does not.
        Some(Command::Audit { json, lines }) => {
            let (json, lines) = (*json, *lines);
            return audit::run(&startup::Run::resolve_or_defaults(args).0, json, lines);
        }
        Some(Command::Doctor { json }) => {
            let json = *json;
            let (run, broken) = startup::Run::resolve_or_defaults(args);
            return doctor::run(&run, broken, json);
        }
        _ => {}
    }
    let run = startup::Run::resolve(args)?;
    match &run.command {
        Some(Command::Snapshot { json, .. }) => snapshot::run(&run, *json),
        Some(Command::Replay { file }) => replay::run(&run, file),
        Some(_) => change::run(&run),
        None => dashboard::run(&run),
    }
}
