//! The responses AWS's DDoS and incident playbooks name, each one key and a confirmation away:
//! block an address (add it to an IP set a Block rule references), lower a rate-based rule's
//! limit, disable a leaked key, delete an old key after a rotation, and undo each. What they
//! are, what must be true before one may run (refused with the reason otherwise), and their
//! plans. They go through the same procedure as the toggle and the rotation.

mod block;
mod plans;
mod undo;

use chrono::{DateTime, Duration, Utc};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use super::{At, Op, OpError, Plan, step};
use crate::model::ip_set::{IP_SET_LIMIT, IpSet, parse_range, referencing};
use crate::model::{Action, Place, RuleKind, Scope, Snapshot, Text, WebAcl};
pub use block::{block_choices, expired, unblock_of};
pub use plans::plan;
pub use undo::undo_of;

/// An IP set, as an operation names it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IpSetRef {
    pub scope: Scope,
    pub id: Text,
    pub name: Text,
}

impl IpSetRef {
    fn of(s: &IpSet) -> IpSetRef {
        IpSetRef {
            scope: s.scope,
            id: s.id.clone(),
            name: s.name.clone(),
        }
    }
}

/// Add one range to an IP set that a Block rule references.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Block {
    pub ip_set: IpSetRef,
    /// As WAF takes it: "203.0.113.7/32".
    pub range: Text,
    /// When edgetop is to remove it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<DateTime<Utc>>,
    /// The rules that reference the set: "edge-regional › BlockListedIPs (REGIONAL)".
    pub used_by: Vec<Text>,
    /// The set's size before.
    pub size: usize,
    /// Wider than /16 (IPv4) or /48 (IPv6): the operator types the range to confirm.
    pub wide: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Box<At>>,
}

/// Why a range is removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Why {
    Asked,
    Undo,
    Expired,
}

/// Remove one range edgetop added to an IP set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Unblock {
    pub ip_set: IpSetRef,
    pub range: Text,
    pub why: Why,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Box<At>>,
}

/// A rate-based rule's limit and evaluation window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limit {
    pub limit: u64,
    pub window_secs: u32,
}

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} per {} s", self.limit, self.window_secs)
    }
}

/// AWS's bounds on a rate-based statement (the wafv2 model: `RateBasedStatement.Limit` from 10;
/// `EvaluationWindowSec` 60, 120, 300 or 600).
pub const LEAST_LIMIT: u64 = 10;
pub const MOST_LIMIT: u64 = 2_000_000_000;
pub const WINDOWS: [u32; 4] = [60, 120, 300, 600];

/// What the sampled requests say of a new limit: the most one address sent in one window, and
/// how many addresses went over the new limit, in the samples of the last minutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observed {
    pub top: u64,
    pub over: usize,
    pub minutes: u32,
}

/// Change a rate-based rule's limit (and window).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RateLimit {
    pub scope: Scope,
    pub web_acl_id: Text,
    pub web_acl: Text,
    pub rule: Text,
    pub from: Limit,
    pub to: Limit,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed: Option<Observed>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Box<At>>,
}

/// Disable (or enable again) an API key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeySwitch {
    pub key_id: Text,
    pub key_name: Text,
    pub enable: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Box<At>>,
}

/// Delete the key a finished rotation replaced.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeleteOld {
    pub rotation: String,
    pub key_id: Text,
    pub key_name: Text,
    /// When the rotation finished: the key has been disabled since.
    pub since: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Box<At>>,
}

/// How long an old key stays disabled before it may be deleted: a client that still has it
/// shows up as 403s meanwhile, and can be given the new one.
pub const OLD_KEY_QUIET: Duration = Duration::hours(24);

fn refused<T>(why: String) -> Result<T, OpError> {
    Err(OpError::Refused(why))
}

/// `--for 1h`, `90m`, `2h30m`, `1d`: a block's duration.
pub fn parse_for(s: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(s.trim())
        .map_err(|e| format!("{}: {e} (say 30m, 1h, 2h30m or 1d)", Text::new(s)))?;
    let d = Duration::from_std(d).map_err(|e| e.to_string())?;
    if d < Duration::minutes(1) {
        return Err("a block lasts a minute at least".into());
    }
    Ok(d)
}

/// The most one address sent in one `window` in the samples of `acl`, and how many addresses
/// sent more than `limit` in one, over the sampled minutes.
fn observed(snap: &Snapshot, acl: &WebAcl, to: Limit) -> Option<Observed> {
    use std::collections::HashMap;
    let samples: Vec<_> = snap
        .samples
        .iter()
        .filter(|s| s.place == acl.place && s.web_acl == acl.name)
        .collect();
    let first = samples.iter().map(|s| s.time).min()?;
    let last = samples.iter().map(|s| s.time).max()?;
    let window = i64::from(to.window_secs.max(1));
    let mut per: HashMap<(&str, i64), u64> = HashMap::new();
    for s in &samples {
        *per.entry((s.client_ip.as_str(), s.time.timestamp().div_euclid(window)))
            .or_default() += s.weight;
    }
    let top = per.values().copied().max().unwrap_or(0);
    let mut over: Vec<&str> = per
        .iter()
        .filter(|(_, n)| **n > to.limit)
        .map(|((ip, _), _)| *ip)
        .collect();
    over.sort_unstable();
    over.dedup();
    Some(Observed {
        top,
        over: over.len(),
        minutes: ((last - first).num_minutes().max(1)) as u32,
    })
}

