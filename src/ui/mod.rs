//! Drawing: a pure function of the application state and the theme. No I/O, no clock reads.

pub(crate) mod dialogs;
mod header;
pub(crate) mod operations;
pub(crate) mod replay;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::app::bindings::{KeyAction, KeyMode};
use crate::app::{App, Level, Mode};
use crate::model::Snapshot;
use crate::model::format;
use crate::screens::{Context, Screen};
use crate::theme::{Element as E, Theme};
use header::draw_header;

/// Below this the dashboard says so and waits for a resize.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

/// Where things are in the frame drawn, for the mouse: each tab, and the rows of the
/// selectable table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Hits {
    pub tabs: Vec<(Rect, Screen)>,
    pub table: Option<crate::widgets::columns::TableHit>,
}

impl Hits {
    /// What a click at column `x`, row `y` is on.
    pub fn at(&self, x: u16, y: u16) -> Option<crate::engine::events::Click> {
        use crate::engine::events::Click;
        let pos = ratatui::layout::Position { x, y };
        if let Some((_, s)) = self.tabs.iter().find(|(r, _)| r.contains(pos)) {
            return Some(Click::Tab(*s));
        }
        let t = self.table?;
        (t.rows.contains(pos) && ((y - t.rows.y) as usize) < t.count)
            .then(|| Click::Row(t.first + (y - t.rows.y) as usize))
    }
}

/// Draw the frame; returns where its tabs and table rows are.
pub fn draw(f: &mut Frame, app: &App, th: &Theme) -> Hits {
    let area = f.area();
    f.render_widget(Block::default().style(th.style(E::Base)), area);
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(f, area, th);
        return Hits::default();
    }
    let table_hit = std::cell::Cell::new(None);
    let timeline_rows = u16::from(app.replay.is_some());
    let caption_rows = if app.tour.is_some() {
        replay::CAPTION_ROWS
    } else {
        0
    };
    let [header, timeline, tabs, body, caption, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(timeline_rows),
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(caption_rows),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_header(f, header, app, th);
    if let Some(r) = &app.replay {
        replay::timeline(f, timeline, r, th);
    }
    let tab_hits = draw_tabs(f, tabs, app, th);
    replay::caption(f, caption, app, th);
    match app.data() {
        None => {
            let msg = match &app.last_error {
                Some(e) => format!("Could not read the account: {e}"),
                None => "Reading the account…".to_string(),
            };
            f.render_widget(
                Paragraph::new(msg)
                    .style(th.style(E::TextDim))
                    .wrap(Wrap { trim: true }),
                body,
            );
        }
        Some(d) => {
            let body = problem_lines(f, body, app.screen, d, app.loading(), th);
            if let Some(mut cx) = context(app) {
                cx.table_hit = Some(&table_hit);
                app.screen.home().draw(f, body, &cx, th);
            }
        }
    }
    draw_footer(f, footer, app, th);
    draw_popup(f, area, app, th);
    Hits {
        tabs: tab_hits,
        // Under a popup a click goes to no row.
        table: table_hit.get().filter(|_| matches!(app.mode, Mode::Normal)),
    }
}

/// The popup of the mode in view, over the screen.
fn draw_popup(f: &mut Frame, area: Rect, app: &App, th: &Theme) {
    match &app.mode {
        Mode::Help(scroll) => dialogs::help(f, area, *scroll, &app.keymap, th),
        Mode::Detail => {
            if let Some(cx) = context(app) {
                app.screen.home().detail(f, area, &cx, th)
            }
        }
        Mode::Confirm(c) => dialogs::confirm(f, area, c, app, th),
        Mode::Reveal(r) => dialogs::reveal(f, area, r, th),
        Mode::Pick(p) => operations::pick(f, area, p, th),
        Mode::Resume(o) => operations::resume(f, area, o, app.read_only, th),
        Mode::Operation => {
            if let Some(r) = &app.operation {
                operations::operation(f, area, r, th)
            }
        }
        Mode::Audit(v) => {
            let undo = app.keymap.label_in(KeyMode::Audit, KeyAction::Undo);
            let delete = app.keymap.label_in(KeyMode::Audit, KeyAction::DeleteOldKey);
            operations::audit(f, area, v, (&undo, &delete), th)
        }
        Mode::Input(i) => dialogs::input(f, area, i, th),
        _ => {}
    }
}

