//! The real binary against a real AWS protocol peer: moto on 127.0.0.1, with the operations it
//! lacks added (tests/aws/moto_server.py) and an account seeded through the AWS APIs
//! (tests/aws/seed.py). What edgetop reports must equal what was seeded.

use crate::common;

use std::collections::BTreeSet;

use common::moto::{Moto, dashboard, snapshot, snapshot_as};
use common::tmux::{line_with, row_with};
use serde_json::Value;

fn find<'a>(list: &'a Value, field: &str, value: &Value) -> &'a Value {
    list.as_array()
        .and_then(|l| l.iter().find(|x| &x[field] == value))
        .unwrap_or_else(|| panic!("no {field} = {value} in {list}"))
}

/// The model's Action as the seeder names it.
fn action(v: &Value) -> String {
    match v.as_str().unwrap_or("") {
        "GroupActions" => "GROUP".into(),
        other => other.to_uppercase(),
    }
}

/// The model's RuleKind (an externally tagged enum) as the seeder names it.
fn kind(v: &Value) -> &'static str {
    let tag = v
        .as_object()
        .and_then(|o| o.keys().next())
        .map(String::as_str)
        .unwrap_or("");
    match tag {
        "Geo" => "geo",
        "RateBased" => "rate-based",
        "IpSet" => "ip-set",
        "ManagedGroup" => "managed",
        "Custom" => "custom",
        _ => "?",
    }
}

