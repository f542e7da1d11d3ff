//! Geo: where traffic comes from, which countries are blocked or counted, and by which rule.

use super::{Context, Listed, Loaded, Rows, ScreenView, Sort, TableRows, ViewState};
use crate::model::Panel;
use crate::model::Text;
use crate::model::format;
use crate::widgets::popup::{chart_below, detail_area, kv, popup};
use crate::widgets::series_chart;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::Cell;
use ratatui::widgets::canvas::{Canvas, Map, MapResolution};

use crate::model::countries;
use crate::model::{CountryTraffic, Distribution, GeoList, Rule, RuleKind, Snapshot, WebAcl};

use crate::theme::{Element as E, Theme};

mod rows;
use crate::widgets::columns::{self, Cells, Column, SortKey, by, col, fit};
use crate::widgets::{action_span, num, panel, table_title, window};
pub use rows::{CountryRow, countries};
use rows::{country_style, marker};

/// The countries' table: filtered, in the sort asked for.
fn listed(s: &Snapshot, filter: &str, sort: Option<Sort>) -> Listed<CountryRow> {
    Listed::new(countries(s, filter), country_columns(s.range), sort, s)
}

/// Geo: countries, geo rules, world map.
pub struct Geo;

impl ScreenView for Geo {
    fn title(&self) -> &'static str {
        "Geo"
    }

    fn about(&self) -> &'static str {
        "Geo: countries, geo rules, world map"
    }

    fn panels(&self) -> &'static [Panel] {
        &[Panel::Waf, Panel::Metrics]
    }

    fn row_count(&self, data: &Loaded, filter: &str) -> usize {
        countries(&data.snapshot, filter).len()
    }

    fn rows<'a>(&self, data: &'a Loaded, view: &ViewState) -> Option<Box<dyn TableRows + 'a>> {
        let d = &data.snapshot;
        Some(Box::new(Rows {
            listed: listed(d, &view.filter, view.sort),
            data: d,
            id: |c| c.code.to_string(),
            copy: |c| c.code.to_string(),
            // The web ACL of the first geo rule that names the country.
            url: |c, d| {
                let (w, _) = d.rules().find(|(_, r)| {
                    matches!(&r.kind, crate::model::RuleKind::Geo { countries } if countries.contains(&c.code))
                })?;
                crate::model::console::web_acl(d, w.place, w.scope, w.name.as_str(), w.id.as_str())
            },
        }))
    }

    fn draw(&self, f: &mut Frame, area: Rect, cx: &Context, th: &Theme) {
        let d = cx.data;
        let wide = area.width >= 120;
        let filter = cx.filter;
        let listed = listed(d, filter, cx.sort);
        let countries = &listed.rows;
        let sel = cx.selected;
        let [map_area, side] = if wide {
            Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(area)
        } else {
            Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area)
        };
        draw_map(f, map_area, countries, countries.get(sel), th);

        let geo_rules: Vec<_> = d
            .rules()
            .filter(|(_, r)| matches!(r.kind, RuleKind::Geo { .. }))
            .collect();
        let restricted: Vec<&Distribution> = d
            .distributions
            .iter()
            .filter(|x| x.geo_restriction.is_some())
            .collect();
        let rules_h = if wide { geo_rules.len() as u16 + 3 } else { 0 };
        let cdn_h = if wide && !restricted.is_empty() {
            restricted.len() as u16 + 3
        } else {
            0
        };
        let [rules_area, cdn_area, table_area] = Layout::vertical([
            Constraint::Length(rules_h),
            Constraint::Length(cdn_h),
            Constraint::Min(4),
        ])
        .areas(side);
        let cells = Cells::new(d, th, area.width);
        if rules_h > 0 {
            columns::draw(
                f,
                rules_area,
                panel(" Geo-match rules ", th, false),
                &columns::placed(geo_rule_columns()),
                &geo_rules,
                None,
                &cells,
            );
        }

        if cdn_h > 0 {
            columns::draw(
                f,
                cdn_area,
                panel(" CloudFront geo restriction ", th, false),
                &columns::placed(restriction_columns()),
                &restricted,
                None,
                &cells,
            );
        }

        let win = window(countries.len(), sel, table_area);
        columns::draw(
            f,
            table_area,
            panel(
                table_title("Countries, per minute", filter, sel, countries.len()),
                th,
                true,
            ),
            &listed.columns,
            &countries[win.range.clone()],
            Some(win.selected),
            &cx.table_cells(cells, win.range.start),
        );
    }

    fn detail(&self, f: &mut Frame, area: Rect, cx: &Context, th: &Theme) {
        let (d, filter, sel) = (cx.data, cx.filter, cx.selected);
        let r = detail_area(area);
        let Some(c) = listed(d, filter, cx.sort).rows.into_iter().nth(sel) else {
            return;
        };
        let inner = popup(f, r, format!(" {} {} — Esc closes ", c.code, c.name), th);
        let per_acl = per_web_acl(d, &c.code);
        let lines = detail_lines(d, &c, &per_acl, th);
        chart_below(f, inner, lines, th, |f, a| {
            if let Some((_, x)) = per_acl.iter().max_by(|a, b| {
                a.1.metrics
                    .allowed
                    .sum()
                    .total_cmp(&b.1.metrics.allowed.sum())
            }) {
                series_chart(
                    f,
                    a,
                    " per minute ",
                    &[
                        ("allowed", &x.metrics.allowed, th.style(E::ActionAllow)),
                        ("blocked", &x.metrics.blocked, th.style(E::ActionBlock)),
                        ("counted", &x.metrics.counted, th.style(E::ActionCount)),
                    ],
                    th,
                )
            }
        });
    }
}

