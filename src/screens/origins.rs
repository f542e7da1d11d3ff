//! Origins: who is blocked — top client IPs and countries from sampled requests (weighted),
//! the IPs rate-based rules hold now, and a live tail of sampled requests.

use super::{Context, Loaded, ScreenView, matches};
use crate::model::Action;
use crate::model::Panel;
use crate::model::Sample;
use crate::model::Text;
use crate::widgets::popup::{detail_area, kv, popup};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row};
use ratatui::widgets::{Paragraph, Wrap};
use std::collections::HashMap;

use crate::countries;
use crate::model::Snapshot;

use crate::theme::{Element as E, Theme};
use crate::widgets::{action_span, num, panel, right, table, table_title, window};

/// The sampled requests, filtered: the table's rows.
pub fn samples<'a>(s: &'a Snapshot, filter: &str) -> Vec<&'a Sample> {
    s.samples
        .iter()
        .filter(|x| {
            matches(
                filter,
                &[
                    x.client_ip.as_str(),
                    x.country.as_str(),
                    x.method.as_str(),
                    x.uri.as_str(),
                    x.rule.as_str(),
                    x.web_acl.as_str(),
                    x.action.label(),
                    countries::name(x.country.as_str()),
                ],
            )
        })
        .collect()
}

/// A client address or a country, from sampled requests weighted by what each stands for.
#[derive(Clone, Debug, PartialEq)]
pub struct Talker {
    pub key: Text,
    pub country: Text,
    pub requests: u64,
    pub blocked: u64,
    pub counted: u64,
}

fn weigh(samples: &[Sample], key: impl Fn(&Sample) -> &Text) -> Vec<Talker> {
    let mut index: HashMap<&Text, usize> = HashMap::new();
    let mut out: Vec<Talker> = Vec::new();
    for s in samples {
        let k = key(s);
        let i = *index.entry(k).or_insert_with(|| {
            out.push(Talker {
                key: k.clone(),
                country: s.country.clone(),
                requests: 0,
                blocked: 0,
                counted: 0,
            });
            out.len() - 1
        });
        let t = &mut out[i];
        t.requests += s.weight;
        match s.action {
            Action::Block => t.blocked += s.weight,
            Action::Count => t.counted += s.weight,
            _ => {}
        }
    }
    out.sort_by(|a, b| {
        (b.blocked + b.counted, b.requests)
            .cmp(&(a.blocked + a.counted, a.requests))
            .then(a.key.cmp(&b.key))
    });
    out
}

/// Client IPs by weighted blocked+counted requests, then by volume.
pub fn top_ips(s: &Snapshot) -> Vec<Talker> {
    weigh(&s.samples, |x| &x.client_ip)
}

/// Countries by weighted blocked+counted requests, then by volume.
pub fn top_countries(s: &Snapshot) -> Vec<Talker> {
    weigh(&s.samples, |x| &x.country)
}

/// Origins: who is blocked, live samples.
pub struct Origins;

impl ScreenView for Origins {
    fn title(&self) -> &'static str {
        "Origins"
    }

    fn panels(&self) -> &'static [Panel] {
        &[Panel::Samples]
    }

    fn row_count(&self, data: &Loaded, filter: &str) -> usize {
        samples(&data.snapshot, filter).len()
    }

    fn draw(&self, f: &mut Frame, area: Rect, cx: &Context, th: &Theme) {
        draw(f, area, cx, th)
    }

    fn detail(&self, f: &mut Frame, area: Rect, cx: &Context, th: &Theme) {
        detail(f, area, cx, th)
    }
}

fn draw(f: &mut Frame, area: Rect, cx: &Context, th: &Theme) {
    let d = cx.data;
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
    draw_tail(f, tail, cx, th);

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
        &cx.loaded.top_ips,
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
            &cx.loaded.top_countries,
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
                format!("{} {}", t.key, countries::name(t.key.as_str()))
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

fn draw_tail(f: &mut Frame, area: Rect, cx: &Context, th: &Theme) {
    let d = cx.data;
    let filter = cx.filter;
    let samples = samples(d, filter);
    let sel = cx.selected;
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

/// The detail popup of the selected row.
pub(super) fn detail(f: &mut Frame, area: Rect, cx: &Context, th: &Theme) {
    let (d, filter, sel) = (cx.data, cx.filter, cx.selected);
    let r = detail_area(area);
    let Some(x) = samples(d, filter).get(sel).copied() else {
        return;
    };
    let inner = popup(f, r, " Sampled request — Esc closes ".into(), th);
    let mut lines = vec![
        kv(
            "time",
            x.time.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            th,
        ),
        kv(
            "action",
            format!("{} by {} ({})", x.action.label(), x.rule, x.web_acl),
            th,
        ),
        kv(
            "client",
            format!(
                "{} {} {}",
                x.client_ip,
                x.country,
                countries::name(x.country.as_str())
            ),
            th,
        ),
        kv("request", format!("{} {}", x.method, x.uri), th),
        kv(
            "response",
            x.response_code.map_or("–".into(), |c| c.to_string()),
            th,
        ),
        kv("weight", x.weight.to_string(), th),
        kv(
            "labels",
            x.labels
                .iter()
                .map(|l| l.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            th,
        ),
        Line::styled("     headers", th.style(E::TableHeader)),
    ];
    for h in &x.headers {
        lines.push(kv(h.name.as_str(), h.value.to_string(), th));
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .style(th.style(E::Dialog)),
        inner,
    );
}
