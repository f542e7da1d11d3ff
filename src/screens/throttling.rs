//! Throttling: each stage's traffic against its throttle; usage plans and their keys' quotas.

use super::{Context, Loaded, ScreenView, matches};
use crate::model::Panel;
use crate::model::RestApi;
use crate::model::Stage;
use crate::widgets::popup::{chart_below, detail_area, kv, popup};
use crate::widgets::series_chart;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, LineGauge, Row};

use crate::format;
use crate::model::{Snapshot, Throttle, UsagePlan};

use crate::theme::{Element as E, Theme};
use crate::widgets::{gauge_style, num, panel, rate_cell, right, table, table_title, window};

pub fn throttle_label(t: Option<Throttle>) -> String {
    t.map_or("none".into(), |t| {
        format!("{}/s ≤{}", format::count(t.rate_limit), t.burst_limit)
    })
}

/// The stages, filtered: the table's rows.
pub fn stages<'a>(s: &'a Snapshot, filter: &str) -> Vec<(&'a RestApi, &'a Stage)> {
    s.stages()
        .filter(|(a, st)| {
            matches(
                filter,
                &[
                    a.name.as_str(),
                    st.name.as_str(),
                    st.web_acl.as_ref().map_or("", |w| w.as_str()),
                ],
            )
        })
        .collect()
}

/// Throttling: stages, usage plans, quotas.
pub struct Throttling;

impl ScreenView for Throttling {
    fn title(&self) -> &'static str {
        "Throttling"
    }

    fn panels(&self) -> &'static [Panel] {
        &[Panel::Metrics, Panel::Throttling, Panel::UsagePlans]
    }

    fn row_count(&self, data: &Loaded, filter: &str) -> usize {
        stages(&data.snapshot, filter).len()
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
    let filter = cx.filter;
    let stages = stages(d, filter);
    let stage_h = (stages.len() as u16 + 3).min(area.height / 2).max(5);
    let [top, bottom] =
        Layout::vertical([Constraint::Length(stage_h), Constraint::Min(4)]).areas(area);
    let sel = cx.selected;
    let wide = area.width >= 120;
    let win = window(stages.len(), sel, top);
    let rows: Vec<Row> = stages[win.range.clone()]
        .iter()
        .map(|(a, s)| {
            let m = &s.metrics;
            let count = m.count.last();
            let headroom = s.headroom().map_or(right("–"), |h| {
                let style = th.style(if h < 0.2 {
                    E::TextCritical
                } else if h < 0.5 {
                    E::TextWarn
                } else {
                    E::TextOk
                });
                Cell::from(Line::from(format::percent(h)).right_aligned().style(style))
            });
            let mut cells = vec![
                Cell::from(format!("{}/{}", a.name, s.name)),
                num(count),
                rate_cell(m.errors_4xx.last(), count, 0.05, 0.15, th),
                rate_cell(m.errors_5xx.last(), count, 0.01, 0.02, th),
                right(
                    m.latency_ms
                        .latest()
                        .map_or("–".into(), |l| format!("{l:.0}")),
                ),
                num(m.throttled_est.last()),
                Cell::from(match s.applied_throttle() {
                    Some((t, true)) => format!("acct {}", throttle_label(Some(t))),
                    other => throttle_label(other.map(|(t, _)| t)),
                }),
                headroom,
            ];
            if wide {
                cells.insert(7, right(format!("{:.1}", s.peak_rps())));
                cells.push(Cell::from(format::spark(
                    &m.count.values[m.count.values.len().saturating_sub(30)..],
                )));
            }
            Row::new(cells)
        })
        .collect();
    let mut header = vec![
        "stage", "req/min", "4xx", "5xx", "ms", "429/min", "throttle", "headroom",
    ];
    let mut widths = vec![
        Constraint::Min(18),
        Constraint::Length(7),
        Constraint::Length(6),
        Constraint::Length(6),
        Constraint::Length(4),
        Constraint::Length(7),
        Constraint::Length(13),
        Constraint::Length(8),
    ];
    if wide {
        header.insert(7, "peak/s");
        widths.insert(7, Constraint::Length(7));
        header.push("last 30 min");
        widths.push(Constraint::Length(30));
    }
    table(
        f,
        top,
        panel(table_title("Stages", filter, sel, stages.len()), th, true),
        &header,
        &widths,
        rows,
        Some(win.selected),
        th,
    );

    let [plans, keys] = if wide {
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(bottom)
    } else {
        Layout::vertical([
            Constraint::Length((d.usage_plans.len() as u16 + 3).min(bottom.height / 2)),
            Constraint::Min(3),
        ])
        .areas(bottom)
    };
    draw_plans(f, plans, d, th);
    draw_quota_gauges(f, keys, d, th);
}

