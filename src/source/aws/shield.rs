//! Shield Advanced: whether the account subscribes (DescribeSubscription, whose
//! ResourceNotFoundException means it does not: a fact, not an error), and what it protects
//! (ListProtections). Shield's API is global, in us-east-1.

use aws_sdk_shield::Client;
use aws_sdk_shield::error::ProvideErrorMetadata;

use super::Calls;
use super::connect::{Failure, failure};
use crate::model::Text;
use crate::model::access::Shield;

const MAX_PAGES: usize = 50;

pub async fn state(c: &Client, calls: &mut Calls) -> Result<Shield, Failure> {
    calls.add("shield:DescribeSubscription");
    if let Err(e) = c.describe_subscription().send().await {
        let none = e
            .as_service_error()
            .is_some_and(|s| s.code() == Some("ResourceNotFoundException"));
        return match none {
            true => Ok(Shield::NotSubscribed),
            false => Err(failure("shield:DescribeSubscription", &e)),
        };
    }
    let mut protected = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        calls.add("shield:ListProtections");
        let page = c
            .list_protections()
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| failure("shield:ListProtections", &e))?;
        protected.extend(
            page.protections()
                .iter()
                .filter_map(|p| p.resource_arn())
                .map(Text::new),
        );
        match page.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    Ok(Shield::Subscribed { protected })
}
