//! CloudWatch alarms on what edgetop shows: a stage's API Gateway metrics, a web ACL's or
//! rule's WAF metrics, a distribution's CloudFront metrics; and composite alarms over those.
//! What paged the operator, with AWS's own reason and since when.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Panel, Place, Series, Text};

/// An alarm's state, as DescribeAlarms gives it (`StateValue`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AlarmState {
    Alarm,
    InsufficientData,
    Ok,
}

impl AlarmState {
    /// From `StateValue` ("ALARM", "INSUFFICIENT_DATA", "OK"); anything else is unknown data.
    pub fn parse(s: &str) -> AlarmState {
        match s {
            "ALARM" => AlarmState::Alarm,
            "OK" => AlarmState::Ok,
            _ => AlarmState::InsufficientData,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AlarmState::Alarm => "ALARM",
            AlarmState::InsufficientData => "INSUFFICIENT_DATA",
            AlarmState::Ok => "OK",
        }
    }
}

/// What an alarm watches, as its metric's dimensions name it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Watches {
    /// A REST API's stage (`ApiName`, `Stage`) or an HTTP API's (`ApiId`, `Stage`); the stage
    /// is absent for an alarm on the whole API.
    Stage { api: Text, stage: Option<Text> },
    /// A web ACL (`WebACL`), or one of its rules (`Rule`).
    WebAcl { web_acl: Text, rule: Option<Text> },
    /// A distribution (`DistributionId`).
    Distribution { id: Text },
    /// A metric that a CloudWatch Logs metric filter makes of an access log: the log group, and
    /// the stages ("api/stage") that write to it.
    AccessLog { group: Text, stages: Vec<Text> },
    /// A composite alarm over these alarms.
    Alarms { names: Vec<Text> },
}

impl Watches {
    /// The screen that shows it.
    pub fn panel(&self) -> Panel {
        match self {
            Watches::Stage { .. } | Watches::AccessLog { .. } => Panel::Throttling,
            Watches::WebAcl { .. } => Panel::Waf,
            Watches::Distribution { .. } => Panel::Distributions,
            Watches::Alarms { .. } => Panel::Metrics,
        }
    }

    /// The words that find its row on that screen (its filter).
    pub fn row(&self) -> Option<String> {
        match self {
            Watches::Stage { api, stage } => Some(match stage {
                Some(s) => format!("{api} {s}"),
                None => api.to_string(),
            }),
            Watches::WebAcl { web_acl, rule } => Some(match rule {
                Some(r) => r.to_string(),
                None => web_acl.to_string(),
            }),
            Watches::Distribution { id } => Some(id.to_string()),
            // One stage's log leads to its row; a log several share, to none of them.
            Watches::AccessLog { stages, .. } => match stages.as_slice() {
                [one] => Some(one.as_str().replacen('/', " ", 1)),
                _ => None,
            },
            Watches::Alarms { .. } => None,
        }
    }
}

impl std::fmt::Display for Watches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Watches::Stage {
                api,
                stage: Some(s),
            } => write!(f, "{api}/{s}"),
            Watches::Stage { api, stage: None } => write!(f, "API {api}"),
            Watches::WebAcl {
                web_acl,
                rule: Some(r),
            } => write!(f, "{r} ({web_acl})"),
            Watches::WebAcl {
                web_acl,
                rule: None,
            } => write!(f, "web ACL {web_acl}"),
            Watches::Distribution { id } => write!(f, "distribution {id}"),
            Watches::AccessLog { group, .. } => write!(f, "access log {group}"),
            Watches::Alarms { names } => {
                let names: Vec<&str> = names.iter().map(Text::as_str).collect();
                write!(f, "alarms {}", names.join(", "))
            }
        }
    }
}

/// One alarm.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alarm {
    pub name: Text,
    pub state: AlarmState,
    /// When it entered its state (`StateTransitionedTimestamp`, else `StateUpdatedTimestamp`).
    pub since: Option<DateTime<Utc>>,
    /// AWS's reason (`StateReason`).
    pub reason: Text,
    /// The metric ("AWS/WAFV2 BlockedRequests"), absent for a composite alarm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<Text>,
    /// The threshold and how it compares ("> 100"), absent for composite and anomaly alarms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<Text>,
    /// The threshold as a per-minute value of the series the screens draw (a Sum over five
    /// minutes divided by five; an Average as it is), to draw on the chart of the metric it
    /// watches. None for composite, metric-math and anomaly-detection alarms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<f64>,
    /// An anomaly-detection alarm's band (`ANOMALY_DETECTION_BAND`), read over the range on
    /// screen: what CloudWatch's model expects of the series it watches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub band: Option<Band>,
    pub watches: Watches,
    /// Where it was read (see [`super::place`]).
    #[serde(default)]
    pub place: Place,
}

