use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = edgetop::cli::Args::parse();
    match edgetop::commands::start(args) {
        Ok(code) => code,
        Err(e) => {
            edgetop::errln!("edgetop: {e:#}");
            ExitCode::from(2)
        }
    }
}
