//! Tests of the module above; a file of tests is as long as the behaviours it covers.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::model::Action as RuleAction;
use crate::source::demo::{DEMO_START, DemoSource};

pub(super) fn snap(minutes: i64) -> Arc<Snapshot> {
    Arc::new(DemoSource::new(11, 1.0).snapshot_at(DEMO_START + TimeDelta::minutes(minutes)))
}

pub(super) fn app() -> App {
    let mut a = App::new(DEMO_START, false, Duration::from_secs(2), "dark", "demo");
    a.handle(Event::Data(Ok(snap(5))));
    a
}

pub(super) fn press(a: &mut App, code: KeyCode) -> Vec<Effect> {
    a.handle(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

pub(super) fn type_text(a: &mut App, text: &str) {
    for c in text.chars() {
        press(a, KeyCode::Char(c));
    }
}

#[test]
fn number_keys_and_tab_switch_screens() {
    let mut a = app();
    press(&mut a, KeyCode::Char('3'));
    assert_eq!(a.screen, Screen::Waf);
    press(&mut a, KeyCode::Tab);
    assert_eq!(a.screen, Screen::Origins);
    press(&mut a, KeyCode::BackTab);
    press(&mut a, KeyCode::BackTab);
    assert_eq!(a.screen, Screen::Throttling);
    press(&mut a, KeyCode::Left);
    press(&mut a, KeyCode::Left);
    assert_eq!(a.screen, Screen::Access, "round to the last");
    press(&mut a, KeyCode::Char('6'));
    assert_eq!(a.screen, Screen::Keys);
    press(&mut a, KeyCode::Char('7'));
    assert_eq!(a.screen, Screen::Access);
}

#[test]
fn the_filter_narrows_the_table_and_esc_clears_it() {
    let mut a = app();
    press(&mut a, KeyCode::Char('6'));
    let all = a.row_count(Screen::Keys);
    press(&mut a, KeyCode::Char('/'));
    type_text(&mut a, "globex");
    assert_eq!(a.row_count(Screen::Keys), 1);
    press(&mut a, KeyCode::Enter);
    assert!(matches!(a.mode, Mode::Normal));
    assert_eq!(a.row_count(Screen::Keys), 1, "Enter keeps the filter");
    press(&mut a, KeyCode::Esc);
    assert_eq!(a.row_count(Screen::Keys), all);
}

#[test]
fn selection_moves_and_stays_in_range() {
    let mut a = app();
    press(&mut a, KeyCode::Char('3'));
    let n = a.row_count(Screen::Waf);
    assert!(n >= 10);
    press(&mut a, KeyCode::Char('j'));
    press(&mut a, KeyCode::Down);
    assert_eq!(a.selected(Screen::Waf), 2);
    press(&mut a, KeyCode::Char('G'));
    assert_eq!(a.selected(Screen::Waf), n - 1);
    press(&mut a, KeyCode::Char('j'));
    assert_eq!(a.selected(Screen::Waf), n - 1);
    press(&mut a, KeyCode::PageUp);
    press(&mut a, KeyCode::PageUp);
    assert_eq!(a.selected(Screen::Waf), 0);
    // A filter that leaves fewer rows clamps the selection.
    press(&mut a, KeyCode::Char('G'));
    press(&mut a, KeyCode::Char('/'));
    type_text(&mut a, "geo");
    assert!(a.selected(Screen::Waf) < a.row_count(Screen::Waf));
}

fn select_rule(a: &mut App, name: &str) {
    press(a, KeyCode::Char('3'));
    press(a, KeyCode::Char('/'));
    type_text(a, name);
    press(a, KeyCode::Enter);
}

#[test]
fn toggle_asks_first_with_cancel_focused() {
    let mut a = app();
    select_rule(&mut a, "GeoScrapers");
    assert!(press(&mut a, KeyCode::Char('t')).is_empty());
    let Mode::Confirm(c) = &a.mode else {
        panic!("no dialog: {:?}", a.mode)
    };
    assert_eq!(c.focus, Button::Cancel);
    assert_eq!(
        c.plan.title,
        "COUNT → BLOCK: GeoScrapers in web ACL edge-regional (REGIONAL)"
    );
    assert!(c.plan.steps.iter().any(|s| s.call.contains("UpdateWebACL")));
    // Enter on Cancel changes nothing.
    assert!(press(&mut a, KeyCode::Enter).is_empty());
    assert!(matches!(a.mode, Mode::Normal));
    // Tab to Confirm, Enter runs it.
    press(&mut a, KeyCode::Char('t'));
    press(&mut a, KeyCode::Tab);
    let cmds = press(&mut a, KeyCode::Enter);
    let [Effect::Apply(Op::ToggleRule(t))] = cmds.as_slice() else {
        panic!("{cmds:?}");
    };
    assert_eq!(
        (t.web_acl.as_str(), t.rule.as_str(), t.inner.as_ref()),
        ("edge-regional", "GeoScrapers", None)
    );
    assert_eq!((t.from, t.to), (RuleAction::Count, RuleAction::Block));
    assert_eq!(t.scope, crate::model::Scope::Regional);
    assert!(!t.web_acl_id.is_empty());
}

#[test]
fn read_only_refuses_and_says_why() {
    let mut a = app();
    a.read_only = true;
    select_rule(&mut a, "GeoScrapers");
    press(&mut a, KeyCode::Char('t'));
    assert!(matches!(a.mode, Mode::Normal));
    let (level, msg) = a.message.clone().unwrap();
    assert_eq!(level, Level::Error);
    assert!(msg.contains("read-only"), "{msg}");
    press(&mut a, KeyCode::Char('6'));
    press(&mut a, KeyCode::Char('r'));
    assert!(matches!(a.mode, Mode::Normal));
    assert!(
        a.message
            .as_ref()
            .unwrap()
            .1
            .contains("rotating an API key is disabled")
    );
}

#[test]
fn rotate_plans_every_step() {
    let mut a = app();
    press(&mut a, KeyCode::Char('6'));
    press(&mut a, KeyCode::Char('/'));
    type_text(&mut a, "cdn-origin");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('r'));
    let Mode::Confirm(c) = &a.mode else {
        panic!("no dialog")
    };
    let calls: Vec<&str> = c.plan.steps.iter().map(|s| s.call.as_str()).collect();
    assert!(calls[0].contains("CreateApiKey"), "{calls:?}");
    assert!(
        calls.iter().any(|c| c.contains("UpdateDistribution")),
        "{calls:?}"
    );
    assert!(calls.last().unwrap().contains("UpdateApiKey"), "{calls:?}");
}

#[test]
fn a_new_secret_is_shown_masked_until_revealed() {
    let mut a = app();
    let op = Op::RotateKey {
        at: Default::default(),
        key_id: "k".into(),
        key_name: "acme".into(),
    };
    a.handle(Event::OpDone {
        op,
        result: Ok(OpOutcome {
            message: "rotated".into(),
            secret: Some(Secret::new("abcdefgh12345678")),
        }),
    });
    let Mode::Reveal(r) = &a.mode else { panic!() };
    assert!(!r.revealed);
    press(&mut a, KeyCode::Char('v'));
    let Mode::Reveal(r) = &a.mode else { panic!() };
    assert!(r.revealed);
    press(&mut a, KeyCode::Esc);
    assert!(matches!(a.mode, Mode::Normal));
}

#[test]
fn pause_freezes_the_screen_while_data_arrives() {
    let mut a = app();
    let before = a.data().unwrap().taken_at;
    press(&mut a, KeyCode::Char('p'));
    assert!(a.paused());
    a.handle(Event::Data(Ok(snap(6))));
    a.handle(Event::Data(Ok(snap(7))));
    assert_eq!(a.data().unwrap().taken_at, before);
    assert_eq!(a.held_updates, 2);
    press(&mut a, KeyCode::Char('p'));
    assert_eq!(
        a.data().unwrap().taken_at,
        DEMO_START + TimeDelta::minutes(7)
    );
}

#[test]
fn commands() {
    let mut a = app();
    assert_eq!(
        a.run_command("refresh 5"),
        vec![Effect::SetRefresh(Duration::from_secs(5))]
    );
    assert_eq!(a.refresh, Duration::from_secs(5));
    assert!(a.run_command("refresh 0").is_empty());
    assert!(a.message.as_ref().unwrap().1.contains("1 to 3600"));
    assert_eq!(
        a.run_command("theme light"),
        vec![Effect::LoadTheme("light".into())]
    );
    assert!(a.run_command("bogus").is_empty());
    assert_eq!(a.message.as_ref().unwrap().0, Level::Error);
    assert_eq!(a.run_command("q"), vec![Effect::Quit]);
    // Typed on the command line.
    let mut a = app();
    press(&mut a, KeyCode::Char(':'));
    type_text(&mut a, "refresh 9");
    assert_eq!(
        press(&mut a, KeyCode::Enter),
        vec![Effect::SetRefresh(Duration::from_secs(9))]
    );
}

#[test]
fn ctrl_c_quits_from_any_mode() {
    let mut a = app();
    press(&mut a, KeyCode::Char('/'));
    let cmds = a.handle(Event::Key(KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    )));
    assert_eq!(cmds, vec![Effect::Quit]);
}

