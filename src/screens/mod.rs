//! The screens. Each one has one home, a file here, holding everything about it: its rows and
//! what the filter matches, its drawing, the detail popup of a row, and its footer hints. They
//! are reached through [`ScreenView`] and listed once, in the registry at the bottom of this
//! file: adding a screen is its file and one line there.
//!
//! Screens draw from a [`Context`] (the data and their own view state) and never see the
//! application state, so this layer sits below `app`, which only asks them for rows.

pub mod access;
pub mod api_keys;
pub mod geo;
pub mod origins;
pub mod overview;
pub mod throttling;
pub mod waf;

use std::sync::Arc;

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::judge::finding::Finding;
use crate::judge::insights;
use crate::model::{Panel, Snapshot};
use crate::theme::Theme;

/// One screen: everything the application and the frame need to know about it.
pub trait ScreenView: Sync {
    /// The name on its tab and in help.
    fn title(&self) -> &'static str;
    /// What it shows, in one line, for help: "Keys: API keys, plans, usage".
    fn about(&self) -> &'static str;
    /// The panels whose read problems are shown above it.
    fn panels(&self) -> &'static [Panel];
    /// Rows in its selectable table, after the filter.
    fn row_count(&self, data: &Loaded, filter: &str) -> usize;
    /// Its body, below the tabs and above the footer.
    fn draw(&self, f: &mut Frame, area: Rect, cx: &Context, th: &Theme);
    /// What Enter does on a row.
    fn open(&self, _data: &Loaded, _view: &ViewState, _selected: usize) -> Open {
        Open::Detail
    }
    /// Its selectable table's rows in view (after the filter, in the sort), as the app
    /// needs them without drawing: see [`TableRows`].
    fn rows<'a>(&self, _data: &'a Loaded, _view: &ViewState) -> Option<Box<dyn TableRows + 'a>> {
        None
    }
    /// Each row of its selectable table is of one account×region (not the Overview's
    /// findings or Geo's countries): with many in view, Enter narrows to the row's.
    fn rows_are_placed(&self) -> bool {
        false
    }
    /// The account×region of each row of its selectable table, after the filter, in the sort
    /// (empty unless [`ScreenView::rows_are_placed`]).
    fn row_places(&self, _data: &Loaded, _view: &ViewState) -> Vec<crate::model::Place> {
        Vec::new()
    }
    /// What Enter is called in the footer.
    fn open_hint(&self) -> &'static str {
        "detail"
    }
    /// The popup with the whole of the selected row.
    fn detail(&self, _f: &mut Frame, _area: Rect, _cx: &Context, _th: &Theme) {}
    /// Its own keys for the footer: the action's name (as `[keys]` and help name it) and what
    /// it does here, plainer when read-only.
    fn hints(&self, _read_only: bool) -> &'static [(&'static str, &'static str)] {
        &[]
    }
}

/// What Enter on a row does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Open {
    /// The row's detail popup.
    Detail,
    /// Go to another screen (the Overview's findings lead to the screen that explains them),
    /// narrowed to the account and region the row is about when many are in view.
    Go(Screen, Option<crate::model::Place>, Option<String>),
    Nothing,
}

/// What a screen draws from: the data, and its own selection and filter.
pub struct Context<'a> {
    pub data: &'a Snapshot,
    pub loaded: &'a Loaded,
    pub filter: &'a str,
    /// The selected row, clamped to the rows there are.
    pub selected: usize,
    /// How the selectable table is sorted (None: its own order).
    pub sort: Option<Sort>,
    /// Where the selectable table's rows are drawn, told back for the mouse.
    pub table_hit: Option<&'a std::cell::Cell<Option<crate::widgets::columns::TableHit>>>,
    pub read_only: bool,
    /// An API key's value the operator asked to see, for the key detail.
    pub key_value: Option<&'a api_keys::KeyValue>,
    /// How the Overview's charts split many places (`:split`).
    pub split: Split,
}

impl<'a> Context<'a> {
    /// `cells` for the screen's selectable table, whose first row in view is `first`: its
    /// sort marked in the heading, and where its rows are drawn told back for the mouse.
    pub fn table_cells(&self, cells: Cells<'a>, first: usize) -> Cells<'a> {
        Cells {
            sort: self.sort,
            hit: self.table_hit,
            first,
            jumps: Some(&self.loaded.jumps).filter(|j| !j.is_empty()),
            ..cells
        }
    }
}

use crate::widgets::columns::Cells;

/// The Overview's charts with many places in view: one line per series (the sum of every
/// place), or a line per account or per region.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Split {
    #[default]
    Sum,
    Account,
    Region,
}

