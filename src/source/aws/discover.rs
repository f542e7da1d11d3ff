//! Discovery: the slow-changing configuration (APIs, stages, plans, keys, web ACLs and what
//! they protect, rule groups, distributions), read every few minutes and on `R`, and the
//! metric queries it implies.

use super::*;
use crate::model::access::{EdgeRanges, Shield};

type PlansAndKeys = (
    Result<Vec<apigateway::PlanConf>, Failure>,
    Result<Vec<apigateway::KeyConf>, Failure>,
);

/// Usage plans and every API key, on the account's budget (which keys each plan has is a call
/// per plan, scheduled with its usage: see [`super::schedule`]).
async fn read_plans_and_keys(
    c: &aws_sdk_apigateway::Client,
    pace: &pace::Pacer,
    calls: &mut Calls,
) -> PlansAndKeys {
    let plans = apigateway::plans(c, pace, calls).await;
    let keys = apigateway::keys(c, pace, calls).await;
    (plans, keys)
}

impl AwsSource {
    pub(super) fn discovery_due(&self) -> bool {
        self.force_discovery
            || self
                .discovered_at
                .is_none_or(|t| t.elapsed() >= self.settings.discovery_every)
    }

    /// Read the configuration: API Gateway, WAF, CloudFront and CloudWatch's metric list at
    /// once, since each service has its own budget; then what depends on the web ACLs. Usage
    /// plans and keys (a call per plan: the slow part of a large account) only `with_plans`;
    /// else [`Self::discover_plans_and_keys`] reads them after the first figures.
    pub(super) async fn discover(
        &mut self,
        now: DateTime<Utc>,
        calls: &mut Calls,
        with_plans: bool,
    ) {
        let c = self.clients.clone();
        let pace = &self.pace;
        let resources_pace = &self.resources_pace;
        // CloudFront, the CLOUDFRONT scope and Shield are the account's, read by one of its
        // regions only, and only where the partition offers them.
        let global_here = self.settings.reads_global;
        let partition = c.partition;
        let cf_scope_here = global_here && partition.waf_cloudfront.is_some();
        let cdn_here = global_here && partition.cloudfront.is_some();
        let shield_here = global_here && partition.shield.is_some();
        let routes = self.metric_routes.clone();
        let (mut on_api, mut on_waf, mut on_cdn, mut on_cw) = Default::default();
        let (api, (regional, global), (distributions, edge, shield), listed) = tokio::join!(
            async {
                let calls = &mut on_api;
                let apis = apigateway::apis(&c.apigateway, pace, calls).await;
                let methods = match &apis {
                    Ok(apis) => Some(
                        access::methods(&c.apigateway, pace, resources_pace, calls, apis).await,
                    ),
                    Err(_) => None,
                };
                let domains = access::domains(&c.apigateway, pace, calls).await;
                let http = http_apis::read(&c.apigatewayv2, pace, calls).await;
                let account = apigateway::account_throttle(&c.apigateway, pace, calls).await;
                let plans_and_keys = match with_plans {
                    true => Some(read_plans_and_keys(&c.apigateway, pace, calls).await),
                    false => None,
                };
                (apis, methods, (domains, http), account, plans_and_keys)
            },
            async {
                let regional = wafv2::acls(&c.waf, Scope::Regional, &mut on_waf).await;
                let global = match cf_scope_here {
                    true => wafv2::acls(&c.waf_global, Scope::Cloudfront, &mut on_waf).await,
                    false => Ok(Vec::new()),
                };
                (regional, global)
            },
            read_cdn(&c, cdn_here, shield_here, &mut on_cdn),
            list_waf_metrics(&c, &routes, cf_scope_here, &mut on_cw),
        );
        for part in [&on_api, &on_waf, &on_cdn, &on_cw] {
            calls.merge(part);
        }
        let (apis, methods, (domains, http), account, plans_and_keys) = api;
        if let Some(v) = self.outcome(APIS, Panel::Throttling, apis, now) {
            self.found.apis = v;
        }
        if let Some(read) = methods {
            self.take_methods(read, now);
        }
        if let Some(v) = self.outcome(DOMAINS, Panel::Access, domains, now) {
            self.found.domains = v;
        }
        if let Some(v) = self.outcome(HTTP_APIS, Panel::Access, http, now) {
            self.found.http_apis = v;
        }
        if let Some(v) = self.outcome(ACCOUNT, Panel::Throttling, account, now) {
            self.found.account_throttle = v;
        }
        if let Some(read) = plans_and_keys {
            self.take_plans_and_keys(read, now);
        }
        self.take_acls(regional, global, now, calls).await;
        self.take_edge(distributions, edge, shield, now);
        self.take_metric_list(listed, now, &c.region);
        self.discovered_at = Some(Instant::now());
        // The alarms are listed whole again at this poll.
        self.alarm_names = None;
        self.force_discovery = false;
    }

