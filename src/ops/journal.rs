//! The rotation journal: one JSON file per rotation in the XDG state directory, holding IDs and
//! the state of each step — never a key's value. It is rewritten atomically (a temporary file,
//! fsync, rename) before and after every step, so a rotation cut short by a crash, SIGKILL or a
//! dropped SSH link can be finished or rolled back by the next start.
//!
//! A step is marked `Started` before its call and `Done` after it; a step found `Started` may or
//! may not have happened, so every step is written to be safe to run twice.
//!
//! Long because its tests sit beside it: under 350 lines of code.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mark {
    Started,
    Done,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Finish {
    Completed,
    RolledBack,
}

/// One step of a rotation, forward or back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepId {
    Create,
    AddToPlan(String),
    Switch(String),
    Deployed(String),
    DisableOld,
    // Rolling back, newest first:
    EnableOld,
    SwitchBack(String),
    DeployedBack(String),
    RemoveFromPlan(String),
    DeleteNew,
}

impl StepId {
    /// The step's key in the journal.
    pub fn key(&self) -> String {
        match self {
            StepId::Create => "create".into(),
            StepId::AddToPlan(p) => format!("add-to-plan:{p}"),
            StepId::Switch(d) => format!("switch:{d}"),
            StepId::Deployed(d) => format!("deployed:{d}"),
            StepId::DisableOld => "disable-old".into(),
            StepId::EnableOld => "enable-old".into(),
            StepId::SwitchBack(d) => format!("switch-back:{d}"),
            StepId::DeployedBack(d) => format!("deployed-back:{d}"),
            StepId::RemoveFromPlan(p) => format!("remove-from-plan:{p}"),
            StepId::DeleteNew => "delete-new".into(),
        }
    }

    /// The step in the operator's words, every name from AWS escaped.
    pub fn describe(&self, r: &Rotation) -> String {
        use crate::model::Text;
        let new = Text::new(&r.new_key_name);
        let old = Text::new(&r.old_key_name);
        let (p, d) = match self {
            StepId::AddToPlan(x) | StepId::RemoveFromPlan(x) => (Text::new(x), Text::default()),
            StepId::Switch(x)
            | StepId::Deployed(x)
            | StepId::SwitchBack(x)
            | StepId::DeployedBack(x) => (Text::default(), Text::new(x)),
            _ => Default::default(),
        };
        match self {
            StepId::Create => format!("Create key {new}"),
            StepId::AddToPlan(_) => format!("Add {new} to usage plan {p}"),
            StepId::Switch(_) => format!("Send {new} from distribution {d}"),
            StepId::Deployed(_) => format!("Wait until {d} is Deployed"),
            StepId::DisableOld => format!("Disable {old}"),
            StepId::EnableOld => format!("Enable {old} again"),
            StepId::SwitchBack(_) => format!("Send {old} from distribution {d} again"),
            StepId::DeployedBack(_) => format!("Wait until {d} is Deployed"),
            StepId::RemoveFromPlan(_) => format!("Remove {new} from usage plan {p}"),
            StepId::DeleteNew => format!("Delete {new}"),
        }
    }
}

/// A rotation as the journal holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rotation {
    /// The journal's format ([`crate::host::format::JOURNAL`]); edgetop 0.1.0 wrote none, which
    /// reads as 1.
    #[serde(default = "crate::host::format::first")]
    pub format: u32,
    pub id: String,
    pub account: String,
    pub region: String,
    pub started: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    pub old_key_id: String,
    pub old_key_name: String,
    pub new_key_name: String,
    /// Known once CreateApiKey answered (before that, found again by its unique name).
    pub new_key_id: Option<String>,
    /// The usage plans that held the old key when the rotation began.
    pub plans: Vec<String>,
    /// The distributions that sent the old key when the rotation began.
    pub distributions: Vec<String>,
    /// Once a roll back began, the rotation can only be rolled back.
    pub rolling_back: bool,
    pub steps: BTreeMap<String, Mark>,
    pub finished: Option<Finish>,
}

