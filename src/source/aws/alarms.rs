//! CloudWatch alarms on what edgetop shows (DescribeAlarms, metric and composite): listed whole
//! at discovery, then read by name each poll. An alarm is kept when its metric (or, for metric
//! math, one of its metrics) is in AWS/ApiGateway, AWS/WAFV2 or AWS/CloudFront, and a composite
//! one when its rule names a kept alarm. What each watches is read from the metric's dimensions
//! (the API Gateway, WAF and CloudFront metric references): `ApiName`/`ApiId` and `Stage`;
//! `WebACL`, `Rule` (the rule's *metric* name, "ALL" for the whole web ACL) and `Region`;
//! `DistributionId`.

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::types::{AlarmType, CompositeAlarm, Dimension, MetricAlarm};
use chrono::{DateTime, Utc};

use super::Calls;
use super::connect::{Failure, failure};
use crate::model::Text;
use crate::model::alarm::{Alarm, AlarmState, Watches};

/// The namespaces of what edgetop shows.
pub const NAMESPACES: [&str; 3] = ["AWS/ApiGateway", "AWS/WAFV2", "AWS/CloudFront"];

/// DescribeAlarms takes at most 100 names, and pages by 100.
const PAGE: usize = 100;

fn time(t: Option<&aws_sdk_cloudwatch::primitives::DateTime>) -> Option<DateTime<Utc>> {
    t.and_then(|t| DateTime::from_timestamp(t.secs(), t.subsec_nanos()))
}

fn dim<'a>(dims: &'a [Dimension], name: &str) -> Option<&'a str> {
    dims.iter()
        .find(|d| d.name() == Some(name))
        .and_then(|d| d.value())
}

/// Which of an endpoint's alarms are this place's: its region's (API Gateway, and WAF with a
/// `Region`), and the account's global ones (CloudFront, and WAF without a `Region`), which
/// us-east-1 holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Keep {
    pub regional: bool,
    pub global: bool,
}

/// What a metric of `namespace` with `dims` is about, if edgetop shows it and `keep` keeps it.
fn watches(namespace: &str, dims: &[Dimension], keep: Keep) -> Option<Watches> {
    let text = |s: &str| Text::new(s);
    let global = dim(dims, "Region").is_none();
    match namespace {
        "AWS/ApiGateway" if keep.regional => {
            let api = dim(dims, "ApiName").or_else(|| dim(dims, "ApiId"))?;
            Some(Watches::Stage {
                api: text(api),
                stage: dim(dims, "Stage").map(text),
            })
        }
        "AWS/WAFV2" if (global && keep.global) || (!global && keep.regional) => {
            Some(Watches::WebAcl {
                web_acl: text(dim(dims, "WebACL")?),
                rule: dim(dims, "Rule").filter(|r| *r != "ALL").map(text),
            })
        }
        "AWS/CloudFront" if keep.global => Some(Watches::Distribution {
            id: text(dim(dims, "DistributionId")?),
        }),
        _ => None,
    }
}

/// A metric alarm on what edgetop shows; None for any other.
fn of_metric(a: &MetricAlarm, keep: Keep) -> Option<Alarm> {
    // A plain alarm names its metric; a metric-math one lists its metrics.
    let (namespace, name, dims) = match (a.namespace(), a.metric_name()) {
        (Some(ns), Some(m)) => (ns.to_string(), m.to_string(), a.dimensions().to_vec()),
        _ => a
            .metrics()
            .iter()
            .filter_map(|q| q.metric_stat().and_then(|s| s.metric()))
            .find(|m| NAMESPACES.contains(&m.namespace().unwrap_or_default()))
            .map(|m| {
                (
                    m.namespace().unwrap_or_default().to_string(),
                    m.metric_name().unwrap_or_default().to_string(),
                    m.dimensions().to_vec(),
                )
            })?,
    };
    let watches = watches(&namespace, &dims, keep)?;
    let threshold = match (a.comparison_operator(), a.threshold()) {
        (Some(op), Some(t)) if a.threshold_metric_id().is_none() => {
            Some(Text::new(&format!("{} {}", comparison(op.as_str()), t)))
        }
        _ => None,
    };
    // A plain alarm's threshold on the chart of its metric (a metric-math or anomaly one has
    // no single series to draw it on).
    let limit = match (a.metric_name(), a.statistic(), a.period(), a.threshold()) {
        (Some(_), Some(stat), Some(period), Some(t)) if a.threshold_metric_id().is_none() => {
            Some(crate::model::alarm::per_minute(t, stat.as_str(), period))
        }
        _ => None,
    };
    Some(Alarm {
        name: Text::new(a.alarm_name()?),
        state: AlarmState::parse(a.state_value().map_or("", |s| s.as_str())),
        since: time(a.state_transitioned_timestamp()).or(time(a.state_updated_timestamp())),
        reason: Text::new(a.state_reason().unwrap_or_default()),
        metric: Some(Text::new(&format!("{namespace} {name}"))),
        threshold,
        limit,
        watches,
        place: Default::default(),
    })
}

