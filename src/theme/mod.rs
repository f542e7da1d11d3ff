//! Themes: every styled element is named once here, and every theme file defines all of them.
//!
//! Theme files are TOML (`themes/*.toml`, built in; or any path): one table per element with
//! `fg`, `bg` (a colour name, `#rrggbb`, or a 0–255 index) and `mods` (bold, dim, italic,
//! underlined, reversed). Colours are reduced to 256 or 16 colours when the terminal lacks
//! true colour.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

macro_rules! elements {
    ($($variant:ident = $name:literal : $doc:literal,)*) => {
        /// A styled element of the UI.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Element { $($variant,)* }

        impl Element {
            pub const ALL: &'static [Element] = &[$(Element::$variant,)*];

            /// The key that names this element in theme files.
            pub fn key(self) -> &'static str {
                match self { $(Element::$variant => $name,)* }
            }

            /// What the element is, for docs/configuration.md.
            pub fn doc(self) -> &'static str {
                match self { $(Element::$variant => $doc,)* }
            }
        }
    };
}

elements! {
    Base = "base": "the whole screen: default text and background",
    Border = "border": "panel borders",
    BorderFocus = "border_focus": "the border of the panel that has the selection",
    Title = "title": "panel titles",
    Tab = "tab": "screen tabs",
    TabActive = "tab_active": "the tab of the screen in view",
    HeaderLabel = "header_label": "labels in the header line (account, region…)",
    HeaderValue = "header_value": "values in the header line",
    BadgeDemo = "badge_demo": "the DEMO badge",
    BadgeReadOnly = "badge_read_only": "the READ-ONLY badge",
    BadgePaused = "badge_paused": "the PAUSED badge",
    BadgeStale = "badge_stale": "data age when the data is stale",
    TableHeader = "table_header": "table column headings",
    TableRow = "table_row": "table rows",
    TableSelected = "table_selected": "the selected table row",
    TextDim = "text_dim": "secondary text: hints, units, ages",
    TextOk = "text_ok": "healthy values",
    TextWarn = "text_warn": "values worth a look",
    TextCritical = "text_critical": "values that need action",
    ActionAllow = "action_allow": "the ALLOW action and allowed traffic",
    ActionBlock = "action_block": "the BLOCK action and blocked traffic",
    ActionCount = "action_count": "the COUNT action and counted traffic",
    ActionOther = "action_other": "CAPTCHA, CHALLENGE and rule-group actions",
    Pending = "pending": "a change sent but not yet confirmed",
    ChartRequests = "chart_requests": "the requests series",
    Chart4xx = "chart_4xx": "the 4xx series",
    Chart5xx = "chart_5xx": "the 5xx series",
    ChartThrottled = "chart_throttled": "the estimated-429 series",
    ChartAxis = "chart_axis": "chart axes and their labels",
    GaugeOk = "gauge_ok": "a quota gauge below 75%",
    GaugeWarn = "gauge_warn": "a quota gauge from 75% to 90%",
    GaugeCritical = "gauge_critical": "a quota gauge above 90%",
    MapLand = "map_land": "coastlines on the world map",
    Dialog = "dialog": "dialog and popup bodies",
    DialogTitle = "dialog_title": "dialog titles",
    Button = "button": "a dialog button",
    ButtonFocus = "button_focus": "the focused dialog button",
    Danger = "danger": "what a confirmed action will change",
    Key = "key": "key names in help and hints",
    Input = "input": "the filter and command line",
    Message = "message": "status messages",
    Error = "error": "error messages",
}

mod depth;
pub use depth::ColorDepth;

/// A loaded theme: one style per element.
#[derive(Clone, Debug)]
pub struct Theme {
    pub name: String,
    styles: Vec<Style>,
}

/// The themes compiled into the binary.
pub const BUILTIN: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("mono", include_str!("../../themes/mono.toml")),
];

#[derive(Debug, thiserror::Error)]
#[error("theme {origin}: {message}")]
pub struct ThemeError {
    pub origin: String,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleDef {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    mods: Vec<String>,
}

impl Theme {
    pub fn style(&self, e: Element) -> Style {
        self.styles[e as usize]
    }

    pub fn builtin_names() -> impl Iterator<Item = &'static str> {
        BUILTIN.iter().map(|(n, _)| *n)
    }

