//! CloudFront as the model holds it: distributions, their origins and the key headers they
//! send, and the countries they serve.

use super::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DistributionStatus {
    Deployed,
    InProgress,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Distribution {
    pub id: Text,
    pub domain: Text,
    pub status: DistributionStatus,
    pub web_acl: Option<Text>,
    pub origins: Vec<Origin>,
    /// CloudFront's own geo restriction (Restrictions.GeoRestriction); None when it has none.
    #[serde(default)]
    pub geo_restriction: Option<GeoRestriction>,
    /// Where it was read (see [`place`]).
    #[serde(default)]
    pub place: place::Place,
}

/// Which countries a distribution serves, by CloudFront's own list: it answers a viewer from
/// a country it does not serve with 403, before the request reaches the origin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeoRestriction {
    pub list: GeoList,
    /// ISO 3166-1 alpha-2 codes, as CloudFront gives them.
    pub countries: Vec<Text>,
}

/// An allow list ("whitelist" in CloudFront's API) serves only its countries; a deny list
/// ("blacklist") serves every country but its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GeoList {
    Allow,
    Deny,
}

impl GeoList {
    pub fn label(self) -> &'static str {
        match self {
            GeoList::Allow => "allow list",
            GeoList::Deny => "deny list",
        }
    }
}

impl GeoRestriction {
    /// Whether a viewer in `country` is refused.
    pub fn refuses(&self, country: &str) -> bool {
        let listed = self.countries.iter().any(|c| c.as_str() == country);
        match self.list {
            GeoList::Allow => !listed,
            GeoList::Deny => listed,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Origin {
    pub domain: Text,
    /// The path CloudFront puts before every request's (OriginPath): `/prod` for a stage.
    #[serde(default)]
    pub path: Text,
    /// The custom headers that carry an API key: every header whose value is the value of one
    /// of the account's keys, whatever its name, and every header with a configured key
    /// header name (`--key-header`), whose key may be unknown.
    pub key_headers: Vec<OriginKey>,
    /// Its other custom headers, by fingerprint: a key of another region of the account may be
    /// among them ([`places::merge`] looks). Never written out.
    #[serde(skip)]
    pub other_headers: Vec<(Text, text::Fingerprint)>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OriginKey {
    pub header: Text,
    /// The API key whose value the header sends, when it matches a known key.
    pub key_id: Option<Text>,
    /// Its value's fingerprint, to match it with the keys of the account's other regions
    /// ([`places::merge`]); never written out.
    #[serde(skip)]
    pub fingerprint: Option<text::Fingerprint>,
}
