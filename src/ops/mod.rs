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
pub mod procedure;
pub mod respond;
pub mod state_file;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::model::{Action, Scope, Secret, Snapshot, Text};
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

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Step {
    /// What the step does, in the operator's words.
    pub what: String,
    /// The API call(s) it makes.
    pub call: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Plan {
    pub title: String,
    /// What changes, and what it means for traffic.
    pub effect: Vec<String>,
    pub steps: Vec<Step>,
}

impl Plan {
    /// The plan's lines, for `--dry-run` and the subcommands: each printed as one line, so
    /// that nothing inside one (a name from AWS) can break it into another.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![self.title.clone(), String::new()];
        out.extend(self.effect.iter().map(|e| format!("  {e}")));
        out.push(String::new());
        for (i, s) in self.steps.iter().enumerate() {
            out.push(format!("  {}. {}", i + 1, s.what));
            out.push(format!("       {}", s.call));
        }
        out
    }
}

fn step(what: impl Into<String>, call: &str) -> Step {
    Step {
        what: what.into(),
        call: call.to_string(),
    }
}

/// The name of the key that replaces `old`: what it replaces, and when.
pub fn rotated_name(old: &str, now: chrono::DateTime<chrono::Utc>) -> String {
    let base = old.split("-rotated-").next().unwrap_or(old);
    format!("{base}-rotated-{}", now.format("%Y%m%d-%H%M%S"))
}

/// The plan to finish or roll back a journaled rotation: where it stopped, and each step with
/// what the journal says of it.
pub fn resume_plan(r: &journal::Rotation, rollback: bool) -> Plan {
    use journal::Mark;
    let op = Op::ResumeRotation {
        id: r.id.clone(),
        key_name: Text::new(&r.old_key_name),
        rollback,
        at: None,
    };
    let mut plan = plan(&op, &Snapshot::default());
    plan.effect.insert(0, r.where_stopped());
    let mut r = r.clone();
    r.rolling_back |= rollback;
    plan.steps = r
        .steps_now()
        .iter()
        .map(|s| Step {
            what: s.describe(&r),
            call: match r.mark(s) {
                Some(Mark::Done) => "done: checked, not repeated".into(),
                Some(Mark::Started) => {
                    "started: may or may not have happened; checked first".into()
                }
                None => "to do".into(),
            },
        })
        .collect();
    plan
}

/// The plan for an operation, against what the account looks like now, naming the account
/// and region it acts in when more than one is in view.
pub fn plan(op: &Op, snap: &Snapshot) -> Plan {
    let mut plan = plan_here(op, snap);
    if let Some(at) = op.at() {
        plan.title = format!("{} in {}", plan.title, at.label);
        plan.effect.insert(
            0,
            format!("Account {} in {}, as {}", at.account, at.region, at.label),
        );
    }
    plan
}

fn plan_here(op: &Op, snap: &Snapshot) -> Plan {
    if let Some(p) = respond::plan(op, snap) {
        return p;
    }
    match op {
        Op::ToggleRule(t) => toggle_plan(t),
        Op::RotateKey {
            key_id, key_name, ..
        } => rotate_plan(snap, key_id, key_name),
        Op::ResumeRotation {
            id,
            key_name,
            rollback,
            ..
        } => Plan {
            title: format!(
                "{} the rotation of {key_name}",
                if *rollback { "Roll back" } else { "Finish" }
            ),
            effect: if *rollback {
                vec![
                    "Undo what was done, newest first: the old key is enabled again,".into(),
                    "distributions send it again (and finish deploying), then the new".into(),
                    "key leaves its usage plans and is deleted.".into(),
                ]
            } else {
                vec![
                    "Carry on from where it stopped; steps already done are checked, not".into(),
                    "repeated.".into(),
                ]
            },
            steps: vec![step(format!("Read journal {id}"), "—")],
        },
        // Planned by `respond` above.
        Op::Block(_)
        | Op::Unblock(_)
        | Op::RateLimit(_)
        | Op::SetKeyEnabled(_)
        | Op::DeleteOldKey(_) => unreachable!("planned by respond::plan"),
    }
}

