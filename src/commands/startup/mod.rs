//! Start-up: what every command needs before it works — the log, the theme, the options with
//! the config file applied, the runtime, and the account (the simulated one or a real one,
//! connected or refused before any screen opens).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::Context;

mod across;
mod places;

use crate::app::keymap::Keymap;
use crate::commands::cli::Args;
use crate::host::config::Config;
use crate::host::files;
use crate::host::output;
use crate::ops::audit::{Audit, Who};
use crate::ops::journal::Journal;
use crate::source::aws::{self, AwsSource};
use crate::source::demo::DemoSource;
use crate::source::many::{self, ManySource, Member, Wanted};
use crate::source::{AnySource, OneSource};
use crate::ui::theme::{ColorDepth, Theme};
use places::aws_places;
pub(crate) use places::{aws_target, wanted_places};

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
    args.log_file
        .clone()
        .or_else(|| Some(files::state_dir()?.join("edgetop.log")))
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
    let dir = files::parent_of(path);
    files::private_dir(dir)
        .with_context(|| format!("cannot use the log directory {}", dir.display()))?;
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

/// The log the options ask for, if it can be written. Where it cannot (a read-only home on a
/// bastion, a refused file), the dashboard and `snapshot` go on without one: the reason is
/// said once on standard error and returned, for the screen to say too. Changes still refuse
/// to run without their audit log.
pub fn log_or_warn(args: &Args) -> Option<String> {
    let path = log_path(args)?;
    let e = init_logging(&path).err()?;
    let said = format!("edgetop: running without a log file: {e:#}");
    crate::errln!("{said}");
    Some(said)
}

/// The options with the config file applied.
#[derive(Clone, Debug)]
pub struct Effective {
    pub read_only: bool,
    /// `--bell`, or `bell = true` in the config.
    pub bell: bool,
    /// `--mouse`, or `mouse = true` in the config.
    pub mouse: bool,
    /// `--range`, or `range = "…"` in the config: what the charts show at the start.
    pub range: crate::model::Range,
    /// `compare_factor` in the config (3 by default).
    pub compare_factor: f64,
    pub key_headers: Vec<String>,
    pub deploy: aws::rotate::DeployWait,
    /// The keys in force: the defaults with the config file's `[keys]`.
    pub keymap: Keymap,
    /// Edge ranges from `--ip-ranges` files.
    pub ip_ranges: Vec<crate::model::access::EdgeRanges>,
    /// The config's `[[accounts]]`.
    pub accounts: Vec<crate::host::config::AccountEntry>,
    /// Where the dashboard records, and how much it keeps.
    pub record: Option<RecordTo>,
    pub record_keep: Option<crate::record::Keep>,
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
        .map(|p| crate::source::ip_ranges::read(p))
        .chain(
            args.ip_ranges_for
                .iter()
                .map(|a| crate::source::ip_ranges::read_for(a)),
        )
        .collect::<anyhow::Result<Vec<_>>>()?;
    let record = match (&args.record, conf.record) {
        (Some(file), _) => Some(RecordTo::File(file.clone())),
        (None, true) => Some(RecordTo::NewIn(conf.record_dir.clone())),
        (None, false) => None,
    };
    Ok(Effective {
        record,
        record_keep: args
            .record_keep
            .or_else(|| conf.record_keep.as_deref()?.parse().ok()),
        accounts: conf.accounts.clone(),
        ip_ranges,
        keymap,
        read_only: args.read_only || (conf.read_only && !args.read_write),
        bell: args.bell || conf.bell,
        mouse: args.mouse || conf.mouse,
        range: args.range.or(conf.range).unwrap_or_default(),
        compare_factor: conf.compare_factor.unwrap_or(3.0),
        key_headers: key_headers.iter().map(|h| h.to_ascii_lowercase()).collect(),
        deploy: aws::rotate::DeployWait {
            every: Duration::from_secs(args.deploy_check_every),
            timeout: args.deploy_timeout.unwrap_or(Duration::from_secs(
                60 * conf.deploy_timeout_minutes.unwrap_or(30),
            )),
        },
    })
}

