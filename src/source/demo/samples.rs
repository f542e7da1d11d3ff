//! Sampled requests (GetSampledRequests): a handful per minute per web ACL, for the default
//! action and for every rule that matched something, drawn from that minute's flows. Each is a
//! pure function of (seed, minute, index); only those at or before `now` are shown.

use chrono::{DateTime, Duration, Utc};

use super::hostile;
use super::minute::{Minute, Outcome, World, minute_start, server_error_share};
use super::noise::{hash, unit, weighted};
use super::origin_countries::{self, COUNTRIES};
use super::requests::{credential, request, user_agent};
use super::scenario::{Class, REGIONAL, address_pool};
use crate::model::{Action, Header, Sample, Text};

/// CloudFront's origin-facing ranges in the simulated account (a few of the real ones): a
/// regional web ACL behind a distribution sees these as the client.
pub const CLOUDFRONT_ORIGIN_FACING: [&str; 4] = [
    "130.176.0.0/18",
    "64.252.64.0/18",
    "70.132.0.0/18",
    "15.158.0.0/16",
];

/// A CloudFront origin-facing address (in 130.176.0.0/18 or 64.252.64.0/18).
pub(super) fn cloudfront_ip(h: u64) -> String {
    let (first, base) = if h.is_multiple_of(2) {
        ("130.176", 0)
    } else {
        ("64.252", 64)
    };
    format!("{first}.{}.{}", base + (h >> 8) % 64, 1 + (h >> 16) % 254)
}

/// How many of the newest minutes are sampled.
pub const SAMPLED_MINUTES: usize = 14;
pub const MAX_SAMPLES: usize = 300;

/// Samples of the newest minutes, newest first.
pub fn sampled_requests(w: &World, minutes: &[Minute], now: DateTime<Utc>) -> Vec<Sample> {
    let mut out = Vec::new();
    for mi in minutes.iter().rev().take(SAMPLED_MINUTES) {
        for acl in 0..w.sc.acls.len() {
            minute_samples(w, mi, acl, &mut out);
        }
        out.push(hostile::sample(w, mi.m));
    }
    out.retain(|s| s.time <= now);
    out.sort_by_key(|s| std::cmp::Reverse(s.time));
    out.truncate(MAX_SAMPLES);
    out
}

/// One sampled group: hits of one rule (or the default action) in one web ACL.
struct Group {
    rule: Option<usize>,
    entries: Vec<(usize, Action)>,
    weights: Vec<f64>,
}

fn groups(mi: &Minute, acl: usize, rules: usize) -> Vec<Group> {
    let mut groups: Vec<Group> = std::iter::once(None)
        .chain((0..rules).map(Some))
        .map(|rule| Group {
            rule,
            entries: Vec::new(),
            weights: Vec::new(),
        })
        .collect();
    for (i, o) in mi.outcomes.iter().enumerate() {
        for hit in o.hits.iter().filter(|h| h.acl == acl) {
            let g = hit.rule.map_or(0, |r| r + 1);
            groups[g].entries.push((i, hit.action));
            groups[g].weights.push(o.flow.rpm);
        }
    }
    groups
}

