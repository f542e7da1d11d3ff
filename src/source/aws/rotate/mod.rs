//! Rotating an API key that clients (and CloudFront origins) send, without downtime:
//! create the new key → add it to every usage plan that holds the old one → switch each
//! distribution's origin header (If-Match on the ETag read) → wait until it is Deployed →
//! disable the old key. Deleting the old key is left to the operator, later, on purpose.
//!
//! Every step is journaled before and after it runs ([`crate::ops::journal`]) and is safe to run
//! twice, so a rotation cut short anywhere can be finished or rolled back. At no moment does a
//! distribution send a key that is not enabled and in its plans: the new key is enabled and in
//! every plan before any distribution sends it, and the old key is disabled only once no
//! distribution sends it; rolling back enables the old key again before switching back, and
//! takes the new key out of its plans only once no distribution sends it.
//!
//! The state machine is here; each step's AWS calls, its check that it is already done, and its
//! undo are in [`keys`] (API Gateway) and [`cdn`] (CloudFront), read together when a step is
//! changed.

use std::time::Duration;

use aws_sdk_apigateway::types::{Op as PatchOp, PatchOperation};
use chrono::Utc;
use tokio::time::Instant;

mod cdn;
mod keys;

use super::Calls;
use super::connect::{Clients, failure};
use super::pace::Pacer;
use crate::model::format;
use crate::model::text::Fingerprint;
use crate::model::{Secret, Text};
use crate::ops::journal::{Finish, Journal, Mark, Rotation, StepId};
use crate::ops::{Progress, Reporter, StepState, rotated_name};
use crate::source::{OpOutcome, SourceError};

/// How to wait for a distribution to deploy.
#[derive(Clone, Copy, Debug)]
pub struct DeployWait {
    pub every: Duration,
    pub timeout: Duration,
}

/// Another account in view, whose distributions are checked too before an old key is
/// disabled: a shared CDN account may send a key of an API in this one.
#[derive(Clone, Debug)]
pub struct OtherCdn {
    /// What the screens call it ("shared-cdn (111122223333)").
    pub label: String,
    pub cloudfront: aws_sdk_cloudfront::Client,
}

/// Everything a rotation needs, owned, so it runs beside polling.
#[derive(Clone)]
pub struct Rotator {
    pub clients: Clients,
    pub pace: Pacer,
    pub journal: Journal,
    pub deploy: DeployWait,
    pub progress: Reporter,
    pub account: String,
    pub region: String,
    /// The other accounts in view, for the last check before the old key is disabled.
    pub others: Vec<OtherCdn>,
}

/// Key values, read when a step needs them (never journaled, never logged).
#[derive(Default)]
struct Values {
    old: Option<Secret>,
    new: Option<Secret>,
}

type Step<T> = Result<T, StepError>;

/// Why a step stopped. A refusal is a safety check saying no (the old key is still sent, so it
/// is not disabled); a failure is a call that went wrong. Either way the rotation stops where
/// it is, journaled, to be finished or rolled back.
#[derive(Debug, thiserror::Error)]
enum StepError {
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Failed(String),
}

impl From<String> for StepError {
    fn from(e: String) -> StepError {
        StepError::Failed(e)
    }
}

impl From<&str> for StepError {
    fn from(e: &str) -> StepError {
        StepError::Failed(e.into())
    }
}

/// Where a test may stop the rotation ([`crate::host::hooks`]): right after a step's call returned
/// (`called`, before the journal records it) or right after the journal recorded it (`done`).
async fn hook(step: &StepId, called: bool) {
    let key = step.key();
    let point = match called {
        true => crate::host::hooks::Point::StepCalled(&key),
        false => crate::host::hooks::Point::StepDone(&key),
    };
    if crate::host::hooks::at(point) == crate::host::hooks::Reaction::Stall {
        tracing::warn!(step = %key, called, "test hook: stalled");
        std::future::pending::<()>().await;
    }
}

fn api_err<E, R>(action: &'static str, e: &aws_sdk_apigateway::error::SdkError<E, R>) -> String
where
    E: aws_sdk_apigateway::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    failure(action, e).to_string()
}

