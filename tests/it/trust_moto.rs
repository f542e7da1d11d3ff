//! Trust, against the AWS protocol peer: read-only that holds per account whatever the command
//! line says, rotations that no planted key or missing value can subvert, output that no name
//! can forge, and the emergency path that reads only what the change needs.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::moto::Moto;
use serde_json::Value;

/// An AWS config with two profiles that reach the same account (the seeder's), under two names,
/// and a config file of edgetop's with `accounts` as its `[[accounts]]`.
fn files(m: &Moto, name: &str, accounts: &str) -> PathBuf {
    let dir = m.dir.join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("aws-config"),
        "[profile main]\nregion = eu-west-1\n\n[profile other]\nregion = eu-west-1\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("aws-credentials"),
        "[main]\naws_access_key_id = testing\naws_secret_access_key = testing\n\n\
         [other]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
    )
    .unwrap();
    std::fs::write(dir.join("config.toml"), accounts).unwrap();
    dir
}

/// The real binary through the profiles of `dir`, its state there too.
fn edgetop(m: &Moto, dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(common::moto::BIN);
    cmd.arg("--config")
        .arg(dir.join("config.toml"))
        .args(args)
        .args(["--endpoint-url", &m.endpoint(), "--max-attempts", "1"])
        .args(["--apigateway-rps", "50", "--deploy-check-every", "1"])
        .arg("--log-file")
        .arg(dir.join("edgetop.log"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_CONFIG_FILE", dir.join("aws-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("aws-credentials"))
        .env("AWS_ENDPOINT_URL", m.endpoint())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("XDG_CONFIG_HOME", dir.join("xdg-config"));
    cmd
}

/// (exit code, stdout, stderr).
fn run(mut cmd: Command) -> (Option<i32>, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn geo_scrapers(m: &Moto) -> Value {
    m.state()["web_acls"]["REGIONAL/edge-regional"]["rules"]["GeoScrapers"]["action"].clone()
}

const TOGGLE: [&str; 6] = [
    "toggle",
    "--web-acl",
    "edge-regional",
    "--rule",
    "GeoScrapers",
    "--yes",
];

#[test]
fn a_read_only_account_stays_read_only_whatever_the_command_line_says() {
    let m = Moto::start("trust-ro");
    m.seed(20);
    assert_eq!(geo_scrapers(&m), "Count");
    let read_only = files(
        &m,
        "ro",
        "[[accounts]]\nlabel = \"prod\"\nprofile = \"main\"\nread_only = true\n\
         regions = [\"eu-west-1\"]\n\n[[accounts]]\nlabel = \"staging\"\nprofile = \"staging\"\n",
    );
    // By its label, by its profile, through another profile that reaches the same account,
    // and with --read-write: refused every time, saying why, and nothing changes.
    for (profile, why) in [
        ("prod", "read_only in its [[accounts]] entry"),
        ("main", "read_only in its [[accounts]] entry"),
        ("other", "account 123456789012 is read-only"),
    ] {
        for extra in [&[][..], &["--read-write"][..]] {
            let mut cmd = edgetop(&m, &read_only, &["--profile", profile]);
            cmd.args(extra).args(TOGGLE);
            let (code, out, err) = run(cmd);
            assert_eq!(code, Some(2), "--profile {profile} {extra:?}: {out}{err}");
            assert!(err.contains(why), "--profile {profile}: {err}");
            assert_eq!(geo_scrapers(&m), "Count", "--profile {profile} changed it");
        }
    }
    let audit = std::fs::read_to_string(read_only.join("state/edgetop/audit.jsonl")).unwrap();
    assert!(
        audit.lines().all(|l| l.contains("\"phase\":\"refused\"")),
        "every try is recorded as refused: {audit}"
    );
    // Two entries of one name are refused before anything is read.
    let twice = files(
        &m,
        "twice",
        "[[accounts]]\nlabel = \"prod\"\nprofile = \"main\"\n\n\
         [[accounts]]\nlabel = \"prod\"\nprofile = \"other\"\n",
    );
    let mut cmd = edgetop(&m, &twice, &["--profile", "main"]);
    cmd.args(TOGGLE);
    let (code, _, err) = run(cmd);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("entries 1 and 2"), "{err}");
    // The same change where the config keeps nothing read-only goes through: the refusals
    // above were the config's.
    let writable = files(
        &m,
        "rw",
        "[[accounts]]\nlabel = \"prod\"\nprofile = \"main\"\n",
    );
    let mut cmd = edgetop(&m, &writable, &["--profile", "other"]);
    cmd.args(TOGGLE);
    let (code, out, err) = run(cmd);
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(geo_scrapers(&m), "Block");
}

/// The key `name`'s id, from the account as the peer holds it.
fn key_id(m: &Moto, name: &str) -> String {
    m.state()["keys"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, k)| k["name"] == name)
        .map(|(id, _)| id.clone())
        .unwrap_or_else(|| panic!("no key {name}"))
}