#[test]
fn redraws_when_the_age_text_changes() {
    let mut a = app();
    a.refresh = Duration::from_secs(60);
    a.now = DEMO_START + TimeDelta::milliseconds(2300);
    assert_eq!(a.next_visible_change(), Some(Duration::from_millis(7700)));
    a.now = DEMO_START + TimeDelta::milliseconds(10_000);
    assert_eq!(a.next_visible_change(), Some(Duration::from_secs(10)));
    // With a 2 s refresh the data turns stale after 8 s: that is a visible change too.
    a.refresh = Duration::from_secs(2);
    a.now = DEMO_START + TimeDelta::milliseconds(2300);
    assert_eq!(a.next_visible_change(), Some(Duration::from_millis(6700)));
    a.refresh = Duration::from_secs(60);
    a.now = DEMO_START + TimeDelta::seconds(130);
    assert_eq!(a.next_visible_change(), Some(Duration::from_secs(50)));
}

#[test]
fn stale_data_is_marked() {
    let mut a = app();
    a.now = DEMO_START + TimeDelta::seconds(5);
    assert!(!a.stale());
    a.now = DEMO_START + TimeDelta::seconds(60);
    assert!(a.stale());
    a.handle(Event::Data(Err("connection refused".into())));
    assert_eq!(a.last_error.as_deref(), Some("connection refused"));
    assert!(a.data().is_some(), "a failed poll keeps the last data");
}

