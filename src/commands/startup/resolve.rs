//! What this run is, resolved once from the command line and the config file: the account
//! (the simulated one or AWS) and its places, which are read-only, how AWS is called and how
//! much of its quotas edgetop may use, where edgetop's files go, the time range, and how the
//! dashboard looks. Every command takes a [`Run`]; nothing after [`Run::resolve`] reads the
//! command line or the config file.

use std::path::PathBuf;
use std::time::Duration;

use crate::app::keymap::Keymap;
use crate::commands::cli::{Args, Command};
use crate::host::config::{AccountEntry, Config};
use crate::host::files;
use crate::host::keep::Keep;
use crate::model::Range;
use crate::model::access::EdgeRanges;
use crate::model::range::Shift;
use crate::ops::audit::Audit;
use crate::source::aws;
use crate::source::many::{self, Wanted};
use crate::theme::{ColorDepth, Theme};

/// This run of edgetop: everything the command line and the config file say, resolved.
pub struct Run {
    /// The subcommand (None: the dashboard).
    pub command: Option<Command>,
    /// The simulated account (`--demo`), with its seed; `speed` is how fast simulated time,
    /// and a replay, runs.
    pub demo: bool,
    pub seed: u64,
    pub speed: f64,
    /// The accounts×regions named (`--profile`, `--region`, the config's `[[accounts]]`), each
    /// read-only or not. `--region all` is expanded when the account is opened: it asks AWS.
    pub places: Vec<Wanted>,
    /// The config's `[[accounts]]`: a read-only entry fences its account, by id, whichever
    /// profile or role reaches it.
    pub accounts: Vec<AccountEntry>,
    /// Every place read-only: `--read-only`, or `read_only = true` unless `--read-write`.
    pub read_only: bool,
    /// Show a change's plan and stop.
    pub dry_run: bool,
    pub aws: AwsCalls,
    pub budgets: Budgets,
    pub paths: Paths,
    /// What the charts show at the start, and what they are compared with.
    pub range: Range,
    pub compare: Option<Shift>,
    /// `:compare` says when a series is more than this many times its value then.
    pub compare_factor: f64,
    pub theme: ThemeChoice,
    pub keymap: Keymap,
    pub bell: bool,
    pub mouse: bool,
    pub print_urls: bool,
    /// `--tour`: a tour's file, or (Some(None)) the demo's own.
    pub tour: Option<Option<PathBuf>>,
    /// Origin custom header names that carry an API key, lower case.
    pub key_headers: Vec<String>,
    /// Edge ranges from `--ip-ranges` and `--ip-ranges-for` files.
    pub ip_ranges: Vec<EdgeRanges>,
    pub deploy: aws::rotate::DeployWait,
    /// Where the dashboard records, and how much it keeps.
    pub record: Option<RecordTo>,
    pub record_keep: Option<Keep>,
}

/// How AWS is called.
#[derive(Clone, Debug)]
pub struct AwsCalls {
    /// Another endpoint for every call (`--endpoint-url`, AWS_ENDPOINT_URL).
    pub endpoint_url: Option<String>,
    /// Attempts per call, the first included.
    pub max_attempts: u32,
}

/// How often edgetop reads, and how much of the account's shared quotas it may use.
#[derive(Clone, Debug)]
pub struct Budgets {
    /// Seconds between polls (None: what suits the source).
    pub refresh: Option<Duration>,
    /// Polling slows down after this long without a key press.
    pub idle_after: Option<Duration>,
    pub apigateway_rps: f64,
    pub apigateway_burst: u32,
    pub apigateway_per_minute: u32,
    pub cadence: aws::schedule::Cadence,
    pub discovery_every: Duration,
    pub logs: aws::logs::LogSettings,
}

