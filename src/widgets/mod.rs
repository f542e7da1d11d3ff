//! Pieces every screen and popup uses: panels, tables with a selection, time-series charts,
//! and the frame of a popup.

pub mod columns;
pub mod jumps;
pub mod popup;

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Axis, Block, BorderType, Borders, Cell, Chart, Dataset, GraphType, Row, Table, TableState,
};

use crate::model::format;
use crate::model::range::span_label;
use crate::model::{Action, Series};

use crate::theme::{Element as E, Theme};

/// A bordered panel with a title.
pub fn panel<'a>(title: impl Into<Line<'a>>, th: &Theme, focused: bool) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(th.style(if focused { E::BorderFocus } else { E::Border }))
        .title(title.into().style(th.style(E::Title)))
}

/// A title for a table: its name, the filter if any, and the position of the selection.
pub fn table_title(name: &str, filter: &str, selected: usize, total: usize) -> String {
    let pos = if total == 0 {
        "0".to_string()
    } else {
        format!("{}/{total}", selected + 1)
    };
    if filter.is_empty() {
        format!(" {name} {pos} ")
    } else {
        format!(" {name} [/{filter}] {pos} ")
    }
}

/// The mark before the selected row, so it reads without colour (NO_COLOR, the mono theme,
/// and eyes that do not tell the theme's colours apart); its column is kept for every row so
/// nothing moves when the selection does.
pub const SELECTED_MARK: &str = "▶ ";
pub const SELECTED_MARK_WIDTH: u16 = 2;

/// A table with headings and an optional selected row, drawn inside `block`.
#[allow(clippy::too_many_arguments)] // each is one aspect of the table; a struct would only rename them
pub fn table(
    f: &mut Frame,
    area: Rect,
    block: Block,
    header: &[&str],
    widths: &[Constraint],
    rows: Vec<Row>,
    selected: Option<usize>,
    th: &Theme,
) {
    let head =
        Row::new(header.iter().map(|h| Cell::from(h.to_string()))).style(th.style(E::TableHeader));
    let empty = rows.is_empty();
    let t = Table::new(rows, widths.to_vec())
        .header(head)
        .block(block)
        .column_spacing(1)
        .style(th.style(E::TableRow))
        .row_highlight_style(th.style(E::TableSelected))
        .highlight_symbol(SELECTED_MARK)
        .highlight_spacing(match selected {
            Some(_) => ratatui::widgets::HighlightSpacing::Always,
            None => ratatui::widgets::HighlightSpacing::Never,
        });
    let mut state = TableState::default().with_selected(selected.filter(|_| !empty));
    f.render_stateful_widget(t, area, &mut state);
}

/// A right-aligned number cell.
pub fn num(v: f64) -> Cell<'static> {
    Cell::from(Line::from(format::count(v)).right_aligned())
}

pub fn right(s: impl Into<String>) -> Cell<'static> {
    Cell::from(Line::from(s.into()).right_aligned())
}

/// A finding's severity as a mark that reads without colour: `!!`, `! `, `· `.
pub fn severity_span(s: crate::judge::finding::Severity, th: &Theme) -> Span<'static> {
    use crate::judge::finding::Severity;
    let (mark, el) = match s {
        Severity::Critical => ("!!", E::TextCritical),
        Severity::Warn => ("! ", E::TextWarn),
        Severity::Info => ("· ", E::TextDim),
    };
    Span::styled(mark, th.style(el))
}

pub fn action_style(a: Action, th: &Theme) -> Style {
    th.style(match a {
        Action::Allow => E::ActionAllow,
        Action::Block => E::ActionBlock,
        Action::Count => E::ActionCount,
        _ => E::ActionOther,
    })
}

pub fn action_span(a: Action, pending: bool, th: &Theme) -> Span<'static> {
    if pending {
        Span::styled(format!("{}…", a.label()), th.style(E::Pending))
    } else {
        Span::styled(a.label(), action_style(a, th))
    }
}

/// A chart of several series' per-minute values over the same window, in a panel whose title
/// is the legend (a legend inside the plot would hide the data at 80×24).
pub fn series_chart(
    f: &mut Frame,
    area: Rect,
    title: impl AsRef<str>,
    series: &[(&str, &Series, Style)],
    th: &Theme,
) {
    series_chart_with_limits(f, area, title, series, &[], &[], th)
}

/// A horizontal line across a chart: an alarm's threshold.
pub struct Limit {
    pub label: String,
    pub value: f64,
    pub style: Style,
}

/// An anomaly-detection alarm's band around the series it watches: its two edges, borrowed
/// from the alarm (a chart is drawn every frame).
pub struct BandMark<'a> {
    pub label: String,
    pub low: &'a Series,
    pub high: &'a Series,
    pub style: Style,
}

