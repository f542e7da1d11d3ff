//! A poll: metrics, sampled requests, held addresses and usage, each part read on its own so
//! that one failing keeps the others (and its own last good read, marked stale).

use super::*;
use crate::model::Problem;

/// What the first figures come without, to say on the screens that show it.
fn still_reading() -> Vec<Problem> {
    let said = |panel, what: &str| Problem {
        panel,
        message: Text::new(what),
    };
    vec![
        said(
            Panel::UsagePlans,
            "reading usage plans and their keys (a call per plan)…",
        ),
        said(Panel::Keys, "reading API keys and their usage…"),
    ]
}

impl AwsSource {
    pub(super) async fn read_metrics(&mut self, now: DateTime<Utc>, calls: &mut Calls) {
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
        'acls: for acl in &acls {
            let client = self.clients.waf_for(acl.scope);
            let targets = acl
                .rules
                .iter()
                .map(|r| (r.metric_name.as_str(), r.name.as_str()))
                .chain([(acl.metric_name.as_str(), "Default_Action")]);
            for (metric, label) in targets {
                match samples::samples(client, acl, metric, label, from, now, &redact, calls).await
                {
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

    pub(super) async fn read_usage(&mut self, now: DateTime<Utc>, calls: &mut Calls) {
        let today = now.date_naive();
        let mut usage = HashMap::new();
        let mut result = Ok(());
        let plans = self.found.plans.clone();
        let (c, pace) = (&self.clients.apigateway, &self.pace);
        let per_plan = apigateway::per_plan(&plans, calls, |plan| async move {
            let mut mine = Calls::default();
            (
                apigateway::usage(c, pace, &mut mine, plan, today).await,
                mine,
            )
        })
        .await;
        for read in per_plan {
            match read {
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
        // The first read of the dashboard hands over the figures before the slow part (a call
        // per usage plan, twice); later ones have figures on screen already.
        let early = self.early.clone().filter(|_| self.discovered_at.is_none());
        if self.discovery_due() {
            self.discover(now, &mut calls, early.is_none()).await;
        }
        self.read_metrics(now, &mut calls).await;
        self.read_samples(now, &mut calls).await;
        self.read_held(now, &mut calls).await;
        if let Some(early) = early {
            let mut first = assemble::snapshot(self, now);
            first.loading = still_reading();
            early(first);
            self.discover_plans_and_keys(now, &mut calls).await;
        }
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
