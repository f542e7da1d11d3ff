//! CloudWatch alarms on what edgetop shows (DescribeAlarms, metric and composite): listed whole
//! at discovery, then read by name each poll. An alarm is kept when its metric (or, for metric
//! math, one of its metrics) is in AWS/ApiGateway, AWS/WAFV2 or AWS/CloudFront, and a composite
//! one when its rule names a kept alarm. What each watches is read from the metric's dimensions
//! (the API Gateway, WAF and CloudFront metric references): `ApiName`/`ApiId` and `Stage`;
//! `WebACL`, `Rule` (the rule's *metric* name, "ALL" for the whole web ACL) and `Region`;
//! `DistributionId`. A metric that a CloudWatch Logs metric filter makes of an access log
//! edgetop knows is kept too, as about the stages writing that log. An anomaly-detection
//! alarm's band is read each poll with `ANOMALY_DETECTION_BAND` of the alarm's own metric.

mod polled;

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::types::{
    AlarmType, CompositeAlarm, Dimension, MetricAlarm, MetricDataQuery, MetricStat,
};
use chrono::{DateTime, Utc};

use super::Calls;
use super::connect::{Failure, failure};
use crate::model::Text;
use crate::model::alarm::{Alarm, AlarmState, Band, Watches};

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

/// A metric a CloudWatch Logs metric filter makes of an access log edgetop knows
/// (DescribeMetricFilters' `metricTransformations`): alarms on it are about the log's stages.
#[derive(Clone, Debug, PartialEq)]
pub struct LogMetric {
    pub namespace: String,
    pub name: String,
    pub group: String,
    /// The log group is us-east-1's.
    pub global: bool,
    pub stages: Vec<Text>,
}

/// The metric filters of each access log group `groups` names (group, us-east-1's, stages),
/// from its own endpoint: the metrics they make. Paged; bounded.
pub async fn log_metrics(
    clients: &super::connect::Clients,
    calls: &mut Calls,
    groups: &[(String, bool, Vec<Text>)],
) -> Result<Vec<LogMetric>, Failure> {
    let mut out = Vec::new();
    for (group, global, stages) in groups {
        let c = match global {
            true => &clients.logs_global,
            false => &clients.logs,
        };
        let mut token: Option<String> = None;
        for _ in 0..50 {
            calls.add("logs:DescribeMetricFilters");
            let page = c
                .describe_metric_filters()
                .log_group_name(group)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| failure("logs:DescribeMetricFilters", &e))?;
            for f in page.metric_filters() {
                for t in f.metric_transformations() {
                    out.push(LogMetric {
                        namespace: t.metric_namespace().to_string(),
                        name: t.metric_name().to_string(),
                        group: group.clone(),
                        global: *global,
                        stages: stages.clone(),
                    });
                }
            }
            match page.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
    }
    Ok(out)
}

/// What a metric of `namespace` named `name` with `dims` is about, if edgetop shows it (an
/// AWS namespace's, or a metric filter's of an access log in `logs`) and `keep` keeps it.
fn watches(
    namespace: &str,
    name: &str,
    dims: &[Dimension],
    keep: Keep,
    logs: &[LogMetric],
) -> Option<Watches> {
    let text = |s: &str| Text::new(s);
    let global = dim(dims, "Region").is_none();
    let of_log = logs
        .iter()
        .filter(|l| (l.global && keep.global) || (!l.global && keep.regional))
        .find(|l| l.namespace == namespace && l.name == name);
    if let Some(l) = of_log {
        return Some(Watches::AccessLog {
            group: text(&l.group),
            stages: l.stages.clone(),
        });
    }
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

/// What draws an anomaly-detection alarm's band: the metric its model is of (the query the
/// alarm's `ANOMALY_DETECTION_BAND` names) and the band's width.
#[derive(Clone, Debug, PartialEq)]
pub struct BandQuery {
    pub alarm: String,
    pub stat: MetricStat,
    pub deviations: f64,
    /// Read from us-east-1 (CloudFront's metrics, a CLOUDFRONT web ACL's).
    pub global: bool,
}

/// Most bands read per poll (each is a metric requested, and one call reads them all).
pub const MOST_BANDS: usize = 10;

/// `ANOMALY_DETECTION_BAND(m1)` or `ANOMALY_DETECTION_BAND(m1, 2.5)`: the query id and the
/// width (2 when not given, as the CloudWatch metric math reference says).
pub fn band_expression(e: &str) -> Option<(&str, f64)> {
    let e = e.trim();
    let args = e
        .strip_prefix("ANOMALY_DETECTION_BAND")?
        .trim_start()
        .strip_prefix('(')?
        .strip_suffix(')')?;
    let mut parts = args.split(',').map(str::trim);
    let id = parts.next().filter(|id| !id.is_empty())?;
    let deviations = match parts.next() {
        None => 2.0,
        Some(n) => n
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite() && *n > 0.0)?,
    };
    parts.next().is_none().then_some((id, deviations))
}

/// An anomaly-detection alarm's band: its threshold is a query whose expression is
/// `ANOMALY_DETECTION_BAND` of a query that reads a metric. None for any other alarm (a
/// threshold alarm, a band of a metric-math expression).
fn band_of(a: &MetricAlarm) -> Option<BandQuery> {
    let threshold = a.threshold_metric_id()?;
    let queries = a.metrics();
    let band = queries.iter().find(|q| q.id() == Some(threshold))?;
    let (of, deviations) = band_expression(band.expression()?)?;
    let stat = queries.iter().find(|q| q.id() == Some(of))?.metric_stat()?;
    Some(BandQuery {
        alarm: a.alarm_name()?.to_string(),
        stat: stat.clone(),
        deviations,
        global: false,
    })
}

