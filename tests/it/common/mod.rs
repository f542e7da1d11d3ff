//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test file uses a part

pub mod change;
pub mod draw;
pub mod moto;
pub mod tmux;

/// The program with the tests' hooks (examples/test_hooks.rs: `EDGETOP_TEST_STALL`,
/// `EDGETOP_TEST_PANIC`), which the README's test command builds beside `edgetop`. The
/// installed binary has none: a test that sets a hook's variable on it proves nothing.
pub fn hooked() -> String {
    let p = std::path::Path::new(env!("CARGO_BIN_EXE_edgetop"))
        .parent()
        .expect("the binary's directory")
        .join("examples")
        .join("test_hooks");
    assert!(
        p.exists(),
        "{} is missing: the tests build it (cargo build --release --example test_hooks)",
        p.display()
    );
    p.display().to_string()
}
