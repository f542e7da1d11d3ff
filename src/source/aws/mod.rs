//! The AWS source: a real account through the official SDK. Slow-changing configuration
//! (APIs, stages, plans, keys, web ACLs, distributions) is discovered every few minutes and on
//! `R`; metrics, samples, held addresses and usage are read on every poll. A part that fails
//! keeps what was read before and says why, so one denied permission darkens one panel only.

pub mod apigateway;
mod assemble;
pub mod cloudfront;
pub mod cloudwatch;
pub mod connect;
pub mod pace;
pub mod rotate;
pub mod toggle;
pub mod wafv2;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use tokio::time::Instant;

use super::{Actions, OpFuture, Source, SourceError, ValueFuture};
use crate::model::{
    Account, CostMeter, Panel, RateLimitedIp, RuleKind, Sample, Scope, Snapshot, Text,
};
use crate::ops::Op;
use crate::ops::Reporter;
use crate::ops::journal::{Journal, Rotation};
use apigateway::{ApiConf, KeyConf, KeyUsage, PlanConf};
use cloudfront::DistributionConf;
use cloudwatch::{Listed, Spec, Store};
use connect::{Clients, Failure};
use pace::Pacer;
use wafv2::AclConf;

/// AWS calls made, by IAM action.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Calls(pub BTreeMap<&'static str, u32>);

impl Calls {
    pub fn add(&mut self, action: &'static str) {
        *self.0.entry(action).or_default() += 1;
    }

    pub fn total(&self) -> u32 {
        self.0.values().sum()
    }

    pub fn merge(&mut self, other: &Calls) {
        for (k, v) in &other.0 {
            *self.0.entry(k).or_default() += v;
        }
    }
}

#[derive(Clone, Debug)]
pub struct Settings {
    /// Requests per second allowed to the API Gateway management API (shared account-wide).
    pub apigateway_rps: f64,
    /// How often to discover the slow-changing configuration again.
    pub discovery_every: Duration,
    /// Origin header names that carry an API key.
    pub key_headers: Vec<String>,
    /// The poll interval, for the cost meter.
    pub refresh: Duration,
    pub profile: Option<String>,
    /// Where rotations are journaled.
    pub journal: Journal,
    /// How a rotation waits for CloudFront to deploy.
    pub deploy: rotate::DeployWait,
}

/// What discovery found.
#[derive(Clone, Debug, Default)]
pub struct Discovery {
    pub apis: Vec<ApiConf>,
    /// The account-level throttle, for stages without their own.
    pub account_throttle: Option<crate::model::Throttle>,
    pub plans: Vec<PlanConf>,
    pub keys: Vec<KeyConf>,
    pub acls: Vec<AclConf>,
    pub distributions: Vec<DistributionConf>,
    /// The AWS/WAFV2 metrics CloudWatch lists, to learn the dimension values it uses.
    pub waf_listed: Vec<Listed>,
    pub specs: Vec<Spec>,
}

/// One failing part of the account: what failed, since when, and which panel shows it.
#[derive(Clone, Debug)]
struct Trouble {
    panel: Panel,
    failure: Failure,
    since: DateTime<Utc>,
    /// When this part was last read successfully.
    last_ok: Option<DateTime<Utc>>,
}

pub struct AwsSource {
    clients: Clients,
    /// The caller's partition, for the ARNs edgetop builds.
    partition: String,
    settings: Settings,
    account: Account,
    pace: Pacer,
    found: Discovery,
    discovered_at: Option<Instant>,
    force_discovery: bool,
    store: Store,
    samples: Vec<Sample>,
    samples_to: Option<DateTime<Utc>>,
    rate_limited: Vec<RateLimitedIp>,
    usage: HashMap<String, KeyUsage>,
    /// (when, used today) per key at the previous poll, for a per-minute rate.
    usage_before: HashMap<String, (DateTime<Utc>, u64)>,
    key_rates: HashMap<String, f64>,
    troubles: BTreeMap<&'static str, Trouble>,
    last_ok: BTreeMap<&'static str, DateTime<Utc>>,
    cost: CostMeter,
    /// Parts read successfully in the current poll.
    ok_this_poll: u32,
    /// What toggles on this machine kept, read each poll (see [`crate::ops::kept`]).
    kept_actions: std::collections::BTreeMap<String, crate::ops::kept::Kept>,
    /// Calls of the last poll, and since the start.
    pub last_calls: Calls,
    pub all_calls: Calls,
}

