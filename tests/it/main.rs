//! Every integration test of edgetop, as one program: one link of the library and the AWS SDK
//! for all of them (eleven programs relinked the whole program eleven times after a change to a
//! helper). One module per area; `common` holds what they share.
//!
//! Run one area with a filter: `cargo nextest run --release -E 'test(/^aws_moto::/)'`, or
//! `cargo test --release --test it aws_moto::`.

mod common;

mod aws_moto;
mod bastion;
mod cli;
mod docs;
mod e2e_tmux;
mod install;
mod ops_moto;
mod places_moto;
mod record_tmux;
mod render;
mod replay;
mod respond_moto;
mod trust_moto;
