//! AWS WAF as the model holds it: web ACLs in their scope, rules and what they do, their
//! per-minute metrics by rule and by country, sampled requests and rate-limited addresses.

use super::*;

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
