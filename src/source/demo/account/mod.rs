//! Reading `account.toml`, the simulated account as data, into a [`Scenario`]: names become
//! indexes, and ids, key values and the incident addresses come from the seed. The file is
//! built into the binary and read once; a mistake in it fails the demo's tests with the line.
//!
//! The file's shape is spelt out here, one serde type per table; [`build`] turns it into the
//! scenario.

mod build;

use std::sync::OnceLock;

use chrono::Duration;
use serde::Deserialize;

use super::DEMO_START;
use super::noise::{LOWER_ALNUM, hash, tag, token, unit};
use super::scenario::*;
use super::traffic::Profile;
use crate::model::access::{
    Access, Authorization, BasePath, CustomDomain, Endpoint, KeySource, Logging, Method, Shield,
};
use crate::model::{Action, InnerRule, Quota, QuotaPeriod, RuleKind, Scope, Text, Throttle};

const TEXT: &str = include_str!("../account.toml");

impl Scenario {
    /// The simulated account for `seed`.
    pub fn new(seed: u64) -> Scenario {
        account().scenario(seed)
    }

    /// The simulated account for `seed`, as `place`: calm places have no incidents.
    pub fn at(seed: u64, place: DemoPlace) -> Scenario {
        let mut sc = account().scenario(seed);
        if place.calm {
            for c in &mut sc.clients {
                c.profile = match c.profile {
                    Profile::Stuffing { .. } | Profile::Scraper { .. } => {
                        Profile::Flat { rpm: 0.0 }
                    }
                    Profile::Surge { peak, floor, .. } => Profile::Daily { peak, floor },
                    p => p,
                };
            }
            for s in &mut sc.stages {
                s.blip = false;
            }
        }
        sc.place = place;
        sc
    }
}

