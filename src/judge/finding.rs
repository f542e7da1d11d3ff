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
    /// The words that find its row on that screen (Enter filters to them), when one row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<String>,
}

impl crate::model::Placed for Finding {
    fn place(&self) -> crate::model::Place {
        self.place.unwrap_or(crate::model::Place::NONE)
    }
}

/// The findings `of` gives for each place of `s`, each marked with its place; with one place,
/// what it gives for `s`.
pub fn per_place(
    s: &crate::model::Snapshot,
    of: impl Fn(&crate::model::Snapshot) -> Vec<Finding>,
) -> Vec<Finding> {
    if !s.many_places() {
        return of(s);
    }
    (0..s.places.len() as u16)
        .map(crate::model::Place)
        .flat_map(|p| {
            let part = crate::model::places::narrow(s, |x| x == p);
            of(&part).into_iter().map(move |f| Finding {
                place: Some(p),
                ..f
            })
        })
        .collect()
}

impl Finding {
    pub fn new(severity: Severity, about: Panel, text: String) -> Finding {
        Finding {
            severity,
            about,
            text,
            place: None,
            row: None,
        }
    }

    /// The same, leading to the row `row` finds.
    pub fn at_row(self, row: Option<String>) -> Finding {
        Finding { row, ..self }
    }
}