fn comparison(op: &str) -> &str {
    match op {
        "GreaterThanThreshold" => ">",
        "GreaterThanOrEqualToThreshold" => "≥",
        "LessThanThreshold" => "<",
        "LessThanOrEqualToThreshold" => "≤",
        other => other,
    }
}

/// The alarm names a composite alarm's rule names (`ALARM("name")`, `OK(name)`, …).
pub fn named_in_rule(rule: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in ["ALARM(", "OK(", "INSUFFICIENT_DATA("] {
        let mut rest = rule;
        while let Some(i) = rest.find(word) {
            // Not the tail of a longer word ("NOT_OK(" is no function; "OK(" inside a name is
            // in quotes and skipped with it).
            let before = rest[..i].chars().last();
            rest = &rest[i + word.len()..];
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            let Some(end) = rest.find(')') else { break };
            let name = rest[..end].trim().trim_matches('"').trim();
            if !name.is_empty() && !out.iter().any(|n| n == name) {
                out.push(name.to_string());
            }
            rest = &rest[end..];
        }
    }
    out
}

/// A composite alarm over `kept` alarms; None when its rule names none of them.
fn of_composite(a: &CompositeAlarm, kept: &[String]) -> Option<Alarm> {
    let names: Vec<Text> = named_in_rule(a.alarm_rule().unwrap_or_default())
        .into_iter()
        .filter(|n| kept.contains(n))
        .map(|n| Text::new(&n))
        .collect();
    if names.is_empty() {
        return None;
    }
    Some(Alarm {
        name: Text::new(a.alarm_name()?),
        state: AlarmState::parse(a.state_value().map_or("", |s| s.as_str())),
        since: time(a.state_transitioned_timestamp()).or(time(a.state_updated_timestamp())),
        reason: Text::new(a.state_reason().unwrap_or_default()),
        metric: None,
        threshold: None,
        limit: None,
        watches: Watches::Alarms { names },
        place: Default::default(),
    })
}

/// The alarms on what edgetop shows: every alarm (`names` None), or those named.
pub async fn read(
    c: &Client,
    calls: &mut Calls,
    names: Option<&[String]>,
    keep: Keep,
) -> Result<Vec<Alarm>, Failure> {
    let mut metric = Vec::new();
    let mut composite = Vec::new();
    let chunks: Vec<Option<&[String]>> = match names {
        Some([]) => return Ok(Vec::new()),
        Some(n) => n.chunks(PAGE).map(Some).collect(),
        None => vec![None],
    };
    for chunk in chunks {
        let mut token: Option<String> = None;
        // Bounded: 100 pages of 100 is more alarms than an account may hold per region.
        for _ in 0..100 {
            calls.add("cloudwatch:DescribeAlarms");
            let page = c
                .describe_alarms()
                // Without AlarmTypes only metric alarms come back.
                .alarm_types(AlarmType::MetricAlarm)
                .alarm_types(AlarmType::CompositeAlarm)
                .set_alarm_names(chunk.map(<[String]>::to_vec))
                .max_records(PAGE as i32)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| failure("cloudwatch:DescribeAlarms", &e))?;
            metric.extend(page.metric_alarms().iter().cloned());
            composite.extend(page.composite_alarms().iter().cloned());
            match page.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
    }
    let mut out: Vec<Alarm> = metric.iter().filter_map(|a| of_metric(a, keep)).collect();
    let kept: Vec<String> = out.iter().map(|a| a.name.to_string()).collect();
    out.extend(composite.iter().filter_map(|a| of_composite(a, &kept)));
    Ok(out)
}