    /// Each API's methods as read: one API's failure darkens its row only (its methods of the
    /// read before stay); only when every API failed is the part failing, on its panel.
    fn take_methods(
        &mut self,
        read: HashMap<String, Result<Vec<crate::model::access::Method>, Failure>>,
        now: DateTime<Utc>,
    ) {
        let every_failed = !read.is_empty() && read.values().all(Result::is_err);
        let mut first_failure = None;
        let mut methods = HashMap::new();
        self.found.methods_unread.clear();
        for (id, r) in read {
            match r {
                Ok(m) => {
                    methods.insert(id, m);
                }
                Err(f) => {
                    if let Some(old) = self.found.methods.remove(&id) {
                        methods.insert(id.clone(), old);
                    }
                    self.found.methods_unread.insert(id, f.to_string());
                    first_failure.get_or_insert(f);
                }
            }
        }
        self.found.methods = methods;
        let part = match (every_failed, first_failure) {
            (true, Some(f)) => Err(f),
            _ => Ok(()),
        };
        self.outcome(METHODS, Panel::Access, part, now);
    }

    /// Usage plans and every API key: what the first read leaves for after the first figures.
    pub(super) async fn discover_plans_and_keys(&mut self, now: DateTime<Utc>, calls: &mut Calls) {
        let c = self.clients.clone();
        let read = read_plans_and_keys(&c.apigateway, &self.pace, calls).await;
        self.take_plans_and_keys(read, now);
    }

    fn take_plans_and_keys(&mut self, (plans, keys): PlansAndKeys, now: DateTime<Utc>) {
        if let Some(mut v) = self.outcome(PLANS, Panel::UsagePlans, plans, now) {
            // A plan's keys are read on their own schedule: keep what was read until then.
            for plan in &mut v {
                if let Some(old) = self.found.plans.iter().find(|p| p.id == plan.id) {
                    plan.key_ids = old.key_ids.clone();
                }
            }
            self.usage.keep_only(&v);
            self.plan_keys_read
                .retain(|id, _| v.iter().any(|p| &p.id == id));
            self.found.plans = v;
        }
        if let Some(v) = self.outcome(KEYS, Panel::Keys, keys, now) {
            self.found.keys = v;
        }
    }

