//! A replay's timeline (under the header) and a tour's caption (over the footer).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::app::App;
use crate::app::bindings::{KeyAction, KeyMode};
use crate::record::player::ReplayView;
use crate::theme::{Element as E, Theme};

/// Rows a caption takes: its frame and up to three lines of text.
pub const CAPTION_ROWS: u16 = 5;

/// `▶ 2× 14:03:00 ━━━━●──◆──✗── 14:40:05 poll 12/240`: where the replay is, and where the
/// operations (◆) and failed polls (✗) were.
pub fn timeline(f: &mut Frame, area: Rect, r: &ReplayView, th: &Theme) {
    let (label, value) = (th.style(E::HeaderLabel), th.style(E::HeaderValue));
    let state = if r.ended {
        Span::styled(" END ", th.style(E::BadgePaused))
    } else if r.paused {
        Span::styled(" ⏸ PAUSED ", th.style(E::BadgePaused))
    } else {
        Span::styled(format!(" ▶ {} ", speed(r.speed)), th.style(E::BadgeDemo))
    };
    let mut left = vec![
        Span::styled(" REPLAY", th.style(E::Title)),
        Span::raw(" "),
        state,
        Span::styled(format!(" {} ", r.clock.format("%H:%M:%S")), value),
    ];
    let mut right = vec![Span::styled(
        format!(
            " {} · poll {}/{}",
            r.last.format("%H:%M:%S UTC"),
            r.poll + 1,
            r.polls
        ),
        label,
    )];
    if r.cut.is_some() {
        right.push(Span::styled(" ⚠ cut short", th.style(E::TextWarn)));
    }
    let used = Line::from(left.clone()).width() + Line::from(right.clone()).width();
    let bar = (area.width as usize).saturating_sub(used + 1);
    if bar >= 10 {
        left.extend(track(r, bar, th));
    } else {
        right.remove(0);
    }
    left.extend(right);
    f.render_widget(Paragraph::new(Line::from(left)), area);
}

fn speed(s: f64) -> String {
    match s {
        0.25 => "¼×".into(),
        0.5 => "½×".into(),
        s => format!("{s}×"),
    }
}

/// The bar: played (━), to come (─), the clock (●), and the marks.
fn track(r: &ReplayView, width: usize, th: &Theme) -> Vec<Span<'static>> {
    let span = (r.last - r.first).num_milliseconds().max(1) as f64;
    let at = |t: chrono::DateTime<chrono::Utc>| {
        let x = (t - r.first).num_milliseconds() as f64 / span;
        ((x.clamp(0.0, 1.0) * (width - 1) as f64).round()) as usize
    };
    let now = at(r.clock);
    let mut cells: Vec<(char, E)> = (0..width)
        .map(|i| {
            if i < now {
                ('━', E::HeaderValue)
            } else {
                ('─', E::HeaderLabel)
            }
        })
        .collect();
    for (t, op) in &r.marks {
        cells[at(*t)] = if *op {
            ('◆', E::TextWarn)
        } else {
            ('✗', E::TextCritical)
        };
    }
    cells[now] = ('●', E::Title);
    cells
        .into_iter()
        .map(|(c, e)| Span::styled(c.to_string(), th.style(e)))
        .collect()
}

/// The tour's caption: which of how many, its moment and screen, and its words.
pub fn caption(f: &mut Frame, area: Rect, app: &App, th: &Theme) {
    let Some(t) = &app.tour else { return };
    let c = t.caption();
    let mut title = format!(
        " {} · {}/{} · {}",
        t.tour.title,
        t.step + 1,
        t.tour.captions.len(),
        c.screen.title()
    );
    if let Some(at) = &c.at {
        title.push_str(&format!(" · at {at}"));
        let shown = app.data().map(|d| d.taken_at);
        if let (Some(moment), Some(shown)) = (app.caption_moment(), shown) {
            let ahead = (moment - shown).num_seconds();
            if ahead > 0 {
                title.push_str(&format!(" ({})", crate::model::format::until(ahead)));
            }
        }
    }
    title.push(' ');
    let keys = format!(
        " {} next · {} back ",
        app.keymap.label_in(KeyMode::Tour, KeyAction::NextCaption),
        app.keymap
            .label_in(KeyMode::Tour, KeyAction::PreviousCaption)
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(th.style(E::BorderFocus))
        .title(Line::styled(
            crate::model::text::fit(&title, area.width.saturating_sub(2)),
            th.style(E::DialogTitle),
        ))
        .title_bottom(Line::styled(keys, th.style(E::TextDim)).right_aligned());
    let mut text = vec![];
    if let Some(row) = &c.row {
        text.push(Span::styled(format!("→ {row}: "), th.style(E::Key)));
    }
    text.push(Span::styled(c.text.to_string(), th.style(E::Message)));
    f.render_widget(
        Paragraph::new(Line::from(text))
            .block(block)
            .wrap(Wrap { trim: true }),
        area,
    );
}
