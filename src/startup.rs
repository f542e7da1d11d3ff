//! Start-up: what every command needs before it works — the log, the theme, the options with
//! the config file applied, the runtime, and the account (the simulated one or a real one,
//! connected or refused before any screen opens).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::Context;

use crate::app::keymap::Keymap;
use crate::cli::Args;
use crate::config::Config;
use crate::files;
use crate::ops::audit::{Audit, Who};
use crate::ops::journal::Journal;
use crate::output;
use crate::source::AnySource;
use crate::source::aws::{self, AwsSource};
use crate::source::demo::DemoSource;
use crate::theme::{ColorDepth, Theme};

fn dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "edgetop")
}

/// The theme the options ask for, reduced to the terminal's colours.
pub fn choose_theme(args: &Args, spec: Option<&str>) -> Result<Theme, String> {
    let user_dir = dirs().map(|d| d.config_dir().join("themes"));
    let name = spec
        .or(args.theme.as_deref())
        .unwrap_or(if args.wants_no_color() {
            "mono"
        } else {
            "dark"
        });
    let theme = Theme::load(name, user_dir.as_deref()).map_err(|e| e.to_string())?;
    let depth = args.colors.unwrap_or_else(|| {
        ColorDepth::detect(
            std::env::var("COLORTERM").ok().as_deref(),
            std::env::var("TERM").ok().as_deref(),
        )
    });
    Ok(theme.degrade(depth))
}

pub fn log_path(args: &Args) -> Option<PathBuf> {
    args.log_file.clone().or_else(|| {
        let d = dirs()?;
        Some(
            d.state_dir()
                .unwrap_or(d.data_local_dir())
                .join("edgetop.log"),
        )
    })
}

/// The log grows to this size, then the next start moves it to `edgetop.log.1`.
const LOG_KEEP_BYTES: u64 = 10 * 1024 * 1024;

/// Log to `path` (0600, in a 0700 directory), at `EDGETOP_LOG`'s level (info by default).
/// Whatever the level asked, other crates (the AWS SDK, hyper, rustls) log at info at most:
/// at debug and trace the SDK writes whole response bodies, API key values among them. Every
/// record is escaped ([`output::SafeLog`]).
pub fn init_logging(path: &Path) -> anyhow::Result<()> {
    use tracing_subscriber::filter::{FilterExt, filter_fn};
    use tracing_subscriber::prelude::*;
    if let Some(dir) = path.parent() {
        files::private_dir(dir)
            .with_context(|| format!("cannot create the log directory {}", dir.display()))?;
    }
    files::rotate_if_larger(path, LOG_KEEP_BYTES);
    let file = files::open_private_append(path)
        .with_context(|| format!("cannot open the log file {}", path.display()))?;
    let wanted = tracing_subscriber::EnvFilter::try_from_env("EDGETOP_LOG")
        .unwrap_or_else(|_| "info".into());
    let ours =
        filter_fn(|m| m.target().starts_with("edgetop") || *m.level() <= tracing::Level::INFO);
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(Mutex::new(output::SafeLog(file)))
        .with_ansi(false)
        .with_filter(wanted.and(ours));
    tracing_subscriber::registry().with(layer).init();
    Ok(())
}

/// The options with the config file applied.
#[derive(Clone, Debug)]
pub struct Effective {
    pub read_only: bool,
    pub key_headers: Vec<String>,
    pub deploy: aws::rotate::DeployWait,
    /// The keys in force: the defaults with the config file's `[keys]`.
    pub keymap: Keymap,
    /// Edge ranges from `--ip-ranges` files.
    pub ip_ranges: Vec<crate::model::access::EdgeRanges>,
}