pub fn toggle_plan(t: &Toggle) -> Plan {
    let subject = t.subject();
    let effect = match (&t.inner, t.to) {
        (Some(inner), Action::Count) => vec![
            format!(
                "Rule {inner} of group {} only counts what it matches;",
                t.rule
            ),
            "the group's other rules still act.".to_string(),
        ],
        (Some(inner), _) => vec![format!(
            "Rule {inner} of group {}: the group's own action applies again.",
            t.rule
        )],
        (None, Action::Count) => vec![
            format!(
                "Rule {} stops {}: matching requests are only counted",
                t.rule,
                verb(t.from)
            ),
            "and go on to the next rule (most will then be allowed).".to_string(),
        ],
        (None, Action::Block) => vec![
            format!(
                "Rule {} starts blocking: requests it now only counts",
                t.rule
            ),
            "will get HTTP 403 from WAF.".to_string(),
        ],
        (None, _) => vec![format!(
            "Rule group {}: its own rule actions apply again.",
            t.rule
        )],
    };
    let mut effect = effect;
    if let Some(c) = &t.custom {
        effect.push(format!(
            "Its {} carries more than {} can: {c}. edgetop keeps that on this machine",
            t.from.label(),
            t.to.label()
        ));
        effect.push(format!(
            "and puts it back when the rule is toggled to {} again from here.",
            t.from.label()
        ));
    }
    if let Some(k) = &t.kept {
        effect.push(format!(
            "Its earlier {} ({k}), kept by a toggle here, is put back.",
            t.to.label()
        ));
    }
    Plan {
        title: format!(
            "{} → {}: {subject} in web ACL {} ({})",
            label(t.from, t.inner.is_some()),
            label(t.to, t.inner.is_some()),
            t.web_acl,
            t.scope.label()
        ),
        effect,
        steps: vec![
            step(
                format!("Read web ACL {} and its lock token", t.web_acl),
                "wafv2:GetWebACL",
            ),
            step(
                format!(
                    "Set {subject} to {}, every other field sent back unchanged",
                    label(t.to, t.inner.is_some())
                ),
                "wafv2:UpdateWebACL (LockToken)",
            ),
            step(
                "If someone else changed the web ACL meanwhile: read it again and re-apply only \
                 this change (at most 5 tries); if they changed this rule, stop and show it",
                "wafv2:GetWebACL",
            ),
            step("Mark the rule pending until a later read confirms it", "—"),
        ],
    }
}

fn rotate_plan(snap: &Snapshot, key_id: &Text, key_name: &Text) -> Plan {
    let plans: Vec<String> = snap
        .key(key_id.as_str())
        .map(|k| {
            k.plan_ids
                .iter()
                .map(|p| {
                    snap.plan(p.as_str())
                        .map_or(p.to_string(), |p| p.name.to_string())
                })
                .collect()
        })
        .unwrap_or_default();
    // Each distribution that sends the key, with the headers it sends it in (by value: any
    // header name).
    let dists: Vec<(String, Vec<String>)> = snap
        .distributions_sending(key_id.as_str())
        .map(|d| {
            let headers = d
                .origins
                .iter()
                .flat_map(|o| {
                    o.key_headers
                        .iter()
                        .filter(|h| h.key_id.as_ref() == Some(key_id))
                        .map(move |h| format!("{} › {}", o.domain, h.header))
                })
                .collect();
            (d.id.to_string(), headers)
        })
        .collect();
    let new_name = rotated_name(key_name.as_str(), snap.taken_at);
    let mut steps = vec![step(
        format!("Create a new key, {new_name}"),
        "apigateway:CreateApiKey (5 a second allowed)",
    )];
    if plans.is_empty() {
        steps.push(step("Add it to no usage plan: the old key is in none", "—"));
    }
    for p in &plans {
        steps.push(step(
            format!("Add it to usage plan {p}"),
            "apigateway:CreateUsagePlanKey (not UpdateUsagePlan: 1 per 20 s)",
        ));
    }
    for (d, headers) in &dists {
        steps.push(step(
            format!(
                "Send the new key from distribution {d} instead of the old one: {}",
                headers.join(", ")
            ),
            "cloudfront:GetDistributionConfig + UpdateDistribution (If-Match: ETag)",
        ));
        steps.push(step(
            format!("Wait until {d} is Deployed (progress shown; with a timeout)"),
            "cloudfront:GetDistribution",
        ));
    }
    steps.push(step(
        format!(
            "Disable the old key {key_name} (deleting it is a separate action, later), once no \
             distribution sends it: they are listed again just before"
        ),
        "cloudfront:ListDistributions + apigateway:UpdateApiKey",
    ));
    let mut effect = vec![
        "Clients move to a new key; the old one is disabled, not deleted.".to_string(),
        "The new value is shown once, masked until you reveal it; never logged.".to_string(),
        "A journal (no secrets) lets an interrupted rotation finish or roll back.".to_string(),
        "API Gateway calls are paced to the account's budget; waits are shown.".to_string(),
    ];
    effect.extend(accounts_checked(snap));
    Plan {
        title: format!("Rotate API key {key_name} ({key_id})"),
        effect,
        steps,
    }
}

/// Whose distributions are listed again before the old key is disabled, and what cannot be
/// seen: a distribution of an account not in view (a shared CDN account) may send the key too.
fn accounts_checked(snap: &Snapshot) -> Vec<String> {
    let mut out = Vec::new();
    if snap.many_places() {
        let mut seen: Vec<&str> = Vec::new();
        let (mut read, mut unread) = (Vec::new(), Vec::new());
        for p in &snap.places {
            let id = p.account.id.as_str();
            if id.is_empty() {
                unread.push(p.label.to_string());
            } else if !seen.contains(&id) {
                seen.push(id);
                read.push(format!("{} ({id})", p.label));
            }
        }
        out.push(format!(
            "Before the old key is disabled, the distributions of every account in view are \
             listed again: {}.",
            read.join(", ")
        ));
        if !unread.is_empty() {
            out.push(format!(
                "Not connected, so not checked: {}.",
                unread.join(", ")
            ));
        }
    }
    out.push(
        "A distribution of an account not in view (a shared CDN account) is not seen: add \
         it to the config's [[accounts]] to have it checked."
            .to_string(),
    );
    out
}

fn verb(a: Action) -> &'static str {
    match a {
        Action::Block => "blocking",
        Action::GroupActions => "applying its group's actions",
        _ => "acting",
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
