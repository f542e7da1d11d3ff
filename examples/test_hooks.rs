//! edgetop with the end-to-end tests' hooks: the same program as the installed binary, built by
//! the README's test command and run only by the tests (cargo installs no example).
//!
//! - `EDGETOP_TEST_STALL=<step key>:called|done` stops a rotation right after that step's call
//!   returned (before the journal records it) or right after the journal recorded it, so a
//!   test can SIGKILL the process at exactly that point;
//! - `EDGETOP_TEST_PANIC` (any value) panics after the dashboard's first frame.

use std::process::ExitCode;

use edgetop::host::hooks::{self, Point, Reaction};

fn main() -> ExitCode {
    let stall = std::env::var("EDGETOP_TEST_STALL").ok();
    let panic = std::env::var_os("EDGETOP_TEST_PANIC").is_some();
    hooks::install(Box::new(move |point| match point {
        Point::StepCalled(step) | Point::StepDone(step) => {
            let when = match point {
                Point::StepCalled(_) => "called",
                _ => "done",
            };
            if stall.as_deref() == Some(format!("{step}:{when}").as_str()) {
                edgetop::errln!("edgetop: test hook: stalled at {step}:{when}");
                Reaction::Stall
            } else {
                Reaction::Go
            }
        }
        Point::FrameDrawn if panic => Reaction::Panic,
        Point::FrameDrawn => Reaction::Go,
    }));
    edgetop::commands::main()
}
