//! Every screen drawn on ratatui's TestBackend from a fixed seed and a fixed clock, kept as
//! insta snapshots: a change to any screen shows up as a reviewed diff.

use std::sync::Arc;
use std::time::Duration;

use crate::common;

use chrono::TimeDelta;
use common::draw::render;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use edgetop::app::{App, Event, Screen};
use edgetop::source::demo::{DEMO_START, DemoSource};
use edgetop::theme::Theme;
use edgetop::ui;
use ratatui::{Terminal, backend::TestBackend};

/// The demo at a fixed simulated time, five minutes in, with data three seconds old.
fn app() -> App {
    let t = DEMO_START + TimeDelta::minutes(5);
    showing(DemoSource::new(7, 1.0).snapshot_at(t), t)
}

/// The dashboard showing `snap`, taken at `t`, three seconds later.
fn showing(snap: edgetop::model::Snapshot, t: chrono::DateTime<chrono::Utc>) -> App {
    let mut app = App::new(t, false, Duration::from_secs(2), "dark", "demo");
    app.handle(Event::Data(Ok(Arc::new(snap))));
    app.now = t + TimeDelta::seconds(3);
    app
}

fn key(app: &mut App, code: KeyCode) {
    app.handle(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

macro_rules! screens {
    ($($name:ident => $screen:expr,)*) => {$(
        #[test]
        fn $name() {
            let mut a = app();
            a.screen = $screen;
            insta::assert_snapshot!(concat!(stringify!($name), "_80x24"), render(&a, 80, 24));
            insta::assert_snapshot!(concat!(stringify!($name), "_160x48"), render(&a, 160, 48));
        }
    )*};
}

screens! {
    overview => Screen::Overview,
    throttling => Screen::Throttling,
    waf => Screen::Waf,
    origins => Screen::Origins,
    geo => Screen::Geo,
    keys => Screen::Keys,
    access => Screen::Access,
}

#[test]
fn confirm_dialog_focuses_cancel() {
    let mut a = app();
    a.screen = Screen::Waf;
    a.run_command("");
    // Select GeoScrapers through the filter, then ask to toggle it.
    key(&mut a, KeyCode::Char('/'));
    type_text(&mut a, "GeoScrapers");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Char('t'));
    insta::assert_snapshot!("confirm_toggle_80x24", render(&a, 80, 24));
}

#[test]
fn rotate_dialog_shows_every_step() {
    let mut a = app();
    a.screen = Screen::Keys;
    key(&mut a, KeyCode::Char('/'));
    type_text(&mut a, "cdn-origin");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Char('r'));
    insta::assert_snapshot!("confirm_rotate_160x48", render(&a, 160, 48));
}

#[test]
fn help_lists_every_binding() {
    let mut a = app();
    key(&mut a, KeyCode::Char('?'));
    let s = render(&a, 160, 48);
    // The screens' keys fit on the first page of a 60-row terminal; every mode's keys are in
    // the help.
    let first = render(&a, 160, 60);
    for b in edgetop::app::bindings::MAIN {
        assert!(first.contains(b.help), "help lacks {:?}", b.help);
    }
    let tall = render(&a, 160, 150);
    for h in a.keymap.help() {
        assert!(tall.contains(&h.text), "help lacks {:?}", h.text);
        assert!(tall.contains(&h.keys), "help lacks {:?}", h.keys);
    }
    insta::assert_snapshot!("help_160x48", s);
}

#[test]
fn help_scrolls_to_its_last_binding_at_80x24() {
    let mut a = app();
    key(&mut a, KeyCode::Char('?'));
    let top = render(&a, 80, 24);
    assert!(top.contains("j/k scroll"), "{top}");
    let help = a.keymap.help();
    let last = &help.iter().rev().find(|h| h.heading).unwrap().text;
    assert!(
        !top.contains(last.as_str()),
        "cut at 80x24 before scrolling"
    );
    key(&mut a, KeyCode::End);
    let end = render(&a, 80, 24);
    assert!(end.contains(last.as_str()), "{end}");
    for h in help.iter().rev().take(4) {
        assert!(
            end.contains(h.text.as_str()),
            "{:?} not reachable: {end}",
            h.text
        );
    }
    insta::assert_snapshot!("help_end_80x24", end);
}

#[test]
fn hostile_sample_detail_is_escaped() {
    let mut a = app();
    a.screen = Screen::Origins;
    key(&mut a, KeyCode::Char('/'));
    type_text(&mut a, "x1b");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 160, 48);
    assert!(s.contains("Sampled request — Esc closes"), "{s}");
    assert!(s.contains("\\x1b"), "{s}");
}

