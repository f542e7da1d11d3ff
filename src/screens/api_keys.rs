//! Keys: API keys, their plans, state, usage, and which distributions send them.

use super::{Context, Listed, Loaded, Rows, ScreenView, Sort, TableRows, ViewState, matches_in};
use crate::model::Panel;
use crate::widgets::popup::{detail_area, kv, popup};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Gauge, Paragraph};

use crate::model::format;
use crate::model::logs::{LogKind, Refusals};
use crate::model::{ApiKey, Secret, Snapshot};
use crate::widgets::jumps::key_id;

use crate::theme::{Element as E, Theme};
use crate::widgets::columns::{self, Cells, Column, Shown, SortKey, by, col, col_if, fit};
use crate::widgets::{gauge_style, num, panel, quota_cell, right, table_title, window};

/// The value's last characters behind dots; a recording keeps no part of a value, so a replay
/// says so.
fn value_hint(k: &crate::model::ApiKey) -> &str {
    match k.value_hint.as_str() {
        "" => "(not recorded)",
        hint => hint,
    }
}

/// The keys' title: where their 429s come from, when from access logs.
fn keys_title(d: &Snapshot) -> String {
    let read = d
        .logs
        .as_ref()
        .and_then(|l| l.read(LogKind::Access).map(|(_, w)| w).max_by_key(|w| w.to));
    match read {
        Some(w) => format!(
            "API keys · 429/m from access logs {}–{}",
            w.from.format("%H:%M"),
            w.to.format("%H:%M")
        ),
        None => "API keys".into(),
    }
}

/// 429s counted in logs, in words: "37 throttled, 4 over quota, 3 other in 5 min".
pub fn refusals_label(r: Option<&Refusals>) -> String {
    let Some(r) = r else {
        return "not in any access log read".into();
    };
    let mut parts = vec![format!("{} throttled", r.throttled)];
    if r.quota > 0 {
        parts.push(format!("{} over quota", r.quota));
    }
    if r.other > 0 {
        parts.push(format!("{} other", r.other));
    }
    format!("{} in {:.0} min", parts.join(", "), r.minutes)
}

pub fn plan_names(d: &Snapshot, k: &ApiKey) -> String {
    k.plan_ids
        .iter()
        .map(|p| {
            d.plan(p.as_str())
                .map_or(p.to_string(), |p| p.name.to_string())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn sent_by(d: &Snapshot, k: &ApiKey) -> String {
    d.distributions_sending(k.id.as_str())
        .map(|x| x.id.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// An API key's value in the key detail: asked for, then read (or not).
#[derive(Clone, Debug)]
pub struct KeyValue {
    pub key_id: String,
    /// None while it is being read.
    pub value: Option<Result<Secret, String>>,
}

/// The API keys, filtered: the table's rows.
/// This runs on every frame and key press, over up to 10,000 keys: nothing is looked up
/// without a filter, and plans by a map rather than a search each.
pub fn keys<'a>(s: &'a Snapshot, filter: &str) -> Vec<&'a ApiKey> {
    if filter.trim().is_empty() {
        return s.api_keys.iter().collect();
    }
    let plan_names: std::collections::HashMap<&str, &str> = s
        .usage_plans
        .iter()
        .map(|p| (p.id.as_str(), p.name.as_str()))
        .collect();
    s.api_keys
        .iter()
        .filter(|k| {
            let plans: Vec<&str> = k
                .plan_ids
                .iter()
                .filter_map(|p| plan_names.get(p.as_str()).copied())
                .collect();
            let state = if k.enabled { "enabled" } else { "disabled" };
            matches_in(
                s,
                k.place,
                filter,
                &[k.name.as_str(), k.id.as_str(), state, &plans.join(" ")],
            )
        })
        .collect()
}

/// The keys table's rows: filtered, in the sort asked for.
pub fn listed<'a>(s: &'a Snapshot, filter: &str, sort: Option<Sort>) -> Listed<&'a ApiKey> {
    Listed::new(keys(s, filter), columns::placed(key_columns()), sort, s)
}

/// The keys as the Keys screen lists them: after its filter, in its sort.
pub fn in_view<'a>(s: &'a Snapshot, view: &ViewState) -> Vec<&'a ApiKey> {
    listed(s, &view.filter, view.sort).rows
}

/// Keys: API keys, plans, usage.
pub struct Keys;

