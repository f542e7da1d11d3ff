//! Every IAM action edgetop uses, who needs it, and whether this identity has it, asked without
//! changing anything (`edgetop doctor`):
//!
//! - a read is asked by making it, as cheaply as it can be made: one item, or an id that does
//!   not exist where no real one is at hand. AWS authorizes a request before it looks for
//!   what it names, so a read refused for want of a permission says AccessDenied, and one
//!   allowed answers, or says that the thing does not exist. EC2's reads are asked with
//!   `DryRun` (DryRunOperation: allowed; UnauthorizedOperation: not);
//! - a write cannot be asked by making it, so it is asked of IAM's policy simulator
//!   (`iam:SimulatePrincipalPolicy`, on the identity's own user or role), where the identity
//!   may use it; where it may not, the writes are said to be unchecked, not allowed.
//!
//! The table is the IAM policies' (`iam/read-only.json`, `iam/operator.json`): a test keeps
//! the two the same.

mod probes;
mod simulate;

pub use probes::ask_reads;
pub use simulate::ask_writes;

/// Read (asked by making it) or written (asked of the policy simulator).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Read,
    Write,
}

/// One IAM action, on one API Gateway path where the action is an HTTP method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Need {
    pub action: &'static str,
    /// API Gateway's resource path ("/restapis/*/stages"), else empty.
    pub path: &'static str,
    /// Which screen, panel or key needs it.
    pub needed_by: &'static str,
    pub kind: Kind,
}

impl Need {
    /// As the policies and AWS's denials name it: "apigateway:GET /restapis/*/stages".
    pub fn name(&self) -> String {
        if self.path.is_empty() {
            self.action.to_string()
        } else {
            format!("{} {}", self.action, self.path)
        }
    }
}

/// Whether the identity has it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    Allowed,
    /// AWS's words.
    Denied(String),
    /// Not known: why (throttled, unreachable, the simulator refused).
    Unknown(String),
}

/// One need, and its answer.
#[derive(Clone, Debug)]
pub struct Asked {
    pub need: &'static Need,
    pub answer: Answer,
}

const fn read(action: &'static str, path: &'static str, needed_by: &'static str) -> Need {
    Need {
        action,
        path,
        needed_by,
        kind: Kind::Read,
    }
}

const fn write(action: &'static str, path: &'static str, needed_by: &'static str) -> Need {
    Need {
        action,
        path,
        needed_by,
        kind: Kind::Write,
    }
}

