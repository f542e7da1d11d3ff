//! The AWS source: a real account through the official SDK. Slow-changing configuration
//! (APIs, stages, plans, keys, web ACLs, distributions) is discovered every few minutes and on
//! `R`; metrics, samples and held addresses are read on every poll, and each usage plan's usage
//! and keys on a schedule within a budget of API Gateway calls a minute. A part that fails
//! keeps what was read before and says why, so one denied permission darkens one panel only.

mod access;
mod actions;
mod alarms;
pub mod apigateway;
mod assemble;
mod clock;
pub mod cloudfront;
pub mod cloudwatch;
pub mod connect;
mod discover;
mod edge;
mod failure;
mod fan_out;
mod for_change;
mod http_apis;
mod ip_sets;
pub mod logs;
pub mod metric_hub;
pub mod observability;
pub mod pace;
pub mod partition;
pub mod permissions;
mod poll;
pub mod profiles;
mod respond;
pub mod rotate;
pub mod samples;
pub mod schedule;
mod shield;
pub mod toggle;
mod usage;
pub mod wafv2;

pub use actions::AwsActions;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use tokio::time::Instant;

use super::{Actions, OpFuture, Source, SourceError, ValueFuture};
use crate::model::{
    Account, CostMeter, Panel, RateLimitedIp, RuleKind, Sample, Scope, Snapshot, Text,
};
use crate::ops::Op;
use crate::ops::Reporter;
use crate::ops::journal::{Journal, Rotation};
use apigateway::{ApiConf, KeyConf, PlanConf};
use cloudfront::DistributionConf;
use cloudwatch::{Listed, Spec, Store};
use connect::{Clients, Failure};
use pace::Pacer;
use wafv2::AclConf;

/// AWS calls made, by IAM action.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Calls(pub BTreeMap<&'static str, u32>);

impl Calls {
    pub fn add(&mut self, action: &'static str) {
        *self.0.entry(action).or_default() += 1;
    }

    pub fn total(&self) -> u32 {
        self.0.values().sum()
    }

    /// Calls to one service ("apigateway").
    pub fn to(&self, service: &str) -> u32 {
        self.0
            .iter()
            .filter(|(action, _)| action.split(':').next() == Some(service))
            .map(|(_, n)| n)
            .sum()
    }

    pub fn merge(&mut self, other: &Calls) {
        for (k, v) in &other.0 {
            *self.0.entry(k).or_default() += v;
        }
    }
}

#[derive(Clone, Debug)]
pub struct Settings {
    /// Requests per second allowed to the API Gateway management API (shared account-wide).
    pub apigateway_rps: f64,
    pub apigateway_burst: u32,
    /// API Gateway calls a minute after the first read, discovery included.
    pub apigateway_per_minute: u32,
    /// How old a plan's usage and its list of keys may grow (hot plans: every poll).
    pub cadence: schedule::Cadence,
    /// How often to discover the slow-changing configuration again.
    pub discovery_every: Duration,
    /// Origin header names that carry an API key.
    pub key_headers: Vec<String>,
    /// Edge ranges from files, beside CloudFront's own.
    pub ip_ranges: Vec<crate::model::access::EdgeRanges>,
    /// Logs Insights: how often, and for how long a query may run.
    pub logs: logs::LogSettings,
    /// The poll interval, for the cost meter.
    pub refresh: Duration,
    /// Read what is global to the account (CloudFront, WAF's CLOUDFRONT scope, Shield): true
    /// for one region of each account only.
    pub reads_global: bool,
    pub profile: Option<String>,
    /// Where rotations are journaled.
    pub journal: Journal,
    /// How a rotation waits for CloudFront to deploy.
    pub deploy: rotate::DeployWait,
    /// The other accounts in view, whose distributions a rotation checks too before it
    /// disables the old key.
    pub other_cdns: Vec<rotate::OtherCdn>,
}

