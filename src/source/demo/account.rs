//! Reading `account.toml`, the simulated account as data, into a [`Scenario`]: names become
//! indexes, and ids, key values and the incident addresses come from the seed. The file is
//! built into the binary and read once; a mistake in it fails the demo's tests with the line.
//!
//! Long because the file's shape is spelt out here, one serde type per table.

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

const TEXT: &str = include_str!("account.toml");

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
            policy: self.policy.as_deref().map(crate::policy::read),
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

/// The index of the entry named `name`; the file is ours, so a wrong name is a bug to fix there.
fn index_of(what: &str, name: &str, names: impl Iterator<Item = String>) -> usize {
    names
        .enumerate()
        .find(|(_, n)| n == name)
        .map(|(i, _)| i)
        .unwrap_or_else(|| panic!("account.toml: no {what} named {name:?}"))
}

impl AccountFile {
    /// The account for `seed`.
    pub fn scenario(&'static self, seed: u64) -> Scenario {
        let mut sc = Scenario {
            seed,
            place: DemoPlace::default(),
            apis: self
                .apis
                .iter()
                .map(|a| ApiDef {
                    id: resource_id(seed, &a.name),
                    name: &a.name,
                    access: a.access(),
                })
                .collect(),
            stages: self.stages(),
            plans: Vec::new(),
            keys: Vec::new(),
            clients: Vec::new(),
            acls: self.acls(seed),
            dists: Vec::new(),
            domains: Vec::new(),
            http_apis: Vec::new(),
            shield: Shield::NotSubscribed,
        };
        sc.plans = self.plans(seed);
        sc.clients = self.clients(seed);
        sc.dists = self.dists(&sc);
        sc.domains = self.domains(&sc);
        sc.http_apis = self.http_apis.iter().map(|a| a.api(seed)).collect();
        sc.shield = match self.shield.subscribed {
            false => Shield::NotSubscribed,
            true => Shield::Subscribed {
                protected: self
                    .shield
                    .protects
                    .iter()
                    .map(|d| {
                        Text::new(&format!(
                            "arn:aws:cloudfront::{}:distribution/{d}",
                            DemoPlace::default().account_id
                        ))
                    })
                    .collect(),
            },
        };
        sc.keys = self.keys(seed, &sc);
        assert!(
            matches!(sc.acls.get(REGIONAL), Some(a) if a.scope == Scope::Regional),
            "account.toml: the first web ACL must be the regional one"
        );
        sc
    }

    fn stage(&self, path: &str) -> usize {
        index_of(
            "stage",
            path,
            self.stages.iter().map(|s| format!("{}/{}", s.api, s.name)),
        )
    }

    fn stages(&'static self) -> Vec<StageDef> {
        self.stages
            .iter()
            .map(|s| StageDef {
                api: index_of("API", &s.api, self.apis.iter().map(|a| a.name.clone())),
                name: &s.name,
                throttle: s.throttle.throttle(),
                method_throttles: s
                    .method_throttles
                    .iter()
                    .map(|m| {
                        let t = Throttle {
                            rate_limit: m.rate,
                            burst_limit: m.burst,
                        };
                        (m.method.as_str(), t)
                    })
                    .collect(),
                latency_ms: s.latency_ms,
                logging: Logging::new(
                    s.access_log.as_deref(),
                    s.access_log_format.as_deref(),
                    &s.execution_log,
                ),
                blip: s.blip,
            })
            .collect()
    }

    fn plans(&'static self, seed: u64) -> Vec<PlanDef> {
        self.plans
            .iter()
            .map(|p| PlanDef {
                id: token(&[seed, tag(&p.name)], 6, LOWER_ALNUM),
                name: &p.name,
                throttle: p.throttle.throttle(),
                quota: p.quota.as_ref().map(|q| Quota {
                    limit: q.limit,
                    period: match q.period {
                        PeriodEntry::Day => QuotaPeriod::Day,
                        PeriodEntry::Week => QuotaPeriod::Week,
                        PeriodEntry::Month => QuotaPeriod::Month,
                    },
                }),
                stages: p.stages.iter().map(|s| self.stage(s)).collect(),
            })
            .collect()
    }

    fn clients(&'static self, seed: u64) -> Vec<ClientDef> {
        let dist = |id: &str| {
            index_of(
                "distribution",
                id,
                self.distributions.iter().map(|d| d.id.clone()),
            )
        };
        let mut all: Vec<ClientDef> = self
            .clients
            .iter()
            .map(|c| ClientDef {
                name: &c.name,
                class: c.class,
                stage: self.stage(&c.stage),
                via: c.via.as_deref().map(dist),
                profile: c.profile,
                mix: match &c.mix {
                    MixEntry::Named(n) if n == "global" => Mix::Global,
                    MixEntry::Named(n) => panic!("account.toml: mix {n:?}: \"global\" or a list"),
                    MixEntry::Fixed(list) => Mix::Fixed(list),
                },
                ip: None,
                month_start_share: c.month_start_share,
            })
            .collect();
        // Incident 2's flood comes from one address, which rate-based rules count.
        if let Some(flood) = all.iter_mut().find(|c| c.class == Class::Flood) {
            flood.ip = Some(format!(
                "103.{}.{}.{}",
                20 + seed % 200,
                (seed >> 8) % 256,
                10 + (seed >> 16) % 200
            ));
        }
        all.extend(self.stuffers.iter().enumerate().map(|(i, s)| {
            let rpm = 60.0 + 20.0 * unit(&[seed, 0x57, i as u64]);
            ClientDef {
                name: &s.name,
                class: Class::Stuffing,
                stage: self.stage(&s.stage),
                via: None,
                profile: Profile::Stuffing { rpm },
                mix: Mix::Fixed(&s.mix),
                ip: Some(stuffer_ip(seed, i)),
                month_start_share: 0.0,
            }
        }));
        all
    }

