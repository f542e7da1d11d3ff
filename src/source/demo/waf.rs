//! WAF evaluation: which rules a flow of requests matches, and what the web ACL does with it
//! given each rule's action in that minute (Block/GroupActions block, Count counts and passes).

use super::origin_countries::COUNTRIES;
use super::scenario::{Scenario, Target};
use super::timeline::Timeline;
use super::traffic::smooth_rpm;
use crate::model::Action;

/// Requests allowed, blocked and counted in one minute.
#[derive(Clone, Copy, Debug, Default)]
pub struct Counts {
    pub allowed: f64,
    pub blocked: f64,
    pub counted: f64,
}

impl Counts {
    fn add(&mut self, action: Action, rpm: f64) {
        match action {
            Action::Allow => self.allowed += rpm,
            Action::Count => self.counted += rpm,
            _ => self.blocked += rpm,
        }
    }
}

/// One web ACL's metrics for one minute.
#[derive(Clone, Debug)]
pub struct AclMinute {
    pub total: Counts,
    pub rules: Vec<Counts>,
    pub countries: Vec<Counts>,
}

impl AclMinute {
    pub fn new(rules: usize) -> Self {
        AclMinute {
            total: Counts::default(),
            rules: vec![Counts::default(); rules],
            countries: vec![Counts::default(); COUNTRIES.len()],
        }
    }

    fn record(&mut self, rule: Option<usize>, country: usize, action: Action, rpm: f64) {
        self.total.add(action, rpm);
        self.countries[country].add(action, rpm);
        if let Some(r) = rule {
            self.rules[r].add(action, rpm);
        }
    }
}

/// Requests of one client from one country in one minute.
#[derive(Clone, Copy, Debug)]
pub struct Flow {
    pub client: usize,
    pub country: usize,
    pub rpm: f64,
    /// From addresses the operator added to the IP set of rule (web ACL, rule).
    pub listed: Option<(usize, usize)>,
}

/// What one web ACL did to a flow: each Count rule it matched, then the terminating rule
/// (None = the default action).
#[derive(Clone, Copy, Debug)]
pub struct Hit {
    pub acl: usize,
    pub rule: Option<usize>,
    pub action: Action,
}

/// True when a single-address client is over a rate-based limit in minute `m`.
pub fn over_limit(sc: &Scenario, client: usize, m: i64, limit: f64, window: i64) -> bool {
    let c = &sc.clients[client];
    c.ip.is_some()
        && (0..window)
            .map(|k| smooth_rpm(sc.seed, c.profile, m - k))
            .sum::<f64>()
            > limit
}

/// A rate-based rule's limit and window (minutes) for traffic in minute `m`: as defined, or as
/// the operator set it.
pub fn rate_for(
    tl: &Timeline,
    acl: usize,
    rule: usize,
    m: i64,
    limit: f64,
    window: i64,
) -> (f64, i64) {
    let (l, w) = tl.rate_in_minute(acl, rule, m, (limit as u64, (window * 60) as u32));
    (l as f64, (i64::from(w) / 60).max(1))
}

fn matches(sc: &Scenario, tl: &Timeline, (acl, r): (usize, usize), flow: &Flow, m: i64) -> bool {
    let class = sc.clients[flow.client].class;
    match sc.acls[acl].rules[r].target {
        Target::Geo(codes) => codes.iter().any(|c| c == COUNTRIES[flow.country].code),
        Target::Class(c) => c == class || flow.listed == Some((acl, r)),
        Target::RateOver {
            class: c,
            limit,
            window,
        } => {
            let (limit, window) = rate_for(tl, acl, r, m, limit, window);
            c == class && over_limit(sc, flow.client, m, limit, window)
        }
    }
}

/// Run `flow` through web ACL `acl` in minute `m`; returns true when it was blocked.
pub fn evaluate(
    sc: &Scenario,
    tl: &Timeline,
    acl: usize,
    flow: &Flow,
    m: i64,
    out: &mut AclMinute,
    hits: &mut Vec<Hit>,
) -> bool {
    for r in 0..sc.acls[acl].rules.len() {
        if !matches(sc, tl, (acl, r), flow, m) {
            continue;
        }
        let action = match tl.action_in_minute(sc, acl, r, m) {
            Action::Count => Action::Count,
            Action::Allow => Action::Allow,
            _ => Action::Block,
        };
        out.record(Some(r), flow.country, action, flow.rpm);
        hits.push(Hit {
            acl,
            rule: Some(r),
            action,
        });
        if action != Action::Count {
            return action == Action::Block;
        }
    }
    out.record(None, flow.country, Action::Allow, flow.rpm);
    hits.push(Hit {
        acl,
        rule: None,
        action: Action::Allow,
    });
    false
}
