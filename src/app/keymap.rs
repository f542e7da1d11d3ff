//! The keys in force: every mode's defaults with the config file's `[keys]` applied, checked
//! when the dashboard starts, and the help drawn from them.

use std::collections::HashMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::bindings::{COMMANDS, CTRL_C, Key, KeyAction, KeyMode};
use crate::host::config::Rebinding;
use crate::screens::Screen;

/// A binding in force: the defaults, or what the config file put instead.
#[derive(Clone, Debug)]
pub struct Bound {
    pub action: KeyAction,
    pub keys: Vec<Key>,
    pub help: &'static str,
}

/// A `[keys]` entry that cannot be taken, with the line it is on.
#[derive(Debug, PartialEq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct RebindError {
    pub line: usize,
    pub message: String,
}

/// The bindings in force, every mode's.
#[derive(Clone, Debug)]
pub struct Keymap {
    modes: HashMap<KeyMode, Vec<Bound>>,
}

/// A number key per screen, in the registry's order: `1` for the first, up to `9`.
fn screen_keys() -> Vec<Bound> {
    Screen::ALL
        .into_iter()
        .zip('1'..='9')
        .map(|(s, digit)| Bound {
            action: KeyAction::GoTo(s),
            keys: vec![Key(KeyCode::Char(digit), KeyModifiers::NONE)],
            help: s.home().about(),
        })
        .collect()
}

impl Default for Keymap {
    fn default() -> Keymap {
        let modes = KeyMode::ALL
            .into_iter()
            .map(|m| {
                let mut bound = if m == KeyMode::Main {
                    screen_keys()
                } else {
                    Vec::new()
                };
                bound.extend(m.defaults().iter().map(|b| Bound {
                    action: b.action,
                    keys: b.keys.to_vec(),
                    help: b.help,
                }));
                (m, bound)
            })
            .collect();
        Keymap { modes }
    }
}

impl Keymap {
    /// The defaults with `rebind` applied: each names an action as help does and the keys that
    /// replace its keys, in every mode that has it. An unknown action or key, Ctrl-C, or one
    /// key on two actions of one mode is an error naming the line.
    pub fn with(rebind: &[Rebinding]) -> Result<Keymap, RebindError> {
        let mut map = Keymap::default();
        let err = |line, message: String| RebindError { line, message };
        for r in rebind {
            let mut keys = Vec::new();
            for k in &r.keys {
                let key = Key::parse(k).map_err(|m| err(r.line, m))?;
                if key == CTRL_C {
                    return Err(err(
                        r.line,
                        "Ctrl-C always quits and cannot be bound".into(),
                    ));
                }
                keys.push(key);
            }
            if keys.is_empty() {
                return Err(err(
                    r.line,
                    format!("{} needs at least one key", text(&r.action)),
                ));
            }
            let mut found = false;
            for m in KeyMode::ALL.into_iter().filter(|m| !m.fixed()) {
                for b in map.modes.get_mut(&m).into_iter().flatten() {
                    if b.action.name() == r.action {
                        b.keys = keys.clone();
                        found = true;
                    }
                }
            }
            if !found {
                return Err(err(
                    r.line,
                    format!(
                        "unknown action '{}' (help, ?, names them: quit, down, screen_keys, \
                         toggle_rule, close…)",
                        text(&r.action)
                    ),
                ));
            }
        }
        for m in KeyMode::ALL {
            let bound = &map.modes[&m];
            for (i, a) in bound.iter().enumerate() {
                for b in &bound[i + 1..] {
                    if let Some(k) = a.keys.iter().find(|k| b.keys.contains(k)) {
                        let line = rebind
                            .iter()
                            .rev()
                            .find(|r| r.action == a.action.name() || r.action == b.action.name())
                            .map_or(0, |r| r.line);
                        return Err(err(
                            line,
                            format!(
                                "{} is bound to both {} and {} in {}",
                                k.label(),
                                a.action.name(),
                                b.action.name(),
                                m.title()
                            ),
                        ));
                    }
                }
            }
        }
        Ok(map)
    }

    /// The action a key asks for in a mode.
    pub fn action(&self, mode: KeyMode, ev: &KeyEvent) -> Option<KeyAction> {
        self.modes[&mode]
            .iter()
            .find(|b| b.keys.iter().any(|k| k.matches(ev)))
            .map(|b| b.action)
    }

    /// A mode's bindings in force, in help's order.
    pub fn bound(&self, mode: KeyMode) -> &[Bound] {
        &self.modes[&mode]
    }

    /// The first key of `action` in `mode`, for titles and hints.
    pub fn label_in(&self, mode: KeyMode, action: KeyAction) -> String {
        self.modes[&mode]
            .iter()
            .find(|b| b.action == action)
            .and_then(|b| b.keys.first())
            .map_or_else(|| "?".into(), |k| k.label())
    }