#[test]
fn too_small_says_so() {
    let a = app();
    insta::assert_snapshot!("too_small_50x12", render(&a, 50, 12));
}

#[test]
fn every_size_from_tiny_to_huge_draws() {
    for (w, h) in [
        (1, 1),
        (20, 5),
        (59, 15),
        (60, 16),
        (61, 17),
        (80, 24),
        (100, 30),
        (200, 50),
        (300, 90),
    ] {
        for s in Screen::ALL {
            let mut a = app();
            a.screen = s;
            render(&a, w, h);
            key(&mut a, KeyCode::Enter);
            render(&a, w, h);
        }
    }
}

#[test]
fn every_theme_draws_every_screen() {
    for name in Theme::builtin_names() {
        let theme = Theme::builtin(name).unwrap();
        let mut a = app();
        for s in Screen::ALL {
            a.screen = s;
            let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
            term.draw(|f| {
                ui::draw(f, &a, &theme);
            })
            .unwrap();
        }
    }
}

fn type_text(a: &mut App, text: &str) {
    for c in text.chars() {
        key(a, KeyCode::Char(c));
    }
}

#[test]
fn a_rotation_in_progress_step_by_step() {
    use edgetop::ops::{Progress, StepState};
    let mut a = app();
    key(&mut a, KeyCode::Char('6'));
    key(&mut a, KeyCode::Char('/'));
    type_text(&mut a, "cdn-origin");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Char('r'));
    key(&mut a, KeyCode::Tab);
    key(&mut a, KeyCode::Enter);
    let steps = [
        (
            "Create key cdn-origin-catalog-rotated-20261117-140800",
            StepState::Done,
        ),
        (
            "Add cdn-origin-catalog-rotated-20261117-140800 to usage plan Internal",
            StepState::Done,
        ),
        (
            "Send cdn-origin-catalog-rotated-20261117-140800 from distribution E2CATALOG7QX",
            StepState::Done,
        ),
        ("Wait until E2CATALOG7QX is Deployed", StepState::Running),
        ("Disable cdn-origin-catalog", StepState::Waiting),
    ];
    a.handle(Event::OpProgress(Progress {
        title: "Rotating API key cdn-origin-catalog".into(),
        steps: steps.iter().map(|(w, s)| (w.to_string(), *s)).collect(),
        detail: "E2CATALOG7QX is InProgress: 1m20s of at most 30m".into(),
    }));
    insta::assert_snapshot!("operation_80x24", render(&a, 80, 24));
    // Hidden, it goes on in the footer.
    key(&mut a, KeyCode::Esc);
    let s = render(&a, 160, 48);
    assert!(
        s.contains("step 4/5 Wait until E2CATALOG7QX is Deployed"),
        "{s}"
    );
}

#[test]
fn a_rule_group_asks_what_to_toggle() {
    let mut a = app();
    key(&mut a, KeyCode::Char('3'));
    key(&mut a, KeyCode::Char('/'));
    type_text(&mut a, "AWS-AWSManagedRulesCommonRuleSet");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Char('t'));
    insta::assert_snapshot!("pick_inner_rule_80x24", render(&a, 80, 24));
}

/// A journal holds what AWS called things, raw (it must, to finish the rotation); the resume
/// dialog and an operation's progress draw it inert (render() refuses any unsafe character).
#[test]
fn journal_names_and_reports_are_drawn_inert() {
    use edgetop::ops::journal::Rotation;
    use edgetop::ops::{Progress, StepState};
    let mut a = app();
    let hostile = "partner\u{202e}\n\u{1b}[2J\u{9b}31m\u{2066}";
    let r = Rotation {
        format: 1,
        id: "20261117T140000.000Z-k1-0a1b2c3d".into(),
        account: "123456789012".into(),
        region: "eu-west-1".into(),
        started: DEMO_START,
        updated: DEMO_START,
        old_key_id: "k1".into(),
        old_key_name: hostile.into(),
        new_key_name: format!("{hostile}-rotated"),
        new_key_id: None,
        plans: vec![format!("plan{hostile}")],
        distributions: vec![format!("E2{hostile}")],
        rolling_back: false,
        steps: Default::default(),
        finished: None,
    };
    a.handle(Event::Unfinished {
        rotations: vec![r.clone()],
        broken: vec![format!(
            "/state/x.json is not a readable journal ({hostile})"
        )],
    });
    let screen = render(&a, 100, 30);
    assert!(screen.contains("\\u{202e}"), "{screen}");
    key(&mut a, KeyCode::Esc);
    a.handle(Event::OpProgress(Progress {
        title: format!("Rotating API key {hostile}"),
        steps: r
            .forward_steps()
            .iter()
            .map(|s| (s.describe(&r), StepState::Waiting))
            .collect(),
        detail: format!("waiting for {hostile}"),
    }));
    key(&mut a, KeyCode::Char('o'));
    render(&a, 100, 30);
}

