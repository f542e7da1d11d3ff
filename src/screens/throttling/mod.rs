//! Throttling: each stage's traffic against its throttle; usage plans and their keys' quotas.

mod plans;

use super::{Context, Listed, Loaded, Rows, ScreenView, Sort, TableRows, ViewState, matches_in};
use crate::model::Panel;
use crate::model::RestApi;
use crate::model::Stage;
use crate::model::alarm;
use crate::widgets::name_with_alarm;
use crate::widgets::popup::{chart_below, detail_area, kv, popup};
use crate::widgets::{alarm_bands, alarm_limits, series_chart_with_limits};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, LineGauge};

use crate::model::format;
use crate::model::{Snapshot, Throttle, UsagePlan};

use crate::theme::{Element as E, Theme};
use crate::widgets::columns::{self, Cells, Column, Shown, SortKey, by, col, col_if, fit, kept};
use crate::widgets::{gauge_style, num, panel, rate_cell, right, table_title, window};
use plans::*;

pub fn throttle_label(t: Option<Throttle>) -> String {
    t.map_or("none".into(), |t| match t.refuses_all() {
        true => "0: refuses all".into(),
        false => format!("{}/s ≤{}", format::count(t.rate_limit), t.burst_limit),
    })
}

/// The stages, filtered: the table's rows.
pub fn stages<'a>(s: &'a Snapshot, filter: &str) -> Vec<(&'a RestApi, &'a Stage)> {
    s.all_stages()
        .filter(|(a, st)| {
            matches_in(
                s,
                a.place,
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

/// The stages table's rows: filtered, in the sort asked for.
pub fn listed<'a>(
    s: &'a Snapshot,
    filter: &str,
    sort: Option<Sort>,
) -> Listed<(&'a RestApi, &'a Stage)> {
    Listed::new(
        stages(s, filter),
        columns::placed(stage_columns(s.range, s.compare.is_some())),
        sort,
        s,
    )
}

/// Throttling: stages, usage plans, quotas.
pub struct Throttling;

impl ScreenView for Throttling {
    fn title(&self) -> &'static str {
        "Throttling"
    }

    fn about(&self) -> &'static str {
        "Throttling: stages, usage plans, quotas"
    }

    fn panels(&self) -> &'static [Panel] {
        &[Panel::Metrics, Panel::Throttling, Panel::UsagePlans]
    }

    fn rows_are_placed(&self) -> bool {
        true
    }

    fn row_places(&self, data: &Loaded, view: &ViewState) -> Vec<crate::model::Place> {
        listed(&data.snapshot, &view.filter, view.sort)
            .rows
            .iter()
            .map(|(a, _)| a.place)
            .collect()
    }

    fn rows<'a>(&self, data: &'a Loaded, view: &ViewState) -> Option<Box<dyn TableRows + 'a>> {
        let d = &data.snapshot;
        Some(Box::new(Rows {
            listed: listed(d, &view.filter, view.sort),
            data: d,
            id: |(a, s)| format!("{}/{}", a.name, s.name),
            copy: |(a, s)| format!("{}/{}", a.name, s.name),
            url: |(a, _), d| {
                let http = a.protocol == crate::model::Protocol::Http;
                crate::model::console::stage(d, a.place, a.id.as_str(), http)
            },
        }))
    }

    fn row_count(&self, data: &Loaded, filter: &str) -> usize {
        stages(&data.snapshot, filter).len()
    }

    fn draw(&self, f: &mut Frame, area: Rect, cx: &Context, th: &Theme) {
        let d = cx.data;
        let filter = cx.filter;
        let listed = listed(d, filter, cx.sort);
        let stages = &listed.rows;
        let stage_h = (stages.len() as u16 + 3).min(area.height / 2).max(5);
        let [top, bottom] =
            Layout::vertical([Constraint::Length(stage_h), Constraint::Min(4)]).areas(area);
        let sel = cx.selected;
        let wide = area.width >= WIDE;
        let win = window(stages.len(), sel, top);
        let cells = Cells::new(d, th, area.width);
        columns::draw(
            f,
            top,
            panel(
                table_title(
                    "Stages · 429/min counted in access logs, ~ estimated",
                    filter,
                    sel,
                    stages.len(),
                ),
                th,
                true,
            ),
            &listed.columns,
            &stages[win.range.clone()],
            Some(win.selected),
            &cx.table_cells(cells, win.range.start),
        );

        let [plans, keys] = if wide {
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(bottom)
        } else {
            Layout::vertical([
                Constraint::Length((d.usage_plans.len() as u16 + 3).min(bottom.height / 2)),
                Constraint::Min(3),
            ])
            .areas(bottom)
        };
        // Only the rows that fit (the panel does not scroll), each key looked at once.
        let shown: Vec<PlanRow> = plan_rows(d, plans.height.saturating_sub(3) as usize);
        columns::draw(
            f,
            plans,
            panel(" Usage plans ", th, false),
            &columns::placed(plan_columns()),
            &shown,
            None,
            &cells,
        );
        draw_quota_gauges(f, keys, d, th);
    }

    fn detail(&self, f: &mut Frame, area: Rect, cx: &Context, th: &Theme) {
        let (d, filter, sel) = (cx.data, cx.filter, cx.selected);
        let r = detail_area(area);
        let Some((api, st)) = listed(d, filter, cx.sort).rows.get(sel).copied() else {
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
        let on = alarm::on_stage(&d.alarms, api.place, api.name.as_str(), st.name.as_str());
        lines.extend(
            alarm::described(&on)
                .into_iter()
                .map(|a| kv("alarm", a, th)),
        );
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
        lines.push(kv("429s", stage_refusals(d, &name, st), th));
        lines.push(kv(
            "usage plans",
            if plans.is_empty() {
                "none".into()
            } else {
                plans.join(", ")
            },
            th,
        ));
        // The thresholds of the alarms on what is drawn: REST APIs' names, then HTTP APIs'.
        const DRAWN: [&str; 5] = ["Count", "4XXError", "5XXError", "4xx", "5xx"];
        let limits: Vec<_> = DRAWN
            .into_iter()
            .flat_map(|metric| alarm_limits(&on, metric, th))
            .collect();
        let bands: Vec<_> = DRAWN
            .into_iter()
            .flat_map(|metric| alarm_bands(&on, metric, th))
            .collect();
        chart_below(f, inner, lines, th, |f, a| {
            let m = &st.metrics;
            series_chart_with_limits(
                f,
                a,
                " per minute ",
                &[
                    ("requests", &m.count, th.style(E::ChartRequests)),
                    ("4xx", &m.errors_4xx, th.style(E::Chart4xx)),
                    ("5xx", &m.errors_5xx, th.style(E::Chart5xx)),
                    ("429 est.", &m.throttled_est, th.style(E::ChartThrottled)),
                ],
                &limits,
                &bands,
                th,
            )
        });
    }
}

