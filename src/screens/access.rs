//! Access: every control in front of each API and stage — endpoint, resource policy,
//! authorization, API keys, web ACL, the distributions in front, logging — and what about them
//! deserves a look.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Wrap};

use super::{Context, Listed, Loaded, Rows, ScreenView, Sort, TableRows, ViewState, matches_in};
use crate::bypass::DirectHits;
use crate::finding::Finding;
use crate::model::access::{Access, Endpoint, KeySource, Method};
use crate::model::{Panel, Protocol, RestApi, Snapshot, Stage};
use crate::posture;
use crate::theme::{Element as E, Theme};
use crate::widgets::columns::{self, Cells, Column, Shown, SortKey, by, col, col_if};
use crate::widgets::popup::{detail_area, kv, popup};
use crate::widgets::{panel, severity_span, table_title, window};

/// One API and stage, with its findings (most severe first) and the requests that reached it
/// around its CDN.
pub struct AccessRow<'a> {
    pub api: &'a RestApi,
    pub stage: &'a Stage,
    pub findings: Vec<Finding>,
    pub direct: Option<&'a DirectHits>,
}

impl crate::model::Placed for AccessRow<'_> {
    fn place(&self) -> crate::model::Place {
        self.api.place
    }
}

/// The rows, filtered by API, stage, endpoint, web ACL and what the findings say; the most
/// severe finding first.
pub fn rows<'a>(s: &'a Snapshot, hits: &'a [DirectHits], filter: &str) -> Vec<AccessRow<'a>> {
    let mut out: Vec<AccessRow> = s
        .all_stages()
        .map(|(api, stage)| {
            let mut findings = crate::insights::attacks_in_front(s, api, stage);
            findings.extend(posture::of_row(s, hits, api, stage));
            findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
            AccessRow {
                api,
                stage,
                findings,
                direct: crate::bypass::of_stage(hits, api, stage),
            }
        })
        .filter(|r| {
            let findings: Vec<&str> = r.findings.iter().map(|f| f.text.as_str()).collect();
            let mut fields = vec![
                r.api.name.as_str(),
                r.stage.name.as_str(),
                r.api.id.as_str(),
                r.stage.web_acl.as_ref().map_or("", |w| w.as_str()),
                r.api.access.as_ref().map_or("", |a| a.endpoint.label()),
            ];
            fields.extend(findings);
            // The distributions in front, by id: an attack on one leads here.
            fields.extend(s.fronting(r.api, r.stage).map(|d| d.id.as_str()));
            matches_in(s, r.api.place, filter, &fields)
        })
        .collect();
    // What most needs a look first; the account's order among equals.
    out.sort_by_key(|r| std::cmp::Reverse(r.findings.first().map(|f| f.severity)));
    out
}

/// "REGIONAL", "REGIONAL, URL off", "PRIVATE, 2 vpce".
fn endpoint_label(api: &RestApi, a: &Access) -> String {
    let mut out = match api.protocol {
        Protocol::Rest => a.endpoint.label().to_string(),
        Protocol::Http => "HTTP API".to_string(),
    };
    if a.endpoint == Endpoint::Private {
        out.push_str(&format!(", {} vpce", a.vpc_endpoints.len()));
    }
    if a.execute_api_disabled {
        out.push_str(", URL off");
    }
    out
}

/// What the resource policy does, in a word or two.
fn policy_label(api: &RestApi, a: &Access) -> &'static str {
    if api.protocol == Protocol::Http {
        return "n/a (HTTP)";
    }
    let Some(p) = &a.policy else {
        return "none";
    };
    let Some(sum) = &p.summary else {
        return "unreadable";
    };
    if sum.allows_any_source() {
        return "any source";
    }
    let st = &sum.statements;
    if st
        .iter()
        .any(|s| !s.vpc_endpoints.is_empty() || !s.not_vpc_endpoints.is_empty())
    {
        "VPC endpoints"
    } else if st
        .iter()
        .any(|s| !s.source_ips.is_empty() || !s.not_source_ips.is_empty())
    {
        "IP ranges"
    } else {
        "principals"
    }
}

/// The kinds of authorization its methods use (CORS preflights left out): "COGNITO+NONE".
fn auth_label(_: &RestApi, a: &Access) -> String {
    let mut kinds: Vec<&str> = a
        .methods
        .iter()
        .filter(|m| m.method.as_str() != "OPTIONS")
        .map(|m| m.authorization.short())
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    match (kinds.is_empty(), &a.methods_unread) {
        (true, Some(_)) => "not read".into(),
        (true, None) => "no methods".into(),
        (false, _) => kinds.join("+"),
    }
}

