//! The Access screen's tables: a row per API and stage (the controls in front of it, what is
//! around it, its worst finding), and a row's methods.

use ratatui::layout::Constraint;
use ratatui::text::Span;
use ratatui::widgets::Cell;

use super::{
    AccessRow, auth_label, endpoint_label, fronting_label, key_label, known, known_key,
    logging_label, policy_label,
};
use crate::model::access::Method;
use crate::theme::Element as E;
use crate::widgets::columns::{self, Column, Shown, SortKey, by, col, col_if};
use crate::widgets::severity_span;

/// The columns of a row, from the API/stage to its worst finding; each sorts the table.
pub(super) fn columns<'a>() -> Vec<Column<AccessRow<'a>>> {
    let name: Column<AccessRow<'a>> = by(
        col("API/stage", Constraint::Length(22), |r, cx| {
            columns::text(&format!("{}/{}", r.api.name, r.stage.name), cx)
        }),
        |r, _| SortKey::Text(format!("{}/{}", r.api.name, r.stage.name)),
    );
    let mut columns = vec![name];
    columns.extend(controls());
    columns.extend(around());
    columns.extend(worst_finding());
    columns
}

/// The API's own controls: its endpoint (two widths), resource policy, authorization, key.
fn controls<'a>() -> [Column<AccessRow<'a>>; 5] {
    [
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
    ]
}

/// What is around the stage: traffic that went around the edge, its web ACL, the CDN in
/// front, its logs.
fn around<'a>() -> [Column<AccessRow<'a>>; 4] {
    [
        by(
            col_if(
                Shown::From(120),
                "direct",
                Constraint::Length(7),
                |r, cx| match r.direct {
                    Some(h) => Cell::from(Span::styled(
                        format!("~{}", crate::model::format::count(h.requests as f64)),
                        cx.th.style(E::TextCritical),
                    )),
                    None if crate::judge::bypass::ranges_known(cx.data, r.api, r.stage) => {
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
                |r, cx| columns::text(&fronting_label(cx.data, r), cx),
            ),
            |r, d| SortKey::Text(fronting_label(d, r)),
        ),
        by(
            col_if(Shown::From(160), "logs", Constraint::Length(12), |r, cx| {
                columns::text(&logging_label(r.stage), cx)
            }),
            |r, _| SortKey::Text(logging_label(r.stage)),
        ),
        // The worst finding's severity: a mark, and the heading the sort's mark goes by.
    ]
}

/// The worst finding: its severity's mark, then what it says.
fn worst_finding<'a>() -> [Column<AccessRow<'a>>; 2] {
    [
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
                    (Some(_), Some(f)) => {
                        let said = match r.findings.len() {
                            1 => f.text.clone(),
                            n => format!("{} (+{} more)", f.text, n - 1),
                        };
                        Cell::from(crate::model::text::fit(&said, cx.column))
                    }
                }
            }),
            |r, _| {
                r.findings
                    .first()
                    .map_or(SortKey::Missing, |f| SortKey::text(&f.text))
            },
        ),
    ]
}

/// A row's methods, in its detail.
pub(super) fn method_columns<'a>() -> Vec<Column<&'a Method>> {
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
        col("CORS", Constraint::Min(4), |m, cx| {
            columns::text(m.cors_origin.as_ref().map_or("–", |o| o.as_str()), cx)
        }),
    ];
    columns.into()
}
