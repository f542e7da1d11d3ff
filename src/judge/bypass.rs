//! Traffic that went around the edge. A stage that a CloudFront distribution fronts should be
//! reached only from CloudFront's origin-facing addresses: its regional web ACL sees CloudFront
//! as the client. A sampled request at that web ACL from any other address came straight to
//! the stage's execute-api URL. Derived from a snapshot alone.

use std::collections::HashMap;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use ipnet::IpNet;

use crate::model::access::EdgeRanges;
use crate::model::{RestApi, Sample, Scope, Snapshot, Stage, Text};

/// Requests that reached one fronted stage directly, from the samples in hand.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct DirectHits {
    pub api_id: Text,
    pub api: Text,
    pub stage: Text,
    /// Requests they stand for (samples weighted).
    pub requests: u64,
    pub samples: usize,
    /// The addresses they came from, most requests first, with their requests.
    pub sources: Vec<(Text, u64)>,
    /// The oldest and newest of them.
    pub first: DateTime<Utc>,
    pub last: DateTime<Utc>,
}

/// The edges in front of a stage: those named for it (`--ip-ranges-for`), and CloudFront's
/// when one of its distributions fronts it. Empty when nothing does.
pub fn edges_of<'a>(s: &'a Snapshot, api: &RestApi, st: &Stage) -> Vec<&'a EdgeRanges> {
    let mut out: Vec<&EdgeRanges> = s.edge_ranges.iter().filter(|e| names(e, api, st)).collect();
    if s.fronting(api, st).next().is_some() {
        out.extend(s.edge_ranges.iter().filter(|e| e.stages.is_empty()));
    }
    out
}

/// Whether an edge stands in front of the stage: a CloudFront distribution, or one named for it.
pub fn is_fronted(s: &Snapshot, api: &RestApi, st: &Stage) -> bool {
    s.fronting(api, st).next().is_some() || s.edge_ranges.iter().any(|e| names(e, api, st))
}

/// Whether an edge was named for this stage, as "api-name/stage" or "api-id/stage" (API names
/// need not be unique).
pub fn names(e: &EdgeRanges, api: &RestApi, st: &Stage) -> bool {
    e.stages.iter().any(|x| {
        x.as_str().rsplit_once('/').is_some_and(|(a, s)| {
            s == st.name.as_str() && (a == api.name.as_str() || a == api.id.as_str())
        })
    })
}

/// Whether the addresses of the edges in front of a stage are known: without them nothing
/// can be told apart.
pub fn ranges_known(s: &Snapshot, api: &RestApi, st: &Stage) -> bool {
    edges_of(s, api, st).iter().any(|e| !e.prefixes.is_empty())
}

/// What is in front of a stage, for a sentence: the named edge's source, else CloudFront.
pub fn edge_name(s: &Snapshot, api: &RestApi, st: &Stage) -> String {
    match edges_of(s, api, st)
        .into_iter()
        .find(|e| !e.stages.is_empty())
    {
        Some(e) => e.source.to_string(),
        None => "CloudFront".into(),
    }
}

/// Each fronted stage's edge prefixes, by API id and stage name.
type Fronted<'a> = HashMap<(&'a Text, &'a Text), Vec<IpNet>>;

/// The stage a sample at a regional web ACL was sent to, among the `fronted` ones: its Host is
/// the API's execute-api name, and the stage is the first part of its path, or the API's only
/// fronted stage.
fn stage_of<'a>(
    s: &'a Snapshot,
    fronted: &Fronted,
    sample: &Sample,
) -> Option<(&'a RestApi, &'a Stage)> {
    let host = sample
        .headers
        .iter()
        .find(|h| h.name.as_str().eq_ignore_ascii_case("host"))?;
    let id = host.value.as_str().split_once(".execute-api.")?.0;
    let api = s.all_apis().find(|a| a.id.as_str() == id)?;
    let fronted: Vec<&Stage> = api
        .stages
        .iter()
        .filter(|st| fronted.contains_key(&(&api.id, &st.name)))
        .collect();
    let first = sample
        .uri
        .as_str()
        .trim_start_matches('/')
        .split(['/', '?'])
        .next();
    match api.stages.iter().find(|st| Some(st.name.as_str()) == first) {
        Some(st) => fronted
            .iter()
            .any(|f| f.name == st.name)
            .then_some((api, st)),
        None if fronted.len() == 1 => Some((api, fronted[0])),
        None => None,
    }
}