/// How many of its methods require an API key: "all", "none", "2 of 3".
fn key_label(api: &RestApi, a: &Access) -> String {
    if api.protocol == Protocol::Http {
        return "n/a".into();
    }
    let methods: Vec<_> = a
        .methods
        .iter()
        .filter(|m| m.method.as_str() != "OPTIONS")
        .collect();
    let with = methods.iter().filter(|m| m.api_key_required).count();
    match (with, methods.len()) {
        (_, 0) => "–".into(),
        (0, _) => "none".into(),
        (w, n) if w == n => "all".into(),
        (w, n) => format!("{w} of {n}"),
    }
}

fn logging_label(st: &Stage) -> String {
    let Some(l) = &st.logging else {
        return "–".into();
    };
    match (l.access_log.is_some(), l.execution.as_str()) {
        (true, "OFF" | "") => "access".into(),
        (true, level) => format!("access+{level}"),
        (false, "OFF" | "") => "off".into(),
        (false, level) => level.into(),
    }
}

/// The cell of a control that comes from the API's access, "–" while it is not known.
/// The table's rows: filtered, in the sort asked for (by default the most severe first).
pub fn listed<'a>(
    s: &'a Snapshot,
    hits: &'a [DirectHits],
    filter: &str,
    sort: Option<Sort>,
) -> Listed<AccessRow<'a>> {
    Listed::new(rows(s, hits, filter), columns::placed(columns()), sort, s)
}

/// The rows as Access lists them: after its filter, in its sort.
pub fn in_view<'a>(data: &'a Loaded, view: &ViewState) -> Vec<AccessRow<'a>> {
    listed(&data.snapshot, &data.direct_hits, &view.filter, view.sort).rows
}

/// What [`known`] shows, to sort by.
fn known_key(r: &AccessRow, label: impl Fn(&RestApi, &Access) -> String) -> SortKey {
    r.api
        .access
        .as_ref()
        .map_or(SortKey::Missing, |a| SortKey::Text(label(r.api, a)))
}

fn known(r: &AccessRow, label: impl Fn(&RestApi, &Access) -> String) -> Cell<'static> {
    Cell::from(
        r.api
            .access
            .as_ref()
            .map_or("–".into(), |a| label(r.api, a)),
    )
}

/// The distributions in front of a stage, and the edges named for it.
fn fronting_label(s: &Snapshot, r: &AccessRow) -> String {
    let ids: Vec<&str> = s
        .fronting(r.api, r.stage)
        .map(|d| d.id.as_str())
        .chain(
            s.edge_ranges
                .iter()
                .filter(|e| crate::bypass::names(e, r.api, r.stage))
                .map(|e| e.source.as_str()),
        )
        .collect();
    match ids.as_slice() {
        [] => "–".into(),
        [one] => one.to_string(),
        [first, rest @ ..] => format!("{first} +{}", rest.len()),
    }
}