#[test]
fn an_unfinished_rotation_and_the_audit_log() {
    use edgetop::ops::audit::{Entry, Phase, Who};
    use edgetop::ops::journal::{Mark, Rotation};
    let mut a = app();
    let mut r = Rotation {
        format: 1,
        id: "20261117T140000.000Z-k1".into(),
        account: "123456789012".into(),
        region: "eu-west-1".into(),
        started: DEMO_START,
        updated: DEMO_START,
        old_key_id: "k1".into(),
        old_key_name: "partner-acme".into(),
        new_key_name: "partner-acme-rotated-20261117-140000".into(),
        new_key_id: Some("k2".into()),
        plans: vec!["p1".into()],
        distributions: vec!["E2CATALOG7QX".into()],
        rolling_back: false,
        steps: Default::default(),
        finished: None,
    };
    r.steps.insert("create".into(), Mark::Done);
    r.steps.insert("add-to-plan:p1".into(), Mark::Done);
    r.steps.insert("switch:E2CATALOG7QX".into(), Mark::Started);
    a.handle(Event::Unfinished {
        rotations: vec![r],
        broken: vec![],
    });
    insta::assert_snapshot!("unfinished_rotation_80x24", render(&a, 80, 24));
    key(&mut a, KeyCode::Esc);
    let who = Who {
        caller: "arn:aws:sts::123456789012:assumed-role/oncall/ana".into(),
        local_user: "ana".into(),
        account: "123456789012".into(),
        region: "eu-west-1".into(),
    };
    let entry = |phase, what: &str, result: Option<&str>| {
        Ok(Entry {
            format: 1,
            time: DEMO_START,
            who: who.clone(),
            phase,
            what: what.into(),
            op: serde_json::Value::Null,
            result: result.map(str::to_string),
        })
    };
    a.handle(Event::Audit(Ok(vec![
        entry(
            Phase::Confirmed,
            "GeoScrapers in web ACL edge-regional: COUNT → BLOCK",
            None,
        ),
        entry(
            Phase::Succeeded,
            "GeoScrapers in web ACL edge-regional: COUNT → BLOCK",
            Some("accepted: GeoScrapers in edge-regional is now BLOCK"),
        ),
        entry(
            Phase::Failed,
            "rotate API key partner-acme (k1)",
            Some("apigateway:POST /apikeys is denied"),
        ),
        Err("line 4 unreadable: expected value".into()),
    ])));
    insta::assert_snapshot!("audit_log_160x48", render(&a, 160, 48));
}

/// A large account reads usage plan by plan: a key whose figures are minutes old says so, in
/// its row (from 120 columns) and under the table, and one not read yet says "not yet"; while
/// the first read goes on, the screen says how far it has come.
#[test]
fn usage_read_in_rotation_shows_its_age() {
    let t = DEMO_START + TimeDelta::minutes(5);
    let mut snap = DemoSource::new(7, 1.0).snapshot_at(t);
    for (i, k) in snap.api_keys.iter_mut().enumerate() {
        k.usage_read = match i {
            0 => Some(t - TimeDelta::minutes(4)),
            1 => None,
            _ => Some(t - TimeDelta::seconds(20)),
        };
    }
    snap.loading = vec![edgetop::model::Problem {
        panel: edgetop::model::Panel::Keys,
        message: edgetop::model::Text::new(
            "10,000 keys listed; reading their plans (300 of 300) and usage (120 of 300)…",
        ),
    }];
    let mut a = showing(snap, t);
    a.screen = Screen::Keys;
    let s = render(&a, 160, 48);
    insta::assert_snapshot!("keys_usage_in_rotation_160x48", s);
    assert!(s.contains("usage read 4m ago"), "{s}");
    key(&mut a, KeyCode::Down);
    let s = render(&a, 80, 24);
    insta::assert_snapshot!("keys_usage_in_rotation_80x24", s);
    assert!(s.contains("usage read not yet"), "{s}");
}

/// CloudFront's own geo restriction, merged per country with the WAF's rules: the detail names
/// the distribution and its list, the table says it in short.
#[test]
fn a_country_cloudfront_refuses_says_which_distribution() {
    let mut a = app();
    a.screen = Screen::Geo;
    key(&mut a, KeyCode::Char('/'));
    type_text(&mut a, "Belarus");
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 160, 48);
    assert!(s.contains("CloudFront deny list"), "{s}");
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 160, 48);
    assert!(
        s.contains("E3PARTNER9KD refuses it (on its deny list)"),
        "{s}"
    );
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    type_text(&mut a, "/Iran");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 160, 48);
    assert!(
        s.contains("GeoEmbargo (block)") || s.contains("GeoEmbargo (BLOCK)"),
        "{s}"
    );
    assert!(
        s.contains("E3PARTNER9KD refuses it"),
        "both, in the detail:\n{s}"
    );
}

