//! WAF: web ACLs, what they protect, and their rules in priority order.

use super::{Context, Listed, Loaded, Rows, ScreenView, Sort, TableRows, ViewState, matches_in};
use crate::model::Action;
use crate::model::Panel;
use crate::model::WebAcl;
use crate::model::alarm;
use crate::widgets::name_with_alarm;
use crate::widgets::popup::{chart_below, detail_area, kv, popup};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Cell;

use crate::model::format;
use crate::model::{Rule, RuleKind, Snapshot};

use crate::theme::{Element as E, Theme};
use crate::widgets::columns::{self, Cells, Column, Shown, SortKey, by, col, col_if, fit};
use crate::widgets::{
    action_span, alarm_bands, alarm_limits, num, panel, series_chart, series_chart_with_limits,
    table_title, window,
};

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
        RuleKind::IpSet {
            name, addresses, ..
        } => format!("source in {name} ({addresses})"),
        RuleKind::ManagedGroup { vendor, name, .. } => format!("{vendor} {name}"),
        RuleKind::Custom { summary } => summary.to_string(),
    }
}

/// The rules of every web ACL, filtered: the table's rows.
pub fn rules<'a>(s: &'a Snapshot, filter: &str) -> Vec<(&'a WebAcl, &'a Rule)> {
    s.rules()
        .filter(|(w, r)| {
            let countries = r.kind.countries(" ");
            matches_in(
                s,
                w.place,
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

/// The rules table's rows: filtered, in the sort asked for.
pub fn listed<'a>(
    s: &'a Snapshot,
    filter: &str,
    sort: Option<Sort>,
) -> Listed<(&'a WebAcl, &'a Rule)> {
    Listed::new(
        rules(s, filter),
        columns::placed(rule_columns(s.compare.is_some())),
        sort,
        s,
    )
}

/// The rules as the WAF screen lists them: after its filter, in its sort.
pub fn in_view<'a>(s: &'a Snapshot, view: &ViewState) -> Vec<(&'a WebAcl, &'a Rule)> {
    listed(s, &view.filter, view.sort).rows
}

/// WAF: web ACLs and their rules.
pub struct Waf;

impl ScreenView for Waf {
    fn title(&self) -> &'static str {
        "WAF"
    }

    fn about(&self) -> &'static str {
        "WAF: web ACLs and their rules"
    }

    fn panels(&self) -> &'static [Panel] {
        &[Panel::Waf, Panel::Metrics]
    }

    fn rows_are_placed(&self) -> bool {
        true
    }

    fn row_places(&self, data: &Loaded, view: &ViewState) -> Vec<crate::model::Place> {
        in_view(&data.snapshot, view)
            .iter()
            .map(|(w, _)| w.place)
            .collect()
    }

    fn rows<'a>(&self, data: &'a Loaded, view: &ViewState) -> Option<Box<dyn TableRows + 'a>> {
        let d = &data.snapshot;
        Some(Box::new(Rows {
            listed: listed(d, &view.filter, view.sort),
            data: d,
            id: |(w, r)| format!("{}/{}/{}", w.place.0, w.id, r.name),
            copy: |(_, r)| r.name.to_string(),
            url: |(w, _), d| {
                crate::model::console::web_acl(d, w.place, w.scope, w.name.as_str(), w.id.as_str())
            },
        }))
    }

    fn row_count(&self, data: &Loaded, filter: &str) -> usize {
        rules(&data.snapshot, filter).len()
    }

    fn draw(&self, f: &mut Frame, area: Rect, cx: &Context, th: &Theme) {
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
        let cells = Cells::new(d, th, area.width);
        let all: Vec<&WebAcl> = d.web_acls.iter().collect();
        columns::draw(
            f,
            acls,
            panel(" Web ACLs ", th, false),
            &columns::placed(acl_columns()),
            &all,
            None,
            &cells,
        );

        let filter = cx.filter;
        let listed = listed(d, filter, cx.sort);
        let rules = &listed.rows;
        let sel = cx.selected;
        let win = window(rules.len(), sel, rules_area);
        columns::draw(
            f,
            rules_area,
            panel(
                table_title("Rules in priority order", filter, sel, rules.len()),
                th,
                true,
            ),
            &listed.columns,
            &rules[win.range.clone()],
            Some(win.selected),
            &cx.table_cells(cells, win.range.start),
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

    fn detail(&self, f: &mut Frame, area: Rect, cx: &Context, th: &Theme) {
        let (d, filter, sel) = (cx.data, cx.filter, cx.selected);
        let r = detail_area(area);
        let Some((w, rule)) = listed(d, filter, cx.sort).rows.get(sel).copied() else {
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
                &d.range.last(),
                format!(
                    "{} blocked, {} counted",
                    format::count(rule.metrics.blocked.in_window()),
                    format::count(rule.metrics.counted.in_window())
                ),
                th,
            ),
        ];
        let on = alarm::on_rule(&d.alarms, w.place, w.name.as_str(), rule.name.as_str());
        lines.extend(
            alarm::described(&on)
                .into_iter()
                .map(|a| kv("alarm", a, th)),
        );
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
        // The thresholds of the alarms on this rule's blocked and counted requests.
        let mut limits = alarm_limits(&on, "BlockedRequests", th);
        limits.extend(alarm_limits(&on, "CountedRequests", th));
        let mut bands = alarm_bands(&on, "BlockedRequests", th);
        bands.extend(alarm_bands(&on, "CountedRequests", th));
        chart_below(f, inner, lines, th, |f, a| {
            series_chart_with_limits(
                f,
                a,
                " per minute ",
                &[
                    ("blocked", &rule.metrics.blocked, th.style(E::ActionBlock)),
                    ("counted", &rule.metrics.counted, th.style(E::ActionCount)),
                ],
                &limits,
                &bands,
                th,
            )
        });
    }

    fn hints(&self, read_only: bool) -> &'static [(&'static str, &'static str)] {
        if read_only {
            &[("toggle_rule", "toggle (read-only)")]
        } else {
            &[("toggle_rule", "toggle rule"), ("rate_limit", "limit")]
        }
    }
}

