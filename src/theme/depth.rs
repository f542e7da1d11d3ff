//! How many colours a terminal can show, and how to tell.

/// How many colours the terminal can show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorDepth {
    #[value(name = "24bit")]
    TrueColor,
    #[value(name = "256")]
    Ansi256,
    #[value(name = "16")]
    Ansi16,
}

impl ColorDepth {
    /// From COLORTERM and TERM, as terminals advertise it.
    pub fn detect(colorterm: Option<&str>, term: Option<&str>) -> ColorDepth {
        match (colorterm, term) {
            (Some(c), _)
                if c.eq_ignore_ascii_case("truecolor") || c.eq_ignore_ascii_case("24bit") =>
            {
                ColorDepth::TrueColor
            }
            (_, Some(t)) if t.contains("256color") || t.contains("direct") => ColorDepth::Ansi256,
            _ => ColorDepth::Ansi16,
        }
    }
}
