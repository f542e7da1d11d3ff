//! The responses AWS's DDoS and incident playbooks name, each one key and a confirmation away:
//! block an address (add it to an IP set a Block rule references), lower a rate-based rule's
//! limit, disable a leaked key, delete an old key after a rotation, and undo each. What they
//! are, what must be true before one may run (refused with the reason otherwise), and their
//! plans. They go through the same procedure as the toggle and the rotation.

use chrono::{DateTime, Duration, Utc};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use super::{At, Op, OpError, Plan, step};
use crate::model::ip_set::{IP_SET_LIMIT, IpSet, parse_range, referencing};
use crate::model::{Action, Place, RuleKind, Scope, Snapshot, Text, WebAcl};

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

/// Whether a range is wide enough to take the typed confirmation: shorter than /16 for IPv4,
/// /48 for IPv6.
fn wide(net: &IpNet) -> bool {
    match net {
        IpNet::V4(n) => n.prefix_len() < 16,
        IpNet::V6(n) => n.prefix_len() < 48,
    }
}

fn overlap(a: &IpNet, b: &IpNet) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

/// Why `net` may not go into `set` (used by `acl`'s Block rules), if anything stops it.
fn guard(snap: &Snapshot, set: &IpSet, net: &IpNet, acls: &[&WebAcl]) -> Option<String> {
    let shown = net.to_string();
    if let Some(r) = set.covers(net) {
        return Some(format!(
            "{shown} is already blocked: IP set {} holds {r}",
            set.name
        ));
    }
    if set.addresses.len() + 1 > IP_SET_LIMIT {
        return Some(format!(
            "IP set {} is full ({} ranges, WAF's limit is {IP_SET_LIMIT})",
            set.name,
            set.addresses.len()
        ));
    }
    for acl in acls {
        // An allow list of the same web ACL that holds the address.
        for other in snap.ip_sets.iter().filter(|s| s.place == set.place) {
            if let Some(r) = other.covers(net).filter(|_| other.arn != set.arn) {
                for (a, rule) in referencing(snap, other, Action::Allow) {
                    if a.name == acl.name {
                        return Some(format!(
                            "{shown} is allowed in web ACL {} by rule {} (IP set {} holds {r}): \
                             block and allow would fight; change the allow list first",
                            acl.name, rule.name, other.name
                        ));
                    }
                }
            }
        }
        // A regional web ACL behind an edge sees the edge as the client.
        if acl.scope == Scope::Regional {
            for api in snap.apis.iter().filter(|a| a.place == acl.place) {
                for st in api
                    .stages
                    .iter()
                    .filter(|s| s.web_acl.as_ref() == Some(&acl.name))
                {
                    for e in crate::bypass::edges_of(snap, api, st) {
                        let hit = e
                            .prefixes
                            .iter()
                            .find(|p| p.as_str().parse::<IpNet>().is_ok_and(|p| overlap(&p, net)));
                        if let Some(p) = hit {
                            return Some(format!(
                                "{shown} holds addresses of {} ({p}), which stands in front \
                                 of {}/{} and which web ACL {} sees as the client: blocking it \
                                 takes the site down",
                                e.source, api.name, st.name, acl.name
                            ));
                        }
                    }
                }
            }
        }
    }
    None
}

