//! Popups over the screen: help, row details, the confirmation of a change, a new secret.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use crate::app::keymap::{BINDINGS, COMMANDS};
use crate::app::{App, Button, Confirm, Reveal, Screen, rows};
use crate::format;
use crate::geo;
use crate::model::{Action, RuleKind, Snapshot};

use super::keys::{plan_names, sent_by};
use super::theme::{Element as E, Theme};
use super::throttling::throttle_label;
use super::waf::rule_summary;
use super::widgets::{panel, series_chart};

/// A rectangle of at most `w`×`h` in the middle of `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// A popup of wrapped `lines` with `footer` pinned to its bottom: on a short terminal the text
/// is cut, never the buttons or keys of the footer.
#[allow(clippy::too_many_arguments)]
pub fn popup_with_footer(
    f: &mut Frame,
    area: Rect,
    title: String,
    lines: Vec<Line<'static>>,
    footer: Vec<Line<'static>>,
    width: u16,
    th: &Theme,
) {
    let w = width.min(area.width);
    let text = Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .style(th.style(E::Dialog));
    let text_rows = text.line_count(w.saturating_sub(2)) as u16;
    let foot = Paragraph::new(footer)
        .wrap(Wrap { trim: false })
        .style(th.style(E::Dialog));
    let foot_rows = foot.line_count(w.saturating_sub(2)) as u16;
    let r = centered(area, w, text_rows + foot_rows + 2);
    let inner = popup(f, r, title, th);
    let [body, bottom] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(foot_rows)]).areas(inner);
    f.render_widget(text, body);
    f.render_widget(foot, bottom);
}

pub fn popup(f: &mut Frame, area: Rect, title: String, th: &Theme) -> Rect {
    f.render_widget(Clear, area);
    let block =
        panel(Line::styled(title, th.style(E::DialogTitle)), th, true).style(th.style(E::Dialog));
    let inner = block.inner(area);
    f.render_widget(block, area);
    inner
}

pub fn help(f: &mut Frame, area: Rect, scroll: usize, th: &Theme) {
    let mut lines: Vec<Line> = Vec::new();
    for b in BINDINGS {
        let keys = b
            .keys
            .iter()
            .map(|k| k.label())
            .collect::<Vec<_>>()
            .join(" ");
        lines.push(Line::from(vec![
            Span::styled(format!("{keys:>14}  "), th.style(E::Key)),
            Span::raw(b.help),
        ]));
    }
    lines.push(Line::raw(""));
    for (c, h) in COMMANDS {
        lines.push(Line::from(vec![
            Span::styled(format!("{c:>14}  "), th.style(E::Key)),
            Span::raw(*h),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "In a dialog: Tab/←/→ move, Enter choose, Esc cancel.",
        th.style(E::TextDim),
    ));
    lines.push(Line::styled(
        "In a key's detail: v reveals its value.",
        th.style(E::TextDim),
    ));
    debug_assert_eq!(lines.len(), crate::app::help_lines());
    let total = lines.len();
    let r = centered(area, 78, total as u16 + 2);
    let shown = r.height.saturating_sub(2) as usize;
    let first = scroll.min(total.saturating_sub(shown));
    let title = if shown < total {
        format!(
            " Keys {}–{} of {total} — j/k scroll, Esc closes ",
            first + 1,
            (first + shown).min(total)
        )
    } else {
        " Keys — Esc closes ".into()
    };
    let inner = popup(f, r, title, th);
    f.render_widget(
        Paragraph::new(lines)
            .style(th.style(E::Dialog))
            .scroll((first as u16, 0)),
        inner,
    );
}

pub fn confirm(f: &mut Frame, area: Rect, c: &Confirm, app: &App, th: &Theme) {
    let read_only = app.read_only;
    let mut lines = vec![
        Line::styled(c.plan.title.clone(), th.style(E::Danger)),
        Line::raw(""),
    ];
    lines.extend(c.plan.effect.iter().map(|e| Line::raw(e.clone())));
    lines.push(Line::raw(""));
    lines.push(Line::styled("Steps:", th.style(E::TableHeader)));
    for (i, s) in c.plan.steps.iter().enumerate() {
        lines.push(Line::raw(format!("{}. {}", i + 1, s.what)));
        lines.push(Line::styled(format!("   {}", s.call), th.style(E::TextDim)));
    }
    let mut footer = vec![Line::raw("")];
    if read_only {
        footer.push(Line::styled(
            "read-only mode: this cannot run",
            th.style(E::Error),
        ));
    }
    let button = |b: Button, label: &str| {
        let style = if c.focus == b {
            th.style(E::ButtonFocus)
        } else {
            th.style(E::Button)
        };
        Span::styled(format!("  {label}  "), style)
    };
    footer.push(
        Line::from(vec![
            button(Button::Cancel, "Cancel"),
            Span::raw("   "),
            button(
                Button::Confirm,
                if app.dry_run {
                    "Print plan & exit (dry run)"
                } else {
                    "Confirm"
                },
            ),
        ])
        .centered(),
    );
    popup_with_footer(f, area, " Confirm a change ".into(), lines, footer, 84, th);
}

pub fn reveal(f: &mut Frame, area: Rect, r: &Reveal, th: &Theme) {
    let value = if r.revealed {
        r.secret.reveal().to_string()
    } else {
        r.secret.masked()
    };
    let lines = vec![
        Line::raw("The new key's value is shown here once, and never logged."),
        Line::raw(""),
        Line::from(vec![
            Span::styled("value  ", th.style(E::HeaderLabel)),
            Span::styled(value, th.style(E::HeaderValue)),
        ]),
        Line::raw(""),
        Line::styled("v reveal/hide · Enter or Esc close", th.style(E::TextDim)),
    ];
    let rect = centered(area, 70, lines.len() as u16 + 2);
    let inner = popup(f, rect, format!(" {} ", r.title), th);
    f.render_widget(Paragraph::new(lines).style(th.style(E::Dialog)), inner);
}

fn kv<'a>(k: &str, v: impl Into<String>, th: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{k:>12}  "), th.style(E::HeaderLabel)),
        Span::raw(v.into()),
    ])
}

