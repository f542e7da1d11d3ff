//! The subcommands that change things, for scripts and for operators who prefer a prompt:
//! `toggle`, `rotate`, `rotation list|finish|rollback|delete-old`, `block`, `unblock`,
//! `rate-limit`, `disable-key`, `enable-key`.
//! Each reads the account, prints the plan, and with `--dry-run` stops there; otherwise it asks
//! (or takes `--yes`), records the confirmation in the audit log, runs, and records the result.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, bail};

use crate::commands::cli::{Command, RotationAction, ScopeArg};
use crate::commands::startup::{self, Run};
use crate::model::{Scope, Snapshot, Text};
use crate::ops::audit::Audit;
use crate::ops::procedure;
use crate::ops::{self, Op, Progress, Reporter, StepState};
use crate::source::{AnySource, ChangeTarget, Source};

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

/// Ask on the terminal, or take `--yes`; with no terminal and no `--yes`, refuse. A change
/// that asks for a word to be typed (a wide range, the name of a key to delete) takes it on the
/// terminal, or from `--confirm` with `--yes`.
fn confirmed(yes: bool, typed: Option<&str>, given: Option<&str>) -> anyhow::Result<bool> {
    let want = typed.unwrap_or("yes");
    if yes {
        return match typed {
            None => Ok(true),
            Some(w) if given == Some(w) => Ok(true),
            Some(w) => bail!(
                "this change asks for {} to be typed: pass --confirm {} with --yes",
                Text::new(w),
                Text::new(w)
            ),
        };
    }
    if !std::io::stdin().is_terminal() {
        bail!("no terminal to confirm on: pass --yes to go ahead (or --dry-run to only look)");
    }
    crate::host::output::err_prompt(&format!("Type {} to go ahead: ", Text::new(want)));
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']) == want)
}

fn scope_of(s: ScopeArg) -> Scope {
    match s {
        ScopeArg::Regional => Scope::Regional,
        ScopeArg::Cloudfront => Scope::Cloudfront,
    }
}

/// Of several IP sets that could take a block, the one named with `--ip-set`.
fn one_block(ops: Vec<Op>, ip_set: Option<&str>) -> anyhow::Result<Op> {
    let named = |op: &Op| match op {
        Op::Block(b) => {
            ip_set.is_none_or(|s| b.ip_set.name.as_str() == s || b.ip_set.id.as_str() == s)
        }
        _ => false,
    };
    let mut ops: Vec<Op> = ops.into_iter().filter(named).collect();
    match ops.len() {
        1 => Ok(ops.remove(0)),
        0 => bail!(
            "no IP set {} here takes it",
            Text::new(ip_set.unwrap_or_default())
        ),
        _ => {
            let names: Vec<String> = ops
                .iter()
                .filter_map(|o| match o {
                    Op::Block(b) => Some(b.ip_set.name.to_string()),
                    _ => None,
                })
                .collect();
            bail!(
                "several IP sets could take it ({}): name one with --ip-set",
                names.join(", ")
            )
        }
    }
}