/// Where a range can be blocked in `place`: every IP set of its family that a Block rule of
/// one of `acls` (every web ACL there when None) references, and that passes the guardrails.
/// None that passes: refused, with each set's reason; no set at all: refused, saying so.
pub fn block_choices(
    snap: &Snapshot,
    place: Place,
    range: &str,
    acls: Option<&[&str]>,
    expires: Option<DateTime<Utc>>,
) -> Result<Vec<Op>, OpError> {
    let net = parse_range(range).map_err(OpError::Refused)?;
    if net.prefix_len() == 0 {
        return refused(format!(
            "{net} is every address: nothing is blocked that wide"
        ));
    }
    let family = if matches!(net, IpNet::V6(_)) {
        "IPv6"
    } else {
        "IPv4"
    };
    let mut found = Vec::new();
    let mut reasons = Vec::new();
    for set in snap
        .ip_sets
        .iter()
        .filter(|s| s.place == place && s.holds_family_of(&net))
    {
        let users: Vec<_> = referencing(snap, set, Action::Block)
            .into_iter()
            .filter(|(a, _)| acls.is_none_or(|want| want.contains(&a.name.as_str())))
            .collect();
        if users.is_empty() {
            continue;
        }
        let acls_here: Vec<&WebAcl> = users.iter().map(|(a, _)| *a).collect();
        if let Some(why) = guard(snap, set, &net, &acls_here) {
            reasons.push(why);
            continue;
        }
        let at = At::of(snap, place).map(Box::new);
        found.push(Op::Block(Block {
            ip_set: IpSetRef::of(set),
            range: Text::new(&net.to_string()),
            expires,
            used_by: users
                .iter()
                .map(|(a, r)| Text::new(&format!("{} › {} ({})", a.name, r.name, a.scope.label())))
                .collect(),
            size: set.addresses.len(),
            wide: wide(&net),
            at,
        }));
    }
    if !found.is_empty() {
        return Ok(found);
    }
    if !reasons.is_empty() {
        return refused(reasons.join("; "));
    }
    let which = acls.map_or("any web ACL here".to_string(), |a| {
        format!("web ACL {}", Text::new(&a.join(", ")))
    });
    refused(format!(
        "no Block rule of {which} references an {family} IP set: creating a set and a rule is \
         not a one-key change (do it in the console or your infrastructure code; edgetop finds \
         it at the next discovery, R)"
    ))
}

/// The removal of a range edgetop added (known by its blocks journal, never by guessing).
pub fn unblock_of(
    snap: &Snapshot,
    place: Place,
    range: &str,
    ip_set: Option<&str>,
    why: Why,
) -> Result<Op, OpError> {
    let net = parse_range(range).map_err(OpError::Refused)?;
    let entries: Vec<_> = snap
        .blocks
        .iter()
        .filter(|b| {
            b.place == place
                && crate::model::ip_set::same_range(b.range.as_str(), &net.to_string())
                && ip_set.is_none_or(|s| b.ip_set.as_str() == s || b.ip_set_id.as_str() == s)
        })
        .collect();
    match entries.as_slice() {
        [b] => Ok(Op::Unblock(Unblock {
            ip_set: IpSetRef {
                scope: b.scope,
                id: b.ip_set_id.clone(),
                name: b.ip_set.clone(),
            },
            range: b.range.clone(),
            why,
            at: At::of(snap, place).map(Box::new),
        })),
        [] => refused(format!(
            "edgetop did not add {net} to an IP set here (its blocks journal has no such entry): \
             it removes only what it added; remove others in the console"
        )),
        _ => refused(format!(
            "{net} was added to several IP sets: name one with --ip-set"
        )),
    }
}

