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

/// A change AWS accepted that reads do not show yet ("applying").
#[derive(Clone, Debug)]
pub struct Pending {
    pub op: Op,
    /// Reads since it was accepted that did not show it.
    pub reads: u32,
}

/// After this many reads that do not show an accepted change, stop showing it as pending.
pub const PENDING_READS: u32 = 5;

/// A choice among operations (what a rule group's toggle changes, which IP set a block goes
/// into) or addresses (which of a stage's direct-hit sources to block).
#[derive(Clone, Debug)]
pub struct Pick {
    pub title: String,
    pub choices: Vec<(String, Choice)>,
    pub selected: usize,
}

/// What a pick leads to.
#[derive(Clone, Debug)]
pub enum Choice {
    /// Its plan, to confirm.
    Op(Op),
    /// An address to block: asked for how long next.
    Address(AddressToBlock),
}

/// An address to block, and where: the web ACLs that see its traffic (every one when empty).
#[derive(Clone, Debug, PartialEq)]
pub struct AddressToBlock {
    pub place: crate::model::Place,
    pub range: String,
    pub acls: Vec<String>,
}

/// A value the operator types before a plan: how long a block lasts, a rule's new limit.
#[derive(Clone, Debug)]
pub struct Input {
    pub title: String,
    pub prompt: String,
    pub value: String,
    pub then: InputFor,
}

#[derive(Clone, Debug)]
pub enum InputFor {
    /// How long to block it ("1h", empty: until removed).
    BlockFor(AddressToBlock),
    /// A rate-based rule's new limit ("500", or "500/60" with a new window).
    Limit {
        place: crate::model::Place,
        scope: crate::model::Scope,
        web_acl: crate::model::Text,
        rule: crate::model::Text,
    },
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
pub fn group_choices(acl: &WebAcl, rule: &Rule, at: Option<ops::At>) -> Vec<(String, Choice)> {
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
            Choice::Op(op.clone()),
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
                    Choice::Op(op.clone()),
                ));
            }
        }
    }
    out
}

/// Where an operation acts: its place when many are in view, else the only one.
fn place_of(op: &Op) -> crate::model::Place {
    op.at().map_or(crate::model::Place::default(), |a| a.place)
}

/// The setting a toggle is about, as `snap` has it (None: the rule is gone).
fn setting(snap: &Snapshot, t: &Toggle, place: crate::model::Place) -> Option<Action> {
    let acl = snap
        .web_acls
        .iter()
        .find(|a| a.scope == t.scope && a.name == t.web_acl && a.place == place)?;
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

fn rule_mut<'a>(
    snap: &'a mut Snapshot,
    place: crate::model::Place,
    scope: crate::model::Scope,
    web_acl: &crate::model::Text,
    rule: &crate::model::Text,
) -> Option<&'a mut crate::model::Rule> {
    snap.web_acls
        .iter_mut()
        .find(|a| a.scope == scope && a.name == *web_acl && a.place == place)?
        .rules
        .iter_mut()
        .find(|r| r.name == *rule)
}

/// Whether `snap` shows `op` done.
fn shows(snap: &Snapshot, op: &Op) -> bool {
    let place = place_of(op);
    let set = |id: &crate::model::Text| {
        snap.ip_sets
            .iter()
            .find(|s| s.place == place && s.id == *id)
    };
    match op {
        Op::ToggleRule(t) => setting(snap, t, place) == Some(t.to),
        Op::RateLimit(r) => snap
            .web_acls
            .iter()
            .filter(|a| a.place == place && a.scope == r.scope && a.name == r.web_acl)
            .flat_map(|a| &a.rules)
            .any(|x| {
                x.name == r.rule
                    && matches!(x.kind, RuleKind::RateBased { limit, window_secs, .. }
                        if limit == r.to.limit && window_secs == r.to.window_secs)
            }),
        Op::Block(b) => set(&b.ip_set.id).is_none_or(|s| s.lists(b.range.as_str())),
        Op::Unblock(u) => set(&u.ip_set.id).is_none_or(|s| !s.lists(u.range.as_str())),
        Op::SetKeyEnabled(k) => snap
            .api_keys
            .iter()
            .find(|x| x.place == place && x.id == k.key_id)
            .is_none_or(|x| x.enabled == k.enable),
        _ => true,
    }
}

/// Show `op` done on `snap`, marked applying.
fn show(snap: &mut Snapshot, op: &Op) {
    let place = place_of(op);
    match op {
        Op::ToggleRule(t) => {
            let Some(rule) = rule_mut(snap, place, t.scope, &t.web_acl, &t.rule) else {
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
        Op::RateLimit(r) => {
            if let Some(rule) = rule_mut(snap, place, r.scope, &r.web_acl, &r.rule) {
                rule.pending = true;
                if let RuleKind::RateBased {
                    limit, window_secs, ..
                } = &mut rule.kind
                {
                    (*limit, *window_secs) = (r.to.limit, r.to.window_secs);
                }
            }
        }
        Op::Block(b) => {
            if let Some(s) = snap
                .ip_sets
                .iter_mut()
                .find(|s| s.place == place && s.id == b.ip_set.id)
            {
                s.applying.push(b.range.clone());
            }
        }
        Op::Unblock(u) => {
            for s in snap
                .ip_sets
                .iter_mut()
                .filter(|s| s.place == place && s.id == u.ip_set.id)
            {
                s.addresses
                    .retain(|a| !crate::model::ip_set::same_range(a.as_str(), u.range.as_str()));
            }
            snap.blocks.retain(|b| {
                !(b.place == place && b.ip_set_id == u.ip_set.id && b.range == u.range)
            });
        }
        Op::SetKeyEnabled(k) => {
            if let Some(x) = snap
                .api_keys
                .iter_mut()
                .find(|x| x.place == place && x.id == k.key_id)
            {
                x.enabled = k.enable;
                x.pending = true;
            }
        }
        _ => {}
    }
}

/// Show accepted changes a read does not show yet, marked applying; drop those a read
/// confirms (and those still unconfirmed after [`PENDING_READS`] reads, which are returned).
/// `counts`: whether this snapshot is a new read (not the same one shown again).
pub fn overlay(
    snap: Arc<Snapshot>,
    pending: &mut Vec<Pending>,
    counts: bool,
) -> (Arc<Snapshot>, Vec<Op>) {
    let mut given_up = Vec::new();
    pending.retain_mut(|p| {
        if shows(&snap, &p.op) {
            return false;
        }
        if counts {
            p.reads += 1;
        }
        if p.reads > PENDING_READS {
            given_up.push(p.op.clone());
            return false;
        }
        true
    });
    if pending.is_empty() {
        return (snap, given_up);
    }
    let mut s = (*snap).clone();
    for p in pending.iter() {
        show(&mut s, &p.op);
    }
    (Arc::new(s), given_up)
}
