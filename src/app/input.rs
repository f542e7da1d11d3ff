//! Keys: each mode's (looked up in the keymap in force, answered in [`super::modes`]) and the
//! screens' own, and what they do to the state.

use super::*;

impl App {
    pub(super) fn on_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        // When a key arrived and in what mode, never which (it may be typed text).
        tracing::debug!(mode = ?self.mode.key_mode(), screen = ?self.screen, "key");
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

    pub(super) fn on_key_inner(&mut self, k: KeyEvent) -> Vec<Effect> {
        if bindings::is_ctrl_c(&k) {
            // Always quits, from any mode; while an operation runs, the second time.
            return self.on_action(KeyAction::Quit);
        }
        let mode = self.mode.key_mode();
        let action = self.keymap.action(mode, &k);
        let outcome = match &mut self.mode {
            Mode::Normal => return self.main_key(&k),
            Mode::Filter => modes::filter(&mut self.views[self.screen.index()], action, &k),
            Mode::CommandLine(line) => modes::command_line(line, action, &k),
            Mode::Confirm(c) => modes::confirm(c, action, &k),
            Mode::Input(i) => modes::input(i, action, &k),
            Mode::Pick(p) => modes::pick(p, action),
            Mode::Resume(o) => modes::resume(o, action),
            Mode::Help(scroll) => modes::help(scroll, self.keymap.help().len(), action),
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
    pub(super) fn main_key(&mut self, k: &KeyEvent) -> Vec<Effect> {
        self.message = None;
        // A tour's keys first, then a replay's, then the screens'.
        let layers = [
            (self.tour.is_some(), KeyMode::Tour),
            (self.replay.is_some(), KeyMode::Replay),
        ];
        for (on, mode) in layers {
            if let Some(a) = self.keymap.action(mode, k).filter(|_| on) {
                return self.on_replay_action(a);
            }
        }
        match self.keymap.action(KeyMode::Main, k) {
            Some(a) => self.on_action(a),
            None => vec![],
        }
    }

    /// What a mode's key asked for, done: the one place a mode changes the application.
    pub(super) fn apply(&mut self, outcome: Outcome) -> Vec<Effect> {
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
            Outcome::BlockAddress(a) => self.ask_block_for(a),
            Outcome::Submit(i) => {
                self.mode = Mode::Normal;
                self.submit(i);
            }
            Outcome::Undo(i) => self.ask_undo(i),
            Outcome::DeleteOldKey(i) => self.ask_delete_old(i),
        }
        vec![]
    }

    /// `q`: quit, unless an operation is running, which a second `q` is asked to confirm.
    fn quit(&mut self) -> Vec<Effect> {
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
        vec![Effect::Quit]
    }

    /// `O`: the last operation's view, if one has run.
    fn show_operation(&mut self) -> Vec<Effect> {
        if self.operation.is_some() {
            self.mode = Mode::Operation;
        } else {
            self.message = Some((Level::Info, "no operation has run yet".into()));
        }
        vec![]
    }

    /// Moving or switching while a popup is open closes it (not the filter, the command line
    /// or a confirmation, which are being typed in).
    fn close_popup(&mut self) {
        if !matches!(
            self.mode,
            Mode::Filter | Mode::CommandLine(_) | Mode::Confirm(_)
        ) {
            self.mode = Mode::Normal;
        }
    }

    pub fn on_action(&mut self, a: KeyAction) -> Vec<Effect> {
        let popup = self.mode.key_mode().falls_through();
        if a != KeyAction::Quit {
            self.quit_armed = false;
        }
        match a {
            KeyAction::Quit => return self.quit(),
            KeyAction::Operation => return self.show_operation(),
            KeyAction::AuditLog => return vec![Effect::ShowAudit],
            KeyAction::GoTo(s) => self.go_to(s),
            KeyAction::NextScreen => self.go_to(self.screen.next()),
            KeyAction::PrevScreen => self.go_to(self.screen.prev()),
            KeyAction::Sort => self.sort_next(),
            KeyAction::ReverseSort => self.sort_reverse(),
            KeyAction::Copy => return self.copy(false),
            KeyAction::CopyRow => return self.copy(true),
            KeyAction::Console => return self.console(),
            KeyAction::HistoryBack => self.travel(true),
            KeyAction::HistoryForward => self.travel(false),
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
                if !popup && !self.view(self.screen).filter.is_empty() {
                    self.remember();
                    self.view_mut().filter.clear();
                }
            }
            KeyAction::Filter => {
                self.remember();
                self.mode = Mode::Filter;
            }
            KeyAction::CommandLine => self.mode = Mode::CommandLine(String::new()),
            KeyAction::Help => self.mode = Mode::Help(0),
            KeyAction::Pause => self.toggle_pause(),
            KeyAction::Refresh if self.replay_refuses("it reads nothing again") => {}
            KeyAction::Refresh => {
                self.message = Some((Level::Info, "refreshing…".into()));
                return vec![Effect::Refresh];
            }
            KeyAction::NarrowRange => return self.set_range(self.range.narrower()),
            KeyAction::WidenRange => return self.set_range(self.range.wider()),
            KeyAction::ToggleRule => self.ask_toggle(),
            KeyAction::RotateKey => self.ask_rotate(),
            KeyAction::BlockAddress => self.ask_block(),
            KeyAction::RateLimit => self.ask_rate_limit(),
            KeyAction::DisableKey => self.ask_disable(),
            // The popups' own actions: the screens have none of them.
            KeyAction::Close
            | KeyAction::SwitchButton
            | KeyAction::Choose
            | KeyAction::Cancel
            | KeyAction::RevealValue
            | KeyAction::Undo
            | KeyAction::DeleteOldKey
            | KeyAction::Finish
            | KeyAction::RollBack
            | KeyAction::Later => {}
            KeyAction::PlayPause
            | KeyAction::StepBack
            | KeyAction::StepOn
            | KeyAction::Faster
            | KeyAction::Slower
            | KeyAction::NextCaption
            | KeyAction::PreviousCaption => return self.on_replay_action(a),
        }
        if popup && !matches!(a, KeyAction::Help | KeyAction::Open | KeyAction::Operation) {
            self.close_popup();
        }
        vec![]
    }

