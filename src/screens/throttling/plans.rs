//! The Throttling screen's usage plans: a row per plan with its quota and its keys' 429s, and
//! the quota gauges of its keys.

use super::*;

/// A usage plan with its keys' 429s a minute: None when no key has a figure (AWS has no
/// per-key 429 metric).
pub(super) struct PlanRow<'a> {
    pub(super) plan: &'a UsagePlan,
    pub(super) throttled: Option<f64>,
}

impl crate::model::Placed for PlanRow<'_> {
    fn place(&self) -> crate::model::Place {
        self.plan.place
    }
}

/// The first `n` plans, summing their keys' 429s in one pass over the keys: a large account
/// has 10,000 keys, and a search per plan key would cost a frame's time many times over.
pub(super) fn plan_rows(d: &Snapshot, n: usize) -> Vec<PlanRow<'_>> {
    let mut rows: Vec<PlanRow> = d
        .usage_plans
        .iter()
        .take(n)
        .map(|plan| PlanRow {
            plan,
            throttled: None,
        })
        .collect();
    let at: std::collections::HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.plan.id.as_str(), i))
        .collect();
    // Counted in access logs for the plan's stages where read; else its keys' own figures.
    for r in rows.iter_mut() {
        r.throttled = r.plan.refused.map(|x| x.per_minute());
    }
    for k in &d.api_keys {
        let Some(t) = k.throttled_per_min else {
            continue;
        };
        for p in &k.plan_ids {
            if let Some(&i) = at.get(p.as_str())
                && rows[i].plan.refused.is_none()
            {
                *rows[i].throttled.get_or_insert(0.0) += t;
            }
        }
    }
    rows
}

pub(super) fn plan_columns<'a>() -> Vec<Column<PlanRow<'a>>> {
    let columns: [Column<PlanRow<'a>>; _] = [
        col("plan", Constraint::Length(18), |r, cx| {
            columns::text(r.plan.name.as_str(), cx)
        }),
        col("throttle", Constraint::Length(12), |r, _| {
            Cell::from(throttle_label(r.plan.throttle))
        }),
        col("quota", Constraint::Length(12), |r, _| {
            Cell::from(quota_label(r.plan))
        }),
        col("keys", Constraint::Length(4), |r, _| {
            right(r.plan.key_ids.len().to_string())
        }),
        col("429/min", Constraint::Length(7), |r, _| {
            r.throttled.map_or(right("–"), num)
        }),
        // The plans share the screen's lower half with the quota gauges: only when wide enough
        // (the Keys screen shows each key's from 120 columns).
        col_if(
            Shown::From(200),
            "usage read",
            Constraint::Length(10),
            |r, cx| {
                let age = format::read_age(r.plan.usage_read, cx.data.taken_at);
                Cell::from(Span::styled(age, cx.th.style(E::TextDim)))
            },
        ),
        col("stages", Constraint::Min(10), |r, cx| {
            let stages: Vec<&str> = r.plan.stages.iter().map(|s| s.as_str()).collect();
            columns::text(&stages.join(", "), cx)
        }),
    ];
    columns.into()
}

pub(super) fn quota_label(p: &UsagePlan) -> String {
    p.quota.map_or("no quota".into(), |q| {
        format!("{}/{}", format::count(q.limit as f64), q.period.label())
    })
}

/// Keys with a quota, fullest first, each as a gauge.
pub(super) fn draw_quota_gauges(f: &mut Frame, area: Rect, d: &Snapshot, th: &Theme) {
    let block = panel(" Quota used, fullest first ", th, false);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let mut keys: Vec<_> = d
        .api_keys
        .iter()
        .filter(|k| k.enabled)
        .filter_map(|k| Some((k, k.quota_used()?)))
        .collect();
    // The fullest that fit, without sorting every key of a large account each frame.
    let rows = (inner.height as usize).min(keys.len());
    if rows > 0 && rows < keys.len() {
        keys.select_nth_unstable_by(rows - 1, |a, b| b.1.total_cmp(&a.1));
        keys.truncate(rows);
    }
    keys.sort_by(|a, b| b.1.total_cmp(&a.1));
    // With several places in view, each key says whose it is: one name may be in each.
    let many = d.places_in_view() > 1;
    let name_width = if many { 34 } else { 18 };
    for (i, (k, q)) in keys.iter().take(inner.height as usize).enumerate() {
        let row = Rect {
            y: inner.y + i as u16,
            height: 1,
            ..inner
        };
        let [name, gauge] =
            Layout::horizontal([Constraint::Length(name_width), Constraint::Min(10)]).areas(row);
        let label = match many {
            true => {
                let (account, region) = d.place_label(k.place);
                format!("{account} {region} {}", k.name)
            }
            false => k.name.to_string(),
        };
        let throttled = if k.throttled_per_min.unwrap_or(0.0) > 0.0 {
            E::TextWarn
        } else {
            E::TableRow
        };
        f.render_widget(
            Line::from(Span::styled(fit(&label, name.width), th.style(throttled))),
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
