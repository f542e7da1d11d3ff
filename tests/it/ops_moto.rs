//! The operator actions against a real AWS protocol peer (moto, extended by
//! tests/aws/moto_server.py): toggling WAF rules without losing another writer's change, and
//! rotating an API key with the real binary killed (SIGKILL) after each step, then finished or
//! rolled back. After every step the account is read back (tests/aws/state.py) and checked: no
//! distribution may ever send a key that is not enabled and in the old key's usage plans.

use crate::common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::change::{
    edgetop, edgetop_hooked, fresh_state, login_limit, run, run_and_kill, run_as,
};
use common::moto::{Moto, as_user, dashboard};
use common::tmux::line_with;
use serde_json::{Value, json};

fn journal_dir(state: &Path) -> PathBuf {
    state.join("edgetop").join("rotations")
}

/// The journal (one rotation), and a check that no key value of the account is in it.
fn journal(state: &Path, account: &Value) -> Value {
    let mut found = Vec::new();
    for e in std::fs::read_dir(journal_dir(state)).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".json") && !name.starts_with('.') {
            let text = std::fs::read_to_string(e.path()).unwrap();
            for (id, k) in account["keys"].as_object().unwrap() {
                let value = k["value"].as_str().unwrap();
                assert!(
                    !text.contains(value),
                    "the journal holds the value of key {id}: {text}"
                );
            }
            found.push(serde_json::from_str::<Value>(&text).unwrap());
        }
    }
    found.sort_by_key(|j| j["started"].as_str().unwrap_or("").to_string());
    found.pop().expect("a journal file")
}

fn key_named<'a>(account: &'a Value, name: &str) -> Option<(&'a String, &'a Value)> {
    account["keys"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, k)| k["name"] == name)
}

fn plans(k: &Value) -> BTreeSet<String> {
    k["plans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect()
}

/// No distribution sends a key that is not enabled and in every plan the old key was in.
fn assert_no_downtime(account: &Value, old_plans: &BTreeSet<String>, when: &str) {
    for (id, d) in account["distributions"].as_object().unwrap() {
        let Some(key_id) = d["key_ids"].get("x-api-key") else {
            continue;
        };
        let key_id = key_id
            .as_str()
            .unwrap_or_else(|| panic!("{when}: {id} sends a value that is no key: {d}"));
        let k = &account["keys"][key_id];
        assert_eq!(k["enabled"], true, "{when}: {id} sends disabled key {k}");
        assert!(
            plans(k).is_superset(old_plans),
            "{when}: {id} sends {key_id}, which is not in every plan: {k}"
        );
    }
}

fn catalog_distribution(account: &Value) -> String {
    account["distributions"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, d)| d["headers"].get("x-api-key").is_some())
        .map(|(id, _)| id.clone())
        .expect("a distribution that sends a key")
}

