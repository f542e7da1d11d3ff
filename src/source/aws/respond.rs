//! The responses, against AWS: a range added to or removed from an IP set (journaled before
//! and after, so a cut-short one is settled by the next read), a rate-based rule's limit
//! (through the same one-rule edit as a toggle), a key disabled or enabled again (after every
//! distribution in view was listed again), and an old key deleted (once its usage since the
//! rotation reads zero).

use aws_sdk_apigateway::types::{Op as PatchOp, PatchOperation};
use aws_sdk_wafv2::types as w;
use chrono::Utc;

use super::toggle::{RuleEdit, edit_rule};
use super::{AwsActions, Calls, ip_sets};
use crate::model::Text;
use crate::ops::blocks::{BlockRecord, BlockState, Blocks};
use crate::ops::respond::{Block, DeleteOld, IpSetRef, KeySwitch, RateLimit, Unblock};
use crate::ops::{Progress, Reporter, StepState};
use crate::source::{OpOutcome, SourceError};

/// Where a test may stop a block or an unblock: right after UpdateIPSet answered, before the
/// blocks journal records it.
async fn hook(step: &str) {
    if crate::host::hooks::at(crate::host::hooks::Point::StepCalled(step))
        == crate::host::hooks::Reaction::Stall
    {
        tracing::warn!(step, "test hook: stalled");
        std::future::pending::<()>().await;
    }
}

fn journal_err(e: String) -> SourceError {
    SourceError::Refused(format!(
        "the blocks journal cannot be written ({e}): nothing was sent, since what edgetop adds \
         must be known to be removed again"
    ))
}

fn report(progress: &Reporter, title: &str, steps: &[(&str, StepState)], detail: &str) {
    progress.report(Progress {
        title: title.to_string(),
        steps: steps.iter().map(|(s, st)| (s.to_string(), *st)).collect(),
        detail: detail.to_string(),
    });
}

impl AwsActions {
    pub(super) fn blocks(&self) -> Blocks {
        super::blocks_beside(&self.settings.journal)
    }

    fn record(&self, ip_set: &crate::ops::respond::IpSetRef, range: &str) -> BlockRecord {
        BlockRecord {
            account: self.account.clone(),
            region: self.clients.region.clone(),
            scope: ip_set.scope,
            ip_set: ip_set.name.to_string(),
            ip_set_id: ip_set.id.to_string(),
            range: range.to_string(),
            added: Utc::now(),
            expires: None,
            state: BlockState::Adding,
        }
    }

    /// One range added to or removed from a set, between the blocks journal's records before
    /// and after: the second step reported, the test hook right after the call.
    async fn change_set(
        &self,
        set: &IpSetRef,
        range: &str,
        add: bool,
        progress: &Reporter,
        title: &str,
        steps: [&str; 2],
    ) -> Result<ip_sets::Changed, SourceError> {
        let step = |state| [(steps[0], StepState::Done), (steps[1], state)];
        report(progress, title, &step(StepState::Running), "");
        let change = ip_sets::Change {
            scope: set.scope,
            name: set.name.as_str(),
            id: set.id.as_str(),
            range,
            add,
        };
        let mut calls = Calls::default();
        let result = ip_sets::change(self.clients.waf_for(set.scope), &change, &mut calls).await;
        hook(if add { "block" } else { "unblock" }).await;
        let state = match result {
            Ok(_) => StepState::Done,
            Err(_) => StepState::Failed,
        };
        report(progress, title, &step(state), "");
        result
    }

    pub(super) async fn block(
        &self,
        b: &Block,
        progress: &Reporter,
    ) -> Result<OpOutcome, SourceError> {
        let blocks = self.blocks();
        let title = format!("Block {} in IP set {}", b.range, b.ip_set.name);
        let steps = ["Record it in the blocks journal", "Add it to the IP set"];
        report(
            progress,
            &title,
            &[
                (steps[0], StepState::Running),
                (steps[1], StepState::Waiting),
            ],
            "",
        );
        let mut rec = BlockRecord {
            expires: b.expires,
            ..self.record(&b.ip_set, b.range.as_str())
        };
        blocks.put(&rec).map_err(journal_err)?;
        let result = self
            .change_set(&b.ip_set, b.range.as_str(), true, progress, &title, steps)
            .await;
        let said = match result {
            Ok(ip_sets::Changed::Sent { tries, size }) => format!(
                "blocked: IP set {} now holds {} ({size} ranges){}; WAF takes about a minute to \
                 apply it everywhere",
                b.ip_set.name,
                b.range,
                if tries > 1 {
                    let n = tries - 1;
                    format!(
                        ", kept beside {n} change{} someone else made to it meanwhile",
                        if n == 1 { "" } else { "s" }
                    )
                } else {
                    String::new()
                }
            ),
            Ok(ip_sets::Changed::Already) => {
                // Someone else added it meanwhile: it is not edgetop's to remove.
                let _ = blocks.forget(&rec);
                return Ok(OpOutcome::said(format!(
                    "IP set {} already holds {}: nothing was sent",
                    b.ip_set.name, b.range
                )));
            }
            Err(e) => {
                // Refused before any change: nothing to remember. Otherwise the next read of
                // the set settles it.
                if matches!(e, SourceError::Refused(_)) {
                    let _ = blocks.forget(&rec);
                }
                return Err(e);
            }
        };
        rec.state = BlockState::Added;
        let warning = blocks.put(&rec).err();
        Ok(OpOutcome::said(match warning {
            Some(w) => format!("{said}; warning: the blocks journal: {w}"),
            None => said,
        }))
    }

