//! Who may call an API, and how: its endpoint, its resource policy, each method's
//! authorization and API key, and what each stage logs. The Access screen and its findings
//! ([`crate::judge::posture`]) read these; they are configuration, read with discovery.

use serde::{Deserialize, Serialize};

use super::Text;

/// An API's access controls (GetRestApis, GetResources `embed=methods`, GetAuthorizers).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Access {
    pub endpoint: Endpoint,
    /// A private API's interface VPC endpoints (endpointConfiguration.vpcEndpointIds).
    pub vpc_endpoints: Vec<Text>,
    /// `disableExecuteApiEndpoint`: the default `https://{id}.execute-api…` URL answers 403,
    /// so only a custom domain reaches the API.
    pub execute_api_disabled: bool,
    /// Where API keys come from: the `x-api-key` header, or a Lambda authorizer's
    /// usageIdentifierKey.
    pub key_source: KeySource,
    /// The resource policy; None when the API has none.
    pub policy: Option<Policy>,
    /// Every method of every resource, by path then method.
    pub methods: Vec<Method>,
    /// Why its methods could not be read at the last discovery (a throttle, a denied
    /// permission): then `methods` are those of the read before, if any, and nothing is said
    /// of them that their absence would make wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub methods_unread: Option<Text>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Endpoint {
    /// Behind an AWS-managed CloudFront distribution the account cannot see or configure.
    Edge,
    #[default]
    Regional,
    /// Reachable only through interface VPC endpoints, and only as its resource policy allows.
    Private,
}

impl Endpoint {
    pub fn label(self) -> &'static str {
        match self {
            Endpoint::Edge => "EDGE",
            Endpoint::Regional => "REGIONAL",
            Endpoint::Private => "PRIVATE",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeySource {
    #[default]
    Header,
    Authorizer,
}

/// One method of one resource: `GET /items`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Method {
    pub method: Text,
    pub path: Text,
    pub authorization: Authorization,
    pub api_key_required: bool,
    /// The `Access-Control-Allow-Origin` its integration answers with (REST APIs set CORS in
    /// the OPTIONS method's integration response), without the quotes API Gateway wants.
    pub cors_origin: Option<Text>,
}

impl Method {
    /// "GET /items"
    pub fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// Neither an authorizer, IAM, nor an API key stands in front of it. OPTIONS is left out:
    /// browsers send CORS preflights without credentials, so it is open by design.
    pub fn is_open(&self) -> bool {
        self.authorization == Authorization::None
            && !self.api_key_required
            && self.method.as_str() != "OPTIONS"
    }
}

/// A method's authorizationType, with its authorizer when it has one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Authorization {
    None,
    /// SigV4-signed calls, allowed by IAM.
    Iam,
    /// A Cognito user pool authorizer, by name.
    Cognito(Text),
    /// A Lambda authorizer, by name, and whether it is given a TOKEN or the REQUEST.
    Lambda {
        name: Text,
        request: bool,
    },
    /// An HTTP API's JWT authorizer, by name, with the issuer it trusts.
    Jwt {
        name: Text,
        issuer: Text,
    },
    /// A type this version does not know, as AWS named it.
    Other(Text),
}

impl Authorization {
    /// "NONE", "IAM", "COGNITO pool-name", "LAMBDA name (TOKEN)"
    pub fn label(&self) -> String {
        match self {
            Authorization::None => "NONE".into(),
            Authorization::Iam => "IAM".into(),
            Authorization::Cognito(n) => format!("COGNITO {n}"),
            Authorization::Lambda { name, request } => {
                let kind = if *request { "REQUEST" } else { "TOKEN" };
                format!("LAMBDA {name} ({kind})")
            }
            Authorization::Jwt { name, issuer } => format!("JWT {name} ({issuer})"),
            Authorization::Other(t) => t.to_string(),
        }
    }

    /// One word, for a narrow column.
    pub fn short(&self) -> &str {
        match self {
            Authorization::None => "NONE",
            Authorization::Iam => "IAM",
            Authorization::Cognito(_) => "COGNITO",
            Authorization::Lambda { .. } => "LAMBDA",
            Authorization::Jwt { .. } => "JWT",
            Authorization::Other(t) => t.as_str(),
        }
    }
}