/// How an anomaly alarm compares its metric to its band.
fn band_comparison(op: &str) -> &str {
    match op {
        "GreaterThanUpperThreshold" => "above the band",
        "LessThanLowerThreshold" => "below the band",
        "LessThanLowerOrGreaterThanUpperThreshold" => "outside the band",
        other => other,
    }
}

/// A metric alarm on what edgetop shows, and what draws its band if it has one; None for any
/// other alarm.
fn of_metric(
    a: &MetricAlarm,
    keep: Keep,
    logs: &[LogMetric],
) -> Option<(Alarm, Option<BandQuery>)> {
    let shown = |ns: &str, name: &str| {
        NAMESPACES.contains(&ns) || logs.iter().any(|l| l.namespace == ns && l.name == name)
    };
    // A plain alarm names its metric; a metric-math one lists its metrics.
    let (namespace, name, dims) = match (a.namespace(), a.metric_name()) {
        (Some(ns), Some(m)) => (ns.to_string(), m.to_string(), a.dimensions().to_vec()),
        _ => a
            .metrics()
            .iter()
            .filter_map(|q| q.metric_stat().and_then(|s| s.metric()))
            .find(|m| {
                shown(
                    m.namespace().unwrap_or_default(),
                    m.metric_name().unwrap_or_default(),
                )
            })
            .map(|m| {
                (
                    m.namespace().unwrap_or_default().to_string(),
                    m.metric_name().unwrap_or_default().to_string(),
                    m.dimensions().to_vec(),
                )
            })?,
    };
    let watches = watches(&namespace, &name, &dims, keep, logs)?;
    let band = band_of(a);
    let threshold = match (a.comparison_operator(), a.threshold(), &band) {
        (Some(op), Some(t), None) if a.threshold_metric_id().is_none() => {
            Some(Text::new(&format!("{} {}", comparison(op.as_str()), t)))
        }
        (Some(op), _, Some(b)) => Some(Text::new(&format!(
            "{} ({} σ)",
            band_comparison(op.as_str()),
            b.deviations
        ))),
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
    let alarm = Alarm {
        name: Text::new(a.alarm_name()?),
        state: AlarmState::parse(a.state_value().map_or("", |s| s.as_str())),
        since: time(a.state_transitioned_timestamp()).or(time(a.state_updated_timestamp())),
        reason: Text::new(a.state_reason().unwrap_or_default()),
        metric: Some(Text::new(&format!("{namespace} {name}"))),
        threshold,
        limit,
        band: None,
        watches,
        place: Default::default(),
    };
    Some((alarm, band))
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
        band: None,
        watches: Watches::Alarms { names },
        place: Default::default(),
    })
}

/// The alarms on what edgetop shows: every alarm (`names` None), or those named; with what
/// draws the anomaly-detection ones' bands.
pub async fn read(
    c: &Client,
    calls: &mut Calls,
    names: Option<&[String]>,
    keep: Keep,
    logs: &[LogMetric],
) -> Result<(Vec<Alarm>, Vec<BandQuery>), Failure> {
    let mut metric = Vec::new();
    let mut composite = Vec::new();
    let chunks: Vec<Option<&[String]>> = match names {
        Some([]) => return Ok((Vec::new(), Vec::new())),
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
    let mut out = Vec::new();
    let mut bands = Vec::new();
    for (alarm, band) in metric.iter().filter_map(|a| of_metric(a, keep, logs)) {
        out.push(alarm);
        bands.extend(band.map(|b| BandQuery {
            global: keep.global && !keep.regional,
            ..b
        }));
    }
    let kept: Vec<String> = out.iter().map(|a| a.name.to_string()).collect();
    out.extend(composite.iter().filter_map(|a| of_composite(a, &kept)));
    Ok((out, bands))
}

/// The bands of `bands` over `window`, by alarm name: one call, a metric and its band per
/// alarm. A band the answer lacks is absent (no model yet, no data).
pub async fn read_bands(
    c: &Client,
    calls: &mut Calls,
    bands: &[BandQuery],
    window: super::cloudwatch::Window,
) -> Result<Vec<(String, Band)>, Failure> {
    let queries: Vec<MetricDataQuery> = bands
        .iter()
        .enumerate()
        .flat_map(|(i, b)| {
            [
                MetricDataQuery::builder()
                    .id(format!("m{i}"))
                    .metric_stat(b.stat.clone())
                    .return_data(false)
                    .build(),
                MetricDataQuery::builder()
                    .id(format!("b{i}"))
                    .expression(format!("ANOMALY_DETECTION_BAND(m{i}, {})", b.deviations))
                    .return_data(true)
                    .build(),
            ]
        })
        .collect();
    if queries.is_empty() {
        return Ok(Vec::new());
    }
    let answers =
        super::cloudwatch::fetch_queries(c, &queries, window.from, window.to, calls).await?;
    Ok(bands
        .iter()
        .enumerate()
        .filter_map(|(i, b)| {
            let points = answers.points.get(&format!("b{i}"))?;
            let stat = b.stat.stat().unwrap_or_default();
            let period = b.stat.period().unwrap_or(60);
            let band = Band::from_points(points, stat, period, b.deviations)?;
            Some((b.alarm.clone(), band))
        })
        .collect())
}
