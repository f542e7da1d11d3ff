//! Keys to actions. One table: the key handler and the help screen both read it, so the help
//! can never disagree with what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::screens::Screen;

/// What a key asks for, in the main (normal) mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
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
    Command,
    Help,
    Pause,
    Refresh,
    ToggleRule,
    RotateKey,
    /// The running (or last) operation's steps.
    Operation,
    AuditLog,
}

/// One key: a code and the modifiers that must be held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key(pub KeyCode, pub KeyModifiers);

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;

impl Key {
    pub fn label(self) -> String {
        let base = match self.0 {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            other => format!("{other:?}"),
        };
        if self.1.contains(CTRL) {
            format!("Ctrl-{base}")
        } else {
            base
        }
    }

    fn matches(self, ev: &KeyEvent) -> bool {
        // Shift is part of the character for letters (G, R), so compare without it.
        let mods = ev.modifiers - KeyModifiers::SHIFT;
        self.0 == ev.code && self.1 == mods
    }
}

pub struct Binding {
    pub keys: &'static [Key],
    pub action: Action,
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

/// Every binding of the main mode, in the order help shows them.
pub const BINDINGS: &[Binding] = &[
    Binding {
        keys: &[k!('1')],
        action: Action::GoTo(Screen::Overview),
        help: "Overview: what is happening now",
    },
    Binding {
        keys: &[k!('2')],
        action: Action::GoTo(Screen::Throttling),
        help: "Throttling: stages, usage plans, quotas",
    },
    Binding {
        keys: &[k!('3')],
        action: Action::GoTo(Screen::Waf),
        help: "WAF: web ACLs and their rules",
    },
    Binding {
        keys: &[k!('4')],
        action: Action::GoTo(Screen::Origins),
        help: "Origins: who is blocked, live samples",
    },
    Binding {
        keys: &[k!('5')],
        action: Action::GoTo(Screen::Geo),
        help: "Geo: countries, geo rules, world map",
    },
    Binding {
        keys: &[k!('6')],
        action: Action::GoTo(Screen::Keys),
        help: "Keys: API keys, plans, usage",
    },
    Binding {
        keys: &[k!(Tab), k!(Right)],
        action: Action::NextScreen,
        help: "next screen",
    },
    Binding {
        keys: &[k!(BackTab), k!(Left)],
        action: Action::PrevScreen,
        help: "previous screen",
    },
    Binding {
        keys: &[k!('j'), k!(Down)],
        action: Action::Down,
        help: "next row",
    },
    Binding {
        keys: &[k!('k'), k!(Up)],
        action: Action::Up,
        help: "previous row",
    },
    Binding {
        keys: &[k!(PageDown), k!(ctrl 'd')],
        action: Action::PageDown,
        help: "page down",
    },
    Binding {
        keys: &[k!(PageUp), k!(ctrl 'u')],
        action: Action::PageUp,
        help: "page up",
    },
    Binding {
        keys: &[k!('g'), k!(Home)],
        action: Action::Top,
        help: "first row",
    },
    Binding {
        keys: &[k!('G'), k!(End)],
        action: Action::Bottom,
        help: "last row",
    },
    Binding {
        keys: &[k!(Enter)],
        action: Action::Open,
        help: "details of the row (Overview: go to it)",
    },
    Binding {
        keys: &[k!(Esc)],
        action: Action::Back,
        help: "close, or clear the filter",
    },
    Binding {
        keys: &[k!('/')],
        action: Action::Filter,
        help: "filter the table in view",
    },
    Binding {
        keys: &[k!(':')],
        action: Action::Command,
        help: "command line (:theme, :refresh, :audit, :q)",
    },
    Binding {
        keys: &[k!('?')],
        action: Action::Help,
        help: "this help",
    },
    Binding {
        keys: &[k!('p'), k!(' ')],
        action: Action::Pause,
        help: "pause the screen (data keeps arriving)",
    },
    Binding {
        keys: &[k!('R')],
        action: Action::Refresh,
        help: "refresh now",
    },
    Binding {
        keys: &[k!('t')],
        action: Action::ToggleRule,
        help: "WAF: toggle Block ↔ Count (a group: choose what)",
    },
    Binding {
        keys: &[k!('r')],
        action: Action::RotateKey,
        help: "Keys: rotate the API key",
    },
    Binding {
        keys: &[k!('o')],
        action: Action::Operation,
        help: "the running (or last) operation, step by step",
    },
    Binding {
        keys: &[k!('a')],
        action: Action::AuditLog,
        help: "the audit log: who changed what, when",
    },
    Binding {
        keys: &[k!('q'), k!(ctrl 'c')],
        action: Action::Quit,
        help: "quit",
    },
];

/// The `:` commands, for help.
pub const COMMANDS: &[(&str, &str)] = &[
    (
        ":theme NAME",
        "switch theme (dark, light, high-contrast, mono, or a file)",
    ),
    (":refresh SECS", "poll every SECS seconds"),
    (":audit", "the audit log"),
    (
        ":rotations",
        "rotations that did not finish: finish or roll back",
    ),
    (":q", "quit"),
];

pub fn action_for(ev: &KeyEvent) -> Option<Action> {
    BINDINGS
        .iter()
        .find(|b| b.keys.iter().any(|k| k.matches(ev)))
        .map(|b| b.action)
}

/// The label of the first key bound to the action named `name`, for the footer.
pub fn key_of(name: &str) -> String {
    BINDINGS
        .iter()
        .find(|b| b.action.name() == name)
        .and_then(|b| b.keys.first())
        .map_or_else(|| "?".into(), |k| k.label())
}

impl Action {
    /// Its name, as help and the config file's `[keys]` table say it.
    pub fn name(self) -> String {
        match self {
            Action::Quit => "quit".into(),
            Action::GoTo(s) => s.action_name(),
            Action::NextScreen => "next_screen".into(),
            Action::PrevScreen => "previous_screen".into(),
            Action::Down => "down".into(),
            Action::Up => "up".into(),
            Action::PageDown => "page_down".into(),
            Action::PageUp => "page_up".into(),
            Action::Top => "top".into(),
            Action::Bottom => "bottom".into(),
            Action::Open => "open".into(),
            Action::Back => "back".into(),
            Action::Filter => "filter".into(),
            Action::Command => "command_line".into(),
            Action::Help => "help".into(),
            Action::Pause => "pause".into(),
            Action::Refresh => "refresh".into(),
            Action::ToggleRule => "toggle_rule".into(),
            Action::RotateKey => "rotate_key".into(),
            Action::Operation => "operation".into(),
            Action::AuditLog => "audit_log".into(),
        }
    }
}

pub fn is_ctrl_c(ev: &KeyEvent) -> bool {
    k!(ctrl 'c').matches(ev)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice() {
        let all: Vec<Key> = BINDINGS
            .iter()
            .flat_map(|b| b.keys.iter().copied())
            .collect();
        for (i, a) in all.iter().enumerate() {
            assert!(!all[i + 1..].contains(a), "{} is bound twice", a.label());
        }
    }

    #[test]
    fn shifted_letters_match() {
        let ev = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(action_for(&ev), Some(Action::Bottom));
        let ev = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(action_for(&ev), Some(Action::Quit));
        let ev = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::NONE);
        assert_eq!(action_for(&ev), None);
    }
}
