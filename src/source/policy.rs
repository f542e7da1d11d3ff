//! Resource policies: any JSON that AWS allows read into a [`PolicySummary`] of who may call
//! and from where, and a policy that cannot be read kept as its (sanitised) text.
//!
//! What AWS allows, and what this reads (IAM JSON policy reference, "IAM JSON policy elements"
//! and "Condition operators"):
//! - `Statement` is one object or an array of them; `Principal`, `Action` and every condition
//!   value are a string or an array.
//! - `Principal` is `"*"` or an object of `AWS`, `Service`, `Federated`…; `{"AWS": "*"}` is
//!   anyone too. `NotPrincipal` is everyone but.
//! - Condition operators may end in `IfExists` and begin with `ForAnyValue:` or
//!   `ForAllValues:`; condition keys are case-insensitive (`aws:SourceIp`, `aws:sourceip`).
//!
//! API Gateway returns a REST API's policy escaped once more than JSON needs (`{\"Version\"…`
//! with `\/` in address ranges; the AWS provider for Terraform unquotes it the same way), so a
//! text that is not JSON is read again as the inside of a JSON string.

use serde_json::Value;

use crate::model::Text;
#[cfg(test)]
use crate::model::access::glob;
use crate::model::access::{Effect, Policy, PolicySummary, Statement};

/// At most this many lines of a policy are kept for its detail.
const MAX_LINES: usize = 400;

/// Read a policy as an API returned it.
pub fn read(raw: &str) -> Policy {
    let value = parse(raw);
    let summary = value.as_ref().and_then(summarise);
    let text = match &value {
        Some(v) => serde_json::to_string_pretty(v).unwrap_or_else(|_| raw.to_string()),
        None => raw.to_string(),
    };
    Policy {
        lines: text.lines().take(MAX_LINES).map(Text::new).collect(),
        summary,
    }
}

/// The policy as JSON: as it is, or once unescaped.
fn parse(raw: &str) -> Option<Value> {
    let raw = raw.trim();
    if let Ok(v) = serde_json::from_str::<Value>(raw) {
        // A policy sent as a JSON string holding the JSON.
        return match v {
            Value::String(inner) => serde_json::from_str(&inner).ok(),
            v => Some(v),
        };
    }
    let inner: String = serde_json::from_str(&format!("\"{raw}\"")).ok()?;
    serde_json::from_str(&inner).ok()
}

/// A string or an array of them (numbers and booleans as written); anything else is nothing.
fn strings(v: &Value) -> Vec<Text> {
    match v {
        Value::Array(items) => items.iter().flat_map(strings).collect(),
        Value::String(s) => vec![Text::new(s)],
        Value::Number(n) => vec![Text::new(&n.to_string())],
        Value::Bool(b) => vec![Text::new(&b.to_string())],
        _ => Vec::new(),
    }
}

fn summarise(v: &Value) -> Option<PolicySummary> {
    let statements = match v.get("Statement")? {
        Value::Array(items) => items.iter().map(statement).collect::<Option<Vec<_>>>()?,
        one @ Value::Object(_) => vec![statement(one)?],
        _ => return None,
    };
    Some(PolicySummary { statements })
}

fn principals(v: &Value) -> Vec<Text> {
    match v {
        Value::Object(by_kind) => by_kind
            .iter()
            .flat_map(|(kind, who)| {
                strings(who).into_iter().map(move |w| {
                    if w.as_str() == "*" && kind == "AWS" {
                        w
                    } else {
                        Text::new(&format!("{kind} {w}"))
                    }
                })
            })
            .collect(),
        other => strings(other),
    }
}