/// Where edgetop's files are.
#[derive(Clone, Debug)]
pub struct Paths {
    /// The config file: `--config`, or the default one (read when it exists).
    pub config: Option<PathBuf>,
    /// The log (`--log-file`, or edgetop.log in the state directory).
    pub log: Option<PathBuf>,
    /// The audit log of this account (the demo keeps its own).
    pub audit: Option<PathBuf>,
}

/// The theme asked for (`--theme`, `NO_COLOR`, `--colors`), loaded and reduced to the
/// terminal's colours when the dashboard starts, and again on `:theme`.
#[derive(Clone, Debug)]
pub struct ThemeChoice {
    name: Option<String>,
    /// No colour asked (`--no-color`, or NO_COLOR set): the mono theme unless one is named.
    pub no_color: bool,
    /// `--colors`: else detected from COLORTERM and TERM.
    pub colors: Option<ColorDepth>,
}

impl ThemeChoice {
    /// The theme named `spec` (else the one asked for), reduced to the terminal's colours.
    pub fn load(&self, spec: Option<&str>) -> Result<Theme, String> {
        let user_dir = super::dirs().map(|d| d.config_dir().join("themes"));
        let fallback = if self.no_color { "mono" } else { "dark" };
        let name = spec.or(self.name.as_deref()).unwrap_or(fallback);
        let theme = Theme::load(name, user_dir.as_deref()).map_err(|e| e.to_string())?;
        Ok(theme.degrade(self.depth()))
    }

    /// The colours in use: `--colors`, else what COLORTERM and TERM announce.
    pub fn depth(&self) -> ColorDepth {
        self.colors.unwrap_or_else(|| {
            ColorDepth::detect(
                std::env::var("COLORTERM").ok().as_deref(),
                std::env::var("TERM").ok().as_deref(),
            )
        })
    }
}

/// Where the dashboard records: the file `--record` names, or with `record = true` a new file
/// in `record_dir`.
#[derive(Clone, Debug)]
pub enum RecordTo {
    File(PathBuf),
    NewIn(Option<PathBuf>),
}

impl Run {
    /// The run the command line asks for, with the config file applied. A config file that
    /// does not read is an error naming it.
    pub fn resolve(args: Args) -> anyhow::Result<Run> {
        let (run, broken) = Run::resolve_or_defaults(args);
        match broken {
            Some(e) => Err(e),
            None => Ok(run),
        }
    }

    /// As [`Run::resolve`], but a config file that does not read (or a file it names) is
    /// returned beside a run without it, for `doctor` to say and carry on.
    pub fn resolve_or_defaults(args: Args) -> (Run, Option<anyhow::Error>) {
        let path = args.config.clone().or_else(Config::default_path);
        let read = config(&args, path.as_deref());
        let (conf, keymap, ip_ranges, broken) = match read {
            Ok((conf, keymap)) => match edge_ranges(&args) {
                Ok(ranges) => (conf, keymap, ranges, None),
                Err(e) => (conf, keymap, Vec::new(), Some(e)),
            },
            Err(e) => (Config::default(), Keymap::default(), Vec::new(), Some(e)),
        };
        (Run::of(args, conf, keymap, ip_ranges, path), broken)
    }

