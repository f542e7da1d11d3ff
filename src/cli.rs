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
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Run on the built-in simulated account (no AWS account needed).
    #[arg(long, global = true)]
    pub demo: bool,

    /// Seed of the simulated account: the same seed gives the same account and traffic.
    #[arg(long, default_value_t = 1, global = true)]
    pub seed: u64,

    /// How much faster than real time the simulated account runs (e.g. 10 for a walkthrough).
    #[arg(long, default_value_t = 1.0, global = true, value_parser = parse_speed)]
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
    #[arg(long, global = true)]
    pub log_file: Option<PathBuf>,

    /// AWS profile (default: the SDK's chain: environment, AWS_PROFILE, SSO, instance role).
    #[arg(long, global = true)]
    pub profile: Option<String>,

    /// AWS region (default: AWS_REGION or the profile's). CLOUDFRONT-scope WAF and CloudFront
    /// always use us-east-1.
    #[arg(long, global = true)]
    pub region: Option<String>,

    /// Send every AWS call to this endpoint (a test server, a VPC endpoint). AWS_ENDPOINT_URL
    /// works too.
    #[arg(long, global = true)]
    pub endpoint_url: Option<String>,

    /// Requests per second edgetop may make to the API Gateway management API, which allows
    /// about 10 for the whole account, shared with every other tool.
    #[arg(long, default_value_t = 4.0, global = true)]
    pub apigateway_rps: f64,

    /// Minutes between discoveries of the slow-changing configuration (APIs, plans, keys,
    /// web ACLs, distributions); `R` discovers at once.
    #[arg(long, default_value_t = 5, global = true, value_parser = clap::value_parser!(u64).range(1..=1440))]
    pub discover_every: u64,

    /// Minutes without a key press after which polling slows down (0: never).
    #[arg(long, default_value_t = 15, global = true)]
    pub idle_after: u64,

    /// Origin custom header names that carry an API key (repeatable).
    #[arg(long = "key-header", default_value = "x-api-key", global = true)]
    pub key_headers: Vec<String>,

    /// Attempts per AWS call, the first included (the SDK's standard retry with backoff).
    #[arg(long, default_value_t = 3, global = true, value_parser = clap::value_parser!(u32).range(1..=10))]
    pub max_attempts: u32,
}

#[derive(clap::Subcommand, Debug, Clone)]
pub enum Command {
    /// Read the account once, print it, and exit: for scripts and incident notes.
    Snapshot {
        /// Print JSON (documented in the README) instead of text.
        #[arg(long)]
        json: bool,
    },
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
