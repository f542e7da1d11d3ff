//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test file uses a part

pub mod moto;
pub mod tmux;
