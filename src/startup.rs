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
use crate::source::aws::{self, AwsSource};
use crate::source::demo::DemoSource;
use crate::source::many::{self, ManySource, Member, Wanted};
use crate::source::{AnySource, OneSource};
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
    pub accounts: Vec<crate::config::AccountEntry>,
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
        .map(|p| crate::ip_ranges::read(p))
        .chain(
            args.ip_ranges_for
                .iter()
                .map(|a| crate::ip_ranges::read_for(a)),
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
        RecordTo::NewIn(None) => crate::files::state_dir()
            .ok_or_else(|| anyhow::anyhow!("record = true: no state directory (set record_dir)"))?
            .join("recordings"),
    };
    crate::files::private_dir(&dir).map_err(|e| anyhow::anyhow!("record_dir: {e}"))?;
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

fn aws_target(args: &Args, w: &Wanted) -> aws::connect::Target {
    aws::connect::Target {
        profile: w.profile.clone(),
        role_arn: w.role_arn.clone(),
        region: w.region.clone(),
        endpoint_url: args.endpoint_url.clone(),
        max_attempts: args.max_attempts,
    }
}

/// Regions where API Gateway has a REST or HTTP API or WAF a regional web ACL, for `--region
/// all`: EC2 DescribeRegions (the account's enabled regions), then one GetRestApis, one GetApis
/// and one ListWebACLs of one item each per region, all at once.
async fn expand_all(args: &Args, w: &Wanted) -> anyhow::Result<Vec<Wanted>> {
    // The account's partition, from the profile's own region (the commercial one without):
    // DescribeRegions is asked in its global region, and lists that partition's regions.
    let mut t = aws_target(args, w);
    t.region = None;
    let own = aws::connect::load(&t).await;
    let partition = aws::partition::Partition::of(
        own.region()
            .map_or(aws::connect::GLOBAL_REGION, |r| r.as_ref()),
    );
    t.region = Some(partition.global_region.into());
    let conf = aws::connect::load(&t).await;
    let regions = aws_sdk_ec2::Client::new(&conf)
        .describe_regions()
        .send()
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "--region all: cannot list the account's regions (ec2:DescribeRegions): {}",
                aws::connect::in_words(&e)
            )
        })?;
    let names: Vec<String> = regions
        .regions()
        .iter()
        .filter_map(|r| r.region_name().map(str::to_string))
        .collect();
    let used = futures::future::join_all(names.iter().map(|r| {
        let conf = conf
            .to_builder()
            .region(aws_config::Region::new(r.clone()))
            .build();
        async move {
            let apis = aws_sdk_apigateway::Client::new(&conf)
                .get_rest_apis()
                .limit(1)
                .send()
                .await
                .is_ok_and(|o| !o.items().is_empty());
            let acls = aws_sdk_wafv2::Client::new(&conf)
                .list_web_acls()
                .scope(aws_sdk_wafv2::types::Scope::Regional)
                .limit(1)
                .send()
                .await
                .is_ok_and(|o| !o.web_acls().is_empty());
            // A region with only HTTP APIs is in use too (API Gateway v2: GetApis).
            let http = aws_sdk_apigatewayv2::Client::new(&conf)
                .get_apis()
                .max_results("1")
                .send()
                .await
                .is_ok_and(|o| !o.items().is_empty());
            apis || acls || http
        }
    }))
    .await;
    Ok(names
        .into_iter()
        .zip(used)
        .filter(|(_, u)| *u)
        .map(|(r, _)| Wanted {
            region: Some(r),
            ..w.clone()
        })
        .collect())
}

/// The settings of one place's source.
fn aws_settings(
    args: &Args,
    eff: &Effective,
    refresh: Duration,
    w: &Wanted,
    journal: Journal,
) -> aws::Settings {
    aws::Settings {
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
        reads_global: true,
        profile: w.profile.clone(),
        journal,
        deploy: eff.deploy,
        other_cdns: Vec::new(),
    }
}

