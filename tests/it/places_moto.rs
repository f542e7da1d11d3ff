//! Many accounts and regions in one view, against the AWS protocol peer: the same account in two
//! regions whose resources carry the same names, and a second account reached through a
//! profile that assumes a role (as `role_arn` and `source_profile` do; moto puts what such
//! credentials create in the role's account). The real binary, the real SDK's profile chain.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::moto::Moto;
use common::tmux::{BIN, Tmux, line_with, row_with};
use serde_json::Value;

/// An AWS config with two profiles: `main` (the seeder's account, by its keys) and `partner`
/// (a role in the second account, assumed from `main`), both sent to the peer.
fn profiles(m: &Moto, role_arn: &str) -> (PathBuf, PathBuf) {
    let (config, credentials) = (m.dir.join("aws-config"), m.dir.join("aws-credentials"));
    std::fs::write(
        &config,
        format!(
            "[profile main]\nregion = eu-west-1\n\n[profile partner]\nrole_arn = {role_arn}\n\
             source_profile = main\nrole_session_name = edgetop-test\nregion = eu-west-1\n"
        ),
    )
    .unwrap();
    std::fs::write(
        &credentials,
        "[main]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
    )
    .unwrap();
    (config, credentials)
}

/// The environment of a run through profiles only: no credentials of its own, every call to
/// the peer (AWS_ENDPOINT_URL reaches the SDK's own STS client of the profile chain too).
fn env(m: &Moto, files: &(PathBuf, PathBuf), state: &Path) -> Vec<(String, String)> {
    vec![
        ("AWS_CONFIG_FILE".into(), files.0.display().to_string()),
        (
            "AWS_SHARED_CREDENTIALS_FILE".into(),
            files.1.display().to_string(),
        ),
        ("AWS_ENDPOINT_URL".into(), m.endpoint()),
        ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
        ("XDG_STATE_HOME".into(), state.display().to_string()),
        (
            "XDG_CONFIG_HOME".into(),
            state.join("config").display().to_string(),
        ),
    ]
}

/// The dashboard through profiles in a private tmux (160×48), its state in `state-NAME`:
/// `args`, then the endpoint, one attempt per call and no logs.
fn dashboard(m: &Moto, files: &(PathBuf, PathBuf), name: &str, args: &[&str]) -> Tmux {
    let words: Vec<String> = env(m, files, &m.dir.join(format!("state-{name}")))
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let endpoint = m.endpoint();
    let mut all = args.to_vec();
    all.extend([
        "--endpoint-url",
        &endpoint,
        "--max-attempts",
        "1",
        "--no-logs",
    ]);
    Tmux::start_with_env(name, 160, 48, &words.join(" "), &all)
}

