//! Keys to actions, per mode. Each mode has one table of defaults; the config file's `[keys]`
//! table can rebind them ([`super::keymap::Keymap::with`]). The key handlers and the help both read the
//! keymap in force, so help never disagrees with what the keys do.
//!
//! Not rebindable: Ctrl-C, which always quits (a way out that no config can take away), and
//! the keys of the filter and the command line, which are text: every character types itself.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::screens::Screen;

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

/// A default binding: the keys, the action, and what help says of it.
pub struct Binding {
    pub keys: &'static [Key],
    pub action: KeyAction,
    pub help: &'static str,
}

macro_rules! k {
    ($c:literal) => {
        Key(KeyCode::Char($c), NONE)
    };
    (ctrl $c:literal) => {
        Key(KeyCode::Char($c), CTRL)
    };
    ($code:ident) => {
        Key(KeyCode::$code, NONE)
    };
}

macro_rules! bind {
    ($action:expr, [$($key:tt)+], $help:literal) => {
        Binding {
            keys: &[$(k!($key)),+],
            action: $action,
            help: $help,
        }
    };
}

/// The screens' keys, after the number keys of the screens themselves (made from the screen
/// registry by [`super::keymap::Keymap`], `1` for the first).
pub const MAIN: &[Binding] = &[
    bind!(KeyAction::NextScreen, [Tab Right], "next screen"),
    bind!(KeyAction::PrevScreen, [BackTab Left], "previous screen"),
    bind!(KeyAction::Down, ['j' Down], "next row"),
    bind!(KeyAction::Up, ['k' Up], "previous row"),
    Binding {
        keys: &[k!(PageDown), k!(ctrl 'd')],
        action: KeyAction::PageDown,
        help: "page down",
    },
    Binding {
        keys: &[k!(PageUp), k!(ctrl 'u')],
        action: KeyAction::PageUp,
        help: "page up",
    },
    bind!(KeyAction::Top, ['g' Home], "first row"),
    bind!(KeyAction::Bottom, ['G' End], "last row"),
    bind!(
        KeyAction::Open,
        [Enter],
        "row details (Overview: go there; places: narrow first)"
    ),
    bind!(KeyAction::Back, [Esc], "close, or clear the filter"),
    bind!(KeyAction::Filter, ['/'], "filter the table in view"),
    bind!(
        KeyAction::CommandLine,
        [':'],
        "command line (:range, :theme, :refresh, :audit, :q)"
    ),
    bind!(KeyAction::Help, ['?'], "this help"),
    bind!(
        KeyAction::Pause,
        ['p' ' '],
        "pause the screen (data keeps arriving)"
    ),
    bind!(KeyAction::Refresh, ['R'], "refresh now"),
    bind!(
        KeyAction::NarrowRange,
        ['['],
        "a shorter time range (:range 15m…7d)"
    ),
    bind!(KeyAction::WidenRange, [']'], "a longer time range"),
    bind!(
        KeyAction::ToggleRule,
        ['t'],
        "WAF: toggle Block ↔ Count (a group: choose what)"
    ),
    bind!(KeyAction::RotateKey, ['r'], "Keys: rotate the API key"),
    bind!(
        KeyAction::BlockAddress,
        ['b'],
        "Origins, Access: block the client address in an IP set"
    ),
    bind!(
        KeyAction::RateLimit,
        ['L'],
        "WAF: change a rate-based rule's limit"
    ),
    bind!(
        KeyAction::DisableKey,
        ['d'],
        "Keys: disable the API key (or enable it again)"
    ),
    bind!(
        KeyAction::Operation,
        ['O'],
        "the running (or last) operation, step by step"
    ),
    bind!(
        KeyAction::AuditLog,
        ['a'],
        "the audit log: who changed what, when"
    ),
    bind!(KeyAction::Quit, ['q'], "quit (Ctrl-C always quits)"),
    bind!(
        KeyAction::Sort,
        ['s'],
        "sort by the next column (after the last: its own order)"
    ),
    bind!(KeyAction::ReverseSort, ['S'], "sort the other way"),
    bind!(
        KeyAction::Copy,
        ['y'],
        "copy the row's name (an address, a key id; never a value)"
    ),
    bind!(KeyAction::CopyRow, ['Y'], "copy the whole row as text"),
    bind!(
        KeyAction::Console,
        ['o'],
        "copy the AWS console's URL of the row's resource"
    ),
    bind!(
        KeyAction::HistoryBack,
        ['-'],
        "back: the screen and filter before"
    ),
    bind!(KeyAction::HistoryForward, ['+'], "forward again"),
];

const FILTER: &[Binding] = &[
    bind!(KeyAction::Close, [Enter], "keep the filter"),
    bind!(KeyAction::Cancel, [Esc], "clear the filter"),
    bind!(KeyAction::Down, [Down], "next row"),
    bind!(KeyAction::Up, [Up], "previous row"),
];

const COMMAND_LINE: &[Binding] = &[
    bind!(KeyAction::Choose, [Enter], "run the command"),
    bind!(KeyAction::Cancel, [Esc], "leave the command line"),
];

