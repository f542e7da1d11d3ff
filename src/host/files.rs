//! edgetop's own files (the log, the audit log, rotation journals and their locks, the kept
//! actions) on a shared host. They name accounts, callers and keys, and a log line carries AWS
//! text, so:
//!
//! - a directory is made 0700, one component at a time. Only a directory edgetop made, or one
//!   of the user's own inside the user's state directory, is ever narrowed; any other (`/tmp`,
//!   the working directory, a shared directory given with `--log-file`) is left exactly as it
//!   is. A directory that someone else owns, or that others may write to without the sticky
//!   bit, is refused: another user could swap edgetop's files there;
//! - every file is opened without following a link (`O_NOFOLLOW`) and checked once open
//!   (`fstat`): a regular file, the user's own, with one name, that nobody else may read or
//!   write. Anything else is refused with a message naming the path and why, never written;
//! - a file is replaced through a temporary file of this process's own, so two edgetops
//!   writing at once cannot tear it.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The user's state directory for edgetop (`$XDG_STATE_HOME/edgetop`, else
/// `~/.local/state/edgetop`): the one place whose directories edgetop narrows when they are
/// wider than 0700.
pub fn state_dir() -> Option<PathBuf> {
    let d = directories::ProjectDirs::from("", "", "edgetop")?;
    Some(d.state_dir().unwrap_or(d.data_local_dir()).to_path_buf())
}

fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// A refusal naming the path and why.
fn refused(path: &Path, why: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!(
            "{}: {why}; edgetop writes only its user's own private files there",
            path.display()
        ),
    )
}

/// The directory a file path is in: `.` for a bare file name.
pub fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Make `dir` (and the parents it lacks) as 0700, and check that it is safe to keep files in.
/// An existing directory is narrowed to 0700 only when it is the user's own and inside the
/// user's state directory; any other is left as it is.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    private_dir_in(dir, state_dir().as_deref())
}

fn private_dir_in(dir: &Path, state: Option<&Path>) -> io::Result<()> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let made = make_missing(dir)?;
    if judge_dir(dir, state)? == Judged::Wide && !made {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// What edgetop makes of an existing directory as a place for its files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Judged {
    Fine,
    /// The user's own, inside the state directory, wider than 0700: edgetop narrows it.
    Wide,
}

/// Whether files may be kept in `dir`, unchanged: refused (a link inside the state directory,
/// not a directory, another user's, writable by others without the sticky bit), or fine,
/// or to be narrowed.
fn judge_dir(dir: &Path, state: Option<&Path>) -> io::Result<Judged> {
    let inside_state = state.is_some_and(|s| dir.starts_with(s));
    // Inside the state directory nothing may be a link; elsewhere a linked directory the
    // operator named (say /var/log pointing elsewhere) is followed, and checked where it ends.
    let meta = if inside_state {
        fs::symlink_metadata(dir)?
    } else {
        fs::metadata(dir)?
    };
    if meta.file_type().is_symlink() {
        return Err(refused(dir, "is a symbolic link"));
    }
    if !meta.is_dir() {
        return Err(refused(dir, "is not a directory"));
    }
    let mode = meta.permissions().mode();
    let ours = meta.uid() == euid();
    if !ours && meta.uid() != 0 {
        return Err(refused(
            dir,
            &format!("is owned by another user (uid {})", meta.uid()),
        ));
    }
    if mode & 0o022 != 0 && mode & 0o1000 == 0 {
        return Err(refused(
            dir,
            &format!(
                "others may write to it (mode {:04o}) and it has no sticky bit",
                mode & 0o7777
            ),
        ));
    }
    Ok(if ours && inside_state && mode & 0o077 != 0 {
        Judged::Wide
    } else {
        Judged::Fine
    })
}