/// What discovery found.
#[derive(Clone, Debug, Default)]
pub struct Discovery {
    pub apis: Vec<ApiConf>,
    /// Each API's methods, by API id; an API absent here has not been read.
    pub methods: HashMap<String, Vec<crate::model::access::Method>>,
    /// Why an API's methods could not be read at the last discovery, by API id (its methods
    /// of the read before stay in `methods`).
    pub methods_unread: HashMap<String, String>,
    /// The account-level throttle, for stages without their own.
    pub account_throttle: Option<crate::model::Throttle>,
    pub plans: Vec<PlanConf>,
    pub keys: Vec<KeyConf>,
    pub acls: Vec<AclConf>,
    pub distributions: Vec<DistributionConf>,
    /// CloudFront's origin-facing addresses; None until read.
    pub edge: Option<crate::model::access::EdgeRanges>,
    pub domains: Vec<crate::model::access::CustomDomain>,
    /// HTTP APIs, whole (read for the Access screen only).
    pub http_apis: Vec<crate::model::RestApi>,
    /// Shield Advanced; None until read.
    pub shield: Option<crate::model::access::Shield>,
    /// Where each web ACL (by ARN) sends its traffic logs; absent when not read.
    pub waf_logs: HashMap<String, Vec<String>>,
    /// The AWS/WAFV2 metrics CloudWatch lists, to learn the dimension values it uses.
    pub waf_listed: Vec<Listed>,
    /// The IP sets the web ACLs' rules reference.
    pub ip_sets: Vec<crate::model::ip_set::IpSet>,
    pub specs: Vec<Spec>,
}

/// One failing part of the account: what failed, since when, and which panel shows it.
#[derive(Clone, Debug)]
struct Trouble {
    panel: Panel,
    failure: Failure,
    since: DateTime<Utc>,
    /// When this part was last read successfully.
    last_ok: Option<DateTime<Utc>>,
}

pub struct AwsSource {
    clients: Clients,
    /// The caller's partition, for the ARNs edgetop builds.
    partition: String,
    settings: Settings,
    account: Account,
    pace: Pacer,
    found: Discovery,
    discovered_at: Option<Instant>,
    /// GetResources' own quota (5 every 2 seconds), beside the account's.
    resources_pace: Pacer,
    force_discovery: bool,
    /// Where the first read hands over what it has before plans, keys and usage (the
    /// dashboard's; `snapshot --json` sets none and waits for everything).
    early: Option<crate::source::Early>,
    store: Store,
    /// The range the dashboard shows: what the metrics are read for.
    range: crate::model::Range,
    /// `:compare`: the same window a day or a week before, read into a store of its own.
    compare: Option<crate::model::range::Compare>,
    then_store: Store,
    samples: Vec<Sample>,
    samples_to: Option<DateTime<Utc>>,
    rate_limited: Vec<RateLimitedIp>,
    usage: usage::UsageBook,
    /// When each plan's keys were read (GetUsagePlanKeys), by plan id.
    plan_keys_read: HashMap<String, DateTime<Utc>>,
    /// API Gateway calls of the last minute, against the budget.
    allowance: schedule::Allowance,
    /// API Gateway calls the last discovery made: the room the next one waits for.
    discovery_calls: u32,
    troubles: BTreeMap<&'static str, Trouble>,
    last_ok: BTreeMap<&'static str, DateTime<Utc>>,
    cost: CostMeter,
    /// Parts read successfully in the current poll.
    ok_this_poll: u32,
    /// Logs Insights queries and their answers.
    logs: logs::LogBook,
    /// The logs found at the last poll, and their queries.
    logs_planned: Vec<logs::Planned>,
    /// What toggles on this machine kept, read each poll (see [`crate::ops::kept`]).
    kept_actions: std::collections::BTreeMap<String, crate::ops::kept::Kept>,
    /// What edgetop added to this place's IP sets (its blocks journal), as last read.
    blocks: Vec<crate::ops::blocks::BlockRecord>,
    /// Blocks cut short and settled by a read of their set, said for a while.
    block_notes: Vec<(DateTime<Utc>, String)>,
    /// The alarms on what is shown, as last read; and their names, listed at discovery (None:
    /// to be listed whole at the next poll).
    alarms: Vec<crate::model::alarm::Alarm>,
    /// Shield Advanced's attacks, ongoing and recent, as last read (a subscriber's only).
    attacks: Vec<crate::model::attack::Attack>,
    alarm_names: Option<Vec<String>>,
    /// What draws the anomaly-detection alarms' bands, as the alarms were last read.
    bands: Vec<alarms::BandQuery>,
    /// The metrics the access logs' metric filters make, as last listed with the alarms.
    log_metrics: Vec<alarms::LogMetric>,
    /// Where metrics are read when a monitoring account reads them (cross-account
    /// observability); else with this place's own CloudWatch clients.
    metric_routes: MetricRoutes,
    /// Calls of the last poll, and since the start.
    pub last_calls: Calls,
    pub all_calls: Calls,
}

