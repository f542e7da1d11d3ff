//! One simulated minute of the whole account: every client's requests, split by country,
//! through CloudFront's web ACL (if it comes that way), the regional web ACL, then API
//! Gateway's key throttling and quotas, into stage metrics.

use chrono::{DateTime, Utc};

use super::noise::jitter;
use super::origin_countries;
use super::scenario::{Class, Mix, REGIONAL, Scenario};
use super::timeline::Timeline;
use super::traffic::{blip_level, noisy_rpm};
use super::usage::{Usage, plan_rate};
use super::waf::{AclMinute, Flow, Hit, evaluate};

/// One stage's API Gateway metrics for one minute.
#[derive(Clone, Copy, Debug, Default)]
pub struct StageMinute {
    pub count: f64,
    pub errors_4xx: f64,
    pub errors_5xx: f64,
    pub latency_ms: f64,
    pub throttled: f64,
}

/// What one client's requests did in one minute.
#[derive(Clone, Copy, Debug, Default)]
pub struct ClientMinute {
    /// Requests that got past WAF to API Gateway.
    pub reached: f64,
    /// Of those, refused with 429 (rate limit or quota).
    pub throttled: f64,
}

/// A flow and what each web ACL on its path did with it, for sampling.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub flow: Flow,
    pub hits: Vec<Hit>,
    pub blocked: bool,
}

pub struct Minute {
    pub m: i64,
    pub stages: Vec<StageMinute>,
    pub acls: Vec<AclMinute>,
    pub clients: Vec<ClientMinute>,
    pub outcomes: Vec<Outcome>,
}

/// What a minute's computation reads: the account, its changes, and key usage.
pub struct World<'a> {
    pub sc: &'a Scenario,
    pub tl: &'a Timeline,
    pub usage: &'a Usage,
}

pub fn minute_start(m: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(m * 60, 0).unwrap_or_default()
}

/// Share of requests that pass WAF and still get a 4xx from the API (401s, 404s…).
fn client_error_share(class: Class) -> f64 {
    match class {
        Class::Normal | Class::Embargo => 0.015,
        Class::Scraper | Class::Flood => 0.03,
        Class::Stuffing => 0.97,
        Class::BadBot => 0.7,
        Class::Probe | Class::BadInput => 0.85,
        Class::Blocklisted | Class::BadReputation => 0.3,
    }
}

/// Share of served requests that fail with 5xx on `stage` in minute `m`.
pub fn server_error_share(w: &World, stage: usize, m: i64) -> f64 {
    let base = 0.001 * jitter(&[w.sc.seed, 0x5e, m as u64, stage as u64], 0.5);
    if w.sc.stages[stage].blip {
        base + 0.065 * blip_level(m) * jitter(&[w.sc.seed, 0x5f, m as u64], 0.2)
    } else {
        base
    }
}

fn country_split(mix: Mix) -> Vec<(usize, f64)> {
    match mix {
        Mix::Global => origin_countries::global_split(),
        Mix::Fixed(list) => list
            .iter()
            .map(|(code, share)| (origin_countries::index(code), *share))
            .collect(),
    }
}

/// The web ACLs a client's requests pass through, in order.
fn path(sc: &Scenario, client: usize) -> Vec<usize> {
    match sc.clients[client].via {
        Some(d) => vec![sc.dists[d].acl, REGIONAL],
        None => vec![REGIONAL],
    }
}

pub fn compute(w: &World, m: i64) -> Minute {
    let sc = w.sc;
    let mut out = Minute {
        m,
        stages: vec![StageMinute::default(); sc.stages.len()],
        acls: sc
            .acls
            .iter()
            .map(|a| AclMinute::new(a.rules.len()))
            .collect(),
        clients: vec![ClientMinute::default(); sc.clients.len()],
        outcomes: Vec::new(),
    };
    for c in 0..sc.clients.len() {
        run_client(w, m, c, &mut out);
    }
    for s in 0..sc.stages.len() {
        out.stages[s].latency_ms = latency(w, s, m, out.stages[s].count);
    }
    out
}

