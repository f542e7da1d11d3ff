//! The Geo screen's rows: each country with what it sent, what stopped it, and by which rule
//! or distribution.

use ratatui::style::Style;

use crate::model::countries;
use crate::model::{Action, GeoList, RuleKind, Snapshot, Text};
use crate::screens::matches;
use crate::theme::{Element as E, Theme};

/// What happens to most of a country's traffic.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Fate {
    /// At least half of it is blocked.
    Blocked,
    /// A fifth or more is blocked or counted: watched.
    Counted,
    Allowed,
}

pub(super) fn fate(r: &CountryRow) -> Fate {
    let total = r.allowed + r.blocked + r.counted;
    if total == 0.0 && !r.cdn.is_empty() {
        // No traffic reaches WAF from a country CloudFront refuses.
        Fate::Blocked
    } else if total > 0.0 && r.blocked / total >= 0.5 {
        Fate::Blocked
    } else if total > 0.0 && (r.blocked + r.counted) / total >= 0.2 {
        Fate::Counted
    } else {
        Fate::Allowed
    }
}

/// The map marker of a country, distinct without colour: blocked ■, counted ▲, allowed ●.
pub(super) fn marker(r: &CountryRow) -> &'static str {
    match fate(r) {
        Fate::Blocked => "■",
        Fate::Counted => "▲",
        Fate::Allowed => "●",
    }
}

pub(super) fn country_style(r: &CountryRow, th: &Theme) -> Style {
    th.style(match fate(r) {
        Fate::Blocked => E::ActionBlock,
        Fate::Counted => E::ActionCount,
        Fate::Allowed => E::ActionAllow,
    })
}

/// One country across all web ACLs: requests per minute (newest full minute) and the last hour.
#[derive(Clone, Debug, PartialEq)]
pub struct CountryRow {
    pub code: Text,
    pub name: &'static str,
    pub allowed: f64,
    pub blocked: f64,
    pub counted: f64,
    pub blocked_in_range: f64,
    pub counted_in_range: f64,
    /// Geo rules that name the country, with their action.
    pub rules: Vec<(Text, Action)>,
    /// Distributions whose own geo restriction refuses the country, and by which list.
    pub cdn: Vec<(Text, GeoList)>,
}

impl CountryRow {
    fn new(s: &Snapshot, code: &Text) -> CountryRow {
        CountryRow {
            code: code.clone(),
            name: countries::name(code.as_str()),
            allowed: 0.0,
            blocked: 0.0,
            counted: 0.0,
            blocked_in_range: 0.0,
            counted_in_range: 0.0,
            rules: geo_rules_naming(s, code.as_str()),
            cdn: distributions_refusing(s, code.as_str()),
        }
    }
}

pub fn countries(s: &Snapshot, filter: &str) -> Vec<CountryRow> {
    let mut rows: Vec<CountryRow> = Vec::new();
    for acl in &s.web_acls {
        for c in &acl.countries {
            let i = match rows.iter().position(|r| r.code == c.country) {
                Some(i) => i,
                None => {
                    rows.push(CountryRow::new(s, &c.country));
                    rows.len() - 1
                }
            };
            let r = &mut rows[i];
            r.allowed += c.metrics.allowed.last();
            r.blocked += c.metrics.blocked.last();
            r.counted += c.metrics.counted.last();
            r.blocked_in_range += c.metrics.blocked.in_window();
            r.counted_in_range += c.metrics.counted.in_window();
        }
    }
    // A country on a CloudFront deny list is a row even without traffic: the list is the news.
    for d in &s.distributions {
        let Some(g) = d
            .geo_restriction
            .as_ref()
            .filter(|g| g.list == GeoList::Deny)
        else {
            continue;
        };
        for code in &g.countries {
            if !rows.iter().any(|r| &r.code == code) {
                rows.push(CountryRow::new(s, code));
            }
        }
    }
    rows.retain(|r| {
        let by: Vec<&str> = r
            .rules
            .iter()
            .map(|(n, _)| n.as_str())
            .chain(r.cdn.iter().map(|(d, _)| d.as_str()))
            .collect();
        matches(filter, &[r.code.as_str(), r.name, &by.join(" ")])
    });
    rows.sort_by(|a, b| {
        let key = |r: &CountryRow| (r.blocked + r.counted, r.allowed);
        key(b)
            .partial_cmp(&key(a))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.code.cmp(&b.code))
    });
    rows
}

pub(super) fn distributions_refusing(s: &Snapshot, code: &str) -> Vec<(Text, GeoList)> {
    s.distributions
        .iter()
        .filter_map(|d| {
            let g = d.geo_restriction.as_ref()?;
            g.refuses(code).then(|| (d.id.clone(), g.list))
        })
        .collect()
}

pub(super) fn geo_rules_naming(s: &Snapshot, code: &str) -> Vec<(Text, Action)> {
    s.rules()
        .filter_map(|(_, r)| match &r.kind {
            RuleKind::Geo { countries } if countries.iter().any(|c| c.as_str() == code) => {
                Some((r.name.clone(), r.action))
            }
            _ => None,
        })
        .collect()
}
