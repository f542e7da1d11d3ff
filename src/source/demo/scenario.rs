//! The static account: APIs and stages, usage plans, API keys, the clients whose traffic the
//! keys carry, web ACLs and their rules, CloudFront distributions. Ids and key values come
//! from the seed; everything else is fixed.

use chrono::{DateTime, Duration, Utc};

use super::DEMO_START;
use super::noise::{ALNUM, LOWER_ALNUM, hash, tag, token, unit};
use super::traffic::Profile;
use crate::model::{Action, InnerRule, Quota, QuotaPeriod, RuleKind, Scope, Text, Throttle};

pub struct ApiDef {
    pub id: String,
    pub name: &'static str,
}

pub struct StageDef {
    pub api: usize,
    pub name: &'static str,
    pub throttle: Throttle,
    pub method_throttles: Vec<(&'static str, Throttle)>,
    /// Typical average latency.
    pub latency_ms: f64,
    /// Has the recurring 5xx blip (catalog-api prod).
    pub blip: bool,
}

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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
    Fixed(&'static [(&'static str, f64)]),
}

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
    Geo(&'static [&'static str]),
    Class(Class),
    /// A rate-based rule: addresses of this class over `limit` requests per `window` minutes.
    RateOver {
        class: Class,
        limit: f64,
        window: i64,
    },
}

pub struct RuleDef {
    pub name: &'static str,
    pub kind: RuleKind,
    pub action: Action,
    pub target: Target,
    /// Labels a matching request gets (managed groups).
    pub labels: &'static [&'static str],
}

impl RuleDef {
    pub fn is_group(&self) -> bool {
        matches!(self.kind, RuleKind::ManagedGroup { .. })
    }
}

pub struct AclDef {
    pub id: String,
    pub name: &'static str,
    pub scope: Scope,
    pub protects: Vec<&'static str>,
    pub rules: Vec<RuleDef>,
}

pub struct DistDef {
    pub id: &'static str,
    pub domain: &'static str,
    pub stage: usize,
    pub acl: usize,
    /// The client whose API key the origin sends as `x-api-key`.
    pub key_client: Option<usize>,
}

pub struct Scenario {
    pub seed: u64,
    pub apis: Vec<ApiDef>,
    pub stages: Vec<StageDef>,
    pub plans: Vec<PlanDef>,
    pub keys: Vec<KeyDef>,
    pub clients: Vec<ClientDef>,
    pub acls: Vec<AclDef>,
    pub dists: Vec<DistDef>,
}

pub const REGIONAL: usize = 0;
pub const CLOUDFRONT: usize = 1;

fn throttle(rate_limit: f64, burst_limit: u32) -> Throttle {
    Throttle {
        rate_limit,
        burst_limit,
    }
}

/// A 10-character API Gateway style id (lowercase alphanumerics).
pub fn resource_id(seed: u64, what: &str) -> String {
    token(&[seed, tag(what)], 10, LOWER_ALNUM)
}

/// A 40-character API key value.
pub fn key_value(seed: u64, what: &str) -> String {
    token(&[seed, tag(what), 0x4b], 40, ALNUM)
}

fn uuid(seed: u64, what: &str) -> String {
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
    pub fn new(seed: u64) -> Self {
        let mut sc = Scenario {
            seed,
            apis: apis(seed),
            stages: stages(),
            plans: plans(seed),
            keys: Vec::new(),
            clients: clients(seed),
            acls: acls(seed),
            dists: dists(),
        };
        sc.keys = keys(seed, &sc.clients);
        sc
    }

    /// `api-name/stage`, as usage plans and web ACLs name a stage.
    pub fn stage_path(&self, stage: usize) -> String {
        let s = &self.stages[stage];
        format!("{}/{}", self.apis[s.api].name, s.name)
    }

    pub fn origin_domain(&self, stage: usize) -> String {
        format!(
            "{}.execute-api.eu-west-1.amazonaws.com",
            self.apis[self.stages[stage].api].id
        )
    }
}

fn apis(seed: u64) -> Vec<ApiDef> {
    ["payments-api", "catalog-api", "partner-api", "identity-api"]
        .into_iter()
        .map(|name| ApiDef {
            id: resource_id(seed, name),
            name,
        })
        .collect()
}