impl Alarm {
    /// Whether it watches the metric named `metric` ("BlockedRequests"), whatever namespace.
    fn is_on(&self, metric: &str) -> bool {
        self.metric
            .as_ref()
            .is_some_and(|m| m.as_str().rsplit(' ').next() == Some(metric))
    }
}

/// The expected range of a series, as an anomaly detector's model has it: its lower and upper
/// edges, per minute as the charts draw the series (see [`per_minute`]), point for point.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Band {
    pub low: Series,
    pub high: Series,
    /// The band's width in standard deviations (the expression's second argument, 2 unless
    /// given).
    pub deviations: f64,
}

impl Band {
    /// The band from what GetMetricData answered for an `ANOMALY_DETECTION_BAND` query: two
    /// series (AWS documents an upper and a lower one) under the query's one id. Each instant's
    /// values are taken as its lower and upper edge whatever their order or label; an instant
    /// with one value only, or none whole, is a gap. Values are per `period` seconds of
    /// `statistic`, made per minute as the charts draw the series.
    pub fn from_points(
        points: &[(i64, f64)],
        statistic: &str,
        period: i32,
        deviations: f64,
    ) -> Option<Band> {
        let mut at: std::collections::BTreeMap<i64, Vec<f64>> = Default::default();
        for (t, v) in points {
            at.entry(*t).or_default().push(*v);
        }
        let (&first, _) = at.first_key_value()?;
        let (&last, _) = at.last_key_value()?;
        let step = i64::from(period.max(60));
        let end = chrono::DateTime::from_timestamp(last, 0)?;
        let n = ((last - first) / step + 1).clamp(1, 100_000) as usize;
        let (mut low, mut high) = (vec![f64::NAN; n], vec![f64::NAN; n]);
        for (t, vs) in &at {
            let i = n as i64 - 1 - (last - t) / step;
            let whole = vs.len() == 2 && vs.iter().all(|v| v.is_finite());
            if !(0..n as i64).contains(&i) || (last - t) % step != 0 || !whole {
                continue;
            }
            let (a, b) = (vs[0].min(vs[1]), vs[0].max(vs[1]));
            low[i as usize] = per_minute(a, statistic, period);
            high[i as usize] = per_minute(b, statistic, period);
        }
        let series = |values| Series {
            end,
            values,
            period_min: (step / 60) as u32,
            then: None,
        };
        Some(Band {
            low: series(low),
            high: series(high),
            deviations,
        })
    }
}

/// The alarms of `place` that watch a stage of `api` (the stage, or the whole API).
pub fn on_stage<'a>(alarms: &'a [Alarm], place: Place, api: &str, stage: &str) -> Vec<&'a Alarm> {
    alarms
        .iter()
        .filter(|a| a.place == place)
        .filter(|a| match &a.watches {
            Watches::Stage { api: x, stage: s } => {
                x.as_str() == api && s.as_ref().is_none_or(|s| s.as_str() == stage)
            }
            Watches::AccessLog { stages, .. } => stages
                .iter()
                .any(|s| s.as_str().split_once('/') == Some((api, stage))),
            _ => false,
        })
        .collect()
}

/// The alarms of `place` that watch a rule of a web ACL (the rule, or the whole web ACL).
pub fn on_rule<'a>(alarms: &'a [Alarm], place: Place, acl: &str, rule: &str) -> Vec<&'a Alarm> {
    alarms
        .iter()
        .filter(|a| a.place == place)
        .filter(|a| match &a.watches {
            Watches::WebAcl { web_acl, rule: r } => {
                web_acl.as_str() == acl && r.as_ref().is_none_or(|r| r.as_str() == rule)
            }
            _ => false,
        })
        .collect()
}

/// The per-minute thresholds of these alarms on `metric` (its name, as "BlockedRequests"),
/// each with its state: what a chart of that metric draws as a line.
pub fn limits_on(alarms: &[&Alarm], metric: &str) -> Vec<(f64, AlarmState)> {
    alarms
        .iter()
        .filter(|a| a.is_on(metric))
        .filter_map(|a| Some((a.limit?, a.state)))
        .collect()
}

/// The bands of these alarms on `metric`, each with its state: what a chart of that metric
/// draws around its line.
pub fn bands_on<'a>(alarms: &[&'a Alarm], metric: &str) -> Vec<(&'a Band, AlarmState)> {
    alarms
        .iter()
        .filter(|a| a.is_on(metric))
        .filter_map(|a| Some((a.band.as_ref()?, a.state)))
        .collect()
}

