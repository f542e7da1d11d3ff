//! A small JSON file of edgetop's own in the state directory (the kept actions, the blocks
//! journal): read by anyone at any time, changed one process at a time under a lock, written
//! atomically. A file that cannot be read is a warning naming it, and the next change moves it
//! aside rather than overwrite it: what it held is never lost to a write. A file written by a
//! newer edgetop (its `format` is one this edgetop does not know) is neither read nor changed:
//! every change to it is refused, saying so ([`crate::host::format`]).

use std::fs;
use std::path::{Path, PathBuf};

use chrono::Utc;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// One state file, holding a `T`: `{"format": N, "<member>": T}`. Format 1 (edgetop 0.1.0)
/// held the `T` bare, and is read as it was.
#[derive(Clone, Debug)]
pub struct StateFile {
    path: PathBuf,
    /// What the file is, for messages: "kept actions", "blocks journal".
    what: &'static str,
    /// The format this edgetop writes (and the newest it reads).
    format: u32,
    /// The member that holds the content.
    member: &'static str,
}

/// What was read, and a warning naming the file when it could not be read.
#[derive(Clone, Debug, Default)]
pub struct Read<T> {
    pub value: T,
    pub warning: Option<String>,
    /// A newer edgetop wrote it: nothing in it was read, and it must not be changed.
    pub newer: bool,
}

impl StateFile {
    pub fn new(path: PathBuf, what: &'static str, format: u32, member: &'static str) -> StateFile {
        StateFile {
            path,
            what,
            format,
            member,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its content: the default when there is no file; the default and a warning when it
    /// cannot be read.
    pub fn read<T: DeserializeOwned + Default>(&self) -> Read<T> {
        let unreadable = |why: String| Read {
            value: T::default(),
            warning: Some(format!(
                "the {} file {} cannot be read ({why})",
                self.what,
                self.path.display()
            )),
            newer: false,
        };
        let text = match crate::host::files::read_private(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Read::default(),
            Err(e) => return unreadable(e.to_string()),
        };
        let doc: serde_json::Value = match serde_json::from_str(&text) {
            Ok(doc) => doc,
            Err(e) => return unreadable(e.to_string()),
        };
        let what = format!("the {} file", self.what);
        let content = match crate::host::format::of(&doc, self.format, &what, &self.path) {
            Err(newer) => {
                return Read {
                    value: T::default(),
                    warning: Some(newer.to_string()),
                    newer: true,
                };
            }
            Ok(1) => doc,
            Ok(_) => match doc {
                serde_json::Value::Object(mut m) => m.remove(self.member).unwrap_or_default(),
                _ => serde_json::Value::Null,
            },
        };
        match serde_json::from_value(content) {
            Ok(value) => Read {
                value,
                warning: None,
                newer: false,
            },
            Err(e) => unreadable(e.to_string()),
        }
    }

    /// Change its content with `change`, in one atomic write, one process at a time. A file
    /// that cannot be read is moved aside first (named in the warning returned). Returns what
    /// `change` returned, and the warning.
    pub fn update<T, R>(
        &self,
        change: impl FnOnce(&mut T) -> R,
    ) -> Result<(R, Option<String>), String>
    where
        T: DeserializeOwned + Serialize + Default,
    {
        let fail = |e: std::io::Error| format!("{}: {e}", self.path.display());
        let dir = crate::host::files::parent_of(&self.path);
        crate::host::files::private_dir(dir).map_err(fail)?;
        // "kept-actions.json" is locked by ".kept-actions.lock".
        let name = self
            .path
            .file_stem()
            .map_or("state".into(), |n| n.to_string_lossy().into_owned());
        let lock =
            crate::host::files::open_lock(&dir.join(format!(".{name}.lock"))).map_err(fail)?;
        lock.lock().map_err(fail)?;
        let Read {
            mut value,
            mut warning,
            newer,
        } = self.read::<T>();
        if newer {
            return Err(warning.unwrap_or_default());
        }
        if warning.is_some() && self.path.exists() {
            let mut aside = self.path.as_os_str().to_owned();
            aside.push(format!(
                ".unreadable-{}",
                Utc::now().format("%Y%m%dT%H%M%SZ")
            ));
            fs::rename(&self.path, &aside).map_err(fail)?;
            warning = Some(format!(
                "the {} file {} could not be read: it was moved to {}",
                self.what,
                self.path.display(),
                Path::new(&aside).display()
            ));
        }
        let out = change(&mut value);
        let doc = Document {
            format: self.format,
            member: self.member,
            content: &value,
        };
        let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
        crate::host::files::write_atomic(
            &self.path,
            crate::model::text::json_safe(&text).as_bytes(),
        )
        .map_err(fail)?;
        Ok((out, warning))
    }
}

/// What is written: the format first, then the content under its member.
struct Document<'a, T> {
    format: u32,
    member: &'static str,
    content: &'a T,
}

impl<T: Serialize> Serialize for Document<'_, T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("format", &self.format)?;
        m.serialize_entry(self.member, self.content)?;
        m.end()
    }
}
