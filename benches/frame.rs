//! Drawing one full frame at 200×50 from the demo's data, against a baseline drawn in the
//! same run: a frame that only writes text to every cell (50 lines of 200 characters), the
//! least a full-screen frame can cost. Run: `cargo bench --bench frame`.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use criterion::{Criterion, criterion_group, criterion_main};
use edgetop::app::{App, Event, Screen};
use edgetop::source::demo::{DEMO_START, DemoSource};
use edgetop::theme::Theme;
use edgetop::ui;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::{Terminal, backend::TestBackend};

fn frames(c: &mut Criterion) {
    let t = DEMO_START + TimeDelta::minutes(7);
    let mut demo = DemoSource::new(1, 1.0);
    let mut app = App::new(t, false, Duration::from_secs(2), "dark", "demo");
    app.handle(Event::Data(Ok(Arc::new(demo.snapshot_at(t)))));
    let theme = Theme::builtin("dark").unwrap();
    let mut term = Terminal::new(TestBackend::new(200, 50)).unwrap();
    let lines: Vec<Line> = (0..50)
        .map(|i| Line::raw(format!("{i:03} {}", "edgetop ".repeat(25))))
        .collect();

    let mut g = c.benchmark_group("frame_200x50");
    g.bench_function("baseline_text_fill", |b| {
        b.iter(|| {
            term.draw(|f| f.render_widget(Paragraph::new(lines.clone()), f.area()))
                .map(|frame| frame.area)
                .unwrap()
        })
    });
    for s in Screen::ALL {
        app.screen = s;
        g.bench_function(s.title().to_lowercase(), |b| {
            b.iter(|| {
                term.draw(|f| ui::draw(f, &app, &theme))
                    .map(|frame| frame.area)
                    .unwrap()
            })
        });
    }
    g.finish();

    c.bench_function("demo_snapshot", |b| b.iter(|| demo.snapshot_at(t)));
}

criterion_group!(benches, frames);
criterion_main!(benches);