fn quota_label(p: &UsagePlan) -> String {
    p.quota.map_or("no quota".into(), |q| {
        format!("{}/{}", format::count(q.limit as f64), q.period.label())
    })
}

fn draw_plans(f: &mut Frame, area: Rect, d: &Snapshot, th: &Theme) {
    let rows: Vec<Row> = d
        .usage_plans
        .iter()
        .map(|p| {
            let throttled: f64 = p
                .key_ids
                .iter()
                .filter_map(|k| d.key(k.as_str()))
                .filter_map(|k| k.throttled_per_min)
                .sum();
            Row::new(vec![
                Cell::from(p.name.to_string()),
                Cell::from(throttle_label(p.throttle)),
                Cell::from(quota_label(p)),
                right(p.key_ids.len().to_string()),
                num(throttled),
                Cell::from(
                    p.stages
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            ])
        })
        .collect();
    table(
        f,
        area,
        panel(" Usage plans ", th, false),
        &["plan", "throttle", "quota", "keys", "429/min", "stages"],
        &[
            Constraint::Length(18),
            Constraint::Length(12),
            Constraint::Length(12),
            Constraint::Length(4),
            Constraint::Length(7),
            Constraint::Min(10),
        ],
        rows,
        None,
        th,
    );
}

/// Keys with a quota, fullest first, each as a gauge.
fn draw_quota_gauges(f: &mut Frame, area: Rect, d: &Snapshot, th: &Theme) {
    let block = panel(" Quota used, fullest first ", th, false);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let mut keys: Vec<_> = d
        .api_keys
        .iter()
        .filter(|k| k.enabled)
        .filter_map(|k| Some((k, k.quota_used()?)))
        .collect();
    keys.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (i, (k, q)) in keys.iter().take(inner.height as usize).enumerate() {
        let row = Rect {
            y: inner.y + i as u16,
            height: 1,
            ..inner
        };
        let [name, gauge] =
            Layout::horizontal([Constraint::Length(18), Constraint::Min(10)]).areas(row);
        let throttled = if k.throttled_per_min.unwrap_or(0.0) > 0.0 {
            E::TextWarn
        } else {
            E::TableRow
        };
        f.render_widget(
            Line::from(Span::styled(k.name.to_string(), th.style(throttled))),
            name,
        );
        let period = k
            .plan_ids
            .first()
            .and_then(|p| d.plan(p.as_str()))
            .and_then(|p| p.quota)
            .map_or("", |q| q.period.label());
        f.render_widget(
            LineGauge::default()
                .ratio(q.clamp(0.0, 1.0))
                .label(format!("{:>6} of {period}", format::percent(*q)))
                .filled_style(gauge_style(*q, th))
                .unfilled_style(th.style(E::TextDim)),
            gauge,
        );
    }
}

/// The detail popup of the selected row.
pub(super) fn detail(f: &mut Frame, area: Rect, cx: &Context, th: &Theme) {
    let (d, filter, sel) = (cx.data, cx.filter, cx.selected);
    let r = detail_area(area);
    let Some((api, st)) = stages(d, filter).get(sel).copied() else {
        return;
    };
    let inner = popup(f, r, format!(" {}/{} — Esc closes ", api.name, st.name), th);
    let mut lines = vec![
        kv("API id", api.id.to_string(), th),
        kv("throttle", throttle_label(st.throttle), th),
        kv(
            "web ACL",
            st.web_acl.as_ref().map_or("none".into(), |w| w.to_string()),
            th,
        ),
    ];
    for (m, t) in &st.method_throttles {
        lines.push(kv(
            "method",
            format!("{m}: {}", throttle_label(Some(*t))),
            th,
        ));
    }
    let name = format!("{}/{}", api.name, st.name);
    let plans: Vec<String> = d
        .usage_plans
        .iter()
        .filter(|p| p.stages.iter().any(|x| x.as_str() == name))
        .map(|p| p.name.to_string())
        .collect();
    lines.push(kv(
        "usage plans",
        if plans.is_empty() {
            "none".into()
        } else {
            plans.join(", ")
        },
        th,
    ));
    chart_below(f, inner, lines, th, |f, a| {
        let m = &st.metrics;
        series_chart(
            f,
            a,
            " per minute ",
            &[
                ("requests", &m.count, th.style(E::ChartRequests)),
                ("4xx", &m.errors_4xx, th.style(E::Chart4xx)),
                ("5xx", &m.errors_5xx, th.style(E::Chart5xx)),
                ("429 est.", &m.throttled_est, th.style(E::ChartThrottled)),
            ],
            th,
        )
    });
}
