//! Assembling the model's [`Snapshot`] from the scenario, the changes as of `now`, and the
//! computed minutes. Series end at the newest complete minute: a minute still filling up would
//! read as a sudden drop.

use chrono::{DateTime, Utc};

use super::minute::{Minute, World, minute_start};
use super::samples::sampled_requests;
use super::scenario::KeyDef;
use super::timeline::minute_of;
use super::waf::Counts;
use crate::model::*;

mod edge;
use edge::{distributions, rate_limited, web_acls};

/// The minutes of the window shifted back (`:compare`): the last hour's, or a range's sample.
pub enum Past {
    Hour(Vec<Minute>, DateTime<Utc>),
    Ranged(Ranged),
}

impl Past {
    fn frame(&self) -> Frame<'_> {
        match self {
            Past::Hour(minutes, at) => Frame::new(minutes, *at),
            Past::Ranged(r) => r.frame(),
        }
    }
}

/// What the anomaly model expects: last week's window, over the range on screen and over the
/// hour its alarm evaluates (the same when the range is the hour).
pub struct Expected<'a> {
    pub shown: &'a Past,
    pub hour: &'a Past,
}

pub fn assemble(
    w: &World,
    minutes: &[Minute],
    ranged: Option<Ranged>,
    past: Option<(&Past, crate::model::range::Compare)>,
    expected: &Expected,
    now: DateTime<Utc>,
    polls: u64,
) -> Snapshot {
    let range = ranged.as_ref().map_or(Range::H1, |r| r.range);
    let frame = match &ranged {
        Some(r) => r.frame(),
        None => Frame::new(minutes, now),
    };
    let apis = apis(w, &frame);
    let web_acls = web_acls(w, &frame);
    let cost = cost(&apis, &web_acls, polls);
    let mut snap = Snapshot {
        out_of_view: Default::default(),
        places: Default::default(),
        logs: Some(super::logs::logs(w, complete(minutes))),
        account: account(&w.sc.place),
        taken_at: now,
        range,
        compare: None,
        apis,
        usage_plans: usage_plans(w, now),
        api_keys: api_keys(w, minutes, now),
        web_acls,
        distributions: distributions(w, now),
        samples: sampled_requests(w, minutes, now),
        rate_limited: rate_limited(w, minute_of(now)),
        cost,
        problems: Vec::new(),
        edge_ranges: vec![crate::model::access::EdgeRanges {
            source: Text::new("CloudFront origin-facing (simulated)"),
            prefixes: super::samples::CLOUDFRONT_ORIGIN_FACING
                .iter()
                .map(|p| Text::new(p))
                .collect(),
            stages: Vec::new(),
        }],
        http_apis: w.sc.http_apis.clone(),
        custom_domains: w.sc.domains.clone(),
        shield: Some(w.sc.shield.clone()),
        loading: Vec::new(),
        ip_sets: super::ip_sets::model(w.sc, w.tl),
        blocks: super::ip_sets::blocks(w.sc, w.tl),
        alarms: Vec::new(),
        attacks: super::attacks::attacks(w.sc, now),
    };
    // Alarms evaluate their own one-minute datapoints, whatever range the screens show.
    let evaluated = ranged.as_ref().map(|_| {
        let hour = Frame::new(minutes, now);
        Snapshot {
            apis: self::apis(w, &hour),
            web_acls: self::web_acls(w, &hour),
            ..Default::default()
        }
    });
    let evaluated = evaluated.as_ref().unwrap_or(&snap);
    let expected_hour = self::apis(w, &expected.hour.frame());
    let expected_shown = match std::ptr::eq(expected.hour, expected.shown) {
        true => None,
        false => Some(self::apis(w, &expected.shown.frame())),
    };
    let shown = expected_shown.as_deref().unwrap_or(&expected_hour);
    let alarms = super::alarms::alarms(evaluated, &expected_hour, &snap.apis, shown);
    snap.alarms = alarms;
    if let Some((past, compare)) = past {
        let then = past.frame();
        crate::model::compare::apis(&mut snap.apis, self::apis(w, &then));
        crate::model::compare::web_acls(&mut snap.web_acls, self::web_acls(w, &then));
        snap.compare = Some(compare);
    }
    crate::model::logs::attribute(&mut snap);
    snap
}

/// The minutes of the last hour without the current one, which is still filling up.
fn complete(minutes: &[Minute]) -> &[Minute] {
    &minutes[..minutes.len().saturating_sub(1)]
}

