//! A WAF rule read into the model: its action (or a group's override), what its custom
//! response or headers carry, the overrides inside a managed group, and what kind of rule it
//! is, in a line.

use aws_sdk_wafv2::types as w;

use crate::model::{Action, InnerRule, RuleKind, Text, text};
use crate::ops::kept::Kept;

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

fn action_of(a: Option<&w::RuleAction>) -> Action {
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

pub(super) fn rule_kind(s: Option<&w::Statement>) -> RuleKind {
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
