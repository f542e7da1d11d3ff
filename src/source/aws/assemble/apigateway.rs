//! API Gateway's part of the snapshot: REST and HTTP APIs with their stages' series, usage
//! plans and API keys.

use super::*;

impl Parts<'_> {
    pub(super) fn stage_arn(&self, api_id: &str, stage: &str) -> String {
        crate::source::aws::apigateway::stage_arn(
            &self.src.partition,
            &self.src.clients.region,
            api_id,
            stage,
        )
    }

    pub(super) fn stage_name(&self, api_id: &str, stage: &str) -> Text {
        crate::source::aws::apigateway::stage_ref(&self.found.apis, api_id, stage)
    }

    pub(super) fn stage_series(&self, api_id: &str, stage: &str, metric: StageMetric) -> Series {
        self.store.series(
            &SeriesKey::Stage {
                api_id: api_id.into(),
                stage: stage.into(),
                metric,
            },
            self.end,
        )
    }

    /// HTTP APIs with their stages' metrics. No web ACL stands before them, so the 429
    /// estimate is their 4xx, an upper bound. The account's throttle (API Gateway's quota per
    /// account and region, across REST, HTTP and WebSocket APIs) binds a stage without its own.
    pub(super) fn http_apis(&self) -> Vec<RestApi> {
        let mut out = self.found.http_apis.clone();
        for api in &mut out {
            for st in &mut api.stages {
                st.account_throttle = self.found.account_throttle;
                let series = |m| self.stage_series(api.id.as_str(), st.name.as_str(), m);
                let count = series(StageMetric::Count);
                let e4 = series(StageMetric::Errors4xx);
                st.metrics = StageMetrics {
                    throttled_est: throttled_estimate(&e4, &count, None, &count),
                    errors_5xx: series(StageMetric::Errors5xx),
                    latency_ms: series(StageMetric::Latency),
                    errors_4xx: e4,
                    count,
                };
            }
        }
        out
    }

    pub(super) fn apis(&self) -> Vec<RestApi> {
        let f = self.found;
        // Which web ACL protects each stage (by ARN), and the request count of all its stages.
        let acl_of_stage: HashMap<String, &crate::source::aws::wafv2::AclConf> = f
            .acls
            .iter()
            .flat_map(|a| a.protects.iter().map(move |r| (r.clone(), a)))
            .collect();
        let mut acl_counts: HashMap<String, Series> = HashMap::new();
        for api in &self.found.apis {
            for st in &api.stages {
                if let Some(acl) = acl_of_stage.get(&self.stage_arn(&api.id, &st.name)) {
                    acl_counts
                        .entry(acl.arn.clone())
                        .or_default()
                        .add(&self.stage_series(&api.id, &st.name, StageMetric::Count));
                }
            }
        }

        f.apis
            .iter()
            .map(|api| RestApi {
                place: Default::default(),
                id: Text::new(&api.id),
                name: Text::new(&api.name),
                stages: api
                    .stages
                    .iter()
                    .map(|st| self.stage(&api.id, st, &acl_of_stage, &acl_counts))
                    .collect(),
                access: match (f.methods.get(&api.id), f.methods_unread.get(&api.id)) {
                    (None, None) => None,
                    (methods, unread) => Some(access(
                        &api.front,
                        methods.map_or(&[][..], Vec::as_slice),
                        unread.map(|u| u.as_str()),
                    )),
                },
                protocol: Protocol::Rest,
            })
            .collect()
    }

    /// One stage: its throttles, its series, the estimate of its 429s, and its web ACL.
    fn stage(
        &self,
        api_id: &str,
        st: &crate::source::aws::apigateway::StageConf,
        acl_of_stage: &HashMap<String, &crate::source::aws::wafv2::AclConf>,
        acl_counts: &HashMap<String, Series>,
    ) -> Stage {
        let acl = acl_of_stage.get(&self.stage_arn(api_id, &st.name));
        let count = self.stage_series(api_id, &st.name, StageMetric::Count);
        let e4 = self.stage_series(api_id, &st.name, StageMetric::Errors4xx);
        let blocked = acl.map(|a| waf(self.store, &a.arn, WHOLE_ACL, self.end, false).blocked);
        let acl_count = acl
            .and_then(|a| acl_counts.get(&a.arn))
            .cloned()
            .unwrap_or_else(|| count.clone());
        Stage {
            refused: None,
            name: Text::new(&st.name),
            throttle: st.throttle,
            account_throttle: self.found.account_throttle,
            method_throttles: st.methods.iter().map(|(m, t)| (Text::new(m), *t)).collect(),
            metrics: StageMetrics {
                throttled_est: throttled_estimate(&e4, &count, blocked.as_ref(), &acl_count),
                errors_5xx: self.stage_series(api_id, &st.name, StageMetric::Errors5xx),
                latency_ms: self.stage_series(api_id, &st.name, StageMetric::Latency),
                errors_4xx: e4,
                count,
            },
            web_acl: acl.map(|a| Text::new(&a.name)),
            logging: Some(st.logging.clone()),
        }
    }

    pub(super) fn usage_plans(&self) -> Vec<UsagePlan> {
        let f = self.found;
        f.plans
            .iter()
            .map(|p| UsagePlan {
                place: Default::default(),
                refused: None,
                id: Text::new(&p.id),
                name: Text::new(&p.name),
                throttle: p.throttle,
                quota: p.quota,
                stages: p
                    .stages
                    .iter()
                    .map(|(a, s)| self.stage_name(a, s))
                    .collect(),
                key_ids: p.key_ids.iter().map(|k| Text::new(k)).collect(),
                usage_read: self.src.usage.read_at(&p.id),
            })
            .collect()
    }

    pub(super) fn api_keys(&self) -> Vec<ApiKey> {
        let f = self.found;
        let mut plans_of: HashMap<&str, Vec<Text>> = HashMap::new();
        for p in &self.found.plans {
            for k in &p.key_ids {
                plans_of
                    .entry(k.as_str())
                    .or_default()
                    .push(Text::new(&p.id));
            }
        }
        f.keys
            .iter()
            .map(|k| {
                let plan_ids = plans_of.remove(k.id.as_str()).unwrap_or_default();
                let u = self
                    .src
                    .usage
                    .of_key(&k.id, plan_ids.iter().map(|p| p.as_str()));
                ApiKey {
                    place: Default::default(),
                    refused: None,
                    pending: false,
                    id: Text::new(&k.id),
                    name: Text::new(&k.name),
                    value_hint: Text::new(&k.hint),
                    enabled: k.enabled,
                    created: k.created,
                    plan_ids,
                    used_today: u.usage.used_today,
                    used_period: u.usage.used_period,
                    remaining: u.usage.remaining,
                    quota_limit: u.usage.limit,
                    throttled_per_min: None,
                    requests_per_min: u.per_minute,
                    usage_read: u.read_at,
                    fingerprint: Some(k.fingerprint),
                }
            })
            .collect()
    }
}
