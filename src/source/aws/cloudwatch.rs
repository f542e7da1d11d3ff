//! CloudWatch: the metric queries that discovery implies, GetMetricData in batches of 500
//! with paging, and a per-minute store that is filled once and then topped up.
//!
//! Long because its tests sit beside it: about 500 lines of code, the rest tests of the queries
//! and the store.

use std::collections::{BTreeMap, HashMap, HashSet};

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::primitives::DateTime as AwsTime;
use aws_sdk_cloudwatch::types::{
    Dimension, Metric, MetricDataQuery, MetricStat, ScanBy, StatusCode,
};
use chrono::{DateTime, Utc};

use super::Calls;
use super::apigateway::ApiConf;
use super::connect::{Failure, failure};
use super::wafv2::AclConf;
use crate::model::{Action, Range, Scope, Series};

/// GetMetricData takes at most this many queries per call.
pub const MAX_QUERIES: usize = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StageMetric {
    Count,
    Errors4xx,
    Errors5xx,
    Latency,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WafMetric {
    Allowed,
    Blocked,
    Counted,
    /// Requests a CAPTCHA rule answered with a puzzle (not yet solved).
    Captcha,
    /// Requests a Challenge rule answered with a silent challenge.
    Challenge,
}

impl WafMetric {
    pub fn name(self) -> &'static str {
        match self {
            WafMetric::Allowed => "AllowedRequests",
            WafMetric::Blocked => "BlockedRequests",
            WafMetric::Counted => "CountedRequests",
            WafMetric::Captcha => "CaptchaRequests",
            WafMetric::Challenge => "ChallengeRequests",
        }
    }

    fn named(name: &str) -> Option<WafMetric> {
        [
            WafMetric::Allowed,
            WafMetric::Blocked,
            WafMetric::Counted,
            WafMetric::Captcha,
            WafMetric::Challenge,
        ]
        .into_iter()
        .find(|m| m.name() == name)
    }

    /// What to read of a rule: blocked and counted always (its action may be toggled), and
    /// the requests it answered with a CAPTCHA or a challenge when that is its action.
    pub fn for_rule(action: Action) -> Vec<WafMetric> {
        let mut out = vec![WafMetric::Blocked, WafMetric::Counted];
        match action {
            Action::Captcha => out.push(WafMetric::Captcha),
            Action::Challenge => out.push(WafMetric::Challenge),
            _ => {}
        }
        out
    }
}

/// What a series is about. Stages are keyed by API id and web ACLs by ARN: names are not
/// unique (two APIs may share one; a REGIONAL and a CLOUDFRONT web ACL may too).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SeriesKey {
    Stage {
        api_id: String,
        stage: String,
        metric: StageMetric,
    },
    /// `rule` is the rule's name, or [`WHOLE_ACL`].
    Waf {
        acl_arn: String,
        rule: String,
        metric: WafMetric,
    },
    Country {
        acl_arn: String,
        country: String,
        metric: WafMetric,
    },
}

/// The `rule` of a web ACL's own series: no rule is named so (a rule's name is at least one
/// character, and a rule may well be named "ALL").
pub const WHOLE_ACL: &str = "";

/// One metric to ask for.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    pub key: SeriesKey,
    pub namespace: &'static str,
    pub name: &'static str,
    pub dims: Vec<(String, String)>,
    pub stat: &'static str,
    /// In us-east-1 (CLOUDFRONT web ACLs).
    pub global: bool,
}

fn dims(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The `ApiName` dimension API Gateway publishes an API's metrics under: its name without the
/// characters that are not ASCII, or its id when nothing is left.
pub fn metric_api_name(api: &ApiConf) -> String {
    let ascii: String = api.name.chars().filter(char::is_ascii).collect();
    if ascii.is_empty() {
        api.id.clone()
    } else {
        ascii
    }
}

/// A metric of AWS/WAFV2 as ListMetrics lists it, its dimensions sorted by name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Listed {
    pub name: String,
    pub dims: Vec<(String, String)>,
}

impl Listed {
    fn get(&self, k: &str) -> Option<&str> {
        self.dims
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    }

    /// Whether this metric is about web ACLs of `acl`'s scope in `region`: REGIONAL metrics
    /// carry a Region dimension, CLOUDFRONT ones none (whichever endpoint listed them).
    fn in_scope_of(&self, acl: &AclConf, region: &str) -> bool {
        match (acl.scope, self.get("Region")) {
            (Scope::Regional, Some(r)) => r == region,
            (Scope::Cloudfront, None) => true,
            _ => false,
        }
    }
}

