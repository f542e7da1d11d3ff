//! CloudWatch alarms on what edgetop shows: a stage's API Gateway metrics, a web ACL's or
//! rule's WAF metrics, a distribution's CloudFront metrics; and composite alarms over those.
//! What paged the operator, with AWS's own reason and since when.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Panel, Place, Text};

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
    /// A composite alarm over these alarms.
    Alarms { names: Vec<Text> },
}

impl Watches {
    /// The screen that shows it.
    pub fn panel(&self) -> Panel {
        match self {
            Watches::Stage { .. } => Panel::Throttling,
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
    pub watches: Watches,
    /// Where it was read (see [`super::place`]).
    #[serde(default)]
    pub place: Place,
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
        .filter(|a| {
            a.metric
                .as_ref()
                .is_some_and(|m| m.as_str().rsplit(' ').next() == Some(metric))
        })
        .filter_map(|a| Some((a.limit?, a.state)))
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
    }
}
