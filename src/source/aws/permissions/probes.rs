//! The reads, each asked by making it once, as cheaply as it can be made. The listings go first
//! and lend the reads after them a real id (the first REST API, plan, web ACL...); where there
//! is none, an id that cannot exist is asked for, which AWS answers, past IAM, with "not
//! found". API Gateway's calls go through the pacer, as every other read of it does.

use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_types::DateTime as AwsTime;

use super::super::connect::{Clients, Failure, failure};
use super::super::pace::Pacer;
use super::{Answer, Asked, Kind, NEEDS, Need};

/// An id of each kind that no account has: asked where the account has none of that kind.
const NO_API: &str = "edgetop000";
const NO_UUID: &str = "00000000-0000-4000-8000-000000000000";
const NO_NAME: &str = "edgetop-doctor-none";

/// What the listings found, for the reads that need an id.
#[derive(Default)]
struct Found {
    rest_api: Option<String>,
    http_api: Option<String>,
    domain: Option<String>,
    plan: Option<String>,
    /// The first web ACL: name, id, ARN (REGIONAL).
    acl: Option<(String, String, String)>,
    prefix_list: Option<String>,
    sink: Option<String>,
    attack: Option<String>,
}

/// Ask every read of [`NEEDS`] in this place, in the table's order.
pub async fn ask_reads(c: &Clients, account: &str, pace: &Pacer) -> Vec<Asked> {
    let mut found = Found::default();
    let mut out = Vec::new();
    for need in NEEDS.iter().filter(|n| n.kind == Kind::Read) {
        if need.action.starts_with("apigateway:") {
            pace.wait().await;
        }
        let answer = ask(c, account, need, &mut found).await;
        out.push(Asked { need, answer });
    }
    out
}

/// What an answer from AWS says of the permission asked: a refusal ([`failure`]'s Denied) is
/// no; a throttle or an unreachable endpoint says nothing; anything else came from
/// past IAM (a missing thing, an invalid argument) but for a server error or a refused
/// signature or token, which say nothing of it either.
fn answer<T, E, R>(r: Result<T, SdkError<E, R>>) -> Answer
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let Err(e) = r else {
        return Answer::Allowed;
    };
    // The action is named by the caller's line, not in these words.
    match failure("", &e) {
        Failure::Denied { detail, .. } => Answer::Denied(crate::model::text::escape(&detail)),
        Failure::Throttled { .. } => Answer::Unknown("throttled".into()),
        Failure::Unreachable { detail, .. } => Answer::Unknown(detail),
        Failure::Other { detail, .. } => {
            let said_nothing = ["Internal", "Unavailable", "Token", "Signature"];
            if !matches!(e, SdkError::ServiceError(_))
                || said_nothing.iter().any(|w| detail.contains(w))
            {
                Answer::Unknown(crate::model::text::escape(&detail))
            } else {
                Answer::Allowed
            }
        }
    }
}

fn first<T>(items: &[T], id: impl Fn(&T) -> Option<&str>) -> Option<String> {
    items.first().and_then(id).map(str::to_string)
}

async fn ask(c: &Clients, account: &str, need: &Need, f: &mut Found) -> Answer {
    let now = chrono::Utc::now().timestamp();
    let (service, _) = need.action.split_once(':').unwrap_or(("", ""));
    match (service, need.path) {
        ("apigateway", p) if p.starts_with("/apis") => http_api(c, p, f).await,
        ("apigateway", p) if p.starts_with("/usageplans") || p == "/apikeys" => {
            usage_plans(c, p, f).await
        }
        ("apigateway", p) => rest_api(c, p, f).await,
        ("wafv2", _) => waf(c, account, need.action, f).await,
        ("cloudfront" | "ec2", _) => edge(c, need.action, f).await,
        ("oam", _) => oam(c, account, need.action, f).await,
        ("shield", _) => shield(c, need.action, f, now).await,
        _ => cloudwatch(c, need.action, now).await,
    }
}

