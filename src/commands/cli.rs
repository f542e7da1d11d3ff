//! Command-line options.

use std::path::PathBuf;

use clap::Parser;

use crate::theme::ColorDepth;

#[derive(Parser, Debug, Clone)]
#[command(
    name = "edgetop",
    version = concat!(env!("CARGO_PKG_VERSION"), " (", env!("EDGETOP_GIT_REV"), ")"),
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
    /// `read_only = true` in the config file does the same.
    #[arg(long, global = true, conflicts_with = "read_write")]
    pub read_only: bool,

    /// Allow changes even though the config file says `read_only = true`.
    #[arg(long, global = true)]
    pub read_write: bool,

    /// Show the plan of a change and exit without changing anything (in the dashboard:
    /// confirming prints the plan and ends).
    #[arg(long, global = true)]
    pub dry_run: bool,

    /// Config file (default: config.toml in ~/.config/edgetop, when it exists).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,

    /// How long a rotation waits for a CloudFront distribution to reach Deployed: minutes, or
    /// with a unit (90s, 30m, 1h). Default 30 minutes, or deploy_timeout_minutes in the config.
    #[arg(long, global = true, value_parser = parse_timeout)]
    pub deploy_timeout: Option<std::time::Duration>,

    /// Seconds between checks of a deploying distribution.
    #[arg(long, default_value_t = 20, global = true, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub deploy_check_every: u64,

    /// Theme: dark, light, high-contrast, mono, a name in ~/.config/edgetop/themes, or a .toml path.
    #[arg(long)]
    pub theme: Option<String>,

    /// Ring the terminal's bell, and put what paged in the window's title, when an alarm goes
    /// to ALARM or a new critical finding appears (`bell = true` in the config file).
    #[arg(long, global = true)]
    pub bell: bool,

    /// Take the mouse: a click on a tab opens it, on a row selects it, a double click opens
    /// its detail, the wheel scrolls (`mouse = true` in the config file). Off by default, so
    /// the terminal's own text selection works; with it on, hold Shift to select text.
    #[arg(long, global = true)]
    pub mouse: bool,

    /// When edgetop ends, print the console URLs `o` copied (a bastion has no browser; the
    /// clipboard may not reach the operator's).
    #[arg(long, global = true)]
    pub print_urls: bool,

    /// The time range of every chart and "last N" figure: 15m, 1h, 3h, 12h, 24h, 3d or 7d
    /// (`range = "…"` in the config file; `:range`, `[` and `]` change it while running).
    #[arg(long, global = true, value_parser = parse_range)]
    pub range: Option<crate::model::Range>,

    /// Each series beside the same window a day (1d) or a week (7d) before (`:compare` while
    /// running): a dim line on every chart, columns on Throttling and WAF.
    #[arg(long, global = true, value_parser = parse_shift)]
    pub compare: Option<crate::model::range::Shift>,

    /// No colour: the mono theme unless --theme says otherwise. NO_COLOR set to anything
    /// (not empty) does the same, as no-color.org asks.
    #[arg(long)]
    pub no_color: bool,

    /// Record what the dashboard shows, every poll and every operation, to FILE (0600; a
    /// recording of edgetop's own is continued). `record = true` in the config file records
    /// each run to a new file in `record_dir`. Replay it with `edgetop replay FILE`.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,

    /// How much a recording keeps, the oldest dropped first: a time (24h, 7d) or a size
    /// (500MB, 2GB). Default: everything (`record_keep` in the config file).
    #[arg(long, value_name = "TIME|SIZE", value_parser = parse_keep)]
    pub record_keep: Option<crate::host::keep::Keep>,

    /// A guided tour for presenters: captions that walk through the demo (or, with `replay`,
    /// a recording) screen by screen, advanced with Space. Without FILE, the demo's own tour.
    #[arg(long, value_name = "FILE", global = true)]
    pub tour: Option<Option<PathBuf>>,

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
    /// 10 for the whole account and region, shared with every other tool.
    #[arg(long, default_value_t = 5.0, global = true, value_parser = parse_rps)]
    pub apigateway_rps: f64,

    /// Requests edgetop may make at once to the API Gateway management API before the rate
    /// applies (the account's bucket holds 40, shared with every other tool).
    #[arg(long, default_value_t = 20, global = true, value_parser = clap::value_parser!(u32).range(1..=40))]
    pub apigateway_burst: u32,

    /// API Gateway calls a minute edgetop makes after its first read, everything included
    /// (the account allows 600 a minute, shared with every other tool). What does not fit
    /// waits for the next poll, and the screens show each figure's age.
    #[arg(long, default_value_t = 60, global = true, value_parser = clap::value_parser!(u32).range(1..=600))]
    pub apigateway_per_minute: u32,

    /// Minutes a usage plan's usage may age before it is read again. Plans with a key near its
    /// quota or its rate limit are read every poll.
    #[arg(long, default_value_t = 10, global = true, value_parser = clap::value_parser!(u64).range(1..=1440))]
    pub usage_every: u64,

    /// Minutes a usage plan's list of keys may age before it is read again (a call per plan).
    #[arg(long, default_value_t = 30, global = true, value_parser = clap::value_parser!(u64).range(1..=1440))]
    pub plan_keys_every: u64,

    /// Minutes between discoveries of the slow-changing configuration (APIs, plans, keys,
    /// web ACLs, distributions); `R` discovers at once.
    #[arg(long, default_value_t = 5, global = true, value_parser = clap::value_parser!(u64).range(1..=1440))]
    pub discover_every: u64,

    /// Minutes between Logs Insights queries of the access logs and WAF logs, each over the
    /// minutes since the last (billed per GB scanned: the Overview shows what they cost).
    #[arg(long, default_value_t = 5, global = true, value_parser = clap::value_parser!(u64).range(1..=1440))]
    pub logs_every: u64,

    /// Seconds a Logs Insights query may run before edgetop stops it and says it timed out.
    #[arg(long, default_value_t = 120, global = true, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub logs_timeout: u64,

    /// Query no logs: 429s per key stay unknown and the top sources are the sampled estimates.
    #[arg(long, global = true)]
    pub no_logs: bool,

    /// Minutes without a key press after which polling slows down (0: never).
    #[arg(long, default_value_t = 15, global = true, value_parser = clap::value_parser!(u64).range(0..=1440))]
    pub idle_after: u64,

    /// Origin custom header names that carry an API key (repeatable; default x-api-key, or
    /// key_headers in the config file).
    #[arg(long = "key-header", global = true)]
    pub key_headers: Vec<String>,

    /// More addresses CDNs reach origins from (repeatable): AWS's ip-ranges.json (its
    /// CLOUDFRONT_ORIGIN_FACING prefixes) or a list of ranges one per line, such as
    /// Cloudflare's ips-v4. CloudFront's own are read from its managed prefix list.
    #[arg(long = "ip-ranges", value_name = "FILE", global = true)]
    pub ip_ranges: Vec<std::path::PathBuf>,

    /// A stage fronted by an edge edgetop cannot see, such as Cloudflare, and the file of that
    /// edge's ranges in the same formats (repeatable): orders-api/prod=ips-v4 (the API by name
    /// or by id).
    #[arg(long = "ip-ranges-for", value_name = "API/STAGE=FILE", global = true)]
    pub ip_ranges_for: Vec<String>,

    /// Attempts per AWS call, the first included (the SDK's standard retry with backoff).
    #[arg(long, default_value_t = 3, global = true, value_parser = clap::value_parser!(u32).range(1..=10))]
    pub max_attempts: u32,
}