/// CloudFront's answer about a distribution that does not exist.
const GONE: &str = "NoSuchDistribution";

/// The error code of a service error (any service's).
fn code<E: aws_sdk_apigateway::error::ProvideErrorMetadata, R>(
    e: &aws_sdk_apigateway::error::SdkError<E, R>,
) -> Option<String> {
    e.as_service_error()
        .and_then(|s| s.code())
        .map(str::to_string)
}

impl Rotator {
    fn report(&self, r: &Rotation, running: Option<&StepId>, detail: String) {
        let steps = r
            .steps_now()
            .iter()
            .map(|s| {
                let state = if Some(s) == running {
                    StepState::Running
                } else if r.mark(s) == Some(Mark::Done) {
                    StepState::Done
                } else {
                    StepState::Waiting
                };
                (s.describe(r), state)
            })
            .collect();
        self.progress.report(Progress {
            title: format!(
                "{} API key {}",
                if r.rolling_back {
                    "Rolling back the rotation of"
                } else {
                    "Rotating"
                },
                Text::new(&r.old_key_name)
            ),
            steps,
            detail,
        });
    }

    /// Wait for API Gateway's request budget, saying so when it takes a while.
    async fn paced(&self, r: &Rotation, s: &StepId) {
        let waited = self.pace.wait().await;
        if waited >= Duration::from_millis(500) {
            self.report(
                r,
                Some(s),
                format!(
                    "waited {:.1} s for API Gateway's request budget (--apigateway-rps, --apigateway-burst)",
                    waited.as_secs_f64()
                ),
            );
        }
    }

    /// The usage plans a key is in, every page.
    async fn plans_of(&self, key_id: &str, calls: &mut Calls) -> Result<Vec<String>, SourceError> {
        super::apigateway::plans_of_key(&self.clients.apigateway, &self.pace, key_id, calls)
            .await
            .map_err(|e| SourceError::Failed(e.to_string()))
    }

    /// Begin rotating `old_key_id`.
    pub async fn start(&self, old_key_id: &str) -> Result<OpOutcome, SourceError> {
        let mut calls = Calls::default();
        // One rotation of a key at a time on this machine: the key's lock is taken before
        // anything is checked, and held to the end.
        let _key_lock = self.journal.lock_key(old_key_id)?;
        let (open, _) = self.journal.unfinished(&self.account, &self.region);
        if let Some(o) = open.iter().find(|r| r.old_key_id == old_key_id) {
            return Err(SourceError::Refused(format!(
                "an earlier rotation of this key did not finish ({}; {}): finish or roll it back first",
                o.id,
                o.where_stopped()
            )));
        }
        let (old_name, old_value) = self.rotatable(old_key_id, &mut calls).await?;
        let plans = self.plans_of(old_key_id, &mut calls).await?;
        // Every distribution that sends the old value, under whatever header name.
        let distributions = self
            .sending(&old_value, &mut calls)
            .await
            .map_err(|e| SourceError::Failed(e.to_string()))?
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        let now = Utc::now();
        let mut r = Rotation {
            format: crate::host::format::JOURNAL,
            id: crate::ops::journal::rotation_id(now, old_key_id),
            account: self.account.clone(),
            region: self.region.clone(),
            started: now,
            updated: now,
            old_key_id: old_key_id.to_string(),
            old_key_name: old_name.clone(),
            new_key_name: rotated_name(&old_name, now),
            new_key_id: None,
            plans,
            distributions,
            rolling_back: false,
            steps: Default::default(),
            finished: None,
        };
        let _lock = self.journal.lock(&r.id)?;
        self.save(&mut r).await?;
        let values = Values {
            old: Some(old_value),
            new: None,
        };
        self.drive(&mut r, values).await
    }