fn statement(v: &Value) -> Option<Statement> {
    let o = v.as_object()?;
    let mut s = Statement {
        effect: match o.get("Effect").and_then(Value::as_str) {
            Some("Allow") => Some(Effect::Allow),
            Some("Deny") => Some(Effect::Deny),
            _ => None,
        },
        actions: o
            .get("Action")
            .or_else(|| o.get("NotAction"))
            .map(strings)
            .unwrap_or_default(),
        not_action: o.get("Action").is_none() && o.get("NotAction").is_some(),
        resources: o
            .get("Resource")
            .or_else(|| o.get("NotResource"))
            .map(strings)
            .unwrap_or_default(),
        not_resource: o.get("Resource").is_none() && o.get("NotResource").is_some(),
        ..Statement::default()
    };
    if let Some(p) = o.get("Principal") {
        s.principals = principals(p);
    } else if let Some(p) = o.get("NotPrincipal") {
        s.principals = principals(p);
        s.not_principal = true;
    }
    if let Some(Value::Object(conditions)) = o.get("Condition") {
        for (operator, keys) in conditions {
            let Value::Object(keys) = keys else {
                s.other_conditions.push(Text::new(operator));
                continue;
            };
            for (key, values) in keys {
                condition(&mut s, operator, key, strings(values));
            }
        }
    }
    Some(s)
}