fn sends(account: &Value, dist: &str) -> String {
    account["distributions"][dist]["key_ids"]["x-api-key"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

#[test]
fn a_rotation_killed_after_each_step_resumes_to_the_end() {
    let m = Moto::start("rotate");
    m.seed(40);
    m.deploy_delay(2);
    let state = fresh_state(&m, "state");
    let before = m.state();
    let (old_id, old) = key_named(&before, "cdn-origin-catalog").unwrap();
    let old_id = old_id.clone();
    let old_plans = plans(old);
    assert!(!old_plans.is_empty());
    let dist = catalog_distribution(&before);
    assert_eq!(sends(&before, &dist), old_id);

    // --dry-run prints the plan and changes nothing.
    let (ok, out, err) = run(
        &m,
        &state,
        &["rotate", "--key", "cdn-origin-catalog", "--dry-run"],
    );
    assert!(ok, "{err}");
    assert!(out.contains("Rotate API key cdn-origin-catalog"), "{out}");
    assert!(
        out.contains(&format!("Send the new key from distribution {dist}")),
        "{out}"
    );
    assert!(out.contains("dry run: nothing was changed"), "{out}");
    assert_eq!(m.state()["keys"], before["keys"], "a dry run changed keys");

    // Start, and die right after CreateApiKey answered, before the journal knew its id.
    run_and_kill(
        &m,
        &state,
        &["rotate", "--key", "cdn-origin-catalog", "--yes"],
        "create:called",
    );
    let now = m.state();
    let j = journal(&state, &now);
    let new_name = j["new_key_name"].as_str().unwrap().to_string();
    assert!(new_name.starts_with("cdn-origin-catalog-rotated-"), "{j}");
    let (new_id, new) = key_named(&now, &new_name).expect("the new key exists");
    let new_id = new_id.clone();
    assert_eq!(new["enabled"], true);
    assert_eq!(sends(&now, &dist), old_id, "nothing switched yet");
    assert_no_downtime(&now, &old_plans, "after create");
    let id = j["id"].as_str().unwrap().to_string();

    let (ok, out, err) = run(&m, &state, &["rotation", "list"]);
    assert!(ok, "{err}");
    assert!(out.contains(&id) && out.contains("stopped at"), "{out}");

    // Each later step in turn: finish, killed right after that step.
    let plan = old_plans.iter().next().unwrap().clone();
    let stops = [
        format!("add-to-plan:{plan}:done"),
        format!("switch:{dist}:called"),
        format!("deployed:{dist}:done"),
        "disable-old:called".to_string(),
    ];
    for stop in &stops {
        run_and_kill(&m, &state, &["rotation", "finish", &id, "--yes"], stop);
        let now = m.state();
        let j = journal(&state, &now);
        assert_eq!(j["new_key_id"], new_id.as_str(), "{j}");
        assert_no_downtime(&now, &old_plans, stop);
        let new = &now["keys"][&new_id];
        if stop.starts_with("add-to-plan") {
            assert!(plans(new).contains(&plan), "{stop}: {new}");
            assert_eq!(sends(&now, &dist), old_id, "{stop}");
        } else {
            assert!(plans(new).is_superset(&old_plans), "{stop}: {new}");
            assert_eq!(
                sends(&now, &dist),
                new_id,
                "{stop}: the distribution sends the new key"
            );
        }
        let old_enabled = now["keys"][&old_id]["enabled"] == true;
        assert_eq!(old_enabled, !stop.starts_with("disable-old"), "{stop}");
    }

    let (ok, out, err) = run(&m, &state, &["rotation", "finish", &id, "--yes"]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("rotated:"), "{out}");
    assert!(out.contains("new key value: ••••"), "masked: {out}");
    let end = m.state();
    assert_no_downtime(&end, &old_plans, "at the end");
    assert_eq!(end["keys"][&old_id]["enabled"], false, "old key disabled");
    assert!(plans(&end["keys"][&new_id]).is_superset(&old_plans));
    assert_eq!(sends(&end, &dist), new_id);
    let j = journal(&state, &end);
    assert_eq!(j["finished"], "Completed", "{j}");
    let (_, out, _) = run(&m, &state, &["rotation", "list"]);
    assert!(
        !out.contains(&id),
        "finished rotations are not offered: {out}"
    );

    // CloudFront's ETag: moto ignores If-Match, so the peer enforces it as CloudFront does and
    // records every UpdateDistribution. Each carried the ETag current when it was sent.
    let updates = m.distribution_updates();
    let updates = updates.as_array().unwrap();
    assert!(!updates.is_empty());
    for u in updates {
        assert_eq!(u["if_match"], u["current_etag_before"], "{u}");
        assert_eq!(u["status"], 200, "{u}");
    }

    // The audit log has each confirmation and the end, with who did it.
    let (ok, out, _) = run(&m, &state, &["audit", "--json"]);
    assert!(ok);
    let entries: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(entries.iter().any(|e| e["phase"] == "dry-run"));
    assert_eq!(
        entries.iter().filter(|e| e["phase"] == "confirmed").count(),
        6
    );
    let last = entries.last().unwrap();
    assert_eq!(last["phase"], "succeeded");
    assert!(
        last["caller"].as_str().unwrap().starts_with("arn:aws:"),
        "{last}"
    );
    for (_, k) in end["keys"].as_object().unwrap() {
        assert!(
            !out.contains(k["value"].as_str().unwrap()),
            "a key value in the audit log"
        );
    }
}

#[test]
fn a_rotation_killed_after_each_step_rolls_back_cleanly() {
    let m = Moto::start("rollback");
    m.seed(40);
    let before = m.state();
    let (old_id, old) = key_named(&before, "cdn-origin-catalog").unwrap();
    let old_id = old_id.clone();
    let old_plans = plans(old);
    let dist = catalog_distribution(&before);
    let plan = old_plans.iter().next().unwrap().clone();
    let stops = [
        "create:called".to_string(),
        format!("add-to-plan:{plan}:called"),
        format!("switch:{dist}:called"),
        format!("deployed:{dist}:done"),
        "disable-old:called".to_string(),
    ];
    for (i, stop) in stops.iter().enumerate() {
        let state = fresh_state(&m, &format!("state-{i}"));
        run_and_kill(
            &m,
            &state,
            &["rotate", "--key", "cdn-origin-catalog", "--yes"],
            stop,
        );
        let mid = m.state();
        assert_no_downtime(&mid, &old_plans, stop);
        let j = journal(&state, &mid);
        let id = j["id"].as_str().unwrap().to_string();
        let new_name = j["new_key_name"].as_str().unwrap().to_string();
        // Killed again half-way through the roll back, then rolled back to the end.
        if stop.starts_with("disable-old") {
            run_and_kill(
                &m,
                &state,
                &["rotation", "rollback", &id, "--yes"],
                "enable-old:called",
            );
            assert_no_downtime(&m.state(), &old_plans, "rolling back");
            let (ok, _, err) = run(&m, &state, &["rotation", "finish", &id, "--yes"]);
            assert!(!ok && err.contains("can only be rolled back"), "{err}");
        }
        let (ok, out, err) = run(&m, &state, &["rotation", "rollback", &id, "--yes"]);
        assert!(ok, "{stop}: {out}{err}");
        assert!(out.contains("rolled back"), "{out}");
        let after = m.state();
        assert_no_downtime(&after, &old_plans, stop);
        assert_eq!(after["keys"][&old_id]["enabled"], true, "{stop}");
        assert_eq!(plans(&after["keys"][&old_id]), old_plans, "{stop}");
        assert_eq!(sends(&after, &dist), old_id, "{stop}");
        assert!(
            key_named(&after, &new_name).is_none(),
            "{stop}: the new key is gone"
        );
        assert_eq!(journal(&state, &after)["finished"], "RolledBack");
        assert_eq!(
            after["keys"].as_object().unwrap().len(),
            before["keys"].as_object().unwrap().len(),
            "{stop}"
        );
        // Journal ids carry milliseconds, names seconds: keep runs apart.
        std::thread::sleep(Duration::from_millis(1100));
    }
}

/// A distribution that stays InProgress stops the rotation at its timeout, with the journal
/// saying where; another writer between our GetDistributionConfig and UpdateDistribution costs
/// a PreconditionFailed and a second read, not their change. Rolled back afterwards.
#[test]
fn a_deploy_timeout_stops_the_rotation_and_a_changed_etag_is_read_again() {
    let m = Moto::start("timeout");
    m.seed(30);
    let state = fresh_state(&m, "state");
    let before = m.state();
    let (old_id, old) = key_named(&before, "cdn-origin-catalog").unwrap();
    let (old_id, old_plans) = (old_id.clone(), plans(old));
    let dist = catalog_distribution(&before);
    m.deploy_delay(-1);
    m.touch_before_next_update(&dist);
    let (ok, out, err) = run(
        &m,
        &state,
        &[
            "rotate",
            "--key",
            "cdn-origin-catalog",
            "--yes",
            "--deploy-timeout",
            "3s",
        ],
    );
    assert!(!ok, "{out}");
    assert!(
        err.contains("still InProgress after") && err.contains("gave up"),
        "{err}"
    );
    assert!(err.contains("rotation finish|rollback"), "{err}");
    let statuses: Vec<Value> = m
        .distribution_updates()
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["status"].clone())
        .collect();
    assert_eq!(
        statuses,
        [json!(412), json!(200)],
        "a stale ETag, then a fresh one"
    );
    let mid = m.state();
    assert_no_downtime(&mid, &old_plans, "after the timeout");
    assert_eq!(
        mid["keys"][&old_id]["enabled"], true,
        "the old key stays on"
    );
    let j = journal(&state, &mid);
    assert_eq!(j["steps"][format!("deployed:{dist}")], "Started", "{j}");

    m.deploy_delay(0);
    let id = j["id"].as_str().unwrap();
    let (ok, out, err) = run(&m, &state, &["rotation", "rollback", id, "--yes"]);
    assert!(ok, "{out}{err}");
    let after = m.state();
    assert_eq!(sends(&after, &dist), old_id);
    assert_no_downtime(&after, &old_plans, "rolled back");
}

fn rule<'a>(account: &'a Value, acl: &str, rule: &str) -> &'a Value {
    &account["web_acls"][acl]["rules"][rule]
}