fn columns<'a>() -> Vec<Column<AccessRow<'a>>> {
    let columns: [Column<AccessRow<'a>>; _] = [
        by(
            col("API/stage", Constraint::Length(22), |r, _| {
                Cell::from(format!("{}/{}", r.api.name, r.stage.name))
            }),
            |r, _| SortKey::Text(format!("{}/{}", r.api.name, r.stage.name)),
        ),
        by(
            col_if(
                Shown::From(120),
                "endpoint",
                Constraint::Length(17),
                |r, _| known(r, endpoint_label),
            ),
            |r, _| known_key(r, endpoint_label),
        ),
        by(
            col_if(
                Shown::Below(120),
                "endpoint",
                Constraint::Length(8),
                |r, _| {
                    known(r, |api, a| {
                        endpoint_label(api, a)
                            .split(',')
                            .next()
                            .unwrap_or("")
                            .into()
                    })
                },
            ),
            |r, _| known_key(r, endpoint_label),
        ),
        by(
            col_if(
                Shown::From(100),
                "policy",
                Constraint::Length(13),
                |r, _| known(r, |api, a| policy_label(api, a).into()),
            ),
            |r, _| known_key(r, |api, a| policy_label(api, a).into()),
        ),
        by(
            col("auth", Constraint::Length(15), |r, _| known(r, auth_label)),
            |r, _| known_key(r, auth_label),
        ),
        by(
            col("key", Constraint::Length(6), |r, _| known(r, key_label)),
            |r, _| known_key(r, key_label),
        ),
        by(
            col_if(
                Shown::From(120),
                "direct",
                Constraint::Length(7),
                |r, cx| match r.direct {
                    Some(h) => Cell::from(Span::styled(
                        format!("~{}", crate::format::count(h.requests as f64)),
                        cx.th.style(E::TextCritical),
                    )),
                    None if crate::bypass::ranges_known(cx.data, r.api, r.stage) => {
                        Cell::from("none")
                    }
                    None => Cell::from("–"),
                },
            ),
            |r, _| SortKey::maybe(r.direct.map(|h| h.requests as f64)),
        ),
        by(
            col_if(
                Shown::From(180),
                "web ACL",
                Constraint::Length(14),
                |r, _| {
                    Cell::from(
                        r.stage
                            .web_acl
                            .as_ref()
                            .map_or("–".into(), |w| w.to_string()),
                    )
                },
            ),
            |r, _| {
                r.stage
                    .web_acl
                    .as_ref()
                    .map_or(SortKey::Missing, SortKey::text)
            },
        ),
        by(
            col_if(
                Shown::From(120),
                "CDN in front",
                Constraint::Length(16),
                |r, cx| Cell::from(fronting_label(cx.data, r)),
            ),
            |r, d| SortKey::Text(fronting_label(d, r)),
        ),
        by(
            col_if(Shown::From(160), "logs", Constraint::Length(12), |r, _| {
                Cell::from(logging_label(r.stage))
            }),
            |r, _| SortKey::Text(logging_label(r.stage)),
        ),
        // The worst finding's severity: a mark, and the heading the sort's mark goes by.
        by(
            col("!", Constraint::Length(2), |r, cx| {
                r.findings.first().map_or(Cell::from(""), |f| {
                    Cell::from(severity_span(f.severity, cx.th))
                })
            }),
            |r, _| SortKey::maybe(r.findings.first().map(|f| f.severity as u8 as f64)),
        ),
        by(
            col("finding", Constraint::Min(12), |r, cx| {
                match (&r.api.access, r.findings.first()) {
                    (None, _) => Cell::from(Span::styled("not read", cx.th.style(E::TextDim))),
                    (Some(_), None) => {
                        Cell::from(Span::styled("nothing found", cx.th.style(E::TextDim)))
                    }
                    (Some(_), Some(f)) => Cell::from(match r.findings.len() {
                        1 => f.text.clone(),
                        n => format!("{} (+{} more)", f.text, n - 1),
                    }),
                }
            }),
            |r, _| {
                r.findings
                    .first()
                    .map_or(SortKey::Missing, |f| SortKey::text(&f.text))
            },
        ),
    ];
    columns.into()
}

