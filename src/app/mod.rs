//! The application state and everything that changes it. No I/O here: the runner feeds
//! events in and carries out the [`Effect`]s that come back.

pub mod bindings;
pub(crate) mod modes;
pub mod operation;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use crossterm::event::{KeyEvent, KeyEventKind};

use crate::format;
use crate::model::{RuleKind, Secret, Snapshot, text};
use crate::ops::journal::Rotation;
use crate::ops::procedure::{self, OpError};
use crate::ops::{self, Op, OpOutcome, Plan, Progress};
pub use crate::screens::Screen;
use crate::screens::{Loaded, Open, ViewState, api_keys, waf};
pub use bindings::KeyAction;
use bindings::{KeyMode, Keymap};
use modes::Outcome;
use operation::{AuditView, Pending, Pick, ResumeOffer, Running};

pub use crate::events::Event;

/// Something for the runner to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    Quit,
    Refresh,
    SetRefresh(Duration),
    Apply(Op),
    LoadTheme(String),
    /// Read the audit log for viewing.
    ShowAudit,
    /// Read one API key's value from the source, to show it.
    ReadKeyValue(String),
    /// `--dry-run`: end, and print this plan.
    DryRun(Op, Plan),
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
    pub refresh: Duration,
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
    /// Rotations found unfinished, for `:rotations`.
    pub unfinished: Vec<Rotation>,
    /// `q` was pressed once while an operation runs: a second one quits.
    quit_armed: bool,
    /// The keys in force: the defaults, or as the config file rebinds them.
    pub keymap: Keymap,
}

