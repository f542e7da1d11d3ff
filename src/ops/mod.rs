//! Mutations, each an explicit plan that is shown before it runs.
//!
//! An [`Op`] is what the operator asked for; [`Plan`] is the list of steps and API calls it
//! takes, drawn in the confirmation dialog. The engine hands a confirmed `Op` to the source.

use serde::Serialize;

use crate::model::{Action, Snapshot, Text};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Op {
    /// Switch a rule between Block and Count (or a rule group's override between None and Count).
    ToggleRule {
        web_acl: Text,
        rule: Text,
        from: Action,
        to: Action,
    },
    /// Replace an API key with a new one, without downtime.
    RotateKey { key_id: Text, key_name: Text },
}

impl Op {
    /// The toggle for a rule's current action, if it has one.
    pub fn toggle(web_acl: &Text, rule: &Text, current: Action, is_group: bool) -> Option<Op> {
        let to = toggled_for(current, is_group)?;
        Some(Op::ToggleRule {
            web_acl: web_acl.clone(),
            rule: rule.clone(),
            from: current,
            to,
        })
    }

    /// One line for logs and messages.
    pub fn summary(&self) -> String {
        match self {
            Op::ToggleRule {
                web_acl,
                rule,
                from,
                to,
            } => {
                format!(
                    "rule {rule} in {web_acl}: {} → {}",
                    from.label(),
                    to.label()
                )
            }
            Op::RotateKey { key_name, key_id } => format!("rotate API key {key_name} ({key_id})"),
        }
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

fn step(what: impl Into<String>, call: &str) -> Step {
    Step {
        what: what.into(),
        call: call.to_string(),
    }
}

/// The plan for an operation, against what the account looks like now.
pub fn plan(op: &Op, snap: &Snapshot) -> Plan {
    match op {
        Op::ToggleRule {
            web_acl,
            rule,
            from,
            to,
        } => {
            let effect = match to {
                Action::Count => vec![
                    format!(
                        "Rule {rule} stops {}: matching requests are only counted",
                        verb(*from)
                    ),
                    "and go on to the next rule (most will then be allowed).".to_string(),
                ],
                Action::Block => vec![
                    format!("Rule {rule} starts blocking: requests it now only counts"),
                    "will get HTTP 403 from WAF.".to_string(),
                ],
                _ => vec![format!(
                    "Rule group {rule}: its own rule actions apply again."
                )],
            };
            Plan {
                title: format!(
                    "{} → {}: rule {rule} in web ACL {web_acl}",
                    from.label(),
                    to.label()
                ),
                effect,
                steps: vec![
                    step(
                        format!("Read web ACL {web_acl} and its lock token"),
                        "wafv2:GetWebACL",
                    ),
                    step(
                        format!("Set {rule} to {}, every other field unchanged", to.label()),
                        "wafv2:UpdateWebACL (LockToken)",
                    ),
                    step("Mark the rule pending until a later read confirms it", "—"),
                ],
            }
        }
        Op::RotateKey { key_id, key_name } => {
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
            let dists: Vec<String> = snap
                .distributions_sending(key_id.as_str())
                .map(|d| d.id.to_string())
                .collect();
            let mut steps = vec![
                step(
                    format!("Create a new key named {key_name}-rotated"),
                    "apigateway:CreateApiKey",
                ),
                step(
                    format!(
                        "Add it to {}",
                        if plans.is_empty() {
                            "no usage plan".to_string()
                        } else {
                            plans.join(", ")
                        }
                    ),
                    "apigateway:CreateUsagePlanKey (≤ 1 per plan per 20 s)",
                ),
            ];
            for d in &dists {
                steps.push(step(
                    format!("Send the new key from distribution {d}"),
                    "cloudfront:GetDistributionConfig + UpdateDistribution (If-Match)",
                ));
                steps.push(step(
                    format!("Wait until {d} is Deployed"),
                    "cloudfront:GetDistribution",
                ));
            }
            steps.push(step(
                format!("Disable the old key {key_name}"),
                "apigateway:UpdateApiKey",
            ));
            Plan {
                title: format!("Rotate API key {key_name} ({key_id})"),
                effect: vec![
                    "Clients move to a new key; the old one is disabled, not deleted.".to_string(),
                    "The new value is shown once, masked until you reveal it.".to_string(),
                ],
                steps,
            }
        }
    }
}

fn verb(a: Action) -> &'static str {
    match a {
        Action::Block => "blocking",
        Action::GroupActions => "applying its group's actions",
        _ => "acting",
    }
}
