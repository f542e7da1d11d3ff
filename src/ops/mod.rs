//! Mutations, each an explicit plan that is shown before it runs.
//!
//! An [`Op`] is what the operator asked for; [`Plan`] is the list of steps and API calls it
//! takes, drawn in the confirmation dialog and printed by `--dry-run`. The engine hands a
//! confirmed `Op` to the source, which reports [`Progress`] while it runs. Rotations keep a
//! [`journal`] so that a rotation cut short can be finished or rolled back; every operation is
//! written to the [`audit`] log.

pub mod audit;
pub mod blocks;
pub mod journal;
pub(crate) mod kept;
mod plans;
pub mod procedure;
pub mod respond;
pub mod state_file;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::model::{Action, Scope, Secret, Snapshot, Text};
pub use plans::*;
pub use procedure::OpError;

/// What an operation did, to tell the operator.
#[derive(Debug)]
pub struct OpOutcome {
    pub message: String,
    /// A value to show once (a new API key), masked until revealed.
    pub secret: Option<Secret>,
}

impl OpOutcome {
    /// Done, with nothing secret to show.
    pub fn said(message: impl Into<String>) -> OpOutcome {
        OpOutcome {
            message: message.into(),
            secret: None,
        }
    }
}

/// Switch one thing in a web ACL between two actions: a rule's action (Block ↔ Count), a rule
/// group reference's override (None ↔ Count), or the override of one rule inside a rule group
/// (none ↔ Count). [`Action::GroupActions`] stands for "no override: the group decides".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Toggle {
    pub scope: Scope,
    pub web_acl_id: Text,
    pub web_acl: Text,
    pub rule: Text,
    /// A rule inside the rule group `rule`, whose override is toggled.
    pub inner: Option<Text>,
    pub from: Action,
    pub to: Action,
    /// What the rule's current action carries beyond its kind (a custom response, inserted
    /// headers), as the screen read it: the plan says what becomes of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<Text>,
    /// What an earlier toggle here kept of the action this one returns to, put back now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Box<At>>,
}

/// Where an operation acts, when more than one account or region is in view: the row's
/// place, named for the confirmation and the audit log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct At {
    pub place: crate::model::Place,
    pub label: Text,
    pub account: Text,
    pub region: Text,
}

impl At {
    /// Where a row of `snap` from `place` is, when `snap` holds more than one place.
    pub fn of(snap: &Snapshot, place: crate::model::Place) -> Option<At> {
        let info = snap.place_info(place).filter(|_| snap.many_places())?;
        Some(At {
            place,
            label: info.label.clone(),
            account: info.account.id.clone(),
            region: info.account.region.clone(),
        })
    }
}

impl std::fmt::Display for At {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({} {})", self.label, self.account, self.region)
    }
}

impl Toggle {
    /// A toggle of rule "rule" in web ACL "acl", Block → Count, for tests.
    #[cfg(test)]
    pub fn example() -> Toggle {
        Toggle {
            scope: Scope::Regional,
            web_acl_id: Text::new("id"),
            web_acl: Text::new("acl"),
            rule: Text::new("rule"),
            inner: None,
            from: Action::Block,
            to: Action::Count,
            custom: None,
            kept: None,
            at: None,
        }
    }