#[test]
fn a_planted_name_or_a_missing_value_stops_a_rotation_before_it_changes_anything() {
    let m = Moto::start("trust-rotate");
    m.seed(20);
    let dir = files(&m, "rot", "");
    let old = key_id(&m, "cdn-origin-catalog");
    let before = m.state();

    // AWS answers without the key's value: nothing is created, nothing disabled.
    m.valueless_keys(&[&old]);
    let (code, out, err) = run({
        let mut c = edgetop(&m, &dir, &["--profile", "main"]);
        c.args(["rotate", "--key", "cdn-origin-catalog", "--yes"]);
        c
    });
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(err.contains("returned no value"), "{err}");
    let now = m.state();
    assert_eq!(now["keys"][&old]["enabled"], true);
    assert_eq!(
        now["keys"].as_object().unwrap().len(),
        before["keys"].as_object().unwrap().len(),
        "no key was created"
    );
    m.valueless_keys(&[]);

    // Someone who may create keys plants the name the new key would get.
    let planted: Vec<String> = m
        .tamper(&["plant-rotated", "cdn-origin-catalog", "120"])
        .lines()
        .map(str::to_string)
        .collect();
    let (code, out, err) = run({
        let mut c = edgetop(&m, &dir, &["--profile", "main"]);
        c.args(["rotate", "--key", "cdn-origin-catalog", "--yes"]);
        c
    });
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains("already exists") && err.contains("did not create it"),
        "{err}"
    );
    let now = m.state();
    assert_eq!(now["keys"][&old]["enabled"], true, "the old key stays");
    for p in &planted {
        assert_eq!(
            now["keys"][p]["plans"],
            serde_json::json!([]),
            "a planted key joined a plan"
        );
    }
    for (id, d) in now["distributions"].as_object().unwrap() {
        for (_, sent) in d["key_ids"].as_object().unwrap() {
            assert!(
                !planted.iter().any(|p| sent == p),
                "{id} sends a planted key"
            );
        }
    }
    // Rolling it back takes nothing that is not its own.
    let (_, out, _) = run({
        let mut c = edgetop(&m, &dir, &["--profile", "main"]);
        c.args(["rotation", "list"]);
        c
    });
    let id = out.split_whitespace().next().expect("a journaled rotation");
    let (code, out, err) = run({
        let mut c = edgetop(&m, &dir, &["--profile", "main"]);
        c.args(["rotation", "rollback", id, "--yes"]);
        c
    });
    assert_eq!(code, Some(0), "{out}{err}");
    let now = m.state();
    for p in &planted {
        assert!(now["keys"].get(p).is_some(), "a planted key was deleted");
    }
}

