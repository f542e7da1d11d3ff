//! WAF's sampled requests (GetSampledRequests), with what must not be shown redacted before
//! they go anywhere.

use std::collections::HashSet;

use aws_sdk_wafv2::Client;
use aws_sdk_wafv2::primitives::DateTime as AwsTime;
use aws_sdk_wafv2::types::TimeWindow;
use chrono::{DateTime, Utc};

use super::Calls;
use super::connect::{Failure, failure};
use super::wafv2::{AclConf, aws_scope};
use crate::model::text::Fingerprint;
use crate::model::{Action, Header, Sample, Text, text};

fn to_chrono(t: &AwsTime) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t.to_millis().unwrap_or(0)).unwrap_or_default()
}

fn from_chrono(t: DateTime<Utc>) -> AwsTime {
    AwsTime::from_millis(t.timestamp_millis())
}

fn sample_action(a: Option<&str>) -> Action {
    match a.unwrap_or("").to_ascii_uppercase().as_str() {
        "BLOCK" => Action::Block,
        "COUNT" => Action::Count,
        "CAPTCHA" => Action::Captcha,
        "CHALLENGE" => Action::Challenge,
        _ => Action::Allow,
    }
}

/// What must not be shown of a sampled request: headers with secret-looking or configured key
/// header names, and any header or query parameter whose value is an API key's value of the
/// account, whatever its name (a CloudFront origin may send a key under any header, and a
/// regional web ACL behind it samples that header).
pub struct Redact<'a> {
    pub key_values: &'a HashSet<Fingerprint>,
    pub key_headers: &'a [String],
}

impl Redact<'_> {
    fn is_key(&self, value: &str) -> bool {
        !value.is_empty() && self.key_values.contains(&Fingerprint::of(value))
    }

    pub fn header(&self, name: &str, value: &str) -> (Text, Text) {
        let named = self
            .key_headers
            .iter()
            .any(|k| k.eq_ignore_ascii_case(name));
        if named || self.is_key(value.trim()) {
            (Text::new(name), text::redacted(value))
        } else {
            text::header(name, value)
        }
    }

    /// The URI with the values of secret-looking or key-valued query parameters redacted.
    pub fn uri(&self, uri: &str) -> Text {
        let Some((path, query)) = uri.split_once('?') else {
            return Text::new(uri);
        };
        let params: Vec<String> = query
            .split('&')
            .map(|p| match p.split_once('=') {
                Some((k, v)) if text::is_secret_header(k) || self.is_key(v) => {
                    format!("{k}=<redacted: {} chars>", v.chars().count())
                }
                _ => p.to_string(),
            })
            .collect();
        Text::new(&format!("{path}?{}", params.join("&")))
    }
}

/// The rule a sample names: for a rule inside a managed group (`AWS#Group#Inner`), the web
/// ACL's rule and the inner rule's name, as the WAF screen shows them.
fn sample_rule(within: Option<&str>, rule_label: &str) -> Text {
    match within {
        Some(w) => {
            let inner = w.rsplit('#').next().unwrap_or(w);
            Text::new(&format!("{rule_label} › {inner}"))
        }
        None => Text::new(rule_label),
    }
}

/// Sampled requests of one rule (or, with the web ACL's own metric name, its default action)
/// in `[from, to)`, at most 500. Every field is sanitised; secrets are redacted ([`Redact`]).
#[allow(clippy::too_many_arguments)]
pub async fn samples(
    c: &Client,
    acl: &AclConf,
    rule_metric: &str,
    rule_label: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    redact: &Redact<'_>,
    calls: &mut Calls,
) -> Result<Vec<Sample>, Failure> {
    calls.add("wafv2:GetSampledRequests");
    let window = TimeWindow::builder()
        .start_time(from_chrono(from))
        .end_time(from_chrono(to))
        .build()
        .map_err(|e| Failure::Other {
            action: "wafv2:GetSampledRequests",
            detail: e.to_string(),
        })?;
    let r = c
        .get_sampled_requests()
        .web_acl_arn(&acl.arn)
        .rule_metric_name(rule_metric)
        .scope(aws_scope(acl.scope))
        .time_window(window)
        .max_items(500)
        .send()
        .await
        .map_err(|e| failure("wafv2:GetSampledRequests", &e))?;
    Ok(r.sampled_requests()
        .iter()
        .map(|s| {
            let req = s.request();
            let headers = req
                .map(|q| q.headers())
                .unwrap_or_default()
                .iter()
                .take(40)
                .map(|h| {
                    let (name, value) =
                        redact.header(h.name().unwrap_or_default(), h.value().unwrap_or_default());
                    Header { name, value }
                })
                .collect();
            Sample {
                place: Default::default(),
                time: s.timestamp().map(to_chrono).unwrap_or(to),
                web_acl: Text::new(&acl.name),
                rule: sample_rule(s.rule_name_within_rule_group(), rule_label),
                action: sample_action(s.action()),
                client_ip: Text::new(req.and_then(|q| q.client_ip()).unwrap_or_default()),
                country: Text::with_limit(req.and_then(|q| q.country()).unwrap_or_default(), 3),
                method: Text::with_limit(req.and_then(|q| q.method()).unwrap_or_default(), 12),
                uri: redact.uri(req.and_then(|q| q.uri()).unwrap_or_default()),
                headers,
                labels: s
                    .labels()
                    .iter()
                    .take(20)
                    .map(|l| Text::new(l.name()))
                    .collect(),
                weight: s.weight().max(0) as u64,
                response_code: s.response_code_sent().and_then(|c| u16::try_from(c).ok()),
            }
        })
        .collect())
}
