//! What Logs Insights would find in the simulated account's logs over the last five complete
//! minutes: each stage's access log counted from the same per-client minutes the metrics and
//! the keys' figures come from, and the regional web ACL's log from the same flows its samples
//! are drawn from. The CloudFront web ACL logs to S3, which Logs Insights cannot read.

use std::collections::HashMap;

use chrono::Duration;

use super::minute::{Minute, World, minute_start};
use super::noise::{hash, unit};
use super::origin_countries::{self, COUNTRIES};
use super::requests::{request, user_agent};
use super::samples::cloudfront_ip;
use super::scenario::{REGIONAL, Scenario, address_pool};
use super::waf::Flow;
use crate::model::logs::{
    Blocked, LogKind, LogSource, LogState, Logs, Refusals, Refused, ScanCost, Tally, Window,
};
use crate::model::{Action, Text};
use crate::source::log_queries;

/// Minutes a query covers (`--logs-every`'s default).
const MINUTES: usize = 5;
/// Bytes of a typical line: an access log's JSON, a WAF log's record.
const ACCESS_LINE: u64 = 230;
const WAF_LINE: u64 = 1_400;
/// How many requests stand for a client's paths and agents in the tallies.
const DRAWS: u64 = 8;

pub fn logs(w: &World, complete: &[Minute]) -> Logs {
    let Some(last) = complete.last() else {
        return Logs::default();
    };
    let recent = &complete[complete.len().saturating_sub(MINUTES)..];
    let window = |records: u64, line: u64| Window {
        from: minute_start(recent[0].m),
        to: minute_start(last.m) + Duration::minutes(1),
        records_scanned: records,
        bytes_scanned: records * line,
    };
    let minutes = recent.len() as f64;
    let mut out = Logs::default();
    for (s, st) in w.sc.stages.iter().enumerate() {
        let Some(dest) = st.logging.access_log.as_ref() else {
            continue;
        };
        let api = &w.sc.apis[st.api];
        let name = format!("{}/{}", api.name, st.name);
        let format = st.logging.access_format.as_ref().map_or("", |f| f.as_str());
        let group = log_queries::log_group(dest.as_str()).map_or(dest.as_str(), |(_, g)| g);
        let mut src = LogSource {
            place: Default::default(),
            kind: LogKind::Access,
            of: vec![Text::new(&name)],
            destination: Text::new(group),
            state: LogState::Waiting {
                why: Text::new("the first query is due"),
            },
            queries: Vec::new(),
            query_states: Vec::new(),
        };
        match log_queries::access_fields(format) {
            Err(missing) => {
                src.state = LogState::Lacking {
                    variables: missing.into_iter().map(Text::new).collect(),
                };
            }
            Ok(fields) => {
                src.queries = vec![Text::with_limit(
                    &log_queries::access_query(&fields),
                    crate::model::text::WIDE,
                )];
                let records: f64 = recent.iter().map(|m| m.stages[s].count).sum();
                src.state = LogState::Read(window(records.round() as u64, ACCESS_LINE));
                src.query_states = vec![src.state.clone()];
                out.refused
                    .extend(refused(w, recent, s, &api.id, st.name, minutes));
            }
        }
        out.sources.push(src);
    }
    for (a, acl) in w.sc.acls.iter().enumerate() {
        let of = vec![Text::new(acl.name)];
        if a != REGIONAL {
            out.sources.push(s3_waf_log(acl.name, of));
            continue;
        }
        let (blocked, paths, agents, records) = waf(w, recent, a);
        out.blocked = blocked;
        out.blocked_paths = paths;
        out.blocked_agents = agents;
        out.sources
            .push(cloudwatch_waf_log(acl.name, of, window(records, WAF_LINE)));
    }
    out.cost = scan_cost(&out.sources);
    out
}

/// A web ACL that logs to CloudWatch Logs, its three queries read over `window`.
fn cloudwatch_waf_log(acl: &str, of: Vec<Text>, window: Window) -> LogSource {
    LogSource {
        place: Default::default(),
        kind: LogKind::Waf,
        of,
        destination: Text::new(&format!("aws-waf-logs-{acl}")),
        state: LogState::Read(window.clone()),
        queries: [
            log_queries::WAF_SOURCES,
            log_queries::WAF_PATHS,
            log_queries::WAF_AGENTS,
        ]
        .map(|q| Text::with_limit(q, crate::model::text::WIDE))
        .to_vec(),
        query_states: vec![LogState::Read(window); 3],
    }
}

/// A web ACL that logs to S3: not a log Logs Insights reads.
fn s3_waf_log(acl: &str, of: Vec<Text>) -> LogSource {
    LogSource {
        place: Default::default(),
        kind: LogKind::Waf,
        of,
        destination: Text::new(&format!("arn:aws:s3:::aws-waf-logs-{acl}")),
        state: LogState::NotQueryable {
            why: Text::new(
                "an S3 bucket: Logs Insights reads CloudWatch Logs only (Athena reads S3)",
            ),
        },
        queries: Vec::new(),
        query_states: Vec::new(),
    }
}

/// What the queries scanned, each query of a log scanning the whole window.
fn scan_cost(sources: &[LogSource]) -> ScanCost {
    let bytes: u64 = sources
        .iter()
        .filter_map(|s| match &s.state {
            LogState::Read(w) => Some(w.bytes_scanned * s.queries.len().max(1) as u64),
            _ => None,
        })
        .sum();
    ScanCost {
        bytes_last_run: bytes,
        bytes_total: bytes,
        every_secs: (MINUTES * 60) as u32,
    }
}