/// From this width the rules table shows the last half hour and each statement.
const WIDE: u16 = 120;

fn acl_columns<'a>() -> Vec<Column<&'a WebAcl>> {
    let columns: [Column<&'a WebAcl>; _] = [
        col("web ACL", Constraint::Length(15), |w, cx| {
            columns::text(w.name.as_str(), cx)
        }),
        col("scope", Constraint::Length(10), |w, _| {
            Cell::from(w.scope.label())
        }),
        col("default", Constraint::Length(7), |w, cx| {
            Cell::from(action_span(w.default_action, false, cx.th))
        }),
        col("allow/m", Constraint::Length(7), |w, _| {
            num(w.metrics.allowed.last())
        }),
        col("block/m", Constraint::Length(7), |w, _| {
            num(w.metrics.blocked.last())
        }),
        col("count/m", Constraint::Length(7), |w, _| {
            num(w.metrics.counted.last())
        }),
        col("protects", Constraint::Min(10), |w, cx| {
            let protects: Vec<&str> = w.protects.iter().map(|p| p.as_str()).collect();
            columns::text(&protects.join(", "), cx)
        }),
    ];
    columns.into()
}

fn rule_columns<'a>(compare: bool) -> Vec<Column<(&'a WebAcl, &'a Rule)>> {
    let mut columns: Vec<_> = rule_identity_columns().into();
    columns.extend(rule_traffic_columns());
    // `:compare`: blocked a minute then, and how many times that now is.
    if compare {
        let at = columns
            .iter()
            .position(|c| c.heading == "block/m")
            .map_or(columns.len(), |i| i + 1);
        columns.splice(at..at, then_columns());
    }
    columns
}