/// The Access screen's detail: every control of the row, each method, and the policy both
/// summarised and as written; the catalog's way around its CDN leads the Overview's list too.
#[test]
fn access_detail_shows_methods_and_the_policy() {
    let mut a = app();
    let overview = render(&a, 160, 48);
    assert!(
        overview.contains("catalog-api/prod can be called directly at its execute-api URL"),
        "{overview}"
    );
    a.screen = Screen::Access;
    type_text(&mut a, "/payments prod");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Enter);
    let payments = render(&a, 160, 48);
    insta::assert_snapshot!("access_detail_payments_160x48", payments);
    assert!(
        payments.contains("allow *; deny * unless from 203.0.113.0/24,198.51.100.0/24"),
        "{payments}"
    );
    assert!(
        payments.contains("COGNITO payments-users, API key"),
        "{payments}"
    );
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    type_text(&mut a, "/identity-api");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Enter);
    let identity = render(&a, 80, 24);
    insta::assert_snapshot!("access_detail_identity_80x24", identity);
    assert!(identity.contains("PRIVATE, 2 vpce"), "{identity}");

    // An HTTP API: its JWT authorizer with the issuer it trusts, and no policy or keys to speak of.
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    type_text(&mut a, "/mobile");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Enter);
    let http = render(&a, 160, 48);
    assert!(
        http.contains("GET /feed     JWT mobile-users (https://auth.acme.example)"),
        "{http}"
    );
    assert!(http.contains("HTTP API"), "{http}");
}

/// Where 429s come from, per stage, in the Throttling detail; a WAF log query that timed out
/// brings the sampled estimate back, titled with why.
#[test]
fn logs_say_where_each_figure_comes_from() {
    use edgetop::model::logs::LogState;
    let mut a = app();
    a.screen = Screen::Throttling;
    key(&mut a, KeyCode::Char('/'));
    type_text(&mut a, "partner-api");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 160, 48);
    assert!(
        s.contains("to count them, add $context.error.responseType to the access log"),
        "{s}"
    );
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    type_text(&mut a, "/catalog-api");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 160, 48);
    assert!(
        s.contains("throttled in 5 min (access log /aws/apigateway/catalog-prod"),
        "{s}"
    );

    // The WAF log query timed out: its figures are gone, the estimate is back and says why.
    let t = DEMO_START + TimeDelta::minutes(5);
    let mut snap = DemoSource::new(7, 1.0).snapshot_at(t);
    let logs = snap.logs.as_mut().unwrap();
    logs.blocked.clear();
    for s in logs
        .sources
        .iter_mut()
        .filter(|s| s.of[0].as_str() == "edge-regional")
    {
        s.state = LogState::TimedOut {
            at: t,
            previous: None,
        };
        for q in s.query_states.iter_mut() {
            *q = s.state.clone();
        }
    }
    let mut b = showing(snap, t);
    b.screen = Screen::Origins;
    let s = render(&b, 160, 48);
    assert!(
        s.contains("Top client IPs (sampled, weighted) — WAF log query timed out"),
        "{s}"
    );
    // The other web ACL's log was read: its paths stay, and the panel's bottom edge says one
    // query timed out (as the sampled panel's title does).
    assert!(s.contains("Blocked paths (logs)"), "{s}");
    assert!(s.contains("│/login "), "{s}");
    assert!(s.matches("WAF log query timed out").count() >= 3, "{s}");
}

/// The places of these (profile, region) pairs.
fn wanted(pairs: &[(&str, &str)]) -> Vec<edgetop::source::many::Wanted> {
    pairs
        .iter()
        .map(|(profile, region)| edgetop::source::many::Wanted {
            profile: Some((*profile).into()),
            region: Some((*region).into()),
            ..Default::default()
        })
        .collect()
}

/// The demo as three places: prod in eu-west-1 and us-east-1, and staging, whose role was
/// refused (nothing read), five minutes in.
fn places_app() -> App {
    let t = DEMO_START + TimeDelta::minutes(5);
    let w = wanted(&[
        ("prod", "eu-west-1"),
        ("prod", "us-east-1"),
        ("staging", "eu-west-1"),
    ]);
    let (mut infos, reads): (Vec<_>, Vec<_>) = edgetop::source::demo::places(7, 1.0, &w)
        .into_iter()
        .enumerate()
        .map(|(i, (info, mut s))| (info, (i < 2).then(|| s.snapshot_at(t))))
        .unzip();
    infos[2].account.region = edgetop::model::Text::new("eu-west-1");
    infos[2].failed = Some(edgetop::model::places::Failed {
        since: t,
        message: edgetop::model::Text::new(
            "no AWS credentials (AccessDenied: not authorized to perform sts:AssumeRole)",
        ),
    });
    let snap = edgetop::model::places::merge(infos, reads);
    showing(snap, t)
}

