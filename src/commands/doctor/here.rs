//! This machine: the config file and theme, edgetop's state directory and each file in it
//! (private, the user's own, in a format this edgetop reads), rotations left unfinished, and
//! the terminal (a UTF-8 locale, its colours and size, whether `y` reaches the clipboard).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use super::Check;
use crate::commands::startup::Run;
use crate::host::files;
use crate::ops::audit::Audit;
use crate::ops::blocks::Blocks;
use crate::ops::journal::Journal;
use crate::ops::kept::KeptActions;

/// The checks of this machine. `broken`: the config file's error, when it does not read.
pub fn checks(run: &Run, broken: Option<&anyhow::Error>) -> Vec<Check> {
    let mut out = Vec::new();
    config(run, broken, &mut out);
    theme(run, &mut out);
    state(run, &mut out);
    terminal(run, &mut out);
    out
}

fn config(run: &Run, broken: Option<&anyhow::Error>, out: &mut Vec<Check>) {
    if let Some(e) = broken {
        out.push(Check::fail(
            "config",
            format!("{e:#}"),
            "mend the line it names; nothing starts until the file reads",
        ));
        return;
    }
    let path = run.paths.config.as_deref();
    let shown = path.map_or("(none)".into(), |p| p.display().to_string());
    let said = match path {
        Some(p) if p.exists() => format!(
            "{shown}: reads{}{}",
            match run.accounts.len() {
                0 => String::new(),
                n => format!(", {n} [[accounts]]"),
            },
            if run.read_only { ", read-only" } else { "" }
        ),
        _ => format!("none at {shown}: the defaults (examples/config.toml shows each setting)"),
    };
    out.push(Check::ok("config", said));
}

fn theme(run: &Run, out: &mut Vec<Check>) {
    match run.theme.load(None) {
        Ok(t) => out.push(Check::ok("theme", t.name)),
        Err(e) => out.push(Check::fail(
            "theme",
            e,
            "name a theme that exists (dark, light, high-contrast, mono, or a file in ~/.config/edgetop/themes)",
        )),
    }
}

/// The state directory, the files in it, their formats, and rotations left unfinished.
fn state(run: &Run, out: &mut Vec<Check>) {
    let Some(dir) = files::state_dir() else {
        out.push(Check::fail(
            "state",
            "no state directory: neither XDG_STATE_HOME nor HOME is set",
            "set HOME (or XDG_STATE_HOME); changes refuse to run without their audit log",
        ));
        return;
    };
    let shown = dir.display().to_string();
    match files::inspect_dir(&dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            out.push(Check::ok(
                "state",
                format!("{shown}: not made yet (edgetop makes it, 0700, at its first write)"),
            ));
        }
        Err(e) => out.push(Check::fail(
            "state",
            e.to_string(),
            format!(
                "make it a directory of your own, mode 0700 (`chmod 700 {shown}`), or move it aside"
            ),
        )),
        Ok(note) => out.push(Check::ok(
            "state",
            format!(
                "{shown}: yours, private{}",
                note.map(|n| format!(" ({n})")).unwrap_or_default()
            ),
        )),
    }
    for sub in ["rotations", "recordings"] {
        let d = dir.join(sub);
        if let Err(e) = files::inspect_dir(&d)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            out.push(Check::fail(
                "state",
                e.to_string(),
                "make it a directory of your own, mode 0700, or move it aside",
            ));
        }
    }
    let blocks = Blocks::in_dir(&dir);
    let kept = KeptActions::in_dir(&dir);
    let audits: Vec<PathBuf> = [false, true]
        .into_iter()
        .filter_map(Audit::default_path)
        .collect();
    private_files(run, &[blocks.path(), kept.path()], &audits, out);
    formats(&blocks, &kept, &audits, out);
    unfinished(out);
}