    /// A built-in theme by name.
    pub fn builtin(name: &str) -> Option<Theme> {
        let (n, src) = BUILTIN.iter().find(|(n, _)| *n == name)?;
        Some(
            Theme::parse(n, src, &format!("built-in {n}"))
                .expect("built-in themes are checked by tests"),
        )
    }

    /// `NAME` (built in, or `NAME.toml` in the user's theme directory) or a path to a file.
    pub fn load(spec: &str, user_dir: Option<&Path>) -> Result<Theme, ThemeError> {
        let looks_like_path = spec.contains('/') || spec.ends_with(".toml");
        if let Some(t) = Theme::builtin(spec).filter(|_| !looks_like_path) {
            return Ok(t);
        }
        let path: PathBuf = if looks_like_path {
            PathBuf::from(spec)
        } else {
            match user_dir {
                Some(d) if d.join(format!("{spec}.toml")).is_file() => {
                    d.join(format!("{spec}.toml"))
                }
                _ => {
                    let names: Vec<_> = Theme::builtin_names().collect();
                    return Err(ThemeError {
                        origin: format!("'{spec}'"),
                        message: format!("no such theme (built in: {})", names.join(", ")),
                    });
                }
            }
        };
        let origin = path.display().to_string();
        let src = std::fs::read_to_string(&path).map_err(|e| ThemeError {
            origin: origin.clone(),
            message: e.to_string(),
        })?;
        let name = path
            .file_stem()
            .map_or(spec.to_string(), |s| s.to_string_lossy().into_owned());
        Theme::parse(&name, &src, &origin)
    }

    /// Parse a theme file. Errors name the file, the line and the key.
    pub fn parse(name: &str, src: &str, origin: &str) -> Result<Theme, ThemeError> {
        let err = |message: String| ThemeError {
            origin: origin.to_string(),
            message,
        };
        // By bytes: an offset inside a multi-byte character must not split it.
        let line_of = |offset: usize| {
            src.as_bytes()[..offset.min(src.len())]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1
        };
        let table: BTreeMap<toml::Spanned<String>, toml::Spanned<StyleDef>> = toml::from_str(src)
            .map_err(|e| {
            let at = e
                .span()
                .map(|s| format!("line {}: ", line_of(s.start)))
                .unwrap_or_default();
            err(format!("{at}{}", e.message().trim()))
        })?;
        let mut styles = vec![None; Element::ALL.len()];
        let mut entries: Vec<_> = table.iter().collect();
        entries.sort_by_key(|(k, _)| k.span().start); // report the first problem in the file first
        for (key, def) in entries {
            let line = line_of(key.span().start);
            let Some(e) = Element::ALL.iter().find(|e| e.key() == key.get_ref()) else {
                return Err(err(format!(
                    "line {line}: unknown element '{}'",
                    key.get_ref()
                )));
            };
            let style = to_style(def.get_ref())
                .map_err(|m| err(format!("line {line}: element '{}': {m}", key.get_ref())))?;
            styles[*e as usize] = Some(style);
        }
        let missing: Vec<_> = Element::ALL
            .iter()
            .filter(|e| styles[**e as usize].is_none())
            .map(|e| e.key())
            .collect();
        if !missing.is_empty() {
            return Err(err(format!("missing elements: {}", missing.join(", "))));
        }
        Ok(Theme {
            name: name.to_string(),
            styles: styles.into_iter().flatten().collect(),
        })
    }

    /// The same theme with colours the terminal can show.
    pub fn degrade(mut self, depth: ColorDepth) -> Theme {
        for s in &mut self.styles {
            s.fg = s.fg.map(|c| reduce(c, depth));
            s.bg = s.bg.map(|c| reduce(c, depth));
        }
        self
    }
}

fn to_style(def: &StyleDef) -> Result<Style, String> {
    let color = |field: &str, v: &Option<String>| -> Result<Option<Color>, String> {
        v.as_deref()
            .map(|s| {
                Color::from_str(s).map_err(|_| {
                    format!("{field} = \"{s}\" is not a colour (a name, #rrggbb or 0-255)")
                })
            })
            .transpose()
    };
    let mut style = Style {
        fg: color("fg", &def.fg)?,
        bg: color("bg", &def.bg)?,
        ..Style::default()
    };
    for m in &def.mods {
        style = style.add_modifier(match m.as_str() {
            "bold" => Modifier::BOLD,
            "dim" => Modifier::DIM,
            "italic" => Modifier::ITALIC,
            "underlined" => Modifier::UNDERLINED,
            "reversed" => Modifier::REVERSED,
            other => {
                return Err(format!(
                    "mods: '{other}' is not one of bold, dim, italic, underlined, reversed"
                ));
            }
        });
    }
    Ok(style)
}