/// Direct hits per fronted stage, most requests first. A stage whose edges' addresses are not
/// known has none: nothing can be told apart there.
pub fn direct_hits(s: &Snapshot) -> Vec<DirectHits> {
    let regional: Vec<&Text> = s
        .web_acls
        .iter()
        .filter(|w| w.scope == Scope::Regional)
        .map(|w| &w.name)
        .collect();
    // Each fronted stage's edge prefixes, parsed once; prefixes that do not parse are left out.
    let mut nets: Fronted = HashMap::new();
    for (api, st) in s.all_stages().filter(|(a, st)| is_fronted(s, a, st)) {
        let parsed = edges_of(s, api, st)
            .iter()
            .flat_map(|e| e.prefixes.iter())
            .filter_map(|p| p.as_str().parse::<IpNet>().ok())
            .collect();
        nets.insert((&api.id, &st.name), parsed);
    }
    let mut by_stage: HashMap<(&Text, &Text), DirectHits> = HashMap::new();
    let mut sources: HashMap<(&Text, &Text), HashMap<&Text, u64>> = HashMap::new();
    for sample in &s.samples {
        if !regional.contains(&&sample.web_acl) {
            continue;
        }
        let Ok(ip) = sample.client_ip.as_str().parse::<IpAddr>() else {
            continue;
        };
        let Some((api, stage)) = stage_of(s, &nets, sample) else {
            continue;
        };
        let key = (&api.id, &stage.name);
        let edges = nets.get(&key).map_or(&[][..], |n| &n[..]);
        if edges.is_empty() || edges.iter().any(|n| n.contains(&ip)) {
            continue;
        }
        let hits = by_stage.entry(key).or_insert_with(|| DirectHits {
            api_id: api.id.clone(),
            api: api.name.clone(),
            stage: stage.name.clone(),
            requests: 0,
            samples: 0,
            sources: Vec::new(),
            first: sample.time,
            last: sample.time,
        });
        hits.requests += sample.weight;
        hits.samples += 1;
        hits.first = hits.first.min(sample.time);
        hits.last = hits.last.max(sample.time);
        *sources
            .entry(key)
            .or_default()
            .entry(&sample.client_ip)
            .or_default() += sample.weight;
    }
    let mut out: Vec<DirectHits> = by_stage
        .into_iter()
        .map(|(key, mut hits)| {
            let mut from: Vec<(Text, u64)> = sources
                .remove(&key)
                .unwrap_or_default()
                .into_iter()
                .map(|(ip, n)| (ip.clone(), n))
                .collect();
            from.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            hits.sources = from;
            hits
        })
        .collect();
    out.sort_by(|a, b| {
        b.requests
            .cmp(&a.requests)
            .then((&a.api, &a.stage).cmp(&(&b.api, &b.stage)))
    });
    out
}

