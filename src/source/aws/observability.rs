//! CloudWatch cross-account observability: the sinks of a monitoring account in one region
//! and the source accounts linked to them (Observability Access Manager ListSinks and
//! ListAttachedLinks). A link that shares `AWS::CloudWatch::Metric` lets the monitoring
//! account read that account's metrics, in that region, with its own credentials.

use aws_sdk_oam::Client;

use super::Calls;
use super::connect::{Failure, failure};

/// The resource type of a link that shares metrics (OAM API reference, ResourceType).
pub const METRICS: &str = "AWS::CloudWatch::Metric";

/// A source account linked to one of this account's sinks.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// The source account's id, from the link's ARN.
    pub account: String,
    /// The link shares metrics.
    pub metrics: bool,
}

/// The account that owns a link: the fifth field of its ARN
/// (`arn:partition:oam:region:account-id:link/id`), if that is an account id.
pub fn account_of_link(arn: &str) -> Option<String> {
    let mut parts = arn.splitn(6, ':');
    let (arn_word, _, service, _, account) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let resource = parts.next()?;
    (arn_word == "arn"
        && service == "oam"
        && resource.starts_with("link/")
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit()))
    .then(|| account.to_string())
}

/// Every source account linked to a sink of this account in the client's region. An account
/// with no sink (not a monitoring account) has none.
pub async fn links(c: &Client, calls: &mut Calls) -> Result<Vec<Link>, Failure> {
    let mut sinks = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..100 {
        calls.add("oam:ListSinks");
        let page = c
            .list_sinks()
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| failure("oam:ListSinks", &e))?;
        sinks.extend(
            page.items()
                .iter()
                .filter_map(|s| s.arn().map(str::to_string)),
        );
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    let mut out: Vec<Link> = Vec::new();
    for sink in sinks {
        let mut token: Option<String> = None;
        for _ in 0..100 {
            calls.add("oam:ListAttachedLinks");
            let page = c
                .list_attached_links()
                .sink_identifier(&sink)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| failure("oam:ListAttachedLinks", &e))?;
            for item in page.items() {
                let Some(account) = item.link_arn().and_then(account_of_link) else {
                    continue;
                };
                let metrics = item.resource_types().iter().any(|t| t == METRICS);
                match out.iter_mut().find(|l| l.account == account) {
                    // Linked to two sinks of one account: metrics if either shares them.
                    Some(l) => l.metrics |= metrics,
                    None => out.push(Link { account, metrics }),
                }
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
    }
    out.sort_by(|a, b| a.account.cmp(&b.account));
    Ok(out)
}

/// The namespaces of `wanted` that a monitoring account can list for the linked `account`
/// (ListMetrics with IncludeLinkedAccounts and OwningAccount, one item each): a link's metric
/// filter may leave some out, and then a read through the monitoring account gets no
/// datapoints, silently. A namespace it cannot list (or a call that fails) is read with the
/// place's own credentials, which is right in any case.
pub async fn shared_namespaces(
    monitor: &aws_sdk_cloudwatch::Client,
    account: &str,
    wanted: &[&'static str],
    calls: &mut Calls,
) -> Vec<&'static str> {
    let mut out = Vec::new();
    for ns in wanted {
        calls.add("cloudwatch:ListMetrics");
        let listed = monitor
            .list_metrics()
            .namespace(*ns)
            .include_linked_accounts(true)
            .owning_account(account)
            .send()
            .await;
        match listed {
            Ok(page) if !page.metrics().is_empty() => out.push(*ns),
            Ok(_) => {
                tracing::info!(%account, namespace = ns, "not shared with the monitoring account: read here")
            }
            Err(e) => {
                tracing::info!(%account, namespace = ns, error = %aws_sdk_cloudwatch::error::DisplayErrorContext(&e), "cannot tell what is shared: read here")
            }
        }
    }
    out
}

/// A place as routing sees it: whose, where, whether it reads what is global to its
/// account, and the links to its sinks (none if it monitors nobody or may not say).
#[derive(Clone, Debug)]
pub struct Seen<'a> {
    pub account: &'a str,
    pub region: &'a str,
    pub reads_global: bool,
    /// Where its CLOUDFRONT web ACLs' metrics are (us-east-1 in the commercial partition).
    pub global_region: &'a str,
    pub links: &'a [Link],
}

/// The place whose monitoring account reads a place's metrics in one region, and the source
/// account it reads (None: the monitoring account's own place).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Via {
    pub hub: usize,
    pub account: Option<String>,
}

/// Where a place's metrics are read: in its region, and in us-east-1 (CLOUDFRONT web ACLs).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Routing {
    pub regional: Option<Via>,
    pub global: Option<Via>,
}

