//! Origins: who is blocked — top client IPs and countries from sampled requests (weighted),
//! the IPs rate-based rules hold now, and a live tail of sampled requests.

mod logs;
mod tables;

use super::{Context, Listed, Loaded, Rows, ScreenView, Sort, TableRows, ViewState, matches_in};
use crate::model::Action;
use crate::model::Panel;
use crate::model::Text;
use crate::model::{RateLimitedIp, Sample};
use crate::widgets::popup::{detail_area, kv, popup};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::text::Span;
use ratatui::widgets::Cell;
use ratatui::widgets::{Paragraph, Wrap};
use std::collections::HashMap;

use crate::model::Snapshot;
use crate::model::countries;
use crate::model::logs::{Blocked, LogKind, LogState, Logs, Tally};

use crate::theme::{Element as E, Theme};
use crate::widgets::columns::{self, Cells, Column, Shown, SortKey, by, col, col_if, fit};
use crate::widgets::{action_span, num, panel, right, table_title, window};
use logs::*;
use tables::*;

/// The sampled requests, filtered: the table's rows.
pub fn samples<'a>(s: &'a Snapshot, filter: &str) -> Vec<&'a Sample> {
    s.samples
        .iter()
        .filter(|x| {
            matches_in(
                s,
                x.place,
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

/// The sampled requests' table: filtered, in the sort asked for (by default the newest first).
pub fn listed<'a>(s: &'a Snapshot, filter: &str, sort: Option<Sort>) -> Listed<&'a Sample> {
    Listed::new(
        samples(s, filter),
        columns::placed(sample_columns()),
        sort,
        s,
    )
}

/// The sampled requests as Origins lists them: after its filter, in its sort.
pub fn in_view<'a>(s: &'a Snapshot, view: &ViewState) -> Vec<&'a Sample> {
    listed(s, &view.filter, view.sort).rows
}