/// The dimension values CloudWatch uses for one web ACL and its rules. `WebACL` is the web
/// ACL's name by AWS's own tooling (WAF Security Automations, cdk-monitoring-constructs) while
/// older documentation says its metric name; `Rule` is the rule's metric name. So both are
/// looked for among the metrics listed, and the one found is used.
#[derive(Clone, Debug, PartialEq)]
pub struct WafNames {
    pub web_acl: String,
    /// Rule name → its `Rule` dimension value.
    pub rules: HashMap<String, String>,
}

pub fn waf_names(acl: &AclConf, region: &str, listed: &[Listed]) -> WafNames {
    let mine: Vec<&Listed> = listed
        .iter()
        .filter(|l| l.in_scope_of(acl, region))
        .collect();
    let has = |value: &str| mine.iter().any(|l| l.get("WebACL") == Some(value));
    let web_acl = if !has(&acl.name) && has(&acl.metric_name) {
        acl.metric_name.clone()
    } else {
        acl.name.clone()
    };
    let listed_rule = |value: &str| {
        mine.iter()
            .any(|l| l.get("WebACL") == Some(web_acl.as_str()) && l.get("Rule") == Some(value))
    };
    let rules = acl
        .rules
        .iter()
        .map(|r| {
            let value = if !listed_rule(&r.metric_name) && listed_rule(&r.name) {
                r.name.clone()
            } else {
                r.metric_name.clone()
            };
            (r.name.clone(), value)
        })
        .collect();
    WafNames { web_acl, rules }
}

/// The metrics of HTTP APIs' stages: AWS/ApiGateway under ApiId and Stage, named Count, 4xx,
/// 5xx and Latency (API Gateway developer guide, "CloudWatch metrics for HTTP APIs").
pub fn http_specs(apis: &[crate::model::RestApi]) -> Vec<Spec> {
    let mut out = Vec::new();
    for api in apis {
        for st in &api.stages {
            for (metric, name, stat) in [
                (StageMetric::Count, "Count", "Sum"),
                (StageMetric::Errors4xx, "4xx", "Sum"),
                (StageMetric::Errors5xx, "5xx", "Sum"),
                (StageMetric::Latency, "Latency", "Average"),
            ] {
                out.push(Spec {
                    key: SeriesKey::Stage {
                        api_id: api.id.to_string(),
                        stage: st.name.to_string(),
                        metric,
                    },
                    namespace: "AWS/ApiGateway",
                    name,
                    dims: dims(&[("ApiId", api.id.as_str()), ("Stage", st.name.as_str())]),
                    stat,
                    global: false,
                });
            }
        }
    }
    out
}

/// Every metric the screens need, from what discovery found: the stages' API Gateway metrics,
/// each web ACL's and rule's WAF metrics under the names [`waf_names`] found, and the per-country
/// metrics ListMetrics lists for each web ACL.
pub fn specs(region: &str, apis: &[ApiConf], acls: &[AclConf], listed: &[Listed]) -> Vec<Spec> {
    let mut out = Vec::new();
    for api in apis {
        let api_name = metric_api_name(api);
        for st in &api.stages {
            for (metric, name, stat) in [
                (StageMetric::Count, "Count", "Sum"),
                (StageMetric::Errors4xx, "4XXError", "Sum"),
                (StageMetric::Errors5xx, "5XXError", "Sum"),
                (StageMetric::Latency, "Latency", "Average"),
            ] {
                out.push(Spec {
                    key: SeriesKey::Stage {
                        api_id: api.id.clone(),
                        stage: st.name.clone(),
                        metric,
                    },
                    namespace: "AWS/ApiGateway",
                    name,
                    dims: dims(&[("ApiName", &api_name), ("Stage", &st.name)]),
                    stat,
                    global: false,
                });
            }
        }
    }
    for acl in acls {
        let global = acl.scope == Scope::Cloudfront;
        let names = waf_names(acl, region, listed);
        let mut waf = |rule: &str, dim: &str, metric: WafMetric| {
            let mut d = vec![("Rule", dim), ("WebACL", names.web_acl.as_str())];
            if !global {
                d.insert(0, ("Region", region));
            }
            out.push(Spec {
                key: SeriesKey::Waf {
                    acl_arn: acl.arn.clone(),
                    rule: rule.to_string(),
                    metric,
                },
                namespace: "AWS/WAFV2",
                name: metric.name(),
                dims: dims(&d),
                stat: "Sum",
                global,
            });
        };
        for m in [WafMetric::Allowed, WafMetric::Blocked, WafMetric::Counted] {
            waf(WHOLE_ACL, "ALL", m);
        }
        for r in &acl.rules {
            let dim = names.rules.get(&r.name).unwrap_or(&r.metric_name);
            for m in WafMetric::for_rule(r.action) {
                waf(&r.name, dim, m);
            }
        }
        let mut seen = HashSet::new();
        for l in listed.iter().filter(|l| {
            l.in_scope_of(acl, region)
                && l.get("WebACL") == Some(names.web_acl.as_str())
                && l.get("Rule").is_none_or(|r| r == "ALL")
        }) {
            let (Some(country), Some(metric)) = (l.get("Country"), WafMetric::named(&l.name))
            else {
                continue;
            };
            if !seen.insert((country.to_string(), metric)) {
                continue;
            }
            out.push(Spec {
                key: SeriesKey::Country {
                    acl_arn: acl.arn.clone(),
                    country: country.to_string(),
                    metric,
                },
                namespace: "AWS/WAFV2",
                name: metric.name(),
                dims: l.dims.clone(),
                stat: "Sum",
                global,
            });
        }
    }
    out
}