/// Where each place's metrics are read. A place's metrics in a region go through the first
/// place, in that region, of a monitoring account with a link from its account that shares
/// metrics; the monitoring account's own place there reads through it too, so that one
/// GetMetricData serves them all. Everything else reads its own.
pub fn routing(places: &[Seen]) -> Vec<Routing> {
    let shares = |m: &Seen, account: &str| {
        m.account != account && m.links.iter().any(|l| l.metrics && l.account == account)
    };
    let in_view = |account: &str| places.iter().any(|p| p.account == account);
    let is_hub = |m: &Seen| {
        m.links
            .iter()
            .any(|l| l.metrics && l.account != m.account && in_view(&l.account))
    };
    let route = |account: &str, region: &str| -> Option<Via> {
        if let Some(hub) = places
            .iter()
            .position(|m| m.region == region && shares(m, account) && in_view(account))
        {
            return Some(Via {
                hub,
                account: Some(account.to_string()),
            });
        }
        places
            .iter()
            .position(|m| m.region == region && m.account == account && is_hub(m))
            .map(|hub| Via { hub, account: None })
    };
    places
        .iter()
        .map(|p| Routing {
            regional: route(p.account, p.region),
            global: p
                .reads_global
                .then(|| route(p.account, p.global_region))
                .flatten(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(account: &str, metrics: bool) -> Link {
        Link {
            account: account.into(),
            metrics,
        }
    }

    fn seen<'a>(account: &'a str, region: &'a str, global: bool, links: &'a [Link]) -> Seen<'a> {
        Seen {
            account,
            region,
            reads_global: global,
            global_region: "us-east-1",
            links,
        }
    }

    fn via(hub: usize, account: Option<&str>) -> Option<Via> {
        Some(Via {
            hub,
            account: account.map(str::to_string),
        })
    }

    #[test]
    fn a_monitoring_account_reads_its_linked_accounts_in_the_regions_it_is_linked_in() {
        let mon_eu = [link("222222222222", true), link("333333333333", false)];
        let mon_us = [link("222222222222", true)];
        let places = [
            seen("111111111111", "eu-west-1", true, &mon_eu),
            seen("111111111111", "us-east-1", false, &mon_us),
            seen("222222222222", "eu-west-1", true, &[]),
            seen("222222222222", "ap-south-1", false, &[]),
            // Linked, but its link shares logs only.
            seen("333333333333", "eu-west-1", true, &[]),
        ];
        let r = routing(&places);
        // The monitor's own places read through their hubs, global metrics in us-east-1's.
        assert_eq!(r[0].regional, via(0, None));
        assert_eq!(r[0].global, via(1, None));
        assert_eq!(r[1].regional, via(1, None));
        assert_eq!(r[1].global, None, "does not read what is global");
        // The linked account, in both regions where it is linked.
        assert_eq!(r[2].regional, via(0, Some("222222222222")));
        assert_eq!(r[2].global, via(1, Some("222222222222")));
        // Not linked in ap-south-1: its own.
        assert_eq!(r[3], Routing::default());
        assert_eq!(r[4], Routing::default());
    }

    #[test]
    fn links_to_accounts_not_in_view_change_nothing() {
        let mon = [link("999999999999", true), link("111111111111", true)];
        let places = [
            seen("111111111111", "eu-west-1", true, &mon),
            seen("222222222222", "eu-west-1", true, &[]),
        ];
        assert_eq!(routing(&places), vec![Routing::default(); 2]);
    }

    #[test]
    fn the_account_of_a_link_is_read_from_its_arn_only_when_it_is_one() {
        let ok = "arn:aws:oam:eu-west-1:222222222222:link/c5b6e8a3-b545";
        assert_eq!(account_of_link(ok).as_deref(), Some("222222222222"));
        assert_eq!(
            account_of_link("arn:aws-cn:oam:cn-north-1:222222222222:link/x").as_deref(),
            Some("222222222222")
        );
        for bad in [
            "",
            "arn:aws:oam:eu-west-1:222222222222:sink/abc",
            "arn:aws:logs:eu-west-1:222222222222:link/abc",
            "arn:aws:oam:eu-west-1:2222:link/abc",
            "arn:aws:oam:eu-west-1:22222222222x:link/abc",
            "arn:aws:oam:eu-west-1:\u{1b}[31m2222222:link/abc",
            "nope:aws:oam:eu-west-1:222222222222:link/abc",
        ] {
            assert_eq!(account_of_link(bad), None, "{bad:?}");
        }
    }
}