/// API Gateway's REST APIs (`apigateway:GET` on their paths).
async fn rest_api(c: &Clients, path: &str, f: &mut Found) -> Answer {
    let g = &c.apigateway;
    let rest = f.rest_api.clone().unwrap_or(NO_API.into());
    match path {
        "/account" => answer(g.get_account().send().await),
        "/restapis" => {
            let r = g.get_rest_apis().limit(1).send().await;
            if let Ok(o) = &r {
                f.rest_api = first(o.items(), |a| a.id());
            }
            answer(r)
        }
        "/restapis/*/stages" => answer(g.get_stages().rest_api_id(rest).send().await),
        "/restapis/*/resources" => {
            answer(g.get_resources().rest_api_id(rest).limit(1).send().await)
        }
        "/restapis/*/authorizers" => {
            answer(g.get_authorizers().rest_api_id(rest).limit(1).send().await)
        }
        "/domainnames" => {
            let r = g.get_domain_names().limit(1).send().await;
            if let Ok(o) = &r {
                f.domain = first(o.items(), |d| d.domain_name());
            }
            answer(r)
        }
        "/domainnames/*/basepathmappings" => {
            let domain = f.domain.clone().unwrap_or(format!("{NO_NAME}.invalid"));
            answer(
                g.get_base_path_mappings()
                    .domain_name(domain)
                    .limit(1)
                    .send()
                    .await,
            )
        }
        other => Answer::Unknown(format!("no read of {other} to ask with")),
    }
}

/// API Gateway's HTTP APIs (`apigateway:GET` on `/apis`).
async fn http_api(c: &Clients, path: &str, f: &mut Found) -> Answer {
    let v2 = &c.apigatewayv2;
    let http = f.http_api.clone().unwrap_or(NO_API.into());
    match path {
        "/apis" => {
            let r = v2.get_apis().max_results("1").send().await;
            if let Ok(o) = &r {
                f.http_api = first(o.items(), |a| a.api_id());
            }
            answer(r)
        }
        "/apis/*/routes" => answer(v2.get_routes().api_id(http).max_results("1").send().await),
        "/apis/*/authorizers" => answer(
            v2.get_authorizers()
                .api_id(http)
                .max_results("1")
                .send()
                .await,
        ),
        "/apis/*/stages" => answer(v2.get_stages().api_id(http).max_results("1").send().await),
        other => Answer::Unknown(format!("no read of {other} to ask with")),
    }
}

/// Usage plans, their keys and usage, and the API keys (`apigateway:GET`).
async fn usage_plans(c: &Clients, path: &str, f: &mut Found) -> Answer {
    let g = &c.apigateway;
    let plan = f.plan.clone().unwrap_or(NO_API.into());
    match path {
        "/usageplans" => {
            let r = g.get_usage_plans().limit(1).send().await;
            if let Ok(o) = &r {
                f.plan = first(o.items(), |p| p.id());
            }
            answer(r)
        }
        "/usageplans/*/keys" => answer(
            g.get_usage_plan_keys()
                .usage_plan_id(plan)
                .limit(1)
                .send()
                .await,
        ),
        "/usageplans/*/usage" => {
            let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
            let r = g
                .get_usage()
                .usage_plan_id(plan)
                .start_date(&today)
                .end_date(&today)
                .limit(1)
                .send()
                .await;
            answer(r)
        }
        "/apikeys" => answer(g.get_api_keys().limit(1).include_values(false).send().await),
        other => Answer::Unknown(format!("no read of {other} to ask with")),
    }
}

/// The web ACL found by ListWebACLs, or one that does not exist: its name, id and ARN.
fn acl_to_ask(c: &Clients, account: &str, f: &Found) -> (String, String, String) {
    f.acl.clone().unwrap_or_else(|| {
        let arn = format!(
            "arn:{}:wafv2:{}:{account}:regional/webacl/{NO_NAME}/{NO_UUID}",
            c.partition.name, c.region
        );
        (NO_NAME.into(), NO_UUID.into(), arn)
    })
}

