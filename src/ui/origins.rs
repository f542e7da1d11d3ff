//! Origins: who is blocked — top client IPs and countries from sampled requests (weighted),
//! the IPs rate-based rules hold now, and a live tail of sampled requests.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row};

use crate::app::rows::{self, Talker};
use crate::app::{App, Screen};
use crate::geo;
use crate::model::Snapshot;

use super::theme::{Element as E, Theme};
use super::widgets::{action_span, num, panel, right, table, table_title, window};

pub fn draw(f: &mut Frame, area: Rect, app: &App, d: &Snapshot, th: &Theme) {
    let wide = area.width >= 120;
    let (tail, side) = if wide {
        let [side, tail] =
            Layout::horizontal([Constraint::Percentage(40), Constraint::Percentage(60)])
                .areas(area);
        (tail, side)
    } else {
        let [tail, side] =
            Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(area);
        (tail, side)
    };
    draw_tail(f, tail, app, d, th);

    let [ips, held, countries] = if wide {
        Layout::vertical([
            Constraint::Percentage(45),
            Constraint::Percentage(25),
            Constraint::Percentage(30),
        ])
        .areas(side)
    } else {
        let [a, b] = Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)])
            .areas(side);
        [a, b, Rect::default()]
    };
    talkers(
        f,
        ips,
        " Top client IPs (sampled, weighted) ",
        "client IP",
        app.loaded().map_or(&[], |l| &l.top_ips),
        true,
        th,
    );
    draw_held(f, held, d, th);
    if countries.height > 0 {
        talkers(
            f,
            countries,
            " Top countries (sampled, weighted) ",
            "country",
            app.loaded().map_or(&[], |l| &l.top_countries),
            false,
            th,
        );
    }
}

fn talkers(
    f: &mut Frame,
    area: Rect,
    title: &str,
    what: &str,
    list: &[Talker],
    with_country: bool,
    th: &Theme,
) {
    let rows: Vec<Row> = list
        .iter()
        .take(area.height as usize)
        .map(|t| {
            let name = if with_country {
                t.key.to_string()
            } else {
                format!("{} {}", t.key, geo::name(t.key.as_str()))
            };
            let mut cells = vec![Cell::from(name)];
            if with_country {
                cells.push(Cell::from(t.country.to_string()));
            }
            cells.extend([
                num(t.requests as f64),
                num(t.blocked as f64),
                num(t.counted as f64),
            ]);
            Row::new(cells)
        })
        .collect();
    let mut header = vec![what];
    let mut widths = vec![Constraint::Min(15)];
    if with_country {
        header.push("cc");
        widths.push(Constraint::Length(2));
    }
    header.extend(["reqs", "block", "count"]);
    widths.extend([
        Constraint::Length(6),
        Constraint::Length(6),
        Constraint::Length(6),
    ]);
    table(
        f,
        area,
        panel(title, th, false),
        &header,
        &widths,
        rows,
        None,
        th,
    );
}

fn draw_held(f: &mut Frame, area: Rect, d: &Snapshot, th: &Theme) {
    let rows: Vec<Row> = d
        .rate_limited
        .iter()
        .map(|r| {
            Row::new(vec![
                Cell::from(r.address.to_string()),
                Cell::from(Span::styled(r.rule.to_string(), th.style(E::ActionBlock))),
            ])
        })
        .collect();
    let title = format!(" Rate-limited now: {} ", d.rate_limited.len());
    table(
        f,
        area,
        panel(title, th, false),
        &["address", "rule"],
        &[Constraint::Min(15), Constraint::Length(16)],
        rows,
        None,
        th,
    );
}

fn draw_tail(f: &mut Frame, area: Rect, app: &App, d: &Snapshot, th: &Theme) {
    let filter = &app.view(Screen::Origins).filter;
    let samples = rows::samples(d, filter);
    let sel = app.selected(Screen::Origins);
    let wide = area.width >= 90;
    let win = window(samples.len(), sel, area);
    let rows: Vec<Row> = samples[win.range.clone()]
        .iter()
        .map(|s| {
            let mut cells = vec![
                Cell::from(Span::styled(
                    s.time.format("%H:%M:%S").to_string(),
                    th.style(E::TextDim),
                )),
                Cell::from(action_span(s.action, false, th)),
                Cell::from(s.country.to_string()),
                Cell::from(s.client_ip.to_string()),
                Cell::from(s.method.to_string()),
                Cell::from(s.uri.to_string()),
            ];
            if wide {
                cells.insert(2, Cell::from(s.rule.to_string()));
                cells.push(right(s.weight.to_string()));
            }
            Row::new(cells)
        })
        .collect();
    let mut header = vec!["time", "action", "cc", "client IP", "verb", "URI"];
    let mut widths = vec![
        Constraint::Length(8),
        Constraint::Length(6),
        Constraint::Length(2),
        Constraint::Length(15),
        Constraint::Length(6),
        Constraint::Min(10),
    ];
    if wide {
        header.insert(2, "rule");
        widths.insert(2, Constraint::Length(16));
        header.push("weight");
        widths.push(Constraint::Length(6));
    }
    let title = table_title("Sampled requests, newest first", filter, sel, samples.len());
    table(
        f,
        area,
        panel(title, th, true),
        &header,
        &widths,
        rows,
        Some(win.selected),
        th,
    );
}