#[derive(clap::Subcommand, Debug, Clone)]
pub enum Command {
    /// Read the account once, print it, and exit: for scripts and incident notes.
    Snapshot {
        /// Print JSON (docs/snapshot-json.md documents it) instead of text.
        #[arg(long)]
        json: bool,
        /// Read the snapshot from a recording (`--record`) instead of the account.
        #[arg(long, value_name = "FILE")]
        from: Option<PathBuf>,
        /// With --from: the moment to print (14:05 UTC, +5m from its start, or a whole time);
        /// default, its last poll.
        #[arg(long, value_name = "TIME", requires = "from")]
        at: Option<String>,
    },
    /// Replay a recording (`--record FILE`) in the dashboard, on any machine, with no AWS
    /// account: Space pauses, ← → step a poll, + - change the speed, `:at 14:05` jumps.
    Replay {
        /// The recording.
        file: PathBuf,
    },
    /// Toggle a WAF rule between Block and Count (a rule group's override between None and
    /// Count, or with --inner the override of one rule inside the group).
    Toggle {
        /// The web ACL's name.
        #[arg(long)]
        web_acl: String,
        /// The rule's name.
        #[arg(long)]
        rule: String,
        /// A rule inside the rule group `--rule`, whose override to toggle.
        #[arg(long)]
        inner: Option<String>,
        /// Which web ACL, when a REGIONAL and a CLOUDFRONT one share the name.
        #[arg(long, value_enum)]
        scope: Option<ScopeArg>,
        /// Do not ask for confirmation (for scripts).
        #[arg(long)]
        yes: bool,
    },
    /// Rotate an API key without downtime (new key, same plans, CloudFront switched and
    /// deployed, old key disabled).
    Rotate {
        /// The key's id or name.
        #[arg(long)]
        key: String,
        #[arg(long)]
        yes: bool,
        /// Print the new key's value once, on standard output (it is never logged).
        #[arg(long)]
        show_value: bool,
    },
    /// Block a client address or range: add it to an IP set that a Block rule of a web ACL
    /// references (the plan names the set, the rules and its size).
    Block {
        /// An address (203.0.113.7, 2001:db8::1) or a range (203.0.113.0/24).
        address: String,
        /// Remove it again after this long (30m, 1h, 2d): a running edgetop, or
        /// `edgetop unblock --expired` from cron, removes it then.
        #[arg(long = "for", value_name = "DURATION")]
        for_: Option<String>,
        /// Only an IP set that a Block rule of this web ACL references.
        #[arg(long)]
        web_acl: Option<String>,
        /// This IP set (name or id), when several could take it.
        #[arg(long)]
        ip_set: Option<String>,
        #[arg(long)]
        yes: bool,
        /// The word a wide range asks to be typed, given on the command line (with --yes).
        #[arg(long, value_name = "TEXT")]
        confirm: Option<String>,
    },
    /// Remove an address edgetop added to an IP set (or, with --expired, every one whose time
    /// is up: for cron). Entries edgetop did not add are left alone.
    Unblock {
        /// The address or range, as it was blocked.
        #[arg(required_unless_present = "expired", conflicts_with = "expired")]
        address: Option<String>,
        /// Which IP set (name or id), when it was added to several.
        #[arg(long)]
        ip_set: Option<String>,
        /// Every entry whose --for has passed.
        #[arg(long)]
        expired: bool,
        #[arg(long)]
        yes: bool,
    },
    /// Change a rate-based rule's limit (and window).
    RateLimit {
        #[arg(long)]
        web_acl: String,
        #[arg(long)]
        rule: String,
        /// Requests per window from one aggregate key (WAF's bounds: 10 to 2,000,000,000).
        #[arg(long)]
        limit: u64,
        /// The window in seconds: 60, 120, 300 or 600 (unchanged when not given).
        #[arg(long)]
        window: Option<u32>,
        #[arg(long, value_enum)]
        scope: Option<ScopeArg>,
        #[arg(long)]
        yes: bool,
    },
    /// Disable an API key (refused while a distribution sends it: rotate it instead).
    DisableKey {
        /// The key's id or name.
        key: String,
        #[arg(long)]
        yes: bool,
    },
    /// Enable an API key again.
    EnableKey {
        /// The key's id or name.
        key: String,
        #[arg(long)]
        yes: bool,
    },
    /// Rotations that did not finish: list them, finish one, or roll one back.
    Rotation {
        #[command(subcommand)]
        action: RotationAction,
    },
    /// Print a shell completion script on standard output, e.g.
    /// `edgetop completions bash > ~/.local/share/bash-completion/completions/edgetop`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) on standard output: `edgetop man | man -l -`.
    Man,
    /// Check what edgetop needs, here and in each account it reads, and say how to fix each.
    ///
    /// Credentials and who they are, the region, every IAM action the screens and operations
    /// use, the clock against AWS's, edgetop's files, the config and theme, unfinished
    /// rotations, and the terminal: one line each, with the fix. Exit status 1 when something
    /// is missing.
    Doctor {
        /// Print the checks as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the audit log: who changed what, when, and how it went.
    Audit {
        /// The raw JSON lines.
        #[arg(long)]
        json: bool,
        /// How many of the latest entries.
        #[arg(short = 'n', long, default_value_t = 50)]
        lines: usize,
    },
}

#[derive(clap::Subcommand, Debug, Clone)]
pub enum RotationAction {
    /// The unfinished rotations of this account and region.
    List,
    /// Carry on from where it stopped.
    Finish {
        id: String,
        #[arg(long)]
        yes: bool,
        /// Print the new key's value once, on standard output (it is never logged).
        #[arg(long)]
        show_value: bool,
    },
    /// Undo what was done, newest first.
    Rollback {
        id: String,
        #[arg(long)]
        yes: bool,
        #[arg(long, hide = true)]
        show_value: bool,
    },
    /// Delete the old key of a finished rotation, once it has been disabled a day and no
    /// request has used it since (asks for its name to be typed).
    DeleteOld {
        id: String,
        #[arg(long)]
        yes: bool,
        /// The old key's name, given on the command line (with --yes).
        #[arg(long, value_name = "TEXT")]
        confirm: Option<String>,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeArg {
    Regional,
    Cloudfront,
}

impl Args {
    /// --no-color, or NO_COLOR present and not empty.
    pub fn wants_no_color(&self) -> bool {
        self.no_color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
    }
}

/// "30" (minutes), "90s", "30m", "1h": from 1 second to a day.
fn parse_shift(s: &str) -> Result<crate::model::range::Shift, String> {
    crate::model::range::Shift::parse(s).ok_or_else(|| "1d or 7d".to_string())
}

fn parse_range(s: &str) -> Result<crate::model::Range, String> {
    crate::model::Range::parse(s)
        .ok_or_else(|| format!("one of {}", crate::model::Range::names(", ")))
}

fn parse_timeout(s: &str) -> Result<std::time::Duration, String> {
    let (num, unit) = match s.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => s.split_at(i),
        None => (s, "m"),
    };
    let n: u64 = num
        .parse()
        .map_err(|_| format!("'{s}' is not a duration (try 90s, 30m, 1h)"))?;
    let per = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => return Err(format!("'{s}': the unit is s, m or h")),
    };
    if let Some(secs) = n.checked_mul(per).filter(|s| (1..=86_400).contains(s)) {
        Ok(std::time::Duration::from_secs(secs))
    } else {
        Err("the timeout must be from 1 second to a day".into())
    }
}

/// Requests per second to the API Gateway management API: 0.1 to 100 (the account allows
/// about 10, but a raised limit or a test server may allow more).
fn parse_rps(s: &str) -> Result<f64, String> {
    number_in(
        s,
        0.1..=100.0,
        "the API Gateway rate must be from 0.1 to 100 requests a second (the account allows about 10)",
    )
}

fn parse_keep(s: &str) -> Result<crate::host::keep::Keep, String> {
    s.parse()
}

fn parse_speed(s: &str) -> Result<f64, String> {
    number_in(s, 0.1..=1000.0, "speed must be from 0.1 to 1000")
}

/// A number within `range` (NaN and infinities are not), or `outside` as the error.
fn number_in(s: &str, range: std::ops::RangeInclusive<f64>, outside: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("'{s}' is not a number"))?;
    if range.contains(&v) {
        Ok(v)
    } else {
        Err(outside.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timeouts_take_a_unit_or_mean_minutes() {
        assert_eq!(parse_timeout("30"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_timeout("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_timeout("1h"), Ok(Duration::from_secs(3600)));
        assert!(parse_timeout("0s").is_err());
        assert!(parse_timeout("5d").unwrap_err().contains("unit"));
        assert!(parse_timeout("soon").is_err());
    }
}
