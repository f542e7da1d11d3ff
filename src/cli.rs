//! Command-line options.

use std::path::PathBuf;

use clap::Parser;

use crate::ui::theme::ColorDepth;

#[derive(Parser, Debug, Clone)]
#[command(
    name = "edgetop",
    version,
    about = "A live terminal dashboard for the security edge of an AWS-hosted API"
)]
pub struct Args {
    /// Run on the built-in simulated account (no AWS account needed).
    #[arg(long)]
    pub demo: bool,

    /// Seed of the simulated account: the same seed gives the same account and traffic.
    #[arg(long, default_value_t = 1, requires = "demo")]
    pub seed: u64,

    /// How much faster than real time the simulated account runs (e.g. 10 for a walkthrough).
    #[arg(long, default_value_t = 1.0, requires = "demo", value_parser = parse_speed)]
    pub speed: f64,

    /// Disable every change (rotating keys, toggling rules); the keys say why when pressed.
    #[arg(long)]
    pub read_only: bool,

    /// Theme: dark, light, high-contrast, mono, a name in ~/.config/edgetop/themes, or a .toml path.
    #[arg(long)]
    pub theme: Option<String>,

    /// No colour: the mono theme unless --theme says otherwise. NO_COLOR set to anything
    /// (not empty) does the same, as no-color.org asks.
    #[arg(long)]
    pub no_color: bool,

    /// Colours the terminal can show; detected from COLORTERM and TERM when not given.
    #[arg(long, value_enum)]
    pub colors: Option<ColorDepth>,

    /// Seconds between polls (default: the source's; 2 s for the demo).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub refresh: Option<u64>,

    /// Log file (default: edgetop.log in the XDG state directory).
    #[arg(long)]
    pub log_file: Option<PathBuf>,
}

impl Args {
    /// --no-color, or NO_COLOR present and not empty.
    pub fn wants_no_color(&self) -> bool {
        self.no_color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
    }
}

fn parse_speed(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("'{s}' is not a number"))?;
    if (0.1..=1000.0).contains(&v) {
        Ok(v)
    } else {
        Err("speed must be from 0.1 to 1000".into())
    }
}