/// Why the journal could not be used. The kind decides what the operator is told: a lock held
/// by another edgetop is a refusal (wait, or look there); a file that cannot be read or written
/// is a failure.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum JournalError {
    /// Another edgetop holds the lock.
    #[error("{0}")]
    Held(String),
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    /// A journal file is not a rotation, or not this one.
    #[error("{path} is not a readable journal ({message}); it was left as it is")]
    Unreadable { path: String, message: String },
    /// A newer edgetop wrote it: neither read nor changed.
    #[error("{0}")]
    Newer(#[from] crate::host::format::Newer),
}

impl JournalError {
    fn io(path: &std::path::Path, e: impl std::fmt::Display) -> JournalError {
        JournalError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        }
    }
}

impl Rotation {
    /// A journal file's text, which must be the rotation named `id` (its file name): the id
    /// names files (locks, pruning), so one that says otherwise is refused, as is one in a
    /// format newer than this edgetop's.
    pub fn parse(text: &str, id: &str, path: &Path) -> Result<Rotation, JournalError> {
        let unreadable = |message: String| JournalError::Unreadable {
            path: path.display().to_string(),
            message,
        };
        let doc: serde_json::Value =
            serde_json::from_str(text).map_err(|e| unreadable(e.to_string()))?;
        crate::host::format::of(
            &doc,
            crate::host::format::JOURNAL,
            "the rotation journal",
            path,
        )?;
        let r: Rotation = serde_json::from_value(doc).map_err(|e| unreadable(e.to_string()))?;
        if r.id != id {
            return Err(unreadable(format!("it says it is rotation {:?}", r.id)));
        }
        Ok(r)
    }

    pub fn forward_steps(&self) -> Vec<StepId> {
        let mut s = vec![StepId::Create];
        s.extend(self.plans.iter().cloned().map(StepId::AddToPlan));
        for d in &self.distributions {
            s.push(StepId::Switch(d.clone()));
            s.push(StepId::Deployed(d.clone()));
        }
        s.push(StepId::DisableOld);
        s
    }

    /// What undoes the forward steps that started, newest first. The old key is enabled again
    /// before any distribution sends it again, and the new key leaves its plans only after no
    /// distribution sends it.
    pub fn rollback_steps(&self) -> Vec<StepId> {
        let began = |s: &StepId| self.steps.contains_key(&s.key());
        let mut out = Vec::new();
        if began(&StepId::DisableOld) {
            out.push(StepId::EnableOld);
        }
        for d in self.distributions.iter().rev() {
            if began(&StepId::Switch(d.clone())) {
                out.push(StepId::SwitchBack(d.clone()));
                out.push(StepId::DeployedBack(d.clone()));
            }
        }
        for p in self.plans.iter().rev() {
            if began(&StepId::AddToPlan(p.clone())) {
                out.push(StepId::RemoveFromPlan(p.clone()));
            }
        }
        if began(&StepId::Create) {
            out.push(StepId::DeleteNew);
        }
        out
    }

    /// The steps in the direction the rotation is going.
    pub fn steps_now(&self) -> Vec<StepId> {
        if self.rolling_back {
            self.rollback_steps()
        } else {
            self.forward_steps()
        }
    }

    pub fn mark(&self, s: &StepId) -> Option<Mark> {
        self.steps.get(&s.key()).copied()
    }

    /// Where it stopped, in the operator's words.
    pub fn where_stopped(&self) -> String {
        let steps = self.steps_now();
        let done = steps
            .iter()
            .filter(|s| self.mark(s) == Some(Mark::Done))
            .count();
        let next = steps.iter().find(|s| self.mark(s) != Some(Mark::Done));
        let what = if self.rolling_back {
            "rolling back"
        } else {
            "rotating"
        };
        match next {
            Some(s) => format!(
                "{what}: {done} of {} steps done; stopped at \"{}\"{}",
                steps.len(),
                s.describe(self),
                if self.mark(s) == Some(Mark::Started) {
                    " (started: it may or may not have happened; it is checked first)"
                } else {
                    ""
                }
            ),
            None => format!("{what}: all {} steps done", steps.len()),
        }
    }
}