/// An event with the free text it carries from outside (AWS's error messages, names in an
/// operation's steps, a theme file's error) escaped, once, where it enters the state: the
/// footer, the progress popup and the dialogs draw it as it is.
fn inert(ev: Event) -> Event {
    let esc = |s: String| text::escape(&s);
    match ev {
        Event::Data(Err(e)) => Event::Data(Err(esc(e))),
        Event::OpProgress(p) => Event::OpProgress(Progress {
            title: esc(p.title),
            steps: p.steps.into_iter().map(|(s, st)| (esc(s), st)).collect(),
            detail: esc(p.detail),
        }),
        Event::OpDone { op, result } => Event::OpDone {
            op,
            result: result
                .map(|o| OpOutcome {
                    message: esc(o.message),
                    ..o
                })
                .map_err(|e| e.map(esc)),
        },
        Event::KeyValue { key_id, result } => Event::KeyValue {
            key_id,
            result: result.map_err(esc),
        },
        Event::ThemeFailed(e) => Event::ThemeFailed(esc(e)),
        Event::Unfinished { rotations, broken } => Event::Unfinished {
            rotations,
            broken: broken.into_iter().map(esc).collect(),
        },
        other => other,
    }
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
            frozen: None,
            held_updates: 0,
            received_at: None,
            last_error: None,
            now,
            read_only,
            refresh,
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
        for t in given_up {
            self.message = Some((
                Level::Error,
                format!(
                    "{} still does not read {} after {} reads: the change may have been undone; look at the web ACL",
                    t.subject(),
                    ops::label(t.to, t.inner.is_some()),
                    operation::PENDING_READS
                ),
            ));
        }
        self.live = Some(Arc::new(Loaded::new(shown)));
    }

    /// The data on screen: frozen while paused, else the latest.
    pub fn data(&self) -> Option<&Snapshot> {
        self.loaded().map(|l| &*l.snapshot)
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

    pub fn handle(&mut self, ev: Event) -> Vec<Effect> {
        match inert(ev) {
            Event::Key(k) if k.kind != KeyEventKind::Release => self.on_key(k),
            Event::Key(_) | Event::Resize => vec![],
            Event::Data(Ok(snap)) => {
                self.received_at = Some(self.now);
                self.last_error = None;
                if self.paused() {
                    self.held_updates += 1;
                }
                self.take_data(snap, true);
                vec![]
            }
            Event::OpProgress(p) => {
                if let Some(r) = self.operation.as_mut().filter(|r| r.is_running()) {
                    r.progress = Some(p);
                }
                vec![]
            }
            Event::Unfinished { rotations, broken } => {
                self.unfinished = rotations.clone();
                if !rotations.is_empty() || !broken.is_empty() {
                    self.mode = Mode::Resume(ResumeOffer {
                        rotations,
                        broken,
                        selected: 0,
                    });
                }
                vec![]
            }
            Event::Audit(entries) => {
                let scroll = entries.as_ref().map_or(0, |e| e.len().saturating_sub(1));
                self.mode = Mode::Audit(AuditView { entries, scroll });
                vec![]
            }
            Event::Data(Err(e)) => {
                self.last_error = Some(e);
                vec![]
            }
            Event::OpDone { op, result } => {
                let ended = match &result {
                    Ok(o) => Ok(o.message.clone()),
                    Err(e) => Err(e.clone()),
                };
                match &mut self.operation {
                    Some(r) if r.op == op && r.is_running() => r.ended = Some(ended),
                    _ => {
                        self.operation = Some(Running {
                            op: op.clone(),
                            progress: None,
                            ended: Some(ended),
                        })
                    }
                }
                if matches!(self.mode, Mode::Operation) {
                    self.mode = Mode::Normal;
                }
                match result {
                    Ok(OpOutcome { message, secret }) => {
                        self.message = Some((Level::Info, message));
                        if let Op::ToggleRule(t) = &op {
                            self.pending.push(Pending {
                                toggle: t.clone(),
                                reads: 0,
                            });
                            if let Some(raw) = self.raw.clone() {
                                self.take_data(raw, false);
                            }
                        }
                        if let Op::ResumeRotation { id, .. } = &op {
                            self.unfinished.retain(|r| r.id != *id);
                        }
                        if let Some(secret) = secret {
                            self.mode = Mode::Reveal(Reveal {
                                title: format!("New key for {}", op.subject()),
                                secret,
                                revealed: false,
                            });
                        }
                    }
                    Err(e) => self.message = Some((Level::Error, e.about(&op))),
                }
                vec![]
            }
            Event::ThemeFailed(e) => {
                self.message = Some((Level::Error, e));
                vec![]
            }
            Event::KeyValue { key_id, result } => {
                // Only while the detail of that key is still open.
                if let Some(v) = self.key_value.as_mut().filter(|v| v.key_id == key_id) {
                    v.value = Some(result);
                }
                vec![]
            }
            Event::ThemeLoaded(name) => {
                self.message = Some((Level::Info, format!("theme {name}")));
                self.theme_name = name;
                vec![]
            }
        }
    }

    /// `v` in a key's detail: read its value from the source (refused in read-only mode, where
    /// nothing secret is shown), or hide it again.
    fn toggle_key_value(&mut self) -> Vec<Effect> {
        if self.key_value.take().is_some() || self.screen != Screen::Keys {
            return vec![];
        }
        if self.read_only {
            self.message = Some((
                Level::Error,
                "read-only mode: key values are not shown (--read-only, or read_only in the \
                 config file)"
                    .into(),
            ));
            return vec![];
        }
        let Some(d) = self.data() else { return vec![] };
        let rows = api_keys::keys(d, &self.view(Screen::Keys).filter);
        let Some(k) = rows.get(self.selected(Screen::Keys)) else {
            return vec![];
        };
        let key_id = k.id.to_string();
        self.key_value = Some(api_keys::KeyValue {
            key_id: key_id.clone(),
            value: None,
        });
        vec![Effect::ReadKeyValue(key_id)]
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

    fn on_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        self.last_key = self.now;
        if self.idle {
            // Back from idle: the normal pace again, and a fresh read at once.
            self.idle = false;
            let mut cmds = vec![Effect::SetRefresh(self.refresh), Effect::Refresh];
            cmds.extend(self.on_key_inner(k));
            return cmds;
        }
        self.on_key_inner(k)
    }

    fn on_key_inner(&mut self, k: KeyEvent) -> Vec<Effect> {
        if bindings::is_ctrl_c(&k) {
            // Always quits, from any mode; while an operation runs, the second time.
            return self.on_action(KeyAction::Quit);
        }
        let mode = self.mode.key_mode();
        let action = self.keymap.action(mode, &k);
        let help_lines = self.keymap.help().len();
        let outcome = match &mut self.mode {
            Mode::Normal => return self.main_key(&k),
            Mode::Filter => modes::filter(&mut self.views[self.screen.index()], action, &k),
            Mode::CommandLine(line) => modes::command_line(line, action, &k),
            Mode::Confirm(c) => modes::confirm(c, action),
            Mode::Pick(p) => modes::pick(p, action),
            Mode::Resume(o) => modes::resume(o, action),
            Mode::Help(scroll) => modes::help(scroll, help_lines, action),
            Mode::Detail | Mode::Operation => modes::popup(action),
            Mode::Audit(v) => modes::audit(v, action),
            Mode::Reveal(r) => modes::reveal(r, action),
        };
        if !matches!(outcome, Outcome::RevealValue) {
            // A key's value is shown only until the detail is left.
            self.key_value = None;
        }
        if action.is_none() && mode.falls_through() {
            // Not the popup's key: the screens' keys have it.
            return self.main_key(&k);
        }
        self.apply(outcome)
    }

    /// A key for the screens.
    fn main_key(&mut self, k: &KeyEvent) -> Vec<Effect> {
        self.message = None;
        match self.keymap.action(KeyMode::Main, k) {
            Some(a) => self.on_action(a),
            None => vec![],
        }
    }

    /// What a mode's key asked for, done: the one place a mode changes the application.
    fn apply(&mut self, outcome: Outcome) -> Vec<Effect> {
        match outcome {
            Outcome::Stay => {}
            Outcome::Close => self.mode = Mode::Normal,
            Outcome::CloseSaying(level, text) => {
                self.mode = Mode::Normal;
                self.message = Some((level, text));
            }
            Outcome::Say(level, text) => self.message = Some((level, text)),
            Outcome::PassOn(a) => return self.on_action(a),
            Outcome::Ask(op) => self.confirm(op),
            Outcome::Run(c) => {
                self.mode = Mode::Normal;
                return self.run(c);
            }
            Outcome::Resume { rotation, rollback } => {
                self.mode = Mode::Normal;
                self.ask_resume(&rotation, rollback);
            }
            Outcome::CommandLine(line) => {
                self.mode = Mode::Normal;
                return self.run_command(&line);
            }
            Outcome::RevealValue => return self.toggle_key_value(),
        }
        vec![]
    }

    /// Confirmed: run it, unless read-only or a dry run.
    fn run(&mut self, c: Confirm) -> Vec<Effect> {
        if self.read_only {
            return self.error(procedure::say::READ_ONLY_UNCHANGED.into());
        }
        if self.dry_run {
            self.message = Some((Level::Info, procedure::say::DRY_RUN.into()));
            return vec![Effect::DryRun(c.op, c.plan)];
        }
        self.message = Some((Level::Info, format!("running: {}", c.op.summary())));
        self.operation = Some(Running {
            op: c.op.clone(),
            progress: None,
            ended: None,
        });
        if matches!(c.op, Op::RotateKey { .. } | Op::ResumeRotation { .. }) {
            self.mode = Mode::Operation;
        }
        vec![Effect::Apply(c.op)]
    }

    /// Finish or roll back an unfinished rotation: the plan, to confirm.
    fn ask_resume(&mut self, r: &Rotation, rollback: bool) {
        if !self.may_start("finishing or rolling back a rotation") {
            return;
        }
        let op = Op::ResumeRotation {
            id: r.id.clone(),
            key_name: crate::model::Text::new(&r.old_key_name),
            rollback,
        };
        let plan = ops::resume_plan(r, rollback);
        self.mode = Mode::Confirm(Confirm {
            op,
            plan,
            focus: Button::Cancel,
        });
    }

    pub fn on_action(&mut self, a: KeyAction) -> Vec<Effect> {
        let popup = self.mode.key_mode().falls_through();
        if a != KeyAction::Quit {
            self.quit_armed = false;
        }
        match a {
            KeyAction::Quit => {
                if self.busy() && !self.quit_armed {
                    self.quit_armed = true;
                    self.message = Some((
                        Level::Error,
                        "an operation is running: quitting stops it where it is (a rotation can be finished or rolled back at the next start). Press q (or Ctrl-C) again to quit."
                            .into(),
                    ));
                    return vec![];
                }
                self.quit = true;
                return vec![Effect::Quit];
            }
            KeyAction::Operation => {
                if self.operation.is_some() {
                    self.mode = Mode::Operation;
                } else {
                    self.message = Some((Level::Info, "no operation has run yet".into()));
                }
                return vec![];
            }
            KeyAction::AuditLog => return vec![Effect::ShowAudit],
            KeyAction::GoTo(s) => self.screen = s,
            KeyAction::NextScreen => self.screen = self.screen.next(),
            KeyAction::PrevScreen => self.screen = self.screen.prev(),
            KeyAction::Down => self.move_by(1),
            KeyAction::Up => self.move_by(-1),
            KeyAction::PageDown => self.move_by(PAGE as isize),
            KeyAction::PageUp => self.move_by(-(PAGE as isize)),
            KeyAction::Top => self.view_mut().selected = 0,
            KeyAction::Bottom => {
                let n = self.row_count(self.screen);
                self.view_mut().selected = n.saturating_sub(1);
            }
            KeyAction::Open => self.open(),
            KeyAction::Back => {
                if !popup {
                    self.view_mut().filter.clear();
                }
            }
            KeyAction::Filter => self.mode = Mode::Filter,
            KeyAction::CommandLine => self.mode = Mode::CommandLine(String::new()),
            KeyAction::Help => self.mode = Mode::Help(0),
            KeyAction::Pause => self.toggle_pause(),
            KeyAction::Refresh => {
                self.message = Some((Level::Info, "refreshing…".into()));
                return vec![Effect::Refresh];
            }
            KeyAction::ToggleRule => self.ask_toggle(),
            KeyAction::RotateKey => self.ask_rotate(),
            // The popups' own actions: the screens have none of them.
            KeyAction::Close
            | KeyAction::SwitchButton
            | KeyAction::Choose
            | KeyAction::Cancel
            | KeyAction::RevealValue
            | KeyAction::Finish
            | KeyAction::RollBack
            | KeyAction::Later => {}
        }
        if popup && !matches!(a, KeyAction::Help | KeyAction::Open | KeyAction::Operation) {
            // Moving or switching while a popup is open closes it.
            if !matches!(
                self.mode,
                Mode::Filter | Mode::CommandLine(_) | Mode::Confirm(_)
            ) {
                self.mode = Mode::Normal;
            }
        }
        vec![]
    }

    fn move_by(&mut self, delta: isize) {
        let n = self.row_count(self.screen);
        let cur = self.selected(self.screen) as isize;
        self.view_mut().selected = (cur + delta).clamp(0, n.saturating_sub(1) as isize) as usize;
    }

    fn open(&mut self) {
        if self.row_count(self.screen) == 0 {
            return;
        }
        let Some(l) = self.loaded() else { return };
        match self.screen.home().open(l, self.selected(self.screen)) {
            Open::Detail => self.mode = Mode::Detail,
            Open::Go(s) => self.screen = s,
            Open::Nothing => {}
        }
    }

    fn toggle_pause(&mut self) {
        if self.frozen.take().is_none() {
            self.frozen = self.live.clone();
            self.held_updates = 0;
        }
    }

    /// The procedure's checks (read-only, one at a time); a refusal is said in the footer.
    fn may_start(&mut self, what: &str) -> bool {
        match procedure::check(self.read_only, self.busy(), what) {
            Ok(()) => true,
            Err(e) => {
                self.message = Some((Level::Error, e.to_string()));
                false
            }
        }
    }

    /// An operation only works on its own screen: say where to go.
    fn only_on(&mut self, screen: Screen, action: KeyAction, what: &str) -> bool {
        if self.screen != screen {
            let (key, go) = (
                self.keymap.label(&action.name()),
                self.keymap.label(&screen.action_name()),
            );
            self.message = Some((
                Level::Info,
                format!("{key} {what}: go to the {} screen ({go})", screen.title()),
            ));
        }
        self.screen == screen
    }

    /// Ask to confirm `found`, or say why it cannot be.
    fn ask(&mut self, found: Result<Op, OpError>) {
        match found {
            Ok(op) => self.confirm(op),
            Err(e) => self.message = Some((Level::Error, e.to_string())),
        }
    }

    fn ask_toggle(&mut self) {
        if !self.only_on(Screen::Waf, KeyAction::ToggleRule, "toggles a WAF rule")
            || !self.may_start("toggling a WAF rule")
        {
            return;
        }
        let Some(d) = self.data() else { return };
        let rules = waf::rules(d, &self.view(Screen::Waf).filter);
        let Some((acl, rule)) = rules.get(self.selected(Screen::Waf)).copied() else {
            return;
        };
        if matches!(rule.kind, RuleKind::ManagedGroup { .. }) && !rule.pending {
            let choices = operation::group_choices(acl, rule);
            if !choices.is_empty() {
                self.mode = Mode::Pick(Pick {
                    title: format!("Toggle what in rule group {}?", rule.name),
                    choices,
                    selected: 0,
                });
                return;
            }
        }
        let found = procedure::toggle_of(acl, rule, None);
        self.ask(found);
    }

    fn ask_rotate(&mut self) {
        if !self.only_on(Screen::Keys, KeyAction::RotateKey, "rotates an API key")
            || !self.may_start("rotating an API key")
        {
            return;
        }
        let Some(d) = self.data() else { return };
        let keys = api_keys::keys(d, &self.view(Screen::Keys).filter);
        let Some(key) = keys.get(self.selected(Screen::Keys)) else {
            return;
        };
        let found = procedure::rotation_of(key);
        self.ask(found);
    }

    fn confirm(&mut self, op: Op) {
        let Some(d) = self.data() else { return };
        let plan = ops::plan(&op, d);
        self.mode = Mode::Confirm(Confirm {
            op,
            plan,
            focus: Button::Cancel,
        });
    }

    /// Run a `:` command line.
    pub fn run_command(&mut self, line: &str) -> Vec<Effect> {
        let mut words = line.split_whitespace();
        let cmd = words.next().unwrap_or("");
        let arg = words.next();
        match (cmd, arg) {
            ("", _) => vec![],
            ("q" | "quit", _) => {
                self.mode = Mode::Normal;
                self.on_action(KeyAction::Quit)
            }
            // vim's "quit, whatever": no second asking.
            ("q!", _) => {
                self.quit = true;
                vec![Effect::Quit]
            }
            ("theme", Some(name)) => vec![Effect::LoadTheme(name.to_string())],
            ("refresh", Some(secs)) => match secs.parse::<u64>() {
                Ok(s) if (1..=3600).contains(&s) => {
                    self.refresh = Duration::from_secs(s);
                    self.message = Some((Level::Info, format!("polling every {s} s")));
                    vec![Effect::SetRefresh(self.refresh)]
                }
                _ => self.error(format!(
                    ":refresh takes whole seconds from 1 to 3600, not '{secs}'"
                )),
            },
            ("help", _) => {
                self.mode = Mode::Help(0);
                vec![]
            }
            ("audit", _) => vec![Effect::ShowAudit],
            ("rotations", _) => {
                if self.unfinished.is_empty() {
                    self.message = Some((Level::Info, "no unfinished rotation".into()));
                } else {
                    self.mode = Mode::Resume(ResumeOffer {
                        rotations: self.unfinished.clone(),
                        broken: Vec::new(),
                        selected: 0,
                    });
                }
                vec![]
            }
            ("theme" | "refresh", None) => {
                self.error(format!(":{cmd} needs an argument (see ? for help)"))
            }
            _ => self.error(format!(
                "unknown command :{cmd} (try :theme, :refresh, :audit, :rotations, :q)"
            )),
        }
    }

    fn error(&mut self, msg: String) -> Vec<Effect> {
        self.message = Some((Level::Error, msg));
        vec![]
    }
}

#[cfg(test)]
mod tests;