/// A resource policy: its text line by line (sanitised; pretty when it parsed), and what it
/// says when it could be summarised.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    pub lines: Vec<Text>,
    /// None when the policy could not be read as a policy: its text is shown instead.
    pub summary: Option<PolicySummary>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PolicySummary {
    pub statements: Vec<Statement>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// One statement, reduced to what decides who can call: its principals, and the source
/// conditions (addresses, VPC endpoints, VPCs) that narrow it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    pub effect: Option<Effect>,
    /// "*" for anyone; else "AWS arn:…", "Service …". With `not_principal`, everyone but.
    pub principals: Vec<Text>,
    pub not_principal: bool,
    /// `Action`, or with `not_action`, `NotAction`: every action but these.
    pub actions: Vec<Text>,
    #[serde(default)]
    pub not_action: bool,
    /// `Resource`, or with `not_resource`, `NotResource`.
    #[serde(default)]
    pub resources: Vec<Text>,
    #[serde(default)]
    pub not_resource: bool,
    /// Conditions on the caller's address: IpAddress (in) or NotIpAddress (not in).
    pub source_ips: Vec<Text>,
    pub not_source_ips: Vec<Text>,
    /// Conditions on aws:SourceVpce / aws:SourceVpc, equal or not equal.
    pub vpc_endpoints: Vec<Text>,
    pub not_vpc_endpoints: Vec<Text>,
    /// Every other condition, as "Operator key".
    pub other_conditions: Vec<Text>,
}

impl Statement {
    pub fn anyone(&self) -> bool {
        !self.not_principal && self.principals.iter().any(|p| p.as_str() == "*")
    }

    /// Narrowed by where the call comes from.
    pub fn has_source_condition(&self) -> bool {
        !(self.source_ips.is_empty()
            && self.not_source_ips.is_empty()
            && self.vpc_endpoints.is_empty()
            && self.not_vpc_endpoints.is_empty())
    }

    /// It applies to `execute-api:Invoke`: its Action names it (or a pattern matching it, `*`,
    /// `execute-api:*`), or its NotAction names nothing that matches it. Action names are
    /// case-insensitive (IAM JSON policy reference, "Action").
    pub fn covers_invoke(&self) -> bool {
        let invoke = |a: &Text| glob(&a.as_str().to_ascii_lowercase(), "execute-api:invoke");
        self.actions.iter().any(invoke) != self.not_action
    }

    /// It applies to every stage, method and path of the API: a Resource of `*`, or one whose
    /// part after the API id matches anything (`execute-api:/*`, `arn:…:abc123/*`,
    /// `…/*/*/*`). A NotResource, or a resource naming a stage, method or path, covers less.
    pub fn covers_whole_api(&self) -> bool {
        !self.not_resource
            && self.resources.iter().any(|r| {
                let r = r.as_str();
                if r == "*" {
                    return true;
                }
                // arn:partition:execute-api:region:account:api-id/stage/METHOD/path, or the
                // shorthand execute-api:/stage/METHOD/path.
                let Some(after) = r.strip_prefix("execute-api:").or_else(|| {
                    let mut parts = r.splitn(6, ':');
                    let (_, _, service) = (parts.next(), parts.next(), parts.next()?);
                    (service == "execute-api").then(|| parts.nth(2)).flatten()
                }) else {
                    return false;
                };
                let Some((_, path)) = after.split_once('/') else {
                    return false;
                };
                path.contains('*') && path.chars().all(|c| matches!(c, '*' | '/'))
            })
    }

    /// A Deny that keeps out every caller from outside its own sources: for everyone (or
    /// everyone but some), on Invoke over the whole API, when the call is not from its
    /// addresses or VPC endpoints, and on no other condition.
    pub fn fences_sources(&self) -> bool {
        let any_range = |ips: &[Text]| {
            ips.iter()
                .any(|ip| matches!(ip.as_str(), "0.0.0.0/0" | "::/0"))
        };
        self.effect == Some(Effect::Deny)
            && (self.anyone() || self.not_principal)
            && (!self.not_source_ips.is_empty() || !self.not_vpc_endpoints.is_empty())
            && !any_range(&self.not_source_ips)
            && self.source_ips.is_empty()
            && self.vpc_endpoints.is_empty()
            && self.other_conditions.is_empty()
            && self.covers_invoke()
            && self.covers_whole_api()
    }
}

/// IAM's wildcard match: `*` any run of characters (`/` and `:` too), `?` any one.
pub fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

impl PolicySummary {
    /// Anyone, from any address: an Allow for every principal that no source condition narrows
    /// (or one allowing 0.0.0.0/0), and no Deny that keeps out the callers from elsewhere.
    pub fn allows_any_source(&self) -> bool {
        let any_range = |ips: &[Text]| {
            ips.iter()
                .any(|ip| matches!(ip.as_str(), "0.0.0.0/0" | "::/0"))
        };
        let open_allow = self.statements.iter().any(|s| {
            s.effect == Some(Effect::Allow)
                && s.anyone()
                && (!s.has_source_condition() || any_range(&s.source_ips))
        });
        let fenced = self.statements.iter().any(Statement::fences_sources);
        open_allow && !fenced
    }