/// The removals of every range whose block has expired, in every place.
pub fn expired(snap: &Snapshot, now: DateTime<Utc>) -> Vec<Op> {
    snap.blocks
        .iter()
        .filter(|b| b.expired(now))
        .map(|b| {
            Op::Unblock(Unblock {
                ip_set: IpSetRef {
                    scope: b.scope,
                    id: b.ip_set_id.clone(),
                    name: b.ip_set.clone(),
                },
                range: b.range.clone(),
                why: Why::Expired,
                at: At::of(snap, b.place).map(Box::new),
            })
        })
        .collect()
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

/// The place an operation recorded in the audit log acts in now: the place of the same
/// account and region in `snap` (place numbers differ between runs).
fn place_now(snap: &Snapshot, at: Option<&At>) -> Result<Place, OpError> {
    let Some(at) = at else {
        return Ok(Place::default());
    };
    match snap
        .places
        .iter()
        .position(|p| p.account.id == at.account && p.account.region == at.region)
    {
        Some(i) => Ok(Place(i as u16)),
        None if snap.places.is_empty()
            && snap.account.id == at.account
            && snap.account.region == at.region =>
        {
            Ok(Place::default())
        }
        None => refused(format!(
            "{at} is not in view: undo it where it was done (--profile, --region)"
        )),
    }
}

/// The operation that undoes `done` (a succeeded one, from the audit log), as the account is
/// now.
pub fn undo_of(done: &Op, snap: &Snapshot) -> Result<Op, OpError> {
    let place = place_now(snap, done.at())?;
    let at = At::of(snap, place).map(Box::new);
    match done {
        Op::Block(b) => unblock_of(
            snap,
            place,
            b.range.as_str(),
            Some(b.ip_set.id.as_str()),
            Why::Undo,
        ),
        Op::Unblock(u) => {
            let set = snap
                .ip_sets
                .iter()
                .find(|s| s.place == place && s.id == u.ip_set.id);
            let Some(set) = set else {
                return refused(format!("IP set {} is not in view any more", u.ip_set.name));
            };
            let acls: Vec<&str> = referencing(snap, set, Action::Block)
                .iter()
                .map(|(a, _)| a.name.as_str())
                .collect();
            let mut ops = block_choices(snap, place, u.range.as_str(), Some(&acls), None)?;
            ops.retain(|o| matches!(o, Op::Block(b) if b.ip_set.id == u.ip_set.id));
            ops.pop().ok_or_else(|| {
                OpError::Refused(format!("IP set {} takes it no more", u.ip_set.name))
            })
        }
        Op::RateLimit(r) => {
            let (acl, rule) = find_rule(snap, place, r.scope, r.web_acl.as_str(), r.rule.as_str())?;
            match &rule.kind {
                RuleKind::RateBased {
                    limit, window_secs, ..
                } if *limit == r.to.limit && *window_secs == r.to.window_secs => {
                    rate_limit_of(snap, acl, rule, r.from.limit, Some(r.from.window_secs))
                }
                _ => refused(format!(
                    "{} is no longer {} (someone changed it since): look again and decide",
                    r.rule, r.to
                )),
            }
        }
        Op::SetKeyEnabled(k) => {
            let key = snap
                .api_keys
                .iter()
                .find(|x| x.place == place && x.id == k.key_id)
                .ok_or_else(|| OpError::Refused(format!("API key {} is gone", k.key_name)))?;
            key_switch_of(snap, key, !k.enable)
        }
        Op::ToggleRule(t) => {
            let (acl, rule) = find_rule(snap, place, t.scope, t.web_acl.as_str(), t.rule.as_str())?;
            let now = match &t.inner {
                None => rule.action,
                Some(i) => match &rule.kind {
                    RuleKind::ManagedGroup { inner_rules, .. } => inner_rules
                        .iter()
                        .find(|x| x.name == *i)
                        .map_or(Action::GroupActions, |x| x.action),
                    _ => Action::GroupActions,
                },
            };
            if now != t.to {
                return refused(format!(
                    "{} is {} now, not {} as the toggle left it: look again and decide",
                    t.subject(),
                    super::label(now, t.inner.is_some()),
                    super::label(t.to, t.inner.is_some())
                ));
            }
            super::procedure::toggle_of(acl, rule, t.inner.as_ref().map(|i| i.as_str()))
                .map(|op| op.acting_at(at.map(|a| *a)))
        }
        Op::RotateKey { .. } | Op::ResumeRotation { .. } => refused(
            "a rotation is undone by rolling it back while it is unfinished (:rotations); a \
             finished one is undone by rotating again"
                .into(),
        ),
        Op::DeleteOldKey(d) => refused(format!(
            "API key {} was deleted: that cannot be undone",
            d.key_name
        )),
    }
}

fn find_rule<'a>(
    snap: &'a Snapshot,
    place: Place,
    scope: Scope,
    web_acl: &str,
    rule: &str,
) -> Result<(&'a WebAcl, &'a crate::model::Rule), OpError> {
    let acl = snap
        .web_acls
        .iter()
        .find(|a| a.place == place && a.scope == scope && a.name.as_str() == web_acl)
        .ok_or_else(|| {
            OpError::Refused(format!("web ACL {} is not in view", Text::new(web_acl)))
        })?;
    let r = acl
        .rules
        .iter()
        .find(|r| r.name.as_str() == rule)
        .ok_or_else(|| {
            OpError::Refused(format!(
                "web ACL {} has no rule {} now",
                acl.name,
                Text::new(rule)
            ))
        })?;
    Ok((acl, r))
}

