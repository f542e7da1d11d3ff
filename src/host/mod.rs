//! The host edgetop runs on, often a bastion shared with other users: its config file
//! ([`config`]), its own files, made private and never reached through a link ([`files`]),
//! everything it prints outside the dashboard, escaped ([`output`]), how much of a recording it
//! keeps on disk ([`keep`]), and the points where a
//! test may stop the process on purpose ([`hooks`]).

pub(crate) mod config;
pub(crate) mod files;
pub mod format;
pub mod hooks;
pub mod keep;
pub mod output;
