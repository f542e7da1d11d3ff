//! WAFv2: web ACLs in both scopes with their rules, what they protect, sampled requests and
//! the addresses rate-based rules hold.

use aws_sdk_wafv2::Client;
use aws_sdk_wafv2::types::{self as w, ResourceType, Scope as AwsScope};

use super::Calls;
use super::connect::{Failure, failure};

use crate::model::{Action, InnerRule, RuleKind, Scope, Text, text};
use crate::ops::kept::Kept;

#[derive(Clone, Debug)]
pub struct RuleConf {
    pub name: String,
    pub priority: u32,
    pub kind: RuleKind,
    pub action: Action,
    pub metric_name: String,
    /// What its action does beyond its kind (a custom response, inserted headers), in words.
    pub custom: Option<String>,
}

#[derive(Clone, Debug)]
pub struct AclConf {
    pub id: String,
    pub name: String,
    pub arn: String,
    pub scope: Scope,
    pub metric_name: String,
    pub default_action: Action,
    pub rules: Vec<RuleConf>,
    /// Resource ARNs it protects (ListResourcesForWebACL, or stages found to use it).
    pub protects: Vec<String>,
}

pub fn aws_scope(s: Scope) -> AwsScope {
    match s {
        Scope::Regional => AwsScope::Regional,
        Scope::Cloudfront => AwsScope::Cloudfront,
    }
}

/// A rule's action; for a rule group reference, its override (None: the group's actions).
pub fn rule_action(r: &w::Rule) -> Action {
    if let Some(o) = r.override_action() {
        return if o.count().is_some() {
            Action::Count
        } else {
            Action::GroupActions
        };
    }
    action_of(r.action())
}

pub fn action_of(a: Option<&w::RuleAction>) -> Action {
    match a {
        Some(a) if a.block().is_some() => Action::Block,
        Some(a) if a.count().is_some() => Action::Count,
        Some(a) if a.captcha().is_some() => Action::Captcha,
        Some(a) if a.challenge().is_some() => Action::Challenge,
        _ => Action::Allow,
    }
}

fn headers(h: &[w::CustomHttpHeader]) -> Vec<(String, String)> {
    h.iter()
        .map(|h| (h.name().to_string(), h.value().to_string()))
        .collect()
}

/// The custom parts of a rule action — a Block's custom response, the headers an Allow,
/// Count, CAPTCHA or Challenge inserts — or None when it has none.
pub fn custom_parts(a: &w::RuleAction) -> Option<Kept> {
    let inserted = [
        a.allow().and_then(|x| x.custom_request_handling()),
        a.count().and_then(|x| x.custom_request_handling()),
        a.captcha().and_then(|x| x.custom_request_handling()),
        a.challenge().and_then(|x| x.custom_request_handling()),
    ]
    .into_iter()
    .flatten()
    .next()
    .map(|h| headers(h.insert_headers()))
    .unwrap_or_default();
    let response = a.block().and_then(|b| b.custom_response());
    if response.is_none() && inserted.is_empty() {
        return None;
    }
    Some(Kept {
        response_code: response.map(|r| r.response_code()),
        body_key: response.and_then(|r| r.custom_response_body_key().map(str::to_string)),
        response_headers: response.map_or(Vec::new(), |r| headers(r.response_headers())),
        insert_headers: inserted,
        kept_at: chrono::Utc::now(),
    })
}

/// The overrides a rule group statement gives the rules inside it.
/// ExcludedRules, the older way (still written by Terraform and older templates) to make a
/// rule inside a group only count, read as a Count override.
pub fn inner_overrides(s: Option<&w::Statement>) -> Vec<InnerRule> {
    let (overrides, excluded) = match s {
        Some(s) => match (
            s.managed_rule_group_statement(),
            s.rule_group_reference_statement(),
        ) {
            (Some(m), _) => (m.rule_action_overrides(), m.excluded_rules()),
            (_, Some(g)) => (g.rule_action_overrides(), g.excluded_rules()),
            _ => (&[][..], &[][..]),
        },
        None => (&[][..], &[][..]),
    };
    let mut out: Vec<InnerRule> = overrides
        .iter()
        .map(|o| InnerRule {
            name: Text::new(o.name()),
            action: action_of(o.action_to_use()),
        })
        .collect();
    for e in excluded {
        if !out.iter().any(|o| o.name.as_str() == e.name()) {
            out.push(InnerRule {
                name: Text::new(e.name()),
                action: Action::Count,
            });
        }
    }
    out
}