#[test]
fn enter_on_a_finding_goes_to_its_screen() {
    let mut a = app();
    let findings = crate::judge::insights::findings(a.data().unwrap());
    assert!(!findings.is_empty());
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.screen, Screen::showing(findings[0].about));
}

#[test]
fn polling_slows_when_idle_and_comes_back_on_a_key() {
    let mut a = app();
    a.refresh = Duration::from_secs(60);
    a.idle_after = Some(Duration::from_secs(15 * 60));
    a.last_key = DEMO_START;
    a.now = DEMO_START + TimeDelta::minutes(10);
    assert_eq!(a.idle_in(), Some(Duration::from_secs(5 * 60)));
    assert!(a.check_idle().is_empty());
    a.now = DEMO_START + TimeDelta::minutes(15);
    assert_eq!(
        a.check_idle(),
        vec![Effect::SetRefresh(Duration::from_secs(300))]
    );
    assert!(a.idle);
    assert_eq!(a.idle_in(), None);
    let cmds = press(&mut a, KeyCode::Char('2'));
    assert_eq!(
        cmds,
        vec![Effect::SetRefresh(Duration::from_secs(60)), Effect::Refresh]
    );
    assert!(!a.idle);
    assert_eq!(a.screen, Screen::Throttling, "the key still does its job");
}

#[test]
fn text_from_aws_in_messages_and_progress_is_escaped() {
    let mut a = app();
    let op = toggle_of(&mut a, "GeoScrapers");
    a.handle(Event::OpProgress(Progress {
        title: "Rotating \u{1b}]52;c;eA==\u{7}".into(),
        steps: vec![("Send \u{9b}31m".into(), crate::ops::StepState::Running)],
        detail: "line\nbreak \u{202e}".into(),
    }));
    a.handle(Event::OpDone {
        op,
        result: Err(OpError::Failed(
            "WAFInvalidParameterException: \u{1b}[2J".into(),
        )),
    });
    let (_, m) = a.message.clone().unwrap();
    assert!(m.contains("\\x1b[2J") && !m.contains('\u{1b}'), "{m}");
    a.handle(Event::Data(Err("\u{1b}]0;title\u{7}".into())));
    let e = a.last_error.clone().unwrap();
    assert!(!e.chars().any(crate::model::text::is_unsafe), "{e}");
}