    /// The first key of the action named `name` in the main mode, for the footer's hints.
    pub fn label(&self, name: &str) -> String {
        self.modes[&KeyMode::Main]
            .iter()
            .find(|b| b.action.name() == name)
            .and_then(|b| b.keys.first())
            .map_or_else(|| "?".into(), |k| k.label())
    }
}

/// One line of help: the keys (empty on a heading or a gap) and what they do.
#[derive(Clone, Debug, PartialEq)]
pub struct HelpLine {
    pub keys: String,
    pub text: String,
    pub heading: bool,
}

impl HelpLine {
    fn new(keys: impl Into<String>, text: impl Into<String>) -> HelpLine {
        HelpLine {
            keys: keys.into(),
            text: text.into(),
            heading: false,
        }
    }

    fn heading(text: impl Into<String>) -> HelpLine {
        HelpLine {
            heading: true,
            ..HelpLine::new("", text)
        }
    }
}

impl Keymap {
    /// The help: the screens' keys, the commands, then each popup's keys, all as in force.
    pub fn help(&self) -> Vec<HelpLine> {
        let line = |b: &Bound| {
            let keys: Vec<String> = b.keys.iter().map(|k| k.label()).collect();
            HelpLine::new(keys.join(" "), b.help)
        };
        let mut out: Vec<HelpLine> = self.bound(KeyMode::Main).iter().map(line).collect();
        out.push(HelpLine::new("", ""));
        out.extend(COMMANDS.iter().map(|(c, h)| HelpLine::new(*c, *h)));
        for m in KeyMode::ALL.into_iter().skip(1) {
            out.push(HelpLine::new("", ""));
            out.push(HelpLine::heading(format!("In {}:", m.title())));
            out.extend(self.bound(m).iter().map(line));
        }
        out
    }
}

/// A name from the config file, safe to print.
fn text(s: &str) -> String {
    crate::model::text::escape(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screens::Screen;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn rebind(action: &str, keys: &[&str], line: usize) -> Rebinding {
        Rebinding {
            action: action.into(),
            keys: keys.iter().map(|k| k.to_string()).collect(),
            line,
        }
    }

    #[test]
    fn no_key_is_bound_twice_in_a_mode() {
        Keymap::with(&[]).expect("the defaults are consistent");
    }

    #[test]
    fn shifted_letters_match() {
        let map = Keymap::default();
        let ev = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(map.action(KeyMode::Main, &ev), Some(KeyAction::Bottom));
        let ev = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::NONE);
        assert_eq!(map.action(KeyMode::Main, &ev), None);
        assert!(super::super::bindings::is_ctrl_c(&KeyEvent::new(
            KeyCode::Char('c'),
            KeyModifiers::CONTROL
        )));
    }

    #[test]
    fn a_rebinding_replaces_the_keys_of_its_action() {
        let map =
            Keymap::with(&[rebind("quit", &["x"], 3), rebind("screen_keys", &["K"], 4)]).unwrap();
        let x = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE);
        let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        let shift_k = KeyEvent::new(KeyCode::Char('K'), KeyModifiers::SHIFT);
        assert_eq!(map.action(KeyMode::Main, &x), Some(KeyAction::Quit));
        assert_eq!(map.action(KeyMode::Main, &q), None);
        assert_eq!(
            map.action(KeyMode::Main, &shift_k),
            Some(KeyAction::GoTo(Screen::Keys))
        );
        assert_eq!(map.label("quit"), "x");
    }

    #[test]
    fn bad_rebindings_name_their_line() {
        let e = Keymap::with(&[rebind("qiut", &["x"], 7)]).unwrap_err();
        assert_eq!(e.line, 7);
        assert!(e.message.contains("unknown action 'qiut'"), "{e}");
        let e = Keymap::with(&[rebind("quit", &["Hyper-x"], 2)]).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("unknown key"), "{e}");
        let e = Keymap::with(&[rebind("quit", &["j"], 5)]).unwrap_err();
        assert_eq!(e.line, 5);
        assert!(
            e.message
                .contains("j is bound to both down and quit in the screens"),
            "{e}"
        );
        let e = Keymap::with(&[rebind("quit", &["Ctrl-c"], 9)]).unwrap_err();
        assert!(e.message.contains("Ctrl-C always quits"), "{e}");
        let e = Keymap::with(&[rebind("quit", &[], 4)]).unwrap_err();
        assert!(e.message.contains("at least one key"), "{e}");
        // Names are escaped before they are printed.
        let e = Keymap::with(&[rebind("\x1b[2Jx", &["x"], 1)]).unwrap_err();
        assert!(!e.message.contains('\x1b'), "{e}");
    }
}
