//! A frame of the dashboard drawn on ratatui's TestBackend, as text; every cell checked for a
//! character that could drive a terminal.

use edgetop::app::App;
use edgetop::model::text::is_unsafe;
use edgetop::theme::Theme;
use edgetop::ui;
use ratatui::{Terminal, backend::TestBackend};

pub fn render(app: &App, w: u16, h: u16) -> String {
    let theme = Theme::builtin("dark").unwrap();
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| {
        ui::draw(f, app, &theme);
    })
    .unwrap();
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
