//! API Gateway (REST): APIs and their stages with throttles, usage plans, their keys, API
//! keys, and usage. Every call waits its turn on the account-wide pacer and pages with
//! position + limit 500.
//!
//! API keys are in [`keys`], usage and quotas in [`usage`].

mod keys;
mod usage;

use std::collections::HashMap;

use aws_sdk_apigateway::Client;
use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::Calls;
use super::connect::{Failure, failure};
use super::pace::Pacer;
use crate::model::access::{Endpoint, KeySource, Logging};
use crate::model::text::Fingerprint;
use crate::model::{Quota, QuotaPeriod, Secret, Text, Throttle};
pub use keys::*;
pub use usage::*;

pub const PAGE: i32 = 500;
/// API Gateway allows 10,000 API keys per region; stop paging well past that.
const MAX_PAGES: usize = 40;

#[derive(Clone, Debug, Default)]
pub struct StageConf {
    pub name: String,
    pub throttle: Option<Throttle>,
    /// "POST /charges" and its throttle.
    pub methods: Vec<(String, Throttle)>,
    pub web_acl_arn: Option<String>,
    /// What it logs: the access log's destination, and the `*/*` execution logging level.
    pub logging: Logging,
    /// The access log's destination and format as AWS gave them, to build queries from (only
    /// their sanitised copies in `logging` are ever shown).
    pub access_log_raw: Option<(String, String)>,
}

#[derive(Clone, Debug, Default)]
pub struct ApiConf {
    pub id: String,
    pub name: String,
    pub stages: Vec<StageConf>,
    /// What GetRestApis says of who may call it: endpoint, policy (as returned), key source.
    pub front: ApiFront,
}

/// An API's endpoint configuration, policy and key source, as GetRestApis returns them.
#[derive(Clone, Debug, Default)]
pub struct ApiFront {
    pub endpoint: Endpoint,
    pub vpc_endpoints: Vec<String>,
    pub execute_api_disabled: bool,
    pub key_source: KeySource,
    pub policy: Option<String>,
}

/// An API's or a domain name's endpoint type. It has one; PRIVATE is the one that matters when
/// a list says more.
pub(super) fn endpoint_of(
    conf: Option<&aws_sdk_apigateway::types::EndpointConfiguration>,
) -> Endpoint {
    use aws_sdk_apigateway::types::EndpointType;
    let types = conf.map(|c| c.types()).unwrap_or_default();
    if types.contains(&EndpointType::Private) {
        Endpoint::Private
    } else if types.contains(&EndpointType::Edge) {
        Endpoint::Edge
    } else {
        Endpoint::Regional
    }
}

fn front(a: &aws_sdk_apigateway::types::RestApi) -> ApiFront {
    use aws_sdk_apigateway::types::ApiKeySourceType;
    let conf = a.endpoint_configuration();
    ApiFront {
        endpoint: endpoint_of(conf),
        vpc_endpoints: conf
            .map(|c| c.vpc_endpoint_ids().to_vec())
            .unwrap_or_default(),
        execute_api_disabled: a.disable_execute_api_endpoint(),
        key_source: match a.api_key_source() {
            Some(ApiKeySourceType::Authorizer) => KeySource::Authorizer,
            _ => KeySource::Header,
        },
        policy: a
            .policy()
            .filter(|p| !p.trim().is_empty())
            .map(str::to_string),
    }
}

#[derive(Clone, Debug)]
pub struct PlanConf {
    pub id: String,
    pub name: String,
    pub throttle: Option<Throttle>,
    pub quota: Option<Quota>,
    /// (api id, stage name)
    pub stages: Vec<(String, String)>,
    pub key_ids: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct KeyConf {
    pub id: String,
    pub name: String,
    /// To match the value where it appears (origin headers, sampled requests); the value
    /// itself is not kept.
    pub fingerprint: Fingerprint,
    /// The value's last characters behind dots.
    pub hint: String,
    pub enabled: bool,
    pub created: DateTime<Utc>,
}

/// "charges/POST" (the method-settings key) → "POST /charges"; "*/*" → None (stage-wide).
fn method_label(path: &str) -> Option<String> {
    if path == "*/*" {
        return None;
    }
    let (resource, method) = path.rsplit_once('/')?;
    let resource = resource.replace("~1", "/");
    let resource = if resource.starts_with('/') {
        resource
    } else {
        format!("/{resource}")
    };
    Some(format!("{method} {resource}"))
}

fn throttle(rate: f64, burst: i32) -> Option<Throttle> {
    (rate > 0.0 || burst > 0).then(|| Throttle {
        rate_limit: rate,
        burst_limit: burst.max(0) as u32,
    })
}

/// Every page of a listing, each call paced and counted: API Gateway's position + limit
/// listings, and HTTP APIs' NextToken ones. `page` gets the position (or token) to ask for and
/// returns the items and the next one. It ends without a next one, or at an empty page.
pub(super) async fn paged<T, F, Fut>(
    pace: &Pacer,
    calls: &mut Calls,
    op: &'static str,
    mut page: F,
) -> Result<Vec<T>, Failure>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<String>), Failure>>,
{
    let mut out = Vec::new();
    let mut position = None;
    for _ in 0..MAX_PAGES {
        pace.wait().await;
        calls.add(op);
        let (items, next) = page(position.take()).await?;
        let last = items.is_empty();
        out.extend(items);
        match next {
            Some(p) if !last => position = Some(p),
            _ => break,
        }
    }
    Ok(out)
}

