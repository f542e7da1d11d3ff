//! The frame of every popup: centred, bordered, with a footer that a short terminal never
//! cuts, and the label–value lines and charts that details are made of.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::panel;
use crate::theme::{Element as E, Theme};

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
pub fn kv<'a>(k: &str, v: impl Into<String>, th: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{k:>12}  "), th.style(E::HeaderLabel)),
        Span::raw(v.into()),
    ])
}

/// Facts at the top, a chart in the rest when there is room.
pub fn chart_below(
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
/// Where a row's detail popup goes: most of the screen, at most 110 wide.
pub fn detail_area(area: Rect) -> Rect {
    centered(
        area,
        area.width.saturating_sub(8).min(110),
        area.height.saturating_sub(4),
    )
}