fn run_client(w: &World, m: i64, c: usize, out: &mut Minute) {
    let sc = w.sc;
    let client = &sc.clients[c];
    let rpm = noisy_rpm(sc.seed, client.profile, c, m);
    if rpm <= 0.0 {
        return;
    }
    let acls = path(sc, c);
    let mut reached = 0.0;
    for (country, share) in country_split(client.mix) {
        let rpm = rpm * share * jitter(&[sc.seed, 0xc0, m as u64, c as u64, country as u64], 0.06);
        // The share from addresses the operator blocked goes its own way.
        let caught = acls.iter().find_map(|&acl| {
            super::ip_sets::caught(sc, w.tl, acl, c, country, m).map(|(rule, s)| ((acl, rule), s))
        });
        let parts = match caught {
            Some((listed, s)) => vec![(Some(listed), rpm * s), (None, rpm * (1.0 - s))],
            None => vec![(None, rpm)],
        };
        for (listed, rpm) in parts.into_iter().filter(|(_, rpm)| *rpm > 0.0) {
            let flow = Flow {
                client: c,
                country,
                rpm,
                listed,
            };
            let mut hits = Vec::new();
            let mut blocked = false;
            for &acl in &acls {
                if evaluate(sc, w.tl, acl, &flow, m, &mut out.acls[acl], &mut hits) {
                    blocked = true;
                    if acl == REGIONAL {
                        out.stages[client.stage].errors_4xx += rpm; // WAF_FILTERED: 403
                    }
                    break;
                }
            }
            if !blocked {
                reached += rpm;
            }
            out.outcomes.push(Outcome {
                flow,
                hits,
                blocked,
            });
        }
    }
    // A key the operator disabled: API Gateway answers 403 to all of it.
    let key_off =
        w.tl.key_for_client(sc, c, minute_start(m))
            .is_some_and(|k| w.tl.switched_off(&k.id, minute_start(m)));
    let throttled = if key_off {
        0.0
    } else {
        key_throttled(w, c, m, reached)
    };
    out.clients[c] = ClientMinute { reached, throttled };
    let served = if key_off { 0.0 } else { reached - throttled };
    let stage = &mut out.stages[client.stage];
    stage.count += reached;
    stage.throttled += throttled;
    stage.errors_4xx += throttled + served * client_error_share(client.class);
    if key_off {
        stage.errors_4xx += reached;
    }
    stage.errors_5xx += served * server_error_share(w, client.stage, m);
}

/// 429s for a client's key in minute `m`: over its plan's rate, or out of quota.
fn key_throttled(w: &World, c: usize, m: i64, reached: f64) -> f64 {
    let start = minute_start(m);
    let Some(key) = w.tl.key_for_client(w.sc, c, start) else {
        return 0.0;
    };
    let cap = plan_rate(w.sc, key) * 60.0;
    let (_, remaining) = w.usage.period(w.sc, w.tl, key, start);
    let ok = reached
        .min(cap)
        .min(remaining.unwrap_or(f64::INFINITY).max(0.0));
    reached - ok
}

fn latency(w: &World, s: usize, m: i64, count: f64) -> f64 {
    let stage = &w.sc.stages[s];
    let load = (count / 10_000.0).min(1.0) * 8.0;
    let blip = if stage.blip {
        160.0 * blip_level(m)
    } else {
        0.0
    };
    stage.latency_ms * jitter(&[w.sc.seed, 0x1a, m as u64, s as u64], 0.06) + load + blip
}

/// Whether `country` appears in any flow (for the per-country metric list).
pub fn has_country(minutes: &[Minute], acl: usize, country: usize) -> bool {
    minutes.iter().any(|mi| {
        let c = mi.acls[acl].countries[country];
        c.allowed + c.blocked + c.counted > 0.0
    })
}