/// Parts of the account, each read (and failing) on its own.
const APIS: &str = "apis";
const ACCOUNT: &str = "account throttle";
const PLANS: &str = "plans";
const KEYS: &str = "keys";
const ACLS_REGIONAL: &str = "web ACLs (REGIONAL)";
const ACLS_GLOBAL: &str = "web ACLs (CLOUDFRONT)";
const PROTECTS: &str = "web ACL resources";
const GROUPS: &str = "managed rule groups";
const DISTRIBUTIONS: &str = "distributions";
const WAF_METRICS: &str = "WAF metric names";
const METRICS: &str = "metrics";
const METRICS_GLOBAL: &str = "metrics (us-east-1)";
const SAMPLES: &str = "sampled requests";
const HELD: &str = "rate-limited addresses";
const USAGE: &str = "usage";

/// Samples are kept for three hours (GetSampledRequests' reach), at most this many.
const SAMPLE_KEEP: usize = 1000;

impl AwsSource {
    pub fn new(
        clients: Clients,
        account_id: String,
        caller_arn: String,
        settings: Settings,
    ) -> AwsSource {
        let account = Account {
            id: Text::new(&account_id),
            alias: Text::new(caller_arn.rsplit('/').next().unwrap_or("aws")),
            region: Text::new(&clients.region),
            profile: Text::new(settings.profile.as_deref().unwrap_or("default chain")),
            simulated: false,
        };
        AwsSource {
            partition: apigateway::partition_of(&caller_arn).to_string(),
            pace: Pacer::per_second(settings.apigateway_rps),
            clients,
            account,
            found: Discovery::default(),
            discovered_at: None,
            force_discovery: false,
            store: Store::default(),
            samples: Vec::new(),
            samples_to: None,
            rate_limited: Vec::new(),
            usage: HashMap::new(),
            usage_before: HashMap::new(),
            key_rates: HashMap::new(),
            troubles: BTreeMap::new(),
            last_ok: BTreeMap::new(),
            cost: CostMeter {
                poll_interval_secs: settings.refresh.as_secs() as u32,
                ..Default::default()
            },
            ok_this_poll: 0,
            kept_actions: Default::default(),
            settings,
            last_calls: Calls::default(),
            all_calls: Calls::default(),
        }
    }

    /// Record how a part went; on failure the previous data of the part stays.
    fn outcome<T>(
        &mut self,
        part: &'static str,
        panel: Panel,
        r: Result<T, Failure>,
        now: DateTime<Utc>,
    ) -> Option<T> {
        match r {
            Ok(v) => {
                self.ok_this_poll += 1;
                self.troubles.remove(part);
                self.last_ok.insert(part, now);
                Some(v)
            }
            Err(failure) => {
                tracing::warn!(part, %failure, "AWS read failed");
                let since = self.troubles.get(part).map_or(now, |t| t.since);
                let last_ok = self.last_ok.get(part).copied();
                self.troubles.insert(
                    part,
                    Trouble {
                        panel,
                        failure,
                        since,
                        last_ok,
                    },
                );
                None
            }
        }
    }

    fn discovery_due(&self) -> bool {
        self.force_discovery
            || self
                .discovered_at
                .is_none_or(|t| t.elapsed() >= self.settings.discovery_every)
    }

