//! The audit log: one JSON object per line, appended, never rewritten, in the XDG state
//! directory. Who (the caller identity STS GetCallerIdentity gave at start, and the local user),
//! when, what, and the result. An operation whose confirmation cannot be written is not run.

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
    /// The line's format ([`crate::host::format::AUDIT`]); edgetop 0.1.0 wrote none, which
    /// reads as 1.
    #[serde(default = "crate::host::format::first")]
    pub format: u32,
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
    pub fn who_for(&self, op: &Op) -> Who {
        op.at()
            .and_then(|at| self.at.get(at.place.0 as usize))
            .unwrap_or(&self.who)
            .clone()
    }

    /// `audit.jsonl` (or `audit-demo.jsonl` for the simulated account) in the state directory.
    pub fn default_path(demo: bool) -> Option<PathBuf> {
        Some(crate::host::files::state_dir()?.join(if demo {
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
            format: crate::host::format::AUDIT,
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
        // As `snapshot --json` is written: no character that could drive a terminal (a bidi
        // override in a key's name, a C1 control) reaches the evidence file raw.
        let json = serde_json::to_string(&entry).map_err(|e| fail(e.into()))?;
        let mut line = crate::model::text::json_safe(&json);
        line.push('\n');
        crate::host::files::private_dir(crate::host::files::parent_of(&self.path)).map_err(fail)?;
        let mut f = crate::host::files::open_private_append(&self.path).map_err(fail)?;
        f.write_all(line.as_bytes()).map_err(fail)?;
        f.sync_data().map_err(fail)
    }
}

impl Audit {
    /// [`Audit::record`], off the runtime's workers: it waits for the disk (fsync).
    pub async fn write(
        &self,
        phase: Phase,
        op: &Op,
        result: Option<&str>,
    ) -> Result<(), AuditError> {
        let (audit, op, result) = (self.clone(), op.clone(), result.map(str::to_string));
        let path = self.path.display().to_string();
        tokio::task::spawn_blocking(move || audit.record(phase, &op, result.as_deref()))
            .await
            .unwrap_or_else(|e| {
                Err(AuditError {
                    path,
                    source: std::io::Error::other(e),
                })
            })
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
/// not dropped: an audit log is evidence. Only the end of the file is read, however long the
/// log has grown.
pub fn read_last(path: &Path, n: usize) -> Result<Vec<Result<Entry, String>>, String> {
    let cannot = |e: std::io::Error| format!("cannot read the audit log {}: {e}", path.display());
    let mut f = match crate::host::files::open_private_read(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(cannot(e)),
    };
    let tail = tail_lines(&mut f, n).map_err(cannot)?;
    let text = String::from_utf8_lossy(&tail);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    Ok(lines[lines.len().saturating_sub(n)..]
        .iter()
        .enumerate()
        .map(|(i, l)| parse_line(l, i + 1, path))
        .collect())
}

/// One line of the audit log (`n`: its place among those read), or why it is not shown: it
/// does not parse, or a newer edgetop wrote it in a format this one does not know.
fn parse_line(line: &str, n: usize, path: &Path) -> Result<Entry, String> {
    let unreadable = |e: serde_json::Error| format!("line {n} unreadable: {e}");
    let doc: serde_json::Value = serde_json::from_str(line).map_err(unreadable)?;
    let what = format!("line {n} of the audit log");
    crate::host::format::of(&doc, crate::host::format::AUDIT, &what, path)
        .map_err(|e| e.to_string())?;
    serde_json::from_value(doc).map_err(unreadable)
}

/// The bytes of the last `n` lines of `f` (at least: whole lines, from a line's start), read
/// from the end in blocks.
fn tail_lines(f: &mut std::fs::File, n: usize) -> std::io::Result<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    const BLOCK: u64 = 64 * 1024;
    let len = f.seek(SeekFrom::End(0))?;
    let mut start = len;
    let mut buf: Vec<u8> = Vec::new();
    while start > 0 {
        let from = start.saturating_sub(BLOCK);
        let mut block = vec![0; (start - from) as usize];
        f.seek(SeekFrom::Start(from))?;
        f.read_exact(&mut block)?;
        block.extend_from_slice(&buf);
        buf = block;
        start = from;
        // n whole lines after the first line feed, which ends a line that may be cut.
        let feeds = buf.iter().filter(|b| **b == b'\n').count();
        if feeds > n {
            break;
        }
    }
    if start > 0
        && let Some(i) = buf.iter().position(|b| *b == b'\n')
    {
        buf.drain(..=i);
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Text;
    use std::fs;

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

    #[test]
    fn nothing_in_the_evidence_file_can_drive_a_terminal() {
        let dir = std::env::temp_dir().join(format!("edgetop-audit-raw-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let path = dir.join("audit.jsonl");
        let audit = Audit::new(&path, Who::new("arn\u{202e}", "1", "eu-west-1"));
        let op = Op::RotateKey {
            at: Default::default(),
            key_id: Text::new("k1"),
            key_name: Text::new("partner"),
        };
        // An outcome that names what AWS called things, raw.
        let said = "rotated: partner\u{202e}lmth.exe\u{9b}31m\u{2028}x";
        audit.record(Phase::Succeeded, &op, Some(said)).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert!(
            !text.trim_end().chars().any(crate::model::text::is_unsafe),
            "{text:?}"
        );
        let back = read_last(&path, 1).unwrap().remove(0).unwrap();
        assert_eq!(back.result.as_deref(), Some(said), "the same record");
        assert_eq!(back.who.caller, "arn\u{202e}");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn only_the_end_of_a_long_log_is_read() {
        let dir = std::env::temp_dir().join(format!("edgetop-audit-tail-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let path = dir.join("audit.jsonl");
        let audit = Audit::new(&path, Who::new("arn", "1", "eu-west-1"));
        let op = Op::RotateKey {
            at: Default::default(),
            key_id: Text::new("k1"),
            key_name: Text::new(&"long name ".repeat(300)),
        };
        let padding = "x".repeat(2000);
        for i in 0..300 {
            audit
                .record(Phase::Succeeded, &op, Some(&format!("done {i} {padding}")))
                .unwrap();
        }
        let last = read_last(&path, 5).unwrap();
        let said: Vec<String> = last
            .into_iter()
            .map(|e| e.unwrap().result.unwrap().replace(&padding, ""))
            .collect();
        assert_eq!(
            said,
            [
                "done 295 ",
                "done 296 ",
                "done 297 ",
                "done 298 ",
                "done 299 "
            ]
        );
        let mut f = fs::File::open(&path).unwrap();
        let tail = tail_lines(&mut f, 5).unwrap();
        assert!(
            tail.len() < fs::metadata(&path).unwrap().len() as usize / 10,
            "a tail, not the whole file"
        );
        assert_eq!(read_last(&path, 1000).unwrap().len(), 300);
        let _ = fs::remove_dir_all(&dir);
    }
}