/// The plans of the responses.
pub fn plan(op: &Op, snap: &Snapshot) -> Option<Plan> {
    Some(match op {
        Op::Block(b) => block_plan(b),
        Op::Unblock(u) => unblock_plan(u, snap),
        Op::RateLimit(r) => rate_plan(r),
        Op::SetKeyEnabled(k) => key_plan(k, snap),
        Op::DeleteOldKey(d) => delete_plan(d),
        _ => return None,
    })
}

fn block_plan(b: &Block) -> Plan {
    let mut effect = vec![format!(
        "Requests from {} get HTTP 403 from WAF wherever IP set {} is used:",
        b.range, b.ip_set.name
    )];
    effect.extend(b.used_by.iter().map(|u| format!("  {u}")));
    effect.push(format!(
        "IP set {} ({}) goes from {} to {} of {IP_SET_LIMIT} ranges.",
        b.ip_set.name,
        b.ip_set.scope.label(),
        b.size,
        b.size + 1
    ));
    effect.push(match b.expires {
        Some(e) => format!(
            "Removed again at {} by a running edgetop (or edgetop unblock --expired).",
            e.format("%Y-%m-%d %H:%M UTC")
        ),
        None => "It stays until it is removed (u on its audit entry, or edgetop unblock).".into(),
    });
    if b.wide {
        effect.push(format!("A wide range: type {} to confirm.", b.range));
    }
    Plan {
        title: format!("Block {} in IP set {}", b.range, b.ip_set.name),
        effect,
        steps: vec![
            step(
                "Record the entry in the blocks journal (before the call)",
                "—",
            ),
            step(
                format!("Read IP set {} and its lock token", b.ip_set.name),
                "wafv2:GetIPSet",
            ),
            step(
                format!("Add {}, every other range sent back as read", b.range),
                "wafv2:UpdateIPSet (LockToken)",
            ),
            step(
                "If someone else changed the set meanwhile: read it again and re-apply only \
                 this range (at most 5 tries)",
                "wafv2:GetIPSet",
            ),
            step(
                "Mark it applying until a read shows it (WAF takes about a minute to every edge)",
                "—",
            ),
        ],
    }
}

fn unblock_plan(u: &Unblock, snap: &Snapshot) -> Plan {
    let added = snap
        .blocks
        .iter()
        .find(|b| b.ip_set_id == u.ip_set.id && b.range == u.range);
    let mut effect = vec![format!(
        "Requests from {} are no longer blocked by IP set {}.",
        u.range, u.ip_set.name
    )];
    if let Some(b) = added {
        effect.push(format!(
            "edgetop added it at {}{}.",
            b.added.format("%Y-%m-%d %H:%M UTC"),
            b.expires
                .map(|e| format!(", to expire at {}", e.format("%H:%M UTC")))
                .unwrap_or_default()
        ));
    }
    effect.push("Only this range is removed; the set's other ranges are sent back as read.".into());
    Plan {
        title: format!(
            "{} {} from IP set {}",
            match u.why {
                Why::Undo => "Undo: remove",
                Why::Expired => "Expired: remove",
                Why::Asked => "Remove",
            },
            u.range,
            u.ip_set.name
        ),
        effect,
        steps: vec![
            step("Mark the entry as being removed in the blocks journal", "—"),
            step(
                format!("Read IP set {} and its lock token", u.ip_set.name),
                "wafv2:GetIPSet",
            ),
            step(
                format!("Remove {}, every other range sent back as read", u.range),
                "wafv2:UpdateIPSet (LockToken)",
            ),
            step("Forget the entry in the blocks journal", "—"),
        ],
    }
}

