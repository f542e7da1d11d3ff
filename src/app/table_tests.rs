//! Tests of `table.rs`: sort, copy, the console URL, back and forward, the mouse, the focus.

use crossterm::event::KeyCode;

use super::tests::{app, places_app, press, snap, type_text};
use super::*;
use crate::engine::events::Click;
use crate::widgets::columns::Sort;

/// The names of the rules on WAF, as listed.
fn rule_names(a: &App) -> Vec<String> {
    crate::screens::waf::in_view(a.data().unwrap(), a.view(Screen::Waf))
        .iter()
        .map(|(_, r)| r.name.to_string())
        .collect()
}

fn selected_rule(a: &App) -> String {
    rule_names(a)[a.selected(Screen::Waf)].clone()
}

#[test]
fn s_sorts_by_each_column_in_turn_and_s_reverses() {
    let mut a = app();
    press(&mut a, KeyCode::Char('3'));
    let own = rule_names(&a);
    // web ACL, #, rule: the third press sorts by the rule's name, from A.
    for _ in 0..3 {
        press(&mut a, KeyCode::Char('s'));
    }
    assert_eq!(
        a.view(Screen::Waf).sort,
        Some(Sort {
            column: "rule",
            descending: false
        })
    );
    let names = rule_names(&a);
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(names, sorted);
    assert_ne!(
        names, own,
        "the table's own order is by priority, not by name"
    );
    press(&mut a, KeyCode::Char('S'));
    let mut reversed = sorted.clone();
    reversed.reverse();
    assert_eq!(rule_names(&a), reversed);
    // A column of figures sorts the largest first.
    while a.view(Screen::Waf).sort.map(|s| s.column) != Some("block/m") {
        press(&mut a, KeyCode::Char('s'));
    }
    let d = a.data().unwrap();
    let blocked: Vec<f64> = crate::screens::waf::in_view(d, a.view(Screen::Waf))
        .iter()
        .map(|(_, r)| r.metrics.blocked.last())
        .collect();
    assert!(blocked.windows(2).all(|w| w[0] >= w[1]), "{blocked:?}");
    // After the last column, the table's own order again.
    for _ in 0..20 {
        if a.view(Screen::Waf).sort.is_none() {
            break;
        }
        press(&mut a, KeyCode::Char('s'));
    }
    assert_eq!(a.view(Screen::Waf).sort, None);
    assert_eq!(rule_names(&a), own);
}

#[test]
fn the_selection_stays_on_its_row_through_a_sort_and_new_data() {
    let mut a = app();
    press(&mut a, KeyCode::Char('3'));
    press(&mut a, KeyCode::Char('j'));
    press(&mut a, KeyCode::Char('j'));
    let chosen = selected_rule(&a);
    for _ in 0..3 {
        press(&mut a, KeyCode::Char('s'));
        assert_eq!(selected_rule(&a), chosen, "sorting keeps the row selected");
    }
    press(&mut a, KeyCode::Char('S'));
    assert_eq!(selected_rule(&a), chosen);
    // Sorted by a figure that moves, through polls.
    while a.view(Screen::Waf).sort.map(|s| s.column) != Some("count/m") {
        press(&mut a, KeyCode::Char('s'));
    }
    assert_eq!(selected_rule(&a), chosen);
    for minute in [6, 9, 14, 21] {
        a.handle(Event::Data(Ok(snap(minute))));
        assert_eq!(
            a.view(Screen::Waf).sort.unwrap().column,
            "count/m",
            "the sort survives data"
        );
        assert_eq!(selected_rule(&a), chosen, "minute {minute}");
    }
}

#[test]
fn y_copies_the_rows_name_and_never_a_keys_value() {
    let mut a = app();
    press(&mut a, KeyCode::Char('6'));
    press(&mut a, KeyCode::Char('j'));
    let d = a.data().unwrap().clone();
    let k = crate::screens::api_keys::in_view(&d, a.view(Screen::Keys))[1].clone();
    assert_eq!(
        press(&mut a, KeyCode::Char('y')),
        vec![Effect::Copy(k.id.to_string())]
    );
    assert!(a.message.clone().unwrap().1.contains(k.id.as_str()));
    let Effect::Copy(row) = press(&mut a, KeyCode::Char('Y')).remove(0) else {
        panic!("Y copies");
    };
    assert!(row.contains(&format!("key: {}", k.name)), "{row}");
    assert!(row.contains(&format!("id: {}", k.id)), "{row}");
    assert!(
        !row.contains(k.value_hint.as_str()) || k.value_hint.is_empty(),
        "{row}"
    );
    assert!(!row.contains("value"), "no part of a key's value: {row}");
    // Origins: the client address; WAF: the rule's name.
    press(&mut a, KeyCode::Char('4'));
    let ip = crate::screens::origins::in_view(&d, a.view(Screen::Origins))[0]
        .client_ip
        .to_string();
    assert_eq!(press(&mut a, KeyCode::Char('y')), vec![Effect::Copy(ip)]);
    press(&mut a, KeyCode::Char('3'));
    let rule = selected_rule(&a);
    assert_eq!(press(&mut a, KeyCode::Char('y')), vec![Effect::Copy(rule)]);
}

#[test]
fn what_is_copied_from_a_hostile_name_is_inert() {
    let mut a = app();
    let mut s = (*snap(5)).clone();
    s.web_acls[0].rules[0].name = crate::model::Text::new("evil\u{1b}]52;c;aGk=\u{7}\nrm -rf /");
    a.handle(Event::Data(Ok(Arc::new(s))));
    press(&mut a, KeyCode::Char('3'));
    for key in ['y', 'Y'] {
        for e in press(&mut a, KeyCode::Char(key)) {
            let Effect::Copy(t) = e else { continue };
            assert!(!t.chars().any(|c| c.is_control()), "{t:?}");
        }
    }
}

