//! The application state and everything that changes it. No I/O here: the runner feeds
//! events in and carries out the [`Effect`]s that come back.

pub mod bindings;
mod command_line;
mod input;
pub mod keymap;
pub(crate) mod modes;
mod operate;
pub mod operation;
pub mod replay;
mod respond;
mod table;
pub mod tour;
mod update;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use crossterm::event::{KeyEvent, KeyEventKind};

use crate::model::format;
use crate::model::{RuleKind, Secret, Snapshot, text};
use crate::ops::journal::Rotation;
use crate::ops::procedure::{self, OpError};
use crate::ops::{self, Op, OpOutcome, Plan, Progress};
pub use crate::screens::Screen;
use crate::screens::{Loaded, Open, ViewState, api_keys, waf};
pub use bindings::KeyAction;
use bindings::KeyMode;
use keymap::Keymap;
use modes::Outcome;
use operation::{AuditView, Pending, Pick, ResumeOffer, Running};

pub use crate::engine::events::Event;

/// Something for the runner to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    Quit,
    Refresh,
    SetRefresh(Duration),
    /// Read the metrics over another time range.
    SetRange(crate::model::Range),
    /// `:compare`: read the same window a day or a week before too (None: stop).
    SetCompare(Option<crate::model::range::Compare>),
    Apply(Op),
    LoadTheme(String),
    /// Read the audit log for viewing.
    ShowAudit,
    /// Read one API key's value from the source, to show it.
    ReadKeyValue(crate::model::Place, String),
    /// `--dry-run`: end, and print this plan.
    DryRun(Op, Plan),
    /// Ring the terminal's bell, and put this in the window's title: what paged.
    Bell(String),
    /// A replay: pause, step, change speed, jump.
    Replay(crate::record::player::Control),
    /// Put this on the operator's clipboard (OSC 52: through SSH and tmux to their own).
    Copy(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Button {
    Cancel,
    Confirm,
}

/// An operation waiting for the operator's yes.
#[derive(Clone, Debug)]
pub struct Confirm {
    pub op: Op,
    pub plan: Plan,
    pub focus: Button,
    /// A word to type before Confirm takes: a wide range, the name of a key to delete.
    pub typed: Option<Typed>,
}

/// A word the operator types to confirm, and what was typed so far.
#[derive(Clone, Debug, PartialEq)]
pub struct Typed {
    pub want: String,
    pub got: String,
}

/// A new secret, shown once.
#[derive(Clone, Debug)]
pub struct Reveal {
    pub title: String,
    pub secret: Secret,
    pub revealed: bool,
}

#[derive(Clone, Debug)]
pub enum Mode {
    Normal,
    /// Editing the filter of the screen in view.
    Filter,
    CommandLine(String),
    /// The help, scrolled to this line.
    Help(usize),
    /// The detail popup of the selected row.
    Detail,
    Confirm(Confirm),
    Reveal(Reveal),
    /// What to toggle in a rule group.
    Pick(Pick),
    /// Unfinished rotations: finish, roll back, or later.
    Resume(ResumeOffer),
    /// The running (or last) operation, step by step.
    Operation,
    Audit(AuditView),
    /// A value to type before a plan.
    Input(operation::Input),
}

impl Mode {
    /// Whose bindings its keys are looked up in.
    pub fn key_mode(&self) -> KeyMode {
        match self {
            Mode::Normal => KeyMode::Main,
            Mode::Filter => KeyMode::Filter,
            Mode::CommandLine(_) => KeyMode::CommandLine,
            Mode::Help(_) => KeyMode::Help,
            Mode::Detail => KeyMode::Detail,
            Mode::Confirm(_) => KeyMode::Confirm,
            Mode::Reveal(_) => KeyMode::Reveal,
            Mode::Pick(_) => KeyMode::Pick,
            Mode::Resume(_) => KeyMode::Resume,
            Mode::Operation => KeyMode::Operation,
            Mode::Audit(_) => KeyMode::Audit,
            Mode::Input(_) => KeyMode::Input,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

pub struct App {
    pub screen: Screen,
    pub mode: Mode,
    views: [ViewState; Screen::COUNT],
    /// The latest data.
    live: Option<Arc<Loaded>>,
    /// What is on screen while paused.
    frozen: Option<Arc<Loaded>>,
    /// Polls that arrived while paused.
    pub held_updates: u32,
    /// Wall-clock time the latest data arrived, and of the latest failure.
    pub received_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// Wall-clock now, set by the runner before each draw.
    pub now: DateTime<Utc>,
    pub read_only: bool,
    /// Why, when the config keeps the account read-only (else `--read-only` or the config's
    /// `read_only` says it).
    pub read_only_why: Option<String>,
    pub refresh: Duration,
    /// The time range asked for (`:range`, `[`, `]`); the data says which range it covers.
    pub range: crate::model::Range,
    /// `:compare` as asked; and the factor a finding needs (`compare_factor`).
    pub compare: Option<crate::model::range::Shift>,
    pub compare_factor: f64,
    pub theme_name: String,
    pub message: Option<(Level, String)>,
    /// Where the account came from, for the header ("demo", "aws").
    pub source_label: String,
    pub quit: bool,
    /// Polling slows down after this long without a key.
    pub idle_after: Option<Duration>,
    /// When the operator last pressed a key.
    pub last_key: DateTime<Utc>,
    /// Polling has slowed down for want of keys.
    pub idle: bool,
    /// The key value the detail shows, read when the operator pressed `v`: until the popup
    /// closes, then forgotten.
    pub key_value: Option<api_keys::KeyValue>,
    /// `--dry-run`: confirming prints the plan and ends, changing nothing.
    pub dry_run: bool,
    /// The operation running now, or the last one.
    pub operation: Option<Running>,
    /// Accepted rule changes not yet seen in a read.
    pub pending: Vec<Pending>,
    /// The latest data as read, before pending changes are shown on it.
    raw: Option<Arc<Snapshot>>,
    /// How far the first read has come since the latest data, when the source said.
    loading: Option<Vec<crate::model::Problem>>,
    /// Rotations found unfinished, for `:rotations`.
    pub unfinished: Vec<Rotation>,
    /// `q` was pressed once while an operation runs: a second one quits.
    quit_armed: bool,
    /// The keys in force: the defaults, or as the config file rebinds them.
    pub keymap: Keymap,
    /// `:scope NAME`: only the places it names are shown (label, region or account id).
    pub scope: Option<String>,
    /// `:split account|region|none`: the Overview's charts, per account or region.
    pub split: crate::screens::Split,
    /// `--bell`: ring on a new alarm in ALARM or a new critical finding.
    pub bell: bool,
    /// What paged as of the latest data (alarms in ALARM, critical findings), to ring only for
    /// what is new; None before the first data (opening edgetop rings nothing).
    paging: Option<std::collections::BTreeSet<String>>,
    /// A replay's timeline, set by the runner before each draw (None when live).
    pub replay: Option<crate::record::player::ReplayView>,
    /// `--tour`: the captions and where the presenter is.
    pub tour: Option<replay::TourState>,
    /// `--record`: the file the dashboard is recording to, for the header.
    pub recording: Option<String>,
    /// The time of the first data: where a tour's "+3m" counts from on the demo.
    pub first_data_at: Option<DateTime<Utc>>,
    /// Where `-` goes back to, and `+` forward to again.
    history: Vec<table::Visit>,
    future: Vec<table::Visit>,
    /// The console URLs `o` copied, for `--print-urls` when edgetop ends.
    pub urls: Vec<String>,
    /// The last click on a row, and when: a second one soon after opens it.
    last_click: Option<(usize, DateTime<Utc>)>,
    /// The terminal's window has lost the focus (it said so): polling as when idle.
    pub unfocused: bool,
}

/// How often an idle dashboard polls: five refresh intervals, at least five minutes.
pub fn idle_refresh(refresh: Duration) -> Duration {
    (refresh * 5).max(Duration::from_secs(300))
}

const PAGE: usize = 10;

impl App {
    pub fn new(
        now: DateTime<Utc>,
        read_only: bool,
        refresh: Duration,
        theme_name: &str,
        source_label: &str,
    ) -> App {
        App {
            screen: Screen::Overview,
            mode: Mode::Normal,
            views: Default::default(),
            live: None,
            loading: None,
            frozen: None,
            held_updates: 0,
            received_at: None,
            last_error: None,
            now,
            read_only,
            read_only_why: None,
            refresh,
            range: Default::default(),
            compare: None,
            compare_factor: 3.0,
            theme_name: theme_name.to_string(),
            message: None,
            source_label: source_label.to_string(),
            quit: false,
            idle_after: None,
            last_key: now,
            idle: false,
            key_value: None,
            dry_run: false,
            operation: None,
            pending: Vec::new(),
            raw: None,
            unfinished: Vec::new(),
            quit_armed: false,
            keymap: Keymap::default(),
            scope: None,
            split: Default::default(),
            bell: false,
            paging: None,
            replay: None,
            tour: None,
            recording: None,
            first_data_at: None,
            history: Vec::new(),
            future: Vec::new(),
            urls: Vec::new(),
            last_click: None,
            unfocused: false,
        }
    }

    /// An operation is running now.
    pub fn busy(&self) -> bool {
        self.operation.as_ref().is_some_and(Running::is_running)
    }

    /// Show `snap` with the pending changes on it.
    fn take_data(&mut self, snap: Arc<Snapshot>, new_read: bool) {
        self.raw = Some(snap.clone());
        let (shown, given_up) = operation::overlay(snap, &mut self.pending, new_read);
        for op in given_up {
            self.message = Some((
                Level::Error,
                format!(
                    "{}: still not read as done after {} reads; the change may have been undone, look again",
                    op.summary(),
                    operation::PENDING_READS
                ),
            ));
        }
        let shown = match &self.scope {
            Some(name) => {
                let keep = crate::model::places::named(&shown, name);
                Arc::new(crate::model::places::narrow(&shown, |p| keep.contains(&p)))
            }
            None => shown,
        };
        let mut loaded = Loaded::new(shown);
        if let Some(before) = self.live.as_ref().filter(|_| new_read) {
            loaded.jumps =
                crate::widgets::jumps::Jumps::between(&before.snapshot, &loaded.snapshot);
        }
        let loaded = Arc::new(loaded);
        self.follow_rows(true, |app| app.live = Some(loaded));
    }

    /// How many accounts×regions the view shows (1 with one place).
    pub fn places_in_view(&self) -> usize {
        self.data().map_or(1, |d| d.places_in_view())
    }

    /// `:scope NAME` (or `:scope` for every place): show only the places it names.
    fn set_scope(&mut self, name: Option<&str>) -> Vec<Effect> {
        let Some(raw) = self.raw.clone() else {
            return vec![];
        };
        match name.filter(|n| *n != "all") {
            None => {
                self.scope = None;
                self.message = Some((Level::Info, "every account and region in view".into()));
            }
            Some(n) => {
                if !raw.many_places() {
                    return self.error(
                        "one account and region is in view: :scope has nothing to narrow".into(),
                    );
                }
                if crate::model::places::named(&raw, n).is_empty() {
                    let names: Vec<String> = raw.places.iter().map(|p| p.name()).collect();
                    return self.error(format!(
                        "no account or region is called {}: {}",
                        crate::model::Text::new(n),
                        names.join(", ")
                    ));
                }
                self.scope = Some(n.to_string());
                self.message = Some((
                    Level::Info,
                    format!(
                        "only {} in view (:scope to see all)",
                        crate::model::Text::new(n)
                    ),
                ));
            }
        }
        self.take_data(raw, false);
        vec![]
    }

    /// The data on screen: frozen while paused, else the latest.
    pub fn data(&self) -> Option<&Snapshot> {
        self.loaded().map(|l| &*l.snapshot)
    }

    /// The parts of the data on screen still being read: the latest word from the source while
    /// live, else what the data itself says.
    pub fn loading(&self) -> &[crate::model::Problem] {
        match (&self.loading, self.paused()) {
            (Some(l), false) => l,
            _ => self.data().map_or(&[], |d| &d.loading),
        }
    }

    /// The data on screen with what is derived from it once, not on every frame.
    pub fn loaded(&self) -> Option<&Loaded> {
        self.frozen.as_deref().or(self.live.as_deref())
    }

    pub fn paused(&self) -> bool {
        self.frozen.is_some()
    }

    pub fn view(&self, s: Screen) -> &ViewState {
        &self.views[s.index()]
    }

    fn view_mut(&mut self) -> &mut ViewState {
        &mut self.views[self.screen.index()]
    }

    /// Seconds since the data on screen arrived.
    pub fn age_secs(&self) -> Option<i64> {
        self.received_at.map(|t| (self.now - t).num_seconds())
    }

    /// Data is stale when no poll has succeeded for three refresh intervals (and 2 s).
    pub fn stale(&self) -> bool {
        self.age_secs().is_some_and(|a| a > self.stale_after_secs())
    }

    /// Three poll intervals (and 2 s): the slow idle interval while idle, so the data is not
    /// called stale between two idle polls.
    fn stale_after_secs(&self) -> i64 {
        let every = if self.idle {
            idle_refresh(self.refresh)
        } else {
            self.refresh
        };
        3 * every.as_secs().max(1) as i64 + 2
    }

    /// How long until something on screen changes with no event: the age text moving on,
    /// or the data turning stale.
    pub fn next_visible_change(&self) -> Option<Duration> {
        let age_ms = (self.now - self.received_at?).num_milliseconds().max(0);
        let age = age_ms / 1000;
        let mut next_ms = (age + format::age_changes_in(age)) * 1000;
        if !self.stale() {
            next_ms = next_ms.min((self.stale_after_secs() + 1) * 1000);
        }
        Some(Duration::from_millis((next_ms - age_ms).max(1) as u64))
    }

    /// Number of rows in the selectable table of a screen.
    pub fn row_count(&self, s: Screen) -> usize {
        self.loaded()
            .map_or(0, |l| s.home().row_count(l, &self.view(s).filter))
    }

    /// The selected row of a screen, clamped to the rows there are.
    pub fn selected(&self, s: Screen) -> usize {
        self.view(s)
            .selected
            .min(self.row_count(s).saturating_sub(1))
    }

    /// Time until polling would slow down for want of keys.
    pub fn idle_in(&self) -> Option<Duration> {
        let after = self.idle_after?;
        if self.idle {
            return None;
        }
        let since = (self.now - self.last_key).to_std().unwrap_or_default();
        Some(after.saturating_sub(since).max(Duration::from_millis(1)))
    }

    /// The terminal said its window lost the focus (or gained it again): poll as when idle
    /// while nobody looks, and catch up at once when they do.
    pub fn focus(&mut self, focused: bool) -> Vec<Effect> {
        if focused != self.unfocused {
            return vec![];
        }
        self.unfocused = !focused;
        if focused {
            self.idle = false;
            self.last_key = self.now;
            vec![Effect::SetRefresh(self.refresh), Effect::Refresh]
        } else {
            vec![Effect::SetRefresh(idle_refresh(self.refresh))]
        }
    }

    /// Slow polling down when no key came for a long while.
    pub fn check_idle(&mut self) -> Vec<Effect> {
        match self.idle_after {
            Some(after)
                if !self.idle
                    && (self.now - self.last_key).to_std().unwrap_or_default() >= after =>
            {
                self.idle = true;
                vec![Effect::SetRefresh(idle_refresh(self.refresh))]
            }
            _ => vec![],
        }
    }
}

#[cfg(test)]
mod table_tests;
#[cfg(test)]
mod tests;