#[test]
fn a_toggle_keeps_a_second_writers_change_and_stops_on_a_conflict() {
    let m = Moto::start("toggle");
    m.seed(40);
    let state = fresh_state(&m, "state");
    let before = m.state();
    let acl = "REGIONAL/edge-regional";
    assert_eq!(rule(&before, acl, "GeoScrapers")["action"], "Count");
    assert_eq!(rule(&before, acl, "BlockSqlmap")["action"], "Block");

    // Another writer sets BlockSqlmap to Count between our read and our write: our
    // UpdateWebACL fails on the lock token; we read again and re-apply only our change.
    m.second_writer(json!({"web_acl": "edge-regional", "scope": "REGIONAL",
                           "rule": "BlockSqlmap", "action": "Count", "times": 1}));
    m.reset_calls();
    let (ok, out, err) = run(
        &m,
        &state,
        &[
            "toggle",
            "--web-acl",
            "edge-regional",
            "--rule",
            "GeoScrapers",
            "--yes",
        ],
    );
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("accepted") && out.contains("concurrent change"),
        "{out}"
    );
    let after = m.state();
    assert_eq!(rule(&after, acl, "GeoScrapers")["action"], "Block", "ours");
    assert_eq!(
        rule(&after, acl, "BlockSqlmap")["action"],
        "Count",
        "theirs kept"
    );
    for r in ["BlockBadIPs", "LoginRateLimit", "AWSManagedCommon"] {
        assert_eq!(rule(&after, acl, r), rule(&before, acl, r), "{r} untouched");
    }
    assert_eq!(m.calls()["UpdateWebACL"], 2, "one stale write, one good");

    // The other writer changes the very rule we toggle: shown, not overwritten.
    m.second_writer(json!({"web_acl": "edge-regional", "scope": "REGIONAL",
                           "rule": "GeoScrapers", "action": "Allow", "times": 1}));
    let (ok, out, err) = run(
        &m,
        &state,
        &[
            "toggle",
            "--web-acl",
            "edge-regional",
            "--rule",
            "GeoScrapers",
            "--yes",
        ],
    );
    assert!(!ok, "{out}");
    assert!(
        err.contains("conflict") && err.contains("GeoScrapers went from BLOCK to ALLOW"),
        "{err}"
    );
    let after = m.state();
    assert_eq!(
        rule(&after, acl, "GeoScrapers")["action"],
        "Allow",
        "theirs stands"
    );
    assert_eq!(rule(&after, acl, "BlockSqlmap")["action"], "Count");

    // One rule inside a managed group, and a CLOUDFRONT group's override.
    let (ok, out, err) = run(
        &m,
        &state,
        &[
            "toggle",
            "--web-acl",
            "edge-regional",
            "--rule",
            "AWSManagedCommon",
            "--inner",
            "NoUserAgent_HEADER",
            "--yes",
        ],
    );
    assert!(ok, "{out}{err}");
    let after = m.state();
    assert_eq!(
        rule(&after, acl, "AWSManagedCommon")["inner_overrides"],
        json!({"NoUserAgent_HEADER": "Count"})
    );
    assert_eq!(rule(&after, acl, "AWSManagedCommon")["override"], "None");
    let (ok, out, err) = run(
        &m,
        &state,
        &[
            "toggle",
            "--web-acl",
            "edge-cloudfront",
            "--rule",
            "AWSManagedKnownBadInputs",
            "--yes",
        ],
    );
    assert!(ok, "{out}{err}");
    assert_eq!(
        rule(
            &m.state(),
            "CLOUDFRONT/edge-cloudfront",
            "AWSManagedKnownBadInputs"
        )["override"],
        "None"
    );

    // Read-only (from the config file) refuses, and says so in the audit log.
    let sqlmap = [
        "toggle",
        "--web-acl",
        "edge-regional",
        "--rule",
        "BlockSqlmap",
        "--yes",
    ];
    std::fs::create_dir_all(state.join("config/edgetop")).unwrap();
    std::fs::write(
        state.join("config/edgetop/config.toml"),
        "read_only = true\n",
    )
    .unwrap();
    let (ok, _, err) = run(&m, &state, &sqlmap);
    assert!(!ok && err.contains("read-only"), "{err}");
    assert_eq!(rule(&m.state(), acl, "BlockSqlmap")["action"], "Count");
    let (_, out, _) = run(&m, &state, &["audit", "--json"]);
    assert!(out.lines().last().unwrap().contains("\"refused\""), "{out}");
    // A broken config file is an error that names it, and nothing runs.
    std::fs::write(
        state.join("config/edgetop/config.toml"),
        "read_only = maybe\n",
    )
    .unwrap();
    let (ok, _, err) = run(&m, &state, &sqlmap);
    assert!(
        !ok && err.contains("config.toml") && err.contains("line 1"),
        "{err}"
    );
}