fn sum(series: &Value) -> f64 {
    series["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .sum()
}

fn last(series: &Value) -> f64 {
    series["values"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .as_f64()
        .unwrap()
}

fn strings(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_snapshot_equals_what_was_seeded() {
    let m = Moto::start("seeded");
    let exp = m.seed(640);
    m.reset_calls();
    let (status, out, err) = snapshot(&m, &[]);
    assert!(status.success(), "{err}");
    let s = &out["snapshot"];
    assert_eq!(s["account"]["id"], exp["account_id"]);
    assert_eq!(s["account"]["simulated"], false);
    assert_eq!(s["problems"], serde_json::json!([]), "{err}");

    // APIs and stages, with stage-wide and per-method throttles and their web ACL.
    for api in exp["apis"].as_array().unwrap() {
        let got = find(&s["apis"], "name", &api["name"]);
        assert_eq!(got["id"], api["id"]);
        for st in api["stages"].as_array().unwrap() {
            let g = find(&got["stages"], "name", &st["name"]);
            assert_eq!(
                g["throttle"]["rate_limit"], st["rate_limit"],
                "{}",
                st["name"]
            );
            assert_eq!(g["throttle"]["burst_limit"], st["burst_limit"]);
            assert_eq!(g["web_acl"], st["web_acl"]);
            for (method, t) in st["method_throttles"].as_object().unwrap() {
                let m = g["method_throttles"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|x| x[0] == method.as_str())
                    .unwrap();
                assert_eq!(m[1]["rate_limit"], t[0]);
                assert_eq!(m[1]["burst_limit"], t[1]);
            }
            let name = format!(
                "{}/{}",
                api["name"].as_str().unwrap(),
                st["name"].as_str().unwrap()
            );
            let metrics = &exp["metrics"]["stages"][&name];
            assert_eq!(
                sum(&g["metrics"]["count"]),
                metrics["count_sum"].as_f64().unwrap(),
                "{name} Count"
            );
            assert_eq!(
                sum(&g["metrics"]["errors_4xx"]),
                metrics["errors_4xx_sum"].as_f64().unwrap(),
                "{name} 4XX"
            );
            assert_eq!(
                sum(&g["metrics"]["errors_5xx"]),
                metrics["errors_5xx_sum"].as_f64().unwrap(),
                "{name} 5XX"
            );
            assert_eq!(
                last(&g["metrics"]["latency_ms"]),
                metrics["latency_avg_last"].as_f64().unwrap(),
                "{name} latency"
            );
        }
    }

    // Usage plans: every key of every plan, across pages of 500.
    for p in exp["usage_plans"].as_array().unwrap() {
        let g = find(&s["usage_plans"], "name", &p["name"]);
        assert_eq!(
            g["key_ids"].as_array().unwrap().len() as u64,
            p["key_count"].as_u64().unwrap(),
            "{}",
            p["name"]
        );
        assert_eq!(g["throttle"]["rate_limit"], p["rate_limit"]);
        match p["quota_limit"].as_u64() {
            Some(limit) => {
                assert_eq!(g["quota"]["limit"], limit);
                assert_eq!(
                    g["quota"]["period"].as_str().unwrap().to_uppercase(),
                    p["quota_period"].as_str().unwrap()
                );
            }
            None => assert!(g["quota"].is_null()),
        }
        assert_eq!(strings(&g["stages"]), strings(&p["stages"]));
    }

    // API keys: all of them (more than a page), their state, plans and usage; never a value.
    let keys = s["api_keys"].as_array().unwrap();
    assert_eq!(
        keys.len() as u64,
        exp["api_keys"]["count"].as_u64().unwrap()
    );
    let enabled = keys.iter().filter(|k| k["enabled"] == true).count() as u64;
    assert_eq!(enabled, exp["api_keys"]["enabled_count"].as_u64().unwrap());
    let stdout = out.to_string();
    for (name, k) in exp["api_keys"]["by_name"].as_object().unwrap() {
        let g = find(&s["api_keys"], "name", &Value::from(name.as_str()));
        assert_eq!(g["id"], k["id"]);
        assert_eq!(g["enabled"], k["enabled"]);
        assert_eq!(g["used_today"], k["used_today"], "{name}");
        let quota = k["plans"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| !find(&exp["usage_plans"], "name", p)["quota_limit"].is_null());
        if quota {
            assert_eq!(g["remaining"], k["remaining"], "{name}");
        } else {
            assert!(
                g["remaining"].is_null(),
                "{name}: no quota, so nothing remains to count"
            );
        }
        let plans: BTreeSet<String> = g["plan_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| {
                find(&s["usage_plans"], "id", id)["name"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(plans, strings(&k["plans"]), "{name}");
        let value = k["value"].as_str().unwrap();
        assert!(
            !stdout.contains(value),
            "the value of {name} must never be printed"
        );
    }

    // Web ACLs in both scopes: rules in priority order with kind and action, what they protect.
    for acl in exp["web_acls"].as_array().unwrap() {
        let g = find(&s["web_acls"], "name", &acl["name"]);
        assert_eq!(
            g["scope"].as_str().unwrap().to_uppercase(),
            acl["scope"].as_str().unwrap()
        );
        assert_eq!(
            action(&g["default_action"]),
            acl["default_action"].as_str().unwrap()
        );
        let rules = g["rules"].as_array().unwrap();
        let want = acl["rules"].as_array().unwrap();
        assert_eq!(rules.len(), want.len());
        for (r, w) in rules.iter().zip(want) {
            assert_eq!(r["name"], w["name"]);
            assert_eq!(r["priority"], w["priority"]);
            assert_eq!(
                kind(&r["kind"]),
                w["kind"].as_str().unwrap(),
                "{}",
                w["name"]
            );
            assert_eq!(
                action(&r["action"]),
                w["action"].as_str().unwrap(),
                "{}",
                w["name"]
            );
            let key = format!(
                "{}/{}",
                acl["name"].as_str().unwrap(),
                w["name"].as_str().unwrap()
            );
            let m = &exp["metrics"]["rules"][&key];
            assert_eq!(
                sum(&r["metrics"]["blocked"]),
                m["blocked_sum"].as_f64().unwrap(),
                "{key} blocked"
            );
            assert_eq!(
                sum(&r["metrics"]["counted"]),
                m["counted_sum"].as_f64().unwrap(),
                "{key} counted"
            );
        }
        let m = &exp["metrics"]["acls"][acl["name"].as_str().unwrap()];
        assert_eq!(
            sum(&g["metrics"]["allowed"]),
            m["allowed_sum"].as_f64().unwrap()
        );
        assert_eq!(
            sum(&g["metrics"]["blocked"]),
            m["blocked_sum"].as_f64().unwrap()
        );
        assert_eq!(
            sum(&g["metrics"]["counted"]),
            m["counted_sum"].as_f64().unwrap()
        );
        let mut protects = strings(&acl["protects"]);
        for d in exp["distributions"].as_array().unwrap() {
            if d["web_acl"] == acl["name"] {
                protects.insert(d["id"].as_str().unwrap().to_string());
            }
        }
        assert_eq!(strings(&g["protects"]), protects, "{}", acl["name"]);
    }
    for (key, m) in exp["metrics"]["countries"].as_object().unwrap() {
        let (acl, country) = key.split_once('/').unwrap();
        let g = find(
            &find(&s["web_acls"], "name", &Value::from(acl))["countries"],
            "country",
            &Value::from(country),
        );
        assert_eq!(
            sum(&g["metrics"]["allowed"]),
            m["allowed_sum"].as_f64().unwrap(),
            "{key}"
        );
        assert_eq!(
            sum(&g["metrics"]["blocked"]),
            m["blocked_sum"].as_f64().unwrap(),
            "{key}"
        );
    }

    // CloudFront: which distribution sends which key, and its own geo restriction.
    for d in exp["distributions"].as_array().unwrap() {
        let g = find(&s["distributions"], "id", &d["id"]);
        assert_eq!(g["geo_restriction"], d["geo_restriction"], "{}", d["id"]);
        match d["key_name"].as_str() {
            Some(name) => {
                let key_id = &exp["api_keys"]["by_name"][name]["id"];
                let origin = g["origins"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|o| !o["key_headers"].as_array().unwrap().is_empty())
                    .unwrap();
                assert_eq!(origin["key_headers"][0]["header"], d["key_header"]);
                assert_eq!(&origin["key_headers"][0]["key_id"], key_id);
            }
            None => assert!(
                g["origins"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|o| o["key_headers"].as_array().unwrap().is_empty())
            ),
        }
    }

    // Sampled requests, hostile strings made inert, secrets redacted.
    for (acl, n) in exp["samples"].as_object().unwrap() {
        let got = s["samples"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["web_acl"] == acl.as_str())
            .count();
        assert_eq!(got as u64, n.as_u64().unwrap(), "samples of {acl}");
    }
    let samples = s["samples"].to_string();
    assert!(samples.contains("\\\\x1b[2J"), "ESC[2J is shown escaped");
    assert!(samples.contains("\\\\x1b]52;c;"), "OSC 52 is shown escaped");
    assert!(
        samples.contains("\\\\x9b31m"),
        "the 8-bit CSI is shown escaped"
    );
    assert!(
        samples.contains("\\\\u{202e}"),
        "the bidi override is shown escaped"
    );
    assert!(
        !samples.contains("\\u001b")
            && !samples.contains('\u{202e}')
            && !samples.contains('\u{9b}')
    );
    assert!(
        samples.contains("<redacted: "),
        "secret headers are redacted"
    );
    assert!(!samples.contains("Bearer "), "no bearer token is printed");

    // Addresses rate-based rules hold now.
    for (key, addrs) in exp["rate_limited"].as_object().unwrap() {
        let (acl, rule) = key.split_once('/').unwrap();
        let got: BTreeSet<String> = s["rate_limited"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["web_acl"] == acl && r["rule"] == rule)
            .map(|r| r["address"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(got, strings(addrs), "{key}");
    }

    // Paging happened: 640 keys take two pages of GetApiKeys, the Free tier's keys two of
    // GetUsagePlanKeys. The server counted the calls too.
    let calls = &out["stats"]["aws_calls"];
    assert!(
        calls["apigateway:GetApiKeys"].as_u64().unwrap() >= 2,
        "{calls}"
    );
    assert!(out["stats"]["metrics_requested"].as_u64().unwrap() > 0);
    let server = m.calls();
    assert_eq!(
        server["GetApiKeys"], calls["apigateway:GetApiKeys"],
        "{server}"
    );
    assert!(
        server["GetMetricData"].as_u64().unwrap() >= 2,
        "one call per region: {server}"
    );
}

#[test]
fn a_denied_permission_darkens_one_panel_only() {
    let m = Moto::start("denied");
    m.seed(30);
    m.fault("GetSampledRequests", "AccessDeniedException", -1);
    let (status, out, err) = snapshot(&m, &[]);
    assert!(status.success(), "{err}");
    let s = &out["snapshot"];
    let problems = s["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0]["panel"], "Samples");
    let msg = problems[0]["message"].as_str().unwrap();
    assert!(msg.contains("wafv2:GetSampledRequests is denied"), "{msg}");
    assert!(
        err.contains("wafv2:GetSampledRequests is denied"),
        "also on stderr: {err}"
    );
    assert!(
        !s["apis"].as_array().unwrap().is_empty() && !s["web_acls"].as_array().unwrap().is_empty()
    );
    assert!(
        !s["rate_limited"].as_array().unwrap().is_empty(),
        "the other WAF reads still work"
    );
}

/// GetResources has a quota of its own (5 every 2 seconds), which the peer holds edgetop to:
/// every API's methods are read within it, and one API's throttled read darkens that API only.
#[test]
fn one_apis_unread_methods_darken_its_row_only() {
    let m = Moto::start("resources");
    m.seed(30);
    m.fault("GetResources", "TooManyRequestsException", 1);
    let (status, out, err) = snapshot(&m, &[]);
    assert!(status.success(), "{err}");
    let s = &out["snapshot"];
    let apis = s["apis"].as_array().unwrap();
    let unread: Vec<&Value> = apis
        .iter()
        .filter(|a| a["access"]["methods_unread"].is_string())
        .collect();
    assert_eq!(unread.len(), 1, "{apis:?}");
    assert!(
        unread[0]["access"]["methods_unread"]
            .as_str()
            .unwrap()
            .contains("throttled by AWS"),
        "{}",
        unread[0]
    );
    let read = apis
        .iter()
        .filter(|a| !a["access"]["methods"].as_array().unwrap().is_empty())
        .count();
    assert_eq!(
        read,
        apis.len() - 1,
        "the others are read, within the quota"
    );
    assert!(
        !s["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["panel"] == "Access"),
        "one API is not the whole panel: {}",
        s["problems"]
    );
    let findings: Vec<&str> = out["access"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["text"].as_str())
        .collect();
    let name = unread[0]["name"].as_str().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f.starts_with(&format!("{name}: its methods could not be read"))),
        "{findings:?}"
    );
}

/// Each region in its own partition: CloudFront in China at cn-northwest-1, no CLOUDFRONT scope
/// and no Shield there; no CloudFront in GovCloud at all. Said plainly, never called.
#[test]
fn other_partitions_read_what_exists_there_and_say_what_does_not() {
    let m = Moto::start("partitions");
    m.seed(30);
    let said = |s: &Value| -> Vec<String> {
        s["snapshot"]["problems"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["message"].as_str().map(str::to_string))
            .collect()
    };
    m.reset_calls();
    let (status, out, err) = common::moto::snapshot_in(&m, "cn-north-1");
    assert!(status.success(), "{err}");
    let log = m.place_log();
    let regions_of = |op: &str| -> BTreeSet<String> {
        log.iter()
            .filter(|c| c.operation == op)
            .filter_map(|c| c.region.clone())
            .collect()
    };
    assert_eq!(
        regions_of("ListDistributions"),
        BTreeSet::from(["cn-northwest-1".to_string()]),
        "CloudFront in China is at cn-northwest-1"
    );
    assert_eq!(
        regions_of("ListWebACLs"),
        BTreeSet::from(["cn-north-1".to_string()]),
        "no CLOUDFRONT scope in China, and nothing in us-east-1"
    );
    assert!(
        regions_of("DescribeSubscription").is_empty(),
        "no Shield in China"
    );
    let problems = said(&out);
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("WAF's CLOUDFRONT scope is not offered in aws-cn")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("Shield Advanced is not offered in aws-cn")),
        "{problems:?}"
    );

    m.reset_calls();
    let (status, out, err) = common::moto::snapshot_in(&m, "us-gov-west-1");
    assert!(status.success(), "{err}");
    let log = m.place_log();
    assert!(
        !log.iter()
            .any(|c| c.service.as_deref() == Some("cloudfront")),
        "no CloudFront call in GovCloud"
    );
    assert!(
        !log.iter().any(|c| c.region.as_deref() == Some("us-east-1")),
        "nothing leaves the partition"
    );
    assert!(
        said(&out)
            .iter()
            .any(|p| p.starts_with("CloudFront is not offered in aws-us-gov")),
        "{:?}",
        said(&out)
    );
}

#[test]
fn no_server_is_a_clear_error_before_anything_opens() {
    let mut m = Moto::start("down");
    m.stop();
    let (status, _, err) = snapshot(&m, &[]);
    assert_eq!(status.code(), Some(2));
    assert!(
        err.contains("cannot reach AWS in region eu-west-1 (connection refused)"),
        "{err}"
    );
    one_sentence(&err);
}

/// A refused start says one thing, on one line, without the SDK's Debug form.
fn one_sentence(err: &str) {
    let said: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(said.len(), 1, "one line:\n{err}");
    for debug in ["Error {", "Error(", " { source", "Some(", "ProviderError("] {
        assert!(!err.contains(debug), "no Debug dump ({debug}):\n{err}");
    }
}

/// The start refused for want of credentials, as `configure` sets up the host.
fn refused_start(m: &Moto, configure: impl FnOnce(&mut std::process::Command)) -> String {
    let mut cmd = common::moto::edgetop(m, &["snapshot", "--json"]);
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap())
        .env("HOME", m.dir.as_os_str())
        .env("AWS_EC2_METADATA_DISABLED", "true");
    configure(&mut cmd);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn an_expired_sso_session_names_the_login_that_renews_it() {
    let m = Moto::start("sso");
    let aws = m.dir.join(".aws");
    std::fs::create_dir_all(aws.join("sso/cache")).unwrap();
    std::fs::write(
        aws.join("config"),
        "[profile oncall]\nsso_start_url = https://example.awsapps.com/start\nsso_region = eu-west-1\n\
         sso_account_id = 123456789012\nsso_role_name = Operator\nregion = eu-west-1\n",
    )
    .unwrap();
    // The cached token of that start URL (its file is named by the URL's SHA-1), expired
    // yesterday: the AWS CLI's own format.
    std::fs::write(
        aws.join("sso/cache/e8be5486177c5b5392bd9aa76563515b29358e6e.json"),
        r#"{"startUrl":"https://example.awsapps.com/start","region":"eu-west-1","accessToken":"x","expiresAt":"2020-01-01T00:00:00Z"}"#,
    )
    .unwrap();
    let err = refused_start(&m, |c| {
        // The SSO portal is the peer's (never AWS's).
        c.env("AWS_PROFILE", "oncall")
            .env("AWS_ENDPOINT_URL_SSO", m.endpoint())
            .env("AWS_ENDPOINT_URL", m.endpoint());
    });
    assert!(
        err.contains("the SSO session of profile oncall has expired")
            && err.contains("`aws sso login --profile oncall`"),
        "{err}"
    );
    one_sentence(&err);
}

#[test]
fn a_region_that_is_no_host_name_is_said_to_be_no_region() {
    let m = Moto::start("badregion");
    let (status, _, err) = common::moto::snapshot_in(&m, "eu_west_1");
    assert_eq!(status.code(), Some(2));
    assert!(
        err.contains("'eu_west_1' is not a region AWS has an endpoint for")
            && err.contains("check --region"),
        "{err}"
    );
    one_sentence(&err);
}

#[test]
fn missing_credentials_name_the_fix() {
    let m = Moto::start("nocreds");
    let err = refused_start(&m, |_| {});
    assert!(
        err.contains(
            "no AWS credentials (none in the environment (AWS_ACCESS_KEY_ID), no profile files"
        ) && err
            .contains("the instance metadata service is switched off (AWS_EC2_METADATA_DISABLED)")
            && err.contains("`aws configure`")
            && err.contains("--demo"),
        "{err}"
    );
    one_sentence(&err);
}

/// The first read hands over its parts as they come: CloudWatch's figures and WAF first, then
/// the keys and the samples (redacted against the keys' values already), then the plans one by
/// one. With GetUsage held (a slow API Gateway), everything else is on screen meanwhile.
#[test]
fn the_parts_arrive_separately_and_the_first_are_redacted_already() {
    let m = Moto::start("early");
    m.seed_untidy(30);
    let secrets: Vec<String> = m.state()["keys"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|k| k["value"].as_str().map(str::to_string))
        .collect();
    m.hold("GetUsage");
    let t = dashboard(&m, "early", &[], &[]);
    let s = t.wait_text("requests/min");
    let s = if s.contains("still reading") {
        s
    } else {
        t.wait_text("still reading")
    };
    assert!(s.contains("requests/min"), "{s}");
    t.keys(&["6"]);
    let s = t.wait_text("keys listed; reading their plans");
    assert!(
        line_with(&s, "keys listed").contains("and usage (0 of "),
        "the keys are listed, their usage is not read:\n{s}"
    );
    assert!(s.contains("acme-logistics"), "{s}");
    t.keys(&["3"]);
    let s = t.wait_text("Rules in priority order");
    assert!(s.contains("GeoScrapers"), "WAF is there already:\n{s}");
    // The samples came after the keys: a key value sampled in a query is redacted.
    t.keys(&["4"]);
    let s = t.wait_text("/orders?ref=<redacted");
    for v in &secrets {
        assert!(!s.contains(&v[..12]), "a key value on screen:\n{s}");
    }
    // The usage is next, and waits at the peer (after each plan's keys, on the account's
    // pacing: how soon depends on the machine, so this waits for it, up to a minute).
    let mut held = m.holds();
    for _ in 0..600 {
        if held["waiting"]["GetUsage"].as_i64().unwrap_or(0) >= 1 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        held = m.holds();
    }
    assert!(
        held["waiting"]["GetUsage"].as_i64().unwrap_or(0) >= 1,
        "the usage is held: {held}"
    );
    let s = t.wait_text("/orders?ref=<redacted");
    for v in &secrets {
        assert!(!s.contains(&v[..12]), "a key value on screen:\n{s}");
    }
    // The logs' answers came with the samples, not after every plan's usage; unless their
    // queries took longer than the first read waits for them (4 s: a loaded machine and the
    // peer's cold logs backend), and then the title says they are still running.
    assert!(
        s.contains("Blocked, exact: edge-regional") || s.contains("querying WAF logs"),
        "{s}"
    );
    if s.contains("Blocked, exact: edge-regional") {
        t.keys(&["6"]);
        let s = t.wait_text("keys listed; reading their plans");
        assert!(s.contains("429/m from access logs"), "{s}");
        t.keys(&["4"]);
    }

    // Once the usage answers, the marks go.
    m.release();
    t.keys(&["6"]);
    let s = t.wait_for("every plan's usage", |s| !s.contains("keys listed"));
    assert!(line_with(&s, "acme-logistics").contains("just now"), "{s}");
    t.keys(&["q"]);
    t.wait_dead();
}

/// After the first read, API Gateway gets no more calls in any minute than the budget, and
/// none faster than the bucket allows, however much is due (here: 40 plans' usage and keys
/// every minute, and discovery). What does not fit waits, and its age shows.
#[test]
fn the_budget_is_kept_over_a_minute_of_polling() {
    const BUDGET: usize = 20;
    let m = Moto::start("budget");
    m.seed_plans(60, 40);
    let t = dashboard(
        &m,
        "budget",
        &[],
        &[
            "--refresh",
            "2",
            "--apigateway-per-minute",
            &BUDGET.to_string(),
            "--usage-every",
            "1",
            "--plan-keys-every",
            "1",
            "--discover-every",
            "1",
        ],
    );
    t.keys(&["6"]);
    t.wait_for("the first read", |s| {
        s.contains("API keys") && s.contains(" 1/60 ") && !s.contains("keys listed")
    });
    m.reset_calls();
    std::thread::sleep(std::time::Duration::from_secs(80));
    let s = t.screen();
    let log: Vec<f64> = m
        .call_log()
        .into_iter()
        .filter(|(_, service, _)| service.as_deref() == Some("apigateway"))
        .map(|(at, _, _)| at)
        .collect();
    let most_within = |secs: f64| {
        (0..log.len())
            .map(|i| log[i..].iter().take_while(|t| **t < log[i] + secs).count())
            .max()
            .unwrap_or(0)
    };
    eprintln!(
        "{} API Gateway calls in 80 s; at most {} in a minute, {} in a second",
        log.len(),
        most_within(60.0),
        most_within(1.0)
    );
    assert!(
        log.len() >= BUDGET / 2,
        "it kept reading: {} calls",
        log.len()
    );
    assert!(
        most_within(60.0) <= BUDGET,
        "{} API Gateway calls in one minute, budget {BUDGET}",
        most_within(60.0)
    );
    assert!(most_within(1.0) <= 25, "the bucket: 5/s with a burst of 20");
    // The keys of the plans read least recently show their age.
    assert!(s.contains("usage read"), "{s}");
    assert!(s.contains("m ago") || s.contains("0s ago"), "{s}");
    t.keys(&["q"]);
    t.wait_dead();
}

/// A part that fails keeps its last figures, and says how old they are.
#[test]
fn a_failed_part_keeps_its_last_data_with_its_age() {
    let m = Moto::start("kept");
    m.seed(30);
    let t = dashboard(&m, "kept", &[], &["--refresh", "2", "--usage-every", "1"]);
    t.keys(&["6"]);
    let s = t.wait_for("the first read", |s| {
        s.contains("API keys") && s.contains(" 1/30 ") && !s.contains("keys listed")
    });
    let quota = |l: &str| {
        l.split_whitespace()
            .find(|w| w.ends_with('%'))
            .map(str::to_string)
    };
    let before = quota(row_with(&s, "acme-logistics "));
    assert!(before.is_some(), "{s}");
    m.fault("GetUsage", "AccessDeniedException", -1);
    // Usage is read again when a minute old.
    std::thread::sleep(std::time::Duration::from_secs(50));
    let s = t.wait_text("showing usage read");
    let after = row_with(&s, "acme-logistics ");
    assert_eq!(quota(after), before, "its figures stay:\n{s}");
    assert!(
        after.contains("0s ago") || after.contains("m ago"),
        "with their age:\n{s}"
    );
    m.clear_faults();
    t.keys(&["q"]);
    t.wait_dead();
}

#[test]
fn the_dashboard_shows_the_account_marks_trouble_and_recovers() {
    let mut m = Moto::start("dash");
    m.seed(30);
    let t = dashboard(&m, "aws", &[], &["--refresh", "1"]);
    t.wait_text("Unusual now");
    t.filter("3", "GeoScrapers");
    let s = t.wait_text("[/GeoScrapers] 1/1");
    assert!(line_with(&s, " GeoScrapers ").contains("COUNT"), "{s}");
    t.filter("6", "acme-logistics");
    // Keys are listed before their plans are read: the plan column fills in when they are.
    let s = t.wait_for("acme's plan", |s| {
        s.contains("[/acme-logistics] 1/1") && !s.contains("keys listed")
    });
    assert!(
        row_with(&s, "acme-logistics ").contains("Partner tier"),
        "{s}"
    );

    // CloudFront's own deny list on the Geo screen, merged per country with the WAF's rules.
    t.keys(&["Escape", "5"]);
    let s = t.wait_text("CloudFront geo restriction");
    assert!(line_with(&s, "deny list").contains("KP IR SY CU BY"), "{s}");
    assert!(
        row_with(&s, "BY Belarus").contains("CloudFront deny list"),
        "{s}"
    );

    // A throttled call: its panel says so, then recovers.
    t.keys(&["2"]);
    m.fault("GetMetricData", "Throttling", -1);
    t.wait_text("cloudwatch:GetMetricData was throttled");
    m.clear_faults();
    t.wait_for("the throttling mark to go", |s| {
        !s.contains("was throttled")
    });

    // The server goes away: the data stays, marked stale with its age; it comes back.
    m.stop();
    t.wait_text("STALE");
    m.restart();
    m.seed(30);
    t.wait_for("fresh data again", |s| !s.contains("STALE"));
    t.keys(&["q"]);
    t.wait_dead();
    assert_eq!(t.var("alternate_on"), "0");
}

/// moto evaluates IAM policies here (tests/aws/moto_server.py checks every signed call with
/// moto's own policy evaluation, naming actions as AWS does: `apigateway:GET` on resource
/// paths, `cloudwatch:*`, `wafv2:*`). The repo's read-only policy must be enough for every screen;
/// without one action, exactly the panel that needs it says which.
#[test]
fn the_read_only_policy_is_enough_for_every_screen() {
    let m = Moto::start("iam");
    m.seed(30);
    let read_only = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("iam/read-only.json");
    let (key, secret) = m.iam_user(&read_only, "edgetop-reader");
    let (status, out, err) = snapshot_as(&m, &key, &secret);
    assert!(status.success(), "{err}");
    assert_eq!(out["snapshot"]["problems"], serde_json::json!([]), "{err}");
    assert!(!out["snapshot"]["samples"].as_array().unwrap().is_empty());
    // No Shield Advanced subscription is a fact, not a problem.
    assert_eq!(out["snapshot"]["shield"], "NotSubscribed");
    // Logs Insights too: every log found (through GetLoggingConfiguration) was queried.
    let logs = out["snapshot"]["logs"]["sources"].as_array().unwrap();
    assert_eq!(logs.len(), 2, "{logs:?}");
    for src in logs {
        assert_eq!(src["state"]["state"], "read", "{src}");
    }
    // The Access screen's methods and authorizers too.
    for api in out["snapshot"]["apis"].as_array().unwrap() {
        assert!(
            !api["access"]["methods"].as_array().unwrap().is_empty(),
            "{api}"
        );
    }

    // The same policy without wafv2:GetSampledRequests.
    let mut policy: Value =
        serde_json::from_str(&std::fs::read_to_string(&read_only).unwrap()).unwrap();
    for st in policy["Statement"].as_array_mut().unwrap() {
        if let Some(actions) = st["Action"].as_array_mut() {
            actions.retain(|a| a != "wafv2:GetSampledRequests");
        }
    }
    let reduced = m.dir.join("no-samples.json");
    std::fs::write(&reduced, policy.to_string()).unwrap();
    let (key, secret) = m.iam_user(&reduced, "edgetop-no-samples");
    let (status, out, err) = snapshot_as(&m, &key, &secret);
    assert!(status.success(), "{err}");
    let problems = out["snapshot"]["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0]["panel"], "Samples");
    assert!(
        problems[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("wafv2:GetSampledRequests is denied")
    );
}

#[test]
fn metric_answers_under_ids_never_asked_for_are_ignored() {
    let m = Moto::start("strange-ids");
    m.seed(20);
    m.strange_ids();
    let (status, out, err) = snapshot(&m, &[]);
    assert!(status.success(), "no crash: {err}");
    let counts: f64 = out["snapshot"]["apis"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["stages"].as_array().unwrap())
        .map(|s| sum(&s["metrics"]["count"]))
        .sum();
    assert_eq!(
        counts, 0.0,
        "nothing is taken from an answer to another question"
    );
}

/// The web ACL named `name` in `scope` (REGIONAL or CLOUDFRONT).
fn acl_in<'a>(s: &'a Value, name: &str, scope: &str) -> &'a Value {
    s["web_acls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name && a["scope"].as_str().unwrap().eq_ignore_ascii_case(scope))
        .unwrap_or_else(|| panic!("no {scope} web ACL {name}"))
}

#[test]
fn an_untidy_account_reads_right_and_leaks_nothing() {
    let m = Moto::start("untidy");
    let exp = m.seed_untidy(20);
    let u = &exp["untidy"];
    // common::moto::edgetop logs there.
    let log = m.dir.join("edgetop.log");
    let out = common::moto::edgetop(&m, &["snapshot", "--json"])
        .env("EDGETOP_LOG", "trace")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    let all: Value = serde_json::from_str(&stdout).unwrap();
    let s = &all["snapshot"];

    // WAF figures, with the web ACL's metrics published under its name (not its metric name),
    // rules under their metric names, and a REGIONAL and a CLOUDFRONT ACL of one name apart.
    let sums = &u["waf"]["sums"];
    let reg = acl_in(s, "shop-edge", "regional");
    assert_eq!(
        sum(&reg["metrics"]["blocked"]),
        sums["regional"]["all_blocked"].as_f64().unwrap()
    );
    let rule = |a: &Value, name: &str| find(&a["rules"], "name", &Value::from(name)).clone();
    assert_eq!(
        sum(&rule(reg, "Block-Scrapers")["metrics"]["blocked"]),
        sums["regional"]["scrapers_blocked"].as_f64().unwrap()
    );
    assert_eq!(
        sum(&rule(reg, "Captcha-Signup")["metrics"]["blocked"]),
        sums["regional"]["captcha"].as_f64().unwrap(),
        "CAPTCHA rules read CaptchaRequests"
    );
    let kp = find(&reg["countries"], "country", &Value::from("KP"));
    assert_eq!(
        sum(&kp["metrics"]["blocked"]),
        sums["regional"]["kp_blocked"].as_f64().unwrap()
    );
    let cf = acl_in(s, "shop-edge", "cloudfront");
    assert_eq!(
        sum(&cf["metrics"]["blocked"]),
        sums["cloudfront"]["all_blocked"].as_f64().unwrap()
    );
    assert_eq!(
        sum(&rule(cf, "Geo-Fence")["metrics"]["blocked"]),
        sums["cloudfront"]["geo_blocked"].as_f64().unwrap()
    );

    // A CUSTOM_KEYS rate-based rule has no addresses to list; every other rule's still show.
    assert!(
        s["rate_limited"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["rule"] == "LoginRateLimit"),
        "{}",
        s["rate_limited"]
    );
    let problems = s["problems"].to_string();
    assert!(!problems.contains("rate-limited"), "{problems}");

    // Same-named APIs share a series, and say so; an all-non-ASCII name publishes under its id.
    let ids = &u["apis"]["ids"];
    let count_of = |id: &Value| sum(&find(&s["apis"], "id", id)["stages"][0]["metrics"]["count"]);
    let orders = u["apis"]["count_sums"]["orders-api"].as_f64().unwrap();
    assert_eq!(count_of(&ids["orders-a"]), orders);
    assert_eq!(
        count_of(&ids["pay"]),
        u["apis"]["count_sums"]["pay"].as_f64().unwrap()
    );
    assert!(
        problems.contains("publish metrics under one name"),
        "{problems}"
    );
    let live = &find(&s["apis"], "id", &ids["pay"])["stages"][0];
    assert!(
        live["metrics"]["latency_ms"]["values"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .is_null(),
        "a minute with no requests has no latency: {}",
        live["metrics"]["latency_ms"]
    );
    // No throttle of its own: the account's (this region's, lower than the default).
    assert!(live["throttle"].is_null());
    assert_eq!(live["account_throttle"]["rate_limit"], 2500.0);
    assert_eq!(live["account_throttle"]["burst_limit"], 1250);

    // A key in two plans: its use adds up.
    let multi = find(&s["api_keys"], "id", &u["keys"]["multi"]);
    assert_eq!(multi["used_today"], u["keys"]["multi_used_today"]);

    // A sample of a rule inside a managed group names the web ACL's rule and the inner rule.
    let inner = s["samples"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x["rule"].as_str())
        .find(|r| r.contains(" › "))
        .expect("a sample of a managed group's rule");
    assert!(
        inner.starts_with("AWSManagedCommon › ")
            || inner.starts_with("AWSManagedKnownBadInputs › "),
        "{inner}"
    );
    assert!(!inner.contains('#'), "{inner}");

    // The origin sends the partner key as x-partner-key, found by its value; it serves one
    // country only (an allow list of one).
    let d = find(&s["distributions"], "id", &u["distribution"]);
    assert_eq!(
        d["geo_restriction"],
        serde_json::json!({"list": "allow", "countries": ["DE"]})
    );
    assert_eq!(d["origins"][0]["key_headers"][0]["header"], "x-partner-key");
    assert_eq!(
        d["origins"][0]["key_headers"][0]["key_id"],
        u["keys"]["partner"]
    );

    // Nothing secret anywhere: no key value (sampled under other header names and in a query),
    // not the shared secret of the origin check, in the JSON, on stderr or in a trace log.
    let log_text = std::fs::read_to_string(&log).unwrap();
    let state = m.state();
    let mut secrets: Vec<String> = state["keys"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|k| k["value"].as_str().map(str::to_string))
        .collect();
    secrets.push("s3cr3t-origin-token-123".into());
    for v in &secrets {
        assert!(!stdout.contains(v.as_str()), "the JSON holds {v}");
        assert!(!stderr.contains(v.as_str()), "stderr holds {v}");
        assert!(!log_text.contains(v.as_str()), "the trace log holds {v}");
    }
    assert!(stdout.contains("\"name\": \"x-client-ref\",\n") || stdout.contains("x-client-ref"));
    assert!(
        stdout.contains("/orders?ref=<redacted: 40 chars>&page="),
        "query values too"
    );
    assert!(
        stdout.contains("exactly \\\"<redacted: 23 chars>\\\""),
        "match statements too"
    );

    // And no raw control or format character reaches the terminal from JSON, stderr or the log.
    for (what, text) in [("stdout", &stdout), ("stderr", &stderr), ("log", &log_text)] {
        let bad = text
            .chars()
            .find(|c| edgetop::model::text::is_unsafe(*c) && *c != '\n');
        assert!(bad.is_none(), "{what} holds {bad:?}");
    }
    assert!(
        stdout.contains("evil\\\\x1b]52;c;ZXZpbA==\\\\x07-key\\\\x9b31m"),
        "escaped"
    );
}

/// The API whose id is `id`, from a snapshot.
/// Whether every Logs Insights query the server was asked is `ok`, and them all.
fn every_query(m: &Moto, ok: impl Fn(&Value) -> bool) -> (bool, Value) {
    let asked = m.logs_queries(None);
    let all = asked["queries"].as_array().unwrap().iter().all(ok);
    (all, asked)
}

/// Whether `list` has an entry whose `is.0` is `is.1` and whose `text.0` starts with `text.1`.
fn any_starting(list: &Value, is: (&str, &str), text: (&str, &str)) -> bool {
    list.as_array()
        .unwrap()
        .iter()
        .any(|x| x[is.0] == is.1 && x[text.0].as_str().is_some_and(|t| t.starts_with(text.1)))
}

fn api_by_id<'a>(s: &'a Value, id: &str) -> &'a Value {
    s["apis"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .unwrap_or_else(|| panic!("no API {id}"))
}

/// Who may call each API, read from an account written the way real ones are: a resource
/// policy in the escaped form API Gateway returns, a private API with VPC endpoints and an
/// IfExists deny, Cognito and Lambda authorizers (one named with an OSC 52 write), CORS in an
/// OPTIONS integration, access logs; and a distribution in front of a stage whose methods want
/// no key. The JSON carries all of it, the Access screen says what can go around the CDN, and
/// no escape sequence reaches the terminal.
#[test]
fn the_access_posture_of_an_untidy_account() {
    let m = Moto::start("access");
    let exp = m.seed_untidy(20);
    let u = &exp["untidy"];
    let ids = &u["apis"]["ids"];
    let (status, out, err) = snapshot(&m, &[]);
    assert!(status.success(), "{err}");
    let s = &out["snapshot"];
    let problems = s["problems"].as_array().unwrap();
    assert!(
        problems.iter().all(|p| p["panel"] != "Access"),
        "{problems:?}"
    );

    // orders-b: the escaped policy read as the policy it is, and its default URL off.
    let b = &api_by_id(s, ids["orders-b"].as_str().unwrap())["access"];
    let statement = &b["policy"]["summary"]["statements"][0];
    assert_eq!(
        statement["source_ips"],
        serde_json::json!(["10.0.0.0/8"]),
        "{b}"
    );
    assert_eq!(statement["principals"], serde_json::json!(["*"]), "{b}");
    assert_eq!(b["execute_api_disabled"], true);

    // The private API: its endpoints, its deny, its authorizers by name, CORS.
    let pay = &api_by_id(s, ids["pay"].as_str().unwrap())["access"];
    assert_eq!(pay["endpoint"], "Private");
    assert_eq!(pay["vpc_endpoints"], u["access"]["vpc_endpoints"]);
    let deny = &pay["policy"]["summary"]["statements"][1];
    assert_eq!(
        deny["not_vpc_endpoints"], u["access"]["vpc_endpoints"],
        "{pay}"
    );
    let methods = pay["methods"].as_array().unwrap();
    let method = |label: &str| {
        methods
            .iter()
            .find(|m| {
                format!(
                    "{} {}",
                    m["method"].as_str().unwrap(),
                    m["path"].as_str().unwrap()
                ) == label
            })
            .unwrap_or_else(|| panic!("no {label} in {methods:?}"))
    };
    assert_eq!(
        method("POST /charges")["authorization"]["Cognito"],
        "pay-users"
    );
    assert_eq!(method("POST /charges")["api_key_required"], true);
    let lambda = &method("GET /charges")["authorization"]["Lambda"];
    assert_eq!(lambda["request"], true);
    assert!(
        lambda["name"]
            .as_str()
            .unwrap()
            .starts_with("authz\\x1b]52"),
        "the authorizer's name escaped: {lambda}"
    );
    assert_eq!(method("OPTIONS /charges")["cors_origin"], "*");

    // orders-a/live: its logs, and the distribution in front.
    let a = api_by_id(s, ids["orders-a"].as_str().unwrap());
    let live = &a["stages"][0];
    assert_eq!(live["logging"]["access_log"], u["access"]["access_log"]);
    assert_eq!(live["logging"]["execution"], "INFO");
    assert_eq!(
        live["logging"]["access_format"],
        "{\"requestId\":\"$context.requestId\"}"
    );

    // Custom domains with mutual TLS (kept by the peer, as AWS keeps it), and Shield Advanced
    // subscribed but protecting nothing in front of these stages.
    let domains = s["custom_domains"].as_array().unwrap();
    let mtls = domains
        .iter()
        .find(|d| d["name"] == u["access"]["mtls_domain"])
        .expect("the mTLS domain");
    assert_eq!(
        mtls["mtls_truststore"],
        "s3://untidy-truststores/orders-a.pem"
    );
    assert_eq!(
        mtls["mappings"],
        serde_json::json!([{"base_path": "orders", "api_id": ids["orders-a"], "stage": "live"}])
    );
    assert_eq!(
        s["shield"],
        serde_json::json!({"Subscribed": {"protected": []}})
    );
    let texts: Vec<&str> = out["access"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["text"].as_str().unwrap())
        .collect();
    assert!(
        texts.contains(
            &"orders-api/live: mutual TLS on orders.untidy.example can be skipped at the \
              execute-api URL (disableExecuteApiEndpoint is off)"
        ),
        "{texts:?}"
    );
    assert!(
        !texts
            .iter()
            .any(|t| t.contains("b.untidy.example can be skipped")),
        "orders-b's default URL is off: {texts:?}"
    );
    assert!(
        texts.contains(
            &format!(
                "orders-api/live: distribution {} in front is not protected by Shield Advanced",
                u["distribution"].as_str().unwrap()
            )
            .as_str()
        ),
        "{texts:?}"
    );

    // The HTTP API: its routes' JWT authorizer by name and issuer, CORS, its stage's throttle.
    let http = s["http_apis"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == u["access"]["http_api"])
        .expect("the HTTP API");
    assert_eq!(http["protocol"], "Http");
    assert_eq!(http["access"]["execute_api_disabled"], true);
    let routes = http["access"]["methods"].as_array().unwrap();
    assert_eq!(
        routes[0]["authorization"],
        serde_json::json!({"Jwt": {"name": "hooks-jwt", "issuer": "https://issuer.untidy.example"}}),
        "{routes:?}"
    );
    assert_eq!(routes[0]["cors_origin"], "*");
    let stage = |name: &str| {
        http["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|st| st["name"] == name)
            .unwrap_or_else(|| panic!("stage {name}: {http}"))
            .clone()
    };
    assert_eq!(stage("$default")["throttle"]["rate_limit"], 50.0);
    // 0/0 refuses every request; no throttle of its own leaves the account's.
    assert_eq!(
        stage("frozen")["throttle"],
        serde_json::json!({"rate_limit": 0.0, "burst_limit": 0})
    );
    assert_eq!(stage("open")["throttle"], Value::Null);
    assert!(
        stage("open")["account_throttle"]["rate_limit"].as_f64() > Some(0.0),
        "the account's throttle binds HTTP APIs too: {}",
        stage("open")
    );
    // Its metrics, read under ApiId and Stage with HTTP APIs' own names.
    let default = stage("$default");
    let metrics = &default["metrics"];
    assert_eq!(
        sum(&metrics["count"]),
        u["access"]["http_count_sum"].as_f64().unwrap()
    );
    assert_eq!(
        sum(&metrics["errors_4xx"]),
        u["access"]["http_4xx_sum"].as_f64().unwrap()
    );
    for want in [
        "orders-api/live: its access log cannot count 429s per API key: add \
         $context.identity.apiKeyId, $context.status, $context.error.responseType to its format",
        "hooks-http POST /hooks has no authorization and no API key",
        "hooks-http/$default: no distribution in front, and an HTTP API takes no web ACL of its own",
        "hooks-http/frozen refuses every request: its throttle's rate limit is 0 (API Gateway \
         answers 429)",
    ] {
        assert!(texts.contains(&want), "{want}: {texts:?}");
    }

    // CloudFront's addresses from its managed prefix list; the samples from elsewhere are the
    // requests that went around it.
    let edge = &s["edge_ranges"][0];
    assert!(
        edge["source"]
            .as_str()
            .unwrap()
            .contains("AWS-managed prefix list pl-"),
        "{edge}"
    );
    assert!(
        edge["prefixes"]
            .as_array()
            .unwrap()
            .contains(&Value::from("130.176.0.0/18")),
        "{edge}"
    );
    let want = &u["direct_hits"];
    let hits = &out["access"]["direct_hits"];
    assert_eq!(hits.as_array().unwrap().len(), 1, "{hits}");
    let h = &hits[0];
    assert_eq!(
        format!(
            "{}/{}",
            h["api"].as_str().unwrap(),
            h["stage"].as_str().unwrap()
        ),
        want["stage"]
    );
    assert_eq!(h["requests"], want["requests"]);
    assert_eq!(h["samples"], want["samples"]);
    assert_eq!(
        h["sources"].as_array().unwrap().len() as u64,
        want["addresses"].as_u64().unwrap()
    );
    assert_eq!(
        h["sources"][0],
        serde_json::json!([want["top"], want["top_requests"]])
    );
    let findings = &out["access"]["findings"];
    assert!(
        any_starting(
            findings,
            ("severity", "Critical"),
            ("text", "orders-api/live: ~23 requests")
        ),
        "{findings}"
    );

    // More edge ranges from a file: Cloudflare's list format, naming the direct address's
    // range, leaves only the IPv6 one.
    let file = m.dir.join("more-ranges.txt");
    std::fs::write(&file, "# more edge addresses\n198.51.100.0/24\n").unwrap();
    let (status, more, err) = snapshot(&m, &["--ip-ranges", file.to_str().unwrap()]);
    assert!(status.success(), "{err}");
    let hits = &more["access"]["direct_hits"];
    assert_eq!(hits[0]["requests"], 3, "{hits}");
    assert_eq!(more["snapshot"]["edge_ranges"].as_array().unwrap().len(), 2);

    // The same file as the edge in front of orders-b/live, named by the API's id (both APIs
    // are called orders-api): its direct hits are the one address outside that range.
    let b_id = ids["orders-b"].as_str().unwrap();
    let named = format!("{b_id}/live={}", file.to_str().unwrap());
    let (status, cf, err) = snapshot(&m, &["--ip-ranges-for", &named]);
    assert!(status.success(), "{err}");
    let hits = cf["access"]["direct_hits"].as_array().unwrap();
    let b_hits = hits
        .iter()
        .find(|h| h["api_id"] == b_id)
        .expect("orders-b's hits");
    assert_eq!(b_hits["requests"], 4, "{hits:?}");
    assert_eq!(b_hits["sources"][0][0], "192.0.2.44");
    let findings = cf["access"]["findings"].as_array().unwrap();
    let through = format!(
        "reached it directly, not through {} (from 192.0.2.44)",
        file.display()
    );
    assert!(
        findings
            .iter()
            .any(|f| f["text"].as_str().unwrap().contains(&through)),
        "{findings:?}"
    );
    // A value that is not API/STAGE=FILE, and a file that is not there, stop before anything
    // is read, saying why.
    for (flag, bad) in [
        ("--ip-ranges-for", "just-a-file"),
        ("--ip-ranges", "/no/such/file"),
    ] {
        let (status, _, err) = snapshot(&m, &[flag, bad]);
        assert!(!status.success());
        assert!(err.contains(flag) && err.contains(bad), "{err}");
    }

    // The dashboard: the way around the CDN, first on the Access screen and in the Overview.
    let t = dashboard(&m, "access", &[], &[]);
    let s = t.wait_text("can be called directly");
    assert!(
        s.contains("orders-api/live can be called directly at its execute-api URL"),
        "{s}"
    );
    t.keys(&["7"]);
    let s = t.wait_text("APIs and stages");
    let first = line_with(&s, "orders-api/live");
    assert!(first.contains("!!"), "{s}");
    assert!(
        s.contains(&format!(
            "distribution {} sends a key header, but orders-api requires no",
            u["distribution"].as_str().unwrap()
        )),
        "{s}"
    );
    assert!(s.contains("PRIVATE, 2 vpce"), "{s}");
    t.keys(&["/"]);
    t.literal("priv");
    t.keys(&["Enter", "Enter"]);
    let s = t.wait_text("resource policy, as written");
    t.keys(&["Escape", "Escape"]);
    t.keys(&["/"]);
    t.literal("live");
    t.keys(&["Enter", "Enter"]);
    let d = t.wait_text("direct hits");
    assert!(
        line_with(&d, "direct hits").contains("~23 requests from 2 addresses"),
        "{d}"
    );
    assert!(d.contains("198.51.100.77 (20)"), "{d}");
    assert!(s.contains("LAMBDA authz\\x1b]52"), "{s}");
    assert!(s.contains("unless via vpce-0untidy1111111111"), "{s}");
    t.keys(&["Escape", "q"]);
    t.wait_dead();
}

fn log_source<'a>(s: &'a Value, destination: &str) -> &'a Value {
    s["logs"]["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["destination"] == destination)
        .unwrap_or_else(|| panic!("no log {destination} in {}", s["logs"]))
}

fn by_name<'a>(list: &'a Value, name: &str) -> &'a Value {
    find(list, "name", &Value::from(name))
}

/// Access logs and WAF logs seeded as API Gateway and AWS WAF write them (tests/aws/logs_seed.py),
/// counted by Logs Insights queries the server evaluates over the stored lines
/// (tests/aws/insights.py): 429s per key, stage and plan, and the sources WAF stopped.
#[test]
fn logs_insights_counts_429s_per_key_and_what_waf_stopped() {
    let m = Moto::start("logs");
    let exp = m.seed(30);
    let want = &exp["logs"];
    let (status, out, err) = snapshot(&m, &[]);
    assert!(status.success(), "{err}");
    let s = &out["snapshot"];

    // The shared access log: read once for both stages, with the fields its format names.
    let access = log_source(s, want["access_group"].as_str().unwrap());
    assert_eq!(access["kind"], "Access");
    assert_eq!(
        strings(&access["of"]),
        strings(&serde_json::json!([
            "payments-api/prod",
            "payments-api/staging"
        ]))
    );
    assert_eq!(access["state"]["state"], "read", "{access}");
    assert_eq!(access["state"]["bytes_scanned"], want["access_bytes"]);
    assert_eq!(
        access["queries"][0],
        "filter status = 429 | stats count(*) as refused by api, stage, key, err | sort refused desc | limit 10000"
    );
    for (name, r) in want["refused"].as_object().unwrap() {
        let key = by_name(&s["api_keys"], name);
        assert_eq!(key["refused"]["throttled"], r["throttled"], "{name}: {key}");
        assert_eq!(key["refused"]["quota"], r["quota"], "{name}");
        assert_eq!(key["refused"]["minutes"], 5.0);
    }
    let no_key: Vec<&Value> = s["logs"]["refused"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["key_id"].is_null())
        .collect();
    assert_eq!(no_key.len(), 1);
    assert_eq!(no_key[0]["other"], want["no_key_refused"]);
    for (name, n) in want["stages"].as_object().unwrap() {
        let (api, stage) = name.split_once('/').unwrap();
        let st = by_name(&by_name(&s["apis"], api)["stages"], stage);
        let r = &st["refused"];
        let total = ["throttled", "quota", "other"]
            .iter()
            .map(|k| r[k].as_u64().unwrap())
            .sum::<u64>();
        assert_eq!(total, n.as_u64().unwrap(), "{name}: {r}");
    }
    // A stage with no access log has no count, not a zero.
    assert!(by_name(&by_name(&s["apis"], "catalog-api")["stages"], "prod")["refused"].is_null());
    for (name, n) in want["plans"].as_object().unwrap() {
        let r = &by_name(&s["usage_plans"], name)["refused"];
        assert_eq!(
            r["throttled"].as_u64().unwrap() + r["quota"].as_u64().unwrap(),
            n.as_u64().unwrap(),
            "{name}: {r}"
        );
    }

    // The WAF log: exact counts by address, path and agent; ALLOW left out.
    let waf = log_source(s, want["waf_group"].as_str().unwrap());
    assert_eq!(waf["state"]["state"], "read", "{waf}");
    let blocked = s["logs"]["blocked"].as_array().unwrap();
    for (ip, n) in want["blocked"].as_object().unwrap() {
        let b = find(
            &s["logs"]["blocked"],
            "client_ip",
            &Value::from(ip.as_str()),
        );
        assert_eq!(&b["requests"], n, "{b}");
    }
    assert_eq!(blocked.len(), want["blocked"].as_object().unwrap().len());
    assert_eq!(blocked[0]["rule"], "BlockBadIPs");
    assert_eq!(blocked[0]["country"], "CN");
    for (field, list) in [
        ("blocked_paths", "blocked_paths"),
        ("blocked_agents", "blocked_agents"),
    ] {
        for (value, n) in want[list].as_object().unwrap() {
            let t = find(&s["logs"][field], "value", &Value::from(value.as_str()));
            assert_eq!(&t["requests"], n, "{t}");
        }
    }
    // Hostile bytes in the lines reach the JSON escaped, never raw.
    let raw = serde_json::to_string(s).unwrap();
    assert!(
        raw.contains(r"Mozilla/5.0 \\u001b]52;c;"),
        "the OSC 52 agent, escaped"
    );
    let cost = &s["logs"]["cost"];
    assert!(cost["bytes_total"].as_u64().unwrap() > want["access_bytes"].as_u64().unwrap());
    assert_eq!(cost["every_secs"], 300);

    // What the server was asked: one query of each log, over the last five minutes, all done.
    let asked = m.logs_queries(None);
    let queries = asked["queries"].as_array().unwrap();
    assert_eq!(queries.len(), 4, "{asked}");
    for q in queries {
        assert_eq!(
            q["end"].as_i64().unwrap() - q["start"].as_i64().unwrap(),
            300
        );
        assert_eq!(q["status"], "Complete");
    }
    let calls = m.calls();
    assert_eq!(calls["StartQuery"], 4);
    assert_eq!(
        calls["StopQuery"],
        Value::Null,
        "nothing left running to stop"
    );

    // On screen: the keys' 429s a minute from the log (37 in 5 minutes), and the exact sources.
    let t = dashboard(&m, "logs", &[], &[]);
    t.wait_text("Unusual now");
    t.keys(&["6"]);
    let s = t.wait_text("429/m from access logs");
    assert!(row_with(&s, "acme-logistics ").contains(" 7.4"), "{s}");
    t.keys(&["4"]);
    let s = t.wait_text("Blocked, exact: edge-regional ");
    let row = line_with(&s, "│192.0.2.77 ");
    assert!(row.contains("BlockBadIPs") && row.contains(" 40"), "{s}");
    assert!(s.contains("Blocked paths (logs)"), "{s}");
    t.keys(&["1"]);
    let s = t.wait_text("Logs Insights");
    assert!(line_with(&s, "Logs Insights").contains("KB/run"), "{s}");
    t.keys(&["q"]);
    t.wait_dead();

    // --no-logs: not a call to Logs Insights or to WAF's logging configuration.
    m.reset_calls();
    let (status, out, err) = snapshot(&m, &["--no-logs"]);
    assert!(status.success(), "{err}");
    assert!(out["snapshot"]["logs"].is_null());
    assert!(by_name(&out["snapshot"]["api_keys"], "acme-logistics")["refused"].is_null());
    let calls = m.calls();
    for op in ["StartQuery", "GetQueryResults", "GetLoggingConfiguration"] {
        assert_eq!(calls[op], Value::Null, "{op} with --no-logs");
    }
}

/// A query that never finishes is stopped at the time limit and said so; one that fails says so;
/// a denied StartQuery names the permission. The sampled view stays whatever the logs do.
#[test]
fn a_slow_or_failing_log_query_is_said_and_the_samples_stay() {
    let m = Moto::start("logs-fail");
    m.seed(20);
    let waf_group = "aws-waf-logs-edge-regional";

    m.logs_queries(Some((-1, "Complete")));
    let (status, out, err) = snapshot(&m, &["--logs-timeout", "2"]);
    assert!(status.success(), "{err}");
    let s = &out["snapshot"];
    assert_eq!(log_source(s, waf_group)["state"]["state"], "timed_out");
    assert!(s["logs"]["blocked"].as_array().unwrap().is_empty());
    assert!(
        !s["samples"].as_array().unwrap().is_empty(),
        "the sampled view stays"
    );
    let (all, asked) = every_query(&m, |q| q["stopped"] == true);
    assert!(all, "every query past its limit was stopped: {asked}");

    // The dashboard: a query still running says so on the Origins screen, which keeps the
    // sampled view; quitting stops it, since nobody would read its answer.
    m.logs_queries(Some((-1, "Complete")));
    let t = dashboard(&m, "logs-exit", &[], &[]);
    t.wait_text("Unusual now");
    t.keys(&["4"]);
    t.wait_text("Top client IPs (sampled, weighted) — querying WAF logs…");
    t.keys(&["q"]);
    t.wait_dead();
    let (all, asked) = every_query(&m, |q| q["status"] != "Running");
    assert!(all, "quitting stopped every running query: {asked}");

    m.logs_queries(Some((1, "Failed")));
    let (_, out, err) = snapshot(&m, &[]);
    let src = log_source(&out["snapshot"], waf_group);
    assert_eq!(src["state"]["state"], "failed", "{err}");
    assert_eq!(
        src["state"]["message"],
        "Logs Insights says the query Failed"
    );

    m.logs_queries(Some((0, "Complete")));
    m.fault("StartQuery", "AccessDeniedException", -1);
    let (_, out, _) = snapshot(&m, &[]);
    let src = log_source(&out["snapshot"], waf_group);
    assert_eq!(src["state"]["state"], "failed");
    assert!(
        src["state"]["message"]
            .as_str()
            .unwrap()
            .starts_with("logs:StartQuery is denied"),
        "{src}"
    );
    // And the panels that show the logs' figures say so.
    let problems = &out["snapshot"]["problems"];
    assert!(
        any_starting(
            problems,
            ("panel", "Samples"),
            (
                "message",
                "log aws-waf-logs-edge-regional: logs:StartQuery is denied"
            )
        ),
        "{problems}"
    );

    // A GetQueryResults that fails stops its query: nobody would read its answer.
    m.clear_faults();
    let before = m.logs_queries(None)["queries"].as_array().unwrap().len();
    m.logs_queries(Some((-1, "Complete")));
    m.fault("GetQueryResults", "AccessDeniedException", -1);
    let (_, out, _) = snapshot(&m, &[]);
    assert_eq!(
        log_source(&out["snapshot"], waf_group)["state"]["state"],
        "failed"
    );
    let all = m.logs_queries(None)["queries"].clone();
    let started = &all.as_array().unwrap()[before..];
    assert!(!started.is_empty());
    assert!(
        started.iter().all(|q| q["stopped"] == true),
        "a query whose answer could not be read was left running: {all}"
    );
    // A throttled one is asked again, and read.
    m.clear_faults();
    m.logs_queries(Some((0, "Complete")));
    m.fault("GetQueryResults", "ThrottlingException", 2);
    let (_, out, err) = snapshot(&m, &[]);
    assert_eq!(
        log_source(&out["snapshot"], waf_group)["state"]["state"],
        "read",
        "{err}"
    );
    // A query AWS has no room for (its concurrency quota: LimitExceededException) is queued
    // and started again, not failed.
    m.clear_faults();
    m.fault("StartQuery", "LimitExceededException", 2);
    m.reset_calls();
    let (_, out, err) = snapshot(&m, &[]);
    assert_eq!(
        log_source(&out["snapshot"], waf_group)["state"]["state"],
        "read",
        "{err}"
    );
    let calls = m.calls();
    let queries = out["snapshot"]["logs"]["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["queries"].as_array().map_or(0, |q| q.len()))
        .sum::<usize>();
    assert_eq!(
        calls["StartQuery"].as_u64(),
        Some(queries as u64 + 2),
        "each refused start tried again once: {calls}"
    );
}

/// The untidy logs: a format that names only the request id says what to add; a CLF format is
/// parsed by position; a web ACL logging to S3 is named and never queried.
#[test]
fn untidy_logs_are_parsed_or_named() {
    let m = Moto::start("logs-untidy");
    let exp = m.seed_untidy(20);
    let u = &exp["untidy"]["logs"];
    let (status, out, err) = snapshot(&m, &[]);
    assert!(status.success(), "{err}");
    let s = &out["snapshot"];
    let lacking = log_source(s, "orders-access");
    assert_eq!(lacking["state"]["state"], "lacking");
    assert_eq!(
        lacking["state"]["variables"],
        serde_json::json!([
            "$context.identity.apiKeyId",
            "$context.status",
            "$context.error.responseType"
        ])
    );
    let clf = log_source(s, u["clf_group"].as_str().unwrap());
    assert_eq!(clf["state"]["state"], "read", "{clf}");
    assert!(
        clf["queries"][0].as_str().unwrap().starts_with(
            r#"parse @message /^(?<sourceIp>.*?) - - \[(?<requestTime>.*?)\] "(?<httpMethod>.*?) "#
        ),
        "{clf}"
    );
    // acme-logistics: its 429s in the tidy seed's JSON log and in this CLF one, summed.
    let acme = by_name(&s["api_keys"], "acme-logistics");
    let both = exp["logs"]["refused"]["acme-logistics"]["throttled"]
        .as_u64()
        .unwrap()
        + u["clf_throttled"].as_u64().unwrap();
    assert_eq!(acme["refused"]["throttled"], both, "{acme}");
    let orders_b = api_by_id(
        s,
        exp["untidy"]["apis"]["ids"]["orders-b"].as_str().unwrap(),
    );
    let live = by_name(&orders_b["stages"], "live");
    assert_eq!(live["refused"]["throttled"], u["clf_throttled"], "{live}");
    assert_eq!(live["refused"]["other"], u["clf_no_key"], "{live}");
    let s3 = log_source(s, u["s3_bucket"].as_str().unwrap());
    assert_eq!(s3["kind"], "Waf");
    assert_eq!(s3["of"], serde_json::json!(["shop-edge"]));
    assert_eq!(s3["state"]["state"], "not_queryable");
    let (all, asked) = every_query(&m, |q| !q["groups"].to_string().contains("s3"));
    assert!(all, "{asked}");
}

/// The server's Logs Insights evaluator checks itself: filter, parse (glob and regex), stats by
/// fields and bin(), sort, limit, and queries AWS would refuse refused.
#[test]
fn the_servers_logs_insights_evaluator_passes_its_own_checks() {
    let out = std::process::Command::new(common::moto::python())
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/aws/insights.py"
        ))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "insights.py: ok"
    );
}

/// The alarms on what edgetop shows, read from the peer: a WAF alarm found by the web ACL's
/// and the rule's *metric* names (not their names), an API's without data yet, and none on
/// EC2. (moto has no PutCompositeAlarm: composite alarms are the unit tests'.) The Overview
/// leads with them.
#[test]
fn the_alarms_on_what_is_shown_lead_the_overview() {
    let m = Moto::start("alarms");
    m.seed_untidy(20);
    m.tamper(&["alarms"]);
    let (status, out, err) = snapshot(&m, &[]);
    assert!(status.success(), "{err}");
    let alarms = out["snapshot"]["alarms"]
        .as_array()
        .unwrap_or_else(|| panic!("alarms: {}", out["snapshot"]["problems"]))
        .clone();
    let names: Vec<&str> = alarms.iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(
        names[..2],
        ["shop-edge login throttle", "catalog prod 5xx"],
        "ALARM first, then INSUFFICIENT_DATA"
    );
    let mut ok = names[2..].to_vec();
    ok.sort();
    assert_eq!(
        ok,
        [
            "orders live traffic anomaly",
            "orders-b 429s in the access log"
        ],
        "then OK; none on EC2 or on a custom metric no access log's filter makes"
    );
    let named = |n: &str| alarms.iter().find(|a| a["name"] == n).unwrap();
    let waf = &alarms[0];
    assert_eq!(waf["state"], "ALARM");
    assert_eq!(waf["watches"]["kind"], "web_acl");
    assert_eq!(waf["watches"]["web_acl"], "shop-edge");
    assert_eq!(waf["watches"]["rule"], "Login-Throttle");
    assert_eq!(waf["threshold"], "> 100");
    // Drawn on the rule's per-minute chart: a Sum over five minutes, a fifth a minute.
    assert_eq!(waf["limit"], 20.0);
    assert_eq!(alarms[1]["limit"], 100.0, "a one-minute Sum as it is");
    assert!(waf["since"].is_string(), "{waf}");
    assert_eq!(alarms[1]["state"], "INSUFFICIENT_DATA");
    assert_eq!(alarms[1]["watches"]["api"], "catalog-api");
    // The anomaly-detection alarm: its band read with ANOMALY_DETECTION_BAND of the metric its
    // threshold names (ids and width its own), the two edges told apart whatever their order.
    let anomaly = named("orders live traffic anomaly");
    assert_eq!(anomaly["metric"], "AWS/ApiGateway Count");
    assert_eq!(anomaly["threshold"], "outside the band (3 σ)");
    assert!(anomaly.get("limit").is_none(), "{anomaly}");
    assert_eq!(anomaly["watches"]["api"], "orders-api");
    let band = &anomaly["band"];
    assert_eq!(band["deviations"], 3.0);
    let edge = |name: &str| -> Vec<Option<f64>> {
        band[name]["values"]
            .as_array()
            .unwrap_or_else(|| panic!("{band}"))
            .iter()
            .map(Value::as_f64)
            .collect()
    };
    let (low, high) = (edge("low"), edge("high"));
    assert_eq!(low.len(), high.len());
    let whole: Vec<(f64, f64)> = low
        .iter()
        .zip(&high)
        .filter_map(|(l, h)| Some(((*l)?, (*h)?)))
        .collect();
    assert!(whole.len() >= 55, "a point a seeded minute: {band}");
    assert!(whole.iter().all(|(l, h)| l < h), "{band}");
    // The metric a Logs metric filter makes of orders-b/live's access log: about that stage.
    let log = named("orders-b 429s in the access log");
    assert_eq!(log["watches"]["kind"], "access_log", "{log}");
    assert_eq!(log["watches"]["group"], "orders-b-clf");
    assert_eq!(
        log["watches"]["stages"],
        serde_json::json!(["orders-api/live"])
    );

    // On the dashboard: first on the Overview, counted in the header, the reason inert; Enter
    // leads to the rule's row on WAF.
    let t = dashboard(&m, "alarms", &[], &[]);
    let s = t.wait_text("IN ALARM");
    assert!(s.contains(" 1 IN ALARM "), "{s}");
    let s = t.wait_text("ALARM shop-edge login throttle since");
    assert!(!s.contains('\u{202e}'), "{s}");
    assert!(
        line_with(&s, "ALARM shop-edge login throttle").contains("on Login-Throttle (shop-edge)"),
        "{s}"
    );
    // The alarm is the first row once nothing is still being read (that would come first).
    t.wait_for("the alarm first", |s| {
        let mut lines = s.lines().skip_while(|l| !l.contains(" !  what "));
        lines
            .nth(1)
            .is_some_and(|l| l.contains("ALARM shop-edge login throttle"))
    });
    t.keys(&["Enter"]);
    let s = t.wait_text("/ filter: Login-Throttle");
    assert!(s.contains(" Login-Throttle "), "{s}");
    // The band around the stage's requests, in its detail on Throttling.
    t.filter("2", "orders-api live");
    t.wait_text("/ filter: orders-api live");
    t.keys(&["Enter"]);
    t.wait_text("band 3 σ");
    t.keys(&["Escape", "q"]);
    t.wait_dead();
}

fn rule_blocked<'a>(s: &'a Value, acl: &str, rule: &str) -> &'a Value {
    let acl = find(&s["web_acls"], "name", &Value::from(acl));
    &find(&acl["rules"], "name", &Value::from(rule))["metrics"]["blocked"]
}

