//! Tables built from column specs. A screen lists a table's columns once — heading, width,
//! when shown, and how a row fills its cell — and the heading row, the widths and the cells all
//! come from that list, so they cannot drift apart, and a column is added in one place.
//!
//! A figure is whole or absent: when the columns do not fit, whole columns are dropped (the
//! first, the place columns and those marked [`Column::keep`] last), never squeezed, so a
//! right-aligned number never loses its leading digits; a name cut to its column says so
//! ([`fit`]).

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Block, Cell, Row};

pub use crate::model::text::fit;
use crate::model::{Placed, Snapshot};
use crate::theme::Theme;

mod sort;
pub use sort::{Sort, SortKey, next_sort, sort, sortable};

/// `:compare`: a series' newest value then, or `–` without a comparison.
pub fn then_cell(s: &crate::model::Series) -> Cell<'static> {
    match s.against_then() {
        Some((v, _)) => super::num(v),
        None => super::right("–"),
    }
}

/// `:compare`: how many times its value then a series' newest is, emphasised from the
/// comparison's factor on; `–` when then was nothing.
pub fn times_cell(s: &crate::model::Series, cx: &Cells) -> Cell<'static> {
    let factor = cx.data.compare.map_or(f64::INFINITY, |c| c.factor);
    match s.against_then() {
        Some((_, None)) if s.latest().unwrap_or(0.0) > 0.0 => Cell::from(
            ratatui::text::Line::from("new")
                .right_aligned()
                .style(cx.th.style(crate::theme::Element::TextCritical)),
        ),
        Some((_, Some(x))) => {
            let element = match x >= factor {
                true => crate::theme::Element::TextCritical,
                false => crate::theme::Element::Base,
            };
            Cell::from(
                ratatui::text::Line::from(format!("{x:.1}×"))
                    .right_aligned()
                    .style(cx.th.style(element)),
            )
        }
        _ => super::right("–"),
    }
}

/// What [`then_cell`] shows, to sort by.
pub fn then_key(s: &crate::model::Series) -> SortKey {
    SortKey::maybe(s.against_then().map(|(v, _)| v))
}

/// What [`times_cell`] shows, to sort by: new (nothing then) as the largest.
pub fn times_key(s: &crate::model::Series) -> SortKey {
    match s.against_then() {
        Some((_, None)) if s.latest().unwrap_or(0.0) > 0.0 => SortKey::Num(f64::INFINITY),
        Some((_, Some(x))) => SortKey::Num(x),
        _ => SortKey::Missing,
    }
}

/// One column of a table of `R`s.
pub struct Column<R> {
    pub heading: &'static str,
    pub width: Constraint,
    pub shown: Shown,
    pub cell: fn(&R, &Cells) -> Cell<'static>,
    /// Dropped after the others when the table is too narrow for all.
    pub kept: bool,
    /// What the table sorts by when sorted by this column (and what `Y` copies of it).
    pub key: Option<fn(&R, &Snapshot) -> SortKey>,
}

/// `column`, sortable by `key` (what `Y` copies of it too).
pub fn by<R>(mut column: Column<R>, key: fn(&R, &Snapshot) -> SortKey) -> Column<R> {
    column.key = Some(key);
    column
}

/// The column a sort names, as the heading says it: `hits ↓`, or, in a column too narrow for
/// the mark beside its heading, the heading's end given up for it.
fn marked(heading: &str, sort: Option<Sort>, width: u16) -> String {
    let Some(s) = sort.filter(|s| s.column == heading) else {
        return heading.to_string();
    };
    // As k9s marks its headings (and unlike the alarm mark ▲ beside a name).
    let mark = if s.descending { '↓' } else { '↑' };
    let len = heading.chars().count();
    let width = width as usize;
    if width == 0 || len + 2 <= width {
        return format!("{heading} {mark}");
    }
    let head: String = heading.chars().take(width.saturating_sub(1)).collect();
    format!("{head}{mark}")
}

/// One row as text for the clipboard: each column's heading and what the row holds there.
pub fn row_text<R>(columns: &[Column<R>], row: &R, d: &Snapshot) -> String {
    let mut seen: Vec<&str> = Vec::new();
    let mut parts = Vec::new();
    for c in columns {
        let Some(key) = c.key else { continue };
        if seen.contains(&c.heading) {
            continue;
        }
        seen.push(c.heading);
        parts.push(format!("{}: {}", c.heading, key(row, d).copied()));
    }
    crate::model::text::escape(&parts.join("  "))
}

/// `column`, dropped after the others when the table is too narrow for all.
pub const fn kept<R>(mut column: Column<R>) -> Column<R> {
    column.kept = true;
    column
}

/// When a column is shown, by the width the screen gives its table ([`Cells::width`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    Always,
    /// From this width on.
    From(u16),
    /// Below this width only (a narrower version of a column shown [`Shown::From`] it).
    Below(u16),
    /// When more than one account or region is in view (the place columns).
    ManyPlaces,
}