/// WAF's configuration: web ACLs, managed groups, IP sets and what they protect.
async fn waf(c: &Clients, account: &str, action: &str, f: &mut Found) -> Answer {
    use aws_sdk_wafv2::types::Scope;
    let w = &c.waf;
    let regional = Scope::Regional;
    let (name, id, arn) = acl_to_ask(c, account, f);
    match action {
        "wafv2:ListWebACLs" => {
            let r = w.list_web_acls().scope(regional).limit(1).send().await;
            if let Ok(o) = &r
                && let Some(a) = o.web_acls().first()
                && let (Some(n), Some(i), Some(r)) = (a.name(), a.id(), a.arn())
            {
                f.acl = Some((n.into(), i.into(), r.into()));
            }
            answer(r)
        }
        "wafv2:GetWebACL" => answer(
            w.get_web_acl()
                .scope(regional)
                .name(name)
                .id(id)
                .send()
                .await,
        ),
        "wafv2:DescribeManagedRuleGroup" => {
            let r = w
                .describe_managed_rule_group()
                .scope(regional)
                .vendor_name("AWS")
                .name("AWSManagedRulesCommonRuleSet")
                .send()
                .await;
            answer(r)
        }
        "wafv2:GetIPSet" => answer(
            w.get_ip_set()
                .scope(regional)
                .name(NO_NAME)
                .id(NO_UUID)
                .send()
                .await,
        ),
        "wafv2:ListResourcesForWebACL" => {
            answer(w.list_resources_for_web_acl().web_acl_arn(arn).send().await)
        }
        "wafv2:GetWebACLForResource" => {
            let stage = format!(
                "arn:{}:apigateway:{}::/restapis/{NO_API}/stages/{NO_NAME}",
                c.partition.name, c.region
            );
            answer(
                w.get_web_acl_for_resource()
                    .resource_arn(stage)
                    .send()
                    .await,
            )
        }
        _ => waf_traffic(c, account, action, f).await,
    }
}

/// What WAF saw: sampled requests, the addresses rate-based rules hold, its logging.
async fn waf_traffic(c: &Clients, account: &str, action: &str, f: &Found) -> Answer {
    use aws_sdk_wafv2::types::{Scope, TimeWindow};
    let w = &c.waf;
    let regional = Scope::Regional;
    let (name, id, arn) = acl_to_ask(c, account, f);
    match action {
        "wafv2:GetSampledRequests" => {
            let now = chrono::Utc::now().timestamp();
            let window = TimeWindow::builder()
                .start_time(AwsTime::from_secs(now - 300))
                .end_time(AwsTime::from_secs(now))
                .build();
            let Ok(window) = window else {
                return Answer::Unknown("no window to ask with".into());
            };
            let r = w
                .get_sampled_requests()
                .web_acl_arn(arn)
                .rule_metric_name(NO_NAME)
                .scope(regional)
                .time_window(window)
                .max_items(1)
                .send()
                .await;
            answer(r)
        }
        "wafv2:GetRateBasedStatementManagedKeys" => {
            let r = w
                .get_rate_based_statement_managed_keys()
                .scope(regional)
                .web_acl_name(name)
                .web_acl_id(id)
                .rule_name(NO_NAME)
                .send()
                .await;
            answer(r)
        }
        "wafv2:GetLoggingConfiguration" => {
            answer(w.get_logging_configuration().resource_arn(arn).send().await)
        }
        other => Answer::Unknown(format!("no read of {other} to ask with")),
    }
}

/// What fronts the APIs: CloudFront's distributions and its origin-facing prefix list.
async fn edge(c: &Clients, action: &str, f: &mut Found) -> Answer {
    match action {
        "cloudfront:ListDistributions" => {
            answer(c.cloudfront.list_distributions().max_items(1).send().await)
        }
        "ec2:DescribeManagedPrefixLists" => {
            let filter = aws_sdk_ec2::types::Filter::builder()
                .name("prefix-list-name")
                .values(super::super::edge::PREFIX_LISTS[0])
                .build();
            let r = c
                .ec2
                .describe_managed_prefix_lists()
                .filters(filter)
                .send()
                .await;
            if let Ok(o) = &r {
                f.prefix_list = first(o.prefix_lists(), |p| p.prefix_list_id());
            }
            answer(r)
        }
        "ec2:GetManagedPrefixListEntries" => {
            let id = f.prefix_list.clone().unwrap_or("pl-00000000".into());
            let r = c
                .ec2
                .get_managed_prefix_list_entries()
                .prefix_list_id(id)
                .max_results(5)
                .dry_run(true)
                .send()
                .await;
            answer(r)
        }
        "ec2:DescribeRegions" => answer(c.ec2.describe_regions().dry_run(true).send().await),
        other => Answer::Unknown(format!("no read of {other} to ask with")),
    }
}

