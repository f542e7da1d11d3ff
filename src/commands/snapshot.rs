//! `edgetop snapshot [--json]`: one read of the account, printed, then exit.

use std::io::Write;
use std::process::ExitCode;

use crate::cli::Args;
use crate::model::Snapshot;
use crate::model::text::{SafeJson, for_terminal};
use crate::report;
use crate::source::Source;
use crate::startup;

/// What `snapshot --json` prints.
#[derive(serde::Serialize)]
struct Record<'a> {
    snapshot: &'a Snapshot,
    access: AccessRecord,
    stats: serde_json::Value,
}

/// What the Access screen derives: its findings, and the requests that went around a CDN.
#[derive(serde::Serialize)]
struct AccessRecord {
    findings: Vec<crate::finding::Finding>,
    direct_hits: Vec<crate::bypass::DirectHits>,
}

pub fn run(args: &Args, json: bool) -> anyhow::Result<ExitCode> {
    startup::log_or_warn(args);
    let started = std::time::Instant::now();
    let rt = startup::runtime()?;
    let (snap, calls) = rt.block_on(async {
        let eff = startup::effective(args)?;
        let mut source = startup::account(args, &eff).await?.source;
        let snap = source.poll().await?;
        if let Some(stop) = source.on_exit() {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(3), stop).await;
        }
        anyhow::Ok((snap, source.calls()))
    })?;
    let seconds = started.elapsed().as_secs_f64();
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    if json {
        let stats = serde_json::json!({
            "seconds": seconds,
            "aws_calls_total": calls.as_ref().map_or(0, |c| c.total()),
            "aws_calls": calls,
            "metrics_requested": snap.cost.metrics_last_poll,
        });
        // Written as it is made: a 10,000-key record held whole (and again, escaped) took
        // half the resident memory of the run.
        let record = Record {
            snapshot: &snap,
            access: {
                let direct_hits = crate::bypass::direct_hits(&snap);
                AccessRecord {
                    findings: crate::finding::per_place(&snap, |part| {
                        crate::posture::findings(part, &direct_hits)
                    }),
                    direct_hits,
                }
            },
            stats,
        };
        let mut json = serde_json::Serializer::with_formatter(&mut stdout, SafeJson::pretty());
        serde::Serialize::serialize(&record, &mut json)?;
        stdout.write_all(b"\n")?;
    } else {
        stdout.write_all(for_terminal(&report::text(&snap)).as_bytes())?;
    }
    stdout.flush()?;
    for p in &snap.problems {
        crate::errln!("edgetop: {:?}: {}", p.panel, p.message);
    }
    Ok(ExitCode::SUCCESS)
}