pub async fn apis(c: &Client, pace: &Pacer, calls: &mut Calls) -> Result<Vec<ApiConf>, Failure> {
    let mut out = paged(
        pace,
        calls,
        "apigateway:GetRestApis",
        |position| async move {
            let page = c
                .get_rest_apis()
                .limit(PAGE)
                .set_position(position)
                .send()
                .await
                .map_err(|e| failure("apigateway:GET /restapis", &e))?;
            let items = page
                .items()
                .iter()
                .map(|a| ApiConf {
                    id: a.id().unwrap_or_default().to_string(),
                    name: a.name().unwrap_or_default().to_string(),
                    stages: Vec::new(),
                    front: front(a),
                })
                .collect();
            Ok((items, page.position().map(str::to_string)))
        },
    )
    .await?;
    for api in &mut out {
        pace.wait().await;
        calls.add("apigateway:GetStages");
        let stages = c
            .get_stages()
            .rest_api_id(&api.id)
            .send()
            .await
            .map_err(|e| failure("apigateway:GET /restapis/*/stages", &e))?;
        for s in stages.item() {
            let settings = s.method_settings().cloned().unwrap_or_default();
            let mut stage_throttle = None;
            let mut methods = Vec::new();
            let mut execution = "OFF".to_string();
            for (path, m) in &settings {
                if path == "*/*" {
                    execution = m.logging_level().unwrap_or("OFF").to_string();
                }
                let t = throttle(m.throttling_rate_limit(), m.throttling_burst_limit());
                match (method_label(path), t) {
                    (None, t) => stage_throttle = t,
                    (Some(label), Some(t)) => methods.push((label, t)),
                    (Some(_), None) => {}
                }
            }
            methods.sort_by(|a, b| a.0.cmp(&b.0));
            api.stages.push(StageConf {
                name: s.stage_name().unwrap_or_default().to_string(),
                throttle: stage_throttle,
                methods,
                web_acl_arn: s.web_acl_arn().map(str::to_string),
                access_log_raw: s.access_log_settings().and_then(|l| {
                    let dest = l.destination_arn().filter(|d| !d.is_empty())?;
                    Some((dest.to_string(), l.format().unwrap_or_default().to_string()))
                }),
                logging: {
                    let l = s.access_log_settings();
                    Logging::new(
                        l.and_then(|l| l.destination_arn()),
                        l.and_then(|l| l.format()),
                        &execution,
                    )
                },
            });
        }
        api.stages.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(out)
}

fn plan_conf(p: &aws_sdk_apigateway::types::UsagePlan) -> PlanConf {
    let quota = p.quota().and_then(|q| {
        let period = match q.period()?.as_str() {
            "DAY" => QuotaPeriod::Day,
            "WEEK" => QuotaPeriod::Week,
            _ => QuotaPeriod::Month,
        };
        (q.limit() > 0).then_some(Quota {
            limit: q.limit() as u64,
            period,
        })
    });
    PlanConf {
        id: p.id().unwrap_or_default().to_string(),
        name: p.name().unwrap_or_default().to_string(),
        throttle: p
            .throttle()
            .and_then(|t| throttle(t.rate_limit(), t.burst_limit())),
        quota,
        stages: p
            .api_stages()
            .iter()
            .map(|s| {
                (
                    s.api_id().unwrap_or_default().to_string(),
                    s.stage().unwrap_or_default().to_string(),
                )
            })
            .collect(),
        key_ids: Vec::new(),
    }
}

/// Every usage plan, without its keys (a call per plan: see [`plan_keys`]).
pub async fn plans(c: &Client, pace: &Pacer, calls: &mut Calls) -> Result<Vec<PlanConf>, Failure> {
    paged(
        pace,
        calls,
        "apigateway:GetUsagePlans",
        |position| async move {
            let page = c
                .get_usage_plans()
                .limit(PAGE)
                .set_position(position)
                .send()
                .await
                .map_err(|e| failure("apigateway:GET /usageplans", &e))?;
            Ok((
                page.items().iter().map(plan_conf).collect(),
                page.position().map(str::to_string),
            ))
        },
    )
    .await
}

/// The ARN of a stage, in the caller's partition (aws, aws-cn, aws-us-gov).
pub fn stage_arn(partition: &str, region: &str, api_id: &str, stage: &str) -> String {
    format!("arn:{partition}:apigateway:{region}::/restapis/{api_id}/stages/{stage}")
}

/// The partition an ARN is in ("aws" when it cannot be told).
pub fn partition_of(arn: &str) -> &str {
    arn.split(':')
        .nth(1)
        .filter(|p| !p.is_empty())
        .unwrap_or("aws")
}

/// Text for the model.
pub fn stage_ref(apis: &[ApiConf], api_id: &str, stage: &str) -> Text {
    let api = apis
        .iter()
        .find(|a| a.id == api_id)
        .map_or(api_id, |a| a.name.as_str());
    Text::new(&format!("{api}/{stage}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_settings_keys_read_as_methods() {
        assert_eq!(method_label("*/*"), None);
        assert_eq!(
            method_label("charges/POST").as_deref(),
            Some("POST /charges")
        );
        assert_eq!(
            method_label("~1v1~1charges/GET").as_deref(),
            Some("GET /v1/charges")
        );
    }

    #[test]
    fn quota_periods_start_where_api_gateway_counts() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 19).unwrap(); // a Thursday
        assert_eq!(period_start(d, QuotaPeriod::Day), d);
        // The last seven days: AWS does not say which day a week starts on.
        assert_eq!(
            period_start(d, QuotaPeriod::Week),
            NaiveDate::from_ymd_opt(2026, 11, 13).unwrap()
        );
        assert_eq!(
            period_start(d, QuotaPeriod::Month),
            NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
        );
    }

    #[test]
    fn usage_days_add_up() {
        // A quota of 1,000 with 850 left: 150 used, whatever days the period spans.
        let u = key_usage(&[vec![100, 900], vec![50, 850]], Some(1000));
        assert_eq!(
            u,
            KeyUsage {
                used_today: 50,
                used_period: 150,
                remaining: Some(850),
                limit: Some(1000),
            }
        );
        // No quota: the days' requests add up.
        assert_eq!(
            key_usage(&[vec![7, 0], vec![3, 0]], None),
            KeyUsage {
                used_today: 3,
                used_period: 10,
                remaining: None,
                limit: None,
            }
        );
        assert_eq!(key_usage(&[], None), KeyUsage::default());
    }

    #[test]
    fn arns_are_in_the_callers_partition() {
        assert_eq!(
            partition_of("arn:aws-cn:sts::123:assumed-role/ops/me"),
            "aws-cn"
        );
        assert_eq!(
            partition_of("arn:aws-us-gov:iam::123:user/me"),
            "aws-us-gov"
        );
        assert_eq!(partition_of("not an arn"), "aws");
        assert_eq!(
            stage_arn("aws-cn", "cn-north-1", "a1", "prod"),
            "arn:aws-cn:apigateway:cn-north-1::/restapis/a1/stages/prod"
        );
    }

    #[test]
    fn a_key_in_two_plans_adds_up() {
        let mut u = key_usage(&[vec![100, 900], vec![50, 850]], Some(1000));
        u.add(&key_usage(&[vec![7, 0], vec![3, 0]], None));
        u.add(&key_usage(&[vec![1, 40]], Some(400)));
        // The quota shown is the one nearest its end: 40 of 400 left, against 850 of 1,000.
        assert_eq!(
            u,
            KeyUsage {
                used_today: 54,
                used_period: 150 + 10 + 360,
                remaining: Some(40),
                limit: Some(400),
            }
        );
    }
}