/// A rate-based rule's new limit (and window), within AWS's bounds.
pub fn rate_limit_of(
    snap: &Snapshot,
    acl: &WebAcl,
    rule: &crate::model::Rule,
    limit: u64,
    window: Option<u32>,
) -> Result<Op, OpError> {
    let RuleKind::RateBased {
        limit: now,
        window_secs,
        aggregate,
        ..
    } = &rule.kind
    else {
        return refused(format!("{} is not a rate-based rule", rule.name));
    };
    if rule.pending {
        return refused(format!(
            "{}: a change is pending; wait for a read to confirm it",
            rule.name
        ));
    }
    if !(LEAST_LIMIT..=MOST_LIMIT).contains(&limit) {
        return refused(format!(
            "a rate-based rule's limit is {LEAST_LIMIT} to {MOST_LIMIT} requests (WAF's bounds), \
             not {limit}"
        ));
    }
    let window = window.unwrap_or(*window_secs);
    if !WINDOWS.contains(&window) {
        return refused(format!(
            "a rate-based rule's window is 60, 120, 300 or 600 seconds (WAF's choices), not \
             {window}"
        ));
    }
    let from = Limit {
        limit: *now,
        window_secs: *window_secs,
    };
    let to = Limit {
        limit,
        window_secs: window,
    };
    if from == to {
        return refused(format!("{} is already {to}", rule.name));
    }
    Ok(Op::RateLimit(RateLimit {
        scope: acl.scope,
        web_acl_id: acl.id.clone(),
        web_acl: acl.name.clone(),
        rule: rule.name.clone(),
        from,
        to,
        // Counted per address only where the rule aggregates on it.
        observed: (aggregate.as_str() == "IP")
            .then(|| observed(snap, acl, to))
            .flatten(),
        at: At::of(snap, acl.place).map(Box::new),
    }))
}

/// Disable a key (refused while a distribution sends it: rotate it instead), or enable it.
pub fn key_switch_of(
    snap: &Snapshot,
    key: &crate::model::ApiKey,
    enable: bool,
) -> Result<Op, OpError> {
    if key.enabled == enable {
        return refused(format!(
            "API key {} is already {}",
            key.name,
            if enable { "enabled" } else { "disabled" }
        ));
    }
    if !enable {
        let sending: Vec<String> = snap
            .distributions_sending(key.id.as_str())
            .map(|d| d.id.to_string())
            .collect();
        if !sending.is_empty() {
            return refused(format!(
                "API key {} is sent by distribution {}: disabling it would refuse every request \
                 that comes through it. Rotate it instead (r on Keys, or edgetop rotate)",
                key.name,
                sending.join(", ")
            ));
        }
    }
    Ok(Op::SetKeyEnabled(KeySwitch {
        key_id: key.id.clone(),
        key_name: key.name.clone(),
        enable,
        at: At::of(snap, key.place).map(Box::new),
    }))
}

/// The old key a finished rotation replaced, as the journal or the audit log knows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Replaced {
    /// The rotation's journal id, when known (the audit log has the time only).
    pub rotation: Option<String>,
    pub key_id: String,
    pub key_name: String,
    /// When the rotation finished, disabling it.
    pub since: DateTime<Utc>,
    pub account: String,
    pub region: String,
}

impl Replaced {
    /// From a journal: refused unless the rotation finished.
    pub fn of(r: &super::journal::Rotation) -> Result<Replaced, OpError> {
        if r.finished != Some(super::journal::Finish::Completed) {
            return refused(format!(
                "rotation {} did not finish: finish or roll it back first",
                r.id
            ));
        }
        Ok(Replaced {
            rotation: Some(r.id.clone()),
            key_id: r.old_key_id.clone(),
            key_name: r.old_key_name.clone(),
            since: r.updated,
            account: r.account.clone(),
            region: r.region.clone(),
        })
    }
}

/// Delete the old key of a finished rotation, once it has been disabled for [`OLD_KEY_QUIET`].
pub fn delete_old_of(r: &Replaced, snap: &Snapshot, now: DateTime<Utc>) -> Result<Op, OpError> {
    let since = r.since;
    if now - since < OLD_KEY_QUIET {
        return refused(format!(
            "the old key {} was disabled at {}: it may be deleted once it has been disabled for \
             {} hours with no request since ({})",
            Text::new(&r.key_name),
            since.format("%Y-%m-%d %H:%M UTC"),
            OLD_KEY_QUIET.num_hours(),
            (since + OLD_KEY_QUIET).format("%Y-%m-%d %H:%M UTC")
        ));
    }
    if let Some(k) = snap.key(&r.key_id).filter(|k| k.enabled) {
        return refused(format!(
            "the old key {} is enabled again: it is in use, and is not deleted",
            k.name
        ));
    }
    let place = snap
        .places
        .iter()
        .position(|p| p.account.id.as_str() == r.account && p.account.region.as_str() == r.region)
        .map_or(Place::default(), |i| Place(i as u16));
    Ok(Op::DeleteOldKey(DeleteOld {
        rotation: r.rotation.clone().unwrap_or_default(),
        key_id: Text::new(&r.key_id),
        key_name: Text::new(&r.key_name),
        since,
        at: At::of(snap, place).map(Box::new),
    }))
}

/// What the operator types to confirm, beyond the Confirm button: the range of a wide block,
/// the name of a key to delete.
pub fn typed(op: &Op) -> Option<String> {
    match op {
        Op::Block(b) if b.wide => Some(b.range.to_string()),
        Op::DeleteOldKey(d) => Some(d.key_name.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