/// Reduce a colour to what the terminal shows.
pub fn reduce(c: Color, depth: ColorDepth) -> Color {
    match (c, depth) {
        (_, ColorDepth::TrueColor) => c,
        (Color::Rgb(r, g, b), ColorDepth::Ansi256) => Color::Indexed(to_ansi256(r, g, b)),
        (Color::Rgb(r, g, b), ColorDepth::Ansi16) => to_ansi16(r, g, b),
        (Color::Indexed(i), ColorDepth::Ansi16) if i >= 16 => {
            let (r, g, b) = ansi256_rgb(i);
            to_ansi16(r, g, b)
        }
        _ => c,
    }
}

const CUBE: [u8; 6] = [0, 95, 135, 175, 215, 255];

fn ansi256_rgb(i: u8) -> (u8, u8, u8) {
    match i {
        16..=231 => {
            let i = i - 16;
            (
                CUBE[(i / 36) as usize],
                CUBE[(i / 6 % 6) as usize],
                CUBE[(i % 6) as usize],
            )
        }
        232..=255 => {
            let v = 8 + (i - 232) * 10;
            (v, v, v)
        }
        _ => ANSI16[i as usize].1,
    }
}

fn dist(a: (u8, u8, u8), b: (u8, u8, u8)) -> u32 {
    let d = |x: u8, y: u8| (x as i32 - y as i32).pow(2) as u32;
    d(a.0, b.0) + d(a.1, b.1) + d(a.2, b.2)
}

/// Nearest entry of the 6×6×6 cube or the grey ramp of the xterm 256-colour palette.
fn to_ansi256(r: u8, g: u8, b: u8) -> u8 {
    (16..=255u8)
        .min_by_key(|i| dist(ansi256_rgb(*i), (r, g, b)))
        .unwrap_or(16)
}

const ANSI16: [(Color, (u8, u8, u8)); 16] = [
    (Color::Black, (0, 0, 0)),
    (Color::Red, (205, 0, 0)),
    (Color::Green, (0, 205, 0)),
    (Color::Yellow, (205, 205, 0)),
    (Color::Blue, (0, 0, 238)),
    (Color::Magenta, (205, 0, 205)),
    (Color::Cyan, (0, 205, 205)),
    (Color::Gray, (229, 229, 229)),
    (Color::DarkGray, (127, 127, 127)),
    (Color::LightRed, (255, 0, 0)),
    (Color::LightGreen, (0, 255, 0)),
    (Color::LightYellow, (255, 255, 0)),
    (Color::LightBlue, (92, 92, 255)),
    (Color::LightMagenta, (255, 0, 255)),
    (Color::LightCyan, (0, 255, 255)),
    (Color::White, (255, 255, 255)),
];

fn to_ansi16(r: u8, g: u8, b: u8) -> Color {
    ANSI16
        .iter()
        .min_by_key(|(_, rgb)| dist(*rgb, (r, g, b)))
        .map_or(Color::Reset, |(c, _)| *c)
}

#[cfg(test)]
mod tests {
    proptest::proptest! {
        #[test]
        fn any_theme_bytes_give_a_theme_or_an_error(
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)
        ) {
            let _ = Theme::parse("fuzz", &String::from_utf8_lossy(&bytes), "fuzz.toml");
        }