/// An address to sort by: IPv4 as its number, IPv6 by its groups written out in full (after
/// every IPv4 address), anything else as text after both.
pub fn address_key(a: &str) -> SortKey {
    match a.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(v4)) => SortKey::num(u32::from(v4)),
        Ok(std::net::IpAddr::V6(v6)) => SortKey::Text(
            v6.segments()
                .iter()
                .map(|g| format!("{g:04x}"))
                .collect::<Vec<_>>()
                .join(":"),
        ),
        Err(_) => SortKey::Text(format!("~{a}")),
    }
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

    fn about(&self) -> &'static str {
        "Origins: who is blocked, live samples"
    }

    fn panels(&self) -> &'static [Panel] {
        &[Panel::Samples]
    }

    fn hints(&self, read_only: bool) -> &'static [(&'static str, &'static str)] {
        if read_only {
            &[("block_address", "block (read-only)")]
        } else {
            &[("block_address", "block address")]
        }
    }
    fn rows_are_placed(&self) -> bool {
        true
    }

    fn row_places(&self, data: &Loaded, view: &ViewState) -> Vec<crate::model::Place> {
        in_view(&data.snapshot, view)
            .iter()
            .map(|s| s.place)
            .collect()
    }

    fn rows<'a>(&self, data: &'a Loaded, view: &ViewState) -> Option<Box<dyn TableRows + 'a>> {
        let d = &data.snapshot;
        Some(Box::new(Rows {
            listed: listed(d, &view.filter, view.sort),
            data: d,
            id: |x| {
                format!(
                    "{} {} {} {}",
                    x.time.timestamp_millis(),
                    x.client_ip,
                    x.method,
                    x.uri
                )
            },
            copy: |x| x.client_ip.to_string(),
            url: |x, d| {
                let w = d
                    .web_acls
                    .iter()
                    .find(|w| w.place == x.place && w.name == x.web_acl)?;
                crate::model::console::web_acl(d, w.place, w.scope, w.name.as_str(), w.id.as_str())
            },
        }))
    }

    fn row_count(&self, data: &Loaded, filter: &str) -> usize {
        samples(&data.snapshot, filter).len()
    }

    fn draw(&self, f: &mut Frame, area: Rect, cx: &Context, th: &Theme) {
        let d = cx.data;
        let wide = area.width >= 120;
        let (tail, side) = if wide {
            let [side, tail] =
                Layout::horizontal([Constraint::Percentage(40), Constraint::Percentage(60)])
                    .areas(area);
            (tail, side)
        } else {
            let [tail, side] =
                Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)])
                    .areas(area);
            (tail, side)
        };
        draw_tail(f, tail, cx, th);

        // Each WAF log query's figures stand on their own: the sources' exact counts stay when
        // the paths' query failed, and the other way round.
        let exact = d.logs.as_ref().filter(|l| l.waf_query(0).0.is_some());
        let by_query = d.logs.as_ref().filter(|l| {
            [1, 2].iter().any(|n| {
                let (w, t) = l.waf_query(*n);
                w.is_some() || t.is_some()
            })
        });
        let [ips, held, countries, paths] = if wide && (exact.is_some() || by_query.is_some()) {
            Layout::vertical([
                Constraint::Percentage(40),
                Constraint::Percentage(20),
                Constraint::Percentage(20),
                Constraint::Percentage(20),
            ])
            .areas(side)
        } else if wide {
            let [a, b, c] = Layout::vertical([
                Constraint::Percentage(45),
                Constraint::Percentage(25),
                Constraint::Percentage(30),
            ])
            .areas(side);
            [a, b, c, Rect::default()]
        } else {
            let [a, b] =
                Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)])
                    .areas(side);
            [a, b, Rect::default(), Rect::default()]
        };
        let mut cells = Cells::new(d, th, area.width);
        cells.blocks = Some(&cx.loaded.blocks);
        match exact {
            Some(logs) => draw_exact(f, ips, logs, &cells),
            None => talkers(
                f,
                ips,
                &format!(" Top client IPs (sampled, weighted){} ", why_sampled(d)),
                &talker_columns("client IP", true),
                &cx.loaded.top_ips,
                &cells,
            ),
        }
        if let Some(logs) = by_query
            && paths.height > 0
        {
            draw_paths_and_agents(f, paths, logs, &cells);
        }
        draw_held(f, held, &cells);
        if countries.height > 0 {
            talkers(
                f,
                countries,
                " Top countries (sampled, weighted) ",
                &talker_columns("country", false),
                &cx.loaded.top_countries,
                &cells,
            );
        }
    }

    fn detail(&self, f: &mut Frame, area: Rect, cx: &Context, th: &Theme) {
        let (d, filter, sel) = (cx.data, cx.filter, cx.selected);
        let r = detail_area(area);
        let Some(x) = listed(d, filter, cx.sort).rows.get(sel).copied() else {
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
}

/// Why the top addresses are the sampled estimate: what became of the WAF logs' query of
/// the sources.
fn why_sampled(d: &Snapshot) -> String {
    let Some(logs) = &d.logs else {
        return String::new();
    };
    if let Some(t) = logs.waf_query(0).1 {
        return trouble(t);
    }
    let waf = || logs.sources.iter().filter(|s| s.kind == LogKind::Waf);
    if waf().any(|s| matches!(s.state, LogState::NotQueryable { .. })) {
        " — WAF logs not queryable here".into()
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_blocked_in_several_places_is_one_row_summed() {
        let t = |value: &str, requests, place| Tally {
            web_acl: Text::new("edge"),
            value: Text::new(value),
            requests,
            place: crate::model::Place(place),
        };
        let summed = summed_by_value(&[t("/a", 5, 0), t("/b", 8, 0), t("/a", 4, 1)]);
        let rows: Vec<(&str, u64)> = summed
            .iter()
            .map(|t| (t.value.as_str(), t.requests))
            .collect();
        assert_eq!(rows, [("/a", 9), ("/b", 8)]);
    }
}
