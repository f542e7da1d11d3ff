//! Keys to actions, per mode. Each mode has one table of defaults; the config file's `[keys]`
//! table can rebind them ([`super::keymap::Keymap::with`]). The key handlers and the help both read the
//! keymap in force, so help never disagrees with what the keys do.
//!
//! Not rebindable: Ctrl-C, which always quits (a way out that no config can take away), and
//! the keys of the filter and the command line, which are text: every character types itself.

#[macro_use]
mod defaults;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::screens::Screen;
use defaults::*;
pub use defaults::{Binding, COMMANDS, MAIN};

/// What a key asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyAction {
    Quit,
    GoTo(Screen),
    NextScreen,
    PrevScreen,
    Down,
    Up,
    PageDown,
    PageUp,
    Top,
    Bottom,
    Open,
    Back,
    Filter,
    CommandLine,
    Help,
    Pause,
    Refresh,
    /// The time range: one step shorter, one step longer.
    NarrowRange,
    WidenRange,
    ToggleRule,
    RotateKey,
    /// Block the row's client address (Origins, Access).
    BlockAddress,
    /// A rate-based rule's limit (WAF).
    RateLimit,
    /// Disable the API key (or enable it again).
    DisableKey,
    /// Undo the audit log's entry in view.
    Undo,
    /// Delete the old key of the finished rotation in view.
    DeleteOldKey,
    /// The running (or last) operation's steps.
    Operation,
    AuditLog,
    /// Close a popup.
    Close,
    /// Move between a dialog's buttons.
    SwitchButton,
    /// Take the choice in focus.
    Choose,
    /// Leave without changing anything.
    Cancel,
    /// A key's value: show or hide it.
    RevealValue,
    /// Resume: finish the rotation, roll it back, or decide later.
    Finish,
    RollBack,
    Later,
    /// A replay: pause or play on; a poll back or on; faster or slower.
    PlayPause,
    StepBack,
    StepOn,
    Faster,
    Slower,
    /// A tour: the next caption, the one before.
    NextCaption,
    PreviousCaption,
    /// Sort the table by its next column; the other way.
    Sort,
    ReverseSort,
    /// Copy the selected row's identifier; the whole row.
    Copy,
    CopyRow,
    /// The console's page of the selected row's resource.
    Console,
    /// The screen and filter before (or after) this one.
    HistoryBack,
    HistoryForward,
}

impl KeyAction {
    /// Its name, as help and the config file's `[keys]` table say it.
    pub fn name(self) -> String {
        let name = match self {
            KeyAction::GoTo(s) => return s.action_name(),
            KeyAction::Quit => "quit",
            KeyAction::NextScreen => "next_screen",
            KeyAction::PrevScreen => "previous_screen",
            KeyAction::Down => "down",
            KeyAction::Up => "up",
            KeyAction::PageDown => "page_down",
            KeyAction::PageUp => "page_up",
            KeyAction::Top => "top",
            KeyAction::Bottom => "bottom",
            KeyAction::Open => "open",
            KeyAction::Back => "back",
            KeyAction::Filter => "filter",
            KeyAction::CommandLine => "command_line",
            KeyAction::Help => "help",
            KeyAction::Pause => "pause",
            KeyAction::Refresh => "refresh",
            KeyAction::NarrowRange => "narrow_range",
            KeyAction::WidenRange => "widen_range",
            KeyAction::ToggleRule => "toggle_rule",
            KeyAction::RotateKey => "rotate_key",
            KeyAction::BlockAddress => "block_address",
            KeyAction::RateLimit => "rate_limit",
            KeyAction::DisableKey => "disable_key",
            KeyAction::Undo => "undo",
            KeyAction::DeleteOldKey => "delete_old_key",
            KeyAction::Operation => "operation",
            KeyAction::AuditLog => "audit_log",
            KeyAction::Close => "close",
            KeyAction::SwitchButton => "switch_button",
            KeyAction::Choose => "choose",
            KeyAction::Cancel => "cancel",
            KeyAction::RevealValue => "reveal_value",
            KeyAction::Finish => "finish",
            KeyAction::RollBack => "roll_back",
            KeyAction::Later => "later",
            KeyAction::PlayPause => "play_pause",
            KeyAction::StepBack => "step_back",
            KeyAction::StepOn => "step_on",
            KeyAction::Faster => "faster",
            KeyAction::Slower => "slower",
            KeyAction::NextCaption => "next_caption",
            KeyAction::PreviousCaption => "previous_caption",
            KeyAction::Sort => "sort",
            KeyAction::ReverseSort => "reverse_sort",
            KeyAction::Copy => "copy",
            KeyAction::CopyRow => "copy_row",
            KeyAction::Console => "console",
            KeyAction::HistoryBack => "history_back",
            KeyAction::HistoryForward => "history_forward",
        };
        name.to_string()
    }
}

