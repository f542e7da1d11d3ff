//! CloudWatch: the metric queries that discovery implies, GetMetricData in batches of 500
//! with paging, and a per-minute store that is filled once and then topped up.

use std::collections::{BTreeMap, HashMap, HashSet};

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::primitives::DateTime as AwsTime;
use aws_sdk_cloudwatch::types::{
    Dimension, DimensionFilter, Metric, MetricDataQuery, MetricStat, ScanBy, StatusCode,
};
use chrono::{DateTime, Utc};

use super::Calls;
use super::apigateway::ApiConf;
use super::connect::{Failure, failure};
use super::wafv2::AclConf;
use crate::model::{Scope, Series};

/// GetMetricData takes at most this many queries per call.
pub const MAX_QUERIES: usize = 500;
/// Minutes of history kept and drawn.
pub const WINDOW: i64 = 60;

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
}

impl WafMetric {
    fn name(self) -> &'static str {
        match self {
            WafMetric::Allowed => "AllowedRequests",
            WafMetric::Blocked => "BlockedRequests",
            WafMetric::Counted => "CountedRequests",
        }
    }
}

/// What a series is about.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SeriesKey {
    Stage {
        api: String,
        stage: String,
        metric: StageMetric,
    },
    /// `rule` is the rule's metric name, or "ALL" for the whole web ACL.
    Waf {
        acl: String,
        rule: String,
        metric: WafMetric,
    },
    Country {
        acl: String,
        country: String,
        metric: WafMetric,
    },
}

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

/// A WAF metric with a Country dimension, as ListMetrics found it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CountryMetric {
    pub metric: WafMetric,
    /// The WebACL dimension (the web ACL's metric name) and the country code.
    pub acl_metric: String,
    pub country: String,
    pub dims: Vec<(String, String)>,
    pub global: bool,
}