#[test]
fn a_refusal_reaches_the_screen_as_a_refusal_not_a_failure() {
    let mut a = app();
    let op = toggle_of(&mut a, "GeoScrapers");
    press(&mut a, KeyCode::Esc);
    for (result, said) in [
        (
            OpError::Refused("a lock is held elsewhere".into()),
            "refused: a lock",
        ),
        (OpError::Failed("timed out".into()), "failed: timed out"),
    ] {
        a.handle(Event::OpDone {
            op: op.clone(),
            result: Err(result.clone()),
        });
        let (level, m) = a.message.clone().unwrap();
        assert_eq!(level, Level::Error);
        assert!(m.contains(said), "{m}");
        let ended = a.operation.as_ref().unwrap().ended.clone().unwrap();
        assert_eq!(ended, Err(result));
    }
}

#[test]
fn idle_polling_is_not_called_stale() {
    let mut a = app();
    a.idle_after = Some(Duration::from_secs(60));
    a.now += TimeDelta::minutes(2);
    a.check_idle();
    assert!(a.idle);
    // Ten refresh intervals without new data: late for 2 s polls, not for idle ones (5 min).
    a.now = a.received_at.unwrap() + TimeDelta::seconds(20);
    assert!(!a.stale(), "idle polls come every five minutes");
    a.now = a.received_at.unwrap() + TimeDelta::minutes(16);
    assert!(a.stale());
}

#[test]
fn a_key_value_shows_only_when_asked() {
    let mut a = app();
    press(&mut a, KeyCode::Char('6'));
    press(&mut a, KeyCode::Enter);
    assert!(matches!(a.mode, Mode::Detail));
    assert!(a.key_value.is_none());
    let cmds = press(&mut a, KeyCode::Char('v'));
    let [Effect::ReadKeyValue(_, id)] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    assert!(a.key_value.as_ref().is_some_and(|v| v.value.is_none()));
    a.handle(Event::KeyValue {
        key_id: id.clone(),
        result: Ok(Secret::new("the-value")),
    });
    assert!(matches!(
        a.key_value.as_ref().and_then(|v| v.value.as_ref()),
        Some(Ok(_))
    ));
    press(&mut a, KeyCode::Esc);
    assert!(a.key_value.is_none(), "closing the detail forgets it");
    // A value that arrives after the detail closed is not kept.
    a.handle(Event::KeyValue {
        key_id: id.clone(),
        result: Ok(Secret::new("late")),
    });
    assert!(a.key_value.is_none());
}

#[test]
fn read_only_mode_reveals_no_key_value() {
    let mut a = App::new(DEMO_START, true, Duration::from_secs(2), "dark", "demo");
    a.handle(Event::Data(Ok(snap(5))));
    press(&mut a, KeyCode::Char('6'));
    press(&mut a, KeyCode::Enter);
    assert!(press(&mut a, KeyCode::Char('v')).is_empty());
    assert!(a.key_value.is_none());
    assert!(
        a.message
            .as_ref()
            .is_some_and(|(_, m)| m.contains("read-only"))
    );
}

fn toggle_of(a: &mut App, rule: &str) -> Op {
    select_rule(a, rule);
    press(a, KeyCode::Char('t'));
    let Mode::Confirm(c) = &a.mode else {
        panic!("no dialog: {:?}", a.mode)
    };
    c.op.clone()
}

#[test]
fn an_accepted_toggle_shows_at_once_as_pending_until_a_read_confirms_it() {
    let mut a = app();
    let op = toggle_of(&mut a, "GeoScrapers");
    press(&mut a, KeyCode::Esc);
    a.handle(Event::OpDone {
        op: op.clone(),
        result: Ok(OpOutcome::said("accepted")),
    });
    let rule = |a: &App| {
        a.data()
            .unwrap()
            .web_acls
            .iter()
            .flat_map(|w| &w.rules)
            .find(|r| r.name.as_str() == "GeoScrapers")
            .cloned()
            .unwrap()
    };
    let r = rule(&a);
    assert_eq!((r.action, r.pending), (RuleAction::Block, true));
    // A read that still shows the old action: still pending.
    a.handle(Event::Data(Ok(snap(6))));
    assert!(rule(&a).pending);
    // A read that shows it: confirmed.
    let mut confirmed = (*snap(7)).clone();
    for w in &mut confirmed.web_acls {
        for r in &mut w.rules {
            if r.name.as_str() == "GeoScrapers" {
                r.action = RuleAction::Block;
            }
        }
    }
    a.handle(Event::Data(Ok(Arc::new(confirmed))));
    let r = rule(&a);
    assert_eq!((r.action, r.pending), (RuleAction::Block, false));
    assert!(a.pending.is_empty());
}