/// Each file edgetop keeps that exists (`state`, the audit logs, the log, the journals): a
/// regular file, the user's own, one name, 0600.
fn private_files(run: &Run, state: &[&Path], audits: &[PathBuf], out: &mut Vec<Check>) {
    let mut paths: Vec<PathBuf> = state.iter().map(|p| p.to_path_buf()).collect();
    paths.extend(audits.iter().cloned());
    paths.extend(run.paths.log.clone());
    if let Some(Ok(entries)) = Journal::default_dir().map(std::fs::read_dir) {
        paths.extend(entries.flatten().map(|e| e.path()));
    }
    let mut fine = 0;
    for p in paths {
        if std::fs::symlink_metadata(&p).is_err() {
            continue;
        }
        match files::open_private_read(&p) {
            Ok(_) => fine += 1,
            Err(e) => out.push(Check::fail(
                "files",
                e.to_string(),
                format!(
                    "`chmod 600 {}` if it is yours, else move it aside (edgetop never writes through it)",
                    p.display()
                ),
            )),
        }
    }
    if fine > 0 {
        out.push(Check::ok(
            "files",
            format!("{fine} of edgetop's files: each yours, private (0600), not a link"),
        ));
    }
}

/// The state files' contents: in a format this edgetop reads.
fn formats(blocks: &Blocks, kept: &KeptActions, audits: &[PathBuf], out: &mut Vec<Check>) {
    // A file edgetop would refuse to open is said once, by the files' check.
    let refused =
        |p: &Path| std::fs::symlink_metadata(p).is_ok() && files::open_private_read(p).is_err();
    let unreadable = |what: String, out: &mut Vec<Check>| {
        out.push(Check::fail(
            "formats",
            what,
            "a newer edgetop wrote it: use that one here; a broken file: move it aside",
        ))
    };
    let (added, warning) = blocks.all();
    match warning.filter(|_| !refused(blocks.path())) {
        Some(w) => unreadable(w, out),
        None if !added.is_empty() => out.push(Check::ok(
            "formats",
            format!(
                "blocks journal: {} range(s) edgetop added, {} with an expiry",
                added.len(),
                added.iter().filter(|b| b.expires.is_some()).count()
            ),
        )),
        None => {}
    }
    if let Some(w) = kept.read().warning
        && !refused(kept.path())
    {
        unreadable(w, out);
    }
    for path in audits {
        if let Ok(lines) = crate::ops::audit::read_last(path, 100)
            && let Some(Err(e)) = lines.iter().rev().find(|l| l.is_err())
        {
            unreadable(format!("{}: {e}", path.display()), out);
        }
    }
}

/// Rotations a run left unfinished, in any account: each to be finished or rolled back.
fn unfinished(out: &mut Vec<Check>) {
    let Some(journal) = Journal::default_dir().map(Journal::new) else {
        return;
    };
    let (all, broken) = journal.all();
    for b in broken {
        out.push(Check::fail(
            "rotations",
            b,
            "a newer edgetop's journal: finish it with that one; else move the file aside",
        ));
    }
    let open: Vec<_> = all.into_iter().filter(|r| r.finished.is_none()).collect();
    if open.is_empty() {
        out.push(Check::ok("rotations", "none left unfinished"));
    }
    for r in open {
        let id = crate::model::Text::new(&r.id);
        out.push(Check::fail(
            "rotations",
            format!(
                "rotation {id} of {} ({}, {}) did not finish: {}",
                crate::model::Text::new(&r.old_key_name),
                crate::model::Text::new(&r.account),
                crate::model::Text::new(&r.region),
                r.where_stopped()
            ),
            format!(
                "`edgetop rotation finish {id}` or `edgetop rotation rollback {id}`, in that account and region"
            ),
        ));
    }
}

/// The locale's character set, as the C library reads it: LC_ALL, else LC_CTYPE, else LANG.
fn locale() -> Option<(&'static str, String)> {
    ["LC_ALL", "LC_CTYPE", "LANG"].into_iter().find_map(|v| {
        std::env::var(v)
            .ok()
            .filter(|s| !s.is_empty())
            .map(|s| (v, s))
    })
}

/// The locale is UTF-8.
pub fn utf8_locale() -> bool {
    locale().is_some_and(|(_, l)| {
        let l = l.to_ascii_lowercase();
        l.contains("utf-8") || l.contains("utf8")
    })
}

