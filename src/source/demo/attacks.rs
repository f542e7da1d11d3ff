//! The simulated account's Shield Advanced attacks: an HTTP request flood on the catalog's
//! distribution that began nine minutes before the demo starts and ends 26 minutes in, and a
//! network-layer flood the day before, long over. Only on what the subscription protects.

use chrono::{DateTime, Duration, Utc};

use super::DEMO_START;
use super::scenario::Scenario;
use crate::model::Text;
use crate::model::access::Shield;
use crate::model::attack::{Attack, Contributors};

/// Of one kind (`AttackPropertyIdentifier`): its total and its top contributors.
type Kind = (&'static str, i64, &'static [(&'static str, i64)]);

struct Defined {
    id: &'static str,
    /// Minutes from the demo's start (negative: before it).
    from: i64,
    to: i64,
    vectors: &'static [&'static str],
    unit: &'static str,
    contributors: &'static [Kind],
}

const DEFINED: [Defined; 2] = [
    Defined {
        id: "a7e3c1d2-demo-4f10-9b1e-catalogflood",
        from: -9,
        to: 26,
        vectors: &["REQUEST_FLOOD"],
        unit: "REQUESTS",
        contributors: &[
            (
                "SOURCE_IP_ADDRESS",
                1_840_000,
                &[
                    ("203.0.113.77", 212_000),
                    ("198.51.100.23", 160_500),
                    ("203.0.113.140", 98_300),
                ],
            ),
            (
                "SOURCE_COUNTRY",
                1_840_000,
                &[("VN", 610_000), ("BR", 402_000), ("RU", 233_000)],
            ),
            (
                "SOURCE_USER_AGENT",
                1_840_000,
                &[
                    ("python-requests/2.31.0", 1_310_000),
                    ("curl/8.5.0", 96_000),
                ],
            ),
        ],
    },
    Defined {
        id: "5b0f9e44-demo-47c2-8d3a-synflood",
        from: -(24 * 60 + 163),
        to: -(24 * 60 + 135),
        vectors: &["SYN_FLOOD", "UDP_REFLECTION"],
        unit: "PACKETS",
        contributors: &[(
            "SOURCE_ASN",
            98_000_000,
            &[("AS64500", 41_000_000), ("AS64511", 17_500_000)],
        )],
    },
];

/// The attacks begun by `now` on the first distribution Shield protects, newest first.
pub fn attacks(sc: &Scenario, now: DateTime<Utc>) -> Vec<Attack> {
    let Shield::Subscribed { protected } = &sc.shield else {
        return Vec::new();
    };
    let Some(arn) = protected.first() else {
        return Vec::new();
    };
    let at = |m: i64| DEMO_START + Duration::minutes(m);
    DEFINED
        .iter()
        .filter(|d| at(d.from) <= now)
        .map(|d| Attack {
            id: Text::new(d.id),
            resource: arn.clone(),
            started: Some(at(d.from)),
            ended: (at(d.to) <= now).then(|| at(d.to)),
            vectors: d.vectors.iter().map(|v| Text::new(v)).collect(),
            contributors: d
                .contributors
                .iter()
                .map(|(what, total, top)| Contributors {
                    what: Text::new(what),
                    unit: Text::new(d.unit),
                    total: *total,
                    top: top.iter().map(|(n, v)| (Text::new(n), *v)).collect(),
                })
                .collect(),
            place: Default::default(),
        })
        .collect()
}