/// Where the dashboard records: the file `--record` names, or with `record = true` a new file
/// in `record_dir`.
#[derive(Clone, Debug)]
pub enum RecordTo {
    File(std::path::PathBuf),
    NewIn(Option<std::path::PathBuf>),
}

/// The recording's file: `--record`'s, or a new one in the directory (default: recordings/ in
/// the state directory, made 0700 if edgetop makes it): `edgetop-demo-20261117T140300Z.rec`.
pub fn record_file(args: &Args, to: &RecordTo) -> anyhow::Result<std::path::PathBuf> {
    let dir = match to {
        RecordTo::File(f) => return Ok(f.clone()),
        RecordTo::NewIn(Some(d)) => d.clone(),
        RecordTo::NewIn(None) => crate::host::files::state_dir()
            .ok_or_else(|| anyhow::anyhow!("record = true: no state directory (set record_dir)"))?
            .join("recordings"),
    };
    crate::host::files::private_dir(&dir).map_err(|e| anyhow::anyhow!("record_dir: {e}"))?;
    let label = if args.demo { "demo" } else { "aws" };
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    Ok(dir.join(format!("edgetop-{label}-{stamp}.rec")))
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

/// What a command works on: the source, who acts (in each place, when many), and how often
/// to poll it.
pub struct Opened {
    pub source: AnySource,
    pub who: Who,
    /// Who acts in each place, in place order, when more than one is read.
    pub who_at: Vec<Who>,
    pub refresh: Duration,
    /// One place is read, and the config keeps it read-only: why, in words (with many, each
    /// place says so itself).
    pub read_only: Option<String>,
}

/// The accounts×regions the options and the config file name.
fn wanted_of(args: &Args, eff: &Effective) -> Vec<Wanted> {
    many::wanted(
        args.profile.as_deref(),
        args.region.as_deref(),
        &eff.accounts,
    )
}

/// Who acts on the simulated account.
fn demo_who() -> Who {
    Who::new("demo (simulated account)", "demo", "demo")
}

/// The simulated account, as one place or as many (`--profile` and `--region` name them:
/// each profile a simulated account, each region a copy of it; only the first has incidents).
fn demo(args: &Args, wanted: &[Wanted]) -> AnySource {
    if wanted.len() < 2 {
        return AnySource::One(OneSource::Demo(DemoSource::new(args.seed, args.speed)));
    }
    let members = crate::source::demo::places(args.seed, args.speed, wanted)
        .into_iter()
        .map(|(info, source)| Member {
            info,
            source: Some(OneSource::Demo(source)),
        })
        .collect();
    AnySource::Many(Box::new(ManySource::new(members)))
}

/// The account the options name — the simulated one (`--demo`) or a real one, or many —
/// who acts on it, and how often to poll it (`--refresh`, else what suits the source).
/// The account (or the demo) opened, its series over the range asked for.
pub async fn account(args: &Args, eff: &Effective) -> anyhow::Result<Opened> {
    let mut opened = open(args, eff).await?;
    crate::source::Source::set_range(&mut opened.source, eff.range);
    let compare = args.compare.map(|shift| crate::model::range::Compare {
        shift,
        factor: eff.compare_factor,
    });
    crate::source::Source::set_compare(&mut opened.source, compare);
    Ok(opened)
}

async fn open(args: &Args, eff: &Effective) -> anyhow::Result<Opened> {
    if args.demo {
        let wanted = wanted_of(args, eff);
        let source = demo(args, &wanted);
        let refresh = args
            .refresh
            .map(Duration::from_secs)
            .unwrap_or_else(|| crate::source::Source::default_refresh(&source));
        return Ok(Opened {
            source,
            who: demo_who(),
            who_at: Vec::new(),
            refresh,
            read_only: match wanted.as_slice() {
                [one] if one.read_only => Some(format!(
                    "{} is read-only (read_only in its [[accounts]] entry of the config file)",
                    one.label().unwrap_or("this account")
                )),
                _ => None,
            },
        });
    }
    let refresh = Duration::from_secs(args.refresh.unwrap_or(60));
    aws_places(args, eff, refresh).await
}