/// Where a stage's 429s come from, in words: its access log's count, or why there is none.
fn stage_refusals(d: &Snapshot, name: &str, st: &Stage) -> String {
    use crate::model::logs::LogState;
    let log = d.logs.as_ref().and_then(|l| l.access_log_of(name));
    match (st.refused.as_ref(), log) {
        (Some(r), Some(src)) => format!(
            "{} (access log {}, {})",
            crate::screens::api_keys::refusals_label(Some(r)),
            src.destination,
            src.state.brief()
        ),
        (_, Some(src)) => match &src.state {
            LogState::Lacking { variables } => format!(
                "estimated from 4XXError; to count them, add {} to the access log format",
                variables
                    .iter()
                    .map(|v| v.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            other => format!(
                "estimated from 4XXError; access log {}: {}",
                src.destination,
                other.brief()
            ),
        },
        _ if d.logs.is_none() => "estimated from 4XXError (logs not queried: --no-logs)".into(),
        _ => "estimated from 4XXError: no access log".into(),
    }
}

/// From this width the stages table shows the peak rate and the last half hour, and the plans
/// sit beside the quota gauges.
const WIDE: u16 = 120;

fn stage_columns<'a>(
    range: crate::model::Range,
    compare: bool,
) -> Vec<Column<(&'a RestApi, &'a Stage)>> {
    let mut columns: Vec<_> = traffic_columns().into();
    columns.extend(limit_columns(range));
    // `:compare`: requests a minute then, and how many times that now is.
    if compare {
        columns.splice(2..2, then_columns());
    }
    columns
}

/// A stage's traffic: its name (with its alarm), requests, 4xx, 5xx, latency.
fn traffic_columns<'a>() -> [Column<(&'a RestApi, &'a Stage)>; 5] {
    [
        by(
            col("stage", Constraint::Min(18), |(a, s), cx| {
                let on =
                    alarm::on_stage(&cx.data.alarms, a.place, a.name.as_str(), s.name.as_str());
                let name = format!("{}/{}", a.name, s.name);
                name_with_alarm(&name, alarm::worst(&on), cx.column, cx.th)
            }),
            |(a, s), _| SortKey::Text(format!("{}/{}", a.name, s.name)),
        ),
        kept(by(
            col("req/min", Constraint::Length(7), |(a, s), cx| {
                let id = || crate::widgets::jumps::stage_id(a, s);
                cx.jumped(num(s.metrics.count.last()), id, "req/min")
            }),
            |(_, s), _| SortKey::num(s.metrics.count.last()),
        )),
        by(
            col("4xx", Constraint::Length(6), |(_, s), cx| {
                let m = &s.metrics;
                rate_cell(m.errors_4xx.last(), m.count.last(), 0.05, 0.15, cx.th)
            }),
            |(_, s), _| rate_key(s.metrics.errors_4xx.last(), s.metrics.count.last()),
        ),
        by(
            col("5xx", Constraint::Length(6), |(_, s), cx| {
                let m = &s.metrics;
                rate_cell(m.errors_5xx.last(), m.count.last(), 0.01, 0.02, cx.th)
            }),
            |(_, s), _| rate_key(s.metrics.errors_5xx.last(), s.metrics.count.last()),
        ),
        by(
            col("ms", Constraint::Length(4), |(_, s), _| {
                let latency = s.metrics.latency_ms.latest();
                right(latency.map_or("–".into(), |l| format!("{l:.0}")))
            }),
            |(_, s), _| SortKey::maybe(s.metrics.latency_ms.latest()),
        ),
    ]
}

