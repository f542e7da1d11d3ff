//! What acts on an account: the operations a confirmed plan starts (toggle, rotation, the
//! responses) and a key's value when asked, each with its own clients and settings.

use super::*;

/// What acts on the account: cloned clients and settings, nothing a poll holds. API Gateway
/// calls share the poller's pacer (one budget for the account).
#[derive(Clone)]
pub struct AwsActions {
    pub(super) clients: Clients,
    pub(super) pace: Pacer,
    pub(super) settings: Settings,
    pub(super) account: String,
}

impl AwsActions {
    pub(super) fn kept(&self) -> crate::ops::kept::KeptActions {
        kept_beside(&self.settings.journal)
    }

    pub(super) fn rotator(&self, progress: Reporter) -> rotate::Rotator {
        rotate::Rotator {
            clients: self.clients.clone(),
            pace: self.pace.clone(),
            journal: self.settings.journal.clone(),
            deploy: self.settings.deploy,
            progress,
            account: self.account.clone(),
            region: self.clients.region.clone(),
            others: self.settings.other_cdns.clone(),
        }
    }
}

impl Actions for AwsActions {
    fn apply(&self, op: Op, progress: Reporter) -> OpFuture {
        match op {
            Op::ToggleRule(t) => {
                let client = self.clients.waf_for(t.scope).clone();
                let kept = self.kept();
                Box::pin(async move {
                    let mut calls = Calls::default();
                    toggle::run(&client, &t, &kept, &progress, &mut calls).await
                })
            }
            Op::RotateKey { key_id, .. } => {
                let r = self.rotator(progress);
                Box::pin(async move { r.start(key_id.as_str()).await })
            }
            Op::ResumeRotation { id, rollback, .. } => {
                let r = self.rotator(progress);
                Box::pin(async move { r.resume(&id, rollback).await })
            }
            other => {
                let me = self.clone();
                Box::pin(async move {
                    match &other {
                        Op::Block(b) => me.block(b, &progress).await,
                        Op::Unblock(u) => me.unblock(u, &progress).await,
                        Op::RateLimit(r) => me.rate_limit(r, &progress).await,
                        Op::SetKeyEnabled(k) => me.switch_key(k, &progress).await,
                        Op::DeleteOldKey(d) => me.delete_old(d, &progress).await,
                        _ => unreachable!("matched above"),
                    }
                })
            }
        }
    }

    fn key_value(&self, _: crate::model::Place, key_id: &str) -> ValueFuture {
        let (api, pace, key_id) = (
            self.clients.apigateway.clone(),
            self.pace.clone(),
            key_id.to_string(),
        );
        Box::pin(async move {
            pace.wait().await;
            apigateway::key_value(&api, &key_id)
                .await
                .map_err(|e| SourceError::Failed(e.to_string()))
        })
    }
}
