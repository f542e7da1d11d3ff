//! The six screens.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Screen {
    Overview,
    Throttling,
    Waf,
    Origins,
    Geo,
    Keys,
}

impl Screen {
    pub const ALL: [Screen; 6] = [
        Screen::Overview,
        Screen::Throttling,
        Screen::Waf,
        Screen::Origins,
        Screen::Geo,
        Screen::Keys,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Screen::Overview => "Overview",
            Screen::Throttling => "Throttling",
            Screen::Waf => "WAF",
            Screen::Origins => "Origins",
            Screen::Geo => "Geo",
            Screen::Keys => "Keys",
        }
    }

    pub fn index(self) -> usize {
        Screen::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    pub fn next(self) -> Screen {
        Screen::ALL[(self.index() + 1) % Screen::ALL.len()]
    }

    pub fn prev(self) -> Screen {
        Screen::ALL[(self.index() + Screen::ALL.len() - 1) % Screen::ALL.len()]
    }
}
