//! The terminal: its modes, always restored ([`term`]), and the run loop that turns its keys,
//! the engine's events and signals into frames ([`run`]).

mod feed;
mod input;
pub(crate) mod run;
pub(crate) mod term;
