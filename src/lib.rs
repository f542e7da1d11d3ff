//! edgetop: a live terminal dashboard for the security edge of an AWS-hosted API.
//!
//! Data flows one way, and the folders follow it:
//! [`source`] (the simulated account, AWS, many places at once) fills a [`model`] snapshot;
//! [`judge`] says what in it deserves a look; the [`engine`] polls the source and reports to the
//! [`app`] state; [`screens`], drawn with [`widgets`] by [`ui`] in a [`theme`], turn that state
//! into a frame, which the [`terminal`]'s run loop puts on screen. Mutations are [`ops`],
//! planned and confirmed before the engine hands them to the source; [`record`] keeps an
//! incident and plays it back. [`commands`] are what the binary does, each given the run the
//! command line and the config file resolve to ([`commands::startup`]), and [`host`] is what
//! touches the machine: the config, edgetop's files, what it prints. Each module imports only
//! from the layers below it: ARCHITECTURE.md lists them, and `scripts/check-layers.py` holds it.

pub mod app;
pub mod commands;
pub(crate) mod engine;
pub mod host;
pub(crate) mod judge;
pub mod model;
pub mod ops;
pub mod record;
pub(crate) mod screens;
pub mod source;
pub(crate) mod terminal;
pub mod theme;
pub mod ui;
pub(crate) mod widgets;