fn dims(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Every metric the screens need, from what discovery found.
pub fn specs(
    region: &str,
    apis: &[ApiConf],
    acls: &[AclConf],
    countries: &[CountryMetric],
) -> Vec<Spec> {
    let mut out = Vec::new();
    for api in apis {
        for st in &api.stages {
            for (metric, name, stat) in [
                (StageMetric::Count, "Count", "Sum"),
                (StageMetric::Errors4xx, "4XXError", "Sum"),
                (StageMetric::Errors5xx, "5XXError", "Sum"),
                (StageMetric::Latency, "Latency", "Average"),
            ] {
                out.push(Spec {
                    key: SeriesKey::Stage {
                        api: api.name.clone(),
                        stage: st.name.clone(),
                        metric,
                    },
                    namespace: "AWS/ApiGateway",
                    name,
                    dims: dims(&[("ApiName", &api.name), ("Stage", &st.name)]),
                    stat,
                    global: false,
                });
            }
        }
    }
    for acl in acls {
        let global = acl.scope == Scope::Cloudfront;
        let mut waf = |rule: &str, metric: WafMetric| {
            let mut d = vec![("Rule", rule), ("WebACL", acl.metric_name.as_str())];
            if !global {
                d.insert(0, ("Region", region));
            }
            out.push(Spec {
                key: SeriesKey::Waf {
                    acl: acl.name.clone(),
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
            waf("ALL", m);
        }
        for r in &acl.rules {
            waf(&r.metric_name, WafMetric::Blocked);
            waf(&r.metric_name, WafMetric::Counted);
        }
    }
    for c in countries {
        let Some(acl) = acls
            .iter()
            .find(|a| a.metric_name == c.acl_metric && (a.scope == Scope::Cloudfront) == c.global)
        else {
            continue;
        };
        out.push(Spec {
            key: SeriesKey::Country {
                acl: acl.name.clone(),
                country: c.country.clone(),
                metric: c.metric,
            },
            namespace: "AWS/WAFV2",
            name: c.metric.name(),
            dims: c.dims.clone(),
            stat: "Sum",
            global: c.global,
        });
    }
    out
}

/// WAF metrics with a Country dimension (whole-ACL ones: Rule absent or ALL), de-duplicated:
/// ListMetrics may list a metric more than once.
pub async fn country_metrics(
    c: &Client,
    global: bool,
    calls: &mut Calls,
) -> Result<Vec<CountryMetric>, Failure> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..50 {
        calls.add("cloudwatch:ListMetrics");
        let page = c
            .list_metrics()
            .namespace("AWS/WAFV2")
            .dimensions(DimensionFilter::builder().name("Country").build())
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| failure("cloudwatch:ListMetrics", &e))?;
        for m in page.metrics() {
            if let Some(cm) =
                country_metric(m, global).filter(|cm| seen.insert((cm.metric, cm.dims.clone())))
            {
                out.push(cm);
            }
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    out.sort_by(|a, b| {
        (&a.acl_metric, &a.country, a.metric).cmp(&(&b.acl_metric, &b.country, b.metric))
    });
    Ok(out)
}

fn country_metric(m: &Metric, global: bool) -> Option<CountryMetric> {
    let metric = match m.metric_name()? {
        "AllowedRequests" => WafMetric::Allowed,
        "BlockedRequests" => WafMetric::Blocked,
        "CountedRequests" => WafMetric::Counted,
        _ => return None,
    };
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
    let get = |k: &str| d.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    if get("Rule").is_some_and(|r| r != "ALL") {
        return None;
    }
    Some(CountryMetric {
        metric,
        acl_metric: get("WebACL")?,
        country: get("Country")?,
        dims: d.clone(),
        global,
    })
}

fn aws_time(t: DateTime<Utc>) -> AwsTime {
    AwsTime::from_secs(t.timestamp())
}

/// Ask for `specs` (all in one region) over `[from, to)` at one-minute periods; returns the
/// datapoints per spec index (minute epoch seconds → value) and the series that failed.
pub async fn fetch(
    c: &Client,
    specs: &[(usize, &Spec)],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    calls: &mut Calls,
) -> Result<(HashMap<usize, Vec<(i64, f64)>>, Vec<String>), Failure> {
    let mut points: HashMap<usize, Vec<(i64, f64)>> = HashMap::new();
    let mut failed = Vec::new();
    for chunk in specs.chunks(MAX_QUERIES) {
        let queries: Vec<MetricDataQuery> = chunk
            .iter()
            .map(|(i, s)| {
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
                    .id(format!("m{i}"))
                    .metric_stat(
                        MetricStat::builder()
                            .metric(metric)
                            .period(60)
                            .stat(s.stat)
                            .build(),
                    )
                    .return_data(true)
                    .build()
            })
            .collect();
        let mut token: Option<String> = None;
        for _ in 0..100 {
            calls.add("cloudwatch:GetMetricData");
            let page = c
                .get_metric_data()
                .set_metric_data_queries(Some(queries.clone()))
                .start_time(aws_time(from))
                .end_time(aws_time(to))
                .scan_by(ScanBy::TimestampAscending)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| failure("cloudwatch:GetMetricData", &e))?;
            for r in page.metric_data_results() {
                let Some(i) = r
                    .id()
                    .and_then(|id| id.strip_prefix('m'))
                    .and_then(|n| n.parse::<usize>().ok())
                else {
                    continue;
                };
                if matches!(
                    r.status_code(),
                    Some(StatusCode::InternalError) | Some(StatusCode::Forbidden)
                ) {
                    failed.push(
                        r.messages()
                            .iter()
                            .filter_map(|m| m.value())
                            .collect::<Vec<_>>()
                            .join("; "),
                    );
                }
                let entry = points.entry(i).or_default();
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
    Ok((points, failed))
}

/// Per-minute values by series, kept for the window.
#[derive(Debug, Default)]
pub struct Store {
    series: HashMap<SeriesKey, BTreeMap<i64, f64>>,
    /// The newest minute the store has been filled up to (exclusive end of the last fetch).
    pub filled_to: Option<i64>,
    /// The specs the store was filled for; a change means a fresh fill.
    filled_for: Vec<SeriesKey>,
}

impl Store {
    /// Whether `specs` differ from what the store holds (then everything is fetched afresh).
    pub fn needs_full_fill(&self, specs: &[Spec]) -> bool {
        self.filled_to.is_none()
            || self.filled_for.len() != specs.len()
            || self.filled_for.iter().zip(specs).any(|(k, s)| *k != s.key)
    }

    pub fn reset_for(&mut self, specs: &[Spec]) {
        self.series.retain(|k, _| specs.iter().any(|s| s.key == *k));
        self.filled_for = specs.iter().map(|s| s.key.clone()).collect();
        self.filled_to = None;
    }

    pub fn put(&mut self, key: &SeriesKey, points: &[(i64, f64)]) {
        let m = self.series.entry(key.clone()).or_default();
        for (t, v) in points {
            m.insert(t - t.rem_euclid(60), *v);
        }
    }

    /// Drop minutes older than the window before `end`.
    pub fn prune(&mut self, end_minute: i64) {
        let oldest = end_minute - (WINDOW + 5) * 60;
        for m in self.series.values_mut() {
            *m = m.split_off(&oldest);
        }
    }

    /// The newest minute any API Gateway Count series has data for.
    pub fn newest_minute(&self) -> Option<i64> {
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

    /// The series of `key` for the [`WINDOW`] minutes ending with minute `end` (epoch seconds);
    /// missing minutes are zero (WAF only publishes non-zero values).
    pub fn series(&self, key: &SeriesKey, end: i64) -> Series {
        let m = self.series.get(key);
        let values = (0..WINDOW)
            .map(|i| end - (WINDOW - 1 - i) * 60)
            .map(|t| m.and_then(|m| m.get(&t)).copied().unwrap_or(0.0))
            .collect();
        Series::new(DateTime::from_timestamp(end, 0).unwrap_or_default(), values)
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
            }],
        }
    }

    fn acl(scope: Scope) -> AclConf {
        AclConf {
            id: "i".into(),
            name: "edge".into(),
            arn: "arn".into(),
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
            }],
            protects: vec![],
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
        assert_eq!(
            regional.dims,
            dims(&[
                ("Region", "eu-west-1"),
                ("Rule", "ALL"),
                ("WebACL", "edgeMetric")
            ])
        );
        let global = s
            .iter()
            .find(|s| s.name == "BlockedRequests" && s.global)
            .unwrap();
        assert_eq!(
            global.dims,
            dims(&[("Rule", "ALL"), ("WebACL", "edgeMetric")]),
            "CLOUDFRONT has no Region"
        );
        assert!(
            s.iter()
                .any(|s| s.dims.contains(&("Rule".into(), "GeoMetric".into())))
        );
        let latency = s.iter().find(|s| s.name == "Latency").unwrap();
        assert_eq!(latency.stat, "Average");
    }

    #[test]
    fn list_metrics_duplicates_collapse_and_rule_level_country_metrics_are_skipped() {
        let m = |rule: Option<&str>| {
            let mut b = Metric::builder()
                .namespace("AWS/WAFV2")
                .metric_name("BlockedRequests")
                .dimensions(
                    Dimension::builder()
                        .name("WebACL")
                        .value("edgeMetric")
                        .build(),
                )
                .dimensions(Dimension::builder().name("Country").value("VN").build());
            if let Some(r) = rule {
                b = b.dimensions(Dimension::builder().name("Rule").value(r).build());
            }
            b.build()
        };
        let a = country_metric(&m(Some("ALL")), false).unwrap();
        let b = country_metric(&m(Some("ALL")), false).unwrap();
        assert_eq!(a, b);
        assert_eq!(
            (a.acl_metric.as_str(), a.country.as_str()),
            ("edgeMetric", "VN")
        );
        assert!(country_metric(&m(Some("GeoMetric")), false).is_none());
        assert!(country_metric(&m(None), true).is_some());
    }

    #[test]
    fn the_store_fills_gaps_with_zero_and_keeps_the_window() {
        let key = SeriesKey::Waf {
            acl: "edge".into(),
            rule: "ALL".into(),
            metric: WafMetric::Blocked,
        };
        let mut st = Store::default();
        let end = 1_800_000_000; // a whole minute
        st.put(&key, &[(end, 5.0), (end - 120, 3.0), (end - 3600 * 2, 9.0)]);
        st.prune(end);
        let s = st.series(&key, end);
        assert_eq!(s.values.len(), WINDOW as usize);
        assert_eq!(s.last(), 5.0);
        assert_eq!(s.values[WINDOW as usize - 3], 3.0);
        assert_eq!(s.sum(), 8.0, "the point two hours back was pruned");
        assert_eq!(st.newest_minute(), Some(end));
    }
}
