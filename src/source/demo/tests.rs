//! Behaviour of the simulated account as the UI and the operator see it.
//!
//! A file of tests is as long as the behaviours it covers.

use chrono::{DateTime, Duration, Utc};

use super::{DEMO_START, DemoSource};
use crate::model::text::is_unsafe;
use crate::model::{Action, ApiKey, DistributionStatus, Sample, Snapshot, Stage, Text, WebAcl};
use crate::ops::Op;
use crate::source::SourceError;

fn at(minutes: i64, seconds: i64) -> DateTime<Utc> {
    DEMO_START + Duration::minutes(minutes) + Duration::seconds(seconds)
}

fn snap(seed: u64, t: DateTime<Utc>) -> Snapshot {
    DemoSource::new(seed, 1.0).snapshot_at(t)
}

fn debug_without_cost(s: &Snapshot) -> String {
    let mut s = s.clone();
    s.cost = Default::default();
    format!("{s:?}")
}

fn key<'a>(s: &'a Snapshot, name: &str) -> &'a ApiKey {
    s.api_keys
        .iter()
        .find(|k| k.name.as_str() == name)
        .expect(name)
}

fn stage<'a>(s: &'a Snapshot, api: &str, name: &str) -> &'a Stage {
    s.stages()
        .find(|(a, st)| a.name.as_str() == api && st.name.as_str() == name)
        .expect(api)
        .1
}

fn acl<'a>(s: &'a Snapshot, name: &str) -> &'a WebAcl {
    s.web_acls
        .iter()
        .find(|a| a.name.as_str() == name)
        .expect(name)
}

fn rule_metrics(s: &Snapshot, acl_name: &str, rule: &str) -> crate::model::WafMetrics {
    acl(s, acl_name)
        .rules
        .iter()
        .find(|r| r.name.as_str() == rule)
        .expect(rule)
        .metrics
        .clone()
}

/// Value of the series for the minute starting at `t`.
fn value_at(series: &crate::model::Series, t: DateTime<Utc>) -> f64 {
    let i = series.values.len() as i64 - 1 - (series.end - t).num_minutes();
    series.values[i as usize]
}

fn toggle(web_acl: &str, rule: &str, from: Action, to: Action) -> Op {
    Op::ToggleRule(crate::ops::Toggle {
        at: Default::default(),
        scope: crate::model::Scope::Regional,
        web_acl_id: Text::new("unused by the demo"),
        web_acl: Text::new(web_acl),
        rule: Text::new(rule),
        inner: None,
        from,
        to,
        custom: None,
        kept: None,
    })
}