fn rule_kind(s: Option<&w::Statement>) -> RuleKind {
    let Some(s) = s else {
        return RuleKind::Custom {
            summary: Text::new("(no statement)"),
        };
    };
    if let Some(g) = s.geo_match_statement() {
        return RuleKind::Geo {
            countries: g
                .country_codes()
                .iter()
                .map(|c| Text::new(c.as_str()))
                .collect(),
        };
    }
    if let Some(r) = s.rate_based_statement() {
        return RuleKind::RateBased {
            limit: r.limit().max(0) as u64,
            window_secs: if r.evaluation_window_sec() > 0 {
                r.evaluation_window_sec() as u32
            } else {
                300
            },
            aggregate: Text::new(r.aggregate_key_type().as_str()),
            scope_down: r.scope_down_statement().map(|s| Text::new(&summary(s))),
        };
    }
    if let Some(i) = s.ip_set_reference_statement() {
        let name = i.arn().rsplit('/').nth(1).unwrap_or(i.arn());
        return RuleKind::IpSet {
            name: Text::new(name),
            addresses: 0,
            arn: Text::new(i.arn()),
        };
    }
    if let Some(m) = s.managed_rule_group_statement() {
        return RuleKind::ManagedGroup {
            vendor: Text::new(m.vendor_name()),
            name: Text::new(m.name()),
            inner_rules: inner_overrides(Some(s)),
        };
    }
    if let Some(g) = s.rule_group_reference_statement() {
        let name = g.arn().rsplit('/').nth(1).unwrap_or(g.arn());
        return RuleKind::ManagedGroup {
            vendor: Text::new("own"),
            name: Text::new(name),
            inner_rules: inner_overrides(Some(s)),
        };
    }
    RuleKind::Custom {
        summary: Text::new(&summary(s)),
    }
}

/// A statement in a few words, for custom rules and scope-downs.
fn summary(s: &w::Statement) -> String {
    if let Some(b) = s.byte_match_statement() {
        // A match on a secret-looking header or query argument (an origin's shared-secret
        // check such as x-origin-verify) holds the secret itself: show its length only.
        let mut secret = false;
        let field = b.field_to_match().map_or("request".to_string(), |f| {
            if let Some(h) = f.single_header() {
                secret = text::is_secret_header(h.name());
                format!("header {}", h.name())
            } else if let Some(q) = f.single_query_argument() {
                secret = text::is_secret_header(q.name());
                format!("query argument {}", q.name())
            } else if f.uri_path().is_some() {
                "URI".into()
            } else if f.query_string().is_some() {
                "query".into()
            } else {
                "request".into()
            }
        });
        let what = String::from_utf8_lossy(b.search_string().as_ref()).into_owned();
        let what = if secret {
            format!("<redacted: {} chars>", what.chars().count())
        } else {
            what
        };
        let how = b
            .positional_constraint()
            .as_str()
            .to_lowercase()
            .replace('_', " ");
        return format!("{field} {how} \"{what}\"");
    }
    if let Some(a) = s.and_statement() {
        return a
            .statements()
            .iter()
            .map(summary)
            .collect::<Vec<_>>()
            .join(" and ");
    }
    if let Some(o) = s.or_statement() {
        return o
            .statements()
            .iter()
            .map(summary)
            .collect::<Vec<_>>()
            .join(" or ");
    }
    if let Some(n) = s.not_statement() {
        return n
            .statement()
            .map_or("not …".into(), |s| format!("not ({})", summary(s)));
    }
    if s.regex_pattern_set_reference_statement().is_some() || s.regex_match_statement().is_some() {
        return "regex match".into();
    }
    if s.size_constraint_statement().is_some() {
        return "size constraint".into();
    }
    if s.sqli_match_statement().is_some() {
        return "SQL injection match".into();
    }
    if s.xss_match_statement().is_some() {
        return "XSS match".into();
    }
    if s.label_match_statement().is_some() {
        return "label match".into();
    }
    "custom statement".into()
}