/// The responses to an attack: block, unblock, a rate limit, a key switched, an old key
/// deleted. Several only for `unblock --expired`.
fn respond_ops(
    cmd: &Command,
    source: &AnySource,
    snap: &Snapshot,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<Option<Vec<Op>>> {
    use crate::ops::respond;
    let here = crate::model::Place::default();
    Ok(Some(match cmd {
        Command::Block {
            address,
            for_,
            web_acl,
            ip_set,
            ..
        } => {
            let expires = match for_ {
                Some(d) => Some(now + respond::parse_for(d).map_err(anyhow::Error::msg)?),
                None => None,
            };
            let acls = web_acl.as_ref().map(|a| vec![a.as_str()]);
            let ops = respond::block_choices(snap, here, address, acls.as_deref(), expires)?;
            vec![one_block(ops, ip_set.as_deref())?]
        }
        Command::Unblock {
            address: Some(address),
            ip_set,
            ..
        } => vec![respond::unblock_of(
            snap,
            here,
            address,
            ip_set.as_deref(),
            respond::Why::Asked,
        )?],
        Command::Unblock { .. } => respond::expired(snap, now),
        Command::RateLimit {
            web_acl,
            rule,
            limit,
            window,
            scope,
            ..
        } => {
            let (acl, r) = procedure::rule_named(snap, web_acl, rule, scope.map(scope_of))?;
            vec![respond::rate_limit_of(snap, acl, r, *limit, *window)?]
        }
        Command::DisableKey { key, .. } | Command::EnableKey { key, .. } => {
            let enable = matches!(cmd, Command::EnableKey { .. });
            vec![respond::key_switch_of(
                snap,
                procedure::key_named(snap, key)?,
                enable,
            )?]
        }
        Command::Rotation {
            action: RotationAction::DeleteOld { id, .. },
        } => {
            let Some(r) = source.rotation(id) else {
                bail!("no rotation {id} for this account and region in the journal");
            };
            let replaced = respond::Replaced::of(&r)?;
            vec![respond::delete_old_of(&replaced, snap, now)?]
        }
        _ => return Ok(None),
    }))
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

/// `rotation list`: the rotations the journal holds unfinished, and where each stopped.
fn list_rotations(source: &AnySource) {
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
}

/// What a change reads before it plans: the rule, the key or the addresses it acts on; none
/// when it works from the journal alone (finishing or rolling back a rotation).
fn target_of(cmd: &Command, source: &AnySource) -> anyhow::Result<Option<ChangeTarget>> {
    Ok(match cmd {
        Command::Toggle { web_acl, scope, .. } => Some(ChangeTarget::Rule {
            web_acl: web_acl.clone(),
            scope: scope.map(scope_of),
        }),
        Command::Rotate { key, .. }
        | Command::DisableKey { key, .. }
        | Command::EnableKey { key, .. } => Some(ChangeTarget::Key(key.clone())),
        Command::RateLimit { web_acl, scope, .. } => Some(ChangeTarget::Rule {
            web_acl: web_acl.clone(),
            scope: scope.map(scope_of),
        }),
        Command::Block { web_acl, .. } => Some(ChangeTarget::Addresses {
            web_acl: web_acl.clone(),
        }),
        Command::Unblock { .. } => Some(ChangeTarget::Addresses { web_acl: None }),
        Command::Rotation {
            action: RotationAction::DeleteOld { id, .. },
        } => match source.rotation(id) {
            Some(r) => Some(ChangeTarget::Key(r.old_key_id.clone())),
            None => bail!("no rotation {id} for this account and region in the journal"),
        },
        _ => None,
    })
}

async fn change(
    run: &Run,
    mut source: AnySource,
    audit: Option<Audit>,
    read_only: Option<String>,
) -> anyhow::Result<ExitCode> {
    let cmd = run.command.as_ref().context("no subcommand")?;
    if let Command::Rotation {
        action: RotationAction::List,
    } = cmd
    {
        list_rotations(&source);
        return Ok(ExitCode::SUCCESS);
    }
    // Only what the change needs is read (a whole 10,000-key account takes minutes);
    // finishing or rolling back works from the journal alone.
    let target = target_of(cmd, &source)?;
    let snap = match target {
        Some(t) => source
            .read_for(&t)
            .await
            .map_err(|e| anyhow::anyhow!("cannot read the account: {e}"))?,
        None => Snapshot::default(),
    };
    let audit = audit.as_ref();
    if let Some(ops) = respond_ops(cmd, &source, &snap, chrono::Utc::now())? {
        if ops.is_empty() {
            crate::errln!("edgetop: no block edgetop added has expired");
            return Ok(ExitCode::SUCCESS);
        }
        let (yes, given) = match cmd {
            Command::Block { yes, confirm, .. }
            | Command::Rotation {
                action: RotationAction::DeleteOld { yes, confirm, .. },
            } => (*yes, confirm.as_deref()),
            Command::Unblock { yes, .. }
            | Command::RateLimit { yes, .. }
            | Command::DisableKey { yes, .. }
            | Command::EnableKey { yes, .. } => (*yes, None),
            _ => (false, None),
        };
        let mut code = ExitCode::SUCCESS;
        for op in ops {
            let plan = ops::plan(&op, &snap);
            let typed = ops::respond::typed(&op);
            let one = Step {
                op: &op,
                plan: &plan,
                yes,
                typed: typed.as_deref(),
                given,
                show_value: false,
            };
            let c = one
                .run(run.dry_run, &source, audit, read_only.as_deref())
                .await?;
            if c != ExitCode::SUCCESS {
                code = c;
            }
        }
        return Ok(code);
    }
    let (op, plan, yes, show_value) = op_and_plan(cmd, &source, &snap)?;
    let one = Step {
        op: &op,
        plan: &plan,
        yes,
        typed: None,
        given: None,
        show_value,
    };
    one.run(run.dry_run, &source, audit, read_only.as_deref())
        .await
}

/// One change: its plan printed, then stopped (dry run), refused (read-only), confirmed and
/// carried out.
struct Step<'a> {
    op: &'a Op,
    plan: &'a ops::Plan,
    yes: bool,
    typed: Option<&'a str>,
    given: Option<&'a str>,
    show_value: bool,
}

impl Step<'_> {
    async fn run(
        &self,
        dry_run: bool,
        source: &AnySource,
        audit: Option<&Audit>,
        read_only: Option<&str>,
    ) -> anyhow::Result<ExitCode> {
        let (op, plan, show_value) = (self.op, self.plan, self.show_value);
        for line in plan.lines() {
            crate::outln!("{line}");
        }
        if dry_run {
            procedure::dry_run(op, audit)?;
            crate::outln!("{}", procedure::say::DRY_RUN);
            return Ok(ExitCode::SUCCESS);
        }
        if let Some(why) = read_only {
            procedure::refuse(op, audit, why)?;
            crate::errln!("edgetop: {}", ops::OpError::Refused(why.into()).about(op));
            return Ok(ExitCode::from(REFUSED));
        }
        if !confirmed(self.yes, self.typed, self.given)? {
            crate::errln!("edgetop: {}", procedure::say::NOT_CONFIRMED);
            return Ok(ExitCode::from(REFUSED));
        }
        let actions = source.actions();
        let result =
            procedure::carry_out(op, audit, || actions.apply(op.clone(), stderr_reporter())).await;
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
                crate::errln!("edgetop: {}", e.about(op));
                Ok(ExitCode::from(if e.refused() { REFUSED } else { 1 }))
            }
        }
    }
}

/// `toggle`, `rotate`, `rotation …`, and the responses (`block`, `unblock`, …).
pub fn run(run: &Run) -> anyhow::Result<ExitCode> {
    // Without a log the change still runs, recorded in its audit log (without which nothing
    // runs).
    startup::log_or_warn(run);
    let rt = startup::runtime()?;
    let code = rt.block_on(async {
        let opened = startup::account(run).await?;
        if matches!(opened.source, crate::source::AnySource::Many(_)) {
            anyhow::bail!(
                "a change acts in one account and region: name one with --profile and --region \
                 (the dashboard acts on many, on the row chosen)"
            );
        }
        // The config's word for this account first: --read-write does not lift it.
        let read_only = opened.read_only.or_else(|| {
            run.read_only
                .then(|| procedure::say::read_only("this change"))
        });
        let (source, audit) = (opened.source, startup::audit_for(run, opened.who));
        change(run, source, audit, read_only).await
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