impl super::AwsSource {
    /// The alarms: every one after a discovery (their names kept), else those by name.
    pub(super) async fn read_alarms(&mut self, now: DateTime<Utc>, calls: &mut Calls) {
        let names = self.alarm_names.clone();
        // None to read: no call, and nothing said of the account's reachability either.
        if names.as_ref().is_some_and(Vec::is_empty) {
            return;
        }
        let c = self.clients.clone();
        // CloudFront's metrics, and a CLOUDFRONT web ACL's, are us-east-1's: read by the
        // account's first region only, from us-east-1.
        let global = self.settings.reads_global;
        let here_is_global = c.region == "us-east-1";
        let keep = Keep {
            regional: true,
            global: global && here_is_global,
        };
        let mut read = read(&c.cloudwatch, calls, names.as_deref(), keep).await;
        if global
            && !here_is_global
            && let Ok(alarms) = &mut read
        {
            let keep = Keep {
                regional: false,
                global: true,
            };
            match super::alarms::read(&c.cloudwatch_global, calls, names.as_deref(), keep).await {
                Ok(more) => alarms.extend(more),
                Err(e) => read = Err(e),
            }
        }
        if let Some(mut alarms) =
            self.outcome(super::ALARMS, crate::model::Panel::Metrics, read, now)
        {
            // Most urgent first, the newest first within a state.
            alarms.sort_by(|a, b| {
                (a.state, std::cmp::Reverse(a.since)).cmp(&(b.state, std::cmp::Reverse(b.since)))
            });
            if self.alarm_names.is_none() {
                self.alarm_names = Some(alarms.iter().map(|a| a.name.to_string()).collect());
            }
            self.alarms = alarms;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(name: &str, value: &str) -> Dimension {
        Dimension::builder().name(name).value(value).build()
    }

    const REGIONAL: Keep = Keep {
        regional: true,
        global: false,
    };
    const GLOBAL: Keep = Keep {
        regional: false,
        global: true,
    };

    #[test]
    fn what_an_alarm_watches_is_read_from_its_dimensions() {
        let stage = watches(
            "AWS/ApiGateway",
            &[d("Stage", "prod"), d("ApiName", "catalog-api")],
            REGIONAL,
        );
        assert_eq!(
            stage,
            Some(Watches::Stage {
                api: Text::new("catalog-api"),
                stage: Some(Text::new("prod"))
            })
        );
        // A rule's metric name, as WAF's metrics carry it; ALL is the whole web ACL.
        let all = watches(
            "AWS/WAFV2",
            &[
                d("WebACL", "edge"),
                d("Rule", "ALL"),
                d("Region", "eu-west-1"),
            ],
            REGIONAL,
        );
        assert_eq!(
            all,
            Some(Watches::WebAcl {
                web_acl: Text::new("edge"),
                rule: None
            })
        );
        // A CLOUDFRONT web ACL's metrics have no Region: read from the global endpoint only.
        let cf = [d("WebACL", "edge-cf"), d("Rule", "Geo")];
        assert!(watches("AWS/WAFV2", &cf, REGIONAL).is_none());
        assert!(watches("AWS/WAFV2", &cf, GLOBAL).is_some());
        // us-east-1 as the account's first region keeps both.
        let both = Keep {
            regional: true,
            global: true,
        };
        assert!(watches("AWS/WAFV2", &cf, both).is_some());
        assert!(watches("AWS/EC2", &[d("InstanceId", "i-1")], both).is_none());
        assert!(watches("AWS/ApiGateway", &[d("ApiName", "a")], GLOBAL).is_none());
        let dist = [d("DistributionId", "E1"), d("Region", "Global")];
        assert!(watches("AWS/CloudFront", &dist, REGIONAL).is_none());
        assert!(watches("AWS/CloudFront", &dist, GLOBAL).is_some());
    }

    #[test]
    fn a_composite_rules_names_are_found_quoted_or_not() {
        assert_eq!(
            named_in_rule(r#"ALARM("api 5xx") OR (ALARM(waf-blocked) AND NOT OK("x(y"))"#),
            ["api 5xx", "waf-blocked", "x(y"]
        );
        assert_eq!(named_in_rule("INSUFFICIENT_DATA(a) AND ALARM(a)"), ["a"]);
        assert!(named_in_rule("TRUE").is_empty());
    }
}