#[cfg(test)]
mod quota_tests {
    use super::*;

    /// A weekly quota of 1,000: AWS says 100 remain. Whatever day its week began on (AWS does
    /// not say), the key has used 90 % of it; a sum over the days edgetop would guess (a week
    /// from Monday) would say otherwise.
    #[test]
    fn the_share_of_a_quota_used_is_aws_s_remaining_against_the_limit() {
        // Seven days, oldest first: [used, remaining].
        let days: Vec<Vec<i64>> = [50, 250, 300, 100, 100, 50, 50]
            .iter()
            .scan(1000i64, |left, used| {
                *left -= used;
                Some(vec![*used, *left])
            })
            .collect();
        let u = key_usage(&days, Some(1000));
        assert_eq!(u.remaining, Some(100));
        assert_eq!(u.used_period, 900);
        assert_eq!(u.quota_used(), Some(0.9));
        assert_eq!(u.used_today, 50);
        // No quota: the days' sum, nothing remaining.
        let u = key_usage(&days, None);
        assert_eq!(
            (u.used_period, u.remaining, u.quota_used()),
            (900, None, None)
        );
        // The window covers any week.
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        assert_eq!(
            period_start(today, QuotaPeriod::Week),
            NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
        );
        // A key in two plans shows the quota nearest its end.
        let mut a = KeyUsage {
            used_today: 1,
            used_period: 10,
            remaining: Some(90),
            limit: Some(100),
        };
        a.add(&KeyUsage {
            used_today: 2,
            used_period: 40,
            remaining: Some(160),
            limit: Some(200),
        });
        assert_eq!((a.remaining, a.limit), (Some(160), Some(200)));
        assert!((a.quota_used().unwrap() - 0.2).abs() < 1e-9);
    }
}
