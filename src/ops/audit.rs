//! The audit log: one JSON object per line, appended, never rewritten, in the XDG state
//! directory. Who (the caller identity STS GetCallerIdentity gave at start, and the local user),
//! when, what, and the result. An operation whose confirmation cannot be written is not run.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Op;

/// Who is acting, on what account.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Who {
    /// The caller's ARN from STS GetCallerIdentity ("demo" for the simulated account).
    pub caller: String,
    /// The local login ($USER), which tells apart people sharing a bastion's role.
    pub local_user: String,
    pub account: String,
    pub region: String,
}

impl Who {
    pub fn new(caller: &str, account: &str, region: &str) -> Who {
        Who {
            caller: caller.to_string(),
            local_user: std::env::var("USER")
                .or_else(|_| std::env::var("LOGNAME"))
                .unwrap_or_else(|_| "unknown".into()),
            account: account.to_string(),
            region: region.to_string(),
        }
    }
}

/// What happened to an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// The operator confirmed it; it is about to run.
    Confirmed,
    /// `--dry-run`: the plan was shown, nothing ran.
    DryRun,
    /// Refused before any call (read-only, a conflict, a lock held elsewhere).
    Refused,
    Succeeded,
    Failed,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Entry {
    pub time: DateTime<Utc>,
    #[serde(flatten)]
    pub who: Who,
    pub phase: Phase,
    /// The operation in one line.
    pub what: String,
    /// The operation, field by field.
    pub op: serde_json::Value,
    /// The outcome or the error, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Audit {
    path: PathBuf,
    who: Who,
    /// Who acts in each place, when more than one is in view (by [`crate::model::Place`]).
    at: Vec<Who>,
}

impl Audit {
    pub fn new(path: impl Into<PathBuf>, who: Who) -> Audit {
        Audit {
            path: path.into(),
            who,
            at: Vec::new(),
        }
    }

    /// The same log, naming who acts in each of many places (in place order).
    pub fn with_places(mut self, at: Vec<Who>) -> Audit {
        self.at = at;
        self
    }

    /// Who acts for `op`: the caller in the account and region it acts in.
    fn who_for(&self, op: &Op) -> Who {
        op.at()
            .and_then(|at| self.at.get(at.place.0 as usize))
            .unwrap_or(&self.who)
            .clone()
    }

    /// `audit.jsonl` (or `audit-demo.jsonl` for the simulated account) in the state directory.
    pub fn default_path(demo: bool) -> Option<PathBuf> {
        let d = directories::ProjectDirs::from("", "", "edgetop")?;
        let dir = d.state_dir().unwrap_or(d.data_local_dir()).to_path_buf();
        Some(dir.join(if demo {
            "audit-demo.jsonl"
        } else {
            "audit.jsonl"
        }))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Append one entry, in one write, and flush it to disk.
    pub fn record(&self, phase: Phase, op: &Op, result: Option<&str>) -> Result<(), AuditError> {
        let entry = Entry {
            time: Utc::now(),
            who: self.who_for(op),
            phase,
            what: op.summary(),
            op: serde_json::to_value(op).unwrap_or_default(),
            result: result.map(str::to_string),
        };
        let fail = |e: std::io::Error| AuditError {
            path: self.path.display().to_string(),
            source: e,
        };
        let mut line = serde_json::to_string(&entry).map_err(|e| fail(e.into()))?;
        line.push('\n');
        if let Some(dir) = self.path.parent() {
            crate::files::private_dir(dir).map_err(fail)?;
        }
        let mut f = crate::files::open_private_append(&self.path).map_err(fail)?;
        f.write_all(line.as_bytes()).map_err(fail)?;
        f.sync_data().map_err(fail)
    }
}

/// The audit log cannot be written: nothing is changed without a record of it.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the audit log {path}: {source}")]
pub struct AuditError {
    pub path: String,
    pub source: std::io::Error,
}

/// The last `n` entries of an audit log, oldest first. Lines that do not parse are shown as such,
/// not dropped: an audit log is evidence.
pub fn read_last(path: &Path, n: usize) -> Result<Vec<Result<Entry, String>>, String> {
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot read the audit log {}: {e}", path.display())),
    };
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    Ok(lines[lines.len().saturating_sub(n)..]
        .iter()
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| format!("line {} unreadable: {e}", i + 1))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Text;

    #[test]
    fn entries_append_and_read_back() {
        let dir = std::env::temp_dir().join(format!("edgetop-audit-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let path = dir.join("audit.jsonl");
        let audit = Audit::new(&path, Who::new("arn:aws:iam::1:user/op", "1", "eu-west-1"));
        let op = Op::RotateKey {
            at: Default::default(),
            key_id: Text::new("k1"),
            key_name: Text::new("partner\u{1b}[31m"),
        };
        audit.record(Phase::Confirmed, &op, None).unwrap();
        audit
            .record(Phase::Succeeded, &op, Some("created k2"))
            .unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(!text.contains('\u{1b}'), "no raw escape in the log: {text}");
        let got = read_last(&path, 10).unwrap();
        let last = got[1].as_ref().unwrap();
        assert_eq!(last.phase, Phase::Succeeded);
        assert_eq!(last.who.caller, "arn:aws:iam::1:user/op");
        assert_eq!(last.result.as_deref(), Some("created k2"));
        assert_eq!(read_last(&path, 1).unwrap().len(), 1);
        let _ = fs::remove_dir_all(&dir);
    }
}