pub fn effective(args: &Args) -> anyhow::Result<Effective> {
    let path = args.config.clone().or_else(Config::default_path);
    let conf = match &path {
        Some(p) => Config::load(p, args.config.is_some()),
        None => Ok(Config::default()),
    }?;
    let keymap = Keymap::with(&conf.keys).map_err(|e| {
        let file = path
            .as_deref()
            .unwrap_or(std::path::Path::new("config.toml"));
        anyhow::anyhow!("the config file {}, [keys]: {e}", file.display())
    })?;
    let mut key_headers = if args.key_headers.is_empty() {
        conf.key_headers.clone()
    } else {
        args.key_headers.clone()
    };
    if key_headers.is_empty() {
        key_headers.push("x-api-key".into());
    }
    let ip_ranges = args
        .ip_ranges
        .iter()
        .map(|p| crate::ip_ranges::read(p))
        .chain(
            args.ip_ranges_for
                .iter()
                .map(|a| crate::ip_ranges::read_for(a)),
        )
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Effective {
        ip_ranges,
        keymap,
        read_only: args.read_only || (conf.read_only && !args.read_write),
        key_headers: key_headers.iter().map(|h| h.to_ascii_lowercase()).collect(),
        deploy: aws::rotate::DeployWait {
            every: Duration::from_secs(args.deploy_check_every),
            timeout: args.deploy_timeout.unwrap_or(Duration::from_secs(
                60 * conf.deploy_timeout_minutes.unwrap_or(30),
            )),
        },
    })
}

/// The audit log for this account, as this caller.
pub fn audit_for(args: &Args, who: Who) -> Option<Audit> {
    Audit::default_path(args.demo).map(|p| Audit::new(p, who))
}

pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

fn aws_target(args: &Args) -> aws::connect::Target {
    aws::connect::Target {
        profile: args.profile.clone(),
        region: args.region.clone(),
        endpoint_url: args.endpoint_url.clone(),
        max_attempts: args.max_attempts,
    }
}

/// Connect to AWS, or say exactly why not (before any screen opens). Returns the source and
/// who is acting (STS GetCallerIdentity, which needs no permission).
async fn aws_source(
    args: &Args,
    eff: &Effective,
    refresh: Duration,
) -> anyhow::Result<(AwsSource, Who)> {
    let (clients, account, arn) = aws::connect::connect(&aws_target(args)).await?;
    tracing::info!(%account, caller = %arn, region = %clients.region, "connected");
    let who = Who::new(&arn, &account, &clients.region);
    let journal = Journal::default_dir()
        .map(Journal::new)
        .context("no state directory for the rotation journal (set XDG_STATE_HOME or HOME)")?;
    let pruned = journal.prune_finished(chrono::TimeDelta::days(30), chrono::Utc::now());
    if pruned > 0 {
        tracing::info!(
            pruned,
            "removed journals of rotations that ended over 30 days ago"
        );
    }
    let settings = aws::Settings {
        apigateway_rps: args.apigateway_rps,
        apigateway_burst: args.apigateway_burst,
        apigateway_per_minute: args.apigateway_per_minute,
        cadence: aws::schedule::Cadence {
            usage_every: Duration::from_secs(args.usage_every * 60),
            keys_every: Duration::from_secs(args.plan_keys_every * 60),
        },
        discovery_every: Duration::from_secs(args.discover_every * 60),
        key_headers: eff.key_headers.clone(),
        ip_ranges: eff.ip_ranges.clone(),
        logs: aws::logs::LogSettings {
            every: (!args.no_logs).then(|| Duration::from_secs(args.logs_every * 60)),
            time_limit: Duration::from_secs(args.logs_timeout),
        },
        refresh,
        profile: args.profile.clone(),
        journal,
        deploy: eff.deploy,
    };
    Ok((aws::AwsSource::new(clients, account, arn, settings), who))
}

/// Who acts on the simulated account.
fn demo_who() -> Who {
    Who::new("demo (simulated account)", "demo", "demo")
}

/// The account the options name — the simulated one (`--demo`) or a real one — who acts on
/// it, and how often to poll it (`--refresh`, else what suits the source).
pub async fn account(args: &Args, eff: &Effective) -> anyhow::Result<(AnySource, Who, Duration)> {
    if args.demo {
        let demo = DemoSource::new(args.seed, args.speed);
        let refresh = args
            .refresh
            .map(Duration::from_secs)
            .unwrap_or_else(|| crate::source::Source::default_refresh(&demo));
        return Ok((AnySource::Demo(demo), demo_who(), refresh));
    }
    let refresh = Duration::from_secs(args.refresh.unwrap_or(60));
    let (aws, who) = aws_source(args, eff, refresh).await?;
    Ok((AnySource::Aws(Box::new(aws)), who, refresh))
}