    fn of(
        args: Args,
        conf: Config,
        keymap: Keymap,
        ip_ranges: Vec<EdgeRanges>,
        config: Option<PathBuf>,
    ) -> Run {
        let places = many::wanted(
            args.profile.as_deref(),
            args.region.as_deref(),
            &conf.accounts,
        );
        let record = match (&args.record, conf.record) {
            (Some(file), _) => Some(RecordTo::File(file.clone())),
            (None, true) => Some(RecordTo::NewIn(conf.record_dir.clone())),
            (None, false) => None,
        };
        let no_color = args.wants_no_color();
        Run {
            places,
            record,
            record_keep: args
                .record_keep
                .or_else(|| conf.record_keep.as_deref()?.parse().ok()),
            read_only: args.read_only || (conf.read_only && !args.read_write),
            bell: args.bell || conf.bell,
            mouse: args.mouse || conf.mouse,
            range: args.range.or(conf.range).unwrap_or_default(),
            compare: args.compare,
            compare_factor: conf.compare_factor.unwrap_or(3.0),
            key_headers: key_headers(&args, &conf),
            deploy: aws::rotate::DeployWait {
                every: Duration::from_secs(args.deploy_check_every),
                timeout: args.deploy_timeout.unwrap_or(Duration::from_secs(
                    60 * conf.deploy_timeout_minutes.unwrap_or(30),
                )),
            },
            budgets: budgets(&args),
            paths: Paths {
                config,
                log: args
                    .log_file
                    .clone()
                    .or_else(|| Some(files::state_dir()?.join("edgetop.log"))),
                audit: Audit::default_path(args.demo),
            },
            aws: AwsCalls {
                endpoint_url: args.endpoint_url.clone(),
                max_attempts: args.max_attempts,
            },
            theme: ThemeChoice {
                name: args.theme.clone(),
                no_color,
                colors: args.colors,
            },
            accounts: conf.accounts,
            keymap,
            ip_ranges,
            demo: args.demo,
            seed: args.seed,
            speed: args.speed,
            dry_run: args.dry_run,
            print_urls: args.print_urls,
            tour: args.tour,
            command: args.command,
        }
    }

    /// "demo" or "aws": what the log, the recording's name and the status line call it.
    pub fn source_label(&self) -> &'static str {
        if self.demo { "demo" } else { "aws" }
    }
}

/// The config file at `path` (`--config` must exist; the default one may not), and the keys in
/// force with its `[keys]`.
fn config(args: &Args, path: Option<&std::path::Path>) -> anyhow::Result<(Config, Keymap)> {
    let conf = match path {
        Some(p) => Config::load(p, args.config.is_some())?,
        None => Config::default(),
    };
    let keymap = Keymap::with(&conf.keys).map_err(|e| {
        let file = path.unwrap_or(std::path::Path::new("config.toml"));
        anyhow::anyhow!("the config file {}, [keys]: {e}", file.display())
    })?;
    Ok((conf, keymap))
}

/// The edge ranges the `--ip-ranges` and `--ip-ranges-for` files hold.
fn edge_ranges(args: &Args) -> anyhow::Result<Vec<EdgeRanges>> {
    let files = args
        .ip_ranges
        .iter()
        .map(|p| crate::source::ip_ranges::read(p));
    let for_stages = args
        .ip_ranges_for
        .iter()
        .map(|a| crate::source::ip_ranges::read_for(a));
    files.chain(for_stages).collect()
}

/// `--key-header`, else the config's `key_headers`, else `x-api-key`; lower case.
fn key_headers(args: &Args, conf: &Config) -> Vec<String> {
    let named = if args.key_headers.is_empty() {
        &conf.key_headers
    } else {
        &args.key_headers
    };
    let mut out: Vec<String> = named.iter().map(|h| h.to_ascii_lowercase()).collect();
    if out.is_empty() {
        out.push("x-api-key".into());
    }
    out
}

fn budgets(args: &Args) -> Budgets {
    let minutes = |m: u64| Duration::from_secs(m * 60);
    Budgets {
        refresh: args.refresh.map(Duration::from_secs),
        idle_after: (args.idle_after > 0).then(|| minutes(args.idle_after)),
        apigateway_rps: args.apigateway_rps,
        apigateway_burst: args.apigateway_burst,
        apigateway_per_minute: args.apigateway_per_minute,
        cadence: aws::schedule::Cadence {
            usage_every: minutes(args.usage_every),
            keys_every: minutes(args.plan_keys_every),
        },
        discovery_every: minutes(args.discover_every),
        logs: aws::logs::LogSettings {
            every: (!args.no_logs).then(|| minutes(args.logs_every)),
            time_limit: Duration::from_secs(args.logs_timeout),
        },
    }
}