impl ScreenView for Keys {
    fn title(&self) -> &'static str {
        "Keys"
    }

    fn about(&self) -> &'static str {
        "Keys: API keys, plans, usage"
    }

    fn panels(&self) -> &'static [Panel] {
        &[Panel::Keys, Panel::UsagePlans, Panel::Distributions]
    }

    fn rows_are_placed(&self) -> bool {
        true
    }

    fn row_places(&self, data: &Loaded, view: &ViewState) -> Vec<crate::model::Place> {
        in_view(&data.snapshot, view)
            .iter()
            .map(|k| k.place)
            .collect()
    }

    fn rows<'a>(&self, data: &'a Loaded, view: &ViewState) -> Option<Box<dyn TableRows + 'a>> {
        let d = &data.snapshot;
        Some(Box::new(Rows {
            listed: listed(d, &view.filter, view.sort),
            data: d,
            id: |k| k.id.to_string(),
            copy: |k| k.id.to_string(),
            url: |k, d| crate::model::console::api_key(d, k.place, k.id.as_str()),
        }))
    }

    fn row_count(&self, data: &Loaded, filter: &str) -> usize {
        keys(&data.snapshot, filter).len()
    }

    fn draw(&self, f: &mut Frame, area: Rect, cx: &Context, th: &Theme) {
        let d = cx.data;
        let filter = cx.filter;
        let listed = listed(d, filter, cx.sort);
        let keys = &listed.rows;
        let sel = cx.selected;
        let [list, detail] =
            Layout::vertical([Constraint::Min(5), Constraint::Length(4)]).areas(area);
        let win = window(keys.len(), sel, list);
        columns::draw(
            f,
            list,
            panel(
                table_title(&keys_title(d), filter, sel, keys.len()),
                th,
                true,
            ),
            &listed.columns,
            &keys[win.range.clone()],
            Some(win.selected),
            &cx.table_cells(Cells::new(d, th, area.width), win.range.start),
        );

        let Some(k) = keys.get(sel) else { return };
        let block = panel(format!(" {} ", k.name), th, false);
        let inner = block.inner(detail);
        f.render_widget(block, detail);
        let [info, gauge] =
            Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(inner);
        let dists = sent_by(d, k);
        let label = th.style(E::HeaderLabel);
        let mut spans = vec![
            Span::styled("value ", label),
            Span::raw(value_hint(k)),
            Span::styled("  created ", label),
            Span::raw(k.created.format("%Y-%m-%d").to_string()),
        ];
        if !dists.is_empty() {
            spans.push(Span::styled("  sent by ", label));
            spans.push(Span::raw(dists));
        }
        // Said only when it is not this poll's: a large account reads usage in rotation.
        if k.usage_read
            .is_none_or(|t| (d.taken_at - t).num_seconds() >= 60)
        {
            spans.push(Span::styled("  usage read ", label));
            spans.push(Span::raw(format::read_age(k.usage_read, d.taken_at)));
        }
        f.render_widget(Paragraph::new(Line::from(spans)), info);
        if let (Some(q), Some((used, limit))) = (k.quota_used(), k.quota_figures()) {
            f.render_widget(
                Gauge::default()
                    .ratio(q.clamp(0.0, 1.0))
                    .label(format!(
                        "{} of {} this period",
                        format::count(used as f64),
                        format::count(limit as f64)
                    ))
                    .gauge_style(gauge_style(q, th)),
                gauge,
            );
        } else {
            f.render_widget(
                Line::styled("no quota on its plan", th.style(E::TextDim)),
                gauge,
            );
        }
    }

    fn detail(&self, f: &mut Frame, area: Rect, cx: &Context, th: &Theme) {
        let (d, filter, sel) = (cx.data, cx.filter, cx.selected);
        let r = detail_area(area);
        let Some(k) = listed(d, filter, cx.sort).rows.get(sel).copied() else {
            return;
        };
        let inner = popup(f, r, format!(" API key {} — Esc closes ", k.name), th);
        let mut lines = vec![
            kv("id", k.id.to_string(), th),
            kv(
                "value",
                match cx
                    .key_value
                    .filter(|v| v.key_id == k.id.as_str())
                    .map(|v| &v.value)
                {
                    Some(Some(Ok(s))) => s.reveal().to_string(),
                    Some(Some(Err(e))) => format!("cannot read it: {e}"),
                    Some(None) => "reading…".to_string(),
                    None if cx.read_only => value_hint(k).to_string(),
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
                    k.refused_per_min().map_or("–".into(), format::count)
                ),
                th,
            ),
            kv("today", format::count(k.used_today as f64), th),
            kv("429s (logs)", refusals_label(k.refused.as_ref()), th),
            kv("usage read", format::read_age(k.usage_read, d.taken_at), th),
        ];
        if let (Some(q), Some((used, limit))) = (k.quota_used(), k.quota_figures()) {
            lines.push(kv(
                "quota",
                format!(
                    "{} used of {}, {} left ({})",
                    format::count(used as f64),
                    format::count(limit as f64),
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

    fn hints(&self, read_only: bool) -> &'static [(&'static str, &'static str)] {
        if read_only {
            &[("rotate_key", "rotate (read-only)")]
        } else {
            &[("rotate_key", "rotate key"), ("disable_key", "disable")]
        }
    }
}

fn usage_cell(k: &ApiKey, width: usize, th: &Theme) -> Cell<'static> {
    match k.usage_read {
        Some(_) => quota_cell(k.quota_used(), width, th),
        None => Cell::from(Span::styled("not read yet", th.style(E::TextDim))),
    }
}

/// The quota used, a bar and a share, `width` wide (the bar takes what the share leaves).
fn quota_column<'a>(shown: Shown, width: u16) -> Column<&'a ApiKey> {
    by(
        col_if(shown, "quota used", Constraint::Length(width), |k, cx| {
            let bar = cx.column.saturating_sub(7) as usize;
            cx.jumped(usage_cell(k, bar, cx.th), || key_id(k), "quota used")
        }),
        quota_key,
    )
}

/// A key's share of its quota used, when its usage is read.
fn quota_key(k: &&ApiKey, _: &Snapshot) -> SortKey {
    SortKey::maybe(k.usage_read.and(k.quota_used()))
}

/// Enabled or disabled; switched by edgetop and not read back yet, pending.
fn state_cell(k: &&ApiKey, cx: &Cells) -> Cell<'static> {
    Cell::from(match (k.enabled, k.pending) {
        (true, true) => Span::styled("enabling…", cx.th.style(E::Pending)),
        (false, true) => Span::styled("disabling…", cx.th.style(E::Pending)),
        (true, false) => Span::styled("enabled", cx.th.style(E::TextOk)),
        (false, false) => Span::styled("disabled", cx.th.style(E::TextDim)),
    })
}

/// The key's 429s a minute, marked when there are any.
fn refused_cell(k: &&ApiKey, cx: &Cells) -> Cell<'static> {
    match k.refused_per_min() {
        None => right("–"),
        Some(t) if t > 0.0 => Cell::from(
            Line::from(format::count(t))
                .right_aligned()
                .style(cx.th.style(E::TextWarn)),
        ),
        Some(t) => num(t),
    }
}