/// The modes that take keys, each with its own bindings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyMode {
    Main,
    Filter,
    CommandLine,
    Confirm,
    Pick,
    Resume,
    Help,
    Detail,
    Operation,
    Audit,
    Reveal,
    Input,
    /// A replay's own keys, before the screens'.
    Replay,
    /// A tour's own keys, before the replay's and the screens'.
    Tour,
}

impl KeyMode {
    pub const ALL: [KeyMode; 14] = [
        KeyMode::Main,
        KeyMode::Filter,
        KeyMode::CommandLine,
        KeyMode::Confirm,
        KeyMode::Pick,
        KeyMode::Resume,
        KeyMode::Help,
        KeyMode::Detail,
        KeyMode::Operation,
        KeyMode::Audit,
        KeyMode::Reveal,
        KeyMode::Input,
        KeyMode::Replay,
        KeyMode::Tour,
    ];

    /// How help and errors name it.
    pub fn title(self) -> &'static str {
        match self {
            KeyMode::Main => "the screens",
            KeyMode::Filter => "the filter (/)",
            KeyMode::CommandLine => "the command line (:)",
            KeyMode::Confirm => "a confirmation",
            KeyMode::Pick => "a choice (what to toggle)",
            KeyMode::Resume => "unfinished rotations",
            KeyMode::Help => "this help",
            KeyMode::Detail => "a row's detail",
            KeyMode::Operation => "an operation's steps",
            KeyMode::Audit => "the audit log",
            KeyMode::Reveal => "a new key's value",
            KeyMode::Input => "a value to type (a block's time, a new limit)",
            KeyMode::Replay => "a replay (edgetop replay FILE)",
            KeyMode::Tour => "a tour (--tour)",
        }
    }

    /// Text input: its keys are fixed, since every character types itself.
    pub fn fixed(self) -> bool {
        matches!(
            self,
            KeyMode::Filter | KeyMode::CommandLine | KeyMode::Input
        )
    }

    /// Popups over a screen let the screens' keys through: moving or switching closes them.
    pub fn falls_through(self) -> bool {
        matches!(self, KeyMode::Help | KeyMode::Detail | KeyMode::Operation)
    }

    /// The defaults, in the order help shows them.
    pub fn defaults(self) -> &'static [Binding] {
        match self {
            KeyMode::Main => MAIN,
            KeyMode::Filter => FILTER,
            KeyMode::CommandLine => COMMAND_LINE,
            KeyMode::Confirm => CONFIRM,
            KeyMode::Pick => PICK,
            KeyMode::Resume => RESUME,
            KeyMode::Help => HELP,
            KeyMode::Detail => DETAIL,
            KeyMode::Operation => OPERATION,
            KeyMode::Audit => AUDIT,
            KeyMode::Reveal => REVEAL,
            KeyMode::Input => INPUT,
            KeyMode::Replay => REPLAY,
            KeyMode::Tour => TOUR,
        }
    }
}

/// One key: a code and the modifiers that must be held.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key(pub KeyCode, pub KeyModifiers);

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;

/// Ctrl-C: always quits, in every mode, and cannot be rebound.
pub const CTRL_C: Key = Key(KeyCode::Char('c'), CTRL);

/// Names of the keys that are not one character, as labels and the config file write them.
const NAMED: &[(KeyCode, &str, &[&str])] = &[
    (KeyCode::Char(' '), "Space", &[]),
    (KeyCode::Enter, "Enter", &["Return"]),
    (KeyCode::Esc, "Esc", &["Escape"]),
    (KeyCode::Tab, "Tab", &[]),
    (KeyCode::BackTab, "Shift-Tab", &["BackTab"]),
    (KeyCode::Backspace, "Backspace", &[]),
    (KeyCode::Up, "↑", &["Up"]),
    (KeyCode::Down, "↓", &["Down"]),
    (KeyCode::Left, "←", &["Left"]),
    (KeyCode::Right, "→", &["Right"]),
    (KeyCode::PageUp, "PgUp", &["PageUp"]),
    (KeyCode::PageDown, "PgDn", &["PageDown"]),
    (KeyCode::Home, "Home", &[]),
    (KeyCode::End, "End", &[]),
    (KeyCode::Delete, "Delete", &["Del"]),
    (KeyCode::Insert, "Insert", &["Ins"]),
];

