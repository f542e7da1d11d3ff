//! Access: every control in front of each API and stage — endpoint, resource policy,
//! authorization, API keys, web ACL, the distributions in front, logging — and what about them
//! deserves a look.

mod detail;
mod tables;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Paragraph, Wrap};

use super::{Context, Listed, Loaded, Rows, ScreenView, Sort, TableRows, ViewState, matches_in};
use crate::judge::bypass::DirectHits;
use crate::judge::finding::Finding;
use crate::judge::posture;
use crate::model::access::{Access, Endpoint, Method};
use crate::model::{Panel, Protocol, RestApi, Snapshot, Stage};
use crate::theme::{Element as E, Theme};
use crate::widgets::columns::{self, Cells, SortKey};
use crate::widgets::popup::{detail_area, popup};
use crate::widgets::{panel, table_title, window};
use detail::{detail_lines, finding_line};
use tables::{columns, method_columns};

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
            let mut findings = crate::judge::insights::attacks_in_front(s, api, stage);
            findings.extend(posture::of_row(s, hits, api, stage));
            findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
            AccessRow {
                api,
                stage,
                findings,
                direct: crate::judge::bypass::of_stage(hits, api, stage),
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
                .filter(|e| crate::judge::bypass::names(e, r.api, r.stage))
                .map(|e| e.source.as_str()),
        )
        .collect();
    match ids.as_slice() {
        [] => "–".into(),
        [one] => one.to_string(),
        [first, rest @ ..] => format!("{first} +{}", rest.len()),
    }
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