fn rate_plan(r: &RateLimit) -> Plan {
    let mut effect = vec![format!(
        "Rule {} of web ACL {}: {} → {} requests per address.",
        r.rule, r.web_acl, r.from, r.to
    )];
    effect.push(match r.observed {
        Some(o) => format!(
            "In the sampled requests of the last {} min, the most one address sent in {} s \
             was ~{}; ~{} address{} sent more than {} (held at the new limit).",
            o.minutes,
            r.to.window_secs,
            o.top,
            o.over,
            if o.over == 1 { "" } else { "es" },
            r.to.limit
        ),
        None => "The samples do not say how many addresses the new limit would hold (none, or \
                 the rule does not count per address)."
            .into(),
    });
    effect.push("Undo sets it back (u on its audit entry).".into());
    Plan {
        title: format!(
            "Rate limit of {} in web ACL {}: {} → {}",
            r.rule, r.web_acl, r.from, r.to
        ),
        effect,
        steps: vec![
            step(
                format!("Read web ACL {} and its lock token", r.web_acl),
                "wafv2:GetWebACL",
            ),
            step(
                format!(
                    "Set {}'s limit to {}, every other field sent back unchanged",
                    r.rule, r.to
                ),
                "wafv2:UpdateWebACL (LockToken)",
            ),
            step(
                "If the rule is not as the screen showed it, stop and show how it changed",
                "—",
            ),
            step("Mark the rule pending until a later read confirms it", "—"),
        ],
    }
}

fn key_plan(k: &KeySwitch, snap: &Snapshot) -> Plan {
    let (title, mut effect) = match k.enable {
        false => (
            format!("Disable API key {} ({})", k.key_name, k.key_id),
            vec![
                "Requests with this key get HTTP 403 from API Gateway at once; it stays in its \
                 usage plans, and can be enabled again (u on its audit entry)."
                    .to_string(),
            ],
        ),
        true => (
            format!("Enable API key {} ({}) again", k.key_name, k.key_id),
            vec!["Requests with this key are served again, within its plans' limits.".to_string()],
        ),
    };
    let mut steps = Vec::new();
    if !k.enable {
        effect.extend(super::accounts_checked(snap));
        steps.push(step(
            "List every distribution again (this account's and the others' in view): refuse if \
             one sends the key",
            "cloudfront:ListDistributions",
        ));
    }
    steps.push(step(
        format!("Set enabled to {}", k.enable),
        "apigateway:PATCH /apikeys/{id} (UpdateApiKey)",
    ));
    Plan {
        title,
        effect,
        steps,
    }
}

fn delete_plan(d: &DeleteOld) -> Plan {
    Plan {
        title: format!("Delete the old API key {} ({})", d.key_name, d.key_id),
        effect: vec![
            format!(
                "The key replaced by the rotation {}is deleted for good; it has been \
                 disabled since {}.",
                if d.rotation.is_empty() {
                    String::new()
                } else {
                    format!("{} ", d.rotation)
                },
                d.since.format("%Y-%m-%d %H:%M UTC")
            ),
            "It is deleted only if it is still disabled and no request used it since then.".into(),
            format!("Type {} to confirm.", d.key_name),
        ],
        steps: vec![
            step(
                "Read the key: still disabled",
                "apigateway:GET /apikeys/{id}",
            ),
            step(
                "Read its usage in each of its plans since the rotation: none",
                "apigateway:GET /usageplans/{id}/usage",
            ),
            step("Delete it", "apigateway:DELETE /apikeys/{id}"),
        ],
    }
}

#[cfg(test)]
mod tests;