/// The routes of a place's metrics through monitoring accounts: of its region, and of
/// us-east-1 (the CLOUDFRONT web ACLs' metrics, read by the account's first region).
#[derive(Clone, Debug, Default)]
pub struct MetricRoutes {
    pub regional: Option<metric_hub::Route>,
    pub global: Option<metric_hub::Route>,
}

/// Parts of the account, each read (and failing) on its own.
const APIS: &str = "apis";
const ACCOUNT: &str = "account throttle";
const METHODS: &str = "API methods and authorizers";
const PLANS: &str = "plans";
const PLAN_KEYS: &str = "plans' keys";
const KEYS: &str = "keys";
const ACLS_REGIONAL: &str = "web ACLs (REGIONAL)";
const ACLS_GLOBAL: &str = "web ACLs (CLOUDFRONT)";
const PROTECTS: &str = "web ACL resources";
const GROUPS: &str = "managed rule groups";
const DISTRIBUTIONS: &str = "distributions";
const EDGE_RANGES: &str = "CloudFront's origin-facing addresses";
const DOMAINS: &str = "custom domain names";
const HTTP_APIS: &str = "HTTP APIs";
const SHIELD: &str = "Shield Advanced";
const WAF_LOGGING: &str = "web ACL logging";
const WAF_METRICS: &str = "WAF metric names";
const IP_SETS: &str = "IP sets";
const ALARMS: &str = "alarms";
const ATTACKS: &str = "Shield Advanced attacks";
const METRICS: &str = "metrics";
const METRICS_GLOBAL: &str = "metrics (us-east-1)";
const SAMPLES: &str = "sampled requests";
const HELD: &str = "rate-limited addresses";
const USAGE: &str = "usage";

/// Samples are kept for three hours (GetSampledRequests' reach), at most this many.
const SAMPLE_KEEP: usize = 1000;

impl AwsSource {
    pub fn new(
        clients: Clients,
        account_id: String,
        caller_arn: String,
        settings: Settings,
    ) -> AwsSource {
        let account = Account {
            id: Text::new(&account_id),
            alias: Text::new(caller_arn.rsplit('/').next().unwrap_or("aws")),
            region: Text::new(&clients.region),
            profile: Text::new(settings.profile.as_deref().unwrap_or("default chain")),
            simulated: false,
        };
        AwsSource {
            partition: apigateway::partition_of(&caller_arn).to_string(),
            pace: Pacer::new(settings.apigateway_rps, settings.apigateway_burst),
            clients,
            account,
            found: Discovery::default(),
            discovered_at: None,
            resources_pace: access::resources_pacer(),
            force_discovery: false,
            early: None,
            store: Store::default(),
            range: Default::default(),
            compare: None,
            then_store: Store::default(),
            samples: Vec::new(),
            samples_to: None,
            rate_limited: Vec::new(),
            usage: Default::default(),
            plan_keys_read: HashMap::new(),
            allowance: schedule::Allowance::new(settings.apigateway_per_minute),
            discovery_calls: 0,
            troubles: BTreeMap::new(),
            last_ok: BTreeMap::new(),
            cost: CostMeter {
                poll_interval_secs: settings.refresh.as_secs() as u32,
                ..Default::default()
            },
            ok_this_poll: 0,
            logs: logs::LogBook::new(settings.logs.every),
            logs_planned: Vec::new(),
            kept_actions: Default::default(),
            blocks: Vec::new(),
            block_notes: Vec::new(),
            alarms: Vec::new(),
            attacks: Vec::new(),
            alarm_names: None,
            bands: Vec::new(),
            log_metrics: Vec::new(),
            metric_routes: MetricRoutes::default(),
            settings,
            last_calls: Calls::default(),
            all_calls: Calls::default(),
        }
    }

    /// Whose account and which region this reads.
    pub fn account(&self) -> &Account {
        &self.account
    }

    /// The clients of this place (startup reads its observability links with them).
    pub fn clients(&self) -> &Clients {
        &self.clients
    }

    /// Read metrics through monitoring accounts where `routes` says.
    pub fn route_metrics(&mut self, routes: MetricRoutes) {
        self.metric_routes = routes;
    }

    /// Reads CloudFront and the CLOUDFRONT scope for its account.
    pub fn reads_global(&self) -> bool {
        self.settings.reads_global
    }

