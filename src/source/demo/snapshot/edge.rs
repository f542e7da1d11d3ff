//! The simulated account's edge in the snapshot: web ACLs with their rules' and countries'
//! series, the distributions in front, and the addresses rate-based rules hold.

use chrono::{DateTime, Utc};

use super::Frame;
use crate::model::*;
use crate::source::demo::minute::{World, has_country};
use crate::source::demo::origin_countries::COUNTRIES;
use crate::source::demo::scenario::Target;
use crate::source::demo::timeline::DEPLOY_TIME;
use crate::source::demo::waf::over_limit;

pub(super) fn web_acls(w: &World, f: &Frame) -> Vec<WebAcl> {
    w.sc.acls
        .iter()
        .enumerate()
        .map(|(a, acl)| WebAcl {
            place: Default::default(),
            id: Text::new(&acl.id),
            name: Text::new(acl.name),
            scope: acl.scope,
            default_action: Action::Allow,
            protects: acl.protects.iter().map(|p| Text::new(p)).collect(),
            rules: acl
                .rules
                .iter()
                .enumerate()
                .map(|(r, def)| rule(w, f, a, r, def))
                .collect(),
            metrics: f.waf(|m| m.acls[a].total, true),
            countries: (0..COUNTRIES.len())
                .filter(|&c| has_country(f.minutes, a, c))
                .map(|c| CountryTraffic {
                    country: Text::new(COUNTRIES[c].code),
                    metrics: f.waf(|m| m.acls[a].countries[c], true),
                })
                .collect(),
        })
        .collect()
}

fn rule(
    w: &World,
    f: &Frame,
    a: usize,
    r: usize,
    def: &crate::source::demo::scenario::RuleDef,
) -> Rule {
    let action = w.tl.action_now(w.sc, a, r);
    let mut kind = def.kind.clone();
    match &mut kind {
        RuleKind::ManagedGroup { inner_rules, .. } => {
            for i in inner_rules {
                i.action = w.tl.inner_now(a, r, i.name.as_str());
            }
        }
        RuleKind::IpSet { addresses, arn, .. } => {
            if let Some((_, _, a_rn)) = crate::source::demo::ip_sets::ids(w.sc, a, r) {
                *arn = Text::new(&a_rn);
            }
            *addresses += w.tl.added_ranges(a, r, None).len() as u32;
        }
        RuleKind::RateBased {
            limit, window_secs, ..
        } => (*limit, *window_secs) = w.tl.rate_now(a, r, (*limit, *window_secs)),
        _ => {}
    }
    Rule {
        name: Text::new(def.name),
        priority: r as u32,
        kind,
        action,
        metric_name: Text::new(def.name),
        metrics: f.waf(|m| m.acls[a].rules[r], action == Action::Allow),
        pending: false,
        custom: None,
        kept: None,
    }
}

pub(super) fn distributions(w: &World, now: DateTime<Utc>) -> Vec<Distribution> {
    let sc = w.sc;
    sc.dists
        .iter()
        .map(|d| {
            let key = d.key_client.and_then(|c| w.tl.key_for_client(sc, c, now));
            let deploying = key
                .and_then(|k| k.since)
                .is_some_and(|s| now - s < DEPLOY_TIME);
            Distribution {
                place: Default::default(),
                id: Text::new(d.id),
                domain: Text::new(d.domain),
                status: if deploying {
                    DistributionStatus::InProgress
                } else {
                    DistributionStatus::Deployed
                },
                web_acl: Some(Text::new(sc.acls[d.acl].name)),
                geo_restriction: d.geo_restriction.clone(),
                origins: vec![Origin {
                    other_headers: Default::default(),
                    domain: Text::new(&sc.origin_domain(d.stage)),
                    path: Text::new(&format!("/{}", sc.stages[d.stage].name)),
                    key_headers: d
                        .key_client
                        .map(|_| OriginKey {
                            fingerprint: Default::default(),
                            header: Text::new("x-api-key"),
                            key_id: key.map(|k| Text::new(&k.id)),
                        })
                        .into_iter()
                        .collect(),
                }],
            }
        })
        .collect()
}

/// Addresses each rate-based rule holds in minute `m` (tracked in Count mode too).
pub(super) fn rate_limited(w: &World, m: i64) -> Vec<RateLimitedIp> {
    let sc = w.sc;
    let mut out = Vec::new();
    for (a, acl) in sc.acls.iter().enumerate() {
        for (r, rule) in acl.rules.iter().enumerate() {
            let Target::RateOver {
                class,
                limit,
                window,
            } = rule.target
            else {
                continue;
            };
            let (limit, window) = crate::source::demo::waf::rate_for(w.tl, a, r, m, limit, window);
            for (c, client) in sc.clients.iter().enumerate() {
                if client.class == class && over_limit(sc, c, m, limit, window) {
                    out.push(RateLimitedIp {
                        place: Default::default(),
                        web_acl: Text::new(acl.name),
                        rule: Text::new(rule.name),
                        address: Text::new(client.ip.as_deref().unwrap_or_default()),
                    });
                }
            }
        }
    }
    out
}