/// An id as edgetop makes them: letters, digits, `-`, `_` and `.`, not first, at most 200.
fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 200
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// `raw` (an API key's id, from AWS) as a part of a file name: every character but ASCII
/// letters and digits becomes `_`, so no id can name a path outside the journal directory.
pub fn file_safe(raw: &str) -> String {
    raw.chars()
        .take(128)
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// A rotation's id: when it began, the key it rotates (as a file name may hold it), and a
/// random part, so that nobody can predict it (the new key's description carries it, and
/// only a key that does is ever taken for the new key).
pub fn rotation_id(now: DateTime<Utc>, key_id: &str) -> String {
    use std::hash::{BuildHasher, Hasher};
    // std's RandomState is keyed from the operating system's random source.
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    format!(
        "{}-{}-{:08x}",
        now.format("%Y%m%dT%H%M%S%.3fZ"),
        file_safe(key_id),
        random as u32
    )
}

/// The journal directory.
#[derive(Clone, Debug)]
pub struct Journal {
    dir: PathBuf,
}

/// Only one process works on a rotation at a time: an advisory lock, released by the kernel
/// when the process dies however it dies.
#[derive(Debug)]
pub struct Lock(#[allow(dead_code)] File);

impl Journal {
    pub fn new(dir: impl Into<PathBuf>) -> Journal {
        Journal { dir: dir.into() }
    }

    /// `rotations/` in the XDG state directory.
    pub fn default_dir() -> Option<PathBuf> {
        Some(crate::host::files::state_dir()?.join("rotations"))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A rotation's file. Its id names files (the journal, its lock), so only an id edgetop
    /// could have made is taken: letters, digits, `-`, `_` and `.`, not first.
    fn path(&self, id: &str) -> Result<PathBuf, JournalError> {
        if !is_id(id) {
            return Err(JournalError::Unreadable {
                path: self.dir.display().to_string(),
                message: format!("{} is not a rotation id", crate::model::Text::new(id)),
            });
        }
        Ok(self.dir.join(format!("{id}.json")))
    }

    /// Write a rotation's state: atomically, and durably before returning.
    pub fn save(&self, r: &Rotation) -> std::io::Result<()> {
        let path = self
            .path(&r.id)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string()))?;
        // Always in this edgetop's format, whichever format it was read in.
        let r = Rotation {
            format: crate::host::format::JOURNAL,
            ..r.clone()
        };
        let text = crate::model::text::json_safe(&serde_json::to_string_pretty(&r)?) + "\n";
        crate::host::files::write_atomic(&path, text.as_bytes())
    }

    pub fn load(&self, id: &str) -> Result<Rotation, JournalError> {
        let p = self.path(id)?;
        let text = crate::host::files::read_private(&p).map_err(|e| JournalError::io(&p, e))?;
        Rotation::parse(&text, id, &p)
    }

    /// Every rotation in the journal, oldest first, and the files that could not be read.
    pub fn all(&self) -> (Vec<Rotation>, Vec<String>) {
        let mut out = Vec::new();
        let mut broken = Vec::new();
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return (out, broken);
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(id) = name.strip_suffix(".json") else {
                continue;
            };
            if name.starts_with('.') {
                continue;
            }
            match self.load(id) {
                Ok(r) => out.push(r),
                Err(e) => broken.push(e.to_string()),
            }
        }
        out.sort_by_key(|r| r.started);
        (out, broken)
    }

    /// Rotations of this account and region that did not finish.
    pub fn unfinished(&self, account: &str, region: &str) -> (Vec<Rotation>, Vec<String>) {
        let (all, broken) = self.all();
        let open = all
            .into_iter()
            .filter(|r| r.finished.is_none() && r.account == account && r.region == region)
            .collect();
        (open, broken)
    }

    /// Take the rotation's lock, or say that another edgetop holds it.
    pub fn lock(&self, id: &str) -> Result<Lock, JournalError> {
        self.path(id)?;
        self.take_lock(&format!(".{id}.lock"), || {
            format!("another edgetop is working on rotation {id} right now")
        })
    }

    /// Take the lock of one API key, held for as long as a rotation of it runs (start, finish
    /// or roll back), so two operators on one machine cannot rotate one key at once.
    pub fn lock_key(&self, key_id: &str) -> Result<Lock, JournalError> {
        self.take_lock(&format!(".key-{}.lock", file_safe(key_id)), || {
            format!(
                "another edgetop on this machine is rotating API key {} right now",
                crate::model::Text::new(key_id)
            )
        })
    }

    fn take_lock(&self, name: &str, held: impl Fn() -> String) -> Result<Lock, JournalError> {
        crate::host::files::private_dir(&self.dir).map_err(|e| JournalError::io(&self.dir, e))?;
        let p = self.dir.join(name);
        let f = crate::host::files::open_lock(&p).map_err(|e| JournalError::io(&p, e))?;
        match f.try_lock() {
            Ok(()) => Ok(Lock(f)),
            Err(std::fs::TryLockError::WouldBlock) => Err(JournalError::Held(held())),
            Err(std::fs::TryLockError::Error(e)) => Err(JournalError::io(&p, e)),
        }
    }

    /// Remove journals of rotations that ended more than `age` ago, with their lock files, so
    /// the directory does not grow without end. Unfinished ones are kept whatever their age.
    pub fn prune_finished(&self, age: chrono::TimeDelta, now: DateTime<Utc>) -> usize {
        let (all, _) = self.all();
        let mut removed = 0;
        for r in all
            .iter()
            .filter(|r| r.finished.is_some() && now - r.updated > age)
        {
            if self.path(&r.id).is_ok_and(|p| fs::remove_file(p).is_ok()) {
                removed += 1;
            }
            let _ = fs::remove_file(self.dir.join(format!(".{}.lock", r.id)));
        }
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rotation() -> Rotation {
        Rotation {
            format: crate::host::format::JOURNAL,
            id: "r1".into(),
            account: "123".into(),
            region: "eu-west-1".into(),
            started: DateTime::UNIX_EPOCH,
            updated: DateTime::UNIX_EPOCH,
            old_key_id: "old".into(),
            old_key_name: "partner".into(),
            new_key_name: "partner-rotated".into(),
            new_key_id: None,
            plans: vec!["p1".into(), "p2".into()],
            distributions: vec!["D1".into()],
            rolling_back: false,
            steps: BTreeMap::new(),
            finished: None,
        }
    }

    #[test]
    fn forward_steps_follow_the_zero_downtime_order() {
        let keys: Vec<String> = rotation().forward_steps().iter().map(StepId::key).collect();
        assert_eq!(
            keys,
            [
                "create",
                "add-to-plan:p1",
                "add-to-plan:p2",
                "switch:D1",
                "deployed:D1",
                "disable-old"
            ]
        );
    }

    #[test]
    fn rollback_undoes_only_what_started_newest_first() {
        let mut r = rotation();
        assert!(r.rollback_steps().is_empty());
        r.steps.insert("create".into(), Mark::Done);
        r.steps.insert("add-to-plan:p1".into(), Mark::Started);
        let keys: Vec<String> = r.rollback_steps().iter().map(StepId::key).collect();
        assert_eq!(keys, ["remove-from-plan:p1", "delete-new"]);
        r.steps.insert("add-to-plan:p2".into(), Mark::Done);
        r.steps.insert("switch:D1".into(), Mark::Started);
        r.steps.insert("disable-old".into(), Mark::Started);
        let keys: Vec<String> = r.rollback_steps().iter().map(StepId::key).collect();
        assert_eq!(
            keys,
            [
                "enable-old",
                "switch-back:D1",
                "deployed-back:D1",
                "remove-from-plan:p2",
                "remove-from-plan:p1",
                "delete-new"
            ]
        );
    }

    proptest::proptest! {
        #[test]
        fn any_journal_text_gives_a_rotation_or_an_error(
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600)
        ) {
            let text = String::from_utf8_lossy(&bytes);
            if let Ok(r) = Rotation::parse(&text, "r1", Path::new("r1.json")) {
                let _ = (r.where_stopped(), r.steps_now(), r.rollback_steps());
            }
        }

        #[test]
        fn a_journal_with_any_steps_and_names_reads_and_describes(
            steps in proptest::collection::btree_map("\\PC{0,20}", proptest::bool::ANY, 0..12),
            name in "\\PC{0,40}",
            rolling_back in proptest::bool::ANY,
        ) {
            let mut r = rotation();
            r.old_key_name = name;
            r.rolling_back = rolling_back;
            r.steps = steps
                .into_iter()
                .map(|(k, done)| (k, if done { Mark::Done } else { Mark::Started }))
                .collect();
            let text = serde_json::to_string(&r).unwrap();
            let back = Rotation::parse(&text, "r1", Path::new("r1.json")).unwrap();
            proptest::prop_assert_eq!(&back, &r);
            let _ = (back.where_stopped(), back.steps_now());
        }
    }

    #[test]
    fn ids_from_aws_cannot_name_a_path_outside_the_journal() {
        let id = rotation_id(DateTime::UNIX_EPOCH, "../../.bashrc\n/x");
        assert!(is_id(&id), "{id}");
        assert!(!id.contains('/') && !id.contains(".."), "{id}");
        assert_ne!(
            id,
            rotation_id(DateTime::UNIX_EPOCH, "../../.bashrc\n/x"),
            "unpredictable"
        );
        let dir = std::env::temp_dir().join(format!("edgetop-ids-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let j = Journal::new(dir.join("rotations"));
        for bad in ["../x", "/etc/passwd", ".hidden", "", "a/b"] {
            assert!(j.load(bad).is_err(), "{bad}");
            assert!(j.lock(bad).is_err(), "{bad}");
        }
        let mut r = rotation();
        r.id = "../escaped".into();
        assert!(j.save(&r).is_err());
        assert!(!dir.join("escaped.json").exists());
        let lock = j.lock_key("../../k\u{202e}").unwrap();
        drop(lock);
        let names: Vec<String> = fs::read_dir(j.dir())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, [".key-______k_.lock"]);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn steps_name_what_aws_calls_things_escaped() {
        let mut r = rotation();
        r.old_key_name = "partner\n  ✓ Disable everything\u{202e}".into();
        r.plans = vec!["p\x1b[31m".into()];
        for s in r.forward_steps() {
            let said = s.describe(&r);
            assert!(!said.chars().any(crate::model::text::is_unsafe), "{said:?}");
        }
        assert!(!r.where_stopped().contains('\n'));
    }

    #[test]
    fn a_journal_naming_another_rotation_is_refused() {
        let text = serde_json::to_string(&rotation()).unwrap();
        assert!(Rotation::parse(&text, "r1", Path::new("r1.json")).is_ok());
        assert!(Rotation::parse(&text, "../../elsewhere", Path::new("x.json")).is_err());
    }

    #[test]
    fn finished_journals_are_pruned_after_a_while() {
        let dir = std::env::temp_dir().join(format!("edgetop-prune-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let j = Journal::new(&dir);
        let mut done = rotation();
        done.finished = Some(Finish::Completed);
        let mut open = rotation();
        open.id = "r2".into();
        j.save(&done).unwrap();
        j.save(&open).unwrap();
        let now = DateTime::UNIX_EPOCH + chrono::TimeDelta::days(40);
        assert_eq!(
            j.prune_finished(chrono::TimeDelta::days(60), now),
            0,
            "too recent"
        );
        assert_eq!(j.prune_finished(chrono::TimeDelta::days(30), now), 1);
        let (left, _) = j.all();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].id, "r2", "unfinished ones stay, however old");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn saved_journals_load_back_and_broken_ones_are_named() {
        let dir = std::env::temp_dir().join(format!("edgetop-journal-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let j = Journal::new(&dir);
        let mut r = rotation();
        r.steps.insert("create".into(), Mark::Started);
        j.save(&r).unwrap();
        fs::write(dir.join("broken.json"), "{ not json").unwrap();
        let (open, broken) = j.unfinished("123", "eu-west-1");
        assert_eq!(open, vec![r.clone()]);
        assert_eq!(broken.len(), 1);
        assert!(broken[0].contains("broken.json"), "{broken:?}");
        assert!(j.unfinished("999", "eu-west-1").0.is_empty());
        assert!(
            r.where_stopped()
                .contains("stopped at \"Create key partner-rotated\"")
        );
        let lock = j.lock("r1").unwrap();
        let held = j.lock("r1").unwrap_err();
        assert!(
            matches!(&held, JournalError::Held(m) if m.contains("another edgetop")),
            "{held}"
        );
        drop(lock);
        assert!(j.lock("r1").is_ok());
        let _ = fs::remove_dir_all(&dir);
    }
}