    pub(super) async fn unblock(
        &self,
        u: &Unblock,
        progress: &Reporter,
    ) -> Result<OpOutcome, SourceError> {
        let blocks = self.blocks();
        let like = self.record(&u.ip_set, u.range.as_str());
        let Some(mut rec) = blocks.find(&like) else {
            return Err(SourceError::Refused(format!(
                "edgetop did not add {} to IP set {} (its blocks journal has no such entry): it \
                 removes only what it added",
                u.range, u.ip_set.name
            )));
        };
        let title = format!("Remove {} from IP set {}", u.range, u.ip_set.name);
        let steps = [
            "Mark it being removed in the blocks journal",
            "Remove it from the IP set",
        ];
        rec.state = BlockState::Removing;
        blocks.put(&rec).map_err(journal_err)?;
        let result = self
            .change_set(&u.ip_set, u.range.as_str(), false, progress, &title, steps)
            .await;
        match result {
            Ok(changed) => {
                let _ = blocks.forget(&rec);
                Ok(OpOutcome::said(match changed {
                    ip_sets::Changed::Sent { size, .. } => format!(
                        "removed: IP set {} no longer holds {} ({size} ranges)",
                        u.ip_set.name, u.range
                    ),
                    ip_sets::Changed::Already => format!(
                        "IP set {} no longer held {} (someone removed it): forgotten",
                        u.ip_set.name, u.range
                    ),
                }))
            }
            Err(e) => {
                if matches!(e, SourceError::Refused(_)) {
                    rec.state = BlockState::Added;
                    let _ = blocks.put(&rec);
                }
                Err(e)
            }
        }
    }

    pub(super) async fn rate_limit(
        &self,
        r: &RateLimit,
        progress: &Reporter,
    ) -> Result<OpOutcome, SourceError> {
        let mut e = RateEdit { r };
        edit_rule(
            self.clients.waf_for(r.scope),
            r.scope,
            (r.web_acl.as_str(), r.web_acl_id.as_str()),
            r.rule.as_str(),
            &mut e,
            progress,
            &mut Calls::default(),
        )
        .await
    }

    pub(super) async fn switch_key(
        &self,
        k: &KeySwitch,
        progress: &Reporter,
    ) -> Result<OpOutcome, SourceError> {
        let title = format!(
            "{} API key {}",
            if k.enable { "Enable" } else { "Disable" },
            k.key_name
        );
        let check = "List every distribution in view again";
        let write = "Set the key's enabled flag";
        if !k.enable {
            report(
                progress,
                &title,
                &[(check, StepState::Running), (write, StepState::Waiting)],
                "",
            );
            self.pace.wait().await;
            let value = super::apigateway::key_value(&self.clients.apigateway, k.key_id.as_str())
                .await
                .map_err(|e| {
                    SourceError::Refused(format!(
                        "{e}: no distribution can be checked for it, so it was left enabled"
                    ))
                })?;
            let r = self.rotator(progress.clone());
            if let Err(why) = r.still_sending(&value).await {
                report(
                    progress,
                    &title,
                    &[(check, StepState::Failed), (write, StepState::Waiting)],
                    "",
                );
                return Err(SourceError::Refused(format!(
                    "{why}. Rotate it instead (r on Keys, or edgetop rotate)"
                )));
            }
        }
        report(
            progress,
            &title,
            &[(check, StepState::Done), (write, StepState::Running)],
            "",
        );
        self.pace.wait().await;
        let patch = PatchOperation::builder()
            .op(PatchOp::Replace)
            .path("/enabled")
            .value(k.enable.to_string())
            .build();
        self.clients
            .apigateway
            .update_api_key()
            .api_key(k.key_id.as_str())
            .patch_operations(patch)
            .send()
            .await
            .map_err(|e| {
                SourceError::Failed(
                    super::connect::failure("apigateway:PATCH /apikeys/*", &e).to_string(),
                )
            })?;
        report(
            progress,
            &title,
            &[(check, StepState::Done), (write, StepState::Done)],
            "",
        );
        Ok(OpOutcome::said(format!(
            "API key {} is {}",
            k.key_name,
            if k.enable {
                "enabled again"
            } else {
                "disabled: requests with it get HTTP 403"
            }
        )))
    }