#[test]
fn a_change_no_read_confirms_is_dropped_with_a_warning() {
    let mut a = app();
    let op = toggle_of(&mut a, "GeoScrapers");
    press(&mut a, KeyCode::Esc);
    a.handle(Event::OpDone {
        op,
        result: Ok(OpOutcome::said("accepted")),
    });
    for m in 6..=(6 + operation::PENDING_READS as i64) {
        a.handle(Event::Data(Ok(snap(m))));
    }
    assert!(a.pending.is_empty());
    let (level, msg) = a.message.clone().unwrap();
    assert_eq!(level, Level::Error);
    assert!(msg.contains("may have been undone"), "{msg}");
}

#[test]
fn a_rule_group_offers_its_override_and_each_inner_rule() {
    let mut a = app();
    select_rule(&mut a, "AWS-AWSManagedRulesCommonRuleSet");
    press(&mut a, KeyCode::Char('t'));
    let Mode::Pick(p) = &a.mode else {
        panic!("no choice: {:?}", a.mode)
    };
    assert!(
        p.choices[0].0.starts_with("the whole group"),
        "{:?}",
        p.choices
    );
    assert!(p.choices.len() > 2);
    press(&mut a, KeyCode::Down);
    press(&mut a, KeyCode::Enter);
    let Mode::Confirm(c) = &a.mode else {
        panic!("no dialog")
    };
    let Op::ToggleRule(t) = &c.op else { panic!() };
    assert!(t.inner.is_some());
    assert_eq!(
        (t.from, t.to),
        (RuleAction::GroupActions, RuleAction::Count)
    );
    assert_eq!(c.focus, Button::Cancel);
}

#[test]
fn one_operation_at_a_time_and_quitting_mid_way_asks_twice() {
    let mut a = app();
    let op = toggle_of(&mut a, "GeoScrapers");
    press(&mut a, KeyCode::Tab);
    assert_eq!(press(&mut a, KeyCode::Enter), vec![Effect::Apply(op)]);
    assert!(a.busy());
    toggle_of_refused(&mut a);
    assert!(press(&mut a, KeyCode::Char('q')).is_empty());
    let m = &a.message.as_ref().unwrap().1;
    assert!(m.contains("Press q (or Ctrl-C) again"));
    assert!(
        !m.contains("   "),
        "no run of spaces from a lost line continuation: {m}"
    );
    assert_eq!(press(&mut a, KeyCode::Char('q')), vec![Effect::Quit]);
}

#[test]
fn ctrl_c_and_colon_q_ask_twice_while_an_operation_runs() {
    let ctrl_c = || Event::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    let mut a = app();
    let op = toggle_of(&mut a, "GeoScrapers");
    press(&mut a, KeyCode::Tab);
    assert_eq!(press(&mut a, KeyCode::Enter), vec![Effect::Apply(op)]);
    assert!(a.handle(ctrl_c()).is_empty(), "the first Ctrl-C asks");
    assert!(!a.quit);
    assert_eq!(a.handle(ctrl_c()), vec![Effect::Quit]);
    let mut b = app();
    let op = toggle_of(&mut b, "GeoScrapers");
    press(&mut b, KeyCode::Tab);
    press(&mut b, KeyCode::Enter);
    assert!(b.busy(), "{op:?}");
    assert!(b.run_command("q").is_empty(), ":q asks too");
    assert_eq!(b.run_command("q"), vec![Effect::Quit]);
    assert!(!app().run_command("q").is_empty(), "idle: :q quits at once");
}

fn toggle_of_refused(a: &mut App) {
    select_rule(a, "BlockBadIPs");
    press(a, KeyCode::Char('t'));
    assert!(matches!(a.mode, Mode::Normal));
    assert!(a.message.as_ref().unwrap().1.contains("one at a time"));
}

#[test]
fn a_dry_run_confirmation_prints_the_plan_instead() {
    let mut a = app();
    a.dry_run = true;
    let op = toggle_of(&mut a, "GeoScrapers");
    press(&mut a, KeyCode::Tab);
    let cmds = press(&mut a, KeyCode::Enter);
    let [Effect::DryRun(o, plan)] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    assert_eq!(*o, op);
    assert!(plan.lines().iter().any(|l| l.contains("UpdateWebACL")));
    assert!(!a.busy());
}