fn stages() -> Vec<StageDef> {
    let stage = |api, name, t, latency_ms| StageDef {
        api,
        name,
        throttle: t,
        method_throttles: Vec::new(),
        latency_ms,
        blip: false,
    };
    let mut payments_prod = stage(0, "prod", throttle(2000.0, 5000), 112.0);
    payments_prod
        .method_throttles
        .push(("POST /charges", throttle(500.0, 1000)));
    let mut catalog_prod = stage(1, "prod", throttle(5000.0, 10000), 42.0);
    catalog_prod.blip = true;
    vec![
        payments_prod,
        stage(0, "staging", throttle(100.0, 200), 124.0),
        catalog_prod,
        stage(2, "prod", throttle(1000.0, 2000), 78.0),
        stage(3, "prod", throttle(1500.0, 3000), 66.0),
    ]
}

pub const FREE: usize = 0;
pub const PARTNER: usize = 1;
pub const ENTERPRISE: usize = 2;
pub const INTERNAL: usize = 3;

fn plans(seed: u64) -> Vec<PlanDef> {
    let plan = |name, t, quota, stages| PlanDef {
        id: token(&[seed, tag(name)], 6, LOWER_ALNUM),
        name,
        throttle: t,
        quota,
        stages,
    };
    let quota = |limit, period| Some(Quota { limit, period });
    vec![
        plan(
            "Free tier",
            throttle(10.0, 20),
            quota(10_000, QuotaPeriod::Day),
            vec![2, 3],
        ),
        plan(
            "Partner tier",
            throttle(100.0, 200),
            quota(5_000_000, QuotaPeriod::Month),
            vec![3],
        ),
        plan(
            "Partner enterprise",
            throttle(100.0, 200),
            quota(250_000_000, QuotaPeriod::Month),
            vec![3],
        ),
        plan("Internal", throttle(1000.0, 2000), None, vec![0, 1, 2]),
    ]
}

const NO_SHARE: f64 = 0.0;

fn client(
    name: &'static str,
    class: Class,
    stage: usize,
    via: Option<usize>,
    profile: Profile,
    mix: Mix,
) -> ClientDef {
    ClientDef {
        name,
        class,
        stage,
        via,
        profile,
        mix,
        ip: None,
        month_start_share: NO_SHARE,
    }
}

