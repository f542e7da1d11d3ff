//! The subcommands that change things, for scripts and for operators who prefer a prompt:
//! `toggle`, `rotate`, `rotation list|finish|rollback`.
//! Each reads the account, prints the plan, and with `--dry-run` stops there; otherwise it asks
//! (or takes `--yes`), records the confirmation in the audit log, runs, and records the result.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, bail};

use crate::cli::{Args, Command, RotationAction, ScopeArg};
use crate::model::{Scope, Snapshot, Text};
use crate::ops::audit::Audit;
use crate::ops::procedure;
use crate::ops::{self, Op, Progress, Reporter, StepState};
use crate::source::{AnySource, ChangeTarget, Source};
use crate::startup;

/// Exit code when the change was refused (read-only, a conflict, no confirmation).
const REFUSED: u8 = 2;

/// The lines that progress `now` adds to what `before` said: each step as it starts and
/// ends, and the detail when it changes. One line each, whatever the names in them hold.
fn progress_lines(before: Option<&Progress>, now: &Progress) -> Vec<String> {
    let mut out = Vec::new();
    for (i, (what, state)) in now.steps.iter().enumerate() {
        let was = before.and_then(|b| b.steps.get(i)).map(|s| s.1);
        if was != Some(*state) {
            let mark = match state {
                StepState::Running => "→",
                StepState::Done => "✓",
                StepState::Failed => "✗",
                StepState::Waiting => continue,
            };
            out.push(format!("  {mark} {what}"));
        }
    }
    if !now.detail.is_empty() && before.is_none_or(|b| b.detail != now.detail) {
        out.push(format!("    {}", now.detail));
    }
    out
}

/// Print progress to stderr, a line per change ([`progress_lines`]).
fn stderr_reporter() -> Reporter {
    let last: Arc<Mutex<Option<Progress>>> = Arc::default();
    Reporter::new(move |p: Progress| {
        let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
        for line in progress_lines(last.as_ref(), &p) {
            crate::errln!("{line}");
        }
        *last = Some(p);
    })
}

/// Ask on the terminal, or take `--yes`; with no terminal and no `--yes`, refuse.
fn confirmed(yes: bool) -> anyhow::Result<bool> {
    if yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        bail!("no terminal to confirm on: pass --yes to go ahead (or --dry-run to only look)");
    }
    crate::output::err_prompt("Type yes to go ahead: ");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim() == "yes")
}

fn scope_of(s: ScopeArg) -> Scope {
    match s {
        ScopeArg::Regional => Scope::Regional,
        ScopeArg::Cloudfront => Scope::Cloudfront,
    }
}

/// What the subcommand asks for, and its plan.
fn op_and_plan(
    cmd: &Command,
    source: &AnySource,
    snap: &Snapshot,
) -> anyhow::Result<(Op, ops::Plan, bool, bool)> {
    Ok(match cmd {
        Command::Toggle {
            web_acl,
            rule,
            inner,
            scope,
            yes,
        } => {
            let scope = scope.map(scope_of);
            let op = procedure::find_rule(snap, web_acl, rule, inner.as_deref(), scope)?;
            (op.clone(), ops::plan(&op, snap), *yes, false)
        }
        Command::Rotate {
            key,
            yes,
            show_value,
        } => {
            let op = procedure::find_key(snap, key)?;
            (op.clone(), ops::plan(&op, snap), *yes, *show_value)
        }
        Command::Rotation {
            action:
                RotationAction::Finish {
                    id,
                    yes,
                    show_value,
                }
                | RotationAction::Rollback {
                    id,
                    yes,
                    show_value,
                },
        } => {
            let rollback = matches!(
                cmd,
                Command::Rotation {
                    action: RotationAction::Rollback { .. }
                }
            );
            let (open, _) = source.unfinished();
            let Some(r) = open.iter().find(|r| r.id == *id) else {
                bail!(
                    "no unfinished rotation {id} for this account and region (edgetop rotation list)"
                );
            };
            let op = Op::ResumeRotation {
                id: id.clone(),
                key_name: Text::new(&r.old_key_name),
                rollback,
                at: None,
            };
            (op, ops::resume_plan(r, rollback), *yes, *show_value)
        }
        _ => bail!("not a change"),
    })
}

