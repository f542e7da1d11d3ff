//! The simulated account's IP sets: one per rule that names one, holding the blocklisted
//! clients' addresses and more, plus what the operator added; and how much of a client's
//! traffic the ranges the operator added catch.

use ipnet::IpNet;

use super::noise::hash;
use super::origin_countries;
use super::scenario::{Class, Scenario, address_pool};
use super::timeline::Timeline;
use crate::model::ip_set::{BlockEntry, IpSet};
use crate::model::{RuleKind, Scope, Text};

/// The addresses a client's requests from `country` come from, as the samples draw them.
pub fn pool(sc: &Scenario, client: usize, country: usize) -> Vec<String> {
    let c = &sc.clients[client];
    match &c.ip {
        Some(ip) => vec![ip.clone()],
        None => (0..address_pool(c.class))
            .map(|i| origin_countries::client_ip(sc.seed, country, hash(&[client as u64, i])))
            .collect(),
    }
}

/// One IP set of the account: the web ACL and rule that reference it.
struct DefinedSet {
    acl: usize,
    rule: usize,
    name: String,
    size: u32,
}

fn defined(sc: &Scenario) -> Vec<DefinedSet> {
    let mut out = Vec::new();
    for (a, acl) in sc.acls.iter().enumerate() {
        for (r, rule) in acl.rules.iter().enumerate() {
            if let RuleKind::IpSet {
                name, addresses, ..
            } = &rule.kind
            {
                out.push(DefinedSet {
                    acl: a,
                    rule: r,
                    name: name.to_string(),
                    size: *addresses,
                });
            }
        }
    }
    out
}

/// The id and ARN of the set of rule `rule` in web ACL `acl`.
pub fn ids(sc: &Scenario, acl: usize, rule: usize) -> Option<(String, String, String)> {
    let d = defined(sc)
        .into_iter()
        .find(|d| d.acl == acl && d.rule == rule)?;
    let id = super::scenario::uuid(sc.seed, &format!("ipset:{}", d.name));
    let scope = match sc.acls[acl].scope {
        Scope::Regional => "regional",
        Scope::Cloudfront => "global",
    };
    let region = match sc.acls[acl].scope {
        Scope::Regional => sc.place.region.as_str(),
        Scope::Cloudfront => "us-east-1",
    };
    let arn = format!(
        "arn:aws:wafv2:{region}:{}:{scope}/ipset/{}/{id}",
        sc.place.account_id, d.name
    );
    Some((d.name.to_string(), id, arn))
}

/// The ranges a set holds from the start: the blocklisted clients' addresses, then enough
/// others to make up its size.
fn initial(sc: &Scenario, size: u32) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (c, client) in sc.clients.iter().enumerate() {
        if client.class != Class::Blocklisted {
            continue;
        }
        for country in 0..origin_countries::COUNTRIES.len() {
            for a in pool(sc, c, country) {
                if let Ok(net) = a.parse::<std::net::IpAddr>().map(IpNet::from)
                    && matches!(net, IpNet::V4(_))
                {
                    let r = net.to_string();
                    if !out.contains(&r) {
                        out.push(r);
                    }
                }
                if out.len() >= size as usize {
                    return out;
                }
            }
        }
    }
    let mut i = 0u64;
    while out.len() < size as usize {
        let h = hash(&[sc.seed, 0x1b5e7, i]);
        out.push(format!(
            "198.18.{}.{}/32",
            (h >> 8) % 256,
            1 + (h >> 16) % 254
        ));
        out.dedup();
        i += 1;
    }
    out
}

/// Every IP set, as of the timeline `tl` (already cut at now).
pub fn model(sc: &Scenario, tl: &Timeline) -> Vec<IpSet> {
    defined(sc)
        .into_iter()
        .filter_map(|d| {
            let (name, id, arn) = ids(sc, d.acl, d.rule)?;
            let mut addresses: Vec<Text> =
                initial(sc, d.size).iter().map(|a| Text::new(a)).collect();
            for (range, _) in tl.added_ranges(d.acl, d.rule, None) {
                addresses.push(Text::new(&range.to_string()));
            }
            Some(IpSet {
                id: Text::new(&id),
                name: Text::new(&name),
                arn: Text::new(&arn),
                scope: sc.acls[d.acl].scope,
                ipv6: false,
                addresses,
                applying: Vec::new(),
                place: Default::default(),
            })
        })
        .collect()
}

/// What the operator added, as the blocks journal of a real account would list it.
pub fn blocks(sc: &Scenario, tl: &Timeline) -> Vec<BlockEntry> {
    let mut out = Vec::new();
    for d in defined(sc) {
        let Some((name, id, _)) = ids(sc, d.acl, d.rule) else {
            continue;
        };
        for (range, change) in tl.added_ranges(d.acl, d.rule, None) {
            out.push(BlockEntry {
                ip_set: Text::new(&name),
                ip_set_id: Text::new(&id),
                scope: sc.acls[d.acl].scope,
                range: Text::new(&range.to_string()),
                added: change.at,
                expires: change.expires,
                place: Default::default(),
            });
        }
    }
    out
}

/// The IP set rule of `acl` whose operator-added ranges catch a share of `client`'s requests
/// from `country` in minute `m`, with the share and the first address caught.
pub fn caught(
    sc: &Scenario,
    tl: &Timeline,
    acl: usize,
    client: usize,
    country: usize,
    m: i64,
) -> Option<(usize, f64)> {
    if tl.ip_changes.is_empty() {
        return None;
    }
    let addresses = pool(sc, client, country);
    for d in defined(sc).into_iter().filter(|d| d.acl == acl) {
        let ranges = tl.added_ranges(acl, d.rule, Some(m));
        if ranges.is_empty() {
            continue;
        }
        let n = addresses
            .iter()
            .filter(|a| {
                a.parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ranges.iter().any(|(r, _)| r.contains(&ip)))
            })
            .count();
        if n > 0 {
            return Some((d.rule, n as f64 / addresses.len() as f64));
        }
    }
    None
}

/// An address of `client`'s from `country` that the operator's ranges in `acl` caught, for a
/// sample of a caught request.
pub fn caught_address(
    sc: &Scenario,
    tl: &Timeline,
    acl: usize,
    rule: usize,
    client: usize,
    country: usize,
    pick: u64,
) -> Option<String> {
    let ranges = tl.added_ranges(acl, rule, None);
    let caught: Vec<String> = pool(sc, client, country)
        .into_iter()
        .filter(|a| {
            a.parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ranges.iter().any(|(r, _)| r.contains(&ip)))
        })
        .collect();
    (!caught.is_empty()).then(|| caught[(pick % caught.len() as u64) as usize].clone())
}