/// From this width the table shows the id and who sends each key.
const WIDE: u16 = 120;

/// The keys table.
fn key_columns<'a>() -> Vec<Column<&'a ApiKey>> {
    let columns: [Column<&'a ApiKey>; _] = [
        by(
            col("key", Constraint::Min(14), |k, cx| {
                Cell::from(fit(k.name.as_str(), cx.column))
            }),
            |k, _| SortKey::text(&k.name),
        ),
        by(
            col_if(Shown::From(WIDE), "id", Constraint::Length(10), |k, cx| {
                Cell::from(Span::styled(k.id.to_string(), cx.th.style(E::TextDim)))
            }),
            |k, _| SortKey::text(&k.id),
        ),
        by(
            col("plan", Constraint::Length(12), |k, cx| {
                Cell::from(fit(&plan_names(cx.data, k), cx.column))
            }),
            |k, d| SortKey::text(plan_names(d, k)),
        ),
        by(col("state", Constraint::Length(10), state_cell), |k, _| {
            SortKey::text(if k.enabled { "enabled" } else { "disabled" })
        }),
        by(
            col("req/min", Constraint::Length(7), |k, _| {
                k.requests_per_min.map_or(right("–"), num)
            }),
            |k, _| SortKey::maybe(k.requests_per_min),
        ),
        by(col("429/m", Constraint::Length(5), refused_cell), |k, _| {
            SortKey::maybe(k.refused_per_min())
        }),
        // A key whose plans' usage is not read yet has no figure, not a zero.
        by(
            col("today", Constraint::Length(6), |k, _| match k.usage_read {
                Some(_) => num(k.used_today as f64),
                None => right("–"),
            }),
            |k, _| SortKey::maybe(k.usage_read.map(|_| k.used_today as f64)),
        ),
        quota_column(Shown::Below(WIDE), 13),
        quota_column(Shown::From(WIDE), 19),
        // By age: the largest first is the oldest read, the one to doubt.
        by(
            col_if(
                Shown::From(WIDE),
                "usage read",
                Constraint::Length(10),
                |k, cx| {
                    let age = format::read_age(k.usage_read, cx.data.taken_at);
                    Cell::from(Span::styled(age, cx.th.style(E::TextDim)))
                },
            ),
            |k, d| SortKey::maybe(k.usage_read.map(|t| (d.taken_at - t).num_seconds() as f64)),
        ),
        by(
            col_if(
                Shown::From(WIDE),
                "sent by CloudFront",
                Constraint::Length(18),
                |k, cx| Cell::from(fit(&sent_by(cx.data, k), cx.column)),
            ),
            |k, d| SortKey::text(sent_by(d, k)),
        ),
    ];
    columns.into()
}