#[test]
fn many_places_name_each_row_and_the_one_not_read() {
    let mut a = places_app();
    insta::assert_snapshot!("places_overview_160x48", render(&a, 160, 48));
    a.run_command("split region");
    insta::assert_snapshot!("places_overview_by_region_120x30", render(&a, 120, 30));
    a.run_command("split none");
    a.screen = Screen::Keys;
    insta::assert_snapshot!("places_keys_160x48", render(&a, 160, 48));
    a.run_command("scope us-east-1");
    insta::assert_snapshot!("places_waf_scoped_120x30", {
        a.screen = Screen::Waf;
        render(&a, 120, 30)
    });
    a.run_command("scope");
    a.screen = Screen::Waf;
    key(&mut a, KeyCode::Char('/'));
    type_text(&mut a, "us-east-1 GeoScrapers");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Char('t'));
    insta::assert_snapshot!("places_confirm_100x30", render(&a, 100, 30));
}

#[test]
fn the_header_says_whose_metrics_a_monitoring_account_reads() {
    let t = DEMO_START + TimeDelta::minutes(5);
    let mut a = places_app();
    let mut snap = a.data().unwrap().clone();
    snap.places[1].metrics_through = Some(edgetop::model::Place(0));
    snap.places[2].failed = None;
    a.handle(Event::Data(Ok(Arc::new(snap))));
    a.now = t + TimeDelta::seconds(3);
    let screen = render(&a, 160, 48);
    let header = screen.lines().next().unwrap();
    assert!(
        header.contains("metrics of 1 place via monitoring account prod · eu-west-1"),
        "{header}"
    );
    // Narrower, the header keeps what fits and drops the rest whole.
    let narrow = render(&a, 100, 30);
    let header = narrow.lines().next().unwrap();
    assert!(!header.contains("monitoring"), "{header}");
    assert!(header.contains("(3 places)"), "{header}");
}

#[test]
fn with_many_places_the_footer_says_what_enter_does_on_each_screen() {
    let mut a = places_app();
    let footer = |a: &App| render(a, 160, 48).lines().last().unwrap().to_string();
    a.screen = Screen::Keys;
    assert!(footer(&a).contains("Enter scope"), "{}", footer(&a));
    // Geo's countries are summed over places: Enter opens the detail there.
    a.screen = Screen::Geo;
    assert!(footer(&a).contains("Enter detail"), "{}", footer(&a));
}

/// Each of a WAF log's queries stands on its own: the paths' query failing leaves the exact
/// sources on screen, and says so on its own panel.
#[test]
fn one_failed_log_query_darkens_its_own_panel_only() {
    use edgetop::model::Text;
    use edgetop::model::logs::{LogKind, LogState};
    let t = DEMO_START + TimeDelta::minutes(5);
    let mut snap = DemoSource::new(7, 1.0).snapshot_at(t);
    let logs = snap.logs.as_mut().unwrap();
    let waf = logs
        .sources
        .iter_mut()
        .find(|s| s.kind == LogKind::Waf && !s.query_states.is_empty())
        .unwrap();
    waf.query_states[1] = LogState::Failed {
        at: t,
        message: Text::new("logs:GetQueryResults is denied"),
        previous: None,
    };
    logs.blocked_paths.clear();
    let mut a = showing(snap, t);
    a.screen = Screen::Origins;
    let s = render(&a, 160, 48);
    assert!(s.contains("Blocked, exact: edge-regional"), "{s}");
    // The paths' panel is narrow: with nothing to list, its body says why, whole.
    assert!(s.contains("Blocked paths (logs)"), "{s}");
    assert!(s.contains("WAF log query failed:"), "{s}");
    assert!(s.contains("logs:GetQueryResults is"), "{s}");
    assert!(s.contains("Blocked user agents (logs) "), "{s}");
    assert!(!s.contains("Top client IPs (sampled"), "{s}");
}

