//! From what the AWS source holds to the model's Snapshot: pure, no calls.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::AwsSource;
use super::cloudwatch::{SeriesKey, StageMetric, Store, WHOLE_ACL, WafMetric};
use crate::format;
use crate::model::access::Method;
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

    fn stage_arn(&self, api_id: &str, stage: &str) -> String {
        super::apigateway::stage_arn(&self.src.partition, &self.src.clients.region, api_id, stage)
    }

    fn stage_name(&self, api_id: &str, stage: &str) -> Text {
        super::apigateway::stage_ref(&self.found.apis, api_id, stage)
    }

    fn stage_series(&self, api_id: &str, stage: &str, metric: StageMetric) -> Series {
        self.store.series(
            &SeriesKey::Stage {
                api_id: api_id.into(),
                stage: stage.into(),
                metric,
            },
            self.end,
        )
    }

    /// HTTP APIs with their stages' metrics. No web ACL stands before them, so the 429
    /// estimate is their 4xx, an upper bound. The account's throttle (API Gateway's quota per
    /// account and region, across REST, HTTP and WebSocket APIs) binds a stage without its own.
    fn http_apis(&self) -> Vec<RestApi> {
        let mut out = self.found.http_apis.clone();
        for api in &mut out {
            for st in &mut api.stages {
                st.account_throttle = self.found.account_throttle;
                let series = |m| self.stage_series(api.id.as_str(), st.name.as_str(), m);
                let count = series(StageMetric::Count);
                let e4 = series(StageMetric::Errors4xx);
                st.metrics = StageMetrics {
                    throttled_est: throttled_estimate(&e4, &count, None, &count),
                    errors_5xx: series(StageMetric::Errors5xx),
                    latency_ms: series(StageMetric::Latency),
                    errors_4xx: e4,
                    count,
                };
            }
        }
        out
    }

    fn apis(&self) -> Vec<RestApi> {
        let f = self.found;
        // Which web ACL protects each stage (by ARN), and the request count of all its stages.
        let acl_of_stage: HashMap<String, &super::wafv2::AclConf> = f
            .acls
            .iter()
            .flat_map(|a| a.protects.iter().map(move |r| (r.clone(), a)))
            .collect();
        let mut acl_counts: HashMap<String, Series> = HashMap::new();
        for api in &self.found.apis {
            for st in &api.stages {
                if let Some(acl) = acl_of_stage.get(&self.stage_arn(&api.id, &st.name)) {
                    acl_counts
                        .entry(acl.arn.clone())
                        .or_default()
                        .add(&self.stage_series(&api.id, &st.name, StageMetric::Count));
                }
            }
        }

        f.apis
            .iter()
            .map(|api| RestApi {
                place: Default::default(),
                id: Text::new(&api.id),
                name: Text::new(&api.name),
                stages: api
                    .stages
                    .iter()
                    .map(|st| {
                        let acl = acl_of_stage.get(&self.stage_arn(&api.id, &st.name));
                        let count = self.stage_series(&api.id, &st.name, StageMetric::Count);
                        let e4 = self.stage_series(&api.id, &st.name, StageMetric::Errors4xx);
                        let blocked = acl
                            .map(|a| waf(self.store, &a.arn, WHOLE_ACL, self.end, false).blocked);
                        let acl_count = acl
                            .and_then(|a| acl_counts.get(&a.arn))
                            .cloned()
                            .unwrap_or_else(|| count.clone());
                        Stage {
                            refused: None,
                            name: Text::new(&st.name),
                            throttle: st.throttle,
                            account_throttle: self.found.account_throttle,
                            method_throttles: st
                                .methods
                                .iter()
                                .map(|(m, t)| (Text::new(m), *t))
                                .collect(),
                            metrics: StageMetrics {
                                throttled_est: throttled_estimate(
                                    &e4,
                                    &count,
                                    blocked.as_ref(),
                                    &acl_count,
                                ),
                                errors_5xx: self.stage_series(
                                    &api.id,
                                    &st.name,
                                    StageMetric::Errors5xx,
                                ),
                                latency_ms: self.stage_series(
                                    &api.id,
                                    &st.name,
                                    StageMetric::Latency,
                                ),
                                errors_4xx: e4,
                                count,
                            },
                            web_acl: acl.map(|a| Text::new(&a.name)),
                            logging: Some(st.logging.clone()),
                        }
                    })
                    .collect(),
                access: match (f.methods.get(&api.id), f.methods_unread.get(&api.id)) {
                    (None, None) => None,
                    (methods, unread) => Some(access(
                        &api.front,
                        methods.map_or(&[][..], Vec::as_slice),
                        unread.map(|u| u.as_str()),
                    )),
                },
                protocol: Protocol::Rest,
            })
            .collect()
    }

    fn usage_plans(&self) -> Vec<UsagePlan> {
        let f = self.found;
        f.plans
            .iter()
            .map(|p| UsagePlan {
                place: Default::default(),
                refused: None,
                id: Text::new(&p.id),
                name: Text::new(&p.name),
                throttle: p.throttle,
                quota: p.quota,
                stages: p
                    .stages
                    .iter()
                    .map(|(a, s)| self.stage_name(a, s))
                    .collect(),
                key_ids: p.key_ids.iter().map(|k| Text::new(k)).collect(),
                usage_read: self.src.usage.read_at(&p.id),
            })
            .collect()
    }

    fn api_keys(&self) -> Vec<ApiKey> {
        let f = self.found;
        let mut plans_of: HashMap<&str, Vec<Text>> = HashMap::new();
        for p in &self.found.plans {
            for k in &p.key_ids {
                plans_of
                    .entry(k.as_str())
                    .or_default()
                    .push(Text::new(&p.id));
            }
        }
        f.keys
            .iter()
            .map(|k| {
                let plan_ids = plans_of.remove(k.id.as_str()).unwrap_or_default();
                let u = self
                    .src
                    .usage
                    .of_key(&k.id, plan_ids.iter().map(|p| p.as_str()));
                ApiKey {
                    place: Default::default(),
                    refused: None,
                    pending: false,
                    id: Text::new(&k.id),
                    name: Text::new(&k.name),
                    value_hint: Text::new(&k.hint),
                    enabled: k.enabled,
                    created: k.created,
                    plan_ids,
                    used_today: u.usage.used_today,
                    used_period: u.usage.used_period,
                    remaining: u.usage.remaining,
                    quota_limit: u.usage.limit,
                    throttled_per_min: None,
                    requests_per_min: u.per_minute,
                    usage_read: u.read_at,
                    fingerprint: Some(k.fingerprint),
                }
            })
            .collect()
    }

    fn web_acls(&self) -> Vec<WebAcl> {
        let f = self.found;
        let arn_to_stage: HashMap<String, Text> = f
            .apis
            .iter()
            .flat_map(|a| {
                a.stages.iter().map(move |s| {
                    (
                        self.stage_arn(&a.id, &s.name),
                        self.stage_name(&a.id, &s.name),
                    )
                })
            })
            .collect();
        // What earlier toggles here kept, to say what a toggle back puts back.
        let kept = &self.src.kept_actions;
        f.acls
            .iter()
            .map(|a| {
                let mut protects: Vec<Text> = a
                    .protects
                    .iter()
                    .map(|r| arn_to_stage.get(r).cloned().unwrap_or_else(|| Text::new(r)))
                    .collect();
                protects.extend(
                    self.found
                        .distributions
                        .iter()
                        .filter(|d| {
                            d.web_acl
                                .as_deref()
                                .is_some_and(|w| w == a.arn || w == a.id)
                        })
                        .map(|d| Text::new(&d.id)),
                );
                let countries = self.countries(a);
                WebAcl {
                    place: Default::default(),
                    id: Text::new(&a.id),
                    name: Text::new(&a.name),
                    scope: a.scope,
                    default_action: a.default_action,
                    protects,
                    rules: a
                        .rules
                        .iter()
                        .map(|r| Rule {
                            name: Text::new(&r.name),
                            priority: r.priority,
                            kind: match &r.kind {
                                // The set's size, as last read.
                                RuleKind::IpSet { name, arn, .. } => RuleKind::IpSet {
                                    name: name.clone(),
                                    arn: arn.clone(),
                                    addresses: self
                                        .found
                                        .ip_sets
                                        .iter()
                                        .find(|s| s.arn == *arn)
                                        .map_or(0, |s| s.addresses.len() as u32),
                                },
                                other => other.clone(),
                            },
                            action: r.action,
                            metric_name: Text::new(&r.metric_name),
                            metrics: waf(self.store, &a.arn, &r.name, self.end, false),
                            pending: false,
                            custom: r.custom.as_deref().map(Text::new),
                            kept: crate::ops::toggled_for(r.action, false)
                                .and_then(|to| {
                                    kept.get(&KeptActions::key(
                                        a.scope.label(),
                                        &a.id,
                                        &r.name,
                                        to.label(),
                                    ))
                                })
                                .map(|k| Text::new(&k.describe())),
                        })
                        .collect(),
                    metrics: waf(self.store, &a.arn, WHOLE_ACL, self.end, true),
                    countries,
                }
            })
            .collect()
    }

    /// Each country's traffic through one web ACL, as listed for it.
    fn countries(&self, a: &super::wafv2::AclConf) -> Vec<CountryTraffic> {
        let mut codes: Vec<&str> = self
            .found
            .specs
            .iter()
            .filter_map(|s| match &s.key {
                SeriesKey::Country {
                    acl_arn, country, ..
                } if *acl_arn == a.arn => Some(country.as_str()),
                _ => None,
            })
            .collect();
        codes.sort();
        codes.dedup();
        let mut countries: Vec<CountryTraffic> = Vec::new();
        for code in codes {
            let s = |metric| {
                self.store.series(
                    &SeriesKey::Country {
                        acl_arn: a.arn.clone(),
                        country: code.to_string(),
                        metric,
                    },
                    self.end,
                )
            };
            countries.push(CountryTraffic {
                country: Text::with_limit(code, 3),
                metrics: WafMetrics {
                    allowed: s(WafMetric::Allowed),
                    blocked: s(WafMetric::Blocked),
                    counted: s(WafMetric::Counted),
                },
            });
        }
        countries
    }

    fn distributions(&self) -> Vec<Distribution> {
        let f = self.found;
        let key_by_value: HashMap<Fingerprint, &str> = f
            .keys
            .iter()
            .map(|k| (k.fingerprint, k.id.as_str()))
            .collect();
        let named_as_key = |h: &str| {
            self.src
                .settings
                .key_headers
                .iter()
                .any(|k| k.eq_ignore_ascii_case(h))
        };
        f.distributions
            .iter()
            .map(|d| Distribution {
                place: Default::default(),
                id: Text::new(&d.id),
                domain: Text::new(&d.domain),
                status: d.status,
                web_acl: d.web_acl.as_ref().map(|w| {
                    let acl = self.found.acls.iter().find(|a| &a.arn == w || &a.id == w);
                    Text::new(acl.map_or(w.as_str(), |a| a.name.as_str()))
                }),
                geo_restriction: d.geo_restriction.clone(),
                origins: d
                    .origins
                    .iter()
                    .map(|o| {
                        let (keys, others): (Vec<_>, Vec<_>) =
                            o.headers.iter().partition(|(name, value)| {
                                key_by_value.contains_key(value) || named_as_key(name)
                            });
                        Origin {
                            domain: Text::new(&o.domain),
                            path: Text::new(&o.path),
                            key_headers: keys
                                .into_iter()
                                .map(|(name, value)| OriginKey {
                                    header: Text::new(name),
                                    key_id: key_by_value.get(value).map(|k| Text::new(k)),
                                    fingerprint: Some(*value),
                                })
                                .collect(),
                            other_headers: others
                                .into_iter()
                                .map(|(name, value)| (Text::new(name), *value))
                                .collect(),
                        }
                    })
                    .collect(),
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
        policy: front.policy.as_deref().map(crate::policy::read),
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
