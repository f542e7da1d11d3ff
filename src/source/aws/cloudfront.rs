//! CloudFront: distributions, and which of their origins send an API key as a custom header.

use aws_sdk_cloudfront::Client;

use super::Calls;
use super::connect::{Failure, failure};
use crate::model::DistributionStatus;

#[derive(Clone, Debug)]
pub struct OriginConf {
    pub domain: String,
    /// (header name, header value) of each custom header that carries an API key, in order.
    pub key_headers: Vec<(String, String)>,
}

#[derive(Clone, Debug)]
pub struct DistributionConf {
    pub id: String,
    pub domain: String,
    pub status: DistributionStatus,
    /// The web ACL's ARN (WAFv2) or id, as CloudFront reports it.
    pub web_acl: Option<String>,
    pub origins: Vec<OriginConf>,
}

/// `headers` names that carry an API key (lower case), e.g. "x-api-key".
pub async fn distributions(
    c: &Client,
    key_headers: &[String],
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
                    key_headers: o
                        .custom_headers()
                        .map(|h| h.items())
                        .unwrap_or_default()
                        .iter()
                        .filter(|h| {
                            key_headers
                                .iter()
                                .any(|k| k.eq_ignore_ascii_case(h.header_name()))
                        })
                        .map(|h| (h.header_name().to_string(), h.header_value().to_string()))
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