    /// One line: "allow * from 203.0.113.0/24; deny unless vpce-1a2b".
    pub fn line(&self) -> String {
        let parts: Vec<String> = self.statements.iter().map(Statement::line).collect();
        if parts.is_empty() {
            "no statements".into()
        } else {
            parts.join("; ")
        }
    }
}

impl Statement {
    fn line(&self) -> String {
        let effect = match self.effect {
            Some(Effect::Allow) => "allow",
            Some(Effect::Deny) => "deny",
            None => "?",
        };
        let join = |v: &[Text]| v.iter().map(Text::as_str).collect::<Vec<_>>().join(",");
        let who = if self.not_principal {
            format!("all but {}", join(&self.principals))
        } else if self.principals.is_empty() {
            "nobody".into()
        } else {
            join(&self.principals)
        };
        let mut out = format!("{effect} {who}");
        for (word, list) in [
            ("from", &self.source_ips),
            ("unless from", &self.not_source_ips),
            ("via", &self.vpc_endpoints),
            ("unless via", &self.not_vpc_endpoints),
        ] {
            if !list.is_empty() {
                out.push_str(&format!(" {word} {}", join(list)));
            }
        }
        if !self.other_conditions.is_empty() {
            out.push_str(&format!(" if {}", join(&self.other_conditions)));
        }
        out
    }
}

/// What a stage logs (its accessLogSettings and the `*/*` method settings).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Logging {
    /// The access log's destination (a log group or Firehose ARN); None when off.
    pub access_log: Option<Text>,
    /// The access log's format as written (JSON, CLF, CSV…), sanitised.
    #[serde(default, deserialize_with = "crate::model::text::wide_opt")]
    pub access_format: Option<Text>,
    /// Execution logging: "OFF", "ERROR" or "INFO".
    pub execution: Text,
}

impl Logging {
    /// From what a stage's settings say, as they came: an empty destination is no access log,
    /// and a format is kept whole up to [`crate::model::text::WIDE`].
    pub fn new(destination: Option<&str>, format: Option<&str>, execution: &str) -> Logging {
        Logging {
            access_log: destination.filter(|d| !d.is_empty()).map(Text::new),
            access_format: format.map(|f| Text::with_limit(f, crate::model::text::WIDE)),
            execution: Text::new(execution),
        }
    }
}

/// One published set of the addresses a CDN connects to origins from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EdgeRanges {
    /// Whose they are and where they were read: "CloudFront origin-facing (managed prefix list
    /// pl-3b927c52)", "CloudFront origin-facing (ip-ranges.json of 2026-11-20, ./ranges.json)".
    pub source: Text,
    /// CIDR prefixes, IPv4 and IPv6.
    pub prefixes: Vec<Text>,
    /// The stages ("api/stage") this edge fronts, where edgetop cannot see it (Cloudflare);
    /// empty for CloudFront's, which front the stages their distributions name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<Text>,
}

/// A custom domain name and the stages it sends requests to (GetDomainNames,
/// GetBasePathMappings).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomDomain {
    pub name: Text,
    pub endpoint: Endpoint,
    /// The truststore of its mutual TLS (an S3 URI); None without mutual TLS.
    pub mtls_truststore: Option<Text>,
    /// The TLS versions and ciphers it accepts: TLS_1_0, TLS_1_2, or a newer named policy.
    pub security_policy: Text,
    pub mappings: Vec<BasePath>,
    /// Where it was read (see [`super::place`]).
    #[serde(default)]
    pub place: super::place::Place,
}

/// `https://{domain}/{base_path}` → an API's stage; no stage: the path names it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BasePath {
    pub base_path: Text,
    pub api_id: Text,
    pub stage: Option<Text>,
}

impl CustomDomain {
    /// Whether it sends requests to this API's stage.
    pub fn maps(&self, api_id: &str, stage: &str) -> bool {
        self.mappings.iter().any(|m| {
            m.api_id.as_str() == api_id && m.stage.as_ref().is_none_or(|s| s.as_str() == stage)
        })
    }
}

/// Shield Advanced, as the account has it: no subscription is a fact, not an error.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Shield {
    NotSubscribed,
    /// Subscribed, with the ARNs of the resources it protects.
    Subscribed {
        protected: Vec<Text>,
    },
}

impl Shield {
    /// Whether it protects the CloudFront distribution with this id.
    pub fn protects_distribution(&self, id: &str) -> bool {
        let suffix = format!(":distribution/{id}");
        match self {
            Shield::NotSubscribed => false,
            Shield::Subscribed { protected } => {
                protected.iter().any(|arn| arn.as_str().ends_with(&suffix))
            }
        }
    }
}