/// `edgetop snapshot --json` through profiles: (success, the snapshot, stderr).
fn snapshot(m: &Moto, files: &(PathBuf, PathBuf), args: &[&str]) -> (bool, Value, String) {
    let out = Command::new(BIN)
        .args(["snapshot", "--json", "--no-logs", "--max-attempts", "1"])
        .args(["--endpoint-url", &m.endpoint()])
        .args(args)
        .arg("--log-file")
        .arg(m.dir.join("edgetop.log"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env(m, files, &m.dir.join("state")))
        .output()
        .unwrap();
    let json = serde_json::from_slice::<Value>(&out.stdout)
        .map(|v| v["snapshot"].clone())
        .unwrap_or(Value::Null);
    (
        out.status.success(),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The rows of `list` named `name`, as (place, row).
fn named<'a>(s: &'a Value, list: &str, name: &str) -> Vec<(u64, &'a Value)> {
    s[list]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["name"] == name)
        .map(|r| (r["place"].as_u64().unwrap(), r))
        .collect()
}

#[test]
fn two_regions_and_a_second_account_are_read_as_one() {
    let m = Moto::start("places");
    m.seed(30);
    let seeded = m.seed_places();
    let files = profiles(&m, seeded["role_arn"].as_str().unwrap());
    m.reset_calls();
    let (ok, s, err) = snapshot(
        &m,
        &files,
        &[
            "--profile",
            "main,partner",
            "--region",
            "eu-west-1,us-east-1",
        ],
    );
    assert!(ok, "{err}");
    let places: Vec<(&str, &str, &str)> = s["places"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            assert!(p["failed"].is_null(), "{p}");
            (
                p["label"].as_str().unwrap(),
                p["account"]["id"].as_str().unwrap(),
                p["account"]["region"].as_str().unwrap(),
            )
        })
        .collect();
    let second = seeded["second_account"].as_str().unwrap();
    assert_eq!(
        places,
        [
            ("main", "123456789012", "eu-west-1"),
            ("main", "123456789012", "us-east-1"),
            ("partner", second, "eu-west-1"),
            ("partner", second, "us-east-1"),
        ]
    );

    // The same names in two regions: the place tells them apart, and nothing is merged.
    let acls = named(&s, "web_acls", "edge-regional");
    assert_eq!(acls.iter().map(|a| a.0).collect::<Vec<_>>(), [0, 1]);
    assert_eq!(
        acls[1].1["id"], seeded["regional_acl"]["us-east-1"]["id"],
        "us-east-1's web ACL is its own"
    );
    assert_ne!(acls[0].1["id"], acls[1].1["id"]);
    let apis = named(&s, "apis", "payments-api");
    assert_eq!(apis.iter().map(|a| a.0).collect::<Vec<_>>(), [0, 1]);
    assert_eq!(
        apis[1].1["stages"][0]["web_acl"], "edge-regional",
        "{}",
        apis[1].1
    );
    let us_key = s["api_keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == seeded["regional_acl"]["us-east-1"]["key_id"])
        .expect("us-east-1's key");
    assert_eq!(us_key["place"], 1);
    assert_eq!(s["api_keys"].as_array().unwrap().len(), 30 + 2);

    // The second account's own API, reached through the role (main has one of that name too).
    let partner: Vec<u64> = named(&s, "apis", "partner-api")
        .iter()
        .map(|a| a.0)
        .collect();
    assert_eq!(partner, [0, 2]);
    assert_eq!(named(&s, "web_acls", "partner-edge")[0].0, 2);

    // What is global to an account is read once for it, by its first region.
    let dists: Vec<(u64, &str)> = s["distributions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["place"].as_u64().unwrap(), d["id"].as_str().unwrap()))
        .collect();
    assert!(
        dists.contains(&(2, seeded["second_distribution"].as_str().unwrap())),
        "{dists:?}"
    );
    assert!(dists.iter().all(|(p, _)| *p == 0 || *p == 2), "{dists:?}");
    // CloudFront, read with eu-west-1, sends us-east-1's key under a header name edgetop was
    // not told about: it is matched with the key across the account's regions.
    let us_dist = s["distributions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == seeded["us_distribution"])
        .expect("the distribution in front of us-east-1");
    assert_eq!(us_dist["place"], 0);
    let sent = &us_dist["origins"][0]["key_headers"];
    assert_eq!(sent.as_array().unwrap().len(), 1, "{sent}");
    assert_eq!(sent[0]["key_id"], us_key["id"], "{sent}");
    assert!(
        sent[0]["header"]
            .as_str()
            .unwrap()
            .eq_ignore_ascii_case("x-edge-credential"),
        "{sent}"
    );
    let cloudfront_acls: Vec<u64> = s["web_acls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["scope"] == "Cloudfront")
        .map(|a| a["place"].as_u64().unwrap())
        .collect();
    assert_eq!(cloudfront_acls, [0], "edge-cloudfront once, in main");
    let calls = m.calls();
    assert_eq!(calls["ListDistributions"], 2, "once per account: {calls}");
    assert_eq!(
        calls["DescribeSubscription"], 2,
        "once per account: {calls}"
    );
    // The role was assumed at the peer, not elsewhere.
    assert!(calls["AssumeRole"].as_u64().unwrap() >= 1, "{calls}");
    assert_eq!(calls["GetCallerIdentity"], 4, "one per place: {calls}");
}

#[test]
fn a_refused_account_says_so_and_the_others_carry_on() {
    let m = Moto::start("refused");
    m.seed(30);
    let seeded = m.seed_places();
    let files = profiles(&m, seeded["role_arn"].as_str().unwrap());
    // The partner's role cannot be assumed: its credentials are refused.
    m.fault("AssumeRole", "AccessDenied", -1);
    let (ok, s, err) = snapshot(
        &m,
        &files,
        &["--profile", "main,partner", "--region", "eu-west-1"],
    );
    assert!(ok, "the others carry on: {err}");
    let failed = &s["places"][1]["failed"]["message"];
    assert!(
        failed.as_str().unwrap().contains("AccessDenied"),
        "{}",
        s["places"]
    );
    assert!(s["places"][0]["failed"].is_null());
    assert_eq!(s["api_keys"].as_array().unwrap().len(), 30);
    let problems: Vec<&str> = s["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["message"].as_str().unwrap())
        .collect();
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("partner · eu-west-1: not read: ") && p.contains("AccessDenied")),
        "{problems:?}"
    );

    // Only one place, refused: a clear error before anything opens, as before.
    let (ok, _, err) = snapshot(
        &m,
        &files,
        &["--profile", "partner", "--region", "eu-west-1"],
    );
    assert!(!ok);
    assert!(err.contains("AccessDenied"), "{err}");

    // On screen: the header names it, and every panel says why, while main's rows are there.
    let t = dashboard(
        &m,
        &files,
        "refused",
        &["--profile", "main,partner", "--region", "eu-west-1"],
    );
    let s = t.wait_text("partner · eu-west-1 NOT READ");
    assert!(s.contains("2 accounts × 1 region"), "{s}");
    t.keys(&["6"]);
    let s = t.wait_text("acme-logistics");
    assert!(s.contains("partner · eu-west-1: not read"), "{s}");
    assert!(row_with(&s, "main ").contains("eu-west-1"), "{s}");
    t.keys(&["q"]);
    t.wait_dead();
}

#[test]
fn a_toggle_in_the_second_region_changes_only_its_web_acl() {
    let m = Moto::start("toggle2");
    m.seed(30);
    let seeded = m.seed_places();
    let files = profiles(&m, seeded["role_arn"].as_str().unwrap());
    let t = dashboard(
        &m,
        &files,
        "toggle2",
        &[
            "--profile",
            "main",
            "--region",
            "eu-west-1,us-east-1",
            "--refresh",
            "2",
        ],
    );
    let state = m.dir.join("state-toggle2");
    t.wait_text("1 account × 2 regions");
    // The filter matches the region: one GeoScrapers of the two.
    t.filter("3", "us-east-1 GeoScrapers");
    let s = t.wait_text("[/us-east-1 GeoScrapers] 1/1");
    let row = line_with(&s, " GeoScrapers ");
    assert!(row.contains("us-east-1") && row.contains("COUNT"), "{s}");
    t.keys(&["t"]);
    let s = t.wait_text("Confirm a change");
    assert!(s.contains("in main"), "{s}");
    assert!(s.contains("Account 123456789012 in us-east-1"), "{s}");
    t.keys(&["Tab", "Enter"]);
    t.wait_text("accepted:");
    t.wait_for("a read to confirm it", |s| {
        let l = line_with(s, " GeoScrapers ");
        l.contains("BLOCK") && !l.contains("BLOCK…")
    });
    let rule = |region: &str| {
        m.state_in(region)["web_acls"]["REGIONAL/edge-regional"]["rules"]["GeoScrapers"]["action"]
            .clone()
    };
    assert_eq!(rule("us-east-1"), "Block");
    assert_eq!(
        rule("eu-west-1"),
        "Count",
        "the first region's is untouched"
    );
    // eu-west-1's row still counts.
    t.keys(&["Escape", "/"]);
    t.literal("eu-west-1 GeoScrapers");
    t.keys(&["Enter"]);
    let s = t.wait_text("[/eu-west-1 GeoScrapers] 1/1");
    assert!(line_with(&s, " GeoScrapers ").contains("COUNT"), "{s}");
    t.keys(&["q"]);
    t.wait_dead();

    // The audit log names the account and region it acted in.
    let audit = std::fs::read_to_string(state.join("edgetop/audit.jsonl")).unwrap();
    let done: Value = audit
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|e| e["phase"] == "succeeded")
        .expect("a succeeded entry");
    assert_eq!(done["account"], "123456789012", "{done}");
    assert_eq!(done["region"], "us-east-1", "{done}");
    assert!(
        done["what"]
            .as_str()
            .unwrap()
            .contains("in main (123456789012 us-east-1)"),
        "{done}"
    );
    assert_eq!(
        done["op"]["ToggleRule"]["at"]["region"], "us-east-1",
        "{done}"
    );
}

#[test]
fn region_all_reads_the_regions_in_use() {
    let m = Moto::start("allregions");
    m.seed(30);
    let seeded = m.seed_places();
    let files = profiles(&m, seeded["role_arn"].as_str().unwrap());
    // A region with only an HTTP API is in use too.
    m.tamper(&["create-http-api", "ap-southeast-2", "only-http"]);
    m.reset_calls();
    let (ok, s, err) = snapshot(&m, &files, &["--profile", "main", "--region", "all"]);
    assert!(ok, "{err}");
    let mut regions: Vec<&str> = s["places"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["account"]["region"].as_str().unwrap())
        .collect();
    regions.sort_unstable();
    assert_eq!(
        regions,
        ["ap-southeast-2", "eu-west-1", "us-east-1"],
        "only where there is an API or a web ACL"
    );
    let calls = m.calls();
    assert_eq!(calls["DescribeRegions"], 1, "{calls}");
    // The peer knows every commercial region; each was asked once, cheaply.
    assert!(calls["ListWebACLs"].as_u64().unwrap() > 10, "{calls}");
}

/// The values of a series in the JSON, gaps left out.
fn values(series: &Value) -> Vec<f64> {
    series["values"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_f64)
        .collect()
}

/// The keys that signed each CloudWatch read (GetMetricData, ListMetrics) in `region`.
fn cloudwatch_signers(m: &Moto, region: &str) -> Vec<(String, String)> {
    m.place_log()
        .into_iter()
        .filter(|c| {
            c.service.as_deref() == Some("monitoring")
                && (c.operation == "GetMetricData" || c.operation == "ListMetrics")
                && c.region.as_deref() == Some(region)
        })
        .map(|c| (c.operation, c.key.unwrap_or_default()))
        .collect()
}

/// The partner's eu-west-1 (place 2) has its figures, read with its own key.
fn partner_read_its_own(m: &Moto, s: &Value, count: f64, place: u64) {
    let theirs = named(s, "apis", "partner-api")
        .into_iter()
        .find(|(p, _)| *p == place)
        .unwrap()
        .1;
    assert!(values(&theirs["stages"][0]["metrics"]["count"]).contains(&count));
    let signers = cloudwatch_signers(m, "eu-west-1");
    assert!(
        signers
            .iter()
            .any(|(op, key)| op == "GetMetricData" && key != "testing"),
        "the partner read its own: {signers:?}"
    );
}

#[test]
fn a_monitoring_account_reads_its_linked_accounts_metrics() {
    let m = Moto::start("observed");
    m.seed(30);
    let seeded = m.seed_places_observed();
    let files = profiles(&m, seeded["role_arn"].as_str().unwrap());
    let second = seeded["second_account"].as_str().unwrap();
    let shared = &seeded["observability"];
    let args = [
        "--profile",
        "main,partner",
        "--region",
        "eu-west-1,us-east-1",
    ];
    m.reset_calls();
    let (ok, s, err) = snapshot(&m, &files, &args);
    assert!(ok, "{err}");

    // The partner's eu-west-1 is read through main's eu-west-1 (place 0), which its link
    // shares metrics with; nothing else is (the partner links nothing in us-east-1).
    let through: Vec<&Value> = s["places"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["metrics_through"])
        .collect();
    assert_eq!(
        through,
        [&Value::Null, &Value::Null, &0.into(), &Value::Null]
    );

    // The partner's own figures, which only its account has, came back for its place; main's
    // API of the same name kept main's.
    let partner_api = named(&s, "apis", "partner-api");
    let theirs = partner_api.iter().find(|(p, _)| *p == 2).unwrap().1;
    let mine = partner_api.iter().find(|(p, _)| *p == 0).unwrap().1;
    let count = shared["count"].as_f64().unwrap();
    assert!(
        values(&theirs["stages"][0]["metrics"]["count"]).contains(&count),
        "{}",
        theirs["stages"][0]["metrics"]["count"]
    );
    assert!(!values(&mine["stages"][0]["metrics"]["count"]).contains(&count));
    assert!(!values(&mine["stages"][0]["metrics"]["count"]).is_empty());
    let edge = named(&s, "web_acls", "partner-edge")[0].1;
    assert!(
        values(&edge["metrics"]["blocked"]).contains(&shared["blocked"].as_f64().unwrap()),
        "{}",
        edge["metrics"]
    );
    // Brazil is known only from ListMetrics in the monitoring account (IncludeLinkedAccounts,
    // OwningAccount): the partner's own series.
    let brazil = edge["countries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["country"] == "BR")
        .unwrap_or_else(|| panic!("{}", edge["countries"]));
    assert!(values(&brazil["metrics"]["blocked"]).contains(&shared["brazil"].as_f64().unwrap()));

    // Every CloudWatch read in eu-west-1 was main's (the seeder's key, "testing"), and main
    // asked for the partner's series by its account.
    let signers = cloudwatch_signers(&m, "eu-west-1");
    assert!(
        signers.iter().any(|(op, _)| op == "GetMetricData"),
        "{signers:?}"
    );
    assert!(
        signers.iter().all(|(_, key)| key == "testing"),
        "{signers:?}"
    );
    let asked = m.metric_accounts();
    for op in ["GetMetricData", "ListMetrics"] {
        assert!(
            asked.iter().any(|(o, caller, accounts)| o == op
                && caller == "123456789012"
                && accounts.iter().any(|a| a == second)),
            "{op}: {asked:?}"
        );
    }
    assert!(m.calls()["ListSinks"].as_u64().unwrap() >= 4);

    // The monitoring account's read fails: each place reads its own, and nothing goes dark.
    m.fault_in("GetMetricData", "InternalFailure", 1, "eu-west-1");
    m.reset_calls();
    let (ok, s, err) = snapshot(&m, &files, &args);
    assert!(ok, "{err}");
    assert_eq!(s["places"][2]["metrics_through"], 0);
    partner_read_its_own(&m, &s, count, 2);
    assert!(
        s["problems"].as_array().unwrap().is_empty(),
        "{}",
        s["problems"]
    );
    m.clear_faults();

    // A monitoring account that may not list its sinks: every place reads its own, as before.
    m.fault("ListSinks", "AccessDeniedException", -1);
    m.reset_calls();
    let (ok, s, err) = snapshot(&m, &files, &args);
    assert!(ok, "{err}");
    assert!(
        s["places"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["metrics_through"].is_null()),
        "{}",
        s["places"]
    );
    partner_read_its_own(&m, &s, count, 2);
    assert!(m.metric_accounts().is_empty());
}

/// A link may share only some namespaces (its metric filter), and ListAttachedLinks does not
/// say which: a namespace the monitoring account cannot list for the linked account is read
/// with the place's own credentials, never as zero through the monitoring account.
#[test]
fn a_link_that_shares_other_namespaces_is_read_here() {
    let m = Moto::start("observed-filter");
    m.seed(30);
    let seeded = m.seed_places_observed_filtered("Namespace IN ('AWS/ApiGateway', 'AWS/EC2')");
    let files = profiles(&m, seeded["role_arn"].as_str().unwrap());
    let shared = &seeded["observability"];
    let (ok, s, err) = snapshot(
        &m,
        &files,
        &["--profile", "main,partner", "--region", "eu-west-1"],
    );
    assert!(ok, "{err}");
    // API Gateway's metrics go through the monitoring account (place 0)...
    assert_eq!(s["places"][1]["metrics_through"], 0, "{}", s["places"]);
    let partner_api = named(&s, "apis", "partner-api");
    let theirs = partner_api.iter().find(|(p, _)| *p == 1).unwrap().1;
    assert!(
        values(&theirs["stages"][0]["metrics"]["count"])
            .contains(&shared["count"].as_f64().unwrap()),
        "{}",
        theirs["stages"][0]["metrics"]["count"]
    );
    // ...WAF's, which the link does not share, are the partner's own read, not zero.
    let edge = named(&s, "web_acls", "partner-edge")[0].1;
    assert!(
        values(&edge["metrics"]["blocked"]).contains(&shared["blocked"].as_f64().unwrap()),
        "{}",
        edge["metrics"]
    );
    let waf_signers: Vec<(String, String)> = m
        .place_log()
        .into_iter()
        .filter(|c| c.operation == "GetMetricData" && c.key.as_deref() != Some("testing"))
        .map(|c| (c.operation, c.key.unwrap_or_default()))
        .collect();
    assert!(
        !waf_signers.is_empty(),
        "the partner read its own WAF metrics"
    );

    // A link that shares neither: nothing goes through the monitoring account.
    let m = Moto::start("observed-none");
    m.seed(30);
    let seeded = m.seed_places_observed_filtered("Namespace IN ('AWS/EC2')");
    let files = profiles(&m, seeded["role_arn"].as_str().unwrap());
    let (ok, s, err) = snapshot(
        &m,
        &files,
        &["--profile", "main,partner", "--region", "eu-west-1"],
    );
    assert!(ok, "{err}");
    assert!(
        s["places"][1]["metrics_through"].is_null(),
        "{}",
        s["places"]
    );
    partner_read_its_own(
        &m,
        &s,
        seeded["observability"]["count"].as_f64().unwrap(),
        1,
    );
}

#[test]
fn a_key_sent_by_another_accounts_distribution_is_not_disabled() {
    let m = Moto::start("shared-cdn");
    m.seed(30);
    let seeded = m.seed_places_shared_cdn();
    let files = profiles(&m, seeded["role_arn"].as_str().unwrap());
    let t = dashboard(
        &m,
        &files,
        "shared-cdn",
        &[
            "--profile",
            "main,partner",
            "--region",
            "eu-west-1",
            "--refresh",
            "2",
            "--deploy-check-every",
            "1",
        ],
    );
    t.wait_text("2 accounts × 1 region");
    t.filter("6", "acme-logistics");
    t.wait_text("[/acme-logistics] 1/1");
    t.keys(&["r"]);
    // The plan says whose distributions are listed again before the old key is disabled.
    let s = t.wait_text("Confirm a change");
    assert!(s.contains("every account in view"), "{s}");
    t.keys(&["Tab", "Enter"]);
    t.wait_text("refused: not allowed: the old key is still sent by distribution");
    // The whole reason, as the audit log holds it.
    let audit =
        std::fs::read_to_string(m.dir.join("state-shared-cdn/edgetop/audit.jsonl")).unwrap();
    let refused: Value = audit
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|e| e["phase"] == "refused")
        .expect("a refused entry");
    let why = refused["result"].as_str().unwrap();
    assert!(
        why.contains("of partner (222222222222)") && why.contains("left enabled"),
        "{why}"
    );
    let key = m.state()["keys"]
        .as_object()
        .unwrap()
        .values()
        .find(|k| k["name"] == "acme-logistics")
        .cloned()
        .unwrap();
    assert_eq!(
        key["enabled"], true,
        "sent by the partner's CDN: not disabled"
    );
    t.keys(&["Escape", "q"]);
    t.wait_dead();
}

#[test]
fn a_slow_region_is_marked_slow_and_the_others_go_on() {
    let m = Moto::start("slow-region");
    m.seed(30);
    let seeded = m.seed_places();
    let files = profiles(&m, seeded["role_arn"].as_str().unwrap());
    // us-east-1 first: it reads the account's global parts, so eu-west-1 calls only eu-west-1.
    let t = dashboard(
        &m,
        &files,
        "slow-region",
        &[
            "--profile",
            "main",
            "--region",
            "us-east-1,eu-west-1",
            "--refresh",
            "2",
        ],
    );
    t.wait_text("1 account × 2 regions");
    t.wait_for("both regions read", |s| !s.contains("being read"));
    // eu-west-1 goes dark: its CloudWatch answers nothing.
    m.hold_in("GetMetricData", "eu-west-1");
    let s = t.wait_for_within(90, "eu-west-1 marked slow", |s| {
        s.contains("eu-west-1 SLOW")
    });
    assert!(!s.contains("us-east-1 SLOW"), "{s}");
    // us-east-1 goes on at its refresh meanwhile.
    m.reset_calls();
    t.wait_for("us-east-1 polled again", |_| {
        m.place_log()
            .iter()
            .any(|c| c.operation == "GetMetricData" && c.region.as_deref() == Some("us-east-1"))
    });
    m.release();
    t.wait_for_within(60, "the slow mark gone", |s| !s.contains("SLOW"));
    t.keys(&["q"]);
    t.wait_dead();
}