pub async fn acls(c: &Client, scope: Scope, calls: &mut Calls) -> Result<Vec<AclConf>, Failure> {
    acls_where(c, scope, calls, |_| true).await
}

/// The web ACLs of `scope` named `name`: what a toggle's plan needs, without reading the others.
pub async fn acls_named(
    c: &Client,
    scope: Scope,
    calls: &mut Calls,
    name: &str,
) -> Result<Vec<AclConf>, Failure> {
    acls_where(c, scope, calls, |n| n == name).await
}

/// The web ACLs of `scope` whose name `wanted` takes, each read whole (GetWebACL).
async fn acls_where(
    c: &Client,
    scope: Scope,
    calls: &mut Calls,
    wanted: impl Fn(&str) -> bool,
) -> Result<Vec<AclConf>, Failure> {
    let mut summaries = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        calls.add("wafv2:ListWebACLs");
        let page = c
            .list_web_acls()
            .scope(aws_scope(scope))
            .limit(100)
            .set_next_marker(marker.clone())
            .send()
            .await
            .map_err(|e| failure("wafv2:ListWebACLs", &e))?;
        summaries.extend(
            page.web_acls()
                .iter()
                .filter(|a| wanted(a.name().unwrap_or_default()))
                .cloned(),
        );
        marker = page.next_marker().map(str::to_string);
        if marker.is_none() || page.web_acls().is_empty() {
            break;
        }
    }
    let mut out = Vec::new();
    for s in summaries {
        calls.add("wafv2:GetWebACL");
        let got = c
            .get_web_acl()
            .name(s.name().unwrap_or_default())
            .id(s.id().unwrap_or_default())
            .scope(aws_scope(scope))
            .send()
            .await
            .map_err(|e| failure("wafv2:GetWebACL", &e))?;
        let Some(acl) = got.web_acl() else { continue };
        let mut rules: Vec<RuleConf> = acl
            .rules()
            .iter()
            .map(|r| RuleConf {
                name: r.name().to_string(),
                priority: r.priority().max(0) as u32,
                kind: rule_kind(r.statement()),
                action: rule_action(r),
                metric_name: r
                    .visibility_config()
                    .map_or(r.name(), |v| v.metric_name())
                    .to_string(),
                custom: r.action().and_then(custom_parts).map(|k| k.describe()),
            })
            .collect();
        rules.sort_by_key(|r| r.priority);
        let default_action = match acl.default_action() {
            Some(d) if d.block().is_some() => Action::Block,
            _ => Action::Allow,
        };
        out.push(AclConf {
            id: acl.id().to_string(),
            name: acl.name().to_string(),
            arn: acl.arn().to_string(),
            scope,
            metric_name: acl
                .visibility_config()
                .map_or(acl.name(), |v| v.metric_name())
                .to_string(),
            default_action,
            rules,
            protects: Vec::new(),
        });
    }
    Ok(out)
}

/// The names of the rules inside a managed rule group (DescribeManagedRuleGroup).
pub async fn managed_group_rules(
    c: &Client,
    scope: Scope,
    vendor: &str,
    name: &str,
    calls: &mut Calls,
) -> Result<Vec<String>, Failure> {
    calls.add("wafv2:DescribeManagedRuleGroup");
    let got = c
        .describe_managed_rule_group()
        .scope(aws_scope(scope))
        .vendor_name(vendor)
        .name(name)
        .send()
        .await
        .map_err(|e| failure("wafv2:DescribeManagedRuleGroup", &e))?;
    Ok(got
        .rules()
        .iter()
        .filter_map(|r| r.name().map(str::to_string))
        .collect())
}

/// Every rule of the group, each with its override (none unless the web ACL gives one);
/// overrides of rules the group no longer lists are kept, so nothing is hidden.
pub fn merge_inner(all: &[String], overrides: &[InnerRule]) -> Vec<InnerRule> {
    let mut out: Vec<InnerRule> = all
        .iter()
        .map(|n| {
            overrides
                .iter()
                .find(|o| o.name.as_str() == n)
                .cloned()
                .unwrap_or(InnerRule {
                    name: Text::new(n),
                    action: Action::GroupActions,
                })
        })
        .collect();
    for o in overrides {
        if !all.iter().any(|n| o.name.as_str() == n) {
            out.push(o.clone());
        }
    }
    out
}

