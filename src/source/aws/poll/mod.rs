//! A poll: metrics, sampled requests, held addresses, and the usage plans' reads that are due
//! (see [`super::schedule`]), each part read on its own so that one failing keeps the others
//! (and its own last good read, marked with its age). The first read hands over what it has
//! after each part, so the screens fill as the parts arrive.

mod metrics;

use super::*;
use crate::model::Problem;
use crate::model::format;
use crate::source::{Early, Partial};

/// During the first read, how far it has come goes out after this many per-plan reads.
const PROGRESS_EVERY: usize = 40;

/// What one per-plan call read.
enum PlanRead {
    Keys(Vec<String>),
    Usage(HashMap<String, apigateway::KeyUsage>),
}

/// How far the first read has come with the plans.
struct Progress {
    keys_listed: usize,
    plans: usize,
    plans_with_keys: usize,
    plans_with_usage: usize,
}

/// What the first figures come without, to say on the screens that show it: the samples, and
/// the plans and keys before they are listed, or how many plans have been read since.
fn still_reading(samples: bool, progress: Option<Progress>) -> Vec<Problem> {
    let said = |panel, what: &str| Problem {
        panel,
        message: Text::new(what),
    };
    let mut loading = Vec::new();
    if samples {
        loading.push(said(
            Panel::Samples,
            "reading sampled requests and rate-limited addresses…",
        ));
    }
    let Some(p) = progress else {
        loading.extend([
            said(
                Panel::UsagePlans,
                "reading usage plans and their keys (a call per plan)…",
            ),
            said(Panel::Keys, "reading API keys and their usage…"),
        ]);
        return loading;
    };
    let n = |v: usize| format::thousands(v as u64);
    loading.extend([
        said(
            Panel::UsagePlans,
            &format!(
                "reading which keys each plan has: {} of {} plans…",
                n(p.plans_with_keys),
                n(p.plans)
            ),
        ),
        said(
            Panel::Keys,
            &format!(
                "{} keys listed; reading their plans ({} of {}) and usage ({} of {})…",
                n(p.keys_listed),
                n(p.plans_with_keys),
                n(p.plans),
                n(p.plans_with_usage),
                n(p.plans)
            ),
        ),
    ]);
    loading
}

impl AwsSource {
    /// Shield Advanced's attacks of the last 7 days, each poll: an attack is news now. Only
    /// where the account subscribes (and this place reads Shield); no call otherwise.
    pub(super) async fn read_attacks(&mut self, now: DateTime<Utc>, calls: &mut Calls) {
        let subscribed = matches!(
            self.found.shield,
            Some(crate::model::access::Shield::Subscribed { .. })
        );
        if !subscribed {
            self.attacks.clear();
            return;
        }
        let read = super::shield::attacks(&self.clients.shield, now, 7, calls).await;
        if let Some(attacks) = self.outcome(super::ATTACKS, Panel::Access, read, now) {
            self.attacks = attacks;
        }
    }