#[test]
fn an_unfinished_rotation_is_offered_to_finish_or_roll_back() {
    use crate::ops::journal::{Mark, Rotation};
    let mut a = app();
    let mut r = Rotation {
        format: 1,
        id: "r1".into(),
        account: "1".into(),
        region: "eu-west-1".into(),
        started: DEMO_START,
        updated: DEMO_START,
        old_key_id: "k1".into(),
        old_key_name: "partner".into(),
        new_key_name: "partner-rotated-x".into(),
        new_key_id: Some("k2".into()),
        plans: vec!["p1".into()],
        distributions: vec!["D1".into()],
        rolling_back: false,
        steps: Default::default(),
        finished: None,
    };
    r.steps.insert("create".into(), Mark::Done);
    r.steps.insert("add-to-plan:p1".into(), Mark::Done);
    r.steps.insert("switch:D1".into(), Mark::Started);
    a.handle(Event::Unfinished {
        rotations: vec![r],
        broken: vec![],
    });
    assert!(matches!(a.mode, Mode::Resume(_)));
    press(&mut a, KeyCode::Char('b'));
    let Mode::Confirm(c) = &a.mode else {
        panic!("{:?}", a.mode)
    };
    assert_eq!(c.focus, Button::Cancel);
    let steps: Vec<&str> = c.plan.steps.iter().map(|s| s.what.as_str()).collect();
    assert_eq!(
        steps,
        [
            "Send partner from distribution D1 again",
            "Wait until D1 is Deployed",
            "Remove partner-rotated-x from usage plan p1",
            "Delete partner-rotated-x"
        ]
    );
    press(&mut a, KeyCode::Tab);
    let cmds = press(&mut a, KeyCode::Enter);
    assert!(matches!(
        cmds.as_slice(),
        [Effect::Apply(Op::ResumeRotation { rollback: true, .. })]
    ));
    assert!(matches!(a.mode, Mode::Operation));
}

