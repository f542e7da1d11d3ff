//! Points where a test may stop or break the program on purpose: right after a rotation's step
//! (so a test can kill the process exactly there), and after the first frame (to check that a
//! panic restores the terminal).
//!
//! The binary users install sets no hook, so nothing here reads the environment or acts. Only
//! `examples/test_hooks.rs`, which the README's test command builds beside the binary (cargo
//! installs no example), sets one. The library is the same in both, so the tests and the
//! dashboard share one build.

use std::sync::OnceLock;

/// Where the program is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Point<'a> {
    /// A rotation's step (its journal key) has made its call, not yet journaled as done.
    StepCalled(&'a str),
    /// A rotation's step has been journaled as done.
    StepDone(&'a str),
    /// The dashboard has drawn a frame.
    FrameDrawn,
}

/// What the hook wants done there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reaction {
    Go,
    /// Stop there for good (the test kills the process).
    Stall,
    /// Panic there.
    Panic,
}

type Hook = Box<dyn Fn(Point) -> Reaction + Send + Sync>;

static HOOK: OnceLock<Hook> = OnceLock::new();

/// Set the hook, once, before anything runs.
pub fn install(hook: Hook) {
    let _ = HOOK.set(hook);
}

/// What to do at `point`: go on, unless a test's hook says otherwise.
pub fn at(point: Point) -> Reaction {
    HOOK.get().map_or(Reaction::Go, |h| h(point))
}
