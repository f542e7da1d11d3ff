//! The one procedure every operation follows, whoever starts it — a key in the dashboard, a
//! subcommand — and the engine that runs it:
//!
//! 1. find the target: a rule by web ACL and name, a key by id or name ([`find_rule`],
//!    [`find_key`], or [`toggle_of`] and [`rotation_of`] for a row on screen);
//! 2. check it may run: not read-only, nothing else running ([`check`]);
//! 3. plan it ([`super::plan`]), shown and confirmed by the caller;
//! 4. record the confirmation, run, record the end ([`carry_out`]), or record why it was
//!    refused ([`refuse`]).
//!
//! Every message about it is written here, so the screen and the terminal say the same thing.

use std::future::Future;

use super::audit::{Audit, AuditError, Phase};
use super::{Op, OpOutcome, Toggle, toggled_for, toggled_inner};
use crate::model::{Action, ApiKey, Rule, RuleKind, Scope, Snapshot, Text, WebAcl};

/// Why an operation did not happen. The kind decides the colour on screen and the exit code.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum OpError {
    /// Not run, or stopped by a rule: read-only, another one running, no such target, no
    /// audit log, or AWS denied it. Nothing was changed.
    #[error("{0}")]
    Refused(String),
    /// It ran, and something went wrong on the way.
    #[error("{0}")]
    Failed(String),
}

impl OpError {
    pub fn refused(&self) -> bool {
        matches!(self, OpError::Refused(_))
    }

    /// The same kind with its text changed (escaped for the screen, say).
    pub fn map(self, f: impl FnOnce(String) -> String) -> OpError {
        match self {
            OpError::Refused(s) => OpError::Refused(f(s)),
            OpError::Failed(s) => OpError::Failed(f(s)),
        }
    }

    /// "X refused: why" or "X failed: why", for the footer and stderr.
    pub fn about(&self, op: &Op) -> String {
        match self {
            OpError::Refused(e) => format!("{} refused: {e}", op.summary()),
            OpError::Failed(e) => format!("{} failed: {e}", op.summary()),
        }
    }
}

/// Without a record, nothing is changed: an audit log that cannot be written refuses.
impl From<AuditError> for OpError {
    fn from(e: AuditError) -> OpError {
        OpError::Refused(e.to_string())
    }
}

fn refused<T>(why: String) -> Result<T, OpError> {
    Err(OpError::Refused(why))
}

/// What the operator did that cannot go ahead now, in words.
pub mod say {
    /// Read-only mode refuses `what` ("toggling a WAF rule").
    /// An account the config keeps read-only, whatever the mode.
    pub fn read_only_at(at: &super::super::At) -> String {
        format!(
            "{} is read-only (read_only in its [[accounts]] entry of the config file): nothing \
             is changed there",
            at
        )
    }

    pub fn read_only(what: &str) -> String {
        format!(
            "read-only mode: {what} is disabled (--read-only, or read_only in the config file; \
             --read-write overrides the config)"
        )
    }

    pub const BUSY: &str = "an operation is running: one at a time (o shows it)";
    pub const NO_AUDIT: &str =
        "there is no audit log (no state directory): nothing is changed without one";
    pub const CANCELLED: &str = "cancelled: nothing was changed";
    pub const NOT_CONFIRMED: &str = "not confirmed: nothing was changed";
    pub const DRY_RUN: &str = "dry run: nothing was changed";
    pub const READ_ONLY_UNCHANGED: &str = "read-only mode: nothing was changed";
}

/// May an operation start? Read-only mode refuses `what`; one operation at a time.
pub fn check(read_only: bool, busy: bool, what: &str) -> Result<(), OpError> {
    if read_only {
        return refused(say::read_only(what));
    }
    if busy {
        return refused(say::BUSY.into());
    }
    Ok(())
}