    fn keys(&self, seed: u64, sc: &Scenario) -> Vec<KeyDef> {
        self.keys
            .iter()
            .map(|k| {
                let age_days = 20 + (hash(&[seed, tag(&k.name), 0xda]) % 600) as i64;
                let plan = index_of("plan", &k.plan, sc.plans.iter().map(|p| p.name.to_string()));
                KeyDef {
                    id: resource_id(seed, &k.name),
                    name: k.name.clone(),
                    value: key_value(seed, &k.name),
                    created: DEMO_START
                        - Duration::days(age_days)
                        - Duration::minutes(age_days * 37 % 1440),
                    plans: vec![plan],
                    client: k.client.as_deref().map(|c| {
                        index_of("client", c, sc.clients.iter().map(|x| x.name.to_string()))
                    }),
                    since: None,
                    retired: k.client.is_none(),
                }
            })
            .collect()
    }

    fn acls(&'static self, seed: u64) -> Vec<AclDef> {
        self.acls
            .iter()
            .map(|a| AclDef {
                id: uuid(seed, &a.name),
                name: &a.name,
                scope: match a.scope {
                    ScopeEntry::Regional => Scope::Regional,
                    ScopeEntry::Cloudfront => Scope::Cloudfront,
                },
                protects: a.protects.iter().map(String::as_str).collect(),
                rules: a.rules.iter().map(rule).collect(),
            })
            .collect()
    }

    fn domains(&self, sc: &Scenario) -> Vec<CustomDomain> {
        self.domains
            .iter()
            .map(|d| CustomDomain {
                place: Default::default(),
                name: Text::new(&d.name),
                endpoint: Endpoint::Regional,
                mtls_truststore: d.mtls.as_deref().map(Text::new),
                security_policy: Text::new(&d.security_policy),
                mappings: d
                    .mappings
                    .iter()
                    .map(|m| {
                        let st = &sc.stages[self.stage(&m.stage)];
                        BasePath {
                            base_path: Text::new(&m.base_path),
                            api_id: Text::new(&sc.apis[st.api].id),
                            stage: Some(Text::new(st.name)),
                        }
                    })
                    .collect(),
            })
            .collect()
    }

    fn dists(&'static self, sc: &Scenario) -> Vec<DistDef> {
        self.distributions
            .iter()
            .map(|d| DistDef {
                id: &d.id,
                domain: &d.domain,
                stage: self.stage(&d.stage),
                acl: index_of("web ACL", &d.acl, self.acls.iter().map(|a| a.name.clone())),
                key_client: d
                    .key_client
                    .as_deref()
                    .and_then(|c| sc.clients.iter().position(|x| x.name == c)),
                geo_restriction: d.geo.as_ref().map(GeoEntry::restriction),
            })
            .collect()
    }
}

fn rule(r: &'static RuleEntry) -> RuleDef {
    let texts = |l: &[String]| l.iter().map(|c| Text::new(c)).collect::<Vec<_>>();
    RuleDef {
        name: &r.name,
        kind: match &r.kind {
            KindEntry::Geo(countries) => RuleKind::Geo {
                countries: texts(countries),
            },
            KindEntry::RateBased { limit, scope_down } => RuleKind::RateBased {
                limit: *limit,
                window_secs: 300,
                aggregate: Text::new("IP"),
                scope_down: scope_down.as_deref().map(Text::new),
            },
            KindEntry::IpSet { name, addresses } => RuleKind::IpSet {
                name: Text::new(name),
                addresses: *addresses,
                // Made from the seed and the place (see `ip_sets`).
                arn: Text::default(),
            },
            KindEntry::Managed { name, inner } => RuleKind::ManagedGroup {
                vendor: Text::new("AWS"),
                name: Text::new(name),
                inner_rules: inner
                    .iter()
                    .map(|r| InnerRule {
                        name: Text::new(r),
                        action: Action::GroupActions,
                    })
                    .collect(),
            },
            KindEntry::Custom(summary) => RuleKind::Custom {
                summary: Text::new(summary),
            },
        },
        action: match r.action {
            ActionEntry::Block => Action::Block,
            ActionEntry::Count => Action::Count,
            ActionEntry::Group => Action::GroupActions,
        },
        target: match &r.target {
            TargetEntry::Geo(codes) => Target::Geo(codes),
            TargetEntry::Class(c) => Target::Class(*c),
            TargetEntry::RateOver {
                class,
                limit,
                window,
            } => Target::RateOver {
                class: *class,
                limit: *limit,
                window: *window,
            },
        },
        labels: &r.labels,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_account_file_reads_and_every_name_in_it_resolves() {
        let sc = account().scenario(11);
        assert_eq!(sc.apis.len(), account().apis.len());
        assert_eq!(sc.keys.len(), account().keys.len());
        assert!(sc.keys.iter().any(|k| k.retired));
        assert!(
            sc.clients
                .iter()
                .any(|c| c.class == Class::Flood && c.ip.is_some())
        );
        let e = toml::from_str::<AccountFile>(&TEXT.replacen(
            "class = \"normal\"",
            "class = \"nice\"",
            1,
        ))
        .err()
        .expect("an unknown class is refused");
        assert!(e.to_string().contains("line"), "{e}");
    }
}