/// At 80×24 with four places, a figure is whole or absent: columns that do not fit go whole,
/// a number never loses its leading digits, a region is never cut, and every row names its
/// place.
#[test]
fn at_80x24_with_four_places_every_figure_is_whole() {
    use edgetop::source::demo::places_at;
    let t = DEMO_START + TimeDelta::minutes(5);
    let wanted = wanted(&[
        ("prod", "eu-west-1"),
        ("prod", "us-east-1"),
        ("staging", "eu-west-1"),
        ("staging", "us-east-1"),
    ]);
    let snap = places_at(7, t, &wanted);
    let mut a = showing(snap.clone(), t);
    let percent = |h: f64| {
        let p = h * 100.0;
        if p > 0.0 && p < 0.1 {
            "<0.1%".to_string()
        } else {
            format!("{p:.1}%")
        }
    };
    a.screen = Screen::Throttling;
    let screen = render(&a, 80, 24);
    let mut checked = 0;
    for api in &snap.apis {
        for st in &api.stages {
            let (label, region) = snap.place_label(api.place);
            let name = format!("{}/{}", api.name, st.name);
            // The row's first words, inside the panel's border: its place, then its name.
            let Some(line) = screen.lines().find(|l| {
                let words: Vec<&str> = l.split(['│', ' ']).filter(|w| !w.is_empty()).collect();
                words.len() > 3 && words[0] == label && words[1] == region && words[2] == name
            }) else {
                continue;
            };
            let shown: Vec<&str> = line
                .split(['│', ' '])
                .filter(|w| w.ends_with('%'))
                .collect();
            let want = st.headroom().map_or("–".to_string(), percent);
            assert_eq!(
                shown.last().copied(),
                Some(want.as_str()),
                "{name} in {label} {region}: {line}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 3, "stage rows checked: {checked}\n{screen}");
    // No region is cut into another's prefix, on any screen.
    for s in [
        Screen::Overview,
        Screen::Throttling,
        Screen::Waf,
        Screen::Origins,
        Screen::Geo,
        Screen::Keys,
        Screen::Access,
    ] {
        a.screen = s;
        let screen = render(&a, 80, 24);
        for cut in ["eu-west- ", "us-east- ", "eu-west-…", "us-east-…"] {
            assert!(!screen.contains(cut), "{s:?}: {cut:?}\n{screen}");
        }
    }
    // The fullest quotas name their place: one key name may be in each.
    a.screen = Screen::Throttling;
    let screen = render(&a, 160, 48);
    let quota: Vec<&str> = screen
        .lines()
        .skip_while(|l| !l.contains("Quota used, fullest first"))
        .skip(1)
        .take(5)
        .collect();
    for l in &quota {
        assert!(
            l.contains("prod") || l.contains("staging") || l.trim_matches(['│', ' ']).is_empty(),
            "{quota:#?}"
        );
    }
}

/// Every country WAF reports has its name on the Geo screen, the ones the old 57-country table
/// lacked among them (Zimbabwe; Kosovo, which ISO does not assign), and a code that is no
/// country is shown bare and escaped, with no name guessed.
#[test]
fn every_country_waf_reports_is_named_and_a_stranger_is_shown_bare() {
    use edgetop::model::Text;
    let t = DEMO_START + TimeDelta::minutes(5);
    let mut snap = DemoSource::new(7, 1.0).snapshot_at(t);
    let countries = &mut snap.web_acls[0].countries;
    assert!(countries.len() >= 3);
    countries[0].country = Text::new("ZW");
    countries[1].country = Text::new("XK");
    countries[2].country = Text::new("Q\u{1b}");
    let mut a = showing(snap, t);
    a.screen = Screen::Geo;
    let s = render(&a, 200, 60);
    assert!(
        s.contains("  ZW Zimbabwe ") || s.contains("▶ ZW Zimbabwe "),
        "{s}"
    );
    assert!(
        s.contains("  XK Kosovo ") || s.contains("▶ XK Kosovo "),
        "{s}"
    );
    let stranger = s
        .lines()
        .find(|l| l.contains("Q\\x1b: unknown"))
        .unwrap_or_else(|| panic!("no row for the stranger:\n{s}"));
    assert!(stranger.contains(" Q… Q\\x1b: unknown"), "{stranger}");
}

/// A day at five-minute points: the header names the range (and, where there is room, its
/// points), the charts' axes say hours, and the "last N" figures say the day.
#[test]
fn a_day_at_five_minute_points() {
    use edgetop::model::Range;
    let t = DEMO_START + TimeDelta::minutes(5);
    let mut a = showing(
        DemoSource::new(7, 1.0)
            .with_range(Range::H24)
            .snapshot_at(t),
        t,
    );
    a.range = Range::H24;
    insta::assert_snapshot!("range_day_overview_80x24", render(&a, 80, 24));
    a.screen = Screen::Waf;
    key(&mut a, KeyCode::Enter);
    insta::assert_snapshot!("range_day_waf_detail_160x48", render(&a, 160, 48));
    // Asked for a week, the day still shown until the week is read: said so.
    a.run_command("range 7d");
    let s = render(&a, 80, 24);
    assert!(s.lines().next().unwrap().contains("7d…"), "{s}");
    assert!(s.contains("every range"), "{s}");
}

/// An alarm's threshold across the chart of the metric it watches: red while in ALARM (the
/// login rule's), amber otherwise; one far above the data is named, not drawn.
#[test]
fn alarm_thresholds_cross_the_charts_they_watch() {
    let mut a = app();
    a.screen = Screen::Waf;
    for c in "/LoginRateLimit".chars() {
        key(&mut a, KeyCode::Char(c));
    }
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 160, 48);
    assert!(s.contains("┄ alarm 300"), "{s}");
    insta::assert_snapshot!("alarm_threshold_waf_160x48", s);
    insta::assert_snapshot!("alarm_threshold_waf_80x24", render(&a, 80, 24));
}

/// An anomaly-detection alarm's band around the line it watches: partner-api's requests
/// during the demo's surge, out of the band its model (last week, calm) expects, the band red
/// while the alarm is in ALARM.
#[test]
fn an_anomaly_band_around_the_requests_it_watches() {
    let t = DEMO_START + TimeDelta::minutes(13);
    let mut a = showing(DemoSource::new(7, 1.0).snapshot_at(t), t);
    let anomaly = a
        .data()
        .unwrap()
        .alarms
        .iter()
        .find(|x| x.name.as_str() == "partner-api prod traffic anomaly")
        .expect("the demo's anomaly alarm");
    assert_eq!(anomaly.state, edgetop::model::alarm::AlarmState::Alarm);
    a.screen = Screen::Throttling;
    for c in "/partner-api prod".chars() {
        key(&mut a, KeyCode::Char(c));
    }
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 160, 48);
    assert!(s.contains("╎ band 2 σ"), "{s}");
    insta::assert_snapshot!("anomaly_band_throttling_160x48", s);
    insta::assert_snapshot!("anomaly_band_throttling_80x24", render(&a, 80, 24));
}

/// `:compare 7d`: a dim line of last week under each chart, the tab line says so, and WAF's
/// rules gain "then" and "×" columns.
#[test]
fn last_week_beside_today() {
    use edgetop::model::range::{Compare, Shift};
    let t = DEMO_START + TimeDelta::minutes(5);
    let compare = Compare {
        shift: Shift::Week,
        factor: 3.0,
    };
    let mut a = showing(
        DemoSource::new(7, 1.0).with_compare(compare).snapshot_at(t),
        t,
    );
    a.compare = Some(Shift::Week);
    insta::assert_snapshot!("compare_overview_160x48", render(&a, 160, 48));
    a.screen = Screen::Waf;
    let s = render(&a, 160, 48);
    assert!(s.contains("then/m"), "{s}");
    insta::assert_snapshot!("compare_waf_160x48", s);
    insta::assert_snapshot!("compare_waf_80x24", render(&a, 80, 24));
}

/// A replay of the demo with a tour over it: the timeline under the header (the clock, the
/// operation's mark, the polls), READ-ONLY, and the tour's second caption pointing at its rule.
#[test]
fn a_replay_s_timeline_and_a_tour_s_caption() {
    use edgetop::record::player::ReplayView;
    let t = DEMO_START + TimeDelta::minutes(5);
    let mut a = showing(DemoSource::new(7, 1.0).snapshot_at(t), t);
    a.read_only = true;
    a.replay = Some(ReplayView {
        first: DEMO_START,
        last: DEMO_START + TimeDelta::minutes(20),
        clock: t,
        poll: 30,
        polls: 120,
        paused: true,
        speed: 2.0,
        marks: vec![
            (DEMO_START + TimeDelta::minutes(9), true),
            (DEMO_START + TimeDelta::minutes(14), false),
        ],
        cut: Some("the recording ends in a part that is not whole".into()),
        ended: false,
    });
    a.tour = Some(edgetop::app::replay::TourState::new(
        edgetop::app::tour::Tour::load(None).unwrap(),
    ));
    a.begin_tour();
    key(&mut a, KeyCode::Char(' '));
    let s = render(&a, 160, 48);
    assert!(
        s.contains("REPLAY") && s.contains("⏸ PAUSED") && s.contains("◆"),
        "{s}"
    );
    assert!(s.contains("2/8") && s.contains("→ LoginRateLimit"), "{s}");
    insta::assert_snapshot!("replay_tour_160x48", s);
    insta::assert_snapshot!("replay_tour_80x24", render(&a, 80, 24));
}

/// The buffer of a frame drawn in `theme`.
fn frame(app: &App, w: u16, h: u16, theme: &str) -> ratatui::buffer::Buffer {
    let theme = Theme::builtin(theme).unwrap();
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| {
        ui::draw(f, app, &theme);
    })
    .unwrap();
    term.backend().buffer().clone()
}

