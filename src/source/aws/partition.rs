//! AWS's partitions: the commercial one, China, GovCloud and the isolated ones, each with its
//! own regions, credentials and endpoints. What is global to an account (CloudFront, WAF's
//! CLOUDFRONT scope, Shield Advanced) lives in one region of the partition, or not at all.
//!
//! - Which partition a region is in: the region patterns of the SDKs' endpoint rules
//!   (botocore's `partitions.json`, `regionRegex`), and its `implicitGlobalRegion`.
//! - CloudFront: `cloudfront.amazonaws.com`, signed for us-east-1, in `aws`;
//!   `cloudfront.cn-northwest-1.amazonaws.com.cn`, signed for cn-northwest-1, in `aws-cn` (the
//!   SDKs' CloudFront endpoint rules). GovCloud has none: "To set up CloudFront, sign in … by
//!   using your standard AWS credentials. You cannot use your AWS GovCloud (US) account
//!   credentials" (AWS GovCloud (US) User Guide, CloudFront).
//! - WAF in China "is supported at a regional level only", and Shield "is not available in the
//!   Beijing and Ningxia Regions" (Getting Started with AWS in China, AWS WAF). WAF's
//!   CLOUDFRONT scope is used in us-east-1 (the WAFV2 API reference, `Scope`).

/// A partition, and where what is global to an account is read in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partition {
    /// `aws`, `aws-cn`, `aws-us-gov`, `aws-iso`…
    pub name: &'static str,
    /// Where account-wide calls that are not tied to a region go (EC2 DescribeRegions for
    /// `--region all`): the partition's implicit global region.
    pub global_region: &'static str,
    /// Where CloudFront's API is, if the partition has CloudFront.
    pub cloudfront: Option<&'static str>,
    /// Where WAF's CLOUDFRONT scope (and the CloudWatch metrics and logs of its web ACLs) is,
    /// if the partition has it.
    pub waf_cloudfront: Option<&'static str>,
    /// Where Shield Advanced's API is, if the partition has it.
    pub shield: Option<&'static str>,
}

const AWS: Partition = Partition {
    name: "aws",
    global_region: "us-east-1",
    cloudfront: Some("us-east-1"),
    waf_cloudfront: Some("us-east-1"),
    shield: Some("us-east-1"),
};

const PARTITIONS: [(&str, Partition); 6] = [
    (
        "cn-",
        Partition {
            name: "aws-cn",
            global_region: "cn-north-1",
            cloudfront: Some("cn-northwest-1"),
            waf_cloudfront: None,
            shield: None,
        },
    ),
    (
        "us-gov-",
        Partition {
            name: "aws-us-gov",
            global_region: "us-gov-west-1",
            cloudfront: None,
            waf_cloudfront: None,
            shield: Some("us-gov-west-1"),
        },
    ),
    (
        "us-isob-",
        Partition {
            name: "aws-iso-b",
            global_region: "us-isob-east-1",
            cloudfront: None,
            waf_cloudfront: None,
            shield: None,
        },
    ),
    (
        "us-isof-",
        Partition {
            name: "aws-iso-f",
            global_region: "us-isof-south-1",
            cloudfront: None,
            waf_cloudfront: None,
            shield: None,
        },
    ),
    (
        "eu-isoe-",
        Partition {
            name: "aws-iso-e",
            global_region: "eu-isoe-west-1",
            cloudfront: None,
            waf_cloudfront: None,
            shield: None,
        },
    ),
    (
        "us-iso-",
        Partition {
            name: "aws-iso",
            global_region: "us-iso-east-1",
            cloudfront: None,
            waf_cloudfront: None,
            shield: None,
        },
    ),
];

impl Partition {
    /// The partition `region` is in (the commercial one for any name it does not know).
    pub fn of(region: &str) -> Partition {
        PARTITIONS
            .iter()
            .find(|(prefix, _)| region.starts_with(prefix))
            .map_or(AWS, |(_, p)| *p)
    }

    /// What is not offered here that edgetop would read, in words for the screen, the JSON and
    /// stderr ("CloudFront is not offered in aws-us-gov …"), each once.
    pub fn not_offered(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.cloudfront.is_none() {
            out.push(format!(
                "CloudFront is not offered in {}: its distributions are kept in a standard AWS \
                 account, which edgetop reads when it is in view",
                self.name
            ));
        }
        if self.cloudfront.is_some() && self.waf_cloudfront.is_none() {
            out.push(format!(
                "WAF's CLOUDFRONT scope is not offered in {}: WAF is regional only here",
                self.name
            ));
        }
        if self.shield.is_none() {
            out.push(format!("Shield Advanced is not offered in {}", self.name));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_region_is_read_in_its_own_partition() {
        assert_eq!(Partition::of("eu-west-1"), AWS);
        assert_eq!(Partition::of("il-central-1").name, "aws");
        let cn = Partition::of("cn-north-1");
        assert_eq!(cn.name, "aws-cn");
        assert_eq!(cn.cloudfront, Some("cn-northwest-1"));
        assert_eq!(cn.waf_cloudfront, None);
        let gov = Partition::of("us-gov-east-1");
        assert_eq!(gov.name, "aws-us-gov");
        assert_eq!(gov.cloudfront, None);
        assert_eq!(gov.global_region, "us-gov-west-1");
        assert!(
            gov.not_offered()[0].starts_with("CloudFront is not offered in aws-us-gov"),
            "{:?}",
            gov.not_offered()
        );
        assert_eq!(Partition::of("us-isob-east-1").name, "aws-iso-b");
        assert_eq!(Partition::of("us-iso-west-1").name, "aws-iso");
        assert!(AWS.not_offered().is_empty());
    }
}
