//! A finding: something about the account that deserves a look, with its severity and the
//! panel whose screen explains it. The Overview's "Unusual now" and the Access screen list them.

use crate::model::Panel;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum Severity {
    Info,
    Warn,
    Critical,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// What it is about: Enter on it goes to the screen that shows this.
    pub about: Panel,
    pub text: String,
}

impl Finding {
    pub fn new(severity: Severity, about: Panel, text: String) -> Finding {
        Finding {
            severity,
            about,
            text,
        }
    }
}