    async fn discover(&mut self, now: DateTime<Utc>, calls: &mut Calls) {
        let c = self.clients.clone();
        let r = apigateway::apis(&c.apigateway, &self.pace, calls).await;
        if let Some(v) = self.outcome(APIS, Panel::Throttling, r, now) {
            self.found.apis = v;
        }
        let r = apigateway::account_throttle(&c.apigateway, &self.pace, calls).await;
        if let Some(v) = self.outcome(ACCOUNT, Panel::Throttling, r, now) {
            self.found.account_throttle = v;
        }
        let r = apigateway::plans(&c.apigateway, &self.pace, calls).await;
        if let Some(v) = self.outcome(PLANS, Panel::UsagePlans, r, now) {
            self.found.plans = v;
        }
        let r = apigateway::keys(&c.apigateway, &self.pace, calls).await;
        if let Some(v) = self.outcome(KEYS, Panel::Keys, r, now) {
            self.found.keys = v;
        }
        let regional = wafv2::acls(&c.waf, Scope::Regional, calls).await;
        let regional = self.outcome(ACLS_REGIONAL, Panel::Waf, regional, now);
        let global = wafv2::acls(&c.waf_global, Scope::Cloudfront, calls).await;
        let global = self.outcome(ACLS_GLOBAL, Panel::Waf, global, now);
        if regional.is_some() || global.is_some() {
            let keep = |scope: Scope, acls: &[AclConf]| {
                acls.iter()
                    .filter(|a| a.scope == scope)
                    .cloned()
                    .collect::<Vec<_>>()
            };
            let mut acls = regional.unwrap_or_else(|| keep(Scope::Regional, &self.found.acls));
            acls.extend(global.unwrap_or_else(|| keep(Scope::Cloudfront, &self.found.acls)));
            self.found.acls = acls;
            self.find_protected(now, calls).await;
            self.describe_groups(now, calls).await;
        }
        let r = cloudfront::distributions(&c.cloudfront, calls).await;
        if let Some(v) = self.outcome(DISTRIBUTIONS, Panel::Distributions, r, now) {
            self.found.distributions = v;
        }
        // Both endpoints: CLOUDFRONT web ACLs publish in us-east-1. Which web ACL a metric
        // belongs to is read from its dimensions, not from the endpoint that listed it.
        let mut listed = Vec::new();
        let mut ok = true;
        for client in [&c.cloudwatch, &c.cloudwatch_global] {
            match cloudwatch::waf_metrics(client, calls).await {
                Ok(v) => listed.extend(v),
                Err(e) => {
                    ok = false;
                    self.outcome::<()>(WAF_METRICS, Panel::Metrics, Err(e), now);
                }
            }
        }
        if ok {
            self.outcome(WAF_METRICS, Panel::Metrics, Ok(()), now);
            listed.sort_by(|a, b| (&a.name, &a.dims).cmp(&(&b.name, &b.dims)));
            listed.dedup();
            self.found.waf_listed = listed;
        }
        self.found.specs = cloudwatch::specs(
            &c.region,
            &self.found.apis,
            &self.found.acls,
            &self.found.waf_listed,
        );
        self.discovered_at = Some(Instant::now());
        self.force_discovery = false;
    }

    /// The rules inside each AWS managed rule group, so one can be overridden (`t`).
    async fn describe_groups(&mut self, now: DateTime<Utc>, calls: &mut Calls) {
        let mut known: HashMap<(Scope, String, String), Vec<String>> = HashMap::new();
        let mut result = Ok(());
        for acl in &mut self.found.acls {
            for rule in &mut acl.rules {
                let RuleKind::ManagedGroup {
                    vendor,
                    name,
                    inner_rules,
                } = &mut rule.kind
                else {
                    continue;
                };
                if vendor.as_str() == "own" || result.is_err() {
                    continue;
                }
                let k = (acl.scope, vendor.to_string(), name.to_string());
                if !known.contains_key(&k) {
                    let c = self.clients.waf_for(acl.scope);
                    match wafv2::managed_group_rules(c, acl.scope, &k.1, &k.2, calls).await {
                        Ok(names) => {
                            known.insert(k.clone(), names);
                        }
                        Err(e) => {
                            result = Err(e);
                            continue;
                        }
                    }
                }
                *inner_rules = wafv2::merge_inner(&known[&k], inner_rules);
            }
        }
        self.outcome(GROUPS, Panel::Waf, result, now);
    }

