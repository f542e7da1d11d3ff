//! Each mode's keys. A mode gets the action its key stands for (from the keymap in force) and
//! returns an [`Outcome`]; only [`super::App::apply`] changes the application with it, so what a
//! key can do is read here, and how it is done there.

use crossterm::event::{KeyCode, KeyEvent};

use super::bindings::KeyAction;
use super::operation::{AddressToBlock, AuditView, Choice, Input, Pick, ResumeOffer};
use super::{Button, Confirm, Level, Reveal};
use crate::ops::Op;
use crate::ops::journal::Rotation;
use crate::ops::procedure;
use crate::screens::ViewState;

/// What a key in a mode asks of the application.
#[derive(Debug)]
pub enum Outcome {
    /// Handled inside the mode; nothing else changes.
    Stay,
    /// Back to the screens.
    Close,
    /// Back to the screens, with a word in the footer.
    CloseSaying(Level, String),
    /// Stay, with a word in the footer.
    Say(Level, String),
    /// Not the mode's own key: the screens' keys have it.
    PassOn(KeyAction),
    /// Ask the operator to confirm an operation.
    Ask(Op),
    /// The operator pressed Confirm.
    Run(Confirm),
    /// Finish (or roll back) an unfinished rotation.
    Resume { rotation: Rotation, rollback: bool },
    /// Run a `:` command line.
    CommandLine(String),
    /// Show, or forget, the value of the selected API key.
    RevealValue,
    /// Ask how long to block an address.
    BlockAddress(AddressToBlock),
    /// The value typed for an input.
    Submit(Input),
    /// Undo the audit log's entry at this index.
    Undo(usize),
    /// Delete the old key of the rotation the audit log's entry at this index made.
    DeleteOldKey(usize),
}

/// Most filters and command lines are short; these keep a pasted novel out.
const FILTER_MAX: usize = 64;
const COMMAND_MAX: usize = 256;

/// The filter of the screen in view: every character types itself.
pub fn filter(view: &mut ViewState, action: Option<KeyAction>, k: &KeyEvent) -> Outcome {
    match (action, k.code) {
        (Some(KeyAction::Close), _) => Outcome::Close,
        (Some(KeyAction::Cancel), _) => {
            view.filter.clear();
            Outcome::Close
        }
        (Some(a @ (KeyAction::Down | KeyAction::Up)), _) => Outcome::PassOn(a),
        (_, KeyCode::Backspace) => {
            view.filter.pop();
            Outcome::Stay
        }
        (_, KeyCode::Char(c)) if !c.is_control() => {
            if view.filter.chars().count() < FILTER_MAX {
                view.filter.push(c);
            }
            view.selected = 0;
            Outcome::Stay
        }
        _ => Outcome::Stay,
    }
}

/// The `:` command line.
pub fn command_line(line: &mut String, action: Option<KeyAction>, k: &KeyEvent) -> Outcome {
    match (action, k.code) {
        (Some(KeyAction::Cancel), _) => Outcome::Close,
        (Some(KeyAction::Choose), _) => Outcome::CommandLine(std::mem::take(line)),
        (_, KeyCode::Backspace) if line.pop().is_none() => Outcome::Close,
        (_, KeyCode::Char(c)) if !c.is_control() && line.chars().count() < COMMAND_MAX => {
            line.push(c);
            Outcome::Stay
        }
        _ => Outcome::Stay,
    }
}

/// A value to type: every character types itself.
pub fn input(i: &mut Input, action: Option<KeyAction>, k: &KeyEvent) -> Outcome {
    match (action, k.code) {
        (Some(KeyAction::Cancel), _) => {
            Outcome::CloseSaying(Level::Info, procedure::say::CANCELLED.into())
        }
        (Some(KeyAction::Choose), _) => Outcome::Submit(i.clone()),
        (_, KeyCode::Backspace) => {
            i.value.pop();
            Outcome::Stay
        }
        (_, KeyCode::Char(c)) if !c.is_control() && i.value.chars().count() < FILTER_MAX => {
            i.value.push(c);
            Outcome::Stay
        }
        _ => Outcome::Stay,
    }
}

/// A confirmation: Cancel has the focus first. One that asks for a typed word takes
/// characters as text, and Confirm only once the word is typed.
pub fn confirm(c: &mut Confirm, action: Option<KeyAction>, k: &KeyEvent) -> Outcome {
    if let Some(t) = &mut c.typed {
        match k.code {
            // Letters type, even those that are Cancel's keys elsewhere (q, n): Esc cancels.
            KeyCode::Char(ch) if !ch.is_control() => {
                if t.got.chars().count() < COMMAND_MAX {
                    t.got.push(ch);
                }
                return Outcome::Stay;
            }
            KeyCode::Backspace => {
                t.got.pop();
                return Outcome::Stay;
            }
            _ => {}
        }
        if action == Some(KeyAction::Choose) && c.focus == Button::Confirm && t.got != t.want {
            return Outcome::Say(
                Level::Error,
                format!(
                    "type {} exactly to confirm",
                    crate::model::Text::new(&t.want)
                ),
            );
        }
    }
    match action {
        Some(KeyAction::Cancel) => Outcome::Close,
        Some(KeyAction::SwitchButton) => {
            c.focus = match c.focus {
                Button::Cancel => Button::Confirm,
                Button::Confirm => Button::Cancel,
            };
            Outcome::Stay
        }
        Some(KeyAction::Choose) if c.focus == Button::Confirm => Outcome::Run(c.clone()),
        Some(KeyAction::Choose) => {
            Outcome::CloseSaying(Level::Info, procedure::say::CANCELLED.into())
        }
        _ => Outcome::Stay,
    }
}