/// The API Gateway stages a regional web ACL protects, where the service can list them.
pub async fn resources(
    c: &Client,
    acl: &AclConf,
    calls: &mut Calls,
) -> Result<Vec<String>, Failure> {
    calls.add("wafv2:ListResourcesForWebACL");
    let r = c
        .list_resources_for_web_acl()
        .web_acl_arn(&acl.arn)
        .resource_type(ResourceType::ApiGateway)
        .send()
        .await
        .map_err(|e| failure("wafv2:ListResourcesForWebACL", &e))?;
    Ok(r.resource_arns().to_vec())
}

/// The web ACL of one resource (a stage ARN), by ARN.
pub async fn acl_for(
    c: &Client,
    resource_arn: &str,
    calls: &mut Calls,
) -> Result<Option<String>, Failure> {
    calls.add("wafv2:GetWebACLForResource");
    let r = c
        .get_web_acl_for_resource()
        .resource_arn(resource_arn)
        .send()
        .await
        .map_err(|e| failure("wafv2:GetWebACLForResource", &e))?;
    Ok(r.web_acl().map(|a| a.arn().to_string()))
}

/// Whether WAF can list the addresses a rate-based rule holds: only for rules that aggregate
/// on the client's address (IP, FORWARDED_IP); others get WAFUnsupportedAggregateKeyTypeException.
pub fn lists_held_addresses(kind: &RuleKind) -> bool {
    matches!(kind, RuleKind::RateBased { aggregate, .. }
        if matches!(aggregate.as_str(), "IP" | "FORWARDED_IP"))
}

/// Addresses a rate-based rule is blocking now (IPv4 and IPv6), without the /32 or /128; None
/// when WAF says the rule's aggregation has no addresses to list (a rule changed to
/// CUSTOM_KEYS or CONSTANT since discovery).
pub async fn managed_keys(
    c: &Client,
    acl: &AclConf,
    rule: &str,
    calls: &mut Calls,
) -> Result<Option<Vec<Text>>, Failure> {
    calls.add("wafv2:GetRateBasedStatementManagedKeys");
    let r = match c
        .get_rate_based_statement_managed_keys()
        .scope(aws_scope(acl.scope))
        .web_acl_name(&acl.name)
        .web_acl_id(&acl.id)
        .rule_name(rule)
        .send()
        .await
    {
        Ok(r) => r,
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_waf_unsupported_aggregate_key_type_exception()) =>
        {
            return Ok(None);
        }
        Err(e) => return Err(failure("wafv2:GetRateBasedStatementManagedKeys", &e)),
    };
    let strip = |a: &String| Text::new(a.trim_end_matches("/32").trim_end_matches("/128"));
    let v4 = r
        .managed_keys_ipv4()
        .map(|k| k.addresses())
        .unwrap_or_default();
    let v6 = r
        .managed_keys_ipv6()
        .map(|k| k.addresses())
        .unwrap_or_default();
    Ok(Some(v4.iter().chain(v6).take(10_000).map(strip).collect()))
}

/// Where a web ACL sends its traffic logs (GetLoggingConfiguration's LogDestinationConfigs: a
/// CloudWatch Logs log group's, an S3 bucket's or a Firehose stream's ARN); empty when it
/// logs nowhere (WAFNonexistentItemException).
pub async fn log_destinations(
    c: &Client,
    acl_arn: &str,
    calls: &mut Calls,
) -> Result<Vec<String>, Failure> {
    calls.add("wafv2:GetLoggingConfiguration");
    match c
        .get_logging_configuration()
        .resource_arn(acl_arn)
        .send()
        .await
    {
        Ok(out) => Ok(out
            .logging_configuration()
            .map(|l| l.log_destination_configs().to_vec())
            .unwrap_or_default()),
        Err(e)
            if e.as_service_error()
                .is_some_and(|se| se.is_waf_nonexistent_item_exception()) =>
        {
            Ok(Vec::new())
        }
        Err(e) => Err(failure("wafv2:GetLoggingConfiguration", &e)),
    }
}