    /// To another screen, remembered for `-`.
    fn go_to(&mut self, s: Screen) {
        if s != self.screen {
            self.remember();
            self.screen = s;
        }
    }

    pub(super) fn move_by(&mut self, delta: isize) {
        let n = self.row_count(self.screen);
        let cur = self.selected(self.screen) as isize;
        self.view_mut().selected = (cur + delta).clamp(0, n.saturating_sub(1) as isize) as usize;
    }

    pub(super) fn open(&mut self) {
        if self.row_count(self.screen) == 0 {
            return;
        }
        let Some(l) = self.loaded() else { return };
        let selected = self.selected(self.screen);
        match self.screen.home().open(l, self.view(self.screen), selected) {
            // With several places in view, Enter first narrows the view to the row's place,
            // the row still selected; Enter again opens its detail.
            Open::Detail if self.places_in_view() > 1 && self.screen.home().rows_are_placed() => {
                let places = self.screen.home().row_places(l, self.view(self.screen));
                let Some(&place) = places.get(selected) else {
                    self.mode = Mode::Detail;
                    return;
                };
                let Some(name) = l.snapshot.place_info(place).map(|i| i.name()) else {
                    self.mode = Mode::Detail;
                    return;
                };
                let before = places[..selected].iter().filter(|p| **p == place).count();
                self.set_scope(Some(&name));
                self.view_mut().selected = before;
                self.message = Some((
                    Level::Info,
                    format!("only {name} in view: Enter again for the detail, :scope to see all"),
                ));
            }
            Open::Detail => self.mode = Mode::Detail,
            Open::Go(s, place, row) => {
                // Into the row's scope: the screen shows the place the finding is about.
                let name = place
                    .and_then(|p| l.snapshot.place_info(p))
                    .map(|i| i.name());
                self.remember();
                self.screen = s;
                if let Some(name) = name {
                    self.set_scope(Some(&name));
                }
                // Onto its row, when it is about one.
                if let Some(row) = row {
                    let v = self.view_mut();
                    v.filter = row;
                    v.selected = 0;
                }
            }
            Open::Nothing => {}
        }
    }

    pub(super) fn toggle_pause(&mut self) {
        if self.frozen.take().is_none() {
            self.frozen = self.live.clone();
            self.held_updates = 0;
        }
    }

    /// `v` in a key's detail: read its value from the source (refused in read-only mode, where
    /// nothing secret is shown), or hide it again.
    pub(super) fn toggle_key_value(&mut self) -> Vec<Effect> {
        if self.key_value.take().is_some() || self.screen != Screen::Keys {
            return vec![];
        }
        if self.read_only {
            let why = match &self.read_only_why {
                Some(why) => why.clone(),
                None => "read-only mode: key values are not shown (--read-only, or read_only in \
                         the config file)"
                    .into(),
            };
            self.message = Some((Level::Error, why));
            return vec![];
        }
        let Some(d) = self.data() else { return vec![] };
        let rows = api_keys::in_view(d, self.view(Screen::Keys));
        let Some(k) = rows.get(self.selected(Screen::Keys)) else {
            return vec![];
        };
        let (key_id, place) = (k.id.to_string(), k.place);
        if d.read_only_at(place) {
            self.message = Some((
                Level::Error,
                format!(
                    "{} is read-only: key values are not shown there",
                    d.place_info(place).map(|i| i.name()).unwrap_or_default()
                ),
            ));
            return vec![];
        }
        self.key_value = Some(api_keys::KeyValue {
            key_id: key_id.clone(),
            value: None,
        });
        vec![Effect::ReadKeyValue(place, key_id)]
    }
}
