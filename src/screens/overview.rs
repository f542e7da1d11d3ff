//! Overview: what is happening right now.

use super::{
    Context, Listed, Loaded, Open, Rows, Screen, ScreenView, Sort, Split, TableRows, ViewState,
};
use crate::model::Panel;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph};

use crate::judge::finding::Finding;
use crate::model::format;
use crate::model::{Series, Snapshot};

use crate::theme::{Element as E, Theme};
use crate::widgets::columns::{self, Cells, Column, Shown, SortKey, by, col, col_if, fit};
use crate::widgets::{panel, series_chart, severity_span, table_title, window};

/// The findings, in the sort asked for (by default the worst first).
fn listed(data: &Loaded, sort: Option<Sort>) -> Listed<&Finding> {
    Listed::new(
        data.findings.iter().collect(),
        columns::placed(finding_columns()),
        sort,
        &data.snapshot,
    )
}

/// Overview: what is happening now, and what is unusual.
pub struct Overview;

impl ScreenView for Overview {
    fn title(&self) -> &'static str {
        "Overview"
    }

    fn about(&self) -> &'static str {
        "Overview: what is happening now"
    }

    fn panels(&self) -> &'static [Panel] {
        &[]
    }

    fn row_count(&self, data: &Loaded, _filter: &str) -> usize {
        data.findings.len()
    }

    fn draw(&self, f: &mut Frame, area: Rect, cx: &Context, th: &Theme) {
        let d = cx.data;
        let stats_h = if area.width >= 120 { 3 } else { 4 };
        let chart_h = (area.height.saturating_sub(stats_h) * 11 / 20).max(7);
        let [stats, charts, list] = Layout::vertical([
            Constraint::Length(stats_h),
            Constraint::Length(chart_h),
            Constraint::Min(3),
        ])
        .areas(area);

        draw_stats(f, stats, d, th);

        let [left, right] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(charts);
        if d.places_in_view() > 1 && cx.split != Split::Sum {
            draw_split(f, [left, right], d, cx.split, th);
        } else {
            draw_sums(f, [left, right], d, th);
        }

        let listed = listed(cx.loaded, cx.sort);
        let found = &listed.rows;
        let sel = cx.selected;
        let win = window(found.len(), sel, list);
        let title = if found.is_empty() {
            " Unusual now: nothing ".to_string()
        } else {
            table_title("Unusual now", "", sel, found.len())
        };
        let cells = Cells::new(d, th, list.width);
        columns::draw(
            f,
            list,
            panel(title, th, true),
            &listed.columns,
            &found[win.range.clone()],
            Some(win.selected),
            &cx.table_cells(cells, win.range.start),
        );
    }

    fn open_hint(&self) -> &'static str {
        "go"
    }

    fn open(&self, data: &Loaded, view: &ViewState, selected: usize) -> Open {
        listed(data, view.sort)
            .rows
            .get(selected)
            .map_or(Open::Nothing, |f| {
                Open::Go(Screen::showing(f.about), f.place, f.row.clone())
            })
    }

    fn rows<'a>(&self, data: &'a Loaded, view: &ViewState) -> Option<Box<dyn TableRows + 'a>> {
        Some(Box::new(Rows {
            listed: listed(data, view.sort),
            data: &data.snapshot,
            id: |f| f.text.clone(),
            copy: |f| f.text.clone(),
            // A finding is about a screen's rows, not a resource of its own.
            url: |_, _| None,
        }))
    }
}

fn finding_columns<'a>() -> Vec<Column<&'a Finding>> {
    let columns: [Column<&'a Finding>; _] = [
        // The severity: a mark, and the heading the sort's mark goes by.
        by(
            col("!", Constraint::Length(2), |x, cx| {
                Cell::from(severity_span(x.severity, cx.th))
            }),
            |x, _| SortKey::num(x.severity as u8),
        ),
        by(
            col("what", Constraint::Min(20), |x, cx| {
                Cell::from(fit(&x.text, cx.column))
            }),
            |x, _| SortKey::text(&x.text),
        ),
        by(
            col_if(Shown::From(100), "see", Constraint::Length(10), |x, cx| {
                Cell::from(Span::styled(
                    Screen::showing(x.about).title(),
                    cx.th.style(E::TextDim),
                ))
            }),
            |x, _| SortKey::text(Screen::showing(x.about).title()),
        ),
    ];
    columns.into()
}

/// The charts of every place summed: requests and errors; refusals.
fn draw_sums(f: &mut Frame, [left, right]: [Rect; 2], d: &Snapshot, th: &Theme) {
    let count = Series::total(d.all_stages().map(|(_, s)| &s.metrics.count));
    let e4 = Series::total(d.all_stages().map(|(_, s)| &s.metrics.errors_4xx));
    let e5 = Series::total(d.all_stages().map(|(_, s)| &s.metrics.errors_5xx));
    let throttled = Series::total(d.all_stages().map(|(_, s)| &s.metrics.throttled_est));
    let blocked = Series::total(d.web_acls.iter().map(|w| &w.metrics.blocked));
    series_chart(
        f,
        left,
        " Requests /min ",
        &[
            ("requests", &count, th.style(E::ChartRequests)),
            ("4xx", &e4, th.style(E::Chart4xx)),
            ("5xx", &e5, th.style(E::Chart5xx)),
        ],
        th,
    );
    series_chart(
        f,
        right,
        " Refused/min ",
        &[
            ("429 est.", &throttled, th.style(E::ChartThrottled)),
            ("WAF blocked", &blocked, th.style(E::ActionBlock)),
        ],
        th,
    );
}