/// The direct hits of one stage, if any.
pub fn of_stage<'a>(
    hits: &'a [DirectHits],
    api: &RestApi,
    stage: &Stage,
) -> Option<&'a DirectHits> {
    hits.iter()
        .find(|h| h.api_id == api.id && h.stage == stage.name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use chrono::TimeZone;

    fn sample(ip: &str, host: &str, uri: &str, acl: &str, weight: u64) -> Sample {
        Sample {
            place: Default::default(),
            time: Utc.with_ymd_and_hms(2026, 11, 30, 1, 0, 0).unwrap(),
            web_acl: Text::new(acl),
            rule: Text::new("Default_Action"),
            action: Action::Allow,
            client_ip: Text::new(ip),
            country: Text::new("DE"),
            method: Text::new("GET"),
            uri: Text::new(uri),
            headers: vec![Header::new("Host", host)],
            labels: vec![],
            weight,
            response_code: Some(200),
        }
    }

    fn account() -> Snapshot {
        let stage = |name: &str| Stage {
            refused: None,
            name: Text::new(name),
            throttle: None,
            account_throttle: None,
            method_throttles: vec![],
            metrics: StageMetrics::default(),
            web_acl: Some(Text::new("edge")),
            logging: None,
        };
        Snapshot {
            apis: vec![RestApi {
                place: Default::default(),
                id: Text::new("abc123"),
                name: Text::new("orders-api"),
                stages: vec![stage("prod"), stage("dev")],
                access: None,
                protocol: Protocol::Rest,
            }],
            web_acls: vec![WebAcl {
                place: Default::default(),
                id: Text::new("1"),
                name: Text::new("edge"),
                scope: Scope::Regional,
                default_action: Action::Allow,
                protects: vec![],
                rules: vec![],
                metrics: WafMetrics::default(),
                countries: vec![],
            }],
            distributions: vec![Distribution {
                place: Default::default(),
                id: Text::new("E1"),
                domain: Text::new("d1.cloudfront.net"),
                status: DistributionStatus::Deployed,
                web_acl: None,
                origins: vec![Origin {
                    other_headers: Default::default(),
                    domain: Text::new("abc123.execute-api.eu-west-1.amazonaws.com"),
                    path: Text::new("/prod"),
                    key_headers: vec![],
                }],
                geo_restriction: None,
            }],
            edge_ranges: vec![EdgeRanges {
                source: Text::new("test"),
                prefixes: vec![
                    Text::new("130.176.0.0/18"),
                    Text::new("2600:9000:2000::/36"),
                ],
                stages: vec![],
            }],
            ..Snapshot::default()
        }
    }

    #[test]
    fn only_requests_from_outside_the_edge_to_a_fronted_stage_count() {
        let mut s = account();
        let host = "abc123.execute-api.eu-west-1.amazonaws.com";
        s.samples = vec![
            sample("130.176.10.1", host, "/prod/items", "edge", 50),
            sample("2600:9000:2001::7", host, "/prod/items", "edge", 50),
            sample("198.51.100.7", host, "/prod/items", "edge", 30),
            sample("198.51.100.7", host, "/items?x=1", "edge", 10),
            sample("203.0.113.9", host, "/prod/orders", "edge", 5),
            // The unfronted stage, another host, an address that is no address.
            sample("198.51.100.8", host, "/dev/items", "edge", 99),
            sample("198.51.100.8", "api.example.com", "/prod/items", "edge", 99),
            sample("not-an-ip", host, "/prod/items", "edge", 99),
        ];
        let hits = direct_hits(&s);
        assert_eq!(hits.len(), 1, "{hits:?}");
        let h = &hits[0];
        assert_eq!((h.api.as_str(), h.stage.as_str()), ("orders-api", "prod"));
        assert_eq!((h.requests, h.samples), (45, 3));
        assert_eq!(
            h.sources,
            vec![
                (Text::new("198.51.100.7"), 40),
                (Text::new("203.0.113.9"), 5)
            ]
        );
    }

    #[test]
    fn without_ranges_nothing_is_told_apart() {
        let mut s = account();
        s.edge_ranges.clear();
        s.samples = vec![sample(
            "198.51.100.7",
            "abc123.execute-api.eu-west-1.amazonaws.com",
            "/prod/items",
            "edge",
            30,
        )];
        assert!(!ranges_known(&s, &s.apis[0], &s.apis[0].stages[0]));
        assert!(direct_hits(&s).is_empty());
    }

    #[test]
    fn a_stage_behind_an_edge_edgetop_cannot_see_uses_that_edges_ranges() {
        let mut s = account();
        s.distributions.clear();
        s.edge_ranges = vec![EdgeRanges {
            source: Text::new("ips-v4"),
            prefixes: vec![Text::new("173.245.48.0/20")],
            stages: vec![Text::new("orders-api/dev")],
        }];
        let host = "abc123.execute-api.eu-west-1.amazonaws.com";
        s.samples = vec![
            sample("173.245.48.9", host, "/dev/items", "edge", 50),
            sample("198.51.100.7", host, "/dev/items", "edge", 7),
            // prod has no edge in front now.
            sample("198.51.100.7", host, "/prod/items", "edge", 9),
        ];
        let hits = direct_hits(&s);
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!((hits[0].stage.as_str(), hits[0].requests), ("dev", 7));
        let (api, dev) = (&s.apis[0], &s.apis[0].stages[1]);
        assert_eq!(edge_name(&s, api, dev), "ips-v4");
    }
}