impl BandMark<'_> {
    /// Each edge's (x, y) points on a chart whose newest point (x = 0) is at `end`; gaps and
    /// points outside the chart's `span` minutes left out.
    fn edges(&self, end: chrono::DateTime<chrono::Utc>, span: f64) -> [Vec<(f64, f64)>; 2] {
        [self.low, self.high].map(|s| {
            let back = (end - s.end).num_seconds() as f64 / 60.0;
            s.points()
                .into_iter()
                .map(|(x, y)| (x - back, y))
                .filter(|(x, y)| y.is_finite() && (-span..=0.0).contains(x))
                .collect()
        })
    }
}

/// [`series_chart`] with alarms' thresholds drawn across it. A threshold far above the data
/// (more than four times its peak) is named in the legend, not drawn: it would flatten the
/// lines it is about.
pub fn series_chart_with_limits(
    f: &mut Frame,
    area: Rect,
    title: impl AsRef<str>,
    series: &[(&str, &Series, Style)],
    limits: &[Limit],
    bands: &[BandMark],
    th: &Theme,
) {
    // `:compare`: each series' window then, dim, under today's.
    let dim = th.style(E::TextDim);
    let thens: Vec<&Series> = series
        .iter()
        .filter_map(|(_, s, _)| s.then.as_deref())
        .collect();
    let mut points: Vec<Vec<(f64, f64)>> = thens.iter().map(|s| s.points()).collect();
    points.extend(series.iter().map(|(_, s, _)| s.points()));
    let peak = series
        .iter()
        .map(|(_, s, _)| s.max())
        .chain(thens.iter().map(|s| s.max()))
        .fold(0.0, f64::max)
        .max(1.0);
    let (drawn, above): (Vec<&Limit>, Vec<&Limit>) =
        limits.iter().partition(|l| l.value <= peak * 4.0);
    // The span in minutes, from the oldest point to the newest.
    let span = series
        .iter()
        .map(|(_, s, _)| (s.values.len().max(2) - 1) as f64 * s.period_min as f64)
        .fold(1.0, f64::max);
    // A band's edges, on the first series' time (the one they are about); its upper edge
    // raises the chart as far as a threshold would.
    let end = series.first().map(|(_, s, _)| s.end).unwrap_or_default();
    let band_edges: Vec<[Vec<(f64, f64)>; 2]> = bands.iter().map(|b| b.edges(end, span)).collect();
    let band_top = band_edges
        .iter()
        .flat_map(|[_, high]| high.iter().map(|(_, y)| *y))
        .filter(|y| *y <= peak * 4.0)
        .fold(0.0, f64::max);
    let ymax = drawn
        .iter()
        .map(|l| l.value)
        .fold(peak.max(band_top), f64::max)
        * 1.1;
    points.extend(drawn.iter().map(|l| vec![(-span, l.value), (0.0, l.value)]));
    for [low, high] in &band_edges {
        points.push(low.clone());
        points.push(high.clone());
    }
    let styles = thens
        .iter()
        .map(|_| ("then".to_string(), dim))
        .chain(
            series
                .iter()
                .map(|(name, _, style)| (name.to_string(), *style)),
        )
        .chain(drawn.iter().map(|l| (l.label.clone(), l.style)))
        .chain(
            bands
                .iter()
                .flat_map(|b| [(b.label.clone(), b.style), (b.label.clone(), b.style)]),
        );
    let datasets = styles
        .zip(&points)
        .map(|((name, style), pts)| line(name, style, pts))
        .collect();
    let legend = legend(
        title.as_ref(),
        series,
        !thens.is_empty(),
        (&drawn, &above),
        bands,
        th,
    );
    let block = panel(Line::from(legend), th, false);
    f.render_widget(minutes_chart(datasets, block, span, ymax, th), area);
}

/// One line of a chart, in braille.
fn line<'a>(name: String, style: Style, points: &'a [(f64, f64)]) -> Dataset<'a> {
    Dataset::default()
        .name(name)
        .marker(Marker::Braille)
        .graph_type(GraphType::Line)
        .style(style)
        .data(points)
}

/// A chart of the last `span` minutes up to now, from 0 to `ymax`, its axes labelled at the
/// ends and the middle.
fn minutes_chart<'a>(
    datasets: Vec<Dataset<'a>>,
    block: Block<'a>,
    span: f64,
    ymax: f64,
    th: &Theme,
) -> Chart<'a> {
    let axis = th.style(E::ChartAxis);
    Chart::new(datasets)
        .style(th.style(E::Base))
        .block(block)
        .x_axis(Axis::default().style(axis).bounds([-span, 0.0]).labels([
            Span::raw(format!("-{}", span_label(span))),
            Span::raw(format!("-{}", span_label(span / 2.0))),
            Span::raw("now"),
        ]))
        .y_axis(Axis::default().style(axis).bounds([0.0, ymax]).labels([
            Span::raw("0"),
            Span::raw(format::count(ymax / 2.0)),
            Span::raw(format::count(ymax)),
        ]))
        .legend_position(None)
}

