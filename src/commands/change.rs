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
use crate::model::{Action, RuleKind, Scope, Snapshot, Text};
use crate::ops::audit::{Audit, Phase};
use crate::ops::{self, Op, Progress, Reporter, StepState, Toggle};
use crate::source::{AnySource, Source, SourceError};
use crate::startup;

/// Exit code when the change was refused (read-only, a conflict, no confirmation).
const REFUSED: u8 = 2;

/// Print progress to stderr: each step as it starts and ends, and detail lines as they change.
fn stderr_reporter() -> Reporter {
    let last: Arc<Mutex<Option<Progress>>> = Arc::default();
    Reporter::new(move |p: Progress| {
        let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
        let before = last.as_ref();
        for (i, (what, state)) in p.steps.iter().enumerate() {
            let was = before.and_then(|b| b.steps.get(i)).map(|s| s.1);
            if was != Some(*state) {
                match state {
                    StepState::Running => crate::errln!("  → {what}"),
                    StepState::Done => crate::errln!("  ✓ {what}"),
                    StepState::Failed => crate::errln!("  ✗ {what}"),
                    StepState::Waiting => {}
                }
            }
        }
        if !p.detail.is_empty() && before.is_none_or(|b| b.detail != p.detail) {
            crate::errln!("    {}", p.detail);
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

/// The toggle the options name, against the account as read.
fn find_toggle(
    snap: &Snapshot,
    web_acl: &str,
    rule: &str,
    inner: Option<&str>,
    scope: Option<ScopeArg>,
) -> anyhow::Result<Op> {
    let scope = scope.map(|s| match s {
        ScopeArg::Regional => Scope::Regional,
        ScopeArg::Cloudfront => Scope::Cloudfront,
    });
    let acls: Vec<_> = snap
        .web_acls
        .iter()
        .filter(|a| a.name.as_str() == web_acl && scope.is_none_or(|s| s == a.scope))
        .collect();
    let acl = match acls.as_slice() {
        [a] => *a,
        [] => bail!("no web ACL named {}", Text::new(web_acl)),
        _ => bail!(
            "two web ACLs are named {}: pass --scope",
            Text::new(web_acl)
        ),
    };
    let Some(r) = acl.rules.iter().find(|r| r.name.as_str() == rule) else {
        bail!("web ACL {} has no rule {}", acl.name, Text::new(rule));
    };
    let is_group = matches!(r.kind, RuleKind::ManagedGroup { .. });
    let (from, to) = match inner {
        None => {
            let to = ops::toggled_for(r.action, is_group).with_context(|| {
                format!(
                    "{} is {}: only Block ↔ Count (or a group's override) can be toggled",
                    r.name,
                    r.action.label()
                )
            })?;
            (r.action, to)
        }
        Some(i) => {
            let RuleKind::ManagedGroup { inner_rules, .. } = &r.kind else {
                bail!("{} is not a rule group: --inner does not apply", r.name);
            };
            let from = inner_rules
                .iter()
                .find(|x| x.name.as_str() == i)
                .map_or(Action::GroupActions, |x| x.action);
            (from, ops::toggled_inner(from))
        }
    };
    Ok(Op::ToggleRule(Toggle {
        scope: acl.scope,
        web_acl_id: acl.id.clone(),
        web_acl: acl.name.clone(),
        rule: r.name.clone(),
        inner: inner.map(Text::new),
        from,
        to,
        custom: inner.is_none().then(|| r.custom.clone()).flatten(),
        kept: inner.is_none().then(|| r.kept.clone()).flatten(),
    }))
}

fn find_key(snap: &Snapshot, key: &str) -> anyhow::Result<Op> {
    let found: Vec<_> = snap
        .api_keys
        .iter()
        .filter(|k| k.id.as_str() == key || k.name.as_str() == key)
        .collect();
    match found.as_slice() {
        [k] if !k.enabled => bail!("API key {} is disabled: there is nothing to rotate", k.name),
        [k] => Ok(Op::RotateKey {
            key_id: k.id.clone(),
            key_name: k.name.clone(),
        }),
        [] => bail!("no API key with the id or name {}", Text::new(key)),
        _ => bail!("several API keys are named {}: use the id", Text::new(key)),
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
            let op = find_toggle(snap, web_acl, rule, inner.as_deref(), *scope)?;
            (op.clone(), ops::plan(&op, snap), *yes, false)
        }
        Command::Rotate {
            key,
            yes,
            show_value,
        } => {
            let op = find_key(snap, key)?;
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
    read_only: bool,
) -> anyhow::Result<ExitCode> {
    let cmd = args.command.as_ref().context("no subcommand")?;
    if let Command::Rotation {
        action: RotationAction::List,
    } = cmd
    {
        let (open, broken) = source.unfinished();
        for r in &open {
            crate::outln!(
                "{}  {} → {}  started {}\n    {}",
                r.id,
                Text::new(&r.old_key_name),
                Text::new(&r.new_key_name),
                r.started.format("%Y-%m-%d %H:%M:%S UTC"),
                r.where_stopped()
            );
        }
        for b in &broken {
            crate::errln!("edgetop: {b}");
        }
        if open.is_empty() {
            crate::errln!("edgetop: no unfinished rotation");
        }
        return Ok(ExitCode::SUCCESS);
    }
    // Finishing or rolling back works from the journal: no need to read the whole account.
    let snap = if matches!(cmd, Command::Toggle { .. } | Command::Rotate { .. }) {
        source
            .poll()
            .await
            .map_err(|e| anyhow::anyhow!("cannot read the account: {e}"))?
    } else {
        Snapshot::default()
    };
    let (op, plan, yes, show_value) = op_and_plan(cmd, &source, &snap)?;
    crate::outln!("{}", plan.text());
    let record = |phase, result: Option<&str>| -> anyhow::Result<()> {
        match &audit {
            Some(a) => a.record(phase, &op, result).map_err(anyhow::Error::msg),
            None => bail!("no audit log (no state directory): nothing is changed without one"),
        }
    };
    if args.dry_run {
        record(Phase::DryRun, None)?;
        crate::outln!("dry run: nothing was changed");
        return Ok(ExitCode::SUCCESS);
    }
    if read_only {
        let why =
            "read-only mode (--read-only, or read_only in the config file): nothing was changed";
        record(Phase::Refused, Some(why))?;
        crate::errln!("edgetop: {why}");
        return Ok(ExitCode::from(REFUSED));
    }
    if !confirmed(yes)? {
        crate::errln!("edgetop: not confirmed: nothing was changed");
        return Ok(ExitCode::from(REFUSED));
    }
    record(Phase::Confirmed, None)?;
    let result = source.actions().apply(op.clone(), stderr_reporter()).await;
    let (phase, said) = match &result {
        Ok(o) => (Phase::Succeeded, o.message.clone()),
        Err(e) => (Phase::Failed, e.to_string()),
    };
    record(phase, Some(&said))?;
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
        Err(SourceError::Refused(e)) => {
            crate::errln!("edgetop: refused: {e}");
            Ok(ExitCode::from(REFUSED))
        }
        Err(SourceError::Failed(e)) => {
            crate::errln!("edgetop: failed: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// `toggle`, `rotate`, `rotation …`.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    if let Some(p) = startup::log_path(args) {
        startup::init_logging(&p)?;
    }
    let eff = startup::effective(args)?;
    let rt = startup::runtime()?;
    let code = rt.block_on(async {
        let (source, who, _) = startup::account(args, &eff).await?;
        let audit = startup::audit_for(args, who);
        change(args, source, audit, eff.read_only).await
    })?;
    rt.shutdown_timeout(Duration::from_millis(200));
    Ok(code)
}
