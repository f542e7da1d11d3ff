//! The habits operators bring from k9s, htop and top, for the table in view: sort by any
//! column, copy the selected row, the console page of its resource, back and forward through
//! screens and filters, the mouse; and the selection that follows its row when the data or the
//! order changes.

use super::*;
use crate::engine::events::Click;
use crate::widgets::columns::{Sort, next_sort};

/// A screen as it was left: for `-` and `+`.
#[derive(Clone, Debug, PartialEq)]
pub struct Visit {
    pub screen: Screen,
    pub view: crate::screens::ViewState,
}

/// How many screens back `-` goes at most.
const HISTORY: usize = 50;

/// Two clicks on one row within this long are a double click.
const DOUBLE_CLICK_MS: i64 = 400;

impl App {
    /// `s`: sort by the next column (figures the largest first, names from A); after the
    /// last, the table's own order again. The selection stays on its row.
    pub(super) fn sort_next(&mut self) {
        let Some(l) = self.loaded() else { return };
        let view = self.view(self.screen).clone();
        let sorts = self
            .screen
            .home()
            .rows(l, &view)
            .map_or_else(Vec::new, |r| r.sorts());
        if sorts.is_empty() {
            self.message = Some((Level::Info, "this screen has no table to sort".into()));
            return;
        }
        let next = next_sort(&sorts, view.sort);
        self.resort(next);
    }

    /// `S`: the other way (the table's own order, reversed, is the first column's).
    pub(super) fn sort_reverse(&mut self) {
        let Some(l) = self.loaded() else { return };
        let view = self.view(self.screen).clone();
        let next = match view.sort {
            Some(s) => Some(Sort {
                descending: !s.descending,
                ..s
            }),
            None => next_sort(
                &self
                    .screen
                    .home()
                    .rows(l, &view)
                    .map_or_else(Vec::new, |r| r.sorts()),
                None,
            )
            .map(|s| Sort {
                descending: !s.descending,
                ..s
            }),
        };
        self.resort(next);
    }

    fn resort(&mut self, sort: Option<Sort>) {
        let screen = self.screen;
        self.follow_rows(false, |app| app.views[screen.index()].sort = sort);
        self.message = Some((
            Level::Info,
            match sort {
                Some(s) => format!(
                    "sorted by {}, {}",
                    if s.column == "!" {
                        "severity"
                    } else {
                        s.column
                    },
                    if s.descending {
                        "the largest first"
                    } else {
                        "the smallest first"
                    }
                ),
                None => "in the table's own order".into(),
            },
        ));
    }

    /// Change something that reorders rows (new data, a sort), keeping each screen's
    /// selection on the row it was on, when that row is still there. With `touched_only`, a
    /// screen never moved on, sorted or filtered is left at its first row (new data: on a
    /// 10,000-key account, naming every row of every screen twice a poll is not free).
    pub(super) fn follow_rows(&mut self, touched_only: bool, change: impl FnOnce(&mut App)) {
        let before: Vec<Option<String>> = Screen::ALL
            .iter()
            .map(|s| {
                let untouched = *self.view(*s) == crate::screens::ViewState::default();
                match touched_only && untouched {
                    true => None,
                    false => self.selected_id(*s),
                }
            })
            .collect();
        change(self);
        let Some(l) = self.loaded() else { return };
        let mut moves = Vec::new();
        for (s, id) in Screen::ALL.iter().zip(before) {
            let Some(id) = id else { continue };
            let ids = s
                .home()
                .rows(l, self.view(*s))
                .map_or_else(Vec::new, |r| r.ids());
            if let Some(i) = ids.iter().position(|r| *r == id) {
                moves.push((s.index(), i));
            }
        }
        for (screen, row) in moves {
            self.views[screen].selected = row;
        }
    }

    /// What names the selected row of a screen, to find it again.
    fn selected_id(&self, s: Screen) -> Option<String> {
        let l = self.loaded()?;
        s.home()
            .rows(l, self.view(s))?
            .ids()
            .into_iter()
            .nth(self.selected(s))
    }

