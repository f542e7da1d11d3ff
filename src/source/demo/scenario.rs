//! The simulated account: APIs and stages, usage plans, API keys, the clients whose traffic the
//! keys carry, web ACLs and their rules, CloudFront distributions. It is data, in
//! `account.toml` beside this file, built into the binary and read once; ids, key values and a
//! few addresses come from the seed.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::noise::{ALNUM, LOWER_ALNUM, hash, tag, token};
use super::traffic::Profile;
use crate::model::{Action, Quota, RuleKind, Scope, Throttle};

#[derive(Debug)]
pub struct ApiDef {
    pub id: String,
    pub name: &'static str,
    pub access: crate::model::Access,
}

#[derive(Debug)]
pub struct StageDef {
    pub api: usize,
    pub name: &'static str,
    pub throttle: Throttle,
    pub method_throttles: Vec<(&'static str, Throttle)>,
    /// Typical average latency.
    pub latency_ms: f64,
    pub logging: crate::model::access::Logging,
    /// Has the recurring 5xx blip (catalog-api prod).
    pub blip: bool,
}

#[derive(Debug)]
pub struct PlanDef {
    pub id: String,
    pub name: &'static str,
    pub throttle: Throttle,
    pub quota: Option<Quota>,
    pub stages: Vec<usize>,
}

#[derive(Clone, Debug)]
pub struct KeyDef {
    pub id: String,
    pub name: String,
    pub value: String,
    pub created: DateTime<Utc>,
    pub plans: Vec<usize>,
    /// The client whose traffic this key carries (None: an unused key).
    pub client: Option<usize>,
    /// When it started carrying that traffic: None for keys of the initial account.
    pub since: Option<DateTime<Utc>>,
    /// Disabled from the start (an old key kept around).
    pub retired: bool,
}

/// What kind of traffic a client sends; rules match on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    Normal,
    Stuffing,
    Scraper,
    BadBot,
    Blocklisted,
    Probe,
    Embargo,
    BadReputation,
    BadInput,
    Flood,
}

/// Where a client's requests come from.
#[derive(Clone, Copy, Debug)]
pub enum Mix {
    /// The ordinary global split of [`super::origin_countries`].
    Global,
    /// A fixed split between a few countries.
    Fixed(&'static [(String, f64)]),
}

#[derive(Debug)]
pub struct ClientDef {
    pub name: &'static str,
    pub class: Class,
    pub stage: usize,
    /// The CloudFront distribution it comes through, if any.
    pub via: Option<usize>,
    pub profile: Profile,
    pub mix: Mix,
    /// A single client address (rate-based rules count per address).
    pub ip: Option<String>,
    /// Share of the monthly quota used by a job at the start of each month.
    pub month_start_share: f64,
}

/// What requests a rule matches.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    Geo(&'static [String]),
    Class(Class),
    /// A rate-based rule: addresses of this class over `limit` requests per `window` minutes.
    RateOver {
        class: Class,
        limit: f64,
        window: i64,
    },
}

#[derive(Debug)]
pub struct RuleDef {
    pub name: &'static str,
    pub kind: RuleKind,
    pub action: Action,
    pub target: Target,
    /// Labels a matching request gets (managed groups).
    pub labels: &'static [String],
}

impl RuleDef {
    pub fn is_group(&self) -> bool {
        matches!(self.kind, RuleKind::ManagedGroup { .. })
    }
}

#[derive(Debug)]
pub struct AclDef {
    pub id: String,
    pub name: &'static str,
    pub scope: Scope,
    pub protects: Vec<&'static str>,
    pub rules: Vec<RuleDef>,
}

#[derive(Debug)]
pub struct DistDef {
    pub id: &'static str,
    pub domain: &'static str,
    pub stage: usize,
    pub acl: usize,
    /// The client whose API key the origin sends as `x-api-key`.
    pub key_client: Option<usize>,
    pub geo_restriction: Option<crate::model::GeoRestriction>,
}

/// Which simulated account and region this is. The demo is one place, or several when
/// `--profile` and `--region` name more than one; only the first has incidents.
#[derive(Clone, Debug)]
pub struct DemoPlace {
    pub account_id: String,
    pub alias: String,
    pub region: String,
    pub profile: String,
    /// No incidents: the incident clients stay at their everyday rate, or away.
    pub calm: bool,
    /// Shows what is global to the account (CloudFront, CLOUDFRONT web ACLs): one region of
    /// each account does.
    pub global: bool,
}

impl Default for DemoPlace {
    fn default() -> DemoPlace {
        DemoPlace {
            account_id: "123456789012".into(),
            alias: "acme-prod (demo)".into(),
            region: "eu-west-1".into(),
            profile: "demo".into(),
            calm: false,
            global: true,
        }
    }
}

#[derive(Debug)]
pub struct Scenario {
    pub seed: u64,
    pub place: DemoPlace,
    pub apis: Vec<ApiDef>,
    pub stages: Vec<StageDef>,
    pub plans: Vec<PlanDef>,
    pub keys: Vec<KeyDef>,
    pub clients: Vec<ClientDef>,
    pub acls: Vec<AclDef>,
    pub dists: Vec<DistDef>,
    pub domains: Vec<crate::model::access::CustomDomain>,
    pub http_apis: Vec<crate::model::RestApi>,
    pub shield: crate::model::access::Shield,
}

/// The first web ACL of the account is the regional one (checked when it is read).
pub const REGIONAL: usize = 0;

/// A 10-character API Gateway style id (lowercase alphanumerics).
pub fn resource_id(seed: u64, what: &str) -> String {
    token(&[seed, tag(what)], 10, LOWER_ALNUM)
}

/// A 40-character API key value.
pub fn key_value(seed: u64, what: &str) -> String {
    token(&[seed, tag(what), 0x4b], 40, ALNUM)
}

pub(super) fn uuid(seed: u64, what: &str) -> String {
    let h = format!(
        "{:016x}{:016x}",
        hash(&[seed, tag(what)]),
        hash(&[seed, tag(what), 1])
    );
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

impl Scenario {
    /// `api-name/stage`, as usage plans and web ACLs name a stage.
    pub fn stage_path(&self, stage: usize) -> String {
        let s = &self.stages[stage];
        format!("{}/{}", self.apis[s.api].name, s.name)
    }

    pub fn origin_domain(&self, stage: usize) -> String {
        format!(
            "{}.execute-api.{}.amazonaws.com",
            self.apis[self.stages[stage].api].id, self.place.region
        )
    }
}

pub(super) fn stuffer_ip(seed: u64, i: usize) -> String {
    let h = hash(&[seed, 0x58, i as u64]);
    let octet = 2 + h % 250;
    match i {
        0 | 3 => format!("203.0.113.{octet}"),
        1 | 4 => format!("198.51.100.{octet}"),
        2 => format!("192.0.2.{octet}"),
        _ => format!(
            "2001:db8:{:x}:{:x}::{:x}",
            (h >> 8) & 0xffff,
            (h >> 24) & 0xffff,
            1 + (h >> 40) % 0xfff
        ),
    }
}

/// How many distinct addresses a client's samples come from.
pub fn address_pool(class: Class) -> u64 {
    match class {
        Class::Normal | Class::Embargo => 400,
        Class::Scraper => 14,
        Class::Blocklisted | Class::BadReputation => 8,
        _ => 4,
    }
}
