//! What a toggle cannot carry across, kept to be put back. WAF's Count action has no custom
//! response, and Block has no inserted headers: flipping a Block that answers 429 with a body
//! to Count and back would otherwise come back as a plain 403. The replaced action's custom
//! parts are written here (the state directory, beside the rotation journal) when a toggle is
//! accepted, and put back by the toggle that returns the rule to that action.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
    path: PathBuf,
}

impl KeptActions {
    /// `kept-actions.json` in `state_dir`.
    pub fn in_dir(state_dir: &Path) -> KeptActions {
        KeptActions {
            path: state_dir.join("kept-actions.json"),
        }
    }

    /// Which rule, which action: "REGIONAL/<web ACL id>/<rule>/Block".
    pub fn key(scope: &str, web_acl_id: &str, rule: &str, action: &str) -> String {
        format!("{scope}/{web_acl_id}/{rule}/{action}")
    }

    fn read(&self) -> Result<BTreeMap<String, Kept>, String> {
        match fs::read_to_string(&self.path) {
            Ok(t) => serde_json::from_str(&t).map_err(|e| {
                format!(
                    "{} is not readable ({e}); it was left as it is",
                    self.path.display()
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(format!("{}: {e}", self.path.display())),
        }
    }

    /// Every kept action (none when the file cannot be read: the toggle itself says why).
    pub fn all(&self) -> BTreeMap<String, Kept> {
        self.read().unwrap_or_default()
    }

    pub fn get(&self, key: &str) -> Result<Option<Kept>, String> {
        Ok(self.read()?.remove(key))
    }

    /// Keep `put` (if any) under its key and forget `done` (put back), in one atomic write.
    pub fn update(&self, put: Option<(&str, &Kept)>, done: Option<&str>) -> Result<(), String> {
        let mut all = self.read()?;
        if let Some(k) = done {
            all.remove(k);
        }
        if let Some((k, v)) = put {
            all.insert(k.to_string(), v.clone());
        }
        let text = serde_json::to_string_pretty(&all).map_err(|e| e.to_string())?;
        crate::files::write_atomic(&self.path, text.as_bytes())
            .map_err(|e| format!("{}: {e}", self.path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_parts_are_put_and_taken_back() {
        let dir = std::env::temp_dir().join(format!("edgetop-kept-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let k = KeptActions::in_dir(&dir);
        let key = KeptActions::key("REGIONAL", "id", "Throttle", "Block");
        assert_eq!(k.get(&key).unwrap(), None);
        let kept = Kept {
            response_code: Some(429),
            body_key: Some("slow-down".into()),
            response_headers: vec![("retry-after".into(), "60".into())],
            insert_headers: vec![],
            kept_at: DateTime::UNIX_EPOCH,
        };
        k.update(Some((&key, &kept)), None).unwrap();
        assert_eq!(k.get(&key).unwrap(), Some(kept.clone()));
        assert_eq!(
            kept.describe(),
            "response 429, body slow-down, 1 response header(s)"
        );
        k.update(None, Some(&key)).unwrap();
        assert_eq!(k.get(&key).unwrap(), None);
        fs::write(dir.join("kept-actions.json"), "{ broken").unwrap();
        assert!(k.get(&key).unwrap_err().contains("left as it is"));
        let _ = fs::remove_dir_all(&dir);
    }
}
