//! The hostile samples: terminal escapes, an OSC 52 clipboard write, an 8-bit CSI, a bidi
//! override and a very long value — built raw, as an attacker would send them, and passed
//! through `Text` like any string from AWS. One per minute, early in the minute, so the newest
//! samples always include one.

use chrono::Duration;

use super::minute::{World, minute_start};
use super::noise::{hash, unit};
use super::origin_countries::{self, COUNTRIES};
use super::scenario::REGIONAL;
use crate::model::{Action, Header, Sample, Text};

const CRS: &str = "AWS-AWSManagedRulesCommonRuleSet";
const BROWSER: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/// What the attacker put where.
struct Payload {
    uri: String,
    user_agent: String,
    extra: Vec<(&'static str, String)>,
    code: u16,
}

fn payload(kind: i64) -> Payload {
    let plain = |uri: &str, code| Payload {
        uri: uri.into(),
        user_agent: BROWSER.into(),
        extra: Vec::new(),
        code,
    };
    match kind {
        0 => plain(
            "/v1/search?q=\x1b[2J\x1b[H\x1b[1;31mSESSION EXPIRED - re-enter AWS keys",
            200,
        ),
        1 => Payload {
            user_agent: "Mozilla/5.0 \x1b]52;c;ZWNobyBwd25lZA==\x07(X11; Linux x86_64)".into(),
            ..plain("/v1/products/4242", 200)
        },
        2 => Payload {
            extra: vec![
                (
                    "referer",
                    "https://shop.example/\u{9b}31mSALE\u{9b}0m".into(),
                ),
                ("accept-language", "en-GB,en;q=0.9\u{9b}2J".into()),
            ],
            ..plain("/v1/products?category=sale", 200)
        },
        3 => plain("/files/\u{202e}gnp.exe", 404),
        _ => Payload {
            extra: vec![(
                "referer",
                format!("https://t.example/?r={}", "B".repeat(4_000)),
            )],
            ..plain(&format!("/v1/search?q={}", "A".repeat(4_000)), 403)
        },
    }
}

/// The hostile sample of minute `m` (kinds rotate minute by minute).
pub fn sample(w: &World, m: i64) -> Sample {
    let sc = w.sc;
    let kind = m.rem_euclid(5);
    let h = hash(&[sc.seed, 0xba, m as u64]);
    let country = origin_countries::global_split()[(h % 20) as usize].0;
    let ip = origin_countries::client_ip(sc.seed, country, h % 1000);
    let mut p = payload(kind);
    let (rule, action) = if kind == 4 {
        crs_verdict(w, m)
    } else {
        ("Default_Action", Action::Allow)
    };
    if action == Action::Count {
        p.code = 200;
    }
    let mut headers = vec![
        Header::new("host", &sc.origin_domain(2)),
        Header::new("user-agent", &p.user_agent),
        Header::new("accept", "*/*"),
    ];
    headers.extend(p.extra.iter().map(|(n, v)| Header::new(n, v)));
    let mut labels = vec![Text::new(&format!(
        "awswaf:clientip:geo:country:{}",
        COUNTRIES[country].code
    ))];
    if kind == 4 {
        labels.push(Text::new(
            "awswaf:managed:aws:core-rule-set:SizeRestrictions_QueryString",
        ));
    }
    Sample {
        place: Default::default(),
        time: minute_start(m) + Duration::milliseconds(1_000 + (unit(&[h, 1]) * 3_000.0) as i64),
        web_acl: Text::new(sc.acls[REGIONAL].name),
        rule: Text::new(rule),
        action,
        client_ip: Text::new(&ip),
        country: Text::new(COUNTRIES[country].code),
        method: Text::new("GET"),
        uri: Text::new(&p.uri),
        headers,
        labels,
        weight: 1,
        response_code: Some(p.code),
    }
}

/// The common rule set's verdict on an oversized query string in minute `m`.
fn crs_verdict(w: &World, m: i64) -> (&'static str, Action) {
    let r = sc_rule(w, CRS);
    match w.tl.action_in_minute(w.sc, REGIONAL, r, m) {
        Action::Count => (CRS, Action::Count),
        _ => (CRS, Action::Block),
    }
}

fn sc_rule(w: &World, name: &str) -> usize {
    w.sc.acls[REGIONAL]
        .rules
        .iter()
        .position(|r| r.name == name)
        .unwrap_or(0)
}
