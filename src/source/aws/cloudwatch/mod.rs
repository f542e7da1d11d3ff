//! CloudWatch: the metric queries that discovery implies, GetMetricData in batches of 500
//! with paging, and a per-minute store that is filled once and then topped up.
//!
//! What to read is here; reading it is in [`fetch`], keeping it in [`store`].

mod fetch;
mod store;

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
pub use fetch::*;
pub use store::*;

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
    let mut out = stage_specs(apis);
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
        out.extend(country_specs(acl, region, &names.web_acl, listed, global));
    }
    out
}

/// Each stage's API Gateway metrics, under the API's name as API Gateway publishes it.
fn stage_specs(apis: &[ApiConf]) -> Vec<Spec> {
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
    out
}

/// The per-country metrics ListMetrics lists for a web ACL (`web_acl`: the name it publishes
/// them under), each once.
fn country_specs(
    acl: &AclConf,
    region: &str,
    web_acl: &str,
    listed: &[Listed],
    global: bool,
) -> Vec<Spec> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for l in listed.iter().filter(|l| {
        l.in_scope_of(acl, region)
            && l.get("WebACL") == Some(web_acl)
            && l.get("Rule").is_none_or(|r| r == "ALL")
    }) {
        let (Some(country), Some(metric)) = (l.get("Country"), WafMetric::named(&l.name)) else {
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

#[cfg(test)]
mod tests;
