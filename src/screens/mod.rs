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

use crate::finding::Finding;
use crate::insights;
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
    fn open(&self, _data: &Loaded, _selected: usize) -> Open {
        Open::Detail
    }
    /// Each row of its selectable table is of one account×region (not the Overview's
    /// findings or Geo's countries): with many in view, Enter narrows to the row's.
    fn rows_are_placed(&self) -> bool {
        false
    }
    /// The account×region of each row of its selectable table, after the filter (empty
    /// unless [`ScreenView::rows_are_placed`]).
    fn row_places(&self, _data: &Loaded, _filter: &str) -> Vec<crate::model::Place> {
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
    pub read_only: bool,
    /// An API key's value the operator asked to see, for the key detail.
    pub key_value: Option<&'a api_keys::KeyValue>,
    /// How the Overview's charts split many places (`:split`).
    pub split: Split,
}

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

/// A screen's view state: the selected row and the filter.
#[derive(Clone, Debug, Default)]
pub struct ViewState {
    pub selected: usize,
    pub filter: String,
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
    pub direct_hits: Vec<crate::bypass::DirectHits>,
    /// The Block rules' IP sets, parsed once, for the addresses Origins lists.
    pub blocks: crate::model::ip_set::BlockIndex,
}

impl Loaded {
    pub fn new(snapshot: Arc<Snapshot>) -> Loaded {
        let direct_hits = crate::bypass::direct_hits(&snapshot);
        let settled = insights::settled(&snapshot, &direct_hits);
        Loaded {
            findings: insights::with_loading(&snapshot.loading, &settled),
            settled,
            top_ips: origins::top_ips(&snapshot),
            top_countries: origins::top_countries(&snapshot),
            direct_hits,
            blocks: crate::model::ip_set::BlockIndex::of(&snapshot),
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
