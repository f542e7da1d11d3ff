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
    /// The account and region it is about, when many are in view.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<crate::model::Place>,
}

impl crate::model::Placed for Finding {
    fn place(&self) -> crate::model::Place {
        self.place.unwrap_or(crate::model::Place::NONE)
    }
}

impl Finding {
    pub fn new(severity: Severity, about: Panel, text: String) -> Finding {
        Finding {
            severity,
            about,
            text,
            place: None,
        }
    }
}
