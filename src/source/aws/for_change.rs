//! What a change from the command line needs, and only that: the web ACL of a toggle, the key
//! of a rotation with its usage plans and the distributions, or the web ACLs and IP sets of a
//! block. A few calls on any account,
//! where a whole poll of a 10,000-key account (every plan's keys and usage, the logs' queries)
//! takes minutes: at 3 a.m. the plan is on screen in about a second.

use super::*;
use crate::source::ChangeTarget;

impl AwsSource {
    /// Read what `target` needs into the discovery, and the snapshot of it.
    pub(super) async fn read_for_change(
        &mut self,
        target: &ChangeTarget,
    ) -> Result<Snapshot, SourceError> {
        let now = Utc::now();
        let mut calls = Calls::default();
        let c = self.clients.clone();
        let failed = |f: Failure| SourceError::Failed(f.to_string());
        match target {
            ChangeTarget::Rule { web_acl, scope } => {
                let mut acls = Vec::new();
                for s in [Scope::Regional, Scope::Cloudfront] {
                    if scope.is_none_or(|want| want == s) {
                        let client = c.waf_for(s);
                        acls.extend(
                            wafv2::acls_named(client, s, &mut calls, web_acl)
                                .await
                                .map_err(failed)?,
                        );
                    }
                }
                self.found.acls = acls;
            }
            ChangeTarget::Key(key) => {
                let (keys, plans) =
                    apigateway::keys_named(&c.apigateway, &self.pace, &mut calls, key)
                        .await
                        .map_err(failed)?;
                // The distributions that send it: the plan names each, by value.
                self.found.distributions = cloudfront::distributions(&c.cloudfront, &mut calls)
                    .await
                    .map_err(failed)?;
                self.found.keys = keys;
                self.found.plans = plans;
            }
            ChangeTarget::Addresses { web_acl } => {
                let mut acls = Vec::new();
                for s in [Scope::Regional, Scope::Cloudfront] {
                    if s == Scope::Cloudfront && !self.settings.reads_global {
                        continue;
                    }
                    let client = c.waf_for(s);
                    acls.extend(
                        match web_acl {
                            Some(name) => wafv2::acls_named(client, s, &mut calls, name).await,
                            None => wafv2::acls(client, s, &mut calls).await,
                        }
                        .map_err(failed)?,
                    );
                }
                self.found.acls = acls;
                // The guardrail against blocking what stands in front of a stage: the stages
                // each regional web ACL guards, the distributions, CloudFront's addresses.
                self.found.apis = apigateway::apis(&c.apigateway, &self.pace, &mut calls)
                    .await
                    .map_err(failed)?;
                self.find_protected(now, &mut calls).await;
                if self.settings.reads_global && c.partition.cloudfront.is_some() {
                    self.found.distributions = cloudfront::distributions(&c.cloudfront, &mut calls)
                        .await
                        .map_err(failed)?;
                }
                if c.partition.cloudfront.is_some() {
                    self.found.edge = Some(
                        edge::cloudfront_ranges(&c.ec2, &mut calls)
                            .await
                            .map_err(failed)?,
                    );
                }
                self.read_ip_sets(now, &mut calls).await;
                if let Some(t) = self.troubles.get(IP_SETS) {
                    return Err(SourceError::Failed(t.failure.to_string()));
                }
            }
        }
        self.read_local_state(now);
        tracing::info!(calls = calls.total(), "read for a change");
        self.all_calls.merge(&calls);
        Ok(assemble::snapshot(self, now))
    }
}