#[test]
fn a_sorted_column_is_marked_in_its_heading() {
    let mut a = app();
    a.screen = Screen::Waf;
    // web ACL, #, rule, type, action, block/m: by what each rule blocks, the most first.
    for _ in 0..6 {
        key(&mut a, KeyCode::Char('s'));
    }
    insta::assert_snapshot!("sorted_waf_160x48", render(&a, 160, 48));
    key(&mut a, KeyCode::Char('S'));
    insta::assert_snapshot!("sorted_waf_reversed_80x24", render(&a, 80, 24));
    // A column too narrow for its heading and the mark gives up the heading's end.
    a.screen = Screen::Geo;
    key(&mut a, KeyCode::Char('s'));
    let s = render(&a, 80, 24);
    assert!(s.contains("c↑"), "{s}");
}

/// Under NO_COLOR (the mono theme), every screen's selected row differs from the others by
/// its characters and modifiers alone: the mark before it, and reverse video.
#[test]
fn without_colour_the_selected_row_is_told_by_its_mark_and_reverse_video() {
    use ratatui::style::{Color, Modifier};
    for screen in Screen::ALL {
        let mut a = app();
        a.screen = screen;
        key(&mut a, KeyCode::Char('j'));
        for (w, h) in [(80, 24), (160, 48)] {
            let buf = frame(&a, w, h, "mono");
            let marked: Vec<u16> = (0..h)
                .filter(|y| (0..w).any(|x| buf[(x, *y)].symbol() == "▶"))
                .collect();
            assert_eq!(marked.len(), 1, "{screen:?} {w}x{h}: one row marked");
            let y = marked[0];
            let x = (0..w).find(|x| buf[(*x, y)].symbol() == "▶").unwrap();
            let cell = &buf[(x + 3, y)];
            assert!(
                cell.modifier.contains(Modifier::REVERSED),
                "{screen:?} {w}x{h}: reverse video"
            );
            // No colour anywhere: what tells the row apart is not a colour.
            for c in buf.content() {
                assert!(
                    matches!(c.fg, Color::Reset) && matches!(c.bg, Color::Reset),
                    "{screen:?}: a colour under NO_COLOR"
                );
            }
            // The row below is neither marked nor reversed.
            let below = &buf[(x + 3, y + 1)];
            assert!(!below.modifier.contains(Modifier::REVERSED), "{screen:?}");
        }
    }
}