/// What the screen in view draws from, once there is data.
fn context(app: &App) -> Option<Context<'_>> {
    let loaded = app.loaded()?;
    Some(Context {
        data: &loaded.snapshot,
        loaded,
        filter: &app.view(app.screen).filter,
        selected: app.selected(app.screen),
        sort: app.view(app.screen).sort,
        table_hit: None,
        read_only: app.read_only,
        key_value: app.key_value.as_ref(),
        split: app.split,
    })
}

/// What could not be read for this screen, one line each above it (at most three); returns
/// the rest of the area.
fn problem_lines(
    f: &mut Frame,
    area: Rect,
    s: Screen,
    d: &Snapshot,
    loading: &[crate::model::Problem],
    th: &Theme,
) -> Rect {
    let shown = |p: &&crate::model::Problem| s.home().panels().contains(&p.panel);
    // A place not read says so on every panel: once here, however many this screen has.
    let mut said = std::collections::HashSet::new();
    let lines: Vec<Line> = d
        .problems
        .iter()
        .filter(shown)
        .filter(|p| said.insert(p.message.as_str()))
        .map(|p| Line::styled(format!(" ⚠ {}", p.message), th.style(E::TextWarn)))
        .chain(
            loading
                .iter()
                .filter(shown)
                .map(|p| Line::styled(format!(" … {}", p.message), th.style(E::TextDim))),
        )
        .take(3)
        .collect();
    if lines.is_empty() || area.height < 10 {
        return area;
    }
    let [top, rest] =
        Layout::vertical([Constraint::Length(lines.len() as u16), Constraint::Min(0)]).areas(area);
    f.render_widget(Paragraph::new(lines), top);
    rest
}

fn too_small(f: &mut Frame, area: Rect, th: &Theme) {
    let text = vec![
        Line::styled("edgetop needs a larger terminal", th.style(E::TextWarn)),
        Line::raw(format!(
            "at least {MIN_WIDTH}×{MIN_HEIGHT}, now {}×{}",
            area.width, area.height
        )),
        Line::styled(
            "enlarge the window, or press q to quit",
            th.style(E::TextDim),
        ),
    ];
    let h = (text.len() as u16).min(area.height);
    let y = area.y + area.height.saturating_sub(h) / 2;
    f.render_widget(
        Paragraph::new(text)
            .alignment(ratatui::layout::Alignment::Center)
            .wrap(Wrap { trim: true }),
        Rect {
            x: area.x,
            y,
            width: area.width,
            height: h,
        },
    );
}

fn tab_label(i: usize, s: Screen) -> String {
    format!(" {} {} ", i + 1, s.title())
}

/// Room for the range at the right of the tabs ("range 24h · 5-min points · vs last week").
fn tabs_hold_the_range(width: u16) -> bool {
    let tabs: usize = Screen::ALL
        .iter()
        .enumerate()
        .map(|(i, s)| tab_label(i, *s).chars().count() + 1)
        .sum();
    width as usize >= tabs + 42
}

/// The range the figures cover (with its points when `points`), or the range asked for while
/// it is read.
fn range_spans(app: &App, points: bool, th: &Theme) -> Vec<Span<'static>> {
    let (label, value) = (th.style(E::HeaderLabel), th.style(E::HeaderValue));
    let Some(d) = app.data() else {
        return Vec::new();
    };
    match (app.range == d.range, points) {
        (true, true) => {
            let mut spans = vec![
                Span::styled("range ", label),
                Span::styled(d.range.label(), value),
                Span::styled(format!(" · {} points ", d.range.period_label()), label),
            ];
            if let Some(c) = d.compare {
                spans.push(Span::styled(format!("· vs {} ", c.shift.words()), value));
            }
            spans
        }
        (true, false) => vec![
            Span::styled(d.range.label(), value),
            Span::styled(
                match d.compare {
                    Some(c) => format!(" vs {} · ", c.shift.label()),
                    None => " · ".into(),
                },
                label,
            ),
        ],
        (false, _) => vec![
            Span::styled(format!("{}… ", app.range.label()), th.style(E::Pending)),
            Span::styled(if points { "reading " } else { "· " }, label),
        ],
    }
}

