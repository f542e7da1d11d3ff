//! WAFv2: web ACLs in both scopes with their rules, what they protect, sampled requests and
//! the addresses rate-based rules hold.

use aws_sdk_wafv2::Client;
use aws_sdk_wafv2::types::{ResourceType, Scope as AwsScope};

use super::Calls;
use super::connect::{Failure, failure};

use crate::model::{Action, InnerRule, RuleKind, Scope, Text};

mod rules;
use rules::rule_kind;
pub use rules::{custom_parts, inner_overrides, rule_action};

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