/// Minutes sampled over a range longer or shorter than the hour: a few minutes of each point,
/// evenly spread, whose mean is the point's per-minute value (as CloudWatch's sum over the
/// period, divided by its minutes, would be).
pub struct Ranged {
    range: Range,
    minutes: Vec<Minute>,
    per_point: usize,
    end: DateTime<Utc>,
}

impl Ranged {
    /// Minutes of each point sampled, at most.
    const SAMPLES: i64 = 5;

    /// `current` is the minute still filling up: the newest point is the newest complete one.
    pub fn sample(w: &World, range: Range, current: i64) -> Ranged {
        let period = range.period_minutes();
        let newest = current - current.rem_euclid(period) - period;
        let per_point = period.min(Self::SAMPLES);
        let first = newest - (range.points() as i64 - 1) * period;
        let minutes = (0..range.points() as i64)
            .flat_map(|p| {
                let start = first + p * period;
                (0..per_point).map(move |i| start + period * (2 * i + 1) / (2 * per_point))
            })
            .map(|m| {
                // The series read stages and web ACLs only: the flows kept for sampling and the
                // clients' counts (the newest minutes' business) are dropped at once.
                let mut minute = super::minute::compute(w, m);
                minute.outcomes = Vec::new();
                minute.clients = Vec::new();
                minute
            })
            .collect();
        Ranged {
            range,
            minutes,
            per_point: per_point as usize,
            end: minute_start(newest),
        }
    }

    fn frame(&self) -> Frame<'_> {
        Frame {
            minutes: &self.minutes,
            per_point: self.per_point,
            period_min: self.range.period_minutes() as u32,
            end: self.end,
        }
    }
}

/// The minutes the series are made of, and how to turn a per-minute value into a series.
struct Frame<'a> {
    minutes: &'a [Minute],
    /// Minutes sampled per point (1 at one-minute points).
    per_point: usize,
    period_min: u32,
    end: DateTime<Utc>,
}

impl<'a> Frame<'a> {
    /// The last hour at one-minute points. `minutes` ends with the current, incomplete
    /// minute, which series leave out.
    fn new(minutes: &'a [Minute], now: DateTime<Utc>) -> Self {
        Frame {
            minutes: complete(minutes),
            per_point: 1,
            period_min: 1,
            end: minute_start(minute_of(now) - 1),
        }
    }

    /// Each point's mean of `f`, rounded to one `per`th (1: whole, 10: tenths).
    fn points(&self, f: impl Fn(&Minute) -> f64, per: f64) -> Series {
        let values = self
            .minutes
            .chunks(self.per_point.max(1))
            .map(|c| c.iter().map(&f).sum::<f64>() / c.len() as f64)
            .map(|v| (v * per).round() / per)
            .collect();
        Series::every(self.end, values, self.period_min)
    }

    /// A count series: whole requests a minute at one-minute points, tenths of one when a
    /// point is a mean over minutes.
    fn counts(&self, f: impl Fn(&Minute) -> f64) -> Series {
        self.points(f, if self.per_point == 1 { 1.0 } else { 10.0 })
    }

    /// An average series (latency): not scaled.
    fn averages(&self, f: impl Fn(&Minute) -> f64) -> Series {
        self.points(f, 10.0)
    }

    fn waf(&self, f: impl Fn(&Minute) -> Counts, with_allowed: bool) -> WafMetrics {
        WafMetrics {
            allowed: self.counts(|m| if with_allowed { f(m).allowed } else { 0.0 }),
            blocked: self.counts(|m| f(m).blocked),
            counted: self.counts(|m| f(m).counted),
        }
    }
}

fn account(p: &super::scenario::DemoPlace) -> Account {
    Account {
        id: Text::new(&p.account_id),
        alias: Text::new(&p.alias),
        region: Text::new(&p.region),
        profile: Text::new(&p.profile),
        simulated: true,
    }
}

fn apis(w: &World, f: &Frame) -> Vec<RestApi> {
    let sc = w.sc;
    sc.apis
        .iter()
        .enumerate()
        .map(|(a, api)| RestApi {
            place: Default::default(),
            id: Text::new(&api.id),
            name: Text::new(api.name),
            stages: (0..sc.stages.len())
                .filter(|&s| sc.stages[s].api == a)
                .map(|s| stage(w, f, s))
                .collect(),
            access: Some(api.access.clone()),
            protocol: crate::model::Protocol::Rest,
        })
        .collect()
}

