//! The app's side of operations: the one that is running (or ran last) and its progress, the
//! rule changes sent but not yet confirmed by a read (shown at once, marked pending), the
//! choices of a rule group toggle, rotations to finish or roll back, and the audit log view.

use std::sync::Arc;

use crate::model::{Action, Rule, RuleKind, Snapshot, WebAcl};
use crate::ops::audit::Entry;
use crate::ops::journal::Rotation;
use crate::ops::procedure::{self, OpError};
use crate::ops::{self, Op, Progress, Toggle};

/// The operation that runs now, or ran last.
#[derive(Clone, Debug)]
pub struct Running {
    pub op: Op,
    pub progress: Option<Progress>,
    /// Its result, once it ended.
    pub ended: Option<Result<String, OpError>>,
}

impl Running {
    pub fn is_running(&self) -> bool {
        self.ended.is_none()
    }
}

/// A toggle WAF accepted that reads do not show yet.
#[derive(Clone, Debug)]
pub struct Pending {
    pub toggle: Toggle,
    /// Reads since it was accepted that did not show it.
    pub reads: u32,
}

/// After this many reads that do not show an accepted change, stop showing it as pending.
pub const PENDING_READS: u32 = 5;

/// What a rule group's toggle can change: the group's override, or one inner rule's.
#[derive(Clone, Debug)]
pub struct Pick {
    pub title: String,
    pub choices: Vec<(String, Op)>,
    pub selected: usize,
}

/// Rotations found unfinished at start (or with `:rotations`).
#[derive(Clone, Debug)]
pub struct ResumeOffer {
    pub rotations: Vec<Rotation>,
    pub broken: Vec<String>,
    pub selected: usize,
}

/// The audit log, as read when it was opened.
#[derive(Clone, Debug)]
pub struct AuditView {
    pub entries: Result<Vec<Result<Entry, String>>, String>,
    pub scroll: usize,
}

/// For a rule group: its override, then every inner rule's.
pub fn group_choices(acl: &WebAcl, rule: &Rule, at: Option<ops::At>) -> Vec<(String, Op)> {
    let mut out = Vec::new();
    let toggle = |inner| procedure::toggle_of(acl, rule, inner).map(|op| op.acting_at(at.clone()));
    if let Ok(op) = toggle(None)
        && let Op::ToggleRule(t) = &op
    {
        out.push((
            format!(
                "the whole group ({}): {} → {}",
                rule.name,
                t.from.label(),
                t.to.label()
            ),
            op.clone(),
        ));
    }
    if let RuleKind::ManagedGroup { inner_rules, .. } = &rule.kind {
        for i in inner_rules {
            if let Ok(op) = toggle(Some(i.name.as_str()))
                && let Op::ToggleRule(t) = &op
            {
                out.push((
                    format!(
                        "{}: {} → {}",
                        i.name,
                        ops::label(t.from, true),
                        ops::label(t.to, true)
                    ),
                    op.clone(),
                ));
            }
        }
    }
    out
}

/// Where a toggle acts: its place when many are in view, else the only one.
fn place_of(t: &Toggle) -> crate::model::Place {
    t.at.as_ref()
        .map_or(crate::model::Place::default(), |a| a.place)
}

/// The setting a toggle is about, as `snap` has it (None: the rule is gone).
fn setting(snap: &Snapshot, t: &Toggle) -> Option<Action> {
    let acl = snap
        .web_acls
        .iter()
        .find(|a| a.scope == t.scope && a.name == t.web_acl && a.place == place_of(t))?;
    let rule = acl.rules.iter().find(|r| r.name == t.rule)?;
    match &t.inner {
        None => Some(rule.action),
        Some(inner) => match &rule.kind {
            RuleKind::ManagedGroup { inner_rules, .. } => Some(
                inner_rules
                    .iter()
                    .find(|i| i.name == *inner)
                    .map_or(Action::GroupActions, |i| i.action),
            ),
            _ => None,
        },
    }
}

fn show(snap: &mut Snapshot, t: &Toggle) {
    let Some(acl) = snap
        .web_acls
        .iter_mut()
        .find(|a| a.scope == t.scope && a.name == t.web_acl && a.place == place_of(t))
    else {
        return;
    };
    let Some(rule) = acl.rules.iter_mut().find(|r| r.name == t.rule) else {
        return;
    };
    rule.pending = true;
    match (&t.inner, &mut rule.kind) {
        (None, _) => rule.action = t.to,
        (Some(inner), RuleKind::ManagedGroup { inner_rules, .. }) => {
            match inner_rules.iter_mut().find(|i| i.name == *inner) {
                Some(i) => i.action = t.to,
                None => inner_rules.push(crate::model::InnerRule {
                    name: inner.clone(),
                    action: t.to,
                }),
            }
        }
        _ => {}
    }
}

/// Show accepted changes a read does not show yet, marked pending; drop those a read confirms
/// (and those still unconfirmed after [`PENDING_READS`] reads, which are returned).
/// `counts`: whether this snapshot is a new read (not the same one shown again).
pub fn overlay(
    snap: Arc<Snapshot>,
    pending: &mut Vec<Pending>,
    counts: bool,
) -> (Arc<Snapshot>, Vec<Toggle>) {
    let mut given_up = Vec::new();
    pending.retain_mut(|p| {
        if setting(&snap, &p.toggle) == Some(p.toggle.to) {
            return false;
        }
        if counts {
            p.reads += 1;
        }
        if p.reads > PENDING_READS {
            given_up.push(p.toggle.clone());
            return false;
        }
        true
    });
    if pending.is_empty() {
        return (snap, given_up);
    }
    let mut s = (*snap).clone();
    for p in pending.iter() {
        show(&mut s, &p.toggle);
    }
    (Arc::new(s), given_up)
}