/// A threshold as its per-minute value on a chart: a Sum over `period` seconds divided by its
/// minutes; any other statistic (an Average, a percentile) as it is.
pub fn per_minute(threshold: f64, statistic: &str, period: i32) -> f64 {
    match statistic {
        "Sum" if period >= 60 => threshold * 60.0 / period as f64,
        _ => threshold,
    }
}

/// The most urgent state of these alarms, unless all are OK.
pub fn worst(alarms: &[&Alarm]) -> Option<AlarmState> {
    alarms
        .iter()
        .map(|a| a.state)
        .min()
        .filter(|s| *s != AlarmState::Ok)
}

/// For a row's detail: each alarm, its state, since when and AWS's reason.
pub fn described(alarms: &[&Alarm]) -> Vec<String> {
    alarms
        .iter()
        .map(|a| {
            let since = a.since.map_or(String::new(), |t| {
                format!(" since {}", t.format("%H:%M UTC"))
            });
            let threshold = a
                .threshold
                .as_ref()
                .map_or(String::new(), |t| format!(", {t}"));
            format!(
                "{} {}{since} ({}{threshold}): {}",
                a.state.label(),
                a.name,
                a.metric.as_ref().map_or("composite", |m| m.as_str()),
                a.reason
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_read_as_aws_writes_them_and_unknown_is_not_ok() {
        assert_eq!(AlarmState::parse("ALARM"), AlarmState::Alarm);
        assert_eq!(AlarmState::parse("OK"), AlarmState::Ok);
        assert_eq!(
            AlarmState::parse("INSUFFICIENT_DATA"),
            AlarmState::InsufficientData
        );
        assert_eq!(AlarmState::parse("alarm"), AlarmState::InsufficientData);
        // Sorted: what pages first.
        assert!(AlarmState::Alarm < AlarmState::InsufficientData);
    }

    #[test]
    fn a_band_is_read_whatever_the_order_of_its_two_series() {
        // Two series under one id, upper first then lower, the second missing an instant and
        // one value not a number: each instant's pair is its edges, per minute of a
        // five-minute Sum.
        let points = [
            (600, 500.0),
            (900, 600.0),
            (1200, 700.0),
            (600, 100.0),
            (1200, f64::NAN),
        ];
        let b = Band::from_points(&points, "Sum", 300, 2.0).unwrap();
        assert_eq!(b.low.period_min, 5);
        assert_eq!(b.low.values.len(), 3);
        assert_eq!((b.low.values[0], b.high.values[0]), (20.0, 100.0));
        assert!(b.low.values[1].is_nan() && b.high.values[1].is_nan());
        assert!(b.high.values[2].is_nan());
        assert_eq!(b.high.end.timestamp(), 1200);
        assert!(Band::from_points(&[], "Sum", 300, 2.0).is_none());
        // An Average is drawn as it is.
        let b = Band::from_points(&[(60, 3.0), (60, 1.0)], "Average", 60, 3.0).unwrap();
        assert_eq!((b.low.values[0], b.high.values[0]), (1.0, 3.0));
    }

    #[test]
    fn each_alarm_leads_to_its_row() {
        let rule = Watches::WebAcl {
            web_acl: Text::new("edge-regional"),
            rule: Some(Text::new("LoginRateLimit")),
        };
        assert_eq!(rule.panel(), Panel::Waf);
        assert_eq!(rule.row().as_deref(), Some("LoginRateLimit"));
        assert_eq!(rule.to_string(), "LoginRateLimit (edge-regional)");
        let stage = Watches::Stage {
            api: Text::new("catalog-api"),
            stage: Some(Text::new("prod")),
        };
        assert_eq!(stage.row().as_deref(), Some("catalog-api prod"));
        assert_eq!(stage.to_string(), "catalog-api/prod");
        let log = |stages: &[&str]| Watches::AccessLog {
            group: Text::new("/aws/apigw/access"),
            stages: stages.iter().map(|s| Text::new(s)).collect(),
        };
        assert_eq!(log(&["orders/live"]).panel(), Panel::Throttling);
        assert_eq!(log(&["orders/live"]).row().as_deref(), Some("orders live"));
        assert_eq!(log(&["orders/live", "pay/live"]).row(), None);
        let alarm = Alarm {
            name: Text::new("429s in the access log"),
            state: AlarmState::Alarm,
            since: None,
            reason: Text::new(""),
            metric: Some(Text::new("Edge/Logs Throttled429")),
            threshold: None,
            limit: None,
            band: None,
            watches: log(&["orders/live", "pay/live"]),
            place: Place::default(),
        };
        let all = [alarm];
        assert_eq!(on_stage(&all, Place::default(), "pay", "live").len(), 1);
        assert!(on_stage(&all, Place::default(), "pay", "prod").is_empty());
    }
}