#[test]
fn a_figure_that_jumps_is_emphasised_for_one_refresh() {
    use ratatui::style::Modifier;
    let t = DEMO_START + TimeDelta::minutes(5);
    let before = DemoSource::new(7, 1.0).snapshot_at(t);
    let mut after = before.clone();
    // GeoScrapers counts ten times what it did; every other figure is as it was.
    let rule = after.web_acls[0]
        .rules
        .iter_mut()
        .find(|r| r.name.as_str() == "GeoScrapers")
        .unwrap();
    let was = rule.metrics.counted.last();
    *rule.metrics.counted.values.last_mut().unwrap() = was * 10.0 + 100.0;
    let mut a = showing(before.clone(), t);
    a.screen = Screen::Waf;
    a.handle(Event::Data(Ok(Arc::new(after.clone()))));
    let emphasised = |a: &App| -> Vec<String> {
        let buf = frame(a, 160, 48, "dark");
        let mut out = Vec::new();
        for y in 0..48 {
            let line: String = (0..160).map(|x| buf[(x, y)].symbol()).collect();
            let hot: String = (0..160)
                .filter(|x| {
                    let m = buf[(*x, y)].modifier;
                    m.contains(Modifier::REVERSED) && m.contains(Modifier::BOLD)
                })
                .map(|x| buf[(x, y)].symbol())
                .collect();
            if !hot.trim().is_empty() && !line.contains('▶') && y > 2 {
                out.push(format!("{}: {}", line.trim(), hot.trim()));
            }
        }
        out
    };
    let hot = emphasised(&a);
    assert_eq!(hot.len(), 1, "{hot:#?}");
    assert!(hot[0].contains("GeoScrapers"), "{hot:#?}");
    insta::assert_snapshot!("jump_waf_80x24", render(&a, 80, 24));
    // The next poll with nothing new: nothing emphasised.
    a.handle(Event::Data(Ok(Arc::new(after))));
    assert!(emphasised(&a).is_empty());
}
