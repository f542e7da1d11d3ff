//! End to end: the real binary in a real terminal (tmux), driven by keys, read by capture-pane.

use crate::common;

use std::process::Command;

use common::tmux::{BIN, Tmux, line_with, row_with};

#[test]
fn a_walk_through_every_screen_then_quit() {
    let t = Tmux::start("walk", 160, 48, &["--demo", "--seed", "3"]);
    t.wait_text("Unusual now");
    assert_eq!(
        t.var("alternate_on"),
        "1",
        "the dashboard uses the alternate screen"
    );

    for (key, marker) in [
        ("2", "Usage plans"),
        ("3", "Rules in priority order"),
        ("4", "Sampled requests"),
        ("5", "Geo-match rules"),
        ("6", "API keys"),
        ("1", "Unusual now"),
    ] {
        t.keys(&[key]);
        t.wait_text(marker);
    }

    // Filter the keys table.
    t.filter("6", "globex");
    let s = t.wait_text("[/globex] 1/1");
    assert!(s.contains("globex-retail"), "{s}");
    assert!(
        !s.contains("student-lab"),
        "the filter hides other keys:\n{s}"
    );

    // Help lists the bindings.
    t.keys(&["?"]);
    let s = t.wait_text("scroll, Esc closes");
    assert!(
        s.contains("toggle Block ↔ Count") && s.contains(":theme NAME"),
        "{s}"
    );
    t.keys(&["Escape"]);
    t.wait_for("help to close", |s| !s.contains("scroll, Esc closes"));

    // Toggle GeoScrapers from Count to Block: Cancel is focused, so Enter first cancels.
    t.filter("3", "GeoScrapers");
    let s = t.wait_text("[/GeoScrapers] 1/1");
    assert!(line_with(&s, " GeoScrapers ").contains("COUNT"), "{s}");
    t.keys(&["t"]);
    let s = t.wait_text("Confirm a change");
    assert!(
        s.contains("COUNT → BLOCK: GeoScrapers in web ACL edge-regional"),
        "{s}"
    );
    t.keys(&["Enter"]);
    t.wait_text("cancelled: nothing was changed");
    assert!(line_with(&t.screen(), " GeoScrapers ").contains("COUNT"));
    t.keys(&["t"]);
    t.wait_text("Confirm a change");
    t.keys(&["Tab", "Enter"]);
    t.wait_action("GeoScrapers", "BLOCK", "COUNT");

    t.keys(&["q"]);
    t.wait_dead();
    assert_eq!(
        t.var("alternate_on"),
        "0",
        "the terminal left the alternate screen"
    );
    // tmux does not always record a pane's exit status (a race between the pty closing and the
    // child being reaped), so the program's own log says how it ended.
    let log = std::fs::read_to_string(t.dir.join("edgetop.log")).unwrap();
    assert!(log.contains("ending=Quit"), "{log}");
}

#[test]
fn hostile_strings_reach_the_pane_as_text() {
    let t = Tmux::start("hostile", 160, 48, &["--demo", "--seed", "5"]);
    t.wait_text("Unusual now");
    t.filter("4", "x1b");
    let s = t.wait_text("[/x1b]");
    assert!(s.contains("\\x1b"), "escaped ESC is shown as text:\n{s}");
    // Walk through the hostile samples' details.
    for _ in 0..4 {
        t.keys(&["Enter"]);
        let s = t.wait_text("Sampled request — Esc closes");
        assert!(s.contains("\\x"), "{s}");
        t.keys(&["Escape", "j"]);
    }
    let s = t.screen();
    assert!(
        s.contains("Sampled requests"),
        "ESC[2J did not clear the screen:\n{s}"
    );
    // An interpreted OSC 52 would have set tmux's clipboard: a paste buffer would exist.
    assert_eq!(
        t.tmux(&["list-buffers"]).trim(),
        "",
        "no OSC 52 clipboard write got through"
    );
    // The raw pane contents, with tmux's own colour codes, carry no ESC from the data.
    let raw = t.tmux(&["capture-pane", "-p", "-e", "-t", "e2e"]);
    assert!(
        !raw.contains('\u{9b}') && !raw.contains('\u{202e}') && !raw.contains("\x1b]52"),
        "{raw}"
    );
    t.keys(&["q"]);
    t.wait_dead();
    assert_eq!(t.var("alternate_on"), "0");
}