/// Each web ACL that lists the country, with its figures for it.
fn per_web_acl<'a>(d: &'a Snapshot, code: &Text) -> Vec<(&'a WebAcl, &'a CountryTraffic)> {
    d.web_acls
        .iter()
        .filter_map(|w| {
            w.countries
                .iter()
                .find(|x| x.country == *code)
                .map(|x| (w, x))
        })
        .collect()
}

/// The country's detail: its figures, the rules and distributions that refuse it, and its
/// traffic through each web ACL.
fn detail_lines<'a>(
    d: &Snapshot,
    c: &CountryRow,
    per_acl: &[(&WebAcl, &CountryTraffic)],
    th: &Theme,
) -> Vec<Line<'a>> {
    let mut lines = vec![
        kv(
            "per minute",
            format!(
                "{} allowed, {} blocked, {} counted",
                format::count(c.allowed),
                format::count(c.blocked),
                format::count(c.counted)
            ),
            th,
        ),
        kv(
            &d.range.last(),
            format!(
                "{} blocked, {} counted",
                format::count(c.blocked_in_range),
                format::count(c.counted_in_range)
            ),
            th,
        ),
    ];
    for (n, a) in &c.rules {
        lines.push(kv("geo rule", format!("{n} ({})", a.label()), th));
    }
    for (id, list) in &c.cdn {
        let why = match list {
            GeoList::Deny => "on its deny list",
            GeoList::Allow => "not on its allow list",
        };
        lines.push(kv("CloudFront", format!("{id} refuses it ({why})"), th));
    }
    for (w, x) in per_acl {
        lines.push(kv(
            w.name.as_str(),
            format!(
                "{} allowed, {} blocked, {} counted per minute",
                format::count(x.metrics.allowed.last()),
                format::count(x.metrics.blocked.last()),
                format::count(x.metrics.counted.last())
            ),
            th,
        ));
    }
    lines
}

fn geo_rule_columns<'a>() -> Vec<Column<(&'a WebAcl, &'a Rule)>> {
    let columns: [Column<(&'a WebAcl, &'a Rule)>; _] = [
        col("rule", Constraint::Length(14), |(_, r), cx| {
            columns::text(r.name.as_str(), cx)
        }),
        col("web ACL", Constraint::Length(15), |(w, _), cx| {
            columns::text(w.name.as_str(), cx)
        }),
        col("action", Constraint::Length(7), |(_, r), cx| {
            Cell::from(action_span(r.action, r.pending, cx.th))
        }),
        col("countries", Constraint::Min(8), |(_, r), cx| {
            columns::text(&r.kind.countries(" "), cx)
        }),
    ];
    columns.into()
}

