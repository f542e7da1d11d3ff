//! Blocking and unblocking a range: where it may go (the guardrails), and the removals a
//! block's journal and its expiry call for.

use super::*;

/// Whether a range is wide enough to take the typed confirmation: shorter than /16 for IPv4,
/// /48 for IPv6.
pub(super) fn wide(net: &IpNet) -> bool {
    match net {
        IpNet::V4(n) => n.prefix_len() < 16,
        IpNet::V6(n) => n.prefix_len() < 48,
    }
}

pub(super) fn overlap(a: &IpNet, b: &IpNet) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

/// Why `net` may not go into `set` (used by `acl`'s Block rules), if anything stops it.
pub(super) fn guard(snap: &Snapshot, set: &IpSet, net: &IpNet, acls: &[&WebAcl]) -> Option<String> {
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
                    for e in crate::judge::bypass::edges_of(snap, api, st) {
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
