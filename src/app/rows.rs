//! The rows of each screen's main table, filtered. The UI draws them and the key handler
//! acts on them, so both see the same rows in the same order.

use std::collections::HashMap;

use crate::geo;
use crate::model::{
    Action, ApiKey, RestApi, Rule, RuleKind, Sample, Snapshot, Stage, Text, WebAcl,
};

/// True when every word of `filter` appears in one of `fields` (case-insensitive).
pub fn matches(filter: &str, fields: &[&str]) -> bool {
    filter.split_whitespace().all(|word| {
        let w = word.to_lowercase();
        fields.iter().any(|f| f.to_lowercase().contains(&w))
    })
}

pub fn stages<'a>(s: &'a Snapshot, filter: &str) -> Vec<(&'a RestApi, &'a Stage)> {
    s.stages()
        .filter(|(a, st)| {
            matches(
                filter,
                &[
                    a.name.as_str(),
                    st.name.as_str(),
                    st.web_acl.as_ref().map_or("", |w| w.as_str()),
                ],
            )
        })
        .collect()
}

pub fn rules<'a>(s: &'a Snapshot, filter: &str) -> Vec<(&'a WebAcl, &'a Rule)> {
    s.rules()
        .filter(|(w, r)| {
            let countries = r.kind.countries(" ");
            matches(
                filter,
                &[
                    w.name.as_str(),
                    r.name.as_str(),
                    r.kind.label(),
                    r.action.label(),
                    &countries,
                ],
            )
        })
        .collect()
}

pub fn samples<'a>(s: &'a Snapshot, filter: &str) -> Vec<&'a Sample> {
    s.samples
        .iter()
        .filter(|x| {
            matches(
                filter,
                &[
                    x.client_ip.as_str(),
                    x.country.as_str(),
                    x.method.as_str(),
                    x.uri.as_str(),
                    x.rule.as_str(),
                    x.web_acl.as_str(),
                    x.action.label(),
                    geo::name(x.country.as_str()),
                ],
            )
        })
        .collect()
}

pub fn keys<'a>(s: &'a Snapshot, filter: &str) -> Vec<&'a ApiKey> {
    s.api_keys
        .iter()
        .filter(|k| {
            let plans: Vec<&str> = k
                .plan_ids
                .iter()
                .filter_map(|p| s.plan(p.as_str()))
                .map(|p| p.name.as_str())
                .collect();
            let state = if k.enabled { "enabled" } else { "disabled" };
            matches(
                filter,
                &[k.name.as_str(), k.id.as_str(), state, &plans.join(" ")],
            )
        })
        .collect()
}

/// One country across all web ACLs: requests per minute (newest full minute) and the last hour.
#[derive(Clone, Debug, PartialEq)]
pub struct CountryRow {
    pub code: Text,
    pub name: &'static str,
    pub allowed: f64,
    pub blocked: f64,
    pub counted: f64,
    pub blocked_hour: f64,
    pub counted_hour: f64,
    /// Geo rules that name the country, with their action.
    pub rules: Vec<(Text, Action)>,
}

pub fn countries(s: &Snapshot, filter: &str) -> Vec<CountryRow> {
    let mut rows: Vec<CountryRow> = Vec::new();
    for acl in &s.web_acls {
        for c in &acl.countries {
            let i = match rows.iter().position(|r| r.code == c.country) {
                Some(i) => i,
                None => {
                    rows.push(CountryRow {
                        code: c.country.clone(),
                        name: geo::name(c.country.as_str()),
                        allowed: 0.0,
                        blocked: 0.0,
                        counted: 0.0,
                        blocked_hour: 0.0,
                        counted_hour: 0.0,
                        rules: geo_rules_naming(s, c.country.as_str()),
                    });
                    rows.len() - 1
                }
            };
            let r = &mut rows[i];
            r.allowed += c.metrics.allowed.last();
            r.blocked += c.metrics.blocked.last();
            r.counted += c.metrics.counted.last();
            r.blocked_hour += c.metrics.blocked.sum();
            r.counted_hour += c.metrics.counted.sum();
        }
    }
    rows.retain(|r| {
        let rules: Vec<&str> = r.rules.iter().map(|(n, _)| n.as_str()).collect();
        matches(filter, &[r.code.as_str(), r.name, &rules.join(" ")])
    });
    rows.sort_by(|a, b| {
        let key = |r: &CountryRow| (r.blocked + r.counted, r.allowed);
        key(b)
            .partial_cmp(&key(a))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.code.cmp(&b.code))
    });
    rows
}

fn geo_rules_naming(s: &Snapshot, code: &str) -> Vec<(Text, Action)> {
    s.rules()
        .filter_map(|(_, r)| match &r.kind {
            RuleKind::Geo { countries } if countries.iter().any(|c| c.as_str() == code) => {
                Some((r.name.clone(), r.action))
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_words_must_all_match() {
        assert!(matches("", &["anything"]));
        assert!(matches("pay PROD", &["payments-api", "prod"]));
        assert!(!matches("pay staging", &["payments-api", "prod"]));
    }
}

/// A client address or a country, from sampled requests weighted by what each stands for.
#[derive(Clone, Debug, PartialEq)]
pub struct Talker {
    pub key: Text,
    pub country: Text,
    pub requests: u64,
    pub blocked: u64,
    pub counted: u64,
}

fn weigh(samples: &[Sample], key: impl Fn(&Sample) -> &Text) -> Vec<Talker> {
    let mut index: HashMap<&Text, usize> = HashMap::new();
    let mut out: Vec<Talker> = Vec::new();
    for s in samples {
        let k = key(s);
        let i = *index.entry(k).or_insert_with(|| {
            out.push(Talker {
                key: k.clone(),
                country: s.country.clone(),
                requests: 0,
                blocked: 0,
                counted: 0,
            });
            out.len() - 1
        });
        let t = &mut out[i];
        t.requests += s.weight;
        match s.action {
            Action::Block => t.blocked += s.weight,
            Action::Count => t.counted += s.weight,
            _ => {}
        }
    }
    out.sort_by(|a, b| {
        (b.blocked + b.counted, b.requests)
            .cmp(&(a.blocked + a.counted, a.requests))
            .then(a.key.cmp(&b.key))
    });
    out
}

/// Client IPs by weighted blocked+counted requests, then by volume.
pub fn top_ips(s: &Snapshot) -> Vec<Talker> {
    weigh(&s.samples, |x| &x.client_ip)
}

/// Countries by weighted blocked+counted requests, then by volume.
pub fn top_countries(s: &Snapshot) -> Vec<Talker> {
    weigh(&s.samples, |x| &x.country)
}