/// The account file, read once.
pub fn account() -> &'static AccountFile {
    static FILE: OnceLock<AccountFile> = OnceLock::new();
    FILE.get_or_init(|| match toml::from_str(TEXT) {
        Ok(f) => f,
        Err(e) => panic!("src/source/demo/account.toml: {e}"),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountFile {
    apis: Vec<ApiEntry>,
    stages: Vec<StageEntry>,
    plans: Vec<PlanEntry>,
    clients: Vec<ClientEntry>,
    stuffers: Vec<StufferEntry>,
    keys: Vec<KeyEntry>,
    acls: Vec<AclEntry>,
    distributions: Vec<DistEntry>,
    #[serde(default)]
    domains: Vec<DomainEntry>,
    #[serde(default)]
    http_apis: Vec<HttpApiEntry>,
    shield: ShieldEntry,
}

/// The access log format of the demo's HTTP API: JSON, with what counting 429s per key needs
/// but the key (HTTP APIs have none).
const HTTP_FORMAT: &str = r#"{"requestId":"$context.requestId","status":"$context.status","error":"$context.error.responseType","route":"$context.routeKey"}"#;

/// An HTTP API (API Gateway v2): shown on the Access screen only, with no traffic of its own.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HttpApiEntry {
    name: String,
    #[serde(default)]
    execute_api_disabled: bool,
    /// CORS AllowOrigins.
    #[serde(default)]
    cors: Vec<String>,
    routes: Vec<MethodEntry>,
    stages: Vec<HttpStageEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HttpStageEntry {
    name: String,
    throttle: Option<ThrottleEntry>,
    access_log: Option<String>,
}

impl HttpApiEntry {
    fn api(&self, seed: u64) -> crate::model::RestApi {
        let cors = (!self.cors.is_empty()).then(|| self.cors.join(","));
        crate::model::RestApi {
            place: Default::default(),
            id: Text::new(&resource_id(seed, &self.name)),
            name: Text::new(&self.name),
            stages: self
                .stages
                .iter()
                .map(|s| crate::model::Stage {
                    refused: None,
                    name: Text::new(&s.name),
                    throttle: s.throttle.as_ref().map(ThrottleEntry::throttle),
                    account_throttle: None,
                    method_throttles: Vec::new(),
                    metrics: Default::default(),
                    web_acl: None,
                    logging: Some(Logging::new(
                        s.access_log.as_deref(),
                        s.access_log.as_ref().map(|_| HTTP_FORMAT),
                        "OFF",
                    )),
                })
                .collect(),
            access: Some(Access {
                methods_unread: None,
                endpoint: Endpoint::Regional,
                vpc_endpoints: Vec::new(),
                execute_api_disabled: self.execute_api_disabled,
                key_source: KeySource::Header,
                policy: None,
                methods: self
                    .routes
                    .iter()
                    .map(|r| Method {
                        cors_origin: cors.as_deref().map(Text::new),
                        ..r.method()
                    })
                    .collect(),
            }),
            protocol: crate::model::Protocol::Http,
        }
    }
}

/// A custom domain name: its mutual TLS truststore, TLS policy and base path mappings.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DomainEntry {
    name: String,
    mtls: Option<String>,
    security_policy: String,
    mappings: Vec<MappingEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingEntry {
    base_path: String,
    /// "api/stage"
    stage: String,
}

/// Shield Advanced: the distributions it protects (a subscription), or none (`subscribed =
/// false`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShieldEntry {
    subscribed: bool,
    #[serde(default)]
    protects: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApiEntry {
    name: String,
    #[serde(default)]
    endpoint: EndpointEntry,
    /// A private API's VPC endpoints.
    #[serde(default)]
    vpc_endpoints: Vec<String>,
    #[serde(default)]
    execute_api_disabled: bool,
    /// Its resource policy, as JSON: read by the same parser as an account's.
    policy: Option<String>,
    #[serde(default)]
    methods: Vec<MethodEntry>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "lowercase")]
enum EndpointEntry {
    Edge,
    #[default]
    Regional,
    Private,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MethodEntry {
    /// "GET /items"
    method: String,
    /// "none", "iam", "cognito:POOL", "token:NAME" or "request:NAME" (Lambda authorizers).
    auth: String,
    #[serde(default)]
    key: bool,
    /// The Access-Control-Allow-Origin its integration answers with.
    cors: Option<String>,
}

impl ApiEntry {
    fn access(&self) -> Access {
        Access {
            methods_unread: None,
            endpoint: match self.endpoint {
                EndpointEntry::Edge => Endpoint::Edge,
                EndpointEntry::Regional => Endpoint::Regional,
                EndpointEntry::Private => Endpoint::Private,
            },
            vpc_endpoints: self.vpc_endpoints.iter().map(|v| Text::new(v)).collect(),
            execute_api_disabled: self.execute_api_disabled,
            key_source: KeySource::Header,
            policy: self.policy.as_deref().map(crate::source::policy::read),
            methods: self.methods.iter().map(MethodEntry::method).collect(),
        }
    }
}

impl MethodEntry {
    fn method(&self) -> Method {
        let (verb, path) = self.method.split_once(' ').unwrap_or_else(|| {
            panic!(
                "account.toml: method {:?} is not \"VERB /path\"",
                self.method
            )
        });
        let (kind, name) = self.auth.split_once(':').unwrap_or((&self.auth, ""));
        let (name, issuer) = name.split_once('@').unwrap_or((name, ""));
        let name = Text::new(name);
        Method {
            method: Text::new(verb),
            path: Text::new(path),
            authorization: match kind {
                "none" => Authorization::None,
                "iam" => Authorization::Iam,
                "cognito" => Authorization::Cognito(name),
                "token" => Authorization::Lambda {
                    name,
                    request: false,
                },
                "request" => Authorization::Lambda {
                    name,
                    request: true,
                },
                "jwt" => Authorization::Jwt {
                    name,
                    issuer: Text::new(issuer),
                },
                other => panic!("account.toml: no authorization {other:?}"),
            },
            api_key_required: self.key,
            cors_origin: self.cors.as_deref().map(Text::new),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThrottleEntry {
    rate: f64,
    burst: u32,
}

impl ThrottleEntry {
    fn throttle(&self) -> Throttle {
        Throttle {
            rate_limit: self.rate,
            burst_limit: self.burst,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MethodThrottle {
    method: String,
    rate: f64,
    burst: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StageEntry {
    api: String,
    name: String,
    throttle: ThrottleEntry,
    latency_ms: f64,
    #[serde(default)]
    method_throttles: Vec<MethodThrottle>,
    #[serde(default)]
    blip: bool,
    /// Where its access log goes (a log group ARN); none when off.
    access_log: Option<String>,
    /// Its format, as API Gateway takes it.
    access_log_format: Option<String>,
    /// Execution logging: "OFF", "ERROR" or "INFO".
    execution_log: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum PeriodEntry {
    Day,
    Week,
    Month,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuotaEntry {
    limit: u64,
    period: PeriodEntry,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanEntry {
    name: String,
    throttle: ThrottleEntry,
    quota: Option<QuotaEntry>,
    stages: Vec<String>,
}

/// "global", or a list of `[country, share]`.
#[derive(Deserialize)]
#[serde(untagged)]
enum MixEntry {
    Named(String),
    Fixed(Vec<(String, f64)>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientEntry {
    name: String,
    class: Class,
    stage: String,
    via: Option<String>,
    profile: Profile,
    mix: MixEntry,
    #[serde(default)]
    month_start_share: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StufferEntry {
    name: String,
    stage: String,
    mix: Vec<(String, f64)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyEntry {
    name: String,
    plan: String,
    /// The client whose traffic it carries; none for a retired key.
    client: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum KindEntry {
    Geo(Vec<String>),
    RateBased {
        limit: u64,
        scope_down: Option<String>,
    },
    IpSet {
        name: String,
        addresses: u32,
    },
    Managed {
        name: String,
        inner: Vec<String>,
    },
    Custom(String),
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum TargetEntry {
    Geo(Vec<String>),
    Class(Class),
    RateOver {
        class: Class,
        limit: f64,
        window: i64,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum ActionEntry {
    Block,
    Count,
    /// A rule group's reference with no override: the group decides.
    Group,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleEntry {
    name: String,
    kind: KindEntry,
    action: ActionEntry,
    target: TargetEntry,
    #[serde(default)]
    labels: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum ScopeEntry {
    Regional,
    Cloudfront,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AclEntry {
    name: String,
    scope: ScopeEntry,
    protects: Vec<String>,
    rules: Vec<RuleEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DistEntry {
    id: String,
    domain: String,
    stage: String,
    acl: String,
    /// The client whose API key its origin sends as `x-api-key`.
    key_client: Option<String>,
    /// CloudFront's geo restriction: `{ deny = [...] }` or `{ allow = [...] }`.
    geo: Option<GeoEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
enum GeoEntry {
    Allow(Vec<String>),
    Deny(Vec<String>),
}

impl GeoEntry {
    fn restriction(&self) -> crate::model::GeoRestriction {
        use crate::model::GeoList;
        let (list, countries) = match self {
            GeoEntry::Allow(c) => (GeoList::Allow, c),
            GeoEntry::Deny(c) => (GeoList::Deny, c),
        };
        crate::model::GeoRestriction {
            list,
            countries: countries.iter().map(|c| Text::new(c)).collect(),
        }
    }
}