fn draw_tabs(f: &mut Frame, area: Rect, app: &App, th: &Theme) -> Vec<(Rect, Screen)> {
    let mut spans = Vec::new();
    let mut hits = Vec::new();
    let mut x = area.x;
    for (i, s) in Screen::ALL.iter().enumerate() {
        let style = if *s == app.screen {
            th.style(E::TabActive)
        } else {
            th.style(E::Tab)
        };
        let label = tab_label(i, *s);
        let width = unicode_width::UnicodeWidthStr::width(label.as_str()) as u16;
        let shown = width.min(area.right().saturating_sub(x));
        hits.push((Rect::new(x, area.y, shown, 1), *s));
        x = x.saturating_add(width + 1);
        spans.push(Span::styled(label, style));
        spans.push(Span::raw(" "));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
    if tabs_hold_the_range(area.width) {
        f.render_widget(
            Paragraph::new(Line::from(range_spans(app, true, th)).right_aligned()),
            area,
        );
    }
    hits
}

fn draw_footer(f: &mut Frame, area: Rect, app: &App, th: &Theme) {
    let line = match &app.mode {
        Mode::Filter => Line::from(vec![
            Span::styled("/", th.style(E::Key)),
            Span::styled(
                format!("{}█", app.view(app.screen).filter),
                th.style(E::Input),
            ),
            Span::styled("  Enter keep · Esc clear", th.style(E::TextDim)),
        ]),
        Mode::CommandLine(text) => Line::from(vec![
            Span::styled(":", th.style(E::Key)),
            Span::styled(format!("{text}█"), th.style(E::Input)),
            Span::styled(
                format!("  {}", command_hint(app, text)),
                th.style(E::TextDim),
            ),
        ]),
        _ => match (&app.message, &app.last_error) {
            (Some((Level::Error, m)), _) => Line::styled(format!(" {m}"), th.style(E::Error)),
            _ if app.busy() => operations::running_line(app, th).unwrap_or_default(),
            (Some((Level::Info, m)), _) => Line::styled(format!(" {m}"), th.style(E::Message)),
            (None, Some(e)) => Line::styled(format!(" last poll failed: {e}"), th.style(E::Error)),
            (None, None) => hints(app, area.width, th),
        },
    };
    f.render_widget(Paragraph::new(line), area);
}

/// What the command line says beside what is typed: for `:range`, the ranges and what the
/// one typed (or the one shown) costs, before it is chosen.
fn command_hint(app: &App, text: &str) -> String {
    let mut words = text.split_whitespace();
    if words.next() != Some("range") {
        return "Enter run · Esc cancel".into();
    }
    let range = words
        .next()
        .and_then(crate::model::Range::parse)
        .unwrap_or(app.range);
    let all = crate::model::Range::names(" ");
    let metrics = app.data().map(|d| d.cost.metrics_last_poll);
    format!("{all} · {}", range.cost_said(metrics))
}

fn hints(app: &App, width: u16, th: &Theme) -> Line<'static> {
    let mut pairs: Vec<(&str, &str)> = vec![("help", "help"), ("filter", "filter")];
    if width >= 100 {
        pairs.extend([
            ("command_line", "cmd"),
            ("pause", "pause"),
            ("refresh", "refresh"),
        ]);
    } else if width >= 80 {
        pairs.push(("pause", "pause"));
    }
    let home = app.screen.home();
    // The screen's own keys: its first always, the others where there is room (the filter in
    // force, said last, must stay in view).
    let own = home.hints(app.read_only);
    let room = if width >= 100 { own.len() } else { 1 };
    pairs.extend(own.iter().take(room).copied());
    let open = match app.places_in_view() > 1 && home.rows_are_placed() {
        true => "scope",
        false => home.open_hint(),
    };
    pairs.push(("open", open));
    pairs.push(("quit", "quit"));
    let pairs = pairs
        .into_iter()
        .map(|(action, what)| (app.keymap.label(action), what));
    let filter = &app.view(app.screen).filter;
    let mut spans = vec![Span::raw(" ")];
    for (k, h) in pairs {
        spans.push(Span::styled(k, th.style(E::Key)));
        // The filter in force, beside its key, where a narrow terminal keeps it in view.
        if h == "filter" && !filter.is_empty() {
            spans.push(Span::styled(" filter: ", th.style(E::TextDim)));
            spans.push(Span::styled(format!("{filter}  "), th.style(E::Input)));
        } else {
            spans.push(Span::styled(format!(" {h}  "), th.style(E::TextDim)));
        }
    }
    Line::from(spans)
}
