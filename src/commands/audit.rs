//! `edgetop audit [--json]`: the latest entries of the audit log.

use std::process::ExitCode;

use anyhow::Context;

use crate::commands::startup::Run;
use crate::model::text;
use crate::ops::audit;

/// `edgetop audit`: the latest entries of the audit log.
pub fn run(run: &Run, json: bool, lines: usize) -> anyhow::Result<ExitCode> {
    let path = run.paths.audit.as_deref().context("no state directory")?;
    let entries = audit::read_last(path, lines).map_err(anyhow::Error::msg)?;
    if entries.is_empty() {
        crate::errln!("edgetop: the audit log {} is empty", path.display());
    }
    for e in entries {
        match e {
            Ok(e) if json => crate::outln!("{}", text::json_safe(&serde_json::to_string(&e)?)),
            Ok(e) => crate::outln!(
                "{}  {:<10} {}  {}{}",
                e.time.format("%Y-%m-%d %H:%M:%S"),
                format!("{:?}", e.phase).to_lowercase(),
                e.who.caller,
                e.what,
                e.result.map(|r| format!("  → {r}")).unwrap_or_default()
            ),
            Err(e) => crate::outln!("({e})"),
        }
    }
    Ok(ExitCode::SUCCESS)
}