/// The toggle of a rule's own action (or a group's override), or of one inner rule's override.
pub fn toggle_of(acl: &WebAcl, rule: &Rule, inner: Option<&str>) -> Result<Op, OpError> {
    if rule.pending {
        return refused(format!(
            "{}: a change is pending; wait for a read to confirm it",
            rule.name
        ));
    }
    let is_group = matches!(rule.kind, RuleKind::ManagedGroup { .. });
    let (from, to) = match inner {
        None => match toggled_for(rule.action, is_group) {
            Some(to) => (rule.action, to),
            None => {
                return refused(format!(
                    "{} is {}: only Block ↔ Count (or a group's override) can be toggled",
                    rule.name,
                    rule.action.label()
                ));
            }
        },
        Some(i) => {
            let RuleKind::ManagedGroup { inner_rules, .. } = &rule.kind else {
                return refused(format!(
                    "{} is not a rule group: an inner rule does not apply",
                    rule.name
                ));
            };
            // An inner rule not listed has no override: the group decides.
            let from = inner_rules
                .iter()
                .find(|x| x.name.as_str() == i)
                .map_or(Action::GroupActions, |x| x.action);
            (from, toggled_inner(from))
        }
    };
    Ok(Op::ToggleRule(Toggle {
        scope: acl.scope,
        web_acl_id: acl.id.clone(),
        web_acl: acl.name.clone(),
        rule: rule.name.clone(),
        inner: inner.map(Text::new),
        from,
        to,
        custom: inner.is_none().then(|| rule.custom.clone()).flatten(),
        kept: inner.is_none().then(|| rule.kept.clone()).flatten(),
        at: None,
    }))
}

/// The toggle of rule `rule` in web ACL `web_acl` (of `scope`, when two share the name).
pub fn find_rule(
    snap: &Snapshot,
    web_acl: &str,
    rule: &str,
    inner: Option<&str>,
    scope: Option<Scope>,
) -> Result<Op, OpError> {
    let (acl, r) = rule_named(snap, web_acl, rule, scope)?;
    toggle_of(acl, r, inner)
}

/// Rule `rule` of web ACL `web_acl` (of `scope`, when two share the name), named on the
/// command line.
pub fn rule_named<'a>(
    snap: &'a Snapshot,
    web_acl: &str,
    rule: &str,
    scope: Option<Scope>,
) -> Result<(&'a crate::model::WebAcl, &'a crate::model::Rule), OpError> {
    let acls: Vec<_> = snap
        .web_acls
        .iter()
        .filter(|a| a.name.as_str() == web_acl && scope.is_none_or(|s| s == a.scope))
        .collect();
    let acl = match acls.as_slice() {
        [a] => *a,
        [] => return refused(format!("no web ACL named {}", Text::new(web_acl))),
        _ => {
            return refused(format!(
                "two web ACLs are named {}: pass --scope",
                Text::new(web_acl)
            ));
        }
    };
    let Some(r) = acl.rules.iter().find(|r| r.name.as_str() == rule) else {
        return refused(format!(
            "web ACL {} has no rule {}",
            acl.name,
            Text::new(rule)
        ));
    };
    Ok((acl, r))
}

/// The rotation of a key, if it can be rotated.
pub fn rotation_of(key: &ApiKey) -> Result<Op, OpError> {
    if !key.enabled {
        return refused(format!(
            "API key {} is disabled: there is nothing to rotate",
            key.name
        ));
    }
    Ok(Op::RotateKey {
        key_id: key.id.clone(),
        key_name: key.name.clone(),
        at: None,
    })
}

/// The rotation of the key whose id or name is `key`.
pub fn find_key(snap: &Snapshot, key: &str) -> Result<Op, OpError> {
    rotation_of(key_named(snap, key)?)
}

/// The one API key of this id or name.
pub fn key_named<'a>(snap: &'a Snapshot, key: &str) -> Result<&'a crate::model::ApiKey, OpError> {
    let found: Vec<_> = snap
        .api_keys
        .iter()
        .filter(|k| k.id.as_str() == key || k.name.as_str() == key)
        .collect();
    match found.as_slice() {
        [k] => Ok(k),
        [] => refused(format!("no API key with the id or name {}", Text::new(key))),
        _ => refused(format!(
            "several API keys are named {}: use the id",
            Text::new(key)
        )),
    }
}

/// Record that `op` was only shown (`--dry-run`).
pub fn dry_run(op: &Op, audit: Option<&Audit>) -> Result<(), OpError> {
    match audit {
        Some(a) => a.record(Phase::DryRun, op, None).map_err(OpError::from),
        None => refused(say::NO_AUDIT.into()),
    }
}

/// [`refuse`], off the runtime's workers.
pub async fn refuse_async(op: &Op, audit: Option<&Audit>, why: &str) -> Result<(), OpError> {
    match audit {
        Some(a) => a
            .write(Phase::Refused, op, Some(why))
            .await
            .map_err(OpError::from),
        None => refused(say::NO_AUDIT.into()),
    }
}

/// Record that `op` was refused, and why.
pub fn refuse(op: &Op, audit: Option<&Audit>, why: &str) -> Result<(), OpError> {
    match audit {
        Some(a) => a
            .record(Phase::Refused, op, Some(why))
            .map_err(OpError::from),
        None => refused(say::NO_AUDIT.into()),
    }
}

