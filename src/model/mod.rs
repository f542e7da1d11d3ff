//! Domain types: what an account's security edge looks like, whichever source filled it.
//!
//! The demo and the AWS source both produce a [`Snapshot`]; the UI draws nothing else.
//! Every string from outside is a [`Text`] (sanitised) or a [`Secret`] (never shown raw).

pub mod access;
pub mod alarm;
mod apigateway;
pub mod attack;
mod cloudfront;
pub mod compare;
pub mod console;
pub(crate) mod countries;
pub(crate) mod format;
pub mod ip_set;
pub(crate) mod log_format;
pub mod logs;
pub mod place;
pub mod places;
pub mod range;
pub mod series;
pub mod text;
mod waf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use access::Access;
// The services' types are the model's own: `model::Stage`, `model::WebAcl`.
pub use apigateway::*;
pub use cloudfront::*;
pub use place::{Place, Placed};
pub use places::PlaceInfo;
pub use range::Range;
pub use series::Series;
pub use text::{Secret, Text};
pub use waf::*;

/// One complete view of the account, as of `taken_at`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Snapshot {
    pub account: Account,
    /// When the source read this (the source's clock: simulated time in the demo).
    pub taken_at: DateTime<Utc>,
    /// The time range its series cover.
    #[serde(default)]
    pub range: Range,
    /// `:compare`: each series carries the same window a day or a week before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare: Option<range::Compare>,
    pub apis: Vec<RestApi>,
    /// HTTP APIs (API Gateway v2): their stages, metrics and access; no usage plans, API keys or
    /// web ACLs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub http_apis: Vec<RestApi>,
    pub usage_plans: Vec<UsagePlan>,
    pub api_keys: Vec<ApiKey>,
    pub web_acls: Vec<WebAcl>,
    pub distributions: Vec<Distribution>,
    /// Sampled requests from every web ACL and rule, newest first.
    pub samples: Vec<Sample>,
    /// Client addresses that rate-based rules are blocking right now.
    pub rate_limited: Vec<RateLimitedIp>,
    pub cost: CostMeter,
    /// Parts of the account that could not be read this time, and why.
    pub problems: Vec<Problem>,
    /// The addresses CDNs connect to origins from: a request reaching a fronted stage from
    /// elsewhere went around the CDN.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edge_ranges: Vec<access::EdgeRanges>,
    /// The IP sets the rules in view reference, with their ranges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ip_sets: Vec<ip_set::IpSet>,
    /// The ranges edgetop added to them, from its blocks journal (with their expiry).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocks: Vec<ip_set::BlockEntry>,
    /// CloudWatch alarms on what is shown, most urgent first (ALARM, then INSUFFICIENT_DATA).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alarms: Vec<alarm::Alarm>,
    /// Shield Advanced's attacks on the account's resources, ongoing and recent (the last 7
    /// days), where the account subscribes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attacks: Vec<attack::Attack>,
    /// Custom domain names and the stages they map to.
    #[serde(default)]
    pub custom_domains: Vec<access::CustomDomain>,
    /// Shield Advanced; None when it could not be read.
    #[serde(default)]
    pub shield: Option<access::Shield>,
    /// Parts still being read: this snapshot came early, with what was read so far.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub loading: Vec<Problem>,
    /// What the account's own logs say (Logs Insights); None when not asked (`--no-logs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logs: Option<logs::Logs>,
    /// The accounts and regions read, when more than one: every row's [`Place`] is an index
    /// here. Empty when one was read: `account` says which.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub places: Vec<PlaceInfo>,
    /// The places `:scope` keeps out of view (their rows are gone; `places` keeps them, so
    /// that every row's index stays).
    #[serde(skip)]
    pub out_of_view: Vec<Place>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Account {
    pub id: Text,
    pub alias: Text,
    pub region: Text,
    pub profile: Text,
    /// True for the built-in simulated account.
    pub simulated: bool,
}

