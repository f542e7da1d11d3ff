//! Tables built from column specs. A screen lists a table's columns once — heading, width,
//! when shown, and how a row fills its cell — and the heading row, the widths and the cells all
//! come from that list, so they cannot drift apart, and a column is added in one place.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Block, Cell, Row};

use crate::model::{Placed, Snapshot};
use crate::theme::Theme;

/// One column of a table of `R`s.
pub struct Column<R> {
    pub heading: &'static str,
    pub width: Constraint,
    pub shown: Shown,
    pub cell: fn(&R, &Cells) -> Cell<'static>,
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
        col_if(
            Shown::ManyPlaces,
            "account",
            Constraint::Length(12),
            |r, cx| Cell::from(cx.data.place_label(r.place()).0.to_string()),
        ),
        col_if(
            Shown::ManyPlaces,
            "region",
            Constraint::Length(14),
            |r, cx| Cell::from(cx.data.place_label(r.place()).1.to_string()),
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
pub struct Cells<'a> {
    pub data: &'a Snapshot,
    pub th: &'a Theme,
    /// The width the screen decides its columns by.
    pub width: u16,
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
    let header: Vec<&str> = shown.iter().map(|c| c.heading).collect();
    let widths: Vec<Constraint> = shown
        .iter()
        .map(|c| match c.shown {
            Shown::ManyPlaces => Constraint::Length(place_width(cx.data, c.heading)),
            _ => c.width,
        })
        .collect();
    let rows: Vec<Row> = rows
        .iter()
        .map(|r| Row::new(shown.iter().map(|c| (c.cell)(r, cx))))
        .collect();
    super::table(f, area, block, &header, &widths, rows, selected, cx.th);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_show_by_width() {
        assert!(Shown::Always.at(0, false));
        assert!(Shown::From(120).at(120, false) && !Shown::From(120).at(119, false));
        assert!(Shown::Below(120).at(119, false) && !Shown::Below(120).at(120, false));
        assert!(Shown::ManyPlaces.at(0, true) && !Shown::ManyPlaces.at(300, false));
    }
}