impl Split {
    pub fn parse(s: &str) -> Option<Split> {
        match s {
            "none" | "sum" => Some(Split::Sum),
            "account" | "accounts" => Some(Split::Account),
            "region" | "regions" => Some(Split::Region),
            _ => None,
        }
    }
}

/// A screen's view state: the selected row, the filter and the sort.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ViewState {
    pub selected: usize,
    pub filter: String,
    pub sort: Option<Sort>,
}

pub use crate::widgets::columns::Sort;

/// A screen's selectable table: its rows in view, filtered and sorted, and its columns.
pub struct Listed<R> {
    pub rows: Vec<R>,
    pub columns: Vec<crate::widgets::columns::Column<R>>,
}

/// A screen's selectable table, for sorting, copying and following its selection.
pub trait TableRows {
    /// The columns it sorts by (`s`), each with whether it holds figures (sorted the largest
    /// first) rather than names.
    fn sorts(&self) -> Vec<(&'static str, bool)>;
    /// What names each row, unique on its screen and in the order shown: how the selection
    /// follows its row when the data or the order changes.
    fn ids(&self) -> Vec<String>;
    /// What `y` copies of row `i`: its identifier (an address, a key's id, a rule's name).
    fn copy(&self, i: usize) -> Option<String>;
    /// Row `i` as text, every column's heading and value (`Y`).
    fn text(&self, i: usize) -> Option<String>;
    /// The AWS console's page of row `i`'s resource, in its partition and region (`o`).
    fn url(&self, i: usize) -> Option<String>;
}

/// A [`Listed`] table with what names its rows and where their resources are.
pub struct Rows<'a, R> {
    pub listed: Listed<R>,
    pub data: &'a Snapshot,
    pub id: fn(&R) -> String,
    pub copy: fn(&R) -> String,
    pub url: fn(&R, &Snapshot) -> Option<String>,
}

impl<R> TableRows for Rows<'_, R> {
    fn sorts(&self) -> Vec<(&'static str, bool)> {
        self.listed.sorts(self.data)
    }

    fn ids(&self) -> Vec<String> {
        self.listed.rows.iter().map(self.id).collect()
    }

    fn copy(&self, i: usize) -> Option<String> {
        self.listed.rows.get(i).map(self.copy)
    }

    fn text(&self, i: usize) -> Option<String> {
        self.listed.text(i, self.data)
    }

    fn url(&self, i: usize) -> Option<String> {
        (self.url)(self.listed.rows.get(i)?, self.data)
    }
}

impl<R> Listed<R> {
    /// `rows` (already filtered) in the order `sort` says.
    pub fn new(
        mut rows: Vec<R>,
        columns: Vec<crate::widgets::columns::Column<R>>,
        sort: Option<Sort>,
        d: &Snapshot,
    ) -> Listed<R> {
        crate::widgets::columns::sort(&mut rows, &columns, sort, d);
        Listed { rows, columns }
    }

    /// The columns it sorts by, and whether each holds figures (by its first row).
    pub fn sorts(&self, d: &Snapshot) -> Vec<(&'static str, bool)> {
        crate::widgets::columns::sortable(&self.columns, d.places_in_view() > 1)
            .into_iter()
            .map(|h| {
                let key = self
                    .columns
                    .iter()
                    .find(|c| c.heading == h)
                    .and_then(|c| c.key);
                let figure = match (key, self.rows.first()) {
                    (Some(key), Some(r)) => {
                        matches!(key(r, d), crate::widgets::columns::SortKey::Num(_))
                    }
                    _ => false,
                };
                (h, figure)
            })
            .collect()
    }

    /// Row `selected` as text (`Y`).
    pub fn text(&self, selected: usize, d: &Snapshot) -> Option<String> {
        self.rows
            .get(selected)
            .map(|r| crate::widgets::columns::row_text(&self.columns, r, d))
    }
}