/// moto evaluates IAM here (tests/aws/moto_server.py): the repo's operator policy must allow a
/// whole rotation, a roll back and a toggle; the read-only policy must allow none of them.
#[test]
fn the_operator_policy_allows_both_actions_and_the_read_only_one_neither() {
    let m = Moto::start("operator");
    m.seed(30);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let operator = m.iam_user(&root.join("iam/operator.json"), "edgetop-operator");
    let reader = m.iam_user(&root.join("iam/read-only.json"), "edgetop-reader");
    let state = fresh_state(&m, "state");
    let toggle = [
        "toggle",
        "--web-acl",
        "edge-regional",
        "--rule",
        "GeoScrapers",
        "--yes",
    ];
    let (ok, out, err) = run_as(&m, &state, &toggle, Some(&reader));
    assert!(!ok, "{out}");
    assert!(err.contains("wafv2:UpdateWebACL is denied"), "{err}");
    let (ok, out, err) = run_as(&m, &state, &toggle, Some(&operator));
    assert!(ok, "{out}{err}");

    // The responses: each needs what the operator policy adds, and the reader lacks it.
    let limit = login_limit("50", &[]);
    for (args, denied) in [
        (
            &["block", "203.0.113.9", "--yes"][..],
            "wafv2:UpdateIPSet is denied",
        ),
        (&limit[..], "wafv2:UpdateWebACL is denied"),
        (&["disable-key", "student-lab", "--yes"][..], "is denied"),
    ] {
        let (ok, out, err) = run_as(&m, &state, args, Some(&reader));
        assert!(!ok, "{args:?}: {out}");
        assert!(err.contains(denied), "{args:?}: {err}");
        let (ok, out, err) = run_as(&m, &state, args, Some(&operator));
        assert!(ok, "{args:?}: {out}{err}");
    }
    for args in [
        &["unblock", "203.0.113.9", "--yes"][..],
        &["enable-key", "student-lab", "--yes"][..],
    ] {
        let (ok, out, err) = run_as(&m, &state, args, Some(&operator));
        assert!(ok, "{args:?}: {out}{err}");
    }

    // A rotation that stops half-way, rolled back; then one to the end.
    let mut cmd = edgetop_hooked(
        &m,
        &state,
        &["rotate", "--key", "cdn-origin-catalog", "--yes"],
    );
    as_user(&mut cmd, &operator.0, &operator.1);
    cmd.env("EDGETOP_TEST_STALL", "disable-old:called");
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    while !line.contains("stalled at") {
        line.clear();
        assert!(
            err.read_line(&mut line).unwrap() > 0,
            "ended before stalling"
        );
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let (_, out, err) = run_as(&m, &state, &["rotation", "list"], Some(&operator));
    let id = out.split_whitespace().next().expect(&err).to_string();
    let (ok, out, err) = run_as(
        &m,
        &state,
        &["rotation", "rollback", &id, "--yes"],
        Some(&operator),
    );
    assert!(ok, "{out}{err}");
    let (ok, out, err) = run_as(
        &m,
        &state,
        &["rotate", "--key", "cdn-origin-catalog", "--yes"],
        Some(&operator),
    );
    assert!(ok, "{out}{err}");
    assert!(out.contains("rotated:"), "{out}");
}

/// The dashboard on the peer: an unfinished rotation is offered at start and rolled back from
/// the dialog; a toggle shows the new action at once, marked pending, until a read confirms it;
/// the audit log is viewable inside.
#[test]
fn the_dashboard_offers_the_unfinished_rotation_and_toggles_with_a_pending_mark() {
    let m = Moto::start("dash-ops");
    m.seed(30);
    let state = fresh_state(&m, "state");
    run_and_kill(
        &m,
        &state,
        &["rotate", "--key", "cdn-origin-catalog", "--yes"],
        &format!("switch:{}:called", catalog_distribution(&m.state())),
    );
    let state_home = state.display().to_string();
    let t = dashboard(
        &m,
        "aws-ops",
        &[("XDG_STATE_HOME", &state_home)],
        &["--refresh", "2", "--deploy-check-every", "1"],
    );
    let s = t.wait_text("Unfinished rotation");
    assert!(
        s.contains("cdn-origin-catalog → cdn-origin-catalog-rotated-"),
        "{s}"
    );
    assert!(s.contains("stopped at \"Send"), "{s}");
    t.keys(&["b"]);
    let s = t.wait_text("Roll back the rotation of cdn-origin-catalog");
    assert!(
        s.contains("Enable") || s.contains("Send cdn-origin-catalog from"),
        "{s}"
    );
    t.keys(&["Tab", "Enter"]);
    t.wait_text("rolled back:");
    let now = m.state();
    let dist = catalog_distribution(&now);
    assert_eq!(
        now["keys"][sends(&now, &dist)]["name"],
        "cdn-origin-catalog"
    );

    t.filter("3", "GeoScrapers");
    let s = t.wait_text("[/GeoScrapers] 1/1");
    assert!(line_with(&s, " GeoScrapers ").contains("COUNT"), "{s}");
    t.keys(&["t"]);
    t.wait_text("Confirm a change");
    t.keys(&["Tab", "Enter"]);
    let s = t.wait_text("accepted:");
    assert!(
        line_with(&s, " GeoScrapers ").contains("BLOCK"),
        "shown at once: {s}"
    );
    t.wait_for("a read to confirm it", |s| {
        let l = line_with(s, " GeoScrapers ");
        l.contains("BLOCK") && !l.contains("BLOCK…")
    });
    assert_eq!(
        rule(&m.state(), "REGIONAL/edge-regional", "GeoScrapers")["action"],
        "Block"
    );

    // A managed group: choose one rule inside it.
    t.keys(&["Escape", "/"]);
    t.literal("AWSManagedCommon");
    t.keys(&["Enter", "t"]);
    let s = t.wait_text("Toggle what in rule group AWSManagedCommon?");
    assert!(s.contains("NoUserAgent_HEADER: no override → COUNT"), "{s}");
    t.keys(&["Down", "Enter"]);
    t.wait_text("Confirm a change");
    t.keys(&["Tab", "Enter"]);
    t.wait_text("accepted:");

    t.keys(&["a"]);
    let s = t.wait_text("Audit log");
    assert!(
        s.contains("roll back the rotation of cdn-origin-catalog"),
        "{s}"
    );
    assert!(s.contains("GeoScrapers in web ACL edge-regional"), "{s}");
    assert!(s.contains("Succeeded"), "{s}");
    t.keys(&["Escape", "q"]);
    t.wait_dead();
    assert_eq!(t.var("alternate_on"), "0");
    let end = m.state();
    let inner = &rule(&end, "REGIONAL/edge-regional", "AWSManagedCommon")["inner_overrides"];
    assert_eq!(inner.as_object().unwrap().len(), 1, "{inner}");
}

/// The value a header of a distribution sends, and the key id it belongs to (state.py).
fn header_of<'a>(account: &'a Value, dist: &str, header: &str) -> (&'a str, &'a Value) {
    let d = &account["distributions"][dist];
    (
        d["headers"][header].as_str().unwrap_or(""),
        &d["key_ids"][header],
    )
}

