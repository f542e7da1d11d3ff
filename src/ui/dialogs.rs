//! Popups over the screen: help, the confirmation of a change, a new secret. (A row's detail
//! belongs to its screen.)

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::bindings::{KeyAction, KeyMode};
use crate::app::keymap::Keymap;
use crate::app::operation::Input;
use crate::app::{App, Button, Confirm, Reveal};
use crate::model::Text;
use crate::theme::{Element as E, Theme};
use crate::widgets::popup::{centered, popup, popup_with_footer};

pub fn help(f: &mut Frame, area: Rect, scroll: usize, keymap: &Keymap, th: &Theme) {
    let lines: Vec<Line> = keymap
        .help()
        .into_iter()
        .map(|h| {
            if h.heading {
                Line::styled(h.text, th.style(E::TableHeader))
            } else {
                Line::from(vec![
                    Span::styled(format!("{:>14}  ", h.keys), th.style(E::Key)),
                    Span::raw(h.text),
                ])
            }
        })
        .collect();
    let total = lines.len();
    let r = centered(area, 78, total as u16 + 2);
    let shown = r.height.saturating_sub(2) as usize;
    let first = scroll.min(total.saturating_sub(shown));
    let close = keymap.label_in(KeyMode::Help, KeyAction::Close);
    let title = if shown < total {
        format!(
            " Keys {}–{} of {total} — {}/{} scroll, {close} closes ",
            first + 1,
            (first + shown).min(total),
            keymap.label_in(KeyMode::Help, KeyAction::Down),
            keymap.label_in(KeyMode::Help, KeyAction::Up),
        )
    } else {
        format!(" Keys — {close} closes ")
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
    if let Some(t) = &c.typed {
        let done = t.got == t.want;
        footer.push(Line::from(vec![
            Span::styled("type ", th.style(E::TextDim)),
            Span::styled(Text::new(&t.want).to_string(), th.style(E::Danger)),
            Span::styled(" to confirm: ", th.style(E::TextDim)),
            Span::styled(format!("{}█", Text::new(&t.got)), th.style(E::Input)),
            Span::styled(if done { "  ✓" } else { "" }, th.style(E::TextOk)),
        ]));
        footer.push(Line::styled(
            "Tab moves to Confirm · Esc cancels",
            th.style(E::TextDim),
        ));
    }
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

/// A value to type before a plan: how long to block an address, a rule's new limit.
pub fn input(f: &mut Frame, area: Rect, i: &Input, th: &Theme) {
    let lines = vec![
        Line::raw(""),
        Line::styled(i.prompt.clone(), th.style(E::HeaderLabel)),
        Line::raw(""),
        Line::from(vec![
            Span::styled("> ", th.style(E::Key)),
            Span::styled(format!("{}█", Text::new(&i.value)), th.style(E::Input)),
        ]),
    ];
    let footer = vec![
        Line::raw(""),
        Line::styled("Enter plan · Esc cancel", th.style(E::TextDim)),
    ];
    popup_with_footer(f, area, format!(" {} ", i.title), lines, footer, 76, th);
}
