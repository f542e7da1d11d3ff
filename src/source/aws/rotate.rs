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
//! Why one long file: the rotation is one state machine, and each step's AWS calls, its check
//! that it is already done, and its undo are read together when a step is changed.

use std::time::Duration;

use aws_sdk_apigateway::types::{Op as PatchOp, PatchOperation};
use chrono::Utc;
use tokio::time::Instant;

use super::Calls;
use super::connect::{Clients, failure};
use super::pace::Pacer;
use crate::format;
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

/// Where a test may stop the rotation ([`crate::hooks`]): right after a step's call returned
/// (`called`, before the journal records it) or right after the journal recorded it (`done`).
async fn hook(step: &StepId, called: bool) {
    let key = step.key();
    let point = match called {
        true => crate::hooks::Point::StepCalled(&key),
        false => crate::hooks::Point::StepDone(&key),
    };
    if crate::hooks::at(point) == crate::hooks::Reaction::Stall {
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
        let theirs = super::apigateway::keys_replacing(api, &self.pace, &mut calls, old_key_id)
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

    /// The distributions of this account that send `value` in an origin custom header,
    /// whatever its name, with the header names.
    async fn sending(&self, value: &Secret, calls: &mut Calls) -> Step<Vec<(String, Vec<String>)>> {
        sending_in(&self.clients.cloudfront, value, calls).await
    }

    /// The last check before the old key is disabled: no distribution of this account sends
    /// it any more (one may have started since the rotation began: another team, a restore),
    /// nor one of another account in view. An account that cannot be read leaves it enabled.
    async fn still_sent(&self, old: &Secret) -> Step<()> {
        let refuse = |which: Vec<(String, Vec<String>)>, of: &str| {
            let which: Vec<String> = which
                .iter()
                .map(|(d, h)| format!("{d} ({})", h.join(", ")))
                .collect();
            StepError::Refused(format!(
                "the old key is still sent by distribution {}{of}: it was left enabled. \
                 Switch that header to the new key (or roll back), then finish",
                Text::new(&which.join(", "))
            ))
        };
        let still = self.sending(old, &mut Calls::default()).await?;
        if !still.is_empty() {
            return Err(refuse(still, ""));
        }
        for o in &self.others {
            let still = sending_in(&o.cloudfront, old, &mut Calls::default())
                .await
                .map_err(|e| {
                    StepError::Refused(format!(
                        "the distributions of {} could not be listed ({e}): the old key was \
                         left enabled, since one of them may send it. Finish once they can be \
                         read",
                        o.label
                    ))
                })?;
            if !still.is_empty() {
                return Err(refuse(still, &format!(" of {}", o.label)));
            }
        }
        Ok(())
    }
}

impl Rotator {
    /// The same last check, for a key disabled on its own (no rotation): why it may not be.
    pub async fn still_sending(&self, value: &Secret) -> Result<(), String> {
        self.still_sent(value).await.map_err(|e| e.to_string())
    }
}

/// The distributions `cloudfront` lists that send `value` in an origin custom header, whatever
/// its name, with the header names: matched by fingerprint, as discovery matches them.
async fn sending_in(
    cloudfront: &aws_sdk_cloudfront::Client,
    value: &Secret,
    calls: &mut Calls,
) -> Step<Vec<(String, Vec<String>)>> {
    {
        let dists = super::cloudfront::distributions(cloudfront, calls)
            .await
            .map_err(|e| e.to_string())?;
        let value = Fingerprint::of(value.expose());
        Ok(dists
            .into_iter()
            .filter_map(|d| {
                let headers: Vec<String> = d
                    .origins
                    .iter()
                    .flat_map(|o| o.sending(&value).map(|h| format!("{} › {h}", o.domain)))
                    .collect();
                (!headers.is_empty()).then_some((d.id, headers))
            })
            .collect())
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

    /// The keys named as the new key is: (id, made by this rotation, as its description says).
    async fn named_new(&self, r: &Rotation, s: &StepId) -> Step<Vec<(String, bool)>> {
        self.paced(r, s).await;
        let page = self
            .clients
            .apigateway
            .get_api_keys()
            .name_query(&r.new_key_name)
            .limit(500)
            .send()
            .await
            .map_err(|e| api_err("apigateway:GET /apikeys", &e))?;
        let ours = format!("edgetop rotation {}", r.id);
        Ok(page
            .items()
            .iter()
            .filter(|k| k.name() == Some(r.new_key_name.as_str()))
            .filter_map(|k| {
                let id = k.id()?.to_string();
                Some((id, k.description().is_some_and(|d| d.ends_with(&ours))))
            })
            .collect())
    }

    /// The new key's id: journaled, or, when its creation began but was not journaled (a crash
    /// between CreateApiKey and the journal), the one key of its name whose description
    /// carries this rotation's id. A key of that name without it is someone else's: never
    /// taken for ours.
    async fn find_new(&self, r: &mut Rotation, s: &StepId) -> Step<Option<String>> {
        if let Some(id) = &r.new_key_id {
            return Ok(Some(id.clone()));
        }
        if r.mark(&StepId::Create).is_none() {
            return Ok(None);
        }
        let ours: Vec<String> = self
            .named_new(r, s)
            .await?
            .into_iter()
            .filter_map(|(id, ours)| ours.then_some(id))
            .collect();
        match ours.as_slice() {
            [] => Ok(None),
            [id] => {
                r.new_key_id = Some(id.clone());
                self.save(r).await.map_err(|e| e.to_string())?;
                Ok(Some(id.clone()))
            }
            _ => Err(StepError::Refused(format!(
                "{} API keys are named {} and carry this rotation's id: which one it made cannot \
                 be told, so none is used. Delete the ones it did not make, then go on",
                ours.len(),
                Text::new(&r.new_key_name)
            ))),
        }
    }

    /// Create the new key, unless an earlier run did (`resumed`: its creation began and was
    /// not journaled as done). A key of the new key's name that this rotation did not make is
    /// refused, not adopted: whoever made it would learn the value CloudFront is to send.
    async fn create(&self, r: &mut Rotation, s: &StepId, resumed: bool) -> Step<()> {
        if resumed && self.find_new(r, s).await?.is_some() {
            return Ok(());
        }
        let theirs: Vec<String> = self
            .named_new(r, s)
            .await?
            .into_iter()
            .filter_map(|(id, ours)| (!ours || !resumed).then_some(id))
            .collect();
        if !theirs.is_empty() {
            return Err(StepError::Refused(format!(
                "an API key named {} already exists ({}) and this rotation did not create it \
                 (its description does not carry rotation {}): it is not used, and nothing was \
                 created. Find out who made it; roll back, or delete it and finish",
                Text::new(&r.new_key_name),
                Text::new(&theirs.join(", ")),
                r.id
            )));
        }
        self.paced(r, s).await;
        let made = self
            .clients
            .apigateway
            .create_api_key()
            .name(&r.new_key_name)
            .description(Self::description(r))
            .enabled(true)
            .send()
            .await
            .map_err(|e| api_err("apigateway:POST /apikeys", &e))?;
        r.new_key_id = made.id().map(str::to_string);
        self.save(r)
            .await
            .map_err(|e| StepError::Failed(e.to_string()))
    }

    /// Whether the old key still exists (a fresh read: GetApiKey, without its value).
    async fn old_key_exists(&self, r: &Rotation, s: &StepId) -> Step<bool> {
        self.paced(r, s).await;
        match self
            .clients
            .apigateway
            .get_api_key()
            .api_key(&r.old_key_id)
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if code(&e).as_deref() == Some("NotFoundException") => Ok(false),
            Err(e) => Err(api_err("apigateway:GET /apikeys/*", &e).into()),
        }
    }

    async fn value_of(&self, r: &Rotation, s: &StepId, id: &str) -> Step<Secret> {
        self.paced(r, s).await;
        super::apigateway::key_value(&self.clients.apigateway, id)
            .await
            .map_err(|e| StepError::Failed(e.to_string()))
    }

    async fn old_value(&self, r: &Rotation, v: &mut Values) -> Step<Secret> {
        if let Some(old) = &v.old {
            return Ok(old.clone());
        }
        let old = self.value_of(r, &StepId::Create, &r.old_key_id).await?;
        v.old = Some(old.clone());
        Ok(old)
    }

    async fn new_value(&self, r: &mut Rotation, v: &mut Values) -> Step<Secret> {
        if let Some(new) = &v.new {
            return Ok(new.clone());
        }
        let id = self
            .find_new(r, &StepId::Create)
            .await?
            .ok_or("the new key does not exist")?;
        let new = self.value_of(r, &StepId::Create, &id).await?;
        v.new = Some(new.clone());
        Ok(new)
    }

    async fn add_to_plan(&self, r: &mut Rotation, s: &StepId, plan: &str) -> Step<()> {
        let id = self
            .find_new(r, s)
            .await?
            .ok_or("the new key does not exist")?;
        self.paced(r, s).await;
        match self
            .clients
            .apigateway
            .create_usage_plan_key()
            .usage_plan_id(plan)
            .key_id(&id)
            .key_type("API_KEY")
            .send()
            .await
        {
            Ok(_) => Ok(()),
            // Already a member: the call went through before a crash.
            Err(e) if code(&e).as_deref() == Some("ConflictException") => Ok(()),
            // The plan was deleted meanwhile: no key can be in it.
            Err(e) if code(&e).as_deref() == Some("NotFoundException") => {
                self.warn(r, s, format!("usage plan {plan} no longer exists: skipped"));
                Ok(())
            }
            Err(e) => Err(api_err("apigateway:POST /usageplans/*/keys", &e).into()),
        }
    }

    async fn remove_from_plan(&self, r: &mut Rotation, s: &StepId, plan: &str) -> Step<()> {
        let Some(id) = self.find_new(r, s).await? else {
            return Ok(());
        };
        // Is it a member? (Asking first gives a clean answer everywhere; some endpoints answer a
        // delete of a non-member with a server error.)
        self.paced(r, s).await;
        match self
            .clients
            .apigateway
            .get_usage_plan_key()
            .usage_plan_id(plan)
            .key_id(&id)
            .send()
            .await
        {
            Ok(_) => {}
            Err(e) if code(&e).as_deref() == Some("NotFoundException") => return Ok(()),
            Err(e) => return Err(api_err("apigateway:GET /usageplans/*/keys/*", &e).into()),
        }
        self.paced(r, s).await;
        match self
            .clients
            .apigateway
            .delete_usage_plan_key()
            .usage_plan_id(plan)
            .key_id(&id)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if code(&e).as_deref() == Some("NotFoundException") => Ok(()),
            Err(e) => Err(api_err("apigateway:DELETE /usageplans/*/keys/*", &e).into()),
        }
    }

    async fn delete_new(&self, r: &mut Rotation, s: &StepId) -> Step<()> {
        let Some(id) = self.find_new(r, s).await? else {
            return Ok(());
        };
        self.paced(r, s).await;
        match self
            .clients
            .apigateway
            .delete_api_key()
            .api_key(&id)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if code(&e).as_deref() == Some("NotFoundException") => Ok(()),
            Err(e) => Err(api_err("apigateway:DELETE /apikeys/*", &e).into()),
        }
    }

    async fn set_enabled(&self, r: &Rotation, s: &StepId, enabled: bool) -> Step<()> {
        self.paced(r, s).await;
        let patch = PatchOperation::builder()
            .op(PatchOp::Replace)
            .path("/enabled")
            .value(enabled.to_string())
            .build();
        match self
            .clients
            .apigateway
            .update_api_key()
            .api_key(&r.old_key_id)
            .patch_operations(patch)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            // Someone deleted the old key: nothing can send it, so disabling it is done. (It
            // cannot be enabled again, though: a roll back stops here rather than point
            // distributions at a key that is gone.)
            Err(e) if !enabled && code(&e).as_deref() == Some("NotFoundException") => {
                self.warn(
                    r,
                    s,
                    format!(
                        "the old key {} no longer exists",
                        Text::new(&r.old_key_name)
                    ),
                );
                Ok(())
            }
            Err(e) => Err(api_err("apigateway:PATCH /apikeys/*", &e).into()),
        }
    }

    /// Someone deleted distribution `id`: nothing sends a key from it any more.
    fn gone(&self, r: &Rotation, s: &StepId, id: &str, what: &str) -> Step<()> {
        self.warn(r, s, format!("distribution {id} no longer exists: {what}"));
        Ok(())
    }

    /// Say that a step found nothing to do because someone changed the account, and go on.
    fn warn(&self, r: &Rotation, s: &StepId, what: String) {
        tracing::warn!(rotation = %r.id, step = %s.key(), what = %what, "step: nothing to do");
        self.report(r, Some(s), what);
    }

    /// Make distribution `id` send `to` wherever it sends `from` in an origin custom header,
    /// whatever the header's name. Done already when it sends `to` and not `from`. When it
    /// sends neither (someone changed it), or is gone, there is nothing to switch: say so and
    /// go on. A concurrent change (PreconditionFailed on If-Match) means: read again and redo,
    /// a few times.
    async fn switch(
        &self,
        r: &Rotation,
        s: &StepId,
        id: &str,
        from: &Secret,
        to: &Secret,
    ) -> Step<()> {
        let cf = &self.clients.cloudfront;
        for _ in 0..3 {
            let got = match cf.get_distribution_config().id(id).send().await {
                Ok(got) => got,
                Err(e) if code(&e).as_deref() == Some(GONE) => {
                    return self.gone(r, s, id, "nothing to switch");
                }
                Err(e) => {
                    return Err(failure("cloudfront:GetDistributionConfig", &e)
                        .to_string()
                        .into());
                }
            };
            let etag = got
                .e_tag()
                .ok_or("GetDistributionConfig returned no ETag")?
                .to_string();
            let mut config = got
                .distribution_config()
                .ok_or("GetDistributionConfig returned no configuration")?
                .clone();
            let (mut replaced, mut already) = (0, 0);
            for origin in config.origins.iter_mut().flat_map(|o| o.items.iter_mut()) {
                let headers = origin
                    .custom_headers
                    .iter_mut()
                    .flat_map(|h| h.items.iter_mut().flatten());
                for h in headers {
                    if h.header_value == from.expose() {
                        h.header_value = to.expose().to_string();
                        replaced += 1;
                    } else if h.header_value == to.expose() {
                        already += 1;
                    }
                }
            }
            if replaced == 0 {
                if already == 0 {
                    self.warn(
                        r,
                        s,
                        format!(
                            "distribution {id} sends neither key any more (someone changed it): \
                             nothing to switch; it was left as it is"
                        ),
                    );
                }
                return Ok(());
            }
            match cf
                .update_distribution()
                .id(id)
                .if_match(&etag)
                .distribution_config(config)
                .send()
                .await
            {
                Ok(_) => return Ok(()),
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|s| s.is_precondition_failed()) =>
                {
                    tracing::info!(distribution = id, "ETag changed under us: reading again");
                    continue;
                }
                Err(e) => {
                    return Err(failure("cloudfront:UpdateDistribution", &e)
                        .to_string()
                        .into());
                }
            }
        }
        Err(StepError::Failed(format!(
            "distribution {id} kept changing under us (If-Match failed 3 times)"
        )))
    }

    async fn deployed(&self, r: &Rotation, s: &StepId, id: &str) -> Step<()> {
        let started = Instant::now();
        loop {
            let got = match self
                .clients
                .cloudfront
                .get_distribution()
                .id(id)
                .send()
                .await
            {
                Ok(got) => got,
                Err(e) if code(&e).as_deref() == Some(GONE) => {
                    return self.gone(r, s, id, "nothing to wait for");
                }
                Err(e) => return Err(failure("cloudfront:GetDistribution", &e).to_string().into()),
            };
            let status = got
                .distribution()
                .map(|d| d.status().to_string())
                .unwrap_or_default();
            if status == "Deployed" {
                return Ok(());
            }
            let waited = started.elapsed();
            if waited >= self.deploy.timeout {
                return Err(StepError::Failed(format!(
                    "distribution {id} is still {status} after {}: gave up waiting (--deploy-timeout)",
                    format::duration(waited)
                )));
            }
            self.report(
                r,
                Some(s),
                format!(
                    "{id} is {status}: {} of at most {}",
                    format::duration(waited),
                    format::duration(self.deploy.timeout)
                ),
            );
            tokio::time::sleep(self.deploy.every).await;
        }
    }
}