/// A stage's 429s per key over the minutes: each client's, under the key it used that minute;
/// what is left of the stage's count had no key.
fn refused(
    w: &World,
    recent: &[Minute],
    stage: usize,
    api_id: &str,
    stage_name: &str,
    minutes: f64,
) -> Vec<Refused> {
    let mut by_key: HashMap<Option<String>, f64> = HashMap::new();
    let mut keyed = 0.0;
    for mi in recent {
        for (c, cm) in mi.clients.iter().enumerate() {
            if w.sc.clients[c].stage != stage || cm.throttled <= 0.0 {
                continue;
            }
            let key = w.tl.key_for_client(w.sc, c, minute_start(mi.m));
            *by_key.entry(key.map(|k| k.id.clone())).or_default() += cm.throttled;
            keyed += cm.throttled;
        }
    }
    let total: f64 = recent.iter().map(|m| m.stages[stage].throttled).sum();
    if total - keyed >= 1.0 {
        *by_key.entry(None).or_default() += total - keyed;
    }
    let mut out: Vec<Refused> = by_key
        .into_iter()
        .filter(|(_, n)| n.round() >= 1.0)
        .map(|(key, n)| Refused {
            api_id: Some(Text::new(api_id)),
            stage: Some(Text::new(stage_name)),
            counts: Refusals {
                throttled: if key.is_some() { n.round() as u64 } else { 0 },
                other: if key.is_none() { n.round() as u64 } else { 0 },
                quota: 0,
                minutes,
            },
            key_id: key.map(|k| Text::new(&k)),
        })
        .collect();
    out.sort_by(|a, b| (b.counts.total().cmp(&a.counts.total())).then(a.key_id.cmp(&b.key_id)));
    out
}

type WafFigures = (Vec<Blocked>, Vec<Tally>, Vec<Tally>, u64);

/// The web ACL's stopped requests, by address, path and agent, over the minutes.
fn waf(w: &World, recent: &[Minute], acl: usize) -> WafFigures {
    let sc = w.sc;
    let name = Text::new(sc.acls[acl].name);
    let mut sources: Sources = HashMap::new();
    let mut paths: HashMap<String, f64> = HashMap::new();
    let mut agents: HashMap<String, f64> = HashMap::new();
    let mut records = 0.0;
    for mi in recent {
        for o in &mi.outcomes {
            for hit in o.hits.iter().filter(|h| h.acl == acl) {
                records += o.flow.rpm;
                let action = match hit.action {
                    Action::Block => "BLOCK",
                    Action::Captcha => "CAPTCHA",
                    Action::Challenge => "CHALLENGE",
                    _ => continue,
                };
                let Some(rule) = hit.rule else { continue };
                let rule = sc.acls[acl].rules[rule].name;
                let cc = COUNTRIES[o.flow.country].code;
                let ips = addresses(sc, acl, &o.flow);
                let share = o.flow.rpm / ips.len() as f64;
                for ip in ips {
                    *sources.entry((ip, cc, rule, action)).or_default() += share;
                }
                for k in 0..DRAWS {
                    let share = o.flow.rpm / DRAWS as f64;
                    let (_, uri) = request(sc, o.flow.client, k, unit(&[k, 1]));
                    *paths.entry(uri).or_default() += share;
                    let ua = user_agent(sc, o.flow.client, unit(&[k, 4]));
                    *agents.entry(ua).or_default() += share;
                }
            }
        }
    }
    let blocked = by_address(sources, &name);
    let tally = |m: HashMap<String, f64>| {
        let mut v: Vec<Tally> = m
            .into_iter()
            .filter(|(_, n)| n.round() >= 1.0)
            .map(|(value, n)| Tally {
                place: Default::default(),
                web_acl: name.clone(),
                value: Text::new(&value),
                requests: n.round() as u64,
            })
            .collect();
        v.sort_by(|a, b| b.requests.cmp(&a.requests).then(a.value.cmp(&b.value)));
        v.truncate(20);
        v
    };
    (blocked, tally(paths), tally(agents), records.round() as u64)
}

/// The addresses a flow's samples use: the client's own, or its pool's (behind a
/// distribution, CloudFront's as the regional web ACL sees them).
fn addresses(sc: &Scenario, acl: usize, flow: &Flow) -> Vec<String> {
    let c = &sc.clients[flow.client];
    let pool = if c.ip.is_some() {
        1
    } else {
        address_pool(c.class)
    };
    (0..pool)
        .map(|i| {
            let h = hash(&[flow.client as u64, i]);
            match (c.via, &c.ip) {
                (Some(_), _) if acl == REGIONAL => cloudfront_ip(hash(&[h, 0xcf])),
                (_, Some(ip)) => ip.clone(),
                _ => origin_countries::client_ip(sc.seed, flow.country, h),
            }
        })
        .collect()
}

/// Stopped requests a minute by address, country, rule and action.
type Sources = HashMap<(String, &'static str, &'static str, &'static str), f64>;

/// The stopped addresses, the most stopped first (100 at most).
fn by_address(sources: Sources, name: &Text) -> Vec<Blocked> {
    let mut blocked: Vec<Blocked> = sources
        .into_iter()
        .filter(|(_, n)| n.round() >= 1.0)
        .map(|((ip, cc, rule, action), n)| Blocked {
            place: Default::default(),
            web_acl: name.clone(),
            client_ip: Text::new(&ip),
            country: Text::new(cc),
            rule: Text::new(rule),
            action: Text::new(action),
            requests: n.round() as u64,
        })
        .collect();
    blocked.sort_by(|a, b| {
        b.requests
            .cmp(&a.requests)
            .then(a.client_ip.cmp(&b.client_ip))
    });
    blocked.truncate(100);
    blocked
}
