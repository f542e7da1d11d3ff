//! A row's detail popup on the Access screen: its findings, its controls, what is in front of
//! it and around it, its logging, each method, then the resource policy as written.

use ratatui::text::{Line, Span};

use super::{AccessRow, endpoint_label, logging_label};
use crate::judge::finding::Finding;
use crate::model::access::{Access, Endpoint, KeySource};
use crate::model::{Protocol, Snapshot, Stage};
use crate::theme::{Element as E, Theme};
use crate::widgets::popup::kv;
use crate::widgets::severity_span;

/// The whole of a row: its findings, its controls, each method, then the policy as written.
pub(super) fn detail_lines(s: &Snapshot, r: &AccessRow, th: &Theme) -> Vec<Line<'static>> {
    let mut lines: Vec<Line<'static>> = r.findings.iter().map(|x| finding_line(x, th)).collect();
    let Some(a) = &r.api.access else {
        lines.push(kv(
            "access",
            "not read (see the problem above the table)",
            th,
        ));
        return lines;
    };
    lines.extend(controls(s, r, a, th));
    lines.extend(in_front(s, r, th));
    lines.extend(domains(s, r, th));
    lines.push(kv("Shield", shield_line(s, r), th));
    lines.extend(logging(r, th));
    lines.extend(methods(a, th));
    lines.extend(policy(r, a, th));
    lines
}

/// What the API and stage themselves control: the endpoint, keys, plans, throttle, web ACL.
fn controls(s: &Snapshot, r: &AccessRow, a: &Access, th: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    lines.push(kv("endpoint", endpoint_label(r.api, a), th));
    for v in &a.vpc_endpoints {
        lines.push(kv("VPC endpoint", v.to_string(), th));
    }
    lines.push(kv(
        "execute-api",
        match (a.endpoint, a.execute_api_disabled) {
            (_, true) => "the default URL is off: only custom domains reach it",
            (Endpoint::Private, false) => "answers only through its VPC endpoints",
            _ => "the default URL answers anyone who reaches it",
        },
        th,
    ));
    lines.push(kv(
        "API keys",
        match (r.api.protocol, a.key_source) {
            (Protocol::Http, _) => "none: HTTP APIs take no API keys",
            (_, KeySource::Header) => "from the x-api-key header",
            (_, KeySource::Authorizer) => "from its Lambda authorizer (usageIdentifierKey)",
        },
        th,
    ));
    let plans: Vec<String> = s
        .usage_plans
        .iter()
        .filter(|p| {
            p.stages
                .iter()
                .any(|x| x.as_str() == format!("{}/{}", r.api.name, r.stage.name))
        })
        .map(|p| p.name.to_string())
        .collect();
    lines.push(kv(
        "usage plans",
        if plans.is_empty() {
            "none".into()
        } else {
            plans.join(", ")
        },
        th,
    ));
    lines.push(kv("throttle", throttle_line(r.stage), th));
    lines.push(kv(
        "web ACL",
        r.stage
            .web_acl
            .as_ref()
            .map_or("none".into(), |w| w.to_string()),
        th,
    ));
    lines
}

/// What is in front of the stage and what went around it: distributions, direct hits, the
/// edge ranges they were told apart by.
fn in_front(s: &Snapshot, r: &AccessRow, th: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for d in s.fronting(r.api, r.stage) {
        let headers: Vec<&str> = d
            .origins
            .iter()
            .flat_map(|o| o.key_headers.iter().map(|h| h.header.as_str()))
            .collect();
        let geo = d.geo_restriction.as_ref().map_or(String::new(), |g| {
            let codes: Vec<&str> = g.countries.iter().map(|c| c.as_str()).collect();
            format!(", {} {}", g.list.label(), codes.join(" "))
        });
        lines.push(kv(
            "in front",
            format!(
                "{} (web ACL {}, key header {}{geo})",
                d.id,
                d.web_acl.as_ref().map_or("none", |w| w.as_str()),
                if headers.is_empty() {
                    "none".into()
                } else {
                    headers.join(", ")
                },
            ),
            th,
        ));
    }
    if let Some(h) = r.direct {
        let top: Vec<String> = h
            .sources
            .iter()
            .take(5)
            .map(|(ip, n)| format!("{ip} ({})", crate::model::format::count(*n as f64)))
            .collect();
        lines.push(kv(
            "direct hits",
            format!(
                "~{} requests from {} addresses since {}: {}",
                crate::model::format::count(h.requests as f64),
                h.sources.len(),
                h.first.format("%H:%M UTC"),
                top.join(", ")
            ),
            th,
        ));
    }
    for e in crate::judge::bypass::edges_of(s, r.api, r.stage) {
        lines.push(kv(
            "edge ranges",
            format!("{} ({} prefixes)", e.source, e.prefixes.len()),
            th,
        ));
    }
    lines
}