/// A stage against its limits: 429s, its throttle, the peak in the range, the headroom left,
/// the last 30 minutes.
fn limit_columns<'a>(range: crate::model::Range) -> [Column<(&'a RestApi, &'a Stage)>; 5] {
    let (peak, headroom) = range.peak_headings();
    [
        kept(by(
            col("429/min", Constraint::Length(7), |(a, s), cx| {
                let id = || crate::widgets::jumps::stage_id(a, s);
                cx.jumped(refused_cell(s, cx), id, "429/min")
            }),
            |(_, s), _| SortKey::num(s.refused_per_min().0),
        )),
        kept(by(
            col("throttle", Constraint::Length(13), |(_, s), cx| {
                Cell::from(fit(
                    &match s.applied_throttle() {
                        Some((t, true)) => format!("acct {}", throttle_label(Some(t))),
                        other => throttle_label(other.map(|(t, _)| t)),
                    },
                    cx.column,
                ))
            }),
            |(_, s), _| SortKey::maybe(s.applied_throttle().map(|(t, _)| t.rate_limit)),
        )),
        by(
            col_if(
                Shown::From(WIDE),
                peak,
                Constraint::Length(7),
                |(_, s), _| right(format!("{:.1}", s.peak_rps())),
            ),
            |(_, s), _| SortKey::num(s.peak_rps()),
        ),
        kept(by(
            col(headroom, Constraint::Length(8), |(_, s), cx| {
                s.headroom().map_or(right("–"), |h| {
                    let style = cx.th.style(if h < 0.2 {
                        E::TextCritical
                    } else if h < 0.5 {
                        E::TextWarn
                    } else {
                        E::TextOk
                    });
                    Cell::from(Line::from(format::percent(h)).right_aligned().style(style))
                })
            }),
            |(_, s), _| SortKey::maybe(s.headroom()),
        )),
        by(
            col_if(
                Shown::From(WIDE),
                range.last_30_heading(),
                Constraint::Length(30),
                |(_, s), _| {
                    let v = &s.metrics.count.values;
                    Cell::from(format::spark(&v[v.len().saturating_sub(30)..]))
                },
            ),
            |(_, s), _| SortKey::num(s.metrics.count.recent_sum(30)),
        ),
    ]
}

/// `:compare`'s columns, after the name and requests.
fn then_columns<'a>() -> [Column<(&'a RestApi, &'a Stage)>; 2] {
    [
        by(
            col("then/m", Constraint::Length(7), |(_, s), _| {
                columns::then_cell(&s.metrics.count)
            }),
            |(_, s), _| columns::then_key(&s.metrics.count),
        ),
        by(
            col("×", Constraint::Length(6), |(_, s), cx| {
                columns::times_cell(&s.metrics.count, cx)
            }),
            |(_, s), _| columns::times_key(&s.metrics.count),
        ),
    ]
}

/// A stage's 429s a minute: counted in its access log, or an estimate (dim, `~`) from its
/// 4XXError.
/// What [`rate_cell`] shows, to sort by: the share, or nothing without requests.
fn rate_key(part: f64, whole: f64) -> SortKey {
    SortKey::maybe((whole > 0.0).then(|| part / whole))
}

fn refused_cell(s: &Stage, cx: &Cells) -> Cell<'static> {
    // Counted in its access log, or an estimate (dim) from its 4XXError.
    let (n, counted) = s.refused_per_min();
    if counted {
        num(n)
    } else {
        Cell::from(
            Line::from(format!("~{}", format::count(n)))
                .right_aligned()
                .style(cx.th.style(E::TextDim)),
        )
    }
}
