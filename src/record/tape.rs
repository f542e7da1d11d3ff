//! A recording read back: its polls in time order, what failed, the operations, and the
//! snapshot at any poll, rebuilt from the `full` part before it and the changes since.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::format::{self, Kind, PartRef};
use super::{OperationPart, StartPart};
use crate::model::{Snapshot, Text};

/// What a replay shows besides the snapshots: a failed poll or an operation, at its time.
#[derive(Clone, Debug, PartialEq)]
pub enum Mark {
    Failed {
        at: DateTime<Utc>,
        error: Text,
    },
    Operation {
        at: DateTime<Utc>,
        op: OperationPart,
    },
}

impl Mark {
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Mark::Failed { at, .. } | Mark::Operation { at, .. } => *at,
        }
    }

    /// In one line, as the footer says it: "14:07:12 rotate key … by alice: succeeded".
    pub fn line(&self) -> String {
        match self {
            Mark::Failed { at, error } => {
                format!("{} the poll failed: {error}", at.format("%H:%M:%S"))
            }
            Mark::Operation { at, op } => format!("{} {}", at.format("%H:%M:%S"), op.line()),
        }
    }
}

/// One poll of the recording.
#[derive(Clone, Copy, Debug)]
pub struct Poll {
    pub at: DateTime<Utc>,
    part: usize,
}

pub struct Tape {
    bytes: Vec<u8>,
    parts: Vec<PartRef>,
    pub polls: Vec<Poll>,
    /// Marks, each after the poll it follows (by index into `polls`; None before the first).
    pub marks: Vec<(Option<usize>, Mark)>,
    pub starts: Vec<StartPart>,
    /// Why the reading stopped before the file's end, if it did.
    pub cut: Option<String>,
    /// The last snapshot rebuilt: (poll index, its JSON), to go on from.
    cursor: Option<(usize, Value)>,
}

impl Tape {
    /// Read the file at `path`. Its content is outside text, whoever wrote it.
    pub fn open(path: &Path) -> Result<Tape, String> {
        let bytes = std::fs::read(path)
            .map_err(|e| format!("cannot read the recording {}: {e}", path.display()))?;
        Tape::from_bytes(bytes).map_err(|e| {
            format!(
                "{} cannot be replayed: {e}",
                crate::model::text::escape(&path.display().to_string())
            )
        })
    }

    pub fn from_bytes(bytes: Vec<u8>) -> Result<Tape, String> {
        let ix = format::index(&bytes).map_err(|e| e.to_string())?;
        let mut tape = Tape {
            bytes,
            parts: ix.parts,
            polls: Vec::new(),
            marks: Vec::new(),
            starts: Vec::new(),
            cut: ix.cut,
            cursor: None,
        };
        tape.list();
        if tape.polls.is_empty() {
            return Err(match &tape.cut {
                Some(cut) => format!("it holds no whole poll: {cut}"),
                None => "it holds no poll".to_string(),
            });
        }
        Ok(tape)
    }

    /// Sort the parts into polls and marks. A delta with no full part before it cannot be
    /// rebuilt: it is skipped (a file trimmed by hand), and said.
    fn list(&mut self) {
        let mut have_full = false;
        let mut skipped = 0;
        for (i, p) in self.parts.iter().enumerate() {
            let json = || format::json_of(&self.bytes, p);
            let after = self.polls.len().checked_sub(1);
            match p.kind {
                Kind::Full => {
                    have_full = true;
                    self.polls.push(Poll { at: p.at, part: i });
                }
                Kind::Delta if have_full => self.polls.push(Poll { at: p.at, part: i }),
                Kind::Delta => skipped += 1,
                Kind::Start => {
                    // A new run of edgetop: its first snapshot is full again.
                    have_full = false;
                    if let Ok(s) = json().and_then(|j| read_json::<StartPart>(&j)) {
                        self.starts.push(s);
                    }
                }
                Kind::Failed => {
                    let error = json()
                        .and_then(|j| read_json::<FailedPart>(&j))
                        .map_or_else(|e| Text::new(&e), |f| f.error);
                    self.marks.push((after, Mark::Failed { at: p.at, error }));
                }
                Kind::Operation => {
                    if let Ok(op) = json().and_then(|j| read_json::<OperationPart>(&j)) {
                        self.marks.push((after, Mark::Operation { at: p.at, op }));
                    }
                }
            }
        }
        if skipped > 0 && self.cut.is_none() {
            self.cut = Some(format!(
                "{skipped} change(s) at its start have no whole snapshot before them"
            ));
        }
    }

    pub fn first(&self) -> DateTime<Utc> {
        self.polls[0].at
    }

    pub fn last(&self) -> DateTime<Utc> {
        self.polls[self.polls.len() - 1].at
    }

    /// How often it polled: the median time between its polls (a minute when it holds one).
    pub fn cadence(&self) -> std::time::Duration {
        let mut gaps: Vec<i64> = self
            .polls
            .windows(2)
            .map(|w| (w[1].at - w[0].at).num_milliseconds())
            .collect();
        gaps.sort_unstable();
        let ms = gaps.get(gaps.len() / 2).copied().unwrap_or(60_000);
        std::time::Duration::from_millis(ms.clamp(1000, 3_600_000) as u64)
    }

    /// The index of the last poll at or before `t` (the first, before the start).
    pub fn poll_at(&self, t: DateTime<Utc>) -> usize {
        self.polls.partition_point(|p| p.at <= t).saturating_sub(1)
    }

