//! Sorting a table by one of its columns: each column's key, the sort in force, and the next
//! one `s` asks for.

use super::{Column, Shown};
use crate::model::Snapshot;

/// What a row holds in a column, to sort by and to copy: a figure sorts as a number, a name
/// as text without regard to case, and a cell with nothing in it (`–`) after both, whichever
/// way the table is sorted.
#[derive(Clone, Debug, PartialEq)]
pub enum SortKey {
    Num(f64),
    Text(String),
    Missing,
}

impl SortKey {
    pub fn text(s: impl AsRef<str>) -> SortKey {
        SortKey::Text(s.as_ref().to_string())
    }

    pub fn num(v: impl Into<f64>) -> SortKey {
        SortKey::Num(v.into())
    }

    /// A figure that may not be known.
    pub fn maybe(v: Option<f64>) -> SortKey {
        v.map_or(SortKey::Missing, SortKey::Num)
    }

    /// How it reads when a row is copied: a figure as it is (no thousands separators, no
    /// units), a name as it is, nothing as `–`.
    pub fn copied(&self) -> String {
        match self {
            SortKey::Num(v) if v.fract() == 0.0 && v.abs() < 1e15 => format!("{v:.0}"),
            SortKey::Num(v) => format!("{v}"),
            SortKey::Text(s) => s.clone(),
            SortKey::Missing => "–".into(),
        }
    }

    /// Ascending order, with what is missing last.
    fn order(&self, other: &SortKey) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        match (self, other) {
            (SortKey::Num(a), SortKey::Num(b)) => a.total_cmp(b),
            (SortKey::Text(a), SortKey::Text(b)) => {
                let (la, lb) = (a.to_lowercase(), b.to_lowercase());
                la.cmp(&lb).then_with(|| a.cmp(b))
            }
            (SortKey::Missing, SortKey::Missing) => Ordering::Equal,
            (SortKey::Missing, _) => Ordering::Greater,
            (_, SortKey::Missing) => Ordering::Less,
            (SortKey::Num(_), SortKey::Text(_)) => Ordering::Less,
            (SortKey::Text(_), SortKey::Num(_)) => Ordering::Greater,
        }
    }
}

/// A table sorted by one of its columns (by heading), one way. A table without one is in its
/// own order (each table's default: the worst first, or the rules in priority order).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sort {
    pub column: &'static str,
    pub descending: bool,
}

/// The headings a table sorts by, in the order `s` goes through them (a column shown in two
/// widths, such as a narrow and a wide quota, once; the place columns only with `many`
/// places in view, as they are shown).
pub fn sortable<R>(columns: &[Column<R>], many: bool) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    let shown = |c: &&Column<R>| c.key.is_some() && (many || c.shown != Shown::ManyPlaces);
    for c in columns.iter().filter(shown) {
        if !out.contains(&c.heading) {
            out.push(c.heading);
        }
    }
    out
}

/// The sort after `s`: the next column, a column of figures the largest first and one of
/// names from A; after the last, the table's own order again.
pub fn next_sort(columns: &[(&'static str, bool)], now: Option<Sort>) -> Option<Sort> {
    let next = match now {
        None => columns.first(),
        Some(s) => columns
            .iter()
            .position(|(h, _)| *h == s.column)
            .and_then(|i| columns.get(i + 1)),
    }?;
    Some(Sort {
        column: next.0,
        descending: next.1,
    })
}

/// `rows` in the order `sort` says (a stable sort: rows that tie keep the table's own order).
pub fn sort<R>(rows: &mut [R], columns: &[Column<R>], sort: Option<Sort>, d: &Snapshot) {
    let Some(sort) = sort else { return };
    let Some(key) = columns
        .iter()
        .find(|c| c.heading == sort.column)
        .and_then(|c| c.key)
    else {
        return;
    };
    let mut keyed: Vec<(SortKey, usize)> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (key(r, d), i))
        .collect();
    keyed.sort_by(|(a, _), (b, _)| match (sort.descending, a, b) {
        // Nothing is last either way.
        (true, SortKey::Missing, _) | (true, _, SortKey::Missing) => a.order(b),
        (true, _, _) => b.order(a),
        (false, _, _) => a.order(b),
    });
    apply_order(rows, keyed.into_iter().map(|(_, i)| i).collect());
}

/// Put `rows` in the order of `order` (a permutation of their indices).
fn apply_order<R>(rows: &mut [R], mut order: Vec<usize>) {
    // Follow each cycle of the permutation, swapping into place.
    for start in 0..order.len() {
        let mut at = start;
        while order[at] != start {
            let from = order[at];
            rows.swap(at, from);
            order[at] = at;
            at = from;
        }
        order[at] = at;
    }
}