/// What to toggle in a rule group.
pub fn pick(p: &mut Pick, action: Option<KeyAction>) -> Outcome {
    let last = p.choices.len().saturating_sub(1);
    match action {
        Some(KeyAction::Down) => p.selected = (p.selected + 1).min(last),
        Some(KeyAction::Up) => p.selected = p.selected.saturating_sub(1),
        Some(KeyAction::Cancel) => return Outcome::Close,
        Some(KeyAction::Choose) => match p.choices.get(p.selected) {
            Some((_, Choice::Op(op))) => return Outcome::Ask(op.clone()),
            Some((_, Choice::Address(a))) => return Outcome::BlockAddress(a.clone()),
            None => {}
        },
        _ => {}
    }
    Outcome::Stay
}

/// Unfinished rotations: finish, roll back, or later.
pub fn resume(o: &mut ResumeOffer, action: Option<KeyAction>) -> Outcome {
    let n = o.rotations.len();
    match action {
        Some(KeyAction::Down) => o.selected = (o.selected + 1).min(n.max(1) - 1),
        Some(KeyAction::Up) => o.selected = o.selected.saturating_sub(1),
        Some(KeyAction::Later) if n > 0 => {
            return Outcome::CloseSaying(
                Level::Info,
                "later: :rotations shows the unfinished rotations again".into(),
            );
        }
        Some(KeyAction::Later) => return Outcome::Close,
        Some(a @ (KeyAction::Finish | KeyAction::RollBack)) if n > 0 => {
            let rotation = o.rotations[o.selected.min(n - 1)].clone();
            let rollback = a == KeyAction::RollBack;
            if !rollback && rotation.rolling_back {
                return Outcome::Say(
                    Level::Error,
                    "this rotation was being rolled back: it can only be rolled back (b)".into(),
                );
            }
            return Outcome::Resume { rotation, rollback };
        }
        _ => {}
    }
    Outcome::Stay
}

/// The help, which scrolls so every line can be read on a small terminal (80×24).
pub fn help(scroll: &mut usize, lines: usize, action: Option<KeyAction>) -> Outcome {
    let last = lines.saturating_sub(1);
    let page = super::PAGE;
    match action {
        Some(KeyAction::Down) => *scroll = (*scroll + 1).min(last),
        Some(KeyAction::Up) => *scroll = scroll.saturating_sub(1),
        Some(KeyAction::PageDown) => *scroll = (*scroll + page).min(last),
        Some(KeyAction::PageUp) => *scroll = scroll.saturating_sub(page),
        Some(KeyAction::Top) => *scroll = 0,
        Some(KeyAction::Bottom) => *scroll = last,
        Some(KeyAction::Close) => return Outcome::Close,
        _ => return Outcome::Stay,
    }
    Outcome::Stay
}

/// A row's detail, or the operation's steps: popups over the screen, which let the screens'
/// keys through.
pub fn popup(action: Option<KeyAction>) -> Outcome {
    match action {
        Some(KeyAction::Close) => Outcome::Close,
        Some(KeyAction::RevealValue) => Outcome::RevealValue,
        _ => Outcome::Stay,
    }
}

/// The audit log.
pub fn audit(v: &mut AuditView, action: Option<KeyAction>) -> Outcome {
    let last = v.entries.as_ref().map_or(0, |e| e.len()).saturating_sub(1);
    match action {
        Some(KeyAction::Down) => v.scroll = (v.scroll + 1).min(last),
        Some(KeyAction::Up) => v.scroll = v.scroll.saturating_sub(1),
        Some(KeyAction::Top) => v.scroll = 0,
        Some(KeyAction::Bottom) => v.scroll = last,
        Some(KeyAction::Undo) => return Outcome::Undo(v.scroll),
        Some(KeyAction::DeleteOldKey) => return Outcome::DeleteOldKey(v.scroll),
        Some(KeyAction::Close) => return Outcome::Close,
        _ => {}
    }
    Outcome::Stay
}

/// A new key's value, shown once.
pub fn reveal(r: &mut Reveal, action: Option<KeyAction>) -> Outcome {
    match action {
        Some(KeyAction::RevealValue) => {
            r.revealed = !r.revealed;
            Outcome::Stay
        }
        Some(KeyAction::Close) => Outcome::Close,
        _ => Outcome::Stay,
    }
}