fn stage(w: &World, f: &Frame, s: usize) -> Stage {
    let def = &w.sc.stages[s];
    Stage {
        refused: None,
        name: Text::new(def.name),
        throttle: Some(def.throttle),
        // AWS's default account throttle.
        account_throttle: Some(Throttle {
            rate_limit: 10_000.0,
            burst_limit: 5_000,
        }),
        method_throttles: def
            .method_throttles
            .iter()
            .map(|(m, t)| (Text::new(m), *t))
            .collect(),
        metrics: StageMetrics {
            count: f.counts(|m| m.stages[s].count),
            errors_4xx: f.counts(|m| m.stages[s].errors_4xx),
            errors_5xx: f.counts(|m| m.stages[s].errors_5xx),
            latency_ms: f.averages(|m| m.stages[s].latency_ms),
            throttled_est: f.counts(|m| m.stages[s].throttled),
        },
        web_acl: Some(Text::new(w.sc.acls[super::scenario::REGIONAL].name)),
        logging: Some(def.logging.clone()),
    }
}

/// The simulated account's usage is read every poll: each figure is as old as the snapshot.
fn usage_plans(w: &World, now: DateTime<Utc>) -> Vec<UsagePlan> {
    let sc = w.sc;
    sc.plans
        .iter()
        .enumerate()
        .map(|(p, plan)| UsagePlan {
            place: Default::default(),
            refused: None,
            id: Text::new(&plan.id),
            name: Text::new(plan.name),
            throttle: Some(plan.throttle),
            quota: plan.quota,
            stages: plan
                .stages
                .iter()
                .map(|&s| Text::new(&sc.stage_path(s)))
                .collect(),
            key_ids: w
                .tl
                .keys(sc)
                .filter(|k| k.plans.contains(&p))
                .map(|k| Text::new(&k.id))
                .collect(),
            usage_read: Some(now),
        })
        .collect()
}

fn api_keys(w: &World, minutes: &[Minute], now: DateTime<Utc>) -> Vec<ApiKey> {
    let previous = minutes.len().checked_sub(2).map(|i| &minutes[i]);
    w.tl.keys(w.sc)
        .map(|k| api_key(w, k, previous, now))
        .collect()
}

fn api_key(w: &World, key: &KeyDef, previous: Option<&Minute>, now: DateTime<Utc>) -> ApiKey {
    let (used_period, remaining) = w.usage.period(w.sc, w.tl, key, now);
    let (requests, throttled) = match (key.client, previous) {
        (Some(c), Some(mi)) if carries(w, key, c, mi.m) => {
            (mi.clients[c].reached, mi.clients[c].throttled)
        }
        _ => (0.0, 0.0),
    };
    ApiKey {
        fingerprint: Default::default(),
        place: Default::default(),
        refused: None,
        pending: false,
        id: Text::new(&key.id),
        name: Text::new(&key.name),
        value_hint: Text::new(&Secret::new(key.value.clone()).masked()),
        enabled: w.tl.enabled(key, now),
        created: key.created,
        plan_ids: key
            .plans
            .iter()
            .map(|&p| Text::new(&w.sc.plans[p].id))
            .collect(),
        used_today: w.usage.today(w.sc, w.tl, key, now).round() as u64,
        used_period: used_period.round() as u64,
        remaining: remaining.map(|r| r.round() as u64),
        quota_limit: remaining.map(|r| (used_period + r).round() as u64),
        throttled_per_min: Some(throttled.round()),
        requests_per_min: Some(requests.round()),
        usage_read: Some(now),
    }
}

/// True when `key` carried client `c`'s traffic in minute `m`.
fn carries(w: &World, key: &KeyDef, c: usize, m: i64) -> bool {
    w.tl.key_for_client(w.sc, c, minute_start(m))
        .is_some_and(|k| k.id == key.id)
}

/// What the AWS source would request per poll: 4 metrics per stage, 3 per ACL, rule and country.
fn cost(apis: &[RestApi], acls: &[WebAcl], polls: u64) -> CostMeter {
    let stages: usize = apis.iter().map(|a| a.stages.len()).sum();
    let waf: usize = acls
        .iter()
        .map(|a| 3 * (1 + a.rules.len() + a.countries.len()))
        .sum();
    let metrics_last_poll = (stages * 4 + waf) as u32;
    CostMeter {
        metrics_last_poll,
        metrics_total: metrics_last_poll as u64 * polls,
        poll_interval_secs: 60,
    }
}
