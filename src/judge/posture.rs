//! The access posture: what about an API's controls deserves a look, each with a severity and
//! its reason. Derived from a snapshot alone; the Access screen shows them per row and the
//! Overview's "Unusual now" the warnings among them.

use crate::judge::bypass::{self, DirectHits};
use crate::judge::finding::{Finding, Severity};
use crate::model::access::{Access, Endpoint};
use crate::model::format;
use crate::model::{Distribution, Panel, Protocol, RestApi, Snapshot, Stage};

fn finding(severity: Severity, text: String) -> Finding {
    Finding::new(severity, Panel::Access, text)
}

/// Every finding of every API and stage, most severe first, given the requests that went
/// around a CDN.
pub fn findings(s: &Snapshot, hits: &[DirectHits]) -> Vec<Finding> {
    let mut out = Vec::new();
    for api in s.all_apis() {
        of_api(api, &mut out);
        for st in &api.stages {
            of_stage(s, hits, api, st, &mut out);
        }
    }
    out.sort_by_key(|f| std::cmp::Reverse(f.severity));
    out
}

/// The findings of one row of the Access screen: its API's and its stage's.
pub fn of_row(s: &Snapshot, hits: &[DirectHits], api: &RestApi, st: &Stage) -> Vec<Finding> {
    let mut out = Vec::new();
    of_api(api, &mut out);
    of_stage(s, hits, api, st, &mut out);
    out.sort_by_key(|f| std::cmp::Reverse(f.severity));
    out
}

/// Only what the policy lets through from its own list of sources: an Allow narrowed to
/// addresses or VPC endpoints, or a Deny of every other source.
pub fn fenced_by_policy(a: &Access) -> bool {
    a.policy
        .as_ref()
        .and_then(|p| p.summary.as_ref())
        .is_some_and(|p| {
            !p.allows_any_source()
                && p.statements.iter().any(|st| {
                    (st.effect == Some(crate::model::access::Effect::Allow)
                        && st.has_source_condition())
                        || st.fences_sources()
                })
        })
}

/// Findings about the API as a whole: its policy, its methods, CORS.
fn of_api(api: &RestApi, out: &mut Vec<Finding>) {
    let Some(a) = &api.access else {
        return;
    };
    let name = &api.name;
    match &a.policy {
        Some(p) => match &p.summary {
            Some(sum) if sum.allows_any_source() && a.endpoint != Endpoint::Private => {
                out.push(finding(
                    Severity::Warn,
                    format!("{name}: its resource policy allows any source IP"),
                ));
            }
            Some(_) => {}
            None => out.push(finding(
                Severity::Info,
                format!("{name}: its resource policy could not be summarised; shown as written"),
            )),
        },
        None if a.endpoint == Endpoint::Private => out.push(finding(
            Severity::Warn,
            format!("{name} is PRIVATE with no resource policy: no VPC endpoint may call it"),
        )),
        None => {}
    }
    if let Some(why) = &a.methods_unread {
        out.push(finding(
            Severity::Warn,
            format!(
                "{name}: its methods could not be read ({why}); what they allow is not known{}",
                if a.methods.is_empty() {
                    ""
                } else {
                    " beyond the read before"
                }
            ),
        ));
    }
    let open: Vec<_> = a.methods.iter().filter(|m| m.is_open()).collect();
    if let Some(first) = open.first() {
        let more = match open.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        // Behind VPC endpoints the network is a control of its own.
        let severity = match a.endpoint {
            Endpoint::Private => Severity::Info,
            _ => Severity::Warn,
        };
        out.push(finding(
            severity,
            format!(
                "{name} {}{more} has no authorization and no API key",
                first.label()
            ),
        ));
    }
    if let Some(m) = a
        .methods
        .iter()
        .find(|m| m.cors_origin.as_ref().is_some_and(|o| o.as_str() == "*"))
    {
        out.push(finding(
            Severity::Warn,
            format!(
                "{name}: CORS allows any origin ({} answers Access-Control-Allow-Origin: *)",
                m.label()
            ),
        ));
    }
}

