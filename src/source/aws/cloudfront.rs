//! CloudFront: distributions, and which of their origins send an API key as a custom header.

use aws_sdk_cloudfront::Client;

use super::Calls;
use super::connect::{Failure, failure};
use crate::model::text::Fingerprint;
use crate::model::{DistributionStatus, GeoList, GeoRestriction, Text};

#[derive(Clone, Debug)]
pub struct OriginConf {
    pub domain: String,
    /// OriginPath: `/prod` when the origin is a stage's execute-api URL.
    pub path: String,
    /// Every custom header the origin sends: its name, and its value's fingerprint (a key may
    /// travel under any header name, so which ones carry a key is decided by value).
    pub headers: Vec<(String, Fingerprint)>,
}

impl OriginConf {
    /// The names of the headers that send this value.
    pub fn sending<'a>(&'a self, value: &'a Fingerprint) -> impl Iterator<Item = &'a str> {
        self.headers
            .iter()
            .filter(move |(_, f)| f == value)
            .map(|(n, _)| n.as_str())
    }
}

#[derive(Clone, Debug)]
pub struct DistributionConf {
    pub id: String,
    pub domain: String,
    pub status: DistributionStatus,
    /// The web ACL's ARN (WAFv2) or id, as CloudFront reports it.
    pub web_acl: Option<String>,
    pub origins: Vec<OriginConf>,
    pub geo_restriction: Option<GeoRestriction>,
}

/// Restrictions.GeoRestriction: "whitelist" or "blacklist" with its countries; "none" (or an
/// unknown type, shown as none rather than guessed) is no restriction.
fn geo_restriction(d: &aws_sdk_cloudfront::types::DistributionSummary) -> Option<GeoRestriction> {
    use aws_sdk_cloudfront::types::GeoRestrictionType as T;
    let g = d.restrictions()?.geo_restriction()?;
    let list = match g.restriction_type() {
        T::Whitelist => GeoList::Allow,
        T::Blacklist => GeoList::Deny,
        _ => return None,
    };
    Some(GeoRestriction {
        list,
        countries: g.items().iter().map(|c| Text::new(c)).collect(),
    })
}

/// Every distribution with its origins' custom headers.
pub async fn distributions(
    c: &Client,
    calls: &mut Calls,
) -> Result<Vec<DistributionConf>, Failure> {
    let mut out = Vec::new();
    let mut marker: Option<String> = None;
    for _ in 0..100 {
        calls.add("cloudfront:ListDistributions");
        let page = c
            .list_distributions()
            .set_marker(marker.clone())
            .max_items(100)
            .send()
            .await
            .map_err(|e| failure("cloudfront:ListDistributions", &e))?;
        let Some(list) = page.distribution_list() else {
            break;
        };
        for d in list.items() {
            let origins = d
                .origins()
                .map(|o| o.items())
                .unwrap_or_default()
                .iter()
                .map(|o| OriginConf {
                    domain: o.domain_name().to_string(),
                    path: o.origin_path().unwrap_or_default().to_string(),
                    headers: o
                        .custom_headers()
                        .map(|h| h.items())
                        .unwrap_or_default()
                        .iter()
                        .map(|h| {
                            (
                                h.header_name().to_string(),
                                Fingerprint::of(h.header_value()),
                            )
                        })
                        .collect(),
                })
                .collect();
            out.push(DistributionConf {
                id: d.id().to_string(),
                domain: d.domain_name().to_string(),
                status: if d.status() == "Deployed" {
                    DistributionStatus::Deployed
                } else {
                    DistributionStatus::InProgress
                },
                web_acl: Some(d.web_acl_id())
                    .filter(|w| !w.is_empty())
                    .map(str::to_string),
                geo_restriction: geo_restriction(d),
                origins,
            });
        }
        marker = list.next_marker().map(str::to_string);
        if !list.is_truncated() || marker.is_none() {
            break;
        }
    }
    Ok(out)
}
