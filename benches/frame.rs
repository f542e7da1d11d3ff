//! Drawing one full frame at 200×50 from the demo's data, against a baseline drawn in the
//! same run: a frame that only writes text to every cell (50 lines of 200 characters), the
//! least a full-screen frame can cost. Run: `cargo bench --bench frame`.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use edgetop::app::{App, Event, Screen};
use edgetop::model::{Snapshot, Text};
use edgetop::source::demo::{DEMO_START, DemoSource};
use edgetop::theme::Theme;
use edgetop::ui;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::{Terminal, backend::TestBackend};

type Term = Terminal<TestBackend>;

/// One frame of the app's current screen.
fn frame(term: &mut Term, app: &App, theme: &Theme) -> ratatui::layout::Rect {
    term.draw(|f| {
        ui::draw(f, app, theme);
    })
    .unwrap()
    .area
}

/// The baseline: 50 lines of 200 characters, one paragraph, no layout.
fn baseline(term: &mut Term) -> impl FnMut() -> ratatui::layout::Rect + '_ {
    let lines: Vec<Line> = (0..50)
        .map(|i| Line::raw(format!("{i:03} {}", "edgetop ".repeat(25))))
        .collect();
    move || {
        term.draw(|f| f.render_widget(Paragraph::new(lines.clone()), f.area()))
            .unwrap()
            .area
    }
}

fn frames(c: &mut Criterion) {
    let t = DEMO_START + TimeDelta::minutes(7);
    let mut demo = DemoSource::new(1, 1.0);
    let mut app = App::new(t, false, Duration::from_secs(2), "dark", "demo");
    app.handle(Event::Data(Ok(Arc::new(demo.snapshot_at(t)))));
    let theme = Theme::builtin("dark").unwrap();
    let mut term = Terminal::new(TestBackend::new(200, 50)).unwrap();

    let mut g = c.benchmark_group("frame_200x50");
    g.bench_function("baseline_text_fill", |b| b.iter(baseline(&mut term)));
    for s in Screen::ALL {
        app.screen = s;
        g.bench_function(s.title().to_lowercase(), |b| {
            b.iter(|| frame(&mut term, &app, &theme))
        });
    }
    g.finish();

    c.bench_function("demo_snapshot", |b| b.iter(|| demo.snapshot_at(t)));
}

/// The demo's snapshot grown to a large account: 10,000 keys over 300 plans.
fn large(t: chrono::DateTime<chrono::Utc>) -> Snapshot {
    let mut snap = DemoSource::new(1, 1.0).snapshot_at(t);
    let plans = snap.usage_plans.clone();
    for i in snap.usage_plans.len()..300 {
        let mut p = plans[i % plans.len()].clone();
        p.id = Text::new(&format!("plan{i:04}"));
        p.name = Text::new(&format!("tenant-{i:03}"));
        p.key_ids.clear();
        snap.usage_plans.push(p);
    }
    let keys = snap.api_keys.clone();
    snap.api_keys = (0..10_000)
        .map(|i| {
            let mut k = keys[i % keys.len()].clone();
            k.id = Text::new(&format!("key{i:05}"));
            k.name = Text::new(&format!("client-{i:05}"));
            let plan = i % 300;
            k.plan_ids = vec![snap.usage_plans[plan].id.clone()];
            k
        })
        .collect();
    for p in &mut snap.usage_plans {
        p.key_ids.clear();
    }
    for k in &snap.api_keys {
        let plan = k.plan_ids[0].as_str().to_string();
        if let Some(p) = snap.usage_plans.iter_mut().find(|p| p.id.as_str() == plan) {
            p.key_ids.push(k.id.clone());
        }
    }
    snap
}

/// What the screen's thread does on a large account, against the same baseline: take a new
/// snapshot in (findings and top talkers, once per poll), draw the Keys screen, and answer a
/// key press (move down, then type a filter letter) with its frame.
fn large_account(c: &mut Criterion) {
    let t = DEMO_START + TimeDelta::minutes(7);
    let snap = Arc::new(large(t));
    let theme = Theme::builtin("dark").unwrap();
    let mut term = Terminal::new(TestBackend::new(200, 50)).unwrap();
    let mut app = App::new(t, false, Duration::from_secs(2), "dark", "demo");
    let mut g = c.benchmark_group("large_account_200x50");
    g.bench_function("baseline_text_fill", |b| b.iter(baseline(&mut term)));
    g.bench_function("new_snapshot_10k_keys", |b| {
        b.iter(|| app.handle(Event::Data(Ok(snap.clone()))))
    });
    app.screen = Screen::Keys;
    g.bench_function("keys_screen_10k_keys", |b| {
        b.iter(|| frame(&mut term, &app, &theme))
    });
    app.screen = Screen::Throttling;
    g.bench_function("throttling_screen_10k_keys", |b| {
        b.iter(|| frame(&mut term, &app, &theme))
    });
    app.screen = Screen::Keys;
    let press = |code| Event::Key(KeyEvent::new(code, KeyModifiers::NONE));
    g.bench_function("key_down_and_frame_10k_keys", |b| {
        b.iter(|| {
            app.handle(press(KeyCode::Down));
            frame(&mut term, &app, &theme)
        })
    });
    // Sorted by a figure (today's usage: `s` six times, the largest first), then by a name
    // (`S` on the key's name: from Z): each frame sorts the 10,000 keys again.
    for _ in 0..6 {
        app.handle(press(KeyCode::Char('s')));
    }
    g.bench_function("sorted_by_usage_frame_10k_keys", |b| {
        b.iter(|| frame(&mut term, &app, &theme))
    });
    g.bench_function("sort_key_press_and_frame_10k_keys", |b| {
        b.iter(|| {
            app.handle(press(KeyCode::Char('S')));
            frame(&mut term, &app, &theme)
        })
    });
    while app.view(Screen::Keys).sort.is_some() {
        app.handle(press(KeyCode::Char('s')));
    }
    app.handle(press(KeyCode::Char('/')));
    g.bench_function("filter_letter_and_frame_10k_keys", |b| {
        b.iter(|| {
            app.handle(press(KeyCode::Char('7')));
            frame(&mut term, &app, &theme);
            app.handle(press(KeyCode::Backspace));
        })
    });
    g.finish();
}

criterion_group!(benches, frames, large_account);
criterion_main!(benches);