/// `--bell`: a new alarm in ALARM rings and names itself in the window's title; the title the
/// terminal had is saved on xterm's title stack first and restored when edgetop ends.
#[test]
fn the_bell_rings_for_a_new_alarm_and_the_title_comes_back() {
    // Sixty simulated seconds a second: the demo's 20-minute incident cycle in 20 seconds.
    let t = Tmux::start_recorded(
        "bell",
        120,
        32,
        &[
            "--demo",
            "--seed",
            "3",
            "--bell",
            "--speed",
            "60",
            "--refresh",
            "1",
        ],
    );
    t.wait_text("Overview");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(40);
    while !t.var("pane_title").starts_with("edgetop: ALARM ") {
        assert!(
            std::time::Instant::now() < deadline,
            "no alarm named in the title: {:?}\n{}",
            t.var("pane_title"),
            t.screen()
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    t.keys(&["q"]);
    t.wait_dead();
    // pipe-pane's copy may lag the pane a little.
    let mut out = t.output();
    for _ in 0..50 {
        if out.ends_with(b"\x1b[23;0t") || out.windows(7).any(|w| w == b"\x1b[23;0t") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        out = t.output();
    }
    let at = |seq: &[u8]| out.windows(seq.len()).position(|w| w == seq);
    let saved = at(b"\x1b[22;0t").expect("the title saved");
    let named = at(b"\x1b]0;edgetop: ALARM ")
        .or_else(|| at(b"\x1b]2;edgetop: ALARM "))
        .expect("the alarm in the title");
    let restored = out
        .windows(7)
        .rposition(|w| w == b"\x1b[23;0t")
        .expect("the title restored");
    assert!(
        saved < named && named < restored,
        "{saved} {named} {restored}"
    );
    // The title's end (BEL ends the OSC), then the bell itself.
    let end = named + out[named..].iter().position(|b| *b == 0x07).unwrap();
    assert_eq!(out.get(end + 1), Some(&0x07), "the bell after the title");
}

/// The terminal itself goes away (an SSH link dropped: here the tmux server, its pane and its
/// pty): edgetop ends as on SIGHUP, without a panic at writing to a standard error gone with it.
#[test]
fn a_terminal_that_vanishes_ends_edgetop_quietly() {
    let t = Tmux::start("vanish", 100, 30, &["--demo", "--seed", "4"]);
    t.wait_text("Overview");
    let pid = t.pid();
    t.tmux(&["kill-server"]);
    let log = t.dir.join("edgetop.log");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains("frames drawn") {
            assert!(!text.contains("panic"), "{text}");
            assert!(
                text.contains("ending=HangUp") || text.contains("ending=InputClosed"),
                "{text}"
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "edgetop {pid} did not end:\n{text}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[test]
fn sighup_restores_the_terminal() {
    let t = Tmux::start("hup", 100, 30, &["--demo", "--seed", "4"]);
    t.wait_text("Unusual now");
    let pid = t.pid();
    assert!(
        Command::new("kill")
            .args(["-HUP", &pid])
            .status()
            .unwrap()
            .success()
    );
    t.wait_dead();
    assert_eq!(
        t.var("alternate_on"),
        "0",
        "SIGHUP left the alternate screen"
    );
    let log = std::fs::read_to_string(t.dir.join("edgetop.log")).unwrap();
    assert!(log.contains("HangUp"), "{log}");
}

#[test]
fn sigterm_restores_the_terminal() {
    let t = Tmux::start("term", 100, 30, &["--demo"]);
    t.wait_text("Unusual now");
    assert!(
        Command::new("kill")
            .args(["-TERM", &t.pid()])
            .status()
            .unwrap()
            .success()
    );
    t.wait_dead();
    assert_eq!(t.var("alternate_on"), "0");
}

#[test]
fn read_only_refuses_and_says_why() {
    let t = Tmux::start("ro", 100, 30, &["--demo", "--read-only"]);
    t.wait_text("READ-ONLY");
    t.keys(&["3", "t"]);
    t.wait_text("read-only mode: toggling a WAF rule is disabled");
    t.keys(&["6", "r"]);
    t.wait_text("read-only mode: rotating an API key is disabled");
    t.keys(&["q"]);
    t.wait_dead();
}

#[test]
fn too_small_says_so_and_recovers() {
    let t = Tmux::start("small", 50, 12, &["--demo"]);
    t.wait_text("needs a larger terminal");
    t.tmux(&["resize-window", "-t", "e2e", "-x", "80", "-y", "24"]);
    t.wait_text("Unusual now");
    t.keys(&["q"]);
    t.wait_dead();
    assert_eq!(t.var("alternate_on"), "0");
}

#[test]
fn the_installed_binary_has_no_test_hooks() {
    // The hooks' variables set, the binary users install runs as ever: no panic after the
    // first frame (a rotation's stall is checked against the peer in ops_moto.rs).
    let t = Tmux::start_with_env("nohooks", 100, 30, "EDGETOP_TEST_PANIC=1", &["--demo"]);
    t.wait_text("Unusual now");
    t.keys(&["q"]);
    t.wait_dead();
    let s = t.screen();
    assert!(!s.contains("panic"), "{s}");
    let bytes = std::fs::read(BIN).unwrap();
    for var in ["EDGETOP_TEST_PANIC", "EDGETOP_TEST_STALL"] {
        assert!(
            !bytes.windows(var.len()).any(|w| w == var.as_bytes()),
            "{var} is in the installed binary"
        );
    }
}

#[test]
fn a_panic_restores_the_terminal_and_says_why() {
    let t = Tmux::start_program(
        &common::hooked(),
        "panic",
        100,
        30,
        "EDGETOP_TEST_PANIC=1",
        &["--demo"],
    );
    t.wait_dead();
    assert_eq!(
        t.var("alternate_on"),
        "0",
        "a panic left the alternate screen"
    );
    let s = t.screen();
    assert!(
        s.contains("a test hook asked for a panic"),
        "the panic message is shown after restoring:\n{s}"
    );
}

/// The colours in `capture-pane -e` output: whether any true colour (38;2 / 48;2) appears, and
/// the palette indices used (38;5;N / 48;5;N — crossterm writes even the 16 basic colours so).
fn colours(raw: &str) -> (bool, Vec<u8>) {
    let mut truecolor = false;
    let mut indices = Vec::new();
    for seq in raw.split('\u{1b}').filter_map(|s| s.strip_prefix('[')) {
        let params: Vec<&str> = seq.split('m').next().unwrap_or("").split(';').collect();
        for w in params.windows(3) {
            if matches!(w[0], "38" | "48") && w[1] == "2" {
                truecolor = true;
            }
            if matches!(w[0], "38" | "48") && w[1] == "5" {
                indices.extend(w[2].parse::<u8>().ok());
            }
        }
    }
    (truecolor, indices)
}

#[test]
fn no_color_draws_without_colour() {
    let t = Tmux::start_with_env("nocolor", 100, 30, "NO_COLOR=1", &["--demo"]);
    t.wait_text("Unusual now");
    let raw = t.tmux(&["capture-pane", "-p", "-e", "-t", "e2e"]);
    assert_eq!(colours(&raw), (false, vec![]), "{raw}");
    assert!(
        raw.contains("\u{1b}[1m") || raw.contains("\u{1b}[7m"),
        "still bold and reverse"
    );
    t.keys(&["q"]);
    t.wait_dead();
}

#[test]
fn colours_degrade_to_256_and_16() {
    let t = Tmux::start("c256", 100, 30, &["--demo", "--colors", "256"]);
    t.wait_text("Unusual now");
    let (truecolor, indices) = colours(&t.tmux(&["capture-pane", "-p", "-e", "-t", "e2e"]));
    assert!(
        !truecolor && indices.iter().any(|i| *i >= 16),
        "256 colours: {indices:?}"
    );
    t.keys(&["q"]);
    t.wait_dead();

    let t = Tmux::start("c16", 100, 30, &["--demo", "--colors", "16"]);
    t.wait_text("Unusual now");
    let (truecolor, indices) = colours(&t.tmux(&["capture-pane", "-p", "-e", "-t", "e2e"]));
    assert!(
        !truecolor && !indices.is_empty() && indices.iter().all(|i| *i < 16),
        "16 colours: {indices:?}"
    );
    t.keys(&["q"]);
    t.wait_dead();
}

#[test]
fn rotating_a_key_shows_the_new_value_once_and_disables_the_old() {
    // At 30× a distribution deploys in 3 s (90 simulated seconds).
    let t = Tmux::start(
        "rotate",
        160,
        48,
        &["--demo", "--seed", "2", "--speed", "30"],
    );
    t.wait_text("Unusual now");
    t.filter("6", "cdn-origin");
    let s = t.wait_text("[/cdn-origin] 1/1");
    assert!(
        row_with(&s, "cdn-origin-catalog ").contains("enabled"),
        "{s}"
    );
    t.keys(&["r"]);
    let s = t.wait_text("Confirm a change");
    assert!(
        s.contains("UpdateDistribution (If-Match")
            && s.contains("Disable the old key cdn-origin-catalog"),
        "{s}"
    );
    t.keys(&["Right", "Enter"]);
    // The steps, one by one, while the dashboard stays live.
    let s = t.wait_text("Wait until E2CATALOG7QX is Deployed");
    assert!(s.contains("Rotate API key cdn-origin-catalog"), "{s}");
    t.wait_text("InProgress");
    let s = t.wait_text("New key for cdn-origin-catalog");
    assert!(s.contains("••••••••"), "masked until revealed:\n{s}");
    t.keys(&["v"]);
    t.wait_for("the value revealed", |s| {
        !line_with(s, "value  ").contains("••••")
    });
    t.keys(&["Escape", "Escape"]);
    let s = t.wait_for("both keys listed", |s| {
        s.contains("cdn-origin-catalog-rotated")
    });
    assert!(
        row_with(&s, "cdn-origin-catalog ").contains("disabled"),
        "{s}"
    );
    assert!(
        row_with(&s, "cdn-origin-catalog-rotated").contains("enabled"),
        "{s}"
    );
    t.keys(&["q"]);
    t.wait_dead();
    let log = std::fs::read_to_string(t.dir.join("edgetop.log")).unwrap();
    assert!(
        log.contains("confirmed by the operator")
            && log.contains("rotate API key cdn-origin-catalog"),
        "{log}"
    );
}

#[test]
fn themes_switch_at_run_time() {
    let t = Tmux::start("theme", 100, 30, &["--demo"]);
    t.wait_text("Unusual now");
    t.command("theme light");
    t.wait_text("theme light");
    let raw = t.tmux(&["capture-pane", "-p", "-e", "-t", "e2e"]);
    assert!(
        raw.contains("48;2;245;245;247"),
        "the light theme's background is drawn"
    );
    t.command("theme neon");
    t.wait_text("no such theme");
    t.keys(&["q"]);
    t.wait_dead();
}

#[test]
fn keys_rebound_in_the_config_file_work_and_help_shows_them() {
    let dir = std::env::temp_dir().join(format!("edgetop-rebind-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config.toml");
    std::fs::write(&config, "[keys]\nquit = [\"x\"]\nscreen_keys = [\"K\"]\n").unwrap();
    let config = config.display().to_string();
    let t = Tmux::start("rebind", 120, 40, &["--demo", "--config", &config]);
    t.wait_text("Unusual now");
    // The footer names the keys in force.
    t.wait_text("x quit");
    // K goes to the Keys screen; q no longer quits.
    t.keys(&["K"]);
    t.wait_text("API keys");
    t.keys(&["q", "?"]);
    let s = t.wait_text("scroll, Esc closes");
    assert!(
        line_with(&s, "quit (Ctrl-C always quits)").contains(" x "),
        "help shows the key in force:\n{s}"
    );
    assert!(
        line_with(&s, "Keys: API keys, plans, usage").contains(" K "),
        "{s}"
    );
    t.keys(&["Escape", "x"]);
    t.wait_dead();
    assert_eq!(t.var("alternate_on"), "0");
}

#[test]
fn the_range_changes_with_its_command_and_its_keys() {
    let dir = std::env::temp_dir().join(format!("edgetop-range-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config.toml");
    // The config's range is where the dashboard starts; its keys are rebindable.
    std::fs::write(&config, "range = \"3h\"\n[keys]\nwiden_range = [\"=\"]\n").unwrap();
    let config = config.display().to_string();
    let t = Tmux::start("range", 160, 48, &["--demo", "--config", &config]);
    t.wait_text("Unusual now");
    t.wait_text("range 3h · 1-min points");
    t.wait_text("-3h ");
    t.keys(&[":"]);
    t.literal("range 24h");
    // What it costs, before it is chosen: the same per poll as every range.
    let s = t.wait_text("24h: 288 points of 5-min;");
    assert!(
        line_with(&s, "288 points").contains("as every range"),
        "{s}"
    );
    t.keys(&["Enter"]);
    let s = t.wait_text("range 24h · 5-min points");
    assert!(s.contains("-24h "), "the axes follow the range:\n{s}");
    // `=` (rebound) steps to the next range, `[` back.
    t.keys(&["="]);
    t.wait_text("range 3d · 1-hour points");
    t.keys(&["["]);
    t.wait_text("range 24h · 5-min points");
    t.command("range 2h");
    t.wait_text(":range takes 15m, 1h, 3h, 12h, 24h, 3d, 7d, not '2h'");
    // Last week beside today: said in the tab line, and WAF's rules gain its columns.
    t.command("compare 7d");
    t.wait_text("· vs last week");
    t.keys(&["3"]);
    let s = t.wait_text("then/m");
    assert!(
        line_with(&s, "LoginRateLimit").contains("rate-based"),
        "{s}"
    );
    t.command("compare off");
    t.wait_for("no comparison", |s| {
        !s.contains("then/m") && !s.contains("vs last week")
    });
    t.keys(&["q"]);
    t.wait_dead();
    assert_eq!(t.var("alternate_on"), "0");
}

/// The line numbers of `names` on the screen, in order of `names`.
fn rows_of(s: &str, names: &[&str]) -> Vec<usize> {
    names
        .iter()
        .map(|n| {
            s.lines()
                .position(|l| l.contains(&format!(" {n} ")))
                .unwrap_or_else(|| panic!("{n} on screen:\n{s}"))
        })
        .collect()
}

#[test]
fn sort_a_column_both_ways_copy_a_row_and_click_a_tab() {
    let t = Tmux::start_recorded(
        "habits",
        160,
        48,
        &["--demo", "--seed", "3", "--mouse", "--print-urls"],
    );
    t.wait_text("Unusual now");
    t.keys(&["3"]);
    let s = t.wait_text("Rules in priority order");
    // In priority order, BlockListedIPs (0) comes before LoginRateLimit (1).
    let own = rows_of(&s, &["BlockListedIPs", "LoginRateLimit", "GeoScrapers"]);
    assert!(own[0] < own[1] && own[1] < own[2], "{s}");
    // web ACL, #, rule: by name, from A.
    t.keys(&["s", "s", "s"]);
    let s = t.wait_text("rule ↑");
    let by_name = rows_of(&s, &["BlockListedIPs", "GeoScrapers", "LoginRateLimit"]);
    assert!(by_name[0] < by_name[1] && by_name[1] < by_name[2], "{s}");
    t.keys(&["S"]);
    let s = t.wait_text("rule ↓");
    let reversed = rows_of(&s, &["BlockListedIPs", "GeoScrapers", "LoginRateLimit"]);
    assert!(
        reversed[0] > reversed[1] && reversed[1] > reversed[2],
        "{s}"
    );

    // `y` copies the selected sample's client address: tmux (set-clipboard on) takes the
    // OSC 52 sequence into its paste buffer.
    t.keys(&["4"]);
    let s = t.wait_text("Sampled requests");
    t.keys(&["y"]);
    let s2 = t.wait_text("copied: ");
    let copied = line_with(&s2, "copied: ")
        .split("copied: ")
        .nth(1)
        .unwrap()
        .trim()
        .to_string();
    assert!(
        copied.parse::<std::net::IpAddr>().is_ok(),
        "an address: {copied}\n{s}"
    );
    let buffer = t.wait_buffer();
    assert_eq!(buffer, copied);

    // A click on a tab opens it (an SGR mouse report, as a terminal sends it).
    let s = t.screen();
    let tabs = line_with(&s, "1 Overview");
    let x = tabs.find("6 Keys").unwrap() + 2;
    let y = s.lines().position(|l| l.contains("1 Overview")).unwrap() + 1;
    t.click(x as u16, y as u16);
    t.wait_text("API keys");

    // `o`: the selected key's console URL, copied, and printed when edgetop ends
    // (--print-urls).
    t.keys(&["o"]);
    t.wait_text("copied the console URL");
    t.keys(&["q"]);
    t.wait_dead();
    let printed = String::from_utf8_lossy(&t.output()).into_owned();
    let after = printed.rsplit("\x1b[?1049l").next().unwrap_or_default();
    assert!(
        after.contains("https://eu-west-1.console.aws.amazon.com/apigateway/main/api-keys/"),
        "printed after the screen is restored: {after:?}"
    );
    // The copy reached the terminal as OSC 52 (base64 of the address copied above).
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(copied.as_bytes());
    assert!(
        printed.contains(&format!("\x1b]52;c;{b64}\x07")),
        "OSC 52 written"
    );
}