#[test]
fn o_copies_the_console_url_of_the_rows_resource_and_keeps_it_for_print_urls() {
    let mut a = app();
    press(&mut a, KeyCode::Char('6'));
    let fx = press(&mut a, KeyCode::Char('o'));
    let [Effect::Copy(url)] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert!(
        url.starts_with("https://eu-west-1.console.aws.amazon.com/apigateway/main/api-keys/"),
        "{url}"
    );
    assert!(a.message.clone().unwrap().1.contains("simulated"));
    press(&mut a, KeyCode::Char('3'));
    press(&mut a, KeyCode::Char('o'));
    assert_eq!(a.urls.len(), 2);
    assert!(
        a.urls[1].contains("/wafv2/homev2/web-acl/"),
        "{}",
        a.urls[1]
    );
    // The Overview's findings have no resource of their own.
    press(&mut a, KeyCode::Char('1'));
    assert!(press(&mut a, KeyCode::Char('o')).is_empty());
    assert!(a.message.clone().unwrap().1.starts_with("no console URL"));
}

#[test]
fn back_returns_to_the_overviews_row_after_enter_on_a_finding_and_forward_again() {
    let mut a = app();
    assert!(a.row_count(Screen::Overview) > 2, "the demo has findings");
    press(&mut a, KeyCode::Char('j'));
    press(&mut a, KeyCode::Char('j'));
    let row = a.selected(Screen::Overview);
    press(&mut a, KeyCode::Enter);
    let (went, filter) = (a.screen, a.view(a.screen).filter.clone());
    assert_ne!(went, Screen::Overview);
    press(&mut a, KeyCode::Char('-'));
    assert_eq!(a.screen, Screen::Overview);
    assert_eq!(
        a.selected(Screen::Overview),
        row,
        "the same row of the Overview"
    );
    press(&mut a, KeyCode::Char('+'));
    assert_eq!(a.screen, went);
    assert_eq!(a.view(went).filter, filter);
    // Filters are remembered too.
    press(&mut a, KeyCode::Char('6'));
    press(&mut a, KeyCode::Char('/'));
    type_text(&mut a, "globex");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('/'));
    type_text(&mut a, "x");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('-'));
    assert_eq!(a.view(Screen::Keys).filter, "globex");
    press(&mut a, KeyCode::Char('-'));
    assert_eq!(a.view(Screen::Keys).filter, "");
    press(&mut a, KeyCode::Char('-'));
    assert_eq!(a.screen, went);
}

#[test]
fn clicks_open_tabs_select_rows_and_a_double_click_opens_the_detail() {
    let mut a = app();
    a.handle(Event::Click(Click::Tab(Screen::Waf)));
    assert_eq!(a.screen, Screen::Waf);
    a.handle(Event::Click(Click::Row(3)));
    assert_eq!(a.selected(Screen::Waf), 3);
    assert!(matches!(a.mode, Mode::Normal));
    a.now += chrono::TimeDelta::milliseconds(150);
    a.handle(Event::Click(Click::Row(3)));
    assert!(matches!(a.mode, Mode::Detail), "a double click opens it");
    // Two clicks far apart are two clicks.
    a.handle(Event::Click(Click::Tab(Screen::Keys)));
    a.handle(Event::Click(Click::Row(2)));
    a.now += chrono::TimeDelta::seconds(2);
    a.handle(Event::Click(Click::Row(2)));
    assert!(matches!(a.mode, Mode::Normal));
    a.handle(Event::Click(Click::Wheel(3)));
    assert_eq!(a.selected(Screen::Keys), 5);
    a.handle(Event::Click(Click::Wheel(-3)));
    assert_eq!(a.selected(Screen::Keys), 2);
    // `-` goes back through what the clicks opened.
    press(&mut a, KeyCode::Char('-'));
    assert_eq!(a.screen, Screen::Waf);
    // A click wakes an idle dashboard, as a key does.
    a.idle = true;
    let fx = a.handle(Event::Click(Click::Wheel(3)));
    assert_eq!(fx, vec![Effect::SetRefresh(a.refresh), Effect::Refresh]);
    assert!(!a.idle);
}

#[test]
fn losing_the_focus_polls_as_when_idle_and_its_return_catches_up() {
    let mut a = app();
    let fx = a.handle(Event::Focus(false));
    assert_eq!(fx, vec![Effect::SetRefresh(idle_refresh(a.refresh))]);
    assert!(a.unfocused);
    assert!(a.handle(Event::Focus(false)).is_empty(), "said once");
    let fx = a.handle(Event::Focus(true));
    assert_eq!(fx, vec![Effect::SetRefresh(a.refresh), Effect::Refresh]);
    assert!(!a.unfocused);
}

#[test]
fn many_places_sort_by_account_and_region_too() {
    let mut a = places_app();
    press(&mut a, KeyCode::Char('6'));
    press(&mut a, KeyCode::Char('s'));
    assert_eq!(a.view(Screen::Keys).sort.unwrap().column, "account");
    let a1 = app();
    let sorts = Screen::Keys
        .home()
        .rows(a1.loaded().unwrap(), a1.view(Screen::Keys))
        .unwrap()
        .sorts();
    assert!(
        sorts.iter().all(|(h, _)| *h != "account" && *h != "region"),
        "{sorts:?}"
    );
}