    /// What is toggled, in words: "rule X" or "X › inner".
    pub fn subject(&self) -> String {
        match &self.inner {
            Some(i) => format!("{} › {i}", self.rule),
            None => self.rule.to_string(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Op {
    ToggleRule(Toggle),
    /// Add a range to an IP set a Block rule references.
    Block(respond::Block),
    /// Remove a range edgetop added.
    Unblock(respond::Unblock),
    /// Change a rate-based rule's limit and window.
    RateLimit(respond::RateLimit),
    /// Disable an API key, or enable it again.
    SetKeyEnabled(respond::KeySwitch),
    /// Delete the key a finished rotation replaced.
    DeleteOldKey(respond::DeleteOld),
    /// Replace an API key with a new one, without downtime.
    RotateKey {
        key_id: Text,
        key_name: Text,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<Box<At>>,
    },
    /// Carry on with a rotation that was cut short (found in the journal), or undo it.
    ResumeRotation {
        id: String,
        key_name: Text,
        rollback: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<Box<At>>,
    },
}

impl Op {
    /// Where it acts, when more than one account or region is in view.
    pub fn at(&self) -> Option<&At> {
        match self {
            Op::ToggleRule(t) => t.at.as_deref(),
            Op::Block(b) => b.at.as_deref(),
            Op::Unblock(u) => u.at.as_deref(),
            Op::RateLimit(r) => r.at.as_deref(),
            Op::SetKeyEnabled(k) => k.at.as_deref(),
            Op::DeleteOldKey(d) => d.at.as_deref(),
            Op::RotateKey { at, .. } | Op::ResumeRotation { at, .. } => at.as_deref(),
        }
    }

    /// The same operation, acting at `at`.
    pub fn acting_at(mut self, to: Option<At>) -> Op {
        let to = to.map(Box::new);
        match &mut self {
            Op::ToggleRule(t) => t.at = to,
            Op::Block(b) => b.at = to,
            Op::Unblock(u) => u.at = to,
            Op::RateLimit(r) => r.at = to,
            Op::SetKeyEnabled(k) => k.at = to,
            Op::DeleteOldKey(d) => d.at = to,
            Op::RotateKey { at, .. } | Op::ResumeRotation { at, .. } => *at = to,
        }
        self
    }

    /// One line for logs, the audit log and messages, naming where when more than one place
    /// is in view.
    pub fn summary(&self) -> String {
        match self.at() {
            Some(at) => format!("{} in {at}", self.what()),
            None => self.what(),
        }
    }

    fn what(&self) -> String {
        match self {
            Op::ToggleRule(t) => format!(
                "{} in web ACL {}: {} → {}",
                t.subject(),
                t.web_acl,
                label(t.from, t.inner.is_some()),
                label(t.to, t.inner.is_some())
            ),
            Op::RotateKey {
                key_name, key_id, ..
            } => format!("rotate API key {key_name} ({key_id})"),
            Op::Block(b) => format!(
                "block {} in IP set {}{}",
                b.range,
                b.ip_set.name,
                b.expires
                    .map(|e| format!(" until {}", e.format("%Y-%m-%d %H:%M UTC")))
                    .unwrap_or_default()
            ),
            Op::Unblock(u) => format!("remove {} from IP set {}", u.range, u.ip_set.name),
            Op::RateLimit(r) => format!(
                "rate limit of {} in web ACL {}: {} → {}",
                r.rule, r.web_acl, r.from, r.to
            ),
            Op::SetKeyEnabled(k) => format!(
                "{} API key {} ({})",
                if k.enable { "enable" } else { "disable" },
                k.key_name,
                k.key_id
            ),
            Op::DeleteOldKey(d) => format!("delete the old API key {} ({})", d.key_name, d.key_id),
            Op::ResumeRotation {
                id,
                key_name,
                rollback,
                ..
            } => format!(
                "{} the rotation of {key_name} ({id})",
                if *rollback { "roll back" } else { "finish" }
            ),
        }
    }

    /// What the op is about, for titles: a rule or a key name.
    pub fn subject(&self) -> String {
        match self {
            Op::ToggleRule(t) => t.subject(),
            Op::Block(b) => b.range.to_string(),
            Op::Unblock(u) => u.range.to_string(),
            Op::RateLimit(r) => r.rule.to_string(),
            Op::SetKeyEnabled(respond::KeySwitch { key_name, .. })
            | Op::DeleteOldKey(respond::DeleteOld { key_name, .. })
            | Op::RotateKey { key_name, .. }
            | Op::ResumeRotation { key_name, .. } => key_name.to_string(),
        }
    }
}

/// An action as the operator reads it; for an inner rule's override, "none" when there is none.
pub fn label(a: Action, inner: bool) -> &'static str {
    if inner && a == Action::GroupActions {
        "no override"
    } else {
        a.label()
    }
}

/// Block ↔ Count for rules, group actions (override None) ↔ Count for rule group references.
pub fn toggled_for(current: Action, is_group: bool) -> Option<Action> {
    match (current, is_group) {
        (Action::Block, false) => Some(Action::Count),
        (Action::Count, false) => Some(Action::Block),
        (Action::GroupActions, true) => Some(Action::Count),
        (Action::Count, true) => Some(Action::GroupActions),
        _ => None,
    }
}

/// The override of a rule inside a group: none → Count, Count → none, any other → Count.
pub fn toggled_inner(current: Action) -> Action {
    match current {
        Action::Count => Action::GroupActions,
        _ => Action::Count,
    }
}

/// Where a running operation is: its steps and the state of each, and a line of detail
/// ("waiting for E2ABC to deploy: InProgress, 1m20s of 30m").
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    pub title: String,
    pub steps: Vec<(String, StepState)>,
    pub detail: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepState {
    Waiting,
    Running,
    Done,
    Failed,
}

/// Where progress goes: the dashboard (as events) or the terminal (for the CLI).
#[derive(Clone)]
pub struct Reporter(Arc<dyn Fn(Progress) + Send + Sync>);

impl Reporter {
    pub fn new(f: impl Fn(Progress) + Send + Sync + 'static) -> Reporter {
        Reporter(Arc::new(f))
    }

    pub fn report(&self, p: Progress) {
        (self.0)(p)
    }
}

impl std::fmt::Debug for Reporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Reporter")
    }
}