#[test]
fn a_hostile_key_name_forges_no_line_and_reaches_the_audit_log_escaped() {
    let m = Moto::start("trust-forge");
    m.seed(20);
    let dir = files(&m, "forge", "");
    let name = "forged\u{202e}\n  ✓ Disable every key\u{85}";
    let id = m.tamper(&["create-key", name, "hostile"]);
    let (code, out, err) = run({
        let mut c = edgetop(&m, &dir, &["--profile", "main"]);
        c.args(["rotate", "--key", &id, "--yes"]);
        c
    });
    assert_eq!(code, Some(0), "{out}{err}");
    for line in out.lines().chain(err.lines()) {
        assert!(
            !line.trim_start().starts_with("✓ Disable every key"),
            "a forged line: {line:?}\n{err}"
        );
        assert!(
            !line.chars().any(|c| c == '\u{202e}' || c == '\u{85}'),
            "{line:?}"
        );
    }
    let state = dir.join("state/edgetop");
    let audit = std::fs::read_to_string(state.join("audit.jsonl")).unwrap();
    assert!(
        !audit.contains('\u{202e}') && !audit.contains('\u{85}'),
        "raw in the audit log: {audit:?}"
    );
    assert_eq!(audit.lines().count(), 2, "confirmed, succeeded: {audit}");
    for e in std::fs::read_dir(state.join("rotations"))
        .unwrap()
        .flatten()
    {
        let text = std::fs::read_to_string(e.path()).unwrap();
        assert!(!text.contains('\u{202e}'), "raw in the journal: {text:?}");
    }
}

#[test]
fn a_change_from_the_command_line_reads_only_what_it_needs() {
    let m = Moto::start("trust-narrow");
    m.seed(640);
    let dir = files(&m, "narrow", "");
    let heavy = [
        "GetUsage",
        "GetUsagePlanKeys",
        "GetMetricData",
        "GetSampledRequests",
        "StartQuery",
        "GetResources",
        "GetRestApis",
    ];
    let check = |what: &str, calls: &Value| {
        for op in heavy {
            assert!(calls.get(op).is_none(), "{what} called {op}: {calls}");
        }
    };
    m.reset_calls();
    let (code, out, err) = run({
        let mut c = edgetop(&m, &dir, &["--profile", "main", "--dry-run"]);
        c.args(TOGGLE);
        c
    });
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.contains("BLOCK: GeoScrapers in web ACL edge-regional"),
        "{out}"
    );
    let calls = m.calls();
    check("toggle", &calls);
    assert_eq!(calls["GetWebACL"], 1, "only the web ACL named: {calls}");

    m.reset_calls();
    let (code, out, err) = run({
        let mut c = edgetop(&m, &dir, &["--profile", "main", "--dry-run"]);
        c.args(["rotate", "--key", "cdn-origin-catalog"]);
        c
    });
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("Rotate API key cdn-origin-catalog"), "{out}");
    assert!(out.contains("Send the new key from distribution"), "{out}");
    let calls = m.calls();
    check("rotate", &calls);
    assert_eq!(
        calls["GetApiKeys"], 1,
        "one page of keys of that name, not the account's 640: {calls}"
    );
}

/// A distribution on a CloudFront flat-rate pricing plan can refuse a web ACL change
/// (WAFFeatureNotIncludedInPricingPlanException, since late 2025): said in an operator's words,
/// nothing changed.
#[test]
fn a_toggle_refused_by_a_pricing_plan_says_so_and_changes_nothing() {
    let m = Moto::start("trust-pricing");
    m.seed(20);
    let dir = files(&m, "pricing", "");
    m.fault(
        "UpdateWebACL",
        "WAFFeatureNotIncludedInPricingPlanException",
        1,
    );
    let (code, out, err) = run({
        let mut c = edgetop(&m, &dir, &["--profile", "main"]);
        c.args(TOGGLE);
        c
    });
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains("flat-rate pricing plan") && err.contains("Nothing was changed"),
        "{err}"
    );
    assert_eq!(geo_scrapers(&m), "Count");
    // A rate limit goes through the same one-rule edit, and is refused the same way.
    m.fault(
        "UpdateWebACL",
        "WAFFeatureNotIncludedInPricingPlanException",
        1,
    );
    let (code, out, err) = run({
        let mut c = edgetop(&m, &dir, &["--profile", "main"]);
        c.args(common::change::login_limit("50", &[]));
        c
    });
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains("flat-rate pricing plan") && err.contains("Nothing was changed"),
        "{err}"
    );
    let limit =
        &m.state()["web_acls"]["REGIONAL/edge-regional"]["rules"]["LoginRateLimit"]["limit"];
    assert_eq!(limit, 100);
}