/// What edgetop calls, and who needs each. `sts:GetCallerIdentity` is every start's, asked
/// by connecting (AWS allows it to every identity).
pub const NEEDS: &[Need] = &[
    read(
        "apigateway:GET",
        "/account",
        "Throttling: the account's throttle, for stages without their own",
    ),
    read(
        "apigateway:GET",
        "/restapis",
        "Overview, Throttling, Access: the REST APIs",
    ),
    read(
        "apigateway:GET",
        "/restapis/*/stages",
        "Throttling, Access: each stage, its throttle and logging",
    ),
    read(
        "apigateway:GET",
        "/restapis/*/resources",
        "Access: each method's authorization and key",
    ),
    read(
        "apigateway:GET",
        "/restapis/*/authorizers",
        "Access: the authorizers",
    ),
    read("apigateway:GET", "/domainnames", "Access: custom domains"),
    read(
        "apigateway:GET",
        "/domainnames/*/basepathmappings",
        "Access: custom domains' mappings and mutual TLS",
    ),
    read("apigateway:GET", "/apis", "Access: HTTP APIs"),
    read(
        "apigateway:GET",
        "/apis/*/routes",
        "Access: HTTP APIs' routes",
    ),
    read(
        "apigateway:GET",
        "/apis/*/authorizers",
        "Access: HTTP APIs' authorizers",
    ),
    read(
        "apigateway:GET",
        "/apis/*/stages",
        "Access: HTTP APIs' stages",
    ),
    read(
        "apigateway:GET",
        "/usageplans",
        "Throttling, Keys: the usage plans",
    ),
    read(
        "apigateway:GET",
        "/usageplans/*/keys",
        "Throttling, Keys: which keys each plan holds",
    ),
    read(
        "apigateway:GET",
        "/usageplans/*/usage",
        "Keys: each key's usage against its quota",
    ),
    read("apigateway:GET", "/apikeys", "Keys: the API keys"),
    read("wafv2:ListWebACLs", "", "WAF, Geo: the web ACLs"),
    read(
        "wafv2:GetWebACL",
        "",
        "WAF, Geo: each web ACL's rules and actions",
    ),
    read(
        "wafv2:DescribeManagedRuleGroup",
        "",
        "WAF: the rules inside AWS managed rule groups",
    ),
    read(
        "wafv2:GetIPSet",
        "",
        "WAF, Origins: the addresses the rules' IP sets hold",
    ),
    read(
        "wafv2:ListResourcesForWebACL",
        "",
        "WAF, Access: what each web ACL protects",
    ),
    read(
        "wafv2:GetWebACLForResource",
        "",
        "Access: each stage's web ACL",
    ),
    read(
        "wafv2:GetSampledRequests",
        "",
        "Origins: the sampled requests",
    ),
    read(
        "wafv2:GetRateBasedStatementManagedKeys",
        "",
        "Origins: the addresses rate-based rules hold",
    ),
    read(
        "wafv2:GetLoggingConfiguration",
        "",
        "Logs: where each web ACL logs",
    ),
    read(
        "cloudfront:ListDistributions",
        "",
        "Keys, Geo, Access: distributions and their origin headers",
    ),
    read(
        "ec2:DescribeManagedPrefixLists",
        "",
        "Access: CloudFront's origin-facing addresses",
    ),
    read(
        "ec2:GetManagedPrefixListEntries",
        "",
        "Access: CloudFront's origin-facing addresses",
    ),
    read(
        "ec2:DescribeRegions",
        "",
        "--region all: the regions to read",
    ),
    read(
        "oam:ListSinks",
        "",
        "many places: a monitoring account's metrics (optional)",
    ),
    read(
        "oam:ListAttachedLinks",
        "",
        "many places: a monitoring account's metrics (optional)",
    ),
    read(
        "shield:DescribeSubscription",
        "",
        "Overview, Access: Shield Advanced",
    ),
    read(
        "shield:ListProtections",
        "",
        "Access: what Shield Advanced protects",
    ),
    read(
        "shield:ListAttacks",
        "",
        "Overview: Shield Advanced's attacks",
    ),
    read("shield:DescribeAttack", "", "Overview: an attack's detail"),
    read("cloudwatch:GetMetricData", "", "every chart and figure"),
    read(
        "cloudwatch:ListMetrics",
        "",
        "WAF: which rules publish metrics",
    ),
    read("cloudwatch:DescribeAlarms", "", "Overview: the alarms"),
    read(
        "logs:StartQuery",
        "",
        "Keys, Throttling, Origins: Logs Insights over the access and WAF logs",
    ),
    read(
        "logs:GetQueryResults",
        "",
        "Keys, Throttling, Origins: Logs Insights",
    ),
    read(
        "logs:StopQuery",
        "",
        "Keys, Throttling, Origins: Logs Insights",
    ),
    read(
        "logs:DescribeMetricFilters",
        "",
        "Overview: alarms on the access logs' metric filters",
    ),
    write(
        "apigateway:GET",
        "/apikeys/*",
        "`v` a key's value; `r` rotate, `d` disable, `x` delete",
    ),
    write(
        "apigateway:GET",
        "/usageplans/*/keys/*",
        "`r` rotate: a key's place in each plan",
    ),
    write("apigateway:POST", "/apikeys", "`r` rotate: the new key"),
    write(
        "apigateway:POST",
        "/usageplans/*/keys",
        "`r` rotate: the new key into each plan",
    ),
    write(
        "apigateway:PATCH",
        "/apikeys/*",
        "`r` rotate, `d` disable or enable a key",
    ),
    write(
        "apigateway:DELETE",
        "/apikeys/*",
        "`x` delete an old key; a rotation rolled back",
    ),
    write(
        "apigateway:DELETE",
        "/usageplans/*/keys/*",
        "a rotation rolled back",
    ),
    write(
        "wafv2:UpdateWebACL",
        "",
        "`t` toggle a rule, `L` a rate limit",
    ),
    write(
        "wafv2:UpdateIPSet",
        "",
        "`b` block an address, and its undo",
    ),
    write(
        "cloudfront:GetDistributionConfig",
        "",
        "`r` rotate: the origin headers",
    ),
    write(
        "cloudfront:UpdateDistribution",
        "",
        "`r` rotate: the origin header switched",
    ),
    write(
        "cloudfront:GetDistribution",
        "",
        "`r` rotate: waiting until deployed",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// "action" or "apigateway:GET /path" for each (action, resource) a policy allows.
    fn allowed(policy: &str) -> BTreeSet<String> {
        let doc: serde_json::Value = serde_json::from_str(policy).unwrap();
        let list = |v: &serde_json::Value| -> Vec<String> {
            match v {
                serde_json::Value::String(s) => vec![s.clone()],
                v => v
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap().to_string())
                    .collect(),
            }
        };
        let mut out = BTreeSet::new();
        for s in doc["Statement"].as_array().unwrap() {
            for a in list(&s["Action"]) {
                for r in list(&s["Resource"]) {
                    match r.strip_prefix("arn:aws:apigateway:*::") {
                        Some(path) => out.insert(format!("{a} {path}")),
                        None => out.insert(a.clone()),
                    };
                }
            }
        }
        out.remove("sts:GetCallerIdentity");
        out
    }

    #[test]
    fn the_table_is_what_the_policies_allow() {
        let read_only = allowed(include_str!("../../../../iam/read-only.json"));
        let operator = allowed(include_str!("../../../../iam/operator.json"));
        let reads: BTreeSet<String> = NEEDS
            .iter()
            .filter(|n| n.kind == Kind::Read)
            .map(Need::name)
            .collect();
        let all: BTreeSet<String> = NEEDS.iter().map(Need::name).collect();
        assert_eq!(read_only, reads, "iam/read-only.json");
        assert_eq!(operator, all, "iam/operator.json");
        assert_eq!(all.len(), NEEDS.len(), "each need once");
    }
}
