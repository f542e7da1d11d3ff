//! The metrics of a poll, from CloudWatch: the range (and `:compare`'s window before it) from
//! both endpoints at once, through a monitoring account where one reads this place's.

use super::*;

impl AwsSource {
    /// The metrics of the range, and with `:compare` those of the same window a day or a week
    /// before, into a store of their own (read the same way: whole once, then topped up).
    pub(in crate::source::aws) async fn read_metrics(
        &mut self,
        now: DateTime<Utc>,
        calls: &mut Calls,
    ) {
        self.read_metrics_back(now, TimeDelta::zero(), calls).await;
        match self.compare {
            Some(c) => {
                std::mem::swap(&mut self.store, &mut self.then_store);
                let back = TimeDelta::minutes(c.shift.minutes());
                self.read_metrics_back(now, back, calls).await;
                std::mem::swap(&mut self.store, &mut self.then_store);
            }
            None => self.then_store = Default::default(),
        }
    }

    /// The metrics of the range ending `back` before `now`, into `self.store`.
    async fn read_metrics_back(&mut self, now: DateTime<Utc>, back: TimeDelta, calls: &mut Calls) {
        let range = self.range;
        let period = range.period_secs();
        let at = now - back;
        // The point still filling up is not read: it would read as a sudden drop.
        let this_point = at.timestamp() - at.timestamp().rem_euclid(period);
        let to = DateTime::from_timestamp(this_point, 0).unwrap_or(at);
        if self.store.needs_full_fill(&self.found.specs, range) {
            self.store.reset_for(&self.found.specs, range);
        }
        // First fill: the whole range (and a few points more, for CloudWatch's lag). After
        // that, only the points not yet held, re-reading the last few, which may still be
        // filling. Both ends on the period's boundaries, as CloudWatch advises.
        let from = match self.store.filled_to {
            None => this_point - (range.points() as i64 + 3) * period,
            Some(t) => t - (5 * 60).max(2 * period),
        };
        let window = cloudwatch::Window {
            from: DateTime::from_timestamp(from - from.rem_euclid(period), 0).unwrap_or(to),
            to,
            period: period as i32,
        };
        let specs = self.found.specs.clone();
        let mut all_ok = true;
        let mut newest: Option<i64> = None;
        // Both endpoints at once. A route to a monitoring account is asked even with nothing
        // to read, so that its read does not wait for this place.
        let reads = [(false, METRICS), (true, METRICS_GLOBAL)].map(|(global, part)| {
            let chosen: Vec<(usize, &Spec)> = specs
                .iter()
                .enumerate()
                .filter(|(_, s)| s.global == global)
                .collect();
            let route = match global {
                true => self.metric_routes.global.clone(),
                false => self.metric_routes.regional.clone(),
            };
            let client = match global {
                true => self.clients.cloudwatch_global.clone(),
                false => self.clients.cloudwatch.clone(),
            };
            async move {
                let mut made = Calls::default();
                let r = read_endpoint(route.as_ref(), &client, &chosen, window, &mut made).await;
                (part, chosen.len(), r, made)
            }
        });
        let [regional, global] = reads;
        let (regional, global) = tokio::join!(regional, global);
        for (part, asked, r, made) in [regional, global] {
            calls.merge(&made);
            let Some(r) = r.filter(|_| asked > 0) else {
                continue;
            };
            self.cost.metrics_last_poll += asked as u32;
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
            self.store.filled_to =
                cloudwatch::fill_mark(self.store.filled_to, newest, this_point, period);
        }
        self.store.prune(this_point);
    }
}

/// One endpoint's metrics: through the monitoring account (the namespaces its link shares, the
/// rest here; here too when it cannot read, with its failure said if this place cannot
/// either), or here alone. None when there is nothing to ask and no monitoring account, which
/// is asked even with nothing to read, so that its read does not wait for this place.
async fn read_endpoint(
    route: Option<&metric_hub::Route>,
    client: &aws_sdk_cloudwatch::Client,
    chosen: &[(usize, &Spec)],
    window: cloudwatch::Window,
    made: &mut Calls,
) -> Option<Result<cloudwatch::Read, Failure>> {
    match (route, chosen.is_empty()) {
        (Some(route), _) => {
            // Through the monitoring account, the namespaces its link shares; the
            // others here.
            let (via, own): (Vec<_>, Vec<_>) =
                chosen.iter().partition(|(_, s)| route.serves(s.namespace));
            let through = match route.fetch(&via, window, made).await {
                // The monitoring account could not read: this place reads its
                // own, and says why the monitoring account could not if it cannot
                // either.
                Err(f) if !via.is_empty() => {
                    tracing::warn!(failure = %f, monitor = %route.monitor(),
                        "the monitoring account could not read the metrics; reading them here");
                    let own = cloudwatch::fetch(client, &via, window, made).await;
                    own.map_err(|_| f)
                }
                r => r,
            };
            let here = match own.is_empty() {
                true => Ok(Default::default()),
                false => cloudwatch::fetch(client, &own, window, made).await,
            };
            Some(cloudwatch::joined(through, here))
        }
        (None, true) => None,
        (None, false) => Some(cloudwatch::fetch(client, chosen, window, made).await),
    }
}
