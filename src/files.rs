//! edgetop's own files (the log, the audit log, rotation journals and their locks): private to
//! the user who runs it — directories 0700, files 0600 — since they name accounts, callers
//! and keys.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Create `dir` (and its parents) as 0700; an existing one is narrowed to 0700 if it is ours
/// and wider.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    let meta = fs::metadata(dir)?;
    if meta.permissions().mode() & 0o077 != 0 {
        // Not ours to narrow (a shared parent given with --log-file): leave it.
        let _ = fs::set_permissions(dir, fs::Permissions::from_mode(0o700));
    }
    Ok(())
}

/// Open `path` for appending, creating it as 0600.
pub fn open_private_append(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
}

/// Create (or truncate) `path` as 0600.
pub fn create_private(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
}

/// Replace `path` with `bytes` atomically and durably: a private temporary file beside it,
/// written and flushed to disk, renamed over it, and the directory flushed, so a crash leaves
/// the old content or the new one, never a torn file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    private_dir(dir)?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(path.file_name().unwrap_or_default());
    tmp_name.push(".tmp");
    let tmp = dir.join(tmp_name);
    {
        let mut f = create_private(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    fs::rename(&tmp, path)?;
    File::open(dir)?.sync_all()
}

/// Move `path` to `path.1` (replacing an older one) when it has grown past `max` bytes, so a
/// long-lived log keeps at most about twice that.
pub fn rotate_if_larger(path: &Path, max: u64) {
    if fs::metadata(path).is_ok_and(|m| m.len() > max) {
        let mut old = path.as_os_str().to_owned();
        old.push(".1");
        if let Err(e) = fs::rename(path, &old) {
            tracing::warn!(error = %e, "could not rotate the log");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_private_and_a_large_log_moves_aside() {
        let dir = std::env::temp_dir().join(format!("edgetop-files-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let state = dir.join("state");
        private_dir(&state).unwrap();
        assert_eq!(
            fs::metadata(&state).unwrap().permissions().mode() & 0o777,
            0o700
        );
        let log = state.join("edgetop.log");
        {
            use io::Write;
            let mut f = open_private_append(&log).unwrap();
            f.write_all(&[b'x'; 100]).unwrap();
        }
        assert_eq!(
            fs::metadata(&log).unwrap().permissions().mode() & 0o777,
            0o600
        );
        rotate_if_larger(&log, 1000);
        assert!(log.exists(), "small: kept");
        rotate_if_larger(&log, 10);
        assert!(!log.exists());
        assert_eq!(fs::read(state.join("edgetop.log.1")).unwrap().len(), 100);
        let _ = fs::remove_dir_all(&dir);
    }
}