fn clients(seed: u64) -> Vec<ClientDef> {
    use Class::*;
    use Mix::{Fixed, Global};
    use Profile::*;
    let cat = Some(0);
    let partner = Some(1);
    let mut all = vec![
        client(
            "checkout-web",
            Normal,
            0,
            None,
            Daily {
                peak: 1300.0,
                floor: 0.15,
            },
            Global,
        ),
        client(
            "payments-batch",
            Normal,
            0,
            None,
            Night {
                peak: 300.0,
                floor: 0.2,
            },
            Fixed(&[("IE", 1.0)]),
        ),
        client(
            "psp-webhooks",
            Normal,
            0,
            None,
            Daily {
                peak: 350.0,
                floor: 0.3,
            },
            Fixed(&[("NL", 0.5), ("US", 0.3), ("DE", 0.2)]),
        ),
        client(
            "qa-runner",
            Normal,
            1,
            None,
            Daily {
                peak: 60.0,
                floor: 0.1,
            },
            Fixed(&[("IE", 1.0)]),
        ),
        client(
            "catalog-web",
            Normal,
            2,
            None,
            Daily {
                peak: 2600.0,
                floor: 0.2,
            },
            Global,
        ),
        client(
            "cdn-viewers",
            Normal,
            2,
            cat,
            Daily {
                peak: 5400.0,
                floor: 0.2,
            },
            Global,
        ),
        client(
            "dev-hobbyist-01",
            Normal,
            2,
            None,
            Daily {
                peak: 10.0,
                floor: 0.1,
            },
            Fixed(&[("GB", 1.0)]),
        ),
        client(
            "mobile-beta",
            Normal,
            2,
            None,
            Daily {
                peak: 11.5,
                floor: 0.25,
            },
            Fixed(&[("US", 0.6), ("CA", 0.2), ("GB", 0.2)]),
        ),
        client(
            "student-lab",
            Normal,
            2,
            None,
            Flat { rpm: 720.0 },
            Fixed(&[("IN", 1.0)]),
        ),
        client(
            "demo-widget",
            Normal,
            2,
            None,
            Daily {
                peak: 8.0,
                floor: 0.2,
            },
            Fixed(&[("FR", 0.5), ("ES", 0.3), ("IT", 0.2)]),
        ),
        client(
            "ci-smoke-tests",
            Normal,
            3,
            partner,
            Flat { rpm: 2.0 },
            Fixed(&[("IE", 1.0)]),
        ),
        client(
            "status-page",
            Normal,
            3,
            partner,
            Flat { rpm: 4.0 },
            Fixed(&[("US", 0.5), ("DE", 0.5)]),
        ),
        client(
            "acme-logistics",
            Normal,
            3,
            partner,
            Surge {
                peak: 3600.0,
                floor: 0.55,
                surge: 9000.0,
            },
            Fixed(&[("DE", 0.7), ("NL", 0.3)]),
        ),
        client(
            "globex-retail",
            Normal,
            3,
            partner,
            Daily {
                peak: 40.0,
                floor: 0.3,
            },
            Fixed(&[("US", 1.0)]),
        ),
        client(
            "initech-sync",
            Normal,
            3,
            partner,
            Daily {
                peak: 90.0,
                floor: 0.3,
            },
            Fixed(&[("US", 0.8), ("CA", 0.2)]),
        ),
        client(
            "umbrella-health",
            Normal,
            3,
            partner,
            Daily {
                peak: 60.0,
                floor: 0.3,
            },
            Fixed(&[("GB", 1.0)]),
        ),
        client(
            "stark-industries",
            Normal,
            3,
            partner,
            Daily {
                peak: 120.0,
                floor: 0.3,
            },
            Fixed(&[("US", 1.0)]),
        ),
        client(
            "identity-users",
            Normal,
            4,
            None,
            Daily {
                peak: 1200.0,
                floor: 0.2,
            },
            Global,
        ),
        client(
            "scraper-vn",
            Class::Scraper,
            2,
            None,
            Profile::Scraper { peak: 1500.0 },
            Fixed(&[("VN", 1.0)]),
        ),
        client(
            "bad-bots-payments",
            BadBot,
            0,
            None,
            Flat { rpm: 14.0 },
            Fixed(&[("NL", 0.4), ("US", 0.3), ("RU", 0.3)]),
        ),
        client(
            "bad-bots-catalog",
            BadBot,
            2,
            None,
            Flat { rpm: 18.0 },
            Fixed(&[("CN", 0.4), ("DE", 0.3), ("US", 0.3)]),
        ),
        client(
            "blocklisted-identity",
            Blocklisted,
            4,
            None,
            Flat { rpm: 45.0 },
            Fixed(&[("RU", 0.4), ("CN", 0.3), ("BR", 0.3)]),
        ),
        client(
            "blocklisted-catalog",
            Blocklisted,
            2,
            None,
            Flat { rpm: 30.0 },
            Fixed(&[("NL", 0.5), ("US", 0.5)]),
        ),
        client(
            "probes-payments",
            Probe,
            0,
            None,
            Flat { rpm: 12.0 },
            Fixed(&[("US", 0.4), ("IN", 0.3), ("BR", 0.3)]),
        ),
        client(
            "probes-catalog",
            Probe,
            2,
            None,
            Flat { rpm: 20.0 },
            Fixed(&[("CN", 0.5), ("RU", 0.5)]),
        ),
        client(
            "embargoed",
            Embargo,
            2,
            cat,
            Flat { rpm: 40.0 },
            Fixed(&[("IR", 0.6), ("CU", 0.2), ("SY", 0.12), ("KP", 0.08)]),
        ),
        client(
            "bad-reputation",
            BadReputation,
            2,
            cat,
            Flat { rpm: 35.0 },
            Fixed(&[("RU", 0.3), ("CN", 0.3), ("BR", 0.2), ("IN", 0.2)]),
        ),
        client(
            "bad-inputs",
            BadInput,
            3,
            partner,
            Flat { rpm: 8.0 },
            Fixed(&[("CN", 0.5), ("RU", 0.5)]),
        ),
        client(
            "flood-sg",
            Flood,
            2,
            cat,
            Hourly {
                rpm: 480.0,
                share: 0.5,
            },
            Fixed(&[("SG", 1.0)]),
        ),
    ];
    all.extend(stuffers(seed));
    let globex = all
        .iter()
        .position(|c| c.name == "globex-retail")
        .unwrap_or(0);
    all[globex].month_start_share = 0.82;
    let flood = all.iter().position(|c| c.name == "flood-sg").unwrap_or(0);
    all[flood].ip = Some(format!(
        "103.{}.{}.{}",
        20 + seed % 200,
        (seed >> 8) % 256,
        10 + (seed >> 16) % 200
    ));
    all
}

