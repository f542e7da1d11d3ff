//! What reaches the app: keys from the terminal, and what the engine reports (polls,
//! operations' progress and ends, a key's value). A module of its own, below both, so the
//! engine reports without knowing the app.

use std::sync::Arc;

use crossterm::event::KeyEvent;

use crate::model::{Problem, Secret, Snapshot};
use crate::ops::audit::Entry;
use crate::ops::journal::Rotation;
use crate::ops::{Op, OpError, OpOutcome, Progress};

/// What the mouse pointed at, found in the frame last drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Click {
    Tab(crate::screens::Screen),
    /// A row of the screen's selectable table (its index among the rows).
    Row(usize),
    /// The wheel: rows down (positive) or up.
    Wheel(i8),
}

/// Something that happened.
#[derive(Debug)]
pub enum Event {
    Key(KeyEvent),
    /// The terminal changed size: redraw.
    Resize,
    /// A poll finished.
    Data(Result<Arc<Snapshot>, String>),
    /// How far a slow first read has come: the parts still being read.
    Loading(Vec<Problem>),
    /// A running operation moved on.
    OpProgress(Progress),
    /// A confirmed operation finished.
    OpDone {
        op: Op,
        result: Result<OpOutcome, OpError>,
    },
    /// Rotations that did not finish (found at start), and journal files that cannot be read.
    Unfinished {
        rotations: Vec<Rotation>,
        broken: Vec<String>,
    },
    /// The audit log, read for viewing.
    Audit(Result<Vec<Result<Entry, String>>, String>),
    /// A theme could not be loaded.
    ThemeFailed(String),
    ThemeLoaded(String),
    /// Something to say in the footer: a replay passing a recorded operation.
    Notice(String),
    /// Something gone wrong beside the account: the recording stopped.
    Warning(String),
    /// The mouse (`--mouse`), as the frame on screen places it.
    Click(Click),
    /// The terminal's window gained (true) or lost the focus.
    Focus(bool),
    /// A key's value, read because the operator asked (`v`).
    KeyValue {
        key_id: String,
        result: Result<Secret, String>,
    },
}