    pub(super) async fn read_samples(&mut self, now: DateTime<Utc>, calls: &mut Calls) {
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
        let redact = samples::Redact {
            key_values: &key_values,
            key_headers: &self.settings.key_headers,
        };
        // Every rule's samples and the web ACL's own (its default action), a few at a time.
        let targets: Vec<(&AclConf, &str, &str)> = acls
            .iter()
            .flat_map(|acl| {
                acl.rules
                    .iter()
                    .map(move |r| (acl, r.metric_name.as_str(), r.name.as_str()))
                    .chain([(acl, acl.metric_name.as_str(), "Default_Action")])
            })
            .collect();
        let clients = &self.clients;
        let read = fan_out::fan_out(&targets, calls, |(acl, metric, label)| {
            let redact = &redact;
            async move {
                let mut mine = Calls::default();
                let client = clients.waf_for(acl.scope);
                let r = samples::samples(client, acl, metric, label, from, now, redact, &mut mine)
                    .await;
                (r, mine)
            }
        })
        .await;
        for r in read {
            match r {
                Ok(s) => fresh.extend(s),
                Err(e) => result = Err(e),
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

    pub(super) async fn read_held(&mut self, now: DateTime<Utc>, calls: &mut Calls) {
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
                            place: Default::default(),
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

    /// The per-plan reads due now (see [`schedule`]): each plan's keys and its usage. With no
    /// `budget` (the first read) all of them; else what the budget covers. With `early` (the
    /// dashboard's first read) how far the reads have come goes out every [`PROGRESS_EVERY`].
    pub(super) async fn read_plans(
        &mut self,
        now: DateTime<Utc>,
        calls: &mut Calls,
        budget: Option<u32>,
        early: Option<&Early>,
    ) {
        let plans = self.found.plans.clone();
        let due = self.plan_reads_due(now, budget);
        let today = now.date_naive();
        let (mut keys_failed, mut usage_failed) = (None, None);
        // In parts only to say how far they have come; else all in one stream.
        let part = if early.is_some() {
            PROGRESS_EVERY
        } else {
            due.len().max(1)
        };
        for chunk in due.chunks(part) {
            let (c, pace) = (&self.clients.apigateway, &self.pace);
            let read = fan_out::fan_out(chunk, calls, |d| {
                let plan = &plans[d.plan()];
                async move {
                    let mut mine = Calls::default();
                    let r = match d {
                        schedule::Due::Keys(_) => {
                            apigateway::plan_keys(c, pace, &mut mine, &plan.id)
                                .await
                                .map(PlanRead::Keys)
                        }
                        schedule::Due::Usage(_) => {
                            apigateway::usage(c, pace, &mut mine, plan, today)
                                .await
                                .map(PlanRead::Usage)
                        }
                    };
                    (r, mine)
                }
            })
            .await;
            for (d, r) in chunk.iter().zip(read) {
                let i = d.plan();
                match r {
                    // `plans` is this read's copy of `found.plans`: the same indices.
                    Ok(PlanRead::Keys(ids)) => {
                        self.found.plans[i].key_ids = ids;
                        self.plan_keys_read.insert(plans[i].id.clone(), now);
                    }
                    Ok(PlanRead::Usage(u)) => self.usage.put(&plans[i].id, now, u),
                    Err(e) if matches!(d, schedule::Due::Keys(_)) => keys_failed = Some(e),
                    Err(e) => usage_failed = Some(e),
                }
            }
            // Only the count: a whole large account assembled again every few seconds costs
            // more memory than it shows (BENCHMARKS.md).
            if let Some(early) = early {
                early(Partial::Loading(still_reading(
                    false,
                    Some(self.progress()),
                )));
            }
        }
        let asked = |keys: bool| {
            due.iter()
                .any(|d| matches!(d, schedule::Due::Keys(_)) == keys)
        };
        if asked(true) {
            let r = keys_failed.map_or(Ok(()), Err);
            self.outcome(PLAN_KEYS, Panel::UsagePlans, r, now);
        }
        if asked(false) {
            let r = usage_failed.map_or(Ok(()), Err);
            self.outcome(USAGE, Panel::Keys, r, now);
        }
        tracing::debug!(due = due.len(), plans = plans.len(), "per-plan reads");
    }

    /// The per-plan reads due: with no `budget` (the first read) every plan's keys and usage;
    /// else what [`schedule::choose`] puts first within it.
    fn plan_reads_due(&self, now: DateTime<Utc>, budget: Option<u32>) -> Vec<schedule::Due> {
        let plans = &self.found.plans;
        let Some(budget) = budget else {
            let keys = (0..plans.len()).map(schedule::Due::Keys);
            return keys
                .chain((0..plans.len()).map(schedule::Due::Usage))
                .collect();
        };
        let states: Vec<schedule::PlanState> = plans
            .iter()
            .map(|p| schedule::PlanState {
                usage_read: self.usage.read_at(&p.id),
                keys_read: self.plan_keys_read.get(&p.id).copied(),
                hot: self.usage.is_hot(p),
            })
            .collect();
        schedule::choose(&states, now, self.settings.cadence, budget)
    }

    /// Hand what has been read so far to the screen (the dashboard's first read).
    fn hand_over(&self, early: &Early, now: DateTime<Utc>, loading: Vec<Problem>) {
        let mut part = assemble::snapshot(self, now);
        part.loading = loading;
        early(Partial::Snapshot(Box::new(part)));
    }

    /// Count the API Gateway calls made since `before` against the minute's budget.
    fn spend_since(&mut self, calls: &Calls, before: u32) -> u32 {
        let made = calls.to("apigateway") - before;
        self.allowance.spend(Instant::now(), made);
        made
    }

    /// How many plans have their keys and their usage read.
    fn progress(&self) -> Progress {
        let plans = &self.found.plans;
        Progress {
            keys_listed: self.found.keys.len(),
            plans: plans.len(),
            plans_with_keys: plans
                .iter()
                .filter(|p| self.plan_keys_read.contains_key(&p.id))
                .count(),
            plans_with_usage: plans
                .iter()
                .filter(|p| self.usage.read_at(&p.id).is_some())
                .count(),
        }
    }

    /// One full read: discovery when due, then the live parts.
    pub async fn read(&mut self, now: DateTime<Utc>) -> Result<Snapshot, SourceError> {
        let mut calls = Calls::default();
        self.cost.metrics_last_poll = 0;
        self.ok_this_poll = 0;
        let first = self.discovered_at.is_none();
        // The first read of the dashboard hands over the figures before the slow part (a call
        // per usage plan, twice); later ones have figures on screen already.
        let early = self.early.clone().filter(|_| first);
        let started = Instant::now();
        // Discovery waits for room in the minute's budget as the rest does (and the per-plan
        // reads wait for it); `R` does not.
        let due = self.discovery_due();
        let room = self.allowance.available(Instant::now()) >= self.discovery_calls;
        let discovery_waits = due && !(first || self.force_discovery || room);
        if due && !discovery_waits {
            self.discover(now, &mut calls, early.is_none()).await;
            self.discovery_calls = self.spend_since(&calls, 0);
            tracing::debug!(ms = started.elapsed().as_millis(), "discovered");
        }
        self.read_metrics(now, &mut calls).await;
        self.read_alarms(now, &mut calls).await;
        self.read_attacks(now, &mut calls).await;
        tracing::debug!(ms = started.elapsed().as_millis(), "metrics read");
        if let Some(early) = &early {
            // The first figures: CloudWatch's, with the APIs, web ACLs and distributions.
            self.hand_over(early, now, still_reading(true, None));
            // The keys before any sample: their values are what a sample is redacted against.
            let before = calls.to("apigateway");
            self.discover_plans_and_keys(now, &mut calls).await;
            self.discovery_calls += self.spend_since(&calls, before);
            tracing::debug!(ms = started.elapsed().as_millis(), "plans and keys listed");
            self.hand_over(early, now, still_reading(true, Some(self.progress())));
        }
        // Logs Insights runs its queries while the samples are read; their answers go out with
        // the samples (the first read's figures need not wait for every plan's usage).
        self.start_logs(now, &mut calls).await;
        self.read_samples(now, &mut calls).await;
        self.read_held(now, &mut calls).await;
        self.collect_logs(&mut calls).await;
        tracing::debug!(ms = started.elapsed().as_millis(), "samples read");
        if let Some(early) = &early {
            self.hand_over(early, now, still_reading(false, Some(self.progress())));
        }
        let budget = match (first, discovery_waits) {
            (true, _) => None,
            (false, true) => Some(0),
            (false, false) => Some(self.allowance.available(Instant::now())),
        };
        let before = calls.to("apigateway");
        self.read_plans(now, &mut calls, budget, early.as_ref())
            .await;
        self.spend_since(&calls, before);
        tracing::debug!(ms = started.elapsed().as_millis(), "plans read");
        self.read_local_state(now);
        self.cost.metrics_total += self.cost.metrics_last_poll as u64;
        tracing::info!(
            calls = calls.total(),
            apigateway = calls.to("apigateway"),
            allowance = self.allowance.available(Instant::now()),
            metrics = self.cost.metrics_last_poll,
            range = self.store.range().label(),
            points_held = self.store.points_held(),
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
