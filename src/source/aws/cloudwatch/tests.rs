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
