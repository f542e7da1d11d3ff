//! Which format each file edgetop keeps is in. Every JSON file of edgetop's says so in a
//! `format` member, so that a newer edgetop reads what an older one wrote, and an older one
//! refuses, in words, a file that a newer one wrote instead of misreading it.
//!
//! | file | format | since |
//! |---|---|---|
//! | rotation journal (`rotations/<id>.json`) | 1 (no `format` member: 1) | 0.1.0 |
//! | blocks journal (`blocks.json`) | 2 (`{"format": 2, "blocks": [...]}`; a bare list: 1) | 0.2.0 |
//! | kept actions (`kept-actions.json`) | 2 (`{"format": 2, "kept": {...}}`; a bare map: 1) | 0.2.0 |
//! | audit log (`audit.jsonl`), each line | 1 (no `format` member: 1) | 0.1.0 |
//! | recording (`*.rec`) | 1, in its header (`record::format`) | 0.1.0 |

use std::path::Path;

use serde_json::Value;

/// The rotation journal's format.
pub const JOURNAL: u32 = 1;
/// The blocks journal's format.
pub const BLOCKS: u32 = 2;
/// The kept actions' format.
pub const KEPT: u32 = 2;
/// An audit log line's format.
pub const AUDIT: u32 = 1;

/// The format of a document edgetop 0.1.0 wrote, which has no `format` member (serde's
/// default for one).
pub fn first() -> u32 {
    1
}

/// A file (or an audit log's line) written by a newer edgetop, in a format this one does not
/// know: refused, never misread, and never changed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{what} {path} is in format {found}, written by a newer edgetop; this edgetop ({}) reads \
     format {known} and older, so it neither reads nor changes it: use the newer edgetop, or \
     install it here",
    env!("CARGO_PKG_VERSION")
)]
pub struct Newer {
    /// What it is: "the blocks journal", "line 12 of the audit log".
    pub what: String,
    pub path: String,
    pub found: u64,
    pub known: u32,
}

/// The format a JSON document says it is in: its `format` member, or 1 for a document of
/// edgetop 0.1.0, which wrote none. A format newer than `known` is refused.
pub fn of(doc: &Value, known: u32, what: &str, path: &Path) -> Result<u32, Newer> {
    let found = match doc.get("format") {
        Some(Value::Number(n)) => n.as_u64().unwrap_or(u64::MAX),
        // A member of another type is no format edgetop wrote: the newest, so refused.
        Some(_) => u64::MAX,
        None => u64::from(first()),
    };
    if found > u64::from(known) {
        return Err(Newer {
            what: what.to_string(),
            path: path.display().to_string(),
            found,
            known,
        });
    }
    Ok(found as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_document_without_a_format_is_the_first_and_a_newer_one_is_refused_in_words() {
        let p = Path::new("/home/op/.local/state/edgetop/blocks.json");
        assert_eq!(of(&json!([]), BLOCKS, "the blocks journal", p), Ok(1));
        assert_eq!(of(&json!({"id": "r1"}), JOURNAL, "x", p), Ok(1));
        assert_eq!(of(&json!({"format": 2}), BLOCKS, "x", p), Ok(2));
        let e = of(&json!({"format": 3}), BLOCKS, "the blocks journal", p).unwrap_err();
        let said = e.to_string();
        assert!(
            said.starts_with("the blocks journal /home/op/.local/state/edgetop/blocks.json is in format 3, written by a newer edgetop"),
            "{said}"
        );
        assert!(said.contains("reads format 2 and older"), "{said}");
        for odd in [
            json!({"format": "2"}),
            json!({"format": -1}),
            json!({"format": 1.5}),
        ] {
            assert!(of(&odd, BLOCKS, "x", p).is_err(), "{odd}");
        }
    }
}
