//! WAF: web ACLs, what they protect, and their rules in priority order.

use super::{Context, Loaded, ScreenView, matches};
use crate::model::Action;
use crate::model::Panel;
use crate::model::WebAcl;
use crate::widgets::popup::{chart_below, detail_area, kv, popup};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Row};

use crate::format;
use crate::model::{Rule, RuleKind, Snapshot};

use crate::theme::{Element as E, Theme};
use crate::widgets::{action_span, num, panel, series_chart, table, table_title, window};

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

/// The rules of every web ACL, filtered: the table's rows.
pub fn rules<'a>(s: &'a Snapshot, filter: &str) -> Vec<(&'a WebAcl, &'a Rule)> {
    s.rules()
        .filter(|(w, r)| {
            let countries = r.kind.countries(" ");
            matches(
                filter,
                &[
                    w.name.as_str(),
                    r.name.as_str(),
                    r.kind.label(),
                    r.action.label(),
                    &countries,
                ],
            )
        })
        .collect()
}

/// WAF: web ACLs and their rules.
pub struct Waf;

impl ScreenView for Waf {
    fn title(&self) -> &'static str {
        "WAF"
    }

    fn panels(&self) -> &'static [Panel] {
        &[Panel::Waf, Panel::Metrics]
    }

    fn row_count(&self, data: &Loaded, filter: &str) -> usize {
        rules(&data.snapshot, filter).len()
    }

    fn draw(&self, f: &mut Frame, area: Rect, cx: &Context, th: &Theme) {
        draw(f, area, cx, th)
    }

    fn detail(&self, f: &mut Frame, area: Rect, cx: &Context, th: &Theme) {
        detail(f, area, cx, th)
    }

    fn hints(&self, read_only: bool) -> &'static [(&'static str, &'static str)] {
        if read_only {
            &[("toggle_rule", "toggle (read-only)")]
        } else {
            &[("toggle_rule", "toggle rule")]
        }
    }
}

fn draw(f: &mut Frame, area: Rect, cx: &Context, th: &Theme) {
    let d = cx.data;
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

    let filter = cx.filter;
    let rules = rules(d, filter);
    let sel = cx.selected;
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

/// The detail popup of the selected row.
pub(super) fn detail(f: &mut Frame, area: Rect, cx: &Context, th: &Theme) {
    let (d, filter, sel) = (cx.data, cx.filter, cx.selected);
    let r = detail_area(area);
    let Some((w, rule)) = rules(d, filter).get(sel).copied() else {
        return;
    };
    let inner = popup(
        f,
        r,
        format!(" {} in {} — Esc closes ", rule.name, w.name),
        th,
    );
    let mut lines = vec![
        kv("type", rule.kind.label(), th),
        kv("statement", rule_summary(rule), th),
        kv(
            "action",
            format!(
                "{}{}",
                rule.action.label(),
                if rule.pending { " (pending)" } else { "" }
            ),
            th,
        ),
        kv("priority", rule.priority.to_string(), th),
        kv("metric", rule.metric_name.to_string(), th),
        kv(
            "last hour",
            format!(
                "{} blocked, {} counted",
                format::count(rule.metrics.blocked.sum()),
                format::count(rule.metrics.counted.sum())
            ),
            th,
        ),
    ];
    if let RuleKind::ManagedGroup { inner_rules, .. } = &rule.kind {
        lines.push(kv(
            "inner rules",
            inner_rules
                .iter()
                .map(|r| match r.action {
                    Action::GroupActions => r.name.to_string(),
                    a => format!("{} ({})", r.name, a.label()),
                })
                .collect::<Vec<_>>()
                .join(", "),
            th,
        ));
    }
    chart_below(f, inner, lines, th, |f, a| {
        series_chart(
            f,
            a,
            " per minute ",
            &[
                ("blocked", &rule.metrics.blocked, th.style(E::ActionBlock)),
                ("counted", &rule.metrics.counted, th.style(E::ActionCount)),
            ],
            th,
        )
    });
}
