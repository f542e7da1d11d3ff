//! The simulated account's CloudWatch alarms: each evaluated, as CloudWatch would, on the very
//! series the screens draw (one datapoint of one minute over its threshold), so an alarm goes
//! to ALARM at an incident's start and back to OK after it.

use chrono::Duration;

use crate::model::alarm::{Alarm, AlarmState, Watches};
use crate::model::{Series, Snapshot, Text};

/// One alarm of the demo account: its name, what it watches, its metric and threshold.
struct Defined {
    name: &'static str,
    metric: &'static str,
    threshold: f64,
    watches: fn() -> Watches,
    series: fn(&Snapshot) -> Option<Series>,
}

const DEFINED: [Defined; 3] = [
    Defined {
        name: "edge-regional login stuffing",
        metric: "AWS/WAFV2 BlockedRequests",
        threshold: 300.0,
        watches: || Watches::WebAcl {
            web_acl: Text::new("edge-regional"),
            rule: Some(Text::new("LoginRateLimit")),
        },
        series: |s| rule(s, "edge-regional", "LoginRateLimit"),
    },
    Defined {
        name: "catalog-api prod 5xx",
        metric: "AWS/ApiGateway 5XXError",
        threshold: 200.0,
        watches: || Watches::Stage {
            api: Text::new("catalog-api"),
            stage: Some(Text::new("prod")),
        },
        series: |s| {
            s.stages()
                .find(|(a, st)| a.name.as_str() == "catalog-api" && st.name.as_str() == "prod")
                .map(|(_, st)| st.metrics.errors_5xx.clone())
        },
    },
    Defined {
        name: "edge-cloudfront global rate",
        metric: "AWS/WAFV2 BlockedRequests",
        threshold: 5000.0,
        watches: || Watches::WebAcl {
            web_acl: Text::new("edge-cloudfront"),
            rule: Some(Text::new("GlobalRateLimit")),
        },
        series: |s| rule(s, "edge-cloudfront", "GlobalRateLimit"),
    },
];

fn rule(s: &Snapshot, acl: &str, rule: &str) -> Option<Series> {
    s.web_acls
        .iter()
        .find(|a| a.name.as_str() == acl)?
        .rules
        .iter()
        .find(|r| r.name.as_str() == rule)
        .map(|r| r.metrics.blocked.clone())
}

/// Every alarm as of the snapshot's newest complete minute: in ALARM since the first minute of
/// the run over its threshold that the newest is part of, else OK since the run ended.
pub fn alarms(s: &Snapshot) -> Vec<Alarm> {
    let mut out: Vec<Alarm> = DEFINED
        .iter()
        .filter_map(|d| {
            let series = (d.series)(s)?;
            let over: Vec<bool> = series.values.iter().map(|v| *v > d.threshold).collect();
            let now = *over.last()?;
            let run = over.iter().rev().take_while(|o| **o == now).count();
            let first = series.end - Duration::minutes(run as i64 - 1);
            let last = series.last();
            let (state, reason) = if now {
                (
                    AlarmState::Alarm,
                    format!(
                        "Threshold Crossed: 1 datapoint [{last}] was greater than the threshold ({}).",
                        d.threshold
                    ),
                )
            } else {
                (
                    AlarmState::Ok,
                    format!(
                        "Threshold Crossed: 1 datapoint [{last}] was not greater than the threshold ({}).",
                        d.threshold
                    ),
                )
            };
            // The window starts the run: CloudWatch's transition may be older.
            let since = (run < over.len()).then_some(first + Duration::minutes(1));
            Some(Alarm {
                name: Text::new(d.name),
                state,
                since,
                reason: Text::new(&reason),
                metric: Some(Text::new(d.metric)),
                threshold: Some(Text::new(&format!("> {}", d.threshold))),
                limit: Some(d.threshold),
                watches: (d.watches)(),
                place: Default::default(),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (a.state, std::cmp::Reverse(a.since)).cmp(&(b.state, std::cmp::Reverse(b.since)))
    });
    out
}
