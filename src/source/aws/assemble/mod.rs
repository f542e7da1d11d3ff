//! From what the AWS source holds to the model's Snapshot: pure, no calls.

mod apigateway;
mod edge;

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::AwsSource;
use super::cloudwatch::{SeriesKey, StageMetric, Store, WHOLE_ACL, WafMetric};
use crate::model::access::Method;
use crate::model::format;
use crate::model::text::Fingerprint;
use crate::model::*;
use crate::ops::kept::KeptActions;

/// The newest point to draw: the newest with data, but no more than three points back (so a
/// quiet account still shows its quiet minutes) and never the point still filling up.
pub fn end_point(store: &Store, now: DateTime<Utc>) -> i64 {
    let period = store.period();
    let this_point = now.timestamp() - now.timestamp().rem_euclid(period);
    store
        .newest_point()
        .unwrap_or(this_point - period)
        .clamp(this_point - 3 * period, this_point - period)
}

/// A web ACL's metrics (`rule` [`WHOLE_ACL`]) or one rule's. A CAPTCHA or Challenge rule's puzzles and
/// challenges are requests it stopped until solved: they are shown with its blocked ones.
fn waf(store: &Store, acl_arn: &str, rule: &str, end: i64, allowed: bool) -> WafMetrics {
    let s = |metric| {
        store.series(
            &SeriesKey::Waf {
                acl_arn: acl_arn.into(),
                rule: rule.into(),
                metric,
            },
            end,
        )
    };
    let mut blocked = s(WafMetric::Blocked);
    if rule != WHOLE_ACL {
        blocked.add(&s(WafMetric::Captcha));
        blocked.add(&s(WafMetric::Challenge));
    }
    WafMetrics {
        allowed: if allowed {
            s(WafMetric::Allowed)
        } else {
            Series::every(
                blocked.end,
                vec![0.0; blocked.values.len()],
                blocked.period_min,
            )
        },
        blocked,
        counted: s(WafMetric::Counted),
    }
}

/// 429s are not published: estimate them as the stage's 4XXError minus its share (by request
/// count) of what its web ACL blocked, which API Gateway answers with 403.
fn throttled_estimate(
    e4xx: &Series,
    count: &Series,
    acl_blocked: Option<&Series>,
    acl_count: &Series,
) -> Series {
    let values = e4xx
        .values
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let blocked = acl_blocked.map_or(0.0, |b| {
                let share = if acl_count.values[i] > 0.0 {
                    count.values[i] / acl_count.values[i]
                } else {
                    0.0
                };
                b.values[i] * share
            });
            (e - blocked).max(0.0).round()
        })
        .collect();
    Series::every(e4xx.end, values, e4xx.period_min)
}

pub fn snapshot(src: &AwsSource, now: DateTime<Utc>) -> Snapshot {
    let parts = Parts {
        src,
        found: &src.found,
        store: &src.store,
        end: end_point(&src.store, now),
        now,
    };
    let mut snap = Snapshot {
        out_of_view: Default::default(),
        places: Default::default(),
        logs: src
            .settings
            .logs
            .every
            .map(|_| src.logs.logs(&src.logs_planned)),
        account: src.account.clone(),
        taken_at: now,
        range: src.store.range(),
        compare: None,
        apis: parts.apis(),
        usage_plans: parts.usage_plans(),
        api_keys: parts.api_keys(),
        web_acls: parts.web_acls(),
        distributions: parts.distributions(),
        samples: src.samples.clone(),
        rate_limited: src.rate_limited.clone(),
        cost: src.cost,
        problems: parts.problems(),
        edge_ranges: src
            .found
            .edge
            .iter()
            .chain(&src.settings.ip_ranges)
            .cloned()
            .collect(),
        http_apis: parts.http_apis(),
        custom_domains: src.found.domains.clone(),
        shield: src.found.shield.clone(),
        loading: Vec::new(),
        ip_sets: src.found.ip_sets.clone(),
        blocks: parts.blocks(),
        alarms: parts.alarms(),
        attacks: src.attacks.clone(),
    };
    // Only once the window then has been read: an unread one would compare today with zeros
    // and call everything new.
    if let Some(c) = src.compare.filter(|_| src.then_store.filled_to.is_some()) {
        // The same rows from the store of then, matched to today's by what names them.
        let back = c.shift.minutes() * 60;
        let then = Parts {
            src,
            found: &src.found,
            store: &src.then_store,
            end: parts.end - back,
            now: now - chrono::TimeDelta::seconds(back),
        };
        crate::model::compare::apis(&mut snap.apis, then.apis());
        crate::model::compare::apis(&mut snap.http_apis, then.http_apis());
        crate::model::compare::web_acls(&mut snap.web_acls, then.web_acls());
        snap.compare = Some(c);
    }
    crate::model::logs::attribute(&mut snap);
    if let Some(logs) = &snap.logs {
        let failed = logs.problems();
        snap.problems.extend(failed);
    }
    snap
}

/// What the snapshot is assembled from: discovery, the metrics read, and the minute they end.
struct Parts<'a> {
    src: &'a AwsSource,
    found: &'a super::Discovery,
    store: &'a Store,
    end: i64,
    now: DateTime<Utc>,
}

