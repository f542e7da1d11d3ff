//! Text that came from outside the program (AWS data, the demo's hostile samples, user files).
//!
//! Every string from a source enters the model as [`Text`]. Construction escapes everything a
//! terminal could interpret — C0 and C1 controls (ESC, the 8-bit CSI 0x9b, BEL that ends an OSC 52
//! clipboard write), DEL, bidirectional overrides and invisible formatting characters — and cuts
//! values that are too long. Nothing raw reaches a widget, so nothing raw reaches the terminal.

use std::fmt;

/// Default cap on the number of characters kept from one outside value.
pub const DEFAULT_LIMIT: usize = 200;

/// A sanitised, length-limited string: safe to draw.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text(String);

impl Text {
    /// Sanitise `raw`, keeping at most [`DEFAULT_LIMIT`] visible characters.
    pub fn new(raw: &str) -> Self {
        Self::with_limit(raw, DEFAULT_LIMIT)
    }

    /// Sanitise `raw`, keeping at most `limit` characters of output (escapes count).
    pub fn with_limit(raw: &str, limit: usize) -> Self {
        let mut out = String::with_capacity(raw.len().min(limit * 4));
        let mut kept = 0usize;
        let mut chars = raw.chars();
        for c in chars.by_ref() {
            let before = out.len();
            push_escaped(&mut out, c);
            kept += out[before..].chars().count();
            if kept > limit {
                out.truncate(before);
                let rest = 1 + chars.count();
                out.push_str(&format!("…(+{rest} chars)"));
                return Text(out);
            }
        }
        Text(out)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// True for characters a terminal may act on instead of printing, or that reorder or hide text.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() // C0, DEL, C1 (U+0080..=U+009F, including the 8-bit CSI U+009B)
        || matches!(c,
            '\u{061C}'                    // Arabic letter mark
            | '\u{200B}'..='\u{200F}'     // zero-width space/joiners, LRM, RLM
            | '\u{2028}' | '\u{2029}'     // line and paragraph separators
            | '\u{202A}'..='\u{202E}'     // bidi embeddings and overrides (RLO)
            | '\u{2060}'..='\u{2069}'     // word joiner, invisible operators, bidi isolates
            | '\u{FEFF}'                  // BOM / zero-width no-break space
            | '\u{FFF9}'..='\u{FFFB}'     // interlinear annotations
        )
}

fn push_escaped(out: &mut String, c: char) {
    use std::fmt::Write;
    if !is_unsafe(c) {
        out.push(c);
    } else if (c as u32) < 0x100 {
        let _ = write!(out, "\\x{:02x}", c as u32);
    } else {
        let _ = write!(out, "\\u{{{:x}}}", c as u32);
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text::new(s)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text::new(&s)
    }
}

impl serde::Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// A secret value (an API key's value). Debug and Display never show it; the UI shows
/// [`Secret::masked`] unless the operator asks to reveal it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The last four characters, the rest as dots: enough to tell keys apart.
    pub fn masked(&self) -> String {
        let n = self.0.chars().count();
        let tail: String = self.0.chars().skip(n.saturating_sub(4)).collect();
        format!("••••••••{}", Text::new(&tail))
    }

    /// The whole value, sanitised for display. Only for an explicit reveal.
    pub fn reveal(&self) -> Text {
        Text::new(&self.0)
    }

    /// The raw value, for the calls that need it (never for logs or the screen).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Header names whose values carry credentials or session state.
pub fn is_secret_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "authorization"
            | "proxy-authorization"
            | "cookie"
            | "set-cookie"
            | "x-api-key"
            | "x-amz-security-token"
            | "x-csrf-token"
            | "x-xsrf-token"
    ) || [
        "token",
        "secret",
        "password",
        "passwd",
        "session",
        "api-key",
        "apikey",
        "credential",
    ]
    .iter()
    .any(|w| n.contains(w))
}

/// A header as it may be shown: the name sanitised, a secret value replaced by its length.
pub fn header(name: &str, value: &str) -> (Text, Text) {
    let shown = if is_secret_header(name) {
        Text::new(&format!("<redacted: {} chars>", value.chars().count()))
    } else {
        Text::new(value)
    };
    (Text::new(name), shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_controls() {
        let t = Text::new("a\x1b[2Jb\x07c\u{9b}31md\u{202e}gnp.exe\r\n");
        assert_eq!(
            t.as_str(),
            "a\\x1b[2Jb\\x07c\\x9b31md\\u{202e}gnp.exe\\x0d\\x0a"
        );
        assert!(!t.as_str().chars().any(is_unsafe));
    }

    #[test]
    fn osc52_clipboard_write_is_inert() {
        let t = Text::new("\x1b]52;c;ZWNobyBwd25lZA==\x07");
        assert_eq!(t.as_str(), "\\x1b]52;c;ZWNobyBwd25lZA==\\x07");
    }

    #[test]
    fn long_values_are_cut_and_say_so() {
        let raw = "x".repeat(5000);
        let t = Text::with_limit(&raw, 10);
        assert_eq!(t.as_str(), "xxxxxxxxxx…(+4990 chars)");
        assert_eq!(Text::with_limit("abc", 3).as_str(), "abc");
    }

    #[test]
    fn escape_at_the_cut_is_not_split() {
        let t = Text::with_limit("ab\x1bcd", 4);
        assert_eq!(t.as_str(), "ab…(+3 chars)");
    }

    #[test]
    fn unicode_text_is_kept() {
        assert_eq!(Text::new("Zürich 東京 ✓").as_str(), "Zürich 東京 ✓");
    }

    #[test]
    fn secret_headers_are_redacted() {
        for name in [
            "Authorization",
            "cookie",
            "X-API-Key",
            "x-session-id",
            "X-Auth-Token",
        ] {
            let (_, v) = header(name, "s3cr3t-value");
            assert_eq!(v.as_str(), "<redacted: 12 chars>", "{name}");
        }
        let (_, v) = header("user-agent", "curl/8.5.0");
        assert_eq!(v.as_str(), "curl/8.5.0");
    }

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("AbCdEfGhIjKlMnOpQrStUvWxYz0123");
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
        assert_eq!(s.masked(), "••••••••0123");
    }
}
