//! A small JSON file of edgetop's own in the state directory (the kept actions, the blocks
//! journal): read by anyone at any time, changed one process at a time under a lock, written
//! atomically. A file that cannot be read is a warning naming it, and the next change moves it
//! aside rather than overwrite it: what it held is never lost to a write.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::Utc;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// One state file, holding a `T`.
#[derive(Clone, Debug)]
pub struct StateFile {
    path: PathBuf,
    /// What the file is, for messages: "kept actions", "blocks journal".
    what: &'static str,
}

/// What was read, and a warning naming the file when it could not be read.
#[derive(Clone, Debug, Default)]
pub struct Read<T> {
    pub value: T,
    pub warning: Option<String>,
}

impl StateFile {
    pub fn new(path: PathBuf, what: &'static str) -> StateFile {
        StateFile { path, what }
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
        };
        match crate::host::files::read_private(&self.path) {
            Ok(t) => match serde_json::from_str(&t) {
                Ok(value) => Read {
                    value,
                    warning: None,
                },
                Err(e) => unreadable(e.to_string()),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Read::default(),
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
        } = self.read::<T>();
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
        let text = serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?;
        crate::host::files::write_atomic(
            &self.path,
            crate::model::text::json_safe(&text).as_bytes(),
        )
        .map_err(fail)?;
        Ok((out, warning))
    }
}
