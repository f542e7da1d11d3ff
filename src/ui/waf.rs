//! WAF: web ACLs, what they protect, and their rules in priority order.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Row};

use crate::app::{App, Screen, rows};
use crate::format;
use crate::model::{Rule, RuleKind, Snapshot};

use super::theme::{Element as E, Theme};
use super::widgets::{action_span, num, panel, series_chart, table, table_title, window};

/// A rule's statement in a few words.
pub fn rule_summary(r: &Rule) -> String {
    match &r.kind {
        RuleKind::Geo { .. } => format!("country in {}", r.kind.countries(",")),
        RuleKind::RateBased {
            limit,
            window_secs,
            aggregate,
            scope_down,
        } => {
            let scope = scope_down
                .as_ref()
                .map_or(String::new(), |s| format!(", {s}"));
            format!("> {limit} per {window_secs}s per {aggregate}{scope}")
        }
        RuleKind::IpSet { name, addresses } => format!("source in {name} ({addresses})"),
        RuleKind::ManagedGroup { vendor, name, .. } => format!("{vendor} {name}"),
        RuleKind::Custom { summary } => summary.to_string(),
    }
}

pub fn draw(f: &mut Frame, area: Rect, app: &App, d: &Snapshot, th: &Theme) {
    let acl_h = d.web_acls.len() as u16 + 3;
    let chart_h = if area.height >= 36 {
        area.height / 3
    } else {
        0
    };
    let [acls, rules_area, chart] = Layout::vertical([
        Constraint::Length(acl_h),
        Constraint::Min(5),
        Constraint::Length(chart_h),
    ])
    .areas(area);
    let wide = area.width >= 120;

    let acl_rows: Vec<Row> = d
        .web_acls
        .iter()
        .map(|w| {
            Row::new(vec![
                Cell::from(w.name.to_string()),
                Cell::from(w.scope.label()),
                Cell::from(action_span(w.default_action, false, th)),
                num(w.metrics.allowed.last()),
                num(w.metrics.blocked.last()),
                num(w.metrics.counted.last()),
                Cell::from(
                    w.protects
                        .iter()
                        .map(|p| p.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            ])
        })
        .collect();
    table(
        f,
        acls,
        panel(" Web ACLs ", th, false),
        &[
            "web ACL", "scope", "default", "allow/m", "block/m", "count/m", "protects",
        ],
        &[
            Constraint::Length(15),
            Constraint::Length(10),
            Constraint::Length(7),
            Constraint::Length(7),
            Constraint::Length(7),
            Constraint::Length(7),
            Constraint::Min(10),
        ],
        acl_rows,
        None,
        th,
    );

    let filter = &app.view(Screen::Waf).filter;
    let rules = rows::rules(d, filter);
    let sel = app.selected(Screen::Waf);
    let win = window(rules.len(), sel, rules_area);
    let table_rows: Vec<Row> = rules[win.range.clone()]
        .iter()
        .map(|(w, r)| {
            let mut cells = vec![
                Cell::from(w.name.to_string()),
                Cell::from(Line::from(r.priority.to_string()).right_aligned()),
                Cell::from(r.name.to_string()),
                Cell::from(r.kind.label()),
                Cell::from(action_span(r.action, r.pending, th)),
                num(r.metrics.blocked.last()),
                num(r.metrics.counted.last()),
            ];
            if wide {
                let m = &r.metrics;
                let n = m.blocked.values.len();
                let recent: Vec<f64> = (n.saturating_sub(30)..n)
                    .map(|i| m.blocked.values[i] + m.counted.values.get(i).copied().unwrap_or(0.0))
                    .collect();
                cells.push(Cell::from(format::spark(&recent)));
                cells.push(Cell::from(rule_summary(r)));
            }
            Row::new(cells)
        })
        .collect();
    let mut header = vec![
        "web ACL", "#", "rule", "type", "action", "block/m", "count/m",
    ];
    let mut widths = vec![
        Constraint::Length(15),
        Constraint::Length(2),
        Constraint::Min(16),
        Constraint::Length(10),
        Constraint::Length(7),
        Constraint::Length(7),
        Constraint::Length(7),
    ];
    if wide {
        header.extend(["last 30 min", "statement"]);
        widths.extend([Constraint::Length(30), Constraint::Min(20)]);
    }
    table(
        f,
        rules_area,
        panel(
            table_title("Rules in priority order", filter, sel, rules.len()),
            th,
            true,
        ),
        &header,
        &widths,
        table_rows,
        Some(win.selected),
        th,
    );

    if let Some((w, r)) = rules.get(sel).filter(|_| chart_h > 0) {
        series_chart(
            f,
            chart,
            format!(" {} in {} — per minute ", r.name, w.name),
            &[
                ("blocked", &r.metrics.blocked, th.style(E::ActionBlock)),
                ("counted", &r.metrics.counted, th.style(E::ActionCount)),
            ],
            th,
        );
    }
}
