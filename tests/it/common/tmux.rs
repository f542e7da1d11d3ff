//! A private tmux server running edgetop in one pane: keys in, the screen out.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_edgetop");

/// A private tmux server with one pane running edgetop.
pub struct Tmux {
    socket: String,
    pub dir: PathBuf,
}

impl Tmux {
    pub fn start(name: &str, cols: u16, rows: u16, args: &[&str]) -> Tmux {
        Tmux::start_with_env(name, cols, rows, "", args)
    }

    pub fn start_with_env(name: &str, cols: u16, rows: u16, env: &str, args: &[&str]) -> Tmux {
        Tmux::start_program(BIN, name, cols, rows, env, args)
    }

    /// As [`Tmux::start_with_env`], running `program` (the tests' hooked build, say).
    pub fn start_program(
        program: &str,
        name: &str,
        cols: u16,
        rows: u16,
        env: &str,
        args: &[&str],
    ) -> Tmux {
        let t = Tmux::session(name, cols, rows);
        t.spawn(program, env, args);
        t
    }

    /// As [`Tmux::start`], with every byte edgetop writes to the terminal also kept in
    /// [`Tmux::output`] (tmux's pipe-pane, set before edgetop starts).
    pub fn start_recorded(name: &str, cols: u16, rows: u16, args: &[&str]) -> Tmux {
        let t = Tmux::session(name, cols, rows);
        let out = t.dir.join("output.raw");
        t.tmux(&[
            "pipe-pane",
            "-O",
            "-t",
            "e2e",
            &format!("cat > {}", out.display()),
        ]);
        t.spawn(BIN, "", args);
        t
    }

    /// The bytes edgetop wrote so far, under [`Tmux::start_recorded`].
    pub fn output(&self) -> Vec<u8> {
        std::fs::read(self.dir.join("output.raw")).unwrap_or_default()
    }

    /// A private server with one pane, its shell not yet replaced by edgetop.
    fn session(name: &str, cols: u16, rows: u16) -> Tmux {
        let socket = format!("edgetop-e2e-{name}-{}", std::process::id());
        let dir = std::env::temp_dir().join(&socket);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let t = Tmux { socket, dir };
        t.tmux(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "e2e",
            "-x",
            &cols.to_string(),
            "-y",
            &rows.to_string(),
        ]);
        t.tmux(&["set-option", "-g", "remain-on-exit", "on"]);
        // Esc then a key at once must stay two keys, not become Alt-key.
        t.tmux(&["set-option", "-g", "escape-time", "0"]);
        t.tmux(&["set-option", "-g", "set-clipboard", "on"]);
        t
    }

    /// Replace the pane's shell with `program`, logging to the test's directory.
    fn spawn(&self, program: &str, env: &str, args: &[&str]) {
        let log = self.dir.join("edgetop.log");
        let mut cmd = format!(
            "exec env TERM=xterm-256color COLORTERM=truecolor EDGETOP_LOG=debug {env} {program} --log-file {}",
            log.display()
        );
        for a in args {
            cmd.push(' ');
            cmd.push_str(a);
        }
        self.tmux(&["respawn-pane", "-k", "-t", "e2e", &cmd]);
    }

    pub fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", "-t", "e2e", k]);
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    /// A left click at column `x`, row `y` (1-based, as the terminal counts): the SGR mouse
    /// report a terminal sends when the program asked for the mouse, press then release.
    pub fn click(&self, x: u16, y: u16) {
        for end in ['M', 'm'] {
            let report = format!("\x1b[<0;{x};{y}{end}");
            let hex: Vec<String> = report.bytes().map(|b| format!("{b:02x}")).collect();
            let mut args = vec!["send-keys", "-t", "e2e", "-H"];
            args.extend(hex.iter().map(String::as_str));
            self.tmux(&args);
        }
    }

    /// The newest tmux paste buffer (what OSC 52 put there), once there is one.
    pub fn wait_buffer(&self) -> String {
        for _ in 0..100 {
            let out = Command::new("tmux")
                .args(["-L", &self.socket, "show-buffer"])
                .output()
                .unwrap();
            if out.status.success() && !out.stdout.is_empty() {
                return String::from_utf8_lossy(&out.stdout).into_owned();
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("no tmux buffer: OSC 52 did not arrive");
    }

    pub fn literal(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "e2e", "-l", text]);
    }

    /// A `:` command, typed and run.
    pub fn command(&self, line: &str) {
        self.keys(&[":"]);
        self.literal(line);
        self.keys(&["Enter"]);
    }

    /// Until a line shows `rule` with `action` and not `other` (a message such as "COUNT →
    /// BLOCK" names both): the rule's row after a toggle is read back.
    pub fn wait_action(&self, rule: &str, action: &str, other: &str) -> String {
        self.wait_for(&format!("{rule} to show {action}"), |s| {
            s.lines()
                .any(|l| l.contains(rule) && l.contains(action) && !l.contains(other))
        })
    }

    /// To a screen (its number key), and its table filtered by `text`.
    pub fn filter(&self, screen: &str, text: &str) {
        self.keys(&[screen, "/"]);
        self.literal(text);
        self.keys(&["Enter"]);
    }

    pub fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "e2e"])
    }

    pub fn var(&self, name: &str) -> String {
        self.tmux(&[
            "display-message",
            "-p",
            "-t",
            "e2e",
            &format!("#{{{name}}}"),
        ])
        .trim()
        .to_string()
    }

    /// Wait until the screen satisfies `ok`, or fail with what was on it. A capture taken while
    /// a frame is half written can satisfy `ok` with the rest of the frame missing, so the screen
    /// must also read the same twice in a row: what is returned is a whole frame.
    pub fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        self.wait_for_within(20, what, ok)
    }

    /// As [`Tmux::wait_for`], for something that takes longer by design (a place marked slow).
    pub fn wait_for_within(&self, secs: u64, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let s = self.screen();
            if ok(&s) {
                std::thread::sleep(Duration::from_millis(40));
                if self.screen() == s {
                    return s;
                }
            }
            if Instant::now() > deadline {
                panic!(
                    "timed out waiting for {what}; the screen was:\n{s}\nthe log ended:\n{}",
                    self.log_tail(40)
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The last `n` lines of edgetop's log (keys arrive there at debug level).
    pub fn log_tail(&self, n: usize) -> String {
        let log = std::fs::read_to_string(self.dir.join("edgetop.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }

    pub fn wait_text(&self, text: &str) -> String {
        self.wait_for(text, |s| s.contains(text))
    }

    pub fn wait_dead(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.var("pane_dead") != "1" {
            assert!(
                Instant::now() < deadline,
                "edgetop did not exit; screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn pid(&self) -> String {
        self.var("pane_pid")
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
    }
}

/// The row of a selectable table whose first cell starts with `name` (after the `▶` column).
pub fn row_with<'a>(screen: &'a str, name: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(&format!("│  {name}")) || l.contains(&format!("│▶ {name}")))
        .unwrap_or_else(|| panic!("no row {name} in:\n{screen}"))
}

pub fn line_with<'a>(screen: &'a str, needle: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle} in:\n{screen}"))
}