/// The throttle in force at a stage: its own or the account's, and each method's own.
fn throttle_line(st: &Stage) -> String {
    let mut out = match st.applied_throttle() {
        Some((t, account)) => format!(
            "{}/s, burst {}{}",
            crate::format::count(t.rate_limit),
            t.burst_limit,
            if account { " (the account's)" } else { "" }
        ),
        None => "none set".into(),
    };
    for (m, t) in &st.method_throttles {
        out.push_str(&format!(
            "; {m} {}/s, burst {}",
            crate::format::count(t.rate_limit),
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
fn finding_line(x: &Finding, th: &Theme) -> Line<'static> {
    Line::from(vec![
        severity_span(x.severity, th),
        Span::raw(format!(" {}", x.text)),
    ])
}

fn method_columns<'a>() -> Vec<Column<&'a Method>> {
    let columns: [Column<&'a Method>; _] = [
        col("method", Constraint::Length(34), |m, _| {
            Cell::from(m.label())
        }),
        col("authorization", Constraint::Length(26), |m, _| {
            Cell::from(m.authorization.label())
        }),
        col("key", Constraint::Length(4), |m, _| {
            Cell::from(if m.api_key_required { "yes" } else { "no" })
        }),
        col("CORS", Constraint::Min(4), |m, _| {
            Cell::from(m.cors_origin.as_ref().map_or("–".into(), |o| o.to_string()))
        }),
    ];
    columns.into()
}

/// Access: who can call each API, and how.
pub struct AccessScreen;

impl ScreenView for AccessScreen {
    fn title(&self) -> &'static str {
        "Access"
    }

    fn about(&self) -> &'static str {
        "Access: who may call each API, and how"
    }

    fn panels(&self) -> &'static [Panel] {
        &[Panel::Access, Panel::Distributions]
    }

    fn hints(&self, read_only: bool) -> &'static [(&'static str, &'static str)] {
        if read_only {
            &[("block_address", "block (read-only)")]
        } else {
            &[("block_address", "block address")]
        }
    }
    fn rows_are_placed(&self) -> bool {
        true
    }

    fn row_places(&self, data: &Loaded, view: &ViewState) -> Vec<crate::model::Place> {
        in_view(data, view).iter().map(|r| r.api.place).collect()
    }

    fn rows<'a>(&self, data: &'a Loaded, view: &ViewState) -> Option<Box<dyn TableRows + 'a>> {
        let d = &data.snapshot;
        Some(Box::new(Rows {
            listed: listed(d, &data.direct_hits, &view.filter, view.sort),
            data: d,
            id: |r| format!("{}/{}", r.api.name, r.stage.name),
            copy: |r| format!("{}/{}", r.api.name, r.stage.name),
            url: |r, d| {
                let http = r.api.protocol == Protocol::Http;
                crate::model::console::stage(d, r.api.place, r.api.id.as_str(), http)
            },
        }))
    }

    fn row_count(&self, data: &Loaded, filter: &str) -> usize {
        rows(&data.snapshot, &data.direct_hits, filter).len()
    }

    fn draw(&self, f: &mut Frame, area: Rect, cx: &Context, th: &Theme) {
        let listed = listed(cx.data, &cx.loaded.direct_hits, cx.filter, cx.sort);
        let rows = &listed.rows;
        let sel = cx.selected;
        // The table takes what its rows need, at most half; the selected row's findings and
        // methods go below when there is room.
        let below = area.height >= 20;
        let table_h = match below {
            true => (rows.len() as u16 + 3).clamp(5, area.height / 2),
            false => area.height,
        };
        let [table_area, rest] =
            Layout::vertical([Constraint::Length(table_h), Constraint::Min(0)]).areas(area);
        let cells = Cells::new(cx.data, th, area.width);
        let win = window(rows.len(), sel, table_area);
        columns::draw(
            f,
            table_area,
            panel(
                table_title("APIs and stages", cx.filter, sel, rows.len()),
                th,
                true,
            ),
            &listed.columns,
            &rows[win.range.clone()],
            Some(win.selected),
            &cx.table_cells(cells, win.range.start),
        );
        let Some(r) = rows.get(sel).filter(|_| below) else {
            return;
        };
        let [findings_area, methods_area] = if area.width >= 120 {
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(rest)
        } else {
            [rest, Rect::default()]
        };
        let mut lines: Vec<Line> = r.findings.iter().map(|x| finding_line(x, th)).collect();
        if r.api.access.is_none() {
            lines.push(Line::styled(
                "not read yet, or not readable: see above",
                th.style(E::TextDim),
            ));
        } else if lines.is_empty() {
            lines.push(Line::styled("nothing found", th.style(E::TextDim)));
        }
        f.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(panel(
                    format!(" Findings: {}/{} ", r.api.name, r.stage.name),
                    th,
                    false,
                )),
            findings_area,
        );
        if methods_area.width > 0
            && let Some(a) = &r.api.access
        {
            let methods: Vec<&Method> = a.methods.iter().collect();
            columns::draw(
                f,
                methods_area,
                panel(format!(" Methods of {} ", r.api.name), th, false),
                &method_columns(),
                &methods,
                None,
                &cells,
            );
        }
    }

    fn detail(&self, f: &mut Frame, area: Rect, cx: &Context, th: &Theme) {
        let rows = listed(cx.data, &cx.loaded.direct_hits, cx.filter, cx.sort).rows;
        let Some(r) = rows.get(cx.selected) else {
            return;
        };
        let inner = popup(
            f,
            detail_area(area),
            format!(
                " {}/{} ({}) — Esc closes ",
                r.api.name, r.stage.name, r.api.id
            ),
            th,
        );
        let lines = detail_lines(cx.data, r, th);
        f.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .style(th.style(E::Dialog)),
            inner,
        );
    }
}

/// The whole of a row: its findings, its controls, each method, then the policy as written.
fn detail_lines(s: &Snapshot, r: &AccessRow, th: &Theme) -> Vec<Line<'static>> {
    let mut lines: Vec<Line<'static>> = r.findings.iter().map(|x| finding_line(x, th)).collect();
    let Some(a) = &r.api.access else {
        lines.push(kv(
            "access",
            "not read (see the problem above the table)",
            th,
        ));
        return lines;
    };
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
            .map(|(ip, n)| format!("{ip} ({})", crate::format::count(*n as f64)))
            .collect();
        lines.push(kv(
            "direct hits",
            format!(
                "~{} requests from {} addresses since {}: {}",
                crate::format::count(h.requests as f64),
                h.sources.len(),
                h.first.format("%H:%M UTC"),
                top.join(", ")
            ),
            th,
        ));
    }
    for e in crate::bypass::edges_of(s, r.api, r.stage) {
        lines.push(kv(
            "edge ranges",
            format!("{} ({} prefixes)", e.source, e.prefixes.len()),
            th,
        ));
    }
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
    lines.push(kv("Shield", shield_line(s, r), th));
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
            crate::log_format::variables(f.as_str()).join(" "),
            th,
        ));
    }
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