/// Incident 1: six addresses (one IPv6) stuffing credentials into identity-api's /login.
fn stuffers(seed: u64) -> Vec<ClientDef> {
    const WHO: [(&str, &[(&str, f64)]); 6] = [
        ("stuffer-1", &[("US", 1.0)]),
        ("stuffer-2", &[("NL", 1.0)]),
        ("stuffer-3", &[("BR", 1.0)]),
        ("stuffer-4", &[("RU", 1.0)]),
        ("stuffer-5", &[("ID", 1.0)]),
        ("stuffer-6", &[("DE", 1.0)]),
    ];
    WHO.iter()
        .enumerate()
        .map(|(i, (name, mix))| {
            let rpm = 60.0 + 20.0 * unit(&[seed, 0x57, i as u64]);
            let mut c = client(
                name,
                Class::Stuffing,
                4,
                None,
                Profile::Stuffing { rpm },
                Mix::Fixed(mix),
            );
            c.ip = Some(stuffer_ip(seed, i));
            c
        })
        .collect()
}

fn stuffer_ip(seed: u64, i: usize) -> String {
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

/// The account's keys: (name, plan, client name) — the client carries the key's traffic.
const KEYS: &[(&str, usize, &str)] = &[
    ("dev-hobbyist-01", FREE, "dev-hobbyist-01"),
    ("mobile-beta", FREE, "mobile-beta"),
    ("student-lab", FREE, "student-lab"),
    ("demo-widget", FREE, "demo-widget"),
    ("ci-smoke-tests", FREE, "ci-smoke-tests"),
    ("status-page", FREE, "status-page"),
    ("acme-logistics", ENTERPRISE, "acme-logistics"),
    ("globex-retail", PARTNER, "globex-retail"),
    ("initech-sync", PARTNER, "initech-sync"),
    ("umbrella-health", PARTNER, "umbrella-health"),
    ("stark-industries", ENTERPRISE, "stark-industries"),
    ("checkout-web", INTERNAL, "checkout-web"),
    ("payments-batch", INTERNAL, "payments-batch"),
    ("cdn-origin-catalog", INTERNAL, "cdn-viewers"),
    ("legacy-webhooks-2023", INTERNAL, ""),
];

fn keys(seed: u64, clients: &[ClientDef]) -> Vec<KeyDef> {
    KEYS.iter()
        .map(|&(name, plan, client)| {
            let age_days = 20 + (hash(&[seed, tag(name), 0xda]) % 600) as i64;
            KeyDef {
                id: resource_id(seed, name),
                name: name.to_string(),
                value: key_value(seed, name),
                created: DEMO_START
                    - Duration::days(age_days)
                    - Duration::minutes(age_days * 37 % 1440),
                plans: vec![plan],
                client: clients.iter().position(|c| c.name == client),
                since: None,
                retired: client.is_empty(),
            }
        })
        .collect()
}

fn geo(countries: &[&str]) -> RuleKind {
    RuleKind::Geo {
        countries: countries.iter().map(|c| Text::new(c)).collect(),
    }
}

fn managed(name: &str, inner: &[&str]) -> RuleKind {
    RuleKind::ManagedGroup {
        vendor: Text::new("AWS"),
        name: Text::new(name),
        inner_rules: inner
            .iter()
            .map(|r| InnerRule {
                name: Text::new(r),
                action: Action::GroupActions,
            })
            .collect(),
    }
}

fn rate_based(limit: u64, scope_down: Option<&str>) -> RuleKind {
    RuleKind::RateBased {
        limit,
        window_secs: 300,
        aggregate: Text::new("IP"),
        scope_down: scope_down.map(Text::new),
    }
}

fn rule(name: &'static str, kind: RuleKind, action: Action, target: Target) -> RuleDef {
    RuleDef {
        name,
        kind,
        action,
        target,
        labels: &[],
    }
}

const EMBARGO: &[&str] = &["KP", "IR", "SY", "CU"];
const WATCHLIST: &[&str] = &["RU", "CN"];
const SCRAPER_COUNTRIES: &[&str] = &["VN"];

fn acls(seed: u64) -> Vec<AclDef> {
    use Action::{Block, Count, GroupActions};
    let regional = vec![
        rule(
            "BlockListedIPs",
            RuleKind::IpSet {
                name: Text::new("blocklist-v4"),
                addresses: 120,
            },
            Block,
            Target::Class(Class::Blocklisted),
        ),
        rule(
            "LoginRateLimit",
            rate_based(100, Some("uri starts with /login")),
            Block,
            Target::RateOver {
                class: Class::Stuffing,
                limit: 100.0,
                window: 5,
            },
        ),
        RuleDef {
            labels: &[
                "awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body",
                "awswaf:managed:aws:core-rule-set:GenericLFI_QueryArguments",
                "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body",
            ],
            ..rule(
                "AWS-AWSManagedRulesCommonRuleSet",
                managed(
                    "AWSManagedRulesCommonRuleSet",
                    &[
                        "SizeRestrictions_BODY",
                        "CrossSiteScripting_BODY",
                        "GenericLFI_QUERYARGUMENTS",
                        "NoUserAgent_HEADER",
                        "EC2MetaDataSSRF_QUERYARGUMENTS",
                    ],
                ),
                GroupActions,
                Target::Class(Class::Probe),
            )
        },
        rule(
            "GeoScrapers",
            geo(SCRAPER_COUNTRIES),
            Count,
            Target::Geo(SCRAPER_COUNTRIES),
        ),
        rule(
            "BlockBadUserAgents",
            RuleKind::Custom {
                summary: Text::new("User-Agent contains sqlmap|nikto|masscan"),
            },
            Block,
            Target::Class(Class::BadBot),
        ),
    ];
    let cloudfront = vec![
        rule("GeoEmbargo", geo(EMBARGO), Block, Target::Geo(EMBARGO)),
        RuleDef {
            labels: &["awswaf:managed:aws:amazon-ip-list:AWSManagedIPReputationList"],
            ..rule(
                "AWS-AWSManagedRulesAmazonIpReputationList",
                managed(
                    "AWSManagedRulesAmazonIpReputationList",
                    &[
                        "AWSManagedIPReputationList",
                        "AWSManagedReconnaissanceList",
                        "AWSManagedIPDDoSList",
                    ],
                ),
                GroupActions,
                Target::Class(Class::BadReputation),
            )
        },
        RuleDef {
            labels: &["awswaf:managed:aws:known-bad-inputs:Log4JRCE_Header"],
            ..rule(
                "AWS-AWSManagedRulesKnownBadInputsRuleSet",
                managed(
                    "AWSManagedRulesKnownBadInputsRuleSet",
                    &[
                        "JavaDeserializationRCE_HEADER",
                        "Host_localhost_HEADER",
                        "Log4JRCE_HEADER",
                        "Log4JRCE_QUERYSTRING",
                        "ExploitablePaths_URIPATH",
                    ],
                ),
                Count,
                Target::Class(Class::BadInput),
            )
        },
        rule(
            "GlobalRateLimit",
            rate_based(2000, None),
            Block,
            Target::RateOver {
                class: Class::Flood,
                limit: 2000.0,
                window: 5,
            },
        ),
        rule(
            "GeoWatchlist",
            geo(WATCHLIST),
            Count,
            Target::Geo(WATCHLIST),
        ),
    ];
    vec![
        AclDef {
            id: uuid(seed, "edge-regional"),
            name: "edge-regional",
            scope: Scope::Regional,
            protects: vec![
                "payments-api/prod",
                "payments-api/staging",
                "catalog-api/prod",
                "partner-api/prod",
                "identity-api/prod",
            ],
            rules: regional,
        },
        AclDef {
            id: uuid(seed, "edge-cloudfront"),
            name: "edge-cloudfront",
            scope: Scope::Cloudfront,
            protects: vec!["E2CATALOG7QX", "E3PARTNER9KD"],
            rules: cloudfront,
        },
    ]
}

fn dists() -> Vec<DistDef> {
    vec![
        DistDef {
            id: "E2CATALOG7QX",
            domain: "d1catalog.cloudfront.net",
            stage: 2,
            acl: CLOUDFRONT,
            key_client: Some(5),
        },
        DistDef {
            id: "E3PARTNER9KD",
            domain: "d3partner.cloudfront.net",
            stage: 3,
            acl: CLOUDFRONT,
            key_client: None,
        },
    ]
}