fn restriction_columns<'a>() -> Vec<Column<&'a Distribution>> {
    let columns: [Column<&'a Distribution>; _] = [
        col("distribution", Constraint::Length(14), |d, cx| {
            columns::text(d.id.as_str(), cx)
        }),
        col("list", Constraint::Length(10), |d, _| {
            Cell::from(d.geo_restriction.as_ref().map_or("", |g| g.list.label()))
        }),
        col("countries", Constraint::Min(8), |d, cx| {
            let g = d.geo_restriction.as_ref();
            let codes: Vec<&str> =
                g.map_or(vec![], |g| g.countries.iter().map(|c| c.as_str()).collect());
            columns::text(&codes.join(" "), cx)
        }),
    ];
    columns.into()
}

fn country_columns(range: crate::model::Range) -> Vec<Column<CountryRow>> {
    let columns: [Column<CountryRow>; _] = [
        by(
            col("cc", Constraint::Length(2), |c, cx| {
                Cell::from(Span::styled(
                    fit(c.code.as_str(), cx.column),
                    country_style(c, cx.th),
                ))
            }),
            |c, _| SortKey::text(&c.code),
        ),
        // A code WAF does not report is no country: shown whole, escaped, and said so.
        by(
            col("country", Constraint::Length(14), |c, cx| match c.name {
                "" => Cell::from(Span::styled(
                    fit(&format!("{}: unknown", c.code), cx.column),
                    cx.th.style(E::TextDim),
                )),
                name => Cell::from(fit(name, cx.column)),
            }),
            |c, _| SortKey::text(c.name),
        ),
        by(
            col("allow", Constraint::Length(6), |c, _| num(c.allowed)),
            |c, _| SortKey::num(c.allowed),
        ),
        by(
            col("block", Constraint::Length(6), |c, _| num(c.blocked)),
            |c, _| SortKey::num(c.blocked),
        ),
        by(
            col("count", Constraint::Length(6), |c, _| num(c.counted)),
            |c, _| SortKey::num(c.counted),
        ),
        by(
            col(
                range.blocked_counted_heading(),
                Constraint::Length(8),
                |c, _| num(c.blocked_in_range + c.counted_in_range),
            ),
            |c, _| SortKey::num(c.blocked_in_range + c.counted_in_range),
        ),
        // The WAF geo rule first (it has an action to show), then CloudFront's refusal.
        by(
            col("restricted by", Constraint::Min(10), |c, cx| {
                let mut spans = Vec::new();
                if let Some((n, a)) = c.rules.first() {
                    spans.extend([Span::raw(format!("{n} ")), action_span(*a, false, cx.th)]);
                }
                // In short, beside a rule most of all: the detail names the distribution.
                if let Some((_, list)) = c.cdn.first() {
                    spans.push(Span::raw(match spans.is_empty() {
                        true => format!("CloudFront {}", list.label()),
                        false => " +CF".to_string(),
                    }));
                }
                Cell::from(Line::from(spans))
            }),
            |c, _| match (c.rules.first(), c.cdn.first()) {
                (Some((n, a)), _) => SortKey::Text(format!("{n} {}", a.label())),
                (None, Some((_, list))) => SortKey::Text(format!("CloudFront {}", list.label())),
                (None, None) => SortKey::Missing,
            },
        ),
    ];
    columns.into()
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
                let Some(place) = countries::lookup(c.code.as_str()) else {
                    continue;
                };
                ctx.print(
                    place.lon,
                    place.lat,
                    Span::styled(marker(c), country_style(c, th)),
                );
            }
            if let Some((c, place)) =
                selected.and_then(|c| Some((c, countries::lookup(c.code.as_str())?)))
            {
                ctx.print(
                    place.lon + 3.0,
                    place.lat,
                    Line::styled(format!("◀ {}", c.code), th.style(E::TableSelected)),
                );
            }
        });
    f.render_widget(canvas, area);
}