/// Every AWS/WAFV2 metric one endpoint lists, de-duplicated: ListMetrics may list a metric
/// more than once. WAF publishes a metric only once it is non-zero, and ListMetrics shows what
/// was published in the last two weeks. With `owning`, a monitoring account lists that source
/// account's metrics (IncludeLinkedAccounts with OwningAccount).
pub async fn waf_metrics(
    c: &Client,
    owning: Option<&str>,
    calls: &mut Calls,
) -> Result<Vec<Listed>, Failure> {
    let mut seen = HashSet::new();
    let mut token: Option<String> = None;
    for _ in 0..200 {
        calls.add("cloudwatch:ListMetrics");
        let page = c
            .list_metrics()
            .namespace("AWS/WAFV2")
            .set_include_linked_accounts(owning.map(|_| true))
            .set_owning_account(owning.map(str::to_string))
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| failure("cloudwatch:ListMetrics", &e))?;
        for m in page.metrics() {
            let mut d: Vec<(String, String)> = m
                .dimensions()
                .iter()
                .map(|d| {
                    (
                        d.name().unwrap_or_default().to_string(),
                        d.value().unwrap_or_default().to_string(),
                    )
                })
                .collect();
            d.sort();
            seen.insert(Listed {
                name: m.metric_name().unwrap_or_default().to_string(),
                dims: d,
            });
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    let mut out: Vec<Listed> = seen.into_iter().collect();
    out.sort_by(|a, b| (&a.name, &a.dims).cmp(&(&b.name, &b.dims)));
    Ok(out)
}

fn aws_time(t: DateTime<Utc>) -> AwsTime {
    AwsTime::from_secs(t.timestamp())
}

/// One metric query: `id` names it in the answer; `account` is the source account it reads
/// when asked in a monitoring account (CloudWatch cross-account observability).
pub fn query(id: String, s: &Spec, account: Option<&str>, period: i32) -> MetricDataQuery {
    let metric = Metric::builder()
        .namespace(s.namespace)
        .metric_name(s.name)
        .set_dimensions(Some(
            s.dims
                .iter()
                .map(|(k, v)| Dimension::builder().name(k).value(v).build())
                .collect(),
        ))
        .build();
    MetricDataQuery::builder()
        .id(id)
        .metric_stat(
            MetricStat::builder()
                .metric(metric)
                .period(period)
                .stat(s.stat)
                .build(),
        )
        .return_data(true)
        .set_account_id(account.map(str::to_string))
        .build()
}

/// What GetMetricData answered: datapoints (epoch seconds → value) by query id, and the
/// messages of the series that came back with errors, by query id.
#[derive(Debug, Default)]
pub struct Answers {
    pub points: HashMap<String, Vec<(i64, f64)>>,
    pub failed: Vec<(String, String)>,
}

/// What a read covers: `[from, to)`, both on the period's boundaries, at `period` seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub period: i32,
}