/// A part of the account that could not be read, for one panel to explain.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Problem {
    pub panel: Panel,
    pub message: Text,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Panel {
    Metrics,
    Throttling,
    UsagePlans,
    Waf,
    Samples,
    Keys,
    Distributions,
    Access,
}

impl Panel {
    pub const ALL: [Panel; 8] = [
        Panel::Metrics,
        Panel::Throttling,
        Panel::UsagePlans,
        Panel::Waf,
        Panel::Samples,
        Panel::Keys,
        Panel::Distributions,
        Panel::Access,
    ];
}

/// The CloudWatch cost of polling, as the AWS source would pay it ($0.01 per 1,000 metrics).
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub struct CostMeter {
    /// Metrics requested in the most recent poll.
    pub metrics_last_poll: u32,
    /// Metrics requested since the program started.
    pub metrics_total: u64,
    /// Seconds between polls, for the monthly projection.
    pub poll_interval_secs: u32,
}

impl CostMeter {
    pub const DOLLARS_PER_METRIC: f64 = 0.01 / 1000.0;

    pub fn spent_dollars(&self) -> f64 {
        self.metrics_total as f64 * Self::DOLLARS_PER_METRIC
    }

    /// What a month of polling at this rate would cost.
    pub fn monthly_dollars(&self) -> f64 {
        if self.poll_interval_secs == 0 {
            return 0.0;
        }
        let polls_per_month = 30.0 * 86_400.0 / self.poll_interval_secs as f64;
        polls_per_month * self.metrics_last_poll as f64 * Self::DOLLARS_PER_METRIC
    }
}

impl Snapshot {
    pub fn key(&self, id: &str) -> Option<&ApiKey> {
        self.api_keys.iter().find(|k| k.id.as_str() == id)
    }

    pub fn plan(&self, id: &str) -> Option<&UsagePlan> {
        self.usage_plans.iter().find(|p| p.id.as_str() == id)
    }

    /// Distributions whose origins send this key as a header.
    pub fn distributions_sending(&self, key_id: &str) -> impl Iterator<Item = &Distribution> {
        self.distributions.iter().filter(move |d| {
            d.origins.iter().any(|o| {
                o.key_headers
                    .iter()
                    .any(|h| h.key_id.as_ref().is_some_and(|k| k.as_str() == key_id))
            })
        })
    }

    /// REST and HTTP APIs.
    pub fn all_apis(&self) -> impl Iterator<Item = &RestApi> {
        self.apis.iter().chain(&self.http_apis)
    }

    /// Stages of every REST and HTTP API, with the API they belong to.
    pub fn all_stages(&self) -> impl Iterator<Item = (&RestApi, &Stage)> {
        self.all_apis()
            .flat_map(|a| a.stages.iter().map(move |s| (a, s)))
    }

    /// Stages of every REST API, with the API they belong to.
    pub fn stages(&self) -> impl Iterator<Item = (&RestApi, &Stage)> {
        self.apis
            .iter()
            .flat_map(|a| a.stages.iter().map(move |s| (a, s)))
    }

    /// The distributions whose origins are this stage's execute-api URL: those in front of it.
    /// An origin without a path forwards the viewer's path, so it fronts every stage.
    pub fn fronting<'a>(
        &'a self,
        api: &'a RestApi,
        stage: &'a Stage,
    ) -> impl Iterator<Item = &'a Distribution> {
        let host = format!("{}.execute-api.", api.id);
        self.distributions.iter().filter(move |d| {
            d.origins.iter().any(|o| {
                let path = o.path.as_str().trim_matches('/');
                o.domain.as_str().starts_with(&host)
                    && (path.is_empty() || path.split('/').next() == Some(stage.name.as_str()))
            })
        })
    }

    /// All rules of all web ACLs, with their ACL, in ACL then priority order.
    pub fn rules(&self) -> impl Iterator<Item = (&WebAcl, &Rule)> {
        self.web_acls
            .iter()
            .flat_map(|w| w.rules.iter().map(move |r| (w, r)))
    }
}
