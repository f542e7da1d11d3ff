//! The default keys of each mode, as one table per mode, and the command line's commands.

use super::*;

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

pub(super) const FILTER: &[Binding] = &[
    bind!(KeyAction::Close, [Enter], "keep the filter"),
    bind!(KeyAction::Cancel, [Esc], "clear the filter"),
    bind!(KeyAction::Down, [Down], "next row"),
    bind!(KeyAction::Up, [Up], "previous row"),
];

pub(super) const COMMAND_LINE: &[Binding] = &[
    bind!(KeyAction::Choose, [Enter], "run the command"),
    bind!(KeyAction::Cancel, [Esc], "leave the command line"),
];

pub(super) const CONFIRM: &[Binding] = &[
    bind!(
        KeyAction::SwitchButton,
        [Tab BackTab Left Right 'h' 'l'],
        "move between Cancel and Confirm"
    ),
    bind!(KeyAction::Choose, [Enter], "press the button in focus"),
    bind!(KeyAction::Cancel, [Esc 'q' 'n'], "cancel: change nothing"),
];

pub(super) const PICK: &[Binding] = &[
    bind!(KeyAction::Down, ['j' Down], "next choice"),
    bind!(KeyAction::Up, ['k' Up], "previous choice"),
    bind!(KeyAction::Choose, [Enter], "take this one"),
    bind!(KeyAction::Cancel, [Esc 'q'], "cancel"),
];

pub(super) const RESUME: &[Binding] = &[
    bind!(KeyAction::Down, ['j' Down], "next rotation"),
    bind!(KeyAction::Up, ['k' Up], "previous rotation"),
    bind!(KeyAction::Finish, ['f'], "finish the rotation"),
    bind!(KeyAction::RollBack, ['b'], "roll it back"),
    bind!(KeyAction::Later, ['l' Esc 'q'], "decide later (:rotations)"),
];

pub(super) const HELP: &[Binding] = &[
    bind!(KeyAction::Down, ['j' Down], "scroll down"),
    bind!(KeyAction::Up, ['k' Up], "scroll up"),
    bind!(KeyAction::PageDown, [PageDown], "page down"),
    bind!(KeyAction::PageUp, [PageUp], "page up"),
    bind!(KeyAction::Top, ['g' Home], "to the top"),
    bind!(KeyAction::Bottom, ['G' End], "to the end"),
    bind!(KeyAction::Close, [Esc Enter 'q' '?'], "close"),
];

pub(super) const DETAIL: &[Binding] = &[
    bind!(
        KeyAction::RevealValue,
        ['v'],
        "a key's detail: show or hide its value"
    ),
    bind!(KeyAction::Close, [Esc Enter 'q' '?'], "close"),
];

pub(super) const OPERATION: &[Binding] = &[bind!(KeyAction::Close, [Esc Enter 'q' '?'], "close")];

pub(super) const AUDIT: &[Binding] = &[
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

pub(super) const INPUT: &[Binding] = &[
    bind!(KeyAction::Choose, [Enter], "take the value"),
    bind!(KeyAction::Cancel, [Esc], "cancel: change nothing"),
];

pub(super) const REVEAL: &[Binding] = &[
    bind!(KeyAction::RevealValue, ['v'], "show or hide the value"),
    bind!(KeyAction::Close, [Esc Enter 'q'], "close"),
];

pub(super) const REPLAY: &[Binding] = &[
    bind!(KeyAction::PlayPause, [' '], "pause the replay, or play on"),
    bind!(KeyAction::StepBack, [Left], "one poll back (paused)"),
    bind!(KeyAction::StepOn, [Right], "one poll on (paused)"),
    bind!(KeyAction::Faster, ['>'], "faster (up to 60×)"),
    bind!(KeyAction::Slower, ['<'], "slower (down to ¼×)"),
];

pub(super) const TOUR: &[Binding] = &[
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