    /// What each regional web ACL protects: from the stages themselves (GetStages carries the
    /// web ACL's ARN), else ListResourcesForWebACL, else one GetWebACLForResource per stage.
    async fn find_protected(&mut self, now: DateTime<Utc>, calls: &mut Calls) {
        let (partition, region) = (self.partition.clone(), self.clients.region.clone());
        let stage_arn =
            |api: &ApiConf, stage: &str| apigateway::stage_arn(&partition, &region, &api.id, stage);
        let mut protects: HashMap<String, Vec<String>> = HashMap::new();
        let mut unknown = Vec::new();
        for api in &self.found.apis {
            for st in &api.stages {
                match &st.web_acl_arn {
                    Some(arn) => protects
                        .entry(arn.clone())
                        .or_default()
                        .push(stage_arn(api, &st.name)),
                    None => unknown.push(stage_arn(api, &st.name)),
                }
            }
        }
        if !unknown.is_empty() {
            let c = self.clients.waf.clone();
            let mut result: Result<(), Failure> = Ok(());
            for acl in self
                .found
                .acls
                .iter()
                .filter(|a| a.scope == Scope::Regional)
            {
                match wafv2::resources(&c, acl, calls).await {
                    Ok(arns) => {
                        for arn in arns.into_iter().filter(|a| unknown.contains(a)) {
                            protects.entry(acl.arn.clone()).or_default().push(arn);
                        }
                    }
                    Err(e) => {
                        result = Err(e);
                        break;
                    }
                }
            }
            if result.is_err() {
                // Not every endpoint offers ListResourcesForWebACL: ask per stage instead.
                result = Ok(());
                protects.retain(|_, v| !v.iter().any(|a| unknown.contains(a)));
                for arn in &unknown {
                    match wafv2::acl_for(&c, arn, calls).await {
                        Ok(Some(acl)) => protects.entry(acl).or_default().push(arn.clone()),
                        Ok(None) => {}
                        Err(e) => {
                            result = Err(e);
                            break;
                        }
                    }
                }
            }
            self.outcome(PROTECTS, Panel::Waf, result, now);
        }
        for acl in &mut self.found.acls {
            acl.protects = protects.remove(&acl.arn).unwrap_or_default();
            acl.protects.sort();
        }
    }

    async fn read_metrics(&mut self, now: DateTime<Utc>, calls: &mut Calls) {
        let this_minute = now.timestamp() - now.timestamp().rem_euclid(60);
        let to = DateTime::from_timestamp(this_minute, 0).unwrap_or(now);
        if self.store.needs_full_fill(&self.found.specs) {
            self.store.reset_for(&self.found.specs);
        }
        // First fill: the whole window (and a little more, for CloudWatch's lag). After that,
        // only the minutes not yet held, re-reading the last few, which may still be filling.
        let from = match self.store.filled_to {
            None => to - TimeDelta::minutes(cloudwatch::WINDOW + 3),
            Some(t) => DateTime::from_timestamp(t, 0).unwrap_or(to) - TimeDelta::minutes(5),
        };
        let specs = self.found.specs.clone();
        let mut all_ok = true;
        let mut newest: Option<i64> = None;
        for (global, part) in [(false, METRICS), (true, METRICS_GLOBAL)] {
            let chosen: Vec<(usize, &Spec)> = specs
                .iter()
                .enumerate()
                .filter(|(_, s)| s.global == global)
                .collect();
            if chosen.is_empty() {
                continue;
            }
            let client = if global {
                &self.clients.cloudwatch_global
            } else {
                &self.clients.cloudwatch
            };
            let r = cloudwatch::fetch(&client.clone(), &chosen, from, to, calls).await;
            self.cost.metrics_last_poll += chosen.len() as u32;
            match self.outcome(part, Panel::Metrics, r, now) {
                Some((points, failed)) => {
                    for (i, p) in points {
                        newest = newest.max(p.iter().map(|(t, _)| *t).max());
                        self.store.put(&specs[i].key, &p);
                    }
                    if !failed.is_empty() {
                        tracing::warn!(?failed, "some series came back with errors");
                    }
                }
                None => all_ok = false,
            }
        }
        // The mark moves only as far as the data that came back: with a local clock ahead of
        // AWS's, "this minute" may not exist there yet, and marking it read would leave it unread
        // for good. (The last few minutes are read again each poll anyway.)
        if all_ok {
            self.store.filled_to = cloudwatch::fill_mark(self.store.filled_to, newest, this_minute);
        }
        self.store.prune(this_minute);
    }