fn terminal(run: &Run, out: &mut Vec<Check>) {
    match (locale(), utf8_locale()) {
        (Some((var, l)), true) => out.push(Check::ok("locale", format!("UTF-8 ({var}={l})"))),
        (found, _) => out.push(Check::fail(
            "locale",
            match found {
                Some((var, l)) => format!("{var}={l} is not UTF-8: charts, the map and box lines come out as other characters"),
                None => "no locale set (LANG, LC_ALL): charts, the map and box lines need UTF-8".into(),
            },
            "`export LANG=C.UTF-8` (or another UTF-8 locale of `locale -a`)",
        )),
    }
    colours(run, out);
    size(out);
    clipboard(out);
}

fn colours(run: &Run, out: &mut Vec<Check>) {
    use crate::theme::ColorDepth;
    let term = std::env::var("TERM").ok();
    if term.as_deref().is_none_or(|t| t.is_empty() || t == "dumb") {
        out.push(Check::fail(
            "colours",
            format!(
                "TERM is {}: edgetop cannot draw on a terminal it does not know",
                term.as_deref()
                    .map_or("not set".into(), |t| format!("\"{t}\""))
            ),
            "`export TERM=xterm-256color` (tmux and screen set their own)",
        ));
        return;
    }
    let colorterm = std::env::var("COLORTERM").ok();
    let depth = run.theme.depth();
    let said = match depth {
        ColorDepth::TrueColor => "24-bit",
        ColorDepth::Ansi256 => "256 colours",
        ColorDepth::Ansi16 => "16 colours",
    };
    let why = match (run.theme.colors, &colorterm) {
        (Some(_), _) => "--colors".to_string(),
        (None, Some(c)) if depth == ColorDepth::TrueColor => format!("COLORTERM={c}"),
        _ => format!("TERM={}", term.unwrap_or_default()),
    };
    let no_color = if run.theme.no_color {
        "; no colour asked (NO_COLOR or --no-color): the mono theme"
    } else {
        ""
    };
    out.push(Check::ok("colours", format!("{said} ({why}){no_color}")));
}

fn size(out: &mut Vec<Check>) {
    if !std::io::stdout().is_terminal() {
        out.push(Check::skip(
            "size",
            "not asked: standard output is not a terminal",
        ));
        return;
    }
    match crossterm::terminal::size() {
        Ok((w, h)) if w >= 80 && h >= 24 => {
            out.push(Check::ok("size", format!("{w}×{h} (80×24 is the least)")))
        }
        Ok((w, h)) => out.push(Check::fail(
            "size",
            format!("{w}×{h}: edgetop needs 80×24 and says so until it has it"),
            "make the window larger, or the font smaller",
        )),
        Err(e) => out.push(Check::skip("size", format!("not asked: {e}"))),
    }
}

/// Whether `y`, `Y` and `o` (OSC 52) reach the operator's clipboard: tmux passes it on with
/// `set-clipboard on` (its default, `external`, keeps what programs send); GNU screen does not
/// pass it on; any other terminal decides for itself.
fn clipboard(out: &mut Vec<Check>) {
    if std::env::var_os("TMUX").is_some() {
        let asked = std::process::Command::new("tmux")
            .args(["show-options", "-gv", "set-clipboard"])
            .output();
        match asked {
            Ok(o) if o.status.success() => {
                let v = String::from_utf8_lossy(&o.stdout).trim().to_string();
                if v == "on" {
                    out.push(Check::ok(
                        "clipboard",
                        "tmux passes OSC 52 on (set-clipboard on)",
                    ));
                } else {
                    out.push(Check::fail(
                        "clipboard",
                        format!("tmux's set-clipboard is {v}: what `y`, `Y` and `o` copy stays in tmux"),
                        "`tmux set -g set-clipboard on`, and the same line in ~/.tmux.conf (or --print-urls)",
                    ));
                }
            }
            _ => out.push(Check::skip(
                "clipboard",
                "inside tmux, whose set-clipboard could not be read",
            )),
        }
    } else if std::env::var_os("STY").is_some() {
        out.push(Check::fail(
            "clipboard",
            "inside GNU screen, which does not pass OSC 52 on: `y`, `Y` and `o` copy nothing",
            "run edgetop in tmux (with set-clipboard on) or outside screen, or use --print-urls",
        ));
    } else {
        out.push(Check::skip(
            "clipboard",
            "the terminal decides: most pass OSC 52 on to the clipboard, some only when allowed",
        ));
    }
}
