//! `edgetop snapshot [--json]`: one read of the account, printed, then exit.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use crate::commands::report;
use crate::commands::startup::{self, Run};
use crate::model::Snapshot;
use crate::model::text::{SafeJson, for_terminal};
use crate::source::Source;

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
    findings: Vec<crate::judge::finding::Finding>,
    direct_hits: Vec<crate::judge::bypass::DirectHits>,
}

/// `snapshot --from FILE [--at TIME]`: the snapshot a recording holds at that moment (its
/// last, without one), printed as a live one is.
pub fn from_recording(json: bool, file: &Path, at: Option<&str>) -> anyhow::Result<ExitCode> {
    let mut tape = crate::record::Tape::open(file).map_err(anyhow::Error::msg)?;
    let i = match at {
        Some(t) => {
            let when = crate::record::player::moment(t, tape.first(), tape.last())
                .map_err(anyhow::Error::msg)?;
            tape.poll_at(when)
        }
        None => tape.polls.len() - 1,
    };
    let snap = tape.snapshot(i).map_err(|e| {
        anyhow::anyhow!(
            "{} cannot be read at that moment: {e}",
            crate::model::text::escape(&file.display().to_string())
        )
    })?;
    if let Some(cut) = &tape.cut {
        crate::errln!("edgetop: {cut}: read up to its last whole part");
    }
    let stats = serde_json::json!({
        "from": file.display().to_string(),
        "poll": i + 1,
        "polls": tape.polls.len(),
        "recorded_at": snap.taken_at,
    });
    print(&snap, json, stats)?;
    Ok(ExitCode::SUCCESS)
}

/// The snapshot on standard output: JSON (with what the Access screen derives, and `stats`),
/// or text.
fn print(snap: &Snapshot, json: bool, stats: serde_json::Value) -> anyhow::Result<()> {
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    if json {
        // Written as it is made: a 10,000-key record held whole (and again, escaped) took
        // half the resident memory of the run.
        let record = Record {
            snapshot: snap,
            access: {
                let direct_hits = crate::judge::bypass::direct_hits(snap);
                AccessRecord {
                    findings: crate::judge::finding::per_place(snap, |part| {
                        crate::judge::posture::findings(part, &direct_hits)
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
        stdout.write_all(for_terminal(&report::text(snap)).as_bytes())?;
    }
    stdout.flush()?;
    Ok(())
}

pub fn run(run: &Run, json: bool) -> anyhow::Result<ExitCode> {
    startup::log_or_warn(run);
    let started = std::time::Instant::now();
    let rt = startup::runtime()?;
    let (snap, calls) = rt.block_on(async {
        let mut source = startup::account(run).await?.source;
        let snap = source.poll().await?;
        if let Some(stop) = source.on_exit() {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(3), stop).await;
        }
        anyhow::Ok((snap, source.calls()))
    })?;
    let seconds = started.elapsed().as_secs_f64();
    let stats = serde_json::json!({
        "seconds": seconds,
        "aws_calls_total": calls.as_ref().map_or(0, |c| c.total()),
        "aws_calls": calls,
        "metrics_requested": snap.cost.metrics_last_poll,
    });
    print(&snap, json, stats)?;
    for p in &snap.problems {
        crate::errln!("edgetop: {:?}: {}", p.panel, p.message);
    }
    Ok(ExitCode::SUCCESS)
}
