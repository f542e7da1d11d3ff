//! Recording, replaying and touring, end to end: the real binary in tmux records the demo with
//! an operation in the middle; `snapshot --from` prints it before and after; `edgetop replay`
//! plays it back, refuses to change anything, and says the operation where it happened; and
//! `--tour` walks through the demo caption by caption.

use crate::common;

use std::process::Command;

use common::tmux::{BIN, Tmux, line_with};

/// `snapshot --json --from FILE [--at TIME]`: the snapshot's JSON.
fn snapshot_from(file: &std::path::Path, at: Option<&str>) -> serde_json::Value {
    let mut cmd = Command::new(BIN);
    cmd.args(["snapshot", "--json", "--from"]).arg(file);
    if let Some(at) = at {
        cmd.args(["--at", at]);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The poll a replay shows, from its timeline: "poll 3/12".
fn poll_shown(screen: &str) -> String {
    let line = line_with(screen, " REPLAY");
    line.split("poll ")
        .nth(1)
        .unwrap_or("")
        .split('/')
        .next()
        .unwrap_or("")
        .to_string()
}

/// GeoScrapers' action in a snapshot's JSON.
fn geo_scrapers(snap: &serde_json::Value) -> String {
    snap["snapshot"]["web_acls"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["rules"].as_array().unwrap())
        .find(|r| r["name"] == "GeoScrapers")
        .map(|r| r["action"].to_string())
        .unwrap()
}

#[test]
fn the_demo_is_recorded_with_its_operation_then_printed_and_replayed() {
    // At 30× a poll every 2 s is a simulated minute.
    let dir = std::env::temp_dir().join(format!("edgetop-record-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("incident.rec");
    let file_arg = file.display().to_string();
    let t = Tmux::start(
        "record",
        160,
        48,
        &["--demo", "--speed", "30", "--record", &file_arg],
    );
    let s = t.wait_text("Unusual now");
    assert!(s.lines().next().unwrap().contains("● REC"), "{s}");
    t.filter("3", "GeoScrapers");
    t.wait_text("[/GeoScrapers] 1/1");
    t.keys(&["t"]);
    t.wait_text("Confirm a change");
    t.keys(&["Tab", "Enter"]);
    t.wait_action("GeoScrapers", "BLOCK", "COUNT");
    // Two more polls after it.
    let taken = |s: &str| line_with(s, "data at").to_string();
    let before = taken(&t.screen());
    t.wait_for("a poll after the change", |s| taken(s) != before);
    t.keys(&["q"]);
    t.wait_dead();

    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "a recording is the user's alone");
    // Before the operation, and at the end.
    assert_eq!(
        geo_scrapers(&snapshot_from(&file, Some("+0m"))),
        "\"Count\""
    );
    let last = snapshot_from(&file, None);
    assert_eq!(geo_scrapers(&last), "\"Block\"");
    assert!(
        last["stats"]["polls"].as_u64().unwrap() >= 3,
        "{}",
        last["stats"]
    );

    // The replay: the same dashboard, read-only in a replay's words, with its timeline.
    let r = Tmux::start("replay", 160, 48, &["replay", &file_arg]);
    let s = r.wait_text("REPLAY");
    assert!(s.contains("READ-ONLY") && s.contains("poll "), "{s}");
    r.keys(&["Space"]);
    r.wait_text("PAUSED");
    r.filter("3", "GeoScrapers");
    r.wait_text("[/GeoScrapers] 1/1");
    r.keys(&["t"]);
    r.wait_text("a replay changes nothing");
    // Back to the start, then on, poll by poll, until the operation is passed and said.
    r.command("at +0m");
    r.wait_for("the rule as it was", |s| {
        line_with(s, " GeoScrapers ").contains("COUNT")
    });
    let mut said = String::new();
    for _ in 0..40 {
        let before = poll_shown(&r.screen());
        r.keys(&["Right"]);
        let s = r.wait_for("the next poll", |s| poll_shown(s) != before);
        if s.contains("succeeded") {
            said = s;
            break;
        }
    }
    assert!(
        said.contains("GeoScrapers"),
        "the operation was not said:\n{}",
        r.screen()
    );
    r.wait_for("the rule as it became", |s| {
        line_with(s, " GeoScrapers ").contains("BLOCK")
    });
    r.keys(&["q"]);
    r.wait_dead();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_tour_shows_its_first_caption_and_advances_on_space() {
    let t = Tmux::start("tour", 120, 40, &["--demo", "--tour"]);
    let s = t.wait_text("1/8");
    assert!(s.contains("The account at a glance"), "{s}");
    t.keys(&["Space"]);
    let s = t.wait_text("2/8");
    assert!(s.contains("→ LoginRateLimit"), "{s}");
    assert!(
        s.contains("/LoginRateLimit"),
        "the WAF's rows narrowed to the rule:\n{s}"
    );
    t.keys(&["BSpace"]);
    let s = t.wait_text("1/8");
    assert!(
        !s.contains("/LoginRateLimit"),
        "the tour took its filter back:\n{s}"
    );
    t.keys(&["q"]);
    t.wait_dead();
}