/// CloudWatch's cross-account observability: sinks and the accounts linked to them.
async fn oam(c: &Clients, account: &str, action: &str, f: &mut Found) -> Answer {
    match action {
        "oam:ListSinks" => {
            let r = c.oam.list_sinks().max_results(1).send().await;
            if let Ok(o) = &r {
                f.sink = first(o.items(), |s| s.arn());
            }
            answer(r)
        }
        "oam:ListAttachedLinks" => {
            let sink = f.sink.clone().unwrap_or_else(|| {
                format!(
                    "arn:{}:oam:{}:{account}:sink/{NO_UUID}",
                    c.partition.name, c.region
                )
            });
            answer(
                c.oam
                    .list_attached_links()
                    .sink_identifier(sink)
                    .max_results(1)
                    .send()
                    .await,
            )
        }
        other => Answer::Unknown(format!("no read of {other} to ask with")),
    }
}

/// Shield Advanced: the subscription, protections and attacks.
async fn shield(c: &Clients, action: &str, f: &mut Found, now: i64) -> Answer {
    match action {
        "shield:DescribeSubscription" => answer(c.shield.describe_subscription().send().await),
        "shield:ListProtections" => answer(c.shield.list_protections().max_results(1).send().await),
        "shield:ListAttacks" => {
            let range = aws_sdk_shield::types::TimeRange::builder()
                .from_inclusive(AwsTime::from_secs(now - 90 * 86_400))
                .to_exclusive(AwsTime::from_secs(now))
                .build();
            let r = c
                .shield
                .list_attacks()
                .start_time(range)
                .max_results(1)
                .send()
                .await;
            if let Ok(o) = &r {
                f.attack = first(o.attack_summaries(), |a| a.attack_id());
            }
            answer(r)
        }
        // Shield answers an attack id it does not know with AccessDeniedException, as it
        // answers a missing permission (the Shield API reference, DescribeAttack's errors): only
        // a real attack can tell them apart.
        "shield:DescribeAttack" => match &f.attack {
            Some(id) => answer(c.shield.describe_attack().attack_id(id).send().await),
            None => Answer::Unknown(
                "no attack in the last 90 days to ask about, and Shield refuses an unknown one as \
                 it refuses a missing permission"
                    .into(),
            ),
        },
        other => Answer::Unknown(format!("no read of {other} to ask with")),
    }
}

/// CloudWatch's metrics and alarms, and Logs Insights.
async fn cloudwatch(c: &Clients, action: &str, now: i64) -> Answer {
    match action {
        "cloudwatch:GetMetricData" => metric_data(c, now).await,
        "cloudwatch:ListMetrics" => answer(
            c.cloudwatch
                .list_metrics()
                .namespace("AWS/WAFV2")
                .send()
                .await,
        ),
        "cloudwatch:DescribeAlarms" => {
            answer(c.cloudwatch.describe_alarms().max_records(1).send().await)
        }
        "logs:StartQuery" => {
            let r = c
                .logs
                .start_query()
                .log_group_name(format!("/{NO_NAME}/{NO_UUID}"))
                .start_time(now - 300)
                .end_time(now)
                .query_string("fields @timestamp | limit 1")
                .send()
                .await;
            answer(r)
        }
        "logs:GetQueryResults" => answer(c.logs.get_query_results().query_id(NO_UUID).send().await),
        "logs:StopQuery" => answer(c.logs.stop_query().query_id(NO_UUID).send().await),
        "logs:DescribeMetricFilters" => {
            answer(c.logs.describe_metric_filters().limit(1).send().await)
        }
        other => Answer::Unknown(format!("no read of {other} to ask with")),
    }
}

/// One metric over five minutes: the least GetMetricData can be asked (billed as one metric).
async fn metric_data(c: &Clients, now: i64) -> Answer {
    use aws_sdk_cloudwatch::types::{Metric, MetricDataQuery, MetricStat};
    let query = MetricDataQuery::builder()
        .id("doctor")
        .metric_stat(
            MetricStat::builder()
                .metric(
                    Metric::builder()
                        .namespace("AWS/ApiGateway")
                        .metric_name("Count")
                        .build(),
                )
                .period(300)
                .stat("Sum")
                .build(),
        )
        .build();
    let r = c
        .cloudwatch
        .get_metric_data()
        .metric_data_queries(query)
        .start_time(aws_sdk_cloudwatch::primitives::DateTime::from_secs(
            now - 300,
        ))
        .end_time(aws_sdk_cloudwatch::primitives::DateTime::from_secs(now))
        .send()
        .await;
    answer(r)
}
