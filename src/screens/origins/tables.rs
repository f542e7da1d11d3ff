//! The Origins screen's tables: the top talkers (addresses or countries), the addresses
//! rate-based rules hold now, and the live tail of sampled requests.

use super::*;

/// A table of talkers: client IPs (with their country) or countries.
pub(super) fn talkers(
    f: &mut Frame,
    area: Rect,
    title: &str,
    columns: &[Column<Talker>],
    list: &[Talker],
    cx: &Cells,
) {
    let shown = &list[..list.len().min(area.height as usize)];
    columns::draw(
        f,
        area,
        panel(title, cx.th, false),
        columns,
        shown,
        None,
        cx,
    );
}

pub(super) fn talker_columns(what: &'static str, by_ip: bool) -> Vec<Column<Talker>> {
    let name = if by_ip {
        col(what, Constraint::Min(15), |t: &Talker, cx: &Cells| {
            Cell::from(fit(t.key.as_str(), cx.column))
        })
    } else {
        col(what, Constraint::Min(15), |t: &Talker, cx: &Cells| {
            let name = match countries::name(t.key.as_str()) {
                "" => "unknown",
                name => name,
            };
            Cell::from(fit(&format!("{} {name}", t.key), cx.column))
        })
    };
    let mut columns = vec![name];
    if by_ip {
        columns.push(col("cc", Constraint::Length(2), |t, cx| {
            Cell::from(fit(t.country.as_str(), cx.column))
        }));
    }
    let counts: [Column<Talker>; _] = [
        col("reqs", Constraint::Length(6), |t, _| num(t.requests as f64)),
        col("block", Constraint::Length(6), |t, _| num(t.blocked as f64)),
        col("count", Constraint::Length(6), |t, _| num(t.counted as f64)),
    ];
    columns.extend(counts);
    columns
}

pub(super) fn draw_held(f: &mut Frame, area: Rect, cx: &Cells) {
    let held = &cx.data.rate_limited;
    let columns: [Column<RateLimitedIp>; _] = [
        col("address", Constraint::Min(15), |r, cx| {
            address_cell(r.address.as_str(), r.place, cx)
        }),
        col("rule", Constraint::Length(16), |r, cx| {
            Cell::from(Span::styled(
                fit(r.rule.as_str(), cx.column),
                cx.th.style(E::ActionBlock),
            ))
        }),
    ];
    let title = format!(" Rate-limited now: {} ", held.len());
    columns::draw(
        f,
        area,
        panel(title, cx.th, false),
        &columns,
        held,
        None,
        cx,
    );
}

/// From this width the samples show the rule and the weight.
pub(super) const TAIL_WIDE: u16 = 90;

pub(super) fn sample_columns<'a>() -> Vec<Column<&'a Sample>> {
    let columns: [Column<&'a Sample>; _] = [
        by(
            col("time", Constraint::Length(8), |s, cx| {
                Cell::from(Span::styled(
                    s.time.format("%H:%M:%S").to_string(),
                    cx.th.style(E::TextDim),
                ))
            }),
            |s, _| SortKey::num(s.time.timestamp_millis() as f64),
        ),
        by(
            col("action", Constraint::Length(6), |s, cx| {
                Cell::from(action_span(s.action, false, cx.th))
            }),
            |s, _| SortKey::text(s.action.label()),
        ),
        by(
            col_if(
                Shown::From(TAIL_WIDE),
                "rule",
                Constraint::Length(16),
                |s, cx| Cell::from(fit(s.rule.as_str(), cx.column)),
            ),
            |s, _| SortKey::text(&s.rule),
        ),
        // An address or a URI cut short would name another: it says it is cut.
        by(
            col("cc", Constraint::Length(2), |s, cx| {
                Cell::from(fit(s.country.as_str(), cx.column))
            }),
            |s, _| SortKey::text(&s.country),
        ),
        by(
            col("client IP", Constraint::Length(15), |s, cx| {
                address_cell(s.client_ip.as_str(), s.place, cx)
            }),
            |s, _| address_key(s.client_ip.as_str()),
        ),
        by(
            col("verb", Constraint::Length(6), |s, cx| {
                Cell::from(fit(s.method.as_str(), cx.column))
            }),
            |s, _| SortKey::text(&s.method),
        ),
        by(
            col("URI", Constraint::Min(10), |s, cx| {
                Cell::from(fit(s.uri.as_str(), cx.column))
            }),
            |s, _| SortKey::text(&s.uri),
        ),
        by(
            col_if(
                Shown::From(TAIL_WIDE),
                "weight",
                Constraint::Length(6),
                |s, _| right(s.weight.to_string()),
            ),
            |s, _| SortKey::num(s.weight as f64),
        ),
    ];
    columns.into()
}

pub(super) fn draw_tail(f: &mut Frame, area: Rect, cx: &Context, th: &Theme) {
    let d = cx.data;
    let filter = cx.filter;
    let listed = listed(d, filter, cx.sort);
    let samples = &listed.rows;
    let sel = cx.selected;
    let win = window(samples.len(), sel, area);
    let title = table_title("Sampled requests, newest first", filter, sel, samples.len());
    let mut cells = Cells::new(d, th, area.width);
    cells.blocks = Some(&cx.loaded.blocks);
    let cells = cx.table_cells(cells, win.range.start);
    columns::draw(
        f,
        area,
        panel(title, th, true),
        &listed.columns,
        &samples[win.range.clone()],
        Some(win.selected),
        &cells,
    );
}

/// A client address, and after it what blocking it has come to ("blocked", or ⊘ in a narrow
/// column; "blocking…" or ◌ until a read shows it) when there is room for both (the address
/// whole first: a cut one would name another).
pub(super) fn address_cell(address: &str, place: crate::model::Place, cx: &Cells) -> Cell<'static> {
    use crate::model::ip_set::BlockMark;
    let Some(m) = cx.blocks.and_then(|b| b.mark(place, address)) else {
        return Cell::from(fit(address, cx.column));
    };
    let room = cx.column as usize;
    let mark = if room == 0 || address.len() + 1 + m.label().len() <= room {
        m.label()
    } else if address.len() + 2 <= room {
        m.glyph()
    } else {
        return Cell::from(fit(address, cx.column));
    };
    let style = match m {
        BlockMark::Applying => E::Pending,
        BlockMark::Blocked => E::ActionBlock,
    };
    Cell::from(Line::from(vec![
        Span::raw(format!("{address} ")),
        Span::styled(mark, cx.th.style(style)),
    ]))
}
