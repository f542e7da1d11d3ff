//! The responses to an attack against the peer, through the real binary: block an address in
//! the IP set a Block rule uses, lower a rate-based rule's limit, disable a key, and undo each;
//! from the command line and from the dashboard in tmux. After each, the account is read back
//! (tests/aws/state.py).

use crate::common;

use std::path::Path;

use common::change::{edgetop, fresh_state, login_limit, run, run_and_kill};
use common::moto::{Moto, dashboard};
use common::tmux::{line_with, row_with};
use serde_json::{Value, json};

const SET: &str = "REGIONAL/blocked-ips";

fn addresses(m: &Moto) -> Vec<String> {
    serde_json::from_value(m.state()["ip_sets"][SET]["addresses"].clone()).unwrap()
}

fn login_rule(state: &Value) -> Value {
    state["web_acls"]["REGIONAL/edge-regional"]["rules"]["LoginRateLimit"].clone()
}

fn key_enabled(state: &Value, name: &str) -> bool {
    state["keys"]
        .as_object()
        .unwrap()
        .values()
        .find(|k| k["name"] == name)
        .unwrap()["enabled"]
        .as_bool()
        .unwrap()
}

/// The audit log's entries, as `edgetop audit --json` prints them.
fn audit(m: &Moto, state: &Path) -> Vec<Value> {
    let (ok, out, err) = run(m, state, &["audit", "--json", "-n", "100"]);
    assert!(ok, "{err}");
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn each_response_changes_the_account_as_planned_and_refuses_what_it_must() {
    let m = Moto::start("respond-cli");
    m.seed(30);
    let state = fresh_state(&m, "state");
    let before = m.state();
    let seeded = addresses(&m);
    assert_eq!(seeded, ["192.0.2.0/24", "198.51.100.200/32"]);

    // The plan, and nothing sent.
    let (ok, out, err) = run(&m, &state, &["--dry-run", "block", "203.0.113.9"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("Block 203.0.113.9/32 in IP set blocked-ips"),
        "{out}"
    );
    assert!(
        out.contains("edge-regional › BlockBadIPs (REGIONAL)"),
        "{out}"
    );
    assert!(out.contains("from 2 to 3 of 10000 ranges"), "{out}");
    assert_eq!(addresses(&m), seeded);

    let (ok, out, err) = run(
        &m,
        &state,
        &["block", "203.0.113.9", "--for", "1h", "--yes"],
    );
    assert!(ok, "{out}{err}");
    assert!(out.contains("blocked"), "{out}");
    assert_eq!(
        addresses(&m),
        ["192.0.2.0/24", "198.51.100.200/32", "203.0.113.9/32"]
    );
    assert_eq!(
        m.state()["ip_sets"][SET]["description"],
        "known bad sources",
        "UpdateIPSet replaces the whole set: the description is sent back"
    );

    // The guardrails: each refused, saying why, and nothing sent.
    for (args, why) in [
        (vec!["block", "203.0.113.9", "--yes"], "already blocked"),
        (
            vec!["block", "192.0.2.77", "--yes"],
            "IP set blocked-ips holds 192.0.2.0/24",
        ),
        (vec!["block", "0.0.0.0/0", "--yes"], "every address"),
        // moto's CloudFront origin-facing prefix list holds 130.176.0.0/18, and edge-regional
        // guards a stage behind a distribution.
        (vec!["block", "130.176.0.5", "--yes"], "takes the site down"),
        (
            vec!["block", "100.64.0.0/10", "--yes"],
            "--confirm 100.64.0.0/10",
        ),
        (vec!["block", "2001:db8::7", "--yes"], "IPv6"),
        (vec!["unblock", "192.0.2.0/24", "--yes"], "did not add"),
    ] {
        let (ok, out, err) = run(&m, &state, &args);
        assert!(!ok, "{args:?}: {out}");
        assert!(err.contains(why), "{args:?}: {err}");
    }
    assert_eq!(addresses(&m).len(), 3);
    // Read-only: refused before asking, and recorded.
    let (ok, _, err) = run(
        &m,
        &state,
        &["--read-only", "block", "203.0.113.10", "--yes"],
    );
    assert!(!ok && err.contains("read-only"), "{err}");
    assert_eq!(addresses(&m).len(), 3);

    // A wide range, its text typed.
    let wide = [
        "block",
        "100.64.0.0/10",
        "--yes",
        "--confirm",
        "100.64.0.0/10",
    ];
    let (ok, out, err) = run(&m, &state, &wide);
    assert!(ok, "{out}{err}");
    assert!(addresses(&m).contains(&"100.64.0.0/10".to_string()));

    // Removed: exactly what was added, nothing else.
    for a in ["203.0.113.9", "100.64.0.0/10"] {
        let (ok, out, err) = run(&m, &state, &["unblock", a, "--yes"]);
        assert!(ok, "{out}{err}");
    }
    assert_eq!(addresses(&m), seeded);

    // A rate-based rule's limit: WAF's bounds first, then the change, the rest kept.
    let (ok, _, err) = run(&m, &state, &login_limit("5", &[]));
    assert!(!ok && err.contains("10 to 2000000000"), "{err}");
    let (ok, _, err) = run(&m, &state, &login_limit("50", &["--window", "90"]));
    assert!(!ok && err.contains("60, 120, 300 or 600"), "{err}");
    let (ok, out, err) = run(&m, &state, &login_limit("50", &["--window", "120"]));
    assert!(ok, "{out}{err}");
    assert!(out.contains("100 per 300 s → 50 per 120 s"), "{out}");
    let after = m.state();
    assert_eq!(login_rule(&after)["limit"], 50);
    assert_eq!(login_rule(&after)["window"], 120);
    assert_eq!(login_rule(&after)["action"], "Block");
    for (name, rule) in before["web_acls"]["REGIONAL/edge-regional"]["rules"]
        .as_object()
        .unwrap()
    {
        if name != "LoginRateLimit" {
            assert_eq!(
                &after["web_acls"]["REGIONAL/edge-regional"]["rules"][name]["action_detail"],
                &rule["action_detail"],
                "{name} is as it was"
            );
        }
    }

    // Keys: one a distribution sends is refused; another is disabled and enabled again.
    let (ok, _, err) = run(&m, &state, &["disable-key", "cdn-origin-catalog", "--yes"]);
    assert!(!ok && err.contains("Rotate it instead"), "{err}");
    assert!(key_enabled(&m.state(), "cdn-origin-catalog"));
    let (ok, out, err) = run(&m, &state, &["disable-key", "student-lab", "--yes"]);
    assert!(ok, "{out}{err}");
    assert!(!key_enabled(&m.state(), "student-lab"));
    let (ok, out, err) = run(&m, &state, &["enable-key", "student-lab", "--yes"]);
    assert!(ok, "{out}{err}");
    assert!(key_enabled(&m.state(), "student-lab"));

    // The audit log has each, before and after, and the refusals.
    let log = audit(&m, &state);
    let said = |what: &str, phase: &str| {
        log.iter()
            .any(|e| e["what"].as_str().unwrap_or("").contains(what) && e["phase"] == phase)
    };
    for what in [
        "block 203.0.113.9/32 in IP set blocked-ips until ",
        "remove 203.0.113.9/32 from IP set blocked-ips",
        "rate limit of LoginRateLimit in web ACL edge-regional: 100 per 300 s → 50 per 120 s",
        "disable API key student-lab",
        "enable API key student-lab",
    ] {
        assert!(said(what, "confirmed"), "{what} confirmed: {log:#?}");
        assert!(said(what, "succeeded"), "{what} succeeded: {log:#?}");
    }
    assert!(said("block 203.0.113.10/32", "refused"), "{log:#?}");
}

/// Another writer changes the IP set between edgetop's read and its update: the update meets
/// WAF's lock, edgetop reads again and adds only its own range, and the other's stays.
#[test]
fn a_changed_lock_token_is_read_again_and_the_other_writers_range_kept() {
    let m = Moto::start("respond-lock");
    m.seed(30);
    let state = fresh_state(&m, "state");
    m.ip_set_writer(
        json!({"ip_set": "blocked-ips", "scope": "REGIONAL", "add": ["203.0.113.50/32"]}),
    );
    let (ok, out, err) = run(&m, &state, &["block", "203.0.113.51", "--yes"]);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("kept beside 1 change someone else made to it meanwhile"),
        "{out}{err}"
    );
    assert_eq!(
        addresses(&m),
        [
            "192.0.2.0/24",
            "198.51.100.200/32",
            "203.0.113.50/32",
            "203.0.113.51/32"
        ]
    );
}

/// Killed between the IP set's update and the journal's record of it: the next start reads the
/// set, settles the entry, and says so; then it is removed as edgetop's own. A block given a
/// time is removed from cron once its time is up.
#[test]
fn a_block_cut_short_is_settled_at_the_next_start_and_expired_ones_go_from_cron() {
    let m = Moto::start("respond-kill");
    m.seed(30);
    let state = fresh_state(&m, "state");
    run_and_kill(
        &m,
        &state,
        &["block", "203.0.113.77", "--for", "1h", "--yes"],
        "block:called",
    );
    assert!(addresses(&m).contains(&"203.0.113.77/32".to_string()));
    let out = edgetop(&m, &state, &["snapshot", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out: Value = serde_json::from_slice(&out.stdout).unwrap();
    let snap = &out["snapshot"];
    let said = snap["problems"].to_string();
    assert!(
        said.contains("203.0.113.77/32 in IP set blocked-ips was being added when edgetop stopped"),
        "{said}"
    );
    assert!(
        snap["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["range"] == "203.0.113.77/32" && b["expires"].is_string()),
        "{}",
        snap["blocks"]
    );
    // Nothing has expired yet; then the one given a second goes, and only it.
    let (ok, _, err) = run(&m, &state, &["unblock", "--expired", "--yes"]);
    assert!(
        ok && err.contains("no block edgetop added has expired"),
        "{err}"
    );
    let (ok, out, err) = run(
        &m,
        &state,
        &["block", "203.0.113.78", "--for", "1m", "--yes"],
    );
    assert!(ok, "{out}{err}");
    // Its minute passes: the journal says when it expires, so that is what is moved.
    let journal = state.join("edgetop").join("blocks.json");
    let text = std::fs::read_to_string(&journal).unwrap();
    let mut records: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(records["format"], 2, "{records}");
    for r in records["blocks"].as_array_mut().unwrap() {
        if r["range"] == "203.0.113.78/32" {
            r["expires"] = json!("2020-01-01T00:00:00Z");
        }
    }
    std::fs::write(&journal, records.to_string()).unwrap();
    let (ok, out, err) = run(&m, &state, &["unblock", "--expired", "--yes"]);
    assert!(ok, "{out}{err}");
    let now = addresses(&m);
    assert!(!now.contains(&"203.0.113.78/32".to_string()), "{now:?}");
    assert!(now.contains(&"203.0.113.77/32".to_string()), "{now:?}");
    // The settled one is edgetop's: it removes it.
    let (ok, out, err) = run(&m, &state, &["unblock", "203.0.113.77", "--yes"]);
    assert!(ok, "{out}{err}");
    assert_eq!(addresses(&m), ["192.0.2.0/24", "198.51.100.200/32"]);
}

/// From the dashboard: block a sampled source on Origins, lower the login rule's limit on WAF,
/// disable a key on Keys, and undo each from the audit log; the account read back after each.
#[test]
fn the_dashboard_blocks_limits_and_disables_and_undoes_each() {
    let m = Moto::start("respond-dash");
    m.seed(30);
    let state = fresh_state(&m, "state");
    let (_, snap, _) = common::moto::snapshot(&m, &[]);
    let source = snap["snapshot"]["samples"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["web_acl"] == "edge-regional" && s["action"] != "Block")
        .map(|s| s["client_ip"].as_str().unwrap().to_string())
        .find(|ip| !ip.starts_with("130.176.") && !ip.contains(':'))
        .expect("a sampled source edge-regional let through");
    let state_home = state.display().to_string();
    let t = dashboard(
        &m,
        "respond",
        &[("XDG_STATE_HOME", &state_home)],
        &["--refresh", "2"],
    );
    t.wait_text("requests/min");

    // Block the source: how long (until removed), then the plan, confirmed.
    t.filter("4", &source);
    // The filter kept (the footer says so outside the filter's own line), and the sample on
    // screen (the first figures come before the samples), then `b`.
    t.wait_for("the source's sample", |s| {
        s.contains(&format!("/ filter: {source}"))
            && s.lines()
                .any(|l| l.contains(&format!(" {source} ")) && !l.contains("/ filter:"))
    });
    t.keys(&["b"]);
    t.wait_text("For how long?");
    t.keys(&["Enter"]);
    let s = t.wait_text("Confirm a change");
    assert!(
        s.contains(&format!("Block {source}/32 in IP set blocked-ips")),
        "{s}"
    );
    t.keys(&["Tab", "Enter"]);
    t.wait_text("blocked");
    assert!(addresses(&m).contains(&format!("{source}/32")));
    t.wait_for("the sample marked blocked", |s| {
        line_with(s, &format!("{source} ")).contains('⊘')
    });

    // Lower the login rule's limit.
    t.keys(&["Escape", "3", "/"]);
    t.literal("LoginRateLimit");
    t.keys(&["Enter"]);
    t.wait_text("/ filter: LoginRateLimit");
    t.keys(&["L"]);
    t.wait_text("New limit");
    t.literal("40");
    t.keys(&["Enter"]);
    let s = t.wait_text("Confirm a change");
    assert!(s.contains("100 per 300 s → 40 per 300 s"), "{s}");
    t.keys(&["Tab", "Enter"]);
    t.wait_for("the new limit read back", |s| {
        line_with(s, " LoginRateLimit ").contains("> 40 per 300s")
    });
    assert_eq!(login_rule(&m.state())["limit"], 40);

    // Disable a key no distribution sends.
    t.keys(&["Escape", "6", "/"]);
    t.literal("student-lab");
    t.keys(&["Enter"]);
    t.wait_text("/ filter: student-lab");
    t.keys(&["d"]);
    let s = t.wait_text("Confirm a change");
    assert!(s.contains("Disable API key student-lab"), "{s}");
    t.keys(&["Tab", "Enter"]);
    t.wait_for("the key read back disabled", |s| {
        let l = row_with(s, "student-lab ");
        l.contains("disabled") && !l.contains("disabling…")
    });
    assert!(!key_enabled(&m.state(), "student-lab"));

    // Undo each, newest first, from its audit entry.
    for (undo, check) in [
        ("Enable API key student-lab", 0),
        ("40 per 300 s → 100 per 300 s", 1),
        (format!("{source}/32 are no longer blocked").as_str(), 2),
    ]
    .map(|(u, c)| (u.to_string(), c))
    {
        t.keys(&["a"]);
        t.wait_text("Audit log");
        // The newest Succeeded entry of a change not undone yet: step up to it.
        let back = 4 * check;
        for _ in 0..back {
            t.keys(&["Up"]);
        }
        t.keys(&["u"]);
        let s = t.wait_text("Confirm a change");
        assert!(s.contains(&undo), "{undo}: {s}");
        t.keys(&["Tab", "Enter"]);
        t.wait_for("the undo done", |s| !s.contains("Confirm a change"));
        match check {
            0 => t.wait_for("the key enabled", |s| {
                let l = row_with(s, "student-lab ");
                l.contains("enabled") && !l.contains("enabling…")
            }),
            _ => t.screen(),
        };
    }
    let end = m.state();
    assert!(key_enabled(&end, "student-lab"));
    assert_eq!(login_rule(&end)["limit"], 100);
    assert_eq!(addresses(&m), ["192.0.2.0/24", "198.51.100.200/32"]);
    t.keys(&["q"]);
    t.wait_dead();
}
