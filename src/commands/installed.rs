//! What an operator expects of an installed tool: shell completions and a manual page, both
//! generated from the option definitions themselves, so they cannot drift from them.

use std::io::Write;
use std::process::ExitCode;

use clap::CommandFactory;

use crate::commands::cli::Args;

pub fn completions(shell: clap_complete::Shell) -> anyhow::Result<ExitCode> {
    let mut cmd = Args::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "edgetop", &mut out);
    print(&out)
}

pub fn man() -> anyhow::Result<ExitCode> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Args::command()).render(&mut out)?;
    print(&out)
}

/// Write it all to standard output. A reader that stops early (`| head`, `| grep -q`) is not
/// an error, as for the lines the other commands print.
fn print(out: &[u8]) -> anyhow::Result<ExitCode> {
    match std::io::stdout().lock().write_all(out) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(ExitCode::SUCCESS),
    }
}