    /// `y` (the row's name) or `Y` (the whole row): to the clipboard, said in the footer.
    pub(super) fn copy(&mut self, whole: bool) -> Vec<Effect> {
        let copied = self.loaded().and_then(|l| {
            let rows = self.screen.home().rows(l, self.view(self.screen))?;
            let sel = self.selected(self.screen);
            match whole {
                true => rows.text(sel),
                false => rows.copy(sel),
            }
        });
        let Some(text) = copied.map(|t| clipboard_text(&t)) else {
            let action = if whole {
                KeyAction::CopyRow
            } else {
                KeyAction::Copy
            };
            self.no_row(action, "copies the selected row");
            return vec![];
        };
        self.message = Some((
            Level::Info,
            format!("copied: {}", crate::model::text::fit(&text, 120)),
        ));
        vec![Effect::Copy(text)]
    }

    /// `o`: the console's URL of the selected row's resource, copied (and, with
    /// `--print-urls`, printed when edgetop ends).
    pub(super) fn console(&mut self) -> Vec<Effect> {
        let url = self.loaded().and_then(|l| {
            self.screen
                .home()
                .rows(l, self.view(self.screen))?
                .url(self.selected(self.screen))
        });
        let Some(url) = url else {
            let why = match self.row_count(self.screen) {
                0 => "there is no row selected",
                _ => {
                    "the selected row has no page in the AWS console (or its partition's console is not public)"
                }
            };
            self.message = Some((Level::Info, format!("no console URL: {why}")));
            return vec![];
        };
        let url = clipboard_text(&url);
        let simulated = self.data().is_some_and(|d| d.account.simulated);
        self.message = Some((
            Level::Info,
            format!(
                "copied the console URL{}: {url}",
                if simulated {
                    " (the demo account is simulated: the page does not exist)"
                } else {
                    ""
                }
            ),
        ));
        if !self.urls.contains(&url) {
            self.urls.push(url.clone());
        }
        vec![Effect::Copy(url)]
    }

    /// Before the screen or its filter changes: where the operator was, for `-`.
    pub(super) fn remember(&mut self) {
        let here = Visit {
            screen: self.screen,
            view: crate::screens::ViewState {
                selected: self.selected(self.screen),
                ..self.view(self.screen).clone()
            },
        };
        if self.history.last() != Some(&here) {
            self.history.push(here);
            if self.history.len() > HISTORY {
                self.history.remove(0);
            }
        }
        self.future.clear();
    }

    /// `-` (back) and `+` (forward): the screen, its filter, sort and row as they were.
    pub(super) fn travel(&mut self, back: bool) {
        let here = Visit {
            screen: self.screen,
            view: self.view(self.screen).clone(),
        };
        let (from, to) = match back {
            true => (&mut self.history, &mut self.future),
            false => (&mut self.future, &mut self.history),
        };
        let Some(visit) = from.pop() else {
            let word = if back { "back" } else { "forward" };
            self.message = Some((Level::Info, format!("nothing to go {word} to")));
            return;
        };
        to.push(here);
        self.screen = visit.screen;
        self.views[visit.screen.index()] = visit.view;
    }

    /// The mouse, as the runner found what it pointed at in the frame on screen.
    pub(super) fn click(&mut self, c: Click) -> Vec<Effect> {
        if !matches!(self.mode, Mode::Normal | Mode::Detail) {
            return vec![];
        }
        match c {
            Click::Tab(s) => {
                self.mode = Mode::Normal;
                if s != self.screen {
                    self.remember();
                    self.screen = s;
                }
            }
            Click::Wheel(rows) => {
                if matches!(self.mode, Mode::Normal) {
                    self.move_by(rows as isize);
                }
            }
            Click::Row(i) => {
                self.mode = Mode::Normal;
                let double = self.last_click.is_some_and(|(row, at)| {
                    row == i && (self.now - at).num_milliseconds() <= DOUBLE_CLICK_MS
                });
                self.view_mut().selected = i.min(self.row_count(self.screen).saturating_sub(1));
                if double {
                    self.last_click = None;
                    self.open();
                } else {
                    self.last_click = Some((i, self.now));
                }
            }
        }
        vec![]
    }
}

/// Text for the clipboard: one line, every unsafe character escaped (what AWS named must
/// not reach the operator's clipboard as a control sequence, nor run when pasted).
pub fn clipboard_text(s: &str) -> String {
    crate::model::text::escape(s)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipboard_text_is_one_line_of_inert_text() {
        let t = clipboard_text("a\nb\u{1b}]52;c;x\u{7}\u{202e}");
        assert!(!t.chars().any(|c| c.is_control()), "{t:?}");
        assert!(!t.contains('\u{202e}'), "{t:?}");
    }
}