/// The custom domains that map to the stage, with their paths and TLS.
fn domains(s: &Snapshot, r: &AccessRow, th: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for d in s
        .custom_domains
        .iter()
        .filter(|d| d.maps(r.api.id.as_str(), r.stage.name.as_str()))
    {
        let paths: Vec<String> = d
            .mappings
            .iter()
            .filter(|m| m.api_id == r.api.id)
            .map(|m| format!("/{}", m.base_path.as_str().trim_start_matches('/')))
            .collect();
        let mtls = d
            .mtls_truststore
            .as_ref()
            .map_or("no mutual TLS".into(), |t| {
                format!("mutual TLS, truststore {t}")
            });
        lines.push(kv(
            "domain",
            format!(
                "{}{} ({mtls}, {})",
                d.name,
                paths.join(", "),
                d.security_policy
            ),
            th,
        ));
    }
    lines
}

/// The stage's logging: where its access log goes and what its records hold.
fn logging(r: &AccessRow, th: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    lines.push(kv("logging", logging_label(r.stage), th));
    if let Some(dest) = r.stage.logging.as_ref().and_then(|l| l.access_log.as_ref()) {
        lines.push(kv("access log", dest.to_string(), th));
    }
    if let Some(f) = r
        .stage
        .logging
        .as_ref()
        .and_then(|l| l.access_format.as_ref())
    {
        lines.push(kv(
            "log records",
            crate::model::log_format::variables(f.as_str()).join(" "),
            th,
        ));
    }
    lines
}

/// Each method, aligned: its authorization, API key and CORS.
fn methods(a: &Access, th: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if let Some(why) = &a.methods_unread {
        lines.push(kv("methods", format!("not read: {why}"), th));
    }
    let width = a.methods.iter().map(|m| m.label().len()).max().unwrap_or(0);
    for m in &a.methods {
        let key = if m.api_key_required { ", API key" } else { "" };
        let cors = m
            .cors_origin
            .as_ref()
            .map_or(String::new(), |o| format!(", CORS {o}"));
        lines.push(kv(
            "method",
            format!(
                "{:<width$}  {}{key}{cors}",
                m.label(),
                m.authorization.label()
            ),
            th,
        ));
    }
    lines
}

/// The resource policy: its summary, then as written.
fn policy(r: &AccessRow, a: &Access, th: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    match &a.policy {
        None if r.api.protocol == Protocol::Http => {
            lines.push(kv("policy", "none: HTTP APIs take no resource policy", th))
        }
        None => lines.push(kv("policy", "none", th)),
        Some(p) => {
            if let Some(sum) = &p.summary {
                lines.push(kv("policy", sum.line(), th));
            }
            lines.push(Line::styled(
                "resource policy, as written:",
                th.style(E::HeaderLabel),
            ));
            lines.extend(p.lines.iter().map(|l| Line::raw(l.to_string())));
        }
    }
    lines
}
/// The throttle in force at a stage: its own or the account's, and each method's own.
fn throttle_line(st: &Stage) -> String {
    let mut out = match st.applied_throttle() {
        Some((t, account)) => format!(
            "{}/s, burst {}{}",
            crate::model::format::count(t.rate_limit),
            t.burst_limit,
            if account { " (the account's)" } else { "" }
        ),
        None => "none set".into(),
    };
    for (m, t) in &st.method_throttles {
        out.push_str(&format!(
            "; {m} {}/s, burst {}",
            crate::model::format::count(t.rate_limit),
            t.burst_limit
        ));
    }
    out
}

/// Shield Advanced for a row: the distributions in front, protected or not.
fn shield_line(s: &Snapshot, r: &AccessRow) -> String {
    use crate::model::access::Shield;
    let fronting: Vec<&str> = s.fronting(r.api, r.stage).map(|d| d.id.as_str()).collect();
    match &s.shield {
        None => "not read (see the problem above the table)".into(),
        Some(Shield::NotSubscribed) => "no Shield Advanced subscription".into(),
        Some(sh @ Shield::Subscribed { .. }) if !fronting.is_empty() => fronting
            .iter()
            .map(|id| match sh.protects_distribution(id) {
                true => format!("{id} protected"),
                false => format!("{id} not protected"),
            })
            .collect::<Vec<_>>()
            .join(", "),
        Some(Shield::Subscribed { .. }) => {
            "subscribed; no distribution in front to protect (a stage is not a Shield resource)"
                .into()
        }
    }
}

/// A finding as a line: its mark, then what it says.
pub(super) fn finding_line(x: &Finding, th: &Theme) -> Line<'static> {
    Line::from(vec![
        severity_span(x.severity, th),
        Span::raw(format!(" {}", x.text)),
    ])
}
