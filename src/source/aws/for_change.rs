//! What a change from the command line needs, and only that: the web ACL of a toggle, or the
//! key of a rotation with its usage plans and the distributions. A few calls on any account,
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
        }
        self.kept_actions = kept_beside(&self.settings.journal).all();
        tracing::info!(calls = calls.total(), "read for a change");
        self.all_calls.merge(&calls);
        Ok(assemble::snapshot(self, now))
    }
}
