//! Geo: where traffic comes from, which countries are blocked or counted, and by which rule.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::canvas::{Canvas, Map, MapResolution};
use ratatui::widgets::{Cell, Row};

use crate::app::rows::{self, CountryRow};
use crate::app::{App, Screen};
use crate::geo;
use crate::model::{RuleKind, Snapshot};

use super::theme::{Element as E, Theme};
use super::widgets::{action_span, num, panel, table, table_title, window};

/// What happens to most of a country's traffic.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// At least half of it is blocked.
    Blocked,
    /// A fifth or more is blocked or counted: watched.
    Counted,
    Allowed,
}

fn fate(r: &CountryRow) -> Fate {
    let total = r.allowed + r.blocked + r.counted;
    if total > 0.0 && r.blocked / total >= 0.5 {
        Fate::Blocked
    } else if total > 0.0 && (r.blocked + r.counted) / total >= 0.2 {
        Fate::Counted
    } else {
        Fate::Allowed
    }
}

/// The map marker of a country, distinct without colour: blocked ■, counted ▲, allowed ●.
fn marker(r: &CountryRow) -> &'static str {
    match fate(r) {
        Fate::Blocked => "■",
        Fate::Counted => "▲",
        Fate::Allowed => "●",
    }
}

fn country_style(r: &CountryRow, th: &Theme) -> Style {
    th.style(match fate(r) {
        Fate::Blocked => E::ActionBlock,
        Fate::Counted => E::ActionCount,
        Fate::Allowed => E::ActionAllow,
    })
}

pub fn draw(f: &mut Frame, area: Rect, app: &App, d: &Snapshot, th: &Theme) {
    let wide = area.width >= 120;
    let filter = &app.view(Screen::Geo).filter;
    let countries = rows::countries(d, filter);
    let sel = app.selected(Screen::Geo);
    let [map_area, side] = if wide {
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(area)
    } else {
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area)
    };
    draw_map(f, map_area, &countries, countries.get(sel), th);

    let geo_rules: Vec<_> = d
        .rules()
        .filter(|(_, r)| matches!(r.kind, RuleKind::Geo { .. }))
        .collect();
    let rules_h = if wide { geo_rules.len() as u16 + 3 } else { 0 };
    let [rules_area, table_area] =
        Layout::vertical([Constraint::Length(rules_h), Constraint::Min(4)]).areas(side);
    if rules_h > 0 {
        let rows: Vec<Row> = geo_rules
            .iter()
            .map(|(w, r)| {
                let list = r.kind.countries(" ");
                Row::new(vec![
                    Cell::from(r.name.to_string()),
                    Cell::from(w.name.to_string()),
                    Cell::from(action_span(r.action, r.pending, th)),
                    Cell::from(list),
                ])
            })
            .collect();
        table(
            f,
            rules_area,
            panel(" Geo-match rules ", th, false),
            &["rule", "web ACL", "action", "countries"],
            &[
                Constraint::Length(14),
                Constraint::Length(15),
                Constraint::Length(7),
                Constraint::Min(8),
            ],
            rows,
            None,
            th,
        );
    }

    let win = window(countries.len(), sel, table_area);
    let rows: Vec<Row> = countries[win.range.clone()]
        .iter()
        .map(|c| {
            let rule = c.rules.first().map_or(Cell::from(""), |(n, a)| {
                Cell::from(Line::from(vec![
                    Span::raw(format!("{n} ")),
                    action_span(*a, false, th),
                ]))
            });
            Row::new(vec![
                Cell::from(Span::styled(c.code.to_string(), country_style(c, th))),
                Cell::from(c.name),
                num(c.allowed),
                num(c.blocked),
                num(c.counted),
                num(c.blocked_hour + c.counted_hour),
                rule,
            ])
        })
        .collect();
    table(
        f,
        table_area,
        panel(
            table_title("Countries, per minute", filter, sel, countries.len()),
            th,
            true,
        ),
        &[
            "cc", "country", "allow", "block", "count", "hour b+c", "geo rule",
        ],
        &[
            Constraint::Length(2),
            Constraint::Length(14),
            Constraint::Length(6),
            Constraint::Length(6),
            Constraint::Length(6),
            Constraint::Length(8),
            Constraint::Min(10),
        ],
        rows,
        Some(win.selected),
        th,
    );
}

fn draw_map(
    f: &mut Frame,
    area: Rect,
    countries: &[CountryRow],
    selected: Option<&CountryRow>,
    th: &Theme,
) {
    let resolution = if area.width >= 100 {
        MapResolution::High
    } else {
        MapResolution::Low
    };
    let land = th.style(E::MapLand);
    let title = Line::from(vec![
        Span::raw(" Traffic by country: "),
        Span::styled("■ mostly blocked ", th.style(E::ActionBlock)),
        Span::styled("▲ ≥20% blocked or counted ", th.style(E::ActionCount)),
        Span::styled("● allowed ", th.style(E::ActionAllow)),
    ]);
    let canvas = Canvas::default()
        .block(panel(title, th, false))
        .marker(Marker::Braille)
        .x_bounds([-180.0, 180.0])
        .y_bounds([-60.0, 85.0])
        .background_color(th.style(E::Base).bg.unwrap_or_default())
        .paint(move |ctx| {
            ctx.draw(&Map {
                resolution,
                color: land.fg.unwrap_or_default(),
            });
            ctx.layer();
            for c in countries {
                let Some((_, lat, lon)) = geo::lookup(c.code.as_str()) else {
                    continue;
                };
                ctx.print(lon, lat, Span::styled(marker(c), country_style(c, th)));
            }
            if let Some((c, (_, lat, lon))) =
                selected.and_then(|c| Some((c, geo::lookup(c.code.as_str())?)))
            {
                ctx.print(
                    lon + 3.0,
                    lat,
                    Line::styled(format!("◀ {}", c.code), th.style(E::TableSelected)),
                );
            }
        });
    f.render_widget(canvas, area);
}
