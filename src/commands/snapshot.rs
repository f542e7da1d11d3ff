//! `edgetop snapshot [--json]`: one read of the account, printed, then exit.

use std::io::Write;
use std::process::ExitCode;

use crate::cli::Args;
use crate::model::text::{for_terminal, json_safe};
use crate::report;
use crate::source::Source;
use crate::startup;

pub fn run(args: &Args, json: bool) -> anyhow::Result<ExitCode> {
    if let Some(p) = startup::log_path(args) {
        startup::init_logging(&p)?;
    }
    let started = std::time::Instant::now();
    let rt = startup::runtime()?;
    let (snap, calls) = rt.block_on(async {
        let eff = startup::effective(args)?;
        let (mut source, _, _) = startup::account(args, &eff).await?;
        let snap = source.poll().await?;
        anyhow::Ok((snap, source.calls().cloned()))
    })?;
    let seconds = started.elapsed().as_secs_f64();
    let out = if json {
        let stats = serde_json::json!({
            "seconds": seconds,
            "aws_calls_total": calls.as_ref().map_or(0, |c| c.total()),
            "aws_calls": calls,
            "metrics_requested": snap.cost.metrics_last_poll,
        });
        json_safe(&serde_json::to_string_pretty(
            &serde_json::json!({ "snapshot": snap, "stats": stats }),
        )?) + "\n"
    } else {
        for_terminal(&report::text(&snap))
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes())?;
    for p in &snap.problems {
        crate::errln!("edgetop: {:?}: {}", p.panel, p.message);
    }
    Ok(ExitCode::SUCCESS)
}