#[test]
fn a_snapshot_is_quick() {
    let mut src = DemoSource::new(1, 1.0);
    let start = std::time::Instant::now();
    src.snapshot_at(at(3, 0));
    assert!(
        start.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn same_seed_and_time_give_the_same_snapshot() {
    let t = at(37, 12);
    assert_eq!(format!("{:?}", snap(7, t)), format!("{:?}", snap(7, t)));
    assert_ne!(format!("{:?}", snap(7, t)), format!("{:?}", snap(8, t)));
}

#[test]
fn snapshots_do_not_depend_on_earlier_calls() {
    let mut a = DemoSource::new(3, 1.0);
    let mut b = DemoSource::new(3, 1.0);
    for m in 0..30 {
        a.snapshot_at(at(m, 17));
    }
    let t = at(45, 5);
    assert_eq!(
        debug_without_cost(&a.snapshot_at(t)),
        debug_without_cost(&b.snapshot_at(t))
    );
    assert_eq!(
        a.snapshot_at(t).cost.metrics_total,
        32 * a.snapshot_at(t).cost.metrics_last_poll as u64
    );
}

#[test]
fn the_account_looks_like_the_brief() {
    let src = DemoSource::new(1, 1.0);
    let s = snap(1, DEMO_START);
    assert!(s.account.simulated);
    assert_eq!(s.account.id.as_str(), "123456789012");
    assert!(s.apis.len() >= 3 && s.usage_plans.len() >= 2 && s.api_keys.len() >= 12);
    assert_eq!(s.stages().count(), 5);
    for (_, st) in s.stages() {
        assert_eq!(st.metrics.count.values.len(), 60);
        assert_eq!(
            st.metrics.count.end,
            DEMO_START - chrono::TimeDelta::minutes(1)
        );
        assert_eq!(st.web_acl.as_ref().map(Text::as_str), Some("edge-regional"));
    }
    for k in &s.api_keys {
        assert_eq!(k.id.as_str().len(), 10);
        assert!(
            k.id.as_str()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        );
        let value = src.key_value_at(k.id.as_str(), DEMO_START).unwrap();
        assert_eq!(value.expose().len(), 40);
        assert!(k.value_hint.as_str().ends_with(&value.expose()[36..]));
    }
    let kinds: Vec<&str> = s.rules().map(|(_, r)| r.kind.label()).collect();
    for kind in ["geo", "rate-based", "ip-set", "managed", "custom"] {
        assert!(kinds.contains(&kind), "{kind}");
    }
    for w in &s.web_acls {
        assert!(
            w.rules.iter().any(|r| r.kind.label() == "geo"),
            "{}",
            w.name
        );
        assert!(
            w.rules.iter().any(|r| r.kind.label() == "rate-based"),
            "{}",
            w.name
        );
        assert!(
            w.countries.len() >= 20,
            "{} has {} countries",
            w.name,
            w.countries.len()
        );
    }
    let cf = acl(&s, "edge-cloudfront");
    assert!(cf.countries.iter().any(|c| c.country.as_str() == "KP"));
    let gs = acl(&s, "edge-regional")
        .rules
        .iter()
        .find(|r| r.name.as_str() == "GeoScrapers")
        .unwrap();
    assert_eq!(gs.action, Action::Count);
    assert_eq!(s.distributions.len(), 2);
    let cdn = key(&s, "cdn-origin-catalog");
    assert_eq!(s.distributions_sending(cdn.id.as_str()).count(), 1);
    assert!(s.cost.metrics_last_poll > 100 && s.cost.poll_interval_secs == 60);
}

#[test]
fn a_key_is_near_its_quota_and_one_is_throttled_at_all_times() {
    for hours in [0, 3, 9, 14, 20, 30, 60] {
        let s = snap(5, at(hours * 60 + 7, 30));
        let globex = key(&s, "globex-retail").quota_used().unwrap();
        assert!(
            (0.92..=0.965).contains(&globex),
            "globex at {globex} after {hours} h"
        );
        assert!(
            key(&s, "student-lab").throttled_per_min.unwrap() > 0.0,
            "after {hours} h"
        );
        for k in &s.api_keys {
            assert!(
                k.used_today <= k.used_period.max(k.used_today),
                "{}",
                k.name
            );
            if let (Some(q), false) = (k.quota_used(), k.name.as_str() == "student-lab") {
                assert!(q < 0.99, "{} at {q} after {hours} h", k.name);
            }
        }
    }
}

#[test]
fn usage_accumulates_during_the_day() {
    let a = snap(2, at(0, 0));
    let b = snap(2, at(60, 0));
    for name in ["checkout-web", "acme-logistics", "globex-retail"] {
        let (ka, kb) = (key(&a, name), key(&b, name));
        assert!(kb.used_today > ka.used_today, "{name}");
        assert!(kb.used_period > ka.used_period, "{name}");
        assert!(ka.requests_per_min.unwrap() > 0.0, "{name}");
    }
}

#[test]
fn credential_stuffing_is_caught_by_the_rate_based_rule() {
    for m in [1, 2, 4, 6] {
        let s = snap(9, at(m, 30));
        let held: Vec<_> = s
            .rate_limited
            .iter()
            .filter(|r| r.rule.as_str() == "LoginRateLimit")
            .collect();
        assert_eq!(held.len(), 6, "at +{m} min");
        assert!(held.iter().all(|r| r.web_acl.as_str() == "edge-regional"));
        assert!(
            held.iter().any(|r| r.address.as_str().contains(':')),
            "an IPv6 address"
        );
        let blocked = rule_metrics(&s, "edge-regional", "LoginRateLimit").blocked;
        assert!(value_at(&blocked, at(0, 0)) > 150.0, "at +{m} min");
        if m >= 2 {
            assert!(value_at(&blocked, at(1, 0)) > 300.0, "at +{m} min");
        }
    }
    let quiet = snap(9, at(10, 30)); // cycle minute 13
    assert!(
        quiet
            .rate_limited
            .iter()
            .all(|r| r.rule.as_str() != "LoginRateLimit")
    );
    let samples = quiet_and_busy_samples(9);
    assert!(samples.iter().any(|x| x.rule.as_str() == "LoginRateLimit"
        && x.action == Action::Block
        && x.uri.as_str() == "/login"));
}

fn quiet_and_busy_samples(seed: u64) -> Vec<Sample> {
    snap(seed, at(4, 50)).samples
}

#[test]
fn toggling_geo_scrapers_to_block_moves_its_traffic_from_counted_to_blocked() {
    let t = at(5, 20); // cycle minute 8: the scraper surge is building
    let later = at(11, 40);
    let mut toggled = DemoSource::new(4, 1.0);
    let out = toggled
        .apply_at(
            toggle("edge-regional", "GeoScrapers", Action::Count, Action::Block),
            t,
        )
        .unwrap();
    assert!(
        out.message
            .contains("GeoScrapers in edge-regional is now BLOCK"),
        "{}",
        out.message
    );
    let after = toggled.snapshot_at(later);
    let before = snap(4, later);
    let (gs_after, gs_before) = (
        rule_metrics(&after, "edge-regional", "GeoScrapers"),
        rule_metrics(&before, "edge-regional", "GeoScrapers"),
    );
    let cat = |s: &Snapshot| stage(s, "catalog-api", "prod").metrics.count.clone();
    for m in 6..11 {
        let minute = at(m, 0);
        assert_eq!(value_at(&gs_after.counted, minute), 0.0, "minute {m}");
        assert!(
            value_at(&gs_after.blocked, minute) > 0.9 * value_at(&gs_before.counted, minute),
            "minute {m}"
        );
        assert!(
            value_at(&cat(&after), minute) < value_at(&cat(&before), minute) - 500.0,
            "minute {m}"
        );
    }
    for m in -30..5 {
        let minute = at(m, 0);
        assert_eq!(
            value_at(&gs_after.counted, minute),
            value_at(&gs_before.counted, minute)
        );
        assert_eq!(value_at(&gs_after.blocked, minute), 0.0);
    }
    assert!(value_at(&gs_before.counted, at(9, 0)) > 1000.0);
    let rule = acl(&after, "edge-regional")
        .rules
        .iter()
        .find(|r| r.name.as_str() == "GeoScrapers")
        .unwrap();
    assert_eq!(rule.action, Action::Block);
    let e4 = |s: &Snapshot| {
        value_at(
            &stage(s, "catalog-api", "prod").metrics.errors_4xx,
            at(9, 0),
        )
    };
    assert!(
        e4(&after) > e4(&before) + 500.0,
        "blocked requests show up as 403s"
    );
    assert!(
        after
            .samples
            .iter()
            .any(|x| x.rule.as_str() == "GeoScrapers"
                && x.action == Action::Block
                && x.response_code == Some(403))
    );

    // And back: counting resumes from the minute of the second toggle.
    toggled
        .apply_at(
            toggle("edge-regional", "GeoScrapers", Action::Block, Action::Count),
            at(12, 10),
        )
        .unwrap();
    let back = toggled.snapshot_at(at(14, 0));
    let gs = rule_metrics(&back, "edge-regional", "GeoScrapers");
    assert!(value_at(&gs.counted, at(13, 0)) > 0.0 && value_at(&gs.blocked, at(13, 0)) == 0.0);
}

#[test]
fn toggling_a_managed_group_to_count_lets_its_matches_through() {
    let mut src = DemoSource::new(6, 1.0);
    let name = "AWS-AWSManagedRulesAmazonIpReputationList";
    src.apply_at(
        toggle("edge-cloudfront", name, Action::GroupActions, Action::Count),
        at(1, 0),
    )
    .unwrap();
    let s = src.snapshot_at(at(4, 0));
    let m = rule_metrics(&s, "edge-cloudfront", name);
    assert_eq!(value_at(&m.blocked, at(2, 0)), 0.0);
    assert!(value_at(&m.counted, at(2, 0)) > 0.0);
    assert!(value_at(&m.blocked, at(0, 0)) > 0.0);
}

#[test]
fn stale_or_unknown_toggles_are_refused() {
    let mut src = DemoSource::new(1, 1.0);
    let stale = src.apply_at(
        toggle("edge-regional", "GeoScrapers", Action::Block, Action::Count),
        at(1, 0),
    );
    assert!(matches!(stale, Err(SourceError::Refused(ref m)) if m.contains("changed under us")));
    let unknown = src.apply_at(
        toggle("edge-regional", "NoSuchRule", Action::Block, Action::Count),
        at(1, 0),
    );
    assert!(matches!(unknown, Err(SourceError::Refused(_))));
    let acl = src.apply_at(
        toggle("nope", "GeoScrapers", Action::Count, Action::Block),
        at(1, 0),
    );
    assert!(matches!(acl, Err(SourceError::Refused(_))));
    src.apply_at(
        toggle("edge-regional", "GeoScrapers", Action::Count, Action::Block),
        at(1, 0),
    )
    .unwrap();
    let again = src.apply_at(
        toggle("edge-regional", "GeoScrapers", Action::Count, Action::Block),
        at(2, 0),
    );
    assert!(matches!(again, Err(SourceError::Refused(_))));
}

#[test]
fn rotating_the_cdn_key_moves_traffic_and_the_distribution() {
    let mut src = DemoSource::new(11, 1.0);
    let before = src.snapshot_at(at(2, 0));
    let old = key(&before, "cdn-origin-catalog").clone();
    let t = at(2, 30);
    let out = src
        .apply_at(
            Op::RotateKey {
                at: Default::default(),
                key_id: old.id.clone(),
                key_name: old.name.clone(),
            },
            t,
        )
        .unwrap();
    let soon = src.snapshot_at(t + Duration::seconds(30));
    let new = key(&soon, "cdn-origin-catalog-rotated-20261117").clone();
    assert_eq!(
        out.secret.as_ref().map(|s| s.expose()),
        src.key_value_at(new.id.as_str(), t + Duration::seconds(30))
            .as_ref()
            .map(|s| s.expose())
    );
    // While the distribution deploys, both keys work; the old one is disabled after.
    assert!(new.enabled && key(&soon, "cdn-origin-catalog").enabled);
    assert_eq!(new.plan_ids, old.plan_ids);
    assert_ne!(new.id, old.id);
    for plan in &new.plan_ids {
        assert!(soon.plan(plan.as_str()).unwrap().key_ids.contains(&new.id));
        assert!(soon.plan(plan.as_str()).unwrap().key_ids.contains(&old.id));
    }
    let dist = soon
        .distributions_sending(new.id.as_str())
        .next()
        .expect("distribution sends the new key");
    assert_eq!(dist.status, DistributionStatus::InProgress);
    assert_eq!(soon.distributions_sending(old.id.as_str()).count(), 0);
    let settled = src.snapshot_at(t + Duration::minutes(3));
    assert!(!key(&settled, "cdn-origin-catalog").enabled);
    assert_eq!(
        settled
            .distributions_sending(new.id.as_str())
            .next()
            .unwrap()
            .status,
        DistributionStatus::Deployed
    );
    let (n, o) = (
        key(&settled, new.name.as_str()),
        key(&settled, "cdn-origin-catalog"),
    );
    assert!(n.requests_per_min.unwrap() > 1000.0 && n.used_today > 0);
    assert_eq!(o.requests_per_min.unwrap(), 0.0);
    assert_eq!(
        o.used_today,
        key(&soon, "cdn-origin-catalog").used_today,
        "old key stops accumulating"
    );
    let again = src.apply_at(
        Op::RotateKey {
            at: Default::default(),
            key_id: old.id.clone(),
            key_name: old.name.clone(),
        },
        at(6, 0),
    );
    assert!(matches!(again, Err(SourceError::Refused(_))));
    let unknown = src.apply_at(
        Op::RotateKey {
            at: Default::default(),
            key_id: Text::new("zzzzzzzzzz"),
            key_name: Text::new("x"),
        },
        at(6, 0),
    );
    assert!(matches!(unknown, Err(SourceError::Refused(_))));
    // Before the rotation, nothing of it is visible.
    assert!(
        src.snapshot_at(at(2, 0))
            .api_keys
            .iter()
            .all(|k| k.enabled || k.name.as_str().starts_with("legacy"))
    );
}

#[test]
fn a_partner_pushes_past_its_rate_limit_and_catalog_has_a_5xx_blip() {
    let s = snap(12, at(11, 10)); // cycle minute 14
    assert!(key(&s, "acme-logistics").throttled_per_min.unwrap() > 1000.0);
    let partner = stage(&s, "partner-api", "prod");
    assert!(value_at(&partner.metrics.throttled_est, at(10, 0)) > 1000.0);
    let quiet = snap(12, at(2, 10));
    assert_eq!(
        key(&quiet, "acme-logistics").throttled_per_min.unwrap(),
        0.0
    );
    let s = snap(12, at(14, 10)); // cycle minute 17
    let cat = &stage(&s, "catalog-api", "prod").metrics;
    let t = at(13, 0); // cycle minute 16
    let share = value_at(&cat.errors_5xx, t) / value_at(&cat.count, t);
    assert!((0.04..0.1).contains(&share), "5xx share {share}");
    assert!(value_at(&cat.latency_ms, t) > value_at(&cat.latency_ms, at(5, 0)) + 100.0);
}

fn all_text(s: &Sample) -> Vec<&str> {
    let mut out = vec![
        s.web_acl.as_str(),
        s.rule.as_str(),
        s.client_ip.as_str(),
        s.country.as_str(),
        s.method.as_str(),
        s.uri.as_str(),
    ];
    out.extend(
        s.headers
            .iter()
            .flat_map(|h| [h.name.as_str(), h.value.as_str()]),
    );
    out.extend(s.labels.iter().map(Text::as_str));
    out
}

fn is_hostile(s: &Sample) -> bool {
    all_text(s).iter().any(|t| {
        t.contains("\\x1b")
            || t.contains("\\x9b")
            || t.contains("\\u{202e}")
            || t.contains("chars)")
    })
}

#[test]
fn hostile_samples_are_always_recent_and_always_inert() {
    let mut src = DemoSource::new(21, 1.0);
    let mut seen = [false; 4];
    for i in 0..120 {
        let s = src.snapshot_at(at(i / 4, (i % 4) * 15 + i % 7));
        assert!(!s.samples.is_empty() && s.samples.len() <= 300);
        assert!(
            s.samples.windows(2).all(|w| w[0].time >= w[1].time),
            "newest first"
        );
        assert!(
            s.samples
                .iter()
                .all(|x| x.time <= s.taken_at && x.weight >= 1)
        );
        assert!(
            s.samples.iter().take(40).any(is_hostile),
            "no hostile sample among the newest 40 at step {i}"
        );
        for x in &s.samples {
            for t in all_text(x) {
                assert!(!t.chars().any(is_unsafe), "raw control in {t:?}");
            }
            let joined = all_text(x).join(" ");
            for (j, needle) in ["\\x1b[2J", "\\x1b]52;c;", "\\x9b31m", "\\u{202e}gnp.exe"]
                .iter()
                .enumerate()
            {
                seen[j] |= joined.contains(needle);
            }
        }
    }
    assert_eq!(seen, [true; 4]);
}

#[test]
fn secret_headers_are_redacted_in_samples() {
    let src = DemoSource::new(13, 1.0);
    let s = snap(13, at(8, 45));
    let mut secrets = 0;
    for x in &s.samples {
        for h in &x.headers {
            if ["authorization", "cookie", "x-api-key"].contains(&h.name.as_str()) {
                secrets += 1;
                assert!(
                    h.value.as_str().starts_with("<redacted: "),
                    "{}: {}",
                    h.name,
                    h.value
                );
            }
        }
    }
    assert!(secrets > 20);
    let values: Vec<String> = s
        .api_keys
        .iter()
        .map(|k| {
            src.key_value_at(k.id.as_str(), DEMO_START)
                .unwrap()
                .expose()
                .to_string()
        })
        .collect();
    let dump = format!("{:?}", s.samples);
    assert!(values.iter().all(|v| !dump.contains(v.as_str())));
    assert!(!dump.contains("eyJhbGci"));
}

#[test]
fn samples_reflect_what_is_happening() {
    let s = snap(17, at(9, 30)); // scraper surge, stuffing over
    let rules: Vec<&str> = s.samples.iter().map(|x| x.rule.as_str()).collect();
    for r in [
        "Default_Action",
        "GeoScrapers",
        "GeoEmbargo",
        "BlockListedIPs",
        "BlockBadUserAgents",
    ] {
        assert!(rules.contains(&r), "{r}");
    }
    let vn = s
        .samples
        .iter()
        .find(|x| x.rule.as_str() == "GeoScrapers")
        .unwrap();
    assert_eq!(vn.country.as_str(), "VN");
    assert_eq!(vn.action, Action::Count);
    assert!(
        vn.labels
            .iter()
            .any(|l| l.as_str() == "awswaf:clientip:geo:country:VN")
    );
    assert!(s.samples.iter().any(|x| x.client_ip.as_str().contains(':')));
    assert!(s.samples.iter().any(|x| x.response_code == Some(429)));
}

/// The simulated logs count what the metrics and the keys show: a stage's 429s over the last
/// five minutes are its 429 series' last five minutes, and its keys' add up to them; a plan's
/// are its keys' on its stages; the CloudFront web ACL's S3 log is named, not counted.
#[test]
fn the_simulated_logs_agree_with_the_metrics() {
    use crate::model::logs::LogState;
    let s = snap(1, DEMO_START + Duration::minutes(30));
    let logs = s.logs.as_ref().unwrap();
    let catalog = stage(&s, "catalog-api", "prod");
    let r = catalog.refused.unwrap();
    let v = &catalog.metrics.throttled_est.values;
    let series: f64 = v[v.len() - 5..].iter().sum();
    assert!(
        (r.total() as f64 - series).abs() <= 5.0,
        "{} counted, {series} in the series",
        r.total()
    );
    let by_keys: u64 = s
        .api_keys
        .iter()
        .filter_map(|k| k.refused)
        .map(|x| x.total())
        .sum();
    let no_key: u64 = logs
        .refused
        .iter()
        .filter(|x| x.key_id.is_none())
        .map(|x| x.counts.total())
        .sum();
    let stages: u64 = s
        .apis
        .iter()
        .flat_map(|a| &a.stages)
        .filter_map(|st| st.refused)
        .map(|x| x.total())
        .sum();
    assert_eq!(by_keys + no_key, stages);
    let plans: u64 = s
        .usage_plans
        .iter()
        .filter_map(|p| p.refused)
        .map(|x| x.total())
        .sum();
    assert!(plans <= by_keys && plans > 0, "{plans} of {by_keys}");
    assert!(
        logs.sources
            .iter()
            .any(|x| matches!(x.state, LogState::NotQueryable { .. })
                && x.destination.as_str().starts_with("arn:aws:s3:::"))
    );
    assert!(!logs.blocked.is_empty() && logs.cost.bytes_last_run > 0);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
    /// `snapshot --json` reads back into the same account: every string (hostile samples
    /// included) survives the sanitiser a second time unchanged, gaps stay gaps.
    #[test]
    fn the_snapshot_json_reads_back_the_same(seed in 0u64..1000, minutes in 0i64..1440) {
        let s = snap(seed, DEMO_START + Duration::minutes(minutes));
        let json = crate::model::text::json_safe(&serde_json::to_string(&s).unwrap());
        let back: Snapshot = serde_json::from_str(&json).unwrap();
        let again = crate::model::text::json_safe(&serde_json::to_string(&back).unwrap());
        proptest::prop_assert_eq!(json, again);
    }
}

/// Blocking the demo attack's top talker in the IP set of a Block rule: that rule's blocked
/// count rises and the web ACL lets less through in the next minutes; undo brings it back.
#[test]
fn blocking_the_top_talker_moves_it_to_the_ip_set_rule_and_undo_brings_it_back() {
    use crate::ops::respond::{self, Why};
    use std::collections::HashMap;
    let (seed, t) = (4, at(5, 20));
    let mut src = DemoSource::new(seed, 1.0);
    let s = src.snapshot_at(t);
    // The attack building at this minute is the scrapers', counted by GeoScrapers: its top
    // talker is the busiest address of what is counted. (CloudFront's own addresses, the
    // busiest the regional web ACL sees, are refused: see the guardrails' tests.)
    let edge = |ip: &str| {
        let ip: std::net::IpAddr = ip.parse().unwrap();
        s.edge_ranges.iter().flat_map(|e| &e.prefixes).any(|p| {
            p.as_str()
                .parse::<ipnet::IpNet>()
                .is_ok_and(|p| p.contains(&ip))
        })
    };
    let mut weights: HashMap<&str, u64> = HashMap::new();
    for x in s.samples.iter().filter(|x| {
        x.web_acl.as_str() == "edge-regional"
            && x.action == Action::Count
            && !edge(x.client_ip.as_str())
    }) {
        *weights.entry(x.client_ip.as_str()).or_default() += x.weight;
    }
    let top = weights
        .iter()
        .max_by_key(|(ip, w)| (**w, std::cmp::Reverse(**ip)))
        .map(|(ip, _)| ip.to_string())
        .expect("sampled traffic that WAF lets through");
    let ops = respond::block_choices(&s, Default::default(), &top, Some(&["edge-regional"]), None)
        .unwrap();
    let Some(Op::Block(b)) = ops.first().cloned() else {
        panic!("{ops:?}")
    };
    let set = s.ip_sets.iter().find(|x| x.id == b.ip_set.id).unwrap();
    let rule = acl(&s, "edge-regional")
        .rules
        .iter()
        .find(|r| matches!(&r.kind, crate::model::RuleKind::IpSet { arn, .. } if *arn == set.arn))
        .unwrap()
        .name
        .to_string();
    let out = src.apply_at(Op::Block(b.clone()), t).unwrap();
    assert!(out.message.contains(&top), "{}", out.message);

    let later = at(11, 40);
    let (after, before) = (src.snapshot_at(later), snap(seed, later));
    let (r_after, r_before) = (
        rule_metrics(&after, "edge-regional", &rule),
        rule_metrics(&before, "edge-regional", &rule),
    );
    let allowed = |s: &Snapshot| acl(s, "edge-regional").metrics.allowed.clone();
    for m in 6..11 {
        let minute = at(m, 0);
        assert!(
            value_at(&r_after.blocked, minute) > value_at(&r_before.blocked, minute),
            "minute {m}: {rule} blocks more: {} vs {}",
            value_at(&r_after.blocked, minute),
            value_at(&r_before.blocked, minute)
        );
        assert!(
            value_at(&allowed(&after), minute) < value_at(&allowed(&before), minute),
            "minute {m}: less is let through"
        );
    }
    for m in -30..5 {
        let minute = at(m, 0);
        assert_eq!(
            value_at(&r_after.blocked, minute),
            value_at(&r_before.blocked, minute),
            "minute {m}: the past stays"
        );
    }
    let set_after = after.ip_sets.iter().find(|x| x.id == b.ip_set.id).unwrap();
    assert!(
        set_after.lists(b.range.as_str()),
        "{:?}",
        set_after.addresses
    );
    assert!(
        after.blocks.iter().any(|e| e.range == b.range),
        "the demo's blocks journal has it"
    );
    assert!(
        after
            .samples
            .iter()
            .any(|x| x.client_ip.as_str() == top && x.rule.as_str() == rule),
        "its samples now name {rule}"
    );

    // Undo: the entry goes, and from the next minute the rule blocks what it did before.
    let undo = respond::undo_of(&Op::Block(b.clone()), &after).unwrap();
    assert!(matches!(&undo, Op::Unblock(u) if u.why == Why::Undo && u.range == b.range));
    src.apply_at(undo, at(12, 10)).unwrap();
    let back = src.snapshot_at(at(14, 0));
    let untouched = snap(seed, at(14, 0));
    assert_eq!(
        value_at(
            &rule_metrics(&back, "edge-regional", &rule).blocked,
            at(13, 0)
        ),
        value_at(
            &rule_metrics(&untouched, "edge-regional", &rule).blocked,
            at(13, 0)
        ),
    );
    assert!(back.blocks.is_empty(), "{:?}", back.blocks);
}

/// The login rate rule's limit decides what it holds: a lower one holds the stuffing's
/// addresses sooner (while it builds), a very high one holds none; undo puts the limit back.
#[test]
fn a_rate_limit_changes_what_the_rule_holds_and_undo_puts_it_back() {
    use crate::model::RuleKind;
    use crate::ops::respond;
    let seed = 9;
    let held = |s: &Snapshot| {
        s.rate_limited
            .iter()
            .filter(|r| r.rule.as_str() == "LoginRateLimit")
            .count()
    };
    let now_limit = |s: &Snapshot| match &acl(s, "edge-regional")
        .rules
        .iter()
        .find(|r| r.name.as_str() == "LoginRateLimit")
        .unwrap()
        .kind
    {
        RuleKind::RateBased { limit, .. } => *limit,
        _ => unreachable!(),
    };
    let change = |src: &mut DemoSource, t, to| {
        let s = src.snapshot_at(t);
        let a = acl(&s, "edge-regional");
        let rule = a
            .rules
            .iter()
            .find(|r| r.name.as_str() == "LoginRateLimit")
            .unwrap();
        let op = respond::rate_limit_of(&s, a, rule, to, None).unwrap();
        src.apply_at(op.clone(), t).unwrap();
        op
    };

    // Lower, in a quiet minute: over the next cycle it holds addresses in more minutes.
    let mut lower = DemoSource::new(seed, 1.0);
    let op = change(&mut lower, at(10, 0), respond::LEAST_LIMIT);
    let (mut more, mut fewer) = (0, 0);
    for m in 11..40 {
        let (after, before) = (lower.snapshot_at(at(m, 30)), snap(seed, at(m, 30)));
        more += usize::from(held(&after) > held(&before));
        fewer += usize::from(held(&after) < held(&before));
    }
    assert!(
        more > 0 && fewer == 0,
        "held more in {more} minutes, fewer in {fewer}"
    );
    let after = lower.snapshot_at(at(40, 0));
    assert_eq!(now_limit(&after), respond::LEAST_LIMIT);
    let undo = respond::undo_of(&op, &after).unwrap();
    let limit = now_limit(&snap(seed, at(40, 0)));
    lower.apply_at(undo, at(40, 10)).unwrap();
    assert_eq!(now_limit(&lower.snapshot_at(at(41, 0))), limit);

    // Higher than the stuffing ever sends: at its peak, nothing is held.
    let mut higher = DemoSource::new(seed, 1.0);
    change(&mut higher, at(0, 10), respond::MOST_LIMIT);
    assert_eq!(held(&snap(seed, at(4, 30))), 6);
    assert_eq!(held(&higher.snapshot_at(at(4, 30))), 0);
    let blocked = |s: &Snapshot| rule_metrics(s, "edge-regional", "LoginRateLimit").blocked;
    assert!(
        value_at(&blocked(&higher.snapshot_at(at(4, 30))), at(2, 0))
            < value_at(&blocked(&snap(seed, at(4, 30))), at(2, 0))
    );
}

/// The login alarm goes to ALARM as the stuffing starts, says since when, and is OK again
/// once it is over; as the rule's own blocked series says.
#[test]
fn the_login_alarm_fires_with_the_stuffing_and_clears_after_it() {
    use crate::model::alarm::AlarmState;
    let state = |s: &Snapshot| {
        s.alarms
            .iter()
            .find(|a| a.name.as_str() == "edge-regional login stuffing")
            .map(|a| (a.state, a.since))
            .unwrap()
    };
    let during = snap(9, at(3, 30));
    let (st, since) = state(&during);
    assert_eq!(st, AlarmState::Alarm);
    let blocked = rule_metrics(&during, "edge-regional", "LoginRateLimit").blocked;
    let since = since.expect("since when");
    assert!(since <= at(3, 0) && since >= at(-5, 0), "{since}");
    // Every minute from the first over the threshold is over it.
    let first = since - Duration::minutes(1);
    assert!(value_at(&blocked, first) > 300.0);
    assert!(value_at(&blocked, first - Duration::minutes(1)) <= 300.0);
    let after = snap(9, at(12, 30));
    assert_eq!(state(&after).0, AlarmState::Ok);
    // The Overview leads with it while it fires.
    let findings = crate::judge::insights::findings(&during);
    assert!(
        findings[0]
            .text
            .starts_with("ALARM edge-regional login stuffing since "),
        "{:?}",
        findings[0]
    );
    assert_eq!(findings[0].row.as_deref(), Some("LoginRateLimit"));
}

#[test]
fn a_longer_range_has_coarser_points_the_same_alarms_and_the_same_level() {
    use crate::model::Range;
    let t = at(10, 0);
    let hour = snap(7, t);
    let day = DemoSource::new(7, 1.0)
        .with_range(Range::H24)
        .snapshot_at(t);
    let week = DemoSource::new(7, 1.0).with_range(Range::D7).snapshot_at(t);
    assert_eq!(day.range, Range::H24);
    let count = |s: &Snapshot| {
        s.stages()
            .find(|(a, st)| a.name.as_str() == "payments-api" && st.name.as_str() == "prod")
            .map(|(_, st)| st.metrics.count.clone())
            .unwrap()
    };
    let (h, d, w) = (count(&hour), count(&day), count(&week));
    assert_eq!((d.values.len(), d.period_min), (288, 5));
    assert_eq!((w.values.len(), w.period_min), (168, 60));
    // The newest point is the newest complete one of its period, never later than the hour's.
    assert!(d.end <= h.end && h.end - d.end < Duration::minutes(10));
    // Per-minute values: the last hour's mean and the day's last twelve points agree.
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (hm, dm) = (mean(&h.values), mean(&d.values[276..]));
    assert!((hm - dm).abs() < hm * 0.1, "hour {hm} against day {dm}");
    // Alarms read their own one-minute points, whatever the screens show.
    let names = |s: &Snapshot| {
        s.alarms
            .iter()
            .map(|a| (a.name.to_string(), a.state))
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&hour), names(&day));
    assert_eq!(names(&hour), names(&week));
}

#[test]
fn a_shield_attack_on_the_catalog_distribution_goes_on_then_ends() {
    let during = snap(7, at(5, 0));
    let ongoing: Vec<_> = during.attacks.iter().filter(|a| a.ongoing()).collect();
    assert_eq!(ongoing.len(), 1, "{:?}", during.attacks);
    assert_eq!(ongoing[0].resource_id(), "E2CATALOG7QX");
    assert!(
        ongoing[0]
            .summary()
            .starts_with("REQUEST_FLOOD; top source: ")
    );
    assert_eq!(during.attacks.len(), 2, "and yesterday's, over");
    let after = snap(7, at(40, 0));
    assert!(after.attacks.iter().all(|a| !a.ongoing()));
    let found = crate::judge::insights::findings(&during);
    assert!(
        found.iter().any(|f| f
            .text
            .starts_with("Shield: DDoS attack on E2CATALOG7QX since 13:54")),
        "{found:?}"
    );
}

#[test]
fn last_week_is_a_calmer_copy_of_today_and_the_overview_says_what_is_new() {
    use crate::model::range::{Compare, Shift};
    let compare = Compare {
        shift: Shift::Week,
        factor: 3.0,
    };
    let t = at(5, 0);
    let s = DemoSource::new(7, 1.0).with_compare(compare).snapshot_at(t);
    assert_eq!(s.compare, Some(compare));
    let login = s
        .web_acls
        .iter()
        .flat_map(|a| &a.rules)
        .find(|r| r.name.as_str() == "LoginRateLimit")
        .unwrap();
    let then = login.metrics.blocked.then.as_deref().expect("a comparison");
    assert_eq!(then.values.len(), login.metrics.blocked.values.len());
    assert!(login.metrics.blocked.max() > 100.0);
    assert_eq!(then.max(), 0.0, "no stuffing last week: {:?}", then.values);
    // The same stage's requests then: the same daily shape, without the incidents.
    let (_, catalog) = s
        .stages()
        .find(|(a, st)| a.name.as_str() == "catalog-api" && st.name.as_str() == "prod")
        .unwrap();
    let then = catalog.metrics.count.then.as_deref().unwrap();
    assert!(then.max() > 0.0 && then.max() < catalog.metrics.count.max());
    let found = crate::judge::insights::findings(&s);
    assert!(
        found.iter().any(
            |f| f.text.starts_with("LoginRateLimit (edge-regional) blocks")
                && f.text.ends_with("none last week at this hour")
        ),
        "{found:?}"
    );
    // Without a comparison, no series carries one.
    assert!(snap(7, t).apis[0].stages[0].metrics.count.then.is_none());
}