        #[test]
        fn any_theme_like_text_gives_a_theme_or_an_error(
            text in "([a-z_.]{1,12} ?= ?(\\{ ?fg ?= ?\"[#a-z0-9]{0,8}\" ?\\}|\"\\PC{0,6}\"|[0-9]{1,4})\n?){0,6}"
        ) {
            let _ = Theme::parse("fuzz", &text, "fuzz.toml");
        }
    }

    #[test]
    fn an_error_inside_a_multibyte_character_names_its_line() {
        let e = Theme::parse("t", "a = \"é\n\n", "t.toml").unwrap_err();
        assert!(e.to_string().contains("line"), "{e}");
    }

    use super::*;

    #[test]
    fn every_builtin_theme_defines_every_element() {
        for (name, src) in BUILTIN {
            let t = Theme::parse(name, src, name).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(t.styles.len(), Element::ALL.len());
        }
        assert!(BUILTIN.len() >= 4);
    }

    #[test]
    fn the_configuration_page_lists_every_element() {
        let readme = include_str!("../../docs/configuration.md");
        let listed: Vec<&str> = readme
            .lines()
            .filter_map(|l| l.strip_prefix("| `"))
            .filter_map(|l| l.split('`').next())
            .filter(|k| {
                !k.contains(' ')
                    && k.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            })
            .collect();
        let keys: Vec<&str> = Element::ALL.iter().map(|e| e.key()).collect();
        for k in &keys {
            assert!(
                listed.contains(k),
                "docs/configuration.md's theme table lacks `{k}`"
            );
        }
        let section = readme
            .split("<!-- theme-elements -->")
            .nth(1)
            .expect("docs/configuration.md marks the theme table");
        for l in section
            .lines()
            .take_while(|l| !l.contains("<!-- /theme-elements -->"))
        {
            if let Some(k) = l.strip_prefix("| `").and_then(|l| l.split('`').next()) {
                assert!(
                    keys.contains(&k),
                    "docs/configuration.md lists `{k}`, which is no element"
                );
            }
        }
    }

    #[test]
    fn a_broken_theme_names_file_line_and_key() {
        let good = BUILTIN[0].1;
        let bad = good.replacen("fg = \"", "fg = \"not-a-colour", 1);
        let e = Theme::parse("x", &bad, "/tmp/x.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("theme /tmp/x.toml: line "), "{e}");
        assert!(e.contains("element '") && e.contains("not a colour"), "{e}");

        let e = Theme::parse("x", "base = { fg = \"red\" }\nbogus = {}\n", "t.toml").unwrap_err();
        assert_eq!(
            e.to_string(),
            "theme t.toml: line 2: unknown element 'bogus'"
        );

        let e = Theme::parse("x", "base = { fg = \"red\" }\n", "t.toml").unwrap_err();
        assert!(e.to_string().contains("missing elements: border,"), "{e}");

        let e = Theme::parse("x", "base = { fg = \"red\"\n", "t.toml").unwrap_err();
        assert!(e.to_string().starts_with("theme t.toml: line 1"), "{e}");

        let e = Theme::parse(
            "x",
            "base = { fg = \"red\", mods = [\"blink\"] }\n",
            "t.toml",
        )
        .unwrap_err();
        assert!(e.to_string().contains("'blink' is not one of"), "{e}");
    }

    #[test]
    fn unknown_theme_names_the_builtins() {
        let e = Theme::load("nope", None).unwrap_err().to_string();
        assert!(e.contains("dark, light, high-contrast, mono"), "{e}");
        let e = Theme::load("/nonexistent/t.toml", None)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("theme /nonexistent/t.toml: "), "{e}");
    }

    #[test]
    fn colours_degrade() {
        let c = Color::Rgb(255, 0, 0);
        assert_eq!(reduce(c, ColorDepth::TrueColor), c);
        assert_eq!(reduce(c, ColorDepth::Ansi256), Color::Indexed(196));
        assert_eq!(reduce(c, ColorDepth::Ansi16), Color::LightRed);
        assert_eq!(
            reduce(Color::Rgb(30, 30, 30), ColorDepth::Ansi256),
            Color::Indexed(234)
        );
        assert_eq!(
            reduce(Color::Indexed(196), ColorDepth::Ansi16),
            Color::LightRed
        );
        assert_eq!(reduce(Color::Cyan, ColorDepth::Ansi16), Color::Cyan);
        let t = Theme::builtin("dark").unwrap().degrade(ColorDepth::Ansi16);
        assert!(
            t.styles
                .iter()
                .all(|s| !matches!(s.fg, Some(Color::Rgb(..)) | Some(Color::Indexed(16..))))
        );
    }

    #[test]
    fn color_depth_from_environment() {
        assert_eq!(
            ColorDepth::detect(Some("truecolor"), Some("xterm")),
            ColorDepth::TrueColor
        );
        assert_eq!(
            ColorDepth::detect(None, Some("screen-256color")),
            ColorDepth::Ansi256
        );
        assert_eq!(ColorDepth::detect(None, Some("xterm")), ColorDepth::Ansi16);
        assert_eq!(ColorDepth::detect(None, None), ColorDepth::Ansi16);
    }
}