/// File one condition where it belongs.
fn condition(s: &mut Statement, operator: &str, key: &str, values: Vec<Text>) {
    let op = operator
        .strip_prefix("ForAnyValue:")
        .or_else(|| operator.strip_prefix("ForAllValues:"))
        .unwrap_or(operator);
    let op = op.strip_suffix("IfExists").unwrap_or(op);
    let key_lower = key.to_ascii_lowercase();
    let target = match (op, key_lower.as_str()) {
        ("IpAddress", "aws:sourceip") => Some(&mut s.source_ips),
        ("NotIpAddress", "aws:sourceip") => Some(&mut s.not_source_ips),
        (
            "StringEquals" | "StringLike" | "StringEqualsIgnoreCase",
            "aws:sourcevpce" | "aws:sourcevpc",
        ) => Some(&mut s.vpc_endpoints),
        (
            "StringNotEquals" | "StringNotLike" | "StringNotEqualsIgnoreCase",
            "aws:sourcevpce" | "aws:sourcevpc",
        ) => Some(&mut s.not_vpc_endpoints),
        _ => None,
    };
    match target {
        Some(list) => list.extend(values),
        None => s
            .other_conditions
            .push(Text::new(&format!("{operator} {key}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn summary(raw: &str) -> PolicySummary {
        read(raw).summary.expect("a policy")
    }

    #[test]
    fn an_allow_for_anyone_with_a_deny_outside_a_range_is_fenced() {
        let p = summary(
            r#"{"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"*"},
              {"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"*",
               "Condition":{"NotIpAddress":{"aws:SourceIp":["203.0.113.0/24","198.51.100.7"]}}}]}"#,
        );
        assert!(!p.allows_any_source());
        assert_eq!(p.statements[1].not_source_ips.len(), 2);
        assert_eq!(
            p.line(),
            "allow *; deny * unless from 203.0.113.0/24,198.51.100.7"
        );
    }

    #[test]
    fn the_escaped_form_api_gateway_returns_reads_the_same() {
        let plain = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"execute-api:Invoke","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}"#;
        let escaped = plain.replace('"', "\\\"").replace('/', "\\/");
        assert_eq!(summary(plain), summary(&escaped));
        let p = summary(&escaped);
        assert_eq!(p.statements[0].source_ips, vec![Text::new("10.0.0.0/8")]);
        assert!(p.statements[0].anyone(), "{{\"AWS\": \"*\"}} is anyone");
        assert!(!p.allows_any_source());
        assert!(read(&escaped).lines.len() > 5, "shown pretty");
    }

    #[test]
    fn operators_with_prefixes_and_suffixes_and_keys_in_any_case_are_understood() {
        let p = summary(
            r#"{"Statement":{"Effect":"Deny","Principal":"*","Action":"*",
                "Condition":{
                  "StringNotEqualsIfExists":{"AWS:SOURCEVPCE":"vpce-1a2b"},
                  "ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":["o-1/*"]},
                  "NotIpAddressIfExists":{"aws:sourceip":"192.0.2.0/24"}}}}"#,
        );
        let s = &p.statements[0];
        assert_eq!(s.not_vpc_endpoints, vec![Text::new("vpce-1a2b")]);
        assert_eq!(s.not_source_ips, vec![Text::new("192.0.2.0/24")]);
        assert_eq!(
            s.other_conditions,
            vec![Text::new("ForAnyValue:StringLike aws:PrincipalOrgPaths")]
        );
    }

    #[test]
    fn an_allow_from_everywhere_is_open() {
        let p = summary(
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke",
                "Condition":{"IpAddress":{"aws:SourceIp":["0.0.0.0/0"]}}}]}"#,
        );
        assert!(p.allows_any_source());
        let p = summary(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:root"},"Action":"*"}]}"#,
        );
        assert!(!p.allows_any_source(), "one account is not anyone");
        assert_eq!(
            p.statements[0].principals,
            vec![Text::new("AWS arn:aws:iam::1:root")]
        );
    }

    #[test]
    fn what_is_not_a_policy_is_kept_as_its_text() {
        for raw in [
            "",
            "not json",
            "[1,2]",
            r#"{"Statement":"x"}"#,
            "{\"a\":\u{1b}]52;c;x\u{7}}",
        ] {
            let p = read(raw);
            assert!(p.summary.is_none(), "{raw:?}");
            for line in &p.lines {
                assert!(!line.as_str().chars().any(crate::model::text::is_unsafe));
            }
        }
    }

    /// A condition value: one string or several.
    fn one_or_many(values: Vec<String>) -> Value {
        match values.as_slice() {
            [one] => Value::String(one.clone()),
            _ => Value::Array(values.into_iter().map(Value::String).collect()),
        }
    }

    #[test]
    fn a_deny_fences_only_invoke_on_the_whole_api_with_no_other_condition() {
        let with_deny = |deny: &str| {
            summary(&format!(
                r#"{{"Statement":[
                  {{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*"}},
                  {deny}]}}"#
            ))
        };
        let fence = r#"{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*","Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}"#;
        assert!(!with_deny(fence).allows_any_source());
        for (not_a_fence, why) in [
            (
                fence.replace("execute-api:Invoke", "execute-api:InvalidateCache"),
                "another action",
            ),
            (
                fence.replace(r#""Action":"#, r#""NotAction":"#),
                "NotAction: every action but Invoke",
            ),
            (
                fence.replace("execute-api:/*", "execute-api:/prod/*"),
                "one stage",
            ),
            (
                fence.replace(
                    "execute-api:/*",
                    "arn:aws:execute-api:eu-west-1:1:abc/*/GET/*",
                ),
                "one method",
            ),
            (
                fence.replace(r#""Resource":"#, r#""NotResource":"#),
                "NotResource",
            ),
            (
                fence.replace(
                    r#"{"NotIpAddress""#,
                    r#"{"Bool":{"aws:SecureTransport":"false"},"NotIpAddress""#,
                ),
                "another condition",
            ),
        ] {
            assert!(
                with_deny(&not_a_fence).allows_any_source(),
                "{why}: {not_a_fence}"
            );
        }
        for fence in [
            fence.replace("execute-api:Invoke", "*"),
            fence.replace("execute-api:Invoke", "Execute-API:*"),
            fence.replace("execute-api:/*", "*"),
            fence.replace(
                "execute-api:/*",
                "arn:aws:execute-api:eu-west-1:1:abc/*/*/*",
            ),
            fence.replace(
                r#""Action":"execute-api:Invoke""#,
                r#""NotAction":"execute-api:InvalidateCache""#,
            ),
        ] {
            assert!(!with_deny(&fence).allows_any_source(), "{fence}");
        }
    }

    /// The requests an outside caller may send: (stage, method, path).
    const REQUESTS: [(&str, &str, &str); 4] = [
        ("prod", "GET", "/"),
        ("prod", "POST", "/orders/1"),
        ("test", "DELETE", "/a/b/c"),
        ("v2", "PUT", "/x"),
    ];

    /// An independent reading: would the Deny `s` refuse each request from an address outside
    /// its ranges? Its action and resource patterns matched as IAM matches them, request by
    /// request.
    fn denies_every_outside_request(s: &Statement) -> bool {
        let pattern_of = |r: &str| match r.strip_prefix("execute-api:") {
            Some(rest) => format!("arn:aws:execute-api:eu-west-1:111122223333:abc123{rest}"),
            None => r.to_string(),
        };
        let action_hit = s
            .actions
            .iter()
            .any(|a| glob(&a.as_str().to_ascii_lowercase(), "execute-api:invoke"));
        let action = action_hit != s.not_action;
        REQUESTS.iter().all(|(stage, method, path)| {
            let arn =
                format!("arn:aws:execute-api:eu-west-1:111122223333:abc123/{stage}/{method}{path}");
            let hit = s
                .resources
                .iter()
                .any(|r| glob(&pattern_of(r.as_str()), &arn));
            let resource = hit != s.not_resource;
            action && resource && s.other_conditions.is_empty()
        })
    }

    proptest! {
        /// A Deny with NotIpAddress fences the API exactly when, read request by request, it
        /// refuses every outside caller's Invoke.
        #[test]
        fn a_deny_fences_exactly_when_it_refuses_every_outside_invoke(
            actions in prop::collection::vec(prop::sample::select(vec![
                "execute-api:Invoke", "execute-api:invoke", "*", "execute-api:*",
                "execute-api:Inv*", "execute-api:InvalidateCache", "execute-api:ManageConnections",
            ]), 1..3),
            not_action in any::<bool>(),
            resources in prop::collection::vec(prop::sample::select(vec![
                "*", "execute-api:/*", "execute-api:/prod/*", "execute-api:/*/GET/*",
                "arn:aws:execute-api:eu-west-1:111122223333:abc123/*",
                "arn:aws:execute-api:eu-west-1:111122223333:abc123/*/*/*",
                "arn:aws:execute-api:eu-west-1:111122223333:abc123/test/*",
            ]), 1..3),
            not_resource in any::<bool>(),
            other in any::<bool>(),
        ) {
            let mut deny = serde_json::json!({
                "Effect": "Deny", "Principal": "*",
                "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}
            });
            deny[if not_action { "NotAction" } else { "Action" }] = serde_json::json!(actions);
            deny[if not_resource { "NotResource" } else { "Resource" }] = serde_json::json!(resources);
            if other {
                deny["Condition"]["Bool"] = serde_json::json!({"aws:SecureTransport": "false"});
            }
            let policy = serde_json::json!({"Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "*"},
                deny,
            ]});
            let p = summary(&policy.to_string());
            let fenced = denies_every_outside_request(&p.statements[1]);
            prop_assert_eq!(p.allows_any_source(), !fenced, "{}", policy);
        }

        /// Whatever arrives, reading it never panics and nothing unsafe is kept.
        #[test]
        fn any_text_is_read_without_a_crash(raw in any::<String>()) {
            let p = read(&raw);
            for line in &p.lines {
                prop_assert!(!line.as_str().chars().any(crate::model::text::is_unsafe));
            }
        }

        /// Any JSON shaped like a policy is summarised, whatever its values.
        #[test]
        fn any_policy_shaped_json_is_summarised(
            effect in prop::sample::select(vec!["Allow", "Deny", "Maybe"]),
            ips in prop::collection::vec("[0-9./]{1,18}", 1..4),
            prefix in prop::sample::select(vec!["", "ForAnyValue:", "ForAllValues:"]),
            suffix in prop::sample::select(vec!["", "IfExists"]),
            not in any::<bool>(),
            key in prop::sample::select(vec!["aws:SourceIp", "AWS:SOURCEIP", "aws:sourceip"]),
            one_statement in any::<bool>(),
            escaped in any::<bool>(),
        ) {
            let op = format!("{prefix}{}IpAddress{suffix}", if not { "Not" } else { "" });
            let st = serde_json::json!({
                "Effect": effect, "Principal": "*", "Action": "execute-api:Invoke",
                "Condition": { op: { key: one_or_many(ips.clone()) } }
            });
            let policy = match one_statement {
                true => serde_json::json!({"Statement": st}),
                false => serde_json::json!({"Statement": [st]}),
            };
            let mut raw = policy.to_string();
            if escaped {
                raw = raw.replace('\\', "\\\\").replace('"', "\\\"").replace('/', "\\/");
            }
            let p = summary(&raw);
            let s = &p.statements[0];
            let found = if not { &s.not_source_ips } else { &s.source_ips };
            let want: Vec<Text> = ips.iter().map(|i| Text::new(i)).collect();
            prop_assert_eq!(found, &want);
            prop_assert!(s.other_conditions.is_empty());
        }
    }
}
