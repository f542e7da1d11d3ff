//! WAF IP sets that rules of the web ACLs in view reference, and the entries edgetop added to
//! them (with an expiry, when asked): what "block an address" acts on and undoes.

use chrono::{DateTime, Utc};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use super::{Action, Place, Rule, RuleKind, Scope, Snapshot, Text, WebAcl};

/// The rules of web ACLs of `set`'s place and scope that reference it with `action`.
pub fn referencing<'a>(
    snap: &'a Snapshot,
    set: &IpSet,
    action: Action,
) -> Vec<(&'a WebAcl, &'a Rule)> {
    snap.web_acls
        .iter()
        .filter(|a| a.place == set.place && a.scope == set.scope)
        .flat_map(|a| a.rules.iter().map(move |r| (a, r)))
        .filter(|(_, r)| {
            r.action == action && matches!(&r.kind, RuleKind::IpSet { arn, .. } if *arn == set.arn)
        })
        .collect()
}

/// What a client address shown in `place` has become: sent to a Block rule's IP set and not
/// read back yet, or in one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockMark {
    Applying,
    Blocked,
}

impl BlockMark {
    pub fn label(self) -> &'static str {
        match self {
            BlockMark::Applying => "blocking…",
            BlockMark::Blocked => "blocked",
        }
    }

    /// One character, for a column with no room for the word (the legend is in the help).
    pub fn glyph(self) -> &'static str {
        match self {
            BlockMark::Applying => "◌",
            BlockMark::Blocked => "⊘",
        }
    }
}

/// The ranges of the IP sets that Block rules use, parsed once per snapshot (a set holds up to
/// 10,000): what every address on screen is looked up in.
#[derive(Clone, Debug, Default)]
pub struct BlockIndex {
    ranges: Vec<(Place, IpNet, BlockMark)>,
}

impl BlockIndex {
    pub fn of(snap: &Snapshot) -> BlockIndex {
        let mut ranges = Vec::new();
        for set in &snap.ip_sets {
            if referencing(snap, set, Action::Block).is_empty() {
                continue;
            }
            let parsed = |list: &[Text], mark| {
                list.iter()
                    .filter_map(|a| a.as_str().parse::<IpNet>().ok())
                    .map(move |net| (set.place, net, mark))
                    .collect::<Vec<_>>()
            };
            ranges.extend(parsed(&set.addresses, BlockMark::Blocked));
            ranges.extend(parsed(&set.applying, BlockMark::Applying));
        }
        BlockIndex { ranges }
    }

    /// Whether `address` (as shown on a row of `place`) is in an IP set a Block rule there
    /// uses, or was sent to one and is not read back yet.
    pub fn mark(&self, place: Place, address: &str) -> Option<BlockMark> {
        let net = parse_range(address).ok()?;
        let mut mark = None;
        for (_, _, m) in self
            .ranges
            .iter()
            .filter(|(p, r, _)| *p == place && r.contains(&net))
        {
            match m {
                BlockMark::Blocked => return Some(BlockMark::Blocked),
                BlockMark::Applying => mark = Some(BlockMark::Applying),
            }
        }
        mark
    }
}

/// The most addresses (CIDR ranges) one IP set holds (WAF's quotas: "Maximum number of IP
/// addresses in an IP set": 10,000).
pub const IP_SET_LIMIT: usize = 10_000;

/// One IP set, as GetIPSet returned it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IpSet {
    pub id: Text,
    pub name: Text,
    pub arn: Text,
    pub scope: Scope,
    /// IPV6 sets hold IPv6 ranges only, IPV4 sets IPv4 ones.
    pub ipv6: bool,
    /// Its ranges, as AWS lists them ("203.0.113.7/32").
    pub addresses: Vec<Text>,
    /// Ranges edgetop sent that a read does not show yet ("applying").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applying: Vec<Text>,
    /// Where it was read (see [`super::place`]).
    #[serde(default)]
    pub place: Place,
}

