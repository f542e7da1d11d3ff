//! The binary's behaviour before any screen opens: bad input gets a clear error and exit code.

use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_edgetop");

#[test]
fn stdout_that_is_not_a_terminal_is_refused() {
    let out = Command::new(BIN)
        .args(["--demo"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("standard output is not a terminal"), "{err}");
}

#[test]
fn a_broken_theme_file_names_file_line_and_key() {
    let dir = std::env::temp_dir().join(format!("edgetop-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("broken.toml");
    let src =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/themes/dark.toml")).unwrap();
    std::fs::write(
        &path,
        src.replacen(
            "title = { fg = \"#7dcfff\"",
            "title = { fg = \"#7dcfzz\"",
            1,
        ),
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["--demo", "--theme"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "theme {}: line 8: element 'title'",
            path.display()
        )),
        "{err}"
    );
}

#[test]
fn an_unknown_theme_lists_the_builtins() {
    let out = Command::new(BIN)
        .args(["--demo", "--theme", "neon"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("built in: dark, light, high-contrast, mono")
    );
}

#[test]
fn demo_snapshot_prints_json_without_secrets() {
    let out = Command::new(BIN)
        .args(["--demo", "--seed", "3", "snapshot", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = &v["snapshot"];
    assert_eq!(s["account"]["simulated"], true);
    assert!(s["api_keys"].as_array().unwrap().len() >= 12);
    assert!(
        s["api_keys"][0].get("value").is_none(),
        "key values are never printed"
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains("\\u001b"),
        "no raw escape reaches the output"
    );
}

#[test]
fn demo_snapshot_as_text() {
    let out = Command::new(BIN)
        .args(["--demo", "snapshot"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("edgetop snapshot of acme-prod (demo)")
            && text.contains("Web ACL edge-regional"),
        "{text}"
    );
}

#[test]
fn numbers_out_of_range_are_refused_not_a_panic() {
    for args in [
        &["--apigateway-rps", "1e-300"][..],
        &["--apigateway-rps", "inf"],
        &["--idle-after", "18446744073709551615"],
        &["--deploy-timeout", "18446744073709551615h"],
        &["--discover-every", "0"],
        &["--apigateway-burst", "0"],
        &["--apigateway-burst", "41"],
    ] {
        let out = Command::new(BIN)
            .args(["--demo", "snapshot"])
            .args(args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("invalid value"), "{args:?}: {err}");
    }
}

#[test]
fn version_completions_and_man_page() {
    let run = |args: &[&str]| {
        let out = Command::new(BIN).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let v = run(&["--version"]);
    assert!(
        v.starts_with(&format!("edgetop {} (", env!("CARGO_PKG_VERSION"))),
        "{v}"
    );
    let rev = v.trim().rsplit('(').next().unwrap().trim_end_matches(')');
    assert!(
        rev.starts_with("unknown") || rev.chars().take(12).all(|c| c.is_ascii_hexdigit()),
        "{v}"
    );
    assert!(run(&["completions", "bash"]).contains("_edgetop"));
    assert!(run(&["completions", "zsh"]).contains("#compdef edgetop"));
    assert!(run(&["completions", "fish"]).contains("complete -c edgetop"));
    let man = run(&["man"]);
    assert!(
        man.contains(".TH edgetop") && man.contains("snapshot"),
        "{man}"
    );
}

/// `edgetop man | head`, `edgetop completions bash | grep -q …`: a reader that stops early is no
/// error (no "Broken pipe" on standard error, exit 0), as for the lines the other commands print.
#[test]
fn a_reader_that_stops_early_is_no_error() {
    use std::os::fd::FromRawFd;
    for args in [
        &["man"][..],
        &["completions", "bash"],
        &["completions", "zsh"],
    ] {
        let mut fds = [0; 2];
        // SAFETY: a new pipe; its read end is closed at once, so every write to the other fails
        // with EPIPE; the write end is handed to the child and owned by the Stdio.
        let stdout = unsafe {
            assert_eq!(libc::pipe(fds.as_mut_ptr()), 0);
            libc::close(fds[0]);
            Stdio::from_raw_fd(fds[1])
        };
        let out = Command::new(BIN)
            .args(args)
            .stdout(stdout)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && err.is_empty(), "{args:?}: {err}");
    }
}

/// Outside a UTF-8 locale, doctor's marks and signs are ASCII (✓ would come out as other
/// characters there), and the locale is what it says is missing.
#[test]
fn doctor_outside_a_utf8_locale_writes_ascii_and_names_the_locale() {
    let home = std::env::temp_dir().join(format!("edgetop-cli-ascii-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let out = Command::new(BIN)
        .args(["doctor", "--demo"])
        .env_clear()
        .env("HOME", &home)
        .env("LANG", "C")
        .env("TERM", "xterm")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.is_ascii(), "{said}");
    assert!(
        said.contains("!! locale       LANG=C is not UTF-8"),
        "{said}"
    );
    assert!(said.contains("-> `export LANG=C.UTF-8`"), "{said}");
    let _ = std::fs::remove_dir_all(&home);
}

/// doctor looks at edgetop's files as a write would, without writing: one others may read is
/// named with its fix, and left as it is.
#[test]
fn doctor_names_a_file_of_edgetops_that_others_may_read() {
    use std::os::unix::fs::PermissionsExt;
    let home = std::env::temp_dir().join(format!("edgetop-cli-wide-{}", std::process::id()));
    let state = home.join(".local/state/edgetop");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o700)).unwrap();
    let audit = state.join("audit-demo.jsonl");
    std::fs::write(&audit, "").unwrap();
    std::fs::set_permissions(&audit, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = Command::new(BIN)
        .args(["doctor", "--demo", "--json"])
        .env_clear()
        .env("HOME", &home)
        .env("LANG", "C.UTF-8")
        .env("TERM", "xterm")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{said}");
    let report: serde_json::Value = serde_json::from_str(&said).unwrap();
    let files: Vec<&serde_json::Value> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["check"] == "files" && c["status"] == "fail")
        .collect();
    assert_eq!(files.len(), 1, "{said}");
    assert!(
        files[0]["said"]
            .as_str()
            .unwrap()
            .contains("others may read or write it (mode 0644)"),
        "{}",
        files[0]
    );
    assert!(
        files[0]["fix"].as_str().unwrap().starts_with("`chmod 600 "),
        "{}",
        files[0]
    );
    let mode = std::fs::metadata(&audit).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644, "looked at, not changed");
    let _ = std::fs::remove_dir_all(&home);
}

/// Every file in `tests/invalid_configs/` is refused before any screen opens, with the error
/// its first line expects (`# expect: …`), naming the file.
#[test]
fn invalid_configs_are_refused_naming_file_and_line() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/invalid_configs");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let expect = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{} lacks '# expect: '", path.display()));
        let out = Command::new(BIN)
            .args(["--demo", "--config"])
            .arg(&path)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {err}", path.display());
        assert!(err.contains(&path.display().to_string()), "{err}");
        assert!(err.contains(expect), "{}: {err}", path.display());
        seen += 1;
    }
    assert!(seen >= 5);
}