/// A chart's legend, in its title: each series, the dim "then" of `:compare`, each limit drawn
/// or above the chart, each band.
fn legend(
    title: &str,
    series: &[(&str, &Series, Style)],
    then: bool,
    (drawn, above): (&[&Limit], &[&Limit]),
    bands: &[BandMark],
    th: &Theme,
) -> Vec<Span<'static>> {
    let dim = th.style(E::TextDim);
    let mut legend = vec![Span::raw(format!(" {} ", title.trim()))];
    for (name, _, style) in series {
        legend.push(Span::styled(format!("━ {name} "), *style));
    }
    if then {
        legend.push(Span::styled("┈ then ", dim));
    }
    for l in drawn {
        legend.push(Span::styled(format!("┄ {} ", l.label), l.style));
    }
    for l in above {
        legend.push(Span::styled(format!("↑ {} (above) ", l.label), l.style));
    }
    for b in bands {
        legend.push(Span::styled(format!("╎ {} ", b.label), b.style));
    }
    legend
}

/// The thresholds of `alarms` on `metric`, as lines of a chart: red for an alarm in ALARM.
pub fn alarm_limits(
    alarms: &[&crate::model::alarm::Alarm],
    metric: &str,
    th: &Theme,
) -> Vec<Limit> {
    crate::model::alarm::limits_on(alarms, metric)
        .into_iter()
        .map(|(value, state)| Limit {
            label: format!("alarm {}", format::count(value)),
            value,
            style: alarm_style(state, th),
        })
        .collect()
}

/// An alarm's line or band: red while in ALARM, amber otherwise.
fn alarm_style(state: crate::model::alarm::AlarmState, th: &Theme) -> Style {
    th.style(match state {
        crate::model::alarm::AlarmState::Alarm => E::TextCritical,
        _ => E::TextWarn,
    })
}

/// The bands of `alarms`' anomaly detectors on `metric`, as a chart draws them around the
/// line: red for an alarm in ALARM.
pub fn alarm_bands<'a>(
    alarms: &[&'a crate::model::alarm::Alarm],
    metric: &str,
    th: &Theme,
) -> Vec<BandMark<'a>> {
    crate::model::alarm::bands_on(alarms, metric)
        .into_iter()
        .map(|(band, state)| BandMark {
            label: format!("band {} σ", band.deviations),
            low: &band.low,
            high: &band.high,
            style: alarm_style(state, th),
        })
        .collect()
}

/// A quota share as a coloured bar with its percentage.
pub fn quota_cell(frac: Option<f64>, width: usize, th: &Theme) -> Cell<'static> {
    match frac {
        None => Cell::from(Span::styled("no quota", th.style(E::TextDim))),
        Some(q) => Cell::from(Line::from(vec![
            Span::styled(format::bar(q, width), gauge_style(q, th)),
            Span::raw(format!(" {:>5}", format::percent(q))),
        ])),
    }
}

pub fn gauge_style(frac: f64, th: &Theme) -> Style {
    th.style(if frac >= 0.9 {
        E::GaugeCritical
    } else if frac >= 0.75 {
        E::GaugeWarn
    } else {
        E::GaugeOk
    })
}

/// Rate of `part` in `whole`, styled by how bad it is.
pub fn rate_cell(part: f64, whole: f64, warn: f64, crit: f64, th: &Theme) -> Cell<'static> {
    if whole <= 0.0 {
        return right("–");
    }
    let r = part / whole;
    let style = th.style(if r >= crit {
        E::TextCritical
    } else if r >= warn {
        E::TextWarn
    } else {
        E::TableRow
    });
    Cell::from(Line::from(format::percent(r)).right_aligned().style(style))
}

/// The rows of a long table that fit in `area` (inside borders, under the heading), scrolled
/// so that the selected one shows: only these are built and drawn.
pub struct Window {
    pub range: std::ops::Range<usize>,
    /// The selected row's index within the window.
    pub selected: usize,
}

pub fn window(total: usize, selected: usize, area: Rect) -> Window {
    let visible = (area.height as usize).saturating_sub(3).max(1);
    let selected = selected.min(total.saturating_sub(1));
    let start = (selected + 1).saturating_sub(visible);
    let end = (start + visible).min(total);
    Window {
        range: start..end,
        selected: selected - start,
    }
}

/// A row's name, and after it a mark when an alarm watching it is not OK (▲ in ALARM, △
/// without data), the name cut before the mark is left out.
pub fn name_with_alarm(
    name: &str,
    state: Option<crate::model::alarm::AlarmState>,
    width: u16,
    th: &Theme,
) -> ratatui::widgets::Cell<'static> {
    use crate::model::alarm::AlarmState;
    let Some(state) = state else {
        return ratatui::widgets::Cell::from(crate::model::text::fit(name, width));
    };
    let (mark, style) = match state {
        AlarmState::Alarm => ("▲", th.style(E::Error)),
        _ => ("△", th.style(E::TextWarn)),
    };
    let room = if width == 0 {
        0
    } else {
        width.saturating_sub(2).max(1)
    };
    ratatui::widgets::Cell::from(Line::from(vec![
        Span::raw(format!("{} ", crate::model::text::fit(name, room))),
        Span::styled(mark, style),
    ]))
}
