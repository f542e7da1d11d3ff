//! Shield Advanced's DDoS attacks on the account's resources: ongoing and recent, each with its
//! vectors and its top contributors (ListAttacks, then DescribeAttack). Every name in one came
//! from AWS (or from whoever sent the attack: a user agent, a referrer) and is a [`Text`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Place, Text};

/// One attack on one resource.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Attack {
    pub id: Text,
    /// The ARN of the resource attacked (a distribution, a load balancer, a hosted zone…).
    pub resource: Text,
    pub started: Option<DateTime<Utc>>,
    /// None while it goes on.
    pub ended: Option<DateTime<Utc>>,
    /// Its vectors ("SYN_FLOOD", "REQUEST_FLOOD"…), as Shield names them.
    pub vectors: Vec<Text>,
    /// What sent most of it, by kind (source addresses, countries, user agents…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contributors: Vec<Contributors>,
    /// Where it was read (see [`super::place`]).
    #[serde(default)]
    pub place: Place,
}

/// The top contributors of one kind (`AttackPropertyIdentifier`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Contributors {
    /// "SOURCE_IP_ADDRESS", "SOURCE_COUNTRY", "SOURCE_USER_AGENT", "REFERRER"…
    pub what: Text,
    /// "PACKETS", "BYTES", "BITS" or "REQUESTS".
    pub unit: Text,
    pub total: i64,
    pub top: Vec<(Text, i64)>,
}

impl Attack {
    pub fn ongoing(&self) -> bool {
        self.ended.is_none()
    }

    /// The resource's id: the ARN's last part (a distribution's id), or the ARN whole.
    pub fn resource_id(&self) -> &str {
        let arn = self.resource.as_str();
        arn.rsplit(['/', ':'])
            .next()
            .filter(|s| !s.is_empty())
            .unwrap_or(arn)
    }

    /// One line: its vectors and, of each kind, the top contributor with its share.
    pub fn summary(&self) -> String {
        let vectors: Vec<&str> = self.vectors.iter().map(Text::as_str).collect();
        let mut out = match vectors.is_empty() {
            true => "vectors not reported".to_string(),
            false => vectors.join(", "),
        };
        for c in &self.contributors {
            if let Some((name, n)) = c.top.first() {
                let share = match c.total > 0 {
                    true => format!(
                        " {}",
                        crate::model::format::percent(*n as f64 / c.total as f64)
                    ),
                    false => String::new(),
                };
                out.push_str(&format!("; top {}: {name}{share}", kind(c.what.as_str())));
            }
        }
        out
    }
}

/// A contributor kind in words.
fn kind(what: &str) -> &str {
    match what {
        "SOURCE_IP_ADDRESS" => "source",
        "SOURCE_COUNTRY" => "country",
        "SOURCE_ASN" => "ASN",
        "SOURCE_USER_AGENT" => "user agent",
        "DESTINATION_URL" => "URL",
        "REFERRER" => "referrer",
        other => other,
    }
}

/// The attacks on the resource `id` (a distribution's id, say), ongoing first.
pub fn on_resource<'a>(attacks: &'a [Attack], id: &str) -> Vec<&'a Attack> {
    let mut out: Vec<&Attack> = attacks.iter().filter(|a| a.resource_id() == id).collect();
    out.sort_by_key(|a| (!a.ongoing(), std::cmp::Reverse(a.started)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attack(arn: &str, ended: bool) -> Attack {
        Attack {
            id: Text::new("a1"),
            resource: Text::new(arn),
            started: DateTime::from_timestamp(1_800_000_000, 0),
            ended: ended.then(|| DateTime::from_timestamp(1_800_003_600, 0).unwrap()),
            vectors: vec![Text::new("REQUEST_FLOOD")],
            contributors: vec![Contributors {
                what: Text::new("SOURCE_COUNTRY"),
                unit: Text::new("REQUESTS"),
                total: 400,
                top: vec![(Text::new("VN"), 100)],
            }],
            place: Place::default(),
        }
    }

    #[test]
    fn an_attack_names_its_resource_vectors_and_top_contributor() {
        let a = attack(
            "arn:aws:cloudfront::123456789012:distribution/E2CATALOG7QX",
            false,
        );
        assert_eq!(a.resource_id(), "E2CATALOG7QX");
        assert!(a.ongoing());
        assert_eq!(a.summary(), "REQUEST_FLOOD; top country: VN 25.0%");
        let all = [
            attack("arn:aws:cloudfront::1:distribution/E2CATALOG7QX", true),
            a.clone(),
        ];
        let on = on_resource(&all, "E2CATALOG7QX");
        assert!(on[0].ongoing(), "ongoing first");
        assert!(on_resource(&all, "OTHER").is_empty());
    }
}