const CONFIRM: &[Binding] = &[
    bind!(
        KeyAction::SwitchButton,
        [Tab BackTab Left Right 'h' 'l'],
        "move between Cancel and Confirm"
    ),
    bind!(KeyAction::Choose, [Enter], "press the button in focus"),
    bind!(KeyAction::Cancel, [Esc 'q' 'n'], "cancel: change nothing"),
];

const PICK: &[Binding] = &[
    bind!(KeyAction::Down, ['j' Down], "next choice"),
    bind!(KeyAction::Up, ['k' Up], "previous choice"),
    bind!(KeyAction::Choose, [Enter], "take this one"),
    bind!(KeyAction::Cancel, [Esc 'q'], "cancel"),
];

const RESUME: &[Binding] = &[
    bind!(KeyAction::Down, ['j' Down], "next rotation"),
    bind!(KeyAction::Up, ['k' Up], "previous rotation"),
    bind!(KeyAction::Finish, ['f'], "finish the rotation"),
    bind!(KeyAction::RollBack, ['b'], "roll it back"),
    bind!(KeyAction::Later, ['l' Esc 'q'], "decide later (:rotations)"),
];

const HELP: &[Binding] = &[
    bind!(KeyAction::Down, ['j' Down], "scroll down"),
    bind!(KeyAction::Up, ['k' Up], "scroll up"),
    bind!(KeyAction::PageDown, [PageDown], "page down"),
    bind!(KeyAction::PageUp, [PageUp], "page up"),
    bind!(KeyAction::Top, ['g' Home], "to the top"),
    bind!(KeyAction::Bottom, ['G' End], "to the end"),
    bind!(KeyAction::Close, [Esc Enter 'q' '?'], "close"),
];

const DETAIL: &[Binding] = &[
    bind!(
        KeyAction::RevealValue,
        ['v'],
        "a key's detail: show or hide its value"
    ),
    bind!(KeyAction::Close, [Esc Enter 'q' '?'], "close"),
];

const OPERATION: &[Binding] = &[bind!(KeyAction::Close, [Esc Enter 'q' '?'], "close")];

const AUDIT: &[Binding] = &[
    bind!(KeyAction::Down, ['j' Down], "later entries"),
    bind!(KeyAction::Up, ['k' Up], "earlier entries"),
    bind!(KeyAction::Top, ['g' Home], "the first entry"),
    bind!(KeyAction::Bottom, ['G' End], "the last entry"),
    bind!(
        KeyAction::Undo,
        ['u'],
        "undo the entry in view (the last shown)"
    ),
    bind!(
        KeyAction::DeleteOldKey,
        ['x'],
        "a finished rotation: delete its old key"
    ),
    bind!(KeyAction::Close, [Esc Enter 'q' 'a'], "close"),
];

const INPUT: &[Binding] = &[
    bind!(KeyAction::Choose, [Enter], "take the value"),
    bind!(KeyAction::Cancel, [Esc], "cancel: change nothing"),
];

const REVEAL: &[Binding] = &[
    bind!(KeyAction::RevealValue, ['v'], "show or hide the value"),
    bind!(KeyAction::Close, [Esc Enter 'q'], "close"),
];

const REPLAY: &[Binding] = &[
    bind!(KeyAction::PlayPause, [' '], "pause the replay, or play on"),
    bind!(KeyAction::StepBack, [Left], "one poll back (paused)"),
    bind!(KeyAction::StepOn, [Right], "one poll on (paused)"),
    bind!(KeyAction::Faster, ['>'], "faster (up to 60×)"),
    bind!(KeyAction::Slower, ['<'], "slower (down to ¼×)"),
];

const TOUR: &[Binding] = &[
    bind!(KeyAction::NextCaption, [' '], "the tour's next caption"),
    bind!(
        KeyAction::PreviousCaption,
        [Backspace],
        "the caption before"
    ),
];

/// The `:` commands, for help.
pub const COMMANDS: &[(&str, &str)] = &[
    (
        ":range R",
        "the time range: 15m, 1h, 3h, 12h, 24h, 3d or 7d",
    ),
    (
        ":compare W",
        "beside the same window 1d or 7d before; or off",
    ),
    (
        ":theme NAME",
        "switch theme (dark, light, high-contrast, mono, or a file)",
    ),
    (":refresh SECS", "poll every SECS seconds"),
    (
        ":scope NAME",
        "only the accounts or regions NAME names; :scope for all",
    ),
    (
        ":split HOW",
        "the Overview's charts per account, per region, or none",
    ),
    (":audit", "the audit log"),
    (
        ":block ADDR [for DUR]",
        "block an address or range (:block 203.0.113.7 for 1h)",
    ),
    (
        ":rotations",
        "rotations that did not finish: finish or roll back",
    ),
    (
        ":at TIME",
        "a replay: to 14:05 (UTC), or +5m from its start",
    ),
    (":q", "quit"),
];

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