/// Findings about one stage: its throttle, around the CDN, without a web ACL, logging.
fn of_stage(s: &Snapshot, hits: &[DirectHits], api: &RestApi, st: &Stage, out: &mut Vec<Finding>) {
    let name = format!("{}/{}", api.name, st.name);
    refusing_throttles(&name, st, out);
    if bypass::is_fronted(s, api, st) {
        around_the_edge(s, hits, &name, api, st, out);
    }
    let Some(a) = &api.access else {
        return;
    };
    let fronting: Vec<&Distribution> = s.fronting(api, st).collect();
    if !fronting.is_empty() && reachable(a) && !fenced_by_policy(a) {
        direct_url(&name, a, &fronting, out);
    }
    unguarded(&name, s, api, st, a, out);
    key_headers(api, a, &fronting, out);
    domains(&name, s, api, st, a, out);
    unshielded(&name, s, &fronting, out);
    logging(&name, api, st, out);
}

/// Whether the stage's default execute-api URL answers the internet.
fn reachable(a: &Access) -> bool {
    a.endpoint != Endpoint::Private && !a.execute_api_disabled
}

/// A throttle whose rate limit is 0, the stage's (or the account's) or a route's: every request
/// is refused.
fn refusing_throttles(name: &str, st: &Stage, out: &mut Vec<Finding>) {
    if let Some((t, account)) = st.applied_throttle()
        && t.refuses_all()
    {
        let whose = if account { "the account's" } else { "its" };
        out.push(finding(
            Severity::Critical,
            format!(
                "{name} refuses every request: {whose} throttle's rate limit is 0 (API Gateway \
                 answers 429)"
            ),
        ));
    }
    for (route, _) in st.method_throttles.iter().filter(|(_, t)| t.refuses_all()) {
        out.push(finding(
            Severity::Warn,
            format!("{name} {route} refuses every request: its throttle's rate limit is 0"),
        ));
    }
}

/// A fronted stage that answers at its execute-api URL too: how much that lets a caller skip.
fn direct_url(name: &str, a: &Access, fronting: &[&Distribution], out: &mut Vec<Finding>) {
    let keyless = a
        .methods
        .iter()
        .any(|m| !m.api_key_required && m.method.as_str() != "OPTIONS");
    // Methods not read: whether a key is needed is not known, and nothing is said either way
    // (the API's own finding says they could not be read).
    let unknown = a.methods.is_empty() && a.methods_unread.is_some();
    if !unknown {
        let severity = if keyless {
            Severity::Critical
        } else {
            Severity::Info
        };
        let sends_key = fronting
            .iter()
            .any(|d| d.origins.iter().any(|o| !o.key_headers.is_empty()));
        let text = match (keyless, sends_key) {
            (true, _) => format!(
                "{name} can be called directly at its execute-api URL without an API key: \
                 CloudFront and its WAF can be bypassed"
            ),
            (false, true) => format!(
                "{name} answers at its execute-api URL too; only the API key {} sends keeps \
                 others out",
                fronting[0].id
            ),
            (false, false) => format!(
                "{name} answers at its execute-api URL too: a caller with an API key of its \
                 own can go around {} and its web ACL",
                fronting[0].id
            ),
        };
        out.push(finding(severity, text));
    }
}

/// A public stage with neither a web ACL nor a distribution in front.
fn unguarded(
    name: &str,
    s: &Snapshot,
    api: &RestApi,
    st: &Stage,
    a: &Access,
    out: &mut Vec<Finding>,
) {
    if !bypass::is_fronted(s, api, st) && st.web_acl.is_none() && a.endpoint != Endpoint::Private {
        let text = match api.protocol {
            Protocol::Rest => format!("{name}: no web ACL, and no distribution in front"),
            Protocol::Http => format!(
                "{name}: no distribution in front, and an HTTP API takes no web ACL of its own"
            ),
        };
        out.push(finding(Severity::Warn, text));
    }
}