fn in_window(series: &Value) -> f64 {
    sum(series) * series["period_min"].as_f64().unwrap_or(1.0)
}

#[test]
fn a_longer_range_reads_coarser_points_and_the_hours_before() {
    let m = Moto::start("range");
    let exp = m.seed(20);
    // Two datapoints of LoginRateLimit long before the hour the seed wrote: 6 and 20 hours ago.
    m.tamper(&["history", "edge-regional", "LoginRateLimit", "6", "600"]);
    m.tamper(&["history", "edge-regional", "LoginRateLimit", "20", "900"]);
    let seeded = exp["metrics"]["rules"]["edge-regional/LoginRateLimit"]["blocked_sum"]
        .as_f64()
        .unwrap();

    let (status, hour, err) = snapshot(&m, &["--range", "1h"]);
    assert!(status.success(), "{err}");
    let hour = rule_blocked(&hour["snapshot"], "edge-regional", "LoginRateLimit");
    assert_eq!(hour["values"].as_array().unwrap().len(), 60);
    assert_eq!(
        in_window(hour),
        seeded,
        "the hour holds only the seed's minutes"
    );

    m.reset_calls();
    let (status, day, err) = snapshot(&m, &["--range", "24h"]);
    assert!(status.success(), "{err}");
    assert_eq!(day["snapshot"]["range"], "24h");
    let s = rule_blocked(&day["snapshot"], "edge-regional", "LoginRateLimit");
    let values = s["values"].as_array().unwrap();
    assert_eq!((values.len(), s["period_min"].as_u64()), (288, Some(5)));
    assert_eq!(
        in_window(s),
        seeded + 1500.0,
        "a day holds the seed's minutes and both older points: {s}"
    );
    // Per minute: the five-minute point six hours back holds a fifth of its sum.
    assert!(
        values.iter().any(|v| v.as_f64() == Some(120.0)),
        "{values:?}"
    );
    // One call per endpoint (regional, and us-east-1 for CloudFront's web ACL), whatever the
    // range: every series asked once, so the cost per poll is the same.
    assert_eq!(
        m.calls()["GetMetricData"].as_u64(),
        Some(2),
        "{}",
        m.calls()
    );

    let (status, week, err) = snapshot(&m, &["--range", "7d"]);
    assert!(status.success(), "{err}");
    let s = rule_blocked(&week["snapshot"], "edge-regional", "LoginRateLimit");
    let values = s["values"].as_array().unwrap();
    assert_eq!((values.len(), s["period_min"].as_u64()), (168, Some(60)));
    assert!(
        values.iter().any(|v| v.as_f64() == Some(15.0)),
        "the hour 20 hours back: 900 a sixtieth a minute: {values:?}"
    );
    let (status, _, err) = snapshot(&m, &["--range", "2h"]);
    assert!(!status.success());
    assert!(err.contains("15m, 1h, 3h, 12h, 24h, 3d, 7d"), "{err}");
}