impl Key {
    pub fn label(self) -> String {
        let base = match self.0 {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::F(n) => format!("F{n}"),
            code => NAMED
                .iter()
                .find(|(c, ..)| *c == code)
                .map_or_else(|| format!("{code:?}"), |(_, name, _)| name.to_string()),
        };
        if self.1.contains(CTRL) {
            format!("Ctrl-{base}")
        } else {
            base
        }
    }

    /// A key as the config file writes it: one character (`x`, `X`, `?`), a name (`Enter`,
    /// `Esc`, `Tab`, `Shift-Tab`, `Up`/`↑`, `PgDn`, `Home`, `Space`, `F5`…), either with a
    /// `Ctrl-` in front. Names are not case-sensitive; single letters are.
    pub fn parse(s: &str) -> Result<Key, String> {
        let (mods, rest) = match s.get(..5).filter(|p| p.eq_ignore_ascii_case("ctrl-")) {
            Some(_) => (CTRL, &s[5..]),
            None => (NONE, s),
        };
        let mut chars = rest.chars();
        let one = match (chars.next(), chars.next()) {
            // A character help would have to escape (a bidi override, a zero-width space) is
            // no key anyone can see to press.
            (Some(c), None) if !crate::model::text::is_unsafe(c) => Some(KeyCode::Char(c)),
            _ => None,
        };
        let code = NAMED
            .iter()
            .find(|(_, name, also)| {
                std::iter::once(name)
                    .chain(also.iter())
                    .any(|n| n.eq_ignore_ascii_case(rest))
            })
            .map(|(code, ..)| *code)
            .or(one)
            .or_else(|| {
                let n: u8 = rest.strip_prefix(['F', 'f'])?.parse().ok()?;
                (1..=12).contains(&n).then_some(KeyCode::F(n))
            })
            .ok_or_else(|| {
                format!(
                    "unknown key '{}': write one character, or a name such as Enter, Esc, \
                         Tab, Space, Up, PgDn, Home, F5, with Ctrl- in front if held",
                    crate::model::text::escape(s)
                )
            })?;
        // Ctrl with a capital letter is what the terminal sends for the small one.
        let code = match code {
            KeyCode::Char(c) if mods == CTRL => KeyCode::Char(c.to_ascii_lowercase()),
            c => c,
        };
        Ok(Key(code, mods))
    }

    pub fn matches(self, ev: &KeyEvent) -> bool {
        // Shift is part of the character for letters (G, R), so compare without it.
        let mods = ev.modifiers - KeyModifiers::SHIFT;
        self.0 == ev.code && self.1 == mods
    }
}

pub fn is_ctrl_c(ev: &KeyEvent) -> bool {
    CTRL_C.matches(ev)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_as_the_config_writes_them() {
        assert_eq!(Key::parse("x"), Ok(k!('x')));
        assert_eq!(Key::parse("X"), Ok(k!('X')));
        assert_eq!(Key::parse("ctrl-D"), Ok(k!(ctrl 'd')));
        assert_eq!(Key::parse("Ctrl-d"), Ok(k!(ctrl 'd')));
        assert_eq!(Key::parse("pgdn"), Ok(k!(PageDown)));
        assert_eq!(Key::parse("↑"), Ok(k!(Up)));
        assert_eq!(Key::parse("Space"), Ok(k!(' ')));
        assert_eq!(Key::parse("F5"), Ok(Key(KeyCode::F(5), NONE)));
        assert!(Key::parse("F13").is_err());
        assert!(Key::parse("Hyper-x").is_err());
        assert!(Key::parse("").is_err());
        assert!(Key::parse("\u{202e}").is_err(), "a bidi override is no key");
        assert!(Key::parse("\u{200b}").is_err(), "nor a zero-width space");
        for m in KeyMode::ALL {
            for b in m.defaults() {
                for k in b.keys {
                    assert_eq!(Key::parse(&k.label()), Ok(*k), "{}", k.label());
                }
            }
        }
    }
}