/// Record the confirmation, run what `start` starts, and record how it ended. Nothing runs
/// that the audit log does not hold: without one, or when it cannot be written, it is refused.
pub async fn carry_out<F, E>(
    op: &Op,
    audit: Option<&Audit>,
    start: impl FnOnce() -> F,
) -> Result<OpOutcome, OpError>
where
    F: Future<Output = Result<OpOutcome, E>>,
    E: Into<OpError>,
{
    match audit {
        Some(a) => a
            .write(Phase::Confirmed, op, None)
            .await
            .map_err(|e| OpError::Refused(format!("not run: {e}")))?,
        None => return refused(say::NO_AUDIT.into()),
    }
    tracing::info!(op = %op.summary(), "operation started");
    let result = start().await.map_err(Into::into);
    let (phase, said) = match &result {
        Ok(o) => (Phase::Succeeded, o.message.clone()),
        Err(e @ OpError::Refused(_)) => (Phase::Refused, e.to_string()),
        Err(e @ OpError::Failed(_)) => (Phase::Failed, e.to_string()),
    };
    tracing::info!(op = %op.summary(), ?phase, outcome = %said, "operation ended");
    if let Some(a) = audit
        && let Err(e) = a.write(phase, op, Some(&said)).await
    {
        tracing::error!(error = %e, "audit log");
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::demo::{DEMO_START, DemoSource};

    fn snap() -> Snapshot {
        DemoSource::new(11, 1.0).snapshot_at(DEMO_START)
    }

    #[test]
    fn targets_are_found_by_name_or_refused_saying_why() {
        let s = snap();
        let acl = &s.web_acls[0];
        let rule = acl
            .rules
            .iter()
            .find(|r| matches!(r.action, Action::Block | Action::Count))
            .unwrap();
        let op = find_rule(&s, acl.name.as_str(), rule.name.as_str(), None, None).unwrap();
        assert_eq!(op, toggle_of(acl, rule, None).unwrap());
        let e = find_rule(&s, "nope", "x", None, None).unwrap_err();
        assert_eq!(e, OpError::Refused("no web ACL named nope".into()));
        let e = find_rule(&s, acl.name.as_str(), "nope", None, None).unwrap_err();
        assert!(
            e.refused() && e.to_string().contains("has no rule nope"),
            "{e}"
        );

        let key = s.api_keys.iter().find(|k| k.enabled).unwrap();
        assert_eq!(find_key(&s, key.id.as_str()), rotation_of(key));
        assert_eq!(find_key(&s, key.name.as_str()), rotation_of(key));
        let off = s.api_keys.iter().find(|k| !k.enabled).unwrap();
        let e = find_key(&s, off.name.as_str()).unwrap_err();
        assert!(e.to_string().contains("nothing to rotate"), "{e}");
    }

    #[test]
    fn checks_refuse_read_only_then_busy() {
        assert_eq!(check(false, false, "x"), Ok(()));
        let e = check(true, true, "toggling a WAF rule").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("read-only mode: toggling a WAF rule is disabled")
        );
        assert_eq!(
            check(false, true, "x"),
            Err(OpError::Refused(say::BUSY.into()))
        );
    }

    #[tokio::test]
    async fn nothing_runs_without_an_audit_record_and_each_end_is_recorded() {
        let s = snap();
        let op = find_key(&s, s.api_keys[0].id.as_str()).unwrap();
        let mut ran = false;
        let r = carry_out(&op, None, || {
            ran = true;
            async { Ok::<_, OpError>(OpOutcome::said("done")) }
        })
        .await;
        assert_eq!(r.unwrap_err(), OpError::Refused(say::NO_AUDIT.into()));
        assert!(!ran, "nothing ran");

        let dir = std::env::temp_dir().join(format!("edgetop-procedure-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let audit = Audit::new(dir.join("audit.jsonl"), Default::default());
        let r = carry_out(&op, Some(&audit), || async {
            Err::<OpOutcome, _>(OpError::Failed("AWS said no".into()))
        })
        .await;
        assert_eq!(r.unwrap_err(), OpError::Failed("AWS said no".into()));
        let phases: Vec<Phase> = super::super::audit::read_last(audit.path(), 10)
            .unwrap()
            .into_iter()
            .map(|e| e.unwrap().phase)
            .collect();
        assert_eq!(phases, [Phase::Confirmed, Phase::Failed]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
