//! What the dashboard waits for: keys, mouse and focus from the terminal, the engine's events,
//! signals, and the idle tick.

use std::time::Duration;

use anyhow::Context;
use crossterm::event::{Event as TermEvent, EventStream};
use futures::StreamExt;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use crate::app::Event;
use crate::ui;

/// What the dashboard waits for.
pub(crate) struct Inputs {
    keys: EventStream,
    events: mpsc::Receiver<Event>,
    hup: tokio::signal::unix::Signal,
    sigterm: tokio::signal::unix::Signal,
    sigint: tokio::signal::unix::Signal,
}

/// What came first.
pub(crate) enum Input {
    Key(crossterm::event::KeyEvent),
    /// A click or the wheel (`--mouse`).
    Mouse(crossterm::event::MouseEvent),
    /// The terminal's window gained (true) or lost the focus.
    Focus(bool),
    Resize,
    Engine(Event),
    /// Something on screen changes by itself now (an age, staleness), or idleness set in.
    Tick,
    /// Nothing to do: a mouse event, a focus change.
    Nothing,
    End(Ending),
}

impl Inputs {
    pub(crate) fn new(events: mpsc::Receiver<Event>) -> anyhow::Result<Inputs> {
        Ok(Inputs {
            keys: EventStream::new(),
            events,
            hup: signal(SignalKind::hangup()).context("SIGHUP handler")?,
            sigterm: signal(SignalKind::terminate()).context("SIGTERM handler")?,
            sigint: signal(SignalKind::interrupt()).context("SIGINT handler")?,
        })
    }

    pub(crate) async fn next(&mut self, wait: Duration) -> Input {
        tokio::select! {
            ev = self.keys.next() => match ev {
                Some(Ok(TermEvent::Key(k))) => Input::Key(k),
                Some(Ok(TermEvent::Resize(..))) => Input::Resize,
                Some(Ok(TermEvent::Mouse(m))) => Input::Mouse(m),
                Some(Ok(TermEvent::FocusGained)) => Input::Focus(true),
                Some(Ok(TermEvent::FocusLost)) => Input::Focus(false),
                Some(Ok(_)) => Input::Nothing,
                Some(Err(e)) => {
                    tracing::warn!(error = %e, "terminal input failed");
                    Input::End(Ending::InputClosed)
                }
                None => Input::End(Ending::InputClosed),
            },
            Some(ev) = self.events.recv() => Input::Engine(ev),
            _ = tokio::time::sleep(wait) => Input::Tick,
            _ = self.hup.recv() => Input::End(Ending::HangUp),
            _ = self.sigterm.recv() => Input::End(Ending::Terminated),
            _ = self.sigint.recv() => Input::End(Ending::Terminated),
        }
    }
}

/// The tab or table row under a left click, from where the last frame drew them.
pub(crate) fn mouse_click(
    m: crossterm::event::MouseEvent,
    hits: &ui::Hits,
) -> Option<crate::engine::events::Click> {
    use crate::engine::events::Click;
    use crossterm::event::{MouseButton, MouseEventKind};
    match m.kind {
        MouseEventKind::Down(MouseButton::Left) => hits.at(m.column, m.row),
        MouseEventKind::ScrollDown => Some(Click::Wheel(3)),
        MouseEventKind::ScrollUp => Some(Click::Wheel(-3)),
        _ => None,
    }
}

/// Why the loop ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    Quit,
    /// SIGHUP: the terminal (an SSH link) went away.
    HangUp,
    /// SIGTERM or SIGINT.
    Terminated,
    /// Standard input closed.
    InputClosed,
    /// `--dry-run`: a plan was confirmed, to be printed instead of run.
    DryRun,
}

impl Ending {
    pub fn exit_code(self) -> u8 {
        match self {
            Ending::Quit | Ending::InputClosed | Ending::DryRun => 0,
            Ending::HangUp => 129,
            Ending::Terminated => 143,
        }
    }
}
