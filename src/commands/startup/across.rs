//! What one account's place needs of the others: the CloudFront clients a rotation checks
//! before it disables a key, and a monitoring account's view of the metrics.

use super::*;

/// A rotation in one account checks, before it disables the old key, that no distribution of
/// any other account in view sends it (a shared CDN account may front another's API): each
/// place is given the CloudFront client of every other account's first place.
pub(super) fn check_distributions_across_accounts(members: &mut [Member<OneSource>]) {
    let cdns: Vec<(String, aws::rotate::OtherCdn)> = members
        .iter()
        .filter_map(|m| match &m.source {
            Some(OneSource::Aws(s)) if s.reads_global() => Some((
                s.account().id.to_string(),
                aws::rotate::OtherCdn {
                    label: format!("{} ({})", m.info.label, s.account().id),
                    cloudfront: s.clients().cloudfront.clone(),
                },
            )),
            _ => None,
        })
        .collect();
    for m in members.iter_mut() {
        if let Some(OneSource::Aws(s)) = &mut m.source {
            let own = s.account().id.to_string();
            let others = cdns
                .iter()
                .filter(|(account, _)| *account != own)
                .map(|(_, c)| c.clone())
                .collect();
            s.check_distributions_of(others);
        }
    }
}

/// CloudWatch cross-account observability: where a monitoring account in view has links from
/// other accounts in view that share their metrics, their metrics (and its own) in that region
/// are read through it, in one GetMetricData. An account that has no sink, or may not list
/// them, reads its own as before.
pub(super) async fn observe_across_accounts(members: &mut [Member<OneSource>]) {
    let links = links_to(members).await;
    let accounts: Vec<String> = members
        .iter()
        .map(|m| m.info.account.id.to_string())
        .collect();
    let seen: Vec<aws::observability::Seen> = members
        .iter()
        .zip(&accounts)
        .zip(&links)
        .map(|((m, account), links)| aws::observability::Seen {
            account,
            region: m.info.account.region.as_str(),
            reads_global: matches!(&m.source, Some(OneSource::Aws(s))
                if s.reads_global() && s.clients().partition.waf_cloudfront.is_some()),
            global_region: match &m.source {
                Some(OneSource::Aws(s)) => s.clients().global_region(),
                _ => aws::connect::GLOBAL_REGION,
            },
            links,
        })
        .collect();
    let routing = aws::observability::routing(&seen);
    let mut hubs: std::collections::HashMap<usize, aws::metric_hub::Hub> = Default::default();
    for r in &routing {
        for via in [&r.regional, &r.global].into_iter().flatten() {
            if let (false, Some(OneSource::Aws(s))) =
                (hubs.contains_key(&via.hub), &members[via.hub].source)
            {
                let hub = aws::metric_hub::Hub::start(
                    s.clients().cloudwatch.clone(),
                    members[via.hub].info.label.clone(),
                );
                hubs.insert(via.hub, hub);
            }
        }
    }
    for (i, r) in routing.into_iter().enumerate() {
        // What each link shares: only those namespaces go through the monitoring account.
        let mut calls = aws::Calls::default();
        let mut route = async |via: Option<aws::observability::Via>, wanted: &[&'static str]| {
            let v = via?;
            let hub = hubs.get(&v.hub)?;
            let Some(account) = &v.account else {
                return Some(hub.route(None));
            };
            let shared =
                aws::observability::shared_namespaces(hub.client(), account, wanted, &mut calls)
                    .await;
            (!shared.is_empty()).then(|| hub.route(v.account.clone()).only(shared))
        };
        let regional = route(r.regional.clone(), &[METRICS_API, METRICS_WAF]).await;
        let global = route(r.global.clone(), &[METRICS_WAF]).await;
        if let Some(OneSource::Aws(s)) = &mut members[i].source {
            s.all_calls.merge(&calls);
        }
        let through = [(&r.regional, &regional), (&r.global, &global)]
            .into_iter()
            .filter_map(|(v, route)| v.as_ref().filter(|_| route.is_some()))
            .find(|v| v.account.is_some())
            .map(|v| v.hub);
        let routes = aws::MetricRoutes { regional, global };
        if routes.regional.is_none() && routes.global.is_none() {
            continue;
        }
        let monitor = through.map(|h| members[h].info.name());
        tracing::info!(place = %members[i].info.name(), ?monitor, "metrics read with a monitoring account's, in one GetMetricData");
        members[i].info.metrics_through = through.map(|h| crate::model::Place(h as u16));
        if let Some(OneSource::Aws(s)) = &mut members[i].source {
            s.route_metrics(routes);
        }
    }
}

/// Each place's links from other accounts that share their metrics with it (none where it
/// is no monitoring account, or may not list them).
async fn links_to(members: &mut [Member<OneSource>]) -> Vec<Vec<aws::observability::Link>> {
    let sources: Vec<Option<&AwsSource>> = members
        .iter()
        .map(|m| match &m.source {
            Some(OneSource::Aws(s)) => Some(&**s),
            _ => None,
        })
        .collect();
    let read = futures::future::join_all(sources.iter().map(|s| async move {
        let mut calls = aws::Calls::default();
        let links = match s {
            Some(s) => aws::observability::links(&s.clients().oam, &mut calls).await,
            None => Ok(Vec::new()),
        };
        (links, calls)
    }))
    .await;
    let mut links = Vec::new();
    for ((result, calls), m) in read.into_iter().zip(members.iter_mut()) {
        if let Some(OneSource::Aws(s)) = &mut m.source {
            s.all_calls.merge(&calls);
        }
        links.push(result.unwrap_or_else(|f| {
            tracing::info!(place = %m.info.name(), failure = %f, "no cross-account observability read");
            Vec::new()
        }));
    }
    links
}

/// The CloudWatch namespaces of the metrics edgetop reads.
const METRICS_API: &str = "AWS/ApiGateway";
const METRICS_WAF: &str = "AWS/WAFV2";