fn journal() -> anyhow::Result<Journal> {
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
    Ok(journal)
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

/// The accounts the config keeps read-only, by account id: read-only holds in an account
/// whichever profile, role or label reached it.
#[derive(Debug, Default)]
struct ReadOnlyAccounts {
    /// (account id, the entry that says so).
    ids: Vec<(String, String)>,
    /// Read-only entries whose account could not be learnt, and why: until it can, no place
    /// can be told apart from them, so every place is read-only (fail closed).
    unknown: Vec<(String, String)>,
}

impl ReadOnlyAccounts {
    /// Why a place (wanted as `w`, connected to `account`) is read-only, if it is.
    fn why(&self, w: &Wanted, account: &str) -> Option<String> {
        let label = w.label().unwrap_or(account);
        if w.read_only {
            return Some(format!(
                "{label} is read-only (read_only in its [[accounts]] entry of the config file)"
            ));
        }
        if let Some((_, entry)) = self.ids.iter().find(|(id, _)| id == account) {
            return Some(format!(
                "account {account} is read-only: the config's [[accounts]] entry {entry:?} says \
                 so, whichever profile or role reaches it"
            ));
        }
        self.unknown.first().map(|(entry, e)| {
            format!(
                "read-only: the account of the config's read-only entry {entry:?} cannot be \
                 learnt ({e}), so it cannot be told apart from {label}. Set account_id in \
                 that entry"
            )
        })
    }
}

/// Learn the account of every read-only `[[accounts]]` entry: from the config (`account_id`,
/// the role's ARN), from a place connected through it, else by asking STS who it is
/// (GetCallerIdentity needs no permission), at most a few seconds each.
async fn read_only_accounts(
    args: &Args,
    eff: &Effective,
    connected: &[(Wanted, Option<String>)],
) -> ReadOnlyAccounts {
    let mut out = ReadOnlyAccounts::default();
    let mut ask = Vec::new();
    for e in eff.accounts.iter().filter(|e| e.read_only) {
        let name = e.name().unwrap_or("(unnamed)").to_string();
        let through = connected.iter().find_map(|(w, account)| {
            (w.label == e.label && w.profile == e.profile && w.role_arn == e.role_arn)
                .then_some(account.clone())
                .flatten()
        });
        match e.known_account().map(str::to_string).or(through) {
            Some(id) => out.ids.push((id, name)),
            None => ask.push((e, name)),
        }
    }
    let asked = futures::future::join_all(ask.iter().map(|(e, _)| {
        let t = aws::connect::Target {
            profile: e.profile.clone(),
            role_arn: e.role_arn.clone(),
            // The entry's region, else its profile's own.
            region: e.regions.first().filter(|r| *r != "all").cloned(),
            endpoint_url: args.endpoint_url.clone(),
            max_attempts: args.max_attempts,
        };
        async move {
            match tokio::time::timeout(Duration::from_secs(10), aws::connect::connect(&t)).await {
                Ok(Ok((_, account, _))) => Ok(account),
                Ok(Err(e)) => Err(e.to_string()),
                Err(_) => Err("no answer in 10 s".to_string()),
            }
        }
    }))
    .await;
    for ((_, name), got) in ask.into_iter().zip(asked) {
        match got {
            Ok(id) => out.ids.push((id, name)),
            Err(e) => {
                tracing::warn!(entry = %name, error = %e, "a read-only account cannot be learnt: every place is read-only");
                out.unknown.push((name, e));
            }
        }
    }
    out
}

/// Connect to every place wanted at once. One place that cannot be connected is an error
/// before any screen opens, saying exactly why; of many, those that fail are shown failing
/// beside the others, unless none connects.
async fn aws_places(args: &Args, eff: &Effective, refresh: Duration) -> anyhow::Result<Opened> {
    let mut wanted = Vec::new();
    for w in wanted_of(args, eff) {
        match w.region.as_deref() {
            Some("all") => wanted.extend(expand_all(args, &w).await?),
            _ => wanted.push(w),
        }
    }
    if wanted.is_empty() {
        anyhow::bail!("--region all: no region of the account has a REST API or a web ACL");
    }
    let journal = journal()?;
    let connected = futures::future::join_all(wanted.iter().map(|w| async move {
        let target = aws_target(args, w);
        aws::connect::connect(&target).await
    }))
    .await;
    let reached: Vec<(Wanted, Option<String>)> = wanted
        .iter()
        .zip(&connected)
        .map(|(w, c)| (w.clone(), c.as_ref().ok().map(|c| c.1.clone())))
        .collect();
    let read_only = read_only_accounts(args, eff, &reached).await;
    if let [only] = wanted.as_slice() {
        let (clients, account, arn) = connected.into_iter().next().expect("one")?;
        tracing::info!(%account, caller = %arn, region = %clients.region, "connected");
        let who = Who::new(&arn, &account, &clients.region);
        let why = read_only.why(only, &account);
        let settings = aws_settings(args, eff, refresh, only, journal);
        let source = AwsSource::new(clients, account, arn, settings);
        return Ok(Opened {
            source: AnySource::One(OneSource::Aws(Box::new(source))),
            who,
            who_at: Vec::new(),
            refresh,
            read_only: why,
        });
    }
    let mut members = Vec::new();
    let mut who_at = Vec::new();
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut global_read: Vec<String> = Vec::new();
    let mut errors = Vec::new();
    for (w, c) in wanted.iter().zip(connected) {
        let region = w.region.clone().unwrap_or_default();
        let label = w.label().map(str::to_string);
        match c {
            Ok((clients, account, arn)) => {
                let place = (account.clone(), clients.region.clone());
                if seen.contains(&place) {
                    tracing::warn!(?place, "read twice: skipped");
                    continue;
                }
                seen.push(place);
                tracing::info!(%account, caller = %arn, region = %clients.region, "connected");
                who_at.push(Who::new(&arn, &account, &clients.region));
                let mut settings = aws_settings(args, eff, refresh, w, journal.clone());
                settings.reads_global = !global_read.contains(&account);
                global_read.push(account.clone());
                let source = AwsSource::new(clients, account.clone(), arn, settings);
                let why = read_only.why(w, &account);
                if let Some(why) = &why {
                    tracing::info!(place = %crate::model::Text::new(&account), %why, "read-only");
                }
                let info = crate::model::PlaceInfo {
                    metrics_through: Default::default(),
                    label: crate::model::Text::new(label.as_deref().unwrap_or(&account)),
                    account: source.account().clone(),
                    read_only: why.is_some(),
                    failed: None,
                    slow_since: None,
                    shield: None,
                };
                members.push(Member {
                    info,
                    source: Some(OneSource::Aws(Box::new(source))),
                });
            }
            Err(e) => {
                tracing::warn!(error = %e, ?w, "cannot connect");
                errors.push(e.to_string());
                who_at.push(Who::new("not connected", "", &region));
                let name = label.unwrap_or("default".into());
                members.push(Member {
                    info: crate::model::PlaceInfo {
                        metrics_through: Default::default(),
                        label: crate::model::Text::new(&name),
                        account: crate::model::Account {
                            region: crate::model::Text::new(&region),
                            profile: crate::model::Text::new(
                                w.profile.as_deref().unwrap_or("default chain"),
                            ),
                            ..Default::default()
                        },
                        read_only: w.read_only,
                        failed: Some(crate::model::places::Failed {
                            since: chrono::Utc::now(),
                            message: crate::model::Text::new(&e.to_string()),
                        }),
                        slow_since: None,
                        shield: None,
                    },
                    source: None,
                });
            }
        }
    }
    if members.iter().all(|m| m.source.is_none()) {
        anyhow::bail!("no account could be read: {}", errors.join("; "));
    }
    check_distributions_across_accounts(&mut members);
    observe_across_accounts(&mut members).await;
    let who = who_at
        .iter()
        .find(|w| w.caller != "not connected")
        .cloned()
        .unwrap_or_default();
    Ok(Opened {
        source: AnySource::Many(Box::new(ManySource::new(members))),
        who,
        who_at,
        refresh,
        read_only: None,
    })
}

/// A rotation in one account checks, before it disables the old key, that no distribution of
/// any other account in view sends it (a shared CDN account may front another's API): each
/// place is given the CloudFront client of every other account's first place.
fn check_distributions_across_accounts(members: &mut [Member<OneSource>]) {
    let cdns: Vec<(String, aws::rotate::OtherCdn)> = members
        .iter()
        .filter_map(|m| match &m.source {
            Some(OneSource::Aws(s)) if s.reads_global() => Some((
                s.account().id.to_string(),
                aws::rotate::OtherCdn {
                    label: format!("{} ({})", m.info.label, s.account().id),
                    cloudfront: s.clients().cloudfront.clone(),
                },
            )),
            _ => None,
        })
        .collect();
    for m in members.iter_mut() {
        if let Some(OneSource::Aws(s)) = &mut m.source {
            let own = s.account().id.to_string();
            let others = cdns
                .iter()
                .filter(|(account, _)| *account != own)
                .map(|(_, c)| c.clone())
                .collect();
            s.check_distributions_of(others);
        }
    }
}

/// CloudWatch cross-account observability: where a monitoring account in view has links from
/// other accounts in view that share their metrics, their metrics (and its own) in that region
/// are read through it, in one GetMetricData. An account that has no sink, or may not list
/// them, reads its own as before.
async fn observe_across_accounts(members: &mut [Member<OneSource>]) {
    let sources: Vec<Option<&AwsSource>> = members
        .iter()
        .map(|m| match &m.source {
            Some(OneSource::Aws(s)) => Some(&**s),
            _ => None,
        })
        .collect();
    let read = futures::future::join_all(sources.iter().map(|s| async move {
        let mut calls = aws::Calls::default();
        let links = match s {
            Some(s) => aws::observability::links(&s.clients().oam, &mut calls).await,
            None => Ok(Vec::new()),
        };
        (links, calls)
    }))
    .await;
    let mut links = Vec::new();
    for ((result, calls), m) in read.into_iter().zip(members.iter_mut()) {
        if let Some(OneSource::Aws(s)) = &mut m.source {
            s.all_calls.merge(&calls);
        }
        links.push(result.unwrap_or_else(|f| {
            tracing::info!(place = %m.info.name(), failure = %f, "no cross-account observability read");
            Vec::new()
        }));
    }
    let accounts: Vec<String> = members
        .iter()
        .map(|m| m.info.account.id.to_string())
        .collect();
    let seen: Vec<aws::observability::Seen> = members
        .iter()
        .zip(&accounts)
        .zip(&links)
        .map(|((m, account), links)| aws::observability::Seen {
            account,
            region: m.info.account.region.as_str(),
            reads_global: matches!(&m.source, Some(OneSource::Aws(s))
                if s.reads_global() && s.clients().partition.waf_cloudfront.is_some()),
            global_region: match &m.source {
                Some(OneSource::Aws(s)) => s.clients().global_region(),
                _ => aws::connect::GLOBAL_REGION,
            },
            links,
        })
        .collect();
    let routing = aws::observability::routing(&seen);
    let mut hubs: std::collections::HashMap<usize, aws::metric_hub::Hub> = Default::default();
    for r in &routing {
        for via in [&r.regional, &r.global].into_iter().flatten() {
            if let (false, Some(OneSource::Aws(s))) =
                (hubs.contains_key(&via.hub), &members[via.hub].source)
            {
                let hub = aws::metric_hub::Hub::start(
                    s.clients().cloudwatch.clone(),
                    members[via.hub].info.label.clone(),
                );
                hubs.insert(via.hub, hub);
            }
        }
    }
    for (i, r) in routing.into_iter().enumerate() {
        // What each link shares: only those namespaces go through the monitoring account.
        let mut calls = aws::Calls::default();
        let mut route = async |via: Option<aws::observability::Via>, wanted: &[&'static str]| {
            let v = via?;
            let hub = hubs.get(&v.hub)?;
            let Some(account) = &v.account else {
                return Some(hub.route(None));
            };
            let shared =
                aws::observability::shared_namespaces(hub.client(), account, wanted, &mut calls)
                    .await;
            (!shared.is_empty()).then(|| hub.route(v.account.clone()).only(shared))
        };
        let regional = route(r.regional.clone(), &[METRICS_API, METRICS_WAF]).await;
        let global = route(r.global.clone(), &[METRICS_WAF]).await;
        if let Some(OneSource::Aws(s)) = &mut members[i].source {
            s.all_calls.merge(&calls);
        }
        let through = [(&r.regional, &regional), (&r.global, &global)]
            .into_iter()
            .filter_map(|(v, route)| v.as_ref().filter(|_| route.is_some()))
            .find(|v| v.account.is_some())
            .map(|v| v.hub);
        let routes = aws::MetricRoutes { regional, global };
        if routes.regional.is_none() && routes.global.is_none() {
            continue;
        }
        let monitor = through.map(|h| members[h].info.name());
        tracing::info!(place = %members[i].info.name(), ?monitor, "metrics read with a monitoring account's, in one GetMetricData");
        members[i].info.metrics_through = through.map(|h| crate::model::Place(h as u16));
        if let Some(OneSource::Aws(s)) = &mut members[i].source {
            s.route_metrics(routes);
        }
    }
}

/// The CloudWatch namespaces of the metrics edgetop reads.
const METRICS_API: &str = "AWS/ApiGateway";
const METRICS_WAF: &str = "AWS/WAFV2";

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