#[test]
fn progress_of_a_first_read_replaces_what_is_still_loading_until_the_next_data() {
    let said = |what: &str| crate::model::Problem {
        panel: crate::model::Panel::Keys,
        message: crate::model::Text::new(what),
    };
    let mut first = (*snap(5)).clone();
    first.loading = vec![said("reading usage (0 of 300)…")];
    let mut a = App::new(DEMO_START, false, Duration::from_secs(2), "dark", "demo");
    a.handle(Event::Data(Ok(Arc::new(first))));
    let still = |a: &App| {
        a.loaded()
            .unwrap()
            .findings
            .iter()
            .filter(|f| f.text.starts_with("still "))
            .map(|f| f.text.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(still(&a), ["still reading usage (0 of 300)…"]);

    a.handle(Event::Loading(vec![said("reading usage (120 of 300)…")]));
    assert_eq!(
        a.loading()[0].message.as_str(),
        "reading usage (120 of 300)…"
    );
    assert_eq!(
        still(&a),
        ["still reading usage (120 of 300)…"],
        "the Overview too"
    );

    a.handle(Event::Data(Ok(snap(6))));
    assert!(
        a.loading().is_empty(),
        "the complete read says nothing is loading"
    );
    assert!(still(&a).is_empty());
}

/// Three places of the demo: prod in two regions, staging (read-only) in one.
pub(super) fn places_app() -> App {
    let want = |profile: &str, region: &str, read_only| crate::source::many::Wanted {
        profile: Some(profile.into()),
        region: Some(region.into()),
        read_only,
        ..Default::default()
    };
    let w = [
        want("prod", "eu-west-1", false),
        want("prod", "us-east-1", false),
        want("staging", "eu-west-1", true),
    ];
    let snap = crate::source::demo::places_at(11, DEMO_START + TimeDelta::minutes(5), &w);
    let mut a = App::new(DEMO_START, false, Duration::from_secs(2), "dark", "demo");
    a.handle(Event::Data(Ok(Arc::new(snap))));
    a
}

#[test]
fn scope_narrows_the_view_to_the_places_it_names() {
    let mut a = places_app();
    press(&mut a, KeyCode::Char('6'));
    let all = a.row_count(Screen::Keys);
    a.run_command("scope staging");
    assert_eq!(a.row_count(Screen::Keys), all / 3);
    assert_eq!(a.scope.as_deref(), Some("staging"));
    a.run_command("scope us-east-1");
    assert_eq!(a.row_count(Screen::Keys), all / 3);
    a.run_command("scope nowhere");
    let (level, msg) = a.message.clone().unwrap();
    assert_eq!(level, Level::Error);
    assert!(
        msg.contains("prod · us-east-1") && msg.contains("staging · eu-west-1"),
        "{msg}"
    );
    assert_eq!(a.row_count(Screen::Keys), all / 3, "the scope before stays");
    a.run_command("scope");
    assert_eq!(a.row_count(Screen::Keys), all);
    a.run_command("split region");
    assert_eq!(a.split, crate::screens::Split::Region);
    a.run_command("split sideways");
    assert!(
        a.message
            .clone()
            .unwrap()
            .1
            .contains("account, region or none")
    );
    assert_eq!(a.split, crate::screens::Split::Region, "unchanged");
    // The filter matches the place too.
    press(&mut a, KeyCode::Char('/'));
    type_text(&mut a, "us-east-1 globex");
    assert_eq!(a.row_count(Screen::Keys), 1);
    // One place in view: nothing to narrow.
    let mut one = app();
    one.run_command("scope prod");
    assert!(one.message.clone().unwrap().1.contains("nothing to narrow"));
}

#[test]
fn an_operation_names_its_place_and_a_read_only_account_refuses_it() {
    let mut a = places_app();
    select_rule(&mut a, "staging GeoScrapers");
    assert_eq!(a.row_count(Screen::Waf), 1);
    press(&mut a, KeyCode::Char('t'));
    assert!(matches!(a.mode, Mode::Normal));
    let msg = a.message.clone().unwrap().1;
    assert!(
        msg.contains("staging") && msg.contains("read-only"),
        "{msg}"
    );
    press(&mut a, KeyCode::Esc);
    select_rule(&mut a, "prod us-east-1 GeoScrapers");
    assert_eq!(a.row_count(Screen::Waf), 1);
    press(&mut a, KeyCode::Char('t'));
    let Mode::Confirm(c) = &a.mode else {
        panic!("{:?}", a.message)
    };
    let at = c.op.at().expect("a place");
    assert_eq!(
        (at.place, at.region.as_str()),
        (crate::model::Place(1), "us-east-1")
    );
    assert!(c.plan.title.ends_with("in prod"), "{}", c.plan.title);
    assert!(c.op.summary().contains("in prod ("), "{}", c.op.summary());
    // A key's value is not read in a read-only account either.
    press(&mut a, KeyCode::Esc);
    press(&mut a, KeyCode::Char('6'));
    press(&mut a, KeyCode::Char('/'));
    type_text(&mut a, "staging globex");
    press(&mut a, KeyCode::Enter);
    // Into the row's place, then its detail.
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Enter);
    assert!(matches!(a.mode, Mode::Detail));
    assert!(press(&mut a, KeyCode::Char('v')).is_empty());
    assert!(a.message.clone().unwrap().1.contains("read-only"));
}

#[test]
fn enter_on_a_row_narrows_to_its_place_then_opens_its_detail() {
    let mut a = places_app();
    press(&mut a, KeyCode::Char('6'));
    let key_at = |a: &App| {
        let l = a.loaded().unwrap();
        crate::screens::api_keys::keys(&l.snapshot, &a.view(Screen::Keys).filter)
            [a.selected(Screen::Keys)]
        .id
        .to_string()
    };
    let places = Screen::Keys
        .home()
        .row_places(a.loaded().unwrap(), a.view(Screen::Keys));
    // A key of prod · us-east-1 with keys of other places above it.
    let i = places
        .iter()
        .enumerate()
        .position(|(i, p)| *p == crate::model::Place(1) && places[..i].iter().any(|q| q != p))
        .expect("a key of us-east-1 below others");
    a.view_mut().selected = i;
    let chosen = key_at(&a);
    let all = a.row_count(Screen::Keys);
    press(&mut a, KeyCode::Enter);
    assert!(matches!(a.mode, Mode::Normal));
    assert_eq!(a.scope.as_deref(), Some("prod · us-east-1"));
    assert_eq!(a.row_count(Screen::Keys), all / 3);
    assert_eq!(key_at(&a), chosen, "the same key stays selected");
    assert!(a.message.clone().unwrap().1.contains("Enter again"));
    press(&mut a, KeyCode::Enter);
    assert!(matches!(a.mode, Mode::Detail));
    press(&mut a, KeyCode::Esc);
    // A scope of two places (a region of two accounts) narrows further to the row's.
    a.run_command("scope eu-west-1");
    assert_eq!(a.places_in_view(), 2);
    a.view_mut().selected = a.row_count(Screen::Keys) - 1;
    let chosen = key_at(&a);
    press(&mut a, KeyCode::Enter);
    assert!(matches!(a.mode, Mode::Normal));
    assert_eq!(a.places_in_view(), 1);
    assert_eq!(key_at(&a), chosen);
    // Geo's countries are of every place: Enter there opens the detail at once.
    a.run_command("scope");
    press(&mut a, KeyCode::Char('5'));
    press(&mut a, KeyCode::Enter);
    assert!(matches!(a.mode, Mode::Detail));
    assert_eq!(a.scope, None);
}

#[test]
fn enter_on_a_finding_goes_to_its_screen_in_its_place() {
    let mut a = places_app();
    let i = a
        .loaded()
        .unwrap()
        .findings
        .iter()
        .position(|f| {
            f.place == Some(crate::model::Place(0)) && f.about == crate::model::Panel::Keys
        })
        .expect("a finding about prod's keys");
    a.screen = Screen::Overview;
    a.view_mut().selected = i;
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.screen, Screen::Keys);
    assert_eq!(a.scope.as_deref(), Some("prod · eu-west-1"));
    let keys = a.row_count(Screen::Keys);
    a.run_command("scope");
    assert_eq!(a.row_count(Screen::Keys), 3 * keys);
}