/// What edgetop would make of `dir` (a directory it keeps files in), without changing it:
/// an error where it would refuse it (or `NotFound` where it is not made yet), else a note
/// where it would narrow it to 0700 at its next write.
pub fn inspect_dir(dir: &Path) -> io::Result<Option<String>> {
    inspect_dir_in(dir, state_dir().as_deref())
}

fn inspect_dir_in(dir: &Path, state: Option<&Path>) -> io::Result<Option<String>> {
    let mode = fs::symlink_metadata(dir).map(|m| m.permissions().mode() & 0o7777);
    Ok(match judge_dir(dir, state)? {
        Judged::Fine => None,
        Judged::Wide => Some(format!(
            "mode {:04o}: edgetop makes it 0700 at its next write",
            mode.unwrap_or_default()
        )),
    })
}

/// Create each missing component of `dir` as 0700, one at a time (never narrowing one that
/// exists). True when `dir` itself was made here.
fn make_missing(dir: &Path) -> io::Result<bool> {
    if fs::symlink_metadata(dir).is_ok() {
        return Ok(false);
    }
    if let Some(parent) = dir.parent()
        && !parent.as_os_str().is_empty()
    {
        make_missing(parent)?;
    }
    match fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => Ok(true),
        // Another process made it meanwhile: it is checked as any existing one.
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e),
    }
}

/// The flags every open here carries: no link is followed, and no child inherits the file.
fn no_follow(o: &mut OpenOptions) -> &mut OpenOptions {
    o.custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
}

/// Open with `o`, then check the file itself (fstat): a regular file, the user's own, one
/// name, private.
fn open_checked(path: &Path, o: &OpenOptions) -> io::Result<File> {
    let f = o.open(path).map_err(|e| {
        if e.raw_os_error() == Some(libc::ELOOP) {
            refused(path, "is a symbolic link")
        } else {
            io::Error::new(e.kind(), format!("{}: {e}", path.display()))
        }
    })?;
    check(&f, path)?;
    Ok(f)
}

/// What makes an open file edgetop's own: a regular file of this user, with one name (a hard
/// link to another file would be written through), that nobody else may read or write.
fn check(f: &File, path: &Path) -> io::Result<()> {
    let m = f.metadata()?;
    if !m.is_file() {
        return Err(refused(path, "is not a regular file"));
    }
    if m.uid() != euid() {
        return Err(refused(
            path,
            &format!("is owned by another user (uid {})", m.uid()),
        ));
    }
    if m.nlink() > 1 {
        return Err(refused(
            path,
            &format!("has {} names (hard links)", m.nlink()),
        ));
    }
    let mode = m.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(refused(
            path,
            &format!("others may read or write it (mode {mode:04o}); make it 0600 or move it"),
        ));
    }
    Ok(())
}

/// Open `path` for appending, creating it as 0600.
pub fn open_private_append(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    no_follow(o.create(true).append(true).mode(0o600));
    open_checked(path, &o)
}

/// Open (or create, as 0600) `path` to hold a lock on it; its content is never read.
pub fn open_lock(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    no_follow(o.create(true).read(true).write(true).mode(0o600));
    open_checked(path, &o)
}

/// Open `path` to read it, if it is edgetop's own (see [`check`]).
pub fn open_private_read(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    no_follow(o.read(true));
    open_checked(path, &o)
}

/// The whole text of `path`, if it is edgetop's own. A missing file is `NotFound`, as ever.
pub fn read_private(path: &Path) -> io::Result<String> {
    let mut text = String::new();
    open_private_read(path)?.read_to_string(&mut text)?;
    Ok(text)
}

