//! The simulated account's CloudWatch alarms: each evaluated, as CloudWatch would, on the very
//! series the screens draw (one datapoint of one minute over its threshold), so an alarm goes
//! to ALARM at an incident's start and back to OK after it.

use chrono::Duration;

use crate::model::alarm::{Alarm, AlarmState, Band, Watches};
use crate::model::{RestApi, Series, Snapshot, Text};

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

/// The anomaly-detection alarm: partner-api/prod's requests against what its model expects.
const ANOMALY: &str = "partner-api prod traffic anomaly";
const ANOMALY_API: (&str, &str) = ("partner-api", "prod");
/// The band's width, in standard deviations (CloudWatch's default).
const DEVIATIONS: f64 = 2.0;

fn requests<'a>(apis: &'a [RestApi], (api, stage): (&str, &str)) -> Option<&'a Series> {
    apis.iter()
        .find(|a| a.name.as_str() == api)?
        .stages
        .iter()
        .find(|s| s.name.as_str() == stage)
        .map(|s| &s.metrics.count)
}

/// The simulated model: last week at the same minute (the account was calm), give or take
/// two deviations of a few per cent plus the square root of the count; drawn on today's
/// points (`today`'s end and period).
fn band(expected: &Series, today: &Series) -> Band {
    let edge = |sign: f64| {
        let values = expected
            .values
            .iter()
            .map(|v| (v + sign * DEVIATIONS * (0.04 * v + v.max(0.0).sqrt())).max(0.0))
            // Tenths, as the demo's other series.
            .map(|v| (v * 10.0).round() / 10.0)
            .collect();
        Series::every(today.end, values, today.period_min)
    };
    Band {
        low: edge(-1.0),
        high: edge(1.0),
        deviations: DEVIATIONS,
    }
}

/// The anomaly alarm as of the newest minute of `hour` (its one-minute datapoints), with its
/// band over the range on screen (`shown`, and last week's `expected_shown`).
fn anomaly(
    hour: &[RestApi],
    expected_hour: &[RestApi],
    shown: &[RestApi],
    expected_shown: &[RestApi],
) -> Option<Alarm> {
    let today = requests(hour, ANOMALY_API)?;
    let model = band(requests(expected_hour, ANOMALY_API)?, today);
    // Newest aligned with newest (both are hours of one-minute points).
    let edges = model.low.values.iter().zip(&model.high.values).rev();
    let mut outside: Vec<bool> = (today.values.iter().rev().zip(edges))
        .map(|(v, (low, high))| v > high || v < low)
        .collect();
    outside.reverse();
    let now = *outside.last()?;
    let run = outside.iter().rev().take_while(|o| **o == now).count();
    let first = today.end - Duration::minutes(run as i64 - 1);
    let (last, low, high) = (
        today.last(),
        model.low.last().round(),
        model.high.last().round(),
    );
    let (state, reason) = match now {
        true => (
            AlarmState::Alarm,
            format!(
                "Thresholds Crossed: 1 datapoint [{last}] was not within the thresholds [{low}, {high}]."
            ),
        ),
        false => (
            AlarmState::Ok,
            format!(
                "Thresholds Crossed: 1 datapoint [{last}] was within the thresholds [{low}, {high}]."
            ),
        ),
    };
    let band = match (
        requests(shown, ANOMALY_API),
        requests(expected_shown, ANOMALY_API),
    ) {
        (Some(shown), Some(expected)) => Some(band(expected, shown)),
        _ => None,
    };
    Some(Alarm {
        name: Text::new(ANOMALY),
        state,
        since: (run < outside.len()).then_some(first + Duration::minutes(1)),
        reason: Text::new(&reason),
        metric: Some(Text::new("AWS/ApiGateway Count")),
        threshold: Some(Text::new(&format!("outside the band ({DEVIATIONS} σ)"))),
        limit: None,
        band,
        watches: Watches::Stage {
            api: Text::new(ANOMALY_API.0),
            stage: Some(Text::new(ANOMALY_API.1)),
        },
        place: Default::default(),
    })
}

/// Every alarm as of the newest complete minute of `s` (the hour at one-minute points): in
/// ALARM since the first minute of the run over its threshold that the newest is part of,
/// else OK since the run ended. The anomaly alarm's model is last week's hour
/// (`expected_hour`); its band is drawn over the range on screen.
pub fn alarms(
    s: &Snapshot,
    expected_hour: &[RestApi],
    shown: &[RestApi],
    expected_shown: &[RestApi],
) -> Vec<Alarm> {
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
                band: None,
                watches: (d.watches)(),
                place: Default::default(),
            })
        })
        .collect();
    out.extend(anomaly(&s.apis, expected_hour, shown, expected_shown));
    out.sort_by(|a, b| {
        (a.state, std::cmp::Reverse(a.since)).cmp(&(b.state, std::cmp::Reverse(b.since)))
    });
    out
}
