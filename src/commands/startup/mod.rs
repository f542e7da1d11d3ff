//! Start-up: what every command needs before it works — the [`Run`] the command line and the
//! config file resolve to (once, in `resolve.rs`), the log, the runtime, and the account (the
//! simulated one or a real one, connected or refused before any screen opens).

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::Context;

mod across;
mod places;
mod resolve;

use crate::host::files;
use crate::host::output;
use crate::ops::audit::{Audit, Who};
use crate::ops::journal::Journal;
use crate::source::aws::{self, AwsSource};
use crate::source::demo::DemoSource;
use crate::source::many::{ManySource, Member, Wanted};
use crate::source::{AnySource, OneSource};
use places::aws_places;
pub(crate) use places::{aws_target, wanted_places};
pub use resolve::{RecordTo, Run};

fn dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "edgetop")
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
pub fn log_or_warn(run: &Run) -> Option<String> {
    let path = run.paths.log.as_deref()?;
    let e = init_logging(path).err()?;
    let said = format!("edgetop: running without a log file: {e:#}");
    crate::errln!("{said}");
    Some(said)
}

/// The recording's file: `--record`'s, or a new one in the directory (default: recordings/ in
/// the state directory, made 0700 if edgetop makes it): `edgetop-demo-20261117T140300Z.rec`.
pub fn record_file(run: &Run, to: &RecordTo) -> anyhow::Result<std::path::PathBuf> {
    let dir = match to {
        RecordTo::File(f) => return Ok(f.clone()),
        RecordTo::NewIn(Some(d)) => d.clone(),
        RecordTo::NewIn(None) => crate::host::files::state_dir()
            .ok_or_else(|| anyhow::anyhow!("record = true: no state directory (set record_dir)"))?
            .join("recordings"),
    };
    crate::host::files::private_dir(&dir).map_err(|e| anyhow::anyhow!("record_dir: {e}"))?;
    let label = run.source_label();
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    Ok(dir.join(format!("edgetop-{label}-{stamp}.rec")))
}

/// The audit log for this account, as this caller.
pub fn audit_for(run: &Run, who: Who) -> Option<Audit> {
    run.paths.audit.clone().map(|p| Audit::new(p, who))
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

/// Who acts on the simulated account.
fn demo_who() -> Who {
    Who::new("demo (simulated account)", "demo", "demo")
}

/// The simulated account, as one place or as many (`--profile` and `--region` name them:
/// each profile a simulated account, each region a copy of it; only the first has incidents).
fn demo(run: &Run) -> AnySource {
    if run.places.len() < 2 {
        return AnySource::One(OneSource::Demo(DemoSource::new(run.seed, run.speed)));
    }
    let members = crate::source::demo::places(run.seed, run.speed, &run.places)
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
pub async fn account(run: &Run) -> anyhow::Result<Opened> {
    let mut opened = open(run).await?;
    crate::source::Source::set_range(&mut opened.source, run.range);
    let compare = run.compare.map(|shift| crate::model::range::Compare {
        shift,
        factor: run.compare_factor,
    });
    crate::source::Source::set_compare(&mut opened.source, compare);
    Ok(opened)
}

async fn open(run: &Run) -> anyhow::Result<Opened> {
    if run.demo {
        let source = demo(run);
        let refresh = run
            .budgets
            .refresh
            .unwrap_or_else(|| crate::source::Source::default_refresh(&source));
        return Ok(Opened {
            source,
            who: demo_who(),
            who_at: Vec::new(),
            refresh,
            read_only: match run.places.as_slice() {
                [one] if one.read_only => Some(format!(
                    "{} is read-only (read_only in its [[accounts]] entry of the config file)",
                    one.label().unwrap_or("this account")
                )),
                _ => None,
            },
        });
    }
    let refresh = run.budgets.refresh.unwrap_or(Duration::from_secs(60));
    aws_places(run, refresh).await
}