    /// Where each web ACL sends its traffic logs.
    pub(super) async fn find_waf_logs(&mut self, now: DateTime<Utc>, calls: &mut Calls) {
        let mut found = HashMap::new();
        let mut result = Ok(());
        for acl in &self.found.acls {
            let c = self.clients.waf_for(acl.scope);
            match wafv2::log_destinations(c, &acl.arn, calls).await {
                Ok(d) => {
                    found.insert(acl.arn.clone(), d);
                }
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        if self
            .outcome(WAF_LOGGING, Panel::Samples, result, now)
            .is_some()
        {
            self.found.waf_logs = found;
        }
    }

    /// The IP sets the rules reference, with their ranges: what a block adds to, and what
    /// tells an address already blocked, or allowed, from one that is not.
    pub(super) async fn read_ip_sets(&mut self, now: DateTime<Utc>, calls: &mut Calls) {
        let mut arns: Vec<String> = Vec::new();
        for rule in self.found.acls.iter().flat_map(|a| &a.rules) {
            if let RuleKind::IpSet { arn, .. } = &rule.kind
                && !arns.iter().any(|a| a == arn.as_str())
            {
                arns.push(arn.to_string());
            }
        }
        let read = ip_sets::read(&self.clients, &arns, calls).await;
        if let Some(sets) = self.outcome(IP_SETS, Panel::Waf, read, now) {
            self.found.ip_sets = sets;
        }
    }

    /// The rules inside each AWS managed rule group, so one can be overridden (`t`).
    pub(super) async fn describe_groups(&mut self, now: DateTime<Utc>, calls: &mut Calls) {
        let mut known: HashMap<(Scope, String, String), Vec<String>> = HashMap::new();
        let mut result = Ok(());
        for acl in &mut self.found.acls {
            for rule in &mut acl.rules {
                let RuleKind::ManagedGroup {
                    vendor,
                    name,
                    inner_rules,
                } = &mut rule.kind
                else {
                    continue;
                };
                if vendor.as_str() == "own" || result.is_err() {
                    continue;
                }
                let k = (acl.scope, vendor.to_string(), name.to_string());
                if !known.contains_key(&k) {
                    let c = self.clients.waf_for(acl.scope);
                    match wafv2::managed_group_rules(c, acl.scope, &k.1, &k.2, calls).await {
                        Ok(names) => {
                            known.insert(k.clone(), names);
                        }
                        Err(e) => {
                            result = Err(e);
                            continue;
                        }
                    }
                }
                *inner_rules = wafv2::merge_inner(&known[&k], inner_rules);
            }
        }
        self.outcome(GROUPS, Panel::Waf, result, now);
    }

    /// What each regional web ACL protects: from the stages themselves (GetStages carries the
    /// web ACL's ARN), else ListResourcesForWebACL, else one GetWebACLForResource per stage.
    pub(super) async fn find_protected(&mut self, now: DateTime<Utc>, calls: &mut Calls) {
        let (partition, region) = (self.partition.clone(), self.clients.region.clone());
        let stage_arn =
            |api: &ApiConf, stage: &str| apigateway::stage_arn(&partition, &region, &api.id, stage);
        let mut protects: HashMap<String, Vec<String>> = HashMap::new();
        let mut unknown = Vec::new();
        for api in &self.found.apis {
            for st in &api.stages {
                match &st.web_acl_arn {
                    Some(arn) => protects
                        .entry(arn.clone())
                        .or_default()
                        .push(stage_arn(api, &st.name)),
                    None => unknown.push(stage_arn(api, &st.name)),
                }
            }
        }
        if !unknown.is_empty() {
            let c = self.clients.waf.clone();
            let mut result: Result<(), Failure> = Ok(());
            for acl in self
                .found
                .acls
                .iter()
                .filter(|a| a.scope == Scope::Regional)
            {
                match wafv2::resources(&c, acl, calls).await {
                    Ok(arns) => {
                        for arn in arns.into_iter().filter(|a| unknown.contains(a)) {
                            protects.entry(acl.arn.clone()).or_default().push(arn);
                        }
                    }
                    Err(e) => {
                        result = Err(e);
                        break;
                    }
                }
            }
            if result.is_err() {
                // Not every endpoint offers ListResourcesForWebACL: ask per stage instead.
                result = Ok(());
                protects.retain(|_, v| !v.iter().any(|a| unknown.contains(a)));
                for arn in &unknown {
                    match wafv2::acl_for(&c, arn, calls).await {
                        Ok(Some(acl)) => protects.entry(acl).or_default().push(arn.clone()),
                        Ok(None) => {}
                        Err(e) => {
                            result = Err(e);
                            break;
                        }
                    }
                }
            }
            self.outcome(PROTECTS, Panel::Waf, result, now);
        }
        for acl in &mut self.found.acls {
            acl.protects = protects.remove(&acl.arn).unwrap_or_default();
            acl.protects.sort();
        }
    }
}

impl AwsSource {
    /// The web ACLs as read: a scope that failed keeps its web ACLs of the read before. Then
    /// what depends on them: what they protect, their rule groups, IP sets and logs.
    async fn take_acls(
        &mut self,
        regional: Result<Vec<AclConf>, Failure>,
        global: Result<Vec<AclConf>, Failure>,
        now: DateTime<Utc>,
        calls: &mut Calls,
    ) {
        let regional = self.outcome(ACLS_REGIONAL, Panel::Waf, regional, now);
        let global = self.outcome(ACLS_GLOBAL, Panel::Waf, global, now);
        if regional.is_some() || global.is_some() {
            let keep = |scope: Scope, acls: &[AclConf]| {
                acls.iter()
                    .filter(|a| a.scope == scope)
                    .cloned()
                    .collect::<Vec<_>>()
            };
            let mut acls = regional.unwrap_or_else(|| keep(Scope::Regional, &self.found.acls));
            acls.extend(global.unwrap_or_else(|| keep(Scope::Cloudfront, &self.found.acls)));
            self.found.acls = acls;
            self.find_protected(now, calls).await;
            self.describe_groups(now, calls).await;
            self.read_ip_sets(now, calls).await;
            if self.settings.logs.every.is_some() {
                self.find_waf_logs(now, calls).await;
            }
        }
    }

    /// CloudFront's distributions, its origin-facing ranges and Shield's state, as read.
    fn take_edge(
        &mut self,
        distributions: Option<Result<Vec<DistributionConf>, Failure>>,
        edge: Option<Result<EdgeRanges, Failure>>,
        shield: Option<Result<Shield, Failure>>,
        now: DateTime<Utc>,
    ) {
        if let Some(v) =
            distributions.and_then(|d| self.outcome(DISTRIBUTIONS, Panel::Distributions, d, now))
        {
            self.found.distributions = v;
        }
        if let Some(v) = edge.and_then(|e| self.outcome(EDGE_RANGES, Panel::Access, e, now)) {
            self.found.edge = Some(v);
        }
        if let Some(v) = shield.and_then(|s| self.outcome(SHIELD, Panel::Access, s, now)) {
            self.found.shield = Some(v);
        }
    }

    /// WAF's metrics as listed, and from them and the configuration, what the poll reads.
    fn take_metric_list(
        &mut self,
        listed: Result<Vec<Listed>, Failure>,
        now: DateTime<Utc>,
        region: &str,
    ) {
        if let Some(mut listed) = self.outcome(WAF_METRICS, Panel::Metrics, listed, now) {
            listed.sort_by(|a, b| (&a.name, &a.dims).cmp(&(&b.name, &b.dims)));
            listed.dedup();
            self.found.waf_listed = listed;
        }
        self.found.specs = cloudwatch::specs(
            region,
            &self.found.apis,
            &self.found.acls,
            &self.found.waf_listed,
        );
        let http = cloudwatch::http_specs(&self.found.http_apis);
        self.found.specs.extend(http);
    }
}

/// CloudFront's distributions (where this place reads the account's global resources), its
/// origin-facing ranges (where the partition has CloudFront) and Shield's state.
async fn read_cdn(
    c: &Clients,
    cdn_here: bool,
    shield_here: bool,
    calls: &mut Calls,
) -> (
    Option<Result<Vec<DistributionConf>, Failure>>,
    Option<Result<EdgeRanges, Failure>>,
    Option<Result<Shield, Failure>>,
) {
    let edge = match c.partition.cloudfront {
        Some(_) => Some(edge::cloudfront_ranges(&c.ec2, calls).await),
        None => None,
    };
    let distributions = match cdn_here {
        true => Some(cloudfront::distributions(&c.cloudfront, calls).await),
        false => None,
    };
    let shield = match shield_here {
        true => Some(shield::state(&c.shield, calls).await),
        false => None,
    };
    (distributions, edge, shield)
}

/// WAF's metrics in CloudWatch, from both endpoints: CLOUDFRONT web ACLs publish in us-east-1.
/// Which web ACL a metric belongs to is read from its dimensions, not from the endpoint.
/// Through a monitoring account, where one reads this place's metrics.
async fn list_waf_metrics(
    c: &Clients,
    routes: &MetricRoutes,
    cf_scope_here: bool,
    calls: &mut Calls,
) -> Result<Vec<Listed>, Failure> {
    let mut listed = Vec::new();
    let mut endpoints = vec![(&c.cloudwatch, &routes.regional)];
    if cf_scope_here {
        endpoints.push((&c.cloudwatch_global, &routes.global));
    }
    for (client, route) in endpoints {
        listed.extend(match route {
            Some(route) if route.serves("AWS/WAFV2") => route.waf_metrics(calls).await?,
            _ => cloudwatch::waf_metrics(client, None, calls).await?,
        });
    }
    Ok(listed)
}