/// A snapshot and what the screens derive from it, computed once when it arrives rather than
/// on every frame.
#[derive(Clone)]
pub struct Loaded {
    pub snapshot: Arc<Snapshot>,
    /// What the snapshot says, without what is still being read: derived once.
    settled: Vec<Finding>,
    /// The Overview's list: what is still being read, then `settled`.
    pub findings: Vec<Finding>,
    pub top_ips: Vec<origins::Talker>,
    pub top_countries: Vec<origins::Talker>,
    /// Requests that reached fronted stages around their CDN.
    pub direct_hits: Vec<crate::judge::bypass::DirectHits>,
    /// The Block rules' IP sets, parsed once, for the addresses Origins lists.
    pub blocks: crate::model::ip_set::BlockIndex,
    /// What changed a lot since the poll before, emphasised until the next.
    pub jumps: crate::widgets::jumps::Jumps,
}

impl Loaded {
    pub fn new(snapshot: Arc<Snapshot>) -> Loaded {
        let direct_hits = crate::judge::bypass::direct_hits(&snapshot);
        let settled = insights::settled(&snapshot, &direct_hits);
        Loaded {
            findings: insights::with_loading(&snapshot.loading, &settled),
            settled,
            top_ips: origins::top_ips(&snapshot),
            top_countries: origins::top_countries(&snapshot),
            direct_hits,
            blocks: crate::model::ip_set::BlockIndex::of(&snapshot),
            jumps: Default::default(),
            snapshot,
        }
    }

    /// Newer news of what is still being read, before what the snapshot says.
    pub fn still_reading(&mut self, loading: &[crate::model::Problem]) {
        self.findings = insights::with_loading(loading, &self.settled);
    }
}

/// [`matches`], with the account and region of a row from `place` when many are in view.
pub fn matches_in(s: &Snapshot, place: crate::model::Place, filter: &str, fields: &[&str]) -> bool {
    if !s.many_places() || filter.trim().is_empty() {
        return matches(filter, fields);
    }
    let (label, region) = s.place_label(place);
    let id = s.place_info(place).map_or("", |i| i.account.id.as_str());
    let mut all = fields.to_vec();
    all.extend([label, region, id]);
    matches(filter, &all)
}

/// True when every word of `filter` appears in one of `fields` (case-insensitive).
pub fn matches(filter: &str, fields: &[&str]) -> bool {
    filter.split_whitespace().all(|word| {
        let w = word.to_lowercase();
        fields.iter().any(|f| f.to_lowercase().contains(&w))
    })
}

/// The registry: `Screen` names every screen, in tab order (`1`…), and `home` is its type.
macro_rules! registry {
    ($($screen:ident => $home:expr),+ $(,)?) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Screen {
            $($screen),+
        }

        impl Screen {
            pub const ALL: [Screen; [$(stringify!($screen)),+].len()] = [$(Screen::$screen),+];

            /// The type that knows this screen.
            pub fn home(self) -> &'static dyn ScreenView {
                match self {
                    $(Screen::$screen => &$home),+
                }
            }
        }
    };
}

registry! {
    Overview => overview::Overview,
    Throttling => throttling::Throttling,
    Waf => waf::Waf,
    Origins => origins::Origins,
    Geo => geo::Geo,
    Keys => api_keys::Keys,
    Access => access::AccessScreen,
}

impl Screen {
    pub const COUNT: usize = Screen::ALL.len();

    pub fn title(self) -> &'static str {
        self.home().title()
    }

    /// The name of the action that goes here, as `[keys]` and help name it: `screen_keys`.
    pub fn action_name(self) -> String {
        format!("screen_{}", self.title().to_lowercase())
    }

    pub fn index(self) -> usize {
        Screen::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    pub fn next(self) -> Screen {
        Screen::ALL[(self.index() + 1) % Screen::COUNT]
    }

    pub fn prev(self) -> Screen {
        Screen::ALL[(self.index() + Screen::COUNT - 1) % Screen::COUNT]
    }

    /// The first screen that shows a panel's data: where a finding about it leads.
    pub fn showing(panel: Panel) -> Screen {
        Screen::ALL
            .into_iter()
            .find(|s| s.home().panels().contains(&panel))
            .unwrap_or(Screen::Overview)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_words_must_all_match() {
        assert!(matches("", &["anything"]));
        assert!(matches("pay PROD", &["payments-api", "prod"]));
        assert!(!matches("pay staging", &["payments-api", "prod"]));
    }

    #[test]
    fn every_panel_has_a_screen_and_titles_are_unique() {
        for p in Panel::ALL {
            assert_ne!(Screen::showing(p), Screen::Overview, "{p:?}");
        }
        let mut names: Vec<_> = Screen::ALL.iter().map(|s| s.action_name()).collect();
        names.dedup();
        assert_eq!(names.len(), Screen::COUNT);
    }
}
