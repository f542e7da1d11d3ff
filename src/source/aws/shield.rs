//! Shield Advanced: whether the account subscribes (DescribeSubscription, whose
//! ResourceNotFoundException means it does not: a fact, not an error), and what it protects
//! (ListProtections), and the attacks on it (ListAttacks, DescribeAttack). Shield's API is
//! global, in us-east-1.

use aws_sdk_shield::Client;
use aws_sdk_shield::error::ProvideErrorMetadata;
use aws_sdk_shield::primitives::DateTime as AwsTime;
use aws_sdk_shield::types::{AttackProperty, TimeRange};

use super::Calls;
use super::connect::{Failure, failure};
use crate::model::Text;
use crate::model::access::Shield;
use crate::model::attack::{Attack, Contributors};

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

/// Attacks at most described (DescribeAttack) each poll: the newest, ongoing first.
const DESCRIBED: usize = 10;

/// The attacks on the account's resources that started in the last `days` days (ListAttacks,
/// paged), the newest [`DESCRIBED`] with their top contributors (DescribeAttack). A
/// subscriber's account only: Shield's API, like the subscription, is us-east-1's.
pub async fn attacks(
    c: &Client,
    now: chrono::DateTime<chrono::Utc>,
    days: i64,
    calls: &mut Calls,
) -> Result<Vec<Attack>, Failure> {
    let from = AwsTime::from_secs((now - chrono::TimeDelta::days(days)).timestamp());
    let to = AwsTime::from_secs(now.timestamp() + 60);
    let mut found: Vec<Attack> = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        calls.add("shield:ListAttacks");
        let page = c
            .list_attacks()
            .start_time(
                TimeRange::builder()
                    .from_inclusive(from)
                    .to_exclusive(to)
                    .build(),
            )
            .max_results(100)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| failure("shield:ListAttacks", &e))?;
        found.extend(page.attack_summaries().iter().map(|s| {
            Attack {
                id: Text::new(s.attack_id().unwrap_or_default()),
                resource: Text::new(s.resource_arn().unwrap_or_default()),
                started: s.start_time().and_then(time),
                ended: s.end_time().and_then(time),
                vectors: s
                    .attack_vectors()
                    .iter()
                    .map(|v| Text::new(v.vector_type()))
                    .collect(),
                contributors: Vec::new(),
                place: Default::default(),
            }
        }));
        match page.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    found.sort_by_key(|a| (!a.ongoing(), std::cmp::Reverse(a.started)));
    for a in found.iter_mut().take(DESCRIBED) {
        calls.add("shield:DescribeAttack");
        let got = c
            .describe_attack()
            .attack_id(a.id.as_str())
            .send()
            .await
            .map_err(|e| failure("shield:DescribeAttack", &e))?;
        if let Some(detail) = got.attack() {
            a.contributors = contributors(detail.attack_properties());
        }
    }
    Ok(found)
}

fn time(t: &AwsTime) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp(t.secs(), 0)
}

/// Each property's top contributors, at most five of each.
fn contributors(props: &[AttackProperty]) -> Vec<Contributors> {
    props
        .iter()
        .filter(|p| !p.top_contributors().is_empty())
        .map(|p| Contributors {
            what: Text::new(p.attack_property_identifier().map_or("", |i| i.as_str())),
            unit: Text::new(p.unit().map_or("", |u| u.as_str())),
            total: p.total(),
            top: p
                .top_contributors()
                .iter()
                .take(5)
                .map(|c| (Text::new(c.name().unwrap_or_default()), c.value()))
                .collect(),
        })
        .collect()
}