    /// The other accounts in view, whose distributions a rotation here checks too.
    pub fn check_distributions_of(&mut self, others: Vec<rotate::OtherCdn>) {
        self.settings.other_cdns = others;
    }

    /// Record how a part went; on failure the previous data of the part stays.
    fn outcome<T>(
        &mut self,
        part: &'static str,
        panel: Panel,
        r: Result<T, Failure>,
        now: DateTime<Utc>,
    ) -> Option<T> {
        match r {
            Ok(v) => {
                self.ok_this_poll += 1;
                self.troubles.remove(part);
                self.last_ok.insert(part, now);
                Some(v)
            }
            Err(failure) => {
                tracing::warn!(part, %failure, "AWS read failed");
                let since = self.troubles.get(part).map_or(now, |t| t.since);
                let last_ok = self.last_ok.get(part).copied();
                self.troubles.insert(
                    part,
                    Trouble {
                        panel,
                        failure,
                        since,
                        last_ok,
                    },
                );
                None
            }
        }
    }
}

impl AwsSource {
    /// Read the local state beside the journal: what toggles kept, and what edgetop added to
    /// IP sets, settling the additions and removals cut short by what the sets now hold.
    fn read_local_state(&mut self, now: DateTime<Utc>) {
        self.kept_actions = kept_beside(&self.settings.journal).all();
        let blocks = blocks_beside(&self.settings.journal);
        let (account, region) = (self.account.id.to_string(), self.clients.region.clone());
        let sets = &self.found.ip_sets;
        let holds = |set_id: &str, range: &str| {
            sets.iter()
                .find(|s| s.id.as_str() == set_id)
                .map(|s| s.lists(range))
        };
        match blocks.settle(&account, &region, &holds) {
            Ok(said) => {
                for s in said {
                    tracing::warn!(%s, "blocks journal");
                    self.block_notes.push((now, s));
                }
            }
            Err(e) => tracing::warn!(error = %e, "blocks journal"),
        }
        self.block_notes
            .retain(|(t, _)| now - *t < chrono::TimeDelta::minutes(10));
        self.blocks = blocks.of(&account, &region);
    }
}

/// What edgetop added to IP sets (see [`crate::ops::blocks`]), beside the rotation journal.
fn blocks_beside(journal: &Journal) -> crate::ops::blocks::Blocks {
    let dir = journal.dir();
    crate::ops::blocks::Blocks::in_dir(dir.parent().unwrap_or(dir))
}

/// What toggles kept (see [`crate::ops::kept`]), beside the rotation journal.
fn kept_beside(journal: &Journal) -> crate::ops::kept::KeptActions {
    let dir = journal.dir();
    crate::ops::kept::KeptActions::in_dir(dir.parent().unwrap_or(dir))
}

impl Source for AwsSource {
    fn report_early(&mut self, early: crate::source::Early) {
        self.early = Some(early);
    }

    async fn poll(&mut self) -> Result<Snapshot, SourceError> {
        let now = Utc::now();
        self.read(now).await
    }

    async fn read_for(
        &mut self,
        target: &crate::source::ChangeTarget,
    ) -> Result<Snapshot, SourceError> {
        self.read_for_change(target).await
    }

    fn actions(&self) -> Arc<dyn Actions> {
        Arc::new(AwsActions {
            clients: self.clients.clone(),
            pace: self.pace.clone(),
            settings: self.settings.clone(),
            account: self.account.id.to_string(),
        })
    }

    fn unfinished(&self) -> (Vec<Rotation>, Vec<String>) {
        self.settings
            .journal
            .unfinished(self.account.id.as_str(), &self.clients.region)
    }

    fn rotation(&self, id: &str) -> Option<Rotation> {
        self.settings
            .journal
            .load(id)
            .ok()
            .filter(|r| r.account == self.account.id.as_str() && r.region == self.clients.region)
    }

    fn default_refresh(&self) -> Duration {
        Duration::from_secs(60)
    }

    fn refresh_all(&mut self) {
        self.force_discovery = true;
    }

    fn set_range(&mut self, range: crate::model::Range) {
        self.range = range;
    }

    fn set_compare(&mut self, compare: Option<crate::model::range::Compare>) {
        self.compare = compare;
    }

    fn on_exit(&self) -> Option<crate::source::OnExit> {
        let (clients, live) = (self.clients.clone(), self.logs.live());
        Some(Box::pin(
            async move { logs::stop_all(&clients, &live).await },
        ))
    }
}
