//! The popups of operations: what to toggle in a rule group, rotations to finish or roll back,
//! a running operation step by step, and the audit log; and the footer line of a running one.

use crate::app::App;
use crate::app::operation::{AuditView, Pick, ResumeOffer, Running};
use crate::model::Text;
use crate::model::text::escape;
use crate::ops::StepState;
use crate::ops::audit::Phase;
use crate::theme::{Element as E, Theme};
use crate::widgets::popup::popup_with_footer;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// A popup whose last line (the keys) stays in view however short the terminal.
fn body(f: &mut Frame, area: Rect, title: &str, mut lines: Vec<Line<'static>>, w: u16, th: &Theme) {
    let footer = lines.pop().into_iter().collect();
    popup_with_footer(f, area, format!(" {title} "), lines, footer, w, th);
}

fn hint(keys: &[(&str, &str)], th: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for (k, h) in keys {
        spans.push(Span::styled(k.to_string(), th.style(E::Key)));
        spans.push(Span::styled(format!(" {h}  "), th.style(E::TextDim)));
    }
    Line::from(spans)
}

pub fn pick(f: &mut Frame, area: Rect, p: &Pick, th: &Theme) {
    let mut lines = vec![Line::raw("")];
    // Keep the selection in view on a short terminal.
    let room = area.height.saturating_sub(8).max(3) as usize;
    let first = p.selected.saturating_sub(room.saturating_sub(1));
    for (i, (label, _)) in p.choices.iter().enumerate().skip(first).take(room) {
        let style = if i == p.selected {
            th.style(E::TableSelected)
        } else {
            th.style(E::TableRow)
        };
        lines.push(Line::styled(format!(" {label} "), style));
    }
    lines.push(Line::raw(""));
    lines.push(hint(
        &[("↑↓", "choose"), ("Enter", "plan"), ("Esc", "cancel")],
        th,
    ));
    body(f, area, &p.title, lines, 76, th);
}

pub fn resume(f: &mut Frame, area: Rect, o: &ResumeOffer, read_only: bool, th: &Theme) {
    let mut lines = Vec::new();
    if !o.rotations.is_empty() {
        lines.push(Line::styled(
            "A key rotation did not finish (the program ended mid-way):",
            th.style(E::Danger),
        ));
        lines.push(Line::raw(""));
    }
    for (i, r) in o.rotations.iter().enumerate() {
        let style = if i == o.selected {
            th.style(E::TableSelected)
        } else {
            th.style(E::TableRow)
        };
        lines.push(Line::styled(
            format!(
                " {} → {}  (started {}) ",
                Text::new(&r.old_key_name),
                Text::new(&r.new_key_name),
                r.started.format("%Y-%m-%d %H:%M UTC")
            ),
            style,
        ));
        lines.push(Line::styled(
            format!("   {}", Text::new(&r.where_stopped())),
            th.style(E::TextDim),
        ));
    }
    for b in &o.broken {
        lines.push(Line::styled(
            format!("journal: {}", Text::new(b)),
            th.style(E::Error),
        ));
    }
    lines.push(Line::raw(""));
    if read_only {
        lines.push(Line::styled(
            "read-only mode: start without it to finish or roll back",
            th.style(E::Error),
        ));
    }
    lines.push(hint(
        &[
            ("f", "finish"),
            ("b", "roll back"),
            ("Esc", "later (:rotations)"),
        ],
        th,
    ));
    body(f, area, "Unfinished rotation", lines, 78, th);
}

pub fn operation(f: &mut Frame, area: Rect, r: &Running, th: &Theme) {
    let mut lines = Vec::new();
    let title = r
        .progress
        .as_ref()
        .map_or(r.op.summary(), |p| p.title.clone());
    // What an operation reports names what AWS calls things: inert here whatever it holds.
    lines.push(Line::styled(escape(&title), th.style(E::Danger)));
    lines.push(Line::raw(""));
    if let Some(p) = &r.progress {
        for (what, state) in &p.steps {
            let (mark, style) = match state {
                StepState::Done => ("✓", th.style(E::TextOk)),
                StepState::Running => ("▶", th.style(E::Pending)),
                StepState::Failed => ("✗", th.style(E::Error)),
                StepState::Waiting => ("·", th.style(E::TextDim)),
            };
            lines.push(Line::from(vec![
                Span::styled(format!(" {mark} "), style),
                Span::styled(escape(what), style),
            ]));
        }
        if !p.detail.is_empty() {
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                format!(" {}", escape(&p.detail)),
                th.style(E::Message),
            ));
        }
    } else if r.is_running() {
        lines.push(Line::styled(" starting…", th.style(E::TextDim)));
    }
    match &r.ended {
        Some(Ok(m)) => {
            lines.push(Line::raw(""));
            lines.push(Line::styled(format!(" {}", escape(m)), th.style(E::TextOk)));
        }
        Some(Err(e)) => {
            let kind = if e.refused() { "refused" } else { "failed" };
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                format!(" {kind}: {}", escape(&e.to_string())),
                th.style(E::Error),
            ));
        }
        None => {}
    }
    lines.push(Line::raw(""));
    lines.push(hint(
        &[("Esc", "hide (it keeps running; o shows it again)")],
        th,
    ));
    body(f, area, "Operation", lines, 84, th);
}