async fn change(
    args: &Args,
    mut source: AnySource,
    audit: Option<Audit>,
    read_only: Option<String>,
) -> anyhow::Result<ExitCode> {
    let cmd = args.command.as_ref().context("no subcommand")?;
    if let Command::Rotation {
        action: RotationAction::List,
    } = cmd
    {
        let (open, broken) = source.unfinished();
        for r in &open {
            crate::outln!(
                "{}  {} → {}  started {}",
                r.id,
                Text::new(&r.old_key_name),
                Text::new(&r.new_key_name),
                r.started.format("%Y-%m-%d %H:%M:%S UTC"),
            );
            crate::outln!("    {}", r.where_stopped());
        }
        for b in &broken {
            crate::errln!("edgetop: {b}");
        }
        if open.is_empty() {
            crate::errln!("edgetop: no unfinished rotation");
        }
        return Ok(ExitCode::SUCCESS);
    }
    // Only what the change needs is read (a whole 10,000-key account takes minutes);
    // finishing or rolling back works from the journal alone.
    let target = match cmd {
        Command::Toggle { web_acl, scope, .. } => Some(ChangeTarget::Rule {
            web_acl: web_acl.clone(),
            scope: scope.map(scope_of),
        }),
        Command::Rotate { key, .. } => Some(ChangeTarget::Key(key.clone())),
        _ => None,
    };
    let snap = match target {
        Some(t) => source
            .read_for(&t)
            .await
            .map_err(|e| anyhow::anyhow!("cannot read the account: {e}"))?,
        None => Snapshot::default(),
    };
    let (op, plan, yes, show_value) = op_and_plan(cmd, &source, &snap)?;
    for line in plan.lines() {
        crate::outln!("{line}");
    }
    let audit = audit.as_ref();
    if args.dry_run {
        procedure::dry_run(&op, audit)?;
        crate::outln!("{}", procedure::say::DRY_RUN);
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(why) = read_only {
        procedure::refuse(&op, audit, &why)?;
        crate::errln!("edgetop: {}", ops::OpError::Refused(why).about(&op));
        return Ok(ExitCode::from(REFUSED));
    }
    if !confirmed(yes)? {
        crate::errln!("edgetop: {}", procedure::say::NOT_CONFIRMED);
        return Ok(ExitCode::from(REFUSED));
    }
    let actions = source.actions();
    let result =
        procedure::carry_out(&op, audit, || actions.apply(op.clone(), stderr_reporter())).await;
    match result {
        Ok(o) => {
            crate::outln!("{}", o.message);
            if let Some(s) = o.secret {
                // Shown once: masked unless asked for, never logged.
                if show_value {
                    crate::outln!("new key value: {}", s.reveal());
                } else {
                    crate::outln!(
                        "new key value: {} (--show-value prints it once, here)",
                        s.masked()
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            crate::errln!("edgetop: {}", e.about(&op));
            Ok(ExitCode::from(if e.refused() { REFUSED } else { 1 }))
        }
    }
}

/// `toggle`, `rotate`, `rotation …`.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    // Without a log the change still runs, recorded in its audit log (without which nothing
    // runs).
    startup::log_or_warn(args);
    let eff = startup::effective(args)?;
    let rt = startup::runtime()?;
    let code = rt.block_on(async {
        let opened = startup::account(args, &eff).await?;
        if matches!(opened.source, crate::source::AnySource::Many(_)) {
            anyhow::bail!(
                "a change acts in one account and region: name one with --profile and --region \
                 (the dashboard acts on many, on the row chosen)"
            );
        }
        // The config's word for this account first: --read-write does not lift it.
        let read_only = opened.read_only.or_else(|| {
            eff.read_only
                .then(|| procedure::say::read_only("this change"))
        });
        let (source, audit) = (opened.source, startup::audit_for(args, opened.who));
        change(args, source, audit, read_only).await
    })?;
    rt.shutdown_timeout(Duration::from_millis(200));
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_cannot_forge_a_progress_line() {
        let forged = "partner\n  ✓ Disable partner (every distribution switched)";
        let step = |state| Progress {
            title: "Rotating".into(),
            steps: vec![(format!("Create key {forged}"), state)],
            detail: format!("waiting for {forged}"),
        };
        let lines = progress_lines(None, &step(StepState::Running));
        assert_eq!(lines.len(), 2, "{lines:?}");
        let printed: Vec<String> = lines
            .iter()
            .map(|l| crate::model::text::escape(l))
            .collect();
        for l in &printed {
            assert!(!l.contains('\n'), "{l:?}");
        }
        assert!(
            printed[0].starts_with("  → Create key partner\\x0a"),
            "{printed:?}"
        );
        let done = progress_lines(Some(&step(StepState::Running)), &step(StepState::Done));
        assert_eq!(done.len(), 1, "the detail did not change: {done:?}");
    }
}