/// Ask `queries` (all of one endpoint) over `[from, to)`, in calls of at most
/// [`MAX_QUERIES`] with paging. Answers are matched by the ids asked for: an id the server
/// made up is ignored.
pub async fn fetch_queries(
    c: &Client,
    queries: &[MetricDataQuery],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    calls: &mut Calls,
) -> Result<Answers, Failure> {
    let mut out = Answers::default();
    for chunk in queries.chunks(MAX_QUERIES) {
        let asked: HashSet<&str> = chunk.iter().filter_map(|q| q.id()).collect();
        let mut token: Option<String> = None;
        for _ in 0..100 {
            calls.add("cloudwatch:GetMetricData");
            let page = c
                .get_metric_data()
                .set_metric_data_queries(Some(chunk.to_vec()))
                .start_time(aws_time(from))
                .end_time(aws_time(to))
                .scan_by(ScanBy::TimestampAscending)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| failure("cloudwatch:GetMetricData", &e))?;
            for r in page.metric_data_results() {
                let Some(id) = r.id().filter(|id| asked.contains(id)) else {
                    continue;
                };
                if matches!(
                    r.status_code(),
                    Some(StatusCode::InternalError) | Some(StatusCode::Forbidden)
                ) {
                    out.failed.push((
                        id.to_string(),
                        r.messages()
                            .iter()
                            .filter_map(|m| m.value())
                            .collect::<Vec<_>>()
                            .join("; "),
                    ));
                }
                let entry = out.points.entry(id.to_string()).or_default();
                for (t, v) in r.timestamps().iter().zip(r.values()) {
                    entry.push((t.secs(), *v));
                }
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
    }
    Ok(out)
}

/// The queries of `specs`, each named by its index (`m<i>`), reading `account` when given.
pub fn queries_of(
    specs: &[(usize, &Spec)],
    account: Option<&str>,
    period: i32,
) -> Vec<MetricDataQuery> {
    specs
        .iter()
        .map(|(i, s)| query(format!("m{i}"), s, account, period))
        .collect()
}

/// Datapoints by spec index (minute epoch seconds → value), and the messages of the series
/// that failed.
pub type Read = (HashMap<usize, Vec<(i64, f64)>>, Vec<String>);

/// Two reads of different series as one; a failure of either is the read's.
pub fn joined(a: Result<Read, Failure>, b: Result<Read, Failure>) -> Result<Read, Failure> {
    let (mut a, b) = (a?, b?);
    a.0.extend(b.0);
    a.1.extend(b.1);
    Ok(a)
}

/// Datapoints by spec index and the failed series' messages, from answers to [`queries_of`].
pub fn by_index(answers: Answers) -> Read {
    let index = |id: &str| id.strip_prefix('m').and_then(|n| n.parse::<usize>().ok());
    let points = answers
        .points
        .into_iter()
        .filter_map(|(id, p)| Some((index(&id)?, p)))
        .collect();
    (points, answers.failed.into_iter().map(|(_, m)| m).collect())
}

/// Ask for `specs` (all in one region) over the window; returns the datapoints per spec
/// index (epoch seconds → value) and the series that failed.
pub async fn fetch(
    c: &Client,
    specs: &[(usize, &Spec)],
    w: Window,
    calls: &mut Calls,
) -> Result<Read, Failure> {
    fetch_queries(c, &queries_of(specs, None, w.period), w.from, w.to, calls)
        .await
        .map(by_index)
}

/// Where the store is filled to after a read whose newest datapoint was at `newest` (epoch
/// seconds), with the local clock in the point starting at `this_point`: just past the newest
/// point AWS returned, never past the local one, and unmoved when nothing came back. A local
/// clock ahead of AWS's must not mark points read that AWS has not published yet.
pub fn fill_mark(
    before: Option<i64>,
    newest: Option<i64>,
    this_point: i64,
    period: i64,
) -> Option<i64> {
    match newest {
        Some(t) => Some((t - t.rem_euclid(period) + period).min(this_point)),
        None => before,
    }
}

/// Values by series at one period, kept for the range.
#[derive(Debug, Default)]
pub struct Store {
    series: HashMap<SeriesKey, BTreeMap<i64, f64>>,
    /// The newest point the store has been filled up to (exclusive end of the last fetch).
    pub filled_to: Option<i64>,
    /// The specs the store was filled for; a change means a fresh fill.
    filled_for: Vec<SeriesKey>,
    /// The range it was filled for; a change means a fresh fill too (another period).
    range: Range,
}

impl Store {
    /// Whether `specs` or `range` differ from what the store holds (then everything is
    /// fetched afresh).
    pub fn needs_full_fill(&self, specs: &[Spec], range: Range) -> bool {
        self.filled_to.is_none()
            || self.range != range
            || self.filled_for.len() != specs.len()
            || self.filled_for.iter().zip(specs).any(|(k, s)| *k != s.key)
    }

    pub fn reset_for(&mut self, specs: &[Spec], range: Range) {
        if range.period_secs() != self.period() {
            self.series.clear();
        }
        self.series.retain(|k, _| specs.iter().any(|s| s.key == *k));
        self.filled_for = specs.iter().map(|s| s.key.clone()).collect();
        self.filled_to = None;
        self.range = range;
    }

    /// CloudWatch's period of what the store holds, in seconds.
    pub fn period(&self) -> i64 {
        self.range.period_secs()
    }

    pub fn range(&self) -> Range {
        self.range
    }

    pub fn put(&mut self, key: &SeriesKey, points: &[(i64, f64)]) {
        let period = self.period();
        let m = self.series.entry(key.clone()).or_default();
        for (t, v) in points {
            m.insert(t - t.rem_euclid(period), *v);
        }
    }

    /// Drop points older than the range before `end`.
    pub fn prune(&mut self, end: i64) {
        let oldest = end - (self.range.points() as i64 + 5) * self.period();
        for m in self.series.values_mut() {
            *m = m.split_off(&oldest);
        }
    }

    /// The newest point any API Gateway Count or WAF series has data for.
    pub fn newest_point(&self) -> Option<i64> {
        self.series
            .iter()
            .filter(|(k, _)| {
                matches!(
                    k,
                    SeriesKey::Stage {
                        metric: StageMetric::Count,
                        ..
                    } | SeriesKey::Waf { .. }
                )
            })
            .filter_map(|(_, m)| m.keys().next_back().copied())
            .max()
    }

    /// Datapoints held, over every series (what the range costs in memory).
    pub fn points_held(&self) -> usize {
        self.series.values().map(BTreeMap::len).sum()
    }

    /// The series of `key` over the range, its newest point starting at `end` (epoch
    /// seconds), as per-minute values: a count's sum over a point divided by its minutes.
    /// A point with no datapoint is zero for counts (WAF publishes only non-zero values, and a
    /// quiet stage none), and a gap (NaN) for an average such as Latency: a minute without
    /// requests has no latency, not a latency of 0 ms.
    pub fn series(&self, key: &SeriesKey, end: i64) -> Series {
        let average = matches!(
            key,
            SeriesKey::Stage {
                metric: StageMetric::Latency,
                ..
            }
        );
        let (period, n) = (self.period(), self.range.points() as i64);
        let per_minute = match average {
            true => 1.0,
            false => (period / 60) as f64,
        };
        let missing = if average { f64::NAN } else { 0.0 };
        let m = self.series.get(key);
        let values = (0..n)
            .map(|i| end - (n - 1 - i) * period)
            .map(|t| {
                m.and_then(|m| m.get(&t))
                    .map_or(missing, |v| v / per_minute)
            })
            .collect();
        Series::every(
            DateTime::from_timestamp(end, 0).unwrap_or_default(),
            values,
            self.range.period_minutes() as u32,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Action, RuleKind, Text};
    use crate::source::aws::apigateway::StageConf;
    use crate::source::aws::wafv2::RuleConf;

    fn api() -> ApiConf {
        ApiConf {
            id: "a1".into(),
            name: "payments-api".into(),
            stages: vec![StageConf {
                name: "prod".into(),
                throttle: None,
                methods: vec![],
                web_acl_arn: None,
                logging: Default::default(),
                access_log_raw: None,
            }],
            front: Default::default(),
        }
    }

    fn acl(scope: Scope) -> AclConf {
        AclConf {
            id: "i".into(),
            name: "edge".into(),
            arn: format!("arn:{}", scope.label()),
            scope,
            metric_name: "edgeMetric".into(),
            default_action: Action::Allow,
            rules: vec![RuleConf {
                name: "Geo".into(),
                priority: 0,
                kind: RuleKind::Geo {
                    countries: vec![Text::new("VN")],
                },
                action: Action::Count,
                metric_name: "GeoMetric".into(),
                custom: None,
            }],
            protects: vec![],
        }
    }

    fn listed(name: &str, pairs: &[(&str, &str)]) -> Listed {
        let mut d = dims(pairs);
        d.sort();
        Listed {
            name: name.into(),
            dims: d,
        }
    }

    #[test]
    fn specs_follow_discovery() {
        let s = specs(
            "eu-west-1",
            &[api()],
            &[acl(Scope::Regional), acl(Scope::Cloudfront)],
            &[],
        );
        // 4 per stage; per ACL 3 totals + 2 per rule.
        assert_eq!(s.len(), 4 + 5 + 5);
        let regional = s
            .iter()
            .find(|s| s.name == "BlockedRequests" && !s.global)
            .unwrap();
        // Nothing listed: the web ACL's name, as AWS's own tooling queries it.
        assert_eq!(
            regional.dims,
            dims(&[("Region", "eu-west-1"), ("Rule", "ALL"), ("WebACL", "edge")])
        );
        let global = s
            .iter()
            .find(|s| s.name == "BlockedRequests" && s.global)
            .unwrap();
        assert_eq!(
            global.dims,
            dims(&[("Rule", "ALL"), ("WebACL", "edge")]),
            "CLOUDFRONT has no Region"
        );
        assert_ne!(regional.key, global.key, "same name, two series");
        assert!(
            s.iter()
                .any(|s| s.dims.contains(&("Rule".into(), "GeoMetric".into())))
        );
        let latency = s.iter().find(|s| s.name == "Latency").unwrap();
        assert_eq!(latency.stat, "Average");
    }

    #[test]
    fn the_names_cloudwatch_uses_are_the_ones_listed() {
        let a = acl(Scope::Regional);
        // Published under the metric name (older docs) — used when that is what is listed.
        let by_metric = [listed(
            "BlockedRequests",
            &[
                ("Region", "eu-west-1"),
                ("Rule", "GeoMetric"),
                ("WebACL", "edgeMetric"),
            ],
        )];
        let n = waf_names(&a, "eu-west-1", &by_metric);
        assert_eq!(n.web_acl, "edgeMetric");
        assert_eq!(n.rules["Geo"], "GeoMetric");
        // Under the name, rule under its own name: both found.
        let by_name = [listed(
            "CountedRequests",
            &[("Region", "eu-west-1"), ("Rule", "Geo"), ("WebACL", "edge")],
        )];
        let n = waf_names(&a, "eu-west-1", &by_name);
        assert_eq!(
            (n.web_acl.as_str(), n.rules["Geo"].as_str()),
            ("edge", "Geo")
        );
        // Another region's metrics, or CLOUDFRONT ones (no Region), say nothing of this ACL.
        let elsewhere = [
            listed(
                "BlockedRequests",
                &[
                    ("Region", "us-east-1"),
                    ("Rule", "ALL"),
                    ("WebACL", "edgeMetric"),
                ],
            ),
            listed(
                "BlockedRequests",
                &[("Rule", "ALL"), ("WebACL", "edgeMetric")],
            ),
        ];
        assert_eq!(waf_names(&a, "eu-west-1", &elsewhere).web_acl, "edge");
        assert_eq!(
            waf_names(&acl(Scope::Cloudfront), "eu-west-1", &elsewhere).web_acl,
            "edgeMetric"
        );
    }

    #[test]
    fn country_series_come_from_the_listed_metrics_of_each_acl() {
        let l = [
            listed(
                "BlockedRequests",
                &[
                    ("Country", "VN"),
                    ("Region", "eu-west-1"),
                    ("Rule", "ALL"),
                    ("WebACL", "edge"),
                ],
            ),
            listed(
                "AllowedRequests",
                &[
                    ("Country", "VN"),
                    ("Region", "eu-west-1"),
                    ("WebACL", "edge"),
                ],
            ),
            // A rule-level country metric, and a CLOUDFRONT one: not this ACL's totals.
            listed(
                "BlockedRequests",
                &[
                    ("Country", "DE"),
                    ("Region", "eu-west-1"),
                    ("Rule", "GeoMetric"),
                    ("WebACL", "edge"),
                ],
            ),
            listed(
                "BlockedRequests",
                &[("Country", "FR"), ("Rule", "ALL"), ("WebACL", "edge")],
            ),
        ];
        let s = specs("eu-west-1", &[], &[acl(Scope::Regional)], &l);
        let mut countries: Vec<(&str, WafMetric)> = s
            .iter()
            .filter_map(|s| match &s.key {
                SeriesKey::Country {
                    country, metric, ..
                } => Some((country.as_str(), *metric)),
                _ => None,
            })
            .collect();
        countries.sort();
        assert_eq!(
            countries,
            [("VN", WafMetric::Allowed), ("VN", WafMetric::Blocked)]
        );
    }

    #[test]
    fn metrics_of_an_api_are_under_its_ascii_name_or_its_id() {
        let mut a = api();
        a.name = "支付-api".into();
        assert_eq!(metric_api_name(&a), "-api");
        a.name = "支付".into();
        assert_eq!(metric_api_name(&a), "a1");
    }

    #[test]
    fn the_fill_mark_follows_the_data_not_the_local_clock() {
        let aws_now = 1_800_000_000; // a whole minute
        let newest = Some(aws_now - 60);
        // In step: up to the local minute.
        assert_eq!(fill_mark(None, newest, aws_now, 60), Some(aws_now));
        // A local clock ten minutes fast: only as far as AWS's data, so the next read (which
        // goes back five minutes from the mark) still asks for the minutes to come.
        assert_eq!(fill_mark(None, newest, aws_now + 600, 60), Some(aws_now));
        // Nothing came back: the mark stays where it was.
        assert_eq!(
            fill_mark(Some(aws_now - 300), None, aws_now + 600, 60),
            Some(aws_now - 300)
        );
        assert_eq!(fill_mark(None, None, aws_now, 60), None);
        // Hourly points: just past the hour of the newest.
        let hour = 1_800_000_000; // a whole hour
        assert_eq!(
            fill_mark(None, Some(hour - 3600 + 7), hour, 3600),
            Some(hour)
        );
    }

    #[test]
    fn the_store_fills_gaps_with_zero_and_keeps_the_window() {
        let key = SeriesKey::Waf {
            acl_arn: "arn".into(),
            rule: WHOLE_ACL.into(),
            metric: WafMetric::Blocked,
        };
        let mut st = Store::default();
        let end = 1_800_000_000; // a whole minute
        st.put(&key, &[(end, 5.0), (end - 120, 3.0), (end - 3600 * 2, 9.0)]);
        st.prune(end);
        let s = st.series(&key, end);
        assert_eq!(s.values.len(), 60);
        assert_eq!(s.last(), 5.0);
        assert_eq!(s.values[60 - 3], 3.0);
        assert_eq!(s.sum(), 8.0, "the point two hours back was pruned");
        assert_eq!(st.newest_point(), Some(end));
    }

    #[test]
    fn a_longer_range_holds_per_minute_values_at_its_period() {
        let key = |metric| SeriesKey::Stage {
            api_id: "a".into(),
            stage: "prod".into(),
            metric,
        };
        let (count, latency) = (key(StageMetric::Count), key(StageMetric::Latency));
        let spec = |k: &SeriesKey| Spec {
            key: k.clone(),
            namespace: "AWS/ApiGateway",
            name: "Count",
            dims: vec![],
            stat: "Sum",
            global: false,
        };
        let specs = [spec(&count), spec(&latency)];
        let mut st = Store::default();
        st.reset_for(&specs, Range::H1);
        st.put(&count, &[(1_800_000_000, 7.0)]);
        assert!(
            st.needs_full_fill(&specs, Range::H24),
            "another range: a fresh fill"
        );
        st.reset_for(&specs, Range::H24);
        assert_eq!(
            st.points_held(),
            0,
            "one-minute points are not five-minute ones"
        );
        let end = 1_800_000_000; // on a five-minute boundary
        // CloudWatch's five-minute sums, stamped at the start of each period.
        st.put(&count, &[(end, 500.0), (end - 300, 50.0)]);
        st.put(&latency, &[(end, 42.0)]);
        let c = st.series(&count, end);
        assert_eq!((c.values.len(), c.period_min), (288, 5));
        assert_eq!(
            c.last(),
            100.0,
            "per minute: a fifth of the five-minute sum"
        );
        assert_eq!(c.values[286], 10.0);
        assert_eq!(c.in_window(), 550.0, "the window's total is the sums'");
        let l = st.series(&latency, end);
        assert_eq!(l.latest(), Some(42.0), "an average is not divided");
        assert!(l.values[0].is_nan());
        assert_eq!(c.points()[286].0, -5.0, "x in minutes");
    }
}