#[test]
fn shield_attacks_lead_the_overview_and_mark_the_row_of_their_resource() {
    let m = Moto::start("attacks");
    let exp = m.seed_untidy(20);
    let dist = exp["untidy"]["distribution"].as_str().unwrap().to_string();
    let arn = format!("arn:aws:cloudfront::123456789012:distribution/{dist}");
    let now = chrono::Utc::now().timestamp();
    // One going on, with a hostile user agent among its top contributors; one over, 3 days
    // ago; one 9 days ago, before the 7 days read; and more than a page (MaxResults 100) of
    // old ones on another resource, over.
    let mut attacks = vec![
        serde_json::json!({
            "AttackId": "ongoing-1", "ResourceArn": arn, "StartTime": now - 600,
            "Vectors": ["REQUEST_FLOOD"],
            "AttackProperties": [{
                "AttackLayer": "APPLICATION", "AttackPropertyIdentifier": "SOURCE_USER_AGENT",
                "TopContributors": [{"Name": "evil\u{1b}]0;owned\u{7}\u{202e}agent", "Value": 900}],
                "Unit": "REQUESTS", "Total": 1000
            }]
        }),
        serde_json::json!({
            "AttackId": "over-1", "ResourceArn": arn, "StartTime": now - 3 * 86400,
            "EndTime": now - 3 * 86400 + 1800, "Vectors": ["SYN_FLOOD"]
        }),
        serde_json::json!({
            "AttackId": "too-old", "ResourceArn": arn, "StartTime": now - 9 * 86400,
            "EndTime": now - 9 * 86400 + 60, "Vectors": ["UDP_REFLECTION"]
        }),
    ];
    for i in 0..120 {
        attacks.push(serde_json::json!({
            "AttackId": format!("elb-{i}"),
            "ResourceArn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/x/1",
            "StartTime": now - 86400 - i * 60, "EndTime": now - 86400 - i * 60 + 30,
            "Vectors": ["ACK_FLOOD"]
        }));
    }
    m.shield_attacks(Value::from(attacks));
    let (status, out, err) = snapshot(&m, &[]);
    assert!(status.success(), "{err}");
    let got = out["snapshot"]["attacks"].as_array().unwrap();
    let ids: BTreeSet<&str> = got.iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(got.len(), 122, "every page of the last 7 days: {ids:?}");
    assert!(!ids.contains("too-old"));
    let ongoing = got.iter().find(|a| a["id"] == "ongoing-1").unwrap();
    assert!(ongoing["ended"].is_null());
    assert_eq!(ongoing["vectors"], serde_json::json!(["REQUEST_FLOOD"]));
    let agent = ongoing["contributors"][0]["top"][0][0].as_str().unwrap();
    assert!(
        !agent.contains('\u{1b}') && !agent.contains('\u{202e}'),
        "{agent:?}"
    );
    assert!(m.calls()["DescribeAttack"].as_u64().unwrap() <= 10);

    // On the dashboard: the attack going on leads the Overview, and leads to the Access row
    // of the stage behind the distribution.
    let t = dashboard(&m, "attacks", &[], &[]);
    let s = t.wait_text(&format!("Shield: DDoS attack on {dist} since"));
    assert!(!s.contains('\u{202e}'), "{s}");
    t.wait_for("the attack first", |s| {
        let mut lines = s.lines().skip_while(|l| !l.contains(" !  what "));
        lines
            .nth(1)
            .is_some_and(|l| l.contains("Shield: DDoS attack on"))
    });
    t.keys(&["Enter"]);
    let s = t.wait_text(&format!("/ filter: {dist}"));
    assert!(
        line_with(&s, "orders-api/live").contains("Shield: DDoS"),
        "{s}"
    );
    t.keys(&["q"]);
    t.wait_dead();

    // The read-only policy reads them; without shield:DescribeAttack, the Access panel says
    // so and the attacks' list is kept from before (none here): nothing made up.
    let read_only = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("iam/read-only.json");
    let (key, secret) = m.iam_user(&read_only, "edgetop-reader");
    let (status, out, err) = snapshot_as(&m, &key, &secret);
    assert!(status.success(), "{err}");
    assert_eq!(
        out["snapshot"]["attacks"].as_array().map(Vec::len),
        Some(122)
    );
    let shield_problems = |out: &Value| {
        out["snapshot"]["problems"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["message"].as_str().unwrap().contains("shield:"))
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(shield_problems(&out), Vec::<Value>::new());
    let mut policy: Value =
        serde_json::from_str(&std::fs::read_to_string(&read_only).unwrap()).unwrap();
    for st in policy["Statement"].as_array_mut().unwrap() {
        if let Some(actions) = st["Action"].as_array_mut() {
            actions.retain(|a| a != "shield:DescribeAttack");
        }
    }
    let reduced = m.dir.join("no-describe-attack.json");
    std::fs::write(&reduced, policy.to_string()).unwrap();
    let (key, secret) = m.iam_user(&reduced, "edgetop-no-attacks");
    let (status, out, err) = snapshot_as(&m, &key, &secret);
    assert!(status.success(), "{err}");
    let problems = shield_problems(&out);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0]["panel"], "Access");
    assert!(
        problems[0]["message"]
            .as_str()
            .unwrap()
            .contains("shield:DescribeAttack is denied"),
        "{problems:?}"
    );
    assert!(out["snapshot"].get("attacks").is_none());
}