fn minute_samples(w: &World, mi: &Minute, acl: usize, out: &mut Vec<Sample>) {
    let seed = w.sc.seed;
    for g in groups(mi, acl, w.sc.acls[acl].rules.len()) {
        let volume: f64 = g.weights.iter().sum();
        if volume < 0.5 {
            continue;
        }
        let n = if g.rule.is_none() {
            5
        } else {
            1 + usize::from(volume >= 100.0)
        };
        let weight = (volume / n as f64).round().max(1.0) as u64;
        for i in 0..n {
            let key = [
                seed,
                0x5a,
                mi.m as u64,
                acl as u64,
                g.rule.map_or(99, |r| r as u64),
                i as u64,
            ];
            let Some(e) = weighted(&g.weights, unit(&key)) else {
                continue;
            };
            let (o, action) = (&mi.outcomes[g.entries[e].0], g.entries[e].1);
            out.push(build(w, mi, acl, g.rule, action, o, weight, hash(&key)));
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn build(
    w: &World,
    mi: &Minute,
    acl: usize,
    rule: Option<usize>,
    action: Action,
    o: &Outcome,
    weight: u64,
    h: u64,
) -> Sample {
    let sc = w.sc;
    let c = &sc.clients[o.flow.client];
    let u = |salt: u64| unit(&[h, salt]);
    // A request the operator's block caught came from a blocked address.
    let caught = o.flow.listed.and_then(|(a, r)| {
        super::ip_sets::caught_address(sc, w.tl, a, r, o.flow.client, o.flow.country, h)
    });
    let viewer = caught.or_else(|| c.ip.clone()).unwrap_or_else(|| {
        origin_countries::client_ip(
            sc.seed,
            o.flow.country,
            hash(&[o.flow.client as u64, h % address_pool(c.class)]),
        )
    });
    // Behind a distribution, the stage's own web ACL sees CloudFront connect; the viewer is in
    // X-Forwarded-For.
    let ip = match c.via {
        Some(_) if acl == REGIONAL => cloudfront_ip(hash(&[h, 0xcf])),
        _ => viewer.clone(),
    };
    let (method, uri) = request(sc, o.flow.client, h % 100_000, u(1));
    let rule_name = rule.map_or("Default_Action", |r| sc.acls[acl].rules[r].name);
    let time = minute_start(mi.m) + Duration::milliseconds((u(2) * 60_000.0) as i64);
    Sample {
        place: Default::default(),
        time,
        web_acl: Text::new(sc.acls[acl].name),
        rule: Text::new(rule_name),
        action,
        client_ip: Text::new(&ip),
        country: Text::new(COUNTRIES[o.flow.country].code),
        method: Text::new(method),
        uri: Text::new(&uri),
        headers: headers(w, acl, o.flow.client, &viewer, h, time),
        labels: labels(w, acl, o),
        weight,
        response_code: Some(response_code(w, mi, o, method, u(3))),
    }
}

fn headers(
    w: &World,
    acl: usize,
    client: usize,
    ip: &str,
    h: u64,
    time: DateTime<Utc>,
) -> Vec<Header> {
    let sc = w.sc;
    let c = &sc.clients[client];
    let host = match c.via {
        Some(d) if acl != REGIONAL => sc.dists[d].domain.to_string(),
        _ => sc.origin_domain(c.stage),
    };
    let mut raw: Vec<(&str, String)> = vec![
        ("host", host),
        ("user-agent", user_agent(sc, client, unit(&[h, 4]))),
        ("accept", "application/json".into()),
    ];
    if c.via.is_some() {
        raw.push(("x-forwarded-for", ip.to_string()));
    }
    if let Some(cred) = credential(sc, client, h) {
        raw.push(cred);
    }
    let origin_sends_key = c
        .via
        .is_some_and(|d| sc.dists[d].key_client == Some(client));
    let key = w.tl.key_for_client(sc, client, time);
    if let Some(key) = key.filter(|_| !origin_sends_key || acl == REGIONAL) {
        raw.push(("x-api-key", key.value.clone()));
    }
    raw.into_iter().map(|(n, v)| Header::new(n, &v)).collect()
}

fn labels(w: &World, acl: usize, o: &Outcome) -> Vec<Text> {
    let code = COUNTRIES[o.flow.country].code;
    let mut labels = vec![Text::new(&format!("awswaf:clientip:geo:country:{code}"))];
    for hit in o.hits.iter().filter(|h| h.acl == acl) {
        if let Some(r) = hit.rule {
            let all = w.sc.acls[acl].rules[r].labels;
            if !all.is_empty() {
                labels.push(Text::new(
                    &all[(o.flow.client + o.flow.country) % all.len()],
                ));
            }
        }
    }
    labels
}

fn response_code(w: &World, mi: &Minute, o: &Outcome, method: &str, u: f64) -> u16 {
    if o.blocked {
        return 403;
    }
    let c = &w.sc.clients[o.flow.client];
    let cm = mi.clients[o.flow.client];
    if cm.reached > 0.0 && u < cm.throttled / cm.reached {
        return 429;
    }
    let u = (u - cm.throttled / cm.reached.max(1.0)).max(0.0);
    if u < server_error_share(w, c.stage, mi.m) {
        return 503;
    }
    match c.class {
        Class::Stuffing => 401,
        Class::BadBot | Class::Probe | Class::BadInput => 404,
        _ if u > 0.985 => 404,
        _ if method == "POST" => 201,
        _ => 200,
    }
}