/// The charts with a line per account or per region (`:split`): requests; WAF blocked.
fn draw_split(f: &mut Frame, [left, right]: [Rect; 2], d: &Snapshot, split: Split, th: &Theme) {
    let group = |p: crate::model::Place| {
        let (label, region) = d.place_label(p);
        match split {
            Split::Region => region.to_string(),
            _ => label.to_string(),
        }
    };
    let mut groups: Vec<String> = (0..d.places.len() as u16)
        .map(|p| group(crate::model::Place(p)))
        .collect();
    groups.sort();
    groups.dedup();
    let palette = [
        E::ChartRequests,
        E::Chart4xx,
        E::ChartThrottled,
        E::ActionBlock,
        E::Chart5xx,
    ];
    let per_group = |pick: &dyn Fn(&str) -> Series| -> Vec<(String, Series, Style)> {
        groups
            .iter()
            .enumerate()
            .map(|(i, g)| (g.clone(), pick(g), th.style(palette[i % palette.len()])))
            .collect()
    };
    let requests = per_group(&|g| {
        Series::total(
            d.all_apis()
                .filter(|a| group(a.place) == g)
                .flat_map(|a| a.stages.iter().map(|s| &s.metrics.count)),
        )
    });
    let blocked = per_group(&|g| {
        Series::total(
            d.web_acls
                .iter()
                .filter(|w| group(w.place) == g)
                .map(|w| &w.metrics.blocked),
        )
    });
    fn lines(v: &[(String, Series, Style)]) -> Vec<(&str, &Series, Style)> {
        v.iter().map(|(n, s, st)| (n.as_str(), s, *st)).collect()
    }
    let by = if split == Split::Region {
        "region"
    } else {
        "account"
    };
    let title = |what: &str| format!(" {what} /min by {by} ");
    series_chart(f, left, title("Requests"), &lines(&requests), th);
    series_chart(f, right, title("WAF blocked"), &lines(&blocked), th);
}

fn draw_stats(f: &mut Frame, area: Rect, d: &Snapshot, th: &Theme) {
    let label = th.style(E::HeaderLabel);
    let value = th.style(E::HeaderValue);
    let sum = |pick: fn(&crate::model::StageMetrics) -> &Series| {
        d.all_stages()
            .map(|(_, s)| pick(&s.metrics).last())
            .sum::<f64>()
    };
    let count = sum(|m| &m.count);
    let rate = |v: f64| {
        if count > 0.0 {
            format::percent(v / count)
        } else {
            "–".into()
        }
    };
    let blocked: f64 = d.web_acls.iter().map(|w| w.metrics.blocked.last()).sum();
    let counted: f64 = d.web_acls.iter().map(|w| w.metrics.counted.last()).sum();
    let kv = |k: &str, v: String| {
        vec![
            Span::styled(format!("{k} "), label),
            Span::styled(v, value),
            Span::raw("   "),
        ]
    };
    let mut traffic = Vec::new();
    traffic.extend(kv("requests/min", format::count(count)));
    traffic.extend(kv("4xx", rate(sum(|m| &m.errors_4xx))));
    traffic.extend(kv("5xx", rate(sum(|m| &m.errors_5xx))));
    traffic.extend(kv("429 est./min", format::count(sum(|m| &m.throttled_est))));
    let mut waf = Vec::new();
    waf.extend(kv("WAF blocked/min", format::count(blocked)));
    waf.extend(kv("counted/min", format::count(counted)));
    waf.extend(kv("IPs held", d.rate_limited.len().to_string()));
    let cost = cost_spans(d, th);
    let lines = if area.width >= 120 {
        let mut first = traffic;
        first.extend(waf);
        vec![Line::from(first), Line::from(cost)]
    } else {
        vec![Line::from(traffic), Line::from(waf), Line::from(cost)]
    };
    f.render_widget(
        Paragraph::new(lines).block(
            ratatui::widgets::Block::default()
                .borders(ratatui::widgets::Borders::BOTTOM)
                .border_style(th.style(E::Border)),
        ),
        area,
    );
}

/// What polling costs: CloudWatch's metrics, and Logs Insights' bytes scanned when it is read.
fn cost_spans(d: &Snapshot, th: &Theme) -> Vec<Span<'static>> {
    let label = th.style(E::HeaderLabel);
    let value = th.style(E::HeaderValue);
    let c = &d.cost;
    let sim = if d.account.simulated {
        " (simulated)"
    } else {
        ""
    };
    let mut cost = vec![
        Span::styled("CloudWatch ", label),
        Span::styled(format!("{} metrics/poll", c.metrics_last_poll), value),
        Span::styled(
            format!(
                " · ${:.2} so far · ≈${:.0}/month at {} s{sim}",
                c.spent_dollars(),
                c.monthly_dollars(),
                c.poll_interval_secs
            ),
            label,
        ),
    ];
    if let Some(l) = d.logs.as_ref().filter(|l| l.cost.every_secs > 0) {
        let s = &l.cost;
        cost.extend([
            Span::styled("   Logs Insights ", label),
            Span::styled(format!("{}/run", format::bytes(s.bytes_last_run)), value),
            Span::styled(
                format!(
                    " · ${:.2} so far · ≈${:.2}/month every {} min",
                    s.spent_dollars(),
                    s.monthly_dollars(),
                    s.every_secs / 60
                ),
                label,
            ),
        ]);
    }
    cost
}