/// Details of the selected row of the screen in view.
pub fn detail(f: &mut Frame, area: Rect, app: &App, d: &Snapshot, th: &Theme) {
    let s = app.screen;
    let filter = &app.view(s).filter;
    let sel = app.selected(s);
    let r = centered(
        area,
        area.width.saturating_sub(8).min(110),
        area.height.saturating_sub(4),
    );
    match s {
        Screen::Overview => {}
        Screen::Throttling => {
            let Some((api, st)) = rows::stages(d, filter).get(sel).copied() else {
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
        Screen::Waf => {
            let Some((w, rule)) = rows::rules(d, filter).get(sel).copied() else {
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
        Screen::Origins => {
            let Some(x) = rows::samples(d, filter).get(sel).copied() else {
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
                        geo::name(x.country.as_str())
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
        Screen::Geo => {
            let Some(c) = rows::countries(d, filter).get(sel).cloned() else {
                return;
            };
            let inner = popup(f, r, format!(" {} {} — Esc closes ", c.code, c.name), th);
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
                    "last hour",
                    format!(
                        "{} blocked, {} counted",
                        format::count(c.blocked_hour),
                        format::count(c.counted_hour)
                    ),
                    th,
                ),
            ];
            for (n, a) in &c.rules {
                lines.push(kv("geo rule", format!("{n} ({})", a.label()), th));
            }
            let per_acl: Vec<_> = d
                .web_acls
                .iter()
                .filter_map(|w| {
                    w.countries
                        .iter()
                        .find(|x| x.country == c.code)
                        .map(|x| (w, x))
                })
                .collect();
            for (w, x) in &per_acl {
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
        Screen::Keys => {
            let Some(k) = rows::keys(d, filter).get(sel).copied() else {
                return;
            };
            let inner = popup(f, r, format!(" API key {} — Esc closes ", k.name), th);
            let mut lines = vec![
                kv("id", k.id.to_string(), th),
                kv(
                    "value",
                    match app
                        .key_value
                        .as_ref()
                        .filter(|v| v.key_id == k.id.as_str())
                        .map(|v| &v.value)
                    {
                        Some(Some(Ok(s))) => s.reveal().to_string(),
                        Some(Some(Err(e))) => format!("cannot read it: {e}"),
                        Some(None) => "reading…".to_string(),
                        None if app.read_only => k.value_hint.to_string(),
                        None => format!("{}  (v reveals)", k.value_hint),
                    },
                    th,
                ),
                kv("state", if k.enabled { "enabled" } else { "disabled" }, th),
                kv(
                    "created",
                    k.created.format("%Y-%m-%d %H:%M UTC").to_string(),
                    th,
                ),
                kv("plans", plan_names(d, k), th),
                kv(
                    "now",
                    format!(
                        "{}/min, {} throttled/min",
                        k.requests_per_min.map_or("–".into(), format::count),
                        k.throttled_per_min.map_or("–".into(), format::count)
                    ),
                    th,
                ),
                kv("today", format::count(k.used_today as f64), th),
            ];
            if let Some(q) = k.quota_used() {
                lines.push(kv(
                    "quota",
                    format!(
                        "{} used, {} left ({})",
                        format::count(k.used_period as f64),
                        format::count(k.remaining.unwrap_or(0) as f64),
                        format::percent(q)
                    ),
                    th,
                ));
            }
            let sent = sent_by(d, k);
            lines.push(kv(
                "sent by",
                if sent.is_empty() {
                    "no CloudFront distribution".into()
                } else {
                    sent
                },
                th,
            ));
            f.render_widget(Paragraph::new(lines).style(th.style(E::Dialog)), inner);
        }
    }
}

/// Facts at the top, a chart in the rest when there is room.
fn chart_below(
    f: &mut Frame,
    inner: Rect,
    lines: Vec<Line>,
    th: &Theme,
    chart: impl FnOnce(&mut Frame, Rect),
) {
    let h = lines.len() as u16;
    let [top, rest] = Layout::vertical([Constraint::Length(h), Constraint::Min(0)]).areas(inner);
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .style(th.style(E::Dialog)),
        top,
    );
    if rest.height >= 6 {
        chart(f, rest);
    }
}
