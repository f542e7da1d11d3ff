//! A hostile shared bastion: the real binary beside another user's traps. A shared 1777
//! directory holds a planted symbolic link where the log would go and a 0666 file where the
//! audit log would go. Nothing is followed, nothing is narrowed, and each refusal names the
//! path and why; what can run without the file (the dashboard's read, `snapshot`) runs.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_edgetop");

fn mode(p: &Path) -> u32 {
    fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777
}

/// A shared directory as /tmp is: 1777, with a victim's file and a link to it planted.
fn shared(name: &str) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("edgetop-bastion-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    let shared = dir.join("shared");
    fs::create_dir_all(&shared).unwrap();
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o1777)).unwrap();
    let victim = dir.join("victim-bashrc");
    fs::write(&victim, "echo victim\n").unwrap();
    fs::set_permissions(&victim, fs::Permissions::from_mode(0o600)).unwrap();
    (dir, shared)
}

fn edgetop(state: &Path, cwd: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .env("XDG_STATE_HOME", state)
        .env("XDG_CONFIG_HOME", cwd.join("no-config"))
        .output()
        .unwrap()
}

#[test]
fn a_planted_link_and_a_shared_file_are_refused_and_nothing_is_narrowed() {
    let (dir, shared) = shared("traps");
    let victim = dir.join("victim-bashrc");
    let link = shared.join("e.log");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let state = dir.join("state");

    // The log through a planted link: refused, said once, and the read goes on without it.
    let out = edgetop(
        &state,
        &dir,
        &[
            "--demo",
            "--log-file",
            link.to_str().unwrap(),
            "snapshot",
            "--json",
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("running without a log file") && err.contains("symbolic link"),
        "{err}"
    );
    assert!(err.contains("e.log"), "the path is named: {err}");
    assert_eq!(fs::read_to_string(&victim).unwrap(), "echo victim\n");
    assert_eq!(
        mode(&shared),
        0o1777,
        "the shared directory is left as it is"
    );
    assert!(serde_json::from_slice::<serde_json::Value>(&out.stdout).is_ok());

    // A file there that others may write: refused, not narrowed, not written.
    let wide = shared.join("wide.log");
    fs::write(&wide, "").unwrap();
    fs::set_permissions(&wide, fs::Permissions::from_mode(0o666)).unwrap();
    let out = edgetop(
        &state,
        &dir,
        &["--demo", "--log-file", wide.to_str().unwrap(), "snapshot"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("mode 0666"), "{err}");
    assert_eq!(fs::read(&wide).unwrap().len(), 0);
    assert_eq!(mode(&wide), 0o666);

    // A bare file name is the working directory's: made 0600 there, the directory untouched.
    let out = edgetop(
        &state,
        &shared,
        &["--demo", "--log-file", "mine.log", "snapshot"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("without a log file"), "{err}");
    assert_eq!(mode(&shared.join("mine.log")), 0o600);
    assert_eq!(mode(&shared), 0o1777);

    // The audit log where another's 0666 file waits: the change is refused, nothing runs,
    // the file is not written.
    let audit_dir = state.join("edgetop");
    fs::create_dir_all(&audit_dir).unwrap();
    let audit = audit_dir.join("audit-demo.jsonl");
    fs::write(&audit, "").unwrap();
    fs::set_permissions(&audit, fs::Permissions::from_mode(0o666)).unwrap();
    let out = edgetop(
        &state,
        &dir,
        &[
            "--demo",
            "toggle",
            "--web-acl",
            "edge-regional",
            "--rule",
            "GeoScrapers",
            "--yes",
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "refused: {err}");
    assert!(
        err.contains("audit-demo.jsonl") && err.contains("mode 0666"),
        "{err}"
    );
    assert_eq!(fs::read(&audit).unwrap().len(), 0, "not written");
    assert_eq!(mode(&audit), 0o666, "not narrowed");

    // The audit log as a link to the victim: refused the same way.
    fs::remove_file(&audit).unwrap();
    std::os::unix::fs::symlink(&victim, &audit).unwrap();
    let out = edgetop(
        &state,
        &dir,
        &[
            "--demo",
            "toggle",
            "--web-acl",
            "edge-regional",
            "--rule",
            "GeoScrapers",
            "--yes",
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "refused: {err}");
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(fs::read_to_string(&victim).unwrap(), "echo victim\n");
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_home_that_cannot_be_written_still_shows_the_account() {
    // Root may write anywhere: a state directory that is a file stands in for a read-only
    // home (no directory can be made under it, whoever runs).
    let (dir, _) = shared("rohome");
    let state = dir.join("state-is-a-file");
    fs::write(&state, "").unwrap();
    let out = edgetop(&state, &dir, &["--demo", "snapshot", "--json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("running without a log file"), "{err}");
    assert_eq!(
        err.matches("running without a log file").count(),
        1,
        "said once: {err}"
    );
    // A change still refuses without its audit log.
    let out = edgetop(
        &state,
        &dir,
        &[
            "--demo",
            "toggle",
            "--web-acl",
            "edge-regional",
            "--rule",
            "GeoScrapers",
            "--yes",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("audit log"), "{err}");
    let _ = fs::remove_dir_all(&dir);
}
