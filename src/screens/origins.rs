//! Origins: who is blocked — top client IPs and countries from sampled requests (weighted),
//! the IPs rate-based rules hold now, and a live tail of sampled requests.

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

use crate::countries;
use crate::model::Snapshot;
use crate::model::logs::{Blocked, LogKind, LogState, Logs, Tally};

use crate::theme::{Element as E, Theme};
use crate::widgets::columns::{self, Cells, Column, Shown, SortKey, by, col, col_if, fit};
use crate::widgets::{action_span, num, panel, right, table_title, window};

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

/// What went wrong with a query's latest run, for a panel's title: " — query failed: why".
fn trouble(t: &LogState) -> String {
    match t {
        LogState::Failed { message, .. } => format!(" — WAF log query failed: {message}"),
        LogState::TimedOut { .. } => " — WAF log query timed out".into(),
        LogState::Running { .. } => " — querying WAF logs…".into(),
        _ => String::new(),
    }
}

/// A logs panel: its name and the window of its figures (" 14:00–14:05") on top, the window
/// dropped whole when it does not fit (no time cut into another), and what went wrong with
/// its latest query along the bottom, where a long reason does not push the window out.
fn logs_panel<'a>(
    name: &str,
    w: Option<&crate::model::logs::Window>,
    t: Option<&LogState>,
    width: u16,
    th: &'a Theme,
) -> ratatui::widgets::Block<'a> {
    let room = width.saturating_sub(2);
    let window = w.map_or(String::new(), |w| {
        format!(" {}–{}", w.from.format("%H:%M"), w.to.format("%H:%M"))
    });
    let full = format!(" {name}{window} ");
    let title = match unicode_width::UnicodeWidthStr::width(full.as_str()) <= room as usize {
        true => full,
        false => format!(" {name} "),
    };
    let block = panel(title, th, false);
    match t.map(trouble).filter(|why| !why.is_empty()) {
        Some(why) => {
            let why = format!(" {} ", why.trim_start_matches(" — "));
            block.title_bottom(Line::styled(
                columns::fit(&why, room),
                th.style(E::TextWarn),
            ))
        }
        None => block,
    }
}

/// The addresses WAF stopped, counted exactly in its logs.
fn draw_exact(f: &mut Frame, area: Rect, logs: &Logs, cx: &Cells) {
    let columns: [Column<Blocked>; _] = [
        col("client IP", Constraint::Min(15), |b, cx| {
            address_cell(b.client_ip.as_str(), b.place, cx)
        }),
        col("cc", Constraint::Length(2), |b, cx| {
            Cell::from(fit(b.country.as_str(), cx.column))
        }),
        col("rule", Constraint::Length(16), |b, cx| {
            Cell::from(Span::styled(
                fit(b.rule.as_str(), cx.column),
                cx.th.style(E::ActionBlock),
            ))
        }),
        col("reqs", Constraint::Length(6), |b, _| num(b.requests as f64)),
    ];
    // Which web ACLs' logs these are: another's (logging to S3, say) are only sampled.
    let mut acls: Vec<&str> = Vec::new();
    for name in logs
        .read(LogKind::Waf)
        .flat_map(|(s, _)| s.of.iter().map(|t| t.as_str()))
    {
        // The same web ACL name in several places is named once.
        if !acls.contains(&name) {
            acls.push(name);
        }
    }
    let (window, problem) = logs.waf_query(0);
    let name = format!("Blocked, exact: {}", acls.join(", "));
    let block = logs_panel(&name, window, problem, area.width, cx.th);
    let shown = &logs.blocked[..logs.blocked.len().min(area.height as usize)];
    columns::draw(
        f,
        area,
        block,
        &columns::placed(columns.into()),
        shown,
        None,
        cx,
    );
}

