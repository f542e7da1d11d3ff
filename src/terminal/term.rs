//! The terminal: raw mode and the alternate screen, always undone — on quit, on a panic,
//! on SIGTERM and on SIGHUP; and what edgetop writes to it beside frames: the clipboard (OSC
//! 52), the bell and the window's title.

use std::io::{self, IsTerminal};

use ratatui::DefaultTerminal;

/// Refuse to start without a terminal on both ends.
pub fn check_tty() -> Result<(), String> {
    if !io::stdout().is_terminal() {
        return Err("standard output is not a terminal: edgetop draws a full-screen dashboard and needs one \
                    (run it in a terminal, not through a pipe or redirect)"
            .into());
    }
    if !io::stdin().is_terminal() {
        return Err("standard input is not a terminal: edgetop reads keys from it".into());
    }
    Ok(())
}

/// Enter raw mode and the alternate screen. No panic hook of ratatui's: its restore prints to
/// standard error when it fails, and that panics once the terminal is gone (the run loop's
/// hook restores with [`restore`], which says nothing).
pub fn enter() -> io::Result<Screen> {
    crossterm::terminal::enable_raw_mode()?;
    crossterm::execute!(io::stdout(), crossterm::terminal::EnterAlternateScreen)?;
    let backend = ratatui::backend::CrosstermBackend::new(io::stdout());
    Ok(Screen(Some(ratatui::Terminal::new(backend)?)))
}

/// The terminal edgetop draws on. When it goes, the cursor is shown again where the terminal
/// still answers; where it does not (an SSH link gone), ratatui's own drop is skipped, which
/// would print the failure to a standard error gone with it, and panic.
pub struct Screen(Option<DefaultTerminal>);

impl std::ops::Deref for Screen {
    type Target = DefaultTerminal;
    fn deref(&self) -> &DefaultTerminal {
        self.0
            .as_ref()
            .expect("the terminal is there until dropped")
    }
}

impl std::ops::DerefMut for Screen {
    fn deref_mut(&mut self) -> &mut DefaultTerminal {
        self.0
            .as_mut()
            .expect("the terminal is there until dropped")
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        if let Some(mut t) = self.0.take()
            && t.show_cursor().is_err()
        {
            std::mem::forget(t);
        }
    }
}

/// Ask the terminal to report focus changes (idle polling while nobody looks) and, with
/// `mouse`, clicks and the wheel; [`restore`] turns both off.
pub fn reports(mouse: bool) {
    let mut out = io::stdout();
    let _ = crossterm::execute!(out, crossterm::event::EnableFocusChange);
    if mouse {
        let _ = crossterm::execute!(out, crossterm::event::EnableMouseCapture);
    }
}

/// Leave raw mode and the alternate screen, and stop the mouse and focus reports. Safe to
/// call more than once, and when the terminal has gone away (errors are ignored: there is
/// nobody to tell).
pub fn restore() {
    let mut out = io::stdout();
    let _ = crossterm::execute!(
        out,
        crossterm::event::DisableMouseCapture,
        crossterm::event::DisableFocusChange
    );
    let _ = ratatui::try_restore();
}

/// Restores the terminal when dropped, whichever way the run loop ends.
pub struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

/// Put `text` on the operator's clipboard: OSC 52 ("ESC ] 52 ; c ; base64 BEL", in xterm's
/// control sequences), which a terminal passes to the clipboard of the machine it runs on, so
/// it crosses SSH; tmux takes it (into a paste buffer, and on to the outer terminal) with
/// `set-clipboard on` (its default, `external`, ignores what programs send). The text is
/// already one inert line (see `app::table`); base64 keeps it from ending the sequence.
pub(crate) fn copy_to_clipboard(text: &str) {
    use base64::Engine;
    use std::io::Write;
    let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    let mut out = std::io::stdout();
    let _ = write!(out, "\x1b]52;c;{b64}\x07");
    let _ = out.flush();
}

/// The bell, and what paged in the window's title (made inert first: it names things AWS
/// named, and a title is written to the terminal raw).
pub(crate) fn ring(title: &str) {
    use std::io::Write;
    let title: String = crate::model::text::escape(title)
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect();
    let mut out = std::io::stdout();
    let _ = crossterm::execute!(
        out,
        crossterm::terminal::SetTitle(format!("edgetop: {title}"))
    );
    let _ = out.write_all(b"\x07");
    let _ = out.flush();
}

/// With `--bell` edgetop sets the window's title; the title it found is kept on xterm's title
/// stack ("CSI 22 ; 0 t" saves the icon and window title, "CSI 23 ; 0 t" restores them, in
/// xterm's control sequences) from the start, and put back when edgetop ends, whichever way. A
/// terminal without the stack ignores both.
pub(crate) struct TitleKept;

impl TitleKept {
    pub(crate) fn save() -> TitleKept {
        use std::io::Write;
        let mut out = std::io::stdout();
        let _ = out.write_all(b"\x1b[22;0t");
        let _ = out.flush();
        TitleKept
    }
}

impl Drop for TitleKept {
    fn drop(&mut self) {
        use std::io::Write;
        let mut out = std::io::stdout();
        let _ = out.write_all(b"\x1b[23;0t");
        let _ = out.flush();
    }
}
