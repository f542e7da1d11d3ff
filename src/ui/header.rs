//! The header: who and where on the left (the account, or the places in view, and when the
//! data was taken), what needs attention on the right (alarms, staleness, modes).

use super::*;

pub(super) fn draw_header(f: &mut Frame, area: Rect, app: &App, th: &Theme) {
    let right = Line::from(header_badges(app, area.width, th));
    let room = (area.width as usize).saturating_sub(right.width() + 1);

    // The left side, most important first; a part is shown only if it fits whole.
    let mut left = vec![Span::styled(" edgetop ", th.style(E::Title))];
    if let Some(d) = app.data() {
        let mut used = Line::from(left.clone()).width();
        for part in where_and_when(app, d, th) {
            let w: usize = part.iter().map(|s| s.width()).sum();
            if used + w > room {
                break;
            }
            used += w;
            left.extend(part);
        }
    }
    let rw = (right.width() as u16).min(area.width);
    let [l, r] = Layout::horizontal([Constraint::Min(0), Constraint::Length(rw)]).areas(area);
    f.render_widget(Paragraph::new(Line::from(left)), l);
    f.render_widget(Paragraph::new(right), r);
}

/// The header's right side: alarms, the range, the data's age, how often it polls, and the
/// badges of the modes it is in (paused, recording, read-only).
fn header_badges(app: &App, width: u16, th: &Theme) -> Vec<Span<'static>> {
    let label = th.style(E::HeaderLabel);
    let mut right: Vec<Span> = Vec::new();
    // What paged: the alarms in ALARM, first on the right, where it is seen.
    let alarming = app.data().map_or(0, |d| {
        d.alarms
            .iter()
            .filter(|a| a.state == crate::model::alarm::AlarmState::Alarm)
            .count()
    });
    if alarming > 0 {
        right.push(Span::styled(
            format!(" {alarming} IN ALARM "),
            th.style(E::BadgeStale),
        ));
        right.push(Span::raw(" "));
    }
    // The range, here where the tabs leave it no room.
    if !tabs_hold_the_range(width) {
        right.extend(range_spans(app, false, th));
    }
    if let Some(age) = app.age_secs() {
        if app.stale() {
            right.push(Span::styled(
                format!(" STALE: updated {} ", format::age(age)),
                th.style(E::BadgeStale),
            ));
        } else {
            right.push(Span::styled(format!("updated {}", format::age(age)), label));
        }
    }
    if app.unfocused {
        let every = crate::app::idle_refresh(app.refresh).as_secs() / 60;
        right.push(Span::styled(
            format!(" UNFOCUSED: polling every {every}m "),
            th.style(E::BadgePaused),
        ));
    } else if app.idle {
        let every = crate::app::idle_refresh(app.refresh).as_secs() / 60;
        right.push(Span::styled(
            format!(" IDLE: polling every {every}m, press a key "),
            th.style(E::BadgePaused),
        ));
    } else {
        right.push(Span::styled(
            format!(" · every {}s ", app.refresh.as_secs()),
            label,
        ));
    }
    if app.paused() {
        right.push(Span::styled(
            format!(" PAUSED +{} ", app.held_updates),
            th.style(E::BadgePaused),
        ));
        right.push(Span::raw(" "));
    }
    if app.recording.is_some() {
        right.push(Span::styled(" ● REC ", th.style(E::BadgeStale)));
        right.push(Span::raw(" "));
    }
    if app.read_only {
        right.push(Span::styled(" READ-ONLY ", th.style(E::BadgeReadOnly)));
    }
    right
}

/// The header's left side, in parts shown only whole: the demo's badge, the account or the
/// places in view, and when the data was taken.
fn where_and_when(app: &App, d: &Snapshot, th: &Theme) -> Vec<Vec<Span<'static>>> {
    let label = th.style(E::HeaderLabel);
    let value = th.style(E::HeaderValue);
    let a = &d.account;
    let mut parts: Vec<Vec<Span>> = Vec::new();
    if a.simulated {
        parts.push(vec![
            Span::styled(" DEMO ", th.style(E::BadgeDemo)),
            Span::raw(" "),
        ]);
    }
    if d.many_places() {
        if let Some(s) = &app.scope {
            parts.push(vec![
                Span::styled("scope ", label),
                Span::styled(format!("{} ", crate::model::Text::new(s)), value),
            ]);
        }
        parts.extend(places_parts(d, th));
    } else {
        parts.push(vec![Span::styled(a.alias.to_string(), value)]);
        parts.push(vec![
            Span::styled(" · ", label),
            Span::styled(a.region.to_string(), value),
        ]);
        parts.push(vec![Span::styled(format!(" · {}", a.id), label)]);
        parts.push(vec![
            Span::styled(" · profile ", label),
            Span::styled(a.profile.to_string(), value),
        ]);
    }
    parts.push(vec![
        Span::styled(" · data at ", label),
        Span::styled(d.taken_at.format("%H:%M:%S UTC").to_string(), value),
    ]);
    parts
}

/// The header's account part when many are in view: how many accounts and regions, and each
/// that is failing or read-only, by name.
fn places_parts(d: &crate::model::Snapshot, th: &Theme) -> Vec<Vec<Span<'static>>> {
    let (value, label) = (th.style(E::HeaderValue), th.style(E::HeaderLabel));
    let count = |f: fn(&crate::model::PlaceInfo) -> &str| {
        let mut v: Vec<&str> = d.places.iter().map(f).collect();
        v.sort_unstable();
        v.dedup();
        v.len()
    };
    let accounts = count(|p| p.label.as_str());
    let regions = count(|p| p.account.region.as_str());
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    let mut parts = vec![vec![Span::styled(
        format!(
            "{} × {} ({} places)",
            plural(accounts, "account"),
            plural(regions, "region"),
            d.places.len()
        ),
        value,
    )]];
    for p in &d.places {
        if p.failed.is_some() {
            parts.push(vec![
                Span::styled(" · ", label),
                Span::styled(format!("{} NOT READ", p.name()), th.style(E::TextCritical)),
            ]);
        } else if p.slow_since.is_some() {
            parts.push(vec![
                Span::styled(" · ", label),
                Span::styled(format!("{} SLOW", p.name()), th.style(E::TextWarn)),
            ]);
        }
    }
    for p in d.places.iter().filter(|p| p.read_only) {
        parts.push(vec![Span::styled(
            format!(" · {} read-only", p.name()),
            label,
        )]);
    }
    // Cross-account observability: whose metrics a monitoring account reads.
    let mut monitors: Vec<crate::model::Place> =
        d.places.iter().filter_map(|p| p.metrics_through).collect();
    monitors.sort_unstable();
    monitors.dedup();
    for m in monitors {
        let n = d
            .places
            .iter()
            .filter(|p| p.metrics_through == Some(m))
            .count();
        parts.push(vec![
            Span::styled(" · metrics of ", label),
            Span::styled(plural(n, "place"), value),
            Span::styled(" via monitoring account ", label),
            Span::styled(d.place_info(m).map(|i| i.name()).unwrap_or_default(), value),
        ]);
    }
    parts
}