impl Parts<'_> {
    /// The alarms, named as the screens name what they watch: a WAF metric's `WebACL` and
    /// `Rule` are the web ACL's and the rule's *metric* names (which need not be their names),
    /// an HTTP API's `ApiId` its id.
    fn alarms(&self) -> Vec<crate::model::alarm::Alarm> {
        use crate::model::alarm::Watches;
        let mut out = self.src.alarms.clone();
        for a in &mut out {
            match &mut a.watches {
                Watches::WebAcl { web_acl, rule } => {
                    let acl = self
                        .found
                        .acls
                        .iter()
                        .find(|x| x.metric_name == web_acl.as_str())
                        .or_else(|| self.found.acls.iter().find(|x| x.name == web_acl.as_str()));
                    if let Some(acl) = acl {
                        if let Some(r) = rule.as_mut()
                            && let Some(found) =
                                acl.rules.iter().find(|x| x.metric_name == r.as_str())
                        {
                            *r = Text::new(&found.name);
                        }
                        *web_acl = Text::new(&acl.name);
                    }
                }
                Watches::Stage { api, .. } => {
                    if let Some(h) = self.found.http_apis.iter().find(|h| h.id == *api) {
                        *api = h.name.clone();
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// What edgetop added to this place's IP sets, from its blocks journal.
    fn blocks(&self) -> Vec<crate::model::ip_set::BlockEntry> {
        self.src
            .blocks
            .iter()
            .map(|r| crate::model::ip_set::BlockEntry {
                ip_set: Text::new(&r.ip_set),
                ip_set_id: Text::new(&r.ip_set_id),
                scope: r.scope,
                range: Text::new(&r.range),
                added: r.added,
                expires: r.expires,
                place: Default::default(),
            })
            .collect()
    }

    fn problems(&self) -> Vec<Problem> {
        let mut problems: Vec<Problem> = shared_metric_names(&self.found.apis);
        // What the partition does not offer, said plainly (once per account).
        if self.src.settings.reads_global {
            let partition = self.src.clients.partition;
            problems.extend(partition.not_offered().into_iter().map(|said| Problem {
                panel: if said.starts_with("Shield") {
                    Panel::Access
                } else {
                    Panel::Distributions
                },
                message: Text::new(&said),
            }));
        }
        if let Some(w) = self.src.clients.skew.warning() {
            problems.push(Problem {
                panel: Panel::Metrics,
                message: Text::new(&w),
            });
        }
        // Blocks cut short when edgetop stopped, and how the next read settled them.
        problems.extend(self.src.block_notes.iter().map(|(_, said)| Problem {
            panel: Panel::Samples,
            message: Text::new(said),
        }));
        problems.extend(self.src.troubles.iter().map(|(part, t)| {
            let held = match t.last_ok {
                Some(at) => format!(
                    "showing {part} read {}",
                    format::age((self.now - at).num_seconds())
                ),
                None => format!("{part} not read yet"),
            };
            Problem {
                panel: t.panel,
                message: Text::new(&format!("{} — {held}", t.failure)),
            }
        }));
        problems
    }
}

/// APIs whose metrics CloudWatch cannot tell apart: API Gateway publishes under the API's name
/// (non-ASCII characters stripped), so same-named APIs share their series, and each shows their
/// sum. Said once per name, on the Throttling screen.
fn shared_metric_names(apis: &[super::apigateway::ApiConf]) -> Vec<Problem> {
    let mut by_name: std::collections::BTreeMap<String, Vec<&str>> = Default::default();
    for a in apis {
        by_name
            .entry(super::cloudwatch::metric_api_name(a))
            .or_default()
            .push(a.id.as_str());
    }
    by_name
        .into_iter()
        .filter(|(_, ids)| ids.len() > 1)
        .map(|(name, ids)| Problem {
            panel: Panel::Throttling,
            message: Text::new(&format!(
                "APIs {} publish metrics under one name, \"{name}\": CloudWatch adds their \
                 figures together, so each shows the sum",
                ids.join(", ")
            )),
        })
        .collect()
}

/// An API's access: what GetRestApis said of it, its policy read, and its methods (and why
/// they could not be read this time, if they could not).
fn access(front: &super::apigateway::ApiFront, methods: &[Method], unread: Option<&str>) -> Access {
    Access {
        methods_unread: unread.map(Text::new),
        endpoint: front.endpoint,
        vpc_endpoints: front.vpc_endpoints.iter().map(|v| Text::new(v)).collect(),
        execute_api_disabled: front.execute_api_disabled,
        key_source: front.key_source,
        policy: front.policy.as_deref().map(crate::source::policy::read),
        methods: methods.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_429_estimate_takes_out_the_stages_share_of_waf_blocks() {
        let end = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let s = |v: Vec<f64>| Series::new(end, v);
        // Two stages behind one web ACL: this one carries a quarter of the requests.
        let est = throttled_estimate(
            &s(vec![50.0, 10.0]),
            &s(vec![100.0, 100.0]),
            Some(&s(vec![40.0, 80.0])),
            &s(vec![400.0, 400.0]),
        );
        assert_eq!(est.values, vec![40.0, 0.0]);
        let est = throttled_estimate(&s(vec![7.0]), &s(vec![100.0]), None, &s(vec![100.0]));
        assert_eq!(est.values, vec![7.0]);
    }
}