/// Which rule a row is: its web ACL, priority, name (with its alarm), type and action.
fn rule_identity_columns<'a>() -> [Column<(&'a WebAcl, &'a Rule)>; 5] {
    [
        by(
            col("web ACL", Constraint::Length(15), |(w, _), cx| {
                Cell::from(fit(w.name.as_str(), cx.column))
            }),
            |(w, _), _| SortKey::text(&w.name),
        ),
        by(
            col("#", Constraint::Length(2), |(_, r), _| {
                Cell::from(Line::from(r.priority.to_string()).right_aligned())
            }),
            |(_, r), _| SortKey::num(r.priority as f64),
        ),
        by(
            col("rule", Constraint::Min(16), |(w, r), cx| {
                let on = alarm::on_rule(&cx.data.alarms, w.place, w.name.as_str(), r.name.as_str());
                name_with_alarm(r.name.as_str(), alarm::worst(&on), cx.column, cx.th)
            }),
            |(_, r), _| SortKey::text(&r.name),
        ),
        by(
            col("type", Constraint::Length(10), |(_, r), _| {
                Cell::from(r.kind.label())
            }),
            |(_, r), _| SortKey::text(r.kind.label()),
        ),
        by(
            col("action", Constraint::Length(7), |(_, r), cx| {
                Cell::from(action_span(r.action, r.pending, cx.th))
            }),
            |(_, r), _| SortKey::text(r.action.label()),
        ),
    ]
}

/// What a rule did: blocked and counted a minute, and the last half hour.
fn rule_traffic_columns<'a>() -> [Column<(&'a WebAcl, &'a Rule)>; 4] {
    [
        by(
            col("block/m", Constraint::Length(7), |(w, r), cx| {
                let id = || crate::widgets::jumps::rule_id(w, r);
                cx.jumped(num(r.metrics.blocked.last()), id, "block/m")
            }),
            |(_, r), _| SortKey::num(r.metrics.blocked.last()),
        ),
        by(
            col("count/m", Constraint::Length(7), |(w, r), cx| {
                let id = || crate::widgets::jumps::rule_id(w, r);
                cx.jumped(num(r.metrics.counted.last()), id, "count/m")
            }),
            |(_, r), _| SortKey::num(r.metrics.counted.last()),
        ),
        by(
            col_if(
                Shown::From(WIDE),
                "last 30 min",
                Constraint::Length(30),
                |(_, r), _| {
                    let m = &r.metrics;
                    let n = m.blocked.values.len();
                    let recent: Vec<f64> = (n.saturating_sub(30)..n)
                        .map(|i| {
                            m.blocked.values[i] + m.counted.values.get(i).copied().unwrap_or(0.0)
                        })
                        .collect();
                    Cell::from(format::spark(&recent))
                },
            ),
            |(_, r), _| {
                let m = &r.metrics;
                SortKey::num(m.blocked.recent_sum(30) + m.counted.recent_sum(30))
            },
        ),
        by(
            col_if(
                Shown::From(WIDE),
                "statement",
                Constraint::Min(20),
                |(_, r), cx| Cell::from(fit(&rule_summary(r), cx.column)),
            ),
            |(_, r), _| SortKey::text(rule_summary(r)),
        ),
    ]
}

/// `:compare`'s columns, after block/m.
fn then_columns<'a>() -> [Column<(&'a WebAcl, &'a Rule)>; 2] {
    [
        by(
            col("then/m", Constraint::Length(7), |(_, r), _| {
                columns::then_cell(&r.metrics.blocked)
            }),
            |(_, r), _| columns::then_key(&r.metrics.blocked),
        ),
        by(
            col("×", Constraint::Length(6), |(_, r), cx| {
                columns::times_cell(&r.metrics.blocked, cx)
            }),
            |(_, r), _| columns::times_key(&r.metrics.blocked),
        ),
    ]
}
