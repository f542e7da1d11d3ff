//! WAF's and CloudFront's part of the snapshot: web ACLs with their rules' and countries'
//! series, and distributions.

use super::*;
use crate::source::aws::wafv2::{AclConf, RuleConf};

impl Parts<'_> {
    pub(super) fn web_acls(&self) -> Vec<WebAcl> {
        let f = self.found;
        let arn_to_stage: HashMap<String, Text> = f
            .apis
            .iter()
            .flat_map(|a| {
                a.stages.iter().map(move |s| {
                    (
                        self.stage_arn(&a.id, &s.name),
                        self.stage_name(&a.id, &s.name),
                    )
                })
            })
            .collect();
        f.acls
            .iter()
            .map(|a| {
                let mut protects: Vec<Text> = a
                    .protects
                    .iter()
                    .map(|r| arn_to_stage.get(r).cloned().unwrap_or_else(|| Text::new(r)))
                    .collect();
                protects.extend(
                    self.found
                        .distributions
                        .iter()
                        .filter(|d| {
                            d.web_acl
                                .as_deref()
                                .is_some_and(|w| w == a.arn || w == a.id)
                        })
                        .map(|d| Text::new(&d.id)),
                );
                let countries = self.countries(a);
                WebAcl {
                    place: Default::default(),
                    id: Text::new(&a.id),
                    name: Text::new(&a.name),
                    scope: a.scope,
                    default_action: a.default_action,
                    protects,
                    rules: a.rules.iter().map(|r| self.rule(a, r)).collect(),
                    metrics: waf(self.store, &a.arn, WHOLE_ACL, self.end, true),
                    countries,
                }
            })
            .collect()
    }

    /// One rule as the screens show it: its IP set's size as last read, its series, and
    /// what an earlier toggle here kept, to say what a toggle back puts back.
    fn rule(&self, a: &AclConf, r: &RuleConf) -> Rule {
        Rule {
            name: Text::new(&r.name),
            priority: r.priority,
            kind: match &r.kind {
                // The set's size, as last read.
                RuleKind::IpSet { name, arn, .. } => RuleKind::IpSet {
                    name: name.clone(),
                    arn: arn.clone(),
                    addresses: self
                        .found
                        .ip_sets
                        .iter()
                        .find(|s| s.arn == *arn)
                        .map_or(0, |s| s.addresses.len() as u32),
                },
                other => other.clone(),
            },
            action: r.action,
            metric_name: Text::new(&r.metric_name),
            metrics: waf(self.store, &a.arn, &r.name, self.end, false),
            pending: false,
            custom: r.custom.as_deref().map(Text::new),
            kept: crate::ops::toggled_for(r.action, false)
                .and_then(|to| {
                    self.src.kept_actions.get(&KeptActions::key(
                        a.scope.label(),
                        &a.id,
                        &r.name,
                        to.label(),
                    ))
                })
                .map(|k| Text::new(&k.describe())),
        }
    }

    /// Each country's traffic through one web ACL, as listed for it.
    pub(super) fn countries(&self, a: &crate::source::aws::wafv2::AclConf) -> Vec<CountryTraffic> {
        let mut codes: Vec<&str> = self
            .found
            .specs
            .iter()
            .filter_map(|s| match &s.key {
                SeriesKey::Country {
                    acl_arn, country, ..
                } if *acl_arn == a.arn => Some(country.as_str()),
                _ => None,
            })
            .collect();
        codes.sort();
        codes.dedup();
        let mut countries: Vec<CountryTraffic> = Vec::new();
        for code in codes {
            let s = |metric| {
                self.store.series(
                    &SeriesKey::Country {
                        acl_arn: a.arn.clone(),
                        country: code.to_string(),
                        metric,
                    },
                    self.end,
                )
            };
            countries.push(CountryTraffic {
                country: Text::with_limit(code, 3),
                metrics: WafMetrics {
                    allowed: s(WafMetric::Allowed),
                    blocked: s(WafMetric::Blocked),
                    counted: s(WafMetric::Counted),
                },
            });
        }
        countries
    }

    pub(super) fn distributions(&self) -> Vec<Distribution> {
        let f = self.found;
        let key_by_value: HashMap<Fingerprint, &str> = f
            .keys
            .iter()
            .map(|k| (k.fingerprint, k.id.as_str()))
            .collect();
        let named_as_key = |h: &str| {
            self.src
                .settings
                .key_headers
                .iter()
                .any(|k| k.eq_ignore_ascii_case(h))
        };
        f.distributions
            .iter()
            .map(|d| Distribution {
                place: Default::default(),
                id: Text::new(&d.id),
                domain: Text::new(&d.domain),
                status: d.status,
                web_acl: d.web_acl.as_ref().map(|w| {
                    let acl = self.found.acls.iter().find(|a| &a.arn == w || &a.id == w);
                    Text::new(acl.map_or(w.as_str(), |a| a.name.as_str()))
                }),
                geo_restriction: d.geo_restriction.clone(),
                origins: d
                    .origins
                    .iter()
                    .map(|o| {
                        let (keys, others): (Vec<_>, Vec<_>) =
                            o.headers.iter().partition(|(name, value)| {
                                key_by_value.contains_key(value) || named_as_key(name)
                            });
                        Origin {
                            domain: Text::new(&o.domain),
                            path: Text::new(&o.path),
                            key_headers: keys
                                .into_iter()
                                .map(|(name, value)| OriginKey {
                                    header: Text::new(name),
                                    key_id: key_by_value.get(value).map(|k| Text::new(k)),
                                    fingerprint: Some(*value),
                                })
                                .collect(),
                            other_headers: others
                                .into_iter()
                                .map(|(name, value)| (Text::new(name), *value))
                                .collect(),
                        }
                    })
                    .collect(),
            })
            .collect()
    }
}
