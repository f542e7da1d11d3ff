//! The operator's two actions on the simulated account: flip a rule between Block and Count
//! (or a rule group between its own actions and Count), and rotate an API key.

use chrono::{DateTime, Utc};

use super::scenario::{KeyDef, Scenario, key_value, resource_id};
use super::timeline::{InnerToggle, Timeline, Toggle};
use crate::model::{RuleKind, Secret};
use crate::ops::{self, toggled_for};
use crate::source::{OpOutcome, SourceError};

fn refused(why: String) -> Result<OpOutcome, SourceError> {
    Err(SourceError::Refused(why))
}

pub fn toggle(
    sc: &Scenario,
    tl: &mut Timeline,
    t: &ops::Toggle,
    now: DateTime<Utc>,
) -> Result<OpOutcome, SourceError> {
    let (web_acl, rule, from, to) = (t.web_acl.as_str(), t.rule.as_str(), t.from, t.to);
    let Some(acl) = sc.acls.iter().position(|a| a.name == web_acl) else {
        return refused(format!("no web ACL named {web_acl}"));
    };
    let Some(r) = sc.acls[acl].rules.iter().position(|x| x.name == rule) else {
        return refused(format!("no rule {rule} in web ACL {web_acl}"));
    };
    if let Some(inner) = &t.inner {
        let known = matches!(&sc.acls[acl].rules[r].kind,
            RuleKind::ManagedGroup { inner_rules, .. } if inner_rules.iter().any(|i| i.name == *inner));
        if !known {
            return refused(format!("rule group {rule} has no rule {inner}"));
        }
        let current = tl.as_of(now).inner_now(acl, r, inner.as_str());
        if current != from {
            return refused(format!(
                "rule changed under us: {} is {} now, not {}; nothing was changed",
                t.subject(),
                ops::label(current, true),
                ops::label(from, true)
            ));
        }
        tl.inner_toggles.push(InnerToggle {
            acl,
            rule: r,
            inner: inner.to_string(),
            to,
            at: now,
        });
        return Ok(OpOutcome {
            message: format!(
                "{} in {web_acl} is now {}; WAF applies changes within about a minute.",
                t.subject(),
                ops::label(to, true)
            ),
            secret: None,
        });
    }
    let current = tl.as_of(now).action_now(sc, acl, r);
    if current != from {
        return refused(format!(
            "rule changed under us: {rule} is {} now, not {}; re-read and try again",
            current.label(),
            from.label()
        ));
    }
    if toggled_for(current, sc.acls[acl].rules[r].is_group()) != Some(to) {
        return refused(format!(
            "{rule} cannot go from {} to {}",
            from.label(),
            to.label()
        ));
    }
    tl.record_toggle(Toggle {
        acl,
        rule: r,
        to,
        at: now,
    });
    Ok(OpOutcome {
        message: format!(
            "{rule} in {web_acl} is now {}; WAF applies changes within about a minute.",
            to.label()
        ),
        secret: None,
    })
}

pub fn rotate(
    sc: &Scenario,
    tl: &mut Timeline,
    key_id: &str,
    key_name: &str,
    now: DateTime<Utc>,
) -> Result<OpOutcome, SourceError> {
    let view = tl.as_of(now);
    let Some(old) = view.keys(sc).find(|k| k.id == key_id).cloned() else {
        return refused(format!("no API key with id {key_id}"));
    };
    if view.replaced(&old) {
        return refused(format!(
            "API key {} is already disabled or being replaced",
            old.name
        ));
    }
    let named = if key_name.is_empty() {
        old.name.as_str()
    } else {
        key_name
    };
    let base = named.split("-rotated-").next().unwrap_or(named).to_string();
    let label = format!("{base}#{}#{}", tl.new_keys.len(), now.timestamp_millis());
    let new = KeyDef {
        id: resource_id(sc.seed, &label),
        name: format!("{base}-rotated-{}", now.format("%Y%m%d")),
        value: key_value(sc.seed, &label),
        created: now,
        plans: old.plans.clone(),
        client: old.client,
        since: Some(now),
        retired: false,
    };
    let dists: Vec<&str> = sc
        .dists
        .iter()
        .filter(|d| d.key_client.is_some() && d.key_client == old.client)
        .map(|d| d.id)
        .collect();
    let mut message = format!(
        "Created {} ({}) in the same usage plans; disabled {}.",
        new.name, new.id, old.name
    );
    if !dists.is_empty() {
        message.push_str(&format!(
            " {} now sends the new key (deploying, about 90 s).",
            dists.join(", ")
        ));
    }
    let secret = Secret::new(new.value.clone());
    tl.new_keys.push(new);
    Ok(OpOutcome {
        message,
        secret: Some(secret),
    })
}
