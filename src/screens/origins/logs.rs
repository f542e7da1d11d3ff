//! The Origins screen's panels from WAF logs (Logs Insights): the exact blocked sources, and
//! the paths and user agents they asked for.

use super::*;

/// What went wrong with a query's latest run, for a panel's title: " — query failed: why".
pub(super) fn trouble(t: &LogState) -> String {
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
pub(super) fn logs_panel<'a>(
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
                crate::model::text::fit(&why, room),
                th.style(E::TextWarn),
            ))
        }
        None => block,
    }
}

/// The addresses WAF stopped, counted exactly in its logs.
pub(super) fn draw_exact(f: &mut Frame, area: Rect, logs: &Logs, cx: &Cells) {
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
pub(super) fn draw_paths_and_agents(f: &mut Frame, area: Rect, logs: &Logs, cx: &Cells) {
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
pub(super) fn summed_by_value(list: &[Tally]) -> Vec<Tally> {
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