impl IpSet {
    /// Whether it holds `net` or a range that contains it.
    pub fn covers(&self, net: &IpNet) -> Option<&Text> {
        self.addresses
            .iter()
            .chain(&self.applying)
            .find(|a| a.as_str().parse::<IpNet>().is_ok_and(|r| r.contains(net)))
    }

    /// Whether `range` (as AWS writes it) is listed exactly.
    pub fn lists(&self, range: &str) -> bool {
        self.addresses.iter().any(|a| same_range(a.as_str(), range))
    }

    /// The same IP set family as `net`.
    pub fn holds_family_of(&self, net: &IpNet) -> bool {
        self.ipv6 == matches!(net, IpNet::V6(_))
    }
}

/// Two ranges written differently ("2001:DB8::/32" and "2001:db8::/32") are one.
pub fn same_range(a: &str, b: &str) -> bool {
    match (a.parse::<IpNet>(), b.parse::<IpNet>()) {
        (Ok(x), Ok(y)) => x.trunc() == y.trunc(),
        _ => a == b,
    }
}

/// An address or range as an operator types it ("203.0.113.7", "2001:db8::/48"), as WAF
/// takes it: a CIDR range with its host bits cleared ("203.0.113.7/32").
pub fn parse_range(s: &str) -> Result<IpNet, String> {
    let s = s.trim();
    let net = match s.parse::<IpNet>() {
        Ok(n) => n,
        Err(_) => match s.parse::<std::net::IpAddr>() {
            Ok(a) => IpNet::from(a),
            Err(_) => {
                return Err(format!(
                    "{} is not an IPv4 or IPv6 address or CIDR range",
                    Text::new(s)
                ));
            }
        },
    };
    Ok(net.trunc())
}

/// An entry edgetop added to an IP set, as its blocks journal holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BlockEntry {
    pub ip_set: Text,
    pub ip_set_id: Text,
    pub scope: Scope,
    /// The range as sent ("203.0.113.7/32").
    pub range: Text,
    pub added: DateTime<Utc>,
    /// When it is to be removed, if it was added for a while.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<DateTime<Utc>>,
    /// Where (see [`super::place`]).
    #[serde(default)]
    pub place: Place,
}

impl BlockEntry {
    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        self.expires.is_some_and(|e| e <= now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_a_range_with_its_host_bits_cleared() {
        assert_eq!(
            parse_range("203.0.113.7").unwrap().to_string(),
            "203.0.113.7/32"
        );
        assert_eq!(
            parse_range(" 10.1.2.3/8 ").unwrap().to_string(),
            "10.0.0.0/8"
        );
        assert_eq!(
            parse_range("2001:DB8::1/48").unwrap().to_string(),
            "2001:db8::/48"
        );
        assert!(parse_range("203.0.113.300").is_err());
        assert!(
            parse_range("example.com")
                .unwrap_err()
                .contains("is not an IPv4")
        );
        assert!(same_range("2001:DB8::/32", "2001:db8::/32"));
        assert!(!same_range("10.0.0.0/8", "10.0.0.0/16"));
    }

    #[test]
    fn a_set_covers_what_its_ranges_contain() {
        let set = IpSet {
            id: Text::new("id"),
            name: Text::new("blocked"),
            arn: Text::new("arn"),
            scope: Scope::Regional,
            ipv6: false,
            addresses: vec![Text::new("198.51.100.0/24")],
            applying: vec![Text::new("203.0.113.7/32")],
            place: Place::default(),
        };
        let covered = |s: &str| set.covers(&parse_range(s).unwrap()).map(|t| t.to_string());
        assert_eq!(covered("198.51.100.9"), Some("198.51.100.0/24".into()));
        assert_eq!(covered("203.0.113.7"), Some("203.0.113.7/32".into()));
        assert_eq!(covered("198.51.0.0/16"), None, "wider than the set's range");
        assert!(set.holds_family_of(&parse_range("10.0.0.1").unwrap()));
        assert!(!set.holds_family_of(&parse_range("2001:db8::1").unwrap()));
    }
}