/// A distribution that sends a key header to an API that asks for none.
fn key_headers(api: &RestApi, a: &Access, fronting: &[&Distribution], out: &mut Vec<Finding>) {
    let requires_key = a.methods.iter().any(|m| m.api_key_required);
    for d in fronting.iter().filter(|_| api.protocol == Protocol::Rest) {
        let sends_key = d.origins.iter().any(|o| !o.key_headers.is_empty());
        if sends_key && !requires_key {
            out.push(finding(
                Severity::Warn,
                format!(
                    "distribution {} sends a key header, but {} requires no API key",
                    d.id, api.name
                ),
            ));
        }
    }
}

/// The custom domains mapped to the stage: mutual TLS that the execute-api URL skips, TLS 1.0.
fn domains(
    name: &str,
    s: &Snapshot,
    api: &RestApi,
    st: &Stage,
    a: &Access,
    out: &mut Vec<Finding>,
) {
    for d in s
        .custom_domains
        .iter()
        .filter(|d| d.maps(api.id.as_str(), st.name.as_str()))
    {
        if d.mtls_truststore.is_some() && reachable(a) {
            out.push(finding(
                Severity::Warn,
                format!(
                    "{name}: mutual TLS on {} can be skipped at the execute-api URL \
                     (disableExecuteApiEndpoint is off)",
                    d.name
                ),
            ));
        }
        if d.security_policy.as_str() == "TLS_1_0" {
            out.push(finding(
                Severity::Info,
                format!("{}: accepts TLS 1.0 (security policy TLS_1_0)", d.name),
            ));
        }
    }
}

/// Distributions in front that a Shield Advanced subscription does not protect.
fn unshielded(name: &str, s: &Snapshot, fronting: &[&Distribution], out: &mut Vec<Finding>) {
    if let Some(crate::model::access::Shield::Subscribed { .. }) = &s.shield {
        for d in fronting.iter().filter(|d| {
            !s.shield
                .as_ref()
                .is_some_and(|sh| sh.protects_distribution(d.id.as_str()))
        }) {
            out.push(finding(
                Severity::Info,
                format!(
                    "{name}: distribution {} in front is not protected by Shield Advanced",
                    d.id
                ),
            ));
        }
    }
}

/// An access log that cannot count 429s per key, or none at all.
fn logging(name: &str, api: &RestApi, st: &Stage, out: &mut Vec<Finding>) {
    if let Some(format) = st
        .logging
        .as_ref()
        .filter(|l| l.access_log.is_some() && api.protocol == Protocol::Rest)
        .and_then(|l| l.access_format.as_ref())
    {
        let missing = crate::model::log_format::missing_for_429s(format.as_str());
        if !missing.is_empty() {
            out.push(finding(
                Severity::Info,
                format!(
                    "{name}: its access log cannot count 429s per API key: add {} to its format",
                    missing.join(", ")
                ),
            ));
        }
    }
    if st.logging.as_ref().is_some_and(|l| l.access_log.is_none()) {
        out.push(finding(Severity::Info, format!("{name}: no access log")));
    }
}

/// What the samples show of requests that reached a fronted stage directly.
fn around_the_edge(
    s: &Snapshot,
    hits: &[DirectHits],
    name: &str,
    api: &RestApi,
    st: &Stage,
    out: &mut Vec<Finding>,
) {
    match bypass::of_stage(hits, api, st) {
        Some(h) => {
            let minutes = (s.taken_at - h.first).num_minutes().max(1);
            let from = match h.sources.as_slice() {
                [(ip, _)] => format!("from {ip}"),
                [(ip, n), ..] => format!(
                    "from {} addresses, most from {ip} ({})",
                    h.sources.len(),
                    format::count(*n as f64)
                ),
                [] => String::new(),
            };
            out.push(finding(
                Severity::Critical,
                format!(
                    "{name}: ~{} requests in the last {minutes} min reached it directly, not \
                     through {} ({from})",
                    format::count(h.requests as f64),
                    bypass::edge_name(s, api, st),
                ),
            ));
        }
        None if !bypass::ranges_known(s, api, st) => out.push(finding(
            Severity::Info,
            format!(
                "{name}: {}'s origin-facing addresses are not known, so requests that go \
                 around it cannot be told apart",
                bypass::edge_name(s, api, st)
            ),
        )),
        None => {}
    }
}