    pub(super) async fn delete_old(
        &self,
        d: &DeleteOld,
        progress: &Reporter,
    ) -> Result<OpOutcome, SourceError> {
        let title = format!("Delete the old API key {}", d.key_name);
        let steps = [
            "Read the key: still disabled",
            "Read its usage since the rotation",
            "Delete it",
        ];
        let show = |states: [StepState; 3], detail: &str| {
            let s: Vec<(&str, StepState)> = steps.iter().copied().zip(states).collect();
            report(progress, &title, &s, detail)
        };
        use StepState::{Done, Running, Waiting};
        show([Running, Waiting, Waiting], "");
        let api = &self.clients.apigateway;
        self.pace.wait().await;
        let key = api
            .get_api_key()
            .api_key(d.key_id.as_str())
            .send()
            .await
            .map_err(|e| {
                SourceError::Failed(
                    super::connect::failure("apigateway:GET /apikeys/*", &e).to_string(),
                )
            })?;
        if key.enabled() {
            return Err(SourceError::Refused(format!(
                "API key {} is enabled again: it is in use, and was not deleted",
                d.key_name
            )));
        }
        show([Done, Running, Waiting], "");
        let since = d.since.date_naive();
        let plans = self.unused_since(d, since).await?;
        show([Done, Done, Running], "");
        self.pace.wait().await;
        api.delete_api_key()
            .api_key(d.key_id.as_str())
            .send()
            .await
            .map_err(|e| {
                SourceError::Failed(
                    super::connect::failure("apigateway:DELETE /apikeys/*", &e).to_string(),
                )
            })?;
        show([Done, Done, Done], "");
        Ok(OpOutcome::said(format!(
            "deleted the old API key {} ({}): {} usage plan(s) read, no request since {}",
            d.key_name,
            d.key_id,
            plans.len(),
            since
        )))
    }

    /// The usage plans of the old key, once each says the key answered no request since
    /// `since` (a disabled key's requests are refused, and counted): else a refusal.
    async fn unused_since(
        &self,
        d: &DeleteOld,
        since: chrono::NaiveDate,
    ) -> Result<Vec<String>, SourceError> {
        let api = &self.clients.apigateway;
        let mut calls = Calls::default();
        let plans = super::apigateway::plans_of_key(api, &self.pace, d.key_id.as_str(), &mut calls)
            .await
            .map_err(|e| SourceError::Failed(e.to_string()))?;
        let today = Utc::now().date_naive();
        for plan in &plans {
            let used = super::apigateway::key_requests_between(
                api,
                &self.pace,
                plan,
                d.key_id.as_str(),
                (since, today),
                &mut calls,
            )
            .await
            .map_err(|e| SourceError::Failed(e.to_string()))?;
            if used > 0 {
                return Err(SourceError::Refused(format!(
                    "API key {} answered {used} request(s) in usage plan {} since {}: someone \
                     still uses it (a disabled key's requests are refused, and counted). It was \
                     not deleted",
                    d.key_name,
                    Text::new(plan),
                    since
                )));
            }
        }
        Ok(plans)
    }
}

/// A rate-based rule's new limit, as a one-rule edit: refused when the rule is not as the
/// screen showed it.
struct RateEdit<'a> {
    r: &'a RateLimit,
}

fn limit_of(rule: &w::Rule) -> Option<(u64, u32)> {
    let s = rule.statement()?.rate_based_statement()?;
    let window = match s.evaluation_window_sec() {
        0 => 300,
        w => w as u32,
    };
    Some((s.limit().max(0) as u64, window))
}

impl RuleEdit for RateEdit<'_> {
    fn title(&self) -> String {
        format!(
            "Rate limit of {} in web ACL {}",
            self.r.rule, self.r.web_acl
        )
    }

    fn write_step(&self) -> String {
        format!(
            "Set {} to {} and send the web ACL back",
            self.r.rule, self.r.to
        )
    }

    fn check(&mut self, rule: &w::Rule) -> Result<Option<OpOutcome>, SourceError> {
        let Some((limit, window)) = limit_of(rule) else {
            return Err(SourceError::Refused(format!(
                "{} is no longer a rate-based rule: nothing was sent",
                self.r.rule
            )));
        };
        let (to, from) = (self.r.to, self.r.from);
        if (limit, window) == (to.limit, to.window_secs) {
            return Ok(Some(OpOutcome::said(format!(
                "{} is already {to}: nothing was sent",
                self.r.rule
            ))));
        }
        if (limit, window) != (from.limit, from.window_secs) {
            return Err(SourceError::Refused(format!(
                "conflict: {} is {limit} per {window} s now, not {from} as on your screen; \
                 someone changed it, so nothing was sent. Look again and decide.",
                self.r.rule
            )));
        }
        Ok(None)
    }

    fn edit(&mut self, rule: &mut w::Rule) -> Result<(), SourceError> {
        let s = rule
            .statement
            .as_mut()
            .and_then(|s| s.rate_based_statement.as_mut())
            .ok_or_else(|| SourceError::Refused("not a rate-based rule".into()))?;
        s.limit = self.r.to.limit as i64;
        s.evaluation_window_sec = i64::from(self.r.to.window_secs);
        Ok(())
    }

    fn accepted(&self, attempt: u32) -> String {
        format!(
            "accepted: {} in {} is now {}{}; WAF may take a minute to apply it",
            self.r.rule,
            self.r.web_acl,
            self.r.to,
            if attempt > 1 {
                format!(
                    " (after {} concurrent change(s) by someone else, kept)",
                    attempt - 1
                )
            } else {
                String::new()
            }
        )
    }
}