#[test]
fn compare_reads_the_same_window_a_week_before_and_counts_its_cost() {
    let m = Moto::start("compare");
    m.seed(20);
    // LoginRateLimit a week ago, three minutes before this minute then: 700 blocked.
    m.tamper(&[
        "history",
        "edge-regional",
        "LoginRateLimit",
        "168.05",
        "700",
    ]);
    m.reset_calls();
    let (status, out, err) = snapshot(&m, &["--compare", "7d"]);
    assert!(status.success(), "{err}");
    let s = &out["snapshot"];
    assert_eq!(s["compare"]["shift"], "7d");
    let blocked = rule_blocked(s, "edge-regional", "LoginRateLimit");
    let then = &blocked["then"];
    assert_eq!(then["values"].as_array().unwrap().len(), 60, "{then}");
    assert_eq!(
        sum(then),
        700.0,
        "the week-old minute, in the window then: {then}"
    );
    assert_eq!(
        then["end"].as_str().unwrap()[..10],
        (chrono::Utc::now() - chrono::Duration::days(7))
            .format("%Y-%m-%d")
            .to_string(),
        "{then}"
    );
    // A rule with nothing then has a comparison of zeros, not none.
    let other = rule_blocked(s, "edge-regional", "BlockBadIPs");
    assert_eq!(sum(&other["then"]), 0.0);
    // Two reads of every series a poll, one per endpoint each: the cost meter counts both.
    assert_eq!(
        m.calls()["GetMetricData"].as_u64(),
        Some(4),
        "{}",
        m.calls()
    );
    let (status, plain, _) = snapshot(&m, &[]);
    assert!(status.success());
    assert!(
        rule_blocked(&plain["snapshot"], "edge-regional", "LoginRateLimit")
            .get("then")
            .is_none()
    );
    assert!(
        plain["snapshot"]["cost"]["metrics_last_poll"]
            .as_u64()
            .unwrap()
            * 2
            == s["cost"]["metrics_last_poll"].as_u64().unwrap()
    );
}
