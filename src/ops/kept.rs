//! What a toggle cannot carry across, kept to be put back. WAF's Count action has no custom
//! response, and Block has no inserted headers: flipping a Block that answers 429 with a body
//! to Count and back would otherwise come back as a plain 403. The replaced action's custom
//! parts are written here (the state directory, beside the rotation journal) before the toggle
//! is sent, so no crash can lose them, and put back by the toggle that returns the rule to that
//! action.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::state_file::{self, StateFile};

/// The custom parts of one rule action.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Kept {
    /// Block: the response code, the web ACL's response body key, the response headers.
    pub response_code: Option<i32>,
    pub body_key: Option<String>,
    pub response_headers: Vec<(String, String)>,
    /// Allow, Count, CAPTCHA, Challenge: the headers inserted into the request.
    pub insert_headers: Vec<(String, String)>,
    pub kept_at: DateTime<Utc>,
}

impl Kept {
    /// In words, for the plan and the outcome.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(code) = self.response_code {
            parts.push(format!("response {code}"));
        }
        if let Some(b) = &self.body_key {
            parts.push(format!("body {b}"));
        }
        if !self.response_headers.is_empty() {
            parts.push(format!(
                "{} response header(s)",
                self.response_headers.len()
            ));
        }
        if !self.insert_headers.is_empty() {
            parts.push(format!("{} inserted header(s)", self.insert_headers.len()));
        }
        parts.join(", ")
    }
}

/// The file of kept actions.
#[derive(Clone, Debug)]
pub struct KeptActions {
    file: StateFile,
}

/// What was read: the kept actions, and a warning naming the file when it could not be read
/// (a toggle goes on without what it held, and says so).
pub type Read = state_file::Read<BTreeMap<String, Kept>>;

impl KeptActions {
    /// `kept-actions.json` in `state_dir`.
    pub fn in_dir(state_dir: &Path) -> KeptActions {
        KeptActions {
            file: StateFile::new(
                state_dir.join("kept-actions.json"),
                "kept actions",
                crate::host::format::KEPT,
                "kept",
            ),
        }
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        self.file.path()
    }

    /// Which rule, which action: "REGIONAL/<web ACL id>/<rule>/Block".
    pub fn key(scope: &str, web_acl_id: &str, rule: &str, action: &str) -> String {
        format!("{scope}/{web_acl_id}/{rule}/{action}")
    }

    pub fn read(&self) -> Read {
        let mut r = self.file.read();
        if let Some(w) = &mut r.warning {
            w.push_str(": what it keeps is not put back");
        }
        r
    }

    /// Every kept action (none when the file cannot be read: a toggle says why).
    pub fn all(&self) -> BTreeMap<String, Kept> {
        self.read().value
    }

    /// The action kept under `key`, and a warning when the file could not be read.
    pub fn get(&self, key: &str) -> (Option<Kept>, Option<String>) {
        let mut r = self.read();
        (r.value.remove(key), r.warning)
    }

    /// Keep `put` (if any) under its key and forget `done` (put back), in one atomic write,
    /// one process at a time. A file that cannot be read is moved aside (named in the warning
    /// returned), never overwritten.
    pub fn update(
        &self,
        put: Option<(&str, &Kept)>,
        done: Option<&str>,
    ) -> Result<Option<String>, String> {
        let ((), warning) = self.file.update(|all: &mut BTreeMap<String, Kept>| {
            if let Some(k) = done {
                all.remove(k);
            }
            if let Some((k, v)) = put {
                all.insert(k.to_string(), v.clone());
            }
        })?;
        Ok(warning)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn kept_parts_are_put_and_taken_back() {
        let dir = std::env::temp_dir().join(format!("edgetop-kept-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let k = KeptActions::in_dir(&dir);
        let key = KeptActions::key("REGIONAL", "id", "Throttle", "Block");
        assert_eq!(k.get(&key), (None, None));
        let kept = Kept {
            response_code: Some(429),
            body_key: Some("slow-down".into()),
            response_headers: vec![("retry-after".into(), "60".into())],
            insert_headers: vec![],
            kept_at: DateTime::UNIX_EPOCH,
        };
        assert_eq!(k.update(Some((&key, &kept)), None), Ok(None));
        assert_eq!(k.get(&key).0, Some(kept.clone()));
        assert_eq!(
            kept.describe(),
            "response 429, body slow-down, 1 response header(s)"
        );
        k.update(None, Some(&key)).unwrap();
        assert_eq!(k.get(&key).0, None);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_unreadable_file_is_a_warning_naming_it_and_is_moved_aside_not_lost() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("edgetop-kept-bad-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let file = dir.join("kept-actions.json");
        fs::write(&file, "{ broken").unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o600)).unwrap();
        let k = KeptActions::in_dir(&dir);
        let (got, warning) = k.get("x");
        assert_eq!(got, None);
        let warning = warning.expect("a warning");
        assert!(warning.contains("kept-actions.json"), "{warning}");
        let kept = Kept {
            response_code: Some(429),
            body_key: None,
            response_headers: vec![],
            insert_headers: vec![],
            kept_at: DateTime::UNIX_EPOCH,
        };
        let said = k.update(Some(("x", &kept)), None).unwrap().expect("said");
        assert!(said.contains("moved to"), "{said}");
        assert_eq!(k.get("x"), (Some(kept), None));
        let aside: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("unreadable"))
            .collect();
        assert_eq!(aside.len(), 1, "the broken file is kept: {aside:?}");
        assert_eq!(fs::read_to_string(dir.join(&aside[0])).unwrap(), "{ broken");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn two_processes_writing_at_once_lose_nothing() {
        let dir = std::env::temp_dir().join(format!("edgetop-kept-two-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let k = KeptActions::in_dir(&dir);
        let kept = Kept {
            response_code: Some(429),
            body_key: None,
            response_headers: vec![],
            insert_headers: vec![],
            kept_at: DateTime::UNIX_EPOCH,
        };
        std::thread::scope(|s| {
            for t in 0..4 {
                let (k, kept) = (k.clone(), kept.clone());
                s.spawn(move || {
                    for i in 0..10 {
                        k.update(Some((&format!("{t}-{i}"), &kept)), None).unwrap();
                    }
                });
            }
        });
        assert_eq!(k.all().len(), 40);
        let _ = fs::remove_dir_all(&dir);
    }
}
