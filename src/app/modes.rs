//! Each mode's keys. A mode gets the action its key stands for (from the keymap in force) and
//! returns an [`Outcome`]; only [`super::App::apply`] changes the application with it, so what a
//! key can do is read here, and how it is done there.

use crossterm::event::{KeyCode, KeyEvent};

use super::bindings::Action;
use super::operation::{AuditView, Pick, ResumeOffer};
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
    PassOn(Action),
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
}

/// Most filters and command lines are short; these keep a pasted novel out.
const FILTER_MAX: usize = 64;
const COMMAND_MAX: usize = 256;

/// The filter of the screen in view: every character types itself.
pub fn filter(view: &mut ViewState, action: Option<Action>, k: &KeyEvent) -> Outcome {
    match (action, k.code) {
        (Some(Action::Close), _) => Outcome::Close,
        (Some(Action::Cancel), _) => {
            view.filter.clear();
            Outcome::Close
        }
        (Some(a @ (Action::Down | Action::Up)), _) => Outcome::PassOn(a),
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
pub fn command_line(line: &mut String, action: Option<Action>, k: &KeyEvent) -> Outcome {
    match (action, k.code) {
        (Some(Action::Cancel), _) => Outcome::Close,
        (Some(Action::Choose), _) => Outcome::CommandLine(std::mem::take(line)),
        (_, KeyCode::Backspace) if line.pop().is_none() => Outcome::Close,
        (_, KeyCode::Char(c)) if !c.is_control() && line.chars().count() < COMMAND_MAX => {
            line.push(c);
            Outcome::Stay
        }
        _ => Outcome::Stay,
    }
}

/// A confirmation: Cancel has the focus first.
pub fn confirm(c: &mut Confirm, action: Option<Action>) -> Outcome {
    match action {
        Some(Action::Cancel) => Outcome::Close,
        Some(Action::SwitchButton) => {
            c.focus = match c.focus {
                Button::Cancel => Button::Confirm,
                Button::Confirm => Button::Cancel,
            };
            Outcome::Stay
        }
        Some(Action::Choose) if c.focus == Button::Confirm => Outcome::Run(c.clone()),
        Some(Action::Choose) => Outcome::CloseSaying(Level::Info, procedure::say::CANCELLED.into()),
        _ => Outcome::Stay,
    }
}

/// What to toggle in a rule group.
pub fn pick(p: &mut Pick, action: Option<Action>) -> Outcome {
    let last = p.choices.len().saturating_sub(1);
    match action {
        Some(Action::Down) => p.selected = (p.selected + 1).min(last),
        Some(Action::Up) => p.selected = p.selected.saturating_sub(1),
        Some(Action::Cancel) => return Outcome::Close,
        Some(Action::Choose) => {
            if let Some((_, op)) = p.choices.get(p.selected) {
                return Outcome::Ask(op.clone());
            }
        }
        _ => {}
    }
    Outcome::Stay
}

/// Unfinished rotations: finish, roll back, or later.
pub fn resume(o: &mut ResumeOffer, action: Option<Action>) -> Outcome {
    let n = o.rotations.len();
    match action {
        Some(Action::Down) => o.selected = (o.selected + 1).min(n.max(1) - 1),
        Some(Action::Up) => o.selected = o.selected.saturating_sub(1),
        Some(Action::Later) if n > 0 => {
            return Outcome::CloseSaying(
                Level::Info,
                "later: :rotations shows the unfinished rotations again".into(),
            );
        }
        Some(Action::Later) => return Outcome::Close,
        Some(a @ (Action::Finish | Action::RollBack)) if n > 0 => {
            let rotation = o.rotations[o.selected.min(n - 1)].clone();
            let rollback = a == Action::RollBack;
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
pub fn help(scroll: &mut usize, lines: usize, action: Option<Action>) -> Outcome {
    let last = lines.saturating_sub(1);
    let page = super::PAGE;
    match action {
        Some(Action::Down) => *scroll = (*scroll + 1).min(last),
        Some(Action::Up) => *scroll = scroll.saturating_sub(1),
        Some(Action::PageDown) => *scroll = (*scroll + page).min(last),
        Some(Action::PageUp) => *scroll = scroll.saturating_sub(page),
        Some(Action::Top) => *scroll = 0,
        Some(Action::Bottom) => *scroll = last,
        Some(Action::Close) => return Outcome::Close,
        _ => return Outcome::Stay,
    }
    Outcome::Stay
}

/// A row's detail, or the operation's steps: popups over the screen, which let the screens'
/// keys through.
pub fn popup(action: Option<Action>) -> Outcome {
    match action {
        Some(Action::Close) => Outcome::Close,
        Some(Action::RevealValue) => Outcome::RevealValue,
        _ => Outcome::Stay,
    }
}

/// The audit log.
pub fn audit(v: &mut AuditView, action: Option<Action>) -> Outcome {
    let last = v.entries.as_ref().map_or(0, |e| e.len()).saturating_sub(1);
    match action {
        Some(Action::Down) => v.scroll = (v.scroll + 1).min(last),
        Some(Action::Up) => v.scroll = v.scroll.saturating_sub(1),
        Some(Action::Top) => v.scroll = 0,
        Some(Action::Bottom) => v.scroll = last,
        Some(Action::Close) => return Outcome::Close,
        _ => {}
    }
    Outcome::Stay
}

/// A new key's value, shown once.
pub fn reveal(r: &mut Reveal, action: Option<Action>) -> Outcome {
    match action {
        Some(Action::RevealValue) => {
            r.revealed = !r.revealed;
            Outcome::Stay
        }
        Some(Action::Close) => Outcome::Close,
        _ => Outcome::Stay,
    }
}