    /// The old key's name and value, once it is known that it may be rotated: enabled, its
    /// value given, and no other edgetop's rotation of it unfinished.
    async fn rotatable(
        &self,
        old_key_id: &str,
        calls: &mut Calls,
    ) -> Result<(String, Secret), SourceError> {
        let api = &self.clients.apigateway;
        self.pace.wait().await;
        calls.add("apigateway:GetApiKey");
        let old = api
            .get_api_key()
            .api_key(old_key_id)
            .include_value(true)
            .send()
            .await
            .map_err(|e| SourceError::Failed(api_err("apigateway:GET /apikeys/*", &e)))?;
        let old_name = old.name().unwrap_or(old_key_id).to_string();
        if !old.enabled() {
            return Err(SourceError::Refused(format!(
                "API key {} is disabled: there is nothing to rotate",
                Text::new(&old_name)
            )));
        }
        // Without the value, no distribution sending it can be found, and the last check
        // before disabling it would find none: a key still sent would be disabled.
        let old_value = match old.value() {
            Some(v) if !v.is_empty() => Secret::new(v),
            _ => {
                return Err(SourceError::Refused(format!(
                    "API Gateway returned no value for API key {} (GetApiKey with \
                     includeValue): without it the distributions that send it cannot be found, \
                     so it is not rotated. Nothing was changed",
                    Text::new(&old_name)
                )));
            }
        };
        // Another machine's rotation of this key leaves no journal here, but its new key says
        // in its description what it replaces.
        let theirs = super::apigateway::keys_replacing(api, &self.pace, calls, old_key_id)
            .await
            .map_err(|e| SourceError::Failed(e.to_string()))?;
        if let Some((id, name, created)) = theirs.first() {
            let (id, name) = (Text::new(id), Text::new(name));
            return Err(SourceError::Refused(format!(
                "API key {name} ({id}) was created {} by an edgetop rotation of this key that has \
                 not finished (here or on another machine): finish or roll it back where it \
                 started, or delete {name} if that rotation was abandoned",
                created.format("%Y-%m-%d %H:%M:%S UTC")
            )));
        }
        Ok((old_name, old_value))
    }

    /// Carry on with (or roll back) a rotation from the journal.
    pub async fn resume(&self, id: &str, rollback: bool) -> Result<OpOutcome, SourceError> {
        let _lock = self.journal.lock(id)?;
        let mut r = self.journal.load(id)?;
        let _key_lock = self.journal.lock_key(&r.old_key_id)?;
        if let Some(f) = r.finished {
            return Err(SourceError::Refused(format!(
                "rotation {id} already ended ({f:?}): nothing to do"
            )));
        }
        if r.account != self.account || r.region != self.region {
            return Err(SourceError::Refused(format!(
                "rotation {id} belongs to account {} in {}, not {} in {}",
                r.account, r.region, self.account, self.region
            )));
        }
        if r.rolling_back && !rollback {
            return Err(SourceError::Refused(format!(
                "rotation {id} was being rolled back: it can only be rolled back"
            )));
        }
        if rollback && !r.rolling_back {
            r.rolling_back = true;
            self.save(&mut r).await?;
        }
        self.drive(&mut r, Values::default()).await
    }