    /// The snapshot of poll `i`. A part that does not rebuild ends the tape there: the
    /// polls after it are dropped, and `cut` says why.
    pub fn snapshot(&mut self, i: usize) -> Result<Arc<Snapshot>, String> {
        let i = i.min(self.polls.len() - 1);
        let read = self.rebuild(i).and_then(|v| {
            <Snapshot as serde::Deserialize>::deserialize(v)
                .map_err(|e| format!("a snapshot that does not read ({e})"))
        });
        match read {
            Ok(s) => Ok(Arc::new(s)),
            Err(e) => {
                self.end_at(i, &e);
                Err(e)
            }
        }
    }

    fn end_at(&mut self, i: usize, why: &str) {
        let at = self.polls[i].at;
        self.cut = Some(format!(
            "the part at {} does not read: {why}",
            at.format("%Y-%m-%d %H:%M:%S UTC")
        ));
        // Poll 0 stays (it says its error again if asked): a tape is never empty.
        self.polls.truncate(i.max(1));
        self.marks.retain(|(after, _)| after.is_none_or(|a| a < i));
        self.cursor = None;
    }

    /// The JSON of poll `i`: from the cursor when it is on the way, else from the last full
    /// part at or before it.
    fn rebuild(&mut self, i: usize) -> Result<&Value, String> {
        let from_full = (0..=i)
            .rev()
            .find(|&j| self.parts[self.polls[j].part].kind == Kind::Full)
            .ok_or("no whole snapshot before it")?;
        let (mut j, mut doc) = match self.cursor.take() {
            Some((c, v)) if c <= i && c >= from_full => (c, v),
            _ => {
                let p = self.parts[self.polls[from_full].part];
                let json = format::json_of(&self.bytes, &p)?;
                let doc = serde_json::from_slice(&json)
                    .map_err(|e| format!("a snapshot that does not read ({e})"))?;
                (from_full, doc)
            }
        };
        while j < i {
            j += 1;
            let p = self.parts[self.polls[j].part];
            super::diff::apply(&mut doc, &format::json_of(&self.bytes, &p)?)?;
        }
        Ok(&self.cursor.insert((i, doc)).1)
    }
}

/// A part's JSON as `T`: every string in it goes through the sanitiser on the way.
fn read_json<T: serde::de::DeserializeOwned>(json: &[u8]) -> Result<T, String> {
    serde_json::from_slice(json).map_err(|e| e.to_string())
}

#[derive(serde::Serialize, serde::Deserialize)]
pub struct FailedPart {
    pub error: Text,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::text::is_unsafe;

    /// A file of one start and one full snapshot holding `json`.
    fn file_of(json: &str) -> Vec<u8> {
        let mut f = format::header();
        let t = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        f.extend(format::encode(Kind::Start, t, b"{}").unwrap());
        f.extend(format::encode(Kind::Full, t, json.as_bytes()).unwrap());
        f
    }

    fn demo_json() -> &'static serde_json::Value {
        static DEMO: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
        DEMO.get_or_init(|| {
            let snap = crate::source::demo::DemoSource::new(3, 1.0)
                .snapshot_at(crate::source::demo::DEMO_START + chrono::Duration::minutes(4));
            serde_json::to_value(&snap).unwrap()
        })
    }

    /// Every string in a value.
    fn strings(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => out.push(s.clone()),
            Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
            Value::Object(o) => o.iter().for_each(|(k, x)| {
                out.push(k.clone());
                strings(x, out)
            }),
            _ => {}
        }
    }

    fn hostile() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        proptest::collection::vec(
            prop_oneof![
                any::<char>(),
                proptest::sample::select(vec![
                    '\u{1b}', '\u{9b}', '\u{7}', '\u{202e}', '\n', '\u{200b}'
                ]),
            ],
            0..40,
        )
        .prop_map(|c| c.into_iter().collect())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// Whatever a recording's strings hold, what is read back is sanitised text.
        #[test]
        fn strings_read_back_from_a_recording_are_inert(
            alias in hostile(), acl in hostile(), uri in hostile(),
        ) {
            let mut v = demo_json().clone();
            v["account"]["alias"] = Value::from(alias);
            v["web_acls"][0]["name"] = Value::from(acl);
            if let Some(s) = v["samples"].get_mut(0) {
                s["uri"] = Value::from(uri);
            }
            let mut tape = Tape::from_bytes(file_of(&v.to_string())).unwrap();
            let snap = tape.snapshot(0).unwrap();
            let mut all = Vec::new();
            strings(&serde_json::to_value(&*snap).unwrap(), &mut all);
            for s in all {
                proptest::prop_assert!(!s.chars().any(is_unsafe), "{:?}", s);
            }
        }

        /// Any bytes after the header: read without a panic, every poll tried.
        #[test]
        fn any_bytes_read_without_panic(tail in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
            let mut f = format::header();
            f.extend(tail);
            if let Ok(mut tape) = Tape::from_bytes(f) {
                for i in 0..tape.polls.len() {
                    let _ = tape.snapshot(i);
                }
            }
        }

        /// A damaged change: the tape ends before it, says why, and never panics.
        #[test]
        fn a_change_that_does_not_apply_ends_the_tape_there(patch in "[\\[\\]{}\":,a-z0-9/ ]{0,60}") {
            let mut f = file_of(&demo_json().to_string());
            let t = DateTime::from_timestamp(1_800_000_010, 0).unwrap();
            f.extend(format::encode(Kind::Delta, t, patch.as_bytes()).unwrap());
            let mut tape = Tape::from_bytes(f).unwrap();
            if tape.snapshot(1).is_err() {
                proptest::prop_assert_eq!(tape.polls.len(), 1);
                proptest::prop_assert!(tape.cut.is_some());
                proptest::prop_assert!(tape.snapshot(0).is_ok());
            }
        }
    }
}