/// The paths and user agents of the requests WAF stopped, from its logs.
fn draw_paths_and_agents(f: &mut Frame, area: Rect, logs: &Logs, cx: &Cells) {
    let [paths, agents] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
    for (a, n, name, what, list) in [
        (
            paths,
            1,
            "Blocked paths (logs)",
            "path",
            &logs.blocked_paths,
        ),
        (
            agents,
            2,
            "Blocked user agents (logs)",
            "user agent",
            &logs.blocked_agents,
        ),
    ] {
        let (window, problem) = logs.waf_query(n);
        let block = logs_panel(name, window, problem, a.width, cx.th);
        // Nothing to list because its query went wrong: the panel says why, whole, where its
        // bottom edge would cut it.
        let failed =
            problem.filter(|t| matches!(t, LogState::Failed { .. } | LogState::TimedOut { .. }));
        if let Some(t) = failed.filter(|_| list.is_empty()) {
            let why = trouble(t);
            let why = why.trim_start_matches(" — ");
            f.render_widget(
                Paragraph::new(why.to_string())
                    .wrap(Wrap { trim: true })
                    .style(cx.th.style(E::TextWarn))
                    .block(logs_panel(name, window, None, a.width, cx.th)),
                a,
            );
            continue;
        }
        let columns: [Column<Tally>; _] = [
            col(what, Constraint::Min(8), |t, cx| {
                Cell::from(fit(t.value.as_str(), cx.column))
            }),
            col("reqs", Constraint::Length(6), |t, _| num(t.requests as f64)),
        ];
        // Narrow panels: a path or agent once, summed over every place, the most first.
        let summed = summed_by_value(list);
        let shown = &summed[..summed.len().min(a.height as usize)];
        columns::draw(f, a, block, &columns, shown, None, cx);
    }
}

/// Tallies of the same value (from several places) as one, the most first.
fn summed_by_value(list: &[Tally]) -> Vec<Tally> {
    let mut out: Vec<Tally> = Vec::with_capacity(list.len());
    for t in list {
        match out.iter_mut().find(|o| o.value == t.value) {
            Some(o) => o.requests += t.requests,
            None => out.push(t.clone()),
        }
    }
    out.sort_by_key(|t| std::cmp::Reverse(t.requests));
    out
}

/// A table of talkers: client IPs (with their country) or countries.
fn talkers(
    f: &mut Frame,
    area: Rect,
    title: &str,
    columns: &[Column<Talker>],
    list: &[Talker],
    cx: &Cells,
) {
    let shown = &list[..list.len().min(area.height as usize)];
    columns::draw(
        f,
        area,
        panel(title, cx.th, false),
        columns,
        shown,
        None,
        cx,
    );
}

fn talker_columns(what: &'static str, by_ip: bool) -> Vec<Column<Talker>> {
    let name = if by_ip {
        col(what, Constraint::Min(15), |t: &Talker, cx: &Cells| {
            Cell::from(fit(t.key.as_str(), cx.column))
        })
    } else {
        col(what, Constraint::Min(15), |t: &Talker, cx: &Cells| {
            let name = match countries::name(t.key.as_str()) {
                "" => "unknown",
                name => name,
            };
            Cell::from(fit(&format!("{} {name}", t.key), cx.column))
        })
    };
    let mut columns = vec![name];
    if by_ip {
        columns.push(col("cc", Constraint::Length(2), |t, cx| {
            Cell::from(fit(t.country.as_str(), cx.column))
        }));
    }
    let counts: [Column<Talker>; _] = [
        col("reqs", Constraint::Length(6), |t, _| num(t.requests as f64)),
        col("block", Constraint::Length(6), |t, _| num(t.blocked as f64)),
        col("count", Constraint::Length(6), |t, _| num(t.counted as f64)),
    ];
    columns.extend(counts);
    columns
}

fn draw_held(f: &mut Frame, area: Rect, cx: &Cells) {
    let held = &cx.data.rate_limited;
    let columns: [Column<RateLimitedIp>; _] = [
        col("address", Constraint::Min(15), |r, cx| {
            address_cell(r.address.as_str(), r.place, cx)
        }),
        col("rule", Constraint::Length(16), |r, cx| {
            Cell::from(Span::styled(
                fit(r.rule.as_str(), cx.column),
                cx.th.style(E::ActionBlock),
            ))
        }),
    ];
    let title = format!(" Rate-limited now: {} ", held.len());
    columns::draw(
        f,
        area,
        panel(title, cx.th, false),
        &columns,
        held,
        None,
        cx,
    );
}

