//! Domain types: what an account's security edge looks like, whichever source filled it.
//!
//! The demo and the AWS source both produce a [`Snapshot`]; the UI draws nothing else.
//! Every string from outside is a [`Text`] (sanitised) or a [`Secret`] (never shown raw).

pub mod access;
pub mod alarm;
pub mod attack;
pub mod compare;
pub mod console;
pub mod ip_set;
pub mod logs;
pub mod place;
pub mod places;
pub mod range;
pub mod series;
pub mod text;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use access::Access;
pub use place::{Place, Placed};
pub use places::PlaceInfo;
pub use range::Range;
pub use series::Series;
pub use text::{Secret, Text};

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

/// Requests per second allowed in steady state, and the bucket size for bursts.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Throttle {
    pub rate_limit: f64,
    pub burst_limit: u32,
}

impl Throttle {
    /// A rate limit of 0 refuses every request (429) once the burst, if any, is spent: nothing
    /// refills the bucket. Not the same as no throttle at all.
    pub fn refuses_all(&self) -> bool {
        self.rate_limit <= 0.0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum QuotaPeriod {
    Day,
    Week,
    Month,
}

impl QuotaPeriod {
    pub fn label(self) -> &'static str {
        match self {
            QuotaPeriod::Day => "day",
            QuotaPeriod::Week => "week",
            QuotaPeriod::Month => "month",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Quota {
    pub limit: u64,
    pub period: QuotaPeriod,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RestApi {
    pub id: Text,
    pub name: Text,
    pub stages: Vec<Stage>,
    /// Who may call it, and how; None when it could not be read.
    #[serde(default)]
    pub access: Option<Access>,
    #[serde(default)]
    pub protocol: Protocol,
    /// Where it was read (see [`place`]).
    #[serde(default)]
    pub place: place::Place,
}

/// A REST API (API Gateway v1) or an HTTP API (v2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Protocol {
    #[default]
    Rest,
    Http,
}

/// Per-minute API Gateway metrics of one stage (namespace AWS/ApiGateway, ApiName+Stage).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct StageMetrics {
    pub count: Series,
    pub errors_4xx: Series,
    pub errors_5xx: Series,
    /// Average latency in milliseconds.
    pub latency_ms: Series,
    /// Estimated 429s: API Gateway has no metric for them; they are inside 4XXError.
    pub throttled_est: Series,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Stage {
    pub name: Text,
    /// Stage-wide default method throttle (`*/*`), if set.
    pub throttle: Option<Throttle>,
    /// The account's throttle (GetAccount), which applies when the stage sets none.
    pub account_throttle: Option<Throttle>,
    /// Per-method throttles, e.g. `POST /charges`.
    pub method_throttles: Vec<(Text, Throttle)>,
    pub metrics: StageMetrics,
    /// The web ACL that protects this stage, by name.
    pub web_acl: Option<Text>,
    /// What it logs; None when not known.
    #[serde(default)]
    pub logging: Option<access::Logging>,
    /// 429s counted in its access log; None when no log was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<logs::Refusals>,
}

impl Stage {
    /// 429s a minute: counted in its access log when one was read, else the estimate from
    /// its 4XXError; and whether counted.
    pub fn refused_per_min(&self) -> (f64, bool) {
        match self.refused {
            Some(r) => (r.per_minute(), true),
            None => (self.metrics.throttled_est.last(), false),
        }
    }

    /// The throttle that binds this stage: its own, else the account's; and whether it is the
    /// account's.
    pub fn applied_throttle(&self) -> Option<(Throttle, bool)> {
        match (self.throttle, self.account_throttle) {
            (Some(t), _) => Some((t, false)),
            (None, Some(a)) => Some((a, true)),
            (None, None) => None,
        }
    }

    /// The rate limit that binds this stage.
    pub fn rate_limit(&self) -> Option<f64> {
        self.applied_throttle().map(|(t, _)| t.rate_limit)
    }

    /// Highest observed per-second rate over the window (from per-minute counts).
    pub fn peak_rps(&self) -> f64 {
        self.metrics.count.max() / 60.0
    }

    /// Fraction of the rate limit still unused at the observed peak (1.0 = idle, 0 = at limit;
    /// 0 too where the limit refuses every request).
    pub fn headroom(&self) -> Option<f64> {
        let limit = self.rate_limit()?;
        Some(match limit > 0.0 {
            true => (1.0 - self.peak_rps() / limit).max(0.0),
            false => 0.0,
        })
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UsagePlan {
    pub id: Text,
    pub name: Text,
    pub throttle: Option<Throttle>,
    pub quota: Option<Quota>,
    /// `api-name/stage` pairs the plan applies to.
    pub stages: Vec<Text>,
    pub key_ids: Vec<Text>,
    /// When its usage was last read (a large account's plans are read in rotation); None
    /// when not yet.
    #[serde(default)]
    pub usage_read: Option<DateTime<Utc>>,
    /// 429s its keys got on its stages, counted in access logs; None when no log counts them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<logs::Refusals>,
    /// Where it was read (see [`place`]).
    #[serde(default)]
    pub place: place::Place,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ApiKey {
    pub id: Text,
    pub name: Text,
    /// The value's last characters behind dots, to tell keys apart (the value itself is never
    /// held: the operator's `v` reads it from the source).
    #[serde(skip)]
    pub value_hint: Text,
    pub enabled: bool,
    pub created: DateTime<Utc>,
    pub plan_ids: Vec<Text>,
    /// Requests used today (UTC).
    pub used_today: u64,
    /// Requests used in the current quota period of its plan, and what remains.
    pub used_period: u64,
    pub remaining: Option<u64>,
    /// The limit of the quota `remaining` is of: the share used is read from these two, AWS's
    /// own figures, never from a sum over days that may not be the period's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota_limit: Option<u64>,
    /// Requests per minute refused with 429 for this key, most recent minute. None when the
    /// source cannot tell: AWS publishes no per-key metrics.
    pub throttled_per_min: Option<f64>,
    /// Requests per minute, most recent minute (from usage between polls on AWS).
    pub requests_per_min: Option<f64>,
    /// When the oldest figure in its usage was read; None when none has been.
    #[serde(default)]
    pub usage_read: Option<DateTime<Utc>>,
    /// Its value's fingerprint, where the source read the value (the AWS source), to find the
    /// distributions that send it; never written out.
    #[serde(skip)]
    pub fingerprint: Option<text::Fingerprint>,
    /// 429s counted for it in access logs; None when no log counts it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<logs::Refusals>,
    /// A change of its enabled flag was sent and not yet confirmed by a later read.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pending: bool,
    /// Where it was read (see [`place`]).
    #[serde(default)]
    pub place: place::Place,
}

impl ApiKey {
    /// 429s a minute: the source's own figure (the demo's), else its access logs' over their
    /// window; None when neither knows.
    pub fn refused_per_min(&self) -> Option<f64> {
        self.throttled_per_min
            .or(self.refused.map(|r| r.per_minute()))
    }

    /// Share of the quota used in the current period, if the plan has a quota: what AWS says
    /// remains against the limit.
    pub fn quota_used(&self) -> Option<f64> {
        let remaining = self.remaining?;
        let limit = self.quota_limit.unwrap_or(self.used_period + remaining);
        (limit > 0).then(|| 1.0 - (remaining.min(limit) as f64 / limit as f64))
    }

    /// The quota's limit and what of it is used: AWS's own figures where it has a quota.
    pub fn quota_figures(&self) -> Option<(u64, u64)> {
        let remaining = self.remaining?;
        let limit = self.quota_limit.unwrap_or(self.used_period + remaining);
        Some((limit.saturating_sub(remaining.min(limit)), limit))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Scope {
    Regional,
    Cloudfront,
}

impl Scope {
    pub fn label(self) -> &'static str {
        match self {
            Scope::Regional => "REGIONAL",
            Scope::Cloudfront => "CLOUDFRONT",
        }
    }
}

/// What a rule (or a web ACL's default) does with matching requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    Allow,
    Block,
    Count,
    Captcha,
    Challenge,
    /// A rule group reference with OverrideAction None: the group's own actions apply.
    GroupActions,
}

impl Action {
    pub fn label(self) -> &'static str {
        match self {
            Action::Allow => "ALLOW",
            Action::Block => "BLOCK",
            Action::Count => "COUNT",
            Action::Captcha => "CAPTCHA",
            Action::Challenge => "CHALLENGE",
            Action::GroupActions => "GROUP",
        }
    }
}

/// A rule inside a rule group, and the override the web ACL gives it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InnerRule {
    pub name: Text,
    /// The override's action; [`Action::GroupActions`] when there is none (the group decides).
    pub action: Action,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum RuleKind {
    Geo {
        countries: Vec<Text>,
    },
    RateBased {
        limit: u64,
        window_secs: u32,
        aggregate: Text,
        scope_down: Option<Text>,
    },
    IpSet {
        name: Text,
        addresses: u32,
        /// The set's ARN, to find it among the snapshot's [`ip_set::IpSet`]s.
        #[serde(default)]
        arn: Text,
    },
    ManagedGroup {
        vendor: Text,
        name: Text,
        inner_rules: Vec<InnerRule>,
    },
    Custom {
        summary: Text,
    },
}

impl RuleKind {
    /// The country codes of a geo-match rule, joined by `sep`; empty for other kinds.
    pub fn countries(&self, sep: &str) -> String {
        match self {
            RuleKind::Geo { countries } => countries
                .iter()
                .map(Text::as_str)
                .collect::<Vec<_>>()
                .join(sep),
            _ => String::new(),
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            RuleKind::Geo { .. } => "geo",
            RuleKind::RateBased { .. } => "rate-based",
            RuleKind::IpSet { .. } => "ip-set",
            RuleKind::ManagedGroup { .. } => "managed",
            RuleKind::Custom { .. } => "custom",
        }
    }
}

/// Per-minute WAF metrics (namespace AWS/WAFV2).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct WafMetrics {
    pub allowed: Series,
    pub blocked: Series,
    pub counted: Series,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Rule {
    pub name: Text,
    pub priority: u32,
    pub kind: RuleKind,
    pub action: Action,
    pub metric_name: Text,
    pub metrics: WafMetrics,
    /// A change was sent and not yet confirmed by a later read.
    pub pending: bool,
    /// What its action does beyond its kind: a Block's custom response, the headers an
    /// Allow or Count inserts. A toggle cannot carry these across (see `ops::kept`).
    pub custom: Option<Text>,
    /// What an earlier toggle on this machine kept of the action the rule would be toggled
    /// to, and will put back.
    pub kept: Option<Text>,
}

/// WAF metrics for one country (the Country dimension), for one web ACL.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CountryTraffic {
    /// ISO 3166-1 alpha-2 code.
    pub country: Text,
    pub metrics: WafMetrics,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WebAcl {
    pub id: Text,
    pub name: Text,
    pub scope: Scope,
    pub default_action: Action,
    /// What it protects: `api/stage` names or CloudFront distribution ids.
    pub protects: Vec<Text>,
    /// In priority order.
    pub rules: Vec<Rule>,
    /// Whole-ACL totals (Rule=ALL).
    pub metrics: WafMetrics,
    pub countries: Vec<CountryTraffic>,
    /// Where it was read (see [`place`]).
    #[serde(default)]
    pub place: place::Place,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Header {
    pub name: Text,
    /// Already redacted when the header carries a secret.
    pub value: Text,
}

impl Header {
    /// A header as it is shown: its name and value made safe ([`text::header`]).
    pub fn new(name: &str, value: &str) -> Header {
        let (name, value) = text::header(name, value);
        Header { name, value }
    }
}

/// One sampled request (WAFv2 GetSampledRequests). Every field is treated as hostile.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Sample {
    pub time: DateTime<Utc>,
    pub web_acl: Text,
    pub rule: Text,
    pub action: Action,
    pub client_ip: Text,
    pub country: Text,
    pub method: Text,
    pub uri: Text,
    pub headers: Vec<Header>,
    pub labels: Vec<Text>,
    /// How many requests this sample stands for.
    pub weight: u64,
    pub response_code: Option<u16>,
    /// Where it was read (see [`place`]).
    #[serde(default)]
    pub place: place::Place,
}

/// A client address a rate-based rule holds right now.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RateLimitedIp {
    pub web_acl: Text,
    pub rule: Text,
    pub address: Text,
    /// Where it was read (see [`place`]).
    #[serde(default)]
    pub place: place::Place,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DistributionStatus {
    Deployed,
    InProgress,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Distribution {
    pub id: Text,
    pub domain: Text,
    pub status: DistributionStatus,
    pub web_acl: Option<Text>,
    pub origins: Vec<Origin>,
    /// CloudFront's own geo restriction (Restrictions.GeoRestriction); None when it has none.
    #[serde(default)]
    pub geo_restriction: Option<GeoRestriction>,
    /// Where it was read (see [`place`]).
    #[serde(default)]
    pub place: place::Place,
}

/// Which countries a distribution serves, by CloudFront's own list: it answers a viewer from
/// a country it does not serve with 403, before the request reaches the origin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeoRestriction {
    pub list: GeoList,
    /// ISO 3166-1 alpha-2 codes, as CloudFront gives them.
    pub countries: Vec<Text>,
}

/// An allow list ("whitelist" in CloudFront's API) serves only its countries; a deny list
/// ("blacklist") serves every country but its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GeoList {
    Allow,
    Deny,
}

impl GeoList {
    pub fn label(self) -> &'static str {
        match self {
            GeoList::Allow => "allow list",
            GeoList::Deny => "deny list",
        }
    }
}

impl GeoRestriction {
    /// Whether a viewer in `country` is refused.
    pub fn refuses(&self, country: &str) -> bool {
        let listed = self.countries.iter().any(|c| c.as_str() == country);
        match self.list {
            GeoList::Allow => !listed,
            GeoList::Deny => listed,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Origin {
    pub domain: Text,
    /// The path CloudFront puts before every request's (OriginPath): `/prod` for a stage.
    #[serde(default)]
    pub path: Text,
    /// The custom headers that carry an API key: every header whose value is the value of one
    /// of the account's keys, whatever its name, and every header with a configured key
    /// header name (`--key-header`), whose key may be unknown.
    pub key_headers: Vec<OriginKey>,
    /// Its other custom headers, by fingerprint: a key of another region of the account may be
    /// among them ([`places::merge`] looks). Never written out.
    #[serde(skip)]
    pub other_headers: Vec<(Text, text::Fingerprint)>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OriginKey {
    pub header: Text,
    /// The API key whose value the header sends, when it matches a known key.
    pub key_id: Option<Text>,
    /// Its value's fingerprint, to match it with the keys of the account's other regions
    /// ([`places::merge`]); never written out.
    #[serde(skip)]
    pub fingerprint: Option<text::Fingerprint>,
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
