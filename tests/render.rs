//! Every screen drawn on ratatui's TestBackend from a fixed seed and a fixed clock, kept as
//! insta snapshots: a change to any screen shows up as a reviewed diff.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use edgetop::app::{App, Event, Screen};
use edgetop::model::text::is_unsafe;
use edgetop::source::demo::{DEMO_START, DemoSource};
use edgetop::ui::{self, theme::Theme};
use ratatui::{Terminal, backend::TestBackend};

/// The demo at a fixed simulated time, five minutes in, with data three seconds old.
fn app() -> App {
    let t = DEMO_START + TimeDelta::minutes(5);
    let mut demo = DemoSource::new(7, 1.0);
    let snap = demo.snapshot_at(t);
    let mut app = App::new(t, false, Duration::from_secs(2), "dark", "demo");
    app.handle(Event::Data(Ok(Arc::new(snap))));
    app.now = t + TimeDelta::seconds(3);
    app
}

fn key(app: &mut App, code: KeyCode) {
    app.handle(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn render(app: &App, w: u16, h: u16) -> String {
    let theme = Theme::builtin("dark").unwrap();
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| ui::draw(f, app, &theme)).unwrap();
    let buf = term.backend().buffer();
    let mut out = String::new();
    for y in 0..h {
        for x in 0..w {
            let sym = buf[(x, y)].symbol();
            assert!(
                !sym.chars().any(is_unsafe),
                "unsafe character drawn at {x},{y}: {sym:?}"
            );
            out.push_str(sym);
        }
        out.push('\n');
    }
    out
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
}

#[test]
fn confirm_dialog_focuses_cancel() {
    let mut a = app();
    a.screen = Screen::Waf;
    a.run_command("");
    // Select GeoScrapers through the filter, then ask to toggle it.
    key(&mut a, KeyCode::Char('/'));
    for c in "GeoScrapers".chars() {
        key(&mut a, KeyCode::Char(c));
    }
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Char('t'));
    insta::assert_snapshot!("confirm_toggle_80x24", render(&a, 80, 24));
}

#[test]
fn rotate_dialog_shows_every_step() {
    let mut a = app();
    a.screen = Screen::Keys;
    key(&mut a, KeyCode::Char('/'));
    for c in "cdn-origin".chars() {
        key(&mut a, KeyCode::Char(c));
    }
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Char('r'));
    insta::assert_snapshot!("confirm_rotate_160x48", render(&a, 160, 48));
}

#[test]
fn help_lists_every_binding() {
    let mut a = app();
    key(&mut a, KeyCode::Char('?'));
    let s = render(&a, 160, 48);
    for b in edgetop::app::keymap::BINDINGS {
        assert!(s.contains(b.help), "help lacks {:?}", b.help);
    }
    insta::assert_snapshot!("help_160x48", s);
}

#[test]
fn hostile_sample_detail_is_escaped() {
    let mut a = app();
    a.screen = Screen::Origins;
    key(&mut a, KeyCode::Char('/'));
    for c in "x1b".chars() {
        key(&mut a, KeyCode::Char(c));
    }
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
            term.draw(|f| ui::draw(f, &a, &theme)).unwrap();
        }
    }
}
