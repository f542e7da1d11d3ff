//! A guided tour for presenters: captions that walk through an incident screen by screen, each
//! pointing at the rows it talks about. The script is data — `src/source/demo/tour.toml` for
//! the demo, built in, or any file in the same form for a recording of one's own:
//!
//! ```toml
//! title = "What the demo account goes through"
//!
//! [[caption]]
//! at = "+3m"          # the moment it is about: +5m from the start, 14:05 (UTC), or a whole time
//! screen = "origins"  # the screen it shows, by name
//! row = "203.0.113"   # optional: the rows it points at (the screen's filter, set for it)
//! text = "The login rate rule starts holding addresses: Origins shows them."
//! ```

use std::path::Path;

use serde::Deserialize;

use crate::model::Text;
use crate::screens::Screen;

/// The demo's own tour.
pub const DEMO: &str = include_str!("../source/demo/tour.toml");

#[derive(Clone, Debug, PartialEq)]
pub struct Tour {
    pub title: Text,
    pub captions: Vec<Caption>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Caption {
    /// As written: `+3m`, `14:05`, or a whole time (resolved against the data shown).
    pub at: Option<Text>,
    pub screen: Screen,
    pub row: Option<Text>,
    pub text: Text,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    title: String,
    #[serde(rename = "caption")]
    captions: Vec<CaptionFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaptionFile {
    at: Option<String>,
    screen: String,
    row: Option<String>,
    text: String,
}

impl Tour {
    /// `--tour` with no file: the demo's. A file is read as a tour script.
    pub fn load(path: Option<&Path>) -> Result<Tour, String> {
        match path {
            None => Tour::parse(DEMO, "the demo's tour"),
            Some(p) => {
                let name = crate::model::text::escape(&p.display().to_string());
                let text = std::fs::read_to_string(p)
                    .map_err(|e| format!("cannot read the tour {name}: {e}"))?;
                Tour::parse(&text, &name)
            }
        }
    }

    pub fn parse(text: &str, name: &str) -> Result<Tour, String> {
        let f: File = toml::from_str(text).map_err(|e| {
            format!(
                "the tour {name} is not valid: {}",
                Text::with_limit(&e.to_string(), 400)
            )
        })?;
        if f.captions.is_empty() {
            return Err(format!("the tour {name} has no [[caption]]"));
        }
        let captions = f
            .captions
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                let screen = Screen::ALL
                    .iter()
                    .copied()
                    .find(|s| s.title().eq_ignore_ascii_case(c.screen.trim()))
                    .ok_or_else(|| {
                        let names: Vec<String> = Screen::ALL
                            .iter()
                            .map(|s| s.title().to_lowercase())
                            .collect();
                        format!(
                            "the tour {name}, caption {}: no screen is called '{}' ({})",
                            i + 1,
                            Text::new(&c.screen),
                            names.join(", ")
                        )
                    })?;
                Ok(Caption {
                    at: c.at.as_deref().map(Text::new),
                    screen,
                    row: c
                        .row
                        .as_deref()
                        .filter(|r| !r.trim().is_empty())
                        .map(Text::new),
                    text: Text::with_limit(&c.text, 600),
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Tour {
            title: Text::new(&f.title),
            captions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_s_tour_reads() {
        let t = Tour::load(None).unwrap();
        assert!(t.captions.len() >= 4);
        assert_eq!(t.captions[0].screen, Screen::Overview);
    }

    #[test]
    fn a_broken_tour_says_where() {
        let e = Tour::parse(
            "title = \"x\"\n[[caption]]\nscreen = \"nowhere\"\ntext = \"t\"\n",
            "t.toml",
        )
        .unwrap_err();
        assert!(
            e.contains("caption 1: no screen is called 'nowhere'"),
            "{e}"
        );
        assert!(
            Tour::parse("title = 1", "t.toml")
                .unwrap_err()
                .contains("not valid")
        );
    }

    #[test]
    fn a_tour_s_words_are_sanitised() {
        let t = Tour::parse(
            "title = \"\\u001b[31mred\"\n[[caption]]\nscreen = \"waf\"\ntext = \"a\\u202eb\"\n",
            "t.toml",
        )
        .unwrap();
        assert!(!t.title.as_str().contains('\u{1b}'));
        assert!(!t.captions[0].text.as_str().contains('\u{202e}'));
    }
}
