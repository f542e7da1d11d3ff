//! The real binary's changes against the peer, each run with its own state directory (its
//! rotation journal, blocks journal and audit log).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use super::moto::{Moto, as_user};

/// The real binary against the server, with its own state directory (journal, audit log).
pub fn edgetop(m: &Moto, state: &Path, args: &[&str]) -> Command {
    with_state(super::moto::edgetop(m, args), state)
}

/// As [`edgetop`], the tests' hooked build (`EDGETOP_TEST_STALL` stops a rotation).
pub fn edgetop_hooked(m: &Moto, state: &Path, args: &[&str]) -> Command {
    with_state(super::moto::edgetop_hooked(m, args), state)
}

pub fn with_state(mut cmd: Command, state: &Path) -> Command {
    cmd.args(["--apigateway-rps", "50", "--deploy-check-every", "1"])
        .env("XDG_STATE_HOME", state)
        .env("XDG_CONFIG_HOME", state.join("config"));
    cmd
}

/// Run to the end: (success, stdout, stderr).
pub fn run(m: &Moto, state: &Path, args: &[&str]) -> (bool, String, String) {
    run_as(m, state, args, None)
}

/// As an IAM user (access key id, secret), when given.
pub fn run_as(
    m: &Moto,
    state: &Path,
    args: &[&str],
    user: Option<&(String, String)>,
) -> (bool, String, String) {
    let mut cmd = edgetop(m, state, args);
    if let Some((key, secret)) = user {
        as_user(&mut cmd, key, secret);
    }
    let out = cmd.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Run with the test hook that stops the rotation at `stall` (a step key and `called` or
/// `done`), then SIGKILL it there. Returns its stderr up to that point.
pub fn run_and_kill(m: &Moto, state: &Path, args: &[&str], stall: &str) -> String {
    kill_at(edgetop_hooked(m, state, args), stall)
}

/// Run `hooked` (a build with the tests' hooks) until the rotation stalls at `stall`, then
/// SIGKILL it there. Returns its stderr up to that point.
pub fn kill_at(mut hooked: Command, stall: &str) -> String {
    let mut child = hooked
        .env("EDGETOP_TEST_STALL", stall)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut seen = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            seen.push_str(&line);
            seen.push('\n');
            if line.contains("test hook: stalled at") {
                let _ = tx.send(Ok(seen.clone()));
                return;
            }
        }
        let _ = tx.send(Err(seen));
    });
    let seen = rx.recv_timeout(Duration::from_secs(120));
    child.kill().unwrap(); // SIGKILL: no chance to tidy up
    let status = child.wait().unwrap();
    match seen {
        Ok(Ok(s)) => {
            assert!(!status.success(), "killed, not ended: {status:?}");
            s
        }
        other => panic!("never stalled at {stall}: {other:?}"),
    }
}

/// A state directory of its own, empty.
pub fn fresh_state(m: &Moto, name: &str) -> PathBuf {
    let state = m.dir.join(name);
    let _ = std::fs::remove_dir_all(&state);
    std::fs::create_dir_all(&state).unwrap();
    state
}

/// `rate-limit … --yes` of the seed's login rule (edge-regional › LoginRateLimit), with `more`
/// (say, `--window 60`).
pub fn login_limit<'a>(limit: &'a str, more: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "rate-limit",
        "--web-acl",
        "edge-regional",
        "--rule",
        "LoginRateLimit",
        "--limit",
        limit,
    ];
    args.extend_from_slice(more);
    args.push("--yes");
    args
}