/// Start a command and wait for it to end, at most `secs`: None if it had not ended by then
/// (it is killed).
fn ended_within(mut cmd: Command, secs: u64) -> Option<std::process::Output> {
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok(out) => Some(out.unwrap()),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            None
        }
    }
}

/// Seed the untidy account: the state directory, the distribution that sends the partner key
/// as x-partner-key, and that key's id.
fn untidy_partner(m: &Moto) -> (PathBuf, String, String) {
    let exp = m.seed_untidy(20);
    let untidy = &exp["untidy"];
    (
        fresh_state(m, "state"),
        untidy["distribution"].as_str().unwrap().to_string(),
        untidy["keys"]["partner"].as_str().unwrap().to_string(),
    )
}

/// Rotate the partner key, stopped (SIGKILL) at `stall`; returns the rotation's journal id.
fn stall_partner_rotation(m: &Moto, state: &Path, stall: &str) -> String {
    run_and_kill(
        m,
        state,
        &["rotate", "--key", "partner-edge", "--yes"],
        stall,
    );
    journal(state, &m.state())["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn a_key_sent_under_any_header_is_switched_and_disabled_only_once_no_origin_sends_it() {
    let m = Moto::start("by-value");
    let (state, dist, partner) = untidy_partner(&m);
    let before = m.state();
    let old_value = before["keys"][&partner]["value"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(header_of(&before, &dist, "x-partner-key").0, old_value);

    // The plan names the header, whatever its name (x-partner-key is not a configured one).
    let (ok, out, err) = run(
        &m,
        &state,
        &["rotate", "--key", "partner-edge", "--dry-run"],
    );
    assert!(ok, "{err}");
    assert!(out.contains(&format!("distribution {dist}")), "{out}");
    assert!(out.contains("x-partner-key"), "{out}");

    // Stopped once the distribution sends the new key and has deployed.
    let id = stall_partner_rotation(&m, &state, &format!("deployed:{dist}:done"));
    let mid = m.state();
    let (new_id, _) = mid["keys"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, k)| {
            k["name"]
                .as_str()
                .unwrap()
                .starts_with("partner-edge-rotated-")
        })
        .expect("the new key");
    let new_value = mid["keys"][new_id]["value"].as_str().unwrap().to_string();
    assert_eq!(header_of(&mid, &dist, "x-partner-key").1, new_id.as_str());
    assert_eq!(mid["keys"][&partner]["enabled"], true);
    assert_eq!(
        header_of(&mid, &dist, "x-origin-verify").0,
        "s3cr3t-origin-token-123",
        "other headers are left as they were"
    );

    // Meanwhile another team starts sending the old key from another distribution.
    let other = catalog_distribution(&mid);
    m.tamper(&["set-header", &other, "x-legacy-key", &old_value]);
    let (ok, _, err) = run(&m, &state, &["rotation", "finish", &id, "--yes"]);
    assert!(!ok, "must not disable a key an origin still sends: {err}");
    assert!(
        err.contains(&other) && err.contains("x-legacy-key"),
        "names what still sends it: {err}"
    );
    assert!(
        err.contains("refused: "),
        "a safety refusal, not a failure: {err}"
    );
    assert_eq!(m.state()["keys"][&partner]["enabled"], true, "left enabled");

    // Once that header sends the new key too, the rotation finishes.
    m.tamper(&["set-header", &other, "x-legacy-key", &new_value]);
    let (ok, out, err) = run(&m, &state, &["rotation", "finish", &id, "--yes"]);
    assert!(ok, "{out}{err}");
    let end = m.state();
    assert_eq!(end["keys"][&partner]["enabled"], false);
    assert_eq!(end["keys"][new_id]["enabled"], true);
    assert_eq!(header_of(&end, &dist, "x-partner-key").1, new_id.as_str());
}

#[test]
fn a_rollback_goes_on_when_the_distribution_sends_neither_key() {
    let m = Moto::start("neither");
    let (state, dist, partner) = untidy_partner(&m);
    let id = stall_partner_rotation(&m, &state, &format!("switch:{dist}:done"));
    // Someone points the header at a value of their own.
    m.tamper(&["set-header", &dist, "x-partner-key", "set-by-hand"]);
    let (ok, out, err) = run(&m, &state, &["rotation", "rollback", &id, "--yes"]);
    assert!(ok, "{out}{err}");
    assert!(err.contains("sends neither key"), "says so: {err}");
    let end = m.state();
    assert_eq!(end["keys"][&partner]["enabled"], true);
    assert!(
        !end["keys"].as_object().unwrap().values().any(|k| k["name"]
            .as_str()
            .unwrap()
            .starts_with("partner-edge-rotated-")),
        "the new key is gone"
    );
    assert_eq!(header_of(&end, &dist, "x-partner-key").0, "set-by-hand");
}

#[test]
fn an_old_key_someone_deleted_counts_as_disabled() {
    let m = Moto::start("deleted");
    let (state, dist, partner) = untidy_partner(&m);
    let id = stall_partner_rotation(&m, &state, &format!("deployed:{dist}:done"));
    m.tamper(&["delete-key", &partner]);
    let (ok, out, err) = run(&m, &state, &["rotation", "finish", &id, "--yes"]);
    assert!(ok, "a key that is gone is not a failure: {out}{err}");
    assert!(err.contains("no longer exists"), "but it is said: {err}");
    let end = m.state();
    assert!(end["keys"].get(&partner).is_none());
    let (_, key) = header_of(&end, &dist, "x-partner-key");
    assert_eq!(end["keys"][key.as_str().unwrap()]["enabled"], true);
}

#[test]
fn one_rotation_of_a_key_at_a_time_here_or_elsewhere() {
    let m = Moto::start("one-at-a-time");
    let exp = m.seed_untidy(20);
    let state = fresh_state(&m, "state");
    let partner = exp["untidy"]["keys"]["partner"]
        .as_str()
        .unwrap()
        .to_string();

    // Two operators on this machine: the second is refused while the first is still reading.
    // (The first reads the key's plans twice: for its plan, then, holding the key's lock, to
    // begin; the second of those waits.)
    m.hold_one_after("GetUsagePlans", 1);
    let first = edgetop(&m, &state, &["rotate", "--key", "partner-edge", "--yes"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..600 {
        if m.holds()["waiting"]["GetUsagePlans"].as_i64().unwrap_or(0) > 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        m.holds()["waiting"]["GetUsagePlans"],
        1,
        "the first is reading"
    );
    let second = ended_within(
        edgetop(&m, &state, &["rotate", "--key", "partner-edge", "--yes"]),
        60,
    )
    .expect("the second must be refused, not run alongside");
    let err = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(2), "{err}");
    assert!(err.contains("another edgetop on this machine"), "{err}");
    m.release();
    let out = first.wait_with_output().unwrap();
    assert!(out.status.success());

    // Another machine's unfinished rotation of a key leaves a key that says so.
    let multi = exp["untidy"]["keys"]["multi"].as_str().unwrap();
    m.tamper(&[
        "create-key",
        "multi-plan-rotated-20261129-101500",
        &format!("Replaces multi-plan ({multi}); edgetop rotation 20261129T101500.000Z-{multi}"),
    ]);
    let (ok, _, err) = run(&m, &state, &["rotate", "--key", "multi-plan", "--yes"]);
    assert!(!ok);
    assert!(
        err.contains("multi-plan-rotated-20261129-101500") && err.contains("has not finished"),
        "{err}"
    );
    assert_eq!(m.state()["keys"][multi]["enabled"], true);
    assert_ne!(partner, multi);
}

#[test]
fn names_from_aws_reach_the_terminal_escaped() {
    let m = Moto::start("escaped");
    let exp = m.seed_untidy(20);
    let state = fresh_state(&m, "state");
    let evil = exp["untidy"]["keys"]["evil"].as_str().unwrap();
    let raw = |s: &str| s.contains('\u{1b}') || s.contains('\u{9b}') || s.contains('\u{7}');
    let (ok, out, err) = run(&m, &state, &["rotate", "--key", evil, "--dry-run"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("evil\\x1b]52;c;ZXZpbA==\\x07-key\\x9b31m"),
        "{out}"
    );
    assert!(!raw(&out) && !raw(&err), "{out:?}{err:?}");
    let (ok, out, err) = run(&m, &state, &["audit"]);
    assert!(ok, "{err}");
    assert!(out.contains("evil\\x1b]52"), "{out}");
    assert!(!raw(&out) && !raw(&err), "{out:?}");
    let (ok, out, _) = run(&m, &state, &["audit", "--json"]);
    assert!(ok && !raw(&out), "{out:?}");
    // An error on exit carries the name too.
    let (ok, out, err) = run(&m, &state, &["rotate", "--key", "no\u{1b}[2Jsuch", "--yes"]);
    assert!(!ok);
    assert!(err.contains("no\\x1b[2Jsuch"), "{err}");
    assert!(!raw(&out) && !raw(&err), "{err:?}");
}

#[test]
fn a_toggle_confirmed_during_a_slow_poll_starts_at_once() {
    let m = Moto::start("slow-poll");
    m.seed(30);
    let state = fresh_state(&m, "state");
    let state_home = state.display().to_string();
    let t = dashboard(
        &m,
        "slow-poll",
        &[("XDG_STATE_HOME", &state_home)],
        &["--refresh", "2"],
    );
    t.filter("3", "GeoScrapers");
    t.wait_text("[/GeoScrapers] 1/1");
    // AWS turns slow: GetUsage (the last part of a poll) does not answer.
    m.hold("GetUsage");
    for _ in 0..600 {
        if m.holds()["waiting"]["GetUsage"].as_i64().unwrap_or(0) > 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(m.holds()["waiting"]["GetUsage"].as_i64().unwrap_or(0) > 0);
    t.keys(&["R", "R", "R", "t"]);
    t.wait_text("Confirm a change");
    t.keys(&["Tab", "Enter"]);
    t.wait_text("accepted:");
    let seen = m.holds();
    assert!(
        seen["while_held"]["UpdateWebACL"].as_i64().unwrap_or(0) >= 1,
        "UpdateWebACL reached AWS while the poll still waited: {seen}"
    );
    assert!(
        seen["waiting"]["GetUsage"].as_i64().unwrap_or(0) > 0,
        "{seen}"
    );
    m.release();
    t.keys(&["q"]);
    t.wait_dead();
}

#[test]
fn a_toggle_keeps_a_custom_response_for_the_way_back_and_reads_excluded_rules() {
    let m = Moto::start("custom-response");
    m.seed_untidy(20);
    let state = fresh_state(&m, "state");
    let detail = |rule: &str| {
        m.state()["web_acls"]["REGIONAL/shop-edge"]["rules"][rule]["action_detail"].clone()
    };
    let toggle = |rule: &str, extra: &[&str]| {
        let mut args = vec![
            "toggle",
            "--web-acl",
            "shop-edge",
            "--scope",
            "regional",
            "--rule",
            rule,
        ];
        args.extend_from_slice(extra);
        run(&m, &state, &args)
    };
    // The dialog says what Count cannot carry.
    let (ok, out, err) = toggle("Throttle-Bots", &["--dry-run"]);
    assert!(ok, "{err}");
    assert!(out.contains("response 429, body slow-down"), "{out}");
    let (ok, out, err) = toggle("Throttle-Bots", &["--yes"]);
    assert!(ok, "{out}{err}");
    assert_eq!(detail("Throttle-Bots"), json!({"Count": {}}));
    // Back to Block: the 429 with its body and header, not a plain 403 — and the plan says so.
    let (ok, out, _) = toggle("Throttle-Bots", &["--dry-run"]);
    assert!(
        ok && out.contains("Its earlier BLOCK (response 429"),
        "{out}"
    );
    let (ok, out, err) = toggle("Throttle-Bots", &["--yes"]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("is back"), "{out}");
    let block = detail("Throttle-Bots");
    let r = &block["Block"]["CustomResponse"];
    assert_eq!(r["ResponseCode"], 429, "{block}");
    assert_eq!(r["CustomResponseBodyKey"], "slow-down", "{block}");
    assert_eq!(r["ResponseHeaders"][0]["Name"], "retry-after", "{block}");
    // A Count's inserted headers come back too.
    toggle("Flag-Legacy", &["--yes"]);
    assert_eq!(detail("Flag-Legacy"), json!({"Block": {}}));
    toggle("Flag-Legacy", &["--yes"]);
    assert_eq!(
        detail("Flag-Legacy")["Count"]["CustomRequestHandling"]["InsertHeaders"][0]["Name"],
        "legacy-client"
    );

    // ExcludedRules reads as Count; toggling that rule takes it out of the list.
    let (_, snap, _) = common::moto::snapshot(&m, &[]);
    let rules = &snap["snapshot"]["web_acls"];
    let group = rules
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "shop-edge" && a["scope"] == "Regional")
        .and_then(|a| {
            a["rules"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["name"] == "Common-Legacy")
        })
        .unwrap()
        .clone();
    let inner = &group["kind"]["ManagedGroup"]["inner_rules"];
    let no_ua = inner
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "NoUserAgent_HEADER")
        .unwrap();
    assert_eq!(no_ua["action"], "Count", "{inner}");
    let (ok, out, err) = toggle("Common-Legacy", &["--inner", "NoUserAgent_HEADER", "--yes"]);
    assert!(ok, "{out}{err}");
    let r = &m.state()["web_acls"]["REGIONAL/shop-edge"]["rules"]["Common-Legacy"];
    assert_eq!(r["excluded"], json!([]), "{r}");
    assert_eq!(
        r["inner_overrides"],
        json!({}),
        "back to the group's own action: {r}"
    );

    // What Count cannot carry is kept before the change is sent: where it cannot be written
    // (its lock cannot be taken here), nothing is sent, so nothing is lost.
    let lock = state.join("edgetop/.kept-actions.lock");
    let _ = std::fs::remove_file(&lock);
    std::fs::create_dir_all(&lock).unwrap();
    let (ok, out, err) = toggle("Throttle-Bots", &["--yes"]);
    assert!(!ok, "{out}{err}");
    assert!(err.contains("cannot be kept on this machine"), "{err}");
    assert_eq!(
        detail("Throttle-Bots")["Block"]["CustomResponse"]["ResponseCode"],
        429,
        "nothing was sent"
    );
    std::fs::remove_dir(&lock).unwrap();
    // A kept-actions file that cannot be read is a warning naming it, not a refusal; it is
    // moved aside, and what this toggle keeps is kept.
    let kept = state.join("edgetop/kept-actions.json");
    std::fs::write(&kept, "{ broken").unwrap();
    let (ok, out, err) = toggle("Throttle-Bots", &["--yes"]);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("warning: the kept actions file") && out.contains("kept-actions.json"),
        "{out}"
    );
    let (ok, out, err) = toggle("Throttle-Bots", &["--yes"]);
    assert!(ok && out.contains("is back"), "{out}{err}");
    assert_eq!(
        detail("Throttle-Bots")["Block"]["CustomResponse"]["ResponseCode"],
        429
    );
}