/// Replace `path` with `bytes` atomically and durably: a temporary file of this process's own
/// beside it (created new, never followed), written and flushed to disk, renamed over it, and
/// the directory flushed, so a crash leaves the old content or the new one, never a torn file,
/// and two processes writing at once never share a temporary file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = parent_of(path);
    private_dir(dir)?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(path.file_name().unwrap_or_default());
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = dir.join(tmp_name);
    // A file left by a process of the same id that died mid-write.
    match fs::remove_file(&tmp) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    {
        let mut o = OpenOptions::new();
        no_follow(o.create_new(true).write(true).mode(0o600));
        let mut f = open_checked(&tmp, &o)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    if let Err(e) = fs::rename(&tmp, path) {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    File::open(dir)?.sync_all()
}

/// Move `path` to `path.1` (replacing an older one) when it has grown past `max` bytes, so a
/// long-lived log keeps at most about twice that. A link is never followed: it is moved as a
/// link, and refused when opened.
pub fn rotate_if_larger(path: &Path, max: u64) {
    if fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && m.len() > max) {
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

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("edgetop-files-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    fn mode(p: &Path) -> u32 {
        fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn files_are_private_and_a_large_log_moves_aside() {
        let dir = scratch("basic");
        let state = dir.join("state");
        private_dir_in(&state, Some(&state)).unwrap();
        assert_eq!(mode(&state), 0o700);
        let log = state.join("edgetop.log");
        open_private_append(&log)
            .unwrap()
            .write_all(&[b'x'; 100])
            .unwrap();
        assert_eq!(mode(&log), 0o600);
        rotate_if_larger(&log, 1000);
        assert!(log.exists(), "small: kept");
        rotate_if_larger(&log, 10);
        assert!(!log.exists());
        assert_eq!(fs::read(state.join("edgetop.log.1")).unwrap().len(), 100);
        let _ = fs::remove_dir_all(&dir);
    }

    /// What doctor says of a directory is what a write would do to it, and it changes nothing.
    #[test]
    fn a_directory_is_inspected_as_a_write_would_judge_it_and_left_as_it_is() {
        let dir = scratch("inspect");
        let state = dir.join("state");
        assert_eq!(
            inspect_dir_in(&state, Some(&state)).unwrap_err().kind(),
            io::ErrorKind::NotFound,
            "not made yet"
        );
        fs::create_dir_all(&state).unwrap();
        fs::set_permissions(&state, fs::Permissions::from_mode(0o755)).unwrap();
        let said = inspect_dir_in(&state, Some(&state))
            .unwrap()
            .expect("a note");
        assert!(
            said.contains("mode 0755") && said.contains("0700"),
            "{said}"
        );
        assert_eq!(mode(&state), 0o755, "inspected, not narrowed");
        fs::set_permissions(&state, fs::Permissions::from_mode(0o700)).unwrap();
        assert_eq!(inspect_dir_in(&state, Some(&state)).unwrap(), None);
        let elsewhere = dir.join("elsewhere");
        fs::create_dir_all(&elsewhere).unwrap();
        let link = dir.join("linked-state");
        std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
        let e = inspect_dir_in(&link, Some(&link)).unwrap_err();
        assert!(e.to_string().contains("is a symbolic link"), "{e}");
        fs::set_permissions(&elsewhere, fs::Permissions::from_mode(0o777)).unwrap();
        let e = inspect_dir_in(&elsewhere, Some(&state)).unwrap_err();
        assert!(e.to_string().contains("no sticky bit"), "{e}");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn only_our_own_directories_in_the_state_directory_are_narrowed() {
        let dir = scratch("narrow");
        let state = dir.join("state");
        let shared = dir.join("shared");
        fs::create_dir_all(&state).unwrap();
        fs::create_dir_all(&shared).unwrap();
        fs::set_permissions(&state, fs::Permissions::from_mode(0o755)).unwrap();
        fs::set_permissions(&shared, fs::Permissions::from_mode(0o1777)).unwrap();
        // A shared 1777 directory (as /tmp) is used and left exactly as it is.
        private_dir_in(&shared, Some(&state)).unwrap();
        assert_eq!(mode(&shared), 0o1777);
        // So is a directory of ours outside the state directory (the working directory).
        let work = dir.join("work");
        fs::create_dir(&work).unwrap();
        fs::set_permissions(&work, fs::Permissions::from_mode(0o755)).unwrap();
        private_dir_in(&work, Some(&state)).unwrap();
        assert_eq!(mode(&work), 0o755);
        // Ours, inside the state directory, is narrowed.
        private_dir_in(&state, Some(&state)).unwrap();
        assert_eq!(mode(&state), 0o700);
        // What is made is made 0700, each missing component.
        private_dir_in(&shared.join("a/b"), Some(&state)).unwrap();
        assert_eq!(mode(&shared.join("a")), 0o700);
        assert_eq!(mode(&shared.join("a/b")), 0o700);
        // Others may write without a sticky bit: refused.
        let open = dir.join("open");
        fs::create_dir(&open).unwrap();
        fs::set_permissions(&open, fs::Permissions::from_mode(0o777)).unwrap();
        let e = private_dir_in(&open, Some(&state)).unwrap_err();
        assert!(e.to_string().contains("no sticky bit"), "{e}");
        assert_eq!(mode(&open), 0o777, "left as it is");
        // A link inside the state directory is refused.
        let link = state.join("rotations");
        std::os::unix::fs::symlink(&shared, &link).unwrap();
        let e = private_dir_in(&link, Some(&state)).unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        // A bare file name is in the working directory.
        assert_eq!(parent_of(Path::new("e.log")), Path::new("."));
        private_dir_in(Path::new(""), Some(&state)).unwrap();
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn links_shared_and_foreign_files_are_refused_and_never_written() {
        let dir = scratch("refuse");
        fs::create_dir_all(&dir).unwrap();
        let target = dir.join("bashrc");
        fs::write(&target, "echo hi\n").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o600)).unwrap();
        // A planted symbolic link.
        let link = dir.join("edgetop.log");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let e = open_private_append(&link).unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert!(e.to_string().contains("edgetop.log"), "names the path: {e}");
        assert!(open_lock(&link).is_err());
        assert!(read_private(&link).is_err());
        // A hard link to a file of ours.
        let hard = dir.join("audit.jsonl");
        fs::hard_link(&target, &hard).unwrap();
        let e = open_private_append(&hard).unwrap_err();
        assert!(e.to_string().contains("hard links"), "{e}");
        assert_eq!(
            fs::read_to_string(&target).unwrap(),
            "echo hi\n",
            "untouched"
        );
        // A file others may read or write.
        let wide = dir.join("wide.json");
        fs::write(&wide, "{}").unwrap();
        fs::set_permissions(&wide, fs::Permissions::from_mode(0o666)).unwrap();
        let e = open_private_append(&wide).unwrap_err();
        assert!(e.to_string().contains("mode 0666"), "{e}");
        assert!(read_private(&wide).is_err());
        assert_eq!(mode(&wide), 0o666, "not narrowed either");
        // A file of another user (only root can make one to test with).
        if euid() == 0 {
            let theirs = dir.join("theirs.log");
            fs::write(&theirs, "").unwrap();
            fs::set_permissions(&theirs, fs::Permissions::from_mode(0o600)).unwrap();
            std::os::unix::fs::chown(&theirs, Some(65534), Some(65534)).unwrap();
            let e = open_private_append(&theirs).unwrap_err();
            assert!(e.to_string().contains("another user"), "{e}");
            let foreign = dir.join("foreign");
            fs::create_dir(&foreign).unwrap();
            std::os::unix::fs::chown(&foreign, Some(65534), Some(65534)).unwrap();
            let e = private_dir_in(&foreign, None).unwrap_err();
            assert!(e.to_string().contains("another user"), "{e}");
        }
        // Replacing a file through a link replaces the link, never what it points to.
        write_atomic(&link, b"new").unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "echo hi\n");
        assert_eq!(read_private(&link).unwrap(), "new");
        let _ = fs::remove_dir_all(&dir);
    }
}