    async fn read_samples(&mut self, now: DateTime<Utc>, calls: &mut Calls) {
        // GetSampledRequests reaches back three hours; a minute's margin keeps the window valid
        // by the time the request arrives.
        let oldest = now - TimeDelta::hours(3) + TimeDelta::minutes(1);
        let from = self
            .samples_to
            .map_or(oldest, |t| (t - TimeDelta::minutes(2)).max(oldest));
        let mut fresh = Vec::new();
        let mut result = Ok(());
        let acls = self.found.acls.clone();
        let key_values: HashSet<_> = self.found.keys.iter().map(|k| k.fingerprint).collect();
        let redact = wafv2::Redact {
            key_values: &key_values,
            key_headers: &self.settings.key_headers,
        };
        'acls: for acl in &acls {
            let client = self.clients.waf_for(acl.scope);
            let targets = acl
                .rules
                .iter()
                .map(|r| (r.metric_name.as_str(), r.name.as_str()))
                .chain([(acl.metric_name.as_str(), "Default_Action")]);
            for (metric, label) in targets {
                match wafv2::samples(client, acl, metric, label, from, now, &redact, calls).await {
                    Ok(s) => fresh.extend(s),
                    Err(e) => {
                        result = Err(e);
                        break 'acls;
                    }
                }
            }
        }
        if self.outcome(SAMPLES, Panel::Samples, result, now).is_some() {
            self.samples_to = Some(now);
        }
        // Not the rule: the web ACL's own metric name may return every rule's samples again,
        // and the per-rule call (made first) names the rule.
        let key = |s: &Sample| {
            (
                s.time,
                s.client_ip.clone(),
                s.method.clone(),
                s.uri.clone(),
                s.web_acl.clone(),
            )
        };
        let mut seen: std::collections::HashSet<_> = self.samples.iter().map(key).collect();
        for s in fresh {
            if seen.insert(key(&s)) {
                self.samples.push(s);
            }
        }
        self.samples.retain(|s| s.time >= oldest);
        self.samples.sort_by_key(|s| std::cmp::Reverse(s.time));
        self.samples.truncate(SAMPLE_KEEP);
    }

    async fn read_held(&mut self, now: DateTime<Utc>, calls: &mut Calls) {
        let mut held = Vec::new();
        let mut result = Ok(());
        let acls = self.found.acls.clone();
        'acls: for acl in &acls {
            let client = self.clients.waf_for(acl.scope);
            // One rule that cannot list its addresses must not hide every other rule's.
            for r in acl
                .rules
                .iter()
                .filter(|r| wafv2::lists_held_addresses(&r.kind))
            {
                match wafv2::managed_keys(client, acl, &r.name, calls).await {
                    Ok(None) => {}
                    Ok(Some(addrs)) => {
                        held.extend(addrs.into_iter().map(|address| RateLimitedIp {
                            web_acl: Text::new(&acl.name),
                            rule: Text::new(&r.name),
                            address,
                        }))
                    }
                    Err(e) => {
                        result = Err(e);
                        break 'acls;
                    }
                }
            }
        }
        if self.outcome(HELD, Panel::Samples, result, now).is_some() {
            self.rate_limited = held;
        }
    }

    async fn read_usage(&mut self, now: DateTime<Utc>, calls: &mut Calls) {
        let today = now.date_naive();
        let mut usage = HashMap::new();
        let mut result = Ok(());
        let plans = self.found.plans.clone();
        for plan in &plans {
            match apigateway::usage(
                &self.clients.apigateway.clone(),
                &self.pace,
                calls,
                plan,
                today,
            )
            .await
            {
                Ok(u) => {
                    for (key, u) in u {
                        usage
                            .entry(key)
                            .and_modify(|sum: &mut KeyUsage| sum.add(&u))
                            .or_insert(u);
                    }
                }
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        if self.outcome(USAGE, Panel::Keys, result, now).is_none() {
            return;
        }
        self.key_rates.clear();
        for (key, u) in &usage {
            if let Some((then, before)) = self.usage_before.get(key) {
                let minutes = (now - *then).num_seconds() as f64 / 60.0;
                if then.date_naive() == today && minutes > 0.0 && u.used_today >= *before {
                    self.key_rates
                        .insert(key.clone(), (u.used_today - before) as f64 / minutes);
                }
            }
        }
        self.usage_before = usage
            .iter()
            .map(|(k, u)| (k.clone(), (now, u.used_today)))
            .collect();
        self.usage = usage;
    }

    /// One full read: discovery when due, then the live parts.
    pub async fn read(&mut self, now: DateTime<Utc>) -> Result<Snapshot, SourceError> {
        let mut calls = Calls::default();
        self.cost.metrics_last_poll = 0;
        self.ok_this_poll = 0;
        if self.discovery_due() {
            self.discover(now, &mut calls).await;
        }
        self.read_metrics(now, &mut calls).await;
        self.read_samples(now, &mut calls).await;
        self.read_held(now, &mut calls).await;
        self.read_usage(now, &mut calls).await;
        self.kept_actions = kept_beside(&self.settings.journal).all();
        self.cost.metrics_total += self.cost.metrics_last_poll as u64;
        tracing::info!(
            calls = calls.total(),
            metrics = self.cost.metrics_last_poll,
            "poll"
        );
        self.all_calls.merge(&calls);
        self.last_calls = calls;
        // Nothing could be read: fail the poll, so the screen keeps the last data, marked stale.
        if self.ok_this_poll == 0 {
            let t = self
                .troubles
                .values()
                .next()
                .map(|t| t.failure.to_string())
                .unwrap_or_default();
            return Err(SourceError::Failed(t));
        }
        Ok(assemble::snapshot(self, now))
    }
}

/// What toggles kept (see [`crate::ops::kept`]), beside the rotation journal.
fn kept_beside(journal: &Journal) -> crate::ops::kept::KeptActions {
    let dir = journal.dir();
    crate::ops::kept::KeptActions::in_dir(dir.parent().unwrap_or(dir))
}

impl Source for AwsSource {
    async fn poll(&mut self) -> Result<Snapshot, SourceError> {
        let now = Utc::now();
        self.read(now).await
    }

    fn actions(&self) -> Arc<dyn Actions> {
        Arc::new(AwsActions {
            clients: self.clients.clone(),
            pace: self.pace.clone(),
            settings: self.settings.clone(),
            account: self.account.id.to_string(),
        })
    }

    fn unfinished(&self) -> (Vec<Rotation>, Vec<String>) {
        self.settings
            .journal
            .unfinished(self.account.id.as_str(), &self.clients.region)
    }

    fn default_refresh(&self) -> Duration {
        Duration::from_secs(60)
    }

    fn refresh_all(&mut self) {
        self.force_discovery = true;
    }
}

/// What acts on the account: cloned clients and settings, nothing a poll holds. API Gateway
/// calls share the poller's pacer (one budget for the account).
pub struct AwsActions {
    clients: Clients,
    pace: Pacer,
    settings: Settings,
    account: String,
}

impl AwsActions {
    fn kept(&self) -> crate::ops::kept::KeptActions {
        kept_beside(&self.settings.journal)
    }

    fn rotator(&self, progress: Reporter) -> rotate::Rotator {
        rotate::Rotator {
            clients: self.clients.clone(),
            pace: self.pace.clone(),
            journal: self.settings.journal.clone(),
            deploy: self.settings.deploy,
            progress,
            account: self.account.clone(),
            region: self.clients.region.clone(),
        }
    }
}

impl Actions for AwsActions {
    fn apply(&self, op: Op, progress: Reporter) -> OpFuture {
        match op {
            Op::ToggleRule(t) => {
                let client = self.clients.waf_for(t.scope).clone();
                let kept = self.kept();
                Box::pin(async move {
                    let mut calls = Calls::default();
                    toggle::run(&client, &t, &kept, &progress, &mut calls).await
                })
            }
            Op::RotateKey { key_id, .. } => {
                let r = self.rotator(progress);
                Box::pin(async move { r.start(key_id.as_str()).await })
            }
            Op::ResumeRotation { id, rollback, .. } => {
                let r = self.rotator(progress);
                Box::pin(async move { r.resume(&id, rollback).await })
            }
        }
    }

    fn key_value(&self, key_id: &str) -> ValueFuture {
        let (api, pace, key_id) = (
            self.clients.apigateway.clone(),
            self.pace.clone(),
            key_id.to_string(),
        );
        Box::pin(async move {
            pace.wait().await;
            apigateway::key_value(&api, &key_id)
                .await
                .map_err(|e| SourceError::Failed(e.to_string()))
        })
    }
}