/// One line for the footer while an operation runs.
pub fn running_line(app: &App, th: &Theme) -> Option<Line<'static>> {
    let r = app.operation.as_ref().filter(|r| r.is_running())?;
    let text = match &r.progress {
        Some(p) => {
            let n = p.steps.len();
            let (i, what) = p
                .steps
                .iter()
                .enumerate()
                .find(|(_, (_, s))| *s == StepState::Running)
                .map_or((n, ""), |(i, (w, _))| (i + 1, w.as_str()));
            let detail = if p.detail.is_empty() {
                String::new()
            } else {
                format!(" — {}", p.detail)
            };
            format!(" ⟳ {}: step {i}/{n} {what}{detail}", p.title)
        }
        None => format!(" ⟳ {}", r.op.summary()),
    };
    Some(Line::from(vec![
        Span::styled(text, th.style(E::Pending)),
        Span::styled("  o details", th.style(E::TextDim)),
    ]))
}

pub fn audit(f: &mut Frame, area: Rect, v: &AuditView, keys: (&str, &str), th: &Theme) {
    let (undo, delete_old) = keys;
    let mut lines = Vec::new();
    let room = area.height.saturating_sub(6).max(3) as usize;
    match &v.entries {
        Err(e) => lines.push(Line::styled(escape(e), th.style(E::Error))),
        Ok(entries) if entries.is_empty() => lines.push(Line::styled(
            "nothing yet: every confirmed change is recorded here",
            th.style(E::TextDim),
        )),
        Ok(entries) => {
            // The entry at `scroll` is the last one shown.
            let end = (v.scroll + 1).min(entries.len());
            let start = end.saturating_sub(room / 2);
            for (i, e) in entries[start..end].iter().enumerate() {
                // The last one shown is the one `u` and `x` act on.
                let chosen = start + i == v.scroll;
                let mark = if chosen { "▶ " } else { "  " };
                match e {
                    Ok(e) => {
                        let style = match e.phase {
                            Phase::Succeeded => th.style(E::TextOk),
                            Phase::Failed | Phase::Refused => th.style(E::Error),
                            _ => th.style(E::TableRow),
                        };
                        lines.push(Line::from(vec![
                            Span::styled(mark, th.style(E::Key)),
                            Span::styled(
                                format!("{} ", e.time.format("%m-%d %H:%M:%S")),
                                if chosen {
                                    th.style(E::TableSelected)
                                } else {
                                    th.style(E::TextDim)
                                },
                            ),
                            Span::styled(format!("{:<9} ", format!("{:?}", e.phase)), style),
                            Span::styled(Text::new(&e.what).to_string(), th.style(E::TableRow)),
                        ]));
                        let result = e
                            .result
                            .as_deref()
                            .map(|r| format!(" → {}", Text::new(r)))
                            .unwrap_or_default();
                        lines.push(Line::styled(
                            format!(
                                "                 by {} ({}){result}",
                                Text::new(&e.who.caller),
                                Text::new(&e.who.local_user)
                            ),
                            th.style(E::TextDim),
                        ));
                    }
                    Err(e) => lines.push(Line::styled(escape(e), th.style(E::Error))),
                }
            }
        }
    }
    lines.push(Line::raw(""));
    lines.push(hint(
        &[
            ("↑↓", "choose"),
            (undo, "undo ▶"),
            (delete_old, "delete ▶'s old key"),
            ("Esc", "close"),
        ],
        th,
    ));
    body(
        f,
        area,
        "Audit log",
        lines,
        area.width.saturating_sub(4).min(120),
        th,
    );
}
