//! Plans: the steps and API calls an operation takes, drawn in the confirmation dialog and
//! printed by `--dry-run`, for a toggle, a rotation (or its resumption) and the responses.

use super::*;

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

pub(super) fn step(what: impl Into<String>, call: &str) -> Step {
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

pub(super) fn plan_here(op: &Op, snap: &Snapshot) -> Plan {
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
    let mut effect = toggle_effect(t);
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

/// What a toggle does to the traffic the rule matches, in words.
fn toggle_effect(t: &Toggle) -> Vec<String> {
    match (&t.inner, t.to) {
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
    }
}

pub(super) fn rotate_plan(snap: &Snapshot, key_id: &Text, key_name: &Text) -> Plan {
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
pub(super) fn accounts_checked(snap: &Snapshot) -> Vec<String> {
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

pub(super) fn verb(a: Action) -> &'static str {
    match a {
        Action::Block => "blocking",
        Action::GroupActions => "applying its group's actions",
        _ => "acting",
    }
}
