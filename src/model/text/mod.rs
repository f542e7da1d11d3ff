//! Text that came from outside the program (AWS data, the demo's hostile samples, user files).
//!
//! Every string from a source enters the model as [`Text`]. Construction escapes everything a
//! terminal could interpret — C0 and C1 controls (ESC, the 8-bit CSI 0x9b, BEL that ends an OSC 52
//! clipboard write), DEL, bidirectional overrides and invisible formatting characters — and cuts
//! values that are too long. Nothing raw reaches a widget, so nothing raw reaches the terminal.

use std::fmt;

mod fit;
pub use fit::fit;

/// Default cap on the display width of one outside value.
pub const DEFAULT_LIMIT: usize = 200;

/// A sanitised, width-limited string: safe to draw.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text(String);

impl Text {
    /// Sanitise `raw`, at most [`DEFAULT_LIMIT`] columns wide.
    pub fn new(raw: &str) -> Self {
        Self::with_limit(raw, DEFAULT_LIMIT)
    }

    /// Sanitise `raw` into at most `width` terminal columns, escapes and the cut marker
    /// included. A value that does not fit ends with `…(+N chars)` (N counts the characters of
    /// `raw` left out), or with a bare `…` where even that would not fit.
    pub fn with_limit(raw: &str, width: usize) -> Self {
        let full = escape(raw);
        if display_width(&full) <= width {
            return Text(full);
        }
        let total = raw.chars().count();
        let long = format!("…(+{total} chars)");
        let budget = if display_width(&long) < width {
            width - display_width(&long)
        } else {
            width.saturating_sub(1)
        };
        let mut out = String::new();
        let (mut used, mut kept) = (0usize, 0usize);
        let mut piece = String::new();
        for c in raw.chars() {
            piece.clear();
            push_escaped(&mut piece, c);
            let w = display_width(&piece);
            if used + w > budget {
                break;
            }
            out.push_str(&piece);
            used += w;
            kept += 1;
        }
        if display_width(&long) < width {
            out.push_str(&format!("…(+{} chars)", total - kept));
        } else if width > 0 {
            out.push('…');
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

fn display_width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// True for characters a terminal may act on instead of printing, or that reorder, hide or
/// disguise text: C0 and C1 controls (ESC, the 8-bit CSI U+009B, BEL that ends an OSC 52
/// clipboard write) and DEL; every format character (Unicode category Cf: bidi embeddings,
/// overrides and isolates, zero-width joiners, the soft hyphen, tag characters…); the line and
/// paragraph separators; and every default-ignorable code point (variation selectors, the
/// Hangul fillers, the combining grapheme joiner…), which terminals draw as nothing.
pub fn is_unsafe(c: char) -> bool {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    c.is_control()
        || matches!(
            c.general_category(),
            GeneralCategory::Format
                | GeneralCategory::LineSeparator
                | GeneralCategory::ParagraphSeparator
        )
        || is_default_ignorable(c)
}

/// Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt), the whole set: code
/// points a renderer shows as nothing when it does not support them.
fn is_default_ignorable(c: char) -> bool {
    matches!(c,
        '\u{00AD}'
        | '\u{034F}'
        | '\u{061C}'
        | '\u{115F}'..='\u{1160}'     // Hangul choseong and jungseong fillers
        | '\u{17B4}'..='\u{17B5}'
        | '\u{180B}'..='\u{180F}'     // Mongolian variation selectors, vowel separator
        | '\u{200B}'..='\u{200F}'     // zero-width space/joiners, LRM, RLM
        | '\u{202A}'..='\u{202E}'     // bidi embeddings and overrides (RLO)
        | '\u{2060}'..='\u{206F}'     // word joiner, invisible operators, bidi isolates
        | '\u{3164}'                   // Hangul filler
        | '\u{FE00}'..='\u{FE0F}'     // variation selectors
        | '\u{FEFF}'                   // BOM / zero-width no-break space
        | '\u{FFA0}'                   // halfwidth Hangul filler
        | '\u{FFF0}'..='\u{FFF8}'
        | '\u{1BCA0}'..='\u{1BCA3}'   // shorthand format controls
        | '\u{1D173}'..='\u{1D17A}'   // musical symbol format controls
        | '\u{E0000}'..='\u{E0FFF}'   // tag characters, variation selectors supplement
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

/// Every unsafe character of `raw` escaped (line feeds too), nothing cut.
pub fn escape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        push_escaped(&mut out, c);
    }
    out
}

/// Text for a terminal line by line, outside the dashboard (the subcommands' output, errors on
/// exit): every unsafe character escaped as in [`Text`] except the line feeds that separate the
/// lines, and nothing cut.
pub fn for_terminal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '\n' {
            out.push(c);
        } else {
            push_escaped(&mut out, c);
        }
    }
    out
}

/// Serialised JSON with every unsafe character that serde_json leaves as it is (C1 controls,
/// DEL, format characters…) written as a `\u` escape, so that printing the JSON cannot drive
/// a terminal. Only strings can hold such characters, and JSON allows any character there to
/// be escaped, so the document means the same.
pub fn json_safe(json: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if is_unsafe(c) && !matches!(c, '\n' | '\r' | '\t') {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{u:04x}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// serde_json's pretty formatter, writing every character [`is_unsafe`] inside a string as a
/// `\u` escape, as [`json_safe`] does to a whole text: for a record too large to hold twice
/// (10,000 keys), written as it is made.
pub struct SafeJson(pub serde_json::ser::PrettyFormatter<'static>);

impl SafeJson {
    pub fn pretty() -> SafeJson {
        SafeJson(serde_json::ser::PrettyFormatter::new())
    }
}

/// The layout is the pretty formatter's; only the strings' fragments are looked at.
macro_rules! pretty_layout {
    ($($name:ident($($arg:ident: $ty:ty),*)),* $(,)?) => {$(
        fn $name<W: ?Sized + std::io::Write>(&mut self, w: &mut W $(, $arg: $ty)*) -> std::io::Result<()> {
            self.0.$name(w $(, $arg)*)
        }
    )*};
}

impl serde_json::ser::Formatter for SafeJson {
    pretty_layout!(
        begin_array(),
        end_array(),
        begin_array_value(first: bool),
        end_array_value(),
        begin_object(),
        end_object(),
        begin_object_key(first: bool),
        begin_object_value(),
        end_object_value(),
    );

    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if is_unsafe(c) && !matches!(c, '\n' | '\r' | '\t') {
                w.write_all(&fragment.as_bytes()[start..i])?;
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    write!(w, "\\u{u:04x}")?;
                }
                start = i + c.len_utf8();
            }
        }
        w.write_all(&fragment.as_bytes()[start..])
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
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

/// Read back through the sanitiser: JSON from anywhere is outside text too. Sanitised text
/// comes back unchanged (escapes and cut markers are themselves safe and fit).
impl<'de> serde::Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Text::new(&s))
    }
}

/// Wide text read back at the width it was written with ([`WIDE`]): an access log's format,
/// a query.
pub const WIDE: usize = 8192;

pub fn wide_opt<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Text>, D::Error> {
    let s = <Option<String> as serde::Deserialize>::deserialize(d)?;
    Ok(s.map(|s| Text::with_limit(&s, WIDE)))
}

pub fn wide_vec<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Text>, D::Error> {
    let v = <Vec<String> as serde::Deserialize>::deserialize(d)?;
    Ok(v.iter().map(|s| Text::with_limit(s, WIDE)).collect())
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

/// A keyed digest of a secret value, to tell whether two values are equal (an API key's value
/// and an origin's custom header, or a header in a sampled request) without keeping either.
/// The key is random for each process, so a fingerprint means nothing outside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fingerprint(u64);

impl Fingerprint {
    pub fn of(value: &str) -> Fingerprint {
        use std::hash::BuildHasher;
        static KEY: std::sync::OnceLock<std::collections::hash_map::RandomState> =
            std::sync::OnceLock::new();
        Fingerprint(KEY.get_or_init(Default::default).hash_one(value))
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
        "api_key",
        "apikey",
        "credential",
        "verify",
        "signature",
        "auth",
    ]
    .iter()
    .any(|w| n.contains(w))
        || n.ends_with("key")
}

/// A secret value as it may be shown: its length only.
pub fn redacted(value: &str) -> Text {
    Text::new(&format!("<redacted: {} chars>", value.chars().count()))
}

/// A header as it may be shown: the name sanitised, a secret value replaced by its length.
pub fn header(name: &str, value: &str) -> (Text, Text) {
    let shown = if is_secret_header(name) {
        redacted(value)
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
        let t = Text::with_limit(&raw, 30);
        assert_eq!(t.as_str(), format!("{}…(+4984 chars)", "x".repeat(16)));
        assert_eq!(Text::with_limit(&raw, 10).as_str(), "xxxxxxxxx…");
        assert_eq!(Text::with_limit("abc", 3).as_str(), "abc");
        // Wide characters count twice.
        assert_eq!(Text::with_limit("東京東京", 5).as_str(), "東京…");
    }

    #[test]
    fn escape_at_the_cut_is_not_split() {
        let t = Text::with_limit("ab\x1bcd", 4);
        assert_eq!(t.as_str(), "ab…");
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

    /// Characters the sanitiser must never let through, by Unicode's own tables
    /// (unicode-properties), not by the sanitiser's list.
    fn forbidden(c: char) -> bool {
        use unicode_properties::{GeneralCategory as G, UnicodeGeneralCategory};
        matches!(
            c.general_category(),
            G::Control | G::Format | G::LineSeparator | G::ParagraphSeparator
        ) || matches!(
            c,
            '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' | '\u{E0000}'..='\u{E0FFF}'
        )
    }

    fn hostile_char() -> impl proptest::strategy::Strategy<Value = char> {
        use proptest::prelude::*;
        prop_oneof![
            any::<char>(),
            proptest::sample::select(vec![
                '\u{1b}',
                '\u{7}',
                '\u{9b}',
                '\u{7f}',
                '\r',
                '\n',
                '\u{202e}',
                '\u{2066}',
                '\u{200b}',
                '\u{2028}',
                '\u{feff}',
                '\u{e0041}',
                '\u{3164}',
                '\u{ad}',
                '東',
                'é',
                '\u{301}',
                '\u{fe0f}',
                '\\',
            ]),
        ]
    }

    proptest::proptest! {
        #[test]
        fn sanitised_text_is_inert_and_fits(
            raw in proptest::strategy::Strategy::prop_map(
                proptest::collection::vec(hostile_char(), 0..300),
                |cs| cs.into_iter().collect::<String>(),
            ),
            width in 0usize..260,
        ) {
            let t = Text::with_limit(&raw, width);
            proptest::prop_assert!(!t.as_str().chars().any(forbidden), "{:?}", t);
            proptest::prop_assert!(display_width(t.as_str()) <= width, "{:?} wider than {}", t, width);
            // Sanitised text is a fixed point: reading it back (JSON) changes nothing.
            proptest::prop_assert_eq!(Text::with_limit(t.as_str(), width), t.clone());
            let line = for_terminal(&raw);
            proptest::prop_assert!(!line.chars().any(|c| forbidden(c) && c != '\n'));
            let json = json_safe(&serde_json::to_string(&raw).unwrap());
            proptest::prop_assert!(!json.chars().any(forbidden));
            proptest::prop_assert_eq!(serde_json::from_str::<String>(&json).unwrap(), raw.clone());
            // Written as it is made, the same text as made whole and then escaped.
            let record = std::collections::BTreeMap::from([(raw.clone(), vec![raw.clone(), raw])]);
            let mut streamed = Vec::new();
            let mut ser = serde_json::Serializer::with_formatter(&mut streamed, SafeJson::pretty());
            serde::Serialize::serialize(&record, &mut ser).unwrap();
            let whole = json_safe(&serde_json::to_string_pretty(&record).unwrap());
            proptest::prop_assert_eq!(String::from_utf8(streamed).unwrap(), whole);
        }
    }

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("AbCdEfGhIjKlMnOpQrStUvWxYz0123");
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
        assert_eq!(s.masked(), "••••••••0123");
    }
}
