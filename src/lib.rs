//! edgetop: a live terminal dashboard for the security edge of an AWS-hosted API.
//!
//! Data flows one way: a [`source`] is polled by the [`engine`], whose events update the
//! [`app`] state, which [`ui::draw`] turns into a frame. Mutations are [`ops`], planned and
//! confirmed before the engine hands them to the source. [`commands`] are what the binary
//! does, each set up by [`startup`].

pub mod app;
pub mod cli;
pub mod commands;
pub mod config;
pub mod countries;
pub mod engine;
pub mod events;
pub mod files;
pub mod format;
pub mod insights;
pub mod model;
pub mod ops;
pub mod output;
pub mod report;
pub mod run;
pub mod screens;
pub mod source;
pub mod startup;
pub mod term;
pub mod theme;
pub mod ui;
pub mod widgets;
