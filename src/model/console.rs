//! The AWS Management Console's page of a resource (`o`): a bastion has no browser, so the
//! operator copies it to their own.
//!
//! The console's host is the partition's: `REGION.console.aws.amazon.com` in `aws`,
//! `REGION.console.amazonaws.cn` in `aws-cn`, `console.amazonaws-us-gov.com` in `aws-us-gov`.
//! The isolated partitions' consoles are not on the public internet and their hosts are not
//! published, so a resource there has no URL here. Global resources (CloudFront, a web ACL of
//! scope CLOUDFRONT) are shown through the partition's home region. Names in a path or query
//! are percent-encoded (RFC 3986's unreserved characters pass), so a hostile name cannot add
//! to the URL.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::{Place, Scope, Snapshot};

/// What a URL's path segment or query value keeps unescaped: RFC 3986's unreserved set.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn esc(s: &str) -> String {
    utf8_percent_encode(s, UNRESERVED).to_string()
}

/// The region a place reads.
fn region(d: &Snapshot, place: Place) -> &str {
    d.place_info(place)
        .map_or(d.account.region.as_str(), |i| i.account.region.as_str())
}

/// The console's origin for `region`, None in a partition without a public console.
fn host(region: &str) -> Option<String> {
    if region.starts_with("cn-") {
        Some(format!("https://{}.console.amazonaws.cn", esc(region)))
    } else if region.starts_with("us-gov-") {
        Some("https://console.amazonaws-us-gov.com".into())
    } else if region.starts_with("us-iso") || region.starts_with("eu-isoe") || region.is_empty() {
        None
    } else {
        Some(format!("https://{}.console.aws.amazon.com", esc(region)))
    }
}

/// The partition's home region, where its global services are shown.
fn home_region(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "cn-northwest-1"
    } else if region.starts_with("us-gov-") {
        "us-gov-west-1"
    } else {
        "us-east-1"
    }
}

/// An API key's page in API Gateway.
pub fn api_key(d: &Snapshot, place: Place, id: &str) -> Option<String> {
    let r = region(d, place);
    Some(format!(
        "{}/apigateway/main/api-keys/{}?api=unselected&region={}",
        host(r)?,
        esc(id),
        esc(r)
    ))
}

/// A REST or HTTP API's stages in API Gateway.
pub fn stage(d: &Snapshot, place: Place, api_id: &str, http: bool) -> Option<String> {
    let r = region(d, place);
    let page = if http {
        "develop/routes".to_string()
    } else {
        format!("apis/{}/stages", esc(api_id))
    };
    Some(format!(
        "{}/apigateway/main/{page}?api={}&region={}",
        host(r)?,
        esc(api_id),
        esc(r)
    ))
}

/// A web ACL in WAF, with its name and id (the console's page is named by both).
pub fn web_acl(d: &Snapshot, place: Place, scope: Scope, name: &str, id: &str) -> Option<String> {
    let r = region(d, place);
    let (at, region_param) = match scope {
        Scope::Cloudfront => (home_region(r), "global"),
        Scope::Regional => (r, r),
    };
    Some(format!(
        "{}/wafv2/homev2/web-acl/{}/{}/overview?region={}",
        host(at)?,
        esc(name),
        esc(id),
        esc(region_param)
    ))
}

/// A CloudFront distribution.
pub fn distribution(d: &Snapshot, place: Place, id: &str) -> Option<String> {
    let r = region(d, place);
    Some(format!(
        "{}/cloudfront/v4/home?region={}#/distributions/{}",
        host(home_region(r))?,
        home_region(r),
        esc(id)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(region: &str) -> Snapshot {
        let mut d = Snapshot::default();
        d.account.region = region.into();
        d
    }

    #[test]
    fn each_partition_has_its_console() {
        let at = |r: &str| api_key(&snapshot(r), Place::NONE, "k1");
        assert_eq!(
            at("eu-west-1").unwrap(),
            "https://eu-west-1.console.aws.amazon.com/apigateway/main/api-keys/k1?api=unselected&region=eu-west-1"
        );
        assert!(
            at("cn-north-1")
                .unwrap()
                .starts_with("https://cn-north-1.console.amazonaws.cn/")
        );
        assert!(
            at("us-gov-west-1")
                .unwrap()
                .starts_with("https://console.amazonaws-us-gov.com/")
        );
        assert_eq!(at("us-iso-east-1"), None);
        // Global resources through the partition's home region.
        let d = snapshot("cn-north-1");
        assert!(
            distribution(&d, Place::NONE, "E1")
                .unwrap()
                .starts_with("https://cn-northwest-1.console.amazonaws.cn/cloudfront/")
        );
        let acl = web_acl(&d, Place::NONE, Scope::Cloudfront, "edge", "a-1").unwrap();
        assert!(
            acl.ends_with("/web-acl/edge/a-1/overview?region=global"),
            "{acl}"
        );
    }

    #[test]
    fn a_hostile_name_cannot_add_to_the_url() {
        let d = snapshot("us-east-1");
        let url = web_acl(
            &d,
            Place::NONE,
            Scope::Regional,
            "a/../b?x=1#\u{1b}]52;",
            "id 1",
        )
        .unwrap();
        assert!(
            url.contains("/web-acl/a%2F..%2Fb%3Fx%3D1%23%1B%5D52%3B/id%201/"),
            "{url}"
        );
        assert!(url.chars().all(|c| c.is_ascii_graphic()), "{url}");
    }
}
