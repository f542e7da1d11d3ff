//! CloudFront's origin-facing addresses, from the AWS-managed prefix lists
//! `com.amazonaws.global.cloudfront.origin-facing` and its IPv6 twin (EC2
//! DescribeManagedPrefixLists and GetManagedPrefixListEntries). AWS keeps these current; they
//! are what the CloudFront developer guide tells origins to admit ("Use the CloudFront managed
//! prefix list"), the same ranges ip-ranges.json publishes as CLOUDFRONT_ORIGIN_FACING.

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::Filter;

use super::Calls;
use super::connect::{Failure, failure};
use crate::model::Text;
use crate::model::access::EdgeRanges;

pub const PREFIX_LISTS: [&str; 2] = [
    "com.amazonaws.global.cloudfront.origin-facing",
    "com.amazonaws.global.ipv6.cloudfront.origin-facing",
];

/// At most this many pages of a listing (a prefix list holds at most a few hundred entries).
const MAX_PAGES: usize = 20;

pub async fn cloudfront_ranges(c: &Client, calls: &mut Calls) -> Result<EdgeRanges, Failure> {
    calls.add("ec2:DescribeManagedPrefixLists");
    let lists = c
        .describe_managed_prefix_lists()
        .filters(
            Filter::builder()
                .name("prefix-list-name")
                .set_values(Some(PREFIX_LISTS.map(str::to_string).to_vec()))
                .build(),
        )
        .send()
        .await
        .map_err(|e| failure("ec2:DescribeManagedPrefixLists", &e))?;
    let mut ids = Vec::new();
    let mut prefixes = Vec::new();
    for list in lists.prefix_lists() {
        let Some(id) = list.prefix_list_id() else {
            continue;
        };
        ids.push(id.to_string());
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            calls.add("ec2:GetManagedPrefixListEntries");
            let page = c
                .get_managed_prefix_list_entries()
                .prefix_list_id(id)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| failure("ec2:GetManagedPrefixListEntries", &e))?;
            prefixes.extend(
                page.entries()
                    .iter()
                    .filter_map(|e| e.cidr())
                    .map(Text::new),
            );
            match page.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
    }
    Ok(EdgeRanges {
        source: Text::new(&format!(
            "CloudFront origin-facing (AWS-managed prefix list {})",
            if ids.is_empty() {
                "not found".into()
            } else {
                ids.join(", ")
            }
        )),
        prefixes,
        stages: Vec::new(),
    })
}