    /// Journal `r`, durably, off the runtime's workers (it waits for the disk).
    async fn save(&self, r: &mut Rotation) -> Result<(), SourceError> {
        r.updated = Utc::now();
        let (journal, copy) = (self.journal.clone(), r.clone());
        let saved = tokio::task::spawn_blocking(move || journal.save(&copy))
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e)));
        saved.map_err(|e| {
            SourceError::Failed(format!(
                "cannot write the rotation journal in {}: {e}",
                self.journal.dir().display()
            ))
        })
    }

    async fn drive(&self, r: &mut Rotation, mut values: Values) -> Result<OpOutcome, SourceError> {
        for s in r.steps_now() {
            if r.mark(&s) == Some(Mark::Done) {
                continue;
            }
            // Begun in an earlier run that ended before it was journaled as done.
            let resumed = r.mark(&s) == Some(Mark::Started);
            r.steps.insert(s.key(), Mark::Started);
            self.save(r).await?;
            self.report(r, Some(&s), String::new());
            tracing::info!(rotation = %r.id, step = %s.key(), "step started");
            if let Err(e) = self.step(r, &s, &mut values, resumed).await {
                let kind = match e {
                    StepError::Refused(_) => "refused",
                    StepError::Failed(_) => "failed",
                };
                self.report(r, Some(&s), format!("{kind}: {e}"));
                tracing::warn!(rotation = %r.id, step = %s.key(), error = %e, kind, "step stopped");
                let said = format!(
                    "{e}. Stopped at \"{}\"; journal {}: it is offered to finish or roll back at \
                     the next start, or run `edgetop rotation finish|rollback {}`",
                    s.describe(r),
                    r.id,
                    r.id
                );
                return Err(match e {
                    StepError::Refused(_) => SourceError::Refused(said),
                    StepError::Failed(_) => SourceError::Failed(said),
                });
            }
            hook(&s, true).await;
            r.steps.insert(s.key(), Mark::Done);
            self.save(r).await?;
            tracing::info!(rotation = %r.id, step = %s.key(), "step done");
            hook(&s, false).await;
        }
        r.finished = Some(if r.rolling_back {
            Finish::RolledBack
        } else {
            Finish::Completed
        });
        self.save(r).await?;
        self.report(r, None, String::new());
        let (old_name, new_name) = (Text::new(&r.old_key_name), Text::new(&r.new_key_name));
        if r.rolling_back {
            return Ok(OpOutcome {
                message: format!(
                    "rolled back: {old_name} is enabled and sent as before; {new_name} is gone"
                ),
                secret: None,
            });
        }
        let new = self.new_value(r, &mut values).await.ok();
        Ok(OpOutcome {
            message: format!(
                "rotated: {new_name} ({}) is in {} usage plan(s){}; {old_name} is disabled (delete it later, on purpose)",
                Text::new(r.new_key_id.as_deref().unwrap_or("?")),
                r.plans.len(),
                if r.distributions.is_empty() {
                    String::new()
                } else {
                    format!(
                        ", sent by {} (Deployed)",
                        Text::new(&r.distributions.join(", "))
                    )
                },
            ),
            secret: new,
        })
    }
}

impl Rotator {
    async fn step(&self, r: &mut Rotation, s: &StepId, v: &mut Values, resumed: bool) -> Step<()> {
        match s {
            StepId::Create => self.create(r, s, resumed).await,
            StepId::AddToPlan(p) => self.add_to_plan(r, s, p).await,
            StepId::Switch(d) => {
                let (from, to) = (self.old_value(r, v).await?, self.new_value(r, v).await?);
                self.switch(r, s, d, &from, &to).await
            }
            StepId::SwitchBack(d) => {
                let from = match self.find_new(r, s).await? {
                    Some(_) => self.new_value(r, v).await?,
                    None => return Ok(()), // no new key: no distribution can send it
                };
                let to = self.old_value(r, v).await?;
                self.switch(r, s, d, &from, &to).await
            }
            StepId::Deployed(d) | StepId::DeployedBack(d) => self.deployed(r, s, d).await,
            StepId::DisableOld => {
                // Someone deleted the old key: nothing can send it, so it is as good as
                // disabled.
                if !self.old_key_exists(r, s).await? {
                    self.warn(
                        r,
                        s,
                        format!(
                            "the old key {} no longer exists",
                            Text::new(&r.old_key_name)
                        ),
                    );
                    return Ok(());
                }
                // The distributions were found when the rotation began; one may have started
                // sending the old key since. Look again, just before, in every account in view.
                let old = self.old_value(r, v).await?;
                self.still_sent(&old).await?;
                self.set_enabled(r, s, false).await
            }
            StepId::EnableOld => self.set_enabled(r, s, true).await,
            StepId::RemoveFromPlan(p) => self.remove_from_plan(r, s, p).await,
            StepId::DeleteNew => self.delete_new(r, s).await,
        }
    }

    /// The new key's description: what it replaces, and this rotation's id, which is random in
    /// part, so nobody can plant a key that carries it.
    fn description(r: &Rotation) -> String {
        format!(
            "Replaces {} ({}); edgetop rotation {}",
            r.old_key_name, r.old_key_id, r.id
        )
    }

    /// Say that a step found nothing to do because someone changed the account, and go on.
    fn warn(&self, r: &Rotation, s: &StepId, what: String) {
        tracing::warn!(rotation = %r.id, step = %s.key(), what = %what, "step: nothing to do");
        self.report(r, Some(s), what);
    }
}