/// `--bell`: nothing at the first data; the bell, naming it, when the login alarm goes to
/// ALARM; nothing again while it stays there; nothing without `--bell`.
#[test]
fn the_bell_rings_for_a_new_alarm_only() {
    use crate::model::alarm::AlarmState;
    let login = |s: &Snapshot| {
        s.alarms
            .iter()
            .find(|a| a.name.as_str() == "edge-regional login stuffing")
            .map(|a| a.state)
    };
    let quiet = Arc::new(DemoSource::new(9, 1.0).snapshot_at(DEMO_START + TimeDelta::minutes(-3)));
    let loud = Arc::new(DemoSource::new(9, 1.0).snapshot_at(DEMO_START + TimeDelta::minutes(3)));
    assert_eq!(login(&quiet), Some(AlarmState::Ok));
    assert_eq!(login(&loud), Some(AlarmState::Alarm));
    let bells = |e: &[Effect]| {
        e.iter()
            .filter_map(|x| match x {
                Effect::Bell(t) => Some(t.clone()),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    let mut a = App::new(DEMO_START, false, Duration::from_secs(2), "dark", "demo");
    a.bell = true;
    assert!(bells(&a.handle(Event::Data(Ok(quiet.clone())))).is_empty());
    let rang = bells(&a.handle(Event::Data(Ok(loud.clone()))));
    assert_eq!(rang.len(), 1, "{rang:?}");
    assert!(
        rang[0].contains("edge-regional login stuffing") || rang[0].contains("LoginRateLimit"),
        "{rang:?}"
    );
    assert!(bells(&a.handle(Event::Data(Ok(loud.clone())))).is_empty());
    let mut off = App::new(DEMO_START, false, Duration::from_secs(2), "dark", "demo");
    off.handle(Event::Data(Ok(quiet)));
    assert!(bells(&off.handle(Event::Data(Ok(loud)))).is_empty());
}

/// A key that acts on the selected row, pressed with none to act on, says so (it once did
/// nothing at all while the first figures were on screen and the samples not yet).
#[test]
fn an_action_with_no_row_to_act_on_says_so() {
    let mut a = App::new(DEMO_START, false, Duration::from_secs(2), "dark", "demo");
    a.screen = Screen::Origins;
    press(&mut a, KeyCode::Char('b'));
    assert!(matches!(a.mode, Mode::Normal));
    let said = &a.message.as_ref().expect("said").1;
    assert_eq!(said, "b blocks the selected address: nothing is read yet");
    let mut a = app();
    a.screen = Screen::Origins;
    press(&mut a, KeyCode::Char('/'));
    type_text(&mut a, "no-such-address");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('b'));
    let said = &a.message.as_ref().expect("said").1;
    assert!(said.ends_with("no row matches the filter (yet)"), "{said}");
    a.screen = Screen::Waf;
    press(&mut a, KeyCode::Char('/'));
    type_text(&mut a, "no-such-rule");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('t'));
    let said = &a.message.as_ref().expect("said").1;
    assert!(said.starts_with("t toggles the selected rule: "), "{said}");
}
