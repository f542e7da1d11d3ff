//! edgetop: a live terminal dashboard for the security edge of an AWS-hosted API.
//!
//! Data flows one way: a [`source`] is polled by the [`engine`], whose events update the
//! [`app`] state, which [`ui::draw`] turns into a frame. Mutations are [`ops`], planned and
//! confirmed before the engine hands them to the source. [`commands`] are what the binary
//! does, each set up by [`startup`].

pub mod app;
pub(crate) mod bypass;
pub mod cli;
pub mod commands;
pub(crate) mod config;
pub(crate) mod countries;
pub(crate) mod engine;
pub(crate) mod events;
pub(crate) mod files;
pub(crate) mod finding;
pub(crate) mod format;
pub mod hooks;
pub(crate) mod insights;
pub(crate) mod ip_ranges;
pub(crate) mod log_format;
pub(crate) mod log_queries;
pub(crate) mod memory;
pub mod model;
pub mod ops;
pub mod output;
pub(crate) mod policy;
pub(crate) mod posture;
pub mod record;
pub(crate) mod report;
pub(crate) mod run;
pub(crate) mod screens;
pub mod source;
pub(crate) mod startup;
pub(crate) mod term;
pub mod theme;
pub mod tour;
pub mod ui;
pub(crate) mod widgets;
