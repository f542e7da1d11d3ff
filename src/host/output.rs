//! Everything edgetop prints outside the dashboard — the subcommands' results, progress and
//! errors, and the log file — goes through here, so that text from AWS (a key's name, an API's
//! name, an error message) cannot drive the operator's terminal nor forge a line: every unsafe
//! character is escaped as on the screen ([`crate::model::text`]), line feeds included. One
//! call prints one line; only the program breaks lines, by printing another.

use std::io::Write;

use crate::model::text::escape;

/// Print one line to standard output, escaped (a line feed inside it too). A closed pipe
/// (`| head`) is not an error.
pub fn out_line(s: &str) {
    let mut o = std::io::stdout().lock();
    let _ = writeln!(o, "{}", escape(s));
}

/// Print one line to standard error, escaped (a line feed inside it too).
pub fn err_line(s: &str) {
    let mut e = std::io::stderr().lock();
    let _ = writeln!(e, "{}", escape(s));
}

/// Print to standard error without a line feed (a prompt), escaped.
pub fn err_prompt(s: &str) {
    let mut e = std::io::stderr().lock();
    let _ = write!(e, "{}", escape(s));
    let _ = e.flush();
}

/// `println!` of one line, escaped.
#[macro_export]
macro_rules! outln {
    ($($t:tt)*) => { $crate::host::output::out_line(&format!($($t)*)) };
}

/// `eprintln!` of one line, escaped.
#[macro_export]
macro_rules! errln {
    ($($t:tt)*) => { $crate::host::output::err_line(&format!($($t)*)) };
}

/// The log file's writer: each write is one formatted record (tracing writes an event in one
/// piece), and every unsafe character in it is escaped but the line feed that ends it, so a
/// field holding CR/LF cannot forge a log line and one holding ESC cannot drive the terminal
/// of whoever reads the log.
pub struct SafeLog<W: Write>(pub W);

impl<W: Write> Write for SafeLog<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        let (body, end) = match text.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (&*text, ""),
        };
        let mut line = crate::model::text::escape(body);
        line.push_str(end);
        self.0.write_all(line.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::text::for_terminal;

    #[test]
    fn a_log_record_stays_one_line_and_inert() {
        let mut out = SafeLog(Vec::new());
        out.write_all(b"WARN step failed error=bad\r\nINFO forged \x1b]52;c;eA==\x07 line\n")
            .unwrap();
        let s = String::from_utf8(out.0).unwrap();
        assert_eq!(
            s,
            "WARN step failed error=bad\\x0d\\x0aINFO forged \\x1b]52;c;eA==\\x07 line\n"
        );
    }

    #[test]
    fn terminal_lines_keep_their_line_feeds_only() {
        assert_eq!(
            for_terminal("key \u{1b}[31mred\u{9b}\n\u{202e}next\r"),
            "key \\x1b[31mred\\x9b\n\\u{202e}next\\x0d"
        );
    }
}
