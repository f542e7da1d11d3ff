//! The operator's actions on the simulated account: flip a rule between Block and Count (or a
//! rule group between its own actions and Count), rotate an API key, add a range to an IP set
//! (or remove it), change a rate-based rule's limit, disable a key (or enable it again).

use chrono::{DateTime, Utc};

use super::scenario::{KeyDef, Scenario, key_value, resource_id};
use super::timeline::{InnerToggle, IpChange, KeySwitch, RateChange, Timeline, Toggle};
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

/// The web ACL and rule whose IP set has id `id`.
fn set_of(sc: &Scenario, id: &str) -> Option<(usize, usize)> {
    (0..sc.acls.len())
        .flat_map(|a| (0..sc.acls[a].rules.len()).map(move |r| (a, r)))
        .find(|&(a, r)| super::ip_sets::ids(sc, a, r).is_some_and(|(_, i, _)| i == id))
}

/// Add a range to (or remove one edgetop added from) an IP set.
pub fn ip_change(
    sc: &Scenario,
    tl: &mut Timeline,
    set: &ops::respond::IpSetRef,
    range: &str,
    add: Option<Option<DateTime<Utc>>>,
    now: DateTime<Utc>,
) -> Result<OpOutcome, SourceError> {
    let Some((acl, rule)) = set_of(sc, set.id.as_str()) else {
        return refused(format!("no IP set {}", set.name));
    };
    let Ok(net) = range.parse::<ipnet::IpNet>() else {
        return refused(format!("{range} is not a range"));
    };
    let added = tl
        .as_of(now)
        .added_ranges(acl, rule, None)
        .iter()
        .any(|(r, _)| *r == net);
    match add {
        Some(_) if added => {
            return Ok(OpOutcome::said(format!(
                "IP set {} already holds {net}: nothing was sent",
                set.name
            )));
        }
        None if !added => {
            return refused(format!(
                "edgetop did not add {net} to IP set {}: it removes only what it added",
                set.name
            ));
        }
        _ => {}
    }
    tl.ip_changes.push(IpChange {
        acl,
        rule,
        range: net,
        add: add.is_some(),
        expires: add.flatten(),
        at: now,
    });
    Ok(OpOutcome::said(match add {
        Some(_) => format!(
            "blocked: IP set {} now holds {net}; WAF takes about a minute to apply it everywhere",
            set.name
        ),
        None => format!("removed: IP set {} no longer holds {net}", set.name),
    }))
}

/// A rate-based rule's new limit and window.
pub fn rate_limit(
    sc: &Scenario,
    tl: &mut Timeline,
    r: &ops::respond::RateLimit,
    now: DateTime<Utc>,
) -> Result<OpOutcome, SourceError> {
    let Some(acl) = sc.acls.iter().position(|a| a.name == r.web_acl.as_str()) else {
        return refused(format!("no web ACL named {}", r.web_acl));
    };
    let Some(rule) = sc.acls[acl]
        .rules
        .iter()
        .position(|x| x.name == r.rule.as_str())
    else {
        return refused(format!("no rule {} in web ACL {}", r.rule, r.web_acl));
    };
    let RuleKind::RateBased {
        limit, window_secs, ..
    } = &sc.acls[acl].rules[rule].kind
    else {
        return refused(format!("{} is not a rate-based rule", r.rule));
    };
    let now_is = tl.as_of(now).rate_now(acl, rule, (*limit, *window_secs));
    if now_is != (r.from.limit, r.from.window_secs) {
        return refused(format!(
            "conflict: {} is {} per {} s now, not {}; nothing was changed",
            r.rule, now_is.0, now_is.1, r.from
        ));
    }
    tl.rate_changes.push(RateChange {
        acl,
        rule,
        limit: r.to.limit,
        window_secs: r.to.window_secs,
        at: now,
    });
    Ok(OpOutcome::said(format!(
        "accepted: {} in {} is now {}; WAF may take a minute to apply it",
        r.rule, r.web_acl, r.to
    )))
}

/// Disable a key, or enable it again.
pub fn switch_key(
    sc: &Scenario,
    tl: &mut Timeline,
    k: &ops::respond::KeySwitch,
    now: DateTime<Utc>,
) -> Result<OpOutcome, SourceError> {
    let view = tl.as_of(now);
    let Some(key) = view.keys(sc).find(|x| x.id == k.key_id.as_str()).cloned() else {
        return refused(format!("no API key with id {}", k.key_id));
    };
    if view.enabled(&key, now) == k.enable {
        return refused(format!(
            "API key {} is already {}",
            key.name,
            if k.enable { "enabled" } else { "disabled" }
        ));
    }
    if !k.enable
        && sc
            .dists
            .iter()
            .any(|d| d.key_client.is_some() && d.key_client == key.client)
    {
        return refused(format!(
            "API key {} is sent by a distribution: it was left enabled. Rotate it instead",
            key.name
        ));
    }
    tl.key_switches.push(KeySwitch {
        key_id: key.id.clone(),
        enabled: k.enable,
        at: now,
    });
    Ok(OpOutcome::said(format!(
        "API key {} is {}",
        key.name,
        if k.enable {
            "enabled again"
        } else {
            "disabled: requests with it get HTTP 403"
        }
    )))
}