/// From this width the samples show the rule and the weight.
const TAIL_WIDE: u16 = 90;

fn sample_columns<'a>() -> Vec<Column<&'a Sample>> {
    let columns: [Column<&'a Sample>; _] = [
        by(
            col("time", Constraint::Length(8), |s, cx| {
                Cell::from(Span::styled(
                    s.time.format("%H:%M:%S").to_string(),
                    cx.th.style(E::TextDim),
                ))
            }),
            |s, _| SortKey::num(s.time.timestamp_millis() as f64),
        ),
        by(
            col("action", Constraint::Length(6), |s, cx| {
                Cell::from(action_span(s.action, false, cx.th))
            }),
            |s, _| SortKey::text(s.action.label()),
        ),
        by(
            col_if(
                Shown::From(TAIL_WIDE),
                "rule",
                Constraint::Length(16),
                |s, cx| Cell::from(fit(s.rule.as_str(), cx.column)),
            ),
            |s, _| SortKey::text(&s.rule),
        ),
        // An address or a URI cut short would name another: it says it is cut.
        by(
            col("cc", Constraint::Length(2), |s, cx| {
                Cell::from(fit(s.country.as_str(), cx.column))
            }),
            |s, _| SortKey::text(&s.country),
        ),
        by(
            col("client IP", Constraint::Length(15), |s, cx| {
                address_cell(s.client_ip.as_str(), s.place, cx)
            }),
            |s, _| address_key(s.client_ip.as_str()),
        ),
        by(
            col("verb", Constraint::Length(6), |s, cx| {
                Cell::from(fit(s.method.as_str(), cx.column))
            }),
            |s, _| SortKey::text(&s.method),
        ),
        by(
            col("URI", Constraint::Min(10), |s, cx| {
                Cell::from(fit(s.uri.as_str(), cx.column))
            }),
            |s, _| SortKey::text(&s.uri),
        ),
        by(
            col_if(
                Shown::From(TAIL_WIDE),
                "weight",
                Constraint::Length(6),
                |s, _| right(s.weight.to_string()),
            ),
            |s, _| SortKey::num(s.weight as f64),
        ),
    ];
    columns.into()
}

fn draw_tail(f: &mut Frame, area: Rect, cx: &Context, th: &Theme) {
    let d = cx.data;
    let filter = cx.filter;
    let listed = listed(d, filter, cx.sort);
    let samples = &listed.rows;
    let sel = cx.selected;
    let win = window(samples.len(), sel, area);
    let title = table_title("Sampled requests, newest first", filter, sel, samples.len());
    let mut cells = Cells::new(d, th, area.width);
    cells.blocks = Some(&cx.loaded.blocks);
    let cells = cx.table_cells(cells, win.range.start);
    columns::draw(
        f,
        area,
        panel(title, th, true),
        &listed.columns,
        &samples[win.range.clone()],
        Some(win.selected),
        &cells,
    );
}

/// A client address, and after it what blocking it has come to ("blocked", or ⊘ in a narrow
/// column; "blocking…" or ◌ until a read shows it) when there is room for both (the address
/// whole first: a cut one would name another).
fn address_cell(address: &str, place: crate::model::Place, cx: &Cells) -> Cell<'static> {
    use crate::model::ip_set::BlockMark;
    let Some(m) = cx.blocks.and_then(|b| b.mark(place, address)) else {
        return Cell::from(fit(address, cx.column));
    };
    let room = cx.column as usize;
    let mark = if room == 0 || address.len() + 1 + m.label().len() <= room {
        m.label()
    } else if address.len() + 2 <= room {
        m.glyph()
    } else {
        return Cell::from(fit(address, cx.column));
    };
    let style = match m {
        BlockMark::Applying => E::Pending,
        BlockMark::Blocked => E::ActionBlock,
    };
    Cell::from(Line::from(vec![
        Span::raw(format!("{address} ")),
        Span::styled(mark, cx.th.style(style)),
    ]))
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