impl Shown {
    fn at(self, width: u16, many_places: bool) -> bool {
        match self {
            Shown::Always => true,
            Shown::From(w) => width >= w,
            Shown::Below(w) => width < w,
            Shown::ManyPlaces => many_places,
        }
    }
}

/// The account and region a row is from, first in every table of rows from many places, and
/// hidden when one place is in view.
pub fn place_columns<R: Placed>() -> [Column<R>; 2] {
    [
        by(
            col_if(
                Shown::ManyPlaces,
                "account",
                Constraint::Length(12),
                |r, cx| Cell::from(cx.data.place_label(r.place()).0.to_string()),
            ),
            |r, d| SortKey::text(d.place_label(r.place()).0),
        ),
        by(
            col_if(
                Shown::ManyPlaces,
                "region",
                Constraint::Length(14),
                |r, cx| Cell::from(cx.data.place_label(r.place()).1.to_string()),
            ),
            |r, d| SortKey::text(d.place_label(r.place()).1),
        ),
    ]
}

/// A place column as wide as its widest value (the place list is short): a region name takes
/// up to 14 columns, and a label what the operator chose.
fn place_width(d: &Snapshot, heading: &str) -> u16 {
    let widest = d
        .places
        .iter()
        .map(|p| match heading {
            "region" => p.account.region.as_str().chars().count(),
            _ => p.label.as_str().chars().count(),
        })
        .max()
        .unwrap_or(0);
    widest.clamp(heading.len(), 24) as u16
}

/// `columns` after the place columns.
pub fn placed<R: Placed>(columns: Vec<Column<R>>) -> Vec<Column<R>> {
    place_columns().into_iter().chain(columns).collect()
}

/// What a cell is drawn with.
#[derive(Clone, Copy)]
pub struct Cells<'a> {
    pub data: &'a Snapshot,
    pub th: &'a Theme,
    /// The width the screen decides its columns by.
    pub width: u16,
    /// The width of the cell's own column, as laid out (0 when not known).
    pub column: u16,
    /// Where client addresses are blocked, for the tables that list them (see
    /// [`crate::screens::Loaded`]).
    pub blocks: Option<&'a crate::model::ip_set::BlockIndex>,
    /// The column the table is sorted by, marked in its heading.
    pub sort: Option<Sort>,
    /// The screen's selectable table tells where its rows are drawn here (for the mouse),
    /// its first row in view being row `first`.
    pub hit: Option<&'a std::cell::Cell<Option<TableHit>>>,
    pub first: usize,
    /// What changed a lot since the poll before (None when nothing did).
    pub jumps: Option<&'a crate::widgets::jumps::Jumps>,
}

impl Cells<'_> {
    /// `cell`, emphasised when its figure jumped since the poll before (the row named by
    /// `row`, made only when something jumped at all).
    pub fn jumped(
        &self,
        cell: Cell<'static>,
        row: impl FnOnce() -> String,
        column: &'static str,
    ) -> Cell<'static> {
        let jumped = self.jumps.is_some_and(|j| j.has(&row(), column));
        crate::widgets::jumps::emphasise(cell, jumped)
    }
}

/// Where a selectable table's rows are drawn: `count` rows from the top of `rows`, the first
/// being the table's row `first`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableHit {
    pub rows: Rect,
    pub first: usize,
    pub count: usize,
}

impl<'a> Cells<'a> {
    pub fn new(data: &'a Snapshot, th: &'a Theme, width: u16) -> Cells<'a> {
        Cells {
            data,
            th,
            width,
            column: 0,
            blocks: None,
            sort: None,
            hit: None,
            first: 0,
            jumps: None,
        }
    }
}

/// A cell of text from outside (a name, a list), cut to its column with `…`.
pub fn text(s: &str, cx: &Cells) -> Cell<'static> {
    Cell::from(fit(s, cx.column))
}

/// The columns of `shown` that fit in `room` without being squeezed: the fewest dropped, the
/// columns that may be dropped first (right to left), then those kept, never the first nor a
/// place column. Returns the indices kept and the width each is laid out at.
fn fitting<R>(shown: &[&Column<R>], widths: &[Constraint], room: u16) -> (Vec<usize>, Vec<u16>) {
    let mut keep: Vec<usize> = (0..shown.len()).collect();
    // The row's own name: the first column after the place columns.
    let first = shown.iter().position(|c| c.shown != Shown::ManyPlaces);
    loop {
        let constraints: Vec<Constraint> = keep.iter().map(|&i| widths[i]).collect();
        let laid = ratatui::layout::Layout::horizontal(constraints.clone())
            .flex(ratatui::layout::Flex::Start)
            .spacing(1)
            .split(Rect::new(0, 0, room, 1));
        let squeezed = constraints.iter().zip(laid.iter()).any(|(c, r)| match c {
            Constraint::Length(n) | Constraint::Min(n) => r.width < *n,
            _ => false,
        });
        let droppable = |i: &&usize| Some(**i) != first && shown[**i].shown != Shown::ManyPlaces;
        let next = keep
            .iter()
            .filter(droppable)
            .rev()
            .find(|i| !shown[**i].kept)
            .or_else(|| keep.iter().rfind(droppable))
            .copied();
        match (squeezed, next) {
            (true, Some(drop)) => keep.retain(|i| *i != drop),
            _ => return (keep, laid.iter().map(|r| r.width).collect()),
        }
    }
}

/// A column shown at every width.
pub const fn col<R>(
    heading: &'static str,
    width: Constraint,
    cell: fn(&R, &Cells) -> Cell<'static>,
) -> Column<R> {
    col_if(Shown::Always, heading, width, cell)
}

/// A column shown only when `shown` says.
pub const fn col_if<R>(
    shown: Shown,
    heading: &'static str,
    width: Constraint,
    cell: fn(&R, &Cells) -> Cell<'static>,
) -> Column<R> {
    Column {
        heading,
        width,
        shown,
        cell,
        kept: false,
        key: None,
    }
}

/// Draw `rows` (those in view) as a table of the `columns` shown at `cx.width`, in `block`.
pub fn draw<R>(
    f: &mut Frame,
    area: Rect,
    block: Block,
    columns: &[Column<R>],
    rows: &[R],
    selected: Option<usize>,
    cx: &Cells,
) {
    let many = cx.data.places_in_view() > 1;
    let shown: Vec<&Column<R>> = columns
        .iter()
        .filter(|c| c.shown.at(cx.width, many))
        .collect();
    let widths: Vec<Constraint> = shown
        .iter()
        .map(|c| match c.shown {
            Shown::ManyPlaces => Constraint::Length(place_width(cx.data, c.heading)),
            _ => c.width,
        })
        .collect();
    let room = block.inner(area).width.saturating_sub(match selected {
        Some(_) => super::SELECTED_MARK_WIDTH,
        None => 0,
    });
    let (kept, laid) = fitting(&shown, &widths, room);
    let header: Vec<String> = kept
        .iter()
        .zip(&laid)
        .map(|(&i, &w)| marked(shown[i].heading, cx.sort, w))
        .collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let widths: Vec<Constraint> = kept.iter().map(|&i| widths[i]).collect();
    let rows: Vec<Row> = rows
        .iter()
        .map(|r| {
            Row::new(kept.iter().zip(&laid).map(|(&i, &w)| {
                let cx = Cells { column: w, ..*cx };
                (shown[i].cell)(r, &cx)
            }))
        })
        .collect();
    if let (Some(hit), Some(_)) = (cx.hit, selected) {
        // The rows start under the heading.
        let inner = block.inner(area);
        let rows_area = Rect {
            y: inner.y.saturating_add(1),
            height: inner.height.saturating_sub(1),
            ..inner
        };
        hit.set(Some(TableHit {
            rows: rows_area,
            first: cx.first,
            count: rows.len(),
        }));
    }
    super::table(f, area, block, &header, &widths, rows, selected, cx.th);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_narrow_a_table_drops_whole_columns_never_digits() {
        let c = |heading: &'static str, w: u16| -> Column<()> {
            col(heading, Constraint::Length(w), |_, _| Cell::from(""))
        };
        let columns = [c("name", 10), c("a", 6), kept(c("headroom", 8)), c("b", 6)];
        let shown: Vec<&Column<()>> = columns.iter().collect();
        let widths: Vec<Constraint> = shown.iter().map(|c| c.width).collect();
        // All fit: 10+6+8+6 and 3 spaces.
        assert_eq!(fitting(&shown, &widths, 33).0, [0, 1, 2, 3]);
        // One short: the rightmost that may go goes; the kept one stays.
        let (kept, laid) = fitting(&shown, &widths, 32);
        assert_eq!(kept, [0, 1, 2]);
        assert_eq!(laid, [10, 6, 8], "nothing squeezed");
        // Much shorter: the kept one goes last, the first never.
        assert_eq!(fitting(&shown, &widths, 19).0, [0, 2]);
        assert_eq!(fitting(&shown, &widths, 5).0, [0]);
    }

    #[test]
    fn columns_show_by_width() {
        assert!(Shown::Always.at(0, false));
        assert!(Shown::From(120).at(120, false) && !Shown::From(120).at(119, false));
        assert!(Shown::Below(120).at(119, false) && !Shown::Below(120).at(120, false));
        assert!(Shown::ManyPlaces.at(0, true) && !Shown::ManyPlaces.at(300, false));
    }
}
